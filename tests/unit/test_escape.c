/*
 * test_escape.c - the output encoders: what an attacker-chosen name or
 * content can and cannot do to JSON and to a terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

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
#ifndef _WIN32
  assert_string_equal(disp("a\\x41", 5), "a\\\\x41");
#else
  /* exhunt.exe: '\\' is the path separator, shown as it is (escape.c) */
  assert_string_equal(disp("C:\\inetpub\\x41", 14), "C:\\inetpub\\x41");
#endif
  assert_string_equal(disp("\xff", 1), "\\xff");
  /* C1 CSI (U+009B) and a right-to-left override (U+202E) are named by
   * their code point */
  assert_string_equal(disp("\xc2\x9b", 2), "\\u{9b}");
  assert_string_equal(disp("x\xe2\x80\xaetxt.aspx", 12), "x\\u{202e}txt.aspx");
  /* ordinary UTF-8 text stays readable */
  assert_string_equal(disp("\xe6\x96\x87.aspx", 8), "\xe6\x96\x87.aspx");
}

/* issue 14 item 9: one table, each class of invisible code point, in the
 * three forms. The UTF-8 of each: */
static const struct {
  const char *utf8;
  uint32_t cp;
  const char *json; /* exh_escape_json */
  const char *disp; /* exh_escape_display */
} invisible[] = {
    {"\xd8\x9c", 0x061C, "\\u061c", "\\u{61c}"},                   /* Arabic letter mark (bidi) */
    {"\xe2\x80\x8b", 0x200B, "\\u200b", "\\u{200b}"},              /* zero-width space */
    {"\xe2\x80\x8e", 0x200E, "\\u200e", "\\u{200e}"},              /* left-to-right mark */
    {"\xe2\x80\xa8", 0x2028, "\\u2028", "\\u{2028}"},              /* line separator (Zl) */
    {"\xe2\x80\xa9", 0x2029, "\\u2029", "\\u{2029}"},              /* paragraph separator (Zp) */
    {"\xe2\x80\xae", 0x202E, "\\u202e", "\\u{202e}"},              /* right-to-left override */
    {"\xe2\x81\xa6", 0x2066, "\\u2066", "\\u{2066}"},              /* left-to-right isolate */
    {"\xef\xbb\xbf", 0xFEFF, "\\ufeff", "\\u{feff}"},              /* BOM / zero-width no-break */
    {"\xc2\x85", 0x0085, "\\u0085", "\\u{85}"},                    /* NEL: a line break to Python */
    {"\xc2\xad", 0x00AD, "\\u00ad", "\\u{ad}"},                    /* soft hyphen (Cf) */
    {"\xf3\xa0\x80\x81", 0xE0001, "\\udb40\\udc01", "\\u{e0001}"}, /* language tag */
    {"\xf3\xa0\x81\xbf", 0xE007F, "\\udb40\\udc7f", "\\u{e007f}"}, /* cancel tag */
};

static void test_invisible_code_points(void **state)
{
  (void)state;
  bool lossy;
  char in[32], want[64];
  for (size_t i = 0; i < sizeof invisible / sizeof invisible[0]; i++) {
    assert_true(exh_cp_escaped(invisible[i].cp));
    snprintf(in, sizeof in, "a%sb", invisible[i].utf8);
    snprintf(want, sizeof want, "a%sb", invisible[i].json);
    assert_string_equal(json(in, strlen(in), &lossy), want);
    assert_false(lossy); /* an escape, not a replacement: the same string */
    snprintf(want, sizeof want, "a%sb", invisible[i].disp);
    assert_string_equal(disp(in, strlen(in)), want);
  }
}

