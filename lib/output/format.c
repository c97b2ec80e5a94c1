/*
 * format.c - JSON Lines and text records; see format.h and
 * docs/output-schema.md. Every string that came from evidence (paths,
 * matched bytes) goes through escape.c; strings from rules go through the
 * JSON encoder too, since user rule files are input as well.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "escape.h"

static exhunt_err tdisp(exh_dynbuf *b, const char *s);
static exhunt_err tfield(exh_dynbuf *b, exhunt_err err, const char *label, const char *value);
static exhunt_err ttime(exh_dynbuf *b, exhunt_err err, const char *label, int64_t t);

/* ---------------------------------------------------------------------- */
/* JSON helpers: each appends `"key":value`, after a comma unless it is the */
/* first member of an object just opened. Errors accumulate in w->err.     */

typedef struct jw {
  exh_dynbuf *b;
  exhunt_err err;
  bool first; /* an object was just opened: the next member has no comma */
} jw;

static void jraw(jw *w, const char *s)
{
  w->first = false;
  if (!w->err)
    w->err = exh_dynbuf_adds(w->b, s);
}

static void jkey(jw *w, const char *key)
{
  jraw(w, w->first ? "\"" : ",\"");
  jraw(w, key);
  jraw(w, "\":");
}

/* `"key":{`; the members that follow go inside, until jraw(w, "}"). */
static void jobject(jw *w, const char *key)
{
  jkey(w, key);
  jraw(w, "{");
  w->first = true;
}

/* Element i of an array of objects: `{`, after a comma but for the first. */
static void jelement(jw *w, size_t i)
{
  jraw(w, i ? ",{" : "{");
  w->first = true;
}

/* `"key":[`; the elements follow, until jraw(w, "]"). */
static void jarray(jw *w, const char *key)
{
  jkey(w, key);
  jraw(w, "[");
}

/* A JSON string, or null for NULL. */
static void jstr_or_null(jw *w, const char *key, const char *value)
{
  jkey(w, key);
  if (!w->err)
    w->err = exh_json_str(w->b, value);
}

/* A JSON string; nothing at all for NULL. */
static void jstr(jw *w, const char *key, const char *value)
{
  if (value)
    jstr_or_null(w, key, value);
}

/* Bytes from evidence: lossy UTF-8 text, plus exact base64 when lossy. */
static void jbytes(jw *w, const char *key, const void *data, size_t len)
{
  bool lossy = false;
  jkey(w, key);
  jraw(w, "\"");
  if (!w->err)
    w->err = exh_escape_json(w->b, data, len, &lossy);
  jraw(w, "\"");
  if (lossy) {
    jraw(w, ",\"");
    jraw(w, key);
    jraw(w, "_b64\":\"");
    if (!w->err)
      w->err = exh_base64(w->b, data, len);
    jraw(w, "\"");
  }
}

/* Text from evidence, when there is some. */
static void jtext(jw *w, const char *key, const char *s)
{
  if (s)
    jbytes(w, key, s, strlen(s));
}

static void juint(jw *w, const char *key, uint64_t v)
{
  jkey(w, key);
  if (!w->err)
    w->err = exh_dynbuf_addf(w->b, "%llu", (unsigned long long)v);
}

static void jhex(jw *w, const char *key, const uint8_t *d, size_t n)
{
  jkey(w, key);
  jraw(w, "\"");
  if (!w->err)
    w->err = exh_hex(w->b, d, n);
  jraw(w, "\"");
}

static void jtime(jw *w, const char *key, int64_t t)
{
  jkey(w, key);
  jraw(w, "\"");
  if (!w->err)
    w->err = exh_iso8601(w->b, t);
  jraw(w, "\"");
}

/* A time, left out when it is not known. */
static void jtime_known(jw *w, const char *key, int64_t t)
{
  if (t != EXHUNT_NO_TIME)
    jtime(w, key, t);
}

/* "2021-03-03", the UTC day of t. */
static void jday(jw *w, int64_t t)
{
  exh_dynbuf day;
  exh_dynbuf_init(&day, 64);
  if (!w->err)
    w->err = exh_iso8601(&day, t);
  jraw(w, "\"");
  if (!w->err && day.len >= 10)
    w->err = exh_dynbuf_add(w->b, day.data, 10);
  jraw(w, "\"");
  exh_dynbuf_free(&day);
}

