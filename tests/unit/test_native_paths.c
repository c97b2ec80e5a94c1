/*
 * test_native_paths.c - cli/native_paths.c, built here with Windows'
 * separator (EXH_TEST_BACKSLASH_PATHS) so Linux runs it too: every file
 * path of every record reaches the command's sink in Windows form, URLs and
 * requested artifacts stay as they are, the library's record is untouched,
 * and typed roots come back to the library's form. Under wine it runs as
 * exhunt.exe's own build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/alloc.h"
#include "native_paths.h"

/* What the command's sink saw, copied. */
typedef struct seen {
  char path[256], server[256], artifact[256];
  char step_paths[3][256], shell_paths[2][256];
  int calls;
} seen;

static void copy(char *dst, const char *src)
{
  snprintf(dst, 256, "%s", src ? src : "(null)");
}

static void got_finding(void *ctx, const exhunt_finding *f)
{
  seen *s = ctx;
  copy(s->path, f->path);
  copy(s->server, f->server);
  copy(s->artifact, f->kind == EXHUNT_FINDING_LOG ? f->log.artifact : NULL);
  s->calls++;
}

static void got_notice(void *ctx, const exhunt_notice *n)
{
  seen *s = ctx;
  copy(s->path, n->path);
  s->calls++;
}

static void got_build(void *ctx, const exhunt_build_seen *b)
{
  seen *s = ctx;
  copy(s->server, b->server);
  copy(s->path, b->path);
  s->calls++;
}

static void got_story(void *ctx, const exhunt_story *st)
{
  seen *s = ctx;
  copy(s->server, st->server);
  for (size_t i = 0; i < st->n_steps && i < 3; i++)
    copy(s->step_paths[i], st->steps[i].path);
  for (size_t i = 0; i < st->n_shells && i < 2; i++)
    copy(s->shell_paths[i], st->shells[i].path);
  s->calls++;
}

static void got_verdict(void *ctx, const exhunt_verdict *v)
{
  seen *s = ctx;
  copy(s->server, v->server);
  s->calls++;
}

static void test_records_in_windows_form(void **state)
{
  (void)state;
  seen s;
  memset(&s, 0, sizeof s);
  exhunt_sink inner = {.ctx = &s,
                       .on_finding = got_finding,
                       .on_notice = got_notice,
                       .on_build = got_build,
                       .on_story = got_story,
                       .on_verdict = got_verdict};
  cli_native_sink ns;
  exhunt_sink outer;
  cli_native_sink_wrap(&ns, &inner, &outer);
  assert_true(cli_native_paths_differ());
  assert_ptr_equal(outer.ctx, &ns);
  assert_null(outer.on_progress); /* not given, not invented */

  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.kind = EXHUNT_FINDING_LOG;
  f.path = "C:/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";
  f.server = "C:/";
  f.log.artifact = "/owa/auth/x.aspx";
  outer.on_finding(outer.ctx, &f);
  assert_string_equal(s.path, "C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex210303.log");
  assert_string_equal(s.server, "C:\\");
  assert_string_equal(s.artifact, "/owa/auth/x.aspx"); /* a URL, not a file */
  assert_string_equal(f.path, "C:/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log");

  exhunt_notice n = {EXHUNT_NOTICE_NOTE, EXHUNT_OK, "x", NULL, "why"};
  outer.on_notice(outer.ctx, &n);
  assert_string_equal(s.path, "(null)");

  exhunt_build_seen b;
  memset(&b, 0, sizeof b);
  b.server = "https://mail.example.org/owa/";
  b.path = "D:/Exchange/bin/ExSetup.exe";
  outer.on_build(outer.ctx, &b);
  assert_string_equal(s.server, "https://mail.example.org/owa/"); /* a probe target */
  assert_string_equal(s.path, "D:\\Exchange\\bin\\ExSetup.exe");

  exhunt_story_step steps[3];
  memset(steps, 0, sizeof steps);
  steps[0].path = "C:/x/a.log";
  steps[1].path = NULL;
  steps[2].path = "C:/x/b.log";
  exhunt_story_shell shells[2];
  memset(shells, 0, sizeof shells);
  shells[0].path = "inetpub/wwwroot/aspnet_client/s.aspx";
  shells[1].path =
      "C:/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/y.aspx";
  exhunt_story st;
  memset(&st, 0, sizeof st);
  st.server = "E:/evidence/EX01";
  st.steps = steps;
  st.n_steps = 3;
  st.shells = shells;
  st.n_shells = 2;
  outer.on_story(outer.ctx, &st);
  assert_string_equal(s.server, "E:\\evidence\\EX01");
  assert_string_equal(s.step_paths[0], "C:\\x\\a.log");
  assert_string_equal(s.step_paths[1], "(null)");
  assert_string_equal(s.step_paths[2], "C:\\x\\b.log");
  assert_string_equal(s.shell_paths[0], "inetpub\\wwwroot\\aspnet_client\\s.aspx");
  assert_string_equal(
      s.shell_paths[1],
      "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\y.aspx");
  assert_string_equal(steps[0].path, "C:/x/a.log"); /* the library's arrays untouched */

  exhunt_verdict v;
  memset(&v, 0, sizeof v);
  v.server = "//fileserver/share/EX01";
  outer.on_verdict(outer.ctx, &v);
  assert_string_equal(s.server, "\\\\fileserver\\share\\EX01");
  assert_int_equal(s.calls, 5);
  assert_false(ns.failed);
}

static void test_out_of_memory_forwards_as_is(void **state)
{
  (void)state;
  seen s;
  memset(&s, 0, sizeof s);
  exhunt_sink inner = {.ctx = &s, .on_finding = got_finding, .on_notice = got_notice};
  cli_native_sink ns;
  exhunt_sink outer;
  cli_native_sink_wrap(&ns, &inner, &outer);
  exhunt_finding f;
  memset(&f, 0, sizeof f);
  f.path = "C:/a/b.aspx";
  exh_alloc_fail_at(1, 1);
  outer.on_finding(outer.ctx, &f);
  exh_alloc_fail_at(0, 0);
  assert_int_equal(s.calls, 1); /* never dropped */
  assert_string_equal(s.path, "C:/a/b.aspx");
  assert_true(ns.failed);
}

static void test_typed_roots(void **state)
{
  (void)state;
  char a[] = "C:\\inetpub\\wwwroot", b[] = "\\\\srv\\share\\x", c[] = "https://h/a\\b", d[] = "";
  cli_native_path_in(a);
  cli_native_path_in(b);
  cli_native_path_in(c);
  cli_native_path_in(d);
  assert_string_equal(a, "C:/inetpub/wwwroot");
  assert_string_equal(b, "//srv/share/x");
  assert_string_equal(c, "https://h/a\\b");
  assert_string_equal(d, "");
  char *out = cli_native_path_out("C:/inetpub/wwwroot");
  assert_string_equal(out, "C:\\inetpub\\wwwroot");
  exh_free(out);
}

TU_MAIN(NULL, test_records_in_windows_form, test_out_of_memory_forwards_as_is, test_typed_roots)
