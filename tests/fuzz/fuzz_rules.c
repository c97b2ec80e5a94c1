/*
 * fuzz_rules.c - libFuzzer target: rule loading through the public API as
 * the CLI does it for --rules and --iocs: YARA source text through our
 * glue (namespaces, the external variables, compile errors reported through
 * the sink) and the IOC list loader, then one scan of a small fixed buffer
 * so a rule that compiled is run, its metadata (severity, score, ...) read
 * by our match callback. The first byte picks YARA (even) or IOC (odd).
 * libyara's compile is slow on long text: run it with -max_len=4096
 * (tests/fuzz/rules.flags).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  if (!f->rule || !f->path)
    abort();
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  static const char sample[] = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],"
                               "\"unsafe\");%> supp0rt.aspx MZ\x90";
  exhunt_sink sink = {.on_finding = on_finding, .on_notice = on_notice};
  exhunt_rules *rules = NULL;
  if (exhunt_rules_new(&rules) != EXHUNT_OK)
    abort();
  exhunt_rules_set_heuristics(rules, false);
  const char *text = (const char *)data + 1;
  exhunt_err err = data[0] % 2 == 0
                       ? exhunt_rules_add_yara(rules, "fuzz.yar", text, size - 1, &sink)
                       : exhunt_rules_add_iocs(rules, "fuzz.tsv", text, size - 1, &sink);
  if (err != EXHUNT_OK && err != EXHUNT_ERULES && err != EXHUNT_ECORRUPT && err != EXHUNT_ELIMIT)
    abort();
  if (exhunt_rules_compile(rules, &sink) == EXHUNT_OK) {
    exhunt_rules_info info;
    exhunt_rules_get_info(rules, &info);
    exhunt_file_meta meta = {"/inetpub/wwwroot/aspnet_client/supp0rt.aspx", 1614729600, 0};
    exhunt_scan_buffer(rules, (const uint8_t *)sample, sizeof sample - 1, &meta, &sink);
  }
  exhunt_rules_free(rules);
  return 0;
}
