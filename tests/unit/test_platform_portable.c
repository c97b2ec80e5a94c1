/*
 * test_platform_portable.c - the seam's portable implementations
 * (the *_portable.c files of lib/platform/, what the Windows build uses where mingw-w64's
 * C library has nothing) give glibc's answers: memmem, memrchr, strcasestr
 * and strchrnul, fnmatch with and without FNM_CASEFOLD, gmtime_r, on
 * random inputs from small alphabets (so that matches and near misses are
 * frequent) and on the edge cases written out; the searches stay linear on
 * the needle that makes a naive search quadratic; UTF-8 to UTF-16 agrees
 * with iconv on well-formed text, refuses what is ill-formed, and carries
 * any UTF-16, unpaired surrogates included, there and back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "platform/clock.h"
#include "platform/portable.h"

/* A fixed-seed generator: every run tests the same inputs. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static void fill(char *buf, size_t n, const char *alphabet)
{
  size_t k = strlen(alphabet);
  for (size_t i = 0; i < n; i++)
    buf[i] = alphabet[rnd((uint32_t)k)];
}

/* ---------------------------------------------------------------------- */
/* String searches.                                                        */

static void test_memmem_like_glibc(void **state)
{
  (void)state;
  static const char *const alphabets[] = {"ab", "abc", "a\0b", "aaab", "\xff\x01"};
  char hay[300], needle[40];
  for (int round = 0; round < 200000; round++) {
    const char *alpha = alphabets[round % 5];
    size_t alen = round % 5 == 2 ? 3 : strlen(alpha);
    size_t hlen = rnd(round % 10 == 0 ? 300 : 40), nlen = rnd(round % 3 == 0 ? 40 : 8);
    for (size_t i = 0; i < hlen; i++)
      hay[i] = alpha[rnd((uint32_t)alen)];
    for (size_t i = 0; i < nlen; i++)
      needle[i] = alpha[rnd((uint32_t)alen)];
    /* Half the time the needle is cut from the haystack: a sure match. */
    if (round % 2 && nlen <= hlen) {
      size_t at = rnd((uint32_t)(hlen - nlen + 1));
      memcpy(needle, hay + at, nlen);
    }
    const void *want = memmem(hay, hlen, needle, nlen);
    const void *got = exh_portable_memmem(hay, hlen, needle, nlen);
    if (got != want)
      fail_msg("memmem: hlen %zu nlen %zu round %d: at %td, glibc %td", hlen, nlen, round,
               got ? (const char *)got - hay : -1, want ? (const char *)want - hay : -1);
  }
}

static void test_strcasestr_like_glibc(void **state)
{
  (void)state;
  char hay[200], needle[30];
  for (int round = 0; round < 200000; round++) {
    size_t hlen = rnd(round % 10 == 0 ? 199 : 40), nlen = rnd(round % 3 == 0 ? 29 : 6);
    fill(hay, hlen, round % 2 ? "aAbB" : "aAb[{@\xc3\xa9");
    fill(needle, nlen, round % 2 ? "aAbB" : "aAb[{@\xc3\xa9");
    if (round % 2 && nlen <= hlen)
      memcpy(needle, hay + rnd((uint32_t)(hlen - nlen + 1)), nlen);
    hay[hlen] = needle[nlen] = '\0';
    const char *want = strcasestr(hay, needle), *got = exh_portable_strcasestr(hay, needle);
    if (got != want)
      fail_msg("strcasestr(\"%s\", \"%s\"): at %td, glibc %td", hay, needle, got ? got - hay : -1,
               want ? want - hay : -1);
  }
  /* '@' and '`', '[' and '{' are not letters of either case. */
  assert_null(exh_portable_strcasestr("@[", "`{"));
  assert_string_equal(exh_portable_strcasestr("Program FILES", "files"), "FILES");
}

static void test_memrchr_strchrnul_like_glibc(void **state)
{
  (void)state;
  char buf[64];
  for (int round = 0; round < 50000; round++) {
    size_t n = rnd(64);
    fill(buf, n, "ab\xff/");
    int c = "ab\xff/x"[rnd(5)];
    assert_ptr_equal(exh_portable_memrchr(buf, c, n), memrchr(buf, c, n));
    buf[n ? n - 1 : 0] = '\0';
    assert_ptr_equal(exh_portable_strchrnul(buf, c), strchrnul(buf, c));
  }
  assert_ptr_equal(exh_portable_strchrnul("abc", '\0'), strchrnul("abc", '\0'));
  assert_null(exh_portable_memrchr("abc", 'x', 3));
}

