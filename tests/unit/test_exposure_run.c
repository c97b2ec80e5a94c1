/*
 * test_exposure_run.c - the start of a public exposure run
 * (exh_exposure_run_begin, lib/exposure/remote.c): the caller's stats are
 * zeroed, or a local block stands in when it passed none, and the embedded
 * build database is loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "exposure/builddb.h"
#include "exposure/exposure.h"

static recorder rec;

static void test_callers_stats_zeroed(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exhunt_scan_stats mine, local;
  memset(&mine, 0xA5, sizeof mine);
  memset(&local, 0xA5, sizeof local);
  exhunt_scan_stats *stats = &mine;
  exh_builddb db;
  assert_int_equal(exh_exposure_run_begin(&db, &stats, &local, &sink), EXHUNT_OK);
  assert_ptr_equal(stats, &mine);
  assert_int_equal(mine.files_seen, 0);
  assert_int_equal(mine.errors, 0);
  assert_int_equal(local.files_seen, 0xA5A5A5A5A5A5A5A5ull); /* not touched */
  assert_true(db.n_builds > 0 && db.n_families > 0 && db.n_fixes > 0);
  assert_int_equal(rec.n_notices, 0); /* the embedded database has no bad line */
  exh_builddb_free(&db);
}

static void test_local_stands_in(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exhunt_scan_stats local;
  memset(&local, 0xA5, sizeof local);
  exhunt_scan_stats *stats = NULL;
  exh_builddb db;
  assert_int_equal(exh_exposure_run_begin(&db, &stats, &local, &sink), EXHUNT_OK);
  assert_ptr_equal(stats, &local);
  assert_int_equal(local.files_seen, 0);
  assert_int_equal(local.bytes_read, 0);
  assert_true(db.n_builds > 0);
  exh_builddb_free(&db);
}

TU_MAIN(NULL, test_callers_stats_zeroed, test_local_stands_in)
