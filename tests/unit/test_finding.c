/*
 * test_finding.c - exhunt_finding_dup and exhunt_finding_free, and the
 * attack-step names.
 *
 * A copy of each kind must equal its source field by field and share no
 * pointer with it: the source's buffers are heap copies that are
 * overwritten and freed before the copy is read, so a pointer left behind
 * reads garbage and, under ASan, a freed block. The allocation-failure
 * sweep fails each allocation the dup makes: always EXHUNT_ENOMEM, *out
 * NULL, nothing leaked (LeakSanitizer in the sanitizer build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"

/* The source's heap buffers, freed (after a scribble) by drop_source. */
typedef struct source {
  exhunt_finding f;
  void *bufs[64];
  size_t lens[64];
  size_t n_bufs;
  exhunt_match matches[2];
  const char *cves[3];
} source;

static const void *heap(source *s, const void *p, size_t n)
{
  void *copy = malloc(n);
  assert_non_null(copy);
  memcpy(copy, p, n);
  s->lens[s->n_bufs] = n;
  s->bufs[s->n_bufs++] = copy;
  return copy;
}

static const char *hstr(source *s, const char *text)
{
  return heap(s, text, strlen(text) + 1);
}

static void drop_source(source *s)
{
  for (size_t i = 0; i < s->n_bufs; i++) {
    memset(s->bufs[i], 0x5a, 1); /* a copy that kept a pointer would see this */
    free(s->bufs[i]);
  }
  s->n_bufs = 0;
  memset(&s->f, 0x5a, sizeof s->f);
}

/* The common part, every string set. */
static void fill_common(source *s, exhunt_finding_kind kind)
{
  memset(&s->f, 0, sizeof s->f);
  s->f.kind = kind;
  s->f.category = hstr(s, "webshell");
  s->f.severity = EXHUNT_SEV_CRITICAL;
  s->f.rule = hstr(s, "exhunt.webshell.request_exec");
  s->f.title = hstr(s, "China Chopper");
  s->f.description = hstr(s, "eval of a request parameter");
  s->f.source = hstr(s, "exhunt");
  s->f.author = hstr(s, "someone");
  s->f.reference = hstr(s, "https://example.org/ref");
  s->f.license = hstr(s, "DRL 1.1");
  s->f.path = hstr(s, "/ev/inetpub/wwwroot/aspnet_client/x.aspx");
  s->f.id = hstr(s, "F12");
  s->f.server = hstr(s, "/ev");
}

static void check_common(const exhunt_finding *c, exhunt_finding_kind kind)
{
  assert_int_equal(c->kind, kind);
  assert_string_equal(c->category, "webshell");
  assert_int_equal(c->severity, EXHUNT_SEV_CRITICAL);
  assert_string_equal(c->rule, "exhunt.webshell.request_exec");
  assert_string_equal(c->title, "China Chopper");
  assert_string_equal(c->description, "eval of a request parameter");
  assert_string_equal(c->source, "exhunt");
  assert_string_equal(c->author, "someone");
  assert_string_equal(c->reference, "https://example.org/ref");
  assert_string_equal(c->license, "DRL 1.1");
  assert_string_equal(c->path, "/ev/inetpub/wwwroot/aspnet_client/x.aspx");
  assert_string_equal(c->id, "F12");
  assert_string_equal(c->server, "/ev");
}

/* None of the copy's pointers `p` (NULL ends the list) points into a
 * buffer of the source. */
static void check_own(const source *s, const void *const *p)
{
  for (; *p; p++)
    for (size_t i = 0; i < s->n_bufs; i++) {
      const char *at = *p, *buf = s->bufs[i];
      assert_false(at >= buf && at < buf + s->lens[i]);
    }
}

static void check_own_common(const source *s, const exhunt_finding *c)
{
  const void *const p[] = {c->category,  c->rule,    c->title, c->description, c->source, c->author,
                           c->reference, c->license, c->path,  c->id,          c->server, NULL};
  check_own(s, p);
}

