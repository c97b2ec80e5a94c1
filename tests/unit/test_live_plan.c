/*
 * test_live_plan.c - exhunt_live_plan_make (lib/live/plan.c): the roots a
 * live server is hunted from, for an Exchange 2016 server as installed,
 * with its IIS logs moved to D: and E:, without Exchange in the registry,
 * with its IIS configuration unreadable; what cannot be hunted (a share, a
 * whole drive, a %VAR% not set, a path with ..) said in notes; folders
 * inside others hunted once, as Windows compares names; the notes capped;
 * an allocation-failure sweep.
 */
#include "common/testutil.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "exhunt/live.h"

#define V15 "C:/Program Files/Microsoft/Exchange Server/V15"
#define REG "registry HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup MsiInstallPath"

static bool no_system_root;

static const char *env(void *ctx, const char *name)
{
  (void)ctx;
  if (strcasecmp(name, "SystemDrive") == 0)
    return no_system_root ? NULL : "C:";
  if (strcasecmp(name, "SystemRoot") == 0)
    return no_system_root ? NULL : "C:\\Windows";
  if (strcasecmp(name, "ExchangeInstallPath") == 0)
    return "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\";
  return NULL;
}

static char config[64 * 1024];

static size_t load(const char *name)
{
  char path[512];
  snprintf(path, sizeof path, "%s/tests/data/live/%s", EXHUNT_SOURCE_DIR, name);
  return tu_read(path, config, sizeof config);
}

static exhunt_live_plan *make(const char *install, const char *text, size_t len)
{
  exhunt_live_inputs in = {.exchange_install = install,
                           .exchange_source = install ? REG : NULL,
                           .iis_config = (const uint8_t *)text,
                           .iis_config_len = len,
                           .iis_config_path = "C:\\Windows\\System32\\inetsrv\\config\\"
                                              "applicationHost.config",
                           .iis_config_error = text ? NULL : "access denied",
                           .lookup = env};
  exhunt_live_plan *p = NULL;
  assert_int_equal(exhunt_live_plan_make(&in, &p), EXHUNT_OK);
  assert_non_null(p);
  return p;
}

