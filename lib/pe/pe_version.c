/*
 * pe_version.c - the version resource of a PE image; see pe_version.h.
 *
 * The path through the file: DOS header (e_lfanew) -> "PE\0\0" -> COFF
 * header -> optional header (PE32 or PE32+) -> data directory 2 (resources)
 * -> section table (RVA to file offset) -> resource tree, three levels: type
 * 16 (RT_VERSION), then the first name, then the first language -> data
 * entry -> the VS_VERSIONINFO block tree.
 *
 * Every byte comes from an attacker. Reads go through rd16/rd32, which fail
 * past the end of their span, and each structure is read from a sub-span cut
 * to the size its parent vouches for, so a bad length inside one block cannot
 * reach outside that block. Both trees have a fixed shape (three resource
 * levels, four version-block levels), so they are walked with loops, not
 * recursion. The fixed depth alone ends any loop in the resource tree (a
 * directory that leads back up is met again where data is due); refusing a
 * pointer to an ancestor outright just names the fault. Entries and blocks
 * visited are counted against a budget, so huge counts cost bounded time.
 * Nothing is allocated.
 */
#include "pe_version.h"

#include <string.h>

#include "core/limits.h"

/* The caps on resource entries and version blocks visited live in
 * core/limits.h (EXH_PE_MAX_RSRC_ENTRIES, EXH_PE_MAX_VERSION_BLOCKS). */
#define PE_MAX_RSRC_ENTRIES EXH_PE_MAX_RSRC_ENTRIES
#define PE_MAX_VERSION_BLOCKS EXH_PE_MAX_VERSION_BLOCKS

#define PE_RT_VERSION 16u
#define PE_FIXED_SIGNATURE 0xFEEF04BDu
#define PE_FIXED_SIZE 52u /* sizeof VS_FIXEDFILEINFO */
#define PE_SECTION_SIZE 40u
#define PE_HIGH_BIT 0x80000000u

/* A borrowed byte range: the file, a section's tail, one block. */
typedef struct span {
  const uint8_t *p;
  size_t len;
} span;

static bool rd16(span s, size_t off, uint16_t *v)
{
  if (off > s.len || s.len - off < 2)
    return false;
  *v = (uint16_t)(s.p[off] | (unsigned)s.p[off + 1] << 8);
  return true;
}

static bool rd32(span s, size_t off, uint32_t *v)
{
  if (off > s.len || s.len - off < 4)
    return false;
  *v = (uint32_t)s.p[off] | (uint32_t)s.p[off + 1] << 8 | (uint32_t)s.p[off + 2] << 16 |
       (uint32_t)s.p[off + 3] << 24;
  return true;
}

/* The n bytes at off, if they lie wholly inside s. */
static bool cut(span s, size_t off, size_t n, span *out)
{
  if (off > s.len || s.len - off < n)
    return false;
  out->p = s.p + off;
  out->len = n;
  return true;
}

/* Offsets handled here never exceed a span length, so only a span ending
 * within 3 bytes of SIZE_MAX could overflow; saturate for that case. */
static size_t align4(size_t off)
{
  return off > SIZE_MAX - 3 ? SIZE_MAX : (off + 3) & ~(size_t)3;
}

/* ---------------------------------------------------------------------- */
/* PE headers and the section table.                                       */

typedef struct pe_image {
  span file;
  span sections; /* the section table, n * 40 bytes, inside file */
} pe_image;

/*
 * Finds the section table and the resource directory RVA. "Not a PE"
 * (no MZ, no PE signature, an optional header of another kind) and "no
 * resources" are EUNSUPPORTED; structures that claim to exist but do not
 * fit are ECORRUPT.
 */
