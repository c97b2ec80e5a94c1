/*
 * test_prefilter.c - the log engine's literal prefilter (lib/logs/prefilter.h)
 * in whichever implementation this binary links: test_prefilter has the
 * build's own (EXHUNT_MATCHER: Hyperscan or portable), and on a Hyperscan
 * build test_prefilter_portable compiles lib/logs/prefilter_ac.c in, so the
 * Windows build's matcher is checked on Linux too, on the same inputs.
 *
 * The checks (tests/common/prefilter_check.h) run on every log the
 * repository and ../shared hold, and on hostile buffers: the prefilter
 * reports every line exh_block_scan reports and no line the row check
 * turns away, stops at '#' lines, and a literal set reports exactly what a
 * plain search finds.
 */
#include "common/testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/prefilter_check.h"
#include "core/alloc.h"
#include "core/limits.h"

#define BLOCK (128u * 1024u) /* the engine's buffer (logs.c, BLOCK_BYTES) */
#define MAX_FILE (16u * 1024u * 1024u)

static uint32_t xorshift(uint32_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

/* The prefilter and a scratch, or the test fails. */
typedef struct pf_pair {
  exh_prefilter *pf;
  exh_prefilter_scratch *s;
} pf_pair;

static pf_pair pf_open(void)
{
  pf_pair p = {exh_prefilter_new(), NULL};
  if (!p.pf && strcmp(exh_prefilter_matcher(), "hyperscan") == 0)
    skip(); /* no SSSE3: the engine uses exh_block_scan alone */
  assert_non_null(p.pf);
  p.s = exh_prefilter_scratch_new(p.pf);
  assert_non_null(p.s);
  return p;
}

static void pf_close(pf_pair *p)
{
  exh_prefilter_scratch_free(p->s);
  exh_prefilter_free(p->pf);
}

/* What the literal sets of these tests look for. URLs of shells and
 * words every log holds: at most 8 distinct anchor pairs, so the portable
 * matcher looks for them with SSE2 where it can; and with one-byte,
 * overlapping and more literals, which it looks for in its pair table. */
static const char *const url_lits[] = {"/aspnet_client/system_web/",
                                       "/owa/auth/",
                                       "logon.aspx",
                                       "autodiscover.json",
                                       "POST",
                                       "ews/ews",
                                       "json"};
static const char *const mixed_lits[] = {"/aspnet_client/system_web/",
                                         "/owa/auth/",
                                         "logon.aspx",
                                         "autodiscover.json",
                                         "POST",
                                         "mapi",
                                         "/",
                                         "ews/ews",
                                         "S",
                                         "ss",
                                         "json",
                                         "x-rps-cat",
                                         "powershell",
                                         "&port=",
                                         "~"};
#define N_OF(a) (sizeof a / sizeof a[0])

typedef struct lit_sets {
  exh_literals *url, *mixed;
} lit_sets;

static lit_sets lits_open(pf_pair *pp)
{
  lit_sets l = {exh_literals_new(url_lits, N_OF(url_lits)),
                exh_literals_new(mixed_lits, N_OF(mixed_lits))};
  assert_true(l.url && l.mixed);
  assert_true(exh_literals_scratch(l.url, &pp->s) && exh_literals_scratch(l.mixed, &pp->s));
  return l;
}

static void lits_close(lit_sets *l)
{
  exh_literals_free(l->url);
  exh_literals_free(l->mixed);
}

static const exh_log_family fams[] = {EXH_FAM_HTTPPROXY, EXH_FAM_IIS};

/* Every check over one buffer, in the engine's blocks (whole lines, at
 * most BLOCK bytes, or one longer line). */
static void check_text(const pf_pair *pp, const lit_sets *lits, const char *what, const char *p,
                       size_t n, size_t *lines_hit)
{
  unsigned char *mark = malloc(n + 1);
  uint32_t *ends = malloc((2 * n + 1) * sizeof *ends);
  assert_true(mark && ends);
  for (size_t start = 0; start < n;) {
    size_t end = start + BLOCK < n ? start + BLOCK : n;
    const char *nl = end < n ? memchr(p + end, '\n', n - end) : NULL;
    if (end < n) { /* back to the last line end in the block, or on to the next */
      const char *back = p + end;
      while (back > p + start && back[-1] != '\n')
        back--;
      end = back > p + start ? (size_t)(back - p) : nl ? (size_t)(nl - p) + 1 : n;
    }
    size_t where;
    for (size_t f = 0; f < 2; f++) {
      const char *why =
          pfc_check_buffer(pp->pf, pp->s, fams[f], p + start, end - start, mark, &where);
      if (why)
        fail_msg("%s, family %d, offset %zu: %s: %.80s", what, (int)fams[f], start + where, why,
                 p + start + where);
      for (size_t i = 0; i < end - start; i++)
        *lines_hit += (mark[i] & PFC_PREFILTER) != 0;
    }
    const char *why = pfc_check_literals(lits->url, pp->s, url_lits, N_OF(url_lits), p + start,
                                         end - start, ends, &where);
    if (!why)
      why = pfc_check_literals(lits->mixed, pp->s, mixed_lits, N_OF(mixed_lits), p + start,
                               end - start, ends, &where);
    if (why)
      fail_msg("%s, literals, offset %zu: %s: %.80s", what, start + where, why, p + start + where);
    start = end;
  }
  free(mark);
  free(ends);
}

/* A file's bytes (gunzipped if it is gzip), at most MAX_FILE; NULL if
 * unreadable. */
static char *read_all(const char *path, size_t *n)
{
  gzFile g = gzopen(path, "rb");
  if (!g)
    return NULL;
  char *buf = malloc(MAX_FILE);
  int got = buf ? gzread(g, buf, MAX_FILE) : -1;
  gzclose(g);
  if (got < 0) {
    free(buf);
    return NULL;
  }
  *n = (size_t)got;
  return buf;
}

typedef struct walk_stats {
  size_t files, bytes, lines_hit;
} walk_stats;

static void check_tree(const pf_pair *pp, const lit_sets *lits, const char *path, walk_stats *st)
{
  struct stat sb;
  if (lstat(path, &sb) != 0)
    return;
  if (S_ISDIR(sb.st_mode)) {
    DIR *d = opendir(path);
    if (!d)
      return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      char sub[4096];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      check_tree(pp, lits, sub, st);
    }
    closedir(d);
    return;
  }
  if (!S_ISREG(sb.st_mode))
    return;
  size_t n;
  char *buf = read_all(path, &n);
  if (!buf)
    return;
  check_text(pp, lits, path, buf, n, &st->lines_hit);
  st->files++;
  st->bytes += n;
  free(buf);
}

