/*
 * webfile.c - is this file web server code? See webfile.h for the contract.
 *
 * The extension lists below are the whole policy; each group says why it
 * is there. "Runs" means IIS hands the file to an engine that executes or
 * compiles it, instead of the static-file handler sending its bytes.
 *
 * What IIS runs (EXH_WEBKIND_IIS_SCRIPT), from the handler mappings that
 * installing ASP.NET (2.0 to 4.8), classic ASP and server-side includes
 * put in applicationHost.config, and those of IIS 5/6, which old servers
 * and old evidence still have:
 *
 *   .aspx .ashx .asmx   ASP.NET pages, generic handlers and web services
 *                       (PageHandlerFactory, SimpleHandlerFactory,
 *                       WebServiceHandlerFactory). Exchange's own OWA, ECP,
 *                       EWS and Autodiscover code is reached through these,
 *                       .svc and .axd; its other handlers (OWA's *.owa events)
 *                       run compiled code and never read a file, so they are
 *                       not listed.
 *   .asax .ascx .master Refused when requested (HttpForbiddenHandler), but
 *                       compiled and run: global.asax at application start,
 *                       user controls and master pages by any page using
 *                       them. A shell hidden in one runs on every request.
 *   .svc .xamlx .xoml   WCF and Workflow services: the ServiceHost directive
 *                       of an .svc compiles inline code, a .xoml may carry
 *                       x:Code that is compiled when it is activated.
 *   .axd .rem .soap     ASP.NET handlers that have no static fallback
 *                       (resource and trace handlers, .NET remoting): a
 *                       request for such a name never returns the file's
 *                       bytes, and one buildProvider line in a web.config
 *                       makes ASP.NET compile it.
 *   .cshtml .vbhtml     ASP.NET Web Pages (Razor), compiled on request.
 *   .asp .asa .cer .cdx Classic ASP (asp.dll): pages; global.asa; .cer is
 *                       mapped to asp.dll ("SecurityCertificate") wherever
 *                       ASP is installed, up to IIS 10; .cdx and .asa were
 *                       asp.dll mappings of IIS 5/6. Upload filters that
 *                       blocked only .asp made .cer/.cdx/.asa web-shell
 *                       names for years.
 *   .shtml .shtm .stm   Server-side includes (ssinc.dll), whose #exec
 *                       directive runs commands.
 *
 * Not listed, on purpose: .config (IIS refuses it; a web.config that holds
 * ASP code also remaps handlers, and its `<% %>` is found by content),
 * .inc (IIS has no mapping or MIME type for it: an include runs only as
 * part of a page, and then it has `<% %>`), .cs/.vb (compiled only inside
 * App_Code, which a name cannot tell), .php/.pl/.py (IIS runs them only
 * after someone installs and maps an interpreter). These are judged by
 * content, or are FOREIGN.
 *
 * FOREIGN is code of other languages and servers, which stock IIS does
 * not run. DOCUMENT is prose and data, and what IIS's static-file handler
 * serves as bytes (.html .htm .js .css .xml .json, images): text in them is
 * never executed on the server, whatever it looks like.
 */
#include "webfile.h"

#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Extension tables: lower case, with the dot. */

static const char *const k_iis_script[] = {
    /* ASP.NET pages, handlers, services */
    ".aspx", ".ashx", ".asmx",
    /* ASP.NET files compiled into requests */
    ".asax", ".ascx", ".master",
    /* WCF and Workflow services */
    ".svc", ".xamlx", ".xoml",
    /* ASP.NET handlers with no static fallback */
    ".axd", ".rem", ".soap",
    /* ASP.NET Web Pages */
    ".cshtml", ".vbhtml",
    /* classic ASP (asp.dll) */
    ".asp", ".asa", ".cer", ".cdx",
    /* server-side includes (ssinc.dll) */
    ".shtml", ".shtm", ".stm", NULL};

