/*
 * exposure.h - internals shared by the exposure engine's files: the
 * per-family verdict (assess.c), used by evidence.c and probe glue, and
 * unit-tested directly against small databases.
 */
#ifndef EXH_EXPOSURE_H
#define EXH_EXPOSURE_H

#include "exposure/builddb.h"
#include "platform/fs.h"

typedef struct exh_verdict {
  const char *status; /* "vulnerable", "patched", "unknown" (static) */
  exhunt_severity severity;
  const char *cves[EXH_DB_MAX_CVES]; /* point into the database */
  size_t n_cves;
  char fixed_in[EXHUNT_BUILD_STRLEN]; /* "" when none applies */
  char fixed_name[48];
  char reason[384];
} exh_verdict;

void exh_exposure_verdict(const exh_builddb *db, const exhunt_build *b, size_t family,
                          exh_verdict *v);
/* "supported" or why not, for the CU (or 2010 rollup) entry `cu`. */
void exh_exposure_support(const exh_builddb *db, const exh_db_build *cu, bool rollup_line,
                          int64_t now, char *out, size_t cap);
/* exhunt_exposure_assess over an already loaded database. */
exhunt_err exh_exposure_assess_db(const exh_builddb *db, const exhunt_build *build,
                                  const exhunt_exposure_ctx *ctx, const exhunt_sink *sink);

/* The start of a public exposure run (exhunt_exposure_paths,
 * exhunt_probe_targets): *stats zeroed, or *local when the caller passed
 * no stats (*stats then points at it), and the embedded build database
 * loaded into db. A database line that was refused has been reported and
 * is left out, which does not stop the run; ENOMEM and ENOENT do. Free db
 * with exh_builddb_free in every case. */
exhunt_err exh_exposure_run_begin(exh_builddb *db, exhunt_scan_stats **stats,
                                  exhunt_scan_stats *local, const exhunt_sink *sink);

/* The build in one file already in memory (tests, fuzzers): what the walk
 * does for a file of that name, then its build and verdicts, or no-build. */
exhunt_err exh_exposure_buffer(const char *path, const uint8_t *data, size_t len, int64_t mtime,
                               int64_t now, const exhunt_sink *sink);

/* One server's builds, fed file by file by a walk the caller runs (exhunt
 * hunt walks once for every engine). Not thread-safe: one feeder. */
typedef struct exh_exposure_server exh_exposure_server;
exhunt_err exh_exposure_server_new(const exhunt_sink *sink, exhunt_scan_stats *stats,
                                   exh_exposure_server **out);
/* Would this file be examined (a log, ExSetup.exe, a text dump)? */
bool exh_exposure_wants(const char *path);
/* Examines one file listed by a walk of `root` (the string the walk was
 * given; path starts with it) with the stat the walk saw: opened through
 * the root (held by s between calls) and only if it is still that file
 * (exh_open_evidence_at). ENOMEM stops. */
exhunt_err exh_exposure_server_file_st(exh_exposure_server *s, const char *root, const char *path,
                                       const exh_stat *st);
/* The build history and the verdicts for the newest, or no-build. */
exhunt_err exh_exposure_server_report(exh_exposure_server *s, const exh_builddb *db,
                                      const char *root, int64_t now);
void exh_exposure_server_free(exh_exposure_server *s);

#endif
