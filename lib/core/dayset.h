/*
 * dayset.h - a set of UTC calendar days, for log coverage: which days have
 * records, and how many of the days a server was exposed the logs cover.
 *
 * A day is covered when a log file's first..last record span touches it:
 * a daily IIS log covers its day, an hourly HttpProxy log the day of its
 * hour, and a gap between files shows as missing days. Days are counted
 * from 2000-01-01 through 2099-12-31 (a bitmap of 4.5 KiB, allocated on
 * first use); a time outside that range is not a day any log of a real
 * Exchange server can hold, and is left out. Not thread-safe: callers
 * that share one set lock around it.
 */
#ifndef EXH_DAYSET_H
#define EXH_DAYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

#define EXH_DAYSET_FIRST_DAY 10957 /* 2000-01-01, in days since the epoch */
#define EXH_DAYSET_DAYS 36525u     /* through 2099-12-31 */

typedef struct exh_dayset {
  uint8_t *bits; /* NULL while empty */
} exh_dayset;

/* The day (since the epoch, floor division) that holds time t. */
int64_t exh_day_of(int64_t t);

/* Adds every day from the one holding `first` to the one holding `last`
 * (times in seconds since the epoch; either EXHUNT_NO_TIME: the other
 * alone; both: nothing). EXHUNT_ENOMEM leaves the set as it was. */
exhunt_err exh_dayset_add_span(exh_dayset *s, int64_t first, int64_t last);
/* Adds days [first_day, last_day] (day numbers). */
exhunt_err exh_dayset_add_days(exh_dayset *s, int64_t first_day, int64_t last_day);
/* Adds every day of `other`. */
exhunt_err exh_dayset_add_set(exh_dayset *s, const exh_dayset *other);

bool exh_dayset_has(const exh_dayset *s, int64_t day);
/* Days in the set. */
uint32_t exh_dayset_count(const exh_dayset *s);
/* Days of [first_day, last_day] in the set. */
uint32_t exh_dayset_count_in(const exh_dayset *s, int64_t first_day, int64_t last_day);
/* Days in both sets. */
uint32_t exh_dayset_count_both(const exh_dayset *a, const exh_dayset *b);

/* The set as sorted, merged runs of days, each as the times of 00:00:00Z
 * of its first and last day; a new array the caller frees with
 * exh_free (NULL and 0 for an empty set). */
exhunt_err exh_dayset_spans(const exh_dayset *s, exhunt_day_span **out, size_t *n_out);

void exh_dayset_free(exh_dayset *s);

#endif
