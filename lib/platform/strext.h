/*
 * strext.h - the C library's string searches beyond ISO C (lib/platform/;
 * glibc's own in posix/strext.c).
 *
 * memmem, memrchr, strcasestr and strchrnul are GNU extensions: glibc has
 * them (memmem with a two-way search, linear even on a hostile haystack and
 * needle), mingw-w64's C runtime has none. The engines search attacker
 * bytes with them, so a port must keep them linear, not write the naive
 * loop: hence they sit behind the seam, not in core/.
 */
#ifndef EXH_PLATFORM_STREXT_H
#define EXH_PLATFORM_STREXT_H

#include <stddef.h>

/* The first `needle` (nlen bytes) in hay[0, hlen), or NULL; hay for nlen 0. */
const void *exh_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);

/* The last byte `c` in s[0, n), or NULL. */
const void *exh_memrchr(const void *s, int c, size_t n);

/* The first `needle` in `hay`, ASCII letters of either case, or NULL. */
const char *exh_strcasestr(const char *hay, const char *needle);

/* The first `c` in `s`, or its terminating NUL. */
const char *exh_strchrnul(const char *s, int c);

#endif
