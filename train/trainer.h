/*
 * trainer.h: the training stage's internal interface, shared by train.c
 * (one model from all rows) and cv.c (one model per fold).
 */
#ifndef KB_TRAINER_H
#define KB_TRAINER_H

#include "context.h"

/* A dataset turned into features once: each row's counts and label index. */
typedef struct kb_featurized {
    size_t n;
    kb_counts *rows;
    int *y;
    int k;
    char **labels; /* k names, in order of first appearance or as given */
    char *const *doc; /* the dataset's doc column (borrowed), or NULL */
} kb_featurized;

int kb_featurize_dataset(const kb_dataset *ds, const kb_train_opts *o,
                         kb_featurized *fz, kb_error *err);
void kb_featurized_free(kb_featurized *fz);

/* Trains on the rows listed in idx (all rows when idx is NULL). */
kb_model *kb_train_rows(const kb_featurized *fz, const size_t *idx, size_t n,
                        const kb_train_opts *o, kb_error *err);

/* Folds of the out-of-fold probabilities the context stage is fitted on. */
#define KB_CONTEXT_FOLDS 5

/* fold[i] for every row of ds: whole documents dealt to k folds after a
 * shuffle seeded by seed. */
int kb_assign_folds(const kb_dataset *ds, int k, uint64_t seed, int *fold);

/* Out-of-fold first-stage predictions: for each fold, a model trained on
 * the other folds gives the fold's rows their probabilities (probs, n*k)
 * and labels (pred, n). */
int kb_oof_predict(const kb_featurized *fz, const int *fold, int folds,
                   const kb_train_opts *o, double *probs, int *pred,
                   kb_error *err);

/* Fits the context stage (KB_CTX_DIM(k) weights and a bias per label,
 * into w) on the rows listed in idx, read as articles (runs of equal
 * doc), from their first-stage probabilities. */
int kb_context_fit(const kb_featurized *fz, const double *probs,
                   const size_t *idx, size_t n, const kb_params *p, double *w,
                   kb_error *err);

/* Applies weights w to the rows in idx, article by article: fills
 * pred[idx[i]] (and out[idx[i]*k..], when out is not NULL). */
int kb_context_predict_rows(const kb_featurized *fz, const double *probs,
                            const size_t *idx, size_t n, const kb_params *p,
                            const double *w, int *pred, kb_error *err);

/* liblinear's train() with rand() seeded, one run at a time (liblinear's
 * dual solvers shuffle with the C library's rand()). */
struct problem;
struct parameter;
struct model *kb_liblinear_train(const struct problem *prob,
                                 const struct parameter *param, uint64_t seed);

void kb_progress(const kb_train_opts *o, const char *fmt, ...) KB_PRINTF(2, 3);

#endif
