/*
 * test_hosts.c - one server per host (lib/hunt/hosts.c): for each layout a
 * responder's collection takes (a C:\-like tree, a host folder with C/ and
 * D/, KAPE's out/EX01/C, unpacked Velociraptor collections, bare Exchange
 * install roots, manual copies, loose logs) a tree is built in a temporary
 * folder and the hosts found, their names and the notices are checked.
 * Also: symlinks never followed, case variants, hostile names, the caps,
 * the tree API on its own, and an allocation-failure sweep.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "hunt/hosts.h"

static char base[256];

static int make_base(void **state)
{
  (void)state;
  snprintf(base, sizeof base, "/tmp/exhunt-hosts-XXXXXX");
  return mkdtemp(base) ? 0 : -1;
}

static int remove_base(void **state)
{
  (void)state;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", base, base);
  return system(cmd) == 0 ? 0 : -1;
}

/* mkdir -p base/rel */
static void mk(const char *rel)
{
  tu_mkdirs(tu_path(base, rel));
}

/* A file base/rel, its folders made first. */
static void touch(const char *rel)
{
  char dir[1024], p[1024];
  snprintf(dir, sizeof dir, "%s", rel);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    mk(dir);
  }
  snprintf(p, sizeof p, "%s/%s", base, rel);
  write_file(p, "x", 1);
}

static void link_to(const char *target, const char *rel)
{
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", base, rel);
  assert_int_equal(symlink(target, p), 0);
}

static char root_path[1024];

/* Finds the hosts under base/rel_root ("" for base). */
static exh_host_list find(const char *rel_root, recorder *rec)
{
  memset(rec, 0, sizeof *rec);
  if (rel_root[0])
    snprintf(root_path, sizeof root_path, "%s/%s", base, rel_root);
  else
    snprintf(root_path, sizeof root_path, "%s", base);
  exhunt_sink sink = rec_sink(rec);
  exh_host_list l;
  assert_int_equal(exh_hunt_find_hosts(root_path, &sink, &l), EXHUNT_OK);
  assert_true(l.n >= 1);
  return l;
}

/* Host i is root_path/rel (or the root itself for ""), named `name`. */
static void host_is(const exh_host_list *l, size_t i, const char *rel, const char *name)
{
  char want[1100];
  if (rel[0])
    snprintf(want, sizeof want, "%s/%s", root_path, rel);
  else
    snprintf(want, sizeof want, "%s", root_path);
  assert_true(i < l->n);
  assert_string_equal(l->hosts[i].path, want);
  assert_string_equal(l->hosts[i].name, name);
}

/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* The layouts of tests/data/hosts/layouts.txt, one test per case.         */

#define LAYOUTS EXHUNT_SOURCE_DIR "/tests/data/hosts/layouts.txt"
#define MAX_TOKENS 16

typedef struct layout_case {
  char name[64];
  size_t first, end; /* its lines: [first, end) of `lines` */
} layout_case;

static char **lines; /* the file's lines, read once by main() */
static size_t n_lines;
static layout_case layouts[64];
static size_t n_cases;

/* The line being run, for failure messages. */
static const layout_case *cur_case;
static size_t cur_line;

/* Fails the running case, naming its line in the data file. */
static void layout_fail(const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fail_msg("layouts.txt:%zu (case %s): %s", cur_line + 1, cur_case->name, msg);
}

/* Splits a line into tokens (in place): runs of non-spaces, or "..." with
 * the C escapes \n \" \\ \xHH. Returns how many. */
