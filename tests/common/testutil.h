/*
 * testutil.h - helpers shared by the unit tests (tests/common/testutil.c):
 * a sink that records what it is told (the typed part of each finding
 * copied by its kind) and questions about what it recorded; temporary
 * trees, paths in them, folders and files; the default rules; and the
 * fixture most binaries run under (a fresh temporary root and a cleared
 * recorder per test, the default rules compiled once per run), with the
 * main() that runs the tests.
 *
 * The helpers fail the calling test through cmocka where a step the test
 * relies on cannot be done (a folder not made, a file not written).
 */
#ifndef EXH_TESTUTIL_H
#define EXH_TESTUTIL_H

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exhunt/exhunt.h"

#define REC_MAX 512

typedef struct rec_finding {
  char rule[160];
  char path[512];
  char source[64];
  char license[64];
  char author[128];
  char category[32];
  exhunt_severity severity;
  exhunt_finding_kind kind;
  bool have_sha256;
  size_t n_matches;
  uint64_t line;           /* log findings */
  exhunt_attack_step step; /* log findings */
} rec_finding;

typedef struct rec_notice {
  exhunt_notice_kind kind;
  exhunt_err code;
  char what[64];
  char path[512];
  char reason[512];
} rec_notice;

/* What a sink was told, up to REC_MAX findings and REC_MAX notices (more
 * are dropped). Clear it with memset before reuse. */
typedef struct recorder {
  rec_finding findings[REC_MAX];
  size_t n_findings;
  rec_notice notices[REC_MAX];
  size_t n_notices;
} recorder;

/* Sink callbacks that take what they are told and do nothing with it. */
void tu_ignore_finding(void *ctx, const exhunt_finding *f);
void tu_ignore_notice(void *ctx, const exhunt_notice *n);
void tu_ignore_coverage(void *ctx, const exhunt_coverage *c);

/* Copies src (NULL: "") into dst, cut to cap - 1 bytes. */
void rec_copy(char *dst, size_t cap, const char *src);
/* A sink that records into r (findings and notices; no coverage). */
exhunt_sink rec_sink(recorder *r);
/* Number of notices with this tag. */
size_t rec_count_what(const recorder *r, const char *what);
/* Number of notices with this tag and kind. */
size_t rec_count_notice(const recorder *r, const char *what, exhunt_notice_kind kind);
/* Number of findings whose path ends with `suffix`. */
size_t rec_count_path(const recorder *r, const char *suffix);
/* Number of findings of this rule. */
size_t rec_count_rule(const recorder *r, const char *rule);
/* Number of findings of this rule whose path ends with `suffix`. */
size_t rec_count_rule_at(const recorder *r, const char *rule, const char *suffix);
/* For each (rule, count) pair, NULL-ended, checks the number of findings
 * of that rule; the test fails naming every rule counted wrong. */
void rec_expect_rules(const recorder *r, const char *rule, int count, ...);
/* Whether a finding names exactly this path. */
bool rec_found(const recorder *r, const char *path);
/* The first notice with this tag, or NULL. */
const rec_notice *rec_notice_of(const recorder *r, const char *what);
/* The first notice with this tag; the test fails without one. */
const rec_notice *rec_must_notice(const recorder *r, const char *what);
/* Fails the test when r holds a notice, printing each. */
void rec_assert_no_notices(const recorder *r);

/* ---------------------------------------------------------------------- */
/* Tables.                                                                 */

/* A table row: an input text and the value wanted for it. */
typedef struct tu_case {
  const char *in;
  long long want;
} tu_case;

/* Checks fn(in) == want on every row, printing each wrong row with its
 * index; the test fails when a row was wrong. `what` names fn. */
void tu_check_cases(const char *what, const tu_case *cases, size_t n,
                    long long (*fn)(const char *));
#define TU_CHECK_CASES(cases, fn) tu_check_cases(#fn, cases, sizeof cases / sizeof *cases, fn)

/* ---------------------------------------------------------------------- */
/* Files and temporary trees.                                              */

/* Writes len bytes to path (created or truncated); aborts on failure. */
void write_file(const char *path, const void *data, size_t len);
/* Writes a NUL-terminated text to path. */
void tu_put(const char *path, const char *text);
/* Reads at most cap - 1 bytes of path into buf, NUL-terminated; returns
 * how many were read. The test fails when the file cannot be opened. */
