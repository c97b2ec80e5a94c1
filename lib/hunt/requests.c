/*
 * requests.c - requests to web shells that the log detectors had no reason
 * to flag.
 *
 * The log engine flags requests to the folders web shells are dropped in
 * (aspnet_client, owa/auth, ...). A shell found on disk elsewhere - a China
 * Chopper renamed iisstart.aspx in the web root - is requested like any
 * page, and only the scan knows it is a shell. Once the scan has named the
 * shells, this pass reads the IIS and HttpProxy logs again, looks for their
 * URLs (a case-insensitive literal search per line, so only matching lines
 * are split), and turns each request into a log finding the story can use.
 * It runs only when there is such a shell, and reads only those logs.
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/evidence.h"
#include "core/limits.h"
#include "hunt/hunt_int.h"
#include "logs/detect.h"
#include "logs/lines.h"
#include "logs/source.h"
#include "logs/table.h"

#define MAX_REQUEST_FINDINGS 10000u
#define MAX_EXCERPT 2048u

typedef struct req_ctx {
  hunt_server *hs;
  const char *const *urls;
  size_t n_urls;
  const exhunt_sink *sink;
  exhunt_scan_stats *stats;
  size_t found;
  bool capped;
  exhunt_err err;
} req_ctx;

static bool is_request_log(const char *path)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  bool log = (n > 4 && strcasecmp(base + n - 4, ".log") == 0) ||
             (n > 7 && strcasecmp(base + n - 7, ".log.gz") == 0);
  return log && (strncasecmp(base, "u_ex", 4) == 0 || strncasecmp(base, "httpproxy_", 10) == 0);
}

/* Was this line already reported by the log engine? */
static bool already_found(const hunt_server *hs, const char *path, uint64_t line)
{
  for (size_t i = 0; i < hs->n_recs; i++)
    if (hs->recs[i].origin == ORIGIN_LOGS && hs->recs[i].f.line == line && hs->recs[i].f.path &&
        strcmp(hs->recs[i].f.path, path) == 0)
      return true;
  return false;
}

static int64_t record_time(const exh_table *t)
{
  int c = exh_table_col(t, "DateTime");
  if (c >= 0)
    return exh_parse_iso8601(exh_table_get(t, c));
  int d = exh_table_col(t, "date"), tm = exh_table_col(t, "time");
  if (d < 0 || tm < 0)
    return EXHUNT_NO_TIME;
  exh_view dv = exh_table_get(t, d), tv = exh_table_get(t, tm);
  char both[40];
  if (dv.n + tv.n + 1 >= sizeof both)
    return EXHUNT_NO_TIME;
  memcpy(both, dv.p, dv.n);
  both[dv.n] = 'T';
  memcpy(both + dv.n + 1, tv.p, tv.n);
  exh_view v = {both, dv.n + 1 + tv.n};
  return exh_parse_iso8601(v);
}

static exh_view col_of(const exh_table *t, const char *a, const char *b)
{
  int c = exh_table_col(t, a);
  if (c < 0)
    c = exh_table_col(t, b);
  return exh_table_get(t, c);
}

static char *view_dup(exh_view v)
{
  return exh_strndup(v.p ? v.p : "", v.n);
}

static void report(req_ctx *c, const char *path, uint64_t lineno, const char *line, size_t len,
                   const exh_table *t, const char *url)
{
  if (c->found >= MAX_REQUEST_FINDINGS) {
    c->capped = true;
    return;
  }
  exh_view status = col_of(t, "sc-status", "HttpStatus");
  int code = exh_view_uint(status);
  bool ok = code >= 200 && code < 400;
  char *ip = view_dup(col_of(t, "c-ip", "ClientIpAddress"));
  char *ua = view_dup(col_of(t, "cs(User-Agent)", "UserAgent"));
  if (!ip || !ua) {
    exh_free(ip);
    exh_free(ua);
    c->err = EXHUNT_ENOMEM;
    return;
  }
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.category = "webshell-access";
  f.severity = ok ? EXHUNT_SEV_HIGH : EXHUNT_SEV_MEDIUM;
  f.rule = "exhunt.hunt.request_to_shell";
  f.title = ok ? "Successful request to a web shell found on disk"
               : "Request to a web shell found on disk (not successful)";
  f.description = "The URL is that of a file the scan flagged as a web shell; the log "
                  "detectors alone had no reason to flag it (it is outside the drop folders).";
  f.source = "exhunt";
  f.path = path;
  f.mtime = EXHUNT_NO_TIME;
  f.line = lineno;
  f.timestamp = record_time(t);
  f.outcome = ok ? "exploited" : "attempted";
  f.client_ip = ip[0] ? ip : NULL;
  f.user_agent = ua[0] ? ua : NULL;
  f.excerpt = line;
  f.excerpt_len = len > MAX_EXCERPT ? MAX_EXCERPT : len;
  f.artifact = url;
  f.artifact_len = strlen(url);
  c->err = exh_hunt_keep(c->hs, &f, ORIGIN_LOGS);
  exh_free(ip);
  exh_free(ua);
  c->found++;
}

