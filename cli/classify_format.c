/*
 * classify_format.c: the records `khabar classify` writes, in TSV, CSV
 * or JSON Lines: one per sentence (doc, n, label, confidence, text, the
 * next best labels with --top, the carried fields) and one per article
 * (its label, and its shares by count and by probability mass).
 *
 * An article's label is the label most of its sentences got; a tie goes
 * to the label with more probability mass, never to the order of labels.
 */
#include "classify_job.h"

#include <stdlib.h>
#include <string.h>

const char *job_label_name(const job *jb, int label)
{
    if (label == jb->k)
        return "unknown";
    if (label == jb->k + 1)
        return "uncertain";
    return kb_model_label(jb->model, label);
}

static void field(const job *jb, cli_out *o, const char *s, size_t n, int first)
{
    if (!first)
        out_bytes(o, jb->format == FMT_CSV ? "," : "\t", 1);
    if (jb->format == FMT_CSV)
        out_csv_field(o, s, n);
    else
        out_tsv_field(o, s, n);
}

static void field_str(const job *jb, cli_out *o, const char *s)
{
    field(jb, o, s, strlen(s), 0);
}

static void field_prob(const job *jb, cli_out *o, double p)
{
    out_bytes(o, jb->format == FMT_CSV ? "," : "\t", 1);
    out_prob(o, p);
}

/* The count shares' names: every model label, unknown, and uncertain when
 * --min-confidence can give it. */
static int n_share_labels(const job *jb)
{
    return jb->k + 1 + (jb->min_confidence > 0);
}

void format_header(const job *jb, cli_out *o)
{
    if (jb->format == FMT_JSONL || !jb->header)
        return;
    char name[80];
    if (jb->summary_only) {
        field(jb, o, "doc", 3, 1);
        field_str(jb, o, "sentences");
        field_str(jb, o, "label");
        for (int j = 0; j < n_share_labels(jb); j++) {
            snprintf(name, sizeof name, "share_%s", job_label_name(jb, j));
            field_str(jb, o, name);
        }
        for (int j = 0; j < jb->k; j++) {
            snprintf(name, sizeof name, "mass_%s", job_label_name(jb, j));
            field_str(jb, o, name);
        }
    } else {
        field(jb, o, "doc", 3, 1);
        field_str(jb, o, "n");
        field_str(jb, o, "label");
        field_str(jb, o, "confidence");
        field_str(jb, o, "text");
        for (int r = 2; r <= jb->top; r++) {
            snprintf(name, sizeof name, "label_%d", r);
            field_str(jb, o, name);
            snprintf(name, sizeof name, "confidence_%d", r);
            field_str(jb, o, name);
        }
    }
    for (size_t c = 0; c < jb->n_columns; c++)
        field_str(jb, o, jb->columns[c]);
    out_bytes(o, "\n", 1);
}

