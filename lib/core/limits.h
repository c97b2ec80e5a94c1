/*
 * limits.h - every cap the engines enforce, in one place.
 *
 * Evidence is attacker-controlled, so every buffer that grows has a ceiling
 * and every loop over input has a bound. Defaults live here; the ones a user
 * may need to move are exposed as options (exhunt_scan_opts) and documented
 * in docs/limits.md. Hitting a cap is reported as a note, never a crash.
 */
#ifndef EXH_LIMITS_H
#define EXH_LIMITS_H

#include "exhunt/exhunt.h" /* the ceilings a user may move within */

/* Content rules (YARA, heuristics) read at most this many bytes of a file.
 * Larger files are still hashed, by streaming. Web shells are small; the
 * largest in ../shared/corpus is under 1 MiB. */
#define EXH_DEFAULT_MAX_FILESIZE (32ull * 1024 * 1024)

/* Directory depth below a root; deeper directories are skipped with a note. */
#define EXH_DEFAULT_MAX_DEPTH 64u

/* Bytes of a matched string kept in a finding. */
#define EXH_MAX_MATCH_BYTES 96u

/* Matched strings reported per rule and findings per file. */
#define EXH_MAX_MATCHES_PER_RULE 8u
#define EXH_MAX_FINDINGS_PER_FILE EXHUNT_LIMIT_MAX_FINDINGS_PER_FILE

/* Per-file YARA timeout, seconds. */
#define EXH_YARA_TIMEOUT_SEC 30

/* Jobs waiting between the walker and the workers (bounded queue). */
#define EXH_QUEUE_DEPTH 1024u

/* Worker threads, upper bound. */
#define EXH_MAX_THREADS 256u

/* A worker keeps its read buffer between files up to this size; a larger
 * one is released after the file that needed it. */
#define EXH_KEEP_BUFFER (4u * 1024u * 1024u)

/* Read chunk for streaming hashes of files above the content limit. */
#define EXH_STREAM_CHUNK (1024u * 1024u)

/* Ceiling for any dynbuf unless the caller sets a lower one. */
#define EXH_DYNBUF_MAX (64ull * 1024 * 1024)

/* IOC and rule text: longest line accepted, and longest path. */
#define EXH_MAX_IOC_LINE 4096u
#define EXH_MAX_PATH 4096u

/* Logs. A line longer than this is cut there (and the cut is reported);
 * records with more fields than this keep the first ones. */
#define EXH_MAX_LINE (1024u * 1024u)
#define EXH_MAX_FIELDS EXHUNT_LIMIT_MAX_FIELDS

/* Windows events (JSON lines, EVTX records): data fields kept per event,
 * and the nesting depth of JSON objects read for them. Past either, only
 * the fields the detectors read are kept (events.h), to EXH_EVENT_KEY_DEPTH
 * levels (jansson parses to 2048; the flattening recursion stays small).
 * Real events have a few dozen fields, nested at most 4 deep. */
#define EXH_MAX_EVENT_FIELDS 128u
#define EXH_EVENT_DEPTH 8
#define EXH_EVENT_KEY_DEPTH 64

/* A CSV record whose quoted value holds line breaks is joined across at
 * most this many lines (and EXH_MAX_LINE bytes); past that the quote is
 * taken as stray and the lines are read one by one. Exchange writes stack
 * traces of a few dozen lines into its logs. */
#define EXH_MAX_RECORD_LINES 1024u

/* gzip: decompressed bytes per file, and the output/input ratio past 1 MiB
 * (real logs compress 10-30x; a bomb, 1000x). */
#define EXH_GZ_MAX_OUT (8ull * 1024 * 1024 * 1024)
#define EXH_GZ_MAX_RATIO 200u

/* A gzipped EVTX is decompressed before libevtx reads it (it reads at
 * random offsets): into memory while all workers together hold at most
 * this much (a budget shared by the run, so -j64 costs what -j1 does),
 * and past it into an unlinked temporary file in $TMPDIR (evtx.h). Windows'
 * default log size is 20 MiB, so most fit; a file up to the largest EVTX
 * the format allows (4 GiB, EXH_EVTX_MAX_SIZE) is read either way. */
#define EXH_EVTX_GZ_MAX_MEM (64ull * 1024 * 1024)

/* exhunt hunt's story (lib/hunt/story.c), per server: records without an
 * address held until the end to be placed (an attacker's records with one
 * are not held: each list keeps EXH_STORY_EXAMPLES at each end and a
 * count), distinct attacking addresses, shells known only from logs, and
 * web folders a requested URL is looked for under. Past them, records stay
 * findings and count in the verdict, but are not correlated (a note says
 * how many). */
#define EXH_STORY_MAX_STEPS 10000u
#define EXH_STORY_MAX_ATTACKERS 1024u
#define EXH_STORY_MAX_LOG_SHELLS 1024u
#define EXH_STORY_MAX_WEB_BASES 64u
/* Distinct scripts of Set-*VirtualDirectory lines looked for in shell files
 * (an attack sets one or two; each costs a search of every shell). */
