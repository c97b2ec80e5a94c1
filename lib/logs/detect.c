/*
 * detect.c - exploitation detectors; see detect.h and docs/detections.md.
 *
 * The conditions of Test-ProxyLogon.ps1 (CSS-Exchange) are kept exactly:
 *   CVE-2021-26855  HttpProxy AnchorMailbox -like 'ServerInfo~*\/ *'
 *   CVE-2021-27065  HttpProxy\Ecp AnchorMailbox -like
 *                   'ServerInfo~*\/ *Reset*VirtualDirectory#' and HttpStatus 200;
 *                   ECP Server lines matching "Set-.+VirtualDirectory" whose
 *                   URL parameter carries a markup tag
 *   CVE-2021-26858  OABGenerator "Download failed and temporary file (.*?)
 *                   needs to be removed", the path outside ClientAccess\OAB
 * (the "\/ " above stands for a plain slash; C comments cannot hold the
 * pattern as written). Everything is matched with hand-written, linear
 * scans: the input is attacker-controlled and a backtracking regex engine
 * would be a way to stall the hunt.
 */
#include "detect.h"

#include "events.h"

#include <string.h>
#include <strings.h>

#include "platform/strext.h"

void exh_cols_bind(exh_cols *c, const exh_table *t, exh_log_family fam)
{
  if (fam == EXH_FAM_IIS) {
    c->datetime = -1;
    c->date = exh_table_col(t, "date");
    c->time = exh_table_col(t, "time");
    c->client_ip = exh_table_col(t, "c-ip");
    c->user_agent = exh_table_col(t, "cs(User-Agent)");
    c->url_stem = exh_table_col(t, "cs-uri-stem");
    c->url_query = exh_table_col(t, "cs-uri-query");
    c->status = exh_table_col(t, "sc-status");
    c->method = exh_table_col(t, "cs-method");
    c->anchor = c->backend_cookie = c->routing_hint = c->protocol = -1;
    return;
  }
  c->datetime = exh_table_col(t, "DateTime");
  if (c->datetime < 0)
    c->datetime = exh_table_col(t, "TimeStamp");
  if (c->datetime < 0)
    c->datetime = exh_table_col(t, "date-time");
  c->date = c->time = -1;
  c->client_ip = exh_table_col(t, "ClientIpAddress");
  c->user_agent = exh_table_col(t, "UserAgent");
  c->url_stem = exh_table_col(t, "UrlStem");
  c->url_query = exh_table_col(t, "UrlQuery");
  c->anchor = exh_table_col(t, "AnchorMailbox");
  c->status = exh_table_col(t, "HttpStatus");
  c->method = exh_table_col(t, "Method");
  c->backend_cookie = exh_table_col(t, "BackEndCookie");
  c->routing_hint = exh_table_col(t, "RoutingHint");
  c->protocol = exh_table_col(t, "Protocol");
}

int64_t exh_record_time(const exh_table *t, const exh_cols *c)
{
  if (c->datetime >= 0)
    return exh_parse_iso8601(exh_table_get(t, c->datetime));
  if (c->date < 0 || c->time < 0)
    return EXHUNT_NO_TIME;
  int64_t ts;
  return exh_parse_w3c_time(exh_table_get(t, c->date), exh_table_get(t, c->time), &ts)
             ? ts
             : EXHUNT_NO_TIME;
}

/* ---------------------------------------------------------------------- */

/* ASCII case-insensitive equality of n bytes (strncasecmp in the C locale,
 * without the call: these run on every candidate row). */
static inline bool same_ci(const char *a, const char *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (exh_lower(a[i]) != exh_lower(b[i]))
      return false;
  return true;
}

/* Case-insensitive search in [p, p+n); returns the offset of the first
 * occurrence or -1. Candidates come from memchr on both cases of the
 * needle's first byte, merged in order (a strncasecmp at every offset was
 * most of the ECP Server log's time); each memchr resumes where it
 * stopped, so the work stays linear on any input. */
static long find_ci(const char *p, size_t n, const char *needle)
{
  size_t k = strlen(needle);
  if (k == 0)
    return 0;
  if (k > n)
    return -1;
  char lo = exh_lower(needle[0]);
  char up = lo >= 'a' && lo <= 'z' ? (char)(lo - 'a' + 'A') : lo;
  const char *end = p + (n - k) + 1; /* one past the last possible start */
  const char *a = memchr(p, lo, (size_t)(end - p));
  const char *b = up != lo ? memchr(p, up, (size_t)(end - p)) : NULL;
  while (a || b) {
    const char *c = !b || (a && a < b) ? a : b;
    if (same_ci(c + 1, needle + 1, k - 1))
      return (long)(c - p);
    if (c == a)
      a = memchr(a + 1, lo, (size_t)(end - (a + 1)));
    else
      b = memchr(b + 1, up, (size_t)(end - (b + 1)));
  }
  return -1;
}

static exh_view view_from(const char *p, size_t n)
{
  exh_view v = {p, n};
  return v;
}

/* The attack step of each rule is the detector's knowledge, written here
 * once: the hunt's story orders an attacker's records by it. */
