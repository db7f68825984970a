/*
 * cmd_classify.c: `khabar classify`, the product's main job: read articles,
 * split them into sentences, label each one, print the labels as they
 * come, and sum each article up.
 *
 * Input is read in batches of lines (a line break always ends a sentence,
 * so lines are independent).  With -j N a batch is cut into N slices of
 * lines; each thread segments and labels its slice, then formats it once
 * the sentence numbers before it are known; the slices are written in
 * order, so the output is the same for every N.  Memory is bounded by the
 * batch size and the longest line, whatever the input's length.
 */
#include "cli.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_BYTES (1u << 20)
#define MAX_THREADS 64

typedef struct sentence {
    size_t line, start, len;
    int label;
    float probs[KB_MAX_LABELS];
} sentence;

typedef struct batch {
    char *text;      /* the lines, back to back */
    size_t len, cap;
    size_t *line_at; /* start of each line in text, plus one past the end */
    size_t n_lines, lines_cap;
} batch;

typedef struct job {
    const kb_model *model;
    int jsonl, sentences_mode;
    const char *doc;
} job;

typedef struct worker {
    const job *jb;
    const batch *b;
    size_t line_lo, line_hi; /* slice of lines */
    size_t first_n;          /* number of the slice's first sentence */
    kb_segmenter *seg;
    kb_predictor *pred;
    sentence *sent;
    size_t n_sent, sent_cap;
    cli_out out;
    size_t counts[KB_MAX_LABELS];
    int failed;
    kb_error err;
} worker;

/* ------------------------------------------------------------ labelling */

static int add_sentence(worker *w, size_t line, size_t start, size_t len)
{
    if (KB_GROW(w->sent, w->sent_cap, w->n_sent + 1) != 0)
        return kb_fail(&w->err, "out of memory");
    const char *t = w->b->text + w->b->line_at[line];
    double probs[KB_MAX_LABELS];
    int label = kb_predict(w->pred, t + start, len, probs, &w->err);
    if (label < 0)
        return -1;
    sentence *s = &w->sent[w->n_sent++];
    s->line = line;
    s->start = start;
    s->len = len;
    s->label = label;
    for (int j = 0; j < kb_model_n_labels(w->jb->model); j++)
        s->probs[j] = (float)probs[j];
    w->counts[label]++;
    return 0;
}

/* Whole line as one sentence, trimmed of ASCII space (--sentences). */
static int label_line_whole(worker *w, size_t line, const char *t, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && (t[a] == ' ' || t[a] == '\t'))
        a++;
    while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t'))
        b--;
    return a < b ? add_sentence(w, line, a, b - a) : 0;
}

static void *label_slice(void *arg)
{
    worker *w = arg;
    w->n_sent = 0;
    for (size_t l = w->line_lo; l < w->line_hi && !w->failed; l++) {
        const char *t = w->b->text + w->b->line_at[l];
        size_t len = w->b->line_at[l + 1] - w->b->line_at[l];
        if (w->jb->sentences_mode) {
            w->failed = label_line_whole(w, l, t, len) != 0;
            continue;
        }
        const kb_span *sp;
        size_t n;
        if (kb_segment(w->seg, t, len, &sp, &n, &w->err) != 0) {
            w->failed = 1;
            break;
        }
        for (size_t i = 0; i < n && !w->failed; i++)
            w->failed = add_sentence(w, l, sp[i].start, sp[i].len) != 0;
    }
    return NULL;
}

/* ------------------------------------------------------------ printing */

static void format_tsv(worker *w, const sentence *s, size_t n)
{
    cli_out *o = &w->out;
    const char *label = kb_model_label(w->jb->model, s->label);
    out_tsv_field(o, w->jb->doc, strlen(w->jb->doc));
    out_bytes(o, "\t", 1);
    out_uint(o, n);
    out_bytes(o, "\t", 1);
    out_str(o, label);
    out_bytes(o, "\t", 1);
    out_prob(o, s->probs[s->label]);
    out_bytes(o, "\t", 1);
    out_tsv_field(o, w->b->text + w->b->line_at[s->line] + s->start, s->len);
    out_bytes(o, "\n", 1);
}

