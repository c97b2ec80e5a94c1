/*
 * codec.c - hex and base64 decoding; see codec.h.
 */
#include "core/codec.h"

#include "core/ascii.h"

bool exh_hex_decode(const char *s, size_t len, uint8_t *out, size_t out_len)
{
  if (len / 2 != out_len || len % 2 != 0)
    return false;
  for (size_t i = 0; i < out_len; i++) {
    int hi = exh_hexval((unsigned char)s[2 * i]), lo = exh_hexval((unsigned char)s[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

/* The 6-bit value of a base64 character, or -1. `url`: '-' and '_' count
 * as '+' and '/'. */
static int b64_val(int c, bool url)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || (url && c == '-'))
    return 62;
  if (c == '/' || (url && c == '_'))
    return 63;
  return -1;
}

long exh_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
  while (len && s[len - 1] == '=')
    len--;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64_val((unsigned char)s[i], false);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap)
        return -1;
      out[o++] = (uint8_t)((acc >> bits) & 0xff);
    }
  }
  return (long)o;
}

size_t exh_base64_decode_lenient(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < len && o < cap; i++) {
    int v = b64_val(s[i], true);
    if (v < 0)
      continue;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  return o;
}
