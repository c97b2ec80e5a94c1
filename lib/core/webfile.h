/*
 * webfile.h - is this file web server code? One answer for the whole tool.
 *
 * The web-shell heuristics read ASP and ASP.NET. Run over a Python module
 * or a Perl manual they find `eval(request)` and call it a web shell; the
 * hunt then calls a Linux host compromised. Two questions settle it, and
 * every part of exhunt should ask them the same way:
 *
 *   - by name: would IIS, as installed with ASP.NET, classic ASP and
 *     Exchange, run a file called this as server code? (exh_webfile_iis_script)
 *   - by content: does the file carry the marks of ASP/ASP.NET server code,
 *     `<% %>` blocks, `<%@ Page %>`-style directives or runat="server"?
 *     (exh_webfile_has_server_markers)
 *
 * and a coarse kind (exh_webfile_kind) says what a file that IIS does not
 * run is instead: code of another language, a document or static content,
 * or unknown.
 *
 * Names are judged as Windows and IIS see them, whatever the platform the
 * evidence is read on: the base name (after the last '/' or '\'), case
 * ignored, with the trailing dots and spaces Windows strips and a
 * "::$DATA" stream suffix removed ("x.aspx." "x.aspx " "x.ASPX::$DATA" are
 * all x.aspx), and with IIS 6's reading of "x.asp;.jpg" as x.asp.
 *
 * Pure functions of their arguments: no allocation, no global state,
 * thread-safe, linear in the input.
 */
#ifndef EXH_WEBFILE_H
#define EXH_WEBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum exh_webkind {
  EXH_WEBKIND_OTHER = 0,  /* unknown or no extension, backups, includes, .config,
                             .cs/.vb: decided by content */
  EXH_WEBKIND_IIS_SCRIPT, /* IIS runs it as server code: exh_webfile_iis_script() */
  EXH_WEBKIND_FOREIGN,    /* code IIS does not run by default: Python, Perl, shell,
                             Ruby, PHP, JSP, PowerShell, WSH, C ... */
  EXH_WEBKIND_DOCUMENT    /* text and documentation, and content IIS serves as it
                             is: .txt .md .pod .html .js .css .xml ... */
} exh_webkind;

/*
 * True when IIS, as installed by default with ASP.NET, classic ASP and
 * Exchange's handlers, would treat a file called `name` as server code,
 * executed or compiled rather than served as bytes. `name` is a base name
 * or a path (only the base name counts). NULL or "" gives false. The list
 * and why each extension is on it are in webfile.c.
 */
bool exh_webfile_iis_script(const char *name);

/* The kind of a file called `name` (a base name or a path); NULL or "" is
 * EXH_WEBKIND_OTHER. EXH_WEBKIND_IIS_SCRIPT exactly when
 * exh_webfile_iis_script(name). */
exh_webkind exh_webfile_kind(const char *name);

/*
 * The extension that decides how IIS treats `name`, lower-case with its
 * dot (".aspx"), written NUL-terminated to out[cap]; "" when there is
 * none or it does not fit (extensions that long decide nothing). The
 * Windows-stripped suffixes above are removed first, and when the part of
 * the name before a ';' ends in a script extension, that one is given (IIS
 * 6 ran "x.asp;.jpg" as ASP). A name that is only an extension (".aspx")
 * gives itself, so callers may pass a bare extension. Returns the length.
 */
size_t exh_webfile_ext(const char *name, char *out, size_t cap);

/*
 * True when `data` holds a mark of ASP or ASP.NET server code: a directive
 * (`<%@ Page ...%>`, `<%@ Language=VBScript %>`, any `<%@` and a name), a
 * runat="server" attribute (quoted or not, on <script>, <form>, controls),
 * or a `<% ... %>` block. A `<%` only counts when what follows it reads as
 * code, not a printf format or a Perl hash ("<%s>", "C<%ENV>"), and a `%>`
 * closes it somewhere after. Case is ignored; NUL bytes between
 * characters are skipped, so UTF-16 (LE or BE) text is read as well.
 * Linear in len; every look-ahead is bounded.
 */
bool exh_webfile_has_server_markers(const uint8_t *data, size_t len);

#endif
