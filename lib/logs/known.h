/*
 * known.h - the log engine for files another walk already listed: a
 * documented internal face of the log engine (lib/hunt may include it),
 * and exh_logs_buffer_opts for tests and fuzzers.
 *
 * exhunt hunt walks its root once (the scan's walker, with a tap) and hands
 * the logs it collected to the log engine. Reopening each by its path
 * would read whatever stands there by then (a folder swapped for a symlink
 * to outside the evidence); so the hunt passes each log with the identity
 * its walk saw, and the engine opens it through the root with
 * exh_open_evidence_at: a file replaced since is a "file-replaced" error,
 * never read.
 */
#ifndef EXH_LOGS_KNOWN_H
#define EXH_LOGS_KNOWN_H

#include <stdint.h>

#include "exhunt/exhunt.h"

/* One log as the walk listed it (the exh_stat the tap was given). */
typedef struct exh_logs_known {
  const char *path; /* as the walk of its root gave it (starts with the root) */
  uint64_t dev;
  uint64_t ino;
  uint64_t size; /* orders the work, largest first */
  size_t root;   /* the index of that root in the roots given */
} exh_logs_known;

/* exhunt_logs_paths over files already listed under `roots` (the same
 * strings the walk was given; one server may be made of several trees):
 * no walk, each file opened through its root and checked against its
 * dev/ino. Each root is opened once, when its first file comes; one that
 * cannot be is an error notice and its files are not read.
 * opts->paths_collected is implied (no not-a-log note per file). The
 * caller keeps `files` and the strings until the call returns. Same
 * returns and statistics as exhunt_logs_paths (files_seen counts the files
 * read). */
exhunt_err exh_logs_paths_known(const char *const *roots, size_t n_roots,
                                const exh_logs_known *files, size_t n_files,
                                const exhunt_logs_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats);

/* exhunt_logs_buffer with options (the shell URLs of a hunt, limits):
 * tests and fuzzers reach those paths through it. */
exhunt_err exh_logs_buffer_opts(const char *path, const uint8_t *data, size_t len,
                                const exhunt_logs_opts *opts, const exhunt_sink *sink);

#endif
