/*
 * test_model.c: training, the model file and prediction: a save/load
 * round trip is exact, training is deterministic, cross-validation keeps
 * documents whole, and damaged, foreign or hand-edited model files are
 * refused with a clear message.  Trains on the head of the team's corpus.
 */
#include "testutil.h"
#include "model.h"
#include "trainer.h"
#include "score.h"
#include "featurize.h"

#include <dirent.h>
#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static kb_dataset corpus; /* the first rows of models/corpus/train.tsv */

static int setup(void **state)
{
    (void)state;
    kb_error err;
    if (kb_dataset_read(tu_src("models/corpus/train.tsv"), "topic", &corpus, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    if (corpus.n > 1200)
        corpus.n = 1200; /* the rest stays allocated; freed below */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kb_error err;
    kb_dataset full;
    /* free everything, including rows past the cut */
    if (kb_dataset_read(tu_src("models/corpus/train.tsv"), "topic", &full, &err) == 0) {
        for (size_t i = corpus.n; i < full.n; i++) {
            free(corpus.text[i]);
            free(corpus.label[i]);
            if (corpus.doc)
                free(corpus.doc[i]);
        }
        kb_dataset_free(&full);
    }
    kb_dataset_free(&corpus);
    return 0;
}

static kb_model *train_default(const char *solver)
{
    kb_train_opts o;
    kb_error err;
    kb_train_opts_default(&o);
    if (solver)
        assert_int_equal(kb_solver_parse(solver, &o.params.solver, &err), 0);
    kb_model *m = kb_train(&corpus, &o, &err);
    if (!m)
        fail_msg("%s", err.msg);
    return m;
}

static char *temp_path(void)
{
    char *p = tu_write_temp("", 0, ".model");
    assert_non_null(p);
    return p;
}

/* Removes a temporary file and frees its path. */
static void remove_temp(char *path)
{
    unlink(path);
    free(path);
}

/* Asserts that two files hold the same bytes. */
static void assert_same_bytes(const char *a, const char *b)
{
    size_t la, lb;
    char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
}

static double train_accuracy(const kb_model *m)
{
    kb_error err;
    kb_predictor *p = kb_predictor_new(m, &err);
    double probs[KB_MAX_LABELS];
    size_t ok = 0;
    for (size_t i = 0; i < corpus.n; i++) {
        int y = kb_predict(p, corpus.text[i], strlen(corpus.text[i]), probs, &err);
        double sum = 0;
        for (int j = 0; j < kb_model_n_labels(m); j++) {
            assert_true(probs[j] >= 0 && probs[j] <= probs[y]);
            sum += probs[j];
        }
        assert_true(fabs(sum - 1) < 1e-9);
        ok += strcmp(kb_model_label(m, y), corpus.label[i]) == 0;
    }
    kb_predictor_free(p);
    return (double)ok / (double)corpus.n;
}

static void test_train_learns(void **state)
{
    (void)state;
    kb_model *m = train_default(NULL);
    assert_int_equal(kb_model_n_labels(m), 4);
    assert_true(kb_model_n_rows(m) > 1000);
    assert_true(train_accuracy(m) > 0.9);
    kb_model_free(m);
    m = train_default("l2svm-dual");
    assert_true(train_accuracy(m) > 0.9);
    kb_model_free(m);
}

static void test_round_trip_exact(void **state)
{
    (void)state;
    kb_error err;
    kb_model *m = train_default(NULL);
    char *a = temp_path(), *b = temp_path();
    assert_int_equal(kb_model_save(m, a, &err), 0);
    kb_model *m2 = kb_model_load(a, &err);
    assert_non_null(m2);
    assert_int_equal(kb_model_save(m2, b, &err), 0);
    assert_same_bytes(a, b);
    /* and the loaded model predicts exactly as the trained one */
    kb_predictor *p1 = kb_predictor_new(m, &err), *p2 = kb_predictor_new(m2, &err);
    for (size_t i = 0; i < 200; i++) {
        double x[KB_MAX_LABELS], y[KB_MAX_LABELS];
        const char *t = corpus.text[i];
        assert_int_equal(kb_predict(p1, t, strlen(t), x, &err),
                         kb_predict(p2, t, strlen(t), y, &err));
        assert_memory_equal(x, y, 4 * sizeof(double));
    }
    kb_predictor_free(p1);
    kb_predictor_free(p2);
    remove_temp(a);
    remove_temp(b);
    kb_model_free(m);
    kb_model_free(m2);
}

static void test_deterministic(void **state)
{
    (void)state;
    kb_error err;
    char *a = temp_path(), *b = temp_path();
    kb_model *m = train_default("l2svm-dual"); /* the solver that shuffles */
    assert_int_equal(kb_model_save(m, a, &err), 0);
    kb_model_free(m);
    m = train_default("l2svm-dual");
    assert_int_equal(kb_model_save(m, b, &err), 0);
    kb_model_free(m);
    assert_same_bytes(a, b);
    remove_temp(a);
    remove_temp(b);
}

/* Writes a changed copy of a saved model; `fix` recomputes the checksum. */
static char *variant(const char *src, const char *from, const char *to, int fix)
{
    size_t len;
    char *d = tu_read_file(src, &len);
    char *at = strstr(d, from);
    assert_non_null(at);
    size_t fl = strlen(from), tl = strlen(to);
    char *out = malloc(len + tl + 64);
    size_t n = (size_t)(at - d);
    memcpy(out, d, n);
    memcpy(out + n, to, tl);
    memcpy(out + n + tl, at + fl, len - n - fl);
    n = len - fl + tl;
    if (fix) {
        char *sum = strstr(out, "\nchecksum ");
        size_t body = (size_t)(sum - out) + 1;
        uint64_t h = kb_checksum(out, body);
        n = body + (size_t)sprintf(out + body, "checksum %016llx\n", (unsigned long long)h);
    }
    char *p = tu_write_temp(out, n, ".model");
    free(out);
    free(d);
    return p;
}

static void expect_refused(const char *path, const char *words)
{
    kb_error err;
    kb_model *m = kb_model_load(path, &err);
    if (m)
        fail_msg("model %s was accepted; expected '%s'", path, words);
    assert_non_null(strstr(err.msg, path));
    if (!strstr(err.msg, words))
        fail_msg("message '%s' lacks '%s'", err.msg, words);
}

/* expect_refused on a temporary file, which is then removed. */
static void refused_and_removed(char *path, const char *words)
{
    expect_refused(path, words);
    unlink(path);
    free(path);
}

static void test_bad_model_files(void **state)
{
    (void)state;
    kb_error err;
    kb_model *m = train_default(NULL);
    char *good = temp_path();
    assert_int_equal(kb_model_save(m, good, &err), 0);
    kb_model_free(m);
    size_t len;
    char *data = tu_read_file(good, &len);

    char *p = tu_write_temp(data, len / 2, ".model");
    refused_and_removed(p, "truncated");
    p = tu_write_temp(data, len - 3, ".model");
    refused_and_removed(p, "truncated");
    data[len / 2] ^= 0x01; /* one flipped bit */
    p = tu_write_temp(data, len, ".model");
    refused_and_removed(p, "checksum mismatch");
    const char *lin = "solver_type L2R_LR\nnr_class 2\nlabel 1 -1\nnr_feature 2\nbias -1\nw\n0.1\n0.2\n";
    p = tu_write_temp(lin, strlen(lin), ".model");
    refused_and_removed(p, "plain liblinear");
    p = tu_write_temp("\x7f" "ELF\2\1\1", 7, ".model");
    refused_and_removed(p, "not a khabar model");
    p = tu_write_temp("", 0, ".model");
    refused_and_removed(p, "not a khabar model");
    /* hand edits: caught by the checksum, and by the checks behind it */
    p = variant(good, "\nlabels ", "\nlabels x", 0);
    refused_and_removed(p, "checksum mismatch");
    p = variant(good, "khabar-model 3", "khabar-model 7", 1);
    refused_and_removed(p, "format version 7");
    p = variant(good, "hash_bits 18", "hash_bits 99", 1);
    refused_and_removed(p, ":8: 'hash_bits' must be");
    p = variant(good, "\nlabels ", "\nlabels twice twice ", 1);
    refused_and_removed(p, "duplicate label");
    p = variant(good, "\nrows ", "\nrows 9", 1);
    refused_and_removed(p, "ends before all its rows");
    p = variant(good, "\nbias ", "\nbias -1e308 ", 1); /* all probabilities 0 */
    refused_and_removed(p, "within -1e6..1e6");
    p = variant(good, "\ncontext 0 ", "\ncontext 2 ", 1);
    refused_and_removed(p, ":16: bad context (on: 0 or 1");
    p = variant(good, "\nlead_clause 0 ", "\nlead_clause 99 ", 1);
    refused_and_removed(p, "lead clause of 99 words");
    p = variant(good, "\nC ", "\nC 1e2", 1); /* C 4 becomes 1e24: too large */
    refused_and_removed(p, "must be a number in");
    expect_refused("/nonexistent/topic.model", "cannot open");
    expect_refused("/tmp", "not a regular file");
    free(data);
    unlink(good);
    free(good);
}

static void test_save_is_atomic(void **state)
{
    (void)state;
    kb_error err;
    kb_model *m = train_default(NULL);
    char dir[] = "/tmp/khabar-test-saveXXXXXX";
    assert_non_null(mkdtemp(dir));
    char target[128], inside[160], tmp_glob[160];
    snprintf(target, sizeof target, "%s/topic.model", dir);
    /* the target is a non-empty directory: the rename fails */
    assert_int_equal(mkdir(target, 0755), 0);
    snprintf(inside, sizeof inside, "%s/keep", target);
    FILE *fp = fopen(inside, "w");
    fputs("x", fp);
    fclose(fp);
    assert_int_equal(kb_model_save(m, target, &err), -1);
    assert_non_null(strstr(err.msg, target));
    snprintf(tmp_glob, sizeof tmp_glob, "%s/topic.model.tmp.%ld", dir, (long)getpid());
    struct stat st;
    assert_int_equal(stat(tmp_glob, &st), -1); /* no temporary left behind */
    unlink(inside);
    rmdir(target);
    /* a directory that does not exist */
    snprintf(target, sizeof target, "%s/missing/topic.model", dir);
    assert_int_equal(kb_model_save(m, target, &err), -1);
    assert_non_null(strstr(err.msg, "cannot create"));
    rmdir(dir);
    kb_model_free(m);
}

static void test_label_errors(void **state)
{
    (void)state;
    kb_train_opts o;
    kb_error err;
    kb_train_opts_default(&o);
    static const char *const two[] = {"military", "humanitarian"};
    o.n_labels = 2;
    o.labels = two;
    assert_null(kb_train(&corpus, &o, &err));
    assert_non_null(strstr(err.msg, "unknown label"));
    assert_non_null(strstr(err.msg, "train.tsv:"));
    /* a single-class training set */
    kb_dataset one = corpus;
    size_t i = 0;
    while (i < corpus.n && strcmp(corpus.label[i], corpus.label[0]) == 0)
        i++;
    one.n = i;
    kb_train_opts_default(&o);
    assert_null(kb_train(&one, &o, &err));
    assert_non_null(strstr(err.msg, "only one label"));
}

static void test_cross_validation(void **state)
{
    (void)state;
    kb_train_opts o;
    kb_error err;
    kb_metrics mt;
    char **labels;
    int k;
    kb_train_opts_default(&o);
    assert_int_equal(kb_cross_validate(&corpus, &o, 5, &mt, &labels, &k, &err), 0);
    assert_int_equal(mt.n, corpus.n);
    assert_int_equal(k, 4);
    assert_true(mt.accuracy > 0.6 && mt.accuracy < 1.0);
    assert_true(mt.macro_f1 > 0.5 && mt.macro_f1 <= mt.accuracy + 0.1);
    for (int j = 0; j < k; j++)
        free(labels[j]);
    free(labels);
    kb_metrics_free(&mt);
    assert_int_equal(kb_cross_validate(&corpus, &o, 1, &mt, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "2..100 folds"));
}

/* NB scaling (train --nb): the model learns, its weights are not the
 * plain model's, the setting survives the file exactly, cross-validation
 * runs with it, and a version-2 file (no nb_scale line) loads with it
 * off while a bad value is refused. */
static void test_nb_scale(void **state)
{
    (void)state;
    kb_train_opts o;
    kb_error err;
    kb_train_opts_default(&o);
    assert_int_equal(kb_solver_parse("l2svm-dual", &o.params.solver, &err), 0);
    kb_model *plain = kb_train(&corpus, &o, &err);
    o.params.nb_scale = 1;
    kb_model *nb = kb_train(&corpus, &o, &err);
    assert_non_null(plain);
    assert_non_null(nb);
    assert_true(train_accuracy(nb) > 0.9);
    assert_int_equal(nb->n_rows, plain->n_rows);
    size_t width = (size_t)nb->k + 1, differ = 0;
    for (size_t r = 0; r < nb->n_rows; r++) {
        assert_true(nb->rows[r * width] == plain->rows[r * width]); /* idf */
        for (size_t j = 1; j < width; j++)
            differ += nb->rows[r * width + j] != plain->rows[r * width + j];
    }
    assert_true(differ > nb->n_rows); /* most weights moved */

    char *a = temp_path(), *b = temp_path();
    assert_int_equal(kb_model_save(nb, a, &err), 0);
    kb_model *back = kb_model_load(a, &err);
    assert_non_null(back);
    assert_int_equal(kb_model_params(back)->nb_scale, 1);
    assert_int_equal(kb_model_save(back, b, &err), 0);
    assert_same_bytes(a, b);
    char *da = tu_read_file(a, NULL);
    assert_non_null(strstr(da, "\nnb_scale 1\n"));
    free(da);

    kb_metrics mt;
    assert_int_equal(kb_cross_validate(&corpus, &o, 3, &mt, NULL, NULL, &err), 0);
    assert_int_equal(mt.n, corpus.n);
    assert_true(mt.macro_f1 > 0.5 && mt.macro_f1 < 1.0);
    kb_metrics_free(&mt);

    char *p = variant(a, "\nnb_scale 1", "\nnb_scale 2", 1);
    refused_and_removed(p, "'nb_scale' must be");
    char *v2 = variant(a, "khabar-model 3", "khabar-model 2", 0);
    p = variant(v2, "nb_scale 1\n", "", 1);
    kb_model *old = kb_model_load(p, &err);
    if (!old)
        fail_msg("%s", err.msg);
    assert_int_equal(kb_model_params(old)->nb_scale, 0);
    kb_model_free(old);
    remove_temp(p);
    remove_temp(v2);
    remove_temp(a);
    remove_temp(b);
    kb_model_free(back);
    kb_model_free(nb);
    kb_model_free(plain);
}

static void test_metrics(void **state)
{
    (void)state;
    kb_metrics mt;
    assert_int_equal(kb_metrics_init(&mt, 3), 0);
    int pairs[][2] = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 0}};
    for (size_t i = 0; i < 6; i++)
        kb_metrics_add(&mt, pairs[i][0], pairs[i][1]);
    kb_metrics_finish(&mt);
    assert_true(fabs(mt.accuracy - 4.0 / 6) < 1e-12);
    assert_true(fabs(mt.precision[0] - 2.0 / 3) < 1e-12);
    assert_true(fabs(mt.recall[0] - 2.0 / 3) < 1e-12);
    assert_true(fabs(mt.f1[1] - 0.8) < 1e-12);
    assert_true(fabs(mt.f1[2]) < 1e-12);
    assert_true(fabs(mt.macro_f1 - (2.0 / 3 + 0.8 + 0) / 3) < 1e-12);
    assert_int_equal(mt.confusion[2 * 3 + 0], 1);
    kb_metrics_free(&mt);
}

