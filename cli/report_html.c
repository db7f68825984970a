/*
 * report_html.c: writes the classify report page: the overview (counts
 * and label shares), the confidence histogram, the timeline of label
 * shares by date and the breakdown by source (when the records carry
 * date and source), the most confident sentences per label, and the
 * table of articles with each article's sentences coloured by label.
 * Charts are inline SVG drawn here; the page needs no network.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

extern const char kb_report_css[];
extern const char kb_report_js[];

#define TOP_SOURCES 25
#define MAX_BUCKETS 400

/* ------------------------------------------------------------- helpers */

void rep_html_text(cli_out *o, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;"
                        : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" : NULL;
        if (!rep)
            continue;
        out_bytes(o, s + run, i - run);
        out_str(o, rep);
        run = i + 1;
    }
    out_bytes(o, s + run, n - run);
}

static void text(cli_out *o, const char *s) { rep_html_text(o, s, strlen(s)); }

/* A JSON string safe inside a <script> element ("</" never appears). */
void rep_json_script_str(cli_out *o, const char *s, size_t n)
{
    cli_out j = {0};
    out_json_str(&j, s, n);
    size_t run = 0;
    for (size_t i = 0; i + 1 < j.len; i++)
        if (j.data[i] == '<' && j.data[i + 1] == '/') {
            out_bytes(o, j.data + run, i + 1 - run);
            out_str(o, "\\");
            run = i + 1;
        }
    out_bytes(o, j.data + run, j.len - run);
    out_free(&j);
}

static void fmt(cli_out *o, const char *f, double v)
{
    char b[64];
    snprintf(b, sizeof b, f, v);
    out_str(o, b);
}

/* 12345 as "12,345". */
static void count(cli_out *o, size_t v)
{
    char b[32], c[48];
    int n = snprintf(b, sizeof b, "%zu", v), j = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            c[j++] = ',';
        c[j++] = b[i];
    }
    c[j] = '\0';
    out_str(o, c);
}

static void kpi(cli_out *o, const char *key, size_t v, const char *what)
{
    out_str(o, "<div class=\"kpi\"><b data-k=\"");
    out_str(o, key);
    out_str(o, "\" data-value=\"");
    out_uint(o, v);
    out_str(o, "\">");
    count(o, v);
    out_str(o, "</b><span>");
    text(o, what);
    out_str(o, "</span></div>");
}

void rep_page_start(cli_out *o, const char *title, const char *subtitle)
{
    out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"khabar " KB_VERSION "\">\n<title>");
    text(o, title);
    out_str(o, "</title>\n<style>\n");
    out_str(o, kb_report_css);
    out_str(o, "</style>\n</head>\n<body>\n<header><h1>");
    text(o, title);
    out_str(o, "</h1><p>");
    text(o, subtitle);
    out_str(o, "</p></header>\n<main>\n");
}

void rep_page_end(cli_out *o, const cli_out *data_json)
{
    out_str(o, "</main>\n<script type=\"application/json\" id=\"kb-data\">");
    out_bytes(o, data_json->data ? data_json->data : "{}", data_json->data ? data_json->len : 2);
    out_str(o, "</script>\n<script>\n");
    out_str(o, kb_report_js);
    out_str(o, "</script>\n</body>\n</html>\n");
}

static void legend(cli_out *o, const rep *r)
{
    out_str(o, "<div class=\"legend\">");
    for (int j = 0; j < r->k; j++) {
        out_str(o, "<span><i style=\"background:");
        out_str(o, rep_color(r->labels[j], j));
        out_str(o, "\"></i>");
        text(o, r->labels[j]);
        out_str(o, "</span>");
    }
    out_str(o, "</div>");
}

/* A 100% stacked bar of counts in (x, y, w, h), stacked left to right,
 * or bottom to top when vertical; each part says its label and count
 * (data-label, data-count, and a tooltip). */
