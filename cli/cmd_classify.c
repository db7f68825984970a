/*
 * cmd_classify.c: `khabar classify`, the product's main job: read
 * articles, split them into sentences, label each one, print the labels
 * as they come, and sum each article up.
 *
 * This file reads the input: plain text files (each one article; lines
 * are read in batches, and a line break always ends a sentence, so lines
 * are independent) or structured records (--input jsonl|csv|tsv, each
 * record one article).  classify_batch.c labels a batch and
 * classify_format.c writes it.  Memory is bounded by the batch size and
 * the longest line or record, whatever the input's length.  When the
 * input is a pipe or a terminal, each line's labels are written as soon
 * as no more input is waiting, so khabar works as a co-process.
 */
#include "classify_job.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH_BYTES (1u << 20)
#define BATCH_LINES (1u << 16) /* bounds memory for many short lines too */

typedef struct run {
    crew crew;
    job *jb;
    progress prog;
    int input_kind;        /* 0: plain text, else REC_* */
    const char *text_field, *id_field;
    int force_stream;      /* --line-buffered */
    size_t bad_records;
    uint64_t file_bytes;   /* bytes of the files done (for progress) */
} run;

static int batch_due(const batch *b)
{
    return b->len >= BATCH_BYTES || b->n_lines >= BATCH_LINES;
}

/* With --article, a due batch waits for the end of its last article (a
 * blank line), so that every article of ordinary length is read whole by
 * the context stage, as eval reads it; only an article longer than four
 * batches is cut (its sentences before the cut then see no sentence
 * after it). */
static int article_batch_due(const job *jb, const batch *b, const char *t,
                             size_t len)
{
    if (!batch_due(b))
        return 0;
    if (!jb->article_mode || kb_text_blank(t, len))
        return 1;
    return b->len >= 4 * (size_t)BATCH_BYTES || b->n_lines >= 4 * (size_t)BATCH_LINES;
}

static int flush_batch(run *r, batch *b, int last_open)
{
    b->last_open = last_open;
    int rc = classify_batch(&r->crew, r->jb, b);
    batch_reset(b);
    progress_tick(&r->prog, r->jb->sentences_done);
    return rc;
}

/* Streaming: an input that is not a regular file (a pipe, a terminal). */
static int is_stream(const kb_lines *in)
{
    struct stat st;
    return fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode);
}

/* The name printed with every sentence: valid UTF-8, repaired once. */
static char *shown_name(const char *path)
{
    if (kb_utf8_check(path, strlen(path), NULL, NULL))
        return strdup(path);
    return kb_utf8_repair(path, strlen(path), NULL, NULL);
}

static void start_file(job *jb)
{
    jb->n_carry = jb->article_len = 0;
    jb->blank_pending = 0;
}

/* A plain text file: one article. */
static int classify_text_file(run *r, const char *path)
{
    kb_lines in;
    if (cli_open_article(&in, path) != 0)
        return 1;
    int stream = r->force_stream || is_stream(&in);
    r->jb->line_buffered = stream;
    start_file(r->jb);
    batch b = {0};
    char *doc = shown_name(path);
    int rc = doc && batch_add_article(&b, doc, NULL) == 0
                 ? 0 : cli_error("%s: out of memory", path);
    char *text;
    size_t len;
    kb_error err;
    int got, input_error = 0;
    while (rc == 0 && (got = kb_lines_next(&in, &text, &len, &err)) != 0) {
        if (got < 0) { /* label what was read before, then report */
            input_error = 1;
            break;
        }
        if (batch_add_line(&b, text, len, b.n_arts - 1) != 0) {
            rc = cli_error("%s:%zu: out of memory", path, in.lineno);
            break;
        }
        if (article_batch_due(r->jb, &b, text, len) ||
            (stream && !kb_lines_ready(&in))) {
            r->prog.done_bytes = r->file_bytes + in.offset;
            rc = flush_batch(r, &b, 1);
        }
    }
    r->prog.done_bytes = r->file_bytes += in.offset;
    if (rc == 0)
        rc = flush_batch(r, &b, 0);
    if (rc == 0 && input_error)
        rc = cli_error("%s", err.msg);
    cli_close_article(&in);
    batch_free(&b);
    return rc;
}

/* The doc of a record: its id, or FILE:LINE. */
static char *record_doc(const rec_record *rec, const char *path)
{
    if (rec->id)
        return shown_name(rec->id);
    char *name = shown_name(path);
    size_t n = name ? strlen(name) + 24 : 0;
    char *doc = name ? malloc(n) : NULL;
    if (doc)
        snprintf(doc, n, "%s:%zu", name, rec->line);
    free(name);
    return doc;
}

