/*
 * hunt_out.c - see hunt_out.h. The library reports a server's records in
 * one block (builds, findings, coverage, stories, verdict), so the text
 * report of a server is written when its verdict arrives, verdict first.
 * JSON Lines and timelines are written as records come; the HTML report,
 * which embeds every record, at the end.
 */
#include "hunt_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output/escape.h"
#include "output/format.h"
#include "output/timeline.h"

#define TOP_FINDINGS 10
#define ALL_RECORDS_MAX (1024ull * 1024 * 1024) /* HTML report data cap */

static const char *const verdict_names[] = {"COMPROMISED", "EXPLOITED", "ATTEMPTED",
                                            "SCANNED",     "CLEAN",     "INSUFFICIENT EVIDENCE"};

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
               {"csv", HUNT_TIMESKETCH_CSV},
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
  exh_dynbuf_init(&o->all, ALL_RECORDS_MAX);
  exh_dynbuf_init(&o->line, 0);
  exh_dynbuf_init(&o->block, 0);
  exh_dynbuf_init(&o->story, 0);
  exh_dynbuf_init(&o->top, 0);
  exh_dynbuf_init(&o->facts, 0);
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
    if (o->outs[i].fmt == fmt && b->len && fwrite(b->data, 1, b->len, o->outs[i].f) != b->len)
      o->write_errors++;
}

int hunt_out_open(hunt_out *o, char **roots, int n_roots, bool no_progress)
{
  cli_report *r = o->report;
  for (size_t i = 0; i < o->n_outs; i++) {
    hunt_output *out = &o->outs[i];
    if (!out->path) {
      out->f = stdout;
      continue;
    }
    for (size_t k = 0; k < i; k++)
      if (o->outs[k].path && strcmp(o->outs[k].path, out->path) == 0)
        return cli_usage_error("hunt", "'%s' is named for two outputs", out->path);
    if (cli_output_inside_roots(out->path, roots, n_roots))
      return cli_usage_error(
          "hunt", "refusing to write '%s' inside evidence (evidence is read-only)", out->path);
    out->f = fopen(out->path, "w");
    if (!out->f) {
      fprintf(stderr, "exhunt hunt: cannot write '%s': %s\n", out->path, strerror(errno));
      return EXIT_ERROR;
    }
  }
  exh_dynbuf_reset(&o->line);
  exh_timeline_header(&o->line, EXH_TIMELINE_CSV);
  put(o, HUNT_TIMESKETCH_CSV, &o->line);
  exh_dynbuf_reset(&o->line);
  const char *no_color = getenv("NO_COLOR");
  bool text_tty = false;
  for (size_t i = 0; i < o->n_outs; i++)
    text_tty = text_tty || (o->outs[i].fmt == HUNT_TEXT && !o->outs[i].path && isatty(1));
  r->color = text_tty && !(no_color && *no_color);
  r->out = stdout;
  o->progress = !no_progress && isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &r->start);
  return 0;
}

/* A JSON record goes to the JSON Lines outputs and into the HTML data. */
static void record(hunt_out *o, exhunt_err err)
{
  if (err)
    o->write_errors++;
  put(o, HUNT_JSONL, &o->line);
  if (wants(o, HUNT_HTML) && exh_dynbuf_add(&o->all, o->line.data, o->line.len) != EXHUNT_OK)
    o->write_errors++;
  exh_dynbuf_reset(&o->line);
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
    put(o, fmt, &o->line);
  }
  exh_dynbuf_reset(&o->line);
}

static void disp(exh_dynbuf *b, const char *s)
{
  exh_escape_display(b, s ? s : "", s ? strlen(s) : 0);
}

static void ids(exh_dynbuf *b, exhunt_evidence e)
{
  if (!e.n)
    return;
  exh_dynbuf_adds(b, " [");
  for (size_t i = 0; i < e.n && i < 12; i++)
    exh_dynbuf_addf(b, "%s%s", i ? " " : "", e.ids[i]);
  if (e.n > 12)
    exh_dynbuf_addf(b, " +%zu", e.n - 12);
  exh_dynbuf_addc(b, ']');
}

