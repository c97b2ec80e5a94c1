/*
 * thread.c - POSIX threads behind platform/thread.h.
 *
 * The opaque storage of exh_mutex, exh_cond and exh_thread holds the
 * pthread object itself (sizes checked below), so locking costs one call
 * more than pthread's own, and no allocation.
 */
#define _GNU_SOURCE
#include "platform/thread.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

_Static_assert(sizeof(pthread_mutex_t) <= EXH_MUTEX_BYTES, "exh_mutex too small");
_Static_assert(sizeof(pthread_cond_t) <= EXH_COND_BYTES, "exh_cond too small");
_Static_assert(sizeof(pthread_t) <= EXH_THREAD_BYTES, "exh_thread too small");
_Static_assert(_Alignof(pthread_mutex_t) <= 16 && _Alignof(pthread_cond_t) <= 16 &&
                   _Alignof(pthread_t) <= 8,
               "opaque storage under-aligned");

#define MUTEX(m) ((pthread_mutex_t *)(void *)(m)->opaque)
#define COND(c) ((pthread_cond_t *)(void *)(c)->opaque)
#define THREAD(t) ((pthread_t *)(void *)(t)->opaque)

int exh_mutex_init(exh_mutex *m)
{
  return pthread_mutex_init(MUTEX(m), NULL);
}

void exh_mutex_destroy(exh_mutex *m)
{
  pthread_mutex_destroy(MUTEX(m));
}

void exh_mutex_lock(exh_mutex *m)
{
  pthread_mutex_lock(MUTEX(m));
}

void exh_mutex_unlock(exh_mutex *m)
{
  pthread_mutex_unlock(MUTEX(m));
}

int exh_cond_init(exh_cond *c)
{
  return pthread_cond_init(COND(c), NULL);
}

void exh_cond_destroy(exh_cond *c)
{
  pthread_cond_destroy(COND(c));
}

void exh_cond_wait(exh_cond *c, exh_mutex *m)
{
  pthread_cond_wait(COND(c), MUTEX(m));
}

void exh_cond_signal(exh_cond *c)
{
  pthread_cond_signal(COND(c));
}

void exh_cond_broadcast(exh_cond *c)
{
  pthread_cond_broadcast(COND(c));
}

int exh_thread_start(exh_thread *t, void *(*fn)(void *), void *arg)
{
  return pthread_create(THREAD(t), NULL, fn, arg);
}

void exh_thread_join(exh_thread *t)
{
  pthread_join(*THREAD(t), NULL);
}

void exh_call_once(exh_once *once, void (*fn)(void))
{
  /* state: 0 never run, 1 running, 2 done. The first caller runs fn; the
   * others wait (rarely, and briefly: fn is a library's global init). */
  atomic_int *state = &once->state;
  if (atomic_load_explicit(state, memory_order_acquire) == 2)
    return;
  int expected = 0;
  if (atomic_compare_exchange_strong_explicit(state, &expected, 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
    fn();
    atomic_store_explicit(state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(state, memory_order_acquire) != 2)
    sched_yield();
}

unsigned exh_cpu_count(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : (unsigned)n;
}
