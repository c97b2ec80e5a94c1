/*
 * test_rules.c - loading rules: the embedded pack, user YARA files (good,
 * broken, needing external variables), every public rule file in
 * ../shared/research-data/yara, and attribution carried into findings.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"

static recorder rec;

static exhunt_rules *new_rules(bool with_default)
{
  exhunt_rules *r = NULL;
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_rules_new(&r), EXHUNT_OK);
  if (with_default)
    assert_int_equal(exhunt_rules_add_default(r, &sink), EXHUNT_OK);
  return r;
}

static int setup(void **state)
{
  (void)state;
  memset(&rec, 0, sizeof rec);
  return 0;
}

static void test_default_pack_compiles(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *r = new_rules(true);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
  exhunt_rules_info info;
  exhunt_rules_get_info(r, &info);
  assert_true(info.yara_rules >= 800); /* signature-base web-shell sets + ours */
  assert_true(info.iocs_sha256 >= 20);
  assert_true(info.iocs_name + info.iocs_path > 10);
  assert_true(info.heuristics);
  assert_int_equal(rec.n_notices, 0); /* the pack itself loads without a word */
  exhunt_rules_free(r);
}

static void test_broken_rule_reported_by_name_others_load(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *r = new_rules(false);
  const char good1[] = "rule good_one { strings: $a = \"MARKER_ONE\" condition: $a }";
  const char broken[] = "rule broken {\n strings: $a = \"xyz\"\n condition: $a and and }";
  const char good2[] = "rule good_two { strings: $a = \"MARKER_TWO\" condition: $a }";
  assert_int_equal(exhunt_rules_add_yara(r, "good1.yar", good1, sizeof good1 - 1, &sink),
                   EXHUNT_OK);
  assert_int_equal(exhunt_rules_add_yara(r, "broken.yar", broken, sizeof broken - 1, &sink),
                   EXHUNT_ERULES);
  assert_int_equal(exhunt_rules_add_yara(r, "good2.yar", good2, sizeof good2 - 1, &sink),
                   EXHUNT_OK);
  assert_int_equal(rec_count_what(&rec, "rule-compile"), 1);
  const rec_notice *n = NULL;
  for (size_t i = 0; i < rec.n_notices; i++)
    if (strcmp(rec.notices[i].what, "rule-compile") == 0)
      n = &rec.notices[i];
  assert_non_null(n);
  assert_string_equal(n->path, "broken.yar");
  if (!strstr(n->reason, "line 3"))
    fail_msg("reason: %s", n->reason);
  assert_int_equal(n->kind, EXHUNT_NOTICE_ERROR);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);

  const char data[] = "xx MARKER_ONE yy MARKER_TWO";
  exhunt_file_meta meta = {"t/file.txt", 0, 0};
  assert_int_equal(exhunt_scan_buffer(r, (const uint8_t *)data, sizeof data - 1, &meta, &sink),
                   EXHUNT_OK);
  assert_int_equal(rec.n_findings, 2);
  exhunt_rules_free(r);
}

