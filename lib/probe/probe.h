/*
 * probe.h - passive remote fingerprint of Exchange servers over HTTPS
 * (libcurl multi interface). Internal to libexhunt: the public entry point
 * is exhunt_probe_targets() in lib/exposure/, which turns each result into a
 * build record and exposure findings.
 *
 * Only ordinary GET requests a browser would send are made: no exploitation
 * request, no SSRF probe. Three places reveal the build:
 *   1. the X-OWA-Version response header (GET /owa/auth/logon.aspx),
 *   2. /owa/auth/<build>/ paths in the logon page body,
 *   3. the <assemblyIdentity version=...> of
 *      /ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application
 */
#ifndef EXH_PROBE_H
#define EXH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_probe_opts {
  long connect_timeout_ms; /* per connection; 0 = default 5000 */
  long total_timeout_ms;   /* per request; 0 = default 15000 */
  unsigned parallel;       /* concurrent transfers; 0 = default 32 */
  double rate;             /* new requests per second over all targets (redirects
                              included); 0 = no limit, else at least 0.001 */
  bool insecure;           /* do not verify TLS certificates or host names */
  const char *ca_file;     /* CA bundle (PEM) to verify against, or NULL. It is
                              CURLOPT_CAINFO: it replaces libcurl's default bundle
                              (a default CA path, as Debian's libcurl has, still
                              applies) */
  size_t max_body;         /* bytes kept per response body; 0 = default 1 MiB */
} exh_probe_opts;

typedef enum exh_probe_outcome {
  EXH_PROBE_FOUND = 0,             /* a build was seen */
  EXH_PROBE_NOT_EXCHANGE = 1,      /* answered, but nothing Exchange-like */
  EXH_PROBE_EXCHANGE_NO_BUILD = 2, /* Exchange-like (OWA page), build hidden */
  EXH_PROBE_UNREACHABLE = 3,       /* DNS, connect or timeout failure on every request */
  EXH_PROBE_ERROR = 4              /* TLS verification failure, garbage, other */
} exh_probe_outcome;

/* Every string is valid only during the callback, and every string except
 * target and build_source may carry bytes from the network: escape on output. */
typedef struct exh_probe_result {
  const char *target; /* as given by the caller */
  exh_probe_outcome outcome;
  const char *build;        /* best build, normalised "15.1.2176.2", or NULL */
  const char *build_source; /* "x-owa-version", "owa-auth-path" or "exporttool" */
  const char *url;          /* URL of the response the build came from, or NULL */
  const char *reason;       /* human detail (curl error, HTTP status, ...); never NULL */
} exh_probe_result;

typedef void (*exh_probe_cb)(void *ctx, const exh_probe_result *result);

/*
 * Probes every target (a host name, host:port, [IPv6]:port, or an
 * https://host[:port][/] URL; a bare host means https://host/; http:// only
 * when written out). Calls `cb` once per target, from the calling thread, in
 * completion order; targets that do not parse come first, as EXH_PROBE_ERROR.
 * Returns EXHUNT_EINVAL on bad arguments (NULL cb, a NULL target, negative
 * timeouts, a bad rate), EXHUNT_ENOMEM (targets not reported by then are not
 * reported), EXHUNT_EUNSUPPORTED if libcurl refuses an option the probe
 * needs, or EXHUNT_OK (per-target failures are results, not errors).
 * Thread-safe: runs share nothing but libcurl's one-time global init. opts
 * may be NULL for the defaults. See probe.c for the requests made.
 */
exhunt_err exh_probe_run(const char *const *targets, size_t n_targets, const exh_probe_opts *opts,
                         exh_probe_cb cb, void *ctx);

/* Pure extraction helpers (unit-tested and fuzzed without a network). Each
 * writes a normalised build ("a.b.c.d" or "a.b.c") into out and returns true
 * when one was found. */
bool exh_probe_build_from_header(const char *value, size_t len, char *out, size_t out_size);
bool exh_probe_build_from_logon(const char *body, size_t len, char *out, size_t out_size);
bool exh_probe_build_from_exporttool(const char *body, size_t len, char *out, size_t out_size);

#endif
