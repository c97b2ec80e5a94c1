/*
 * test_names.c - enum names from tables indexed by the value
 * (lib/core/names.h): a value inside the table gets its name, and a hole,
 * a value past the end and a negative value get the fallback; the public
 * name functions built on it keep their fallbacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/names.h"
#include "exhunt/exhunt.h"

enum colour { RED = 0, GREEN = 1, BLUE = 3 };

static const char *const colour_names[] = {
    [RED] = "red",
    [GREEN] = "green",
    [BLUE] = "blue",
};

static void test_lookup_and_fallbacks(void **state)
{
  (void)state;
  assert_string_equal(EXH_NAME_AT(colour_names, RED, "?"), "red");
  assert_string_equal(EXH_NAME_AT(colour_names, GREEN, "?"), "green");
  assert_string_equal(EXH_NAME_AT(colour_names, BLUE, "?"), "blue");
  assert_string_equal(EXH_NAME_AT(colour_names, 2, "?"), "?");  /* a hole */
  assert_string_equal(EXH_NAME_AT(colour_names, 4, "?"), "?");  /* just past the end */
  assert_string_equal(EXH_NAME_AT(colour_names, -1, "?"), "?"); /* negative */
  assert_string_equal(EXH_NAME_AT(colour_names, 1LL << 40, "?"), "?");
  assert_null(exh_name_at(colour_names, 4, 2, NULL));
  /* the count is the caller's: a shorter one hides the rest */
  assert_string_equal(exh_name_at(colour_names, 1, 1, "?"), "?");
}

static void test_public_names(void **state)
{
  (void)state;
  assert_string_equal(exhunt_strerror(EXHUNT_OK), "success");
  assert_string_equal(exhunt_strerror(EXHUNT_ENOSPC),
                      "no space left on device (or disk quota exceeded)");
  assert_string_equal(exhunt_strerror((exhunt_err)17), "unknown error");
  assert_string_equal(exhunt_strerror((exhunt_err)-1), "unknown error");
  /* every code up to the last has a message of its own */
  for (int e = EXHUNT_OK; e <= EXHUNT_ENOSPC; e++)
    assert_string_not_equal(exhunt_strerror((exhunt_err)e), "unknown error");
  assert_string_equal(exhunt_severity_name(EXHUNT_SEV_CRITICAL), "critical");
  assert_string_equal(exhunt_severity_name((exhunt_severity)EXHUNT_SEV_COUNT), "unknown");
  assert_string_equal(exhunt_skip_reason_name(EXHUNT_SKIP_VANISHED), "vanished");
  assert_string_equal(exhunt_skip_reason_name((exhunt_skip_reason)EXHUNT_SKIP_COUNT), "unknown");
  /* no step is "other", as is any number past the last */
  assert_string_equal(exhunt_attack_step_name(EXHUNT_STEP_NONE), "other");
  assert_string_equal(exhunt_attack_step_name(EXHUNT_STEP_PROBE), "probe");
  assert_string_equal(exhunt_attack_step_name(EXHUNT_STEP_COMMAND), "command");
  assert_string_equal(exhunt_attack_step_name((exhunt_attack_step)8), "other");
}

TU_MAIN(NULL, test_lookup_and_fallbacks, test_public_names)
