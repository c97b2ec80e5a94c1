/*
 * evtx.h - EVTX files through libevtx, read from a random-access reader.
 *
 * libevtx reads through a libbfio handle. Ours is built on exh_ra, a
 * pread()-style reader: a descriptor the walker opened read-only (never a
 * path handed to a library that would open it its own way), or a memory
 * span for tests and the fuzzer. Each record's XML is turned into an
 * exh_event (events.h) and passed to a callback with its record number.
 * A record libevtx cannot parse is counted, not fatal.
 */
#ifndef EXH_EVTX_H
#define EXH_EVTX_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "platform/fs.h"

typedef struct exh_ra {
  void *ctx;
  /* Reads up to size bytes at offset; returns bytes read or -1. */
  exh_ssize (*pread)(void *ctx, uint8_t *buf, size_t size, uint64_t offset);
  uint64_t size;
} exh_ra;

typedef struct exh_evtx_stats {
  uint64_t records;    /* records libevtx reported */
  uint64_t unreadable; /* records it could not hand over, or XML we could not read */
  bool opened;         /* libevtx accepted the file */
  /* libevtx skips a chunk it cannot read without failing the file: these
   * say that it happened, so the reader can report it. */
  bool corrupted;           /* libevtx found a chunk or record it could not read */
  uint32_t chunks_declared; /* chunk count in the file header */
  uint32_t chunks_present;  /* whole 64 KiB chunks the file's size holds */
} exh_evtx_stats;

/* True if the first bytes are an EVTX file header ("ElfFile\0"). */
bool exh_is_evtx(const uint8_t *head, size_t len);

/* Reads every record; `on_event` gets each as an exh_event (valid only
 * during the call) and its record number. Returns EXHUNT_ECORRUPT if
 * libevtx refuses the file, ENOMEM on allocation failure. */
exhunt_err exh_evtx_read(const exh_ra *ra,
                         void (*on_event)(void *ctx, const exh_event *ev, uint64_t record),
                         void *ctx, exh_evtx_stats *stats);

/* Parses one record's XML into ev, unescaping into `scratch`. Named Data
 * fields past EXH_EVENT_FIELDS are handled as in events.h (the ones the
 * detectors read are kept; ev->fields_dropped counts the rest). */
bool exh_event_from_xml(exh_event *ev, const char *xml, size_t len, exh_dynbuf *scratch);

/* The largest file the EVTX format can describe: the header block and
 * 65535 chunks (the chunk count is 16 bits). */
#define EXH_EVTX_MAX_SIZE (4096ull + 65535ull * 65536ull)

/* A temporary file for a gzipped EVTX too large for the memory budget
 * (libevtx reads at random offsets; a gzip stream cannot seek back): an
 * unnamed O_TMPFILE in `dir`, or where the file system refuses that, a
 * mkstemp file unlinked at once, so nothing is left behind whatever way
 * the process ends. Refused when `dir` is one of the directories in
 * `roots` or lies below one (evidence is never written to, not even its
 * free blocks). Returns a read-write descriptor, or -1 with the reason in
 * `why`. */
int exh_evtx_spill_open(const char *dir, const char *const *roots, size_t n_roots, char *why,
                        size_t why_len);

#endif
