/*
 * test_probe.c - exhunt probe: the three build extractors on real-looking
 * inputs and their near misses (5 parts, overflowing parts, truncated spans,
 * attribute order, quotes), target parsing, and exh_probe_run end to end
 * against tests/probe/probe_server.py: a local HTTPS server on 127.0.0.1 with
 * one port per scenario and a certificate made at test time in a mkdtemp
 * directory. Nothing here talks to anything but 127.0.0.1.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "probe/probe.h"

extern char **environ;

/* ---------------------------------------------------------------------- */
/* Extractors. Inputs are copied to exact-size heap spans (no NUL after    */
/* them) so ASan catches any read past len.                                 */

typedef bool (*extract_fn)(const char *, size_t, char *, size_t);

/* Runs fn over the first len bytes of s; returns the build or NULL. */
static const char *extract_n(extract_fn fn, const char *s, size_t len)
{
  static char out[32];
  char *span = malloc(len ? len : 1);
  assert_non_null(span);
  memcpy(span, s, len);
  bool ok = fn(span, len, out, sizeof out);
  free(span);
  return ok ? out : NULL;
}

static const char *extract(extract_fn fn, const char *s)
{
  return extract_n(fn, s, strlen(s));
}

#define HDR exh_probe_build_from_header
#define LOGON exh_probe_build_from_logon
#define XML exh_probe_build_from_exporttool

static void test_header_builds(void **state)
{
  (void)state;
  assert_string_equal(extract(HDR, "15.1.2176.2"), "15.1.2176.2");
  assert_string_equal(extract(HDR, " \t15.2.1118.7 \r\n"), "15.2.1118.7");
  assert_string_equal(extract(HDR, "15.0.1497"), "15.0.1497");
  assert_string_equal(extract(HDR, "015.01.2176.02"), "15.1.2176.2");
  assert_string_equal(extract(HDR, "65535.65535.65535.65535"), "65535.65535.65535.65535");
}

static void test_header_near_misses(void **state)
{
  (void)state;
  assert_null(extract(HDR, ""));
  assert_null(extract(HDR, "   "));
  assert_null(extract(HDR, "15.1"));
  assert_null(extract(HDR, "15.1.2176.2.5"));     /* 5 parts */
  assert_null(extract(HDR, "15.1.65536.2"));      /* part above 16 bits */
  assert_null(extract(HDR, "15.1.4294967298.2")); /* would wrap a 32-bit part */
  assert_null(extract(HDR, "15.1.2176.2a"));
  assert_null(extract(HDR, "15..2176.2"));
  assert_null(extract(HDR, "15.1.2176."));
  assert_null(extract(HDR, ".15.1.2176"));
  assert_null(extract(HDR, "-15.1.2176.2"));
  assert_null(extract(HDR, "15.1.2176.2, 15.1.2176.3"));
  assert_null(extract(HDR, "15.1 .2176.2"));
  assert_null(extract_n(HDR, "15.1.2176.2", 5)); /* truncated span: "15.1." */
  assert_null(extract_n(HDR, "15.1.2176.2", 0));
  assert_false(HDR(NULL, 4, (char[32]){0}, 32));
  /* Output buffer too small: no partial build. */
  char small[8] = "x";
  assert_false(HDR("15.1.2176.2", 11, small, sizeof small));
  assert_string_equal(small, "");
}

static const char logon_page[] =
    "<!DOCTYPE html>\n<html><head>\n"
    "<link rel=\"shortcut icon\" href=\"/owa/auth/15.1.2176/themes/resources/favicon.ico\" "
    "type=\"image/x-icon\">\n"
    "<link type=\"text/css\" rel=\"stylesheet\" "
    "href=\"/owa/auth/15.1.2176/themes/resources/logon.css\">\n"
    "<script src=\"/owa/auth/15.1.2176/scripts/premium/flogon.js\"></script>\n"
    "</head><body><form action=\"/owa/auth.owa\" method=\"POST\"></form></body></html>\n";

