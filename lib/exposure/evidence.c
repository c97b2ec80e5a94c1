/*
 * evidence.c - finds the Exchange build in evidence (exhunt exposure PATH):
 *
 *   Exchange logs   the "#Version:" header (15.01.2176.002, the build that
 *                   wrote the file) and the MajorVersion..RevisionVersion
 *                   columns of the first and last record, each with the
 *                   record's time: old logs show the build of their day, so
 *                   the logs together give the build history;
 *   ExSetup.exe     the file version of its version resource (pe/);
 *   config dumps    "AdminDisplayVersion : Version 15.1 (Build 2176.2)" in
 *                   Get-ExchangeServer output, OAB or config exports, also
 *                   in the UTF-16 that Windows PowerShell writes by default;
 *   Setup's log     ExchangeSetupLogs\ExchangeSetup.log: each successful
 *                   Setup run, with the build it installed and when, and
 *                   whether the first one was a fresh install (then nothing
 *                   of Exchange ran on the server before it).
 *
 * Only the head (and, for plain files, the tail) of a log is read: the
 * build is in the header and rows, and reading gigabytes of logs to learn
 * one number would be wasteful. Each path given is one server; its builds
 * are reported with first and last sighting, then the newest is assessed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/errmap.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "core/time.h"
#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "logs/detect.h"
#include "logs/lines.h"
#include "logs/source.h"
#include "logs/table.h"
#include "pe/pe_version.h"
#include "platform/fs.h"
#include "platform/strext.h"
#include "walk/walk.h"

#define HEAD_BYTES EXH_EXPOSURE_LOG_HEAD
#define TAIL_BYTES EXH_EXPOSURE_LOG_TAIL
#define MAX_DUMP_BYTES EXH_EXPOSURE_MAX_DUMP
#define MAX_PE_BYTES EXH_EXPOSURE_MAX_PE
#define MAX_BUILDS_PER_SERVER EXH_EXPOSURE_MAX_BUILDS

typedef struct sighting {
  exhunt_build build;
  const char *source; /* static */
  char *path;         /* of the newest sighting, owned */
  char detail[96];
  int64_t first, last;
  uint64_t count;
  int64_t installed;     /* a fresh install (ExchangeSetup.log), or EXHUNT_NO_TIME */
  int64_t running_first; /* the first sighting that shows it running (not ExSetup.exe) */
} sighting;

struct exh_exposure_server {
  const exhunt_sink *user;
  exhunt_scan_stats *stats;
  sighting items[MAX_BUILDS_PER_SERVER];
  size_t n;
  bool capped;
  bool noatime_refused;
  exhunt_err fatal;
  uint8_t *buf; /* read buffer, reused */
  size_t buf_cap;
  /* The root the walk lists under: files are opened through it with the
   * identity the walk saw. NULL: a file fed by path alone gets a root of
   * its own (exh_exposure_server_file). */
  exh_evidence_root *root;
  exh_evidence_dircache dirs;
};
typedef struct exh_exposure_server server;

static void notice(server *s, exhunt_notice_kind kind, exhunt_err code, const char *what,
                   const char *path, const char *reason)
{
  exhunt_notice n = {kind, code, what, path, reason};
  if (kind == EXHUNT_NOTICE_ERROR)
    s->stats->errors++;
  else
    s->stats->notes++;
  s->user->on_notice(s->user->ctx, &n);
}

