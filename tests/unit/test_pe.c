/*
 * test_pe.c - the PE version-resource parser (lib/pe/pe_version.c).
 *
 * The images are built here, byte by byte, by build(): a DOS header, a PE32
 * or PE32+ header, one .rsrc section holding a resource tree (RT_ICON, then
 * RT_VERSION -> name 1 -> language 0x409) and a VS_VERSIONINFO shaped like
 * that of ExSetup.exe from Exchange 2016 CU19 (15.1.2176.2). The hostile cases
 * are that image with one field broken, so each one checks the single
 * defence it names. With EXH_PE_SEED_DIR set, test_write_seeds also writes
 * the fuzz seeds (tests/fuzz/corpus/pe/) from the same builder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"

#include "pe/pe_version.h"

#define IMG_CAP 65536u
#define RSRC_RVA 0x1000u
#define RSRC_FILE 0x200u
#define LFANEW 0x80u

typedef struct build_opts {
  bool pe32;             /* PE32 instead of PE32+ */
  bool no_version;       /* RT_ICON only */
  bool var_first;        /* VarFileInfo before StringFileInfo */
  uint32_t fixed_sig;    /* 0: the right one */
  const char *product;   /* Latin-1; NULL: "Microsoft(R) Exchange" */
  unsigned icon_entries; /* RT_ICON entries before RT_VERSION (at least 1) */
} build_opts;

/* An image and where its parts are, as file offsets. */
typedef struct img {
  uint8_t b[IMG_CAP];
  size_t len;
  size_t opt;          /* optional header */
  size_t sections;     /* section table */
  size_t root;         /* resource root directory (= .rsrc start) */
  size_t type16_entry; /* root entry for RT_VERSION */
  size_t name_dir, lang_dir, data_entry;
  size_t vs, vs_len;    /* VS_VERSIONINFO */
  size_t product_block; /* the ProductName String block */
} img;

static img g, h;

