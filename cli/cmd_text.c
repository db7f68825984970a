/*
 * cmd_text.c: `khabar normalize` and `khabar segment`, the text stages on
 * their own, for users and for debugging.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef int (*line_fn)(void *ctx, const char *text, size_t len, cli_out *o);


/* Runs fn over every line of one file; 1 when the file failed. */
static int each_line_of(const char *path, line_fn fn, void *ctx, cli_out *o)
{
    kb_lines in;
    if (cli_open_article(&in, path) != 0)
        return 1;
    char *text;
    size_t len;
    int r, rc = 0;
    kb_error err;
    while ((r = kb_lines_next(&in, &text, &len, &err)) == 1) {
        if (fn(ctx, text, len, o) != 0) {
            rc = cli_error("%s:%zu: failed", in.path, in.lineno);
            break;
        }
        if (o->len > (1 << 16))
            out_flush(o, stdout);
    }
    if (r < 0)
        rc = cli_error("%s", err.msg);
    cli_close_article(&in);
    return rc;
}

/* Runs fn over every line of every file (stdin when none), streaming;
 * a file that fails is reported and the others still run. */
static int each_line(int argc, char **argv, line_fn fn, void *ctx)
{
    int nfiles, failed = 0;
    char **files = cli_files(argc, argv, &nfiles);
    cli_out o = {0};
    for (int f = 0; f < nfiles && !ferror(stdout); f++)
        failed += each_line_of(files[f], fn, ctx, &o) != 0;
    out_flush(&o, stdout);
    out_free(&o);
    if (failed && nfiles > 1)
        cli_error("%d of %d files could not be read whole (see above)", failed,
                  nfiles);
    return failed ? CLI_EXIT_ERROR : 0;
}

static int normalize_line(void *ctx, const char *text, size_t len, cli_out *o)
{
    kb_error err;
    size_t n;
    const char *t = kb_normalize(ctx, text, len, &n, &err);
    if (!t)
        return cli_error("%s", err.msg);
    out_bytes(o, t, n);
    out_bytes(o, "\n", 1);
    return 0;
}

int cmd_normalize(int argc, char **argv)
{
    static const struct option opts[] = {{"steps", required_argument, 0, 's'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    unsigned flags = KB_NORM_ALL;
    kb_error err;
    int c;
    while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
        if (c == 's' && kb_norm_parse(optarg, &flags, &err) != 0)
            return cli_error("%s", err.msg);
        if (c == 'h') {
            char steps[256];
            kb_norm_names(steps, sizeof steps);
            cli_help("usage: khabar normalize [--steps LIST] [FILE...]\n\n"
                     "Prints each line normalised as the models see it.\n"
                     "  --steps LIST  all (default), none, or a comma list "
                     "of:\n                %s\n", steps);
            return 0;
        }
        if (c == '?')
            return 2;
    }
    kb_normalizer *nz = kb_normalizer_new(flags, &err);
    if (!nz)
        return cli_error("%s", err.msg);
    int rc = each_line(argc, argv, normalize_line, nz);
    kb_normalizer_free(nz);
    return rc;
}

static int segment_line(void *ctx, const char *text, size_t len, cli_out *o)
{
    kb_error err;
    const kb_span *sp;
    size_t n;
    if (kb_segment(ctx, text, len, &sp, &n, &err) != 0)
        return cli_error("%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        out_tsv_field(o, text + sp[i].start, sp[i].len);
        out_bytes(o, "\n", 1);
    }
    return 0;
}

int cmd_segment(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            cli_help("usage: khabar segment [FILE...]\n\nPrints the sentences "
                     "of the articles (stdin when no FILE), one a line.\n");
            return 0;
        }
        return 2;
    }
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    if (!sg)
        return cli_error("%s", err.msg);
    int rc = each_line(argc, argv, segment_line, sg);
    kb_segmenter_free(sg);
    return rc;
}
