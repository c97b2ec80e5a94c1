/*
 * hunt_out.c - see hunt_out.h. The library reports a server's records in
 * one block (builds, findings, coverage, stories, verdict). JSON Lines and
 * timelines are written as records come; the HTML report, which embeds
 * every record, at the end; and the text report at the end too, because
 * it puts every server's verdict before any server's detail: an
 * administrator with forty servers reads the answers first.
 */
#include "hunt_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"
#include "os.h"
#include "output/csv.h"
#include "output/escape.h"
#include "output/format.h"
#include "output/timeline.h"
#include "platform/clock.h"
#include "platform/fs.h"

#define ALL_RECORDS_MAX (1024ull * 1024 * 1024) /* HTML report data cap */
#define TEXT_MAX (1024ull * 1024 * 1024)        /* text report cap */
#define RULES_SHOWN 4                           /* rules named per flagged file */

/* The verdicts, in the order the summary counts them. */
static const char *const verdict_names[] = {"COMPROMISED",
                                            "EXPLOITED",
                                            "ATTEMPTED",
                                            "SCANNED",
                                            "CLEAN",
                                            "NO SIGN OF COMPROMISE",
                                            "INSUFFICIENT EVIDENCE",
                                            "NOT AN EXCHANGE SERVER"};
#define N_VERDICTS (sizeof verdict_names / sizeof *verdict_names)

bool hunt_parse_fmt(const char *s, hunt_fmt *out)
{
  static const struct {
    const char *name;
    hunt_fmt fmt;
  } names[] = {{"text", HUNT_TEXT},
               {"jsonl", HUNT_JSONL},
               {"json", HUNT_JSONL},
               {"timesketch", HUNT_TIMESKETCH},
               {"timesketch-jsonl", HUNT_TIMESKETCH},
               {"timesketch-csv", HUNT_TIMESKETCH_CSV},
               {"csv", HUNT_CSV},
               {"html", HUNT_HTML}};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(s, names[i].name) == 0) {
      *out = names[i].fmt;
      return true;
    }
  return false;
}

void hunt_out_init(hunt_out *o, cli_report *r)
{
  memset(o, 0, sizeof *o);
  o->report = r;
  o->outcome = EXIT_CLEAN;
  exh_dynbuf_init(&o->all, ALL_RECORDS_MAX);
  exh_dynbuf_init(&o->line, 0);
  exh_dynbuf *text[] = {&o->head, &o->over, &o->body, &o->tail, &o->story, &o->facts};
  for (size_t i = 0; i < sizeof text / sizeof *text; i++)
    exh_dynbuf_init(text[i], TEXT_MAX);
}

bool hunt_out_add(hunt_out *o, hunt_fmt fmt, const char *path)
{
  if (o->n_outs == HUNT_MAX_OUTPUTS)
    return false;
  o->outs[o->n_outs].fmt = fmt;
  o->outs[o->n_outs].path = path;
  o->outs[o->n_outs].f = NULL;
  o->n_outs++;
  return true;
}

static bool wants(const hunt_out *o, hunt_fmt fmt)
{
  for (size_t i = 0; i < o->n_outs; i++)
    if (o->outs[i].fmt == fmt)
      return true;
  return false;
}

static void put(hunt_out *o, hunt_fmt fmt, const exh_dynbuf *b)
{
  for (size_t i = 0; i < o->n_outs; i++)
    if (o->outs[i].fmt == fmt && b->len && fwrite(b->data, 1, b->len, o->outs[i].f) != b->len) {
      o->files[i].failed = true;
      o->write_errors++;
    }
}

/* Do two output paths name one file? The same folder (by device and
 * inode: "a.html", "./a.html" and "../x/a.html" are one) and the same name
 * in it. Each output is written to a temporary and renamed into place, so
 * two outputs onto one file would leave only the last. */
static bool same_output(const char *a, const char *b)
{
  if (strcmp(a, b) == 0)
    return true;
  size_t folder_a, name_a, folder_b, name_b;
  cli_os_split_path(a, &folder_a, &name_a);
  cli_os_split_path(b, &folder_b, &name_b);
  if (strcmp(a + name_a, b + name_b) != 0)
    return false;
  char *da = folder_a ? exh_strndup(a, folder_a) : exh_strdup(".");
  char *db = folder_b ? exh_strndup(b, folder_b) : exh_strdup(".");
  exh_stat sa, sb;
  bool same = da && db && exh_stat_path(da, &sa) == 0 && exh_stat_path(db, &sb) == 0 &&
              sa.dev == sb.dev && sa.ino == sb.ino;
  exh_free(da);
  exh_free(db);
  return same;
}