/* The build links the matcher it says: a test_prefilter_portable that
 * linked Hyperscan's instead would check nothing new. */
static void test_matcher_is_the_one_built(void **state)
{
  (void)state;
  assert_string_equal(exh_prefilter_matcher(), EXH_TEST_MATCHER);
}

/* Every log of the repository's fixtures and examples, the fuzz seeds, and
 * the real IIS log of a Tunna tunnel in ../shared: W3C and Exchange CSV,
 * gzipped, multi-line records, #Fields changing mid-file, EVTX bytes. */
static void test_real_logs(void **state)
{
  (void)state;
  pf_pair pp = pf_open();
  lit_sets lits = lits_open(&pp);
  static const char *const trees[] = {
      EXHUNT_SOURCE_DIR "/tests/data/logs",
      EXHUNT_SOURCE_DIR "/examples",
      EXHUNT_SOURCE_DIR "/tests/fuzz/corpus/csv",
      EXHUNT_SOURCE_DIR "/tests/fuzz/corpus/w3c",
      EXHUNT_SOURCE_DIR "/tests/fuzz/corpus/logs",
      EXHUNT_SHARED_DIR "/research-data/datasets/evtx-attack-samples/Tunna_rdp_tunnel_IIS.log",
  };
  walk_stats st = {0, 0, 0};
  for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++)
    check_tree(&pp, &lits, trees[i], &st);
  print_message("%s matcher: %zu files, %zu bytes, %zu lines hit\n", exh_prefilter_matcher(),
                st.files, st.bytes, st.lines_hit);
  assert_true(st.files >= 40);
  assert_true(st.lines_hit >= 50);
  lits_close(&lits);
  pf_close(&pp);
}