static sighting *add(server *s, const exhunt_build *b, const char *source, const char *path,
                     int64_t when, const char *detail)
{
  /* Some Exchange logs (ECP Server, for one) carry a log-format version
   * such as "15.0.0.0" in #Version, not the build; no real build has a
   * build number below 100 (2010 SP3 is 14.3.123, 2013 RTM 15.0.516). */
  if (b->major < 8 || b->build < 100)
    return NULL;
  sighting *it = NULL;
  for (size_t i = 0; i < s->n; i++)
    if (exhunt_build_compare(&s->items[i].build, b) == 0 &&
        s->items[i].build.has_revision == b->has_revision)
      it = &s->items[i];
  if (!it) {
    if (s->n == MAX_BUILDS_PER_SERVER) {
      s->capped = true;
      return NULL;
    }
    it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    it->build = *b;
    it->first = it->last = it->installed = it->running_first = EXHUNT_NO_TIME;
    char *copy = exh_strdup(path);
    if (!copy) {
      s->fatal = EXHUNT_ENOMEM;
      return NULL;
    }
    it->path = copy;
    it->source = source;
    snprintf(it->detail, sizeof it->detail, "%s", detail ? detail : "");
    s->n++;
  }
  it->count++;
  /* ExSetup.exe's time is the package's, near the build's release: it
   * shows the build present, not since when it ran */
  if (when != EXHUNT_NO_TIME && strcmp(source, "exsetup-version") != 0)
    exh_time_take_earliest(&it->running_first, when);
  exh_time_take_earliest(&it->first, when);
  if (when != EXHUNT_NO_TIME) {
    if (it->last == EXHUNT_NO_TIME || when >= it->last) {
      /* The newest sighting names the file to look at. */
      if (strcmp(it->path, path) != 0) {
        char *copy = exh_strdup(path);
        if (!copy) {
          s->fatal = EXHUNT_ENOMEM;
          return NULL;
        }
        exh_free(it->path);
        it->path = copy;
      }
      it->last = when;
      it->source = source;
      snprintf(it->detail, sizeof it->detail, "%s", detail ? detail : "");
    }
  }
  return it;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static const char *base_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static bool grow_buf(server *s, size_t want)
{
  if (s->buf_cap >= want)
    return true;
  uint8_t *bigger = exh_realloc(s->buf, want);
  if (!bigger) {
    s->fatal = EXHUNT_ENOMEM;
    return false;
  }
  s->buf = bigger;
  s->buf_cap = want;
  return true;
}

/* A file to examine: an open descriptor (the walk) or a byte span (tests,
 * fuzzers, archives later). Parsers below see only this. */
typedef struct input {
  int fd; /* -1 for a span */
  const uint8_t *data;
  uint64_t size;
  int64_t mtime;
} input;

static void input_source(const input *in, exh_source *src, exh_fd_source *fds,
                         exh_span_source *span)
{
  if (in->fd >= 0)
    exh_source_fd(src, fds, in->fd);
  else
    exh_source_span(src, span, in->data, (size_t)in->size);
}

/* Up to n bytes at offset off; the count read, or -1. */
static exh_ssize input_read_at(const input *in, uint8_t *buf, size_t n, uint64_t off)
{
  if (in->fd >= 0)
    return exh_pread(in->fd, buf, n, off);
  if (off >= in->size)
    return 0;
  size_t k = in->size - off < n ? (size_t)(in->size - off) : n;
  memcpy(buf, in->data + off, k);
  return (exh_ssize)k;
}

/* Reads up to `cap` bytes from src into s->buf. */
static exhunt_err read_some(server *s, exh_source src, size_t cap, size_t *got)
{
  *got = 0;
  if (!grow_buf(s, cap))
    return EXHUNT_ENOMEM;
  while (*got < cap) {
    size_t n = 0;
    exhunt_err err = src.read(src.ctx, s->buf + *got, cap - *got, &n);
    if (err)
      return err;
    if (n == 0)
      break;
    *got += n;
  }
  s->stats->bytes_read += *got;
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* Exchange logs.                                                          */

typedef struct log_cols {
  int major, minor, build, revision, datetime;
} log_cols;

static void bind_cols(const exh_table *t, log_cols *c)
{
  c->major = exh_table_col(t, "MajorVersion");
  c->minor = exh_table_col(t, "MinorVersion");
  c->build = exh_table_col(t, "BuildVersion");
  c->revision = exh_table_col(t, "RevisionVersion");
  c->datetime = exh_table_col(t, "DateTime");
  if (c->datetime < 0)
    c->datetime = exh_table_col(t, "date-time");
}

/* The build in the current record's version columns. */
static bool row_build(const exh_table *t, const log_cols *c, exhunt_build *b, int64_t *when)
{
  if (c->major < 0 || c->minor < 0 || c->build < 0 || c->revision < 0)
    return false;
  int v[4] = {exh_view_uint(exh_table_get(t, c->major)), exh_view_uint(exh_table_get(t, c->minor)),
              exh_view_uint(exh_table_get(t, c->build)),
              exh_view_uint(exh_table_get(t, c->revision))};
  for (int i = 0; i < 4; i++)
    if (v[i] < 0 || v[i] > 65535)
      return false;
  if (v[0] < 8) /* not an Exchange build (empty or zeroed columns) */
    return false;
  b->major = (uint16_t)v[0];
  b->minor = (uint16_t)v[1];
  b->build = (uint16_t)v[2];
  b->revision = (uint16_t)v[3];
  b->has_revision = true;
  *when = c->datetime >= 0 ? exh_parse_iso8601(exh_table_get(t, c->datetime)) : EXHUNT_NO_TIME;
  return true;
}

typedef struct log_scan {
  exh_table table;
  log_cols cols;
  bool cols_bound;
  bool exchange;       /* "#Software: Microsoft Exchange" or version columns */
  int64_t header_date; /* "#Date:" */
  bool have_first;
  exhunt_build first_build, last_build;
  int64_t first_time, last_time;
  bool have_last;
} log_scan;

static void scan_lines(log_scan *ls, const char *p, size_t len, bool skip_partial_first)
{
  const char *end = p + len;
  if (skip_partial_first) {
    const char *nl = memchr(p, '\n', len);
    if (!nl)
      return;
    p = nl + 1;
  }
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl && skip_partial_first)
      break; /* a tail's last line may be cut by a writer; only whole lines */
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - p);
    const char *line = p;
    p = nl ? nl + 1 : end;
    if (n && line[n - 1] == '\r')
      n--;
    if (n > EXH_MAX_LINE)
      continue;
    if (n >= 6 && strncasecmp(line, "#Date:", 6) == 0) {
      const char *v = line + 6;
      while (v < line + n && *v == ' ')
        v++;
      exh_view dv = {v, (size_t)(line + n - v)};
      ls->header_date = exh_parse_iso8601(dv);
    }
    exh_line_kind kind = exh_table_line(&ls->table, line, n);
    if (kind == EXH_LINE_META || (!ls->cols_bound && ls->table.have_header)) {
      bind_cols(&ls->table, &ls->cols);
      ls->cols_bound = ls->table.have_header;
      if (ls->cols.major >= 0 && ls->cols.revision >= 0)
        ls->exchange = true;
      continue;
    }
    if (kind != EXH_LINE_RECORD)
      continue;
    exhunt_build b;
    int64_t when;
    if (!row_build(&ls->table, &ls->cols, &b, &when))
      continue;
    if (!ls->have_first) {
      ls->have_first = true;
      ls->first_build = b;
      ls->first_time = when;
    }
    ls->have_last = true;
    ls->last_build = b;
    ls->last_time = when;
  }
}

