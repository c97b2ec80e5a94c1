/*
 * exhunt.h - the public API of libexhunt.
 *
 * libexhunt holds every engine of exhunt: the evidence walker, the file
 * scanner (hashes, YARA, web-shell heuristics, IOCs) and, later, the log
 * readers. It never prints, exits or keeps mutable global state. Everything
 * it has to say - findings, notes, errors, progress - goes to a caller-given
 * sink (struct exhunt_sink). The `exhunt` command (cli/) is one client of this
 * API; tests and fuzzers are others.
 *
 * Ownership rule, for the whole API: a pointer handed to a sink callback is
 * borrowed and valid only for the duration of that call. Objects created by
 * exhunt_*_new() are owned by the caller and released by the matching
 * exhunt_*_free(). Strings passed in are copied if the library keeps them.
 *
 * Thread-safety: a compiled exhunt_rules is immutable and may be shared by
 * any number of concurrent scans. Sink callbacks of one scan are never called
 * concurrently (the library serialises them), so a sink needs no lock of its
 * own for a single scan.
 */
#ifndef EXHUNT_EXHUNT_H
#define EXHUNT_EXHUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXHUNT_VERSION "0.1.0"

/* JSON Lines schema id carried by every output line. */
#define EXHUNT_SCHEMA "exhunt/1"

/*
 * Error codes. Explicitly numbered; a number is never reused or changed.
 * "Not found" is a result, not an error.
 */
typedef enum exhunt_err {
  EXHUNT_OK = 0,
  EXHUNT_ENOMEM = 1,        /* allocation failed */
  EXHUNT_EIO = 2,           /* read or stat failed */
  EXHUNT_ECORRUPT = 3,      /* malformed input */
  EXHUNT_ETRUNCATED = 4,    /* input ended early (e.g. file shrank mid-read) */
  EXHUNT_ELIMIT = 5,        /* a configured limit was hit */
  EXHUNT_EINVAL = 6,        /* bad argument from the caller */
  EXHUNT_ERULES = 7,        /* a rule or IOC file failed to compile or load */
  EXHUNT_EACCES = 8,        /* permission denied */
  EXHUNT_ENOENT = 9,        /* path vanished or never existed */
  EXHUNT_ELOOP = 10,        /* symlink or directory loop */
  EXHUNT_ETHREAD = 11,      /* a worker thread could not be started */
  EXHUNT_ECHANGED = 12,     /* file replaced or changed while being scanned */
  EXHUNT_EYARA = 13,        /* libyara reported an error while scanning */
  EXHUNT_EUNSUPPORTED = 14, /* file type or feature not supported */
  EXHUNT_EBUSY = 15,        /* locked by another process (e.g. a vault in use) */
  EXHUNT_ENOSPC = 16        /* no space left (ENOSPC or EDQUOT), e.g. a full vault */
} exhunt_err;

/* A static, human-readable message for an error code. Never NULL. */
const char *exhunt_strerror(exhunt_err err);

typedef enum exhunt_severity {
  EXHUNT_SEV_INFO = 0,
  EXHUNT_SEV_LOW = 1,
  EXHUNT_SEV_MEDIUM = 2,
  EXHUNT_SEV_HIGH = 3,
  EXHUNT_SEV_CRITICAL = 4
} exhunt_severity;
#define EXHUNT_SEV_COUNT 5

/* "info", "low", ...; never NULL. */
const char *exhunt_severity_name(exhunt_severity sev);
/* Parses a severity name (case-insensitive). Returns EXHUNT_EINVAL if unknown. */
exhunt_err exhunt_severity_parse(const char *name, exhunt_severity *out);

/* One matched string inside a file: raw bytes, possibly truncated. */
typedef struct exhunt_match {
  const char *identifier; /* e.g. "$s1", or a heuristic's evidence tag */
  uint64_t offset;        /* byte offset in the file */
  const uint8_t *data;    /* matched bytes (not NUL-terminated) */
  size_t len;             /* bytes in data (already capped) */
} exhunt_match;

/*
 * A finding is one of three kinds of record, told by `kind`:
 *
 *   EXHUNT_FINDING_FILE      a file's content, name or hash (exhunt_scan_*,
 *                            the hunt's scan, watch, baseline): `file`
 *   EXHUNT_FINDING_LOG       a log record (exhunt_logs_*, the hunt's logs):
 *                            `log`
 *   EXHUNT_FINDING_EXPOSURE  a build against one CVE family (exhunt_exposure_*,
 *                            probe, the hunt's exposure): `exposure`
 *
 * Explicitly numbered; a number is never reused or changed. FILE is 0, so
 * a zeroed finding is a file finding with no hashes.
 *
 * Stories and verdicts are not finding kinds: they are records of their
 * own (exhunt_story, exhunt_verdict), delivered by on_story and on_verdict,
 * and refer to findings by their id.
 */
typedef enum exhunt_finding_kind {
  EXHUNT_FINDING_FILE = 0,
  EXHUNT_FINDING_LOG = 1,
  EXHUNT_FINDING_EXPOSURE = 2
} exhunt_finding_kind;

/*
 * The step of an attack a log record shows, set by the detector that
 * fired (each log rule declares one), so the hunt's story orders an
 * attacker's records without reading rule ids. Explicitly numbered; a
 * number is never reused or changed.
 */