#define EXH_STORY_MAX_VDIR_SCRIPTS 64u
/* Set-*VirtualDirectory and reset lines kept for that search, of each. */
#define EXH_STORY_MAX_VDIR_LINES 10000u
/* Hash slots of attackers' activity by ten-minute slot (half of them
 * used: 2^18 slots keep about 3.6 years of activity, 13 MB). */
#define EXH_STORY_MAX_SLOTS (1u << 18)
/* Web shells on disk whose URLs the log engine looks for (exhunt hunt):
 * one literal set, one pass, whatever their number up to this. */
#define EXH_HUNT_MAX_SHELL_URLS 4096u
/* The portable log matcher (lib/logs/prefilter_ac.c, the Windows build's):
 * the transition table of one literal set, 4 bytes per state (one per
 * literal byte) and byte class (one per distinct letter-folded byte).
 * 4096 URLs of 60 bytes over 45 classes take 44 MB; a set that needs more
 * is refused, and its lines are looked for one by one (exh_literals_new). */
#define EXH_AC_MAX_TABLE (64u * 1024u * 1024u)

/* One server made of several roots (exhunt_hunt_server): roots taken. */
#define EXH_HUNT_MAX_SERVER_ROOTS 1024u

/* A live server's roots (lib/live): applicationHost.config read up to this
 * size (an Exchange server's is some 100 KiB, a hosting server's with
 * thousands of sites a few MiB), the sites and the virtual directories
 * kept of it, the nesting whose names are kept (the elements read are 5
 * deep; deeper ones are skipped), and the notes a plan gives (then a
 * count of the rest). */
#define EXH_IIS_MAX_CONFIG (64u * 1024u * 1024u)
#define EXH_IIS_MAX_SITES 4096u
#define EXH_IIS_MAX_DIRS 65536u
#define EXH_IIS_MAX_DEPTH 64u
#define EXH_LIVE_MAX_NOTES 64u

/* Exposure (lib/exposure/evidence.c): bytes read from the head and the
 * tail of each log for its build (the header and the first and last
 * records are all that is needed); the largest text dump searched for
 * AdminDisplayVersion and ExSetup.exe read for its version resource; and
 * distinct builds kept per server (a real history has a dozen). */
#define EXH_EXPOSURE_LOG_HEAD (64u * 1024u)
#define EXH_EXPOSURE_LOG_TAIL (64u * 1024u)
#define EXH_EXPOSURE_MAX_DUMP (16u * 1024u * 1024u)
/* ExchangeSetup.log grows by a few MiB per CU installed; read this much. */
#define EXH_EXPOSURE_MAX_SETUP (256ull * 1024 * 1024)
#define EXH_EXPOSURE_MAX_PE (64u * 1024u * 1024u)
#define EXH_EXPOSURE_MAX_BUILDS 256u

/* PE version resources (lib/pe/): resource directory entries visited in
 * all levels together (a real ExSetup.exe has a dozen; a forged count of
 * 2 x 65535 then costs nothing), and version blocks visited (a 64 KiB
 * block cannot hold more than about 8000). */
#define EXH_PE_MAX_RSRC_ENTRIES 4096u
#define EXH_PE_MAX_VERSION_BLOCKS 4096u

/* exhunt probe (lib/probe/): defaults for options left at 0, and caps. */
#define EXH_PROBE_CONNECT_TIMEOUT_MS 5000L
#define EXH_PROBE_TOTAL_TIMEOUT_MS 15000L
#define EXH_PROBE_PARALLEL 32u
#define EXH_PROBE_MAX_PARALLEL 1024u
#define EXH_PROBE_MAX_BODY (1024u * 1024u) /* kept per response; the rest is not read */
#define EXH_PROBE_MAX_REDIRECTS 3u         /* same-host only, per path */
#define EXH_PROBE_MIN_RATE 0.001           /* one request per ~17 minutes */
#define EXH_PROBE_MAX_URL 2048u

/* Baselines (lib/baseline/): longest line of a baseline file (a path of
 * EXH_MAX_PATH bytes escaped as \u00XX, plus its base64, fits), records
 * held in memory by a diff, and distinct roots. */
#define EXH_BASELINE_MAX_LINE (64u * 1024u)
#define EXH_BASELINE_MAX_ENTRIES (64u * 1024u * 1024u)
#define EXH_BASELINE_MAX_ROOTS 1024u

/* exhunt watch (lib/watch/): bytes read from inotify at once (thousands of
 * events; the kernel's own queue, fs.inotify.max_queued_events, is not
 * raised: an overflow means a rescan), files handed to one scan call, the
 * longest time events are read before what was read is scanned (a steady
 * trickle must not delay the first file), and how often a missing root is
 * looked for. */
#define EXH_WATCH_READ_BUF (1024u * 1024u)
#define EXH_WATCH_BATCH 1024u
#define EXH_WATCH_DRAIN_MS 100
#define EXH_WATCH_ROOT_POLL_MS 1000
/* fanotify: the largest directory file handle kept (the kernel's
 * MAX_HANDLE_SZ), and the slots of the cache of resolved directory handles
 * that lets events from outside the roots be dropped without a syscall. */
#define EXH_WATCH_FAN_HANDLE_MAX 128u
#define EXH_WATCH_FAN_CACHE 1024u

#endif
