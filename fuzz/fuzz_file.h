/*
 * fuzz_file.h: what the file-reading fuzz targets share: the input
 * written to a temporary file of this process, for the readers that take
 * a path.
 */
#ifndef KB_FUZZ_FILE_H
#define KB_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* Writes data to /tmp/khabar-fuzz-TAG-PID (named in path); 0 on success. */
static inline int fuzz_write_temp(const char *tag, const uint8_t *data,
                                  size_t size, char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/khabar-fuzz-%s-%ld", tag, (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = fwrite(data, 1, size, fp) == size;
    return (fclose(fp) == 0 && ok) ? 0 : -1;
}

#endif
