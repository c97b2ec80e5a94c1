/*
 * options.c - the option tables of options.h made into a getopt_long
 * parser and a help text, and the rows of every shared option: its name,
 * where its value goes, its range and its usual words, each written once
 * here. A typed row's value is taken and checked here, with one message
 * per kind ("bad --NAME 'VALUE' (RANGE)"), whichever command it is given
 * to; the output and rule options go to report.c and rules_load.c, and a
 * command's rows that need code to its own handler.
 */
#include "options.h"
#include "native_paths.h"

#include <assert.h>
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "interrupt.h"

const char cli_inert[] = "(taken, without effect here)";

/* A shared row: value kind and place in cli_groups, range and its words.
 * A number's range NULL: said as MIN..MAX. */
#define ROW(val, name, meta, kind, member, min, max, range, help)                                  \
  {                                                                                                \
    val, name, meta, help, kind, CLI_AT(cli_groups, member), 0, min, max, range                    \
  }
#define ROW_BY_CODE(val, name, meta, help)                                                         \
  {                                                                                                \
    val, name, meta, help, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                        \
  }
#define DATE_RANGE "want 2021-03-01 or 2021-03-01T12:00:00Z"

/* Every shared option. help NULL: each command says it in its own words
 * (what --exclude skips, what a date bounds, differ by command). */
