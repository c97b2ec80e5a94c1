/*
 * report.h - what every exhunt sub-command writes, and how: the sink that
 * formats findings, notes and coverage (text or JSON Lines), the progress
 * line, the closing summary, and the exit code.
 */
#ifndef EXH_REPORT_H
#define EXH_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/dynbuf.h"
#include "core/strset.h"
#include "exhunt/exhunt.h"

typedef enum { FMT_TEXT, FMT_JSONL } out_format;

typedef struct cli_report {
  const char *command; /* "scan", "logs": for messages */
  out_format format;
  FILE *out;
  FILE *out_file; /* -o, owned */
  bool out_is_tty;
  bool color;
  bool verbose;
  bool quiet;
  bool progress; /* stderr is a TTY and progress not disabled */
  bool progress_drawn;
  exhunt_severity min_severity;
  uint64_t reported[EXHUNT_SEV_COUNT];
  uint64_t files_flagged; /* files with at least one reported finding */
  uint64_t load_errors;   /* rule/IOC problems before the run */
  uint64_t write_errors;
  struct timespec start;
  exh_dynbuf line;
  exh_dynbuf last_path; /* the file whose findings are being written */
  /* Every flagged path, for files_flagged: a file's findings may come in
   * more than one batch (the logs engine holds SSRF rows back until every
   * log is read), so a change of path does not mean a new file. */
  exh_strset flagged;
  exh_dynbuf coverage; /* text: coverage lines, printed before the summary */
  int exit_override;   /* >= 0: the command decided the exit code itself */
} cli_report;

void cli_report_init(cli_report *r, const char *command);
bool cli_parse_format(const char *s, out_format *out);

/* Opens -o (refused inside a scanned root) or stdout, and decides colour
 * and progress. Returns 0, or an exit code after saying why. */
int cli_report_open(cli_report *r, const char *output, char **roots, int n_roots, bool no_progress);

/* Is `output` (a file to write) inside one of the roots? Evidence is
 * read-only, so such an output is refused. */
bool cli_output_inside_roots(const char *output, char **roots, int n_roots);

/* The sink for the library; on_coverage is set for commands that hunt logs. */
exhunt_sink cli_report_sink(cli_report *r, bool coverage);

/* Writes the summary and returns the exit code: 1 if anything was reported,
 * else 2 if anything could not be examined, else 0 (or exit_override). */
int cli_report_finish(cli_report *r, exhunt_scan_stats *stats, const exhunt_rules_info *rules);

/* Flushes and closes; may turn rc into 2 if output could not be written. */
int cli_report_close(cli_report *r, int rc);

/* The output options every reporting command takes (getopt_long table
 * entries, and their handler): -f/--format, -o/--output, --min-severity,
 * -v/--verbose, -q/--quiet, --no-progress. */
enum { CLI_OPT_MINSEV = 1000, CLI_OPT_NOPROGRESS };
#define CLI_REPORT_OPTIONS                                                                         \
  {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},              \
      {"min-severity", required_argument, NULL, CLI_OPT_MINSEV},                                   \
      {"verbose", no_argument, NULL, 'v'}, {"quiet", no_argument, NULL, 'q'},                      \
  {                                                                                                \
    "no-progress", no_argument, NULL, CLI_OPT_NOPROGRESS                                           \
  }
#define CLI_REPORT_SHORTOPTS "f:o:vq"

/* Handles one of those options: 1 if it was one (and is valid), 0 if it is
 * not one of them, -1 after saying why a value is bad. */
int cli_report_option(cli_report *r, int opt, const char *arg, const char **output,
                      bool *no_progress);

/* The rule options every content-scanning command takes (cli/rules_load.c):
 * --rules PATH and --iocs FILE (repeatable), --no-default-rules,
 * --no-heuristics. */
typedef struct cli_rule_opts {
  const char **rules, **iocs; /* argc entries each, owned */
  size_t n_rules, n_iocs;
  bool no_default, no_heur;
} cli_rule_opts;
enum { CLI_OPT_RULES = 1010, CLI_OPT_IOCS, CLI_OPT_NO_DEFAULT, CLI_OPT_NO_HEUR };
#define CLI_RULE_OPTIONS                                                                           \
  {"rules", required_argument, NULL, CLI_OPT_RULES},                                               \
      {"iocs", required_argument, NULL, CLI_OPT_IOCS},                                             \
      {"no-default-rules", no_argument, NULL, CLI_OPT_NO_DEFAULT},                                 \
  {                                                                                                \
    "no-heuristics", no_argument, NULL, CLI_OPT_NO_HEUR                                            \
  }
/* Room for every option of argv; false if out of memory. */
bool cli_rule_opts_init(cli_rule_opts *ro, int argc);
void cli_rule_opts_free(cli_rule_opts *ro);
/* True if `opt` was one of the rule options (and is now recorded). */
bool cli_rule_option(cli_rule_opts *ro, int opt, const char *arg);

/* Loads and compiles the rules for a content scan. Returns 0 with *out
 * set, or an exit code after saying why. Files that fail to load are
 * reported through sink and counted in load_errors. */
int cli_load_rules(cli_report *c, const exhunt_sink *sink, const cli_rule_opts *ro,
                   exhunt_rules **out);

/* "exhunt CMD: message\nTry 'exhunt help CMD'." on stderr; returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