static void stacked_bar(cli_out *o, const rep *r, const size_t *counts, double x,
                        double y, double w, double h, int vertical)
{
    size_t total = 0;
    for (int j = 0; j < r->k; j++)
        total += counts[j];
    double at = vertical ? y + h : x;
    for (int j = 0; j < r->k && total; j++) {
        if (!counts[j])
            continue;
        double part = (vertical ? h : w) * (double)counts[j] / (double)total;
        if (vertical)
            at -= part;
        out_str(o, "<rect x=\"");
        fmt(o, "%.2f", vertical ? x : at);
        out_str(o, "\" y=\"");
        fmt(o, "%.2f", vertical ? at : y);
        out_str(o, "\" width=\"");
        fmt(o, "%.2f", vertical ? w : part);
        out_str(o, "\" height=\"");
        fmt(o, "%.2f", vertical ? part : h);
        out_str(o, "\" fill=\"");
        out_str(o, rep_color(r->labels[j], j));
        out_str(o, "\" data-label=\"");
        text(o, r->labels[j]);
        out_str(o, "\" data-count=\"");
        out_uint(o, counts[j]);
        out_str(o, "\"><title>");
        text(o, r->labels[j]);
        out_str(o, ": ");
        count(o, counts[j]);
        fmt(o, " (%.1f%%)", 100.0 * (double)counts[j] / (double)total);
        out_str(o, "</title></rect>");
        if (!vertical)
            at += part;
    }
}

static void stacked(cli_out *o, const rep *r, const size_t *counts, double x,
                    double y, double w, double h)
{
    stacked_bar(o, r, counts, x, y, w, h, 0);
}

/* ------------------------------------------------------------- overview */

static void overview(cli_out *o, const rep *r)
{
    out_str(o, "<section id=\"kb-overview\"><h2>Overview</h2><div class=\"kpis\">");
    kpi(o, "sentences", r->n_sent, "sentences");
    kpi(o, "articles", r->n_arts, "articles");
    kpi(o, "files", r->n_files, "input files");
    out_str(o, "</div>");
    legend(o, r);
    out_str(o, "<svg viewBox=\"0 0 1000 30\" role=\"img\" aria-label=\"label shares\" id=\"kb-shares\">");
    stacked(o, r, r->label_count, 0, 0, 1000, 30);
    out_str(o, "</svg><div class=\"scroll\"><table id=\"kb-label-table\"><thead><tr><th>label</th>"
               "<th class=\"num\">sentences</th><th class=\"num\">share</th>"
               "<th class=\"num\">articles (their label)</th></tr></thead><tbody>");
    for (int j = 0; j < r->k; j++) {
        size_t arts = 0;
        for (size_t a = 0; a < r->n_arts; a++)
            arts += r->arts[a].label == j;
        out_str(o, "<tr data-label=\"");
        text(o, r->labels[j]);
        out_str(o, "\" data-count=\"");
        out_uint(o, r->label_count[j]);
        out_str(o, "\" data-articles=\"");
        out_uint(o, arts);
        out_str(o, "\"><td><span class=\"chip\" style=\"background:");
        out_str(o, rep_color(r->labels[j], j));
        out_str(o, "\">");
        text(o, r->labels[j]);
        out_str(o, "</span></td><td class=\"num\">");
        count(o, r->label_count[j]);
        out_str(o, "</td><td class=\"num\">");
        fmt(o, "%.1f%%", r->n_sent ? 100.0 * (double)r->label_count[j] / (double)r->n_sent : 0);
        out_str(o, "</td><td class=\"num\">");
        count(o, arts);
        out_str(o, "</td></tr>");
    }
    out_str(o, "</tbody></table></div></section>\n");
}

