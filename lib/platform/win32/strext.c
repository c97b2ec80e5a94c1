/*
 * strext.c - the string searches of platform/strext.h on Windows, where
 * the C runtime has none: the seam's own, linear, in strext_portable.c.
 */
#include "platform/strext.h"
#include "platform/portable.h"

const void *exh_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
  return exh_portable_memmem(hay, hlen, needle, nlen);
}

const void *exh_memrchr(const void *s, int c, size_t n)
{
  return exh_portable_memrchr(s, c, n);
}

const char *exh_strcasestr(const char *hay, const char *needle)
{
  return exh_portable_strcasestr(hay, needle);
}

const char *exh_strchrnul(const char *s, int c)
{
  return exh_portable_strchrnul(s, c);
}
