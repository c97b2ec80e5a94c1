/*
 * heur.c - built-in web-shell heuristics for ASP.NET and classic ASP.
 *
 * What it looks for (one stable rule id each; docs/detections.md has the
 * rationale, false positives and severities):
 *
 *   request_exec   request data reaching code or process execution: eval,
 *                  Execute/ExecuteGlobal, Assembly.Load, Process.Start,
 *                  ProcessStartInfo, WScript.Shell .Run/.Exec, a shell's
 *                  StandardInput, CodeDom, PowerShell AddScript, ScriptControl
 *   request_file   request data naming or filling a file the page writes,
 *                  uploads to, timestamps or streams back
 *   request_sql    request data used as a whole connection string or query
 *   script_write   the page writes a file with a script/executable extension
 *   decode_exec    Base64, char-code, split-string or decryption output
 *                  feeding a code or process sink
 *   exec_alias     eval handed around as a value ({'E': eval}) to hide a call
 *   shell_literal  a string literal (plain or Base64) that is itself a shell
 *   encoded_script Script Encoder (#@~^...==) or UTF-7 (CodePage 65000) code
 *   ssi_include    <!--#include--> of an image, text or data file
 *   oab_script     an Exchange virtual-directory dump whose ExternalUrl or
 *                  InternalUrl holds a server script (CVE-2021-27065)
 *   entropy        a long Base64-like blob, or binary content, in a file
 *                  with a server-script extension
 *   shell_command  a command line (cmd /c, powershell -enc) spelled out in a
 *                  server-script file (low: a hunting lead, not a verdict)
 *
 * Constraints. Input is hostile and may be several MB: every pass is one
 * forward walk with fixed-size state (about 10 KB, on the stack), no
 * allocation, no globals, and only bounded look-aheads whose bytes are then
 * consumed, so the total work is linear in the input.
 *
 * Regions. eval() in browser JavaScript is everywhere and means nothing
 * here, so a small state machine keeps only server code: <% %> blocks,
 * <script runat="server"> blocks, and whole .ashx/.asmx/.cshtml files (minus
 * their client <script> blocks). Markup and client scripts are skipped,
 * except for <% %> nested in them. Server comments <%-- --%> are skipped.
 *
 * Lexer. Inside server code a tiny lexer yields identifiers (lower-cased, as
 * ASP is case-insensitive; C# \uXXXX escapes decoded), string literals
 * (inspected once for embedded shells, request-reading code, ProgIDs) and
 * single punctuation. Comments are dropped. NUL bytes between characters
 * are skipped so UTF-16 text lexes like ASCII. Patterns are matched on the
 * current token and the four before it.
 *
 * Data flow is approximated with "captures": when a sink is recognised, its
 * argument list (or, for VBScript statements such as `Execute Request("x")`,
 * the rest of the statement) is watched until it closes, and every request
 * source, decoder, Chr() call, split literal or tainted name inside it is
 * recorded; the sink is judged when the capture closes. Assignments are
 * captured the same way so `x = Request("a")` taints x. Up to four captures
 * nest, twelve tainted names are kept in a ring, and the analysis is
 * deliberately flow-insensitive. Functions defined in the page are tracked
 * by header: one whose body decodes is a decoder, one that passes its own
 * parameter to a sink is that sink for its callers, and calls made before
 * the definition is read are settled at the end of the pass.
 *
 * Severities follow how direct the evidence is: a request source inside a
 * code/process sink's own arguments is critical; through a variable set a
 * few hundred bytes earlier, through a TextBox, or through a decoder, high;
 * weaker sinks (files, SQL) or distant taint, medium or low.
 *
 * Ceiling. All of this reads ASP and ASP.NET. Python, Perl POD or a
 * printf format hold "<%" too, and `eval(request)` in Python is Python's
 * eval, so a hit means as much as the file's chance of running on IIS: a
 * name IIS runs keeps every severity; any other file is capped at medium
 * or low by its kind and its content's server markers (lib/core/webfile.h,
 * exh_heur_ceiling in heur.h). The passes themselves do not change, only
 * the severity they hand out, so rule ids and evidence stay the same.
 *
 * Output. Hits are collected internally and the most severe are handed out
 * first, so a tight max_hits never drops a critical finding for medium ones.
 */
#include "heur/heur.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/ascii.h"
#include "core/codec.h"
#include "core/webfile.h"

/* ---------------------------------------------------------------------- */
/* Tuning. These are detection windows, not buffer caps: they bound how far
 * evidence may be apart and how long a single look-ahead may run. */

#define IDENT_MAX 40     /* identifier bytes kept (longer ones never match a keyword) */
#define STR_MAX 4096     /* a string literal longer than this is cut (then resynced) */
#define TAG_MAX 512      /* bytes scanned for the end of a <script ...> or include tag */
#define CAP_MAX 2048     /* a capture closes after this many bytes regardless */
#define NCAPS 4          /* captures open at once */
#define NTAINT 12        /* tainted names remembered */
#define NEAR_WINDOW 1024 /* taint "near" the sink: high instead of medium */
#define DEPTH_MAX 32     /* paren depth tracked for owner names */
#define CHR_MIN 5        /* Chr()/ChrW() calls in one expression that count as decoding */
#define PER_RULE_OCC 2   /* occurrences reported per rule (each 1-2 hits) */
#define HITS_INTERNAL 64 /* hits collected before the most severe are handed out */
#define EVIDENCE_MAX 256 /* longest evidence span reported */
#define SHORTSTR_MIN 6   /* 1-2 character literals in one expression: "e"&"v"&"a"&"l" */
#define NDECFN 8         /* user functions remembered as decoders */
#define NDEFER 4         /* sinks calling a user function, judged at the end */
#define B64_MAX 3072     /* Base64 literal bytes decoded and inspected */
#define NPARAM 6         /* parameters remembered for the function being read */
#define NWRAP 8          /* user functions remembered as sink wrappers */
#define NCALLS 8         /* calls of not-yet-known functions with request data */

/* Entropy thresholds, from the corpora in ../shared/corpus: server-side
 * benign files top out at 5.42 bits/byte whole-file and 4.62 for any
 * 512-byte whitespace-free ASCII run; Base64 of random data is ~6.0. */
#define ENT_RUN_MIN 1024
#define ENT_RUN_BITS 5.6
#define ENT_FILE_MIN 1024
#define ENT_FILE_BITS 7.2

/* ---------------------------------------------------------------------- */
/* Rules and the hit buffer. */

enum rule_id {
  RULE_REQUEST_EXEC,
  RULE_REQUEST_FILE,
  RULE_REQUEST_SQL,
  RULE_SCRIPT_WRITE,
  RULE_DECODE_EXEC,
  RULE_ENCODED_SCRIPT,
  RULE_SSI_INCLUDE,
  RULE_OAB_SCRIPT,
  RULE_ENTROPY,
  RULE_EXEC_ALIAS,
  RULE_SHELL_LITERAL,
  RULE_SHELL_COMMAND,
  RULE_COUNT
};

static const struct {
  const char *id;
  const char *title;
} k_rules[RULE_COUNT] = {
    {"exhunt.heur.request_exec", "request data reaches code or process execution"},
    {"exhunt.heur.request_file", "request data controls a file written, uploaded or sent back"},
    {"exhunt.heur.request_sql", "request data used as a whole SQL connection or query"},
    {"exhunt.heur.script_write", "page writes a file with a script or executable extension"},
    {"exhunt.heur.decode_exec", "decoded or decrypted data reaches execution"},
    {"exhunt.heur.encoded_script", "server script hidden by an encoding (Script Encoder, UTF-7)"},
    {"exhunt.heur.ssi_include", "server-side include of a non-script file"},
    {"exhunt.heur.oab_script", "Exchange virtual-directory dump with a server script in a URL "
                               "(CVE-2021-27065)"},
    {"exhunt.heur.entropy", "content entropy far outside the range for a server script"},
    {"exhunt.heur.exec_alias", "eval used as a value, hiding the call from scanners"},
    {"exhunt.heur.shell_literal", "string literal holds server-side web-shell code (dropper)"},
    {"exhunt.heur.shell_command", "command-interpreter invocation in a server-script file"},
};

/* Hits are collected here and only the most severe max_hits are handed to
 * the caller, so a flood of medium evidence cannot crowd out a critical one. */
typedef struct hitbuf {
  exh_heur_hit hits[HITS_INTERNAL];
  size_t n;
  uint8_t occ[RULE_COUNT];    /* occurrences reported per rule */
  uint8_t maxsev[RULE_COUNT]; /* highest severity reported per rule */
} hitbuf;

static void put_hit(hitbuf *hb, int rule, exhunt_severity sev, const char *tag, size_t off,
                    size_t len)
{
  if (len > EVIDENCE_MAX)
    len = EVIDENCE_MAX;
  exh_heur_hit *h;
  if (hb->n < HITS_INTERNAL) {
    h = &hb->hits[hb->n++];
  } else {
    /* full: a more severe hit takes the place of the least severe one (the
     * latest of those), so a flood of weak evidence cannot push out a
     * critical hit that comes after it */
    size_t weakest = 0;
    for (size_t i = 1; i < HITS_INTERNAL; i++)
      if (hb->hits[i].severity <= hb->hits[weakest].severity)
        weakest = i;
    if (hb->hits[weakest].severity >= sev)
      return;
    h = &hb->hits[weakest];
  }
  h->rule = k_rules[rule].id;
  h->title = k_rules[rule].title;
  h->tag = tag;
  h->severity = sev;
  h->offset = (uint64_t)off;
  h->len = len;
}

/*
 * Reports one occurrence of `rule`: a primary piece of evidence and, when
 * tag2 is not NULL, a secondary one (typically sink + source). A rule gets at
 * most PER_RULE_OCC occurrences, except that a more severe one is always
 * let through so the caller's max-severity per rule is right.
 */
static void report(hitbuf *hb, int rule, exhunt_severity sev, const char *tag1, size_t off1,
                   size_t len1, const char *tag2, size_t off2, size_t len2)
{
  bool worse = hb->occ[rule] == 0 || (uint8_t)sev > hb->maxsev[rule];
  if (hb->occ[rule] >= PER_RULE_OCC && !worse)
    return;
  if (hb->occ[rule] < UINT8_MAX)
    hb->occ[rule]++;
  if ((uint8_t)sev > hb->maxsev[rule])
    hb->maxsev[rule] = (uint8_t)sev;
  put_hit(hb, rule, sev, tag1, off1, len1);
  if (tag2)
    put_hit(hb, rule, sev, tag2, off2, len2);
}

/* ---------------------------------------------------------------------- */
/* Byte helpers. */

static inline uint8_t lc(uint8_t c)
{
  return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}
static inline bool is_alpha(uint8_t c)
{
  return (c | 32) >= 'a' && (c | 32) <= 'z';
}
static inline bool is_digit(uint8_t c)
{
  return c >= '0' && c <= '9';
}
static inline bool is_hex(uint8_t c)
{
  return is_digit(c) || ((c | 32) >= 'a' && (c | 32) <= 'f');
}
/* Bytes >= 0x80 count as identifier bytes: web shells often use GBK or
 * UTF-8 names, and splitting them into punctuation would invent tokens. */
static inline bool is_ident(uint8_t c)
{
  return is_alpha(c) || is_digit(c) || c == '_' || c >= 0x80;
}
/*
 * If the case-insensitive ASCII literal `lit` starts at d[i], returns the
 * index just past it, else 0 (a match always ends past 0). Up to three NUL
 * bytes between characters are skipped so UTF-16 text matches too; the bound
 * keeps a run of NULs from making this quadratic.
 */
static size_t lit_at(const uint8_t *d, size_t n, size_t i, const char *lit)
{
  for (const char *p = lit; *p; p++) {
    int skipped = 0;
    while (i < n && d[i] == 0 && p != lit && skipped < 3) {
      i++;
      skipped++;
    }
    if (i >= n || lc(d[i]) != (uint8_t)*p)
      return 0;
    i++;
  }
  return i;
}

/* Next index >= i that is not whitespace or NUL, or n. */
static size_t skip_ws(const uint8_t *d, size_t n, size_t i)
{
  while (i < n && (exh_is_cspace(d[i]) || d[i] == 0))
    i++;
  return i;
}

/*
 * Skipping ahead. Most bytes of a page are markup, prose or log text that no
 * pass looks at twice, so finding the next byte that can start a match is
 * where the time goes on large files. These look at eight bytes per step
 * (SWAR, plain C11) instead of one; a word that may hold a candidate is then
 * rechecked byte by byte, so the answer is exactly that of a byte loop.
 */
