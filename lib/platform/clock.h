/*
 * clock.h - monotonic, CPU and wall time, sleeping, and UTC calendar time
 * (lib/platform/; POSIX in posix/clock.c).
 *
 * Engines measure intervals on the monotonic clock (it never jumps when
 * the wall clock is set) and stamp records with wall time.
 */
#ifndef EXH_PLATFORM_CLOCK_H
#define EXH_PLATFORM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h> /* struct tm (ISO C) */

/* Nanoseconds on a clock that only moves forward, from an arbitrary
 * start: for intervals, never for dates. */
int64_t exh_monotonic_ns(void);
/* CPU time used by the whole process (every thread), in nanoseconds. */
int64_t exh_process_cpu_ns(void);
/* Wall-clock time: seconds since 1970-01-01 UTC. */
int64_t exh_wall_seconds(void);
/* Sleeps `ns` nanoseconds (<= 0: returns at once); a signal does not cut
 * it short. */
void exh_sleep_ns(int64_t ns);
/* The UTC calendar time of `t` (seconds since 1970) into *out; false if it
 * cannot be represented. Thread-safe (gmtime is not). */
bool exh_gmtime(int64_t t, struct tm *out);

#endif
