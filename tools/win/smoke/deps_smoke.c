/*
 * deps_smoke.c - proves the static Windows dependency set of
 * tools/win/build-deps.sh links into one .exe and works under wine.
 *
 * Usage: deps_smoke [--yarc RULES.yarc] [FILE.evtx]...
 * Prints the library versions, runs a YARA rule through the "math" and
 * "hash" modules (hash comes from the Windows CryptoAPI in this build), loads
 * a rule file compiled on Linux by host/bin/exh-rulec when given (compiled
 * rules are bound to the yara version and layout, so this is the check that
 * the two builds agree), and counts the records of each EVTX file through a
 * caller-owned libbfio handle, as lib/logs/evtx.c does: libevtx must run on
 * the same libbfio the program hands it. Output lines are stable, for
 * tools/win/check-deps.sh to compare with the Linux tools.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <libbfio.h>
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>
#include <zlib.h>

/* A libbfio handle over a file read whole into memory, with exhunt's
 * callback shape (managed, cloned by function, read-only). */
typedef struct mem_io {
  const uint8_t *data;
  size_t size;
  size_t pos;
  int open;
} mem_io;

static int io_free(intptr_t **io, libbfio_error_t **error)
{
  (void)error;
  free(*io);
  *io = NULL;
  return 1;
}

static int io_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **error)
{
  (void)error;
  mem_io *copy = malloc(sizeof *copy);
  if (!copy)
    return -1;
  *copy = *(mem_io *)src;
  *dst = (intptr_t *)copy;
  return 1;
}

static int io_open(intptr_t *io, int flags, libbfio_error_t **error)
{
  (void)error;
  if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
    return -1;
  ((mem_io *)io)->open = 1;
  ((mem_io *)io)->pos = 0;
  return 1;
}

static int io_close(intptr_t *io, libbfio_error_t **error)
{
  (void)error;
  ((mem_io *)io)->open = 0;
  return 0;
}

static ssize_t io_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **error)
{
  (void)error;
  mem_io *m = (mem_io *)io;
  size_t n = m->pos < m->size ? m->size - m->pos : 0;
  if (n > size)
    n = size;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t)n;
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
  mem_io *m = (mem_io *)io;
  long long base = whence == SEEK_CUR   ? (long long)m->pos
                   : whence == SEEK_END ? (long long)m->size
                                        : 0;
  long long to = base + (long long)offset;
  if (to < 0)
    return -1;
  m->pos = (size_t)to;
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
  return ((mem_io *)io)->open;
}

static int io_get_size(intptr_t *io, size64_t *size, libbfio_error_t **error)
{
  (void)error;
  *size = ((mem_io *)io)->size;
  return 1;
}

static uint8_t *read_whole(const char *path, size_t *size)
{
  FILE *f = fopen(path, "rb");
  uint8_t *data = NULL;
  long len;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (data = malloc(len ? (size_t)len : 1)) != NULL) {
    if (fread(data, 1, (size_t)len, f) != (size_t)len) {
      free(data);
      data = NULL;
    } else {
      *size = (size_t)len;
    }
  }
  fclose(f);
  return data;
}

