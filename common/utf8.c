/*
 * utf8.c: the one UTF-8 validator and the one repairer.  Every reader of
 * text (TSV files, articles) checks its lines here, so the rules for what
 * counts as valid text are written once.  ICU's U8_NEXT decides what a
 * well-formed sequence is (no overlongs, no surrogates, nothing past
 * U+10FFFF).
 */
#include "common.h"

#include <unicode/utf8.h>

int kb_utf8_check(const char *s, size_t len, size_t *bad_at, size_t *controls)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, ctl = 0, first_bad = SIZE_MAX;
    while (i < len) {
        uint8_t b = p[i];
        if (b < 0x80) {
            ctl += (b < 0x20 && b != '\t' && b != '\f' && b != '\v' &&
                    b != '\r' && b != 0x1b) || b == 0x7f;
            i++;
            continue;
        }
        size_t at = i;
        UChar32 c;
        U8_NEXT(p, i, len, c);
        if (c < 0 && first_bad == SIZE_MAX)
            first_bad = at;
    }
    if (controls)
        *controls = ctl;
    if (bad_at)
        *bad_at = first_bad;
    return first_bad == SIZE_MAX;
}

char *kb_utf8_repair(const char *text, size_t len, size_t *out_len,
                     size_t *n_bad)
{
    kb_buf b = {0};
    size_t bad = 0;
    const uint8_t *s = (const uint8_t *)text;
    if (kb_buf_reserve(&b, len + 1) != 0)
        return NULL;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && s[run] >= 0x01 && s[run] < 0x80)
            run++;
        if (run > i) {
            if (kb_buf_append(&b, s + i, run - i) != 0)
                goto oom;
            i = run;
            continue;
        }
        int32_t j = 0, avail = (int32_t)((len - i) > 8 ? 8 : (len - i));
        UChar32 c;
        U8_NEXT(s + i, j, avail, c);
        if (c <= 0) { /* invalid sequence (c < 0) or NUL byte (c == 0) */
            bad++;
            if (kb_buf_append(&b, "\xEF\xBF\xBD", 3) != 0)
                goto oom;
        } else if (kb_buf_append(&b, s + i, (size_t)j) != 0) {
            goto oom;
        }
        i += (size_t)j;
    }
    if (kb_buf_reserve(&b, 1) != 0)
        goto oom;
    b.data[b.len] = '\0';
    if (out_len)
        *out_len = b.len;
    if (n_bad)
        *n_bad = bad;
    return b.data;
oom:
    kb_buf_free(&b);
    return NULL;
}
