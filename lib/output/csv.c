/*
 * csv.c - findings as CSV rows; see csv.h. A finding is one of three kinds
 * (a file's content, a log record, an exposure verdict), and each kind
 * fills the columns its JSON Lines record has (format.c), no others: the
 * two formats of one run say the same thing.
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"

enum {
  C_SEVERITY,
  C_CATEGORY,
  C_RULE,
  C_TITLE,
  C_DESCRIPTION,
  C_PATH,
  C_LINE,
  C_TIMESTAMP,
  C_SHA256,
  C_SIZE,
  C_MTIME,
  C_CVE,
  C_OUTCOME,
  C_CLIENT_IP,
  C_USER_AGENT,
  C_ARTIFACT,
  C_TARGET,
  C_BUILD,
  C_BUILD_SOURCE,
  C_PRODUCT,
  C_SUPPORT,
  C_STATUS,
  C_FIXED_IN,
  C_SOURCE,
  C_AUTHOR,
  C_REFERENCE,
  C_LICENSE,
  C_ID,
  C_SERVER,
  N_COLUMNS
};

/* The order is the contract (docs/output-schema.md): columns are only
 * ever added at the end. */
static const char *const column_names[N_COLUMNS] = {
    "severity",     "category",  "rule",       "title",    "description", "path",
    "line",         "timestamp", "sha256",     "size",     "mtime",       "cve",
    "outcome",      "client_ip", "user_agent", "artifact", "target",      "build",
    "build_source", "product",   "support",    "status",   "fixed_in",    "source",
    "author",       "reference", "license",    "id",       "server"};

typedef struct cell {
  const char *s;
  size_t len;
} cell;

static void put(cell *row, int col, const char *s)
{
  if (s) {
    row[col].s = s;
    row[col].len = strlen(s);
  }
}

static void put_n(cell *row, int col, const char *s, size_t len)
{
  if (s) {
    row[col].s = s;
    row[col].len = len;
  }
}

exhunt_err exh_csv_header(exh_dynbuf *b)
{
  exhunt_err err = EXHUNT_OK;
  for (int i = 0; i < N_COLUMNS && !err; i++)
    err = exh_dynbuf_addf(b, "%s%s", i ? "," : "", column_names[i]);
  return err ? err : exh_dynbuf_adds(b, "\r\n");
}

/* Where a rendered value sits in the scratch buffer: offsets, since the
 * buffer may move while it grows. */
typedef struct span {
  size_t at, len;
} span;

static exhunt_err add_uint(exh_dynbuf *b, uint64_t v, span *sp)
{
  sp->at = b->len;
  exhunt_err err = exh_dynbuf_addf(b, "%llu", (unsigned long long)v);
  sp->len = b->len - sp->at;
  return err;
}

static exhunt_err add_time(exh_dynbuf *b, int64_t t, span *sp)
{
  sp->at = b->len;
  exhunt_err err = exh_iso8601(b, t);
  sp->len = b->len - sp->at;
  return err;
}

static exhunt_err add_cves(exh_dynbuf *b, const char *const *cves, size_t n, span *sp)
{
  sp->at = b->len;
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < n && !err; i++)
    err = exh_dynbuf_addf(b, "%s%s", i ? ";" : "", cves[i]);
  sp->len = b->len - sp->at;
  return err;
}

static void put_span(cell *row, int col, const exh_dynbuf *b, span sp)
{
  if (sp.len)
    put_n(row, col, b->data + sp.at, sp.len);
}

exhunt_err exh_csv_finding(exh_dynbuf *b, const exhunt_finding *f)
{
  cell row[N_COLUMNS];
  memset(row, 0, sizeof row);
  /* Numbers, hex and times are rendered into one scratch buffer first;
   * the cells point into it once it has stopped growing. */
  exh_dynbuf scratch;
  exh_dynbuf_init(&scratch, 0);
  exhunt_err err = EXHUNT_OK;
  span line = {0, 0}, when = {0, 0}, sha = {0, 0}, size = {0, 0}, mtime = {0, 0}, cve = {0, 0};
  const exhunt_file_part *fp = f->kind == EXHUNT_FINDING_FILE ? &f->file : NULL;
  const exhunt_log_part *l = f->kind == EXHUNT_FINDING_LOG ? &f->log : NULL;
  const exhunt_exposure_part *x = f->kind == EXHUNT_FINDING_EXPOSURE ? &f->exposure : NULL;
  /* A log record's and an exposure verdict's moment and CVEs; a file's
   * digest, size and time. */
  int64_t t = l ? l->timestamp : x ? x->timestamp : EXHUNT_NO_TIME;
  if (l)
    err = add_uint(&scratch, l->line, &line);
  if (!err && t != EXHUNT_NO_TIME)
    err = add_time(&scratch, t, &when);
  if (!err && fp && fp->have_sha256) {
    sha.at = scratch.len;
    err = exh_hex(&scratch, fp->sha256, 32);
    sha.len = scratch.len - sha.at;
  }
  if (!err && fp)
    err = add_uint(&scratch, fp->size, &size);
  if (!err && fp)
    err = add_time(&scratch, fp->mtime, &mtime);
  if (!err && (l || x))
    err = add_cves(&scratch, l ? l->cves : x->cves, l ? l->n_cves : x->n_cves, &cve);
  if (err)
    goto cleanup;
  /* The text columns: the common part, then the finding's own. */
  const struct {
    int col;
    const char *s;
  } text[] = {
      {C_SEVERITY, exhunt_severity_name(f->severity)},
      {C_CATEGORY, f->category},
      {C_RULE, f->rule},
      {C_TITLE, f->title},
      {C_DESCRIPTION, f->description},
      {C_PATH, f->path},
      {C_SOURCE, f->source},
      {C_AUTHOR, f->author},
      {C_REFERENCE, f->reference},
      {C_LICENSE, f->license},
      {C_ID, f->id},
      {C_SERVER, f->server},
      {C_OUTCOME, l ? l->outcome : NULL},
      {C_CLIENT_IP, l ? l->client_ip : NULL},
      {C_USER_AGENT, l ? l->user_agent : NULL},
      {C_TARGET, x ? x->target : NULL},
      {C_BUILD, x ? x->build : NULL},
      {C_BUILD_SOURCE, x ? x->build_source : NULL},
      {C_PRODUCT, x ? x->product : NULL},
      {C_SUPPORT, x ? x->support : NULL},
      {C_STATUS, x ? x->status : NULL},
      {C_FIXED_IN, x ? x->fixed_in : NULL},
  };
  for (size_t i = 0; i < sizeof text / sizeof *text; i++)
    put(row, text[i].col, text[i].s);
  if (l)
    put_n(row, C_ARTIFACT, l->artifact, l->artifact_len);
  put_span(row, C_LINE, &scratch, line);
  put_span(row, C_TIMESTAMP, &scratch, when);
  put_span(row, C_SHA256, &scratch, sha);
  put_span(row, C_SIZE, &scratch, size);
  put_span(row, C_MTIME, &scratch, mtime);
  put_span(row, C_CVE, &scratch, cve);
  for (int i = 0; i < N_COLUMNS && !err; i++) {
    if (i)
      err = exh_dynbuf_addc(b, ',');
    if (!err)
      err = exh_csv_cell(b, row[i].s ? row[i].s : "", row[i].len);
  }
  if (!err)
    err = exh_dynbuf_adds(b, "\r\n");
cleanup:
  exh_dynbuf_free(&scratch);
  return err;
}
