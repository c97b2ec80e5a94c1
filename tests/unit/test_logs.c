/*
 * test_logs.c - the log readers (sources, lines, tables) and the ProxyLogon
 * detectors, on inputs written here: CRLF, BOM, quoting, header changes,
 * ragged rows, NUL bytes, over-long lines, gzip (whole, truncated, bomb),
 * and the Test-ProxyLogon conditions with their near misses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/ref_split.h"
#include "common/testutil.h"
#include "core/alloc.h"
#include "logs/detect.h"
#include "logs/evtx.h"
#include "logs/known.h"
#include "logs/lines.h"
#include "logs/prefilter.h"
#include "logs/source.h"

static recorder rec;

static tu_fixture fx = {.each = TU_REC, .rec = &rec};

/* ---------------------------------------------------------------------- */
/* Lines and sources.                                                      */

static void test_lines_crlf_bom_nul_and_last_line(void **state)
{
  (void)state;
  static const char text[] = "\xEF\xBB\xBF#Fields: a\r\nx\0y\r\n\r\nlast";
  exh_span_source span;
  exh_source src;
  exh_source_span(&src, &span, (const uint8_t *)text, sizeof text - 1);
  exh_lines l;
  assert_int_equal(exh_lines_init(&l, src), EXHUNT_OK);
  const char *line;
  size_t len;
  bool cut;
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_int_equal(len, 13); /* BOM kept for the table to strip; CR dropped */
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_int_equal(len, 3);
  assert_memory_equal(line, "x\0y", 3);
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_int_equal(len, 0);
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_int_equal(len, 4);
  assert_int_equal(l.lineno, 4);
  assert_false(exh_lines_next(&l, &line, &len, &cut));
  exh_lines_free(&l);
}

static void test_lines_overlong_is_cut_and_skipped(void **state)
{
  (void)state;
  size_t big = EXH_MAX_LINE * 3 + 17;
  char *text = malloc(big + 16);
  memset(text, 'A', big);
  memcpy(text + big, "\nnext\n", 6);
  exh_span_source span;
  exh_source src;
  exh_source_span(&src, &span, (const uint8_t *)text, big + 6);
  exh_lines l;
  exh_lines_init(&l, src);
  const char *line;
  size_t len;
  bool cut;
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_true(cut);
  assert_int_equal(len, EXH_MAX_LINE);
  assert_true(exh_lines_next(&l, &line, &len, &cut));
  assert_false(cut);
  assert_int_equal(len, 4);
  assert_memory_equal(line, "next", 4);
  assert_int_equal(l.lineno, 2);
  assert_false(exh_lines_next(&l, &line, &len, &cut));
  exh_lines_free(&l);
  free(text);
}

static uint32_t xorshift(uint32_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

/* exh_count_lines against a line-by-line count: empty lines ("\n",
 * "\r\n") and one-byte lines at every offset around the 64-byte chunks,
 * at the start and at the end, and random mixes. */
static uint64_t ref_count_lines(const char *p, size_t n, uint64_t *empty)
{
  uint64_t lines = 0, e = 0;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] != '\n')
      continue;
    size_t len = i - start;
    e += len == 0 || (len == 1 && p[start] == '\r');
    lines++;
    start = i + 1;
  }
  *empty = e;
  return lines;
}

static void check_count(const char *p, size_t n)
{
  uint64_t e1, e2;
  uint64_t l1 = exh_count_lines(p, n, &e1), l2 = ref_count_lines(p, n, &e2);
  if (l1 != l2 || e1 != e2)
    fail_msg("%zu bytes: %llu lines %llu empty, want %llu and %llu", n, (unsigned long long)l1,
             (unsigned long long)e1, (unsigned long long)l2, (unsigned long long)e2);
}

static void test_count_lines(void **state)
{
  (void)state;
  static const char *const small[] = {"",       "\n",           "\r\n",        "a\n",
                                      "\n\n",   "a\r\n\r\n",    "ab\r\n\n",    "\r\r\n",
                                      "x\ny\n", "abc\n\r\n.\n", "\r\n\r\nab\n"};
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
    check_count(small[i], strlen(small[i]));
  char buf[512];
  /* lines of 40 bytes, with one empty or one-byte line moved over every
   * offset of the first three chunks */
  static const char *const odd[] = {"\n", "\r\n", "x\n", "\r\r\n"};
  for (size_t k = 0; k < 4; k++) {
    for (size_t at = 0; at < 200; at++) {
      size_t n = 0;
      while (n < at) {
        size_t len = at - n < 40 ? at - n : 40;
        memset(buf + n, 'r', len);
        n += len;
        buf[n - 1] = '\n';
      }
      size_t ol = strlen(odd[k]);
      memcpy(buf + n, odd[k], ol);
      n += ol;
      while (n < 300) {
        memset(buf + n, 'r', 39);
        n += 39;
        buf[n++] = '\n';
      }
      check_count(buf, n);
      check_count(buf, at + ol); /* the odd line last */
    }
  }
  uint32_t x = 99;
  for (int round = 0; round < 20000; round++) {
    size_t n = xorshift(&x) % 300;
    for (size_t i = 0; i < n; i++) {
      uint32_t r = xorshift(&x) % 64;
      buf[i] = r == 0 ? '\n' : r == 1 ? '\r' : (char)('a' + r % 26);
    }
    buf[n++] = '\n';
    check_count(buf, n);
  }
}

static size_t gzip_bytes(const void *in, size_t n, uint8_t *out, size_t cap)
{
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = (uInt)n;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
  size_t got = cap - zs.avail_out;
  deflateEnd(&zs);
  return got;
}

/* Reads everything from a gzip of `plain`, cut to `keep` bytes. */
static exhunt_err gunzip_all(const uint8_t *gz, size_t n, uint64_t *out_total)
{
  exh_span_source span;
  exh_source inner, src;
  exh_source_span(&inner, &span, gz, n);
  exh_gz_source g;
  assert_int_equal(exh_source_gzip(&src, &g, inner, 0, 0), EXHUNT_OK);
  uint8_t buf[4096];
  size_t got;
  exhunt_err err;
  *out_total = 0;
  do {
    err = src.read(src.ctx, buf, sizeof buf, &got);
    *out_total += got;
  } while (!err && got);
  exh_gz_end(&g);
  return err;
}

static void test_gzip_whole_truncated_and_bomb(void **state)
{
  (void)state;
  static char plain[200000];
  for (size_t i = 0; i < sizeof plain; i++)
    plain[i] = (char)('a' + (i * 7919) % 26);
  static uint8_t gz[400000];
  size_t n = gzip_bytes(plain, sizeof plain, gz, sizeof gz);
  assert_true(exh_is_gzip(gz, n));
  uint64_t total;
  assert_int_equal(gunzip_all(gz, n, &total), EXHUNT_OK);
  assert_int_equal(total, sizeof plain);
  /* cut in the middle: what could be decoded, then ETRUNCATED */
  assert_int_equal(gunzip_all(gz, n / 2, &total), EXHUNT_ETRUNCATED);
  assert_true(total > 0 && total < sizeof plain);
  /* a bomb: 64 MiB of zeros compress ~1000x */
  size_t zeros = 64u * 1024 * 1024;
  char *z = calloc(1, zeros);
  uint8_t *bomb = malloc(zeros / 100);
  size_t bn = gzip_bytes(z, zeros, bomb, zeros / 100);
  assert_int_equal(gunzip_all(bomb, bn, &total), EXHUNT_ELIMIT);
  assert_true(total < zeros);
  free(z);
  free(bomb);
  /* not gzip at all */
  static const uint8_t junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff};
  assert_int_equal(gunzip_all(junk, sizeof junk, &total), EXHUNT_ECORRUPT);
}

/* ---------------------------------------------------------------------- */
/* Tables.                                                                 */

static void test_csv_binding_and_quoting(void **state)
{
  (void)state;
  exh_table t;
  exh_table_init(&t, EXH_FMT_CSV);
  const char *hdr = "\xEF\xBB\xBF#Fields: DateTime,UserAgent,AnchorMailbox,HttpStatus";
  assert_int_equal(exh_table_line(&t, hdr, strlen(hdr)), EXH_LINE_META);
  const char *row = "2021-03-03T12:00:00.000Z,\"Mozilla, \"\"5.0\"\"\",ServerInfo~a]@x:444/y#,200";
  assert_int_equal(exh_table_line(&t, row, strlen(row)), EXH_LINE_RECORD);
  int ua = exh_table_col(&t, "useragent"); /* case-insensitive binding */
  exh_view v = exh_table_get(&t, ua);
  assert_int_equal(v.n, 14);
  assert_memory_equal(v.p, "Mozilla, \"5.0\"", 14);
  assert_false(t.ragged);
  /* ragged: a missing field reads as empty */
  const char *short_row = "2021-03-03T12:00:00Z,curl";
  exh_table_line(&t, short_row, strlen(short_row));
  assert_true(t.ragged);
  assert_int_equal(exh_table_get(&t, exh_table_col(&t, "HttpStatus")).n, 0);
  /* unbalanced quote: the rest of the line is the value, nothing read past it */
  const char *open_q = "2021,\"never closed,ServerInfo~";
  assert_int_equal(exh_table_line(&t, open_q, strlen(open_q)), EXH_LINE_RECORD);
  assert_int_equal(t.n_values, 2);
  exh_table_free(&t);

  /* a bare CSV header, no # lines */
  exh_table_init(&t, EXH_FMT_CSV);
  const char *bare = "DateTime,AnchorMailbox";
  assert_int_equal(exh_table_line(&t, bare, strlen(bare)), EXH_LINE_META);
  assert_int_equal(exh_table_col(&t, "AnchorMailbox"), 1);
  exh_table_free(&t);
}

/* The record splitters' fast paths (unquoted CSV in place, W3C 16 bytes
 * at a time) against the reference readings (common/ref_split.h), on
 * random lines of separators, quotes, NULs and high bytes, and past the
 * field cap. */
static void test_split_fast_paths(void **state)
{
  (void)state;
  static const char alphabet[] = {' ', ',', '"', 'a', 'B', '\0', '\xff', '-', '\r', ' ', ','};
  size_t cap = 4096;
  char *line = malloc(cap);
  uint32_t x = 12345;
  for (int round = 0; round < 4000; round++) {
    size_t n;
    if (round % 500 == 0) {
      /* more fields than the cap */
      n = 0;
      while (n + 2 < cap)
        line[n++] = 'f', line[n++] = round % 1000 ? ' ' : ',';
    } else {
      n = xorshift(&x) % 300;
      bool plain = round % 3 == 0; /* no quote at all: the CSV fast path */
      for (size_t i = 0; i < n; i++) {
        char c = alphabet[xorshift(&x) % sizeof alphabet];
        line[i] = plain && c == '"' ? 'q' : c;
      }
    }
    for (int f = 0; f < 2; f++) {
      exh_table_format fmt = f ? EXH_FMT_W3C : EXH_FMT_CSV;
      exh_table t;
      exh_table_init(&t, fmt);
      exh_table_split(&t, line, n);
      size_t nw = f ? ref_split_w3c(line, n) : ref_split_csv(line, n);
      if (t.n_values != nw)
        fail_msg("round %d format %d: %zu fields, want %zu", round, f, t.n_values, nw);
      for (size_t i = 0; i < nw; i++) {
        assert_int_equal(t.values[i].n, ref_fields[i].len);
        assert_memory_equal(t.values[i].p, ref_buf + ref_fields[i].start, ref_fields[i].len);
      }
      exh_table_free(&t);
    }
  }
  free(line);
}

