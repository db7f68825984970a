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

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_BYTES (1u << 20)
#define BATCH_LINES (1u << 16) /* bounds memory for many short lines too */
#define MAX_THREADS 64
#define WORKER_STACK ((size_t)1 << 21)

typedef struct sentence {
    size_t line, start, len;
    int label;
    int new_article; /* --article: a blank line came before it */
} sentence;

typedef struct batch {
    char *text;      /* the lines, back to back */
    size_t len, cap;
    size_t *line_at; /* start of each line in text, plus one past the end */
    size_t n_lines, lines_cap;
} batch;

typedef struct job {
    const kb_model *model;
    int jsonl, sentences_mode, article_mode, context;
    const char *doc;
    /* Context carried from the batches before, in the current article:
     * its first sentence's probabilities, then those of up to
     * context_window last sentences (n_carry rows of k). */
    double *carry;
    size_t n_carry, carry_cap, article_len;
    int blank_pending; /* the last batch ended with a blank line */
    int line_buffered; /* flush after every batch */
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
    double *probs;           /* n_sent * k */
    size_t probs_cap;
    int blank_before;        /* --article: the next sentence starts one */
    cli_out out;
    size_t counts[KB_MAX_LABELS];
    int failed;
    kb_error err;
} worker;

/* ------------------------------------------------------------ labelling */

static int add_sentence(worker *w, size_t line, size_t start, size_t len)
{
    size_t k = (size_t)kb_model_n_labels(w->jb->model);
    if (KB_GROW(w->sent, w->sent_cap, w->n_sent + 1) != 0 ||
        KB_GROW(w->probs, w->probs_cap, (w->n_sent + 1) * k) != 0)
        return kb_fail(&w->err, "out of memory");
    const char *t = w->b->text + w->b->line_at[line];
    int label = kb_predict(w->pred, t + start, len, w->probs + w->n_sent * k,
                           &w->err);
    if (label < 0)
        return -1;
    sentence *s = &w->sent[w->n_sent++];
    s->line = line;
    s->start = start;
    s->len = len;
    s->label = label;
    s->new_article = w->blank_before;
    w->blank_before = 0;
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
    if (a == b || kb_text_blank(t + a, b - a)) {
        w->blank_before = 1;
        return 0;
    }
    return add_sentence(w, line, a, b - a);
}

