/*
 * fuzz_lines.c: libFuzzer target for the article line reader (common/
 * lines.c, repair mode) as classify uses it.  Every line handed out must
 * be valid UTF-8 with no NUL, no longer than a piece; every error must
 * name the file and a line.
 */
#include "common.h"

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (fuzz_write_temp("lines", data, size, path, sizeof path) != 0)
        return 0;
    kb_lines in;
    kb_error err;
    if (kb_lines_open(&in, path, KB_LINES_REPAIR, &err) != 0)
        abort();
    char *text;
    size_t len, lines = 0;
    int r;
    while ((r = kb_lines_next(&in, &text, &len, &err)) == 1) {
        if (len > KB_MAX_PIECE || memchr(text, '\0', len) ||
            !kb_utf8_check(text, len, NULL, NULL) || text[len] != '\0')
            abort();
        lines++;
    }
    if (r < 0 && (!strstr(err.msg, path) || in.lineno > size + 1))
        abort();
    if (r == 0 && lines > size + 1)
        abort();
    kb_lines_close(&in);
    unlink(path);
    return 0;
}
