/*
 * prefilter_check.h - the checks the literal prefilter (lib/logs/prefilter.h)
 * must pass on any bytes, shared by tests/unit/test_prefilter.c (real logs,
 * hostile buffers) and tests/fuzz/fuzz_prefilter.c:
 *  - over a buffer of lines, exh_prefilter_scan reports every line
 *    exh_block_scan reports (a line it missed would be a missed detection),
 *    and no line the engine's own row check (exh_row_may_match) would turn
 *    away: the line checks are the same, so no row is split for nothing;
 *  - it answers EXH_PF_META exactly when a line after the first starts
 *    with '#', whether its callback takes every hit or stops at the first;
 *  - a literal set (exh_literals) reports each match of each literal,
 *    case-insensitively, where a plain search of every literal at every
 *    offset finds one, no more and no fewer, and stops when told.
 * Each check returns NULL, or what went wrong and the offset in *where.
 * Written for clarity rather than speed, apart from the code it checks.
 */
#ifndef EXH_PREFILTER_CHECK_H
#define EXH_PREFILTER_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/detect.h"
#include "logs/prefilter.h"

enum { PFC_BLOCK = 1, PFC_PREFILTER = 2, PFC_ROW = 4 };

typedef struct pfc_marks {
  const char *buf, *end;
  unsigned char *mark; /* per byte: the PFC_ bits of the line starting there */
  unsigned char bit;
  size_t calls;
  size_t stop_after;           /* 0: take every hit */
  const char *line, *line_end; /* the last hit's, so a long line is walked once */
} pfc_marks;

static inline bool pfc_mark_line(void *ctx, const char *at)
{
  pfc_marks *m = ctx;
  if (!m->line || at < m->line || at >= m->line_end) {
    m->line = m->line_end = at;
    while (m->line > m->buf && m->line[-1] != '\n')
      m->line--;
    while (m->line_end < m->end && *m->line_end != '\n')
      m->line_end++;
  }
  m->mark[m->line - m->buf] |= m->bit;
  m->calls++;
  return m->stop_after == 0 || m->calls < m->stop_after;
}

/* A line after the first that starts with '#'. */
static inline bool pfc_has_meta(const char *p, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (p[i] == '#' && p[i - 1] == '\n')
      return true;
  return false;
}

/* One buffer [p, p+n) of lines with no '#' line after its first (the
 * engine reads those line by line). `mark` has room for n bytes. */
static inline const char *pfc_check_lines(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                          exh_log_family fam, const char *p, size_t n,
                                          unsigned char *mark, size_t *where)
{
  memset(mark, 0, n);
  *where = 0;
  pfc_marks pm = {p, p + n, mark, PFC_PREFILTER, 0, 0, NULL, NULL};
  pfc_marks bm = {p, p + n, mark, PFC_BLOCK, 0, 0, NULL, NULL};
  if (exh_prefilter_scan(pf, s, fam, p, n, pfc_mark_line, &pm) != EXH_PF_DONE)
    return "the prefilter did not scan the whole buffer";
  exh_block_scan(fam, p, n, pfc_mark_line, &bm);
  for (size_t at = 0; at < n;) {
    const char *nl = memchr(p + at, '\n', n - at);
    size_t len = nl ? (size_t)(nl - (p + at)) : n - at;
    size_t row = nl && len && p[at + len - 1] == '\r' ? len - 1 : len;
    if (exh_row_may_match(fam, p + at, row))
      mark[at] |= PFC_ROW;
    *where = at;
    if ((mark[at] & PFC_BLOCK) && !(mark[at] & PFC_PREFILTER))
      return "a line exh_block_scan reports, the prefilter does not";
    if ((mark[at] & PFC_PREFILTER) && !(mark[at] & PFC_ROW))
      return "a line the prefilter reports, exh_row_may_match turns away";
    at += len + 1;
  }
  return NULL;
}

/* The META answer on [p, p+n) as a whole, taking every hit or the first. */
static inline const char *pfc_check_meta(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                         exh_log_family fam, const char *p, size_t n,
                                         unsigned char *mark, size_t *where)
{
  bool meta = pfc_has_meta(p, n);
  *where = 0;
  for (size_t stop = 0; stop < 2; stop++) {
    memset(mark, 0, n);
    pfc_marks m = {p, p + n, mark, PFC_PREFILTER, 0, stop, NULL, NULL};
    exh_prefilter_result r = exh_prefilter_scan(pf, s, fam, p, n, pfc_mark_line, &m);
    if (r != (meta ? EXH_PF_META : EXH_PF_DONE))
      return meta ? "a '#' line the prefilter did not stop at" : "a '#' line where there is none";
    if (stop && m.calls > 1)
      return "a hit after the callback said stop";
  }
  return NULL;
}

/* Both, over a buffer of any lines: cut at each '#' line as the engine
 * cuts (a block starts there), each piece checked whole. */
static inline const char *pfc_check_buffer(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                           exh_log_family fam, const char *p, size_t n,
                                           unsigned char *mark, size_t *where)
{
  const char *why = pfc_check_meta(pf, s, fam, p, n, mark, where);
  for (size_t start = 0; !why && start < n;) {
    size_t end = start + 1;
    while (end < n && !(p[end] == '#' && p[end - 1] == '\n'))
      end++;
    why = pfc_check_lines(pf, s, fam, p + start, end - start, mark, where);
    *where += start;
    start = end;
  }
  return why;
}

static inline bool pfc_same_ci(const char *a, const char *b, size_t k)
{
  for (size_t i = 0; i < k; i++) {
    unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
    if (x >= 'A' && x <= 'Z')
      x = (unsigned char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (unsigned char)(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

typedef struct pfc_count {
  const char *buf;
  uint32_t *ends; /* per byte: matches whose last byte it is */
  size_t calls, stop_after;
} pfc_count;

static inline bool pfc_count_end(void *ctx, const char *at)
{
  pfc_count *c = ctx;
  c->ends[at - c->buf]++;
  c->calls++;
  return c->stop_after == 0 || c->calls < c->stop_after;
}

/* exh_literals over [p, p+n) against a search of each literal at each
 * offset. `ends` has room for 2n counters. A set the matcher refused
 * (NULL) is not checked here. */
static inline const char *pfc_check_literals(const exh_literals *l, exh_prefilter_scratch *s,
                                             const char *const *lits, size_t n_lits, const char *p,
                                             size_t n, uint32_t *ends, size_t *where)
{
  uint32_t *want = ends + n;
  memset(ends, 0, 2 * n * sizeof *ends);
  *where = 0;
  size_t total = 0;
  for (size_t i = 0; i < n_lits; i++) {
    size_t k = strlen(lits[i]);
    for (size_t at = 0; k && at + k <= n; at++)
      if (pfc_same_ci(p + at, lits[i], k)) {
        want[at + k - 1]++;
        total++;
      }
  }
  pfc_count c = {p, ends, 0, 0};
  if (!exh_literals_scan(l, s, p, n, pfc_count_end, &c))
    return "the literal scan did not run";
  for (size_t i = 0; i < n; i++) {
    *where = i;
    if (ends[i] != want[i])
      return ends[i] < want[i] ? "a literal's match not reported"
                               : "a match reported twice or where none is";
  }
  /* told to stop after the half of them */
  if (total >= 2) {
    memset(ends, 0, n * sizeof *ends);
    pfc_count half = {p, ends, 0, total / 2};
    if (!exh_literals_scan(l, s, p, n, pfc_count_end, &half))
      return "the literal scan did not run";
    if (half.calls != total / 2)
      return "matches reported after the callback said stop";
  }
  return NULL;
}

#endif
