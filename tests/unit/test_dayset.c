/*
 * test_dayset.c - lib/core/dayset: the days a log covers and the days a
 * server was exposed, counted and turned into spans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "core/dayset.h"

#define DAY 86400
#define D_2021_03_03 18689 /* days since the epoch */

static void test_day_of(void **state)
{
  (void)state;
  assert_int_equal(exh_day_of(0), 0);
  assert_int_equal(exh_day_of(DAY - 1), 0);
  assert_int_equal(exh_day_of(DAY), 1);
  assert_int_equal(exh_day_of(-1), -1); /* floor, not truncation */
  assert_int_equal(exh_day_of((int64_t)D_2021_03_03 * DAY + 12 * 3600), D_2021_03_03);
}

static void test_spans_and_counts(void **state)
{
  (void)state;
  exh_dayset s = {NULL};
  assert_int_equal(exh_dayset_count(&s), 0);
  /* a file from 23:00 to 01:00 the next day touches two days */
  int64_t t = (int64_t)D_2021_03_03 * DAY;
  assert_int_equal(exh_dayset_add_span(&s, t - 3600, t + 3600), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&s), 2);
  /* a lone time (no last) is its day; two NO_TIMEs are nothing */
  assert_int_equal(exh_dayset_add_span(&s, t + 5 * DAY, EXHUNT_NO_TIME), EXHUNT_OK);
  assert_int_equal(exh_dayset_add_span(&s, EXHUNT_NO_TIME, EXHUNT_NO_TIME), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&s), 3);
  assert_true(exh_dayset_has(&s, D_2021_03_03 - 1));
  assert_true(exh_dayset_has(&s, D_2021_03_03));
  assert_false(exh_dayset_has(&s, D_2021_03_03 + 1));
  assert_int_equal(exh_dayset_count_in(&s, D_2021_03_03, D_2021_03_03 + 10), 2);
  assert_int_equal(exh_dayset_count_in(&s, D_2021_03_03 + 1, D_2021_03_03), 0);

  exhunt_day_span *v;
  size_t n;
  assert_int_equal(exh_dayset_spans(&s, &v, &n), EXHUNT_OK);
  assert_int_equal(n, 2);
  assert_int_equal(v[0].first, t - DAY);
  assert_int_equal(v[0].last, t);
  assert_int_equal(v[1].first, t + 5 * DAY);
  assert_int_equal(v[1].last, t + 5 * DAY);
  exh_free(v);

  exh_dayset other = {NULL};
  assert_int_equal(exh_dayset_add_days(&other, D_2021_03_03, D_2021_03_03 + 30), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&other), 31);
  assert_int_equal(exh_dayset_count_both(&s, &other), 2);
  assert_int_equal(exh_dayset_add_set(&other, &s), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&other), 32);
  exh_dayset_free(&other);
  exh_dayset_free(&s);
  assert_null(s.bits);
}

/* Days outside 2000..2099 are no log day of a real server: left out, and a
 * span that reaches past the range marks only its days inside it. */
static void test_range(void **state)
{
  (void)state;
  exh_dayset s = {NULL};
  assert_int_equal(exh_dayset_add_span(&s, 0, 10 * DAY), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&s), 0);
  assert_int_equal(exh_dayset_add_span(&s, INT64_MIN + 1, INT64_MAX), EXHUNT_OK);
  assert_int_equal(exh_dayset_count(&s), EXH_DAYSET_DAYS);
  exhunt_day_span *v;
  size_t n;
  assert_int_equal(exh_dayset_spans(&s, &v, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(v[0].first, (int64_t)EXH_DAYSET_FIRST_DAY * DAY);
  exh_free(v);
  exh_dayset_free(&s);
}

static void test_alloc_failure(void **state)
{
  (void)state;
  exh_dayset s = {NULL};
  exh_alloc_fail_at(1, 0);
  assert_int_equal(exh_dayset_add_days(&s, D_2021_03_03, D_2021_03_03), EXHUNT_ENOMEM);
  exh_alloc_fail_at(0, 0);
  assert_int_equal(exh_dayset_count(&s), 0);
  assert_int_equal(exh_dayset_add_days(&s, D_2021_03_03, D_2021_03_03), EXHUNT_OK);
  exhunt_day_span *v;
  size_t n;
  exh_alloc_fail_at(1, 0);
  assert_int_equal(exh_dayset_spans(&s, &v, &n), EXHUNT_ENOMEM);
  exh_alloc_fail_at(0, 0);
  exh_dayset_free(&s);
}

TU_MAIN(NULL, test_day_of, test_spans_and_counts, test_range, test_alloc_failure)