static size_t tokenize(char *p, char **tok)
{
  size_t n = 0;
  for (;;) {
    while (*p == ' ')
      p++;
    if (!*p)
      return n;
    if (n == MAX_TOKENS)
      layout_fail("more than %d tokens", MAX_TOKENS);
    if (*p != '"') {
      tok[n++] = p;
      while (*p && *p != ' ')
        p++;
      if (*p)
        *p++ = '\0';
      continue;
    }
    char *out = ++p;
    tok[n++] = out;
    while (*p && *p != '"') {
      if (*p != '\\') {
        *out++ = *p++;
        continue;
      }
      p++;
      if (*p == 'n')
        *out++ = '\n', p++;
      else if (*p == 'x') {
        unsigned v = 0;
        for (int k = 0; k < 2; k++, p++)
          v = v * 16 + (unsigned)(p[1] <= '9' ? p[1] - '0' : (p[1] | 0x20) - 'a' + 10);
        *out++ = (char)v;
        p++;
      } else if (*p)
        *out++ = *p++;
    }
    if (*p != '"')
      layout_fail("unterminated quote");
    *out = '\0';
    p++;
  }
}

static size_t number(const char *t)
{
  char *end;
  unsigned long v = strtoul(t, &end, 10);
  if (*t < '0' || *t > '9' || *end)
    layout_fail("not a number: %s", t);
  return v;
}

/* root_path/rel, or root_path itself for ".". */
static void under_root(char *out, size_t cap, const char *rel)
{
  if (strcmp(rel, ".") == 0)
    snprintf(out, cap, "%s", root_path);
  else
    snprintf(out, cap, "%s/%s", root_path, rel);
}

static exhunt_err code_named(const char *name)
{
  static const struct {
    const char *name;
    exhunt_err code;
  } codes[] = {
      {"ELIMIT", EXHUNT_ELIMIT}, {"EACCES", EXHUNT_EACCES}, {"EUNSUPPORTED", EXHUNT_EUNSUPPORTED}};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
    if (strcmp(codes[i].name, name) == 0)
      return codes[i].code;
  layout_fail("unknown code %s", name);
  return EXHUNT_OK;
}

/* `notice WHAT [kind K] [code C] [path REL] [reason TEXT]...` */
static void check_notice(const recorder *rec, char **tok, size_t n)
{
  const rec_notice *nt = rec_notice_of(rec, tok[1]);
  if (!nt)
    layout_fail("no %s notice", tok[1]);
  if (n % 2)
    layout_fail("notice: a key without its value");
  for (size_t i = 2; i + 1 < n; i += 2) {
    const char *key = tok[i], *val = tok[i + 1];
    char want[1100];
    if (strcmp(key, "kind") == 0) {
      exhunt_notice_kind k = strcmp(val, "error") == 0 ? EXHUNT_NOTICE_ERROR : EXHUNT_NOTICE_NOTE;
      if (nt->kind != k)
        layout_fail("%s: kind %d, want %s", tok[1], (int)nt->kind, val);
    } else if (strcmp(key, "code") == 0) {
      if (nt->code != code_named(val))
        layout_fail("%s: code %s, want %s", tok[1], exhunt_strerror(nt->code), val);
    } else if (strcmp(key, "path") == 0) {
      under_root(want, sizeof want, val);
      if (strcmp(nt->path, want) != 0)
        layout_fail("%s: path %s, want %s", tok[1], nt->path, want);
    } else if (strcmp(key, "reason") == 0) {
      if (!strstr(nt->reason, val))
        layout_fail("%s: reason \"%s\" lacks \"%s\"", tok[1], nt->reason, val);
    } else {
      layout_fail("notice: unknown key %s", key);
    }
  }
}

/* Frees the list of the last look: it is empty after. */
static void drop_list(exh_host_list *l, bool *have)
{
  if (!*have)
    return;
  exh_host_list_free(l);
  if (l->hosts || l->n)
    layout_fail("the freed list is not empty");
  *have = false;
}

