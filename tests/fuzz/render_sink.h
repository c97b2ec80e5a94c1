/*
 * render_sink.h - the sink the end-to-end fuzz targets share: each record
 * they are told is rendered as the CLI would (JSON lines; findings also as
 * text where the target asks), into one buffer reset per record, so every
 * hostile string a parser lets through reaches the formatters.
 */
#ifndef FUZZ_RENDER_SINK_H
#define FUZZ_RENDER_SINK_H

#include <stdbool.h>

#include "core/dynbuf.h"
#include "exhunt/exhunt.h"
#include "output/format.h"

static exh_dynbuf render_out;
static bool render_text; /* findings as text too */

static inline void render_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  exh_dynbuf_reset(&render_out);
  exh_jsonl_finding(&render_out, f);
  if (render_text)
    exh_text_finding(&render_out, f, false, true);
}

static inline void render_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  exh_dynbuf_reset(&render_out);
  exh_jsonl_notice(&render_out, n);
}

static inline void render_coverage(void *ctx, const exhunt_coverage *c)
{
  (void)ctx;
  exh_dynbuf_reset(&render_out);
  exh_jsonl_coverage(&render_out, c);
}

static inline void render_build(void *ctx, const exhunt_build_seen *b)
{
  (void)ctx;
  exh_dynbuf_reset(&render_out);
  exh_jsonl_build(&render_out, b);
}

/* The sink, findings rendered as text too when `text`. */
static inline exhunt_sink render_sink(bool text)
{
  render_text = text;
  exhunt_sink s = {.on_finding = render_finding,
                   .on_notice = render_notice,
                   .on_coverage = render_coverage,
                   .on_build = render_build};
  return s;
}

#endif
