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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/testutil.h"
#include "core/alloc.h"
#include "exhunt/vault.h"
#include "vault/vault_int.h"

static char root[300], vault[300];

typedef struct events {
  exhunt_vault_outcome outcome[64];
  char id[64][32];
  char reason[64][256];
  bool object[64]; /* the event named an object */
  size_t n;
} events;

static void on_event(void *ctx, const exhunt_vault_event *ev)
{
  events *e = ctx;
  if (e && e->n < 64) {
    e->outcome[e->n] = ev->outcome;
    snprintf(e->id[e->n], sizeof e->id[e->n], "%s", ev->id ? ev->id : "");
    snprintf(e->reason[e->n], sizeof e->reason[e->n], "%s", ev->reason ? ev->reason : "");
    e->object[e->n] = ev->object != NULL;
    e->n++;
  }
}

/* The test's temporary folder holds root/, the evidence, and vault/. */
static int make_root_dir(void);
static tu_fixture fx = {.each = TU_ROOT, .tag = "vault", .prepare = make_root_dir};
static char *const base = fx.root;

static int make_root_dir(void)
{
  snprintf(root, sizeof root, "%s/root", base);
  snprintf(vault, sizeof vault, "%s/vault", base);
  return mkdir(root, 0755);
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

/* root/name into out, written with text. */
static void put_in_root(char *out, size_t cap, const char *name, const char *text)
{
  in_root(out, cap, name);
  write_file(out, text, strlen(text));
}

/* Quarantines path under o (events into ev, which may be NULL): the call
 * succeeds. */
static void quarantine_ok(const exhunt_vault_opts *o, const char *path, events *ev)
{
  exhunt_vault_item it = item(path);
  assert_int_equal(exhunt_vault_quarantine(o, &it, 1, on_event, ev, NULL), EXHUNT_OK);
}

/* root/a.aspx written ("a") into path, its item into *it; returns the
 * default opts. */
static exhunt_vault_opts with_file(char *path, size_t cap, exhunt_vault_item *it)
{
  put_in_root(path, cap, "a.aspx", "a");
  *it = item(path);
  return opts_for();
}

/* root/name written with text and quarantined under the default opts,
 * which are returned (events into ev, which may be NULL). */
static exhunt_vault_opts quarantined(char *path, size_t cap, const char *name, const char *text,
                                     events *ev)
{
  put_in_root(path, cap, name, text);
  exhunt_vault_opts o = opts_for();
  quarantine_ok(&o, path, ev);
  return o;
}

/* Restores `what` under o: the call succeeds and its first event is `want`. */
static events restore_expect(const exhunt_vault_opts *o, const char *what,
                             exhunt_vault_outcome want)
{
  events r = {0};
  assert_int_equal(exhunt_vault_restore(o, what, on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.outcome[0], want);
  return r;
}

/* The path of the vault's object for these bytes. */
static void object_path(const void *data, size_t len, char *obj, size_t cap)
{
  uint8_t h[32];
  char name[128];
  sha256_of(data, len, h);
  exh_vault_object_name(h, name, sizeof name);
  snprintf(obj, cap, "%s/%s", vault, name);
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
  assert_true(ev.object[0]);
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
  assert_int_equal(exhunt_vault_verify(vault, NULL, on_event, &v, NULL), EXHUNT_OK);
  assert_int_equal(v.n, 1);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DONE);

  restore_expect(&o, ev.id[0], EXHUNT_VAULT_DONE);
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
  put_in_root(hashed, sizeof hashed, "vendor.aspx", "vendor");
  put_in_root(changed, sizeof changed, "changed.aspx", "now");
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
  for (size_t i = 0; i < 6; i++) {
    assert_true(exists(items[i].path));
    assert_false(ev.object[i]); /* no object named for what was not stored */
  }

  /* Nothing was recorded, and no temp left behind. */
  char tmpdir[400], cmd[500];
  snprintf(tmpdir, sizeof tmpdir, "%s/tmp", vault);
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmpdir);
  assert_int_equal(system(cmd), 0);
  events none = {0};
  assert_int_equal(exhunt_vault_verify(vault, NULL, on_event, &none, NULL), EXHUNT_OK);
  assert_int_equal(none.n, 0);
}

