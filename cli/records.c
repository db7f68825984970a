/*
 * records.c: reads structured input, one article per record: JSON Lines
 * (one object a line), CSV per RFC 4180 (a header line; quoted fields may
 * hold commas, doubled quotes and line breaks) and TSV with a header line.
 * Lines come from the library's line reader in record mode (bad UTF-8
 * repaired, lines whole), so the byte rules are those of every other input.
 */
#include "records.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

int rec_kind(const char *name)
{
    return !strcmp(name, "jsonl") ? REC_JSONL
         : !strcmp(name, "csv")   ? REC_CSV
         : !strcmp(name, "tsv")   ? REC_TSV
                                  : 0;
}

void rec_fields_free(rec_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(f[i].name);
        free(f[i].value);
    }
    free(f);
}

void rec_free(rec_record *rec)
{
    if (!rec)
        return;
    free(rec->text);
    free(rec->id);
    rec_fields_free(rec->fields, rec->n_fields);
    free(rec);
}

/* ---------------------------------------------------------------- JSON */

typedef struct json_in {
    const char *s;
    size_t len, i;
    kb_error *err;
} json_in;

static int json_fail(json_in *j, const char *what)
{
    return kb_fail(j->err, "%s at column %zu", what, j->i + 1);
}

static void skip_space(json_in *j)
{
    while (j->i < j->len && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
                             j->s[j->i] == '\r' || j->s[j->i] == '\n'))
        j->i++;
}

/* After an item of an object or array: 1 when a comma says another one
 * follows, 0 at the closing bracket, -1 (with the error) otherwise. */
