/*
 * prefilter_hs.c - the literal prefilter on Hyperscan (the Linux build's,
 * EXHUNT_MATCHER=hyperscan); see prefilter.h. One block-mode literal
 * database per family of prefilter_needles.c; what a match must be
 * followed by is checked there too, so this file only finds literals.
 * The portable build has prefilter_ac.c instead.
 */
#include "prefilter.h"

#include <hs.h>
#include <limits.h>
#include <string.h>

#include "core/alloc.h"
#include "prefilter_needles.h"

#define N_DB EXH_PF_FAMILIES

struct exh_prefilter {
  hs_database_t *db[N_DB];
};

struct exh_prefilter_scratch {
  hs_scratch_t *s;
};

static hs_database_t *compile(const exh_pf_family *f)
{
  const char *literals[EXH_PF_MAX_NEEDLES];
  size_t lens[EXH_PF_MAX_NEEDLES];
  unsigned flags[EXH_PF_MAX_NEEDLES], ids[EXH_PF_MAX_NEEDLES];
  if (f->n > EXH_PF_MAX_NEEDLES)
    return NULL;
  for (size_t i = 0; i < f->n; i++) {
    literals[i] = f->needles[i].literal;
    lens[i] = strlen(literals[i]);
    /* Every needle is case-insensitive, as the detectors' -like is. */
    flags[i] = f->needles[i].then == EXH_PF_THEN_META ? 0 : HS_FLAG_CASELESS;
    ids[i] = (unsigned)i; /* index into f->needles */
  }
  hs_database_t *db = NULL;
  hs_compile_error_t *err = NULL;
  /* literal mode: no pattern syntax to escape */
  if (hs_compile_lit_multi(literals, flags, ids, lens, (unsigned)f->n, HS_MODE_BLOCK, NULL, &db,
                           &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return NULL;
  }
  return db;
}

const char *exh_prefilter_matcher(void)
{
  return "hyperscan";
}

exh_prefilter *exh_prefilter_new(void)
{
  if (hs_valid_platform() != HS_SUCCESS)
    return NULL;
  exh_prefilter *pf = exh_calloc(1, sizeof *pf);
  if (!pf)
    return NULL;
  for (size_t i = 0; i < N_DB; i++) {
    pf->db[i] = compile(&exh_pf_families[i]);
    if (!pf->db[i]) {
      exh_prefilter_free(pf);
      return NULL;
    }
  }
  return pf;
}

void exh_prefilter_free(exh_prefilter *pf)
{
  if (!pf)
    return;
  for (size_t i = 0; i < N_DB; i++)
    hs_free_database(pf->db[i]);
  exh_free(pf);
}

exh_prefilter_scratch *exh_prefilter_scratch_new(const exh_prefilter *pf)
{
  if (!pf)
    return NULL;
  exh_prefilter_scratch *s = exh_calloc(1, sizeof *s);
  if (!s)
    return NULL;
  /* One scratch serves every database it was grown for. */
  for (size_t i = 0; i < N_DB; i++) {
    if (hs_alloc_scratch(pf->db[i], &s->s) != HS_SUCCESS) {
      exh_prefilter_scratch_free(s);
      return NULL;
    }
  }
  return s;
}

void exh_prefilter_scratch_free(exh_prefilter_scratch *s)
{
  if (!s)
    return;
  hs_free_scratch(s->s);
  exh_free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *arg)
{
  (void)from;
  (void)flags;
  exh_pf_hits *h = arg;
  return exh_pf_hits_take(h, id, h->p + to) ? 0 : 1; /* 1: stop at a meta line */
}

exh_prefilter_result exh_prefilter_scan(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                        exh_log_family fam, const char *p, size_t n, exh_hit_fn fn,
                                        void *ctx)
{
  if (!pf || !s || n > UINT_MAX)
    return EXH_PF_UNAVAILABLE;
  for (size_t i = 0; i < N_DB; i++) {
    if (exh_pf_families[i].fam != fam)
      continue;
    exh_pf_hits h;
    exh_pf_hits_init(&h, &exh_pf_families[i], p, n, fn, ctx);
    hs_error_t rc = hs_scan(pf->db[i], p, (unsigned)n, 0, s->s, on_match, &h);
    if (h.meta)
      return EXH_PF_META;
    return rc == HS_SUCCESS ? EXH_PF_DONE : EXH_PF_UNAVAILABLE;
  }
  return EXH_PF_UNAVAILABLE; /* no database for this family */
}

/* ---------------------------------------------------------------------- */
/* A caller's literal set.                                                 */

struct exh_literals {
  hs_database_t *db;
};

exh_literals *exh_literals_new(const char *const *lits, size_t n)
{
  if (n == 0 || n > UINT_MAX || hs_valid_platform() != HS_SUCCESS)
    return NULL;
  exh_literals *l = exh_calloc(1, sizeof *l);
  size_t *lens = exh_calloc(n, sizeof *lens);
  unsigned *flags = exh_calloc(n, sizeof *flags), *ids = exh_calloc(n, sizeof *ids);
  if (!l || !lens || !flags || !ids)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    lens[i] = strlen(lits[i]);
    if (lens[i] == 0)
      goto fail; /* hs_compile_lit_multi crashes on one (Hyperscan 5.4) */
    /* HS_FLAG_SINGLEMATCH: one report per literal and buffer would lose
     * lines, so every match is reported and the caller drops repeats. */
    flags[i] = HS_FLAG_CASELESS;
    ids[i] = (unsigned)i;
  }
  hs_compile_error_t *err = NULL;
  if (hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &l->db,
                           &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    goto fail;
  }
  exh_free(lens);
  exh_free(flags);
  exh_free(ids);
  return l;
fail:
  exh_free(lens);
  exh_free(flags);
  exh_free(ids);
  exh_free(l);
  return NULL;
}

void exh_literals_free(exh_literals *l)
{
  if (!l)
    return;
  hs_free_database(l->db);
  exh_free(l);
}

bool exh_literals_scratch(const exh_literals *l, exh_prefilter_scratch **s)
{
  if (!l)
    return false;
  exh_prefilter_scratch *made = NULL;
  if (!*s && !(made = exh_calloc(1, sizeof *made)))
    return false;
  exh_prefilter_scratch *use = made ? made : *s;
  if (hs_alloc_scratch(l->db, &use->s) != HS_SUCCESS) {
    exh_prefilter_scratch_free(made);
    return false;
  }
  *s = use;
  return true;
}

typedef struct lit_ctx {
  const char *p;
  const size_t *lens;
  exh_hit_fn fn;
  void *ctx;
  bool taking;
} lit_ctx;

static int on_literal(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                      void *ctx)
{
  (void)id;
  (void)from;
  (void)flags;
  lit_ctx *c = ctx;
  /* `to` is one past the match's end; a pointer inside the match is all
   * the caller needs to find its line */
  if (c->taking && !c->fn(c->ctx, c->p + to - 1))
    c->taking = false;
  return c->taking ? 0 : 1;
}

bool exh_literals_scan(const exh_literals *l, exh_prefilter_scratch *s, const char *p, size_t n,
                       exh_hit_fn fn, void *ctx)
{
  if (!l || !s || !s->s || n > UINT_MAX)
    return false;
  lit_ctx c = {p, NULL, fn, ctx, true};
  hs_error_t rc = hs_scan(l->db, p, (unsigned)n, 0, s->s, on_literal, &c);
  return rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED;
}
