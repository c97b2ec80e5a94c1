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

#include "core/dayset.h"
#include "exhunt/exhunt.h"
#include "exposure/builddb.h"

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
  exhunt_day_span *spans; /* c.days, owned */
  exh_dayset days;        /* the same days, for counting */
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
  /* What the verdict weighs besides the records. */
  bool exchange_files;  /* an Exchange install (Exchange Server\V1x, ExSetup.exe,
                           ExchangeSetupLogs) was seen by the walk */
  bool no_build;        /* the exposure engine found no build */
  uint64_t files_seen;  /* files the walk met */
  uint64_t errors;      /* errors that left this server's evidence unexamined */
  int64_t since, until; /* the logs' time window (EXHUNT_NO_TIME: open) */
  int64_t newest_mtime; /* of the files the walk met, EXHUNT_NO_TIME if none */
  int64_t collected;    /* exhunt_hunt_opts.collected */
} hunt_server;

/* A growable list of finding ids (borrowed from the records). */
typedef struct hunt_ids {
  const char **ids;
  size_t n, cap;
} hunt_ids;

/* Appends an id; false when out of memory. exh_ids_add skips one already
 * in the list (linear: for short lists), exh_ids_push does not look. */
bool exh_ids_push(hunt_ids *l, const char *id);
bool exh_ids_add(hunt_ids *l, const char *id);

/* A web shell as the story ties it: on disk, or known from logs. */
typedef struct hunt_shell {
  char *path; /* relative to the root, or a log's path normalised */
  char *url;
  bool on_disk;
  const hunt_rec *finding; /* the file finding, when on disk and flagged */
  hunt_ids planted_by, requests;
  size_t ok_requests; /* of them, successful ones (outcome "exploited") */
  int attacker;       /* -1: none yet */
} hunt_shell;

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

/* Tells the story of one server and gives its verdict, through sink, with
 * the build database the exposure engine used. */
exhunt_err exh_hunt_story(hunt_server *hs, const exh_builddb *db, int64_t now,
                          const exhunt_sink *sink);

/* An Exchange server at all: an install on disk, a build, an Exchange log,
 * or the Exchange management event channel (verdict.c). */
bool exh_hunt_is_exchange(const hunt_server *hs);

/* The story's step kind of a log finding ("ssrf", "command", ...). */
const char *exh_hunt_step_kind(const exhunt_finding *f);

/* The verdict of one server from its records and the shells the story
 * tied (verdict.c): exposure badge and windows, log coverage, the verdict,
 * its headline, reasons and next steps, through sink->on_verdict. */
exhunt_err exh_hunt_verdict(hunt_server *hs, const hunt_shell *shells, size_t n_shells,
                            const exh_builddb *db, int64_t now, const exhunt_sink *sink);

#endif
