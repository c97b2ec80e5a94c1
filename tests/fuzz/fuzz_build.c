/*
 * fuzz_build.c - libFuzzer target: the Exchange build-string parser alone
 * (exhunt_build_parse, lib/exposure/build.c), which reads builds from
 * logs, PowerShell dumps, file versions and HTTP headers. Checks: a parsed
 * build formats to text that parses back to the same build; comparison is
 * reflexive and antisymmetric against a few fixed builds.
 * (fuzz_exposure reaches the same parser among the other exposure inputs.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x)
{
  return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exhunt_build b, again;
  if (exhunt_build_parse((const char *)data, size, &b) != EXHUNT_OK)
    return 0;
  char s[EXHUNT_BUILD_STRLEN];
  exhunt_build_format(&b, s);
  if (strlen(s) >= sizeof s || exhunt_build_parse(s, strlen(s), &again) != EXHUNT_OK ||
      exhunt_build_compare(&b, &again) != 0 || b.has_revision != again.has_revision ||
      memcmp(&b.major, &again.major, 4 * sizeof b.major) != 0)
    abort();
  static const exhunt_build fixed[] = {{15, 1, 2176, 2, true},
                                       {15, 1, 2176, 0, false},
                                       {14, 3, 513, 0, true},
                                       {15, 2, 1118, 20, true}};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    if (sign(exhunt_build_compare(&b, &fixed[i])) != -sign(exhunt_build_compare(&fixed[i], &b)))
      abort();
  return 0;
}