/* Returns true when the file is a structured log (a # header or an
 * Exchange CSV header), whether or not it showed a build. */
static bool examine_log(server *s, const char *path, const input *in)
{
  bool structured = false;
  exh_fd_source fds;
  exh_span_source span;
  exh_source src;
  input_source(in, &src, &fds, &span);
  exh_gz_source gz;
  bool gzip = false;
  uint8_t magic[4];
  exh_ssize m = input_read_at(in, magic, sizeof magic, 0);
  if (m > 0 && exh_is_gzip(magic, (size_t)m)) {
    exh_source inner = src;
    if (exh_source_gzip(&src, &gz, inner, 0, 0) != EXHUNT_OK) {
      s->fatal = EXHUNT_ENOMEM;
      return true;
    }
    gzip = true;
  }
  log_scan ls;
  memset(&ls, 0, sizeof ls);
  ls.header_date = EXHUNT_NO_TIME;
  exh_table_init(&ls.table, EXH_FMT_CSV);
  size_t got = 0;
  exhunt_err err = read_some(s, src, HEAD_BYTES, &got);
  if (err && err != EXHUNT_ETRUNCATED) {
    if (err != EXHUNT_ENOMEM)
      notice(s, EXHUNT_NOTICE_ERROR, err, "read-failed", path, exhunt_strerror(err));
    goto out;
  }
  /* A quick look first: only Exchange logs are parsed. */
  bool exchange_sw = exh_memmem(s->buf, got, "#Software: Microsoft Exchange", 29) != NULL;
  bool version_cols = exh_memmem(s->buf, got, "MajorVersion", 12) != NULL;
  structured = gzip || exchange_sw || version_cols || exh_memmem(s->buf, got, "#Fields:", 8) ||
               exh_memmem(s->buf, got, "#Software:", 10);
  if (!exchange_sw && !version_cols)
    goto out;
  s->stats->files_scanned++;
  scan_lines(&ls, (const char *)s->buf, got, false);
  char detail[96];
  if (exchange_sw && ls.table.version[0]) {
    exhunt_build hb;
    if (exhunt_build_parse(ls.table.version, strlen(ls.table.version), &hb) == EXHUNT_OK) {
      int64_t when = ls.header_date != EXHUNT_NO_TIME ? ls.header_date
                     : ls.have_first                  ? ls.first_time
                                                      : in->mtime;
      snprintf(detail, sizeof detail, "#Version: %s", ls.table.version);
      add(s, &hb, "log-header", path, when, detail);
    }
  }
  if (ls.have_first) {
    snprintf(detail, sizeof detail, "first record's version columns");
    add(s, &ls.first_build, "log-columns", path, ls.first_time, detail);
  }
  /* The tail of a plain file shows the build when the file was last
   * written (a file can span an update). */
  if (!gzip && in->size > got) {
    uint64_t from = in->size > TAIL_BYTES ? in->size - TAIL_BYTES : got;
    if (from < got)
      from = got;
    exh_ssize n = input_read_at(in, s->buf, TAIL_BYTES, from);
    if (n > 0) {
      s->stats->bytes_read += (uint64_t)n;
      ls.have_last = false;
      scan_lines(&ls, (const char *)s->buf, (size_t)n, true);
    }
  }
  if (ls.have_last && (exhunt_build_compare(&ls.last_build, &ls.first_build) != 0 ||
                       ls.last_time != ls.first_time)) {
    snprintf(detail, sizeof detail, "last record's version columns");
    add(s, &ls.last_build, "log-columns", path, ls.last_time, detail);
  }
out:
  exh_table_free(&ls.table);
  if (gzip)
    exh_gz_end(&gz);
  return structured;
}

/* ---------------------------------------------------------------------- */
/* ExSetup.exe and text dumps.                                             */

static bool read_whole(server *s, const char *path, const input *in, size_t cap, size_t *got)
{
  if (in->size > cap) {
    char reason[160];
    snprintf(reason, sizeof reason, "larger than %zu MiB; not read for its build", cap >> 20);
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "too-large", path, reason);
    return false;
  }
  exh_fd_source fds;
  exh_span_source span;
  exh_source src;
  input_source(in, &src, &fds, &span);
  /* One byte more than the size: a file that grew is read to the cap. */
  exhunt_err err = read_some(s, src, (size_t)in->size + 1, got);
  if (err) {
    if (err != EXHUNT_ENOMEM)
      notice(s, EXHUNT_NOTICE_ERROR, err, "read-failed", path, exhunt_strerror(err));
    return false;
  }
  return true;
}