static void test_w3c_header_changes_mid_file(void **state)
{
  (void)state;
  exh_table t;
  exh_table_init(&t, EXH_FMT_W3C);
  const char *h1 = "#Fields: date time cs-method cs-uri-stem sc-status";
  const char *r1 = "2021-03-03 12:00:00 POST /ecp/y.js 200";
  const char *h2 = "#Fields: date time c-ip cs-uri-stem cs-method sc-status";
  const char *r2 = "2021-03-03 12:00:01 203.0.113.9 /aspnet_client/a.aspx POST 200";
  exh_table_line(&t, h1, strlen(h1));
  exh_table_line(&t, r1, strlen(r1));
  assert_true(exh_view_eq(exh_table_get(&t, exh_table_col(&t, "cs-method")), "POST"));
  exh_table_line(&t, h2, strlen(h2));
  assert_int_equal(t.header_changes, 1);
  exh_table_line(&t, r2, strlen(r2));
  assert_true(
      exh_view_eq(exh_table_get(&t, exh_table_col(&t, "cs-uri-stem")), "/aspnet_client/a.aspx"));
  assert_int_equal(exh_table_get(&t, exh_table_col(&t, "cs-username")).n, 0);
  exh_table_free(&t);
}

static long long iso8601_of(const char *s)
{
  exh_view v = {s, strlen(s)};
  return exh_parse_iso8601(v);
}

static void test_iso8601(void **state)
{
  (void)state;
  exh_view a = {"2021-03-03T12:13:58.402Z", 24};
  assert_int_equal(exh_parse_iso8601(a), 1614773638);
  exh_view b = {"2021-13-03T00:00:00Z", 20};
  assert_int_equal(exh_parse_iso8601(b), EXHUNT_NO_TIME);
  exh_view c = {"2021-03", 7};
  assert_int_equal(exh_parse_iso8601(c), EXHUNT_NO_TIME);
  /* calendar arithmetic (no timegm): epoch, leap days, century rules */
  static const tu_case known[] = {
      {"1970-01-01T00:00:00Z", 0},          {"2000-02-29T23:59:59Z", 951868799},
      {"2000-03-01 00:00:00", 951868800},   {"2020-02-29T00:00:00Z", 1582934400},
      {"2100-03-01T00:00:00Z", 4107542400}, {"2038-01-19T03:14:08Z", 2147483648}};
  TU_CHECK_CASES(known, iso8601_of);
}

/* Zone offsets, fractions of any length, and what follows a time. The
 * expected values are from `date -u -d 2021-03-03T03:00:00Z +%s` etc. */
static void test_iso8601_offsets(void **state)
{
  (void)state;
  static const tu_case known[] = {
      /* 05:00 at +02:00 is 03:00Z, whatever the offset's spelling */
      {"2021-03-03T05:00:00.1234567+02:00", 1614740400},
      {"2021-03-03T05:00:00+0200", 1614740400},
      {"2021-03-03T05:00:00+02", 1614740400},
      {"2021-03-03T05:00+02:00", 1614740400},
      /* west of UTC, with minutes: 05:00 - (-05:30) = 10:30Z */
      {"2021-03-03T05:00:00.5-05:30", 1614767400},
      /* the offset moves the date back: 01:15+02:00 is 23:15Z the day before */
      {"2021-03-03T01:15:00.123456789+02:00", 1614726900},
      /* EVTX SystemTime (7 fraction digits), "Z", and no zone at all (UTC) */
      {"2021-03-03T05:00:00.1234567Z", 1614747600},
      {"2021-03-03T05:00:00.1234567z", 1614747600},
      {"2021-03-03T05:00:00", 1614747600},
      {"2021-03-03T05:00:00+00:00", 1614747600},
      /* the rest of a CSV or W3C line after the time is not a zone */
      {"2021-03-03T05:00:00.402Z,EX01,ECP", 1614747600},
      {"2021-03-03 05:00:00 10.0.0.1 GET /owa/ - 443", 1614747600},
      {"2021-03-03T05:00:00,EX01", 1614747600},
      {"2021-03-03", 1614729600},
      /* a signed suffix that is no offset: the time cannot be placed */
      {"2021-03-03T05:00:00+2:00", EXHUNT_NO_TIME},
      {"2021-03-03T05:00:00+25:00", EXHUNT_NO_TIME},
      {"2021-03-03T05:00:00+02:60", EXHUNT_NO_TIME},
      {"2021-03-03T05:00:00+02:000", EXHUNT_NO_TIME},
      {"2021-03-03T05:00:00-", EXHUNT_NO_TIME},
      /* before the epoch once the offset is applied */
      {"1970-01-01T00:30:00+01:00", EXHUNT_NO_TIME},
  };
  TU_CHECK_CASES(known, iso8601_of);
}

/* ---------------------------------------------------------------------- */
/* Whole logs through exhunt_logs_buffer.                                  */

static size_t scan_log(const char *path, const char *text)
{
  exhunt_sink sink = rec_sink(&rec);
  sink.on_coverage = tu_ignore_coverage;
  size_t before = rec.n_findings;
  assert_int_equal(exhunt_logs_buffer(path, (const uint8_t *)text, strlen(text), &sink), EXHUNT_OK);
  return rec.n_findings - before;
}

#define HP_HEADER                                                                                  \
  "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2106.002\r\n#Log-type: HttpProxy "      \
  "Logs\r\n#Fields: DateTime,ClientIpAddress,UrlStem,AnchorMailbox,UserAgent,HttpStatus\r\n"

static void test_ssrf_classification(void **state)
{
  (void)state;
  const char *log = HP_HEADER
      /* client A: autodiscover SSRF only -> attempted */
      "2021-03-03T01:00:00Z,198.51.100.7,/ecp/x.js,ServerInfo~a]@srv:444/autodiscover/"
      "autodiscover.xml?#,python,200\r\n"
      /* client B: SSRF that reaches /ecp/ -> the chain, exploited */
      "2021-03-03T01:00:01Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/autodiscover/"
      "autodiscover.xml?#,python,200\r\n"
      "2021-03-03T01:00:02Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/ecp/proxyLogon.ecp?#,"
      "python,241\r\n"
      /* scanner probe */
      "2021-03-03T01:00:03Z,192.0.2.200,/ecp/z.js,ServerInfo~localhost/owa/?#,nmap,500\r\n"
      /* case does not hide the SSRF (Test-ProxyLogon's -like is case-insensitive,
       * and so must be the literal prefilter in front of the detectors) */
      "2021-03-03T01:00:06Z,203.0.113.47,/ecp/y.js,sErVeRiNfO~a]@srv:444/ecp/x.ecp?#,python,"
      "200\r\n"
      /* near misses: no slash; another routing key */
      "2021-03-03T01:00:04Z,192.0.2.9,/owa/,ServerInfo~srv,Mozilla,200\r\n"
      "2021-03-03T01:00:05Z,192.0.2.9,/owa/,Smtp~user@contoso.com,Mozilla,200\r\n";
  assert_int_equal(scan_log("/ev/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030301-1.LOG", log), 5);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_26855_attempt", 1, "exhunt.log.cve_2021_26855_ssrf",
                   3, "exhunt.log.proxylogon_probe", 1, NULL);
  for (size_t i = 0; i < rec.n_findings; i++) {
    /* log findings, each with the step its rule declares: the hold-back's
     * downgrade to an attempt changes the step with the rule */
    assert_int_equal(rec.findings[i].kind, EXHUNT_FINDING_LOG);
    if (strcmp(rec.findings[i].rule, "exhunt.log.cve_2021_26855_attempt") == 0) {
      assert_int_equal(rec.findings[i].severity, EXHUNT_SEV_MEDIUM);
      assert_int_equal(rec.findings[i].step, EXHUNT_STEP_ATTEMPT);
    }
    if (strcmp(rec.findings[i].rule, "exhunt.log.cve_2021_26855_ssrf") == 0)
      assert_int_equal(rec.findings[i].step, EXHUNT_STEP_SSRF);
    if (strcmp(rec.findings[i].rule, "exhunt.log.proxylogon_probe") == 0) {
      assert_int_equal(rec.findings[i].severity, EXHUNT_SEV_LOW);
      assert_int_equal(rec.findings[i].step, EXHUNT_STEP_PROBE);
    }
  }
}

/* Every log rule declares the step its records show (none is left to the
 * story's "other") and what its artifact holds; ids are unique. The story
 * tells a Set-*VirtualDirectory row from a reset row by its SCRIPT. */
static void test_rule_table(void **state)
{
  (void)state;
  size_t scripts = 0;
  for (size_t i = 0; i < EXH_RULE_COUNT; i++) {
    const exh_log_rule *r = &exh_log_rules[i];
    assert_non_null(r->id);
    assert_int_equal(strncmp(r->id, "exhunt.", 7), 0);
    assert_int_not_equal(r->step, EXHUNT_STEP_NONE);
    assert_int_not_equal(r->artifact, EXHUNT_ARTIFACT_NONE);
    for (size_t k = 0; k < i; k++)
      assert_string_not_equal(exh_log_rules[k].id, r->id);
    if (r->artifact == EXHUNT_ARTIFACT_SCRIPT) {
      assert_int_equal(r->step, EXHUNT_STEP_VDIR_RESET);
      scripts++;
    }
  }
  assert_int_equal(scripts, 1);
  assert_string_equal(exh_log_rules[EXH_RULE_26857_UM].id, "exhunt.log.cve_2021_26857_um");
  assert_int_equal(exh_log_rules[EXH_RULE_26857_UM].step, EXHUNT_STEP_ATTEMPT);
}

/* A log of a few MB read buffer by buffer: SSRF rows placed at and around
 * the buffer boundaries are all found, with their exact line numbers. */
static void test_block_reader_boundaries(void **state)
{
  (void)state;
  size_t cap = 4u * 1024 * 1024;
  char *log = malloc(cap);
  size_t n = (size_t)snprintf(log, cap, "%s", HP_HEADER);
  uint64_t line = 4; /* the header's lines */
  uint64_t want[64];
  size_t n_want = 0;
  for (int i = 0; n + 512 < cap - 4096; i++) {
    line++;
    /* every 1000th row, and rows near multiples of 128 KiB, are attacks */
    bool attack = i % 1000 == 7 || (n % (128u * 1024) > 128u * 1024 - 300);
    if (attack && n_want < 64) {
      want[n_want++] = line;
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-03T01:%02d:%02dZ,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/"
                            "ecp/proxyLogon.ecp?#,python,241\r\n",
                            (i / 60) % 60, i % 60);
    } else {
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-03T01:%02d:%02dZ,192.0.2.%d,/owa/,Smtp~user%d@contoso.com,"
                            "Mozilla/5.0 (Windows NT 10.0; Win64; x64),200\r\n",
                            (i / 60) % 60, i % 60, i % 250, i);
    }
  }
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(
      exhunt_logs_buffer("/ev/HttpProxy/Ecp/HttpProxy_1.LOG", (const uint8_t *)log, n, &sink),
      EXHUNT_OK);
  assert_int_equal(rec.n_findings, n_want);
  for (size_t i = 0; i < n_want; i++)
    assert_int_equal(rec.findings[i].line, want[i]);
  assert_true(n_want > 10);
  free(log);
}