/* Saving, loading and saving again gives the same bytes. */
static void assert_save_load_exact(const kb_model *m)
{
    kb_error err;
    char *a = temp_path(), *b = temp_path();
    assert_int_equal(kb_model_save(m, a, &err), 0);
    kb_model *back = kb_model_load(a, &err);
    if (!back)
        fail_msg("%s", err.msg);
    assert_int_equal(kb_model_save(back, b, &err), 0);
    size_t la, lb;
    char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    assert_int_equal(kb_model_has_context(back), kb_model_has_context(m));
    free(da);
    free(db);
    kb_model_free(back);
    remove(a);
    remove(b);
    free(a);
    free(b);
}

static void test_context_model(void **state)
{
    (void)state;
    kb_train_opts o;
    kb_error err;
    kb_train_opts_default(&o);
    o.params.context = 1;
    o.params.feat.lead_words = 8;
    kb_model *m = kb_train(&corpus, &o, &err);
    if (!m)
        fail_msg("%s", err.msg);
    assert_true(kb_model_has_context(m));
    assert_save_load_exact(m);
    /* an article's probabilities, read in context: still probabilities,
     * and the stage changes them */
    kb_predictor *p = kb_predictor_new(m, &err);
    size_t k = (size_t)kb_model_n_labels(m), n = 0;
    double probs[12 * 4], out[12 * 4];
    assert_int_equal(k, 4);
    for (size_t i = 0; i < corpus.n && n < 12; i++)
        if (strcmp(corpus.doc[i], corpus.doc[0]) == 0)
            assert_true(kb_predict(p, corpus.text[i], strlen(corpus.text[i]),
                                   probs + n++ * k, &err) >= 0);
    assert_true(n >= 3);
    int labels[12];
    assert_int_equal(kb_context_apply(m, probs, n, out, labels), 0);
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < k; j++) {
            assert_true(out[i * k + j] >= 0 && out[i * k + j] <= 1);
            sum += out[i * k + j];
            changed |= fabs(out[i * k + j] - probs[i * k + j]) > 1e-6;
        }
        assert_true(fabs(sum - 1) < 1e-9);
        assert_true(labels[i] >= 0 && labels[i] < 4);
    }
    assert_true(changed);
    kb_predictor_free(p);
    kb_model_free(m);
    /* without a doc column there are no articles to learn from */
    kb_dataset nodoc = corpus;
    nodoc.doc = NULL;
    assert_null(kb_train(&nodoc, &o, &err));
    assert_non_null(strstr(err.msg, "'doc' column"));
}

