/*
 * probe.c - exh_probe_run: passive HTTPS fingerprint of Exchange servers with
 * the libcurl multi interface; see probe.h.
 *
 * Requests. Each target is asked at most two things, in order, one at a time:
 *   1. GET /owa/auth/logon.aspx - X-OWA-Version header, and /owa/auth/<build>/
 *      paths in the page body;
 *   2. GET /ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application
 *      - the version attribute of its <assemblyIdentity>.
 * They are ordinary browser GETs (browser User-Agent and Accept headers, no
 * cookies, no body). Redirects are not left to curl: a 3xx to the same host
 * (same scheme and port, or an upgrade from http to https) is followed by us,
 * at most EXH_PROBE_MAX_REDIRECTS times per path; a redirect to any other host
 * is never followed, so a target cannot point the probe at a third party.
 *
 * Early stop. A target is not asked again once
 *   - the X-OWA-Version header gave a 4-part build: nothing can beat it (it is
 *     the most specific source), so the exporttool request would only add
 *     traffic; or
 *   - a request failed below HTTP (DNS, connect, timeout, TLS, protocol
 *     error): the next request to the same server would fail the same way,
 *     and a slow or dead host would otherwise cost twice the timeout.
 * Otherwise both paths are asked and the best build wins: 4 parts beat 3;
 * with equal parts, x-owa-version > exporttool > owa-auth-path.
 *
 * Outcome, once a target is done:
 *   FOUND              a build was seen;
 *   EXCHANGE_NO_BUILD  some HTTP answer looked like Exchange (an X-OWA-Version
 *                      header we could not parse, X-FEServer/X-BEServer/
 *                      X-CalculatedBETarget headers, an OutlookSession cookie,
 *                      /owa/auth/ in the logon page, a redirect to /owa/, the
 *                      exporttool manifest name) but no build;
 *   NOT_EXCHANGE       the server answered HTTP, nothing Exchange-like;
 *   UNREACHABLE        no HTTP answer, and the failure was DNS, connect or a
 *                      timeout;
 *   ERROR              no HTTP answer for another reason: TLS verification
 *                      failed (the reason names --insecure), a protocol error
 *                      (garbage instead of HTTP), a bad CA file, ... - and
 *                      targets that do not parse (checked before any traffic).
 *
 * Scheduling. One thread, one multi handle. At most one request per target is
 * in flight, and at most opts->parallel targets are in flight at once (our
 * own queue: targets with a follow-up request go first, so started targets
 * finish before new ones start). The rate limit is a token bucket of depth
 * one: a request may start at `next_start`, which then moves to
 * max(next_start, now) + 1/rate, so no burst follows an idle spell;
 * curl_multi_poll() sleeps until the next start is due (or curl needs us).
 * Redirect follow-ups count as requests.
 *
 * Memory. Per run: the target table, a ring of follow-ups and one slot per
 * concurrent request, all through exh_malloc & co. Bodies grow in a dynbuf
 * capped at max_body; past the cap the transfer is aborted and what was kept
 * is analysed. Every byte from the network is untrusted: it only reaches the
 * fixed-size extractors in fingerprint.c, and the strings handed to the
 * callback (build, url, reason) are the caller's to escape.
 *
 * libcurl global state: curl_global_init() is not thread-safe, so it runs
 * once per process (exh_call_once). It is never undone here (the library
 * cannot know when the last user is gone); a program that wants a clean exit
 * may call curl_global_cleanup() itself after its last probe.
 */
#include "probe/probe.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/ascii.h"
#include "core/dynbuf.h"

/* Defaults and caps of the probe (opts fields set to 0 take the defaults)
 * are in core/limits.h: EXH_PROBE_*. */
#include "core/limits.h"
#include "platform/clock.h"
#include "platform/thread.h"

#define PROBE_UA                                                                                   \
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "              \
  "Chrome/124.0.0.0 Safari/537.36"

enum { STAGE_LOGON = 0, STAGE_EXPORTTOOL = 1, N_STAGES = 2 };

