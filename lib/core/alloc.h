/*
 * alloc.h - the single allocation wrapper of libexhunt.
 *
 * Every allocation in lib/ goes through these functions (raw malloc/free are
 * banned there, see tools/check-banned.sh). Built with
 * EXHUNT_FAULT_INJECTION, the wrapper can fail the Nth allocation so tests can
 * sweep every allocation site and check each fails cleanly (curl's torture
 * tests work the same way). In normal builds the hook compiles away.
 */
#ifndef EXH_ALLOC_H
#define EXH_ALLOC_H

#include <stddef.h>

void *exh_malloc(size_t size);
void *exh_calloc(size_t n, size_t size);
/* Like realloc, but never frees `p` on failure. */
void *exh_realloc(void *p, size_t size);
/* n * size with an overflow check; NULL on overflow or failure. */
void *exh_reallocarray(void *p, size_t n, size_t size);
void exh_free(void *p);
/* Room for element `n` of an array of `size`-byte elements with room for
 * *cap: `p` itself while n < *cap, else a bigger copy (`first` elements,
 * then twice as many each time; *cap updated). NULL when out of memory
 * or the size would overflow, and `p` is untouched then. */
void *exh_grow(void *p, size_t n, size_t *cap, size_t first, size_t size);
char *exh_strdup(const char *s);
char *exh_strndup(const char *s, size_t n);

#ifdef EXHUNT_FAULT_INJECTION
/* Fail allocation number `n` (1-based) from now on, and every one after it
 * when `sticky`. n == 0 disables. Test-only; not thread-aware by design. */
void exh_alloc_fail_at(unsigned long n, int sticky);
/* Allocations made since the last exh_alloc_fail_at(). */
unsigned long exh_alloc_count(void);
#endif

#endif
