/*
 * test_hunt.c - exhunt_hunt_paths through the library API on the bundled
 * example evidence: the verdict, the order of the records a sink receives,
 * that every id a verdict or story cites is a finding of that server, and an
 * allocation-failure sweep over the whole hunt (every failure is a clean
 * ENOMEM; ASan's leak check in CI catches anything left behind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "hunt/hunt_int.h"

typedef struct hunt_rec_log {
  char ids[256][16];
  size_t n_ids;
  char verdict[32];
  size_t n_verdicts, n_stories, n_builds, n_coverage, n_channels, n_channels_present;
  bool order_ok; /* builds < findings < coverage < stories < verdict */
  int phase;     /* 0 builds, 1 findings, 2 coverage, 3 stories, 4 verdict */
  bool cited_ok; /* every cited id was emitted before */
  size_t shells_tied;
  size_t other_steps, attempt_steps; /* step_counts of the stories */
} hunt_log;

static hunt_log hl;

static void at_phase(int p)
{
  if (p < hl.phase)
    hl.order_ok = false;
  hl.phase = p;
}

static bool known(const char *id)
{
  for (size_t i = 0; i < hl.n_ids; i++)
    if (strcmp(hl.ids[i], id) == 0)
      return true;
  return false;
}

static void on_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  at_phase(1);
  if (f->id && hl.n_ids < 256)
    snprintf(hl.ids[hl.n_ids++], sizeof hl.ids[0], "%s", f->id);
}

static void on_build(void *ctx, const exhunt_build_seen *b)
{
  (void)ctx;
  (void)b;
  at_phase(0);
  hl.n_builds++;
}

static void on_coverage(void *ctx, const exhunt_coverage *c)
{
  (void)ctx;
  at_phase(2);
  hl.n_coverage++;
  if (c->channel) {
    hl.n_channels++;
    if (c->present)
      hl.n_channels_present++;
  }
}

static void on_story(void *ctx, const exhunt_story *s)
{
  (void)ctx;
  at_phase(3);
  hl.n_stories++;
  for (size_t i = 0; i < s->n_counts; i++) {
    if (strcmp(s->counts[i].step, "other") == 0)
      hl.other_steps += s->counts[i].total;
    if (strcmp(s->counts[i].step, "attempt") == 0)
      hl.attempt_steps += s->counts[i].total;
  }
  for (size_t i = 0; i < s->n_steps; i++)
    hl.cited_ok = hl.cited_ok && known(s->steps[i].evidence);
  for (size_t i = 0; i < s->n_shells; i++) {
    const exhunt_story_shell *sh = &s->shells[i];
    hl.shells_tied += sh->planted_by.n && sh->requests.n;
    for (size_t k = 0; k < sh->planted_by.n; k++)
      hl.cited_ok = hl.cited_ok && known(sh->planted_by.ids[k]);
    for (size_t k = 0; k < sh->requests.n; k++)
      hl.cited_ok = hl.cited_ok && known(sh->requests.ids[k]);
  }
}

static void on_verdict(void *ctx, const exhunt_verdict *v)
{
  (void)ctx;
  at_phase(4);
  hl.n_verdicts++;
  snprintf(hl.verdict, sizeof hl.verdict, "%s", v->verdict);
  for (size_t i = 0; i < v->n_reasons; i++)
    for (size_t k = 0; k < v->reasons[i].evidence.n; k++)
      hl.cited_ok = hl.cited_ok && known(v->reasons[i].evidence.ids[k]);
}

static exhunt_rules *rules;

static int setup(void **state)
{
  (void)state;
  exhunt_sink quiet = {.on_notice = tu_ignore_notice};
  assert_int_equal(exhunt_rules_new(&rules), EXHUNT_OK);
  assert_int_equal(exhunt_rules_add_default(rules, &quiet), EXHUNT_OK);
  assert_int_equal(exhunt_rules_compile(rules, &quiet), EXHUNT_OK);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  exhunt_rules_free(rules);
  return 0;
}

static exhunt_err run(const char *root)
{
  memset(&hl, 0, sizeof hl);
  hl.order_ok = hl.cited_ok = true;
  exhunt_sink sink = {.on_finding = on_finding,
                      .on_notice = tu_ignore_notice,
                      .on_coverage = on_coverage,
                      .on_build = on_build,
                      .on_story = on_story,
                      .on_verdict = on_verdict};
  exhunt_hunt_opts opts;
  exhunt_hunt_opts_init(&opts);
  opts.rules = rules;
  opts.resources.threads = 1;
  opts.now = 1793491200;       /* 2026-11-01 */
  opts.collected = 1614776700; /* 2021-03-03 13:05: git keeps no file times */
  return exhunt_hunt_paths(&root, 1, &opts, &sink, NULL);
}

static void test_compromised_example(void **state)
{
  (void)state;
  assert_int_equal(run(EXHUNT_SOURCE_DIR "/examples/compromised-exchange"), EXHUNT_OK);
  assert_string_equal(hl.verdict, "COMPROMISED");
  assert_int_equal(hl.n_verdicts, 1);
  assert_true(hl.n_builds >= 1);
  /* 5 log families, and the 4 event channels, of which the example's
   * Sysmon export holds one */
  assert_int_equal(hl.n_coverage, 9);
  assert_int_equal(hl.n_channels, 4);
  assert_int_equal(hl.n_channels_present, 1);
  assert_true(hl.n_stories >= 1);
  assert_true(hl.order_ok);
  assert_true(hl.cited_ok);
  assert_true(hl.shells_tied >= 3); /* planted and used, each */
}

