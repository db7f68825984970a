/*
 * test_corpus.c: the corpus is code, so it is tested like code: labels
 * valid and as LABELS.md names them, the counts the product promises, no
 * duplicate or near-duplicate sentences, the train/dev split by whole
 * documents, no seed sentence inside it, and the shipped models exactly
 * the ones the corpus produces.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

static const char *topics[] = {"military", "negotiation", "humanitarian", "other"};
static const char *stances[] = {"pro_government", "pro_opposition", "neutral"};

typedef struct corpus {
    kb_dataset topic[256], stance[256];
    int n_files;
    size_t n_rows;
} corpus;
static corpus C;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int setup(void **state)
{
    (void)state;
    DIR *d = opendir(tu_src("models/corpus/batches"));
    if (!d)
        return -1;
    char *names[256];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 256;)
        if (strstr(e->d_name, ".tsv"))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        char rel[512];
        kb_error err;
        snprintf(rel, sizeof rel, "models/corpus/batches/%s", names[i]);
        if (kb_dataset_read(tu_src(rel), "topic", &C.topic[i], &err) ||
            kb_dataset_read(tu_src(rel), "stance", &C.stance[i], &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
        C.n_rows += C.topic[i].n;
        free(names[i]);
    }
    C.n_files = n;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < C.n_files; i++) {
        kb_dataset_free(&C.topic[i]);
        kb_dataset_free(&C.stance[i]);
    }
    return 0;
}

static int index_of(const char *s, const char **set, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return i;
    return -1;
}

static void test_labels_and_counts(void **state)
{
    (void)state;
    size_t nt[4] = {0}, ns[3] = {0};
    for (int f = 0; f < C.n_files; f++)
        for (size_t i = 0; i < C.topic[f].n; i++) {
            int t = index_of(C.topic[f].label[i], topics, 4);
            int s = index_of(C.stance[f].label[i], stances, 3);
            if (t < 0 || s < 0)
                fail_msg("%s:%zu: unknown label", C.topic[f].path, C.topic[f].line[i]);
            nt[t]++;
            ns[s]++;
            assert_non_null(C.topic[f].doc);
        }
    printf("corpus: %zu sentences in %d batches; military %zu, negotiation %zu, "
           "humanitarian %zu, other %zu; pro_government %zu, pro_opposition %zu, "
           "neutral %zu\n", C.n_rows, C.n_files, nt[0], nt[1], nt[2], nt[3],
           ns[0], ns[1], ns[2]);
    /* the counts issue #3 asks of the corpus */
    assert_true(C.n_rows >= 6000);
    assert_true(nt[0] >= 1200 && nt[1] >= 1200 && nt[2] >= 1200);
    assert_true(nt[3] >= 800);
    assert_true(ns[0] >= 600 && ns[1] >= 600);
}

static void test_documents_whole(void **state)
{
    (void)state;
    /* a document's rows are consecutive and belong to one batch */
    char *seen[20000];
    size_t n_seen = 0;
    for (int f = 0; f < C.n_files; f++) {
        const kb_dataset *d = &C.topic[f];
        for (size_t i = 0; i < d->n; i++) {
            if (i > 0 && strcmp(d->doc[i], d->doc[i - 1]) == 0)
                continue;
            for (size_t j = 0; j < n_seen; j++)
                if (strcmp(seen[j], d->doc[i]) == 0)
                    fail_msg("%s:%zu: document %s is split", d->path, d->line[i], d->doc[i]);
            assert_true(n_seen < 20000);
            seen[n_seen++] = d->doc[i];
        }
    }
    assert_true(n_seen >= 300);
}

static void test_no_near_duplicates(void **state)
{
    (void)state;
    const char **texts = malloc(C.n_rows * sizeof *texts);
    size_t n = 0;
    for (int f = 0; f < C.n_files; f++)
        for (size_t i = 0; i < C.topic[f].n; i++)
            texts[n++] = C.topic[f].text[i];
    kb_dup_pair *pairs;
    size_t np;
    kb_error err;
    assert_int_equal(kb_find_duplicates(texts, n, 0.8, &pairs, &np, &err), 0);
    for (size_t i = 0; i < np && i < 20; i++)
        printf("near-duplicate %.3f: %s | %s\n", pairs[i].similarity,
               texts[pairs[i].a], texts[pairs[i].b]);
    assert_int_equal(np, 0);
    free(pairs);
    free(texts);
}

/* The detector itself finds what it should (and only that). */
static void test_duplicate_detector(void **state)
{
    (void)state;
    const char *t[] = {
        "قصفت المدفعية بلدة كفرنبل صباح الثلاثاء.",
        "وأعلنت الأمم المتحدة إرسال قافلة مساعدات إلى المدينة المحاصرة.",
        "قَصَفَت المدفعيةُ بلدةَ كفرنبل صباحَ الثلاثاء",      /* same letters */
        "واعلنت الامم المتحدة ارسال قافلة مساعدات الى المدينة المحاصرة اليوم.",
        "استؤنفت المفاوضات في جنيف بعد توقف دام شهرين.",
    };
    kb_dup_pair *pairs;
    size_t np;
    kb_error err;
    assert_int_equal(kb_find_duplicates(t, 5, 0.8, &pairs, &np, &err), 0);
    assert_int_equal(np, 2);
    assert_int_equal(pairs[0].a, 0);
    assert_int_equal(pairs[0].b, 2);
    assert_true(pairs[0].similarity > 0.999);
    assert_int_equal(pairs[1].a, 1);
    assert_int_equal(pairs[1].b, 3);
    assert_true(pairs[1].similarity >= 0.8 && pairs[1].similarity < 1);
    free(pairs);
}

