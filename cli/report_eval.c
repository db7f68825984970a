/*
 * report_eval.c: the eval report page, from `khabar eval --json` (with
 * --errors for the table of wrong sentences): accuracy, macro-F1 and
 * ECE, the confusion matrix as a heat map, per-class precision, recall
 * and F1 as bars, the reliability diagram and table, and the errors.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct evald {
    rec_field *top;
    size_t n_top;
    rec_field *labels;
    size_t k;
} evald;

static double num(const rec_field *f)
{
    return f && f->json ? strtod(f->value, NULL) : 0;
}

static void fmtd(cli_out *o, const char *f, double v)
{
    char b[64];
    snprintf(b, sizeof b, f, v);
    out_str(o, b);
}

static const rec_field *field_of(const rec_field *obj, const char *name,
                                 rec_field **f, size_t *n, kb_error *err)
{
    *f = NULL;
    *n = 0;
    if (!obj || !obj->json || rec_parse_json_object(obj->value, obj->len, f, n, err))
        return NULL;
    return rec_find(*f, *n, name);
}

static void kpis(cli_out *o, const evald *e)
{
    static const char *const keys[][2] = {
        {"n", "sentences"}, {"accuracy", "accuracy"}, {"macro_f1", "macro-F1"},
        {"ece", "expected calibration error"}};
    out_str(o, "<section id=\"kb-overview\"><h2>Scores</h2><div class=\"kpis\">");
    for (int i = 0; i < 4; i++) {
        const rec_field *f = rec_find(e->top, e->n_top, keys[i][0]);
        if (!f)
            continue;
        out_str(o, "<div class=\"kpi\"><b data-k=\"");
        out_str(o, keys[i][0]);
        out_str(o, "\" data-value=\"");
        rep_html_text(o, f->value, f->len);
        out_str(o, "\">");
        if (i == 0)
            rep_html_text(o, f->value, f->len);
        else
            fmtd(o, "%.4f", num(f));
        out_str(o, "</b><span>");
        out_str(o, keys[i][1]);
        out_str(o, "</span></div>");
    }
    out_str(o, "</div></section>\n");
}

/* The confusion matrix as a heat map: rows gold, columns predicted; each
 * cell's shade is its share of the row. */
