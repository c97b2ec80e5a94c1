/*
 * table_target.h - the body shared by fuzz_csv and fuzz_w3c: one log file
 * through the production reader path (span source -> exh_lines ->
 * exh_table), with checks that hold for any input:
 *  - exh_lines_next and the block path (exh_lines_peek/consume, which the
 *    engine uses on its fast path) yield the same lines, and
 *    exh_count_lines (AVX2 or memchr) counts them and their empty ones;
 *  - exh_table_split gives the fields a plain reference splitter gives
 *    (RFC 4180 for CSV, runs of spaces for W3C), the field cap included,
 *    and every view is readable;
 *  - exh_table_first_field agrees with the split on quote-free CSV rows;
 *  - exh_csv_ends_in_quote (which joins a CSV record across a quoted line
 *    break) agrees with a reference reading, from either starting state;
 *  - the literal prefilter exh_row_may_match is a superset of the
 *    detectors: a row that yields a hit is never one it would skip, nor
 *    is a CSV record line joined to the one before it, as the engine
 *    joins a record whose quoted value spans lines.
 * A broken check aborts, which libFuzzer and the replay driver report.
 */
#ifndef FUZZ_TABLE_TARGET_H
#define FUZZ_TABLE_TARGET_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ref_split.h"
#include "core/limits.h"
#include "logs/detect.h"
#include "logs/lines.h"
#include "logs/table.h"

static volatile unsigned sink_byte;

static void check_record(exh_table *t, exh_cols *cols, const char *line, size_t len)
{
  exh_table_split(t, line, len);
  size_t nf = t->format == EXH_FMT_CSV ? ref_split_csv(line, len) : ref_split_w3c(line, len);
  if (t->n_values != nf)
    abort();
  for (size_t i = 0; i < nf; i++) {
    exh_view v = t->values[i];
    if (v.n != ref_fields[i].len || (v.n && memcmp(v.p, ref_buf + ref_fields[i].start, v.n) != 0))
      abort();
  }
  if (t->ragged != (t->n_values != t->n_names))
    abort();
  for (int c = -1; c <= (int)t->n_values; c++) {
    exh_view v = exh_table_get(t, c);
    for (size_t i = 0; i < v.n; i++)
      sink_byte += (unsigned char)v.p[i];
  }
  if (t->format == EXH_FMT_CSV && !memchr(line, '"', len)) {
    for (size_t k = 0; k < 2 && k < t->n_values; k++) {
      exh_view a = exh_table_first_field(t, line, len, k), b = t->values[k];
      if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0)
        abort();
    }
  }
  exh_record_time(t, cols);
  exh_log_hit hits[4];
  exh_log_family fam = t->format == EXH_FMT_CSV ? EXH_FAM_HTTPPROXY : EXH_FAM_IIS;
  size_t n = fam == EXH_FAM_HTTPPROXY ? exh_detect_httpproxy(t, cols, "ecp", hits, 4)
                                      : exh_detect_iis(t, cols, hits, 4);
  /* a tunnel's data rows are found through the file's connect instead */
  bool needles = false;
  for (size_t i = 0; i < n; i++)
    needles = needles || !hits[i].tunnel_data;
  if (needles && !exh_row_may_match(fam, line, len))
    abort();
}

/* A CSV record whose quoted value spans lines reaches the detectors joined
 * ('\n' between its lines): the prefilter must take such a row too. Each
 * record line is joined to the one before it (both under 32 KiB). */
static char joined_buf[64 * 1024 + 1];
static size_t prev_len = SIZE_MAX;

static void check_joined(exh_table *t, exh_cols *cols, const char *line, size_t len)
{
  if (t->format != EXH_FMT_CSV || len > 32 * 1024) {
    prev_len = SIZE_MAX;
    return;
  }
  if (prev_len != SIZE_MAX) {
    joined_buf[prev_len] = '\n';
    memcpy(joined_buf + prev_len + 1, line, len);
    size_t n = prev_len + 1 + len;
    exh_table_split(t, joined_buf, n);
    exh_log_hit hits[4];
    if (exh_detect_httpproxy(t, cols, "ecp", hits, 4) > 0 &&
        !exh_row_may_match(EXH_FAM_HTTPPROXY, joined_buf, n))
      abort();
  }
  memmove(joined_buf, line, len);
  prev_len = len;
}

