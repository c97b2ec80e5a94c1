/*
 * lines.c - bounded line splitter; see lines.h.
 */
#define _GNU_SOURCE /* memrchr */
#include "lines.h"

#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"

#define CHUNK (64u * 1024u)

exhunt_err exh_lines_init(exh_lines *l, exh_source src)
{
  memset(l, 0, sizeof *l);
  l->src = src;
  l->cap = EXH_MAX_LINE + CHUNK;
  l->buf = exh_malloc(l->cap);
  return l->buf ? EXHUNT_OK : EXHUNT_ENOMEM;
}

void exh_lines_free(exh_lines *l)
{
  exh_free(l->buf);
  l->buf = NULL;
}

/* Reads more data after moving what is unread to the front. */
static bool fill(exh_lines *l)
{
  if (l->eof)
    return false;
  if (l->start > 0) {
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
  if (want > EXH_MAX_LINE)
    want = EXH_MAX_LINE;
  while (l->end - l->start < want && fill(l))
    ;
  const uint8_t *last = memrchr(l->buf + l->start, '\n', l->end - l->start);
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
      l->start += n + 1;
      l->lineno++;
      return true;
    }
    if (l->end - l->start >= EXH_MAX_LINE) {
      *line = (const char *)l->buf + l->start;
      *len = EXH_MAX_LINE;
      *truncated = true;
      l->lineno++;
      l->start += EXH_MAX_LINE;
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
