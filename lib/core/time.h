/*
 * time.h - the time formats evidence carries, as seconds UTC.
 *
 * Exchange CSV logs, EVTX SystemTime and build tables write ISO 8601; IIS
 * W3C logs split the same into a date and a time field. Every record of
 * every log goes through here, so the parser is hand-written (timegm() and
 * its zone machinery were a fifth of the log reader's time) and checks its
 * input as hostile. A time that cannot be placed is EXHUNT_NO_TIME, never a
 * guess: a wrong time is worse in a timeline than none.
 */
#ifndef EXH_CORE_TIME_H
#define EXH_CORE_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ascii.h"
#include "exhunt/exhunt.h"

/* ISO 8601 "2021-03-03T12:13:58[.fff...][Z|+hh:mm|+hhmm|+hh]" at the start
 * of a view, as seconds UTC (the offset applied); EXHUNT_NO_TIME if it is
 * not a date (years 1970..9999, seconds up to 60 for a leap second, day 31
 * of any month taken as days_from_civil counts it), or a signed suffix is
 * not a valid offset. No zone means UTC (Exchange and IIS logs). Bytes
 * after the time and zone are ignored, so a whole CSV or W3C line can be
 * passed. */
int64_t exh_parse_iso8601(exh_view v);

/* A W3C record's time from its "date" and "time" fields, joined with 'T'
 * and read as exh_parse_iso8601. False (and *out untouched) when the two
 * are too long together to be a date and a time. */
bool exh_parse_w3c_time(exh_view date, exh_view time, int64_t *out);

/* A Windows FILETIME (100 ns ticks since 1601-01-01 UTC: EVTX record
 * headers, NTFS times, registry keys) as seconds UTC, the fraction cut;
 * EXHUNT_NO_TIME for 0 (Windows' "no time") and for anything outside the
 * years exh_parse_iso8601 accepts (1970..9999), so both readers of one
 * event agree on what is a time. */
int64_t exh_filetime_to_unix(uint64_t filetime);

/* Widens the span [*first, *last] to take `ts`; EXHUNT_NO_TIME in `ts` is
 * no time and changes nothing, in *first / *last an empty span. */
void exh_span_widen(int64_t *first, int64_t *last, int64_t ts);

/* Moves *earliest back to `ts` when `ts` is a time before it, or when
 * *earliest is EXHUNT_NO_TIME; a `ts` of EXHUNT_NO_TIME changes nothing.
 * The one-sided exh_span_widen, for the first of several sightings. */
void exh_time_take_earliest(int64_t *earliest, int64_t ts);

#endif