static void test_vault_inside_root(void **state)
{
  (void)state;
  char p[400], inside[400];
  exhunt_vault_item it;
  exhunt_vault_opts o = with_file(p, sizeof p, &it);
  in_root(inside, sizeof inside, "vault");
  o.vault = inside;
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, NULL, NULL), EXHUNT_EINVAL);
  assert_false(exists(inside));
  assert_true(exists(p));
}

static void test_dry_run(void **state)
{
  (void)state;
  char p[400];
  exhunt_vault_item it;
  exhunt_vault_opts o = with_file(p, sizeof p, &it);
  o.dry_run = true;
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
  restore_expect(&o, p, EXHUNT_VAULT_DRY_RUN);
  assert_false(exists(p));
}

static void test_verify_damage(void **state)
{
  (void)state;
  char a[400], b[400];
  put_in_root(a, sizeof a, "a.aspx", "aaaaaaaaaaaaaaaaaaaaaaaa");
  put_in_root(b, sizeof b, "b.aspx", "bbbbbbbbbbbbbbbbbbbbbbbb");
  exhunt_vault_opts o = opts_for();
  exhunt_vault_item items[2] = {item(a), item(b)};
  assert_int_equal(exhunt_vault_quarantine(&o, items, 2, on_event, NULL, NULL), EXHUNT_OK);

  char obj[600];
  object_path("aaaaaaaaaaaaaaaaaaaaaaaa", 24, obj, sizeof obj);
  chmod(obj, 0600);
  int fd = open(obj, O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, "\xff\xff\xff", 3, 12), 3); /* inside the deflate data */
  close(fd);
  object_path("bbbbbbbbbbbbbbbbbbbbbbbb", 24, obj, sizeof obj);
  assert_int_equal(unlink(obj), 0);

  events v = {0};
  exhunt_vault_stats stats = {0};
  assert_int_equal(exhunt_vault_verify(vault, NULL, on_event, &v, &stats), EXHUNT_OK);
  assert_int_equal(v.n, 2);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DAMAGED);
  assert_int_equal(v.outcome[1], EXHUNT_VAULT_MISSING);

  /* A damaged object is never restored. */
  restore_expect(&o, a, EXHUNT_VAULT_DAMAGED);
  assert_false(exists(a));
}

static void test_restore_no_overwrite(void **state)
{
  (void)state;
  char p[400];
  events q = {0};
  exhunt_vault_opts o = quarantined(p, sizeof p, "a.aspx", "old", &q);
  write_file(p, "new", 3);
  restore_expect(&o, q.id[0], EXHUNT_VAULT_REFUSED_EXISTS);
  char got[8] = {0};
  int fd = open(p, O_RDONLY);
  assert_int_equal(read(fd, got, sizeof got), 3);
  close(fd);
  assert_string_equal(got, "new");

  o.force = true;
  restore_expect(&o, q.id[0], EXHUNT_VAULT_DONE);
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
  events q = {0};
  exhunt_vault_opts o = quarantined(p, sizeof p, "bad\xff\x01name.aspx", "x", &q);
  assert_int_equal(q.outcome[0], EXHUNT_VAULT_DONE);
  assert_false(exists(p));
  restore_expect(&o, q.id[0], EXHUNT_VAULT_DONE);
  assert_true(exists(p));
}

static void count_entry(void *ctx, const exhunt_vault_entry *e)
{
  (void)e;
  (*(size_t *)ctx)++;
}

