/*
 * thread.c - Windows threads behind platform/thread.h.
 *
 * exh_mutex holds an SRWLOCK and exh_cond a CONDITION_VARIABLE (a pointer
 * each, no allocation, nothing to destroy), exh_thread the thread's handle.
 * A thread starts through _beginthreadex, so the C runtime's per-thread
 * state is set up for it; the start function's signature differs from the
 * seam's, so a small block carries fn and arg to the new thread.
 *
 * Run-once keeps the POSIX file's C11-atomic algorithm rather than
 * InitOnceExecuteOnce: exh_once is a 4-byte atomic_int in the header (its
 * EXH_ONCE_INIT is shared by both systems) and an INIT_ONCE is pointer
 * sized; the wait is as rare and short (a library's global init).
 */
#include <errno.h>
#include <process.h>
#include <stdatomic.h>

#include "core/alloc.h"
#include "platform/thread.h"
#include "win32_int.h"

_Static_assert(sizeof(SRWLOCK) <= EXH_MUTEX_BYTES, "exh_mutex too small");
_Static_assert(sizeof(CONDITION_VARIABLE) <= EXH_COND_BYTES, "exh_cond too small");
_Static_assert(sizeof(HANDLE) <= EXH_THREAD_BYTES, "exh_thread too small");
_Static_assert(_Alignof(SRWLOCK) <= 16 && _Alignof(CONDITION_VARIABLE) <= 16 &&
                   _Alignof(HANDLE) <= 8,
               "opaque storage under-aligned");

#define MUTEX(m) ((SRWLOCK *)(void *)(m)->opaque)
#define COND(c) ((CONDITION_VARIABLE *)(void *)(c)->opaque)
#define THREAD(t) ((HANDLE *)(void *)(t)->opaque)

int exh_mutex_init(exh_mutex *m)
{
  InitializeSRWLock(MUTEX(m));
  return 0;
}

void exh_mutex_destroy(exh_mutex *m)
{
  (void)m; /* an SRWLOCK holds no resource */
}

void exh_mutex_lock(exh_mutex *m)
{
  AcquireSRWLockExclusive(MUTEX(m));
}

void exh_mutex_unlock(exh_mutex *m)
{
  ReleaseSRWLockExclusive(MUTEX(m));
}

int exh_cond_init(exh_cond *c)
{
  InitializeConditionVariable(COND(c));
  return 0;
}

void exh_cond_destroy(exh_cond *c)
{
  (void)c;
}

void exh_cond_wait(exh_cond *c, exh_mutex *m)
{
  SleepConditionVariableSRW(COND(c), MUTEX(m), INFINITE, 0);
}

void exh_cond_signal(exh_cond *c)
{
  WakeConditionVariable(COND(c));
}

void exh_cond_broadcast(exh_cond *c)
{
  WakeAllConditionVariable(COND(c));
}

#define THREAD_STACK (8u << 20)

typedef struct start_block {
  void *(*fn)(void *);
  void *arg;
} start_block;

static unsigned __stdcall thread_main(void *p)
{
  start_block b = *(start_block *)p;
  exh_free(p);
  b.fn(b.arg);
  return 0;
}

int exh_thread_start(exh_thread *t, void *(*fn)(void *), void *arg)
{
  start_block *b = exh_malloc(sizeof *b);
  if (!b)
    return ENOMEM;
  b->fn = fn;
  b->arg = arg;
  /* The engines were written against Linux's 8 MiB thread stacks; a
   * Windows thread gets the executable's default (2 MiB as mingw-w64 links it).
   * Reserve as much (committed only as it is used). */
  uintptr_t h =
      _beginthreadex(NULL, THREAD_STACK, thread_main, b, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
  if (h == 0) {
    exh_free(b);
    return EAGAIN;
  }
  *THREAD(t) = (HANDLE)h;
  return 0;
}

void exh_thread_join(exh_thread *t)
{
  WaitForSingleObject(*THREAD(t), INFINITE);
  CloseHandle(*THREAD(t));
}

void exh_call_once(exh_once *once, void (*fn)(void))
{
  /* state: 0 never run, 1 running, 2 done (as posix/thread.c). */
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
  /* Yield first; then sleep, so a runner of lower priority gets the CPU. */
  for (unsigned spins = 0; atomic_load_explicit(state, memory_order_acquire) != 2; spins++)
    if (spins < 64)
      SwitchToThread();
    else
      Sleep(1);
}

unsigned exh_cpu_count(void)
{
  /* Every processor group: a server with more than 64 logical CPUs has
   * several. */
  DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
  return n < 1 ? 1u : (unsigned)n;
}