int hunt_out_open(hunt_out *o, char **roots, int n_roots, bool no_progress)
{
  cli_report *r = o->report;
  for (size_t i = 0; i < o->n_outs; i++)
    cli_outfile_init(&o->files[i]);
  for (size_t i = 0; i < o->n_outs; i++) {
    hunt_output *out = &o->outs[i];
    bool to_stdout = !out->path || strcmp(out->path, "-") == 0;
    for (size_t k = 0; k < i && !to_stdout; k++)
      if (o->outs[k].path && same_output(o->outs[k].path, out->path))
        return cli_usage_error("hunt", "'%s' and '%s' are the same file, named for two outputs",
                               o->outs[k].path, out->path);
    int rc = cli_outfile_open(&o->files[i], "hunt", to_stdout ? NULL : out->path, roots, n_roots);
    if (rc != 0)
      return rc;
    out->f = o->files[i].f;
    if (to_stdout)
      out->path = NULL;
  }
  exh_dynbuf_reset(&o->line);
  exh_timeline_header(&o->line, EXH_TIMELINE_CSV);
  put(o, HUNT_TIMESKETCH_CSV, &o->line);
  exh_dynbuf_reset(&o->line);
  exh_csv_header(&o->line);
  put(o, HUNT_CSV, &o->line);
  exh_dynbuf_reset(&o->line);
  const char *no_color = getenv("NO_COLOR");
  bool text_tty = false;
  for (size_t i = 0; i < o->n_outs; i++)
    text_tty = text_tty || (o->outs[i].fmt == HUNT_TEXT && !o->outs[i].path &&
                            cli_os_is_terminal(fileno(stdout)));
  r->color = text_tty && !(no_color && *no_color);
  r->out = stdout;
  o->progress = !no_progress && cli_os_is_terminal(fileno(stderr));
  r->start_ns = exh_monotonic_ns();
  return 0;
}

/* A JSON record goes to the JSON Lines outputs and into the HTML data
 * (log findings past HUNT_HTML_LOGS only to JSON Lines: `in_html` false). */
static void record_to(hunt_out *o, exhunt_err err, bool in_html)
{
  if (err) {
    /* never write half a record: the line would not parse */
    o->write_errors++;
    exh_dynbuf_reset(&o->line);
    return;
  }
  put(o, HUNT_JSONL, &o->line);
  if (in_html && wants(o, HUNT_HTML) &&
      exh_dynbuf_add(&o->all, o->line.data, o->line.len) != EXHUNT_OK)
    o->write_errors++;
  exh_dynbuf_reset(&o->line);
}

static void record(hunt_out *o, exhunt_err err)
{
  record_to(o, err, true);
}

static void timeline_finding(hunt_out *o, const exhunt_finding *f, const char *server)
{
  for (int csv = 0; csv < 2; csv++) {
    hunt_fmt fmt = csv ? HUNT_TIMESKETCH_CSV : HUNT_TIMESKETCH;
    if (!wants(o, fmt))
      continue;
    exh_dynbuf_reset(&o->line);
    if (exh_timeline_finding(&o->line, f, server, csv ? EXH_TIMELINE_CSV : EXH_TIMELINE_JSONL))
      o->write_errors++;
    else
      put(o, fmt, &o->line);
  }
  exh_dynbuf_reset(&o->line);
}

static void disp(exh_dynbuf *b, const char *s)
{
  exh_escape_display(b, s ? s : "", s ? strlen(s) : 0);
}

/* `label`, then "first .. last". */
static void time_span(exh_dynbuf *b, const char *label, int64_t first, int64_t last)
{
  exh_dynbuf_adds(b, label);
  exh_iso8601(b, first);
  exh_dynbuf_adds(b, " .. ");
  exh_iso8601(b, last);
}

/* Ids a text line names at most; the rest are a count. */
#define IDS_SHOWN 12

static void ids(exh_dynbuf *b, exhunt_evidence e)
{
  if (!e.n)
    return;
  exh_dynbuf_adds(b, " [");
  for (size_t i = 0; i < e.n && i < IDS_SHOWN; i++)
    exh_dynbuf_addf(b, "%s%s", i ? " " : "", e.ids[i]);
  uint64_t more = e.more + (e.n > IDS_SHOWN ? e.n - IDS_SHOWN : 0);
  if (more)
    exh_dynbuf_addf(b, " +%llu", (unsigned long long)more);
  exh_dynbuf_addc(b, ']');
}

/* The ids a text line names: the first IDS_SHOWN of a run; the rest are
 * counted. */
typedef struct id_list {
  const char *v[IDS_SHOWN];
  size_t n;
} id_list;
_Static_assert(HUNT_RULE_IDS <= IDS_SHOWN, "a log rule's ids fit one line");

static void id_add(id_list *l, const char *id)
{
  if (l->n < IDS_SHOWN)
    l->v[l->n++] = id;
}

/* " [ids +more]" for a run of `total` (l holds its first ids), and the
 * line's end. */
static void ids_line(exh_dynbuf *b, const id_list *l, uint64_t total)
{
  ids(b, (exhunt_evidence){l->v, l->n, total - l->n});
  exh_dynbuf_addc(b, '\n');
}

static void clear_progress(hunt_out *o)
{
  if (o->progress_drawn) {
    fputs("\r\033[K", stderr);
    o->progress_drawn = false;
    cli_interrupt_progress(false);
  }
}

static void on_progress(void *ctx, const exhunt_scan_stats *s)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  double secs = cli_report_elapsed(r);
  if (secs <= 0)
    secs = 1e-9;
  cli_interrupt_progress(true);
  fprintf(stderr, "\r\033[Khunt: %llu files, %.1f MB/s", (unsigned long long)s->files_scanned,
          (double)s->bytes_read / 1e6 / secs);
  o->progress_drawn = true;
}

