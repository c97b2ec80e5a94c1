/*
 * names.h - the name of an enum value, from a table indexed by the value.
 *
 * Tables are written with designated initialisers ([EXHUNT_EIO] = "...")
 * so each name stands beside its value and the order cannot drift. The
 * lookup checks bounds: a value past the table's end, a negative one, or
 * a hole the table leaves (a value with no name of its own) gives the
 * caller's fallback, so a number from a newer library or a damaged record
 * still names something and never reads outside the table.
 */
#ifndef EXH_CORE_NAMES_H
#define EXH_CORE_NAMES_H

#include <stddef.h>

/* names[value], or `fallback` when value is outside [0, count) or names
 * has no entry there. The strings are the table's own (static). */
static inline const char *exh_name_at(const char *const *names, size_t count, long long value,
                                      const char *fallback)
{
  if (value < 0 || (size_t)value >= count || !names[value])
    return fallback;
  return names[value];
}

/* exh_name_at over a whole array (not a pointer). */
#define EXH_NAME_AT(names, value, fallback)                                                        \
  exh_name_at((names), sizeof(names) / sizeof *(names), (long long)(value), (fallback))

#endif
