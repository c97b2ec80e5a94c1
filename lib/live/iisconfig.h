/*
 * iisconfig.h - IIS's applicationHost.config, read from a byte span: the
 * sites, the physical folder of each application and virtual directory,
 * and the folder each site writes its W3C logs to.
 *
 * Only what says where files lie is read:
 *   configuration/system.applicationHost/sites/site            name, id
 *     site/application                                         path
 *       application/virtualDirectory                           path, physicalPath
 *     site/logFile                                             directory, enabled, logFormat
 *   sites/siteDefaults/logFile                                 the same, for every site
 *   system.applicationHost/log                                 centralLogFileMode
 *     log/centralW3CLogFile                                    directory, enabled
 * Values are XML-decoded (&amp; and the other four, &#N; and &#xN;; no
 * entity a DOCTYPE declares is honoured) and their %VAR% expanded through
 * the caller's lookup, as Windows expands them (an unknown one is left as
 * written, and named in `unresolved`).
 *
 * No XML library is a dependency of exhunt, and none is needed: this is a
 * small tokenizer for this one format (elements, attributes, comments,
 * CDATA, processing instructions, a DOCTYPE), bounded in every direction
 * (input size, sites, folders, nesting: core/limits.h), that never
 * recurses and never fails on malformed markup: it keeps what came before
 * and says so (`truncated`).
 */
#ifndef EXH_LIVE_IISCONFIG_H
#define EXH_LIVE_IISCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/live.h"

/* A physical folder of a site: an application's virtual directory. */
typedef struct exh_iis_dir {
  char *path;       /* physicalPath, expanded, as written otherwise (Windows
                       form); NULL when too long (EXH_MAX_PATH) */
  char *unresolved; /* the first %VAR% of it the lookup did not know, or NULL */
  char *app;        /* the application's path ("/owa"); "" if it had none */
  char *vdir;       /* the virtual directory's path ("/") ; "" if none */
  size_t site;      /* index in exh_iis_config.sites */
  uint64_t line;    /* of the <virtualDirectory> element, from 1 */
} exh_iis_dir;

/* Where a site's log folder came from. */
typedef enum exh_iis_log_from {
  EXH_IIS_LOG_DEFAULT = 0,  /* IIS's default, %SystemDrive%\inetpub\logs\LogFiles */
  EXH_IIS_LOG_SITE = 1,     /* the site's own <logFile directory> */
  EXH_IIS_LOG_DEFAULTS = 2, /* <siteDefaults><logFile directory> */
  EXH_IIS_LOG_CENTRAL = 3   /* central W3C logging: <centralW3CLogFile>, or its default */
} exh_iis_log_from;

typedef struct exh_iis_site {
  char *name; /* "" if it had none */
  bool has_id;
  uint32_t id;
  uint64_t line; /* of the <site> element */
  /* The W3C log folder, W3SVC<id> (central logging: W3SVC) included,
   * expanded; NULL when logging is off (log_off), the site has no id, or
   * the path is too long. */
  char *log_dir;
  char *log_unresolved; /* the first %VAR% of it the lookup did not know */
  exh_iis_log_from log_from;
  uint64_t log_line; /* of the element that set the folder; 0: IIS's default */
  bool log_off;      /* <logFile enabled="false"> (the site's or the defaults') */
  char *log_format;  /* logFormat when it is not W3C ("IIS", "NCSA"), else NULL */
} exh_iis_site;

typedef struct exh_iis_config {
  exh_iis_site *sites;
  size_t n_sites;
  exh_iis_dir *dirs; /* in the order of the file; each site's together */
  size_t n_dirs;
  uint64_t sites_left_out, dirs_left_out; /* past EXH_IIS_MAX_SITES, _DIRS */
  bool seen_root;                         /* a <configuration> element was met */
  bool truncated;    /* the input ended inside markup; what came before is kept */
  uint64_t end_line; /* the line it ended on, when truncated */
  uint64_t too_deep; /* elements nested past EXH_IIS_MAX_DEPTH (skipped) */
  bool central;      /* centralLogFileMode="CentralW3C" */
} exh_iis_config;

/*
 * Parses applicationHost.config from data[0, len) into *out (zeroed first;
 * free it with exh_iis_config_free in every case). `lookup` (with ctx)
 * expands %VAR%; NULL leaves them all unresolved. EXHUNT_OK, even for
 * markup that ends early (out->truncated); EXHUNT_EUNSUPPORTED for
 * UTF-16 text (applicationHost.config is UTF-8); EXHUNT_ELIMIT past
 * EXH_IIS_MAX_CONFIG bytes; EXHUNT_EINVAL; EXHUNT_ENOMEM. Thread-safe.
 */
exhunt_err exh_iis_config_parse(const uint8_t *data, size_t len, exhunt_env_lookup lookup,
                                void *ctx, exh_iis_config *out);
void exh_iis_config_free(exh_iis_config *c);

/* `in` with its %VAR% expanded: a new string (NULL when out of memory or
 * longer than EXH_MAX_PATH bytes: *too_long says which), and in
 * *unresolved a new copy of the first variable the lookup did not know
 * (NULL if none). */
char *exh_iis_expand(const char *in, size_t len, exhunt_env_lookup lookup, void *ctx,
                     char **unresolved, bool *too_long);

#endif
