/*
 * builddb.c - parses the embedded Exchange build database (see builddb.h
 * and the comment block at the top of rules/exchange/builds.tsv).
 *
 * Line types, tab-separated:
 *   product ID NAME END-OF-SUPPORT
 *   build   PRODUCT-ID BUILD KIND NAME RELEASED
 *   family  ID TITLE CVE,CVE... SEVERITY REFERENCE
 *   fix     FAMILY-ID BUILD CVE-SUBSET|-
 *   exploited FAMILY-ID DATE SOURCE
 * Every cross-reference (a build's product, a fix's family and build) must
 * resolve, or the line is reported and left out: a wrong database must
 * never quietly turn into a "patched" verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "exposure/builddb.h"
#include "logs/detect.h"
#include "rules/embedded.h"

#define MAX_COLS 8

typedef struct field {
  const char *p;
  size_t n;
} field;

static void note(const exhunt_sink *sink, const char *name, unsigned long lineno, const char *why)
{
  if (!sink || !sink->on_notice)
    return;
  char reason[256];
  snprintf(reason, sizeof reason, "line %lu: %s; line left out", lineno, why);
  exhunt_notice n = {EXHUNT_NOTICE_ERROR, EXHUNT_ECORRUPT, "builddb", name, reason};
  sink->on_notice(sink->ctx, &n);
}

static bool field_is(field f, const char *s)
{
  return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* Copies a field into a fixed buffer; false if it does not fit or is empty. */
static bool copy_field(char *dst, size_t cap, field f)
{
  if (f.n == 0 || f.n >= cap)
    return false;
  memcpy(dst, f.p, f.n);
  dst[f.n] = '\0';
  return true;
}

static bool parse_date(field f, int64_t *out)
{
  if (f.n != 10)
    return false;
  exh_view v = {f.p, f.n};
  int64_t t = exh_parse_iso8601(v);
  if (t == EXHUNT_NO_TIME)
    return false;
  *out = t;
  return true;
}

static bool parse_full_build(field f, exhunt_build *b)
{
  return exhunt_build_parse(f.p, f.n, b) == EXHUNT_OK && b->has_revision;
}

/* "CVE-2021-26855,CVE-2021-26857" into a fixed array. */
static bool parse_cves(field f, char cves[][20], size_t *n)
{
  *n = 0;
  const char *p = f.p, *end = f.p + f.n;
  while (p < end) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *stop = comma ? comma : end;
    size_t k = (size_t)(stop - p);
    if (*n >= EXH_DB_MAX_CVES || k < 9 || k >= 20 || strncmp(p, "CVE-", 4) != 0)
      return false;
    memcpy(cves[*n], p, k);
    cves[*n][k] = '\0';
    (*n)++;
    p = comma ? comma + 1 : end;
  }
  return *n > 0;
}

static int product_index(const exh_builddb *db, field f)
{
  for (size_t i = 0; i < db->n_products; i++)
    if (field_is(f, db->products[i].id))
      return (int)i;
  return -1;
}

static int family_index(const exh_builddb *db, field f)
{
  for (size_t i = 0; i < db->n_families; i++)
    if (field_is(f, db->families[i].id))
      return (int)i;
  return -1;
}

static int cmp_build_entry(const void *a, const void *b)
{
  const exh_db_build *x = a, *y = b;
  return exhunt_build_compare(&x->build, &y->build);
}

/* A new zeroed slot at the end of one of the entry arrays (doubling its
 * capacity when full); NULL on ENOMEM or past the cap. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t elem, exhunt_err *err)
{
  if (*n >= EXH_DB_MAX_ENTRIES) {
    *err = EXHUNT_ELIMIT;
    return NULL;
  }
  if (*n == *cap) {
    size_t want = *cap ? *cap * 2 : 64;
    if (want > EXH_DB_MAX_ENTRIES)
      want = EXH_DB_MAX_ENTRIES;
    void *bigger = exh_reallocarray(*arr, want, elem);
    if (!bigger) {
      *err = EXHUNT_ENOMEM;
      return NULL;
    }
    *arr = bigger;
    *cap = want;
  }
  void *slot = (char *)*arr + *n * elem;
  memset(slot, 0, elem);
  (*n)++;
  return slot;
}

/* One line; returns NULL when fine, else why it was refused. Sets *err on
 * ENOMEM. Fix lines are resolved after the whole file (see below). */
