/*
 * test_baseline.c - exhunt baseline create and diff on trees made by the
 * test: exactly the added, changed, mode/mtime-only and removed files; a
 * China Chopper dropped in aspnet_client is a high baseline finding plus
 * content findings; a reference tree under another root name compares by
 * relative path; hostile file names survive the round trip; malformed
 * baseline lines are notes and skipped, however the text is split; and
 * create leaves the evidence as it was (mtime and atime).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "baseline/baseline_int.h"
#include "common/testutil.h"
#include "core/alloc.h"
#include "core/dynbuf.h"

static recorder rec;
static tu_fixture fx = {.each = TU_ROOT, .tag = "bl", .rec = &rec, .default_rules = true};

static void put(const char *rel, const char *text, mode_t mode)
{
  write_file(tu_at(rel), text, strlen(text));
  assert_int_equal(chmod(tu_at(rel), mode), 0);
}

static exhunt_err buf_write(void *ctx, const char *data, size_t len)
{
  return exh_dynbuf_add(ctx, data, len);
}

/* Creates a baseline of `dirs` (relative to root) into out (initialised
 * here; the caller frees it). */
static void create(const char *const *dirs, size_t n, exh_dynbuf *out)
{
  exh_dynbuf_init(out, 0);
  const char *paths[4];
  for (size_t i = 0; i < n; i++)
    paths[i] = tu_at(dirs[i]);
  exhunt_baseline_opts opts;
  exhunt_baseline_opts_init(&opts);
  opts.created = 1614556800;
  opts.host = "EX01";
  exhunt_baseline_writer w = {out, buf_write};
  exhunt_sink sink = rec_sink(&rec);
  exhunt_scan_stats st;
  memset(&st, 0, sizeof st);
  assert_int_equal(exhunt_baseline_create(paths, n, &opts, &w, &sink, &st), EXHUNT_OK);
  assert_int_equal(st.errors, 0);
}

/* rec cleared, then the diff of `dirs` (relative to root) against bl_text. */
static exhunt_baseline_stats diff(const exh_dynbuf *bl_text, const char *const *dirs, size_t n,
                                  const exhunt_rules *r)
{
  memset(&rec, 0, sizeof rec);
  const char *paths[4];
  for (size_t i = 0; i < n; i++)
    paths[i] = tu_at(dirs[i]);
  exhunt_baseline *bl = NULL;
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_baseline_new(&bl), EXHUNT_OK);
  assert_int_equal(exhunt_baseline_parse(bl, bl_text->data, bl_text->len, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_baseline_parse_end(bl, &sink), EXHUNT_OK);
  exhunt_baseline_opts opts;
  exhunt_baseline_opts_init(&opts);
  exhunt_baseline_stats d;
  exhunt_scan_stats st;
  memset(&st, 0, sizeof st);
  assert_int_equal(exhunt_baseline_diff(bl, r, paths, n, &opts, &sink, &st, &d), EXHUNT_OK);
  exhunt_baseline_free(bl);
  return d;
}

static size_t count_rule(const char *rule, const char *path_suffix)
{
  size_t n = 0, sl = strlen(path_suffix);
  for (size_t i = 0; i < rec.n_findings; i++) {
    size_t pl = strlen(rec.findings[i].path);
    n += strcmp(rec.findings[i].rule, rule) == 0 && pl >= sl &&
         strcmp(rec.findings[i].path + pl - sl, path_suffix) == 0;
  }
  return n;
}

