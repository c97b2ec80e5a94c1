/*
 * glob_portable.c - fnmatch(3) in portable C (platform/portable.h), for a
 * C library without it (mingw-w64's; Windows' PathMatchSpec has no bracket
 * expressions and treats '.' specially).
 *
 * The rules are glibc's fnmatch with flags 0 or FNM_CASEFOLD in the C
 * locale, byte for byte, including its handling of malformed patterns (an
 * unterminated '[' is a literal '['; a trailing '\' matches nothing; an
 * unknown [:class:] fails): the unit tests compare the two on random
 * patterns and strings (test_platform_portable.c). Bracket expressions are
 * read as glibc reads them, one element at a time; '*' keeps one
 * backtracking point (the last star), which gives fnmatch's answer without
 * its exponential retries: O(len(pattern) * len(s)) at worst.
 */
#include <stddef.h>
#include <string.h>

#include "platform/portable.h"

static unsigned char fold(unsigned char c, bool casefold)
{
  return casefold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The C locale's character classes (ASCII; no byte above 0x7f is in any). */
static bool in_class(const char *name, unsigned char c)
{
  bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
  bool alpha = upper || lower, cntrl = c < 0x20 || c == 0x7f, print = c >= 0x20 && c < 0x7f;
  static const struct {
    const char *name;
    int id;
  } classes[] = {{"alnum", 0}, {"alpha", 1}, {"blank", 2},  {"cntrl", 3},
                 {"digit", 4}, {"graph", 5}, {"lower", 6},  {"print", 7},
                 {"punct", 8}, {"space", 9}, {"upper", 10}, {"xdigit", 11}};
  for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
    if (strcmp(name, classes[i].name) != 0)
      continue;
    switch (classes[i].id) {
    case 0:
      return alpha || digit;
    case 1:
      return alpha;
    case 2:
      return c == ' ' || c == '\t';
    case 3:
      return cntrl;
    case 4:
      return digit;
    case 5:
      return print && c != ' ';
    case 6:
      return lower;
    case 7:
      return print;
    case 8:
      return print && c != ' ' && !alpha && !digit;
    case 9:
      return c == ' ' || (c >= '\t' && c <= '\r');
    case 10:
      return upper;
    default:
      return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
  }
  return false;
}

static bool class_known(const char *name)
{
  static const char *const names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                      "lower", "print", "punct", "space", "upper", "xdigit"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(name, names[i]) == 0)
      return true;
  return false;
}

/* glibc's limit on a class name; a longer one makes the pattern fail. */
#define CLASS_NAME_MAX 256

enum bracket_result {
  BRACKET_FAIL,    /* this character does not match here (nor does the set) */
  BRACKET_MATCH,   /* matched: the pattern goes on at *next */
  BRACKET_LITERAL, /* no closing ']': the '[' is an ordinary character */
  BRACKET_ON,      /* (inside the set) not this member: read the next one */
};

/* After a member matched: skip the rest of the set to its ']', as glibc
 * does (a set with no ']' makes the '[' an ordinary character again). */
static enum bracket_result skip_rest(const unsigned char *p, bool negate,
                                     const unsigned char **next)
{
  unsigned char c;
  while ((c = *p++) != ']') {
    if (c == '\0')
      return BRACKET_LITERAL;
    if (c == '\\') {
      if (*p == '\0')
        return BRACKET_FAIL;
      p++;
    } else if (c == '[' && *p == ':') {
      const unsigned char *startp = p;
      int len = 0;
      for (;;) {
        c = *++p;
        if (++len == CLASS_NAME_MAX)
          return BRACKET_FAIL;
        if (*p == ':' && p[1] == ']')
          break;
        if (c < 'a' || c >= 'z') {
          p = startp - 2; /* not a class: go on after the '[' */
          break;
        }
      }
      p += 2;
    } else if (c == '[' && *p == '=') {
      c = *++p;
      if (c == '\0')
        return BRACKET_FAIL;
      c = *++p;
      if (c != '=' || p[1] != ']')
        return BRACKET_FAIL;
      p += 2;
    } else if (c == '[' && *p == '.') {
      for (;;) {
        c = *++p;
        if (c == '\0')
          return BRACKET_FAIL;
        if (c == '.' && p[1] == ']')
          break;
      }
      p += 2;
    }
  }
  if (negate)
    return BRACKET_FAIL;
  *next = p;
  return BRACKET_MATCH;
}

/* The end of a range after its '-' (at *pp): a character, escaped or not
 * (folded), or a one-character collating symbol [.c.] (as it is); -1 when
 * the pattern ends first or the symbol is longer, which fails the set. */
static int range_end(const unsigned char **pp, bool casefold)
{
  const unsigned char *p = *pp;
  unsigned char cend = *p++;
  if (cend == '[' && *p == '.') {
    const unsigned char *startp = p;
    size_t len = 0;
    for (;;) {
      unsigned char c = *++p;
      if (c == '.' && p[1] == ']') {
        p += 2;
        break;
      }
      if (c == '\0')
        return -1;
      len++;
    }
    if (len != 1)
      return -1;
    *pp = p;
    return startp[1];
  }
  if (cend == '\\')
    cend = *p++;
  if (cend == '\0')
    return -1;
  *pp = p;
  return fold(cend, casefold);
}

/* After a member `cold` at *pp: if a range follows ("-" and its end), is
 * fn in it? BRACKET_MATCH when it is; BRACKET_ON with the set's next
 * character in *c and *pp past it; BRACKET_FAIL when the range's end is
 * malformed. */
