/*
 * report_data.c: reads `khabar classify --format jsonl` output and sums
 * it up for the report: sentences per label, the confidence histogram,
 * the most confident sentences per label, and one row per article (doc,
 * date, source, counts per label, its label, its first sentence).  The
 * sentences themselves are kept, for the page's article view, while they
 * fit the text budget.
 *
 * An article is a run of sentence records of one doc with rising n; its
 * summary record, when there is one, gives its label.  Output of
 * --summary-only (summary records alone) makes articles without
 * sentences.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char *const fixed_colors[][2] = {
    {"military", "#c0392b"},       {"negotiation", "#2874a6"},
    {"humanitarian", "#d68910"},   {"other", "#7b8a8b"},
    {"pro_government", "#8e44ad"}, {"pro_opposition", "#138d75"},
    {"neutral", "#95a5a6"},        {"unknown", "#34495e"},
    {"uncertain", "#c8ced3"}};
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                      "#d62728", "#9467bd", "#8c564b",
                                      "#e377c2", "#17becf", "#bcbd22"};

const char *rep_color(const char *label, int i)
{
    for (size_t c = 0; c < sizeof fixed_colors / sizeof fixed_colors[0]; c++)
        if (strcmp(fixed_colors[c][0], label) == 0)
            return fixed_colors[c][1];
    return palette[i % (int)(sizeof palette / sizeof palette[0])];
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The index of a label, added when new; -1 when out of memory or full. */
static int label_index(rep *r, const char *name)
{
    for (int i = 0; i < r->k; i++)
        if (strcmp(r->labels[i], name) == 0)
            return i;
    if (r->k >= KB_MAX_LABELS + 2)
        return -1;
    char **l = realloc(r->labels, (size_t)(r->k + 1) * sizeof *l);
    size_t *c = realloc(r->label_count, (size_t)(r->k + 1) * sizeof *c);
    rep_example *e = realloc(r->examples, (size_t)(r->k + 1) * REP_EXAMPLES * sizeof *e);
    if (l)
        r->labels = l;
    if (c)
        r->label_count = c;
    if (e)
        r->examples = e;
    if (!l || !c || !e || !(l[r->k] = strdup(name)))
        return -1;
    c[r->k] = 0;
    memset(e + (size_t)r->k * REP_EXAMPLES, 0, REP_EXAMPLES * sizeof *e);
    for (size_t a = 0; a < r->n_arts; a++) { /* widen the articles' counts */
        size_t *ac = realloc(r->arts[a].counts, (size_t)(r->k + 1) * sizeof *ac);
        if (!ac)
            return -1;
        ac[r->k] = 0;
        r->arts[a].counts = ac;
    }
    return r->k++;
}

/* The model's labels, in order, from the first label map seen: a
 * sentence's "probs", or a summary's "share" (less unknown, uncertain). */
static int model_labels(rep *r, const rec_field *map, const char *what,
                        kb_error *err)
{
    rec_field *f;
    size_t n;
    if (!map || !map->json || rec_parse_json_object(map->value, map->len,
                                                    &f, &n, err) != 0)
        return kb_fail(err, "no \"%s\" object: not classify's JSON Lines", what);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (strcmp(f[i].name, "unknown") && strcmp(f[i].name, "uncertain") &&
            label_index(r, f[i].name) < 0)
            rc = kb_fail(err, "out of memory");
    r->k_model = r->k;
    rec_fields_free(f, n);
    return rc;
}

static void add_example(rep *r, int label, double conf, const char *text,
                        size_t len, const char *doc)
{
    rep_example *e = r->examples + (size_t)label * REP_EXAMPLES;
    int worst = 0; /* an empty slot, else the least confident */
    for (int i = 0; i < REP_EXAMPLES; i++) {
        if (!e[i].text) {
            worst = i;
            break;
        }
        if (e[i].conf < e[worst].conf)
            worst = i;
    }
    if (e[worst].text && conf <= e[worst].conf)
        return;
    free(e[worst].text);
    free(e[worst].doc);
    e[worst].conf = conf;
    e[worst].text = dup_n(text, len);
    e[worst].doc = strdup(doc);
}

