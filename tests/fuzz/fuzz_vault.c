/*
 * fuzz_vault.c - libFuzzer target: the quarantine vault's manifest parser
 * (lib/vault/vault.c). A vault may sit on a shared disk or be copied between
 * machines, so its manifest.jsonl is input like any other: every line is
 * bounded, a bad one is a note, and nothing it says may crash the reader.
 * The input is parsed whole, then without its last byte (a torn tail), and
 * the torn parse can never hold more entries than the whole one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vault/vault_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_notice(void *ctx, const exhunt_notice *n)
{
  size_t *count = ctx;
  if (!n->what || !n->reason)
    abort();
  (*count)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t notes = 0, whole = 0, torn = 0;
  exhunt_sink sink = {.ctx = &notes, .on_notice = on_notice};
  exhunt_err a = exh_vault_manifest_parse((const char *)data, size, &sink, &whole);
  exhunt_err b = exh_vault_manifest_parse((const char *)data, size ? size - 1 : 0, &sink, &torn);
  if ((a != EXHUNT_OK && a != EXHUNT_ENOMEM) || (b != EXHUNT_OK && b != EXHUNT_ENOMEM))
    abort();
  if (a == EXHUNT_OK && b == EXHUNT_OK && torn > whole)
    abort();
  return 0;
}
