/*
 * dupes.c: finds duplicate and near-duplicate sentences in a corpus.
 *
 * Each sentence is normalised (every KB_NORM step) and reduced to its
 * words joined by single spaces; its shingles are the hashed character
 * 5-grams of that string.  A MinHash signature of 64 values, cut into 16
 * bands of 4, proposes candidate pairs (two sentences with Jaccard 0.8
 * share a band with probability > 0.999); each candidate's true Jaccard
 * similarity is then computed from the sorted shingle sets.  Cost is
 * linear in the corpus plus the candidates, not quadratic.
 */
#include "common.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#define SHINGLE 5
#define N_HASH 64
#define BAND 4
#define N_BAND (N_HASH / BAND)

typedef struct sketch {
    uint32_t *sh; /* sorted unique shingle hashes */
    size_t n;
    uint64_t sig[N_HASH];
} sketch;

/* Words of normalised text joined by one space (letters and digits only). */
static size_t words_only(const char *t, size_t len, char *out)
{
    size_t o = 0, i = 0;
    int gap = 0;
    while (i < len) {
        size_t start = i;
        UChar32 c;
        U8_NEXT((const uint8_t *)t, i, len, c);
        if (c >= 0 && u_isalnum(c)) {
            if (gap && o)
                out[o++] = ' ';
            gap = 0;
            memcpy(out + o, t + start, i - start);
            o += i - start;
        } else {
            gap = 1;
        }
    }
    return o;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int make_sketch(const char *w, size_t len, sketch *s)
{
    size_t ncp = 0, cap = len + 1;
    size_t *off = malloc((cap + 1) * sizeof *off);
    s->sh = malloc(cap * sizeof *s->sh);
    if (!off || !s->sh) {
        free(off);
        return -1;
    }
    for (size_t i = 0; i < len;) {
        off[ncp++] = i;
        U8_FWD_1_UNSAFE((const uint8_t *)w, i);
    }
    off[ncp] = len;
    s->n = 0;
    size_t k = ncp < SHINGLE ? ncp : SHINGLE;
    for (size_t i = 0; i + k <= ncp && (ncp > 0); i++)
        s->sh[s->n++] = (uint32_t)kb_hash_mix(
            kb_hash_bytes(KB_HASH_INIT, w + off[i], off[i + k] - off[i]));
    free(off);
    qsort(s->sh, s->n, sizeof *s->sh, cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < s->n; i++)
        if (u == 0 || s->sh[i] != s->sh[u - 1])
            s->sh[u++] = s->sh[i];
    s->n = u;
    for (int h = 0; h < N_HASH; h++) {
        uint64_t best = UINT64_MAX, salt = 0x9e3779b97f4a7c15ULL * (uint64_t)(h + 1);
        for (size_t i = 0; i < s->n; i++) {
            uint64_t v = kb_hash_mix(s->sh[i] ^ salt);
            if (v < best)
                best = v;
        }
        s->sig[h] = best;
    }
    return 0;
}

static double jaccard(const sketch *a, const sketch *b)
{
    size_t i = 0, j = 0, both = 0;
    if (a->n == 0 && b->n == 0)
        return 1.0;
    while (i < a->n && j < b->n) {
        if (a->sh[i] == b->sh[j])
            both++, i++, j++;
        else if (a->sh[i] < b->sh[j])
            i++;
        else
            j++;
    }
    return (double)both / (double)(a->n + b->n - both);
}

typedef struct band_key {
    uint64_t key;
    size_t idx;
} band_key;

static int cmp_band(const void *a, const void *b)
{
    const band_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_pair(const void *a, const void *b)
{
    const kb_dup_pair *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static int push_pair(kb_dup_pair **v, size_t *n, size_t *cap, size_t a,
                     size_t b, double sim)
{
    if (kb_grow((void **)v, cap, *n + 1, sizeof **v))
        return -1;
    (*v)[*n].a = a;
    (*v)[*n].b = b;
    (*v)[(*n)++].similarity = sim;
    return 0;
}

static int sketch_all(const char *const *texts, size_t n, sketch *sk,
                      kb_error *err)
{
    kb_normalizer *nz = kb_normalizer_new(KB_NORM_ALL, err);
    if (!nz)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t len;
        const char *t = kb_normalize(nz, texts[i], strlen(texts[i]), &len, err);
        char *w = t ? malloc(len + 1) : NULL;
        if (!w || make_sketch(w, words_only(t, len, w), &sk[i]) != 0)
            rc = kb_fail(err, "out of memory");
        free(w);
    }
    kb_normalizer_free(nz);
    return rc;
}

/* Candidates from every band, measured, deduplicated. */
static int band_pairs(sketch *sk, size_t n, double threshold,
                      kb_dup_pair **out, size_t *n_out)
{
    band_key *keys = malloc((n ? n : 1) * sizeof *keys);
    size_t cap = 0;
    if (!keys)
        return -1;
    for (int b = 0; b < N_BAND; b++) {
        for (size_t i = 0; i < n; i++) {
            keys[i].key = kb_hash_bytes(KB_HASH_INIT, &sk[i].sig[b * BAND],
                                        BAND * sizeof(uint64_t));
            keys[i].idx = i;
        }
        qsort(keys, n, sizeof *keys, cmp_band);
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n && keys[j].key == keys[i].key; j++) {
                double s = jaccard(&sk[keys[i].idx], &sk[keys[j].idx]);
                if (s >= threshold &&
                    push_pair(out, n_out, &cap, keys[i].idx, keys[j].idx, s)) {
                    free(keys);
                    return -1;
                }
            }
    }
    free(keys);
    if (*n_out == 0)
        return 0;
    qsort(*out, *n_out, sizeof **out, cmp_pair);
    size_t u = 0;
    for (size_t i = 0; i < *n_out; i++)
        if (u == 0 || cmp_pair(&(*out)[i], &(*out)[u - 1]) != 0)
            (*out)[u++] = (*out)[i];
    *n_out = u;
    return 0;
}

int kb_find_duplicates(const char *const *texts, size_t n, double threshold,
                       kb_dup_pair **pairs, size_t *n_pairs, kb_error *err)
{
    *pairs = NULL;
    *n_pairs = 0;
    if (!(threshold > 0 && threshold <= 1))
        return kb_fail(err, "similarity threshold must be in (0, 1]");
    sketch *sk = calloc(n ? n : 1, sizeof *sk);
    if (!sk)
        return kb_fail(err, "out of memory");
    int rc = sketch_all(texts, n, sk, err);
    if (rc == 0 && band_pairs(sk, n, threshold, pairs, n_pairs) != 0)
        rc = kb_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++)
        free(sk[i].sh);
    free(sk);
    return rc;
}
