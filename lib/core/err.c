/*
 * err.c - names for the public enums: error codes, severities, skip reasons,
 * attack steps.
 *
 * Each is a table indexed by the explicit enum values (core/names.h). A
 * static assertion ties each table's length to its enum's count, so adding
 * a value without a name stops the build rather than leaving a silent gap;
 * exhunt_err and the attack steps have no count, so their assertions name
 * the last value and move with the enum.
 */
#include <strings.h>

#include "core/names.h"
#include "exhunt/exhunt.h"

static const char *const error_messages[] = {
    [EXHUNT_OK] = "success",
    [EXHUNT_ENOMEM] = "out of memory",
    [EXHUNT_EIO] = "input/output error",
    [EXHUNT_ECORRUPT] = "malformed input",
    [EXHUNT_ETRUNCATED] = "input truncated",
    [EXHUNT_ELIMIT] = "limit reached",
    [EXHUNT_EINVAL] = "invalid argument",
    [EXHUNT_ERULES] = "rule or IOC file failed to load",
    [EXHUNT_EACCES] = "permission denied",
    [EXHUNT_ENOENT] = "no such file or directory",
    [EXHUNT_ELOOP] = "symlink or directory loop",
    [EXHUNT_ETHREAD] = "could not start a worker thread",
    [EXHUNT_ECHANGED] = "file changed while being scanned",
    [EXHUNT_EYARA] = "YARA scan error",
    [EXHUNT_EUNSUPPORTED] = "not supported",
    [EXHUNT_EBUSY] = "in use by another process (locked)",
    [EXHUNT_ENOSPC] = "no space left on device (or disk quota exceeded)",
};
_Static_assert(sizeof error_messages / sizeof *error_messages == EXHUNT_ENOSPC + 1,
               "a message for every code up to the last (update with the enum)");

const char *exhunt_strerror(exhunt_err err)
{
  return EXH_NAME_AT(error_messages, err, "unknown error");
}

static const char *const severity_names[] = {
    [EXHUNT_SEV_INFO] = "info", [EXHUNT_SEV_LOW] = "low",           [EXHUNT_SEV_MEDIUM] = "medium",
    [EXHUNT_SEV_HIGH] = "high", [EXHUNT_SEV_CRITICAL] = "critical",
};
_Static_assert(sizeof severity_names / sizeof *severity_names == EXHUNT_SEV_COUNT,
               "a name for every severity");

const char *exhunt_severity_name(exhunt_severity sev)
{
  return EXH_NAME_AT(severity_names, sev, "unknown");
}

exhunt_err exhunt_severity_parse(const char *name, exhunt_severity *out)
{
  if (!name || !out)
    return EXHUNT_EINVAL;
  for (unsigned i = 0; i < EXHUNT_SEV_COUNT; i++) {
    if (strcasecmp(name, severity_names[i]) == 0) {
      *out = (exhunt_severity)i;
      return EXHUNT_OK;
    }
  }
  return EXHUNT_EINVAL;
}

static const char *const skip_reason_names[] = {
    [EXHUNT_SKIP_EXCLUDED] = "excluded",
    [EXHUNT_SKIP_SPECIAL] = "special-file",
    [EXHUNT_SKIP_SYMLINK] = "symlink",
    [EXHUNT_SKIP_LOOP] = "loop",
    [EXHUNT_SKIP_OTHER_FS] = "other-filesystem",
    [EXHUNT_SKIP_OLDER] = "older-than-window",
    [EXHUNT_SKIP_UNREADABLE] = "unreadable",
    [EXHUNT_SKIP_CONTENT_SIZE] = "content-too-large",
    [EXHUNT_SKIP_DEPTH] = "too-deep",
    [EXHUNT_SKIP_VANISHED] = "vanished",
};
_Static_assert(sizeof skip_reason_names / sizeof *skip_reason_names == EXHUNT_SKIP_COUNT,
               "a name for every skip reason");

const char *exhunt_skip_reason_name(exhunt_skip_reason reason)
{
  return EXH_NAME_AT(skip_reason_names, reason, "unknown");
}

/* EXHUNT_STEP_NONE has no name of its own: it is "other", as any unknown
 * number is. */
static const char *const attack_step_names[] = {
    [EXHUNT_STEP_PROBE] = "probe",
    [EXHUNT_STEP_ATTEMPT] = "attempt",
    [EXHUNT_STEP_SSRF] = "ssrf",
    [EXHUNT_STEP_VDIR_RESET] = "vdir-reset",
    [EXHUNT_STEP_FILE_WRITTEN] = "file-written",
    [EXHUNT_STEP_SHELL_REQUEST] = "shell-request",
    [EXHUNT_STEP_COMMAND] = "command",
};
_Static_assert(sizeof attack_step_names / sizeof *attack_step_names == EXHUNT_STEP_COMMAND + 1,
               "a name for every step up to the last (update with the enum)");

const char *exhunt_attack_step_name(exhunt_attack_step step)
{
  return EXH_NAME_AT(attack_step_names, step, "other");
}
