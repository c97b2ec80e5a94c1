/*
 * dynbuf.h - a growable byte buffer with a hard ceiling (after curl's dynbuf).
 *
 * Every buffer that grows from input grows through this, so no input can make
 * the process allocate without bound: appends past `max` fail with
 * EXHUNT_ELIMIT and leave the buffer as it was.
 */
#ifndef EXH_DYNBUF_H
#define EXH_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/compiler.h"
#include "exhunt/exhunt.h"

typedef struct exh_dynbuf {
  char *data; /* always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  size_t max; /* ceiling for len */
} exh_dynbuf;

void exh_dynbuf_init(exh_dynbuf *b, size_t max);
void exh_dynbuf_free(exh_dynbuf *b);
void exh_dynbuf_reset(exh_dynbuf *b); /* len = 0, keeps memory */
exhunt_err exh_dynbuf_reserve(exh_dynbuf *b, size_t extra);
exhunt_err exh_dynbuf_add(exh_dynbuf *b, const void *data, size_t len);
exhunt_err exh_dynbuf_addc(exh_dynbuf *b, char c);
exhunt_err exh_dynbuf_adds(exh_dynbuf *b, const char *s);
exhunt_err exh_dynbuf_addf(exh_dynbuf *b, const char *fmt, ...) EXH_PRINTF(2, 3);

#endif
