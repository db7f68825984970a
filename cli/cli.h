/*
 * cli.h: what the khabar command's files share: the subcommands, the line
 * reader for articles, output helpers and the shipped-model lookup.
 */
#ifndef KB_CLI_H
#define KB_CLI_H

#include "khabar.h"
#include <stdio.h>
#include <sys/types.h>

int cmd_normalize(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dupes(int argc, char **argv);

/* Prints "khabar: <msg>" on stderr; returns the exit code 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads an article file line by line, as valid UTF-8: a BOM and CR LF are
 * dropped, invalid sequences are replaced with U+FFFD and counted, and a
 * line that is mostly invalid or holds NUL bytes is an error (binary). */
typedef struct cli_input {
    const char *path; /* "-" for stdin */
    FILE *fp;
    size_t lineno;
    size_t n_bad, first_bad_line;
    char *raw;
    size_t raw_cap;
    char *fixed; /* repaired copy when the line had bad bytes */
} cli_input;

int cli_input_open(cli_input *in, const char *path);
/* 1: a line in *text and *len; 0: end of file; -1: error (printed). */
int cli_input_next(cli_input *in, const char **text, size_t *len);
/* Closes; warns on stderr when bytes were replaced. */
void cli_input_close(cli_input *in);

/* Shipped model: "topic" or "stance" (or NULL = topic) when no such file. */
char *cli_model_path(const char *name_or_path);

/* Output helpers: append to a growable string. */
typedef struct cli_out {
    char *data;
    size_t len, cap;
} cli_out;
void out_bytes(cli_out *o, const char *s, size_t n);
void out_str(cli_out *o, const char *s);
void out_json_str(cli_out *o, const char *s, size_t n);
void out_tsv_field(cli_out *o, const char *s, size_t n);
void out_prob(cli_out *o, double p); /* fixed 4 decimals */
void out_uint(cli_out *o, size_t v);
void out_flush(cli_out *o, FILE *fp); /* writes and empties */
void out_free(cli_out *o);

#endif
