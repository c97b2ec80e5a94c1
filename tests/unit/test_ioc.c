/*
 * test_ioc.c - IOC list parsing and lookup: hashes, names, path globs with
 * their allowlist, and malformed lines reported with their line number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "rules/ioc.h"

typedef struct notes {
  int count;
  int errors; /* of kind EXHUNT_NOTICE_ERROR */
  char last[256];
} notes;

static void on_notice(void *ctx, const exhunt_notice *n)
{
  notes *ns = ctx;
  ns->count++;
  ns->errors += n->kind == EXHUNT_NOTICE_ERROR;
  strncpy(ns->last, n->reason, sizeof ns->last - 1);
}

static const char list[] =
    "# comment\n"
    "sha256\tB75F163CA9B9240BF4B37AD92BC7556B40A17E27C2B8ED5C8991385FE07D17D0\tcritical\tShell "
    "A\tmstic\thttps://example/ref\n"
    "sha256\tb75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0\tlow\tDup\tother\t-\n"
    "md5\t0123456789abcdef0123456789abcdef\thigh\tOld\t-\t-\r\n"
    "filename\tSupp0rt.ASPX\thigh\tHAFNIUM name\tcisa\t-\n"
    "path\t*/owa/auth/*.aspx\thigh\tASPX in owa/auth\texhunt\t-\n"
    "path-ok\t*/owa/auth/logon.aspx\tinfo\tshipped\texhunt\t-\n"
    "sha256\tnothex\thigh\tbad\t-\t-\n"
    "bogus\tx\thigh\n"
    "filename\n";

static void count_hit(void *ctx, const exh_ioc *ioc)
{
  (void)ioc;
  (*(int *)ctx)++;
}

static void test_parse_and_lookup(void **state)
{
  (void)state;
  exh_iocs set;
  exh_iocs_init(&set);
  notes ns = {0};
  exhunt_sink sink = {.ctx = &ns, .on_notice = on_notice};
  size_t bad = 0;
  assert_int_equal(exh_iocs_parse(&set, "test.tsv", list, sizeof list - 1, &sink, &bad), EXHUNT_OK);
  assert_int_equal(bad, 3);
  assert_int_equal(ns.count, 3);
  /* A rejected line is an indicator the list meant to check and that is
   * not checked: an error, never a mere note. */
  assert_int_equal(ns.errors, 3);
  assert_non_null(strstr(ns.last, "line 10"));
  exh_iocs_finish(&set);
  assert_int_equal(set.count[EXH_IOC_SHA256], 1); /* duplicate dropped */

  uint8_t digest[32];
  const char *hex = "b75f163ca9b9240bf4b37ad92bc7556b40a17e27c2b8ed5c8991385fe07d17d0";
  for (int i = 0; i < 32; i++) {
    unsigned v;
    char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
    v = (unsigned)strtoul(byte, NULL, 16);
    digest[i] = (uint8_t)v;
  }
  const exh_ioc *hit = exh_iocs_find_hash(&set, EXH_IOC_SHA256, digest);
  assert_non_null(hit);
  assert_string_equal(hit->title, "Shell A"); /* first source wins */
  assert_int_equal(hit->severity, EXHUNT_SEV_CRITICAL);
  digest[0] ^= 1;
  assert_null(exh_iocs_find_hash(&set, EXH_IOC_SHA256, digest));

  assert_non_null(exh_iocs_find_name(&set, "supp0rt.aspx"));
  assert_null(exh_iocs_find_name(&set, "support.aspx"));
  exh_iocs_free(&set);
}

