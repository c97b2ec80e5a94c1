/*
 * test_exposure.c - Exchange builds against CVE families: build parsing,
 * the verdict rule at every CU boundary of the ProxyLogon, ProxyShell,
 * ProxyNotShell and OWASSRF fixes, support status, the build database
 * loader on broken input, and builds found in evidence.
 *
 * The expected verdicts in the table are facts from Microsoft's build
 * list (learn.microsoft.com "Exchange Server build numbers and release
 * dates") written here by hand, so they check the database as well as the
 * code. The sweep tests derive their cases from the database instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "exposure/builddb.h"
#include "exposure/exposure.h"

static exh_builddb db;
static recorder rec;

/* 2021-03-01, 2021-07-01, 2026-11-01 */
#define T_2021_03 1614556800
#define T_2021_07 1625097600
#define T_2026_11 1793491200

static int setup(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exh_builddb_load(&db, &sink), EXHUNT_OK);
  assert_int_equal(rec.n_notices, 0);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  exh_builddb_free(&db);
  return 0;
}

static exhunt_build B(const char *s)
{
  exhunt_build b;
  assert_int_equal(exhunt_build_parse(s, strlen(s), &b), EXHUNT_OK);
  return b;
}

static size_t family(const char *id)
{
  for (size_t i = 0; i < db.n_families; i++)
    if (strcmp(db.families[i].id, id) == 0)
      return i;
  fail_msg("no family %s in the database", id);
  return 0;
}

/* ---------------------------------------------------------------------- */

