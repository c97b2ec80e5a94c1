/*
 * test_hunt_server.c - exhunt_hunt_server: one server made of several
 * roots. The bundled compromised example split in three folders (its web
 * root and IIS logs, its Exchange install, its collected events) gives the
 * verdict, the findings (rule, path under its root, line), the coverage
 * and the stories the same files give as one tree, every record named
 * after the server; a root given inside another is hunted once; the
 * server's names for paths when its roots keep their place on a drive;
 * bad arguments.
 */
#include "common/testutil.h"
#include "core/alloc.h"
#include "core/compiler.h"
#include "hunt/hunt_int.h"

static tu_fixture fx;

#define EXAMPLE EXHUNT_SOURCE_DIR "/examples/compromised-exchange"
#define MAX_KEYS 512

/* What a hunt told its sink, reduced to what must not depend on where the
 * files lie: a line per finding, build and coverage record (sorted before
 * comparing), the verdict, the stories, and the servers records named. */
typedef struct told {
  char *keys[MAX_KEYS];
  size_t n_keys;
  char verdict[512];
  size_t n_verdicts, n_stories, n_story_shells, n_steps;
  char servers[4][256];
  size_t n_servers;
  const char *const *roots; /* taken off the paths */
  size_t n_roots;
  size_t nested_notes, errors;
  bool quiet; /* errors not printed (the allocation sweep makes many) */
} told;

static void add_key(told *t, const char *fmt, ...) EXH_PRINTF(2, 3);
static void add_key(told *t, const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  assert_true(t->n_keys < MAX_KEYS);
  t->keys[t->n_keys] = strdup(buf); /* not exh_strdup: the sweep fails only the library */
  assert_non_null(t->keys[t->n_keys]);
  t->n_keys++;
}

static void saw_server(told *t, const char *server)
{
  const char *s = server ? server : "(null)";
  for (size_t i = 0; i < t->n_servers; i++)
    if (strcmp(t->servers[i], s) == 0)
      return;
  assert_true(t->n_servers < 4);
  snprintf(t->servers[t->n_servers++], sizeof t->servers[0], "%s", s);
}

/* A path with its root taken off: the same file, however it was split. */
static const char *under_root(const told *t, const char *path)
{
  for (size_t i = 0; path && i < t->n_roots; i++) {
    const char *rel = exh_hunt_under(t->roots[i], path);
    if (rel)
      return rel;
  }
  return path ? path : "(none)";
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  told *t = ctx;
  saw_server(t, f->server);
  uint64_t line = f->kind == EXHUNT_FINDING_LOG ? f->log.line : 0;
  add_key(t, "finding %d %s %s %s line %llu", (int)f->kind, exhunt_severity_name(f->severity),
          f->rule, under_root(t, f->path), (unsigned long long)line);
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  told *t = ctx;
  if (strcmp(n->what, "root-nested") == 0)
    t->nested_notes++;
  if (n->kind == EXHUNT_NOTICE_ERROR) {
    t->errors++;
    if (!t->quiet)
      print_message("  error %s %s: %s\n", n->what, n->path ? n->path : "", n->reason);
  }
}

static void on_build(void *ctx, const exhunt_build_seen *b)
{
  told *t = ctx;
  saw_server(t, b->server);
  add_key(t, "build %s %s %s", b->build ? b->build : "?", b->source ? b->source : "?",
          under_root(t, b->path));
}

static void on_coverage(void *ctx, const exhunt_coverage *c)
{
  told *t = ctx;
  saw_server(t, c->server);
  add_key(t, "coverage %s %s present %d files %llu records %llu days %u", c->family,
          c->channel ? c->channel : "-", (int)c->present, (unsigned long long)c->files,
          (unsigned long long)c->records, c->days_covered);
}

