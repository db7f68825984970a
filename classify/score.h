/*
 * score.h: the classify stage's internal interface: scoring a sentence's
 * feature counts with a model.  Prediction (predict.c) and cross-
 * validation (train/cv.c) both score through it.
 */
#ifndef KB_SCORE_H
#define KB_SCORE_H

#include "model.h"

/* Scratch for kb_score_buckets: a bitmap of the model's feature space
 * (all 0 between calls) and the repeated occurrences (rep.scratch),
 * counted by the featuriser's own table (kb_count_raw). */
typedef struct kb_score_scratch {
    uint64_t *seen;
    kb_counts rep;
} kb_score_scratch;
void kb_score_scratch_free(kb_score_scratch *s);

/* Per-thread scratch for prediction (predict.c); explain.c reuses it. */
struct kb_predictor {
    const kb_model *m;
    kb_normalizer *nz;
    kb_counts counts;
    kb_score_scratch scratch;
    double dec[KB_MAX_LABELS];
    kb_evidence evidence;
};

/* Weighs and scores counts in one pass: fills dec[k] and probs[k] and
 * returns the argmax.  It weighs exactly as kb_model_weigh does (the
 * vector is scaled once at the end instead of per feature).  *known (when
 * not NULL) gets the number of distinct n-grams the model has a row for. */
int kb_score_counts(const kb_model *m, const kb_counts *c, double *dec,
                    double *probs, size_t *known);

/* Scores the raw buckets c->scratch[0, c->n_raw) (kb_hash_features) in
 * one pass, without counting them first: the same vector as counting
 * then kb_score_counts, summed in another order (so equal up to
 * rounding).  Returns the argmax, or -1 when out of memory. */
int kb_score_buckets(const kb_model *m, const kb_counts *c,
                     kb_score_scratch *s, double *dec, double *probs,
                     size_t *known);

/* Turns k decision values into probabilities (logistic: liblinear's
 * one-vs-rest logistic probabilities, normalised; else a softmax, as SVMs
 * give none); returns the argmax. */
int kb_decisions_to_probs(int logistic, int k, const double *dec,
                          double *probs);

#endif