static void test_context_cv(void **state)
{
    (void)state;
    kb_train_opts o;
    kb_error err;
    kb_metrics plain, ctx;
    kb_train_opts_default(&o);
    assert_int_equal(kb_cross_validate(&corpus, &o, 3, &plain, NULL, NULL, &err), 0);
    o.params.context = 1;
    assert_int_equal(kb_cross_validate(&corpus, &o, 3, &ctx, NULL, NULL, &err), 0);
    assert_int_equal(ctx.n, corpus.n);
    assert_true(ctx.macro_f1 > 0.5);
    /* the context stage reads other sentences: its predictions differ */
    assert_true(memcmp(ctx.confusion, plain.confusion,
                       16 * sizeof *ctx.confusion) != 0);
    kb_metrics_free(&plain);
    kb_metrics_free(&ctx);
}

/* kb_explain on the shipped topic model and dev sentences: the label is
 * kb_predict's, the pushes are sorted, every known n-gram is there once,
 * and the pushes plus the biases add up to the two decision values'
 * difference, as scoring computes them. */
static void test_explain(void **state)
{
    (void)state;
    kb_error err;
    kb_model *m = kb_model_load(tu_src("models/topic.model"), &err);
    assert_non_null(m);
    kb_dataset ds;
    assert_int_equal(kb_dataset_read(tu_src("models/corpus/dev.tsv"), "topic", &ds, &err), 0);
    kb_predictor *p = kb_predictor_new(m, &err);
    kb_normalizer *nz = kb_normalizer_new(kb_model_params(m)->norm, &err);
    assert_non_null(p);
    assert_non_null(nz);
    kb_counts c = {0};
    for (size_t i = 0; i < ds.n; i += 37) {
        const char *t = ds.text[i];
        double probs[KB_MAX_LABELS], dec[KB_MAX_LABELS];
        int label = kb_predict(p, t, strlen(t), probs, &err);
        kb_explanation ex;
        assert_int_equal(kb_explain(p, t, strlen(t), -1, &ex, &err), 0);
        assert_int_equal(ex.label, label);
        assert_true(ex.versus != ex.label);
        for (int j = 0; j < m->k; j++)
            if (j != ex.label)
                assert_true(probs[j] <= probs[ex.versus]);
        size_t nlen, known;
        const char *nt = kb_normalize(nz, t, strlen(t), &nlen, &err);
        assert_int_equal(kb_count_features(&kb_model_params(m)->feat, nt, nlen, &c, 0), 0);
        kb_score_counts(m, &c, dec, probs, &known);
        assert_int_equal(ex.n, known);
        double sum = 0;
        for (size_t k = 0; k < ex.n; k++) {
            sum += ex.pushes[k].push;
            assert_true(ex.pushes[k].text[0] != '\0');
            if (k)
                assert_true(ex.pushes[k - 1].push >= ex.pushes[k].push);
        }
        double want = (dec[ex.label] - dec[ex.versus]) -
                      (m->bias[ex.label] - m->bias[ex.versus]);
        assert_true(fabs(sum - want) < 1e-6 * (1 + fabs(want)));
        kb_explanation_free(&ex);
    }
    /* --versus: the pushes compare with the label asked for */
    kb_explanation ex;
    assert_int_equal(kb_explain(p, ds.text[0], strlen(ds.text[0]), 3, &ex, &err), 0);
    assert_true(ex.label == 3 || ex.versus == 3);
    kb_explanation_free(&ex);
    kb_counts_free(&c);
    kb_normalizer_free(nz);
    kb_predictor_free(p);
    kb_dataset_free(&ds);
    kb_model_free(m);
}