/* Adds a record's text, line by line, as one article. */
static int add_record(batch *b, rec_record *rec, const char *path)
{
    char *doc = record_doc(rec, path);
    const char *t = rec->text;
    size_t len = rec->text_len;
    long art = doc ? batch_add_article(b, doc, rec) : (rec_free(rec), -1);
    if (art < 0)
        return -1;
    for (size_t i = 0; i <= len;) {
        size_t e = i;
        while (e < len && t[e] != '\n')
            e++;
        size_t l = e - i;
        if (l > 0 && t[i + l - 1] == '\r')
            l--;
        if (batch_add_line(b, t + i, l, (size_t)art) != 0)
            return -1;
        i = e + 1;
    }
    return 0;
}

/* A file of records (--input): one article each.  A bad record is
 * reported with its line and skipped; the run then exits 1. */
static int classify_record_file(run *r, const char *path)
{
    rec_reader rd;
    kb_error err;
    if (rec_open(&rd, path, r->input_kind, r->text_field, r->id_field, &err) != 0)
        return cli_error("%s", err.msg);
    int stream = r->force_stream || is_stream(&rd.in);
    r->jb->line_buffered = stream;
    batch b = {0};
    int rc = 0, got, warned = 0;
    rec_record *rec;
    while (rc == 0 && (got = rec_next(&rd, &rec, &err)) != 0) {
        if (got < 0) {
            cli_error("%s", err.msg);
            r->bad_records++;
            if (got == -1)
                continue;
            break; /* the rest of the file cannot be read */
        }
        if (r->jb->format != FMT_JSONL && !r->jb->columns &&
            job_set_columns(r->jb, rec) != 0) {
            rec_free(rec);
            rc = cli_error("out of memory");
            break;
        }
        job_check_columns(r->jb, rec, path, &warned);
        start_file(r->jb);
        if (add_record(&b, rec, path) != 0) {
            rc = cli_error("%s:%zu: out of memory", path, rd.in.lineno);
            break;
        }
        if (batch_due(&b) || (stream && !kb_lines_ready(&rd.in))) {
            r->prog.done_bytes = r->file_bytes + rd.in.offset;
            rc = flush_batch(r, &b, 0);
        }
    }
    r->prog.done_bytes = r->file_bytes += rd.in.offset;
    if (rc == 0)
        rc = flush_batch(r, &b, 0);
    if (rd.in.n_bad)
        fprintf(stderr, "khabar: %s: replaced %zu invalid UTF-8 sequence(s), "
                        "the first on line %zu\n", path, rd.in.n_bad,
                rd.in.first_bad_line);
    rec_close(&rd);
    batch_free(&b);
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
    "usage: khabar classify [options] [FILE...]\n\n"
    "Labels every sentence of the articles in FILE... (stdin when none).\n"
    "  --model MODEL     a model file, or 'topic' (default) / 'stance'\n"
    "Input\n"
    "  --input text      plain text, each file one article (default)\n"
    "  --input jsonl|csv|tsv\n"
    "                    records, each one article: JSON Lines, CSV (RFC\n"
    "                    4180, a header line) or TSV (a header line); every\n"
    "                    field but the text is carried to the output\n"
    "  --text-field F    the field holding the text (default text)\n"
    "  --id-field F      the field naming the article (default: FILE:LINE)\n"
    "  --sentences       one sentence a line: no segmentation\n"
    "  --article         with --sentences: consecutive lines are one article\n"
    "                    (a blank line starts the next), read in context\n"
    "  --files-from F    read the files to label from F, one path a line\n"
    "  --shard I/N       only the I-th of N contiguous shares of the files\n"
    "                    (from 0): the N outputs concatenated in order are\n"
    "                    the whole output (scale/ runs them on Slurm or Dask)\n"
    "Output\n"
    "  --format tsv|csv|jsonl\n"
    "                    tsv (default) and csv: doc, n, label, confidence,\n"
    "                    text, then the carried fields; jsonl: the same plus\n"
    "                    every label's probability and the carried fields in\n"
    "                    \"meta\", and after each article a summary record\n"
    "  --header          tsv, csv: a first line naming the columns\n"
    "  --summary-only    one record per article: sentences, label (the most\n"
    "                    frequent; ties to more probability), shares by count\n"
    "                    (share_*) and by probability mass (mass_*)\n"
    "  --top K           also the next K-1 labels and their probabilities\n"
    "  --min-confidence P  label 'uncertain' when the best label's\n"
    "                    probability is below P (default 0: never)\n"
    "  --min-known N     label 'unknown' a sentence with no Arabic letter\n"
    "                    or fewer than N n-grams the model knows (default %d;\n"
    "                    0: never)\n"
    "  --line-buffered   write each line's labels as soon as they are ready\n"
    "                    (the default when the input is a pipe or terminal)\n"
    "  --progress, --quiet  force or silence the progress line on stderr\n"
    "                    (default: shown on a terminal after a second)\n"
    "Labelling\n"
    "  --no-context      label each sentence alone (a model with a context\n"
    "                    stage otherwise reads each article in context)\n"
    "  -j N              threads (default: all cores); the output is the same\n";

enum {
    OPT_MODEL = 256, OPT_FORMAT, OPT_SENTENCES, OPT_ARTICLE, OPT_NO_CONTEXT,
    OPT_SHARD, OPT_FILES_FROM, OPT_INPUT, OPT_TEXT_FIELD, OPT_ID_FIELD,
    OPT_HEADER, OPT_SUMMARY_ONLY, OPT_TOP, OPT_MIN_CONF, OPT_MIN_KNOWN,
    OPT_LINE_BUFFERED, OPT_PROGRESS, OPT_QUIET
};

typedef struct classify_opts {
    const char *model, *files_from;
    int no_context, progress;
    long shard, shards, threads;
} classify_opts;

static int parse_format(const char *name, int *format)
{
    if (!strcmp(name, "tsv"))
        *format = FMT_TSV;
    else if (!strcmp(name, "csv"))
        *format = FMT_CSV;
    else if (!strcmp(name, "jsonl"))
        *format = FMT_JSONL;
    else
        return cli_error("--format is tsv, csv or jsonl, not '%s'", name);
    return 0;
}

#define USAGE (-2)

/* Parses the options into o, r and jb; 0, CLI_HELP, or USAGE. */
static int parse_options(int argc, char **argv, classify_opts *o, run *r,
                         job *jb)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, OPT_MODEL},
        {"format", required_argument, 0, OPT_FORMAT},
        {"sentences", no_argument, 0, OPT_SENTENCES},
        {"threads", required_argument, 0, 'j'},
        {"article", no_argument, 0, OPT_ARTICLE},
        {"no-context", no_argument, 0, OPT_NO_CONTEXT},
        {"shard", required_argument, 0, OPT_SHARD},
        {"files-from", required_argument, 0, OPT_FILES_FROM},
        {"input", required_argument, 0, OPT_INPUT},
        {"text-field", required_argument, 0, OPT_TEXT_FIELD},
        {"id-field", required_argument, 0, OPT_ID_FIELD},
        {"header", no_argument, 0, OPT_HEADER},
        {"summary-only", no_argument, 0, OPT_SUMMARY_ONLY},
        {"top", required_argument, 0, OPT_TOP},
        {"min-confidence", required_argument, 0, OPT_MIN_CONF},
        {"min-known", required_argument, 0, OPT_MIN_KNOWN},
        {"line-buffered", no_argument, 0, OPT_LINE_BUFFERED},
        {"progress", no_argument, 0, OPT_PROGRESS},
        {"quiet", no_argument, 0, OPT_QUIET},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    long v;
    int c;
    while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_MODEL: o->model = optarg; break;
        case OPT_FORMAT:
            if (parse_format(optarg, &jb->format) != 0)
                return USAGE;
            break;
        case OPT_SENTENCES: jb->sentences_mode = 1; break;
        case OPT_ARTICLE: jb->article_mode = 1; break;
        case OPT_NO_CONTEXT: o->no_context = 1; break;
        case OPT_SHARD:
            if (parse_shard(optarg, &o->shard, &o->shards) != 0)
                return USAGE;
            break;
        case OPT_FILES_FROM:
            if (o->files_from)
                return cli_error("--files-from is given twice"), USAGE;
            o->files_from = optarg;
            break;
        case OPT_INPUT:
            r->input_kind = strcmp(optarg, "text") ? rec_kind(optarg) : 0;
            if (strcmp(optarg, "text") && !r->input_kind)
                return cli_error("--input is text, jsonl, csv or tsv, not '%s'",
                                 optarg), USAGE;
            break;
        case OPT_TEXT_FIELD: r->text_field = optarg; break;
        case OPT_ID_FIELD: r->id_field = optarg; break;
        case OPT_HEADER: jb->header = 1; break;
        case OPT_SUMMARY_ONLY: jb->summary_only = 1; break;
        case OPT_TOP:
            if (cli_long("--top", optarg, 1, KB_MAX_LABELS, &v) != 0)
                return USAGE;
            jb->top = (int)v;
            break;
        case OPT_MIN_CONF:
            if (cli_double("--min-confidence", optarg, 0, 1, &jb->min_confidence))
                return USAGE;
            break;
        case OPT_MIN_KNOWN:
            if (cli_long("--min-known", optarg, 0, 1000000, &v) != 0)
                return USAGE;
            jb->min_known = (size_t)v;
            break;
        case OPT_LINE_BUFFERED: r->force_stream = 1; break;
        case OPT_PROGRESS: o->progress = PROGRESS_ON; break;
        case OPT_QUIET: o->progress = PROGRESS_OFF; break;
        case 'j':
            if (cli_long("-j", optarg, 1, MAX_THREADS, &o->threads) != 0)
                return USAGE;
            break;
        case 'h': return cli_help(classify_help, (int)KB_MIN_KNOWN_DEFAULT);
        default: return USAGE;
        }
    }
    if (jb->article_mode && !jb->sentences_mode)
        return cli_error("--article goes with --sentences (without it, each "
                         "file is one article)"), USAGE;
    if (jb->article_mode && r->input_kind)
        return cli_error("--article is for plain text (with --input, each "
                         "record is one article)"), USAGE;
    if ((r->text_field || r->id_field) && !r->input_kind)
        return cli_error("--text-field and --id-field go with --input "
                         "jsonl|csv|tsv"), USAGE;
    if (jb->header && jb->format == FMT_JSONL)
        return cli_error("--header is for tsv and csv (JSON records name "
                         "their fields)"), USAGE;
    return 0;
}

