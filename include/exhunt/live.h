/*
 * live.h - where a live Windows server's evidence lies: the roots
 * `exhunt hunt` hunts when it is given none.
 *
 * On the server itself, the evidence is not one tree: Exchange is where its
 * setup put it (the registry says where), the web roots and the IIS logs
 * are where IIS's configuration (applicationHost.config) says, and the
 * event logs are under %SystemRoot%. Walking the whole of C:\ would take
 * hours on a real server; these few folders hold what the hunt reads.
 *
 * The library reads no registry, no environment and no file here: the
 * caller gathers the inputs (the exhunt command does it on Windows, in
 * cli/os_win32.c) and the plan is a pure function of them, so it is the
 * same on every OS and tested anywhere. The roots it gives are hunted as
 * one server with exhunt_hunt_server (exhunt.h).
 *
 * Same conventions as exhunt.h. Thread-safety: exhunt_live_plan_make keeps
 * no state; the lookup is called from the calling thread only.
 */
#ifndef EXHUNT_LIVE_H
#define EXHUNT_LIVE_H

#include "exhunt/exhunt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The value of the environment variable `name` (any case, as Windows
 * matches them), or NULL when it is not set. The string is borrowed until
 * the next call. */
typedef const char *(*exhunt_env_lookup)(void *ctx, const char *name);

/* What the caller read of the server. Strings are UTF-8, paths in the
 * form the system gave them ("C:\Program Files\...\V15\"). */
typedef struct exhunt_live_inputs {
  /* Exchange's install folder (MsiInstallPath), and where it was read, as
   * the caller wants it said ("registry HKLM\SOFTWARE\Microsoft\
   * ExchangeServer\v15\Setup MsiInstallPath"). NULL: the registry names no
   * Exchange install. */
  const char *exchange_install;
  const char *exchange_source;
  /* applicationHost.config's bytes as read (NULL: it could not be, and
   * iis_config_error says why: "not found", "access denied"), and its
   * path for the notes. */
  const uint8_t *iis_config;
  size_t iis_config_len;
  const char *iis_config_path;
  const char *iis_config_error;
  /* The environment: the %VAR% in the configuration, SystemRoot (the event
   * logs) and SystemDrive (IIS's defaults). Required. */
  exhunt_env_lookup lookup;
  void *lookup_ctx;
} exhunt_live_inputs;

typedef enum exhunt_live_kind {
  EXHUNT_LIVE_EXCHANGE = 0,   /* "exchange-install": MsiInstallPath */
  EXHUNT_LIVE_IIS_SITE = 1,   /* "iis-site NAME": an application's or virtual directory's folder */
  EXHUNT_LIVE_IIS_LOGS = 2,   /* "iis-logs NAME": a site's W3C log folder (W3SVC<id>) */
  EXHUNT_LIVE_EVENT_LOGS = 3, /* "event-logs": %SystemRoot%\System32\winevt\Logs */
  EXHUNT_LIVE_INETPUB = 4     /* "inetpub": %SystemDrive%\inetpub, when IIS's
                                 configuration could not be read */
} exhunt_live_kind;

/* "exchange-install", "iis-site", "iis-logs", "event-logs", "inetpub". */
const char *exhunt_live_kind_name(exhunt_live_kind kind);

/* Marks a place that is a root of the hunt (exhunt_live_place.within). */
#define EXHUNT_LIVE_ROOT ((size_t)-1)
/* Marks a place left out: a root past the most one server takes
 * (exhunt_hunt_server: 1024), or a place inside one; a note says so. */
#define EXHUNT_LIVE_LEFT_OUT ((size_t)-2)

/* A folder the server's configuration names. */
typedef struct exhunt_live_place {
  exhunt_live_kind kind;
  const char *what;   /* "exchange-install", "iis-site Default Web Site", "iis-logs
                         Default Web Site", "event-logs", "inetpub" */
  const char *path;   /* the library's form: '/' separators, no trailing one,
                         drive letter in capitals ("C:/inetpub/wwwroot") */
  const char *source; /* where it came from: the caller's exchange_source,
                         "applicationHost.config line 153: application /owa",
                         "%SystemRoot%\System32\winevt\Logs", ... */
  /* EXHUNT_LIVE_ROOT: a root of the hunt. EXHUNT_LIVE_LEFT_OUT: not hunted.
   * Else the index (in places) of the root whose folder holds this one: it
   * is hunted as part of that root, once (the /owa of Default Web Site
   * under Exchange's install). */
  size_t within;
} exhunt_live_place;

typedef struct exhunt_live_plan {
  const exhunt_live_place *places; /* in order: Exchange, each site's folders and
                                      logs as the configuration lists them, the
                                      event logs */
  size_t n_places;
  const char *const *roots; /* the paths of the places that are roots, in that
                               order: hand them to exhunt_hunt_server */
  size_t n_roots;
  /* What is missing or was left out, a sentence each: "not an Exchange
   * server per the registry", the configuration unreadable and what was
   * hunted instead, a site on a network share, a %VAR% not set, ... */
  const char *const *notes;
  size_t n_notes;
  bool exchange; /* the registry names an Exchange install */
} exhunt_live_plan;

/*
 * The roots to hunt on a live server, from what the caller read of it:
 *   - Exchange's install folder (the registry's MsiInstallPath);
 *   - from applicationHost.config, the folder of each application and
 *     virtual directory of each site, and each site's W3C log folder
 *     (<logFile directory> of the site or of <siteDefaults>, else IIS's
 *     default %SystemDrive%\inetpub\logs\LogFiles, with the site's
 *     W3SVC<id> under it; under central W3C logging, the one W3SVC folder);
 *     when the configuration could not be read or names no site,
 *     %SystemDrive%\inetpub instead, said in a note;
 *   - the event logs, %SystemRoot%\System32\winevt\Logs.
 * A folder inside another is hunted once, as part of the outer one. A site
 * folder on a network share, a whole drive, or a path with a %VAR% the
 * environment does not set is left out with a note; so are the roots past
 * the first 1024 (a hosting server's thousands of sites: give their parent
 * folder as EVIDENCE). The plan does not
 * look at the disk: the caller may drop a root that does not exist.
 * EXHUNT_OK with *out set (free it with exhunt_live_plan_free), EINVAL
 * (no inputs, no lookup, no out), ENOMEM. A configuration that is not
 * applicationHost.config is a note, not an error.
 */
exhunt_err exhunt_live_plan_make(const exhunt_live_inputs *in, exhunt_live_plan **out);
void exhunt_live_plan_free(exhunt_live_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* EXHUNT_LIVE_H */
