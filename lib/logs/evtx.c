/*
 * evtx.c - EVTX through libevtx over an exh_ra reader; see evtx.h.
 *
 * The record XML that libevtx renders is read with a small, bounded field
 * extractor rather than a general XML parser: only <Provider Name>,
 * <EventID>, <Level>, <TimeCreated SystemTime>, <Channel> and the
 * <Data [Name="..."]> elements matter, and each is found by a linear scan.
 * Unnamed <Data> values (MSExchange Management writes the cmdlet and its
 * parameters that way) are joined into the event's message, since the
 * provider's message text is not in the file.
 */
#include "evtx.h"

#include <errno.h>
#include <libbfio.h>
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "detect.h"
#include "platform/fs.h"

/* File header block, then chunks of 64 KiB (the EVTX layout). */
#define EVTX_HEADER_BLOCK 4096u
#define EVTX_CHUNK_SIZE 65536u

bool exh_is_evtx(const uint8_t *head, size_t len)
{
  return len >= 8 && memcmp(head, "ElfFile\0", 8) == 0;
}

/* ---------------------------------------------------------------------- */
/* XML fields.                                                             */

static const char *find(const char *p, const char *end, const char *needle)
{
  size_t n = strlen(needle);
  for (; p + n <= end; p++)
    if (*p == needle[0] && memcmp(p, needle, n) == 0)
      return p;
  return NULL;
}

/* Appends the XML-unescaped text [p, end) to scratch, never past what was
 * reserved (the views must not move): unescaping only shortens, but the
 * elements looked up may nest in hostile XML (<EventID><Level>...), so the
 * same bytes can be extracted several times; what does not fit is cut.
 * Returns the view. */
static exh_view unescape(exh_dynbuf *scratch, const char *p, const char *end)
{
  if (scratch->len >= scratch->cap)
    return (exh_view){"", 0};
  size_t room = scratch->cap - scratch->len - 1; /* one byte for the NUL */
  char *out = scratch->data + scratch->len;
  size_t o = 0;
  while (p < end && o < room) { /* each pass writes one byte */
    if (*p == '&') {
      static const struct {
        const char *ent;
        char ch;
      } ents[] = {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool done = false;
      for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++) {
        size_t n = strlen(ents[i].ent);
        if ((size_t)(end - p) >= n && memcmp(p, ents[i].ent, n) == 0) {
          out[o++] = ents[i].ch;
          p += n;
          done = true;
        }
      }
      if (!done && end - p >= 4 && p[1] == '#') {
        /* &#NN; and &#xNN; for ASCII only; others kept as written */
        const char *q = p + 2;
        unsigned v = 0;
        bool hex = *q == 'x' || *q == 'X';
        if (hex)
          q++;
        const char *digits = q;
        while (q < end && q - digits < 6 &&
               ((*q >= '0' && *q <= '9') ||
                (hex && ((*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))))) {
          unsigned d = (unsigned)(*q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10);
          v = v * (hex ? 16u : 10u) + d;
          q++;
        }
        if (q < end && *q == ';' && q > digits && v > 0 && v < 0x80) {
          out[o++] = (char)v;
          p = q + 1;
          done = true;
        }
      }
      if (done)
        continue;
    }
    out[o++] = *p++;
  }
  exh_view v = {out, o};
  scratch->len += o;
  scratch->data[scratch->len++] = '\0';
  return v;
}

/* Text of <tag>...</tag> after `from`, or an empty view. */
static exh_view element(exh_dynbuf *s, const char *from, const char *end, const char *open,
                        const char *close)
{
  exh_view none = {"", 0};
  const char *a = find(from, end, open);
  if (!a)
    return none;
  a = memchr(a, '>', (size_t)(end - a));
  if (!a || a[-1] == '/')
    return none;
  a++;
  const char *b = find(a, end, close);
  return b ? unescape(s, a, b) : none;
}

/* Value of attr="..." inside the first `tag` after `from`. */
static exh_view attribute(exh_dynbuf *s, const char *from, const char *end, const char *tag,
                          const char *attr)
{
  exh_view none = {"", 0};
  const char *a = find(from, end, tag);
  if (!a)
    return none;
  const char *gt = memchr(a, '>', (size_t)(end - a));
  if (!gt)
    return none;
  const char *v = find(a, gt, attr);
  if (!v)
    return none;
  v += strlen(attr);
  const char *q = memchr(v, '"', (size_t)(gt - v));
  return q ? unescape(s, v, q) : none;
}

