/*
 * logs.c - exhunt_logs_paths: find the logs in evidence, read, detect.
 * This is the engine (walk, queue, workers, readers, the per-line and
 * block paths, coverage); the correlation across rows lives beside it:
 * the SSRF hold-back in ssrf.c (one store per run), web-shell tunnels in
 * tunnel.c (per file). Both report through exh_log_out (engine_int.h).
 *
 *   walk (lib/walk) -> candidate files (log-like names), largest first
 *   -> N workers, each taking the next file:
 *     open read-only -> gzip? -> lines (bounded) -> family by path and
 *     content -> table (header-bound records) -> detectors (detect.c)
 *         |                                   |
 *         | findings, emitted at once          | CVE-2021-26855 SSRF rows,
 *         | (tunnel data requests summed per   | held back (capped, ssrf.c)
 *         v  file first, tunnel.c)            v
 *     serialised sink                 after every file: classified per
 *                                     client (failed attempt, or the first
 *                                     step of a chain that reached /ecp/ or
 *                                     /mapi/), then emitted
 *   then one coverage record per family: files, records, first and last
 *   time, and the Exchange build of the newest file's #Version.
 *
 * A family is known from the path (HttpProxy\<protocol>\HttpProxy_*.LOG,
 * ECP\Server\ECPServer*.LOG, OABGeneratorLog, W3SVC*\u_ex*.log) or from the
 * content (#Log-type:, #Software: Microsoft Internet Information Services),
 * case-insensitively, because evidence copied off Windows keeps the names
 * but not their case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/dayset.h"
#include "core/errmap.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/pace.h"
#include "core/time.h"
#include "detect.h"
#include "engine_int.h"
#include "events.h"
#include "evtx.h"
#include "lines.h"
#include "logs/known.h"
#include "platform/fs.h"
#include "platform/strext.h"
#include "platform/thread.h"
#include "prefilter.h"
#include "source.h"
#include "ssrf.h"
#include "tunnel.h"
#include "walk/walk.h"

static const char *const family_names[EXH_FAM_COUNT] = {"exchange-httpproxy", "exchange-ecp-server",
                                                        "exchange-oabgenerator", "iis-w3c",
                                                        "windows-events"};

/* The event channels the detectors read, each reported in coverage (the
 * names as Windows writes them; matched case-insensitively). */
enum { N_CHANNELS = 4 };
static const char *const channel_names[N_CHANNELS] = {
    "Security",                             /* 4688 process creation */
    "Microsoft-Windows-Sysmon/Operational", /* process and file creation */
    "Application",                          /* CVE-2021-26857 UM errors */
    "MSExchange Management",                /* Set-*VirtualDirectory, exports */
};

typedef struct coverage_acc {
  uint64_t files, records;
  int64_t first, last;
  int64_t build_time; /* newest record time of the file the build came from */
  char build[64];
  exh_dayset days; /* days each file's first..last touches (in the window) */
} coverage_acc;

/* A log file waiting for a worker, with the weight of its work: workers
 * take the heaviest first (longest-processing-time order), so the run
 * does not end on one core reading the biggest log while the others wait. */
typedef struct queued_file {
  char *path;
  uint64_t weight;
  bool named; /* given by name, not found in a folder: read whatever its name */
  /* Opened through its root with the identity the walk saw. */
  exh_evidence_root *root; /* a reference */
  size_t rel;              /* offset in path of the part under the root */
  uint64_t dev;
  uint64_t ino;
} queued_file;

typedef struct run {
  const exhunt_logs_opts *opts;
  const exhunt_sink *user;
  exh_mutex lock;
  exhunt_scan_stats stats;
  coverage_acc cov[EXH_FAM_COUNT];
  coverage_acc chan_cov[N_CHANNELS]; /* windows-events, per channel */
  exh_ssrf_hold ssrf;                /* SSRF rows held for per-client classification */
  /* The sink as the correlation units see it (engine_int.h): `out` takes
   * the lock itself (tunnel.c), `out_locked` is for calls made with it
   * held (ssrf.c). */
  exh_log_out out, out_locked;
  queued_file *files; /* sorted largest first before the workers start */
  size_t n_files, cap_files, next_file;
  uint64_t noatime_refused, noatime_dirs;
  exh_evidence_root *root; /* the root being walked */
  /* Files found by a log-like name in a folder that held no log this
   * engine reads (one note at the end), and the first of them. */
  uint64_t not_logs;
  char *first_not_log;
  bool root_is_file; /* the walk in progress was given a file */
  exhunt_err fatal;
  /* Hyperscan databases, compiled when the first file needs them (most
   * single-buffer calls never do), then shared read-only; NULL after
   * pf_tried: exh_block_scan instead. */
  exh_prefilter *pf;
  bool pf_tried;
  /* opts->shell_urls: sorted, for the per-record lookup, and as one
   * Hyperscan literal set (NULL: looked for line by line) built with the
   * prefilter. */
  const char **shell_urls;
  size_t n_shell_urls;
  exh_literals *shell_lits;
  size_t max_line; /* opts->limits.max_line, or EXH_MAX_LINE */
  exh_pace *pace;  /* opts->resources.pace; NULL: none */
  /* Gzipped EVTX decompressed into memory by all workers (under lock), at
   * most EXH_EVTX_GZ_MAX_MEM; and the roots, under which a larger one is
   * never spilled to a temporary file. */
  uint64_t gz_mem_held;
  const char *const *roots;
  size_t n_roots;
} run;

/* A worker's Hyperscan scratch, made when its first file needs it. */
typedef struct worker_pf {
  exh_prefilter_scratch *s;
  bool tried;
} worker_pf;

void exhunt_logs_opts_init(exhunt_logs_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scope_init(&opts->scope);
  exhunt_resources_init(&opts->resources);
  exhunt_window_init(&opts->window);
}

/* ---------------------------------------------------------------------- */
/* Families.                                                               */

static const char *base_of(const char *path)
{
  const char *s = strrchr(path, '/');
  const char *b = strrchr(path, '\\');
  if (b && (!s || b > s))
    s = b;
  return s ? s + 1 : path;
}

static exh_log_family family_from_path(const char *path)
{
  const char *base = base_of(path);
  if (strncasecmp(base, "HttpProxy_", 10) == 0)
    return EXH_FAM_HTTPPROXY;
  if (strncasecmp(base, "ECPServer", 9) == 0)
    return EXH_FAM_ECP_SERVER;
  if (strncasecmp(base, "OABGenerator", 12) == 0 || exh_contains_ci_str(path, "OABGeneratorLog"))
    return EXH_FAM_OABGEN;
  if (strncasecmp(base, "u_ex", 4) == 0 || strncasecmp(base, "u_in", 4) == 0)
    return EXH_FAM_IIS;
  return EXH_FAM_NONE;
}

/* The HttpProxy protocol is the folder the file sits in (HttpProxy\Ecp\...). */
static void protocol_from_path(const char *path, char *out, size_t cap)
{
  out[0] = '\0';
  const char *hp = exh_strcasestr(path, "HttpProxy/");
  if (!hp)
    hp = exh_strcasestr(path, "HttpProxy\\");
  if (!hp)
    return;
  const char *p = hp + 10;
  size_t n = 0;
  while (p[n] && p[n] != '/' && p[n] != '\\' && n + 1 < cap)
    n++;
  if (p[n] != '/' && p[n] != '\\')
    return; /* the file itself, not a folder */
  memcpy(out, p, n);
  out[n] = '\0';
}

/* Names worth opening when walking a whole evidence tree. */
static bool log_candidate(const char *path)
{
  const char *base = base_of(path);
  const char *dot = strrchr(base, '.');
  if (!dot)
    return false;
  static const char *const exts[] = {".log", ".csv", ".json", ".jsonl", ".ndjson", ".evtx"};
  size_t n = (size_t)(dot - base);
  if (strcasecmp(dot, ".gz") == 0) {
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
      size_t el = strlen(exts[i]);
      if (n >= el && strncasecmp(dot - el, exts[i], el) == 0)
        return true;
    }
    return false;
  }
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (strcasecmp(dot, exts[i]) == 0)
      return true;
  return false;
}

/* ---------------------------------------------------------------------- */
/* Emission.                                                               */

/* Reports one notice; the caller holds r->lock (exh_log_out's notice). */
static void notice_locked(void *ctx, exhunt_notice_kind kind, exhunt_err code, const char *what,
                          const char *path, const char *reason)
{
  run *r = ctx;
  exhunt_notice n = {kind, code, what, path, reason};
  if (kind == EXHUNT_NOTICE_ERROR)
    r->stats.errors++;
  else
    r->stats.notes++;
  r->user->on_notice(r->user->ctx, &n);
}

static void notice(run *r, exhunt_notice_kind kind, exhunt_err code, const char *what,
                   const char *path, const char *reason)
{
  exh_mutex_lock(&r->lock);
  notice_locked(r, kind, code, what, path, reason);
  exh_mutex_unlock(&r->lock);
}

/* exh_log_out's notice, taking the lock. */
static void notice_out(void *ctx, exhunt_notice_kind kind, exhunt_err code, const char *what,
                       const char *path, const char *reason)
{
  notice(ctx, kind, code, what, path, reason);
}

static const char *view_str(exh_view v, char *buf, size_t cap)
{
  if (v.n == 0)
    return NULL;
  size_t n = v.n < cap - 1 ? v.n : cap - 1;
  memcpy(buf, v.p, n);
  buf[n] = '\0';
  return buf;
}