const exh_log_rule exh_log_rules[EXH_RULE_COUNT] = {
    [EXH_RULE_PROXYLOGON_PROBE] = {"exhunt.log.proxylogon_probe", EXHUNT_STEP_PROBE,
                                   EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_26855_SSRF] = {"exhunt.log.cve_2021_26855_ssrf", EXHUNT_STEP_SSRF,
                             EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_26855_ATTEMPT] = {"exhunt.log.cve_2021_26855_attempt", EXHUNT_STEP_ATTEMPT,
                                EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_27065_RESET_VDIR] = {"exhunt.log.cve_2021_27065_reset_vdir", EXHUNT_STEP_VDIR_RESET,
                                   EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_27065_SET_VDIR] = {"exhunt.log.cve_2021_27065_set_vdir", EXHUNT_STEP_VDIR_RESET,
                                 EXHUNT_ARTIFACT_SCRIPT},
    [EXH_RULE_26858_OAB_WRITE] = {"exhunt.log.cve_2021_26858_oab_write", EXHUNT_STEP_FILE_WRITTEN,
                                  EXHUNT_ARTIFACT_PATH},
    /* an exploitation attempt of CVE-2021-26857, as its outcome says */
    [EXH_RULE_26857_UM] = {"exhunt.log.cve_2021_26857_um", EXHUNT_STEP_ATTEMPT,
                           EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_PROXYSHELL_SSRF] = {"exhunt.log.proxyshell_ssrf", EXHUNT_STEP_SSRF,
                                  EXHUNT_ARTIFACT_URL},
    [EXH_RULE_PROXYSHELL_ATTEMPT] = {"exhunt.log.proxyshell_attempt", EXHUNT_STEP_ATTEMPT,
                                     EXHUNT_ARTIFACT_URL},
    [EXH_RULE_OWASSRF] = {"exhunt.log.owassrf", EXHUNT_STEP_SSRF, EXHUNT_ARTIFACT_URL},
    [EXH_RULE_PROXYSHELL_EXPORT_TO_WEB] = {"exhunt.log.proxyshell_export_to_web",
                                           EXHUNT_STEP_FILE_WRITTEN, EXHUNT_ARTIFACT_TEXT},
    [EXH_RULE_IIS_ECP_JS_SSRF] = {"exhunt.log.iis_ecp_js_ssrf", EXHUNT_STEP_SSRF,
                                  EXHUNT_ARTIFACT_URL},
    [EXH_RULE_IIS_WEBSHELL_REQUEST] = {"exhunt.log.iis_webshell_request", EXHUNT_STEP_SHELL_REQUEST,
                                       EXHUNT_ARTIFACT_URL},
    [EXH_RULE_IIS_WEBSHELL_TUNNEL] = {"exhunt.log.iis_webshell_tunnel", EXHUNT_STEP_SHELL_REQUEST,
                                      EXHUNT_ARTIFACT_URL},
    [EXH_RULE_IIS_WEBSHELL_TUNNEL_TRAFFIC] = {"exhunt.log.iis_webshell_tunnel_traffic",
                                              EXHUNT_STEP_SHELL_REQUEST, EXHUNT_ARTIFACT_URL},
    [EXH_RULE_WEB_WORKER_CHILD_PROCESS] = {"exhunt.log.web_worker_child_process",
                                           EXHUNT_STEP_COMMAND, EXHUNT_ARTIFACT_COMMAND},
    [EXH_RULE_WEB_WORKER_UNUSUAL_CHILD] = {"exhunt.log.web_worker_unusual_child",
                                           EXHUNT_STEP_COMMAND, EXHUNT_ARTIFACT_COMMAND},
    [EXH_RULE_WEB_WORKER_REMOTE_THREAD] = {"exhunt.log.web_worker_remote_thread",
                                           EXHUNT_STEP_COMMAND, EXHUNT_ARTIFACT_COMMAND},
    [EXH_RULE_WEBSHELL_FILE_CREATED] = {"exhunt.log.webshell_file_created",
                                        EXHUNT_STEP_FILE_WRITTEN, EXHUNT_ARTIFACT_PATH},
    [EXH_RULE_REQUEST_TO_SHELL] = {"exhunt.hunt.request_to_shell", EXHUNT_STEP_SHELL_REQUEST,
                                   EXHUNT_ARTIFACT_URL},
};

static exh_log_hit *new_hit(exh_log_hit *hits, size_t *n, size_t max, exh_log_rule_id rule,
                            const char *title, const char *category, exhunt_severity sev,
                            const char *outcome)
{
  if (*n >= max)
    return NULL;
  exh_log_hit *h = &hits[(*n)++];
  memset(h, 0, sizeof *h);
  h->rule = &exh_log_rules[rule];
  h->title = title;
  h->category = category;
  h->severity = sev;
  h->outcome = outcome;
  return h;
}

static void add_cve(exh_log_hit *h, const char *cve)
{
  if (h->n_cves < EXH_MAX_CVES)
    h->cves[h->n_cves++] = cve;
}

/* AnchorMailbox -like 'ServerInfo~*\/ *' */
static bool is_serverinfo_ssrf(exh_view a)
{
  return exh_view_starts(a, "ServerInfo~") && memchr(a.p + 11, '/', a.n - 11) != NULL;
}

/* Test-ProxyLogon: AnchorMailbox -like 'ServerInfo~*\/ *Reset*VirtualDirectory#'.
 * exhunt also takes the form most public PoCs and Metasploit send, where
 * the canary and more parameters follow (...ResetOABVirtualDirectory&
 * msExchEcpCanary=...&a=), which that pattern misses: "Reset" then
 * "VirtualDirectory" anywhere after the slash. */
static bool is_reset_vdir(exh_view a)
{
  if (!is_serverinfo_ssrf(a))
    return false;
  const char *slash = memchr(a.p + 11, '/', a.n - 11);
  size_t rest = a.n - (size_t)(slash + 1 - a.p);
  long reset = find_ci(slash + 1, rest, "Reset");
  if (reset < 0)
    return false;
  size_t after = (size_t)reset + 5;
  return find_ci(slash + 1 + after, rest - after, "VirtualDirectory") >= 0;
}

static bool has_in_list(exh_view v, const char *const *list)
{
  for (; *list; list++)
    if (exh_view_has(v, *list))
      return true;
  return false;
}

/* ProxyShell (CVE-2021-34473) and ProxyNotShell (CVE-2022-41040): the
 * autodiscover.json path confusion reaching another back end, as in
 * SigmaHQ's "Exchange ProxyShell Pattern" rules (Florian Roth, Rich Warren;
 * DRL 1.1): the URL holds "/autodiscover.json" and one of /powershell,
 * /mapi/nspi, /EWS, X-Rps-CAT. OWASSRF (CVE-2022-41080): /owa/<mailbox>/powershell.
 * Returns the number of hits written (0 or 1). */
