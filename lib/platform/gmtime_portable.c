/*
 * gmtime_portable.c - UTC calendar time from seconds since 1970, for every
 * year (platform/portable.h).
 *
 * Windows' gmtime_s refuses times before 1970 and after the year 3000;
 * glibc's gmtime_r takes any time whose year fits an int, and NTFS times
 * reach back to 1601. So the Windows seam computes the calendar itself:
 * Howard Hinnant's civil_from_days (the inverse of core/time.c's
 * days_from_civil), exact for every day in proleptic Gregorian.
 */
#include <limits.h>

#include "platform/portable.h"

/* Floor division, for times before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool exh_portable_gmtime(int64_t t, struct tm *out)
{
  /* Day and second of the day without days * 86400, which overflows near
   * INT64_MIN. */
  int64_t days = t / 86400, secs = t % 86400;
  if (secs < 0) {
    days--;
    secs += 86400;
  }
  /* civil_from_days: eras of 400 years (146097 days) from 0000-03-01. */
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;                                      /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365], from March 1 */
  int64_t mp = (5 * doy + 2) / 153;                      /* [0, 11], March = 0 */
  int64_t mday = doy - (153 * mp + 2) / 5 + 1;
  int64_t mon = mp < 10 ? mp + 3 : mp - 9; /* [1, 12] */
  if (mon <= 2)
    y++;
  if (y - 1900 < INT_MIN || y - 1900 > INT_MAX)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  *out = (struct tm){0};
  out->tm_year = (int)(y - 1900);
  out->tm_mon = (int)(mon - 1);
  out->tm_mday = (int)mday;
  out->tm_yday = before[mon - 1] + (int)mday - 1 + (leap && mon > 2 ? 1 : 0);
  out->tm_wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
  out->tm_hour = (int)(secs / 3600);
  out->tm_min = (int)(secs / 60 % 60);
  out->tm_sec = (int)(secs % 60);
  out->tm_isdst = 0;
  return true;
}
