/*
 * prefilter_ac.c - the literal prefilter in portable C11 (the Windows
 * build's, EXHUNT_MATCHER=portable; Hyperscan has no mingw build); see
 * prefilter.h. The needles of each family (prefilter_needles.c) and a
 * caller's literal set each become one Aho-Corasick automaton, compiled to
 * a DFA and built once, then shared read-only by every thread: a scan
 * keeps its state on the stack, so the per-thread scratch is empty.
 *
 * Why Aho-Corasick: one pass per buffer whatever the number of literals
 * (a caller's set may hold 4096 URLs), no backtracking and no candidate
 * verified twice, so linear time on any input, and a memory bound known
 * before anything is allocated. A DFA stepped over every byte is slow,
 * though (one dependent table load per byte: 530 MB/s on the bench's logs,
 * against 5.2 GB/s for the memchr passes of exh_block_scan), so the
 * automaton steps over a few bytes only, around anchors:
 *  - each literal has an anchor, the byte pair in it that is rarest in
 *    logs (the needles name theirs; a caller's literals get theirs from a
 *    table of byte frequencies in logs);
 *  - at the root (no literal begun) the scan looks for the next anchor
 *    pair, 16 positions at a time with SSE2 (x86-64's baseline, so every
 *    Windows x64 CPU) when the literals have at most AC_SIMD_ANCHORS
 *    distinct pairs, else one position at a time in a 64 Kbit table of
 *    pairs; both compare letters case-folded;
 *  - from an anchor at r, the DFA resumes at the root from r - reach (the
 *    furthest any literal's anchor lies from its start) and runs until it
 *    is back at the root. No match can start before that point without an
 *    anchor there, so none is lost; every byte goes through the search and
 *    through the DFA at most once each.
 * The table has one column per distinct byte of the literals, letters
 * folded (ASCII case-insensitivity, as Hyperscan's HS_FLAG_CASELESS), and
 * one for every other byte: a family's whole DFA is a few KB.
 *
 * Memory: (1 + total literal bytes) states x classes x 4 bytes of table,
 * checked before it is allocated (EXH_AC_MAX_TABLE for a caller's set; the
 * needles' are 2.0 and 4.0 KB), + 8 KB of anchor pairs + 4 bytes per state and
 * per literal of outputs; while building, 8 bytes per state more. Speeds
 * against Hyperscan and exh_block_scan are in lib/logs/README.md.
 */
#include "prefilter.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define AC_SSE2 1
#else
#define AC_SSE2 0
#endif

#include "core/alloc.h"
#include "core/limits.h"
#include "prefilter_needles.h"

/* A table entry: the target state's row (state x n_classes), with AC_OUT
 * set when some literal ends in that state. */
#define AC_OUT 0x80000000u
#define AC_NO_OUT 0xffffffffu /* end of an output chain */
/* The most distinct anchor pairs the SSE2 search compares at once. */
#define AC_SIMD_ANCHORS 8u

typedef struct ac {
  uint32_t *next;      /* n_states x n_classes entries; row 0 is the root */
  uint32_t *out_first; /* per state: the first literal ending there, or AC_NO_OUT */
  /* per literal: the next literal ending in the same state (itself, or a
   * suffix of it: the chain runs on through the dictionary suffix links) */
  uint32_t *out_next;
  uint32_t n_states, n_classes;
  size_t reach;                /* the largest anchor offset */
  bool single;                 /* a one-byte literal: its anchor is that byte */
  uint8_t cls[256];            /* byte -> its column */
  uint8_t anchors[65536u / 8]; /* bit (b0 | b1 << 8): an anchor pair, any case */
  /* the distinct anchor pairs, lower case, for the SSE2 search (0: use
   * the table) */
  uint32_t n_simd;
  uint8_t simd_pair[AC_SIMD_ANCHORS][2];
} ac;