size_t tu_read(const char *path, char *buf, size_t cap);
/* The test fails unless path holds exactly `want` (under 4 KiB). */
void tu_assert_content(const char *path, const char *want);
/* mkdir -p path (mode 0755); the test fails when a folder cannot be made. */
void tu_mkdirs(const char *path);
/* dir/rel in one of 8 rotating buffers (valid until 8 more calls). */
const char *tu_path(const char *dir, const char *rel);
/* Makes a fresh folder /tmp/exhunt-TAG-XXXXXX into dir (on Windows, under
 * the temporary folder, with '/' separators); 0 or -1. */
int tu_tmpdir(char *dir, size_t cap, const char *tag);
/* Removes dir and all below it, unreadable folders included; 0 or -1. */
int tu_rmtree(const char *dir);

/* Seconds on the monotonic clock (TU_WALL) or of the process's CPU time
 * (TU_CPU), from the platform seam's clocks. */
typedef enum tu_clock { TU_WALL, TU_CPU } tu_clock;
double tu_seconds(tu_clock clk);

/* The default rule pack, compiled (notices to sink, which may be NULL);
 * *out is NULL on error. */
exhunt_err tu_default_rules(exhunt_rules **out, const exhunt_sink *sink);
/* Rules as a user gives them: the default pack when with_default, then a
 * YARA text (user.yar) and an IOC table (user.tsv), either may be NULL,
 * compiled; the first error, *out NULL on error. */
exhunt_err tu_user_rules(exhunt_rules **out, bool with_default, const char *yara, const char *iocs,
                         const exhunt_sink *sink);
/* Scans CHOPPER as /x/aspnet_client/supp0rt.aspx with r. */
exhunt_err tu_scan_chopper(const exhunt_rules *r, const exhunt_sink *sink);

/* ---------------------------------------------------------------------- */
/* The fixture and main().                                                 */

/* What each test of a binary runs in. */
typedef enum tu_each {
  TU_PLAIN = 0, /* nothing around the test (or the fixture's setup/teardown) */
  TU_REC,       /* the recorder cleared first */
  TU_ROOT       /* the recorder cleared and a fresh temporary root, removed after */
} tu_each;

/* A binary's fixture, one static `fx` per test file. With TU_ROOT, each
 * test gets `root` as a fresh folder /tmp/exhunt-TAG-XXXXXX (removed after
 * the test, whatever it left) and *rec, when set, cleared; `prepare`, when
 * set, then lays what every test of the file starts from (nonzero fails
 * the test). With TU_REC, *rec is cleared. With TU_PLAIN, setup and
 * teardown, when set, run around each test (cmocka's per-test fixture;
 * *state is the fixture until setup changes it). With default_rules,
 * TU_MAIN compiles the default rules into `rules` for the whole run; it
 * runs group_setup and group_teardown, when set, around the tests. */
typedef struct tu_fixture {
  tu_each each;
  const char *tag;
  recorder *rec;
  bool default_rules;
  exhunt_rules *rules;
  char root[256];
  int (*prepare)(void);
  CMFixtureFunction setup, teardown;
  CMFixtureFunction group_setup, group_teardown;
} tu_fixture;

/* The running test's fixture, for the per-test setup. */
int tu_root_setup(void **state);
int tu_root_teardown(void **state);
int tu_rec_setup(void **state);
/* rel below the running test's root (tu_path's buffers). */
const char *tu_at(const char *rel);

/* Runs the n test functions, named by `names` (their names as written,
 * separated by commas), as one group under fx (NULL: TU_PLAIN, no
 * fixture); the number of tests that failed, or -1 when the rules could
 * not be compiled. */
int tu_run(const CMUnitTestFunction *fns, size_t n, const char *names, tu_fixture *fx);

/* main() of a test binary: each test function named once, all run as
 * fx says (NULL: plain). */
#define TU_MAIN(fixture, ...)                                                                      \
  int main(void)                                                                                   \
  {                                                                                                \
    static const CMUnitTestFunction fns[] = {__VA_ARGS__};                                         \
    return tu_run(fns, sizeof fns / sizeof *fns, #__VA_ARGS__, fixture);                           \
  }

/* A China Chopper one-liner, the canonical HAFNIUM web shell. */
#define CHOPPER "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>"

#endif