/* Emits one hit; the caller holds r->lock. */
static void emit_locked(run *r, const exh_log_hit *h, const char *path, uint64_t line, int64_t ts,
                        const char *excerpt, size_t excerpt_len)
{
  char ip[64], ua[512], art[EXH_LOG_ARTIFACT_CAP];
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  exhunt_log_part *l = &f.log;
  f.kind = EXHUNT_FINDING_LOG;
  f.category = h->category;
  f.severity = h->severity;
  f.rule = h->rule->id;
  f.title = h->title;
  f.source = "exhunt";
  f.path = path;
  l->line = line;
  l->timestamp = ts;
  l->step = h->rule->step;
  l->cves = h->cves;
  l->n_cves = h->n_cves;
  l->outcome = h->outcome;
  f.description = h->description;
  l->client_ip = view_str(h->client_ip, ip, sizeof ip);
  l->user_agent = view_str(h->user_agent, ua, sizeof ua);
  l->excerpt = excerpt;
  l->excerpt_len = excerpt_len > EXH_LOG_EXCERPT_CAP ? EXH_LOG_EXCERPT_CAP : excerpt_len;
  if (h->artifact.n) {
    l->artifact_kind = h->rule->artifact;
    l->artifact = h->artifact.p;
    l->artifact_len = h->artifact.n > EXH_LOG_ARTIFACT_CAP ? EXH_LOG_ARTIFACT_CAP : h->artifact.n;
    if (h->artifact_csv) {
      /* The planted script as it lands in the file, not as CSV wrote it. */
      size_t o = 0;
      for (size_t i = 0; i < l->artifact_len; i++) {
        art[o++] = l->artifact[i];
        if (l->artifact[i] == '"' && i + 1 < l->artifact_len && l->artifact[i + 1] == '"')
          i++;
      }
      l->artifact = art;
      l->artifact_len = o;
    }
  }
  r->stats.findings[f.severity]++;
  r->user->on_finding(r->user->ctx, &f);
}

/* exh_log_out's finding, with r->lock held. */
static void emit_out_locked(void *ctx, const exh_log_hit *h, const char *path, uint64_t line,
                            int64_t ts, const char *excerpt, size_t excerpt_len)
{
  emit_locked(ctx, h, path, line, ts, excerpt, excerpt_len);
}

/* exh_log_out's finding, taking the lock. */
static void emit_out(void *ctx, const exh_log_hit *h, const char *path, uint64_t line, int64_t ts,
                     const char *excerpt, size_t excerpt_len)
{
  run *r = ctx;
  exh_mutex_lock(&r->lock);
  emit_locked(r, h, path, line, ts, excerpt, excerpt_len);
  exh_mutex_unlock(&r->lock);
}

/* ---------------------------------------------------------------------- */
/* One file.                                                               */

#define BLOCK_BYTES (128u * 1024u)
#define BLOCK_HITS 4096u

/* Lines of one buffer in which the prefilter found a needle. */
typedef struct block_hits {
  const char *block, *block_end;
  const char *starts[BLOCK_HITS]; /* start of each line with a hit */
  size_t n;
  bool overflow;
  bool confirm; /* found by Hyperscan: a superset, each line is confirmed */
  /* The line of the last hit: further hits in it need no search. */
  const char *line_start, *line_end;
} block_hits;

typedef struct file_state {
  run *r;
  const char *path;
  exh_log_family fam;
  char protocol[32];
  exh_table table;
  exh_cols cols;
  bool cols_bound;
  uint64_t records;
  uint64_t malformed; /* JSON lines: lines that are not an event */
  uint64_t ragged;    /* records whose field count differs from the header's */
  uint64_t capped;    /* records examined that reach the field cap */
  uint64_t ev_capped; /* events with fields not kept (events.h) */
  uint64_t ev_lost;   /* events with an object too deep to read at all */
  bool header_capped; /* a #Fields header with more names than the cap */
  int64_t first, last;
  /* The days of the records read (in the run's window): coverage counts
   * days that hold records, not a file's first..last span, so one stray
   * record dated months away covers nothing between. */
  exh_dayset days;
  bool days_nomem;
  struct {
    uint64_t records;
    int64_t first, last;
    exh_dayset days;
  } chan[N_CHANNELS]; /* events, per channel the detectors read */
  /* A CSV record whose quoted value holds a line break spans lines: they
   * are joined in `rec` (with '\n') from line `rec_lineno`, `rec_lines` of
   * them so far, until the quote closes. One that does not close within
   * EXH_MAX_RECORD_LINES lines or EXH_MAX_LINE bytes is read line by line
   * after all (`unbalanced`), so a stray quote costs a bounded buffer. */
  exh_dynbuf rec;
  uint64_t rec_lineno;
  unsigned rec_lines;
  uint64_t unbalanced; /* quotes that never closed */
  bool line_mode;      /* the fast path stopped at such a record */
  exh_event event;     /* JSON lines: the current event */
  /* Web-shell tunnels opened in this file: their scripts' later rows are
   * split (no needle finds a tunnel's data requests), their data requests
   * summed. */
  exh_tunnels tun;
  block_hits hits; /* buffer-at-once reading */
  worker_pf *wpf;  /* the worker's prefilter scratch */
} file_state;

static bool in_window(const run *r, int64_t ts)
{
  if (ts == EXHUNT_NO_TIME)
    return true;
  if (r->opts->window.since != EXHUNT_NO_TIME && ts < r->opts->window.since)
    return false;
  if (r->opts->window.until != EXHUNT_NO_TIME && ts > r->opts->window.until)
    return false;
  return true;
}

static void free_days(file_state *fs)
{
  exh_dayset_free(&fs->days);
  for (int k = 0; k < N_CHANNELS; k++)
    exh_dayset_free(&fs->chan[k].days);
}

/* A record's day, for coverage, when it lies in the run's window. */
static void add_day(file_state *fs, exh_dayset *days, int64_t ts)
{
  if (ts == EXHUNT_NO_TIME || !in_window(fs->r, ts))
    return;
  int64_t d = exh_day_of(ts);
  if (!exh_dayset_has(days, d) && exh_dayset_add_days(days, d, d) != EXHUNT_OK)
    fs->days_nomem = true;
}

static void deliver(file_state *fs, exh_log_hit *hits, size_t n, uint64_t line, int64_t ts,
                    const char *raw, size_t raw_len)
{
  run *r = fs->r;
  /* a connect before --since still opens the tunnel whose rows follow */
  for (size_t i = 0; i < n; i++)
    if (hits[i].rule == &exh_log_rules[EXH_RULE_IIS_WEBSHELL_TUNNEL])
      exh_tunnel_connect(&fs->tun, hits[i].artifact);
  if (n == 0 || !in_window(r, ts))
    return;
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    if (hits[i].tunnel_data)
      exh_tunnel_count(&fs->tun, &hits[i], line, ts, raw, raw_len);
    else
      hits[kept++] = hits[i];
  }
  n = kept;
  if (n == 0)
    return;
  exh_mutex_lock(&r->lock);
  for (size_t i = 0; i < n; i++) {
    if (hits[i].ssrf_went_further)
      exh_ssrf_went_further(&r->ssrf, hits[i].client_ip);
    if (hits[i].ssrf_candidate)
      exh_ssrf_hold_row(&r->ssrf, &hits[i], fs->path, line, ts, raw, raw_len, &r->out_locked);
    else
      emit_locked(r, &hits[i], fs->path, line, ts, raw, raw_len);
  }
  exh_mutex_unlock(&r->lock);
}

/* Content tells the family where the path did not (or disagrees). */
static void family_from_meta(file_state *fs)
{
  exh_table *t = &fs->table;
  if (exh_contains_ci_str(t->software, "Internet Information Services"))
    fs->fam = EXH_FAM_IIS;
  else if (exh_contains_ci_str(t->log_type, "HttpProxy"))
    fs->fam = EXH_FAM_HTTPPROXY;
  else if (exh_contains_ci_str(t->log_type, "ECP Server"))
    fs->fam = EXH_FAM_ECP_SERVER;
  else if (exh_contains_ci_str(t->log_type, "OAB"))
    fs->fam = EXH_FAM_OABGEN;
  t->format = fs->fam == EXH_FAM_IIS ? EXH_FMT_W3C : EXH_FMT_CSV;
}

static int64_t raw_line_time(const char *line, size_t len)
{
  exh_view v = {line, len};
  return exh_parse_iso8601(v);
}

/* One JSON-lines Windows event. */
/* Counts one event into the file's coverage and runs the detectors.
 * `raw` is what the finding quotes: the JSON line, or a rendering of an
 * EVTX record (its XML is too long to be readable evidence). */
static void handle_event(file_state *fs, const exh_event *ev, uint64_t line, const char *raw,
                         size_t raw_len)
{
  fs->records++;
  fs->ev_capped += ev->fields_dropped != 0;
  fs->ev_lost += ev->key_fields_lost;
  int64_t ts = ev->time;
  exh_span_widen(&fs->first, &fs->last, ts);
  add_day(fs, &fs->days, ts);
  for (int c = 0; c < N_CHANNELS; c++) {
    if (!exh_view_eq(ev->channel, channel_names[c]))
      continue;
    fs->chan[c].records++;
    exh_span_widen(&fs->chan[c].first, &fs->chan[c].last, ts);
    add_day(fs, &fs->chan[c].days, ts);
    break;
  }
  exh_log_hit hits[4];
  size_t n = exh_detect_event(ev, hits, 4);
  if (n == 0)
    return;
  char summary[EXH_LOG_EXCERPT_CAP];
  if (!raw) {
    /* "Channel/EventID: Name=value; ..." for an EVTX record */
    size_t o = (size_t)snprintf(summary, sizeof summary, "%.*s/%d:", (int)ev->channel.n,
                                ev->channel.p, ev->event_id);
    for (size_t i = 0; i < ev->n_fields && o < sizeof summary - 1; i++) {
      int w = snprintf(summary + o, sizeof summary - o, " %s=%.*s;", ev->fields[i].name,
                       (int)ev->fields[i].value.n, ev->fields[i].value.p);
      o = w < 0 ? o : o + (size_t)w;
    }
    if (ev->message.n && o < sizeof summary - 1) {
      int w = snprintf(summary + o, sizeof summary - o, " %.*s", (int)ev->message.n, ev->message.p);
      o = w < 0 ? o : o + (size_t)w;
    }
    raw = summary;
    raw_len = o < sizeof summary ? o : sizeof summary - 1;
  }
  deliver(fs, hits, n, line, ts, raw, raw_len);
}

static exh_line_kind process_event(file_state *fs, const char *line, size_t len, uint64_t lineno)
{
  if (len == 0)
    return EXH_LINE_EMPTY;
  if (!exh_event_from_json(&fs->event, line, len)) {
    fs->malformed++;
    return EXH_LINE_NO_HEADER;
  }
  handle_event(fs, &fs->event, lineno, line, len);
  exh_event_free(&fs->event);
  return EXH_LINE_RECORD;
}