static void examine_exsetup(server *s, const char *path, const input *in)
{
  size_t got;
  if (!read_whole(s, path, in, MAX_PE_BYTES, &got))
    return;
  s->stats->files_scanned++;
  exh_pe_version v;
  exhunt_err err = exh_pe_version_parse(s->buf, got, &v);
  if (err) {
    notice(s, EXHUNT_NOTICE_NOTE, err, "no-version-resource", path,
           "ExSetup.exe has no readable version resource");
    return;
  }
  exhunt_build b;
  char detail[96];
  if (v.have_fixed) {
    b.major = v.file[0];
    b.minor = v.file[1];
    b.build = v.file[2];
    b.revision = v.file[3];
    b.has_revision = true;
    snprintf(detail, sizeof detail, "file version %u.%u.%u.%u", v.file[0], v.file[1], v.file[2],
             v.file[3]);
  } else if (exhunt_build_parse(v.file_version, strlen(v.file_version), &b) == EXHUNT_OK) {
    snprintf(detail, sizeof detail, "FileVersion %s", v.file_version);
  } else {
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_ECORRUPT, "no-version-resource", path,
           "ExSetup.exe's version resource holds no build number");
    return;
  }
  add(s, &b, "exsetup-version", path, in->mtime, detail);
}

static bool dump_candidate(const char *name)
{
  static const char *const exts[] = {".txt", ".xml",  ".csv", ".json", ".clixml",
                                     ".htm", ".html", ".out", ".log"};
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
    if (ends_with_ci(name, exts[i]))
      return true;
  return false;
}

/* Windows PowerShell's Out-File writes UTF-16LE: fold it to bytes in place
 * (non-ASCII becomes '?'), so one search serves both. */
static size_t fold_utf16(uint8_t *p, size_t n)
{
  size_t start = (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) ? 2 : 0, o = 0;
  for (size_t i = start; i + 1 < n; i += 2)
    p[o++] = p[i + 1] == 0 ? p[i] : '?';
  return o;
}

static bool looks_utf16le(const uint8_t *p, size_t n)
{
  if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
    return true;
  size_t zeros = 0, probe = n < 512 ? n : 512;
  for (size_t i = 1; i < probe; i += 2)
    zeros += p[i] == 0;
  return probe >= 16 && zeros * 4 >= probe * 2 * 3 / 2 / 2; /* most odd bytes NUL */
}

static void examine_dump(server *s, const char *path, const input *in)
{
  size_t got;
  if (!read_whole(s, path, in, MAX_DUMP_BYTES, &got))
    return;
  if (looks_utf16le(s->buf, got))
    got = fold_utf16(s->buf, got);
  static const char key[] = "AdminDisplayVersion";
  const uint8_t *p = s->buf, *end = s->buf + got;
  bool counted = false;
  while (p < end) {
    const uint8_t *hit = exh_memmem(p, (size_t)(end - p), key, sizeof key - 1);
    if (!hit)
      break;
    const char *v = (const char *)hit + sizeof key - 1;
    const char *vend = (const char *)end;
    /* "AdminDisplayVersion : Version 15.1 (Build 2176.2)", or in XML/JSON
     * forms with quotes, '=', '>' between the name and the value. */
    while (v < vend && (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' || *v == '"' ||
                        *v == '>' || *v == '\''))
      v++;
    const char *stop = v;
    while (stop < vend && stop - v < 48 && *stop != ')' && *stop != '\n' && *stop != '<' &&
           *stop != '"')
      stop++;
    size_t n = (size_t)(stop - v) + (stop < vend && *stop == ')');
    exhunt_build b;
    if (exhunt_build_parse(v, n, &b) == EXHUNT_OK) {
      char detail[96];
      snprintf(detail, sizeof detail, "AdminDisplayVersion: %.*s", (int)(n > 60 ? 60 : n), v);
      if (!counted) {
        s->stats->files_scanned++;
        counted = true;
      }
      add(s, &b, "admin-display-version", path, in->mtime, detail);
    }
    p = hit + sizeof key - 1;
  }
}

/* ---------------------------------------------------------------------- */
/* ExchangeSetup.log.                                                      */

/* One Setup run, as far as it has been read. */
typedef struct setup_run {
  bool active;
  int64_t start;       /* UTC */
  int offset_min;      /* "Local time zone: (UTC+01:00)": the log's times are local */
  int64_t start_local; /* as written, before the offset is known */
  exhunt_build version, previous;
  bool have_version, have_previous, upgrade, uninstall, succeeded;
  bool install_mode; /* the run says it installs: mode Install */
} setup_run;

typedef struct setup_scan {
  bool any_success; /* an earlier run succeeded: a later one is no first install */
} setup_scan;

/* "[08/15/2025 10:12:01.0123] [0] rest": the time (as written, taken as
 * UTC) and the text after "] [0] "; only the main thread's lines ([0])
 * say what the run is. Month first, as Setup writes it; a first field
 * over 12 is taken as the day (other locales). */
