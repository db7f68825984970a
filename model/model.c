/*
 * model.c: the in-memory model: allocation, the bucket-to-row index and
 * tf-idf weighting.  Training weighs features here, and scoring
 * (classify/score.c) weighs the same way, so a sentence is seen the same
 * way by both.
 */
#include "model.h"

#include <linear.h>
#include <stdio.h>

kb_model *kb_model_alloc(const char *task, const kb_params *p, int k,
                         char *const *labels, size_t n_rows)
{
    kb_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->params = *p;
    snprintf(m->written_by, sizeof m->written_by, "%s", KB_VERSION);
    m->k = k;
    m->n_rows = n_rows;
    m->task = kb_strdup(task);
    m->labels = calloc((size_t)k, sizeof *m->labels);
    m->bias = calloc((size_t)k, sizeof *m->bias);
    m->row_bucket = malloc((n_rows ? n_rows : 1) * sizeof *m->row_bucket);
    m->rows = calloc((n_rows ? n_rows : 1) * ((size_t)k + 1), sizeof *m->rows);
    m->rank = calloc(KB_SPACE_SIZE(&p->feat) / 64, sizeof *m->rank);
    if (p->context)
        m->ctx_w = calloc((size_t)k * (KB_CTX_DIM((size_t)k) + 1),
                          sizeof *m->ctx_w);
    int ok = m->task && m->labels && m->bias && m->row_bucket && m->rows &&
             m->rank && (m->ctx_w || !p->context);
    for (int j = 0; ok && j < k; j++)
        ok = (m->labels[j] = kb_strdup(labels[j])) != NULL;
    if (!ok) {
        kb_model_free(m);
        return NULL;
    }
    for (uint32_t tf = 1; tf < 64; tf++)
        m->tf_weight[tf] = (float)(p->feat.sublinear_tf ? 1.0 + log((double)tf)
                                                        : (double)tf);
    return m;
}

void kb_model_free(kb_model *m)
{
    if (!m)
        return;
    for (int j = 0; m->labels && j < m->k; j++)
        free(m->labels[j]);
    free(m->labels);
    free(m->task);
    free(m->bias);
    free(m->row_bucket);
    free(m->rows);
    free(m->rank);
    free(m->ctx_w);
    free(m);
}

int kb_model_index_rows(kb_model *m, kb_error *err)
{
    size_t limit = KB_SPACE_SIZE(&m->params.feat);
    for (size_t r = 0; r < m->n_rows; r++) {
        uint32_t b = m->row_bucket[r];
        if (b >= limit)
            return kb_fail(err, "row %zu: bucket %u outside the feature space "
                                "(%zu buckets)", r + 1, b, limit);
        if (r > 0 && b <= m->row_bucket[r - 1])
            return kb_fail(err, "row %zu: buckets not strictly increasing",
                           r + 1);
        m->rank[b >> 6].bits |= (uint64_t)1 << (b & 63);
    }
    uint32_t before = 0;
    for (size_t w = 0; w < limit / 64; w++) {
        m->rank[w].before = before;
        before += kb_popcount64(m->rank[w].bits);
    }
    return 0;
}

float kb_model_round(double x)
{
    char text[32];
    snprintf(text, sizeof text, "%.*g", KB_WEIGHT_DIGITS, x);
    float f = strtof(text, NULL);
    return f == 0 ? 0 : f; /* no -0 */
}

int kb_model_is_probabilistic(const kb_model *m)
{
    int s = m->params.solver;
    return s == L2R_LR || s == L1R_LR || s == L2R_LR_DUAL;
}

size_t kb_model_weigh(const kb_model *m, const kb_counts *c, kb_weighted *out)
{
    size_t n = 0;
    double norm[2] = {0, 0};
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t r = kb_model_row(m, c->v[i].bucket);
        if (!r)
            continue;
        double v = kb_model_tf(m, c->v[i].count) * (double)KB_IDF(m, r - 1);
        out[n].row = r - 1;
        out[n].value = v;
        norm[c->v[i].bucket >= lead_from] += v * v;
        n++;
    }
    double scale[2];
    kb_model_space_scales(m, norm, scale);
    for (size_t i = 0; i < n; i++)
        out[i].value *= scale[m->row_bucket[out[i].row] >= lead_from];
    return n;
}

void kb_model_space_scales(const kb_model *m, const double norm[2],
                           double scale[2])
{
    scale[0] = norm[0] > 0 ? 1.0 / sqrt(norm[0]) : 0;
    scale[1] = norm[1] > 0 ? m->params.feat.lead_weight / sqrt(norm[1]) : 0;
}

int kb_model_n_labels(const kb_model *m) { return m->k; }
const char *kb_model_label(const kb_model *m, int i)
{
    return (i >= 0 && i < m->k) ? m->labels[i] : NULL;
}
const char *kb_model_task(const kb_model *m) { return m->task; }
const char *kb_model_written_by(const kb_model *m) { return m->written_by; }
const char *kb_version(void) { return KB_VERSION; }
const kb_params *kb_model_params(const kb_model *m) { return &m->params; }
size_t kb_model_n_rows(const kb_model *m) { return m->n_rows; }
int kb_model_from_cache(const kb_model *m) { return m->from_cache; }

int kb_model_label_index(const kb_model *m, const char *label)
{
    for (int i = 0; i < m->k; i++)
        if (strcmp(m->labels[i], label) == 0)
            return i;
    return -1;
}
