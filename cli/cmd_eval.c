/*
 * cmd_eval.c: `khabar eval`: scores a model on labelled sentences
 * (kb_predict, kb_metrics_*) and prints the metrics, which `train --cv`
 * prints the same way.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void cli_print_metrics(FILE *fp, const kb_metrics *mt,
                       const char *const *labels)
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

void cli_print_metrics_json(FILE *fp, const kb_metrics *mt,
                            const char *const *labels)
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
    out_flush(&o, fp);
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
            return cli_help("usage: khabar eval [--model MODEL] --data FILE.tsv "
                   "[--task COLUMN] [--json] [--errors]\n\n"
                   "Scores a model on labelled sentences: accuracy, macro-F1,\n"
                   "per-class precision/recall/F1 and the confusion matrix.\n"
                   "  --model    a model file, or 'topic' / 'stance' for a "
                   "shipped one (default topic)\n"
                   "  --task     the gold label column (default: the model's "
                   "task)\n"
                   "  --json     one JSON object instead of the table\n"
                   "  --errors   also print every wrong sentence to stderr\n");
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
        return rc == CLI_HELP ? 0 : rc;
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
    const char *labels[KB_MAX_LABELS];
    for (int j = 0; j < k; j++)
        labels[j] = kb_model_label(m, j);
    kb_metrics mt;
    rc = kb_metrics_init(&mt, k) ? cli_error("out of memory") : 0;
    if (rc == 0 && (rc = score_dataset(m, &ds, a.errors, &mt)) == 0) {
        kb_metrics_finish(&mt);
        if (a.json)
            cli_print_metrics_json(stdout, &mt, labels);
        else
            cli_print_metrics(stdout, &mt, labels);
    }
    kb_metrics_free(&mt);
    kb_dataset_free(&ds);
    kb_model_free(m);
    return rc;
}

