/*
 * classify_job.h: what the three parts of `khabar classify` share: the
 * command (cmd_classify.c: options, inputs, batches), the labelling of a
 * batch (classify_batch.c: threads, article context, numbering) and the
 * output (classify_format.c: TSV, CSV and JSON Lines records).
 *
 * Input is read in batches of lines.  Every line belongs to an article:
 * a plain file is one article, a structured record (--input) is one.  A
 * batch's articles are numbered from 0; only the last may go on in the
 * next batch (a plain file longer than a batch), and it then becomes the
 * next batch's article 0.
 */
#ifndef KB_CLASSIFY_JOB_H
#define KB_CLASSIFY_JOB_H

#include "cli.h"
#include "records.h"

#define MAX_THREADS 64
enum { FMT_TSV, FMT_CSV, FMT_JSONL };

typedef struct article {
    char *doc;             /* the name shown: the file, the id, or FILE:LINE */
    rec_record *rec;       /* structured input: the fields carried along */
    size_t n_sent;
    size_t counts[KB_MAX_LABELS + 2]; /* model labels, unknown, uncertain */
    double mass[KB_MAX_LABELS];       /* probabilities summed (known ones) */
} article;

typedef struct sentence {
    size_t line, start, len;
    size_t art;            /* its article in the batch */
    size_t n;              /* its number in the article, from 1 */
    size_t sum_lo, sum_hi; /* articles summed up right after it */
    int label;             /* a model label, or k (unknown), k+1 (uncertain) */
    int unknown;           /* no Arabic letter or too little known evidence */
    int new_article;       /* --article: a blank line came before it */
} sentence;

typedef struct batch {
    char *text;            /* the lines, back to back */
    size_t len, cap;
    size_t *line_at;       /* start of each line in text, plus the end */
    size_t *line_art;      /* each line's article */
    size_t n_lines, lines_cap, art_cap;
    article **arts;
    size_t n_arts, arts_cap;
    int last_open;         /* the last article goes on in the next batch */
    int first_continues;   /* article 0 began in an earlier batch */
} batch;

typedef struct job {
    const kb_model *model;
    int k;                 /* the model's labels */
    int format, header, summary_only;
    int top;               /* --top K: the K best labels (1 = only the label) */
    double min_confidence; /* below it: uncertain (0: never) */
    size_t min_known;      /* --min-known: fewer known n-grams: unknown */
    int sentences_mode, article_mode, context;
    /* the carried fields' columns for TSV/CSV (from the first record) */
    char **columns;
    size_t n_columns;
    int header_done;
    /* context carried from the batches before, in the current article:
     * its first sentence's probabilities, then those of up to
     * context_window last sentences (n_carry rows of k) */
    double *carry;
    size_t n_carry, carry_cap, article_len;
    int blank_pending;     /* the last batch ended with a blank line */
    int line_buffered;     /* flush after every batch */
    size_t sentences_done; /* for the progress line */
} job;

/* A slice of a batch's lines and what labelling it gives.  A batch is cut
 * into more slices than threads, and each thread takes the next slice
 * left (with its own segmenter and predictor), so that a slow slice or a
 * busy core does not hold the others back. */
typedef struct worker {
    const job *jb;
    const batch *b;
    size_t line_lo, line_hi; /* slice of lines */
    kb_segmenter *seg;       /* the tools of the thread labelling it */
    kb_predictor *pred;
    sentence *sent;
    size_t n_sent, sent_cap;
    double *probs;           /* n_sent * k */
    size_t probs_cap;
    int blank_before;        /* --article: the next sentence starts one */
    cli_out out;
    int failed;
    kb_error err;
} worker;

/* The threads and the slices they share out. */
#define SLICES_PER_THREAD 8
typedef struct crew {
    int nt;                /* threads */
    int n_slices;          /* 1 with one thread, else nt * SLICES_PER_THREAD */
    worker *ws;            /* n_slices */
    kb_segmenter *seg[MAX_THREADS];
    kb_predictor *pred[MAX_THREADS];
} crew;
/* The crew's threads' tools and slices; 0 or an error reported. */
int crew_start(crew *c, int nt, const job *jb, const kb_model *m);
void crew_stop(crew *c);

/* classify_batch.c: labels, reads in context, numbers and prints a batch.
 * Returns 0, CLI_EXIT_ERROR or CLI_EXIT_OUTPUT. */
int classify_batch(crew *c, job *jb, batch *b);

/* Adds a line of article art to the batch; -1 when out of memory. */
int batch_add_line(batch *b, const char *t, size_t len, size_t art);
/* Adds an article (taking doc and rec); its index, or -1. */
long batch_add_article(batch *b, char *doc, rec_record *rec);
/* After a batch: frees its finished articles, keeps the open one. */
void batch_reset(batch *b);
void batch_free(batch *b);

/* classify_format.c */
const char *job_label_name(const job *jb, int label);
void format_header(const job *jb, cli_out *o);
void format_sentence(const job *jb, const batch *b, const sentence *s,
                     const double *probs, cli_out *o);
void format_summary(const job *jb, const article *a, cli_out *o);
/* The carried columns from a record (TSV/CSV output; the first record's
 * fields); warns once per file about a field that is not among them. */
int job_set_columns(job *jb, const rec_record *rec);
void job_check_columns(const job *jb, const rec_record *rec, const char *path,
                       int *warned);

#endif
