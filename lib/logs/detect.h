/*
 * detect.h - exploitation detectors over Exchange and IIS log records.
 *
 * One function per log family, called once per record (and, for the ECP
 * Server and OABGenerator logs, on the raw line, as Test-ProxyLogon's
 * Select-String does). A detector fills exh_log_hit records; the engine
 * (logs.c) attaches the file, line and excerpt and emits them. The SSRF
 * hits of CVE-2021-26855 are held back by the engine until every log has
 * been read, because whether an autodiscover row was a failed attempt or
 * the first step of a successful chain depends on what the same client did
 * next (see logs.c). Rule ids, sources and false positives are in
 * docs/detections.md.
 */
#ifndef EXH_DETECT_H
#define EXH_DETECT_H

#include <stdbool.h>

#include "core/time.h" /* exh_parse_iso8601, once declared here */
#include "table.h"

typedef enum exh_log_family {
  EXH_FAM_HTTPPROXY = 0,
  EXH_FAM_ECP_SERVER,
  EXH_FAM_OABGEN,
  EXH_FAM_IIS,
  EXH_FAM_EVENTS,
  EXH_FAM_COUNT,
  EXH_FAM_NONE = EXH_FAM_COUNT
} exh_log_family;

#define EXH_MAX_CVES 3

/* Every log rule, by the detector that fires it. */
typedef enum exh_log_rule_id {
  EXH_RULE_PROXYLOGON_PROBE = 0,
  EXH_RULE_26855_SSRF,
  EXH_RULE_26855_ATTEMPT, /* an SSRF row the hold-back (ssrf.c) found went no further */
  EXH_RULE_27065_RESET_VDIR,
  EXH_RULE_27065_SET_VDIR,
  EXH_RULE_26858_OAB_WRITE,
  EXH_RULE_26857_UM,
  EXH_RULE_PROXYSHELL_SSRF,
  EXH_RULE_PROXYSHELL_ATTEMPT,
  EXH_RULE_OWASSRF,
  EXH_RULE_PROXYSHELL_EXPORT_TO_WEB,
  EXH_RULE_IIS_ECP_JS_SSRF,
  EXH_RULE_IIS_WEBSHELL_REQUEST,
  EXH_RULE_IIS_WEBSHELL_TUNNEL,
  EXH_RULE_IIS_WEBSHELL_TUNNEL_TRAFFIC, /* summed per client and script (tunnel.c) */
  EXH_RULE_WEB_WORKER_CHILD_PROCESS,
  EXH_RULE_WEB_WORKER_UNUSUAL_CHILD,
  EXH_RULE_WEB_WORKER_REMOTE_THREAD,
  EXH_RULE_WEBSHELL_FILE_CREATED,
  EXH_RULE_REQUEST_TO_SHELL, /* a request to a shell the caller named (logs.c) */
  EXH_RULE_COUNT
} exh_log_rule_id;

/* What a rule's records are, declared once with its id: the attack step
 * they show and what their artifact holds (exhunt_log_part). The findings
 * carry both, so no reader has to know rule ids. */
typedef struct exh_log_rule {
  const char *id; /* "exhunt.log.proxylogon_probe", ... (docs/detections.md) */
  exhunt_attack_step step;
  exhunt_artifact_kind artifact;
} exh_log_rule;

/* Indexed by exh_log_rule_id; immutable. */
extern const exh_log_rule exh_log_rules[EXH_RULE_COUNT];

typedef struct exh_log_hit {
  const exh_log_rule *rule; /* an entry of exh_log_rules */
  const char *title;
  const char *category;
  exhunt_severity severity;
  const char *outcome; /* "exploited", "attempted", "probe" */
  const char *cves[EXH_MAX_CVES];
  size_t n_cves;
  exh_view client_ip, user_agent;
  exh_view artifact;
  bool artifact_csv;      /* a view into a quoted CSV value: "" stands for " */
  bool ssrf_candidate;    /* held back for per-client classification */
  bool ssrf_went_further; /* this row itself reached /ecp/ or /mapi/ */
  /* A web-shell tunnel's data request: counted per client and script,
   * reported once per file (thousands of them follow one connect). No
   * needle finds these rows: the engine looks for the script of a connect
   * (rule exhunt.log.iis_webshell_tunnel, artifact = the script) in the
   * rest of that file, so exh_row_may_match does not take them. */
  bool tunnel_data;
  bool method_post;        /* tunnel_data: a POST (else a GET) */
  const char *description; /* NULL, or what the finding sums up */
} exh_log_hit;

