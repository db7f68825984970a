/*
 * normalize.c: Arabic text normalisation with ICU.
 *
 * Each step is one named flag (KB_NORM_*), so that a model records exactly
 * how its training text was normalised and normalises new text the same
 * way.  Unicode knowledge comes from ICU: NFKC from unorm2, the set of
 * Arabic combining marks from a UnicodeSet pattern, digit values, white
 * space, case folding and default-ignorables from uchar.  The letter folds
 * (alef, yaa, taa marbuta) are the product's own choice, not Unicode's.
 *
 * Most news text has only code points below U+0800 (Arabic, Latin-1,
 * ASCII).  For those, a table built once per normaliser by asking the ICU
 * path about each of them says what it does on its own: kept, mapped to
 * one code point, dropped, or white space.  A text made only of such code
 * points is normalised straight from its UTF-8 through the table; any
 * other (a code point that NFKC may change or compose, a combining mark
 * that is kept, three- and four-byte UTF-8, invalid bytes) goes through
 * ICU.  Tests and a fuzz target compare both paths (text.h).
 */
#include "text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

struct kb_normalizer {
    unsigned flags;
    const UNormalizer2 *nfkc;
    USet *arabic_marks;
    int use_table;
    int32_t table[0x800]; /* per code point: TABLE_* or what it becomes */
    UChar *u16, *u16b; /* scratch: input and NFKC output */
    int32_t u16_cap;     /* both scratch arrays hold u16_cap units */
    size_t cap_a, cap_b; /* their allocated sizes */
    kb_buf out;
};

static const struct {
    const char *name;
    unsigned flag;
} norm_names[] = {
    {"nfkc", KB_NORM_NFKC},       {"ignorables", KB_NORM_IGNORABLES},
    {"diacritics", KB_NORM_DIACRITICS}, {"tatweel", KB_NORM_TATWEEL},
    {"alef", KB_NORM_ALEF},       {"yaa", KB_NORM_YAA},
    {"taa", KB_NORM_TAA},         {"digits", KB_NORM_DIGITS},
    {"case", KB_NORM_CASE},       {"space", KB_NORM_SPACE},
};
#define N_NORM_NAMES (sizeof norm_names / sizeof norm_names[0])

