/*
 * limits_opt.h - the option groups every evidence-reading command shares,
 * each declared once, parsed in one place, and embedded where it applies:
 *
 *   scope (cli_scope): what is read
 *     --exclude -x/--one-file-system --since --until --newer-than --max-depth
 *   resources (cli_resources): how hard the run presses on the machine
 *     -j/--threads --nice --cpu-limit --max-rate          (production use)
 *   caps (cli_limit_opts, which embeds both groups above)
 *     --max-filesize --max-line --max-fields --max-gz-bytes
 *     --gz-ratio --yara-timeout --max-findings-per-file   (docs/limits.md)
 *
 * A command's getopt_long table lists the entries it accepts (the
 * CLI_*_OPTION(S) macros below); the handlers accept any of them, so a
 * check such as the -j range or the --until/--since order is written once.
 */
#ifndef CLI_LIMITS_OPT_H
#define CLI_LIMITS_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exhunt/exhunt.h"
#include "report.h"

/* The scope group. excludes has one slot per argv entry, so any number
 * of --exclude fit: the one way every command stores them. */
typedef struct cli_scope {
  const char **excludes; /* owned array; the strings are argv's */
  size_t n_excludes;
  bool one_file_system;
  int64_t since, until; /* log record window; EXHUNT_NO_TIME = open */
  int64_t newer_than;   /* file mtime floor; EXHUNT_NO_TIME = all */
  unsigned max_depth;   /* 0 = default */
} cli_scope;

/* The resource group. */
typedef struct cli_resources {
  unsigned threads; /* 0 = one per core */
  exhunt_pace pace;
  bool nice;
} cli_resources;

/* The caps, with the two groups every capped command takes too. */
typedef struct cli_limit_opts {
  cli_scope scope;
  cli_resources res;
  uint64_t max_filesize; /* 0 = default */
  exhunt_limits limits;
} cli_limit_opts;

enum {
  CLI_OPT_MAX_FILESIZE = 1030,
  CLI_OPT_MAX_DEPTH,
  CLI_OPT_MAX_LINE,
  CLI_OPT_MAX_FIELDS,
  CLI_OPT_MAX_GZ,
  CLI_OPT_GZ_RATIO,
  CLI_OPT_YARA_TIMEOUT,
  CLI_OPT_MAX_FINDINGS,
  CLI_OPT_NICE,
  CLI_OPT_CPU_LIMIT,
  CLI_OPT_MAX_RATE,
  CLI_OPT_EXCLUDE,
  CLI_OPT_SINCE,
  CLI_OPT_UNTIL,
  CLI_OPT_NEWER
};

/* The option table: one row per shared option, X(val, short, name,
 * has_arg, metavar, help). The getopt_long entries (CLI_OPTION_*, the
 * CLI_*_OPTIONS groups) and the help lines (cli_option_help) are both
 * made from these rows, so the parser and the help cannot drift apart.
 * Help NULL: the wording is the command's own (what --exclude skips, what
 * a date bounds, differs by command). A "\n" in help continues the text
 * on the next line at the description column. */
/* clang-format off */
#define CLI_ROW_EXCLUDE(X) X(CLI_OPT_EXCLUDE, 0, "exclude", required_argument, "GLOB", NULL)
#define CLI_ROW_ONE_FS(X) X('x', 'x', "one-file-system", no_argument, NULL, \
  "do not enter other file systems")
#define CLI_ROW_SINCE(X) X(CLI_OPT_SINCE, 0, "since", required_argument, "DATE", NULL)
#define CLI_ROW_UNTIL(X) X(CLI_OPT_UNTIL, 0, "until", required_argument, "DATE", NULL)
#define CLI_ROW_NEWER(X) X(CLI_OPT_NEWER, 0, "newer-than", required_argument, "DATE", NULL)
#define CLI_ROW_MAX_DEPTH(X) X(CLI_OPT_MAX_DEPTH, 0, "max-depth", required_argument, "N", \
  "directory depth limit (default 64)")
#define CLI_ROW_THREADS(X) X('j', 'j', "threads", required_argument, "N", \
  "worker threads (default: one per core)")
#define CLI_ROW_NICE(X) X(CLI_OPT_NICE, 0, "nice", no_argument, NULL, \
  "lowest CPU priority and idle I/O class")
#define CLI_ROW_CPU_LIMIT(X) X(CLI_OPT_CPU_LIMIT, 0, "cpu-limit", required_argument, "PERCENT", \
  "CPU time of the run, in percent of one core (50 = half)")
#define CLI_ROW_MAX_RATE(X) X(CLI_OPT_MAX_RATE, 0, "max-rate", required_argument, "MB", \
  "read at most MB megabytes (MiB) per second; or 512K, 2G")
#define CLI_ROW_MAX_FILESIZE(X) X(CLI_OPT_MAX_FILESIZE, 0, "max-filesize", required_argument, \
  "SIZE", "content rules skip larger files, which are still hashed\n" \
  "(default 32M; K, M, G suffixes)")