typedef enum exhunt_attack_step {
  EXHUNT_STEP_NONE = 0,          /* no step known: "other" */
  EXHUNT_STEP_PROBE = 1,         /* a vulnerability scan */
  EXHUNT_STEP_ATTEMPT = 2,       /* exploitation tried, not known to succeed */
  EXHUNT_STEP_SSRF = 3,          /* a server-side request forgery reached a back end */
  EXHUNT_STEP_VDIR_RESET = 4,    /* a virtual directory set to a script, or reset to
                                    write it (CVE-2021-27065) */
  EXHUNT_STEP_FILE_WRITTEN = 5,  /* a file (a web shell) written */
  EXHUNT_STEP_SHELL_REQUEST = 6, /* a request to a web shell (or a tunnel through one) */
  EXHUNT_STEP_COMMAND = 7        /* a program the web server started or injected into */
} exhunt_attack_step;

/* "probe", "attempt", "ssrf", "vdir-reset", "file-written",
 * "shell-request", "command"; "other" for EXHUNT_STEP_NONE and any number
 * this version does not know. Static; never NULL. */
const char *exhunt_attack_step_name(exhunt_attack_step step);

/*
 * What a log finding's `artifact` holds, declared by the detector with
 * the step, so a reader can use it without guessing from its bytes (the
 * hunt's story looks for a SCRIPT in the shell files). Explicitly
 * numbered; a number is never reused or changed.
 */
typedef enum exhunt_artifact_kind {
  EXHUNT_ARTIFACT_NONE = 0,    /* no artifact */
  EXHUNT_ARTIFACT_URL = 1,     /* the URL path (or query) the record requested */
  EXHUNT_ARTIFACT_PATH = 2,    /* a file path the record wrote or named */
  EXHUNT_ARTIFACT_SCRIPT = 3,  /* markup the record planted in a setting */
  EXHUNT_ARTIFACT_COMMAND = 4, /* a command line, or the program concerned */
  EXHUNT_ARTIFACT_TEXT = 5     /* other text of the record: a routing key, a message */
} exhunt_artifact_kind;

/* The part of a file finding. */
typedef struct exhunt_file_part {
  bool have_sha256;
  uint8_t sha256[32];
  bool have_md5;
  uint8_t md5[16];
  bool have_sha1;
  uint8_t sha1[20];
  uint64_t size;
  int64_t mtime; /* seconds since the epoch, UTC */
  const exhunt_match *matches;
  size_t n_matches;
} exhunt_file_part;

/* The part of a log finding; `path` is the log file. */
typedef struct exhunt_log_part {
  uint64_t line;           /* 1-based line, or record number for EVTX */
  int64_t timestamp;       /* of the record, EXHUNT_NO_TIME if it has none */
  const char *const *cves; /* e.g. "CVE-2021-26855" */
  size_t n_cves;
  const char *outcome;    /* "exploited", "attempted" or "probe" */
  const char *client_ip;  /* NULL where the log has none */
  const char *user_agent; /* NULL where the log has none */
  const char *excerpt;    /* the record as read (raw bytes, capped; not NUL-terminated) */
  size_t excerpt_len;
  const char *artifact; /* what the record planted or named: a script, */
  size_t artifact_len;  /*   a file path; NULL if none; not NUL-terminated */
  exhunt_artifact_kind artifact_kind;
  exhunt_attack_step step;
} exhunt_log_part;

/* The part of an exposure finding (category "exposure"). `path` is the
 * evidence file the build came from, or NULL (--build, probe). */
typedef struct exhunt_exposure_part {
  const char *build;        /* normalised, e.g. "15.1.2176.2" */
  const char *build_source; /* see exhunt_build_seen.source */
  const char *status;       /* "vulnerable", "patched" or "unknown" */
  const char *fixed_in;     /* first fixing build for this server, or NULL */
  const char *target;       /* probe target, or NULL */
  const char *product;      /* e.g. "Exchange Server 2016 CU19", or NULL */
  const char *support;      /* e.g. "out of support since 2025-10-14", or NULL */
  const char *family;       /* the CVE family's id, e.g. "proxylogon" (the rule is
                               "exhunt.exposure.<family>") */
  int64_t timestamp;        /* when the build was seen, EXHUNT_NO_TIME if unknown */
  const char *const *cves;  /* the family's CVEs */
  size_t n_cves;
} exhunt_exposure_part;

/*
 * A finding. All pointers are borrowed (see ownership rule). The common
 * part is flat; what only one kind has is in the part `kind` names.
 *
 * The parts share storage (an anonymous union): a finding is exactly one
 * kind, so a reader must switch on `kind` before it reads a part, and a
 * producer cannot half-fill two. The cost is that the wrong part reads
 * another kind's bytes rather than zeros; the gain is that no reader can
 * guess the kind from which fields happen to be set.
 */
