/*
 * fuzz_evtx.c - libFuzzer target: EVTX through libevtx and our glue
 * (lib/logs/evtx.c): the libbfio handle over an exh_ra byte span, the
 * record loop, and the XML field extractor. An input that starts with the
 * EVTX signature "ElfFile\0" is read as a file (real recordings seed and
 * replay as they are); any other input goes straight to
 * exh_event_from_xml, as if libevtx had rendered it: record checksums make
 * the XML hard to reach by mutating whole files, and a hostile file's
 * binary XML can render to any element nesting.
 * Checks: every view of every event is readable; ASan does the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h> /* ssize_t */

#include "core/dynbuf.h"
#include "logs/detect.h"
#include "logs/evtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink_byte;

static void touch(exh_view v)
{
  for (size_t i = 0; i < v.n; i++)
    sink_byte += (unsigned char)v.p[i];
}

static void check_event(const exh_event *ev)
{
  if (ev->n_fields > EXH_EVENT_FIELDS)
    abort();
  touch(ev->channel);
  touch(ev->provider);
  touch(ev->message);
  for (size_t i = 0; i < ev->n_fields; i++) {
    sink_byte += (unsigned)strlen(ev->fields[i].name);
    touch(ev->fields[i].value);
  }
  exh_log_hit hits[4];
  if (exh_detect_event(ev, hits, 4) > 4)
    abort();
}

static void on_event(void *ctx, const exh_event *ev, uint64_t record)
{
  (void)record;
  (*(uint64_t *)ctx)++;
  check_event(ev);
}

typedef struct span {
  const uint8_t *data;
  size_t len;
} span;

static ssize_t span_pread(void *ctx, uint8_t *buf, size_t size, uint64_t offset)
{
  const span *s = ctx;
  if (offset >= s->len)
    return 0;
  size_t n = s->len - (size_t)offset < size ? s->len - (size_t)offset : size;
  memcpy(buf, s->data + offset, n);
  return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (exh_is_evtx(data, size)) {
    span s = {data, size};
    exh_ra ra = {&s, span_pread, size};
    exh_evtx_stats st;
    uint64_t events = 0;
    exhunt_err err = exh_evtx_read(&ra, on_event, &events, &st);
    if (err != EXHUNT_OK && err != EXHUNT_ECORRUPT)
      abort();
    if (events + st.unreadable > st.records)
      abort();
    return 0;
  }
  static exh_event ev;
  exh_dynbuf scratch;
  exh_dynbuf_init(&scratch, 0);
  if (exh_event_from_xml(&ev, (const char *)data, size, &scratch))
    check_event(&ev);
  exh_dynbuf_free(&scratch);
  return 0;
}
