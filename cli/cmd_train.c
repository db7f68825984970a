/*
 * cmd_train.c: `khabar train`: reads labelled sentences, reports
 * cross-validation, chooses C, trains and writes a model (kb_train,
 * kb_cross_validate, kb_search_c, kb_model_save).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
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

/* "A-B" or "A", each 0..12. */
static int parse_range(const char *s, int *lo, int *hi)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10), b = a;
    if (end != s && *end == '-') {
        const char *t = end + 1;
        b = strtol(t, &end, 10);
        if (end == t)
            return -1;
    }
    if (errno || end == s || *end || a < 0 || a > 12 || b < 0 || b > 12)
        return -1;
    *lo = (int)a;
    *hi = (int)b;
    return 0;
}

/* The checks on --out that need no training: it is not the data, and it
 * is a regular file or a new name. */
static int check_out(const char *out, const char *data)
{
    struct stat so, sd;
    if (lstat(out, &so) != 0)
        return 0;
    if (S_ISLNK(so.st_mode))
        return cli_error("train: --out %s: is a symbolic link; give the file "
                         "it points to", out);
    if (!S_ISREG(so.st_mode))
        return cli_error("train: --out %s: not a regular file; a model is "
                         "only written over a regular file or a new name", out);
    if (strcmp(data, "-") != 0 && stat(data, &sd) == 0 &&
        so.st_dev == sd.st_dev && so.st_ino == sd.st_ino)
        return cli_error("train: --out %s is the training data %s", out, data);
    return 0;
}

/* Splits "a,b,c" in place into a->labels. */
static int parse_labels(char *s, char **labels, int *n_labels)
{
    *n_labels = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        if (*n_labels == KB_MAX_LABELS || strlen(tok) >= KB_MAX_LABEL_LEN)
            return -1;
        labels[(*n_labels)++] = tok;
    }
    return *n_labels >= 2 ? 0 : -1;
}

static int print_train_help(void)
{
    kb_params d;
    kb_params_default(&d);
    char norm[256], solvers[128];
    kb_norm_format(d.norm, norm, sizeof norm);
    kb_solver_names(solvers, sizeof solvers);
    return cli_help(
        "usage: khabar train --data FILE.tsv [--task COLUMN] [--out MODEL] "
        "[options]\n\n"
        "Trains a linear model (liblinear) on labelled sentences.  The TSV has a\n"
        "header; the label is in column COLUMN (default topic), the sentence in\n"
        "'text', the article in 'doc' (optional: folds keep articles whole).\n\n"
        "  --out MODEL        write the model (atomically)\n"
        "  --cv K             report K-fold cross-validation scores\n"
        "  --search-c         choose C by cross-validation (K from --cv, else 5)\n"
        "                     and report the scores at the chosen C; C goes\n"
        "                     0.25, 0.5, ..., 64 and stops once two larger Cs\n"
        "                     in a row do not beat the best\n"
        "  -C VALUE           cost (default %g)\n"
        "  --solver NAME      default %s; one of %s\n"
        "                     (lr and lr-dual give probabilities)\n"
        "  --labels A,B,...   fixed label set and order; other labels are errors\n"
        "  --char-ngrams A-B  character n-gram lengths (default %d-%d)\n"
        "  --word-ngrams N    word n-grams 1..N (default %d, 0 for none)\n"
        "  --hash-bits N      feature space 2^N (default %d)\n"
        "  --min-df N         drop features seen in fewer sentences (default %d)\n"
        "  --lead N           a second feature space for the lead clause (up to the\n"
        "                     first comma, colon or semicolon, at most N words;\n"
        "                     default %d, 0 for none)\n"
        "  --lead-weight W    the lead space's weight (default %g)\n"
        "  --context          read sentences in their article: a second stage over\n"
        "                     the sentence's and its neighbours' probabilities\n"
        "                     (needs a 'doc' column; default %s)\n"
        "  --no-context       each sentence alone\n"
        "  --context-window N neighbours on each side (default %d)\n"
        "  --context-C VALUE  the second stage's cost (default %g)\n"
        "  --class-weight L=F,...  multiply C by F for label L's sentences\n"
        "                     (liblinear's per-class cost; default none)\n"
        "  --nb               scale each label's features by their naive Bayes\n"
        "                     log-count ratios (NBSVM; default off)\n"
        "  --normalize LIST   normalisation steps (default all: %s)\n"
        "  --eps VALUE        solver tolerance (default: liblinear's)\n"
        "  --seed N           seed for folds and solvers (default %llu)\n"
        "  --quiet            no progress on stderr\n",
        d.C, kb_solver_name(d.solver), solvers, d.feat.char_min,
        d.feat.char_max, d.feat.word_max, d.feat.hash_bits, d.feat.min_df,
        d.feat.lead_words, d.feat.lead_weight, d.context ? "on" : "off",
        d.context_window, d.context_C, norm,
        (unsigned long long)d.seed);
}