int kb_norm_parse(const char *names, unsigned *flags, kb_error *err)
{
    if (strcmp(names, "all") == 0) {
        *flags = KB_NORM_ALL;
        return 0;
    }
    *flags = 0;
    if (strcmp(names, "none") == 0)
        return 0;
    const char *p = names;
    while (*p) {
        size_t n = strcspn(p, ",");
        size_t i;
        for (i = 0; i < N_NORM_NAMES; i++)
            if (strlen(norm_names[i].name) == n &&
                strncmp(norm_names[i].name, p, n) == 0)
                break;
        if (i == N_NORM_NAMES) {
            char known[256];
            kb_norm_names(known, sizeof known);
            return kb_fail(err, "unknown normalisation step '%.*s' (known: "
                                "%s, or all/none)", (int)n, p, known);
        }
        *flags |= norm_names[i].flag;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

void kb_norm_format(unsigned flags, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < N_NORM_NAMES; i++) {
        if (!(flags & norm_names[i].flag))
            continue;
        int w = snprintf(out + len, cap - len, "%s%s", len ? "," : "",
                         norm_names[i].name);
        if (w < 0 || (size_t)w >= cap - len)
            return;
        len += (size_t)w;
    }
    if (len == 0)
        snprintf(out, cap, "none");
}

#define TABLE_DROP (-1)  /* the code point is removed */
#define TABLE_SPACE (-2) /* white space: runs become one space */
#define TABLE_ICU (-3)   /* only ICU's path can say: the text goes there */

static int is_plain(UChar32 c);
static UChar32 fold_char(const kb_normalizer *nz, UChar32 c);

/* What fold_all does with code point c on its own (NFKC aside). */
static int32_t fold_entry(const kb_normalizer *nz, UChar32 c)
{
    if (is_plain(c))
        return c;
    if ((nz->flags & KB_NORM_SPACE) && u_isUWhiteSpace(c))
        return TABLE_SPACE;
    UChar32 f = fold_char(nz, c);
    if (f < 0)
        return TABLE_DROP;
    /* a kept combining mark: NFKC would put a run of them in canonical
     * order, which depends on its neighbours; and the output may not be
     * longer in UTF-8 than the input */
    if (u_getCombiningClass(c) != 0 || u_getCombiningClass(f) != 0 ||
        U8_LENGTH(f) > U8_LENGTH(c))
        return TABLE_ICU;
    return f;
}

/* What the ICU path (NFKC, then fold_all) does with code point c on its
 * own, when that does not depend on its neighbours.  Under NFKC, a code
 * point that NFKC keeps is looked up as it is; one that NFKC turns into a
 * single other code point (no-break space into a space) as that one; any
 * other (several code points, or one that may compose with the code point
 * before it, NFKC's "maybe") goes to ICU with its text. */
static int32_t table_entry(const kb_normalizer *nz, UChar32 c)
{
    if (!(nz->flags & KB_NORM_NFKC))
        return fold_entry(nz, c);
    UErrorCode st = U_ZERO_ERROR;
    UChar u[2], d[8];
    int32_t n = 0;
    U16_APPEND_UNSAFE(u, n, c);
    UNormalizationCheckResult qc = unorm2_quickCheck(nz->nfkc, u, n, &st);
    if (U_FAILURE(st) || qc == UNORM_MAYBE)
        return TABLE_ICU;
    if (qc == UNORM_YES)
        return fold_entry(nz, c);
    int32_t dn = unorm2_normalize(nz->nfkc, u, n, d, 8, &st);
    UChar32 dc;
    int32_t at = 0;
    if (U_FAILURE(st) || dn < 1)
        return TABLE_ICU;
    U16_NEXT(d, at, dn, dc);
    UChar one[2];
    int32_t on = 0;
    U16_APPEND_UNSAFE(one, on, dc);
    if (at != dn || dc >= 0x800 || u_getCombiningClass(c) != 0 ||
        unorm2_quickCheck(nz->nfkc, one, on, &st) != UNORM_YES || U_FAILURE(st))
        return TABLE_ICU;
    int32_t e = fold_entry(nz, dc);
    if (e >= 0 && U8_LENGTH(e) > U8_LENGTH(c))
        return TABLE_ICU;
    return e;
}

static void build_table(kb_normalizer *nz)
{
    for (UChar32 c = 0; c < 0x800; c++)
        nz->table[c] = table_entry(nz, c);
    nz->use_table = 1;
}

kb_normalizer *kb_normalizer_new(unsigned flags, kb_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    kb_normalizer *nz = calloc(1, sizeof *nz);
    if (!nz) {
        kb_fail(err, "out of memory");
        return NULL;
    }
    nz->flags = flags;
    nz->nfkc = unorm2_getNFKCInstance(&st);
    /* Arabic-script combining marks: tashkeel, superscript alef, Quranic
     * marks, combining hamza.  Script_Extensions includes the Inherited
     * marks that Arabic uses. */
    static const UChar pattern[] = u"[[:Mn:]&[:scx=Arab:]]";
    nz->arabic_marks = uset_openPattern(pattern, -1, &st);
    if (U_FAILURE(st)) {
        kb_fail(err, "ICU normaliser set-up failed: %s", u_errorName(st));
        kb_normalizer_free(nz);
        return NULL;
    }
    uset_freeze(nz->arabic_marks);
    build_table(nz); /* (an ICU failure there sends code points to ICU) */
    return nz;
}

void kb_normalizer_use_table(kb_normalizer *nz, int on)
{
    nz->use_table = on;
}

void kb_normalizer_free(kb_normalizer *nz)
{
    if (!nz)
        return;
    if (nz->arabic_marks)
        uset_close(nz->arabic_marks);
    free(nz->u16);
    free(nz->u16b);
    kb_buf_free(&nz->out);
    free(nz);
}

static int ensure_u16(kb_normalizer *nz, int32_t need)
{
    if (need <= nz->u16_cap)
        return 0;
    if (need < 0 || KB_GROW(nz->u16, nz->cap_a, (size_t)need) != 0 ||
        KB_GROW(nz->u16b, nz->cap_b, (size_t)need) != 0)
        return -1;
    size_t cap = nz->cap_a < nz->cap_b ? nz->cap_a : nz->cap_b;
    nz->u16_cap = cap > INT32_MAX ? INT32_MAX : (int32_t)cap;
    return 0;
}

/* The characters every flag keeps as they are, and that are not white
 * space: the Arabic letters other than the folded ones, and printable
 * ASCII but capitals (tests/test_normalize.c checks these against ICU). */
static int is_plain(UChar32 c)
{
    return (c >= 0x0621 && c <= 0x063A && c != 0x0622 && c != 0x0623 &&
            c != 0x0625 && c != 0x0629) ||
           (c >= 0x0641 && c <= 0x064A && c != 0x0649) ||
           (c < 0x80 && c > 0x20 && !(c >= 'A' && c <= 'Z'));
}

/* Maps one code point; returns -1 to drop it. */
static UChar32 fold_char(const kb_normalizer *nz, UChar32 c)
{
    unsigned f = nz->flags;
    /* Fast path: the Arabic letters other than the folded ones have no
     * case, are not marks, digits or ignorables (checked by a test). */
    if (c >= 0x0621 && c <= 0x063A && c != 0x0622 && c != 0x0623 &&
        c != 0x0625 && c != 0x0629)
        return c;
    if (c >= 0x0641 && c <= 0x064A && c != 0x0649)
        return c;
    if (c < 0x80 && c > 0x20 && !(c >= 'A' && c <= 'Z'))
        return c;
    if ((f & KB_NORM_IGNORABLES) &&
        u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return -1;
    if ((f & KB_NORM_TATWEEL) && c == 0x0640)
        return -1;
    if ((f & KB_NORM_DIACRITICS) && c >= 0x0300 &&
        uset_contains(nz->arabic_marks, c))
        return -1;
    if ((f & KB_NORM_ALEF) &&
        (c == 0x0622 || c == 0x0623 || c == 0x0625 || c == 0x0671 ||
         c == 0x0672 || c == 0x0673))
        return 0x0627;
    if ((f & KB_NORM_YAA) && (c == 0x0649 || c == 0x06CC))
        return 0x064A;
    if ((f & KB_NORM_TAA) && c == 0x0629)
        return 0x0647;
    if ((f & KB_NORM_DIGITS) && c > 0x7f &&
        u_charType(c) == U_DECIMAL_DIGIT_NUMBER)
        return '0' + u_charDigitValue(c);
    if (f & KB_NORM_CASE)
        c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    return c;
}

static int emit(kb_buf *out, UChar32 c)
{
    if (kb_buf_reserve(out, 5) != 0)
        return -1;
    uint8_t *s = (uint8_t *)out->data;
    int32_t i = (int32_t)out->len;
    U8_APPEND_UNSAFE(s, i, c);
    out->len = (size_t)i;
    return 0;
}

static int fold_all(kb_normalizer *nz, const UChar *s, int32_t n)
{
    int pending_space = 0;
    int spaces = (nz->flags & KB_NORM_SPACE) != 0;
    nz->out.len = 0;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (is_plain(c)) { /* most characters: kept as they are */
            if (pending_space && emit(&nz->out, ' ') != 0)
                return -1;
            pending_space = 0;
            if (emit(&nz->out, c) != 0)
                return -1;
            continue;
        }
        if (spaces && u_isUWhiteSpace(c)) {
            pending_space = nz->out.len > 0;
            continue;
        }
        c = fold_char(nz, c);
        if (c < 0)
            continue;
        if (pending_space && emit(&nz->out, ' ') != 0)
            return -1;
        pending_space = 0;
        if (emit(&nz->out, c) != 0)
            return -1;
    }
    if (kb_buf_reserve(&nz->out, 1) != 0)
        return -1;
    nz->out.data[nz->out.len] = '\0';
    return 0;
}

/* Appends the UTF-8 of c (below U+0800) to out, which has room. */
static inline void put_small(kb_buf *out, int32_t c)
{
    if (c < 0x80) {
        out->data[out->len++] = (char)c;
    } else {
        out->data[out->len++] = (char)(0xC0 | (c >> 6));
        out->data[out->len++] = (char)(0x80 | (c & 0x3F));
    }
}

/* Normalises text through the table; 1 when it could, 0 when some code
 * point needs ICU (the output is then to be discarded), -1 when out of
 * memory.  The output is never longer than the input (each kept code
 * point below U+0800 maps to one of no more bytes, or is dropped). */
static int fold_by_table(kb_normalizer *nz, const char *text, size_t len)
{
    const uint8_t *s = (const uint8_t *)text;
    kb_buf *out = &nz->out;
    out->len = 0;
    if (kb_buf_reserve(out, len + 1) != 0)
        return -1;
    int pending_space = 0;
    for (size_t i = 0; i < len;) {
        int32_t c;
        if (s[i] < 0x80) {
            c = s[i++];
        } else if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < len &&
                   (s[i + 1] & 0xC0) == 0x80) {
            c = ((s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F);
            i += 2;
        } else {
            return 0; /* three or four bytes, or not UTF-8 */
        }
        int32_t f = nz->table[c];
        if (f >= 0) {
            if (pending_space)
                out->data[out->len++] = ' ';
            pending_space = 0;
            put_small(out, f);
        } else if (f == TABLE_SPACE) {
            pending_space = out->len > 0;
        } else if (f == TABLE_ICU) {
            return 0;
        }
    }
    out->data[out->len] = '\0';
    return 1;
}

const char *kb_normalize(kb_normalizer *nz, const char *text, size_t len,
                         size_t *out_len, kb_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    if (nz->use_table && len < INT32_MAX) {
        int r = fold_by_table(nz, text, len);
        if (r < 0) {
            kb_fail(err, "out of memory");
            return NULL;
        }
        if (r > 0) {
            if (out_len)
                *out_len = nz->out.len;
            return nz->out.data;
        }
    }
    if (len > INT32_MAX / 4) {
        kb_fail(err, "text too long to normalise (%zu bytes)", len);
        return NULL;
    }
    if (ensure_u16(nz, (int32_t)len + 1) != 0) {
        kb_fail(err, "out of memory");
        return NULL;
    }
    int32_t n16 = 0;
    u_strFromUTF8WithSub(nz->u16, nz->u16_cap, &n16, text, (int32_t)len,
                         0xFFFD, NULL, &st);
    if (U_FAILURE(st)) {
        kb_fail(err, "UTF-8 conversion failed: %s", u_errorName(st));
        return NULL;
    }
    const UChar *s = nz->u16;
    /* text already in NFKC (most news text) is not copied through it */
    if ((nz->flags & KB_NORM_NFKC) &&
        unorm2_spanQuickCheckYes(nz->nfkc, nz->u16, n16, &st) < n16) {
        int32_t n = unorm2_normalize(nz->nfkc, nz->u16, n16, nz->u16b,
                                     nz->u16_cap, &st);
        if (st == U_BUFFER_OVERFLOW_ERROR) {
            /* NFKC can expand (e.g. U+FDFA); grow and retry once. */
            st = U_ZERO_ERROR;
            if (ensure_u16(nz, n + 1) != 0) {
                kb_fail(err, "out of memory");
                return NULL;
            }
            u_strFromUTF8WithSub(nz->u16, nz->u16_cap, &n16, text,
                                 (int32_t)len, 0xFFFD, NULL, &st);
            n = unorm2_normalize(nz->nfkc, nz->u16, n16, nz->u16b,
                                 nz->u16_cap, &st);
        }
        if (U_FAILURE(st)) {
            kb_fail(err, "NFKC normalisation failed: %s", u_errorName(st));
            return NULL;
        }
        s = nz->u16b;
        n16 = n;
    }
    if (fold_all(nz, s, n16) != 0) {
        kb_fail(err, "out of memory");
        return NULL;
    }
    if (out_len)
        *out_len = nz->out.len;
    return nz->out.data;
}