static void *label_slice(void *arg)
{
    worker *w = arg;
    w->n_sent = 0;
    /* a slice that starts after a blank line starts an article */
    size_t lo = w->line_lo;
    w->blank_before =
        lo > 0 ? kb_text_blank(w->b->text + w->b->line_at[lo - 1],
                               w->b->line_at[lo] - w->b->line_at[lo - 1])
               : w->jb->blank_pending;
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

static const double *sentence_probs(const worker *w, const sentence *s)
{
    return w->probs + (size_t)(s - w->sent) * (size_t)kb_model_n_labels(w->jb->model);
}

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
    out_prob(o, sentence_probs(w, s)[s->label]);
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
    const double *probs = sentence_probs(w, s);
    out_str(o, ",\"confidence\":");
    out_prob(o, probs[s->label]);
    out_str(o, ",\"text\":");
    out_json_str(o, w->b->text + w->b->line_at[s->line] + s->start, s->len);
    out_str(o, ",\"probs\":{");
    for (int j = 0; j < kb_model_n_labels(m); j++) {
        out_str(o, j ? "," : "");
        out_json_str(o, kb_model_label(m, j), strlen(kb_model_label(m, j)));
        out_bytes(o, ":", 1);
        out_prob(o, probs[j]);
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
    if (len) /* (the first line may be empty and the buffer still NULL) */
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
    pthread_attr_t attr; /* not the stack limit's size: ICU wants room */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&th[t], &attr, fn, &ws[t]) == 0;
    pthread_attr_destroy(&attr);
    fn(&ws[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(&ws[t]);
    }
}

/* ------------------------------------------------------------- context */

/* Reads the sentences of one article (rows: the carried context, then the
 * batch's sentences a..b of the flattened slices) with the model's
 * context stage, writing the new probabilities and labels back. */
typedef struct flat {
    worker *w;
    size_t i;
} flat;

static int context_article(job *jb, const flat *ids, size_t a, size_t b,
                           int continues)
{
    size_t k = (size_t)kb_model_n_labels(jb->model);
    size_t pre = continues ? jb->n_carry : 0, n = pre + (b - a);
    double *in = malloc(n * k * sizeof *in), *out = malloc(n * k * sizeof *out);
    int *lab = malloc(n * sizeof *lab);
    int rc = (!in || !out || !lab) ? -1 : 0;
    if (rc == 0) {
        if (pre)
            memcpy(in, jb->carry, pre * k * sizeof *in);
        for (size_t i = a; i < b; i++)
            memcpy(in + (pre + i - a) * k, ids[i].w->probs + ids[i].i * k,
                   k * sizeof *in);
        rc = kb_context_apply(jb->model, in, n, out, lab);
    }
    for (size_t i = a; rc == 0 && i < b; i++) {
        memcpy(ids[i].w->probs + ids[i].i * k, out + (pre + i - a) * k,
               k * sizeof *out);
        ids[i].w->sent[ids[i].i].label = lab[pre + i - a];
    }
    if (rc == 0) { /* carry: the first sentence, then the last window */
        size_t win = (size_t)kb_model_params(jb->model)->context_window;
        size_t keep = n - 1 < win ? n - 1 : win;
        if (KB_GROW(jb->carry, jb->carry_cap, (keep + 1) * k) != 0)
            rc = -1;
        else {
            memmove(jb->carry, in, k * sizeof *in);
            memcpy(jb->carry + k, in + (n - keep) * k, keep * k * sizeof *in);
            jb->n_carry = keep + 1;
        }
    }
    free(in);
    free(out);
    free(lab);
    return rc;
}

/* The batch's sentences in order, cut into articles: a file is one
 * article; with --sentences --article a blank line starts the next. */
static int context_pass(worker *ws, int nt, job *jb)
{
    size_t total = 0;
    for (int t = 0; t < nt; t++)
        total += ws[t].n_sent;
    flat *ids = malloc((total ? total : 1) * sizeof *ids);
    if (!ids)
        return cli_error("out of memory");
    size_t n = 0;
    for (int t = 0; t < nt; t++)
        for (size_t i = 0; i < ws[t].n_sent; i++)
            ids[n++] = (flat){&ws[t], i};
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < total;) {
        int continues = jb->article_len > 0 &&
                        !(jb->article_mode && ids[a].w->sent[ids[a].i].new_article);
        size_t b = a + 1;
        while (b < total && !(jb->article_mode && ids[b].w->sent[ids[b].i].new_article))
            b++;
        if (!continues)
            jb->article_len = 0;
        rc = context_article(jb, ids, a, b, continues);
        jb->article_len += b - a;
        a = b;
    }
    free(ids);
    return rc ? cli_error("out of memory") : 0;
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
    for (int t = 0; t < nt; t++)
        if (ws[t].failed)
            return cli_error("%s: %s", ws[t].jb->doc, ws[t].err.msg);
    job *jb = (job *)ws[0].jb;
    if (jb->context && context_pass(ws, nt, jb) != 0)
        return 1;
    if (b->n_lines > 0) {
        size_t last = b->n_lines - 1;
        jb->blank_pending = kb_text_blank(b->text + b->line_at[last],
                                     b->line_at[last + 1] - b->line_at[last]);
    }
    for (int t = 0; t < nt; t++) {
        ws[t].first_n = *n_done + 1;
        *n_done += ws[t].n_sent;
        for (size_t i = 0; i < ws[t].n_sent; i++)
            counts[ws[t].sent[i].label]++;
    }
    run_phase(ws, nt, format_slice);
    for (int t = 0; t < nt; t++)
        out_flush(&ws[t].out, stdout);
    if (jb->line_buffered)
        fflush(stdout);
    if (ferror(stdout))
        return CLI_EXIT_OUTPUT; /* reported once, when stdout is closed */
    return 0;
}

