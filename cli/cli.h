/*
 * cli.h - shared pieces of the exhunt command: sub-command entry points,
 * the output writer every sub-command uses, and small parsing helpers.
 */
#ifndef EXH_CLI_H
#define EXH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"

/* Exit codes: one table for every command (docs/exit-codes.md). Never
 * renumbered: automation branches on them. */
#define EXIT_CLEAN 0         /* nothing to do */
#define EXIT_FINDINGS 1      /* compromise, exploitation or a suspicious file seen */
#define EXIT_ERROR 2         /* usage or runtime error: the run did not do its job */
#define EXIT_ATTEMPTS 3      /* attacks attempted or scans only; nothing succeeded */
#define EXIT_VULNERABLE 4    /* vulnerable or out of support; no compromise seen */
#define EXIT_INSUFFICIENT 5  /* not enough evidence to answer (none, too little, unexamined) */
#define EXIT_INTERRUPTED 130 /* stopped by SIGINT or SIGTERM; outputs left as they were */

/* The more urgent of two outcome codes (1 > 3 > 4 > 5 > 0), for a run
 * that answers for several servers or targets. EXIT_ERROR is not an
 * outcome and is decided apart. */
int cli_exit_worst(int a, int b);

/* The commands (cli/options.h), each defined at the end of its cmd_*.c and
 * listed in main.c. */
struct cli_command;
extern const struct cli_command cmd_hunt, cmd_scan, cmd_logs, cmd_exposure, cmd_probe, cmd_baseline,
    cmd_watch, cmd_quarantine, cmd_restore, cmd_vault;

/* Parses "64M", "1G", "4096" into bytes. Returns false on bad input. */
bool cli_parse_size(const char *s, uint64_t *out);
/* Parses "2021-03-01" or "2021-03-01T12:00:00Z" (UTC). `date_only`, when
 * not NULL, says whether the time of day was left out (an end bound then
 * means the whole day). A date not on the calendar (2021-02-31) or a time
 * not on the clock (24:00, 12:61) is false, with the reason on stderr. */
bool cli_parse_date(const char *s, int64_t *out, bool *date_only);
/* Parses a positive integer up to max. */
bool cli_parse_uint(const char *s, unsigned max, unsigned *out);

/* main() hands its argv over for the run record; cli_command_line appends
 * it to b as one line a shell would run again: each argument as is when
 * it holds only [A-Za-z0-9_@%+=:,./-], else in single quotes ('\'' for a
 * quote inside). */
void cli_set_argv(int argc, char **argv);
exhunt_err cli_command_line(exh_dynbuf *b);

/* A run the library refused or could not carry out: "exhunt CMD: reason"
 * on stderr; returns EXIT_ERROR. */
int cli_run_error(const char *command, exhunt_err err);

/* Nothing to scan with: no YARA rule, no IOC, the heuristics off. */
bool cli_rules_empty(const exhunt_rules_info *info);

/* Reads a whole (rule) file, capped at max bytes. Caller frees *data. */
int cli_read_file(const char *path, size_t max, char **data, size_t *len);

/* Opens a file to read as a binary stream, through the platform seam: a
 * UTF-8 path on every OS (Windows' fopen would take it in the ANSI code
 * page). NULL with errno. */
FILE *cli_fopen_read(const char *path);

#endif