static void w16(uint8_t *b, size_t off, uint16_t v)
{
  b[off] = (uint8_t)v;
  b[off + 1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *b, size_t off, uint32_t v)
{
  w16(b, off, (uint16_t)v);
  w16(b, off + 2, (uint16_t)(v >> 16));
}

static uint16_t r16(const uint8_t *b, size_t off)
{
  return (uint16_t)(b[off] | b[off + 1] << 8);
}

/* A VS_VERSIONINFO writer: blocks are opened, given children, closed. */
typedef struct vw {
  uint8_t *b;
  size_t base, pos;
} vw;

static void vw_pad(vw *w)
{
  while ((w->pos - w->base) & 3)
    w->b[w->pos++] = 0;
}

static size_t vw_open(vw *w, const char *key, uint16_t type, const uint8_t *value, size_t bytes,
                      uint16_t value_len)
{
  size_t start = w->pos;
  w16(w->b, w->pos + 2, value_len);
  w16(w->b, w->pos + 4, type);
  w->pos += 6;
  for (const char *k = key;; k++) {
    w16(w->b, w->pos, (uint8_t)*k);
    w->pos += 2;
    if (!*k)
      break;
  }
  vw_pad(w);
  if (bytes)
    memcpy(w->b + w->pos, value, bytes);
  w->pos += bytes;
  return start;
}

/* wLength covers the block without its own trailing padding. */
static void vw_close(vw *w, size_t start)
{
  w16(w->b, start, (uint16_t)(w->pos - start));
  vw_pad(w);
}

static size_t vw_string(vw *w, const char *key, const char *latin1)
{
  uint8_t value[1024];
  size_t n = strlen(latin1);
  for (size_t i = 0; i <= n; i++)
    w16(value, 2 * i, (uint8_t)latin1[i]);
  size_t start = vw_open(w, key, 1, value, 2 * (n + 1), (uint16_t)(n + 1));
  vw_close(w, start);
  return start;
}

static void vw_varfileinfo(vw *w)
{
  size_t var = vw_open(w, "VarFileInfo", 1, NULL, 0, 0);
  vw_pad(w);
  uint8_t translation[4];
  w16(translation, 0, 0x0409);
  w16(translation, 2, 0x04B0);
  vw_close(w, vw_open(w, "Translation", 0, translation, 4, 4));
  vw_close(w, var);
}

static void build_version(img *m, const build_opts *o)
{
  uint8_t fixed[52] = {0};
  w32(fixed, 0, o->fixed_sig ? o->fixed_sig : 0xFEEF04BD);
  w32(fixed, 4, 0x00010000);
  w32(fixed, 8, 0x000F0001);  /* 15.1 */
  w32(fixed, 12, 0x08800002); /* 2176.2 */
  w32(fixed, 16, 0x000F0001);
  w32(fixed, 20, 0x08800002);
  w32(fixed, 24, 0x3F);
  w32(fixed, 32, 0x00040004); /* VOS_NT_WINDOWS32 */
  w32(fixed, 36, 1);          /* VFT_APP */
  vw w = {m->b, m->vs, m->vs};
  size_t root = vw_open(&w, "VS_VERSION_INFO", 0, fixed, sizeof fixed, sizeof fixed);
  vw_pad(&w);
  if (o->var_first)
    vw_varfileinfo(&w);
  size_t sfi = vw_open(&w, "StringFileInfo", 1, NULL, 0, 0);
  vw_pad(&w);
  size_t table = vw_open(&w, "040904B0", 1, NULL, 0, 0);
  vw_pad(&w);
  vw_string(&w, "CompanyName", "Microsoft Corporation");
  vw_string(&w, "FileDescription", "ExSetup");
  vw_string(&w, "FileVersion", "15.01.2176.002");
  m->product_block =
      vw_string(&w, "ProductName", o->product ? o->product : "Microsoft\xAE Exchange");
  vw_string(&w, "ProductVersion", "15.01.2176.002");
  vw_string(&w, "OriginalFilename", "ExSetup.exe");
  vw_close(&w, table);
  vw_close(&w, sfi);
  if (!o->var_first)
    vw_varfileinfo(&w);
  vw_close(&w, root);
  m->vs_len = r16(m->b, m->vs);
}

/* Writes a resource directory with n id entries at rsrc offset dir. */
static void rsrc_dir(img *m, size_t dir, uint16_t n)
{
  memset(m->b + m->root + dir, 0, 16);
  w16(m->b, m->root + dir + 14, n);
}

static void rsrc_entry(img *m, size_t dir, unsigned i, uint32_t id, uint32_t target)
{
  w32(m->b, m->root + dir + 16 + 8 * i, id);
  w32(m->b, m->root + dir + 16 + 8 * i + 4, target);
}

static void build(img *m, const build_opts *o)
{
  memset(m, 0, sizeof *m);
  uint8_t *b = m->b;
  b[0] = 'M';
  b[1] = 'Z';
  w32(b, 0x3C, LFANEW);
  memcpy(b + LFANEW, "PE\0\0", 4);
  size_t coff = LFANEW + 4;
  uint16_t opt_size = o->pe32 ? 224 : 240;
  w16(b, coff, o->pe32 ? 0x14C : 0x8664);
  w16(b, coff + 2, 1);
  w16(b, coff + 16, opt_size);
  w16(b, coff + 18, 0x22);
  m->opt = coff + 20;
  w16(b, m->opt, o->pe32 ? 0x10B : 0x20B);
  w32(b, m->opt + 32, 0x1000); /* SectionAlignment */
  w32(b, m->opt + 36, 0x200);  /* FileAlignment */
  w32(b, m->opt + 60, 0x200);  /* SizeOfHeaders */
  size_t dirs = m->opt + (o->pe32 ? 96 : 112);
  w32(b, dirs - 4, 16); /* NumberOfRvaAndSizes */
  m->sections = m->opt + opt_size;

  /* The resource tree: root, name and language directories, data entry,
   * then the version data, 32-bit aligned. */
  m->root = RSRC_FILE;
  unsigned icons = o->icon_entries ? o->icon_entries : 1;
  unsigned types = icons + (o->no_version ? 0 : 1);
  size_t name_dir = 16 + 8 * (size_t)types;
  size_t lang_dir = name_dir + 24, data_entry = lang_dir + 24, vs = data_entry + 16;
  rsrc_dir(m, 0, (uint16_t)types);
  for (unsigned i = 0; i < icons; i++)
    rsrc_entry(m, 0, i, 3, 0x80000000u | (uint32_t)name_dir); /* never followed */
  rsrc_dir(m, name_dir, 1);
  rsrc_entry(m, name_dir, 0, 1, 0x80000000u | (uint32_t)lang_dir);
  rsrc_dir(m, lang_dir, 1);
  rsrc_entry(m, lang_dir, 0, 0x409, (uint32_t)data_entry);
  m->type16_entry = m->root + 16 + 8 * (size_t)icons;
  m->name_dir = m->root + name_dir;
  m->lang_dir = m->root + lang_dir;
  m->data_entry = m->root + data_entry;
  m->vs = m->root + vs;
  if (!o->no_version) {
    rsrc_entry(m, 0, icons, 16, 0x80000000u | (uint32_t)name_dir);
    build_version(m, o);
  } else {
    m->vs_len = 4; /* the icon's "data" */
  }
  w32(b, m->data_entry, RSRC_RVA + (uint32_t)vs);
  w32(b, m->data_entry + 4, (uint32_t)m->vs_len);
  w32(b, m->data_entry + 8, 1200);

  size_t rsrc_size = vs + m->vs_len;
  size_t raw_size = (rsrc_size + 0x1FF) & ~(size_t)0x1FF;
  w32(b, dirs + 16, RSRC_RVA);
  w32(b, dirs + 20, (uint32_t)rsrc_size);
  memcpy(b + m->sections, ".rsrc", 5);
  w32(b, m->sections + 8, (uint32_t)rsrc_size);
  w32(b, m->sections + 12, RSRC_RVA);
  w32(b, m->sections + 16, (uint32_t)raw_size);
  w32(b, m->sections + 20, RSRC_FILE);
  w32(b, m->opt + 56, RSRC_RVA + 0x1000 + (uint32_t)raw_size); /* SizeOfImage */
  m->len = RSRC_FILE + raw_size;
  assert_true(m->len <= IMG_CAP);
}

static void build_default(img *m)
{
  build_opts o = {0};
  build(m, &o);
}

/* Fields are NUL-terminated, and all zero after an error. */
static void assert_consistent(exhunt_err rc, const exh_pe_version *v)
{
  assert_true(rc == EXHUNT_OK || rc == EXHUNT_ECORRUPT || rc == EXHUNT_EUNSUPPORTED);
  assert_true(memchr(v->file_version, 0, sizeof v->file_version) != NULL);
  assert_true(memchr(v->product_version, 0, sizeof v->product_version) != NULL);
  assert_true(memchr(v->product_name, 0, sizeof v->product_name) != NULL);
  assert_true(memchr(v->original_filename, 0, sizeof v->original_filename) != NULL);
  if (rc != EXHUNT_OK) {
    exh_pe_version zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(v, &zero, sizeof zero);
  }
}

static exhunt_err parse(const img *m, exh_pe_version *v)
{
  exhunt_err rc = exh_pe_version_parse(m->b, m->len, v);
  assert_consistent(rc, v);
  return rc;
}

static void assert_exchange_2016_cu19(const exh_pe_version *v)
{
  assert_true(v->have_fixed);
  assert_int_equal(v->file[0], 15);
  assert_int_equal(v->file[1], 1);
  assert_int_equal(v->file[2], 2176);
  assert_int_equal(v->file[3], 2);
  assert_int_equal(v->product[0], 15);
  assert_int_equal(v->product[1], 1);
  assert_int_equal(v->product[2], 2176);
  assert_int_equal(v->product[3], 2);
  assert_string_equal(v->file_version, "15.01.2176.002");
  assert_string_equal(v->product_version, "15.01.2176.002");
  assert_string_equal(v->product_name, "Microsoft? Exchange");
  assert_string_equal(v->original_filename, "ExSetup.exe");
}

/* ---------------------------------------------------------------------- */
/* Valid images.                                                           */

static void test_valid_pe32plus(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_exchange_2016_cu19(&v);
}

static void test_valid_pe32_varfileinfo_first(void **state)
{
  (void)state;
  exh_pe_version v;
  build_opts o = {.pe32 = true, .var_first = true};
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_exchange_2016_cu19(&v);
}

static void test_long_value_truncated_and_surrogates_folded(void **state)
{
  (void)state;
  char longname[201];
  memset(longname, 'A', 200);
  longname[200] = '\0';
  exh_pe_version v;
  build_opts o = {.product = longname};
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_int_equal(strlen(v.product_name), sizeof v.product_name - 1);
  assert_int_equal(v.product_name[0], 'A');
  assert_string_equal(v.original_filename, "ExSetup.exe"); /* later strings still read */

  /* "Mi" of "Microsoft" -> U+1F600 as a surrogate pair: one '?'. A lone
   * low surrogate stays one '?' too. */
  build_default(&g);
  size_t value = g.product_block + 6 + 2 * sizeof "ProductName"; /* key + NUL, aligned */
  value = g.vs + ((value - g.vs + 3) & ~(size_t)3);
  assert_int_equal(r16(g.b, value), 'M');
  w16(g.b, value, 0xD83D);
  w16(g.b, value + 2, 0xDE00);
  w16(g.b, value + 4, 0xDC00);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_string_equal(v.product_name, "??rosoft? Exchange");
}

/* ---------------------------------------------------------------------- */
/* Hostile images.                                                         */

static void test_truncated_at_every_length(void **state)
{
  (void)state;
  exh_pe_version ref, v;
  for (int pe32 = 0; pe32 < 2; pe32++) {
    build_opts o = {.pe32 = pe32};
    build(&g, &o);
    assert_int_equal(parse(&g, &ref), EXHUNT_OK);
    size_t vs_end = g.vs + g.vs_len;
    for (size_t cut = 0; cut < g.len; cut++) {
      exhunt_err rc = exh_pe_version_parse(g.b, cut, &v);
      assert_consistent(rc, &v);
      if (cut < 2)
        assert_int_equal(rc, EXHUNT_EUNSUPPORTED);
      else if (cut < vs_end)
        assert_int_equal(rc, EXHUNT_ECORRUPT);
      else /* only the section's zero padding is missing */
        assert_memory_equal(&v, &ref, sizeof v);
    }
  }
}

static void test_elfanew_out_of_range(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  w32(g.b, 0x3C, 0xFFFFFFFC);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  w32(g.b, 0x3C, (uint32_t)g.len - 2);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  w32(g.b, 0x3C, 0); /* "MZ" where "PE" should be */
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
}

static void test_section_table_overflow(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  w16(g.b, LFANEW + 4 + 2, 0xFFFF); /* NumberOfSections */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w16(g.b, LFANEW + 4 + 16, 0xFFFF); /* SizeOfOptionalHeader */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w16(g.b, LFANEW + 4 + 2, 0); /* no sections: nothing maps the RVA */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
}

static void test_rva_outside_sections(void **state)
{
  (void)state;
  exh_pe_version v;
  size_t dir2 = 0;
  build_default(&g);
  dir2 = g.opt + 112 + 16;
  w32(g.b, dir2, 0x5000); /* past the only section */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  w32(g.b, dir2, RSRC_RVA - 4); /* just before it */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);

  /* Raw data placed past the end of the file. */
  build_default(&g);
  w32(g.b, g.sections + 20, 0xFFFFFE00);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);

  /* The data entry's RVA in the zero-filled tail, present only in memory. */
  build_default(&g);
  w32(g.b, g.sections + 8, 0x10000); /* VirtualSize */
  w32(g.b, g.data_entry, RSRC_RVA + 0x8000);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);

  /* SizeOfRawData far past the file: clipped to the file, still read. */
  build_default(&g);
  w32(g.b, g.sections + 16, 0xFFFFFFFF);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_exchange_2016_cu19(&v);
}