#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t load64(const uint8_t *p)
{
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Nonzero iff some byte of v is zero (bits above the first zero may be
 * spurious, which only costs a byte-wise recheck). */
static inline uint64_t swar_zero(uint64_t v)
{
  return (v - SWAR_ONES) & ~v & SWAR_HIGHS;
}

/*
 * Next index >= i below end whose byte, lower-cased, is the letter `a` or
 * `b` (both lower-case ASCII letters), or end. For letters, c | 0x20 == a
 * exactly when lc(c) == a, so the word test is the byte test done eight at
 * a time.
 */
static size_t next_letter2(const uint8_t *d, size_t i, size_t end, uint8_t a, uint8_t b)
{
  const uint64_t pa = SWAR_ONES * a, pb = SWAR_ONES * b, up = SWAR_ONES * 0x20u;
  while (i < end && end - i >= 8) {
    uint64_t v = load64(d + i) | up;
    if (swar_zero(v ^ pa) | swar_zero(v ^ pb))
      break;
    i += 8;
  }
  for (; i < end; i++) {
    uint8_t c = (uint8_t)(d[i] | 0x20u);
    if (c == a || c == b)
      return i;
  }
  return end;
}

/* Next index >= i below end holding byte c, or end. */
static size_t next_byte(const uint8_t *d, size_t i, size_t end, uint8_t c)
{
  if (i >= end)
    return end;
  const uint8_t *p = memchr(d + i, c, end - i);
  return p ? (size_t)(p - d) : end;
}

/* Case-insensitive search for `lit` in d[i, end); returns the start index or SIZE_MAX. */
static size_t find_ci(const uint8_t *d, size_t end, size_t i, const char *lit)
{
  uint8_t first = (uint8_t)lit[0];
  bool letter = first >= 'a' && first <= 'z';
  for (; i < end; i++) {
    /* Only a byte equal to the first character (after lc) can start a match. */
    i = letter ? next_letter2(d, i, end, first, first) : next_byte(d, i, end, first);
    if (i >= end)
      break;
    if (lit_at(d, end, i, lit))
      return i;
  }
  return SIZE_MAX;
}

/* ---------------------------------------------------------------------- */
/* Extensions. */

enum ext_class {
  EXT_PAGE,  /* markup with server regions: .aspx .asp .ascx .config "" ... */
  EXT_CODE,  /* the whole file is code after its directive: .ashx .asmx .cs .vb */
  EXT_RAZOR, /* .cshtml/.vbhtml: code and markup interleave without <% %> */
  EXT_CLIENT /* served as-is by IIS, never executed server-side: .js .css ... */
};

static bool ext_is(const char *ext, const char *const *list)
{
  for (; *list; list++) {
    const char *a = ext, *b = *list;
    while (*a && *b && lc((uint8_t)*a) == (uint8_t)*b) {
      a++;
      b++;
    }
    if (!*a && !*b)
      return true;
  }
  return false;
}

static enum ext_class classify_ext(const char *ext)
{
  static const char *const code[] = {".ashx", ".asmx", ".cs", ".vb", ".svc", NULL};
  static const char *const razor[] = {".cshtml", ".vbhtml", NULL};
  static const char *const client[] = {".js", ".mjs", ".css", ".json", ".map", ".ts", NULL};
  if (ext_is(ext, code))
    return EXT_CODE;
  if (ext_is(ext, razor))
    return EXT_RAZOR;
  if (ext_is(ext, client))
    return EXT_CLIENT;
  return EXT_PAGE;
}

/* Extensions IIS hands to a script engine: where entropy is judged. */
static bool ext_is_server_script(const char *ext)
{
  static const char *const srv[] = {".asp",  ".aspx",   ".ascx",   ".ashx", ".asmx",
                                    ".asax", ".master", ".asa",    ".cer",  ".cdx",
                                    ".inc",  ".cshtml", ".vbhtml", ".svc",  NULL};
  return ext_is(ext, srv);
}

/* ---------------------------------------------------------------------- */
/* Keywords. Sorted for bsearch; the debug check below keeps it that way. */

enum kw {
  KW_NONE = 0,
  KW_ADDCODE,
  KW_ADDSCRIPT,
  KW_AND,
  KW_APPDOMAIN,
  KW_APPENDALLTEXT,
  KW_APPLICATION,
  KW_ARGUMENTS,
  KW_AS,
  KW_ASSEMBLY,
  KW_AWAIT,
  KW_BINARYREAD,
  KW_BODY,
  KW_CACHE,
  KW_CALL,
  KW_CASE,
  KW_CHR,
  KW_CHRB,
  KW_CHRW,
  KW_COMMANDTEXT,
  KW_COMPILEASSEMBLYFROMSOURCE,
  KW_CONNECTIONSTRING,
  KW_COOKIES,
  KW_CREATE,
  KW_CREATEDECRYPTOR,
  KW_CREATETEXT,
  KW_CREATETEXTFILE,
  KW_CURRENTDOMAIN,
  KW_DEFLATESTREAM,
  KW_DO,
  KW_ELSE,
  KW_ELSEIF,
  KW_EVAL,
  KW_EXEC,
  KW_EXECUTE,
  KW_EXECUTEGLOBAL,
  KW_EXECUTESTATEMENT,
  KW_FILE,
  KW_FILENAME,
  KW_FILES,
  KW_FILESTREAM,
  KW_FORM,
  KW_FROMCHARCODE,
  KW_FROMBASE64STRING,
  KW_FUNCTION,
  KW_GETMETHOD,
  KW_GZIPSTREAM,
  KW_HEADERS,
  KW_IF,
  KW_INPUTSTREAM,
  KW_INVOKE,
  KW_ITEM,
  KW_JSCRIPTEVALUATE,
  KW_LOAD,
  KW_LOADFILE,
  KW_LOADFROM,
  KW_MAPPATH,
  KW_MODIFYDATE,
  KW_NEW,
  KW_NOT,
  KW_ODBCCOMMAND,
  KW_ODBCCONNECTION,
  KW_OLEDBCOMMAND,
  KW_OLEDBCONNECTION,
  KW_OLEDBDATAADAPTER,
  KW_OPEN,
  KW_OPENTEXTFILE,
  KW_OR,
  KW_PARAMS,
  KW_PROCESS,
  KW_PROCESSSTARTINFO,
  KW_QUERY,
  KW_QUERYSTRING,
  KW_READALLBYTES,
  KW_READALLTEXT,
  KW_REPLACE,
  KW_REQUEST,
  KW_RETURN,
  KW_RUN,
  KW_SAVEAS,
  KW_SAVETOFILE,
  KW_SERVER,
  KW_SERVERVARIABLES,
  KW_SESSION,
  KW_SHELL,
  KW_SHELLEXECUTE,
  KW_SQLCOMMAND,
  KW_SQLCONNECTION,
  KW_SQLDATAADAPTER,
  KW_STANDARDINPUT,
  KW_START,
  KW_STARTINFO,
  KW_STREAMWRITER,
  KW_STRREVERSE,
  KW_SUB,
  KW_TEXT,
  KW_THEN,
  KW_TRANSFORMFINALBLOCK,
  KW_TRANSMITFILE,
  KW_UNESCAPE,
  KW_UNSAFELOADFROM,
  KW_UNTIL,
  KW_VIEWSTATE,
  KW_WEBMETHOD,
  KW_WEBMETHODATTRIBUTE,
  KW_WHILE,
  KW_WRITE,
  KW_WRITEALLBYTES,
  KW_WRITEALLLINES,
  KW_WRITEALLTEXT,
  KW_WRITEFILE,
  KW_WRITELINE,
  KW_YIELD,
  KW_COUNT
};

typedef struct kwent {
  const char *s;
  uint8_t id;
} kwent;

static const kwent k_kw[] = {
    {"addcode", KW_ADDCODE},
    {"addscript", KW_ADDSCRIPT},
    {"and", KW_AND},
    {"appdomain", KW_APPDOMAIN},
    {"appendalltext", KW_APPENDALLTEXT},
    {"application", KW_APPLICATION},
    {"arguments", KW_ARGUMENTS},
    {"as", KW_AS},
    {"assembly", KW_ASSEMBLY},
    {"await", KW_AWAIT},
    {"binaryread", KW_BINARYREAD},
    {"body", KW_BODY},
    {"cache", KW_CACHE},
    {"call", KW_CALL},
    {"case", KW_CASE},
    {"chr", KW_CHR},
    {"chrb", KW_CHRB},
    {"chrw", KW_CHRW},
    {"commandtext", KW_COMMANDTEXT},
    {"compileassemblyfromsource", KW_COMPILEASSEMBLYFROMSOURCE},
    {"connectionstring", KW_CONNECTIONSTRING},
    {"cookies", KW_COOKIES},
    {"create", KW_CREATE},
    {"createdecryptor", KW_CREATEDECRYPTOR},
    {"createtext", KW_CREATETEXT},
    {"createtextfile", KW_CREATETEXTFILE},
    {"currentdomain", KW_CURRENTDOMAIN},
    {"deflatestream", KW_DEFLATESTREAM},
    {"do", KW_DO},
    {"else", KW_ELSE},
    {"elseif", KW_ELSEIF},
    {"eval", KW_EVAL},
    {"exec", KW_EXEC},
    {"execute", KW_EXECUTE},
    {"executeglobal", KW_EXECUTEGLOBAL},
    {"executestatement", KW_EXECUTESTATEMENT},
    {"file", KW_FILE},
    {"filename", KW_FILENAME},
    {"files", KW_FILES},
    {"filestream", KW_FILESTREAM},
    {"form", KW_FORM},
    {"frombase64string", KW_FROMBASE64STRING},
    {"fromcharcode", KW_FROMCHARCODE},
    {"function", KW_FUNCTION},
    {"getmethod", KW_GETMETHOD},
    {"gzipstream", KW_GZIPSTREAM},
    {"headers", KW_HEADERS},
    {"if", KW_IF},
    {"inputstream", KW_INPUTSTREAM},
    {"invoke", KW_INVOKE},
    {"item", KW_ITEM},
    {"jscriptevaluate", KW_JSCRIPTEVALUATE},
    {"load", KW_LOAD},
    {"loadfile", KW_LOADFILE},
    {"loadfrom", KW_LOADFROM},
    {"mappath", KW_MAPPATH},
    {"modifydate", KW_MODIFYDATE},
    {"new", KW_NEW},
    {"not", KW_NOT},
    {"odbccommand", KW_ODBCCOMMAND},
    {"odbcconnection", KW_ODBCCONNECTION},
    {"oledbcommand", KW_OLEDBCOMMAND},
    {"oledbconnection", KW_OLEDBCONNECTION},
    {"oledbdataadapter", KW_OLEDBDATAADAPTER},
    {"open", KW_OPEN},
    {"opentextfile", KW_OPENTEXTFILE},
    {"or", KW_OR},
    {"params", KW_PARAMS},
    {"process", KW_PROCESS},
    {"processstartinfo", KW_PROCESSSTARTINFO},
    {"query", KW_QUERY},
    {"querystring", KW_QUERYSTRING},
    {"readallbytes", KW_READALLBYTES},
    {"readalltext", KW_READALLTEXT},
    {"replace", KW_REPLACE},
    {"request", KW_REQUEST},
    {"return", KW_RETURN},
    {"run", KW_RUN},
    {"saveas", KW_SAVEAS},
    {"savetofile", KW_SAVETOFILE},
    {"server", KW_SERVER},
    {"servervariables", KW_SERVERVARIABLES},
    {"session", KW_SESSION},
    {"shell", KW_SHELL},
    {"shellexecute", KW_SHELLEXECUTE},
    {"sqlcommand", KW_SQLCOMMAND},
    {"sqlconnection", KW_SQLCONNECTION},
    {"sqldataadapter", KW_SQLDATAADAPTER},
    {"standardinput", KW_STANDARDINPUT},
    {"start", KW_START},
    {"startinfo", KW_STARTINFO},
    {"streamwriter", KW_STREAMWRITER},
    {"strreverse", KW_STRREVERSE},
    {"sub", KW_SUB},
    {"text", KW_TEXT},
    {"then", KW_THEN},
    {"transformfinalblock", KW_TRANSFORMFINALBLOCK},
    {"transmitfile", KW_TRANSMITFILE},
    {"unescape", KW_UNESCAPE},
    {"unsafeloadfrom", KW_UNSAFELOADFROM},
    {"until", KW_UNTIL},
    {"viewstate", KW_VIEWSTATE},
    {"webmethod", KW_WEBMETHOD},
    {"webmethodattribute", KW_WEBMETHODATTRIBUTE},
    {"while", KW_WHILE},
    {"write", KW_WRITE},
    {"writeallbytes", KW_WRITEALLBYTES},
    {"writealllines", KW_WRITEALLLINES},
    {"writealltext", KW_WRITEALLTEXT},
    {"writefile", KW_WRITEFILE},
    {"writeline", KW_WRITELINE},
    {"yield", KW_YIELD},
};

#define NKW (sizeof k_kw / sizeof k_kw[0])

/* Runs for every identifier lexed, so it walks the two strings once instead
 * of calling strlen and memcmp; same order as memcmp on unsigned bytes. */
static int kw_cmp(const char *a, size_t alen, const char *b)
{
  for (size_t i = 0; i < alen; i++) {
    uint8_t x = (uint8_t)a[i], y = (uint8_t)b[i];
    if (y == 0)
      return 1; /* b is a proper prefix of a */
    if (x != y)
      return x < y ? -1 : 1;
  }
  return b[alen] ? -1 : 0;
}

/* Shortest and longest keyword ("as", "compileassemblyfromsource"): most
 * identifiers are rejected by length without a search. */
#define KW_LEN_MIN 2
#define KW_LEN_MAX 25

static uint8_t kw_lookup(const char *s, size_t len)
{
  if (len < KW_LEN_MIN || len > KW_LEN_MAX)
    return KW_NONE;
  size_t lo = 0, hi = NKW;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = kw_cmp(s, len, k_kw[mid].s);
    if (c == 0)
      return k_kw[mid].id;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return KW_NONE;
}

#ifndef NDEBUG
static bool kw_table_sorted(void)
{
  for (size_t i = 1; i < NKW; i++)
    if (strcmp(k_kw[i - 1].s, k_kw[i].s) >= 0)
      return false;
  for (size_t i = 0; i < NKW; i++)
    if (strlen(k_kw[i].s) < KW_LEN_MIN || strlen(k_kw[i].s) > KW_LEN_MAX)
      return false;
  return NKW == KW_COUNT - 1;
}
#endif

/* ---------------------------------------------------------------------- */
/* The code pass: regions, tokens, captures, taint. */

enum region {
  R_OUT,     /* markup */
  R_ASP,     /* <% ... %> */
  R_SSCRIPT, /* <script runat="server"> ... </script> */
  R_CSCRIPT, /* client-side <script> ... </script>: skipped, except nested <% %> */
  R_CODE     /* whole-file code (.ashx, .asmx, .cshtml) */
};

enum tkind { T_NONE, T_IDENT, T_PUNCT, T_STRING, T_NUM };

typedef struct token {
  uint8_t kind;
  uint8_t ch;     /* punctuation byte */
  uint8_t kw;     /* keyword id for identifiers */
  uint8_t len;    /* bytes in text */
  bool nl_before; /* a newline separated it from the previous token */
  bool dec;       /* identifier: a decoder (see ident_is_decoder) */
  bool reqcode;   /* string: its text is code reading the request */
  bool shortlit;  /* string: 1-2 characters, a piece of a split name */
  char text[IDENT_MAX];
  size_t off, end; /* span in the input */
} token;

enum sink {
  SINK_EXEC,    /* eval, Execute, Assembly.Load, CodeDom, ScriptControl, PowerShell */
  SINK_PROC,    /* Process.Start, ProcessStartInfo, WScript.Shell */
  SINK_FILEW,   /* file write or upload save */
  SINK_FILER,   /* file streamed back to the client */
  SINK_SQLCONN, /* connection string */
  SINK_SQLCMD   /* whole SQL command */
};

/* How a sink takes its input. */
#define FORM_CALL 1u /* f(...) */
#define FORM_STMT 2u /* VBScript statement: Execute Request("x") */
#define FORM_PROP 4u /* property store: p.StartInfo.Arguments = ... */

enum capmode {
  M_PAREN, /* a call's argument list: ends at the matching closer */
  M_STMT,  /* a VBScript statement or assignment: ends at ; : newline or %> */
};

/* Capture flags: what was seen inside the watched expression. */
#define F_REQ 0x001u       /* Request(...), Request.Form, ... */
#define F_USER 0x002u      /* a server control's .Text (posted form field) */
#define F_TREQ 0x004u      /* a variable tainted by request data */
#define F_TUSER 0x008u     /* a variable tainted by .Text */
#define F_DEC 0x010u       /* a decoder call (Base64, unescape, decrypt...) */
#define F_TDEC 0x020u      /* a variable holding decoded data */
#define F_SCRIPTEXT 0x040u /* a string literal ending in a server-script extension */
#define F_FIRSTSRC 0x080u  /* the expression starts with a source or tainted name */
#define F_NEAR 0x100u      /* the taint was set within NEAR_WINDOW bytes */
#define F_WHOLE 0x200u     /* taint only: the value *is* the input (x = Request("q").Trim()) */
#define F_PARAM 0x400u     /* a parameter of the enclosing function */

typedef struct capture {
  bool is_sink;
  bool skip_next; /* the token that opened it (`(` or `=`) is not inside */
  uint8_t sink;
  uint8_t mode;
  int depth;        /* paren depth the capture was opened at */
  size_t start;     /* sink identifier or assignment target */
  size_t first_tok; /* offset of the first token inside, or SIZE_MAX */
  uint32_t flags;
  unsigned chr;           /* Chr()-family calls */
  unsigned shortstr;      /* 1-2 character string literals */
  char callee[IDENT_MAX]; /* the user function whose result is the input, if any */
  uint8_t callee_len;
  size_t src_off, src_len; /* first source evidence */
  size_t dec_off, dec_len; /* first decoder evidence */
  char name[IDENT_MAX];    /* assignment target */
  uint8_t name_len;
} capture;

typedef struct taint {
  char name[IDENT_MAX];
  uint8_t len;
  uint32_t flags; /* F_REQ, F_USER, F_DEC, F_SCRIPTEXT of the assigned value */
  size_t set_off; /* where the assignment happened */
  size_t src_off, src_len;
} taint;

typedef struct cscan {
  const uint8_t *d;
  size_t n;
  size_t i;
  enum ext_class ec;
  int region, ret_region, base_region;
  int depth;
  uint8_t owner[DEPTH_MAX];              /* keyword of the identifier before each open ( or [ */
  char owner_text[DEPTH_MAX][IDENT_MAX]; /* that identifier, when a user name */
  uint8_t owner_len[DEPTH_MAX];
  size_t owner_off[DEPTH_MAX];
  uint8_t closed_owner;     /* owner of the group just closed */
  token ring[4];            /* storage for the previous tokens */
  token *t1, *t2, *t3, *t4; /* the four previous tokens, t1 the latest */
  bool nl_pending;
  /* pending multi-token patterns */
  int req_state; /* 1: saw `request`, 2: saw `request .` */
  size_t req_off;
  bool text_pending; /* saw `ident . text` */
  size_t text_off, text_end;
  int sink_pending;    /* -1 none, else enum sink awaiting the next token */
  unsigned sink_forms; /* FORM_* the pending sink accepts */
  size_t sink_off;
  bool alias_pending; /* saw `: eval`, `= eval`, `return eval`... */
  size_t alias_off;
  int bdepth;        /* brace depth */
  bool in_new;       /* inside `new A.B.C` */
  bool reflect_load; /* GetMethod("Load") seen: .Invoke is Assembly.Load */
  /* The function header being read (see fn_step). */
  int fh_state;
  int fh_depth;
  bool fh_typed; /* inside a parameter's type annotation */
  char fh_name[IDENT_MAX];
  uint8_t fh_name_len;
  char fh_params[NPARAM][IDENT_MAX];
  uint8_t fh_plen[NPARAM];
  int fh_np;
  /* The function whose body is being read. */
  bool in_func;
  bool cur_braced;
  int cur_bdepth;
  char cur_func[IDENT_MAX];
  uint8_t cur_func_len;
  char cur_params[NPARAM][IDENT_MAX];
  uint8_t cur_plen[NPARAM];
  int cur_np;
  struct {
    char name[IDENT_MAX];
    uint8_t len;
    uint8_t sink;
  } wrap[NWRAP]; /* functions that pass a parameter to a sink */
  int wrap_next;
  struct {
    char name[IDENT_MAX];
    uint8_t len;
    uint32_t flags;
    size_t off, src_off, src_len;
  } calls[NCALLS]; /* f(Request(..)) where f is not (yet) a known wrapper */
  int ncalls;
  struct {
    char name[IDENT_MAX];
    uint8_t len;
  } decfn[NDECFN]; /* functions whose body decodes */
  int decfn_next;
  struct {
    char name[IDENT_MAX];
    uint8_t len;
    size_t off, end;
  } defer[NDEFER]; /* sinks fed by a user function's result */
  int ndefer;
  bool literal_reported;
  int wm_state; /* [WebMethod] parameter tainting */
  int wm_depth;
  bool wshell;   /* "WScript.Shell"/"Shell.Application" seen */
  bool procseen; /* ProcessStartInfo/StartInfo seen */
  bool adoconn;  /* "ADODB.Connection" seen: .Open takes a connection string */
  capture caps[NCAPS];
  int ncaps;
  taint taints[NTAINT];
  int taint_next;
  hitbuf *hb;
} cscan;

static bool tok_is(const token *t, int kind, uint8_t ch)
{
  return t->kind == kind && t->ch == ch;
}
static bool tok_punct(const token *t, uint8_t ch)
{
  return tok_is(t, T_PUNCT, ch);
}

static bool ident_text_is(const token *t, const char *w)
{
  size_t n = strlen(w);
  return t->kind == T_IDENT && t->len == n && memcmp(t->text, w, n) == 0;
}

/* --- taint -------------------------------------------------------------- */

static taint *taint_find(cscan *s, const char *name, size_t len)
{
  if (len == 0)
    return NULL;
  for (int k = 0; k < NTAINT; k++) {
    taint *t = &s->taints[k];
    /* Runs per identifier; short names share lengths, so test a byte
     * before paying for a memcmp call. */
    if (t->len == len && t->name[0] == name[0] && memcmp(t->name, name, len) == 0)
      return t;
  }
  return NULL;
}

static void taint_add(cscan *s, const char *name, size_t len, uint32_t flags, size_t set_off,
                      size_t src_off, size_t src_len)
{
  if (len == 0 || len >= IDENT_MAX || flags == 0)
    return;
  taint *t = taint_find(s, name, len);
  if (!t) {
    t = &s->taints[s->taint_next];
    s->taint_next = (s->taint_next + 1) % NTAINT;
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, len);
    t->len = (uint8_t)len;
    t->src_off = src_off;
    t->src_len = src_len;
  }
  /* Flow-insensitive on purpose: a later clean assignment does not untaint. */
  t->flags |= flags;
  t->set_off = set_off;
}