static void test_csv_ends_in_quote(void **state)
{
  (void)state;
  static const struct {
    const char *line;
    bool in_quote, want;
  } cases[] = {
      {"a,b,c", false, false},       {"a,\"b", false, true}, /* opens, line ends inside */
      {"a,\"b\",c", false, false},                           /* opens and closes */
      {"a,\"b\"\"", false, true},                            /* "" is a quote: still open */
      {"a,\"b\"\"\"", false, false},                         /* quote, then the close */
      {"a,b\"c,d", false, false},                            /* mid-field quote is a byte */
      {"a,\"b\"x\"y", false, false},                   /* junk after the close, not reopened */
      {"\"", false, true},           {"", true, true}, /* an empty line inside a value */
      {"rest\",200", true, false},                     /* the value closes on this line */
      {"rest\"\",200", true, true},                    /* "" again: still inside */
      {"rest\",\"more", true, true},                   /* closes, then a new value opens */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_int_equal(exh_csv_ends_in_quote(cases[i].line, strlen(cases[i].line), cases[i].in_quote),
                     cases[i].want);
  /* Random lines of quotes, commas and letters against a byte-at-a-time
   * reading of the same rules. */
  unsigned seed = 12345;
  char line[64];
  for (int round = 0; round < 20000; round++) {
    size_t n = (size_t)(round % 40);
    for (size_t i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      line[i] = "\",a"[(seed >> 16) % 3];
    }
    bool start = round & 1, in_quote = start, field_start = !start;
    for (size_t i = 0; i < n; i++) {
      if (in_quote) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"')
            i++;
          else
            in_quote = false;
        }
      } else if (line[i] == ',') {
        field_start = true;
      } else {
        if (line[i] == '"' && field_start)
          in_quote = true;
        field_start = false;
      }
    }
    assert_int_equal(exh_csv_ends_in_quote(line, n, start), in_quote);
  }
}

static uint64_t cov_records;

static void on_coverage_records(void *ctx, const exhunt_coverage *c)
{
  (void)ctx;
  if (strcmp(c->family, "exchange-httpproxy") == 0)
    cov_records = c->records;
}

/* RFC 4180: a quoted value may hold a line break, so a record spans lines.
 * In a log big enough for the buffer-at-once path: the needle in a record's
 * first line, in its second, a record of three lines, and a quote that
 * never closes (read line by line after EXH_MAX_RECORD_LINES lines, with a
 * note), each followed by ordinary attack rows whose line numbers must stay
 * right. */
static void test_csv_quoted_newlines(void **state)
{
  (void)state;
  size_t cap = 2u * 1024 * 1024;
  char *log = malloc(cap);
  size_t n = (size_t)snprintf(log, cap, "%s", HP_HEADER);
  uint64_t line = 4, records = 0, unbalanced_line = 0;
  uint64_t want[16];
  size_t n_want = 0;
  for (int i = 0; i < 12000; i++) {
    line++;
    records++;
    const char *attack = NULL;
    int lines_taken = 1;
    switch (i) {
    case 1500: /* needle in line 1, status in line 2 */
      attack = "2021-03-03T01:00:01Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/ecp/a.ecp?#,"
               "\"python\r\nrequests\",200\r\n";
      lines_taken = 2;
      break;
    case 3000: /* needle in line 2 */
      attack = "2021-03-03T01:00:02Z,203.0.113.47,\"/ecp/\r\ny.js\",ServerInfo~b]@srv:444/ecp/"
               "b.ecp?#,python,200\r\n";
      lines_taken = 2;
      break;
    case 4500: /* three lines, an empty one in the middle */
      attack = "2021-03-03T01:00:03Z,203.0.113.47,/ecp/y.js,ServerInfo~c]@srv:444/ecp/c.ecp?#,"
               "\"py\r\n\r\nthon\",200\r\n";
      lines_taken = 3;
      break;
    case 6000: /* a quote that never closes, on a line with a needle */
      unbalanced_line = line;
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-03T01:00:04Z,198.51.100.9,/owa/,\"ServerInfo~x]@srv:444/"
                            "ecp/x.ecp?#,Mozilla,200\r\n");
      continue;
    case 2000:
    case 3500:
    case 6500: /* inside the unbalanced record's lines */
    case 8000:
      attack = "2021-03-03T01:00:05Z,203.0.113.47,/ecp/y.js,ServerInfo~d]@srv:444/ecp/d.ecp?#,"
               "python,200\r\n";
      break;
    default:
      break;
    }
    if (attack) {
      want[n_want++] = line;
      n += (size_t)snprintf(log + n, cap - n, "%s", attack);
      line += (uint64_t)(lines_taken - 1);
    } else {
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-03T01:%02d:%02dZ,192.0.2.%d,/owa/,Smtp~user%d@contoso.com,"
                            "Mozilla/5.0 (Windows NT 10.0; Win64; x64),200\r\n",
                            (i / 60) % 60, i % 60, i % 250, i);
    }
  }
  assert_true(n < cap);
  exhunt_sink sink = rec_sink(&rec);
  sink.on_coverage = on_coverage_records;
  assert_int_equal(
      exhunt_logs_buffer("/ev/HttpProxy/Ecp/HttpProxy_1.LOG", (const uint8_t *)log, n, &sink),
      EXHUNT_OK);
  /* What the unbalanced line itself shows is not the point here (its
   * AnchorMailbox takes the rest of the line); every other finding is
   * one of the attack rows, at its first line. */
  size_t k = 0;
  for (size_t i = 0; i < rec.n_findings; i++) {
    if (rec.findings[i].line == unbalanced_line)
      continue;
    assert_true(k < n_want);
    assert_int_equal(rec.findings[i].line, want[k]);
    assert_string_equal(rec.findings[i].rule, "exhunt.log.cve_2021_26855_ssrf");
    k++;
  }
  assert_int_equal(k, n_want);
  /* joined records count once; the unbalanced one's lines each count */
  assert_int_equal(cov_records, records);
  assert_int_equal(rec_count_what(&rec, "unbalanced-quote"), 1);
  free(log);
}

/* The ECP Server log: a Set-*VirtualDirectory whose script value holds a
 * line break is one record; neither of its lines alone shows both the
 * cmdlet and the markup. */
static void test_ecp_server_multiline_record(void **state)
{
  (void)state;
  const char *log =
      "#Software: Microsoft Exchange Server\r\n#Log-type: ECP Server Log\r\n"
      "#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
      "2021-03-03T12:14:12Z,EX,ECP.Request,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://"
      "f/\r\n<script language=\"\"JScript\"\" runat=\"\"server\"\">eval(Request[\"\"x\"\"])</"
      "script>'.Identity='1';S:REQID=\"\r\n"
      "2021-03-03T12:20:00Z,EX,ECP.Request,S:CMD=Set-OwaVirtualDirectory.ExternalUrl='https://"
      "mail.contoso.com/owa'.Identity='2'\r\n";
  assert_int_equal(scan_log("/ev/Logging/ECP/Server/ECPServer20210303-1.LOG", log), 1);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_set_vdir", 1, NULL);
  assert_int_equal(rec.findings[0].line, 4);
}

/* ---------------------------------------------------------------------- */
/* The Hyperscan prefilter against the detectors' own scanners.            */

typedef struct line_marks {
  const char *buf;
  bool *mark; /* per byte offset of a line start */
} line_marks;

static bool mark_line(void *ctx, const char *at)
{
  line_marks *m = ctx;
  const char *s = at;
  while (s > m->buf && s[-1] != '\n')
    s--;
  m->mark[s - m->buf] = true;
  return true;
}

/* Lines made of needles, their near misses and hostile bytes, joined by
 * the bytes the needles' checks stop at. */
static size_t needle_soup(char *buf, size_t cap, uint32_t seed)
{
  static const char *const parts[] = {
      "ServerInfo~a]@srv:444/ecp/x.ecp?#", "sErVeRiNfO~", "serverinfo", "ServerInfo~srv",
      "Server~host/path~1", "server~fqdn~ver~t", "SERVER~a,b/", "Server~x\r/", "server~/",
      "Server~", "json", "JSON", "jSo", "powershell", "POWERSHEL", "PowerShell", "aspnet_client",
      "ASPNET_CLIEN", "/auth/", "/AUTH", "/ecp/y.js", "/ECP/ab.JS", "/ecp/abcd.js", "/ecp/1.js",
      "/ecp/.js", "/ecp/y.j", "/ecp/abc.js", "&port=", "&PORT", "~", "/", ",", ".", "#", "\r", "\0",
      "\xff", "x", "Smtp~user@contoso.com", "/ecp/", "/ecp/y",
      /* what the needles' line checks read */
      "autodiscover.json", "/Autodiscover.JSON", "autodiscover.", "/mapi/nspi", "/EWS", "X-Rps-CAT",
      "Email=autodiscover/autodiscover.json", "@", ",@", " @", " ", "\"", "/owa/", "/OWA/",
      "/PowerShell", "logon.aspx", "x.aspx", "s.ASHX", ".asp", "localhost", ",ServerInfo~localhost",
      ",ServerInfo~h/p", "/owa/auth/", "/owa/auth/LogOn.aspx", "/ecp/auth/s.aspx"};
  uint32_t x = seed;
  size_t n = 0;
  while (n + 256 < cap) {
    int k = (int)(xorshift(&x) % 5);
    for (int i = 0; i < k; i++) {
      const char *part = parts[xorshift(&x) % (sizeof parts / sizeof parts[0])];
      size_t len = part[0] ? strlen(part) : 1; /* "\0" is one NUL byte */
      memcpy(buf + n, part, len);
      n += len;
    }
    switch (xorshift(&x) % 4) {
    case 0:
      buf[n++] = '\r';
      buf[n++] = '\n';
      break;
    case 1:
      buf[n++] = '\n';
      break;
    default:
      break; /* the next parts join this line */
    }
  }
  buf[n++] = '\n';
  /* a '#' starting a line is a metadata line, which the scan stops at */
  for (size_t i = 1; i < n; i++)
    if (buf[i] == '#' && buf[i - 1] == '\n')
      buf[i] = 'x';
  return n;
}

/* Hyperscan must find exactly the lines the detectors' scanners find
 * (exh_row_may_match line by line, exh_block_scan over the buffer): a
 * line it missed would be a missed detection. */
static void test_prefilter_mirrors_block_scan(void **state)
{
  (void)state;
  exh_prefilter *pf = exh_prefilter_new();
  if (!pf)
    skip(); /* no SSSE3: the engine uses exh_block_scan alone */
  exh_prefilter_scratch *s = exh_prefilter_scratch_new(pf);
  assert_non_null(s);
  size_t cap = 256 * 1024;
  char *buf = malloc(cap);
  bool *want = calloc(cap, 1), *hs = calloc(cap, 1), *block = calloc(cap, 1);
  static const exh_log_family fams[] = {EXH_FAM_HTTPPROXY, EXH_FAM_IIS};
  for (uint32_t seed = 1; seed <= 40; seed++) {
    size_t n = needle_soup(buf, cap, seed * 2654435761u);
    for (size_t f = 0; f < 2; f++) {
      memset(want, 0, n);
      memset(hs, 0, n);
      memset(block, 0, n);
      size_t lines = 0, hits = 0;
      for (size_t at = 0; at < n;) {
        const char *nl = memchr(buf + at, '\n', n - at);
        size_t len = (size_t)(nl - (buf + at));
        size_t row = len && buf[at + len - 1] == '\r' ? len - 1 : len;
        want[at] = exh_row_may_match(fams[f], buf + at, row);
        hits += want[at];
        lines++;
        at += len + 1;
      }
      line_marks mh = {buf, hs}, mb = {buf, block};
      exh_prefilter_result res = exh_prefilter_scan(pf, s, fams[f], buf, n, mark_line, &mh);
      assert_int_equal(res, EXH_PF_DONE);
      exh_block_scan(fams[f], buf, n, mark_line, &mb);
      for (size_t i = 0; i < n; i++) {
        if (want[i] != hs[i] || want[i] != block[i])
          fail_msg("seed %u family %zu line at %zu: row %d hyperscan %d block %d: %.60s", seed, f,
                   i, want[i], hs[i], block[i], buf + i);
      }
      assert_true(hits > 0 && hits < lines);
    }
  }
  free(buf);
  free(want);
  free(hs);
  free(block);
  exh_prefilter_scratch_free(s);
  exh_prefilter_free(pf);
}

