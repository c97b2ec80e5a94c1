/*
 * fuzz_baseline.c - libFuzzer target: the baseline file parser
 * (lib/baseline/baseline.c). The input is fed whole, then again split at a
 * point taken from its first byte, so the line carry-over between parse
 * calls is fuzzed too; both must hold the same number of records.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "exhunt/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  (void)n;
}

static size_t parse(const uint8_t *data, size_t size, size_t split)
{
  exhunt_baseline *bl = NULL;
  exhunt_sink sink = {.on_notice = on_notice};
  size_t count = (size_t)-1;
  if (exhunt_baseline_new(&bl) != EXHUNT_OK)
    return count;
  if (exhunt_baseline_parse(bl, (const char *)data, split, &sink) == EXHUNT_OK &&
      exhunt_baseline_parse(bl, (const char *)data + split, size - split, &sink) == EXHUNT_OK &&
      exhunt_baseline_parse_end(bl, &sink) == EXHUNT_OK)
    count = exhunt_baseline_count(bl);
  exhunt_baseline_free(bl);
  return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t whole = parse(data, size, 0);
  size_t split = parse(data, size, size ? data[0] % (size + 1) : 0);
  if (whole != split)
    abort();
  return 0;
}
