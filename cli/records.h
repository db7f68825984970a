/*
 * records.h: structured input for `khabar classify --input` and for
 * `khabar report`: JSON Lines, CSV (RFC 4180) and TSV with a header.
 * Each record is one article: its text field, an id, and every other
 * field, kept in input order so that they can be carried to the output.
 */
#ifndef KB_RECORDS_H
#define KB_RECORDS_H

#include "cli.h"

enum { REC_JSONL = 1, REC_CSV, REC_TSV };

/* One field.  json is 1 when value is a JSON literal other than a string
 * (a number, true, false, null, an object or an array), written as is in
 * JSON output; strings are decoded. */
typedef struct rec_field {
    char *name, *value;
    size_t len;
    int json;
} rec_field;

typedef struct rec_record {
    char *text;         /* the text field, decoded ("" when null) */
    size_t text_len;
    char *id;           /* the id field, or NULL */
    rec_field *fields;  /* the other fields, in input order */
    size_t n_fields;
    size_t line;        /* the line the record starts on */
} rec_record;

typedef struct rec_reader {
    kb_lines in;
    int kind;
    const char *text_field, *id_field;
    char **header;      /* CSV and TSV: the column names */
    size_t n_header;
    size_t text_col, id_col; /* SIZE_MAX when absent */
    cli_out join;       /* CSV: a record's lines, joined */
} rec_reader;

/* "jsonl", "csv" or "tsv" to REC_*; 0 when it is none of them. */
int rec_kind(const char *name);
/* Opens path ("-" for stdin); CSV and TSV read their header line here. */
int rec_open(rec_reader *r, const char *path, int kind, const char *text_field,
             const char *id_field, kb_error *err);
/* 1: the next record in *out (free it with rec_free); 0: the end; -1: a
 * bad record (the message names the file and line), and the next call
 * reads the record after it; -2: the rest of the input cannot be read
 * (a read error, binary data, a quote never closed). */
int rec_next(rec_reader *r, rec_record **out, kb_error *err);
void rec_free(rec_record *rec);
void rec_close(rec_reader *r);

/* The fields of one JSON object text (a JSON Lines record); strings are
 * decoded, other values kept as their JSON text.  Returns 0, or -1 with
 * a message naming the column in err. */
int rec_parse_json_object(const char *s, size_t len, rec_field **fields,
                          size_t *n, kb_error *err);
/* The items of one JSON array text, in order: names NULL, values as in
 * rec_parse_json_object. */
int rec_parse_json_array(const char *s, size_t len, rec_field **items,
                         size_t *n, kb_error *err);
/* The field called name, or NULL. */
const rec_field *rec_find(const rec_field *f, size_t n, const char *name);
void rec_fields_free(rec_field *f, size_t n);

#endif
