/*
 * cmocka_smoke.c - the static cmocka of tools/win/build-deps.sh runs tests
 * under wine, as exhunt's unit tests will: one test that passes and one that
 * skips, so exit code 0 and the runner's summary show it works. print_message
 * takes C99 formats (%zu, %lld) as exhunt's tests use them: this cmocka is
 * built on mingw-w64's C99 printf and declares gnu_printf, so the line below
 * compiles under -Werror=format and prints "cmocka prints 8 and -1".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void adds_up(void **state)
{
  (void)state;
  assert_int_equal(2 + 2, 4);
  assert_string_equal("exhunt", "exhunt");
  print_message("cmocka prints %zu and %lld\n", sizeof(long long), -1LL);
}

static void skipped(void **state)
{
  (void)state;
  skip();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(adds_up),
      cmocka_unit_test(skipped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
