/*
 * prefilter_needles.c - the needles of the literal prefilter and what
 * follows a match of one; see prefilter_needles.h. They mirror
 * exh_block_scan in detect.c: a needle added there must be added here
 * (tests/unit/test_logs.c and test_prefilter.c compare the two on every
 * needle, its near misses, hostile bytes and real logs).
 */
#include "prefilter_needles.h"

#include <string.h>

/* HttpProxy: SSRF (ServerInfo~, or Server~host/path as the BackEndCookie
 * logs it), ProxyShell/NotShell ("json" of autodiscover.json), OWASSRF
 * (powershell). Anchors per MB of the bench's HttpProxy logs: "o~" 26,
 * "r~" 73, "js" 95, "we" 211. */
static const exh_pf_needle httpproxy_needles[] = {
    {"\n#", EXH_PF_THEN_META, EXH_CHECK_NONE, 0},
    {"serverinfo~", EXH_PF_THEN_LINE, EXH_CHECK_SERVERINFO, 9},
    {"server~", EXH_PF_THEN_SERVER_PATH, EXH_CHECK_NONE, 5},
    {"json", EXH_PF_THEN_LINE, EXH_CHECK_JSON, 0},
    {"powershell", EXH_PF_THEN_LINE, EXH_CHECK_POWERSHELL, 2}};
/* IIS: scripts in the drop folders, /ecp/<1-3 letters>.js, ProxyShell,
 * OWASSRF, tunnel connects. A tunnel's data requests are no needle (four
 * more literals cost ~20 % on IIS logs): logs.c looks for the script a
 * connect named in the rest of that file. Anchors per MB of the bench's
 * IIS logs: "t_" 0, "h/" 96, "js" 102, "p/" 241, "sh" 488, "&p" 70. */
static const exh_pf_needle iis_needles[] = {
    {"\n#", EXH_PF_THEN_META, EXH_CHECK_NONE, 0},
    {"aspnet_client", EXH_PF_THEN_NOTHING, EXH_CHECK_NONE, 5},
    {"/auth/", EXH_PF_THEN_LINE, EXH_CHECK_AUTH_SCRIPT, 4},
    {"json", EXH_PF_THEN_LINE, EXH_CHECK_JSON, 0},
    {"/ecp/", EXH_PF_THEN_ECP_JS, EXH_CHECK_NONE, 3},
    {"powershell", EXH_PF_THEN_LINE, EXH_CHECK_POWERSHELL, 5},
    {"&port=", EXH_PF_THEN_NOTHING, EXH_CHECK_NONE, 0}};

const exh_pf_family exh_pf_families[EXH_PF_FAMILIES] = {
    {EXH_FAM_HTTPPROXY, httpproxy_needles, sizeof httpproxy_needles / sizeof httpproxy_needles[0]},
    {EXH_FAM_IIS, iis_needles, sizeof iis_needles / sizeof iis_needles[0]},
};

void exh_pf_hits_init(exh_pf_hits *h, const exh_pf_family *f, const char *p, size_t n,
                      exh_hit_fn fn, void *ctx)
{
  memset(h, 0, sizeof *h);
  h->fam = f->fam;
  h->p = p;
  h->end = p + n;
  h->needles = f->needles;
  h->fn = fn;
  h->ctx = ctx;
  h->taking = true;
  h->line_start = h->line_end = p; /* none yet */
}

static bool is_letter(char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* After "server~": the BackEndCookie SSRF carries a path
 * ("Server~host/path~ver"); ordinary Autodiscover cookies
 * ("Server~fqdn~ver~time") do not. Linear overall: every scan stops at the
 * next '~', which the next "server~" would start from. */
static bool server_path_follows(const char *q, const char *end)
{
  while (q < end && *q != ',' && *q != '~' && *q != '/' && *q != '\n')
    q++;
  return q < end && *q == '/';
}

/* After "/ecp/": 1-3 letters, then ".js" (the PoCs' /ecp/y.js). */
static bool ecp_js_follows(const char *q, const char *end)
{
  size_t letters = 0;
  while (q < end && letters < 4 && is_letter(*q))
    q++, letters++;
  return letters >= 1 && letters <= 3 && end - q >= 3 && q[0] == '.' && (q[1] | 0x20) == 'j' &&
         (q[2] | 0x20) == 's';
}

bool exh_pf_hits_take(exh_pf_hits *h, size_t id, const char *after)
{
  const exh_pf_needle *nd = &h->needles[id];
  if (nd->then == EXH_PF_THEN_META) {
    h->meta = true;
    return false; /* the block is read line by line */
  }
  const char *last = after - 1; /* the match's last byte lies in the hit's line */
  if (!h->taking || (last >= h->line_start && last < h->line_end))
    return true;
  if (nd->then == EXH_PF_THEN_SERVER_PATH && !server_path_follows(after, h->end))
    return true;
  if (nd->then == EXH_PF_THEN_ECP_JS && !ecp_js_follows(after, h->end))
    return true;
  /* a literal holds no line break: all of it lies in this line */
  const char *line;
  size_t len;
  exh_line_around(h->p, h->end, last, &line, &len);
  if (nd->then == EXH_PF_THEN_LINE) {
    size_t at = (size_t)(after - line) - strlen(nd->literal);
    if (!exh_needle_line_ok(h->fam, nd->check, line, len, at))
      return true;
  }
  h->line_start = line;
  h->line_end = line + len;
  if (!h->fn(h->ctx, last))
    h->taking = false;
  return true;
}
