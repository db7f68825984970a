/*
 * fuzz_records.c: libFuzzer target for structured input (cli/records.c):
 * the bytes are read as JSON Lines, CSV and TSV files of records, and one
 * line as a JSON object and array.  Every record must have a text, every
 * error must name the file, and a JSON string field must come out as
 * valid UTF-8.
 */
#include "records.h"

#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void read_all(const char *path, int kind)
{
    rec_reader r;
    kb_error err;
    if (rec_open(&r, path, kind, "text", kind == REC_JSONL ? "id" : NULL, &err) != 0) {
        if (!strstr(err.msg, path))
            abort();
        return;
    }
    rec_record *rec;
    int got;
    while ((got = rec_next(&r, &rec, &err)) != 0) {
        if (got < 0) {
            if (!strstr(err.msg, path))
                abort(); /* every error names the file */
            if (got == -2)
                break;
            continue;
        }
        if (!rec->text || strlen(rec->text) > rec->text_len ||
            !kb_utf8_check(rec->text, rec->text_len, NULL, NULL))
            abort();
        rec_free(rec);
    }
    rec_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (fuzz_write_temp("rec", data, size, path, sizeof path) != 0)
        return 0;
    read_all(path, REC_JSONL);
    read_all(path, REC_CSV);
    read_all(path, REC_TSV);
    unlink(path);
    char *fixed = kb_utf8_repair((const char *)data, size, NULL, NULL);
    if (fixed) {
        rec_field *f;
        size_t n;
        kb_error err;
        size_t len = strlen(fixed);
        if (rec_parse_json_object(fixed, len, &f, &n, &err) == 0) {
            for (size_t i = 0; i < n; i++)
                if (!f[i].json && !kb_utf8_check(f[i].value, f[i].len, NULL, NULL))
                    abort();
            rec_fields_free(f, n);
        }
        if (rec_parse_json_array(fixed, len, &f, &n, &err) == 0)
            rec_fields_free(f, n);
        free(fixed);
    }
    return 0;
}
