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

/* Examples kept of each list at each end (first and last by time). */
#define EXH_STORY_EXAMPLES 8

typedef enum hunt_origin { ORIGIN_EXPOSURE = 0, ORIGIN_SCAN = 1, ORIGIN_LOGS = 2 } hunt_origin;

/* A finding kept with all its strings: `f` is an exhunt_finding_dup copy,
 * owned. Its id and server point at `id` and the server's name. */
typedef struct hunt_rec {
  exhunt_finding *f;
  hunt_origin origin;
  char id[24];
} hunt_rec;

/* The story's state, built record by record as the log engine reports
 * (exh_hunt_story_add, under the capture lock) and told at the end
 * (exh_hunt_story). Opaque outside story.c. */
typedef struct hunt_story hunt_story;

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
  /* The server as its records name it: its root (exhunt_hunt_paths), or
   * the name given (exhunt_hunt_server). */
  const char *name;
  /* The trees it is made of: its one root, or the roots given. */
  const char *const *roots;
  size_t n_roots;
  /* A root that is a drive path (C:/inetpub/wwwroot) keeps its place on
   * the drive: its files are named from the drive's top
   * (inetpub/wwwroot/x.aspx), as in a hunt of the whole drive
   * (exhunt_hunt_server). */
  bool placed;
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
  hunt_story *story;    /* exh_hunt_story_begin .. free */
} hunt_server;

/* A growable list of finding ids (borrowed), and how many more the
 * evidence holds than the list names (bounded lists: see hunt_exlist). */
typedef struct hunt_ids {
  const char **ids;
  size_t n, cap;
  uint64_t more;
} hunt_ids;

/* How many the list stands for: those it names and those left out. */
#define EXH_IDS_TOTAL(l) ((size_t)((l).n + (l).more))

/* Appends an id; false when out of memory. exh_ids_add skips one already
 * in the list (linear: for short lists), exh_ids_push does not look. */
bool exh_ids_push(hunt_ids *l, const char *id);
bool exh_ids_add(hunt_ids *l, const char *id);

/* One log finding as the story keeps it: its id, time, place and kind.
 * Log findings themselves are streamed to the caller as they come; the
 * story keeps only examples of them, so its memory is bounded by the
 * attackers, shells and steps, never by the log records. */
typedef struct hunt_ex {
  int64_t time; /* EXHUNT_NO_TIME sorts last */
  uint64_t num; /* the id's number, for ties */
  uint64_t line;
  const char *title, *path; /* interned (story pool) */
  exhunt_attack_step step;
  int attacker; /* index, or -1 */
  int ipless;   /* index of the held record without an address, or -1 */
  char id[24];
} hunt_ex;

/* The first and the last EXH_STORY_EXAMPLES of a list by time, and how
 * many it holds in all. */
typedef struct hunt_exlist {
  hunt_ex first[EXH_STORY_EXAMPLES], last[EXH_STORY_EXAMPLES];
  uint8_t n_first, n_last;
  uint64_t total;
} hunt_exlist;

void exh_exlist_add(hunt_exlist *l, const hunt_ex *e);
/* Appends the list's examples (by time, each once) to `out`, and counts
 * the rest in out->more; false when out of memory. */
bool exh_exlist_ids(const hunt_exlist *l, hunt_ids *out);
/* Its examples by time, each once: n <= 2 * EXH_STORY_EXAMPLES. */
size_t exh_exlist_examples(const hunt_exlist *l, const hunt_ex **out);

/* A web shell as the story ties it: on disk, or known from logs. */
typedef struct hunt_shell {
  char *path; /* relative to the root, or a log's path normalised */
  char *url;
  bool on_disk;
  const hunt_rec *finding; /* the file finding, when on disk and flagged */
  hunt_exlist planted_by, requests;
  uint64_t ok_requests; /* of them, successful ones (outcome "exploited") */
  int attacker;         /* -1: none yet */
} hunt_shell;

/* What the verdict needs of the log findings, gathered as they came. */
typedef struct hunt_log_facts {
  hunt_exlist post, exploited, attempted, probes, lsass;
  int64_t first, last; /* of the attack (records with an outcome, probes aside) */
} hunt_log_facts;

/* Keeps a deep copy of a finding (hunt.c): exposure and file findings
 * only, which the walk bounds. */
exhunt_err exh_hunt_keep(hunt_server *hs, const exhunt_finding *f, hunt_origin origin);

/* How a file under the root is requested ("/aspnet_client/x.aspx"), or
 * NULL if it is not in a web folder; a new string (story.c). */
char *exh_hunt_url_of(const char *rel);
/* `path` relative to `root` (borrowed from path). */
const char *exh_hunt_rel_of(const char *root, const char *path);
/* `path` as the server names it (borrowed from path): relative to the
 * root that holds it, or, for a placed root, to its drive; `path` itself
 * when no root holds it. */
const char *exh_hunt_rel(const hunt_server *hs, const char *path);
/* Does the root `root` hold `path` (a walk of it gave that path)? The
 * part of path past the root then, else NULL. */
const char *exh_hunt_under(const char *root, const char *path);

/* The story's life: begun once the exposure and file findings are kept
 * and numbered (the shells on disk are known then), fed each log finding
 * as it is reported (`id` is the one it was given), told at the end with
 * the verdict, through sink, with the build database the exposure engine
 * used; then freed (hunt_server's free does it). */
exhunt_err exh_hunt_story_begin(hunt_server *hs);
void exh_hunt_story_add(hunt_server *hs, const exhunt_finding *f, uint64_t num, const char *id);
exhunt_err exh_hunt_story(hunt_server *hs, const exh_builddb *db, int64_t now,
                          const exhunt_sink *sink);
void exh_hunt_story_free(hunt_server *hs);
/* The addresses that did more than probe, by their first such record,
 * as "a, b, c" in out (as many as fit); *n gets how many are named. */
void exh_hunt_story_acting(const hunt_server *hs, char *out, size_t cap, size_t *n);

/* An Exchange server at all: an install on disk, a build, an Exchange log,
 * or the Exchange management event channel (verdict.c). */
bool exh_hunt_is_exchange(const hunt_server *hs);

/* The verdict of one server from its records and the shells the story
 * tied (verdict.c): exposure badge and windows, log coverage, the verdict,
 * its headline, reasons and next steps, through sink->on_verdict. */
exhunt_err exh_hunt_verdict(hunt_server *hs, const hunt_shell *shells, size_t n_shells,
                            const hunt_log_facts *lf, const exh_builddb *db, int64_t now,
                            const exhunt_sink *sink);

#endif