static const char *const k_foreign[] = {
    /* Python, Perl, Ruby, PHP, Java server pages and CGI */
    ".py", ".pyw", ".pyi", ".pyx", ".pyc", ".pyo", ".pl", ".pm", ".plx", ".t", ".cgi", ".rb",
    ".erb", ".rake", ".php", ".php3", ".php4", ".php5", ".php7", ".phtml", ".phps", ".jsp", ".jspx",
    ".jsf",
    /* Unix shells and tools */
    ".sh", ".bash", ".zsh", ".ksh", ".csh", ".fish", ".awk", ".sed", ".m4",
    /* Windows scripts run by a user or a task, not by IIS */
    ".ps1", ".psm1", ".psd1", ".vbs", ".vbe", ".wsf", ".wsh", ".bat", ".cmd", ".hta",
    /* other languages */
    ".lua", ".tcl", ".tk", ".r", ".go", ".rs", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh",
    ".java", ".groovy", ".kt", ".scala", ".swift", ".m", ".mm", ".el", ".lisp", ".scm", ".hs",
    ".ml", ".ex", ".exs", ".erl", ".dart", ".ts", ".tsx", ".jsx", ".coffee", ".vim", ".mk",
    ".cmake", ".make", ".sql", NULL};

static const char *const k_document[] = {
    /* prose and documentation */
    ".txt", ".text", ".md", ".markdown", ".rst", ".pod", ".adoc", ".asciidoc", ".org", ".tex",
    ".texi", ".texinfo", ".info", ".man", ".rtf", ".pdf", ".doc", ".docx", ".readme", ".changes",
    ".news", ".diff", ".patch", ".log", ".csv", ".tsv",
    /* static web content, served as bytes */
    ".html", ".htm", ".xhtml", ".js", ".mjs", ".cjs", ".css", ".map", ".json", ".xml", ".xsl",
    ".xslt", ".svg", ".yml", ".yaml", ".toml", ".ini", ".png", ".gif", ".jpg", ".jpeg", ".ico",
    ".bmp", ".webp", ".woff", ".woff2", ".ttf", ".eot", NULL};

/* ---------------------------------------------------------------------- */
/* Names. */

