/*
 * util.c - small parsers for command-line values, a bounded file reader
 * for rule and IOC files (evidence is never read this way: that is the
 * library's walker, read-only and bounded per file), the exit-code order,
 * the words of a failed run, and the process's argv kept for the run
 * record of a report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/alloc.h"
#include "os.h"
#include "platform/fs.h"

bool cli_parse_uint(const char *s, unsigned max, unsigned *out)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || v > max || s[0] == '-')
    return false;
  *out = (unsigned)v;
  return true;
}

bool cli_parse_size(const char *s, uint64_t *out)
{
  char *end;
  errno = 0;
  if (!*s || s[0] == '-')
    return false;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s)
    return false;
  unsigned long long mult = 1;
  switch (*end) {
  case '\0':
    break;
  case 'k':
  case 'K':
    mult = 1024ull;
    end++;
    break;
  case 'm':
  case 'M':
    mult = 1024ull * 1024;
    end++;
    break;
  case 'g':
  case 'G':
    mult = 1024ull * 1024 * 1024;
    end++;
    break;
  default:
    return false;
  }
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end || v > UINT64_MAX / mult)
    return false;
  *out = v * mult;
  return true;
}

static bool take_num(const char **p, int digits, int lo, int hi, int *out)
{
  int v = 0;
  for (int i = 0; i < digits; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi)
    return false;
  *p += digits;
  *out = v;
  return true;
}

static bool is_leap(int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int mon)
{
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return mon == 2 && is_leap(year) ? 29 : days[mon - 1];
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar
 * already checked (1970..9999): what timegm counts, without its time zone
 * machinery, which Windows' C runtime lacks. */
static int64_t days_since_epoch(int year, int mon, int day)
{
  static const int before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int64_t y = year - 1; /* leap days of the whole years before `year` */
  int64_t leaps = y / 4 - y / 100 + y / 400 - (1969 / 4 - 1969 / 100 + 1969 / 400);
  int64_t days = (int64_t)(year - 1970) * 365 + leaps + before_month[mon - 1] + (day - 1);
  return days + (mon > 2 && is_leap(year));
}

/* Every option that takes a time (--since, --until, --collected,
 * --newer-than) comes here. A date that is not on the calendar (2021-02-31)
 * or a time of day that is not on the clock (24:00, 12:61) is refused, not
 * normalised into another day as timegm would: a bound the user did not mean
 * would silently drop or keep evidence. The reason goes to stderr before
 * the caller's usage line (the CLI may print; the library never does). */
bool cli_parse_date(const char *s, int64_t *out, bool *date_only)
{
  int year, mon, day, hh = 0, mm = 0, ss = 0;
  const char *p = s;
  if (!take_num(&p, 4, 1970, 9999, &year) || *p++ != '-' || !take_num(&p, 2, 1, 12, &mon) ||
      *p++ != '-' || !take_num(&p, 2, 1, 31, &day))
    return false;
  if (day > days_in_month(year, mon)) {
    fprintf(stderr, "exhunt: '%s' is not a calendar date: %04d-%02d has %d days\n", s, year, mon,
            days_in_month(year, mon));
    return false;
  }
  if (date_only)
    *date_only = !(*p == 'T' || *p == ' ');
  if (*p == 'T' || *p == ' ') {
    p++;
    if (!take_num(&p, 2, 0, 23, &hh) || *p++ != ':' || !take_num(&p, 2, 0, 59, &mm)) {
      fprintf(stderr, "exhunt: '%s': the time of day must be HH:MM[:SS], 00:00 to 23:59:59\n", s);
      return false;
    }
    if (*p == ':') {
      p++;
      /* :60 only as a leap second, 23:59:60 (taken as the next second). */
      if (!take_num(&p, 2, 0, 60, &ss) || (ss == 60 && (hh != 23 || mm != 59))) {
        fprintf(stderr, "exhunt: '%s': seconds must be 00 to 59 (60 only in 23:59:60)\n", s);
        return false;
      }
    }
    if (*p == 'Z')
      p++;
  }
  if (*p)
    return false;
  /* 23:59:60 is the next day's first second, as timegm counts it. */
  *out = days_since_epoch(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
  return true;
}

int cli_read_file(const char *path, size_t max, char **data, size_t *len)
{
  int rc = -1;
  char *buf = NULL;
  int fd = exh_open(path, 0, 0);
  if (fd < 0)
    return -1;
  exh_stat st;
  if (exh_fstat(fd, &st) != 0 || st.type != EXH_FT_REG) {
    errno = EINVAL;
    goto cleanup;
  }
  if ((uint64_t)st.size > max) {
    errno = EFBIG;
    goto cleanup;
  }
  size_t want = (size_t)st.size, got = 0;
  buf = exh_malloc(want + 1);
  if (!buf) {
    errno = ENOMEM;
    goto cleanup;
  }
  while (got < want) {
    exh_ssize n = exh_read(fd, buf + got, want - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  buf[got] = '\0';
  *data = buf;
  *len = got;
  buf = NULL;
  rc = 0;
cleanup:
  exh_free(buf);
  exh_close(fd);
  return rc;
}

FILE *cli_fopen_read(const char *path)
{
  int fd = exh_open(path, 0, 0);
  if (fd < 0)
    return NULL;
  cli_os_binary(fd);
  FILE *f = fdopen(fd, "rb");
  if (!f) {
    int saved = errno;
    exh_close(fd);
    errno = saved;
  }
  return f;
}

int cli_run_error(const char *command, exhunt_err err)
{
  fprintf(stderr, "exhunt %s: %s\n", command, exhunt_strerror(err));
  return EXIT_ERROR;
}

bool cli_rules_empty(const exhunt_rules_info *info)
{
  return info->yara_rules == 0 && !info->heuristics &&
         info->iocs_sha256 + info->iocs_sha1 + info->iocs_md5 + info->iocs_name + info->iocs_path ==
             0;
}

int cli_exit_worst(int a, int b)
{
  static const int urgency[] = {EXIT_FINDINGS, EXIT_ATTEMPTS, EXIT_VULNERABLE, EXIT_INSUFFICIENT,
                                EXIT_CLEAN};
  for (size_t i = 0; i < sizeof urgency / sizeof *urgency; i++)
    if (a == urgency[i] || b == urgency[i])
      return urgency[i];
  return a;
}

/* The process's argv, for the run record of a report. */
static int saved_argc;
static char **saved_argv;

void cli_set_argv(int argc, char **argv)
{
  saved_argc = argc;
  saved_argv = argv;
}

exhunt_err cli_command_line(exh_dynbuf *b)
{
  exhunt_err err = EXHUNT_OK;
  for (int i = 0; i < saved_argc && !err; i++) {
    const char *a = saved_argv[i];
    if (i)
      err = exh_dynbuf_addc(b, ' ');
    bool plain = *a != '\0';
    for (const char *p = a; *p && plain; p++)
      plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-",
                     *p) != NULL;
    if (plain) {
      if (!err)
        err = exh_dynbuf_adds(b, a);
      continue;
    }
    /* Single quotes keep everything literal but a quote, which ends the
     * quoting, is escaped, and reopens it. */
    if (!err)
      err = exh_dynbuf_addc(b, '\'');
    for (const char *p = a; *p && !err; p++)
      err = *p == '\'' ? exh_dynbuf_adds(b, "'\\''") : exh_dynbuf_addc(b, *p);
    if (!err)
      err = exh_dynbuf_addc(b, '\'');
  }
  return err;
}
