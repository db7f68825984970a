/*
 * main.c: the khabar command.  Each subcommand mirrors one library call:
 * normalize (kb_normalize), segment (kb_segment), train (kb_train,
 * kb_cross_validate, kb_search_c), classify (kb_predict), eval (metrics),
 * info (kb_model_load), dupes (kb_find_duplicates), explain
 * (kb_explain) and report (a page from classify's or eval's output).
 */
#include "cli.h"

#include <signal.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *what;
} commands[] = {
    {"classify", cmd_classify, "label every sentence of articles"},
    {"train", cmd_train, "train a model from a labelled TSV file"},
    {"eval", cmd_eval, "score a model on a labelled TSV file"},
    {"explain", cmd_explain, "show the n-grams behind each sentence's label"},
    {"report", cmd_report, "make an HTML report from classify's or eval's output"},
    {"segment", cmd_segment, "print one sentence a line"},
    {"normalize", cmd_normalize, "print normalised text"},
    {"info", cmd_info, "print a model's header"},
    {"dupes", cmd_dupes, "find duplicate and near-duplicate sentences"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
    fprintf(fp, "khabar %s: sentence-level topic and stance labels for "
                "Arabic news\n\nusage: khabar COMMAND [OPTIONS] [FILE...]\n\n",
            KB_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].what);
    fprintf(fp, "\n'khabar COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    /* a closed pipe is a write error (exit 3, one message), not a signal */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return cli_close_output(0);
    }
    if (!strcmp(argv[1], "--version")) {
        printf("khabar %s (model format %d)\n", kb_version(),
               KB_MODEL_FORMAT_VERSION);
        return cli_close_output(0);
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name))
            return cli_close_output(commands[i].run(argc - 1, argv + 1));
    cli_error("unknown command '%s' (try 'khabar --help')", argv[1]);
    return 2;
}
