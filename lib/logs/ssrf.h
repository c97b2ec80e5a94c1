/*
 * ssrf.h - the CVE-2021-26855 (ProxyLogon SSRF) hold-back: rows held until
 * every file is read, then classified per client.
 *
 * One SSRF row alone does not say whether the attack got anywhere; the
 * client's other rows, in this file or any other, do. So the engine holds
 * every SSRF candidate row here (capped), notes each client whose SSRF
 * reached a back end past autodiscover, and after the last file releases
 * the held rows: the first steps of a chain, or a failed attempt.
 *
 * One exh_ssrf_hold per run, embedded in the engine's run state. Every
 * call is made with the engine's lock held (the store is shared by the
 * workers), so the exh_log_out given must not take that lock again.
 */
#ifndef EXH_LOGS_SSRF_H
#define EXH_LOGS_SSRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "engine_int.h"

/* SSRF rows held at most; past it a row is reported as it is (exploited,
 * the conservative answer) and a note says so once. */
#define EXH_MAX_HELD_SSRF 20000u

struct exh_ssrf_held; /* one held row: owned copies of what it shows */

typedef struct exh_ssrf_hold {
  struct exh_ssrf_held *held;
  size_t n_held;
  bool capped; /* the ssrf-rows-capped note was given */
  /* Clients whose SSRF reached /ecp/ or /mapi/. */
  char **went_further;
  size_t n_further, cap_further;
} exh_ssrf_hold;

/* An empty store (all zero is one too). */
void exh_ssrf_init(exh_ssrf_hold *s);

/* Notes that client `ip` (a view, copied) got past the SSRF; an empty
 * address is no client and is ignored. Out of memory: not noted, so that
 * client's rows stay attempts (the same as before this unit existed). */
void exh_ssrf_went_further(exh_ssrf_hold *s, exh_view ip);

/* Holds one SSRF row (h->ssrf_candidate) for classification, copying what
 * it shows (the views of `h`, `path`, the excerpt); when the store is full
 * or memory runs out, reports it through `out` at once instead. */
void exh_ssrf_hold_row(exh_ssrf_hold *s, const exh_log_hit *h, const char *path, uint64_t line,
                       int64_t ts, const char *excerpt, size_t excerpt_len, const exh_log_out *out);

/* After every file: classifies each held row by its client and reports
 * it through `out`, in the order held. The rows stay owned by `s`. */
void exh_ssrf_release(exh_ssrf_hold *s, const exh_log_out *out);

/* Frees what the store owns; it is empty after. */
void exh_ssrf_free(exh_ssrf_hold *s);

#endif