static void append_manifest(const char *text)
{
  char m[400];
  snprintf(m, sizeof m, "%s/manifest.jsonl", vault);
  int fd = open(m, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

/* a.aspx quarantined, b.aspx written, and the manifest's last line torn
 * as a crash mid-append leaves it; returns the opts. */
static exhunt_vault_opts torn_vault(char *a, char *b, size_t cap)
{
  exhunt_vault_opts o = quarantined(a, cap, "a.aspx", "a", NULL);
  put_in_root(b, cap, "b.aspx", "b");
  append_manifest("{\"schema\":\"exhunt/1\",\"type\":\"quar");
  return o;
}

/* A crash mid-append leaves a line without its newline: readers skip it,
 * and the next writer fences it off so its own record stays whole. */
static void test_torn_manifest(void **state)
{
  (void)state;
  char a[400], b[400];
  exhunt_vault_opts o = torn_vault(a, b, sizeof a);
  size_t n = 0;
  assert_int_equal(exhunt_vault_list(vault, NULL, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
  quarantine_ok(&o, b, NULL);
  n = 0;
  assert_int_equal(exhunt_vault_list(vault, NULL, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 2);
}

/* Regression: restore must not write through a folder that became a
 * symlink since the quarantine (an attacker's way to plant the file, or
 * the restore temp, elsewhere). */
static void test_restore_refuses_symlinked_parent(void **state)
{
  (void)state;
  char sub[400], p[400], elsewhere[400], planted[500];
  in_root(sub, sizeof sub, "sub");
  assert_int_equal(mkdir(sub, 0755), 0);
  events q = {0};
  exhunt_vault_opts o = quarantined(p, sizeof p, "sub/a.aspx", "a", &q);
  assert_int_equal(q.outcome[0], EXHUNT_VAULT_DONE);
  snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", base);
  assert_int_equal(mkdir(elsewhere, 0755), 0);
  assert_int_equal(rmdir(sub), 0);
  assert_int_equal(symlink(elsewhere, sub), 0);
  restore_expect(&o, q.id[0], EXHUNT_VAULT_REFUSED_SYMLINK);
  snprintf(planted, sizeof planted, "%s/a.aspx", elsewhere);
  assert_false(exists(planted));
  char cmd[600];
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", elsewhere);
  assert_int_equal(system(cmd), 0); /* no temp left there either */
}

/* Regression: a damaged or hostile manifest line is skipped, never fatal,
 * and never yields an entry with an id or path that is not ours. */
static void test_hostile_manifest_lines(void **state)
{
  (void)state;
  char a[400];
  quarantined(a, sizeof a, "a.aspx", "a", NULL);
#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
  /* bad base64 path; an id that is a path and breaks JSON; a relative path;
   * a negative size; nanoseconds out of range */
  append_manifest("{\"type\":\"quarantine\",\"id\":\"q-0123456789abcdef\",\"sha256\":\"" Z64
                  "\",\"path_b64\":\"@@@@\"}\n");
  append_manifest("{\"type\":\"quarantine\",\"id\":\"../../x\\\"evil\",\"sha256\":\"" Z64
                  "\",\"path\":\"/x/y.aspx\"}\n");
  append_manifest("{\"type\":\"quarantine\",\"id\":\"q-0123456789abcdef\",\"sha256\":\"" Z64
                  "\",\"path\":\"../y.aspx\"}\n");
  append_manifest("{\"type\":\"quarantine\",\"id\":\"q-0123456789abcdef\",\"sha256\":\"" Z64
                  "\",\"path\":\"/x/y.aspx\",\"size\":-5}\n");
  append_manifest("{\"type\":\"quarantine\",\"id\":\"q-0123456789abcdef\",\"sha256\":\"" Z64
                  "\",\"path\":\"/x/y.aspx\",\"size\":1,\"mtime_nsec\":2000000000}\n");
  size_t n = 0;
  assert_int_equal(exhunt_vault_list(vault, NULL, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
}

/* Notices from the manifest reader, by kind. */
typedef struct notes {
  size_t torn, damaged, leftovers;
} notes;

static void on_note(void *ctx, const exhunt_notice *n)
{
  notes *k = ctx;
  if (strcmp(n->what, "vault-manifest-torn") == 0 && n->kind == EXHUNT_NOTICE_NOTE)
    k->torn++;
  else if (strcmp(n->what, "vault-manifest-damaged") == 0 && n->kind == EXHUNT_NOTICE_ERROR)
    k->damaged++;
  else if (strcmp(n->what, "vault-leftovers") == 0 && n->kind == EXHUNT_NOTICE_NOTE)
    k->leftovers++;
}

/* A torn line is a note, and stays one once the next writer fenced it; a
 * line damaged in the middle is an error. */
static void test_manifest_notes(void **state)
{
  (void)state;
  char a[400], b[400];
  exhunt_vault_opts o = torn_vault(a, b, sizeof a);
  notes k = {0};
  exhunt_sink sink = {.ctx = &k, .on_notice = on_note};
  size_t n = 0;
  assert_int_equal(exhunt_vault_list(vault, &sink, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(k.torn, 1);
  assert_int_equal(k.damaged, 0);
  quarantine_ok(&o, b, NULL);
  memset(&k, 0, sizeof k);
  n = 0;
  assert_int_equal(exhunt_vault_list(vault, &sink, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 2);
  assert_int_equal(k.torn, 1); /* fenced: still torn, not damage */
  assert_int_equal(k.damaged, 0);
  append_manifest("garbage in the middle\n{\"type\":\"restore\",\"id\":\"q-0000000000000000\"}\n");
  memset(&k, 0, sizeof k);
  events v = {0};
  assert_int_equal(exhunt_vault_verify(vault, &sink, on_event, &v, NULL), EXHUNT_OK);
  assert_int_equal(v.n, 2);
  assert_int_equal(k.torn, 1);
  assert_int_equal(k.damaged, 2); /* the garbage, and a restore of nothing */
}

/* verify says what an interrupted quarantine leaves (a temp file, an object
 * no entry refers to) as notes, and the entries stay intact. */
static void test_verify_leftovers(void **state)
{
  (void)state;
  char a[400], part[500], orphan[600];
  quarantined(a, sizeof a, "a.aspx", "a", NULL);
  notes k = {0};
  exhunt_sink sink = {.ctx = &k, .on_notice = on_note};
  events v = {0};
  assert_int_equal(exhunt_vault_verify(vault, &sink, on_event, &v, NULL), EXHUNT_OK);
  assert_int_equal(k.leftovers, 0);
  snprintf(part, sizeof part, "%s/tmp/q-0123456789abcdef.part", vault);
  write_file(part, "x", 1);
  uint8_t h[32];
  sha256_of("never recorded", 14, h);
  char name[128];
  exh_vault_object_name(h, name, sizeof name);
  snprintf(orphan, sizeof orphan, "%s/%.10s", vault, name); /* objects/xx */
  mkdir(orphan, 0700);
  snprintf(orphan, sizeof orphan, "%s/%s", vault, name);
  write_file(orphan, "x", 1);
  memset(&k, 0, sizeof k);
  memset(&v, 0, sizeof v);
  exhunt_vault_stats st = {0};
  assert_int_equal(exhunt_vault_verify(vault, &sink, on_event, &v, &st), EXHUNT_OK);
  assert_int_equal(k.leftovers, 2);
  assert_int_equal(k.damaged, 0);
  assert_int_equal(v.n, 1);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DONE);
}

/* The vault's lock file, opened read-write (-1: it cannot be). */
static int open_lock(void)
{
  char lock[400];
  snprintf(lock, sizeof lock, "%s/lock", vault);
  return open(lock, O_RDWR);
}

/* The vault lock: another holder (here another open file description, as
 * another process would have) makes writers, and readers of an exclusive
 * hold, fail with EXHUNT_EBUSY and change nothing. */
static void test_vault_lock(void **state)
{
  (void)state;
  char a[400];
  events q = {0};
  exhunt_vault_opts o = quarantined(a, sizeof a, "a.aspx", "a", &q);
  exhunt_vault_item it = item(a);
  write_file(a, "a2", 2);
  int fd = open_lock();
  assert_true(fd >= 0);

  assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
  events ev = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EBUSY);
  assert_int_equal(ev.n, 0);
  assert_true(exists(a));
  size_t n = 0;
  assert_int_equal(exhunt_vault_list(vault, NULL, count_entry, &n), EXHUNT_EBUSY);
  assert_int_equal(exhunt_vault_verify(vault, NULL, on_event, NULL, NULL), EXHUNT_EBUSY);

  /* Shared: readers go, writers do not. */
  assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
  assert_int_equal(exhunt_vault_list(vault, NULL, count_entry, &n), EXHUNT_OK);
  assert_int_equal(n, 1);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EBUSY);
  unlink(a);
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &ev, NULL), EXHUNT_EBUSY);
  assert_false(exists(a));
  o.dry_run = true;
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &ev, NULL), EXHUNT_OK);
  o.dry_run = false;

  /* Released: it works again. */
  assert_int_equal(flock(fd, LOCK_UN), 0);
  close(fd);
  restore_expect(&o, q.id[0], EXHUNT_VAULT_DONE);
  assert_true(exists(a));
}

/* Two processes: a child holding the lock for a while; the parent's
 * quarantine is refused meanwhile and goes through once the child ends. */
static void test_vault_lock_two_processes(void **state)
{
  (void)state;
  char a[400];
  exhunt_vault_item it;
  exhunt_vault_opts o = with_file(a, sizeof a, &it);
  /* Make the vault (and its lock file) with a first, empty run. */
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 0, on_event, NULL, NULL), EXHUNT_OK);
  int pipefd[2];
  assert_int_equal(pipe(pipefd), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open_lock();
    if (fd < 0 || flock(fd, LOCK_EX) != 0)
      _exit(1);
    char c = 'x';
    if (write(pipefd[1], &c, 1) != 1)
      _exit(1);
    usleep(300 * 1000);
    _exit(0); /* exit releases the lock */
  }
  char c;
  assert_int_equal(read(pipefd[0], &c, 1), 1);
  events ev = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EBUSY);
  assert_true(exists(a));
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_int_equal(status, 0);
  close(pipefd[0]);
  close(pipefd[1]);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_OK);
  assert_int_equal(ev.outcome[0], EXHUNT_VAULT_DONE);
  assert_false(exists(a));
}