static void clear_progress(hunt_out *o)
{
  if (o->progress_drawn) {
    fputs("\r\033[K", stderr);
    o->progress_drawn = false;
  }
}

static void on_progress(void *ctx, const exhunt_scan_stats *s)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double secs =
      (double)(now.tv_sec - r->start.tv_sec) + (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
  if (secs <= 0)
    secs = 1e-9;
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
  if (s->first != EXHUNT_NO_TIME) {
    exh_dynbuf_adds(b, ", ");
    exh_iso8601(b, s->first);
    exh_dynbuf_adds(b, " .. ");
    exh_iso8601(b, s->last);
  }
  exh_dynbuf_addc(b, '\n');
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  o->n_findings++;
  record(o, exh_jsonl_finding(&o->line, f));
  timeline_finding(o, f, f->server);
  if (!wants(o, HUNT_TEXT))
    return;
  if (f->status) { /* exposure: one line per vulnerable or unknown family */
    if (strcmp(f->status, "patched") != 0) {
      exh_dynbuf_addf(&o->facts, "   %-10s %s ", f->status, f->id ? f->id : "");
      disp(&o->facts, f->title);
      if (f->fixed_in) {
        exh_dynbuf_adds(&o->facts, " (fixed in ");
        disp(&o->facts, f->fixed_in);
        exh_dynbuf_addc(&o->facts, ')');
      }
      exh_dynbuf_addc(&o->facts, '\n');
    }
    return;
  }
  if (f->severity < r->min_severity)
    return;
  /* Top findings: the most severe per file (they arrive most severe
   * first), so one shell does not fill the screen. */
  bool seen_path = f->path && o->top.data && !f->line && strstr(o->top.data, f->path);
  if (o->n_top < TOP_FINDINGS && f->severity >= EXHUNT_SEV_HIGH && !seen_path) {
    o->n_top++;
    exh_dynbuf_addf(&o->top, "   [%s] %s %s: ", exhunt_severity_name(f->severity), f->id,
                    f->category);
    disp(&o->top, f->title);
    exh_dynbuf_adds(&o->top, "\n        ");
    disp(&o->top, f->path);
    if (f->line)
      exh_dynbuf_addf(&o->top, ":%llu", (unsigned long long)f->line);
    exh_dynbuf_addc(&o->top, '\n');
  }
  exh_dynbuf_addf(&o->block, "\n   %s", f->id ? f->id : "");
  exh_text_finding(&o->block, f, r->color, true);
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
  /* A cap hit (EXHUNT_ELIMIT: a line cut, a folder too deep, a story
   * capped) left part of the evidence unexamined: shown like an error, not
   * only with -v, so a text-only run does not skip it silently. */
  if (n->kind == EXHUNT_NOTICE_ERROR || n->code == EXHUNT_ELIMIT || r->verbose) {
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
    const char *idv[12];
    size_t n = 0;
    for (size_t k = i; k < j && n < 12; k++)
      idv[n++] = st->steps[k].evidence;
    ids(b, (exhunt_evidence){idv, n});
    exh_dynbuf_addc(b, '\n');
    i = j;
  }
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
      exh_dynbuf_addf(b, "\n           used by %zu request%s", s->requests.n,
                      s->requests.n == 1 ? "" : "s");
      ids(b, s->requests);
    }
    exh_dynbuf_addc(b, '\n');
  }
}

static int verdict_index(const char *v)
{
  for (int i = 0; i < 6; i++)
    if (strcmp(v, verdict_names[i]) == 0)
      return i;
  return 5;
}