static void test_paths_case_and_allowlist(void **state)
{
  (void)state;
  exh_iocs set;
  exh_iocs_init(&set);
  exhunt_sink sink = {.on_notice = on_notice};
  notes ns = {0};
  sink.ctx = &ns;
  exh_iocs_parse(&set, "t", list, sizeof list - 1, &sink, NULL);
  exh_iocs_finish(&set);
  char norm[256];
  int hits = 0;
  exh_path_normalise("C:\\Program Files\\Microsoft\\FrontEnd\\HttpProxy\\OWA\\Auth\\x.ASPX", norm,
                     sizeof norm);
  assert_string_equal(norm, "c:/program files/microsoft/frontend/httpproxy/owa/auth/x.aspx");
  assert_int_equal(exh_iocs_match_path(&set, norm, count_hit, &hits), 1);
  assert_int_equal(hits, 1);
  exh_path_normalise("/ev/FrontEnd/HttpProxy/owa/auth/LOGON.aspx", norm, sizeof norm);
  assert_int_equal(exh_iocs_match_path(&set, norm, count_hit, &hits), 0);
  exh_path_normalise("/ev/owa/auth/x.js", norm, sizeof norm);
  assert_int_equal(exh_iocs_match_path(&set, norm, count_hit, &hits), 0);
  exh_iocs_free(&set);
}

static void test_hostile_lines(void **state)
{
  (void)state;
  exh_iocs set;
  exh_iocs_init(&set);
  notes ns = {0};
  exhunt_sink sink = {.ctx = &ns, .on_notice = on_notice};
  static char big[10000];
  memset(big, 'a', sizeof big);
  memcpy(big, "filename\t", 9);
  big[sizeof big - 1] = '\n';
  assert_int_equal(exh_iocs_parse(&set, "t", big, sizeof big, &sink, NULL), EXHUNT_OK);
  assert_int_equal(ns.count, 1);
  const char nul[] = "filename\tx\0y\thigh\n";
  assert_int_equal(exh_iocs_parse(&set, "t", nul, sizeof nul - 1, &sink, NULL), EXHUNT_OK);
  assert_int_equal(ns.count, 2);
  /* "-" is the absent marker: never a name (found by fuzz_ioc) */
  const char dash[] = "filename\t-\thigh\npath\t-\thigh\n";
  assert_int_equal(exh_iocs_parse(&set, "t", dash, sizeof dash - 1, &sink, NULL), EXHUNT_OK);
  assert_int_equal(ns.count, 4);
  /* no trailing newline, empty text */
  assert_int_equal(exh_iocs_parse(&set, "t", "filename\tz.aspx", 15, &sink, NULL), EXHUNT_OK);
  assert_int_equal(exh_iocs_parse(&set, "t", "", 0, &sink, NULL), EXHUNT_OK);
  exh_iocs_finish(&set);
  assert_int_equal(set.count[EXH_IOC_FILENAME], 1);
  exh_iocs_free(&set);
}

/* The literal-tail prefilter must never hide a match fnmatch would find. */
static void test_glob_tail_prefilter(void **state)
{
  (void)state;
  exh_iocs set;
  exh_iocs_init(&set);
  const char globs[] = "path\t*/x/?.ASP\thigh\n"
                       "path\t*/y/[ab]\thigh\n"
                       "path\t*/z/*\thigh\n";
  assert_int_equal(exh_iocs_parse(&set, "t", globs, sizeof globs - 1, NULL, NULL), EXHUNT_OK);
  exh_iocs_finish(&set);
  int hits = 0;
  assert_int_equal(exh_iocs_match_path(&set, "/e/x/b.asp", count_hit, &hits), 1);
  assert_int_equal(exh_iocs_match_path(&set, "/e/x/b.aspx", count_hit, &hits), 0);
  assert_int_equal(exh_iocs_match_path(&set, "/e/x/bb.asp", count_hit, &hits), 0);
  assert_int_equal(exh_iocs_match_path(&set, "/e/y/a", count_hit, &hits), 1);
  assert_int_equal(exh_iocs_match_path(&set, "/e/y/c", count_hit, &hits), 0);
  assert_int_equal(exh_iocs_match_path(&set, "/e/z/anything.bin", count_hit, &hits), 1);
  assert_int_equal(exh_iocs_match_path(&set, "z", count_hit, &hits), 0);
  assert_int_equal(hits, 3);
  exh_iocs_free(&set);
}

TU_MAIN(NULL, test_parse_and_lookup, test_paths_case_and_allowlist, test_hostile_lines,
        test_glob_tail_prefilter)