static unsigned char fold(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static unsigned char unfold(unsigned char c)
{
  return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

static void ac_free(ac *a)
{
  if (!a)
    return;
  exh_free(a->next);
  exh_free(a->out_first);
  exh_free(a->out_next);
  exh_free(a);
}

static void set_pair(ac *a, unsigned b0, unsigned b1)
{
  unsigned v = b0 | b1 << 8;
  a->anchors[v >> 3] |= (uint8_t)(1u << (v & 7));
}

/* How often a byte (letters folded) is seen in Exchange and IIS logs:
 * log2 of its count per MB over the log bench's tree and the fixtures,
 * rounded. Picks a caller's literals' anchors; bytes past 127 count 0. */
static const uint8_t log_byte_weight[128] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  11, 0,  0,  11, 0,  0,  /* */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* */
    14, 0,  8,  3,  0,  8,  12, 8,  11, 11, 0,  13, 15, 15, 15, 13, /* ' '..'/' */
    16, 15, 15, 15, 15, 14, 14, 13, 14, 14, 13, 14, 10, 14, 10, 9,  /* '0'..'?' */
    9,  15, 14, 15, 15, 16, 14, 13, 13, 15, 9,  12, 14, 14, 15, 16, /* '@'..'O' */
    14, 12, 15, 15, 15, 13, 13, 12, 13, 13, 12, 0,  11, 0,  0,  8,  /* 'P'..'_' */
    0,  15, 14, 15, 15, 16, 14, 13, 13, 15, 9,  12, 14, 14, 15, 16, /* '`'..'o' */
    14, 12, 15, 15, 15, 13, 13, 12, 13, 13, 12, 1,  0,  1,  11, 0,  /* 'p'..DEL */
};

static unsigned weight(unsigned char c)
{
  return c < 128 ? log_byte_weight[c] : 0;
}

/* The offset of the pair of `lit` least often seen in logs (the first of
 * equals). Anywhere in it: the reach it gives costs DFA steps only around
 * the anchors found, and a shell's URL deep in a folder its requests share
 * is told apart by its last pairs ("/x" of /a/a/.../a/x.aspx), not its
 * first. */
static unsigned pick_anchor(const unsigned char *lit, size_t len)
{
  unsigned best = 0, best_weight = ~0u;
  for (size_t i = 0; i + 1 < len; i++) {
    unsigned w = weight(lit[i]) + weight(lit[i + 1]);
    if (w < best_weight) {
      best = (unsigned)i;
      best_weight = w;
    }
  }
  return best;
}

/* The anchor of literal `lit` at offset k: its pair in the table, in
 * every case, and among the SSE2 pairs while there is room. */
static void add_anchor(ac *a, const unsigned char *lit, size_t len, size_t k)
{
  if (k > a->reach)
    a->reach = k;
  if (len == 1) { /* any byte may follow */
    a->single = true;
    for (unsigned b1 = 0; b1 < 256; b1++) {
      set_pair(a, fold(lit[0]), b1);
      set_pair(a, unfold(lit[0]), b1);
    }
    return;
  }
  unsigned char p0 = fold(lit[k]), p1 = fold(lit[k + 1]);
  set_pair(a, p0, p1);
  set_pair(a, p0, unfold(p1));
  set_pair(a, unfold(p0), p1);
  set_pair(a, unfold(p0), unfold(p1));
  for (uint32_t i = 0; i < a->n_simd && i < AC_SIMD_ANCHORS; i++)
    if (a->simd_pair[i][0] == p0 && a->simd_pair[i][1] == p1)
      return;
  if (a->n_simd < AC_SIMD_ANCHORS) {
    a->simd_pair[a->n_simd][0] = p0;
    a->simd_pair[a->n_simd][1] = p1;
  }
  a->n_simd++; /* past AC_SIMD_ANCHORS: the table alone */
}

/* One column per distinct folded byte of the literals, column 0 for the
 * rest. Returns the number of columns. */
static uint32_t assign_classes(ac *a, const char *const *lits, const size_t *lens, size_t n)
{
  bool used[256] = {false};
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < lens[i]; k++)
      used[fold((unsigned char)lits[i][k])] = true;
  uint32_t n_classes = 1;
  memset(a->cls, 0, sizeof a->cls);
  for (unsigned c = 0; c < 256; c++)
    if (used[c] && c == fold((unsigned char)c))
      a->cls[c] = (uint8_t)n_classes++;
  for (unsigned c = 'A'; c <= 'Z'; c++)
    a->cls[c] = a->cls[fold((unsigned char)c)];
  return n_classes;
}