static size_t detect_proxyshell_url(exh_view stem, exh_view query, int status, exh_log_hit *hits,
                                    size_t max)
{
  static const char *const targets[] = {"/powershell", "/mapi/nspi", "/EWS", "X-Rps-CAT", NULL};
  size_t n = 0;
  exh_log_hit *h = NULL;
  bool owa_powershell = exh_view_starts(stem, "/owa/") && exh_view_has(stem, "/powershell");
  if (!owa_powershell && !exh_view_has(stem, "json") && !exh_view_has(query, "json"))
    return 0;
  bool autodiscover_json =
      exh_view_has(stem, "/autodiscover.json") || exh_view_has(query, "/autodiscover.json") ||
      exh_view_has(query, "autodiscover.json%3f@") || exh_view_has(query, "autodiscover.json?@");
  bool ok = (status >= 200 && status < 300) || status == 301;
  /* The path confusion itself: the query starts with "@host/..." or carries
   * "Email=autodiscover/autodiscover.json" (every public exploit does; a
   * client's own autodiscover.json request has Email=user@domain). */
  bool confusion =
      (query.n && query.p[0] == '@') || exh_view_has(query, "Email=autodiscover/autodiscover.json");
  if (autodiscover_json &&
      (has_in_list(query, targets) || has_in_list(stem, targets) || confusion)) {
    h = new_hit(hits, &n, max, ok ? EXH_RULE_PROXYSHELL_SSRF : EXH_RULE_PROXYSHELL_ATTEMPT,
                ok ? "ProxyShell/ProxyNotShell SSRF through autodiscover.json reached a back end"
                   : "ProxyShell/ProxyNotShell SSRF attempt through autodiscover.json",
                "exploit", ok ? EXHUNT_SEV_CRITICAL : EXHUNT_SEV_HIGH,
                ok ? "exploited" : "attempted");
    if (h) {
      add_cve(h, "CVE-2021-34473");
      add_cve(h, "CVE-2022-41040");
    }
  } else if (owa_powershell) {
    h = new_hit(hits, &n, max, EXH_RULE_OWASSRF,
                "OWASSRF: PowerShell remoting reached through OWA (CVE-2022-41080)", "exploit",
                ok ? EXHUNT_SEV_CRITICAL : EXHUNT_SEV_HIGH, ok ? "exploited" : "attempted");
    if (h) {
      add_cve(h, "CVE-2022-41080");
      add_cve(h, "CVE-2022-41082");
    }
  }
  if (h)
    h->artifact = query.n ? query : stem;
  return n;
}

/* "Server~host/path~...": the host part runs to a '/' before any '~' or ','
 * (an ordinary cookie is "Server~fqdn~version~time"). The same reading as
 * the prefilter's (scan_server_tilde), which must accept every row this
 * detector can. */
static bool cookie_has_path(exh_view cookie)
{
  size_t i = 7;
  while (i < cookie.n && cookie.p[i] != '/' && cookie.p[i] != '~' && cookie.p[i] != ',')
    i++;
  return i < cookie.n && cookie.p[i] == '/';
}

size_t exh_detect_httpproxy(const exh_table *t, const exh_cols *c, const char *protocol,
                            exh_log_hit *hits, size_t max)
{
  size_t n = 0;
  exh_view anchor = exh_table_get(t, c->anchor);
  exh_view cookie = exh_table_get(t, c->backend_cookie);
  size_t shell =
      detect_proxyshell_url(exh_table_get(t, c->url_stem), exh_table_get(t, c->url_query),
                            exh_view_uint(exh_table_get(t, c->status)), hits, max);
  if (shell) {
    hits[0].client_ip = exh_table_get(t, c->client_ip);
    hits[0].user_agent = exh_table_get(t, c->user_agent);
    return shell;
  }
  /* "ServerInfo~localhost", with or without a path: the scanners' probe. */
  bool probe = exh_view_starts(anchor, "ServerInfo~localhost");
  bool ssrf = probe || is_serverinfo_ssrf(anchor);
  /* The BackEndCookie variant: the same SSRF carried by the X-BEResource
   * cookie, logged as "Server~host/path~version". */
  bool cookie_ssrf = !ssrf && exh_view_starts(cookie, "Server~") && cookie_has_path(cookie) &&
                     find_ci(cookie.p + 7, cookie.n - 7, "~") >= 0;
  if (!ssrf && !cookie_ssrf)
    return 0;
  int status = exh_view_uint(exh_table_get(t, c->status));
  /* Test-ProxyLogon reads the reset rows of HttpProxy\Ecp only; a log
   * known by its content alone has no such folder, and its Protocol column
   * says the same thing. */
  bool is_ecp = protocol && protocol[0] ? strcasecmp(protocol, "ecp") == 0
                                        : exh_view_eq(exh_table_get(t, c->protocol), "Ecp");
  exh_log_hit *h;
  if (probe) {
    h = new_hit(hits, &n, max, EXH_RULE_PROXYLOGON_PROBE,
                "ProxyLogon SSRF probe (ServerInfo~localhost): a vulnerability scan", "exploit",
                EXHUNT_SEV_LOW, "probe");
  } else if (ssrf && is_ecp && is_reset_vdir(anchor) && status == 200) {
    h = new_hit(hits, &n, max, EXH_RULE_27065_RESET_VDIR,
                "ProxyLogon: SSRF reset of a virtual directory through ECP (CVE-2021-27065 "
                "file write)",
                "exploit", EXHUNT_SEV_CRITICAL, "exploited");
    if (h) {
      add_cve(h, "CVE-2021-26855");
      add_cve(h, "CVE-2021-27065");
      h->ssrf_went_further = true;
    }
  } else {
    h = new_hit(hits, &n, max, EXH_RULE_26855_SSRF,
                cookie_ssrf ? "ProxyLogon SSRF through the BackEndCookie (CVE-2021-26855)"
                            : "ProxyLogon SSRF: AnchorMailbox ServerInfo~host/path "
                              "(CVE-2021-26855)",
                "exploit", EXHUNT_SEV_CRITICAL, "exploited");
    if (h) {
      add_cve(h, "CVE-2021-26855");
      h->ssrf_candidate = true;
      /* Where the SSRF went is the path inside the routing key
       * (ServerInfo~host:444/ecp/proxyLogon.ecp#), not the URL the client
       * asked the front end for (/ecp/y.js). */
      exh_view key = ssrf ? anchor : cookie;
      const char *slash = memchr(key.p, '/', key.n);
      exh_view target = view_from(slash, key.n - (size_t)(slash - key.p));
      /* Any back end other than autodiscover answering with success: ECP
       * (the chain to the web shell), MAPI (the legacyDN step), EWS
       * (mailbox theft, as HAFNIUM did) ... */
      bool past_autodiscover = target.n > 1 && !exh_view_starts(target, "/autodiscover");
      h->ssrf_went_further =
          past_autodiscover && ((status >= 200 && status < 300) || status == 241);
    }
  }
  if (h) {
    if (!h->n_cves)
      add_cve(h, "CVE-2021-26855");
    h->client_ip = exh_table_get(t, c->client_ip);
    h->user_agent = exh_table_get(t, c->user_agent);
    h->artifact = ssrf ? anchor : cookie;
  }
  return n;
}

/* ---------------------------------------------------------------------- */

/* Pages Exchange itself ships in the folders ProxyLogon shells were dropped
 * in (the same allowlist as the path-ok entries of
 * rules/iocs/exhunt-paths.tsv): requests to them are ordinary logons. */
static const char *const shipped_auth_pages[] = {"logon.aspx",
                                                 "logoff.aspx",
                                                 "errorfe.aspx",
                                                 "expiredpassword.aspx",
                                                 "frowny.aspx",
                                                 "outlookcn.aspx",
                                                 "redirsuiteserviceproxy.aspx",
                                                 "signout.aspx",
                                                 "timeoutlogoff.aspx",
                                                 "timeoutlogout.aspx",
                                                 "svmfeedback.aspx",
                                                 "getidtoken.htm",
                                                 "owaauth.dll"};

