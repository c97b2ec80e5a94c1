/*
 * test_escape.c - the output encoders: what an attacker-chosen name or
 * content can and cannot do to JSON and to a terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "output/escape.h"

static char *json(const char *s, size_t len, bool *lossy)
{
  static exh_dynbuf b;
  exh_dynbuf_free(&b);
  exh_dynbuf_init(&b, 0);
  *lossy = false;
  assert_int_equal(exh_escape_json(&b, s, len, lossy), EXHUNT_OK);
  return b.data ? b.data : "";
}

static char *disp(const char *s, size_t len)
{
  static exh_dynbuf b;
  exh_dynbuf_free(&b);
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_escape_display(&b, s, len), EXHUNT_OK);
  return b.data ? b.data : "";
}

static void test_json_plain_and_quotes(void **state)
{
  (void)state;
  bool lossy;
  assert_string_equal(json("a\"b\\c", 5, &lossy), "a\\\"b\\\\c");
  assert_false(lossy);
}

static void test_json_controls(void **state)
{
  (void)state;
  bool lossy;
  assert_string_equal(json("a\nb\x1b[31m\x7f", 9, &lossy), "a\\nb\\u001b[31m\\u007f");
  assert_false(lossy);
  assert_string_equal(json("\0x", 2, &lossy), "\\u0000x");
}

static void test_json_utf8_kept_invalid_replaced(void **state)
{
  (void)state;
  bool lossy;
  assert_string_equal(json("caf\xc3\xa9", 5, &lossy), "caf\xc3\xa9");
  assert_false(lossy);
  assert_string_equal(json("a\xff\xfe"
                           "b",
                           4, &lossy),
                      "a\\ufffd\\ufffdb");
  assert_true(lossy);
  /* overlong encoding of '/' and a lone surrogate are invalid */
  json("\xc0\xaf", 2, &lossy);
  assert_true(lossy);
  json("\xed\xa0\x80", 3, &lossy);
  assert_true(lossy);
  /* truncated sequence at the end */
  json("ok\xe2\x82", 4, &lossy);
  assert_true(lossy);
}

static void test_display_is_inert_and_reversible(void **state)
{
  (void)state;
  assert_string_equal(disp("shell\n.aspx", 11), "shell\\x0a.aspx");
  assert_string_equal(disp("\x1b]0;pwned\x07", 10), "\\x1b]0;pwned\\x07");
  assert_string_equal(disp("a\\x41", 5), "a\\\\x41");
  assert_string_equal(disp("\xff", 1), "\\xff");
  /* C1 CSI (U+009B) and a right-to-left override (U+202E) are escaped */
  assert_string_equal(disp("\xc2\x9b", 2), "\\xc2\\x9b");
  assert_string_equal(disp("x\xe2\x80\xaetxt.aspx", 12), "x\\xe2\\x80\\xaetxt.aspx");
  /* ordinary UTF-8 text stays readable */
  assert_string_equal(disp("\xe6\x96\x87.aspx", 8), "\xe6\x96\x87.aspx");
}

static char *csv(const char *s, size_t len)
{
  static exh_dynbuf b;
  exh_dynbuf_free(&b);
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_csv_cell(&b, s, len), EXHUNT_OK);
  return b.data ? b.data : "";
}

static void test_csv_cell(void **state)
{
  (void)state;
  /* always quoted, quotes doubled, commas inert inside the quotes */
  assert_string_equal(csv("", 0), "\"\"");
  assert_string_equal(csv("a,b\"c", 5), "\"a,b\"\"c\"");
  /* no raw line break: a row stays one line */
  assert_string_equal(csv("new\nline\r", 9), "\"new\\x0aline\\x0d\"");
  /* formula starts get an apostrophe, whatever follows */
  assert_string_equal(csv("=cmd|' /C calc'!A0", 18), "\"'=cmd|' /C calc'!A0\"");
  assert_string_equal(csv("+1", 2), "\"'+1\"");
  assert_string_equal(csv("-2", 2), "\"'-2\"");
  assert_string_equal(csv("@SUM(A1)", 8), "\"'@SUM(A1)\"");
  assert_string_equal(csv("\t=1", 3), "\"'\\x09=1\"");
  assert_string_equal(csv("a=1", 3), "\"a=1\"");
  /* a Windows path reads as in the evidence; invalid UTF-8 and C1/bidi
   * controls are hex, valid UTF-8 kept */
  assert_string_equal(csv("C:\\inetpub\\x.aspx", 17), "\"C:\\inetpub\\x.aspx\"");
  assert_string_equal(csv("bad\xff\xc2\x9b\xe2\x80\xae\xc3\xa9", 11),
                      "\"bad\\xff\\xc2\\x9b\\xe2\\x80\\xae\xc3\xa9\"");
}

static void test_base64_and_hex(void **state)
{
  (void)state;
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_base64(&b, "\xff\x00\x01", 3), EXHUNT_OK);
  assert_string_equal(b.data, "/wAB");
  exh_dynbuf_reset(&b);
  exh_base64(&b, "ab", 2);
  assert_string_equal(b.data, "YWI=");
  exh_dynbuf_reset(&b);
  exh_hex(&b, (const uint8_t *)"\x00\xab", 2);
  assert_string_equal(b.data, "00ab");
  exh_dynbuf_reset(&b);
  exh_iso8601(&b, 1614729600);
  assert_string_equal(b.data, "2021-03-03T00:00:00Z");
  exh_dynbuf_free(&b);
}

static void test_dynbuf_ceiling(void **state)
{
  (void)state;
  exh_dynbuf b;
  exh_dynbuf_init(&b, 8);
  assert_int_equal(exh_dynbuf_add(&b, "12345678", 8), EXHUNT_OK);
  assert_int_equal(exh_dynbuf_addc(&b, 'x'), EXHUNT_ELIMIT);
  assert_int_equal(b.len, 8);
  assert_string_equal(b.data, "12345678");
  exh_dynbuf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_plain_and_quotes),
      cmocka_unit_test(test_json_controls),
      cmocka_unit_test(test_json_utf8_kept_invalid_replaced),
      cmocka_unit_test(test_display_is_inert_and_reversible),
      cmocka_unit_test(test_csv_cell),
      cmocka_unit_test(test_base64_and_hex),
      cmocka_unit_test(test_dynbuf_ceiling),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
