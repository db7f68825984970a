/*
 * khabar.h: the public interface of libkhabar, the core of the khabar
 * toolkit that labels every sentence of Arabic news by topic or stance.
 *
 * Data flows one way: text -> normalised text -> sentences -> features ->
 * model -> labels.  Each stage is an opaque object with a constructor, a
 * destructor and one or two calls; every call that can fail returns 0 on
 * success and -1 on failure with a one-line message in a kb_error.  The
 * library never prints and never exits: reporting is the caller's job.
 */
#ifndef KHABAR_H
#define KHABAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports (it is built with hidden visibility). */
#if defined(__GNUC__)
#define KB_API __attribute__((visibility("default")))
#else
#define KB_API
#endif

#define KB_VERSION "2.0.0"
/* The library's version, as KB_VERSION; a program linked against a shared
 * libkhabar may differ from the header it was compiled with. */
KB_API const char *kb_version(void);
#define KB_MODEL_FORMAT_VERSION 3

/* Limits (documented in README.md). */
#define KB_MAX_LABELS 64          /* classes in one model */
#define KB_MAX_LABEL_LEN 64       /* bytes in one label name, NUL included */
#define KB_MAX_SENTENCE_BYTES 16384 /* longer sentences are split */
#define KB_MAX_MODEL_BYTES (1u << 30) /* largest model file loaded */
#define KB_MIN_C 1e-6             /* the cost C a model may have */
#define KB_MAX_C 1e6

typedef struct kb_error {
    char msg[1024];
} kb_error;

/* ---------------------------------------------------------------- text */

/* Normalisation steps; each is named in model files and on the CLI. */
enum {
    KB_NORM_NFKC = 1u << 0,       /* Unicode NFKC (presentation forms) */
    KB_NORM_IGNORABLES = 1u << 1, /* drop default-ignorables (ZWNJ, BOM) */
    KB_NORM_DIACRITICS = 1u << 2, /* drop Arabic marks (tashkeel) */
    KB_NORM_TATWEEL = 1u << 3,    /* drop tatweel U+0640 */
    KB_NORM_ALEF = 1u << 4,       /* fold alef variants to bare alef */
    KB_NORM_YAA = 1u << 5,        /* fold alef maqsura to yaa */
    KB_NORM_TAA = 1u << 6,        /* fold taa marbuta to haa */
    KB_NORM_DIGITS = 1u << 7,     /* every decimal digit to ASCII */
    KB_NORM_CASE = 1u << 8,       /* Unicode case folding */
    KB_NORM_SPACE = 1u << 9       /* white space runs to one space, trim */
};
#define KB_NORM_ALL 0x3ffu

/* "all", "none" or a comma list such as "nfkc,diacritics,alef". */
KB_API int kb_norm_parse(const char *names, unsigned *flags, kb_error *err);
/* Writes the comma list for flags ("none" when 0). */
KB_API void kb_norm_format(unsigned flags, char *out, size_t cap);
/* Writes every step's name, comma-separated (kb_norm_format of all). */
#define kb_norm_names(out, cap) kb_norm_format(KB_NORM_ALL, (out), (cap))

typedef struct kb_normalizer kb_normalizer;
KB_API kb_normalizer *kb_normalizer_new(unsigned flags, kb_error *err);
KB_API void kb_normalizer_free(kb_normalizer *nz);
/* Normalises len bytes of valid UTF-8.  The result is owned by nz and
 * valid until the next call. */
KB_API const char *kb_normalize(kb_normalizer *nz, const char *text, size_t len,
                         size_t *out_len, kb_error *err);

/* Copies text into a fresh buffer (caller frees), replacing every invalid
 * UTF-8 sequence and NUL byte with U+FFFD; *n_bad counts replacements. */
KB_API char *kb_utf8_repair(const char *text, size_t len, size_t *out_len,
                     size_t *n_bad);

typedef struct kb_span {
    size_t start; /* byte offset into the text */
    size_t len;   /* byte length, surrounding white space trimmed */
} kb_span;

/* 1 when text holds only white space, controls and default-ignorable
 * (invisible) characters: nothing to label.  ICU decides. */
KB_API int kb_text_blank(const char *text, size_t len);
/* 1 when the text has a letter of the Arabic script (ICU's script data). */
KB_API int kb_text_has_arabic(const char *text, size_t len);