static bool ends_ci(exh_view v, const char *suffix)
{
  size_t n = strlen(suffix);
  return v.n >= n && same_ci(v.p + v.n - n, suffix, n);
}

static bool shipped_page(exh_view stem)
{
  const char *slash = NULL;
  for (size_t i = 0; i < stem.n; i++)
    if (stem.p[i] == '/')
      slash = stem.p + i;
  exh_view base = slash ? view_from(slash + 1, stem.n - (size_t)(slash + 1 - stem.p)) : stem;
  for (size_t i = 0; i < sizeof shipped_auth_pages / sizeof shipped_auth_pages[0]; i++)
    if (exh_view_eq(base, shipped_auth_pages[i]))
      return true;
  return false;
}

/* /ecp/ + 1-3 letters + .js: the ProxyLogon PoCs' SSRF entry (/ecp/y.js). */
static bool is_ecp_short_js(exh_view stem)
{
  if (!exh_view_starts(stem, "/ecp/") || !ends_ci(stem, ".js"))
    return false;
  size_t name = stem.n - 5 - 3;
  if (name < 1 || name > 3)
    return false;
  for (size_t i = 5; i < 5 + name; i++) {
    char ch = stem.p[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
      return false;
  }
  return true;
}

/* The query of a web-shell tunnel's data request: Tunna's "proxy" (its
 * connect carries "proxy&port=N&ip=H"), reGeorg's "cmd=read", "cmd=forward"
 * and "cmd=disconnect" (each maybe followed by more parameters). */
static bool tunnel_data_query(exh_view q)
{
  static const char *const cmds[] = {"cmd=read", "cmd=forward", "cmd=disconnect"};
  if (exh_view_eq(q, "proxy"))
    return true;
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    size_t k = strlen(cmds[i]);
    if (exh_view_starts(q, cmds[i]) && (q.n == k || q.p[k] == '&'))
      return true;
  }
  return false;
}

/* A server-side script: what a tunnel's web shell is. */
static bool script_stem(exh_view stem)
{
  static const char *const ext[] = {".aspx", ".ashx", ".asmx", ".asp", ".php", ".jsp", ".jspx"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (ends_ci(stem, ext[i]))
      return true;
  return false;
}

size_t exh_detect_iis(const exh_table *t, const exh_cols *c, exh_log_hit *hits, size_t max)
{
  size_t n = 0;
  exh_view method = exh_table_get(t, c->method);
  exh_view stem = exh_table_get(t, c->url_stem);
  int status = exh_view_uint(exh_table_get(t, c->status));
  bool post = exh_view_eq(method, "POST"), get = exh_view_eq(method, "GET");
  exh_log_hit *h = NULL;
  exh_view query = exh_table_get(t, c->url_query);
  size_t shell = detect_proxyshell_url(stem, query, status, hits, max);
  if (shell) {
    hits[0].client_ip = exh_table_get(t, c->client_ip);
    hits[0].user_agent = exh_table_get(t, c->user_agent);
    return shell;
  }
  if ((post || get) && status >= 200 && status < 300 &&
      ((exh_view_starts(query, "proxy&port=") && exh_view_has(query, "&ip=")) ||
       (exh_view_starts(query, "cmd=connect&target=") && exh_view_has(query, "&port=")))) {
    /* Tunna ("proxy&port=3389&ip=127.0.0.1") and reGeorg ("cmd=connect&
     * target=...&port=...") open a TCP tunnel through a web shell; only the
     * connect request is reported, not the thousands of data requests. */
    h = new_hit(hits, &n, max, EXH_RULE_IIS_WEBSHELL_TUNNEL,
                "Web-shell TCP tunnel opened (Tunna/reGeorg connect request)", "webshell-access",
                EXHUNT_SEV_HIGH, "exploited");
  } else if ((post || get) && status >= 200 && status < 300 && tunnel_data_query(query) &&
             script_stem(stem)) {
    h = new_hit(hits, &n, max, EXH_RULE_IIS_WEBSHELL_TUNNEL_TRAFFIC,
                "Web-shell TCP tunnel traffic (Tunna/reGeorg data requests, summed per client "
                "and script)",
                "webshell-access", EXHUNT_SEV_HIGH, "exploited");
    if (h) {
      h->tunnel_data = true;
      h->method_post = post;
      h->artifact = stem;
    }
  } else if (post && is_ecp_short_js(stem)) {
    h = new_hit(hits, &n, max, EXH_RULE_IIS_ECP_JS_SSRF,
                "POST to /ecp/<x>.js: the ProxyLogon SSRF entry point as IIS logs it", "exploit",
                EXHUNT_SEV_HIGH, "attempted");
    if (h)
      add_cve(h, "CVE-2021-26855");
  } else if ((post || get) && status >= 200 && status < 300 &&
             (ends_ci(stem, ".aspx") || ends_ci(stem, ".ashx"))) {
    bool drop = exh_view_starts(stem, "/aspnet_client/") ||
                ((exh_view_starts(stem, "/owa/auth/") || exh_view_starts(stem, "/ecp/auth/")) &&
                 !shipped_page(stem));
    if (drop)
      h = new_hit(hits, &n, max, EXH_RULE_IIS_WEBSHELL_REQUEST,
                  "Successful request to a script in a ProxyLogon web-shell drop folder",
                  "webshell-access", EXHUNT_SEV_HIGH, "exploited");
  }
  if (h) {
    h->client_ip = exh_table_get(t, c->client_ip);
    h->user_agent = exh_table_get(t, c->user_agent);
    h->artifact = stem;
  }
  return n;
}

/* ---------------------------------------------------------------------- */

/* First "<letter...>" tag at or after p; returns its offset or -1. */
static long find_tag(const char *p, size_t n)
{
  for (size_t i = 0; i + 2 < n; i++) {
    char ch = p[i + 1];
    if (p[i] == '<' && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) &&
        memchr(p + i + 2, '>', n - i - 2))
      return (long)i;
  }
  return -1;
}

