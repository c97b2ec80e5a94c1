/*
 * test_iisconfig.c - the applicationHost.config reader (lib/live/iisconfig.c)
 * on realistic Exchange configurations (tests/data/live: Exchange 2016's
 * Default Web Site and Exchange Back End with their virtual directories;
 * the same with the logs moved to D: and one site's to E:; central W3C
 * logging) and on what a hostile or damaged file holds: comments, CDATA
 * and a DOCTYPE hiding sites, attributes in any order and quote, entities,
 * sites where no site is, markup cut short, nesting without end, UTF-16,
 * caps; then an allocation-failure sweep.
 */
#include "common/testutil.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "live/iisconfig.h"

#define FE "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy"
#define CA "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess"

/* The environment of a server with C: as its system drive. */
static const char *env(void *ctx, const char *name)
{
  (void)ctx;
  if (strcasecmp(name, "SystemDrive") == 0)
    return "C:";
  if (strcasecmp(name, "SystemRoot") == 0 || strcasecmp(name, "windir") == 0)
    return "C:\\Windows";
  if (strcasecmp(name, "ExchangeInstallPath") == 0)
    return "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\";
  return NULL;
}

static char *load(const char *name, size_t *len)
{
  static char buf[64 * 1024];
  char path[512];
  snprintf(path, sizeof path, "%s/tests/data/live/%s", EXHUNT_SOURCE_DIR, name);
  *len = tu_read(path, buf, sizeof buf);
  assert_true(*len > 1000);
  return buf;
}

static exh_iis_config parse_text(const char *text)
{
  exh_iis_config c;
  assert_int_equal(exh_iis_config_parse((const uint8_t *)text, strlen(text), env, NULL, &c),
                   EXHUNT_OK);
  return c;
}

/* The dir of site `site` whose application is `app`; one with no path,
 * line 0 and vdir "?" when there is none. */
static const exh_iis_dir *dir_of(const exh_iis_config *c, size_t site, const char *app)
{
  static exh_iis_dir none = {.path = (char *)"(none)", .app = (char *)"", .vdir = (char *)"?"};
  for (size_t i = 0; i < c->n_dirs; i++)
    if (c->dirs[i].site == site && strcmp(c->dirs[i].app, app) == 0)
      return &c->dirs[i];
  return &none;
}

static void test_exchange_2016(void **state)
{
  (void)state;
  size_t len;
  const char *text = load("exchange2016.config", &len);
  exh_iis_config c;
  assert_int_equal(exh_iis_config_parse((const uint8_t *)text, len, env, NULL, &c), EXHUNT_OK);
  assert_true(c.seen_root);
  assert_false(c.truncated);
  assert_false(c.central);
  assert_int_equal(c.n_sites, 2);
  assert_string_equal(c.sites[0].name, "Default Web Site");
  assert_true(c.sites[0].has_id);
  assert_int_equal(c.sites[0].id, 1);
  assert_int_equal(c.sites[0].line, 47);
  assert_string_equal(c.sites[1].name, "Exchange Back End");
  assert_int_equal(c.sites[1].id, 2);
  /* the root application and 9 of the Default Web Site, 10 of the back end */
  assert_int_equal(c.n_dirs, 20);
  const exh_iis_dir *root = dir_of(&c, 0, "/");
  assert_string_equal(root->path, "C:\\inetpub\\wwwroot"); /* %SystemDrive% expanded */
  assert_null(root->unresolved);
  assert_int_equal(root->line, 49);
  static const struct {
    const char *app, *path;
  } front[] = {{"/owa", FE "\\owa"},
               {"/ecp", FE "\\ecp"},
               {"/EWS", FE "\\EWS"},
               {"/Autodiscover", FE "\\Autodiscover"},
               {"/Microsoft-Server-ActiveSync", FE "\\sync"},
               {"/OAB", FE "\\OAB"},
               {"/PowerShell", FE "\\PowerShell"},
               {"/mapi", FE "\\mapi"}};
  for (size_t i = 0; i < sizeof front / sizeof *front; i++) {
    const exh_iis_dir *d = dir_of(&c, 0, front[i].app);
    assert_string_equal(d->path, front[i].path);
    assert_string_equal(d->vdir, "/");
  }
  assert_string_equal(dir_of(&c, 1, "/")->path, CA);
  assert_string_equal(dir_of(&c, 1, "/EWS")->path, CA "\\exchweb\\EWS");
  assert_string_equal(dir_of(&c, 1, "/PowerShell")->path, CA "\\PowerShell-Proxy");
  assert_string_equal(dir_of(&c, 1, "/mapi/emsmdb")->path, CA "\\mapi\\emsmdb");
  /* %ExchangeInstallPath% ends in '\': the doubled one is the plan's to fold */
  assert_string_equal(dir_of(&c, 1, "/API")->path,
                      "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\rest");
  /* <siteDefaults> comes after the sites and still gives their logs */
  for (size_t i = 0; i < 2; i++) {
    char want[64];
    snprintf(want, sizeof want, "C:\\inetpub\\logs\\LogFiles\\W3SVC%zu", i + 1);
    assert_string_equal(c.sites[i].log_dir, want);
    assert_int_equal(c.sites[i].log_from, EXH_IIS_LOG_DEFAULTS);
    assert_int_equal(c.sites[i].log_line, 121);
    assert_false(c.sites[i].log_off);
    assert_null(c.sites[i].log_format);
  }
  exh_iis_config_free(&c);
}

