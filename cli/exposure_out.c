/*
 * exposure_out.c - see exposure_out.h. The library reports a server's
 * builds first and its verdicts after, so a text block is complete when
 * the next server's first build arrives, or at the end.
 */
#include "exposure_out.h"

#include <string.h>

#include "cli.h"
#include "output/csv.h"
#include "output/escape.h"
#include "output/format.h"

void exposure_out_init(exposure_out *o, cli_report *r)
{
  memset(o, 0, sizeof *o);
  o->report = r;
  o->outcome = EXIT_CLEAN;
  exh_dynbuf_init(&o->head, 0);
  exh_dynbuf_init(&o->table, 0);
  exh_dynbuf_init(&o->server, 0);
}

void exposure_out_free(exposure_out *o)
{
  exh_dynbuf_free(&o->head);
  exh_dynbuf_free(&o->table);
  exh_dynbuf_free(&o->server);
}

static void emit(exposure_out *o, exh_dynbuf *b)
{
  cli_report *r = o->report;
  if (b->len && fwrite(b->data, 1, b->len, r->out) != b->len)
    r->write_errors++;
  exh_dynbuf_reset(b);
}

static void flush_block(exposure_out *o)
{
  if (!o->head.len && !o->table.len)
    return;
  if (o->have_rows)
    exh_dynbuf_addf(&o->head, "\n   %-20s %-11s %-15s %s\n", "FAMILY", "STATUS", "FIXED IN", "CVE");
  emit(o, &o->head);
  emit(o, &o->table);
  o->have_rows = false;
}

static void disp(exh_dynbuf *b, const char *s)
{
  exh_escape_display(b, s, strlen(s));
}

/* `label`, then `value` for display, when there is a value. */
static void labelled(exh_dynbuf *b, const char *label, const char *value)
{
  if (!value)
    return;
  exh_dynbuf_adds(b, label);
  disp(b, value);
}

static void date_only(exh_dynbuf *b, int64_t t)
{
  exh_dynbuf tmp;
  exh_dynbuf_init(&tmp, 0);
  if (exh_iso8601(&tmp, t) == EXHUNT_OK && tmp.len >= 10)
    exh_dynbuf_add(b, tmp.data, 10);
  else
    exh_dynbuf_adds(b, "?");
  exh_dynbuf_free(&tmp);
}

