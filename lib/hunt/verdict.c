/*
 * verdict.c - the verdict of one server, from its records and the shells
 * the story tied, in four steps:
 *
 *   gather    the evidence by weight: web shells a web server could run
 *             (or the logs show planted or used), post-exploitation,
 *             successful exploitation, attempts, probes; suspicious files
 *             a web server would not run; the vulnerable families.
 *   exposure  the badge (the current build against the build database)
 *             and the windows in which the server was exposed to a family
 *             exploited in the wild: from its first exploitation in the
 *             wild (or the install, if later) until a build fixing it shows
 *             in the evidence for good, or until the evidence ends. Each
 *             window's days are checked against the days the logs cover.
 *   decide    the verdict. Findings decide first (COMPROMISED, EXPLOITED,
 *             ATTEMPTED, SCANNED); with nothing found, coverage decides:
 *             CLEAN needs every exposed day covered by the web logs
 *             (HttpProxy or IIS: they see every attack's entry request),
 *             NO SIGN OF COMPROMISE says how much was, INSUFFICIENT
 *             EVIDENCE when none was. Evidence with no Exchange at all is
 *             NOT AN EXCHANGE SERVER when nothing was found.
 *   write     the headline (verdict and coverage figure), reasons with
 *             their evidence ids, and next steps.
 *
 * Days, not hours: a day counts as covered when a log file's record span
 * touches it, and as exposed when a window touches it (lib/core/dayset.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/compiler.h"
#include "core/dayset.h"
#include "core/time.h"
#include "core/webfile.h"
#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "hunt/hunt_int.h"
#include "platform/clock.h"

#define TEXT_MAX 512
#define MAX_WINDOWS 16
#define MAX_WINDOW_LOGS 5

/* ---------------------------------------------------------------------- */
/* Gather.                                                                 */

typedef struct facts {
  hunt_ids served;    /* shells on disk a web server could run */
  hunt_ids elsewhere; /* flagged high or above, but no web server runs them there */
  hunt_ids gone;      /* log records of shells no longer on disk */
  hunt_ids unflagged; /* log records of shells on disk the content rules did not flag */
  hunt_ids post, exploited, attempted, probes, lsass, vuln;
  int64_t first, last; /* of the attack */
} facts;

static void facts_free(facts *f)
{
  hunt_ids *all[] = {&f->served,    &f->elsewhere, &f->gone,   &f->unflagged, &f->post,
                     &f->exploited, &f->attempted, &f->probes, &f->lsass,     &f->vuln};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    exh_free(all[i]->ids);
}

static bool is(const char *s, const char *lit)
{
  return s && strcmp(s, lit) == 0;
}

/* Code IIS runs: a script it maps to a handler, or a web.config (a
 * handler mapping in it can make it run itself as ASP: the web.config web
 * shell). */
static bool runs_as_code(const char *rel)
{
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  return exh_webfile_iis_script(rel) || strcasecmp(base, "web.config") == 0;
}

/* Could a web server run this file where it lies? Code IIS runs, in a web
 * folder (exh_hunt_url_of), or requested with success as the logs show;
 * or a file the logs show planted. An exact hash of a known web shell
 * counts wherever it lies: that file on a server is an intrusion. A
 * request that failed (a 404 for x.aspx.bak) proves nothing. */
static bool servable(const hunt_server *hs, const hunt_shell *s)
{
  if (s->planted_by.total)
    return true;
  const exhunt_finding *f = s->finding->f;
  if (is(f->category, "ioc-hash"))
    return true;
  const char *rel = exh_hunt_rel(hs, f->path);
  if (s->ok_requests && runs_as_code(rel))
    return true;
  char *url = exh_hunt_url_of(rel);
  bool web = url != NULL;
  exh_free(url);
  return web && runs_as_code(rel);
}

