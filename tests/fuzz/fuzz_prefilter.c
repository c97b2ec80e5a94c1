/*
 * fuzz_prefilter.c - libFuzzer target: the log engine's literal prefilter
 * (lib/logs/prefilter.h). The replay build on a Hyperscan tree compiles
 * lib/logs/prefilter_ac.c in (tests/fuzz/CMakeLists.txt), so it is the
 * portable matcher, the Windows build's, that this exercises; on a
 * portable tree it is the build's own. Checks that hold for any input
 * (tests/common/prefilter_check.h):
 *  - for HttpProxy and IIS needles, the prefilter reports every line
 *    exh_block_scan reports and none exh_row_may_match turns away, over
 *    the input cut at its '#' lines;
 *  - it answers EXH_PF_META exactly when the input has a '#' line after
 *    its first, whether its callback takes every hit or only the first;
 *  - the literal set the input names reports each match of each literal,
 *    case-insensitively, exactly where a plain search finds one, and stops
 *    when told.
 *
 * Input: byte 0 is the number of literals k (mod 9); then k literals,
 * each ended by a 0x01 byte (0x01 is never in a literal; an empty one
 * makes the set refused); the rest is the buffer scanned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/prefilter_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static exh_prefilter *pf;
static exh_prefilter_scratch *scratch;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!pf) {
    pf = exh_prefilter_new();
    scratch = pf ? exh_prefilter_scratch_new(pf) : NULL;
    if (!scratch)
      abort(); /* the portable matcher runs anywhere */
  }
  if (size == 0)
    return 0;
  size_t k = data[0] % 9, at = 1;
  char lit_store[8][64];
  const char *lits[8];
  size_t n_lits = 0;
  for (; n_lits < k && at < size; n_lits++) {
    size_t len = 0;
    while (at < size && data[at] != 0x01 && len < sizeof lit_store[0] - 1) {
      /* a NUL would end the literal early: the literals are C strings */
      lit_store[n_lits][len++] = data[at] ? (char)data[at] : ' ';
      at++;
    }
    lit_store[n_lits][len] = '\0';
    lits[n_lits] = lit_store[n_lits];
    if (at < size && data[at] == 0x01)
      at++;
  }
  const char *p = (const char *)data + at;
  size_t n = size - at;
  unsigned char *mark = malloc(n + 1);
  uint32_t *ends = malloc((2 * n + 1) * sizeof *ends);
  if (!mark || !ends)
    abort();
  size_t where;
  static const exh_log_family fams[] = {EXH_FAM_HTTPPROXY, EXH_FAM_IIS};
  for (size_t f = 0; f < 2; f++)
    if (pfc_check_buffer(pf, scratch, fams[f], p, n, mark, &where))
      abort();
  exh_literals *l = n_lits ? exh_literals_new(lits, n_lits) : NULL;
  bool any_empty = false;
  for (size_t i = 0; i < n_lits; i++)
    any_empty = any_empty || lits[i][0] == '\0';
  if (n_lits && !any_empty && !l)
    abort(); /* a few short literals are always built */
  if (l && (!exh_literals_scratch(l, &scratch) ||
            pfc_check_literals(l, scratch, lits, n_lits, p, n, ends, &where)))
    abort();
  exh_literals_free(l);
  free(mark);
  free(ends);
  return 0;
}
