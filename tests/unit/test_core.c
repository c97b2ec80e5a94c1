/*
 * test_core.c - lib/core's shared helpers: ascii, time, codec and errmap.
 *
 * These replaced per-engine copies (issue 15), so each test pins the
 * behaviour those copies had, hostile input included: a change here would
 * change what several engines report.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/ascii.h"
#include "core/codec.h"
#include "core/errmap.h"
#include "core/time.h"

static exh_view V(const char *s)
{
  return (exh_view){s, strlen(s)};
}

static void test_ascii_chars(void **state)
{
  (void)state;
  assert_int_equal(exh_lower('A'), 'a');
  assert_int_equal(exh_lower('Z'), 'z');
  assert_int_equal(exh_lower('a'), 'a');
  assert_int_equal(exh_lower('@'), '@');               /* 'A' - 1 */
  assert_int_equal(exh_lower('['), '[');               /* 'Z' + 1 */
  assert_int_equal(exh_lower((char)0xC4), (char)0xC4); /* no locale folding */

  assert_true(exh_is_space(' ') && exh_is_space('\t') && exh_is_space('\r') && exh_is_space('\n'));
  assert_false(exh_is_space('\v') || exh_is_space('\f') || exh_is_space(0) || exh_is_space(0xA0));
  assert_false(exh_is_space((char)0x85)); /* negative as a char: not a space */
  assert_true(exh_is_cspace('\v') && exh_is_cspace('\f') && exh_is_cspace(' '));
  assert_false(exh_is_cspace(0) || exh_is_cspace(0xA0));

  assert_int_equal(exh_hexval('0'), 0);
  assert_int_equal(exh_hexval('9'), 9);
  assert_int_equal(exh_hexval('a'), 10);
  assert_int_equal(exh_hexval('F'), 15);
  assert_int_equal(exh_hexval('g'), -1);
  assert_int_equal(exh_hexval('G'), -1);
  assert_int_equal(exh_hexval('/'), -1);
  assert_int_equal(exh_hexval(':'), -1);
  assert_int_equal(exh_hexval(0), -1);
  assert_int_equal(exh_hexval((char)0xE6), -1);
}

static void test_contains_ci(void **state)
{
  (void)state;
  const char *h = "Set-OABVirtualDirectory";
  assert_true(exh_contains_ci(h, strlen(h), "oabvirtual"));
  assert_true(exh_contains_ci(h, strlen(h), "OABVIRTUAL"));  /* either case in the needle */
  assert_true(exh_contains_ci(h, strlen(h), "directory"));   /* at the very end */
  assert_true(exh_contains_ci(h, strlen(h), "set-"));        /* at the start */
  assert_false(exh_contains_ci(h, strlen(h), "directoryx")); /* runs past the end */
  assert_false(exh_contains_ci(h, 10, "virtual"));           /* past len, not NUL */
  assert_true(exh_contains_ci(h, 0, ""));                    /* as strcasestr */
  assert_false(exh_contains_ci(h, 2, "set"));                /* needle longer than hay */
  /* not NUL-terminated: a view inside a larger buffer */
  const char buf[] = {'x', 'O', 'w', 'A', 'y'};
  assert_true(exh_contains_ci(buf + 1, 3, "owa"));
  assert_false(exh_contains_ci(buf + 1, 2, "owa"));
  /* bytes >= 0x80 compare as themselves */
  assert_false(exh_contains_ci("\xC4", 1, "\xE4"));
  assert_true(exh_contains_ci("a\xC4z", 3, "\xC4Z"));

  assert_false(exh_contains_ci_str(NULL, "x"));
  assert_true(exh_contains_ci_str("Microsoft Internet Information Services 10.0",
                                  "Internet Information Services"));
  assert_true(exh_contains_ci_str("OAB Generator", "oab"));
  assert_false(exh_contains_ci_str("HttpProx", "HttpProxy"));
}