static bool gather(const hunt_server *hs, const hunt_shell *shells, size_t n_shells,
                   const hunt_log_facts *lf, facts *fa)
{
  bool ok = true;
  fa->first = lf->first;
  fa->last = lf->last;
  for (size_t k = 0; k < n_shells; k++) {
    const hunt_shell *s = &shells[k];
    /* the logs show it planted, or requested with success */
    bool used = s->ok_requests || s->planted_by.total;
    if (s->on_disk && s->finding) {
      ok = ok && exh_ids_add(servable(hs, s) ? &fa->served : &fa->elsewhere, s->finding->id);
    } else if (used) {
      hunt_ids *to = s->on_disk ? &fa->unflagged : &fa->gone;
      ok = ok && exh_exlist_ids(&s->requests, to) && exh_exlist_ids(&s->planted_by, to);
    }
  }
  for (size_t i = 0; i < hs->n_recs; i++) { /* each record once: exh_ids_push */
    const hunt_rec *r = &hs->recs[i];
    if (r->f->kind == EXHUNT_FINDING_EXPOSURE && is(r->f->exposure.status, "vulnerable"))
      ok = ok && exh_ids_push(&fa->vuln, r->id);
  }
  ok = ok && exh_exlist_ids(&lf->post, &fa->post) && exh_exlist_ids(&lf->lsass, &fa->lsass) &&
       exh_exlist_ids(&lf->exploited, &fa->exploited) &&
       exh_exlist_ids(&lf->attempted, &fa->attempted) && exh_exlist_ids(&lf->probes, &fa->probes);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Exposure: the badge and the windows.                                    */

typedef struct exposure {
  bool exchange;
  const char *badge;
  const char *build, *product, *support, *fix;
  uint32_t vulnerable, exploited_in_wild, unknown;
  /* Windows, with the days the logs cover in each. */
  exhunt_exposure_window w[MAX_WINDOWS];
  exhunt_window_log logs[MAX_WINDOWS][MAX_WINDOW_LOGS];
  size_t n_w;
  uint32_t exposed_days, covered_days;
  int64_t missing_first, missing_last;         /* exposed days with no web log */
  int64_t installed;                           /* fresh install (ExchangeSetup.log), or NO_TIME */
  int64_t install_claimed, install_refuted_by; /* an install date the evidence contradicts */
  int64_t end_of_evidence;                     /* where open windows end (evidence_end) */
  const char *end_why;                         /* what set it */
  bool any_open;                               /* a window runs to the end of the evidence */
  size_t windows_left_out;                     /* past MAX_WINDOWS: counted, not listed */
  bool web_logs;                               /* HttpProxy or IIS records in the evidence */
  uint32_t web_days;
  exh_dayset web; /* days of HttpProxy or IIS records */
} exposure;

static const hunt_cov *cov_of(const hunt_server *hs, const char *family, const char *channel)
{
  for (size_t i = 0; i < hs->n_covs; i++) {
    const exhunt_coverage *c = &hs->covs[i].c;
    if (strcmp(c->family, family) == 0 &&
        (channel ? c->channel && strcmp(c->channel, channel) == 0 : !c->channel))
      return &hs->covs[i];
  }
  return NULL;
}

static bool present(const hunt_server *hs, const char *family, const char *channel)
{
  const hunt_cov *c = cov_of(hs, family, channel);
  return c && c->c.present;
}

/* Exchange at all: an install on disk, a build, an Exchange log, or the
 * Exchange management event channel. */
bool exh_hunt_is_exchange(const hunt_server *hs)
{
  return hs->exchange_files || hs->n_builds || present(hs, "exchange-httpproxy", NULL) ||
         present(hs, "exchange-ecp-server", NULL) || present(hs, "exchange-oabgenerator", NULL) ||
         present(hs, "windows-events", "MSExchange Management");
}

static const exh_db_family *family_by_id(const exh_builddb *db, const char *id)
{
  for (size_t i = 0; id && i < db->n_families; i++)
    if (strcmp(db->families[i].id, id) == 0)
      return &db->families[i];
  return NULL;
}

/* Is build text a later than b? (strcmp would put 15.2.986.42 past
 * 15.2.1748.48.) Unparsable text is never later. */
static bool later_build(const char *a, const char *b)
{
  exhunt_build x, y;
  if (exhunt_build_parse(a, strlen(a), &x) != EXHUNT_OK)
    return false;
  if (exhunt_build_parse(b, strlen(b), &y) != EXHUNT_OK)
    return true;
  return exhunt_build_compare(&x, &y) > 0;
}

static void badge(const hunt_server *hs, const exh_builddb *db, exposure *x)
{
  bool any = false, out = false;
  for (size_t i = 0; i < hs->n_recs; i++) {
    if (hs->recs[i].f->kind != EXHUNT_FINDING_EXPOSURE)
      continue;
    const exhunt_exposure_part *xp = &hs->recs[i].f->exposure;
    if (!xp->status)
      continue;
    any = true;
    x->build = x->build ? x->build : xp->build;
    x->product = x->product ? x->product : xp->product;
    x->support = x->support ? x->support : xp->support;
    out = out || (xp->support && strncmp(xp->support, "out of support", 14) == 0);
    if (is(xp->status, "vulnerable")) {
      x->vulnerable++;
      const exh_db_family *fam = family_by_id(db, xp->family);
      x->exploited_in_wild += fam && fam->exploited_since != EXHUNT_NO_TIME;
      if (xp->fixed_in && (!x->fix || later_build(xp->fixed_in, x->fix)))
        x->fix = xp->fixed_in;
    } else if (is(xp->status, "unknown")) {
      x->unknown++;
    }
  }
  if (!x->exchange)
    x->badge = "NOT APPLICABLE";
  else if (!any)
    x->badge = "UNKNOWN";
  else if (x->vulnerable)
    x->badge = "VULNERABLE";
  else if (x->unknown)
    x->badge = "UNKNOWN";
  else if (out)
    x->badge = "OUT OF SUPPORT";
  else
    x->badge = "PATCHED";
}

/* When the evidence ends, which is when an exposure still open ends:
 * when it was collected (--collected), or else the newest of its file
 * times (files written up to the collection: on a live server, now), log
 * records and build sightings; never past now. Not the end of the logs
 * alone: logs can stop, or be deleted, while the server runs on. */
static int64_t evidence_end(const hunt_server *hs, int64_t now, const char **why)
{
  int64_t end = EXHUNT_NO_TIME;
  *why = "its newest log record or build sighting";
  for (size_t i = 0; i < hs->n_covs; i++)
    if (hs->covs[i].c.last != EXHUNT_NO_TIME && hs->covs[i].c.last > end)
      end = hs->covs[i].c.last;
  for (size_t i = 0; i < hs->n_builds; i++)
    if (hs->builds[i].b.last != EXHUNT_NO_TIME && hs->builds[i].b.last > end)
      end = hs->builds[i].b.last;
  if (hs->collected != EXHUNT_NO_TIME) {
    if (end == EXHUNT_NO_TIME || hs->collected > end) {
      end = hs->collected;
      *why = "collected then (--collected)";
    }
  } else if (hs->newest_mtime != EXHUNT_NO_TIME &&
             (end == EXHUNT_NO_TIME || hs->newest_mtime > end)) {
    end = hs->newest_mtime;
    *why = "its newest file time, about when it was collected (--collected sets it)";
  }
  if (end == EXHUNT_NO_TIME || (now != EXHUNT_NO_TIME && end > now)) {
    end = now;
    *why = "now";
  }
  return end;
}

/* When the server stopped being exposed to family f, by its build history:
 * the first sighting of a fixing build *running* (running_since: logs,
 * Setup's runs, dumps) at or after the last sighting of a build that does
 * not fix it. `open` (the end of the evidence) when the current build does
 * not fix it, no build is known, or nothing shows a fixing build running
 * (ExSetup.exe alone says it is there, not since when). *vuln_last gets
 * the last sighting of a build that does not fix f, or EXHUNT_NO_TIME. */
static int64_t fixed_since(const hunt_server *hs, const exh_builddb *db, size_t f, int64_t open,
                           int64_t *vuln_last)
{
  int64_t fixed_first = EXHUNT_NO_TIME;
  bool current_fixed = false, any = false, fixed_running_after = false;
  *vuln_last = EXHUNT_NO_TIME;
  for (size_t i = 0; i < hs->n_builds; i++) {
    const exhunt_build_seen *s = &hs->builds[i].b;
    exhunt_build b;
    if (!s->build || exhunt_build_parse(s->build, strlen(s->build), &b) != EXHUNT_OK)
      continue;
    exh_verdict v;
    exh_exposure_verdict(db, &b, f, &v);
    bool fixed = strcmp(v.status, "patched") == 0;
    any = true;
    if (s->current)
      current_fixed = fixed;
    int64_t seen_last = s->last != EXHUNT_NO_TIME ? s->last : s->first;
    if (!fixed && seen_last != EXHUNT_NO_TIME &&
        (*vuln_last == EXHUNT_NO_TIME || seen_last > *vuln_last))
      *vuln_last = seen_last;
  }
  if (!any || !current_fixed)
    return open;
  for (size_t i = 0; i < hs->n_builds; i++) {
    const exhunt_build_seen *s = &hs->builds[i].b;
    exhunt_build b;
    if (!s->build || s->running_since == EXHUNT_NO_TIME ||
        exhunt_build_parse(s->build, strlen(s->build), &b) != EXHUNT_OK)
      continue;
    exh_verdict v;
    exh_exposure_verdict(db, &b, f, &v);
    if (strcmp(v.status, "patched") != 0)
      continue;
    if (*vuln_last != EXHUNT_NO_TIME && s->running_since < *vuln_last) {
      /* running before the last vulnerable sighting too (a rollback, or
       * sightings that overlap): fixed again after that one */
      fixed_running_after =
          fixed_running_after || (s->last != EXHUNT_NO_TIME && s->last >= *vuln_last);
      continue;
    }
    exh_time_take_earliest(&fixed_first, s->running_since);
  }
  if (fixed_first == EXHUNT_NO_TIME && fixed_running_after)
    fixed_first = *vuln_last;
  return fixed_first == EXHUNT_NO_TIME ? open : fixed_first;
}

/* The log families whose detectors see a family's attacks; the web logs
 * see every entry request and decide the coverage, the others add
 * detail (and are shown). The in-the-wild families are all reached over
 * HTTP(S), so the same list serves each. */
static const struct {
  const char *family;
  bool counts;
} window_logs[MAX_WINDOW_LOGS] = {
    {"exchange-httpproxy", true},     {"iis-w3c", true},         {"exchange-ecp-server", false},
    {"exchange-oabgenerator", false}, {"windows-events", false},
};

/* The fresh install Setup's log records, unless the evidence shows Exchange
 * before it (a build seen running, an Exchange log record): then the date
 * is not used, and a reason says why. */
static void install_date(const hunt_server *hs, exposure *x)
{
  int64_t inst = EXHUNT_NO_TIME, earliest = EXHUNT_NO_TIME;
  for (size_t i = 0; i < hs->n_builds; i++) {
    const exhunt_build_seen *s = &hs->builds[i].b;
    exh_time_take_earliest(&inst, s->installed);
    exh_time_take_earliest(&earliest, s->running_since);
  }
  static const char *const exchange_logs[] = {"exchange-httpproxy", "exchange-ecp-server",
                                              "exchange-oabgenerator"};
  for (size_t k = 0; k < sizeof exchange_logs / sizeof *exchange_logs; k++) {
    const hunt_cov *c = cov_of(hs, exchange_logs[k], NULL);
    if (c && c->c.present)
      exh_time_take_earliest(&earliest, c->c.first);
  }
  x->installed = x->install_claimed = x->install_refuted_by = EXHUNT_NO_TIME;
  if (inst == EXHUNT_NO_TIME)
    return;
  if (earliest != EXHUNT_NO_TIME && earliest < inst) {
    x->install_claimed = inst;
    x->install_refuted_by = earliest;
    return;
  }
  x->installed = inst;
}

static exhunt_err windows(const hunt_server *hs, const exh_builddb *db, int64_t now, exposure *x)
{
  exh_dayset exposed = {NULL};
  exhunt_err err = EXHUNT_OK;
  const hunt_cov *web[2] = {cov_of(hs, "exchange-httpproxy", NULL), cov_of(hs, "iis-w3c", NULL)};
  for (size_t i = 0; i < 2 && !err; i++)
    if (web[i] && web[i]->c.present) {
      x->web_logs = true;
      err = exh_dayset_add_set(&x->web, &web[i]->days);
    }
  x->web_days = exh_dayset_count(&x->web);
  install_date(hs, x);
  int64_t end_of_evidence = evidence_end(hs, now, &x->end_why);
  x->end_of_evidence = end_of_evidence;
  for (size_t f = 0; f < db->n_families && !err && x->exchange; f++) {
    int64_t start = db->families[f].exploited_since;
    if (start == EXHUNT_NO_TIME)
      continue;
    if (x->installed != EXHUNT_NO_TIME && x->installed > start)
      start = x->installed;
    int64_t vuln_last;
    int64_t end = fixed_since(hs, db, f, end_of_evidence, &vuln_last);
    if (end_of_evidence != EXHUNT_NO_TIME && (end == EXHUNT_NO_TIME || end > end_of_evidence))
      end = end_of_evidence;
    if (end == EXHUNT_NO_TIME || end <= start)
      continue;
    /* A window a fixing build closed ends the day before that build was
     * first seen: that day the evidence shows the server fixed, and logs
     * that begin with the fix (the usual case: the build is read from
     * them) must not count as covering the exposure. An open window runs
     * through the evidence's last day. */
    bool closed = end < end_of_evidence;
    x->any_open = x->any_open || !closed;
    int64_t d0 = exh_day_of(start), d1 = exh_day_of(end) - (closed ? 1 : 0);
    /* ...unless a build without the fix was seen running that day */
    if (closed && vuln_last != EXHUNT_NO_TIME && vuln_last >= start && exh_day_of(vuln_last) > d1)
      d1 = exh_day_of(vuln_last);
    if (d1 < d0)
      continue;
    exh_dayset days = {NULL};
    err = exh_dayset_add_days(&days, d0, d1);
    if (!err)
      err = exh_dayset_add_set(&exposed, &days);
    if (x->n_w == MAX_WINDOWS) {
      /* its days count in the union; the window itself is not listed */
      x->windows_left_out++;
      exh_dayset_free(&days);
      continue;
    }
    exhunt_exposure_window *w = &x->w[x->n_w];
    w->family = db->families[f].id;
    w->title = db->families[f].title;
    w->start = start;
    w->end = end;
    w->exposed_days = exh_dayset_count(&days);
    w->covered_days = exh_dayset_count_both(&days, &x->web);
    w->logs = x->logs[x->n_w];
    w->n_logs = 0;
    for (size_t k = 0; k < MAX_WINDOW_LOGS; k++) {
      const hunt_cov *c = cov_of(hs, window_logs[k].family, NULL);
      exhunt_window_log *l = &x->logs[x->n_w][w->n_logs++];
      l->family = window_logs[k].family;
      l->counts = window_logs[k].counts;
      l->covered_days = c ? exh_dayset_count_in(&c->days, d0, d1) : 0;
    }
    exh_dayset_free(&days);
    x->n_w++;
  }
  x->exposed_days = exh_dayset_count(&exposed);
  x->covered_days = exh_dayset_count_both(&exposed, &x->web);
  /* The first and last exposed day no web log covers: what to collect. */
  x->missing_first = x->missing_last = EXHUNT_NO_TIME;
  if (!err && x->covered_days < x->exposed_days) {
    for (int64_t d = EXH_DAYSET_FIRST_DAY; d < EXH_DAYSET_FIRST_DAY + (int64_t)EXH_DAYSET_DAYS; d++)
      if (exh_dayset_has(&exposed, d) && !exh_dayset_has(&x->web, d)) {
        if (x->missing_first == EXHUNT_NO_TIME)
          x->missing_first = d * 86400;
        x->missing_last = d * 86400;
      }
  }
  exh_dayset_free(&exposed);
  return err;
}

/* ---------------------------------------------------------------------- */
/* Write.                                                                  */

typedef struct textbuf {
  char (*texts)[TEXT_MAX];
  size_t n, cap;
} textbuf;

/* A new text slot; NULL when all are used. Slots stay put (allocated up
 * front), since reasons point at them. */
static char *text_new(textbuf *t)
{
  if (t->n == t->cap)
    return NULL;
  return t->texts[t->n++];
}

static void fmt_day(int64_t t, char out[24])
{
  if (t == EXHUNT_NO_TIME) {
    snprintf(out, 24, "?");
    return;
  }
  struct tm tm;
  exh_gmtime(t, &tm);
  strftime(out, 24, "%Y-%m-%d", &tm);
}

/* 1234567 -> "1,234,567". */
static const char *fmt_count(uint64_t n, char out[32])
{
  char digits[24];
  int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
  int o = 0;
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
  return out;
}

typedef struct writer {
  textbuf tb;
  exhunt_reason reasons[32];
  exhunt_next_step steps[12];
  size_t n_reasons, n_steps;
} writer;

/* A reason (action NULL) or a next step (action set), its text from fmt;
 * nothing once that list or the text slots are full. */
static void vsay(writer *wr, const char *action, const hunt_ids *list, const char *fmt, va_list ap)
    EXH_PRINTF(4, 0);
static void vsay(writer *wr, const char *action, const hunt_ids *list, const char *fmt, va_list ap)
{
  bool full = action ? wr->n_steps == sizeof wr->steps / sizeof *wr->steps
                     : wr->n_reasons == sizeof wr->reasons / sizeof *wr->reasons;
  char *t = full ? NULL : text_new(&wr->tb);
  if (!t)
    return;
  vsnprintf(t, TEXT_MAX, fmt, ap);
  exhunt_evidence ev =
      list ? (exhunt_evidence){list->ids, list->n, list->more} : (exhunt_evidence){NULL, 0, 0};
  if (action)
    wr->steps[wr->n_steps++] = (exhunt_next_step){.action = action, .text = t, .evidence = ev};
  else
    wr->reasons[wr->n_reasons++] = (exhunt_reason){.text = t, .evidence = ev};
}

static void reason(writer *wr, const hunt_ids *list, const char *fmt, ...) EXH_PRINTF(3, 4);
static void reason(writer *wr, const hunt_ids *list, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsay(wr, NULL, list, fmt, ap);
  va_end(ap);
}

static void step(writer *wr, const char *action, const hunt_ids *list, const char *fmt, ...)
    EXH_PRINTF(4, 5);
static void step(writer *wr, const char *action, const hunt_ids *list, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsay(wr, action, list, fmt, ap);
  va_end(ap);
}

static const char *plural(size_t n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

/* ---------------------------------------------------------------------- */
/* Decide.                                                                 */

static const char *decide(const hunt_server *hs, const facts *fa, const exposure *x)
{
  if (EXH_IDS_TOTAL(fa->served) || EXH_IDS_TOTAL(fa->gone) || EXH_IDS_TOTAL(fa->unflagged) ||
      EXH_IDS_TOTAL(fa->post))
    return "COMPROMISED";
  if (EXH_IDS_TOTAL(fa->exploited))
    return "EXPLOITED";
  bool found = EXH_IDS_TOTAL(fa->attempted) || EXH_IDS_TOTAL(fa->probes);
  if (!x->exchange) {
    if (EXH_IDS_TOTAL(fa->attempted))
      return "ATTEMPTED";
    if (EXH_IDS_TOTAL(fa->probes))
      return "SCANNED";
    if (hs->files_seen == 0 && !x->web_logs)
      return "INSUFFICIENT EVIDENCE";
    return "NOT AN EXCHANGE SERVER";
  }
  /* Nothing in the logs' days says nothing about the other days. */
  bool none_covered = !x->web_logs || (x->exposed_days && x->covered_days == 0);
  if (none_covered)
    return "INSUFFICIENT EVIDENCE";
  if (found)
    return EXH_IDS_TOTAL(fa->attempted) ? "ATTEMPTED" : "SCANNED";
  if (x->covered_days < x->exposed_days || hs->errors || EXH_IDS_TOTAL(fa->elsewhere))
    return "NO SIGN OF COMPROMISE";
  return "CLEAN";
}

static void headline(const hunt_server *hs, const facts *fa, const char *v, const exposure *x,
                     char *out, size_t cap)
{
  char a[32], b[32];
  /* with every exposed day covered, what else kept the verdict from CLEAN */
  const char *but = strcmp(v, "NO SIGN OF COMPROMISE") != 0 ? ""
                    : hs->errors                            ? "; errors left evidence unexamined"
                    : EXH_IDS_TOTAL(fa->elsewhere) ? "; suspicious files outside the web folders"
                                                   : "";
  if (!x->exchange && !x->web_logs && hs->files_seen == 0)
    snprintf(out, cap, "%s (no file or log in the evidence)", v);
  else if (!x->exchange && x->web_logs)
    snprintf(out, cap, "%s (%s; IIS logs cover %s day%s)", v,
             strcmp(v, "NOT AN EXCHANGE SERVER") == 0 ? "no web shell or attack found"
                                                      : "not Exchange",
             fmt_count(x->web_days, a), plural(x->web_days, "", "s"));
  else if (!x->exchange)
    snprintf(out, cap, "%s (no Exchange install, log or build; no IIS log)", v);
  else if (!x->web_logs)
    snprintf(out, cap, "%s (no HttpProxy or IIS logs)", v);
  else if (x->exposed_days == 0)
    snprintf(out, cap, "%s (not exposed to a family exploited in the wild%s)", v, but);
  else if (x->covered_days >= x->exposed_days)
    snprintf(out, cap, "%s (logs cover all %s exposed days%s)", v, fmt_count(x->exposed_days, a),
             but);
  else
    snprintf(out, cap, "%s (logs cover %s of %s exposed day%s)", v, fmt_count(x->covered_days, a),
             fmt_count(x->exposed_days, b), plural(x->exposed_days, "", "s"));
}

static void write_reasons(writer *wr, const hunt_server *hs, const facts *fa, const exposure *x,
                          const char *v)
{
  char a[32], b[32], d0[24], d1[24];
  if (EXH_IDS_TOTAL(fa->served))
    reason(wr, &fa->served, "%zu web shell%s or IOC file%s on disk, where a web server runs them",
           EXH_IDS_TOTAL(fa->served), plural(EXH_IDS_TOTAL(fa->served), "", "s"),
           plural(EXH_IDS_TOTAL(fa->served), "", "s"));
  if (EXH_IDS_TOTAL(fa->gone))
    reason(wr, &fa->gone,
           "web shells written or used according to the logs, not on disk in the evidence "
           "(deleted, or the web folders were not collected)");
  if (EXH_IDS_TOTAL(fa->unflagged))
    reason(wr, &fa->unflagged,
           "files the logs show planted, or requested with success as web shells, on disk but "
           "not flagged by the content rules: a shell they do not know, or one changed since");
  if (EXH_IDS_TOTAL(fa->post))
    reason(wr, &fa->post, "%zu post-exploitation record%s (web server process running commands)",
           EXH_IDS_TOTAL(fa->post), plural(EXH_IDS_TOTAL(fa->post), "", "s"));
  if (EXH_IDS_TOTAL(fa->exploited))
    reason(wr, &fa->exploited, "%zu successful exploitation record%s", EXH_IDS_TOTAL(fa->exploited),
           plural(EXH_IDS_TOTAL(fa->exploited), "", "s"));
  if (EXH_IDS_TOTAL(fa->attempted))
    reason(wr, &fa->attempted, "%zu failed exploitation attempt%s", EXH_IDS_TOTAL(fa->attempted),
           plural(EXH_IDS_TOTAL(fa->attempted), "", "s"));
  if (EXH_IDS_TOTAL(fa->probes))
    reason(wr, &fa->probes, "%zu scanner probe%s", EXH_IDS_TOTAL(fa->probes),
           plural(EXH_IDS_TOTAL(fa->probes), "", "s"));
  if (EXH_IDS_TOTAL(fa->elsewhere))
    reason(wr, &fa->elsewhere,
           "%zu suspicious file%s outside the web folders, or of a kind IIS does not run: not "
           "proof of compromise, but worth a look (copies, tools, staging)",
           EXH_IDS_TOTAL(fa->elsewhere), plural(EXH_IDS_TOTAL(fa->elsewhere), "", "s"));
  if (!x->exchange) {
    reason(wr, NULL,
           "no Exchange install, Exchange log or Exchange build in the evidence: not an Exchange "
           "server; its files%s were checked for web shells and attacks",
           x->web_logs ? " and IIS logs" : "");
  } else if (EXH_IDS_TOTAL(fa->vuln)) {
    reason(wr, &fa->vuln,
           "the current build is vulnerable to %zu CVE famil%s, %u of them exploited "
           "in the wild",
           EXH_IDS_TOTAL(fa->vuln), plural(EXH_IDS_TOTAL(fa->vuln), "y", "ies"),
           x->exploited_in_wild);
  }
  if (x->exchange && x->installed != EXHUNT_NO_TIME) {
    fmt_day(x->installed, d0);
    reason(wr, NULL,
           "Exchange was installed on %s (ExchangeSetup.log): it was not exposed before then", d0);
  }
  if (x->exchange && x->install_claimed != EXHUNT_NO_TIME) {
    fmt_day(x->install_claimed, d0);
    fmt_day(x->install_refuted_by, d1);
    reason(wr, NULL,
           "ExchangeSetup.log shows a fresh install on %s, but the evidence shows Exchange on %s, "
           "before it: the install date is not used",
           d0, d1);
  }
  if (x->exchange && !x->web_logs)
    reason(wr, NULL, "no HttpProxy or IIS logs in the evidence: exploitation cannot be ruled out");
  for (size_t i = 0; x->exchange && x->web_logs && i < x->n_w; i++) {
    const exhunt_exposure_window *w = &x->w[i];
    if (w->covered_days >= w->exposed_days)
      continue;
    fmt_day(w->start, d0);
    fmt_day(w->end, d1);
    reason(wr, NULL,
           "exposed to %s from %s (%s) to %s: %s day%s; the HttpProxy and IIS logs cover %s of "
           "them",
           w->title, d0,
           x->installed != EXHUNT_NO_TIME && w->start == x->installed
               ? "the install"
               : "first exploitation in the wild",
           d1, fmt_count(w->exposed_days, a), plural(w->exposed_days, "", "s"),
           fmt_count(w->covered_days, b));
  }
  if (x->exchange && x->any_open) {
    fmt_day(x->end_of_evidence, d0);
    reason(wr, NULL,
           "exposure not closed by a fixing build runs to the end of the evidence, %s (%s)", d0,
           x->end_why);
  }
  if (x->exchange && x->web_logs && x->n_w == 0 && hs->n_builds)
    reason(wr, NULL,
           "every build seen was patched for the families exploited in the wild before "
           "their exploitation began, or before the install");
  if (hs->since != EXHUNT_NO_TIME || hs->until != EXHUNT_NO_TIME) {
    fmt_day(hs->since, d0);
    fmt_day(hs->until, d1);
    reason(wr, NULL,
           "only log records from %s to %s were read (--since/--until): coverage counts "
           "those days alone",
           hs->since == EXHUNT_NO_TIME ? "the start" : d0,
           hs->until == EXHUNT_NO_TIME ? "the end" : d1);
  }
  if (hs->errors)
    reason(wr, NULL, "%llu error%s left part of this evidence unexamined (see the errors)",
           (unsigned long long)hs->errors, plural(hs->errors, "", "s"));
  if (strcmp(v, "CLEAN") == 0)
    reason(wr, NULL,
           x->exposed_days ? "no web shell, IOC or exploitation found; the HttpProxy and IIS "
                             "logs cover every exposed day"
                           : "no web shell, IOC or exploitation found");
}

/* Is `ip` one of the entries of the ", "-separated list (whole entries:
 * 10.0.0.1 is not in "10.0.0.12")? */

static void write_steps(writer *wr, const hunt_server *hs, const facts *fa, const exposure *x,
                        const char *v)
{
  char d0[24], d1[24], a[32];
  if (strcmp(v, "COMPROMISED") == 0)
    step(wr, "isolate", NULL,
         "Isolate the server; image memory and disk before cleaning; look for persistence (new "
         "accounts, scheduled tasks, services, changed IIS modules)");
  if (EXH_IDS_TOTAL(fa->served))
    step(wr, "quarantine", &fa->served,
         "Quarantine the %zu flagged file%s (exhunt quarantine keeps a verifiable copy)",
         EXH_IDS_TOTAL(fa->served), plural(EXH_IDS_TOTAL(fa->served), "", "s"));
  if (EXH_IDS_TOTAL(fa->lsass))
    step(wr, "credentials", &fa->lsass,
         "LSASS memory was dumped: reset the passwords of every account that signed in to this "
         "server, service accounts included");
  else if (EXH_IDS_TOTAL(fa->post))
    step(wr, "credentials", &fa->post,
         "Commands ran as the web server: treat credentials on this server as exposed");
  if (x->exchange && EXH_IDS_TOTAL(fa->vuln)) {
    if (x->support && strncmp(x->support, "out of support", 14) == 0)
      step(wr, "patch", &fa->vuln,
           "Patch: %s is vulnerable to %zu famil%s and %s; move to a supported release (Exchange "
           "Server Subscription Edition); at the least install %s",
           x->product ? x->product : "this build", EXH_IDS_TOTAL(fa->vuln),
           plural(EXH_IDS_TOTAL(fa->vuln), "y", "ies"), x->support,
           x->fix ? x->fix : "the newest update");
    else
      step(wr, "patch", &fa->vuln, "Patch: install %s or later (%s is vulnerable to %zu famil%s)",
           x->fix ? x->fix : "the newest update", x->product ? x->product : "this build",
           EXH_IDS_TOTAL(fa->vuln), plural(EXH_IDS_TOTAL(fa->vuln), "y", "ies"));
  } else if (x->exchange && strcmp(x->badge, "OUT OF SUPPORT") == 0) {
    step(wr, "patch", NULL, "Update: %s is %s", x->product ? x->product : "this build",
         x->support ? x->support : "out of support");
  } else if (x->exchange && strcmp(x->badge, "UNKNOWN") == 0) {
    step(wr, "collect-logs", NULL,
         "Find the build (Get-ExchangeServer | fl AdminDisplayVersion, or ExSetup.exe's file "
         "version): the evidence does not show which build runs, so its exposure is unknown");
  }
  if (EXH_IDS_TOTAL(fa->gone))
    step(wr, "review", &fa->gone,
         "Some shells are gone from disk: look for copies elsewhere and review what their "
         "requests did");
  if (EXH_IDS_TOTAL(fa->unflagged))
    step(wr, "review", &fa->unflagged,
         "Read the files the logs tie to the attack but the content rules did not flag, and "
         "quarantine them if they are shells");
  if (EXH_IDS_TOTAL(fa->elsewhere))
    step(wr, "review", &fa->elsewhere,
         "Review the %zu suspicious file%s outside the web folders: where they came from, and "
         "whether a copy sits where IIS serves it",
         EXH_IDS_TOTAL(fa->elsewhere), plural(EXH_IDS_TOTAL(fa->elsewhere), "", "s"));
  if (x->exchange && !x->web_logs) {
    step(wr, "collect-logs", NULL,
         "Collect the HttpProxy logs (V15\\Logging\\HttpProxy) and IIS logs "
         "(inetpub\\logs\\LogFiles): none are in the evidence");
  } else if (x->exchange && x->missing_first != EXHUNT_NO_TIME) {
    fmt_day(x->missing_first, d0);
    fmt_day(x->missing_last, d1);
    step(wr, "collect-logs", NULL,
         "Collect HttpProxy and IIS logs (and backups of them) for the %s exposed day%s the "
         "evidence lacks, between %s and %s",
         fmt_count(x->exposed_days - x->covered_days, a),
         plural(x->exposed_days - x->covered_days, "", "s"), d0, d1);
  } else if (!x->exchange && !x->web_logs && hs->files_seen == 0) {
    step(wr, "collect-logs", NULL,
         "Nothing was examined: check that the path is the server's drive or its collection");
  }
  if (hs->errors)
    step(wr, "review", NULL,
         "Fix what the errors name (permissions, damaged files) and run again: part of the "
         "evidence was not examined");
  size_t n_ips = 0;
  char ips[TEXT_MAX] = "";
  exh_hunt_story_acting(hs, ips, sizeof ips, &n_ips);
  if (n_ips)
    step(wr, "block", EXH_IDS_TOTAL(fa->exploited) ? &fa->exploited : &fa->attempted,
         "Block and search other systems' logs for the attacking address%s: %.400s",
         plural(n_ips, "", "es"), ips);
}

exhunt_err exh_hunt_verdict(hunt_server *hs, const hunt_shell *shells, size_t n_shells,
                            const hunt_log_facts *lf, const exh_builddb *db, int64_t now,
                            const exhunt_sink *sink)
{
  exhunt_err err = EXHUNT_OK;
  facts fa;
  exposure x;
  writer wr;
  memset(&fa, 0, sizeof fa);
  memset(&x, 0, sizeof x);
  memset(&wr, 0, sizeof wr);
  wr.tb.cap = 64;
  wr.tb.texts = exh_calloc(wr.tb.cap, sizeof *wr.tb.texts);
  char *head = exh_malloc(TEXT_MAX);
  if (!wr.tb.texts || !head || !gather(hs, shells, n_shells, lf, &fa)) {
    err = EXHUNT_ENOMEM;
    goto out;
  }
  x.exchange = exh_hunt_is_exchange(hs);
  badge(hs, db, &x);
  if ((err = windows(hs, db, now, &x)) != EXHUNT_OK)
    goto out;
  if (x.windows_left_out && sink->on_notice) {
    char why[200];
    snprintf(why, sizeof why,
             "%zu exposure window(s) past the first %d are not listed; their days count in the "
             "exposed and covered days",
             x.windows_left_out, MAX_WINDOWS);
    exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "windows-capped", hs->name, why};
    sink->on_notice(sink->ctx, &n);
  }
  const char *v = decide(hs, &fa, &x);
  headline(hs, &fa, v, &x, head, TEXT_MAX);
  write_reasons(&wr, hs, &fa, &x, v);
  write_steps(&wr, hs, &fa, &x, v);
  if (sink->on_verdict) {
    exhunt_verdict vd = {
        hs->name,  v,          wr.reasons,   wr.n_reasons,        fa.first,       fa.last,
        wr.steps,  wr.n_steps, head,         x.exchange,          x.badge,        x.build,
        x.product, x.support,  x.vulnerable, x.exploited_in_wild, x.exposed_days, x.covered_days,
        x.w,       x.n_w,      hs->errors};
    sink->on_verdict(sink->ctx, &vd);
  }
out:
  facts_free(&fa);
  exh_dayset_free(&x.web);
  exh_free(wr.tb.texts);
  exh_free(head);
  return err;
}