static void run_layout(void **state)
{
  cur_case = *state;
  recorder *rec = calloc(1, sizeof *rec);
  assert_non_null(rec);
  exh_host_list l;
  bool have = false;
  for (cur_line = cur_case->first; cur_line < cur_case->end; cur_line++) {
    char buf[1024], *tok[MAX_TOKENS], p[1200];
    snprintf(buf, sizeof buf, "%s", lines[cur_line]);
    size_t n = tokenize(buf, tok);
    if (n == 0 || tok[0][0] == '#')
      continue;
    const char *kw = tok[0];
    size_t want_args = strcmp(kw, "host") == 0                               ? 4
                       : strcmp(kw, "link") == 0 || strcmp(kw, "count") == 0 ? 3
                       : strcmp(kw, "notice") == 0                           ? n
                                                                             : 2;
    if (n != want_args)
      layout_fail("%s takes %zu words, not %zu", kw, want_args - 1, n - 1);
    if (strcmp(kw, "mk") == 0) {
      mk(tok[1]);
    } else if (strcmp(kw, "touch") == 0) {
      touch(tok[1]);
    } else if (strcmp(kw, "link") == 0) {
      if (tok[1][0] == '@')
        snprintf(p, sizeof p, "%s/%s", base, tok[1] + 1);
      else
        snprintf(p, sizeof p, "%s", tok[1]);
      link_to(p, tok[2]);
    } else if (strcmp(kw, "find") == 0) {
      drop_list(&l, &have);
      l = find(strcmp(tok[1], ".") == 0 ? "" : tok[1], rec);
      have = true;
    } else if (!have) {
      layout_fail("%s before a find", kw);
    } else if (strcmp(kw, "split") == 0) {
      if (l.split != (strcmp(tok[1], "yes") == 0))
        layout_fail("split is %s, want %s", l.split ? "yes" : "no", tok[1]);
    } else if (strcmp(kw, "hosts") == 0) {
      if (l.n != number(tok[1]))
        layout_fail("%zu hosts, want %s", l.n, tok[1]);
    } else if (strcmp(kw, "host") == 0) {
      size_t i = number(tok[1]);
      under_root(p, sizeof p, tok[2]);
      if (i >= l.n)
        layout_fail("no host %zu (%zu hosts)", i, l.n);
      if (strcmp(l.hosts[i].path, p) != 0 || strcmp(l.hosts[i].name, tok[3]) != 0)
        layout_fail("host %zu is %s named %s, want %s named %s", i, l.hosts[i].path,
                    l.hosts[i].name, p, tok[3]);
    } else if (strcmp(kw, "notices") == 0) {
      if (rec->n_notices != number(tok[1])) {
        for (size_t i = 0; i < rec->n_notices; i++)
          print_message("notice %s: %s\n", rec->notices[i].what, rec->notices[i].reason);
        layout_fail("%zu notices, want %s", rec->n_notices, tok[1]);
      }
    } else if (strcmp(kw, "count") == 0) {
      if (rec_count_what(rec, tok[1]) != number(tok[2]))
        layout_fail("%zu %s notices, want %s", rec_count_what(rec, tok[1]), tok[1], tok[2]);
    } else if (strcmp(kw, "absent") == 0) {
      if (rec_notice_of(rec, tok[1]))
        layout_fail("a %s notice", tok[1]);
    } else if (strcmp(kw, "notice") == 0) {
      check_notice(rec, tok, n);
    } else {
      layout_fail("unknown word %s", kw);
    }
  }
  drop_list(&l, &have);
  free(rec);
}

/* Reads the layouts into lines and layouts; false when it cannot. */
static bool read_layouts(void)
{
  FILE *f = fopen(LAYOUTS, "r");
  if (!f) {
    perror(LAYOUTS);
    return false;
  }
  char buf[1024];
  size_t cap = 0;
  while (fgets(buf, sizeof buf, f)) {
    buf[strcspn(buf, "\r\n")] = '\0';
    if (n_lines == cap) {
      cap = cap ? 2 * cap : 256;
      lines = realloc(lines, cap * sizeof *lines);
      if (!lines)
        abort();
    }
    lines[n_lines] = strdup(buf);
    if (strncmp(buf, "case ", 5) == 0) {
      if (n_cases == sizeof layouts / sizeof *layouts)
        abort();
      if (n_cases)
        layouts[n_cases - 1].end = n_lines;
      snprintf(layouts[n_cases].name, sizeof layouts[n_cases].name, "%.63s", buf + 5);
      layouts[n_cases++].first = n_lines + 1;
    }
    n_lines++;
  }
  fclose(f);
  if (n_cases)
    layouts[n_cases - 1].end = n_lines;
  return n_cases > 0;
}

