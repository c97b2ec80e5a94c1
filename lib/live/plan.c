/*
 * plan.c - exhunt_live_plan_make (exhunt/live.h): a live server's evidence
 * roots from what the caller read of its registry, its IIS configuration
 * and its environment.
 *
 * Every folder the inputs name becomes a place, in a fixed order
 * (Exchange, then each site's folders and log folder as the configuration
 * lists them, then the event logs), each with where it came from. Paths
 * are put in the library's form (C:/a/b) and compared as Windows compares
 * them (ASCII case folded); a place inside another is hunted with it, so
 * the roots are the outermost places only. That is found in one sort: with
 * '/' ordered before every other character, a folder's subfolders follow
 * it directly, so one sweep tells each place its root.
 *
 * What cannot be hunted (a network share, a whole drive named as a site's
 * folder, a %VAR% the environment does not set) and what is missing (no
 * Exchange in the registry, no readable configuration) become notes, a
 * sentence each, bounded in number.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/compiler.h"
#include "core/limits.h"
#include "exhunt/live.h"
#include "live/iisconfig.h"

#define EVENT_LOGS "\\System32\\winevt\\Logs"
#define CONFIG_NAME "applicationHost.config"

/* The plan and everything it owns; `pub` is what the caller sees. */
typedef struct plan_impl {
  exhunt_live_plan pub;
  exhunt_live_place *places;
  size_t n_places, cap_places;
  char **notes;
  size_t n_notes, cap_notes;
  uint64_t notes_left_out;
  size_t roots_left_out; /* past EXH_HUNT_MAX_SERVER_ROOTS: always said */
  const char **roots;
  char **owned; /* every string the places point to */
  size_t n_owned, cap_owned;
} plan_impl;

/* The caller's environment, with the two variables the plan cannot do
 * without given a value when it lacks them (said in a note). */
typedef struct env {
  exhunt_env_lookup lookup;
  void *ctx;
  char system_drive[8];
  bool drive_assumed;
} env;

static const char *env_lookup(void *ctx, const char *name)
{
  env *e = ctx;
  const char *v = e->lookup(e->ctx, name);
  if (!v && strcasecmp(name, "SystemDrive") == 0)
    v = e->system_drive;
  return v;
}

/* ---------------------------------------------------------------------- */
/* Ownership.                                                              */

static char *own(plan_impl *p, char *s)
{
  if (!s)
    return NULL;
  char **owned = exh_grow(p->owned, p->n_owned, &p->cap_owned, 32, sizeof *owned);
  if (!owned) {
    exh_free(s);
    return NULL;
  }
  p->owned = owned;
  p->owned[p->n_owned++] = s;
  return s;
}

/* fmt with its arguments, a new string; NULL when out of memory. */
static char *vfmt(const char *fmt, va_list ap)
{
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, again);
  va_end(again);
  char *s = n >= 0 ? exh_malloc((size_t)n + 1) : NULL;
  if (s)
    vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

static char *own_fmt(plan_impl *p, const char *fmt, ...) EXH_PRINTF(2, 3);
static char *own_fmt(plan_impl *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = vfmt(fmt, ap);
  va_end(ap);
  return own(p, s);
}

/* A note (its text formatted here); false when out of memory. Past
 * EXH_LIVE_MAX_NOTES they are only counted. */
static bool note(plan_impl *p, const char *fmt, ...) EXH_PRINTF(2, 3);
static bool note(plan_impl *p, const char *fmt, ...)
{
  if (p->n_notes >= EXH_LIVE_MAX_NOTES) {
    p->notes_left_out++;
    return true;
  }
  va_list ap;
  va_start(ap, fmt);
  char *s = vfmt(fmt, ap);
  va_end(ap);
  char **notes = s ? exh_grow(p->notes, p->n_notes, &p->cap_notes, 8, sizeof *notes) : NULL;
  if (!notes) {
    exh_free(s);
    return false;
  }
  p->notes = notes;
  p->notes[p->n_notes++] = s;
  return true;
}

/* ---------------------------------------------------------------------- */
/* Paths.                                                                  */