/* Scores text both ways: kb_predict (raw buckets in one pass) and the
 * reference (count, then kb_score_counts).  The decision values agree to
 * rounding, and so do the label and the known n-grams. */
static void check_one_pass(kb_predictor *p, kb_normalizer *nz, kb_counts *c,
                           const kb_model *m, const char *t, size_t len,
                           size_t *n_checked)
{
    kb_error err;
    double probs[KB_MAX_LABELS], ref_probs[KB_MAX_LABELS], ref_dec[KB_MAX_LABELS];
    size_t nlen, known;
    const char *nt = kb_normalize(nz, t, len, &nlen, &err);
    if (!nt)
        return; /* not text: both paths refuse it alike */
    assert_int_equal(kb_count_features(&kb_model_params(m)->feat, nt, nlen, c, 0), 0);
    int ref = kb_score_counts(m, c, ref_dec, ref_probs, &known);
    int got = kb_predict(p, t, len, probs, &err);
    assert_true(got >= 0);
    for (int j = 0; j < m->k; j++)
        assert_true(fabs(p->dec[j] - ref_dec[j]) < 1e-9 * (1 + fabs(ref_dec[j])));
    if (got != ref) /* only a tie to rounding may differ */
        assert_true(fabs(ref_dec[got] - ref_dec[ref]) < 1e-9);
    assert_int_equal(kb_predictor_evidence(p).known, known);
    (*n_checked)++;
}