/* Pieces of needles, whole needles in any case, what their checks read,
 * and the bytes they stop at. */
static const char *const pieces[] = {"serverinfo~",
                                     "ServerInfo~h/p",
                                     "server~",
                                     "Server~a/b~1",
                                     "json",
                                     "JsOn",
                                     "autodiscover.",
                                     "Autodiscover.json",
                                     "powershell",
                                     "/PowerShell",
                                     "aspnet_client",
                                     "/auth/",
                                     "x.aspx",
                                     "/ecp/",
                                     "y.js",
                                     "/ecp/ab.JS",
                                     "&port=",
                                     "@",
                                     "/owa/",
                                     "/mapi/nspi",
                                     "/ews",
                                     "x-rps-cat",
                                     "Email=autodiscover/autodiscover.json",
                                     "localhost",
                                     "\"",
                                     ",",
                                     " ",
                                     "~",
                                     "/",
                                     "#",
                                     "\n",
                                     "\r\n",
                                     "\n#",
                                     "s",
                                     "ss",
                                     "POST",
                                     "a"};

/* Hostile buffers: needle soup with '#' lines, runs of one byte or of a
 * needle's prefix, long lines, every byte value. */
static size_t hostile(char *buf, size_t cap, uint32_t seed)
{
  uint32_t x = seed;
  size_t n = 0;
  switch (seed % 4) {
  case 0: /* needle soup */
    while (n + 64 < cap) {
      const char *piece = pieces[xorshift(&x) % (sizeof pieces / sizeof pieces[0])];
      size_t len = strlen(piece);
      for (size_t i = 0; i < len; i++) {
        char c = piece[i];
        if (xorshift(&x) % 3 == 0 && c >= 'a' && c <= 'z')
          c = (char)(c - 'a' + 'A');
        buf[n++] = c;
      }
    }
    break;
  case 1:                   /* runs of a prefix: the automaton deep, then thrown back */
    while (n + 128 < cap) { /* every piece is shorter than 64 bytes */
      const char *piece = pieces[xorshift(&x) % (sizeof pieces / sizeof pieces[0])];
      size_t len = strlen(piece), take = 1 + xorshift(&x) % len, reps = 1 + xorshift(&x) % 200;
      for (size_t r = 0; r < reps && n + take + 64 < cap; r++, n += take)
        memcpy(buf + n, piece, take);
    }
    break;
  case 2: /* any byte */
    while (n < cap - 64)
      buf[n++] = (char)xorshift(&x);
    break;
  default: /* one long line of needles that pass their checks */
    while (n + 64 < cap) {
      static const char hit[] = "/owa/x/powershell ServerInfo~/x aspnet_client &port= ";
      memcpy(buf + n, hit, sizeof hit - 1);
      n += sizeof hit - 1;
    }
    break;
  }
  return n;
}

static void test_hostile_buffers(void **state)
{
  (void)state;
  pf_pair pp = pf_open();
  lit_sets lits = lits_open(&pp);
  size_t cap = 300 * 1024, hit = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (uint32_t seed = 1; seed <= 48; seed++) {
    size_t n = hostile(buf, cap, seed * 2654435761u);
    char what[32];
    snprintf(what, sizeof what, "seed %u", seed);
    check_text(&pp, &lits, what, buf, n, &hit);
  }
  assert_true(hit > 0);
  free(buf);
  lits_close(&lits);
  pf_close(&pp);
}

/* Literal sets: nested and overlapping literals, the same one twice, one
 * byte, case, bytes past ASCII (matched as they are), and random sets over
 * a small alphabet against random text over it. */
