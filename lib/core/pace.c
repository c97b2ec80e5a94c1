/*
 * pace.c - the CPU share and read-rate limits of a run (see pace.h).
 *
 * Rate: a token bucket shared by the workers. Tokens accrue at max_rate per
 * second up to a tenth of a second's worth; a read takes its bytes, and a
 * worker that drives the bucket below zero sleeps until it is back at zero.
 *
 * CPU: the process's CPU time since the run began (every thread: YARA,
 * hashing and parsing all count, not only reads) against the wall time,
 * checked at most every 10 ms. When CPU time runs ahead of share x wall,
 * the reporting worker sleeps the difference; the others do the same at
 * their next read, so the whole run slows down. The clocks are read under
 * the lock; the sleeping is done outside it.
 */
#include "pace.h"

#include "alloc.h"
#include "platform/clock.h"
#include "platform/thread.h"

struct exh_pace {
  exh_mutex lock;
  double rate;      /* bytes per second, 0 = none */
  double cpu_share; /* cores, 0 = none */
  double tokens;    /* rate bucket */
  double last_fill; /* monotonic seconds of the last refill */
  double start;     /* monotonic seconds at the start */
  double cpu_start; /* process CPU seconds at the start */
  double next_cpu_check;
};

static double monotonic_seconds(void)
{
  return (double)exh_monotonic_ns() / 1e9;
}

static double cpu_seconds(void)
{
  return (double)exh_process_cpu_ns() / 1e9;
}

static void sleep_seconds(double s)
{
  if (s <= 0.0)
    return;
  if (s > 5.0) /* a bound: the next report sleeps again if still ahead */
    s = 5.0;
  exh_sleep_ns((int64_t)(s * 1e9));
}

exhunt_err exh_pace_new(const exhunt_pace *cfg, exh_pace **out)
{
  *out = NULL;
  if (!cfg || (cfg->cpu_percent == 0 && cfg->max_rate == 0))
    return EXHUNT_OK;
  exh_pace *p = exh_calloc(1, sizeof *p);
  if (!p)
    return EXHUNT_ENOMEM;
  if (exh_mutex_init(&p->lock) != 0) {
    exh_free(p);
    return EXHUNT_ENOMEM;
  }
  p->rate = (double)cfg->max_rate;
  p->cpu_share = (double)cfg->cpu_percent / 100.0;
  p->tokens = p->rate / 10.0;
  p->start = p->last_fill = p->next_cpu_check = monotonic_seconds();
  p->cpu_start = cpu_seconds();
  *out = p;
  return EXHUNT_OK;
}

void exh_pace_free(exh_pace *p)
{
  if (!p)
    return;
  exh_mutex_destroy(&p->lock);
  exh_free(p);
}

void exh_pace_account(exh_pace *p, uint64_t bytes)
{
  if (!p)
    return;
  double wait = 0.0;
  exh_mutex_lock(&p->lock);
  double now = monotonic_seconds();
  if (p->rate > 0.0) {
    p->tokens += (now - p->last_fill) * p->rate;
    if (p->tokens > p->rate / 10.0)
      p->tokens = p->rate / 10.0;
    p->last_fill = now;
    p->tokens -= (double)bytes;
    if (p->tokens < 0.0)
      wait = -p->tokens / p->rate;
  }
  if (p->cpu_share > 0.0 && now >= p->next_cpu_check) {
    p->next_cpu_check = now + 0.010;
    double cpu = cpu_seconds() - p->cpu_start;
    double ahead = cpu / p->cpu_share - (now - p->start);
    if (ahead > wait)
      wait = ahead;
  }
  exh_mutex_unlock(&p->lock);
  sleep_seconds(wait);
}