static bool setup_line(const char *line, size_t len, int64_t *when, const char **rest,
                       size_t *rest_len)
{
  int f[6] = {0}, k = 0;
  size_t i = 1;
  if (len < 30 || line[0] != '[')
    return false;
  while (i < len && k < 6) {
    if (line[i] < '0' || line[i] > '9')
      return false;
    int v = 0, digits = 0;
    while (i < len && line[i] >= '0' && line[i] <= '9' && digits < 5) {
      v = v * 10 + (line[i++] - '0');
      digits++;
    }
    f[k++] = v;
    if (i < len && k < 6)
      i++; /* separator: '/', '.', '-', ' ' or ':' */
  }
  if (k < 6)
    return false;
  int month = f[0], day = f[1];
  if (month > 12 && day <= 12) {
    month = f[1];
    day = f[0];
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || f[2] < 2000 || f[2] > 2099 || f[3] > 23 ||
      f[4] > 59 || f[5] > 60)
    return false;
  /* the thread tag follows the time: "] [0] " right after it, not
   * anywhere in the text (a logged value could hold one) */
  const char *close = memchr(line, ']', len);
  const char *mark = close;
  if (!close || (size_t)(line + len - close) < 6 || memcmp(close, "] [0] ", 6) != 0)
    return false;
  char iso[64];
  snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", f[2], month, day, f[3], f[4], f[5]);
  exh_view v = {iso, strlen(iso)};
  *when = exh_parse_iso8601(v);
  if (*when == EXHUNT_NO_TIME)
    return false;
  *rest = mark + 6;
  *rest_len = len - (size_t)(*rest - line);
  return true;
}

static bool starts(const char *p, size_t n, const char *lit)
{
  size_t k = strlen(lit);
  return n >= k && memcmp(p, lit, k) == 0;
}

/* A build after `lit` in the text: "Setup version: 15.2.1118.7." */
static bool build_after(const char *p, size_t n, const char *lit, exhunt_build *out)
{
  const char *at = exh_memmem(p, n, lit, strlen(lit));
  if (!at)
    return false;
  at += strlen(lit);
  const char *end = p + n;
  while (at < end && (*at == ' ' || *at == '\'' || *at == '"'))
    at++;
  size_t k = 0;
  while (at + k < end && k < 24 && ((at[k] >= '0' && at[k] <= '9') || at[k] == '.'))
    k++;
  while (k && at[k - 1] == '.') /* the sentence's full stop */
    k--;
  return k && exhunt_build_parse(at, k, out) == EXHUNT_OK;
}

/* A run ends (the next one starts, or the log does): what it showed. */
static void setup_run_end(server *s, setup_scan *sc, setup_run *r, const char *path)
{
  if (!r->active)
    return;
  char detail[96];
  if (r->have_previous) {
    snprintf(detail, sizeof detail, "ExchangeSetup.log: the installed build when Setup ran");
    add(s, &r->previous, "setup-log", path, r->start, detail);
  }
  if (r->succeeded && r->have_version && !r->uninstall) {
    /* a fresh install only on proof: Install mode, no Exchange before it
     * (RecoverServer rebuilds a server that ran before; an upgrade names
     * the build it replaces) */
    bool fresh = r->install_mode && !r->upgrade && !r->have_previous && !sc->any_success;
    snprintf(detail, sizeof detail, "ExchangeSetup.log: Setup %s this build",
             fresh ? "installed" : "upgraded to");
    sighting *it = add(s, &r->version, "setup-log", path, r->start, detail);
    if (it && fresh && (it->installed == EXHUNT_NO_TIME || r->start < it->installed))
      it->installed = r->start;
  }
  if (r->succeeded)
    sc->any_success = true;
  memset(r, 0, sizeof *r);
}

/* "(UTC+01:00)", "(UTC-05:00)", "(UTC)": minutes east of UTC. */
static int utc_offset(const char *p, size_t n)
{
  const char *at = exh_memmem(p, n, "(UTC", 4);
  if (!at || (size_t)(p + n - at) < 5 || at[4] == ')')
    return 0;
  int sign = at[4] == '-' ? -1 : 1, hh = 0, mm = 0;
  if ((size_t)(p + n - at) >= 10 && (at[4] == '+' || at[4] == '-') && at[7] == ':') {
    hh = (at[5] - '0') * 10 + (at[6] - '0');
    mm = (at[8] - '0') * 10 + (at[9] - '0');
  }
  if (hh < 0 || hh > 14 || mm < 0 || mm > 59)
    return 0;
  return sign * (hh * 60 + mm);
}

static void setup_text(setup_run *r, const char *p, size_t n)
{
  if (starts(p, n, "Local time zone:")) {
    r->offset_min = utc_offset(p, n);
    r->start = r->start_local - (int64_t)r->offset_min * 60;
  } else if (starts(p, n, "Setup version:")) {
    r->have_version = build_after(p, n, "Setup version:", &r->version);
  } else if (starts(p, n, "The locally installed version is")) {
    r->upgrade = true;
    r->have_previous = build_after(p, n, "The locally installed version is", &r->previous);
  } else if (starts(p, n, "The backup copy of the previously installed version is")) {
    r->upgrade = true;
  } else if (starts(p, n, "Command Line Parameter Name='mode'") ||
             starts(p, n, "The installation mode is set to:")) {
    r->uninstall = r->uninstall || exh_memmem(p, n, "'Uninstall'", 11) != NULL;
    r->upgrade = r->upgrade || exh_memmem(p, n, "'Upgrade'", 9) != NULL;
    r->install_mode = r->install_mode || exh_memmem(p, n, "'Install'", 9) != NULL;
  } else if (exh_memmem(p, n, "setup operation completed successfully", 38)) {
    r->succeeded = true;
  }
}