/* The trie of the literals, in a->next (0: no edge; no edge leads back to
 * the root), with each literal's id chained at its last state. */
static void build_trie(ac *a, const char *const *lits, const size_t *lens, size_t n)
{
  uint32_t C = a->n_classes;
  a->n_states = 1;
  for (size_t i = 0; i < n; i++) {
    uint32_t row = 0;
    for (size_t k = 0; k < lens[i]; k++) {
      uint32_t *e = &a->next[row + a->cls[(unsigned char)lits[i][k]]];
      if (*e == 0)
        *e = a->n_states++ * C;
      row = *e;
    }
    uint32_t s = row / C;
    a->out_next[i] = a->out_first[s];
    a->out_first[s] = (uint32_t)i;
  }
}

/* The DFA from the trie, breadth first: a state's failure (the longest
 * proper suffix of it that is a trie state) is shallower than it, so its
 * row is complete when the state's own is filled; missing edges take the
 * failure's, and each output chain continues into the failure's. */
static bool build_dfa(ac *a)
{
  uint32_t C = a->n_classes, S = a->n_states;
  uint32_t *fail = exh_calloc(S, sizeof *fail), *queue = exh_calloc(S, sizeof *queue);
  bool ok = fail && queue;
  if (!ok)
    goto cleanup;
  uint32_t head = 0, tail = 0;
  for (uint32_t c = 0; c < C; c++) {
    uint32_t child = a->next[c] / C;
    if (child) {
      fail[child] = 0;
      queue[tail++] = child;
    }
  }
  while (head < tail) {
    uint32_t s = queue[head++], f = fail[s];
    /* own literals first, then the failure's */
    if (a->out_first[s] == AC_NO_OUT) {
      a->out_first[s] = a->out_first[f];
    } else {
      uint32_t last = a->out_first[s];
      while (a->out_next[last] != AC_NO_OUT)
        last = a->out_next[last];
      a->out_next[last] = a->out_first[f];
    }
    uint32_t *row = &a->next[(size_t)s * C];
    const uint32_t *frow = &a->next[(size_t)f * C];
    for (uint32_t c = 0; c < C; c++) {
      if (row[c]) { /* a trie edge */
        uint32_t child = row[c] / C;
        fail[child] = frow[c] / C;
        queue[tail++] = child;
      } else {
        row[c] = frow[c];
      }
    }
  }
  /* the output flag, read by the scan loop without a second load */
  for (size_t e = 0; e < (size_t)S * C; e++)
    if (a->out_first[a->next[e] / C] != AC_NO_OUT)
      a->next[e] |= AC_OUT;
cleanup:
  exh_free(fail);
  exh_free(queue);
  return ok;
}

/* The automaton of n literals (each at least one byte), matched
 * case-insensitively; `anchors` gives each literal's anchor offset, or is
 * NULL (then they are picked here). NULL when out of memory or past
 * `max_table` bytes of table. */
