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
  char p[1024];
  int n = snprintf(p, sizeof p, "%s/%s", base, rel);
  assert_true(n > 0 && (size_t)n < sizeof p);
  for (char *s = p + strlen(base) + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
      fail_msg("mkdir %s: %s", p, strerror(errno));
    *s = '/';
  }
  if (mkdir(p, 0755) != 0 && errno != EEXIST)
    fail_msg("mkdir %s: %s", p, strerror(errno));
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

static const rec_notice *notice_of(const recorder *r, const char *what)
{
  for (size_t i = 0; i < r->n_notices; i++)
    if (strcmp(r->notices[i].what, what) == 0)
      return &r->notices[i];
  return NULL;
}

/* The notice with this tag; the test fails without one. */
static const rec_notice *must_notice(const recorder *r, const char *what)
{
  const rec_notice *n = notice_of(r, what);
  if (!n) {
    fail_msg("no %s notice", what);
    abort();
  }
  return n;
}

static void no_notices(const recorder *r)
{
  for (size_t i = 0; i < r->n_notices; i++)
    print_message("unexpected notice %s: %s\n", r->notices[i].what, r->notices[i].reason);
  assert_int_equal(r->n_notices, 0);
}

/* ---------------------------------------------------------------------- */

static void test_single_drive_root(void **state)
{
  (void)state;
  recorder rec;
  mk("srv/Windows/System32");
  mk("srv/inetpub/wwwroot/aspnet_client");
  mk("srv/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa");
  mk("srv/Program Files/Microsoft/Exchange Server/V15/Bin");
  touch("srv/Users/x/notes.txt");
  exh_host_list l = find("srv", &rec);
  assert_false(l.split);
  assert_int_equal(l.n, 1);
  host_is(&l, 0, "", "srv");
  no_notices(&rec);
  exh_host_list_free(&l);
  assert_null(l.hosts);
  assert_int_equal(l.n, 0);
}

static void test_host_folder_with_c_and_d(void **state)
{
  (void)state;
  recorder rec;
  mk("EX01/C/Windows/System32/winevt/Logs");
  mk("EX01/C/inetpub/logs/LogFiles/W3SVC1");
  mk("EX01/D/Program Files/Microsoft/Exchange Server/V15/Logging");
  touch("EX01/2021-03-05T101010_ConsoleLog.txt");
  exh_host_list l = find("EX01", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "EX01");
  no_notices(&rec);
  exh_host_list_free(&l);
}

