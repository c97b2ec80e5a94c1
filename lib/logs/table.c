/*
 * table.c - Exchange CSV and IIS W3C records; see table.h.
 */
#include "table.h"

#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void exh_table_init(exh_table *t, exh_table_format format)
{
  memset(t, 0, sizeof *t);
  t->format = format;
  exh_dynbuf_init(&t->names, 1024 * 1024);
  exh_dynbuf_init(&t->scratch, 2 * EXH_MAX_LINE);
  t->max_fields = EXH_MAX_FIELDS;
}

void exh_table_set_limits(exh_table *t, size_t max_fields, size_t max_line)
{
  t->max_fields = max_fields && max_fields < EXH_MAX_FIELDS ? max_fields : EXH_MAX_FIELDS;
  t->scratch.max = 2 * (max_line ? max_line : EXH_MAX_LINE);
}

void exh_table_free(exh_table *t)
{
  exh_dynbuf_free(&t->names);
  exh_dynbuf_free(&t->scratch);
}

int exh_view_uint(exh_view v)
{
  int x = 0;
  if (v.n == 0 || v.n > 9)
    return -1;
  for (size_t i = 0; i < v.n; i++) {
    if (v.p[i] < '0' || v.p[i] > '9')
      return -1;
    x = x * 10 + (v.p[i] - '0');
  }
  return x;
}

/* ASCII case-insensitive equality of n bytes, inline: the detectors call
 * these on every field of every candidate row, where strncasecmp's call
 * and locale lookup cost more than the comparison. Same result as
 * strncasecmp in the C locale (a NUL in the data is just a mismatch). */
static inline bool same_ci(const char *a, const char *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (exh_lower(a[i]) != exh_lower(b[i]))
      return false;
  return true;
}

bool exh_view_eq(exh_view v, const char *s)
{
  size_t n = strlen(s);
  return v.n == n && same_ci(v.p, s, n);
}

bool exh_view_starts(exh_view v, const char *prefix)
{
  size_t n = strlen(prefix);
  return v.n >= n && same_ci(v.p, prefix, n);
}

bool exh_view_has(exh_view v, const char *needle)
{
  size_t n = strlen(needle);
  if (n == 0)
    return true;
  /* memchr for each case of the first byte, then compare */
  char lo = exh_lower(needle[0]);
  char up = lo >= 'a' && lo <= 'z' ? (char)(lo - 'a' + 'A') : lo;
  for (int pass = 0; pass < (lo == up ? 1 : 2); pass++) {
    const char *s = v.p, *end = v.p + v.n;
    while ((s = memchr(s, pass ? up : lo, (size_t)(end - s))) != NULL) {
      if ((size_t)(end - s) >= n && same_ci(s, needle, n))
        return true;
      s++;
    }
  }
  return false;
}

static void copy_meta(char *dst, size_t cap, const char *p, size_t n)
{
  while (n && (*p == ' ' || *p == '\t'))
    p++, n--;
  while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  if (n >= cap)
    n = cap - 1;
  for (size_t i = 0; i < n; i++)
    dst[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
  dst[n] = '\0';
}

/* Splits a header into names: ',' for CSV, ' ' for W3C. */
static void set_header(exh_table *t, const char *p, size_t n, char sep)
{
  if (t->have_header)
    t->header_changes++;
  exh_dynbuf_reset(&t->names);
  t->n_names = 0;
  t->header_capped = false;
  size_t i = 0;
  while (i <= n) {
    if (t->n_names == t->max_fields) {
      t->header_capped = true;
      break;
    }
    size_t j = i;
    while (j < n && p[j] != sep)
      j++;
    const char *name = p + i;
    size_t len = j - i;
    while (len && (*name == ' ' || *name == '"'))
      name++, len--;
    while (len && (name[len - 1] == ' ' || name[len - 1] == '"'))
      len--;
    if (len || sep == ',') {
      size_t off = t->names.len;
      exhunt_err err = exh_dynbuf_add(&t->names, name, len);
      if (!err)
        err = exh_dynbuf_addc(&t->names, '\0');
      if (err) {
        t->nomem |= err == EXHUNT_ENOMEM;
        break;
      }
      t->name_off[t->n_names++] = off;
    }
    i = j + 1;
  }
  t->have_header = t->n_names > 0;
}

int exh_table_col(const exh_table *t, const char *name)
{
  for (size_t i = 0; i < t->n_names; i++)
    if (strcasecmp(t->names.data + t->name_off[i], name) == 0)
      return (int)i;
  return -1;
}

exh_view exh_table_get(const exh_table *t, int col)
{
  exh_view empty = {"", 0};
  if (col < 0 || (size_t)col >= t->n_values)
    return empty;
  exh_view v = t->values[col];
  if (t->format == EXH_FMT_W3C && v.n == 1 && v.p[0] == '-')
    return empty;
  return v;
}

/* Appends field [start, at) of p (a record, or the unquoted copy of one);
 * false at the cap. */
static inline bool plain_field(exh_table *t, const char *p, size_t start, size_t at)
{
  t->values[t->n_values].p = p + start;
  t->values[t->n_values].n = at - start;
  return ++t->n_values < t->max_fields;
}

/* A record without a '"' (most are): each field is the bytes up to the
 * next comma, viewed in place, not copied. The commas come from a 16-byte
 * compare where SSE2 is there (every x86-64): a row has ~70 fields in
 * ~1 KB, and this runs on every row the prefilter lets through. Same
 * fields as split_csv's loop on such a line, the cap included. */
static bool split_csv_plain(exh_table *t, const char *p, size_t n)
{
  if (memchr(p, '"', n))
    return false;
  t->n_values = 0;
  size_t start = 0, i = 0;
#ifdef __SSE2__
  const __m128i comma = _mm_set1_epi8(',');
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma));
    while (m) {
      size_t at = i + (size_t)__builtin_ctz(m);
      if (!plain_field(t, p, start, at))
        return true;
      start = at + 1;
      m &= m - 1;
    }
  }
