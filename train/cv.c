/*
 * cv.c: k-fold cross-validation and the search for C.
 *
 * Folds are made of whole documents when the data has a `doc` column, so
 * that sentences of one article never sit on both sides of a split (they
 * share names and wording, and would flatter the score).  Documents are
 * shuffled with the seed, so the folds are reproducible.  Each fold learns
 * its own vocabulary and idf from its training rows only.
 */
#include "trainer.h"

#include <math.h>
#include <stdio.h>

typedef struct doc_row {
    const char *doc;
    size_t row;
} doc_row;

static int cmp_doc_row(const void *a, const void *b)
{
    const doc_row *x = a, *y = b;
    int c = strcmp(x->doc, y->doc);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* group[i]: the row's document, numbered in order of first appearance
 * (each row its own group without a doc column).  Sorting by document
 * keeps this O(n log n) whatever the number of documents. */
static int group_rows(const kb_dataset *ds, size_t *group, size_t *ngroups)
{
    size_t n = ds->n;
    *ngroups = 0;
    if (!ds->doc) {
        for (size_t i = 0; i < n; i++)
            group[i] = i;
        *ngroups = n;
        return 0;
    }
    doc_row *by_doc = malloc((n ? n : 1) * sizeof *by_doc);
    if (!by_doc)
        return -1;
    for (size_t i = 0; i < n; i++)
        by_doc[i] = (doc_row){ds->doc[i], i};
    qsort(by_doc, n, sizeof *by_doc, cmp_doc_row);
    for (size_t a = 0; a < n;) { /* group[i] = the document's first row */
        size_t b = a + 1;
        while (b < n && strcmp(by_doc[a].doc, by_doc[b].doc) == 0)
            b++;
        for (size_t j = a; j < b; j++)
            group[by_doc[j].row] = by_doc[a].row;
        a = b;
    }
    free(by_doc);
    for (size_t i = 0; i < n; i++) /* first rows, renumbered in order */
        group[i] = group[i] == i ? (*ngroups)++ : group[group[i]];
    return 0;
}

/* fold[i] for every row: documents (or single rows) dealt round-robin
 * after a seeded shuffle. */
int kb_assign_folds(const kb_dataset *ds, int k, uint64_t seed, int *fold)
{
    size_t n = ds->n;
    size_t *group = malloc((n ? n : 1) * sizeof *group);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!group || !order) {
        free(group);
        free(order);
        return -1;
    }
    size_t ngroups;
    if (group_rows(ds, group, &ngroups) != 0) {
        free(group);
        free(order);
        return -1;
    }
    for (size_t g = 0; g < ngroups; g++)
        order[g] = g;
    uint64_t st = seed;
    for (size_t g = ngroups; g > 1; g--) {
        size_t j = (size_t)(kb_rand_next(&st) % g);
        size_t t = order[g - 1];
        order[g - 1] = order[j];
        order[j] = t;
    }
    int *fold_of_group = malloc((ngroups ? ngroups : 1) * sizeof *fold_of_group);
    if (!fold_of_group) {
        free(group);
        free(order);
        return -1;
    }
    for (size_t p = 0; p < ngroups; p++)
        fold_of_group[order[p]] = (int)(p % (size_t)k);
    for (size_t i = 0; i < n; i++)
        fold[i] = fold_of_group[group[i]];
    free(fold_of_group);
    free(group);
    free(order);
    return 0;
}

static void predict_rows(const kb_model *m, const kb_featurized *fz,
                         const size_t *idx, size_t n, double *probs, int *pred)
{
    double dec[KB_MAX_LABELS];
    size_t k = (size_t)m->k;
    for (size_t i = 0; i < n; i++)
        pred[idx[i]] = kb_score_counts(m, &fz->rows[idx[i]], dec,
                                       probs + idx[i] * k, NULL);
}

/* Splits the rows into those of fold f (te) and the others (tr). */
static void split_fold(const int *fold, size_t n, int f, size_t *tr,
                       size_t *ntr, size_t *te, size_t *nte)
{
    *ntr = *nte = 0;
    for (size_t i = 0; i < n; i++) {
        if (fold[i] == f)
            te[(*nte)++] = i;
        else
            tr[(*ntr)++] = i;
    }
}

