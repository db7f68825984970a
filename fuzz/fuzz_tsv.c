/*
 * fuzz_tsv.c: libFuzzer target for the labelled-TSV reader.  The input is
 * written to a file and read as a dataset; on success every row must have
 * a non-empty label and text, and a line number after the header.
 */
#include "khabar.h"

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (fuzz_write_temp("tsv", data, size, path, sizeof path) != 0)
        return 0;
    kb_dataset ds;
    kb_error err;
    if (kb_dataset_read(path, "topic", &ds, &err) == 0) {
        for (size_t i = 0; i < ds.n; i++)
            if (!ds.label[i][0] || !ds.text[i][0] || ds.line[i] < 2)
                abort();
        kb_dataset_free(&ds);
    } else if (!strstr(err.msg, path)) {
        abort(); /* every error names the file */
    }
    unlink(path);
    return 0;
}
