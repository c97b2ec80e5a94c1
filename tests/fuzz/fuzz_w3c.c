/*
 * fuzz_w3c.c - libFuzzer target: the IIS W3C reader (lib/logs/lines.c,
 * lib/logs/table.c): #Fields: lines, including a new #Fields: in the middle
 * of a file (columns are bound again), "-" values, runs of spaces, the IIS
 * detector on each row. The checks are in table_target.h.
 */
#include "table_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_table(data, size, EXH_FMT_W3C);
  return 0;
}
