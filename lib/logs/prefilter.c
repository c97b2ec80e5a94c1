/*
 * prefilter.c - Hyperscan databases of the detectors' needles; see
 * prefilter.h. The patterns mirror exh_block_scan in detect.c: a needle
 * added there must be added here (tests/unit/test_logs.c compares the two
 * on every needle, its near misses and hostile bytes).
 */
#include "prefilter.h"

#include <hs.h>
#include <limits.h>
#include <string.h>

#include "core/alloc.h"

/* What a match must be followed by to count. Only literals go to
 * Hyperscan: its literal matcher runs at 10+ GB/s here, while a pattern
 * with a class or a repeat halved the speed of its whole database; the
 * needles that need more than a literal are finished in the callback: a
 * few bytes each, or the line check every scanner shares
 * (exh_needle_line_ok), which turns away the ordinary traffic that holds a
 * needle (Outlook's autodiscover.json, OWA logons, ...) before the engine
 * splits its row. */
typedef enum then {
  THEN_NOTHING = 0,
  THEN_META,        /* "\n#": a header or metadata line; stop */
  THEN_SERVER_PATH, /* "server~": a '/' before any ',' '~' or line end */
  THEN_ECP_JS,      /* "/ecp/": 1-3 letters, then ".js" */
  THEN_LINE,        /* the needle's line check */
} then;

typedef struct needle {
  const char *literal;
  then then;
  exh_needle_check check; /* THEN_LINE */
} needle;

typedef struct family_needles {
  exh_log_family fam;
  const needle *needles;
  size_t n;
} family_needles;

/* HttpProxy: SSRF (ServerInfo~, or Server~host/path as the BackEndCookie
 * logs it), ProxyShell/NotShell ("json" of autodiscover.json), OWASSRF
 * (powershell). */
static const needle httpproxy_needles[] = {{"\n#", THEN_META, EXH_CHECK_NONE},
                                           {"serverinfo~", THEN_LINE, EXH_CHECK_SERVERINFO},
                                           {"server~", THEN_SERVER_PATH, EXH_CHECK_NONE},
                                           {"json", THEN_LINE, EXH_CHECK_JSON},
                                           {"powershell", THEN_LINE, EXH_CHECK_POWERSHELL}};
/* IIS: scripts in the drop folders, /ecp/<1-3 letters>.js, ProxyShell,
 * OWASSRF, tunnel connects. A tunnel's data requests are no needle (four
 * more literals cost ~20 % on IIS logs): logs.c looks for the script a
 * connect named in the rest of that file. */
static const needle iis_needles[] = {
    {"\n#", THEN_META, EXH_CHECK_NONE},           {"aspnet_client", THEN_NOTHING, EXH_CHECK_NONE},
    {"/auth/", THEN_LINE, EXH_CHECK_AUTH_SCRIPT}, {"json", THEN_LINE, EXH_CHECK_JSON},
    {"/ecp/", THEN_ECP_JS, EXH_CHECK_NONE},       {"powershell", THEN_LINE, EXH_CHECK_POWERSHELL},
    {"&port=", THEN_NOTHING, EXH_CHECK_NONE}};

static const family_needles families[] = {
    {EXH_FAM_HTTPPROXY, httpproxy_needles, sizeof httpproxy_needles / sizeof httpproxy_needles[0]},
    {EXH_FAM_IIS, iis_needles, sizeof iis_needles / sizeof iis_needles[0]},
};
#define N_DB (sizeof families / sizeof families[0])
#define MAX_NEEDLES 8u

struct exh_prefilter {
  hs_database_t *db[N_DB];
};

struct exh_prefilter_scratch {
  hs_scratch_t *s;
};