static void on_verdict(void *ctx, const exhunt_verdict *v)
{
  hunt_out *o = ctx;
  cli_report *r = o->report;
  o->verdicts[verdict_index(v->verdict)]++;
  clear_progress(o);
  record(o, exh_jsonl_verdict(&o->line, v));
  if (wants(o, HUNT_TEXT)) {
    exh_dynbuf *b = &o->line;
    exh_dynbuf_adds(b, "\n== ");
    disp(b, v->server);
    int vi = verdict_index(v->verdict);
    const char *on = "", *off = "";
    if (r->color) {
      on = vi <= 1   ? "\033[1;41;97m"
           : vi <= 3 ? "\033[1;33m"
           : vi == 4 ? "\033[1;32m"
                     : "\033[1;35m";
      off = "\033[0m";
    }
    exh_dynbuf_addf(b, "\n\n   VERDICT: %s%s%s", on, v->verdict, off);
    if (v->first_activity != EXHUNT_NO_TIME) {
      exh_dynbuf_adds(b, "   (activity ");
      exh_iso8601(b, v->first_activity);
      exh_dynbuf_adds(b, " .. ");
      exh_iso8601(b, v->last_activity);
      exh_dynbuf_addc(b, ')');
    }
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
    if (o->top.len) {
      exh_dynbuf_adds(b, "\n   top findings:\n");
      exh_dynbuf_add(b, o->top.data, o->top.len);
    }
    if (o->facts.len) {
      exh_dynbuf_adds(b, "\n   build, exposure and log coverage:\n");
      exh_dynbuf_add(b, o->facts.data, o->facts.len);
    }
    if (o->block.len) {
      exh_dynbuf_adds(b, "\n   details:");
      exh_dynbuf_add(b, o->block.data, o->block.len);
    }
    put(o, HUNT_TEXT, b);
    exh_dynbuf_reset(b);
  }
  exh_dynbuf_reset(&o->block);
  exh_dynbuf_reset(&o->story);
  exh_dynbuf_reset(&o->top);
  exh_dynbuf_reset(&o->facts);
  o->n_top = 0;
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
  uint64_t positive = o->verdicts[0] + o->verdicts[1] + o->verdicts[2] + o->verdicts[3];
  int rc = positive                                              ? EXIT_FINDINGS
           : (o->verdicts[5] || stats->errors || r->load_errors) ? EXIT_ERROR
                                                                 : EXIT_CLEAN;
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  exh_summary sum = {"hunt", stats, rules, {0}, 0, 0, rc};
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    sum.reported[i] = stats->findings[i];
  sum.elapsed_seconds =
      (double)(end.tv_sec - r->start.tv_sec) + (double)(end.tv_nsec - r->start.tv_nsec) / 1e9;
  stats->errors += r->load_errors;
  record(o, exh_jsonl_summary(&o->line, &sum));
  if (wants(o, HUNT_TEXT) && !r->quiet) {
    exh_dynbuf_adds(&o->line, "\nhunt: ");
    bool any = false;
    for (int i = 0; i < 6; i++)
      if (o->verdicts[i]) {
        exh_dynbuf_addf(&o->line, "%s%llu %s", any ? ", " : "", (unsigned long long)o->verdicts[i],
                        verdict_names[i]);
        any = true;
      }
    exh_dynbuf_addf(
        &o->line,
        "%s; %llu findings, %llu files, %llu log records, %llu errors, %.2f s (exit %d)\n",
        any ? "" : "no server", (unsigned long long)o->n_findings,
        (unsigned long long)stats->files_seen, (unsigned long long)stats->records,
        (unsigned long long)stats->errors, sum.elapsed_seconds, rc);
    put(o, HUNT_TEXT, &o->line);
    exh_dynbuf_reset(&o->line);
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
  for (size_t i = 0; i < o->n_outs; i++) {
    hunt_output *out = &o->outs[i];
    if (!out->f)
      continue;
    if (fflush(out->f) != 0)
      o->write_errors++;
    if (out->path && fclose(out->f) != 0)
      o->write_errors++;
    out->f = NULL;
  }
  if (o->write_errors) {
    fprintf(stderr, "exhunt hunt: writing output failed\n");
    rc = EXIT_ERROR;
  }
  exh_dynbuf_free(&o->all);
  exh_dynbuf_free(&o->line);
  exh_dynbuf_free(&o->block);
  exh_dynbuf_free(&o->story);
  exh_dynbuf_free(&o->top);
  exh_dynbuf_free(&o->facts);
  return rc;
}
