/*
 * testutil.h: helpers the cmocka tests share: reading files, writing
 * temporary files, where the repository and the seed data are, and
 * random text for the differential tests.
 */
#ifndef KB_TESTUTIL_H
#define KB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "khabar.h"

/* Whole file, NUL-terminated (NULL when it cannot be read). */
char *tu_read_file(const char *path, size_t *len);
/* Writes len bytes to a fresh temporary file; returns its path (free it). */
char *tu_write_temp(const void *data, size_t len, const char *suffix);
/* 1 when ../shared/data/seeds exists beside the repository. */
int tu_have_seeds(void);
/* Path under the repository (static buffer). */
const char *tu_src(const char *rel);
const char *tu_seeds(const char *rel);
/* Random text of up to 40 code points (at most cap - 4 bytes): a third
 * from special, the rest Arabic, ASCII, anything below U+0800, anything
 * in Unicode, or a stray invalid byte; its length in bytes. */
size_t tu_random_text(uint64_t *state, const int32_t *special,
                      size_t n_special, char *out, size_t cap);

#endif
