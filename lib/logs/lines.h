/*
 * lines.h - splits a byte source into lines, with bounded memory.
 *
 * Handles LF and CRLF (a lone CR is data), NUL bytes (kept: the parsers
 * treat them as ordinary bytes), a last line without a newline, and lines
 * longer than EXH_MAX_LINE: the first EXH_MAX_LINE bytes are returned with
 * `truncated` set and the rest of that line is skipped, so one hostile line
 * cannot grow memory. Line numbers are 1-based and count every line.
 */
#ifndef EXH_LINES_H
#define EXH_LINES_H

#include <stdbool.h>

#include "source.h"

typedef struct exh_lines {
  exh_source src;
  uint8_t *buf;
  size_t cap;      /* max_line + chunk */
  size_t max_line; /* EXH_MAX_LINE, or the user's --max-line */
  size_t start;    /* first byte of unread data */
  size_t end;      /* one past the last byte read */
  uint64_t lineno;
  bool eof;
  bool pending_skip;  /* the rest of a truncated line is still to be dropped */
  exhunt_err src_err; /* first error from the source (reading stops) */
} exh_lines;

exhunt_err exh_lines_init(exh_lines *l, exh_source src);
/* The same with another line cap (0: EXH_MAX_LINE). */
exhunt_err exh_lines_init_max(exh_lines *l, exh_source src, size_t max_line);
void exh_lines_free(exh_lines *l);

/* The complete lines buffered now (ending with '\n'), reading up to
 * `want` bytes ahead first; false if there is no complete line (end of
 * data, or a line longer than the limit: exh_lines_next handles those).
 * Nothing is consumed until exh_lines_consume(bytes, lines). For readers
 * that scan a whole buffer at once before looking at single lines. */
bool exh_lines_peek(exh_lines *l, size_t want, const char **block, size_t *len);
void exh_lines_consume(exh_lines *l, size_t bytes, uint64_t lines);

/* Counts the lines of [p, p+n), which begins at the start of a line and
 * ends after a '\n'; *empty gets how many of them are empty ("\n" or
 * "\r\n": length 0 from exh_lines_next). Faster than finding each line
 * when lines are short (IIS: ~270 bytes); glibc's memchr per line wins on
 * longer ones. Pure function: thread-safe. */
uint64_t exh_count_lines(const char *p, size_t n, uint64_t *empty);

/* Next line, without its line end. Returns false at the end of the data
 * (check l->src_err then). The view is valid until the next call. */
bool exh_lines_next(exh_lines *l, const char **line, size_t *len, bool *truncated);

#endif
