/*
 * regress.c: runs a fuzz target's LLVMFuzzerTestOneInput on every file
 * of the given directories (the committed seeds and every crash found so
 * far), without libFuzzer, so that ctest replays them in every build,
 * the sanitizer build included.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* a target may have no regressions yet */
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        fseek(fp, 0, SEEK_END);
        long len = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
        size_t got = fread(buf, 1, (size_t)len, fp);
        fclose(fp);
        LLVMFuzzerTestOneInput(buf, got);
        free(buf);
        (*n)++;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    for (int i = 1; i < argc; i++)
        run_dir(argv[i], &n);
    printf("%zu passed, 0 failed\n", n);
    return n > 0 ? 0 : 1;
}