/* --- user functions that decode ------------------------------------------ */

static bool decfn_has(const cscan *s, const char *name, size_t len)
{
  for (int k = 0; k < NDECFN; k++)
    if (len && s->decfn[k].len == len && memcmp(s->decfn[k].name, name, len) == 0)
      return true;
  return false;
}

static void decfn_add(cscan *s, const char *name, size_t len)
{
  if (len == 0 || len >= IDENT_MAX || decfn_has(s, name, len))
    return;
  memcpy(s->decfn[s->decfn_next].name, name, len);
  s->decfn[s->decfn_next].len = (uint8_t)len;
  s->decfn_next = (s->decfn_next + 1) % NDECFN;
}

static int wrap_find(const cscan *s, const char *name, size_t len)
{
  for (int k = 0; k < NWRAP; k++)
    if (len && s->wrap[k].len == len && s->wrap[k].name[0] == name[0] &&
        memcmp(s->wrap[k].name, name, len) == 0)
      return s->wrap[k].sink;
  return -1;
}

static void wrap_add(cscan *s, const char *name, size_t len, int sink)
{
  if (len == 0 || len >= IDENT_MAX || wrap_find(s, name, len) >= 0)
    return;
  memcpy(s->wrap[s->wrap_next].name, name, len);
  s->wrap[s->wrap_next].len = (uint8_t)len;
  s->wrap[s->wrap_next].sink = (uint8_t)sink;
  s->wrap_next = (s->wrap_next + 1) % NWRAP;
}

static bool is_param(const cscan *s, const char *name, size_t len)
{
  if (!s->in_func)
    return false;
  for (int k = 0; k < s->cur_np; k++)
    if (s->cur_plen[k] == len && memcmp(s->cur_params[k], name, len) == 0)
      return true;
  return false;
}

/* --- captures ------------------------------------------------------------ */

static capture *cap_open(cscan *s, bool is_sink, int sink, int mode, size_t start, const char *name,
                         size_t name_len)
{
  if (s->ncaps >= NCAPS) {
    /* Nesting deeper than NCAPS: keep the outer captures, which carry the
     * sinks; the innermost expression is still seen by all of them. */
    return NULL;
  }
  capture *c = &s->caps[s->ncaps++];
  memset(c, 0, sizeof *c);
  c->is_sink = is_sink;
  c->sink = (uint8_t)sink;
  c->mode = (uint8_t)mode;
  c->depth = s->depth;
  c->start = start;
  c->first_tok = SIZE_MAX;
  c->src_off = SIZE_MAX;
  c->dec_off = SIZE_MAX;
  if (name && name_len < IDENT_MAX) {
    memcpy(c->name, name, name_len);
    c->name_len = (uint8_t)name_len;
  }
  return c;
}

static void cap_mark(capture *c, uint32_t f, size_t off, size_t len)
{
  c->flags |= f;
  if ((f & (F_REQ | F_USER | F_TREQ | F_TUSER)) && c->src_off == SIZE_MAX) {
    c->src_off = off;
    c->src_len = len;
  }
  if ((f & (F_DEC | F_TDEC)) && c->dec_off == SIZE_MAX) {
    c->dec_off = off;
    c->dec_len = len;
  }
  if ((f & (F_REQ | F_USER | F_TREQ | F_TUSER)) && off == c->first_tok)
    c->flags |= F_FIRSTSRC;
}

/*
 * Request data passed straight to a user function: `ExecuteCommand(txt.Text)`.
 * If the function turns out (possibly further down) to hand that parameter to
 * a sink, the call is that sink; decided at the end of the scan.
 */
static void note_call_source(cscan *s, uint32_t f, size_t off, size_t len)
{
  int d = s->depth - 1;
  if (d < 0 || d >= DEPTH_MAX || s->owner_len[d] == 0 || s->ncalls >= NCALLS)
    return;
  if (wrap_find(s, s->owner_text[d], s->owner_len[d]) >= 0)
    return; /* already a known sink: the capture path reports it */
  for (int k = 0; k < s->ncalls; k++)
    if (s->calls[k].len == s->owner_len[d] &&
        memcmp(s->calls[k].name, s->owner_text[d], s->owner_len[d]) == 0)
      return;
  memcpy(s->calls[s->ncalls].name, s->owner_text[d], s->owner_len[d]);
  s->calls[s->ncalls].len = s->owner_len[d];
  s->calls[s->ncalls].flags = f;
  s->calls[s->ncalls].off = s->owner_off[d];
  s->calls[s->ncalls].src_off = off;
  s->calls[s->ncalls].src_len = len;
  s->ncalls++;
}

/* A source seen at [off, end): every open capture that began before it sees it. */
static void mark_source(cscan *s, uint32_t f, size_t off, size_t end)
{
  note_call_source(s, f, off, end - off);
  for (int k = 0; k < s->ncaps; k++) {
    capture *c = &s->caps[k];
    if (c->first_tok != SIZE_MAX && off >= c->first_tok)
      cap_mark(c, f, off, end - off);
  }
}

