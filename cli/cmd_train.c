/*
 * cmd_train.c: `khabar train`, `khabar eval` and `khabar info`: the
 * commands that read labelled TSV files or model files.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress(void *ctx, const char *msg)
{
    double t0 = *(double *)ctx;
    fprintf(stderr, "khabar train [%6.1fs] %s\n", now() - t0, msg);
}

static int parse_range(const char *s, int *lo, int *hi)
{
    char *end;
    *lo = (int)strtol(s, &end, 10);
    if (*end == '-')
        *hi = (int)strtol(end + 1, &end, 10);
    else
        *hi = *lo;
    return *end ? -1 : 0;
}

static int parse_labels(const char *s, kb_train_opts *o)
{
    o->n_labels = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 0 || n >= KB_MAX_LABEL_LEN || o->n_labels == KB_MAX_LABELS)
            return -1;
        memcpy(o->labels[o->n_labels], s, n);
        o->labels[o->n_labels++][n] = '\0';
        s += n + (s[n] == ',');
    }
    return o->n_labels >= 2 ? 0 : -1;
}

static void print_metrics(FILE *fp, const kb_metrics *mt, char **labels);

static const char train_help[] =
    "usage: khabar train --data FILE.tsv [--task COLUMN] [--out MODEL] "
    "[options]\n\n"
    "Trains a linear model (liblinear) on labelled sentences.  The TSV has a\n"
    "header; the label is in column COLUMN (default topic), the sentence in\n"
    "'text', the article in 'doc' (optional: folds keep articles whole).\n\n"
    "  --out MODEL        write the model (atomically)\n"
    "  --cv K             report K-fold cross-validation scores\n"
    "  --search-c         choose C by cross-validation (K from --cv, else 5)\n"
    "  -C VALUE           cost (default 4)\n"
    "  --solver NAME      lr-dual (default) or lr: logistic regression, with\n"
    "                     probabilities; l2svm-dual, l2svm,\n"
    "                     l1svm-dual, crammer-singer, l1-l2svm, l1-lr\n"
    "  --labels A,B,...   fixed label set and order; other labels are errors\n"
    "  --char-ngrams A-B  character n-gram lengths (default 2-5)\n"
    "  --word-ngrams N    word n-grams 1..N (default 2, 0 for none)\n"
    "  --hash-bits N      feature space 2^N (default 20)\n"
    "  --min-df N         drop features seen in fewer sentences (default 2)\n"
    "  --normalize LIST   normalisation steps (default all; see normalize)\n"
    "  --eps VALUE        solver tolerance (default: liblinear's)\n"
    "  --seed N           seed for folds and solvers (default 1)\n"
    "  --quiet            no progress on stderr\n";

typedef struct train_args {
    const char *data, *out;
    int cv, search_c, quiet;
} train_args;

static int parse_train_args(int argc, char **argv, train_args *a,
                            kb_train_opts *o)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"task", required_argument, 0, 't'},
        {"out", required_argument, 0, 'o'}, {"cv", required_argument, 0, 'k'},
        {"search-c", no_argument, 0, 'S'}, {"solver", required_argument, 0, 's'},
        {"labels", required_argument, 0, 'l'},
        {"char-ngrams", required_argument, 0, 'n'},
        {"word-ngrams", required_argument, 0, 'w'},
        {"hash-bits", required_argument, 0, 'b'},
        {"min-df", required_argument, 0, 'm'},
        {"normalize", required_argument, 0, 'N'},
        {"eps", required_argument, 0, 'e'}, {"seed", required_argument, 0, 'r'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    kb_error err;
    int c;
    while ((c = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd': a->data = optarg; break;
        case 't': snprintf(o->task, sizeof o->task, "%s", optarg); break;
        case 'o': a->out = optarg; break;
        case 'k': a->cv = (int)strtol(optarg, &end, 10); break;
        case 'S': a->search_c = 1; break;
        case 'C': o->C = strtod(optarg, &end); break;
        case 'e': o->eps = strtod(optarg, &end); break;
        case 'r': o->seed = strtoull(optarg, &end, 10); break;
        case 'b': o->feat.hash_bits = (int)strtol(optarg, &end, 10); break;
        case 'm': o->feat.min_df = (int)strtol(optarg, &end, 10); break;
        case 'w': o->feat.word_max = (int)strtol(optarg, &end, 10); break;
        case 'q': a->quiet = 1; break;
        case 'n':
            if (parse_range(optarg, &o->feat.char_min, &o->feat.char_max))
                return cli_error("--char-ngrams wants A-B, e.g. 2-5");
            break;
        case 's':
            if (kb_solver_parse(optarg, &o->solver, &err))
                return cli_error("%s", err.msg);
            break;
        case 'N':
            if (kb_norm_parse(optarg, &o->norm, &err))
                return cli_error("%s", err.msg);
            break;
        case 'l':
            if (parse_labels(optarg, o))
                return cli_error("--labels wants at least two comma-separated "
                                 "names");
            break;
        case 'h': fputs(train_help, stdout); exit(0);
        default: return 2;
        }
        if (end && *end)
            return cli_error("bad number '%s'", optarg);
    }
    if (!a->data)
        return cli_error("train: --data FILE.tsv is required (see --help)");
    if (!a->out && !a->cv)
        return cli_error("train: give --out MODEL, --cv K, or both");
    if (o->C <= 0)
        return cli_error("train: C must be positive");
    if (kb_feature_opts_check(&o->feat, &err))
        return cli_error("%s", err.msg);
    return 0;
}

static int report_cv(const kb_dataset *ds, const kb_train_opts *o, int folds)
{
    kb_metrics mt;
    kb_error err;
    char **labels = NULL;
    int k = 0;
    if (kb_cross_validate(ds, o, folds, &mt, &labels, &k, &err) != 0)
        return cli_error("%s", err.msg);
    printf("cross-validation: %d folds%s, C=%g\n", folds,
           ds->doc ? " by document" : "", o->C);
    print_metrics(stdout, &mt, labels);
    for (int j = 0; j < k; j++)
        free(labels[j]);
    free(labels);
    kb_metrics_free(&mt);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    kb_train_opts o;
    kb_train_opts_default(&o);
    train_args a = {0};
    int rc = parse_train_args(argc, argv, &a, &o);
    if (rc)
        return rc;
    double t0 = now();
    if (!a.quiet) {
        o.progress = progress;
        o.progress_ctx = &t0;
    }
    kb_dataset ds;
    kb_error err;
    if (kb_dataset_read(a.data, o.task, &ds, &err) != 0)
        return cli_error("%s", err.msg);
    if (a.search_c) {
        kb_cv_result best;
        int folds = a.cv ? a.cv : 5;
        if (kb_search_c(&ds, &o, folds, &best, &err) != 0) {
            kb_dataset_free(&ds);
            return cli_error("%s", err.msg);
        }
        o.C = best.best_C;
        fprintf(stderr, "khabar train: best C=%g (%d-fold macro-F1 %.4f, "
                        "accuracy %.4f)\n", best.best_C, folds, best.macro_f1,
                best.accuracy);
    } else if (a.cv) {
        rc = report_cv(&ds, &o, a.cv);
    }
    if (rc == 0 && a.out) {
        kb_model *m = kb_train(&ds, &o, &err);
        if (!m)
            rc = cli_error("%s", err.msg);
        else if (kb_model_save(m, a.out, &err) != 0)
            rc = cli_error("%s", err.msg);
        else if (!a.quiet)
            fprintf(stderr, "khabar train [%6.1fs] wrote %s (%zu features, "
                            "%d labels)\n", now() - t0, a.out,
                    kb_model_n_rows(m), kb_model_n_labels(m));
        kb_model_free(m);
    }
    kb_dataset_free(&ds);
    return rc;
}

/* ---------------------------------------------------------------- eval */

