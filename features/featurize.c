/*
 * featurize.c: character and word n-grams, hashed into a bounded space.
 *
 * Words are runs of letters, digits and marks (ICU's properties decide
 * which code points those are); everything else separates them.  Each
 * word is padded with boundary marks and cut into character n-grams of
 * char_min..char_max code points, as fastText's subwords and
 * scikit-learn's char_wb analyzer do; word n-grams 1..word_max are added.
 * Every n-gram is hashed (FNV-1a over code points or bytes, then mixed)
 * into one of 2^hash_bits buckets, and the buckets are counted (and
 * sorted, for training).  Weighting (tf-idf, L2) happens in the model,
 * which knows the idf learned at training.
 */
#include "featurize.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#define MARK_BEGIN 0x01
#define MARK_END 0x02
#define TAG_CHAR 0x63
#define TAG_WORD 0x77

void kb_feature_opts_default(kb_feature_opts *o)
{
    o->char_min = 2;
    o->char_max = 5;
    o->word_max = 2;
    o->hash_bits = 18;
    o->min_df = 2;
    o->sublinear_tf = 1;
    o->lead_words = 0;
    o->lead_weight = 0.5;
}

int kb_feature_opts_check(const kb_feature_opts *o, kb_error *err)
{
    if (o->char_min < 1 || o->char_max > 12 || o->char_min > o->char_max)
        if (!(o->char_min == 0 && o->char_max == 0))
            return kb_fail(err, "character n-gram range %d-%d is invalid "
                                "(1 <= min <= max <= 12, or 0-0 for none)",
                           o->char_min, o->char_max);
    if (o->word_max < 0 || o->word_max > 3)
        return kb_fail(err, "word n-grams up to %d: must be 0..3", o->word_max);
    if (o->char_max == 0 && o->word_max == 0)
        return kb_fail(err, "no features: both character and word n-grams are off");
    if (o->hash_bits < 10 || o->hash_bits > 26)
        return kb_fail(err, "hash bits %d: must be 10..26", o->hash_bits);
    if (o->min_df < 1 || o->min_df > (1 << 30))
        return kb_fail(err, "min_df %d: must be 1..2^30", o->min_df);
    if (o->lead_words < 0 || o->lead_words > 64)
        return kb_fail(err, "lead clause of %d words: must be 0..64",
                       o->lead_words);
    if (!(o->lead_weight > 0 && o->lead_weight <= 10))
        return kb_fail(err, "lead weight %g: must be in (0, 10]",
                       o->lead_weight);
    return 0;
}

void kb_counts_free(kb_counts *c)
{
    free(c->v);
    free(c->scratch);
    free(c->cp_off);
    free(c->slot);
    memset(c, 0, sizeof *c);
}

static int push_bucket(kb_counts *c, size_t *n, uint64_t h, uint32_t mask)
{
    if (*n == c->scratch_cap &&
        kb_grow((void **)&c->scratch, &c->scratch_cap, *n + 1, sizeof(uint32_t)))
        return -1;
    c->scratch[(*n)++] = (uint32_t)(kb_hash_mix(h) & mask);
    return 0;
}

static int is_word_char(UChar32 c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    if (c >= 0x0621 && c <= 0x064A)
        return 1; /* Arabic letters: ICU agrees (tests/test_features.c) */
    int8_t t = u_charType(c);
    return u_isalnum(c) || t == U_NON_SPACING_MARK ||
           t == U_COMBINING_SPACING_MARK;
}

/* The text of a character n-gram (code points, marks as '<' '>'). */
static void trace_chars(kb_counts *c, const uint32_t *cp, size_t n, uint32_t bucket)
{
    char buf[64];
    size_t len = 0;
    for (size_t i = 0; i < n && len + 4 <= sizeof buf; i++) {
        uint32_t ch = cp[i] == MARK_BEGIN ? '<' : cp[i] == MARK_END ? '>' : cp[i];
        U8_APPEND_UNSAFE((uint8_t *)buf, len, (UChar32)ch);
    }
    c->trace(c->trace_ctx, bucket | c->trace_offset, buf, len);
}

/* Character n-grams of one word padded with boundary marks.  The word is
 * decoded to code points once; an n-gram's hash extends its (n-1)-gram's
 * by one multiply, FNV-style over code points. */
