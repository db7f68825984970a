/*
 * context_fit.c: fits the article-context stage (classify/context.c).
 *
 * The rows are read as articles: runs of consecutive rows with the same
 * doc.  Each row's context features are built from the first stage's
 * out-of-fold probabilities (never from a model that saw the row), and a
 * one-vs-rest logistic regression (liblinear's primal solver, which draws
 * no random numbers) learns how much a sentence's own reading, its
 * neighbours' and its headline's count.
 */
#include "trainer.h"

#include <linear.h>

/* Calls fn for each article among the rows idx[0..n): its rows' indices
 * and their first-stage probabilities gathered in order. */
typedef int (*article_fn)(void *ctx, const size_t *rows, size_t n,
                          const double *probs);

static int each_article(const kb_featurized *fz, const double *probs,
                        const size_t *idx, size_t n, article_fn fn, void *ctx)
{
    size_t k = (size_t)fz->k;
    double *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < n;) {
        size_t b = a + 1;
        while (b < n && fz->doc && strcmp(fz->doc[idx[a]], fz->doc[idx[b]]) == 0)
            b++;
        if (KB_GROW(buf, cap, (b - a) * k) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = a; i < b; i++)
            memcpy(buf + (i - a) * k, probs + idx[i] * k, k * sizeof *buf);
        rc = fn(ctx, idx + a, b - a, buf);
        a = b;
    }
    free(buf);
    return rc;
}

typedef struct fit_state {
    const kb_featurized *fz;
    const kb_params *p;
    struct feature_node *nodes;
    struct problem prob;
    size_t row;
} fit_state;

static int add_article(void *ctx, const size_t *rows, size_t n,
                       const double *probs)
{
    fit_state *st = ctx;
    size_t dim = KB_CTX_DIM((size_t)st->fz->k);
    double f[KB_CTX_DIM(KB_MAX_LABELS)];
    for (size_t i = 0; i < n; i++, st->row++) {
        kb_context_features(probs, n, st->fz->k, i, st->p->context_window, f);
        struct feature_node *x = st->nodes + st->row * (dim + 2);
        size_t m = 0;
        for (size_t c = 0; c < dim; c++)
            if (f[c] != 0)
                x[m++] = (struct feature_node){(int)c + 1, f[c]};
        x[m++] = (struct feature_node){(int)dim + 1, 1.0}; /* bias */
        x[m] = (struct feature_node){-1, 0};
        st->prob.x[st->row] = x;
        st->prob.y[st->row] = st->fz->y[rows[i]];
    }
    return 0;
}

/* liblinear's weights into w (k rows of dim weights and a bias); a label
 * absent from the rows is never predicted. */
static void copy_context_weights(const struct model *lm, int k, size_t dim,
                                 double *w)
{
    for (int lab = 0; lab < k; lab++) {
        double *wl = w + (size_t)lab * (dim + 1);
        memset(wl, 0, (dim + 1) * sizeof *wl);
        wl[dim] = -KB_MAX_BIAS;
    }
    for (int j = 0; j < lm->nr_class; j++) {
        double *wl = w + (size_t)lm->label[j] * (dim + 1);
        for (size_t c = 0; c <= dim; c++)
            wl[c] = get_decfun_coef(lm, (int)c + 1, j);
    }
}

int kb_context_fit(const kb_featurized *fz, const double *probs,
                   const size_t *idx, size_t n, const kb_params *p, double *w,
                   kb_error *err)
{
    if (!fz->doc)
        return kb_fail(err, "the context stage needs a 'doc' column: rows of "
                            "one doc, in file order, are one article");
    size_t dim = KB_CTX_DIM((size_t)fz->k);
    fit_state st = {.fz = fz, .p = p};
    st.nodes = malloc((n ? n : 1) * (dim + 2) * sizeof *st.nodes);
    st.prob.x = malloc((n ? n : 1) * sizeof *st.prob.x);
    st.prob.y = malloc((n ? n : 1) * sizeof *st.prob.y);
    int rc = (!st.nodes || !st.prob.x || !st.prob.y ||
              each_article(fz, probs, idx, n, add_article, &st) != 0)
                 ? kb_fail(err, "out of memory")
                 : 0;
    st.prob.l = (int)n;
    st.prob.n = (int)dim + 1;
    st.prob.bias = -1; /* the bias is feature dim + 1, already in x */
    struct parameter param = {.solver_type = L2R_LR, .C = p->context_C,
                              .eps = 0.01};
    struct model *lm = rc == 0 ? kb_liblinear_train(&st.prob, &param, p->seed)
                               : NULL;
    if (rc == 0 && !lm)
        rc = kb_fail(err, "liblinear: training the context stage failed");
    if (lm) {
        copy_context_weights(lm, fz->k, dim, w);
        free_and_destroy_model(&lm);
    }
    free(st.nodes);
    free(st.prob.x);
    free(st.prob.y);
    return rc;
}

typedef struct apply_state {
    const kb_featurized *fz;
    kb_model m; /* only what kb_context_apply reads */
    int *pred;
} apply_state;

static int predict_article(void *ctx, const size_t *rows, size_t n,
                           const double *probs)
{
    apply_state *st = ctx;
    double *out = malloc(n * (size_t)st->fz->k * sizeof *out);
    int *lab = malloc(n * sizeof *lab);
    int rc = (!out || !lab ||
              kb_context_apply(&st->m, probs, n, out, lab) != 0) ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        st->pred[rows[i]] = lab[i];
    free(out);
    free(lab);
    return rc;
}

int kb_context_predict_rows(const kb_featurized *fz, const double *probs,
                            const size_t *idx, size_t n, const kb_params *p,
                            const double *w, int *pred, kb_error *err)
{
    apply_state *st = calloc(1, sizeof *st);
    if (!st)
        return kb_fail(err, "out of memory");
    st->fz = fz;
    st->pred = pred;
    st->m.k = fz->k;
    st->m.params = *p;
    st->m.ctx_w = (double *)w;
    int rc = each_article(fz, probs, idx, n, predict_article, st);
    free(st);
    return rc ? kb_fail(err, "out of memory") : 0;
}