typedef struct exhunt_finding {
  exhunt_finding_kind kind;
  const char *category; /* "webshell", "ioc-hash", "ioc-path", "exposure", ... */
  exhunt_severity severity;
  const char *rule;        /* stable id, e.g. "exhunt.webshell.request_exec" */
  const char *title;       /* one line for humans */
  const char *description; /* may be NULL */
  const char *source;      /* rule pack or IOC list, e.g. "signature-base" */
  const char *author;      /* may be NULL */
  const char *reference;   /* may be NULL */
  const char *license;     /* may be NULL */
  const char *path;        /* the file or log, as given under the scanned root; may be
                              NULL for an exposure finding */
  /* An optional common part, of any kind, set by exhunt_hunt_paths and
   * exhunt_hunt_server only (NULL elsewhere): "F12", the id stories and
   * verdicts refer to, and the server it belongs to (its evidence root, or
   * the name given to exhunt_hunt_server). */
  const char *id;
  const char *server;
  union {
    exhunt_file_part file;         /* kind EXHUNT_FINDING_FILE */
    exhunt_log_part log;           /* kind EXHUNT_FINDING_LOG */
    exhunt_exposure_part exposure; /* kind EXHUNT_FINDING_EXPOSURE */
  };
} exhunt_finding;

/*
 * A deep copy of `src`, owned by the caller and released with
 * exhunt_finding_free: every string of the common part and of the part
 * `kind` names, the matches (identifiers and data bytes), the CVE list,
 * the excerpt and the artifact (by their lengths; the copies gain a NUL
 * after them). One allocation holds it all, so no pointer in it can
 * outlive or dangle from the rest. EXHUNT_EINVAL for NULL arguments or an
 * unknown kind, EXHUNT_ENOMEM when the allocation fails (or its size
 * would overflow); *out is NULL then. Thread-safe.
 */
exhunt_err exhunt_finding_dup(const exhunt_finding *src, exhunt_finding **out);
/* Frees a copy made by exhunt_finding_dup; NULL is ignored. */
void exhunt_finding_free(exhunt_finding *f);

typedef enum exhunt_notice_kind {
  EXHUNT_NOTICE_NOTE = 0, /* something worth knowing; coverage not lost */
  EXHUNT_NOTICE_ERROR = 1 /* something could not be examined */
} exhunt_notice_kind;

/* A note or error. `what` is a short stable tag ("skipped-fifo", ...). */
typedef struct exhunt_notice {
  exhunt_notice_kind kind;
  exhunt_err code;    /* EXHUNT_OK for plain notes */
  const char *what;   /* stable machine tag, never NULL */
  const char *path;   /* file or rule file concerned; may be NULL */
  const char *reason; /* human-readable detail, never NULL */
} exhunt_notice;

/* Why a file or directory was not (fully) examined. Stable order. */
typedef enum exhunt_skip_reason {
  EXHUNT_SKIP_EXCLUDED = 0,     /* matched --exclude */
  EXHUNT_SKIP_SPECIAL = 1,      /* FIFO, device or socket */
  EXHUNT_SKIP_SYMLINK = 2,      /* symlinks are never followed */
  EXHUNT_SKIP_LOOP = 3,         /* directory already visited (dev, inode) */
  EXHUNT_SKIP_OTHER_FS = 4,     /* --one-file-system */
  EXHUNT_SKIP_OLDER = 5,        /* older than --newer-than */
  EXHUNT_SKIP_UNREADABLE = 6,   /* open/read failed */
  EXHUNT_SKIP_CONTENT_SIZE = 7, /* larger than --max-filesize: hashed only */
  EXHUNT_SKIP_DEPTH = 8,        /* deeper than the depth limit */
  EXHUNT_SKIP_VANISHED = 9      /* gone or replaced before it was read */
} exhunt_skip_reason;
#define EXHUNT_SKIP_COUNT 10

/* Stable name of a skip reason ("excluded", "special-file", ...). */
const char *exhunt_skip_reason_name(exhunt_skip_reason reason);

typedef struct exhunt_scan_stats {
  uint64_t files_seen;    /* regular files met by the walker */
  uint64_t files_scanned; /* files read to the end and checked */
  uint64_t dirs_seen;
  uint64_t bytes_read;
  uint64_t errors;
  uint64_t notes;
  uint64_t skipped[EXHUNT_SKIP_COUNT];
  uint64_t findings[EXHUNT_SEV_COUNT];
  uint64_t records; /* log records read (exhunt_logs_paths) */
} exhunt_scan_stats;

struct exhunt_coverage;
struct exhunt_build_seen;
struct exhunt_story;
struct exhunt_verdict;

typedef struct exhunt_sink {
  void *ctx;
  /* Required. Called once per finding. */
  void (*on_finding)(void *ctx, const exhunt_finding *finding);
  /* Required. Called once per note or error. */
  void (*on_notice)(void *ctx, const exhunt_notice *notice);
  /* Optional. Called about every 100 ms during a scan with running totals. */
  void (*on_progress)(void *ctx, const exhunt_scan_stats *so_far);
  /* Optional. Log hunting: one call per log family, found or missing. */
  void (*on_coverage)(void *ctx, const struct exhunt_coverage *coverage);
  /* Optional. Exposure and probe: one call per build seen (or per target
   * where none could be seen). */
  void (*on_build)(void *ctx, const struct exhunt_build_seen *build);
  /* Optional. Hunt: one story per attacker, then one verdict per server. */
  void (*on_story)(void *ctx, const struct exhunt_story *story);
  void (*on_verdict)(void *ctx, const struct exhunt_verdict *verdict);
} exhunt_sink;