static void on_evtx_event(void *ctx, const exh_event *ev, uint64_t record)
{
  handle_event(ctx, ev, record, NULL, 0);
}

static void account_file(file_state *fs);
static exh_line_kind process_line(file_state *fs, const char *line, size_t len, uint64_t lineno,
                                  bool may_match);
static bool fast_record_time(const file_state *fs, const char *line, size_t len, int64_t *ts);

/* An EVTX file, through libevtx. */
/* ---------------------------------------------------------------------- */
/* Requests to web shells the caller named (opts->shell_urls).             */

static int cmp_url_ci(const void *a, const void *b)
{
  return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The slow path, where no literal set could be built: does the line hold
 * one of the URLs anywhere (case-insensitively)? */
static bool shell_row(const run *r, const char *line, size_t len)
{
  for (size_t u = 0; u < r->n_shell_urls; u++)
    if (exh_contains_ci(line, len, r->shell_urls[u])) /* never empty: run_init drops those */
      return true;
  return false;
}

/* Is this URL stem one of the shells'? A binary search, case-insensitive. */
static bool is_shell_url(const run *r, exh_view stem)
{
  size_t lo = 0, hi = r->n_shell_urls;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *u = r->shell_urls[mid];
    size_t ul = strlen(u);
    int c = strncasecmp(stem.p, u, stem.n < ul ? stem.n : ul);
    if (c == 0)
      c = stem.n < ul ? -1 : stem.n > ul;
    if (c == 0)
      return true;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}

/* The hit for a record whose URL stem is a named shell's, if it is. */
static size_t shell_request(file_state *fs, exh_log_hit *hits)
{
  exh_view stem = exh_table_get(&fs->table, fs->cols.url_stem);
  if (!stem.p || !stem.n || !is_shell_url(fs->r, stem))
    return 0;
  int code = exh_view_uint(exh_table_get(&fs->table, fs->cols.status));
  bool ok = code >= 200 && code < 400;
  exh_log_hit *h = &hits[0];
  memset(h, 0, sizeof *h);
  h->rule = &exh_log_rules[EXH_RULE_REQUEST_TO_SHELL];
  h->category = "webshell-access";
  h->severity = ok ? EXHUNT_SEV_HIGH : EXHUNT_SEV_MEDIUM;
  h->title = ok ? "Successful request to a web shell found on disk"
                : "Request to a web shell found on disk (not successful)";
  h->description = "The URL is that of a file the scan flagged as a web shell; the log "
                   "detectors alone had no reason to flag it (it is outside the drop folders).";
  h->outcome = ok ? "exploited" : "attempted";
  h->client_ip = exh_table_get(&fs->table, fs->cols.client_ip);
  h->user_agent = exh_table_get(&fs->table, fs->cols.user_agent);
  h->artifact = stem;
  return 1;
}

static void read_evtx(run *r, const char *path, const exh_ra *ra)
{
  file_state *fs = exh_calloc(1, sizeof *fs);
  if (!fs) {
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path, "out of memory");
    return;
  }
  fs->r = r;
  fs->path = path;
  fs->fam = EXH_FAM_EVENTS;
  fs->first = fs->last = EXHUNT_NO_TIME;
  for (int k = 0; k < N_CHANNELS; k++)
    fs->chan[k].first = fs->chan[k].last = EXHUNT_NO_TIME;
  exh_evtx_stats st;
  exhunt_err err = exh_evtx_read(ra, on_evtx_event, fs, &st);
  char reason[200];
  if (err == EXHUNT_ECORRUPT && !st.opened) {
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "evtx-error", path,
           "libevtx cannot open this EVTX file (corrupt or truncated header)");
  } else if (err) {
    notice(r, EXHUNT_NOTICE_ERROR, err, "evtx-error", path, exhunt_strerror(err));
  }
  if (st.opened && st.chunks_present < st.chunks_declared) {
    snprintf(reason, sizeof reason,
             "file ends early: its header declares %u chunk(s), its size holds %u whole; the "
             "records past the cut were not read",
             (unsigned)st.chunks_declared, (unsigned)st.chunks_present);
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ETRUNCATED, "evtx-truncated", path, reason);
  } else if (st.corrupted) {
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "evtx-corrupt", path,
           "libevtx found corrupt chunks or records; the records in them were not read");
  }
  if (st.unreadable) {
    snprintf(reason, sizeof reason, "%llu of %llu record(s) could not be read (corrupt?)",
             (unsigned long long)st.unreadable, (unsigned long long)st.records);
    notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "evtx-record-unreadable", path, reason);
  }
  if (st.opened)
    account_file(fs);
  free_days(fs);
  exh_free(fs);
}

/* A source whose reads are reported to the run's pace (--max-rate,
 * --cpu-limit), which may sleep. */
typedef struct paced_source {
  exh_source inner;
  exh_pace *pace;
} paced_source;

static exhunt_err paced_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  paced_source *p = ctx;
  exhunt_err err = p->inner.read(p->inner.ctx, buf, cap, got);
  exh_pace_account(p->pace, *got);
  return err;
}

typedef struct fd_ra {
  int fd;
  uint64_t bytes;
  exh_pace *pace;
} fd_ra;

static exh_ssize fd_pread(void *ctx, uint8_t *buf, size_t size, uint64_t offset)
{
  fd_ra *f = ctx;
  exh_ssize n = exh_pread(f->fd, buf, size, offset);
  if (n > 0) {
    f->bytes += (uint64_t)n;
    exh_pace_account(f->pace, (uint64_t)n);
  }
  return n;
}

typedef struct span_ra {
  const uint8_t *data;
  size_t len;
} span_ra;

static exh_ssize span_pread(void *ctx, uint8_t *buf, size_t size, uint64_t offset)
{
  span_ra *s = ctx;
  if (offset >= s->len)
    return 0;
  size_t n = s->len - (size_t)offset < size ? s->len - (size_t)offset : size;
  memcpy(buf, s->data + offset, n);
  return (exh_ssize)n;
}

/* A record's time from its first field(s), when the header puts it there
 * (Exchange: DateTime first; IIS: date, time). False: split it instead. */
static bool fast_record_time(const file_state *fs, const char *line, size_t len, int64_t *ts)
{
  const exh_table *t = &fs->table;
  if (fs->cols.datetime == 0) {
    exh_view v = exh_table_first_field(t, line, len, 0);
    *ts = exh_parse_iso8601(v);
    return true;
  }
  if (fs->cols.date == 0 && fs->cols.time == 1) {
    exh_view d = exh_table_first_field(t, line, len, 0);
    exh_view tm = exh_table_first_field(t, line, len, 1);
    return exh_parse_w3c_time(d, tm, ts);
  }
  return false;
}

/* `may_match`: the caller has run the literal prefilter on this record line
 * and it matched; false: run it here. */
static exh_line_kind process_line(file_state *fs, const char *line, size_t len, uint64_t lineno,
                                  bool may_match)
{
  if (fs->fam == EXH_FAM_EVENTS)
    return process_event(fs, line, len, lineno);
  exh_log_hit hits[4];
  size_t n = 0;
  unsigned changes = fs->table.header_changes;
  bool had_header = fs->table.have_header;
  exh_line_kind kind = exh_table_classify(&fs->table, line, len);
  if (kind == EXH_LINE_META) {
    if (fs->table.software[0] || fs->table.log_type[0])
      family_from_meta(fs);
    if (fs->table.have_header && (!had_header || fs->table.header_changes != changes))
      fs->cols_bound = false;
    if (fs->table.header_capped)
      fs->header_capped = true;
    return kind;
  }
  if (kind == EXH_LINE_EMPTY)
    return kind;
  int64_t ts = EXHUNT_NO_TIME;
  bool full = true;
  if (kind == EXH_LINE_RECORD) {
    if (!fs->cols_bound) {
      exh_cols_bind(&fs->cols, &fs->table, fs->fam);
      fs->cols_bound = true;
    }
    /* Literal prefilter: most rows hold none of the detectors' needles;
     * they are read only for their time (coverage), without splitting. */
    full = may_match || exh_row_may_match(fs->fam, line, len) ||
           (fs->tun.n_scripts && exh_tunnel_row(&fs->tun, line, len)) ||
           (fs->r->n_shell_urls && shell_row(fs->r, line, len));
    if (full || !fast_record_time(fs, line, len, &ts)) {
      exh_table_split(&fs->table, line, len);
      ts = exh_record_time(&fs->table, &fs->cols);
      if (fs->table.ragged)
        fs->ragged++;
      if (fs->table.fields_capped)
        fs->capped++;
    }
  } else {
    ts = raw_line_time(line, len);
  }
  fs->records++;
  exh_span_widen(&fs->first, &fs->last, ts);
  add_day(fs, &fs->days, ts);
  switch (fs->fam) {
  case EXH_FAM_HTTPPROXY:
    if (kind == EXH_LINE_RECORD && full)
      n = exh_detect_httpproxy(&fs->table, &fs->cols, fs->protocol, hits, 4);
    break;
  case EXH_FAM_IIS:
    if (kind == EXH_LINE_RECORD && full)
      n = exh_detect_iis(&fs->table, &fs->cols, hits, 4);
    break;
  case EXH_FAM_ECP_SERVER:
    n = exh_detect_ecp_line(line, len, hits, 4);
    for (size_t i = 0; i < n; i++)
      hits[i].artifact_csv = true; /* the script sits in a quoted CSV value */
    break;
  case EXH_FAM_OABGEN:
    n = exh_detect_oab_line(line, len, hits, 4);
    break;
  default:
    break;
  }
  /* A request to a shell the caller named that no detector flagged. */
  if (n == 0 && full && kind == EXH_LINE_RECORD && fs->r->n_shell_urls &&
      (fs->fam == EXH_FAM_IIS || fs->fam == EXH_FAM_HTTPPROXY))
    n = shell_request(fs, hits);
  deliver(fs, hits, n, lineno, ts, line, len);
  return kind;
}

/* Exchange's logs are CSV; IIS's W3C has no quoting. */
static bool csv_family(const file_state *fs)
{
  return fs->table.format == EXH_FMT_CSV &&
         (fs->fam == EXH_FAM_HTTPPROXY || fs->fam == EXH_FAM_ECP_SERVER ||
          fs->fam == EXH_FAM_OABGEN);
}

