/*
 * predict.c: labels one sentence with a loaded model.  A predictor holds
 * the per-thread scratch (ICU normaliser, feature buffers), so one model
 * can serve many threads, each with its own predictor.
 */
#include "score.h"

struct kb_predictor {
    const kb_model *m;
    kb_normalizer *nz;
    kb_counts counts;
    double dec[KB_MAX_LABELS];
};

kb_predictor *kb_predictor_new(const kb_model *m, kb_error *err)
{
    kb_predictor *p = calloc(1, sizeof *p);
    if (!p) {
        kb_fail(err, "out of memory");
        return NULL;
    }
    p->m = m;
    p->nz = kb_normalizer_new(m->params.norm, err);
    if (!p->nz) {
        free(p);
        return NULL;
    }
    return p;
}

void kb_predictor_free(kb_predictor *p)
{
    if (!p)
        return;
    kb_normalizer_free(p->nz);
    kb_counts_free(&p->counts);
    free(p);
}

int kb_predict(kb_predictor *p, const char *text, size_t len, double *probs,
               kb_error *err)
{
    size_t nlen;
    const char *t = kb_normalize(p->nz, text, len, &nlen, err);
    if (!t)
        return -1;
    if (kb_count_features(&p->m->params.feat, t, nlen, &p->counts, 0) != 0)
        return kb_fail(err, "out of memory");
    return kb_score_counts(p->m, &p->counts, p->dec, probs);
}
