/*
 * builddb.h - the Exchange build database (rules/exchange/builds.tsv):
 * products, every CU and security update with its release date, and for
 * each CVE family the build that fixed it on each CU that got the fix.
 *
 * The file is embedded in the library and parsed on demand into an
 * immutable exh_builddb (a few hundred lines: microseconds), so nothing is
 * kept in global state. The parser is strict: a malformed line is reported
 * through the sink (what="builddb") with its line number and skipped.
 */
#ifndef EXH_BUILDDB_H
#define EXH_BUILDDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

#define EXH_DB_MAX_PRODUCTS 16u
#define EXH_DB_MAX_ENTRIES 4096u /* builds, families and fixes, each */
#define EXH_DB_MAX_CVES 16u

typedef enum exh_build_kind {
  EXH_BUILD_CU = 0, /* cumulative update (and RTM, and 2010 SP3) */
  EXH_BUILD_SU = 1, /* security update */
  EXH_BUILD_HU = 2, /* hotfix update */
  EXH_BUILD_RU = 3  /* Exchange 2010 update rollup */
} exh_build_kind;

typedef struct exh_db_product {
  char id[24];
  char name[64];
  int64_t end_of_support; /* EXHUNT_NO_TIME if none is set */
} exh_db_product;

typedef struct exh_db_build {
  exhunt_build build;
  unsigned product; /* index into products */
  exh_build_kind kind;
  char name[48]; /* "CU19", "CU19 Mar21SU", "SP3 RU32" */
  int64_t released;
} exh_db_build;

typedef struct exh_db_family {
  char id[32];
  char title[96];
  char cves[EXH_DB_MAX_CVES][20];
  size_t n_cves;
  exhunt_severity severity;
  char reference[192];
  int64_t exploited_since; /* first in-the-wild exploitation, or EXHUNT_NO_TIME */
} exh_db_family;

typedef struct exh_db_fix {
  unsigned family; /* index into families */
  exhunt_build build;
  char cves[EXH_DB_MAX_CVES][20]; /* subset; n_cves == 0 means all */
  size_t n_cves;
} exh_db_fix;

typedef struct exh_builddb {
  exh_db_product products[EXH_DB_MAX_PRODUCTS];
  size_t n_products;
  exh_db_build *builds; /* sorted ascending */
  size_t n_builds, cap_builds;
  exh_db_family *families;
  size_t n_families, cap_families;
  exh_db_fix *fixes;
  size_t n_fixes, cap_fixes;
} exh_builddb;

/* Parses database text. Bad lines are notes and skipped (EXHUNT_ECORRUPT
 * is returned after the whole text was read if there were any); ENOMEM
 * stops. Free with exh_builddb_free() in every case. */
exhunt_err exh_builddb_parse(exh_builddb *db, const char *text, size_t len,
                             const exhunt_sink *sink);
/* The embedded database. */
exhunt_err exh_builddb_load(exh_builddb *db, const exhunt_sink *sink);
void exh_builddb_free(exh_builddb *db);

/* The database entry for exactly this build, or NULL. */
const exh_db_build *exh_builddb_find(const exh_builddb *db, const exhunt_build *b);
/* The CU a build belongs to (same major.minor.build, kind cu), or NULL. */
const exh_db_build *exh_builddb_cu_of(const exh_builddb *db, const exhunt_build *b);

#endif
