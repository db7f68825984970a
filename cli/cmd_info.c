/*
 * cmd_info.c: `khabar info`: loads a model file (kb_model_load, which
 * checks it whole) and prints its header.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cmd_info(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--paths")) {
        cli_print_search_path();
        return 0;
    }
    if (argc != 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        cli_help("usage: khabar info MODEL\n       khabar info --paths\n\n"
                 "Checks a model file and prints its settings.  MODEL is a "
                 "path (with a '/'),\nor a name ('topic', 'stance', "
                 "'mine.model') looked up in the model search\npath, which "
                 "--paths prints: $KHABAR_MODEL_PATH, the build tree's "
                 "models/,\nthe installed share/khabar/models.\n");
        return argc == 2 ? 0 : CLI_EXIT_USAGE;
    }
    char *path = NULL;
    kb_model *m = cli_load_model(argv[1], &path);
    if (!m)
        return CLI_EXIT_ERROR;
    const kb_params *o = kb_model_params(m);
    char norm[256];
    kb_norm_format(o->norm, norm, sizeof norm);
    printf("file %s\nwritten_by khabar %s\ntask %s\nlabels", path,
           kb_model_written_by(m), kb_model_task(m));
    for (int j = 0; j < kb_model_n_labels(m); j++)
        printf(" %s", kb_model_label(m, j));
    printf("\nnormalize %s\nchar_ngrams %d %d\nword_ngrams %d\nhash_bits %d\n"
           "min_df %d\nlead_clause %d %g\nsolver %s\nC %g\ncontext %d %d %g\n"
           "class_weights %s\nnb_scale %d\nfeatures %zu\nrows_from_cache %s\n", norm, o->feat.char_min, o->feat.char_max,
           o->feat.word_max, o->feat.hash_bits, o->feat.min_df,
           o->feat.lead_words, o->feat.lead_weight, kb_solver_name(o->solver),
           o->C, o->context, o->context_window, o->context_C,
           o->class_weights[0] ? o->class_weights : "none", o->nb_scale,
           kb_model_n_rows(m),
           kb_model_from_cache(m) ? "yes" : "no");
    free(path);
    kb_model_free(m);
    return 0;
}