static void test_added_changed_meta_removed(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("site/bin"));
  put("site/a.txt", "alpha\n", 0644);
  put("site/b.txt", "bravo\n", 0644);
  put("site/c.txt", "charlie\n", 0644);
  put("site/d.txt", "delta\n", 0644);
  put("site/bin/e.dll", "MZecho\n", 0644);
  exh_dynbuf bl;
  const char *dirs[] = {"site"};
  create(dirs, 1, &bl);
  put("site/b.txt", "BRAVO\n", 0644);                    /* content, same size */
  assert_int_equal(chmod(tu_at("site/c.txt"), 0755), 0); /* mode only */
  struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
  assert_int_equal(utimensat(AT_FDCWD, tu_at("site/d.txt"), ts, 0), 0); /* mtime only */
  assert_int_equal(unlink(tu_at("site/bin/e.dll")), 0);
  put("site/bin/f.dll", "MZfoxtrot\n", 0644);
  exhunt_baseline_stats d = diff(&bl, dirs, 1, NULL);
  assert_int_equal(d.unchanged, 1);
  assert_int_equal(d.added, 1);
  assert_int_equal(d.changed, 1);
  assert_int_equal(d.meta_changed, 2);
  assert_int_equal(d.removed, 1);
  assert_int_equal(rec.n_findings, 5);
  assert_int_equal(count_rule("exhunt.baseline.new_file", "/site/bin/f.dll"), 1);
  assert_int_equal(count_rule("exhunt.baseline.changed_file", "/site/b.txt"), 1);
  assert_int_equal(count_rule("exhunt.baseline.meta_changed", "/site/c.txt"), 1);
  assert_int_equal(count_rule("exhunt.baseline.meta_changed", "/site/d.txt"), 1);
  assert_int_equal(count_rule("exhunt.baseline.removed_file", "/site/bin/e.dll"), 1);
  for (size_t i = 0; i < rec.n_findings; i++)
    assert_string_equal(rec.findings[i].category, "baseline");
  exh_dynbuf_free(&bl);
}

static void test_chopper_in_aspnet_client(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("C/inetpub/wwwroot/aspnet_client/system_web"));
  put("C/inetpub/wwwroot/iisstart.htm", "<html></html>\n", 0644);
  put("C/inetpub/wwwroot/web.config", "<configuration/>\n", 0644);
  exh_dynbuf bl;
  const char *dirs[] = {"C"};
  create(dirs, 1, &bl);
  put("C/inetpub/wwwroot/aspnet_client/system_web/supp0rt.aspx", CHOPPER, 0644);
  put("C/inetpub/wwwroot/web.config", "<configuration><x/></configuration>\n", 0644);
  exhunt_baseline_stats d = diff(&bl, dirs, 1, fx.rules);
  assert_int_equal(d.added, 1);
  assert_int_equal(d.changed, 1);
  assert_int_equal(count_rule("exhunt.baseline.new_script", "/supp0rt.aspx"), 1);
  assert_int_equal(count_rule("exhunt.baseline.changed_script", "/web.config"), 1);
  size_t high = 0, content = 0;
  for (size_t i = 0; i < rec.n_findings; i++) {
    if (strcmp(rec.findings[i].rule, "exhunt.baseline.new_script") == 0)
      high += rec.findings[i].severity == EXHUNT_SEV_HIGH;
    else if (strcmp(rec.findings[i].category, "webshell") == 0 &&
             strstr(rec.findings[i].path, "supp0rt.aspx"))
      content++;
  }
  assert_int_equal(high, 1);
  assert_true(content >= 1);
  exh_dynbuf_free(&bl);
}

static void test_reference_tree_other_root_name(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("clean/wwwroot/owa/auth"));
  tu_mkdirs(tu_at("suspect/wwwroot-EX01/owa/auth"));
  put("clean/wwwroot/owa/auth/logon.aspx", "<%@ Page %>logon\n", 0644);
  put("clean/wwwroot/owa/auth/errorFE.aspx", "<%@ Page %>error\n", 0644);
  put("suspect/wwwroot-EX01/owa/auth/logon.aspx", "<%@ Page %>logon\n", 0644);
  put("suspect/wwwroot-EX01/owa/auth/errorFE.aspx", "<%@ Page %>error\n", 0644);
  put("suspect/wwwroot-EX01/owa/auth/x.aspx", "<%@ Page %>new\n", 0644);
  /* Same mtimes as the reference so only content matters. */
  struct timespec ts[2] = {{1600000000, 0}, {1600000000, 0}};
  const char *files[] = {"clean/wwwroot/owa/auth/logon.aspx", "clean/wwwroot/owa/auth/errorFE.aspx",
                         "suspect/wwwroot-EX01/owa/auth/logon.aspx",
                         "suspect/wwwroot-EX01/owa/auth/errorFE.aspx"};
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(utimensat(AT_FDCWD, tu_at(files[i]), ts, 0), 0);
  exh_dynbuf bl;
  const char *ref[] = {"clean/wwwroot"};
  create(ref, 1, &bl);
  assert_non_null(strstr(bl.data, "\"root\":\"wwwroot\",\"path\":\"owa/auth/logon.aspx\""));
  const char *sus[] = {"suspect/wwwroot-EX01"};
  exhunt_baseline_stats d = diff(&bl, sus, 1, NULL);
  assert_int_equal(d.unchanged, 2);
  assert_int_equal(d.added, 1);
  assert_int_equal(d.removed, 0);
  /* Not under a known web folder name: a low new file, unless --web. */
  assert_int_equal(count_rule("exhunt.baseline.new_file", "/owa/auth/x.aspx"), 1);
  assert_true(
      exh_bl_in_web_dir("/mnt/x/wwwroot-EX01/owa", (const char *const[]){"wwwroot-ex01/"}, 1));
  exh_dynbuf_free(&bl);
}

