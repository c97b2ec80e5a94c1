/*
 * report.c - the shared output side of the exhunt sub-commands; see
 * report.h. Records are rendered by lib/output/format.c (and csv.c) into
 * one buffer and written whole, so a line is never split; the library
 * serialises the sink calls, so nothing here needs a lock.
 *
 * The exit code follows docs/exit-codes.md: each reported finding asks for
 * one (cli_finding_exit), the most urgent wins; with none, a run that left
 * evidence unexamined (errors) or examined nothing at all says 5, "not
 * enough evidence", never 0: an empty folder is not a clean server.
 */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/strset.h"
#include "interrupt.h"
#include "os.h"
#include "output/csv.h"
#include "output/escape.h"
#include "output/format.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/process.h"

void cli_report_init(cli_report *r, const char *command)
{
  memset(r, 0, sizeof *r);
  r->command = command;
  r->min_severity = EXHUNT_SEV_LOW;
  r->exit_override = -1;
  r->outcome = EXIT_CLEAN;
  exh_dynbuf_init(&r->line, 0);
  exh_dynbuf_init(&r->last_path, 0);
  exh_dynbuf_init(&r->coverage, 0);
  cli_outfile_init(&r->outfile);
  r->started = (int64_t)time(NULL);
  /* A host name is whatever the administrator set: up to 255 bytes, not
   * always NUL-terminated when cut, and escaped wherever it is shown. */
  if (exh_hostname(r->host, sizeof r->host - 1) != 0)
    r->host[0] = '\0';
  r->host[sizeof r->host - 1] = '\0';
  exh_dynbuf_init(&r->command_line, 1u << 20);
  if (cli_command_line(&r->command_line) != EXHUNT_OK)
    exh_dynbuf_reset(&r->command_line); /* over 1 MiB of arguments: left out */
  r->roots_label = "evidence";
}

void cli_report_set_roots(cli_report *r, const char *const *roots, size_t n, const char *label)
{
  r->roots = roots;
  r->n_roots = n;
  if (label)
    r->roots_label = label;
}

void cli_report_run_record(const cli_report *r, exh_run_record *out)
{
  memset(out, 0, sizeof *out);
  out->started = r->started;
  out->ended = (int64_t)time(NULL);
  out->command_line = r->command_line.data ? r->command_line.data : "";
  out->version = EXHUNT_VERSION;
  out->rules_sha256 = r->rules_sha256[0] ? r->rules_sha256 : NULL;
  out->host = r->host[0] ? r->host : NULL;
  out->roots = r->roots;
  out->n_roots = r->n_roots;
}

bool cli_parse_format(const char *s, out_format *out)
{
  if (strcmp(s, "text") == 0)
    *out = FMT_TEXT;
  else if (strcmp(s, "jsonl") == 0 || strcmp(s, "json") == 0)
    *out = FMT_JSONL;
  else if (strcmp(s, "csv") == 0)
    *out = FMT_CSV;
  else
    return false;
  return true;
}

int cli_finding_exit(const exhunt_finding *f)
{
  switch (f->kind) {
  case EXHUNT_FINDING_EXPOSURE: {
    /* An exposure verdict. */
    const char *status = f->exposure.status ? f->exposure.status : "";
    if (strcmp(status, "vulnerable") == 0 || cli_out_of_support(f->exposure.support))
      return EXIT_VULNERABLE;
    return strcmp(status, "unknown") == 0 ? EXIT_INSUFFICIENT : EXIT_CLEAN;
  }
  case EXHUNT_FINDING_LOG:
    if (f->log.outcome) {
      /* A log record: did something succeed, or was it tried? Web-shell
       * requests and commands after the fact are success whatever the
       * outcome field says. */
      const char *cat = f->category ? f->category : "";
      if (strcmp(f->log.outcome, "exploited") == 0 || strncmp(cat, "webshell-", 9) == 0 ||
          strcmp(cat, "post-exploitation") == 0)
        return EXIT_FINDINGS;
      return EXIT_ATTEMPTS;
    }
    break;
  case EXHUNT_FINDING_FILE:
    break;
  }
  return EXIT_FINDINGS;
}