static void on_build(void *ctx, const exhunt_build_seen *s)
{
  exposure_out *o = ctx;
  cli_report *r = o->report;
  if (strcmp(s->result, "found") != 0)
    o->no_build++;
  o->support_counted = false; /* verdicts that follow are another server's */
  if (r->format == FMT_JSONL) {
    if (exh_jsonl_build(&r->line, s))
      r->write_errors++;
    emit(o, &r->line);
    return;
  }
  if (r->format == FMT_CSV) {
    /* Builds are no rows; a target or server without one is said on
     * stderr, where errors go (the exit code says it too). Each server
     * has one current build, or none. */
    bool found = strcmp(s->result, "found") == 0;
    if (!found || s->current)
      o->servers++;
    if (found)
      return;
    exh_dynbuf *b = &r->line;
    exh_dynbuf_addf(b, "exhunt %s: ", r->command);
    disp(b, s->server ? s->server : s->target ? s->target : "?");
    exh_dynbuf_addf(b, ": %s: ", s->result);
    disp(b, s->detail ? s->detail : "");
    exh_dynbuf_addc(b, '\n');
    if (fwrite(b->data, 1, b->len, stderr) != b->len)
      r->write_errors++;
    exh_dynbuf_reset(b);
    return;
  }
  /* A new server starts with its first build, after the previous one's
   * verdicts, or when the server named in the record changes. */
  bool other_server = (s->server == NULL) != (o->server.len == 0) ||
                      (s->server && strcmp(s->server, o->server.data) != 0);
  if (o->have_rows || other_server)
    flush_block(o);
  exh_dynbuf *h = &o->head;
  if (!h->len) {
    o->servers++;
    exh_dynbuf_reset(&o->server);
    exh_dynbuf_adds(h, "\n== ");
    if (s->server) {
      exh_dynbuf_adds(&o->server, s->server);
      disp(h, s->server);
    } else {
      exh_dynbuf_adds(h, "build given on the command line");
    }
    exh_dynbuf_addc(h, '\n');
  }
  if (strcmp(s->result, "found") != 0) {
    /* The probe's reasons often start with the outcome already. */
    const char *detail = s->detail ? s->detail : "";
    size_t rl = strlen(s->result);
    if (strncmp(detail, s->result, rl) == 0 && detail[rl] == ':')
      exh_dynbuf_adds(h, "   ");
    else
      exh_dynbuf_addf(h, "   %s: ", s->result);
    disp(h, detail);
    exh_dynbuf_addc(h, '\n');
    flush_block(o);
    return;
  }
  exh_dynbuf_addf(h, "   %s ", s->current ? "build  " : "earlier");
  disp(h, s->build);
  exh_dynbuf_adds(h, "  from ");
  disp(h, s->source ? s->source : "?");
  if (s->first != EXHUNT_NO_TIME && !s->target) {
    exh_dynbuf_adds(h, ", ");
    date_only(h, s->first);
    exh_dynbuf_adds(h, " .. ");
    date_only(h, s->last);
    exh_dynbuf_addf(h, " (%llu sighting%s)", (unsigned long long)s->sightings,
                    s->sightings == 1 ? "" : "s");
  }
  labelled(h, "\n           ", s->detail);
  labelled(h, "\n           in ", s->current ? s->path : NULL);
  exh_dynbuf_addc(h, '\n');
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  exposure_out *o = ctx;
  cli_report *r = o->report;
  /* exposure and probe report exposure findings only */
  if (f->kind != EXHUNT_FINDING_EXPOSURE)
    return;
  const exhunt_exposure_part *x = &f->exposure;
  if (x->status) {
    if (strcmp(x->status, "vulnerable") == 0)
      o->vulnerable++;
    else if (strcmp(x->status, "unknown") == 0)
      o->unknown++;
    else
      o->patched++;
    if (!o->support_counted && cli_out_of_support(x->support))
      o->unsupported++;
    o->support_counted = true;
  }
  o->outcome = cli_exit_worst(o->outcome, cli_finding_exit(f));
  if (f->severity < r->min_severity)
    return;
  r->reported[f->severity]++;
  if (r->format == FMT_JSONL || r->format == FMT_CSV) {
    exhunt_err err =
        r->format == FMT_JSONL ? exh_jsonl_finding(&r->line, f) : exh_csv_finding(&r->line, f);
    if (err)
      r->write_errors++;
    emit(o, &r->line);
    return;
  }
  if (!o->have_rows) {
    exh_dynbuf *h = &o->head;
    if (!h->len) {
      /* --build: no build record precedes the verdicts. */
      o->servers++;
      exh_dynbuf_adds(h, "\n== build ");
      disp(h, x->build ? x->build : "?");
      exh_dynbuf_adds(h, " (given)\n");
    }
    labelled(h, "   product ", x->product ? x->product : "not in the build database");
    labelled(h, "\n   support ", x->support);
    exh_dynbuf_addc(h, '\n');
    o->have_rows = true;
  }
  exh_dynbuf *t = &o->table;
  char status[16];
  size_t i = 0;
  for (; x->status && x->status[i] && i < sizeof status - 1; i++)
    status[i] = (char)(x->status[i] - ('a' <= x->status[i] && x->status[i] <= 'z' ? 32 : 0));
  status[i] = '\0';
  /* The family id (the rule is "exhunt.exposure.<family>") keeps the
   * table narrow; the title is in JSONL. */
  const char *family = x->family ? x->family : f->rule;
  const char *on = "", *off = "";
  if (r->color) {
    on = f->severity >= EXHUNT_SEV_HIGH  ? "\033[1;31m"
         : f->severity == EXHUNT_SEV_LOW ? "\033[33m"
                                         : "\033[32m";
    off = "\033[0m";
  }
  exh_dynbuf_adds(t, "   ");
  size_t before = t->len;
  disp(t, family);
  size_t shown = t->len - before;
  exh_dynbuf_addf(t, "%*s %s%-11s%s %-15s ", (int)(shown < 20 ? 20 - shown : 0), "", on, status,
                  off, x->fixed_in ? x->fixed_in : "-");
  for (size_t k = 0; k < x->n_cves; k++)
    exh_dynbuf_addf(t, "%s%s", k ? "," : "", x->cves[k]);
  labelled(t, "\n      ", f->description);
  exh_dynbuf_addc(t, '\n');
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  exposure_out *o = ctx;
  cli_report *r = o->report;
  if (n->kind == EXHUNT_NOTICE_ERROR && strcmp(n->what, "no-build") == 0)
    o->no_build++;
  if (r->format == FMT_JSONL) {
    if (exh_jsonl_notice(&r->line, n))
      r->write_errors++;
    emit(o, &r->line);
    return;
  }
  if (n->kind != EXHUNT_NOTICE_ERROR && !r->verbose)
    return;
  if (exh_text_notice(&r->line, n))
    r->write_errors++;
  fflush(r->out);
  if (r->line.len && fwrite(r->line.data, 1, r->line.len, stderr) != r->line.len)
    r->write_errors++;
  exh_dynbuf_reset(&r->line);
}

exhunt_sink exposure_out_sink(exposure_out *o)
{
  exhunt_sink s = {
      .ctx = o, .on_finding = on_finding, .on_notice = on_notice, .on_build = on_build};
  return s;
}

int exposure_out_finish(exposure_out *o, exhunt_scan_stats *stats)
{
  cli_report *r = o->report;
  flush_block(o);
  int rc = o->outcome;
  if (o->no_build || stats->errors)
    rc = cli_exit_worst(rc, EXIT_INSUFFICIENT);
  r->exit_override = rc;
  if (r->format != FMT_JSONL) {
    /* Text: one line of totals replaces the file-scan summary, which
     * says nothing useful here (CSV: on stderr, the rows are the file). */
    if (!r->quiet) {
      exh_run_record run;
      cli_report_run_record(r, &run);
      exh_dynbuf_addf(&r->line,
                      "\n%s: %llu server%s; family verdicts: %llu vulnerable, %llu unknown, "
                      "%llu patched; %llu out of support; %llu without a build\n  ended: ",
                      r->command, (unsigned long long)o->servers, o->servers == 1 ? "" : "s",
                      (unsigned long long)o->vulnerable, (unsigned long long)o->unknown,
                      (unsigned long long)o->patched, (unsigned long long)o->unsupported,
                      (unsigned long long)o->no_build);
      exh_iso8601(&r->line, run.ended);
      exh_dynbuf_addf(&r->line, "\n  verdict: %s (exit %d)\n",
                      rc == EXIT_VULNERABLE ? "VULNERABLE or OUT OF SUPPORT"
                      : rc == EXIT_INSUFFICIENT
                          ? "NOT ENOUGH EVIDENCE (no build, unknown, or errors)"
                          : "every family patched, supported",
                      rc);
      if (r->format == FMT_CSV) {
        if (fwrite(r->line.data, 1, r->line.len, stderr) != r->line.len)
          r->write_errors++;
        exh_dynbuf_reset(&r->line);
      } else {
        emit(o, &r->line);
      }
    }
    r->quiet = true;
  }
  return cli_report_finish(r, stats, NULL);
}