static void format_jsonl(worker *w, const sentence *s, size_t n)
{
    cli_out *o = &w->out;
    const kb_model *m = w->jb->model;
    out_str(o, "{\"doc\":");
    out_json_str(o, w->jb->doc, strlen(w->jb->doc));
    out_str(o, ",\"n\":");
    out_uint(o, n);
    out_str(o, ",\"label\":");
    out_json_str(o, kb_model_label(m, s->label),
                 strlen(kb_model_label(m, s->label)));
    out_str(o, ",\"confidence\":");
    out_prob(o, s->probs[s->label]);
    out_str(o, ",\"text\":");
    out_json_str(o, w->b->text + w->b->line_at[s->line] + s->start, s->len);
    out_str(o, ",\"probs\":{");
    for (int j = 0; j < kb_model_n_labels(m); j++) {
        out_str(o, j ? "," : "");
        out_json_str(o, kb_model_label(m, j), strlen(kb_model_label(m, j)));
        out_bytes(o, ":", 1);
        out_prob(o, s->probs[j]);
    }
    out_str(o, "}}\n");
}

static void *format_slice(void *arg)
{
    worker *w = arg;
    w->out.len = 0;
    for (size_t i = 0; i < w->n_sent; i++) {
        if (w->jb->jsonl)
            format_jsonl(w, &w->sent[i], w->first_n + i);
        else
            format_tsv(w, &w->sent[i], w->first_n + i);
    }
    return NULL;
}

static void print_summary(const job *jb, const size_t *counts, size_t total)
{
    cli_out o = {0};
    const kb_model *m = jb->model;
    int k = kb_model_n_labels(m), best = 0;
    for (int j = 1; j < k; j++)
        if (counts[j] > counts[best])
            best = j;
    out_str(&o, "{\"doc\":");
    out_json_str(&o, jb->doc, strlen(jb->doc));
    out_str(&o, ",\"summary\":true,\"sentences\":");
    out_uint(&o, total);
    out_str(&o, ",\"label\":");
    if (total)
        out_json_str(&o, kb_model_label(m, best), strlen(kb_model_label(m, best)));
    else
        out_str(&o, "null");
    out_str(&o, ",\"share\":{");
    for (int j = 0; j < k; j++) {
        out_str(&o, j ? "," : "");
        out_json_str(&o, kb_model_label(m, j), strlen(kb_model_label(m, j)));
        out_bytes(&o, ":", 1);
        out_prob(&o, total ? (double)counts[j] / (double)total : 0);
    }
    out_str(&o, "}}\n");
    out_flush(&o, stdout);
    out_free(&o);
}

/* -------------------------------------------------------------- batches */

static int batch_add_line(batch *b, const char *t, size_t len)
{
    if (KB_GROW(b->text, b->cap, b->len + len) != 0 ||
        KB_GROW(b->line_at, b->lines_cap, b->n_lines + 2) != 0)
        return -1;
    b->line_at[b->n_lines] = b->len;
    memcpy(b->text + b->len, t, len);
    b->len += len;
    b->n_lines++;
    b->line_at[b->n_lines] = b->len;
    return 0;
}

static void run_phase(worker *ws, int nt, void *(*fn)(void *))
{
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&th[t], NULL, fn, &ws[t]) == 0;
    fn(&ws[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(&ws[t]);
    }
}

/* Labels and prints one batch; *n_done counts the document's sentences. */
static int process_batch(worker *ws, int nt, const batch *b, size_t *n_done,
                         size_t *counts)
{
    size_t per = (b->len + (size_t)nt - 1) / (size_t)nt, line = 0;
    for (int t = 0; t < nt; t++) {
        ws[t].b = b;
        ws[t].line_lo = line;
        while (line < b->n_lines &&
               (t == nt - 1 || b->line_at[line] < per * (size_t)(t + 1)))
            line++;
        ws[t].line_hi = line;
    }
    run_phase(ws, nt, label_slice);
    for (int t = 0; t < nt; t++) {
        if (ws[t].failed)
            return cli_error("%s: %s", ws[t].jb->doc, ws[t].err.msg);
        ws[t].first_n = *n_done + 1;
        *n_done += ws[t].n_sent;
        for (int j = 0; j < KB_MAX_LABELS; j++) {
            counts[j] += ws[t].counts[j];
            ws[t].counts[j] = 0;
        }
    }
    run_phase(ws, nt, format_slice);
    for (int t = 0; t < nt; t++)
        out_flush(&ws[t].out, stdout);
    return ferror(stdout) ? cli_error("cannot write the output") : 0;
}

