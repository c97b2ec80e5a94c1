/*
 * limits_opt.c - parsing of the shared option groups (scope, resources,
 * caps); see limits_opt.h. The values go to the library as the options
 * structs' scope fields, exhunt_limits and exhunt_pace; --nice is the one
 * option the CLI carries out itself, because priorities belong to the
 * process, not to a library call.
 */
#define _GNU_SOURCE
#include "limits_opt.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"
#include "report.h"

/* ioprio_set(2) has no glibc wrapper; these are its ABI constants. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13

bool cli_scope_init(cli_scope *s, int argc)
{
  memset(s, 0, sizeof *s);
  s->since = s->until = s->newer_than = EXHUNT_NO_TIME;
  s->excludes = exh_calloc(argc > 0 ? (size_t)argc : 1, sizeof *s->excludes);
  return s->excludes != NULL;
}

void cli_scope_free(cli_scope *s)
{
  exh_free(s->excludes);
  s->excludes = NULL;
  s->n_excludes = 0;
}

bool cli_limit_opts_init(cli_limit_opts *lo, int argc)
{
  memset(lo, 0, sizeof *lo);
  return cli_scope_init(&lo->scope, argc);
}

void cli_limit_opts_free(cli_limit_opts *lo)
{
  cli_scope_free(&lo->scope);
}

/* --since, --until, --newer-than: a date alone as an end bound means
 * through that day, as a responder reads it, not up to its first second. */
static int scope_date(const char *command, const char *name, const char *arg, bool end,
                      int64_t *out)
{
  bool date_only = false;
  if (!cli_parse_date(arg, out, &date_only))
    return cli_usage_error(command, "bad --%s date '%s' (want 2021-03-01 or 2021-03-01T12:00:00Z)",
                           name, arg),
           -1;
  if (end && date_only)
    *out += 86400 - 1;
  return 1;
}

int cli_scope_option(cli_scope *s, const char *command, int opt, const char *arg)
{
  switch (opt) {
  case CLI_OPT_EXCLUDE:
    /* Room for one per argv entry (cli_scope_init): never full. */
    s->excludes[s->n_excludes++] = arg;
    return 1;
  case 'x':
    s->one_file_system = true;
    return 1;
  case CLI_OPT_SINCE:
    return scope_date(command, "since", arg, false, &s->since);
  case CLI_OPT_UNTIL:
    return scope_date(command, "until", arg, true, &s->until);
  case CLI_OPT_NEWER:
    return scope_date(command, "newer-than", arg, false, &s->newer_than);
  case CLI_OPT_MAX_DEPTH:
    if (!cli_parse_uint(arg, 4096, &s->max_depth) || s->max_depth == 0)
      return cli_usage_error(command, "bad --max-depth '%s' (1..4096)", arg), -1;
    return 1;
  default:
    return 0;
  }
}

int cli_scope_check(const cli_scope *s, const char *command, int argc, const char *what)
{
  if (what && optind >= argc)
    return cli_usage_error(command, "no %s given", what);
  if (s->since != EXHUNT_NO_TIME && s->until != EXHUNT_NO_TIME && s->until < s->since)
    return cli_usage_error(command, "%s", "--until is before --since");
  return 0;
}

int cli_resource_option(cli_resources *r, const char *command, int opt, const char *arg)
{
  uint64_t size = 0;
  unsigned n = 0;
  switch (opt) {
  case 'j':
    if (!cli_parse_uint(arg, 256, &n) || n == 0)
      return cli_usage_error(command, "bad --threads '%s' (1..256)", arg), -1;
    r->threads = n;
    return 1;
  case CLI_OPT_NICE:
    r->nice = true;
    return 1;
  case CLI_OPT_CPU_LIMIT:
    if (!cli_parse_uint(arg, 100u * 256u, &n) || n == 0)
      return cli_usage_error(command,
                             "bad --cpu-limit '%s' (percent of one core: 50 = half a core)", arg),
             -1;
    r->pace.cpu_percent = n;
    return 1;
  case CLI_OPT_MAX_RATE:
    /* MB/s as the issue and the help say it; K/M/G suffixes read as sizes
     * per second (10M = 10 MiB/s). A bare number is MB (MiB) per second. */
    if (!cli_parse_size(arg, &size) || size == 0)
      return cli_usage_error(command, "bad --max-rate '%s' (MB/s, e.g. 20 or 512K)", arg), -1;
    if (strspn(arg, "0123456789") == strlen(arg))
      size *= 1024u * 1024u;
    r->pace.max_rate = size;
    return 1;
  default:
    return 0;
  }
}