/* A missing folder: refused by name without --parents; made with it (mode
 * 0755), and a dry run makes nothing. */
static void test_restore_parents(void **state)
{
  (void)state;
  char d1[400], d2[400], p[400];
  in_root(d1, sizeof d1, "x");
  in_root(d2, sizeof d2, "x/y");
  in_root(p, sizeof p, "x/y/a.aspx");
  assert_int_equal(mkdir(d1, 0700), 0);
  assert_int_equal(mkdir(d2, 0700), 0);
  write_file(p, "a", 1);
  exhunt_vault_opts o = opts_for();
  events q = {0};
  quarantine_ok(&o, p, &q);
  assert_int_equal(rmdir(d2), 0);
  assert_int_equal(rmdir(d1), 0);

  events r = restore_expect(&o, q.id[0], EXHUNT_VAULT_REFUSED_PARENT);
  assert_non_null(strstr(r.reason[0], "/root/x is missing"));
  assert_false(exists(d1));

  o.parents = true;
  o.dry_run = true;
  restore_expect(&o, q.id[0], EXHUNT_VAULT_DRY_RUN);
  assert_false(exists(d1));

  o.dry_run = false;
  mode_t old = umask(022);
  events rp = {0};
  assert_int_equal(exhunt_vault_restore(&o, q.id[0], on_event, &rp, NULL), EXHUNT_OK);
  umask(old);
  assert_int_equal(rp.outcome[0], EXHUNT_VAULT_DONE);
  assert_true(exists(p));
  struct stat st;
  assert_int_equal(stat(d2, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0755);
}

/* --parents never makes a folder through a symlink. */
static void test_restore_parents_no_symlink(void **state)
{
  (void)state;
  char d1[400], p[400], elsewhere[400], made[500];
  in_root(d1, sizeof d1, "x");
  in_root(p, sizeof p, "x/y/a.aspx");
  assert_int_equal(mkdir(d1, 0755), 0);
  char d2[400];
  in_root(d2, sizeof d2, "x/y");
  assert_int_equal(mkdir(d2, 0755), 0);
  write_file(p, "a", 1);
  exhunt_vault_opts o = opts_for();
  events q = {0};
  quarantine_ok(&o, p, &q);
  assert_int_equal(rmdir(d2), 0);
  assert_int_equal(rmdir(d1), 0);
  snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", base);
  assert_int_equal(mkdir(elsewhere, 0755), 0);
  assert_int_equal(symlink(elsewhere, d1), 0);
  o.parents = true;
  restore_expect(&o, q.id[0], EXHUNT_VAULT_REFUSED_SYMLINK);
  snprintf(made, sizeof made, "%s/y", elsewhere);
  assert_false(exists(made));
}

/* A planted object that inflates past its recorded size is cut off there
 * (a gzip bomb must not fill the disk), and bytes after the one gzip
 * member are damage even when the member ends on a read boundary. */
static void test_inflate_limits(void **state)
{
  (void)state;
  char path[400];
  snprintf(path, sizeof path, "%s/obj.gz", base);
  /* 16 MiB of zeros: a ~16 KiB object. */
  gzFile gz = gzopen(path, "wb");
  assert_non_null(gz);
  static char zeros[1 << 16];
  for (int i = 0; i < 256; i++)
    assert_int_equal(gzwrite(gz, zeros, sizeof zeros), (int)sizeof zeros);
  gzclose(gz);
  int fd = open(path, O_RDONLY);
  uint8_t sha[32];
  uint64_t size = 0;
  assert_int_equal(exh_vault_inflate(fd, -1, 1000, sha, &size), EXHUNT_ECORRUPT);
  assert_true(size <= 1000);
  close(fd);
  fd = open(path, O_RDONLY);
  assert_int_equal(exh_vault_inflate(fd, -1, UINT64_MAX, sha, &size), EXHUNT_OK);
  assert_int_equal(size, 256u << 16);
  close(fd);

  /* A member of exactly 64 KiB (the read size), then one more byte. */
  uint8_t *rnd = exh_malloc(70000);
  uint64_t x = 88172645463325252ull; /* xorshift: incompressible enough */
  for (size_t i = 0; i < 70000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rnd[i] = (uint8_t)(x >> 24);
  }
  char data_path[400];
  snprintf(data_path, sizeof data_path, "%s/data", base);
  bool found = false;
  for (size_t len = 65535; len > 64000 && !found; len--) {
    write_file(data_path, rnd, len);
    int in = open(data_path, O_RDONLY);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    uint64_t got = 0;
    assert_int_equal(exh_vault_deflate(in, out, sha, &got), EXHUNT_OK);
    close(in);
    struct stat st;
    fstat(out, &st);
    if (st.st_size == 65536) {
      found = true;
      assert_int_equal(write(out, "x", 1), 1);
    }
    close(out);
  }
  exh_free(rnd);
  assert_true(found);
  fd = open(path, O_RDONLY);
  assert_int_equal(exh_vault_inflate(fd, -1, UINT64_MAX, sha, &size), EXHUNT_ECORRUPT);
  close(fd);
}

/* A FIFO where an object should be is damage, found without hanging. */
static void test_verify_fifo_object(void **state)
{
  (void)state;
  char a[400];
  exhunt_vault_opts o = quarantined(a, sizeof a, "a.aspx", "fifo", NULL);
  char obj[600];
  object_path("fifo", 4, obj, sizeof obj);
  assert_int_equal(unlink(obj), 0);
  assert_int_equal(mkfifo(obj, 0600), 0);
  events v = {0};
  assert_int_equal(exhunt_vault_verify(vault, NULL, on_event, &v, NULL), EXHUNT_OK);
  assert_int_equal(v.outcome[0], EXHUNT_VAULT_DAMAGED);
  restore_expect(&o, a, EXHUNT_VAULT_DAMAGED);
  assert_false(exists(a));
}

/* A file with another hard link goes, but the event says its content is
 * still reachable. */
static void test_hard_link_said(void **state)
{
  (void)state;
  char a[400], b[400];
  in_root(a, sizeof a, "a.aspx");
  in_root(b, sizeof b, "b.aspx");
  write_file(a, "linked", 6);
  assert_int_equal(link(a, b), 0);
  exhunt_vault_opts o = opts_for();
  events q = {0};
  quarantine_ok(&o, a, &q);
  assert_int_equal(q.outcome[0], EXHUNT_VAULT_DONE);
  assert_non_null(strstr(q.reason[0], "hard links"));
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

/* Many items in one call: each restored in order, the later ones seeing the
 * earlier as restored (a path given twice restores its two newest entries);
 * an item that matches nothing is EXHUNT_ENOENT in item_errs, not an error
 * of the call. Then an allocation sweep: no crash, no leak, and each run
 * either restores or leaves the files as they were. */
static void test_restore_many(void **state)
{
  (void)state;
  char a[400], b[400];
  in_root(a, sizeof a, "a.aspx");
  in_root(b, sizeof b, "b.aspx");
  exhunt_vault_opts o = opts_for();
  events q = {0};
  const char *contents[3] = {"a1", "a2", "b1"};
  for (int i = 0; i < 3; i++) {
    const char *p = i < 2 ? a : b;
    write_file(p, contents[i], 2);
    exhunt_vault_item it = item(p);
    assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &q, NULL), EXHUNT_OK);
  }
  assert_int_equal(q.n, 3);
  const char *whats[4] = {a, q.id[2], "q-00000000deadbeef", a};
  exhunt_err errs[4];
  events r = {0};
  o.force = true; /* the second `a` overwrites the first */
  assert_int_equal(exhunt_vault_restore_many(&o, whats, 4, errs, on_event, &r, NULL), EXHUNT_OK);
  assert_int_equal(r.n, 3);
  assert_int_equal(errs[0], EXHUNT_OK);
  assert_int_equal(errs[1], EXHUNT_OK);
  assert_int_equal(errs[2], EXHUNT_ENOENT);
  assert_int_equal(errs[3], EXHUNT_OK);
  assert_string_equal(r.id[0], q.id[1]); /* the newest entry of a first */
  assert_string_equal(r.id[1], q.id[2]);
  assert_string_equal(r.id[2], q.id[0]); /* then the one before it */
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(r.outcome[i], EXHUNT_VAULT_DONE);
  char got[8] = {0};
  FILE *f = fopen(a, "r");
  assert_non_null(f);
  assert_int_equal(fread(got, 1, sizeof got - 1, f), 2);
  fclose(f);
  assert_string_equal(got, "a1");
  /* The single-item call keeps its contract. */
  assert_int_equal(exhunt_vault_restore(&o, "q-00000000deadbeef", on_event, NULL, NULL),
                   EXHUNT_ENOENT);

  unsigned long i;
  for (i = 1; i < 400; i++) {
    unlink(a);
    unlink(b);
    const char *two[2] = {q.id[0], q.id[2]};
    exhunt_err e2[2];
    events ev = {0};
    exh_alloc_fail_at(i, 1);
    exhunt_err err = exhunt_vault_restore_many(&o, two, 2, e2, on_event, &ev, NULL);
    unsigned long used = exh_alloc_count();
    exh_alloc_fail_at(0, 0);
    if (err == EXHUNT_OK && ev.n == 2 && ev.outcome[0] == EXHUNT_VAULT_DONE &&
        ev.outcome[1] == EXHUNT_VAULT_DONE) {
      assert_true(exists(a));
      assert_true(exists(b));
    }
    if (used < i)
      break;
  }
  assert_true(i > 4 && i < 400);
}

