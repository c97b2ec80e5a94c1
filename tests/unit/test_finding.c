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

/* The string fields of each part, by offset in exhunt_finding. */
#define STR(field) offsetof(exhunt_finding, field)
static const size_t common_strs[] = {STR(category), STR(rule),   STR(title),     STR(description),
                                     STR(source),   STR(author), STR(reference), STR(license),
                                     STR(path),     STR(id),     STR(server)};
static const size_t log_strs[] = {STR(log.outcome), STR(log.client_ip), STR(log.user_agent)};
static const size_t exposure_strs[] = {
    STR(exposure.build),  STR(exposure.build_source), STR(exposure.status),  STR(exposure.fixed_in),
    STR(exposure.target), STR(exposure.product),      STR(exposure.support), STR(exposure.family)};

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

static const char *str_at(const exhunt_finding *f, size_t off)
{
  const char *p;
  memcpy(&p, (const char *)f + off, sizeof p);
  return p;
}

/* No string field at offs of the copy c points into a buffer of the
 * source s (checked before s is dropped). */
static void own_strs(const source *s, const exhunt_finding *c, const size_t *offs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    const void *own[] = {str_at(c, offs[i]), NULL};
    check_own(s, own);
  }
}

/* Each string field at offs of the copy c equals the reference's (checked
 * after the source is dropped). */
static void same_strs(const exhunt_finding *c, const exhunt_finding *ref, const size_t *offs,
                      size_t n)
{
  for (size_t i = 0; i < n; i++) {
    assert_non_null(str_at(ref, offs[i]));
    assert_string_equal(str_at(c, offs[i]), str_at(ref, offs[i]));
  }
}

#define N_OF(a) (sizeof a / sizeof *a)

/* The copy of the source, checked to own its common strings. */
static exhunt_finding *dup_of(const source *s)
{
  exhunt_finding *c = NULL;
  assert_int_equal(exhunt_finding_dup(&s->f, &c), EXHUNT_OK);
  assert_non_null(c);
  own_strs(s, c, common_strs, N_OF(common_strs));
  return c;
}

/* After the source is dropped: the common part of the copy is the
 * reference's. */
static void check_common(const exhunt_finding *c, const source *ref)
{
  same_strs(c, &ref->f, common_strs, N_OF(common_strs));
  assert_int_equal(c->kind, ref->f.kind);
  assert_int_equal(c->severity, EXHUNT_SEV_CRITICAL);
}

/* A CVE list of the copy owns its pointers (before the drop) ... */
static void own_cves(const source *s, const char *const *cves, size_t n)
{
  const void *own[] = {cves, NULL};
  check_own(s, own);
  for (size_t i = 0; i < n; i++) {
    own[0] = cves[i];
    check_own(s, own);
  }
}

/* ... and equals the reference's (after). */
static void same_cves(const char *const *cves, size_t n, const char *const *want, size_t n_want)
{
  assert_int_equal(n, n_want);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(cves[i], want[i]);
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

/* s filled by fill, then copied; a reference filled the same way, for the
 * checks after s is dropped. */
static exhunt_finding *dup_filled(void (*fill)(source *), source *s, source *ref)
{
  fill(s);
  fill(ref);
  return dup_of(s);
}

static void test_dup_file(void **state)
{
  (void)state;
  source s = {0}, ref = {0};
  exhunt_finding *c = dup_filled(fill_file, &s, &ref);
  const exhunt_match *m = c->file.matches;
  const void *const own[] = {m, m[0].identifier, m[0].data, m[1].data, NULL};
  check_own(&s, own);
  drop_source(&s);

  check_common(c, &ref);
  const exhunt_file_part *p = &c->file, *want = &ref.f.file;
  assert_true(p->have_sha256);
  assert_memory_equal(p->sha256, want->sha256, 32);
  assert_true(p->have_md5);
  assert_memory_equal(p->md5, want->md5, 16);
  assert_false(p->have_sha1);
  assert_int_equal(p->size, 73);
  assert_int_equal(p->mtime, 1614744775);
  assert_int_equal(p->n_matches, 2);
  for (size_t i = 0; i < 2; i++) {
    const exhunt_match *got = &p->matches[i], *exp = &want->matches[i];
    if (exp->identifier)
      assert_string_equal(got->identifier, exp->identifier);
    else
      assert_null(got->identifier);
    assert_int_equal(got->offset, exp->offset);
    assert_int_equal(got->len, exp->len);
    assert_memory_equal(got->data, exp->data, exp->len);
  }
  exhunt_finding_free(c);
  drop_source(&ref);
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
  source s = {0}, ref = {0};
  exhunt_finding *c = dup_filled(fill_log, &s, &ref);
  const exhunt_log_part *p = &c->log, *want = &ref.f.log;
  const void *const own[] = {p->excerpt, p->artifact, NULL};
  check_own(&s, own);
  own_strs(&s, c, log_strs, N_OF(log_strs));
  own_cves(&s, p->cves, p->n_cves);
  drop_source(&s);

  check_common(c, &ref);
  same_strs(c, &ref.f, log_strs, N_OF(log_strs));
  same_cves(p->cves, p->n_cves, want->cves, 2);

  assert_int_equal(p->line, 1234);
  assert_int_equal(p->timestamp, 1614773638);
  assert_int_equal(p->excerpt_len, 36);
  assert_memory_equal(p->excerpt, want->excerpt, 36);
  assert_int_equal(p->artifact_len, 32);
  assert_memory_equal(p->artifact, want->artifact, 32);
  assert_int_equal(p->artifact[32], '\0'); /* the copy gains a NUL */
  assert_int_equal(p->artifact_kind, EXHUNT_ARTIFACT_TEXT);
  assert_int_equal(p->step, EXHUNT_STEP_VDIR_RESET);
  exhunt_finding_free(c);
  drop_source(&ref);
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
  source s = {0}, ref = {0};
  exhunt_finding *c = dup_filled(fill_exposure, &s, &ref);
  const exhunt_exposure_part *p = &c->exposure;
  own_strs(&s, c, exposure_strs, N_OF(exposure_strs));
  own_cves(&s, p->cves, p->n_cves);
  drop_source(&s);

  check_common(c, &ref);
  same_strs(c, &ref.f, exposure_strs, N_OF(exposure_strs));
  same_cves(p->cves, p->n_cves, ref.f.exposure.cves, 3);

  assert_int_equal(p->timestamp, 1614773638);
  exhunt_finding_free(c);
  drop_source(&ref);
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

TU_MAIN(NULL, test_dup_file, test_dup_log, test_dup_exposure, test_dup_sparse,
        test_dup_bad_arguments, test_dup_alloc_sweep, test_step_names)
