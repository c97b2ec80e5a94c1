/*
 * prefilter.h - the buffer-level literal prefilter on Hyperscan.
 *
 * exh_block_scan (detect.c) finds the detectors' needles with one memchr
 * pass per needle byte, several passes over every buffer; the anchors
 * ('w' of "powershell", 'u' of "/auth/", '~', '&') are common in these
 * logs, so most of the time went into memchr calls that found nothing.
 * Here all the needles of a family, plus the "\n#" of a header or metadata
 * line, go into one Hyperscan block-mode database: one pass per buffer.
 *
 * The databases are compiled once per run and shared read-only by every
 * worker (as YARA shares its rules); each worker owns one scratch. The
 * patterns find at least every line exh_block_scan finds (the engine then
 * confirms each line with exh_row_may_match, so the set of lines checked is
 * the same as without Hyperscan). Where Hyperscan cannot run (a CPU without
 * SSSE3, no memory), exh_prefilter_new gives NULL and the engine uses
 * exh_block_scan: same results, slower.
 */
#ifndef EXH_PREFILTER_H
#define EXH_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "detect.h"

typedef struct exh_prefilter exh_prefilter;
typedef struct exh_prefilter_scratch exh_prefilter_scratch;

/* Compiles the databases. NULL if Hyperscan is unusable here (platform,
 * memory): not an error, the caller scans without it. Free with
 * exh_prefilter_free (NULL is fine). Thread-safe to share once built. */
exh_prefilter *exh_prefilter_new(void);
void exh_prefilter_free(exh_prefilter *pf);

/* One per thread. NULL on failure (scan without the prefilter then). */
exh_prefilter_scratch *exh_prefilter_scratch_new(const exh_prefilter *pf);
void exh_prefilter_scratch_free(exh_prefilter_scratch *s);

typedef enum exh_prefilter_result {
  EXH_PF_DONE = 0,    /* every needle reported (or fn stopped taking them) */
  EXH_PF_META,        /* a line after the first starts with '#' */
  EXH_PF_UNAVAILABLE, /* no database for this family, or a scan error:
                         use exh_block_scan */
} exh_prefilter_result;

/* Scans [p, p+n), a buffer of whole lines of family `fam`. `fn` gets a
 * pointer into the line of each needle found (several per line possible,
 * not necessarily in order); when it returns false no more needles are
 * reported, but the scan still looks for '#' lines, and stops at the first
 * (EXH_PF_META; the caller checks p[0] itself). */
exh_prefilter_result exh_prefilter_scan(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                        exh_log_family fam, const char *p, size_t n, exh_hit_fn fn,
                                        void *ctx);

/* A caller's own literals (the URLs of web shells the hunt's scan found),
 * looked for case-insensitively in one pass per buffer: a run-wide set
 * compiled once, shared read-only, scanned with the caller's scratch
 * (exh_prefilter_scratch_grow gives a worker's scratch room for it). NULL
 * when Hyperscan is unusable or no literal is given: the caller then
 * searches line by line. `fn` gets a pointer to the start of each match. */
typedef struct exh_literals exh_literals;
exh_literals *exh_literals_new(const char *const *lits, size_t n);
void exh_literals_free(exh_literals *l);
/* A scratch for the literal set alone when s is NULL, or s grown to serve
 * it too; false when out of memory (s is then unchanged). */
bool exh_literals_scratch(const exh_literals *l, exh_prefilter_scratch **s);
/* false when the scan could not run (fall back to line by line). */
bool exh_literals_scan(const exh_literals *l, exh_prefilter_scratch *s, const char *p, size_t n,
                       exh_hit_fn fn, void *ctx);

#endif
