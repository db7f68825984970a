/*
 * explain.c: why a sentence got its label.  The sentence is featurised
 * with a trace that records each n-gram's text, weighed exactly as
 * scoring weighs it, and each n-gram's push is its weighed value times
 * the difference between its weights for the label and for the label
 * compared with (by default the runner-up): the n-grams with the largest
 * pushes either way are what decided between the two.  Like fastText's
 * print-ngrams, but per prediction and signed.
 */
#include "score.h"

#include <stdlib.h>
#include <string.h>

typedef struct traced {
    uint32_t bucket;
    char text[KB_NGRAM_TEXT];
} traced;

typedef struct trace_buf {
    traced *v;
    size_t n, cap;
    int failed;
} trace_buf;

/* Keeps each bucket's first n-gram text (a bucket's repeats and hash
 * collisions show the first spelling seen). */
static void on_ngram(void *ctx, uint32_t bucket, const char *gram, size_t len)
{
    trace_buf *t = ctx;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].bucket == bucket)
            return;
    if (KB_GROW(t->v, t->cap, t->n + 1) != 0) {
        t->failed = 1;
        return;
    }
    traced *e = &t->v[t->n++];
    e->bucket = bucket;
    if (len >= sizeof e->text) { /* cut at a character boundary */
        len = sizeof e->text - 1;
        while (len > 0 && ((unsigned char)gram[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(e->text, gram, len);
    e->text[len] = '\0';
}

static const char *gram_text(const trace_buf *t, uint32_t bucket)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].bucket == bucket)
            return t->v[i].text;
    return "?";
}

static int by_push_desc(const void *a, const void *b)
{
    double x = ((const kb_ngram_push *)a)->push, y = ((const kb_ngram_push *)b)->push;
    return (x < y) - (x > y);
}

int kb_explain(const kb_model *m, const char *text, size_t len, int versus,
               kb_explanation *ex, kb_error *err)
{
    memset(ex, 0, sizeof *ex);
    kb_normalizer *nz = kb_normalizer_new(m->params.norm, err);
    if (!nz)
        return -1;
    size_t nlen;
    const char *t = kb_normalize(nz, text, len, &nlen, err);
    trace_buf tb = {0};
    kb_counts c = {0};
    c.trace = on_ngram;
    c.trace_ctx = &tb;
    int rc = t ? 0 : -1;
    if (rc == 0 && (kb_count_features(&m->params.feat, t, nlen, &c, 1) != 0 ||
                    tb.failed))
        rc = kb_fail(err, "out of memory");
    double dec[KB_MAX_LABELS];
    if (rc == 0) {
        ex->label = kb_score_counts(m, &c, dec, ex->probs, NULL);
        ex->versus = ex->label == 0 ? 1 : 0;
        for (int j = 0; j < m->k; j++)
            if (j != ex->label && ex->probs[j] > ex->probs[ex->versus])
                ex->versus = j;
        if (versus >= 0 && versus < m->k && versus != ex->label)
            ex->versus = versus;
    }
    /* the pushes, weighed as kb_score_counts weighs */
    double norm[2] = {0, 0}, scale[2];
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    size_t width = (size_t)m->k + 1;
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        uint32_t r = m->row_of[c.v[i].bucket];
        if (!r)
            continue;
        double v = kb_model_tf(m, c.v[i].count) * (double)m->rows[(size_t)(r - 1) * width];
        norm[c.v[i].bucket >= lead_from] += v * v;
    }
    kb_model_space_scales(m, norm, scale);
    if (rc == 0 && !(ex->pushes = calloc(c.n ? c.n : 1, sizeof *ex->pushes)))
        rc = kb_fail(err, "out of memory");
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        uint32_t r = m->row_of[c.v[i].bucket];
        if (!r)
            continue;
        const float *row = m->rows + (size_t)(r - 1) * width;
        int lead = c.v[i].bucket >= lead_from;
        double v = kb_model_tf(m, c.v[i].count) * (double)row[0] * scale[lead];
        kb_ngram_push *p = &ex->pushes[ex->n++];
        p->push = v * ((double)row[ex->label + 1] - (double)row[ex->versus + 1]);
        p->lead = lead;
        p->count = c.v[i].count;
        snprintf(p->text, sizeof p->text, "%s", gram_text(&tb, c.v[i].bucket));
    }
    if (rc == 0)
        qsort(ex->pushes, ex->n, sizeof *ex->pushes, by_push_desc);
    else
        kb_explanation_free(ex);
    free(tb.v);
    kb_counts_free(&c);
    kb_normalizer_free(nz);
    return rc;
}

void kb_explanation_free(kb_explanation *ex)
{
    free(ex->pushes);
    ex->pushes = NULL;
    ex->n = 0;
}
