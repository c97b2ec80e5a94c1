/*
 * dynbuf.c - capped growable buffer; see dynbuf.h.
 */
#include "dynbuf.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "limits.h"

void exh_dynbuf_init(exh_dynbuf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max ? max : EXH_DYNBUF_MAX;
}

void exh_dynbuf_free(exh_dynbuf *b)
{
  exh_free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void exh_dynbuf_reset(exh_dynbuf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

exhunt_err exh_dynbuf_reserve(exh_dynbuf *b, size_t extra)
{
  if (extra > b->max - b->len)
    return EXHUNT_ELIMIT;
  size_t need = b->len + extra + 1; /* +1 for the terminating NUL */
  if (need <= b->cap)
    return EXHUNT_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > b->max + 1)
    cap = b->max + 1;
  char *p = exh_realloc(b->data, cap);
  if (!p)
    return EXHUNT_ENOMEM;
  b->data = p;
  b->cap = cap;
  return EXHUNT_OK;
}

exhunt_err exh_dynbuf_add(exh_dynbuf *b, const void *data, size_t len)
{
  exhunt_err err = exh_dynbuf_reserve(b, len);
  if (err)
    return err;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return EXHUNT_OK;
}

exhunt_err exh_dynbuf_addc(exh_dynbuf *b, char c)
{
  return exh_dynbuf_add(b, &c, 1);
}

exhunt_err exh_dynbuf_adds(exh_dynbuf *b, const char *s)
{
  return exh_dynbuf_add(b, s, strlen(s));
}

exhunt_err exh_dynbuf_addf(exh_dynbuf *b, const char *fmt, ...)
{
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return EXHUNT_EINVAL;
  if ((size_t)n < sizeof small)
    return exh_dynbuf_add(b, small, (size_t)n);
  exhunt_err err = exh_dynbuf_reserve(b, (size_t)n);
  if (err)
    return err;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return EXHUNT_OK;
}
