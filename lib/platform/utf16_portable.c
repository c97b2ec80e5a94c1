/*
 * utf16_portable.c - UTF-8 to UTF-16 and back at the Windows seam
 * (platform/portable.h), with WTF-8 for unpaired surrogates.
 *
 * Windows' own converters (MultiByteToWideChar, WideCharToMultiByte) either
 * refuse an unpaired surrogate or replace it with U+FFFD; NTFS accepts one
 * in a name, so a web shell named that way would be listed under a name
 * that opens nothing (or another file). Here such a unit becomes its
 * 3-byte generalised UTF-8 form and comes back as itself, while every
 * other ill-formed UTF-8 is refused, as MB_ERR_INVALID_CHARS would.
 * Portable, so the unit tests check it on Linux (against iconv for
 * well-formed text, and by round trips of random UTF-16).
 */
#include "platform/portable.h"

/* The length of a well-formed sequence starting with byte b (1..4), 0 for
 * a byte that cannot start one. */
static size_t seq_len(unsigned char b)
{
  if (b < 0x80)
    return 1;
  if (b >= 0xc2 && b <= 0xdf)
    return 2;
  if (b >= 0xe0 && b <= 0xef)
    return 3;
  if (b >= 0xf0 && b <= 0xf4)
    return 4;
  return 0;
}

static bool is_cont(unsigned char b)
{
  return (b & 0xc0) == 0x80;
}

/* Decodes one sequence at s (n bytes left) into *cp; its length, or 0 when
 * ill-formed. Surrogate code points (ED A0..BF xx) are accepted here: the
 * caller refuses a high one followed by a low one. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  size_t len = seq_len(s[0]);
  if (len == 0 || len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    if (!is_cont(s[i]))
      return 0;
  switch (len) {
  case 1:
    *cp = s[0];
    return 1;
  case 2:
    *cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    return 2;
  case 3:
    if (s[0] == 0xe0 && s[1] < 0xa0) /* overlong */
      return 0;
    *cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    return 3;
  default:
    if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)) /* overlong, > 10FFFF */
      return 0;
    *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
          (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
    return 4;
  }
}

ptrdiff_t exh_utf8_to_utf16(const char *src, size_t len, uint16_t *out, size_t cap)
{
  const unsigned char *s = (const unsigned char *)src;
  size_t i = 0, o = 0;
  bool after_high = false; /* the last code point was an unpaired high surrogate */
  while (i < len) {
    uint32_t cp;
    size_t n = decode(s + i, len - i, &cp);
    if (n == 0 || cp == 0)
      return -1;
    bool high = cp >= 0xd800 && cp <= 0xdbff, low = cp >= 0xdc00 && cp <= 0xdfff;
    if (low && after_high) /* a pair must be spelled as one 4-byte sequence */
      return -1;
    after_high = high;
    size_t units = cp >= 0x10000 ? 2 : 1;
    if (o + units >= cap)
      return -2;
    if (units == 2) {
      cp -= 0x10000;
      out[o++] = (uint16_t)(0xd800 | (cp >> 10));
      out[o++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
    } else {
      out[o++] = (uint16_t)cp;
    }
    i += n;
  }
  if (o >= cap)
    return -2;
  out[o] = 0;
  return (ptrdiff_t)o;
}

ptrdiff_t exh_utf16_to_utf8(const uint16_t *src, size_t len, char *out, size_t cap)
{
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    uint32_t cp = src[i];
    if (cp == 0)
      return -1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < len && src[i + 1] >= 0xdc00 &&
        src[i + 1] <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (src[i + 1] - 0xdc00u);
      i++;
    }
    /* Anything else, an unpaired surrogate too, is one 1..3-byte form. */
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
      b[0] = (unsigned char)cp;
      n = 1;
    } else if (cp < 0x800) {
      b[0] = (unsigned char)(0xc0 | cp >> 6);
      b[1] = (unsigned char)(0x80 | (cp & 0x3f));
      n = 2;
    } else if (cp < 0x10000) {
      b[0] = (unsigned char)(0xe0 | cp >> 12);
      b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
      b[2] = (unsigned char)(0x80 | (cp & 0x3f));
      n = 3;
    } else {
      b[0] = (unsigned char)(0xf0 | cp >> 18);
      b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
      b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
      b[3] = (unsigned char)(0x80 | (cp & 0x3f));
      n = 4;
    }
    if (o + n >= cap)
      return -2;
    for (size_t k = 0; k < n; k++)
      out[o++] = (char)b[k];
  }
  if (o >= cap)
    return -2;
  out[o] = '\0';
  return (ptrdiff_t)o;
}