static void histogram(cli_out *o, const rep *r)
{
    size_t max = 1, total = 0;
    for (int b = 0; b < REP_BINS; b++) {
        max = r->hist[b] > max ? r->hist[b] : max;
        total += r->hist[b];
    }
    out_str(o, "<section id=\"kb-confidence\"><h2>Confidence</h2><p class=\"muted\">"
               "Sentences by the probability of their label (");
    count(o, total);
    out_str(o, " with a model label).</p><svg viewBox=\"0 0 620 220\" role=\"img\" "
               "aria-label=\"confidence histogram\">");
    for (int b = 0; b < REP_BINS; b++) {
        double h = 170.0 * (double)r->hist[b] / (double)max;
        out_str(o, "<rect x=\"");
        fmt(o, "%.1f", 30 + b * 29.0);
        out_str(o, "\" y=\"");
        fmt(o, "%.1f", 180 - h);
        out_str(o, "\" width=\"26\" height=\"");
        fmt(o, "%.1f", h);
        out_str(o, "\" fill=\"#4a6fa5\" data-bin=\"");
        out_uint(o, (size_t)b);
        out_str(o, "\" data-count=\"");
        out_uint(o, r->hist[b]);
        out_str(o, "\"><title>");
        fmt(o, "%.2f", b / (double)REP_BINS);
        fmt(o, "-%.2f: ", (b + 1) / (double)REP_BINS);
        count(o, r->hist[b]);
        out_str(o, "</title></rect>");
    }
    out_str(o, "<line x1=\"28\" y1=\"180\" x2=\"612\" y2=\"180\" stroke=\"#999\"/>"
               "<text x=\"30\" y=\"196\">0</text><text x=\"310\" y=\"196\">0.5</text>"
               "<text x=\"598\" y=\"196\">1</text><text x=\"0\" y=\"14\">");
    count(o, max);
    out_str(o, "</text></svg></section>\n");
}

/* ------------------------------------------------- timeline and sources */

/* The date's bucket: YYYY-MM-DD, YYYY-MM or YYYY (len 10, 7, 4); 0 when
 * the date does not start as an ISO date. */
static size_t date_key(const char *d, size_t want)
{
    if (!d)
        return 0;
    static const char shape[] = "dddd-dd-dd";
    size_t n = strlen(d);
    if (n < want)
        return 0;
    for (size_t i = 0; i < want; i++)
        if (shape[i] == 'd' ? (d[i] < '0' || d[i] > '9') : d[i] != '-')
            return 0;
    return want;
}

typedef struct group {
    const char *key;
    size_t len, n;
    size_t *counts;
} group;

/* An article by its date or source, for sorting (then by position). */
typedef struct keyed {
    const char *key;
    size_t idx;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The articles with a key (their date or source), sorted by it; NULL when
 * there are none.  Sorted by whole dates, they are also in order of each
 * date's year and month prefixes. */
static keyed *sorted_keys(const rep *r, int by_source, size_t *n)
{
    keyed *k = malloc((r->n_arts ? r->n_arts : 1) * sizeof *k);
    *n = 0;
    for (size_t i = 0; k && i < r->n_arts; i++) {
        const char *key = by_source ? r->arts[i].source : r->arts[i].date;
        if (by_source ? key != NULL : date_key(key, 4) != 0)
            k[(*n)++] = (keyed){key, i};
    }
    if (k && *n == 0) {
        free(k);
        return NULL;
    }
    if (k)
        qsort(k, *n, sizeof *k, cmp_keyed);
    return k;
}

/* Groups the sorted articles by their key's first want bytes (want 0:
 * the whole key); counts summed. */
static group *make_groups(const rep *r, const keyed *k, size_t n, size_t want,
                          size_t *ng)
{
    group *g = NULL;
    size_t cap = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        const rep_article *a = &r->arts[k[i].idx];
        size_t len = want ? want : strlen(k[i].key);
        if (!m || g[m - 1].len != len || strncmp(g[m - 1].key, k[i].key, len) != 0) {
            if (KB_GROW(g, cap, m + 1) != 0)
                break;
            g[m] = (group){k[i].key, len, 0, calloc((size_t)r->k, sizeof(size_t))};
            if (!g[m].counts)
                break;
            m++;
        }
        g[m - 1].n += a->n;
        for (int j = 0; j < r->k; j++)
            g[m - 1].counts[j] += a->counts[j];
    }
    *ng = m;
    return g;
}

static void free_groups(group *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(g[i].counts);
    free(g);
}

