/*
 * assess.c - one Exchange build against the build database: a verdict per
 * CVE family (vulnerable, patched or unknown), with the reason and the
 * build that fixes it.
 *
 * The rule is HealthChecker's. A build is patched for a family when it is
 * at or above the fixing build of its own CU, or when its CU is newer than
 * the newest CU that needed a fix (later CUs ship with it). A CU older than
 * that which never received the fix is vulnerable: it must move to a CU
 * that did. Exchange 2010 has no CUs after SP3, only rollups, so there the
 * fixing rollup is compared directly. What the database cannot place - an
 * unknown CU, a 3-part build on a CU that got a fix, a product with no
 * fix recorded - is "unknown", never "patched".
 */
#include <stdio.h>
#include <string.h>

#include "exposure/builddb.h"
#include "exposure/exposure.h"
#include "output/escape.h"

static void fmt_date(int64_t t, char out[16])
{
  if (t == EXHUNT_NO_TIME) {
    snprintf(out, 16, "?");
    return;
  }
  int64_t days = t / 86400;
  /* civil_from_days (Howard Hinnant's algorithm), to stay off gmtime's
   * global state. */
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  snprintf(out, 16, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

/* The product line of a build: its CU (2013 and later), or for a line
 * without CUs (2010: rollups on SP3) the nearest database build. */
static const exh_db_build *place(const exh_builddb *db, const exhunt_build *b, bool *rollup_line)
{
  *rollup_line = false;
  const exh_db_build *cu = exh_builddb_cu_of(db, b);
  if (cu)
    return cu;
  const exh_db_build *near = NULL;
  bool line_has_rollups = false;
  for (size_t i = 0; i < db->n_builds; i++) {
    const exh_db_build *e = &db->builds[i];
    if (e->build.major != b->major || e->build.minor != b->minor)
      continue;
    line_has_rollups = line_has_rollups || e->kind == EXH_BUILD_RU;
    if (exhunt_build_compare(&e->build, b) <= 0)
      near = e;
  }
  if (!line_has_rollups || !near)
    return NULL;
  *rollup_line = true;
  return near;
}

static bool same_line(const exhunt_build *a, const exhunt_build *b)
{
  return a->major == b->major && a->minor == b->minor;
}

static const exh_db_build *fix_entry(const exh_builddb *db, const exh_db_fix *x)
{
  return exh_builddb_find(db, &x->build);
}

void exh_exposure_support(const exh_builddb *db, const exh_db_build *cu, bool rollup_line,
                          int64_t now, char *out, size_t cap)
{
  const exh_db_product *p = &db->products[cu->product];
  char d[16];
  if (p->end_of_support != EXHUNT_NO_TIME && now != EXHUNT_NO_TIME && now >= p->end_of_support) {
    fmt_date(p->end_of_support, d);
    snprintf(out, cap, "out of support: %s ended support on %s", p->name, d);
    return;
  }
  if (!rollup_line) {
    /* Microsoft supports the newest CU and the one before it. */
    const char *newer[2] = {NULL, NULL};
    size_t n_newer = 0;
    for (size_t i = 0; i < db->n_builds; i++) {
      const exh_db_build *e = &db->builds[i];
      if (e->kind == EXH_BUILD_CU && e->product == cu->product &&
          e->build.build > cu->build.build && (now == EXHUNT_NO_TIME || e->released <= now)) {
        if (n_newer < 2)
          newer[n_newer] = e->name;
        n_newer++;
      }
    }
    if (n_newer >= 2) {
      snprintf(out, cap, "out of support: %zu newer CUs exist (%s, %s%s)", n_newer, newer[0],
               newer[1], n_newer > 2 ? ", ..." : "");
      return;
    }
  }
  snprintf(out, cap, "supported");
}

/* The verdict for one family. Fills v; reason in v->reason. */
void exh_exposure_verdict(const exh_builddb *db, const exhunt_build *b, size_t family,
                          exh_verdict *v)
{
  const exh_db_family *fam = &db->families[family];
  memset(v, 0, sizeof *v);
  v->status = "unknown";
  v->severity = EXHUNT_SEV_LOW;
  for (size_t i = 0; i < fam->n_cves && i < EXH_DB_MAX_CVES; i++)
    v->cves[v->n_cves++] = fam->cves[i];
  char bs[EXHUNT_BUILD_STRLEN];
  exhunt_build_format(b, bs);
  bool rollup_line;
  const exh_db_build *cu = place(db, b, &rollup_line);
  if (!cu) {
    snprintf(v->reason, sizeof v->reason,
             "build %s is not in the build database (not an Exchange 2010-SE build it knows; "
             "it may be newer than the database): check it by hand",
             bs);
    return;
  }
  /* The fixes for this product, its own CU's, and the newest. Products
   * are kept apart: Exchange 2019 and SE share 15.2, and an SE fix says
   * nothing about which 2019 CUs shipped with the fix. */
  const exh_db_fix *own = NULL, *newest = NULL;
  for (size_t i = 0; i < db->n_fixes; i++) {
    const exh_db_fix *x = &db->fixes[i];
    if (x->family != family || !same_line(&x->build, b))
      continue;
    const exh_db_build *xe = fix_entry(db, x);
    if (!xe || xe->product != cu->product)
      continue;
    if (!rollup_line && x->build.build == b->build)
      own = x;
    if (!newest || exhunt_build_compare(&x->build, &newest->build) > 0)
      newest = x;
  }
  const exh_db_product *prod = &db->products[cu->product];
  if (!newest) {
    snprintf(v->reason, sizeof v->reason,
             "no fix for %s is recorded for this family: it does not affect this version, or "
             "the version was out of support and never assessed",
             prod->name);
    return;
  }
  if (rollup_line)
    own = newest;
  const exh_db_fix *used = own ? own : newest;
  if (used->n_cves) {
    v->n_cves = 0;
    for (size_t i = 0; i < used->n_cves; i++)
      v->cves[v->n_cves++] = used->cves[i];
  }
  const exh_db_build *fe = fix_entry(db, used);
  char fs[EXHUNT_BUILD_STRLEN], fd[16];
  exhunt_build_format(&used->build, fs);
  fmt_date(fe ? fe->released : EXHUNT_NO_TIME, fd);
  snprintf(v->fixed_in, sizeof v->fixed_in, "%s", fs);
  snprintf(v->fixed_name, sizeof v->fixed_name, "%s", fe ? fe->name : "");
  const char *fix_name = fe ? fe->name : "?";
  if (own) {
    if (!b->has_revision) {
      snprintf(v->reason, sizeof v->reason,
               "the 3-part build %s shows the CU (%s) but not its update level; the fix for "
               "this CU is %s (%s, %s)",
               bs, cu->name, fs, fe ? fe->name : "?", fd);
      return;
    }
    if (exhunt_build_compare(b, &own->build) >= 0) {
      v->status = "patched";
      v->severity = EXHUNT_SEV_INFO;
      snprintf(v->reason, sizeof v->reason, "build %s is at or above %s (%s, %s)", bs, fs,
               fe ? fe->name : "?", fd);
    } else {
      v->status = "vulnerable";
      v->severity = fam->severity;
      snprintf(v->reason, sizeof v->reason, "build %s is below %s (%s, %s), the fix for %s %s", bs,
               fs, fe ? fe->name : "?", fd, prod->name, cu->name);
    }
  } else if (b->build > newest->build.build) {
    v->status = "patched";
    v->severity = EXHUNT_SEV_INFO;
    v->fixed_in[0] = v->fixed_name[0] = '\0';
    char cd[16];
    fmt_date(cu->released, cd);
    snprintf(v->reason, sizeof v->reason,
             "%s %s (%s) is newer than the newest CU that needed the fix (%s, fixed by %s): it "
             "ships with the fix",
             prod->name, cu->name, cd, fe ? fe->name : "?", fs);
  } else {
    v->status = "vulnerable";
    v->severity = fam->severity;
    snprintf(v->reason, sizeof v->reason,
             "%s never received this fix: move to a CU that did and install its update "
             "(newest: %s %s)",
             cu->name, fix_name, fs);
  }
  if (b->has_revision && !exh_builddb_find(db, b)) {
    size_t k = strlen(v->reason);
    snprintf(v->reason + k, sizeof v->reason - k,
             " (the exact build is not in the database; judged by its CU)");
  }
}

exhunt_err exh_exposure_assess_db(const exh_builddb *db, const exhunt_build *build,
                                  const exhunt_exposure_ctx *ctx, const exhunt_sink *sink)
{
  char bs[EXHUNT_BUILD_STRLEN];
  exhunt_build_format(build, bs);
  bool rollup_line;
  const exh_db_build *cu = place(db, build, &rollup_line);
  const exh_db_build *exact = exh_builddb_find(db, build);
  char product[128] = "", support[160] = "";
  if (cu) {
    const exh_db_build *named = exact ? exact : cu;
    snprintf(product, sizeof product, "%s %s", db->products[cu->product].name, named->name);
    exh_exposure_support(db, cu, rollup_line, ctx->now, support, sizeof support);
  }
  for (size_t i = 0; i < db->n_families; i++) {
    const exh_db_family *fam = &db->families[i];
    exh_verdict v;
    exh_exposure_verdict(db, build, i, &v);
    char rule[64], title[160];
    snprintf(rule, sizeof rule, "exhunt.exposure.%s", fam->id);
    snprintf(title, sizeof title, "%s: %s", fam->title, v.status);
    char fixed[EXHUNT_BUILD_STRLEN + 64] = "";
    if (v.fixed_in[0])
      snprintf(fixed, sizeof fixed, "%s", v.fixed_in);
    exhunt_finding f;
    memset(&f, 0, sizeof f);
    f.category = "exposure";
    f.severity = v.severity;
    f.rule = rule;
    f.title = title;
    f.description = v.reason;
    f.source = "exhunt-builddb";
    f.reference = fam->reference;
    f.path = ctx->path;
    f.kind = EXHUNT_FINDING_EXPOSURE;
    f.exposure.timestamp = ctx->seen;
    f.exposure.cves = v.cves;
    f.exposure.n_cves = v.n_cves;
    f.exposure.build = bs;
    f.exposure.build_source = ctx->build_source;
    f.exposure.status = v.status;
    f.exposure.fixed_in = fixed[0] ? fixed : NULL;
    f.exposure.target = ctx->target;
    f.exposure.product = product[0] ? product : NULL;
    f.exposure.support = support[0] ? support : NULL;
    f.exposure.family = fam->id;
    sink->on_finding(sink->ctx, &f);
  }
  return EXHUNT_OK;
}

exhunt_err exhunt_exposure_assess(const exhunt_build *build, const exhunt_exposure_ctx *ctx,
                                  const exhunt_sink *sink)
{
  if (!build || !ctx || !sink || !sink->on_finding || !sink->on_notice)
    return EXHUNT_EINVAL;
  exh_builddb db;
  exhunt_err err = exh_builddb_load(&db, sink);
  if (err == EXHUNT_OK || err == EXHUNT_ECORRUPT)
    err = exh_exposure_assess_db(&db, build, ctx, sink);
  exh_builddb_free(&db);
  return err;
}