static void test_resource_directory_loops(void **state)
{
  (void)state;
  exh_pe_version v;
  /* RT_VERSION -> the root itself */
  build_default(&g);
  w32(g.b, g.type16_entry + 4, 0x80000000u);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  /* the name directory -> itself */
  build_default(&g);
  w32(g.b, g.name_dir + 16 + 4, 0x80000000u | (uint32_t)(g.name_dir - g.root));
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  /* the language directory -> a directory again (a fourth level) */
  build_default(&g);
  w32(g.b, g.lang_dir + 16 + 4, 0x80000000u | (uint32_t)(g.lang_dir - g.root));
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  /* the name level pointing straight at data */
  build_default(&g);
  w32(g.b, g.name_dir + 16 + 4, (uint32_t)(g.data_entry - g.root));
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
}

static void test_huge_entry_counts(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  w16(g.b, g.root + 12, 0xFFFF); /* NumberOfNamedEntries */
  w16(g.b, g.root + 14, 0xFFFF); /* NumberOfIdEntries */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w16(g.b, g.name_dir + 14, 0xFFFF);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  /* an empty RT_VERSION directory: no version resource */
  build_default(&g);
  w16(g.b, g.name_dir + 14, 0);
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
}

static void test_entry_budget(void **state)
{
  (void)state;
  exh_pe_version v;
  /* Counts that fit the data but exceed the budget of 4096 entries. */
  build_opts o = {.icon_entries = 4000};
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_exchange_2016_cu19(&v);
  o.icon_entries = 5000;
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
}