static ac *ac_new(const char *const *lits, size_t n, const unsigned *anchors, size_t max_table)
{
  ac *a = NULL;
  size_t *lens = exh_calloc(n, sizeof *lens);
  size_t total = 1; /* the root */
  if (!lens || n >= AC_NO_OUT)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    lens[i] = strlen(lits[i]);
    if (lens[i] == 0 || lens[i] > max_table - total)
      goto fail;
    total += lens[i];
  }
  a = exh_calloc(1, sizeof *a);
  if (!a)
    goto fail;
  a->n_classes = assign_classes(a, lits, lens, n);
  /* the bound, before anything large is allocated; entries stay below
   * AC_OUT */
  if (total > max_table / sizeof(uint32_t) / a->n_classes)
    goto fail;
  a->next = exh_calloc(total * a->n_classes, sizeof *a->next);
  a->out_first = exh_malloc(total * sizeof *a->out_first);
  a->out_next = exh_malloc(n * sizeof *a->out_next);
  if (!a->next || !a->out_first || !a->out_next)
    goto fail;
  memset(a->out_first, 0xff, total * sizeof *a->out_first); /* AC_NO_OUT */
  build_trie(a, lits, lens, n);
  if (!build_dfa(a))
    goto fail;
  /* shared prefixes left states unused: give their rows back */
  uint32_t *fit = exh_reallocarray(a->next, (size_t)a->n_states * a->n_classes, sizeof *fit);
  if (fit)
    a->next = fit;
  for (size_t i = 0; i < n; i++) {
    const unsigned char *lit = (const unsigned char *)lits[i];
    size_t k = anchors ? anchors[i] : pick_anchor(lit, lens[i]);
    if (k > 0 && k + 1 >= lens[i])
      goto fail; /* a needle's anchor out of place */
    add_anchor(a, lit, lens[i], k);
  }
  if (a->single || a->n_simd > AC_SIMD_ANCHORS)
    a->n_simd = 0;
  exh_free(lens);
  return a;
fail:
  exh_free(lens);
  ac_free(a);
  return NULL;
}

/* Gets each match: the literal's id and one past its last byte. false
 * stops the scan. */
typedef bool (*ac_match_fn)(void *ctx, uint32_t id, const char *after);

static bool anchor_at(const ac *a, const unsigned char *q)
{
  unsigned v = (unsigned)q[0] | (unsigned)q[1] << 8;
  return a->anchors[v >> 3] >> (v & 7) & 1u;
}

#if AC_SSE2
/* The first of n anchor pairs in [q, e), 16 positions at a time while 17
 * bytes are left; q where fewer are. Each pair is one 16-bit lane
 * compare: at the even positions in the bytes loaded from q, at the odd
 * ones in those from q + 1. Letters are compared with bit 5 set, so a
 * pair also matches the bytes that differ from it in bit 5 alone ('*' for
 * '\n', '^' for '~'): more candidates, none lost. */
static inline const unsigned char *pairs_sse2(const __m128i *pair, unsigned n,
                                              const unsigned char *q, const unsigned char *e)
{
  const __m128i bit5 = _mm_set1_epi8(0x20);
  for (; e - q >= 17; q += 16) {
    __m128i even = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)q), bit5);
    __m128i odd = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(q + 1)), bit5);
    __m128i at_even = _mm_setzero_si128(), at_odd = _mm_setzero_si128();
    for (unsigned i = 0; i < n; i++) {
      at_even = _mm_or_si128(at_even, _mm_cmpeq_epi16(even, pair[i]));
      at_odd = _mm_or_si128(at_odd, _mm_cmpeq_epi16(odd, pair[i]));
    }
    /* one mask bit per position: lane k of `even` is position 2k, of
     * `odd` 2k + 1 */
    unsigned mask = ((unsigned)_mm_movemask_epi8(at_even) & 0x5555u) |
                    ((unsigned)_mm_movemask_epi8(at_odd) & 0x5555u) << 1;
    if (mask) {
      unsigned at = 0;
      while (!(mask >> at & 1u))
        at++;
      return q + at;
    }
  }
  return q;
}

/* pairs_sse2 with n a constant, so that its compares unroll and the pairs
 * stay in registers: 5.5 GB/s on the bench's HttpProxy logs when five
 * pairs were padded to eight, 7.9 GB/s so. */
