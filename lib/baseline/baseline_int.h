/*
 * baseline_int.h - internals of lib/baseline shared with tests: the
 * web-folder and script-extension tests that decide which new or changed
 * file is a high finding, and the record table.
 */
#ifndef EXH_BASELINE_INT_H
#define EXH_BASELINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/baseline.h"

/* One file of the baseline. `key` is the root's name, a NUL, then the path
 * relative to that root (key_len counts both and the NUL). */
typedef struct exh_bl_entry {
  uint64_t size;
  int64_t mtime;
  uint32_t mode; /* permission bits (07777) */
  bool seen;     /* met by the diff walk */
  uint8_t sha256[32];
  size_t key_len;
  size_t root_len;
  char key[];
} exh_bl_entry;

/* True if the extension of `path` is a server-side script IIS would run. */
bool exh_bl_is_script(const char *path);

/* True if `path` lies in a web folder: inetpub/wwwroot, FrontEnd/HttpProxy,
 * ClientAccess, or one of `extra` (case-insensitive substrings). */
bool exh_bl_in_web_dir(const char *path, const char *const *extra, size_t n_extra);

#endif
