/*
 * format.h - rendering findings, notices and summaries as JSON Lines or text.
 *
 * One place defines the output schema (docs/output-schema.md), so every
 * command - scan now, logs and hunt later - writes the same lines. Each
 * function appends one complete record, newline included, to a dynbuf; the
 * caller writes it out whole, which keeps lines from interleaving.
 * Part of the borrowed-helper tier that cli/ uses.
 */
#ifndef EXH_FORMAT_H
#define EXH_FORMAT_H

#include <stdbool.h>

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"

/* The run a report comes from, so a report read months later says what
 * made it: when, by which command line and version, with which rules, on
 * which host, over which evidence. All strings borrowed; the command line
 * and host came from outside, and are escaped like every other field. */
typedef struct exh_run_record {
  int64_t started, ended;   /* seconds since the epoch, UTC */
  const char *command_line; /* argv, shell-quoted where needed */
  const char *version;      /* EXHUNT_VERSION */
  const char *rules_sha256; /* exhunt_rules_info.sha256; NULL: no rules used */
  const char *host;         /* gethostname(); NULL if unknown */
  const char *const *roots; /* evidence roots (probe: targets) as given */
  size_t n_roots;
} exh_run_record;

/* JSON Lines lists at most this many roots (then "roots_total" says how
 * many there were): a probe may have 100,000 targets. */
#define EXH_RUN_MAX_ROOTS 1000

typedef struct exh_summary {
  const char *command;
  const exhunt_scan_stats *stats;
  const exhunt_rules_info *rules;
  uint64_t reported[EXHUNT_SEV_COUNT]; /* findings at or above --min-severity */
  uint64_t files_flagged;              /* files with at least one of them */
  double elapsed_seconds;
  int exit_code;
} exh_summary;

exhunt_err exh_jsonl_finding(exh_dynbuf *b, const exhunt_finding *f);
exhunt_err exh_jsonl_notice(exh_dynbuf *b, const exhunt_notice *n);
exhunt_err exh_jsonl_summary(exh_dynbuf *b, const exh_summary *s);
/* The summary with the run record ("run":{...}; `run` may be NULL) and,
 * when no file or log was examined, why ("nothing_examined": the reason;
 * NULL when something was). exh_jsonl_summary is this with both NULL. */
exhunt_err exh_jsonl_summary_run(exh_dynbuf *b, const exh_summary *s, const exh_run_record *run,
                                 const char *nothing_examined);
exhunt_err exh_jsonl_coverage(exh_dynbuf *b, const exhunt_coverage *c);
exhunt_err exh_jsonl_build(exh_dynbuf *b, const exhunt_build_seen *s);
exhunt_err exh_jsonl_story(exh_dynbuf *b, const exhunt_story *st);
exhunt_err exh_jsonl_verdict(exh_dynbuf *b, const exhunt_verdict *v);
exhunt_err exh_text_coverage(exh_dynbuf *b, const exhunt_coverage *c);

/* Text. `color` adds ANSI colour to the severity tag only. `new_file`
 * starts a block with the file's header (path, digest, size, time); the
 * findings of one file follow it without repeating it. */
exhunt_err exh_text_finding(exh_dynbuf *b, const exhunt_finding *f, bool color, bool new_file);
exhunt_err exh_text_notice(exh_dynbuf *b, const exhunt_notice *n);
exhunt_err exh_text_summary(exh_dynbuf *b, const exh_summary *s);
/* The same, with the end time of the run and the reason nothing was
 * examined (either may be NULL). */
exhunt_err exh_text_summary_run(exh_dynbuf *b, const exh_summary *s, const exh_run_record *run,
                                const char *nothing_examined);
/* The few lines that open a text report: version, command, host, start
 * time, command line, rule pack identity, evidence roots (`roots_label`:
 * "evidence" or "targets"). */
exhunt_err exh_text_run_header(exh_dynbuf *b, const char *command, const exh_run_record *run,
                               const char *roots_label);

#endif