static void count_unsafe(void *ctx, const exhunt_notice *n)
{
  if (strcmp(n->what, "vault-unsafe") == 0)
    ++*(int *)ctx;
}

/* The vault's own files: a manifest or lock that is a hard link to another
 * file (here evidence under the root) or a symlink, and a tmp/ that is a
 * symlink, are refused (EXHUNT_EINVAL for a hard link or folder, with a
 * vault-unsafe notice; ELOOP from O_NOFOLLOW for a symlinked file) before
 * anything is written; the evidence keeps its bytes and the file to move
 * stays. */
static void test_unsafe_vault_files(void **state)
{
  (void)state;
  char a[400], evid[400], m[400], saved[400], lock[400], tmp[400];
  in_root(a, sizeof a, "a.aspx");
  put_in_root(evid, sizeof evid, "ex210303.log", "evidence\n");
  write_file(a, "a1", 2);
  exhunt_vault_opts o = opts_for();
  int unsafe = 0;
  exhunt_sink sink = {.ctx = &unsafe, .on_notice = count_unsafe};
  o.sink = &sink;
  exhunt_vault_item it = item(a);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, NULL, NULL), EXHUNT_OK);
  write_file(a, "a2", 2);
  snprintf(m, sizeof m, "%s/manifest.jsonl", vault);
  snprintf(saved, sizeof saved, "%s/manifest.saved", base);
  snprintf(lock, sizeof lock, "%s/lock", vault);
  snprintf(tmp, sizeof tmp, "%s/tmp", vault);
  struct stat before, after;
  assert_int_equal(stat(evid, &before), 0);

  assert_int_equal(rename(m, saved), 0);
  assert_int_equal(link(evid, m), 0);
  events ev = {0};
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EINVAL);
  assert_int_equal(ev.n, 0);
  assert_int_equal(unsafe, 1);
  assert_int_equal(exhunt_vault_restore(&o, a, on_event, &ev, NULL), EXHUNT_ENOENT);
  unlink(m);
  assert_int_equal(symlink(evid, m), 0);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_ELOOP);
  unlink(m);
  assert_int_equal(rename(saved, m), 0);

  unlink(lock);
  assert_int_equal(link(evid, lock), 0);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EINVAL);
  assert_int_equal(exhunt_vault_list(vault, &sink, NULL, NULL), EXHUNT_EINVAL);
  unlink(lock);

  assert_int_equal(rmdir(tmp), 0);
  assert_int_equal(symlink(root, tmp), 0);
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_EINVAL);
  assert_int_equal(ev.n, 0);
  assert_int_equal(unsafe, 4);
  unlink(tmp);

  assert_int_equal(stat(evid, &after), 0);
  assert_int_equal(after.st_size, before.st_size);
  assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  assert_true(exists(a));
  /* Repaired, it works again. */
  assert_int_equal(exhunt_vault_quarantine(&o, &it, 1, on_event, &ev, NULL), EXHUNT_OK);
  assert_int_equal(ev.outcome[0], EXHUNT_VAULT_DONE);
  assert_false(exists(a));
}

TU_MAIN(&fx, test_round_trip, test_refusals, test_vault_inside_root, test_dry_run,
        test_verify_damage, test_restore_no_overwrite, test_torn_manifest, test_non_utf8_name,
        test_restore_refuses_symlinked_parent, test_hostile_manifest_lines, test_manifest_notes,
        test_verify_leftovers, test_vault_lock, test_vault_lock_two_processes, test_restore_parents,
        test_restore_parents_no_symlink, test_inflate_limits, test_verify_fifo_object,
        test_hard_link_said, test_alloc_failures, test_restore_many, test_unsafe_vault_files)
