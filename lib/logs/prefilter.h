/*
 * prefilter.h - the buffer-level literal prefilter of the log engine.
 *
 * exh_block_scan (detect.c) finds the detectors' needles with one memchr
 * pass per needle byte, several passes over every buffer; the anchors
 * ('w' of "powershell", 'u' of "/auth/", '~', '&') are common in these
 * logs, so most of the time went into memchr calls that found nothing.
 * Here all the needles of a family, plus the "\n#" of a header or metadata
 * line, are found in one pass per buffer.
 *
 * Two implementations, one per build (CMake's EXHUNT_MATCHER): Hyperscan
 * block-mode databases (prefilter_hs.c, Linux's default), or an
 * Aho-Corasick automaton in portable C11 (prefilter_ac.c: the Windows
 * build's, since Hyperscan has no mingw build). Both find the literals of
 * prefilter_needles.c and hand every match to the same checks there, so
 * they report the same lines; lib/logs/README.md has their speeds.
 *
 * The matchers are built once per run and shared read-only by every
 * worker (as YARA shares its rules); each worker owns one scratch (empty
 * for the portable one). The needles find at least every line
 * exh_block_scan finds (the engine then confirms each line with
 * exh_row_may_match, so the set of lines checked is the same as without
 * the prefilter). Where Hyperscan cannot run (a CPU without SSSE3, no
 * memory), exh_prefilter_new gives NULL and the engine uses
 * exh_block_scan: same results, slower.
 */
#ifndef EXH_PREFILTER_H
#define EXH_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "detect.h"

typedef struct exh_prefilter exh_prefilter;
typedef struct exh_prefilter_scratch exh_prefilter_scratch;

/* "hyperscan" or "portable": the implementation this build has. A static
 * string. */
const char *exh_prefilter_matcher(void);

/* Builds the matchers. NULL if they are unusable here (Hyperscan on a CPU
 * without SSSE3; no memory): not an error, the caller scans without them.
 * Free with exh_prefilter_free (NULL is fine). Thread-safe to share once
 * built. */
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
 * (exh_literals_scratch gives a worker's scratch room for it). NULL when
 * the matcher is unusable, out of memory, a literal is empty, none is
 * given, or (portable) the set's table would pass EXH_AC_MAX_TABLE: the
 * caller then searches line by line. `fn` gets a pointer into each match
 * (its last byte), at every match (not necessarily in order); when it
 * returns false the scan stops. */
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