static void test_hostile_names_round_trip(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("t"));
  put("t/bad\xff\xfe.aspx", "x\n", 0644);
  put("t/new\nline\".aspx", "y\n", 0644);
  put("t/tab\t\\.txt", "z\n", 0644);
  exh_dynbuf bl;
  const char *dirs[] = {"t"};
  create(dirs, 1, &bl);
  assert_non_null(strstr(bl.data, "path_b64"));
  exhunt_baseline_stats d = diff(&bl, dirs, 1, NULL);
  assert_int_equal(d.unchanged, 3);
  assert_int_equal(rec.n_findings, 0);
  assert_int_equal(rec.n_notices, 0);
  exh_dynbuf_free(&bl);
}

static const char good_rec[] =
    "{\"root\":\"r\",\"path\":\"a.aspx\",\"size\":1,\"mode\":\"0644\",\"mtime\":5,"
    "\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}";

/* Parses text in pieces of `step` bytes; returns the baseline. */
static exhunt_baseline *parse_in_steps(const char *text, size_t len, size_t step)
{
  exhunt_baseline *bl = NULL;
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_baseline_new(&bl), EXHUNT_OK);
  for (size_t i = 0; i < len; i += step) {
    size_t n = len - i < step ? len - i : step;
    assert_int_equal(exhunt_baseline_parse(bl, text + i, n, &sink), EXHUNT_OK);
  }
  assert_int_equal(exhunt_baseline_parse_end(bl, &sink), EXHUNT_OK);
  return bl;
}

static void test_malformed_lines(void **state)
{
  (void)state;
  exh_dynbuf t;
  exh_dynbuf_init(&t, 0);
  exh_dynbuf_adds(&t, "{\"schema\":\"exhunt-baseline/1\",\"created\":null,\"roots\":[{\"name\":"
                      "\"r\",\"path\":\"/x/r\"}],\"host\":null}\n");
  exh_dynbuf_adds(&t, good_rec);
  exh_dynbuf_adds(&t, "\n");
  exh_dynbuf_adds(&t, "not json at all\n");                 /* 3 */
  exh_dynbuf_adds(&t, "[1,2]\n");                           /* 4 */
  exh_dynbuf_adds(&t, "{\"root\":\"r\",\"path\":\"b\"}\n"); /* 5: fields missing */
  exh_dynbuf_adds(&t, good_rec);                            /* 6: duplicate */
  exh_dynbuf_adds(&t, "\r\n\n");                            /* blank lines: fine */
  exh_dynbuf_adds(&t, "{\"root\":\"r\",\"path\":\"c\",\"size\":1,\"mode\":\"9\",\"mtime\":5,"
                      "\"sha256\":\"00\"}\n"); /* bad mode and sha */
  exh_dynbuf_addc(&t, '{');
  for (int i = 0; i < 70000; i++) /* over-long line */
    exh_dynbuf_addc(&t, 'a');
  exh_dynbuf_adds(&t, "\n");
  exh_dynbuf_adds(&t, "{\"root\":\"r\",\"path_b64\":\"Yi5hc3B4\",\"size\":2,\"mode\":\"0600\","
                      "\"mtime\":6,\"sha256\":"
                      "\"1111111111111111111111111111111111111111111111111111111111111111\"}");
  static const size_t steps[] = {1, 7, 4096, 1 << 20};
  for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
    memset(&rec, 0, sizeof rec);
    exhunt_baseline *bl = parse_in_steps(t.data, t.len, steps[s]);
    assert_int_equal(exhunt_baseline_count(bl), 2); /* a.aspx and b.aspx (base64) */
    assert_int_equal(rec_count_what(&rec, "baseline-malformed"), 6);
    assert_non_null(strstr(rec.notices[0].reason, "line 3"));
    exhunt_baseline_free(bl);
  }
  exh_dynbuf_free(&t);
}