static const cli_option shared_rows[] = {
    /* scope and window */
    {CLI_OPT_EXCLUDE, "exclude", "GLOB", NULL, CLI_K_LIST, CLI_AT(cli_groups, exclude_slots),
     offsetof(cli_groups, scope.n_excludes), 0, 0, NULL},
    ROW(CLI_OPT_ONE_FS, "one-file-system", NULL, CLI_K_FLAG, scope.one_file_system, 0, 0, NULL,
        "do not enter other file systems"),
    ROW(CLI_OPT_SINCE, "since", "DATE", CLI_K_DATE, window.since, 0, 0, DATE_RANGE, NULL),
    ROW(CLI_OPT_UNTIL, "until", "DATE", CLI_K_DATE_END, window.until, 0, 0, DATE_RANGE, NULL),
    ROW(CLI_OPT_NEWER, "newer-than", "DATE", CLI_K_DATE, newer_than, 0, 0, DATE_RANGE, NULL),
    ROW(CLI_OPT_MAX_DEPTH, "max-depth", "N", CLI_K_UINT, scope.max_depth, 1, 4096, NULL,
        "directory depth limit (default 64)"),
    /* resources */
    ROW(CLI_OPT_THREADS, "threads", "N", CLI_K_UINT, resources.threads, 1, 256, NULL,
        "worker threads (default: one per core)"),
    ROW(CLI_OPT_NICE, "nice", NULL, CLI_K_FLAG, nice, 0, 0, NULL,
        "lowest CPU priority and idle I/O class"),
    ROW(CLI_OPT_CPU_LIMIT, "cpu-limit", "PERCENT", CLI_K_UINT, resources.pace.cpu_percent, 1,
        100u * 256u, "percent of one core: 50 = half a core",
        "CPU time of the run, in percent of one core (50 = half)"),
    /* MB/s as the help says it; K/M/G suffixes read as sizes per second
     * (10M = 10 MiB/s) */
    ROW(CLI_OPT_MAX_RATE, "max-rate", "MB", CLI_K_RATE, resources.pace.max_rate, 1, UINT64_MAX,
        "MB/s, e.g. 20 or 512K", "read at most MB megabytes (MiB) per second; or 512K, 2G"),
    /* caps (docs/limits.md) */
    ROW(CLI_OPT_MAX_FILESIZE, "max-filesize", "SIZE", CLI_K_SIZE, max_filesize, 1, UINT64_MAX, NULL,
        "content rules skip larger files, which are still hashed\n"
        "(default 32M; K, M, G suffixes)"),
    ROW(CLI_OPT_YARA_TIMEOUT, "yara-timeout", "SEC", CLI_K_UINT, limits.yara_timeout, 1, 86400,
        "seconds, 1..86400", "YARA time per file (default 30)"),
    ROW(CLI_OPT_MAX_FINDINGS, "max-findings-per-file", "N", CLI_K_UINT,
        limits.max_findings_per_file, 1, EXHUNT_LIMIT_MAX_FINDINGS_PER_FILE, NULL,
        "(default and most 64)"),
    ROW(CLI_OPT_MAX_LINE, "max-line", "SIZE", CLI_K_SIZE, limits.max_line, 1024,
        EXHUNT_LIMIT_MAX_LINE, "1K..256M",
        "log line or joined record length (default 1M, most 256M)"),
    ROW(CLI_OPT_MAX_FIELDS, "max-fields", "N", CLI_K_UINT, limits.max_fields, 8,
        EXHUNT_LIMIT_MAX_FIELDS, NULL, "fields per log record (default and most 512)"),
    ROW(CLI_OPT_MAX_GZ, "max-gz-bytes", "SIZE", CLI_K_SIZE, limits.gz_max_bytes, 1024 * 1024,
        UINT64_MAX, "at least 1M", "decompressed bytes per .gz log (default 8G)"),
    ROW(CLI_OPT_GZ_RATIO, "gz-ratio", "N", CLI_K_UINT, limits.gz_max_ratio, 2, 100000, NULL,
        "decompressed/compressed ratio past 1 MiB (default 200)"),
    /* rules (rules_load.c) */
    ROW_BY_CODE(CLI_OPT_RULES, "rules", "PATH",
                "add YARA rules: a .yar/.yara file or a folder of them\n(repeatable); externals "
                "filename, filepath, extension,\nfiletype and owner are defined as Loki/THOR do"),
    ROW_BY_CODE(CLI_OPT_IOCS, "iocs", "FILE", "add an IOC list in exhunt TSV format (repeatable)"),
    ROW_BY_CODE(CLI_OPT_NO_DEFAULT, "no-default-rules", NULL, "drop the embedded default pack"),
    ROW_BY_CODE(CLI_OPT_NO_HEUR, "no-heuristics", NULL, "turn the built-in heuristics off"),
    /* the report (report.c) */
    ROW_BY_CODE('f', "format", "FMT",
                "text (default), jsonl (schema exhunt/1) or csv (one row\nper finding; notes and "
                "the summary on stderr)"),
    ROW_BY_CODE('o', "output", "FILE",
                "write there instead of stdout ('-': stdout); replaced\nonly when the run is "
                "complete; never under a PATH"),
    ROW_BY_CODE(CLI_OPT_MINSEV, "min-severity", "LEVEL",
                "report findings at or above LEVEL (default low)"),
    ROW_BY_CODE('v', "verbose", NULL, "text: also print notes on stderr"),
    ROW_BY_CODE('q', "quiet", NULL, "text: no run header and no summary"),
    ROW_BY_CODE(CLI_OPT_NOPROGRESS, "no-progress", NULL,
                "no progress line (it is only drawn on a terminal)"),
};
#define N_SHARED (sizeof shared_rows / sizeof shared_rows[0])

/* Where the descriptions start, as in every help text of exhunt. */
#define HELP_COLUMN 24
/* Most rows a table may hold (the longest, hunt's, has about 40). */
#define MAX_ROWS 96

/* A letter is its own short option too: -x, -j, -f... */
static bool has_short(int val)
{
  return val > 0 && val < 128 && isalpha(val);
}

static bool is_end(const cli_option *r)
{
  return r->val == 0 && !r->name && !r->help;
}

static bool is_text(const cli_option *r)
{
  return r->val == 0 && !r->name && r->help;
}

static const cli_option *shared_row(int val)
{
  for (size_t i = 0; i < N_SHARED; i++)
    if (shared_rows[i].val == val)
      return &shared_rows[i];
  return NULL;
}

/* A row with its name and value filled in: its own, or the shared one's. */
static cli_option resolve(const cli_option *r)
{
  if (r->name || r->val == 0)
    return *r;
  const cli_option *s = shared_row(r->val);
  if (!s) { /* a table names a shared option that shared_rows lacks: a bug */
    fprintf(stderr, "exhunt: option %d has no shared row\n", r->val);
    abort();
  }
  cli_option out = *s;
  if (r->help)
    out.help = r->help;
  return out;
}