static void jbool(jw *w, const char *key, bool v)
{
  jkey(w, key);
  jraw(w, v ? "true" : "false");
}

/* An array of JSON strings. */
static void jstrs(jw *w, const char *key, const char *const *v, size_t n)
{
  jarray(w, key);
  for (size_t i = 0; i < n; i++) {
    if (i)
      jraw(w, ",");
    if (!w->err)
      w->err = exh_json_str(w->b, v[i]);
  }
  jraw(w, "]");
}

static void jhead(jw *w, const char *type)
{
  jraw(w, "{\"schema\":\"" EXHUNT_SCHEMA "\",\"type\":\"");
  jraw(w, type);
  jraw(w, "\"");
}

/* An exposure verdict: a build against a CVE family. */
static void jexposure(jw *w, const exhunt_exposure_part *x)
{
  jtext(w, "target", x->target);
  jbytes(w, "build", x->build ? x->build : "", x->build ? strlen(x->build) : 0);
  jstr(w, "build_source", x->build_source);
  jtime_known(w, "timestamp", x->timestamp);
  jstr(w, "product", x->product);
  jstr(w, "support", x->support);
  jstr(w, "status", x->status);
  jstr(w, "fixed_in", x->fixed_in);
  jstrs(w, "cve", x->cves, x->n_cves);
  jraw(w, "}\n");
}

/* A finding about a log record. */
static void jlog(jw *w, const exhunt_log_part *l)
{
  juint(w, "line", l->line);
  jtime_known(w, "timestamp", l->timestamp);
  jstrs(w, "cve", l->cves, l->n_cves);
  jstr(w, "outcome", l->outcome);
  jtext(w, "client_ip", l->client_ip);
  jtext(w, "user_agent", l->user_agent);
  if (l->artifact)
    jbytes(w, "artifact", l->artifact, l->artifact_len);
  jbytes(w, "excerpt", l->excerpt ? l->excerpt : "", l->excerpt_len);
  jraw(w, "}\n");
}

/* A finding about a file's content, name or hash. */
static void jfile(jw *w, const exhunt_file_part *fp)
{
  if (fp->have_sha256)
    jhex(w, "sha256", fp->sha256, 32);
  if (fp->have_sha1)
    jhex(w, "sha1", fp->sha1, 20);
  if (fp->have_md5)
    jhex(w, "md5", fp->md5, 16);
  juint(w, "size", fp->size);
  jtime(w, "mtime", fp->mtime);
  jarray(w, "matches");
  for (size_t i = 0; i < fp->n_matches; i++) {
    const exhunt_match *m = &fp->matches[i];
    jelement(w, i);
    jstr_or_null(w, "id", m->identifier ? m->identifier : "");
    juint(w, "offset", m->offset);
    jbytes(w, "data", m->data, m->len);
    jraw(w, "}");
  }
  jraw(w, "]}\n");
}

exhunt_err exh_jsonl_finding(exh_dynbuf *b, const exhunt_finding *f)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "finding");
  jstr(&w, "id", f->id);
  jtext(&w, "server", f->server);
  jstr(&w, "category", f->category);
  jstr(&w, "severity", exhunt_severity_name(f->severity));
  jstr(&w, "rule", f->rule);
  jstr(&w, "title", f->title);
  jstr(&w, "description", f->description);
  jstr(&w, "source", f->source);
  jstr(&w, "author", f->author);
  jstr(&w, "reference", f->reference);
  jstr(&w, "license", f->license);
  jtext(&w, "path", f->path);
  switch (f->kind) {
  case EXHUNT_FINDING_EXPOSURE:
    jexposure(&w, &f->exposure);
    break;
  case EXHUNT_FINDING_LOG:
    jlog(&w, &f->log);
    break;
  case EXHUNT_FINDING_FILE:
    jfile(&w, &f->file);
    break;
  }
  return w.err;
}

