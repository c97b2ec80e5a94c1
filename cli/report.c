/*
 * report.c - the shared output side of the exhunt sub-commands; see
 * report.h. Records are rendered by lib/output/format.c into one buffer and
 * written whole, so a line is never split; the library serialises the sink
 * calls, so nothing here needs a lock.
 */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/strset.h"
#include "output/format.h"

void cli_report_init(cli_report *r, const char *command)
{
  memset(r, 0, sizeof *r);
  r->command = command;
  r->min_severity = EXHUNT_SEV_LOW;
  r->exit_override = -1;
  exh_dynbuf_init(&r->line, 0);
  exh_dynbuf_init(&r->last_path, 0);
  exh_dynbuf_init(&r->coverage, 0);
}

bool cli_parse_format(const char *s, out_format *out)
{
  if (strcmp(s, "text") == 0)
    *out = FMT_TEXT;
  else if (strcmp(s, "jsonl") == 0 || strcmp(s, "json") == 0)
    *out = FMT_JSONL;
  else
    return false;
  return true;
}

int cli_report_option(cli_report *r, int opt, const char *arg, const char **output,
                      bool *no_progress)
{
  switch (opt) {
  case 'f':
    if (!cli_parse_format(arg, &r->format)) {
      cli_usage_error(r->command, "unknown format '%s' (text or jsonl)", arg);
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
    fputs("\r\033[K", stderr);
    c->progress_drawn = false;
  }
}

static void write_line(cli_report *c, FILE *f)
{
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
                                          : exh_text_finding(&c->line, f, c->color, new_file);
  if (err)
    c->write_errors++;
  if (c->out_is_tty)
    clear_progress(c);
  write_line(c, c->out);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  cli_report *c = ctx;
  if (c->format == FMT_JSONL) {
    if (exh_jsonl_notice(&c->line, n))
      c->write_errors++;
    write_line(c, c->out);
    return;
  }
  if (n->kind != EXHUNT_NOTICE_ERROR && !c->verbose)
    return;
  if (exh_text_notice(&c->line, n))
    c->write_errors++;
  clear_progress(c);
  write_line(c, stderr);
}

static void on_progress(void *ctx, const exhunt_scan_stats *s)
{
  cli_report *c = ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double secs =
      (double)(now.tv_sec - c->start.tv_sec) + (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
  if (secs <= 0)
    secs = 1e-9;
  uint64_t found = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    found += c->reported[i];
  fprintf(stderr, "\r\033[K%llu files, %.0f files/s, %.1f MB/s, %llu findings",
          (unsigned long long)s->files_scanned, (double)s->files_scanned / secs,
          (double)s->bytes_read / 1e6 / secs, (unsigned long long)found);
  c->progress_drawn = true;
}

static void on_coverage(void *ctx, const exhunt_coverage *cov)
{
  cli_report *c = ctx;
  if (c->format == FMT_JSONL) {
    if (exh_jsonl_coverage(&c->line, cov))
      c->write_errors++;
    write_line(c, c->out);
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

/* Evidence is read-only: refuse an output file inside any scanned root. */
bool cli_output_inside_roots(const char *output, char **roots, int n_roots)
{
  char dirbuf[PATH_MAX];
  snprintf(dirbuf, sizeof dirbuf, "%s", output);
  char *slash = strrchr(dirbuf, '/');
  const char *dir = slash ? (slash == dirbuf ? "/" : (*slash = '\0', dirbuf)) : ".";
  char *out_real = realpath(dir, NULL);
  if (!out_real)
    return false;
  bool inside = false;
  for (int i = 0; i < n_roots && !inside; i++) {
    char *root_real = realpath(roots[i], NULL);
    if (!root_real)
      continue;
    struct stat st;
    if (stat(root_real, &st) == 0 && S_ISDIR(st.st_mode)) {
      size_t rl = strlen(root_real);
      inside = strncmp(out_real, root_real, rl) == 0 &&
               (out_real[rl] == '\0' || out_real[rl] == '/' || rl == 1);
    }
    free(root_real);
  }
  free(out_real);
  return inside;
}

int cli_report_open(cli_report *r, const char *output, char **roots, int n_roots, bool no_progress)
{
  if (output) {
    if (cli_output_inside_roots(output, roots, n_roots))
      return cli_usage_error(r->command,
                             "refusing to write '%s' inside a scanned path (evidence is "
                             "read-only)",
                             output);
    r->out_file = fopen(output, "w");
    if (!r->out_file) {
      fprintf(stderr, "exhunt %s: cannot write '%s': %s\n", r->command, output, strerror(errno));
      return EXIT_ERROR;
    }
    r->out = r->out_file;
  } else {
    r->out = stdout;
    r->out_is_tty = isatty(STDOUT_FILENO);
  }
  const char *no_color = getenv("NO_COLOR");
  r->color = r->out_is_tty && !(no_color && *no_color) && r->format == FMT_TEXT;
  r->progress = !no_progress && isatty(STDERR_FILENO);
  clock_gettime(CLOCK_MONOTONIC, &r->start);
  return 0;
}

int cli_report_finish(cli_report *r, exhunt_scan_stats *stats, const exhunt_rules_info *rules)
{
  clear_progress(r);
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  uint64_t reported = 0;
  for (int i = 0; i < EXHUNT_SEV_COUNT; i++)
    reported += r->reported[i];
  int rc = reported                                               ? EXIT_FINDINGS
           : (stats->errors || r->load_errors || r->write_errors) ? EXIT_ERROR
                                                                  : EXIT_CLEAN;
  if (r->exit_override >= 0)
    rc = r->exit_override;
  exh_summary sum = {r->command, stats, rules, {0}, r->files_flagged, 0, rc};
  memcpy(sum.reported, r->reported, sizeof sum.reported);
  sum.elapsed_seconds =
      (double)(end.tv_sec - r->start.tv_sec) + (double)(end.tv_nsec - r->start.tv_nsec) / 1e9;
  /* The error count in the summary includes rule-load errors. */
  stats->errors += r->load_errors;
  if (r->format == FMT_JSONL) {
    exh_jsonl_summary(&r->line, &sum);
    write_line(r, r->out);
  } else if (!r->quiet) {
    exh_dynbuf_addc(&r->line, '\n');
    if (r->coverage.len) {
      exh_dynbuf_adds(&r->line, "log coverage (how far back the verdict reaches):\n");
      exh_dynbuf_add(&r->line, r->coverage.data, r->coverage.len);
    }
    exh_text_summary(&r->line, &sum);
    write_line(r, r->out);
  }
  return rc;
}

int cli_report_close(cli_report *r, int rc)
{
  if (r->out && (fflush(r->out) != 0 || r->write_errors)) {
    fprintf(stderr, "exhunt %s: writing output failed\n", r->command);
    rc = EXIT_ERROR;
  }
  if (r->out_file && fclose(r->out_file) != 0) {
    fprintf(stderr, "exhunt %s: closing output failed: %s\n", r->command, strerror(errno));
    rc = EXIT_ERROR;
  }
  r->out_file = NULL;
  exh_dynbuf_free(&r->line);
  exh_dynbuf_free(&r->last_path);
  exh_dynbuf_free(&r->coverage);
  exh_strset_free(&r->flagged);
  return rc;
}
