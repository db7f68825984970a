/*
 * testutil.c: file helpers for the tests (see testutil.h).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tu_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

char *tu_write_temp(const void *data, size_t len, const char *suffix)
{
    char *path = malloc(256);
    snprintf(path, 256, "/tmp/khabar-test-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        free(path);
        return NULL;
    }
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

int tu_have_seeds(void)
{
    struct stat st;
    return stat(KHABAR_SEEDS_DIR "/sentences.tsv", &st) == 0;
}

const char *tu_src(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", KHABAR_SOURCE_DIR, rel);
    return buf;
}

const char *tu_seeds(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", KHABAR_SEEDS_DIR, rel);
    return buf;
}
