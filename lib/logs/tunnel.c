/*
 * tunnel.c - web-shell TCP tunnel correlation, per file (tunnel.h).
 *
 * Each file keeps at most EXH_MAX_TUNNELS scripts and as many (client,
 * script) sums, in fixed arrays (the sums allocated at the first data
 * request): a file with many tunnels costs a bounded amount, and what is
 * past the caps is counted and said, never dropped silently.
 */
#include "tunnel.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/time.h"
#include "platform/clock.h"
#include "platform/strext.h"

/* One web-shell tunnel's data requests in one file: a client and the
 * script it tunnels through, with the first request kept as the evidence. */
struct exh_tunnel_acc {
  char client[64], user_agent[256], script[EXH_TUNNEL_SCRIPT_CAP];
  uint64_t requests, gets, posts;
  uint64_t first_line;
  int64_t first, last;
  char *first_raw;
  size_t first_raw_len;
};

static void copy_field(char *dst, size_t cap, exh_view v)
{
  size_t n = v.n < cap - 1 ? v.n : cap - 1;
  memcpy(dst, v.p, n);
  dst[n] = '\0';
}

void exh_tunnel_count(exh_tunnels *t, const exh_log_hit *h, uint64_t line, int64_t ts,
                      const char *raw, size_t raw_len)
{
  char client[64], script[EXH_TUNNEL_SCRIPT_CAP];
  copy_field(client, sizeof client, h->client_ip);
  copy_field(script, sizeof script, h->artifact);
  struct exh_tunnel_acc *a = NULL;
  for (size_t i = 0; i < t->n_acc && !a; i++)
    if (strcmp(t->acc[i].client, client) == 0 && strcasecmp(t->acc[i].script, script) == 0)
      a = &t->acc[i];
  if (!a) {
    if (!t->acc)
      t->acc = exh_calloc(EXH_MAX_TUNNELS, sizeof *t->acc);
    if (!t->acc || t->n_acc == EXH_MAX_TUNNELS) {
      t->over++;
      return;
    }
    a = &t->acc[t->n_acc++];
    memcpy(a->client, client, sizeof client);
    memcpy(a->script, script, sizeof script);
    copy_field(a->user_agent, sizeof a->user_agent, h->user_agent);
    a->first_line = line;
    a->first = a->last = ts;
    size_t n = raw_len < EXH_LOG_EXCERPT_CAP ? raw_len : EXH_LOG_EXCERPT_CAP;
    a->first_raw = exh_malloc(n + 1);
    if (a->first_raw) {
      memcpy(a->first_raw, raw, n);
      a->first_raw[n] = '\0';
      a->first_raw_len = n;
    }
  }
  a->requests++;
  if (h->method_post)
    a->posts++;
  else
    a->gets++;
  exh_span_widen(&a->first, &a->last, ts);
}

/* "2021-03-03T12:14:16Z", or "?" without a time. */
static void fmt_time(char *out, size_t cap, int64_t t)
{
  struct tm tm;
  if (t == EXHUNT_NO_TIME || !exh_gmtime(t, &tm) ||
      strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, cap, "?");
}

void exh_tunnel_flush(const exh_tunnels *t, const char *path, const exh_log_out *out)
{
  if (t->over && t->n_acc == 0)
    out->notice(out->ctx, EXHUNT_NOTICE_ERROR, EXHUNT_ENOMEM, "read-error", path,
                "out of memory: web-shell tunnel requests were seen but not summed");
  for (size_t i = 0; i < t->n_acc; i++) {
    const struct exh_tunnel_acc *a = &t->acc[i];
    char from[32], to[32], desc[640];
    fmt_time(from, sizeof from, a->first);
    fmt_time(to, sizeof to, a->last);
    snprintf(
        desc, sizeof desc,
        "%llu tunnel data requests (%llu GET, %llu POST) from %s to %s in this file, %s to "
        "%s%s",
        (unsigned long long)a->requests, (unsigned long long)a->gets, (unsigned long long)a->posts,
        a->client[0] ? a->client : "an unknown client", a->script, from, to,
        i + 1 == t->n_acc && t->over ? "; more tunnels in this file were counted but not told apart"
                                     : "");
    exh_log_hit h;
    memset(&h, 0, sizeof h);
    h.rule = &exh_log_rules[EXH_RULE_IIS_WEBSHELL_TUNNEL_TRAFFIC];
    h.title = "Web-shell TCP tunnel traffic (Tunna/reGeorg data requests, summed per client and "
              "script)";
    h.category = "webshell-access";
    h.severity = EXHUNT_SEV_HIGH;
    h.outcome = "exploited";
    h.client_ip = (exh_view){a->client, strlen(a->client)};
    h.user_agent = (exh_view){a->user_agent, strlen(a->user_agent)};
    h.artifact = (exh_view){a->script, strlen(a->script)};
    h.description = desc;
    out->finding(out->ctx, &h, path, a->first_line, a->first, a->first_raw ? a->first_raw : "",
                 a->first_raw ? a->first_raw_len : 0);
  }
}

void exh_tunnel_free(exh_tunnels *t)
{
  for (size_t i = 0; i < t->n_acc; i++)
    exh_free(t->acc[i].first_raw);
  exh_free(t->acc);
  t->acc = NULL;
  t->n_acc = 0;
}

void exh_tunnel_connect(exh_tunnels *t, exh_view script)
{
  if (script.n == 0)
    return;
  for (size_t i = 0; i < t->n_scripts; i++)
    if (strlen(t->scripts[i]) == script.n && memcmp(t->scripts[i], script.p, script.n) == 0)
      return;
  if (t->n_scripts == EXH_MAX_TUNNELS || script.n >= sizeof t->scripts[0]) {
    t->scripts_over++; /* the connects themselves are still reported */
    return;
  }
  memcpy(t->scripts[t->n_scripts], script.p, script.n);
  t->scripts[t->n_scripts++][script.n] = '\0';
  t->added = true;
}

bool exh_tunnel_row(const exh_tunnels *t, const char *line, size_t len)
{
  for (size_t i = 0; i < t->n_scripts; i++)
    if (exh_memmem(line, len, t->scripts[i], strlen(t->scripts[i])))
      return true;
  return false;
}

void exh_tunnel_rows(const exh_tunnels *t, const char *block, size_t n,
                     bool (*on_hit)(void *ctx, const char *at), void *ctx)
{
  const char *end = block + n;
  for (size_t i = 0; i < t->n_scripts; i++) {
    const char *s = t->scripts[i], *at = block;
    size_t k = strlen(s);
    while ((at = exh_memmem(at, (size_t)(end - at), s, k)) != NULL) {
      if (!on_hit(ctx, at))
        return;
      at += k;
    }
  }
}

void exh_tunnel_report_caps(const exh_tunnels *t, const char *path, const exh_log_out *out)
{
  if (!t->scripts_over)
    return;
  char reason[300];
  snprintf(reason, sizeof reason,
           "%llu tunnel connect(s) name a script past the %u kept per file (or longer than %zu "
           "bytes): the connects are reported, but that script's data requests may not be "
           "summed",
           (unsigned long long)t->scripts_over, (unsigned)EXH_MAX_TUNNELS,
           sizeof t->scripts[0] - 1);
  out->notice(out->ctx, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "tunnel-scripts-capped", path, reason);
}