static int classify_file(worker *ws, int nt, job *jb, const char *path)
{
    kb_lines in;
    if (cli_open_article(&in, path) != 0)
        return 1;
    /* the name printed with every sentence: valid UTF-8, repaired once */
    char *shown = kb_utf8_check(path, strlen(path), NULL, NULL)
                      ? NULL : kb_utf8_repair(path, strlen(path), NULL, NULL);
    jb->doc = shown ? shown : path;
    jb->n_carry = jb->article_len = 0;
    jb->blank_pending = 0;
    batch b = {0};
    size_t n_done = 0, counts[KB_MAX_LABELS] = {0};
    char *text;
    size_t len;
    kb_error err;
    int r, rc = 0;
    int input_error = 0;
    while (rc == 0 && (r = kb_lines_next(&in, &text, &len, &err)) != 0) {
        if (r < 0) { /* label what was read before, then report */
            input_error = 1;
            break;
        }
        if (batch_add_line(&b, text, len) != 0) {
            rc = cli_error("%s:%zu: out of memory", path, in.lineno);
            break;
        }
        if (b.len >= BATCH_BYTES || b.n_lines >= BATCH_LINES) {
            rc = process_batch(ws, nt, &b, &n_done, counts);
            b.len = b.n_lines = 0;
        }
    }
    if (rc == 0 && b.n_lines)
        rc = process_batch(ws, nt, &b, &n_done, counts);
    if (rc == 0 && input_error)
        rc = cli_error("%s", err.msg);
    if (rc == 0 && jb->jsonl)
        print_summary(jb, counts, n_done);
    cli_close_article(&in);
    free(shown);
    free(b.text);
    free(b.line_at);
    return rc;
}

/* ----------------------------------------------------------- the command */

