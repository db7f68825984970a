/*
 * model.h: what a trained khabar model is in memory.  The training stage
 * builds it, model_file.c saves and loads it, the classify stage scores
 * with it.
 *
 * Only hash buckets seen in at least min_df training sentences have a row;
 * rows are in increasing bucket order, so a bucket's row is its rank
 * among the buckets that have one: a bitmap of those buckets with, every
 * 64 buckets, the number of rows before them (kb_model_row), 16 bytes per
 * 64 buckets instead of a 4-byte index per bucket.  Weights are stored
 * per row for every class, so scoring a sentence is one pass over its
 * buckets whatever the number of classes.
 */
#ifndef KB_MODEL_H
#define KB_MODEL_H

#include "featurize.h"

#include <math.h>

/* 64 buckets of the rank index: which have a row, and the rows before. */
typedef struct kb_rank {
    uint64_t bits;
    uint32_t before;
    uint32_t unused;
} kb_rank;

struct kb_model {
    char *task;          /* the label column it was trained on */
    char written_by[32]; /* the khabar version that wrote (or trained) it */
    kb_params params;    /* normalisation, features, solver, C, seed */
    int k;               /* number of labels */
    char **labels;       /* k names */
    double *bias;        /* k */
    size_t n_train;      /* training sentences */
    size_t n_rows;
    uint32_t *row_bucket; /* n_rows, strictly increasing */
    /* Per row, the idf then the k weights, side by side, so that one
     * feature costs one cache line at prediction (KB_IDF, KB_W). */
    float *rows;
    kb_rank *rank;        /* KB_SPACE_SIZE / 64 entries */
    float tf_weight[64];  /* the tf weight for small counts */
    /* The article-context stage (params.context): per label, the weights
     * of the context features (KB_CTX_DIM(k)) then a bias. */
    double *ctx_w;        /* k * (KB_CTX_DIM(k) + 1), or NULL */
    int from_cache;       /* 1 when the rows came from model_cache.c */
};

/* Context features of a sentence: its own probabilities, the previous
 * and next sentence's, the mean over the window around it, the article's
 * first sentence's, and two flags (first, last in the article). */
#define KB_CTX_DIM(k) (5 * (k) + 2)

/* Largest bias (and context weight) a model holds; -KB_MAX_BIAS marks a
 * label that had no training rows (never predicted). */
#define KB_MAX_BIAS 1e6

#define KB_IDF(m, r) ((m)->rows[(size_t)(r) * ((size_t)(m)->k + 1)])
#define KB_W(m, r, j) ((m)->rows[(size_t)(r) * ((size_t)(m)->k + 1) + 1 + (size_t)(j)])

/* 1 when s may name a label: 1..63 bytes of valid UTF-8 with no space,
 * control character, zero-width or bidirectional formatting character
 * (a label is printed raw in every output). */
int kb_label_valid(const char *s);

/* Parses "label=factor,..." (kb_params.class_weights): with labels,
 * fills label_out[] (index among the k labels) and weight_out[]; returns
 * how many, or -1. */
int kb_class_weights_parse(const char *spec, char *const *labels, int k,
                           int *label_out, double *weight_out, kb_error *err);

/* Weights and idf keep KB_WEIGHT_DIGITS significant digits: the model
 * file is a quarter shorter and loads faster, and no label changes (on
 * the 19,269 training sentences and the dev set, against full floats;
 * the rounding error is far below the solver's tolerance). */
#define KB_WEIGHT_DIGITS 4
float kb_model_round(double x);

/* Allocates a model of k labels (copied) and n_rows rows; NULL when out
 * of memory. */
kb_model *kb_model_alloc(const char *task, const kb_params *p, int k,
                         char *const *labels, size_t n_rows);
/* model_cache.c: which model file a cache belongs to. */
typedef struct kb_model_key {
    uint64_t sum, size; /* the checksum the file declares; its size */
    int64_t mtime_sec, mtime_nsec;
    uint64_t ino, dev;
} kb_model_key;
struct stat;
void kb_model_key_of(const struct stat *st, uint64_t sum, kb_model_key *key);
/* The cache directory into out; -1 when caching is off. */
int kb_model_cache_dir(char *out, size_t n);
/* Fills m's row_bucket and rows (m allocated for the header's k and
 * n_rows) from the cache of model_path; -1 on any miss. */
int kb_model_cache_read(kb_model *m, const char *model_path,
                        const kb_model_key *key);
/* Writes the cache of a model loaded from model_path; failures are
 * silent (the cache is optional). */
void kb_model_cache_write(const kb_model *m, const char *model_path,
                          const kb_model_key *key);

/* Builds the rank index from row_bucket, checking the buckets. */
int kb_model_index_rows(kb_model *m, kb_error *err);
int kb_model_is_probabilistic(const kb_model *m);

/* Bucket b's row + 1, or 0 when it has none. */
static inline uint32_t kb_model_row(const kb_model *m, uint32_t b)
{
    const kb_rank *e = &m->rank[b >> 6];
    uint64_t bit = (uint64_t)1 << (b & 63);
    if (!(e->bits & bit))
        return 0;
    return e->before + kb_popcount64(e->bits & (bit - 1)) + 1;
}

/* The weight of a term seen tf times in a sentence. */
static inline double kb_model_tf(const kb_model *m, uint32_t tf)
{
    if (tf < 64)
        return (double)m->tf_weight[tf];
    return m->params.feat.sublinear_tf ? 1.0 + log((double)tf) : (double)tf;
}

/* Turns counts into the weighted, L2-normalised vector the model was
 * trained on: out[] gets one (row, value) per kept feature; returns how
 * many.  Training builds liblinear's problem with it; classify/score.c
 * weighs exactly the same way in its fused pass. */
typedef struct kb_weighted {
    uint32_t row;
    double value;
} kb_weighted;
size_t kb_model_weigh(const kb_model *m, const kb_counts *c, kb_weighted *out);

/* From the squared norms of the sentence space [0] and the lead space
 * [1], the factor each space's values are multiplied by: each space is
 * L2-normalised on its own, the lead space then weighed lead_weight. */
void kb_model_space_scales(const kb_model *m, const double norm[2],
                           double scale[2]);

#endif
