/*
 * fuzz_exposure.c - libFuzzer target: the exposure engine's parsers. The
 * first byte picks one: the build-string parser (with a format round
 * trip), the build database loader followed by verdicts, or the evidence
 * examiners on one in-memory file (Exchange log head/tail, gzip included;
 * ExSetup.exe through the PE parser; an AdminDisplayVersion dump, UTF-16
 * folding included; Setup's ExchangeSetup.log), every record rendered as
 * JSONL.
 */
#include <stdlib.h>
#include <string.h>

#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "render_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  exhunt_sink sink = render_sink(false);
  sink.on_coverage = NULL;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  switch (data[0] % 6) {
  case 0: {
    exhunt_build b, again;
    if (exhunt_build_parse(text, len, &b) == EXHUNT_OK) {
      char s[EXHUNT_BUILD_STRLEN];
      exhunt_build_format(&b, s);
      /* What was parsed formats to text that parses back to it. */
      if (exhunt_build_parse(s, strlen(s), &again) != EXHUNT_OK ||
          exhunt_build_compare(&b, &again) != 0 || b.has_revision != again.has_revision)
        abort();
    }
    break;
  }
  case 1: {
    exh_builddb db;
    exhunt_err err = exh_builddb_parse(&db, text, len, &sink);
    if (err == EXHUNT_OK || err == EXHUNT_ECORRUPT) {
      static const exhunt_build probes[] = {{15, 1, 2176, 2, true}, {15, 1, 2176, 0, false},
                                            {14, 3, 513, 0, true},  {15, 2, 1118, 20, true},
                                            {15, 0, 1497, 2, true}, {9, 9, 9, 9, true}};
      for (size_t p = 0; p < sizeof probes / sizeof *probes; p++) {
        for (size_t f = 0; f < db.n_families; f++) {
          exh_verdict v;
          exh_exposure_verdict(&db, &probes[p], f, &v);
        }
        exhunt_exposure_ctx ctx = {"fuzz", NULL, NULL, EXHUNT_NO_TIME, 0};
        exh_exposure_assess_db(&db, &probes[p], &ctx, &sink);
      }
    }
    exh_builddb_free(&db);
    break;
  }
  case 2:
    exh_exposure_buffer("/ev/Logging/HttpProxy/Owa/HttpProxy_2021030312-1.LOG", data + 1, len, 0, 0,
                        &sink);
    break;
  case 3:
    exh_exposure_buffer("/ev/V15/Bin/ExSetup.exe", data + 1, len, 0, 0, &sink);
    break;
  case 5:
    exh_exposure_buffer("/ev/ExchangeSetupLogs/ExchangeSetup.log", data + 1, len, 0, 0, &sink);
    break;
  default:
    exh_exposure_buffer("/ev/collected/Get-ExchangeServer.txt", data + 1, len, 0, 0, &sink);
    break;
  }
  exh_dynbuf_free(&render_out);
  return 0;
}