/* ---------------------------------------------------------------------- */
/* Roots and caps.                                                         */

static void test_empty_and_odd_roots(void **state)
{
  (void)state;
  recorder rec;
  mk("empty");
  exh_host_list l = find("empty", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "empty");
  rec_assert_no_notices(&rec);
  exh_host_list_free(&l);

  /* a trailing slash stays as given; hosts below it get one slash */
  mk("slash/EX01/C/Windows");
  mk("slash/EX02/C/Windows");
  memset(&rec, 0, sizeof rec);
  char root[600];
  snprintf(root, sizeof root, "%s/slash/", base);
  exhunt_sink sink = rec_sink(&rec);
  assert_int_equal(exh_hunt_find_hosts(root, &sink, &l), EXHUNT_OK);
  assert_int_equal(l.n, 2);
  char want[700];
  snprintf(want, sizeof want, "%sEX01", root);
  assert_string_equal(l.hosts[0].path, want);
  exh_host_list_free(&l);

  /* the file-system root names itself (decided on a tree: no walk of /) */
  memset(&rec, 0, sizeof rec);
  exh_hosts_tree *t = NULL;
  assert_int_equal(exh_hosts_tree_new(&t), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_begin(t, EXH_HOSTS_ROOT), EXHUNT_OK);
  exh_hosts_tree_end(t, EXH_HOSTS_ROOT);
  assert_int_equal(exh_hosts_decide(t, "/", &sink, &l), EXHUNT_OK);
  assert_string_equal(l.hosts[0].path, "/");
  assert_string_equal(l.hosts[0].name, "/");
  exh_host_list_free(&l);
  exh_hosts_tree_free(t);

  /* bad arguments */
  assert_int_equal(exh_hunt_find_hosts(NULL, &sink, &l), EXHUNT_EINVAL);
  assert_int_equal(exh_hunt_find_hosts(root, NULL, &l), EXHUNT_EINVAL);
  exhunt_sink mute = {0};
  assert_int_equal(exh_hunt_find_hosts(root, &mute, &l), EXHUNT_EINVAL);
  assert_int_equal(l.n, 0);
  assert_int_equal(exh_hunt_find_hosts(root, &sink, NULL), EXHUNT_EINVAL);
  exh_host_list_free(NULL);
}

static void make_many(const char *rel, unsigned n)
{
  mk(rel);
  char p[1024];
  for (unsigned i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/%s/d%05u", base, rel, i);
    assert_int_equal(mkdir(p, 0755), 0);
  }
}

static void test_folder_cap(void **state)
{
  (void)state;
  recorder rec;
  /* more folders beside the hosts than the look may record: the root is
   * hunted whole, and a note names the hosts it saw */
  mk("cap/EX01/C/Windows");
  mk("cap/EX02/C/Windows");
  make_many("cap/many", EXH_HOSTS_MAX_DIRS);
  exh_host_list l = find("cap", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "cap");
  const rec_notice *n = rec_must_notice(&rec, "hosts-capped");
  assert_non_null(strstr(n->reason, "20000 folders"));
  exh_host_list_free(&l);
}

static void test_unreadable_folder(void **state)
{
  (void)state;
  if (geteuid() == 0) {
    /* root reads anything; the tree test covers the notice */
    skip();
  }
  recorder rec;
  mk("ur/EX01/C/Windows");
  mk("ur/EX02/C/Windows");
  mk("ur/locked/EX03/C/Windows");
  char p[600];
  snprintf(p, sizeof p, "%s/ur/locked", base);
  assert_int_equal(chmod(p, 0), 0);
  exh_host_list l = find("ur", &rec);
  assert_int_equal(chmod(p, 0755), 0);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  const rec_notice *n = rec_must_notice(&rec, "hosts-unreadable");
  assert_string_equal(n->path, p);
  assert_int_equal(n->code, EXHUNT_EACCES);
  assert_non_null(rec_notice_of(&rec, "hosts-unassigned"));
  exh_host_list_free(&l);
}

