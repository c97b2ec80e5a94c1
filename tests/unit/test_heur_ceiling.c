/*
 * test_heur_ceiling.c - the heuristics judge web code (heur.h,
 * exh_heur_ceiling): the same bytes score critical in a file IIS runs and
 * stay below high in Python, Perl, documents and static content; a file
 * of unknown kind keeps its severity only when it carries ASP/ASP.NET
 * server markers. Checked on exh_heur_scan, through the scanner's public
 * API (so the path really reaches the heuristics), and on the real
 * pydoc.py / perl5db.pl / perldiag.pod of this machine when they exist:
 * the files that made `exhunt hunt /usr` call a Linux host compromised.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "exhunt/exhunt.h"
#include "heur/heur.h"

#define EXEC "exhunt.heur.request_exec"
#define CRIT ((int)EXHUNT_SEV_CRITICAL)
#define HIGH ((int)EXHUNT_SEV_HIGH)
#define MED ((int)EXHUNT_SEV_MEDIUM)
#define LOW ((int)EXHUNT_SEV_LOW)

/* Highest severity of `rule` (any rule when NULL) in a scan, -1 if none. */
static int scan_sev(const void *data, size_t len, const char *name, const char *rule)
{
  exh_heur_hit h[EXH_HEUR_MAX_HITS];
  size_t n = exh_heur_scan((const uint8_t *)data, len, name, h, EXH_HEUR_MAX_HITS);
  int best = -1;
  for (size_t i = 0; i < n; i++) {
    /* handed out most severe first, grouped by rule */
    if (i > 0 && strcmp(h[i].rule, h[i - 1].rule) != 0)
      assert_true(h[i].severity <= h[0].severity);
    if ((!rule || strcmp(h[i].rule, rule) == 0) && (int)h[i].severity > best)
      best = (int)h[i].severity;
  }
  return best;
}

static int sev(const char *src, const char *name)
{
  return scan_sev(src, strlen(src), name, EXEC);
}

/* A classic cmd.aspx, with its directive. */
static const char k_page[] = "<%@ Page Language=\"C#\" %>\n"
                             "<% System.Diagnostics.Process.Start(Request[\"c\"]); %>\n";

/* Python that holds the same text. "<%s" opens what an ASP reader takes
 * for a server block (pydoc.py does exactly this); no real ASP marker. */
static const char k_python[] = "def describe(x):\n"
                               "    return '<%s instance>' % x.__class__.__name__\n"
                               "def run(request):\n"
                               "    return System.Diagnostics.Process.Start(Request[\"c\"])\n";

static long long sev_of_python(const char *name)
{
  return sev(k_python, name);
}

static long long sev_of_page(const char *name)
{
  return sev(k_page, name);
}

static void test_same_text_by_name(void **state)
{
  (void)state;
  static const tu_case python[] = {
      /* IIS runs it: unchanged, critical. */
      {"x.aspx", CRIT},
      {"x.asp", CRIT},
      /* In Python and Perl: below high, and without markers only low. */
      {"/usr/lib/python3/pydoc.py", LOW},
      {"x.pl", LOW},
      {"x.pm", LOW},
      {"x.sh", LOW},
      {"x.rb", LOW},
      {"x.php", LOW},
      {"x.pod", LOW},
      {"x.md", LOW},
      /* Unknown kind, no markers: medium. */
      {"", MED},
      {NULL, MED},
      {"x.inc", MED}};
  TU_CHECK_CASES(python, sev_of_python);
  static const tu_case page[] = {{"x.aspx", CRIT}, {"/inetpub/wwwroot/aspnet_client/X.ASPX", CRIT}};
  TU_CHECK_CASES(page, sev_of_page);
}