/* A record that opened a quote and never closed it: each line it took is
 * read on its own, as if no quote had been opened. */
static void flush_unbalanced(file_state *fs)
{
  const char *p = fs->rec.data, *end = p + fs->rec.len;
  uint64_t lineno = fs->rec_lineno;
  for (;;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    process_line(fs, p, (size_t)(stop - p), lineno++, false);
    if (!nl)
      break;
    p = nl + 1;
  }
  fs->unbalanced++;
  fs->rec_lines = 0;
  exh_dynbuf_reset(&fs->rec);
}

/* The per-line path: joins the lines of a CSV record whose quoted value
 * holds a line break, then hands whole records to process_line. */
static exh_line_kind feed_line(file_state *fs, const char *line, size_t len, uint64_t lineno)
{
  if (fs->rec_lines) {
    bool fits = fs->rec_lines < EXH_MAX_RECORD_LINES && fs->rec.len + 1 + len <= fs->r->max_line &&
                exh_dynbuf_addc(&fs->rec, '\n') == EXHUNT_OK &&
                exh_dynbuf_add(&fs->rec, line, len) == EXHUNT_OK;
    if (!fits) {
      flush_unbalanced(fs);
      fs->line_mode = false;
      return process_line(fs, line, len, lineno, false);
    }
    fs->rec_lines++;
    if (exh_csv_ends_in_quote(line, len, true))
      return EXH_LINE_RECORD;
    exh_line_kind kind = process_line(fs, fs->rec.data, fs->rec.len, fs->rec_lineno, false);
    fs->rec_lines = 0;
    exh_dynbuf_reset(&fs->rec);
    fs->line_mode = false;
    return kind;
  }
  /* Only a record may open a quoted value: # lines and headers are whole. */
  if (csv_family(fs) && fs->table.have_header && len && line[0] != '#' &&
      exh_csv_ends_in_quote(line, len, false)) {
    exh_dynbuf_reset(&fs->rec);
    if (exh_dynbuf_add(&fs->rec, line, len) == EXHUNT_OK) {
      fs->rec_lineno = lineno;
      fs->rec_lines = 1;
      return EXH_LINE_RECORD;
    }
  }
  fs->line_mode = false;
  return process_line(fs, line, len, lineno, false);
}

/* Caps of a file's correlation, said once per file: tunnel scripts not
 * remembered (a note: the connects are findings already), and events
 * whose fields were not all kept (events.h): a note when only fields no
 * detector reads were left out, an error when an object nested too deep
 * to read may have held one the detectors read. */
static void report_file_caps(file_state *fs)
{
  char reason[300];
  exh_tunnel_report_caps(&fs->tun, fs->path, &fs->r->out);
  if (fs->ev_lost) {
    snprintf(reason, sizeof reason,
             "%llu event(s) nest objects deeper than %d levels; those were not read, and a field "
             "the detectors read may be in them",
             (unsigned long long)fs->ev_lost, EXH_EVENT_KEY_DEPTH);
    notice(fs->r, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "fields-capped", fs->path, reason);
  } else if (fs->ev_capped) {
    snprintf(reason, sizeof reason,
             "%llu event(s) have more than %u data fields or fields nested deeper than %d levels; "
             "past those, only the fields the detectors read were kept",
             (unsigned long long)fs->ev_capped, EXH_MAX_EVENT_FIELDS, EXH_EVENT_DEPTH);
    notice(fs->r, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "fields-capped", fs->path, reason);
  }
}

static void account_file(file_state *fs)
{
  run *r = fs->r;
  if (fs->fam == EXH_FAM_NONE)
    return;
  report_file_caps(fs);
  exh_mutex_lock(&r->lock);
  coverage_acc *c = &r->cov[fs->fam];
  c->files++;
  c->records += fs->records;
  r->stats.records += fs->records;
  exh_span_widen(&c->first, &c->last, fs->first);
  exh_span_widen(&c->first, &c->last, fs->last);
  if ((fs->days_nomem || exh_dayset_add_set(&c->days, &fs->days) != EXHUNT_OK) && !r->fatal)
    r->fatal = EXHUNT_ENOMEM;
  for (int k = 0; k < N_CHANNELS; k++) {
    coverage_acc *ck = &r->chan_cov[k];
    if (!fs->chan[k].records)
      continue;
    ck->files++;
    ck->records += fs->chan[k].records;
    exh_span_widen(&ck->first, &ck->last, fs->chan[k].first);
    exh_span_widen(&ck->first, &ck->last, fs->chan[k].last);
    if (exh_dayset_add_set(&ck->days, &fs->chan[k].days) != EXHUNT_OK && !r->fatal)
      r->fatal = EXHUNT_ENOMEM;
  }
  /* HttpProxy logs' #Version is the server build (15.01.2106.002); the
   * ECP Server log's is a format version and IIS's the W3C version. */
  if (fs->fam == EXH_FAM_HTTPPROXY && fs->table.version[0] &&
      (c->build[0] == '\0' || fs->last > c->build_time)) {
    snprintf(c->build, sizeof c->build, "%s", fs->table.version);
    c->build_time = fs->last;
  }
  exh_mutex_unlock(&r->lock);
}

/* ---------------------------------------------------------------------- */
/* Buffer-at-once reading: the literal prefilter runs over a whole buffer
 * of lines (one Hyperscan pass, or a few memchr passes without it) instead
 * of line by line;
 * only lines with a hit are split and checked, the others are counted, and
 * the record times of the buffer's first and last lines go to coverage
 * (logs are written in time order; a buffer's records lie between them). */

static bool block_ready(const file_state *fs)
{
  return (fs->fam == EXH_FAM_HTTPPROXY || fs->fam == EXH_FAM_IIS) && fs->table.have_header &&
         fs->cols_bound && (fs->cols.datetime == 0 || (fs->cols.date == 0 && fs->cols.time == 1));
}

/* A # line (header or metadata, possibly a new #Fields) needs the per-line
 * path, which rebinds columns. */
static bool has_meta_line(const char *p, size_t n)
{
  if (n && p[0] == '#')
    return true;
  /* memchr for '#' (rare in records) beats memmem's short-needle path */
  const char *s = p + 1, *end = p + n;
  while (s < end && (s = memchr(s, '#', (size_t)(end - s))) != NULL) {
    if (s[-1] == '\n')
      return true;
    s++;
  }
  return false;
}

static int cmp_ptr(const void *a, const void *b)
{
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  return (x > y) - (x < y);
}

static bool on_block_hit(void *ctx, const char *at)
{
  block_hits *h = ctx;
  if (h->n == BLOCK_HITS) {
    h->overflow = true;
    return false;
  }
  /* one scanner reports its hits in order: drop repeats on one line */
  if (h->n && at >= h->line_start && at < h->line_end)
    return true;
  const char *nl = exh_memrchr(h->block, '\n', (size_t)(at - h->block));
  const char *start = nl ? nl + 1 : h->block;
  nl = memchr(at, '\n', (size_t)(h->block_end - at));
  h->line_start = start;
  h->line_end = nl ? nl : h->block_end;
  h->starts[h->n++] = start;
  return true;
}

static exh_prefilter_scratch *worker_scratch(file_state *fs)
{
  worker_pf *w = fs->wpf;
  if (!w->tried) {
    w->tried = true;
    run *r = fs->r;
    exh_mutex_lock(&r->lock);
    if (!r->pf_tried) {
      r->pf_tried = true;
      r->pf = exh_prefilter_new();
      if (r->pf && r->n_shell_urls)
        r->shell_lits = exh_literals_new(r->shell_urls, r->n_shell_urls);
    }
    exh_mutex_unlock(&r->lock);
    w->s = exh_prefilter_scratch_new(r->pf);
    if (w->s && r->shell_lits && !exh_literals_scratch(r->shell_lits, &w->s)) {
      exh_prefilter_scratch_free(w->s); /* no room for both: line by line */
      w->s = NULL;
    }
  }
  return w->s;
}

/* Finds the lines of a buffer that hold a needle (fs->hits); false if a
 * line in it starts with '#': the per-line path must take that one. */
static bool find_block_hits(file_state *fs, const char *block, size_t n)
{
  block_hits *h = &fs->hits;
  fs->tun.added = false; /* only a script added while reading a block ends it */
  h->block = block;
  h->block_end = block + n;
  h->n = 0;
  h->overflow = false;
  h->confirm = false;
  h->line_start = h->line_end = NULL;
  if (n && block[0] == '#')
    return false;
  exh_prefilter_result res = EXH_PF_UNAVAILABLE;
  exh_prefilter_scratch *pfs = worker_scratch(fs);
  if (pfs)
    res = exh_prefilter_scan(fs->r->pf, pfs, fs->fam, block, n, on_block_hit, h);
  if (res == EXH_PF_META)
    return false;
  if (res == EXH_PF_DONE) {
    h->confirm = true;
    /* requests to the shells the caller named: one more pass, IIS and
     * HttpProxy only (no other log has a URL column) */
    if (fs->r->shell_lits && (fs->fam == EXH_FAM_IIS || fs->fam == EXH_FAM_HTTPPROXY) &&
        !h->overflow && !exh_literals_scan(fs->r->shell_lits, pfs, block, n, on_block_hit, h))
      h->overflow = true; /* every line through the per-line check */
  } else {
    h->n = 0;
    h->overflow = false;
    h->line_start = h->line_end = NULL;
    if (has_meta_line(block, n))
      return false;
    exh_block_scan(fs->fam, block, n, on_block_hit, h);
    if (fs->r->n_shell_urls && (fs->fam == EXH_FAM_IIS || fs->fam == EXH_FAM_HTTPPROXY))
      h->overflow = true; /* no literal set: every line is looked at */
  }
  /* the rows of tunnels opened earlier in this file */
  if (!h->overflow)
    exh_tunnel_rows(&fs->tun, block, n, on_block_hit, h);
  /* several scanners, or Hyperscan's order: sort by line */
  if (h->n > 1)
    qsort(h->starts, h->n, sizeof h->starts[0], cmp_ptr);
  return true;
}

