/*
 * ref_split.h - reference readings of a log record, written for clarity
 * rather than speed and apart from lib/logs/table.c, that the table
 * reader's splitters are checked against (tests/unit/test_logs.c and the
 * fuzz_csv / fuzz_w3c targets): RFC 4180 CSV fields, W3C fields, and the
 * quote state at the end of a CSV line. Fields land in ref_buf/ref_fields
 * (one set per including file; the next call overwrites them).
 */
#ifndef EXH_REF_SPLIT_H
#define EXH_REF_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/limits.h"

typedef struct ref_field {
  size_t start, len; /* into ref_buf */
} ref_field;

static char ref_buf[EXH_MAX_LINE + 1];
static ref_field ref_fields[EXH_MAX_FIELDS];

/* Reference CSV split: fields separated by ',', a field opening with '"'
 * is quoted ("" is one '"'), bytes after its closing quote up to the next
 * comma are kept; at most EXH_MAX_FIELDS fields. */
static inline size_t ref_split_csv(const char *p, size_t n)
{
  size_t nf = 0, o = 0, i = 0;
  for (;;) {
    size_t start = o;
    int quoted = i < n && p[i] == '"', in_quotes = quoted;
    if (quoted)
      i++;
    for (; i < n; i++) {
      if (in_quotes && p[i] == '"') {
        if (i + 1 < n && p[i + 1] == '"') {
          ref_buf[o++] = '"';
          i++;
        } else {
          in_quotes = 0;
        }
        continue;
      }
      if (!in_quotes && p[i] == ',')
        break;
      ref_buf[o++] = p[i];
    }
    ref_fields[nf].start = start;
    ref_fields[nf].len = o - start;
    nf++;
    if (i >= n || nf == EXH_MAX_FIELDS)
      return nf;
    i++; /* the comma */
  }
}

/* Reference quote state at the end of a CSV line that starts inside a
 * quoted value or not, by the same rules as ref_split_csv, without the
 * field cap. */
static inline bool ref_ends_in_quote(const char *p, size_t n, bool in_quote)
{
  bool field_start = !in_quote, after_close = false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (in_quote) {
      if (c == '"' && i + 1 < n && p[i + 1] == '"')
        i++;
      else if (c == '"')
        in_quote = false, after_close = true;
      continue;
    }
    if (c == ',') {
      field_start = true, after_close = false;
      continue;
    }
    if (c == '"' && field_start && !after_close)
      in_quote = true;
    field_start = false;
  }
  return in_quote;
}

/* Reference W3C split: maximal runs of non-space bytes. */
static inline size_t ref_split_w3c(const char *p, size_t n)
{
  size_t nf = 0;
  for (size_t i = 0; i < n && nf < EXH_MAX_FIELDS;) {
    if (p[i] == ' ') {
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && p[j] != ' ')
      j++;
    memcpy(ref_buf + i, p + i, j - i);
    ref_fields[nf].start = i;
    ref_fields[nf].len = j - i;
    nf++;
    i = j;
  }
  return nf;
}

#endif