/* "  -x, --name META", then the description at the column (or two spaces
 * on, past it), continued there after each "\n". */
static void option_help(FILE *out, const cli_option *r)
{
  int n = has_short(r->val) ? fprintf(out, "  -%c, --%s", r->val, r->name)
                            : fprintf(out, "  --%s", r->name);
  if (r->meta)
    n += fprintf(out, " %s", r->meta);
  /* A shared option without usual words has the command's (options.h). */
  assert(r->help && "a table names a shared option without words of its own");
  fprintf(out, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 2, "");
  for (const char *p = r->help ? r->help : ""; *p; p++) {
    fputc(*p, out);
    if (*p == '\n')
      fprintf(out, "%*s", HELP_COLUMN, "");
  }
  fputc('\n', out);
}

/* The inert rows, named together so the help still lists every option
 * the parser takes. */
static void inert_help(FILE *out, const cli_option *rows)
{
  const char *lead = "Also taken, without effect here (one command line fits several commands):";
  int col = 80;
  for (const cli_option *r = rows; !is_end(r); r++) {
    if (r->help != cli_inert)
      continue;
    cli_option o = resolve(r);
    if (lead) {
      fprintf(out, "%s\n ", lead);
      lead = NULL;
      col = 1;
    } else {
      fputc(',', out);
      col++;
    }
    if (col + 3 + (int)strlen(o.name) > 79) {
      fputs("\n ", out);
      col = 1;
    }
    col += fprintf(out, " --%s", o.name);
  }
  if (!lead)
    fputc('\n', out);
}

/* A row the help lists as an option of the command's. */
static bool is_listed(const cli_option *r)
{
  return !is_text(r) && r->help != cli_inert && r->kind != CLI_K_REFUSED;
}

void cli_help(FILE *out, const cli_command *cmd)
{
  const cli_option *rows = cmd->options;
  const cli_option *last = NULL; /* the last option listed: the inert ones follow it */
  for (const cli_option *r = rows; !is_end(r); r++)
    if (is_listed(r))
      last = r;
  for (const cli_option *r = rows; !is_end(r); r++) {
    if (is_text(r)) {
      fprintf(out, "%s\n", r->help);
    } else if (is_listed(r)) {
      cli_option o = resolve(r);
      option_help(out, &o);
    }
    if (r == last)
      inert_help(out, rows);
  }
}

bool cli_args_init(cli_args *a, const cli_command *cmd, cli_report *report, int argc)
{
  memset(a, 0, sizeof *a);
  a->cmd = cmd;
  a->operands = cmd->operands;
  a->report = report;
  if (report) {
    cli_report_init(report, cmd->name);
    report->min_severity = cmd->min_severity;
    report->atomic_output = cmd->atomic_output;
    report->empty_check = cmd->empty_check;
  }
  bool groups_ok = cli_groups_init(&a->groups, argc);
  bool rules_ok = cli_rule_opts_init(&a->rules, argc);
  if (!groups_ok || !rules_ok)
    fprintf(stderr, "exhunt %s: out of memory\n", cmd->name);
  return groups_ok && rules_ok;
}

void cli_args_free(cli_args *a)
{
  for (int i = 0; a->shown_roots && i < a->n_roots; i++)
    exh_free(a->shown_roots[i]);
  exh_free(a->shown_roots);
  a->shown_roots = NULL;
  cli_groups_free(&a->groups);
  cli_rule_opts_free(&a->rules);
}

/* A shared option taken by code: the report's or the rules'. */
static int take_by_code(cli_args *a, int opt, const char *arg)
{
  int took = a->report ? cli_report_option(a->report, opt, arg, &a->output, &a->no_progress) : 0;
  if (took == 0 && cli_rule_option(&a->rules, opt, arg))
    took = 1;
  /* A table that names a shared option nobody takes is a bug. */
  assert(took != 0 && "a shared option without a handler (or a report)");
  return took < 0 ? EXIT_ERROR : 0;
}

static void store_uint(char *at, size_t size, uint64_t v)
{
  _Static_assert(sizeof(unsigned) == sizeof(uint32_t), "unsigned rows are stored as uint32_t");
  if (size == sizeof(uint64_t)) {
    memcpy(at, &v, sizeof v);
  } else {
    assert(size == sizeof(uint32_t));
    uint32_t v32 = (uint32_t)v;
    memcpy(at, &v32, sizeof v32);
  }
}

