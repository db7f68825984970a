/*
 * dataset.c: reads labelled sentences from a TSV file with a header row.
 *
 * The label column is named by the caller (the task, e.g. "topic"), the
 * sentence is in "text", the document in "doc" (optional); other columns
 * are ignored, as the labelling guide asks.  Lines are read by the one
 * line reader (common/lines.c) in strict mode: a BOM and CRLF line ends
 * are accepted; invalid UTF-8, NUL bytes and read errors are errors that
 * name the file and line, as are a wrong column count and an empty label
 * or text.  Blank lines are skipped.
 */
#include "common.h"

#define MAX_COLUMNS 64

typedef struct columns {
    int n;
    char *cell[MAX_COLUMNS];
} columns;

/* Splits line in place at tabs; returns the number of cells (or more than
 * MAX_COLUMNS when there are too many to keep). */
static int split_tabs(char *line, columns *c)
{
    c->n = 0;
    char *p = line;
    for (;;) {
        if (c->n < MAX_COLUMNS)
            c->cell[c->n] = p;
        c->n++;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return c->n;
}

static int find_column(const columns *h, const char *name)
{
    for (int i = 0; i < h->n && i < MAX_COLUMNS; i++)
        if (strcmp(h->cell[i], name) == 0)
            return i;
    return -1;
}

static int push_row(kb_dataset *ds, size_t *cap, const char *text,
                    const char *label, const char *doc, size_t line)
{
    size_t cap_label = *cap, cap_doc = *cap, cap_line = *cap;
    if (KB_GROW(ds->text, *cap, ds->n + 1) ||
        KB_GROW(ds->label, cap_label, ds->n + 1) ||
        KB_GROW(ds->doc, cap_doc, ds->n + 1) ||
        KB_GROW(ds->line, cap_line, ds->n + 1))
        return -1;
    ds->text[ds->n] = kb_strdup(text);
    ds->label[ds->n] = kb_strdup(label ? label : "");
    ds->doc[ds->n] = doc ? kb_strdup(doc) : NULL;
    ds->line[ds->n] = line;
    ds->n++;
    if (!ds->text[ds->n - 1] || !ds->label[ds->n - 1] ||
        (doc && !ds->doc[ds->n - 1]))
        return -1;
    return 0;
}

typedef struct tsv_state {
    const char *path;
    int ncol, text_col, label_col, doc_col;
    size_t cap;
} tsv_state;

static int read_header(tsv_state *s, char *line, const char *label_col,
                       kb_error *err)
{
    columns h;
    if (split_tabs(line, &h) > MAX_COLUMNS)
        return kb_fail(err, "%s:1: more than %d columns in the header",
                       s->path, MAX_COLUMNS);
    s->ncol = h.n;
    s->text_col = find_column(&h, "text");
    s->label_col = label_col ? find_column(&h, label_col) : -1;
    s->doc_col = find_column(&h, "doc");
    if (s->text_col < 0)
        return kb_fail(err, "%s:1: the header has no 'text' column", s->path);
    if (label_col && s->label_col < 0)
        return kb_fail(err, "%s:1: the header has no '%s' column (the label "
                            "column; choose it with --task)", s->path,
                       label_col);
    return 0;
}

static int read_row(tsv_state *s, kb_dataset *ds, char *line, size_t lineno,
                    kb_error *err)
{
    columns c;
    int n = split_tabs(line, &c);
    if (n != s->ncol)
        return kb_fail(err, "%s:%zu: expected %d columns (as in the header), "
                            "found %d", s->path, lineno, s->ncol, n);
    const char *text = c.cell[s->text_col];
    const char *label = s->label_col >= 0 ? c.cell[s->label_col] : NULL;
    if (label && !*label)
        return kb_fail(err, "%s:%zu: empty label", s->path, lineno);
    if (label && (strlen(label) >= KB_MAX_LABEL_LEN || strchr(label, ' ')))
        return kb_fail(err, "%s:%zu: label '%.40s' is too long or has a space",
                       s->path, lineno, label);
    if (!*text)
        return kb_fail(err, "%s:%zu: empty text", s->path, lineno);
    const char *doc = s->doc_col >= 0 ? c.cell[s->doc_col] : NULL;
    if (push_row(ds, &s->cap, text, label, doc, lineno) != 0)
        return kb_fail(err, "%s:%zu: out of memory", s->path, lineno);
    return 0;
}

static int read_lines(kb_lines *in, tsv_state *s, const char *label_col,
                      kb_dataset *ds, kb_error *err)
{
    char *line;
    size_t len;
    int have_header = 0, rc;
    while ((rc = kb_lines_next(in, &line, &len, err)) == 1) {
        if (len == 0)
            continue;
        if (!have_header) {
            rc = read_header(s, line, label_col, err);
            have_header = 1;
        } else {
            rc = read_row(s, ds, line, in->lineno, err);
        }
        if (rc != 0)
            return -1;
    }
    if (rc != 0)
        return -1;
    if (!have_header)
        return kb_fail(err, "%s: empty file (expected a header row)", s->path);
    if (ds->n == 0)
        return kb_fail(err, "%s: no data rows after the header", s->path);
    return 0;
}

int kb_dataset_read(const char *path, const char *label_col, kb_dataset *ds,
                    kb_error *err)
{
    memset(ds, 0, sizeof *ds);
    kb_lines in;
    if (kb_lines_open(&in, path, KB_LINES_STRICT, err) != 0)
        return -1;
    tsv_state s = {.path = path};
    ds->path = kb_strdup(path);
    int rc = ds->path ? read_lines(&in, &s, label_col, ds, err)
                      : kb_fail(err, "out of memory");
    kb_lines_close(&in);
    if (rc == 0 && s.doc_col < 0) {
        free(ds->doc);
        ds->doc = NULL;
    }
    if (rc != 0)
        kb_dataset_free(ds);
    return rc;
}

void kb_dataset_free(kb_dataset *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        free(ds->text[i]);
        free(ds->label[i]);
        if (ds->doc)
            free(ds->doc[i]);
    }
    free(ds->text);
    free(ds->label);
    free(ds->doc);
    free(ds->line);
    free(ds->path);
    memset(ds, 0, sizeof *ds);
}