static void test_read_only(void **state)
{
  (void)state;
  recorder rec;
  mk("ro/EX01/C/Windows");
  mk("ro/EX02/C/Windows");
  char p[600];
  snprintf(p, sizeof p, "%s/ro/EX01", base);
  struct stat before, after;
  assert_int_equal(stat(p, &before), 0);
  exh_host_list l = find("ro", &rec);
  assert_int_equal(l.n, 2);
  exh_host_list_free(&l);
  assert_int_equal(stat(p, &after), 0);
  assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
              before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
  assert_true(before.st_ctim.tv_sec == after.st_ctim.tv_sec &&
              before.st_ctim.tv_nsec == after.st_ctim.tv_nsec);
}

/* ---------------------------------------------------------------------- */
/* The tree API and the pure parts.                                        */

static long long drive_letter_of(const char *name)
{
  return exh_hosts_drive_letter(name, strlen(name));
}

static void test_drive_letters(void **state)
{
  (void)state;
  static const tu_case cases[] = {
      {"C", 'C'},         {"c", 'C'},
      {"C:", 'C'},        {"d%3A", 'D'},
      {"C%3a", 'C'},      {"%5C%5C.%5CC%3A", 'C'},
      {"\\\\.\\E:", 'E'}, {"C$", 'C'},
      {"C_drive", 'C'},   {"drive_c", 'C'},
      {"Drive C", 'C'},   {"cdrive", 'C'},
      {"vol_f", 'F'},     {"CC", 0},
      {"C:x", 0},         {"", 0},
      {"1", 0},           {"%5C%5C.%5C", 0},
      {"Windows", 0},     {"C%3A%3A", 0},
      {"drive_", 0},      {"\xc3", 0},
  };
  TU_CHECK_CASES(cases, drive_letter_of);
  assert_int_equal(exh_hosts_drive_letter(NULL, 0), 0);
}

