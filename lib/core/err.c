/*
 * err.c - names for the public enums: error codes, severities, skip reasons.
 *
 * Kept as switch statements over the explicit enum values so that adding a
 * code without a message is a compiler warning (-Wswitch), not a silent gap.
 */
#include <strings.h>

#include "exhunt/exhunt.h"

const char *exhunt_strerror(exhunt_err err)
{
  switch (err) {
  case EXHUNT_OK:
    return "success";
  case EXHUNT_ENOMEM:
    return "out of memory";
  case EXHUNT_EIO:
    return "input/output error";
  case EXHUNT_ECORRUPT:
    return "malformed input";
  case EXHUNT_ETRUNCATED:
    return "input truncated";
  case EXHUNT_ELIMIT:
    return "limit reached";
  case EXHUNT_EINVAL:
    return "invalid argument";
  case EXHUNT_ERULES:
    return "rule or IOC file failed to load";
  case EXHUNT_EACCES:
    return "permission denied";
  case EXHUNT_ENOENT:
    return "no such file or directory";
  case EXHUNT_ELOOP:
    return "symlink or directory loop";
  case EXHUNT_ETHREAD:
    return "could not start a worker thread";
  case EXHUNT_ECHANGED:
    return "file changed while being scanned";
  case EXHUNT_EYARA:
    return "YARA scan error";
  case EXHUNT_EUNSUPPORTED:
    return "not supported";
  case EXHUNT_EBUSY:
    return "in use by another process (locked)";
  case EXHUNT_ENOSPC:
    return "no space left on device (or disk quota exceeded)";
  }
  return "unknown error";
}

static const char *const severity_names[EXHUNT_SEV_COUNT] = {"info", "low", "medium", "high",
                                                             "critical"};

const char *exhunt_severity_name(exhunt_severity sev)
{
  if ((unsigned)sev >= EXHUNT_SEV_COUNT)
    return "unknown";
  return severity_names[sev];
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

const char *exhunt_skip_reason_name(exhunt_skip_reason reason)
{
  switch (reason) {
  case EXHUNT_SKIP_EXCLUDED:
    return "excluded";
  case EXHUNT_SKIP_SPECIAL:
    return "special-file";
  case EXHUNT_SKIP_SYMLINK:
    return "symlink";
  case EXHUNT_SKIP_LOOP:
    return "loop";
  case EXHUNT_SKIP_OTHER_FS:
    return "other-filesystem";
  case EXHUNT_SKIP_OLDER:
    return "older-than-window";
  case EXHUNT_SKIP_UNREADABLE:
    return "unreadable";
  case EXHUNT_SKIP_CONTENT_SIZE:
    return "content-too-large";
  case EXHUNT_SKIP_DEPTH:
    return "too-deep";
  case EXHUNT_SKIP_VANISHED:
    return "vanished";
  }
  return "unknown";
}