/* ---------------------------------------------------------------------- */
/* Rules: YARA rules, IOC lists and built-in heuristics, compiled once.    */

typedef struct exhunt_rules exhunt_rules;

/* Creates an empty, uncompiled rule set. */
exhunt_err exhunt_rules_new(exhunt_rules **out);
void exhunt_rules_free(exhunt_rules *rules);

/*
 * Adds the default pack embedded in the library (project rules, public
 * HAFNIUM IOCs, signature-base web-shell rules). Built-in heuristics are on
 * unless exhunt_rules_set_heuristics(rules, false) is called.
 */
exhunt_err exhunt_rules_add_default(exhunt_rules *rules, const exhunt_sink *sink);

/*
 * Adds YARA source text. `name` names it in messages and is used as the YARA
 * namespace, so rule names in different files never collide. A file that
 * fails to compile is reported through the sink (what="rule-compile", with
 * file:line and libyara's message), left out, and EXHUNT_ERULES is returned;
 * the rules added before and after it are unaffected.
 */
exhunt_err exhunt_rules_add_yara(exhunt_rules *rules, const char *name, const char *text,
                                 size_t len, const exhunt_sink *sink);

/*
 * Adds an IOC list in exhunt's TSV format (docs/iocs.md): one indicator a
 * line, "type<TAB>value<TAB>severity<TAB>title". Types: sha256, sha1, md5,
 * filename, path. Malformed lines are reported as errors (what="ioc-line") and skipped.
 */
exhunt_err exhunt_rules_add_iocs(exhunt_rules *rules, const char *name, const char *text,
                                 size_t len, const exhunt_sink *sink);

void exhunt_rules_set_heuristics(exhunt_rules *rules, bool enabled);

/* Compiles everything added. After this the set is immutable. */
exhunt_err exhunt_rules_compile(exhunt_rules *rules, const exhunt_sink *sink);

/* Counts, for the banner and the summary. Valid after compile. */
typedef struct exhunt_rules_info {
  size_t yara_rules;
  size_t yara_files;
  size_t iocs_sha256, iocs_sha1, iocs_md5, iocs_name, iocs_path;
  bool heuristics;
  /* The identity of the rule pack, for the run record of a report: the
   * SHA-256 (lowercase hex) over every source added (embedded and the
   * caller's, name and text, in order) and the heuristics switch. */
  char sha256[65];
} exhunt_rules_info;
void exhunt_rules_get_info(const exhunt_rules *rules, exhunt_rules_info *out);

/* ---------------------------------------------------------------------- */
/* Scanning.                                                               */

#define EXHUNT_NO_TIME INT64_MIN

/*
 * Caps on hostile input that a user may move (docs/limits.md). A field left
 * at 0 takes its default. Hitting a cap is a note naming the cap and the
 * file, never a crash or a silent skip. Two caps size arrays each worker
 * keeps (no allocation per record or per file), so they can be lowered but
 * not raised past these ceilings.
 */
#define EXHUNT_LIMIT_MAX_FIELDS 512u           /* fields per log record */
#define EXHUNT_LIMIT_MAX_FINDINGS_PER_FILE 64u /* findings per scanned file */
#define EXHUNT_LIMIT_MAX_LINE (256u * 1024u * 1024u)

typedef struct exhunt_limits {
  uint32_t max_line;              /* bytes of a log line (or joined CSV record); default 1 MiB,
                                     at most EXHUNT_LIMIT_MAX_LINE */
  uint32_t max_fields;            /* fields per log record; default and ceiling 512 */
  uint64_t gz_max_bytes;          /* decompressed bytes per .gz log; default 8 GiB */
  uint32_t gz_max_ratio;          /* decompressed/compressed past 1 MiB; default 200 */
  uint32_t yara_timeout;          /* seconds of YARA per file; default 30 */
  uint32_t max_findings_per_file; /* default and ceiling 64 */
} exhunt_limits;

/*
 * Resource use on a live server. 0 = no limit. The pace is shared by every
 * worker of the run; workers sleep between reads when the run is ahead.
 */
typedef struct exhunt_pace {
  unsigned cpu_percent; /* CPU time of the whole run, in percent of one core
                           (50 = half a core, 200 = two cores) */
  uint64_t max_rate;    /* bytes read per second, all workers together */
} exhunt_pace;

/*
 * The option groups the engines share, each declared once and embedded by
 * name in the options structs below (opts.scope.excludes,
 * opts.resources.threads), each with one init that every *_opts_init
 * calls. A caller that sets a group sets it the same way for every engine.
 *
 *   scope      which files a walk visits; honoured whole by every engine
 *              that walks evidence (scan, logs, exposure, hunt, baseline;
 *              watch takes it in its scan options, see watch.h)
 *   resources  how hard a run presses on the machine (scan, logs, hunt;
 *              baseline takes the pace alone: it reads one file at a time,
 *              so there are no threads to set)
 *   window     the time of the log records read (logs, hunt)
 *
 * Left out of the groups, by meaning:
 *   - exhunt_limits (above) is already one struct, embedded as `limits`:
 *     caps on hostile input, not on the machine or the scope;
 *   - scan's newer_than bounds a file's mtime, the window bounds the time
 *     a log record carries: two clocks, so neither is in the scope (which
 *     every walking engine honours alike), and they are not one group;
 *   - max_filesize is the content scan's own (scan, hunt, baseline diff).
 */
