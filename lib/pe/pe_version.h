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
  bool have_fixed;      /* VS_FIXEDFILEINFO found and signature valid */
  uint16_t file[4];     /* dwFileVersionMS/LS: major, minor, build, revision */
  uint16_t product[4];  /* dwProductVersionMS/LS */
  /* StringFileInfo values of the first string table, UTF-16 folded to
   * printable ASCII (others become '?'), NUL-terminated, "" if absent. */
  char file_version[64];    /* "FileVersion" */
  char product_version[64]; /* "ProductVersion" */
  char product_name[128];   /* "ProductName" */
  char original_filename[64]; /* "OriginalFilename" */
} exh_pe_version;

/*
 * Parses the PE image in data[0..len) and fills *out with its version
 * resource. Returns EXHUNT_OK when a version resource was found (fixed part,
 * string part or both), EXHUNT_EUNSUPPORTED when the span is not a PE image
 * or has no version resource, EXHUNT_ECORRUPT when the headers or resource
 * tree are malformed. Never reads outside the span, never allocates.
 */
exhunt_err exh_pe_version_parse(const uint8_t *data, size_t len, exh_pe_version *out);

#endif