static void test_logon_builds(void **state)
{
  (void)state;
  assert_string_equal(extract(LOGON, logon_page), "15.1.2176");
  assert_string_equal(extract(LOGON, "src=\"/owa/auth/15.2.1118.7/scripts/premium/x.js\""),
                      "15.2.1118.7");
  assert_string_equal(extract(LOGON, "href=\"/owa/15.1.2176/themes/x.css\""), "15.1.2176");
  assert_string_equal(extract(LOGON, "HREF=\"/OWA/AUTH/15.0.1497/themes/x.css\""), "15.0.1497");
  /* Several builds: the highest, and a 4th part beats its absence. */
  assert_string_equal(extract(LOGON, "/owa/auth/15.1.2176/a /owa/auth/15.1.2375.7/b "
                                     "/owa/auth/15.1.2308/c"),
                      "15.1.2375.7");
  assert_string_equal(extract(LOGON, "/owa/auth/15.2.1118.7/a /owa/auth/15.2.1118/b"),
                      "15.2.1118.7");
  assert_string_equal(extract(LOGON, "/owa/auth/15.2.99/a /owa/auth/15.10.1/b"), "15.10.1");
}

static void test_logon_near_misses(void **state)
{
  (void)state;
  assert_null(extract(LOGON, ""));
  assert_null(extract(LOGON, "<html>Welcome to nginx!</html>"));
  assert_null(extract(LOGON, "/owa/auth/themes/resources/logon.css"));
  assert_null(extract(LOGON, "/owa/auth/15.1.2176.2.5/themes/x")); /* 5 parts */
  assert_null(extract(LOGON, "/owa/auth/15.1.99999/themes/x"));    /* overflow */
  assert_null(extract(LOGON, "/owa/auth/15.1/themes/x"));          /* 2 parts */
  assert_null(extract(LOGON, "/owa/auth/15.1.2176.x/themes/x"));   /* not followed by / */
  assert_null(extract(LOGON, "/owa/auth/v15.1.2176/themes/x"));
  assert_null(extract(LOGON, "/ecp/auth/15.1.2176/themes/x"));
  assert_null(extract(LOGON, "/owa/auth/15.1.2176")); /* ends at the build */
  /* Truncated spans: cut inside the prefix, the build, and before the '/'. */
  static const char s[] = "x /owa/auth/15.1.2176/themes";
  assert_null(extract_n(LOGON, s, 8));
  assert_null(extract_n(LOGON, s, 17));
  assert_null(extract_n(LOGON, s, 21));
  assert_string_equal(extract_n(LOGON, s, 22), "15.1.2176");
  /* A near miss does not hide a good build later on. */
  assert_string_equal(extract(LOGON, "/owa/auth/15.1.2176.2.5/a /owa/auth/15.1.2176.2/b"),
                      "15.1.2176.2");
}