typedef struct exhunt_scope {
  bool one_file_system;        /* do not cross mount points */
  const char *const *excludes; /* fnmatch globs, case-insensitive, matched against
                                  the path and the name; borrowed for the call */
  size_t n_excludes;
  unsigned max_depth; /* directory depth limit; 0 = default (64) */
} exhunt_scope;

/* Everything off: no exclude, any file system, the default depth. */
void exhunt_scope_init(exhunt_scope *scope);

typedef struct exhunt_resources {
  unsigned threads; /* 0 = one per online core */
  exhunt_pace pace;
} exhunt_resources;

/* One thread per core, no pace. */
void exhunt_resources_init(exhunt_resources *resources);

/* Log records outside [since, until] are not read; EXHUNT_NO_TIME: open
 * on that side. The coverage counts only what was read. */
typedef struct exhunt_window {
  int64_t since, until;
} exhunt_window;

/* Open on both sides. */
void exhunt_window_init(exhunt_window *window);

typedef struct exhunt_scan_opts {
  exhunt_scope scope;
  exhunt_resources resources;
  exhunt_limits limits;
  uint64_t max_filesize; /* content rules skip larger files; 0 = default */
  int64_t newer_than;    /* only files with mtime >= this; EXHUNT_NO_TIME = all */
} exhunt_scan_opts;

/* Fills opts with the defaults. */
void exhunt_scan_opts_init(exhunt_scan_opts *opts);

/*
 * Walks and scans each path (file or directory). Never writes under a path,
 * never follows a symlink (a symlink root is resolved once), skips special
 * files with a note. Findings, notes and errors go to `sink`; totals to
 * `stats` (may be NULL). Per-file problems are notices, not return values:
 * the function fails only on bad arguments, no memory or no threads.
 */
exhunt_err exhunt_scan_paths(const exhunt_rules *rules, const char *const *paths, size_t n_paths,
                             const exhunt_scan_opts *opts, const exhunt_sink *sink,
                             exhunt_scan_stats *stats);

/* Metadata for exhunt_scan_buffer(); zero-initialise unknown fields. */
typedef struct exhunt_file_meta {
  const char *path; /* display path, used for name/path IOCs and YARA externals */
  int64_t mtime;
  uint32_t uid;
} exhunt_file_meta;

/*
 * Scans one file already in memory (archives, tests, fuzzers, watch). Same
 * checks as exhunt_scan_paths. Thread-safe for a shared compiled `rules`.
 */
exhunt_err exhunt_scan_buffer(const exhunt_rules *rules, const uint8_t *data, size_t len,
                              const exhunt_file_meta *meta, const exhunt_sink *sink);

/* ---------------------------------------------------------------------- */
/* Log hunting.                                                            */

/* A run of UTC days, each given as the time of its 00:00:00Z. */
typedef struct exhunt_day_span {
  int64_t first, last;
} exhunt_day_span;

/* How far back the evidence of one log family reaches. */
typedef struct exhunt_coverage {
  const char *family; /* "exchange-httpproxy", "exchange-ecp-server",
                         "exchange-oabgenerator", "iis-w3c" */
  bool present;       /* false: no log of this family was found */
  uint64_t files;
  uint64_t records;
  int64_t first;      /* oldest record time, EXHUNT_NO_TIME if none */
  int64_t last;       /* newest */
  const char *build;  /* Exchange build from the newest file's #Version, or NULL */
  const char *server; /* exhunt_hunt_paths: the evidence root; exhunt_hunt_server:
                         the server's name; else NULL */
  /* NULL for a family. For "windows-events", one more record per event
   * channel the detectors read (Security, Sysmon, Application, MSExchange
   * Management), present or not: events from Sysmon alone leave 4688,
   * CVE-2021-26857 and the Management log's cmdlets unseen. A static
   * string. */
  const char *channel;
  /* The days with records: a day counts when a file's first..last record
   * span touches it (clipped to the logs options' window), so gaps
   * between files show. Sorted, merged; days_covered is their total. */
  const exhunt_day_span *days;
  size_t n_days;
  uint32_t days_covered;
} exhunt_coverage;

typedef struct exhunt_logs_opts {
  exhunt_scope scope;
  exhunt_resources resources;
  exhunt_limits limits;
  exhunt_window window;
  /* The paths are files a caller's own walk collected by name (exhunt
   * hunt), not named by a user: a file among them that holds no log is
   * counted in one note, as in a folder, not given a note of its own. */
  bool paths_collected;
  /* URLs of web shells known from elsewhere (exhunt hunt passes those its
   * scan found on disk), e.g. "/aspnet_client/x.aspx": an IIS or
   * HttpProxy record whose URL stem is one of them (case-insensitively)
   * and that no detector flagged is reported as
   * exhunt.hunt.request_to_shell. Found in the same pass as the detectors'
   * needles. Borrowed for the call. */
  const char *const *shell_urls;
  size_t n_shell_urls;
  /* Where a gzipped EVTX past the memory budget is spilled (an unnamed
   * temporary file); NULL: /tmp. The CLI passes $TMPDIR. Never inside an
   * evidence root: refused with an error then. */
  const char *tmp_dir;
  /* The evidence roots the paths lie under, when the paths are files a
   * caller collected (exhunt hunt); NULL: the paths themselves. */
  const char *const *evidence_roots;
  size_t n_evidence_roots;
} exhunt_logs_opts;

