/*
 * test_strset.c - the string set (lib/core/strset.c): adds, repeats and
 * growth keep every name exactly once, and a failed allocation leaves the
 * set as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "core/strset.h"

static void test_adds_and_repeats(void **state)
{
  (void)state;
  exh_strset set = EXH_STRSET_INIT;
  char name[64];
  /* through several growths; names that share prefixes and differ in case */
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 5000; i++) {
      snprintf(name, sizeof name, "/evidence/Logs/HttpProxy_%d.LOG", i);
      assert_int_equal(exh_strset_add(&set, name), round == 0 ? 1 : 0);
      snprintf(name, sizeof name, "/evidence/logs/httpproxy_%d.log", i);
      assert_int_equal(exh_strset_add(&set, name), round == 0 ? 1 : 0);
    }
  }
  assert_int_equal(set.count, 10000);
  assert_true(set.n_slots >= 2 * set.count);
  assert_int_equal(exh_strset_add(&set, ""), 1);
  assert_int_equal(exh_strset_add(&set, ""), 0);
  exh_strset_free(&set);
  assert_null(set.slots);
  assert_int_equal(set.count, 0);
  /* usable again after free */
  assert_int_equal(exh_strset_add(&set, "a"), 1);
  exh_strset_free(&set);
}

static void test_out_of_memory(void **state)
{
  (void)state;
  /* every allocation of an add, failed in turn: -1, and the set unchanged */
  for (unsigned long n = 1;; n++) {
    exh_strset set = EXH_STRSET_INIT;
    assert_int_equal(exh_strset_add(&set, "first"), 1);
    for (int i = 0; i < 31; i++) { /* to the edge of a growth */
      char name[16];
      snprintf(name, sizeof name, "n%d", i);
      assert_int_equal(exh_strset_add(&set, name), 1);
    }
    size_t count = set.count, slots = set.n_slots;
    exh_alloc_fail_at(n, 0);
    int rc = exh_strset_add(&set, "the one that grows it");
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (rc == 1) {
      assert_true(n > made); /* every allocation of it passed */
      assert_int_equal(set.count, count + 1);
      exh_strset_free(&set);
      break;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(set.count, count);
    assert_int_equal(exh_strset_add(&set, "first"), 0); /* still there */
    assert_true(set.n_slots >= slots);
    exh_strset_free(&set);
  }
}

TU_MAIN(NULL, test_adds_and_repeats, test_out_of_memory)