/* One-pass scoring against the reference on both shipped models: every
 * corpus sentence, the seed articles' sentences (when ../shared is there)
 * and the normaliser's and segmenter's fuzz corpora (any bytes). */
static void test_one_pass_scoring(void **state)
{
    (void)state;
    static const char *models[] = {"models/topic.model", "models/stance.model"};
    static const char *fuzz_dirs[] = {"fuzz/corpus/normalize", "fuzz/corpus/segment"};
    kb_error err;
    kb_dataset train, dev;
    assert_int_equal(kb_dataset_read(tu_src("models/corpus/train.tsv"), "topic", &train, &err), 0);
    assert_int_equal(kb_dataset_read(tu_src("models/corpus/dev.tsv"), "topic", &dev, &err), 0);
    for (size_t mi = 0; mi < 2; mi++) {
        kb_model *m = kb_model_load(tu_src(models[mi]), &err);
        assert_non_null(m);
        kb_predictor *p = kb_predictor_new(m, &err);
        kb_normalizer *nz = kb_normalizer_new(kb_model_params(m)->norm, &err);
        assert_non_null(p);
        assert_non_null(nz);
        kb_counts c = {0};
        size_t n = 0;
        for (size_t i = 0; i < train.n; i++)
            check_one_pass(p, nz, &c, m, train.text[i], strlen(train.text[i]), &n);
        for (size_t i = 0; i < dev.n; i++)
            check_one_pass(p, nz, &c, m, dev.text[i], strlen(dev.text[i]), &n);
        assert_int_equal(n, train.n + dev.n);
        if (tu_have_seeds()) {
            kb_dataset seeds;
            assert_int_equal(kb_dataset_read(tu_seeds("sentences.tsv"), "topic", &seeds, &err), 0);
            for (size_t i = 0; i < seeds.n; i++)
                check_one_pass(p, nz, &c, m, seeds.text[i], strlen(seeds.text[i]), &n);
            kb_dataset_free(&seeds);
        }
        for (size_t d = 0; d < 2; d++) {
            DIR *dir = opendir(tu_src(fuzz_dirs[d]));
            assert_non_null(dir);
            size_t before = n;
            for (struct dirent *e; (e = readdir(dir));) {
                if (e->d_name[0] == '.')
                    continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", tu_src(fuzz_dirs[d]), e->d_name);
                size_t len;
                char *bytes = tu_read_file(path, &len);
                assert_non_null(bytes);
                check_one_pass(p, nz, &c, m, bytes, len, &n);
                free(bytes);
            }
            closedir(dir);
            assert_true(n > before);
        }
        kb_counts_free(&c);
        kb_normalizer_free(nz);
        kb_predictor_free(p);
        kb_model_free(m);
    }
    kb_dataset_free(&train);
    kb_dataset_free(&dev);
}

