/*
 * engine_int.h - what the log engine (logs.c) shares with its correlation
 * units (ssrf.c, tunnel.c), and nothing else.
 *
 * The units decide what to report (an SSRF row downgraded to an attempt,
 * a tunnel's data requests summed into one finding) but never reach into
 * the engine's run or file state: they report through an exh_log_out, the
 * engine's serialised sink behind two callbacks. Which lock a callback
 * takes is the engine's business; each unit's header says whether its
 * calls are made with the engine's lock held.
 */
#ifndef EXH_LOGS_ENGINE_INT_H
#define EXH_LOGS_ENGINE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "exhunt/exhunt.h"

/* The most of a row a finding shows (its excerpt), and of its artifact. */
#define EXH_LOG_EXCERPT_CAP 2048u
#define EXH_LOG_ARTIFACT_CAP 1024u

/* The engine's sink, as the units see it. `finding` reports one hit at a
 * line of `path` (an excerpt of the raw row, capped by the engine);
 * `notice` one note or error. The pointers given live for the call only. */
typedef struct exh_log_out {
  void *ctx;
  void (*finding)(void *ctx, const exh_log_hit *h, const char *path, uint64_t line, int64_t ts,
                  const char *excerpt, size_t excerpt_len);
  void (*notice)(void *ctx, exhunt_notice_kind kind, exhunt_err code, const char *what,
                 const char *path, const char *reason);
} exh_log_out;

#endif
