/*
 * clock.c - clocks and sleeping on POSIX; see platform/clock.h.
 */
#define _GNU_SOURCE
#include "platform/clock.h"

#include <errno.h>
#include <time.h>

static int64_t ns_of(clockid_t id)
{
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0)
    return 0;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t exh_monotonic_ns(void)
{
  return ns_of(CLOCK_MONOTONIC);
}

int64_t exh_process_cpu_ns(void)
{
  return ns_of(CLOCK_PROCESS_CPUTIME_ID);
}

int64_t exh_wall_seconds(void)
{
  return (int64_t)time(NULL);
}

void exh_sleep_ns(int64_t ns)
{
  if (ns <= 0)
    return;
  struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

bool exh_gmtime(int64_t t, struct tm *out)
{
  time_t tt = (time_t)t;
  if ((int64_t)tt != t)
    return false;
  return gmtime_r(&tt, out) != NULL;
}