static void on_build(void *ctx, const exhunt_build_seen *s)
{
  hunt_out *o = ctx;
  exhunt_err err = exh_jsonl_build(&o->line, s);
  record(o, err);
  for (int csv = 0; csv < 2; csv++) {
    hunt_fmt fmt = csv ? HUNT_TIMESKETCH_CSV : HUNT_TIMESKETCH;
    if (wants(o, fmt)) {
      if (exh_timeline_build(&o->line, s, csv ? EXH_TIMELINE_CSV : EXH_TIMELINE_JSONL))
        o->write_errors++;
      else
        put(o, fmt, &o->line);
      exh_dynbuf_reset(&o->line);
    }
  }
  if (!wants(o, HUNT_TEXT) || !s->build)
    return;
  exh_dynbuf *b = &o->facts;
  exh_dynbuf_addf(b, "   %s ", s->current ? "build  " : "earlier");
  disp(b, s->build);
  exh_dynbuf_adds(b, " from ");
  disp(b, s->source);
  if (s->first != EXHUNT_NO_TIME)
    time_span(b, ", ", s->first, s->last);
  if (s->installed != EXHUNT_NO_TIME) {
    exh_dynbuf_adds(b, " (installed fresh ");
    exh_iso8601(b, s->installed);
    exh_dynbuf_addc(b, ')');
  }
  exh_dynbuf_addc(b, '\n');
}

/* Keeps what the text report needs of a finding until its verdict. */
static void keep_row(hunt_out *o, const exhunt_finding *f)
{
  hunt_row *rows = exh_grow(o->rows, o->n_rows, &o->cap_rows, 64, sizeof *rows);
  if (!rows) {
    o->write_errors++;
    return;
  }
  o->rows = rows;
  hunt_row *row = &o->rows[o->n_rows];
  memset(row, 0, sizeof *row);
  row->path = exh_strdup(f->path ? f->path : "");
  row->rule = exh_strdup(f->rule ? f->rule : "");
  row->title = exh_strdup(f->title ? f->title : "");
  row->severity = f->severity;
  row->log = f->kind == EXHUNT_FINDING_LOG;
  row->order = o->n_rows;
  snprintf(row->id, sizeof row->id, "%s", f->id ? f->id : "");
  if (o->details) {
    exh_dynbuf d;
    exh_dynbuf_init(&d, 0);
    /* the file's header is written once, by the first of its findings */
    if (exh_text_finding(&d, f, false, true) == EXHUNT_OK)
      row->detail = exh_strdup(d.data ? d.data : "");
    exh_dynbuf_free(&d);
  }
  if (!row->path || !row->rule || !row->title || (o->details && !row->detail)) {
    exh_free(row->path);
    exh_free(row->rule);
    exh_free(row->title);
    exh_free(row->detail);
    o->write_errors++;
    return;
  }
  o->n_rows++;
}

/* Counts a log finding under its rule (the text report's one line a rule). */
static void count_log(hunt_out *o, const exhunt_finding *f)
{
  const char *rule = f->rule ? f->rule : "";
  hunt_logrule *g = NULL;
  for (size_t i = 0; i < o->n_logrules && !g; i++)
    if (strcmp(o->logrules[i].rule, rule) == 0)
      g = &o->logrules[i];
  if (!g) {
    hunt_logrule *rules = exh_grow(o->logrules, o->n_logrules, &o->cap_logrules, 16, sizeof *rules);
    if (!rules) {
      o->write_errors++;
      return;
    }
    o->logrules = rules;
    g = &o->logrules[o->n_logrules];
    memset(g, 0, sizeof *g);
    g->rule = exh_strdup(rule);
    g->title = exh_strdup(f->title ? f->title : "");
    if (!g->rule || !g->title) {
      exh_free(g->rule);
      exh_free(g->title);
      o->write_errors++;
      return;
    }
    g->worst = f->severity;
    o->n_logrules++;
  }
  if (f->severity > g->worst) {
    /* the title shown is the most severe finding's */
    char *t = exh_strdup(f->title ? f->title : "");
    if (t) {
      exh_free(g->title);
      g->title = t;
    }
    g->worst = f->severity;
  }
  g->count++;
  if (g->n_ids < HUNT_RULE_IDS)
    snprintf(g->ids[g->n_ids++], sizeof g->ids[0], "%s", f->id ? f->id : "");
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  o->n_findings++;
  if (f->path && f->kind != EXHUNT_FINDING_EXPOSURE && exh_strset_add(&o->flagged, f->path) < 0)
    o->write_errors++;
  bool log = f->kind == EXHUNT_FINDING_LOG;
  bool in_html = true;
  if (log && wants(o, HUNT_HTML)) {
    in_html = o->html_logs < HUNT_HTML_LOGS;
    in_html ? o->html_logs++ : o->html_logs_left_out++;
  }
  record_to(o, exh_jsonl_finding(&o->line, f), in_html);
  timeline_finding(o, f, f->server);
  if (wants(o, HUNT_CSV)) {
    if (exh_csv_finding(&o->line, f) != EXHUNT_OK)
      o->write_errors++;
    else
      put(o, HUNT_CSV, &o->line);
    exh_dynbuf_reset(&o->line);
  }
  if (!wants(o, HUNT_TEXT))
    return;
  if (f->kind == EXHUNT_FINDING_EXPOSURE) {
    /* the vulnerable families, counted; listed with --details */
    const char *status = f->exposure.status ? f->exposure.status : "";
    if (strcmp(status, "vulnerable") == 0) {
      snprintf(o->vuln_ids[o->n_vuln ? 1 : 0], sizeof o->vuln_ids[0], "%s", f->id ? f->id : "");
      o->n_vuln++;
    }
    if (o->details && strcmp(status, "patched") != 0) {
      exh_dynbuf_addf(&o->facts, "   %-10s %s ", status, f->id ? f->id : "");
      disp(&o->facts, f->title);
      if (f->exposure.fixed_in) {
        exh_dynbuf_adds(&o->facts, " (fixed in ");
        disp(&o->facts, f->exposure.fixed_in);
        exh_dynbuf_addc(&o->facts, ')');
      }
      exh_dynbuf_addc(&o->facts, '\n');
    }
    return;
  }
  if (f->severity < r->min_severity)
    return;
  if (log) {
    count_log(o, f);
    if (!o->details)
      return;
    if (o->n_rows - o->n_file_rows >= HUNT_DETAIL_LOGS) {
      o->detail_logs_left_out++;
      return;
    }
  }
  keep_row(o, f);
  if (!log)
    o->n_file_rows++;
}