/* Case-insensitive: does the line hold this URL anywhere? */
static bool line_has(const char *line, size_t len, const char *url)
{
  size_t k = strlen(url);
  for (size_t i = 0; i + k <= len; i++)
    if ((line[i] | 0x20) == (url[0] | 0x20) && strncasecmp(line + i, url, k) == 0)
      return true;
  return false;
}

static void read_log(req_ctx *c, const char *path)
{
  bool refused;
  int fd = exh_open_evidence(path, &refused);
  if (fd < 0)
    return; /* the log engine already reported what it could not open */
  exh_fd_source fds;
  exh_source src;
  exh_source_fd(&src, &fds, fd);
  exh_gz_source gz;
  bool gzip = false;
  uint8_t magic[4];
  ssize_t m = pread(fd, magic, sizeof magic, 0);
  if (m > 0 && exh_is_gzip(magic, (size_t)m)) {
    exh_source inner = src;
    if (exh_source_gzip(&src, &gz, inner, 0, 0) != EXHUNT_OK) {
      close(fd);
      c->err = EXHUNT_ENOMEM;
      return;
    }
    gzip = true;
  }
  exh_lines lines;
  exh_table t;
  bool w3c = false, decided = false;
  exh_table_init(&t, EXH_FMT_CSV);
  if (exh_lines_init(&lines, src) != EXHUNT_OK) {
    c->err = EXHUNT_ENOMEM;
    goto out;
  }
  const char *line;
  size_t len;
  bool truncated;
  while (!c->err && exh_lines_next(&lines, &line, &len, &truncated)) {
    if (!decided && len > 10 && line[0] == '#') {
      /* IIS writes "#Software: Microsoft Internet Information Services". */
      w3c =
          len >= 19 && strncasecmp(line, "#Software: Microsoft Internet", 29 < len ? 29 : len) == 0;
      if (w3c) {
        exh_table_free(&t);
        exh_table_init(&t, EXH_FMT_W3C);
      }
      decided = true;
    }
    exh_line_kind kind = exh_table_classify(&t, line, len);
    if (kind != EXH_LINE_RECORD)
      continue;
    for (size_t u = 0; u < c->n_urls; u++) {
      if (!line_has(line, len, c->urls[u]))
        continue;
      exh_table_split(&t, line, len);
      exh_view stem = col_of(&t, "cs-uri-stem", "UrlStem");
      size_t ul = strlen(c->urls[u]);
      if (stem.n == ul && strncasecmp(stem.p, c->urls[u], ul) == 0 &&
          !already_found(c->hs, path, lines.lineno))
        report(c, path, lines.lineno, line, len, &t, c->urls[u]);
      break;
    }
  }
  c->stats->records += lines.lineno;
out:
  exh_lines_free(&lines);
  exh_table_free(&t);
  if (gzip)
    exh_gz_end(&gz);
  close(fd);
}

exhunt_err exh_hunt_requests(hunt_server *hs, const char *const *urls, size_t n_urls,
                             const char *const *logs, size_t n_logs, const exhunt_sink *sink,
                             exhunt_scan_stats *stats)
{
  if (n_urls == 0)
    return EXHUNT_OK;
  req_ctx c = {hs, urls, n_urls, sink, stats, 0, false, EXHUNT_OK};
  for (size_t i = 0; i < n_logs && !c.err; i++)
    if (is_request_log(logs[i]))
      read_log(&c, logs[i]);
  if (!c.err && c.capped) {
    char reason[160];
    snprintf(reason, sizeof reason,
             "more than %u requests to web shells found on disk; the rest were not kept",
             MAX_REQUEST_FINDINGS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "shell-requests-capped", hs->root,
                       reason};
    sink->on_notice(sink->ctx, &n);
  }
  return c.err;
}
