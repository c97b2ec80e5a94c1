/*
 * ascii.h - locale-free ASCII helpers shared by every engine.
 *
 * Evidence is bytes, not text in the reader's locale: a web shell's name or
 * a log field must compare the same whatever LANG the analyst runs under, so
 * nothing here calls <ctype.h>. Views are {ptr, len} and need no NUL; the
 * needle arguments are NUL-terminated literals. Bytes >= 0x80 are never
 * letters or spaces here.
 */
#ifndef EXH_CORE_ASCII_H
#define EXH_CORE_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* A byte span of input, not necessarily NUL-terminated; borrowed. */
typedef struct exh_view {
  const char *p;
  size_t n;
} exh_view;

/* 'A'..'Z' to 'a'..'z'; every other byte unchanged. */
static inline char exh_lower(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Space, tab, CR or LF: the blanks of HTTP headers, build strings and
 * config lines. */
static inline bool exh_is_space(int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* exh_is_space plus vertical tab and form feed: C's isspace() set in the
 * "C" locale, for scanning source code as a compiler would. */
static inline bool exh_is_cspace(int c)
{
  return exh_is_space(c) || c == '\v' || c == '\f';
}

/* The value of a hex digit (either case), or -1. */
static inline int exh_hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Does hay[0, len) contain `needle`, ASCII case folded on both sides? An
 * empty needle is found in anything (as strcasestr finds it). */
bool exh_contains_ci(const char *hay, size_t len, const char *needle);

/* exh_contains_ci over a NUL-terminated string; false for NULL. */
bool exh_contains_ci_str(const char *hay, const char *needle);

#endif
