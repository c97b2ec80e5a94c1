/*
 * dayset.c - see dayset.h. One bit per day; counting uses the compiler's
 * population count, so the largest question (two sets of a century each)
 * costs a few thousand instructions.
 */
#include "core/dayset.h"

#include <string.h>

#include "core/alloc.h"

#define BYTES ((EXH_DAYSET_DAYS + 7u) / 8u)

int64_t exh_day_of(int64_t t)
{
  int64_t d = t / 86400;
  if (t % 86400 < 0)
    d--;
  return d;
}

/* The bit index of a day, or -1 outside the range. */
static int64_t index_of(int64_t day)
{
  int64_t i = day - EXH_DAYSET_FIRST_DAY;
  return i >= 0 && i < (int64_t)EXH_DAYSET_DAYS ? i : -1;
}

exhunt_err exh_dayset_add_days(exh_dayset *s, int64_t first_day, int64_t last_day)
{
  if (first_day > last_day)
    return EXHUNT_OK;
  /* clamp to the range: a span reaching past it still marks its days in it */
  int64_t lo = first_day < EXH_DAYSET_FIRST_DAY ? EXH_DAYSET_FIRST_DAY : first_day;
  int64_t hi_cap = EXH_DAYSET_FIRST_DAY + (int64_t)EXH_DAYSET_DAYS - 1;
  int64_t hi = last_day > hi_cap ? hi_cap : last_day;
  if (lo > hi)
    return EXHUNT_OK;
  if (!s->bits) {
    s->bits = exh_calloc(BYTES, 1);
    if (!s->bits)
      return EXHUNT_ENOMEM;
  }
  for (int64_t i = index_of(lo); i <= index_of(hi); i++)
    s->bits[i >> 3] |= (uint8_t)(1u << (i & 7));
  return EXHUNT_OK;
}

exhunt_err exh_dayset_add_span(exh_dayset *s, int64_t first, int64_t last)
{
  if (first == EXHUNT_NO_TIME)
    first = last;
  if (last == EXHUNT_NO_TIME)
    last = first;
  if (first == EXHUNT_NO_TIME)
    return EXHUNT_OK;
  return exh_dayset_add_days(s, exh_day_of(first), exh_day_of(last));
}

exhunt_err exh_dayset_add_set(exh_dayset *s, const exh_dayset *other)
{
  if (!other->bits)
    return EXHUNT_OK;
  if (!s->bits) {
    s->bits = exh_calloc(BYTES, 1);
    if (!s->bits)
      return EXHUNT_ENOMEM;
  }
  for (size_t i = 0; i < BYTES; i++)
    s->bits[i] |= other->bits[i];
  return EXHUNT_OK;
}

bool exh_dayset_has(const exh_dayset *s, int64_t day)
{
  int64_t i = index_of(day);
  return s->bits && i >= 0 && (s->bits[i >> 3] >> (i & 7)) & 1u;
}

uint32_t exh_dayset_count(const exh_dayset *s)
{
  uint32_t n = 0;
  for (size_t i = 0; s->bits && i < BYTES; i++)
    n += (uint32_t)__builtin_popcount(s->bits[i]);
  return n;
}

uint32_t exh_dayset_count_in(const exh_dayset *s, int64_t first_day, int64_t last_day)
{
  uint32_t n = 0;
  if (!s->bits || first_day > last_day)
    return 0;
  int64_t lo = first_day < EXH_DAYSET_FIRST_DAY ? EXH_DAYSET_FIRST_DAY : first_day;
  for (int64_t d = lo; d <= last_day && index_of(d) >= 0; d++)
    n += exh_dayset_has(s, d);
  return n;
}

uint32_t exh_dayset_count_both(const exh_dayset *a, const exh_dayset *b)
{
  uint32_t n = 0;
  for (size_t i = 0; a->bits && b->bits && i < BYTES; i++)
    n += (uint32_t)__builtin_popcount((unsigned)(a->bits[i] & b->bits[i]));
  return n;
}

exhunt_err exh_dayset_spans(const exh_dayset *s, exhunt_day_span **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  if (!s->bits)
    return EXHUNT_OK;
  size_t n = 0;
  bool in = false;
  for (int64_t i = 0; i < (int64_t)EXH_DAYSET_DAYS; i++) {
    bool has = (s->bits[i >> 3] >> (i & 7)) & 1u;
    n += has && !in;
    in = has;
  }
  if (n == 0)
    return EXHUNT_OK;
  exhunt_day_span *v = exh_calloc(n, sizeof *v);
  if (!v)
    return EXHUNT_ENOMEM;
  size_t k = 0;
  in = false;
  for (int64_t i = 0; i < (int64_t)EXH_DAYSET_DAYS; i++) {
    bool has = (s->bits[i >> 3] >> (i & 7)) & 1u;
    int64_t t = (EXH_DAYSET_FIRST_DAY + i) * 86400;
    if (has && !in)
      v[k].first = t;
    if (has)
      v[k].last = t;
    if (!has && in)
      k++;
    in = has;
  }
  *out = v;
  *n_out = n;
  return EXHUNT_OK;
}

void exh_dayset_free(exh_dayset *s)
{
  exh_free(s->bits);
  s->bits = NULL;
}