/* The input that makes memchr+memcmp quadratic: a needle that almost
 * matches everywhere. 4 MiB of 'a' against 64 KiB of 'a' and a 'b' is
 * 2^38 byte comparisons for the naive loop (minutes); two-way does a few
 * passes over the haystack. */
static void test_searches_stay_linear(void **state)
{
  (void)state;
  size_t hlen = 4u << 20, nlen = 64u << 10;
  char *hay = malloc(hlen + 1), *needle = malloc(nlen + 1);
  assert_non_null(hay);
  assert_non_null(needle);
  memset(hay, 'a', hlen);
  memset(needle, 'A', nlen);
  needle[nlen - 1] = 'b';
  hay[hlen] = needle[nlen] = '\0';
  int64_t t0 = exh_monotonic_ns();
  assert_null(exh_portable_memmem(hay, hlen, needle, nlen));
  assert_null(exh_portable_strcasestr(hay, needle));
  /* Periodic needle with the mismatch at its start. */
  needle[nlen - 1] = 'a';
  needle[0] = 'b';
  assert_null(exh_portable_memmem(hay, hlen, needle, nlen));
  hay[hlen - 1] = 'b';
  memset(needle, 'a', nlen);
  needle[nlen - 1] = 'b';
  assert_ptr_equal(exh_portable_memmem(hay, hlen, needle, nlen), hay + hlen - nlen);
  int64_t ms = (exh_monotonic_ns() - t0) / 1000000;
  print_message("4 searches of a 64 KiB needle in 4 MiB: %lld ms\n", (long long)ms);
  assert_true(ms < 5000);
  free(hay);
  free(needle);
}

/* ---------------------------------------------------------------------- */
/* Globs.                                                                  */

static void check_glob(const char *pat, const char *s)
{
  for (int fold = 0; fold < 2; fold++) {
    bool want = fnmatch(pat, s, fold ? FNM_CASEFOLD : 0) == 0;
    bool got = exh_portable_glob_match(pat, s, fold);
    if (got != want)
      fail_msg("glob \"%s\" on \"%s\"%s: %d, fnmatch %d", pat, s, fold ? " (casefold)" : "", got,
               want);
  }
}