static void eval_sink(cscan *s, const capture *c, size_t end)
{
  uint32_t f = c->flags;
  size_t slen = end > c->start ? end - c->start : 0;
  bool src_direct = (f & (F_REQ | F_USER)) != 0;
  bool src_any = (f & (F_REQ | F_USER | F_TREQ | F_TUSER)) != 0;
  bool decoded = (f & (F_DEC | F_TDEC)) != 0 || c->chr >= CHR_MIN || c->shortstr >= SHORTSTR_MIN;
  size_t so = c->src_off == SIZE_MAX ? c->start : c->src_off;
  size_t sl = c->src_off == SIZE_MAX ? 0 : c->src_len;

  /* A function that hands its own parameter to a sink is that sink for its
   * callers: getCommandOutput(cmd) { ... shell.Exec(cmd) ... }. */
  if ((f & F_PARAM) && s->in_func && c->sink != SINK_SQLCMD)
    wrap_add(s, s->cur_func, s->cur_func_len, c->sink);

  switch (c->sink) {
  case SINK_EXEC:
  case SINK_PROC:
    if (src_any) {
      exhunt_severity sev;
      if (f & F_REQ)
        sev = EXHUNT_SEV_CRITICAL;
      else if ((f & F_USER) || (f & F_NEAR))
        sev = EXHUNT_SEV_HIGH;
      else
        sev = EXHUNT_SEV_MEDIUM;
      report(s->hb, RULE_REQUEST_EXEC, sev, "sink", c->start, slen, "source", so, sl);
    }
    if (decoded) {
      size_t d_off = c->dec_off == SIZE_MAX ? c->start : c->dec_off;
      size_t d_len = c->dec_off == SIZE_MAX ? slen : c->dec_len;
      report(s->hb, RULE_DECODE_EXEC, EXHUNT_SEV_HIGH, "sink", c->start, slen, "decoder", d_off,
             d_len);
    } else if (c->callee_len && s->ndefer < NDEFER) {
      /* Execute F("..."): whether F decodes may only be known once its body
       * (possibly further down the file) has been read. */
      memcpy(s->defer[s->ndefer].name, c->callee, c->callee_len);
      s->defer[s->ndefer].len = c->callee_len;
      s->defer[s->ndefer].off = c->start;
      s->defer[s->ndefer].end = end;
      s->ndefer++;
    }
    break;
  case SINK_FILEW:
    if (f & F_SCRIPTEXT)
      report(s->hb, RULE_SCRIPT_WRITE, src_any ? EXHUNT_SEV_HIGH : EXHUNT_SEV_MEDIUM, "sink",
             c->start, slen, src_any ? "source" : NULL, so, sl);
    /* fallthrough */
  case SINK_FILER:
    /* A path that *is* the input (`SaveAs(txtPath.Text)`,
     * `WriteFile(Request["f"])`) is a file manager; input joined under a
     * fixed folder (`MapPath("~/files/" + Request["f"])`) is an ordinary
     * download handler, perhaps with a traversal bug: low. */
    if (src_any)
      report(s->hb, RULE_REQUEST_FILE, (f & F_FIRSTSRC) ? EXHUNT_SEV_MEDIUM : EXHUNT_SEV_LOW,
             "sink", c->start, slen, "source", so, sl);
    break;
  case SINK_SQLCONN:
    /* Letting the visitor choose the database server and credentials is what
     * SQL-client web shells do; applications read connection strings from
     * configuration. */
    if (src_any)
      report(s->hb, RULE_REQUEST_SQL,
             (src_direct || (f & F_NEAR)) ? EXHUNT_SEV_HIGH : EXHUNT_SEV_MEDIUM, "sink", c->start,
             slen, "source", so, sl);
    break;
  case SINK_SQLCMD:
    /* Only a query that *is* the input: `"... where id=" + Request["id"]` is
     * an injection bug in an ordinary page, not a shell. */
    if (src_any && (f & F_FIRSTSRC))
      report(s->hb, RULE_REQUEST_SQL, EXHUNT_SEV_MEDIUM, "sink", c->start, slen, "source", so, sl);
    break;
  default:
    break;
  }
}

static void cap_close(cscan *s, int k, size_t end)
{
  capture c = s->caps[k];
  /* Remove first so taint_add/eval see a consistent set. */
  for (int j = k; j + 1 < s->ncaps; j++)
    s->caps[j] = s->caps[j + 1];
  s->ncaps--;

  if (c.is_sink) {
    eval_sink(s, &c, end);
    return;
  }
  uint32_t tf = 0;
  if (c.flags & (F_REQ | F_TREQ))
    tf |= F_REQ;
  if (c.flags & (F_USER | F_TUSER))
    tf |= F_USER;
  if ((c.flags & (F_DEC | F_TDEC)) || c.chr >= CHR_MIN || c.shortstr >= SHORTSTR_MIN)
    tf |= F_DEC;
  tf |= c.flags & F_SCRIPTEXT;
  if ((tf & (F_REQ | F_USER)) && (c.flags & F_FIRSTSRC))
    tf |= F_WHOLE;
  if (tf)
    taint_add(s, c.name, c.name_len, tf, c.start, c.src_off == SIZE_MAX ? c.start : c.src_off,
              c.src_off == SIZE_MAX ? 0 : c.src_len);
}

static void caps_close_all(cscan *s, size_t end)
{
  while (s->ncaps > 0)
    cap_close(s, s->ncaps - 1, end);
}

/* --- token classification ------------------------------------------------- */

/* Decoders: a call to one of these inside an expression means the value is
 * produced from an encoded form. User functions are matched by name because
 * shells carry their own (Decrypt_PRO, Base64Decode, UnEncode...). */
static bool ident_is_decoder(const token *t)
{
  switch (t->kw) {
  case KW_FROMCHARCODE:
  case KW_UNESCAPE:
  case KW_STRREVERSE:
  case KW_CREATEDECRYPTOR:
  case KW_TRANSFORMFINALBLOCK:
  case KW_GZIPSTREAM:
  case KW_DEFLATESTREAM:
    return true;
  default:
    break;
  }
  /* This runs for every identifier. Every pattern is at least 6 bytes and
   * starts with 'b', 'd' or 'u', so short names and positions holding other
   * letters are passed over without a comparison; every benign name
   * contains "decode", so it is only checked once that matched. */
  size_t len = t->len;
  if (len < 6)
    return false;
  bool hit = false;
  for (size_t i = 0; i + 6 <= len && !hit; i++) {
    const char *x = t->text + i;
    size_t rest = len - i;
    switch (x[0]) {
    case 'b':
      hit = memcmp(x, "base64", 6) == 0;
      break;
    case 'd':
      hit = memcmp(x, "decode", 6) == 0 ||
            (rest >= 7 && (memcmp(x, "decrypt", 7) == 0 || memcmp(x, "deobfus", 7) == 0));
      break;
    case 'u':
      hit = rest >= 8 && memcmp(x, "unencode", 8) == 0;
      break;
    default:
      break;
    }
  }
  if (!hit)
    return false;
  static const char *const benign[] = {
      "htmldecode", "urldecode", "htmlattributedecode", "urlpathdecode", "javascriptstringdecode",
      NULL};
  for (const char *const *b = benign; *b; b++)
    if (strlen(*b) == len && memcmp(t->text, *b, len) == 0)
      return false;
  return true;
}

static bool is_chr(uint8_t kw)
{
  return kw == KW_CHR || kw == KW_CHRW || kw == KW_CHRB;
}

/* Members of Request that carry client-controlled data. */
static bool is_request_member(uint8_t kw)
{
  switch (kw) {
  case KW_FORM:
  case KW_QUERYSTRING:
  case KW_QUERY:
  case KW_ITEM:
  case KW_PARAMS:
  case KW_HEADERS:
  case KW_COOKIES:
  case KW_INPUTSTREAM:
  case KW_BINARYREAD:
  case KW_SERVERVARIABLES:
  case KW_BODY:
    return true;
  default:
    return false;
  }
}

/* Identifiers that may legitimately stand right before a call such as
 * eval(...): anything else there means a declaration (`void Execute(`). */
static bool call_may_follow(const token *t, const token *cur)
{
  if (t->kind != T_IDENT || cur->nl_before)
    return true;
  switch (t->kw) {
  case KW_RETURN:
  case KW_THEN:
  case KW_ELSE:
  case KW_CALL:
  case KW_DO:
  case KW_AWAIT:
  case KW_YIELD:
  case KW_AND:
  case KW_OR:
  case KW_NOT:
  case KW_CASE:
    return true;
  default:
    return false;
  }
}

/* A string literal's content ends in an extension IIS executes. */
static bool string_has_script_ext(const uint8_t *d, size_t a, size_t b)
{
#define SCRIPT_EXT(x)                                                                              \
  {                                                                                                \
    x, sizeof x - 1                                                                                \
  }
  static const struct {
    char s[8];
    uint8_t len;
  } exts[] = {SCRIPT_EXT(".aspx"), SCRIPT_EXT(".asp"),    SCRIPT_EXT(".ashx"), SCRIPT_EXT(".asmx"),
              SCRIPT_EXT(".ascx"), SCRIPT_EXT(".asa"),    SCRIPT_EXT(".asax"), SCRIPT_EXT(".cer"),
              SCRIPT_EXT(".cdx"),  SCRIPT_EXT(".cshtml"), SCRIPT_EXT(".svc"),  SCRIPT_EXT(".php"),
              SCRIPT_EXT(".jsp"),  SCRIPT_EXT(".vbs"),    SCRIPT_EXT(".bat"),  SCRIPT_EXT(".cmd"),
              SCRIPT_EXT(".ps1"),  SCRIPT_EXT(".hta"),    SCRIPT_EXT(".exe"),  SCRIPT_EXT(".dll")};
#undef SCRIPT_EXT
  while (b > a && (d[b - 1] == 0 || exh_is_cspace(d[b - 1])))
    b--;
  /* This runs for every literal inside a capture, so the literal's last
   * non-NUL bytes (NULs skipped for UTF-16) are lower-cased once into
   * `tail`, right-aligned, and each extension compared against its end. */
  char tail[8];
  size_t t = 0;
  for (size_t j = b; j > a && t < sizeof tail; j--)
    if (d[j - 1])
      tail[sizeof tail - 1 - t++] = (char)lc(d[j - 1]);
  for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++)
    if (exts[e].len <= t && tail[sizeof tail - exts[e].len] == '.' &&
        memcmp(tail + sizeof tail - exts[e].len, exts[e].s, exts[e].len) == 0)
      return true;
  return false;
}

/* --- the pattern step -------------------------------------------------------- */

/* Called with the token that follows a sink identifier. */
static void resolve_sink(cscan *s, const token *cur)
{
  int sink = s->sink_pending;
  unsigned forms = s->sink_forms;
  s->sink_pending = -1;
  if (sink < 0 || (cur->nl_before && !tok_punct(cur, '(')))
    return; /* JScript/C# may break a line before `(`; VBScript ends statements there */
  if (tok_punct(cur, '(')) {
    if (forms & (FORM_CALL | FORM_STMT)) {
      capture *c = cap_open(s, true, sink, M_PAREN, s->sink_off, NULL, 0);
      if (c)
        c->skip_next = true;
    }
    return;
  }
  if (tok_punct(cur, '=')) {
    /* For call-style sinks an `=` means a variable that happens to be
     * named eval or execute. */
    size_t j = skip_ws(s->d, s->n, cur->end);
    bool cmp = j < s->n && (s->d[j] == '=' || s->d[j] == '>');
    if ((forms & FORM_PROP) && !cmp) {
      capture *c = cap_open(s, true, sink, M_STMT, s->sink_off, NULL, 0);
      if (c)
        c->skip_next = true;
    }
    return;
  }
  if (cur->kind == T_PUNCT || !(forms & FORM_STMT))
    return; /* `.`, `)`, `;`, `,` ...: a reference, not a call */
  /* VBScript statement form: `Execute Request("x")`, `eval request("x")`. */
  cap_open(s, true, sink, M_STMT, s->sink_off, NULL, 0);
}

/* Decides whether identifier `cur` (with t1, t2 before it) is a sink, and
 * which syntactic forms it takes its input in (*forms). */