/* A source that ends after `left` bytes; `hit` is set if there was more
 * (the bytes skipped past a cut line count too, unlike the lines'). */
typedef struct capped_source {
  exh_source inner;
  uint64_t left;
  bool hit;
} capped_source;

static exhunt_err capped_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  capped_source *c = ctx;
  *got = 0;
  if (c->left == 0) {
    uint8_t probe;
    exhunt_err err = c->inner.read(c->inner.ctx, &probe, 1, got);
    c->hit = *got > 0;
    *got = 0;
    return err;
  }
  exhunt_err err = c->inner.read(c->inner.ctx, buf, cap < c->left ? cap : (size_t)c->left, got);
  c->left -= *got;
  return err;
}

/* Reads the log line by line (bounded: EXH_EXPOSURE_MAX_SETUP bytes,
 * lines of 64 KiB), one run at a time. */
static void examine_setup(server *s, const char *path, const input *in)
{
  exh_source raw;
  exh_fd_source fds;
  exh_span_source span;
  input_source(in, &raw, &fds, &span);
  capped_source capped = {raw, EXH_EXPOSURE_MAX_SETUP, false};
  exh_source src = {&capped, capped_read};
  exh_lines lines;
  if (exh_lines_init_max(&lines, src, 64u * 1024u) != EXHUNT_OK) {
    s->fatal = EXHUNT_ENOMEM;
    return;
  }
  setup_scan sc = {false};
  setup_run run;
  memset(&run, 0, sizeof run);
  const char *line;
  size_t len;
  bool truncated;
  uint64_t cut = 0; /* lines over 64 KiB: Setup writes none */
  bool counted = false;
  while (!s->fatal && exh_lines_next(&lines, &line, &len, &truncated)) {
    cut += truncated;
    int64_t when;
    const char *rest;
    size_t rest_len;
    if (!setup_line(line, len, &when, &rest, &rest_len))
      continue;
    if (starts(rest, rest_len, "Starting Microsoft Exchange")) {
      setup_run_end(s, &sc, &run, path);
      run.active = true;
      run.start = run.start_local = when;
      if (!counted) {
        s->stats->files_scanned++;
        counted = true;
      }
      continue;
    }
    if (run.active)
      setup_text(&run, rest, rest_len);
  }
  uint64_t bytes = EXH_EXPOSURE_MAX_SETUP - capped.left;
  s->stats->bytes_read += bytes;
  setup_run_end(s, &sc, &run, path);
  if (cut && !s->fatal) {
    char reason[160];
    snprintf(reason, sizeof reason,
             "%llu line(s) longer than 64 KiB were cut there (Setup writes none: damage or "
             "padding); the rest of each was not read",
             (unsigned long long)cut);
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "line-too-long", path, reason);
  }
  if (lines.src_err && !s->fatal) {
    char reason[160];
    snprintf(reason, sizeof reason, "reading Setup's log stopped: %s",
             exhunt_strerror(lines.src_err));
    notice(s, EXHUNT_NOTICE_ERROR, lines.src_err, "read-failed", path, reason);
  }
  if (capped.hit && !s->fatal) {
    char reason[160];
    snprintf(reason, sizeof reason,
             "Setup's log was read for its first %llu MiB only; later Setup runs are not "
             "in the build history",
             (unsigned long long)(EXH_EXPOSURE_MAX_SETUP >> 20));
    /* an error: later Setup runs, and the builds they installed, unread */
    notice(s, EXHUNT_NOTICE_ERROR, EXHUNT_ELIMIT, "too-large", path, reason);
  }
  exh_lines_free(&lines);
}

/* Which examiners a file name calls for. */
typedef struct kinds {
  bool exsetup, log, dump, setup;
} kinds;

static kinds kinds_of(const char *path)
{
  const char *name = base_name(path);
  kinds k;
  k.exsetup = strcasecmp(name, "ExSetup.exe") == 0;
  k.setup = strcasecmp(name, "ExchangeSetup.log") == 0;
  k.log = ends_with_ci(name, ".log") || ends_with_ci(name, ".log.gz");
  /* A .log that is not a structured log may be a transcript of
   * Get-ExchangeServer: examine() searches those as dumps too. */
  k.dump = dump_candidate(name) && !k.setup;
  if (k.setup)
    k.log = false;
  return k;
}

static void examine(server *s, const char *path, const input *in, kinds k)
{
  if (k.exsetup)
    examine_exsetup(s, path, in);
  if (k.setup)
    examine_setup(s, path, in);
  bool structured = false;
  if (k.log && !s->fatal)
    structured = examine_log(s, path, in);
  if (k.dump && !structured && !s->fatal)
    examine_dump(s, path, in);
}

