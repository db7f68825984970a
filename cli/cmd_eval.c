/*
 * cmd_eval.c: `khabar eval`: scores a model on labelled sentences
 * (kb_predict, kb_metrics_*) and prints the metrics, which `train --cv`
 * prints the same way.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Prints s in a column of width characters (code points, not bytes),
 * padded with spaces on the side given; cut to width when cut is set. */
static void print_cell(FILE *fp, const char *s, int width, int right, int cut)
{
    size_t n = 0, chars = 0;
    while (s[n] && (!cut || chars < (size_t)width)) {
        n++;
        while (((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    for (size_t i = chars; right && i < (size_t)width; i++)
        fputc(' ', fp);
    fwrite(s, 1, n, fp);
    for (size_t i = chars; !right && i < (size_t)width; i++)
        fputc(' ', fp);
}

void cli_print_metrics(FILE *fp, const kb_metrics *mt,
                       const char *const *labels)
{
    fprintf(fp, "n %zu\naccuracy %.4f\nmacro_f1 %.4f\n\n", mt->n,
            mt->accuracy, mt->macro_f1);
    fprintf(fp, "%-16s %9s %9s %9s %8s\n", "label", "precision", "recall",
            "f1", "support");
    for (int j = 0; j < mt->k; j++) {
        print_cell(fp, labels[j], 16, 0, 0);
        fprintf(fp, " %9.4f %9.4f %9.4f %8zu\n", mt->precision[j],
                mt->recall[j], mt->f1[j], mt->support[j]);
    }
    fprintf(fp, "\nconfusion (rows: gold, columns: predicted)\n%-16s", "");
    for (int j = 0; j < mt->k; j++) {
        fputc(' ', fp);
        print_cell(fp, labels[j], 8, 1, 1);
    }
    fputc('\n', fp);
    for (int i = 0; i < mt->k; i++) {
        print_cell(fp, labels[i], 16, 0, 0);
        for (int j = 0; j < mt->k; j++)
            fprintf(fp, " %8zu", mt->confusion[(size_t)i * (size_t)mt->k + (size_t)j]);
        fputc('\n', fp);
    }
    if (!mt->n_conf)
        return;
    fprintf(fp, "\nreliability (confidence of the label)\n%-12s %8s %10s %9s\n",
            "bin", "count", "confidence", "accuracy");
    for (int b = 0; b < KB_CALIB_BINS; b++)
        if (mt->bin_n[b])
            fprintf(fp, "%.1f-%.1f     %8zu %10.4f %9.4f\n", b / 10.0,
                    (b + 1) / 10.0, mt->bin_n[b], mt->bin_conf[b],
                    (double)mt->bin_correct[b] / (double)mt->bin_n[b]);
    fprintf(fp, "ece %.4f\n", mt->ece);
}

void cli_print_metrics_json(FILE *fp, const kb_metrics *mt,
                            const char *const *labels, const cli_out *errors)
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
    out_str(&o, "]");
    if (mt->n_conf) {
        snprintf(num, sizeof num, ",\"ece\":%.6f,\"reliability\":[", mt->ece);
        out_str(&o, num);
        int first = 1;
        for (int b = 0; b < KB_CALIB_BINS; b++) {
            if (!mt->bin_n[b])
                continue;
            snprintf(num, sizeof num, "%s{\"lo\":%.1f,\"count\":%zu,",
                     first ? "" : ",", b / 10.0, mt->bin_n[b]);
            out_str(&o, num);
            snprintf(num, sizeof num, "\"confidence\":%.6f,\"accuracy\":%.6f}",
                     mt->bin_conf[b],
                     (double)mt->bin_correct[b] / (double)mt->bin_n[b]);
            out_str(&o, num);
            first = 0;
        }
        out_str(&o, "]");
    }
    if (errors) {
        out_str(&o, ",\"errors\":[");
        out_bytes(&o, errors->data ? errors->data : "", errors->len);
        out_str(&o, "]");
    }
    out_str(&o, "}\n");
    out_flush(&o, fp);
    out_free(&o);
}

typedef struct eval_args {
    const char *model, *data, *task;
    int json, errors, no_context;
} eval_args;

static int parse_eval_args(int argc, char **argv, eval_args *a)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"data", required_argument, 0, 'd'},
        {"task", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"errors", no_argument, 0, 'e'}, {"no-context", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'd': a->data = optarg; break;
        case 't': a->task = optarg; break;
        case 'j': a->json = 1; break;
        case 'e': a->errors = 1; break;
        case 'n': a->no_context = 1; break;
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
                   "  --errors   also print every wrong sentence to stderr (with\n"
                   "             --json: in the object's \"errors\", for `report`)\n"
                   "  --no-context  label each sentence alone, even when the\n"
                   "             model reads articles in context (with a 'doc'\n"
                   "             column, rows of one doc in file order are one\n"
                   "             article)\n"
                   "The reliability table bins sentences by the confidence of\n"
                   "their label: count, mean confidence and accuracy per bin;\n"
                   "ece is the expected calibration error.\n");
        default: return 2;
        }
    }
    if (!a->data)
        return cli_error("eval: --data FILE.tsv is required (see --help)");
    return 0;
}