/* The files to label: the arguments or --files-from, then --shard's
 * share.  *owned gets the list to free. */
static int input_files(int argc, char **argv, const classify_opts *o,
                       char ***files, int *nfiles, char ***owned)
{
    *owned = NULL;
    *files = cli_files(argc, argv, nfiles);
    if (o->files_from) {
        if (optind < argc)
            return cli_error("give the files either with --files-from or as "
                             "arguments, not both"), CLI_EXIT_USAGE;
        if (read_file_list(o->files_from, owned, nfiles) != 0)
            return CLI_EXIT_ERROR;
        *files = *owned;
    }
    int first = (int)((long long)*nfiles * o->shard / o->shards);
    int last = (int)((long long)*nfiles * (o->shard + 1) / o->shards);
    *files += first;
    *nfiles = last - first;
    return 0;
}

static int classify_files(run *r, char **files, int nfiles)
{
    int failed = 0;
    progress_start(&r->prog, r->prog.mode, files, (size_t)nfiles);
    for (int f = 0; f < nfiles; f++) {
        int rc = r->input_kind ? classify_record_file(r, files[f])
                               : classify_text_file(r, files[f]);
        r->prog.done_files++;
        if (rc == CLI_EXIT_OUTPUT)
            return rc;
        failed += rc != 0;
    }
    progress_end(&r->prog, r->jb->sentences_done);
    if (!r->jb->header_done) { /* no input at all: the header still */
        cli_out o = {0};
        format_header(r->jb, &o);
        out_flush(&o, stdout);
        out_free(&o);
    }
    if (r->bad_records)
        cli_error("%zu record(s) could not be read (see above)", r->bad_records);
    else if (failed && nfiles > 1)
        cli_error("%d of %d files could not be read whole (see above)", failed,
                  nfiles);
    return failed || r->bad_records ? CLI_EXIT_ERROR : 0;
}

