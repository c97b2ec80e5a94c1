/*
 * notice.c - the notice for a refused line of a data file; see notice.h.
 */
#include "core/notice.h"

#include <stdio.h>

void exh_notice_bad_line(const exhunt_sink *sink, const char *what, const char *file,
                         unsigned long lineno, const char *why, const char *outcome)
{
  if (!sink || !sink->on_notice)
    return;
  char reason[256];
  snprintf(reason, sizeof reason, "line %lu: %s; line %s", lineno, why, outcome);
  exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, what, file, reason};
  sink->on_notice(sink->ctx, &n);
}
