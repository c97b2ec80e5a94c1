/*
 * ioc.h - indicator lists: file hashes, file names and path globs.
 *
 * Loaded from exhunt's TSV format (docs/iocs.md), from the embedded default
 * pack or a user file, always from a text span. After exh_iocs_finish() the
 * set is immutable and lookups are thread-safe: hashes by binary search,
 * names by binary search on the lower-cased basename, paths by glob over the
 * normalised path (backslashes as '/', lower case) because Windows evidence
 * copied to Linux keeps its names but not a consistent case.
 */
#ifndef EXH_IOC_H
#define EXH_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef enum exh_ioc_type {
  EXH_IOC_SHA256 = 0,
  EXH_IOC_SHA1,
  EXH_IOC_MD5,
  EXH_IOC_FILENAME,
  EXH_IOC_PATH,
  EXH_IOC_PATH_OK,
  EXH_IOC_TYPE_COUNT
} exh_ioc_type;

typedef struct exh_ioc {
  exh_ioc_type type;
  exhunt_severity severity;
  uint8_t hash[32]; /* for hash types, first 16/20/32 bytes used */
  char *value;      /* lower-cased name or glob; NULL for hashes */
  char *title;
  char *source;
  char *reference; /* NULL if '-' */
  char *list;      /* list name given at load time */
  size_t order;    /* load order, for "first source wins" on duplicates */
  size_t tail_len; /* globs: length of the literal text after the last
                      wildcard, which a matching path must end with */
} exh_ioc;

typedef struct exh_iocs {
  exh_ioc *items[EXH_IOC_TYPE_COUNT];
  size_t count[EXH_IOC_TYPE_COUNT];
  size_t cap[EXH_IOC_TYPE_COUNT];
} exh_iocs;

void exh_iocs_init(exh_iocs *set);
void exh_iocs_free(exh_iocs *set);

/* Parses TSV text. Malformed lines go to the sink as notes (with line number)
 * and are skipped; *n_bad counts them. Returns ENOMEM only. */
exhunt_err exh_iocs_parse(exh_iocs *set, const char *list_name, const char *text, size_t len,
                          const exhunt_sink *sink, size_t *n_bad);

/* Sorts for lookup and drops duplicates. */
void exh_iocs_finish(exh_iocs *set);

const exh_ioc *exh_iocs_find_hash(const exh_iocs *set, exh_ioc_type type, const uint8_t *digest);
const exh_ioc *exh_iocs_find_name(const exh_iocs *set, const char *lower_basename);

/* Normalises `path` into `out` (lower case, '\' -> '/'). out_size >= strlen+1. */
void exh_path_normalise(const char *path, char *out, size_t out_size);

/* Calls fn for each path glob matching the normalised path, unless a path-ok
 * glob matches it. Returns the number of matches. */
size_t exh_iocs_match_path(const exh_iocs *set, const char *norm_path,
                           void (*fn)(void *ctx, const exh_ioc *ioc), void *ctx);

#endif