static void test_logs_moved(void **state)
{
  (void)state;
  size_t len;
  const char *text = load("logs-on-d.config", &len);
  exh_iis_config c;
  assert_int_equal(exh_iis_config_parse((const uint8_t *)text, len, env, NULL, &c), EXHUNT_OK);
  assert_int_equal(c.n_sites, 2);
  /* the defaults' folder (its trailing '\' dropped), and the back end's own */
  assert_string_equal(c.sites[0].log_dir, "D:\\IISLogs\\W3SVC1");
  assert_int_equal(c.sites[0].log_from, EXH_IIS_LOG_DEFAULTS);
  assert_int_equal(c.sites[0].log_line, 122);
  assert_string_equal(c.sites[1].log_dir, "E:\\BackEnd Logs\\W3SVC2");
  assert_int_equal(c.sites[1].log_from, EXH_IIS_LOG_SITE);
  assert_int_equal(c.sites[1].log_line, 119);
  exh_iis_config_free(&c);
}

static void test_central_logging(void **state)
{
  (void)state;
  size_t len;
  const char *text = load("central.config", &len);
  exh_iis_config c;
  assert_int_equal(exh_iis_config_parse((const uint8_t *)text, len, env, NULL, &c), EXHUNT_OK);
  assert_true(c.central);
  for (size_t i = 0; i < c.n_sites; i++) {
    assert_string_equal(c.sites[i].log_dir, "F:\\CentralLogs\\W3SVC");
    assert_int_equal(c.sites[i].log_from, EXH_IIS_LOG_CENTRAL);
  }
  exh_iis_config_free(&c);
  /* central logging with no folder of its own: IIS's default */
  exh_iis_config d = parse_text("<configuration><system.applicationHost>"
                                "<log centralLogFileMode='CentralW3C'/><sites>"
                                "<site name='a' id='7'/></sites></system.applicationHost>"
                                "</configuration>");
  assert_int_equal(d.n_sites, 1);
  assert_string_equal(d.sites[0].log_dir, "C:\\inetpub\\logs\\LogFiles\\W3SVC");
  assert_int_equal(d.sites[0].log_line, 0);
  exh_iis_config_free(&d);
}

#define HEAD "<configuration><system.applicationHost><sites>"
#define TAIL "</sites></system.applicationHost></configuration>"

/* Sites in comments, CDATA, a DOCTYPE's entities and other sections are
 * no sites; attributes come in any order and quote; entities decode. */
static void test_tolerant_markup(void **state)
{
  (void)state;
  exh_iis_config c =
      parse_text("\xEF\xBB\xBF<?xml version='1.0'?>\n"
                 "<!DOCTYPE configuration [ <!ENTITY x \"<site name='fake' id='9'>\"> ]>\n"
                 "<configuration>\n"
                 "<!-- <system.applicationHost><sites><site name=\"commented\" id=\"5\"/> -->\n"
                 "<system.applicationHost><sites>\n"
                 "<![CDATA[ <site name=\"cdata\" id=\"6\"/> ]]>\n"
                 "<site\tid = '3'\n name=\"R&amp;D &#x41;&#66; &bogus; &#0; &#xD800;\" >\n"
                 "  <application path='/x'><virtualDirectory physicalPath='C:\\R&amp;D' path='/' />"
                 "</application>\n"
                 "  <logFile enabled=\"FALSE\" />\n"
                 "</site>\n"
                 "<site name=\"noid\"><logFile logFormat=\"NCSA\"/></site>\n"
                 "</sites></system.applicationHost>\n"
                 "<location path='x'><system.applicationHost><site name='loc' id='8'/>"
                 "</system.applicationHost></location>\n"
                 "<system.webServer><sites><site name='web' id='10'/></sites></system.webServer>\n"
                 "</configuration>\n");
  assert_int_equal(c.n_sites, 2);
  assert_string_equal(c.sites[0].name, "R&D AB &bogus; &#0; &#xD800;");
  assert_int_equal(c.sites[0].id, 3);
  assert_int_equal(c.sites[0].line, 7);
  assert_true(c.sites[0].log_off);
  assert_null(c.sites[0].log_dir);
  assert_int_equal(c.n_dirs, 1);
  assert_string_equal(c.dirs[0].path, "C:\\R&D");
  assert_string_equal(c.dirs[0].app, "/x");
  assert_int_equal(c.dirs[0].line, 9); /* the <site> tag takes two lines */
  assert_string_equal(c.sites[1].name, "noid");
  assert_false(c.sites[1].has_id);
  assert_null(c.sites[1].log_dir); /* no id, no W3SVC<id> */
  assert_string_equal(c.sites[1].log_format, "NCSA");
  exh_iis_config_free(&c);
}

