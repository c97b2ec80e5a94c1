/*
 * fuzz_pe.c - libFuzzer target: the PE version-resource parser
 * (lib/pe/pe_version.c) on arbitrary bytes. Beyond memory safety it checks
 * the contract: every string NUL-terminated, all fields zero after an error.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pe/pe_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exh_pe_version v;
  exhunt_err rc = exh_pe_version_parse(data, size, &v);
  if (rc != EXHUNT_OK && rc != EXHUNT_ECORRUPT && rc != EXHUNT_EUNSUPPORTED)
    __builtin_trap();
  if (!memchr(v.file_version, 0, sizeof v.file_version) ||
      !memchr(v.product_version, 0, sizeof v.product_version) ||
      !memchr(v.product_name, 0, sizeof v.product_name) ||
      !memchr(v.original_filename, 0, sizeof v.original_filename))
    __builtin_trap();
  if (rc != EXHUNT_OK) {
    static const exh_pe_version zero;
    if (memcmp(&v, &zero, sizeof v) != 0)
      __builtin_trap();
  }
  return 0;
}
