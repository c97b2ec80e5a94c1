/*
 * test_pace.c - the run's pace (lib/core/pace.c): no limit costs nothing,
 * the read rate and the CPU share are held (lower bounds on the time
 * taken: a loaded machine only makes a run slower, so these cannot flake),
 * and a failed allocation is a clean ENOMEM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "core/pace.h"

/* A pacer for this CPU share and rate (it must be made). */
static exh_pace *pace_of(unsigned cpu_percent, uint64_t bytes_per_second)
{
  exhunt_pace cfg = {cpu_percent, bytes_per_second};
  exh_pace *p = NULL;
  assert_int_equal(exh_pace_new(&cfg, &p), EXHUNT_OK);
  assert_non_null(p);
  return p;
}

static void test_no_limit_is_null(void **state)
{
  (void)state;
  exh_pace *p = (exh_pace *)1;
  assert_int_equal(exh_pace_new(NULL, &p), EXHUNT_OK);
  assert_null(p);
  exhunt_pace none = {0, 0};
  assert_int_equal(exh_pace_new(&none, &p), EXHUNT_OK);
  assert_null(p);
  exh_pace_account(NULL, 1u << 30); /* free, returns at once */
}

/* 4 MiB/s with a tenth of a second of burst: 2 MiB more than the burst
 * takes at least half a second, from any number of reports. */
static void test_rate(void **state)
{
  (void)state;
  exh_pace *p = pace_of(0, 4u * 1024 * 1024);
  double t0 = tu_seconds(TU_WALL);
  uint64_t total = 2u * 1024 * 1024 + 4u * 1024 * 1024 / 10;
  for (uint64_t done = 0; done < total; done += 64 * 1024)
    exh_pace_account(p, 64 * 1024);
  double took = tu_seconds(TU_WALL) - t0;
  assert_true(took >= 0.45);
  exh_pace_free(p);
}

/* 20 % of a core: 0.2 s of CPU burnt, then a report, holds the caller
 * until the wall time since the start is about 1 s. */
static void test_cpu_share(void **state)
{
  (void)state;
  exh_pace *p = pace_of(20, 0);
  double t0 = tu_seconds(TU_WALL), c0 = tu_seconds(TU_CPU);
  volatile uint64_t sink = 0;
  while (tu_seconds(TU_CPU) - c0 < 0.2)
    for (int i = 0; i < 100000; i++)
      sink += (uint64_t)i * 2654435761u;
  exh_pace_account(p, 1);
  double took = tu_seconds(TU_WALL) - t0;
  assert_true(took >= 0.9);
  exh_pace_free(p);
}

static void test_alloc_failure(void **state)
{
  (void)state;
  exhunt_pace cfg = {50, 1024};
  exh_pace *p = NULL;
  exh_alloc_fail_at(1, 0);
  assert_int_equal(exh_pace_new(&cfg, &p), EXHUNT_ENOMEM);
  assert_null(p);
  exh_alloc_fail_at(0, 0);
}

TU_MAIN(NULL, test_no_limit_is_null, test_rate, test_cpu_share, test_alloc_failure)
