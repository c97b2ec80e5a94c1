/*
 * hunt_int.h - internals of exhunt_hunt_paths shared by hunt.c (running the
 * engines and keeping what they report) and story.c (correlation, verdict,
 * next steps).
 *
 * Everything an engine reports about one server is deep-copied into a
 * hunt_server, because sink data is only borrowed for the call, and the
 * story can only be told once every engine has spoken.
 */
#ifndef EXH_HUNT_INT_H
#define EXH_HUNT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef enum hunt_origin { ORIGIN_EXPOSURE = 0, ORIGIN_SCAN = 1, ORIGIN_LOGS = 2 } hunt_origin;

/* A finding kept with all its strings. `f` points into the owned copies. */
typedef struct hunt_rec {
  exhunt_finding f;
  hunt_origin origin;
  char id[24];
  char **owned; /* every string and array allocated for f */
  size_t n_owned;
} hunt_rec;

typedef struct hunt_build {
  exhunt_build_seen b;
  char **owned;
  size_t n_owned;
} hunt_build;

typedef struct hunt_cov {
  exhunt_coverage c;
  char *family, *build;
} hunt_cov;

typedef struct hunt_server {
  const char *root;
  hunt_rec *recs;
  size_t n_recs, cap_recs;
  hunt_build *builds;
  size_t n_builds, cap_builds;
  hunt_cov covs[16]; /* 5 families and 4 event channels */
  size_t n_covs;
  exhunt_err fatal; /* ENOMEM while keeping something */
} hunt_server;

/* Keeps a deep copy of a finding (hunt.c). */
exhunt_err exh_hunt_keep(hunt_server *hs, const exhunt_finding *f, hunt_origin origin);

/* How a file under the root is requested ("/aspnet_client/x.aspx"), or
 * NULL if it is not in a web folder; a new string (story.c). */
char *exh_hunt_url_of(const char *rel);
/* `path` relative to `root` (borrowed from path). */
const char *exh_hunt_rel_of(const char *root, const char *path);

/* Requests to these URLs in the IIS and HttpProxy logs among `logs` (the
 * walk collected them), kept as log findings (requests.c). */
exhunt_err exh_hunt_requests(hunt_server *hs, const char *const *urls, size_t n_urls,
                             const char *const *logs, size_t n_logs, const exhunt_sink *sink,
                             exhunt_scan_stats *stats);

/* Tells the story of one server and gives its verdict, through sink. */
exhunt_err exh_hunt_story(hunt_server *hs, int64_t now, const exhunt_sink *sink);

#endif