/* The copy of the source, checked to own its common strings. */
static exhunt_finding *dup_of(const source *s)
{
  exhunt_finding *c = NULL;
  assert_int_equal(exhunt_finding_dup(&s->f, &c), EXHUNT_OK);
  assert_non_null(c);
  check_own_common(s, c);
  return c;
}

static void fill_file(source *s)
{
  fill_common(s, EXHUNT_FINDING_FILE);
  exhunt_file_part *p = &s->f.file;
  p->have_sha256 = true;
  memset(p->sha256, 0xab, 32);
  p->have_md5 = true;
  memset(p->md5, 0xcd, 16);
  p->have_sha1 = false;
  p->size = 73;
  p->mtime = 1614744775;
  /* matched bytes hold a NUL and are not NUL-terminated */
  s->matches[0] = (exhunt_match){hstr(s, "$s1"), 5, heap(s, "eval(\0x", 7), 7};
  s->matches[1] = (exhunt_match){NULL, 99, heap(s, "Request", 7), 7};
  p->matches = heap(s, s->matches, sizeof s->matches);
  p->n_matches = 2;
}

static void test_dup_file(void **state)
{
  (void)state;
  source s = {0};
  fill_file(&s);
  exhunt_finding *c = dup_of(&s);
  const exhunt_match *m = c->file.matches;
  const void *const own[] = {m, m[0].identifier, m[0].data, m[1].data, NULL};
  check_own(&s, own);
  drop_source(&s);

  check_common(c, EXHUNT_FINDING_FILE);
  const exhunt_file_part *p = &c->file;
  uint8_t ab[32], cd[16];
  memset(ab, 0xab, 32);
  memset(cd, 0xcd, 16);
  assert_true(p->have_sha256);
  assert_memory_equal(p->sha256, ab, 32);
  assert_true(p->have_md5);
  assert_memory_equal(p->md5, cd, 16);
  assert_false(p->have_sha1);
  assert_int_equal(p->size, 73);
  assert_int_equal(p->mtime, 1614744775);
  assert_int_equal(p->n_matches, 2);
  assert_string_equal(p->matches[0].identifier, "$s1");
  assert_int_equal(p->matches[0].offset, 5);
  assert_int_equal(p->matches[0].len, 7);
  assert_memory_equal(p->matches[0].data, "eval(\0x", 7);
  assert_null(p->matches[1].identifier);
  assert_int_equal(p->matches[1].offset, 99);
  assert_int_equal(p->matches[1].len, 7);
  assert_memory_equal(p->matches[1].data, "Request", 7);
  exhunt_finding_free(c);
}

static void fill_log(source *s)
{
  fill_common(s, EXHUNT_FINDING_LOG);
  exhunt_log_part *p = &s->f.log;
  p->line = 1234;
  p->timestamp = 1614773638;
  s->cves[0] = hstr(s, "CVE-2021-26855");
  s->cves[1] = hstr(s, "CVE-2021-27065");
  p->cves = heap(s, s->cves, 2 * sizeof *s->cves);
  p->n_cves = 2;
  p->outcome = hstr(s, "exploited");
  p->client_ip = hstr(s, "203.0.113.47");
  p->user_agent = hstr(s, "python-requests/2.25.1");
  /* raw record bytes: a NUL inside, none at the end */
  p->excerpt = heap(s, "2021-03-03T12:13:58Z,\0POST /ecp/y.js", 36);
  p->excerpt_len = 36;
  p->artifact = heap(s, "ServerInfo~a]@127.0.0.1:444/ecp/", 32);
  p->artifact_len = 32;
  p->artifact_kind = EXHUNT_ARTIFACT_TEXT;
  p->step = EXHUNT_STEP_VDIR_RESET;
}

