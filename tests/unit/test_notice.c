/*
 * test_notice.c - the notice for a refused line of a data file
 * (lib/core/notice.c): its kind, code, what, file and reason, the reason
 * cut to its buffer, and silence without a notice callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/notice.h"

static recorder rec;

static void test_reason_and_fields(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exh_notice_bad_line(&sink, "ioc-line", "lists/x.csv", 42, "bad hash", "ignored");
  assert_int_equal(rec.n_notices, 1);
  const rec_notice *n = &rec.notices[0];
  assert_int_equal(n->kind, EXHUNT_NOTICE_ERROR);
  assert_int_equal(n->code, EXHUNT_ECORRUPT);
  assert_string_equal(n->what, "ioc-line");
  assert_string_equal(n->path, "lists/x.csv");
  assert_string_equal(n->reason, "line 42: bad hash; line ignored");
  exh_notice_bad_line(&sink, "builddb", "builds.tsv", 0, "fix x for y is not a build line",
                      "left out");
  assert_int_equal(rec.n_notices, 2);
  assert_string_equal(rec.notices[1].reason,
                      "line 0: fix x for y is not a build line; line left out");
}

/* The reason is cut to 255 bytes; no callback, or no sink, hears nothing. */
static void test_cut_and_silent(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  char why[400];
  memset(why, 'w', sizeof why - 1);
  why[sizeof why - 1] = '\0';
  exh_notice_bad_line(&sink, "builddb", "builds.tsv", 7, why, "left out");
  assert_int_equal(rec.n_notices, 1);
  assert_int_equal(strlen(rec.notices[0].reason), 255);
  assert_memory_equal(rec.notices[0].reason, "line 7: www", 11);
  sink.on_notice = NULL;
  exh_notice_bad_line(&sink, "ioc-line", "x", 1, "why", "ignored");
  exh_notice_bad_line(NULL, "ioc-line", "x", 1, "why", "ignored");
  assert_int_equal(rec.n_notices, 1);
}

TU_MAIN(NULL, test_reason_and_fields, test_cut_and_silent)