static const unsigned char *next_anchor_sse2(const ac *a, const unsigned char *q,
                                             const unsigned char *e)
{
  __m128i pair[AC_SIMD_ANCHORS];
  for (uint32_t i = 0; i < a->n_simd; i++) {
    const uint8_t *ab = a->simd_pair[i];
    pair[i] = _mm_set1_epi16((short)((ab[0] | 0x20) | (ab[1] | 0x20) << 8));
  }
  switch (a->n_simd) {
  case 1:
    return pairs_sse2(pair, 1, q, e);
  case 2:
    return pairs_sse2(pair, 2, q, e);
  case 3:
    return pairs_sse2(pair, 3, q, e);
  case 4:
    return pairs_sse2(pair, 4, q, e);
  case 5:
    return pairs_sse2(pair, 5, q, e);
  case 6:
    return pairs_sse2(pair, 6, q, e);
  case 7:
    return pairs_sse2(pair, 7, q, e);
  default:
    return pairs_sse2(pair, 8, q, e);
  }
}
#endif

/* The first anchor pair in [q, e); or the last byte when a one-byte
 * literal may be there; or e. */
static const unsigned char *next_anchor(const ac *a, const unsigned char *q, const unsigned char *e)
{
#if AC_SSE2
  if (a->n_simd) {
    q = next_anchor_sse2(a, q, e);
    if (e - q >= 17)
      return q;
  }
#endif
  for (; e - q >= 2; q++)
    if (anchor_at(a, q))
      return q;
  return a->single && q < e ? q : e;
}

/* Gets each match: the literal's id and one past its last byte. false
 * stops the scan. */
typedef bool (*ac_match_fn)(void *ctx, uint32_t id, const char *after);

/* Every match in [p, end), in the order of their ends. Returns where the
 * scan stopped: `end`, or one past the match at which fn said stop. */
static const char *ac_scan(const ac *a, const char *p, const char *end, ac_match_fn fn, void *ctx)
{
  const unsigned char *q = (const unsigned char *)p, *e = (const unsigned char *)end;
  const unsigned char *anchor = NULL; /* the next anchor found, once q reaches it */
  const uint32_t *next = a->next;
  const uint8_t *cls = a->cls;
  uint32_t row = 0;
  while (q < e) {
    if (row == 0) {
      /* nothing begun: no match starts before the next anchor's reach */
      if (!anchor || anchor < q) {
        anchor = next_anchor(a, q, e);
        if (anchor == e)
          break;
      }
      if ((size_t)(anchor - q) > a->reach)
        q = anchor - a->reach;
    }
    uint32_t t = next[row + cls[*q++]];
    row = t & ~AC_OUT;
    if (t & AC_OUT) {
      for (uint32_t id = a->out_first[row / a->n_classes]; id != AC_NO_OUT; id = a->out_next[id])
        if (!fn(ctx, id, (const char *)q))
          return (const char *)q;
    }
  }
  return end;
}

/* ---------------------------------------------------------------------- */
/* The needles of each family.                                             */

struct exh_prefilter {
  ac *fam[EXH_PF_FAMILIES];
};

/* Nothing: a scan's state lives on its stack. Allocated all the same, as
 * NULL means failure to the callers. */
struct exh_prefilter_scratch {
  char unused;
};

const char *exh_prefilter_matcher(void)
{
  return "portable";
}

