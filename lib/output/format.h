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

#endif
