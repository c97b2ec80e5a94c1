/*
 * report.h - what every exhunt sub-command writes, and how: the sink that
 * formats findings, notes and coverage (text, JSON Lines or CSV), the
 * progress line, the run record (when, what command line, which rules, on
 * which host, over which evidence), the closing summary, and the exit code
 * (docs/exit-codes.md). Output files are written whole or not at all
 * (cli/outfile.h).
 */
#ifndef EXH_REPORT_H
#define EXH_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/compiler.h"
#include "core/dynbuf.h"
#include "core/strset.h"
#include "exhunt/exhunt.h"
#include "outfile.h"
#include "output/format.h"

typedef enum { FMT_TEXT, FMT_JSONL, FMT_CSV } out_format;

/* What "nothing examined" means for a command (it then exits 5): no file
 * read (scan, baseline diff), or no log recognised (logs). */
typedef enum { CLI_EMPTY_NONE = 0, CLI_EMPTY_FILES, CLI_EMPTY_LOGS } cli_empty_check;

typedef struct cli_report {
  const char *command; /* "scan", "logs": for messages */
  out_format format;
  FILE *out;
  cli_outfile outfile; /* -o: whole or not at all (atomic_output), else in place */
  bool atomic_output;  /* set before cli_report_open: every command but watch */
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
  int64_t start_ns; /* exh_monotonic_ns() when the run started */
  exh_dynbuf line;
  exh_dynbuf last_path; /* the file whose findings are being written */
  /* Every flagged path, for files_flagged: a file's findings may come in
   * more than one batch (the logs engine holds SSRF rows back until every
   * log is read), so a change of path does not mean a new file. */
  exh_strset flagged;
  exh_dynbuf coverage; /* text: coverage lines, printed before the summary */
  int exit_override;   /* >= 0: the command decided the exit code itself */
  int outcome;         /* the most urgent exit code of the findings reported */
  cli_empty_check empty_check;
  /* The run record (exh_run_record), gathered by cli_report_init and
   * cli_report_set_roots; the rules' identity by cli_report_header. */
  int64_t started;
  char host[256]; /* "" if gethostname failed */
  exh_dynbuf command_line;
  const char *const *roots;
  size_t n_roots;
  const char *roots_label; /* "evidence" (default) or "targets" */
  char rules_sha256[65];   /* "" when the command uses no rules */
} cli_report;

/* Also notes the start time, the host and the command line (cli_set_argv)
 * for the run record. */
void cli_report_init(cli_report *r, const char *command);
bool cli_parse_format(const char *s, out_format *out);

/* The evidence roots (probe: the targets, label "targets") for the run
 * record; borrowed until cli_report_close. */
void cli_report_set_roots(cli_report *r, const char *const *roots, size_t n, const char *label);

/* Opens -o ("-" is stdout) or stdout, and decides colour and progress.
 * -o goes through cli/outfile.h (refused inside a scanned root, through a
 * link, ...): with atomic_output written whole or not at all, else in
 * place. A CSV report gets its header row here. Returns 0, or an
 * exit code after saying why. */
int cli_report_open(cli_report *r, const char *output, char **roots, int n_roots, bool no_progress);

/* Writes the run header that opens a text report (and, for CSV, on
 * stderr), with the identity of `rules` (NULL for commands without
 * rules). Nothing in JSON Lines (the run record is in its summary) or
 * with -q. Call once, after the rules are loaded and before the run. */
void cli_report_header(cli_report *r, const exhunt_rules_info *rules);

/* The run record as of now (ended = now). Strings point into r. */
void cli_report_run_record(const cli_report *r, exh_run_record *out);
/* Seconds since the run started (cli_report_init). */
double cli_report_elapsed(const cli_report *r);

/* The exit code one reported finding calls for (docs/exit-codes.md): a
 * log record that shows exploitation, web-shell use or post-exploitation,
 * or any file finding: 1; a log record of an attempt or probe: 3; an
 * exposure verdict: 4 vulnerable or out of support, 5 unknown, else 0. */
int cli_finding_exit(const exhunt_finding *f);
/* Whether an exposure finding's support text says the build is out of
 * support ("out of support since ..."); NULL is not. */
bool cli_out_of_support(const char *support);

/* The sink for the library; on_coverage is set for commands that hunt logs. */
exhunt_sink cli_report_sink(cli_report *r, bool coverage);

/* Writes the summary (with the run record) and returns the exit code: the
 * most urgent of the reported findings (cli_finding_exit); with none, 5 if
 * errors left evidence unexamined or nothing was examined (empty_check:
 * said in plain words), else 0. exit_override, when set, wins. */
int cli_report_finish(cli_report *r, exhunt_scan_stats *stats, const exhunt_rules_info *rules);

/* Flushes and closes; may turn rc into 2 if output could not be written.
 * An -o file is put in place only if rc is not 2 (the run finished);
 * otherwise the previous file is left as it was. */
int cli_report_close(cli_report *r, int rc);

/* The output options every reporting command takes (their rows are in
 * cli/options.c): -f/--format, -o/--output, --min-severity, -v/--verbose,
 * -q/--quiet, --no-progress. */
enum { CLI_OPT_MINSEV = 1000, CLI_OPT_NOPROGRESS };

/* Handles one of those options: 1 if it was one (and is valid), 0 if it is
 * not one of them, -1 after saying why a value is bad. */
int cli_report_option(cli_report *r, int opt, const char *arg, const char **output,
                      bool *no_progress);

/* The rule options every content-scanning command takes (cli/rules_load.c;
 * their rows are in cli/options.c): --rules PATH and --iocs FILE
 * (repeatable), --no-default-rules, --no-heuristics. */
typedef struct cli_rule_opts {
  const char **rules, **iocs; /* argc entries each, owned */
  size_t n_rules, n_iocs;
  bool no_default, no_heur;
} cli_rule_opts;
enum { CLI_OPT_RULES = 1010, CLI_OPT_IOCS, CLI_OPT_NO_DEFAULT, CLI_OPT_NO_HEUR };
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

/* Is every root there? A root that does not exist (a typo) is a usage
 * error, said here before anything runs: "exhunt CMD: 'PATH': No such
 * file or directory" and 2. One that exists but cannot be read is left to
 * the run (an error in the report, and exit 5). */
int cli_check_roots(const char *command, char **roots, int n_roots);

/* "exhunt CMD: message\nTry 'exhunt help CMD'." on stderr; returns 2. */
int cli_usage_error(const char *command, const char *fmt, ...) EXH_PRINTF(2, 3);

#endif
