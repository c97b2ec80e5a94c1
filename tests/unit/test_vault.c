/*
 * test_vault.c - lib/vault on real trees made by the test: quarantine and
 * restore round trip (content, mode, mtime), each refusal (outside root,
 * symlink, allowlisted path and hash, changed since the finding, vault
 * inside a root), dry runs that change nothing, verify finding corrupt and
 * missing objects, restore refusing to overwrite, and a torn manifest line.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "exhunt/vault.h"
#include "vault/vault_int.h"

static char base[256], root[300], vault[300];

typedef struct events {
  exhunt_vault_outcome outcome[64];
  char id[64][32];
  size_t n;
} events;

static void on_event(void *ctx, const exhunt_vault_event *ev)
{
  events *e = ctx;
  if (e && e->n < 64) {
    e->outcome[e->n] = ev->outcome;
    snprintf(e->id[e->n], sizeof e->id[e->n], "%s", ev->id ? ev->id : "");
    e->n++;
  }
}

static int make_tree(void **state)
{
  (void)state;
  snprintf(base, sizeof base, "/tmp/exhunt-vault-XXXXXX");
  if (!mkdtemp(base))
    return -1;
  snprintf(root, sizeof root, "%s/root", base);
  snprintf(vault, sizeof vault, "%s/vault", base);
  return mkdir(root, 0755);
}

static int remove_tree(void **state)
{
  (void)state;
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  return system(cmd) == 0 ? 0 : -1;
}

static void sha256_of(const void *data, size_t len, uint8_t out[32])
{
  EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL);
}

static void in_root(char *out, size_t cap, const char *name)
{
  snprintf(out, cap, "%s/%s", root, name);
}

static exhunt_vault_opts opts_for(void)
{
  static const char *roots[1];
  roots[0] = root;
  exhunt_vault_opts o;
  memset(&o, 0, sizeof o);
  o.vault = vault;
  o.roots = roots;
  o.n_roots = 1;
  return o;
}

static exhunt_vault_item item(const char *path)
{
  exhunt_vault_item it;
  memset(&it, 0, sizeof it);
  it.path = path;
  return it;
}

static bool exists(const char *path)
{
  struct stat st;
  return lstat(path, &st) == 0;
}

static void test_round_trip(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "shell.aspx");
  const char body[] = "<%@ Page Language=\"C#\" %><% eval(Request[\"x\"]); %>";
  write_file(p, body, sizeof body - 1);
  chmod(p, 0640);
  struct timespec ts[2] = {{1614556800, 0}, {1614643200, 123456789}};
  utimensat(AT_FDCWD, p, ts, 0);

  exhunt_vault_opts o = opts_for();
  exhunt_vault_item it = item(p);
  sha256_of(body, sizeof body - 1, it.sha256);
  it.have_sha256 = true;
  const char *ids[] = {"F1"}, *rules[] = {"exhunt.heur.request_exec"};
  it.finding_ids = ids;
  it.rules = rules;
  it.n_findings = 1;
  events ev = {0};
  exhunt_vault_stats stats = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, &stats), EXHUNT_OK);
  assert_int_equal(ev.n, 1);
  assert_int_equal(ev.outcome[0], EXHUNT_VAULT_DONE);
  assert_false(exists(p));

  /* Stored neutralised: gzip under its hash, no .aspx anywhere. */
  char name[128], obj[600];
  exh_vault_object_name(it.sha256, name, sizeof name);
  snprintf(obj, sizeof obj, "%s/%s", vault, name);
  assert_true(exists(obj));
  assert_null(strstr(name, ".aspx"));
  int fd = open(obj, O_RDONLY);
  unsigned char magic[2] = {0};
  assert_int_equal(read(fd, magic, 2), 2);
  close(fd);
  assert_int_equal(magic[0], 0x1f);
  assert_int_equal(magic[1], 0x8b);

  events v = {0};
  assert_int_equal(exhunt_vault_verify(vault, on_event, &v, NULL), EXHUNT_OK);
  assert_int_equal(v.n, 1);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DONE);

  events r = {0};
  assert_int_equal(exhunt_vault_restore(&o, ev.id[0], on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], EXHUNT_VAULT_DONE);
  char got[256] = {0};
  fd = open(p, O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(read(fd, got, sizeof got), (ssize_t)(sizeof body - 1));
  close(fd);
  assert_memory_equal(got, body, sizeof body - 1);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  assert_int_equal(st.st_mtim.tv_sec, 1614643200);
  assert_int_equal(st.st_mtim.tv_nsec, 123456789);
}