/* The model reader's fast float parser against strtof: every idf and
 * weight of both shipped models, as loaded, equals strtof of its text. */
/* Files in dir (not . and ..). */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void assert_same_model(const kb_model *a, const kb_model *b)
{
    assert_int_equal(a->k, b->k);
    assert_int_equal(a->n_rows, b->n_rows);
    assert_memory_equal(a->row_bucket, b->row_bucket,
                        a->n_rows * sizeof *a->row_bucket);
    assert_memory_equal(a->rows, b->rows,
                        a->n_rows * ((size_t)a->k + 1) * sizeof *a->rows);
    assert_memory_equal(a->rank, b->rank,
                        KB_SPACE_SIZE(&a->params.feat) / 64 * sizeof *a->rank);
    assert_memory_equal(a->bias, b->bias, (size_t)a->k * sizeof *a->bias);
    assert_memory_equal(&a->params, &b->params, sizeof a->params);
    assert_int_equal(a->ctx_w != NULL, b->ctx_w != NULL);
    if (a->ctx_w)
        assert_memory_equal(a->ctx_w, b->ctx_w, (size_t)a->k *
                            (KB_CTX_DIM((size_t)a->k) + 1) * sizeof *a->ctx_w);
}

/* The rows' cache (model_cache.c) on a copy of the shipped topic model:
 * written after a slow load, read by the next, equal to the parsed model;
 * a damaged cache, an edited model, a model too new to trust and a cache
 * turned off all fall back to parsing. */
