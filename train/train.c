/*
 * train.c: trains a model with liblinear.
 *
 * Every sentence is normalised and counted once (kb_featurize_dataset);
 * then, for the rows to train on, document frequencies give the kept
 * buckets and their idf, each row becomes liblinear's sparse vector
 * (weighted exactly as prediction will weigh it, by kb_model_weigh), and
 * liblinear's solver fits one weight column per label.  The weights are
 * copied into the model, so the model file needs nothing of liblinear's.
 *
 * Training is reentrant: everything lives in the call's own memory.  The
 * one shared thing is liblinear itself: its dual solvers shuffle with the
 * C library's rand(), so each solver run seeds rand() with the model's
 * seed and runs under one process-wide lock (runs from several threads
 * are serialised, and each stays reproducible); its print hook is set
 * once, to silence.
 */
#include "trainer.h"

#include <linear.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>

void kb_progress(const kb_train_opts *o, const char *fmt, ...)
{
    if (!o->progress)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->progress(o->progress_ctx, msg);
}

/* ------------------------------------------------------- featurisation */

static int label_index(kb_featurized *fz, const kb_train_opts *o,
                       const kb_dataset *ds, size_t i, kb_error *err)
{
    const char *lab = ds->label[i];
    for (int j = 0; j < fz->k; j++)
        if (strcmp(fz->labels[j], lab) == 0)
            return j;
    if (o->n_labels > 0)
        return kb_fail(err, "%s:%zu: unknown label '%s' (expected one of the "
                            "%d given labels)", ds->path, ds->line[i], lab,
                       o->n_labels);
    if (fz->k == KB_MAX_LABELS)
        return kb_fail(err, "%s:%zu: more than %d distinct labels", ds->path,
                       ds->line[i], KB_MAX_LABELS);
    if (!kb_label_valid(lab))
        return kb_fail(err, "%s:%zu: a label may not hold spaces, control or "
                            "formatting characters", ds->path, ds->line[i]);
    if (!(fz->labels[fz->k] = kb_strdup(lab)))
        return kb_fail(err, "out of memory");
    return fz->k++;
}

/* The fixed label set of o, checked, as fz's first labels. */
static int fixed_labels(kb_featurized *fz, const kb_train_opts *o,
                        kb_error *err)
{
    if (o->n_labels == 1 || o->n_labels > KB_MAX_LABELS)
        return kb_fail(err, "a fixed label set needs 2..%d labels, not %d",
                       KB_MAX_LABELS, o->n_labels);
    for (int j = 0; j < o->n_labels; j++) {
        const char *lab = o->labels[j];
        if (!kb_label_valid(lab))
            return kb_fail(err, "label %d of the set is empty, too long (63 "
                                "bytes at most) or holds a space, control or "
                                "formatting character", j + 1);
        for (int i = 0; i < j; i++)
            if (strcmp(o->labels[i], lab) == 0)
                return kb_fail(err, "label '%s' is given twice", lab);
        if (!(fz->labels[j] = kb_strdup(lab)))
            return kb_fail(err, "out of memory");
        fz->k = j + 1;
    }
    return 0;
}

static int copy_counts(kb_counts *dst, const kb_counts *src)
{
    dst->n = src->n;
    dst->v = malloc((src->n ? src->n : 1) * sizeof *dst->v);
    if (!dst->v)
        return -1;
    memcpy(dst->v, src->v, src->n * sizeof *dst->v);
    return 0;
}

int kb_featurize_dataset(const kb_dataset *ds, const kb_train_opts *o,
                         kb_featurized *fz, kb_error *err)
{
    memset(fz, 0, sizeof *fz);
    if (kb_params_check(&o->params, err) != 0)
        return -1;
    fz->labels = calloc(KB_MAX_LABELS, sizeof *fz->labels);
    if (!fz->labels)
        return kb_fail(err, "out of memory");
    if (fixed_labels(fz, o, err) != 0) {
        kb_featurized_free(fz);
        return -1;
    }
    fz->doc = ds->doc;
    fz->rows = calloc(ds->n ? ds->n : 1, sizeof *fz->rows);
    fz->y = calloc(ds->n ? ds->n : 1, sizeof *fz->y);
    kb_normalizer *nz = kb_normalizer_new(o->params.norm, err);
    kb_counts scratch = {0};
    int rc = (!fz->rows || !fz->y || !nz) ? -1 : 0;
    if (rc && nz)
        kb_fail(err, "out of memory");
    for (size_t i = 0; rc == 0 && i < ds->n; i++) {
        size_t len;
        const char *t = kb_normalize(nz, ds->text[i], strlen(ds->text[i]),
                                     &len, err);
        if (!t || (fz->y[i] = label_index(fz, o, ds, i, err)) < 0) {
            rc = -1;
        } else if (kb_count_features(&o->params.feat, t, len, &scratch, 1) ||
                   copy_counts(&fz->rows[i], &scratch)) {
            rc = kb_fail(err, "out of memory");
        }
        fz->n = i + 1;
    }
    kb_counts_free(&scratch);
    kb_normalizer_free(nz);
    if (rc != 0)
        kb_featurized_free(fz);
    return rc;
}

