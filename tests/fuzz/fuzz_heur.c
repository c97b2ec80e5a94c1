/*
 * fuzz_heur.c - libFuzzer target: the web-shell heuristics (lib/heur/heur.c)
 * on arbitrary bytes, under each extension family they treat differently.
 */
#include <stddef.h>
#include <stdint.h>

#include "heur/heur.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const exts[] = {".aspx", ".asp", ".ashx", ".cshtml", ".config", ".js", ""};
  exh_heur_hit hits[EXH_HEUR_MAX_HITS];
  const char *ext = exts[size ? data[0] % (sizeof exts / sizeof exts[0]) : 0];
  size_t n = exh_heur_scan(data, size, ext, hits, EXH_HEUR_MAX_HITS);
  for (size_t i = 0; i < n; i++) {
    /* every evidence span must lie inside the input */
    if (hits[i].offset > size || hits[i].len > size - hits[i].offset)
      __builtin_trap();
  }
  (void)exh_heur_entropy(data, size);
  return 0;
}
