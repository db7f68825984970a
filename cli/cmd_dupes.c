/*
 * cmd_dupes.c: `khabar dupes`, the corpus check for duplicate and
 * near-duplicate sentences across labelled TSV files (kb_find_duplicates).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct row_ref {
    int file;
    size_t row;
} row_ref;

static const char dupes_help[] =
    "usage: khabar dupes [--threshold T] FILE.tsv...\n\n"
    "Lists pairs of sentences, across all the files, that are the same or\n"
    "nearly so once normalised: Jaccard similarity of their character\n"
    "5-grams >= T (default 0.8).  Each file needs a header with a 'text'\n"
    "column.  Exits 0 when it finds none, 1 when it finds some, 2 on an\n"
    "error, 3 when the output cannot be written.\n";

int cmd_dupes(int argc, char **argv)
{
    static const struct option opts[] = {
        {"threshold", required_argument, 0, 'T'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    double threshold = 0.8;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'T':
            threshold = strtod(optarg, &end);
            if (*end || !(threshold > 0 && threshold <= 1))
                return cli_error("--threshold wants a number in (0, 1]"),
                       CLI_EXIT_USAGE;
            break;
        case 'h': cli_help("%s", dupes_help); return 0;
        default: return 2;
        }
    }
    int nf = argc - optind;
    if (nf < 1)
        return cli_error("dupes: give at least one TSV file (see --help)"),
               CLI_EXIT_USAGE;
    kb_dataset *ds = calloc((size_t)nf, sizeof *ds);
    if (!ds)
        return cli_error("out of memory"), CLI_EXIT_USAGE;
    size_t total = 0;
    kb_error err;
    int rc = 0;
    for (int f = 0; f < nf && rc == 0; f++) {
        if (kb_dataset_read(argv[optind + f], NULL, &ds[f], &err) != 0)
            rc = cli_error("%s", err.msg);
        total += ds[f].n;
    }
    const char **texts = malloc((total ? total : 1) * sizeof *texts);
    row_ref *ref = malloc((total ? total : 1) * sizeof *ref);
    if (rc == 0 && (!texts || !ref))
        rc = cli_error("out of memory");
    size_t n = 0;
    for (int f = 0; f < nf && rc == 0; f++)
        for (size_t i = 0; i < ds[f].n; i++, n++) {
            texts[n] = ds[f].text[i];
            ref[n].file = f;
            ref[n].row = i;
        }
    kb_dup_pair *pairs = NULL;
    size_t np = 0;
    if (rc == 0 && kb_find_duplicates(texts, n, threshold, &pairs, &np, &err))
        rc = cli_error("%s", err.msg);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        const kb_dataset *a = &ds[ref[pairs[i].a].file], *b = &ds[ref[pairs[i].b].file];
        size_t ra = ref[pairs[i].a].row, rb = ref[pairs[i].b].row;
        printf("%s:%zu\t%s:%zu\t%.3f\t%s\t%s\n", a->path, a->line[ra], b->path,
               b->line[rb], pairs[i].similarity, a->text[ra], b->text[rb]);
    }
    if (rc == 0)
        fprintf(stderr, "khabar dupes: %zu sentences, %zu pair(s) with "
                        "similarity >= %.2f\n", n, np, threshold);
    free(pairs);
    free(texts);
    free(ref);
    for (int f = 0; f < nf; f++)
        if (ds[f].path)
            kb_dataset_free(&ds[f]);
    free(ds);
    return rc ? CLI_EXIT_USAGE : (np ? 1 : 0);
}