static void on_coverage(void *ctx, const exhunt_coverage *c)
{
  hunt_out *o = ctx;
  record(o, exh_jsonl_coverage(&o->line, c));
  if (wants(o, HUNT_TEXT))
    exh_text_coverage(&o->facts, c);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  record(o, exh_jsonl_notice(&o->line, n));
  /* Errors always (something was left unexamined); notes with -v, as the
   * help says: they never lose coverage. */
  if (n->kind == EXHUNT_NOTICE_ERROR || r->verbose) {
    clear_progress(o);
    exh_text_notice(&o->line, n);
    fflush(stdout);
    if (fwrite(o->line.data, 1, o->line.len, stderr) != o->line.len)
      o->write_errors++;
    exh_dynbuf_reset(&o->line);
  }
}

static void short_time(exh_dynbuf *b, int64_t t)
{
  if (t == EXHUNT_NO_TIME)
    exh_dynbuf_adds(b, "                   ?");
  else
    exh_iso8601(b, t);
}

static void on_story(void *ctx, const exhunt_story *st)
{
  hunt_out *o = ctx;
  record(o, exh_jsonl_story(&o->line, st));
  if (!wants(o, HUNT_TEXT))
    return;
  exh_dynbuf *b = &o->story;
  if (st->client_ip) {
    exh_dynbuf_adds(b, "   attacker ");
    disp(b, st->client_ip);
    if (st->user_agent) {
      exh_dynbuf_adds(b, " (");
      exh_escape_display(b, st->user_agent,
                         strlen(st->user_agent) > 80 ? 80 : strlen(st->user_agent));
      exh_dynbuf_addc(b, ')');
    }
  } else {
    exh_dynbuf_adds(b, "   not tied to an address");
  }
  exh_dynbuf_addc(b, '\n');
  /* Runs of the same kind of step collapse into one line ("ssrf x13",
   * with the time of the first), so the story fits on a screen; JSONL and
   * HTML keep every step. */
  for (size_t i = 0; i < st->n_steps;) {
    size_t j = i + 1, kinds = 1;
    while (j < st->n_steps && strcmp(st->steps[j].step, st->steps[i].step) == 0) {
      bool seen = false;
      for (size_t k = i; k < j && !seen; k++)
        seen = strcmp(st->steps[k].title, st->steps[j].title) == 0;
      kinds += !seen;
      j++;
    }
    exh_dynbuf_adds(b, "     ");
    short_time(b, st->steps[i].time);
    exh_dynbuf_addf(b, "  %-14s", st->steps[i].step);
    if (j - i > 1)
      exh_dynbuf_addf(b, " x%-3zu ", j - i);
    else
      exh_dynbuf_adds(b, "      ");
    disp(b, st->steps[i].title);
    if (kinds > 1)
      exh_dynbuf_addf(b, " (and %zu other kind%s)", kinds - 1, kinds == 2 ? "" : "s");
    id_list run = {.n = 0};
    for (size_t k = i; k < j; k++)
      id_add(&run, st->steps[k].evidence);
    ids_line(b, &run, j - i);
    i = j;
  }
  /* kinds with more steps than the story shows */
  for (size_t k = 0; k < st->n_counts; k++)
    if (st->counts[k].total > st->counts[k].shown)
      exh_dynbuf_addf(b, "     (%llu %s steps in all; %zu shown, the first and the last ones)\n",
                      (unsigned long long)st->counts[k].total, st->counts[k].step,
                      st->counts[k].shown);
  for (size_t i = 0; i < st->n_shells; i++) {
    const exhunt_story_shell *s = &st->shells[i];
    exh_dynbuf_adds(b, "     shell ");
    disp(b, s->path);
    exh_dynbuf_adds(b, s->on_disk ? " (on disk" : " (NOT on disk: deleted, seen only in logs");
    if (s->finding)
      exh_dynbuf_addf(b, ", %s", s->finding);
    exh_dynbuf_adds(b, ")");
    if (s->planted_by.n) {
      exh_dynbuf_adds(b, "\n           planted by");
      ids(b, s->planted_by);
    }
    if (s->requests.n) {
      uint64_t all = s->requests.n + s->requests.more;
      exh_dynbuf_addf(b, "\n           used by %llu request%s", (unsigned long long)all,
                      all == 1 ? "" : "s");
      ids(b, s->requests);
    }
    exh_dynbuf_addc(b, '\n');
  }
}

