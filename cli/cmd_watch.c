/*
 * cmd_watch.c - `exhunt watch`: scan files as they land in folder trees.
 *
 * The library runs the fanotify or inotify loop (exhunt_watch_run); this file owns
 * everything process-wide that the library must not touch: the signals.
 * SIGTERM, SIGINT and SIGHUP are blocked before any thread exists (so the
 * scanner's workers inherit the mask) and read from a signalfd that the
 * loop polls; its control callback stops the loop or recompiles the rules.
 * A reload that reports any rule error keeps the old rules, so a typo in a
 * rule file never leaves a running watch blind. Output is the common
 * report sink, line-buffered so every finding is on disk (or the pipe) at
 * once, optionally mirrored to syslog(3).
 *
 * Linux only for now: everything but the option table is behind
 * `#ifndef _WIN32`. On Windows (change notification there is
 * ReadDirectoryChangesW, not written yet) the command parses its options
 * as here, so help and usage errors answer the same, then says it is not
 * available and exits 2.
 */
#ifndef _WIN32
#define _GNU_SOURCE /* statx, for a file's birth time */
#endif
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef _WIN32
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <syslog.h>
#include <unistd.h>
#endif

#include "cli.h"
#include "core/alloc.h"
#include "exhunt/vault.h"
#include "exhunt/watch.h"
#include "options.h"
#include "report.h"

/* What the control callback and the syslog mirror need. */
typedef struct watch_ctx {
  cli_report *report;
  exhunt_watch_opts opts;
  exhunt_sink inner; /* the report sink */
  exhunt_sink sink;  /* inner + syslog */
  bool syslog;
  int sigfd;
  const cli_rule_opts *ro; /* cmd_watch's, kept for reloads */
  exhunt_rules *rules;     /* owned: the set the loop is using */
  int stop_signal;
  /* --quarantine-new */
  bool quarantine;
  exhunt_severity quarantine_sev;
  exhunt_vault_opts vault;
#ifndef _WIN32
  struct timespec started; /* files born before this are not new */
  /* A file's findings arrive together, one call each: the file must be
   * tried once, not once per finding. A file the vault moved is gone, so
   * its later findings find nothing to move. One it left in place (refused
   * or failed) is remembered here, by identity and not by path, so its later
   * findings do not try again (a failed unlink would add a vault item per
   * finding) while a new file dropped at the same path is moved. */
  bool tried;
  exhunt_vault_outcome tried_outcome;
  char *tried_path; /* owned */
  dev_t tried_dev;
  ino_t tried_ino;
  struct statx_timestamp tried_ctime;
  bool tried_have_sha256;
  uint8_t tried_sha256[32]; /* the finding's: what the try was about */
#endif
} watch_ctx;

enum {
  OPT_SCAN_EXISTING = 256,
  OPT_SYSLOG,
  OPT_QUARANTINE,
  OPT_VAULT,
  OPT_QSEV,
  OPT_BACKEND,
};