size_t exh_detect_ecp_line(const char *line, size_t len, exh_log_hit *hits, size_t max)
{
  /* "Set-.+VirtualDirectory": "Set-", at least one character, then
   * "VirtualDirectory" later on the line. */
  long set = find_ci(line, len, "Set-");
  if (set < 0)
    return 0;
  size_t from = (size_t)set + 5;
  if (from > len)
    return 0;
  long vdir = find_ci(line + from, len - from, "VirtualDirectory");
  if (vdir < 0)
    return 0;
  size_t after = from + (size_t)vdir;
  long url = find_ci(line + after, len - after, "Url");
  if (url < 0)
    return 0;
  size_t url_at = after + (size_t)url;
  /* The tag must sit in the URL parameter's own value, which ends at the
   * next ";S:" of the ECP log's key list: a later "<null>" elsewhere on
   * the line (the clean-up "ExternalUrl=$null" call) is not a script. */
  long value_end = find_ci(line + url_at, len - url_at, ";S:");
  size_t window = value_end >= 0 ? (size_t)value_end : len - url_at;
  long tag = find_tag(line + url_at, window);
  if (tag < 0)
    return 0;
  size_t n = 0;
  exh_log_hit *h = new_hit(hits, &n, max, EXH_RULE_27065_SET_VDIR,
                           "Set-*VirtualDirectory with markup in a URL parameter: the "
                           "CVE-2021-27065 web-shell write",
                           "exploit", EXHUNT_SEV_CRITICAL, "exploited");
  if (h) {
    add_cve(h, "CVE-2021-27065");
    size_t start = url_at + (size_t)tag;
    long close = find_ci(line + start, len - start, "</script>");
    size_t end = close >= 0 ? start + (size_t)close + 9 : len;
    h->artifact = view_from(line + start, end - start);
  }
  return n;
}

/* True if `path` (as OABGenerator logs it, maybe in quotes) names a file
 * inside the Exchange install's ClientAccess\OAB folder, where OAB
 * downloads belong. Test-ProxyLogon asks for the prefix
 * "$exchangePath\ClientAccess\OAB"; the install path is not in the log, so
 * the folder before ClientAccess must look like one (V14, V15, V16, or a
 * name holding "Exchange"). "." and ".." are resolved first: a traversal
 * out of the OAB folder (...\OAB\..\..\FrontEnd\...) is a write elsewhere,
 * and ClientAccess\OAB under a web folder is not the install's. */
static bool in_exchange_oab_folder(exh_view path)
{
  enum { MAX_PARTS = 64 };
  exh_view part[MAX_PARTS];
  size_t n = 0;
  const char *p = path.p, *end = path.p + path.n;
  while (p < end && (*p == '\'' || *p == '"' || *p == ' '))
    p++;
  while (end > p && (end[-1] == '\'' || end[-1] == '"' || end[-1] == ' '))
    end--;
  while (p < end) {
    const char *q = p;
    while (q < end && *q != '\\' && *q != '/')
      q++;
    exh_view c = {p, (size_t)(q - p)};
    p = q < end ? q + 1 : q;
    if (c.n == 0 || (c.n == 1 && c.p[0] == '.'))
      continue;
    if (c.n == 2 && c.p[0] == '.' && c.p[1] == '.') {
      if (n > 0)
        n--;
      continue;
    }
    if (n == MAX_PARTS)
      return false; /* deeper than any install: not the OAB folder */
    part[n++] = c;
  }
  /* ... <install> \ ClientAccess \ OAB \ <at least one more part> */
  for (size_t i = 1; i + 3 <= n; i++) {
    if (!exh_view_eq(part[i], "ClientAccess") || !exh_view_eq(part[i + 1], "OAB"))
      continue;
    exh_view install = part[i - 1];
    bool version = install.n == 3 && (install.p[0] == 'V' || install.p[0] == 'v') &&
                   install.p[1] == '1' && install.p[2] >= '4' && install.p[2] <= '6';
    if ((version || find_ci(install.p, install.n, "exchange") >= 0) && i + 2 < n)
      return true;
  }
  return false;
}

size_t exh_detect_oab_line(const char *line, size_t len, exh_log_hit *hits, size_t max)
{
  static const char head[] = "Download failed and temporary file ";
  static const char tail[] = " needs to be removed";
  long at = find_ci(line, len, head);
  if (at < 0)
    return 0;
  size_t start = (size_t)at + sizeof head - 1;
  long end = find_ci(line + start, len - start, tail);
  if (end < 0)
    return 0;
  exh_view path = view_from(line + start, (size_t)end);
  if (in_exchange_oab_folder(path))
    return 0;
  size_t n = 0;
  exh_log_hit *h = new_hit(hits, &n, max, EXH_RULE_26858_OAB_WRITE,
                           "OABGenerator wrote a file outside ClientAccess\\OAB "
                           "(CVE-2021-26858 arbitrary file write)",
                           "exploit", EXHUNT_SEV_CRITICAL, "exploited");
  if (h) {
    add_cve(h, "CVE-2021-26858");
    h->artifact = path;
  }
  return n;
}

/* ---------------------------------------------------------------------- */
/* Prefilter.                                                              */

/* ASCII case-insensitive equality against a lower-case needle, inline:
 * the prefilter calls it for every candidate byte, and strncasecmp's call
 * and locale handling cost more than the comparison. */
static inline bool eq_ci(const char *s, const char *lower_needle, size_t k)
{
  for (size_t i = 0; i < k; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != lower_needle[i])
      return false;
  }
  return true;
}

/* Line checks: what the rest of a needle's line must hold before any
 * detector can fire on it. Most lines with a needle are ordinary traffic
 * (Outlook's autodiscover.json, OWA logons, the Management Shell's
 * /PowerShell/, ECP's own ServerInfo~ cookie), and splitting a row costs
 * far more than reading it once more. Each check is a superset of its
 * detectors' conditions, read on the raw line: a W3C value is a run of the
 * line's bytes, and so is a CSV value, apart from the quotes around it and
 * the "" inside it (which no needle holds), as long as the row is regular
 * (csv_irregular). tests/fuzz/table_target.h checks the superset on every
 * row it makes. */

/* The field separator of the family's rows. */
static char field_sep(exh_log_family fam)
{
  return fam == EXH_FAM_IIS ? ' ' : ',';
}

/* A CSV row whose values cannot be read off its bytes, taken whole: a
 * quoted value that does not close, or has bytes after its closing quote
 * (the splitter keeps them, joined to the value), or an odd number of
 * quotes, as a line of a record that spans lines has (its first line ends
 * inside the quote, its last closes it): that record is joined by the
 * engine, and its other lines may hold what the checks look for. */