static exhunt_err pe_headers(span file, pe_image *pe, uint32_t *rsrc_rva)
{
  uint16_t mz, n_sec, opt_size, magic;
  uint32_t lfanew, sig, n_dirs;
  if (!rd16(file, 0, &mz) || mz != 0x5A4D) /* "MZ" */
    return EXHUNT_EUNSUPPORTED;
  if (!rd32(file, 0x3C, &lfanew) || !rd32(file, lfanew, &sig))
    return EXHUNT_ECORRUPT;
  if (sig != 0x00004550) /* "PE\0\0"; else a DOS, NE or LE program */
    return EXHUNT_EUNSUPPORTED;
  /* rd32 succeeded, so lfanew + 4 <= file.len: no overflow below. */
  size_t coff = (size_t)lfanew + 4;
  if (!rd16(file, coff + 2, &n_sec) || !rd16(file, coff + 16, &opt_size))
    return EXHUNT_ECORRUPT;
  span opt;
  if (!cut(file, coff + 20, opt_size, &opt))
    return EXHUNT_ECORRUPT;
  if (!rd16(opt, 0, &magic))
    return EXHUNT_ECORRUPT;
  size_t count_at, dirs_at;
  if (magic == 0x10B) { /* PE32 */
    count_at = 92;
    dirs_at = 96;
  } else if (magic == 0x20B) { /* PE32+ */
    count_at = 108;
    dirs_at = 112;
  } else {
    return EXHUNT_EUNSUPPORTED; /* ROM image or unknown */
  }
  if (!rd32(opt, count_at, &n_dirs))
    return EXHUNT_ECORRUPT;
  if (n_dirs <= 2)
    return EXHUNT_EUNSUPPORTED; /* no resource directory slot */
  if (!rd32(opt, dirs_at + 2 * 8, rsrc_rva))
    return EXHUNT_ECORRUPT;
  if (*rsrc_rva == 0)
    return EXHUNT_EUNSUPPORTED;
  /* The table follows the optional header. n_sec is 16 bits, so the
   * product cannot overflow. */
  if (!cut(file, coff + 20 + opt_size, (size_t)n_sec * PE_SECTION_SIZE, &pe->sections))
    return EXHUNT_ECORRUPT;
  pe->file = file;
  return EXHUNT_OK;
}

/*
 * The file bytes from rva to the end of the raw data of the section that
 * holds it, clipped to the file. Fails when no section holds rva, or it
 * falls in the zero-filled tail that exists only in memory, or past the end
 * of a truncated file. The first matching section wins, as for the loader.
 */
static bool rva_span(const pe_image *pe, uint32_t rva, span *out)
{
  for (size_t at = 0; at + PE_SECTION_SIZE <= pe->sections.len; at += PE_SECTION_SIZE) {
    uint32_t vsize, va, raw_size, raw_ptr;
    if (!rd32(pe->sections, at + 8, &vsize) || !rd32(pe->sections, at + 12, &va) ||
        !rd32(pe->sections, at + 16, &raw_size) || !rd32(pe->sections, at + 20, &raw_ptr))
      return false;
    if (rva < va)
      continue;
    uint32_t delta = rva - va;
    uint32_t extent = vsize ? vsize : raw_size; /* linkers may leave vsize 0 */
    if (delta >= extent)
      continue;
    if (delta >= raw_size)
      return false;
    /* 64-bit sums: raw_ptr + raw_size may exceed 32 bits. */
    uint64_t start = (uint64_t)raw_ptr + delta;
    uint64_t end = (uint64_t)raw_ptr + raw_size;
    if (end > pe->file.len)
      end = pe->file.len;
    if (start >= end)
      return false;
    return cut(pe->file, (size_t)start, (size_t)(end - start), out);
  }
  return false;
}

/* ---------------------------------------------------------------------- */
/* The resource tree.                                                      */

/*
 * Walks type 16 -> first name -> first language and returns the RVA and
 * size of the version data. Offsets in the tree are relative to the start
 * of the resource directory (rsrc).
 */
static exhunt_err rsrc_find_version(span rsrc, uint32_t *data_rva, uint32_t *data_size)
{
  uint32_t path[3]; /* directories on the way down, to refuse loops */
  uint32_t dir = 0;
  unsigned budget = PE_MAX_RSRC_ENTRIES;
  for (unsigned level = 0; level < 3; level++) {
    path[level] = dir;
    uint16_t named, ids;
    if (!rd16(rsrc, (size_t)dir + 12, &named) || !rd16(rsrc, (size_t)dir + 14, &ids))
      return EXHUNT_ECORRUPT;
    size_t n = (size_t)named + ids;
    span entries;
    if (!cut(rsrc, (size_t)dir + 16, n * 8, &entries))
      return EXHUNT_ECORRUPT;
    uint32_t target = 0;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
      if (budget == 0)
        return EXHUNT_ECORRUPT;
      budget--;
      uint32_t name;
      if (!rd32(entries, i * 8, &name) || !rd32(entries, i * 8 + 4, &target))
        return EXHUNT_ECORRUPT;
      /* Types are matched by id (a named type has the high bit set);
       * below the type any name or language will do. */
      found = level > 0 || name == PE_RT_VERSION;
    }
    if (!found)
      return EXHUNT_EUNSUPPORTED; /* no RT_VERSION, or an empty one */
    uint32_t off = target & ~PE_HIGH_BIT;
    if (level < 2) {
      if (!(target & PE_HIGH_BIT))
        return EXHUNT_ECORRUPT; /* data where a directory belongs */
      for (unsigned j = 0; j <= level; j++)
        if (path[j] == off)
          return EXHUNT_ECORRUPT; /* points back up the tree */
      dir = off;
    } else {
      if (target & PE_HIGH_BIT)
        return EXHUNT_ECORRUPT; /* a fourth level */
      if (!rd32(rsrc, off, data_rva) || !rd32(rsrc, (size_t)off + 4, data_size))
        return EXHUNT_ECORRUPT;
    }
  }
  return EXHUNT_OK;
}