/* Letters only, as the before-stop hook compares: no seed sentence (of
 * 25 letters or more) may appear inside a corpus sentence. */
static size_t letters(const char *s, char *out)
{
    size_t o = 0, i = 0, n = strlen(s);
    while (i < n) {
        size_t start = i;
        UChar32 c;
        U8_NEXT((const uint8_t *)s, i, n, c);
        if (c >= 0 && u_isalpha(c)) {
            memcpy(out + o, s + start, i - start);
            o += i - start;
        }
    }
    out[o] = '\0';
    return o;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted unique hashes of the character 5-grams of a letters-only key. */
static size_t shingles(const char *key, uint64_t *out, size_t max)
{
    size_t n = 0, len = strlen(key), off[4096], ncp = 0;
    for (size_t i = 0; i < len && ncp < 4095;) {
        off[ncp++] = i;
        U8_FWD_1_UNSAFE((const uint8_t *)key, i);
    }
    off[ncp] = len;
    for (size_t i = 0; i + 5 <= ncp && n < max; i++) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t b = off[i]; b < off[i + 5]; b++)
            h = (h ^ (unsigned char)key[b]) * 1099511628211ULL;
        out[n++] = h;
    }
    qsort(out, n, sizeof *out, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || out[i] != out[u - 1])
            out[u++] = out[i];
    return u;
}

static double jaccard64(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j])
            both++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return na + nb ? (double)both / (double)(na + nb - both) : 0;
}

/* Neither a copy (the hook's rule) nor a close paraphrase (character
 * 5-gram Jaccard >= 0.5, every pair measured) of a seed sentence. */
static void test_no_seed_sentence(void **state)
{
    (void)state;
    if (!tu_have_seeds())
        skip();
    kb_dataset seeds;
    kb_error err;
    assert_int_equal(kb_dataset_read(tu_seeds("sentences.tsv"), "topic", &seeds, &err), 0);
    static char key[100][8192], row[8192];
    static uint64_t seed_sh[100][1024], row_sh[1024];
    size_t seed_n[100], seed_chars[100], found = 0;
    assert_true(seeds.n <= 100);
    for (size_t s = 0; s < seeds.n; s++) {
        letters(seeds.text[s], key[s]);
        seed_n[s] = shingles(key[s], seed_sh[s], 1024);
        seed_chars[s] = 0;
        for (const char *p = key[s]; *p; p++)
            seed_chars[s] += ((unsigned char)*p & 0xC0) != 0x80;
    }
    for (int f = 0; f < C.n_files; f++)
        for (size_t i = 0; i < C.topic[f].n; i++) {
            if (strlen(C.topic[f].text[i]) >= sizeof row)
                continue;
            letters(C.topic[f].text[i], row);
            size_t rn = shingles(row, row_sh, 1024);
            for (size_t s = 0; s < seeds.n; s++) {
                int copy = seed_chars[s] >= 25 && strstr(row, key[s]);
                double j = jaccard64(row_sh, rn, seed_sh[s], seed_n[s]);
                if (copy || j >= 0.5) {
                    printf("%s:%zu is close to a seed sentence (Jaccard %.2f)\n",
                           C.topic[f].path, C.topic[f].line[i], j);
                    found++;
                }
            }
        }
    assert_int_equal(found, 0);
    kb_dataset_free(&seeds);
}

/* Retrains a shipped model from train.tsv with the settings it records
 * and compares the bytes. */
static void check_shipped(const char *name)
{
    kb_error err;
    char rel[64];
    snprintf(rel, sizeof rel, "models/%s.model", name);
    char *shipped_path = strdup(tu_src(rel));
    kb_model *shipped = kb_model_load(shipped_path, &err);
    if (!shipped)
        fail_msg("%s", err.msg);
    kb_train_opts o;
    kb_train_opts_default(&o);
    o.task = kb_model_task(shipped);
    o.params = *kb_model_params(shipped);
    o.n_labels = kb_model_n_labels(shipped);
    const char *labels[KB_MAX_LABELS];
    for (int j = 0; j < o.n_labels; j++)
        labels[j] = kb_model_label(shipped, j);
    o.labels = labels;
    kb_dataset train;
    assert_int_equal(kb_dataset_read(tu_src("models/corpus/train.tsv"), o.task, &train, &err), 0);
    kb_model *m = kb_train(&train, &o, &err);
    assert_non_null(m);
    char *tmp = tu_write_temp("", 0, ".model");
    assert_int_equal(kb_model_save(m, tmp, &err), 0);
    size_t la, lb;
    char *a = tu_read_file(shipped_path, &la), *b = tu_read_file(tmp, &lb);
    if (la != lb || memcmp(a, b, la) != 0)
        fail_msg("models/%s.model is not what models/corpus/train.tsv produces: "
                 "run models/build.sh", name);
    remove(tmp);
    free(tmp);
    free(a);
    free(b);
    free(shipped_path);
    kb_model_free(m);
    kb_model_free(shipped);
    kb_dataset_free(&train);
}

static void test_shipped_models_reproduce(void **state)
{
    (void)state;
    check_shipped("topic");
    check_shipped("stance");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_and_counts),
        cmocka_unit_test(test_documents_whole),
        cmocka_unit_test(test_duplicate_detector),
        cmocka_unit_test(test_no_near_duplicates),
        cmocka_unit_test(test_no_seed_sentence),
        cmocka_unit_test(test_shipped_models_reproduce),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