static void test_version_length_past_data(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  w16(g.b, g.vs, (uint16_t)(g.vs_len + 4)); /* wLength > the resource size */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w32(g.b, g.data_entry + 4, 0x7FFFFFFF); /* resource size > the section */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w16(g.b, g.vs, 5); /* shorter than its own header */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
  build_default(&g);
  w16(g.b, g.vs + 6, 'X'); /* key is not VS_VERSION_INFO */
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
}

static void test_wrong_fixed_signature(void **state)
{
  (void)state;
  exh_pe_version v;
  build_opts o = {.fixed_sig = 0xFEEF04BE};
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_false(v.have_fixed);
  assert_int_equal(v.file[0] | v.file[1] | v.file[2] | v.file[3], 0);
  assert_int_equal(v.product[0] | v.product[2], 0);
  assert_string_equal(v.file_version, "15.01.2176.002");
  assert_string_equal(v.original_filename, "ExSetup.exe");

  /* Neither part usable (the StringFileInfo key broken too, so no table
   * is read): the resource is reported corrupt. */
  size_t sfi = g.vs + 6 + 2 * sizeof "VS_VERSION_INFO";
  sfi = g.vs + ((sfi - g.vs + 3) & ~(size_t)3) + 52;
  assert_int_equal(r16(g.b, sfi + 6), 'S');
  w16(g.b, sfi + 6, 'X');
  assert_int_equal(parse(&g, &v), EXHUNT_ECORRUPT);
}

