/*
 * portable.h - the seam's own implementations of what one OS's C library
 * has and another's lacks, in portable C11 (the files of lib/platform/ named
 * *_portable.c, built on every OS).
 *
 * Internal to lib/platform/: the engines call the seam's public names
 * (exh_memmem, exh_glob_match, exh_gmtime...), which are the C library's
 * on Linux (posix/) and these on Windows (win32/). They are built on Linux
 * too so that the unit tests compare them with glibc's memmem, strcasestr,
 * fnmatch and gmtime_r on random inputs (test_platform_portable.c): the
 * Windows build then runs code that was checked against the reference.
 *
 * Every function is pure (no state, no allocation) and thread-safe.
 */
#ifndef EXH_PLATFORM_PORTABLE_H
#define EXH_PLATFORM_PORTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h> /* struct tm */

/* strext_portable.c: strext.h's searches. memmem and strcasestr are the
 * two-way string matching of Crochemore and Perrin (as glibc's), so linear
 * in hlen + nlen whatever the bytes: O(1) extra space, no allocation. */
const void *exh_portable_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);
const void *exh_portable_memrchr(const void *s, int c, size_t n);
/* ASCII letters of either case, as glibc's in the C locale. */
const char *exh_portable_strcasestr(const char *hay, const char *needle);
const char *exh_portable_strchrnul(const char *s, int c);

/* glob_portable.c: fnmatch(pattern, s, 0 or FNM_CASEFOLD) in the C locale,
 * byte for byte (see glob.h): '*' and '?' cross '/', bracket expressions
 * with ranges, '!' or '^' negation and [:class:], '\' escapes. */
bool exh_portable_glob_match(const char *pattern, const char *s, bool casefold);

/* gmtime_portable.c: the UTC calendar time of t (seconds since 1970, any
 * sign) as gmtime_r gives it; false when the year does not fit an int.
 * Windows' gmtime_s refuses times before 1970 and after 3000, which NTFS
 * and glibc have. */
bool exh_portable_gmtime(int64_t t, struct tm *out);

/* utf16_portable.c: UTF-8 to UTF-16 and back, for Windows' wide-character
 * APIs. NTFS names are any sequence of 16-bit units, unpaired surrogates
 * included; to let every name round-trip (a file must not hide by being
 * unrepresentable), an unpaired surrogate travels as WTF-8: its 3-byte
 * generalised UTF-8 form. Any other ill-formed UTF-8 (overlong forms,
 * stray continuation bytes, code points past U+10FFFF, a surrogate pair
 * spelled as two 3-byte halves) is refused.
 *
 * exh_utf8_to_utf16: src[0, len) into out (cap units, NUL-terminated);
 * returns the units written without the NUL, -2 when they do not fit
 * (len + 1 units always suffice), or -1 when the input is ill-formed or
 * holds a NUL. */
ptrdiff_t exh_utf8_to_utf16(const char *src, size_t len, uint16_t *out, size_t cap);
/* exh_utf16_to_utf8: src[0, len) into out (cap bytes, NUL-terminated); the
 * bytes written without the NUL, or -2 when it does not fit (3 bytes per
 * unit always suffice), -1 when src holds a NUL. */
ptrdiff_t exh_utf16_to_utf8(const uint16_t *src, size_t len, char *out, size_t cap);

#endif