static void test_visible_text_stays_raw(void **state)
{
  (void)state;
  bool lossy;
  /* letters of other scripts, symbols and emoji are shown as they are */
  static const char *const raw[] = {
      "caf\xc3\xa9",              /* é */
      "\xd0\x9f\xd1\x80\xd0\xb8", /* Cyrillic */
      "\xd8\xb4\xd9\x84",         /* Arabic letters (right-to-left, not controls) */
      "\xe6\x96\x87\xe5\xad\x97", /* CJK */
      "\xc2\xa0x",                /* no-break space (Zs) */
      "\xe2\x82\xac",             /* euro sign */
      "\xf0\x9f\x98\x80",         /* emoji, above U+FFFF */
      "\xef\xbf\xbd",             /* U+FFFD itself */
  };
  for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
    assert_string_equal(json(raw[i], strlen(raw[i]), &lossy), raw[i]);
    assert_string_equal(disp(raw[i], strlen(raw[i])), raw[i]);
  }
  assert_false(exh_cp_escaped('a'));
  assert_false(exh_cp_escaped(0xA0));
  assert_false(exh_cp_escaped(0x10FFFF));
  assert_true(exh_cp_escaped(0x00));
  assert_true(exh_cp_escaped(0x7F));
  /* the ends of ranges: U+2027 (a letter-like punctuation) raw, U+2028 not */
  assert_false(exh_cp_escaped(0x2027));
  assert_true(exh_cp_escaped(0x202F - 1));
  assert_false(exh_cp_escaped(0x202F));
  assert_false(exh_cp_escaped(0x2065)); /* unassigned between the isolates */
}

/* The display form's claim: reversible. Decode it back and compare, over
 * every class: ASCII controls, backslashes, invalid UTF-8, the table, and
 * a name that itself spells an escape. */
static size_t undisplay(const char *s, char *out)
{
  size_t n = 0;
  while (*s) {
    if (s[0] == '\\' && s[1] == '\\') {
      out[n++] = '\\';
      s += 2;
    } else if (s[0] == '\\' && s[1] == 'x') {
      char h[3] = {s[2], s[3], 0};
      out[n++] = (char)strtoul(h, NULL, 16);
      s += 4;
    } else if (s[0] == '\\' && s[1] == 'u' && s[2] == '{') {
      char *end;
      unsigned long cp = strtoul(s + 3, &end, 16);
      assert_int_equal(*end, '}');
      if (cp < 0x80) {
        out[n++] = (char)cp;
      } else if (cp < 0x800) {
        out[n++] = (char)(0xC0 | (cp >> 6));
        out[n++] = (char)(0x80 | (cp & 63));
      } else if (cp < 0x10000) {
        out[n++] = (char)(0xE0 | (cp >> 12));
        out[n++] = (char)(0x80 | ((cp >> 6) & 63));
        out[n++] = (char)(0x80 | (cp & 63));
      } else {
        out[n++] = (char)(0xF0 | (cp >> 18));
        out[n++] = (char)(0x80 | ((cp >> 12) & 63));
        out[n++] = (char)(0x80 | ((cp >> 6) & 63));
        out[n++] = (char)(0x80 | (cp & 63));
      }
      s = end + 1;
    } else {
      assert_int_not_equal(s[0], '\\'); /* no lone backslash in the form */
      out[n++] = *s++;
    }
  }
  return n;
}

static void test_display_round_trip(void **state)
{
  (void)state;
  static const char in[] = "C:\\x\\u{202e}\\\\\x01\x1b\xff\xc0\xaf\xe2\x80\xae\xd8\x9c"
                           "\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xf3\xa0\x80\x81\xc2\x9b"
                           "\xc3\xa9\xe6\x96\x87\xed\xa0\x80.aspx";
  char back[256];
  const char *shown = disp(in, sizeof in - 1);
  /* what a terminal gets: no control byte and none of the table */
  for (const unsigned char *p = (const unsigned char *)shown; *p; p++)
    assert_true(*p >= 0x20 && *p != 0x7F);
#ifdef _WIN32
  /* exhunt.exe keeps '\\' single for paths' sake: inert, not reversible
   * (the JSON Lines are exact) */
  (void)back;
  (void)undisplay;
  return;
#endif
  size_t n = undisplay(shown, back);
  assert_int_equal(n, sizeof in - 1);
  assert_memory_equal(back, in, n);
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
                      "\"bad\\xff\\u{9b}\\u{202e}\xc3\xa9\"");
  /* the table's other classes too: no invisible character in a cell */
  assert_string_equal(csv("a\xd8\x9c\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xf3\xa0\x80\x81", 16),
                      "\"a\\u{61c}\\u{200b}\\u{2028}\\u{feff}\\u{e0001}\"");
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

TU_MAIN(NULL, test_json_plain_and_quotes, test_json_controls, test_json_utf8_kept_invalid_replaced,
        test_display_is_inert_and_reversible, test_invisible_code_points,
        test_visible_text_stays_raw, test_display_round_trip, test_csv_cell, test_base64_and_hex,
        test_dynbuf_ceiling)