static void test_build_parse_forms(void **state)
{
  (void)state;
  char out[EXHUNT_BUILD_STRLEN];
  static const struct {
    const char *in, *norm;
  } ok[] = {
      {"15.1.2176.4", "15.1.2176.4"},
      {"15.01.2176.004", "15.1.2176.4"},
      {"Version 15.1 (Build 2176.4)", "15.1.2176.4"},
      {"  version 15.2 (build 1118.7)\r\n", "15.2.1118.7"},
      {"Version 15.0 (Build 1497.2)", "15.0.1497.2"},
      {"15.1.2176", "15.1.2176"},
      {"14.3.513.0", "14.3.513.0"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    exhunt_build b;
    assert_int_equal(exhunt_build_parse(ok[i].in, strlen(ok[i].in), &b), EXHUNT_OK);
    exhunt_build_format(&b, out);
    assert_string_equal(out, ok[i].norm);
  }
  static const char *const bad[] = {"",
                                    "15",
                                    "15.1",
                                    "15.1.2176.4.1",
                                    "15.1.99999.1",
                                    "15.1.2176.65536",
                                    "15.1.2176.",
                                    "Version 15.1 (Build 2176.4",
                                    "Version 15.1 Build 2176.4)",
                                    "15,1,2176,4",
                                    "15.1.2176.4x",
                                    "0000015.1.2176.4"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    exhunt_build b;
    assert_int_equal(exhunt_build_parse(bad[i], strlen(bad[i]), &b), EXHUNT_EINVAL);
  }
  /* Not NUL-terminated: only len bytes are read. */
  exhunt_build b;
  assert_int_equal(exhunt_build_parse("15.1.2176.49999", 11, &b), EXHUNT_OK);
  assert_int_equal(b.revision, 4);
  /* A 3-part build orders as its CU's lowest. */
  exhunt_build three = B("15.1.2176"), rtm = B("15.1.2176.2"), zero = B("15.1.2176.0");
  assert_true(exhunt_build_compare(&three, &rtm) < 0);
  assert_int_equal(exhunt_build_compare(&three, &zero), 0);
}

/* ---------------------------------------------------------------------- */
/* Verdicts: hand-written facts.                                           */

/* The facts are rows of tests/data/exposure/verdicts.tsv: build, family,
 * status, fixed_in ("-": none). */
#define VERDICTS EXHUNT_SOURCE_DIR "/tests/data/exposure/verdicts.tsv"

static void test_verdict_table(void **state)
{
  (void)state;
  static char text[16384];
  assert_true(tu_read(VERDICTS, text, sizeof text) < sizeof text - 1);
  size_t rows = 0, lineno = 0;
  for (char *line = text; *line;) {
    char *end = line + strcspn(line, "\n");
    char *next = *end ? end + 1 : end;
    *end = '\0';
    lineno++;
    if (!line[0] || line[0] == '#') {
      line = next;
      continue;
    }
    char *f[4];
    size_t n = 0;
    for (char *p = line; p && n < 4; n++) {
      f[n] = p;
      p = strchr(p, '\t');
      if (p)
        *p++ = '\0';
    }
    if (n != 4)
      fail_msg("verdicts.tsv:%zu: want 4 fields, not %zu", lineno, n);
    const char *build = f[0], *fam = f[1], *status = f[2];
    const char *fixed_in = strcmp(f[3], "-") == 0 ? "" : f[3];
    exhunt_build b = B(build);
    exh_verdict v;
    exh_exposure_verdict(&db, &b, family(fam), &v);
    if (strcmp(v.status, status) != 0 || strcmp(v.fixed_in, fixed_in))
      fail_msg("verdicts.tsv:%zu: %s %s: got %s (fixed_in '%s'), want %s ('%s'): %s", lineno, build,
               fam, v.status, v.fixed_in, status, fixed_in, v.reason);
    assert_true(v.reason[0] != '\0');
    if (strcmp(v.status, "vulnerable") == 0)
      assert_true(v.severity >= EXHUNT_SEV_HIGH);
    else if (strcmp(v.status, "patched") == 0)
      assert_int_equal(v.severity, EXHUNT_SEV_INFO);
    else
      assert_int_equal(v.severity, EXHUNT_SEV_LOW);
    rows++;
    line = next;
  }
  assert_int_equal(rows, 55); /* every fact was read */
}

static void test_exploitation_dates(void **state)
{
  (void)state;
  assert_int_equal(db.families[family("proxylogon")].exploited_since, 1609632000);
  assert_int_equal(db.families[family("proxynotshell")].exploited_since, 1659312000);
  assert_int_equal(db.families[family("jan23su-eop")].exploited_since, EXHUNT_NO_TIME);
}

static void test_exchange_2010_only_26857(void **state)
{
  (void)state;
  exhunt_build b = B("14.3.496.0");
  exh_verdict v;
  exh_exposure_verdict(&db, &b, family("proxylogon"), &v);
  assert_int_equal(v.n_cves, 1);
  assert_string_equal(v.cves[0], "CVE-2021-26857");
  b = B("15.1.2176.2");
  exh_exposure_verdict(&db, &b, family("proxylogon"), &v);
  assert_int_equal(v.n_cves, 4);
}

/* ---------------------------------------------------------------------- */
/* Verdicts: swept over the database. For every fix line of the families  */
/* the issue names, the fixing build is patched, every older build of the */
/* same CU is vulnerable, and every newer one patched.                    */

static void test_every_cu_boundary(void **state)
{
  (void)state;
  static const char *const fams[] = {"proxylogon", "proxyshell", "proxyshell-31207",
                                     "proxynotshell", "owassrf"};
  size_t checked = 0;
  for (size_t f = 0; f < sizeof fams / sizeof *fams; f++) {
    size_t fam = family(fams[f]);
    size_t lines = 0;
    for (size_t i = 0; i < db.n_fixes; i++) {
      const exh_db_fix *x = &db.fixes[i];
      if (x->family != fam)
        continue;
      lines++;
      const exh_db_build *fe = exh_builddb_find(&db, &x->build);
      assert_non_null(fe);
      for (size_t k = 0; k < db.n_builds; k++) {
        const exh_db_build *e = &db.builds[k];
        if (e->product != fe->product || e->build.major != x->build.major ||
            e->build.minor != x->build.minor)
          continue;
        /* 2010 has one line of rollups; later versions compare within
         * the CU. */
        bool rollups = x->build.major == 14;
        if (!rollups && e->build.build != x->build.build)
          continue;
        exh_verdict v;
        exh_exposure_verdict(&db, &e->build, fam, &v);
        int c = exhunt_build_compare(&e->build, &x->build);
        const char *want = c < 0 ? "vulnerable" : "patched";
        if (strcmp(v.status, want) != 0) {
          char bs[EXHUNT_BUILD_STRLEN];
          exhunt_build_format(&e->build, bs);
          fail_msg("%s %s (%s): %s, want %s: %s", fams[f], bs, e->name, v.status, want, v.reason);
        }
        checked++;
      }
    }
    assert_true(lines >= 5); /* every family has fixes on several CUs */
  }
  assert_true(checked > 100);
}

/* Every CU of 2013-2019 older than the newest one that got a family's fix,
 * and without a fix of its own, is vulnerable ("never received"); every
 * newer CU is patched. */
static void test_cus_without_the_fix(void **state)
{
  (void)state;
  static const char *const fams[] = {"proxylogon", "proxyshell", "proxynotshell", "owassrf"};
  for (size_t f = 0; f < sizeof fams / sizeof *fams; f++) {
    size_t fam = family(fams[f]);
    for (size_t k = 0; k < db.n_builds; k++) {
      const exh_db_build *cu = &db.builds[k];
      if (cu->kind != EXH_BUILD_CU || cu->build.major != 15)
        continue;
      bool own = false;
      uint16_t newest = 0;
      for (size_t i = 0; i < db.n_fixes; i++) {
        const exh_db_fix *x = &db.fixes[i];
        const exh_db_build *fe = exh_builddb_find(&db, &x->build);
        if (x->family != fam || fe->product != cu->product)
          continue;
        own = own || x->build.build == cu->build.build;
        if (x->build.build > newest)
          newest = x->build.build;
      }
      if (own || newest == 0)
        continue;
      exh_verdict v;
      exh_exposure_verdict(&db, &cu->build, fam, &v);
      const char *want = cu->build.build > newest ? "patched" : "vulnerable";
      if (strcmp(v.status, want) != 0)
        fail_msg("%s %s: %s, want %s", fams[f], cu->name, v.status, want);
    }
  }
}

/* ---------------------------------------------------------------------- */

static void test_support_status(void **state)
{
  (void)state;
  char out[200];
  const exh_db_build *cu19 = exh_builddb_cu_of(&db, &(exhunt_build){15, 1, 2176, 2, true});
  assert_non_null(cu19);
  exh_exposure_support(&db, cu19, false, T_2021_03, out, sizeof out);
  assert_string_equal(out, "supported"); /* CU19 was the newest CU */
  exh_exposure_support(&db, cu19, false, T_2021_07, out, sizeof out);
  assert_non_null(strstr(out, "out of support: 2 newer CUs exist (CU20, CU21)"));
  exh_exposure_support(&db, cu19, false, T_2026_11, out, sizeof out);
  assert_non_null(strstr(out, "Exchange Server 2016 ended support on 2025-10-14"));
}

static void test_assess_findings(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exhunt_build b = B("15.1.2176.2");
  exhunt_exposure_ctx ctx = {"command-line", NULL, NULL, EXHUNT_NO_TIME, T_2021_03};
  assert_int_equal(exhunt_exposure_assess(&b, &ctx, &sink), EXHUNT_OK);
  assert_int_equal(rec.n_findings, db.n_families);
  for (size_t i = 0; i < rec.n_findings; i++)
    assert_string_equal(rec.findings[i].category, "exposure");
  assert_string_equal(rec.findings[0].rule, "exhunt.exposure.proxylogon");
  assert_int_equal(rec.findings[0].severity, EXHUNT_SEV_CRITICAL);
}

/* ---------------------------------------------------------------------- */
/* The loader on broken databases.                                         */

static void test_builddb_rejects_bad_lines(void **state)
{
  (void)state;
  static const char text[] =
      "# comment\n"
      "product\tex16\tExchange Server 2016\t2025-10-14\n"
      "build\tex16\t15.1.2176.2\tcu\tCU19\t2020-12-15\n"
      "build\tex16\t15.1.2176.9\tsu\tCU19 Mar21SU\t2021-03-02\n"
      "build\tex99\t15.1.2176.3\tsu\tX\t2021-03-02\n"  /* 5: unknown product */
      "build\tex16\t15.1.2176\tsu\tX\t2021-03-02\n"    /* 6: 3-part build */
      "build\tex16\t15.1.2176.10\tzz\tX\t2021-03-02\n" /* 7: bad kind */
      "build\tex16\t15.1.2176.11\tsu\tX\t2021-13-02\n" /* 8: bad date */
      "family\tpl\tProxyLogon\tCVE-2021-26855\tcritical\thttps://x\n"
      "family\tpl\tAgain\tCVE-2021-26855\tcritical\thttps://x\n" /* 10: duplicate */
      "family\tbad\tBad\tnot-a-cve\thigh\thttps://x\n"           /* 11: bad CVE */
      "fix\tpl\t15.1.2176.9\t-\n"
      "fix\tpl\t15.1.2176.8\t-\n"              /* not a build line: dropped */
      "fix\tnope\t15.1.2176.9\t-\n"            /* 14: unknown family */
      "fix\tpl\t15.1.2176.9\tCVE-2021-99999\n" /* 15: CVE outside the family */
      "whatever\tx\n"                          /* 16: unknown line type */
      "product\tex13\tE\t-\textra\tfields\n"   /* 17: field count */
      "exploited\tpl\t2021-01-03\tVolexity\n"
      "exploited\tpl\t2021-01-04\tagain\n" /* 19: a second one */
      "exploited\tnope\t2021-01-03\tx\n";  /* 20: unknown family */
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exh_builddb t;
  assert_int_equal(exh_builddb_parse(&t, text, sizeof text - 1, &sink), EXHUNT_ECORRUPT);
  assert_int_equal(t.n_products, 1);
  assert_int_equal(t.n_builds, 2);
  assert_int_equal(t.n_families, 1);
  assert_int_equal(t.n_fixes, 1);
  assert_int_equal(t.families[0].exploited_since, 1609632000); /* 2021-01-03 */
  static const char *const lines[] = {"line 5:",
                                      "line 6:",
                                      "line 7:",
                                      "line 8:",
                                      "line 19:",
                                      "line 20:",
                                      "line 10:",
                                      "line 11:",
                                      "line 14:",
                                      "line 15:",
                                      "line 16:",
                                      "line 17:",
                                      "fix 15.1.2176.8 for pl"};
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
    bool seen = false;
    for (size_t k = 0; k < rec.n_notices; k++)
      seen = seen || strstr(rec.notices[k].reason, lines[i]) != NULL;
    if (!seen)
      fail_msg("no note for %s", lines[i]);
  }
  assert_int_equal(rec.n_notices, sizeof lines / sizeof *lines);
  /* What is left still judges: the dropped fix did not move the line. */
  exh_verdict v;
  exh_exposure_verdict(&t, &(exhunt_build){15, 1, 2176, 8, true}, 0, &v);
  assert_string_equal(v.status, "vulnerable");
  exh_builddb_free(&t);
}