static void test_refusals(void **state)
{
  (void)state;
  char outside[400], link[400], allowed[400], hashed[400], changed[400], fifo[400];
  snprintf(outside, sizeof outside, "%s/outside.aspx", base);
  write_file(outside, "o", 1);
  in_root(link, sizeof link, "link.aspx");
  assert_int_equal(symlink(outside, link), 0);
  in_root(allowed, sizeof allowed, "aspnet_client/ok.aspx");
  char dir[400];
  in_root(dir, sizeof dir, "aspnet_client");
  mkdir(dir, 0755);
  write_file(allowed, "allowed", 7);
  in_root(hashed, sizeof hashed, "vendor.aspx");
  write_file(hashed, "vendor", 6);
  in_root(changed, sizeof changed, "changed.aspx");
  write_file(changed, "now", 3);
  in_root(fifo, sizeof fifo, "fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);

  exhunt_vault_opts o = opts_for();
  const char *globs[] = {"*/aspnet_client/*"};
  uint8_t hashes[1][32];
  sha256_of("vendor", 6, hashes[0]);
  o.allow_globs = globs;
  o.n_allow_globs = 1;
  o.allow_sha256 = (const uint8_t(*)[32])hashes;
  o.n_allow_sha256 = 1;
  exhunt_vault_item items[6] = {item(outside), item(link),    item(allowed),
                                item(hashed),  item(changed), item(fifo)};
  sha256_of("then", 4, items[4].sha256);
  items[4].have_sha256 = true;
  events ev = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, items, 6, on_event, &ev, NULL), EXHUNT_OK);
  assert_int_equal(ev.n, 6);
  assert_int_equal(ev.outcome[0], EXHUNT_VAULT_REFUSED_ROOT);
  assert_int_equal(ev.outcome[1], EXHUNT_VAULT_REFUSED_SYMLINK);
  assert_int_equal(ev.outcome[2], EXHUNT_VAULT_REFUSED_ALLOWED);
  assert_int_equal(ev.outcome[3], EXHUNT_VAULT_REFUSED_ALLOWED);
  assert_int_equal(ev.outcome[4], EXHUNT_VAULT_REFUSED_CHANGED);
  assert_int_equal(ev.outcome[5], EXHUNT_VAULT_REFUSED_TYPE);
  for (size_t i = 0; i < 6; i++)
    assert_true(exists(items[i].path));

  /* Nothing was recorded, and no temp left behind. */
  char tmpdir[400], cmd[500];
  snprintf(tmpdir, sizeof tmpdir, "%s/tmp", vault);
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmpdir);
  assert_int_equal(system(cmd), 0);
  events none = {0};
  assert_int_equal(exhunt_vault_verify(vault, on_event, &none, NULL), EXHUNT_OK);
  assert_int_equal(none.n, 0);
}

static void test_vault_inside_root(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "a.aspx");
  write_file(p, "a", 1);
  exhunt_vault_opts o = opts_for();
  char inside[400];
  in_root(inside, sizeof inside, "vault");
  o.vault = inside;
  exhunt_vault_item it = item(p);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, NULL, NULL), EXHUNT_EINVAL);
  assert_false(exists(inside));
  assert_true(exists(p));
}

static void test_dry_run(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "a.aspx");
  write_file(p, "a", 1);
  exhunt_vault_opts o = opts_for();
  o.dry_run = true;
  exhunt_vault_item it = item(p);
  events ev = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_OK);
  assert_int_equal(ev.outcome[0], EXHUNT_VAULT_DRY_RUN);
  assert_true(exists(p));
  assert_false(exists(vault)); /* not even created */

  /* Restore dry run on a real vault: the file stays away. */
  o.dry_run = false;
  events q = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &q, NULL), EXHUNT_OK);
  assert_false(exists(p));
  o.dry_run = true;
  events r = {0};
  assert_int_equal(exhunt_vault_restore(&o, p, on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], EXHUNT_VAULT_DRY_RUN);
  assert_false(exists(p));
}

static void test_verify_damage(void **state)
{
  (void)state;
  char a[400], b[400];
  in_root(a, sizeof a, "a.aspx");
  in_root(b, sizeof b, "b.aspx");
  write_file(a, "aaaaaaaaaaaaaaaaaaaaaaaa", 24);
  write_file(b, "bbbbbbbbbbbbbbbbbbbbbbbb", 24);
  exhunt_vault_opts o = opts_for();
  exhunt_vault_item items[2] = {item(a), item(b)};
  assert_int_equal(exhunt_vault_quarantine(&o, items, 2, on_event, NULL, NULL), EXHUNT_OK);

  uint8_t ha[32], hb[32];
  sha256_of("aaaaaaaaaaaaaaaaaaaaaaaa", 24, ha);
  sha256_of("bbbbbbbbbbbbbbbbbbbbbbbb", 24, hb);
  char name[128], obj[600];
  exh_vault_object_name(ha, name, sizeof name);
  snprintf(obj, sizeof obj, "%s/%s", vault, name);
  chmod(obj, 0600);
  int fd = open(obj, O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, "\xff\xff\xff", 3, 12), 3); /* inside the deflate data */
  close(fd);
  exh_vault_object_name(hb, name, sizeof name);
  snprintf(obj, sizeof obj, "%s/%s", vault, name);
  assert_int_equal(unlink(obj), 0);

  events v = {0};
  exhunt_vault_stats stats = {0};
  assert_int_equal(exhunt_vault_verify(vault, on_event, &v, &stats), EXHUNT_OK);
  assert_int_equal(v.n, 2);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DAMAGED);
  assert_int_equal(v.outcome[1], EXHUNT_VAULT_MISSING);

  /* A damaged object is never restored. */
  events r = {0};
  assert_int_equal(exhunt_vault_restore(&o, a, on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], EXHUNT_VAULT_DAMAGED);
  assert_false(exists(a));
}