static bool take_one(void *ctx, const char *at)
{
  (void)at;
  return ++*(int *)ctx < 1;
}

/* A '#' at the start of any line but the first stops the scan (the engine
 * reads that buffer line by line), even after the hit callback stopped. */
static void test_prefilter_meta_lines(void **state)
{
  (void)state;
  exh_prefilter *pf = exh_prefilter_new();
  if (!pf)
    skip();
  exh_prefilter_scratch *s = exh_prefilter_scratch_new(pf);
  static const char mid[] =
      "a,/autodiscover.json/mapi/nspi\nb,/autodiscover.json/mapi/nspi\n#Fields: DateTime\nc\n";
  static const char inline_hash[] = "a,/ecp/y.js#x,json\r\nb#\r\n";
  static const char first[] = "#Fields: x\nb\n";
  int taken = 0;
  assert_int_equal(
      exh_prefilter_scan(pf, s, EXH_FAM_HTTPPROXY, mid, sizeof mid - 1, take_one, &taken),
      EXH_PF_META);
  assert_int_equal(taken, 1);
  taken = 0;
  assert_int_equal(
      exh_prefilter_scan(pf, s, EXH_FAM_IIS, inline_hash, sizeof inline_hash - 1, take_one, &taken),
      EXH_PF_DONE);
  assert_int_equal(taken, 1);
  taken = 0;
  assert_int_equal(
      exh_prefilter_scan(pf, s, EXH_FAM_IIS, first, sizeof first - 1, take_one, &taken),
      EXH_PF_DONE);
  assert_int_equal(taken, 0);
  /* a family without a database */
  assert_int_equal(
      exh_prefilter_scan(pf, s, EXH_FAM_OABGEN, first, sizeof first - 1, take_one, &taken),
      EXH_PF_UNAVAILABLE);
  exh_prefilter_scratch_free(s);
  exh_prefilter_free(pf);
}

/* The needles' line checks turn ordinary traffic away before a row is
 * split (Outlook's autodiscover.json, OWA logons and resources, the
 * Management Shell, ECP's own ServerInfo~ cookie) and keep every attack
 * form, in the row reader, over a buffer of lines, and through Hyperscan. */
static void test_needle_line_checks(void **state)
{
  (void)state;
  static const struct {
    exh_log_family fam;
    const char *row;
    bool may_match;
  } cases[] = {
      /* HttpProxy (CSV): ordinary */
      {EXH_FAM_HTTPPROXY,
       "2021-03-01T12:00:58.873Z,b361,15,1,2106,2,,Autodiscover,mail.contoso.com,"
       "/autodiscover/autodiscover.json/v1.0/ivan@contoso.com,,Negotiate,false,,,"
       "Smtp~ivan@contoso.com,Apple-iPhone13C2/1805.114,192.0.2.170,EX01,200,200,,GET,Proxy,"
       "?Protocol=ActiveSync&RedirectCount=1",
       false},
      {EXH_FAM_HTTPPROXY,
       "2021-03-01T12:01:00.000Z,c1,15,1,2106,2,,Ecp,mail.contoso.com,/ecp/default.aspx,,"
       "Negotiate,true,CONTOSO\\bob,,ServerInfo~ex01.contoso.local,Mozilla/5.0,192.0.2.9,EX01,"
       "200,200,,GET,Proxy,",
       false},
      {EXH_FAM_HTTPPROXY, "x,ServerInfo~ex01.contoso.local/,y", true},
      /* HttpProxy: attacks */
      {EXH_FAM_HTTPPROXY,
       "2021-03-03T08:00:00Z,r1,15,1,2106,2,,Ecp,ex01,/ecp/y.js,,,false,,,"
       "ServerInfo~a]@ex01.contoso.local:444/ecp/proxyLogon.ecp#,ExchangeServicesClient/0.0.0.0,"
       "203.0.113.47,EX01,241,241",
       true},
      {EXH_FAM_HTTPPROXY, "t,r,Ecp,/ecp/y.js,ServerInfo~localhost~1942062522,nmap,200", true},
      {EXH_FAM_HTTPPROXY, "t,ServerInfo~localhost,200", true},
      {EXH_FAM_HTTPPROXY,
       "t,r,Autodiscover,/autodiscover/autodiscover.json,"
       "?@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3f@evil.com,python,200",
       true},
      {EXH_FAM_HTTPPROXY, "t,/autodiscover/autodiscover.json,@evil.com/x,200", true},
      {EXH_FAM_HTTPPROXY, "t,/owa/m@outlook.com/powershell,,200", true},
      /* quoted values: read through their quotes when the row is regular;
       * otherwise (bytes after a closing quote, an odd number of quotes as
       * in a line of a record that spans lines) the row is taken whole */
      {EXH_FAM_HTTPPROXY,
       "t,/autodiscover/autodiscover.json,\"Mozilla/5.0 (KHTML, like \"\"Gecko\"\")\",200", false},
      {EXH_FAM_HTTPPROXY, "t,/autodiscover/autodiscover.json,\"@evil.com/x\",200", true},
      {EXH_FAM_HTTPPROXY, "t,ServerInfo~ex01,\"a,b/c\",200", false},
      {EXH_FAM_HTTPPROXY, "t,\"a,ServerInfo~ex01\",200", false},
      {EXH_FAM_HTTPPROXY, "t,\"ServerInfo~ex01,x\",200", true},
      {EXH_FAM_HTTPPROXY, "t,\"/autodiscover/autodiscover.json\"x,/mapi/nspi,200", true},
      {EXH_FAM_HTTPPROXY, "t,\"/autodiscover/autodiscover.json\"x,200", true},
      {EXH_FAM_HTTPPROXY, "t,/autodiscover/autodiscover.json,\"start of a value", true},
      {EXH_FAM_HTTPPROXY, "end of a value\",/autodiscover/autodiscover.json,200", true},
      /* IIS (W3C): ordinary */
      {EXH_FAM_IIS,
       "2021-03-04 00:00:01 10.0.0.5 GET /autodiscover/autodiscover.json "
       "Email=ines%40contoso.com&Protocol=ActiveSync 443 - 192.0.2.1 Outlook - 200 0 0 15",
       false},
      {EXH_FAM_IIS,
       "2021-03-04 00:00:02 10.0.0.5 GET /owa/auth/logon.aspx "
       "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0 443 - 192.0.2.1 Mozilla/5.0 - 200 0 0 "
       "9",
       false},
      {EXH_FAM_IIS,
       "2021-03-04 00:00:03 10.0.0.5 GET /owa/auth/15.1.2106/themes/resources/favicon.ico - 443 - "
       "192.0.2.1 Mozilla/5.0 - 200 0 0 1",
       false},
      {EXH_FAM_IIS,
       "2021-03-04 00:00:04 10.0.0.5 POST /PowerShell/ "
       "serializationLevel=Full;clientApplication=ManagementShell 80 CONTOSO\\admin 10.0.0.6 "
       "Microsoft+WinRM+Client - 200 0 0 30",
       false},
      /* IIS: attacks */
      {EXH_FAM_IIS,
       "2021-08-13 10:00:00 10.0.0.5 GET /autodiscover/autodiscover.json "
       "@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com 443 - 198.51.100.7 "
       "python-requests/2.25 - 200 0 0 5",
       true},
      {EXH_FAM_IIS, "d t GET /autodiscover/autodiscover.json @evil.com/x 443 - 1.2.3.4 ua - 200",
       true},
      {EXH_FAM_IIS,
       "d t POST /autodiscover/autodiscover.json Email=autodiscover/autodiscover.json%3f@evil.com&"
       "Protocol=XYZ&FooProtocol=Powershell 443 - 1.2.3.4 ua - 200",
       true},
      {EXH_FAM_IIS, "d t POST /owa/mastermailbox%40outlook.com/powershell - 443 - 1.2.3.4 ua - 200",
       true},
      {EXH_FAM_IIS, "d t POST /owa/auth/shell.aspx - 443 - 1.2.3.4 ua - 200", true},
      {EXH_FAM_IIS, "d t GET /ecp/auth/x.ASHX - 443 - 1.2.3.4 ua - 200", true},
      {EXH_FAM_IIS, "d t POST /owa/auth/LogOn.aspx - 443 - 1.2.3.4 ua - 200", false},
      /* IIS: a web-shell tunnel's data requests are no needle (the engine
       * looks for the script a connect named, in the rest of the file);
       * and ordinary traffic holding the same words */
      {EXH_FAM_IIS, "d t POST /erp/conn.aspx proxy 80 - 10.0.2.17 - - 200 0 0 4", false},
      {EXH_FAM_IIS, "d t POST /tunnel.ashx cmd=read 443 - 1.2.3.4 ua - 200", false},
      {EXH_FAM_IIS,
       "d t POST /Microsoft-Server-ActiveSync/Proxy/default.eas "
       "Cmd=Sync&User=bob&DeviceId=X&DeviceType=iPhone 443 - 1.2.3.4 Apple-iPhone - 200",
       false},
      {EXH_FAM_IIS, "d t GET /owa/auth/RedirSuiteServiceProxy.aspx - 443 - 1.2.3.4 ua - 200",
       false},
      {EXH_FAM_IIS, "d t GET /erp/conn.aspx proxy&port=3389&ip=127.0.0.1 80 - 1.2.3.4 - - 200",
       true},
  };
  exh_prefilter *pf = exh_prefilter_new();
  exh_prefilter_scratch *s = pf ? exh_prefilter_scratch_new(pf) : NULL;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *row = cases[i].row;
    size_t len = strlen(row);
    if (exh_row_may_match(cases[i].fam, row, len) != cases[i].may_match)
      fail_msg("case %zu: row check %d, want %d: %s", i, !cases[i].may_match, cases[i].may_match,
               row);
    /* the same row among others in a buffer, CRLF ended */
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "a b c\r\n%s\r\nd e f\r\n", row);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    bool *mark = calloc((size_t)n, 1);
    line_marks m = {buf, mark};
    exh_block_scan(cases[i].fam, buf, (size_t)n, mark_line, &m);
    assert_int_equal(mark[7], cases[i].may_match);
    if (s) {
      memset(mark, 0, (size_t)n);
      assert_int_equal(exh_prefilter_scan(pf, s, cases[i].fam, buf, (size_t)n, mark_line, &m),
                       EXH_PF_DONE);
      if (mark[7] != cases[i].may_match)
        fail_msg("case %zu: Hyperscan %d, want %d: %s", i, mark[7], cases[i].may_match, row);
    }
    free(mark);
  }
  exh_prefilter_scratch_free(s);
  exh_prefilter_free(pf);
}

/* The buffer reader's edges: a hit on the first record line and on a last
 * line without a newline, CRLF and LF mixed, empty lines, a #Fields line in
 * the middle (read line by line), near misses; exact line numbers. */