static int confusion(cli_out *o, const evald *e, kb_error *err)
{
    const rec_field *c = rec_find(e->top, e->n_top, "confusion");
    rec_field *rows;
    size_t nr;
    if (!c || !c->json || rec_parse_json_array(c->value, c->len, &rows, &nr, err) ||
        nr != e->k)
        return kb_fail(err, "no confusion matrix of %zu rows", e->k);
    double cell = 560.0 / (double)e->k, x0 = 140, y0 = 110;
    out_str(o, "<section id=\"kb-confusion\"><h2>Confusion matrix</h2><p class=\"muted\">"
               "Rows: gold label; columns: predicted. Shade: share of the row.</p>"
               "<svg viewBox=\"0 0 720 ");
    fmtd(o, "%.0f", y0 + 560 + 10);
    out_str(o, "\" role=\"img\" aria-label=\"confusion matrix\">");
    for (size_t j = 0; j < e->k; j++) {
        out_str(o, "<text x=\"");
        fmtd(o, "%.1f", x0 + cell * ((double)j + 0.5));
        out_str(o, "\" y=\"100\" text-anchor=\"middle\">");
        rep_html_text(o, e->labels[j].value, e->labels[j].len);
        out_str(o, "</text>");
    }
    int rc = 0;
    for (size_t i = 0; i < nr && rc == 0; i++) {
        rec_field *v;
        size_t nv;
        if (rec_parse_json_array(rows[i].value, rows[i].len, &v, &nv, err) || nv != e->k) {
            rc = kb_fail(err, "confusion row %zu is not %zu numbers", i + 1, e->k);
            break;
        }
        double total = 0;
        for (size_t j = 0; j < nv; j++)
            total += num(&v[j]);
        out_str(o, "<text x=\"130\" y=\"");
        fmtd(o, "%.1f", y0 + cell * ((double)i + 0.5) + 4);
        out_str(o, "\" text-anchor=\"end\">");
        rep_html_text(o, e->labels[i].value, e->labels[i].len);
        out_str(o, "</text>");
        for (size_t j = 0; j < nv; j++) {
            double share = total > 0 ? num(&v[j]) / total : 0;
            out_str(o, "<rect x=\"");
            fmtd(o, "%.1f", x0 + cell * (double)j);
            out_str(o, "\" y=\"");
            fmtd(o, "%.1f", y0 + cell * (double)i);
            out_str(o, "\" width=\"");
            fmtd(o, "%.1f", cell - 2);
            out_str(o, "\" height=\"");
            fmtd(o, "%.1f", cell - 2);
            out_str(o, "\" fill=\"");
            fmtd(o, i == j ? "rgba(40,116,166,%.3f)" : "rgba(192,57,43,%.3f)",
                 0.08 + 0.92 * sqrt(share));
            out_str(o, "\" data-gold=\"");
            rep_html_text(o, e->labels[i].value, e->labels[i].len);
            out_str(o, "\" data-pred=\"");
            rep_html_text(o, e->labels[j].value, e->labels[j].len);
            out_str(o, "\" data-count=\"");
            rep_html_text(o, v[j].value, v[j].len);
            out_str(o, "\"/><text x=\"");
            fmtd(o, "%.1f", x0 + cell * ((double)j + 0.5));
            out_str(o, "\" y=\"");
            fmtd(o, "%.1f", y0 + cell * ((double)i + 0.5) + 4);
            out_str(o, "\" text-anchor=\"middle\"");
            out_str(o, share > 0.5 ? " style=\"fill:#fff\">" : ">");
            rep_html_text(o, v[j].value, v[j].len);
            out_str(o, "</text>");
        }
        rec_fields_free(v, nv);
    }
    out_str(o, "</svg></section>\n");
    rec_fields_free(rows, nr);
    return rc;
}

static int per_class(cli_out *o, const evald *e, kb_error *err)
{
    static const char *const metric[] = {"precision", "recall", "f1"};
    static const char *const color[] = {"#5d8aa8", "#e1a95f", "#3b7a57"};
    const rec_field *pc = rec_find(e->top, e->n_top, "per_class");
    double gw = 900.0 / (double)e->k;
    out_str(o, "<section id=\"kb-per-class\"><h2>Per class</h2><div class=\"legend\">");
    for (int m = 0; m < 3; m++) {
        out_str(o, "<span><i style=\"background:");
        out_str(o, color[m]);
        out_str(o, "\"></i>");
        out_str(o, metric[m]);
        out_str(o, "</span>");
    }
    out_str(o, "</div><svg viewBox=\"0 0 960 250\" role=\"img\" aria-label=\"per-class scores\">");
    int rc = 0;
    for (size_t j = 0; j < e->k && rc == 0; j++) {
        rec_field *cf, *mf;
        size_t ncf, nmf;
        const rec_field *cls = field_of(pc, e->labels[j].value, &cf, &ncf, err);
        if (!cls || rec_parse_json_object(cls->value, cls->len, &mf, &nmf, err)) {
            rec_fields_free(cf, ncf);
            rc = kb_fail(err, "no per_class scores for '%s'", e->labels[j].value);
            break;
        }
        for (int m = 0; m < 3; m++) {
            double v = num(rec_find(mf, nmf, metric[m]));
            double x = 50 + gw * (double)j + (gw - 30) / 3 * m + 10, h = 200 * v;
            out_str(o, "<rect x=\"");
            fmtd(o, "%.1f", x);
            out_str(o, "\" y=\"");
            fmtd(o, "%.1f", 210 - h);
            out_str(o, "\" width=\"");
            fmtd(o, "%.1f", (gw - 30) / 3 - 4);
            out_str(o, "\" height=\"");
            fmtd(o, "%.1f", h);
            out_str(o, "\" fill=\"");
            out_str(o, color[m]);
            out_str(o, "\" data-label=\"");
            rep_html_text(o, e->labels[j].value, e->labels[j].len);
            out_str(o, "\" data-metric=\"");
            out_str(o, metric[m]);
            out_str(o, "\" data-value=\"");
            fmtd(o, "%.6f", v);
            out_str(o, "\"><title>");
            out_str(o, metric[m]);
            fmtd(o, " %.4f</title></rect>", v);
        }
        out_str(o, "<text x=\"");
        fmtd(o, "%.1f", 50 + gw * ((double)j + 0.5));
        out_str(o, "\" y=\"230\" text-anchor=\"middle\">");
        rep_html_text(o, e->labels[j].value, e->labels[j].len);
        out_str(o, "</text>");
        rec_fields_free(mf, nmf);
        rec_fields_free(cf, ncf);
    }
    out_str(o, "<line x1=\"45\" y1=\"210\" x2=\"950\" y2=\"210\" stroke=\"#999\"/>"
               "<text x=\"0\" y=\"14\">1.0</text><text x=\"0\" y=\"114\">0.5</text></svg></section>\n");
    return rc;
}

