/*
 * clock.c - clocks and sleeping on Windows; see platform/clock.h.
 *
 * Monotonic time is the performance counter; process CPU time sums every
 * thread's kernel and user time (GetProcessTimes); wall time is the
 * precise system time. A sleep waits on a high-resolution waitable timer
 * where the system has one (Windows 10 1803 and later; Sleep's 15.6 ms
 * tick otherwise), and loops until the monotonic clock says the time is up,
 * so it is never short. The calendar is computed (gmtime_portable.c):
 * gmtime_s refuses times before 1970, which NTFS has.
 */
#include "platform/clock.h"
#include "platform/portable.h"
#include "win32_int.h"

#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x00000002
#endif

/* 100 ns ticks from 1601-01-01 to 1970-01-01. */
#define EPOCH_TICKS 116444736000000000LL

int64_t exh_monotonic_ns(void)
{
  LARGE_INTEGER c, f;
  QueryPerformanceCounter(&c);
  QueryPerformanceFrequency(&f);
  /* Split so that c * 1e9 cannot overflow. */
  int64_t whole = c.QuadPart / f.QuadPart, part = c.QuadPart % f.QuadPart;
  return whole * 1000000000 + part * 1000000000 / f.QuadPart;
}

int64_t exh_process_cpu_ns(void)
{
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
    return 0;
  uint64_t k = (uint64_t)kernel.dwHighDateTime << 32 | kernel.dwLowDateTime;
  uint64_t u = (uint64_t)user.dwHighDateTime << 32 | user.dwLowDateTime;
  return (int64_t)((k + u) * 100);
}

int64_t exh_wall_seconds(void)
{
  FILETIME ft;
  GetSystemTimePreciseAsFileTime(&ft);
  int64_t t = (int64_t)((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) - EPOCH_TICKS;
  return t >= 0 ? t / 10000000 : -((-t + 9999999) / 10000000);
}

void exh_sleep_ns(int64_t ns)
{
  if (ns <= 0)
    return;
  int64_t end = exh_monotonic_ns() + ns;
  HANDLE timer =
      CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, TIMER_ALL_ACCESS);
  if (!timer)
    timer = CreateWaitableTimerExW(NULL, NULL, 0, TIMER_ALL_ACCESS);
  for (int64_t left = ns; left > 0; left = end - exh_monotonic_ns()) {
    LARGE_INTEGER due;
    due.QuadPart = -((left + 99) / 100); /* relative, in 100 ns, rounded up */
    if (timer && SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE))
      WaitForSingleObject(timer, INFINITE);
    else
      Sleep(
          (DWORD)((left + 999999) / 1000000 > 0x7ffffffe ? 0x7ffffffe : (left + 999999) / 1000000));
  }
  if (timer)
    CloseHandle(timer);
}

bool exh_gmtime(int64_t t, struct tm *out)
{
  return exh_portable_gmtime(t, out);
}