static void test_iso8601(void **state)
{
  (void)state;
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58Z")), 1614773638);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58.4020000Z")), 1614773638);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03 12:13:58,5")), 1614773638);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58,rest of a CSV line")), 1614773638);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+05:30")), 1614753838);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+0530")), 1614753838);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58-01")), 1614777238);
  assert_int_equal(exh_parse_iso8601(V("2021-03-02")), 1614643200); /* a date alone: midnight */
  /* Feb 29: in a leap year; day 29-31 of any month is counted on as
   * days_from_civil counts it (Feb 30 is Mar 1 or 2), as the log reader
   * always has */
  assert_int_equal(exh_parse_iso8601(V("2024-02-29T12:00:00Z")), 1709208000);
  assert_int_equal(exh_parse_iso8601(V("2021-02-29T00:00:00Z")),
                   exh_parse_iso8601(V("2021-03-01T00:00:00Z")));
  /* a leap second is the next minute's first */
  assert_int_equal(exh_parse_iso8601(V("2016-12-31T23:59:60Z")), 1483228800);
  assert_int_equal(exh_parse_iso8601(V("2016-12-31T23:59:61Z")), EXHUNT_NO_TIME);
  /* the range: 1970 to 9999, nothing before the epoch after the offset */
  assert_int_equal(exh_parse_iso8601(V("9999-12-31T23:59:59Z")), 253402300799);
  assert_int_equal(exh_parse_iso8601(V("1969-12-31T23:59:59Z")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("1970-01-01T00:00:00+01:00")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("1970-01-01T00:00:00-01:00")), 3600);
  /* out of range fields */
  assert_int_equal(exh_parse_iso8601(V("2021-00-01")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-13-01")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-01-00")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-01-32")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-01-01T24:00:00Z")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-01-01T23:60:00Z")), EXHUNT_NO_TIME);
  /* offsets that do not make an offset: no time rather than a wrong one */
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+24:00")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+02:60")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+02:000")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+2")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:58+")), EXHUNT_NO_TIME);
  /* truncated at every length: never a read past the view */
  const char *full = "2021-03-03T12:13:58.402+05:30";
  for (size_t n = 0; n < strlen(full); n++) {
    int64_t t = exh_parse_iso8601((exh_view){full, n});
    assert_true(t == EXHUNT_NO_TIME || t > 0);
  }
  assert_int_equal(exh_parse_iso8601((exh_view){full, 0}), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601((exh_view){full, 9}), EXHUNT_NO_TIME); /* "2021-03-0" */
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:1")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("2021-03-03T12:13:5")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("20210303T121358Z")), EXHUNT_NO_TIME); /* basic format */
  assert_int_equal(exh_parse_iso8601(V("-021-03-03")), EXHUNT_NO_TIME);
  assert_int_equal(exh_parse_iso8601(V("99999-03-03")), EXHUNT_NO_TIME);
}

static void test_w3c_time(void **state)
{
  (void)state;
  int64_t t = 7;
  assert_true(exh_parse_w3c_time(V("2021-03-03"), V("12:13:58"), &t));
  assert_int_equal(t, 1614773638);
  assert_true(exh_parse_w3c_time(V("2021-03-03"), V("-"), &t)); /* W3C's empty field */
  assert_int_equal(t, EXHUNT_NO_TIME);
  assert_true(exh_parse_w3c_time(V("junk"), V("12:13:58"), &t));
  assert_int_equal(t, EXHUNT_NO_TIME);
  /* 39 bytes joined fit the buffer; 40 do not, and *out is left alone */
  char big[64];
  memset(big, '9', sizeof big);
  t = 7;
  assert_true(exh_parse_w3c_time((exh_view){big, 20}, (exh_view){big, 18}, &t));
  assert_int_equal(t, EXHUNT_NO_TIME);
  t = 7;
  assert_false(exh_parse_w3c_time((exh_view){big, 20}, (exh_view){big, 19}, &t));
  assert_int_equal(t, 7);
  assert_false(exh_parse_w3c_time((exh_view){big, 64}, (exh_view){big, 0}, &t));
}

static void test_span_widen(void **state)
{
  (void)state;
  int64_t first = EXHUNT_NO_TIME, last = EXHUNT_NO_TIME;
  exh_span_widen(&first, &last, EXHUNT_NO_TIME);
  assert_int_equal(first, EXHUNT_NO_TIME);
  assert_int_equal(last, EXHUNT_NO_TIME);
  exh_span_widen(&first, &last, 100);
  assert_int_equal(first, 100);
  assert_int_equal(last, 100);
  exh_span_widen(&first, &last, 50);
  exh_span_widen(&first, &last, 200);
  exh_span_widen(&first, &last, 150);
  exh_span_widen(&first, &last, EXHUNT_NO_TIME);
  assert_int_equal(first, 50);
  assert_int_equal(last, 200);
  exh_span_widen(&first, &last, 0); /* the epoch is a time */
  assert_int_equal(first, 0);
}

/* FILETIME: the 1601 epoch, the fraction cut, and nothing outside the
 * years the ISO 8601 reader takes. */
