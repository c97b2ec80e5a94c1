/*
 * alloc.c - allocation wrapper; see alloc.h for why it exists.
 */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef EXHUNT_FAULT_INJECTION
#include <stdatomic.h>
/* Test-only state: fault injection is a process-wide switch by nature. */
static atomic_ulong g_alloc_count;
static atomic_ulong g_fail_at;
static atomic_int g_sticky;

void exh_alloc_fail_at(unsigned long n, int sticky)
{
  atomic_store(&g_alloc_count, 0);
  atomic_store(&g_fail_at, n);
  atomic_store(&g_sticky, sticky);
}

unsigned long exh_alloc_count(void)
{
  return atomic_load(&g_alloc_count);
}

static int should_fail(void)
{
  unsigned long n = atomic_fetch_add(&g_alloc_count, 1) + 1;
  unsigned long at = atomic_load(&g_fail_at);
  if (at == 0)
    return 0;
  return n == at || (atomic_load(&g_sticky) && n > at);
}
#else
static inline int should_fail(void)
{
  return 0;
}
#endif

void *exh_malloc(size_t size)
{
  if (should_fail())
    return NULL;
  return malloc(size ? size : 1);
}

void *exh_calloc(size_t n, size_t size)
{
  if (should_fail())
    return NULL;
  if (n == 0 || size == 0)
    return calloc(1, 1);
  return calloc(n, size);
}

void *exh_realloc(void *p, size_t size)
{
  if (should_fail())
    return NULL;
  return realloc(p, size ? size : 1);
}

void *exh_reallocarray(void *p, size_t n, size_t size)
{
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  return exh_realloc(p, n * size);
}

void exh_free(void *p)
{
  free(p);
}

void *exh_grow(void *p, size_t n, size_t *cap, size_t first, size_t size)
{
  if (n < *cap)
    return p;
  if (*cap > SIZE_MAX / 2)
    return NULL;
  size_t want = *cap ? *cap * 2 : first;
  void *bigger = exh_reallocarray(p, want, size);
  if (bigger)
    *cap = want;
  return bigger;
}

char *exh_strndup(const char *s, size_t n)
{
  size_t len = strnlen(s, n);
  char *copy = exh_malloc(len + 1);
  if (!copy)
    return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

char *exh_strdup(const char *s)
{
  return exh_strndup(s, SIZE_MAX);
}
