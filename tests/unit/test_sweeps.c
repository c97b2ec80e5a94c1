/*
 * test_sweeps.c - allocation-failure sweeps of the engines that had none:
 * logs (a small tree of every family: Exchange CSV, ECP Server,
 * OABGenerator, IIS W3C, a .gz, JSON-lines events and an EVTX file), scan
 * (a small tree with the default pack, user YARA and IOCs, heuristics), and
 * rule loading (default pack + user YARA + IOCs + compile). The PE parser
 * is checked to allocate nothing at all.
 *
 * For N = 1, 2, ... allocation N through the wrapper (alloc.h) fails. The
 * run must end cleanly: EXHUNT_OK or EXHUNT_ENOMEM (EXHUNT_ERULES where a
 * rule file is refused), no crash, no leak (the ASan build runs this with
 * LeakSanitizer), and nothing silent: a run that returns OK with fewer
 * findings than the clean run must have said why in an ENOMEM notice. The
 * sweep ends at the first N the run does not reach; that run must match
 * the clean one exactly. Memory libyara, jansson, zlib, libevtx and
 * libcurl allocate themselves is theirs and is not swept.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "pe/pe_version.h"

static char root[256];
static recorder rec;

static void copy_file(const char *from, const char *to)
{
  FILE *f = fopen(from, "rb");
  if (!f) {
    perror(from);
    abort();
  }
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  write_file(to, buf, n);
}

static void make_dirs(const char *rel)
{
  char p[512];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  for (char *s = p + strlen(root) + 1; *s; s++) {
    if (*s == '/') {
      *s = '\0';
      mkdir(p, 0755);
      *s = '/';
    }
  }
  mkdir(p, 0755);
}

static void put(const char *src_rel, const char *dst_dir, const char *name)
{
  char from[512], to[512];
  make_dirs(dst_dir);
  snprintf(from, sizeof from, "%s/%s", EXHUNT_SOURCE_DIR, src_rel);
  snprintf(to, sizeof to, "%s/%s/%s", root, dst_dir, name);
  copy_file(from, to);
}

static int make_tree(void **state)
{
  (void)state;
  snprintf(root, sizeof root, "/tmp/exhunt-sweeps-XXXXXX");
  if (!mkdtemp(root))
    return -1;
  /* logs: one file of each family */
  put("tests/data/logs/helsecert/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG",
      "logs/V15/Logging/HttpProxy/Ecp", "HttpProxy_2021030306-1.LOG");
  put("tests/data/logs/helsecert/Logging/ECP/Server/ECPServer20210303-1.LOG",
      "logs/V15/Logging/ECP/Server", "ECPServer20210303-1.LOG");
  put("tests/data/logs/oabgen/Logging/OABGeneratorLog/OABGeneratorLog_20210304-1.LOG",
      "logs/V15/Logging/OABGeneratorLog", "OABGeneratorLog_20210304-1.LOG");
  put("tests/data/logs/variants/w3c-fields-change/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log",
      "logs/inetpub/logs/LogFiles/W3SVC1", "u_ex210304.log");
  put("tests/data/logs/variants/gz/Logging/HttpProxy/Ecp/HttpProxy_2021030314-1.LOG.gz",
      "logs/V15/Logging/HttpProxy/Owa", "HttpProxy_2021030314-1.LOG.gz");
  put("examples/compromised-exchange/collected/Microsoft-Windows-Sysmon-Operational.jsonl",
      "logs/collected", "Microsoft-Windows-Sysmon-Operational.jsonl");
  put("tests/fuzz/corpus/evtx/LM_typical_IIS_webshell_sysmon_1_10_traces.evtx",
      "logs/Windows/System32/winevt/Logs", "Microsoft-Windows-Sysmon%4Operational.evtx");
  /* scan: a web shell, its IOC twin, a benign page, a nested folder */
  char p[512];
  make_dirs("web/aspnet_client/system_web");
  snprintf(p, sizeof p, "%s/web/aspnet_client/system_web/x.aspx", root);
  write_file(p, CHOPPER, strlen(CHOPPER));
  snprintf(p, sizeof p, "%s/web/aspnet_client/supp0rt.aspx", root);
  write_file(p, "hello", 5);
  snprintf(p, sizeof p, "%s/web/index.html", root);
  write_file(p, "<html><body>ok</body></html>", 28);
  put("tests/fuzz/corpus/heur/upload.aspx", "web/owa/auth", "upload.aspx");
  return 0;
}

static int remove_tree(void **state)
{
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  return system(cmd) == 0 ? 0 : -1;
}

static bool has_nomem_notice(const recorder *r)
{
  for (size_t i = 0; i < r->n_notices; i++)
    if (r->notices[i].code == EXHUNT_ENOMEM)
      return true;
  return false;
}

/* One sweep: run(n) with allocation n failing, until a run makes fewer
 * than n allocations. `stride` > 1 past the first 300 keeps long runs
 * short (as test_hunt does). Returns the number of allocations swept. */
typedef exhunt_err (*run_fn)(void);

