/*
 * featurize.h: the feature stage's internal interface: a sentence's
 * normalised text becomes a list of (hash bucket, count) pairs,
 * which the model turns into a weighted, L2-normalised vector.
 */
#ifndef KB_FEATURES_H
#define KB_FEATURES_H

#include "common.h"

typedef struct kb_count {
    uint32_t bucket;
    uint32_t count;
} kb_count;

typedef struct kb_counts {
    kb_count *v;
    size_t n, cap;
    uint32_t *scratch; /* raw bucket list before counting */
    size_t n_raw, scratch_cap;
    uint32_t *cp_off;  /* scratch: one word's code points, with marks */
    size_t cp_cap;
    uint32_t *slot;    /* counting table: index into v, or UINT32_MAX */
    size_t slot_cap;
    /* When set, called with every n-gram as it is hashed: its bucket and
     * its text (word boundaries shown as '<' and '>', words joined by a
     * space).  Used to explain a prediction, never on the hot path. */
    void (*trace)(void *ctx, uint32_t bucket, const char *gram, size_t len);
    void *trace_ctx;
    uint32_t trace_offset; /* the space being hashed (lead clause: mask+1) */
} kb_counts;

/* Hashes the features of normalised UTF-8 text into c->scratch, one
 * bucket per n-gram occurrence (c->n_raw of them, in text order; the lead
 * clause's copies | 2^hash_bits), without counting them: scoring counts
 * them on the fly (classify/score.c). */
int kb_hash_features(const kb_feature_opts *o, const char *text, size_t len,
                     kb_counts *c);
/* Counts the raw buckets c->scratch[0, c->n_raw) into c->v, each with
 * its count, in order of first occurrence (a small open-addressing table,
 * no sort on the hot path); sorted by bucket when sorted is 1. */
int kb_count_raw(kb_counts *c, int sorted);
/* Counts the hashed features of normalised UTF-8 text into c (reset
 * first); in increasing bucket order when sorted is 1. */
int kb_count_features(const kb_feature_opts *o, const char *text, size_t len,
                      kb_counts *c, int sorted);
void kb_counts_free(kb_counts *c);


#endif
