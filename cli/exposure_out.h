/*
 * exposure_out.h - output of `exhunt exposure` and `exhunt probe`: JSON
 * Lines as they come, or in text one block per server (its build, support
 * status, build history, and a table of CVE families with the reasons).
 * Also decides the exit code from the verdicts.
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
  uint64_t servers, vulnerable, unknown, patched, no_build;
} exposure_out;

void exposure_out_init(exposure_out *o, cli_report *r);
exhunt_sink exposure_out_sink(exposure_out *o);
/* Flushes the last block, writes the summary, returns the exit code:
 * 1 if any family is vulnerable or unknown, else 2 if a server or target
 * gave no build or an error was reported, else 0. */
int exposure_out_finish(exposure_out *o, exhunt_scan_stats *stats);
void exposure_out_free(exposure_out *o);

#endif
