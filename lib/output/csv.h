/*
 * csv.h - findings as CSV rows (`--format csv`): one header row, then one
 * row per finding, the same fixed columns for every command, so a
 * spreadsheet, a SIEM import or a script reading by position works on the
 * output of scan, logs, exposure, probe, baseline diff and hunt alike
 * (docs/output-schema.md lists the columns). Loki and Chainsaw users know
 * the shape: one detection a row, severity first.
 *
 * Cells go through exh_csv_cell (escape.c): always quoted, formula-safe,
 * no raw control byte. A field a finding does not have is an empty cell.
 * Notes, errors, coverage and the summary are not rows: the caller puts
 * them elsewhere (stderr). Part of the borrowed-helper tier cli/ uses.
 */
#ifndef EXH_CSV_H
#define EXH_CSV_H

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"

/* Appends the header row (column names, CRLF). */
exhunt_err exh_csv_header(exh_dynbuf *b);

/* Appends one finding as one row (CRLF). `id` and `server` come from the
 * finding (set by exhunt_hunt_paths; empty cells elsewhere). */
exhunt_err exh_csv_finding(exh_dynbuf *b, const exhunt_finding *f);

#endif