static void walk_file(void *ctx, const char *path, const exh_stat *st)
{
  server *s = ctx;
  s->stats->files_seen++;
  if (s->fatal)
    return;
  kinds k = kinds_of(path);
  if (!k.exsetup && !k.log && !k.dump && !k.setup)
    return;
  /* Through the walk's root, and only if it is still the file the walk
   * saw; a file fed by path alone is given a root of its own now. */
  exh_evidence_root *own = NULL;
  exh_evidence_root *root = s->root;
  exh_evidence_open o;
  memset(&o, 0, sizeof o);
  int fd = -1;
  if (!root) {
    const char *step = NULL;
    int e = exh_evidence_root_open(path, &own, &step);
    if (e == ENOMEM) {
      s->fatal = EXHUNT_ENOMEM;
      return;
    }
    o.status = e == ENOENT ? EXH_OPEN_VANISHED : EXH_OPEN_UNREADABLE;
    o.err = e;
    root = own;
  }
  const char *rel = root ? exh_evidence_rel(root, path) : NULL;
  if (root)
    fd = exh_open_evidence_at(root, rel, own ? own->st.dev : st->dev, own ? own->st.ino : st->ino,
                              &s->dirs, &o);
  exh_evidence_root_unref(own);
  if (fd < 0) {
    exhunt_err code;
    const char *what;
    exhunt_skip_reason why;
    char reason[256];
    exh_evidence_open_describe(&o, &code, &what, &why, reason, sizeof reason);
    notice(s, EXHUNT_NOTICE_ERROR, code, what, path, reason);
    s->stats->skipped[why]++;
    return;
  }
  s->noatime_refused = s->noatime_refused || o.noatime_refused;
  input in = {fd, NULL, (uint64_t)o.st.size, o.st.mtime.sec};
  examine(s, path, &in, k);
  exh_close(fd);
}

static void walk_skip(void *ctx, exhunt_skip_reason why, const exhunt_notice *n)
{
  server *s = ctx;
  s->stats->skipped[why]++;
  if (n)
    notice(s, n->kind, n->code, n->what, n->path, n->reason);
}

static void walk_dir(void *ctx, bool noatime_refused)
{
  server *s = ctx;
  s->stats->dirs_seen++;
  s->noatime_refused = s->noatime_refused || noatime_refused;
}

static int cmp_first(const void *a, const void *b)
{
  const sighting *x = a, *y = b;
  int64_t fx = x->first == EXHUNT_NO_TIME ? INT64_MAX : x->first;
  int64_t fy = y->first == EXHUNT_NO_TIME ? INT64_MAX : y->first;
  if (fx != fy)
    return fx < fy ? -1 : 1;
  return exhunt_build_compare(&x->build, &y->build);
}

/* The build the server runs now: the one seen last; on a tie the higher
 * (an update moves builds up). */
static size_t current_of(const server *s)
{
  size_t best = 0;
  for (size_t i = 1; i < s->n; i++) {
    const sighting *a = &s->items[i], *b = &s->items[best];
    int64_t la = a->last == EXHUNT_NO_TIME ? INT64_MIN : a->last;
    int64_t lb = b->last == EXHUNT_NO_TIME ? INT64_MIN : b->last;
    if (la > lb || (la == lb && exhunt_build_compare(&a->build, &b->build) > 0))
      best = i;
  }
  return best;
}

static void server_free(server *s)
{
  for (size_t i = 0; i < s->n; i++)
    exh_free(s->items[i].path);
  exh_free(s->buf);
  exh_evidence_root_unref(s->root);
  exh_evidence_dircache_free(&s->dirs);
  exh_free(s);
}

/* No build runs before its release: an earlier time (ExSetup.exe stamped
 * 1980, a clock set wrong, a forged header) is moved up to the release
 * date of the build, or of its CU when the build is not listed. */
static void clamp_to_release(const exh_builddb *db, sighting *it)
{
  const exh_db_build *e = exh_builddb_find(db, &it->build);
  if (!e)
    e = exh_builddb_cu_of(db, &it->build);
  if (!e || e->released == EXHUNT_NO_TIME)
    return;
  int64_t *times[] = {&it->first, &it->last, &it->running_first, &it->installed};
  for (size_t i = 0; i < sizeof times / sizeof *times; i++)
    if (*times[i] != EXHUNT_NO_TIME && *times[i] < e->released)
      *times[i] = e->released;
}

/* The builds of one server, oldest first, then the verdicts for the
 * current one; or the error that it has none. */
static exhunt_err report(server *s, const exh_builddb *db, const char *root, int64_t now)
{
  const exhunt_sink *sink = s->user;
  if (s->n == 0) {
    notice(s, EXHUNT_NOTICE_ERROR, EXHUNT_ENOENT, "no-build", root,
           "no Exchange build found: no Exchange log with #Version or version columns, no "
           "ExSetup.exe, no AdminDisplayVersion");
    return EXHUNT_OK;
  }
  for (size_t i = 0; i < s->n; i++)
    clamp_to_release(db, &s->items[i]);
  qsort(s->items, s->n, sizeof *s->items, cmp_first);
  size_t cur = current_of(s);
  for (size_t i = 0; i < s->n && sink->on_build; i++) {
    sighting *it = &s->items[i];
    char bs[EXHUNT_BUILD_STRLEN];
    exhunt_build_format(&it->build, bs);
    exhunt_build_seen seen = {
        root,     "found",   bs,       it->source,    it->path,         NULL, it->detail, it->first,
        it->last, it->count, i == cur, it->installed, it->running_first};
    sink->on_build(sink->ctx, &seen);
  }
  const sighting *c = &s->items[cur];
  exhunt_exposure_ctx ectx = {c->source, c->path, NULL, c->last, now};
  return exh_exposure_assess_db(db, &c->build, &ectx, sink);
}