/* One wrong sentence: a line on stderr, or a JSON object in errs. */
static void report_error(const kb_dataset *ds, size_t i, const kb_model *m,
                         int pred, double conf, cli_out *errs)
{
    if (!errs) {
        fprintf(stderr, "%s:%zu\tgold=%s\tpred=%s\t%.3f\t%s\n", ds->path,
                ds->line[i], ds->label[i], kb_model_label(m, pred), conf,
                ds->text[i]);
        return;
    }
    char num[32];
    out_str(errs, errs->len ? ",{\"line\":" : "{\"line\":");
    out_uint(errs, ds->line[i]);
    if (ds->doc) {
        out_str(errs, ",\"doc\":");
        out_json_str(errs, ds->doc[i], strlen(ds->doc[i]));
    }
    out_str(errs, ",\"gold\":");
    out_json_str(errs, ds->label[i], strlen(ds->label[i]));
    out_str(errs, ",\"pred\":");
    out_json_str(errs, kb_model_label(m, pred), strlen(kb_model_label(m, pred)));
    snprintf(num, sizeof num, ",\"confidence\":%.4f", conf);
    out_str(errs, num);
    out_str(errs, ",\"text\":");
    out_json_str(errs, ds->text[i], strlen(ds->text[i]));
    out_str(errs, "}");
}

static int score_dataset(const kb_model *m, const kb_dataset *ds,
                         const eval_args *a, kb_metrics *mt, cli_out *errs)
{
    size_t k = (size_t)kb_model_n_labels(m);
    for (size_t i = 0; i < ds->n; i++)
        if (kb_model_label_index(m, ds->label[i]) < 0)
            return cli_error("%s:%zu: label '%s' is not one of the model's "
                             "labels", ds->path, ds->line[i], ds->label[i]);
    double *probs = malloc((ds->n ? ds->n : 1) * k * sizeof *probs);
    if (!probs)
        return cli_error("out of memory");
    kb_error err;
    int rc = kb_predict_dataset(m, ds, !a->no_context, probs, &err) != 0
                 ? cli_error("%s", err.msg) : 0;
    for (size_t i = 0; rc == 0 && i < ds->n; i++) {
        const double *p = probs + i * k;
        int gold = kb_model_label_index(m, ds->label[i]), pred = 0;
        for (size_t j = 1; j < k; j++)
            if (p[j] > p[pred])
                pred = (int)j;
        kb_metrics_add_prob(mt, gold, pred, p[pred]);
        if (a->errors && pred != gold)
            report_error(ds, i, m, pred, p[pred], errs);
    }
    free(probs);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a = {0};
    int rc = parse_eval_args(argc, argv, &a);
    if (rc)
        return rc == CLI_HELP ? 0 : rc;
    kb_error err;
    kb_model *m = cli_load_model(a.model, NULL);
    if (!m)
        return CLI_EXIT_ERROR;
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
    cli_out errs = {0}; /* --json --errors: the wrong sentences, in the JSON */
    int in_json = a.json && a.errors;
    if (rc == 0 && (rc = score_dataset(m, &ds, &a, &mt, in_json ? &errs : NULL)) == 0) {
        kb_metrics_finish(&mt);
        if (a.json)
            cli_print_metrics_json(stdout, &mt, labels, in_json ? &errs : NULL);
        else
            cli_print_metrics(stdout, &mt, labels);
    }
    out_free(&errs);
    kb_metrics_free(&mt);
    kb_dataset_free(&ds);
    kb_model_free(m);
    return rc;
}

