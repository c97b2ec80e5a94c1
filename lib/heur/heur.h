/*
 * heur.h - built-in web-shell heuristics for ASP.NET and classic ASP.
 *
 * These run on the bytes of one file (a span; the name only picks the
 * reading and the severity ceiling, nothing is opened), after YARA, on
 * every file whose content looks like script or text. They catch what
 * static signatures miss: request data flowing into an execution sink, OAB
 * virtual-directory dumps carrying a server-side script, decode-then-execute
 * obfuscation, and entropy far outside the normal range for the extension.
 * A file IIS would not run never gets high or critical from them
 * (exh_heur_ceiling).
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
 * Scans `data` and writes up to `max_hits` hits. `name` is the file's name
 * or path (NULL or "" when unknown); a bare extension (".aspx") works too,
 * as it is the name of a dot-file. Its extension, as exh_webfile_ext()
 * reads it (case ignored, Windows' trailing dots and "::$DATA" removed),
 * decides how the bytes are read, and every hit is capped at
 * exh_heur_ceiling(name, data, len). Returns the number of hits written.
 * Several hits may share a rule id (one per piece of evidence); callers
 * group them by rule.
 */
size_t exh_heur_scan(const uint8_t *data, size_t len, const char *name, exh_heur_hit *hits,
                     size_t max_hits);

/*
 * The most severe a heuristic hit may be in a file called `name` holding
 * `data`. These heuristics read ASP and ASP.NET, so how much a hit means
 * depends on whether IIS would run the file (lib/core/webfile.h):
 *
 *   a name IIS runs (.aspx .asp .ashx ...)                 critical (no cap)
 *   any other name whose content has server markers
 *     unknown, none, .inc .config .cs .bak ...             critical (no cap)
 *     another language, a document, static content         medium
 *   no server markers
 *     unknown, none, .inc .config .cs .bak ...             medium
 *     another language (.py .pl .sh .rb .php ...),
 *     a document or static content (.txt .md .pod .html)   low
 *
 * A file IIS would not run is at most a web shell waiting to be renamed
 * or included; code of another language matching ASP patterns is mostly
 * the lexer reading the wrong language (Python's `eval(request)`). Still
 * reported, never high. Reads `data` only when the name does not settle it.
 */
exhunt_severity exh_heur_ceiling(const char *name, const uint8_t *data, size_t len);

/* Shannon entropy of `data` in bits per byte (0..8). Exposed for tests. */
double exh_heur_entropy(const uint8_t *data, size_t len);

#endif