static unsigned long sweep(const char *what, run_fn run, unsigned long stride)
{
  memset(&rec, 0, sizeof rec);
  exh_alloc_fail_at(0, 0);
  assert_int_equal(run(), EXHUNT_OK);
  size_t clean_findings = rec.n_findings;
  assert_true(clean_findings > 0);
  unsigned long runs = 0;
  for (unsigned long n = 1; n < 1000000; n += n < 300 ? 1 : stride) {
    memset(&rec, 0, sizeof rec);
    exh_alloc_fail_at(n, 0);
    exhunt_err err = run();
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    runs++;
    if (made < n) { /* allocation n never happened: the sweep is complete */
      assert_int_equal(err, EXHUNT_OK);
      assert_int_equal(rec.n_findings, clean_findings);
      print_message("%s allocation sweep: %lu runs up to allocation %lu\n", what, runs, n - 1);
      return n - 1;
    }
    if (err != EXHUNT_OK && err != EXHUNT_ENOMEM && err != EXHUNT_ERULES)
      fail_msg("%s: allocation %lu failed: %s", what, n, exhunt_strerror(err));
    if (err == EXHUNT_OK && rec.n_findings < clean_findings && !has_nomem_notice(&rec)) {
      for (size_t i = 0; i < rec.n_notices; i++)
        print_message("  notice %s (%s): %s %s\n", rec.notices[i].what,
                      exhunt_strerror(rec.notices[i].code), rec.notices[i].path,
                      rec.notices[i].reason);
      fail_msg("%s: allocation %lu failed: %zu of %zu findings, and no out-of-memory notice", what,
               n, rec.n_findings, clean_findings);
    }
  }
  fail_msg("%s: sweep did not finish", what);
  return 0;
}

/* ---------------------------------------------------------------------- */

static exhunt_err run_logs(void)
{
  char p[300];
  snprintf(p, sizeof p, "%s/logs", root);
  const char *paths[] = {p};
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  /* the failure counter is process-wide: one worker keeps N meaningful */
  opts.resources.threads = 1;
  exhunt_sink sink = rec_sink(&rec);
  return exhunt_logs_paths(paths, 1, &opts, &sink, NULL);
}

static void test_logs_sweep(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  assert_int_equal(run_logs(), EXHUNT_OK);
  /* every family gave something: the tree is what the sweep claims */
  assert_true(rec.n_findings >= 5);
  assert_int_equal(rec_count_what(&rec, "read-error"), 0);
  assert_true(sweep("logs", run_logs, 1) > 20);
}

/* ---------------------------------------------------------------------- */

static const char user_iocs[] = "filename\tsupp0rt.aspx\thigh\tHAFNIUM name\ts\t-\n"
                                "path\t*/aspnet_client/system_web/*.aspx\tmedium\tp\ts\t-\n";
static const char user_rule[] =
    "rule user_eval { meta: severity = \"high\" strings: $a = \"eval(Request\" condition: $a }";

static exhunt_err build_rules(exhunt_rules **out, bool with_default)
{
  exhunt_sink sink = rec_sink(&rec);
  return tu_user_rules(out, with_default, user_rule, user_iocs, &sink);
}

static exhunt_rules *scan_rules;

static exhunt_err run_scan(void)
{
  char p[300];
  snprintf(p, sizeof p, "%s/web", root);
  const char *paths[] = {p};
  exhunt_scan_opts opts;
  exhunt_scan_opts_init(&opts);
  opts.resources.threads = 1;
  exhunt_sink sink = rec_sink(&rec);
  return exhunt_scan_paths(scan_rules, paths, 1, &opts, &sink, NULL);
}

static void test_scan_sweep(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  assert_int_equal(build_rules(&scan_rules, true), EXHUNT_OK);
  memset(&rec, 0, sizeof rec);
  assert_int_equal(run_scan(), EXHUNT_OK);
  assert_true(rec_count_path(&rec, "/x.aspx") >= 3); /* YARA, heuristics, path IOC */
  assert_true(rec_count_path(&rec, "/supp0rt.aspx") >= 1);
  assert_true(sweep("scan", run_scan, 1) > 5);
  exhunt_rules_free(scan_rules);
  scan_rules = NULL;
}

/* ---------------------------------------------------------------------- */

static exhunt_err run_rules(void)
{
  exhunt_rules *r = NULL;
  exhunt_err err = build_rules(&r, true);
  if (!err) {
    /* one scan, so the sweep's "findings" are the loaded rules at work */
    exhunt_sink sink = rec_sink(&rec);
    err = tu_scan_chopper(r, &sink);
  }
  exhunt_rules_free(r);
  return err;
}

static void test_rules_sweep(void **state)
{
  (void)state;
  assert_true(sweep("rules", run_rules, 7) > 20);
}

/* ---------------------------------------------------------------------- */

/* The PE version parser promises to allocate nothing: nothing to sweep,
 * so check the promise on every PE seed, good and malformed. */
static void test_pe_allocates_nothing(void **state)
{
  (void)state;
  static const char *const seeds[] = {"exsetup-pe32plus.exe", "exsetup-pe32-varfirst.exe",
                                      "bad-fixed-bad-string.exe", "rsrc-loop.exe", "truncated.exe"};
  for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/tests/fuzz/corpus/pe/%s", EXHUNT_SOURCE_DIR, seeds[i]);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    exh_pe_version v;
    exh_alloc_fail_at(1, 1); /* any allocation at all would fail */
    exhunt_err err = exh_pe_version_parse(buf, n, &v);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    assert_int_equal(made, 0);
    assert_true(err == EXHUNT_OK || err == EXHUNT_ECORRUPT || err == EXHUNT_EUNSUPPORTED);
  }
}

static tu_fixture fx = {.group_setup = make_tree, .group_teardown = remove_tree};

TU_MAIN(&fx, test_logs_sweep, test_scan_sweep, test_rules_sweep, test_pe_allocates_nothing)