static void test_kape_two_hosts(void **state)
{
  (void)state;
  recorder rec;
  mk("out/EX01/C/Windows/System32/config");
  touch("out/EX01/C/$MFT");
  touch("out/EX01/2021-03-05T101010_ConsoleLog.txt");
  mk("out/EX02/C/inetpub/logs/LogFiles/W3SVC1");
  mk("out/EX02/C/Program Files/Microsoft/Exchange Server/V15/Bin");
  exh_host_list l = find("out", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX01", "EX01");
  host_is(&l, 1, "EX02", "EX02");
  assert_int_equal(rec.n_notices, 1);
  const rec_notice *n = must_notice(&rec, "hosts-split");
  assert_int_equal(n->kind, EXHUNT_NOTICE_NOTE);
  assert_string_equal(n->path, root_path);
  assert_non_null(strstr(n->reason, "2 hosts"));
  assert_non_null(strstr(n->reason, "EX01, EX02"));
  exh_host_list_free(&l);
}

static void test_velociraptor_two_collections(void **state)
{
  (void)state;
  recorder rec;
  const char *c1 = "cases/Collection-EX01.corp.local-2021-03-05T10_00_00Z";
  const char *c2 = "cases/Collection-EX02-20210306101010Z";
  char p[512];
  snprintf(p, sizeof p, "%s/uploads/auto/C%%3A/Windows/System32/winevt/Logs", c1);
  mk(p);
  snprintf(p, sizeof p, "%s/uploads/auto/C%%3A/inetpub/logs", c1);
  mk(p);
  snprintf(p, sizeof p, "%s/uploads.json", c1);
  touch(p);
  snprintf(p, sizeof p, "%s/results/Windows.KapeFiles.Targets%%2FAll File Metadata.json", c1);
  touch(p);
  snprintf(p, sizeof p, "%s/uploads/ntfs/%%5C%%5C.%%5CC%%3A/Program Files/Microsoft", c2);
  mk(p);
  snprintf(p, sizeof p,
           "%s/uploads/ntfs_vss/%%5C%%5C%%3F%%5CGLOBALROOT%%5CDevice%%5CHarddiskVolumeShadowCopy1/"
           "Windows",
           c2);
  mk(p);
  snprintf(p, sizeof p, "%s/log.json", c2);
  touch(p);
  exh_host_list l = find("cases", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "Collection-EX01.corp.local-2021-03-05T10_00_00Z", "EX01.corp.local");
  host_is(&l, 1, "Collection-EX02-20210306101010Z", "EX02");
  assert_int_equal(rec.n_notices, 1);
  assert_non_null(notice_of(&rec, "hosts-split"));
  exh_host_list_free(&l);

  /* one collection as the root: itself, named after its host */
  l = find(c1, &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "EX01.corp.local");
  no_notices(&rec);
  exh_host_list_free(&l);
}

static void test_bare_install_roots(void **state)
{
  (void)state;
  recorder rec;
  mk("x/EX01/Exchange Server/V15/Bin");
  mk("x/EX01/Exchange Server/V15/Logging/HttpProxy/Ecp");
  mk("x/EX02/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server");
  mk("x/EX02/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth");
  exh_host_list l = find("x", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX01", "EX01");
  host_is(&l, 1, "EX02", "EX02");
  assert_int_equal(rec.n_notices, 1);
  exh_host_list_free(&l);

  /* an install root on its own is one server: the root */
  l = find("x/EX01/Exchange Server/V15", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "V15");
  no_notices(&rec);
  exh_host_list_free(&l);
}

static void test_install_on_another_drive(void **state)
{
  (void)state;
  recorder rec;
  /* D:\Exch\V15 (a custom install folder) and IIS on C: one host; a host
   * known only by its custom install folder on E: */
  mk("ad/EX04/D/Exch/V15/FrontEnd/HttpProxy/owa/auth");
  mk("ad/EX04/D/Exch/V15/Logging/HttpProxy/Owa");
  mk("ad/EX04/C/inetpub/logs/LogFiles/W3SVC1");
  mk("ad/EX05/E/MSExchange/V15/Logging");
  exh_host_list l = find("ad/EX04", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "EX04");
  no_notices(&rec);
  exh_host_list_free(&l);
  l = find("ad", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX04", "EX04");
  host_is(&l, 1, "EX05", "EX05");
  assert_int_equal(rec.n_notices, 1);
  exh_host_list_free(&l);
}

static void test_loose_files_beside_one_host(void **state)
{
  (void)state;
  recorder rec;
  mk("lf/EX01/C/Windows");
  touch("lf/notes.txt");
  touch("lf/a-first.txt");
  exh_host_list l = find("lf", &rec);
  /* one host: the root as it is (so nothing goes unhunted), named after it */
  assert_false(l.split);
  host_is(&l, 0, "", "EX01");
  assert_int_equal(rec.n_notices, 1);
  const rec_notice *n = must_notice(&rec, "hosts-beside");
  assert_int_equal(n->kind, EXHUNT_NOTICE_NOTE);
  char want[1100];
  snprintf(want, sizeof want, "%s/a-first.txt", root_path);
  assert_string_equal(n->path, want);
  assert_non_null(strstr(n->reason, "2 entries"));
  exh_host_list_free(&l);
}

static void test_unassigned_beside_two_hosts(void **state)
{
  (void)state;
  recorder rec;
  mk("ua/batch/EX01/C/Windows");
  mk("ua/batch/EX02/C/Windows");
  touch("ua/batch/readme.txt");
  touch("ua/notes.txt");
  mk("ua/zips/old");
  touch("ua/Collection-EX01.zip");
  exh_host_list l = find("ua", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "batch/EX01", "EX01");
  host_is(&l, 1, "batch/EX02", "EX02");
  const rec_notice *n = must_notice(&rec, "hosts-unassigned");
  assert_int_equal(n->kind, EXHUNT_NOTICE_ERROR);
  assert_int_equal(n->code, EXHUNT_EUNSUPPORTED);
  char want[1100];
  snprintf(want, sizeof want, "%s/Collection-EX01.zip", root_path);
  assert_string_equal(n->path, want);
  assert_non_null(strstr(n->reason, "4 entries"));
  assert_non_null(strstr(n->reason, "not hunted"));
  assert_int_equal(rec.n_notices, 2);
  exh_host_list_free(&l);
}

static void test_nested_host(void **state)
{
  (void)state;
  recorder rec;
  mk("n/EX01/Exchange Server/V15/Logging");
  mk("n/EX01/C_files/Windows");
  mk("n/EX01/C_files/inetpub");
  mk("n/EX02/C/Windows");
  exh_host_list l = find("n", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX01", "EX01");
  host_is(&l, 1, "EX02", "EX02");
  const rec_notice *n = must_notice(&rec, "hosts-nested");
  char want[1100];
  snprintf(want, sizeof want, "%s/EX01/C_files", root_path);
  assert_string_equal(n->path, want);
  assert_non_null(strstr(n->reason, "inside the host EX01"));
  assert_int_equal(rec.n_notices, 2);
  exh_host_list_free(&l);
}

static void test_symlinks_not_followed(void **state)
{
  (void)state;
  recorder rec;
  mk("elsewhere/EX03/C/Windows");
  mk("elsewhere/EX03/C/inetpub");
  mk("s/EX01/C/Windows");
  mk("s/EX02/C/Windows");
  char target[512];
  snprintf(target, sizeof target, "%s/elsewhere/EX03", base);
  link_to(target, "s/EX03"); /* a link to another host: not followed */
  link_to(target, "s/EX01/other");
  link_to("../../elsewhere/EX03/C", "s/EX02/D"); /* a drive that is a link */
  exh_host_list l = find("s", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX01", "EX01");
  host_is(&l, 1, "EX02", "EX02");
  /* the link beside the hosts is named, not followed */
  const rec_notice *n = must_notice(&rec, "hosts-unassigned");
  char want[1100];
  snprintf(want, sizeof want, "%s/EX03", root_path);
  assert_string_equal(n->path, want);
  assert_null(notice_of(&rec, "hosts-nested"));
  exh_host_list_free(&l);

  /* a host folder whose only drive is a link: not a host */
  mk("t/EX01/C/Windows");
  link_to(target, "t/EX02");
  l = find("t", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "EX01");
  assert_non_null(notice_of(&rec, "hosts-beside"));
  exh_host_list_free(&l);

  /* the root itself may be a link (resolved once, as the walker does) */
  char real[512];
  snprintf(real, sizeof real, "%s/s", base);
  link_to(real, "root-link");
  l = find("root-link", &rec);
  assert_true(l.split);
  host_is(&l, 0, "EX01", "EX01");
  exh_host_list_free(&l);
}

static void test_case_variants(void **state)
{
  (void)state;
  recorder rec;
  mk("cv/ex01/c/WINDOWS");
  mk("cv/ex02/c/PROGRAM FILES/MICROSOFT/EXCHANGE SERVER/v15/LOGGING");
  mk("cv/ex03/C%3a/iNetPub");
  mk("cv/ex04/PROGRAM FILES/microsoft/exchange server/V15/bin");
  mk("cv/ex05/UPLOADS/Auto/c%3A/users");
  exh_host_list l = find("cv", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 5);
  host_is(&l, 0, "ex01", "ex01");
  host_is(&l, 1, "ex02", "ex02");
  host_is(&l, 2, "ex03", "ex03");
  host_is(&l, 3, "ex04", "ex04");
  host_is(&l, 4, "ex05", "ex05");
  assert_int_equal(rec.n_notices, 1);
  exh_host_list_free(&l);
}

static void test_empty_and_odd_roots(void **state)
{
  (void)state;
  recorder rec;
  mk("empty");
  exh_host_list l = find("empty", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "empty");
  no_notices(&rec);
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

  /* a file, a missing path: one server as given, nothing said (the walk says it) */
  touch("afile.log");
  l = find("afile.log", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "afile.log");
  no_notices(&rec);
  exh_host_list_free(&l);
  l = find("does-not-exist", &rec);
  host_is(&l, 0, "", "does-not-exist");
  no_notices(&rec);
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

static void test_depth_cap(void **state)
{
  (void)state;
  recorder rec;
  /* two KAPE hosts whose drives sit 10 levels down: unseen */
  mk("deep/a/b/c/d/e/f/g/EX01/C/Windows");
  mk("deep/a/b/c/d/e/f/g/EX02/C/Windows");
  exh_host_list l = find("deep", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "deep");
  const rec_notice *n = must_notice(&rec, "hosts-capped");
  assert_int_equal(n->code, EXHUNT_ELIMIT);
  assert_non_null(strstr(n->reason, "8 levels deep"));
  exh_host_list_free(&l);

  /* at 8 levels they are seen */
  mk("deep8/a/b/c/d/e/f/EX01/C/Windows");
  mk("deep8/a/b/c/d/e/f/EX02/C/Windows");
  l = find("deep8", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  exh_host_list_free(&l);

  /* depth inside a host does not matter */
  mk("deepin/EX01/C/Windows");
  mk("deepin/EX02/C/Windows");
  mk("deepin/EX02/junk/a/b/c/d/e/f/g/h/i");
  l = find("deepin", &rec);
  assert_true(l.split);
  assert_null(notice_of(&rec, "hosts-capped"));
  exh_host_list_free(&l);
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
  const rec_notice *n = must_notice(&rec, "hosts-capped");
  assert_non_null(strstr(n->reason, "20000 folders"));
  exh_host_list_free(&l);
}

static void test_two_installs(void **state)
{
  (void)state;
  recorder rec;
  mk("ti/EX01/C/Windows");
  mk("ti/EX01/C/Program Files/Microsoft/Exchange Server/V15/Bin");
  mk("ti/EX01/D/Exchange Server/V15/Logging");
  mk("ti/EX02/C/Windows");
  /* the same install through two Velociraptor accessors and a shadow copy */
  mk("ti/Collection-EX03-2021-03-05T10_00_00Z/uploads/auto/C%3A/Program "
     "Files/Microsoft/Exchange Server/V15/Logging");
  mk("ti/Collection-EX03-2021-03-05T10_00_00Z/uploads/ntfs/%5C%5C.%5CC%3A/Program "
     "Files/Microsoft/Exchange Server/V15/Logging");
  mk("ti/Collection-EX03-2021-03-05T10_00_00Z/uploads/ntfs_vss/"
     "%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy3/Program "
     "Files/Microsoft/Exchange Server/V15/Logging");
  exh_host_list l = find("ti", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 3);
  host_is(&l, 0, "Collection-EX03-2021-03-05T10_00_00Z", "EX03");
  host_is(&l, 1, "EX01", "EX01");
  host_is(&l, 2, "EX02", "EX02");
  assert_int_equal(rec_count_what(&rec, "hosts-two-installs"), 1);
  const rec_notice *n = must_notice(&rec, "hosts-two-installs");
  char want[1100];
  snprintf(want, sizeof want, "%s/EX01", root_path);
  assert_string_equal(n->path, want);
  assert_non_null(strstr(n->reason, "EX01/C/Program Files/Microsoft/Exchange Server/V15"));
  assert_non_null(strstr(n->reason, "EX01/D/Exchange Server/V15"));
  exh_host_list_free(&l);

  /* one host as the root: still said */
  l = find("ti/EX01", &rec);
  assert_false(l.split);
  assert_non_null(notice_of(&rec, "hosts-two-installs"));
  exh_host_list_free(&l);
}

static void test_loose_logs(void **state)
{
  (void)state;
  recorder rec;
  /* per host: the same kinds of logs in each folder -> one server each */
  touch("ll/EX01/HttpProxy_2021030312-1.LOG");
  touch("ll/EX01/W3SVC1/u_ex210303.log");
  touch("ll/EX02/logs/W3SVC1/u_ex210303.log");
  touch("ll/EX02/logs/HttpProxy/Owa/HttpProxy_2021030312-1.LOG");
  exh_host_list l = find("ll", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 0, "EX01", "EX01");
  host_is(&l, 1, "EX02", "EX02");
  exh_host_list_free(&l);

  /* per kind of log: one server's logs sorted by type -> one server, said */
  touch("lk/iis/u_ex210303.log");
  touch("lk/exchange/HttpProxy_2021030312-1.LOG");
  touch("lk/exchange/ECPServer20210303-1.LOG");
  touch("lk/events/Security.evtx");
  l = find("lk", &rec);
  assert_false(l.split);
  host_is(&l, 0, "", "lk");
  const rec_notice *n = must_notice(&rec, "hosts-logs-merged");
  assert_int_equal(n->kind, EXHUNT_NOTICE_NOTE);
  exh_host_list_free(&l);

  /* beside two drive hosts, a folder of loose logs is a server of its own */
  mk("lb/EX01/C/Windows");
  mk("lb/EX02/C/Windows");
  touch("lb/EX03-logs/u_ex210303.log");
  /* and loose logs inside a host are that host's, silently */
  touch("lb/EX01/extra/HttpProxy_2021030312-1.LOG");
  l = find("lb", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 3);
  host_is(&l, 2, "EX03-logs", "EX03-logs");
  assert_int_equal(rec.n_notices, 1);
  exh_host_list_free(&l);

  /* a drive host beside a folder of one host's gathered logs (IIS and
   * Exchange): two servers */
  mk("mx/EX01/C/Windows");
  touch("mx/EX02/u_ex210303.log");
  touch("mx/EX02/HttpProxy_2021030312-1.LOG");
  l = find("mx", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 2);
  host_is(&l, 1, "EX02", "EX02");
  exh_host_list_free(&l);

  /* samples of one kind, one per folder: not hosts (one server, said) */
  touch("sm/4624/Security.evtx");
  touch("sm/4688/Security.evtx");
  touch("sm/sysmon/Microsoft-Windows-Sysmon%4Operational.evtx");
  l = find("sm", &rec);
  assert_false(l.split);
  n = must_notice(&rec, "hosts-logs-merged");
  assert_non_null(strstr(n->reason, "3 separate folders"));
  assert_int_equal(rec.n_notices, 1);
  exh_host_list_free(&l);

  /* /var/log-like folders are no hosts: nothing Exchange, IIS or Windows */
  touch("vl/apache2/access.log");
  touch("vl/nginx/error.log");
  l = find("vl", &rec);
  assert_false(l.split);
  no_notices(&rec);
  exh_host_list_free(&l);
}

static void test_same_names_and_hostile_bytes(void **state)
{
  (void)state;
  recorder rec;
  mk("sn/EX01/Triage/C/Windows");
  mk("sn/EX02/Triage/C/Windows");
  mk("sn/EX\n03 \xff\"<x>/C/Windows");
  exh_host_list l = find("sn", &rec);
  assert_true(l.split);
  assert_int_equal(l.n, 3);
  /* drive C's host is Triage, twice: told apart by their paths */
  /* in byte order: '\n' sorts before '0' */
  host_is(&l, 0, "EX\n03 \xff\"<x>", "EX\n03 \xff\"<x>");
  host_is(&l, 1, "EX01/Triage", "EX01/Triage");
  host_is(&l, 2, "EX02/Triage", "EX02/Triage");
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
  const rec_notice *n = must_notice(&rec, "hosts-unreadable");
  assert_string_equal(n->path, p);
  assert_int_equal(n->code, EXHUNT_EACCES);
  assert_non_null(notice_of(&rec, "hosts-unassigned"));
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

static void test_drive_letters(void **state)
{
  (void)state;
  static const struct {
    const char *name;
    char letter;
  } cases[] = {
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
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    assert_int_equal(exh_hosts_drive_letter(cases[i].name, strlen(cases[i].name)), cases[i].letter);
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
  const rec_notice *n = must_notice(&rec, "hosts-unreadable");
  assert_string_equal(n->path, "/ev/unreadable");
  assert_non_null(notice_of(&rec, "hosts-unassigned"));
  assert_null(notice_of(&rec, "hosts-two-installs"));
  exh_host_list_free(&l);
  assert_int_equal(exh_hosts_decide(t, "/ev", NULL, &l), EXHUNT_EINVAL);
  exh_hosts_tree_free(t);
  exh_hosts_tree_free(NULL);
}

static void test_root_not_listed(void **state)
{
  (void)state;
  /* a tree whose root was never listed: the root, with a note */
  recorder rec;
  memset(&rec, 0, sizeof rec);
  exhunt_sink sink = rec_sink(&rec);
  exh_hosts_tree *t = NULL;
  assert_int_equal(exh_hosts_tree_new(&t), EXHUNT_OK);
  exh_host_list l;
  assert_int_equal(exh_hosts_decide(t, "rel", &sink, &l), EXHUNT_OK);
  assert_false(l.split);
  assert_string_equal(l.hosts[0].path, "rel");
  assert_non_null(notice_of(&rec, "hosts-capped"));
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

static double now_s(clockid_t clk)
{
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_notice(void *ctx, const exhunt_notice *n)
{
  (void)n;
  (*(size_t *)ctx)++;
}

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
      size_t seen = 0;
      exhunt_sink sink = {.ctx = &seen, .on_notice = count_notice};
      exh_host_list l;
      double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
      if (exh_hunt_find_hosts(dir, &sink, &l) != EXHUNT_OK)
        return 1;
      double w = now_s(CLOCK_MONOTONIC) - w0, c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
      best_wall = w < best_wall ? w : best_wall;
      best_cpu = c < best_cpu ? c : best_cpu;
      hosts = l.n;
      notices = seen;
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
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_single_drive_root),
      cmocka_unit_test(test_host_folder_with_c_and_d),
      cmocka_unit_test(test_kape_two_hosts),
      cmocka_unit_test(test_velociraptor_two_collections),
      cmocka_unit_test(test_bare_install_roots),
      cmocka_unit_test(test_install_on_another_drive),
      cmocka_unit_test(test_loose_files_beside_one_host),
      cmocka_unit_test(test_unassigned_beside_two_hosts),
      cmocka_unit_test(test_nested_host),
      cmocka_unit_test(test_symlinks_not_followed),
      cmocka_unit_test(test_case_variants),
      cmocka_unit_test(test_empty_and_odd_roots),
      cmocka_unit_test(test_depth_cap),
      cmocka_unit_test(test_folder_cap),
      cmocka_unit_test(test_two_installs),
      cmocka_unit_test(test_loose_logs),
      cmocka_unit_test(test_same_names_and_hostile_bytes),
      cmocka_unit_test(test_unreadable_folder),
      cmocka_unit_test(test_read_only),
      cmocka_unit_test(test_drive_letters),
      cmocka_unit_test(test_tree_api),
      cmocka_unit_test(test_root_not_listed),
      cmocka_unit_test(test_alloc_sweep),
  };
  return cmocka_run_group_tests(tests, make_base, remove_base);
}