static void feed_line(exh_table *t, exh_cols *cols, const char *line, size_t len)
{
  /* the quote state that joins CSV records across line breaks */
  if (t->format == EXH_FMT_CSV)
    for (int q = 0; q < 2; q++)
      if (exh_csv_ends_in_quote(line, len, q) != ref_ends_in_quote(line, len, q))
        abort();
  unsigned changes = t->header_changes;
  bool had = t->have_header;
  exh_line_kind kind = exh_table_classify(t, line, len);
  if (kind == EXH_LINE_META && t->have_header && (!had || t->header_changes != changes)) {
    exh_cols_bind(cols, t, t->format == EXH_FMT_CSV ? EXH_FAM_HTTPPROXY : EXH_FAM_IIS);
    /* every bound name is found again, at its first position */
    for (size_t i = 0; i < t->n_names; i++) {
      int c = exh_table_col(t, t->names.data + t->name_off[i]);
      if (c < 0 || (size_t)c > i)
        abort();
    }
  }
  if (kind == EXH_LINE_RECORD) {
    check_record(t, cols, line, len);
    check_joined(t, cols, line, len);
  }
}

/* Line fingerprints of the first pass, compared by the second. */
typedef struct line_fp {
  uint64_t hash;
  size_t len;
} line_fp;

static uint64_t fnv(const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

static void fuzz_table(const uint8_t *data, size_t size, exh_table_format fmt)
{
  exh_span_source span;
  exh_source src;
  exh_lines lines;
  exh_table t;
  exh_cols cols;
  memset(&cols, 0xff, sizeof cols); /* every column -1 until a header binds */
  line_fp *fps = NULL;
  size_t n_fps = 0, cap = 0;

  /* Pass 1: line by line, as the engine reads rows it cannot batch. */
  prev_len = SIZE_MAX;
  exh_source_span(&src, &span, data, size);
  if (exh_lines_init(&lines, src) != EXHUNT_OK)
    abort();
  exh_table_init(&t, fmt);
  const char *line;
  size_t len;
  bool truncated;
  while (exh_lines_next(&lines, &line, &len, &truncated)) {
    if (lines.lineno != n_fps + 1 || len > EXH_MAX_LINE)
      abort();
    if (n_fps == cap) {
      cap = cap ? 2 * cap : 256;
      fps = realloc(fps, cap * sizeof *fps);
      if (!fps)
        abort();
    }
    fps[n_fps].hash = truncated ? 0 : fnv(line, len);
    fps[n_fps].len = truncated ? SIZE_MAX : len;
    n_fps++;
    feed_line(&t, &cols, line, len);
  }
  exh_table_free(&t);
  exh_lines_free(&lines);

  /* Pass 2: blocks of whole lines where there are some (the engine's fast
   * path), single lines otherwise; a small block size so the input is
   * cut at many places. */
  prev_len = SIZE_MAX;
  exh_source_span(&src, &span, data, size);
  if (exh_lines_init(&lines, src) != EXHUNT_OK)
    abort();
  size_t seen = 0;
  size_t want = 1 + (size ? data[size - 1] : 0) * 16u;
  for (;;) {
    const char *block;
    size_t blen;
    if (exh_lines_peek(&lines, want, &block, &blen)) {
      if (blen == 0 || block[blen - 1] != '\n')
        abort();
      uint64_t k = 0, empty = 0;
      for (const char *p = block, *end = block + blen; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);
        size_t l = n && p[n - 1] == '\r' ? n - 1 : n;
        if (seen >= n_fps || fps[seen].len != l || fps[seen].hash != fnv(p, l))
          abort();
        seen++;
        k++;
        empty += l == 0;
        p = nl + 1;
      }
      uint64_t e2 = 0;
      if (exh_count_lines(block, blen, &e2) != k || e2 != empty)
        abort();
      exh_lines_consume(&lines, blen, k);
      continue;
    }
    if (!exh_lines_next(&lines, &line, &len, &truncated))
      break;
    if (seen >= n_fps || (truncated ? SIZE_MAX : len) != fps[seen].len ||
        (!truncated && fps[seen].hash != fnv(line, len)))
      abort();
    seen++;
  }
  if (seen != n_fps || lines.lineno != n_fps)
    abort();
  exh_lines_free(&lines);
  free(fps);
}

#endif