#endif
  for (; i < n; i++) {
    if (p[i] == ',') {
      if (!plain_field(t, p, start, i))
        return true;
      start = i + 1;
    }
  }
  plain_field(t, p, start, n);
  return true;
}

/* RFC 4180 fields of one line, unquoted into scratch. */
static void split_csv(exh_table *t, const char *p, size_t n)
{
  if (split_csv_plain(t, p, n))
    return;
  exh_dynbuf_reset(&t->scratch);
  /* Reserve once so views into scratch never move. */
  exhunt_err err = exh_dynbuf_reserve(&t->scratch, n + 1);
  if (err) {
    t->nomem |= err == EXHUNT_ENOMEM;
    t->n_values = 0;
    return;
  }
  char *out = t->scratch.data;
  size_t o = 0, i = 0;
  t->n_values = 0;
  while (t->n_values < t->max_fields) {
    size_t start = o;
    if (i < n && p[i] == '"') {
      i++;
      while (i < n) {
        if (p[i] == '"') {
          if (i + 1 < n && p[i + 1] == '"') {
            out[o++] = '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out[o++] = p[i++];
      }
      /* Junk between a closing quote and the comma is kept (lenient). */
      while (i < n && p[i] != ',')
        out[o++] = p[i++];
    } else {
      while (i < n && p[i] != ',')
        out[o++] = p[i++];
    }
    if (!plain_field(t, out, start, o) || i >= n)
      break;
    i++; /* the comma */
  }
  t->scratch.len = o;
}

bool exh_csv_ends_in_quote(const char *p, size_t n, bool in_quote)
{
  /* From quote to quote with memchr: most lines hold none or a few (a
   * quoted user agent), and this runs on every line the detectors see. */
  size_t i = 0;
  while (i < n) {
    const char *q = memchr(p + i, '"', n - i);
    if (!q)
      return in_quote;
    size_t k = (size_t)(q - p);
    if (in_quote) {
      if (k + 1 < n && p[k + 1] == '"') { /* "" is a quote inside the value */
        i = k + 2;
        continue;
      }
      in_quote = false; /* closed; bytes up to the comma are kept as they are */
    } else if (k == 0 || p[k - 1] == ',') {
      /* Opens a value only at the start of a field: the line's start (it
       * was not inside a value, or we would be in_quote) or after a comma.
       * Right after a closing quote p[k - 1] is that quote, not a comma. */
      in_quote = true;
    }
    i = k + 1;
  }
  return in_quote;
}

/* Where the W3C field at p[i] ends: the next space, or n. */
static size_t w3c_field_end(const char *p, size_t i, size_t n)
{
  while (i < n && p[i] != ' ')
    i++;
  return i;
}

static void split_w3c(exh_table *t, const char *p, size_t n)
{
  t->n_values = 0;
#ifdef __SSE2__
  /* 16 bytes at a time: a field starts at a non-space after a space (or
   * the line start) and ends at a space after a non-space. Same fields as
   * the loop below, the cap included; it finishes the tail. */
  const __m128i space = _mm_set1_epi8(' ');
  unsigned before = 1; /* the byte before the chunk is a space */
  size_t start = 0, i0 = 0;
  bool open = false;
  for (; i0 + 16 <= n; i0 += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i0));
    unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, space));
    unsigned sp_before = ((sp << 1) | before) & 0xFFFFu;
    unsigned edges = (~sp & sp_before & 0xFFFFu) | (sp & ~sp_before & 0xFFFFu);
    while (edges) {
      size_t at = i0 + (size_t)__builtin_ctz(edges);
      if (!open) {
        start = at;
        open = true;
      } else {
        open = false;
        if (!plain_field(t, p, start, at))
          return;
      }
      edges &= edges - 1;
    }
    before = sp >> 15;
  }
  if (open) {
    /* the field runs on into the tail */
    i0 = w3c_field_end(p, i0, n);
    plain_field(t, p, start, i0);
  }
  size_t i = i0;