static void test_rows_cache(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_read_file(tu_src("models/topic.model"), &len);
    assert_non_null(text);
    char *model = tu_write_temp(text, len, ".model");
    char dir[] = "/tmp/kbcache-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("KHABAR_CACHE_DIR", dir, 1);
    struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
    assert_int_equal(utimensat(AT_FDCWD, model, old, 0), 0);
    kb_error err;
    kb_model *parsed = kb_model_load(model, &err);
    assert_non_null(parsed);
    assert_int_equal(kb_model_from_cache(parsed), 0);
    assert_int_equal(count_files(dir), 1);
    kb_model *cached = kb_model_load(model, &err);
    assert_non_null(cached);
    assert_int_equal(kb_model_from_cache(cached), 1);
    assert_same_model(parsed, cached);
    kb_model_free(cached);

    /* a damaged cache is a miss, and is written again */
    struct dirent *e;
    DIR *d = opendir(dir);
    while ((e = readdir(d)) && e->d_name[0] == '.')
        ;
    char cache[512];
    snprintf(cache, sizeof cache, "%s/%s", dir, e->d_name);
    closedir(d);
    FILE *f = fopen(cache, "r+b");
    assert_non_null(f);
    fseek(f, 5000000, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 5000000, SEEK_SET);
    fputc(c ^ 1, f);
    fclose(f);
    cached = kb_model_load(model, &err);
    assert_non_null(cached);
    assert_int_equal(kb_model_from_cache(cached), 0);
    assert_same_model(parsed, cached);
    kb_model_free(cached);
    cached = kb_model_load(model, &err);
    assert_int_equal(kb_model_from_cache(cached), 1);
    kb_model_free(cached);

    /* a cache others may write is not trusted (and is written again) */
    assert_int_equal(chmod(cache, 0666), 0);
    cached = kb_model_load(model, &err);
    assert_int_equal(kb_model_from_cache(cached), 0);
    kb_model_free(cached);
    struct stat st;
    assert_int_equal(stat(cache, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* an edited model is parsed again, and its damage reported */
    char *row = strstr(text, "\ndata\n") + 6, was = row[0];
    row[0] = was == '1' ? '2' : '1';
    f = fopen(model, "r+b");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    expect_refused(model, "checksum mismatch");
    row[0] = was;

    /* a model modified just now is not cached; the empty dir turns it off */
    char *fresh = tu_write_temp(text, len, ".model");
    kb_model *m = kb_model_load(fresh, &err);
    assert_non_null(m);
    kb_model_free(m);
    assert_int_equal(count_files(dir), 1);
    setenv("KHABAR_CACHE_DIR", "", 1);
    assert_int_equal(utimensat(AT_FDCWD, fresh, old, 0), 0);
    m = kb_model_load(fresh, &err);
    assert_int_equal(kb_model_from_cache(m), 0);
    kb_model_free(m);
    assert_int_equal(count_files(dir), 1);
    unsetenv("KHABAR_CACHE_DIR");

    kb_model_free(parsed);
    unlink(cache);
    rmdir(dir);
    unlink(model);
    unlink(fresh);
    free(model);
    free(fresh);
    free(text);
}

static void test_floats_as_strtof(void **state)
{
    (void)state;
    static const char *models[] = {"models/topic.model", "models/stance.model"};
    kb_error err;
    for (size_t mi = 0; mi < 2; mi++) {
        kb_model *m = kb_model_load(tu_src(models[mi]), &err);
        assert_non_null(m);
        size_t len;
        char *text = tu_read_file(tu_src(models[mi]), &len);
        assert_non_null(text);
        char *p = strstr(text, "\ndata\n");
        assert_non_null(p);
        p += 6;
        size_t width = (size_t)m->k + 1;
        for (size_t r = 0; r < m->n_rows; r++) {
            char *end;
            assert_int_equal(strtoul(p, &end, 10), m->row_bucket[r]);
            p = end;
            for (size_t j = 0; j < width; j++) {
                float want = strtof(p, &end);
                assert_true(end != p);
                assert_true(memcmp(&want, &m->rows[r * width + j], sizeof want) == 0);
                p = end;
            }
            assert_true(*p == '\n');
            p++;
        }
        free(text);
        kb_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_learns),   cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_deterministic),  cmocka_unit_test(test_bad_model_files),
        cmocka_unit_test(test_save_is_atomic), cmocka_unit_test(test_label_errors),
        cmocka_unit_test(test_cross_validation), cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_context_model), cmocka_unit_test(test_context_cv),
        cmocka_unit_test(test_explain), cmocka_unit_test(test_one_pass_scoring),
        cmocka_unit_test(test_floats_as_strtof), cmocka_unit_test(test_rows_cache),
        cmocka_unit_test(test_nb_scale),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