typedef enum path_kind {
  PATH_BAD = 0, /* relative, empty, or with a "." or ".." in it */
  PATH_DRIVE,   /* C:/... */
  PATH_UNC      /* //server/share/... */
} path_kind;

/* A Windows path in the library's form, a new string: '/' separators,
 * none doubled or at the end (but "C:/"), the drive letter in capitals,
 * the \\?\ prefixes gone. *whole: it names a whole drive or share. NULL
 * when out of memory (*kind is then set), or for PATH_BAD. */
static char *lib_path(const char *in, path_kind *kind, bool *whole)
{
  *kind = PATH_BAD;
  *whole = false;
  size_t n = strlen(in);
  while (n && (exh_is_space((unsigned char)in[0]) || in[0] == '"')) {
    in++;
    n--;
  }
  while (n && (exh_is_space((unsigned char)in[n - 1]) || in[n - 1] == '"'))
    n--;
  char *s = exh_malloc(n + 2);
  if (!s) {
    *kind = PATH_DRIVE; /* not bad: no memory */
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    s[i] = in[i] == '\\' ? '/' : in[i];
  s[n] = '\0';
  /* //?/UNC/srv/share, //?/C:/, /??/C:/ (the NT form) */
  char *from = s;
  if (strncmp(from, "//?/", 4) == 0 || strncmp(from, "/\?\?/", 4) == 0) {
    from += 4;
    if (strncasecmp(from, "UNC/", 4) == 0) {
      from += 2; /* keep "//" before the server: "C/" of "UNC/" overwritten */
      from[0] = '/';
      from[1] = '/';
    }
  }
  bool drive = ((from[0] >= 'A' && from[0] <= 'Z') || (from[0] >= 'a' && from[0] <= 'z')) &&
               from[1] == ':' && from[2] == '/';
  bool unc = !drive && from[0] == '/' && from[1] == '/' && from[2] && from[2] != '/';
  if (!drive && !unc) {
    exh_free(s);
    return NULL;
  }
  /* component by component into s itself (the output never outruns the input) */
  char *o = s;
  const char *q = from;
  size_t head = drive ? 3 : 2, parts = 0;
  memmove(o, q, head);
  if (drive)
    o[0] = (char)(o[0] >= 'a' ? o[0] - 'a' + 'A' : o[0]);
  o += head;
  q += head;
  bool bad = false;
  while (*q && !bad) {
    while (*q == '/')
      q++;
    const char *c = q;
    while (*q && *q != '/')
      q++;
    size_t cl = (size_t)(q - c);
    if (cl == 0)
      break;
    if ((cl == 1 && c[0] == '.') || (cl == 2 && c[0] == '.' && c[1] == '.')) {
      bad = true;
      break;
    }
    if (parts > 0)
      *o++ = '/';
    memmove(o, c, cl);
    o += cl;
    parts++;
  }
  *o = '\0';
  if (bad || (unc && parts < 2)) {
    exh_free(s);
    return NULL;
  }
  if (drive && parts == 0) {
    s[2] = '/';
    s[3] = '\0';
  }
  *kind = drive ? PATH_DRIVE : PATH_UNC;
  *whole = drive ? parts == 0 : parts == 2;
  return s;
}

/* ASCII folded, '/' before every other character: a folder's subfolders
 * sort right after it. */
static unsigned key(char c)
{
  if (c == '/')
    return 1;
  return (unsigned char)exh_lower(c) + (c ? 1u : 0u);
}

typedef struct sorted {
  const char *path;
  size_t index;
} sorted;

static int cmp_sorted(const void *a, const void *b)
{
  const sorted *x = a, *y = b;
  for (const char *p = x->path, *q = y->path;; p++, q++) {
    unsigned kp = key(*p), kq = key(*q);
    if (kp != kq)
      return kp < kq ? -1 : 1;
    if (!*p)
      break;
  }
  return x->index < y->index ? -1 : x->index > y->index;
}

/* path is root or under it, as Windows compares names. */
static bool under(const char *path, const char *root)
{
  size_t n = strlen(root);
  if (strncasecmp(path, root, n) != 0)
    return false;
  return path[n] == '\0' || path[n] == '/' || (n > 0 && root[n - 1] == '/');
}

/* ---------------------------------------------------------------------- */
/* Places.                                                                 */

/* Adds a place at the Windows path `win` (owned strings made here from
 * what and source, which the caller formatted); a path that cannot be
 * hunted is a note naming `what` instead. false when out of memory. */
static bool add_place(plan_impl *p, exhunt_live_kind kind, char *what, const char *win,
                      char *source, bool whole_ok)
{
  if (!what || !source)
    return false;
  path_kind pk;
  bool whole;
  char *path = lib_path(win, &pk, &whole);
  if (!path && pk != PATH_BAD)
    return false;
  if (!path)
    return note(p, "%s: '%s' (%s) is not a full local path: not hunted", what, win, source);
  if (pk == PATH_UNC) {
    exh_free(path);
    return note(p,
                "%s: '%s' (%s) is on a network share: not hunted; give it as EVIDENCE to "
                "hunt it",
                what, win, source);
  }
  if (whole && !whole_ok) {
    exh_free(path);
    return note(p,
                "%s: '%s' (%s) is a whole drive: not hunted whole (hours on a server); give "
                "it as EVIDENCE to hunt it",
                what, win, source);
  }
  if (!own(p, path))
    return false;
  exhunt_live_place *places = exh_grow(p->places, p->n_places, &p->cap_places, 16, sizeof *places);
  if (!places)
    return false;
  p->places = places;
  p->places[p->n_places++] = (exhunt_live_place){kind, what, path, source, EXHUNT_LIVE_ROOT};
  return true;
}

/* The roots: each place's outermost folder among the places. */
static bool settle_roots(plan_impl *p)
{
  if (p->n_places == 0)
    return true;
  sorted *s = exh_calloc(p->n_places, sizeof *s);
  p->roots = exh_calloc(p->n_places, sizeof *p->roots);
  if (!s || !p->roots) {
    exh_free(s);
    return false;
  }
  for (size_t i = 0; i < p->n_places; i++)
    s[i] = (sorted){p->places[i].path, i};
  qsort(s, p->n_places, sizeof *s, cmp_sorted);
  size_t root = EXHUNT_LIVE_ROOT;
  for (size_t i = 0; i < p->n_places; i++) {
    if (root != EXHUNT_LIVE_ROOT && under(s[i].path, p->places[root].path)) {
      p->places[s[i].index].within = root;
    } else {
      root = s[i].index;
      p->places[root].within = EXHUNT_LIVE_ROOT;
    }
  }
  exh_free(s);
  /* the roots in the places' order, as many as one server takes; past
   * them a root and what lies in it are left out */
  size_t n = 0, left = 0;
  for (size_t i = 0; i < p->n_places; i++) {
    if (p->places[i].within != EXHUNT_LIVE_ROOT)
      continue;
    if (n == EXH_HUNT_MAX_SERVER_ROOTS) {
      p->places[i].within = EXHUNT_LIVE_LEFT_OUT;
      left++;
      continue;
    }
    p->roots[n++] = p->places[i].path;
  }
  for (size_t i = 0; left && i < p->n_places; i++) {
    size_t w = p->places[i].within;
    if (w != EXHUNT_LIVE_ROOT && w != EXHUNT_LIVE_LEFT_OUT &&
        p->places[w].within == EXHUNT_LIVE_LEFT_OUT)
      p->places[i].within = EXHUNT_LIVE_LEFT_OUT;
  }
  p->pub.n_roots = n;
  p->roots_left_out = left;
  return true;
}

/* ---------------------------------------------------------------------- */
/* The inputs, one by one.                                                 */

static bool from_registry(plan_impl *p, const exhunt_live_inputs *in)
{
  p->pub.exchange = in->exchange_install != NULL;
  if (!in->exchange_install)
    return note(p, "not an Exchange server per the registry: it names no Exchange install "
                   "(MsiInstallPath under HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup or "
                   "v14\\Setup)");
  const char *src = in->exchange_source ? in->exchange_source : "the registry";
  /* Exchange installed at a drive's root: that drive is its install */
  return add_place(p, EXHUNT_LIVE_EXCHANGE, own(p, exh_strdup("exchange-install")),
                   in->exchange_install, own(p, exh_strdup(src)), true);
}

/* %SystemDrive%\inetpub: IIS's own default folders, when its
 * configuration says nothing usable. */
static bool inetpub(plan_impl *p, env *e, const char *why)
{
  char win[16];
  snprintf(win, sizeof win, "%s\\inetpub", e->system_drive);
  if (!note(p,
            "%s: IIS's default folder %s is hunted instead; sites and logs elsewhere are "
            "missed",
            why, win))
    return false;
  return add_place(p, EXHUNT_LIVE_INETPUB, own(p, exh_strdup("inetpub")), win,
                   own(p, exh_strdup("%SystemDrive%\\inetpub, IIS's default")), false);
}

static const char *site_name(const exh_iis_site *s)
{
  return s->name[0] ? s->name : "(no name)";
}

static bool site_dir(plan_impl *p, const exh_iis_config *c, const exh_iis_dir *d)
{
  const char *name = site_name(&c->sites[d->site]);
  char *what = own_fmt(p, "iis-site %s", name);
  char *source = own_fmt(p, CONFIG_NAME " line %llu: application %s%s%s",
                         (unsigned long long)d->line, d->app[0] ? d->app : "/",
                         strcmp(d->vdir, "/") != 0 && d->vdir[0] ? ", virtual directory " : "",
                         strcmp(d->vdir, "/") != 0 ? d->vdir : "");
  if (!what || !source)
    return false;
  if (!d->path)
    return note(p, "%s: the folder at %s is longer than %u bytes: not hunted", what, source,
                EXH_MAX_PATH);
  if (d->unresolved)
    return note(p, "%s: '%s' (%s) uses %s, which is not set here: not hunted", what, d->path,
                source, d->unresolved);
  return add_place(p, EXHUNT_LIVE_IIS_SITE, what, d->path, source, false);
}

static bool site_logs(plan_impl *p, const exh_iis_config *c, const exh_iis_site *s)
{
  const char *name = site_name(s);
  char *what = own_fmt(p, "iis-logs %s", name);
  if (!what)
    return false;
  if (s->log_off)
    return note(p, "%s: the site writes no log file (logFile enabled=\"false\"): nothing to read",
                what);
  if (!s->has_id && !c->central)
    return note(p,
                "%s: the site has no id (line %llu), so its log folder (W3SVC<id>) is not "
                "known: not hunted",
                what, (unsigned long long)s->line);
  if (s->log_format && !note(p, "%s: the site logs in the %s format, which exhunt does not read",
                             what, s->log_format))
    return false;
  char *source;
  switch (s->log_from) {
  case EXH_IIS_LOG_SITE:
    source = own_fmt(p, CONFIG_NAME " line %llu: the site's logFile directory",
                     (unsigned long long)s->log_line);
    break;
  case EXH_IIS_LOG_DEFAULTS:
    source = own_fmt(p, CONFIG_NAME " line %llu: siteDefaults logFile directory",
                     (unsigned long long)s->log_line);
    break;
  case EXH_IIS_LOG_CENTRAL:
    source = s->log_line ? own_fmt(p, CONFIG_NAME " line %llu: central W3C logging",
                                   (unsigned long long)s->log_line)
                         : own_fmt(p, CONFIG_NAME ": central W3C logging, IIS's default folder");
    break;
  default:
    source = own_fmt(p, "IIS's default, %%SystemDrive%%\\inetpub\\logs\\LogFiles");
    break;
  }
  if (!source)
    return false;
  if (!s->log_dir)
    return note(p, "%s: the log folder (%s) is longer than %u bytes: not hunted", what, source,
                EXH_MAX_PATH);
  if (s->log_unresolved)
    return note(p, "%s: '%s' (%s) uses %s, which is not set here: not hunted", what, s->log_dir,
                source, s->log_unresolved);
  return add_place(p, EXHUNT_LIVE_IIS_LOGS, what, s->log_dir, source, false);
}

/* Each site's folders (in the file's order), then its logs. The folders
 * come grouped by site already (a <virtualDirectory> belongs to the site
 * open around it); counted into buckets all the same, in linear time. */
static bool from_sites(plan_impl *p, const exh_iis_config *c)
{
  size_t *first = exh_calloc(c->n_sites + 1, sizeof *first);
  size_t *order = c->n_dirs ? exh_calloc(c->n_dirs, sizeof *order) : NULL;
  bool ok = first && (!c->n_dirs || order);
  for (size_t i = 0; ok && i < c->n_dirs; i++)
    first[c->dirs[i].site + 1]++;
  for (size_t i = 0; ok && i < c->n_sites; i++)
    first[i + 1] += first[i];
  for (size_t i = 0, *next = first; ok && i < c->n_dirs; i++)
    order[next[c->dirs[i].site]++] = i;
  /* first[i] is now where site i + 1's folders start: site i's are
   * [first[i - 1], first[i]) */
  for (size_t i = 0; ok && i < c->n_sites; i++) {
    for (size_t k = i ? first[i - 1] : 0; ok && k < first[i]; k++)
      ok = site_dir(p, c, &c->dirs[order[k]]);
    if (ok)
      ok = site_logs(p, c, &c->sites[i]);
  }
  exh_free(first);
  exh_free(order);
  return ok;
}

/* The configuration: its sites, or IIS's default folder with why. */
static exhunt_err from_config(plan_impl *p, const exhunt_live_inputs *in, env *e)
{
  const char *cfg = in->iis_config_path ? in->iis_config_path : CONFIG_NAME;
  char why[512];
  if (!in->iis_config) {
    snprintf(why, sizeof why, "%s could not be read (%s)", cfg,
             in->iis_config_error ? in->iis_config_error : "not given");
    return inetpub(p, e, why) ? EXHUNT_OK : EXHUNT_ENOMEM;
  }
  exh_iis_config c;
  exhunt_err err = exh_iis_config_parse(in->iis_config, in->iis_config_len, env_lookup, e, &c);
  bool ok = true;
  if (err == EXHUNT_ENOMEM) {
    exh_iis_config_free(&c);
    return err;
  }
  if (err) {
    snprintf(why, sizeof why, "%s could not be read: %s", cfg,
             err == EXHUNT_EUNSUPPORTED ? "UTF-16 text, not UTF-8"
             : err == EXHUNT_ELIMIT     ? "larger than exhunt reads"
                                        : exhunt_strerror(err));
    ok = inetpub(p, e, why);
    exh_iis_config_free(&c);
    return ok ? EXHUNT_OK : EXHUNT_ENOMEM;
  }
  if (c.truncated)
    ok = note(p, "%s ends inside its markup at line %llu: only the sites before it are known", cfg,
              (unsigned long long)c.end_line);
  if (ok && c.too_deep)
    ok = note(p, "%s: %llu elements nested deeper than %u levels were skipped", cfg,
              (unsigned long long)c.too_deep, EXH_IIS_MAX_DEPTH);
  if (ok && c.sites_left_out)
    ok = note(p, "%s: %llu sites past the first %u were left out", cfg,
              (unsigned long long)c.sites_left_out, EXH_IIS_MAX_SITES);
  if (ok && c.dirs_left_out)
    ok = note(p, "%s: %llu virtual directories past the first %u were left out", cfg,
              (unsigned long long)c.dirs_left_out, EXH_IIS_MAX_DIRS);
  if (ok && c.n_sites == 0) {
    snprintf(why, sizeof why, "%s names no site%s", cfg,
             c.seen_root ? "" : " (it is no IIS configuration)");
    ok = inetpub(p, e, why);
  } else if (ok) {
    ok = from_sites(p, &c);
  }
  exh_iis_config_free(&c);
  return ok ? EXHUNT_OK : EXHUNT_ENOMEM;
}

static bool from_system_root(plan_impl *p, env *e)
{
  const char *root = e->lookup(e->ctx, "SystemRoot");
  if (!root)
    root = e->lookup(e->ctx, "windir");
  char fallback[16];
  if (!root) {
    snprintf(fallback, sizeof fallback, "%s\\Windows", e->system_drive);
    root = fallback;
    if (!note(p, "SystemRoot is not set: %s assumed", fallback))
      return false;
  }
  char *win = own_fmt(p, "%s" EVENT_LOGS, root);
  return win && add_place(p, EXHUNT_LIVE_EVENT_LOGS, own(p, exh_strdup("event-logs")), win,
                          own(p, exh_strdup("%SystemRoot%" EVENT_LOGS)), false);
}

/* SystemDrive, else the drive of SystemRoot, else C: (with a note). */
static bool settle_drive(plan_impl *p, env *e)
{
  const char *d = e->lookup(e->ctx, "SystemDrive");
  const char *r = d ? NULL : e->lookup(e->ctx, "SystemRoot");
  if (d && strlen(d) < sizeof e->system_drive) {
    snprintf(e->system_drive, sizeof e->system_drive, "%s", d);
    return true;
  }
  if (r && ((r[0] >= 'A' && r[0] <= 'Z') || (r[0] >= 'a' && r[0] <= 'z')) && r[1] == ':') {
    snprintf(e->system_drive, sizeof e->system_drive, "%c:", r[0]);
    return true;
  }
  snprintf(e->system_drive, sizeof e->system_drive, "C:");
  e->drive_assumed = true;
  return note(p, "SystemDrive is not set: C: assumed");
}

const char *exhunt_live_kind_name(exhunt_live_kind kind)
{
  static const char *const names[] = {"exchange-install", "iis-site", "iis-logs", "event-logs",
                                      "inetpub"};
  return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "unknown";
}

exhunt_err exhunt_live_plan_make(const exhunt_live_inputs *in, exhunt_live_plan **out)
{
  if (!out)
    return EXHUNT_EINVAL;
  *out = NULL;
  if (!in || !in->lookup || (!in->iis_config && in->iis_config_len))
    return EXHUNT_EINVAL;
  plan_impl *p = exh_calloc(1, sizeof *p);
  if (!p)
    return EXHUNT_ENOMEM;
  env e = {in->lookup, in->lookup_ctx, "", false};
  exhunt_err err = EXHUNT_ENOMEM;
  if (!settle_drive(p, &e) || !from_registry(p, in))
    goto fail;
  if ((err = from_config(p, in, &e)) != EXHUNT_OK)
    goto fail;
  err = EXHUNT_ENOMEM;
  if (!from_system_root(p, &e) || !settle_roots(p))
    goto fail;
  /* Notes past the cap are counted, the last kept ones giving way to the
   * count; the roots left out are said whatever came before. */
  size_t room = EXH_LIVE_MAX_NOTES - (p->roots_left_out ? 1 : 0);
  uint64_t more = p->notes_left_out;
  if (more || p->n_notes > room) {
    while (p->n_notes > room - 1) {
      exh_free(p->notes[--p->n_notes]);
      more++;
    }
    p->notes_left_out = 0;
    if (!note(p, "%llu more notes like the ones above were left out", (unsigned long long)more))
      goto fail;
  }
  if (p->roots_left_out &&
      !note(p,
            "%zu folders past the first %u (the most one server takes) were left out; give "
            "their parent folder as EVIDENCE to hunt them",
            p->roots_left_out, EXH_HUNT_MAX_SERVER_ROOTS))
    goto fail;
  p->pub.places = p->places;
  p->pub.n_places = p->n_places;
  p->pub.roots = p->roots;
  p->pub.notes = (const char *const *)p->notes;
  p->pub.n_notes = p->n_notes;
  *out = &p->pub;
  return EXHUNT_OK;
fail:
  exhunt_live_plan_free(&p->pub);
  return err;
}

void exhunt_live_plan_free(exhunt_live_plan *plan)
{
  if (!plan)
    return;
  plan_impl *p = (plan_impl *)plan; /* pub is its first member */
  for (size_t i = 0; i < p->n_owned; i++)
    exh_free(p->owned[i]);
  exh_free(p->owned);
  for (size_t i = 0; i < p->n_notes; i++)
    exh_free(p->notes[i]);
  exh_free(p->notes);
  exh_free(p->places);
  exh_free((void *)p->roots);
  exh_free(p);
}