/* A typed row's value into `base` (cli_groups, or the command's own
 * struct): 0, or the exit code after "bad --NAME 'VALUE' (RANGE)". */
static int take_value(const cli_option *r, char *base, const char *command, const char *arg)
{
  char *at = base + r->at;
  unsigned n = 0;
  uint64_t v = 0;
  bool date_only = false;
  int64_t t = 0;
  switch (r->kind) {
  case CLI_K_FLAG:
    assert(r->size == sizeof(bool));
    *(bool *)at = true;
    return 0;
  case CLI_K_STRING:
    *(const char **)at = arg;
    return 0;
  case CLI_K_LIST: {
    /* Room for one per argv entry (the owner's init): never full. */
    size_t *count = (size_t *)(base + r->count_at);
    (*(const char ***)at)[(*count)++] = arg;
    return 0;
  }
  case CLI_K_SEVERITY:
    if (exhunt_severity_parse(arg, (exhunt_severity *)at) != EXHUNT_OK)
      return cli_usage_error(command, "unknown severity '%s'", arg);
    return 0;
  case CLI_K_DATE:
  case CLI_K_DATE_END:
    if (!cli_parse_date(arg, &t, &date_only))
      return cli_usage_error(command, "bad --%s date '%s' (%s)", r->name, arg, r->range);
    /* a date alone as an end bound: through that day, as a responder
     * reads it, not up to its first second */
    if (r->kind == CLI_K_DATE_END && date_only)
      t += 86400 - 1;
    memcpy(at, &t, sizeof t);
    return 0;
  case CLI_K_UINT:
    if (!cli_parse_uint(arg, (unsigned)r->max, &n) || n < r->min)
      break;
    store_uint(at, r->size, n);
    return 0;
  case CLI_K_SIZE:
  case CLI_K_RATE:
    if (!cli_parse_size(arg, &v) || v < r->min || v > r->max)
      break;
    if (r->kind == CLI_K_RATE && strspn(arg, "0123456789") == strlen(arg))
      v *= 1024u * 1024u; /* a bare number is MB (MiB) per second */
    store_uint(at, r->size, v);
    return 0;
  case CLI_K_REFUSED:
    return cli_usage_error(command, "%s", r->help);
  case CLI_BY_CODE:
    assert(!"a row taken by code has no value kind");
    break;
  }
  if (r->range)
    return cli_usage_error(command, "bad --%s '%s' (%s)", r->name, arg, r->range);
  if (r->kind == CLI_K_UINT)
    return cli_usage_error(command, "bad --%s '%s' (%llu..%llu)", r->name, arg,
                           (unsigned long long)r->min, (unsigned long long)r->max);
  return cli_usage_error(command, "bad --%s '%s'", r->name, arg);
}

/* One option of the table: 0 once stored, else the exit code (said). */
static int take_option(cli_args *a, const cli_option *row, void *own, int opt, const char *arg)
{
  if (row->name) /* the command's own */
    return row->kind ? take_value(row, own, a->cmd->name, arg) : a->cmd->own_option(own, opt, arg);
  cli_option r = resolve(row);
  return r.kind ? take_value(&r, (char *)&a->groups, a->cmd->name, arg) : take_by_code(a, opt, arg);
}

/* getopt_long's view of a table: its long options and its short ones. */
typedef struct getopt_table {
  struct option longs[MAX_ROWS + 2];
  char shorts[2 * MAX_ROWS + 2];
} getopt_table;

static void make_getopt_table(const cli_option *rows, getopt_table *t)
{
  size_t n = 0, s = 0;
  for (const cli_option *r = rows; !is_end(r); r++) {
    if (is_text(r))
      continue;
    assert(n < MAX_ROWS && "a table longer than MAX_ROWS");
    cli_option o = resolve(r);
    t->longs[n++] = (struct option){o.name, o.meta ? required_argument : no_argument, NULL, o.val};
    if (has_short(o.val)) {
      t->shorts[s++] = (char)o.val;
      if (o.meta)
        t->shorts[s++] = ':';
    }
  }
  /* -h/--help: every command's, never listed. */
  t->longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
  t->longs[n] = (struct option){NULL, 0, NULL, 0};
  t->shorts[s++] = 'h';
  t->shorts[s] = '\0';
}