/* The model labels by falling probability (ties: the lower index). */
static void ranked(const job *jb, const double *probs, int *order)
{
    for (int j = 0; j < jb->k; j++)
        order[j] = j;
    for (int i = 1; i < jb->k; i++)
        for (int j = i; j > 0 && probs[order[j]] > probs[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

static const rec_field *find_field(const rec_record *rec, const char *name)
{
    for (size_t i = 0; rec && i < rec->n_fields; i++)
        if (strcmp(rec->fields[i].name, name) == 0)
            return &rec->fields[i];
    return NULL;
}

static void carried_columns(const job *jb, const article *a, cli_out *o)
{
    for (size_t c = 0; c < jb->n_columns; c++) {
        const rec_field *f = find_field(a->rec, jb->columns[c]);
        field(jb, o, f ? f->value : "", f ? f->len : 0, 0);
    }
}

static void carried_json(const article *a, cli_out *o)
{
    if (!a->rec || a->rec->n_fields == 0)
        return;
    out_str(o, ",\"meta\":{");
    for (size_t i = 0; i < a->rec->n_fields; i++) {
        const rec_field *f = &a->rec->fields[i];
        out_str(o, i ? "," : "");
        out_json_str(o, f->name, strlen(f->name));
        out_bytes(o, ":", 1);
        if (f->json)
            out_bytes(o, f->value, f->len);
        else
            out_json_str(o, f->value, f->len);
    }
    out_bytes(o, "}", 1);
}

static void json_label_map(const job *jb, cli_out *o, const char *key,
                           const double *v, int n)
{
    out_str(o, ",\"");
    out_str(o, key);
    out_str(o, "\":{");
    for (int j = 0; j < n; j++) {
        const char *name = job_label_name(jb, j);
        out_str(o, j ? "," : "");
        out_json_str(o, name, strlen(name));
        out_bytes(o, ":", 1);
        out_prob(o, v[j]);
    }
    out_bytes(o, "}", 1);
}

void format_sentence(const job *jb, const batch *b, const sentence *s,
                     const double *probs, cli_out *o)
{
    const article *a = b->arts[s->art];
    const char *text = b->text + b->line_at[s->line] + s->start;
    const char *label = job_label_name(jb, s->label);
    int order[KB_MAX_LABELS];
    ranked(jb, probs, order);
    /* an uncertain sentence's confidence is its best label's probability
     * (below --min-confidence); an unknown one's is 0: the model's
     * probabilities (in JSON Lines) mean nothing there */
    double conf = s->label == jb->k ? 0 : probs[order[0]];
    if (jb->format != FMT_JSONL) {
        field(jb, o, a->doc, strlen(a->doc), 1);
        out_bytes(o, jb->format == FMT_CSV ? "," : "\t", 1);
        out_uint(o, s->n);
        field_str(jb, o, label);
        field_prob(jb, o, conf);
        field(jb, o, text, s->len, 0);
        for (int r = 1; r < jb->top; r++) {
            field_str(jb, o, r < jb->k ? job_label_name(jb, order[r]) : "");
            field_prob(jb, o, r < jb->k ? probs[order[r]] : 0);
        }
        carried_columns(jb, a, o);
        out_bytes(o, "\n", 1);
        return;
    }
    out_str(o, "{\"doc\":");
    out_json_str(o, a->doc, strlen(a->doc));
    out_str(o, ",\"n\":");
    out_uint(o, s->n);
    out_str(o, ",\"label\":");
    out_json_str(o, label, strlen(label));
    out_str(o, ",\"confidence\":");
    out_prob(o, conf);
    out_str(o, ",\"text\":");
    out_json_str(o, text, s->len);
    json_label_map(jb, o, "probs", probs, jb->k);
    if (jb->top > 1) {
        out_str(o, ",\"top\":[");
        for (int r = 0; r < jb->top && r < jb->k; r++) {
            const char *name = job_label_name(jb, order[r]);
            out_str(o, r ? ",[" : "[");
            out_json_str(o, name, strlen(name));
            out_bytes(o, ",", 1);
            out_prob(o, probs[order[r]]);
            out_bytes(o, "]", 1);
        }
        out_bytes(o, "]", 1);
    }
    carried_json(a, o);
    out_str(o, "}\n");
}

/* The article's label: most sentences, ties to more probability mass. */
static const char *article_label(const job *jb, const article *a)
{
    if (a->n_sent == 0)
        return NULL;
    int best = -1;
    for (int j = 0; j < jb->k; j++)
        if (a->counts[j] > 0 &&
            (best < 0 || a->counts[j] > a->counts[best] ||
             (a->counts[j] == a->counts[best] && a->mass[j] > a->mass[best])))
            best = j;
    if (best >= 0)
        return job_label_name(jb, best);
    return a->counts[jb->k + 1] > 0 ? "uncertain" : "unknown";
}

void format_summary(const job *jb, const article *a, cli_out *o)
{
    double share[KB_MAX_LABELS + 2], mass[KB_MAX_LABELS], total = 0;
    int ns = n_share_labels(jb);
    for (int j = 0; j < ns; j++)
        share[j] = a->n_sent ? (double)a->counts[j] / (double)a->n_sent : 0;
    for (int j = 0; j < jb->k; j++)
        total += a->mass[j];
    for (int j = 0; j < jb->k; j++)
        mass[j] = total > 0 ? a->mass[j] / total : 0;
    const char *label = article_label(jb, a);
    if (jb->format != FMT_JSONL) {
        field(jb, o, a->doc, strlen(a->doc), 1);
        out_bytes(o, jb->format == FMT_CSV ? "," : "\t", 1);
        out_uint(o, a->n_sent);
        field_str(jb, o, label ? label : "");
        for (int j = 0; j < ns; j++)
            field_prob(jb, o, share[j]);
        for (int j = 0; j < jb->k; j++)
            field_prob(jb, o, mass[j]);
        carried_columns(jb, a, o);
        out_bytes(o, "\n", 1);
        return;
    }
    out_str(o, "{\"doc\":");
    out_json_str(o, a->doc, strlen(a->doc));
    out_str(o, ",\"summary\":true,\"sentences\":");
    out_uint(o, a->n_sent);
    out_str(o, ",\"label\":");
    if (label)
        out_json_str(o, label, strlen(label));
    else
        out_str(o, "null");
    json_label_map(jb, o, "share", share, ns);
    json_label_map(jb, o, "mass", mass, jb->k);
    carried_json(a, o);
    out_str(o, "}\n");
}

int job_set_columns(job *jb, const rec_record *rec)
{
    jb->columns = calloc(rec->n_fields ? rec->n_fields : 1, sizeof *jb->columns);
    if (!jb->columns)
        return -1;
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!(jb->columns[jb->n_columns++] = strdup(rec->fields[i].name)))
            return -1;
    return 0;
}

void job_check_columns(const job *jb, const rec_record *rec, const char *path,
                       int *warned)
{
    if (jb->format == FMT_JSONL || *warned)
        return;
    for (size_t i = 0; i < rec->n_fields; i++) {
        size_t c = 0;
        while (c < jb->n_columns && strcmp(jb->columns[c], rec->fields[i].name))
            c++;
        if (c == jb->n_columns) {
            fprintf(stderr, "khabar: %s:%zu: field '%s' is not among the output "
                            "columns (those of the first record); --format "
                            "jsonl keeps every field\n",
                    path, rec->line, rec->fields[i].name);
            *warned = 1;
            return;
        }
    }
}
