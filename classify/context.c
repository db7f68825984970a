/*
 * context.c: the article-context stage.  A sentence is read with its
 * article: the first stage's label probabilities of the sentence, of the
 * sentences before and after it, of a window around it and of the
 * article's first sentence (usually its headline) are the features of a
 * small logistic regression, fitted at training (train/context_fit.c) on
 * out-of-fold probabilities.  A heading that names no event, a background
 * clause or a quote is then read in the light of what the article is
 * about.
 */
#include "context.h"

void kb_context_features(const double *probs, size_t n, int k, size_t i,
                         int window, double *f)
{
    size_t kk = (size_t)k;
    const double *own = probs + i * kk;
    double *prev = f + kk, *next = f + 2 * kk, *around = f + 3 * kk,
           *head = f + 4 * kk;
    memset(f, 0, KB_CTX_DIM(kk) * sizeof *f);
    memcpy(f, own, kk * sizeof *f);
    if (i > 0)
        memcpy(prev, own - kk, kk * sizeof *f);
    if (i + 1 < n)
        memcpy(next, own + kk, kk * sizeof *f);
    size_t lo = i > (size_t)window ? i - (size_t)window : 0;
    size_t hi = i + (size_t)window < n - 1 ? i + (size_t)window : n - 1;
    size_t count = 0;
    for (size_t j = lo; j <= hi; j++) {
        if (j == i)
            continue;
        for (size_t c = 0; c < kk; c++)
            around[c] += probs[j * kk + c];
        count++;
    }
    for (size_t c = 0; count && c < kk; c++)
        around[c] /= (double)count;
    if (i > 0)
        memcpy(head, probs, kk * sizeof *f);
    f[5 * kk] = i == 0;
    f[5 * kk + 1] = i + 1 == n;
}

int kb_model_has_context(const kb_model *m) { return m->params.context; }

int kb_context_apply(const kb_model *m, const double *probs, size_t n,
                     double *out, int *labels)
{
    size_t k = (size_t)m->k, dim = KB_CTX_DIM(k);
    if (!m->params.context) {
        memmove(out, probs, n * k * sizeof *out);
        for (size_t i = 0; labels && i < n; i++) {
            int best = 0;
            for (size_t j = 1; j < k; j++)
                if (out[i * k + j] > out[i * k + (size_t)best])
                    best = (int)j;
            labels[i] = best;
        }
        return 0;
    }
    double f[KB_CTX_DIM(KB_MAX_LABELS)], dec[KB_MAX_LABELS];
    double *tmp = out == probs ? malloc(n * k * sizeof *tmp) : out;
    if (!tmp)
        return -1;
    for (size_t i = 0; i < n; i++) {
        kb_context_features(probs, n, m->k, i, m->params.context_window, f);
        for (size_t j = 0; j < k; j++) {
            const double *w = m->ctx_w + j * (dim + 1);
            double d = w[dim];
            for (size_t c = 0; c < dim; c++)
                d += w[c] * f[c];
            dec[j] = d;
        }
        int best = kb_decisions_to_probs(1, m->k, dec, tmp + i * k);
        if (labels)
            labels[i] = best;
    }
    if (tmp != out) {
        memcpy(out, tmp, n * k * sizeof *out);
        free(tmp);
    }
    return 0;
}
