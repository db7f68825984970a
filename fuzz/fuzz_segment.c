/*
 * fuzz_segment.c: libFuzzer target for the sentence splitter.  Spans must
 * lie inside the text, in order, without overlap, within the sentence
 * limit, and never start or end with white space; and the boundaries
 * found from the terminators must be exactly those of ICU's break
 * iterator, on the repaired text and on the raw bytes.
 */
#include "khabar.h"
#include "text.h"

#include <stdlib.h>

static void check_spans(const char *text, size_t len, const kb_span *sp, size_t n)
{
    size_t end = 0;
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
}

/* Aborts unless both segmenters give the same spans (or both fail). */
static void same_spans(kb_segmenter *fast, kb_segmenter *icu, const char *text,
                       size_t len)
{
    kb_error err;
    const kb_span *a, *b;
    size_t na, nb;
    int ra = kb_segment(fast, text, len, &a, &na, &err);
    int rb = kb_segment(icu, text, len, &b, &nb, &err);
    if (ra != rb || (ra == 0 && na != nb))
        abort();
    for (size_t i = 0; ra == 0 && i < na; i++)
        if (a[i].start != b[i].start || a[i].len != b[i].len)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len, bad;
    char *text = kb_utf8_repair((const char *)data, size, &len, &bad);
    if (!text)
        return 0;
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err), *icu = kb_segmenter_new(&err);
    const kb_span *sp;
    size_t n;
    if (sg && icu) {
        if (kb_segment(sg, text, len, &sp, &n, &err) == 0)
            check_spans(text, len, sp, n);
        kb_segmenter_use_icu(icu, 1);
        same_spans(sg, icu, text, len);
        same_spans(sg, icu, (const char *)data, size);
    }
    kb_segmenter_free(sg);
    kb_segmenter_free(icu);
    free(text);
    return 0;
}
