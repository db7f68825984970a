/*
 * segment.c: splits Arabic news text into sentences.
 *
 * ICU's sentence break iterator (UAX #29) does the general work on the
 * UTF-8 text in place.  Real Arabic news needs three rules on top of it:
 *   - a line break always ends a sentence (headlines, captions and
 *     boilerplate stand on lines of their own);
 *   - a terminator glued to the next Arabic word still ends a sentence:
 *     "(الخميس).وأحصى" and "الأردنية».كما" are two sentences each
 *     (ICU keeps them together, as it would "example.com");
 *   - a Latin initial ("Nagi N. Najjar") and the title "د." ("د. أحمد",
 *     "د.أحمد") do not end a sentence;
 *   - a run of dots ("..", "...", "…") in mid-line does not end one:
 *     Arabic headlines use it as a separator ("الجنوب السوري .. هدوء
 *     حذر"), as the labelling guide's clarifications say.
 * Sentences are trimmed of white space (NBSP included), and a piece of
 * only white space and invisible characters (ZWSP, RLM, ...) is no
 * sentence (kb_text_blank); a sentence longer
 * than KB_MAX_SENTENCE_BYTES is cut at a space before the limit.
 */
#include "text.h"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

/* Sentence_Break classes of code points below U+0800, from ICU. */
enum { SB_TABLE_SIZE = 0x800 };

struct kb_segmenter {
    UBreakIterator *bi;
    UText *ut;
    kb_span *spans;
    size_t n, cap;
    int use_icu;       /* 1: every line through ICU's iterator (reference) */
    size_t *breaks;    /* one line's sentence boundaries */
    size_t n_breaks, breaks_cap;
    uint8_t sb[SB_TABLE_SIZE];
};

kb_segmenter *kb_segmenter_new(kb_error *err)
{
    UErrorCode st = U_ZERO_ERROR;
    kb_segmenter *sg = calloc(1, sizeof *sg);
    if (!sg) {
        kb_fail(err, "out of memory");
        return NULL;
    }
    sg->bi = ubrk_open(UBRK_SENTENCE, "ar", NULL, 0, &st);
    if (U_FAILURE(st)) {
        kb_fail(err, "ICU sentence iterator unavailable: %s", u_errorName(st));
        kb_segmenter_free(sg);
        return NULL;
    }
    for (UChar32 c = 0; c < SB_TABLE_SIZE; c++)
        sg->sb[c] = (uint8_t)u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK);
    return sg;
}

void kb_segmenter_free(kb_segmenter *sg)
{
    if (!sg)
        return;
    if (sg->bi)
        ubrk_close(sg->bi);
    if (sg->ut)
        utext_close(sg->ut);
    free(sg->spans);
    free(sg->breaks);
    free(sg);
}

static UChar32 char_at(const char *t, size_t len, size_t i, size_t *next)
{
    UChar32 c;
    int32_t j = 0, avail = (int32_t)((len - i) > 4 ? 4 : (len - i));
    U8_NEXT((const uint8_t *)t + i, j, avail, c);
    *next = i + (size_t)j;
    return c;
}

static int is_space_at(const char *t, size_t len, size_t i, size_t *next)
{
    UChar32 c = char_at(t, len, i, next);
    return c >= 0 && u_isUWhiteSpace(c);
}

int kb_text_has_arabic(const char *t, size_t len)
{
    for (size_t i = 0; i < len;) {
        if ((unsigned char)t[i] < 0x80) { /* ASCII: never Arabic */
            i++;
            continue;
        }
        UChar32 c;
        U8_NEXT((const uint8_t *)t, i, len, c);
        UErrorCode st = U_ZERO_ERROR;
        if (c >= 0 && u_isalpha(c) && uscript_getScript(c, &st) == USCRIPT_ARABIC)
            return 1;
    }
    return 0;
}