static bool csv_irregular(exh_log_family fam, const char *line, size_t len)
{
  if (fam == EXH_FAM_IIS)
    return false;
  const char *p = line, *end = line + len, *q;
  size_t quotes = 0;
  while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
    quotes++;
    p = q + 1;
    if (q != line && q[-1] != ',')
      continue; /* inside an unquoted value: a byte like any other */
    for (;;) {  /* a quoted value: to its closing quote */
      q = memchr(p, '"', (size_t)(end - p));
      if (!q)
        return true;
      quotes++;
      p = q + 1;
      if (p < end && *p == '"') {
        quotes++;
        p++; /* "" inside the quotes */
        continue;
      }
      break;
    }
    if (p < end && *p != ',')
      return true;
  }
  return quotes % 2 != 0;
}

/* `at` may start a value: the line's start, or just after a separator (or
 * a CSV value's opening quote). */
static bool at_value_start(exh_log_family fam, const char *line, const char *at)
{
  return at == line || at[-1] == field_sep(fam) || (fam != EXH_FAM_IIS && at[-1] == '"');
}

/* detect_proxyshell_url, for a line whose needle `json` ends an
 * "autodiscover.json": then a back end it names, or the path confusion of
 * a query that starts with '@' or carries Email=autodiscover/
 * autodiscover.json (whose "json" is a needle of its own, so it is seen
 * right here). One pass per byte the candidates start with, as this runs
 * on every autodiscover.json request a client makes. */
static bool proxyshell_line(exh_log_family fam, const char *line, size_t len, const char *json)
{
  if (json - line >= 32 && eq_ci(json - 32, "email=autodiscover/autodiscover.", 32))
    return true;
  const char *s = line, *end = line + len;
  while ((s = memchr(s, '@', (size_t)(end - s))) != NULL) {
    if (at_value_start(fam, line, s))
      return true;
    s++;
  }
  for (s = line; (s = memchr(s, '/', (size_t)(end - s))) != NULL; s++) {
    size_t left = (size_t)(end - s) - 1;
    if ((left >= 10 && eq_ci(s + 1, "powershell", 10)) ||
        (left >= 9 && eq_ci(s + 1, "mapi/nspi", 9)) || (left >= 3 && eq_ci(s + 1, "ews", 3)))
      return true;
  }
  return find_ci(line, len, "x-rps-cat") >= 0;
}

bool exh_needle_line_ok(exh_log_family fam, exh_needle_check check, const char *line, size_t len,
                        size_t at)
{
  const char *p = line + at, *end = line + len;
  if (at > len)
    return false;
  switch (check) {
  case EXH_CHECK_NONE:
    return true;
  case EXH_CHECK_SERVERINFO: {
    /* AnchorMailbox -like 'ServerInfo~*\/ *', or the ServerInfo~localhost
     * probe: the value starts here and holds a '/' (or "localhost"). */
    if (csv_irregular(fam, line, len) || (p > line && p[-1] == '"'))
      return true; /* a quoted value may hold the separator */
    if (!at_value_start(fam, line, p) || (size_t)(end - p) < 11)
      return false;
    const char *q = p + 11;
    if ((size_t)(end - q) >= 9 && eq_ci(q, "localhost", 9))
      return true;
    char sep = field_sep(fam);
    while (q < end && *q != sep && *q != '/')
      q++;
    return q < end && *q == '/';
  }
  case EXH_CHECK_JSON:
    /* "json" of "autodiscover.json" */
    if (csv_irregular(fam, line, len))
      return true;
    return at >= 13 && eq_ci(p - 13, "autodiscover.", 13) && proxyshell_line(fam, line, len, p);
  case EXH_CHECK_POWERSHELL:
    /* OWASSRF: a stem under /owa/ holding "/powershell" (ProxyShell's
     * "/powershell" after autodiscover.json is the "json" needle's). */
    if (csv_irregular(fam, line, len))
      return true;
    return at >= 1 && p[-1] == '/' && find_ci(line, len, "/owa/") >= 0;
  case EXH_CHECK_AUTH_SCRIPT: {
    /* A script in /owa/auth/ or /ecp/auth/ that Exchange does not ship:
     * the stem runs from "/auth/" to the next separator. */
    if (csv_irregular(fam, line, len))
      return true;
    const char *q = p;
    char sep = field_sep(fam);
    while (q < end && *q != sep)
      q++;
    exh_view token = view_from(p, (size_t)(q - p));
    return (ends_ci(token, ".aspx") || ends_ci(token, ".ashx")) && !shipped_page(token);
  }
  }
  return true;
}

void exh_line_around(const char *p, const char *end, const char *at, const char **line, size_t *len)
{
  const char *nl = exh_memrchr(p, '\n', (size_t)(at - p));
  const char *s = nl ? nl + 1 : p;
  const char *e = memchr(at, '\n', (size_t)(end - at));
  if (e && e > s && e[-1] == '\r')
    e--;
  else if (!e)
    e = end;
  *line = s;
  *len = (size_t)(e - s);
}

/* The scanners below find the detectors' needles in a span (one row, or a
 * whole buffer of lines) and report each hit to `fn`; they return false
 * when `fn` asked to stop. */
typedef struct span_scan {
  exh_log_family fam;
  const char *p, *end;
  bool one_row; /* the span is one row (a joined record may hold '\n') */
  exh_hit_fn fn;
  void *ctx;
} span_scan;

/* Reports a needle at `at` if its line passes `check`. */
static bool report(const span_scan *s, exh_needle_check check, const char *at)
{
  if (check != EXH_CHECK_NONE) {
    const char *line = s->p;
    size_t len = (size_t)(s->end - s->p);
    if (!s->one_row)
      exh_line_around(s->p, s->end, at, &line, &len);
    if (!exh_needle_line_ok(s->fam, check, line, len, (size_t)(at - line)))
      return true;
  }
  return s->fn(s->ctx, at);
}

/* Case-insensitive `needle` (lower case), with memchr on its byte at index
 * `anchor` in both cases: the needle's rarest byte in logs ('j' of "json",
 * '_' of "aspnet_client"), since every candidate costs a comparison. */
static bool scan_ci_at(const span_scan *sp, const char *needle, size_t anchor,
                       exh_needle_check check)
{
  const char *p = sp->p;
  size_t n = (size_t)(sp->end - sp->p);
  size_t k = strlen(needle);
  char lo = needle[anchor];
  char up = lo >= 'a' && lo <= 'z' ? (char)(lo - 'a' + 'A') : lo;
  for (int pass = 0; pass < (lo == up ? 1 : 2); pass++) {
    char c = pass ? up : lo;
    const char *s = p + anchor, *end = p + n;
    while (s < end && (s = memchr(s, c, (size_t)(end - s))) != NULL) {
      const char *start = s - anchor;
      if ((size_t)(p + n - start) >= k && eq_ci(start, needle, k) && !report(sp, check, start))
        return false;
      s++;
    }
  }
  return true;
}