static void on_story(void *ctx, const exhunt_story *s)
{
  told *t = ctx;
  saw_server(t, s->server);
  t->n_stories++;
  t->n_story_shells += s->n_shells;
  t->n_steps += s->n_steps;
  for (size_t i = 0; i < s->n_shells; i++)
    add_key(t, "shell %s %s on_disk %d planted %zu requests %zu", s->shells[i].path,
            s->shells[i].url ? s->shells[i].url : "-", (int)s->shells[i].on_disk,
            s->shells[i].planted_by.n, s->shells[i].requests.n);
}

static void on_verdict(void *ctx, const exhunt_verdict *v)
{
  told *t = ctx;
  saw_server(t, v->server);
  t->n_verdicts++;
  snprintf(t->verdict, sizeof t->verdict,
           "%s | %s | %s | build %s | exposed %u covered %u | reasons %zu | next %zu | errors %llu",
           v->verdict, v->headline, v->badge, v->build ? v->build : "-", v->exposed_days,
           v->covered_days, v->n_reasons, v->n_next_steps, (unsigned long long)v->errors);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void told_free(told *t)
{
  for (size_t i = 0; i < t->n_keys; i++)
    free(t->keys[i]);
  memset(t, 0, sizeof *t);
}

static exhunt_hunt_opts hunt_opts(void)
{
  exhunt_hunt_opts opts;
  exhunt_hunt_opts_init(&opts);
  opts.rules = fx.rules;
  opts.resources.threads = 1;
  opts.now = 1793491200;       /* 2026-11-01 */
  opts.collected = 1614776700; /* 2021-03-03 13:05: git keeps no file times */
  opts.one_server = true;
  return opts;
}

static exhunt_sink told_sink(told *t)
{
  return (exhunt_sink){.ctx = t,
                       .on_finding = on_finding,
                       .on_notice = on_notice,
                       .on_coverage = on_coverage,
                       .on_build = on_build,
                       .on_story = on_story,
                       .on_verdict = on_verdict};
}

static void run_tree(told *t, const char *root)
{
  exhunt_hunt_opts opts = hunt_opts();
  exhunt_sink sink = told_sink(t);
  static const char *one[1];
  one[0] = root;
  t->roots = one;
  t->n_roots = 1;
  assert_int_equal(exhunt_hunt_paths(one, 1, &opts, &sink, NULL), EXHUNT_OK);
  qsort(t->keys, t->n_keys, sizeof *t->keys, cmp_str);
}

static void run_server(told *t, const char *const *roots, size_t n)
{
  exhunt_hunt_opts opts = hunt_opts();
  opts.one_server = false; /* implied */
  exhunt_sink sink = told_sink(t);
  t->roots = roots;
  t->n_roots = n;
  exhunt_scan_stats st;
  assert_int_equal(exhunt_hunt_server("EX01", roots, n, &opts, &sink, &st), EXHUNT_OK);
  assert_int_equal(st.notes >= t->nested_notes, true);
  qsort(t->keys, t->n_keys, sizeof *t->keys, cmp_str);
}

static void run(const char *cmd)
{
  if (system(cmd) != 0)
    fail_msg("%s failed", cmd);
}

/* The example as one tree under root/one, and in three parts under
 * root/a (inetpub), root/b (Program Files), root/c (collected). */
static void lay_out(void)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "cp -R '" EXAMPLE "' '%s' && mkdir '%s' '%s' '%s' && cp -R '" EXAMPLE
           "/inetpub' '%s' && "
           "cp -R '" EXAMPLE "/Program Files' '%s' && cp -R '" EXAMPLE "/collected' '%s'",
           tu_at("one"), tu_at("a"), tu_at("b"), tu_at("c"), tu_at("a"), tu_at("b"), tu_at("c"));
  run(cmd);
}

