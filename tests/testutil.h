/*
 * testutil.h: helpers the cmocka tests share: reading files, writing
 * temporary files, and where the repository and the seed data are.
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

#endif