typedef struct kb_segmenter kb_segmenter;
KB_API kb_segmenter *kb_segmenter_new(kb_error *err);
KB_API void kb_segmenter_free(kb_segmenter *sg);
/* Splits valid UTF-8 text into sentences.  Line breaks always end a
 * sentence.  The spans are owned by sg and valid until the next call. */
KB_API int kb_segment(kb_segmenter *sg, const char *text, size_t len,
               const kb_span **spans, size_t *n_spans, kb_error *err);

/* ------------------------------------------------------------- features */

typedef struct kb_feature_opts {
    int char_min, char_max; /* character n-gram lengths, word-bounded */
    int word_max;           /* word n-grams 1..word_max (0: none) */
    int hash_bits;          /* feature space is 2^hash_bits buckets */
    int min_df;             /* buckets seen in fewer training sentences dropped */
    int sublinear_tf;       /* 1: weight 1+ln(tf); 0: raw tf */
    /* The lead clause (the text up to the first comma, colon or
     * semicolon, at most lead_words words) gets a second feature space
     * of its own, normalised apart and weighed lead_weight against the
     * whole sentence: Arabic news states the main event first.  0: off. */
    int lead_words;
    double lead_weight;
} kb_feature_opts;

/* Buckets of a feature space of 2^hash_bits: twice that with a lead
 * space (its buckets are the upper half). */
#define KB_SPACE_SIZE(o) ((size_t)1 << ((o)->hash_bits + ((o)->lead_words > 0)))

KB_API void kb_feature_opts_default(kb_feature_opts *o);
KB_API int kb_feature_opts_check(const kb_feature_opts *o, kb_error *err);

/* Near-duplicate sentences, for checking a corpus: pairs whose
 * normalised character 5-gram sets have Jaccard similarity >= threshold
 * (1.0: the same letters once punctuation, spacing and spelling variants
 * are folded).  Candidates come from MinHash with banding (LSH), every
 * candidate is then measured exactly.  *pairs is malloc'ed (a < b). */
typedef struct kb_dup_pair {
    size_t a, b;
    double similarity;
} kb_dup_pair;
KB_API int kb_find_duplicates(const char *const *texts, size_t n, double threshold,
                       kb_dup_pair **pairs, size_t *n_pairs, kb_error *err);

/* ------------------------------------------------------------- dataset */

typedef struct kb_dataset {
    size_t n;
    char **text;   /* sentence text as read */
    char **label;  /* label as read */
    char **doc;    /* document id, or NULL when the file has no doc column */
    size_t *line;  /* 1-based line number in the file */
    char *path;    /* file the rows came from */
} kb_dataset;

/* Reads a TSV with a header row; label_col names the label column (NULL:
 * none, every label is ""), "text" the text, "doc" (optional) the
 * document. */
KB_API int kb_dataset_read(const char *path, const char *label_col, kb_dataset *ds,
                    kb_error *err);
KB_API void kb_dataset_free(kb_dataset *ds);

/* ---------------------------------------------------------------- model */

typedef struct kb_model kb_model;

/* What a model is trained with and saves in its file: the hyper-
 * parameters.  kb_params_default() gives the shipped defaults. */
typedef struct kb_params {
    unsigned norm;        /* KB_NORM_* flags */
    kb_feature_opts feat;
    int solver;           /* liblinear solver_type; default lr-dual */
    double C;             /* cost */
    double eps;           /* stopping tolerance (0: liblinear's default) */
    uint64_t seed;        /* folds and the dual solvers' shuffling */
    /* Article context: a second stage reads each sentence's label
     * probabilities with those of its neighbours (context_window on each
     * side), the previous and next sentence and the article's first
     * sentence (its headline), and is fitted by logistic regression (cost
     * context_C) on out-of-fold probabilities of the training articles
     * (rows of one doc, in file order).  0: off. */
    int context;
    int context_window;
    double context_C;
    /* Per-label cost factors (liblinear's weight_label/weight: C times
     * the factor for that label's sentences), as "label=factor,..." ;
     * "" for none.  Raises a rare label's recall. */
    char class_weights[256];
    /* 1: each label's classifier is trained on features scaled by their
     * naive Bayes log-count ratios for that label (NBSVM, Wang and
     * Manning 2012); the ratios are folded into the weights, so
     * classifying is unchanged.  0: off. */
    int nb_scale;
} kb_params;

KB_API void kb_params_default(kb_params *p);
/* Checks every field against the limits the model loader enforces. */
KB_API int kb_params_check(const kb_params *p, kb_error *err);

