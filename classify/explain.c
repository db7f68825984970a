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
    uint32_t seq; /* the n-gram's place in the sentence */
    char text[KB_NGRAM_TEXT];
} traced;

typedef struct trace_buf {
    traced *v;
    size_t n, cap;
    int failed;
} trace_buf;

/* Records every n-gram with its text; trace_index then keeps each
 * bucket's first (a bucket's repeats and hash collisions show the first
 * spelling seen). */
static void on_ngram(void *ctx, uint32_t bucket, const char *gram, size_t len)
{
    trace_buf *t = ctx;
    if (KB_GROW(t->v, t->cap, t->n + 1) != 0) {
        t->failed = 1;
        return;
    }
    traced *e = &t->v[t->n];
    e->bucket = bucket;
    e->seq = (uint32_t)t->n++;
    if (len >= sizeof e->text) { /* cut at a character boundary */
        len = sizeof e->text - 1;
        while (len > 0 && ((unsigned char)gram[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(e->text, gram, len);
    e->text[len] = '\0';
}

static int by_bucket_then_seq(const void *a, const void *b)
{
    const traced *x = a, *y = b;
    if (x->bucket != y->bucket)
        return (x->bucket > y->bucket) - (x->bucket < y->bucket);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts the trace so that each bucket's first n-gram leads its run. */
static void trace_index(trace_buf *t)
{
    qsort(t->v, t->n, sizeof *t->v, by_bucket_then_seq);
}

/* The first spelling of bucket (binary search for the start of its run). */
static const char *gram_text(const trace_buf *t, uint32_t bucket)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].bucket < bucket)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->v[lo].bucket == bucket ? t->v[lo].text : "?";
}

static int by_push_desc(const void *a, const void *b)
{
    double x = ((const kb_ngram_push *)a)->push, y = ((const kb_ngram_push *)b)->push;
    return (x < y) - (x > y);
}

int kb_explain(kb_predictor *p, const char *text, size_t len, int versus,
               kb_explanation *ex, kb_error *err)
{
    const kb_model *m = p->m;
    memset(ex, 0, sizeof *ex);
    size_t nlen;
    const char *t = kb_normalize(p->nz, text, len, &nlen, err);
    if (!t)
        return -1;
    trace_buf tb = {0};
    kb_counts *c = &p->counts;
    c->trace = on_ngram;
    c->trace_ctx = &tb;
    int rc = kb_count_features(&m->params.feat, t, nlen, c, 1) != 0 || tb.failed
                 ? kb_fail(err, "out of memory") : 0;
    c->trace = NULL;
    c->trace_ctx = NULL;
    kb_weighted *w = rc == 0 ? malloc((c->n ? c->n : 1) * sizeof *w) : NULL;
    if (rc == 0 && (!w || !(ex->pushes = calloc(c->n ? c->n : 1, sizeof *ex->pushes))))
        rc = kb_fail(err, "out of memory");
    if (rc == 0) {
        ex->label = kb_score_counts(m, c, p->dec, ex->probs, NULL);
        ex->versus = ex->label == 0 ? 1 : 0;
        for (int j = 0; j < m->k; j++)
            if (j != ex->label && ex->probs[j] > ex->probs[ex->versus])
                ex->versus = j;
        if (versus >= 0 && versus < m->k && versus != ex->label)
            ex->versus = versus;
        trace_index(&tb);
        /* the pushes, from the weighed vector scoring multiplies */
        uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
        size_t width = (size_t)m->k + 1, nw = kb_model_weigh(m, c, w);
        for (size_t i = 0; i < nw; i++) {
            const float *row = m->rows + (size_t)w[i].row * width;
            uint32_t bucket = m->row_bucket[w[i].row];
            kb_ngram_push *q = &ex->pushes[ex->n++];
            q->push = w[i].value *
                      ((double)row[ex->label + 1] - (double)row[ex->versus + 1]);
            q->lead = bucket >= lead_from;
            snprintf(q->text, sizeof q->text, "%s", gram_text(&tb, bucket));
        }
        /* weighing keeps the counts' order, skipping unknown n-grams */
        for (size_t i = 0, j = 0; i < c->n && j < ex->n; i++)
            if (kb_model_row(m, c->v[i].bucket))
                ex->pushes[j++].count = c->v[i].count;
        qsort(ex->pushes, ex->n, sizeof *ex->pushes, by_push_desc);
    } else {
        kb_explanation_free(ex);
    }
    free(w);
    free(tb.v);
    return rc;
}

void kb_explanation_free(kb_explanation *ex)
{
    free(ex->pushes);
    ex->pushes = NULL;
    ex->n = 0;
}