static const cli_option watch_options[] = {
    CLI_TEXT("Usage: exhunt watch [OPTIONS] FOLDER...\n"
             "\n"
             "Watch folder trees (fanotify or inotify) and scan every file written, or moved\n"
             "or linked into them, within about a second, with the same rules and checks as\n"
             "'exhunt scan'. New subfolders are covered as they appear; a FOLDER that is\n"
             "deleted (or missing at the start) is looked for every second and scanned when\n"
             "it is back. Runs until SIGTERM or SIGINT (exit 0); SIGHUP reloads the rules\n"
             "(kept as they were if the new ones fail to load).\n"
             "\n"
             "Rules:"),
    CLI_ROWS_RULES,
    CLI_TEXT("  (rule files are read again on SIGHUP)\n"
             "Scope:"),
    CLI_FLAG(OPT_SCAN_EXISTING, "scan-existing", watch_ctx, opts.scan_existing,
             "scan what the folders hold once the watches are set"),
    CLI_SHARED_AS(CLI_OPT_EXCLUDE, "ignore paths or names matching GLOB, case-insensitive\n"
                                   "(repeatable); nothing below an excluded folder is scanned"),
    CLI_OWN(OPT_BACKEND, "backend", "B",
            "auto (default): fanotify if it can mark every FOLDER's\n"
            "filesystem (root, kernel >= 5.9), else inotify; or\n"
            "fanotify, inotify (see the 'watch-backend' note)"),
    CLI_SHARED_AS(CLI_OPT_THREADS, "scanner threads for a burst (default: one per core)"),
    CLI_ROWS_LIMITS_HEADING,
    CLI_ROWS_CONTENT_CAPS,
    CLI_SHARED(CLI_OPT_MAX_DEPTH),
    CLI_ROWS_PACE,
    CLI_TEXT("Output:"),
    CLI_SHARED_AS('f', "text (default) or jsonl (schema exhunt/1)"),
    CLI_SHARED_AS('o', "write there instead of stdout (never under a FOLDER)"),
    CLI_FLAG(OPT_SYSLOG, "syslog", watch_ctx, syslog,
             "also log each finding (and watch problems) to syslog,\n"
             "facility daemon"),
    CLI_SHARED(CLI_OPT_MINSEV),
    CLI_SHARED('v'),
    CLI_SHARED_AS('q', "no 'ready' line on stderr, no summary"),
    CLI_FLAG(OPT_QUARANTINE, "quarantine-new", watch_ctx, quarantine,
             "move files that are NEW since the watch started and hit\n"
             "rules at or above --quarantine-severity (default high)\n"
             "into the vault (--vault DIR, outside the watched\n"
             "folders); existing files are never moved"),
    CLI_STRING(OPT_VAULT, "vault", "DIR", watch_ctx, vault.vault,
               "the quarantine vault (see 'exhunt help quarantine')"),
    CLI_SEVERITY(OPT_QSEV, "quarantine-severity", watch_ctx, quarantine_sev,
                 "threshold for --quarantine-new"),
    /* the log caps and --no-progress: one command line fits scan too */
    CLI_INERT(CLI_OPT_MAX_LINE),
    CLI_INERT(CLI_OPT_MAX_FIELDS),
    CLI_INERT(CLI_OPT_MAX_GZ),
    CLI_INERT(CLI_OPT_GZ_RATIO),
    CLI_INERT(CLI_OPT_NOPROGRESS),
    CLI_TEXT("\n"
             "Exit status: 0 stopped by a signal; 2 usage or fatal error."),
    CLI_END,
};

#ifndef _WIN32
/* File names are the attacker's: no control character reaches syslog,
 * where a newline would forge a log line. Cut at `cap`. */