static void test_dup_log(void **state)
{
  (void)state;
  source s = {0};
  fill_log(&s);
  exhunt_finding *c = dup_of(&s);
  const exhunt_log_part *p = &c->log;
  const void *const own[] = {p->cves,       p->cves[0], p->cves[1],  p->outcome, p->client_ip,
                             p->user_agent, p->excerpt, p->artifact, NULL};
  check_own(&s, own);
  drop_source(&s);

  check_common(c, EXHUNT_FINDING_LOG);
  assert_int_equal(p->line, 1234);
  assert_int_equal(p->timestamp, 1614773638);
  assert_int_equal(p->n_cves, 2);
  assert_string_equal(p->cves[0], "CVE-2021-26855");
  assert_string_equal(p->cves[1], "CVE-2021-27065");
  assert_string_equal(p->outcome, "exploited");
  assert_string_equal(p->client_ip, "203.0.113.47");
  assert_string_equal(p->user_agent, "python-requests/2.25.1");
  assert_int_equal(p->excerpt_len, 36);
  assert_memory_equal(p->excerpt, "2021-03-03T12:13:58Z,\0POST /ecp/y.js", 36);
  assert_int_equal(p->artifact_len, 32);
  assert_memory_equal(p->artifact, "ServerInfo~a]@127.0.0.1:444/ecp/", 32);
  assert_int_equal(p->artifact[32], '\0'); /* the copy gains a NUL */
  assert_int_equal(p->artifact_kind, EXHUNT_ARTIFACT_TEXT);
  assert_int_equal(p->step, EXHUNT_STEP_VDIR_RESET);
  exhunt_finding_free(c);
}

static void fill_exposure(source *s)
{
  fill_common(s, EXHUNT_FINDING_EXPOSURE);
  exhunt_exposure_part *p = &s->f.exposure;
  p->build = hstr(s, "15.1.2176.2");
  p->build_source = hstr(s, "log-header");
  p->status = hstr(s, "vulnerable");
  p->fixed_in = hstr(s, "15.1.2176.9");
  p->target = hstr(s, "mail.example.org");
  p->product = hstr(s, "Exchange Server 2016 CU19");
  p->support = hstr(s, "out of support since 2025-10-14");
  p->family = hstr(s, "proxylogon");
  p->timestamp = 1614773638;
  s->cves[0] = hstr(s, "CVE-2021-26855");
  s->cves[1] = hstr(s, "CVE-2021-26857");
  s->cves[2] = hstr(s, "CVE-2021-27065");
  p->cves = heap(s, s->cves, 3 * sizeof *s->cves);
  p->n_cves = 3;
}

static void test_dup_exposure(void **state)
{
  (void)state;
  source s = {0};
  fill_exposure(&s);
  exhunt_finding *c = dup_of(&s);
  const exhunt_exposure_part *p = &c->exposure;
  const void *const own[] = {p->build,   p->build_source, p->status, p->fixed_in, p->target,
                             p->product, p->support,      p->family, p->cves,     p->cves[0],
                             p->cves[1], p->cves[2],      NULL};
  check_own(&s, own);
  drop_source(&s);

  check_common(c, EXHUNT_FINDING_EXPOSURE);
  assert_string_equal(p->build, "15.1.2176.2");
  assert_string_equal(p->build_source, "log-header");
  assert_string_equal(p->status, "vulnerable");
  assert_string_equal(p->fixed_in, "15.1.2176.9");
  assert_string_equal(p->target, "mail.example.org");
  assert_string_equal(p->product, "Exchange Server 2016 CU19");
  assert_string_equal(p->support, "out of support since 2025-10-14");
  assert_string_equal(p->family, "proxylogon");
  assert_int_equal(p->timestamp, 1614773638);
  assert_int_equal(p->n_cves, 3);
  assert_string_equal(p->cves[0], "CVE-2021-26855");
  assert_string_equal(p->cves[1], "CVE-2021-26857");
  assert_string_equal(p->cves[2], "CVE-2021-27065");
  exhunt_finding_free(c);
}

/* Absent strings stay absent, empty lists stay empty, and a zeroed finding
 * (kind FILE, no hashes) copies. */