/* "serverinfo~", or "server~" followed by a path, ending at some '~' (every
 * HttpProxy row has '~' in its routing keys, "Smtp~" or "Sid~", so the
 * check looks back from each). */
static bool scan_server_tilde(const span_scan *sp)
{
  const char *p = sp->p, *s = sp->p, *end = sp->end;
  while ((s = memchr(s, '~', (size_t)(end - s))) != NULL) {
    size_t before = (size_t)(s - p);
    char last = before ? (char)(s[-1] | 0x20) : 0;
    if (last == 'o' && before >= 10 && eq_ci(s - 10, "serverinfo", 10)) {
      if (!report(sp, EXH_CHECK_SERVERINFO, s - 10))
        return false;
    } else if (last == 'r' && before >= 6 && eq_ci(s - 6, "server", 6)) {
      /* A BackEndCookie SSRF carries a path ("Server~host/path~ver");
       * ordinary Autodiscover cookies ("Server~fqdn~ver~time") do not. */
      const char *q = s + 1;
      while (q < end && *q != ',' && *q != '~' && *q != '/' && *q != '\n')
        q++;
      if (q < end && *q == '/' && !report(sp, EXH_CHECK_NONE, s))
        return false;
    }
    s++;
  }
  return true;
}

/* "json" (autodiscover.json) and "/ecp/<1-3 letters>.js" share one pass
 * over the rare 'j': the second is found by looking back from ".js". */
static bool scan_j(const span_scan *sp, bool ecp_js)
{
  const char *p = sp->p, *end = sp->end;
  for (int pass = 0; pass < 2; pass++) {
    const char *s = p;
    while ((s = memchr(s, pass ? 'J' : 'j', (size_t)(end - s))) != NULL) {
      if ((size_t)(end - s) >= 4 && eq_ci(s, "json", 4) && !report(sp, EXH_CHECK_JSON, s))
        return false;
      if (ecp_js && s - p >= 7 && s[-1] == '.' && (size_t)(end - s) >= 2 && (s[1] | 0x20) == 's') {
        /* back over 1-3 letters to "/ecp/" */
        const char *q = s - 1;
        size_t letters = 0;
        while (q - 1 >= p && letters < 4 && (((q[-1] | 0x20) >= 'a' && (q[-1] | 0x20) <= 'z')))
          q--, letters++;
        if (letters >= 1 && letters <= 3 && q - p >= 5 && eq_ci(q - 5, "/ecp/", 5) &&
            !report(sp, EXH_CHECK_NONE, q - 5))
          return false;
      }
      s++;
    }
  }
  return true;
}

static bool span_scan_run(const span_scan *sp)
{
  switch (sp->fam) {
  case EXH_FAM_HTTPPROXY:
    /* SSRF (ServerInfo~, Server~host/path), ProxyShell/NotShell
     * (autodiscover.json), OWASSRF (/powershell) */
    return scan_server_tilde(sp) && scan_j(sp, false) &&
           scan_ci_at(sp, "powershell", 2, EXH_CHECK_POWERSHELL);
  case EXH_FAM_IIS:
    /* What exh_detect_iis can accept, no more: scripts in the drop folders
     * (aspnet_client, owa/auth, ecp/auth), /ecp/<1-3 letters>.js, ProxyShell,
     * OWASSRF, tunnel connects (Tunna "proxy&port=", reGeorg
     * "cmd=connect&target=...&port=": both hold "&port="); not tunnel data
     * requests (exh_log_hit.tunnel_data) */
    return scan_ci_at(sp, "aspnet_client", 6, EXH_CHECK_NONE) &&
           scan_ci_at(sp, "/auth/", 2, EXH_CHECK_AUTH_SCRIPT) && scan_j(sp, true) &&
           scan_ci_at(sp, "powershell", 2, EXH_CHECK_POWERSHELL) &&
           scan_ci_at(sp, "&port=", 0, EXH_CHECK_NONE);
  default:
    return sp->fn(sp->ctx, sp->p);
  }
}

bool exh_block_scan(exh_log_family fam, const char *p, size_t n, exh_hit_fn fn, void *ctx)
{
  span_scan sp = {fam, p, p + n, false, fn, ctx};
  return span_scan_run(&sp);
}

static bool stop_at_first(void *ctx, const char *at)
{
  (void)at;
  *(bool *)ctx = true;
  return false;
}

bool exh_row_may_match(exh_log_family fam, const char *line, size_t len)
{
  bool hit = false;
  span_scan sp = {fam, line, line + len, true, stop_at_first, &hit};
  span_scan_run(&sp);
  return hit;
}

/* ---------------------------------------------------------------------- */
/* Windows events.                                                         */

static exh_view base_name(exh_view path)
{
  size_t i = path.n;
  while (i > 0 && path.p[i - 1] != '\\' && path.p[i - 1] != '/')
    i--;
  return view_from(path.p + i, path.n - i);
}

static bool in_list(exh_view v, const char *const *list)
{
  for (; *list; list++)
    if (exh_view_eq(v, *list))
      return true;
  return false;
}

/* Processes an IIS worker has no business starting: shells, recon, and the
 * LOLBins seen after ProxyLogon (certutil downloads, comsvcs MiniDump of
 * lsass through rundll32, procdump). The .NET compiler helpers w3wp runs to
 * build pages (csc.exe, cvtres.exe, vbc.exe) are not in it. */
static const char *const suspicious_children[] = {"cmd.exe",
                                                  "powershell.exe",
                                                  "pwsh.exe",
                                                  "whoami.exe",
                                                  "net.exe",
                                                  "net1.exe",
                                                  "certutil.exe",
                                                  "rundll32.exe",
                                                  "wscript.exe",
                                                  "cscript.exe",
                                                  "mshta.exe",
                                                  "bitsadmin.exe",
                                                  "nltest.exe",
                                                  "systeminfo.exe",
                                                  "tasklist.exe",
                                                  "ipconfig.exe",
                                                  "quser.exe",
                                                  "query.exe",
                                                  "hostname.exe",
                                                  "reg.exe",
                                                  "schtasks.exe",
                                                  "wmic.exe",
                                                  "procdump.exe",
                                                  "procdump64.exe",
                                                  "7z.exe",
                                                  "makecab.exe",
                                                  "curl.exe",
                                                  "dsquery.exe",
                                                  "csvde.exe",
                                                  "adfind.exe",
                                                  "nslookup.exe",
                                                  "ping.exe",
                                                  "arp.exe",
                                                  "netstat.exe",
                                                  "at.exe",
                                                  "sc.exe",
                                                  "vssadmin.exe",
                                                  "ntdsutil.exe",
                                                  "msiexec.exe",
                                                  "regsvr32.exe",
                                                  NULL};