/* Ends the open article: keeps its sentences if the budget allows. */
static void close_article(rep *r)
{
    if (r->n_arts == 0 || r->current.len == 0)
        return;
    rep_article *a = &r->arts[r->n_arts - 1];
    if (r->sentences.len + r->current.len + 32 <= r->text_budget) {
        char key[40];
        snprintf(key, sizeof key, "%s\"%zu\":[", r->sentences.len ? "," : "",
                 r->n_arts - 1);
        out_str(&r->sentences, key);
        out_bytes(&r->sentences, r->current.data, r->current.len);
        out_str(&r->sentences, "]");
        a->has_sentences = 1;
        r->n_with_sentences++;
    }
    r->current.len = 0;
}

static rep_article *new_article(rep *r, const char *doc, const rec_field *meta,
                                kb_error *err)
{
    close_article(r);
    if (KB_GROW(r->arts, r->arts_cap, r->n_arts + 1) != 0)
        return kb_fail(err, "out of memory"), NULL;
    rep_article *a = &r->arts[r->n_arts++];
    memset(a, 0, sizeof *a);
    a->label = -1;
    a->doc = strdup(doc);
    a->counts = calloc((size_t)(r->k ? r->k : 1), sizeof *a->counts);
    rec_field *f = NULL;
    size_t n = 0;
    if (meta && meta->json && rec_parse_json_object(meta->value, meta->len, &f,
                                                    &n, err) == 0) {
        const rec_field *d = rec_find(f, n, "date"), *s = rec_find(f, n, "source");
        if (d && !d->json)
            a->date = dup_n(d->value, d->len), r->have_date = 1;
        if (s && !s->json)
            a->source = dup_n(s->value, s->len), r->have_source = 1;
        rec_fields_free(f, n);
    }
    if (!a->doc || !a->counts)
        return kb_fail(err, "out of memory"), NULL;
    return a;
}

static double num(const rec_field *f)
{
    return f && f->json ? strtod(f->value, NULL) : 0;
}

static int add_sentence(rep *r, rec_field *f, size_t n, kb_error *err)
{
    const rec_field *doc = rec_find(f, n, "doc"), *label = rec_find(f, n, "label"),
                    *text = rec_find(f, n, "text"), *nn = rec_find(f, n, "n");
    if (!doc || doc->json || !label || label->json || !text || text->json || !nn)
        return kb_fail(err, "a sentence record needs doc, n, label and text");
    if (r->k_model == 0 && model_labels(r, rec_find(f, n, "probs"), "probs", err) != 0)
        return -1;
    int li = label_index(r, label->value);
    if (li < 0)
        return kb_fail(err, "out of memory");
    size_t sn = (size_t)num(nn);
    rep_article *a = r->n_arts ? &r->arts[r->n_arts - 1] : NULL;
    if (!a || !a->from_sentences || strcmp(a->doc, doc->value) != 0 ||
        sn <= a->last_n) {
        if (!(a = new_article(r, doc->value, rec_find(f, n, "meta"), err)))
            return -1;
        a->from_sentences = 1;
    }
    double conf = num(rec_find(f, n, "confidence"));
    a->last_n = sn;
    a->n++;
    a->counts[li]++;
    if (!a->headline) { /* the first REP_HEADLINE characters */
        size_t cut = 0, chars = 0;
        while (cut < text->len && chars < REP_HEADLINE)
            if (((unsigned char)text->value[cut++] & 0xC0) != 0x80)
                chars++;
        while (cut < text->len && ((unsigned char)text->value[cut] & 0xC0) == 0x80)
            cut++;
        a->headline = dup_n(text->value, cut);
    }
    r->n_sent++;
    r->label_count[li]++;
    if (li < r->k_model) {
        int bin = (int)(conf * REP_BINS);
        r->hist[bin < 0 ? 0 : bin >= REP_BINS ? REP_BINS - 1 : bin]++;
        add_example(r, li, conf, text->value, text->len, doc->value);
    }
    char head[48];
    snprintf(head, sizeof head, "%s[%d,%.4f,", r->current.len ? "," : "", li, conf);
    out_str(&r->current, head);
    rep_json_script_str(&r->current, text->value, text->len);
    out_str(&r->current, "]");
    return 0;
}

