/*
 * testutil.c - the helpers of testutil.h: the recording sink, files and
 * temporary trees, the default rules, and the fixture behind TU_ROOT_TEST
 * and TU_MAIN. Linked into every unit test binary (tests/CMakeLists.txt).
 */
#include "common/testutil.h"

#include <errno.h>
#include <sys/stat.h>

#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/process.h"

/* ---------------------------------------------------------------------- */
/* The recorder.                                                           */

void tu_ignore_finding(void *ctx, const exhunt_finding *f)
{
  (void)ctx;
  (void)f;
}

void tu_ignore_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  (void)n;
}

void tu_ignore_coverage(void *ctx, const exhunt_coverage *c)
{
  (void)ctx;
  (void)c;
}

void rec_copy(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src ? src : "");
}

static void rec_on_finding(void *ctx, const exhunt_finding *f)
{
  recorder *r = ctx;
  if (r->n_findings == REC_MAX)
    return;
  rec_finding *rf = &r->findings[r->n_findings++];
  memset(rf, 0, sizeof *rf);
  rec_copy(rf->rule, sizeof rf->rule, f->rule);
  rec_copy(rf->path, sizeof rf->path, f->path);
  rec_copy(rf->source, sizeof rf->source, f->source);
  rec_copy(rf->license, sizeof rf->license, f->license);
  rec_copy(rf->author, sizeof rf->author, f->author);
  rec_copy(rf->category, sizeof rf->category, f->category);
  rf->severity = f->severity;
  rf->kind = f->kind;
  rf->step = EXHUNT_STEP_NONE;
  /* the typed part, by the finding's kind */
  if (f->kind == EXHUNT_FINDING_FILE) {
    rf->have_sha256 = f->file.have_sha256;
    rf->n_matches = f->file.n_matches;
  }
  if (f->kind == EXHUNT_FINDING_LOG) {
    rf->line = f->log.line;
    rf->step = f->log.step;
  }
}

static void rec_on_notice(void *ctx, const exhunt_notice *n)
{
  recorder *r = ctx;
  if (r->n_notices == REC_MAX)
    return;
  rec_notice *rn = &r->notices[r->n_notices++];
  rn->kind = n->kind;
  rn->code = n->code;
  rec_copy(rn->what, sizeof rn->what, n->what);
  rec_copy(rn->path, sizeof rn->path, n->path);
  rec_copy(rn->reason, sizeof rn->reason, n->reason);
}

exhunt_sink rec_sink(recorder *r)
{
  exhunt_sink s = {.ctx = r, .on_finding = rec_on_finding, .on_notice = rec_on_notice};
  return s;
}

/* Notices with this tag, of this kind (any kind: -1). */
static size_t count_notices(const recorder *r, const char *what, int kind)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n_notices; i++)
    n += strcmp(r->notices[i].what, what) == 0 && (kind < 0 || (int)r->notices[i].kind == kind);
  return n;
}

size_t rec_count_what(const recorder *r, const char *what)
{
  return count_notices(r, what, -1);
}

size_t rec_count_notice(const recorder *r, const char *what, exhunt_notice_kind kind)
{
  return count_notices(r, what, (int)kind);
}

/* Findings of this rule (any: NULL) whose path ends with suffix (any: NULL). */
static size_t count_findings(const recorder *r, const char *rule, const char *suffix)
{
  size_t n = 0, xl = suffix ? strlen(suffix) : 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const char *path = r->findings[i].path;
    size_t pl = strlen(path);
    n += (!rule || strcmp(r->findings[i].rule, rule) == 0) &&
         (!suffix || (pl >= xl && strcmp(path + pl - xl, suffix) == 0));
  }
  return n;
}

size_t rec_count_path(const recorder *r, const char *suffix)
{
  return count_findings(r, NULL, suffix);
}

size_t rec_count_rule(const recorder *r, const char *rule)
{
  return count_findings(r, rule, NULL);
}

size_t rec_count_rule_at(const recorder *r, const char *rule, const char *suffix)
{
  return count_findings(r, rule, suffix);
}

void rec_expect_rules(const recorder *r, const char *rule, int count, ...)
{
  va_list ap;
  va_start(ap, count);
  size_t wrong = 0;
  for (; rule; rule = va_arg(ap, const char *), count = rule ? va_arg(ap, int) : 0) {
    size_t got = rec_count_rule(r, rule);
    if (got != (size_t)count) {
      print_message("%s: %zu findings, want %d\n", rule, got, count);
      wrong++;
    }
  }
  va_end(ap);
  if (wrong)
    fail_msg("%zu rules counted wrong", wrong);
}

bool rec_found(const recorder *r, const char *path)
{
  for (size_t i = 0; i < r->n_findings; i++)
    if (strcmp(r->findings[i].path, path) == 0)
      return true;
  return false;
}

