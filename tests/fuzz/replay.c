/*
 * replay.c - runs a libFuzzer target over files without libFuzzer, so every
 * seed and every committed crash input is replayed in the normal test suite
 * (and under ASan+UBSan in CI). Usage: replay FILE_OR_DIR...
 * In a directory, dot files and README* / LICENSE* (a corpus's attribution)
 * are not inputs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *grown = realloc(buf, cap);
      if (!grown)
        abort();
      buf = grown;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

int main(int argc, char **argv)
{
  int failed = 0, files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      failed |= run_file(argv[i]);
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *de;
    while (d && (de = readdir(d))) {
      if (de->d_name[0] == '.' || strncmp(de->d_name, "README", 6) == 0 ||
          strncmp(de->d_name, "LICENSE", 7) == 0)
        continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
      failed |= run_file(path);
      files++;
    }
    if (d)
      closedir(d);
  }
  /* an empty input too: the smallest case every parser must take */
  LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
  printf("replayed %d inputs\n", files + 1);
  return failed;
}