static void test_dup_sparse(void **state)
{
  (void)state;
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.rule = "r";
  exhunt_finding *c = NULL;
  assert_int_equal(exhunt_finding_dup(&f, &c), EXHUNT_OK);
  assert_int_equal(c->kind, EXHUNT_FINDING_FILE);
  assert_string_equal(c->rule, "r");
  assert_null(c->category);
  assert_null(c->path);
  assert_null(c->id);
  assert_null(c->file.matches);
  assert_int_equal(c->file.n_matches, 0);
  exhunt_finding_free(c);

  memset(&f, 0, sizeof f);
  f.kind = EXHUNT_FINDING_LOG;
  f.log.timestamp = EXHUNT_NO_TIME;
  f.log.excerpt = ""; /* an empty record is still a record */
  assert_int_equal(exhunt_finding_dup(&f, &c), EXHUNT_OK);
  assert_non_null(c->log.excerpt);
  assert_int_equal(c->log.excerpt_len, 0);
  assert_null(c->log.artifact);
  assert_null(c->log.cves);
  assert_null(c->log.client_ip);
  assert_int_equal(c->log.timestamp, EXHUNT_NO_TIME);
  exhunt_finding_free(c);
  exhunt_finding_free(NULL);
}

static void test_dup_bad_arguments(void **state)
{
  (void)state;
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  exhunt_finding *c = (exhunt_finding *)&f; /* must be reset to NULL */
  assert_int_equal(exhunt_finding_dup(NULL, &c), EXHUNT_EINVAL);
  assert_null(c);
  assert_int_equal(exhunt_finding_dup(&f, NULL), EXHUNT_EINVAL);
  f.kind = (exhunt_finding_kind)3;
  c = (exhunt_finding *)&f;
  assert_int_equal(exhunt_finding_dup(&f, &c), EXHUNT_EINVAL);
  assert_null(c);
}

/* Fails allocation n, n = 1, 2, ... (once, then sticky), until the dup
 * makes fewer than n: every failure is ENOMEM with *out NULL. */
static void sweep(const exhunt_finding *src)
{
  for (int sticky = 0; sticky <= 1; sticky++) {
    unsigned long n = 1;
    for (; n < 100; n++) {
      exhunt_finding *c = (exhunt_finding *)src;
      exh_alloc_fail_at(n, sticky);
      exhunt_err err = exhunt_finding_dup(src, &c);
      unsigned long made = exh_alloc_count();
      exh_alloc_fail_at(0, 0);
      if (made < n) {
        assert_int_equal(err, EXHUNT_OK);
        assert_non_null(c);
        exhunt_finding_free(c);
        break;
      }
      assert_int_equal(err, EXHUNT_ENOMEM);
      assert_null(c);
    }
    assert_true(n > 1 && n < 100); /* at least one allocation was failed */
  }
}

static void test_dup_alloc_sweep(void **state)
{
  (void)state;
  source s = {0};
  fill_file(&s);
  sweep(&s.f);
  drop_source(&s);
  fill_log(&s);
  sweep(&s.f);
  drop_source(&s);
  fill_exposure(&s);
  sweep(&s.f);
  drop_source(&s);
}

static void test_step_names(void **state)
{
  (void)state;
  static const char *const names[] = {"other",      "probe",        "attempt",       "ssrf",
                                      "vdir-reset", "file-written", "shell-request", "command"};
  for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
    assert_string_equal(exhunt_attack_step_name((exhunt_attack_step)i), names[i]);
  assert_string_equal(exhunt_attack_step_name((exhunt_attack_step)99), "other");
}

TU_MAIN(NULL, cmocka_unit_test(test_dup_file), cmocka_unit_test(test_dup_log),
        cmocka_unit_test(test_dup_exposure), cmocka_unit_test(test_dup_sparse),
        cmocka_unit_test(test_dup_bad_arguments), cmocka_unit_test(test_dup_alloc_sweep),
        cmocka_unit_test(test_step_names))