/* A summary record: the label of the article just read, or an article of
 * its own (--summary-only output). */
static int add_summary(rep *r, rec_field *f, size_t n, kb_error *err)
{
    const rec_field *doc = rec_find(f, n, "doc"), *label = rec_find(f, n, "label"),
                    *share = rec_find(f, n, "share");
    if (!doc || doc->json)
        return kb_fail(err, "a summary record needs doc");
    rep_article *a = r->n_arts ? &r->arts[r->n_arts - 1] : NULL;
    int own = !a || !a->from_sentences || strcmp(a->doc, doc->value) != 0 ||
              a->label >= 0;
    if (own) {
        if (!(a = new_article(r, doc->value, rec_find(f, n, "meta"), err)))
            return -1;
        a->n = (size_t)num(rec_find(f, n, "sentences"));
        rec_field *s = NULL;
        size_t ns = 0;
        if (r->k_model == 0 && share) /* a summary without one stays empty */
            model_labels(r, share, "share", err);
        if (share && share->json &&
            rec_parse_json_object(share->value, share->len, &s, &ns, err) == 0) {
            for (size_t i = 0; i < ns; i++) {
                int li = label_index(r, s[i].name);
                size_t c = (size_t)(num(&s[i]) * (double)a->n + 0.5);
                if (li >= 0) {
                    a->counts[li] = c;
                    r->label_count[li] += c;
                }
            }
            rec_fields_free(s, ns);
        }
        r->n_sent += a->n;
    }
    if (label && !label->json) {
        a->label = label_index(r, label->value);
        if (a->label < 0)
            return kb_fail(err, "out of memory");
    } else {
        a->label = -2; /* closed, no label */
    }
    return 0;
}

int rep_read_jsonl(rep *r, const char *path, kb_error *err)
{
    kb_lines in;
    if (kb_lines_open(&in, path, KB_LINES_RECORD, err) != 0)
        return -1;
    char *t;
    size_t l;
    int got, rc = 0;
    kb_error e;
    r->n_files++;
    while (rc == 0 && (got = kb_lines_next(&in, &t, &l, &e)) != 0) {
        if (got < 0) {
            rc = kb_fail(err, "%s", e.msg);
            break;
        }
        if (kb_text_blank(t, l))
            continue;
        rec_field *f;
        size_t n;
        if (rec_parse_json_object(t, l, &f, &n, &e) != 0) {
            rc = kb_fail(err, "%s:%zu: %s", path, in.lineno, e.msg);
            break;
        }
        const rec_field *summary = rec_find(f, n, "summary");
        rc = summary && summary->json && strcmp(summary->value, "true") == 0
                 ? add_summary(r, f, n, &e) : add_sentence(r, f, n, &e);
        if (rc != 0)
            kb_fail(err, "%s:%zu: %s", path, in.lineno, e.msg);
        rec_fields_free(f, n);
    }
    kb_lines_close(&in);
    return rc;
}

/* Articles built from sentences without a summary get the label most
 * of their sentences have, ties to the lower index. */
void rep_finish(rep *r)
{
    close_article(r);
    for (size_t i = 0; i < r->n_arts; i++) {
        rep_article *a = &r->arts[i];
        if (a->label == -2)
            a->label = -1;
        if (a->label >= 0 || a->n == 0)
            continue;
        for (int j = 0; j < r->k; j++)
            if (a->counts[j] && (a->label < 0 || a->counts[j] > a->counts[a->label]))
                a->label = j;
    }
}

void rep_free(rep *r)
{
    for (size_t i = 0; i < r->n_arts; i++) {
        free(r->arts[i].doc);
        free(r->arts[i].date);
        free(r->arts[i].source);
        free(r->arts[i].headline);
        free(r->arts[i].counts);
    }
    free(r->arts);
    for (int i = 0; i < r->k; i++)
        free(r->labels[i]);
    for (size_t i = 0; r->examples && i < (size_t)r->k * REP_EXAMPLES; i++) {
        free(r->examples[i].text);
        free(r->examples[i].doc);
    }
    free(r->examples);
    free(r->labels);
    free(r->label_count);
    out_free(&r->sentences);
    out_free(&r->current);
    memset(r, 0, sizeof *r);
}