static void print_metrics(FILE *fp, const kb_metrics *mt, char **labels)
{
    fprintf(fp, "n %zu\naccuracy %.4f\nmacro_f1 %.4f\n\n", mt->n,
            mt->accuracy, mt->macro_f1);
    fprintf(fp, "%-16s %9s %9s %9s %8s\n", "label", "precision", "recall",
            "f1", "support");
    for (int j = 0; j < mt->k; j++)
        fprintf(fp, "%-16s %9.4f %9.4f %9.4f %8zu\n", labels[j],
                mt->precision[j], mt->recall[j], mt->f1[j], mt->support[j]);
    fprintf(fp, "\nconfusion (rows: gold, columns: predicted)\n%-16s", "");
    for (int j = 0; j < mt->k; j++)
        fprintf(fp, " %8.8s", labels[j]);
    fputc('\n', fp);
    for (int i = 0; i < mt->k; i++) {
        fprintf(fp, "%-16s", labels[i]);
        for (int j = 0; j < mt->k; j++)
            fprintf(fp, " %8zu", mt->confusion[(size_t)i * (size_t)mt->k + (size_t)j]);
        fputc('\n', fp);
    }
}

static void print_metrics_json(const kb_metrics *mt, char **labels)
{
    cli_out o = {0};
    char num[64];
    snprintf(num, sizeof num, "{\"n\":%zu,\"accuracy\":%.6f,\"macro_f1\":%.6f,"
             "\"labels\":[", mt->n, mt->accuracy, mt->macro_f1);
    out_str(&o, num);
    for (int j = 0; j < mt->k; j++) {
        out_str(&o, j ? "," : "");
        out_json_str(&o, labels[j], strlen(labels[j]));
    }
    out_str(&o, "],\"per_class\":{");
    for (int j = 0; j < mt->k; j++) {
        out_str(&o, j ? "," : "");
        out_json_str(&o, labels[j], strlen(labels[j]));
        snprintf(num, sizeof num, ":{\"precision\":%.6f,\"recall\":%.6f,",
                 mt->precision[j], mt->recall[j]);
        out_str(&o, num);
        snprintf(num, sizeof num, "\"f1\":%.6f,\"support\":%zu}", mt->f1[j],
                 mt->support[j]);
        out_str(&o, num);
    }
    out_str(&o, "},\"confusion\":[");
    for (int i = 0; i < mt->k; i++) {
        out_str(&o, i ? ",[" : "[");
        for (int j = 0; j < mt->k; j++) {
            out_str(&o, j ? "," : "");
            out_uint(&o, mt->confusion[(size_t)i * (size_t)mt->k + (size_t)j]);
        }
        out_str(&o, "]");
    }
    out_str(&o, "]}\n");
    out_flush(&o, stdout);
    out_free(&o);
}

