/*
 * fuzz_normalize.c: libFuzzer target for UTF-8 repair and normalisation.
 * Any bytes are repaired, then normalised with every step and with none;
 * the output must be valid UTF-8, and the table-driven path must give
 * exactly what the ICU path gives, on the repaired text and on the raw
 * bytes.
 */
#include "khabar.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/utf8.h>

static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, n, c);
        if (c < 0)
            return 0;
    }
    return 1;
}

/* 1 when both normalisers give the same bytes (or both refuse); each
 * keeps its own output buffer. */
static int same(kb_normalizer *a, kb_normalizer *b, const char *text, size_t len)
{
    kb_error e1, e2;
    size_t n1 = 0, n2 = 0;
    const char *x = kb_normalize(a, text, len, &n1, &e1);
    const char *y = kb_normalize(b, text, len, &n2, &e2);
    if (!x || !y)
        return !x && !y;
    return n1 == n2 && memcmp(x, y, n1) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len, bad;
    char *text = kb_utf8_repair((const char *)data, size, &len, &bad);
    if (!text)
        return 0;
    if (!valid_utf8(text, len) || memchr(text, 0, len))
        abort();
    static const unsigned modes[] = {KB_NORM_ALL, 0, KB_NORM_DIACRITICS | KB_NORM_SPACE};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        kb_error err;
        kb_normalizer *nz = kb_normalizer_new(modes[m], &err);
        kb_normalizer *icu = kb_normalizer_new(modes[m], &err);
        kb_normalizer_use_table(icu, 0);
        size_t n;
        const char *out = kb_normalize(nz, text, len, &n, &err);
        if (out && (!valid_utf8(out, n) || strlen(out) != n))
            abort();
        if (!same(nz, icu, text, len) || !same(nz, icu, (const char *)data, size))
            abort();
        kb_normalizer_free(nz);
        kb_normalizer_free(icu);
    }
    free(text);
    return 0;
}