/* The row that getopt_long returned `val` for. */
static const cli_option *row_of(const cli_option *rows, int val)
{
  for (const cli_option *r = rows; !is_end(r); r++)
    if (!is_text(r) && r->val == val)
      return r;
  return NULL;
}

bool cli_args_parse(cli_args *a, int argc, char **argv, void *own, int *rc)
{
  getopt_table t;
  make_getopt_table(a->cmd->options, &t);
  optind = 1;
  int opt;
  int bad = 0;
  while (!bad && (opt = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
    if (opt == 'h') {
      cli_help(stdout, a->cmd);
      *rc = EXIT_CLEAN;
      return false;
    }
    const cli_option *r = row_of(a->cmd->options, opt);
    if (!r) { /* '?' and ':': getopt said what was wrong */
      fprintf(stderr, "Try 'exhunt help %s'.\n", a->cmd->name);
      bad = EXIT_ERROR;
    } else {
      bad = take_option(a, r, own, opt, optarg);
    }
  }
  if (!bad && a->operands && optind >= argc)
    bad = cli_usage_error(a->cmd->name, "no %s given", a->operands);
  if (!bad)
    bad = cli_groups_check(&a->groups, a->cmd->name);
  if (bad) {
    *rc = bad;
    return false;
  }
  cli_apply_nice(&a->groups, a->cmd->name);
  return true;
}

bool cli_args_start(cli_args *a, const cli_command *cmd, cli_report *report, int argc, char **argv,
                    void *own, int *rc)
{
  if (!cli_args_init(a, cmd, report, argc)) {
    *rc = EXIT_ERROR;
    return false;
  }
  return cli_args_parse(a, argc, argv, own, rc);
}

int cli_subcommand(const cli_command *cmd, int argc, char **argv, const char *const *subs,
                   const char *want, int *rc)
{
  for (int i = 0; argc >= 2 && subs[i]; i++)
    if (strcmp(argv[1], subs[i]) == 0)
      return i;
  if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    cli_help(stdout, cmd);
    *rc = EXIT_CLEAN;
  } else {
    *rc = cli_usage_error(cmd->name, "%s", want);
  }
  return -1;
}

int cli_args_roots(cli_args *a, int argc, char **argv)
{
  a->roots = argv + optind;
  a->n_roots = argc - optind;
  /* Where the OS writes paths its own way (Windows), the run record keeps
   * them as typed and the library gets its '/' form. */
  if (cli_native_paths_differ() && a->n_roots > 0) {
    a->shown_roots = exh_calloc((size_t)a->n_roots, sizeof *a->shown_roots);
    for (int i = 0; a->shown_roots && i < a->n_roots; i++)
      if (!(a->shown_roots[i] = exh_strdup(a->roots[i]))) {
        fputs("exhunt: out of memory\n", stderr);
        return EXIT_ERROR;
      }
    if (!a->shown_roots) {
      fputs("exhunt: out of memory\n", stderr);
      return EXIT_ERROR;
    }
    for (int i = 0; i < a->n_roots; i++)
      cli_native_path_in(a->roots[i]);
  }
  int rc = cli_check_roots(a->cmd->name, a->roots, a->n_roots);
  if (rc != 0)
    return rc;
  cli_report_set_roots(a->report, (const char *const *)(a->shown_roots ? a->shown_roots : a->roots),
                       (size_t)a->n_roots, NULL);
  cli_interrupt_install(a->cmd->name);
  return 0;
}

int cli_args_open(cli_args *a, int argc, char **argv)
{
  int rc = cli_args_roots(a, argc, argv);
  if (rc != 0)
    return rc;
  /* A command draws a progress line if its table offers to turn it off. */
  const cli_option *np = row_of(a->cmd->options, CLI_OPT_NOPROGRESS);
  bool progress = np && np->help != cli_inert;
  return cli_report_open(a->report, a->output, a->roots, a->n_roots, a->no_progress || !progress);
}
