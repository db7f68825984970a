/*
 * score.c: scoring.  A sentence's counts are weighed (tf-idf, L2) and
 * multiplied by the model's weights in one fused pass, and the decision
 * values become probabilities.
 */
#include "score.h"

int kb_decisions_to_probs(int logistic, int k, const double *dec,
                          double *probs)
{
    int best = 0;
    for (int j = 1; j < k; j++)
        if (dec[j] > dec[best])
            best = j;
    double sum = 0;
    if (logistic && dec[best] > -700) {
        /* liblinear's one-vs-rest logistic probabilities, normalised. */
        for (int j = 0; j < k; j++)
            sum += probs[j] = 1.0 / (1.0 + exp(-dec[j]));
    } else {
        /* SVMs give no probabilities: a softmax of the decision values
         * (also when every logistic probability underflows). */
        for (int j = 0; j < k; j++)
            sum += probs[j] = exp(dec[j] - dec[best]);
    }
    for (int j = 0; j < k; j++)
        probs[j] /= sum;
    return best;
}

/* acc[j] += v * row[j + 1] for the k labels; the shipped models' 4 and 3
 * labels unrolled (the same operations in the same order). */
static inline void add_row(double *acc, double v, const float *row, int k)
{
    switch (k) {
    case 4:
        acc[3] += v * (double)row[4];
        /* fall through */
    case 3:
        acc[2] += v * (double)row[3];
        acc[1] += v * (double)row[2];
        acc[0] += v * (double)row[1];
        return;
    default:
        for (int j = 0; j < k; j++)
            acc[j] += v * (double)row[j + 1];
    }
}

int kb_score_counts(const kb_model *m, const kb_counts *c, double *dec,
                    double *probs, size_t *known)
{
    size_t n_known = 0;
    int k = m->k;
    size_t width = (size_t)k + 1;
    double acc[2][KB_MAX_LABELS] = {{0}}, norm[2] = {0, 0};
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    /* The tables are larger than the caches: issue the loads of a block
     * of features before using any of them. */
    enum { BLOCK = 32 };
    const float *rows[BLOCK];
    for (size_t base = 0; base < c->n; base += BLOCK) {
        size_t end = base + BLOCK < c->n ? base + BLOCK : c->n, nr = 0;
        for (size_t i = base; i < end; i++)
            __builtin_prefetch(&m->row_of[c->v[i].bucket]);
        for (size_t i = base; i < end; i++) {
            uint32_t r = m->row_of[c->v[i].bucket];
            rows[i - base] = r ? m->rows + (size_t)(r - 1) * width : NULL;
            if (r) {
                __builtin_prefetch(rows[i - base]);
                nr++;
            }
        }
        n_known += nr;
        for (size_t i = base; nr && i < end; i++) {
            const float *row = rows[i - base];
            if (!row)
                continue;
            double v = kb_model_tf(m, c->v[i].count) * (double)row[0];
            int space = c->v[i].bucket >= lead_from;
            norm[space] += v * v;
            add_row(acc[space], v, row, k);
        }
    }
    if (known)
        *known = n_known;
    double scale[2];
    kb_model_space_scales(m, norm, scale);
    for (int j = 0; j < k; j++)
        dec[j] = m->bias[j] + acc[0][j] * scale[0] + acc[1][j] * scale[1];
    return kb_decisions_to_probs(kb_model_is_probabilistic(m), k, dec, probs);
}
