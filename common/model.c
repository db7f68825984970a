/*
 * model.c: the in-memory model: allocation, the bucket-to-row index,
 * tf-idf weighting and scoring.  Training and classification both weigh
 * features here, so a sentence is seen the same way by both.
 */
#include "model.h"

#include <linear.h>
#include <math.h>

static double tf_weight(const kb_model *m, uint32_t tf)
{
    return m->opts.feat.sublinear_tf ? 1.0 + log((double)tf) : (double)tf;
}

kb_model *kb_model_alloc(const kb_train_opts *o, int k, size_t n_rows)
{
    kb_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->opts = *o;
    m->opts.progress = NULL;
    m->opts.progress_ctx = NULL;
    m->k = k;
    m->n_rows = n_rows;
    m->row_bucket = malloc((n_rows ? n_rows : 1) * sizeof *m->row_bucket);
    m->rows = calloc((n_rows ? n_rows : 1) * ((size_t)k + 1), sizeof *m->rows);
    m->row_of = calloc((size_t)1 << o->feat.hash_bits, sizeof *m->row_of);
    if (!m->row_bucket || !m->rows || !m->row_of) {
        kb_model_free(m);
        return NULL;
    }
    for (int tf = 1; tf < 64; tf++)
        m->tf_weight[tf] = (float)tf_weight(m, (uint32_t)tf);
    return m;
}

void kb_model_free(kb_model *m)
{
    if (!m)
        return;
    free(m->row_bucket);
    free(m->rows);
    free(m->row_of);
    free(m);
}

int kb_model_index_rows(kb_model *m, kb_error *err)
{
    uint32_t limit = (uint32_t)1 << m->opts.feat.hash_bits;
    for (size_t r = 0; r < m->n_rows; r++) {
        uint32_t b = m->row_bucket[r];
        if (b >= limit)
            return kb_fail(err, "row %zu: bucket %u outside 2^%d", r + 1, b,
                           m->opts.feat.hash_bits);
        if (r > 0 && b <= m->row_bucket[r - 1])
            return kb_fail(err, "row %zu: buckets not strictly increasing",
                           r + 1);
        m->row_of[b] = (uint32_t)r + 1;
    }
    return 0;
}

int kb_model_is_probabilistic(const kb_model *m)
{
    return m->opts.solver == L2R_LR || m->opts.solver == L1R_LR ||
           m->opts.solver == L2R_LR_DUAL;
}

size_t kb_model_weigh(const kb_model *m, const kb_counts *c, kb_weighted *out)
{
    size_t n = 0;
    double norm = 0;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t r = m->row_of[c->v[i].bucket];
        if (!r)
            continue;
        uint32_t tf = c->v[i].count;
        double v = (tf < 64 ? (double)m->tf_weight[tf] : tf_weight(m, tf)) *
                   (double)KB_IDF(m, r - 1);
        out[n].row = r - 1;
        out[n].value = v;
        norm += v * v;
        n++;
    }
    if (norm > 0) {
        norm = 1.0 / sqrt(norm);
        for (size_t i = 0; i < n; i++)
            out[i].value *= norm;
    }
    return n;
}

/* Turns decision values into probabilities; returns the argmax. */
static int to_probs(const kb_model *m, double *dec, double *probs)
{
    int k = m->k, best = 0;
    for (int j = 1; j < k; j++)
        if (dec[j] > dec[best])
            best = j;
    double sum = 0;
    if (kb_model_is_probabilistic(m)) {
        /* liblinear's one-vs-rest logistic probabilities, normalised. */
        for (int j = 0; j < k; j++)
            sum += probs[j] = 1.0 / (1.0 + exp(-dec[j]));
    } else {
        /* SVMs give no probabilities: a softmax of the decision values. */
        for (int j = 0; j < k; j++)
            sum += probs[j] = exp(dec[j] - dec[best]);
    }
    for (int j = 0; j < k; j++)
        probs[j] /= sum;
    return best;
}

int kb_model_predict_counts(const kb_model *m, const kb_counts *c,
                            double *dec, double *probs)
{
    int k = m->k;
    size_t width = (size_t)k + 1;
    double acc[KB_MAX_LABELS] = {0}, norm = 0;
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
        for (size_t i = base; nr && i < end; i++) {
            const float *row = rows[i - base];
            if (!row)
                continue;
            uint32_t tf = c->v[i].count;
            double v = (tf < 64 ? (double)m->tf_weight[tf] : tf_weight(m, tf)) *
                       (double)row[0];
            norm += v * v;
            for (int j = 0; j < k; j++)
                acc[j] += v * (double)row[j + 1];
        }
    }
    double scale = norm > 0 ? 1.0 / sqrt(norm) : 0;
    for (int j = 0; j < k; j++)
        dec[j] = m->bias[j] + acc[j] * scale;
    return to_probs(m, dec, probs);
}

int kb_model_n_labels(const kb_model *m) { return m->k; }
const char *kb_model_label(const kb_model *m, int i)
{
    return (i >= 0 && i < m->k) ? m->labels[i] : NULL;
}
const char *kb_model_task(const kb_model *m) { return m->opts.task; }
const kb_train_opts *kb_model_opts(const kb_model *m) { return &m->opts; }
size_t kb_model_n_rows(const kb_model *m) { return m->n_rows; }

int kb_model_label_index(const kb_model *m, const char *label)
{
    for (int i = 0; i < m->k; i++)
        if (strcmp(m->labels[i], label) == 0)
            return i;
    return -1;
}
