/*
 * escape.c - output encoders for attacker-controlled bytes; see escape.h.
 */
#include "escape.h"

#include <string.h>
#include <time.h>

size_t exh_utf8_seq(const uint8_t *s, size_t len, uint32_t *cp)
{
  if (len == 0)
    return 0;
  uint8_t c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (len < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return n;
}

static const char hexdig[] = "0123456789abcdef";

exhunt_err exh_escape_json(exh_dynbuf *b, const void *data, size_t len, bool *lossy)
{
  const uint8_t *s = data;
  size_t i = 0;
  exhunt_err err = EXHUNT_OK;
  while (i < len && !err) {
    /* Copy the longest run that needs no escaping in one append. */
    size_t run = i;
    while (run < len && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\')
      run++;
    if (run > i) {
      err = exh_dynbuf_add(b, s + i, run - i);
      i = run;
      continue;
    }
    uint8_t c = s[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      err = exh_dynbuf_add(b, esc, 2);
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
      if (named) {
        err = exh_dynbuf_add(b, named, 2);
      } else {
        char esc[6] = {'\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15]};
        err = exh_dynbuf_add(b, esc, 6);
      }
      i++;
    } else {
      uint32_t cp;
      size_t n = exh_utf8_seq(s + i, len - i, &cp);
      if (n == 0) {
        if (lossy)
          *lossy = true;
        err = exh_dynbuf_add(b, "\\ufffd", 6);
        i++;
      } else {
        err = exh_dynbuf_add(b, s + i, n);
        i += n;
      }
    }
  }
  return err;
}

exhunt_err exh_json_str(exh_dynbuf *b, const char *s)
{
  if (!s)
    return exh_dynbuf_add(b, "null", 4);
  exhunt_err err = exh_dynbuf_addc(b, '"');
  if (!err)
    err = exh_escape_json(b, s, strlen(s), NULL);
  if (!err)
    err = exh_dynbuf_addc(b, '"');
  return err;
}

/* Code points a terminal may act on rather than show. */
static bool is_dangerous_cp(uint32_t cp)
{
  return (cp >= 0x80 && cp <= 0x9F)        /* C1 controls, incl. CSI 0x9B */
         || (cp >= 0x202A && cp <= 0x202E) /* bidi embeddings/overrides */
         || (cp >= 0x2066 && cp <= 0x2069) /* bidi isolates */
         || cp == 0x200E || cp == 0x200F   /* direction marks */
         || cp == 0x2028 || cp == 0x2029   /* line/paragraph separators */
         || cp == 0xFEFF;                  /* zero-width no-break space */
}

/* The display form. Text output doubles backslashes (so it is reversible);
 * a CSV cell keeps them (people read it in a spreadsheet) and doubles
 * quotes instead, RFC 4180 style. */
enum { VIS_DOUBLE_BACKSLASH = 1, VIS_DOUBLE_QUOTE = 2 };

static exhunt_err escape_visible(exh_dynbuf *b, const void *data, size_t len, unsigned how)
{
  const uint8_t *s = data;
  size_t i = 0;
  exhunt_err err = EXHUNT_OK;
  while (i < len && !err) {
    size_t run = i;
    while (run < len && s[run] >= 0x20 && s[run] < 0x7F &&
           !(s[run] == '\\' && (how & VIS_DOUBLE_BACKSLASH)) &&
           !(s[run] == '"' && (how & VIS_DOUBLE_QUOTE)))
      run++;
    if (run > i) {
      err = exh_dynbuf_add(b, s + i, run - i);
      i = run;
      continue;
    }
    uint32_t cp = 0;
    size_t n = s[i] >= 0x80 ? exh_utf8_seq(s + i, len - i, &cp) : 0;
    if (s[i] == '\\' || s[i] == '"') {
      char twice[2] = {(char)s[i], (char)s[i]};
      err = exh_dynbuf_add(b, twice, 2);
      i++;
    } else if (n > 0 && !is_dangerous_cp(cp)) {
      err = exh_dynbuf_add(b, s + i, n);
      i += n;
    } else {
      /* Control byte, invalid UTF-8, or a dangerous code point: hex every
       * byte of it so the original can be recovered exactly. */
      size_t count = n ? n : 1;
      for (size_t k = 0; k < count && !err; k++) {
        char esc[4] = {'\\', 'x', hexdig[s[i + k] >> 4], hexdig[s[i + k] & 15]};
        err = exh_dynbuf_add(b, esc, 4);
      }
      i += count;
    }
  }
  return err;
}

exhunt_err exh_escape_display(exh_dynbuf *b, const void *data, size_t len)
{
  return escape_visible(b, data, len, VIS_DOUBLE_BACKSLASH);
}

exhunt_err exh_csv_cell(exh_dynbuf *b, const void *data, size_t len)
{
  const uint8_t *s = data;
  exhunt_err err = exh_dynbuf_addc(b, '"');
  /* A spreadsheet runs a cell that starts like a formula; the evidence
   * chose these bytes. The apostrophe makes it text (OWASP's advice). */
  if (!err && len &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    err = exh_dynbuf_addc(b, '\'');
  if (!err && len)
    err = escape_visible(b, data, len, VIS_DOUBLE_QUOTE);
  if (!err)
    err = exh_dynbuf_addc(b, '"');
  return err;
}

exhunt_err exh_base64(exh_dynbuf *b, const void *data, size_t len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint8_t *s = data;
  exhunt_err err = EXHUNT_OK;
  for (size_t i = 0; i < len && !err; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)s[i + 1] << 8;
    if (i + 2 < len)
      v |= s[i + 2];
    char out[4] = {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63],
                   i + 1 < len ? alphabet[(v >> 6) & 63] : '=',
                   i + 2 < len ? alphabet[v & 63] : '='};
    err = exh_dynbuf_add(b, out, 4);
  }
  return err;
}

exhunt_err exh_hex(exh_dynbuf *b, const uint8_t *data, size_t len)
{
  exhunt_err err = exh_dynbuf_reserve(b, len * 2);
  for (size_t i = 0; i < len && !err; i++) {
    char out[2] = {hexdig[data[i] >> 4], hexdig[data[i] & 15]};
    err = exh_dynbuf_add(b, out, 2);
  }
  return err;
}

exhunt_err exh_iso8601(exh_dynbuf *b, int64_t unix_seconds)
{
  time_t t = (time_t)unix_seconds;
  struct tm tm;
  if (!gmtime_r(&t, &tm))
    return exh_dynbuf_adds(b, "1970-01-01T00:00:00Z");
  char out[64];
  size_t n = strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return exh_dynbuf_add(b, out, n);
}