static int char_ngrams(const kb_feature_opts *o, kb_counts *c, size_t *n,
                       const char *w, size_t wlen, uint32_t mask)
{
    if (kb_grow((void **)&c->cp_off, &c->cp_cap, wlen + 3, sizeof(uint32_t)) ||
        kb_grow((void **)&c->scratch, &c->scratch_cap,
             *n + (wlen + 2) * (size_t)o->char_max, sizeof(uint32_t)))
        return -1;
    uint32_t *cp = c->cp_off;
    size_t ncp = 0;
    cp[ncp++] = MARK_BEGIN;
    for (size_t i = 0; i < wlen;) {
        UChar32 ch;
        U8_NEXT_UNSAFE((const uint8_t *)w, i, ch);
        cp[ncp++] = (uint32_t)ch;
    }
    cp[ncp++] = MARK_END;
    for (size_t i = 0; i < ncp; i++) {
        uint64_t h = KB_HASH_INIT ^ TAG_CHAR;
        size_t top = ncp - i < (size_t)o->char_max ? ncp - i : (size_t)o->char_max;
        for (size_t len = 1; len <= top; len++) {
            h = (h ^ cp[i + len - 1]) * 0x100000001b3ULL;
            if (len < (size_t)o->char_min || (len == 1 && (i == 0 || i == ncp - 1)))
                continue;
            c->scratch[(*n)++] = (uint32_t)(kb_hash_mix(h) & mask);
            if (c->trace)
                trace_chars(c, cp + i, len, c->scratch[*n - 1]);
        }
    }
    return 0;
}

/* Word unigrams and bigrams ending at word w (the shipped word_max 2),
 * the same buckets as word_ngrams: the bigram's hash over "prev w " goes
 * on from the state *pair its first word left (hashed in the same loop
 * with the bigram's initial state), so every byte is read once and the
 * three FNV chains run side by side. */
static int word_uni_bi(kb_counts *c, size_t *n, const char *w, size_t wlen,
                       int has_prev, uint64_t *pair, uint32_t mask)
{
    const uint64_t prime = 0x100000001b3ULL;
    uint64_t uni = KB_HASH_INIT ^ TAG_WORD ^ ((uint64_t)1 << 8);
    uint64_t next = KB_HASH_INIT ^ TAG_WORD ^ ((uint64_t)2 << 8);
    uint64_t bi = *pair;
    for (size_t i = 0; i < wlen; i++) {
        uint64_t b = (unsigned char)w[i];
        uni = (uni ^ b) * prime;
        next = (next ^ b) * prime;
        bi = (bi ^ b) * prime;
    }
    uni = (uni ^ ' ') * prime;
    *pair = (next ^ ' ') * prime;
    if (KB_GROW(c->scratch, c->scratch_cap, *n + 2))
        return -1;
    c->scratch[(*n)++] = (uint32_t)(kb_hash_mix(uni) & mask);
    if (has_prev)
        c->scratch[(*n)++] = (uint32_t)(kb_hash_mix((bi ^ ' ') * prime) & mask);
    return 0;
}

/* Word n-grams ending at word k (tokens given as byte ranges). */
static int word_ngrams(const kb_feature_opts *o, kb_counts *c, size_t *n,
                       const char *text, const size_t (*tok)[2], size_t k,
                       uint32_t mask)
{
    for (int len = 1; len <= o->word_max && (size_t)len <= k + 1; len++) {
        uint64_t h = KB_HASH_INIT ^ TAG_WORD ^ ((uint64_t)len << 8);
        for (size_t j = k + 1 - (size_t)len; j <= k; j++) {
            const size_t *t = tok[j % 4];
            h = kb_hash_bytes(h, text + t[0], t[1] - t[0]);
            h = kb_hash_bytes(h, " ", 1);
        }
        if (push_bucket(c, n, h, mask))
            return -1;
        if (c->trace) { /* the words joined by a space, as hashed */
            char buf[256];
            size_t bl = 0;
            for (size_t j = k + 1 - (size_t)len; j <= k; j++) {
                const size_t *t = tok[j % 4];
                size_t wl = t[1] - t[0];
                if (bl + wl + 1 > sizeof buf)
                    break;
                if (bl)
                    buf[bl++] = ' ';
                memcpy(buf + bl, text + t[0], wl);
                bl += wl;
            }
            c->trace(c->trace_ctx, c->scratch[*n - 1] | c->trace_offset, buf, bl);
        }
    }
    return 0;
}

static int cmp_count(const void *a, const void *b)
{
    uint32_t x = ((const kb_count *)a)->bucket, y = ((const kb_count *)b)->bucket;
    return (x > y) - (x < y);
}

int kb_count_raw(kb_counts *c, int sorted)
{
    size_t n = c->n_raw, cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    if (kb_grow((void **)&c->slot, &c->slot_cap, cap, sizeof(uint32_t)) ||
        kb_grow((void **)&c->v, &c->cap, n ? n : 1, sizeof(kb_count)))
        return -1;
    memset(c->slot, 0xff, cap * sizeof(uint32_t));
    size_t mask = cap - 1;
    c->n = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = c->scratch[i];
        size_t h = (size_t)((b * 0x9E3779B1u) & mask);
        while (c->slot[h] != UINT32_MAX && c->v[c->slot[h]].bucket != b)
            h = (h + 1) & mask;
        if (c->slot[h] == UINT32_MAX) {
            c->slot[h] = (uint32_t)c->n;
            c->v[c->n].bucket = b;
            c->v[c->n++].count = 1;
        } else {
            c->v[c->slot[h]].count++;
        }
    }
    if (sorted)
        qsort(c->v, c->n, sizeof *c->v, cmp_count);
    return 0;
}