/* Prints "evtx NAME records N recovered M"; 0 on success. */
static int count_records(const char *path)
{
  int rc = 1;
  size_t size = 0;
  uint8_t *data = read_whole(path, &size);
  mem_io *io = calloc(1, sizeof *io);
  libbfio_handle_t *handle = NULL;
  libbfio_error_t *berr = NULL;
  libevtx_file_t *file = NULL;
  libevtx_error_t *eerr = NULL;
  int records = 0, recovered = 0;
  if (!data || !io) {
    fprintf(stderr, "deps_smoke: cannot read %s\n", path);
    free(io);
    goto cleanup;
  }
  io->data = data;
  io->size = size;
  if (libbfio_handle_initialize(
          &handle, (intptr_t *)io, io_free, io_clone, io_open, io_close, io_read, io_write, io_seek,
          io_exists, io_is_open, io_get_size,
          LIBBFIO_FLAG_IO_HANDLE_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION, &berr) != 1) {
    free(io);
    goto cleanup;
  }
  if (libevtx_file_initialize(&file, &eerr) != 1 ||
      libevtx_file_open_file_io_handle(file, handle, LIBEVTX_OPEN_READ, &eerr) != 1 ||
      libevtx_file_get_number_of_records(file, &records, &eerr) != 1 ||
      libevtx_file_get_number_of_recovered_records(file, &recovered, &eerr) != 1)
    goto cleanup;
  const char *base = strrchr(path, '\\') ? strrchr(path, '\\') + 1 : path;
  base = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
  printf("evtx %s records %d recovered %d\n", base, records, recovered);
  rc = 0;
cleanup:
  if (eerr) {
    libevtx_error_backtrace_fprint(eerr, stderr);
    libevtx_error_free(&eerr);
  }
  if (berr) {
    libbfio_error_backtrace_fprint(berr, stderr);
    libbfio_error_free(&berr);
  }
  if (file) {
    libevtx_file_close(file, NULL);
    libevtx_file_free(&file, NULL);
  }
  if (handle)
    libbfio_handle_free(&handle, NULL);
  free(data);
  return rc;
}

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
  (void)ctx;
  if (message == CALLBACK_MSG_RULE_MATCHING)
    printf("yara match %s\n", ((YR_RULE *)data)->identifier);
  (void)user;
  return CALLBACK_CONTINUE;
}

/* math + hash modules; "abc" has MD5 900150983cd24fb0d6963f7d28e17f72. */
static int yara_modules(void)
{
  static const char rule[] = "import \"math\"\nimport \"hash\"\n"
                             "rule math_and_hash { condition: math.entropy(0, filesize) > 1.5 and "
                             "hash.md5(0, filesize) == \"900150983cd24fb0d6963f7d28e17f72\" }\n";
  YR_COMPILER *compiler = NULL;
  YR_RULES *rules = NULL;
  int rc = 1;
  if (yr_compiler_create(&compiler) != ERROR_SUCCESS)
    return 1;
  if (yr_compiler_add_string(compiler, rule, NULL) == 0 &&
      yr_compiler_get_rules(compiler, &rules) == ERROR_SUCCESS &&
      yr_rules_scan_mem(rules, (const uint8_t *)"abc", 3, 0, on_scan, NULL, 0) == ERROR_SUCCESS)
    rc = 0;
  if (rules)
    yr_rules_destroy(rules);
  yr_compiler_destroy(compiler);
  return rc;
}

static int yara_load(const char *path)
{
  YR_RULES *rules = NULL;
  int err = yr_rules_load(path, &rules);
  if (err != ERROR_SUCCESS) {
    printf("yarc load error %d\n", err);
    return 1;
  }
  unsigned n = 0;
  const YR_RULE *rule;
  yr_rules_foreach (rules, rule)
    n++;
  printf("yarc rules %u\n", n);
  yr_rules_destroy(rules);
  return 0;
}

int main(int argc, char **argv)
{
  int rc = 0;
  const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
  json_t *j = json_pack("{s:s}", "jansson", JANSSON_VERSION);
  char *js = j ? json_dumps(j, JSON_COMPACT) : NULL;
  printf("yara %s\n", YR_VERSION);
  printf("curl %s ssl %s https %s\n", cv->version, cv->ssl_version ? cv->ssl_version : "none",
         (cv->features & CURL_VERSION_SSL) ? "yes" : "no");
  printf("zlib %s\n", zlibVersion());
  printf("json %s\n", js ? js : "?");
  printf("libevtx %s libbfio %s\n", libevtx_get_version(), libbfio_get_version());
  free(js);
  json_decref(j);
  if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK || yr_initialize() != ERROR_SUCCESS)
    return 1;
  if (yara_modules())
    rc = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--yarc") == 0 && i + 1 < argc)
      rc |= yara_load(argv[++i]);
    else
      rc |= count_records(argv[i]);
  }
  yr_finalize();
  curl_global_cleanup();
  return rc;
}