static unsigned char lc(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Does [p, p+n) equal the lower-case `lit`, ignoring case? */
static bool span_is(const char *p, size_t n, const char *lit)
{
  size_t i = 0;
  for (; i < n && lit[i]; i++)
    if (lc((unsigned char)p[i]) != (unsigned char)lit[i])
      return false;
  return i == n && !lit[i];
}

static bool in_list(const char *p, size_t n, const char *const *list)
{
  for (; *list; list++)
    if (span_is(p, n, *list))
      return true;
  return false;
}

/*
 * The base name of `name` as Windows stores it: from after the last '/' or
 * '\' to the end, less the trailing dots and spaces Win32 strips and any
 * "::$DATA" (the file's own data stream) after it, in any order.
 */
static void base_span(const char *name, size_t *start, size_t *end)
{
  size_t s = 0, e = strlen(name);
  for (size_t i = 0; i < e; i++)
    if (name[i] == '/' || name[i] == '\\')
      s = i + 1;
  bool changed = true;
  while (changed) {
    changed = false;
    while (e > s && (name[e - 1] == '.' || name[e - 1] == ' ')) {
      e--;
      changed = true;
    }
    if (e - s >= 7 && span_is(name + e - 7, 7, "::$data")) {
      e -= 7;
      changed = true;
    }
  }
  *start = s;
  *end = e;
}

/* The extension of name[s, e): from its last dot, or empty. */
static void ext_span(const char *name, size_t s, size_t e, size_t *es)
{
  *es = e;
  for (size_t i = e; i > s; i--)
    if (name[i - 1] == '.') {
      *es = i - 1;
      return;
    }
}

/* The extension span IIS goes by; see exh_webfile_ext(). */
static void iis_ext(const char *name, size_t *es, size_t *ee)
{
  size_t s, e;
  base_span(name, &s, &e);
  /* IIS 6 cut the name at the first ';' when it chose the handler. */
  const char *semi = memchr(name + s, ';', e - s);
  if (semi) {
    size_t ce = (size_t)(semi - name), cs;
    while (ce > s && (name[ce - 1] == '.' || name[ce - 1] == ' '))
      ce--;
    ext_span(name, s, ce, &cs);
    if (in_list(name + cs, ce - cs, k_iis_script)) {
      *es = cs;
      *ee = ce;
      return;
    }
  }
  ext_span(name, s, e, es);
  *ee = e;
}

size_t exh_webfile_ext(const char *name, char *out, size_t cap)
{
  if (!out || cap == 0)
    return 0;
  out[0] = '\0';
  if (!name)
    return 0;
  size_t es, ee;
  iis_ext(name, &es, &ee);
  size_t n = ee - es;
  if (n + 1 > cap)
    return 0;
  for (size_t i = 0; i < n; i++)
    out[i] = (char)lc((unsigned char)name[es + i]);
  out[n] = '\0';
  return n;
}

exh_webkind exh_webfile_kind(const char *name)
{
  if (!name || !*name)
    return EXH_WEBKIND_OTHER;
  size_t es, ee;
  iis_ext(name, &es, &ee);
  const char *p = name + es;
  size_t n = ee - es;
  if (n == 0)
    return EXH_WEBKIND_OTHER;
  if (in_list(p, n, k_iis_script))
    return EXH_WEBKIND_IIS_SCRIPT;
  if (in_list(p, n, k_foreign))
    return EXH_WEBKIND_FOREIGN;
  if (in_list(p, n, k_document))
    return EXH_WEBKIND_DOCUMENT;
  return EXH_WEBKIND_OTHER;
}

bool exh_webfile_iis_script(const char *name)
{
  return exh_webfile_kind(name) == EXH_WEBKIND_IIS_SCRIPT;
}

/* ---------------------------------------------------------------------- */
/* Content. */

#define BLANK_MAX 64 /* blanks looked past inside one marker */
#define IDENT_MAX 64 /* identifier bytes read after a `<%` */

static bool is_blank(uint8_t c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == 0;
}

static bool is_letter(uint8_t c)
{
  return (c | 32) >= 'a' && (c | 32) <= 'z';
}

static bool is_ident(uint8_t c)
{
  return is_letter(c) || (c >= '0' && c <= '9') || c == '_';
}

/* Index of the first non-NUL byte at or after i, looking past at most
 * three NULs (one UTF-16 code unit and a stray); n when there is none. */
static size_t skip_nul(const uint8_t *d, size_t n, size_t i)
{
  for (int k = 0; k < 3 && i < n && d[i] == 0; k++)
    i++;
  return i < n && d[i] != 0 ? i : n;
}

/* If the lower-case ASCII `lit` starts at d[i] (case ignored, NULs between
 * its characters skipped), the index past it; else 0. */
static size_t lit_at(const uint8_t *d, size_t n, size_t i, const char *lit)
{
  for (const char *p = lit; *p; p++) {
    if (p != lit)
      i = skip_nul(d, n, i);
    if (i >= n || lc(d[i]) != (uint8_t)*p)
      return 0;
    i++;
  }
  return i;
}

static size_t skip_blank(const uint8_t *d, size_t n, size_t i)
{
  for (int k = 0; k < BLANK_MAX && i < n && is_blank(d[i]); k++)
    i++;
  return i;
}

/* runat = "server" | 'server' | server, at d[i] ('r'). */
static bool runat_at(const uint8_t *d, size_t n, size_t i)
{
  size_t j = lit_at(d, n, i, "runat");
  if (!j)
    return false;
  j = skip_blank(d, n, j);
  if (j >= n || d[j] != '=')
    return false;
  j = skip_blank(d, n, j + 1);
  if (j < n && (d[j] == '"' || d[j] == '\''))
    j = skip_nul(d, n, j + 1);
  j = lit_at(d, n, j, "server");
  if (!j)
    return false;
  j = skip_nul(d, n, j);
  return j >= n || !is_ident(d[j]);
}

/*
 * After a `<%` (d[j] is the next byte): does this read as ASP? Blanks, `=`
 * (output), `#` `:` `$` (data binding, encoded output, expressions), `'` (a
 * VBScript comment), `--` (a server comment), or code starting with a name
 * of two or more characters that is not closed by `>` right away: that
 * leaves out "<%s>" (printf) and "C<%ENV>" (Perl POD).
 */
static bool asp_opener(const uint8_t *d, size_t n, size_t j)
{
  j = skip_nul(d, n, j);
  if (j >= n)
    return false;
  uint8_t c = d[j];
  if (is_blank(c) || c == '=' || c == '#' || c == ':' || c == '$' || c == '\'')
    return true;
  if (c == '-')
    return lit_at(d, n, j, "--") != 0;
  if (!is_letter(c))
    return false;
  size_t len = 0;
  while (j < n && len < IDENT_MAX && is_ident(d[j])) {
    len++;
    j = skip_nul(d, n, j + 1);
  }
  return len >= 2 && (j >= n || d[j] != '>');
}

/* Control bytes do not occur in script text (NUL does, in UTF-16). */
static bool is_control(uint8_t c)
{
  return (c >= 0x01 && c <= 0x08) || (c >= 0x0e && c <= 0x1a) || (c >= 0x1c && c <= 0x1f);
}

/*
 * From i, just after an ASP-looking `<%`: the index of the `%>` that closes
 * the block, or, when a control byte (binary data) or the end comes first,
 * SIZE_MAX with *stop set to where the search ended. A `%>` that is part
 * of `<%>` does not count: Perl's POD writes the hash sigil as C<%>, and no
 * ASP block ends that way.
 */
static size_t block_close(const uint8_t *d, size_t n, size_t i, size_t *stop)
{
  size_t from = i;
  for (; i < n; i++) {
    uint8_t c = d[i];
    if (is_control(c)) {
      *stop = i;
      return SIZE_MAX;
    }
    if (c != '%' || !lit_at(d, n, i, "%>"))
      continue;
    size_t b = i;
    while (b > from && i - b < 3 && d[b - 1] == 0)
      b--;
    if (!(b > from && d[b - 1] == '<'))
      return i;
  }
  *stop = n;
  return SIZE_MAX;
}

bool exh_webfile_has_server_markers(const uint8_t *data, size_t len)
{
  if (!data)
    return false;
  const uint8_t *d = data;
  size_t n = len;
  /* Bytes below `searched` were already read by a block_close() that
   * found no end: a later `<%` before it ends the same way, so it is not
   * read again and the whole pass stays linear. */
  size_t searched = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = d[i];
    if (c == '<') {
      size_t j = lit_at(d, n, i, "<%");
      if (!j)
        continue;
      size_t k = skip_nul(d, n, j);
      if (k < n && d[k] == '@') {
        k = skip_blank(d, n, k + 1);
        k = skip_nul(d, n, k);
        if (k < n && is_letter(d[k]))
          return true;
        continue;
      }
      if (j >= searched && asp_opener(d, n, j)) {
        if (block_close(d, n, j, &searched) != SIZE_MAX)
          return true;
      }
    } else if ((c | 32) == 'r') {
      /* Not inside a longer word ("xrunat"); a NUL before is UTF-16. */
      size_t p = i;
      while (p > 0 && i - p < 3 && d[p - 1] == 0)
        p--;
      if (p > 0 && is_ident(d[p - 1]))
        continue;
      if (runat_at(d, n, i))
        return true;
    }
  }
  return false;
}