#else
  size_t i = 0;
#endif
  while (i < n && t->n_values < t->max_fields) {
    while (i < n && p[i] == ' ')
      i++;
    if (i >= n)
      break;
    size_t j = w3c_field_end(p, i, n);
    plain_field(t, p, i, j);
    i = j;
  }
}

exh_line_kind exh_table_classify(exh_table *t, const char *line, size_t len)
{
  /* A UTF-8 byte-order mark may open the file. */
  if (len >= 3 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
      (unsigned char)line[2] == 0xBF)
    line += 3, len -= 3;
  if (len == 0)
    return EXH_LINE_EMPTY;
  if (line[0] == '#') {
    exh_view v = {line, len};
    if (exh_view_starts(v, "#Fields:"))
      set_header(t, line + 8, len - 8, t->format == EXH_FMT_CSV ? ',' : ' ');
    else if (exh_view_starts(v, "#Version:"))
      copy_meta(t->version, sizeof t->version, line + 9, len - 9);
    else if (exh_view_starts(v, "#Software:"))
      copy_meta(t->software, sizeof t->software, line + 10, len - 10);
    else if (exh_view_starts(v, "#Log-type:"))
      copy_meta(t->log_type, sizeof t->log_type, line + 10, len - 10);
    return EXH_LINE_META;
  }
  if (t->format == EXH_FMT_CSV && !t->have_header) {
    /* Some exports drop the # lines and start with a bare header. */
    exh_view v = {line, len};
    if (len && line[0] == '"') /* exports quote every name: "DateTime","RequestId" */
      v.p++, v.n--;
    if (exh_view_starts(v, "DateTime,") || exh_view_starts(v, "DateTime\",") ||
        exh_view_starts(v, "date-time,") || exh_view_starts(v, "TimeStamp,") ||
        exh_view_starts(v, "TimeStamp\",")) {
      set_header(t, line, len, ',');
      return EXH_LINE_META;
    }
  }
  if (!t->have_header)
    return EXH_LINE_NO_HEADER;
  return EXH_LINE_RECORD;
}

void exh_table_split(exh_table *t, const char *line, size_t len)
{
  if (t->format == EXH_FMT_CSV)
    split_csv(t, line, len);
  else
    split_w3c(t, line, len);
  t->ragged = t->n_values != t->n_names;
  /* At the cap, a record may have had more (an approximation that only
   * errs on the side of saying so). */
  t->fields_capped = t->n_values == t->max_fields;
}

exh_line_kind exh_table_line(exh_table *t, const char *line, size_t len)
{
  exh_line_kind kind = exh_table_classify(t, line, len);
  if (kind == EXH_LINE_RECORD)
    exh_table_split(t, line, len);
  return kind;
}

exh_view exh_table_first_field(const exh_table *t, const char *line, size_t len, size_t nth)
{
  /* Fields 0 and 1 without splitting the record: CSV up to the first comma
   * (quotes dropped; a quoted comma falls back to the caller's full split),
   * W3C up to the first spaces. */
  char sep = t->format == EXH_FMT_CSV ? ',' : ' ';
  size_t i = 0;
  for (size_t k = 0; k < nth; k++) {
    const char *c = memchr(line + i, sep, len - i);
    if (!c)
      return (exh_view){"", 0};
    i = (size_t)(c - line) + 1;
  }
  const char *end = memchr(line + i, sep, len - i);
  size_t n = end ? (size_t)(end - (line + i)) : len - i;
  exh_view v = {line + i, n};
  if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"')
    v.p++, v.n -= 2;
  return v;
}