static int json_next_item(json_in *j, char close)
{
    skip_space(j);
    if (j->i < j->len && j->s[j->i] == ',') {
        j->i++;
        return 1;
    }
    if (j->i < j->len && j->s[j->i] == close) {
        j->i++;
        return 0;
    }
    return json_fail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

static int hex4(json_in *j, unsigned *v)
{
    *v = 0;
    for (int n = 0; n < 4; n++, j->i++) {
        char c = j->i < j->len ? j->s[j->i] : 0;
        int d = c >= '0' && c <= '9' ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                       : -1;
        if (d < 0)
            return json_fail(j, "bad \\u escape");
        *v = *v * 16 + (unsigned)d;
    }
    return 0;
}

static void put_utf8(cli_out *o, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    out_bytes(o, b, n);
}

/* A \u escape (the backslash and u read): a surrogate pair is joined; a
 * lone surrogate or \u0000 becomes U+FFFD, never a byte that breaks text. */
static int unicode_escape(json_in *j, cli_out *o)
{
    unsigned cp, lo;
    if (hex4(j, &cp) != 0)
        return -1;
    if (cp >= 0xD800 && cp < 0xDC00 && j->i + 1 < j->len &&
        j->s[j->i] == '\\' && j->s[j->i + 1] == 'u') {
        size_t at = j->i;
        j->i += 2;
        if (hex4(j, &lo) != 0)
            return -1;
        if (lo >= 0xDC00 && lo < 0xE000)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        else
            j->i = at; /* not a pair: the next escape stands alone */
    }
    if (cp == 0 || (cp >= 0xD800 && cp < 0xE000))
        cp = 0xFFFD;
    put_utf8(o, cp);
    return 0;
}

/* A string (at its opening quote), decoded into o. */
static int json_string(json_in *j, cli_out *o)
{
    j->i++;
    for (;;) {
        size_t start = j->i;
        while (j->i < j->len && j->s[j->i] != '"' && j->s[j->i] != '\\' &&
               (unsigned char)j->s[j->i] >= 0x20)
            j->i++;
        out_bytes(o, j->s + start, j->i - start);
        if (j->i >= j->len)
            return json_fail(j, "string not closed");
        char c = j->s[j->i];
        if (c == '"') {
            j->i++;
            return 0;
        }
        if (c != '\\')
            return json_fail(j, "control character in a string");
        j->i++;
        c = j->i < j->len ? j->s[j->i++] : 0;
        switch (c) {
        case '"': case '\\': case '/': out_bytes(o, &c, 1); break;
        case 'b': out_str(o, "\b"); break;
        case 'f': out_str(o, "\f"); break;
        case 'n': out_str(o, "\n"); break;
        case 'r': out_str(o, "\r"); break;
        case 't': out_str(o, "\t"); break;
        case 'u':
            if (unicode_escape(j, o) != 0)
                return -1;
            break;
        default: j->i--; return json_fail(j, "bad escape");
        }
    }
}

static int json_number(json_in *j)
{
    const char *s = j->s;
    size_t i = j->i, n = j->len;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return json_fail(j, "bad value");
    if (i < n && s[i] == '.') {
        if (++i >= n || s[i] < '0' || s[i] > '9')
            return json_fail(j, "bad number");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return json_fail(j, "bad number");
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    j->i = i;
    return 0;
}

/* Skips any value, checking it (nested values kept as text by callers). */
static int json_skip(json_in *j, int depth)
{
    skip_space(j);
    if (j->i >= j->len)
        return json_fail(j, "value missing");
    if (depth > MAX_DEPTH)
        return json_fail(j, "nested too deep");
    char c = j->s[j->i];
    if (c == '"') {
        cli_out scratch = {0};
        int rc = json_string(j, &scratch);
        out_free(&scratch);
        return rc;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->i++;
        skip_space(j);
        if (j->i < j->len && j->s[j->i] == close) {
            j->i++;
            return 0;
        }
        for (;;) {
            if (c == '{') {
                skip_space(j);
                if (j->i >= j->len || j->s[j->i] != '"')
                    return json_fail(j, "expected a field name");
                if (json_skip(j, depth + 1) != 0)
                    return -1;
                skip_space(j);
                if (j->i >= j->len || j->s[j->i] != ':')
                    return json_fail(j, "expected ':'");
                j->i++;
            }
            if (json_skip(j, depth + 1) != 0)
                return -1;
            int more = json_next_item(j, close);
            if (more <= 0)
                return more;
        }
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        if (j->len - j->i >= n && memcmp(j->s + j->i, words[w], n) == 0) {
            j->i += n;
            return 0;
        }
    }
    return json_number(j);
}


static char *out_take(cli_out *o)
{
    out_bytes(o, "", 0);
    char *s = o->data ? o->data : calloc(1, 1);
    if (s && o->data)
        s[o->len] = '\0';
    o->data = NULL;
    o->len = o->cap = 0;
    return s;
}

/* One value at j->i into f (a decoded string, or the JSON text). */
static int json_value(json_in *j, rec_field *f)
{
    size_t at = j->i;
    if (j->i < j->len && j->s[j->i] == '"') {
        cli_out o = {0};
        if (json_string(j, &o) != 0) {
            out_free(&o);
            return -1;
        }
        f->len = o.len;
        f->value = out_take(&o);
    } else {
        if (json_skip(j, 1) != 0)
            return -1;
        f->json = 1;
        f->len = j->i - at;
        f->value = malloc(j->i - at + 1);
        if (f->value) {
            memcpy(f->value, j->s + at, j->i - at);
            f->value[j->i - at] = '\0';
        }
    }
    return f->value ? 0 : kb_fail(j->err, "out of memory");
}

int rec_parse_json_array(const char *s, size_t len, rec_field **items,
                         size_t *n, kb_error *err)
{
    json_in j = {s, len, 0, err};
    rec_field *f = NULL;
    size_t nf = 0, cap = 0;
    int rc = 0;
    *items = NULL;
    *n = 0;
    skip_space(&j);
    if (j.i >= len || s[j.i] != '[')
        return json_fail(&j, "not a JSON array");
    j.i++;
    skip_space(&j);
    if (j.i < len && s[j.i] == ']')
        j.i++;
    else
        for (;;) {
            skip_space(&j);
            if (KB_GROW(f, cap, nf + 1) != 0) {
                rc = kb_fail(err, "out of memory");
                break;
            }
            memset(&f[nf], 0, sizeof f[nf]);
            if (json_value(&j, &f[nf++]) != 0) {
                rc = -1;
                break;
            }
            int more = json_next_item(&j, ']');
            if (more <= 0) {
                rc = more;
                break;
            }
        }
    if (rc != 0) {
        rec_fields_free(f, nf);
        return -1;
    }
    *items = f;
    *n = nf;
    return 0;
}

const rec_field *rec_find(const rec_field *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].name && strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

int rec_parse_json_object(const char *s, size_t len, rec_field **fields,
                          size_t *n, kb_error *err)
{
    json_in j = {s, len, 0, err};
    rec_field *f = NULL;
    size_t nf = 0, cap = 0;
    *fields = NULL;
    *n = 0;
    skip_space(&j);
    if (j.i >= len || s[j.i] != '{')
        return json_fail(&j, "not a JSON object");
    j.i++;
    skip_space(&j);
    int rc = 0;
    if (j.i < len && s[j.i] == '}')
        j.i++;
    else
        for (;;) {
            skip_space(&j);
            if (j.i >= len || s[j.i] != '"') {
                rc = json_fail(&j, "expected a field name");
                break;
            }
            if (KB_GROW(f, cap, nf + 1) != 0) {
                rc = kb_fail(err, "out of memory");
                break;
            }
            memset(&f[nf], 0, sizeof f[nf]);
            cli_out o = {0};
            if (json_string(&j, &o) != 0) {
                out_free(&o);
                rc = -1;
                break;
            }
            f[nf].name = out_take(&o);
            nf++;
            skip_space(&j);
            if (j.i >= len || s[j.i] != ':') {
                rc = json_fail(&j, "expected ':'");
                break;
            }
            j.i++;
            skip_space(&j);
            if (!f[nf - 1].name) {
                rc = kb_fail(err, "out of memory");
                break;
            }
            if (json_value(&j, &f[nf - 1]) != 0) {
                rc = -1;
                break;
            }
            int more = json_next_item(&j, '}');
            if (more <= 0) {
                rc = more;
                break;
            }
        }
    if (rc == 0) {
        skip_space(&j);
        if (j.i < len)
            rc = json_fail(&j, "text after the object");
    }
    if (rc != 0) {
        rec_fields_free(f, nf);
        return -1;
    }
    *fields = f;
    *n = nf;
    return 0;
}

/* ----------------------------------------------------------- CSV, TSV */

/* Splits one CSV record (its lines joined with '\n') into fields. */
static int csv_split(const char *s, size_t len, rec_field **fields, size_t *n,
                     kb_error *err)
{
    rec_field *f = NULL;
    size_t nf = 0, cap = 0, i = 0;
    int rc = 0;
    for (;;) {
        cli_out o = {0};
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                size_t start = i;
                while (i < len && s[i] != '"')
                    i++;
                out_bytes(&o, s + start, i - start);
                if (i + 1 < len && s[i + 1] == '"') {
                    out_bytes(&o, "\"", 1);
                    i += 2;
                    continue;
                }
                i++; /* the closing quote */
                break;
            }
            if (i < len && s[i] != ',') {
                rc = kb_fail(err, "text after a quoted field at column %zu", i + 1);
                out_free(&o);
                break;
            }
        } else {
            size_t start = i;
            while (i < len && s[i] != ',')
                i++;
            out_bytes(&o, s + start, i - start);
        }
        if (KB_GROW(f, cap, nf + 1) != 0) {
            out_free(&o);
            rc = kb_fail(err, "out of memory");
            break;
        }
        memset(&f[nf], 0, sizeof f[nf]);
        f[nf].len = o.len;
        f[nf].value = out_take(&o);
        if (!f[nf++].value) {
            rc = kb_fail(err, "out of memory");
            break;
        }
        if (i >= len)
            break;
        i++; /* the comma */
    }
    if (rc != 0) {
        rec_fields_free(f, nf);
        return -1;
    }
    *fields = f;
    *n = nf;
    return 0;
}