static size_t verdict_index(const char *v)
{
  for (size_t i = 0; i < N_VERDICTS; i++)
    if (strcmp(v, verdict_names[i]) == 0)
      return i;
  return N_VERDICTS - 1;
}

/* What a server's verdict asks of its administrator, as an exit code. */
static int verdict_code(const exhunt_verdict *v)
{
  size_t vi = verdict_index(v->verdict);
  if (vi <= 1)
    return EXIT_FINDINGS;
  if (vi <= 3)
    return EXIT_ATTEMPTS;
  if (v->badge && (strcmp(v->badge, "VULNERABLE") == 0 || strcmp(v->badge, "OUT OF SUPPORT") == 0))
    return EXIT_VULNERABLE;
  if (vi == 4 && v->badge && strcmp(v->badge, "PATCHED") == 0 && !v->errors)
    return EXIT_CLEAN;
  return EXIT_INSUFFICIENT;
}

static const char *verdict_color(size_t vi)
{
  return vi <= 1 ? "\033[1;41;97m" : vi <= 3 ? "\033[1;33m" : vi == 4 ? "\033[1;32m" : "\033[1;35m";
}

static const char *badge_color(const char *badge)
{
  if (strcmp(badge, "VULNERABLE") == 0)
    return "\033[1;31m";
  if (strcmp(badge, "OUT OF SUPPORT") == 0)
    return "\033[1;33m";
  if (strcmp(badge, "PATCHED") == 0)
    return "\033[1;32m";
  return "\033[1;35m";
}

/* "VULNERABLE (18 families, 5 exploited in the wild)". */
static void badge_text(exh_dynbuf *b, const exhunt_verdict *v, bool color)
{
  const char *badge = v->badge ? v->badge : "UNKNOWN";
  exh_dynbuf_addf(b, "%s%s%s", color ? badge_color(badge) : "", badge, color ? "\033[0m" : "");
  if (strcmp(badge, "VULNERABLE") == 0)
    exh_dynbuf_addf(b, " (%u famil%s, %u exploited in the wild)", v->families_vulnerable,
                    v->families_vulnerable == 1 ? "y" : "ies", v->exploited_in_wild);
  else if (strcmp(badge, "UNKNOWN") == 0)
    exh_dynbuf_adds(b, v->build ? " (build not in the database)" : " (no build found)");
  else if (strcmp(badge, "NOT APPLICABLE") == 0)
    exh_dynbuf_adds(b, " (not Exchange)");
}

/* The headline's words after the verdict: "logs cover 1 of 60 exposed days". */
static const char *headline_detail(const exhunt_verdict *v, size_t *len)
{
  const char *h = v->headline ? v->headline : "";
  const char *open = strchr(h, '(');
  size_t n = strlen(h);
  if (!open || n < 2 || h[n - 1] != ')') {
    *len = 0;
    return h;
  }
  *len = (size_t)(h + n - 1 - (open + 1));
  return open + 1;
}

static int cmp_rows(const void *a, const void *b)
{
  const hunt_row *x = a, *y = b;
  if (x->log != y->log)
    return x->log - y->log;
  int c = x->log ? strcmp(x->rule, y->rule) : strcmp(x->path, y->path);
  if (c)
    return c;
  if (x->severity != y->severity)
    return (int)y->severity - (int)x->severity;
  return (x->order > y->order) - (x->order < y->order);
}

/* Log rules: the most severe first, then the most frequent. */
static int cmp_logrules(const void *a, const void *b)
{
  const hunt_logrule *x = a, *y = b;
  if (x->worst != y->worst)
    return (int)y->worst - (int)x->worst;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return strcmp(x->rule, y->rule);
}

/* A run of rows about one file (or one log rule). */
typedef struct row_group {
  size_t from, to;
  exhunt_severity worst;
  bool log;
} row_group;

static int cmp_groups(const void *a, const void *b)
{
  const row_group *x = a, *y = b;
  if (x->log != y->log)
    return x->log - y->log;
  if (x->worst != y->worst)
    return (int)y->worst - (int)x->worst;
  size_t nx = x->to - x->from, ny = y->to - y->from;
  if (x->log && nx != ny)
    return nx < ny ? 1 : -1;
  return (x->from > y->from) - (x->from < y->from);
}

