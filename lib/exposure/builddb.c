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
#include "core/notice.h"
#include "exposure/builddb.h"
#include "logs/detect.h"
#include "rules/embedded.h"

#define MAX_COLS 8

typedef struct field {
  const char *p;
  size_t n;
} field;

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

/* Appends *entry (elem bytes) to one of the entry arrays, growing it when
 * full. NULL when it was kept; else why not: `too_many` past
 * the cap, or NULL with *err set to ENOMEM. */
static const char *append(void **arr, size_t *n, size_t *cap, const void *entry, size_t elem,
                          const char *too_many, exhunt_err *err)
{
  if (*n >= EXH_DB_MAX_ENTRIES)
    return too_many;
  _Static_assert(EXH_DB_MAX_ENTRIES >= 64 && (EXH_DB_MAX_ENTRIES & (EXH_DB_MAX_ENTRIES - 1)) == 0,
                 "64, doubling, meets the cap exactly");
  void *grown = exh_grow(*arr, *n, cap, 64, elem);
  if (!grown) {
    *err = EXHUNT_ENOMEM;
    return NULL;
  }
  *arr = grown;
  memcpy((char *)*arr + *n * elem, entry, elem);
  (*n)++;
  return NULL;
}

/* Each line type below gets its columns after the first, already counted;
 * returns NULL when fine, else why the line was refused, and sets *err on
 * ENOMEM. Fix lines are resolved after the whole file (see below). */

static const char *product_line(exh_builddb *db, const field *col, exhunt_err *err)
{
  (void)err;
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

static const char *build_line(exh_builddb *db, const field *col, exhunt_err *err)
{
  static const char *const kinds[] = {
      [EXH_BUILD_CU] = "cu", [EXH_BUILD_SU] = "su", [EXH_BUILD_HU] = "hu", [EXH_BUILD_RU] = "ru"};
  int prod = product_index(db, col[1]);
  if (prod < 0)
    return "unknown product";
  exh_db_build e = {.product = (unsigned)prod};
  if (!parse_full_build(col[2], &e.build))
    return "bad build number (want a.b.c.d)";
  size_t kind = 0;
  while (kind < sizeof kinds / sizeof *kinds && !field_is(col[3], kinds[kind]))
    kind++;
  if (kind == sizeof kinds / sizeof *kinds)
    return "bad build kind (cu, su, hu or ru)";
  e.kind = (exh_build_kind)kind;
  if (!copy_field(e.name, sizeof e.name, col[4]))
    return "bad build name";
  if (!parse_date(col[5], &e.released))
    return "bad release date";
  return append((void **)&db->builds, &db->n_builds, &db->cap_builds, &e, sizeof e,
                "too many builds", err);
}

static const char *family_line(exh_builddb *db, const field *col, exhunt_err *err)
{
  if (family_index(db, col[1]) >= 0)
    return "duplicate family";
  exh_db_family f = {.exploited_since = EXHUNT_NO_TIME};
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
  return append((void **)&db->families, &db->n_families, &db->cap_families, &f, sizeof f,
                "too many families", err);
}

/* Is every CVE of a fix's subset one of its family's? */
static bool cves_in_family(const exh_db_fix *x, const exh_db_family *fam)
{
  for (size_t i = 0; i < x->n_cves; i++) {
    bool known = false;
    for (size_t j = 0; j < fam->n_cves; j++)
      known = known || strcmp(x->cves[i], fam->cves[j]) == 0;
    if (!known)
      return false;
  }
  return true;
}

static const char *fix_line(exh_builddb *db, const field *col, exhunt_err *err)
{
  int fam = family_index(db, col[1]);
  if (fam < 0)
    return "unknown family (families must come before their fixes)";
  exh_db_fix x = {.family = (unsigned)fam};
  if (!parse_full_build(col[2], &x.build))
    return "bad fixing build";
  if (!field_is(col[3], "-")) {
    if (!parse_cves(col[3], x.cves, &x.n_cves))
      return "bad CVE subset";
    if (!cves_in_family(&x, &db->families[fam]))
      return "CVE subset names a CVE not in the family";
  }
  return append((void **)&db->fixes, &db->n_fixes, &db->cap_fixes, &x, sizeof x, "too many fixes",
                err);
}

static const char *exploited_line(exh_builddb *db, const field *col, exhunt_err *err)
{
  (void)err;
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

/* The line types: first column, column count, and what a wrong count is. */
static const struct line_type {
  const char *name;
  size_t ncol;
  const char *wrong_count;
  const char *(*parse)(exh_builddb *db, const field *col, exhunt_err *err);
} line_types[] = {
    {"product", 4, "a product line has 4 fields", product_line},
    {"build", 6, "a build line has 6 fields", build_line},
    {"family", 6, "a family line has 6 fields", family_line},
    {"fix", 4, "a fix line has 4 fields", fix_line},
    {"exploited", 4, "an exploited line has 4 fields", exploited_line},
};

/* One line; returns NULL when fine, else why it was refused. Sets *err on
 * ENOMEM. */
static const char *parse_line(exh_builddb *db, const field *col, size_t ncol, exhunt_err *err)
{
  for (size_t i = 0; i < sizeof line_types / sizeof *line_types; i++) {
    const struct line_type *t = &line_types[i];
    if (field_is(col[0], t->name))
      return ncol != t->ncol ? t->wrong_count : t->parse(db, col, err);
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
      exh_notice_bad_line(sink, "builddb", name, lineno, why, "left out");
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
      exh_notice_bad_line(sink, "builddb", name, 0, why, "left out");
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