/* 1 when len bytes of CSV text hold an odd number of quotes: they flip
 * whether a quoted field is open (a doubled quote flips it twice). */
static int csv_quote_parity(const char *s, size_t len)
{
    int odd = 0;
    for (const char *q = s; (q = memchr(q, '"', len - (size_t)(q - s))); q++)
        odd = !odd;
    return odd;
}

static int tsv_split(const char *s, size_t len, rec_field **fields, size_t *n,
                     kb_error *err)
{
    rec_field *f = NULL;
    size_t nf = 0, cap = 0, i = 0;
    for (;;) {
        size_t start = i;
        while (i < len && s[i] != '\t')
            i++;
        if (KB_GROW(f, cap, nf + 1) != 0 || !(f[nf].value = malloc(i - start + 1))) {
            rec_fields_free(f, nf);
            return kb_fail(err, "out of memory");
        }
        f[nf].name = NULL;
        f[nf].json = 0;
        f[nf].len = i - start;
        memcpy(f[nf].value, s + start, i - start);
        f[nf++].value[i - start] = '\0';
        if (i >= len)
            break;
        i++;
    }
    *fields = f;
    *n = nf;
    return 0;
}

/* The next CSV record's text: lines joined while a quote is open. */
static int csv_record(rec_reader *r, char **text, size_t *len, size_t *line,
                      kb_error *err)
{
    char *t;
    size_t l;
    kb_error e;
    int got = kb_lines_next(&r->in, &t, &l, &e);
    if (got <= 0)
        return got < 0 ? kb_fail(err, "%s", e.msg) - 1 : 0;
    *line = r->in.lineno;
    int open = csv_quote_parity(t, l);
    if (!open) {
        *text = t;
        *len = l;
        return 1;
    }
    r->join.len = 0;
    out_bytes(&r->join, t, l);
    while (open) {
        if ((got = kb_lines_next(&r->in, &t, &l, &e)) < 0)
            return kb_fail(err, "%s", e.msg) - 1;
        if (got == 0)
            return kb_fail(err, "%s:%zu: a quoted field is not closed by the "
                                "end of the file", r->in.path, *line) - 1;
        if (r->join.len + l > KB_MAX_RECORD)
            return kb_fail(err, "%s:%zu: a quoted field is not closed within "
                                "%zu MiB", r->in.path, *line, KB_MAX_RECORD >> 20) - 1;
        out_bytes(&r->join, "\n", 1);
        out_bytes(&r->join, t, l);
        open ^= csv_quote_parity(t, l); /* only the new line is scanned */
    }
    *text = r->join.data;
    *len = r->join.len;
    return 1;
}

