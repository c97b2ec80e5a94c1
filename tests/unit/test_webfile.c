/*
 * test_webfile.c - the web-file classifier (lib/core/webfile.c): which names
 * IIS runs as server code, in every spelling Windows accepts for them, what
 * kind the other names are, and which contents carry ASP/ASP.NET server
 * markers, in UTF-8 and UTF-16, with the printf formats and Perl POD that
 * look like them and must not count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "core/webfile.h"

/* ---------------------------------------------------------------------- */
/* Names */

static void test_iis_script_extensions(void **state)
{
  (void)state;
  static const char *const yes[] = {"x.aspx", "x.ashx", "x.asmx", "x.asax", "x.ascx", "x.master",
                                    "x.svc", "x.xamlx", "x.xoml", "x.axd", "x.rem", "x.soap",
                                    "x.cshtml", "x.vbhtml", "x.asp", "x.asa", "x.cer", "x.cdx",
                                    "x.shtml", "x.shtm", "x.stm", "global.asax", "errorFE.aspx",
                                    "OutlookEN.US.aspx", "a.b.c.asmx",
                                    /* a bare extension is the name of a dot-file */
                                    ".aspx"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    if (!exh_webfile_iis_script(yes[i]))
      fail_msg("%s should be an IIS script", yes[i]);
    assert_int_equal(exh_webfile_kind(yes[i]), EXH_WEBKIND_IIS_SCRIPT);
  }
  static const char *const no[] = {"",           "aspx",     "x.aspx.txt",
                                   "x.aspx.bak", "x.py",     "x.pl",
                                   "x.txt",      "x.inc",    "web.config",
                                   "x.cs",       "x.vb",     "x.html",
                                   "x.htm",      "x.js",     "x.php",
                                   "x.jsp",      "x.aspxx",  "x.asp_",
                                   "xaspx",      "x.as px",  "x.aspx:Zone.Identifier",
                                   "x.aspx.gz",  "x.config", "x.skin",
                                   "x.resx",     "x.owa",    "x.vbs",
                                   "x.ps1"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    if (exh_webfile_iis_script(no[i]))
      fail_msg("%s should not be an IIS script", no[i]);
  assert_false(exh_webfile_iis_script(NULL));
}

static long long iis_script_of(const char *name)
{
  return exh_webfile_iis_script(name);
}

static void test_iis_script_case_and_paths(void **state)
{
  (void)state;
  static const tu_case cases[] = {
      {"X.ASPX", 1},
      {"shell.AsP", 1},
      {"/mnt/ev/inetpub/wwwroot/aspnet_client/x.aspx", 1},
      {"C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx", 1},
      {"C:/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/x.aspx", 1},
      /* Only the base name counts: a folder named like a script does not
       * make its files scripts, a script in an oddly named folder stays one. */
      {"/srv/x.aspx/readme.txt", 0},
      {"C:\\x.asp\\notes.txt", 0},
      {"/srv/x.txt/y.aspx", 1},
      /* A path ending in a separator has an empty base name. */
      {"/srv/x.aspx/", 0},
  };
  TU_CHECK_CASES(cases, iis_script_of);
}

static void test_iis_script_windows_spellings(void **state)
{
  (void)state;
  /* Win32 strips trailing dots and spaces: these create x.aspx on NTFS. */
  static const char *const yes[] = {"x.aspx.", "x.aspx ", "x.aspx...", "x.aspx. . .",
                                    "x.aspx::$DATA", "x.aspx::$data", "X.ASPX::$Data",
                                    "x.aspx::$DATA.", "x.aspx. ::$DATA", "x.aspx::$DATA::$DATA",
                                    "C:\\w\\x.asp. ",
                                    /* IIS 6 chose the handler from the name cut at the first ';' */
                                    "x.asp;.jpg", "x.aspx;x.txt", "x.cer;.png", "x.asp.;.jpg",
                                    /* and later IIS go by the last extension */
                                    "x.txt;.asp"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    if (!exh_webfile_iis_script(yes[i]))
      fail_msg("'%s' should be an IIS script", yes[i]);
  static const char *const no[] = {"x.aspx.txt.",  "x.aspx::$DATA.txt",
                                   "x.aspx:$DATA", "x.aspx::$INDEX_ALLOCATION",
                                   "x.txt;.jpg",   ".",
                                   "...",          "   ",
                                   "::$DATA"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    if (exh_webfile_iis_script(no[i]))
      fail_msg("'%s' should not be an IIS script", no[i]);
}

static long long kind_of(const char *name)
{
  return exh_webfile_kind(name);
}

static void test_kinds(void **state)
{
  (void)state;
  static const tu_case cases[] = {
      {"pydoc.py", EXH_WEBKIND_FOREIGN},
      {"perl5db.pl", EXH_WEBKIND_FOREIGN},
      {"Foo.pm", EXH_WEBKIND_FOREIGN},
      {"install.sh", EXH_WEBKIND_FOREIGN},
      {"x.rb", EXH_WEBKIND_FOREIGN},
      {"x.PHP", EXH_WEBKIND_FOREIGN},
      {"x.jsp", EXH_WEBKIND_FOREIGN},
      {"x.ps1", EXH_WEBKIND_FOREIGN},
      {"x.vbs", EXH_WEBKIND_FOREIGN},
      {"x.sql", EXH_WEBKIND_FOREIGN},
      {"perldiag.pod", EXH_WEBKIND_DOCUMENT},
      {"README.md", EXH_WEBKIND_DOCUMENT},
      {"notes.TXT", EXH_WEBKIND_DOCUMENT},
      {"x.aspx.txt", EXH_WEBKIND_DOCUMENT},
      {"index.html", EXH_WEBKIND_DOCUMENT},
      {"index.htm", EXH_WEBKIND_DOCUMENT},
      {"app.js", EXH_WEBKIND_DOCUMENT},
      {"site.css", EXH_WEBKIND_DOCUMENT},
      {"oab.xml", EXH_WEBKIND_DOCUMENT},
      {"x.gif", EXH_WEBKIND_DOCUMENT},
      {"", EXH_WEBKIND_OTHER},
      {"e3b0c44298fc1c14", EXH_WEBKIND_OTHER},
      {"web.config", EXH_WEBKIND_OTHER},
      {"adovbs.inc", EXH_WEBKIND_OTHER},
      {"x.cs", EXH_WEBKIND_OTHER},
      {"x.aspx.bak", EXH_WEBKIND_OTHER},
      {"x.aspx.old", EXH_WEBKIND_OTHER},
      {"Makefile", EXH_WEBKIND_OTHER},
      {"x.aspx", EXH_WEBKIND_IIS_SCRIPT},
      {"x.aspx.", EXH_WEBKIND_IIS_SCRIPT},
  };
  TU_CHECK_CASES(cases, kind_of);
  assert_int_equal(exh_webfile_kind(NULL), EXH_WEBKIND_OTHER);
}

static void test_ext(void **state)
{
  (void)state;
  char e[16];
  assert_int_equal(exh_webfile_ext("X.AsPx", e, sizeof e), 5);
  assert_string_equal(e, ".aspx");
  assert_int_equal(exh_webfile_ext("C:\\w\\X.ASPX. ::$DATA", e, sizeof e), 5);
  assert_string_equal(e, ".aspx");
  assert_int_equal(exh_webfile_ext("x.asp;.jpg", e, sizeof e), 4);
  assert_string_equal(e, ".asp");
  assert_int_equal(exh_webfile_ext("x.txt;.jpg", e, sizeof e), 4);
  assert_string_equal(e, ".jpg");
  assert_int_equal(exh_webfile_ext("a/b.tar.GZ", e, sizeof e), 3);
  assert_string_equal(e, ".gz");
  assert_int_equal(exh_webfile_ext(".aspx", e, sizeof e), 5);
  assert_string_equal(e, ".aspx");
  assert_int_equal(exh_webfile_ext("noext", e, sizeof e), 0);
  assert_string_equal(e, "");
  assert_int_equal(exh_webfile_ext("dir.d/noext", e, sizeof e), 0);
  assert_string_equal(e, "");
  assert_int_equal(exh_webfile_ext(NULL, e, sizeof e), 0);
  assert_string_equal(e, "");
  /* Too long for the buffer: nothing, not a truncated extension. */
  assert_int_equal(exh_webfile_ext("x.aspx", e, 5), 0);
  assert_string_equal(e, "");
  assert_int_equal(exh_webfile_ext("x.aspx", e, 6), 5);
  assert_string_equal(e, ".aspx");
  assert_int_equal(exh_webfile_ext("x.aspx", NULL, 8), 0);
  e[0] = 'z';
  assert_int_equal(exh_webfile_ext("x.aspx", e, 0), 0);
  assert_int_equal(e[0], 'z');
}

/* ---------------------------------------------------------------------- */
/* Content */

static bool marked(const char *s)
{
  return exh_webfile_has_server_markers((const uint8_t *)s, strlen(s));
}

/* UTF-16 copy of an ASCII string, little- or big-endian, with a BOM. */
static uint8_t *utf16(const char *s, bool big, size_t *n)
{
  size_t l = strlen(s);
  uint8_t *w = malloc(2 * l + 2);
  assert_non_null(w);
  w[0] = big ? 0xFE : 0xFF;
  w[1] = big ? 0xFF : 0xFE;
  for (size_t i = 0; i < l; i++) {
    w[2 + 2 * i + (big ? 1 : 0)] = (uint8_t)s[i];
    w[2 + 2 * i + (big ? 0 : 1)] = 0;
  }
  *n = 2 * l + 2;
  return w;
}

static const char *const k_marked[] = {
    "<%@ Page Language=\"C#\" %>",
    "<%@Page Language=\"Jscript\"%><%eval(Request.Item[\"x\"],\"unsafe\");%>",
    "<%@ LANGUAGE=VBSCRIPT CODEPAGE=65001 %>",
    "<%@ WebHandler Language=\"C#\" Class=\"H\" %>",
    "<%@\r\n  Control Language=\"C#\" %>",
    "<% Response.Write(1) %>",
    "<html><%=Now()%></html>",
    "<%eval request(\"pass\")%>",
    "<%execute(request(\"x\"))%>",
    "<%Response.Write(\"a\")%>",
    "<%'comment\r\n%>",
    "<%-- server comment --%>",
    "<%# Eval(\"Name\") %>",
    "<%: Model.Name %>",
    "<%$ AppSettings:x %>",
    "<% If x Then\r\n y = 1\r\nEnd If\r\n%>",
    "<script runat=\"server\">void Page_Load(){}</script>",
    "<script language=\"JScript\" runat=\"server\">function f(){}</script>",
    "<SCRIPT RUNAT=SERVER LANGUAGE=VBSCRIPT>",
    "<form id=\"f\" runat='server'>",
    "<asp:Label ID=\"l\" runat = \"server\" />",
    "ExternalUrl : http://f/<script language=\"JScript\" runat=\"server\">x</script>",
};

static const char *const k_unmarked[] = {
    "",
    "plain text",
    "return self.escape('<%s instance>' % x.__class__.__name__)",
    "'<%s.%s instance>' % (self.__class__.__module__, self.__class__.__name__)",
    "printf(\"<%d>\\n\", n); printf(\"<%-5s>\", s);",
    "the debugger state variables are saved in C<%ENV> and then C<%dbline>",
    "C<%>, C<&>, and C<*> are both infix operators; C<%foo[&bar]> provides C<%> sigil",
    "<%eval request(\"x\")",
    "<% no close here",
    "x <%@ 1 %>",
    "runat",
    "runat=\"client\"",
    "xrunat=\"server\"",
    "runat=\"serverside\"",
    "run at=\"server\"",
    "<!-- runat server -->",
    "%> before <%",
    "<%(name)s and then %>",
};

static void test_markers(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof k_marked / sizeof k_marked[0]; i++)
    if (!marked(k_marked[i]))
      fail_msg("should be marked: %s", k_marked[i]);
  for (size_t i = 0; i < sizeof k_unmarked / sizeof k_unmarked[0]; i++)
    if (marked(k_unmarked[i]))
      fail_msg("should not be marked: %s", k_unmarked[i]);
  assert_false(exh_webfile_has_server_markers(NULL, 0));
  assert_false(exh_webfile_has_server_markers(NULL, 10));
  /* The length is respected: the close lies past it. */
  const char *s = "<% x = 1 %>";
  assert_false(exh_webfile_has_server_markers((const uint8_t *)s, 9));
  assert_true(exh_webfile_has_server_markers((const uint8_t *)s, 11));
}

static void test_markers_utf16(void **state)
{
  (void)state;
  for (int big = 0; big <= 1; big++) {
    for (size_t i = 0; i < sizeof k_marked / sizeof k_marked[0]; i++) {
      size_t n;
      uint8_t *w = utf16(k_marked[i], big, &n);
      if (!exh_webfile_has_server_markers(w, n))
        fail_msg("UTF-16%s should be marked: %s", big ? "BE" : "LE", k_marked[i]);
      free(w);
    }
    for (size_t i = 0; i < sizeof k_unmarked / sizeof k_unmarked[0]; i++) {
      size_t n;
      uint8_t *w = utf16(k_unmarked[i], big, &n);
      if (exh_webfile_has_server_markers(w, n))
        fail_msg("UTF-16%s should not be marked: %s", big ? "BE" : "LE", k_unmarked[i]);
      free(w);
    }
  }
}

/* A `<%` ... `%>` pair with binary data between is chance, not a block. */
static void test_markers_binary(void **state)
{
  (void)state;
  const uint8_t bin[] = {'<', '%', 'a', 'b', 'c', ' ', 0x01, 0x02, 0x7f, 0x1b, '%', '>'};
  assert_false(exh_webfile_has_server_markers(bin, sizeof bin));
  /* A real block later in the same file still counts. */
  uint8_t two[sizeof bin + 16];
  memcpy(two, bin, sizeof bin);
  memcpy(two + sizeof bin, "<% x = 1 %>\r\n\t ", 16);
  assert_true(exh_webfile_has_server_markers(two, sizeof two));
  /* A directive after a binary header (GIF polyglot). */
  uint8_t gif[64] = "GIF89a\x01\x02\x03\x04";
  memcpy(gif + 16, "<%@ Page Language=\"C#\"%>", 24);
  assert_true(exh_webfile_has_server_markers(gif, sizeof gif));
}

/* Worst cases for the look-aheads: many openers that never close, many
 * near-misses of runat and of a directive. Linear, so about a second for
 * 4 MiB each under sanitizers on a busy machine; a quadratic pass would
 * take hours, so the bound is loose on purpose. */
static void test_markers_linear(void **state)
{
  (void)state;
  static const char *const units[] = {
      "<%ab ", "<%abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs ", "runat =  ", "<%@ ", "<%", "%",
      "r"};
  size_t n = 4u << 20;
  uint8_t *big = malloc(n);
  assert_non_null(big);
  for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
    size_t l = strlen(units[u]);
    for (size_t i = 0; i < n; i++)
      big[i] = (uint8_t)units[u][i % l];
    clock_t t0 = clock();
    assert_false(exh_webfile_has_server_markers(big, n));
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (secs > 30.0)
      fail_msg("unit '%s': %.2f s for 4 MiB", units[u], secs);
  }
  free(big);
}

TU_MAIN(NULL, test_iis_script_extensions, test_iis_script_case_and_paths,
        test_iis_script_windows_spellings, test_kinds, test_ext, test_markers, test_markers_utf16,
        test_markers_binary, test_markers_linear)