static void test_builddb_survives_garbage(void **state)
{
  (void)state;
  /* NULs, no newline at the end, CRLF, huge field. */
  char text[9000];
  memset(text, 'A', sizeof text);
  memcpy(text, "product\tp\tP\t-\r\n\0\tbuild\t", 23);
  exhunt_sink sink = rec_sink(&rec);
  exh_builddb t;
  exhunt_err err = exh_builddb_parse(&t, text, sizeof text, &sink);
  assert_int_equal(err, EXHUNT_ECORRUPT);
  assert_int_equal(t.n_products, 1);
  exh_builddb_free(&t);
}

/* ---------------------------------------------------------------------- */
/* Builds in evidence.                                                     */

typedef struct seen_rec {
  char build[EXHUNT_BUILD_STRLEN];
  char source[32];
  char path[512];
  int64_t first, last;
  uint64_t sightings;
  bool current;
  int64_t installed, running_since;
} seen_rec;

static seen_rec seen[32];
static size_t n_seen;

static void on_build(void *ctx, const exhunt_build_seen *b)
{
  (void)ctx;
  assert_true(n_seen < 32);
  seen_rec *r = &seen[n_seen++];
  rec_copy(r->build, sizeof r->build, b->build);
  rec_copy(r->source, sizeof r->source, b->source);
  rec_copy(r->path, sizeof r->path, b->path);
  r->first = b->first;
  r->last = b->last;
  r->sightings = b->sightings;
  r->current = b->current;
  r->installed = b->installed;
  r->running_since = b->running_since;
}