static void test_block_reader_edges(void **state)
{
  (void)state;
  const char *log = HP_HEADER
      /* 5 */
      "2021-03-03T01:00:00Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@s:444/ecp/a.ecp?#,p,241\r\n"
      /* 6 */ "2021-03-03T01:00:01Z,192.0.2.9,/owa/,Smtp~u@contoso.com,Mozilla,200\n"
      /* 7 */ "\r\n"
      /* 8 */ "\n"
      /* 9 */ "2021-03-03T01:00:02Z,192.0.2.9,/owa/,ServerInfo~srv,Mozilla,200\r\n"
      /* 10 */ "2021-03-03T01:00:03Z,203.0.113.47,/ecp/y.js,SERVERINFO~a]@s:444/ecp/b.ecp?#,p,200\n"
      /* 11 */ "#Fields: DateTime,ClientIpAddress,UrlStem,AnchorMailbox,UserAgent,HttpStatus\r\n"
      /* 12 */ "2021-03-03T01:00:04Z,192.0.2.9,/owa/#x,Sid~S-1-5,Mozilla,200\r\n"
      /* 13 */ "2021-03-03T01:00:05Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@s:444/mapi/nspi,p,200\r\n"
      /* 14 */ "2021-03-03T01:00:06Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@s:444/ecp/c.ecp?#,p,200";
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_logs_buffer("/ev/HttpProxy/Ecp/HttpProxy_1.LOG", (const uint8_t *)log,
                                      strlen(log), &sink),
                   EXHUNT_OK);
  static const uint64_t want[] = {5, 10, 13, 14};
  assert_int_equal(rec.n_findings, 4);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(rec.findings[i].line, want[i]);
}

typedef struct iis_run {
  recorder r; /* first: the sink's ctx is &r */
  uint64_t records;
  int64_t first, last;
} iis_run;

static void keep_iis_coverage(void *ctx, const exhunt_coverage *c)
{
  iis_run *k = ctx;
  if (strcmp(c->family, "iis-w3c") == 0) {
    k->records = c->records;
    k->first = c->first;
    k->last = c->last;
  }
}

/* An IIS log of several buffers: hits every few hundred rows and around
 * the 128 KiB boundaries, empty lines ("\n", "\r\n") and one-byte lines
 * among the records, CRLF and LF: the findings' line numbers, the record
 * count and the first and last times are exact. */
static void test_iis_block_reader_counts(void **state)
{
  (void)state;
  size_t cap = 2u * 1024 * 1024;
  char *log = malloc(cap);
  size_t n = (size_t)snprintf(log, cap,
                              "#Software: Microsoft Internet Information Services 10.0\r\n"
                              "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip "
                              "cs(User-Agent) sc-status\r\n");
  uint64_t line = 2, records = 0;
  int64_t last = 0;
  uint64_t want[64];
  size_t n_want = 0;
  uint32_t x = 7;
  for (int i = 0; n + 512 < cap - 4096; i++) {
    line++;
    uint32_t r = xorshift(&x) % 200;
    const char *eol = r & 1 ? "\r\n" : "\n";
    if (r < 3) {
      n += (size_t)snprintf(log + n, cap - n, "%s", r == 0 ? "\n" : r == 1 ? "\r\n" : "x\n");
      records += r == 2;
      continue;
    }
    bool attack = i % 700 == 11 || (n % (128u * 1024) > 128u * 1024 - 200);
    records++;
    last = 1614816000 + (i / 3600) % 24 * 3600 + (i / 60) % 60 * 60 + i % 60;
    if (attack && n_want < 64) {
      want[n_want++] = line;
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-04 %02d:%02d:%02d POST /aspnet_client/x.aspx - 203.0.113.50 "
                            "python 200%s",
                            (i / 3600) % 24, (i / 60) % 60, i % 60, eol);
    } else {
      n += (size_t)snprintf(log + n, cap - n,
                            "2021-03-04 %02d:%02d:%02d GET /owa/ - 192.0.2.%d "
                            "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) 200%s",
                            (i / 3600) % 24, (i / 60) % 60, i % 60, i % 250, eol);
    }
  }
  iis_run *both = calloc(1, sizeof *both);
  exhunt_sink sink = rec_sink(&both->r);
  sink.on_coverage = keep_iis_coverage;
  assert_int_equal(exhunt_logs_buffer("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log",
                                      (const uint8_t *)log, n, &sink),
                   EXHUNT_OK);
  assert_true(n_want > 10);
  assert_int_equal(both->r.n_findings, n_want);
  for (size_t i = 0; i < n_want; i++)
    assert_int_equal(both->r.findings[i].line, want[i]);
  assert_int_equal(both->records, records);
  assert_int_equal(both->first, 1614816000); /* 2021-03-04 00:00:00 */
  assert_int_equal(both->last, last);
  free(both);
  free(log);
}

/* Coverage counts the days that hold records: a stray record dated months
 * after the others covers its own day, not the months between; a file of
 * several days covers each of them, through the block reader too (a file
 * larger than a block, its days changing inside blocks). */
typedef struct days_seen {
  uint32_t days;
  size_t n_spans;
  int64_t first_span_last, last_span_first;
} days_seen;

static void keep_days(void *ctx, const exhunt_coverage *c)
{
  days_seen *d = ctx;
  if (strcmp(c->family, "iis-w3c") != 0 || !c->present)
    return;
  d->days = c->days_covered;
  d->n_spans = c->n_days;
  d->first_span_last = c->n_days ? c->days[0].last : 0;
  d->last_span_first = c->n_days ? c->days[c->n_days - 1].first : 0;
}

static void test_coverage_days_from_records(void **state)
{
  (void)state;
  static const char stray[] = "#Software: Microsoft Internet Information Services 10.0\r\n"
                              "#Fields: date time cs-method cs-uri-stem c-ip sc-status\r\n"
                              "2021-01-03 00:00:01 GET /owa/ 192.0.2.1 200\r\n"
                              "2021-01-03 08:00:01 GET /owa/ 192.0.2.1 200\r\n"
                              "2021-01-03 23:59:00 GET /owa/ 192.0.2.1 200\r\n"
                              "2021-06-30 09:00:00 GET /owa/ 192.0.2.1 200\r\n";
  days_seen d = {0, 0, 0, 0};
  exhunt_sink full = {.ctx = &d,
                      .on_finding = tu_ignore_finding,
                      .on_notice = tu_ignore_notice,
                      .on_coverage = keep_days};
  assert_int_equal(exhunt_logs_buffer("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210103.log",
                                      (const uint8_t *)stray, sizeof stray - 1, &full),
                   EXHUNT_OK);
  assert_int_equal(d.days, 2);
  assert_int_equal(d.n_spans, 2);
  assert_int_equal(d.first_span_last, 1609632000); /* 2021-01-03 */
  assert_int_equal(d.last_span_first, 1625011200); /* 2021-06-30 */

  /* 3 MiB of records over five days, each day's records in a row: */
  size_t cap = 3u * 1024 * 1024 + 4096;
  char *log = malloc(cap);
  size_t n = (size_t)snprintf(log, cap,
                              "#Software: Microsoft Internet Information Services 10.0\r\n"
                              "#Fields: date time cs-method cs-uri-stem c-ip sc-status\r\n");
  for (int i = 0; n + 128 < cap - 4096; i++)
    n +=
        (size_t)snprintf(log + n, cap - n, "2021-03-0%d %02d:%02d:%02d GET /owa/ 192.0.2.9 200\r\n",
                         1 + (int)(n * 5 / (cap - 4096)), i / 3600 % 24, i / 60 % 60, i % 60);
  memset(&d, 0, sizeof d);
  assert_int_equal(exhunt_logs_buffer("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210301.log",
                                      (const uint8_t *)log, n, &full),
                   EXHUNT_OK);
  assert_int_equal(d.days, 5);
  assert_int_equal(d.n_spans, 1);
  free(log);
}

static void test_reset_vdir_parity(void **state)
{
  (void)state;
  const char *log =
      HP_HEADER "2021-03-03T01:00:00Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/ecp/DDI/"
                "DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#,python,200\r\n"
                /* the same with status 500: not the 27065 step */
                "2021-03-03T01:00:01Z,203.0.113.47,/ecp/y.js,ServerInfo~a]@srv:444/ecp/DDI/"
                "DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#,python,500\r\n";
  scan_log("/ev/Logging/HttpProxy/Ecp/HttpProxy_2021030301-1.LOG", log);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_reset_vdir", 1,
                   "exhunt.log.cve_2021_26855_ssrf", 1, NULL);
  /* the same rows in the Owa folder are SSRF only (Ecp folder per TPL) */
  memset(&rec, 0, sizeof rec);
  scan_log("/ev/Logging/HttpProxy/Owa/HttpProxy_2021030301-1.LOG", log);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_reset_vdir", 0, NULL);
}

static void test_ecp_server_set_vdir(void **state)
{
  (void)state;
  const char *log =
      "#Software: Microsoft Exchange Server\r\n#Log-type: ECP Server Log\r\n"
      "#Fields: TimeStamp,ServerName,EventId,EventData\r\n"
      "2021-03-03T12:14:12Z,EX,ECP.Request,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://"
      "f/<script language=\"\"JScript\"\" runat=\"\"server\"\">eval(Request[\"\"x\"\"])</"
      "script>'.Identity='1';S:REQID=\"\r\n"
      /* clean-up with $null and a later "<null>": not a script */
      "2021-03-03T12:14:21Z,EX,ECP.Request,S:CMD=Set-OabVirtualDirectory.ExternalUrl=$null."
      "Identity='1';S:TID=<null>;S:URL=/ecp/\r\n"
      /* an admin's legitimate change */
      "2021-03-03T12:20:00Z,EX,ECP.Request,S:CMD=Set-OwaVirtualDirectory.ExternalUrl='https://"
      "mail.contoso.com/owa'.Identity='2'\r\n";
  assert_int_equal(scan_log("/ev/Logging/ECP/Server/ECPServer20210303-1.LOG", log), 1);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_set_vdir", 1, NULL);
}

/* The case-insensitive search behind the ECP and OAB detectors: the first
 * occurrence wins whatever the case of each candidate, decoys of the first
 * byte in both cases come first, and a needle at the very end is found. */
static void test_ecp_line_case_and_decoys(void **state)
{
  (void)state;
  exh_log_hit hits[4];
  static const char line[] = "x,S,s,SE,sE,Se-,SET,sET-OabVIRTUALdirectory.u.URL='<ScRiPt>a</"
                             "SCRIPT>';S:REQID=x";
  assert_int_equal(exh_detect_ecp_line(line, sizeof line - 1, hits, 4), 1);
  assert_int_equal(hits[0].artifact.n, strlen("<ScRiPt>a</SCRIPT>"));
  assert_memory_equal(hits[0].artifact.p, "<ScRiPt>a</SCRIPT>", hits[0].artifact.n);
  /* "Set-" then one character at least, then VirtualDirectory: not here */
  static const char short_gap[] = "sEt-VirtualDirectory.Url='<script>'";
  assert_int_equal(exh_detect_ecp_line(short_gap, sizeof short_gap - 1, hits, 4), 0);
  static const char at_end[] = "SET-xVIRTUALDIRECTORY.url=<b>";
  assert_int_equal(exh_detect_ecp_line(at_end, sizeof at_end - 1, hits, 4), 1);
  static const char oab[] =
      "download failed and temporary file C:\\inetpub\\wwwroot\\aspnet_client\\"
      "s.aspx NEEDS TO BE REMOVED";
  assert_int_equal(exh_detect_oab_line(oab, sizeof oab - 1, hits, 4), 1);
  assert_int_equal(hits[0].artifact.n, strlen("C:\\inetpub\\wwwroot\\aspnet_client\\s.aspx"));
}