void kb_featurized_free(kb_featurized *fz)
{
    if (fz->rows)
        for (size_t i = 0; i < fz->n; i++)
            free(fz->rows[i].v);
    free(fz->rows);
    free(fz->y);
    for (int j = 0; fz->labels && j < fz->k; j++)
        free(fz->labels[j]);
    free(fz->labels);
    memset(fz, 0, sizeof *fz);
}

/* ------------------------------------------------------------ training */

#define ROW(i) (idx ? idx[i] : (i))

/* Buckets kept (df >= min_df over the training rows) with their idf. */
static kb_model *build_vocabulary(const kb_featurized *fz, const size_t *idx,
                                  size_t n, const kb_train_opts *o)
{
    const kb_feature_opts *f = &o->params.feat;
    size_t space = KB_SPACE_SIZE(f), kept = 0;
    uint32_t *df = calloc(space, sizeof *df);
    if (!df)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const kb_counts *c = &fz->rows[ROW(i)];
        for (size_t j = 0; j < c->n; j++)
            df[c->v[j].bucket]++;
    }
    for (size_t b = 0; b < space; b++)
        kept += df[b] >= (uint32_t)f->min_df;
    kb_model *m = kb_model_alloc(o->task, &o->params, fz->k, fz->labels, kept);
    if (m) {
        size_t r = 0;
        for (size_t b = 0; b < space; b++) {
            if (df[b] < (uint32_t)f->min_df)
                continue;
            m->row_bucket[r] = (uint32_t)b;
            KB_IDF(m, r) = kb_model_round(log((1.0 + (double)n) / (1.0 + df[b])) + 1.0);
            r++;
        }
        m->n_train = n;
        if (kb_model_index_rows(m, NULL) != 0) {
            kb_model_free(m);
            m = NULL;
        }
    }
    free(df);
    return m;
}

typedef struct lin_problem {
    struct problem prob;
    struct feature_node *nodes;
} lin_problem;

static int build_problem(const kb_model *m, const kb_featurized *fz,
                         const size_t *idx, size_t n, lin_problem *lp)
{
    size_t total = 0, max_row = 0;
    for (size_t i = 0; i < n; i++) {
        total += fz->rows[ROW(i)].n + 2;
        if (fz->rows[ROW(i)].n > max_row)
            max_row = fz->rows[ROW(i)].n;
    }
    lp->nodes = malloc(total * sizeof *lp->nodes);
    lp->prob.x = malloc((n ? n : 1) * sizeof *lp->prob.x);
    lp->prob.y = malloc((n ? n : 1) * sizeof *lp->prob.y);
    kb_weighted *tmp = malloc((max_row ? max_row : 1) * sizeof *tmp);
    if (!lp->nodes || !lp->prob.x || !lp->prob.y || !tmp) {
        free(tmp);
        return -1;
    }
    struct feature_node *p = lp->nodes;
    for (size_t i = 0; i < n; i++) {
        size_t nw = kb_model_weigh(m, &fz->rows[ROW(i)], tmp);
        lp->prob.x[i] = p;
        lp->prob.y[i] = fz->y[ROW(i)];
        for (size_t j = 0; j < nw; j++, p++) {
            p->index = (int)tmp[j].row + 1;
            p->value = tmp[j].value;
        }
        p->index = (int)m->n_rows + 1; /* liblinear's bias feature */
        p->value = 1.0;
        p++;
        p->index = -1;
        p++;
    }
    free(tmp);
    lp->prob.l = (int)n;
    lp->prob.n = (int)m->n_rows + 1;
    lp->prob.bias = 1.0;
    return 0;
}