static void test_create_leaves_evidence(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("ev/inetpub/wwwroot"));
  put("ev/inetpub/wwwroot/a.aspx", CHOPPER, 0644);
  struct timespec ts[2] = {{1500000000, 0}, {1500000000, 0}};
  assert_int_equal(utimensat(AT_FDCWD, tu_at("ev/inetpub/wwwroot/a.aspx"), ts, 0), 0);
  struct stat before, after;
  assert_int_equal(stat(tu_at("ev/inetpub/wwwroot/a.aspx"), &before), 0);
  exh_dynbuf bl;
  const char *dirs[] = {"ev"};
  create(dirs, 1, &bl);
  diff(&bl, dirs, 1, fx.rules);
  assert_int_equal(stat(tu_at("ev/inetpub/wwwroot/a.aspx"), &after), 0);
  assert_int_equal(before.st_mtime, after.st_mtime);
  assert_int_equal(before.st_atime, after.st_atime);
  assert_int_equal(before.st_size, after.st_size);
  exh_dynbuf_free(&bl);
}

/* Every allocation of parse and diff, failed in turn, fails cleanly (ASan
 * checks there is no leak or bad free on the way out). */
static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("s/inetpub/wwwroot"));
  put("s/inetpub/wwwroot/a.aspx", "a\n", 0644);
  exh_dynbuf text;
  const char *dirs[] = {"s"};
  create(dirs, 1, &text);
  put("s/inetpub/wwwroot/b.aspx", "b\n", 0644);
  const char *paths[] = {tu_at("s")};
  exhunt_sink sink = rec_sink(&rec);
  bool failed_any = true;
  unsigned long n = 1;
  for (; failed_any && n < 10000; n++) {
    memset(&rec, 0, sizeof rec);
    exhunt_baseline *bl = NULL;
    exh_alloc_fail_at(n, 1);
    exhunt_err err = exhunt_baseline_new(&bl);
    if (!err)
      err = exhunt_baseline_parse(bl, text.data, text.len, &sink);
    if (!err)
      err = exhunt_baseline_parse_end(bl, &sink);
    exhunt_baseline_opts opts;
    exhunt_baseline_opts_init(&opts);
    exhunt_baseline_stats d;
    if (!err)
      err = exhunt_baseline_diff(bl, NULL, paths, 1, &opts, &sink, NULL, &d);
    failed_any = exh_alloc_count() >= n;
    exh_alloc_fail_at(0, 0);
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM);
    if (!failed_any)
      assert_int_equal(err, EXHUNT_OK);
    exhunt_baseline_free(bl);
  }
  assert_true(n > 10); /* the sweep did fail allocations */
  exh_dynbuf_free(&text);
}

/* Regression: a diff ROOT paired by name and another paired by position must
 * not share one baseline root (files of both would be compared with it). */
static void test_no_double_pairing(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("a/A"));
  tu_mkdirs(tu_at("a/B"));
  tu_mkdirs(tu_at("x/X"));
  put("a/A/same.txt", "same\n", 0644);
  put("a/B/b.txt", "b\n", 0644);
  put("x/X/same.txt", "same\n", 0644);
  struct timespec ts[2] = {{1600000000, 0}, {1600000000, 0}};
  assert_int_equal(utimensat(AT_FDCWD, tu_at("a/A/same.txt"), ts, 0), 0);
  assert_int_equal(utimensat(AT_FDCWD, tu_at("x/X/same.txt"), ts, 0), 0);
  exh_dynbuf bl;
  const char *ref[] = {"a/A", "a/B"};
  create(ref, 2, &bl);
  const char *sus[] = {"x/X", "a/A"}; /* X: position 0 is A, but A pairs by name */
  exhunt_baseline_stats d = diff(&bl, sus, 2, NULL);
  assert_int_equal(d.unchanged, 1); /* a/A/same.txt only */
  assert_int_equal(d.added, 1);     /* x/X/same.txt: X pairs with nothing */
  assert_int_equal(d.removed, 0);   /* B was not compared */
  assert_int_equal(rec_count_what(&rec, "baseline-root-unpaired"), 1);
  exh_dynbuf_free(&bl);
}

