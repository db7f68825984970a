/*
 * report.h: `khabar report`, one self-contained HTML page from classify's
 * JSON Lines (report_data.c reads and sums them up) or from eval's JSON
 * (report_eval.c), written by report_html.c.  Every figure on the page is
 * computed here in C; the page's script only pages through the tables.
 */
#ifndef KB_REPORT_H
#define KB_REPORT_H

#include "records.h"

#define REP_EXAMPLES 5
#define REP_BINS 20
#define REP_HEADLINE 120 /* characters of an article's first sentence kept */

typedef struct rep_example {
    double conf;
    char *text, *doc;
} rep_example;

typedef struct rep_article {
    char *doc, *date, *source, *headline;
    size_t n;
    int label;        /* -1: none (no sentences) */
    size_t *counts;   /* per label (rep.k) */
    int has_sentences;
    int from_sentences; /* built from sentence records, not a summary */
    size_t last_n;
} rep_article;

typedef struct rep {
    char **labels;    /* model labels first, then unknown, uncertain */
    int k, k_model;
    size_t n_sent, n_files;
    size_t *label_count;          /* sentences per label */
    size_t hist[REP_BINS];        /* confidence of sentences with a model label */
    rep_example *examples;        /* REP_EXAMPLES per label */
    rep_article *arts;
    size_t n_arts, arts_cap;
    cli_out sentences;            /* JSON: "index":[[label,conf,text],...],... */
    cli_out current;              /* the open article's sentences */
    size_t text_budget, n_with_sentences;
    int have_date, have_source;
} rep;

/* Reads classify's JSON Lines from path into r; errors name the line. */
int rep_read_jsonl(rep *r, const char *path, kb_error *err);
/* Closes the last article; call once after the last file. */
void rep_finish(rep *r);
void rep_free(rep *r);

/* The label's colour on the page. */
const char *rep_color(const char *label, int i);

/* The page, into o. */
void rep_html_classify(const rep *r, const char *title, cli_out *o);
/* eval's JSON object (text of a file) as a page; -1 with err when the
 * object is not eval's. */
int rep_html_eval(const char *json, size_t len, const char *title, cli_out *o,
                  kb_error *err);

/* Shared by the two pages. */
void rep_page_start(cli_out *o, const char *title, const char *subtitle);
void rep_page_end(cli_out *o, const cli_out *data_json);
void rep_html_text(cli_out *o, const char *s, size_t n); /* escaped */
void rep_json_script_str(cli_out *o, const char *s, size_t n);

#endif