static exhunt_err one_server(const exh_builddb *db, const char *root,
                             const exhunt_exposure_opts *opts, const exhunt_sink *sink,
                             exhunt_scan_stats *stats)
{
  server *s = exh_calloc(1, sizeof *s);
  if (!s)
    return EXHUNT_ENOMEM;
  s->user = sink;
  s->stats = stats;
  exh_walk_opts wopts = exh_walk_opts_of(&opts->scope, EXHUNT_NO_TIME);
  exh_walk_cb cb = {s, walk_file, walk_skip, walk_dir};
  /* The root is opened once: the walk lists through it, walk_file opens
   * through it. */
  const char *step = NULL;
  exhunt_err err = EXHUNT_OK;
  int e = exh_evidence_root_open(root, &s->root, &step);
  if (e == ENOMEM)
    err = EXHUNT_ENOMEM;
  else if (e)
    walk_skip(s, EXHUNT_SKIP_UNREADABLE,
              &(exhunt_notice){EXHUNT_NOTICE_ERROR, exh_errno_code(e), step, root, strerror(e)});
  else
    err = exh_walk_root(s->root, &wopts, &cb);
  if (!err)
    err = s->fatal;
  if (err)
    goto out;
  if (s->capped)
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "too-many-builds", root,
           "more distinct builds than exhunt keeps per server; the rest were not listed");
  if (s->noatime_refused)
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_OK, "atime-may-change", root,
           "O_NOATIME was refused for some files or directories (not their owner): their "
           "access time may have changed");
  err = report(s, db, root, opts->now);
out:
  server_free(s);
  return err;
}

/* ---------------------------------------------------------------------- */
/* One server fed file by file (exhunt hunt's single walk).                */

exhunt_err exh_exposure_server_new(const exhunt_sink *sink, exhunt_scan_stats *stats,
                                   exh_exposure_server **out)
{
  server *s = exh_calloc(1, sizeof *s);
  if (!s)
    return EXHUNT_ENOMEM;
  s->user = sink;
  s->stats = stats;
  *out = s;
  return EXHUNT_OK;
}

bool exh_exposure_wants(const char *path)
{
  kinds k = kinds_of(path);
  return k.exsetup || k.log || k.dump || k.setup;
}

exhunt_err exh_exposure_server_file_st(exh_exposure_server *s, const char *root, const char *path,
                                       const exh_stat *st)
{
  if (!s->root || strcmp(s->root->path, root) != 0) {
    exh_evidence_dircache_free(&s->dirs);
    exh_evidence_root_unref(s->root);
    s->root = NULL;
    const char *step = NULL;
    int e = exh_evidence_root_open(root, &s->root, &step);
    if (e == ENOMEM)
      return s->fatal = EXHUNT_ENOMEM;
    if (e) {
      notice(s, EXHUNT_NOTICE_ERROR, exh_errno_code(e), step, root, strerror(e));
      return s->fatal;
    }
  }
  uint64_t seen = s->stats->files_seen;
  walk_file(s, path, st);
  s->stats->files_seen = seen; /* the caller's walk counts files */
  return s->fatal;
}

exhunt_err exh_exposure_server_report(exh_exposure_server *s, const exh_builddb *db,
                                      const char *root, int64_t now)
{
  if (s->fatal)
    return s->fatal;
  if (s->capped)
    notice(s, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "too-many-builds", root,
           "more distinct builds than exhunt keeps per server; the rest were not listed");
  return report(s, db, root, now);
}

void exh_exposure_server_free(exh_exposure_server *s)
{
  if (s)
    server_free(s);
}

exhunt_err exh_exposure_buffer(const char *path, const uint8_t *data, size_t len, int64_t mtime,
                               int64_t now, const exhunt_sink *sink)
{
  if (!path || (!data && len) || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  exh_builddb db;
  exhunt_err err = exh_builddb_load(&db, sink);
  if (err == EXHUNT_ECORRUPT)
    err = EXHUNT_OK;
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  server *s = err ? NULL : exh_calloc(1, sizeof *s);
  if (!err && !s)
    err = EXHUNT_ENOMEM;
  if (!err) {
    s->user = sink;
    s->stats = &stats;
    input in = {-1, data, len, mtime};
    examine(s, path, &in, kinds_of(path));
    err = s->fatal ? s->fatal : report(s, &db, path, now);
  }
  if (s)
    server_free(s);
  exh_builddb_free(&db);
  return err;
}

void exhunt_exposure_opts_init(exhunt_exposure_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  exhunt_scope_init(&opts->scope);
  opts->now = EXHUNT_NO_TIME;
}

exhunt_err exhunt_exposure_paths(const char *const *paths, size_t n_paths,
                                 const exhunt_exposure_opts *opts, const exhunt_sink *sink,
                                 exhunt_scan_stats *stats)
{
  if ((!paths && n_paths) || !opts || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  exhunt_scan_stats local;
  exh_builddb db;
  exhunt_err err = exh_exposure_run_begin(&db, &stats, &local, sink);
  for (size_t i = 0; i < n_paths && !err; i++)
    err = one_server(&db, paths[i], opts, sink, stats);
  exh_builddb_free(&db);
  return err;
}
