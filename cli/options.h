/*
 * options.h - each exhunt command's options as one table, from which both
 * the getopt_long parser and the whole help text are made (YARA's
 * cli/args.c model): an option is in `exhunt help CMD` if and only if
 * `exhunt CMD` takes it, so the two cannot drift apart.
 *
 * A table is an array of rows, in the order the help shows them:
 *   - a shared option, by its id: CLI_SHARED(val), or CLI_SHARED_AS(val,
 *     "help") in the command's own words. Its name, its value, its check
 *     and its usual words are written once, in options.c (the groups'
 *     values land in cli_groups, groups.h; the output options go to
 *     report.c, the rule options to rules_load.c);
 *   - an option of the command's own. A flag, a string, a list or a
 *     severity names where it goes in the command's own struct (CLI_FLAG,
 *     CLI_STRING, CLI_LIST, CLI_UINT, CLI_SEVERITY), and needs no code; any
 *     other is CLI_OWN(val, "name", "META", "help"), taken by the command's
 *     handler (cli_command.own_option);
 *   - CLI_INERT(val): a shared option the command takes without effect
 *     (scan takes the log caps, so one command line fits scan, logs and
 *     hunt alike). The help names these together, after the options;
 *   - CLI_REFUSED(val, "name", "META", "reason"): a sibling command's
 *     option (quarantine's --root given to restore), refused with the
 *     reason rather than as unknown; not in the help, not taken;
 *   - CLI_TEXT("..."): a line of prose (usage, headings, exit status);
 *   - CLI_END.
 * A help text is "\n"-continued at the description column (24).
 */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "exhunt/exhunt.h"
#include "groups.h"
#include "report.h"

/* How a row's value is taken. */
typedef enum cli_kind {
  CLI_BY_CODE = 0, /* by the command's handler (shared: report.c, rules_load.c) */
  CLI_K_FLAG,      /* bool = true */
  CLI_K_STRING,    /* const char * = the value (argv's) */
  CLI_K_LIST,      /* appended to a const char ** with a slot per argv entry */
  CLI_K_UINT,      /* unsigned or uint32_t, in [min, max] */
  CLI_K_SIZE,      /* 512K, 2M, 1G: uint32_t or uint64_t bytes, in [min, max] */
  CLI_K_RATE,      /* a size per second, in [min, max]; a bare number is MiB */
  CLI_K_DATE,      /* 2021-03-01[T12:00:00Z], int64_t seconds */
  CLI_K_DATE_END,  /* the same, a date alone meaning through that day */
  CLI_K_SEVERITY,  /* info, low, medium, high, critical */
  CLI_K_REFUSED    /* a sibling command's option: refused, the row's help the reason */
} cli_kind;

typedef struct cli_option {
  int val;          /* what getopt_long returns: a letter (then also -L) or an id */
  const char *name; /* long name; NULL: a shared option (val), or a line of text (val 0) */
  const char *meta; /* the value's name; NULL: none (a flag) */
  const char *help;
  cli_kind kind;
  size_t at, size; /* where the value goes (offsetof in cli_groups, or in the
                      command's own struct) and its size */
  size_t count_at; /* CLI_K_LIST: where the count goes */
  uint64_t min, max;
  const char *range; /* said in "bad --NAME 'VALUE' (RANGE)"; NULL: MIN..MAX for a
                        number, nothing for a size */
} cli_option;

/* The help of an inert row: compared by address. */
extern const char cli_inert[];

#define CLI_TEXT(text)                                                                             \
  {                                                                                                \
    0, NULL, NULL, text, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                          \
  }
#define CLI_SHARED(val)                                                                            \
  {                                                                                                \
    val, NULL, NULL, NULL, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                        \
  }
#define CLI_SHARED_AS(val, help)                                                                   \
  {                                                                                                \
    val, NULL, NULL, help, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                        \
  }
#define CLI_INERT(val)                                                                             \
  {                                                                                                \
    val, NULL, NULL, cli_inert, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                   \
  }
#define CLI_END                                                                                    \
  {                                                                                                \
    0, NULL, NULL, NULL, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                          \
  }
#define CLI_REFUSED(val, name, meta, why)                                                          \
  {                                                                                                \
    val, name, meta, why, CLI_K_REFUSED, 0, 0, 0, 0, 0, NULL                                       \
  }

/* An own option its command's handler takes. */
#define CLI_OWN(val, name, meta, help)                                                             \
  {                                                                                                \
    val, name, meta, help, CLI_BY_CODE, 0, 0, 0, 0, 0, NULL                                        \
  }
/* A member of `type`, as a row's destination. */
#define CLI_AT(type, member) offsetof(type, member), sizeof(((type *)0)->member)
#define CLI_FLAG(val, name, type, member, help)                                                    \
  {                                                                                                \
    val, name, NULL, help, CLI_K_FLAG, CLI_AT(type, member), 0, 0, 0, NULL                         \
  }
#define CLI_STRING(val, name, meta, type, member, help)                                            \
  {                                                                                                \
    val, name, meta, help, CLI_K_STRING, CLI_AT(type, member), 0, 0, 0, NULL                       \
  }
#define CLI_LIST(val, name, meta, type, member, count, help)                                       \
  {                                                                                                \
    val, name, meta, help, CLI_K_LIST, CLI_AT(type, member), offsetof(type, count), 0, 0, NULL     \
  }
#define CLI_UINT(val, name, meta, type, member, min, max, range, help)                             \
  {                                                                                                \
    val, name, meta, help, CLI_K_UINT, CLI_AT(type, member), 0, min, max, range                    \
  }