static void test_literal_sets(void **state)
{
  (void)state;
  static const char *const nested[] = {"a", "ab", "bab", "abab", "AB", "b", "babab", "ab"};
  static const char *const high[] = {"\xc3\xa9t\xc3\xa9", "\xff", "\x01\x02"};
  static const char text[] = "xAbAbAbabBABab\xc3\xa9T\xc3\xa9\xc3\x89t\xc3\x89\xff\x01\x02z";
  pf_pair pp = pf_open();
  size_t n = sizeof text - 1, where;
  uint32_t ends[2 * sizeof text];
  const struct {
    const char *const *lits;
    size_t n;
  } sets[] = {{nested, sizeof nested / sizeof nested[0]}, {high, sizeof high / sizeof high[0]}};
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    exh_literals *l = exh_literals_new(sets[i].lits, sets[i].n);
    assert_non_null(l);
    assert_true(exh_literals_scratch(l, &pp.s));
    const char *why = pfc_check_literals(l, pp.s, sets[i].lits, sets[i].n, text, n, ends, &where);
    if (why)
      fail_msg("set %zu at %zu: %s", i, where, why);
    exh_literals_free(l);
  }
  /* é is not É: only ASCII letters fold, as in Hyperscan */
  exh_literals *l = exh_literals_new(high, 1);
  pfc_count c = {text, ends, 0, 0};
  memset(ends, 0, sizeof ends);
  assert_true(exh_literals_scan(l, pp.s, text, n, pfc_count_end, &c));
  assert_int_equal(c.calls, 1);
  exh_literals_free(l);
  /* random sets */
  uint32_t x = 12345;
  char hay[4096], store[16][12];
  const char *rl[16];
  uint32_t rends[2 * sizeof hay];
  for (int round = 0; round < 200; round++) {
    size_t k = 1 + xorshift(&x) % 16;
    for (size_t i = 0; i < k; i++) {
      size_t len = 1 + xorshift(&x) % 10;
      for (size_t j = 0; j < len; j++)
        store[i][j] = "abAB/\n"[xorshift(&x) % 6];
      store[i][len] = '\0';
      rl[i] = store[i];
    }
    for (size_t j = 0; j < sizeof hay; j++)
      hay[j] = "abAB/\nc"[xorshift(&x) % 7];
    exh_literals *r = exh_literals_new(rl, k);
    assert_non_null(r);
    assert_true(exh_literals_scratch(r, &pp.s));
    const char *why = pfc_check_literals(r, pp.s, rl, k, hay, sizeof hay, rends, &where);
    if (why)
      fail_msg("round %d at %zu: %s", round, where, why);
    exh_literals_free(r);
  }
  /* no set of nothing, no empty literal */
  static const char *const empty[] = {"abc", ""};
  assert_null(exh_literals_new(empty, 0));
  assert_null(exh_literals_new(empty, 2));
  pf_close(&pp);
}

/* The portable matcher's memory bound: the hunt's largest set (4096 URLs)
 * of ordinary URLs is built; a set whose table would pass
 * EXH_AC_MAX_TABLE is refused (the engine then reads line by line). */
