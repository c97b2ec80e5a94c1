/*
 * test_csv.c - findings as CSV rows (lib/output/csv.c): the header, the
 * columns each kind of finding fills, and rows that stay one line and one
 * width whatever the evidence holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "output/csv.h"

/* Splits one CSV row written by exh_csv_finding (every cell quoted, no raw
 * line break) into at most `max` cells; returns how many. */
static size_t split(const char *row, char cells[][256], size_t max)
{
  size_t n = 0;
  const char *p = row;
  while (*p && *p != '\r' && n < max) {
    assert_int_equal(*p, '"');
    p++;
    size_t k = 0;
    for (;;) {
      assert_true(*p != '\0');
      if (*p == '"' && p[1] == '"') {
        cells[n][k++] = '"';
        p += 2;
      } else if (*p == '"') {
        p++;
        break;
      } else {
        cells[n][k++] = *p++;
      }
      assert_true(k < 255);
    }
    cells[n][k] = '\0';
    n++;
    if (*p == ',')
      p++;
  }
  assert_string_equal(p, "\r\n");
  return n;
}

static size_t header_cols(char names[][256])
{
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_csv_header(&b), EXHUNT_OK);
  size_t n = 0;
  const char *p = b.data;
  while (*p != '\r') {
    size_t k = strcspn(p, ",\r");
    memcpy(names[n], p, k);
    names[n][k] = '\0';
    n++;
    p += k;
    if (*p == ',')
      p++;
  }
  exh_dynbuf_free(&b);
  return n;
}

static const char *col(char names[][256], char cells[][256], size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return cells[i];
  fail_msg("no column %s", name);
  return NULL;
}

static char names[64][256], cells[64][256];

/* f as a CSV row: one line, n cells, and for each (column, value) pair,
 * NULL-ended, that cell; the row's cells stay in `cells`. */
static void row_is(const exhunt_finding *f, size_t n, ...)
{
  exh_dynbuf b;
  exh_dynbuf_init(&b, 0);
  assert_int_equal(exh_csv_finding(&b, f), EXHUNT_OK);
  assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1); /* one line */
  assert_int_equal(split(b.data, cells, 64), n);
  exh_dynbuf_free(&b);
  va_list ap;
  va_start(ap, n);
  for (const char *name; (name = va_arg(ap, const char *));) {
    const char *want = va_arg(ap, const char *), *got = col(names, cells, n, name);
    if (strcmp(got, want) != 0)
      fail_msg("column %s: \"%s\", want \"%s\"", name, got, want);
  }
  va_end(ap);
}

static void test_header_columns(void **state)
{
  (void)state;
  size_t n = header_cols(names);
  const char *want[] = {"severity",  "category",   "rule",     "title", "path",   "line",
                        "timestamp", "sha256",     "size",     "mtime", "cve",    "outcome",
                        "client_ip", "user_agent", "artifact", "build", "status", "fixed_in",
                        "source",    "reference",  "id",       "server"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    bool found = false;
    for (size_t k = 0; k < n; k++)
      found = found || strcmp(names[k], want[i]) == 0;
    assert_true(found);
  }
  assert_string_equal(names[0], "severity");
}

static void test_file_finding(void **state)
{
  (void)state;
  size_t n = header_cols(names);
  exhunt_match m = {"$s1", 3, (const uint8_t *)"eval", 4};
  exhunt_finding f = {.category = "webshell",
                      .severity = EXHUNT_SEV_CRITICAL,
                      .rule = "exhunt.webshell.x",
                      .title = "China Chopper, \"one-liner\"",
                      .source = "exhunt",
                      .path = "/ev/a,b\nc.aspx",
                      .kind = EXHUNT_FINDING_FILE,
                      .file = {.have_sha256 = true,
                               .size = 42,
                               .mtime = 1614744775, /* 2021-03-03T04:12:55Z */
                               .matches = &m,
                               .n_matches = 1}};
  memset(f.file.sha256, 0xab, 32);
  row_is(&f, n, "severity", "critical", "title", "China Chopper, \"one-liner\"", "path",
         "/ev/a,b\\x0ac.aspx", "size", "42", "mtime", "2021-03-03T04:12:55Z", "line", "",
         "timestamp", "", "id", "", NULL);
  assert_int_equal(strlen(col(names, cells, n, "sha256")), 64);
}

static void test_log_and_exposure_findings(void **state)
{
  (void)state;
  size_t n = header_cols(names);
  const char *cves[] = {"CVE-2021-26855", "CVE-2021-27065"};
#define ARTIFACT "C:\\inetpub\\x.aspx"
  exhunt_finding f = {.category = "exploit",
                      .severity = EXHUNT_SEV_HIGH,
                      .rule = "exhunt.log.cve_2021_26855_ssrf",
                      .title = "t",
                      .path = "HttpProxy.LOG",
                      .kind = EXHUNT_FINDING_LOG,
                      .log = {.line = 12,
                              .timestamp = 1614773638, /* 2021-03-03T12:13:58Z */
                              .cves = cves,
                              .n_cves = 2,
                              .outcome = "attempted",
                              .client_ip = "203.0.113.47",
                              .user_agent = "=HYPERLINK(\"x\")",
                              .artifact = ARTIFACT,
                              .artifact_len = sizeof ARTIFACT - 1},
                      .id = "F3",
                      .server = "/ev/EX01"};
  row_is(&f, n, "line", "12", "timestamp", "2021-03-03T12:13:58Z", "cve",
         "CVE-2021-26855;CVE-2021-27065", "outcome", "attempted", "user_agent",
         "'=HYPERLINK(\"x\")", "artifact", ARTIFACT, "id", "F3", "server", "/ev/EX01", "size", "",
         NULL);

  f = (exhunt_finding){.category = "exposure",
                       .severity = EXHUNT_SEV_CRITICAL,
                       .rule = "exhunt.exposure.proxylogon",
                       .title = "ProxyLogon",
                       .kind = EXHUNT_FINDING_EXPOSURE,
                       .exposure = {.build = "15.1.2176.2",
                                    .build_source = "command-line",
                                    .status = "vulnerable",
                                    .fixed_in = "15.1.2176.9",
                                    .support = "supported",
                                    .timestamp = EXHUNT_NO_TIME,
                                    .cves = cves,
                                    .n_cves = 1}};
  row_is(&f, n, "status", "vulnerable", "fixed_in", "15.1.2176.9", "build", "15.1.2176.2", "cve",
         "CVE-2021-26855", "timestamp", "", "line", "", NULL);
}

TU_MAIN(NULL, test_header_columns, test_file_finding, test_log_and_exposure_findings)