static void test_oabgenerator_write(void **state)
{
  (void)state;
  const char *log =
      "2021-03-03T12:15:00.000Z,Download failed and temporary file 'C:\\inetpub\\wwwroot\\"
      "aspnet_client\\shell.aspx' needs to be removed\r\n"
      "2021-03-03T12:16:00.000Z,Download failed and temporary file 'C:\\Program Files\\Microsoft"
      "\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\x.lzx' needs to be removed\r\n";
  assert_int_equal(scan_log("/ev/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG", log), 1);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_26858_oab_write", 1, NULL);
}

static void test_iis_shell_requests(void **state)
{
  (void)state;
  const char *log =
      "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
      "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) "
      "sc-status\r\n"
      "2021-03-03 12:13:58 192.0.2.25 POST /ecp/y.js - 203.0.113.47 python 200\r\n"
      "2021-03-03 12:18:03 192.0.2.25 POST /aspnet_client/system_web/Kx.aspx - 203.0.113.47 "
      "antSword 200\r\n"
      "2021-03-03 12:18:04 192.0.2.25 POST /owa/auth/RedirSuiteServerProxy.aspx - "
      "203.0.113.47 x 200\r\n"
      /* shipped page, failed request, static file: nothing */
      "2021-03-03 12:19:00 192.0.2.25 POST /owa/auth/logon.aspx - 198.51.100.23 Mozilla 200\r\n"
      "2021-03-03 12:19:01 192.0.2.25 POST /aspnet_client/gone.aspx - 203.0.113.47 x 404\r\n"
      "2021-03-03 12:19:02 192.0.2.25 GET /ecp/scripts/x.js - 198.51.100.23 Mozilla 200\r\n";
  assert_int_equal(scan_log("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", log), 3);
  rec_expect_rules(&rec, "exhunt.log.iis_ecp_js_ssrf", 1, "exhunt.log.iis_webshell_request", 2,
                   NULL);
}

static void test_family_by_content_and_hostile_bytes(void **state)
{
  (void)state;
  /* no telling path: the #Software line decides */
  const char *iis = "#Software: Microsoft Internet Information Services 10.0\n"
                    "#Fields: date time cs-method cs-uri-stem sc-status\n"
                    "2021-03-03 12:00:00 POST /aspnet_client/a.aspx 200\n";
  assert_int_equal(scan_log("/tmp/renamed.txt", iis), 1);
  /* a non-log gives nothing and no error */
  assert_int_equal(scan_log("/tmp/notes.log", "hello\nworld\n"), 0);
  /* NULs and invalid UTF-8 inside a record */
  static const char nul[] = HP_HEADER "2021-03-03T01:00:00Z,203.0.113.1,/ecp/y.js,"
                                      "ServerInfo~a]@s:444/mapi/\xff\x00x/?#,ua\x01,241\r\n";
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exhunt_logs_buffer("/ev/HttpProxy/Mapi/HttpProxy_1.LOG", (const uint8_t *)nul,
                                      sizeof nul - 1, &sink),
                   EXHUNT_OK);
  rec_expect_rules(&rec, "exhunt.log.cve_2021_26855_ssrf", 1, NULL);
}

/* The real, anonymised HttpProxy and ECP rows of HelseCERT's ProxyLogon
 * incident (../shared/research-data/datasets/helsecert/README.md), read as
 * they are published: a quoted bare CSV header, then the rows. */
static char *helsecert_block(const char *first_line_prefix, const char *must_contain,
                             bool stop_at_blank)
{
  FILE *f = fopen(EXHUNT_SHARED_DIR "/research-data/datasets/helsecert/README.md", "r");
  if (!f)
    return NULL;
  static char out[65536];
  size_t n = 0;
  bool in = false;
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    if (!in && strncmp(line, first_line_prefix, strlen(first_line_prefix)) == 0)
      in = true;
    if (!in)
      continue;
    if ((stop_at_blank && line[0] == '\n') || strncmp(line, "```", 3) == 0)
      break;
    if (must_contain && !strstr(line, must_contain))
      continue;
    size_t l = strlen(line);
    if (n + l >= sizeof out)
      break;
    memcpy(out + n, line, l);
    n += l;
  }
  fclose(f);
  out[n] = '\0';
  return n ? out : NULL;
}

static void test_real_helsecert_rows(void **state)
{
  (void)state;
  char *rows = helsecert_block("\"DateTime\",\"RequestId\"", NULL, true);
  if (!rows)
    skip();
  scan_log("/ev/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", rows);
  /* 11 SSRF rows from one client: the reset of the OAB virtual directory,
   * and every other row part of a chain that reached /ecp/ */
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_reset_vdir", 1,
                   "exhunt.log.cve_2021_26855_ssrf", 10, "exhunt.log.cve_2021_26855_attempt", 0,
                   NULL);
  for (size_t i = 0; i < rec.n_findings; i++)
    assert_int_equal(rec.findings[i].severity, EXHUNT_SEV_CRITICAL);

  memset(&rec, 0, sizeof rec);
  char *ecp = helsecert_block("#Log-type: ECP Server Log", "S:CMD=", false);
  if (!ecp)
    skip();
  scan_log("/ev/V15/Logging/ECP/Server/ECPServer20210303-1.LOG", ecp);
  /* two planted scripts; the two ExternalUrl=$null clean-ups are not */
  rec_expect_rules(&rec, "exhunt.log.cve_2021_27065_set_vdir", 2, NULL);
}

static void test_windows_events_json_variants(void **state)
{
  (void)state;
  const char *log =
      /* OTRF / Security-Datasets flat export: Sysmon process creation */
      "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"TimeCreated\":"
      "\"2021-03-14T01:40:10.000Z\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp."
      "exe\","
      "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami\"}\n"
      /* winlogbeat nesting: Security 4688, rundll32 comsvcs MiniDump from w3wp */
      "{\"@timestamp\":\"2021-03-14T01:41:00Z\",\"winlog\":{\"channel\":\"Security\",\"event_id\":"
      "4688,\"event_data\":{\"ParentProcessName\":\"c:\\\\windows\\\\system32\\\\inetsrv\\\\W3WP."
      "EXE\","
      "\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\rundll32.exe\",\"CommandLine\":\"rundll32 "
      "C:\\\\windows\\\\System32\\\\comsvcs.dll, MiniDump 612 C:\\\\temp\\\\l.dmp full\"}}}\n"
      /* Velociraptor shape: System.EventID.Value; ASP.NET compiling a page is normal */
      "{\"System\":{\"Channel\":\"Security\",\"EventID\":{\"Value\":4688}},\"EventData\":{"
      "\"ParentProcessName\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\","
      "\"NewProcessName\":"
      "\"C:\\\\Windows\\\\Microsoft.NET\\\\Framework64\\\\v4.0.30319\\\\csc.exe\"}}\n"
      /* file drops: a shell, and Exchange's own logon page during an update */
      "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":11,\"TargetFilename\":"
      "\"C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\system_web\\\\x.aspx\"}\n"
      "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":11,\"TargetFilename\":"
      "\"C:\\\\Program Files\\\\Microsoft\\\\Exchange Server\\\\V15\\\\FrontEnd\\\\HttpProxy\\\\owa"
      "\\\\auth\\\\logon.aspx\"}\n"
      /* ProxyShell export to a web path; a benign export to a share */
      "{\"Channel\":\"MSExchange Management\",\"EventID\":1,\"Message\":\"Cmdlet suceeded. Cmdlet "
      "New-MailboxExportRequest, parameters -Mailbox \\\"a\\\" -FilePath "
      "\\\"\\\\\\\\127.0.0.1\\\\c$\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\s.aspx\\\".\"}\n"
      "{\"Channel\":\"MSExchange Management\",\"EventID\":1,\"Message\":\"Cmdlet suceeded. Cmdlet "
      "New-MailboxExportRequest, parameters -FilePath \\\"\\\\\\\\fs\\\\pst\\\\a.pst\\\".\"}\n"
      /* CVE-2021-26857, and the same error from another provider */
      "{\"Channel\":\"Application\",\"SourceName\":\"MSExchange Unified "
      "Messaging\",\"Level\":\"2\","
      "\"EventID\":1001,\"Message\":\"System.InvalidCastException: Unable to cast\"}\n"
      "{\"Channel\":\"Application\",\"SourceName\":\"Other\",\"Level\":\"2\",\"EventID\":1,"
      "\"Message\":\"System.InvalidCastException\"}\n"
      "not json at all\n";
  size_t n = scan_log("/ev/export/events.jsonl", log);
  rec_expect_rules(&rec, "exhunt.log.web_worker_child_process", 2,
                   "exhunt.log.webshell_file_created", 1, "exhunt.log.proxyshell_export_to_web", 1,
                   "exhunt.log.cve_2021_26857_um", 1, NULL);
  assert_int_equal(n, 5);
  assert_int_equal(rec_count_what(&rec, "malformed-event"), 1);
}

static int64_t json_event_time(const char *line)
{
  exh_event ev;
  if (!exh_event_from_json(&ev, line, strlen(line)))
    fail_msg("not read as an event: %s", line);
  int64_t t = ev.time;
  exh_event_free(&ev);
  return t;
}

static int json_event_level(const char *line)
{
  exh_event ev;
  if (!exh_event_from_json(&ev, line, strlen(line)))
    fail_msg("not read as an event: %s", line);
  int l = ev.level;
  exh_event_free(&ev);
  return l;
}

/* Event times as the exports write them: 2021-03-03T05:00:00Z is
 * 1614747600 (`date -u -d 2021-03-03T05:00:00Z +%s`), 03:00:00Z 1614740400. */
static void test_windows_events_time_forms(void **state)
{
  (void)state;
  static const struct {
    const char *line;
    int64_t t;
  } cases[] = {
      /* OTRF with .NET's round-trip format and a local offset */
      {"{\"Channel\":\"Security\",\"EventID\":4624,"
       "\"TimeCreated\":\"2021-03-03T05:00:00.1234567+02:00\"}",
       1614740400},
      /* Velociraptor: System.TimeCreated.SystemTime as float epoch seconds */
      {"{\"System\":{\"Channel\":\"Security\",\"EventID\":{\"Value\":4624},"
       "\"TimeCreated\":{\"SystemTime\":1614747600.123}}}",
       1614747600},
      /* whole seconds, a numeric string, and milliseconds */
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":1614747600}", 1614747600},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":\"1614747600.5\"}", 1614747600},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":1614747600123}", 1614747600},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":1614747600123.0}", 1614747600},
      /* PowerShell 5 ConvertTo-Json: "\/Date(ms)\/", with and without a zone */
      {"{\"Channel\":\"Security\",\"EventID\":4624,"
       "\"TimeCreated\":\"\\/Date(1614747600123)\\/\"}",
       1614747600},
      {"{\"Channel\":\"Security\",\"EventID\":4624,"
       "\"TimeCreated\":\"/Date(1614747600123+0200)/\"}",
       1614747600},
      /* the range ends: 1990-01-01 is in, 2100-01-01 is out */
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":631152000}", 631152000},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":4102444800}", EXHUNT_NO_TIME},
      /* numbers that are not times, and broken .NET dates */
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":12345}", EXHUNT_NO_TIME},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":-1614747600}", EXHUNT_NO_TIME},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":\"1614747600x\"}",
       EXHUNT_NO_TIME},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":\"/Date(1614747600123)\"}",
       EXHUNT_NO_TIME},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":\"/Date(1614747600123+02)/\"}",
       EXHUNT_NO_TIME},
      {"{\"Channel\":\"Security\",\"EventID\":4624,\"TimeCreated\":\"/Date()/\"}", EXHUNT_NO_TIME},
      /* winlogbeat's @timestamp is UTC already */
      {"{\"@timestamp\":\"2021-03-03T05:00:00.417Z\",\"winlog\":{\"channel\":\"Security\","
       "\"event_id\":\"4624\"}}",
       1614747600},
  };
  int wrong = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t t = json_event_time(cases[i].line);
    if (t != cases[i].t) {
      print_message("%s: got %lld, want %lld\n", cases[i].line, (long long)t,
                    (long long)cases[i].t);
      wrong++;
    }
  }
  assert_int_equal(wrong, 0);
}