/* What an IIS worker legitimately starts: the .NET compilers that build
 * pages, their console host, and the error reporter. */
static const char *const benign_worker_children[] = {
    "csc.exe", "cvtres.exe", "vbc.exe", "conhost.exe", "werfault.exe", "aspnet_compiler.exe", NULL};
static const char *const exchange_web_parents[] = {"w3wp.exe", "umworkerprocess.exe",
                                                   "umservice.exe", NULL};

static const char *const web_drop_folders[] = {"\\FrontEnd\\HttpProxy\\owa\\auth\\",
                                               "\\FrontEnd\\HttpProxy\\ecp\\auth\\",
                                               "\\inetpub\\wwwroot\\aspnet_client\\",
                                               "\\FrontEnd\\HttpProxy\\OAB\\",
                                               "\\inetpub\\wwwroot\\",
                                               NULL};
static const char *const script_exts[] = {".aspx", ".ashx", ".asmx", ".asp", ".asa", ".cer", NULL};

static bool ends_in_list(exh_view v, const char *const *list)
{
  for (; *list; list++)
    if (ends_ci(v, *list))
      return true;
  return false;
}

size_t exh_detect_event(const exh_event *ev, exh_log_hit *hits, size_t max)
{
  size_t n = 0;
  exh_log_hit *h;
  bool sysmon = exh_view_has(ev->channel, "Sysmon");
  bool security = exh_view_eq(ev->channel, "Security");

  /* Process creation: Sysmon 1, Security 4688. */
  if ((sysmon && ev->event_id == 1) || (security && ev->event_id == 4688)) {
    exh_view parent = exh_event_get(ev, sysmon ? "ParentImage" : "ParentProcessName");
    exh_view child = exh_event_get(ev, sysmon ? "Image" : "NewProcessName");
    exh_view cmd = exh_event_get(ev, "CommandLine");
    if (in_list(base_name(parent), exchange_web_parents) &&
        in_list(base_name(child), suspicious_children)) {
      bool lsass = exh_view_has(cmd, "comsvcs") && exh_view_has(cmd, "MiniDump");
      h = new_hit(hits, &n, max, EXH_RULE_WEB_WORKER_CHILD_PROCESS,
                  lsass ? "IIS/UM worker process dumped memory with comsvcs MiniDump (credential "
                          "theft, typically lsass)"
                        : "IIS/UM worker process started a shell or recon tool: commands run "
                          "through a web shell",
                  "post-exploitation", EXHUNT_SEV_CRITICAL, "exploited");
      if (h)
        h->artifact = cmd.n ? cmd : child;
    } else if (in_list(base_name(parent), exchange_web_parents) && child.n &&
               !in_list(base_name(child), benign_worker_children)) {
      h = new_hit(hits, &n, max, EXH_RULE_WEB_WORKER_UNUSUAL_CHILD,
                  "IIS/UM worker process started an unexpected program (web-shell payload or "
                  "migration target)",
                  "post-exploitation", EXHUNT_SEV_HIGH, "exploited");
      if (h)
        h->artifact = cmd.n ? cmd : child;
    }
    return n;
  }

  /* Sysmon 8: a thread created in another process by the IIS worker:
   * in-memory payloads migrating out of w3wp (Meterpreter, Cobalt Strike). */
  if (sysmon && ev->event_id == 8) {
    exh_view source = exh_event_get(ev, "SourceImage");
    exh_view target = exh_event_get(ev, "TargetImage");
    if (in_list(base_name(source), exchange_web_parents)) {
      h = new_hit(hits, &n, max, EXH_RULE_WEB_WORKER_REMOTE_THREAD,
                  "IIS/UM worker process injected a thread into another process",
                  "post-exploitation", EXHUNT_SEV_CRITICAL, "exploited");
      if (h)
        h->artifact = target;
    }
    return n;
  }

  /* File creation: Sysmon 11, a server script in a web folder. */
  if (sysmon && ev->event_id == 11) {
    exh_view target = exh_event_get(ev, "TargetFilename");
    if (ends_in_list(target, script_exts) && has_in_list(target, web_drop_folders) &&
        !shipped_page(base_name(target))) {
      h = new_hit(hits, &n, max, EXH_RULE_WEBSHELL_FILE_CREATED,
                  "Server script created in a web folder (web-shell drop)", "webshell-drop",
                  EXHUNT_SEV_HIGH, "exploited");
      if (h)
        h->artifact = target;
    }
    return n;
  }

  /* MSExchange Management: cmdlets run on the server. */
  if (exh_view_eq(ev->channel, "MSExchange Management")) {
    exh_view msg = ev->message;
    n = exh_detect_ecp_line(msg.p, msg.n, hits, max);
    if (n)
      return n;
    bool export_req = exh_view_has(msg, "New-MailboxExportRequest");
    bool cert_req = exh_view_has(msg, "New-ExchangeCertificate");
    if ((export_req || cert_req) &&
        (exh_view_has(msg, ".aspx") || exh_view_has(msg, "\\inetpub\\") ||
         exh_view_has(msg, "\\FrontEnd\\HttpProxy\\"))) {
      h = new_hit(hits, &n, max, EXH_RULE_PROXYSHELL_EXPORT_TO_WEB,
                  export_req ? "ProxyShell: mailbox exported to a web path (web-shell write)"
                             : "ProxyShell: certificate request written to a web path "
                               "(web-shell write)",
                  "exploit", EXHUNT_SEV_CRITICAL, "exploited");
      if (h) {
        add_cve(h, "CVE-2021-34473");
        add_cve(h, "CVE-2021-34523");
        add_cve(h, "CVE-2021-31207");
        h->artifact = msg;
      }
    }
    return n;
  }

  /* CVE-2021-26857, as Test-ProxyLogon: Application log, MSExchange
   * Unified Messaging, Error, System.InvalidCastException. */
  if (exh_view_eq(ev->channel, "Application") &&
      exh_view_eq(ev->provider, "MSExchange Unified Messaging") && ev->level == 2 &&
      exh_view_has(ev->message, "System.InvalidCastException")) {
    h = new_hit(hits, &n, max, EXH_RULE_26857_UM,
                "Unified Messaging deserialization error (CVE-2021-26857 exploitation attempt)",
                "exploit", EXHUNT_SEV_HIGH, "attempted");
    if (h) {
      add_cve(h, "CVE-2021-26857");
      h->artifact = ev->message;
    }
  }
  return n;
}
