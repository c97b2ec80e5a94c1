/*
 * notice.h - the notice for a refused line of a data file exhunt reads
 * (an IOC list, the build database): an error, not a note, since what the
 * line meant to say is lost, with the line number in the reason so the
 * author can find it.
 */
#ifndef EXH_CORE_NOTICE_H
#define EXH_CORE_NOTICE_H

#include "exhunt/exhunt.h"

/* Reports line `lineno` of `file` through sink->on_notice as an error with
 * code EXHUNT_ECORRUPT and the given `what`; the reason reads
 * "line LINENO: WHY; line OUTCOME" ("left out", "ignored"), cut to 255
 * bytes. Nothing when sink or its on_notice is NULL. */
void exh_notice_bad_line(const exhunt_sink *sink, const char *what, const char *file,
                         unsigned long lineno, const char *why, const char *outcome);

#endif
