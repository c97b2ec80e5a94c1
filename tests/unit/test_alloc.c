/*
 * test_alloc.c - allocation-failure sweeps through the wrapper (alloc.h).
 *
 * For N = 1, 2, ... the Nth allocation made by exhunt's own code fails;
 * the call under test must return a clean EXHUNT_ENOMEM (or succeed, when
 * the failed allocation was optional) and never crash or leak. The sanitizer
 * build runs this with LeakSanitizer. libyara's internal allocations are its
 * own and are not swept here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "rules/ioc.h"

static const char iocs[] = "sha256\t" /* 64 hex */
                           "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0"
                           "\thigh\tt\ts\tr\n"
                           "filename\tsupp0rt.aspx\thigh\tn\ts\t-\n"
                           "path\t*/aspnet_client/*.aspx\thigh\tp\ts\t-\n";
static const char rule[] = "rule r { strings: $a = \"eval(Request\" condition: $a }";

/* Builds rules from user text and scans one buffer. Returns the first error. */
static exhunt_err run_once(recorder *rec)
{
  exhunt_sink sink = rec_sink(rec);
  exhunt_rules *r = NULL;
  exhunt_err err = tu_user_rules(&r, false, rule, iocs, &sink);
  if (!err)
    err = tu_scan_chopper(r, &sink);
  exhunt_rules_free(r);
  return err;
}

static void test_sweep_rules_and_scan(void **state)
{
  (void)state;
  static recorder rec;
  exh_alloc_fail_at(0, 0);
  memset(&rec, 0, sizeof rec);
  assert_int_equal(run_once(&rec), EXHUNT_OK);
  size_t expected = rec.n_findings;
  assert_true(expected >= 3);
  unsigned long total = 0;
  for (unsigned long n = 1; n < 10000; n++) {
    memset(&rec, 0, sizeof rec);
    exh_alloc_fail_at(n, 0);
    exhunt_err err = run_once(&rec);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (made < n) { /* the Nth allocation never happened: sweep complete */
      assert_int_equal(err, EXHUNT_OK);
      total = n - 1;
      break;
    }
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM || err == EXHUNT_ERULES);
  }
  assert_true(total > 5);
}

static void test_sweep_ioc_parse(void **state)
{
  (void)state;
  for (unsigned long n = 1; n < 1000; n++) {
    exh_iocs set;
    exh_iocs_init(&set);
    exh_alloc_fail_at(n, 1); /* sticky: everything after N fails too */
    exhunt_err err = exh_iocs_parse(&set, "l", iocs, sizeof iocs - 1, NULL, NULL);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    exh_iocs_free(&set);
    if (made < n) {
      assert_int_equal(err, EXHUNT_OK);
      return;
    }
    assert_int_equal(err, EXHUNT_ENOMEM);
  }
  fail_msg("sweep did not finish");
}

/* exh_grow: the array itself while there is room, then `first`, then
 * twice as many; out of memory, NULL with the array and its cap intact. */
static void test_grow(void **state)
{
  (void)state;
  size_t cap = 0;
  int *a = exh_grow(NULL, 0, &cap, 4, sizeof *a);
  assert_non_null(a);
  assert_int_equal(cap, 4);
  for (int i = 0; i < 4; i++)
    a[i] = i;
  assert_ptr_equal(exh_grow(a, 3, &cap, 4, sizeof *a), a);
  exh_alloc_fail_at(1, 0);
  assert_null(exh_grow(a, 4, &cap, 4, sizeof *a));
  exh_alloc_fail_at(0, 0);
  assert_int_equal(cap, 4);
  int *b = exh_grow(a, 4, &cap, 4, sizeof *a);
  assert_non_null(b);
  assert_int_equal(cap, 8);
  for (int i = 0; i < 4; i++)
    assert_int_equal(b[i], i);
  size_t huge = SIZE_MAX / 2 + 1;
  assert_null(exh_grow(b, huge, &huge, 4, sizeof *b));
  exh_free(b);
}

TU_MAIN(NULL, test_grow, test_sweep_rules_and_scan, test_sweep_ioc_parse)
