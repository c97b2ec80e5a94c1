/*
 * hunt_out.h - the outputs of `exhunt hunt`, several in one run: text (the
 * run record, every server's verdict first, then per server its reasons,
 * next steps, story, flagged files and log findings, exposure and
 * coverage; every finding in detail only with --details or -v), JSON
 * Lines (the common schema plus story and verdict records), Timesketch
 * timelines (JSON Lines or CSV) and the self-contained HTML report.
 */
#ifndef EXH_HUNT_OUT_H
#define EXH_HUNT_OUT_H

#include <stdio.h>

#include "core/strset.h"
#include "outfile.h"
#include "report.h"

typedef enum hunt_fmt {
  HUNT_TEXT = 0,
  HUNT_JSONL,
  HUNT_TIMESKETCH,
  HUNT_TIMESKETCH_CSV,
  HUNT_HTML,
  HUNT_CSV /* one row per finding, the columns every command's CSV has */
} hunt_fmt;

#define HUNT_MAX_OUTPUTS 8

typedef struct hunt_output {
  hunt_fmt fmt;
  const char *path; /* NULL or "-": stdout */
  FILE *f;          /* files[i].f, while open */
} hunt_output;

/* A finding kept for the text report until its server's verdict: grouped
 * by file (file findings) or by rule (log findings) there. */
typedef struct hunt_row {
  char *path, *rule, *title, *detail; /* detail: the finding in full, or NULL */
  exhunt_severity severity;
  char id[24];
  bool log;
  size_t order; /* arrival, for a stable sort */
} hunt_row;

/* Log findings of one rule, for the text report: counted, with the ids
 * of the first few. */
#define HUNT_RULE_IDS 12
typedef struct hunt_logrule {
  char *rule, *title;
  exhunt_severity worst;
  uint64_t count;
  char ids[HUNT_RULE_IDS][24];
  size_t n_ids;
} hunt_logrule;

/* Bounds on what the text and HTML reports hold of the log findings
 * (JSON Lines, CSV and timelines stream every one): memory stays flat
 * whatever the number of records that match. */
#define HUNT_DETAIL_LOGS 10000u
#define HUNT_HTML_LOGS 20000u

typedef struct hunt_out {
  cli_report *report; /* colour, verbosity, min severity, notices, stats */
  hunt_output outs[HUNT_MAX_OUTPUTS];
  cli_outfile
      files[HUNT_MAX_OUTPUTS]; /* outs[i] is written through files[i]: whole or not at all */
  size_t n_outs;
  bool details;     /* text: every finding in full (--details, -v) */
  exh_dynbuf all;   /* every record as JSON Lines: for the HTML report */
  exh_dynbuf line;  /* scratch */
  exh_dynbuf head;  /* text: the run record */
  exh_dynbuf over;  /* text: one verdict a server, shown before any detail */
  exh_dynbuf body;  /* text: each server's block, in order */
  exh_dynbuf tail;  /* text: each server's findings in full (details) */
  exh_dynbuf story; /* text: the current server's stories */
  exh_dynbuf facts; /* text: its builds, exposure and coverage lines */
  hunt_row *rows;   /* text: its file findings, and log findings for --details
                       (the first HUNT_DETAIL_LOGS of them) */
  size_t n_rows, cap_rows, n_file_rows;
  /* text: its log findings, one entry a rule (their number is bounded by
   * the rules, not by the records) */
  hunt_logrule *logrules;
  size_t n_logrules, cap_logrules;
  uint64_t detail_logs_left_out;          /* log findings past HUNT_DETAIL_LOGS */
  uint64_t html_logs, html_logs_left_out; /* log findings in the HTML data, and past it */
  size_t n_vuln;                          /* its vulnerable families */
  char vuln_ids[2][24];                   /* the first and last of them */
  exh_strset flagged;                     /* paths with a finding (summary's files_flagged) */
  uint64_t n_findings;
  uint64_t verdicts[8]; /* by verdict_names' order */
  int outcome;          /* the most urgent exit code of the servers so far */
  uint64_t write_errors;
  bool progress;       /* a progress line on stderr (a terminal, not --no-progress) */
  bool progress_drawn; /* it is on the screen now */
} hunt_out;

bool hunt_parse_fmt(const char *s, hunt_fmt *out);
void hunt_out_init(hunt_out *o, cli_report *r);
/* Adds an output (path NULL = stdout). Returns false if there are too many. */
bool hunt_out_add(hunt_out *o, hunt_fmt fmt, const char *path);
/* Opens the files (each through cli/outfile.h: a temporary renamed into
 * place at the end); an exit code after saying why, or 0. */
int hunt_out_open(hunt_out *o, char **roots, int n_roots, bool no_progress);
exhunt_sink hunt_out_sink(hunt_out *o);
/* Writes what is left (text, HTML, summaries) and returns the exit code of
 * docs/exit-codes.md: the most urgent of the servers' outcomes, at least 5
 * when errors left evidence unexamined. */
int hunt_out_finish(hunt_out *o, exhunt_scan_stats *stats, const exhunt_rules_info *rules);
/* Closes everything: the files replace their previous versions only if
 * the run got to its end (rc is not 2) and every one was written; may turn
 * rc into 2 if an output could not be written. */
int hunt_out_close(hunt_out *o, int rc);

#endif