/* Column indexes of one table's header, looked up once per #Fields line. */
typedef struct exh_cols {
  int datetime, date, time;
  int client_ip, user_agent, url_stem, url_query, anchor, status, method, backend_cookie;
  int routing_hint;
  int protocol; /* HttpProxy's Protocol column: Ecp, Owa, ... */
} exh_cols;

void exh_cols_bind(exh_cols *c, const exh_table *t, exh_log_family fam);

/* Record time (seconds, UTC) or EXHUNT_NO_TIME. */
int64_t exh_record_time(const exh_table *t, const exh_cols *c);

/* The literal prefilter: false when no detector of `fam` can fire on this
 * raw record line (it holds none of their needles), so the record need
 * not be split. Always a superset of the detectors' conditions. */
bool exh_row_may_match(exh_log_family fam, const char *line, size_t len);

/* The same needles over a whole buffer of lines: `fn` gets a pointer into
 * the buffer at each hit (several per line possible) and returns false to
 * stop. Families without needles report the buffer start once. Returns
 * false if `fn` stopped it. The engine runs these needles through
 * Hyperscan when it can (prefilter.c): a needle added here goes there too
 * (test_logs compares the two line by line). */
typedef bool (*exh_hit_fn)(void *ctx, const char *at);
bool exh_block_scan(exh_log_family fam, const char *p, size_t n, exh_hit_fn fn, void *ctx);

/* What the rest of a needle's line must hold before a detector can fire:
 * most lines with a needle are ordinary traffic, and splitting a row costs
 * far more than one more look at its bytes. exh_block_scan and the
 * Hyperscan callback (prefilter.c) both ask exh_needle_line_ok, so they
 * keep taking the same lines. */
typedef enum exh_needle_check {
  EXH_CHECK_NONE = 0,
  EXH_CHECK_SERVERINFO,  /* "serverinfo~": starts a value with '/' or localhost */
  EXH_CHECK_JSON,        /* "json": autodiscover.json plus a back end or '@' */
  EXH_CHECK_POWERSHELL,  /* "powershell": "/powershell" on a line with "/owa/" */
  EXH_CHECK_AUTH_SCRIPT, /* "/auth/": an .aspx/.ashx Exchange does not ship */
} exh_needle_check;

/* Whether the row `line` (len bytes, without its "\r\n"), holding the
 * needle of `check` at offset `at`, can give a hit. Always true for a CSV
 * row whose values cannot be read off its bytes (a quote left open, bytes
 * after a closing quote, an odd number of quotes). */
bool exh_needle_line_ok(exh_log_family fam, exh_needle_check check, const char *line, size_t len,
                        size_t at);

/* The line of a buffer [p, end) of lines holding `at`, without its "\r\n". */
void exh_line_around(const char *p, const char *end, const char *at, const char **line,
                     size_t *len);

/* Detectors: each returns the number of hits written (at most max). */
/* `protocol` is the HttpProxy folder the log sits in (Ecp, Owa, ...), or
 * "" when the path has none: then the row's Protocol column tells. */
size_t exh_detect_httpproxy(const exh_table *t, const exh_cols *c, const char *protocol,
                            exh_log_hit *hits, size_t max);
size_t exh_detect_iis(const exh_table *t, const exh_cols *c, exh_log_hit *hits, size_t max);
size_t exh_detect_ecp_line(const char *line, size_t len, exh_log_hit *hits, size_t max);
size_t exh_detect_oab_line(const char *line, size_t len, exh_log_hit *hits, size_t max);

struct exh_event;
size_t exh_detect_event(const struct exh_event *ev, exh_log_hit *hits, size_t max);

#endif
