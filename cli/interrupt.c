/*
 * interrupt.c - see interrupt.h. Every field the handler reads is a
 * volatile sig_atomic_t or a static buffer written before its flag is set,
 * so the handler never sees half of a registration.
 */
#include "interrupt.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char message[64];
static volatile sig_atomic_t message_len;
static volatile sig_atomic_t progress_drawn;
static char temps[CLI_INTERRUPT_MAX_TEMPS][PATH_MAX];
static volatile sig_atomic_t temp_used[CLI_INTERRUPT_MAX_TEMPS];
static sigset_t held_mask;

static void on_signal(int sig)
{
  (void)sig;
  if (progress_drawn) {
    static const char clear[] = "\r\033[K";
    (void)!write(STDERR_FILENO, clear, sizeof clear - 1);
  }
  if (message_len > 0)
    (void)!write(STDERR_FILENO, message, (size_t)message_len);
  for (int i = 0; i < CLI_INTERRUPT_MAX_TEMPS; i++)
    if (temp_used[i])
      unlink(temps[i]);
  _exit(EXIT_INTERRUPTED);
}

int cli_interrupt_install(const char *command)
{
  int n = snprintf(message, sizeof message, "exhunt %.32s: interrupted\n", command);
  message_len = n > 0 && (size_t)n < sizeof message ? n : 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  /* A second signal while the first is handled waits: the handler exits. */
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
    return -1;
  return 0;
}

int cli_interrupt_add_temp(const char *path)
{
  size_t len = strlen(path);
  if (len >= PATH_MAX)
    return -1;
  for (int i = 0; i < CLI_INTERRUPT_MAX_TEMPS; i++) {
    if (temp_used[i])
      continue;
    memcpy(temps[i], path, len + 1);
    temp_used[i] = 1; /* published only once the path is whole */
    return i;
  }
  return -1;
}

void cli_interrupt_remove_temp(int slot)
{
  if (slot >= 0 && slot < CLI_INTERRUPT_MAX_TEMPS)
    temp_used[slot] = 0;
}

void cli_interrupt_progress(bool drawn)
{
  progress_drawn = drawn;
}

void cli_interrupt_hold(bool hold)
{
  if (hold) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &held_mask);
  } else {
    pthread_sigmask(SIG_SETMASK, &held_mask, NULL);
  }
}