/* ---------------------------------------------------------------------- */
/* VS_VERSIONINFO blocks.                                                  */

/*
 * One block: wLength, wValueLength, wType, a NUL-terminated UTF-16 key,
 * padding to 32 bits, the value, padding, the children. Offsets are relative
 * to the block, which always starts 32-bit aligned relative to the version
 * data, so aligning them aligns them as the format means.
 */
typedef struct vblock {
  span all;        /* the block, exactly wLength bytes */
  size_t key_len;  /* UTF-16 units of the key (at offset 6), without NUL */
  uint16_t type;   /* 1 text, 0 binary */
  size_t value;    /* offset of the value, <= all.len */
  size_t children; /* offset of the first child, <= all.len */
} vblock;

typedef enum vread { V_OK, V_END, V_BAD } vread;

/* Reads the block at off in parent. V_END: what is left is padding (too
 * short for a header, or a zero length), not an error. */
static vread block_read(span parent, size_t off, vblock *b)
{
  uint16_t wlen, value_len;
  if (!rd16(parent, off, &wlen) || wlen == 0)
    return V_END;
  if (wlen < 6 || !cut(parent, off, wlen, &b->all))
    return V_BAD;
  if (!rd16(b->all, 2, &value_len) || !rd16(b->all, 4, &b->type))
    return V_BAD;
  size_t k = 6;
  for (;;) {
    uint16_t c;
    if (!rd16(b->all, k, &c))
      return V_BAD; /* key not terminated inside the block */
    if (c == 0)
      break;
    k += 2;
  }
  b->key_len = (k - 6) / 2;
  size_t v = align4(k + 2);
  b->value = v < b->all.len ? v : b->all.len;
  /* wValueLength counts characters for text, bytes for binary. */
  size_t value_bytes = b->type == 1 ? (size_t)value_len * 2 : value_len;
  size_t c = align4(b->value + value_bytes);
  b->children = c < b->all.len ? c : b->all.len;
  return V_OK;
}

/* Does the key equal ascii, ignoring ASCII case (as VerQueryValue does)? */
static bool key_is(const vblock *b, const char *ascii)
{
  size_t n = strlen(ascii);
  if (b->key_len != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    uint16_t c;
    if (!rd16(b->all, 6 + 2 * i, &c))
      return false;
    unsigned a = (unsigned char)ascii[i];
    if (c >= 'a' && c <= 'z')
      c = (uint16_t)(c - 'a' + 'A');
    if (a >= 'a' && a <= 'z')
      a = a - 'a' + 'A';
    if (c != a)
      return false;
  }
  return true;
}

/* UTF-16LE from s, up to a NUL or the end of s, as printable ASCII; any
 * other character, a surrogate pair included, becomes one '?'. */