double cli_report_elapsed(const cli_report *r)
{
  return (double)(exh_monotonic_ns() - r->start_ns) / 1e9;
}

bool cli_out_of_support(const char *support)
{
  return support && strncmp(support, "out of support", 14) == 0;
}

int cli_report_option(cli_report *r, int opt, const char *arg, const char **output,
                      bool *no_progress)
{
  switch (opt) {
  case 'f':
    if (!cli_parse_format(arg, &r->format)) {
      cli_usage_error(r->command, "unknown format '%s' (text, jsonl or csv)", arg);
      return -1;
    }
    return 1;
  case 'o':
    *output = arg;
    return 1;
  case CLI_OPT_MINSEV:
    if (exhunt_severity_parse(arg, &r->min_severity) != EXHUNT_OK) {
      cli_usage_error(r->command, "unknown severity '%s'", arg);
      return -1;
    }
    return 1;
  case 'v':
    r->verbose = true;
    return 1;
  case 'q':
    r->quiet = true;
    return 1;
  case CLI_OPT_NOPROGRESS:
    *no_progress = true;
    return 1;
  default:
    return 0;
  }
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "exhunt %s: ", command);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'exhunt help %s'.\n", command);
  return EXIT_ERROR;
}

static void clear_progress(cli_report *c)
{
  if (c->progress_drawn) {
    cli_interrupt_progress(false);
    fputs("\r\033[K", stderr);
    c->progress_drawn = false;
  }
}

/* Writes the record in c->line to f; `formatted` is what building it
 * returned, counted as a write error when it failed. */
static void write_line(cli_report *c, exhunt_err formatted, FILE *f)
{
  if (formatted)
    c->write_errors++;
  if (c->line.len && fwrite(c->line.data, 1, c->line.len, f) != c->line.len)
    c->write_errors++;
  exh_dynbuf_reset(&c->line);
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  cli_report *c = ctx;
  if (f->severity < c->min_severity)
    return;
  c->reported[f->severity]++;
  c->outcome = cli_exit_worst(c->outcome, cli_finding_exit(f));
  /* A file's findings arrive together (one batch per file). */
  bool new_file = !c->last_path.data || strcmp(c->last_path.data, f->path) != 0;
  if (new_file) {
    exh_dynbuf_reset(&c->last_path);
    exh_dynbuf_adds(&c->last_path, f->path);
    /* Out of memory, a path counts as new: the summary may then count a
     * file twice, but never drops one. */
    if (exh_strset_add(&c->flagged, f->path) != 0)
      c->files_flagged++;
  }
  exhunt_err err = c->format == FMT_JSONL ? exh_jsonl_finding(&c->line, f)
                   : c->format == FMT_CSV ? exh_csv_finding(&c->line, f)
                                          : exh_text_finding(&c->line, f, c->color, new_file);
  if (c->out_is_tty)
    clear_progress(c);
  write_line(c, err, c->out);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  cli_report *c = ctx;
  if (c->format == FMT_JSONL) {
    write_line(c, exh_jsonl_notice(&c->line, n), c->out);
    return;
  }
  if (n->kind != EXHUNT_NOTICE_ERROR && !c->verbose)
    return;
  exhunt_err err = exh_text_notice(&c->line, n);
  clear_progress(c);
  write_line(c, err, stderr);
}

static void on_progress(void *ctx, const exhunt_scan_stats *s)
{
  cli_report *c = ctx;
  double secs = cli_report_elapsed(c);
  if (secs <= 0)
    secs = 1e-9;
  uint64_t found = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    found += c->reported[i];
  /* Said drawn before it is: a Ctrl-C in between clears an empty line. */
  cli_interrupt_progress(true);
  c->progress_drawn = true;
  fprintf(stderr, "\r\033[K%llu files, %.0f files/s, %.1f MB/s, %llu findings",
          (unsigned long long)s->files_scanned, (double)s->files_scanned / secs,
          (double)s->bytes_read / 1e6 / secs, (unsigned long long)found);
}