int kb_oof_predict(const kb_featurized *fz, const int *fold, int folds,
                   const kb_train_opts *o, double *probs, int *pred,
                   kb_error *err)
{
    size_t *tr = malloc(fz->n * sizeof *tr), *te = malloc(fz->n * sizeof *te);
    int rc = (!tr || !te) ? kb_fail(err, "out of memory") : 0;
    for (int f = 0; rc == 0 && f < folds; f++) {
        size_t ntr, nte;
        split_fold(fold, fz->n, f, tr, &ntr, te, &nte);
        if (nte == 0)
            continue;
        kb_progress(o, "  fold %d/%d: train %zu, test %zu", f + 1, folds, ntr,
                    nte);
        kb_model *m = kb_train_rows(fz, tr, ntr, o, err);
        if (m)
            predict_rows(m, fz, te, nte, probs, pred);
        else
            rc = -1;
        kb_model_free(m);
    }
    free(tr);
    free(te);
    return rc;
}

/* The context stage on out-of-fold probabilities: for each fold, fitted
 * on the other folds' rows, applied to the fold's articles. */
static int context_folds(const kb_featurized *fz, const int *fold, int folds,
                         const kb_params *p, const double *probs, int *pred,
                         kb_error *err)
{
    size_t dim = KB_CTX_DIM((size_t)fz->k) + 1;
    size_t *tr = malloc(fz->n * sizeof *tr), *te = malloc(fz->n * sizeof *te);
    double *w = malloc((size_t)fz->k * dim * sizeof *w);
    int rc = (!tr || !te || !w) ? kb_fail(err, "out of memory") : 0;
    for (int f = 0; rc == 0 && f < folds; f++) {
        size_t ntr, nte;
        split_fold(fold, fz->n, f, tr, &ntr, te, &nte);
        if (nte == 0)
            continue;
        rc = kb_context_fit(fz, probs, tr, ntr, p, w, err);
        if (rc == 0)
            rc = kb_context_predict_rows(fz, probs, te, nte, p, w, pred, err);
    }
    free(tr);
    free(te);
    free(w);
    return rc;
}