exhunt_err exh_jsonl_notice(exh_dynbuf *b, const exhunt_notice *n)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, n->kind == EXHUNT_NOTICE_ERROR ? "error" : "note");
  jstr(&w, "what", n->what);
  jtext(&w, "path", n->path);
  jstr(&w, "reason", n->reason);
  if (n->code != EXHUNT_OK) {
    juint(&w, "code", (uint64_t)n->code);
    jstr(&w, "error", exhunt_strerror(n->code));
  }
  jraw(&w, "}\n");
  return w.err;
}

exhunt_err exh_jsonl_coverage(exh_dynbuf *b, const exhunt_coverage *c)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "coverage");
  jtext(&w, "server", c->server);
  jstr(&w, "family", c->family);
  jtext(&w, "channel", c->channel);
  jbool(&w, "present", c->present);
  juint(&w, "files", c->files);
  juint(&w, "records", c->records);
  jtime_known(&w, "first", c->first);
  jtime_known(&w, "last", c->last);
  jtext(&w, "build", c->build);
  juint(&w, "days_covered", c->days_covered);
  jarray(&w, "days");
  for (size_t i = 0; i < c->n_days; i++) {
    jraw(&w, i ? ",[" : "[");
    jday(&w, c->days[i].first);
    jraw(&w, ",");
    jday(&w, c->days[i].last);
    jraw(&w, "]");
  }
  jraw(&w, "]}\n");
  return w.err;
}

exhunt_err exh_jsonl_build(exh_dynbuf *b, const exhunt_build_seen *s)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "build");
  jtext(&w, "server", s->server);
  jstr(&w, "result", s->result);
  jtext(&w, "target", s->target);
  jtext(&w, "path", s->path);
  jtext(&w, "build", s->build);
  jstr(&w, "build_source", s->source);
  jtext(&w, "detail", s->detail);
  jtime_known(&w, "first", s->first);
  jtime_known(&w, "last", s->last);
  if (s->sightings)
    juint(&w, "sightings", s->sightings);
  jtime_known(&w, "installed", s->installed);
  jtime_known(&w, "running_since", s->running_since);
  jbool(&w, "current", s->current);
  jraw(&w, "}\n");
  return w.err;
}

/* An id list, and "<key>_more": the ids it stands for but does not name
 * (bounded lists keep the first and last ones by time). */
static void jids(jw *w, const char *key, exhunt_evidence e)
{
  jstrs(w, key, e.ids, e.n);
  if (e.more) {
    char more_key[64];
    snprintf(more_key, sizeof more_key, "%s_more", key);
    juint(w, more_key, e.more);
  }
}

exhunt_err exh_jsonl_story(exh_dynbuf *b, const exhunt_story *st)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "story");
  jtext(&w, "server", st->server);
  jobject(&w, "attacker");
  jkey(&w, "client_ip");
  if (st->client_ip) {
    jraw(&w, "\"");
    if (!w.err)
      w.err = exh_escape_json(b, st->client_ip, strlen(st->client_ip), &(bool){false});
    jraw(&w, "\"");
  } else {
    jraw(&w, "null");
  }
  jtext(&w, "user_agent", st->user_agent);
  jraw(&w, "}");
  jtime_known(&w, "first", st->first);
  jtime_known(&w, "last", st->last);
  jarray(&w, "steps");
  for (size_t i = 0; i < st->n_steps; i++) {
    const exhunt_story_step *s = &st->steps[i];
    jelement(&w, i);
    jstr_or_null(&w, "step", s->step);
    jtime_known(&w, "time", s->time);
    jstr(&w, "title", s->title);
    jstr(&w, "evidence", s->evidence);
    jtext(&w, "path", s->path);
    if (s->line)
      juint(&w, "line", s->line);
    jraw(&w, "}");
  }
  jraw(&w, "]");
  jobject(&w, "step_counts");
  for (size_t i = 0; i < st->n_counts; i++) {
    if (i)
      jraw(&w, ",");
    if (!w.err)
      w.err = exh_json_str(b, st->counts[i].step);
    jraw(&w, ":");
    if (!w.err)
      w.err = exh_dynbuf_addf(b, "%llu", (unsigned long long)st->counts[i].total);
  }
  jraw(&w, "}");
  jarray(&w, "shells");
  for (size_t i = 0; i < st->n_shells; i++) {
    const exhunt_story_shell *s = &st->shells[i];
    jelement(&w, i);
    jbool(&w, "on_disk", s->on_disk);
    jtext(&w, "path", s->path);
    jtext(&w, "url", s->url);
    jstr(&w, "finding", s->finding);
    jids(&w, "planted_by", s->planted_by);
    jids(&w, "requests", s->requests);
    jraw(&w, "}");
  }
  jraw(&w, "]}\n");
  return w.err;
}

