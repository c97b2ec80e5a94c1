/*
 * fuzz_events.c - libFuzzer target: the JSON-lines event reader
 * (lib/logs/events.c) as the log engine drives it: lines from exh_lines,
 * each through exh_event_from_json (OTRF, winlogbeat, Velociraptor shapes,
 * nested objects flattened), the field lookups and the event detectors.
 * Checks: the field count stays within EXH_EVENT_FIELDS, every view is
 * readable, a refused line holds no document (LeakSanitizer sees the rest).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/detect.h"
#include "logs/events.h"
#include "logs/lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink_byte;

static void touch(exh_view v)
{
  for (size_t i = 0; i < v.n; i++)
    sink_byte += (unsigned char)v.p[i];
}

static exh_event ev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  exh_span_source span;
  exh_source src;
  exh_lines lines;
  exh_source_span(&src, &span, data, size);
  if (exh_lines_init(&lines, src) != EXHUNT_OK)
    abort();
  const char *line;
  size_t len;
  bool truncated;
  while (exh_lines_next(&lines, &line, &len, &truncated)) {
    if (!exh_event_from_json(&ev, line, len)) {
      if (ev.doc || ev.n_fields)
        abort();
      continue;
    }
    if (ev.n_fields > EXH_EVENT_FIELDS || (ev.channel.n == 0 && ev.event_id < 0))
      abort();
    touch(ev.channel);
    touch(ev.provider);
    touch(ev.message);
    for (size_t i = 0; i < ev.n_fields; i++) {
      if (!ev.fields[i].name)
        abort();
      sink_byte += (unsigned)strlen(ev.fields[i].name);
      touch(ev.fields[i].value);
    }
    touch(exh_event_get(&ev, "CommandLine"));
    touch(exh_event_get(&ev, "ParentImage"));
    exh_log_hit hits[4];
    size_t n = exh_detect_event(&ev, hits, 4);
    if (n > 4)
      abort();
    exh_event_free(&ev);
  }
  exh_lines_free(&lines);
  return 0;
}