/* Levels by name (winlogbeat log.level, PowerShell's "Error") read as the
 * numbers the detectors compare; ids and levels as strings or reals too. */
static void test_windows_events_level_names(void **state)
{
  (void)state;
  static const struct {
    const char *line;
    int level;
  } cases[] = {
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"Error\"}", 2},
      {"{\"winlog\":{\"channel\":\"Application\",\"event_id\":\"1\"},\"log\":{\"level\":\"error\"}"
       "}",
       2},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"CRITICAL\"}", 1},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"Warning\"}", 3},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"information\"}", 4},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"Verbose\"}", 5},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"2\"}", 2},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":4}", 4},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":2.0}", 2},
      {"{\"Channel\":\"Application\",\"EventID\":1,\"Level\":\"Errors\"}", -1},
      {"{\"Channel\":\"Application\",\"EventID\":1}", -1},
  };
  int wrong = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int l = json_event_level(cases[i].line);
    if (l != cases[i].level) {
      print_message("%s: got %d, want %d\n", cases[i].line, l, cases[i].level);
      wrong++;
    }
  }
  assert_int_equal(wrong, 0);

  /* EventID as a string (winlogbeat 8) or a real is the same id */
  exh_event ev;
  const char *sid = "{\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4688\"}}";
  assert_true(exh_event_from_json(&ev, sid, strlen(sid)));
  assert_int_equal(ev.event_id, 4688);
  exh_event_free(&ev);
  const char *rid = "{\"Channel\":\"Security\",\"EventID\":4688.0}";
  assert_true(exh_event_from_json(&ev, rid, strlen(rid)));
  assert_int_equal(ev.event_id, 4688);
  exh_event_free(&ev);

  /* CVE-2021-26857 from winlogbeat: the level is the word "error" */
  const char *um = "{\"@timestamp\":\"2021-03-03T03:11:02.417Z\",\"log\":{\"level\":\"error\"},"
                   "\"message\":\"Watson report about to be sent for process id: 4312, with "
                   "parameters: E12, c-RTL-AMD64, 15.01.2176.002, UMWorkerProcess, "
                   "System.InvalidCastException\",\"winlog\":{\"channel\":\"Application\","
                   "\"provider_name\":\"MSExchange Unified Messaging\",\"event_id\":\"1001\"}}";
  exh_log_hit hits[4];
  assert_true(exh_event_from_json(&ev, um, strlen(um)));
  assert_int_equal(ev.level, 2);
  assert_int_equal(exh_detect_event(&ev, hits, 4), 1);
  assert_string_equal(hits[0].rule->id, "exhunt.log.cve_2021_26857_um");
  /* an exploitation attempt: the story tells it as one, not as "other" */
  assert_int_equal(hits[0].rule->step, EXHUNT_STEP_ATTEMPT);
  exh_event_free(&ev);
  /* the same exception at Warning is not the detection's Error */
  const char *warn = "{\"Channel\":\"Application\",\"ProviderName\":\"MSExchange Unified "
                     "Messaging\",\"EventID\":1001,\"Level\":\"Warning\",\"Message\":\"System."
                     "InvalidCastException\"}";
  assert_true(exh_event_from_json(&ev, warn, strlen(warn)));
  assert_int_equal(exh_detect_event(&ev, hits, 4), 0);
  exh_event_free(&ev);

  /* PowerShell's Get-WinEvent | ConvertTo-Json: LogName, Id, /Date(ms)/ */
  const char *ps =
      "{\"Id\":1001,\"LogName\":\"Application\",\"ProviderName\":\"MSExchange "
      "Unified Messaging\",\"Level\":2,\"TimeCreated\":\"/Date(1614741062000)/\","
      "\"Message\":\"Watson report ... UMWorkerProcess, System.InvalidCastException\"}";
  assert_true(exh_event_from_json(&ev, ps, strlen(ps)));
  assert_int_equal(ev.event_id, 1001);
  assert_true(exh_view_eq(ev.channel, "Application"));
  assert_int_equal(ev.time, 1614741062); /* date -u -d @1614741062: 2021-03-03 03:11:02 */
  assert_int_equal(exh_detect_event(&ev, hits, 4), 1);
  exh_event_free(&ev);
  /* winlogbeat 6: log_name, source_name */
  const char *wb6 = "{\"log_name\":\"Application\",\"source_name\":\"MSExchange Unified "
                    "Messaging\",\"event_id\":1001,\"level\":\"Error\",\"message\":\"System."
                    "InvalidCastException\"}";
  assert_true(exh_event_from_json(&ev, wb6, strlen(wb6)));
  assert_int_equal(exh_detect_event(&ev, hits, 4), 1);
  exh_event_free(&ev);
  /* "Id" without LogName is no event id */
  const char *other = "{\"Channel\":\"Application\",\"Id\":7}";
  assert_true(exh_event_from_json(&ev, other, strlen(other)));
  assert_int_equal(ev.event_id, -1);
  exh_event_free(&ev);
}

static void test_evtx_record_xml(void **state)
{
  (void)state;
  const char *xml =
      "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
      "<Provider Name=\"MSExchange CmdletLogs\"/><EventID Qualifiers=\"16388\">1</EventID>"
      "<Level>4</Level><TimeCreated SystemTime=\"2021-03-03T06:49:53.772Z\"/>"
      "<Channel>MSExchange Management</Channel></System><EventData>"
      "<Data>Set-OabVirtualDirectory</Data><Data>-ExternalUrl &quot;http://f/&lt;script "
      "language=&quot;JScript&quot; runat=&quot;server&quot;&gt;eval(Request[&quot;x&quot;],"
      "&quot;unsafe&quot;)&lt;/script&gt;&quot; -Identity &quot;OAB (Default Web Site)&quot;"
      "</Data><Data Name=\"Empty\"/><Data Name=\"Amp\">a&amp;b&#65;&#x42;&#9999999;</Data>"
      "</EventData></Event>";
  exh_event ev;
  exh_dynbuf scratch;
  exh_dynbuf_init(&scratch, 0);
  assert_true(exh_event_from_xml(&ev, xml, strlen(xml), &scratch));
  assert_true(exh_view_eq(ev.channel, "MSExchange Management"));
  assert_true(exh_view_eq(ev.provider, "MSExchange CmdletLogs"));
  assert_int_equal(ev.event_id, 1);
  assert_int_equal(ev.level, 4);
  assert_int_equal(ev.time, 1614754193);
  assert_true(exh_view_eq(exh_event_get(&ev, "Amp"), "a&bAB&#9999999;"));
  assert_int_equal(exh_event_get(&ev, "Empty").n, 0);
  /* unnamed Data joined into the message, unescaped: the cmdlet detector
   * sees the script */
  assert_true(
      exh_view_starts(ev.message, "Set-OabVirtualDirectory -ExternalUrl \"http://f/<script"));
  exh_log_hit hits[4];
  assert_int_equal(exh_detect_event(&ev, hits, 4), 1);
  assert_string_equal(hits[0].rule->id, "exhunt.log.cve_2021_27065_set_vdir");
  assert_int_equal(hits[0].rule->artifact, EXHUNT_ARTIFACT_SCRIPT);
  /* truncated and hostile XML: no crash, nothing read past the end */
  for (size_t cut = 0; cut < strlen(xml); cut += 7)
    exh_event_from_xml(&ev, xml, cut, &scratch);
  exh_dynbuf_free(&scratch);
}

/* ---------------------------------------------------------------------- */
/* Event field caps (issue 14, item 8): padding an event must not hide it. */

/* A JSON event with `pad` filler fields before `tail` (the fields that
 * matter), then closed; the caller frees. */
static char *padded_json(const char *head, unsigned pad, const char *tail)
{
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_dynbuf_addf(&b, "{%s", head), EXHUNT_OK);
  for (unsigned i = 0; i < pad; i++)
    assert_int_equal(exh_dynbuf_addf(&b, ",\"Pad%u\":\"x\"", i), EXHUNT_OK);
  assert_int_equal(exh_dynbuf_addf(&b, ",%s}\n", tail), EXHUNT_OK);
  return b.data;
}

/* Each detector's event, its fields past 130 filler keys (the shape ones,
 * Channel and EventID, after them too): every one still found, with a
 * fields-capped note. Before the fix the 128-field cap dropped them all
 * silently (no finding, no note, exit 0). */
static void test_event_fields_past_cap_json(void **state)
{
  (void)state;
  static const struct {
    const char *tail, *rule;
  } cases[] = {
      {"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,"
       "\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\","
       "\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami\"",
       "exhunt.log.web_worker_child_process"},
      {"\"Channel\":\"Security\",\"EventID\":4688,"
       "\"ParentProcessName\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\","
       "\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\"",
       "exhunt.log.web_worker_child_process"},
      {"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":8,"
       "\"SourceImage\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\","
       "\"TargetImage\":\"C:\\\\Windows\\\\System32\\\\lsass.exe\"",
       "exhunt.log.web_worker_remote_thread"},
      {"\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":11,"
       "\"TargetFilename\":\"C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\x.aspx\"",
       "exhunt.log.webshell_file_created"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&rec, 0, sizeof rec);
    char *line = padded_json("\"TimeCreated\":\"2021-03-03T05:00:00Z\"", 130, cases[i].tail);
    assert_int_equal(scan_log("/ev/events.json", line), 1);
    rec_expect_rules(&rec, cases[i].rule, 1, NULL);
    assert_int_equal(rec_count_notice(&rec, "fields-capped", EXHUNT_NOTICE_NOTE), 1);
    assert_int_equal(rec_count_notice(&rec, "fields-capped", EXHUNT_NOTICE_ERROR), 0);
    exh_free(line);
    /* the same event without padding: no note */
    memset(&rec, 0, sizeof rec);
    line = padded_json("\"TimeCreated\":\"2021-03-03T05:00:00Z\"", 0, cases[i].tail);
    assert_int_equal(scan_log("/ev/events.json", line), 1);
    assert_int_equal(rec_count_what(&rec, "fields-capped"), 0);
    exh_free(line);
  }
}

/* The parser itself: the cap holds, the key fields past it are kept once
 * (the first of a name, as lookups take), the rest are counted. */
