/*
 * fuzz_model.c: libFuzzer target for the model loader.  With the first
 * byte even, the rest of the input is loaded as it is (the checksum
 * rejects nearly all of it); with it odd, the harness appends the right
 * checksum line, so the parser behind the checksum is exercised too.  A
 * model that loads must classify a sentence.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/khabar-fuzz-model-%ld", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 0;
    fwrite(data + 1, 1, size - 1, fp);
    if (data[0] & 1)
        fprintf(fp, "checksum %016llx\n", (unsigned long long)kb_checksum(data + 1, size - 1));
    fclose(fp);
    kb_error err;
    kb_model *m = kb_model_load(path, &err);
    if (m) {
        kb_predictor *p = kb_predictor_new(m, &err);
        double probs[KB_MAX_LABELS];
        const char *s = "قصفت المدفعية البلدة";
        if (!p || kb_predict(p, s, strlen(s), probs, &err) < 0)
            abort();
        int k = kb_model_n_labels(m), labels[3];
        double art[3 * KB_MAX_LABELS], out[3 * KB_MAX_LABELS];
        for (int i = 0; i < 3; i++)
            memcpy(art + i * k, probs, (size_t)k * sizeof *probs);
        if (kb_context_apply(m, art, 3, out, labels) != 0)
            abort();
        for (int i = 0; i < 3 * k; i++)
            if (!(out[i] >= 0 && out[i] <= 1))
                abort();
        kb_predictor_free(p);
        kb_model_free(m);
    } else if (!strstr(err.msg, path)) {
        abort();
    }
    unlink(path);
    return 0;
}