static void put(const char *root, const char *rel, const void *data, size_t len, time_t mtime)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  write_file(path, data, len);
  struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
  assert_int_equal(utimes(path, tv), 0);
}

/* An HttpProxy log as Exchange writes it: a bare CSV header, # metadata,
 * #Fields, then records with the build in four columns. */
static size_t httpproxy_log(char *out, size_t cap, const char *version, const char *date, int build,
                            int rev)
{
  int n = snprintf(out, cap,
                   "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
                   "UrlStem,HttpStatus\r\n"
                   "#Software: Microsoft Exchange Server\r\n#Version: %s\r\n"
                   "#Log-type: HttpProxy Logs\r\n#Date: %sT00:00:01.000Z\r\n"
                   "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,"
                   "RevisionVersion,UrlStem,HttpStatus\r\n"
                   "%sT00:00:05.120Z,1,15,1,%d,%d,/owa/,200\r\n"
                   "%sT23:59:58.000Z,2,15,1,%d,%d,/owa/,200\r\n",
                   version, date, date, build, rev, date, build, rev);
  assert_true(n > 0 && (size_t)n < cap);
  return (size_t)n;
}

static void test_builds_in_evidence(void **state)
{
  (void)state;
  char root[] = "/tmp/exh-exposure-XXXXXX";
  assert_non_null(mkdtemp(root));
  char text[2048];
  size_t n;
  tu_mkdirs(tu_path(root, "EX01/V15/Logging/HttpProxy/Owa"));
  tu_mkdirs(tu_path(root, "EX01/V15/Logging/ECP/Server"));
  tu_mkdirs(tu_path(root, "EX01/V15/Bin"));
  tu_mkdirs(tu_path(root, "EX01/collected"));
  tu_mkdirs(tu_path(root, "EMPTY/nothing"));
  /* Before the March 2021 update: CU19 RTM. */
  n = httpproxy_log(text, sizeof text, "15.01.2176.002", "2021-02-20", 2176, 2);
  put(root, "EX01/V15/Logging/HttpProxy/Owa/HttpProxy_2021022000-1.LOG", text, n, 1613779200);
  /* After it, gzip-compressed: CU19 Mar21SU. */
  n = httpproxy_log(text, sizeof text, "15.01.2176.009", "2021-03-08", 2176, 9);
  char gzpath[1024];
  snprintf(gzpath, sizeof gzpath, "%s/EX01/V15/Logging/HttpProxy/Owa/HttpProxy_2021030800-1.LOG.gz",
           root);
  gzFile gz = gzopen(gzpath, "wb");
  assert_non_null(gz);
  assert_int_equal(gzwrite(gz, text, (unsigned)n), (int)n);
  gzclose(gz);
  /* ECP Server logs carry a log-format version, not a build. */
  static const char ecp[] = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n"
                            "#Log-type: ECP Server Log\r\n#Fields: DateTime,ServerName\r\n"
                            "2021-03-09T10:00:00.000Z,EX01\r\n";
  put(root, "EX01/V15/Logging/ECP/Server/ECPServer20210309-1.LOG", ecp, sizeof ecp - 1, 1615284000);
  /* ExSetup.exe as installed with CU19 (a PE built by test_pe.c's
   * builder: tests/fuzz/corpus/pe/exsetup-pe32plus.exe, 15.1.2176.2). */
  char pe_path[1024];
  snprintf(pe_path, sizeof pe_path, "%s/tests/fuzz/corpus/pe/exsetup-pe32plus.exe",
           EXHUNT_SOURCE_DIR);
  FILE *f = fopen(pe_path, "rb");
  assert_non_null(f);
  uint8_t pe[4096];
  size_t pe_len = fread(pe, 1, sizeof pe, f);
  fclose(f);
  put(root, "EX01/V15/Bin/ExSetup.exe", pe, pe_len, 1608000000);
  /* Get-ExchangeServer | fl, saved by Windows PowerShell: UTF-16LE. */
  static const char dump[] = "Name                : EX01\r\n"
                             "AdminDisplayVersion : Version 15.1 (Build 2176.9)\r\n";
  uint8_t u16[512];
  size_t k = 0;
  u16[k++] = 0xFF;
  u16[k++] = 0xFE;
  for (size_t i = 0; i < sizeof dump - 1; i++) {
    u16[k++] = (uint8_t)dump[i];
    u16[k++] = 0;
  }
  put(root, "EX01/collected/exchange-servers.txt", u16, k, 1615300000);

  char ex01[1100], empty[1100];
  snprintf(ex01, sizeof ex01, "%s/EX01", root);
  snprintf(empty, sizeof empty, "%s/EMPTY", root);
  const char *const paths[] = {ex01, empty};
  memset(&rec, 0, sizeof rec);
  n_seen = 0;
  exhunt_sink sink = rec_sink(&rec);
  sink.on_build = on_build;
  exhunt_exposure_opts opts;
  exhunt_exposure_opts_init(&opts);
  opts.now = T_2021_03;
  exhunt_scan_stats stats;
  assert_int_equal(exhunt_exposure_paths(paths, 2, &opts, &sink, &stats), EXHUNT_OK);

  /* Two builds: the history, oldest first; the newest is current. */
  assert_int_equal(n_seen, 2);
  assert_string_equal(seen[0].build, "15.1.2176.2");
  assert_false(seen[0].current);
  assert_int_equal(seen[0].sightings, 4); /* header, first row, last row, ExSetup.exe */
  assert_int_equal(seen[0].first, 1608000000);
  assert_int_equal(seen[0].last, 1613865598); /* 2021-02-20T23:59:58Z */
  assert_string_equal(seen[1].build, "15.1.2176.9");
  assert_true(seen[1].current);
  assert_int_equal(seen[1].sightings, 4);      /* header, first row, last row, dump */
  assert_int_equal(seen[1].first, 1615161601); /* #Date of the .gz log */
  assert_int_equal(seen[1].last, 1615300000);  /* the dump's mtime */
  assert_string_equal(seen[1].source, "admin-display-version");
  assert_non_null(strstr(seen[1].path, "exchange-servers.txt"));
  /* Its verdicts: patched for ProxyLogon, not yet for ProxyShell. */
  assert_int_equal(rec.n_findings, db.n_families);
  bool pl = false, ps = false;
  for (size_t i = 0; i < rec.n_findings; i++) {
    if (strcmp(rec.findings[i].rule, "exhunt.exposure.proxylogon") == 0)
      pl = rec.findings[i].severity == EXHUNT_SEV_INFO;
    if (strcmp(rec.findings[i].rule, "exhunt.exposure.proxyshell") == 0)
      ps = rec.findings[i].severity == EXHUNT_SEV_CRITICAL;
  }
  assert_true(pl);
  assert_true(ps);
  /* The empty server says so, as an error: no build, no verdict. */
  assert_int_equal(rec_count_what(&rec, "no-build"), 1);
  assert_non_null(strstr(rec.notices[rec.n_notices - 1].path, "EMPTY"));
  assert_int_equal(stats.errors, 1);

  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

/* One in-memory file through the evidence examiners, with rec and the
 * builds seen cleared first. */
static exhunt_err examine(const char *path, const char *text, size_t len, time_t mtime)
{
  memset(&rec, 0, sizeof rec);
  n_seen = 0;
  exhunt_sink sink = rec_sink(&rec);
  sink.on_build = on_build;
  return exh_exposure_buffer(path, (const uint8_t *)text, len, mtime, T_2021_03, &sink);
}

/* ExchangeSetup.log: each successful Setup run is a sighting of the build
 * it installed, at its start (the log's local time made UTC); the first,
 * with no earlier install, is the fresh install; a failed run and an
 * uninstall are not builds; the installed build an upgrade replaced is
 * seen too. */
static void test_setup_log(void **state)
{
  (void)state;
  static const char log[] =
      "[08/15/2025 10:12:01.0343] [0] **********************************************\r\n"
      "[08/15/2025 10:12:01.0414] [0] Starting Microsoft Exchange Server 2019 Setup\r\n"
      "[08/15/2025 10:12:01.0841] [0] Local time zone: (UTC+02:00) Amsterdam, Berlin.\r\n"
      "[08/15/2025 10:12:01.1264] [0] Setup version: 15.2.1544.4.\r\n"
      "[08/15/2025 10:12:01.1819] [0] Command Line Parameter Name='mode', Value='Install'.\r\n"
      "[08/15/2025 10:12:02.0000] [1] Setup version: 99.9.9999.9.\r\n" /* not the main thread */
      "[08/15/2025 11:40:00.0000] [0] The Exchange Server setup operation completed "
      "successfully.\r\n"
      "[11.14.2025 17:13:08.0074] [0] Starting Microsoft Exchange Server 2019 Setup\r\n"
      "[11.14.2025 17:13:08.0078] [0] Local time zone: (UTC) Coordinated Universal Time.\r\n"
      "[11.14.2025 17:13:08.0081] [0] Setup version: 15.2.1748.10.\r\n"
      "[11.14.2025 17:13:09.0000] [0] The locally installed version is 15.2.1544.4.\r\n"
      "[11.14.2025 17:20:00.0000] [0] [ERROR] The operation couldn't be performed.\r\n"
      "[11/20/2025 09:00:00.0000] [0] Starting Microsoft Exchange Server 2019 Setup\r\n"
      "[11/20/2025 09:00:00.0001] [0] Setup version: 15.2.1748.10.\r\n"
      "[11/20/2025 09:00:01.0000] [0] The locally installed version is 15.2.1544.4.\r\n"
      "[11/20/2025 10:00:00.0000] [0] The Exchange Server setup operation completed "
      "successfully.\r\n"
      "[12/01/2025 09:00:00.0000] [0] Starting Microsoft Exchange Server 2019 Setup\r\n"
      "[12/01/2025 09:00:00.0001] [0] Setup version: 15.2.1748.10.\r\n"
      "[12/01/2025 09:00:00.0002] [0] Command Line Parameter Name='mode', Value='Uninstall'.\r\n"
      "[12/01/2025 10:00:00.0000] [0] The Exchange Server setup operation completed "
      "successfully.\r\n"
      "garbage [99/99/9999 99:99:99] [0] Setup version: 1.2.3.4.\r\n";
  assert_int_equal(examine("/ev/C/ExchangeSetupLogs/ExchangeSetup.log", log, sizeof log - 1, 0),
                   EXHUNT_OK);
  assert_int_equal(n_seen, 2);
  /* 2025-08-15 10:12:01 at UTC+02:00 */
  assert_string_equal(seen[0].build, "15.2.1544.4");
  assert_int_equal(seen[0].installed, 1755245521);
  assert_int_equal(seen[0].running_since, 1755245521);
  assert_int_equal(seen[0].first, 1755245521);
  /* seen again when the upgrade of 11-14 (failed) and of 11-20 ran on it */
  assert_int_equal(seen[0].sightings, 3);
  assert_string_equal(seen[1].build, "15.2.1748.10");
  assert_int_equal(seen[1].installed, EXHUNT_NO_TIME);
  assert_int_equal(seen[1].first, 1763629200); /* 2025-11-20 09:00:00Z */
  assert_true(seen[1].current);
  assert_string_equal(seen[1].source, "setup-log");
}

/* A fresh install needs proof: a run in Install mode with no Exchange
 * before it. RecoverServer rebuilds a server that ran before; a run with
 * no mode line proves nothing; "] [0] " counts only right after the time,
 * not inside a logged value of another thread's line. */
static void test_setup_log_no_false_install(void **state)
{
  (void)state;
  static const char recover[] =
      "[03/20/2021 09:00:00.0000] [0] Starting Microsoft Exchange Server 2016 Setup\r\n"
      "[03/20/2021 09:00:00.0001] [0] Setup version: 15.1.2242.4.\r\n"
      "[03/20/2021 09:00:00.0002] [0] Command Line Parameter Name='mode', "
      "Value='RecoverServer'.\r\n"
      "[03/20/2021 10:00:00.0000] [0] The Exchange Server setup operation completed "
      "successfully.\r\n";
  static const char no_mode[] =
      "[03/20/2021 09:00:00.0000] [0] Starting Microsoft Exchange Server 2016 Setup\r\n"
      "[03/20/2021 09:00:00.0001] [0] Setup version: 15.1.2242.4.\r\n"
      "[03/20/2021 10:00:00.0000] [1] x ] [0] The Exchange Server setup operation completed "
      "successfully.\r\n";
  assert_int_equal(
      examine("/ev/C/ExchangeSetupLogs/ExchangeSetup.log", recover, sizeof recover - 1, 0),
      EXHUNT_OK);
  assert_int_equal(n_seen, 1);
  assert_string_equal(seen[0].build, "15.1.2242.4");
  assert_int_equal(seen[0].installed, EXHUNT_NO_TIME);
  assert_int_equal(
      examine("/ev/C/ExchangeSetupLogs/ExchangeSetup.log", no_mode, sizeof no_mode - 1, 0),
      EXHUNT_OK);
  assert_int_equal(n_seen, 0); /* the run never said it succeeded */
}

/* ExSetup.exe's file time is the package's: it shows the build there, not
 * running; and no sighting is earlier than the build's release. */
static void test_sighting_times(void **state)
{
  (void)state;
  static const char dump[] = "AdminDisplayVersion : Version 15.1 (Build 2176.2)\r\n";
  /* a dump written in 1980: CU19 (15.1.2176.2) came out on 2020-12-15 */
  assert_int_equal(examine("/ev/servers.txt", dump, sizeof dump - 1, 315532800), EXHUNT_OK);
  assert_int_equal(n_seen, 1);
  assert_true(seen[0].first >= 1607990400 && seen[0].first < 1608163200); /* 2020-12-15 */
  assert_int_equal(seen[0].running_since, seen[0].first);
}

/* Failing each allocation in turn: exposure of a dump (database load,
 * server, buffers, sightings) fails cleanly with ENOMEM or finishes; ASan's
 * leak check in CI catches anything left behind. */
static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  static const char dump[] = "AdminDisplayVersion : Version 15.1 (Build 2176.2)\r\n";
  unsigned long total = 0;
  for (unsigned long n = 1; n < 1000; n++) {
    memset(&rec, 0, sizeof rec);
    exhunt_sink sink = rec_sink(&rec);
    exh_alloc_fail_at(n, 0);
    exhunt_err err = exh_exposure_buffer("/ev/servers.txt", (const uint8_t *)dump, sizeof dump - 1,
                                         0, T_2021_03, &sink);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (made < n) {
      assert_int_equal(err, EXHUNT_OK);
      assert_int_equal(rec.n_findings, db.n_families);
      total = n - 1;
      break;
    }
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM);
  }
  assert_true(total >= 4);
}

static tu_fixture fx = {.group_setup = setup, .group_teardown = teardown};

TU_MAIN(&fx, test_build_parse_forms, test_verdict_table, test_exchange_2010_only_26857,
        test_exploitation_dates, test_every_cu_boundary, test_cus_without_the_fix,
        test_support_status, test_assess_findings, test_builddb_rejects_bad_lines,
        test_builddb_survives_garbage, test_builds_in_evidence, test_setup_log,
        test_setup_log_no_false_install, test_sighting_times, test_alloc_failure_sweep)