static double default_eps(int solver)
{
    switch (solver) {
    case L2R_LR:
    case L2R_L2LOSS_SVC:
    case L1R_L2LOSS_SVC:
    case L1R_LR:
        return 0.01;
    default:
        return 0.1;
    }
}

static void quiet(const char *s) { (void)s; }

static pthread_once_t liblinear_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t solver_lock = PTHREAD_MUTEX_INITIALIZER;

static void liblinear_init(void) { set_print_string_function(quiet); }

struct model *kb_liblinear_train(const struct problem *prob,
                                 const struct parameter *param, uint64_t seed)
{
    pthread_once(&liblinear_once, liblinear_init);
    pthread_mutex_lock(&solver_lock);
    srand((unsigned)seed); /* the dual solvers shuffle with rand() */
    struct model *lm = train(prob, param);
    pthread_mutex_unlock(&solver_lock);
    return lm;
}

static void copy_weights(kb_model *m, const struct model *lm)
{
    for (int j = 0; j < lm->nr_class; j++) {
        int lab = lm->label[j];
        for (size_t r = 0; r < m->n_rows; r++)
            KB_W(m, r, lab) = kb_model_round(get_decfun_coef(lm, (int)r + 1, j));
        m->bias[lab] = get_decfun_bias(lm, j);
    }
    /* A label absent from these rows (possible in a CV fold) is never
     * predicted. */
    for (int lab = 0; lab < m->k; lab++) {
        int seen = 0;
        for (int j = 0; j < lm->nr_class; j++)
            seen |= lm->label[j] == lab;
        if (!seen)
            m->bias[lab] = -KB_MAX_BIAS;
    }
}

/* How many of the problem's rows of each label have each feature,
 * count[lab * n_feat + f], and of any label, count[k * n_feat + f] (the
 * bias feature left out). */
static double *feature_counts(const struct problem *prob, const int *labels,
                              int k, size_t n_feat)
{
    double *count = calloc(((size_t)k + 1) * n_feat + 1, sizeof *count);
    if (!count)
        return NULL;
    double *all = count + (size_t)k * n_feat;
    for (int i = 0; i < prob->l; i++)
        for (const struct feature_node *x = prob->x[i]; x->index != -1; x++)
            if ((size_t)x->index <= n_feat) {
                count[(size_t)labels[i] * n_feat + (size_t)x->index - 1] += 1;
                all[x->index - 1] += 1;
            }
    return count;
}

/* Naive Bayes log-count ratios of label lab (NBSVM, Wang and Manning
 * 2012): r[f] = log((p[f] / |p|) / (q[f] / |q|)), p[f] and q[f] one plus
 * the number of sentences with and without the label that have feature
 * f (feature_counts). */
static void nb_ratios(const double *count, int k, int lab, size_t n_feat,
                      double *r)
{
    const double *p = count + (size_t)lab * n_feat, *all = count + (size_t)k * n_feat;
    double sum_p = 0, sum_q = 0;
    for (size_t f = 0; f < n_feat; f++) {
        sum_p += 1 + p[f];
        sum_q += 1 + all[f] - p[f];
    }
    for (size_t f = 0; f < n_feat; f++)
        r[f] = log((1 + p[f]) / sum_p) - log((1 + all[f] - p[f]) / sum_q);
}

/* The cost factor of label lab among the parsed class weights (1: none). */
static double class_factor(const int *wl, const double *wv, int nw, int lab)
{
    for (int i = 0; i < nw; i++)
        if (wl[i] == lab)
            return wv[i];
    return 1.0;
}

/* One-vs-rest with NB scaling: for each label, its sentences against the
 * rest, on the features scaled by the label's ratios; the ratios are
 * then folded into its weights (w . (r * x) = (r * w) . x), so the model
 * scores as any other.  The problem's values are restored on return. */
