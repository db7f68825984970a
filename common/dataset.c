/*
 * dataset.c: reads labelled sentences from a TSV file with a header row.
 *
 * The label column is named by the caller (the task, e.g. "topic"), the
 * sentence is in "text", the document in "doc" (optional); other columns
 * are ignored, as LABELS.md asks.  A UTF-8 BOM and CRLF line ends are
 * accepted; a wrong column count, an empty label or text, invalid UTF-8
 * and binary data are errors that name the file and line.  Blank lines
 * are skipped.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unicode/utf8.h>

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

static int valid_utf8(const char *s, size_t len, size_t *bad_at)
{
    size_t i = 0;
    while (i < len) {
        UChar32 c;
        size_t at = i;
        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0) {
            *bad_at = at;
            return 0;
        }
    }
    return 1;
}

static int push_row(kb_dataset *ds, size_t *cap, const char *text,
                    const char *label, const char *doc, size_t line)
{
    if (ds->n == *cap) {
        size_t n = *cap ? *cap * 2 : 1024;
        char **t = realloc(ds->text, n * sizeof *t);
        if (t)
            ds->text = t;
        char **l = realloc(ds->label, n * sizeof *l);
        if (l)
            ds->label = l;
        char **d = realloc(ds->doc, n * sizeof *d);
        if (d)
            ds->doc = d;
        size_t *ln = realloc(ds->line, n * sizeof *ln);
        if (ln)
            ds->line = ln;
        if (!t || !l || !d || !ln)
            return -1;
        *cap = n;
    }
    ds->text[ds->n] = kb_strdup(text);
    ds->label[ds->n] = kb_strdup(label);
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
    s->label_col = find_column(&h, label_col);
    s->doc_col = find_column(&h, "doc");
    if (s->text_col < 0)
        return kb_fail(err, "%s:1: the header has no 'text' column", s->path);
    if (s->label_col < 0)
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
    const char *label = c.cell[s->label_col], *text = c.cell[s->text_col];
    if (!*label)
        return kb_fail(err, "%s:%zu: empty label", s->path, lineno);
    if (strlen(label) >= KB_MAX_LABEL_LEN || strchr(label, ' '))
        return kb_fail(err, "%s:%zu: label '%.40s' is too long or has a space",
                       s->path, lineno, label);
    if (!*text)
        return kb_fail(err, "%s:%zu: empty text", s->path, lineno);
    const char *doc = s->doc_col >= 0 ? c.cell[s->doc_col] : NULL;
    if (push_row(ds, &s->cap, text, label, doc, lineno) != 0)
        return kb_fail(err, "%s:%zu: out of memory", s->path, lineno);
    return 0;
}

/* Checks one raw line and strips its line end; 1 = blank, 0 = data. */
static int clean_line(const char *path, char *line, ssize_t *len,
                      size_t lineno, kb_error *err)
{
    size_t bad_at;
    if ((size_t)*len != strlen(line))
        return kb_fail(err, "%s:%zu: NUL byte: binary data, not a TSV file",
                       path, lineno);
    while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
        line[--*len] = '\0';
    if (lineno == 1 && *len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        memmove(line, line + 3, (size_t)*len - 2);
        *len -= 3;
    }
    if (!valid_utf8(line, (size_t)*len, &bad_at))
        return kb_fail(err, "%s:%zu: invalid UTF-8 at byte %zu of the line",
                       path, lineno, bad_at + 1);
    return *len == 0 ? 1 : 0;
}

static int read_lines(FILE *fp, tsv_state *s, const char *label_col,
                      kb_dataset *ds, kb_error *err)
{
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    ssize_t len;
    int have_header = 0, rc = 0;
    while (rc == 0 && (len = getline(&line, &lcap, fp)) >= 0) {
        lineno++;
        rc = clean_line(s->path, line, &len, lineno, err);
        if (rc == 1) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        if (!have_header) {
            rc = read_header(s, line, label_col, err);
            have_header = 1;
        } else {
            rc = read_row(s, ds, line, lineno, err);
        }
    }
    free(line);
    if (rc == 0 && ferror(fp))
        rc = kb_fail(err, "%s: read error: %s", s->path, strerror(errno));
    if (rc == 0 && !have_header)
        rc = kb_fail(err, "%s: empty file (expected a header row)", s->path);
    if (rc == 0 && ds->n == 0)
        rc = kb_fail(err, "%s: no data rows after the header", s->path);
    return rc;
}

int kb_dataset_read(const char *path, const char *label_col, kb_dataset *ds,
                    kb_error *err)
{
    memset(ds, 0, sizeof *ds);
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp)
        return kb_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (fp != stdin)
            fclose(fp);
        return kb_fail(err, "%s: is a directory, not a TSV file", path);
    }
    tsv_state s = {.path = path};
    ds->path = kb_strdup(path);
    int rc = read_lines(fp, &s, label_col, ds, err);
    if (fp != stdin)
        fclose(fp);
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