static void test_page_under_other_names(void **state)
{
  (void)state;
  /* An .aspx saved as .txt, .html or .py: IIS serves it as bytes or not
   * at all. Still reported, at medium: a copy worth a look. (A .js is not
   * read as server code in the first place.) */
  static const char *const served[] = {"cmd.aspx.txt", "x.txt", "x.html", "x.htm", "x.py", "x.xml"};
  assert_int_equal(sev(k_page, "x.js"), -1);
  for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
    if (sev(k_page, served[i]) != MED)
      fail_msg("%s: %d, expected medium", served[i], sev(k_page, served[i]));
  /* Unknown or no extension with server markers: a sample under its hash,
   * a backup, a renamed upload, an include: as critical as before. */
  static const char *const unknown[] = {
      "", "e3b0c44298fc1c149afbf4c8996fb924", "cmd.aspx.bak", "x.inc", "web.config", "x.tmp"};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    if (sev(k_page, unknown[i]) != CRIT)
      fail_msg("%s: %d, expected critical", unknown[i], sev(k_page, unknown[i]));
}

static void test_windows_spellings_stay_critical(void **state)
{
  (void)state;
  static const char *const names[] = {"x.aspx.",       "x.aspx ",
                                      "x.aspx::$DATA", "X.AsPx. ::$data",
                                      "x.asp;.jpg",    "C:\\inetpub\\wwwroot\\x.aspx."};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (sev(k_python, names[i]) != CRIT)
      fail_msg("'%s': %d, expected critical", names[i], sev(k_python, names[i]));
}

static void test_ceiling_function(void **state)
{
  (void)state;
  const uint8_t *page = (const uint8_t *)k_page, *py = (const uint8_t *)k_python;
  size_t pl = strlen(k_page), yl = strlen(k_python);
  assert_int_equal(exh_heur_ceiling("x.aspx", py, yl), EXHUNT_SEV_CRITICAL);
  assert_int_equal(exh_heur_ceiling("x.aspx", NULL, 0), EXHUNT_SEV_CRITICAL);
  assert_int_equal(exh_heur_ceiling("x", page, pl), EXHUNT_SEV_CRITICAL);
  assert_int_equal(exh_heur_ceiling("x", py, yl), EXHUNT_SEV_MEDIUM);
  assert_int_equal(exh_heur_ceiling(NULL, NULL, 0), EXHUNT_SEV_MEDIUM);
  assert_int_equal(exh_heur_ceiling("x.txt", page, pl), EXHUNT_SEV_MEDIUM);
  assert_int_equal(exh_heur_ceiling("x.txt", py, yl), EXHUNT_SEV_LOW);
  assert_int_equal(exh_heur_ceiling("x.py", py, yl), EXHUNT_SEV_LOW);
  assert_int_equal(exh_heur_ceiling("x.py", page, pl), EXHUNT_SEV_MEDIUM);
}

/* Rules other than request_exec are capped the same way, and the rule
 * ids and evidence do not change, only the severity. */
static void test_other_rules_capped(void **state)
{
  (void)state;
  static const char oab[] = "Name : OAB (Default Web Site)\nPollInterval : 480\n"
                            "ExternalUrl : http://f/<script language=\"JScript\" "
                            "runat=\"server\">function Page_Load(){eval(Request[\"x\"],"
                            "\"unsafe\");}</script>\n";
  assert_int_equal(scan_sev(oab, strlen(oab), "x.aspx", "exhunt.heur.oab_script"), CRIT);
  assert_int_equal(scan_sev(oab, strlen(oab), "oab-export.txt", "exhunt.heur.oab_script"), MED);
  assert_int_equal(scan_sev(oab, strlen(oab), "oab-export.txt", NULL), MED);
  static const char alias[] = "<% var E = {'E': eval}; E['E'](Request.Item['x']); %>";
  int in_page = scan_sev(alias, strlen(alias), "x.aspx", NULL);
  assert_true(in_page >= HIGH);
  assert_true(scan_sev(alias, strlen(alias), "x.pl", NULL) <= MED);
  exh_heur_hit a[EXH_HEUR_MAX_HITS], b[EXH_HEUR_MAX_HITS];
  size_t na = exh_heur_scan((const uint8_t *)alias, strlen(alias), "x.aspx", a, EXH_HEUR_MAX_HITS);
  size_t nb = exh_heur_scan((const uint8_t *)alias, strlen(alias), "x.pl", b, EXH_HEUR_MAX_HITS);
  assert_int_equal(na, nb);
  for (size_t i = 0; i < na; i++) {
    /* the same evidence, in possibly another order, at most medium */
    bool found = false;
    for (size_t k = 0; k < nb && !found; k++)
      found = strcmp(a[i].rule, b[k].rule) == 0 && a[i].offset == b[k].offset &&
              a[i].len == b[k].len && strcmp(a[i].tag, b[k].tag) == 0 &&
              b[k].severity <= EXHUNT_SEV_MEDIUM;
    assert_true(found);
  }
}