static void test_clean_example(void **state)
{
  (void)state;
  assert_int_equal(run(EXHUNT_SOURCE_DIR "/examples/clean-exchange"), EXHUNT_OK);
  assert_string_equal(hl.verdict, "CLEAN");
  assert_int_equal(hl.n_stories, 0);
}

/* Windows events without a client address, among them a CVE-2021-26857
 * Unified Messaging error: its step is the one its detector declares, an
 * attempt, not "other". */
static void test_event_steps(void **state)
{
  (void)state;
  assert_int_equal(run(EXHUNT_SOURCE_DIR "/tests/data/logs/variants/events-json"), EXHUNT_OK);
  assert_true(hl.n_stories >= 1);
  assert_true(hl.cited_ok);
  assert_int_equal(hl.other_steps, 0);
  assert_int_equal(hl.attempt_steps, 1);
}

static void test_bad_arguments(void **state)
{
  (void)state;
  exhunt_hunt_opts opts;
  exhunt_hunt_opts_init(&opts);
  exhunt_sink sink = {.on_finding = on_finding, .on_notice = tu_ignore_notice};
  const char *root = EXHUNT_SOURCE_DIR "/examples";
  assert_int_equal(exhunt_hunt_paths(&root, 1, &opts, &sink, NULL), EXHUNT_EINVAL); /* no rules */
  opts.rules = rules;
  exhunt_sink no_notice = {.on_finding = on_finding};
  assert_int_equal(exhunt_hunt_paths(&root, 1, &opts, &no_notice, NULL), EXHUNT_EINVAL);
}

/* Fail allocation N for every N a hunt makes (every 3rd past the first
 * 300, to keep the run short): always a clean OK or ENOMEM. */
static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  unsigned long total = 0, runs = 0;
  for (unsigned long n = 1; n < 200000; n += n < 300 ? 1 : 3) {
    exh_alloc_fail_at(n, 0);
    exhunt_err err = run(EXHUNT_SOURCE_DIR "/examples/compromised-exchange");
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    runs++;
    if (made < n) {
      assert_int_equal(err, EXHUNT_OK);
      assert_string_equal(hl.verdict, "COMPROMISED");
      total = n;
      break;
    }
    if (err != EXHUNT_OK && err != EXHUNT_ENOMEM)
      fail_msg("allocation %lu failed: %s", n, exhunt_strerror(err));
  }
  assert_true(total > 100);
  print_message("hunt allocation sweep: %lu runs up to allocation %lu\n", runs, total);
}

/* A bounded example list keeps the first and last EXH_STORY_EXAMPLES by
 * time whatever order the records come in, counts every one, and names
 * each example once (and all of a short list). */
static void test_exlist_bounds(void **state)
{
  (void)state;
  hunt_exlist *l = exh_calloc(1, sizeof *l);
  assert_non_null(l);
  /* 1000 records in a scrambled order: times 0..999 */
  for (uint64_t i = 0; i < 1000; i++) {
    hunt_ex e;
    memset(&e, 0, sizeof e);
    e.time = (int64_t)((i * 617) % 1000);
    e.num = i + 1;
    snprintf(e.id, sizeof e.id, "F%llu", (unsigned long long)e.num);
    exh_exlist_add(l, &e);
  }
  assert_int_equal(l->total, 1000);
  const hunt_ex *ex[2 * EXH_STORY_EXAMPLES];
  size_t n = exh_exlist_examples(l, ex);
  assert_int_equal(n, 2 * EXH_STORY_EXAMPLES);
  for (size_t i = 0; i < EXH_STORY_EXAMPLES; i++) {
    assert_int_equal(ex[i]->time, (int64_t)i);
    assert_int_equal(ex[EXH_STORY_EXAMPLES + i]->time, (int64_t)(1000 - EXH_STORY_EXAMPLES + i));
  }
  hunt_ids ids = {NULL, 0, 0, 0};
  assert_true(exh_exlist_ids(l, &ids));
  assert_int_equal(ids.n, 2 * EXH_STORY_EXAMPLES);
  assert_int_equal(ids.more, 1000 - 2 * EXH_STORY_EXAMPLES);
  exh_free(ids.ids);
  /* a short list: every record, once, in time order; no time sorts last */
  memset(l, 0, sizeof *l);
  int64_t times[] = {30, EXHUNT_NO_TIME, 10, 20};
  for (size_t i = 0; i < 4; i++) {
    hunt_ex e;
    memset(&e, 0, sizeof e);
    e.time = times[i];
    e.num = i + 1;
    exh_exlist_add(l, &e);
  }
  n = exh_exlist_examples(l, ex);
  assert_int_equal(n, 4);
  assert_int_equal(ex[0]->time, 10);
  assert_int_equal(ex[1]->time, 20);
  assert_int_equal(ex[2]->time, 30);
  assert_int_equal(ex[3]->time, EXHUNT_NO_TIME);
  exh_free(l);
}

static tu_fixture fx = {.group_setup = setup, .group_teardown = teardown};

TU_MAIN(&fx, test_exlist_bounds, test_compromised_example, test_clean_example, test_event_steps,
        test_bad_arguments, test_alloc_failure_sweep)