const rec_notice *rec_notice_of(const recorder *r, const char *what)
{
  for (size_t i = 0; i < r->n_notices; i++)
    if (strcmp(r->notices[i].what, what) == 0)
      return &r->notices[i];
  return NULL;
}

const rec_notice *rec_must_notice(const recorder *r, const char *what)
{
  const rec_notice *n = rec_notice_of(r, what);
  if (!n) {
    fail_msg("no %s notice", what);
    abort();
  }
  return n;
}

void rec_assert_no_notices(const recorder *r)
{
  for (size_t i = 0; i < r->n_notices; i++)
    print_message("unexpected notice %s: %s\n", r->notices[i].what, r->notices[i].reason);
  assert_int_equal(r->n_notices, 0);
}

/* ---------------------------------------------------------------------- */
/* Tables.                                                                 */

void tu_check_cases(const char *what, const tu_case *cases, size_t n, long long (*fn)(const char *))
{
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++) {
    long long got = fn(cases[i].in);
    if (got != cases[i].want) {
      print_message("row %zu: %s(\"%s\") is %lld, want %lld\n", i, what,
                    cases[i].in ? cases[i].in : "(null)", got, cases[i].want);
      wrong++;
    }
  }
  if (wrong)
    fail_msg("%s: %zu of %zu rows wrong", what, wrong, n);
}

/* ---------------------------------------------------------------------- */
/* Files and temporary trees.                                              */

void write_file(const char *path, const void *data, size_t len)
{
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    abort();
  }
  if (len && fwrite(data, 1, len, f) != len)
    abort();
  fclose(f);
}

void tu_put(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if (!f)
    fail_msg("cannot write %s: %s", path, strerror(errno));
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

size_t tu_read(const char *path, char *buf, size_t cap)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot read %s: %s", path, strerror(errno));
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return n;
}

void tu_assert_content(const char *path, const char *want)
{
  char buf[4096];
  tu_read(path, buf, sizeof buf);
  assert_string_equal(buf, want);
}

/* mkdir that takes an existing folder as success. */
static void mkdir_one(const char *p)
{
  if (exh_mkdir_at(EXH_AT_CWD, p, 0755) != 0 && errno != EEXIST)
    fail_msg("mkdir %s: %s", p, strerror(errno));
}

void tu_mkdirs(const char *path)
{
  char p[1024];
  int n = snprintf(p, sizeof p, "%s", path);
  assert_true(n > 0 && (size_t)n < sizeof p);
  /* from the second byte: "/x" and "C:/x" do not make their root */
  for (char *s = p + 1; *s; s++) {
    if (*s != '/' || s[-1] == ':')
      continue;
    *s = '\0';
    mkdir_one(p);
    *s = '/';
  }
  mkdir_one(p);
}

const char *tu_path(const char *dir, const char *rel)
{
  static char bufs[8][1024];
  static unsigned k;
  char *b = bufs[k++ % 8];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
  return b;
}

#ifndef _WIN32
int tu_tmpdir(char *dir, size_t cap, const char *tag)
{
  int n = snprintf(dir, cap, "/tmp/exhunt-%s-XXXXXX", tag);
  if (n < 0 || (size_t)n >= cap || !mkdtemp(dir))
    return -1;
  return chmod(dir, 0755);
}

int tu_rmtree(const char *dir)
{
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
  return system(cmd) == 0 ? 0 : -1;
}
#else
/* Windows (under wine in CI): no mkdtemp, and no rm to call. The folder is
 * made under the temporary folder with a random name; the tree is removed
 * through the platform seam, links removed and never entered. */