/* Regression: two ROOTs of one name would mix their records under one key
 * space; create refuses them. */
static void test_create_refuses_duplicate_root_names(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("p/www"));
  tu_mkdirs(tu_at("q/www"));
  put("p/www/a.txt", "p\n", 0644);
  put("q/www/a.txt", "q\n", 0644);
  const char *paths[] = {tu_at("p/www"), tu_at("q/www")};
  exh_dynbuf out;
  exh_dynbuf_init(&out, 0);
  exhunt_baseline_opts opts;
  exhunt_baseline_opts_init(&opts);
  exhunt_baseline_writer w = {&out, buf_write};
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_baseline_create(paths, 2, &opts, &w, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(out.len, 0);
  exh_dynbuf_free(&out);
}

/* Regression: a ROOT that is a symlink to a file was recorded under its
 * absolute resolved path, so it never matched a reference tree. */
static void test_symlinked_file_root_is_relative(void **state)
{
  (void)state;
  tu_mkdirs(tu_at("real"));
  put("real/web.config", "<configuration/>\n", 0644);
  assert_int_equal(symlink(tu_at("real/web.config"), tu_at("link.config")), 0);
  exh_dynbuf bl;
  const char *dirs[] = {"link.config"};
  create(dirs, 1, &bl);
  assert_non_null(strstr(bl.data, "\"root\":\"link.config\",\"path\":\"web.config\""));
  exh_dynbuf_free(&bl);
}

/* Regression: a hostile baseline record with an absolute or ".." path was
 * kept, and reported as a removed file outside the ROOT. */
static void test_records_outside_root_refused(void **state)
{
  (void)state;
  static const char *const bad[] = {
      "{\"root\":\"r\",\"path\":\"../../etc/passwd\",",
      "{\"root\":\"r\",\"path\":\"/etc/passwd\",",
      "{\"root\":\"r\",\"path\":\"a/./b\",",
      "{\"root\":\"r\",\"path\":\"a/..\",",
      "{\"root\":\"x/y\",\"path\":\"a\",",
  };
  exh_dynbuf t;
  exh_dynbuf_init(&t, 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    exh_dynbuf_adds(&t, bad[i]);
    exh_dynbuf_adds(&t, "\"size\":1,\"mode\":\"0644\",\"mtime\":5,\"sha256\":\""
                        "0000000000000000000000000000000000000000000000000000000000000000\"}\n");
  }
  exh_dynbuf_adds(&t, good_rec);
  memset(&rec, 0, sizeof rec);
  exhunt_baseline *bl = parse_in_steps(t.data, t.len, 1 << 20);
  assert_int_equal(exhunt_baseline_count(bl), 1);
  assert_int_equal(rec_count_what(&rec, "baseline-malformed"), 5);
  exhunt_baseline_free(bl);
  exh_dynbuf_free(&t);
}

static long long is_script(const char *path)
{
  return exh_bl_is_script(path);
}

static long long in_web_dir(const char *path)
{
  return exh_bl_in_web_dir(path, NULL, 0);
}

static void test_classification(void **state)
{
  (void)state;
  static const tu_case scripts[] = {
      {"x/Y.ASPX", 1}, {"web.config", 1}, {"a/b.cer", 1}, {"a.aspx/readme.txt", 0}, {"noext", 0}};
  TU_CHECK_CASES(scripts, is_script);
  static const tu_case web_dirs[] = {{"/mnt/c/inetpub/wwwroot/a", 1},
                                     {"/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x", 1},
                                     {"/x/ClientAccess/ecp/y", 1},
                                     {"/x/Windows/Temp/y", 0}};
  TU_CHECK_CASES(web_dirs, in_web_dir);
  assert_true(exh_bl_in_web_dir("/x/Windows/Temp/y", (const char *const[]){"windows\\temp"}, 1));
}

TU_MAIN(&fx, test_added_changed_meta_removed, test_chopper_in_aspnet_client,
        test_reference_tree_other_root_name, test_hostile_names_round_trip, test_malformed_lines,
        test_create_leaves_evidence, test_alloc_failure_sweep, test_no_double_pairing,
        test_create_refuses_duplicate_root_names, test_symlinked_file_root_is_relative,
        test_records_outside_root_refused, test_classification)
