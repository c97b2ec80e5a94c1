/*
 * fuzz_logs.c - libFuzzer target: the log readers and detectors end to end
 * (gzip, lines, Exchange CSV and W3C tables, every family's detectors,
 * SSRF classification, coverage), with every finding rendered as JSONL.
 * The first byte picks the path, so each family's code path is reached,
 * and whether requests to web shells found on disk are looked for (the
 * hunt's shell URLs: one more literal pass and the per-record lookup).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "logs/known.h"
#include "render_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const paths[] = {"/ev/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030312-1.LOG",
                                      "/ev/V15/Logging/ECP/Server/ECPServer20210303-1.LOG",
                                      "/ev/V15/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG",
                                      "/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
                                      "/ev/unknown.log"};
  exhunt_sink sink = render_sink(true);
  sink.on_build = NULL;
  if (size >= 8 && memcmp(data, "ElfFile", 8) == 0) {
    /* EVTX files go in whole (so real ones can seed and replay as is). */
    exhunt_logs_buffer("/ev/Windows/System32/winevt/Logs/Security.evtx", data, size, &sink);
    return 0;
  }
  const char *path = paths[size ? data[0] % 5 : 0];
  static const char *const shells[] = {"/aspnet_client/x.aspx", "/app/iisstart2.aspx",
                                       "/owa/auth/a.aspx", "/a", "/A/B"};
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  if (size && (data[0] / 5) % 2) {
    opts.shell_urls = shells;
    opts.n_shell_urls = sizeof shells / sizeof *shells;
  }
  exh_logs_buffer_opts(path, size ? data + 1 : data, size ? size - 1 : 0, &opts, &sink);
  return 0;
}
