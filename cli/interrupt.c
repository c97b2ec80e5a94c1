/*
 * interrupt.c - see interrupt.h. The OS's part (the signal handler or the
 * console control handler, the hold, and the raw calls the handler may
 * make) is cli/os.h's; what the handler does is here, once for every OS.
 * Every field the handler reads is a volatile sig_atomic_t or a static
 * buffer written before its flag is set, so the handler never sees half of
 * a registration.
 */
#include "interrupt.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "os.h"

static char message[64];
static volatile sig_atomic_t message_len;
static volatile sig_atomic_t progress_drawn;
static char temps[CLI_INTERRUPT_MAX_TEMPS][EXH_PATH_MAX];
static volatile sig_atomic_t temp_used[CLI_INTERRUPT_MAX_TEMPS];

/* Runs in the signal handler (POSIX) or on the console's handler thread
 * (Windows): only cli/os.h's raw calls. */
static void on_interrupt(void)
{
  if (progress_drawn) {
    static const char clear[] = "\r\033[K";
    cli_os_raw_stderr(clear, sizeof clear - 1);
  }
  if (message_len > 0)
    cli_os_raw_stderr(message, (size_t)message_len);
  for (int i = 0; i < CLI_INTERRUPT_MAX_TEMPS; i++)
    if (temp_used[i])
      cli_os_raw_remove(temps[i]);
  cli_os_exit_now(EXIT_INTERRUPTED);
}

int cli_interrupt_install(const char *command)
{
  int n = snprintf(message, sizeof message, "exhunt %.32s: interrupted\n", command);
  message_len = n > 0 && (size_t)n < sizeof message ? n : 0;
  return cli_os_on_interrupt(on_interrupt);
}

int cli_interrupt_add_temp(const char *path)
{
  size_t len = strlen(path);
  if (len >= EXH_PATH_MAX)
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
  cli_os_hold_interrupts(hold);
}
