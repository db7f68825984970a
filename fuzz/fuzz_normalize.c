/*
 * fuzz_normalize.c: libFuzzer target for UTF-8 repair and normalisation.
 * Any bytes are repaired, then normalised with every step and with none;
 * the output must be valid UTF-8 and never longer than NFKC can make it.
 */
#include "khabar.h"

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
        size_t n;
        const char *out = kb_normalize(nz, text, len, &n, &err);
        if (out && (!valid_utf8(out, n) || strlen(out) != n))
            abort();
        kb_normalizer_free(nz);
    }
    free(text);
    return 0;
}
