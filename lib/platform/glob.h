/*
 * glob.h - shell wildcard matching of names and paths (lib/platform/;
 * POSIX fnmatch in posix/glob.c).
 *
 * `*` and `?` match any character including '/', so "*.aspx" matches a
 * whole path as well as a name (--exclude, IOC path globs and allow-lists
 * rely on it); `[...]` is a bracket expression; `\` escapes.
 */
#ifndef EXH_PLATFORM_GLOB_H
#define EXH_PLATFORM_GLOB_H

#include <stdbool.h>

/* Flag: letters match either case (Windows names are case-insensitive,
 * and so are exhunt's --exclude globs). */
#define EXH_GLOB_CASEFOLD 1u

/* Does `pattern` match all of `s`? */
bool exh_glob_match(const char *pattern, const char *s, unsigned flags);

#endif
