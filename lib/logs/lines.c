/*
 * lines.c - bounded line splitter; see lines.h.
 */
#include "lines.h"

#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "platform/strext.h"

#define CHUNK (64u * 1024u)

exhunt_err exh_lines_init(exh_lines *l, exh_source src)
{
  return exh_lines_init_max(l, src, EXH_MAX_LINE);
}

exhunt_err exh_lines_init_max(exh_lines *l, exh_source src, size_t max_line)
{
  memset(l, 0, sizeof *l);
  l->src = src;
  l->max_line = max_line ? max_line : EXH_MAX_LINE;
  l->cap = l->max_line + CHUNK;
  l->buf = exh_malloc(l->cap);
  return l->buf ? EXHUNT_OK : EXHUNT_ENOMEM;
}

void exh_lines_free(exh_lines *l)
{
  exh_free(l->buf);
  l->buf = NULL;
}

/* Reads more data at the end of the buffer. What is unread moves to the
 * front only when the room left is under a chunk: with a buffer of the line
 * cap (1 MiB) and reads of 64 KiB, that is once per ~1 MiB read, and only
 * the unread tail moves, instead of every byte once more per read. */
static bool fill(exh_lines *l)
{
  if (l->eof)
    return false;
  if (l->start == l->end) {
    l->start = l->end = 0;
  } else if (l->start > 0 && l->cap - l->end < CHUNK) {
    memmove(l->buf, l->buf + l->start, l->end - l->start);
    l->end -= l->start;
    l->start = 0;
  }
  size_t room = l->cap - l->end;
  if (room == 0)
    return false;
  size_t got = 0;
  exhunt_err err = l->src.read(l->src.ctx, l->buf + l->end, room < CHUNK ? room : CHUNK, &got);
  l->end += got;
  if (err && !l->src_err)
    l->src_err = err;
  if (got == 0 || err)
    l->eof = true;
  return got > 0;
}

/* Drops bytes up to and including the next newline (rest of a long line). */
static void skip_rest_of_line(exh_lines *l)
{
  for (;;) {
    uint8_t *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
    if (nl) {
      l->start = (size_t)(nl - l->buf) + 1;
      return;
    }
    l->start = l->end;
    if (!fill(l))
      return;
  }
}

bool exh_lines_peek(exh_lines *l, size_t want, const char **block, size_t *len)
{
  if (l->pending_skip) {
    l->pending_skip = false;
    skip_rest_of_line(l);
  }
  if (want > l->max_line)
    want = l->max_line;
  while (l->end - l->start < want && fill(l))
    ;
  /* Only whole lines within `want` (at most the line cap): a line longer
   * than the cap must reach exh_lines_next, which cuts it and says so. */
  size_t avail = l->end - l->start < want ? l->end - l->start : want;
  const uint8_t *last = exh_memrchr(l->buf + l->start, '\n', avail);
  if (!last)
    return false;
  *block = (const char *)l->buf + l->start;
  *len = (size_t)(last - (l->buf + l->start)) + 1;
  return true;
}

void exh_lines_consume(exh_lines *l, size_t bytes, uint64_t lines)
{
  l->start += bytes;
  l->lineno += lines;
}

/* The portable count: one memchr per line. */
static uint64_t count_lines_memchr(const char *p, size_t n, uint64_t *empty)
{
  const char *end = p + n;
  uint64_t lines = 0, empties = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      break;
    size_t len = (size_t)(nl - p);
    empties += len == 0 || (len == 1 && p[0] == '\r');
    lines++;
    p = nl + 1;
  }
  *empty = empties;
  return lines;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_COUNT_AVX2 1

__attribute__((target("avx2"))) static inline uint64_t newline_mask64(const char *q)
{
  const __m256i nl = _mm256_set1_epi8('\n');
  __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)q);
  __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(q + 32));
  uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl));
  uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl));
  return lo | hi << 32;
}

/* Newlines by 64-byte masks and popcounts. An empty line ("\n", "\r\n")
 * puts two '\n' within two bytes of each other; so does any line of one
 * byte, which is rare in logs. The span is counted by masks only when no
 * such pair is in it; otherwise it is counted line by line. */
__attribute__((target("avx2,popcnt"))) static uint64_t count_lines_avx2(const char *p, size_t n,
                                                                        uint64_t *empty)
{
  if (n == 0 || p[0] == '\n' || (n > 1 && p[1] == '\n')) /* the first line short */
    return count_lines_memchr(p, n, empty);
  uint64_t lines = 0, pairs = 0, prev = 0;
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    uint64_t m = newline_mask64(p + i);
    pairs |= prev & ((prev >> 1) | (m << 63) | (prev >> 2) | (m << 62));
    lines += (uint64_t)__builtin_popcountll(m);
    prev = m;
  }
  if (i < n) {
    char tail[64] = {0}; /* NUL is not '\n' */
    memcpy(tail, p + i, n - i);
    uint64_t m = newline_mask64(tail);
    pairs |= prev & ((prev >> 1) | (m << 63) | (prev >> 2) | (m << 62));
    lines += (uint64_t)__builtin_popcountll(m);
    prev = m;
  }
  pairs |= prev & ((prev >> 1) | (prev >> 2));
  if (pairs)
    return count_lines_memchr(p, n, empty);
  *empty = 0;
  return lines;
}
#endif

uint64_t exh_count_lines(const char *p, size_t n, uint64_t *empty)
{
#ifdef HAVE_COUNT_AVX2
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
    return count_lines_avx2(p, n, empty);
#endif
  return count_lines_memchr(p, n, empty);
}

bool exh_lines_next(exh_lines *l, const char **line, size_t *len, bool *truncated)
{
  /* The previous call returned the head of an over-long line; its view was
   * valid until now, so the tail is dropped only here. */
  if (l->pending_skip) {
    l->pending_skip = false;
    skip_rest_of_line(l);
  }
  size_t scanned = l->start;
  *truncated = false;
  for (;;) {
    uint8_t *nl = memchr(l->buf + scanned, '\n', l->end - scanned);
    if (nl) {
      size_t n = (size_t)(nl - (l->buf + l->start));
      *line = (const char *)l->buf + l->start;
      *len = n && (*line)[n - 1] == '\r' ? n - 1 : n;
      if (*len > l->max_line) { /* whole in the buffer, but over the cap all the same */
        *len = l->max_line;
        *truncated = true;
      }
      l->start += n + 1;
      l->lineno++;
      return true;
    }
    if (l->end - l->start >= l->max_line) {
      *line = (const char *)l->buf + l->start;
      *len = l->max_line;
      *truncated = true;
      l->lineno++;
      l->start += l->max_line;
      l->pending_skip = true;
      return true;
    }
    size_t before = l->end - l->start;
    scanned = l->end;
    if (!fill(l)) {
      if (l->end > l->start) { /* last line without a newline */
        *line = (const char *)l->buf + l->start;
        *len = l->end - l->start;
        if (*len && (*line)[*len - 1] == '\r')
          (*len)--;
        l->start = l->end;
        l->lineno++;
        return true;
      }
      return false;
    }
    scanned = l->start + before; /* fill() moved data to the front */
  }
}
