/*
 * testutil.c: file and random-text helpers for the tests (see testutil.h).
 */
#include "testutil.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unicode/utf8.h>

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

size_t tu_random_text(uint64_t *state, const int32_t *special,
                      size_t n_special, char *out, size_t cap)
{
    size_t n = 0, len = (size_t)(kb_rand_next(state) % 40);
    for (size_t k = 0; k < len && n + 4 < cap; k++) {
        uint64_t r = kb_rand_next(state);
        int32_t c;
        switch (r % 9) {
        case 0: case 1: case 2: c = special[(r >> 8) % n_special]; break;
        case 3: c = (int32_t)(0x0600 + (r >> 8) % 0x100); break;
        case 4: c = (int32_t)(0x0621 + (r >> 8) % 0x2A); break;
        case 5: c = (int32_t)(0x20 + (r >> 8) % 0x5F); break;
        case 6: c = (int32_t)((r >> 8) % 0x800); break;
        case 7: c = (int32_t)((r >> 8) % 0x110000); break;
        default:
            out[n++] = (char)(0x80 + (r >> 8) % 0x80); /* a stray byte */
            continue;
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD;
        U8_APPEND_UNSAFE((uint8_t *)out, n, c);
    }
    return n;
}