static size_t header_col(const rec_reader *r, const char *name)
{
    for (size_t i = 0; name && i < r->n_header; i++)
        if (strcmp(r->header[i], name) == 0)
            return i;
    return SIZE_MAX;
}

static int read_header(rec_reader *r, kb_error *err)
{
    char *t;
    size_t l, line;
    rec_field *f;
    size_t n;
    int got = r->kind == REC_CSV ? csv_record(r, &t, &l, &line, err)
                                 : kb_lines_next(&r->in, &t, &l, err);
    if (got < 0)
        return -1;
    if (got == 0)
        return kb_fail(err, "%s: empty: no header line", r->in.path);
    kb_error e;
    if ((r->kind == REC_CSV ? csv_split(t, l, &f, &n, &e)
                            : tsv_split(t, l, &f, &n, &e)) != 0)
        return kb_fail(err, "%s:1: %s", r->in.path, e.msg);
    r->header = calloc(n, sizeof *r->header);
    if (!r->header) {
        rec_fields_free(f, n);
        return kb_fail(err, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        r->header[i] = f[i].value;
        f[i].value = NULL;
    }
    r->n_header = n;
    rec_fields_free(f, n);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->header[i], r->header[k]) == 0)
                return kb_fail(err, "%s:1: column '%s' appears twice", r->in.path,
                               r->header[i]);
    r->text_col = header_col(r, r->text_field);
    r->id_col = header_col(r, r->id_field);
    if (r->text_col == SIZE_MAX)
        return kb_fail(err, "%s:1: no '%s' column (--text-field names the "
                            "column of the text)", r->in.path, r->text_field);
    if (r->id_field && r->id_col == SIZE_MAX)
        return kb_fail(err, "%s:1: no '%s' column (--id-field)", r->in.path,
                       r->id_field);
    return 0;
}

int rec_open(rec_reader *r, const char *path, int kind, const char *text_field,
             const char *id_field, kb_error *err)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->text_field = text_field;
    r->id_field = id_field;
    r->text_col = r->id_col = SIZE_MAX;
    if (kb_lines_open(&r->in, path, KB_LINES_RECORD, err) != 0)
        return -1;
    if (kind != REC_JSONL && read_header(r, err) != 0) {
        rec_close(r);
        return -1;
    }
    return 0;
}