static int train_nb(kb_model *m, struct problem *prob, struct parameter param,
                    const int *wl, const double *wv, int nw, uint64_t seed,
                    kb_error *err)
{
    size_t n_feat = m->n_rows, n_nodes = 0;
    for (int i = 0; i < prob->l; i++) {
        const struct feature_node *x = prob->x[i];
        while (x->index != -1)
            x++;
        n_nodes += (size_t)(x - prob->x[i]);
    }
    int *labels = malloc((prob->l > 0 ? (size_t)prob->l : 1) * sizeof *labels);
    double *kept = malloc((n_nodes ? n_nodes : 1) * sizeof *kept);
    double *ratio = malloc((n_feat ? n_feat : 1) * sizeof *ratio);
    double *count = NULL;
    int rc = -1, pos = +1, present[KB_MAX_LABELS] = {0};
    if (!labels || !kept || !ratio) {
        kb_fail(err, "out of memory");
        goto done;
    }
    for (int i = 0, at = 0; i < prob->l; i++) {
        labels[i] = (int)prob->y[i];
        present[labels[i]] = 1;
        for (const struct feature_node *x = prob->x[i]; x->index != -1; x++)
            kept[at++] = x->value;
    }
    if (!(count = feature_counts(prob, labels, m->k, n_feat))) {
        kb_fail(err, "out of memory");
        goto done;
    }
    param.nr_weight = 1;
    param.weight_label = &pos;
    for (int lab = 0; lab < m->k; lab++) {
        if (!present[lab]) { /* (possible in a CV fold): never predicted */
            m->bias[lab] = -KB_MAX_BIAS;
            continue;
        }
        nb_ratios(count, m->k, lab, n_feat, ratio);
        for (int i = 0, at = 0; i < prob->l; i++) {
            prob->y[i] = labels[i] == lab ? +1 : -1;
            for (struct feature_node *x = prob->x[i]; x->index != -1; x++, at++)
                x->value = (size_t)x->index <= n_feat
                               ? kept[at] * ratio[x->index - 1] : kept[at];
        }
        double factor = class_factor(wl, wv, nw, lab);
        param.weight = &factor;
        struct model *lm = kb_liblinear_train(prob, &param, seed);
        if (!lm) {
            kb_fail(err, "liblinear training failed");
            goto done;
        }
        double sign = lm->label[0] == +1 ? 1.0 : -1.0;
        for (size_t r = 0; r < n_feat; r++)
            KB_W(m, r, lab) = kb_model_round(
                sign * get_decfun_coef(lm, (int)r + 1, 0) * ratio[r]);
        m->bias[lab] = sign * get_decfun_bias(lm, 0);
        free_and_destroy_model(&lm);
    }
    rc = 0;
done:
    if (labels && kept)
        for (int i = 0, at = 0; i < prob->l; i++) {
            prob->y[i] = labels[i];
            for (struct feature_node *x = prob->x[i]; x->index != -1; x++)
                x->value = kept[at++];
        }
    free(labels);
    free(kept);
    free(ratio);
    free(count);
    return rc;
}

static int check_classes(const kb_featurized *fz, const size_t *idx, size_t n,
                         kb_error *err)
{
    int first = n ? fz->y[ROW(0)] : -1;
    for (size_t i = 1; i < n; i++)
        if (fz->y[ROW(i)] != first)
            return 0;
    if (n == 0)
        return kb_fail(err, "no training sentences");
    return kb_fail(err, "only one label ('%s') in the training data; a "
                        "classifier needs at least two", fz->labels[first]);
}

kb_model *kb_train_rows(const kb_featurized *fz, const size_t *idx, size_t n,
                        const kb_train_opts *o, kb_error *err)
{
    if (check_classes(fz, idx, n, err) != 0)
        return NULL;
    kb_model *m = build_vocabulary(fz, idx, n, o), *done = NULL;
    lin_problem lp = {0};
    if (m && m->n_rows == 0) {
        kb_fail(err, "no features: the training sentences have no letters or "
                     "digits (or none seen in %d sentences)", o->params.feat.min_df);
        goto fail;
    }
    if (!m || build_problem(m, fz, idx, n, &lp) != 0) {
        kb_fail(err, "out of memory building the training problem");
        goto fail;
    }
    struct parameter param = {0};
    param.solver_type = o->params.solver;
    param.C = o->params.C;
    param.eps = o->params.eps > 0 ? o->params.eps : default_eps(o->params.solver);
    param.p = 0.1;
    int wl[KB_MAX_LABELS];
    double wv[KB_MAX_LABELS];
    int nw = kb_class_weights_parse(o->params.class_weights, fz->labels, fz->k,
                                    wl, wv, err);
    if (nw < 0)
        goto fail;
    param.nr_weight = nw;
    param.weight_label = wl;
    param.weight = wv;
    const char *bad = check_parameter(&lp.prob, &param);
    if (bad) {
        kb_fail(err, "liblinear: %s", bad);
        goto fail;
    }
    if (o->params.nb_scale) {
        if (train_nb(m, &lp.prob, param, wl, wv, nw, o->params.seed, err) != 0)
            goto fail;
    } else {
        struct model *lm = kb_liblinear_train(&lp.prob, &param, o->params.seed);
        if (!lm) {
            kb_fail(err, "liblinear training failed");
            goto fail;
        }
        copy_weights(m, lm);
        free_and_destroy_model(&lm);
    }
    done = m;
    m = NULL;
fail:
    free(lp.nodes);
    free(lp.prob.x);
    free(lp.prob.y);
    kb_model_free(m);
    return done;
}