void exhunt_logs_opts_init(exhunt_logs_opts *opts);

/*
 * Finds the Exchange (HttpProxy, ECP Server, OABGenerator) and IIS W3C logs
 * under each path, by path and content, case-insensitively (.gz read
 * transparently), and reports exploitation findings, then one coverage
 * record per family. Same sink and statistics conventions as
 * exhunt_scan_paths; findings are of kind EXHUNT_FINDING_LOG (exhunt_log_part).
 */
exhunt_err exhunt_logs_paths(const char *const *paths, size_t n_paths, const exhunt_logs_opts *opts,
                             const exhunt_sink *sink, exhunt_scan_stats *stats);

/* One log already in memory; `path` picks the family when the content does
 * not (tests, fuzzers). Coverage is reported for that file alone. */
exhunt_err exhunt_logs_buffer(const char *path, const uint8_t *data, size_t len,
                              const exhunt_sink *sink);

/* ---------------------------------------------------------------------- */
/* Exposure: Exchange build -> CVE families (exhunt exposure, probe).      */

/* An Exchange build a.b.c.d; has_revision is false for a 3-part build such
 * as the one in /owa/auth/15.1.2176/ paths. */
typedef struct exhunt_build {
  uint16_t major, minor, build, revision;
  bool has_revision;
} exhunt_build;

/* Longest normalised build text, with its NUL. */
#define EXHUNT_BUILD_STRLEN 24

/*
 * Parses a build as written by Exchange, PowerShell or an administrator:
 * "15.1.2176.4", "15.01.2176.004", "Version 15.1 (Build 2176.4)", and a
 * 3-part "15.1.2176". Surrounding white space is allowed. EXHUNT_EINVAL if
 * the text is none of these or a part exceeds 65535.
 */
exhunt_err exhunt_build_parse(const char *text, size_t len, exhunt_build *out);
/* "15.1.2176.4" (or "15.1.2176") into out[EXHUNT_BUILD_STRLEN]. */
void exhunt_build_format(const exhunt_build *b, char out[EXHUNT_BUILD_STRLEN]);
/* <0, 0, >0; a 3-part build compares as its CU's lowest (revision 0). */
int exhunt_build_compare(const exhunt_build *a, const exhunt_build *b);

/* One build seen in evidence or over the network, or a target whose build
 * could not be seen. All pointers borrowed. */
typedef struct exhunt_build_seen {
  const char *server;  /* the evidence root (PATH) or probe target it belongs to;
                          NULL for a build given by the caller */
  const char *result;  /* "found", "exchange-no-build", "not-exchange",
                          "unreachable" or "error" */
  const char *build;   /* normalised; NULL unless result is "found" */
  const char *source;  /* "log-header", "log-columns", "exsetup-version",
                          "admin-display-version", "setup-log", "command-line",
                          "x-owa-version", "owa-auth-path", "exporttool" */
  const char *path;    /* evidence file (the newest one showing it), or NULL */
  const char *target;  /* probe target as given, or NULL */
  const char *detail;  /* URL, matching text, or the reason; may be NULL */
  int64_t first, last; /* when the evidence shows this build; EXHUNT_NO_TIME */
  uint64_t sightings;  /* files (or responses) showing it */
  bool current;        /* the newest build of its server: the one assessed */
  /* When Setup installed this build fresh (ExchangeSetup.log: the first
   * successful run, in Install mode, with no Exchange installed before),
   * or EXHUNT_NO_TIME. */
  int64_t installed;
  /* The first sighting that shows the build running (logs, Setup's runs,
   * configuration dumps), not merely present: ExSetup.exe's file time is
   * the time stamped in the update package, near the build's release,
   * not when the server started running it. EXHUNT_NO_TIME if only such a
   * file shows it. No sighting is earlier than the build's release. */
  int64_t running_since;
} exhunt_build_seen;

/*
 * Assesses one build against the embedded build database (rules/exchange/):
 * one finding per CVE family, category "exposure", status vulnerable,
 * patched or unknown, with the reason in `description` and the fixing build.
 * `now` (seconds since the epoch) decides support status. The strings in
 * `ctx` (source, path, target; any may be NULL) are copied into findings.
 */
typedef struct exhunt_exposure_ctx {
  const char *build_source;
  const char *path;
  const char *target;
  int64_t seen; /* when the build was seen, EXHUNT_NO_TIME if unknown */
  int64_t now;
} exhunt_exposure_ctx;
exhunt_err exhunt_exposure_assess(const exhunt_build *build, const exhunt_exposure_ctx *ctx,
                                  const exhunt_sink *sink);

typedef struct exhunt_exposure_opts {
  exhunt_scope scope;
  int64_t now; /* for support status */
} exhunt_exposure_opts;
void exhunt_exposure_opts_init(exhunt_exposure_opts *opts);