/* `path` under `server`, as the story shows it. */
static const char *rel_to(const char *server, const char *path)
{
  size_t n = strlen(server);
  while (n > 1 && server[n - 1] == '/')
    n--;
  return strncmp(path, server, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

/* Flagged files, one block a file with its rules, the most severe first;
 * then log findings, one line a rule with its count. */
static void text_rows(hunt_out *o, exh_dynbuf *b, const char *server)
{
  if (o->n_rows > 1)
    qsort(o->rows, o->n_rows, sizeof *o->rows, cmp_rows);
  row_group *g = o->n_rows ? exh_calloc(o->n_rows, sizeof *g) : NULL;
  if (o->n_rows && !g) {
    o->write_errors++;
    return;
  }
  size_t n_g = 0, n_files = 0, n_logs = o->n_logrules;
  for (size_t i = 0; i < o->n_rows;) {
    const hunt_row *r = &o->rows[i];
    if (r->log) { /* --details only: the log lines come from o->logrules */
      i++;
      continue;
    }
    size_t j = i + 1;
    while (j < o->n_rows && o->rows[j].log == r->log &&
           strcmp(r->log ? o->rows[j].rule : o->rows[j].path, r->log ? r->rule : r->path) == 0)
      j++;
    g[n_g++] = (row_group){i, j, r->severity, r->log}; /* rows are most severe first */
    n_files++;
    i = j;
  }
  if (n_g > 1)
    qsort(g, n_g, sizeof *g, cmp_groups);
  for (size_t gi = 0; gi < n_g; gi++) {
    size_t i = g[gi].from, j = g[gi].to;
    const hunt_row *r = &o->rows[i];
    if (gi == 0 || g[gi - 1].log != r->log) {
      if (r->log)
        exh_dynbuf_addf(b, "\n   exploitation in the logs (%zu rule%s):\n", n_logs,
                        n_logs == 1 ? "" : "s");
      else
        exh_dynbuf_addf(b, "\n   flagged files (%zu):\n", n_files);
    }
    char tag[16];
    snprintf(tag, sizeof tag, "[%s]", exhunt_severity_name(r->severity));
    exh_dynbuf_addf(b, "   %-10s ", tag);
    if (r->log) {
      exh_dynbuf_addf(b, "x%-4zu ", j - i);
      disp(b, r->title);
    } else {
      disp(b, rel_to(server, r->path));
      exh_dynbuf_adds(b, "\n              ");
      /* the rules, most severe first, each once */
      size_t named = 0, distinct = 0;
      for (size_t k = i; k < j; k++) {
        bool dup = false;
        for (size_t m = i; m < k && !dup; m++)
          dup = strcmp(o->rows[m].rule, o->rows[k].rule) == 0;
        if (dup)
          continue;
        distinct++;
        if (named < RULES_SHOWN) {
          exh_dynbuf_adds(b, named ? ", " : "");
          disp(b, o->rows[k].rule);
          named++;
        }
      }
      if (distinct > named)
        exh_dynbuf_addf(b, ", +%zu more", distinct - named);
    }
    id_list run = {.n = 0};
    for (size_t k = i; k < j; k++)
      id_add(&run, o->rows[k].id);
    ids_line(b, &run, j - i);
  }
  exh_free(g);
  if (!n_logs)
    return;
  if (o->n_logrules > 1)
    qsort(o->logrules, o->n_logrules, sizeof *o->logrules, cmp_logrules);
  exh_dynbuf_addf(b, "\n   exploitation in the logs (%zu rule%s):\n", n_logs,
                  n_logs == 1 ? "" : "s");
  for (size_t i = 0; i < o->n_logrules; i++) {
    const hunt_logrule *lr = &o->logrules[i];
    char tag[16];
    snprintf(tag, sizeof tag, "[%s]", exhunt_severity_name(lr->worst));
    exh_dynbuf_addf(b, "   %-10s x%-4llu ", tag, (unsigned long long)lr->count);
    disp(b, lr->title);
    id_list first = {.n = 0};
    for (size_t k = 0; k < lr->n_ids; k++)
      id_add(&first, lr->ids[k]);
    ids_line(b, &first, lr->count);
  }
}

/* Details: file findings, then log findings, each by file in the order
 * they came (severity for files, time for log records). */
static int cmp_detail(const void *a, const void *b)
{
  const hunt_row *x = a, *y = b;
  if (x->log != y->log)
    return x->log - y->log;
  int c = strcmp(x->path, y->path);
  if (c)
    return c;
  return (x->order > y->order) - (x->order < y->order);
}

/* Every finding in full, one block a file (--details). */
static void text_details(hunt_out *o, const char *server)
{
  exh_dynbuf *b = &o->tail;
  if (!o->n_rows)
    return;
  if (o->n_rows > 1)
    qsort(o->rows, o->n_rows, sizeof *o->rows, cmp_detail);
  exh_dynbuf_adds(b, "\n== details: ");
  disp(b, server);
  exh_dynbuf_addc(b, '\n');
  for (size_t i = 0; i < o->n_rows; i++) {
    const hunt_row *r = &o->rows[i];
    const char *d = r->detail ? r->detail : "";
    if (i && o->rows[i - 1].log == r->log && strcmp(o->rows[i - 1].path, r->path) == 0) {
      /* the same file: its header once, so start at the severity tag */
      const char *tag = strstr(d, "\n   [");
      d = tag ? tag + 1 : d;
    }
    exh_dynbuf_adds(b, d);
  }
  if (o->detail_logs_left_out)
    exh_dynbuf_addf(b,
                    "   ... and %llu more log findings, not shown here (the first %u are); JSON "
                    "Lines (-f jsonl) has every one\n",
                    (unsigned long long)o->detail_logs_left_out, HUNT_DETAIL_LOGS);
}

static void free_rows(hunt_out *o)
{
  for (size_t i = 0; i < o->n_rows; i++) {
    exh_free(o->rows[i].path);
    exh_free(o->rows[i].rule);
    exh_free(o->rows[i].title);
    exh_free(o->rows[i].detail);
  }
  o->n_rows = o->n_file_rows = 0;
  for (size_t i = 0; i < o->n_logrules; i++) {
    exh_free(o->logrules[i].rule);
    exh_free(o->logrules[i].title);
  }
  o->n_logrules = 0;
  o->detail_logs_left_out = 0;
}

static void window_lines(exh_dynbuf *b, const exhunt_verdict *v)
{
  for (size_t i = 0; i < v->n_windows; i++) {
    const exhunt_exposure_window *w = &v->windows[i];
    exh_dynbuf_adds(b, "   window  ");
    disp(b, w->family);
    time_span(b, " ", w->start, w->end);
    exh_dynbuf_addf(b, ": %u day%s exposed, %u covered (", w->exposed_days,
                    w->exposed_days == 1 ? "" : "s", w->covered_days);
    for (size_t k = 0; k < w->n_logs; k++) {
      exh_dynbuf_addf(b, "%s", k ? ", " : "");
      disp(b, w->logs[k].family);
      exh_dynbuf_addf(b, " %u", w->logs[k].covered_days);
    }
    exh_dynbuf_adds(b, ")\n");
  }
}

static void on_verdict(void *ctx, const exhunt_verdict *v)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  size_t vi = verdict_index(v->verdict);
  o->verdicts[vi]++;
  o->outcome = cli_exit_worst(o->outcome, verdict_code(v));
  clear_progress(o);
  record(o, exh_jsonl_verdict(&o->line, v));
  if (wants(o, HUNT_TEXT)) {
    const char *on = r->color ? verdict_color(vi) : "", *off = r->color ? "\033[0m" : "";
    size_t dl;
    const char *detail = headline_detail(v, &dl);
    /* the overview: every server's answer before any detail */
    exh_dynbuf *ov = &o->over;
    exh_dynbuf_addf(ov, "   %s%-22s%s  ", on, v->verdict, off);
    disp(ov, v->server);
    exh_dynbuf_adds(ov, "\n                           ");
    if (dl) {
      exh_escape_display(ov, detail, dl);
      exh_dynbuf_adds(ov, "; ");
    }
    exh_dynbuf_adds(ov, "exposure ");
    badge_text(ov, v, r->color);
    exh_dynbuf_addc(ov, '\n');

    exh_dynbuf *b = &o->body;
    exh_dynbuf_adds(b, "\n== ");
    disp(b, v->server);
    exh_dynbuf_addf(b, "\n\n   VERDICT: %s%s%s", on, v->verdict, off);
    if (dl) {
      exh_dynbuf_adds(b, " (");
      exh_escape_display(b, detail, dl);
      exh_dynbuf_addc(b, ')');
    }
    exh_dynbuf_adds(b, "\n   EXPOSURE: ");
    badge_text(b, v, r->color);
    if (v->product || v->build) {
      exh_dynbuf_adds(b, "; ");
      disp(b, v->product ? v->product : "build");
      if (v->build) {
        exh_dynbuf_adds(b, " (");
        disp(b, v->build);
        exh_dynbuf_addc(b, ')');
      }
    }
    if (v->support && strcmp(v->support, "supported") != 0) {
      exh_dynbuf_adds(b, "; ");
      disp(b, v->support);
    }
    if (v->first_activity != EXHUNT_NO_TIME)
      time_span(b, "\n   ACTIVITY: ", v->first_activity, v->last_activity);
    exh_dynbuf_adds(b, "\n\n   why:\n");
    for (size_t i = 0; i < v->n_reasons; i++) {
      exh_dynbuf_adds(b, "   - ");
      disp(b, v->reasons[i].text);
      ids(b, v->reasons[i].evidence);
      exh_dynbuf_addc(b, '\n');
    }
    if (v->n_next_steps) {
      exh_dynbuf_adds(b, "\n   next steps:\n");
      for (size_t i = 0; i < v->n_next_steps; i++) {
        exh_dynbuf_addf(b, "   %zu. [%s] ", i + 1, v->next_steps[i].action);
        disp(b, v->next_steps[i].text);
        ids(b, v->next_steps[i].evidence);
        exh_dynbuf_addc(b, '\n');
      }
    }
    if (o->story.len) {
      exh_dynbuf_adds(b, "\n   story:\n");
      exh_dynbuf_add(b, o->story.data, o->story.len);
    }
    text_rows(o, b, v->server);
    exh_dynbuf_adds(b, "\n   build, exposure and log coverage:\n");
    if (o->n_vuln && !o->details)
      exh_dynbuf_addf(b, "   vulnerable to %zu famil%s [%s%s%s] (--details lists them)\n",
                      o->n_vuln, o->n_vuln == 1 ? "y" : "ies", o->vuln_ids[0],
                      o->n_vuln > 1 ? ".." : "", o->n_vuln > 1 ? o->vuln_ids[1] : "");
    window_lines(b, v);
    if (o->facts.len)
      exh_dynbuf_add(b, o->facts.data, o->facts.len);
    if (o->details)
      text_details(o, v->server);
  }
  free_rows(o);
  exh_dynbuf_reset(&o->story);
  exh_dynbuf_reset(&o->facts);
  o->n_vuln = 0;
}

exhunt_sink hunt_out_sink(hunt_out *o)
{
  exhunt_sink s = {.ctx = o,
                   .on_finding = on_finding,
                   .on_notice = on_notice,
                   .on_progress = o->progress ? on_progress : NULL,
                   .on_coverage = on_coverage,
                   .on_build = on_build,
                   .on_story = on_story,
                   .on_verdict = on_verdict};
  return s;
}

int hunt_out_finish(hunt_out *o, exhunt_scan_stats *stats, const exhunt_rules_info *rules)
{
  cli_report *r = o->report;
  clear_progress(o);
  int rc = o->outcome;
  stats->errors += r->load_errors;
  if (stats->errors)
    rc = cli_exit_worst(rc, EXIT_INSUFFICIENT);
  if (o->html_logs_left_out) {
    /* said on stderr, and in the report itself among its notes */
    char why[200];
    snprintf(why, sizeof why,
             "the HTML report holds the first %u log findings; %llu more are in the JSON Lines "
             "output (-f jsonl) only",
             HUNT_HTML_LOGS, (unsigned long long)o->html_logs_left_out);
    fprintf(stderr, "exhunt hunt: %s\n", why);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "html-findings-capped", NULL, why};
    if (exh_jsonl_notice(&o->line, &n) != EXHUNT_OK ||
        exh_dynbuf_add(&o->all, o->line.data, o->line.len) != EXHUNT_OK)
      o->write_errors++;
    exh_dynbuf_reset(&o->line);
  }
  /* the summary says the exit code the run will have: a report that could
   * not be written makes it 2 (hunt_out_close) */
  if (o->write_errors)
    rc = EXIT_ERROR;
  exh_summary sum = {"hunt", stats, rules, {0}, o->flagged.count, cli_report_elapsed(r), rc};
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    sum.reported[i] = stats->findings[i];
  if (rules)
    snprintf(r->rules_sha256, sizeof r->rules_sha256, "%s", rules->sha256);
  exh_run_record run;
  cli_report_run_record(r, &run);
  const char *nothing =
      stats->files_seen == 0 && stats->records == 0 ? "no file under the evidence paths" : NULL;
  record(o, exh_jsonl_summary_run(&o->line, &sum, &run, nothing));
  if (wants(o, HUNT_TEXT)) {
    if (exh_text_run_header(&o->head, "hunt", &run, "evidence") != EXHUNT_OK)
      o->write_errors++;
    exh_dynbuf_adds(&o->head, "\n== verdicts\n");
    if (!o->over.len)
      exh_dynbuf_adds(&o->over, "   (no server)\n");
    exh_dynbuf *parts[] = {&o->head, &o->over, &o->body, &o->tail};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
      put(o, HUNT_TEXT, parts[i]);
    if (!r->quiet) {
      exh_dynbuf_adds(&o->line, "\nhunt: ");
      bool any = false;
      for (size_t i = 0; i < N_VERDICTS; i++)
        if (o->verdicts[i]) {
          exh_dynbuf_addf(&o->line, "%s%llu %s", any ? ", " : "",
                          (unsigned long long)o->verdicts[i], verdict_names[i]);
          any = true;
        }
      exh_dynbuf_addf(&o->line,
                      "%s; %llu findings, %llu files, %llu log records, %llu errors, %.2f s "
                      "(exit %d)\n",
                      any ? "" : "no server", (unsigned long long)o->n_findings,
                      (unsigned long long)stats->files_seen, (unsigned long long)stats->records,
                      (unsigned long long)stats->errors, sum.elapsed_seconds, rc);
      if (!r->verbose && stats->notes)
        exh_dynbuf_addf(&o->line, "%llu notes (-v shows them)\n", (unsigned long long)stats->notes);
      put(o, HUNT_TEXT, &o->line);
      exh_dynbuf_reset(&o->line);
    }
  }
  if (wants(o, HUNT_HTML)) {
    const char *tmpl;
    size_t tlen;
    exh_dynbuf page;
    exh_dynbuf_init(&page, ALL_RECORDS_MAX + (64u << 20));
    exhunt_err err = exh_html_template(&tmpl, &tlen);
    if (!err)
      err = exh_html_report(&page, tmpl, tlen, o->all.data ? o->all.data : "", o->all.len);
    if (err) {
      fprintf(stderr, "exhunt hunt: HTML report: %s\n", exhunt_strerror(err));
      o->write_errors++;
    } else {
      put(o, HUNT_HTML, &page);
    }
    exh_dynbuf_free(&page);
  }
  return rc;
}

int hunt_out_close(hunt_out *o, int rc)
{
  if (o->write_errors) {
    fprintf(stderr, "exhunt hunt: writing output failed\n");
    rc = EXIT_ERROR;
  }
  /* whole or not at all: the previous reports stay unless this run got to
   * its end and wrote every one */
  if (o->n_outs && cli_outfile_finish_all(o->files, o->n_outs, "hunt", rc != EXIT_ERROR) != 0)
    rc = EXIT_ERROR;
  for (size_t i = 0; i < o->n_outs; i++)
    o->outs[i].f = NULL;
  free_rows(o);
  exh_free(o->rows);
  exh_free(o->logrules);
  exh_strset_free(&o->flagged);
  exh_dynbuf *bufs[] = {&o->all,  &o->line, &o->head,  &o->over,
                        &o->body, &o->tail, &o->story, &o->facts};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
    exh_dynbuf_free(bufs[i]);
  return rc;
}