static const char *log_safe(const char *s, char *out, size_t cap)
{
  size_t n = 0;
  for (; s && *s && n + 1 < cap; s++)
    out[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
  out[n] = '\0';
  return n ? out : "-";
}

static void quarantine_event(void *ctx, const exhunt_vault_event *ev)
{
  watch_ctx *w = ctx;
  w->tried_outcome = ev->outcome;
  char reason[1024];
  snprintf(reason, sizeof reason, "%s%s%s%s%s", exhunt_vault_outcome_name(ev->outcome),
           ev->id ? ": quarantine id " : "", ev->id ? ev->id : "", ev->reason ? "; " : "",
           ev->reason ? ev->reason : "");
  exhunt_notice n = {
      ev->outcome == EXHUNT_VAULT_DONE ? EXHUNT_NOTICE_NOTE : EXHUNT_NOTICE_ERROR, ev->err,
      ev->outcome == EXHUNT_VAULT_DONE ? "quarantined" : "quarantine-refused", ev->path, reason};
  w->inner.on_notice(w->inner.ctx, &n);
}

/* Was the file described by `sx` born after the watch started? Birth time
 * where the filesystem keeps one (ext4, xfs, btrfs, tmpfs): a file that was
 * there before and is merely renamed, chmod-ed or rewritten in place keeps
 * it, so it is never taken for new. Elsewhere ctime, which any of those
 * bumps: then an old file touched after the start counts as new. Neither can
 * be set back by the writer, unlike mtime. Both to the nanosecond: a file
 * written in the second the watch started is not "new" by rounding. */
static bool born_after(const struct statx *sx, const struct timespec *start)
{
  struct statx_timestamp t = (sx->stx_mask & STATX_BTIME) ? sx->stx_btime : sx->stx_ctime;
  return t.tv_sec > start->tv_sec ||
         (t.tv_sec == start->tv_sec && (long)t.tv_nsec >= start->tv_nsec);
}

/* Is the file now at f->path the one the last try left in place, and is
 * this finding about the content that try was about? Device, inode and
 * ctime: while that file exists its inode cannot be reused, and a writer
 * cannot set ctime back, so a re-dropped file (a new inode, or the same one
 * rewritten) never matches. */
static bool already_tried(const watch_ctx *w, const exhunt_finding *f, const struct statx *sx)
{
  if (!w->tried || strcmp(w->tried_path, f->path) != 0)
    return false;
  if (makedev(sx->stx_dev_major, sx->stx_dev_minor) != w->tried_dev ||
      sx->stx_ino != w->tried_ino || sx->stx_ctime.tv_sec != w->tried_ctime.tv_sec ||
      sx->stx_ctime.tv_nsec != w->tried_ctime.tv_nsec)
    return false;
  if (f->file.have_sha256 && w->tried_have_sha256 &&
      memcmp(f->file.sha256, w->tried_sha256, 32) != 0)
    return false;
  return true;
}

/* --quarantine-new: a file finding at or above the threshold, about a file
 * born after the watch started (born_after). Every drop is moved, however
 * often the same path (or the same content) comes back: each is a vault
 * item of its own. */
static void maybe_quarantine(watch_ctx *w, const exhunt_finding *f)
{
  if (!w->quarantine || f->severity < w->quarantine_sev || !f->path ||
      f->kind != EXHUNT_FINDING_FILE)
    return;
  struct statx sx;
  /* Gone (moved by an earlier finding of the same scan, or by the
   * attacker): nothing to move. */
  if (statx(AT_FDCWD, f->path, AT_SYMLINK_NOFOLLOW,
            STATX_BTIME | STATX_CTIME | STATX_TYPE | STATX_INO, &sx) != 0 ||
      !S_ISREG(sx.stx_mode))
    return;
  if (!born_after(&sx, &w->started) || already_tried(w, f, &sx))
    return;
  const char *rules[1] = {f->rule};
  exhunt_vault_item item = {f->path, f->file.have_sha256, {0}, NULL, rules, 1};
  if (f->file.have_sha256)
    memcpy(item.sha256, f->file.sha256, 32);
  w->tried_outcome = EXHUNT_VAULT_FAILED;
  exhunt_err err = exhunt_vault_quarantine(&w->vault, &item, 1, quarantine_event, w, NULL);
  if (err) {
    exhunt_notice n = {EXHUNT_NOTICE_ERROR, err, "quarantine-failed", f->path,
                       exhunt_strerror(err)};
    w->inner.on_notice(w->inner.ctx, &n);
  }
  /* Moved: the path is free, and whatever lands there next is new. */
  w->tried = false;
  if (!err && w->tried_outcome == EXHUNT_VAULT_DONE)
    return;
  char *copy = exh_strdup(f->path);
  if (!copy)
    return; /* then a later finding of this file tries again: noisy, not lossy */
  exh_free(w->tried_path);
  w->tried_path = copy;
  w->tried_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  w->tried_ino = sx.stx_ino;
  w->tried_ctime = sx.stx_ctime;
  w->tried_have_sha256 = f->file.have_sha256;
  memcpy(w->tried_sha256, f->file.sha256, 32);
  w->tried = true;
}

static void mirror_finding(void *ctx, const exhunt_finding *f)
{
  watch_ctx *w = ctx;
  w->inner.on_finding(w->inner.ctx, f);
  maybe_quarantine(w, f);
  char path[1024], rule[256], title[512];
  if (w->syslog && f->severity >= w->report->min_severity)
    syslog(f->severity >= EXHUNT_SEV_HIGH ? LOG_WARNING : LOG_NOTICE, "%s %s %s: %s",
           exhunt_severity_name(f->severity), log_safe(f->rule, rule, sizeof rule),
           log_safe(f->path, path, sizeof path), log_safe(f->title, title, sizeof title));
}

static void mirror_notice(void *ctx, const exhunt_notice *n)
{
  watch_ctx *w = ctx;
  w->inner.on_notice(w->inner.ctx, n);
  /* A human watching a terminal (or journalctl) wants to know it is live. */
  if (strcmp(n->what, "watch-ready") == 0 && !w->report->quiet)
    fprintf(stderr, "exhunt watch: ready, %s\n", n->reason);
  char path[1024], reason[1024];
  bool watch_note = strncmp(n->what, "watch-", 6) == 0 || strncmp(n->what, "root-", 5) == 0 ||
                    strncmp(n->what, "rules-", 6) == 0;
  if (w->syslog && (n->kind == EXHUNT_NOTICE_ERROR || watch_note))
    syslog(n->kind == EXHUNT_NOTICE_ERROR ? LOG_ERR : LOG_INFO, "%s %s: %s", n->what,
           log_safe(n->path, path, sizeof path), log_safe(n->reason, reason, sizeof reason));
}

static void note(watch_ctx *w, exhunt_notice_kind kind, const char *what, const char *reason)
{
  exhunt_notice n = {kind, kind == EXHUNT_NOTICE_ERROR ? EXHUNT_ERULES : EXHUNT_OK, what, NULL,
                     reason};
  w->sink.on_notice(w->sink.ctx, &n);
}

/* SIGHUP: recompile from the same files; keep the old set unless the new
 * one loaded without a single error. No scan runs during this call. */
static void reload_rules(watch_ctx *w, const exhunt_rules **current)
{
  uint64_t errors_before = w->report->load_errors;
  exhunt_rules *fresh = NULL;
  int rc = cli_load_rules(w->report, &w->sink, w->ro, &fresh);
  if (rc != 0 || w->report->load_errors != errors_before) {
    exhunt_rules_free(fresh);
    /* The failed reload is reported; it does not count against the run. */
    w->report->load_errors = errors_before;
    note(w, EXHUNT_NOTICE_ERROR, "rules-reload-failed",
         "SIGHUP: the new rules failed to load or compile (see above); the old rules stay in "
         "use");
    return;
  }
  exhunt_rules_info info;
  exhunt_rules_get_info(fresh, &info);
  /* A rule folder emptied by mistake loads without an error: the watch
   * would go on, blind. The start refuses that; so does a reload. */
  if (cli_rules_empty(&info)) {
    exhunt_rules_free(fresh);
    note(w, EXHUNT_NOTICE_ERROR, "rules-reload-failed",
         "SIGHUP: the new rule set is empty (no rules, IOCs or heuristics); the old rules stay in "
         "use");
    return;
  }
  exhunt_rules_free(w->rules);
  w->rules = fresh;
  *current = fresh;
  char reason[200];
  snprintf(reason, sizeof reason,
           "SIGHUP: rules reloaded (%zu YARA rules, %zu IOCs, heuristics %s)", info.yara_rules,
           info.iocs_sha256 + info.iocs_sha1 + info.iocs_md5 + info.iocs_name + info.iocs_path,
           info.heuristics ? "on" : "off");
  note(w, EXHUNT_NOTICE_NOTE, "rules-reloaded", reason);
}

static exhunt_watch_action on_control(void *ctx, const exhunt_rules **rules)
{
  watch_ctx *w = ctx;
  struct signalfd_siginfo si;
  bool reload = false;
  ssize_t n;
  while ((n = read(w->sigfd, &si, sizeof si)) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGHUP) {
      reload = true;
    } else {
      w->stop_signal = (int)si.ssi_signo;
      return EXHUNT_WATCH_STOP;
    }
  }
  if (n < 0 && errno != EAGAIN && errno != EINTR)
    return EXHUNT_WATCH_STOP; /* the signalfd broke: better stop than hang */
  if (reload)
    reload_rules(w, rules);
  return EXHUNT_WATCH_CONTINUE;
}
#endif /* !_WIN32 */