static void expect_same(const told *whole, const told *split)
{
  for (size_t i = 0; i < whole->n_keys || i < split->n_keys; i++) {
    const char *w = i < whole->n_keys ? whole->keys[i] : "(none)";
    const char *s = i < split->n_keys ? split->keys[i] : "(none)";
    if (strcmp(w, s) != 0)
      print_message("  #%zu one tree: %s\n  #%zu split:    %s\n", i, w, i, s);
  }
  assert_int_equal(whole->n_keys, split->n_keys);
  for (size_t i = 0; i < whole->n_keys; i++)
    assert_string_equal(whole->keys[i], split->keys[i]);
  assert_string_equal(whole->verdict, split->verdict);
  assert_int_equal(whole->n_stories, split->n_stories);
  assert_int_equal(whole->n_story_shells, split->n_story_shells);
  assert_int_equal(whole->n_steps, split->n_steps);
  assert_int_equal(whole->errors, split->errors);
}

static void test_split_in_three(void **state)
{
  (void)state;
  lay_out();
  told whole, split;
  memset(&whole, 0, sizeof whole);
  memset(&split, 0, sizeof split);
  run_tree(&whole, tu_at("one"));
  const char *roots[] = {tu_at("a"), tu_at("b"), tu_at("c")};
  char keep[3][512];
  for (size_t i = 0; i < 3; i++) {
    snprintf(keep[i], sizeof keep[i], "%s", roots[i]);
    roots[i] = keep[i];
  }
  run_server(&split, roots, 3);
  print_message("  verdict: %s\n  %zu findings, builds and coverage records\n", split.verdict,
                split.n_keys);
  assert_non_null(strstr(whole.verdict, "COMPROMISED |"));
  assert_int_equal(whole.n_verdicts, 1);
  assert_int_equal(split.n_verdicts, 1);
  assert_true(whole.n_keys > 20);
  assert_true(whole.n_story_shells >= 3);
  expect_same(&whole, &split);
  /* every record is the server's */
  assert_int_equal(split.n_servers, 1);
  assert_string_equal(split.servers[0], "EX01");
  assert_int_equal(split.nested_notes, 0);
  told_free(&whole);
  told_free(&split);
}

/* A root inside another, or given twice, is walked once: the findings of
 * the tree, once, and a note for each. */
static void test_nested_roots(void **state)
{
  (void)state;
  lay_out();
  told whole, nested;
  memset(&whole, 0, sizeof whole);
  memset(&nested, 0, sizeof nested);
  run_tree(&whole, tu_at("one"));
  char r[4][512];
  snprintf(r[0], sizeof r[0], "%s", tu_at("one/inetpub/wwwroot"));
  snprintf(r[1], sizeof r[1], "%s/", tu_at("one"));
  snprintf(r[2], sizeof r[2], "%s", tu_at("one/Program Files"));
  snprintf(r[3], sizeof r[3], "%s", tu_at("one"));
  const char *roots[] = {r[0], r[1], r[2], r[3]};
  exhunt_hunt_opts opts = hunt_opts();
  exhunt_sink sink = told_sink(&nested);
  const char *strip[] = {r[3]};
  nested.roots = strip;
  nested.n_roots = 1;
  assert_int_equal(exhunt_hunt_server("EX01", roots, 4, &opts, &sink, NULL), EXHUNT_OK);
  qsort(nested.keys, nested.n_keys, sizeof *nested.keys, cmp_str);
  assert_int_equal(nested.nested_notes, 3); /* r[1] stays: named first of the two */
  expect_same(&whole, &nested);
  told_free(&whole);
  told_free(&nested);
}

/* How the server names its files: relative to the root that holds them;
 * a root on a drive keeps its place there, so a live server's parts read
 * as one C:\ tree. */