static void test_filetime(void **state)
{
  (void)state;
  /* 2021-03-03T12:13:58.5Z: 1614773638 s after 1970. */
  assert_int_equal(exh_filetime_to_unix((1614773638ull + 11644473600ull) * 10000000ull + 5000000u),
                   1614773638);
  assert_int_equal(exh_filetime_to_unix(11644473600ull * 10000000ull), 0);
  assert_int_equal(exh_filetime_to_unix(0), EXHUNT_NO_TIME);
  assert_int_equal(exh_filetime_to_unix(11644473599ull * 10000000ull), EXHUNT_NO_TIME);
  assert_int_equal(exh_filetime_to_unix((253402300799ull + 11644473600ull) * 10000000ull),
                   253402300799);
  assert_int_equal(exh_filetime_to_unix((253402300800ull + 11644473600ull) * 10000000ull),
                   EXHUNT_NO_TIME);
  assert_int_equal(exh_filetime_to_unix(UINT64_MAX), EXHUNT_NO_TIME);
}

static void test_take_earliest(void **state)
{
  (void)state;
  int64_t e = EXHUNT_NO_TIME;
  exh_time_take_earliest(&e, EXHUNT_NO_TIME);
  assert_int_equal(e, EXHUNT_NO_TIME);
  exh_time_take_earliest(&e, 300);
  assert_int_equal(e, 300);
  exh_time_take_earliest(&e, 400); /* later: kept */
  assert_int_equal(e, 300);
  exh_time_take_earliest(&e, EXHUNT_NO_TIME);
  assert_int_equal(e, 300);
  exh_time_take_earliest(&e, 0);
  assert_int_equal(e, 0);
}

static void test_hex_decode(void **state)
{
  (void)state;
  uint8_t out[4];
  assert_true(exh_hex_decode("00ff7Fa0", 8, out, 4));
  assert_memory_equal(out, "\x00\xff\x7f\xa0", 4);
  assert_false(exh_hex_decode("00ff7Fa", 7, out, 4));  /* odd length */
  assert_false(exh_hex_decode("00ff7Fa0", 8, out, 3)); /* longer than out */
  assert_false(exh_hex_decode("00ff7F", 6, out, 4));   /* shorter than out */
  assert_false(exh_hex_decode("00ff7Fag", 8, out, 4)); /* invalid char, last */
  assert_false(exh_hex_decode("g0ff7Fa0", 8, out, 4)); /* invalid char, first */
  assert_false(exh_hex_decode("00f 7Fa0", 8, out, 4)); /* space */
  assert_false(exh_hex_decode("00\xff"
                              "f7Fa0",
                              8, out, 4));              /* high byte */
  assert_false(exh_hex_decode("00\0f7Fa0", 8, out, 4)); /* NUL inside */
  assert_true(exh_hex_decode("", 0, out, 0));
  assert_false(exh_hex_decode("0", 1, out, 0));
}

static void test_base64_strict(void **state)
{
  (void)state;
  uint8_t out[16];
  assert_int_equal(exh_base64_decode("L3RtcC9h", 8, out, sizeof out), 6);
  assert_memory_equal(out, "/tmp/a", 6);
  assert_int_equal(exh_base64_decode("YQ==", 4, out, sizeof out), 1); /* padded */
  assert_int_equal(out[0], 'a');
  assert_int_equal(exh_base64_decode("YQ", 2, out, sizeof out), 1);      /* padding optional */
  assert_int_equal(exh_base64_decode("YQ=====", 7, out, sizeof out), 1); /* any number of '=' */
  assert_int_equal(exh_base64_decode("Y", 1, out, sizeof out), 0);       /* 6 bits: no byte */
  assert_int_equal(exh_base64_decode("", 0, out, sizeof out), 0);
  assert_int_equal(exh_base64_decode("====", 4, out, sizeof out), 0);
  assert_int_equal(exh_base64_decode("+/+/", 4, out, sizeof out), 3);
  assert_memory_equal(out, "\xfb\xff\xbf", 3);
  assert_int_equal(exh_base64_decode("-_-_", 4, out, sizeof out), -1); /* not URL-safe */
  assert_int_equal(exh_base64_decode("-AAA", 4, out, sizeof out), -1);
  assert_int_equal(exh_base64_decode("AAA_", 4, out, sizeof out), -1);
  assert_int_equal(exh_base64_decode("YQ==YQ==", 8, out, sizeof out), -1); /* '=' inside */
  assert_int_equal(exh_base64_decode("YW Jj", 5, out, sizeof out), -1);    /* space */
  assert_int_equal(exh_base64_decode("YWJj\n", 5, out, sizeof out), -1);   /* newline */
  assert_int_equal(exh_base64_decode("YW\0j", 4, out, sizeof out), -1);    /* NUL */
  assert_int_equal(exh_base64_decode("YW\xc3j", 4, out, sizeof out), -1);  /* high byte */
  /* the output cap: 3 bytes fit exactly, a fourth fails */
  assert_int_equal(exh_base64_decode("YWJj", 4, out, 3), 3);
  assert_int_equal(exh_base64_decode("YWJjZA", 6, out, 3), -1);
  assert_int_equal(exh_base64_decode("YQ", 2, out, 0), -1);
}

