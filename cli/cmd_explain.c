/*
 * cmd_explain.c: `khabar explain`, why each sentence got its label: the
 * n-grams that pushed most for the label and most against it (toward the
 * runner-up, or the label given with --versus), with their pushes.  A
 * sentence is explained alone, before any article context (the labels
 * of `classify --no-context`).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct explain_opts {
    const kb_model *m;
    kb_predictor *pred; /* its normaliser and buffers, reused */
    long top;
    int versus, jsonl, sentences;
} explain_opts;

static void print_push(cli_out *o, const kb_ngram_push *p, int jsonl)
{
    char num[32];
    snprintf(num, sizeof num, "%+.4f", p->push);
    if (jsonl) {
        out_str(o, "{\"ngram\":");
        out_json_str(o, p->text, strlen(p->text));
        out_str(o, ",\"push\":");
        out_str(o, num[0] == '+' ? num + 1 : num);
        out_str(o, p->lead ? ",\"lead\":true}" : ",\"lead\":false}");
        return;
    }
    out_str(o, "    ");
    out_str(o, num);
    out_str(o, "  ");
    out_tsv_field(o, p->text, strlen(p->text));
    out_str(o, p->lead ? "  (lead clause)\n" : "\n");
}

static void print_explanation(cli_out *o, const explain_opts *x, const char *doc,
                              size_t n, const char *text, size_t len,
                              const kb_explanation *ex)
{
    const char *label = kb_model_label(x->m, ex->label);
    const char *versus = kb_model_label(x->m, ex->versus);
    size_t top = (size_t)x->top, n_for = 0, n_against = 0;
    while (n_for < top && n_for < ex->n && ex->pushes[n_for].push > 0)
        n_for++;
    while (n_against < top && n_against < ex->n - n_for &&
           ex->pushes[ex->n - 1 - n_against].push < 0)
        n_against++;
    if (x->jsonl) {
        out_str(o, "{\"doc\":");
        out_json_str(o, doc, strlen(doc));
        out_str(o, ",\"n\":");
        out_uint(o, n);
        out_str(o, ",\"label\":");
        out_json_str(o, label, strlen(label));
        out_str(o, ",\"confidence\":");
        out_prob(o, ex->probs[ex->label]);
        out_str(o, ",\"versus\":");
        out_json_str(o, versus, strlen(versus));
        out_str(o, ",\"text\":");
        out_json_str(o, text, len);
        out_str(o, ",\"for\":[");
        for (size_t i = 0; i < n_for; i++) {
            out_str(o, i ? "," : "");
            print_push(o, &ex->pushes[i], 1);
        }
        out_str(o, "],\"against\":[");
        for (size_t i = 0; i < n_against; i++) {
            out_str(o, i ? "," : "");
            print_push(o, &ex->pushes[ex->n - 1 - i], 1);
        }
        out_str(o, "]}\n");
        return;
    }
    out_tsv_field(o, doc, strlen(doc));
    out_str(o, "\t");
    out_uint(o, n);
    out_str(o, "\t");
    out_str(o, label);
    out_str(o, "\t");
    out_prob(o, ex->probs[ex->label]);
    out_str(o, "\t");
    out_tsv_field(o, text, len);
    out_str(o, "\n  for ");
    out_str(o, label);
    out_str(o, " over ");
    out_str(o, versus);
    out_str(o, ":\n");
    for (size_t i = 0; i < n_for; i++)
        print_push(o, &ex->pushes[i], 0);
    out_str(o, "  against (toward ");
    out_str(o, versus);
    out_str(o, "):\n");
    for (size_t i = 0; i < n_against; i++)
        print_push(o, &ex->pushes[ex->n - 1 - i], 0);
}

static int explain_sentence(const explain_opts *x, const char *doc, size_t n,
                            const char *text, size_t len)
{
    kb_explanation ex;
    kb_error err;
    if (kb_explain(x->pred, text, len, x->versus, &ex, &err) != 0)
        return cli_error("%s: %s", doc, err.msg);
    cli_out o = {0};
    print_explanation(&o, x, doc, n, text, len, &ex);
    out_flush(&o, stdout);
    out_free(&o);
    kb_explanation_free(&ex);
    return ferror(stdout) ? CLI_EXIT_OUTPUT : 0;
}

