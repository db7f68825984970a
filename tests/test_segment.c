/*
 * test_segment.c: sentence splitting: each Arabic-news rule on its own,
 * and the five seed articles against their hand-made gold sentences
 * (skipped when ../shared is not there).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Segments text and compares with the expected sentences, joined by '|'. */
static void check(const char *text, const char *want)
{
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    assert_non_null(sg);
    const kb_span *sp;
    size_t n;
    assert_int_equal(kb_segment(sg, text, strlen(text), &sp, &n, &err), 0);
    char got[8192] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(got, "|");
        strncat(got, text + sp[i].start, sp[i].len);
    }
    assert_string_equal(got, want);
    kb_segmenter_free(sg);
}

static void test_terminators(void **state)
{
    (void)state;
    check("قصفت الطائرات البلدة. وقال المرصد إن القتلى ستة! فهل تتوقف الغارات؟ لا أحد يعرف",
          "قصفت الطائرات البلدة.|وقال المرصد إن القتلى ستة!|فهل تتوقف الغارات؟|لا أحد يعرف");
}

static void test_glued_period(void **state)
{
    (void)state;
    check("بدأ الهجوم (الخميس).وأحصى المرصد ستين غارة",
          "بدأ الهجوم (الخميس).|وأحصى المرصد ستين غارة");
    check("عند الحدود الأردنية».كما قال", "عند الحدود الأردنية».|كما قال");
    check("انتهت الجولة.«لا اتفاق» قال الوفد", "انتهت الجولة.|«لا اتفاق» قال الوفد");
    check("قال:«لا».", "قال:«لا».");
}

static void test_numbers_and_latin(void **state)
{
    (void)state;
    check("ارتفع السعر 3.5 بالمئة اليوم.", "ارتفع السعر 3.5 بالمئة اليوم.");
    check("تابعوا pic.twitter.com/abc — Nagi N. Najjar (@Nagi) July 5, 2018",
          "تابعوا pic.twitter.com/abc — Nagi N. Najjar (@Nagi) July 5, 2018");
    check("قال د. أحمد إن الوضع سيئ. وأضاف د.سمير أنه تحسن.",
          "قال د. أحمد إن الوضع سيئ.|وأضاف د.سمير أنه تحسن.");
}

static void test_dot_runs(void **state)
{
    (void)state;
    /* runs of dots in mid-line are headline separators (LABELS.md) */
    check("الجنوب السوري .. هدوء حذر بعد ليلة من القصف",
          "الجنوب السوري .. هدوء حذر بعد ليلة من القصف");
    check("عاجل.. الجيش يدخل البلدة", "عاجل.. الجيش يدخل البلدة");
    check("قال المصدر... ثم غادر. وأضاف أنه عاد", "قال المصدر... ثم غادر.|وأضاف أنه عاد");
    check("انتهى الاجتماع…وبعده بدأ القصف", "انتهى الاجتماع…وبعده بدأ القصف");
    /* at the end of a line it ends the sentence like any terminator */
    check("والبقية تأتي...\nسطر ثان", "والبقية تأتي...|سطر ثان");
    /* a single period glued to a word still ends one */
    check("انتهى.وقال الوفد", "انتهى.|وقال الوفد");
}

static void test_lines_and_space(void **state)
{
    (void)state;
    check("عاجل\nقصف على حلب\r\n\u00a0\u00a0\n  \nمشاركة :",
          "عاجل|قصف على حلب|مشاركة :");
    check("", "");
    check("\n\n \u00a0\n", "");
}

static void test_long_sentence_is_cut(void **state)
{
    (void)state;
    size_t word = strlen("كلمة "), n_words = 3 * KB_MAX_SENTENCE_BYTES / word;
    char *text = malloc(n_words * word + 1);
    for (size_t i = 0; i < n_words; i++)
        memcpy(text + i * word, "كلمة ", word);
    text[n_words * word] = '\0';
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    const kb_span *sp;
    size_t n, total = 0;
    assert_int_equal(kb_segment(sg, text, strlen(text), &sp, &n, &err), 0);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++) {
        assert_true(sp[i].len <= KB_MAX_SENTENCE_BYTES);
        assert_memory_equal(text + sp[i].start, "كلمة", strlen("كلمة"));
        total += sp[i].len;
    }
    assert_true(total + n >= n_words * word - n);
    kb_segmenter_free(sg);
    free(text);
}

/* The gold sentences of one article, in order, from sentences.tsv. */
static size_t gold_of(const char *tsv, const char *doc, char **out, size_t max)
{
    size_t n = 0;
    char *copy = strdup(tsv), *save = NULL;
    strtok_r(copy, "\n", &save); /* header */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cells[5] = {0};
        int c = 0;
        for (char *p = line; c < 5; c++) {
            cells[c] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                c++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (c >= 4 && strcmp(cells[3], doc) == 0 && n < max)
            out[n++] = strdup(cells[2]);
    }
    free(copy);
    return n;
}

static void test_seed_articles(void **state)
{
    (void)state;
    if (!tu_have_seeds())
        skip();
    static const char *docs[] = {"000_eedb363f883cb1e5", "001_e8328f311c58d770",
                                 "002_f209341661600871", "003_98dd004e73fecbeb",
                                 "004_1f08a7d16997556e"};
    char *tsv = tu_read_file(tu_seeds("sentences.tsv"), NULL);
    assert_non_null(tsv);
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    size_t total = 0, exact = 0;
    for (size_t d = 0; d < 5; d++) {
        char path[256], *gold[128];
        snprintf(path, sizeof path, "articles/%s.txt", docs[d]);
        size_t len, ng = gold_of(tsv, docs[d], gold, 128);
        char *text = tu_read_file(tu_seeds(path), &len);
        assert_non_null(text);
        const kb_span *sp;
        size_t n;
        assert_int_equal(kb_segment(sg, text, len, &sp, &n, &err), 0);
        for (size_t g = 0; g < ng; g++) {
            for (size_t i = 0; i < n; i++)
                if (sp[i].len == strlen(gold[g]) &&
                    memcmp(text + sp[i].start, gold[g], sp[i].len) == 0) {
                    exact++;
                    break;
                }
            free(gold[g]);
        }
        total += ng;
        free(text);
    }
    printf("seed segmentation: %zu of %zu gold sentences exact\n", exact, total);
    assert_int_equal(total, 86);
    assert_true(exact * 100 >= total * 95); /* the bar: 0.95 */
    kb_segmenter_free(sg);
    free(tsv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminators), cmocka_unit_test(test_glued_period),
        cmocka_unit_test(test_numbers_and_latin),
        cmocka_unit_test(test_lines_and_space), cmocka_unit_test(test_dot_runs),
        cmocka_unit_test(test_long_sentence_is_cut),
        cmocka_unit_test(test_seed_articles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