/* Every label of the set has training sentences. */
static int check_labels_present(const kb_dataset *ds, const kb_featurized *fz,
                                kb_error *err)
{
    for (int j = 0; j < fz->k; j++) {
        size_t c = 0;
        for (size_t i = 0; i < fz->n; i++)
            c += fz->y[i] == j;
        if (c == 0)
            return kb_fail(err, "%s: label '%s' has no training sentences",
                           ds->path, fz->labels[j]);
    }
    return 0;
}

/* Fits m's context stage on out-of-fold probabilities of the training
 * articles (KB_CONTEXT_FOLDS folds by document). */
static int fit_context(const kb_dataset *ds, const kb_featurized *fz,
                       const kb_train_opts *o, kb_model *m, kb_error *err)
{
    size_t n = fz->n;
    int *fold = malloc(n * sizeof *fold), *pred = malloc(n * sizeof *pred);
    double *probs = malloc(n * (size_t)fz->k * sizeof *probs);
    size_t *all = malloc(n * sizeof *all);
    int rc = (!fold || !pred || !probs || !all) ? kb_fail(err, "out of memory")
                                                : 0;
    if (rc == 0 && !ds->doc)
        rc = kb_fail(err, "%s: the context stage needs a 'doc' column (rows "
                          "of one doc, in file order, are one article)",
                     ds->path);
    size_t docs = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        docs += i == 0 || strcmp(ds->doc[i], ds->doc[i - 1]) != 0;
    if (rc == 0 && docs < KB_CONTEXT_FOLDS)
        rc = kb_fail(err, "%s: the context stage learns from out-of-fold "
                          "predictions over %d folds of documents: it needs at "
                          "least %d documents, not %zu", ds->path,
                     KB_CONTEXT_FOLDS, KB_CONTEXT_FOLDS, docs);
    if (rc == 0 && kb_assign_folds(ds, KB_CONTEXT_FOLDS, o->params.seed, fold))
        rc = kb_fail(err, "out of memory");
    if (rc == 0) {
        kb_progress(o, "context stage: out-of-fold probabilities, %d folds",
                    KB_CONTEXT_FOLDS);
        rc = kb_oof_predict(fz, fold, KB_CONTEXT_FOLDS, o, probs, pred, err);
    }
    for (size_t i = 0; i < n && all; i++)
        all[i] = i;
    if (rc == 0)
        rc = kb_context_fit(fz, probs, all, n, &o->params, m->ctx_w, err);
    free(fold);
    free(pred);
    free(probs);
    free(all);
    return rc;
}

kb_model *kb_train(const kb_dataset *ds, const kb_train_opts *o,
                   kb_error *err)
{
    kb_featurized fz;
    kb_progress(o, "featurising %zu sentences", ds->n);
    if (kb_featurize_dataset(ds, o, &fz, err) != 0)
        return NULL;
    if (check_labels_present(ds, &fz, err) != 0) {
        kb_featurized_free(&fz);
        return NULL;
    }
    kb_progress(o, "training %s, C=%g, on %zu sentences, %d labels",
                kb_solver_name(o->params.solver), o->params.C, fz.n, fz.k);
    kb_model *m = kb_train_rows(&fz, NULL, fz.n, o, err);
    if (m && o->params.context && fit_context(ds, &fz, o, m, err) != 0) {
        kb_model_free(m);
        m = NULL;
    }
    kb_featurized_free(&fz);
    return m;
}
