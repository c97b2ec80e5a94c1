/*
 * fuzz_ioc.c - libFuzzer target: the IOC list parser (lib/rules/ioc.c) and
 * the lookups on whatever it loaded.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  (void)n;
}

static void on_path(void *ctx, const exh_ioc *ioc)
{
  (void)ioc;
  (*(size_t *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exh_iocs set;
  exh_iocs_init(&set);
  exhunt_sink sink = {.on_notice = on_notice};
  if (exh_iocs_parse(&set, "fuzz", (const char *)data, size, &sink, NULL) == EXHUNT_OK) {
    exh_iocs_finish(&set);
    uint8_t digest[32] = {0};
    memcpy(digest, data, size < 32 ? size : 32);
    exh_iocs_find_hash(&set, EXH_IOC_SHA256, digest);
    exh_iocs_find_hash(&set, EXH_IOC_MD5, digest);
    exh_iocs_find_name(&set, "supp0rt.aspx");
    size_t hits = 0;
    exh_iocs_match_path(&set, "/inetpub/wwwroot/aspnet_client/system_web/x.aspx", on_path, &hits);
  }
  exh_iocs_free(&set);
  return 0;
}