static const char exporttool_xml[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<asmv1:assembly xsi:schemaLocation=\"urn:schemas-microsoft-com:asm.v1 "
    "assembly.adaptive.xsd\" manifestVersion=\"1.0\" "
    "xmlns:asmv1=\"urn:schemas-microsoft-com:asm.v1\">\n"
    "  <assemblyIdentity name=\"microsoft.exchange.ediscovery.exporttool.application\" "
    "version=\"15.1.2176.2\" publicKeyToken=\"b03f5f7f11d50a3a\" language=\"neutral\" "
    "processorArchitecture=\"msil\" xmlns=\"urn:schemas-microsoft-com:asm.v1\" />\n"
    "  <deployment install=\"false\" />\n"
    "</asmv1:assembly>\n";

static void test_exporttool_builds(void **state)
{
  (void)state;
  assert_string_equal(extract(XML, exporttool_xml), "15.1.2176.2");
  /* Attribute order, single quotes, spaces around '=', a namespace prefix. */
  assert_string_equal(extract(XML, "<assemblyIdentity version=\"15.2.1118.7\" name=\"x\"/>"),
                      "15.2.1118.7");
  assert_string_equal(extract(XML, "<assemblyIdentity name='x' version='15.1.2308.8'/>"),
                      "15.1.2308.8");
  assert_string_equal(extract(XML, "<assemblyIdentity\n  name = \"x\"\n  version = "
                                   "'15.1.2375.7' >"),
                      "15.1.2375.7");
  assert_string_equal(extract(XML, "<asmv2:assemblyIdentity version=\"15.0.1497.2\" />"),
                      "15.0.1497.2");
  /* The first element without a version is skipped for the next one. */
  assert_string_equal(extract(XML, "<assemblyIdentity name=\"a\"/><assemblyIdentity "
                                   "name=\"b\" version=\"15.1.2176.2\"/>"),
                      "15.1.2176.2");
}

static void test_exporttool_near_misses(void **state)
{
  (void)state;
  assert_null(extract(XML, ""));
  assert_null(extract(XML, "<assemblyIdentity name=\"x\" />"));
  assert_null(extract(XML, "<assemblyIdentity version=\"15.1.2176.2.5\" />"));
  assert_null(extract(XML, "<assemblyIdentity version=\"15.1.70000.2\" />"));
  assert_null(extract(XML, "<assemblyIdentity version=\" 15.1.2176.2\" />"));
  assert_null(extract(XML, "<assemblyIdentity version=\"15.1.2176.2' />")); /* mixed quotes */
  assert_null(extract(XML, "<assemblyIdentity version=15.1.2176.2 />"));    /* unquoted */
  assert_null(extract(XML, "<assemblyIdentityX version=\"15.1.2176.2\" />"));
  assert_null(extract(XML, "<assemblyIdentity myversion=\"15.1.2176.2\" />"));
  assert_null(extract(XML, "<assemblyIdentity name=\"x\"> version=\"15.1.2176.2\""));
  assert_null(extract(XML, "assemblyIdentity version=\"15.1.2176.2\" />")); /* no '<' */
  assert_null(extract(XML, "<:assemblyIdentity version=\"15.1.2176.2\" />"));
  assert_null(extract(XML, "<!-- x assemblyIdentity version=\"15.1.2176.2\" -->"));
  /* Truncated spans: inside the tag name, the value, before the quote. */
  static const char s[] = "<assemblyIdentity version=\"15.1.2176.2\"/>";
  assert_null(extract_n(XML, s, 10));
  assert_null(extract_n(XML, s, 17));
  assert_null(extract_n(XML, s, 30));
  assert_null(extract_n(XML, s, 38));
  assert_string_equal(extract_n(XML, s, 39), "15.1.2176.2");
}

/* ---------------------------------------------------------------------- */
/* exh_probe_run: results collected by target.                             */

typedef struct got {
  char target[128];
  int calls;
  exh_probe_outcome outcome;
  char build[32];
  char source[32];
  char url[256];
  char reason[512];
} got;

typedef struct collect {
  got items[16];
  size_t n;
} collect;

static void copy(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src ? src : "");
}

static void on_result(void *ctx, const exh_probe_result *r)
{
  collect *c = ctx;
  assert_non_null(r->target);
  assert_non_null(r->reason);
  assert_true(r->reason[0] != '\0');
  got *g = NULL;
  for (size_t i = 0; i < c->n && !g; i++)
    if (strcmp(c->items[i].target, r->target) == 0)
      g = &c->items[i];
  if (!g) {
    assert_true(c->n < 16);
    g = &c->items[c->n++];
    copy(g->target, sizeof g->target, r->target);
  }
  g->calls++;
  g->outcome = r->outcome;
  copy(g->build, sizeof g->build, r->build);
  copy(g->source, sizeof g->source, r->build_source);
  copy(g->url, sizeof g->url, r->url);
  copy(g->reason, sizeof g->reason, r->reason);
  if (r->outcome == EXH_PROBE_FOUND) {
    assert_non_null(r->build);
    assert_non_null(r->build_source);
    assert_non_null(r->url);
  } else {
    assert_null(r->build);
  }
}