typedef struct eval_args {
    const char *model, *data, *task;
    int json, errors;
} eval_args;

static int parse_eval_args(int argc, char **argv, eval_args *a)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"data", required_argument, 0, 'd'},
        {"task", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"errors", no_argument, 0, 'e'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'd': a->data = optarg; break;
        case 't': a->task = optarg; break;
        case 'j': a->json = 1; break;
        case 'e': a->errors = 1; break;
        case 'h':
            printf("usage: khabar eval [--model MODEL] --data FILE.tsv "
                   "[--task COLUMN] [--json] [--errors]\n\n"
                   "Scores a model on labelled sentences: accuracy, macro-F1,\n"
                   "per-class precision/recall/F1 and the confusion matrix.\n"
                   "  --model    a model file, or 'topic' / 'stance' for a "
                   "shipped one (default topic)\n"
                   "  --task     the gold label column (default: the model's "
                   "task)\n"
                   "  --json     one JSON object instead of the table\n"
                   "  --errors   also print every wrong sentence to stderr\n");
            exit(0);
        default: return 2;
        }
    }
    if (!a->data)
        return cli_error("eval: --data FILE.tsv is required (see --help)");
    return 0;
}

static int score_dataset(const kb_model *m, const kb_dataset *ds, int errors,
                         kb_metrics *mt)
{
    kb_error err;
    kb_predictor *p = kb_predictor_new(m, &err);
    double probs[KB_MAX_LABELS];
    if (!p)
        return cli_error("%s", err.msg);
    for (size_t i = 0; i < ds->n; i++) {
        int gold = kb_model_label_index(m, ds->label[i]);
        if (gold < 0) {
            kb_predictor_free(p);
            return cli_error("%s:%zu: label '%s' is not one of the model's "
                             "labels", ds->path, ds->line[i], ds->label[i]);
        }
        int pred = kb_predict(p, ds->text[i], strlen(ds->text[i]), probs, &err);
        if (pred < 0) {
            kb_predictor_free(p);
            return cli_error("%s:%zu: %s", ds->path, ds->line[i], err.msg);
        }
        kb_metrics_add(mt, gold, pred);
        if (errors && pred != gold)
            fprintf(stderr, "%s:%zu\tgold=%s\tpred=%s\t%.3f\t%s\n", ds->path,
                    ds->line[i], ds->label[i], kb_model_label(m, pred),
                    probs[pred], ds->text[i]);
    }
    kb_predictor_free(p);
    return 0;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a = {0};
    int rc = parse_eval_args(argc, argv, &a);
    if (rc)
        return rc;
    kb_error err;
    char *path = cli_model_path(a.model);
    kb_model *m = kb_model_load(path, &err);
    free(path);
    if (!m)
        return cli_error("%s", err.msg);
    kb_dataset ds;
    if (kb_dataset_read(a.data, a.task ? a.task : kb_model_task(m), &ds,
                        &err) != 0) {
        kb_model_free(m);
        return cli_error("%s", err.msg);
    }
    int k = kb_model_n_labels(m);
    char *labels[KB_MAX_LABELS];
    for (int j = 0; j < k; j++)
        labels[j] = (char *)kb_model_label(m, j);
    kb_metrics mt;
    rc = kb_metrics_init(&mt, k) ? cli_error("out of memory") : 0;
    if (rc == 0 && (rc = score_dataset(m, &ds, a.errors, &mt)) == 0) {
        kb_metrics_finish(&mt);
        if (a.json)
            print_metrics_json(&mt, labels);
        else
            print_metrics(stdout, &mt, labels);
    }
    kb_metrics_free(&mt);
    kb_dataset_free(&ds);
    kb_model_free(m);
    return rc;
}