static int sink_of(cscan *s, const token *cur, unsigned *forms)
{
  const token *p1 = s->t1, *p2 = s->t2;
  bool dot = tok_punct(p1, '.') && !cur->nl_before;
  const unsigned CS = FORM_CALL | FORM_STMT;
  *forms = FORM_CALL;
  switch (cur->kw) {
  case KW_EVAL:
  case KW_EXECUTE:
  case KW_EXECUTEGLOBAL:
    *forms = CS;
    if (dot) {
      /* conn.Execute(sql) is ADO, not VBScript's Execute statement;
       * Server.Execute runs another page. */
      if (cur->kw == KW_EXECUTE && p2->kw != KW_SERVER)
        return SINK_SQLCMD;
      return -1;
    }
    return call_may_follow(p1, cur) ? SINK_EXEC : -1;
  case KW_JSCRIPTEVALUATE:
  case KW_COMPILEASSEMBLYFROMSOURCE:
    *forms = CS;
    return SINK_EXEC;
  case KW_ADDSCRIPT:
  case KW_ADDCODE:
  case KW_EXECUTESTATEMENT:
    *forms = CS;
    return dot ? SINK_EXEC : -1;
  case KW_LOAD:
  case KW_LOADFROM:
  case KW_LOADFILE:
  case KW_UNSAFELOADFROM:
    if (dot && (p2->kw == KW_ASSEMBLY || p2->kw == KW_CURRENTDOMAIN || p2->kw == KW_APPDOMAIN))
      return SINK_EXEC;
    return -1;
  case KW_START:
    return (dot && p2->kw == KW_PROCESS) ? SINK_PROC : -1;
  case KW_PROCESSSTARTINFO:
    s->procseen = true;
    return SINK_PROC;
  case KW_ARGUMENTS:
    *forms = FORM_PROP;
    return SINK_PROC;
  case KW_FILENAME:
    *forms = FORM_PROP;
    return (dot && (p2->kw == KW_STARTINFO || s->procseen)) ? SINK_PROC : -1;
  case KW_EXEC:
  case KW_RUN:
    *forms = CS;
    return (dot && s->wshell) ? SINK_PROC : -1;
  case KW_SHELLEXECUTE:
    *forms = CS;
    return dot ? SINK_PROC : -1;
  case KW_SHELL:
    return (!dot && call_may_follow(p1, cur)) ? SINK_PROC : -1;
  case KW_WRITEALLTEXT:
  case KW_WRITEALLBYTES:
  case KW_APPENDALLTEXT:
  case KW_WRITEALLLINES:
  case KW_SAVEAS:
  case KW_SAVETOFILE:
  case KW_CREATETEXTFILE:
  case KW_OPENTEXTFILE:
    *forms = CS;
    return dot ? SINK_FILEW : -1;
  case KW_CREATETEXT:
  case KW_CREATE:
    return (dot && p2->kw == KW_FILE) ? SINK_FILEW : -1;
  case KW_FILESTREAM:
  case KW_STREAMWRITER:
    return s->in_new ? SINK_FILEW : -1;
  case KW_MODIFYDATE:
    /* Shell.Application FolderItem.ModifyDate = ...: timestomping. */
    *forms = FORM_PROP;
    return dot ? SINK_FILEW : -1;
  case KW_INVOKE:
    return (dot && s->reflect_load) ? SINK_EXEC : -1;
  case KW_WRITE:
  case KW_WRITELINE:
    /* Commands typed into a spawned shell's stdin. */
    *forms = CS;
    return (dot && p2->kw == KW_STANDARDINPUT) ? SINK_PROC : -1;
  case KW_WRITEFILE:
  case KW_TRANSMITFILE:
    *forms = CS;
    return dot ? SINK_FILER : -1;
  case KW_READALLBYTES:
  case KW_READALLTEXT:
    return (dot && p2->kw == KW_FILE) ? SINK_FILER : -1;
  case KW_CONNECTIONSTRING:
    *forms = FORM_PROP;
    return dot ? SINK_SQLCONN : -1;
  case KW_SQLCONNECTION:
  case KW_OLEDBCONNECTION:
  case KW_ODBCCONNECTION:
    return s->in_new ? SINK_SQLCONN : -1;
  case KW_OPEN:
    *forms = CS;
    return (dot && s->adoconn) ? SINK_SQLCONN : -1;
  case KW_SQLCOMMAND:
  case KW_OLEDBCOMMAND:
  case KW_ODBCCOMMAND:
  case KW_SQLDATAADAPTER:
  case KW_OLEDBDATAADAPTER:
    return s->in_new ? SINK_SQLCMD : -1;
  case KW_COMMANDTEXT:
    *forms = FORM_PROP;
    return dot ? SINK_SQLCMD : -1;
  case KW_NONE: {
    int w = wrap_find(s, cur->text, cur->len);
    if (w < 0 || s->fh_state != 0 || !call_may_follow(p1, cur))
      return -1;
    *forms = CS;
    return w;
  }
  default:
    return -1;
  }
}

/* `=` as an assignment: opens a capture that taints the target. */
static void maybe_assign(cscan *s, const token *cur)
{
  const token *p1 = s->t1, *p2 = s->t2;
  size_t j = skip_ws(s->d, s->n, cur->end);
  if (j < s->n && (s->d[j] == '=' || s->d[j] == '>'))
    return; /* == or => */
  const char *name = NULL;
  size_t len = 0;
  size_t at = cur->off;
  if (p1->kind == T_IDENT && !cur->nl_before) {
    /* VBScript compares with `=`: `If x = Request("a") Then` is not a store. */
    if (p2->kind == T_IDENT && !p1->nl_before &&
        (p2->kw == KW_IF || p2->kw == KW_ELSEIF || p2->kw == KW_AND || p2->kw == KW_OR ||
         p2->kw == KW_NOT || p2->kw == KW_WHILE || p2->kw == KW_UNTIL || p2->kw == KW_CASE))
      return;
    if (tok_punct(p2, '!') || tok_punct(p2, '<') || tok_punct(p2, '>'))
      return;
    name = p1->text;
    len = p1->len;
    at = p1->off;
    /* JScript.NET `var x : String = ...` stores into x, not String. */
    if (tok_punct(p2, ':') && s->t3->kind == T_IDENT && s->t4->kind == T_IDENT && s->t4->len == 3 &&
        memcmp(s->t4->text, "var", 3) == 0) {
      name = s->t3->text;
      len = s->t3->len;
      at = s->t3->off;
    }
  } else if ((tok_punct(p1, ')') || tok_punct(p1, ']')) && !cur->nl_before) {
    /* Session("k") = code / Application["k"] = code: the store is keyed, but
     * remembering the container is enough to connect it to a later
     * Execute(Session("k")). */
    switch (s->closed_owner) {
    case KW_SESSION:
      name = "session";
      break;
    case KW_APPLICATION:
      name = "application";
      break;
    case KW_CACHE:
      name = "cache";
      break;
    case KW_VIEWSTATE:
      name = "viewstate";
      break;
    default:
      return;
    }
    len = strlen(name);
  } else if ((tok_punct(p1, '+') || tok_punct(p1, '&')) && p2->kind == T_IDENT) {
    name = p2->text; /* x += y, x &= y */
    len = p2->len;
    at = p2->off;
  } else {
    return;
  }
  cap_open(s, false, 0, M_STMT, at, name, len);
}

/* Tokens that do not change what an expression *is*: Server.MapPath(x),
 * this.x, HttpContext.Current.Request, Trim(x). Skipped when deciding
 * whether the input is the whole value (F_FIRSTSRC). */
static bool transparent_prefix(const token *t)
{
  if (t->kind == T_PUNCT)
    return t->ch == '.' || t->ch == '(';
  if (t->kind != T_IDENT)
    return false;
  if (t->kw == KW_SERVER || t->kw == KW_MAPPATH)
    return true;
  return ident_text_is(t, "this") || ident_text_is(t, "context") ||
         ident_text_is(t, "httpcontext") || ident_text_is(t, "current") ||
         ident_text_is(t, "trim") || ident_text_is(t, "cstr") || ident_text_is(t, "page");
}

/* Feeds a token to the open captures. `tn` is its taint entry, if any. */
static void caps_feed(cscan *s, const token *cur, const taint *tn)
{
  if (s->ncaps == 0)
    return;
  bool dec = cur->kind == T_IDENT && (cur->dec || cur->kw == KW_REPLACE);
  bool ext = cur->kind == T_STRING && string_has_script_ext(s->d, cur->off, cur->end);
  for (int k = 0; k < s->ncaps; k++) {
    capture *c = &s->caps[k];
    if (c->skip_next) {
      /* The `(` or `=` that opened it is not part of its input. */
      c->skip_next = false;
      continue;
    }
    if (c->first_tok == SIZE_MAX && !transparent_prefix(cur)) {
      c->first_tok = cur->off;
      if (cur->kind == T_IDENT && cur->kw == KW_NONE && !tn) {
        memcpy(c->callee, cur->text, cur->len);
        c->callee_len = cur->len;
      }
    }
    if (cur->kind == T_IDENT) {
      if (is_chr(cur->kw))
        c->chr++;
      if (is_param(s, cur->text, cur->len))
        c->flags |= F_PARAM;
      if (dec)
        cap_mark(c, F_DEC, cur->off, cur->end - cur->off);
      if (tn && tn->set_off < cur->off) {
        uint32_t f = 0;
        if (tn->flags & F_REQ)
          f |= F_TREQ;
        if (tn->flags & F_USER)
          f |= F_TUSER;
        if (tn->flags & F_DEC)
          f |= F_TDEC;
        f |= tn->flags & F_SCRIPTEXT;
        if ((f & (F_TREQ | F_TUSER)) && c->start >= tn->set_off &&
            c->start - tn->set_off <= NEAR_WINDOW)
          f |= F_NEAR;
        /* Evidence for a tainted name is the original source. */
        bool first = cur->off == c->first_tok;
        cap_mark(c, f & ~(uint32_t)(F_TREQ | F_TUSER), cur->off, cur->end - cur->off);
        if (f & (F_TREQ | F_TUSER)) {
          c->flags |= f & (F_TREQ | F_TUSER);
          if (c->src_off == SIZE_MAX) {
            c->src_off = tn->src_off;
            c->src_len = tn->src_len;
          }
          if (first && (tn->flags & F_WHOLE))
            c->flags |= F_FIRSTSRC;
        }
      }
    } else if (cur->kind == T_STRING) {
      if (ext)
        c->flags |= F_SCRIPTEXT;
      if (cur->shortlit)
        c->shortstr++;
      if (cur->reqcode)
        cap_mark(c, F_REQ, cur->off, cur->end - cur->off);
    }
  }
}

/* Ends statement-style captures at a statement boundary. */
static void caps_boundary(cscan *s, size_t at)
{
  for (int k = s->ncaps - 1; k >= 0; k--) {
    capture *c = &s->caps[k];
    if (c->mode == M_STMT && s->depth <= c->depth)
      cap_close(s, k, at);
  }
}

/* Closers: paren captures end at their matching closer; statement captures
 * end when the group they were opened inside closes. */
static void caps_closer(cscan *s, size_t at)
{
  for (int k = s->ncaps - 1; k >= 0; k--) {
    capture *c = &s->caps[k];
    if ((c->mode == M_PAREN && s->depth <= c->depth) || (c->mode == M_STMT && s->depth < c->depth))
      cap_close(s, k, at);
  }
}

static void caps_length(cscan *s, size_t at)
{
  for (int k = s->ncaps - 1; k >= 0; k--)
    if (at - s->caps[k].start > CAP_MAX)
      cap_close(s, k, at);
}

static void on_newline(cscan *s)
{
  s->nl_pending = true;
  if (s->ncaps == 0)
    return;
  /* A line ending in an operator continues the statement (VB `_`, or a
   * C# expression broken after `+`). */
  const token *p = s->t1;
  if (p->kind == T_PUNCT && strchr("+&,(=.|_[", p->ch))
    return;
  if (p->kind == T_IDENT && p->len == 1 && p->text[0] == '_')
    return;
  caps_boundary(s, s->i);
}

static void fn_commit(cscan *s)
{
  s->fh_state = 0;
  s->in_func = true;
  s->cur_braced = false;
  s->cur_bdepth = s->bdepth;
  memcpy(s->cur_func, s->fh_name, sizeof s->cur_func);
  s->cur_func_len = s->fh_name_len;
  memcpy(s->cur_params, s->fh_params, sizeof s->cur_params);
  memcpy(s->cur_plen, s->fh_plen, sizeof s->cur_plen);
  s->cur_np = s->fh_np;
}

/*
 * Function headers, so that decoders and sink wrappers defined in the page
 * are known by name. Two shapes: `Function name(a, b)` / `function name(a :
 * T)` (VBScript, JScript), committed at `)`; and C#'s `Type name(T a) {`,
 * committed only when `{` follows the parameter list, so calls never count.
 * Runs after the depth update for `cur`.
 */
static void fn_step(cscan *s, const token *cur)
{
  const token *p1 = s->t1, *p2 = s->t2;
  switch (s->fh_state) {
  case 0:
    if (cur->kw == KW_FUNCTION || cur->kw == KW_SUB) {
      if (ident_text_is(p1, "end") && !cur->nl_before)
        s->in_func = false; /* End Function / End Sub */
      else if (!ident_text_is(p1, "exit"))
        s->fh_state = 1;
    } else if (tok_punct(cur, '(') && p1->kind == T_IDENT && p1->kw == KW_NONE &&
               p2->kind == T_IDENT && !p1->nl_before && p2->kw != KW_NEW && p2->kw != KW_RETURN &&
               p2->kw != KW_AWAIT && !s->in_new) {
      s->fh_state = 3;
      s->fh_depth = s->depth - 1;
      memcpy(s->fh_name, p1->text, p1->len);
      s->fh_name_len = p1->len;
      s->fh_np = 0;
      s->fh_typed = false;
    }
    return;
  case 1:
    if (cur->kind == T_IDENT && cur->kw == KW_NONE && !cur->nl_before) {
      memcpy(s->fh_name, cur->text, cur->len);
      s->fh_name_len = cur->len;
      s->fh_np = 0;
      s->fh_typed = false;
      s->fh_state = 5;
    } else {
      s->fh_state = 0;
    }
    return;
  case 5:
    if (tok_punct(cur, '(') && !cur->nl_before) {
      s->fh_state = 2;
      s->fh_depth = s->depth - 1;
    } else {
      fn_commit(s); /* Sub Foo without a parameter list */
    }
    return;
  case 2:
  case 3: {
    bool closing = tok_punct(cur, ')') && s->depth == s->fh_depth;
    bool at_list = s->depth == s->fh_depth + 1 || closing;
    if (at_list) {
      bool end_name = tok_punct(cur, ',') || closing || tok_punct(cur, ':') ||
                      tok_punct(cur, '=') || cur->kw == KW_AS;
      if (end_name && !s->fh_typed && p1->kind == T_IDENT && s->fh_np < NPARAM) {
        memcpy(s->fh_params[s->fh_np], p1->text, p1->len);
        s->fh_plen[s->fh_np++] = p1->len;
      }
      if (tok_punct(cur, ':') || tok_punct(cur, '=') || cur->kw == KW_AS)
        s->fh_typed = true;
      else if (tok_punct(cur, ','))
        s->fh_typed = false;
    }
    if (closing) {
      if (s->fh_state == 2)
        fn_commit(s);
      else
        s->fh_state = 4;
    } else if (s->depth <= s->fh_depth || tok_punct(cur, ';') || tok_punct(cur, '{')) {
      s->fh_state = 0;
    }
    return;
  }
  case 4:
    if (tok_punct(cur, '{'))
      fn_commit(s);
    else
      s->fh_state = 0;
    return;
  default:
    s->fh_state = 0;
    return;
  }
}