/* A line the detectors do not see: its time for the file's span and its
 * day for coverage; false if it has none. */
static bool note_time(file_state *fs, const char *line, size_t len, int64_t *ts)
{
  if (!fast_record_time(fs, line, len, ts))
    return false;
  exh_span_widen(&fs->first, &fs->last, *ts);
  add_day(fs, &fs->days, *ts);
  return true;
}

/* A line of a block that the detectors will not see: counted, and the
 * first and last of them give the block's times. */
typedef struct unseen {
  const char *first, *last;
  size_t first_len, last_len;
  /* or the last is in a run of lines [last_run, last_end), found once at
   * the end of the block */
  const char *last_run, *last_end;
} unseen;

/* Length of a line without its "\n" or "\r\n"; `nl` is its '\n'. */
static size_t line_len(const char *p, const char *nl)
{
  size_t len = (size_t)(nl - p);
  return len && p[len - 1] == '\r' ? len - 1 : len;
}

static void unseen_line(unseen *u, const char *p, size_t len)
{
  if (!u->first) {
    u->first = p;
    u->first_len = len;
  }
  u->last = p;
  u->last_len = len;
  u->last_run = NULL;
}

/* A run of whole lines [p, end) without a hit, `records` of them not empty. */
static void unseen_run(unseen *u, const char *p, const char *end, uint64_t records)
{
  if (records == 0)
    return;
  if (!u->first) {
    for (;;) { /* its first non-empty line; empty ones are rare */
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t len = line_len(p, nl);
      if (len) {
        u->first = p;
        u->first_len = len;
        break;
      }
      p = nl + 1;
    }
  }
  u->last = NULL;
  u->last_run = p;
  u->last_end = end;
}

static void unseen_finish(unseen *u)
{
  if (!u->last_run)
    return;
  const char *e = u->last_end - 1; /* the run's last '\n'; back to a record */
  for (;;) {
    const char *nl = exh_memrchr(u->last_run, '\n', (size_t)(e - u->last_run));
    const char *start = nl ? nl + 1 : u->last_run;
    size_t len = line_len(start, e);
    if (len) {
      u->last = start;
      u->last_len = len;
      return;
    }
    e = start - 1;
  }
}

/* Processes a buffer of complete record lines starting after line `lineno`,
 * whose hits find_block_hits found; returns how many lines it read and
 * sets *used to their bytes. It stops early (fs->line_mode) before a CSV
 * record that spans lines: a line with a hit that ends inside a quoted
 * value, or whose line before does (the hit is in the record's second
 * line). The per-line path joins that record. */
static uint64_t process_block(file_state *fs, const char *block, size_t n, uint64_t lineno,
                              size_t *used)
{
  bool csv = csv_family(fs);
  const char *prev = NULL; /* the line before p, if it was not a hit */
  size_t prev_len = 0;
  const block_hits *hits = &fs->hits;
  const char *p = block, *end = block + n;
  unseen u = {NULL, NULL, 0, 0, NULL, NULL};
  uint64_t lines = 0;
  /* IIS lines are short (~270 bytes): the runs between hits are counted
   * at once; on longer lines memchr per line is faster. */
  bool runs = fs->fam == EXH_FAM_IIS && hits->confirm && !hits->overflow;
  size_t next_hit = 0;
  while (p < end) {
    if (runs) {
      const char *at = end;
      while (next_hit < hits->n && (at = hits->starts[next_hit]) < p)
        next_hit++; /* a repeat of a line already read */
      if (next_hit == hits->n)
        at = end;
      if (at > p) {
        uint64_t empty;
        uint64_t k = exh_count_lines(p, (size_t)(at - p), &empty);
        lines += k;
        fs->records += k - empty;
        unseen_run(&u, p, at, k - empty);
        p = at;
        if (p == end)
          break;
      }
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = line_len(p, nl);
    lines++;
    bool hit = hits->overflow;
    while (next_hit < hits->n && hits->starts[next_hit] <= p) {
      hit = hit || hits->starts[next_hit] == p;
      next_hit++;
    }
    /* Hyperscan's patterns may take a line the detectors' own scan would
     * not: that one decides, so exactly the same lines are split. */
    bool confirmed = hit && hits->confirm && !hits->overflow;
    if (confirmed && !exh_row_may_match(fs->fam, p, len) &&
        !(fs->tun.n_scripts && exh_tunnel_row(&fs->tun, p, len)) && !fs->r->shell_lits)
      hit = confirmed = false;
    if (hit && csv) {
      if (prev && exh_csv_ends_in_quote(prev, prev_len, false)) {
        /* back to the record's first line, counted as unseen above */
        lines -= 2;
        if (prev_len)
          fs->records--;
        p = prev;
        fs->line_mode = true;
        break;
      }
      if (exh_csv_ends_in_quote(p, len, false)) {
        lines--;
        fs->line_mode = true;
        break;
      }
    }
    prev = NULL;
    if (hit) {
      process_line(fs, p, len, lineno + lines, confirmed);
      if (fs->tun.added) {
        /* a tunnel connect: the rest of the block was scanned without its
         * script; the next block starts after this line */
        fs->tun.added = false;
        p = nl ? nl + 1 : end;
        break;
      }
    } else if (len) {
      fs->records++;
      unseen_line(&u, p, len);
      prev = p;
      prev_len = len;
    }
    p = nl + 1;
  }
  *used = (size_t)(p - block);
  unseen_finish(&u);
  int64_t t0, t1;
  bool h0 = u.first && note_time(fs, u.first, u.first_len, &t0);
  bool h1 = u.last && u.last != u.first && note_time(fs, u.last, u.last_len, &t1);
  /* A block whose first and last lines lie on different days: the days of
   * every line in it (a daily or hourly log's block never spans days, so
   * the fast path keeps its speed), so such a block covers those days and
   * only those. */
  if (h0 && h1 && exh_day_of(t0) != exh_day_of(t1)) {
    for (const char *q = block; q < p;) {
      const char *nl = memchr(q, '\n', (size_t)(p - q));
      const char *stop = nl ? nl : p;
      size_t len = line_len(q, stop);
      int64_t ts;
      if (len && fast_record_time(fs, q, len, &ts))
        add_day(fs, &fs->days, ts);
      q = nl ? nl + 1 : p;
    }
  }
  return lines;
}

/* The bare CSV header an HttpProxy log starts with (its "CsvStrict" form
 * has no # lines): the columns the detectors bind, by name. */
static bool is_httpproxy_header(const char *p, size_t n)
{
  exh_view v = {p, n};
  return exh_view_starts(v, "DateTime,") && exh_view_has(v, ",AnchorMailbox,") &&
         exh_view_has(v, ",UrlStem,") && exh_view_has(v, ",ClientIpAddress,");
}

/* Reads one log from `src`; *is_log is false if it turned out not to be one. */
static void read_log(run *r, worker_pf *wpf, const char *path, exh_source src, bool *is_log)
{
  file_state fs;
  memset(&fs, 0, sizeof fs);
  fs.r = r;
  fs.wpf = wpf;
  fs.path = path;
  fs.fam = family_from_path(path);
  fs.first = fs.last = EXHUNT_NO_TIME;
  for (int k = 0; k < N_CHANNELS; k++)
    fs.chan[k].first = fs.chan[k].last = EXHUNT_NO_TIME;
  protocol_from_path(path, fs.protocol, sizeof fs.protocol);
  exh_table_init(&fs.table, fs.fam == EXH_FAM_IIS ? EXH_FMT_W3C : EXH_FMT_CSV);
  exh_dynbuf_init(&fs.rec, r->max_line);
  exh_table_set_limits(&fs.table, r->opts->limits.max_fields, r->max_line);
  exh_lines lines;
  if (exh_lines_init_max(&lines, src, r->max_line) != EXHUNT_OK) {
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path, "out of memory");
    exh_table_free(&fs.table);
    exh_dynbuf_free(&fs.rec);
    return;
  }
  const char *line;
  size_t len;
  bool truncated;
  uint64_t cut = 0, unbound = 0;
  for (;;) {
    /* Fast path: a buffer of whole record lines, scanned at once. */
    const char *block;
    size_t block_len;
    if (!fs.line_mode && !fs.rec_lines && block_ready(&fs) &&
        exh_lines_peek(&lines, BLOCK_BYTES, &block, &block_len) &&
        find_block_hits(&fs, block, block_len)) {
      size_t used;
      uint64_t n_lines = process_block(&fs, block, block_len, lines.lineno, &used);
      exh_lines_consume(&lines, used, n_lines);
      continue;
    }
    if (!exh_lines_next(&lines, &line, &len, &truncated))
      break;
    if (truncated)
      cut++;
    if (fs.fam == EXH_FAM_NONE) {
      /* Neither the path nor a # line has said what this is yet: only
       * the leading # lines may; a data line first means not a log. */
      const char *p = line;
      size_t n = len;
      if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
          (unsigned char)p[2] == 0xBF)
        p += 3, n -= 3;
      if (n == 0)
        continue;
      if (p[0] == '{') {
        /* JSON lines: an event export if the first object is an event. */
        exh_event probe;
        if (!exh_event_from_json(&probe, p, n))
          break;
        exh_event_free(&probe);
        fs.fam = EXH_FAM_EVENTS;
      } else if (is_httpproxy_header(p, n)) {
        fs.fam = EXH_FAM_HTTPPROXY; /* CsvStrict, no # lines: the bare header */
      } else if (p[0] != '#' || lines.lineno > 16) {
        break;
      }
    }
    if (feed_line(&fs, line, len, lines.lineno) == EXH_LINE_NO_HEADER &&
        (fs.fam == EXH_FAM_HTTPPROXY || fs.fam == EXH_FAM_IIS))
      unbound++;
  }
  if (fs.rec_lines) /* the file ended inside a quoted value */
    flush_unbalanced(&fs);
  *is_log = fs.fam != EXH_FAM_NONE;
  if (*is_log) {
    char reason[160];
    if (cut) {
      snprintf(reason, sizeof reason, "%llu line(s) longer than %u bytes were cut there",
               (unsigned long long)cut, (unsigned)r->max_line);
      /* errors: the cut part of a record was not examined */
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "line-too-long", path, reason);
    }
    if (fs.ragged) {
      snprintf(reason, sizeof reason,
               "%llu record(s) examined have more or fewer fields than the header (missing "
               "ones read as empty, extra ones ignored)",
               (unsigned long long)fs.ragged);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "ragged-records", path, reason);
    }
    if (fs.unbalanced) {
      snprintf(reason, sizeof reason,
               "%llu record(s) open a quoted value that does not close within %u lines or %u "
               "bytes; their lines were read one by one",
               (unsigned long long)fs.unbalanced, EXH_MAX_RECORD_LINES, (unsigned)r->max_line);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "unbalanced-quote", path, reason);
    }
    if (fs.header_capped) {
      snprintf(reason, sizeof reason,
               "a #Fields header has more than %zu names (the cap, --max-fields); later columns "
               "are not bound",
               fs.table.max_fields);
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "fields-capped", path, reason);
    }
    if (fs.capped) {
      snprintf(reason, sizeof reason,
               "%llu record(s) examined reach the cap of %zu fields (--max-fields); later fields "
               "are not read",
               (unsigned long long)fs.capped, fs.table.max_fields);
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "fields-capped", path, reason);
    }
    if (fs.malformed) {
      snprintf(reason, sizeof reason, "%llu line(s) are not JSON events; skipped",
               (unsigned long long)fs.malformed);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "malformed-event", path, reason);
    }
    if (unbound) {
      snprintf(reason, sizeof reason,
               "%llu record(s) before any #Fields header: columns unknown, not checked",
               (unsigned long long)unbound);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "no-header", path, reason);
    }
    if (fs.table.nomem)
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path,
             "out of memory: a header or record could not be read whole; findings may be missing");
    if (lines.src_err == EXHUNT_ETRUNCATED)
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ETRUNCATED, "gzip-truncated", path,
             "compressed stream ends early; the lines before the cut were read");
    else if (lines.src_err == EXHUNT_ELIMIT)
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "gzip-limit", path,
             "decompressed size or ratio over the limit (gzip bomb?); reading stopped");
    else if (lines.src_err)
      notice(r, EXHUNT_NOTICE_ERROR, lines.src_err, "read-error", path,
             exhunt_strerror(lines.src_err));
    exh_tunnel_flush(&fs.tun, path, &r->out);
    account_file(&fs);
  }
  exh_tunnel_free(&fs.tun);
  free_days(&fs);
  exh_lines_free(&lines);
  exh_table_free(&fs.table);
  exh_dynbuf_free(&fs.rec);
}