static void test_restore_no_overwrite(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "a.aspx");
  write_file(p, "old", 3);
  exhunt_vault_opts o = opts_for();
  exhunt_vault_item it = item(p);
  events q = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &q, NULL), EXHUNT_OK);
  write_file(p, "new", 3);
  events r = {0};
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], EXHUNT_VAULT_REFUSED_EXISTS);
  char got[8] = {0};
  int fd = open(p, O_RDONLY);
  assert_int_equal(read(fd, got, sizeof got), 3);
  close(fd);
  assert_string_equal(got, "new");

  o.force = true;
  events f = {0};
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &f, NULL), EXHUNT_OK);
  assert_int_equal(f.outcome[0], EXHUNT_VAULT_DONE);
  memset(got, 0, sizeof got);
  fd = open(p, O_RDONLY);
  assert_int_equal(read(fd, got, sizeof got), 3);
  close(fd);
  assert_string_equal(got, "old");

  assert_int_equal(exhunt_vault_restore(&o, "q-nosuchid", on_event, NULL, NULL), EXHUNT_ENOENT);
}

/* A name that is not UTF-8 is kept exactly (path_b64) and comes back. */
static void test_non_utf8_name(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "bad\xff\x01name.aspx");
  write_file(p, "x", 1);
  exhunt_vault_opts o = opts_for();
  exhunt_vault_item it = item(p);
  events q = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &q, NULL), EXHUNT_OK);
  assert_int_equal(q.outcome[0], EXHUNT_VAULT_DONE);
  assert_false(exists(p));
  events r = {0};
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], EXHUNT_VAULT_DONE);
  assert_true(exists(p));
}

static void count_entry(void *ctx, const exhunt_vault_entry *e)
{
  (void)e;
  (*(size_t *)ctx)++;
}

/* A crash mid-append leaves a line without its newline: readers skip it,
 * and the next writer fences it off so its own record stays whole. */
static void test_torn_manifest(void **state)
{
  (void)state;
  char a[400], b[400], m[400];
  in_root(a, sizeof a, "a.aspx");
  in_root(b, sizeof b, "b.aspx");
  write_file(a, "a", 1);
  write_file(b, "b", 1);
  exhunt_vault_opts o = opts_for();
  exhunt_vault_item it = item(a);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, NULL, NULL), EXHUNT_OK);
  snprintf(m, sizeof m, "%s/manifest.jsonl", vault);
  int fd = open(m, O_WRONLY | O_APPEND);
  assert_int_equal(write(fd, "{\"schema\":\"exhunt/1\",\"type\":\"quar", 33), 33);
  close(fd);
  size_t n = 0;
  assert_int_equal(exhunt_vault_list(vault, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
  it = item(b);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, NULL, NULL), EXHUNT_OK);
  n = 0;
  assert_int_equal(exhunt_vault_list(vault, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 2);
}

/* Every allocation failing in turn: no crash, no leak (under ASan), and
 * the original never lost whatever the outcome. */
static void test_alloc_failures(void **state)
{
  (void)state;
  char p[400];
  in_root(p, sizeof p, "a.aspx");
  unsigned long i;
  for (i = 1; i < 200; i++) {
    if (!exists(p))
      write_file(p, "content", 7);
    exhunt_vault_opts o = opts_for();
    exhunt_vault_item it = item(p);
    events ev = {0};
    exh_alloc_fail_at(i, 1);
    exhunt_err err = exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL);
    unsigned long used = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (!(err == EXHUNT_OK && ev.n == 1 && ev.outcome[0] == EXHUNT_VAULT_DONE))
      assert_true(exists(p));
    if (used < i)
      break; /* this run made fewer allocations than i: swept them all */
  }
  assert_true(i > 4 && i < 200); /* several sites reached, and the end */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_round_trip, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_refusals, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_vault_inside_root, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_dry_run, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_verify_damage, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_restore_no_overwrite, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_torn_manifest, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_non_utf8_name, make_tree, remove_tree),
      cmocka_unit_test_setup_teardown(test_alloc_failures, make_tree, remove_tree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
