/*
 * model.h: what a trained khabar model is in memory.  The training stage
 * builds it, model_file.c saves and loads it, the classify stage reads it.
 *
 * Only hash buckets seen in at least min_df training sentences have a row;
 * row_of maps a bucket to its row (+1; 0 = no row).  Weights are stored
 * per row for every class, so scoring a sentence is one pass over its
 * buckets whatever the number of classes.
 */
#ifndef KB_MODEL_H
#define KB_MODEL_H

#include "featurize.h"

struct kb_model {
    kb_train_opts opts;  /* task, normalisation, features, solver, C, seed */
    int k;               /* number of labels */
    char labels[KB_MAX_LABELS][KB_MAX_LABEL_LEN];
    size_t n_train;      /* training sentences */
    size_t n_rows;
    uint32_t *row_bucket; /* n_rows, strictly increasing */
    /* Per row, the idf then the k weights, side by side, so that one
     * feature costs one cache line at prediction (KB_IDF, KB_W). */
    float *rows;
    double bias[KB_MAX_LABELS];
    uint32_t *row_of;     /* 2^hash_bits entries */
    float tf_weight[64];  /* the tf weight for small counts */
};

#define KB_IDF(m, r) ((m)->rows[(size_t)(r) * ((size_t)(m)->k + 1)])
#define KB_W(m, r, j) ((m)->rows[(size_t)(r) * ((size_t)(m)->k + 1) + 1 + (size_t)(j)])

/* Allocates the arrays for n_rows rows and builds row_of. */
kb_model *kb_model_alloc(const kb_train_opts *o, int k, size_t n_rows);
int kb_model_index_rows(kb_model *m, kb_error *err);
int kb_model_is_probabilistic(const kb_model *m);

/* Turns counts into the weighted, L2-normalised vector the model was
 * trained on; calls fn(row, value) for each kept feature.  Used by both
 * training (to build liblinear's problem) and prediction. */
typedef struct kb_weighted {
    uint32_t row;
    double value;
} kb_weighted;
size_t kb_model_weigh(const kb_model *m, const kb_counts *c, kb_weighted *out);

/* Weighs and scores counts in one pass: fills dec[k] and probs[k] and
 * returns the argmax.  It weighs exactly as kb_model_weigh does (the
 * vector is scaled once at the end instead of per feature). */
int kb_model_predict_counts(const kb_model *m, const kb_counts *c,
                            double *dec, double *probs);

#endif
