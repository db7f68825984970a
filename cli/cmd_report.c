/*
 * cmd_report.c: `khabar report`, one self-contained HTML page (no
 * network: inline CSS, SVG and script) from `khabar classify --format
 * jsonl` output, or from `khabar eval --json [--errors]`.  The page is
 * written whole or not at all (--out), or to stdout.
 */
#include "report.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char report_help[] =
    "usage: khabar report [--out FILE.html] [--title TEXT] "
    "[--max-text-mb N] [FILE...]\n\n"
    "Makes one HTML page, readable offline, from khabar's output in\n"
    "FILE... (stdin when none):\n"
    "  classify --format jsonl: counts and label shares, the confidence\n"
    "    histogram, label shares by date and by source (when the records\n"
    "    carry them: classify --input with date and source fields), the\n"
    "    most confident sentences per label, and a sortable, filterable\n"
    "    table of articles, each with its sentences coloured by label;\n"
    "  eval --json [--errors]: the scores, the confusion matrix as a heat\n"
    "    map, per-class precision, recall and F1, the reliability diagram\n"
    "    and table, and the wrong sentences.\n"
    "  --out FILE      write the page there (whole or not at all); default\n"
    "                  stdout\n"
    "  --title TEXT    the page's title (default 'khabar report')\n"
    "  --max-text-mb N the sentences kept in the page for the article view,\n"
    "                  in MB (default 16); the figures always cover all input\n";

/* The first non-blank line of path into o (eval's JSON is one line;
 * classify's output is read record by record later, never whole). */
static int read_first_line(const char *path, cli_out *o, kb_error *err)
{
    kb_lines in;
    if (kb_lines_open(&in, path, KB_LINES_RECORD, err) != 0)
        return -1;
    char *t;
    size_t l;
    int got;
    while ((got = kb_lines_next(&in, &t, &l, err)) > 0)
        if (!kb_text_blank(t, l)) {
            out_bytes(o, t, l);
            out_bytes(o, "", 0);
            o->data[o->len] = '\0';
            break;
        }
    kb_lines_close(&in);
    return got;
}

/* eval --json's object: confusion and per_class, and no sentence's probs. */
static int looks_like_eval(const cli_out *o)
{
    return o->len > 0 && strstr(o->data, "\"confusion\"") &&
           strstr(o->data, "\"per_class\"") && !strstr(o->data, "\"probs\"");
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"title", required_argument, 0, 't'},
        {"max-text-mb", required_argument, 0, 'x'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *title = "khabar report";
    long max_mb = 16;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't': title = optarg; break;
        case 'x':
            if (cli_long("--max-text-mb", optarg, 0, 4096, &max_mb) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'h': cli_help("%s", report_help); return 0;
        default: return CLI_EXIT_USAGE;
        }
    }
    int nfiles;
    char **files = cli_files(argc, argv, &nfiles);
    kb_error err;
    cli_out page = {0};
    int rc = 0;
    /* eval's JSON is one line: the first line of the file tells */
    cli_out first = {0};
    int is_eval = 0;
    if (nfiles == 1 && strcmp(files[0], "-") != 0) {
        if (read_first_line(files[0], &first, &err) < 0)
            rc = cli_error("%s", err.msg);
        is_eval = looks_like_eval(&first);
    }
    if (rc == 0 && is_eval) {
        if (rep_html_eval(first.data, first.len, title, &page, &err) != 0)
            rc = cli_error("%s: %s", files[0], err.msg);
    } else if (rc == 0) {
        rep r = {0};
        r.text_budget = (size_t)max_mb << 20;
        for (int f = 0; f < nfiles && rc == 0; f++)
            if (rep_read_jsonl(&r, files[f], &err) != 0)
                rc = cli_error("%s", err.msg);
        rep_finish(&r);
        if (rc == 0 && r.n_sent == 0 && r.n_arts == 0)
            rc = cli_error("%s: no records of `khabar classify --format jsonl` "
                           "or `khabar eval --json`", nfiles == 1 ? files[0] : "input");
        if (rc == 0)
            rep_html_classify(&r, title, &page);
        rep_free(&r);
    }
    out_free(&first);
    if (rc == 0) {
        if (out) {
            if (kb_write_file_atomic(out, page.data, page.len, "report", &err) != 0)
                rc = cli_error("%s", err.msg);
        } else {
            out_flush(&page, stdout);
        }
    }
    out_free(&page);
    return rc;
}