/* ---------------------------------------------------------------------- */
/* Through the scanner: the path reaches the heuristics. */

typedef struct worst {
  int heur; /* highest heuristic severity, -1 none */
} worst;

static void on_finding(void *ctx, const exhunt_finding *f)
{
  worst *w = ctx;
  if (strncmp(f->rule, "exhunt.heur.", 12) == 0 && (int)f->severity > w->heur)
    w->heur = (int)f->severity;
}

static void on_notice(void *ctx, const exhunt_notice *n)
{
  (void)ctx;
  (void)n;
}

static int scan_api(const exhunt_rules *rules, const void *data, size_t len, const char *path)
{
  worst w = {-1};
  exhunt_sink sink = {.ctx = &w, .on_finding = on_finding, .on_notice = on_notice};
  exhunt_file_meta meta = {.path = path};
  assert_int_equal(exhunt_scan_buffer(rules, data, len, &meta, &sink), EXHUNT_OK);
  return w.heur;
}

static int rules_setup(void **state)
{
  exhunt_rules *rules = NULL;
  exhunt_sink sink = {.on_finding = on_finding, .on_notice = on_notice};
  /* Heuristics only: YARA is out of scope for the ceiling. */
  if (exhunt_rules_new(&rules) || exhunt_rules_compile(rules, &sink))
    return -1;
  *state = rules;
  return 0;
}

static int rules_teardown(void **state)
{
  exhunt_rules_free(*state);
  return 0;
}

static void test_scanner_passes_the_path(void **state)
{
  const exhunt_rules *rules = *state;
  size_t n = strlen(k_python);
  assert_int_equal(scan_api(rules, k_python, n, "/usr/lib/python3.11/pydoc.py"), LOW);
  assert_int_equal(scan_api(rules, k_python, n, "/inetpub/wwwroot/pydoc.aspx"), CRIT);
  assert_int_equal(scan_api(rules, k_python, n, "/inetpub/wwwroot/pydoc.aspx."), CRIT);
  assert_int_equal(scan_api(rules, k_page, strlen(k_page), "/tmp/cmd.aspx.txt"), MED);
}

/* The real files of the report, when this machine has them. */
static void test_real_linux_files(void **state)
{
  const exhunt_rules *rules = *state;
  static const char *const patterns[] = {"/usr/lib/python3*/pydoc.py",
                                         "/usr/share/perl/5*/perl5db.pl",
                                         "/usr/share/perl/5*/pod/perldiag.pod"};
  size_t checked = 0;
  for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
    glob_t g;
    if (glob(patterns[p], 0, NULL, &g) != 0)
      continue;
    for (size_t i = 0; i < g.gl_pathc; i++) {
      FILE *f = fopen(g.gl_pathv[i], "rb");
      if (!f)
        continue;
      size_t cap = 16u << 20;
      uint8_t *buf = malloc(cap);
      assert_non_null(buf);
      size_t n = fread(buf, 1, cap, f);
      fclose(f);
      int got = scan_api(rules, buf, n, g.gl_pathv[i]);
      printf("  %s: heuristic severity %d\n", g.gl_pathv[i], got);
      if (got >= HIGH)
        fail_msg("%s reaches %d through the heuristics", g.gl_pathv[i], got);
      /* The same bytes as an .aspx keep whatever the heuristics found. */
      if (got >= 0)
        assert_true(scan_api(rules, buf, n, "x.aspx") >= got);
      free(buf);
      checked++;
    }
    globfree(&g);
  }
  if (checked == 0)
    skip();
}

static tu_fixture fx = {.setup = rules_setup, .teardown = rules_teardown};

TU_MAIN(&fx, test_same_text_by_name, test_page_under_other_names,
        test_windows_spellings_stay_critical, test_ceiling_function, test_other_rules_capped,
        test_scanner_passes_the_path, test_real_linux_files)
