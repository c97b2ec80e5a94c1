/*
 * strext_portable.c - memmem, memrchr, strcasestr and strchrnul in portable
 * C (platform/portable.h), for C libraries that lack them (mingw-w64's).
 *
 * The engines run these on attacker bytes, so the searches for a needle are
 * the two-way algorithm (Crochemore and Perrin, "Two-way string-matching",
 * JACM 1991), as glibc's: the needle is cut at a critical factorisation
 * (u, v); v is matched left to right, then u right to left, and a mismatch
 * shifts by what the factorisation proves cannot match, so no haystack byte
 * is compared more than twice. The naive memchr+memcmp loop is quadratic
 * on "aaaa...ab" in "aaaa...a", which a web shell or a log line can be.
 * Case-folding (strcasestr) folds both sides of every comparison, which
 * keeps the algorithm's proof: it holds for any mapping of bytes applied
 * to needle and haystack alike.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "platform/portable.h"

static unsigned char fold_ascii(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

#define AT(p, i) (fold ? fold_ascii((p)[i]) : (p)[i])

/* The maximal suffix of needle[0, n) (n >= 1) for the byte order, or its
 * reverse: its start, with its period in *period. */
static size_t maximal_suffix(const unsigned char *needle, size_t n, size_t *period, bool fold,
                             bool reverse)
{
  /* ms is one before the suffix's start (SIZE_MAX for "-1": the arithmetic
   * below wraps back into range, as in the paper). */
  size_t ms = SIZE_MAX, j = 0, k = 1, p = 1;
  while (j + k < n) {
    unsigned char a = AT(needle, j + k), b = AT(needle, ms + k);
    if (reverse ? b < a : a < b) {
      j += k;
      k = 1;
      p = j - ms;
    } else if (a == b) {
      if (k != p) {
        k++;
      } else {
        j += p;
        k = 1;
      }
    } else {
      ms = j++;
      k = p = 1;
    }
  }
  *period = p;
  return ms + 1; /* SIZE_MAX + 1 is 0 */
}

/* The critical factorisation of needle[0, n): the start of its right half
 * (the later of the two maximal suffixes), with the period of that suffix
 * in *period. */
static size_t critical_factorisation(const unsigned char *needle, size_t n, size_t *period,
                                     bool fold)
{
  size_t p_fwd, p_rev;
  size_t fwd = maximal_suffix(needle, n, &p_fwd, fold, false);
  size_t rev = maximal_suffix(needle, n, &p_rev, fold, true);
  *period = rev < fwd ? p_fwd : p_rev;
  return rev < fwd ? fwd : rev;
}

static bool equal_prefix(const unsigned char *a, const unsigned char *b, size_t n, bool fold)
{
  for (size_t i = 0; i < n; i++)
    if (AT(a, i) != AT(b, i))
      return false;
  return true;
}

/* needle[0, n) in hay[0, hlen), 1 <= n <= hlen. */
static const unsigned char *two_way(const unsigned char *hay, size_t hlen,
                                    const unsigned char *needle, size_t n, bool fold)
{
  size_t period, suffix = critical_factorisation(needle, n, &period, fold);
  size_t j = 0;
  if (equal_prefix(needle, needle + period, suffix, fold)) {
    /* Periodic needle: after a full match or a mismatch in the left half,
     * the last n - period bytes compared are known to match again. */
    size_t memory = 0;
    while (j <= hlen - n) {
      size_t i = suffix > memory ? suffix : memory;
      while (i < n && AT(needle, i) == AT(hay, i + j))
        i++;
      if (i < n) {
        j += i - suffix + 1;
        memory = 0;
        continue;
      }
      i = suffix;
      while (i > memory && AT(needle, i - 1) == AT(hay, i - 1 + j))
        i--;
      if (i <= memory)
        return hay + j;
      j += period;
      memory = n - period;
    }
    return NULL;
  }
  /* Not periodic: the shift after a left-half mismatch can be the larger
   * half's length plus one. */
  period = (suffix > n - suffix ? suffix : n - suffix) + 1;
  while (j <= hlen - n) {
    size_t i = suffix;
    while (i < n && AT(needle, i) == AT(hay, i + j))
      i++;
    if (i < n) {
      j += i - suffix + 1;
      continue;
    }
    i = suffix;
    while (i > 0 && AT(needle, i - 1) == AT(hay, i - 1 + j))
      i--;
    if (i == 0)
      return hay + j;
    j += period;
  }
  return NULL;
}

const void *exh_portable_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
  if (nlen == 0)
    return hay;
  if (nlen > hlen)
    return NULL;
  if (nlen == 1)
    return memchr(hay, *(const unsigned char *)needle, hlen);
  return two_way(hay, hlen, needle, nlen, false);
}

const void *exh_portable_memrchr(const void *s, int c, size_t n)
{
  const unsigned char *p = s;
  while (n > 0) {
    n--;
    if (p[n] == (unsigned char)c)
      return p + n;
  }
  return NULL;
}

const char *exh_portable_strcasestr(const char *hay, const char *needle)
{
  size_t nlen = strlen(needle), hlen = strlen(hay);
  if (nlen == 0)
    return hay;
  if (nlen > hlen)
    return NULL;
  return (const char *)two_way((const unsigned char *)hay, hlen, (const unsigned char *)needle,
                               nlen, true);
}

const char *exh_portable_strchrnul(const char *s, int c)
{
  while (*s && *s != (char)c)
    s++;
  return s;
}