/*
 * Finds the Exchange build in evidence under each path (one server per
 * path): #Version headers and Major..RevisionVersion columns of Exchange
 * logs, the version resource of ExSetup.exe, AdminDisplayVersion in config
 * or OAB dumps. Reports every distinct build seen (on_build, with first and
 * last time: the build history), then assesses the newest one. A path with
 * no build is an error notice ("no-build").
 */
exhunt_err exhunt_exposure_paths(const char *const *paths, size_t n_paths,
                                 const exhunt_exposure_opts *opts, const exhunt_sink *sink,
                                 exhunt_scan_stats *stats);

typedef struct exhunt_probe_opts {
  long connect_timeout_ms; /* 0 = 5000 */
  long total_timeout_ms;   /* per request; 0 = 15000 */
  unsigned parallel;       /* concurrent requests; 0 = 32 */
  double rate;             /* new requests per second; 0 = unlimited */
  bool insecure;           /* skip TLS verification */
  const char *ca_file;     /* extra trusted CA bundle (PEM), or NULL */
  int64_t now;
} exhunt_probe_opts;
void exhunt_probe_opts_init(exhunt_probe_opts *opts);

/*
 * Passive HTTPS fingerprint of each target (host, host:port or https URL):
 * X-OWA-Version, /owa/auth/<build>/ paths of the logon page, the exporttool
 * manifest. No exploitation or SSRF request is ever sent. Each target gives
 * one on_build call, then, when a build was seen, its exposure findings.
 */
exhunt_err exhunt_probe_targets(const char *const *targets, size_t n_targets,
                                const exhunt_probe_opts *opts, const exhunt_sink *sink,
                                exhunt_scan_stats *stats);

/* ---------------------------------------------------------------------- */
/* The whole hunt: exposure, scan and logs of each server, correlated.     */

/* A list of finding ids ("F3") backing a statement. */
/* Finding ids. Lists that grow with the log records (requests to a shell,
 * exploitation records) name their first and last examples by time, and
 * `more` counts the ones left out: the whole list is n + more. */
typedef struct exhunt_evidence {
  const char *const *ids;
  size_t n;
  uint64_t more;
} exhunt_evidence;

typedef struct exhunt_story_step {
  int64_t time;         /* EXHUNT_NO_TIME if the record has none */
  const char *step;     /* exhunt_attack_step_name of the record's step: "probe",
                           "attempt", "ssrf", "vdir-reset", "file-written",
                           "shell-request", "command", "other" */
  const char *title;    /* the finding's title */
  const char *evidence; /* finding id */
  const char *path;     /* log file */
  uint64_t line;
} exhunt_story_step;

/* A web shell tied to its evidence. */
typedef struct exhunt_story_shell {
  const char *path;           /* on disk, relative to the server root; or as the log named it */
  const char *url;            /* how it is requested, e.g. "/aspnet_client/x.aspx", or NULL */
  bool on_disk;               /* false: seen only in logs (already deleted) */
  const char *finding;        /* id of the file finding, or NULL */
  exhunt_evidence planted_by; /* log records that wrote it */
  exhunt_evidence requests;   /* log records that used it */
} exhunt_story_shell;

/* One attacker (client IP and user agent) and what they did, in order. A
 * story with client_ip NULL gathers what no address can be tied to. */
/* How many steps of one kind an attacker took, of which `shown` are in
 * the story's steps (the first and last ones by time). */
typedef struct exhunt_step_count {
  const char *step;
  uint64_t total;
  size_t shown;
} exhunt_step_count;

typedef struct exhunt_story {
  const char *server;
  const char *client_ip;
  const char *user_agent; /* the most frequent one, or NULL */
  int64_t first, last;
  /* Examples: for each kind of step, the first and last few by time (all
   * of them when there are few); `counts` says how many there were. */
  const exhunt_story_step *steps;
  size_t n_steps;
  const exhunt_step_count *counts;
  size_t n_counts;
  const exhunt_story_shell *shells;
  size_t n_shells;
} exhunt_story;

typedef struct exhunt_reason {
  const char *text;
  exhunt_evidence evidence;
} exhunt_reason;

typedef struct exhunt_next_step {
  const char *action; /* "patch", "quarantine", "credentials", "block",
                         "isolate", "collect-logs", "review" */
  const char *text;
  exhunt_evidence evidence;
} exhunt_next_step;

/* How much of one exposure window the logs cover. */
typedef struct exhunt_window_log {
  const char *family;    /* log family, e.g. "iis-w3c" */
  uint32_t covered_days; /* days of the window with its records */
  bool counts;           /* it sees the attack's entry point: counts toward covered_days */
} exhunt_window_log;

/* A time the server was exposed to a CVE family exploited in the wild:
 * from the first exploitation in the wild (or the install, if later)
 * until the build that fixed it showed in the evidence, or the end of the
 * evidence. */
typedef struct exhunt_exposure_window {
  const char *family; /* id, e.g. "proxylogon" */
  const char *title;
  int64_t start, end;
  uint32_t exposed_days, covered_days;
  const exhunt_window_log *logs;
  size_t n_logs;
} exhunt_exposure_window;