exhunt_err exh_jsonl_verdict(exh_dynbuf *b, const exhunt_verdict *v)
{
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "verdict");
  jtext(&w, "server", v->server);
  jstr(&w, "verdict", v->verdict);
  jstr(&w, "headline", v->headline);
  jbool(&w, "exchange", v->exchange);
  if (v->badge) {
    jobject(&w, "exposure");
    jstr(&w, "badge", v->badge);
    jtext(&w, "build", v->build);
    jstr(&w, "product", v->product);
    jstr(&w, "support", v->support);
    juint(&w, "families_vulnerable", v->families_vulnerable);
    juint(&w, "exploited_in_wild", v->exploited_in_wild);
    jraw(&w, "}");
  }
  jobject(&w, "coverage");
  juint(&w, "exposed_days", v->exposed_days);
  juint(&w, "covered_days", v->covered_days);
  jbool(&w, "complete", v->covered_days >= v->exposed_days);
  jarray(&w, "windows");
  for (size_t i = 0; i < v->n_windows; i++) {
    const exhunt_exposure_window *x = &v->windows[i];
    jelement(&w, i);
    jstr_or_null(&w, "family", x->family);
    jstr(&w, "title", x->title);
    jtime(&w, "start", x->start);
    jtime(&w, "end", x->end);
    juint(&w, "exposed_days", x->exposed_days);
    juint(&w, "covered_days", x->covered_days);
    jarray(&w, "logs");
    for (size_t k = 0; k < x->n_logs; k++) {
      jelement(&w, k);
      jstr_or_null(&w, "family", x->logs[k].family);
      juint(&w, "covered_days", x->logs[k].covered_days);
      jbool(&w, "counts", x->logs[k].counts);
      jraw(&w, "}");
    }
    jraw(&w, "]}");
  }
  jraw(&w, "]}");
  juint(&w, "errors", v->errors);
  jtime_known(&w, "first_activity", v->first_activity);
  jtime_known(&w, "last_activity", v->last_activity);
  jarray(&w, "reasons");
  for (size_t i = 0; i < v->n_reasons; i++) {
    jelement(&w, i);
    jstr_or_null(&w, "text", v->reasons[i].text);
    jids(&w, "evidence", v->reasons[i].evidence);
    jraw(&w, "}");
  }
  jraw(&w, "]");
  jarray(&w, "next_steps");
  for (size_t i = 0; i < v->n_next_steps; i++) {
    jelement(&w, i);
    jstr_or_null(&w, "action", v->next_steps[i].action);
    jstr(&w, "text", v->next_steps[i].text);
    jids(&w, "evidence", v->next_steps[i].evidence);
    jraw(&w, "}");
  }
  jraw(&w, "]}\n");
  return w.err;
}

exhunt_err exh_text_coverage(exh_dynbuf *b, const exhunt_coverage *c)
{
  exhunt_err err = c->channel ? exh_dynbuf_addf(b, "    %-36s ", c->channel)
                              : exh_dynbuf_addf(b, "  %-22s ", c->family);
  if (!err && !c->present)
    return exh_dynbuf_adds(b, c->channel ? "MISSING: no event of this channel in the evidence\n"
                                         : "MISSING: no log of this family in the evidence\n");
  if (!err)
    err = exh_dynbuf_addf(b, "%llu files, %llu records, %u day%s, ", (unsigned long long)c->files,
                          (unsigned long long)c->records, c->days_covered,
                          c->days_covered == 1 ? "" : "s");
  if (!err && c->first != EXHUNT_NO_TIME) {
    err = ttime(b, err, "", c->first);
    err = ttime(b, err, " .. ", c->last);
  } else if (!err) {
    err = exh_dynbuf_adds(b, "no timestamps");
  }
  err = tfield(b, err, ", build ", c->build);
  if (!err)
    err = exh_dynbuf_addc(b, '\n');
  return err;
}