static void expect_roots(const exhunt_live_plan *p, const char *const *want, size_t n)
{
  for (size_t i = 0; p->n_roots != n && i < p->n_roots; i++)
    print_message("  root %s\n", p->roots[i]);
  assert_int_equal(p->n_roots, n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(p->roots[i], want[i]);
}

static bool has_note(const exhunt_live_plan *p, const char *part)
{
  for (size_t i = 0; i < p->n_notes; i++)
    if (strstr(p->notes[i], part))
      return true;
  return false;
}

static const exhunt_live_place *place_at(const exhunt_live_plan *p, const char *path)
{
  static const exhunt_live_place none = {.what = "", .path = "", .source = ""};
  for (size_t i = 0; i < p->n_places; i++)
    if (strcmp(p->places[i].path, path) == 0)
      return &p->places[i];
  return &none;
}

/* Exchange 2016 as installed: its install folder holds every virtual
 * directory but the Default Web Site's own root; the two sites' logs and
 * the event logs besides. */
static void test_exchange_server(void **state)
{
  (void)state;
  size_t len = load("exchange2016.config");
  exhunt_live_plan *p = make("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\", config, len);
  static const char *const want[] = {V15, "C:/inetpub/wwwroot", "C:/inetpub/logs/LogFiles/W3SVC1",
                                     "C:/inetpub/logs/LogFiles/W3SVC2",
                                     "C:/Windows/System32/winevt/Logs"};
  expect_roots(p, want, sizeof want / sizeof *want);
  for (size_t i = 0; i < p->n_notes; i++)
    print_message("  note %s\n", p->notes[i]);
  assert_int_equal(p->n_notes, 0);
  assert_true(p->exchange);
  /* 1 install + 20 folders + 2 log folders + the event logs */
  assert_int_equal(p->n_places, 24);
  const exhunt_live_place *x = &p->places[0];
  assert_int_equal(x->kind, EXHUNT_LIVE_EXCHANGE);
  assert_string_equal(x->what, "exchange-install");
  assert_string_equal(x->source, REG);
  assert_int_equal(x->within, EXHUNT_LIVE_ROOT);
  const exhunt_live_place *owa = place_at(p, V15 "/FrontEnd/HttpProxy/owa");
  assert_int_equal(owa->kind, EXHUNT_LIVE_IIS_SITE);
  assert_string_equal(owa->what, "iis-site Default Web Site");
  assert_string_equal(owa->source, "applicationHost.config line 52: application /owa");
  assert_int_equal(owa->within, 0);
  const exhunt_live_place *api = place_at(p, V15 "/ClientAccess/rest"); /* %ExchangeInstallPath% */
  assert_string_equal(api->what, "iis-site Exchange Back End");
  assert_int_equal(api->within, 0);
  const exhunt_live_place *www = place_at(p, "C:/inetpub/wwwroot");
  assert_int_equal(www->within, EXHUNT_LIVE_ROOT);
  assert_string_equal(www->source, "applicationHost.config line 49: application /");
  const exhunt_live_place *logs = place_at(p, "C:/inetpub/logs/LogFiles/W3SVC2");
  assert_int_equal(logs->kind, EXHUNT_LIVE_IIS_LOGS);
  assert_string_equal(logs->what, "iis-logs Exchange Back End");
  assert_string_equal(logs->source,
                      "applicationHost.config line 121: siteDefaults logFile directory");
  const exhunt_live_place *ev = &p->places[p->n_places - 1];
  assert_int_equal(ev->kind, EXHUNT_LIVE_EVENT_LOGS);
  assert_string_equal(ev->what, "event-logs");
  assert_string_equal(ev->source, "%SystemRoot%\\System32\\winevt\\Logs");
  assert_string_equal(exhunt_live_kind_name(EXHUNT_LIVE_IIS_LOGS), "iis-logs");
  assert_string_equal(exhunt_live_kind_name((exhunt_live_kind)99), "unknown");
  exhunt_live_plan_free(p);
}

static void test_logs_elsewhere(void **state)
{
  (void)state;
  size_t len = load("logs-on-d.config");
  /* Exchange on D:, as many install it */
  exhunt_live_plan *p = make("D:\\Exchange Server\\", config, len);
  static const char *const want[] = {"D:/Exchange Server",
                                     "C:/inetpub/wwwroot",
                                     V15 "/FrontEnd/HttpProxy/owa",
                                     V15 "/FrontEnd/HttpProxy/ecp",
                                     V15 "/FrontEnd/HttpProxy/EWS",
                                     V15 "/FrontEnd/HttpProxy/Autodiscover",
                                     V15 "/FrontEnd/HttpProxy/sync",
                                     V15 "/FrontEnd/HttpProxy/OAB",
                                     V15 "/FrontEnd/HttpProxy/PowerShell",
                                     V15 "/FrontEnd/HttpProxy/mapi",
                                     V15 "/FrontEnd/HttpProxy/rpc",
                                     "D:/IISLogs/W3SVC1",
                                     V15 "/ClientAccess",
                                     "E:/BackEnd Logs/W3SVC2",
                                     "C:/Windows/System32/winevt/Logs"};
  expect_roots(p, want, sizeof want / sizeof *want);
  assert_string_equal(place_at(p, "E:/BackEnd Logs/W3SVC2")->source,
                      "applicationHost.config line 119: the site's logFile directory");
  exhunt_live_plan_free(p);
  len = load("central.config");
  p = make(NULL, config, len);
  assert_false(p->exchange);
  assert_true(has_note(p, "not an Exchange server per the registry"));
  /* both sites log to the one central folder: hunted once */
  assert_string_equal(place_at(p, "F:/CentralLogs/W3SVC")->what, "iis-logs Default Web Site");
  size_t central = 0;
  for (size_t i = 0; i < p->n_places; i++)
    central += strcmp(p->places[i].path, "F:/CentralLogs/W3SVC") == 0;
  assert_int_equal(central, 2);
  size_t central_roots = 0;
  for (size_t i = 0; i < p->n_roots; i++)
    central_roots += strcmp(p->roots[i], "F:/CentralLogs/W3SVC") == 0;
  assert_int_equal(central_roots, 1);
  exhunt_live_plan_free(p);
}

/* No configuration: IIS's default folder, and why; nothing without
 * SystemRoot is left unsaid. */
static void test_no_config(void **state)
{
  (void)state;
  exhunt_live_plan *p = make("C:\\Program Files\\Microsoft\\Exchange Server\\V15", NULL, 0);
  static const char *const want[] = {V15, "C:/inetpub", "C:/Windows/System32/winevt/Logs"};
  expect_roots(p, want, 3);
  assert_int_equal(p->places[1].kind, EXHUNT_LIVE_INETPUB);
  assert_int_equal(p->n_notes, 1);
  assert_string_equal(p->notes[0],
                      "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config could not be "
                      "read (access denied): IIS's default folder C:\\inetpub is hunted instead; "
                      "sites and logs elsewhere are missed");
  exhunt_live_plan_free(p);
  /* bytes that are no IIS configuration, and UTF-16 */
  p = make(NULL, "hello", 5);
  assert_true(has_note(p, "names no site (it is no IIS configuration)"));
  assert_string_equal(p->roots[0], "C:/inetpub");
  exhunt_live_plan_free(p);
  p = make(NULL, "\xFF\xFE<\0", 4);
  assert_true(has_note(p, "UTF-16 text, not UTF-8"));
  exhunt_live_plan_free(p);
  no_system_root = true;
  p = make(NULL, NULL, 0);
  no_system_root = false;
  assert_true(has_note(p, "SystemDrive is not set: C: assumed"));
  assert_true(has_note(p, "SystemRoot is not set: C:\\Windows assumed"));
  assert_string_equal(p->roots[p->n_roots - 1], "C:/Windows/System32/winevt/Logs");
  exhunt_live_plan_free(p);
}

#define HEAD "<configuration><system.applicationHost><sites><site name='w' id='5'><application>"
#define TAIL "</application></site></sites></system.applicationHost></configuration>"
#define VD(p) "<virtualDirectory path='/' physicalPath='" p "'/>"

/* Paths put in one form and compared as Windows does; what cannot be
 * hunted said, not hunted. */
static void test_paths(void **state)
{
  (void)state;
  const char *text = HEAD VD("c:\\INETPUB\\") VD("C:\\inetpub\\wwwroot\\\\x\\")
      VD("\\\\?\\C:\\inetpub\\y") VD("C:/a b") VD("C:\\a\\x") VD("C:\\a")
          VD("\\\\?\\UNC\\srv\\share\\web") VD("\\\\srv\\share") VD("D:\\") VD("E:") VD("web\\x")
              VD("C:\\x\\..\\y") VD("%NOPE%\\z") VD("\"C:\\quoted\"") TAIL;
  exhunt_live_plan *p = make(NULL, text, strlen(text));
  static const char *const want[] = {"C:/INETPUB", "C:/a b", "C:/a", "C:/quoted",
                                     "C:/Windows/System32/winevt/Logs"};
  expect_roots(p, want, sizeof want / sizeof *want);
  /* under c:\INETPUB whatever the case (the site's logs too); C:/a/x
   * under C:/a, not C:/a b */
  assert_int_equal(place_at(p, "C:/inetpub/wwwroot/x")->within, 0);
  assert_int_equal(place_at(p, "C:/inetpub/y")->within, 0);
  assert_int_equal(place_at(p, "C:/inetpub/logs/LogFiles/W3SVC5")->within, 0);
  assert_int_equal(place_at(p, "C:/a/x")->within, 5);
  assert_true(has_note(p, "'\\\\?\\UNC\\srv\\share\\web' (applicationHost.config line 1: "
                          "application /) is on a network share: not hunted"));
  assert_true(has_note(p, "'\\\\srv\\share'"));
  assert_true(has_note(p, "'D:\\' (applicationHost.config line 1: application /) is a whole "
                          "drive: not hunted whole"));
  assert_true(has_note(p, "'E:' (applicationHost.config line 1: application /) is not a full "
                          "local path"));
  assert_true(has_note(p, "'web\\x'"));
  assert_true(has_note(p, "'C:\\x\\..\\y'"));
  assert_true(has_note(p, "'%NOPE%\\z' (applicationHost.config line 1: application /) uses "
                          "%NOPE%, which is not set here: not hunted"));
  exhunt_live_plan_free(p);
  /* Exchange at a drive's root is that drive; a registry path that is none */
  p = make("D:\\", NULL, 0);
  assert_string_equal(p->roots[0], "D:/");
  exhunt_live_plan_free(p);
  p = make("Exchange", NULL, 0);
  assert_true(p->exchange);
  assert_true(has_note(p, "exchange-install: 'Exchange' (" REG ") is not a full local path"));
  exhunt_live_plan_free(p);
}

/* Logging off, no id, another format: said, and no log root. */
static void test_site_logs(void **state)
{
  (void)state;
  const char *text = "<configuration><system.applicationHost><sites>"
                     "<site name='off' id='1'><logFile enabled='false'/></site>"
                     "<site name='noid'/>"
                     "<site name='' id='3'><logFile logFormat='IIS' directory='%NOPE%\\L'/></site>"
                     "</sites></system.applicationHost></configuration>";
  exhunt_live_plan *p = make(NULL, text, strlen(text));
  assert_true(has_note(p, "iis-logs off: the site writes no log file"));
  assert_true(has_note(p, "iis-logs noid: the site has no id (line 1)"));
  assert_true(has_note(p, "iis-logs (no name): the site logs in the IIS format"));
  assert_true(has_note(p, "uses %NOPE%"));
  static const char *const want[] = {"C:/Windows/System32/winevt/Logs"};
  expect_roots(p, want, 1);
  exhunt_live_plan_free(p);
}

static void test_notes_capped(void **state)
{
  (void)state;
  size_t cap = 200 * 64 + 512;
  char *text = exh_malloc(cap);
  assert_non_null(text);
  size_t n = (size_t)snprintf(text, cap, HEAD);
  for (int i = 0; i < 200; i++)
    n += (size_t)snprintf(text + n, cap - n, VD("%%NOPE%u%%"), (unsigned)i);
  snprintf(text + n, cap - n, TAIL);
  exhunt_live_plan *p = make(NULL, text, strlen(text));
  assert_int_equal(p->n_notes, EXH_LIVE_MAX_NOTES);
  /* 1 (no Exchange) + 200: 63 kept, then the count of the other 138 */
  assert_string_equal(p->notes[EXH_LIVE_MAX_NOTES - 1],
                      "138 more notes like the ones above were left out");
  exhunt_live_plan_free(p);
  exh_free(text);
}

/* A hosting server's thousands of sites: the roots one server takes, the
 * rest left out and said. */
static void test_roots_capped(void **state)
{
  (void)state;
  size_t sites = EXH_HUNT_MAX_SERVER_ROOTS + 100;
  size_t cap = sites * 256 + 512;
  char *text = exh_malloc(cap);
  assert_non_null(text);
  /* each site's folder a root of its own, another folder inside it */
  size_t n = (size_t)snprintf(text, cap, "<configuration><system.applicationHost><sites>");
  for (size_t i = 0; i < sites; i++)
    n += (size_t)snprintf(text + n, cap - n,
                          "<site name='s%zu' id='%zu'><application><virtualDirectory "
                          "physicalPath='D:\\Sites\\s%zu'/><virtualDirectory "
                          "physicalPath='D:\\Sites\\s%zu\\in'/></application>"
                          "<logFile enabled='false'/></site>",
                          i, i + 1, i, i);
  snprintf(text + n, cap - n, "</sites></system.applicationHost></configuration>");
  exhunt_live_plan *p = make(NULL, text, strlen(text));
  assert_int_equal(p->n_roots, EXH_HUNT_MAX_SERVER_ROOTS);
  assert_string_equal(p->roots[0], "D:/Sites/s0");
  size_t left = 0, hunted_inside = 0;
  for (size_t i = 0; i < p->n_places; i++) {
    left += p->places[i].within == EXHUNT_LIVE_LEFT_OUT;
    hunted_inside += p->places[i].within < p->n_places;
  }
  /* past the cap: the last 100 sites' roots and the folder inside each
   * (and the event logs, last of all) */
  assert_int_equal(left, 2 * 100 + 1);
  assert_int_equal(hunted_inside, EXH_HUNT_MAX_SERVER_ROOTS);
  /* said last, whatever came before it: 1,124 sites with logging off
   * filled the notes, counted in the one before */
  assert_int_equal(p->n_notes, EXH_LIVE_MAX_NOTES);
  assert_string_equal(p->notes[EXH_LIVE_MAX_NOTES - 1],
                      "101 folders past the first 1024 (the most one server takes) were left "
                      "out; give their parent folder as EVIDENCE to hunt them");
  assert_string_equal(p->notes[EXH_LIVE_MAX_NOTES - 2],
                      "1063 more notes like the ones above were left out");
  exhunt_live_plan_free(p);
  exh_free(text);
}

static void test_bad_arguments(void **state)
{
  (void)state;
  exhunt_live_plan *p = (exhunt_live_plan *)&p;
  exhunt_live_inputs in = {.lookup = env};
  assert_int_equal(exhunt_live_plan_make(NULL, &p), EXHUNT_EINVAL);
  assert_null(p);
  assert_int_equal(exhunt_live_plan_make(&in, NULL), EXHUNT_EINVAL);
  in.lookup = NULL;
  assert_int_equal(exhunt_live_plan_make(&in, &p), EXHUNT_EINVAL);
  in.lookup = env;
  in.iis_config_len = 3;
  assert_int_equal(exhunt_live_plan_make(&in, &p), EXHUNT_EINVAL);
  exhunt_live_plan_free(NULL);
}

static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  size_t len = load("logs-on-d.config");
  exhunt_live_inputs in = {.exchange_install = "C:\\Program Files\\Microsoft\\Exchange Server\\V15",
                           .exchange_source = REG,
                           .iis_config = (const uint8_t *)config,
                           .iis_config_len = len,
                           .lookup = env};
  unsigned long n;
  for (n = 1; n < 20000; n++) {
    exhunt_live_plan *p = NULL;
    exh_alloc_fail_at(n, 0);
    exhunt_err err = exhunt_live_plan_make(&in, &p);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (err == EXHUNT_ENOMEM)
      assert_null(p);
    exhunt_live_plan_free(p);
    if (made < n) {
      assert_int_equal(err, EXHUNT_OK);
      break;
    }
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM);
  }
  assert_true(n > 100);
}

TU_MAIN(NULL, test_exchange_server, test_logs_elsewhere, test_no_config, test_paths, test_site_logs,
        test_notes_capped, test_roots_capped, test_bad_arguments, test_alloc_failure_sweep)