static int classify_file(worker *ws, int nt, job *jb, const char *path)
{
    kb_lines in;
    if (cli_open_article(&in, path) != 0)
        return 1;
    jb->doc = path;
    batch b = {0};
    size_t n_done = 0, counts[KB_MAX_LABELS] = {0};
    char *text;
    size_t len;
    kb_error err;
    int r, rc = 0;
    while (rc == 0 && (r = kb_lines_next(&in, &text, &len, &err)) != 0) {
        if (r < 0 || batch_add_line(&b, text, len) != 0) {
            rc = r < 0 ? cli_error("%s", err.msg)
                       : cli_error("%s: out of memory", path);
            break;
        }
        if (b.len >= BATCH_BYTES) {
            rc = process_batch(ws, nt, &b, &n_done, counts);
            b.len = b.n_lines = 0;
        }
    }
    if (rc == 0 && b.n_lines)
        rc = process_batch(ws, nt, &b, &n_done, counts);
    if (rc == 0 && jb->jsonl)
        print_summary(jb, counts, n_done);
    cli_close_article(&in);
    free(b.text);
    free(b.line_at);
    return rc;
}

/* ----------------------------------------------------------- the command */

static const char classify_help[] =
    "usage: khabar classify [--model MODEL] [--format tsv|jsonl] "
    "[--sentences] [-j N] [FILE...]\n\n"
    "Labels every sentence of the articles in FILE... (stdin when none).\n"
    "  --model MODEL   a model file, or 'topic' (default) / 'stance' for the\n"
    "                  shipped models\n"
    "  --format tsv    doc, n, label, confidence, sentence (default)\n"
    "  --format jsonl  the same plus every label's probability, and one\n"
    "                  summary record per article (share of each label)\n"
    "  --sentences     one sentence a line: no segmentation\n"
    "  -j N            threads (default: all cores); output order is the same\n";

int cmd_classify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"format", required_argument, 0, 'f'},
        {"sentences", no_argument, 0, 's'}, {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    job jb = {0};
    const char *model_arg = NULL;
    long nt = sysconf(_SC_NPROCESSORS_ONLN);
    int c;
    while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'm': model_arg = optarg; break;
        case 'f':
            if (strcmp(optarg, "tsv") && strcmp(optarg, "jsonl"))
                return cli_error("--format is tsv or jsonl, not '%s'", optarg);
            jb.jsonl = !strcmp(optarg, "jsonl");
            break;
        case 's': jb.sentences_mode = 1; break;
        case 'j':
            nt = strtol(optarg, &end, 10);
            if (*end || nt < 1 || nt > MAX_THREADS)
                return cli_error("-j wants a number of threads, 1..%d",
                                 MAX_THREADS);
            break;
        case 'h': cli_help("%s", classify_help); return 0;
        default: return 2;
        }
    }
    if (nt < 1)
        nt = 1;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    kb_error err;
    char *path = cli_model_path(model_arg);
    kb_model *m = kb_model_load(path, &err);
    free(path);
    if (!m)
        return cli_error("%s", err.msg);
    jb.model = m;
    worker ws[MAX_THREADS];
    memset(ws, 0, sizeof ws);
    int rc = 0;
    for (int t = 0; t < nt && rc == 0; t++) {
        ws[t].jb = &jb;
        ws[t].seg = kb_segmenter_new(&err);
        ws[t].pred = ws[t].seg ? kb_predictor_new(m, &err) : NULL;
        if (!ws[t].pred)
            rc = cli_error("%s", err.msg);
    }
    int nfiles;
    char **files = cli_files(argc, argv, &nfiles);
    for (int f = 0; f < nfiles && rc == 0; f++)
        rc = classify_file(ws, (int)nt, &jb, files[f]);
    if (fflush(stdout) != 0 && rc == 0)
        rc = cli_error("cannot write the output");
    for (int t = 0; t < nt; t++) {
        kb_segmenter_free(ws[t].seg);
        kb_predictor_free(ws[t].pred);
        free(ws[t].sent);
        out_free(&ws[t].out);
    }
    kb_model_free(m);
    return rc;
}