/* Ids that are no ids; %VAR% unknown or cut; a stray end tag; a folder
 * longer than any path. */
static void test_values(void **state)
{
  (void)state;
  exh_iis_config c = parse_text(
      HEAD "<site name='a' id='4294967295'><application path='/'>"
           "<virtualDirectory path='/' physicalPath='%NOPE%\\x%SystemDrive%\\y %50 %%' />"
           "</application></site></bogus>"
           "<site name='b' id='4294967296'/><site name='c' id='-1'/><site name='d' id='1x'/>"
           "<site name='e' id=''/>" TAIL);
  assert_int_equal(c.n_sites, 5);
  assert_true(c.sites[0].has_id);
  assert_int_equal(c.sites[0].id, 4294967295u);
  assert_string_equal(c.sites[0].log_dir, "C:\\inetpub\\logs\\LogFiles\\W3SVC4294967295");
  assert_int_equal(c.sites[0].log_from, EXH_IIS_LOG_DEFAULT);
  for (size_t i = 1; i < 5; i++)
    assert_false(c.sites[i].has_id);
  assert_int_equal(c.n_dirs, 1);
  assert_string_equal(c.dirs[0].path, "%NOPE%\\xC:\\y %50 %%");
  assert_string_equal(c.dirs[0].unresolved, "%NOPE%");
  exh_iis_config_free(&c);

  char *big = exh_malloc(EXH_MAX_PATH + 200);
  assert_non_null(big);
  int n = snprintf(big, EXH_MAX_PATH + 200,
                   HEAD "<site name='a' id='1'><application path='/'>"
                        "<virtualDirectory physicalPath='");
  memset(big + n, 'x', EXH_MAX_PATH + 1);
  snprintf(big + n + EXH_MAX_PATH + 1, 100, "'/></application></site>" TAIL);
  c = parse_text(big);
  assert_int_equal(c.n_dirs, 1);
  assert_null(c.dirs[0].path); /* too long */
  exh_iis_config_free(&c);
  exh_free(big);

  char *unres = NULL;
  bool too_long = true;
  char *s = exh_iis_expand("%SystemDrive%", 13, NULL, NULL, &unres, &too_long);
  assert_string_equal(s, "%SystemDrive%"); /* no lookup: all left as written */
  assert_string_equal(unres, "%SystemDrive%");
  assert_false(too_long);
  exh_free(s);
  exh_free(unres);
}

/* Cut anywhere, the sites before the cut are kept and the cut is said. */
static void test_truncated(void **state)
{
  (void)state;
  const char *full = HEAD "<site name='a' id='1'><application path='/'>"
                          "<virtualDirectory path='/' physicalPath='C:\\a'/></application></site>\n"
                          "<site name='b' id='2'><!-- x --><![CDATA[y]]>"
                          "<application path='/'><virtualDirectory physicalPath='C:\\b'/>"
                          "</application></site>" TAIL;
  size_t len = strlen(full);
  for (size_t cut = 0; cut <= len; cut++) {
    exh_iis_config c;
    assert_int_equal(exh_iis_config_parse((const uint8_t *)full, cut, env, NULL, &c), EXHUNT_OK);
    if (cut > strlen(HEAD) + 120) /* past site a's </site> */
      assert_true(c.n_sites >= 1 && c.n_dirs >= 1);
    if (c.truncated)
      assert_true(c.end_line >= 1);
    exh_iis_config_free(&c);
  }
  exh_iis_config c;
  assert_int_equal(exh_iis_config_parse((const uint8_t *)full, strlen(full) - 30, env, NULL, &c),
                   EXHUNT_OK);
  assert_int_equal(c.n_sites, 2);
  assert_int_equal(c.n_dirs, 2);
  exh_iis_config_free(&c);
  c = parse_text(HEAD "<site name='a' id='1'><!-- never closed");
  assert_true(c.truncated);
  assert_int_equal(c.n_sites, 1);
  exh_iis_config_free(&c);
  c = parse_text(HEAD "<site name='a\n\nb");
  assert_true(c.truncated);
  assert_int_equal(c.end_line, 3);
  assert_int_equal(c.n_sites, 0);
  exh_iis_config_free(&c);
}