int cli_limit_option(cli_limit_opts *lo, const char *command, int opt, const char *arg)
{
  int group = cli_scope_option(&lo->scope, command, opt, arg);
  if (group == 0)
    group = cli_resource_option(&lo->res, command, opt, arg);
  if (group != 0)
    return group;
  uint64_t size = 0;
  unsigned n = 0;
  switch (opt) {
  case CLI_OPT_MAX_FILESIZE:
    if (!cli_parse_size(arg, &lo->max_filesize) || lo->max_filesize == 0)
      return cli_usage_error(command, "bad --max-filesize '%s'", arg), -1;
    return 1;
  case CLI_OPT_MAX_LINE:
    if (!cli_parse_size(arg, &size) || size < 1024 || size > EXHUNT_LIMIT_MAX_LINE)
      return cli_usage_error(command, "bad --max-line '%s' (1K..256M)", arg), -1;
    lo->limits.max_line = (uint32_t)size;
    return 1;
  case CLI_OPT_MAX_FIELDS:
    if (!cli_parse_uint(arg, EXHUNT_LIMIT_MAX_FIELDS, &n) || n < 8)
      return cli_usage_error(command, "bad --max-fields '%s' (8..%u)", arg,
                             EXHUNT_LIMIT_MAX_FIELDS),
             -1;
    lo->limits.max_fields = n;
    return 1;
  case CLI_OPT_MAX_GZ:
    if (!cli_parse_size(arg, &size) || size < 1024 * 1024)
      return cli_usage_error(command, "bad --max-gz-bytes '%s' (at least 1M)", arg), -1;
    lo->limits.gz_max_bytes = size;
    return 1;
  case CLI_OPT_GZ_RATIO:
    if (!cli_parse_uint(arg, 100000, &n) || n < 2)
      return cli_usage_error(command, "bad --gz-ratio '%s' (2..100000)", arg), -1;
    lo->limits.gz_max_ratio = n;
    return 1;
  case CLI_OPT_YARA_TIMEOUT:
    if (!cli_parse_uint(arg, 86400, &n) || n == 0)
      return cli_usage_error(command, "bad --yara-timeout '%s' (seconds, 1..86400)", arg), -1;
    lo->limits.yara_timeout = n;
    return 1;
  case CLI_OPT_MAX_FINDINGS:
    if (!cli_parse_uint(arg, EXHUNT_LIMIT_MAX_FINDINGS_PER_FILE, &n) || n == 0)
      return cli_usage_error(command, "bad --max-findings-per-file '%s' (1..%u)", arg,
                             EXHUNT_LIMIT_MAX_FINDINGS_PER_FILE),
             -1;
    lo->limits.max_findings_per_file = n;
    return 1;
  default:
    return 0;
  }
}

bool cli_args_init(cli_args *a, const char *command, void (*help)(FILE *out), const char *operands,
                   cli_report *report, int argc)
{
  memset(a, 0, sizeof *a);
  a->command = command;
  a->help = help;
  a->operands = operands;
  a->report = report;
  bool lim_ok = cli_limit_opts_init(&a->lim, argc);
  bool rules_ok = cli_rule_opts_init(&a->rules, argc);
  if (!lim_ok || !rules_ok)
    fprintf(stderr, "exhunt %s: out of memory\n", command);
  return lim_ok && rules_ok;
}

void cli_args_free(cli_args *a)
{
  cli_limit_opts_free(&a->lim);
  cli_rule_opts_free(&a->rules);
}

/* One option: 1 stored by a group, 0 not a group's, -1 a bad value (said). */
static int take_shared(cli_args *a, int opt, const char *arg)
{
  int took = 0;
  if (a->report)
    took = cli_report_option(a->report, opt, arg, &a->output, &a->no_progress);
  if (took == 0 && cli_rule_option(&a->rules, opt, arg))
    took = 1;
  if (took == 0)
    took = cli_limit_option(&a->lim, a->command, opt, arg);
  return took;
}