/* The paths in list (one a line, "-" for stdin), NULL-terminated. */
static int read_file_list(const char *list, char ***out, int *n)
{
    FILE *fp = strcmp(list, "-") ? fopen(list, "r") : stdin;
    if (!fp)
        return cli_error("%s: cannot open: %s", list, strerror(errno));
    char **v = NULL, *line = NULL;
    size_t cap = 0, lcap = 0, count = 0;
    ssize_t len;
    int rc = 0;
    errno = 0;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (count >= INT_MAX - 1 || KB_GROW(v, cap, count + 2) != 0 ||
            !(v[count] = strdup(line))) {
            rc = cli_error("%s: out of memory", list);
            break;
        }
        v[++count] = NULL;
        errno = 0;
    }
    if (rc == 0 && (ferror(fp) || errno))
        rc = cli_error("%s: read error: %s", list, strerror(errno ? errno : EIO));
    if (rc == 0 && count == 0)
        rc = cli_error("%s: no files listed", list);
    free(line);
    if (fp != stdin)
        fclose(fp);
    if (rc != 0) {
        for (size_t i = 0; i < count; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n = (int)count;
    return 0;
}

/* "I/N" with 0 <= I < N. */
static int parse_shard(const char *s, long *i, long *n)
{
    const char *slash = strchr(s, '/');
    char first[32];
    if (!slash || (size_t)(slash - s) >= sizeof first || strchr(s, ' ') ||
        *s == '+' || slash[1] == '+')
        return cli_error("--shard wants I/N, e.g. 0/4, not '%s'", s);
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = '\0';
    if (cli_long("--shard N", slash + 1, 1, 1000000, n) != 0 ||
        cli_long("--shard I", first, 0, *n - 1, i) != 0)
        return -1;
    return 0;
}

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
    "  --article       with --sentences: consecutive lines are one article\n"
    "                  (a blank line starts the next), read in context\n"
    "  --no-context    label each sentence alone (a model with a context\n"
    "                  stage otherwise reads each file as one article)\n"
    "  -j N            threads (default: all cores); output order is the same\n"
    "  --files-from F  read the files to label from F, one path a line\n"
    "  --shard I/N     only the I-th of N contiguous shares of the files (from\n"
    "                  0): the N outputs concatenated in order are the whole\n"
    "                  output (scale/ runs them on Slurm or Dask)\n";

int cmd_classify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"format", required_argument, 0, 'f'},
        {"sentences", no_argument, 0, 's'}, {"threads", required_argument, 0, 'j'},
        {"article", no_argument, 0, 'a'}, {"no-context", no_argument, 0, 'n'},
        {"shard", required_argument, 0, 'S'},
        {"files-from", required_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    job jb = {0};
    const char *model_arg = NULL;
    int no_context = 0;
    long shard = 0, shards = 1;
    const char *files_from = NULL;
    long nt = sysconf(_SC_NPROCESSORS_ONLN);
    int c;
    while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'm': model_arg = optarg; break;
        case 'f':
            if (strcmp(optarg, "tsv") && strcmp(optarg, "jsonl"))
                return cli_error("--format is tsv or jsonl, not '%s'", optarg),
                       CLI_EXIT_USAGE;
            jb.jsonl = !strcmp(optarg, "jsonl");
            break;
        case 's': jb.sentences_mode = 1; break;
        case 'a': jb.article_mode = 1; break;
        case 'S':
            if (parse_shard(optarg, &shard, &shards) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'F':
            if (files_from)
                return cli_error("--files-from is given twice"), CLI_EXIT_USAGE;
            files_from = optarg;
            break;
        case 'n': no_context = 1; break;
        case 'j':
            nt = strtol(optarg, &end, 10);
            if (*end || nt < 1 || nt > MAX_THREADS)
                return cli_error("-j wants a number of threads, 1..%d",
                                 MAX_THREADS), CLI_EXIT_USAGE;
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
    kb_model *m = cli_load_model(model_arg, NULL);
    if (!m)
        return CLI_EXIT_ERROR;
    jb.model = m;
    if (jb.article_mode && !jb.sentences_mode) {
        kb_model_free(m);
        return CLI_EXIT_USAGE + 0 * cli_error("--article goes with --sentences (without it, each "
                         "file is one article)");
    }
    /* Articles are read in context unless each line is its own sentence
     * with no article around it (--sentences without --article). */
    jb.context = kb_model_has_context(m) && !no_context &&
                 (!jb.sentences_mode || jb.article_mode);
    worker *ws = calloc((size_t)nt, sizeof *ws);
    if (!ws) {
        kb_model_free(m);
        return cli_error("out of memory");
    }
    int rc = 0;
    for (int t = 0; t < nt && rc == 0; t++) {
        ws[t].jb = &jb;
        ws[t].seg = kb_segmenter_new(&err);
        ws[t].pred = ws[t].seg ? kb_predictor_new(m, &err) : NULL;
        if (!ws[t].pred)
            rc = cli_error("%s", err.msg);
    }
    int nfiles, failed = 0;
    char **files = cli_files(argc, argv, &nfiles);
    char **listed = NULL;
    if (files_from) {
        if (optind < argc)
            rc = CLI_EXIT_USAGE + 0 * cli_error("give the files either with "
                                                "--files-from or as arguments, "
                                                "not both");
        else if (read_file_list(files_from, &listed, &nfiles) != 0)
            rc = CLI_EXIT_ERROR;
        files = listed;
    }
    /* --shard I/N: the I-th of N contiguous shares of the files, so that
     * the N outputs, concatenated in shard order, are this output */
    if (rc == 0) {
        int first = (int)((long long)nfiles * shard / shards);
        int last = (int)((long long)nfiles * (shard + 1) / shards);
        files += first;
        nfiles = last - first;
    }
    for (int f = 0; f < nfiles && rc == 0; f++) {
        int r = classify_file(ws, (int)nt, &jb, files[f]);
        if (r == CLI_EXIT_OUTPUT)
            rc = r;
        else
            failed += r != 0;
    }
    if (rc == 0 && failed && nfiles > 1)
        cli_error("%d of %d files could not be read whole (see above)", failed,
                  nfiles);
    if (rc == 0 && failed)
        rc = CLI_EXIT_ERROR;
    for (int t = 0; t < nt; t++) {
        kb_segmenter_free(ws[t].seg);
        kb_predictor_free(ws[t].pred);
        free(ws[t].sent);
        free(ws[t].probs);
        out_free(&ws[t].out);
    }
    free(ws);
    free(jb.carry);
    for (int f = 0; listed && listed[f]; f++)
        free(listed[f]);
    free(listed);
    kb_model_free(m);
    return rc;
}