typedef struct train_args {
    const char *data, *out;
    int cv, search_c, quiet;
    char *labels[KB_MAX_LABELS];
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
        {"lead", required_argument, 0, 'L'},
        {"lead-weight", required_argument, 0, 'W'},
        {"context", no_argument, 0, 'x'}, {"no-context", no_argument, 0, 'X'},
        {"context-window", required_argument, 0, 'y'},
        {"context-C", required_argument, 0, 'z'},
        {"class-weight", required_argument, 0, 'c'},
        {"nb", no_argument, 0, 'B'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    kb_params *p = &o->params;
    kb_error err;
    int c;
    while ((c = getopt_long(argc, argv, "C:h", opts, NULL)) != -1) {
        long v = 0;
        int rc = 0;
        switch (c) {
        case 'd': a->data = optarg; break;
        case 't': o->task = optarg; break;
        case 'o': a->out = optarg; break;
        case 'k': rc = cli_long("--cv", optarg, 2, 100, &v); a->cv = (int)v; break;
        case 'S': a->search_c = 1; break;
        case 'C': rc = cli_double("-C", optarg, KB_MIN_C, KB_MAX_C, &p->C); break;
        case 'e': rc = cli_double("--eps", optarg, 0, 1, &p->eps); break;
        case 'r': rc = cli_u64("--seed", optarg, &p->seed); break;
        case 'b': rc = cli_long("--hash-bits", optarg, 10, 26, &v); p->feat.hash_bits = (int)v; break;
        case 'm': rc = cli_long("--min-df", optarg, 1, 1L << 30, &v); p->feat.min_df = (int)v; break;
        case 'w': rc = cli_long("--word-ngrams", optarg, 0, 3, &v); p->feat.word_max = (int)v; break;
        case 'L': rc = cli_long("--lead", optarg, 0, 64, &v); p->feat.lead_words = (int)v; break;
        case 'W': rc = cli_double("--lead-weight", optarg, 1e-6, 10, &p->feat.lead_weight); break;
        case 'x': p->context = 1; break;
        case 'B': p->nb_scale = 1; break;
        case 'X': p->context = 0; break;
        case 'y': rc = cli_long("--context-window", optarg, 1, 50, &v); p->context_window = (int)v; break;
        case 'z': rc = cli_double("--context-C", optarg, KB_MIN_C, KB_MAX_C, &p->context_C); break;
        case 'c':
            if (strlen(optarg) >= sizeof p->class_weights)
                return cli_error("--class-weight: too long");
            strcpy(p->class_weights, optarg);
            break;
        case 'q': a->quiet = 1; break;
        case 'n':
            if (parse_range(optarg, &p->feat.char_min, &p->feat.char_max))
                return cli_error("--char-ngrams wants A-B, e.g. 2-5"),
                       CLI_EXIT_USAGE;
            break;
        case 's':
            if (kb_solver_parse(optarg, &p->solver, &err))
                return cli_error("%s", err.msg), CLI_EXIT_USAGE;
            break;
        case 'N':
            if (kb_norm_parse(optarg, &p->norm, &err))
                return cli_error("%s", err.msg), CLI_EXIT_USAGE;
            break;
        case 'l':
            if (parse_labels(optarg, a->labels, &o->n_labels))
                return cli_error("--labels wants 2..%d comma-separated names, "
                                 "each at most %d bytes", KB_MAX_LABELS,
                                 KB_MAX_LABEL_LEN - 1), CLI_EXIT_USAGE;
            break;
        case 'h': return print_train_help();
        default: return CLI_EXIT_USAGE;
        }
        if (rc != 0)
            return CLI_EXIT_USAGE;
    }
    if (!a->data)
        return cli_error("train: --data FILE.tsv is required (see --help)"),
               CLI_EXIT_USAGE;
    if (!a->out && !a->cv)
        return cli_error("train: give --out MODEL, --cv K, or both"),
               CLI_EXIT_USAGE;
    o->labels = (const char *const *)a->labels;
    if (kb_params_check(p, &err))
        return cli_error("train: %s", err.msg), CLI_EXIT_USAGE;
    if (a->out && !*a->out)
        return cli_error("train: --out wants a file name"), CLI_EXIT_USAGE;
    if (a->out && check_out(a->out, a->data) != 0)
        return CLI_EXIT_ERROR;
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
           ds->doc ? " by document" : "", o->params.C);
    cli_print_metrics(stdout, &mt, (const char *const *)labels);
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
        return rc == CLI_HELP ? 0 : rc;
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
        o.params.C = best.best_C;
        fprintf(stderr, "khabar train: best C=%g (%d-fold macro-F1 %.4f, "
                        "accuracy %.4f)\n", best.best_C, folds, best.macro_f1,
                best.accuracy);
        if (a.cv) {
            printf("cross-validation: %d folds%s, C=%g (chosen)\n", folds,
                   ds.doc ? " by document" : "", best.best_C);
            cli_print_metrics(stdout, &best.metrics,
                              (const char *const *)best.labels);
        }
        kb_cv_result_free(&best);
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