exh_prefilter *exh_prefilter_new(void)
{
  exh_prefilter *pf = exh_calloc(1, sizeof *pf);
  if (!pf)
    return NULL;
  for (size_t i = 0; i < EXH_PF_FAMILIES; i++) {
    const exh_pf_family *f = &exh_pf_families[i];
    const char *lits[EXH_PF_MAX_NEEDLES];
    unsigned anchors[EXH_PF_MAX_NEEDLES];
    for (size_t k = 0; k < f->n && k < EXH_PF_MAX_NEEDLES; k++) {
      lits[k] = f->needles[k].literal;
      anchors[k] = f->needles[k].anchor;
    }
    /* "\n#" has no letter: case-insensitive like the others, it matches
     * what Hyperscan's case-sensitive pattern does */
    pf->fam[i] = f->n <= EXH_PF_MAX_NEEDLES ? ac_new(lits, f->n, anchors, EXH_AC_MAX_TABLE) : NULL;
    if (!pf->fam[i]) {
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
  for (size_t i = 0; i < EXH_PF_FAMILIES; i++)
    ac_free(pf->fam[i]);
  exh_free(pf);
}

exh_prefilter_scratch *exh_prefilter_scratch_new(const exh_prefilter *pf)
{
  return pf ? exh_calloc(1, sizeof(exh_prefilter_scratch)) : NULL;
}

void exh_prefilter_scratch_free(exh_prefilter_scratch *s)
{
  exh_free(s);
}

/* false once the scan is over (a "\n#") or fn takes no more hits: then
 * only a "\n#" is looked for. */
static bool on_needle(void *ctx, uint32_t id, const char *after)
{
  exh_pf_hits *h = ctx;
  return exh_pf_hits_take(h, id, after) && h->taking;
}

/* A line after the first that starts with '#', in [from, end); from > p. */
static bool meta_line_from(const char *from, const char *end)
{
  const char *s = from;
  while (s < end && (s = memchr(s, '#', (size_t)(end - s))) != NULL) {
    if (s[-1] == '\n')
      return true;
    s++;
  }
  return false;
}

exh_prefilter_result exh_prefilter_scan(const exh_prefilter *pf, exh_prefilter_scratch *s,
                                        exh_log_family fam, const char *p, size_t n, exh_hit_fn fn,
                                        void *ctx)
{
  if (!pf || !s)
    return EXH_PF_UNAVAILABLE;
  for (size_t i = 0; i < EXH_PF_FAMILIES; i++) {
    if (exh_pf_families[i].fam != fam)
      continue;
    exh_pf_hits h;
    exh_pf_hits_init(&h, &exh_pf_families[i], p, n, fn, ctx);
    const char *stop = ac_scan(pf->fam[i], p, p + n, on_needle, &h);
    if (h.meta || (stop < p + n && meta_line_from(stop, p + n)))
      return EXH_PF_META;
    return EXH_PF_DONE;
  }
  return EXH_PF_UNAVAILABLE; /* no needles for this family */
}

/* ---------------------------------------------------------------------- */
/* A caller's literal set.                                                 */

struct exh_literals {
  ac *a;
};

exh_literals *exh_literals_new(const char *const *lits, size_t n)
{
  if (n == 0)
    return NULL;
  exh_literals *l = exh_calloc(1, sizeof *l);
  if (!l)
    return NULL;
  l->a = ac_new(lits, n, NULL, EXH_AC_MAX_TABLE);
  if (!l->a) {
    exh_free(l);
    return NULL;
  }
  return l;
}

void exh_literals_free(exh_literals *l)
{
  if (!l)
    return;
  ac_free(l->a);
  exh_free(l);
}

bool exh_literals_scratch(const exh_literals *l, exh_prefilter_scratch **s)
{
  if (!l)
    return false;
  if (!*s)
    *s = exh_calloc(1, sizeof **s);
  return *s != NULL;
}

typedef struct lit_ctx {
  exh_hit_fn fn;
  void *ctx;
} lit_ctx;

static bool on_literal(void *ctx, uint32_t id, const char *after)
{
  (void)id;
  lit_ctx *c = ctx;
  /* a pointer inside the match is all the caller needs to find its line */
  return c->fn(c->ctx, after - 1);
}

bool exh_literals_scan(const exh_literals *l, exh_prefilter_scratch *s, const char *p, size_t n,
                       exh_hit_fn fn, void *ctx)
{
  if (!l || !s)
    return false;
  lit_ctx c = {fn, ctx};
  ac_scan(l->a, p, p + n, on_literal, &c);
  return true;
}
