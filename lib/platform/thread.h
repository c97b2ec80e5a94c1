/*
 * thread.h - threads, a mutex, a condition variable and run-once
 * (lib/platform/; POSIX threads in posix/thread.c).
 *
 * The mutex and condition variable are embedded in the engines' own
 * structs, so their size is known here without the OS header: each is
 * opaque storage large enough for pthread's type (checked at compile time
 * in posix/thread.c) or Windows' SRWLOCK and CONDITION_VARIABLE. They are
 * not copied or moved once initialised.
 */
#ifndef EXH_PLATFORM_THREAD_H
#define EXH_PLATFORM_THREAD_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define EXH_MUTEX_BYTES 64
#define EXH_COND_BYTES 64
#define EXH_THREAD_BYTES 16

typedef struct exh_mutex {
  alignas(16) unsigned char opaque[EXH_MUTEX_BYTES];
} exh_mutex;

typedef struct exh_cond {
  alignas(16) unsigned char opaque[EXH_COND_BYTES];
} exh_cond;

typedef struct exh_thread {
  alignas(8) unsigned char opaque[EXH_THREAD_BYTES];
} exh_thread;

/* Each returns 0 or an errno value (the mutex and condition calls after
 * a successful init never fail on a correct program). */
int exh_mutex_init(exh_mutex *m);
void exh_mutex_destroy(exh_mutex *m);
void exh_mutex_lock(exh_mutex *m);
void exh_mutex_unlock(exh_mutex *m);

int exh_cond_init(exh_cond *c);
void exh_cond_destroy(exh_cond *c);
/* Releases m, waits for a signal (or a spurious wakeup: loop on the
 * condition), takes m again. */
void exh_cond_wait(exh_cond *c, exh_mutex *m);
void exh_cond_signal(exh_cond *c);
void exh_cond_broadcast(exh_cond *c);

/* Starts fn(arg) on a new thread with the default stack. 0 or an errno
 * value (EAGAIN: no more threads now). */
int exh_thread_start(exh_thread *t, void *(*fn)(void *), void *arg);
/* Waits for the thread to end. */
void exh_thread_join(exh_thread *t);

/* Run-once: fn runs exactly once per flag, whichever thread calls first;
 * every caller returns after it has run. The flag is zero-initialised
 * static storage (EXH_ONCE_INIT). */
typedef struct exh_once {
  atomic_int state; /* 0 never run, 1 running, 2 done */
} exh_once;
#define EXH_ONCE_INIT                                                                              \
  {                                                                                                \
    0                                                                                              \
  }
void exh_call_once(exh_once *once, void (*fn)(void));

/* Processors online (at least 1): the default worker count. */
unsigned exh_cpu_count(void);

#endif