static const char *const stage_path[N_STAGES] = {
    "/owa/auth/logon.aspx",
    "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application",
};
static const char *const stage_name[N_STAGES] = {"logon.aspx", "exporttool"};

/* Build sources, by priority (higher wins between builds of equal parts). */
enum { SRC_NONE = 0, SRC_OWA_PATH = 1, SRC_EXPORTTOOL = 2, SRC_HEADER = 3 };
static const char *const source_name[] = {NULL, "owa-auth-path", "exporttool", "x-owa-version"};
static const char *const source_text[] = {NULL, "the /owa/auth/<build>/ paths of the logon page",
                                          "the exporttool manifest", "the X-OWA-Version header"};

typedef struct target {
  const char *given;
  bool valid;
  bool https;
  bool done;
  char host[260]; /* name, IPv4 or [IPv6], as written */
  unsigned port;
  char base[300]; /* scheme://host:port */
  unsigned stage;
  unsigned redirects;
  char *next_url; /* the request to make next (owned), NULL if none */
  /* What was learnt. */
  bool answered;            /* some request got an HTTP response */
  const char *exchange_why; /* first Exchange-like sign, static text */
  int best_rank;            /* parts * 10 + source, 0 when none */
  int best_source;
  char build[32];
  char *build_url; /* owned */
  CURLcode fail;   /* last failure below HTTP */
  char fail_msg[CURL_ERROR_SIZE];
  char stage_note[N_STAGES][96];
  char reason[512];
} target;

typedef struct request {
  bool busy;
  target *t;
  CURL *easy;
  char *url; /* owned */
  exh_dynbuf body;
  size_t max_body;
  bool capped;
  bool oom;
  char owa[64]; /* trimmed X-OWA-Version value; empty when longer */
  size_t owa_len;
  bool owa_seen;
  const char *exchange_why;
  char errbuf[CURL_ERROR_SIZE];
} request;

typedef struct run {
  const exh_probe_opts *o;
  long connect_ms, total_ms;
  size_t max_body;
  int64_t interval_ns; /* 0 = no rate limit */
  int64_t next_start;
  exh_probe_cb cb;
  void *ctx;
  target *targets;
  size_t n_targets;
  size_t next_fresh; /* first target not started yet */
  size_t *ring;      /* targets with a follow-up request, FIFO */
  size_t ring_head, ring_len;
  request *slots;
  size_t n_slots, in_flight;
  CURLM *multi;
  struct curl_slist *headers;
  exhunt_err err;
} run;

/* The one global: libcurl's process-wide init, done once (see the top). */
static exh_once curl_once = EXH_ONCE_INIT;