static void test_literal_set_bound(void **state)
{
  (void)state;
  if (strcmp(exh_prefilter_matcher(), "portable") != 0)
    skip(); /* Hyperscan has bounds of its own */
  enum { N = EXH_HUNT_MAX_SHELL_URLS, LEN = 60 };
  char(*urls)[LEN + 1] = malloc(N * sizeof *urls);
  const char **lits = malloc(N * sizeof *lits);
  assert_true(urls && lits);
  uint32_t x = 7;
  for (size_t i = 0; i < N; i++) {
    int k = snprintf(urls[i], LEN + 1, "/aspnet_client/system_web/%u_", (unsigned)i);
    for (int j = k; j < LEN; j++)
      urls[i][j] = "abcdefghijklmnopqrstuvwxyz0123456789._-"[xorshift(&x) % 39];
    urls[i][LEN] = '\0';
    lits[i] = urls[i];
  }
  exh_literals *l = exh_literals_new(lits, N);
  assert_non_null(l);
  static const char line[] = "GET /aspnet_client/system_web/17_ x";
  pfc_count c = {line, NULL, 0, 0};
  uint32_t ends[sizeof line];
  c.ends = ends;
  memset(ends, 0, sizeof ends);
  exh_prefilter_scratch *s = NULL;
  assert_true(exh_literals_scratch(l, &s));
  assert_true(exh_literals_scan(l, s, line, sizeof line - 1, pfc_count_end, &c));
  assert_int_equal(c.calls, 0); /* a prefix of some, the whole of none */
  exh_literals_free(l);
  /* every byte value, over more states than the table may hold */
  size_t states = EXH_AC_MAX_TABLE / 4 / 200 + 1, per = 4096;
  size_t n_big = states / per + 1;
  char(*big)[4097] = malloc(n_big * sizeof *big);
  assert_non_null(big);
  for (size_t i = 0; i < n_big; i++) {
    for (size_t j = 0; j < per; j++)
      big[i][j] = (char)(1 + (xorshift(&x) % 255));
    big[i][per] = '\0';
    lits[i] = big[i];
  }
  assert_null(exh_literals_new(lits, n_big));
  free(big);
  free(urls);
  free(lits);
  exh_prefilter_scratch_free(s);
}

static bool take_first(void *ctx, const char *at)
{
  (void)at;
  return ++*(int *)ctx < 1;
}

/* The callback stops taking hits at the first; the scan still finds a '#'
 * line right after it, or far after it, and says so. */
static void test_stop_then_meta(void **state)
{
  (void)state;
  pf_pair pp = pf_open();
  static const char *const bufs[] = {
      "a aspnet_client\n#Fields: x\n", "a aspnet_client &port= /aspnet_client\n\n\n#x\n",
      "aspnet_client\naspnet_client\n#", "a &port=\nb\n", "#a &port=\nb#\n"};
  static const exh_prefilter_result want[] = {EXH_PF_META, EXH_PF_META, EXH_PF_META, EXH_PF_DONE,
                                              EXH_PF_DONE};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
    int taken = 0;
    exh_prefilter_result r =
        exh_prefilter_scan(pp.pf, pp.s, EXH_FAM_IIS, bufs[i], strlen(bufs[i]), take_first, &taken);
    if (r != want[i] || taken != 1)
      fail_msg("case %zu: result %d taken %d", i, (int)r, taken);
  }
  /* no needles: a family the prefilter has none for */
  int taken = 0;
  assert_int_equal(exh_prefilter_scan(pp.pf, pp.s, EXH_FAM_OABGEN, bufs[0], 5, take_first, &taken),
                   EXH_PF_UNAVAILABLE);
  /* an empty buffer */
  assert_int_equal(exh_prefilter_scan(pp.pf, pp.s, EXH_FAM_IIS, bufs[0], 0, take_first, &taken),
                   EXH_PF_DONE);
  pf_close(&pp);
}

/* Every allocation of the matcher, failed in turn: NULL, no leak (ASan). */
static void test_allocation_failures(void **state)
{
  (void)state;
  pf_pair probe = pf_open(); /* skips where Hyperscan cannot run */
  pf_close(&probe);
  bool built = false;
  unsigned long k;
  for (k = 1; k < 200 && !built; k++) {
    exh_alloc_fail_at(k, 1);
    exh_prefilter *pf = exh_prefilter_new();
    exh_prefilter_scratch *s = pf ? exh_prefilter_scratch_new(pf) : NULL;
    exh_literals *l = s ? exh_literals_new(mixed_lits, N_OF(mixed_lits)) : NULL;
    built = l && exh_literals_scratch(l, &s);
    exh_alloc_fail_at(0, 0);
    exh_literals_free(l);
    exh_prefilter_scratch_free(s);
    exh_prefilter_free(pf);
  }
  assert_true(built);
  assert_true(k > 3); /* the sweep failed some allocations before */
}

TU_MAIN(NULL, test_matcher_is_the_one_built, test_real_logs, test_hostile_buffers,
        test_literal_sets, test_literal_set_bound, test_stop_then_meta, test_allocation_failures)
