/*
 * fuzz_segment.c: libFuzzer target for the sentence splitter.  Spans must
 * lie inside the text, in order, without overlap, within the sentence
 * limit, and never start or end with white space.
 */
#include "khabar.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len, bad;
    char *text = kb_utf8_repair((const char *)data, size, &len, &bad);
    if (!text)
        return 0;
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    const kb_span *sp;
    size_t n, end = 0;
    if (sg && kb_segment(sg, text, len, &sp, &n, &err) == 0)
        for (size_t i = 0; i < n; i++) {
            if (sp[i].start < end || sp[i].len == 0 ||
                sp[i].start + sp[i].len > len ||
                sp[i].len > KB_MAX_SENTENCE_BYTES)
                abort();
            char first = text[sp[i].start], last = text[sp[i].start + sp[i].len - 1];
            if (first == ' ' || first == '\n' || last == ' ' || last == '\n')
                abort();
            end = sp[i].start + sp[i].len;
        }
    kb_segmenter_free(sg);
    free(text);
    return 0;
}