static int explain_file(const explain_opts *x, kb_segmenter *sg, const char *path)
{
    kb_lines in;
    if (cli_open_article(&in, path) != 0)
        return CLI_EXIT_ERROR;
    char *text;
    size_t len, n = 0;
    kb_error err;
    int got, rc = 0;
    while (rc == 0 && (got = kb_lines_next(&in, &text, &len, &err)) != 0) {
        if (got < 0) {
            rc = cli_error("%s", err.msg);
            break;
        }
        if (x->sentences) {
            if (!kb_text_blank(text, len))
                rc = explain_sentence(x, path, ++n, text, len);
            continue;
        }
        const kb_span *sp;
        size_t ns;
        if (kb_segment(sg, text, len, &sp, &ns, &err) != 0) {
            rc = cli_error("%s:%zu: %s", path, in.lineno, err.msg);
            break;
        }
        for (size_t i = 0; i < ns && rc == 0; i++)
            rc = explain_sentence(x, path, ++n, text + sp[i].start, sp[i].len);
    }
    cli_close_article(&in);
    return rc;
}

static const char explain_help[] =
    "usage: khabar explain [--model MODEL] [--top N] [--versus LABEL] "
    "[--format text|jsonl] [--sentences] [FILE...]\n\n"
    "For every sentence of the articles in FILE... (stdin when none): its\n"
    "label and confidence, then the N n-grams that pushed most for the\n"
    "label and the N that pushed most against it, toward the runner-up.\n"
    "A push is the n-gram's weighed value times the difference of its\n"
    "weights for the two labels; the pushes and the biases sum to the\n"
    "difference of the two decision values.  Each sentence is read alone,\n"
    "before any article context (as `classify --no-context` labels it).\n"
    "  --model MODEL   a model file, or 'topic' (default) / 'stance'\n"
    "  --top N         n-grams shown each way (default 10)\n"
    "  --versus LABEL  compare with this label instead of the runner-up\n"
    "  --format jsonl  one JSON object per sentence\n"
    "  --sentences     one sentence a line: no segmentation\n"
    "N-grams: '<' and '>' mark a word's edges (character n-grams); word\n"
    "n-grams are words joined by a space; '(lead clause)' marks a feature\n"
    "of the sentence's opening clause, counted a second time.\n";

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"top", required_argument, 0, 't'},
        {"versus", required_argument, 0, 'v'}, {"format", required_argument, 0, 'f'},
        {"sentences", no_argument, 0, 's'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    explain_opts x = {.top = 10, .versus = -1};
    const char *model_arg = NULL, *versus = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_arg = optarg; break;
        case 't':
            if (cli_long("--top", optarg, 1, 100000, &x.top) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'v': versus = optarg; break;
        case 'f':
            if (strcmp(optarg, "text") && strcmp(optarg, "jsonl"))
                return cli_error("--format is text or jsonl, not '%s'", optarg),
                       CLI_EXIT_USAGE;
            x.jsonl = !strcmp(optarg, "jsonl");
            break;
        case 's': x.sentences = 1; break;
        case 'h': cli_help("%s", explain_help); return 0;
        default: return CLI_EXIT_USAGE;
        }
    }
    kb_model *m = cli_load_model(model_arg, NULL);
    if (!m)
        return CLI_EXIT_ERROR;
    x.m = m;
    if (versus && (x.versus = kb_model_label_index(m, versus)) < 0) {
        kb_model_free(m);
        return cli_error("--versus: the model has no label '%s'", versus),
               CLI_EXIT_USAGE;
    }
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    x.pred = sg ? kb_predictor_new(m, &err) : NULL;
    int rc = x.pred ? 0 : cli_error("%s", err.msg), nfiles;
    char **files = cli_files(argc, argv, &nfiles);
    for (int f = 0; f < nfiles && rc == 0; f++)
        rc = explain_file(&x, sg, files[f]);
    kb_predictor_free(x.pred);
    kb_segmenter_free(sg);
    kb_model_free(m);
    return rc;
}
