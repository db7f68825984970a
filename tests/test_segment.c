/*
 * test_segment.c: sentence splitting: each Arabic-news rule on its own,
 * and the five seed articles against their hand-made gold sentences
 * (skipped when ../shared is not there).
 */
#include "testutil.h"
#include "text.h"

#include <dirent.h>
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

/* The terminator-driven boundaries against ICU's iterator: the same
 * sentences for one text, or a failure naming it. */
static void same_both_ways(kb_segmenter *fast, kb_segmenter *icu,
                           const char *text, size_t len)
{
    kb_error err;
    const kb_span *a, *b;
    size_t na, nb;
    assert_int_equal(kb_segment(fast, text, len, &a, &na, &err), 0);
    assert_int_equal(kb_segment(icu, text, len, &b, &nb, &err), 0);
    int same = na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = a[i].start == b[i].start && a[i].len == b[i].len;
    if (!same) {
        fprintf(stderr, "terminator path: %zu sentences, ICU: %zu, on:\n", na, nb);
        fwrite(text, 1, len, stderr);
        fprintf(stderr, "\n");
        fail();
    }
}

/* Each doc of a corpus TSV as one line of sentences joined by spaces (as
 * an article's paragraph), and each sentence alone. */
static size_t compare_corpus(kb_segmenter *fast, kb_segmenter *icu,
                             const char *path)
{
    size_t len, n = 0, at = 0;
    char *tsv = tu_read_file(path, &len);
    assert_non_null(tsv);
    char *para = malloc(len + 1), *prev_doc = NULL;
    assert_non_null(para);
    for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
        char *cells[5] = {0};
        size_t c = 0;
        for (char *p = line; c < 5 && p; c++) {
            cells[c] = p;
            char *tab = strchr(p, '\t');
            if (tab)
                *tab = '\0';
            p = tab ? tab + 1 : NULL;
        }
        if (c < 4 || !strcmp(cells[2], "text"))
            continue;
        same_both_ways(fast, icu, cells[2], strlen(cells[2]));
        if (prev_doc && strcmp(prev_doc, cells[3]) != 0) {
            same_both_ways(fast, icu, para, at);
            at = 0;
        }
        prev_doc = cells[3];
        memcpy(para + at, cells[2], strlen(cells[2]));
        at += strlen(cells[2]);
        para[at++] = ' ';
        n++;
    }
    same_both_ways(fast, icu, para, at);
    free(para);
    free(tsv);
    return n;
}

static size_t compare_dir(kb_segmenter *fast, kb_segmenter *icu,
                          const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = tu_read_file(path, &len);
        assert_non_null(text);
        same_both_ways(fast, icu, text, len);
        free(text);
        n++;
    }
    closedir(d);
    return n;
}

/* The code points sentence breaking turns on: terminators, closers,
 * spaces, SContinue punctuation, digits, marks, format characters, line
 * breaks, Latin letters of both cases. */
static const int32_t seg_special[] = {
    '.', '.', '!', '?', 0x061F, 0x06D4, 0x2026, 0x2024, 0xFF0E, 0x3002,
    0x203C, ')', ']', '"', '\'', 0x00BB, 0x00AB, 0x201D, 0x201C, 0x2019,
    ' ', ' ', '\t', 0x00A0, 0x2003, ',', 0x060C, '-', ':', ';', 0x061B,
    0xFE50, '0', '7', 0x0663, 0x06F5, 0x064B, 0x0651, 0x0301, 0x200C,
    0x200D, 0x200F, 0x00AD, 0xFEFF, '\n', '\r', 0x2028, 0x0085, 0x0627,
    0x062F, '(', 0x00B7, '/', '@', 'A', 'N', 'Z', 'a', 'n', 'z',
};

/* Boundaries found from the terminators are ICU's on the whole corpus
 * (each sentence, and each document as one paragraph), the example and
 * seed articles, the segmenter's fuzz corpus and 500,000 random texts. */
static void test_terminators_match_icu(void **state)
{
    (void)state;
    kb_error err;
    kb_segmenter *fast = kb_segmenter_new(&err), *icu = kb_segmenter_new(&err);
    assert_non_null(fast);
    assert_non_null(icu);
    kb_segmenter_use_icu(icu, 1);
    size_t n = compare_corpus(fast, icu, tu_src("models/corpus/train.tsv"));
    n += compare_corpus(fast, icu, tu_src("models/corpus/dev.tsv"));
    assert_true(n > 40000);
    size_t len;
    char *ex = tu_read_file(tu_src("examples/article.txt"), &len);
    assert_non_null(ex);
    same_both_ways(fast, icu, ex, len);
    free(ex);
    assert_true(compare_dir(fast, icu, tu_src("fuzz/corpus/segment")) > 100);
    if (tu_have_seeds())
        assert_int_equal(compare_dir(fast, icu, tu_seeds("articles")), 5);
    uint64_t rng = 7;
    char buf[256];
    for (int k = 0; k < 500000; k++) {
        size_t blen = tu_random_text(&rng, seg_special,
                                     sizeof seg_special / sizeof *seg_special,
                                     buf, sizeof buf);
        same_both_ways(fast, icu, buf, blen);
    }
    kb_segmenter_free(fast);
    kb_segmenter_free(icu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminators), cmocka_unit_test(test_glued_period),
        cmocka_unit_test(test_numbers_and_latin),
        cmocka_unit_test(test_lines_and_space), cmocka_unit_test(test_dot_runs),
        cmocka_unit_test(test_long_sentence_is_cut),
        cmocka_unit_test(test_seed_articles),
        cmocka_unit_test(test_terminators_match_icu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