static void reliability(cli_out *o, const evald *e, kb_error *err)
{
    const rec_field *rel = rec_find(e->top, e->n_top, "reliability");
    rec_field *bins;
    size_t nb;
    if (!rel || !rel->json || rec_parse_json_array(rel->value, rel->len, &bins, &nb, err))
        return;
    out_str(o, "<section id=\"kb-reliability\"><h2>Reliability</h2><p class=\"muted\">"
               "Bars: accuracy per confidence bin; the diagonal is perfect calibration.</p>"
               "<svg viewBox=\"0 0 320 250\" role=\"img\" aria-label=\"reliability diagram\">"
               "<line x1=\"30\" y1=\"210\" x2=\"310\" y2=\"10\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>");
    cli_out table = {0};
    out_str(&table, "<div class=\"scroll\"><table id=\"kb-reliability-table\"><thead><tr><th>bin</th>"
                    "<th class=\"num\">count</th><th class=\"num\">confidence</th>"
                    "<th class=\"num\">accuracy</th></tr></thead><tbody>");
    for (size_t i = 0; i < nb; i++) {
        rec_field *b;
        size_t n;
        if (rec_parse_json_object(bins[i].value, bins[i].len, &b, &n, err))
            continue;
        double lo = num(rec_find(b, n, "lo")), acc = num(rec_find(b, n, "accuracy"));
        const rec_field *c = rec_find(b, n, "count");
        out_str(o, "<rect x=\"");
        fmtd(o, "%.1f", 30 + 280 * lo);
        out_str(o, "\" y=\"");
        fmtd(o, "%.1f", 210 - 200 * acc);
        out_str(o, "\" width=\"26\" height=\"");
        fmtd(o, "%.1f", 200 * acc);
        out_str(o, "\" fill=\"#4a6fa5\" data-lo=\"");
        fmtd(o, "%.1f", lo);
        out_str(o, "\" data-accuracy=\"");
        fmtd(o, "%.6f", acc);
        out_str(o, "\"/>");
        out_str(&table, "<tr><td>");
        fmtd(&table, "%.1f", lo);
        fmtd(&table, "-%.1f", lo + 0.1);
        out_str(&table, "</td><td class=\"num\">");
        if (c)
            rep_html_text(&table, c->value, c->len);
        out_str(&table, "</td><td class=\"num\">");
        fmtd(&table, "%.4f", num(rec_find(b, n, "confidence")));
        out_str(&table, "</td><td class=\"num\">");
        fmtd(&table, "%.4f", acc);
        out_str(&table, "</td></tr>");
        rec_fields_free(b, n);
    }
    out_str(o, "<text x=\"30\" y=\"228\">0</text><text x=\"296\" y=\"228\">1</text></svg>");
    out_bytes(o, table.data, table.len);
    out_str(o, "</tbody></table></div></section>\n");
    out_free(&table);
    rec_fields_free(bins, nb);
}