static void test_tree_api(void **state)
{
  (void)state;
  recorder rec;
  exhunt_sink sink = rec_sink(&rec);
  exh_hosts_tree *t = NULL;
  assert_int_equal(exh_hosts_tree_new(&t), EXHUNT_OK);
  uint32_t ex1, ex2, c1, c2, odd, none;
  /* protocol misuse */
  assert_int_equal(exh_hosts_tree_entry(t, 0, "x", 1, true, &none), EXHUNT_EINVAL);
  assert_int_equal(exh_hosts_tree_begin(t, 5), EXHUNT_EINVAL);
  assert_int_equal(exh_hosts_tree_begin(t, 0), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_begin(t, 0), EXHUNT_EINVAL);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "EX01", 4, true, &ex1), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "EX02", 4, true, &ex2), EXHUNT_OK);
  /* names no directory entry can have are ignored */
  assert_int_equal(exh_hosts_tree_entry(t, 0, "a/b", 3, true, &odd), EXHUNT_OK);
  assert_int_equal(odd, EXH_HOSTS_NONE);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "a\0b", 3, true, &odd), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "..", 2, true, &odd), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "", 0, true, &odd), EXHUNT_OK);
  assert_int_equal(odd, EXH_HOSTS_NONE);
  assert_int_equal(exh_hosts_tree_entry(t, 0, "unreadable", 10, true, &odd), EXHUNT_OK);
  assert_false(exh_hosts_tree_end(t, 0));
  assert_int_equal(exh_hosts_tree_count(t), 4);
  assert_int_equal(exh_hosts_tree_begin(t, ex1), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, ex1, "C", 1, true, &c1), EXHUNT_OK);
  assert_false(exh_hosts_tree_end(t, ex1));
  assert_int_equal(exh_hosts_tree_begin(t, ex2), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, ex2, "c%3A", 4, true, &c2), EXHUNT_OK);
  assert_false(exh_hosts_tree_end(t, ex2));
  exh_hosts_tree_unreadable(t, odd);
  /* a drive tree: its recorded folders are dropped */
  assert_int_equal(exh_hosts_tree_begin(t, c1), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, c1, "Windows", 7, true, &none), EXHUNT_OK);
  assert_int_not_equal(none, EXH_HOSTS_NONE);
  uint32_t before = exh_hosts_tree_count(t);
  assert_true(exh_hosts_tree_end(t, c1));
  assert_int_equal(exh_hosts_tree_count(t), before - 1);
  assert_int_equal(exh_hosts_tree_install(t, c1, "Exchange Server/V15", 19), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_install(t, ex1, "V15", 3), EXHUNT_EINVAL); /* not a drive */
  assert_int_equal(exh_hosts_tree_begin(t, c2), EXHUNT_OK);
  assert_int_equal(exh_hosts_tree_entry(t, c2, "$MFT", 4, false, &none), EXHUNT_OK);
  assert_true(exh_hosts_tree_end(t, c2));
  assert_int_equal(exh_hosts_tree_install(t, c2, "Program Files/Microsoft/Exchange Server/V15", 43),
                   EXHUNT_OK);
  memset(&rec, 0, sizeof rec);
  exh_host_list l;
  assert_int_equal(exh_hosts_decide(t, "/ev", &sink, &l), EXHUNT_OK);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.hosts[0].path, "/ev/EX01");
  assert_string_equal(l.hosts[1].path, "/ev/EX02");
  /* the unreadable folder outside the hosts: said, and unassigned */
  const rec_notice *n = rec_must_notice(&rec, "hosts-unreadable");
  assert_string_equal(n->path, "/ev/unreadable");
  assert_non_null(rec_notice_of(&rec, "hosts-unassigned"));
  assert_null(rec_notice_of(&rec, "hosts-two-installs"));
  exh_host_list_free(&l);
  assert_int_equal(exh_hosts_decide(t, "/ev", NULL, &l), EXHUNT_EINVAL);
  exh_hosts_tree_free(t);
  exh_hosts_tree_free(NULL);
}

static void test_root_not_listed(void **state)
{
  (void)state;
  /* a tree whose root was never listed: the root, with a note */
  static recorder rec;
  exhunt_sink sink = rec_sink(&rec);
  exh_hosts_tree *t = NULL;
  assert_int_equal(exh_hosts_tree_new(&t), EXHUNT_OK);
  exh_host_list l;
  assert_int_equal(exh_hosts_decide(t, "rel", &sink, &l), EXHUNT_OK);
  assert_false(l.split);
  assert_string_equal(l.hosts[0].path, "rel");
  assert_non_null(rec_notice_of(&rec, "hosts-capped"));
  exh_host_list_free(&l);
  exh_hosts_tree_free(t);
}

/* ---------------------------------------------------------------------- */
/* Allocation failures: every one is a clean ENOMEM with an empty list.    */

static exhunt_err sweep_once(const char *root, recorder *rec, exh_host_list *l)
{
  memset(rec, 0, sizeof *rec);
  exhunt_sink sink = rec_sink(rec);
  return exh_hunt_find_hosts(root, &sink, l);
}

