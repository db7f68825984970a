/*
 * embed.c: khabar inside another C program, through the installed
 * library: find the shipped topic model by name, split an article into
 * sentences and label each one.  Built by tests/test_install.sh against
 * an installed prefix, with pkg-config and with CMake's find_package.
 *
 *   cc embed.c $(pkg-config --cflags --libs khabar) -o embed && ./embed
 */
#include <khabar.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *text = argc > 1 ? argv[1]
                                : "قصفت الطائرات البلدة فجر اليوم. "
                                  "واستؤنفت المفاوضات في جنيف مساء.";
    char path[4096];
    kb_error err;
    if (kb_model_find("topic", NULL, path, sizeof path, &err) != 0) {
        fprintf(stderr, "embed: %s\n", err.msg);
        return 1;
    }
    kb_model *m = kb_model_load(path, &err);
    kb_segmenter *sg = m ? kb_segmenter_new(&err) : NULL;
    kb_predictor *p = sg ? kb_predictor_new(m, &err) : NULL;
    if (!p) {
        fprintf(stderr, "embed: %s\n", err.msg);
        return 1;
    }
    const kb_span *sp;
    size_t n;
    if (kb_segment(sg, text, strlen(text), &sp, &n, &err) != 0) {
        fprintf(stderr, "embed: %s\n", err.msg);
        return 1;
    }
    printf("khabar %s, model %s\n", kb_version(), path);
    double probs[KB_MAX_LABELS];
    for (size_t i = 0; i < n; i++) {
        int j = kb_predict(p, text + sp[i].start, sp[i].len, probs, &err);
        if (j < 0) {
            fprintf(stderr, "embed: %s\n", err.msg);
            return 1;
        }
        printf("%zu\t%s\t%.4f\t%.*s\n", i + 1, kb_model_label(m, j), probs[j],
               (int)sp[i].len, text + sp[i].start);
    }
    kb_predictor_free(p);
    kb_segmenter_free(sg);
    kb_model_free(m);
    return 0;
}