/* A source that first hands over bytes already taken from `inner` (the
 * head read to tell a gzipped EVTX from a gzipped text log), then the rest
 * of `inner`; an error met while taking the head comes after those bytes. */
typedef struct prefixed_source {
  uint8_t head[8];
  size_t n, pos;
  exhunt_err head_err;
  exh_source inner;
} prefixed_source;

static exhunt_err prefixed_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  prefixed_source *p = ctx;
  if (p->pos < p->n) {
    size_t k = p->n - p->pos < cap ? p->n - p->pos : cap;
    memcpy(buf, p->head + p->pos, k);
    p->pos += k;
    *got = k;
    return EXHUNT_OK;
  }
  if (p->head_err) {
    *got = 0;
    return p->head_err;
  }
  return p->inner.read(p->inner.ctx, buf, cap, got);
}

/* The run's budget for gzipped EVTX held in memory (EXH_EVTX_GZ_MAX_MEM,
 * all workers together): takes `n` bytes of it, or says there is no room. */
static bool gz_mem_take(run *r, uint64_t n)
{
  exh_mutex_lock(&r->lock);
  bool ok = r->gz_mem_held + n <= EXH_EVTX_GZ_MAX_MEM;
  if (ok)
    r->gz_mem_held += n;
  exh_mutex_unlock(&r->lock);
  return ok;
}

static void gz_mem_give(run *r, uint64_t n)
{
  exh_mutex_lock(&r->lock);
  r->gz_mem_held -= n;
  exh_mutex_unlock(&r->lock);
}

/* Writes all of [p, p + n) to fd; 0, or the errno of the failure. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
  while (n) {
    exh_ssize w = exh_write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return w < 0 ? errno : ENOSPC;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

#define GZ_EVTX_STEP (1024u * 1024u)

/* A gzipped EVTX (collectors compress what they copy): libevtx needs
 * random access, so the file is decompressed first, into memory while the
 * run's shared budget allows (EXH_EVTX_GZ_MAX_MEM, taken as the buffer
 * grows), then into an unlinked temporary file in $TMPDIR (never under a
 * root), which libevtx reads like any EVTX. A worker holds at most the
 * budget plus one step, whatever the file's size and the thread count.
 * What a broken stream gave, or what was decompressed before the disk
 * filled, is still read (the EVTX reader reports the missing chunks). */
static void read_gz_evtx(run *r, const char *path, const uint8_t head[8], exh_source src)
{
  uint8_t *mem = NULL; /* in memory: `len` bytes of `taken` (all budget) */
  uint64_t taken = 0, len = 0;
  int spill = -1;              /* the temporary file, once memory is refused */
  const char *problem = NULL;  /* notice name when reading stopped early */
  exhunt_err perr = EXHUNT_OK; /* and its code */
  char reason[EXH_MAX_PATH + 256];
  uint8_t *step = exh_malloc(GZ_EVTX_STEP);
  exhunt_err err = step ? EXHUNT_OK : EXHUNT_ENOMEM;
  size_t got = 8;
  if (step)
    memcpy(step, head, 8);
  while (step) {
    if (got && len + got > EXH_EVTX_MAX_SIZE) {
      snprintf(reason, sizeof reason,
               "decompresses past %llu bytes, more than any EVTX file can hold; the first %llu "
               "were read",
               (unsigned long long)EXH_EVTX_MAX_SIZE, (unsigned long long)len);
      problem = "evtx-gz-too-big";
      perr = EXHUNT_ELIMIT;
      break;
    }
    if (got && spill < 0 && len + got > taken) {
      uint64_t want = taken ? taken : GZ_EVTX_STEP; /* double, as a dynbuf grows */
      bool room = gz_mem_take(r, want);
      uint8_t *grown = room ? exh_realloc(mem, (size_t)(taken + want)) : NULL;
      if (grown) {
        mem = grown;
        taken += want;
      } else {
        if (room) /* in the budget, but out of memory: the disk, then */
          gz_mem_give(r, want);
        const char *dir = r->opts->tmp_dir;
        spill = exh_evtx_spill_open(dir && *dir ? dir : exh_tmp_dir_default(), r->roots, r->n_roots,
                                    reason, sizeof reason);
        int werr = spill < 0 ? 0 : write_all(spill, mem, (size_t)len);
        if (spill < 0 || werr) {
          if (werr)
            snprintf(reason, sizeof reason, "temporary file: %s", strerror(werr));
          size_t o = strlen(reason);
          snprintf(reason + o, sizeof reason - o,
                   "; the file is larger than the memory budget for gzipped EVTX (%llu MiB, "
                   "shared by the workers), so only its first %llu bytes were read",
                   (unsigned long long)(EXH_EVTX_GZ_MAX_MEM >> 20), (unsigned long long)len);
          problem = "evtx-gz-spill";
          perr = EXHUNT_EIO;
          break;
        }
        exh_free(mem);
        mem = NULL;
        gz_mem_give(r, taken);
        taken = 0;
      }
    }
    if (got && spill < 0) {
      memcpy(mem + len, step, got);
    } else if (got) {
      int werr = write_all(spill, step, got);
      if (werr) {
        snprintf(reason, sizeof reason,
                 "temporary file: %s; the first %llu decompressed bytes were read", strerror(werr),
                 (unsigned long long)len);
        problem = "evtx-gz-spill";
        perr = EXHUNT_EIO;
        break;
      }
    }
    len += got;
    if (err)
      break; /* the error came after the bytes just placed */
    got = 0;
    err = src.read(src.ctx, step, GZ_EVTX_STEP, &got);
    if (got == 0 && !err)
      break;
  }
  if (!step)
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path, "out of memory");
  else if (problem)
    notice(r, EXHUNT_NOTICE_ERROR, perr, problem, path, reason);
  if (err == EXHUNT_ETRUNCATED)
    notice(r, EXHUNT_NOTICE_ERROR, err, "gzip-truncated", path,
           "compressed stream ends early; the records before the cut were read");
  else if (err == EXHUNT_ELIMIT)
    notice(r, EXHUNT_NOTICE_ERROR, err, "gzip-limit", path,
           "decompressed size or ratio over the limit (gzip bomb?); reading stopped");
  else if (err && step) {
    snprintf(reason, sizeof reason, "gzip stream: %s; the %llu bytes before it were read",
             exhunt_strerror(err), (unsigned long long)len);
    notice(r, EXHUNT_NOTICE_ERROR, err, "read-error", path, reason);
  }
  if (spill >= 0) {
    fd_ra fra = {spill, 0, NULL}; /* not evidence: its reads were paced as gzip */
    exh_ra ra = {&fra, fd_pread, len};
    read_evtx(r, path, &ra);
    exh_close(spill);
  } else {
    span_ra sra = {mem, (size_t)len};
    exh_ra ra = {&sra, span_pread, sra.len};
    if (mem)
      read_evtx(r, path, &ra);
  }
  exh_free(step);
  exh_free(mem);
  if (taken)
    gz_mem_give(r, taken);
}

/* A log's bytes, decompressed when `gz`: a gzipped EVTX goes to the EVTX
 * reader, anything else to the text reader. */
static void read_stream(run *r, worker_pf *wpf, const char *path, exh_source src, bool gz,
                        bool *is_log)
{
  if (!gz) {
    read_log(r, wpf, path, src, is_log);
    return;
  }
  /* EVTX inside? Only the decompressed head can tell. */
  prefixed_source pre;
  memset(&pre, 0, sizeof pre);
  while (pre.n < sizeof pre.head && !pre.head_err) {
    size_t got = 0;
    pre.head_err = src.read(src.ctx, pre.head + pre.n, sizeof pre.head - pre.n, &got);
    if (got == 0)
      break;
    pre.n += got;
  }
  if (pre.n == sizeof pre.head && !pre.head_err && exh_is_evtx(pre.head, pre.n)) {
    read_gz_evtx(r, path, pre.head, src);
    *is_log = true;
    return;
  }
  pre.inner = src;
  read_log(r, wpf, path, (exh_source){&pre, prefixed_read}, is_log);
}