static void test_bad_string_child_keeps_earlier_values(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  w16(g.b, g.product_block, 0xFFFF); /* ProductName runs past its table */
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_true(v.have_fixed);
  assert_string_equal(v.file_version, "15.01.2176.002"); /* before it */
  assert_string_equal(v.product_name, "");
  assert_string_equal(v.original_filename, ""); /* after it */
  /* an unterminated key is refused the same way */
  build_default(&g);
  w16(g.b, g.product_block, 6 + 4); /* key "Pr", no NUL inside */
  assert_int_equal(parse(&g, &v), EXHUNT_OK);
  assert_string_equal(v.product_name, "");
}

static void test_no_version_resource(void **state)
{
  (void)state;
  exh_pe_version v;
  build_opts o = {.no_version = true};
  build(&g, &o);
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
  /* no resource directory at all */
  build_default(&g);
  w32(g.b, g.opt + 112 + 16, 0);
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
  build_default(&g);
  w32(g.b, g.opt + 108, 2); /* NumberOfRvaAndSizes stops before it */
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
}

static void test_not_a_pe(void **state)
{
  (void)state;
  exh_pe_version v;
  build_default(&g);
  g.b[0] = 'Z';
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
  build_default(&g);
  g.b[LFANEW + 1] = 'X'; /* "PX\0\0": a DOS program */
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
  build_default(&g);
  w16(g.b, g.opt, 0x107); /* ROM image */
  assert_int_equal(parse(&g, &v), EXHUNT_EUNSUPPORTED);
  static const uint8_t text[] = "<%@ Page Language=\"C#\" %>";
  assert_int_equal(exh_pe_version_parse(text, sizeof text - 1, &v), EXHUNT_EUNSUPPORTED);
  assert_int_equal(exh_pe_version_parse(NULL, 0, &v), EXHUNT_EUNSUPPORTED);
  assert_int_equal(exh_pe_version_parse(NULL, 4, &v), EXHUNT_EINVAL);
  assert_int_equal(exh_pe_version_parse(text, sizeof text, NULL), EXHUNT_EINVAL);
}

