/*
 * heur.h - built-in web-shell heuristics for ASP.NET and classic ASP.
 *
 * These run on the bytes of one file (a span, never a path), after YARA, on
 * every file whose content looks like script or text. They catch what static
 * signatures miss: request data flowing into an execution sink, OAB
 * virtual-directory dumps carrying a server-side script, decode-then-execute
 * obfuscation, and entropy far outside the normal range for the extension.
 *
 * Contract: linear time in `len`, no allocation, no global state, safe on
 * any bytes (NULs, invalid UTF-8, truncated markup). Thread-safe.
 */
#ifndef EXH_HEUR_H
#define EXH_HEUR_H

#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_heur_hit {
  const char *rule;  /* stable id, static storage: "exhunt.heur.request_exec" */
  const char *title; /* static storage */
  const char *tag;   /* evidence identifier, static storage: "sink", "source" */
  exhunt_severity severity;
  uint64_t offset; /* evidence span inside the input */
  size_t len;
} exh_heur_hit;

#define EXH_HEUR_MAX_HITS 16u

/*
 * Scans `data` and writes up to `max_hits` hits. `ext` is the file's
 * extension, lower-case with the dot (".aspx"), or "" if none. Returns the
 * number of hits written. Several hits may share a rule id (one per piece of
 * evidence); callers group them by rule.
 */
size_t exh_heur_scan(const uint8_t *data, size_t len, const char *ext, exh_heur_hit *hits,
                     size_t max_hits);

/* Shannon entropy of `data` in bits per byte (0..8). Exposed for tests. */
double exh_heur_entropy(const uint8_t *data, size_t len);

#endif