static void on_token(cscan *s, token *cur)
{
  cur->nl_before = s->nl_pending;
  s->nl_pending = false;

  /* 1. Resolve patterns that were waiting for this token. */
  if (s->sink_pending >= 0)
    resolve_sink(s, cur);

  if (s->alias_pending) {
    /* `{'E': eval}`, `x = eval;`, `return eval }`: eval handed around as a
     * value so that the call site reads `o.E(p)`. No ordinary server code
     * does this. */
    s->alias_pending = false;
    if (cur->kind == T_PUNCT && strchr("},;)", cur->ch))
      report(s->hb, RULE_EXEC_ALIAS, EXHUNT_SEV_HIGH, "alias", s->alias_off, 4, NULL, 0, 0);
  }

  if (s->req_state == 1) {
    s->req_state = 0;
    if (tok_punct(cur, '(') || tok_punct(cur, '['))
      mark_source(s, F_REQ, s->req_off, cur->end);
    else if (tok_punct(cur, '.'))
      s->req_state = 2;
    else if (tok_punct(cur, ';') || tok_punct(cur, ')') || tok_punct(cur, ','))
      mark_source(s, F_REQ, s->req_off, s->t1->end); /* the Request object itself */
  } else if (s->req_state == 2) {
    s->req_state = 0;
    if (cur->kind == T_IDENT && is_request_member(cur->kw))
      mark_source(s, F_REQ, s->req_off, cur->end);
  }

  if (s->text_pending) {
    s->text_pending = false;
    bool store = false;
    if (tok_punct(cur, '=')) {
      size_t j = skip_ws(s->d, s->n, cur->end);
      store = !(j < s->n && s->d[j] == '=');
    }
    if (!store)
      mark_source(s, F_USER, s->text_off, s->text_end);
  }

  /* 2. Structure: depth, closers, boundaries. */
  if (cur->kind == T_PUNCT) {
    switch (cur->ch) {
    case '(':
    case '[':
      if (s->depth >= 0 && s->depth < DEPTH_MAX) {
        bool user = s->t1->kind == T_IDENT && s->t1->kw == KW_NONE && cur->ch == '(';
        s->owner[s->depth] = s->t1->kind == T_IDENT ? s->t1->kw : KW_NONE;
        s->owner_len[s->depth] = user ? s->t1->len : 0;
        if (user) {
          memcpy(s->owner_text[s->depth], s->t1->text, s->t1->len);
          s->owner_off[s->depth] = s->t1->off;
        }
      }
      s->depth++;
      break;
    case ')':
    case ']':
      if (s->depth > 0) {
        s->depth--;
        s->closed_owner = s->depth < DEPTH_MAX ? s->owner[s->depth] : KW_NONE;
      }
      break;
    default:
      break;
    }
  }
  fn_step(s, cur);
  if (tok_punct(cur, '{')) {
    s->bdepth++;
    if (s->in_func && s->bdepth == s->cur_bdepth + 1)
      s->cur_braced = true;
  } else if (tok_punct(cur, '}')) {
    if (s->bdepth > 0)
      s->bdepth--;
    if (s->in_func && s->cur_braced && s->bdepth <= s->cur_bdepth)
      s->in_func = false;
  }

  /* 3. Feed the captures, then close what this token ends. */
  const taint *tn = NULL;
  if (cur->kind == T_IDENT) {
    tn = taint_find(s, cur->text, cur->len);
    if (tn && tn->set_off < cur->off && (tn->flags & (F_REQ | F_USER))) {
      uint32_t f = (tn->flags & F_REQ) ? F_TREQ : F_TUSER;
      if (cur->off - tn->set_off <= NEAR_WINDOW)
        f |= F_NEAR;
      note_call_source(s, f, tn->src_off, tn->src_len);
    }
  }
  caps_feed(s, cur, tn);
  if (cur->kind == T_PUNCT) {
    if (cur->ch == ')' || cur->ch == ']')
      caps_closer(s, cur->end);
    else if (cur->ch == ';' || cur->ch == ':')
      caps_boundary(s, cur->off);
  }
  caps_length(s, cur->off);

  /* 4. [WebMethod] parameters are request data: every parameter name of the
   * method that follows the attribute is tainted. */
  if (cur->kind == T_IDENT && cur->kw == KW_WEBMETHOD) {
    s->wm_state = 1;
  } else if (cur->kind == T_IDENT && cur->kw == KW_WEBMETHODATTRIBUTE) {
    s->wm_state = 2; /* JScript.NET: `WebMethodAttribute function f(a : String)` */
  } else if (s->wm_state == 1 && (tok_punct(cur, ']') || tok_punct(cur, '>'))) {
    s->wm_state = 2;
  } else if (s->wm_state == 2 && tok_punct(cur, '(')) {
    s->wm_state = 3;
    s->wm_depth = s->depth - 1;
  } else if (s->wm_state == 2 && (tok_punct(cur, '{') || tok_punct(cur, ';'))) {
    s->wm_state = 0;
  } else if (s->wm_state == 3) {
    bool at_list = s->depth == s->wm_depth + 1 || (tok_punct(cur, ')') && s->depth == s->wm_depth);
    if (at_list && s->t1->kind == T_IDENT &&
        (tok_punct(cur, ',') || tok_punct(cur, ')') || cur->kw == KW_AS || tok_punct(cur, '=') ||
         tok_punct(cur, ':')))
      taint_add(s, s->t1->text, s->t1->len, F_REQ, s->t1->off, s->t1->off, s->t1->end - s->t1->off);
    if (tok_punct(cur, ')') && s->depth <= s->wm_depth)
      s->wm_state = 0;
  }

  /* 5. New patterns ending at this token. */
  if (cur->kind == T_IDENT) {
    if (cur->kw == KW_REQUEST) {
      s->req_state = 1;
      s->req_off = cur->off;
    } else if (cur->kw == KW_TEXT && tok_punct(s->t1, '.') && s->t2->kind == T_IDENT) {
      s->text_pending = true;
      s->text_off = s->t2->off;
      s->text_end = cur->end;
    } else if (cur->kw == KW_STARTINFO) {
      s->procseen = true;
    } else if (cur->kw == KW_EVAL && !cur->nl_before &&
               ((s->t1->kind == T_PUNCT && strchr(":,=", s->t1->ch)) || s->t1->kw == KW_RETURN)) {
      s->alias_pending = true;
      s->alias_off = cur->off;
    }
    /* A function whose body decodes is a decoder wherever it is called. */
    if (s->in_func && (cur->dec || is_chr(cur->kw)))
      decfn_add(s, s->cur_func, s->cur_func_len);
    unsigned forms = 0;
    int sk = sink_of(s, cur, &forms);
    if (sk >= 0) {
      s->sink_pending = sk;
      s->sink_forms = forms;
      s->sink_off = cur->off;
    }
  }
  if (cur->kind == T_IDENT && cur->kw == KW_NEW)
    s->in_new = true;
  else if (!(cur->kind == T_IDENT || tok_punct(cur, '.')))
    s->in_new = false;
  if (cur->kind == T_IDENT) {
  } else if (tok_punct(cur, '=')) {
    maybe_assign(s, cur);
  }

  /* Rotate: the oldest slot receives the new token (one copy per token). */
  token *slot = s->t4;
  *slot = *cur;
  s->t4 = s->t3;
  s->t3 = s->t2;
  s->t2 = s->t1;
  s->t1 = slot;
}

/* Forgets everything tied to the current code region. */
static void end_region(cscan *s, size_t at)
{
  caps_close_all(s, at);
  s->depth = 0;
  s->req_state = 0;
  s->text_pending = false;
  s->sink_pending = -1;
  s->wm_state = 0;
  s->nl_pending = false;
  s->alias_pending = false;
  s->fh_state = 0;
  s->in_new = false;
  memset(s->ring, 0, sizeof s->ring);
}

/* --- string literals ----------------------------------------------------------- */

/* Text in d[a, b) reads request data as code would: Request("x"),
 * Request["x"], Request.Form... Used on string literals that get evaluated
 * or written out, and on decoded Base64. */
static bool code_reads_request(const uint8_t *d, size_t a, size_t b)
{
  size_t i = a;
  while ((i = find_ci(d, b, i, "request")) != SIZE_MAX) {
    size_t j = lit_at(d, b, i, "request");
    while (j < b && (d[j] == ' ' || d[j] == 0 || d[j] == '"' || d[j] == '\\'))
      j++;
    if (j < b && (d[j] == '(' || d[j] == '['))
      return true;
    if (j < b && d[j] == '.' &&
        (lit_at(d, b, j + 1, "form") || lit_at(d, b, j + 1, "item") ||
         lit_at(d, b, j + 1, "querystring") || lit_at(d, b, j + 1, "params") ||
         lit_at(d, b, j + 1, "cookies") || lit_at(d, b, j + 1, "headers") ||
         lit_at(d, b, j + 1, "binaryread") || lit_at(d, b, j + 1, "inputstream")))
      return true;
    i++;
  }
  return false;
}

/* Text in d[a, b) is an execution primitive of a web shell. */
static bool code_executes(const uint8_t *d, size_t a, size_t b)
{
  static const char *const pats[] = {"eval(",
                                     "eval (",
                                     "execute(",
                                     "execute ",
                                     "executeglobal",
                                     "wscript.shell",
                                     "cmd.exe",
                                     "cmd /c",
                                     "processstartinfo",
                                     "powershell",
                                     NULL};
  for (const char *const *p = pats; *p; p++)
    if (find_ci(d, b, a, *p) != SIZE_MAX)
      return true;
  return false;
}

/* Text in d[a, b) names "WScript.Shell" or "Shell.Application" (one walk
 * for both, as every literal is checked). */
static bool has_shell_progid(const uint8_t *d, size_t a, size_t b)
{
  if (b - a < 13) /* strlen("wscript.shell"), the shorter */
    return false;
  for (size_t i = a; (i = next_letter2(d, i, b, 'w', 's')) < b; i++)
    if (lit_at(d, b, i, "wscript.shell") || lit_at(d, b, i, "shell.application"))
      return true;
  return false;
}

/* Looks at a string literal's text once, as it is lexed. */
static void inspect_string(cscan *s, token *t)
{
  const uint8_t *d = s->d;
  size_t a = t->off, b = t->end, chars = 0;
  for (size_t i = a; i < b && chars < 3; i++)
    if (d[i])
      chars++;
  t->shortlit = chars >= 1 && chars <= 2;
  t->reqcode = b - a >= 10 && code_reads_request(d, a, b);

  /* Objects created by ProgID: WScript.Shell's Run/Exec become sinks. */
  if (!s->wshell && has_shell_progid(d, a, b))
    s->wshell = true;
  /* Length checks first: most literals are too short to hold a ProgID. */
  if (!s->adoconn && b - a >= 16 && find_ci(d, b, a, "adodb.connection") != SIZE_MAX)
    s->adoconn = true;

  /* typeof(Assembly).GetMethod("Load").Invoke(...): Assembly.Load by name. */
  if (tok_punct(s->t1, '(') && s->t2->kw == KW_GETMETHOD && b - a >= 4 && b - a <= 8 &&
      lit_at(d, b, a, "load"))
    s->reflect_load = true;

  /* A literal that is itself a server-side shell: droppers write these out,
   * and XSLT shells carry their code in an msxsl:script block. */
  if (!s->literal_reported && t->reqcode &&
      (find_ci(d, b, a, "<%") != SIZE_MAX || find_ci(d, b, a, "runat") != SIZE_MAX ||
       find_ci(d, b, a, "msxsl:script") != SIZE_MAX) &&
      code_executes(d, a, b)) {
    s->literal_reported = true;
    report(s->hb, RULE_SHELL_LITERAL, EXHUNT_SEV_HIGH, "literal", a, b - a, NULL, 0, 0);
  }

  /* Convert.FromBase64String("..."): decode it and look inside. Hiding
   * `Request.Item["z"]` or `eval(` in Base64 has no honest purpose. */
  if (!s->literal_reported && tok_punct(s->t1, '(') && s->t2->kw == KW_FROMBASE64STRING &&
      b - a >= 8) {
    uint8_t buf[B64_MAX / 4 * 3];
    /* at most B64_MAX input bytes: what the buffer can hold */
    size_t m = exh_base64_decode_lenient(d + a, b - a > B64_MAX ? B64_MAX : b - a, buf, sizeof buf);
    if (m && (code_reads_request(buf, 0, m) || code_executes(buf, 0, m))) {
      s->literal_reported = true;
      report(s->hb, RULE_SHELL_LITERAL, EXHUNT_SEV_HIGH, "base64", a, b - a, NULL, 0, 0);
    }
  }
}

/* --- the lexer ---------------------------------------------------------------- */

/* True if d[i] begins the end of the current server region. */
static size_t region_end_at(const cscan *s, size_t i)
{
  if (s->region == R_ASP && s->d[i] == '%')
    return lit_at(s->d, s->n, i, "%>");
  if (s->region == R_SSCRIPT && s->d[i] == '<')
    return lit_at(s->d, s->n, i, "</script");
  return 0;
}

static void lex_string(cscan *s, uint8_t q, bool verbatim)
{
  const uint8_t *d = s->d;
  size_t n = s->n;
  size_t a = s->i + 1, j = a;
  while (j < n && j - a < STR_MAX) {
    uint8_t c = d[j];
    if (c == '\\' && !verbatim) {
      j += 2;
      continue;
    }
    if (c == q) {
      if (verbatim && j + 1 < n && d[j + 1] == q) {
        j += 2;
        continue;
      }
      break;
    }
    if (c == '\n' && !verbatim)
      break;
    if (region_end_at(s, j))
      break;
    j++;
  }
  if (j > n)
    j = n;
  token t = {.kind = T_STRING, .ch = q, .off = a, .end = j};
  inspect_string(s, &t);
  s->i = (j < n && d[j] == q) ? j + 1 : j;
  on_token(s, &t);
}