/* Random byte changes in the headers and the resource section: every
 * result is well-formed (ASan+UBSan builds check the reads). */
static void test_random_mutations(void **state)
{
  (void)state;
  exh_pe_version v;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  build_opts o = {0};
  build(&g, &o);
  unsigned ok = 0;
  for (unsigned i = 0; i < 20000; i++) {
    memcpy(h.b, g.b, g.len);
    h.len = g.len;
    unsigned flips = 1 + (unsigned)(x % 4);
    for (unsigned f = 0; f < flips; f++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      size_t at = (size_t)(x % (g.vs + g.vs_len));
      h.b[at] = (uint8_t)(x >> 32);
    }
    ok += parse(&h, &v) == EXHUNT_OK;
  }
  assert_true(ok > 0); /* many changes land in fields the parser ignores */
}

/* Writes the fuzz seeds when EXH_PE_SEED_DIR is set (a no-op otherwise). */
static void write_seed(const char *dir, const char *name, const uint8_t *b, size_t len)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, len, f), len);
  fclose(f);
}

static void test_write_seeds(void **state)
{
  (void)state;
  const char *dir = getenv("EXH_PE_SEED_DIR");
  if (!dir)
    skip();
  build_opts o = {0};
  build(&g, &o);
  write_seed(dir, "exsetup-pe32plus.exe", g.b, g.len);
  o.pe32 = o.var_first = true;
  build(&g, &o);
  write_seed(dir, "exsetup-pe32-varfirst.exe", g.b, g.len);
  build_default(&g);
  w32(g.b, g.type16_entry + 4, 0x80000000u);
  write_seed(dir, "rsrc-loop.exe", g.b, g.len);
  build_opts bad = {.fixed_sig = 0x12345678};
  build(&g, &bad);
  w16(g.b, g.product_block, 0xFFFF);
  write_seed(dir, "bad-fixed-bad-string.exe", g.b, g.len);
  build_default(&g);
  write_seed(dir, "truncated.exe", g.b, g.vs + g.vs_len / 2);
}

TU_MAIN(NULL, test_valid_pe32plus, test_valid_pe32_varfileinfo_first,
        test_long_value_truncated_and_surrogates_folded, test_truncated_at_every_length,
        test_elfanew_out_of_range, test_section_table_overflow, test_rva_outside_sections,
        test_resource_directory_loops, test_huge_entry_counts, test_entry_budget,
        test_version_length_past_data, test_wrong_fixed_signature,
        test_bad_string_child_keeps_earlier_values, test_no_version_resource, test_not_a_pe,
        test_random_mutations, test_write_seeds)
