/*
 * timeline.c - Timesketch timelines (JSON Lines and CSV) and the HTML
 * report; see timeline.h.
 *
 * Timesketch imports a row as is when it has `message`, `datetime` (ISO
 * 8601 with an offset) and `timestamp_desc`; every other column becomes a
 * searchable attribute. Each row is one moment: a log record's time, a
 * file's modification time, a build's first and last sighting.
 *
 * CSV cells are quoted RFC 4180 style, and a cell that a spreadsheet would
 * read as a formula (= + - @, tab, CR) gets a leading apostrophe: the
 * evidence chose those bytes, and an analyst opening the timeline in Excel
 * must not run them. Control characters are escaped as in text output.
 * The cell escaper is shared with `--format csv` (escape.c, exh_csv_cell).
 */
#include "timeline.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "rules/embedded.h"

static const char *const columns[] = {
    "message",  "datetime", "timestamp_desc", "server", "id",        "severity",
    "category", "rule",     "path",           "line",   "client_ip", "user_agent",
    "outcome",  "cve",      "artifact",       "sha256", "build",     "status"};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

typedef struct row {
  const char *v[N_COLUMNS];
  size_t len[N_COLUMNS];
} row;

static void set(row *r, size_t col, const char *s, size_t n)
{
  r->v[col] = s;
  r->len[col] = s ? n : 0;
}

static void sets(row *r, size_t col, const char *s)
{
  set(r, col, s, s ? strlen(s) : 0);
}

static exhunt_err write_row(exh_dynbuf *b, const row *r, exh_timeline_format fmt)
{
  exhunt_err err = EXHUNT_OK;
  if (fmt == EXH_TIMELINE_CSV) {
    for (size_t i = 0; i < N_COLUMNS && !err; i++) {
      if (i)
        err = exh_dynbuf_addc(b, ',');
      if (!err)
        err = exh_csv_cell(b, r->v[i] ? r->v[i] : "", r->len[i]);
    }
    return err ? err : exh_dynbuf_adds(b, "\r\n");
  }
  err = exh_dynbuf_addc(b, '{');
  bool first = true;
  for (size_t i = 0; i < N_COLUMNS && !err; i++) {
    if (!r->v[i])
      continue;
    err = exh_dynbuf_addf(b, "%s\"%s\":\"", first ? "" : ",", columns[i]);
    bool lossy = false;
    if (!err)
      err = exh_escape_json(b, r->v[i], r->len[i], &lossy);
    if (!err)
      err = exh_dynbuf_addc(b, '"');
    first = false;
  }
  return err ? err : exh_dynbuf_adds(b, "}\n");
}

exhunt_err exh_timeline_header(exh_dynbuf *b, exh_timeline_format fmt)
{
  if (fmt != EXH_TIMELINE_CSV)
    return EXHUNT_OK;
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < N_COLUMNS && !err; i++)
    err = exh_dynbuf_addf(b, "%s%s", i ? "," : "", columns[i]);
  return err ? err : exh_dynbuf_adds(b, "\r\n");
}

/* "2021-03-03T12:13:58+00:00": Timesketch wants an explicit offset. */
static void iso_offset(char out[32], int64_t t)
{
  exh_dynbuf tmp;
  exh_dynbuf_init(&tmp, 64);
  out[0] = '\0';
  if (exh_iso8601(&tmp, t) == EXHUNT_OK && tmp.len == 20) {
    memcpy(out, tmp.data, 19);
    memcpy(out + 19, "+00:00", 7);
  }
  exh_dynbuf_free(&tmp);
}

exhunt_err exh_timeline_finding(exh_dynbuf *b, const exhunt_finding *f, const char *server,
                                exh_timeline_format fmt)
{
  /* Each kind has its moment and the columns it fills. */
  const exhunt_file_part *fp = f->kind == EXHUNT_FINDING_FILE ? &f->file : NULL;
  const exhunt_log_part *l = f->kind == EXHUNT_FINDING_LOG ? &f->log : NULL;
  const exhunt_exposure_part *x = f->kind == EXHUNT_FINDING_EXPOSURE ? &f->exposure : NULL;
  int64_t t = l ? l->timestamp : x ? x->timestamp : fp ? fp->mtime : EXHUNT_NO_TIME;
  const char *desc = l ? "Log record time" : x ? "Exchange build seen" : "File modification time";
  const char *const *cve_list = l ? l->cves : x ? x->cves : NULL;
  size_t n_cves = l ? l->n_cves : x ? x->n_cves : 0;
  if (t == EXHUNT_NO_TIME)
    return EXHUNT_OK; /* a timeline row needs a moment */
  char when[32], line[24], hash[65], cves[512];
  iso_offset(when, t);
  if (!when[0])
    return EXHUNT_OK;
  exh_dynbuf msg;
  exh_dynbuf_init(&msg, 4096);
  exhunt_err err = exh_dynbuf_addf(&msg, "[%s] %s", exhunt_severity_name(f->severity), f->title);
  if (!err && f->path)
    err = exh_dynbuf_addf(&msg, " - %s", f->path);
  if (!err && l && l->line)
    err = exh_dynbuf_addf(&msg, ":%llu", (unsigned long long)l->line);
  if (!err && l && l->client_ip)
    err = exh_dynbuf_addf(&msg, " from %s", l->client_ip);
  if (err == EXHUNT_ELIMIT)
    err = EXHUNT_OK; /* a long message is cut, not lost */
  row r;
  memset(&r, 0, sizeof r);
  set(&r, 0, msg.data ? msg.data : "", msg.len);
  sets(&r, 1, when);
  sets(&r, 2, desc);
  sets(&r, 3, server);
  sets(&r, 4, f->id);
  sets(&r, 5, exhunt_severity_name(f->severity));
  sets(&r, 6, f->category);
  sets(&r, 7, f->rule);
  sets(&r, 8, f->path ? f->path : x ? x->target : NULL);
  cves[0] = '\0';
  for (size_t i = 0, o = 0; i < n_cves && o < sizeof cves - 24; i++)
    o += (size_t)snprintf(cves + o, sizeof cves - o, "%s%s", i ? " " : "", cve_list[i]);
  if (cves[0])
    sets(&r, 13, cves);
  if (l) {
    if (l->line) {
      snprintf(line, sizeof line, "%llu", (unsigned long long)l->line);
      sets(&r, 9, line);
    }
    sets(&r, 10, l->client_ip);
    sets(&r, 11, l->user_agent);
    sets(&r, 12, l->outcome);
    if (l->artifact)
      set(&r, 14, l->artifact, l->artifact_len > 2048 ? 2048 : l->artifact_len);
  }
  if (fp && fp->have_sha256) {
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
      hash[2 * i] = hx[fp->sha256[i] >> 4];
      hash[2 * i + 1] = hx[fp->sha256[i] & 15];
    }
    hash[64] = '\0';
    sets(&r, 15, hash);
  }
  if (x) {
    sets(&r, 16, x->build);
    sets(&r, 17, x->status);
  }
  if (!err)
    err = write_row(b, &r, fmt);
  exh_dynbuf_free(&msg);
  return err;
}