static void test_server_paths(void **state)
{
  (void)state;
  const char *roots[] = {"C:/inetpub/wwwroot", "D:/Exchange Server", "/evidence/c", "C:/"};
  hunt_server hs;
  memset(&hs, 0, sizeof hs);
  hs.name = "EX01";
  hs.roots = roots;
  hs.n_roots = 3;
  hs.placed = true;
  assert_string_equal(exh_hunt_rel(&hs, "C:/inetpub/wwwroot/aspnet_client/x.aspx"),
                      "inetpub/wwwroot/aspnet_client/x.aspx");
  assert_string_equal(exh_hunt_rel(&hs, "D:/Exchange Server/FrontEnd/HttpProxy/owa/auth/y.aspx"),
                      "Exchange Server/FrontEnd/HttpProxy/owa/auth/y.aspx");
  assert_string_equal(exh_hunt_rel(&hs, "/evidence/c/inetpub/z.aspx"), "inetpub/z.aspx");
  assert_string_equal(exh_hunt_rel(&hs, "/elsewhere/z.aspx"), "/elsewhere/z.aspx");
  /* "C:/inetpub/wwwroot2" is not under "C:/inetpub/wwwroot" */
  assert_string_equal(exh_hunt_rel(&hs, "C:/inetpub/wwwroot2/x"), "C:/inetpub/wwwroot2/x");
  hs.roots = &roots[3];
  hs.n_roots = 1;
  assert_string_equal(exh_hunt_rel(&hs, "C:/inetpub/x"), "inetpub/x");
  /* exhunt_hunt_paths' one root: relative to it, drive or not */
  hs.roots = roots;
  hs.n_roots = 1;
  hs.placed = false;
  assert_string_equal(exh_hunt_rel(&hs, "C:/inetpub/wwwroot/aspnet_client/x.aspx"),
                      "aspnet_client/x.aspx");
  assert_null(exh_hunt_under("/a/b", "/a/bc"));
  assert_string_equal(exh_hunt_under("/a/b/", "/a/b/c"), "c");
  assert_string_equal(exh_hunt_under("/a/b", "/a/b"), "");
}

static void test_bad_arguments(void **state)
{
  (void)state;
  exhunt_hunt_opts opts = hunt_opts();
  told t;
  memset(&t, 0, sizeof t);
  exhunt_sink sink = told_sink(&t);
  const char *roots[] = {EXAMPLE, ""};
  assert_int_equal(exhunt_hunt_server(NULL, roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_hunt_server("", roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_hunt_server("EX01", roots, 0, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_hunt_server("EX01", NULL, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_hunt_server("EX01", roots, 2, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_hunt_server("EX01", roots, 1025, &opts, &sink, NULL), EXHUNT_EINVAL);
  opts.rules = NULL;
  assert_int_equal(exhunt_hunt_server("EX01", roots, 1, &opts, &sink, NULL), EXHUNT_EINVAL);
  assert_int_equal(t.n_keys, 0);
}

/* Fail allocation N for every N the split hunt makes: always a clean OK
 * or ENOMEM (ASan's leak check catches anything left behind). */
static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  lay_out();
  char r[3][512];
  snprintf(r[0], sizeof r[0], "%s", tu_at("a"));
  snprintf(r[1], sizeof r[1], "%s", tu_at("b"));
  snprintf(r[2], sizeof r[2], "%s", tu_at("c"));
  const char *roots[] = {r[0], r[1], r[2]};
  exhunt_hunt_opts opts = hunt_opts();
  unsigned long n, runs = 0;
  for (n = 1; n < 200000; n++) {
    told t;
    memset(&t, 0, sizeof t);
    t.roots = roots;
    t.n_roots = 3;
    t.quiet = true;
    exhunt_sink sink = told_sink(&t);
    exh_alloc_fail_at(n, 0);
    exhunt_err err = exhunt_hunt_server("EX01", roots, 3, &opts, &sink, NULL);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    runs++;
    bool done = made < n;
    if (done) {
      assert_int_equal(err, EXHUNT_OK);
      assert_non_null(strstr(t.verdict, "COMPROMISED |"));
    } else if (err != EXHUNT_OK && err != EXHUNT_ENOMEM) {
      fail_msg("allocation %lu failed: %s", n, exhunt_strerror(err));
    }
    told_free(&t);
    if (done)
      break;
  }
  assert_true(n > 100);
  print_message("hunt_server allocation sweep: %lu runs\n", runs);
}

static tu_fixture fx = {.each = TU_ROOT, .tag = "huntsrv", .default_rules = true};

TU_MAIN(&fx, test_split_in_three, test_nested_roots, test_server_paths, test_bad_arguments,
        test_alloc_failure_sweep)