static const got *find(const collect *c, const char *target)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->items[i].target, target) == 0) {
      assert_int_equal(c->items[i].calls, 1);
      return &c->items[i];
    }
  fail_msg("no result for %s", target);
  abort(); /* not reached (fail_msg ends the test); gcc -O3 cannot tell */
}

static double seconds_since(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_bad_arguments(void **state)
{
  (void)state;
  collect c = {0};
  const char *one[] = {"127.0.0.1"};
  const char *with_null[] = {"127.0.0.1", NULL};
  exh_probe_opts neg = {.total_timeout_ms = -1};
  exh_probe_opts nan_rate = {.rate = 0.0 / 0.0};
  exh_probe_opts neg_rate = {.rate = -1};
  assert_int_equal(exh_probe_run(one, 1, NULL, NULL, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(NULL, 1, NULL, on_result, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(with_null, 2, NULL, on_result, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(one, 1, &neg, on_result, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(one, 1, &nan_rate, on_result, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(one, 1, &neg_rate, on_result, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_probe_run(NULL, 0, NULL, on_result, &c), EXHUNT_OK);
  assert_int_equal(c.n, 0);
}

/* Targets that do not parse: ERROR with a reason, before any traffic. */
static void test_bad_targets(void **state)
{
  (void)state;
  const char *bad[] = {
      "",
      "ftp://127.0.0.1/",
      "127.0.0.1 ",
      "mail.example.com\n",
      "https://127.0.0.1/owa/",
      "https://127.0.0.1/?x=1",
      "127.0.0.1:99999",
      "127.0.0.1:",
      "127.0.0.1:0",
      "user@127.0.0.1",
      "https://[zz]/",
      "file:///etc/passwd",
      "-oProxyCommand=x",
      "m\xc3\xa4il.example.com",
  };
  size_t n = sizeof bad / sizeof bad[0];
  collect c = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(exh_probe_run(bad, n, NULL, on_result, &c), EXHUNT_OK);
  assert_true(seconds_since(&t0) < 1.0);
  assert_int_equal(c.n, n);
  for (size_t i = 0; i < n; i++) {
    const got *g = find(&c, bad[i]);
    assert_int_equal(g->outcome, EXH_PROBE_ERROR);
  }
  assert_non_null(strstr(find(&c, "ftp://127.0.0.1/")->reason, "scheme"));
  assert_non_null(strstr(find(&c, "127.0.0.1 ")->reason, "space or control"));
  assert_non_null(strstr(find(&c, "https://127.0.0.1/owa/")->reason, "path"));
  assert_non_null(strstr(find(&c, "127.0.0.1:99999")->reason, "port"));
}

/* ---------------------------------------------------------------------- */
/* The local server.                                                        */

#define N_SCENARIOS 8
static const char *const scenario_names[N_SCENARIOS] = {
    "header", "logon", "exporttool", "not-exchange", "nobuild", "bigbody", "slow", "garbage"};

static struct {
  char dir[64];
  char cert[128];
  char port_file[128];
  pid_t pid;
  unsigned port[N_SCENARIOS];
} srv;

static unsigned port_of(const char *scenario)
{
  for (size_t i = 0; i < N_SCENARIOS; i++)
    if (strcmp(scenario_names[i], scenario) == 0)
      return srv.port[i];
  fail_msg("unknown scenario %s", scenario);
  return 0;
}

/* "127.0.0.1:PORT" of a scenario, in one of a few static buffers. */
static const char *target_of(const char *scenario)
{
  static char bufs[8][64];
  static unsigned next;
  char *b = bufs[next++ % 8];
  snprintf(b, 64, "127.0.0.1:%u", port_of(scenario));
  return b;
}

static bool read_ports(void)
{
  FILE *f = fopen(srv.port_file, "r");
  if (!f)
    return false;
  char name[64];
  unsigned port;
  size_t found = 0;
  while (fscanf(f, "%63s %u", name, &port) == 2)
    for (size_t i = 0; i < N_SCENARIOS; i++)
      if (strcmp(scenario_names[i], name) == 0) {
        srv.port[i] = port;
        found++;
      }
  fclose(f);
  return found == N_SCENARIOS;
}

static void remove_dir(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  char path[sizeof srv.dir + sizeof e->d_name + 2];
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

static void stop_server(void)
{
  if (srv.pid <= 0)
    return;
  kill(srv.pid, SIGTERM);
  int status;
  for (int i = 0; i < 100; i++) { /* up to 5 s, then kill hard */
    if (waitpid(srv.pid, &status, WNOHANG) == srv.pid) {
      srv.pid = 0;
      return;
    }
    usleep(50 * 1000);
  }
  kill(srv.pid, SIGKILL);
  waitpid(srv.pid, &status, 0);
  srv.pid = 0;
}

static int server_teardown(void **state)
{
  (void)state;
  stop_server();
  if (srv.dir[0])
    remove_dir(srv.dir);
  srv.dir[0] = '\0';
  return 0;
}

static int server_setup(void **state)
{
  /* libcurl honours proxy variables; these tests talk to 127.0.0.1 only. */
  setenv("no_proxy", "*", 1);
  setenv("NO_PROXY", "*", 1);
  snprintf(srv.dir, sizeof srv.dir, "/tmp/exhunt-probe-XXXXXX");
  if (!mkdtemp(srv.dir)) {
    srv.dir[0] = '\0';
    return -1;
  }
  snprintf(srv.cert, sizeof srv.cert, "%s/cert.pem", srv.dir);
  snprintf(srv.port_file, sizeof srv.port_file, "%s/ports", srv.dir);
  char *argv[] = {"python3",     EXHUNT_SOURCE_DIR "/tests/probe/probe_server.py",
                  "--dir",       srv.dir,
                  "--port-file", srv.port_file,
                  NULL};
  int rc = posix_spawnp(&srv.pid, "python3", NULL, NULL, argv, environ);
  if (rc != 0) {
    fprintf(stderr, "cannot start python3: %s\n", strerror(rc));
    srv.pid = 0;
    server_teardown(state);
    return -1;
  }
  /* The server makes its certificate, then writes the port file in one
   * rename; wait for it at most 30 s. */
  for (int i = 0; i < 600; i++) {
    if (read_ports())
      return 0;
    int status;
    if (waitpid(srv.pid, &status, WNOHANG) == srv.pid) {
      fprintf(stderr, "probe_server.py exited early (status %d)\n", status);
      srv.pid = 0;
      break;
    }
    usleep(50 * 1000);
  }
  fprintf(stderr, "probe_server.py did not start\n");
  server_teardown(state);
  return -1;
}

static exh_probe_opts trusting_opts(void)
{
  exh_probe_opts o = {0};
  o.ca_file = srv.cert;
  o.connect_timeout_ms = 5000;
  o.total_timeout_ms = 10000;
  return o;
}

static void test_scenarios(void **state)
{
  (void)state;
  char logon_url[64];
  snprintf(logon_url, sizeof logon_url, "https://127.0.0.1:%u/", port_of("logon"));
  const char *targets[] = {
      target_of("header"),     logon_url,
      target_of("exporttool"), target_of("not-exchange"),
      target_of("nobuild"),    target_of("garbage"),
  };
  size_t n = sizeof targets / sizeof targets[0];
  exh_probe_opts o = trusting_opts();
  collect c = {0};
  assert_int_equal(exh_probe_run(targets, n, &o, on_result, &c), EXHUNT_OK);
  assert_int_equal(c.n, n);
  char url[256];

  const got *g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  assert_string_equal(g->build, "15.1.2176.2");
  assert_string_equal(g->source, "x-owa-version");
  snprintf(url, sizeof url, "https://127.0.0.1:%u/owa/auth/logon.aspx", port_of("header"));
  assert_string_equal(g->url, url);
  assert_null(strstr(g->reason, "exporttool")); /* early stop: never asked */

  g = find(&c, logon_url);
  assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  assert_string_equal(g->build, "15.2.1118");
  assert_string_equal(g->source, "owa-auth-path");
  assert_non_null(strstr(g->url, "/owa/auth/logon.aspx"));
  assert_non_null(strstr(g->reason, "exporttool: HTTP 404")); /* 3 parts: kept asking */

  g = find(&c, targets[2]);
  assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  assert_string_equal(g->build, "15.1.2308.8");
  assert_string_equal(g->source, "exporttool");
  snprintf(url, sizeof url,
           "https://127.0.0.1:%u/ecp/Current/exporttool/"
           "microsoft.exchange.ediscovery.exporttool.application",
           port_of("exporttool"));
  assert_string_equal(g->url, url);

  g = find(&c, targets[3]);
  assert_int_equal(g->outcome, EXH_PROBE_NOT_EXCHANGE);
  assert_non_null(strstr(g->reason, "HTTP 404"));

  /* Same-host redirect followed; the other-host one (TEST-NET) not. */
  g = find(&c, targets[4]);
  assert_int_equal(g->outcome, EXH_PROBE_EXCHANGE_NO_BUILD);
  assert_non_null(strstr(g->reason, "logon.aspx: HTTP 200"));
  assert_non_null(strstr(g->reason, "exporttool: HTTP 302 redirect not followed"));

  g = find(&c, targets[5]);
  assert_int_equal(g->outcome, EXH_PROBE_ERROR);
  assert_non_null(strstr(g->reason, "protocol error"));
}

static void test_body_cap(void **state)
{
  (void)state;
  const char *targets[] = {target_of("bigbody")};
  exh_probe_opts o = trusting_opts();
  o.max_body = 64 * 1024; /* the build comes after 200 KiB */
  collect c = {0};
  assert_int_equal(exh_probe_run(targets, 1, &o, on_result, &c), EXHUNT_OK);
  const got *g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_EXCHANGE_NO_BUILD);
  assert_non_null(strstr(g->reason, "size limit"));

  o.max_body = 0; /* default 1 MiB */
  memset(&c, 0, sizeof c);
  assert_int_equal(exh_probe_run(targets, 1, &o, on_result, &c), EXHUNT_OK);
  g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  assert_string_equal(g->build, "15.2.1118");
}

static void test_tls_verification(void **state)
{
  (void)state;
  const char *targets[] = {target_of("header")};
  exh_probe_opts o = trusting_opts();
  o.ca_file = NULL; /* the system store does not know our certificate */
  collect c = {0};
  assert_int_equal(exh_probe_run(targets, 1, &o, on_result, &c), EXHUNT_OK);
  const got *g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_ERROR);
  assert_non_null(strstr(g->reason, "TLS certificate verification failed"));
  assert_non_null(strstr(g->reason, "--insecure"));

  o.insecure = true;
  memset(&c, 0, sizeof c);
  assert_int_equal(exh_probe_run(targets, 1, &o, on_result, &c), EXHUNT_OK);
  g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  assert_string_equal(g->build, "15.1.2176.2");
}

/* A port nothing listens on: bind an ephemeral one, then close it. */
static unsigned closed_port(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static void test_unreachable(void **state)
{
  (void)state;
  unsigned port = closed_port();
  char t1[64], t2[64];
  snprintf(t1, sizeof t1, "127.0.0.1:%u", port);
  snprintf(t2, sizeof t2, "http://127.0.0.1:%u", port);
  const char *targets[] = {t1, t2};
  exh_probe_opts o = trusting_opts();
  collect c = {0};
  assert_int_equal(exh_probe_run(targets, 2, &o, on_result, &c), EXHUNT_OK);
  for (size_t i = 0; i < 2; i++) {
    const got *g = find(&c, targets[i]);
    assert_int_equal(g->outcome, EXH_PROBE_UNREACHABLE);
    assert_non_null(strstr(g->reason, "unreachable"));
  }
}

/* rate = 4/s over 8 requests: starts at 0, 0.25, ... 1.75 s. */
static void test_rate_limit(void **state)
{
  (void)state;
  /* Eight spellings of one server, so each result has its own key. */
  static const char *const forms[8] = {"",         "https://", "HTTPS://", "Https://",
                                       "hTTps://", "httpS://", "HTtps://", "htTPS://"};
  const char *targets[8];
  char names[8][64];
  for (size_t i = 0; i < 8; i++) {
    snprintf(names[i], sizeof names[i], "%s127.0.0.1:%u%s", forms[i], port_of("header"),
             i % 2 ? "/" : "");
    targets[i] = names[i];
  }
  exh_probe_opts o = trusting_opts();
  o.rate = 4;
  collect c = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(exh_probe_run(targets, 8, &o, on_result, &c), EXHUNT_OK);
  double took = seconds_since(&t0);
  assert_int_equal(c.n, 8);
  for (size_t i = 0; i < 8; i++) {
    const got *g = find(&c, targets[i]);
    assert_int_equal(g->outcome, EXH_PROBE_FOUND);
  }
  assert_true(took >= 1.5);
  assert_true(took < 20.0);
}

static void test_slow_times_out(void **state)
{
  (void)state;
  const char *targets[] = {target_of("slow")};
  exh_probe_opts o = trusting_opts();
  o.total_timeout_ms = 1000;
  collect c = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(exh_probe_run(targets, 1, &o, on_result, &c), EXHUNT_OK);
  double took = seconds_since(&t0);
  const got *g = find(&c, targets[0]);
  assert_int_equal(g->outcome, EXH_PROBE_UNREACHABLE);
  assert_non_null(strstr(g->reason, "timed out"));
  assert_true(took >= 0.9);
  assert_true(took < 3.0); /* one timeout, not one per request */
}

/* Fail allocation N (through alloc.h; libcurl's own are not swept) for
 * every N a probe of three servers makes: always OK or ENOMEM, every
 * target reported when OK, and the last run as the clean one. */
static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  const char *targets[] = {target_of("header"), target_of("exporttool"), target_of("nobuild")};
  size_t n_targets = sizeof targets / sizeof targets[0];
  exh_probe_opts o = trusting_opts();
  unsigned long runs = 0;
  for (unsigned long n = 1; n < 100000; n++) {
    collect c = {0};
    exh_alloc_fail_at(n, 0);
    exhunt_err err = exh_probe_run(targets, n_targets, &o, on_result, &c);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    runs++;
    if (err != EXHUNT_OK && err != EXHUNT_ENOMEM)
      fail_msg("allocation %lu failed: %s", n, exhunt_strerror(err));
    if (err == EXHUNT_OK)
      assert_int_equal(c.n, n_targets);
    if (made < n) { /* allocation n never happened: the sweep is complete */
      assert_int_equal(err, EXHUNT_OK);
      assert_string_equal(find(&c, targets[0])->build, "15.1.2176.2");
      assert_string_equal(find(&c, targets[1])->build, "15.1.2308.8");
      assert_int_equal(find(&c, targets[2])->outcome, EXH_PROBE_EXCHANGE_NO_BUILD);
      assert_true(n > 3);
      print_message("probe allocation sweep: %lu runs up to allocation %lu\n", runs, n - 1);
      return;
    }
  }
  fail_msg("sweep did not finish");
}

int main(void)
{
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_header_builds),     cmocka_unit_test(test_header_near_misses),
      cmocka_unit_test(test_logon_builds),      cmocka_unit_test(test_logon_near_misses),
      cmocka_unit_test(test_exporttool_builds), cmocka_unit_test(test_exporttool_near_misses),
      cmocka_unit_test(test_bad_arguments),     cmocka_unit_test(test_bad_targets),
  };
  const struct CMUnitTest network[] = {
      cmocka_unit_test(test_scenarios),           cmocka_unit_test(test_body_cap),
      cmocka_unit_test(test_tls_verification),    cmocka_unit_test(test_unreachable),
      cmocka_unit_test(test_rate_limit),          cmocka_unit_test(test_slow_times_out),
      cmocka_unit_test(test_alloc_failure_sweep),
  };
  int failed = cmocka_run_group_tests_name("probe_extract", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("probe_network", network, server_setup, server_teardown);
  return failed;
}