static void test_event_fields_cap_counts(void **state)
{
  (void)state;
  char *line = padded_json("\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1",
                           300, "\"Image\":\"first.exe\",\"image\":\"second.exe\",\"Other\":\"y\"");
  exh_event ev;
  assert_true(exh_event_from_json(&ev, line, strlen(line)));
  assert_int_equal(ev.n_fields, EXH_MAX_EVENT_FIELDS + 1);
  assert_true(exh_view_eq(exh_event_get(&ev, "Image"), "first.exe"));
  assert_int_equal(exh_event_get(&ev, "Other").n, 0);
  /* 2 + 300 + 3 fields, 129 kept */
  assert_int_equal(ev.fields_dropped, 2 + 300 + 3 - (EXH_MAX_EVENT_FIELDS + 1));
  assert_false(ev.key_fields_lost);
  exh_event_free(&ev);
  exh_free(line);
  /* Hundreds of distinct key-like names cannot overflow the slots. */
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_dynbuf_adds(&b, "{\"Channel\":\"Security\",\"EventID\":4688"), EXHUNT_OK);
  for (unsigned i = 0; i < 200; i++)
    assert_int_equal(exh_dynbuf_addf(&b, ",\"CommandLine\":\"%u\",\"Image\":\"%u\"", i, i),
                     EXHUNT_OK);
  assert_int_equal(exh_dynbuf_adds(&b, "}"), EXHUNT_OK);
  assert_true(exh_event_from_json(&ev, b.data, b.len));
  assert_true(ev.n_fields <= EXH_EVENT_FIELDS);
  exh_event_free(&ev);
  exh_dynbuf_free(&b);
}

/* Nesting: fields below EXH_EVENT_DEPTH levels were dropped silently; the
 * key ones are now kept to EXH_EVENT_KEY_DEPTH, and an object deeper than
 * that is an error (a detector's field may be in it). */
static void test_event_fields_deep(void **state)
{
  (void)state;
  static const char *const tail =
      "\"ParentImage\":\"C:\\\\w3wp.exe\",\"Image\":\"C:\\\\cmd.exe\",\"Pad\":\"x\"";
  for (int depth = 12; depth <= 80; depth += 68) {
    exh_dynbuf b;
    exh_dynbuf_init(&b, 0);
    assert_int_equal(exh_dynbuf_adds(&b, "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                                         "\"EventID\":1"),
                     EXHUNT_OK);
    for (int i = 0; i < depth; i++)
      assert_int_equal(exh_dynbuf_adds(&b, ",\"n\":{\"k\":1"), EXHUNT_OK);
    assert_int_equal(exh_dynbuf_addf(&b, ",%s", tail), EXHUNT_OK);
    for (int i = 0; i < depth; i++)
      assert_int_equal(exh_dynbuf_adds(&b, "}"), EXHUNT_OK);
    assert_int_equal(exh_dynbuf_adds(&b, "}\n"), EXHUNT_OK);
    memset(&rec, 0, sizeof rec);
    size_t found = scan_log("/ev/events.json", b.data);
    if (depth < EXH_EVENT_KEY_DEPTH) {
      assert_int_equal(found, 1);
      assert_int_equal(rec_count_notice(&rec, "fields-capped", EXHUNT_NOTICE_NOTE), 1);
    } else {
      assert_int_equal(found, 0);
      assert_int_equal(rec_count_notice(&rec, "fields-capped", EXHUNT_NOTICE_ERROR), 1);
    }
    exh_dynbuf_free(&b);
  }
}

/* EVTX records: named Data past the cap are handled the same way, and
 * unnamed Data after it still join the message (the loop used to stop at
 * the cap, losing both). */
static void test_event_fields_past_cap_xml(void **state)
{
  (void)state;
  exh_dynbuf x;
  exh_dynbuf_init(&x, 0);
  assert_int_equal(exh_dynbuf_adds(&x, "<Event><System><EventID>1</EventID><Channel>"
                                       "Microsoft-Windows-Sysmon/Operational</Channel></System>"
                                       "<EventData>"),
                   EXHUNT_OK);
  for (unsigned i = 0; i < 200; i++)
    assert_int_equal(exh_dynbuf_addf(&x, "<Data Name=\"Pad%u\">x</Data>", i), EXHUNT_OK);
  assert_int_equal(
      exh_dynbuf_adds(&x, "<Data Name=\"ParentImage\">C:\\w3wp.exe</Data>"
                          "<Data Name=\"Image\">C:\\Windows\\System32\\cmd.exe</Data>"
                          "<Data Name=\"CommandLine\">cmd /c whoami</Data></EventData></Event>"),
      EXHUNT_OK);
  exh_event ev;
  exh_dynbuf scratch;
  exh_dynbuf_init(&scratch, 0);
  assert_true(exh_event_from_xml(&ev, x.data, x.len, &scratch));
  assert_int_equal(ev.n_fields, EXH_MAX_EVENT_FIELDS + 3);
  assert_int_equal(ev.fields_dropped, 200 - EXH_MAX_EVENT_FIELDS);
  exh_log_hit hits[4];
  assert_int_equal(exh_detect_event(&ev, hits, 4), 1);
  assert_string_equal(hits[0].rule->id, "exhunt.log.web_worker_child_process");
  /* unnamed Data past the cap: still the message */
  exh_dynbuf_reset(&x);
  assert_int_equal(exh_dynbuf_adds(&x, "<Event><System><EventID>1</EventID><Channel>MSExchange "
                                       "Management</Channel></System><EventData>"),
                   EXHUNT_OK);
  for (unsigned i = 0; i < 200; i++)
    assert_int_equal(exh_dynbuf_addf(&x, "<Data Name=\"Pad%u\">x</Data>", i), EXHUNT_OK);
  assert_int_equal(exh_dynbuf_adds(&x, "<Data>New-MailboxExportRequest</Data></EventData></Event>"),
                   EXHUNT_OK);
  assert_true(exh_event_from_xml(&ev, x.data, x.len, &scratch));
  assert_true(exh_view_has(ev.message, "New-MailboxExportRequest"));
  exh_dynbuf_free(&scratch);
  exh_dynbuf_free(&x);
}

/* More tunnel scripts in one file than are remembered (16): the data
 * requests of the 17th were left out silently; now a note says so. */
static void test_tunnel_scripts_capped(void **state)
{
  (void)state;
  for (unsigned scripts = 16; scripts <= 17; scripts++) {
    exh_dynbuf b;
    exh_dynbuf_init(&b, 0);
    assert_int_equal(exh_dynbuf_adds(&b,
                                     "#Software: Microsoft Internet Information Services 10.0\r\n"
                                     "#Fields: date time s-ip cs-method cs-uri-stem "
                                     "cs-uri-query c-ip cs(User-Agent) sc-status\r\n"),
                     EXHUNT_OK);
    for (unsigned i = 0; i < scripts; i++)
      assert_int_equal(
          exh_dynbuf_addf(&b,
                          "2021-03-03 12:00:%02u 192.0.2.25 GET /aspnet_client/t%u.aspx "
                          "cmd=connect&target=10.0.0.1&port=3389 203.0.113.47 x 200\r\n",
                          i, i),
          EXHUNT_OK);
    memset(&rec, 0, sizeof rec);
    scan_log("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", b.data);
    rec_expect_rules(&rec, "exhunt.log.iis_webshell_tunnel", (int)scripts, NULL);
    assert_int_equal(rec_count_notice(&rec, "tunnel-scripts-capped", EXHUNT_NOTICE_NOTE),
                     scripts > 16);
    exh_dynbuf_free(&b);
  }
}

/* Requests to the web shells a hunt found on disk (opts.shell_urls): the
 * URL stem compared whole and case-insensitively, found through the block
 * path (thousands of rows before them) and the per-line path alike, never
 * a second finding for a row a detector already flagged. */
static void test_shell_urls(void **state)
{
  (void)state;
  static const char *const shells[] = {"/app/iisstart2.aspx", "/aspnet_client/x.aspx"};
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_dynbuf_adds(&b, "#Software: Microsoft Internet Information Services 10.0\r\n"
                                       "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
                                       "c-ip cs(User-Agent) sc-status\r\n"),
                   EXHUNT_OK);
  for (int i = 0; i < 3000; i++)
    assert_int_equal(exh_dynbuf_addf(&b,
                                     "2021-03-03 10:%02d:%02d 192.0.2.1 GET /owa/ - 192.0.2.9 "
                                     "Mozilla 302\r\n",
                                     (i / 60) % 60, i % 60),
                     EXHUNT_OK);
  assert_int_equal(
      exh_dynbuf_adds(
          &b, "2021-03-03 11:00:00 192.0.2.1 POST /app/iisstart2.aspx - 203.0.113.5 x 200\r\n"
              "2021-03-03 11:00:01 192.0.2.1 GET /APP/IisStart2.aspx - 203.0.113.5 x 404\r\n"
              "2021-03-03 11:00:02 192.0.2.1 GET /app/iisstart2.aspx.bak - 203.0.113.5 x 200\r\n"
              "2021-03-03 11:00:03 192.0.2.1 POST /aspnet_client/x.aspx - 203.0.113.5 x 200\r\n"
              "2021-03-03 11:00:04 192.0.2.1 GET /other.aspx - 203.0.113.5 x 200\r\n"
              "2021-03-03 11:00:05 192.0.2.1 POST /app/iisstart2.aspx z=1 203.0.113.5 x 200\r\n"),
      EXHUNT_OK);
  exhunt_sink sink = rec_sink(&rec);
  sink.on_coverage = tu_ignore_coverage;
  exhunt_logs_opts opts;
  exhunt_logs_opts_init(&opts);
  opts.shell_urls = shells;
  opts.n_shell_urls = 2;
  assert_int_equal(exh_logs_buffer_opts("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
                                        (const uint8_t *)b.data, b.len, &opts, &sink),
                   EXHUNT_OK);
  rec_expect_rules(&rec, "exhunt.hunt.request_to_shell", 3, "exhunt.log.iis_webshell_request", 1,
                   NULL);
  size_t high = 0, medium = 0;
  for (size_t i = 0; i < rec.n_findings; i++)
    if (strcmp(rec.findings[i].rule, "exhunt.hunt.request_to_shell") == 0) {
      high += rec.findings[i].severity == EXHUNT_SEV_HIGH;
      medium += rec.findings[i].severity == EXHUNT_SEV_MEDIUM;
      assert_true(rec.findings[i].line > 3000); /* the rows of the shells, not the filler */
    }
  assert_int_equal(high, 2);
  assert_int_equal(medium, 1);
  /* without the option: no request_to_shell, the detector's finding alone */
  memset(&rec, 0, sizeof rec);
  assert_int_equal(exhunt_logs_buffer("/ev/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
                                      (const uint8_t *)b.data, b.len, &sink),
                   EXHUNT_OK);
  rec_expect_rules(&rec, "exhunt.hunt.request_to_shell", 0, "exhunt.log.iis_webshell_request", 1,
                   NULL);
  exh_dynbuf_free(&b);
}

TU_MAIN(&fx, test_lines_crlf_bom_nul_and_last_line, test_lines_overlong_is_cut_and_skipped,
        test_count_lines, test_gzip_whole_truncated_and_bomb, test_csv_binding_and_quoting,
        test_split_fast_paths, test_w3c_header_changes_mid_file, test_iso8601, test_iso8601_offsets,
        test_ssrf_classification, test_rule_table, test_reset_vdir_parity,
        test_block_reader_boundaries, test_csv_ends_in_quote, test_csv_quoted_newlines,
        test_ecp_server_multiline_record, test_prefilter_mirrors_block_scan,
        test_prefilter_meta_lines, test_needle_line_checks, test_block_reader_edges,
        test_iis_block_reader_counts, test_coverage_days_from_records, test_ecp_server_set_vdir,
        test_ecp_line_case_and_decoys, test_oabgenerator_write, test_iis_shell_requests,
        test_family_by_content_and_hostile_bytes, test_real_helsecert_rows,
        test_windows_events_json_variants, test_windows_events_time_forms,
        test_windows_events_level_names, test_evtx_record_xml, test_shell_urls,
        test_event_fields_past_cap_json, test_event_fields_cap_counts, test_event_fields_deep,
        test_event_fields_past_cap_xml, test_tunnel_scripts_capped)