static void timeline(cli_out *o, const rep *r)
{
    size_t n, ng = 0;
    keyed *keys = sorted_keys(r, 0, &n);
    if (!keys)
        return;
    /* the finest of day, month, year that gives at most MAX_BUCKETS */
    static const size_t wants[] = {10, 7, 4};
    size_t want = 4;
    group *g = NULL;
    for (int w = 0; w < 3; w++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (date_key(keys[i].key, wants[w]))
                k++;
        if (k < n)
            continue; /* some dates lack this precision */
        g = make_groups(r, keys, n, wants[w], &ng);
        if (ng <= MAX_BUCKETS || w == 2) {
            want = wants[w];
            break;
        }
        free_groups(g, ng);
        g = NULL;
    }
    if (!g) {
        free(keys);
        return;
    }
    double bw = 940.0 / (double)ng < 60 ? 940.0 / (double)ng : 60;
    out_str(o, "<section id=\"kb-timeline\"><h2>Label shares by date</h2><p class=\"muted\">"
               "Share of each label among the sentences of the articles of each ");
    out_str(o, want == 10 ? "day" : want == 7 ? "month" : "year");
    out_str(o, " (");
    count(o, n);
    out_str(o, " dated articles).</p>");
    legend(o, r);
    out_str(o, "<div class=\"scroll\"><svg viewBox=\"0 0 1000 230\" role=\"img\" "
               "aria-label=\"timeline\">");
    size_t step = ng / 12 + 1;
    for (size_t i = 0; i < ng; i++) {
        double x = 40 + bw * (double)i;
        out_str(o, "<g data-bucket=\"");
        rep_html_text(o, g[i].key, g[i].len);
        out_str(o, "\" data-n=\"");
        out_uint(o, g[i].n);
        out_str(o, "\">");
        stacked_bar(o, r, g[i].counts, x, 10, bw * 0.85, 180, 1);
        out_str(o, "</g>");
        if (i % step == 0) {
            out_str(o, "<text x=\"");
            fmt(o, "%.1f", x);
            out_str(o, "\" y=\"205\">");
            rep_html_text(o, g[i].key, g[i].len);
            out_str(o, "</text>");
        }
    }
    out_str(o, "<text x=\"0\" y=\"18\">100%</text><text x=\"0\" y=\"190\">0%</text>"
               "</svg></div></section>\n");
    free_groups(g, ng);
    free(keys);
}

static int cmp_group_n(const void *a, const void *b)
{
    const group *x = a, *y = b;
    return (x->n < y->n) - (x->n > y->n);
}

static void sources(cli_out *o, const rep *r)
{
    size_t n, ng = 0;
    keyed *keys = sorted_keys(r, 1, &n);
    group *g = keys ? make_groups(r, keys, n, 0, &ng) : NULL;
    free(keys);
    if (!g)
        return;
    qsort(g, ng, sizeof *g, cmp_group_n);
    size_t shown = ng < TOP_SOURCES ? ng : TOP_SOURCES;
    out_str(o, "<section id=\"kb-sources\"><h2>By source</h2><p class=\"muted\">");
    count(o, ng);
    out_str(o, ng == 1 ? " source" : " sources");
    if (shown < ng) {
        out_str(o, "; the ");
        count(o, shown);
        out_str(o, " with the most sentences");
    }
    out_str(o, ".</p><svg viewBox=\"0 0 600 ");
    out_uint(o, shown * 24 + 8);
    out_str(o, "\" role=\"img\" aria-label=\"sources\">");
    for (size_t i = 0; i < shown; i++) {
        double y = 4 + 24.0 * (double)i;
        out_str(o, "<g data-source=\"");
        rep_html_text(o, g[i].key, g[i].len);
        out_str(o, "\" data-n=\"");
        out_uint(o, g[i].n);
        out_str(o, "\"><text x=\"0\" y=\"");
        fmt(o, "%.1f", y + 15);
        out_str(o, "\">");
        size_t cut = g[i].len < 40 ? g[i].len : 40; /* at a character's start */
        while (cut < g[i].len && ((unsigned char)g[i].key[cut] & 0xC0) == 0x80)
            cut--;
        rep_html_text(o, g[i].key, cut);
        out_str(o, "</text>");
        stacked(o, r, g[i].counts, 170, y, 370, 18);
        out_str(o, "<text x=\"548\" y=\"");
        fmt(o, "%.1f", y + 15);
        out_str(o, "\">");
        count(o, g[i].n);
        out_str(o, "</text></g>");
    }
    out_str(o, "</svg></section>\n");
    free_groups(g, ng);
}

static int cmp_example(const void *a, const void *b)
{
    const rep_example *x = a, *y = b;
    if (!x->text || !y->text)
        return !x->text - !y->text;
    return (x->conf < y->conf) - (x->conf > y->conf);
}

