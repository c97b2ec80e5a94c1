/*
 * fuzz_probe.c - libFuzzer target: the three build extractors of exhunt probe
 * (lib/probe/fingerprint.c). The first byte picks the extractor (0: the
 * X-OWA-Version header, 1: the logon page, 2: the exporttool manifest) and
 * the output size (so short buffers are fuzzed too); the rest is the input,
 * passed with its exact length and no NUL after it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_build(const char *out, size_t out_size)
{
  /* A found build is NUL-terminated inside out, digits and 2 or 3 dots. */
  const char *nul = memchr(out, '\0', out_size);
  if (!nul)
    __builtin_trap();
  size_t len = (size_t)(nul - out);
  size_t dots = 0;
  for (size_t i = 0; i < len; i++) {
    if (out[i] == '.')
      dots++;
    else if (out[i] < '0' || out[i] > '9')
      __builtin_trap();
  }
  if (dots != 2 && dots != 3)
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  static const size_t out_sizes[] = {32, 1, 6, 12, 24};
  size_t out_size = out_sizes[(data[0] / 3) % (sizeof out_sizes / sizeof out_sizes[0])];
  char out[32];
  memset(out, 'x', sizeof out);
  const char *in = (const char *)data + 1;
  size_t len = size - 1;
  bool found;
  switch (data[0] % 3) {
  case 0:
    found = exh_probe_build_from_header(in, len, out, out_size);
    break;
  case 1:
    found = exh_probe_build_from_logon(in, len, out, out_size);
    break;
  default:
    found = exh_probe_build_from_exporttool(in, len, out, out_size);
    break;
  }
  if (found)
    check_build(out, out_size);
  return 0;
}