static int cv_on_features(const kb_dataset *ds, const kb_featurized *fz,
                          const kb_train_opts *o, int folds, kb_metrics *mt,
                          kb_error *err)
{
    size_t n = ds->n;
    memset(mt, 0, sizeof *mt);
    int *fold = malloc(n * sizeof *fold), *pred = malloc(n * sizeof *pred);
    double *probs = malloc(n * (size_t)fz->k * sizeof *probs);
    int rc = 0;
    if (!fold || !pred || !probs ||
        kb_assign_folds(ds, folds, o->params.seed, fold) != 0 ||
        kb_metrics_init(mt, fz->k) != 0)
        rc = kb_fail(err, "out of memory");
    else if ((rc = kb_oof_predict(fz, fold, folds, o, probs, pred, err)) == 0 &&
             o->params.context)
        rc = context_folds(fz, fold, folds, &o->params, probs, pred, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        kb_metrics_add(mt, fz->y[i], pred[i]);
    free(fold);
    free(pred);
    free(probs);
    if (rc != 0) {
        kb_metrics_free(mt);
        return -1;
    }
    kb_metrics_finish(mt);
    return 0;
}

static int check_folds(const kb_dataset *ds, int folds, kb_error *err)
{
    if (folds < 2 || folds > 100)
        return kb_fail(err, "cross-validation needs 2..100 folds, not %d",
                       folds);
    if ((size_t)folds > ds->n)
        return kb_fail(err, "%s: %zu sentences are too few for %d folds",
                       ds->path, ds->n, folds);
    size_t *group = malloc((ds->n ? ds->n : 1) * sizeof *group), ngroups = 0;
    if (!group || group_rows(ds, group, &ngroups) != 0) {
        free(group);
        return kb_fail(err, "out of memory");
    }
    free(group);
    if (ngroups < (size_t)folds)
        return kb_fail(err, "%s: %zu documents are too few for %d folds (folds "
                            "keep documents whole)", ds->path, ngroups, folds);
    return 0;
}

/* A copy of the label names, for the caller. */
static int copy_labels(const kb_featurized *fz, char ***out, int *k_out,
                       kb_error *err)
{
    char **l = calloc((size_t)fz->k, sizeof *l);
    for (int j = 0; l && j < fz->k; j++)
        if (!(l[j] = kb_strdup(fz->labels[j]))) {
            while (j-- > 0)
                free(l[j]);
            free(l);
            l = NULL;
        }
    if (!l)
        return kb_fail(err, "out of memory");
    *out = l;
    if (k_out)
        *k_out = fz->k;
    return 0;
}

int kb_cross_validate(const kb_dataset *ds, const kb_train_opts *o, int folds,
                      kb_metrics *mt, char ***labels_out, int *k_out,
                      kb_error *err)
{
    kb_featurized fz;
    if (check_folds(ds, folds, err) != 0 ||
        kb_featurize_dataset(ds, o, &fz, err) != 0)
        return -1;
    int rc = cv_on_features(ds, &fz, o, folds, mt, err);
    if (rc == 0 && labels_out && copy_labels(&fz, labels_out, k_out, err) != 0) {
        kb_metrics_free(mt);
        rc = -1;
    }
    kb_featurized_free(&fz);
    return rc;
}

#define KB_C_TIE 1e-4
/* The search stops once this many larger Cs in a row have not beaten the
 * best: CV macro-F1 over C rises to one peak and falls (every build of
 * the shipped models logged it so), and the largest Cs take the solver
 * longest, so the rest of the grid would cost most and change nothing. */
#define KB_C_PATIENCE 2

int kb_search_c(const kb_dataset *ds, const kb_train_opts *o, int folds,
                kb_cv_result *res, kb_error *err)
{
    static const double grid[] = {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64};
    kb_featurized fz;
    memset(res, 0, sizeof *res);
    if (check_folds(ds, folds, err) != 0 ||
        kb_featurize_dataset(ds, o, &fz, err) != 0)
        return -1;
    res->macro_f1 = -1;
    int rc = 0, worse = 0;
    size_t n_grid = sizeof grid / sizeof grid[0];
    for (size_t g = 0; rc == 0 && g < n_grid; g++) {
        if (worse == KB_C_PATIENCE) {
            kb_progress(o, "C=%g and C=%g did not beat C=%g: the larger Cs "
                           "are not tried", grid[g - 2], grid[g - 1],
                        res->best_C);
            break;
        }
        kb_train_opts t = *o;
        t.params.C = grid[g];
        kb_metrics mt;
        rc = cv_on_features(ds, &fz, &t, folds, &mt, err);
        if (rc != 0)
            break;
        kb_progress(o, "C=%g: accuracy %.4f, macro-F1 %.4f", t.params.C,
                    mt.accuracy, mt.macro_f1);
        /* a larger C must beat the best so far by more than a tie at the
         * printed precision (1e-4): ties go to the stronger
         * regularisation, which generalises better off the corpus */
        if (mt.macro_f1 > res->macro_f1 + KB_C_TIE) {
            res->best_C = t.params.C;
            res->macro_f1 = mt.macro_f1;
            res->accuracy = mt.accuracy;
            kb_metrics_free(&res->metrics);
            res->metrics = mt;
            worse = 0;
        } else {
            kb_metrics_free(&mt);
            worse++;
        }
    }
    if (rc == 0)
        rc = copy_labels(&fz, &res->labels, NULL, err);
    kb_featurized_free(&fz);
    if (rc != 0)
        kb_cv_result_free(res);
    return rc;
}

void kb_cv_result_free(kb_cv_result *r)
{
    for (int j = 0; r->labels && j < r->metrics.k; j++)
        free(r->labels[j]);
    free(r->labels);
    kb_metrics_free(&r->metrics);
    memset(r, 0, sizeof *r);
}