/* ---------------------------------------------------------------- info */

int cmd_info(int argc, char **argv)
{
    if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("usage: khabar info MODEL\n\nChecks a model file and prints "
               "its settings ('topic' or 'stance' for the shipped ones).\n");
        return argc == 2 ? 0 : 2;
    }
    kb_error err;
    char *path = cli_model_path(argv[1]);
    kb_model *m = kb_model_load(path, &err);
    if (!m) {
        free(path);
        return cli_error("%s", err.msg);
    }
    const kb_train_opts *o = kb_model_opts(m);
    char norm[256];
    kb_norm_format(o->norm, norm, sizeof norm);
    printf("file %s\ntask %s\nlabels", path, kb_model_task(m));
    for (int j = 0; j < kb_model_n_labels(m); j++)
        printf(" %s", kb_model_label(m, j));
    printf("\nnormalize %s\nchar_ngrams %d %d\nword_ngrams %d\nhash_bits %d\n"
           "min_df %d\nsolver %s\nC %g\nfeatures %zu\n", norm,
           o->feat.char_min, o->feat.char_max, o->feat.word_max,
           o->feat.hash_bits, o->feat.min_df, kb_solver_name(o->solver), o->C,
           kb_model_n_rows(m));
    free(path);
    kb_model_free(m);
    return 0;
}
