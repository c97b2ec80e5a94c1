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
#include <openssl/evp.h>

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

static tu_fixture fx = {.each = TU_REC, .rec = &rec};

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

/* The pack's identity, recomputed here from the recipe in
 * docs/output-schema.md: per source "kind\0name\0<decimal length>\0text",
 * then "heuristics=on" or "=off". */
static void expected_id(const char *const *kinds, const char *const *names,
                        const char *const *texts, size_t n, bool heur, char out[65])
{
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  assert_non_null(c);
  assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
  for (size_t i = 0; i < n; i++) {
    char num[24];
    int k = snprintf(num, sizeof num, "%zu", strlen(texts[i]));
    EVP_DigestUpdate(c, kinds[i], strlen(kinds[i]) + 1);
    EVP_DigestUpdate(c, names[i], strlen(names[i]) + 1);
    EVP_DigestUpdate(c, num, (size_t)k + 1);
    EVP_DigestUpdate(c, texts[i], strlen(texts[i]));
  }
  const char *sw = heur ? "heuristics=on" : "heuristics=off";
  EVP_DigestUpdate(c, sw, strlen(sw));
  unsigned char md[32];
  unsigned int len = 0;
  assert_int_equal(EVP_DigestFinal_ex(c, md, &len), 1);
  EVP_MD_CTX_free(c);
  for (unsigned i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_pack_identity(void **state)
{
  (void)state;
  exhunt_sink sink = rec_sink(&rec);
  const char yar[] = "rule id_one { strings: $a = \"ID_ONE\" condition: $a }";
  const char tsv[] = "filename\tid.aspx\thigh\tid test\n";
  const char *kinds[] = {"yara", "iocs"}, *names[] = {"one.yar", "one.tsv"}, *texts[] = {yar, tsv};
  char want[65];

  exhunt_rules *r = new_rules(false);
  assert_int_equal(exhunt_rules_add_yara(r, "one.yar", yar, sizeof yar - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_add_iocs(r, "one.tsv", tsv, sizeof tsv - 1, &sink), EXHUNT_OK);
  assert_int_equal(exhunt_rules_compile(r, &sink), EXHUNT_OK);
  exhunt_rules_info a, again;
  exhunt_rules_get_info(r, &a);
  exhunt_rules_get_info(r, &again);
  expected_id(kinds, names, texts, 2, true, want);
  assert_string_equal(a.sha256, want);
  assert_string_equal(again.sha256, a.sha256); /* the call is repeatable */
  exhunt_rules_free(r);

  /* The same sources with the heuristics off are another pack. */
  r = new_rules(false);
  exhunt_rules_set_heuristics(r, false);
  exhunt_rules_add_yara(r, "one.yar", yar, sizeof yar - 1, &sink);
  exhunt_rules_add_iocs(r, "one.tsv", tsv, sizeof tsv - 1, &sink);
  exhunt_rules_compile(r, &sink);
  exhunt_rules_info off;
  exhunt_rules_get_info(r, &off);
  expected_id(kinds, names, texts, 2, false, want);
  assert_string_equal(off.sha256, want);
  assert_string_not_equal(off.sha256, a.sha256);
  exhunt_rules_free(r);

  /* The embedded pack: 64 lowercase hex, the same whether it is loaded
   * precompiled or (once user rules come) from source, and changed by a
   * user file added after it. */
  exhunt_rules *pre = new_rules(true), *pre2 = new_rules(true), *more = new_rules(true);
  exhunt_rules_add_yara(more, "one.yar", yar, sizeof yar - 1, &sink);
  exhunt_rules_compile(pre, &sink);
  exhunt_rules_compile(pre2, &sink);
  exhunt_rules_compile(more, &sink);
  exhunt_rules_info p1, p2, m;
  exhunt_rules_get_info(pre, &p1);
  exhunt_rules_get_info(pre2, &p2);
  exhunt_rules_get_info(more, &m);
  assert_int_equal(strlen(p1.sha256), 64);
  assert_int_equal(strspn(p1.sha256, "0123456789abcdef"), 64);
  assert_string_equal(p1.sha256, p2.sha256);
  assert_string_not_equal(p1.sha256, m.sha256);
  exhunt_rules_free(pre);
  exhunt_rules_free(pre2);
  exhunt_rules_free(more);
  assert_int_equal(rec.n_notices, 0);
}

TU_MAIN(&fx, test_default_pack_compiles, test_broken_rule_reported_by_name_others_load,
        test_same_rule_names_in_two_files, test_external_variables,
        test_public_rule_sets_compile_unchanged, test_attribution_in_findings,
        test_precompiled_and_source_pack_agree, test_pack_identity)
