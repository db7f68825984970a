/*
 * predict.c: labels one sentence with a loaded model.  A predictor holds
 * the per-thread scratch (ICU normaliser, feature buffers), so one model
 * can serve many threads, each with its own predictor.
 */
#include "score.h"

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
    kb_score_scratch_free(&p->scratch);
    free(p);
}

int kb_predict(kb_predictor *p, const char *text, size_t len, double *probs,
               kb_error *err)
{
    size_t nlen;
    const char *t = kb_normalize(p->nz, text, len, &nlen, err);
    if (!t)
        return -1;
    if (kb_hash_features(&p->m->params.feat, t, nlen, &p->counts) != 0)
        return kb_fail(err, "out of memory");
    p->evidence.arabic = kb_text_has_arabic(t, nlen);
    int best = kb_score_buckets(p->m, &p->counts, &p->scratch, p->dec, probs,
                                &p->evidence.known);
    return best < 0 ? kb_fail(err, "out of memory") : best;
}

kb_evidence kb_predictor_evidence(const kb_predictor *p)
{
    return p->evidence;
}

int kb_evidence_unknown(kb_evidence e, size_t min_known)
{
    return min_known > 0 && (!e.arabic || e.known < min_known);
}

int kb_predict_dataset(const kb_model *m, const kb_dataset *ds, int context,
                       double *probs, kb_error *err)
{
    size_t k = (size_t)m->k;
    kb_predictor *p = kb_predictor_new(m, err);
    if (!p)
        return -1;
    int rc = 0;
    kb_error e;
    for (size_t i = 0; rc == 0 && i < ds->n; i++)
        if (kb_predict(p, ds->text[i], strlen(ds->text[i]), probs + i * k,
                       &e) < 0)
            rc = kb_fail(err, "%s:%zu: %s", ds->path, ds->line[i], e.msg);
    kb_predictor_free(p);
    for (size_t a = 0; rc == 0 && context && ds->doc && a < ds->n;) {
        size_t b = a + 1; /* an article: a run of rows with one doc */
        while (b < ds->n && strcmp(ds->doc[a], ds->doc[b]) == 0)
            b++;
        if (kb_context_apply(m, probs + a * k, b - a, probs + a * k, NULL))
            rc = kb_fail(err, "out of memory");
        a = b;
    }
    return rc;
}