/* "run":{...}: see exh_run_record. */
static void jrun(jw *w, const exh_run_record *run)
{
  jobject(w, "run");
  jtime(w, "started", run->started);
  jtime(w, "ended", run->ended);
  jtext(w, "command_line", run->command_line);
  jstr(w, "version", run->version);
  jstr(w, "rules_sha256", run->rules_sha256);
  jtext(w, "host", run->host);
  /* Roots come from the command line: lossy JSON text each, and when one
   * is not valid UTF-8 every root again in base64, in the same order. */
  size_t n = run->n_roots < EXH_RUN_MAX_ROOTS ? run->n_roots : EXH_RUN_MAX_ROOTS;
  bool lossy_any = false;
  jarray(w, "roots");
  for (size_t i = 0; i < n; i++) {
    bool lossy = false;
    jraw(w, i ? ",\"" : "\"");
    if (!w->err)
      w->err = exh_escape_json(w->b, run->roots[i], strlen(run->roots[i]), &lossy);
    jraw(w, "\"");
    lossy_any = lossy_any || lossy;
  }
  jraw(w, "]");
  if (lossy_any) {
    jarray(w, "roots_b64");
    for (size_t i = 0; i < n; i++) {
      jraw(w, i ? ",\"" : "\"");
      if (!w->err)
        w->err = exh_base64(w->b, run->roots[i], strlen(run->roots[i]));
      jraw(w, "\"");
    }
    jraw(w, "]");
  }
  if (run->n_roots > n)
    juint(w, "roots_total", run->n_roots);
  jraw(w, "}");
}

exhunt_err exh_jsonl_summary(exh_dynbuf *b, const exh_summary *s)
{
  return exh_jsonl_summary_run(b, s, NULL, NULL);
}

exhunt_err exh_jsonl_summary_run(exh_dynbuf *b, const exh_summary *s, const exh_run_record *run,
                                 const char *nothing_examined)
{
  const exhunt_scan_stats *st = s->stats;
  jw w = {b, EXHUNT_OK, false};
  jhead(&w, "summary");
  jstr(&w, "command", s->command);
  jstr(&w, "version", EXHUNT_VERSION);
  juint(&w, "files_seen", st->files_seen);
  juint(&w, "files_scanned", st->files_scanned);
  juint(&w, "dirs_seen", st->dirs_seen);
  uint64_t skipped_total = 0;
  jobject(&w, "skipped");
  for (unsigned i = 0; i < EXHUNT_SKIP_COUNT; i++) {
    skipped_total += i == EXHUNT_SKIP_CONTENT_SIZE ? 0 : st->skipped[i];
    juint(&w, exhunt_skip_reason_name((exhunt_skip_reason)i), st->skipped[i]);
  }
  jraw(&w, "}");
  juint(&w, "skipped_total", skipped_total);
  juint(&w, "errors", st->errors);
  juint(&w, "notes", st->notes);
  uint64_t total = 0;
  jobject(&w, "findings");
  for (int i = EXHUNT_SEV_COUNT - 1; i >= 0; i--) {
    total += s->reported[i];
    juint(&w, exhunt_severity_name((exhunt_severity)i), s->reported[i]);
  }
  jraw(&w, "}");
  juint(&w, "findings_total", total);
  juint(&w, "files_flagged", s->files_flagged);
  if (st->records)
    juint(&w, "records", st->records);
  juint(&w, "bytes_read", st->bytes_read);
  jkey(&w, "elapsed_seconds");
  if (!w.err)
    w.err = exh_dynbuf_addf(b, "%.3f", s->elapsed_seconds);
  if (s->rules) {
    const exhunt_rules_info *r = s->rules;
    jkey(&w, "rules");
    if (!w.err)
      w.err =
          exh_dynbuf_addf(b,
                          "{\"yara_rules\":%zu,\"yara_files\":%zu,\"iocs\":{\"sha256\":%zu,"
                          "\"sha1\":%zu,\"md5\":%zu,\"filename\":%zu,\"path\":%zu},"
                          "\"heuristics\":%s}",
                          r->yara_rules, r->yara_files, r->iocs_sha256, r->iocs_sha1, r->iocs_md5,
                          r->iocs_name, r->iocs_path, r->heuristics ? "true" : "false");
  }
  if (nothing_examined)
    jstr(&w, "nothing_examined", nothing_examined);
  if (run)
    jrun(&w, run);
  jkey(&w, "exit_code");
  if (!w.err)
    w.err = exh_dynbuf_addf(b, "%d", s->exit_code);
  jraw(&w, "}\n");
  return w.err;
}

