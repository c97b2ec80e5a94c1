/*
 * remote.c - exhunt_probe_targets: the probe engine (probe/) fingerprints
 * each target; here each result becomes a build record and, when a build
 * was seen, the exposure verdicts for it, with the target named in each.
 */
#include <string.h>

#include "core/names.h"
#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "probe/probe.h"

typedef struct remote_ctx {
  const exh_builddb *db;
  const exhunt_probe_opts *opts;
  const exhunt_sink *sink;
  exhunt_scan_stats *stats;
} remote_ctx;

/* What a build record says of a target; EXH_PROBE_FOUND without a usable
 * build and any unknown outcome are "error". */
static const char *const outcome_names[] = {
    [EXH_PROBE_FOUND] = "found",
    [EXH_PROBE_NOT_EXCHANGE] = "not-exchange",
    [EXH_PROBE_EXCHANGE_NO_BUILD] = "exchange-no-build",
    [EXH_PROBE_UNREACHABLE] = "unreachable",
};

static void on_result(void *ctx, const exh_probe_result *r)
{
  remote_ctx *c = ctx;
  c->stats->files_seen++;
  exhunt_build b;
  bool found = r->outcome == EXH_PROBE_FOUND && r->build &&
               exhunt_build_parse(r->build, strlen(r->build), &b) == EXHUNT_OK;
  if (found)
    c->stats->files_scanned++;
  else if (r->outcome == EXH_PROBE_UNREACHABLE || r->outcome == EXH_PROBE_ERROR)
    c->stats->errors++;
  char bs[EXHUNT_BUILD_STRLEN] = "";
  if (found)
    exhunt_build_format(&b, bs);
  const char *result = found ? "found"
                       : r->outcome == EXH_PROBE_FOUND
                           ? "error"
                           : EXH_NAME_AT(outcome_names, r->outcome, "error");
  if (c->sink->on_build) {
    exhunt_build_seen seen = {r->target,
                              result,
                              found ? bs : NULL,
                              found ? r->build_source : NULL,
                              NULL,
                              r->target,
                              found && r->url ? r->url : r->reason,
                              c->opts->now,
                              c->opts->now,
                              found ? 1u : 0u,
                              found,
                              EXHUNT_NO_TIME,
                              found ? c->opts->now : EXHUNT_NO_TIME};
    c->sink->on_build(c->sink->ctx, &seen);
  }
  if (!found)
    return;
  exhunt_exposure_ctx ectx = {r->build_source, NULL, r->target, c->opts->now, c->opts->now};
  exh_exposure_assess_db(c->db, &b, &ectx, c->sink);
}

exhunt_err exh_exposure_run_begin(exh_builddb *db, exhunt_scan_stats **stats,
                                  exhunt_scan_stats *local, const exhunt_sink *sink)
{
  if (!*stats)
    *stats = local;
  memset(*stats, 0, sizeof **stats);
  exhunt_err err = exh_builddb_load(db, sink);
  return err == EXHUNT_ECORRUPT ? EXHUNT_OK : err;
}

void exhunt_probe_opts_init(exhunt_probe_opts *opts)
{
  memset(opts, 0, sizeof *opts);
  opts->now = EXHUNT_NO_TIME;
}

exhunt_err exhunt_probe_targets(const char *const *targets, size_t n_targets,
                                const exhunt_probe_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats)
{
  if ((!targets && n_targets) || !opts || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  exhunt_scan_stats local;
  exh_builddb db;
  exhunt_err err = exh_exposure_run_begin(&db, &stats, &local, sink);
  if (!err) {
    exh_probe_opts po = {opts->connect_timeout_ms,
                         opts->total_timeout_ms,
                         opts->parallel,
                         opts->rate,
                         opts->insecure,
                         opts->ca_file,
                         0};
    remote_ctx rc = {&db, opts, sink, stats};
    err = exh_probe_run(targets, n_targets, &po, on_result, &rc);
  }
  exh_builddb_free(&db);
  return err;
}
