/*
 * context.h: the classify stage's article-context interface, shared with
 * training (train/context_fit.c builds the same features to fit the
 * stage).
 */
#ifndef KB_CONTEXT_H
#define KB_CONTEXT_H

#include "score.h"

/* The KB_CTX_DIM(k) context features of sentence i of an article of n
 * sentences, from the first stage's probabilities (n*k, in order). */
void kb_context_features(const double *probs, size_t n, int k, size_t i,
                         int window, double *f);

#endif
