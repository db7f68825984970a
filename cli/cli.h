/*
 * cli.h: what the khabar command's files share: the subcommands, error
 * and help reporting, the input files, output helpers and the shipped-
 * model lookup.  Every command reads its lines with the library's one
 * line reader (common/lines.c).
 */
#ifndef KB_CLI_H
#define KB_CLI_H

#include "common.h"

#include <stdio.h>

int cmd_normalize(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dupes(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "khabar: <msg>" on stderr; returns the exit code 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An option parser's result when it printed --help: the command exits 0. */
#define CLI_HELP (-1)
/* Prints a command's help text (a printf format) on stdout; CLI_HELP. */
int cli_help(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes: 0 done, 1 an error (input, model, ...), 2 a usage error,
 * 3 the output could not be written (disk full, closed pipe, ...).
 * `dupes` exits 1 when it finds pairs and 2 for any error. */
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_OUTPUT 3

/* Strict number parsing for options: the whole text, in [lo, hi]; on
 * error prints "--NAME wants ..." and returns -1. */
int cli_long(const char *name, const char *text, long lo, long hi, long *out);
int cli_u64(const char *name, const char *text, uint64_t *out);
int cli_double(const char *name, const char *text, double lo, double hi,
               double *out);

/* Flushes and closes stdout; on failure prints the error and returns
 * CLI_EXIT_OUTPUT, else rc. */
int cli_close_output(int rc);

/* The files named after the options, or standard input ("-") when none. */
char **cli_files(int argc, char **argv, int *nfiles);

/* Opens an article file for kb_lines_next in repair mode; prints errors. */
int cli_open_article(kb_lines *in, const char *path);
/* Closes it, warning on stderr when bytes were replaced. */
void cli_close_article(kb_lines *in);

/* The model file for a name or path (NULL = topic), found as
 * kb_model_find does, with the command's own installed and build-tree
 * directories; prints the error and returns NULL when there is none. */
char *cli_model_path(const char *name_or_path);
/* Finds and loads a model (NULL = topic); prints the error and returns
 * NULL when it cannot.  *path_out (when not NULL) gets the file's path,
 * malloc'ed. */
kb_model *cli_load_model(const char *name_or_path, char **path_out);
/* Prints the model search path, one directory a line (info --paths). */
void cli_print_search_path(void);

/* Output helpers: append to a growable string. */
typedef struct cli_out {
    char *data;
    size_t len, cap;
} cli_out;

/* Prints metrics as eval does: the table, or one JSON object. */
void cli_print_metrics(FILE *fp, const kb_metrics *mt,
                       const char *const *labels);
void cli_print_metrics_json(FILE *fp, const kb_metrics *mt,
                            const char *const *labels, const cli_out *errors);

void out_bytes(cli_out *o, const char *s, size_t n);
void out_str(cli_out *o, const char *s);
void out_json_str(cli_out *o, const char *s, size_t n);
void out_tsv_field(cli_out *o, const char *s, size_t n);
void out_csv_field(cli_out *o, const char *s, size_t n);
void out_prob(cli_out *o, double p); /* fixed 4 decimals */
void out_uint(cli_out *o, size_t v);
void out_flush(cli_out *o, FILE *fp); /* writes and empties */
void out_free(cli_out *o);

#endif