/* The data for the errors table: [line, doc, gold, pred, confidence, text]. */
static void errors_data(const evald *e, cli_out *d, size_t *n_errors, kb_error *err)
{
    const rec_field *errs = rec_find(e->top, e->n_top, "errors");
    rec_field *items = NULL;
    size_t n = 0;
    out_str(d, "{\"kind\":\"eval\",\"labels\":[");
    for (size_t j = 0; j < e->k; j++) {
        out_str(d, j ? "," : "");
        rep_json_script_str(d, e->labels[j].value, e->labels[j].len);
    }
    out_str(d, "],\"colors\":[");
    for (size_t j = 0; j < e->k; j++) {
        out_str(d, j ? ",\"" : "\"");
        out_str(d, rep_color(e->labels[j].value, (int)j));
        out_str(d, "\"");
    }
    out_str(d, "],\"errors\":[");
    if (errs && errs->json)
        rec_parse_json_array(errs->value, errs->len, &items, &n, err);
    *n_errors = 0;
    for (size_t i = 0; i < n; i++) {
        rec_field *f;
        size_t nf;
        if (rec_parse_json_object(items[i].value, items[i].len, &f, &nf, err))
            continue;
        const rec_field *doc = rec_find(f, nf, "doc"), *text = rec_find(f, nf, "text");
        const rec_field *gold = rec_find(f, nf, "gold"), *pred = rec_find(f, nf, "pred");
        int g = -1, p = -1;
        for (size_t j = 0; j < e->k; j++) {
            if (gold && strcmp(gold->value, e->labels[j].value) == 0)
                g = (int)j;
            if (pred && strcmp(pred->value, e->labels[j].value) == 0)
                p = (int)j;
        }
        if (g >= 0 && p >= 0 && text) {
            char b[96];
            snprintf(b, sizeof b, "%s[%.0f,", (*n_errors)++ ? "," : "",
                     num(rec_find(f, nf, "line")));
            out_str(d, b);
            rep_json_script_str(d, doc ? doc->value : "", doc ? doc->len : 0);
            snprintf(b, sizeof b, ",%d,%d,%.4f,", g, p, num(rec_find(f, nf, "confidence")));
            out_str(d, b);
            rep_json_script_str(d, text->value, text->len);
            out_str(d, "]");
        }
        rec_fields_free(f, nf);
    }
    out_str(d, "]}");
    rec_fields_free(items, n);
}

int rep_html_eval(const char *json, size_t len, const char *title, cli_out *o,
                  kb_error *err)
{
    evald e = {0};
    if (rec_parse_json_object(json, len, &e.top, &e.n_top, err) != 0)
        return -1;
    const rec_field *labels = rec_find(e.top, e.n_top, "labels");
    int rc = 0;
    if (!labels || !labels->json ||
        rec_parse_json_array(labels->value, labels->len, &e.labels, &e.k, err) ||
        e.k < 2 || !rec_find(e.top, e.n_top, "confusion"))
        rc = kb_fail(err, "not the JSON of `khabar eval --json`");
    cli_out body = {0}, d = {0};
    size_t n_errors = 0;
    if (rc == 0) {
        kpis(&body, &e);
        out_str(&body, "<div class=\"grid\">");
        rc = confusion(&body, &e, err);
    }
    if (rc == 0) {
        reliability(&body, &e, err);
        out_str(&body, "</div>\n");
        rc = per_class(&body, &e, err);
    }
    if (rc == 0) {
        errors_data(&e, &d, &n_errors, err);
        char sub[128];
        snprintf(sub, sizeof sub, "evaluation, made by khabar %s", KB_VERSION);
        rep_page_start(o, title, sub);
        out_bytes(o, body.data, body.len);
        out_str(o, "<section><h2>Errors</h2><p class=\"muted\">");
        if (rec_find(e.top, e.n_top, "errors"))
            out_uint(o, n_errors), out_str(o, " wrong sentences; click a column to sort.");
        else
            out_str(o, "Run <code>khabar eval --json --errors</code> to list the wrong sentences here.");
        out_str(o, "</p><div id=\"kb-errors\"></div></section>\n");
        rep_page_end(o, &d);
    }
    out_free(&body);
    out_free(&d);
    rec_fields_free(e.labels, e.k);
    rec_fields_free(e.top, e.n_top);
    return rc;
}