void rec_close(rec_reader *r)
{
    kb_lines_close(&r->in);
    for (size_t i = 0; i < r->n_header; i++)
        free(r->header[i]);
    free(r->header);
    out_free(&r->join);
    memset(r, 0, sizeof *r);
}

/* Moves the text and id fields of rec->fields into rec->text, rec->id. */
static int take_named(rec_record *rec, const char *text_field,
                      const char *id_field, const char *path, kb_error *err)
{
    size_t ti = SIZE_MAX, ii = SIZE_MAX;
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (ti == SIZE_MAX && strcmp(rec->fields[i].name, text_field) == 0)
            ti = i;
        else if (id_field && ii == SIZE_MAX &&
                 strcmp(rec->fields[i].name, id_field) == 0)
            ii = i;
    }
    if (ti == SIZE_MAX)
        return kb_fail(err, "%s:%zu: no '%s' field (--text-field names the "
                            "field of the text)", path, rec->line, text_field);
    if (id_field && ii == SIZE_MAX)
        return kb_fail(err, "%s:%zu: no '%s' field (--id-field)", path,
                       rec->line, id_field);
    rec_field *t = &rec->fields[ti];
    if (t->json && strcmp(t->value, "null") != 0)
        return kb_fail(err, "%s:%zu: field '%s' is not a string", path,
                       rec->line, text_field);
    if (t->json) { /* null: no text */
        t->value[0] = '\0';
        t->len = 0;
    }
    rec->text = t->value;
    rec->text_len = t->len;
    free(t->name);
    if (ii != SIZE_MAX) {
        rec->id = rec->fields[ii].value;
        free(rec->fields[ii].name);
    }
    size_t keep = 0;
    for (size_t i = 0; i < rec->n_fields; i++)
        if (i != ti && i != ii)
            rec->fields[keep++] = rec->fields[i];
    rec->n_fields = keep;
    return 0;
}

/* CSV/TSV: names the fields by the header. */
static int name_columns(rec_reader *r, rec_record *rec, kb_error *err)
{
    if (rec->n_fields != r->n_header)
        return kb_fail(err, "%s:%zu: %zu fields, the header has %zu", r->in.path,
                       rec->line, rec->n_fields, r->n_header);
    for (size_t i = 0; i < rec->n_fields; i++)
        if (!(rec->fields[i].name = strdup(r->header[i])))
            return kb_fail(err, "out of memory");
    return 0;
}

int rec_next(rec_reader *r, rec_record **out, kb_error *err)
{
    char *t;
    size_t l, line = 0;
    kb_error e;
    int got;
    *out = NULL;
    do {
        got = r->kind == REC_CSV ? csv_record(r, &t, &l, &line, err)
                                 : kb_lines_next(&r->in, &t, &l, &e);
        if (got < 0 && r->kind != REC_CSV)
            got = kb_fail(err, "%s", e.msg) - 1;
        if (got <= 0)
            return got;
        if (r->kind != REC_CSV)
            line = r->in.lineno;
    } while (kb_text_blank(t, l)); /* blank lines hold no record */
    rec_record *rec = calloc(1, sizeof *rec);
    if (!rec)
        return kb_fail(err, "out of memory");
    rec->line = line;
    int rc;
    if (r->kind == REC_JSONL) {
        rc = rec_parse_json_object(t, l, &rec->fields, &rec->n_fields, &e);
        if (rc != 0)
            kb_fail(err, "%s:%zu: %s", r->in.path, line, e.msg);
    } else {
        rc = (r->kind == REC_CSV ? csv_split(t, l, &rec->fields, &rec->n_fields, &e)
                                 : tsv_split(t, l, &rec->fields, &rec->n_fields, &e));
        if (rc != 0)
            kb_fail(err, "%s:%zu: %s", r->in.path, line, e.msg);
        else
            rc = name_columns(r, rec, err);
    }
    if (rc == 0)
        rc = take_named(rec, r->text_field, r->id_field, r->in.path, err);
    if (rc != 0) {
        rec_free(rec);
        return -1;
    }
    *out = rec;
    return 1;
}