static const char *parse_line(exh_builddb *db, field *col, size_t ncol, exhunt_err *err)
{
  if (field_is(col[0], "product")) {
    if (ncol != 4)
      return "a product line has 4 fields";
    if (db->n_products >= EXH_DB_MAX_PRODUCTS)
      return "too many products";
    exh_db_product *p = &db->products[db->n_products];
    memset(p, 0, sizeof *p);
    p->end_of_support = EXHUNT_NO_TIME;
    if (!copy_field(p->id, sizeof p->id, col[1]) || !copy_field(p->name, sizeof p->name, col[2]))
      return "bad product id or name";
    if (!field_is(col[3], "-") && !parse_date(col[3], &p->end_of_support))
      return "bad end-of-support date";
    if (product_index(db, col[1]) >= 0)
      return "duplicate product";
    db->n_products++;
    return NULL;
  }
  if (field_is(col[0], "build")) {
    if (ncol != 6)
      return "a build line has 6 fields";
    int prod = product_index(db, col[1]);
    if (prod < 0)
      return "unknown product";
    exh_db_build e;
    memset(&e, 0, sizeof e);
    e.product = (unsigned)prod;
    if (!parse_full_build(col[2], &e.build))
      return "bad build number (want a.b.c.d)";
    if (field_is(col[3], "cu"))
      e.kind = EXH_BUILD_CU;
    else if (field_is(col[3], "su"))
      e.kind = EXH_BUILD_SU;
    else if (field_is(col[3], "hu"))
      e.kind = EXH_BUILD_HU;
    else if (field_is(col[3], "ru"))
      e.kind = EXH_BUILD_RU;
    else
      return "bad build kind (cu, su, hu or ru)";
    if (!copy_field(e.name, sizeof e.name, col[4]))
      return "bad build name";
    if (!parse_date(col[5], &e.released))
      return "bad release date";
    exh_db_build *slot =
        grow((void **)&db->builds, &db->n_builds, &db->cap_builds, sizeof *slot, err);
    if (!slot)
      return *err == EXHUNT_ELIMIT ? "too many builds" : NULL;
    *slot = e;
    return NULL;
  }
  if (field_is(col[0], "family")) {
    if (ncol != 6)
      return "a family line has 6 fields";
    if (family_index(db, col[1]) >= 0)
      return "duplicate family";
    exh_db_family f;
    memset(&f, 0, sizeof f);
    if (!copy_field(f.id, sizeof f.id, col[1]) || !copy_field(f.title, sizeof f.title, col[2]))
      return "bad family id or title";
    if (!parse_cves(col[3], f.cves, &f.n_cves))
      return "bad CVE list";
    if (field_is(col[4], "critical"))
      f.severity = EXHUNT_SEV_CRITICAL;
    else if (field_is(col[4], "high"))
      f.severity = EXHUNT_SEV_HIGH;
    else
      return "bad severity (critical or high)";
    if (!copy_field(f.reference, sizeof f.reference, col[5]))
      return "bad reference";
    f.exploited_since = EXHUNT_NO_TIME;
    exh_db_family *slot =
        grow((void **)&db->families, &db->n_families, &db->cap_families, sizeof *slot, err);
    if (!slot)
      return *err == EXHUNT_ELIMIT ? "too many families" : NULL;
    *slot = f;
    return NULL;
  }
  if (field_is(col[0], "fix")) {
    if (ncol != 4)
      return "a fix line has 4 fields";
    int fam = family_index(db, col[1]);
    if (fam < 0)
      return "unknown family (families must come before their fixes)";
    exh_db_fix x;
    memset(&x, 0, sizeof x);
    x.family = (unsigned)fam;
    if (!parse_full_build(col[2], &x.build))
      return "bad fixing build";
    if (!field_is(col[3], "-")) {
      if (!parse_cves(col[3], x.cves, &x.n_cves))
        return "bad CVE subset";
      for (size_t i = 0; i < x.n_cves; i++) {
        bool known = false;
        for (size_t j = 0; j < db->families[fam].n_cves; j++)
          known = known || strcmp(x.cves[i], db->families[fam].cves[j]) == 0;
        if (!known)
          return "CVE subset names a CVE not in the family";
      }
    }
    exh_db_fix *slot = grow((void **)&db->fixes, &db->n_fixes, &db->cap_fixes, sizeof *slot, err);
    if (!slot)
      return *err == EXHUNT_ELIMIT ? "too many fixes" : NULL;
    *slot = x;
    return NULL;
  }
  if (field_is(col[0], "exploited")) {
    if (ncol != 4)
      return "an exploited line has 4 fields";
    int fam = family_index(db, col[1]);
    if (fam < 0)
      return "unknown family (families must come before their exploited line)";
    if (db->families[fam].exploited_since != EXHUNT_NO_TIME)
      return "second exploited line for the family";
    if (!parse_date(col[2], &db->families[fam].exploited_since))
      return "bad exploitation date";
    if (col[3].n == 0)
      return "an exploited line names its source";
    return NULL;
  }
  return "unknown line type";
}