/* Nesting without end costs a counter, no memory and no recursion; the
 * sites after it are still read. */
static void test_deep_nesting(void **state)
{
  (void)state;
  size_t depth = 100000;
  size_t cap = depth * 7 + 512;
  char *text = exh_malloc(cap);
  assert_non_null(text);
  size_t n = (size_t)snprintf(text, cap, HEAD);
  for (size_t i = 0; i < depth; i++)
    n += (size_t)snprintf(text + n, cap - n, "<a>");
  for (size_t i = 0; i < depth; i++)
    n += (size_t)snprintf(text + n, cap - n, "</a>");
  snprintf(text + n, cap - n, "<site name='after' id='2'/>" TAIL);
  exh_iis_config c = parse_text(text);
  assert_int_equal(c.too_deep, depth - (EXH_IIS_MAX_DEPTH - 3));
  assert_int_equal(c.n_sites, 1);
  assert_string_equal(c.sites[0].name, "after");
  exh_iis_config_free(&c);
  exh_free(text);
}

static void test_refusals_and_caps(void **state)
{
  (void)state;
  exh_iis_config c;
  const uint8_t utf16[] = {0xFF, 0xFE, '<', 0, 'c', 0};
  assert_int_equal(exh_iis_config_parse(utf16, sizeof utf16, env, NULL, &c), EXHUNT_EUNSUPPORTED);
  exh_iis_config_free(&c);
  /* the size is refused before a byte is read */
  assert_int_equal(exh_iis_config_parse(utf16, (size_t)EXH_IIS_MAX_CONFIG + 1, env, NULL, &c),
                   EXHUNT_ELIMIT);
  assert_int_equal(exh_iis_config_parse(NULL, 1, env, NULL, &c), EXHUNT_EINVAL);
  assert_int_equal(exh_iis_config_parse(utf16, 0, env, NULL, NULL), EXHUNT_EINVAL);
  assert_int_equal(exh_iis_config_parse(NULL, 0, env, NULL, &c), EXHUNT_OK);
  assert_false(c.seen_root);
  exh_iis_config_free(&c);

  /* one site past the cap */
  size_t cap = (EXH_IIS_MAX_SITES + 1) * 128 + 256;
  char *text = exh_malloc(cap);
  assert_non_null(text);
  size_t n = (size_t)snprintf(text, cap, HEAD);
  for (unsigned i = 0; i <= EXH_IIS_MAX_SITES; i++)
    n += (size_t)snprintf(text + n, cap - n,
                          "<site name='s%u' id='%u'><application><virtualDirectory "
                          "physicalPath='C:\\s'/></application></site>",
                          i, i + 1);
  snprintf(text + n, cap - n, TAIL);
  c = parse_text(text);
  assert_int_equal(c.n_sites, EXH_IIS_MAX_SITES);
  assert_int_equal(c.sites_left_out, 1);
  assert_int_equal(c.n_dirs, EXH_IIS_MAX_SITES); /* the dropped site's folder is not another's */
  assert_string_equal(c.dirs[0].app, "");
  exh_iis_config_free(&c);
  exh_free(text);
}

static void test_alloc_failure_sweep(void **state)
{
  (void)state;
  size_t len;
  const char *text = load("logs-on-d.config", &len);
  unsigned long n;
  for (n = 1; n < 10000; n++) {
    exh_iis_config c;
    exh_alloc_fail_at(n, 0);
    exhunt_err err = exh_iis_config_parse((const uint8_t *)text, len, env, NULL, &c);
    unsigned long made = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    exh_iis_config_free(&c);
    if (made < n) {
      assert_int_equal(err, EXHUNT_OK);
      break;
    }
    assert_true(err == EXHUNT_OK || err == EXHUNT_ENOMEM);
  }
  assert_true(n > 50);
}

TU_MAIN(NULL, test_exchange_2016, test_logs_moved, test_central_logging, test_tolerant_markup,
        test_values, test_truncated, test_deep_nesting, test_refusals_and_caps,
        test_alloc_failure_sweep)
