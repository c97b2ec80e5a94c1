/*
 * fuzz_scan.c - libFuzzer target: an end-to-end scan of one in-memory file
 * with the whole default pack (digests, YARA, heuristics, IOCs), and every
 * finding rendered as JSONL and text, as the CLI would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "render_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static exhunt_rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exhunt_sink sink = render_sink(true);
  sink.on_coverage = NULL;
  sink.on_build = NULL;
  if (!rules) {
    exh_dynbuf_init(&render_out, 0);
    if (exhunt_rules_new(&rules) || exhunt_rules_add_default(rules, &sink) ||
        exhunt_rules_compile(rules, &sink))
      abort();
  }
  exhunt_file_meta meta = {"/inetpub/wwwroot/aspnet_client/system_web/f.aspx", 1614729600, 0};
  exhunt_scan_buffer(rules, data, size, &meta, &sink);
  return 0;
}