static enum bracket_result member_range(const unsigned char **pp, unsigned char cold,
                                        unsigned char fn, bool casefold, unsigned char *c)
{
  const unsigned char *p = *pp;
  *c = *p++;
  if (*c == '-' && *p != ']') {
    int cend = range_end(&p, casefold);
    if (cend < 0)
      return BRACKET_FAIL;
    if (cold <= fn && fn <= cend) {
      *pp = p;
      return BRACKET_MATCH;
    }
    *c = *p++;
  }
  *pp = p;
  return BRACKET_ON;
}

/* Does the set starting at p (just after its '[') take character ch? */
static enum bracket_result bracket(const unsigned char *p, unsigned char ch, bool casefold,
                                   const unsigned char **next)
{
  bool negate = *p == '!' || *p == '^';
  if (negate)
    p++;
  unsigned char fn = fold(ch, casefold);
  unsigned char c = *p++;
  for (;;) {
    /* `single` is set when c (folded) is one member, maybe a range's start. */
    bool single = false;
    if (c == '\\') {
      if (*p == '\0')
        return BRACKET_FAIL;
      c = fold(*p++, casefold);
      single = true;
    } else if (c == '[' && *p == ':') {
      char name[CLASS_NAME_MAX + 1];
      size_t len = 0;
      const unsigned char *startp = p;
      for (;;) {
        if (len == CLASS_NAME_MAX)
          return BRACKET_FAIL;
        c = *++p;
        if (c == ':' && p[1] == ']') {
          p += 2;
          break;
        }
        if (c < 'a' || c >= 'z') { /* not a class name: '[' is a member */
          p = startp;
          c = '[';
          single = true;
          break;
        }
        name[len++] = (char)c;
      }
      if (!single) {
        name[len] = '\0';
        if (!class_known(name))
          return BRACKET_FAIL;
        if (in_class(name, ch))
          return skip_rest(p, negate, next);
        c = *p++;
      }
    } else if (c == '\0') {
      return BRACKET_LITERAL;
    } else if (c == '[' && *p == '=') {
      const unsigned char *startp = p;
      unsigned char eq = p[1];
      if (eq == '\0' || p[2] != '=' || p[3] != ']') {
        p = startp;
        c = '[';
        single = true;
      } else {
        p += 4;
        if (ch == eq) /* the C locale: [=c=] is c itself, unfolded */
          return skip_rest(p, negate, next);
        c = *p++;
      }
    } else {
      single = true;
      if (c == '[' && *p == '.') {
        /* A collating symbol: in the C locale, one character. */
        const unsigned char *startp = p;
        size_t len = 0;
        for (;;) {
          c = *++p;
          if (c == '.' && p[1] == ']') {
            p += 2;
            break;
          }
          if (c == '\0')
            return BRACKET_FAIL;
          len++;
        }
        if (len != 1)
          return BRACKET_FAIL;
        /* A range from it starts at it unfolded; it alone matches the
         * character as it is. */
        bool range = *p == '-' && p[1] != '\0';
        if (!range && ch == startp[1])
          return skip_rest(p, negate, next);
        enum bracket_result r = member_range(&p, startp[1], fn, casefold, &c);
        if (r == BRACKET_FAIL)
          return r;
        if (r == BRACKET_MATCH)
          return skip_rest(p, negate, next);
        single = false;
      } else {
        c = fold(c, casefold);
      }
    }
    if (single) {
      bool range = *p == '-' && p[1] != '\0' && p[1] != ']';
      if (!range && c == fn)
        return skip_rest(p, negate, next);
      enum bracket_result r = member_range(&p, c, fn, casefold, &c);
      if (r == BRACKET_FAIL)
        return r;
      if (r == BRACKET_MATCH)
        return skip_rest(p, negate, next);
    }
    if (c == ']')
      break;
  }
  if (!negate)
    return BRACKET_FAIL;
  *next = p;
  return BRACKET_MATCH;
}

/* Does the one pattern element at *pp take s's character ch? On a match,
 * *pp moves past the element. '*' is the caller's. */
static bool element(const unsigned char **pp, unsigned char ch, bool casefold)
{
  const unsigned char *p = *pp;
  unsigned char c = *p++;
  if (c == '?') {
    *pp = p;
    return true;
  }
  if (c == '[') {
    const unsigned char *next = NULL;
    switch (bracket(p, ch, casefold, &next)) {
    case BRACKET_MATCH:
      *pp = next;
      return true;
    case BRACKET_FAIL:
      return false;
    case BRACKET_LITERAL:
    case BRACKET_ON: /* (never returned by bracket()) */
      break;         /* '[' as itself, below */
    }
  } else if (c == '\\') {
    c = *p++;
    if (c == '\0') /* a trailing '\' matches nothing */
      return false;
  }
  if (fold(c, casefold) != fold(ch, casefold))
    return false;
  *pp = p;
  return true;
}

bool exh_portable_glob_match(const char *pattern, const char *s, bool casefold)
{
  const unsigned char *p = (const unsigned char *)pattern, *n = (const unsigned char *)s;
  /* The last '*' seen: where the pattern resumes and the next character
   * of s it will be tried against if what follows it fails. */
  const unsigned char *star_p = NULL, *star_n = NULL;
  for (;;) {
    if (*p == '*') {
      while (*p == '*' || *p == '?') { /* "*?" needs one character more */
        if (*p++ == '?') {
          if (*n == '\0')
            return false;
          n++;
        }
      }
      if (*p == '\0')
        return true;
      star_p = p;
      star_n = n;
      continue;
    }
    if (*p == '\0' && *n == '\0')
      return true;
    if (*p != '\0' && *n != '\0' && element(&p, *n, casefold)) {
      n++;
      continue;
    }
    /* A mismatch: let the last star take one character more. */
    if (!star_p || *star_n == '\0')
      return false;
    p = star_p;
    n = ++star_n;
  }
}
