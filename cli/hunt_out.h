/*
 * hunt_out.h - the outputs of `exhunt hunt`, several in one run: text (the
 * verdict, the story and the top findings first, details below), JSON
 * Lines (the common schema plus story and verdict records), Timesketch
 * timelines (JSON Lines or CSV) and the self-contained HTML report.
 */
#ifndef EXH_HUNT_OUT_H
#define EXH_HUNT_OUT_H

#include <stdio.h>

#include "report.h"

typedef enum hunt_fmt {
  HUNT_TEXT = 0,
  HUNT_JSONL,
  HUNT_TIMESKETCH,
  HUNT_TIMESKETCH_CSV,
  HUNT_HTML
} hunt_fmt;

#define HUNT_MAX_OUTPUTS 8

typedef struct hunt_output {
  hunt_fmt fmt;
  const char *path; /* NULL: stdout */
  FILE *f;
} hunt_output;

typedef struct hunt_out {
  cli_report *report; /* colour, verbosity, min severity, notices, stats */
  hunt_output outs[HUNT_MAX_OUTPUTS];
  size_t n_outs;
  exh_dynbuf all;   /* every record as JSON Lines: for the HTML report */
  exh_dynbuf line;  /* scratch */
  exh_dynbuf block; /* text: the server's details, until its verdict */
  exh_dynbuf story; /* text: its stories */
  exh_dynbuf top;   /* text: its most severe findings */
  exh_dynbuf facts; /* text: builds, exposure and coverage lines */
  size_t n_top;
  uint64_t n_findings;
  uint64_t verdicts[6]; /* COMPROMISED .. INSUFFICIENT EVIDENCE */
  uint64_t write_errors;
  bool progress;       /* a progress line on stderr (a terminal, not --no-progress) */
  bool progress_drawn; /* it is on the screen now */
} hunt_out;

bool hunt_parse_fmt(const char *s, hunt_fmt *out);
void hunt_out_init(hunt_out *o, cli_report *r);
/* Adds an output (path NULL = stdout). Returns false if there are too many. */
bool hunt_out_add(hunt_out *o, hunt_fmt fmt, const char *path);
/* Opens the files; an exit code after saying why, or 0. */
int hunt_out_open(hunt_out *o, char **roots, int n_roots, bool no_progress);
exhunt_sink hunt_out_sink(hunt_out *o);
/* Writes what is left (HTML, summaries) and returns the exit code: 1 if a
 * server is COMPROMISED, EXPLOITED, ATTEMPTED or SCANNED; else 2 if one has
 * INSUFFICIENT EVIDENCE or errors were reported; else 0 (all CLEAN). */
int hunt_out_finish(hunt_out *o, exhunt_scan_stats *stats, const exhunt_rules_info *rules);
/* Closes everything; may turn rc into 2 if an output could not be written. */
int hunt_out_close(hunt_out *o, int rc);

#endif