static void examples(cli_out *o, const rep *r)
{
    out_str(o, "<section id=\"kb-examples\"><h2>Most confident sentences per label</h2>");
    for (int j = 0; j < r->k_model; j++) {
        rep_example e[REP_EXAMPLES];
        memcpy(e, r->examples + (size_t)j * REP_EXAMPLES, sizeof e);
        qsort(e, REP_EXAMPLES, sizeof *e, cmp_example);
        out_str(o, "<h3><span class=\"chip\" style=\"background:");
        out_str(o, rep_color(r->labels[j], j));
        out_str(o, "\">");
        text(o, r->labels[j]);
        out_str(o, "</span></h3><ol class=\"examples\">");
        for (int i = 0; i < REP_EXAMPLES && e[i].text; i++) {
            out_str(o, "<li><span class=\"muted\">");
            fmt(o, "%.4f", e[i].conf);
            out_str(o, " &middot; ");
            text(o, e[i].doc);
            out_str(o, "</span><div class=\"ar\" dir=\"rtl\" lang=\"ar\">");
            text(o, e[i].text);
            out_str(o, "</div></li>");
        }
        out_str(o, "</ol>");
    }
    out_str(o, "</section>\n");
}

/* --------------------------------------------------------------- data */

static void json_opt_str(cli_out *o, const char *s)
{
    rep_json_script_str(o, s ? s : "", s ? strlen(s) : 0);
}

static void page_data(const rep *r, cli_out *d)
{
    out_str(d, "{\"kind\":\"classify\",\"labels\":[");
    for (int j = 0; j < r->k; j++) {
        out_str(d, j ? "," : "");
        json_opt_str(d, r->labels[j]);
    }
    out_str(d, "],\"colors\":[");
    for (int j = 0; j < r->k; j++) {
        out_str(d, j ? ",\"" : "\"");
        out_str(d, rep_color(r->labels[j], j));
        out_str(d, "\"");
    }
    out_str(d, "],\"articles\":[");
    for (size_t i = 0; i < r->n_arts; i++) {
        const rep_article *a = &r->arts[i];
        out_str(d, i ? ",[" : "[");
        json_opt_str(d, a->doc);
        out_str(d, ",");
        json_opt_str(d, a->date);
        out_str(d, ",");
        json_opt_str(d, a->source);
        out_str(d, ",");
        out_uint(d, a->n);
        char b[16];
        snprintf(b, sizeof b, ",%d,[", a->label);
        out_str(d, b);
        for (int j = 0; j < r->k; j++) {
            out_str(d, j ? "," : "");
            out_uint(d, a->counts[j]);
        }
        out_str(d, "],");
        json_opt_str(d, a->headline);
        out_str(d, a->has_sentences ? ",1]" : ",0]");
    }
    out_str(d, "],\"sentences\":{");
    out_bytes(d, r->sentences.data ? r->sentences.data : "", r->sentences.len);
    out_str(d, "}}");
}

void rep_html_classify(const rep *r, const char *title, cli_out *o)
{
    char sub[160];
    snprintf(sub, sizeof sub, "%zu sentences in %zu articles, made by khabar %s",
             r->n_sent, r->n_arts, KB_VERSION);
    rep_page_start(o, title, sub);
    overview(o, r);
    out_str(o, "<div class=\"grid\">");
    histogram(o, r);
    if (r->have_source)
        sources(o, r);
    out_str(o, "</div>\n");
    if (r->have_date)
        timeline(o, r);
    out_str(o, "<section id=\"kb-article\" hidden></section>\n"
               "<section><h2>Articles</h2><p class=\"muted\">Click a column to sort; "
               "click an article to read its sentences coloured by label.");
    if (r->n_with_sentences < r->n_arts) {
        out_str(o, " The sentences of ");
        count(o, r->n_arts - r->n_with_sentences);
        out_str(o, " articles are left out of this page (over --max-text-mb).");
    }
    out_str(o, "</p><div id=\"kb-articles\"></div></section>\n");
    examples(o, r);
    cli_out d = {0};
    page_data(r, &d);
    rep_page_end(o, &d);
    out_free(&d);
}
