/*
 * pace.h - keeps a run within a CPU share and a read rate (exhunt_pace).
 *
 * exhunt runs on live Exchange servers, where the responder must not starve
 * the mail service. Every worker reports the bytes it read; when the run is
 * ahead of its budget, the worker that reported sleeps. Both limits are
 * averages over the run so far (the rate one with a burst allowance of a
 * tenth of a second), so a short spike is allowed and a long one is not.
 */
#ifndef EXH_PACE_H
#define EXH_PACE_H

#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_pace exh_pace;

/* *out is NULL when `cfg` sets no limit: exh_pace_account is then free. */
exhunt_err exh_pace_new(const exhunt_pace *cfg, exh_pace **out);
void exh_pace_free(exh_pace *p);

/* `bytes` were just read; may sleep. NULL `p`: returns at once.
 * Thread-safe. */
void exh_pace_account(exh_pace *p, uint64_t bytes);

#endif