bool exh_event_from_xml(exh_event *ev, const char *xml, size_t len, exh_dynbuf *scratch)
{
  memset(ev, 0, offsetof(exh_event, numbuf));
  ev->doc = NULL;
  /* Views are never NULL, even empty: the detectors search them. */
  ev->message.p = "";
  exh_dynbuf_reset(scratch);
  /* Everything extracted is at most the input, plus a NUL per value:
   * reserve once so the views never move. */
  if (exh_dynbuf_reserve(scratch, 2 * len + 64) != EXHUNT_OK)
    return false;
  const char *p = xml, *end = xml + len;
  ev->provider = attribute(scratch, p, end, "<Provider ", "Name=\"");
  ev->event_id = exh_view_uint(element(scratch, p, end, "<EventID", "</EventID>"));
  ev->level = exh_view_uint(element(scratch, p, end, "<Level>", "</Level>"));
  ev->time = exh_parse_iso8601(attribute(scratch, p, end, "<TimeCreated ", "SystemTime=\""));
  ev->channel = element(scratch, p, end, "<Channel>", "</Channel>");
  /* Data elements, named or not. */
  char *msg = NULL;
  size_t msg_len = 0;
  const char *d = p;
  /* Every Data element is looked at: past the field cap, unnamed ones
   * still join the message and the key fields are still kept (events.h). */
  while ((d = find(d, end, "<Data")) != NULL) {
    const char *gt = memchr(d, '>', (size_t)(end - d));
    if (!gt)
      break;
    exh_view name = {"", 0};
    const char *na = find(d, gt, "Name=\"");
    if (na) {
      na += 6;
      const char *q = memchr(na, '"', (size_t)(gt - na));
      if (q)
        name = unescape(scratch, na, q);
    }
    exh_view value = {"", 0};
    const char *next = gt + 1;
    if (gt[-1] != '/') {
      const char *close = find(gt + 1, end, "</Data>");
      if (!close)
        break;
      value = unescape(scratch, gt + 1, close);
      next = close + 7;
    }
    if (name.n) {
      if (!exh_event_keep(ev, name.p, false))
        goto next;
      ev->fields[ev->n_fields].name = name.p;
      ev->fields[ev->n_fields].value = value;
      ev->n_fields++;
    } else if (value.n) {
      /* Unnamed strings form the message, in order (the view is
       * contiguous: scratch grows by value + NUL each time). */
      if (!msg) {
        msg = (char *)value.p;
        msg_len = value.n;
      } else {
        /* join: turn the NUL after the previous piece into a space */
        msg[msg_len] = ' ';
        msg_len = (size_t)(value.p + value.n - msg);
      }
    }
  next:
    d = next;
  }
  if (msg) {
    ev->message.p = msg;
    ev->message.n = msg_len;
  }
  return ev->channel.n > 0 || ev->event_id >= 0;
}

/* ---------------------------------------------------------------------- */
/* Spilling a gzipped EVTX to a temporary file.                            */

/* True if the directory open as `fd` is one of `roots` or below one: its
 * ancestors are followed through "..", by descriptor, up to "/" (whose
 * ".." is itself), so a symlink in the path cannot hide a root. A root
 * that cannot be stat'ed, or is not a directory, holds no directory. */
static bool dir_under_roots(int fd, const char *const *roots, size_t n_roots, const char **which)
{
  bool under = false;
  int cur = exh_dup(fd);
  /* Each step goes one level up; a path has at most EXH_MAX_PATH / 2
   * components, so the bound only guards against a looping file system. */
  for (unsigned step = 0; cur >= 0 && !under && step < 4096; step++) {
    exh_stat here, up;
    if (exh_fstat(cur, &here) != 0)
      break;
    for (size_t i = 0; i < n_roots && !under; i++) {
      exh_stat rs;
      if (exh_stat_path(roots[i], &rs) == 0 && rs.type == EXH_FT_DIR && rs.dev == here.dev &&
          rs.ino == here.ino) {
        under = true;
        *which = roots[i];
      }
    }
    int parent = exh_open_at(cur, "..", EXH_O_DIRECTORY, 0);
    exh_close(cur);
    cur = parent;
    if (cur < 0 || exh_fstat(cur, &up) != 0 || (up.dev == here.dev && up.ino == here.ino))
      break; /* reached "/" (or cannot go up) */
  }
  if (cur >= 0)
    exh_close(cur);
  return under;
}