static hs_database_t *compile(const family_needles *f)
{
  const char *literals[MAX_NEEDLES];
  size_t lens[MAX_NEEDLES];
  unsigned flags[MAX_NEEDLES], ids[MAX_NEEDLES];
  if (f->n > MAX_NEEDLES)
    return NULL;
  for (size_t i = 0; i < f->n; i++) {
    literals[i] = f->needles[i].literal;
    lens[i] = strlen(literals[i]);
    /* Every needle is case-insensitive, as the detectors' -like is. */
    flags[i] = f->needles[i].then == THEN_META ? 0 : HS_FLAG_CASELESS;
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

exh_prefilter *exh_prefilter_new(void)
{
  if (hs_valid_platform() != HS_SUCCESS)
    return NULL;
  exh_prefilter *pf = exh_calloc(1, sizeof *pf);
  if (!pf)
    return NULL;
  for (size_t i = 0; i < N_DB; i++) {
    pf->db[i] = compile(&families[i]);
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

typedef struct scan_ctx {
  exh_log_family fam;
  const char *p, *end;
  const needle *needles;
  exh_hit_fn fn;
  void *ctx;
  bool taking; /* fn still wants hits */
  bool meta;
} scan_ctx;

static bool is_letter(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* After "server~": the BackEndCookie SSRF carries a path
 * ("Server~host/path~ver"); ordinary Autodiscover cookies
 * ("Server~fqdn~ver~time") do not. Linear overall: every scan stops at the
 * next '~', which the next "server~" would start from. */
static bool server_path_follows(const char *q, const char *end)
{
  while (q < end && *q != ',' && *q != '~' && *q != '/' && *q != '\n')
    q++;
  return q < end && *q == '/';
}

/* After "/ecp/": 1-3 letters, then ".js" (the PoCs' /ecp/y.js). */
static bool ecp_js_follows(const char *q, const char *end)
{
  size_t letters = 0;
  while (q < end && letters < 4 && is_letter(*q))
    q++, letters++;
  return letters >= 1 && letters <= 3 && end - q >= 3 && q[0] == '.' && (q[1] | 0x20) == 'j' &&
         (q[2] | 0x20) == 's';
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *arg)
{
  (void)from;
  (void)flags;
  scan_ctx *c = arg;
  const char *after = c->p + to; /* one past the match */
  switch (c->needles[id].then) {
  case THEN_META:
    c->meta = true;
    return 1; /* stop: the block is read line by line */
  case THEN_SERVER_PATH:
    if (!server_path_follows(after, c->end))
      return 0;
    break;
  case THEN_ECP_JS:
    if (!ecp_js_follows(after, c->end))
      return 0;
    break;
  case THEN_LINE: {
    const char *at = after - strlen(c->needles[id].literal);
    const char *line;
    size_t len;
    exh_line_around(c->p, c->end, at, &line, &len);
    if (!exh_needle_line_ok(c->fam, c->needles[id].check, line, len, (size_t)(at - line)))
      return 0;
    break;
  }
  case THEN_NOTHING:
    break;
  }
  /* the match's last byte lies in the hit's line */
  if (c->taking && !c->fn(c->ctx, after - 1))
    c->taking = false;
  return 0;
}

exh_prefilter_result exh_prefilter_scan(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                        exh_log_family fam, const char *p, size_t n, exh_hit_fn fn,
                                        void *ctx)
{
  if (!pf || !s || n > UINT_MAX)
    return EXH_PF_UNAVAILABLE;
  const hs_database_t *db = NULL;
  const needle *needles = NULL;
  for (size_t i = 0; i < N_DB; i++) {
    if (families[i].fam == fam) {
      db = pf->db[i];
      needles = families[i].needles;
    }
  }
  if (!db)
    return EXH_PF_UNAVAILABLE;
  scan_ctx c = {fam, p, p + n, needles, fn, ctx, true, false};
  hs_error_t rc = hs_scan(db, p, (unsigned)n, 0, s->s, on_match, &c);
  if (c.meta)
    return EXH_PF_META;
  return rc == HS_SUCCESS ? EXH_PF_DONE : EXH_PF_UNAVAILABLE;
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