int cmd_classify(int argc, char **argv)
{
    classify_opts o = {.shards = 1, .threads = sysconf(_SC_NPROCESSORS_ONLN)};
    job jb = {.top = 1, .min_known = KB_MIN_KNOWN_DEFAULT};
    run r = {.jb = &jb, .text_field = NULL};
    int p = parse_options(argc, argv, &o, &r, &jb);
    if (p != 0)
        return p == CLI_HELP ? 0 : CLI_EXIT_USAGE;
    if (!r.text_field)
        r.text_field = "text";
    r.prog.mode = o.progress;
    int nt = (int)(o.threads < 1 ? 1 : o.threads > MAX_THREADS ? MAX_THREADS : o.threads);
    kb_model *m = cli_load_model(o.model, NULL);
    if (!m)
        return CLI_EXIT_ERROR;
    jb.model = m;
    jb.k = kb_model_n_labels(m);
    /* Articles are read in context unless each line is its own sentence
     * with no article around it (--sentences without --article). */
    jb.context = kb_model_has_context(m) && !o.no_context &&
                 (!jb.sentences_mode || jb.article_mode || r.input_kind);
    int rc = crew_start(&r.crew, nt, &jb, m);
    char **files = NULL, **listed = NULL;
    int nfiles = 0;
    if (rc == 0)
        rc = input_files(argc, argv, &o, &files, &nfiles, &listed);
    if (rc == 0)
        rc = classify_files(&r, files, nfiles);
    crew_stop(&r.crew);
    free(jb.carry);
    for (size_t c = 0; c < jb.n_columns; c++)
        free(jb.columns[c]);
    free(jb.columns);
    for (int f = 0; listed && listed[f]; f++)
        free(listed[f]);
    free(listed);
    kb_model_free(m);
    return rc;
}