/* The verdict for one server (one evidence root, one host under it, or
 * the roots given to exhunt_hunt_server):
 *   COMPROMISED             a web shell a web server could run, or
 *                           post-exploitation
 *   EXPLOITED               exploitation succeeded, no persistence found
 *   ATTEMPTED, SCANNED      only failed attempts, or only probes
 *   CLEAN                   nothing, and the logs cover every exposed day
 *   NO SIGN OF COMPROMISE   nothing, but the logs cover only part of them
 *   INSUFFICIENT EVIDENCE   the logs cover none of them, or there are none
 *   NOT AN EXCHANGE SERVER  no Exchange install, log or build, and nothing
 *                           found (IIS findings still give the verdicts above)
 * Exposure is apart from it: `badge`. */
typedef struct exhunt_verdict {
  const char *server;
  const char *verdict;
  const exhunt_reason *reasons;
  size_t n_reasons;
  int64_t first_activity, last_activity; /* of the attack, EXHUNT_NO_TIME if none */
  const exhunt_next_step *next_steps;
  size_t n_next_steps;
  /* One line for people: the verdict with its coverage figure, e.g.
   * "NO SIGN OF COMPROMISE (logs cover 1 of 61 exposed days)". */
  const char *headline;
  bool exchange; /* false: no Exchange install, log or build in the evidence */
  /* "VULNERABLE", "PATCHED", "UNKNOWN", "OUT OF SUPPORT", or "NOT
   * APPLICABLE" (not Exchange); with the current build when known. */
  const char *badge;
  const char *build, *product, *support; /* NULL when unknown */
  uint32_t families_vulnerable, exploited_in_wild;
  /* Days exposed to a family exploited in the wild (union of the windows)
   * and how many of them the web logs (HttpProxy, IIS) cover. */
  uint32_t exposed_days, covered_days;
  const exhunt_exposure_window *windows;
  size_t n_windows;
  uint64_t errors; /* errors that left this server's evidence unexamined */
} exhunt_verdict;

typedef struct exhunt_hunt_opts {
  const exhunt_rules *rules; /* compiled; required */
  exhunt_scope scope;
  exhunt_resources resources;
  exhunt_limits limits;
  /* As in exhunt_logs_opts; the coverage, and so the verdict, counts only
   * the records read. */
  exhunt_window window;
  int64_t now;           /* for support status and open exposure windows */
  uint64_t max_filesize; /* as in exhunt_scan_opts */
  /* Each path is one server as given: no split into the hosts a
   * collection folder holds (docs/hosts.md). */
  bool one_server;
  /* When the evidence was collected: the end of an exposure window still
   * open. EXHUNT_NO_TIME: the newest of its file times, log records and
   * build sightings, never past `now` (on a live server, about now). Set
   * it when the file times were lost (a copy without them, an archive, a
   * git checkout): the end of the logs is no end of the exposure, since
   * logs can stop or be deleted while the server runs on. */
  int64_t collected;
  /* As exhunt_logs_opts.tmp_dir. */
  const char *tmp_dir;
} exhunt_hunt_opts;

void exhunt_hunt_opts_init(exhunt_hunt_opts *opts);

/*
 * The whole job for each evidence root (a C:\-like tree, a mounted image or
 * a folder of collected files; one server each, or, for a collection folder
 * that holds several hosts - KAPE's EX01/C and EX02/C, Velociraptor
 * collections, several Exchange installs -, one server per host unless
 * opts->one_server; a hosts-* notice says how it was split): the Exchange build and its
 * exposure, web shells and IOCs on disk, exploitation in the logs; then the
 * story per attacker, the links between files and log lines, and a verdict
 * with reasons and next steps. The sink receives, per server: build records,
 * findings (each with an id), coverage, stories, then the verdict. Notes and
 * errors come as they happen.
 */
exhunt_err exhunt_hunt_paths(const char *const *paths, size_t n_paths, const exhunt_hunt_opts *opts,
                             const exhunt_sink *sink, exhunt_scan_stats *stats);

/*
 * One server whose evidence lies in several trees: a live server, whose
 * Exchange install, web roots, IIS logs and event logs are folders of
 * their own (exhunt/live.h finds them), or a server's files kept in parts.
 * Each engine runs over every root, and all that is found (builds,
 * findings, coverage, stories and the one verdict) belongs to the server
 * `name`, which every record carries as its server (the host's name). A
 * root inside another root given, or given twice, is hunted once, as part
 * of the outer one ("root-nested" note). A file is named in the story
 * relative to its root; a root given as a drive path (C:/inetpub/wwwroot)
 * keeps its place on its drive (inetpub/wwwroot/x.aspx), so the parts of
 * a live server read as one C:\ tree and its web folders and the paths in
 * its logs match as in a hunt of the whole drive. No host split
 * (opts->one_server is implied). Same records and returns as
 * exhunt_hunt_paths; EXHUNT_EINVAL also for no name, no root, an empty
 * one, or more than 1024.
 */
exhunt_err exhunt_hunt_server(const char *name, const char *const *roots, size_t n_roots,
                              const exhunt_hunt_opts *opts, const exhunt_sink *sink,
                              exhunt_scan_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* EXHUNT_EXHUNT_H */