#define CLI_SEVERITY(val, name, type, member, help)                                                \
  {                                                                                                \
    val, name, "LEVEL", help, CLI_K_SEVERITY, CLI_AT(type, member), 0, 0, 0, NULL                  \
  }

/* Rows that go together in several tables. */
#define CLI_ROWS_RULES                                                                             \
  CLI_SHARED(CLI_OPT_RULES), CLI_SHARED(CLI_OPT_IOCS), CLI_SHARED(CLI_OPT_NO_DEFAULT),             \
      CLI_SHARED(CLI_OPT_NO_HEUR)
#define CLI_ROWS_LIMITS_HEADING                                                                    \
  CLI_TEXT("Limits (docs/limits.md; a cap that is hit is reported, as an error when it leaves\n"   \
           "evidence unexamined; never a silent skip):")
#define CLI_ROWS_CONTENT_CAPS                                                                      \
  CLI_SHARED(CLI_OPT_MAX_FILESIZE), CLI_SHARED(CLI_OPT_YARA_TIMEOUT),                              \
      CLI_SHARED(CLI_OPT_MAX_FINDINGS)
#define CLI_ROWS_LOG_CAPS                                                                          \
  CLI_SHARED(CLI_OPT_MAX_LINE), CLI_SHARED(CLI_OPT_MAX_FIELDS), CLI_SHARED(CLI_OPT_MAX_GZ),        \
      CLI_SHARED(CLI_OPT_GZ_RATIO)
#define CLI_ROWS_PACE                                                                              \
  CLI_TEXT("Resource use (for live servers; docs/limits.md):"), CLI_SHARED(CLI_OPT_NICE),          \
      CLI_SHARED(CLI_OPT_CPU_LIMIT), CLI_SHARED(CLI_OPT_MAX_RATE)

/* The command's own options that its table leaves to code: 0 once stored,
 * else the exit code after a message (cli_usage_error). */
typedef int (*cli_own_option)(void *own, int opt, const char *arg);

/* A command, defined at the end of its cmd_*.c and listed in main.c: what
 * it is called, what runs it, its table and its handler (NULL: none), and
 * how its run starts. A progress line is drawn when its table lists
 * --no-progress (not as inert). */
typedef struct cli_command {
  const char *name;
  int (*run)(int argc, char **argv);
  const cli_option *options;
  cli_own_option own_option;
  const char *operands; /* "no OPERANDS given" when none is left; NULL: none needed */
  /* Its report (cli_report), when it writes one: the default
   * --min-severity, whether -o is written whole or not at all, and what
   * "nothing examined" means. */
  exhunt_severity min_severity;
  bool atomic_output;
  cli_empty_check empty_check;
} cli_command;

/* The help of a command: its table, row by row. */
void cli_help(FILE *out, const cli_command *cmd);

/* A command's arguments as far as the shared options go. */
typedef struct cli_args {
  const cli_command *cmd;
  const char *operands; /* cmd->operands, unless the command says better */
  cli_report *report;   /* NULL: the command writes no report */
  const char *output;   /* -o */
  bool no_progress;
  cli_rule_opts rules; /* --rules --iocs --no-default-rules --no-heuristics */
  cli_groups groups;   /* scope, window, resources, caps */
  char **roots;        /* the operands, after cli_args_open, in the library's form */
  int n_roots;
  char **shown_roots; /* as typed, for the run record, where that form differs */
} cli_args;

/* Readies the report (when `report` is not NULL: cli_report_init, then the
 * command's settings) and room for every repeatable option of argv; false
 * after "out of memory" on stderr. cli_args_free is safe after a failed
 * init. */
bool cli_args_init(cli_args *a, const cli_command *cmd, cli_report *report, int argc);
void cli_args_free(cli_args *a);

/* Runs getopt_long over argv with the command's table: a shared row goes
 * to its group, an own row to its place in `own` or to the command's
 * handler (with `own`). -h prints the help; an option getopt does not
 * know, or a bad value, is said on stderr with "Try 'exhunt help CMD'."
 * Then "no OPERANDS given" and the groups' checks, and --nice is carried
 * out (cli_apply_nice), so no command can forget it. True to go on
 * (optind is the first operand; *rc untouched); false to stop with *rc (0
 * after -h, 2 after a usage error). */
bool cli_args_parse(cli_args *a, int argc, char **argv, void *own, int *rc);

/* cli_args_init, then cli_args_parse: how most commands start. */
bool cli_args_start(cli_args *a, const cli_command *cmd, cli_report *report, int argc, char **argv,
                    void *own, int *rc);

/* A command with sub-commands (baseline create|diff, vault list|verify):
 * the index of argv[1] in `subs` (NULL-ended); or -1, to stop with *rc: 0
 * after -h or --help (the help printed), 2 after "WANT" (a usage error). */
int cli_subcommand(const cli_command *cmd, int argc, char **argv, const char *const *subs,
                   const char *want, int *rc);

/* The operands left after cli_args_parse are the roots: each must exist
 * (cli_check_roots), they go into the report's run record, and from here
 * on SIGINT/SIGTERM stop the run cleanly (cli_interrupt_install). 0, or
 * the exit code after the message. */
int cli_args_roots(cli_args *a, int argc, char **argv);

/* cli_args_roots, then the report's output is opened (-o, or stdout; never
 * under a root; a progress line if the command draws one and
 * --no-progress was not given). 0, or the exit code after the message. */
int cli_args_open(cli_args *a, int argc, char **argv);

#endif