int tu_tmpdir(char *dir, size_t cap, const char *tag)
{
  unsigned char rnd[6];
  if (exh_random_bytes(rnd, sizeof rnd) != 0)
    return -1;
  int n = snprintf(dir, cap, "%s/exhunt-%s-%02x%02x%02x%02x%02x%02x", exh_tmp_dir_default(), tag,
                   rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
  if (n < 0 || (size_t)n >= cap)
    return -1;
  for (char *c = dir; *c; c++)
    if (*c == '\\')
      *c = '/';
  return exh_mkdir_at(EXH_AT_CWD, dir, 0700);
}

int tu_rmtree(const char *dir)
{
  exh_dir d;
  exh_dirent ent;
  int rc = 0;
  if (exh_dir_open(&d, dir) != 0)
    return exh_unlink_at(EXH_AT_CWD, dir, false);
  while (exh_dir_next(&d, &ent) == 1) {
    char sub[1024];
    if (snprintf(sub, sizeof sub, "%s/%s", dir, ent.name) >= (int)sizeof sub) {
      rc = -1;
      continue;
    }
    if (ent.type == EXH_FT_DIR)
      rc |= tu_rmtree(sub);
    /* a file, or a link; a directory link (junction) goes as a folder */
    else if (exh_unlink_at(EXH_AT_CWD, sub, false) != 0 &&
             exh_unlink_at(EXH_AT_CWD, sub, true) != 0)
      rc = -1;
  }
  exh_dir_close(&d);
  return exh_unlink_at(EXH_AT_CWD, dir, true) == 0 ? rc : -1;
}
#endif

double tu_seconds(tu_clock clk)
{
  return (double)(clk == TU_CPU ? exh_process_cpu_ns() : exh_monotonic_ns()) / 1e9;
}

exhunt_err tu_user_rules(exhunt_rules **out, bool with_default, const char *yara, const char *iocs,
                         const exhunt_sink *sink)
{
  exhunt_rules *r = NULL;
  exhunt_err err = exhunt_rules_new(&r);
  if (!err && with_default)
    err = exhunt_rules_add_default(r, sink);
  if (!err && yara)
    err = exhunt_rules_add_yara(r, "user.yar", yara, strlen(yara), sink);
  if (!err && iocs)
    err = exhunt_rules_add_iocs(r, "user.tsv", iocs, strlen(iocs), sink);
  if (!err)
    err = exhunt_rules_compile(r, sink);
  if (err) {
    exhunt_rules_free(r);
    r = NULL;
  }
  *out = r;
  return err;
}

exhunt_err tu_default_rules(exhunt_rules **out, const exhunt_sink *sink)
{
  return tu_user_rules(out, true, NULL, NULL, sink);
}

exhunt_err tu_scan_chopper(const exhunt_rules *r, const exhunt_sink *sink)
{
  exhunt_file_meta meta = {"/x/aspnet_client/supp0rt.aspx", 0, 0};
  return exhunt_scan_buffer(r, (const uint8_t *)CHOPPER, strlen(CHOPPER), &meta, sink);
}

/* ---------------------------------------------------------------------- */
/* The fixture.                                                            */

/* The fixture of the running test, for tu_at. */
static tu_fixture *current;

int tu_rec_setup(void **state)
{
  tu_fixture *fx = *state;
  memset(fx->rec, 0, sizeof *fx->rec);
  return 0;
}

int tu_root_setup(void **state)
{
  tu_fixture *fx = *state;
  current = fx;
  if (fx->rec)
    memset(fx->rec, 0, sizeof *fx->rec);
  if (tu_tmpdir(fx->root, sizeof fx->root, fx->tag) != 0)
    return -1;
  return fx->prepare ? fx->prepare() : 0;
}

int tu_root_teardown(void **state)
{
  tu_fixture *fx = *state;
  return tu_rmtree(fx->root);
}

const char *tu_at(const char *rel)
{
  assert_non_null(current);
  return tu_path(current->root, rel);
}

int tu_run(const CMUnitTestFunction *fns, size_t n, const char *names, tu_fixture *fx)
{
  int failed = -1;
  char *name_buf = strdup(names);
  struct CMUnitTest *tests = calloc(n, sizeof *tests);
  if (!name_buf || !tests)
    goto cleanup;
  char *p = name_buf;
  for (size_t i = 0; i < n; i++) {
    p += strspn(p, ", \t\n");
    tests[i].name = p;
    p += strcspn(p, ", \t\n");
    if (*p)
      *p++ = '\0';
    tests[i].test_func = fns[i];
    tests[i].initial_state = fx;
    tu_each each = fx ? fx->each : TU_PLAIN;
    tests[i].setup_func = each == TU_ROOT  ? tu_root_setup
                          : each == TU_REC ? tu_rec_setup
                          : fx             ? fx->setup
                                           : NULL;
    tests[i].teardown_func = each == TU_ROOT  ? tu_root_teardown
                             : each == TU_REC ? NULL
                             : fx             ? fx->teardown
                                              : NULL;
  }
  if (fx && fx->default_rules) {
    recorder *rec = fx->rec ? fx->rec : calloc(1, sizeof *rec);
    exhunt_sink sink = rec_sink(rec);
    exhunt_err err = rec ? tu_default_rules(&fx->rules, &sink) : EXHUNT_ENOMEM;
    if (!fx->rec)
      free(rec);
    if (err) {
      fprintf(stderr, "default rules: %s\n", exhunt_strerror(err));
      goto cleanup;
    }
  }
  failed = _cmocka_run_group_tests("tests", tests, n, fx ? fx->group_setup : NULL,
                                   fx ? fx->group_teardown : NULL);
cleanup:
  if (fx) {
    exhunt_rules_free(fx->rules);
    fx->rules = NULL;
  }
  free(tests);
  free(name_buf);
  return failed;
}