static void test_same_rule_names_in_two_files(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *r = new_rules(false);
  const char a[] = "rule same { strings: $a = \"AAA\" condition: $a }";
  assert_int_equal(exhunt_rules_add_yara(r, "a.yar", a, sizeof a - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_add_yara(r, "b.yar", a, sizeof a - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
  exhunt_rules_free(r);
}

static void test_external_variables(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *r = new_rules(false);
  const char rule[] = "rule ext { condition: extension == \".aspx\" and filename == \"Shell.ASPX\" "
                      "and filepath contains \"/owa/auth/\" and filetype == \"ASP\" and owner != "
                      "\"\" }";
  assert_int_equal(exhunt_rules_add_yara(r, "ext.yar", rule, sizeof rule - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
  exhunt_file_meta hit = {"/ev/owa/auth/Shell.ASPX", 0, 0};
  exhunt_file_meta miss = {"/ev/owa/auth/Shell.txt", 0, 0};
  const char data[] = "<%@ Page %>";
  exhunt_scan_buffer(r, (const uint8_t *)data, sizeof data - 1, &hit, &sink);
  exhunt_scan_buffer(r, (const uint8_t *)data, sizeof data - 1, &miss, &sink);
  assert_int_equal(rec_count_path(&rec, "Shell.ASPX"), 1);
  assert_int_equal(rec_count_path(&rec, "Shell.txt"), 0);
  exhunt_rules_free(r);
}

/* Every public rule file under ../shared/research-data/yara compiles
 * unchanged, each on its own (two need external variables, one uses the
 * math module). */
static void test_public_rule_sets_compile_unchanged(void **state)
{
  (void)state;
  const char *dirs[] = {EXHUNT_SHARED_DIR "/research-data/yara/signature-base",
                        EXHUNT_SHARED_DIR "/research-data/yara/volexity",
                        EXHUNT_SHARED_DIR "/research-data/yara/nsacyber"};
  size_t files = 0;
  for (size_t d = 0; d < 3; d++) {
    DIR *dir = opendir(dirs[d]);
    if (!dir)
      skip(); /* ../shared absent: not on this machine */
    struct dirent *de;
    while ((de = readdir(dir))) {
      const char *dot = strrchr(de->d_name, '.');
      if (!dot || (strcmp(dot, ".yar") && strcmp(dot, ".yara")))
        continue;
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", dirs[d], de->d_name);
      FILE *f = fopen(path, "rb");
      assert_non_null(f);
      static char text[1 << 20];
      size_t len = fread(text, 1, sizeof text, f);
      fclose(f);
      exhunt_sink sink = rec_sink(&rec);
      exhunt_rules *r = new_rules(false);
      exhunt_err err = exhunt_rules_add_yara(r, path, text, len, &sink);
      if (err)
        fail_msg("%s: %s", path, rec.n_notices ? rec.notices[rec.n_notices - 1].reason : "?");
      assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
      exhunt_rules_free(r);
      files++;
    }
    closedir(dir);
  }
  assert_true(files >= 18);
}

static void test_attribution_in_findings(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *r = new_rules(true);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
  exhunt_file_meta meta = {"/ev/inetpub/wwwroot/aspnet_client/system_web/x.aspx", 0, 0};
  const char shell[] = CHOPPER;
  assert_int_equal(exhunt_scan_buffer(r, (const uint8_t *)shell, sizeof shell - 1, &meta, &sink),
                   EXHUNT_OK);
  bool signature_base = false, path_ioc = false;
  for (size_t i = 0; i < rec.n_findings; i++) {
    rec_finding *f = &rec.findings[i];
    assert_true(f->have_sha256);
    if (strcmp(f->source, "signature-base") == 0) {
      signature_base = true;
      assert_true(strlen(f->author) > 0);
      assert_true(strlen(f->license) > 0);
    }
    if (strcmp(f->category, "ioc-path") == 0)
      path_ioc = true;
  }
  assert_true(signature_base);
  assert_true(path_ioc);
  exhunt_rules_free(r);
}

/* The embedded pack loads precompiled; adding a user rule makes it compile
 * from its (also embedded) sources instead. Both must give the same rules. */
static void test_precompiled_and_source_pack_agree(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  exhunt_rules *pre = new_rules(true);
  assert_int_equal(exhunt_rules_compile(pre, &sink), EXHUNT_OK);
  exhunt_rules *src = new_rules(true);
  const char user[] = "rule user_marker { strings: $a = \"Jscript\" condition: $a }";
  assert_int_equal(exhunt_rules_add_yara(src, "user.yar", user, sizeof user - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_compile(src, &sink), EXHUNT_OK);
  exhunt_rules_info a, b;
  exhunt_rules_get_info(pre, &a);
  exhunt_rules_get_info(src, &b);
  assert_int_equal(b.yara_rules, a.yara_rules + 1);
  assert_int_equal(b.yara_files, a.yara_files + 1);

  exhunt_file_meta meta = {"/ev/x.aspx", 0, 0};
  const char shell[] = CHOPPER;
  exhunt_scan_buffer(pre, (const uint8_t *)shell, sizeof shell - 1, &meta, &sink);
  size_t from_pre = rec.n_findings;
  exhunt_scan_buffer(src, (const uint8_t *)shell, sizeof shell - 1, &meta, &sink);
  size_t from_src = rec.n_findings - from_pre;
  assert_true(from_pre >= 5);
  assert_int_equal(from_src, from_pre + 1); /* the same, plus user_marker */
  for (size_t i = 0; i < from_pre; i++) {
    assert_string_equal(rec.findings[i].rule, rec.findings[from_pre + i].rule);
    assert_string_equal(rec.findings[i].source, rec.findings[from_pre + i].source);
  }
  assert_int_equal(rec.n_notices, 0);
  exhunt_rules_free(pre);
  exhunt_rules_free(src);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_default_pack_compiles, setup),
      cmocka_unit_test_setup(test_broken_rule_reported_by_name_others_load, setup),
      cmocka_unit_test_setup(test_same_rule_names_in_two_files, setup),
      cmocka_unit_test_setup(test_external_variables, setup),
      cmocka_unit_test_setup(test_public_rule_sets_compile_unchanged, setup),
      cmocka_unit_test_setup(test_attribution_in_findings, setup),
      cmocka_unit_test_setup(test_precompiled_and_source_pack_agree, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
