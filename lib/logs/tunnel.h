/*
 * tunnel.h - web-shell TCP tunnel correlation (Tunna, reGeorg), per file.
 *
 * A tunnel opens with a connect row that names its script (a finding of
 * its own, exhunt.log.iis_webshell_tunnel); then come its data requests,
 * often thousands, which no detector needle finds and which alone say
 * little. So the engine remembers each connect's script here: the later
 * rows that name one are read in full (exh_tunnel_row, exh_tunnel_rows),
 * and their data requests are summed per (client, script) into one
 * finding per tunnel when the file ends (exh_tunnel_flush).
 *
 * One exh_tunnels per file, embedded in the engine's file state and used
 * by the one worker reading that file; the calls take no lock, and the
 * exh_log_out given to flush must serialise itself.
 */
#ifndef EXH_LOGS_TUNNEL_H
#define EXH_LOGS_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "engine_int.h"

/* Distinct (client, script) tunnels summed per file, and distinct scripts
 * remembered per file; more tunnels are counted in the last one's
 * finding, more scripts in a note. */
#define EXH_MAX_TUNNELS 16
/* A script name remembered is shorter than this. */
#define EXH_TUNNEL_SCRIPT_CAP 256

struct exh_tunnel_acc; /* one tunnel's sum */

typedef struct exh_tunnels {
  struct exh_tunnel_acc *acc; /* NULL until the first data request */
  size_t n_acc;
  /* Scripts a tunnel connect named in this file: the engine reads their
   * later rows in full (n_scripts is read by the engine, as a cheap test
   * before exh_tunnel_row). */
  char scripts[EXH_MAX_TUNNELS][EXH_TUNNEL_SCRIPT_CAP];
  size_t n_scripts;
  /* A script was added: set here, read and cleared by the engine (a block
   * scanned before the connect was read must be scanned again past it). */
  bool added;
  uint64_t over;         /* data requests of tunnels past EXH_MAX_TUNNELS */
  uint64_t scripts_over; /* connects whose script could not be remembered */
} exh_tunnels;

/* A tunnel connect's script (the hit's artifact): the rest of the file is
 * searched for it. Sets t->added when it is new and kept. */
void exh_tunnel_connect(exh_tunnels *t, exh_view script);

/* True if the row names a script a connect named before it. */
bool exh_tunnel_row(const exh_tunnels *t, const char *line, size_t len);

/* Calls on_hit at each place in block[0..n) that names a remembered
 * script, script by script, until on_hit returns false. */
void exh_tunnel_rows(const exh_tunnels *t, const char *block, size_t n,
                     bool (*on_hit)(void *ctx, const char *at), void *ctx);

/* Adds one data request (h->tunnel_data) at `line` to its (client, script)
 * sum; the first request's raw row is kept as the evidence. */
void exh_tunnel_count(exh_tunnels *t, const exh_log_hit *h, uint64_t line, int64_t ts,
                      const char *raw, size_t raw_len);

/* After a file: one finding per tunnel, at its first data request, saying
 * how many followed and over what time (an error if memory ran out before
 * any was summed). */
void exh_tunnel_flush(const exh_tunnels *t, const char *path, const exh_log_out *out);

/* The tunnel-scripts-capped note, if connects named scripts not kept. */
void exh_tunnel_report_caps(const exh_tunnels *t, const char *path, const exh_log_out *out);

/* Frees the sums (the scripts are kept in place). */
void exh_tunnel_free(exh_tunnels *t);

#endif