static void fold_utf16(span s, char *dst, size_t cap)
{
  size_t n = 0, off = 0;
  uint16_t c;
  while (n + 1 < cap && rd16(s, off, &c) && c != 0) {
    off += 2;
    uint16_t lo;
    if (c >= 0xD800 && c <= 0xDBFF && rd16(s, off, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
      off += 2;
    dst[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
  }
  dst[n] = '\0';
}

static void read_fixed(const vblock *root, uint16_t value_len, exh_pe_version *out)
{
  span fixed;
  uint32_t sig, fms, fls, pms, pls;
  if (value_len < PE_FIXED_SIZE || !cut(root->all, root->value, PE_FIXED_SIZE, &fixed))
    return;
  if (!rd32(fixed, 0, &sig) || sig != PE_FIXED_SIGNATURE)
    return;
  if (!rd32(fixed, 8, &fms) || !rd32(fixed, 12, &fls) || !rd32(fixed, 16, &pms) ||
      !rd32(fixed, 20, &pls))
    return;
  out->file[0] = (uint16_t)(fms >> 16);
  out->file[1] = (uint16_t)fms;
  out->file[2] = (uint16_t)(fls >> 16);
  out->file[3] = (uint16_t)fls;
  out->product[0] = (uint16_t)(pms >> 16);
  out->product[1] = (uint16_t)pms;
  out->product[2] = (uint16_t)(pls >> 16);
  out->product[3] = (uint16_t)pls;
  out->have_fixed = true;
}

/* The String children of one StringTable. The first occurrence of a key
 * wins. Returns how many wanted strings were read. A malformed child ends
 * the list: what came before it stays. */
static unsigned read_strings(const vblock *table, unsigned *budget, exh_pe_version *out)
{
  struct {
    const char *key;
    char *dst;
    size_t cap;
    bool done;
  } want[] = {
      {"FileVersion", out->file_version, sizeof out->file_version, false},
      {"ProductVersion", out->product_version, sizeof out->product_version, false},
      {"ProductName", out->product_name, sizeof out->product_name, false},
      {"OriginalFilename", out->original_filename, sizeof out->original_filename, false},
  };
  unsigned got = 0;
  size_t off = table->children;
  vblock s;
  while (*budget > 0 && block_read(table->all, off, &s) == V_OK) {
    (*budget)--;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
      if (want[i].done || !key_is(&s, want[i].key))
        continue;
      /* The value runs to the end of the block: wValueLength is in bytes in
       * some old linkers' output and in characters in others, so it is not
       * trusted for the extent; the string stops at its NUL. */
      span value = {s.all.p + s.value, s.all.len - s.value};
      fold_utf16(value, want[i].dst, want[i].cap);
      want[i].done = true;
      got++;
      break;
    }
    off = align4(off + s.all.len);
  }
  return got;
}

static exhunt_err parse_version(span data, exh_pe_version *out)
{
  vblock root;
  uint16_t value_len;
  if (block_read(data, 0, &root) != V_OK || !key_is(&root, "VS_VERSION_INFO") ||
      !rd16(root.all, 2, &value_len))
    return EXHUNT_ECORRUPT;
  read_fixed(&root, value_len, out);

  /* Children: StringFileInfo and VarFileInfo, in either order. */
  unsigned budget = PE_MAX_VERSION_BLOCKS, strings = 0;
  bool seen_sfi = false;
  size_t off = root.children;
  vblock child;
  while (budget > 0 && block_read(root.all, off, &child) == V_OK) {
    budget--;
    if (!seen_sfi && key_is(&child, "StringFileInfo")) {
      seen_sfi = true;
      vblock table; /* only the first StringTable, as documented */
      if (block_read(child.all, child.children, &table) == V_OK)
        strings = read_strings(&table, &budget, out);
    }
    off = align4(off + child.all.len);
  }
  /* A version resource that yields neither part is as good as broken. */
  return out->have_fixed || strings > 0 ? EXHUNT_OK : EXHUNT_ECORRUPT;
}

/* ---------------------------------------------------------------------- */

exhunt_err exh_pe_version_parse(const uint8_t *data, size_t len, exh_pe_version *out)
{
  if (!out)
    return EXHUNT_EINVAL;
  memset(out, 0, sizeof *out);
  if (!data && len)
    return EXHUNT_EINVAL;
  span file = {data, data ? len : 0};
  pe_image pe;
  uint32_t rsrc_rva, data_rva, data_size;
  span rsrc, vdata;
  exhunt_err rc = pe_headers(file, &pe, &rsrc_rva);
  if (rc != EXHUNT_OK)
    return rc;
  if (!rva_span(&pe, rsrc_rva, &rsrc))
    return EXHUNT_ECORRUPT;
  rc = rsrc_find_version(rsrc, &data_rva, &data_size);
  if (rc != EXHUNT_OK)
    return rc;
  if (!rva_span(&pe, data_rva, &vdata) || !cut(vdata, 0, data_size, &vdata))
    return EXHUNT_ECORRUPT;
  rc = parse_version(vdata, out);
  if (rc != EXHUNT_OK)
    memset(out, 0, sizeof *out); /* no half answers on failure */
  return rc;
}
