/*
 * time.c - ISO 8601 and W3C times, and time spans; see time.h.
 */
#include "core/time.h"

#include <string.h>

static bool take_digits(const char **p, const char *end, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (*p >= end || **p < '0' || **p > '9')
      return false;
    v = v * 10 + (**p - '0');
    (*p)++;
  }
  *out = v;
  return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int64_t make_time(int y, int mo, int d, int h, int mi, int s)
{
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return EXHUNT_NO_TIME;
  return days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s;
}

/* A zone designator right after the time: "Z", "+hh:mm", "+hhmm" or "+hh"
 * (or "-"). Sets *offset to the seconds east of UTC. Anything else after
 * the time (a CSV comma, the rest of a W3C line, the end) is no zone at all:
 * that is how Exchange and IIS write their UTC times, so the time stays UTC
 * and *p is left where it was. Returns false on a sign whose digits do not
 * make an offset: such a time cannot be placed. */
static bool take_zone(const char **p, const char *end, int64_t *offset)
{
  *offset = 0;
  if (*p >= end)
    return true;
  if (**p == 'Z' || **p == 'z') {
    (*p)++;
    return true;
  }
  if (**p != '+' && **p != '-')
    return true;
  int sign = **p == '-' ? -1 : 1;
  (*p)++;
  int hh, mm = 0;
  if (!take_digits(p, end, 2, &hh))
    return false;
  if (*p < end && **p == ':') {
    (*p)++;
    if (!take_digits(p, end, 2, &mm))
      return false;
  } else if (*p < end && **p >= '0' && **p <= '9') {
    if (!take_digits(p, end, 2, &mm))
      return false;
  }
  /* "+02:000" or "+0200 1": digits run on past the offset */
  if (*p < end && **p >= '0' && **p <= '9')
    return false;
  if (hh > 23 || mm > 59)
    return false;
  *offset = sign * ((int64_t)hh * 3600 + mm * 60);
  return true;
}

int64_t exh_parse_iso8601(exh_view v)
{
  const char *p = v.p, *end = v.p + v.n;
  int y, mo, d, h = 0, mi = 0, s = 0;
  int64_t offset = 0;
  if (!take_digits(&p, end, 4, &y) || p >= end || *p++ != '-' || !take_digits(&p, end, 2, &mo) ||
      p >= end || *p++ != '-' || !take_digits(&p, end, 2, &d))
    return EXHUNT_NO_TIME;
  if (p < end && (*p == 'T' || *p == ' ')) {
    p++;
    if (!take_digits(&p, end, 2, &h) || p >= end || *p++ != ':' || !take_digits(&p, end, 2, &mi))
      return EXHUNT_NO_TIME;
    if (p < end && *p == ':') {
      p++;
      if (!take_digits(&p, end, 2, &s))
        return EXHUNT_NO_TIME;
      /* A fraction of any length (.NET writes 7 digits, "o" format);
       * seconds are all a record's time keeps. */
      if (p + 1 < end && (*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
          ;
    }
    if (!take_zone(&p, end, &offset))
      return EXHUNT_NO_TIME;
  }
  int64_t t = make_time(y, mo, d, h, mi, s);
  if (t == EXHUNT_NO_TIME || t - offset < 0)
    return EXHUNT_NO_TIME;
  return t - offset;
}

bool exh_parse_w3c_time(exh_view date, exh_view time, int64_t *out)
{
  char both[40];
  if (date.n + time.n + 1 >= sizeof both)
    return false;
  memcpy(both, date.p, date.n);
  both[date.n] = 'T';
  memcpy(both + date.n + 1, time.p, time.n);
  *out = exh_parse_iso8601((exh_view){both, date.n + 1 + time.n});
  return true;
}

void exh_span_widen(int64_t *first, int64_t *last, int64_t ts)
{
  if (ts == EXHUNT_NO_TIME)
    return;
  if (*first == EXHUNT_NO_TIME || ts < *first)
    *first = ts;
  if (*last == EXHUNT_NO_TIME || ts > *last)
    *last = ts;
}

void exh_time_take_earliest(int64_t *earliest, int64_t ts)
{
  if (ts != EXHUNT_NO_TIME && (*earliest == EXHUNT_NO_TIME || ts < *earliest))
    *earliest = ts;
}

int64_t exh_filetime_to_unix(uint64_t filetime)
{
  /* Seconds from 1601-01-01 to 1970-01-01, and 9999-12-31T23:59:59Z. */
  const uint64_t epoch_1970 = 11644473600u;
  const uint64_t last_second = 253402300799u;
  uint64_t seconds = filetime / 10000000u;
  if (filetime == 0 || seconds < epoch_1970 || seconds - epoch_1970 > last_second)
    return EXHUNT_NO_TIME;
  return (int64_t)(seconds - epoch_1970);
}
