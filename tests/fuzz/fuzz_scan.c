/*
 * fuzz_scan.c - libFuzzer target: an end-to-end scan of one in-memory file
 * with the whole default pack (digests, YARA, heuristics, IOCs), and every
 * finding rendered as JSONL and text, as the CLI would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"
#include "output/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static exhunt_rules *rules;
static exh_dynbuf out;

static void on_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  exh_dynbuf_reset(&out);
  exh_jsonl_finding(&out, f);
  exh_text_finding(&out, f, false, true);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  exh_dynbuf_reset(&out);
  exh_jsonl_notice(&out, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exhunt_sink sink = {.on_finding = on_finding, .on_notice = on_notice};
  if (!rules) {
    exh_dynbuf_init(&out, 0);
    if (exhunt_rules_new(&rules) || exhunt_rules_add_default(rules, &sink) ||
        exhunt_rules_compile(rules, &sink))
      abort();
  }
  exhunt_file_meta meta = {"/inetpub/wwwroot/aspnet_client/system_web/f.aspx", 1614729600, 0};
  exhunt_scan_buffer(rules, data, size, &meta, &sink);
  return 0;
}