/* One training run: the parameters, which column holds the labels, and
 * run-time choices that the model does not keep. */
typedef struct kb_train_opts {
    const char *task;     /* the label column's name, kept as the model's task */
    kb_params params;
    /* Optional fixed label set, in this order; 0 means every label the
     * data holds, in order of first appearance.  With a fixed set, an
     * unknown label in the data is an error. */
    int n_labels;
    const char *const *labels;
    /* Optional progress reports (the library itself never prints). */
    void (*progress)(void *ctx, const char *msg);
    void *progress_ctx;
} kb_train_opts;

KB_API void kb_train_opts_default(kb_train_opts *o);
/* Solver names as in liblinear's train -s: "lr" (0), "l2svm-dual" (1),
 * "l2svm" (2), "l1svm-dual" (3), "crammer-singer" (4), "l1-l2svm" (5),
 * "l1-lr" (6), "lr-dual" (7). */
KB_API int kb_solver_parse(const char *name, int *solver, kb_error *err);
KB_API const char *kb_solver_name(int solver);
/* Writes the solver names as one list ("lr, l2svm-dual, ..."). */
KB_API void kb_solver_names(char *out, size_t cap);

/* Training is reentrant: any number of threads may train at once (the
 * liblinear solver itself runs one at a time, see train/train.c). */
KB_API kb_model *kb_train(const kb_dataset *ds, const kb_train_opts *o,
                   kb_error *err);
KB_API void kb_model_free(kb_model *m);

/* Finds a model by name (model/find.c): a name with a '/' is a path;
 * otherwise $KHABAR_MODEL_PATH, the build tree's models/, extra_dirs
 * (NULL-terminated, may be NULL) and the configured prefix's
 * share/khabar/models are searched for NAME and NAME.model, then the
 * current directory.  Writes the path into out. */
KB_API int kb_model_find(const char *name, const char *const *extra_dirs, char *out,
                  size_t cap, kb_error *err);
/* The directories kb_model_find searches, colon-separated. */
KB_API void kb_model_search_path(const char *const *extra_dirs, char *out, size_t cap);

/* Writes to a temporary file and renames it over path. */
KB_API int kb_model_save(const kb_model *m, const char *path, kb_error *err);
/* Loads a model file.  A model of 1 MiB or more leaves a binary copy of
 * its rows in $KHABAR_CACHE_DIR (default $XDG_CACHE_HOME/khabar or
 * ~/.cache/khabar; the empty string turns it off), which later loads of
 * the same unchanged file read instead of parsing the text. */
KB_API kb_model *kb_model_load(const char *path, kb_error *err);

KB_API int kb_model_n_labels(const kb_model *m);
KB_API const char *kb_model_label(const kb_model *m, int i);
KB_API const char *kb_model_task(const kb_model *m);
/* The khabar version that wrote the model file ("1.0.0" for format 1). */
KB_API const char *kb_model_written_by(const kb_model *m);
KB_API const kb_params *kb_model_params(const kb_model *m);
KB_API int kb_model_label_index(const kb_model *m, const char *label);
KB_API size_t kb_model_n_rows(const kb_model *m);
/* 1 when kb_model_load read the rows from its cache. */
KB_API int kb_model_from_cache(const kb_model *m);

/* ------------------------------------------------------------- predict */

/* Per-thread scratch for prediction: a normaliser and feature buffers. */
typedef struct kb_predictor kb_predictor;
KB_API kb_predictor *kb_predictor_new(const kb_model *m, kb_error *err);
KB_API void kb_predictor_free(kb_predictor *p);
/* Labels one sentence of valid UTF-8: returns the label index, fills
 * probs[n_labels] (probabilities for logistic regression, a softmax of
 * the decision values for the SVM solvers), or -1 on error. */
KB_API int kb_predict(kb_predictor *p, const char *text, size_t len, double *probs,
               kb_error *err);

/* The evidence behind p's last kb_predict: how many distinct n-grams of
 * the sentence the model knows, and whether it has an Arabic letter.
 * kb_evidence_unknown says whether a sentence with that evidence is
 * outside what the model can judge (`khabar classify` labels it
 * `unknown`): no Arabic letter, or fewer than min_known known n-grams.
 * min_known 0 never calls a sentence unknown. */