/* ---------------------------------------------------------------------- */
/* Text.                                                                   */

/* Info has no colour. */
static const char *const sev_colors[] = {
    [EXHUNT_SEV_CRITICAL] = "\033[1;31m",
    [EXHUNT_SEV_HIGH] = "\033[31m",
    [EXHUNT_SEV_MEDIUM] = "\033[33m",
    [EXHUNT_SEV_LOW] = "\033[36m",
};

/* Text is built with the display escaper for anything from evidence or
 * rules, so no byte of input reaches a terminal raw. */
static exhunt_err tdisp(exh_dynbuf *b, const char *s)
{
  return exh_escape_display(b, s, strlen(s));
}

/* `label`, then `value` for display: both only when there is a value and
 * no error so far. Returns the error so far. */
static exhunt_err tfield(exh_dynbuf *b, exhunt_err err, const char *label, const char *value)
{
  if (err || !value)
    return err;
  err = exh_dynbuf_adds(b, label);
  return err ? err : tdisp(b, value);
}

/* `label`, then `t` as ISO 8601, when there is no error so far. Returns the
 * error so far. */
static exhunt_err ttime(exh_dynbuf *b, exhunt_err err, const char *label, int64_t t)
{
  if (!err)
    err = exh_dynbuf_adds(b, label);
  return err ? err : exh_iso8601(b, t);
}