exhunt_err exh_builddb_parse(exh_builddb *db, const char *text, size_t len, const exhunt_sink *sink)
{
  static const char name[] = "rules/exchange/builds.tsv";
  memset(db, 0, sizeof *db);
  exhunt_err err = EXHUNT_OK;
  bool bad = false;
  unsigned long lineno = 0;
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    const char *line = p;
    size_t n = (size_t)(stop - p);
    p = nl ? nl + 1 : end;
    lineno++;
    if (n && line[n - 1] == '\r')
      n--;
    if (n == 0 || line[0] == '#')
      continue;
    field col[MAX_COLS] = {{NULL, 0}}; /* read only below ncol; -O3 cannot see it */
    size_t ncol = 0;
    const char *f = line, *lend = line + n;
    while (ncol < MAX_COLS) {
      const char *tab = memchr(f, '\t', (size_t)(lend - f));
      col[ncol].p = f;
      col[ncol].n = (size_t)((tab ? tab : lend) - f);
      ncol++;
      if (!tab)
        break;
      f = tab + 1;
    }
    const char *why = ncol >= MAX_COLS ? "too many fields" : parse_line(db, col, ncol, &err);
    if (err == EXHUNT_ENOMEM)
      goto out;
    err = EXHUNT_OK;
    if (why) {
      note(sink, name, lineno, why);
      bad = true;
    }
  }
  if (db->n_builds)
    qsort(db->builds, db->n_builds, sizeof *db->builds, cmp_build_entry);
  /* Every fixing build must be a known build: a typo must not move the
   * line that separates vulnerable from patched. */
  size_t kept = 0;
  for (size_t i = 0; i < db->n_fixes; i++) {
    if (!exh_builddb_find(db, &db->fixes[i].build)) {
      char b[EXHUNT_BUILD_STRLEN], why[128];
      exhunt_build_format(&db->fixes[i].build, b);
      snprintf(why, sizeof why, "fix %s for %s is not a build line", b,
               db->families[db->fixes[i].family].id);
      note(sink, name, 0, why);
      bad = true;
      continue;
    }
    db->fixes[kept++] = db->fixes[i];
  }
  db->n_fixes = kept;
  err = bad ? EXHUNT_ECORRUPT : EXHUNT_OK;
out:
  return err;
}

exhunt_err exh_builddb_load(exh_builddb *db, const exhunt_sink *sink)
{
  for (size_t i = 0; i < exh_embedded_count; i++) {
    const exh_embedded_file *f = &exh_embedded_files[i];
    if (strcmp(f->kind, "exchange") == 0 && strstr(f->name, "builds.tsv"))
      return exh_builddb_parse(db, (const char *)f->data, (size_t)(f->end - f->data), sink);
  }
  memset(db, 0, sizeof *db);
  return EXHUNT_ENOENT;
}

void exh_builddb_free(exh_builddb *db)
{
  exh_free(db->builds);
  exh_free(db->families);
  exh_free(db->fixes);
  memset(db, 0, sizeof *db);
}

const exh_db_build *exh_builddb_find(const exh_builddb *db, const exhunt_build *b)
{
  size_t lo = 0, hi = db->n_builds;
  exhunt_build want = *b;
  want.has_revision = true;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = exhunt_build_compare(&db->builds[mid].build, &want);
    if (c == 0)
      return b->has_revision ? &db->builds[mid] : NULL;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const exh_db_build *exh_builddb_cu_of(const exh_builddb *db, const exhunt_build *b)
{
  for (size_t i = 0; i < db->n_builds; i++) {
    const exh_db_build *e = &db->builds[i];
    if (e->kind == EXH_BUILD_CU && e->build.major == b->major && e->build.minor == b->minor &&
        e->build.build == b->build)
      return e;
  }
  return NULL;
}