int kb_text_blank(const char *t, size_t len)
{
    for (size_t i = 0; i < len;) {
        UChar32 c;
        U8_NEXT((const uint8_t *)t, i, len, c);
        if (c < 0)
            return 0;
        if (!u_isUWhiteSpace(c) && !u_iscntrl(c) &&
            !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            return 0;
    }
    return 1;
}

static int push_span(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    size_t next;
    while (a < b && is_space_at(t, b, a, &next))
        a = next;
    while (b > a) {
        size_t p = b - 1;
        while (p > a && ((unsigned char)t[p] & 0xC0) == 0x80)
            p--;
        if (!is_space_at(t, b, p, &next))
            break;
        b = p;
    }
    if (a == b || kb_text_blank(t + a, b - a))
        return 0;
    if (kb_grow((void **)&sg->spans, &sg->cap, sg->n + 1, sizeof *sg->spans))
        return -1;
    sg->spans[sg->n].start = a;
    sg->spans[sg->n].len = b - a;
    sg->n++;
    return 0;
}

/* Pushes [a,b), cutting it at spaces when it exceeds the sentence limit. */
static int push_bounded(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    while (b - a > KB_MAX_SENTENCE_BYTES) {
        size_t cut = a + KB_MAX_SENTENCE_BYTES;
        while (cut > a && ((unsigned char)t[cut] & 0xC0) == 0x80)
            cut--;
        size_t sp = cut;
        while (sp > a + KB_MAX_SENTENCE_BYTES / 2 && t[sp] != ' ')
            sp--;
        if (t[sp] == ' ')
            cut = sp;
        if (push_span(sg, t, a, cut) != 0)
            return -1;
        a = cut;
    }
    return push_span(sg, t, a, b);
}

static int is_terminator(UChar32 c)
{
    return c == '.' || c == '!' || c == '?' || c == 0x061F || c == 0x06D4 ||
           c == 0x2026;
}

static int is_closer(UChar32 c)
{
    return c == 0x00BB || c == '"' || c == ')' || c == ']' || c == 0x201D ||
           c == 0x2019 || c == '\'';
}

static int is_opener(UChar32 c)
{
    return c == 0x00AB || c == 0x201C || c == '(';
}

static int is_arabic_letter(UChar32 c)
{
    UErrorCode st = U_ZERO_ERROR;
    return c >= 0x0600 && u_isalpha(c) &&
           uscript_getScript(c, &st) == USCRIPT_ARABIC;
}

/* True when [i, j) is a run of dots only: two or more '.' or a '…'
 * (with closers such as quotes allowed between them). */
static int is_dot_run(const char *t, size_t b, size_t i, size_t j)
{
    int dots = 0, ellipsis = 0;
    while (i < j) {
        size_t next;
        UChar32 c = char_at(t, b, i, &next);
        if (c == '.')
            dots++;
        else if (c == 0x2026)
            ellipsis = 1;
        else if (is_terminator(c))
            return 0;
        i = next;
    }
    return dots >= 2 || ellipsis;
}

/* True when the piece [a, end) ends with a run of dots (and white space). */
static int ends_with_dot_run(const char *t, size_t a, size_t end)
{
    size_t e = end;
    while (e > a && (t[e - 1] == ' ' || t[e - 1] == '\t'))
        e--;
    size_t s = e;
    while (s > a) {
        size_t p = s - 1;
        while (p > a && ((unsigned char)t[p] & 0xC0) == 0x80)
            p--;
        size_t next;
        UChar32 c = char_at(t, e, p, &next);
        if (c != '.' && c != 0x2026 && !is_closer(c))
            break;
        s = p;
    }
    return s < e && is_dot_run(t, e, s, e);
}

/* True when the abbreviation "د." (Dr.) ends at the period at t[p]:
 * the letter dal stands alone, after a space, "(" or the piece's start. */
static int is_title_abbrev(const char *t, size_t a, size_t p)
{
    if (t[p] != '.' || p < a + 2 || memcmp(t + p - 2, "\xD8\xAF", 2) != 0)
        return 0;
    return p == a + 2 || t[p - 3] == ' ' || t[p - 3] == '(';
}

/* Splits [a,b) after every terminator run glued to an Arabic letter
 * (or to an opening quote and an Arabic letter). */
static int push_glued(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    size_t i = a, start = a;
    while (i < b) {
        size_t next;
        UChar32 c = char_at(t, b, i, &next);
        if (!is_terminator(c) || is_title_abbrev(t, a, i)) {
            i = next;
            continue;
        }
        size_t j = next;
        while (j < b) {
            size_t k;
            UChar32 d = char_at(t, b, j, &k);
            if (!is_terminator(d) && !is_closer(d))
                break;
            j = k;
        }
        size_t k;
        UChar32 d = j < b ? char_at(t, b, j, &k) : 0;
        if (is_opener(d) && k < b) { /* ".«قال" splits before the quote */
            size_t k2;
            d = char_at(t, b, k, &k2);
        }
        if (j < b && is_arabic_letter(d) && !is_dot_run(t, b, i, j)) {
            if (push_bounded(sg, t, start, j) != 0)
                return -1;
            start = j;
        }
        i = j;
    }
    return push_bounded(sg, t, start, b);
}

/* True when [a,b) ends with an abbreviation that does not end a sentence:
 * a lone Latin capital ("Nagi N. Najjar") or "د." ("د. أحمد"). */
static int ends_with_abbrev(const char *t, size_t a, size_t b)
{
    while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t'))
        b--;
    if (b - a < 2 || t[b - 1] != '.')
        return 0;
    if (is_title_abbrev(t, a, b - 1))
        return 1;
    if (t[b - 2] < 'A' || t[b - 2] > 'Z')
        return 0;
    return b - a == 2 || t[b - 3] == ' ' || t[b - 3] == '(';
}

/* ICU counts « as closing punctuation, so "الجولة.«لا" breaks after the
 * quote; the quote opens the next sentence: move the break before it. */
static size_t before_glued_opener(const char *t, size_t a, size_t end)
{
    size_t p = end, q, next;
    while (p > a && ((unsigned char)t[p - 1] & 0xC0) == 0x80)
        p--;
    if (p <= a || p == end)
        return end;
    p--; /* p: start of the piece's last code point */
    UChar32 c = char_at(t, end, p, &next);
    if (p == a || c == '(' || !is_opener(c))
        return end;
    q = p - 1;
    while (q > a && ((unsigned char)t[q] & 0xC0) == 0x80)
        q--;
    return is_terminator(char_at(t, end, q, &next)) ? p : end;
}

static int add_break(kb_segmenter *sg, size_t at)
{
    if (KB_GROW(sg->breaks, sg->breaks_cap, sg->n_breaks + 1))
        return -1;
    sg->breaks[sg->n_breaks++] = at;
    return 0;
}

/* The line's boundaries from ICU's iterator (the reference). */
static int icu_breaks(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    UErrorCode st = U_ZERO_ERROR;
    if (b - a > INT32_MAX)
        return -1;
    sg->ut = utext_openUTF8(sg->ut, t + a, (int64_t)(b - a), &st);
    ubrk_setUText(sg->bi, sg->ut, &st);
    if (U_FAILURE(st))
        return -1;
    ubrk_first(sg->bi);
    for (int32_t pos = ubrk_next(sg->bi); pos != UBRK_DONE; pos = ubrk_next(sg->bi))
        if (add_break(sg, a + (size_t)pos) != 0)
            return -1;
    return 0;
}

/* The Sentence_Break class of the code point at t[i] (bad bytes: Other),
 * and the index after it in *next. */
static int sb_at(const kb_segmenter *sg, const char *t, size_t b, size_t i,
                 size_t *next)
{
    unsigned char c0 = (unsigned char)t[i];
    if (c0 < 0x80) {
        *next = i + 1;
        return sg->sb[c0];
    }
    UChar32 c = char_at(t, b, i, next);
    if (c < 0)
        return U_SB_OTHER;
    return c < SB_TABLE_SIZE ? sg->sb[c]
                             : u_getIntPropertyValue(c, UCHAR_SENTENCE_BREAK);
}

static int is_ext_fmt(int sb) { return sb == U_SB_EXTEND || sb == U_SB_FORMAT; }
static int is_saterm(int sb) { return sb == U_SB_ATERM || sb == U_SB_STERM; }

/* The class at i, with the Extend and Format characters after it taken
 * as part of it (UAX #29 rule SB5); *next is after them. */
static int sb_ex(const kb_segmenter *sg, const char *t, size_t b, size_t i,
                 size_t *next)
{
    int sb = sb_at(sg, t, b, i, next);
    size_t k;
    while (*next < b && is_ext_fmt(sb_at(sg, t, b, *next, &k)))
        *next = k;
    return sb;
}

/* The class of the character before i that Extend and Format characters
 * attach to (SB5); Other when there is none. */
static int sb_before(const kb_segmenter *sg, const char *t, size_t a, size_t i)
{
    while (i > a) {
        /* back one code point, as ICU reads bad bytes (a code point is at
         * most 4 bytes, so a window of 4 is enough) */
        size_t base = i - a > 4 ? i - 4 : a, next;
        int32_t p = (int32_t)(i - base);
        U8_BACK_1((const uint8_t *)t + base, 0, p);
        size_t q = base + (size_t)p;
        int sb = sb_at(sg, t, i, q, &next);
        if (!is_ext_fmt(sb) || q == a)
            return sb;
        i = q;
    }
    return U_SB_OTHER;
}

/* Whether UAX #29 keeps the sentence going after the terminator run
 * ATerm/STerm Close* Sp* that ends at j (next class c): SB6 and SB7 right
 * after a full stop, SB8 (a lower-case letter before any other letter or
 * terminator), SB8a (a comma-like SContinue or another terminator). */
static int run_continues(const kb_segmenter *sg, const char *t, size_t a,
                         size_t b, size_t term, int aterm, int bare, size_t j)
{
    size_t next;
    int c = sb_ex(sg, t, b, j, &next);
    if (c == U_SB_SCONTINUE || is_saterm(c))
        return 1;                                       /* SB8a */
    if (!aterm)
        return 0;
    if (bare && c == U_SB_NUMERIC)
        return 1;                                       /* SB6 */
    if (bare && c == U_SB_UPPER) {                      /* SB7 */
        int before = sb_before(sg, t, a, term);
        if (before == U_SB_UPPER || before == U_SB_LOWER)
            return 1;
    }
    for (size_t k = j; k < b; k = next) {               /* SB8 */
        c = sb_at(sg, t, b, k, &next);
        if (c == U_SB_LOWER)
            return 1;
        if (c == U_SB_OLETTER || c == U_SB_UPPER || is_saterm(c) ||
            c == U_SB_SEP || c == U_SB_CR || c == U_SB_LF)
            return 0;
    }
    return 0;
}

/* The line's boundaries, found from its terminators alone: within a line
 * (no paragraph separator), UAX #29 can only break after a run of
 * ATerm/STerm, Close* and Sp* (SB9-SB11), unless SB6-SB8a keep the
 * sentence going; everything else is rule SB998, no break.  The classes
 * are ICU's; the test and fuzz target compare these boundaries with
 * ICU's iterator on the corpus, the seeds and random text. */
static int terminator_breaks(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    size_t i = a, next;
    while (i < b) {
        /* (Extend and Format characters are never terminators, so only a
         * terminator needs those after it taken with it) */
        int sb = sb_at(sg, t, b, i, &next);
        if (!is_saterm(sb)) {
            i = next;
            continue;
        }
        sb_ex(sg, t, b, i, &next);
        size_t term = i, j = next;
        int aterm = sb == U_SB_ATERM, bare = 1;
        while (j < b && sb_ex(sg, t, b, j, &next) == U_SB_CLOSE)
            j = next, bare = 0;
        while (j < b && sb_ex(sg, t, b, j, &next) == U_SB_SP)
            j = next, bare = 0;
        if (j < b && !run_continues(sg, t, a, b, term, aterm, bare, j) &&
            add_break(sg, j) != 0)
            return -1;
        i = j;
    }
    return add_break(sg, b);
}

static int segment_line(kb_segmenter *sg, const char *t, size_t a, size_t b)
{
    sg->n_breaks = 0;
    if ((sg->use_icu ? icu_breaks(sg, t, a, b) : terminator_breaks(sg, t, a, b)) != 0)
        return -1;
    size_t start = a;
    for (size_t i = 0; i < sg->n_breaks; i++) {
        size_t end = sg->breaks[i];
        if (end < b && (ends_with_abbrev(t, start, end) ||
                        ends_with_dot_run(t, start, end)))
            continue;
        end = before_glued_opener(t, start, end);
        if (push_glued(sg, t, start, end) != 0)
            return -1;
        start = end;
    }
    if (start < b)
        return push_glued(sg, t, start, b);
    return 0;
}

void kb_segmenter_use_icu(kb_segmenter *sg, int on)
{
    sg->use_icu = on;
}

/* Length of the line break at t[i], or 0: \n, \r, \r\n, U+0085, U+2028, U+2029. */
static size_t line_break_len(const char *t, size_t len, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    if (c == '\n' || c == '\f' || c == '\v')
        return 1;
    if (c == '\r')
        return (i + 1 < len && t[i + 1] == '\n') ? 2 : 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)t[i + 1] == 0x85)
        return 2;
    if (c == 0xE2 && i + 2 < len && (unsigned char)t[i + 1] == 0x80 &&
        ((unsigned char)t[i + 2] == 0xA8 || (unsigned char)t[i + 2] == 0xA9))
        return 3;
    return 0;
}

int kb_segment(kb_segmenter *sg, const char *text, size_t len,
               const kb_span **spans, size_t *n_spans, kb_error *err)
{
    sg->n = 0;
    size_t line_start = 0;
    for (size_t i = 0; i <= len; i++) {
        size_t br = i < len ? line_break_len(text, len, i) : 1;
        if (br == 0)
            continue;
        if (i > line_start && segment_line(sg, text, line_start, i) != 0)
            return kb_fail(err, "sentence segmentation failed");
        i += br - 1;
        line_start = i + 1;
    }
    *spans = sg->spans;
    *n_spans = sg->n;
    return 0;
}