typedef struct kb_evidence {
    size_t known;
    int arabic;
} kb_evidence;
#define KB_MIN_KNOWN_DEFAULT 8
KB_API kb_evidence kb_predictor_evidence(const kb_predictor *p);
KB_API int kb_evidence_unknown(kb_evidence e, size_t min_known);

/* Why a sentence gets its label (alone, before any article context):
 * every n-gram the model knows, with its push, its weighed value times
 * (its weight for label - its weight for versus), sorted from the most
 * for the label to the most against it.  versus is the label compared
 * with, or -1 for the runner-up.  Free with kb_explanation_free. */
#define KB_NGRAM_TEXT 64
typedef struct kb_ngram_push {
    char text[KB_NGRAM_TEXT]; /* '<' and '>' mark a word's edges; word
                                 n-grams are words joined by a space */
    int lead;                 /* 1: counted again in the lead-clause space */
    unsigned count;           /* times it occurs in the sentence */
    double push;
} kb_ngram_push;
typedef struct kb_explanation {
    int label, versus;
    double probs[KB_MAX_LABELS];
    kb_ngram_push *pushes;
    size_t n;
} kb_explanation;
KB_API int kb_explain(kb_predictor *p, const char *text, size_t len, int versus,
               kb_explanation *ex, kb_error *err);
KB_API void kb_explanation_free(kb_explanation *ex);

/* Article context.  Given the probabilities kb_predict gave the n
 * sentences of one article, in order (n*k), writes the final
 * probabilities (n*k; out may be probs) and, when labels is not NULL, the
 * labels.  A model without a context stage copies them through.  Returns
 * 0, or -1 when out of memory. */
KB_API int kb_model_has_context(const kb_model *m);
KB_API int kb_context_apply(const kb_model *m, const double *probs, size_t n,
                     double *out, int *labels);

/* The probabilities of every row of ds (n*k, in order), as eval scores
 * them: with context set and a doc column, each run of rows with one doc
 * is read as an article by a model with a context stage.  Errors name the
 * file and line. */
KB_API int kb_predict_dataset(const kb_model *m, const kb_dataset *ds,
                              int context, double *probs, kb_error *err);

/* ----------------------------------------------------------- evaluate */

#define KB_CALIB_BINS 10 /* confidence bins of the reliability table */

typedef struct kb_metrics {
    int k;                 /* classes */
    size_t n;              /* examples */
    size_t *confusion;     /* k*k, row = gold, column = predicted */
    double accuracy, macro_f1;
    double *precision, *recall, *f1; /* per class */
    size_t *support;                 /* gold count per class */
    /* Calibration (examples added with a confidence): bin b holds the
     * confidences in [b/10, (b+1)/10); ece is the expected calibration
     * error, sum over bins of n_b/n * |accuracy_b - confidence_b|. */
    size_t n_conf;
    size_t bin_n[KB_CALIB_BINS], bin_correct[KB_CALIB_BINS];
    double bin_conf[KB_CALIB_BINS]; /* sum of confidences, then the mean */
    double ece;
} kb_metrics;

KB_API int kb_metrics_init(kb_metrics *mt, int k);
KB_API void kb_metrics_add(kb_metrics *mt, int gold, int pred);
/* The same, with the confidence of the predicted label. */
KB_API void kb_metrics_add_prob(kb_metrics *mt, int gold, int pred, double conf);
KB_API void kb_metrics_finish(kb_metrics *mt);
KB_API void kb_metrics_free(kb_metrics *mt);

typedef struct kb_cv_result {
    double best_C;
    double accuracy, macro_f1;
    kb_metrics metrics; /* the pooled predictions at best_C */
    char **labels;      /* metrics.k label names */
} kb_cv_result;
KB_API void kb_cv_result_free(kb_cv_result *r);

/* k-fold cross-validation; folds are whole documents when the dataset
 * has a doc column.  Fills mt (initialised here) with the pooled
 * predictions. */
KB_API int kb_cross_validate(const kb_dataset *ds, const kb_train_opts *o, int folds,
                      kb_metrics *mt, char ***labels_out, int *k_out,
                      kb_error *err);
/* Tries C over a grid (0.25, 0.5, ..., 64) and keeps the best macro-F1 by
 * cross-validation; a larger C must beat the best by more than 1e-4, and
 * the search stops once two larger Cs in a row have not. */
KB_API int kb_search_c(const kb_dataset *ds, const kb_train_opts *o, int folds,
                kb_cv_result *res, kb_error *err);

#ifdef __cplusplus
}
#endif
#endif