#define CLI_ROW_YARA_TIMEOUT(X) X(CLI_OPT_YARA_TIMEOUT, 0, "yara-timeout", required_argument, \
  "SEC", "YARA time per file (default 30)")
#define CLI_ROW_MAX_FINDINGS(X) X(CLI_OPT_MAX_FINDINGS, 0, "max-findings-per-file", \
  required_argument, "N", "(default and most 64)")
#define CLI_ROW_MAX_LINE(X) X(CLI_OPT_MAX_LINE, 0, "max-line", required_argument, "SIZE", \
  "log line or joined record length (default 1M, most 256M)")
#define CLI_ROW_MAX_FIELDS(X) X(CLI_OPT_MAX_FIELDS, 0, "max-fields", required_argument, "N", \
  "fields per log record (default and most 512)")
#define CLI_ROW_MAX_GZ(X) X(CLI_OPT_MAX_GZ, 0, "max-gz-bytes", required_argument, "SIZE", \
  "decompressed bytes per .gz log (default 8G)")
#define CLI_ROW_GZ_RATIO(X) X(CLI_OPT_GZ_RATIO, 0, "gz-ratio", required_argument, "N", \
  "decompressed/compressed ratio past 1 MiB (default 200)")

/* Every row, for the help printer (SEP: what goes between two rows). */
#define CLI_ALL_ROWS(X, SEP) \
  CLI_ROW_EXCLUDE(X) SEP CLI_ROW_ONE_FS(X) SEP CLI_ROW_SINCE(X) SEP CLI_ROW_UNTIL(X) SEP \
  CLI_ROW_NEWER(X) SEP CLI_ROW_MAX_DEPTH(X) SEP CLI_ROW_THREADS(X) SEP CLI_ROW_NICE(X) SEP \
  CLI_ROW_CPU_LIMIT(X) SEP CLI_ROW_MAX_RATE(X) SEP CLI_ROW_MAX_FILESIZE(X) SEP \
  CLI_ROW_YARA_TIMEOUT(X) SEP CLI_ROW_MAX_FINDINGS(X) SEP CLI_ROW_MAX_LINE(X) SEP \
  CLI_ROW_MAX_FIELDS(X) SEP CLI_ROW_MAX_GZ(X) SEP CLI_ROW_GZ_RATIO(X)

/* A row as a getopt_long entry. */
#define CLI_ROW_OPTION(val, short_opt, name, has_arg, meta, help) {name, has_arg, NULL, val}

/* Table entries, one option each (commands differ in which they take:
 * exposure reads no logs by date, watch never crosses into -x). -x and -j
 * need "x" and "j:" in the short option string. */
#define CLI_OPTION_EXCLUDE CLI_ROW_EXCLUDE(CLI_ROW_OPTION)
#define CLI_OPTION_ONE_FS CLI_ROW_ONE_FS(CLI_ROW_OPTION)
#define CLI_OPTION_SINCE CLI_ROW_SINCE(CLI_ROW_OPTION)
#define CLI_OPTION_UNTIL CLI_ROW_UNTIL(CLI_ROW_OPTION)
#define CLI_OPTION_NEWER CLI_ROW_NEWER(CLI_ROW_OPTION)
#define CLI_OPTION_MAX_DEPTH CLI_ROW_MAX_DEPTH(CLI_ROW_OPTION)
#define CLI_OPTION_MAX_FILESIZE CLI_ROW_MAX_FILESIZE(CLI_ROW_OPTION)
#define CLI_OPTION_THREADS CLI_ROW_THREADS(CLI_ROW_OPTION)
#define CLI_OPTION_HELP {"help", no_argument, NULL, 'h'}

/* The caps and the resources (scan, logs, hunt, watch). */
#define CLI_LIMIT_OPTIONS \
  CLI_OPTION_MAX_FILESIZE, CLI_OPTION_MAX_DEPTH, CLI_ROW_MAX_LINE(CLI_ROW_OPTION), \
  CLI_ROW_MAX_FIELDS(CLI_ROW_OPTION), CLI_ROW_MAX_GZ(CLI_ROW_OPTION), \
  CLI_ROW_GZ_RATIO(CLI_ROW_OPTION), CLI_ROW_YARA_TIMEOUT(CLI_ROW_OPTION), \
  CLI_ROW_MAX_FINDINGS(CLI_ROW_OPTION), CLI_PACE_OPTIONS

/* The resource options alone, for commands without the content caps
 * (baseline: a tree is hashed, nothing is parsed). */
#define CLI_PACE_OPTIONS \
  CLI_ROW_NICE(CLI_ROW_OPTION), CLI_ROW_CPU_LIMIT(CLI_ROW_OPTION), CLI_ROW_MAX_RATE(CLI_ROW_OPTION)
/* clang-format on */

/* What every command that reads whole evidence trees takes (scan, logs,
 * hunt): the scope without the dates, the resources and the caps. */