static void test_alloc_sweep(void **state)
{
  (void)state;
  static recorder rec;
  mk("sw/out/EX01/C/Windows");
  mk("sw/out/EX01/C/Program Files/Microsoft/Exchange Server/V15/Bin");
  mk("sw/out/EX01/D/Exchange Server/V15/Logging");
  mk("sw/out/Collection-EX02-2021-03-05T10_00_00Z/uploads/auto/C%3A/inetpub");
  mk("sw/out/EX03/Exchange Server/V15/Bin");
  mk("sw/out/EX03/C_files/Windows");
  mk("sw/out/EX03/C_files/inetpub");
  touch("sw/out/notes.txt");
  touch("sw/out/EX04/u_ex210303.log");
  char root[600];
  snprintf(root, sizeof root, "%s/sw/out", base);
  exh_host_list l;
  assert_int_equal(sweep_once(root, &rec, &l), EXHUNT_OK);
  size_t want_hosts = l.n, want_notices = rec.n_notices;
  assert_int_equal(want_hosts, 4);
  assert_true(want_notices >= 4); /* split, unassigned, nested, two installs */
  exh_host_list_free(&l);
  for (int sticky = 0; sticky < 2; sticky++) {
    unsigned long n;
    for (n = 1; n < 100000; n++) {
      exh_alloc_fail_at(n, sticky);
      exhunt_err err = sweep_once(root, &rec, &l);
      unsigned long made = exh_alloc_count();
      exh_alloc_fail_at(0, 0);
      if (made < n) {
        assert_int_equal(err, EXHUNT_OK);
        assert_int_equal(l.n, want_hosts);
        assert_int_equal(rec.n_notices, want_notices);
        exh_host_list_free(&l);
        break;
      }
      assert_int_equal(err, EXHUNT_ENOMEM);
      assert_int_equal(l.n, 0);
      assert_null(l.hosts);
    }
    assert_true(n > 20);
  }
}

/* ---------------------------------------------------------------------- */
/* EXH_HOSTS_BENCH="DIR[:DIR...]" build/tests/test_hosts times the look on  */
/* each folder instead of testing (docs/hosts.md has the figures): the     */
/* fastest of 7 runs (warm cache), wall and CPU, and what it found.        */

static int bench(const char *dirs)
{
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dirs);
  for (char *dir = buf, *next; dir; dir = next) {
    next = strchr(dir, ':');
    if (next)
      *next++ = '\0';
    if (!*dir)
      continue;
    double best_wall = 1e9, best_cpu = 1e9;
    size_t hosts = 0, notices = 0;
    for (int run = 0; run < 7; run++) {
      static recorder seen;
      memset(&seen, 0, sizeof seen);
      exhunt_sink sink = rec_sink(&seen);
      exh_host_list l;
      double w0 = tu_seconds(TU_WALL), c0 = tu_seconds(TU_CPU);
      if (exh_hunt_find_hosts(dir, &sink, &l) != EXHUNT_OK)
        return 1;
      double w = tu_seconds(TU_WALL) - w0, c = tu_seconds(TU_CPU) - c0;
      best_wall = w < best_wall ? w : best_wall;
      best_cpu = c < best_cpu ? c : best_cpu;
      hosts = l.n;
      notices = seen.n_notices;
      exh_host_list_free(&l);
    }
    printf("%s: %.3f ms wall, %.3f ms CPU; %zu host(s), %zu notice(s)\n", dir, best_wall * 1e3,
           best_cpu * 1e3, hosts, notices);
  }
  return 0;
}

int main(void)
{
  const char *b = getenv("EXH_HOSTS_BENCH");
  if (b)
    return bench(b);
  if (!read_layouts())
    return 1;
  static const struct CMUnitTest more[] = {
      cmocka_unit_test(test_empty_and_odd_roots), cmocka_unit_test(test_folder_cap),
      cmocka_unit_test(test_unreadable_folder),   cmocka_unit_test(test_read_only),
      cmocka_unit_test(test_drive_letters),       cmocka_unit_test(test_tree_api),
      cmocka_unit_test(test_root_not_listed),     cmocka_unit_test(test_alloc_sweep),
  };
  size_t n_more = sizeof more / sizeof *more, n = n_cases + n_more;
  struct CMUnitTest *tests = calloc(n, sizeof *tests);
  if (!tests)
    return 1;
  for (size_t i = 0; i < n_cases; i++)
    tests[i] = (struct CMUnitTest){layouts[i].name, run_layout, NULL, NULL, &layouts[i]};
  memcpy(tests + n_cases, more, sizeof more);
  int failed = _cmocka_run_group_tests("tests", tests, n, make_base, remove_base);
  free(tests);
  for (size_t i = 0; i < n_lines; i++)
    free(lines[i]);
  free(lines);
  return failed;
}
