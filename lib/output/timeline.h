/*
 * timeline.h - exports for other tools: Timesketch timelines (JSON Lines or
 * CSV, one row per moment) and the self-contained HTML report (a template
 * with the hunt's JSON records embedded). Part of the borrowed-helper tier
 * that cli/ uses; each function appends to a dynbuf.
 */
#ifndef EXH_TIMELINE_H
#define EXH_TIMELINE_H

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"

typedef enum exh_timeline_format {
  EXH_TIMELINE_JSONL = 0,
  EXH_TIMELINE_CSV = 1
} exh_timeline_format;

/* The CSV header line (nothing for JSON Lines). */
exhunt_err exh_timeline_header(exh_dynbuf *b, exh_timeline_format fmt);
/* A row for a finding with a moment (log record time, file mtime, build
 * sighting); nothing for one without. */
exhunt_err exh_timeline_finding(exh_dynbuf *b, const exhunt_finding *f, const char *server,
                                exh_timeline_format fmt);
/* Rows for a build's first and last sighting. */
exhunt_err exh_timeline_build(exh_dynbuf *b, const exhunt_build_seen *s, exh_timeline_format fmt);

/* The HTML report: `tmpl` with its one "__EXHUNT_DATA__" replaced by the
 * JSON Lines records as a JSON array, escaped for a <script> element.
 * EXHUNT_EINVAL if the template has no placeholder, or more than one. */
exhunt_err exh_html_report(exh_dynbuf *out, const char *tmpl, size_t tmpl_len, const char *jsonl,
                           size_t jsonl_len);

/* The report template embedded from rules/report/ (ENOENT if none). */
exhunt_err exh_html_template(const char **data, size_t *len);

#endif