int exh_evtx_spill_open(const char *dir, const char *const *roots, size_t n_roots, char *why,
                        size_t why_len)
{
  int fd = -1;
  int dfd = exh_open(dir, EXH_O_DIRECTORY, 0);
  if (dfd < 0) {
    snprintf(why, why_len, "temporary directory %s: %s", dir, strerror(errno));
    goto cleanup;
  }
  const char *root = NULL;
  if (dir_under_roots(dfd, roots, n_roots, &root)) {
    snprintf(why, why_len,
             "temporary directory %s lies in the evidence (under %s), which is never written to; "
             "set TMPDIR elsewhere",
             dir, root);
    goto cleanup;
  }
  fd = exh_tmpfile_at(dfd, dir);
  if (fd < 0 && errno == ENAMETOOLONG)
    snprintf(why, why_len, "temporary directory path too long");
  else if (fd < 0)
    snprintf(why, why_len, "cannot create a temporary file in %s: %s", dir, strerror(errno));
cleanup:
  if (dfd >= 0)
    exh_close(dfd);
  return fd;
}

/* ---------------------------------------------------------------------- */
/* libbfio handle over exh_ra.                                             */

typedef struct ra_io {
  const exh_ra *ra;
  uint64_t pos;
  bool open;
} ra_io;

static int io_free(intptr_t **io, libbfio_error_t **error)
{
  (void)error;
  exh_free(*io);
  *io = NULL;
  return 1;
}

static int io_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **error)
{
  (void)error;
  ra_io *copy = exh_malloc(sizeof *copy);
  if (!copy)
    return -1;
  *copy = *(ra_io *)src;
  *dst = (intptr_t *)copy;
  return 1;
}

static int io_open(intptr_t *io, int flags, libbfio_error_t **error)
{
  (void)error;
  if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
    return -1; /* evidence is read-only */
  ((ra_io *)io)->open = true;
  ((ra_io *)io)->pos = 0;
  return 1;
}

static int io_close(intptr_t *io, libbfio_error_t **error)
{
  (void)error;
  ((ra_io *)io)->open = false;
  return 0;
}

static ssize_t io_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **error)
{
  (void)error;
  ra_io *r = (ra_io *)io;
  ssize_t n = r->ra->pread(r->ra->ctx, buf, size, r->pos);
  if (n > 0)
    r->pos += (uint64_t)n;
  return n;
}

static ssize_t io_write(intptr_t *io, const uint8_t *buf, size_t size, libbfio_error_t **error)
{
  (void)io;
  (void)buf;
  (void)size;
  (void)error;
  return -1;
}

static off64_t io_seek(intptr_t *io, off64_t offset, int whence, libbfio_error_t **error)
{
  (void)error;
  ra_io *r = (ra_io *)io;
  int64_t base = whence == SEEK_CUR   ? (int64_t)r->pos
                 : whence == SEEK_END ? (int64_t)r->ra->size
                                      : 0;
  int64_t to = base + (int64_t)offset;
  if (to < 0)
    return -1;
  r->pos = (uint64_t)to;
  return (off64_t)to;
}

static int io_exists(intptr_t *io, libbfio_error_t **error)
{
  (void)io;
  (void)error;
  return 1;
}

static int io_is_open(intptr_t *io, libbfio_error_t **error)
{
  (void)error;
  return ((ra_io *)io)->open ? 1 : 0;
}

static int io_get_size(intptr_t *io, size64_t *size, libbfio_error_t **error)
{
  (void)error;
  *size = ((ra_io *)io)->ra->size;
  return 1;
}