exhunt_err exh_text_finding(exh_dynbuf *b, const exhunt_finding *f, bool color, bool new_file)
{
  exhunt_err err = EXHUNT_OK;
  const exhunt_file_part *fp = f->kind == EXHUNT_FINDING_FILE ? &f->file : NULL;
  const exhunt_log_part *l = f->kind == EXHUNT_FINDING_LOG ? &f->log : NULL;
  if (new_file) {
    /* A file's header carries its digest, size and time; a log's, its
     * path alone (each record has its own line and time). */
    err = tfield(b, err, "\n== ", f->path ? f->path : "");
    if (!err && fp && fp->have_sha256) {
      err = exh_dynbuf_adds(b, "\n   sha256 ");
      if (!err)
        err = exh_hex(b, fp->sha256, 32);
    }
    if (!err && fp)
      err = exh_dynbuf_addf(b, "\n   size %llu, modified ", (unsigned long long)fp->size);
    if (!err && fp)
      err = exh_iso8601(b, fp->mtime);
    if (!err)
      err = exh_dynbuf_addc(b, '\n');
  }
  char tag[16];
  const char *name = exhunt_severity_name(f->severity);
  size_t i = 0;
  for (; name[i] && i < sizeof tag - 1; i++)
    tag[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
  tag[i] = '\0';
  if (!err)
    err = exh_dynbuf_addf(
        b, "   %s[%s]%s %s%s%s: ", color ? EXH_NAME_AT(sev_colors, f->severity, "") : "", tag,
        color ? "\033[0m" : "", f->id ? f->id : "", f->id ? " " : "", f->category);
  if (!err)
    err = tdisp(b, f->title);
  if (!err && l) {
    err = exh_dynbuf_addf(b, "\n     line %llu", (unsigned long long)l->line);
    if (l->timestamp != EXHUNT_NO_TIME)
      err = ttime(b, err, ", ", l->timestamp);
    err = tfield(b, err, ", from ", l->client_ip);
    if (!err && l->outcome)
      err = exh_dynbuf_addf(b, ", %s", l->outcome);
    for (size_t k = 0; k < l->n_cves && !err; k++)
      err = exh_dynbuf_addf(b, "%s%s", k ? ", " : " (", l->cves[k]);
    if (!err && l->n_cves)
      err = exh_dynbuf_addc(b, ')');
    err = tfield(b, err, "\n     agent: ", l->user_agent);
    if (!err && l->artifact) {
      err = exh_dynbuf_adds(b, "\n     shows: ");
      if (!err)
        err = exh_escape_display(b, l->artifact, l->artifact_len > 300 ? 300 : l->artifact_len);
    }
    /* a sum over many records (a tunnel's requests) */
    err = tfield(b, err, "\n     sum:   ", f->description);
    if (!err) {
      err = exh_dynbuf_adds(b, "\n     text:  ");
      if (!err)
        err = exh_escape_display(b, l->excerpt, l->excerpt_len > 300 ? 300 : l->excerpt_len);
      if (!err && l->excerpt_len > 300)
        err = exh_dynbuf_adds(b, "...");
    }
  }
  err = tfield(b, err, "\n     rule:  ", f->rule);
  if (f->source) {
    err = tfield(b, err, " (", f->source);
    err = tfield(b, err, ", by ", f->author);
    err = tfield(b, err, ", ", f->license);
    if (!err)
      err = exh_dynbuf_adds(b, ")");
  }
  err = tfield(b, err, "\n     ref:   ", f->reference);
  /* Three matches tell a reader what fired; JSONL carries them all. */
  size_t n_matches = fp ? fp->n_matches : 0;
  size_t shown = n_matches < 3 ? n_matches : 3;
  for (size_t k = 0; k < shown && !err; k++) {
    const exhunt_match *m = &fp->matches[k];
    err = tfield(b, err, "\n     match: ", m->identifier ? m->identifier : "");
    if (!err)
      err = exh_dynbuf_addf(b, " @%llu: ", (unsigned long long)m->offset);
    if (!err)
      err = exh_escape_display(b, m->data, m->len);
  }
  if (!err && n_matches > shown)
    err = exh_dynbuf_addf(b, "\n     (%zu more matches in --format jsonl)", n_matches - shown);
  if (!err)
    err = exh_dynbuf_addc(b, '\n');
  return err;
}

exhunt_err exh_text_notice(exh_dynbuf *b, const exhunt_notice *n)
{
  exhunt_err err = exh_dynbuf_addf(
      b, "exhunt: %s: %s: ", n->kind == EXHUNT_NOTICE_ERROR ? "error" : "note", n->what);
  if (!err && n->path) {
    err = tdisp(b, n->path);
    if (!err)
      err = exh_dynbuf_adds(b, ": ");
  }
  if (!err)
    err = tdisp(b, n->reason);
  if (!err)
    err = exh_dynbuf_addc(b, '\n');
  return err;
}

exhunt_err exh_text_run_header(exh_dynbuf *b, const char *command, const exh_run_record *run,
                               const char *roots_label)
{
  exhunt_err err = exh_dynbuf_addf(b, "exhunt %s %s", run->version, command);
  err = tfield(b, err, " on ", run->host);
  err = ttime(b, err, ", started ", run->started);
  err = tfield(b, err, "\n  command: ", run->command_line);
  if (!err && run->rules_sha256)
    err = exh_dynbuf_addf(b, "\n  rules:   sha256 %s", run->rules_sha256);
  /* Ten roots tell a reader what was looked at; JSON Lines has them all. */
  size_t shown = run->n_roots < 10 ? run->n_roots : 10;
  if (!err && run->n_roots)
    err = exh_dynbuf_addf(b, "\n  %s: ", roots_label ? roots_label : "evidence");
  for (size_t i = 0; i < shown && !err; i++) {
    if (i)
      err = exh_dynbuf_adds(b, ", ");
    if (!err)
      err = tdisp(b, run->roots[i]);
  }
  if (!err && run->n_roots > shown)
    err = exh_dynbuf_addf(b, " (and %zu more)", run->n_roots - shown);
  if (!err)
    err = exh_dynbuf_addc(b, '\n');
  return err;
}

exhunt_err exh_text_summary(exh_dynbuf *b, const exh_summary *s)
{
  return exh_text_summary_run(b, s, NULL, NULL);
}

/* The verdict line's words for each exit code (docs/exit-codes.md). */
static const char *const verdict_words[] = {
    [0] = "nothing found",
    [1] = "FINDINGS",
    [2] = "ERROR (the run did not complete)",
    [3] = "ATTEMPTS ONLY (attacks tried or scans seen, none succeeded)",
    [4] = "VULNERABLE",
    [5] = "NOT ENOUGH EVIDENCE",
};

exhunt_err exh_text_summary_run(exh_dynbuf *b, const exh_summary *s, const exh_run_record *run,
                                const char *nothing_examined)
{
  const exhunt_scan_stats *st = s->stats;
  uint64_t total = 0, skipped = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    total += s->reported[i];
  for (int i = 0; i < EXHUNT_SKIP_COUNT; i++)
    skipped += i == EXHUNT_SKIP_CONTENT_SIZE ? 0 : st->skipped[i];
  exhunt_err err = exh_dynbuf_addf(
      b, "exhunt %s: %llu files seen, %llu scanned, %llu skipped, %llu errors, %.1f MB in %.2f s\n",
      s->command, (unsigned long long)st->files_seen, (unsigned long long)st->files_scanned,
      (unsigned long long)skipped, (unsigned long long)st->errors, (double)st->bytes_read / 1e6,
      s->elapsed_seconds);
  if (!err && (skipped || st->skipped[EXHUNT_SKIP_CONTENT_SIZE])) {
    err = exh_dynbuf_adds(b, "  skipped:");
    for (int i = 0; i < EXHUNT_SKIP_COUNT && !err; i++)
      if (st->skipped[i])
        err = exh_dynbuf_addf(b, " %s=%llu", exhunt_skip_reason_name((exhunt_skip_reason)i),
                              (unsigned long long)st->skipped[i]);
    if (!err)
      err = exh_dynbuf_addc(b, '\n');
  }
  /* Notes (a file that is no log, lines cut, ...) go to the text output
   * only with -v; the count says there are some to look at. */
  if (!err && st->notes)
    err = exh_dynbuf_addf(b, "  notes: %llu (-v shows them)\n", (unsigned long long)st->notes);
  if (!err)
    err = exh_dynbuf_addf(b,
                          "  findings: %llu in %llu files (critical %llu, high %llu, medium %llu, "
                          "low %llu, info %llu)\n",
                          (unsigned long long)total, (unsigned long long)s->files_flagged,
                          (unsigned long long)s->reported[EXHUNT_SEV_CRITICAL],
                          (unsigned long long)s->reported[EXHUNT_SEV_HIGH],
                          (unsigned long long)s->reported[EXHUNT_SEV_MEDIUM],
                          (unsigned long long)s->reported[EXHUNT_SEV_LOW],
                          (unsigned long long)s->reported[EXHUNT_SEV_INFO]);
  if (!err && s->rules)
    err = exh_dynbuf_addf(b,
                          "  rules: %zu YARA rules in %zu files, %zu hash and %zu name/path "
                          "IOCs, heuristics %s\n",
                          s->rules->yara_rules, s->rules->yara_files,
                          s->rules->iocs_sha256 + s->rules->iocs_sha1 + s->rules->iocs_md5,
                          s->rules->iocs_name + s->rules->iocs_path,
                          s->rules->heuristics ? "on" : "off");
  if (nothing_examined) {
    err = tfield(b, err, "  nothing examined: ", nothing_examined);
    if (!err)
      err = exh_dynbuf_addc(b, '\n');
  }
  if (run) {
    err = ttime(b, err, "  ended: ", run->ended);
    if (!err)
      err = exh_dynbuf_addc(b, '\n');
  }
  /* Exit 5 says why: nothing examined, or errors left evidence out. */
  const char *why = s->exit_code != 5  ? ""
                    : nothing_examined ? " (nothing examined)"
                                       : " (errors left evidence unexamined)";
  if (!err)
    err = exh_dynbuf_addf(b, "  verdict: %s%s (exit %d)\n",
                          EXH_NAME_AT(verdict_words, s->exit_code, "?"), why, s->exit_code);
  return err;
}