static void test_glob_like_fnmatch(void **state)
{
  (void)state;
  static const char *const cases[][2] = {
      {"*.aspx", "shell.aspx"},
      {"*.aspx", "shell.ASPX"},
      {"*/AspNet_Client/*", "/inetpub/wwwroot/aspnet_client/x.aspx"},
      {"u_ex[0-9]?.log", "u_ex21.log"},
      {"a\\*b", "a*b"},
      {"a\\", "a\\"},
      {"[", "["},
      {"[ab", "a"},
      {"[ab", "[ab"},
      {"[[a", "[[a"},
      {"[[", "[["},
      {"[a[=b", "[a[=b"},
      {"[a[.b", "[a[.b"},
      {"[a\\", "[a\\"},
      {"[a[:alpha:", "[a[:alpha:"},
      {"[]]", "]"},
      {"[!]]", "a"},
      {"[^a]", "b"},
      {"[a-]", "-"},
      {"[]-a]", "^"},
      {"[z-a]", "m"},
      {"[[:alpha:]]", "x"},
      {"[[:alpha:]]", "1"},
      {"[[:bogus:]]", "x"},
      {"[[:alpha:]", "x"},
      {"[[:Alpha:]]", "A"},
      {"[[=a=]]", "a"},
      {"[[=a=]]", "A"},
      {"[[.a.]]", "a"},
      {"[[.a.]-c]", "b"},
      {"[[.ab.]]", "a"},
      {"[A-Z]", "q"},
      {"[a-z]", "Q"},
      {"[\\]]", "]"},
      {"[a\\-z]", "m"},
      {"*[", "x["},
      {"*\\", "x\\"},
      {"*?", ""},
      {"?*?", "ab"},
      {"**a", "a"},
      {".*", ".hidden"},
      {"*", "/a/b"},
      {"[[:upper:]]", "a"},
      {"[[:lower:]]", "A"},
      {"[\xc3\xa9]", "\xc3"},
      {"\xc3\xa9*", "\xc3\xa9t\xc3\xa9"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    check_glob(cases[i][0], cases[i][1]);

  /* Random patterns and strings from the characters that mean something. */
  static const char *const bits[] = {"a",  "b",  "A",  "*",  "?",         "[",  "]", "!",
                                     "^",  "-",  "\\", ":",  "[:alpha:]", "[:", "=", ".",
                                     "[=", "=]", "[.", ".]", "[:upper:]", "/",  "z", "B"};
  char pat[64], s[24];
  for (int round = 0; round < 300000; round++) {
    size_t pl = 0, parts = rnd(7);
    for (size_t k = 0; k < parts; k++) {
      const char *b = bits[rnd(sizeof bits / sizeof *bits)];
      size_t bl = strlen(b);
      if (pl + bl >= sizeof pat)
        break;
      memcpy(pat + pl, b, bl);
      pl += bl;
    }
    pat[pl] = '\0';
    size_t sl = rnd(8);
    fill(s, sl, "abAB[]!^-\\:z/.=");
    s[sl] = '\0';
    check_glob(pat, s);
  }
}

/* ---------------------------------------------------------------------- */
/* Calendar.                                                               */

static void check_gmtime(int64_t t)
{
  time_t tt = (time_t)t;
  struct tm want, got;
  bool ok = gmtime_r(&tt, &want) != NULL;
  assert_int_equal(exh_portable_gmtime(t, &got), ok);
  if (!ok)
    return;
  if (got.tm_year != want.tm_year || got.tm_mon != want.tm_mon || got.tm_mday != want.tm_mday ||
      got.tm_hour != want.tm_hour || got.tm_min != want.tm_min || got.tm_sec != want.tm_sec ||
      got.tm_yday != want.tm_yday || got.tm_wday != want.tm_wday || got.tm_isdst != 0)
    fail_msg("gmtime(%lld): %d-%d-%d %d:%d:%d yday %d wday %d, glibc %d-%d-%d %d:%d:%d yday %d "
             "wday %d",
             (long long)t, got.tm_year, got.tm_mon, got.tm_mday, got.tm_hour, got.tm_min,
             got.tm_sec, got.tm_yday, got.tm_wday, want.tm_year, want.tm_mon, want.tm_mday,
             want.tm_hour, want.tm_min, want.tm_sec, want.tm_yday, want.tm_wday);
}

static void test_gmtime_like_glibc(void **state)
{
  (void)state;
  static const int64_t edges[] = {0,
                                  -1,
                                  1,
                                  86399,
                                  86400,
                                  -86400,
                                  -86401,
                                  951782400 /* 2000-02-29 */,
                                  4107542400 /* 2100-03-01 */,
                                  -11644473600 /* 1601-01-01, FILETIME 0 */,
                                  32503680000 /* 3000-01-01 */,
                                  253402300799 /* 9999-12-31T23:59:59 */,
                                  -62167219200 /* 0000-01-01 */,
                                  67767976233532799 /* the last second of year INT_MAX */,
                                  67767976233532800,
                                  -67768040609740800 /* 1 Jan of year INT_MIN + 1900 */,
                                  -67768040609740801,
                                  INT64_MAX,
                                  INT64_MIN};
  for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
    check_gmtime(edges[i]);
  for (int round = 0; round < 200000; round++) {
    int64_t span = round % 4 == 0 ? 400LL * 366 * 86400 : 20000000000000LL;
    int64_t t = (int64_t)(((uint64_t)rnd(UINT32_MAX) << 32 | rnd(UINT32_MAX)) % (uint64_t)span);
    check_gmtime(round % 2 ? t : -t);
  }
}

/* ---------------------------------------------------------------------- */
/* UTF-8 and UTF-16.                                                       */

static void test_utf16_against_iconv(void **state)
{
  (void)state;
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  assert_true(cd != (iconv_t)-1);
  /* Well-formed UTF-8 of every length, from random code points. */
  for (int round = 0; round < 20000; round++) {
    char in[64];
    size_t il = 0;
    while (il < 48) {
      uint32_t cp = rnd(5) == 0 ? 1 + rnd(0x7f) : 0x80 + rnd(0x10ff80);
      if (cp >= 0xd800 && cp <= 0xdfff)
        continue;
      uint16_t u[3];
      char b[8];
      u[0] = cp >= 0x10000 ? (uint16_t)(0xd800 | ((cp - 0x10000) >> 10)) : (uint16_t)cp;
      u[1] = (uint16_t)(0xdc00 | ((cp - 0x10000) & 0x3ff));
      ptrdiff_t bl = exh_utf16_to_utf8(u, cp >= 0x10000 ? 2 : 1, b, sizeof b);
      assert_true(bl > 0);
      memcpy(in + il, b, (size_t)bl);
      il += (size_t)bl;
    }
    uint16_t want[64], got[64];
    char *ip = in, *op = (char *)want;
    size_t ileft = il, oleft = sizeof want;
    assert_int_not_equal(iconv(cd, &ip, &ileft, &op, &oleft), (size_t)-1);
    size_t wl = (sizeof want - oleft) / 2;
    ptrdiff_t gl = exh_utf8_to_utf16(in, il, got, 64);
    assert_int_equal(gl, (ptrdiff_t)wl);
    assert_memory_equal(got, want, wl * 2);
    char back[64 * 3 + 1];
    assert_int_equal(exh_utf16_to_utf8(got, (size_t)gl, back, sizeof back), (ptrdiff_t)il);
    assert_memory_equal(back, in, il);
  }
  iconv_close(cd);
}

static void test_utf16_refuses_ill_formed(void **state)
{
  (void)state;
  static const char *const bad[] = {
      "\x80",                     /* stray continuation */
      "\xc0\x80",                 /* overlong NUL */
      "\xc1\xbf",                 /* overlong */
      "\xe0\x80\x80",             /* overlong */
      "\xe0\x9f\xbf",             /* overlong */
      "\xf0\x80\x80\x80",         /* overlong */
      "\xf4\x90\x80\x80",         /* past U+10FFFF */
      "\xf5\x80\x80\x80",         /* past U+10FFFF */
      "\xe2\x82",                 /* cut short */
      "a\xe2\x82z",               /* cut short inside */
      "\xed\xa0\x80\xed\xb0\x80", /* a pair as two halves: must be one 4-byte form */
      "\xfe",
      "\xff",
  };
  uint16_t out[16];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (exh_utf8_to_utf16(bad[i], strlen(bad[i]), out, 16) != -1)
      fail_msg("accepted ill-formed input #%zu", i);
  assert_int_equal(exh_utf8_to_utf16("a\0b", 3, out, 16), -1);
  /* Too small for the text and its NUL. */
  assert_int_equal(exh_utf8_to_utf16("abc", 3, out, 3), -2);
  assert_int_equal(exh_utf8_to_utf16("abc", 3, out, 4), 3);
  char b[4];
  static const uint16_t abc[] = {'a', 0x6d4b, 'c'};
  assert_int_equal(exh_utf16_to_utf8(abc, 3, b, sizeof b), -2);
  static const uint16_t nul[] = {'a', 0};
  assert_int_equal(exh_utf16_to_utf8(nul, 2, b, sizeof b), -1);
}

/* Any UTF-16 (the names NTFS keeps), unpaired surrogates included, comes
 * back unchanged from its UTF-8 (WTF-8) form. */
static void test_utf16_round_trip(void **state)
{
  (void)state;
  for (int round = 0; round < 100000; round++) {
    uint16_t in[32], got[33];
    size_t n = 1 + rnd(31);
    for (size_t i = 0; i < n; i++) {
      uint32_t k = rnd(4);
      in[i] = (uint16_t)(k == 0   ? 0xd800 + rnd(0x800) /* surrogates, paired or not */
                         : k == 1 ? 1 + rnd(0x7f)
                                  : 1 + rnd(0xffff));
    }
    char mid[32 * 3 + 1];
    ptrdiff_t ml = exh_utf16_to_utf8(in, n, mid, sizeof mid);
    assert_true(ml > 0);
    ptrdiff_t gl = exh_utf8_to_utf16(mid, (size_t)ml, got, 33);
    assert_int_equal(gl, (ptrdiff_t)n);
    assert_memory_equal(got, in, n * 2);
  }
  /* A lone high surrogate then a letter; a lone low one. */
  static const uint16_t lone[] = {0xd83d, 'x', 0xdc00};
  char mid[16];
  assert_int_equal(exh_utf16_to_utf8(lone, 3, mid, sizeof mid), 7);
  assert_memory_equal(mid, "\xed\xa0\xbdx\xed\xb0\x80", 7);
}

TU_MAIN(NULL, test_memmem_like_glibc, test_strcasestr_like_glibc, test_memrchr_strchrnul_like_glibc,
        test_searches_stay_linear, test_glob_like_fnmatch, test_gmtime_like_glibc,
        test_utf16_against_iconv, test_utf16_refuses_ill_formed, test_utf16_round_trip)
