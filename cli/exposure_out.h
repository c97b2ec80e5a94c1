/*
 * exposure_out.h - output of `exhunt exposure` and `exhunt probe`: JSON
 * Lines as they come, or in text one block per server (its build, support
 * status, build history, and a table of CVE families with the reasons),
 * or CSV rows (one per family verdict; the rest on stderr). Also decides
 * the exit code from the verdicts (docs/exit-codes.md).
 */
#ifndef EXH_EXPOSURE_OUT_H
#define EXH_EXPOSURE_OUT_H

#include "report.h"

typedef struct exposure_out {
  cli_report *report;
  exh_dynbuf head;   /* text: the server's block, before its table */
  exh_dynbuf table;  /* text: the family rows */
  exh_dynbuf server; /* text: the server whose block is open */
  bool have_rows;
  bool support_counted; /* this server's support status is counted */
  uint64_t servers, vulnerable, unknown, patched, no_build, unsupported;
  int outcome; /* the most urgent exit code of every verdict, shown or not */
} exposure_out;

void exposure_out_init(exposure_out *o, cli_report *r);
exhunt_sink exposure_out_sink(exposure_out *o);
/* Flushes the last block, writes the summary, returns the exit code: 4 if
 * a family is vulnerable or a product out of support; else 5 if a family
 * is unknown, a server or target gave no build, or an error left evidence
 * unexamined; else 0 (every family patched, every product supported).
 * Verdicts below --min-severity count too. */
int exposure_out_finish(exposure_out *o, exhunt_scan_stats *stats);
void exposure_out_free(exposure_out *o);

#endif