/* Copies the buckets pushed since from into the lead space (| offset). */
static int copy_to_lead(kb_counts *c, size_t *n, size_t from, uint32_t offset)
{
    size_t m = *n - from;
    if (kb_grow((void **)&c->scratch, &c->scratch_cap, *n + m, sizeof(uint32_t)))
        return -1;
    for (size_t j = 0; j < m; j++)
        c->scratch[*n + j] = c->scratch[from + j] | offset;
    *n += m;
    return 0;
}

/* Pushes the n-grams of text[0, len) into c->scratch, each | offset.
 * With lead_len > 0, the n-grams of the words that end by lead_len (the
 * lead clause, which ends between words) are pushed again right away in
 * the lead space (| lead_offset): the same buckets a second pass over
 * text[0, lead_len) would give, in the same order within each space. */
static int ngrams(const kb_feature_opts *o, const char *text, size_t len,
                  kb_counts *c, size_t *n, uint32_t mask, uint32_t offset,
                  size_t lead_len, uint32_t lead_offset)
{
    size_t k = 0;
    size_t tok[4][2]; /* the last four words, for word n-grams */
    uint64_t pair = 0; /* the bigram hash state after the last word */
    size_t i = 0, first = *n;
    while (i < len) {
        UChar32 ch;
        size_t start = i;
        U8_NEXT((const uint8_t *)text, i, len, ch);
        if (!is_word_char(ch))
            continue;
        size_t end = i;
        while (i < len) {
            size_t j = i;
            U8_NEXT((const uint8_t *)text, j, len, ch);
            if (!is_word_char(ch))
                break;
            i = end = j;
        }
        size_t word_first = *n;
        if (o->char_max > 0 &&
            char_ngrams(o, c, n, text + start, end - start, mask))
            return -1;
        tok[k % 4][0] = start;
        tok[k % 4][1] = end;
        if (o->word_max == 2 && !c->trace) {
            if (word_uni_bi(c, n, text + start, end - start, k > 0, &pair, mask))
                return -1;
        } else if (o->word_max > 0 &&
                   word_ngrams(o, c, n, text, (const size_t(*)[2])tok, k, mask)) {
            return -1;
        }
        if (end <= lead_len && copy_to_lead(c, n, word_first, lead_offset) != 0)
            return -1;
        k++;
    }
    for (size_t j = first; offset && j < *n; j++)
        c->scratch[j] |= offset;
    return 0;
}

/* Bytes of the lead clause: up to the first comma, colon or semicolon
 * (Arabic or Latin), and at most max_words words. */
static size_t lead_clause(const char *text, size_t len, int max_words)
{
    size_t i = 0, words = 0;
    int in_word = 0;
    while (i < len) {
        size_t at = i;
        UChar32 ch;
        U8_NEXT((const uint8_t *)text, i, len, ch);
        if (ch == ',' || ch == ':' || ch == ';' || ch == 0x060C || ch == 0x061B)
            return at;
        int w = is_word_char(ch);
        if (w && !in_word && ++words > (size_t)max_words)
            return at;
        in_word = w;
    }
    return len;
}

int kb_hash_features(const kb_feature_opts *o, const char *text, size_t len,
                     kb_counts *c)
{
    uint32_t mask = (uint32_t)((1u << o->hash_bits) - 1);
    size_t n = 0;
    c->n = 0;
    c->n_raw = 0;
    c->trace_offset = 0;
    if (o->lead_words > 0 && !c->trace) { /* both spaces in one pass */
        if (ngrams(o, text, len, c, &n, mask, 0,
                   lead_clause(text, len, o->lead_words), mask + 1) != 0)
            return -1;
        c->n_raw = n;
        return 0;
    }
    if (ngrams(o, text, len, c, &n, mask, 0, 0, 0) != 0)
        return -1;
    c->trace_offset = mask + 1; /* (tracing: a second pass, texts and all) */
    if (o->lead_words > 0 &&
        ngrams(o, text, lead_clause(text, len, o->lead_words), c, &n, mask,
               mask + 1, 0, 0) != 0)
        return -1;
    c->n_raw = n;
    return 0;
}

int kb_count_features(const kb_feature_opts *o, const char *text, size_t len,
                      kb_counts *c, int sorted)
{
    if (kb_hash_features(o, text, len, c) != 0)
        return -1;
    return kb_count_raw(c, sorted);
}
