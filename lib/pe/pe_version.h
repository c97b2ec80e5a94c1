/*
 * pe_version.h - reads the version resource (VS_VERSIONINFO) of a Windows
 * PE image held in memory.
 *
 * exhunt uses it to learn the Exchange build from ExSetup.exe in evidence.
 * The image is attacker-controlled: every offset, size and count is checked
 * against the span before use, recursion is bounded, and nothing is
 * allocated. The parser takes a byte span, never a path.
 */
#ifndef EXH_PE_VERSION_H
#define EXH_PE_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_pe_version {
  bool have_fixed;     /* VS_FIXEDFILEINFO found and signature valid */
  uint16_t file[4];    /* dwFileVersionMS/LS: major, minor, build, revision */
  uint16_t product[4]; /* dwProductVersionMS/LS */
  /* StringFileInfo values of the first string table, UTF-16 folded to
   * printable ASCII (others become '?'), NUL-terminated, "" if absent. */
  char file_version[64];      /* "FileVersion" */
  char product_version[64];   /* "ProductVersion" */
  char product_name[128];     /* "ProductName" */
  char original_filename[64]; /* "OriginalFilename" */
} exh_pe_version;

/*
 * Parses the PE image in data[0..len) and fills *out with its version
 * resource: resource type 16, its first name, that name's first language.
 * Returns EXHUNT_OK when a version resource was found and yielded the fixed
 * part, the string part or both (the other part is then zero / ""),
 * EXHUNT_EUNSUPPORTED when the span is not a PE image (no "MZ", no "PE"
 * signature, unknown optional header) or has no version resource,
 * EXHUNT_ECORRUPT when the headers, the resource tree or the version block
 * are malformed or cut short (a directory pointing back up the tree, counts
 * past the data, more than a few thousand entries, a version resource that
 * yields neither part), EXHUNT_EINVAL when out is NULL or data is NULL with
 * len > 0. On any error *out is all zero. A malformed String child ends the
 * string list without failing the parse: the values before it are kept.
 *
 * Never reads outside the span, never allocates, keeps no state: safe to
 * call from any number of threads at once. *out holds copies, owned by the
 * caller.
 */
exhunt_err exh_pe_version_parse(const uint8_t *data, size_t len, exh_pe_version *out);

#endif