static void test_base64_lenient(void **state)
{
  (void)state;
  uint8_t out[16];
  const char *s = "\"ZXZhbCgp\")";
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)s, strlen(s), out, sizeof out), 6);
  assert_memory_equal(out, "eval()", 6);
  /* URL-safe and standard give the same bytes */
  uint8_t a[3], b[3];
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)"-_-_", 4, a, 3), 3);
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)"+/+/", 4, b, 3), 3);
  assert_memory_equal(a, b, 3);
  /* junk, padding and NUL are skipped wherever they are */
  const uint8_t junk[] = {'Y', '=', ' ', 0, '\n', 'W', 0xff, 'J', 'j'};
  assert_int_equal(exh_base64_decode_lenient(junk, sizeof junk, out, sizeof out), 3);
  assert_memory_equal(out, "abc", 3);
  /* stops when out is full, and never writes past it */
  uint8_t small[2] = {0, 0};
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)"YWJjZGVm", 8, small, 1), 1);
  assert_int_equal(small[1], 0);
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)"YWJj", 4, small, 0), 0);
  assert_int_equal(exh_base64_decode_lenient((const uint8_t *)"!!!!", 4, out, sizeof out), 0);
}

static void test_errmap(void **state)
{
  (void)state;
  /* the readers' mapping (what core/evidence had) */
  assert_int_equal(exh_errno_code(EACCES), EXHUNT_EACCES);
  assert_int_equal(exh_errno_code(EPERM), EXHUNT_EACCES);
  assert_int_equal(exh_errno_code(ENOENT), EXHUNT_ENOENT);
  assert_int_equal(exh_errno_code(ENOTDIR), EXHUNT_ENOENT);
  assert_int_equal(exh_errno_code(ELOOP), EXHUNT_ELOOP);
  assert_int_equal(exh_errno_code(ENOMEM), EXHUNT_ENOMEM);
  assert_int_equal(exh_errno_code(EMFILE), EXHUNT_ELIMIT);
  assert_int_equal(exh_errno_code(ENFILE), EXHUNT_ELIMIT);
  assert_int_equal(exh_errno_code(ENOSPC), EXHUNT_EIO);
  assert_int_equal(exh_errno_code(EIO), EXHUNT_EIO);
  assert_int_equal(exh_errno_code(0), EXHUNT_EIO);
  assert_int_equal(exh_errno_code(-1), EXHUNT_EIO);
  assert_int_equal(exh_errno_code(99999), EXHUNT_EIO);
  /* no classes: the walker's mapping */
  assert_int_equal(exh_errno_map(EACCES, 0), EXHUNT_EACCES);
  assert_int_equal(exh_errno_map(ENOENT, 0), EXHUNT_ENOENT);
  assert_int_equal(exh_errno_map(ELOOP, 0), EXHUNT_ELOOP);
  assert_int_equal(exh_errno_map(ENOTDIR, 0), EXHUNT_EIO);
  assert_int_equal(exh_errno_map(ENOMEM, 0), EXHUNT_EIO);
  assert_int_equal(exh_errno_map(EMFILE, 0), EXHUNT_EIO);
  assert_int_equal(exh_errno_map(ENOSPC, 0), EXHUNT_EIO);
  /* each class alone */
  assert_int_equal(exh_errno_map(ENOTDIR, EXH_ERRMAP_NOTDIR), EXHUNT_ENOENT);
  assert_int_equal(exh_errno_map(ENOMEM, EXH_ERRMAP_NOMEM), EXHUNT_ENOMEM);
  assert_int_equal(exh_errno_map(ENFILE, EXH_ERRMAP_FDS), EXHUNT_ELIMIT);
  assert_int_equal(exh_errno_map(ENOSPC, EXH_ERRMAP_SPACE), EXHUNT_ENOSPC);
#ifdef EDQUOT /* not in mingw-w64's <errno.h> */
  assert_int_equal(exh_errno_map(EDQUOT, EXH_ERRMAP_SPACE), EXHUNT_ENOSPC);
#endif
  assert_int_equal(exh_errno_map(ENOMEM, EXH_ERRMAP_SPACE), EXHUNT_EIO);
  /* a sharing violation (Windows) is "in use", whatever the classes */
  assert_int_equal(exh_errno_map(EBUSY, 0), EXHUNT_EBUSY);
}

TU_MAIN(NULL, test_ascii_chars, test_contains_ci, test_iso8601, test_w3c_time, test_span_widen,
        test_filetime, test_take_earliest, test_hex_decode, test_base64_strict, test_base64_lenient,
        test_errmap)