static void curl_init_once(void)
{
  /* A failure here is seen later, as curl_multi_init()/curl_easy_init()
   * returning NULL, and reported as EXHUNT_ENOMEM. */
  (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ns(void)
{
  return exh_monotonic_ns();
}

/* Case-insensitive equality of a span and a string (either case). */
static bool eq_ci(const char *a, size_t alen, const char *b)
{
  if (strlen(b) != alen)
    return false;
  for (size_t i = 0; i < alen; i++)
    if (exh_lower(a[i]) != exh_lower(b[i]))
      return false;
  return true;
}

/* Parts of a normalised build: 3 or 4. */
static unsigned build_parts(const char *build)
{
  unsigned parts = 1;
  for (const char *p = build; *p; p++)
    parts += *p == '.';
  return parts;
}

/* ---------------------------------------------------------------------- */
/* Targets.                                                                 */

static bool is_host_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

static bool is_v6_char(char c)
{
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

/*
 * Parses host, host:port, [v6]:port, https://host[:port][/] or (explicitly)
 * http://host[:port][/]. On failure writes why into t->reason.
 */
static bool parse_target(target *t)
{
  const char *s = t->given;
  size_t len = strlen(s);
  if (len == 0) {
    snprintf(t->reason, sizeof t->reason, "empty target");
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == 0x7f) {
      snprintf(t->reason, sizeof t->reason, "target contains a space or control character");
      return false;
    }
    if (c >= 0x80) {
      snprintf(t->reason, sizeof t->reason,
               "target contains a non-ASCII character (give IDN host names in punycode)");
      return false;
    }
  }
  t->https = true;
  const char *sep = strstr(s, "://");
  if (sep) {
    size_t slen = (size_t)(sep - s);
    if (eq_ci(s, slen, "https")) {
      t->https = true;
    } else if (eq_ci(s, slen, "http")) {
      t->https = false;
    } else {
      snprintf(t->reason, sizeof t->reason, "unsupported URL scheme (only https:// or http://)");
      return false;
    }
    s = sep + 3;
    len -= slen + 3;
  }
  /* Authority, then nothing or a single '/'. */
  size_t alen = 0;
  while (alen < len && s[alen] != '/')
    alen++;
  if (alen < len && !(alen + 1 == len && s[alen] == '/')) {
    snprintf(t->reason, sizeof t->reason,
             "a path, query or fragment is not accepted (give host, host:port or https://host/)");
    return false;
  }
  size_t hlen;
  const char *port = NULL;
  if (alen > 0 && s[0] == '[') {
    hlen = 1;
    while (hlen < alen && is_v6_char(s[hlen]))
      hlen++;
    if (hlen >= alen || s[hlen] != ']' || hlen == 1) {
      snprintf(t->reason, sizeof t->reason, "malformed IPv6 address (use [addr] or [addr]:port)");
      return false;
    }
    hlen++;
  } else {
    hlen = 0;
    while (hlen < alen && is_host_char(s[hlen]))
      hlen++;
    if (hlen == 0 || s[0] == '-' || s[0] == '.') {
      snprintf(t->reason, sizeof t->reason, "missing or malformed host name");
      return false;
    }
  }
  if (hlen < alen) {
    if (s[hlen] != ':') {
      snprintf(t->reason, sizeof t->reason,
               "unexpected character in host name (user info, query and fragments are not "
               "accepted)");
      return false;
    }
    port = s + hlen + 1;
  }
  if (hlen >= sizeof t->host) {
    snprintf(t->reason, sizeof t->reason, "host name too long");
    return false;
  }
  memcpy(t->host, s, hlen);
  t->host[hlen] = '\0';
  t->port = t->https ? 443 : 80;
  if (port) {
    size_t plen = alen - hlen - 1;
    unsigned long v = 0;
    for (size_t i = 0; i < plen && v <= 65535; i++) {
      if (port[i] < '0' || port[i] > '9') {
        v = 0;
        break;
      }
      v = v * 10 + (unsigned long)(port[i] - '0');
    }
    if (plen == 0 || plen > 5 || v == 0 || v > 65535) {
      snprintf(t->reason, sizeof t->reason, "bad port (1 to 65535)");
      return false;
    }
    t->port = (unsigned)v;
  }
  snprintf(t->base, sizeof t->base, "%s://%s:%u", t->https ? "https" : "http", t->host, t->port);
  return true;
}

/* ---------------------------------------------------------------------- */
/* Transfers.                                                              */

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
  request *q = ud;
  size_t len = size * nitems;
  size_t colon = 0;
  while (colon < len && buf[colon] != ':')
    colon++;
  if (colon == len)
    return len; /* status line or the blank end of the headers */
  const char *value = buf + colon + 1;
  size_t vlen = len - colon - 1;
  if (eq_ci(buf, colon, "x-owa-version")) {
    /* Trimmed here so a long padded value is not cut into a valid-looking
     * one; a value too long for a build is kept empty (unparseable). */
    while (vlen > 0 && exh_is_space(value[0])) {
      value++;
      vlen--;
    }
    while (vlen > 0 && exh_is_space(value[vlen - 1]))
      vlen--;
    q->owa_seen = true;
    q->owa_len = vlen < sizeof q->owa ? vlen : 0;
    memcpy(q->owa, value, q->owa_len);
  } else if (!q->exchange_why && eq_ci(buf, colon, "x-feserver")) {
    q->exchange_why = "X-FEServer header";
  } else if (!q->exchange_why &&
             (eq_ci(buf, colon, "x-beserver") || eq_ci(buf, colon, "x-calculatedbetarget"))) {
    q->exchange_why = "X-BEServer/X-CalculatedBETarget header";
  } else if (!q->exchange_why && eq_ci(buf, colon, "set-cookie") &&
             exh_contains_ci(value, vlen, "outlooksession")) {
    q->exchange_why = "OutlookSession cookie";
  }
  return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
  request *q = ud;
  size_t len = size * nmemb;
  size_t room = q->max_body - q->body.len;
  size_t keep = len < room ? len : room;
  if (keep && exh_dynbuf_add(&q->body, data, keep) != EXHUNT_OK) {
    q->oom = true;
    return 0;
  }
  if (keep < len) {
    q->capped = true;
    return 0; /* abort: enough of this body */
  }
  return len;
}

static void request_release(run *r, request *q)
{
  if (q->easy) {
    curl_multi_remove_handle(r->multi, q->easy);
    curl_easy_cleanup(q->easy);
  }
  q->easy = NULL;
  exh_free(q->url);
  q->url = NULL;
  exh_dynbuf_free(&q->body);
  q->busy = false;
  r->in_flight--;
}

#define SETOPT(opt, val)                                                                           \
  do {                                                                                             \
    if (rc == CURLE_OK)                                                                            \
      rc = curl_easy_setopt(q->easy, opt, val);                                                    \
  } while (0)

/* Starts the pending request of t in a free slot; takes t->next_url. */
static exhunt_err request_start(run *r, target *t)
{
  request *q = NULL;
  for (size_t i = 0; i < r->n_slots && !q; i++)
    if (!r->slots[i].busy)
      q = &r->slots[i];
  if (!q)
    return EXHUNT_EINVAL; /* programmer error: caller checks in_flight */
  memset(q, 0, sizeof *q);
  q->busy = true;
  r->in_flight++;
  q->t = t;
  q->url = t->next_url;
  t->next_url = NULL;
  q->max_body = r->max_body;
  exh_dynbuf_init(&q->body, r->max_body);
  q->easy = curl_easy_init();
  if (!q->easy) {
    request_release(r, q);
    return EXHUNT_ENOMEM;
  }
  const exh_probe_opts *o = r->o;
  CURLcode rc = CURLE_OK;
  SETOPT(CURLOPT_URL, q->url);
  SETOPT(CURLOPT_PRIVATE, (void *)q);
  SETOPT(CURLOPT_HTTPGET, 1L);
  SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
  SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  SETOPT(CURLOPT_USERAGENT, PROBE_UA);
  SETOPT(CURLOPT_HTTPHEADER, r->headers);
  SETOPT(CURLOPT_ACCEPT_ENCODING, "");
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms);
  SETOPT(CURLOPT_TIMEOUT_MS, r->total_ms);
  SETOPT(CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
  /* 2 = check the name; 1 means the same since curl 7.66. */
  SETOPT(CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
  if (o->ca_file)
    SETOPT(CURLOPT_CAINFO, o->ca_file);
  SETOPT(CURLOPT_HEADERFUNCTION, on_header);
  SETOPT(CURLOPT_HEADERDATA, (void *)q);
  SETOPT(CURLOPT_WRITEFUNCTION, on_body);
  SETOPT(CURLOPT_WRITEDATA, (void *)q);
  SETOPT(CURLOPT_ERRORBUFFER, q->errbuf);
  if (rc == CURLE_OUT_OF_MEMORY) {
    request_release(r, q);
    return EXHUNT_ENOMEM;
  }
  if (rc != CURLE_OK || curl_multi_add_handle(r->multi, q->easy) != CURLM_OK) {
    /* Not a per-target problem: libcurl refused an option every request sets. */
    request_release(r, q);
    return EXHUNT_EUNSUPPORTED;
  }
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* Results.                                                                */

/* Keeps the build if it beats the best so far: more parts first, then the
 * source priority. Returns false only when out of memory. */
static bool consider_build(target *t, const char *text, int source, const char *url)
{
  int rank = (int)build_parts(text) * 10 + source;
  if (rank <= t->best_rank)
    return true;
  char *dup = exh_strdup(url);
  if (!dup)
    return false;
  exh_free(t->build_url);
  t->build_url = dup;
  t->best_rank = rank;
  t->best_source = source;
  snprintf(t->build, sizeof t->build, "%s", text);
  return true;
}

static bool is_tls_verify(CURLcode c)
{
  return c == CURLE_PEER_FAILED_VERIFICATION;
}

static bool is_unreachable(CURLcode c)
{
  return c == CURLE_COULDNT_RESOLVE_HOST || c == CURLE_COULDNT_CONNECT ||
         c == CURLE_OPERATION_TIMEDOUT;
}

static bool is_protocol_error(CURLcode c)
{
  return c == CURLE_WEIRD_SERVER_REPLY || c == CURLE_UNSUPPORTED_PROTOCOL ||
         c == CURLE_GOT_NOTHING || c == CURLE_HTTP2 || c == CURLE_HTTP2_STREAM ||
         c == CURLE_BAD_CONTENT_ENCODING;
}

/* Appends "; text" (or text) to the reason, cut at its size. */
static void reason_add(target *t, const char *text)
{
  size_t used = strlen(t->reason);
  if (used + 1 >= sizeof t->reason)
    return;
  snprintf(t->reason + used, sizeof t->reason - used, "%s%s", used ? "; " : "", text);
}

static void target_report(run *r, target *t)
{
  exh_probe_result res = {t->given, EXH_PROBE_ERROR, NULL, NULL, NULL, t->reason};
  char line[CURL_ERROR_SIZE + 160];
  t->done = true;
  t->reason[0] = '\0';
  if (t->best_rank > 0) {
    res.outcome = EXH_PROBE_FOUND;
    res.build = t->build;
    res.build_source = source_name[t->best_source];
    res.url = t->build_url;
    snprintf(line, sizeof line, "build %s from %s", t->build, source_text[t->best_source]);
    reason_add(t, line);
  } else if (t->answered && t->exchange_why) {
    res.outcome = EXH_PROBE_EXCHANGE_NO_BUILD;
    snprintf(line, sizeof line, "looks like Exchange (%s) but no build was disclosed",
             t->exchange_why);
    reason_add(t, line);
  } else if (t->answered) {
    res.outcome = EXH_PROBE_NOT_EXCHANGE;
    reason_add(t, "answered, but nothing Exchange-like");
  } else if (is_tls_verify(t->fail)) {
    snprintf(line, sizeof line,
             "TLS certificate verification failed (%s); rerun with --insecure to probe without "
             "verification",
             t->fail_msg);
    reason_add(t, line);
  } else if (is_unreachable(t->fail)) {
    res.outcome = EXH_PROBE_UNREACHABLE;
    snprintf(line, sizeof line, "unreachable: %s", t->fail_msg);
    reason_add(t, line);
  } else if (t->fail == CURLE_SSL_CONNECT_ERROR) {
    snprintf(line, sizeof line, "TLS handshake failed: %s", t->fail_msg);
    reason_add(t, line);
  } else if (is_protocol_error(t->fail)) {
    snprintf(line, sizeof line, "protocol error, the server did not answer proper HTTP: %s",
             t->fail_msg);
    reason_add(t, line);
  } else {
    snprintf(line, sizeof line, "request failed: %s", t->fail_msg);
    reason_add(t, line);
  }
  for (unsigned s = 0; s < N_STAGES; s++) {
    if (!t->stage_note[s][0])
      continue;
    snprintf(line, sizeof line, "%s: %s", stage_name[s], t->stage_note[s]);
    reason_add(t, line);
  }
  r->cb(r->ctx, &res);
  exh_free(t->build_url);
  t->build_url = NULL;
}

/* Queues t's next request (URL owned by t) or reports t when it is done. */
static exhunt_err target_next(run *r, target *t, char *url)
{
  if (!url) {
    target_report(r, t);
    return EXHUNT_OK;
  }
  t->next_url = url;
  r->ring[(r->ring_head + r->ring_len) % r->n_targets] = (size_t)(t - r->targets);
  r->ring_len++;
  return EXHUNT_OK;
}

static char *stage_url(const target *t, unsigned stage)
{
  size_t n = strlen(t->base) + strlen(stage_path[stage]) + 1;
  char *url = exh_malloc(n);
  if (url)
    snprintf(url, n, "%s%s", t->base, stage_path[stage]);
  return url;
}

/* Is the redirect target the same host (same scheme and port, or http to
 * https)? Returns a copy of the URL to follow, or NULL. */
static char *same_host_redirect(const target *t, const char *location, bool *alloc_failed)
{
  char *follow = NULL, *scheme = NULL, *host = NULL, *port = NULL;
  CURLU *u = curl_url();
  if (!u) {
    *alloc_failed = true;
    goto done;
  }
  if (strlen(location) > EXH_PROBE_MAX_URL || curl_url_set(u, CURLUPART_URL, location, 0) ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) || curl_url_get(u, CURLUPART_HOST, &host, 0) ||
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
    goto done;
  bool same_host = eq_ci(host, strlen(host), t->host);
  bool https = strcmp(scheme, "https") == 0;
  bool same_scheme = https == t->https && (https || strcmp(scheme, "http") == 0);
  char want_port[8];
  snprintf(want_port, sizeof want_port, "%u", t->port);
  bool ok = same_host && ((same_scheme && strcmp(port, want_port) == 0) || (!t->https && https));
  if (ok) {
    follow = exh_strdup(location);
    if (!follow)
      *alloc_failed = true;
  }
done:
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return follow;
}

/* A transfer ended: learn from it, then queue the next request or report. */
static exhunt_err request_done(run *r, request *q, CURLcode result)
{
  target *t = q->t;
  unsigned stage = t->stage;
  char *next = NULL;
  bool stop = false;
  if (q->oom) {
    request_release(r, q);
    return EXHUNT_ENOMEM;
  }
  if (result != CURLE_OK && !(result == CURLE_WRITE_ERROR && q->capped)) {
    t->fail = result;
    snprintf(t->fail_msg, sizeof t->fail_msg, "%s",
             q->errbuf[0] ? q->errbuf : curl_easy_strerror(result));
    snprintf(t->stage_note[stage], sizeof t->stage_note[stage], "no HTTP answer");
    request_release(r, q);
    return target_next(r, t, NULL); /* stop: see the top of the file */
  }
  long status = 0;
  curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
  t->answered = true;
  if (!t->exchange_why)
    t->exchange_why = q->exchange_why;
  char build[32];
  bool ok = true;
  if (q->owa_seen) {
    if (exh_probe_build_from_header(q->owa, q->owa_len, build, sizeof build)) {
      ok = consider_build(t, build, SRC_HEADER, q->url);
      stop = build_parts(build) == 4;
    } else if (!t->exchange_why) {
      t->exchange_why = "X-OWA-Version header without a build";
    }
  }
  if (stage == STAGE_LOGON) {
    if (exh_probe_build_from_logon(q->body.data, q->body.len, build, sizeof build))
      ok = ok && consider_build(t, build, SRC_OWA_PATH, q->url);
    else if (!t->exchange_why && exh_contains_ci(q->body.data, q->body.len, "/owa/auth/"))
      t->exchange_why = "/owa/auth/ in the logon page";
  } else {
    if (exh_probe_build_from_exporttool(q->body.data, q->body.len, build, sizeof build))
      ok = ok && consider_build(t, build, SRC_EXPORTTOOL, q->url);
    else if (!t->exchange_why &&
             exh_contains_ci(q->body.data, q->body.len, "microsoft.exchange.ediscovery"))
      t->exchange_why = "exporttool manifest without a version";
  }
  if (!ok) {
    request_release(r, q);
    return EXHUNT_ENOMEM;
  }
  snprintf(t->stage_note[stage], sizeof t->stage_note[stage], "HTTP %ld%s%s", status,
           t->redirects ? " after a same-host redirect" : "",
           q->capped ? " (body cut at the size limit)" : "");

  char *location = NULL;
  if (!stop && status >= 300 && status < 400 &&
      curl_easy_getinfo(q->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
    if (!t->exchange_why && exh_contains_ci(location, strlen(location), "/owa/"))
      t->exchange_why = "redirect to /owa/";
    bool alloc_failed = false;
    if (t->redirects < EXH_PROBE_MAX_REDIRECTS)
      next = same_host_redirect(t, location, &alloc_failed);
    if (alloc_failed) {
      request_release(r, q);
      return EXHUNT_ENOMEM;
    }
    if (next) {
      t->redirects++;
    } else {
      snprintf(t->stage_note[stage], sizeof t->stage_note[stage],
               "HTTP %ld redirect not followed (%s)", status,
               t->redirects < EXH_PROBE_MAX_REDIRECTS ? "not the same host" : "too many redirects");
    }
  }
  request_release(r, q);
  if (!next && !stop && stage + 1 < N_STAGES) {
    t->stage = stage + 1;
    t->redirects = 0;
    next = stage_url(t, t->stage);
    if (!next)
      return EXHUNT_ENOMEM;
  }
  return target_next(r, t, next);
}

/* ---------------------------------------------------------------------- */
/* The loop.                                                               */

/* The next target with a request to make, or NULL. Follow-ups go first. */
static target *peek_work(run *r)
{
  if (r->ring_len)
    return &r->targets[r->ring[r->ring_head]];
  while (r->next_fresh < r->n_targets && !r->targets[r->next_fresh].valid)
    r->next_fresh++;
  return r->next_fresh < r->n_targets ? &r->targets[r->next_fresh] : NULL;
}

static exhunt_err take_work(run *r, target *t)
{
  if (r->ring_len) {
    r->ring_head = (r->ring_head + 1) % r->n_targets;
    r->ring_len--;
    return EXHUNT_OK;
  }
  r->next_fresh++;
  t->next_url = stage_url(t, STAGE_LOGON);
  return t->next_url ? EXHUNT_OK : EXHUNT_ENOMEM;
}

/* Starts what the slots and the rate allow. Returns the wait in ms until the
 * next start is due, 0 when nothing waits on the rate. */
static exhunt_err start_ready(run *r, long *wait_ms)
{
  *wait_ms = 0;
  target *t;
  while (r->in_flight < r->n_slots && (t = peek_work(r)) != NULL) {
    if (r->interval_ns) {
      int64_t now = now_ns();
      if (now < r->next_start) {
        *wait_ms = (long)((r->next_start - now + 999999) / 1000000);
        break;
      }
      r->next_start = (r->next_start > now ? r->next_start : now) + r->interval_ns;
    }
    exhunt_err err = take_work(r, t);
    if (err == EXHUNT_OK)
      err = request_start(r, t);
    if (err)
      return err;
  }
  return EXHUNT_OK;
}

static exhunt_err drain(run *r)
{
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    char *priv = NULL;
    CURLcode result = msg->data.result;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    exhunt_err err = request_done(r, (request *)(void *)priv, result);
    if (err)
      return err;
  }
  return EXHUNT_OK;
}

static bool opts_valid(const exh_probe_opts *o)
{
  if (o->connect_timeout_ms < 0 || o->total_timeout_ms < 0)
    return false;
  if (isnan(o->rate) || o->rate < 0 || (o->rate > 0 && o->rate < EXH_PROBE_MIN_RATE))
    return false;
  return true;
}

exhunt_err exh_probe_run(const char *const *targets, size_t n_targets, const exh_probe_opts *opts,
                         exh_probe_cb cb, void *ctx)
{
  static const exh_probe_opts defaults = {0};
  const exh_probe_opts *o = opts ? opts : &defaults;
  if ((!targets && n_targets) || !cb || !opts_valid(o))
    return EXHUNT_EINVAL;
  for (size_t i = 0; i < n_targets; i++)
    if (!targets[i])
      return EXHUNT_EINVAL;
  if (n_targets == 0)
    return EXHUNT_OK;
  exh_call_once(&curl_once, curl_init_once);

  run r;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.cb = cb;
  r.ctx = ctx;
  r.n_targets = n_targets;
  r.connect_ms = o->connect_timeout_ms ? o->connect_timeout_ms : EXH_PROBE_CONNECT_TIMEOUT_MS;
  r.total_ms = o->total_timeout_ms ? o->total_timeout_ms : EXH_PROBE_TOTAL_TIMEOUT_MS;
  r.max_body = o->max_body ? o->max_body : EXH_PROBE_MAX_BODY;
  r.interval_ns = o->rate > 0 ? (int64_t)(1e9 / o->rate) : 0;
  r.next_start = now_ns();
  exhunt_err err = EXHUNT_ENOMEM;
  r.targets = exh_calloc(n_targets, sizeof *r.targets);
  r.ring = exh_calloc(n_targets, sizeof *r.ring);
  if (!r.targets || !r.ring)
    goto cleanup;

  /* Targets that do not parse are reported before any traffic. */
  size_t n_valid = 0;
  for (size_t i = 0; i < n_targets; i++) {
    target *t = &r.targets[i];
    t->given = targets[i];
    t->valid = parse_target(t);
    if (t->valid) {
      n_valid++;
    } else {
      exh_probe_result res = {t->given, EXH_PROBE_ERROR, NULL, NULL, NULL, t->reason};
      t->done = true;
      cb(ctx, &res);
    }
  }
  unsigned parallel = o->parallel ? o->parallel : EXH_PROBE_PARALLEL;
  if (parallel > EXH_PROBE_MAX_PARALLEL)
    parallel = EXH_PROBE_MAX_PARALLEL;
  r.n_slots = n_valid < parallel ? n_valid : parallel;
  if (r.n_slots == 0) {
    err = EXHUNT_OK;
    goto cleanup;
  }
  r.slots = exh_calloc(r.n_slots, sizeof *r.slots);
  r.multi = curl_multi_init();
  struct curl_slist *h = curl_slist_append(
      NULL, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
  if (h) {
    r.headers = h;
    h = curl_slist_append(r.headers, "Accept-Language: en-US,en;q=0.9");
  }
  if (!r.slots || !r.multi || !h)
    goto cleanup;

  for (;;) {
    long wait_ms;
    err = start_ready(&r, &wait_ms);
    if (err)
      goto cleanup;
    if (r.in_flight == 0 && !peek_work(&r))
      break;
    int running = 0;
    if (r.in_flight && curl_multi_perform(r.multi, &running) != CURLM_OK) {
      err = EXHUNT_ENOMEM; /* CURLM_OUT_OF_MEMORY is the only likely one */
      goto cleanup;
    }
    size_t before = r.in_flight;
    err = drain(&r);
    if (err)
      goto cleanup;
    if (r.in_flight < before)
      continue; /* slots freed: start follow-ups before sleeping */
    /* Sleep until a socket is ready, curl's own timer fires (curl_multi_poll
     * caps the wait by it), or the rate allows the next start. */
    if (!wait_ms || r.in_flight == r.n_slots || !peek_work(&r))
      wait_ms = 1000;
    if (curl_multi_poll(r.multi, NULL, 0, (int)wait_ms, NULL) != CURLM_OK) {
      err = EXHUNT_ENOMEM;
      goto cleanup;
    }
  }
  err = EXHUNT_OK;

cleanup:
  for (size_t i = 0; r.slots && i < r.n_slots; i++)
    if (r.slots[i].busy)
      request_release(&r, &r.slots[i]);
  for (size_t i = 0; r.targets && i < n_targets; i++) {
    exh_free(r.targets[i].next_url);
    exh_free(r.targets[i].build_url);
  }
  if (r.multi)
    curl_multi_cleanup(r.multi);
  curl_slist_free_all(r.headers);
  exh_free(r.slots);
  exh_free(r.ring);
  exh_free(r.targets);
  return err;
}