/* --backend, the one option of watch's that its table leaves to code. */
static int watch_option(void *ctx, int opt, const char *arg)
{
  watch_ctx *w = ctx;
  (void)opt; /* OPT_BACKEND */
  if (strcmp(arg, "auto") == 0)
    w->opts.backend = EXHUNT_WATCH_AUTO;
  else if (strcmp(arg, "inotify") == 0)
    w->opts.backend = EXHUNT_WATCH_INOTIFY;
  else if (strcmp(arg, "fanotify") == 0)
    w->opts.backend = EXHUNT_WATCH_FANOTIFY;
  else
    return cli_usage_error("watch", "unknown --backend '%s' (auto, fanotify, inotify)", arg);
  return 0;
}

#ifndef _WIN32
static int run_watch(int argc, char **argv)
{
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  cli_report c;
  watch_ctx w;
  memset(&w, 0, sizeof w);
  w.report = &c;
  w.sigfd = -1;
  w.quarantine_sev = EXHUNT_SEV_HIGH;
  exhunt_watch_opts_init(&w.opts);
  cli_args a;
  int rc = EXIT_ERROR;
  if (!cli_args_start(&a, &cmd_watch, &c, argc, argv, &w, &rc))
    goto cleanup;
  w.ro = &a.rules;
  char **roots = argv + optind;
  int n_roots = argc - optind;
  if (w.quarantine != (w.vault.vault != NULL)) {
    rc = cli_usage_error("watch", "%s", "--quarantine-new and --vault go together");
    goto cleanup;
  }
  w.vault.roots = (const char *const *)roots;
  w.vault.n_roots = (size_t)n_roots;
  CLI_GROUPS_TO(&w.opts.scan, &a.groups);
  w.opts.scan.max_filesize = a.groups.max_filesize;
  /* The file clock is coarse (a tick behind the real time at most): a file
   * from just before this instant never looks newer than it. */
  clock_gettime(CLOCK_REALTIME, &w.started);
  for (int i = 0; i < n_roots; i++) {
    struct stat st;
    /* A missing folder is waited for; a file is a mistake. */
    if (stat(roots[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
      rc = cli_usage_error("watch", "'%s' is not a folder", roots[i]);
      goto cleanup;
    }
  }

  if ((rc = cli_report_open(&c, a.output, roots, n_roots, true)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  /* Each record is one line: flush it as it is written, so a reader of
   * the output (a tail -f, a SIEM shipper) sees a finding at once. */
  setvbuf(c.out, NULL, _IOLBF, 0);
  w.inner = cli_report_sink(&c, false);
  w.vault.sink = &w.inner; /* the vault's own errors (vault-unsafe, a torn manifest) */
  w.sink = w.inner;
  w.sink.ctx = &w;
  w.sink.on_finding = mirror_finding;
  w.sink.on_notice = mirror_notice;
  w.sink.on_progress = NULL;
  if (w.syslog)
    openlog("exhunt", LOG_PID, LOG_DAEMON);

  /* Blocked before the scanner starts any thread, so none of them takes
   * these signals: they wait in the signalfd for the loop. */
  if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
    fputs("exhunt watch: cannot block signals\n", stderr);
    goto cleanup;
  }
  w.sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
  if (w.sigfd < 0) {
    fprintf(stderr, "exhunt watch: signalfd: %s\n", strerror(errno));
    goto cleanup;
  }

  if ((rc = cli_load_rules(&c, &w.sink, w.ro, &w.rules)) != 0)
    goto cleanup;
  rc = EXIT_ERROR;
  exhunt_rules_info info;
  exhunt_rules_get_info(w.rules, &info);
  if (cli_rules_empty(&info)) {
    rc = cli_usage_error("watch", "%s", "no rules, IOCs or heuristics left to scan with");
    goto cleanup;
  }

  w.opts.control_fd = w.sigfd;
  w.opts.control_ctx = &w;
  w.opts.on_control = on_control;
  exhunt_scan_stats stats;
  memset(&stats, 0, sizeof stats);
  exhunt_err err = exhunt_watch_run(w.rules, (const char *const *)roots, (size_t)n_roots, &w.opts,
                                    &w.sink, &stats);
  if (err) {
    rc = cli_run_error("watch", err);
    goto cleanup;
  }
  if (!c.quiet)
    fprintf(stderr, "exhunt watch: stopping (%s)\n", strsignal(w.stop_signal));
  /* Stopping on request is success for a service, findings or not. */
  c.exit_override = EXIT_CLEAN;
  exhunt_rules_get_info(w.rules, &info);
  rc = cli_report_finish(&c, &stats, &info);

cleanup:
  exhunt_rules_free(w.rules);
  rc = cli_report_close(&c, rc);
  /* The signals stay blocked: a second SIGTERM during shutdown must not
   * kill the process before the output is closed. */
  if (w.sigfd >= 0)
    close(w.sigfd);
  if (w.syslog)
    closelog();
  exh_free(w.tried_path);
  cli_args_free(&a);
  return rc;
}
#else
static int run_watch(int argc, char **argv)
{
  cli_report c;
  watch_ctx w;
  memset(&w, 0, sizeof w);
  w.report = &c;
  cli_args a;
  int rc = EXIT_ERROR;
  if (cli_args_start(&a, &cmd_watch, &c, argc, argv, &w, &rc)) {
    fputs("exhunt watch: not available on Windows yet: change notification there\n"
          "(ReadDirectoryChangesW) is still to be written. Meanwhile, run 'exhunt scan' on the\n"
          "same folders from a scheduled task.\n",
          stderr);
    rc = EXIT_ERROR;
  }
  rc = cli_report_close(&c, rc);
  cli_args_free(&a);
  return rc;
}
#endif /* !_WIN32 */

/* Output is written as it comes (never whole at the end), and a service
 * draws no progress line. */
const cli_command cmd_watch = {"watch",  run_watch,      watch_options, watch_option,
                               "FOLDER", EXHUNT_SEV_LOW, false,         CLI_EMPTY_NONE};