static void lex_ident(cscan *s)
{
  const uint8_t *d = s->d;
  size_t n = s->n;
  token t = {.kind = T_IDENT, .off = s->i};
  size_t j = s->i, len = 0;
  bool overflow = false;
  while (j < n) {
    uint8_t c = d[j];
    uint32_t cp = 0;
    if (is_ident(c)) {
      cp = c;
      j++;
    } else if (c == 0 && j + 1 < n && is_ident(d[j + 1])) {
      j++; /* UTF-16: NUL between characters */
      continue;
    } else if (c == '\\' && j + 5 < n && (d[j + 1] == 'u') && is_hex(d[j + 2]) &&
               is_hex(d[j + 3]) && is_hex(d[j + 4]) && is_hex(d[j + 5])) {
      /* C# allows \uXXXX in identifiers; shells use it to hide "eval". */
      for (int k = 2; k < 6; k++)
        cp = cp * 16 + (uint32_t)(is_digit(d[j + k]) ? d[j + k] - '0' : (lc(d[j + k]) - 'a' + 10));
      j += 6;
      if (cp >= 0x80 || !is_ident((uint8_t)cp))
        cp = 0x80; /* keep it an identifier byte that matches no keyword */
    } else {
      break;
    }
    if (len < IDENT_MAX - 1)
      t.text[len++] = (char)lc((uint8_t)cp);
    else
      overflow = true;
  }
  t.len = (uint8_t)len;
  t.end = j;
  t.kw = overflow ? KW_NONE : kw_lookup(t.text, len);
  t.dec = ident_is_decoder(&t);
  s->i = j;
  on_token(s, &t);
}

/* One token (or a skipped comment/whitespace) inside server code. */
static void lex_code(cscan *s)
{
  const uint8_t *d = s->d;
  size_t n = s->n;
  uint8_t c = d[s->i];
  if (exh_is_cspace(c)) {
    /* Indentation is most of a code region's bytes: take the whole run of
     * whitespace and NULs here rather than one byte per trip through
     * code_scan. Neither can end a region or start a token, so the effect is
     * that of the byte-wise walk, on_newline included. */
    size_t j = s->i;
    do {
      if (d[j] == '\n') {
        s->i = j;
        on_newline(s);
      }
      j++;
    } while (j < n && (exh_is_cspace(d[j]) || d[j] == 0));
    s->i = j;
    return;
  }
  if (c == '"') {
    bool verbatim = s->i > 0 && d[s->i - 1] == '@';
    lex_string(s, c, verbatim);
    return;
  }
  if (c == '\'') {
    /* A JScript/C# literal, or a VBScript comment; both end by the line. */
    lex_string(s, c, false);
    return;
  }
  if (c == '/' && s->i + 1 < n && d[s->i + 1] == '/') {
    size_t j = s->i + 2;
    while (j < n && d[j] != '\n' && !region_end_at(s, j))
      j++;
    s->i = j;
    return;
  }
  if (c == '/' && s->i + 1 < n && d[s->i + 1] == '*') {
    size_t j = s->i + 2;
    while (j < n && !(d[j] == '*' && j + 1 < n && d[j + 1] == '/') && !region_end_at(s, j))
      j++;
    s->i = (j < n && d[j] == '*') ? j + 2 : j;
    return;
  }
  if (is_ident(c) && !is_digit(c)) {
    lex_ident(s);
    return;
  }
  if (c == '\\' && s->i + 5 < n && d[s->i + 1] == 'u' && is_hex(d[s->i + 2]) &&
      is_hex(d[s->i + 3]) && is_hex(d[s->i + 4]) && is_hex(d[s->i + 5])) {
    lex_ident(s); /* consumes at least the escape */
    return;
  }
  if (is_digit(c)) {
    token t = {.kind = T_NUM, .off = s->i};
    size_t j = s->i;
    while (j < n && (is_ident(d[j]) || d[j] == '.'))
      j++;
    t.end = j;
    s->i = j;
    on_token(s, &t);
    return;
  }
  token t = {.kind = T_PUNCT, .ch = c, .off = s->i, .end = s->i + 1};
  s->i++;
  on_token(s, &t);
}

/*
 * `<script ...>` at d[i]: returns the index after `>` and sets *server when
 * the tag carries runat=server. Returns 0 when this is not a complete tag
 * within TAG_MAX bytes (the caller then moves on by one byte; the bytes
 * looked at contain no `>` and no `<`, so nothing is scanned twice).
 */
static size_t parse_script_tag(const cscan *s, size_t i, bool *server)
{
  size_t j = lit_at(s->d, s->n, i, "<script");
  if (!j || (j < s->n && is_ident(s->d[j])))
    return 0;
  size_t lim = s->n - j > TAG_MAX ? j + TAG_MAX : s->n;
  size_t gt = j;
  while (gt < lim && s->d[gt] != '>' && s->d[gt] != '<')
    gt++;
  if (gt >= lim || s->d[gt] != '>')
    return 0;
  size_t r = find_ci(s->d, gt, j, "runat");
  *server = r != SIZE_MAX && find_ci(s->d, gt, r, "server") != SIZE_MAX;
  return gt + 1;
}

/*
 * `<!--#include file|virtual="x.ext"-->`: classic ASP pastes the named file
 * into the page before running it, whatever its extension, so code hidden in
 * an image or text file runs. Reports includes of non-script types.
 */
static size_t parse_include(cscan *s, size_t i)
{
  const uint8_t *d = s->d;
  size_t n = s->n;
  size_t j = lit_at(d, n, i, "<!--");
  if (!j)
    return 0;
  j = skip_ws(d, n, j);
  size_t k = lit_at(d, n, j, "#include");
  if (!k)
    return 0;
  size_t lim = n - k > TAG_MAX ? k + TAG_MAX : n;
  size_t eq = k;
  while (eq < lim && d[eq] != '=' && d[eq] != '>')
    eq++;
  if (eq >= lim || d[eq] != '=')
    return 0;
  size_t p = skip_ws(d, lim, eq + 1);
  if (p < lim && (d[p] == '"' || d[p] == '\''))
    p++;
  size_t q = p, dot = SIZE_MAX;
  while (q < lim && d[q] != '"' && d[q] != '\'' && d[q] != '>' && !exh_is_cspace(d[q])) {
    if (d[q] == '.')
      dot = q;
    else if (d[q] == '/' || d[q] == '\\')
      dot = SIZE_MAX;
    q++;
  }
  if (dot == SIZE_MAX || q - dot < 2 || q - dot > 8)
    return q;
  char ext[8];
  size_t el = 0;
  for (size_t x = dot + 1; x < q && el < sizeof ext - 1; x++)
    if (d[x])
      ext[el++] = (char)lc(d[x]);
  ext[el] = 0;
  static const char *const hi[] = {"jpg", "jpeg", "gif", "png", "bmp", "ico", "rar", "zip", "7z",
                                   "doc", "xls",  "pdf", "swf", "mp3", "avi", "exe", "dll", NULL};
  static const char *const med[] = {"txt", "log", "dat", "tmp", "bak", "mdb", "db", NULL};
  for (const char *const *e = hi; *e; e++)
    if (strcmp(ext, *e) == 0)
      report(s->hb, RULE_SSI_INCLUDE, EXHUNT_SEV_HIGH, "include", i, q - i, NULL, 0, 0);
  for (const char *const *e = med; *e; e++)
    if (strcmp(ext, *e) == 0)
      report(s->hb, RULE_SSI_INCLUDE, EXHUNT_SEV_MEDIUM, "include", i, q - i, NULL, 0, 0);
  return q;
}

static void enter_asp(cscan *s, size_t after)
{
  /* <%-- ... --%> is a server comment: nothing in it runs. */
  if (after < s->n && s->d[after] == '-' && after + 1 < s->n && s->d[after + 1] == '-') {
    size_t e = find_ci(s->d, s->n, after + 2, "--%>");
    s->i = e == SIZE_MAX ? s->n : e + 4;
    return;
  }
  s->ret_region = s->region;
  s->region = R_ASP;
  s->i = after;
  end_region(s, after);
}

static void code_scan(cscan *s)
{
  const uint8_t *d = s->d;
  size_t n = s->n;
  while (s->i < n) {
    size_t i = s->i;
    uint8_t c = d[i];
    if (c == 0) {
      s->i++;
      continue;
    }
    size_t e;
    switch (s->region) {
    case R_OUT:
    case R_CSCRIPT:
      if (c == '<') {
        if ((e = lit_at(d, n, i, "<%")) != 0) {
          enter_asp(s, e);
          continue;
        }
        if (s->region == R_CSCRIPT) {
          if ((e = lit_at(d, n, i, "</script")) != 0) {
            s->region = s->base_region;
            s->i = e;
            end_region(s, e);
            continue;
          }
        } else {
          bool server = false;
          if ((e = parse_script_tag(s, i, &server)) != 0) {
            s->region = server ? R_SSCRIPT : R_CSCRIPT;
            s->i = e;
            end_region(s, e);
            continue;
          }
          if ((e = parse_include(s, i)) != 0) {
            s->i = e > i ? e : i + 1;
            continue;
          }
        }
        s->i++;
        continue;
      }
      /* Markup and client script: only a `<` can change anything. */
      s->i = next_byte(d, i + 1, n, '<');
      continue;
    case R_ASP:
    case R_SSCRIPT:
      if ((e = region_end_at(s, i)) != 0) {
        end_region(s, i);
        s->region = s->region == R_ASP ? s->ret_region : s->base_region;
        s->i = e;
        continue;
      }
      lex_code(s);
      continue;
    case R_CODE:
    default:
      if (c == '<') {
        if ((e = lit_at(d, n, i, "<%")) != 0) {
          enter_asp(s, e);
          continue;
        }
        if ((e = parse_include(s, i)) != 0) {
          s->i = e > i ? e : i + 1;
          continue;
        }
        bool server = false;
        if (s->ec == EXT_RAZOR && (e = parse_script_tag(s, i, &server)) != 0) {
          /* Razor pages mix markup in; their <script> blocks are client-side. */
          s->region = server ? R_SSCRIPT : R_CSCRIPT;
          s->i = e;
          end_region(s, e);
          continue;
        }
      }
      lex_code(s);
      continue;
    }
  }
  end_region(s, n);
  s->in_func = false;
  for (int k = 0; k < s->ncalls; k++) {
    int w = wrap_find(s, s->calls[k].name, s->calls[k].len);
    if (w < 0)
      continue;
    capture c;
    memset(&c, 0, sizeof c);
    c.is_sink = true;
    c.sink = (uint8_t)w;
    c.start = s->calls[k].off;
    c.first_tok = s->calls[k].src_off;
    c.flags = s->calls[k].flags | F_FIRSTSRC;
    c.src_off = s->calls[k].src_off;
    c.src_len = s->calls[k].src_len;
    c.dec_off = SIZE_MAX;
    eval_sink(s, &c, s->calls[k].off + s->calls[k].len);
  }
  for (int k = 0; k < s->ndefer; k++)
    if (decfn_has(s, s->defer[k].name, s->defer[k].len))
      report(s->hb, RULE_DECODE_EXEC, EXHUNT_SEV_HIGH, "sink", s->defer[k].off,
             s->defer[k].end - s->defer[k].off, NULL, 0, 0);
}

/* ---------------------------------------------------------------------- */
/* Exchange virtual-directory dumps (CVE-2021-27065).
 *
 * ProxyLogon's post-auth step set the OAB virtual directory's ExternalUrl to
 * "http://f/<script language="JScript" runat="server">...</script>" and then
 * had Exchange export the directory's settings to a file under the web root
 * with an .aspx name. The result is a "Key : Value" property listing that
 * IIS happily compiles. A URL property never legitimately holds a script. */

enum vdkey {
  VD_NAME_OAB = 1u << 0,
  VD_POLL = 1u << 1,
  VD_OABS = 1u << 2,
  VD_INTAUTH = 1u << 3,
  VD_EXTAUTH = 1u << 4,
  VD_EPTC = 1u << 5,
  VD_METABASE = 1u << 6,
  VD_REQSSL = 1u << 7,
  VD_BASIC = 1u << 8,
  VD_WINAUTH = 1u << 9,
  VD_OAUTH = 1u << 10,
  VD_ADMINVER = 1u << 11
};

static unsigned popcount(unsigned v)
{
  unsigned c = 0;
  for (; v; v &= v - 1)
    c++;
  return c;
}

