/*
 * filescan.h - everything exhunt checks in one file, from one read.
 *
 * A filescan is one worker's private state: its YARA scanner, digest
 * contexts and read buffer, all reused from file to file so the hot path
 * allocates nothing. It reads the file once into its buffer (up to the
 * content limit), then hashes, runs YARA and the heuristics over the same
 * bytes, and checks name/path/hash IOCs. Findings go to the given sink.
 */
#ifndef EXH_FILESCAN_H
#define EXH_FILESCAN_H

#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_filescan exh_filescan;

typedef struct exh_fileinfo {
  const char *path; /* display path; also the YARA filepath */
  uint64_t size;    /* size the walker saw */
  int64_t mtime;
  uint32_t uid;
  uint64_t dev; /* identity the walker saw, to detect a swap before open */
  uint64_t ino;
  /* The root the walker listed it under and its path relative to the
   * root's descriptor (exh_evidence_rel): it is opened through them. NULL
   * root: a root is made for path alone (one file, tests). */
  struct exh_evidence_root *root;
  const char *rel;
} exh_fileinfo;

/* What happened to one file, for the statistics. */
typedef struct exh_fileresult {
  bool scanned;            /* content read and checked */
  bool skipped;            /* not examined at all */
  exhunt_skip_reason skip; /* when skipped, or CONTENT_SIZE when hashed only */
  bool content_skipped;    /* hashed but too large for content rules */
  bool noatime_refused;    /* O_NOATIME was not permitted */
  uint64_t bytes_read;
} exh_fileresult;

exhunt_err exh_filescan_new(const exhunt_rules *rules, uint64_t max_filesize, exh_filescan **out);

/* The user's caps (YARA timeout, findings per file; 0 fields keep the
 * defaults) and the run's shared pace (NULL: none). */
struct exh_pace;
void exh_filescan_configure(exh_filescan *fs, const exhunt_limits *limits, struct exh_pace *pace);
void exh_filescan_free(exh_filescan *fs);

/* Opens info->rel under info->root read-only (exh_open_evidence_at: a
 * file replaced since the walk is a "file-replaced" error, never read) and
 * scans it. Problems become notices. The
 * findings' matched bytes point into fs's read buffer: they stay valid
 * until the next call or exh_filescan_trim. */
void exh_filescan_path(exh_filescan *fs, const exh_fileinfo *info, const exhunt_sink *out,
                       exh_fileresult *res);

/* Frees the read buffer if a big file grew it past EXH_KEEP_BUFFER. Call it
 * once the findings of the last exh_filescan_path are delivered (a worker
 * that batches them and freed it earlier read them from freed memory:
 * every web shell between 4 and 32 MiB crashed the scan). */
void exh_filescan_trim(exh_filescan *fs);

/* Scans bytes already in memory. */
exhunt_err exh_filescan_buffer(exh_filescan *fs, const uint8_t *data, size_t len,
                               const exh_fileinfo *info, const exhunt_sink *out);

/* Loki/THOR-style file type name from magic bytes ("EXE", "ZIP", ...), or "". */
const char *exh_filetype(const uint8_t *data, size_t len);

#endif
