/*
 * strext.c - the string searches of platform/strext.h, from glibc.
 */
#define _GNU_SOURCE /* memmem, memrchr, strcasestr, strchrnul */
#include "platform/strext.h"

#include <string.h>

const void *exh_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
  return memmem(hay, hlen, needle, nlen);
}

const void *exh_memrchr(const void *s, int c, size_t n)
{
  return memrchr(s, c, n);
}

const char *exh_strcasestr(const char *hay, const char *needle)
{
  return strcasestr(hay, needle);
}

const char *exh_strchrnul(const char *s, int c)
{
  return strchrnul(s, c);
}
