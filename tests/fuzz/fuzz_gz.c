/*
 * fuzz_gz.c - libFuzzer target: the gzip source (lib/logs/source.c) over a
 * byte span, as the log engine reads a .gz log, and exh_lines on top of
 * it. The first byte picks the caps: the defaults (what production uses)
 * or small ones, so the size and ratio limits are reached too.
 * Checks: no read returns more than asked; after an error or the end,
 * nothing more comes; the output stays within the size cap plus one read;
 * a truncated stream or a limit is an error code, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/lines.h"
#include "logs/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[64 * 1024];
static exh_gz_source gz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  bool small = data[0] & 1;
  uint64_t max_out = small ? 256 * 1024 : 0;
  uint64_t max_ratio = small ? 4 : 0;
  data++, size--;
  exh_span_source span;
  exh_source inner, src;

  /* Raw reads with varying sizes. */
  exh_source_span(&inner, &span, data, size);
  if (exh_source_gzip(&src, &gz, inner, max_out, max_ratio) != EXHUNT_OK)
    abort();
  uint64_t total = 0;
  size_t want = 1;
  exhunt_err err = EXHUNT_OK;
  for (;;) {
    size_t got = 0;
    err = src.read(src.ctx, buf, want, &got);
    if (got > want)
      abort();
    total += got;
    if (err || got == 0)
      break;
    want = want * 3 % sizeof buf + 1;
  }
  if (err != EXHUNT_OK && err != EXHUNT_ECORRUPT && err != EXHUNT_ETRUNCATED &&
      err != EXHUNT_ELIMIT)
    abort();
  size_t got = 0;
  if (src.read(src.ctx, buf, sizeof buf, &got) != EXHUNT_OK || got != 0)
    abort(); /* done stays done */
  if (total > gz.max_out + sizeof buf)
    abort();
  exh_gz_end(&gz);

  /* Lines over it, as read_log does. */
  exh_source_span(&inner, &span, data, size);
  if (exh_source_gzip(&src, &gz, inner, max_out, max_ratio) != EXHUNT_OK)
    abort();
  exh_lines lines;
  if (exh_lines_init(&lines, src) != EXHUNT_OK)
    abort();
  const char *line;
  size_t len;
  bool truncated;
  uint64_t bytes = 0;
  while (exh_lines_next(&lines, &line, &len, &truncated))
    bytes += len;
  /* (reads of another size stop elsewhere past a cap: no equality) */
  if (bytes > gz.max_out + sizeof buf)
    abort();
  exh_lines_free(&lines);
  exh_gz_end(&gz);
  return 0;
}
