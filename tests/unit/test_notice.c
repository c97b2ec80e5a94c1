/*
 * test_notice.c - the notice for a refused line of a data file
 * (lib/core/notice.c): its kind, code, what, file and reason, the reason
 * cut to its buffer, and silence without a notice callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/notice.h"

typedef struct heard {
  int count;
  exhunt_notice last;
  char reason[512];
} heard;

static void on_notice(void *ctx, const exhunt_notice *n)
{
  heard *h = ctx;
  h->count++;
  h->last = *n;
  strncpy(h->reason, n->reason, sizeof h->reason - 1);
}

static void test_reason_and_fields(void **state)
{
  (void)state;
  heard h;
  memset(&h, 0, sizeof h);
  exhunt_sink sink = {.ctx = &h, .on_notice = on_notice};
  exh_notice_bad_line(&sink, "ioc-line", "lists/x.csv", 42, "bad hash", "ignored");
  assert_int_equal(h.count, 1);
  assert_int_equal(h.last.kind, EXHUNT_NOTICE_ERROR);
  assert_int_equal(h.last.code, EXHUNT_ECORRUPT);
  assert_string_equal(h.last.what, "ioc-line");
  assert_string_equal(h.last.path, "lists/x.csv");
  assert_string_equal(h.reason, "line 42: bad hash; line ignored");
  exh_notice_bad_line(&sink, "builddb", "builds.tsv", 0, "fix x for y is not a build line",
                      "left out");
  assert_int_equal(h.count, 2);
  assert_string_equal(h.reason, "line 0: fix x for y is not a build line; line left out");
}

static void test_long_reason_is_cut(void **state)
{
  (void)state;
  heard h;
  memset(&h, 0, sizeof h);
  exhunt_sink sink = {.ctx = &h, .on_notice = on_notice};
  char why[400];
  memset(why, 'w', sizeof why - 1);
  why[sizeof why - 1] = '\0';
  exh_notice_bad_line(&sink, "builddb", "builds.tsv", 7, why, "left out");
  assert_int_equal(h.count, 1);
  assert_int_equal(strlen(h.reason), 255);
  assert_memory_equal(h.reason, "line 7: www", 11);
}

static void test_no_callback_no_notice(void **state)
{
  (void)state;
  exhunt_sink sink = {.ctx = NULL, .on_notice = NULL};
  exh_notice_bad_line(&sink, "ioc-line", "x", 1, "why", "ignored");
  exh_notice_bad_line(NULL, "ioc-line", "x", 1, "why", "ignored");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reason_and_fields),
      cmocka_unit_test(test_long_reason_is_cut),
      cmocka_unit_test(test_no_callback_no_notice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