static void on_coverage(void *ctx, const exhunt_coverage *cov)
{
  cli_report *c = ctx;
  if (c->format == FMT_JSONL) {
    write_line(c, exh_jsonl_coverage(&c->line, cov), c->out);
  } else if (exh_text_coverage(&c->coverage, cov)) {
    c->write_errors++;
  }
}

exhunt_sink cli_report_sink(cli_report *r, bool coverage)
{
  exhunt_sink s = {.ctx = r,
                   .on_finding = on_finding,
                   .on_notice = on_notice,
                   .on_progress = r->progress ? on_progress : NULL,
                   .on_coverage = coverage ? on_coverage : NULL};
  return s;
}

int cli_check_roots(const char *command, char **roots, int n_roots)
{
  for (int i = 0; i < n_roots; i++) {
    exh_stat st;
    if (exh_stat_path(roots[i], &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      /* The argument may hold anything: shown in its display form. */
      int saved = errno;
      exh_dynbuf shown;
      exh_dynbuf_init(&shown, 0);
      exh_escape_display(&shown, roots[i], strlen(roots[i]));
      int rc = cli_usage_error(command, "'%s': %s", shown.data ? shown.data : "", strerror(saved));
      exh_dynbuf_free(&shown);
      return rc;
    }
  }
  return 0;
}

int cli_report_open(cli_report *r, const char *output, char **roots, int n_roots, bool no_progress)
{
  if (output && strcmp(output, "-") == 0)
    output = NULL;
  if (output && r->atomic_output) {
    int rc = cli_outfile_open(&r->outfile, r->command, output, roots, n_roots);
    if (rc)
      return rc;
    r->out = r->outfile.f;
    /* -o /dev/stdout or a terminal device: treat it as the terminal. */
    r->out_is_tty = cli_os_is_terminal(fileno(r->out));
  } else if (output) {
    /* Written as it goes (watch): the same refusals, in place. */
    int rc = cli_outfile_open_direct(&r->outfile, r->command, output, roots, n_roots);
    if (rc)
      return rc;
    r->out = r->outfile.f;
  } else {
    r->out = stdout;
    r->out_is_tty = cli_os_is_terminal(fileno(stdout));
  }
  const char *no_color = getenv("NO_COLOR");
  r->color = r->out_is_tty && !(no_color && *no_color) && r->format == FMT_TEXT;
  r->progress = !no_progress && cli_os_is_terminal(fileno(stderr));
  r->start_ns = exh_monotonic_ns();
  if (r->format == FMT_CSV)
    write_line(r, exh_csv_header(&r->line), r->out);
  return 0;
}

void cli_report_header(cli_report *r, const exhunt_rules_info *rules)
{
  if (rules && rules->sha256[0])
    memcpy(r->rules_sha256, rules->sha256, sizeof r->rules_sha256);
  if (r->format == FMT_JSONL || r->quiet)
    return;
  exh_run_record run;
  cli_report_run_record(r, &run);
  exhunt_err err = exh_text_run_header(&r->line, r->command, &run, r->roots_label);
  /* CSV: the file holds findings only; the run goes where notes go. */
  write_line(r, err, r->format == FMT_CSV ? stderr : r->out);
}

/* Why nothing was examined, in plain words, or NULL if something was. */
static const char *nothing_examined(const cli_report *r, const exhunt_scan_stats *st, char *buf,
                                    size_t cap)
{
  if (r->empty_check == CLI_EMPTY_NONE || st->files_scanned > 0)
    return NULL;
  char skips[256] = "";
  size_t used = 0;
  for (int i = 0; i < EXHUNT_SKIP_COUNT; i++) {
    if (!st->skipped[i] || used >= sizeof skips)
      continue;
    int n = snprintf(skips + used, sizeof skips - used, "%s%s=%llu", used ? ", " : "",
                     exhunt_skip_reason_name((exhunt_skip_reason)i),
                     (unsigned long long)st->skipped[i]);
    if (n > 0)
      used += (size_t)n;
  }
  if (r->empty_check == CLI_EMPTY_LOGS)
    snprintf(buf, cap,
             "no log exhunt reads was found under the %s given (%llu file%s looked at%s%s)",
             r->n_roots == 1 ? "path" : "paths", (unsigned long long)st->files_seen,
             st->files_seen == 1 ? "" : "s", skips[0] ? "; skipped: " : "", skips);
  else if (st->files_seen == 0 && !skips[0])
    snprintf(buf, cap, "no file under the %s given (an empty folder, or nothing mounted there?)",
             r->n_roots == 1 ? "path" : "paths");
  else if (st->files_seen == 0)
    snprintf(buf, cap, "no file left to read under the %s given (skipped: %s)",
             r->n_roots == 1 ? "path" : "paths", skips);
  else
    snprintf(buf, cap, "%llu file%s seen, none read%s%s%s", (unsigned long long)st->files_seen,
             st->files_seen == 1 ? "" : "s", skips[0] ? " (skipped: " : "", skips,
             skips[0] ? ")" : "");
  return buf;
}

int cli_report_finish(cli_report *r, exhunt_scan_stats *stats, const exhunt_rules_info *rules)
{
  clear_progress(r);
  double elapsed = cli_report_elapsed(r);
  char why_buf[512];
  const char *nothing = nothing_examined(r, stats, why_buf, sizeof why_buf);
  int rc = r->outcome;
  if (rc == EXIT_CLEAN && (stats->errors || r->load_errors || nothing))
    rc = EXIT_INSUFFICIENT;
  if (r->exit_override >= 0)
    rc = r->exit_override;
  exh_summary sum = {r->command, stats, rules, {0}, r->files_flagged, 0, rc};
  memcpy(sum.reported, r->reported, sizeof sum.reported);
  sum.elapsed_seconds = elapsed;
  /* The error count in the summary includes rule-load errors. */
  stats->errors += r->load_errors;
  exh_run_record run;
  cli_report_run_record(r, &run);
  if (nothing) {
    /* The CLI's own note, not the library's: not in the notes count. */
    if (r->format == FMT_JSONL) {
      exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "nothing-examined", NULL, nothing};
      write_line(r, exh_jsonl_notice(&r->line, &n), r->out);
    } else if (r->quiet || (r->format == FMT_TEXT && !r->out_is_tty)) {
      /* The summary says it too, but not where the user is looking. */
      fprintf(stderr, "exhunt %s: nothing examined: ", r->command);
      exh_escape_display(&r->line, nothing, strlen(nothing));
      exh_dynbuf_addc(&r->line, '\n');
      write_line(r, EXHUNT_OK, stderr);
    }
  }
  if (r->format == FMT_JSONL) {
    write_line(r, exh_jsonl_summary_run(&r->line, &sum, &run, nothing), r->out);
  } else if (!r->quiet) {
    exh_dynbuf_addc(&r->line, '\n');
    if (r->coverage.len) {
      exh_dynbuf_adds(&r->line, "log coverage (how far back the verdict reaches):\n");
      exh_dynbuf_add(&r->line, r->coverage.data, r->coverage.len);
    }
    exhunt_err err = exh_text_summary_run(&r->line, &sum, &run, nothing);
    /* CSV: the summary is no row; it goes where notes go. */
    write_line(r, err, r->format == FMT_CSV ? stderr : r->out);
  }
  return rc;
}

int cli_report_close(cli_report *r, int rc)
{
  if (r->outfile.f) {
    /* Whole or not at all: the previous file stays unless this run got
     * to its end and every write went through. */
    r->outfile.failed = r->write_errors != 0;
    if (r->write_errors)
      fprintf(stderr, "exhunt %s: writing output failed\n", r->command);
    if (cli_outfile_finish(&r->outfile, r->command, rc != EXIT_ERROR) != 0 || r->write_errors)
      rc = EXIT_ERROR;
    r->out = NULL;
  }
  if (r->out && (fflush(r->out) != 0 || r->write_errors)) {
    fprintf(stderr, "exhunt %s: writing output failed\n", r->command);
    rc = EXIT_ERROR;
  }
  exh_dynbuf_free(&r->line);
  exh_dynbuf_free(&r->last_path);
  exh_dynbuf_free(&r->coverage);
  exh_dynbuf_free(&r->command_line);
  exh_strset_free(&r->flagged);
  return rc;
}
