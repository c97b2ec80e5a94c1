/*
 * source.h - byte sources for the log readers: a memory span, a file
 * descriptor, and a gzip decoder wrapped around either.
 *
 * Every log parser reads through an exh_source, never from a path, so tests,
 * fuzzers, files and (later) archives share one code path. The gzip source
 * is bounded: it stops with EXHUNT_ELIMIT past a decompressed-size cap or a
 * compression-ratio cap (gzip bombs), and reports a truncated stream as
 * EXHUNT_ETRUNCATED after handing over every byte it could decode.
 */
#ifndef EXH_SOURCE_H
#define EXH_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "exhunt/exhunt.h"

typedef struct exh_source {
  void *ctx;
  /* Reads up to cap bytes; *got == 0 means end of data. */
  exhunt_err (*read)(void *ctx, uint8_t *buf, size_t cap, size_t *got);
} exh_source;

typedef struct exh_span_source {
  const uint8_t *data;
  size_t len, pos;
} exh_span_source;

void exh_source_span(exh_source *src, exh_span_source *state, const uint8_t *data, size_t len);

typedef struct exh_fd_source {
  int fd;
  uint64_t bytes; /* read so far */
} exh_fd_source;

void exh_source_fd(exh_source *src, exh_fd_source *state, int fd);

typedef struct exh_gz_source {
  exh_source inner;
  z_stream zs;
  bool zs_ready;
  bool done;
  uint8_t in[64 * 1024];
  uint64_t in_total, out_total;
  uint64_t max_out;   /* decompressed-size cap */
  uint64_t max_ratio; /* out/in cap, once past 1 MiB of output */
} exh_gz_source;

/* Wraps `inner`. Caps of 0 take the defaults from limits.h. Free with
 * exh_gz_end(). Returns ENOMEM if zlib cannot initialise. */
exhunt_err exh_source_gzip(exh_source *src, exh_gz_source *state, exh_source inner,
                           uint64_t max_out, uint64_t max_ratio);
void exh_gz_end(exh_gz_source *state);

/* True if the bytes start like a gzip stream. */
bool exh_is_gzip(const uint8_t *head, size_t len);

#endif