bool cli_args_parse(cli_args *a, int argc, char **argv, const char *shortopts,
                    const struct option *table, cli_own_option own, void *ctx, int *rc)
{
  optind = 1;
  int opt;
  while ((opt = getopt_long(argc, argv, shortopts, table, NULL)) != -1) {
    int took = take_shared(a, opt, optarg);
    if (took < 0) {
      *rc = EXIT_ERROR;
      return false;
    }
    if (took > 0)
      continue;
    if (opt == 'h') {
      a->help(stdout);
      *rc = EXIT_CLEAN;
      return false;
    }
    /* '?': getopt said what was wrong; an option in the table that
     * nobody takes would be a bug, said the same way rather than lost. */
    if (opt == '?' || opt == ':' || !own) {
      fprintf(stderr, "Try 'exhunt help %s'.\n", a->command);
      *rc = EXIT_ERROR;
      return false;
    }
    int bad = own(ctx, opt, optarg);
    if (bad) {
      *rc = bad;
      return false;
    }
  }
  int bad = cli_scope_check(&a->lim.scope, a->command, argc, a->operands);
  if (bad) {
    *rc = bad;
    return false;
  }
  cli_apply_nice(&a->lim.res, a->command);
  return true;
}

int cli_args_roots(cli_args *a, cli_report *c, int argc, char **argv)
{
  a->roots = argv + optind;
  a->n_roots = argc - optind;
  int rc = cli_check_roots(a->command, a->roots, a->n_roots);
  if (rc != 0)
    return rc;
  cli_report_set_roots(c, (const char *const *)a->roots, (size_t)a->n_roots, NULL);
  cli_interrupt_install(a->command);
  return 0;
}

void cli_apply_nice(const cli_resources *r, const char *command)
{
  if (!r->nice)
    return;
  /* Idle I/O class: the disk serves exhunt only when nobody else asks. Set
   * before the CPU priority, so anyone who sees nice 19 sees both. */
  if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) != 0)
    fprintf(stderr, "exhunt %s: --nice: I/O priority not lowered: %s\n", command, strerror(errno));
  if (setpriority(PRIO_PROCESS, 0, 19) != 0)
    fprintf(stderr, "exhunt %s: --nice: CPU priority not lowered: %s\n", command, strerror(errno));
}

/* The rows of limits_opt.h, for the help printer. */
typedef struct help_row {
  int val;
  char short_opt;
  const char *name, *meta, *help;
} help_row;

#define ROW_HELP(val, short_opt, name, has_arg, meta, help)                                        \
  {                                                                                                \
    val, short_opt, name, meta, help                                                               \
  }
#define ROW_SEP ,
static const help_row help_rows[] = {CLI_ALL_ROWS(ROW_HELP, ROW_SEP)};

/* Where the descriptions start, as in every help text of exhunt. */
#define HELP_COLUMN 24

void cli_option_help(FILE *out, int val)
{
  const help_row *r = NULL;
  for (size_t i = 0; i < sizeof help_rows / sizeof help_rows[0] && !r; i++)
    if (help_rows[i].val == val)
      r = &help_rows[i];
  if (!r || !r->help)
    return; /* a command's own wording: it prints the line itself */
  int n = r->short_opt ? fprintf(out, "  -%c, --%s", r->short_opt, r->name)
                       : fprintf(out, "  --%s", r->name);
  if (r->meta)
    n += fprintf(out, " %s", r->meta);
  /* Padded to the column; one that reaches it is followed by two spaces. */
  fprintf(out, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 2, "");
  for (const char *p = r->help; *p; p++) {
    fputc(*p, out);
    if (*p == '\n')
      fprintf(out, "%*s", HELP_COLUMN, "");
  }
  fputc('\n', out);
}

void cli_limit_help(FILE *out, bool content, bool logs)
{
  fputs("Limits (docs/limits.md; a cap that is hit is reported, as an error when it leaves\n"
        "evidence unexamined; never a silent skip):\n",
        out);
  if (content) {
    cli_option_help(out, CLI_OPT_MAX_FILESIZE);
    cli_option_help(out, CLI_OPT_YARA_TIMEOUT);
    cli_option_help(out, CLI_OPT_MAX_FINDINGS);
  }
  cli_option_help(out, CLI_OPT_MAX_DEPTH);
  if (logs) {
    cli_option_help(out, CLI_OPT_MAX_LINE);
    cli_option_help(out, CLI_OPT_MAX_FIELDS);
    cli_option_help(out, CLI_OPT_MAX_GZ);
    cli_option_help(out, CLI_OPT_GZ_RATIO);
  }
  cli_pace_help(out);
}

void cli_pace_help(FILE *out)
{
  fputs("Resource use (for live servers; docs/limits.md):\n", out);
  cli_option_help(out, CLI_OPT_NICE);
  cli_option_help(out, CLI_OPT_CPU_LIMIT);
  cli_option_help(out, CLI_OPT_MAX_RATE);
}
