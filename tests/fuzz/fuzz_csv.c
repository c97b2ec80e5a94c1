/*
 * fuzz_csv.c - libFuzzer target: the Exchange CSV reader (lib/logs/lines.c,
 * lib/logs/table.c): #Fields: and bare header binding, RFC 4180 quoting,
 * ragged rows, the column binding and the HttpProxy detector on each row.
 * The checks are in table_target.h.
 */
#include "table_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_table(data, size, EXH_FMT_CSV);
  return 0;
}
