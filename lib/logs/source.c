/*
 * source.c - span, fd and gzip byte sources; see source.h.
 */
#include "source.h"

#include <errno.h>
#include <string.h>

#include "core/limits.h"
#include "platform/fs.h"

static exhunt_err span_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  exh_span_source *s = ctx;
  size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
  if (n)
    memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  *got = n;
  return EXHUNT_OK;
}

void exh_source_span(exh_source *src, exh_span_source *state, const uint8_t *data, size_t len)
{
  state->data = data;
  state->len = data ? len : 0;
  state->pos = 0;
  src->ctx = state;
  src->read = span_read;
}

static exhunt_err fd_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  exh_fd_source *s = ctx;
  for (;;) {
    exh_ssize n = exh_read(s->fd, buf, cap);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *got = 0;
      return EXHUNT_EIO;
    }
    *got = (size_t)n;
    s->bytes += (uint64_t)n;
    return EXHUNT_OK;
  }
}

void exh_source_fd(exh_source *src, exh_fd_source *state, int fd)
{
  state->fd = fd;
  state->bytes = 0;
  src->ctx = state;
  src->read = fd_read;
}

bool exh_is_gzip(const uint8_t *head, size_t len)
{
  return len >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8;
}

static exhunt_err gz_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
  exh_gz_source *g = ctx;
  *got = 0;
  if (g->done || cap == 0)
    return EXHUNT_OK;
  g->zs.next_out = buf;
  g->zs.avail_out = cap > UINT32_MAX ? UINT32_MAX : (uInt)cap;
  while (g->zs.avail_out > 0) {
    if (g->zs.avail_in == 0) {
      size_t n = 0;
      exhunt_err err = g->inner.read(g->inner.ctx, g->in, sizeof g->in, &n);
      if (err)
        return err;
      if (n == 0) {
        /* Input ended inside the stream. */
        g->done = true;
        *got = cap - g->zs.avail_out;
        return EXHUNT_ETRUNCATED;
      }
      g->in_total += n;
      g->zs.next_in = g->in;
      g->zs.avail_in = (uInt)n;
    }
    int rc = inflate(&g->zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      /* Concatenated members (gzip -c a b > c.gz) are one file to a reader. */
      if (g->zs.avail_in > 0 && inflateReset(&g->zs) == Z_OK)
        continue;
      size_t n = 0;
      if (g->zs.avail_in == 0) {
        exhunt_err err = g->inner.read(g->inner.ctx, g->in, sizeof g->in, &n);
        if (err)
          return err;
        if (n > 0 && inflateReset(&g->zs) == Z_OK) {
          g->in_total += n;
          g->zs.next_in = g->in;
          g->zs.avail_in = (uInt)n;
          continue;
        }
      }
      g->done = true;
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      g->done = true;
      *got = cap - g->zs.avail_out;
      return EXHUNT_ECORRUPT;
    }
  }
  *got = cap - g->zs.avail_out;
  g->out_total += *got;
  if (g->out_total > g->max_out ||
      (g->out_total > 1024 * 1024 &&
       g->out_total / (g->in_total ? g->in_total : 1) > g->max_ratio)) {
    g->done = true;
    return EXHUNT_ELIMIT;
  }
  return EXHUNT_OK;
}

exhunt_err exh_source_gzip(exh_source *src, exh_gz_source *state, exh_source inner,
                           uint64_t max_out, uint64_t max_ratio)
{
  memset(&state->zs, 0, sizeof state->zs);
  state->inner = inner;
  state->zs_ready = false;
  state->done = false;
  state->in_total = state->out_total = 0;
  state->max_out = max_out ? max_out : EXH_GZ_MAX_OUT;
  state->max_ratio = max_ratio ? max_ratio : EXH_GZ_MAX_RATIO;
  /* 16 + MAX_WBITS: gzip wrapper only. */
  if (inflateInit2(&state->zs, 16 + MAX_WBITS) != Z_OK)
    return EXHUNT_ENOMEM;
  state->zs_ready = true;
  src->ctx = state;
  src->read = gz_read;
  return EXHUNT_OK;
}

void exh_gz_end(exh_gz_source *state)
{
  if (state->zs_ready)
    inflateEnd(&state->zs);
  state->zs_ready = false;
}