exhunt_err exh_evtx_read(const exh_ra *ra,
                         void (*on_event)(void *ctx, const exh_event *ev, uint64_t record),
                         void *ctx, exh_evtx_stats *stats)
{
  exhunt_err err = EXHUNT_ENOMEM;
  libbfio_handle_t *handle = NULL;
  libevtx_file_t *file = NULL;
  libevtx_error_t *eerr = NULL;
  libbfio_error_t *berr = NULL;
  exh_event *ev = NULL;
  uint8_t *xml = NULL;
  size_t xml_cap = 0;
  exh_dynbuf scratch;
  exh_dynbuf_init(&scratch, 0);
  memset(stats, 0, sizeof *stats);

  ra_io *io = exh_calloc(1, sizeof *io);
  ev = exh_malloc(sizeof *ev);
  if (!io || !ev) {
    exh_free(io);
    goto cleanup;
  }
  io->ra = ra;
  if (libbfio_handle_initialize(
          &handle, (intptr_t *)io, io_free, io_clone, io_open, io_close, io_read, io_write, io_seek,
          io_exists, io_is_open, io_get_size,
          LIBBFIO_FLAG_IO_HANDLE_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION, &berr) != 1) {
    exh_free(io);
    goto cleanup;
  }
  if (libevtx_file_initialize(&file, &eerr) != 1)
    goto cleanup;
  if (libevtx_file_open_file_io_handle(file, handle, LIBEVTX_OPEN_READ, &eerr) != 1) {
    err = EXHUNT_ECORRUPT;
    goto cleanup;
  }
  stats->opened = true;
  /* The header's chunk count (a 16-bit field at 0x2A) against the size: a
   * copy cut short loses the chunks past the cut, silently to libevtx. */
  uint8_t nchunks[2];
  if (ra->pread(ra->ctx, nchunks, 2, 0x2A) == 2)
    stats->chunks_declared = (uint32_t)nchunks[0] | (uint32_t)nchunks[1] << 8;
  if (ra->size > EVTX_HEADER_BLOCK)
    stats->chunks_present = (uint32_t)((ra->size - EVTX_HEADER_BLOCK) / EVTX_CHUNK_SIZE);
  int count = 0;
  if (libevtx_file_get_number_of_records(file, &count, &eerr) != 1) {
    err = EXHUNT_ECORRUPT;
    goto cleanup;
  }
  stats->records = (uint64_t)(count > 0 ? count : 0);
  for (int i = 0; i < count; i++) {
    libevtx_record_t *record = NULL;
    size_t size = 0;
    uint64_t id = (uint64_t)i + 1;
    if (libevtx_file_get_record_by_index(file, i, &record, &eerr) != 1 ||
        libevtx_record_get_utf8_xml_string_size(record, &size, &eerr) != 1 || size == 0 ||
        size > 16u * 1024 * 1024) {
      stats->unreadable++;
      goto next;
    }
    if (size > xml_cap) {
      uint8_t *grown = exh_realloc(xml, size);
      if (!grown) {
        libevtx_record_free(&record, NULL);
        goto cleanup;
      }
      xml = grown;
      xml_cap = size;
    }
    if (libevtx_record_get_utf8_xml_string(record, xml, size, &eerr) != 1) {
      stats->unreadable++;
      goto next;
    }
    libevtx_record_get_identifier(record, &id, NULL);
    /* The room exh_event_from_xml needs, reserved here so that running out
     * of memory is an error, not a record counted as unreadable. */
    exh_dynbuf_reset(&scratch);
    if (exh_dynbuf_reserve(&scratch, 2 * size + 64) != EXHUNT_OK) {
      libevtx_record_free(&record, NULL);
      goto cleanup;
    }
    if (exh_event_from_xml(ev, (const char *)xml, strnlen((const char *)xml, size), &scratch))
      on_event(ctx, ev, id);
    else
      stats->unreadable++;
  next:
    if (eerr) {
      libevtx_error_free(&eerr);
      eerr = NULL;
    }
    if (record)
      libevtx_record_free(&record, NULL);
  }
  stats->corrupted = libevtx_file_is_corrupted(file, NULL) == 1;
  err = EXHUNT_OK;
cleanup:
  if (file) {
    if (stats->opened)
      libevtx_file_close(file, NULL);
    libevtx_file_free(&file, NULL);
  }
  if (handle)
    libbfio_handle_free(&handle, NULL);
  if (eerr)
    libevtx_error_free(&eerr);
  if (berr)
    libbfio_error_free(&berr);
  exh_dynbuf_free(&scratch);
  exh_free(xml);
  exh_free(ev);
  return err;
}