static void read_file(run *r, worker_pf *wpf, exh_evidence_dircache *dirs, const queued_file *qf)
{
  const char *path = qf->path;
  exh_evidence_open o;
  int fd = exh_open_evidence_at(qf->root, path + qf->rel, qf->dev, qf->ino, dirs, &o);
  bool noatime_refused = o.noatime_refused;
  if (fd < 0) {
    /* Replaced (a symlink on its path, another inode), vanished or
     * unreadable: said as such, and nothing of what stands there now is
     * read under this path. */
    exhunt_err code;
    const char *what;
    exhunt_skip_reason why;
    char reason[256];
    exh_evidence_open_describe(&o, &code, &what, &why, reason, sizeof reason);
    exh_mutex_lock(&r->lock);
    r->stats.skipped[why]++;
    exh_mutex_unlock(&r->lock);
    notice(r, EXHUNT_NOTICE_ERROR, code, what, path, reason);
    return;
  }
  exh_stat st = o.st;
  uint8_t magic[8] = {0};
  exh_ssize head = exh_pread(fd, magic, sizeof magic, 0);
  if (head == (exh_ssize)sizeof magic && exh_is_evtx(magic, sizeof magic)) {
    fd_ra fra = {fd, 0, r->pace};
    exh_ra ra = {&fra, fd_pread, (uint64_t)st.size};
    read_evtx(r, path, &ra);
    exh_mutex_lock(&r->lock);
    r->stats.bytes_read += fra.bytes;
    r->stats.files_scanned++;
    if (noatime_refused)
      r->noatime_refused++;
    exh_mutex_unlock(&r->lock);
    exh_close(fd);
    return;
  }
  bool gz = head >= 3 && exh_is_gzip(magic, 3);
  exh_fd_source fds;
  exh_source src;
  exh_source_fd(&src, &fds, fd);
  paced_source paced = {src, r->pace};
  if (r->pace)
    src = (exh_source){&paced, paced_read};
  exh_gz_source *gzs = NULL;
  if (gz) {
    gzs = exh_malloc(sizeof *gzs);
    if (!gzs || exh_source_gzip(&src, gzs, src, r->opts->limits.gz_max_bytes,
                                r->opts->limits.gz_max_ratio) != EXHUNT_OK) {
      exh_free(gzs);
      exh_close(fd);
      notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path, "out of memory");
      return;
    }
  }
  bool is_log = false;
  read_stream(r, wpf, path, src, gz, &is_log);
  if (!is_log && qf->named)
    notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "not-a-log", path,
           "not a log exhunt reads: no Exchange or IIS directive (#Software, #Log-type, "
           "#Fields), HttpProxy header, JSON event or EVTX header at its start");
  exh_mutex_lock(&r->lock);
  if (!is_log && !qf->named && r->not_logs++ == 0)
    r->first_not_log = exh_strdup(path);
  r->stats.bytes_read += fds.bytes;
  if (is_log)
    r->stats.files_scanned++;
  if (noatime_refused)
    r->noatime_refused++;
  exh_mutex_unlock(&r->lock);
  if (gzs) {
    exh_gz_end(gzs);
    exh_free(gzs);
  }
  exh_close(fd);
}

/* ---------------------------------------------------------------------- */
/* Walking and workers.                                                    */

/* A gzip log holds several times its size in text; 8 is a typical ratio
 * for logs and only orders the queue, so it need not be exact. */
#define GZ_WEIGHT 8

/* Queues a file under r->root with the identity the walk saw. */
static void queue_file(run *r, const char *path, const exh_stat *st, bool named)
{
  const char *rel = exh_evidence_rel(r->root, path);
  if (!rel) {
    notice(r, EXHUNT_NOTICE_ERROR, EXHUNT_EINVAL, "open-error", path,
           "not under the root it was collected from; not read");
    return;
  }
  if (r->n_files == r->cap_files) {
    size_t cap = r->cap_files ? r->cap_files * 2 : 256;
    queued_file *grown = exh_reallocarray(r->files, cap, sizeof *grown);
    if (!grown) {
      r->fatal = EXHUNT_ENOMEM;
      return;
    }
    r->files = grown;
    r->cap_files = cap;
  }
  char *copy = exh_strdup(path);
  if (!copy) {
    r->fatal = EXHUNT_ENOMEM;
    return;
  }
  uint64_t weight = st->size > 0 ? (uint64_t)st->size : 0;
  size_t len = strlen(path);
  if (len > 3 && strcasecmp(path + len - 3, ".gz") == 0)
    weight = weight > UINT64_MAX / GZ_WEIGHT ? UINT64_MAX : weight * GZ_WEIGHT;
  r->files[r->n_files++] = (queued_file){.path = copy,
                                         .weight = weight,
                                         .named = named,
                                         .root = exh_evidence_root_ref(r->root),
                                         .rel = (size_t)(rel - path),
                                         .dev = st->dev,
                                         .ino = st->ino};
}

static void walk_file(void *ctx, const char *path, const exh_stat *st)
{
  run *r = ctx;
  exh_mutex_lock(&r->lock);
  r->stats.files_seen++;
  exh_mutex_unlock(&r->lock);
  /* A file named on the command line is read whatever its name (an EVTX
   * saved without .evtx, an export): its content decides. */
  bool named = r->root_is_file;
  if (!named && !log_candidate(path) && family_from_path(path) == EXH_FAM_NONE)
    return;
  queue_file(r, path, st, named);
}

/* Heaviest first; equal weights in path order, so the order of work, and
 * with one thread the order of findings, does not depend on readdir. */
static int cmp_queued(const void *a, const void *b)
{
  const queued_file *x = a, *y = b;
  if (x->weight != y->weight)
    return x->weight > y->weight ? -1 : 1;
  return strcmp(x->path, y->path);
}

static void walk_skip(void *ctx, exhunt_skip_reason why, const exhunt_notice *n)
{
  run *r = ctx;
  exh_mutex_lock(&r->lock);
  r->stats.skipped[why]++;
  exh_mutex_unlock(&r->lock);
  if (n)
    notice(r, n->kind, n->code, n->what, n->path, n->reason);
}

static void walk_dir(void *ctx, bool noatime_refused)
{
  run *r = ctx;
  exh_mutex_lock(&r->lock);
  r->stats.dirs_seen++;
  if (noatime_refused)
    r->noatime_dirs++;
  exh_mutex_unlock(&r->lock);
}

static void *worker(void *arg)
{
  run *r = arg;
  worker_pf wpf = {NULL, false};
  exh_evidence_dircache dirs;
  exh_evidence_dircache_init(&dirs);
  for (;;) {
    exh_mutex_lock(&r->lock);
    size_t i = r->next_file < r->n_files ? r->next_file++ : r->n_files;
    exh_mutex_unlock(&r->lock);
    if (i >= r->n_files)
      break;
    read_file(r, &wpf, &dirs, &r->files[i]);
  }
  exh_evidence_dircache_free(&dirs);
  exh_prefilter_scratch_free(wpf.s);
  return NULL;
}

/* One coverage record, its days as spans. */
static exhunt_err emit_one_coverage(run *r, int f, const coverage_acc *c, const char *build,
                                    const char *channel)
{
  exhunt_day_span *days = NULL;
  size_t n_days = 0;
  if (exh_dayset_spans(&c->days, &days, &n_days) != EXHUNT_OK)
    return EXHUNT_ENOMEM;
  exhunt_coverage cv = {family_names[f], c->files > 0, c->files, c->records,
                        c->first,        c->last,      build,    NULL,
                        channel,         days,         n_days,   exh_dayset_count(&c->days)};
  r->user->on_coverage(r->user->ctx, &cv);
  exh_free(days);
  return EXHUNT_OK;
}

static exhunt_err emit_coverage(run *r, bool only_present)
{
  if (!r->user->on_coverage)
    return EXHUNT_OK;
  for (int f = 0; f < EXH_FAM_COUNT; f++) {
    coverage_acc *c = &r->cov[f];
    if (only_present && c->files == 0)
      continue;
    if (emit_one_coverage(r, f, c, c->build[0] ? c->build : NULL, NULL) != EXHUNT_OK)
      return EXHUNT_ENOMEM;
    if (f != EXH_FAM_EVENTS || c->files == 0)
      continue;
    /* Event logs were read: which of the channels the detectors need. */
    for (int k = 0; k < N_CHANNELS; k++) {
      coverage_acc *ck = &r->chan_cov[k];
      if (only_present && ck->files == 0)
        continue;
      if (emit_one_coverage(r, f, ck, NULL, channel_names[k]) != EXHUNT_OK)
        return EXHUNT_ENOMEM;
    }
  }
  return EXHUNT_OK;
}

static void run_init(run *r, const exhunt_logs_opts *opts, const exhunt_sink *sink)
{
  memset(r, 0, sizeof *r);
  r->opts = opts;
  r->user = sink;
  r->out = (exh_log_out){r, emit_out, notice_out};
  r->out_locked = (exh_log_out){r, emit_out_locked, notice_locked};
  exh_ssrf_init(&r->ssrf);
  r->max_line = opts->limits.max_line ? opts->limits.max_line : EXH_MAX_LINE;
  exh_mutex_init(&r->lock);
  for (int f = 0; f < EXH_FAM_COUNT; f++)
    r->cov[f].first = r->cov[f].last = r->cov[f].build_time = EXHUNT_NO_TIME;
  for (int k = 0; k < N_CHANNELS; k++)
    r->chan_cov[k].first = r->chan_cov[k].last = EXHUNT_NO_TIME;
  if (opts->n_shell_urls && opts->shell_urls) {
    r->shell_urls = exh_calloc(opts->n_shell_urls, sizeof *r->shell_urls);
    if (!r->shell_urls) {
      r->fatal = EXHUNT_ENOMEM;
      return;
    }
    for (size_t i = 0; i < opts->n_shell_urls; i++)
      if (opts->shell_urls[i] && *opts->shell_urls[i])
        r->shell_urls[r->n_shell_urls++] = opts->shell_urls[i];
    qsort(r->shell_urls, r->n_shell_urls, sizeof *r->shell_urls, cmp_url_ci);
  }
}