exhunt_err exh_timeline_build(exh_dynbuf *b, const exhunt_build_seen *s, exh_timeline_format fmt)
{
  if (!s->build)
    return EXHUNT_OK;
  exhunt_err err = EXHUNT_OK;
  int64_t moments[2] = {s->first, s->last};
  const char *descs[2] = {"Exchange build first seen", "Exchange build last seen"};
  for (int i = 0; i < 2 && !err; i++) {
    if (moments[i] == EXHUNT_NO_TIME || (i == 1 && s->last == s->first))
      continue;
    char when[32], msg[160];
    iso_offset(when, moments[i]);
    snprintf(msg, sizeof msg, "Exchange build %s (%s)", s->build, s->source ? s->source : "?");
    row r;
    memset(&r, 0, sizeof r);
    sets(&r, 0, msg);
    sets(&r, 1, when);
    sets(&r, 2, descs[i]);
    sets(&r, 3, s->server);
    sets(&r, 8, s->path);
    sets(&r, 16, s->build);
    err = write_row(b, &r, fmt);
  }
  return err;
}

/* ---------------------------------------------------------------------- */

exhunt_err exh_html_report(exh_dynbuf *out, const char *tmpl, size_t tmpl_len, const char *jsonl,
                           size_t jsonl_len)
{
  static const char mark[] = "__EXHUNT_DATA__";
  const char *hit = NULL;
  for (size_t i = 0; i + sizeof mark - 1 <= tmpl_len; i++)
    if (memcmp(tmpl + i, mark, sizeof mark - 1) == 0) {
      if (hit)
        return EXHUNT_EINVAL; /* exactly one placeholder */
      hit = tmpl + i;
    }
  if (!hit)
    return EXHUNT_EINVAL;
  exhunt_err err = exh_dynbuf_add(out, tmpl, (size_t)(hit - tmpl));
  /* The JSON lines become one array; inside the <script> element no '<',
   * '>' or '&' may appear raw (and U+2028/9 break older JS parsers). They
   * can only occur inside JSON strings, where \uXXXX means the same. */
  if (!err)
    err = exh_dynbuf_addc(out, '[');
  bool first = true;
  const char *p = jsonl, *end = jsonl + jsonl_len;
  while (!err && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    if (stop > p) {
      if (!first)
        err = exh_dynbuf_addc(out, ',');
      first = false;
      for (const char *q = p; !err && q < stop; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '<' || ch == '>' || ch == '&')
          err = exh_dynbuf_addf(out, "\\u%04x", ch);
        else if (ch == 0xE2 && q + 2 < stop && (unsigned char)q[1] == 0x80 &&
                 ((unsigned char)q[2] == 0xA8 || (unsigned char)q[2] == 0xA9)) {
          err = exh_dynbuf_addf(out, "\\u%04x", (unsigned char)q[2] == 0xA8 ? 0x2028 : 0x2029);
          q += 2;
        } else
          err = exh_dynbuf_addc(out, (char)ch);
      }
    }
    p = nl ? nl + 1 : end;
  }
  if (!err)
    err = exh_dynbuf_addc(out, ']');
  const char *rest = hit + sizeof mark - 1;
  if (!err)
    err = exh_dynbuf_add(out, rest, (size_t)(tmpl + tmpl_len - rest));
  return err;
}

exhunt_err exh_html_template(const char **data, size_t *len)
{
  for (size_t i = 0; i < exh_embedded_count; i++)
    if (strcmp(exh_embedded_files[i].kind, "report") == 0) {
      *data = (const char *)exh_embedded_files[i].data;
      *len = (size_t)(exh_embedded_files[i].end - exh_embedded_files[i].data);
      return EXHUNT_OK;
    }
  return EXHUNT_ENOENT;
}