static void oab_scan(const uint8_t *d, size_t n, hitbuf *hb)
{
  static const struct {
    const char *key;
    unsigned bit;
  } keys[] = {
      {"pollinterval", VD_POLL},
      {"offlineaddressbooks", VD_OABS},
      {"internalauthenticationmethods", VD_INTAUTH},
      {"externalauthenticationmethods", VD_EXTAUTH},
      {"extendedprotectiontokenchecking", VD_EPTC},
      {"metabasepath", VD_METABASE},
      {"requiressl", VD_REQSSL},
      {"basicauthentication", VD_BASIC},
      {"windowsauthentication", VD_WINAUTH},
      {"oauthauthentication", VD_OAUTH},
      {"admindisplayversion", VD_ADMINVER},
  };
  unsigned seen = 0;
  size_t hit_key = SIZE_MAX, hit_script = 0, hit_len = 0;
  int tries = 0;
  size_t i = 0;
  while (i < n) {
    /* Line start: skip indentation, BOMs and NULs, read the key. */
    size_t ls = i;
    while (i < n && d[i] != '\n' && (d[i] == ' ' || d[i] == '\t' || d[i] == 0 || d[i] >= 0x80))
      i++;
    char key[40];
    size_t kl = 0, ks = i;
    while (i < n && (is_alpha(d[i]) || d[i] == 0)) {
      if (d[i] && kl < sizeof key - 1)
        key[kl++] = (char)lc(d[i]);
      i++;
    }
    key[kl] = 0;
    size_t j = i;
    while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == 0))
      j++;
    bool field = kl > 0 && kl < sizeof key - 1 && j < n && d[j] == ':';
    size_t eol = next_byte(d, j, n, '\n');
    if (field) {
      size_t v = j + 1;
      if (strcmp(key, "name") == 0) {
        size_t vs = skip_ws(d, eol, v);
        if (lit_at(d, eol, vs, "oab"))
          seen |= VD_NAME_OAB;
      } else if ((strcmp(key, "externalurl") == 0 || strcmp(key, "internalurl") == 0) &&
                 hit_key == SIZE_MAX && tries < 16) {
        tries++;
        size_t sc = find_ci(d, eol, v, "<script");
        if (sc != SIZE_MAX) {
          /* The attribute may be wrapped onto the next lines; look a little
           * past the end of the line for runat=server. */
          size_t lim = n - sc > TAG_MAX ? sc + TAG_MAX : n;
          size_t r = find_ci(d, lim, sc, "runat");
          if (r != SIZE_MAX && find_ci(d, lim, r, "server") != SIZE_MAX) {
            hit_key = ks;
            hit_script = sc;
            hit_len = eol - sc;
          }
        } else if ((sc = find_ci(d, eol, v, "<%")) != SIZE_MAX) {
          hit_key = ks;
          hit_script = sc;
          hit_len = eol - sc;
        }
      } else {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
          if (strcmp(key, keys[k].key) == 0)
            seen |= keys[k].bit;
      }
    }
    i = eol < n ? eol + 1 : n;
    if (i <= ls)
      i = ls + 1;
  }
  if (hit_key == SIZE_MAX)
    return;
  /* Critical when the file is recognisably a virtual-directory dump; a URL
   * field with a server script is still bad on its own. */
  bool vd = (seen & VD_NAME_OAB) || popcount(seen) >= 3;
  report(hb, RULE_OAB_SCRIPT, vd ? EXHUNT_SEV_CRITICAL : EXHUNT_SEV_HIGH, "url-field", hit_key,
         hit_script - hit_key, "script", hit_script, hit_len);
}

/* ---------------------------------------------------------------------- */
/* Raw-byte markers: Script Encoder output, and entropy. */

/* "#@~^" + 6 Base64 characters (the encoded length) + "==": the header the
 * Microsoft Script Encoder (screnc.exe) writes. ASP decodes it at run time
 * under Language="VBScript.Encode"; readers see only noise. */
static void encoded_scan(const uint8_t *d, size_t n, hitbuf *hb)
{
  /* CodePage 65000 (UTF-7) makes ASP read "+AGUAdgBh-" as "eva": a way to
   * write code no reader or signature sees. No real page is UTF-7. */
  for (size_t i = 0; (i = next_letter2(d, i, n, 'c', 'c')) < n; i++) {
    size_t j = lit_at(d, n, i, "codepage");
    if (!j)
      continue;
    while (j < n &&
           (d[j] == ' ' || d[j] == '\t' || d[j] == 0 || d[j] == '=' || d[j] == '"' || d[j] == '\''))
      j++;
    if (lit_at(d, n, j, "65000")) {
      report(hb, RULE_ENCODED_SCRIPT, EXHUNT_SEV_MEDIUM, "codepage", i, j + 5 - i, NULL, 0, 0);
      break;
    }
    i = j - 1;
  }
  for (size_t i = 0; (i = next_byte(d, i, n, '#')) + 12 <= n; i++) {
    if (d[i + 1] != '@' || d[i + 2] != '~' || d[i + 3] != '^')
      continue;
    bool ok = true;
    for (size_t k = 4; k < 10 && ok; k++)
      ok = is_alpha(d[i + k]) || is_digit(d[i + k]) || d[i + k] == '+' || d[i + k] == '/';
    if (ok && d[i + 10] == '=' && d[i + 11] == '=') {
      report(hb, RULE_ENCODED_SCRIPT, EXHUNT_SEV_MEDIUM, "marker", i, 12, NULL, 0, 0);
      return;
    }
  }
}

/* `cmd /c ...`, `cmd.exe /k`, `powershell -enc`: a command line spelled out
 * in a file IIS executes. Web applications have no reason to carry one;
 * shells carry them as defaults, in payloads and in XSLT/XML inputs. A weak
 * signal on its own (admin pages could), hence low. */
static void command_scan(const uint8_t *d, size_t n, hitbuf *hb)
{
  static const char *const pats[] = {"cmd /c ",         "cmd.exe /c",          "cmd /k ",
                                     "cmd.exe /k",      "powershell -e",       "powershell.exe -e",
                                     "powershell -nop", "powershell.exe -nop", NULL};
  for (size_t i = 0; (i = next_letter2(d, i, n, 'c', 'p')) < n; i++) {
    if (i > 0 && (is_alpha(d[i - 1]) || is_digit(d[i - 1])))
      continue;
    /* Every pattern starts "cmd" or "powershell": test the stem once. */
    if (!lit_at(d, n, i, (d[i] | 0x20) == 'c' ? "cmd" : "powershell"))
      continue;
    for (const char *const *p = pats; *p; p++) {
      size_t e = lit_at(d, n, i, *p);
      if (e) {
        report(hb, RULE_SHELL_COMMAND, EXHUNT_SEV_LOW, "command", i, e - i, NULL, 0, 0);
        return;
      }
    }
  }
}

static double entropy_of_counts(const size_t cnt[256], size_t len)
{
  if (len == 0)
    return 0.0;
  double h = 0.0, inv = 1.0 / (double)len;
  for (int b = 0; b < 256; b++) {
    if (cnt[b]) {
      double p = (double)cnt[b] * inv;
      h -= p * log2(p);
    }
  }
  return h;
}

double exh_heur_entropy(const uint8_t *data, size_t len)
{
  /* Four tables, summed at the end: runs of one byte value (indentation,
   * padding) otherwise serialise every increment on the same counter. */
  size_t cnt[4][256];
  memset(cnt, 0, sizeof cnt);
  if (!data)
    return 0.0;
  size_t i = 0;
  for (; len - i >= 4; i += 4) {
    cnt[0][data[i]]++;
    cnt[1][data[i + 1]]++;
    cnt[2][data[i + 2]]++;
    cnt[3][data[i + 3]]++;
  }
  for (; i < len; i++)
    cnt[0][data[i]]++;
  for (int b = 0; b < 256; b++)
    cnt[0][b] += cnt[1][b] + cnt[2][b] + cnt[3][b];
  return entropy_of_counts(cnt[0], len);
}

/* A printable-ASCII run without whitespace: Base64/hex/packed payloads look
 * like this, prose and code do not. Non-ASCII bytes end a run so CJK text
 * (no spaces, high byte entropy) is never mistaken for a blob. */
static bool blob_byte(uint8_t c)
{
  return c > 0x20 && c < 0x7f;
}

static void entropy_scan(const uint8_t *d, size_t n, hitbuf *hb)
{
  size_t i = 0;
  while (i < n) {
    if (!blob_byte(d[i])) {
      i++;
      continue;
    }
    size_t a = i;
    while (i < n && blob_byte(d[i]))
      i++;
    size_t len = i - a;
    if (len < ENT_RUN_MIN)
      continue;
    /* data: URIs carry images in ordinary pages. */
    size_t head = len < 128 ? len : 128;
    if (find_ci(d, a + head, a, "base64,") != SIZE_MAX)
      continue;
    double h = exh_heur_entropy(d + a, len);
    if (h >= ENT_RUN_BITS) {
      report(hb, RULE_ENTROPY, EXHUNT_SEV_MEDIUM, "blob", a, len, NULL, 0, 0);
      break;
    }
  }
  if (n >= ENT_FILE_MIN && exh_heur_entropy(d, n) >= ENT_FILE_BITS)
    report(hb, RULE_ENTROPY, EXHUNT_SEV_MEDIUM, "file", 0, n, NULL, 0, 0);
}

/* ---------------------------------------------------------------------- */

/*
 * Copies the hits out grouped by rule: rules in order of their most severe
 * hit (ties: first found), and within a rule the most severe evidence first,
 * otherwise in scan order (so a sink stays next to its source). Callers can
 * then group consecutive hits of one rule, and truncation at `max` drops the
 * least important evidence.
 */
static size_t hand_out(const hitbuf *hb, exh_heur_hit *out, size_t max)
{
  size_t k = 0;
  bool done[RULE_COUNT] = {false};
  for (int sev = EXHUNT_SEV_CRITICAL; sev >= EXHUNT_SEV_INFO; sev--) {
    for (size_t i = 0; i < hb->n; i++) {
      if ((int)hb->hits[i].severity != sev)
        continue;
      int rule = -1;
      for (int r = 0; r < RULE_COUNT; r++)
        if (k_rules[r].id == hb->hits[i].rule)
          rule = r;
      if (rule < 0 || done[rule])
        continue;
      done[rule] = true;
      for (int s2 = sev; s2 >= EXHUNT_SEV_INFO; s2--)
        for (size_t j = 0; j < hb->n; j++)
          if (hb->hits[j].rule == hb->hits[i].rule && (int)hb->hits[j].severity == s2 && k < max)
            out[k++] = hb->hits[j];
    }
  }
  return k;
}

/* ---------------------------------------------------------------------- */
/* Severity ceiling: see exh_heur_ceiling() in heur.h. */

/* The ceiling of a kind without server markers in the content, and with. */
static void kind_ceilings(exh_webkind kind, exhunt_severity *plain, exhunt_severity *marked)
{
  switch (kind) {
  case EXH_WEBKIND_IIS_SCRIPT:
    *plain = *marked = EXHUNT_SEV_CRITICAL;
    break;
  case EXH_WEBKIND_FOREIGN:
  case EXH_WEBKIND_DOCUMENT:
    /* Never run by IIS, whatever it holds. An ASP page in one is a copy
     * worth a look (medium); without markers, a hit is most likely ASP
     * patterns read into another language or into prose (low). */
    *plain = EXHUNT_SEV_LOW;
    *marked = EXHUNT_SEV_MEDIUM;
    break;
  case EXH_WEBKIND_OTHER:
  default:
    /* No extension, an unknown one, an include, a backup, a web.config:
     * ASP content is server code one rename or include away (and samples
     * are often stored under their hash), so with markers nothing changes;
     * without, the reading is a guess. */
    *plain = EXHUNT_SEV_MEDIUM;
    *marked = EXHUNT_SEV_CRITICAL;
    break;
  }
}

exhunt_severity exh_heur_ceiling(const char *name, const uint8_t *data, size_t len)
{
  exhunt_severity plain, marked;
  kind_ceilings(exh_webfile_kind(name), &plain, &marked);
  if (plain == marked)
    return plain;
  return exh_webfile_has_server_markers(data, len) ? marked : plain;
}

/* Lowers every hit above the file's ceiling to it. The content is read for
 * markers only when some hit is above the lower ceiling: most files have
 * no hits at all. */
static void apply_ceiling(hitbuf *hb, const char *name, const uint8_t *data, size_t len)
{
  exhunt_severity plain, marked;
  kind_ceilings(exh_webfile_kind(name), &plain, &marked);
  exhunt_severity top = EXHUNT_SEV_INFO;
  for (size_t i = 0; i < hb->n; i++)
    if (hb->hits[i].severity > top)
      top = hb->hits[i].severity;
  if (top <= plain)
    return;
  exhunt_severity cap = plain;
  if (marked != plain && exh_webfile_has_server_markers(data, len))
    cap = marked;
  for (size_t i = 0; i < hb->n; i++)
    if (hb->hits[i].severity > cap)
      hb->hits[i].severity = cap;
}

size_t exh_heur_scan(const uint8_t *data, size_t len, const char *name, exh_heur_hit *hits,
                     size_t max_hits)
{
  assert(kw_table_sorted());
  if (!data || !hits || max_hits == 0)
    return 0;
  /* The extension as IIS reads it: "x.ASPX." and "x.aspx::$DATA" are .aspx. */
  char ext[16];
  exh_webfile_ext(name, ext, sizeof ext);
  hitbuf hb;
  memset(&hb, 0, sizeof hb);

  enum ext_class ec = classify_ext(ext);

  /* Most severe first, so a tight max_hits keeps what matters. */
  oab_scan(data, len, &hb);

  if (ec != EXT_CLIENT) {
    cscan s;
    memset(&s, 0, sizeof s);
    s.d = data;
    s.n = len;
    s.ec = ec;
    s.base_region = (ec == EXT_CODE || ec == EXT_RAZOR) ? R_CODE : R_OUT;
    /* A script file with no <% and no <script at all is an include fragment
     * or bare code; ASP pastes such files into pages, so read it as code. */
    if (ec == EXT_PAGE && ext_is_server_script(ext) && find_ci(data, len, 0, "<%") == SIZE_MAX &&
        find_ci(data, len, 0, "<script") == SIZE_MAX)
      s.base_region = R_CODE;
    s.region = s.base_region;
    s.ret_region = s.base_region;
    s.sink_pending = -1;
    s.hb = &hb;
    s.t1 = &s.ring[0];
    s.t2 = &s.ring[1];
    s.t3 = &s.ring[2];
    s.t4 = &s.ring[3];
    code_scan(&s);
  }

  if (ext_is_server_script(ext) || ec == EXT_PAGE) {
    encoded_scan(data, len, &hb);
  }
  if (ext_is_server_script(ext)) {
    entropy_scan(data, len, &hb);
    command_scan(data, len, &hb);
  }
  apply_ceiling(&hb, name, data, len);
  return hand_out(&hb, hits, max_hits);
}
