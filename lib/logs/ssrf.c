/*
 * ssrf.c - the CVE-2021-26855 hold-back: SSRF rows held across every file,
 * then classified per client (ssrf.h).
 *
 * A held row keeps owned copies of what its finding shows (excerpt, client
 * address, user agent, artifact, path), since the line it came from is
 * gone by the time the last file is read. Both stores grow: the rows in
 * steps of 256 up to EXH_MAX_HELD_SSRF, the clients that went further
 * doubling (one string per distinct address, so bounded by the rows).
 */
#include "ssrf.h"

#include <string.h>

#include "core/alloc.h"
#include "core/dynbuf.h"

struct exh_ssrf_held {
  exh_log_hit hit; /* views point into `text` */
  char *path;
  char *text; /* excerpt, then ip, ua, artifact, NUL-separated */
  size_t excerpt_len;
  uint64_t line;
  int64_t timestamp;
};

void exh_ssrf_init(exh_ssrf_hold *s)
{
  memset(s, 0, sizeof *s);
}

/* Appends a capped copy of v and a NUL; *failed is set if memory ran out
 * (the views into b are then not to be used). */
static exh_view copy_view(exh_dynbuf *b, exh_view v, size_t cap, size_t *offset, bool *failed)
{
  *offset = b->len;
  size_t n = v.n < cap ? v.n : cap;
  if (exh_dynbuf_add(b, v.p, n) != EXHUNT_OK || exh_dynbuf_addc(b, '\0') != EXHUNT_OK)
    *failed = true;
  exh_view out = {NULL, n};
  return out;
}

static bool went_further(const exh_ssrf_hold *s, exh_view ip)
{
  for (size_t i = 0; i < s->n_further; i++)
    if (strlen(s->went_further[i]) == ip.n && memcmp(s->went_further[i], ip.p, ip.n) == 0)
      return true;
  return false;
}

void exh_ssrf_went_further(exh_ssrf_hold *s, exh_view ip)
{
  if (ip.n == 0 || went_further(s, ip))
    return;
  char **grown = exh_grow(s->went_further, s->n_further, &s->cap_further, 16, sizeof *grown);
  if (!grown)
    return;
  s->went_further = grown;
  char *c = exh_strndup(ip.p, ip.n);
  if (c)
    s->went_further[s->n_further++] = c;
}

/* Keeps an SSRF row for classification; reports it at once when the store
 * is full (as exploited: the conservative answer) and says so once. */
void exh_ssrf_hold_row(exh_ssrf_hold *s, const exh_log_hit *h, const char *path, uint64_t line,
                       int64_t ts, const char *excerpt, size_t excerpt_len, const exh_log_out *out)
{
  if (s->n_held == EXH_MAX_HELD_SSRF) {
    if (!s->capped) {
      s->capped = true;
      out->notice(out->ctx, EXHUNT_NOTICE_NOTE, EXHUNT_ELIMIT, "ssrf-rows-capped", NULL,
                  "more CVE-2021-26855 rows than can be held for per-client "
                  "classification; the rest are reported as exploited without it");
    }
    out->finding(out->ctx, h, path, line, ts, excerpt, excerpt_len);
    return;
  }
  if (s->n_held % 256 == 0) {
    struct exh_ssrf_held *grown = exh_reallocarray(s->held, s->n_held + 256, sizeof *grown);
    if (!grown) {
      out->finding(out->ctx, h, path, line, ts, excerpt, excerpt_len);
      return;
    }
    s->held = grown;
  }
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  size_t off_ex, off_ip, off_ua, off_art;
  bool failed = false;
  copy_view(&b, (exh_view){excerpt, excerpt_len}, EXH_LOG_EXCERPT_CAP, &off_ex, &failed);
  exh_view ip = copy_view(&b, h->client_ip, 63, &off_ip, &failed);
  exh_view ua = copy_view(&b, h->user_agent, 511, &off_ua, &failed);
  exh_view art = copy_view(&b, h->artifact, EXH_LOG_ARTIFACT_CAP, &off_art, &failed);
  char *path_copy = exh_strdup(path);
  if (failed || !b.data || !path_copy) {
    /* No memory to hold it for classification: report it as it is. */
    exh_free(path_copy);
    exh_dynbuf_free(&b);
    out->finding(out->ctx, h, path, line, ts, excerpt, excerpt_len);
    return;
  }
  struct exh_ssrf_held *k = &s->held[s->n_held++];
  k->hit = *h;
  k->text = b.data;
  k->path = path_copy;
  k->excerpt_len = excerpt_len < EXH_LOG_EXCERPT_CAP ? excerpt_len : EXH_LOG_EXCERPT_CAP;
  k->line = line;
  k->timestamp = ts;
  k->hit.client_ip = (exh_view){b.data + off_ip, ip.n};
  k->hit.user_agent = (exh_view){b.data + off_ua, ua.n};
  k->hit.artifact = (exh_view){b.data + off_art, art.n};
}

/* A client's SSRF rows are the first steps of a chain if any of its SSRF
 * rows reached a back end past autodiscover with success; otherwise they
 * are a failed attempt. A row that itself went further is part of a chain
 * whoever sent it; a row with no client address cannot be tied to a
 * client, so it is not downgraded (no evidence that it failed). */
void exh_ssrf_release(exh_ssrf_hold *s, const exh_log_out *out)
{
  for (size_t i = 0; i < s->n_held; i++) {
    struct exh_ssrf_held *k = &s->held[i];
    if (k->hit.client_ip.n == 0 && !k->hit.ssrf_went_further) {
      k->hit.title = "ProxyLogon SSRF (CVE-2021-26855); the row has no client address, so "
                     "whether this client got further is unknown";
    } else if (!k->hit.ssrf_went_further && !went_further(s, k->hit.client_ip)) {
      k->hit.severity = EXHUNT_SEV_MEDIUM;
      k->hit.outcome = "attempted";
      k->hit.rule = &exh_log_rules[EXH_RULE_26855_ATTEMPT];
      k->hit.title = "ProxyLogon SSRF attempt (CVE-2021-26855): this client got no further "
                     "than the SSRF itself";
    }
    out->finding(out->ctx, &k->hit, k->path, k->line, k->timestamp, k->text, k->excerpt_len);
  }
}

void exh_ssrf_free(exh_ssrf_hold *s)
{
  for (size_t i = 0; i < s->n_held; i++) {
    exh_free(s->held[i].text);
    exh_free(s->held[i].path);
  }
  exh_free(s->held);
  for (size_t i = 0; i < s->n_further; i++)
    exh_free(s->went_further[i]);
  exh_free(s->went_further);
  memset(s, 0, sizeof *s);
}