static void run_free(run *r)
{
  exh_ssrf_free(&r->ssrf);
  for (size_t i = 0; i < r->n_files; i++) {
    exh_free(r->files[i].path);
    exh_evidence_root_unref(r->files[i].root);
  }
  exh_evidence_root_unref(r->root);
  exh_free(r->files);
  exh_free(r->first_not_log);
  exh_prefilter_free(r->pf);
  exh_literals_free(r->shell_lits);
  exh_free(r->shell_urls);
  exh_pace_free(r->pace);
  for (int f = 0; f < EXH_FAM_COUNT; f++)
    exh_dayset_free(&r->cov[f].days);
  for (int k = 0; k < N_CHANNELS; k++)
    exh_dayset_free(&r->chan_cov[k].days);
  exh_mutex_destroy(&r->lock);
}

/* True if two file roots are files of one directory: their files can be
 * queued under one root (one descriptor for `exhunt logs DIR/x.log DIR/y.log ...`). */
static bool same_dir(const exh_evidence_root *a, const exh_evidence_root *b)
{
  exh_stat sa, sb;
  return a && b && a->kind == EXH_ROOT_FILE && b->kind == EXH_ROOT_FILE &&
         exh_fstat(a->fd, &sa) == 0 && exh_fstat(b->fd, &sb) == 0 && sa.dev == sb.dev &&
         sa.ino == sb.ino;
}

/* Opens a root; a failure is a notice (and a skip), or ENOMEM. */
static exhunt_err open_root(run *r, const char *path, exh_evidence_root **out)
{
  const char *step = NULL;
  int e = exh_evidence_root_open(path, out, &step);
  if (e == ENOMEM)
    return EXHUNT_ENOMEM;
  if (e) {
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, exh_errno_code(e), step, path, strerror(e)};
    walk_skip(r, e == ENOENT ? EXHUNT_SKIP_VANISHED : EXHUNT_SKIP_UNREADABLE, &n);
  }
  return EXHUNT_OK;
}

/* The queue is made: the workers read it, then the held rows, the
 * coverage and the end-of-run notes. */
static exhunt_err run_queue(run *r, exhunt_scan_stats *stats)
{
  const exhunt_logs_opts *opts = r->opts;
  exhunt_err err = r->fatal;
  if (!err) {
    if (r->n_files > 1)
      qsort(r->files, r->n_files, sizeof *r->files, cmp_queued);
    unsigned threads = opts->resources.threads ? opts->resources.threads : exh_cpu_count();
    if (threads > EXH_MAX_THREADS)
      threads = EXH_MAX_THREADS;
    if (threads > r->n_files)
      threads = r->n_files ? (unsigned)r->n_files : 1;
    exh_thread tids[EXH_MAX_THREADS];
    unsigned started = 0;
    for (unsigned i = 0; i < threads; i++)
      if (exh_thread_start(&tids[i], worker, r) == 0)
        started++;
    if (started == 0)
      worker(r); /* no thread could start: do the work here */
    for (unsigned i = 0; i < started; i++)
      exh_thread_join(&tids[i]);
    exh_mutex_lock(&r->lock);
    exh_ssrf_release(&r->ssrf, &r->out_locked);
    exh_mutex_unlock(&r->lock);
    err = r->fatal ? r->fatal : emit_coverage(r, false);
  }
  if (!err) {
    if (r->noatime_refused || r->noatime_dirs) {
      char reason[256];
      snprintf(reason, sizeof reason,
               "O_NOATIME was refused for %llu log file(s) and %llu directory(ies) not owned by "
               "this user; their access times may have been updated",
               (unsigned long long)r->noatime_refused, (unsigned long long)r->noatime_dirs);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_EACCES, "atime-not-preserved", NULL, reason);
    }
    if (r->not_logs) {
      char reason[200];
      snprintf(reason, sizeof reason,
               "%llu file(s) with log-like names held no log exhunt reads (other Exchange or "
               "application logs); the first is named here",
               (unsigned long long)r->not_logs);
      notice(r, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "not-logs", r->first_not_log, reason);
    }
  }
  if (stats)
    *stats = r->stats;
  return err;
}

exhunt_err exhunt_logs_paths(const char *const *paths, size_t n_paths, const exhunt_logs_opts *opts,
                             const exhunt_sink *sink, exhunt_scan_stats *stats)
{
  if ((!paths && n_paths) || !opts || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  run r;
  run_init(&r, opts, sink);
  r.roots = opts->n_evidence_roots ? opts->evidence_roots : paths;
  r.n_roots = opts->n_evidence_roots ? opts->n_evidence_roots : n_paths;
  exh_walk_opts wopts = exh_walk_opts_of(&opts->scope, EXHUNT_NO_TIME);
  exh_walk_cb cb = {&r, walk_file, walk_skip, walk_dir};
  exhunt_err err = exh_pace_new(&opts->resources.pace, &r.pace);
  for (size_t i = 0; i < n_paths && !err && !r.fatal; i++) {
    /* Each root is opened once (a file given by name: its identity is
     * taken now); the files are queued with a reference to it. */
    exh_evidence_root *fresh = NULL;
    if ((err = open_root(&r, paths[i], &fresh)) != EXHUNT_OK || !fresh)
      continue;
    r.root_is_file = !opts->paths_collected && fresh->kind == EXH_ROOT_FILE;
    if (!same_dir(r.root, fresh)) {
      exh_evidence_root_unref(r.root);
      r.root = exh_evidence_root_ref(fresh);
    }
    err = exh_walk_root(fresh, &wopts, &cb);
    exh_evidence_root_unref(fresh);
  }
  exh_evidence_root_unref(r.root);
  r.root = NULL;
  if (!err)
    err = run_queue(&r, stats);
  else if (stats)
    *stats = r.stats;
  run_free(&r);
  return err;
}

exhunt_err exh_logs_paths_known(const char *const *roots, size_t n_roots,
                                const exh_logs_known *files, size_t n_files,
                                const exhunt_logs_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats)
{
  if (!roots || !n_roots || (!files && n_files) || !opts || !sink || !sink->on_finding ||
      !sink->on_notice)
    return EXHUNT_EINVAL;
  for (size_t i = 0; i < n_files; i++)
    if (files[i].root >= n_roots)
      return EXHUNT_EINVAL;
  run r;
  run_init(&r, opts, sink);
  /* a gzipped EVTX is never spilled under the evidence */
  r.roots = opts->n_evidence_roots ? opts->evidence_roots : roots;
  r.n_roots = opts->n_evidence_roots ? opts->n_evidence_roots : n_roots;
  /* each root opened once, when its first file comes (a walk lists a
   * root's files together); one that cannot be is said once */
  exh_evidence_root **opened = exh_calloc(n_roots, sizeof *opened);
  bool *refused = exh_calloc(n_roots, sizeof *refused);
  exhunt_err err = opened && refused ? exh_pace_new(&opts->resources.pace, &r.pace) : EXHUNT_ENOMEM;
  for (size_t i = 0; i < n_files && !err && !r.fatal; i++) {
    size_t k = files[i].root;
    if (!opened[k] && !refused[k]) {
      err = open_root(&r, roots[k], &opened[k]);
      refused[k] = !opened[k];
    }
    if (!opened[k])
      continue;
    /* Collected by another walk of the same root: its identity is the
     * one that walk saw, whatever stands at the path now. */
    r.root = opened[k];
    exh_stat st;
    memset(&st, 0, sizeof st);
    st.dev = files[i].dev;
    st.ino = files[i].ino;
    st.size = files[i].size > INT64_MAX ? INT64_MAX : (int64_t)files[i].size;
    exh_mutex_lock(&r.lock);
    r.stats.files_seen++;
    exh_mutex_unlock(&r.lock);
    queue_file(&r, files[i].path, &st, false);
  }
  r.root = NULL;
  for (size_t k = 0; opened && k < n_roots; k++)
    exh_evidence_root_unref(opened[k]);
  exh_free(opened);
  exh_free(refused);
  if (!err)
    err = run_queue(&r, stats);
  else if (stats)
    *stats = r.stats;
  run_free(&r);
  return err;
}

exhunt_err exhunt_logs_buffer(const char *path, const uint8_t *data, size_t len,
                              const exhunt_sink *sink)
{
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  return exh_logs_buffer_opts(path, data, len, &opts, sink);
}

exhunt_err exh_logs_buffer_opts(const char *path, const uint8_t *data, size_t len,
                                const exhunt_logs_opts *opts, const exhunt_sink *sink)
{
  if (!path || (!data && len) || !opts || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  run r;
  run_init(&r, opts, sink);
  if (r.fatal) {
    run_free(&r);
    return r.fatal;
  }
  if (exh_is_evtx(data, len)) {
    span_ra sra = {data, len};
    exh_ra ra = {&sra, span_pread, len};
    read_evtx(&r, path, &ra);
    exhunt_err err = r.fatal ? r.fatal : emit_coverage(&r, true);
    run_free(&r);
    return err;
  }
  exh_span_source span;
  exh_source src;
  exh_source_span(&src, &span, data, len);
  exh_gz_source *gzs = NULL;
  exhunt_err err = EXHUNT_OK;
  bool gz = exh_is_gzip(data, len);
  if (gz) {
    gzs = exh_malloc(sizeof *gzs);
    if (!gzs || exh_source_gzip(&src, gzs, src, 0, 0) != EXHUNT_OK)
      err = EXHUNT_ENOMEM;
  }
  if (!err) {
    bool is_log = false;
    worker_pf wpf = {NULL, false};
    read_stream(&r, &wpf, path, src, gz, &is_log);
    exh_prefilter_scratch_free(wpf.s);
    exh_mutex_lock(&r.lock);
    exh_ssrf_release(&r.ssrf, &r.out_locked);
    exh_mutex_unlock(&r.lock);
    err = r.fatal ? r.fatal : emit_coverage(&r, true);
  }
  if (gzs) {
    exh_gz_end(gzs);
    exh_free(gzs);
  }
  run_free(&r);
  return err;
}