#define CLI_EVIDENCE_OPTIONS                                                                       \
  CLI_OPTION_EXCLUDE, CLI_OPTION_ONE_FS, CLI_OPTION_THREADS, CLI_LIMIT_OPTIONS

/* Room for every --exclude of argv, and the dates open; false if out of
 * memory. Free with cli_scope_free (safe on a zeroed or failed group). */
bool cli_scope_init(cli_scope *s, int argc);
void cli_scope_free(cli_scope *s);
bool cli_limit_opts_init(cli_limit_opts *lo, int argc);
void cli_limit_opts_free(cli_limit_opts *lo);

/* 1: `opt` was one of the group's options and is stored; 0: not one of
 * them; -1: a bad value (a usage message is printed). cli_limit_option
 * covers the caps and both groups. */
int cli_scope_option(cli_scope *s, const char *command, int opt, const char *arg);
int cli_resource_option(cli_resources *r, const char *command, int opt, const char *arg);
int cli_limit_option(cli_limit_opts *lo, const char *command, int opt, const char *arg);

/* After getopt: "no WHAT given" when no operand is left (`what` NULL: none
 * is needed), then "--until is before --since". 0, or the exit code of the
 * usage error it printed. */
int cli_scope_check(const cli_scope *s, const char *command, int argc, const char *what);

/* The library's scope group (exhunt_scope), which every engine's options
 * struct embeds as `scope`. */
#define CLI_SCOPE_TO(o, s)                                                                         \
  do {                                                                                             \
    (o)->scope.excludes = (s)->excludes;                                                           \
    (o)->scope.n_excludes = (s)->n_excludes;                                                       \
    (o)->scope.one_file_system = (s)->one_file_system;                                             \
    (o)->scope.max_depth = (s)->max_depth;                                                         \
  } while (0)

/* And, for the engines that take threads and caps (scan, logs, hunt, and
 * watch's scans), the resource group and the caps too. The dates and
 * max_filesize are per engine. */
#define CLI_LIMITS_TO(o, lo)                                                                       \
  do {                                                                                             \
    CLI_SCOPE_TO(o, &(lo)->scope);                                                                 \
    (o)->resources.threads = (lo)->res.threads;                                                    \
    (o)->resources.pace = (lo)->res.pace;                                                          \
    (o)->limits = (lo)->limits;                                                                    \
  } while (0)

/* A command's arguments as far as the shared groups go: their storage,
 * and what the command is called, for messages and -h. */
typedef struct cli_args {
  const char *command;
  void (*help)(FILE *out);
  const char *operands; /* "no OPERANDS given" if none is left; NULL: none needed */
  cli_report *report;   /* -f -o --min-severity -v -q --no-progress; NULL: the
                           command reads those itself */
  const char *output;   /* -o */
  bool no_progress;
  cli_rule_opts rules; /* --rules --iocs --no-default-rules --no-heuristics */
  cli_limit_opts lim;  /* the caps, the scope and the resources */
  char **roots;        /* the operands, after cli_args_roots */
  int n_roots;
} cli_args;

/* Room for every repeatable option of argv; false after "out of memory"
 * on stderr. cli_args_free is safe after a failed init. */
bool cli_args_init(cli_args *a, const char *command, void (*help)(FILE *out), const char *operands,
                   cli_report *report, int argc);
void cli_args_free(cli_args *a);

/* The command's own options: 0 once stored, else the exit code after a
 * message (cli_usage_error). */
typedef int (*cli_own_option)(void *ctx, int opt, const char *arg);

/* Runs getopt_long over argv with the command's table: each option goes
 * to the group it belongs to, else to `own` (NULL: the command has none).
 * -h prints the help; an option getopt does not know, or a bad value, is
 * said on stderr with "Try 'exhunt help CMD'." Then cli_scope_check, and
 * --nice is carried out (cli_apply_nice), so no command can forget it. True
 * to go on (optind is the first operand; *rc untouched); false to stop
 * with *rc (0 after -h, 2 after a usage error). */
bool cli_args_parse(cli_args *a, int argc, char **argv, const char *shortopts,
                    const struct option *table, cli_own_option own, void *ctx, int *rc);

/* The operands left after cli_args_parse are the roots: each must exist
 * (cli_check_roots), they go into the report's header, and from here on
 * SIGINT/SIGTERM stop the run cleanly (cli_interrupt_install). 0, or the
 * exit code after the message. */
int cli_args_roots(cli_args *a, cli_report *c, int argc, char **argv);

/* --nice: lowest CPU priority and idle I/O class for the whole process.
 * A refusal is said on stderr, and the run goes on. */
void cli_apply_nice(const cli_resources *r, const char *command);

/* The help text of these options (`content`: the scan-only ones too). */
void cli_limit_help(FILE *out, bool content, bool logs);
/* The help text of CLI_PACE_OPTIONS alone. */
void cli_pace_help(FILE *out);
/* The help line(s) of one shared option, from its row: "  -x, --name META"
 * and the description at column 24 (or two spaces on, past it). */
void cli_option_help(FILE *out, int val);

#endif
