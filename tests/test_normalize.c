/*
 * test_normalize.c: every normalisation step, alone and together, and the
 * UTF-8 repair that guards the pipeline's input.
 */
#include "testutil.h"
#include "text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uset.h>

static void check(const char *steps, const char *in, const char *want)
{
    unsigned flags;
    kb_error err;
    assert_int_equal(kb_norm_parse(steps, &flags, &err), 0);
    kb_normalizer *nz = kb_normalizer_new(flags, &err);
    assert_non_null(nz);
    size_t n;
    const char *got = kb_normalize(nz, in, strlen(in), &n, &err);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
    kb_normalizer_free(nz);
}

static void test_diacritics(void **state)
{
    (void)state;
    /* fatha, damma, kasra, shadda, sukun, tanwin */
    check("diacritics", "قَالَ المُرْسِلُ إنَّ كِتَابًا", "قال المرسل إن كتابا");
    /* superscript alef U+0670 and combining hamza below U+0655 */
    check("diacritics", "هٰذا", "هذا");
    check("diacritics", "ا\u0655", "ا");
    /* Latin accents are not Arabic marks: kept */
    check("diacritics", "cafe\u0301", "cafe\u0301");
    check("none", "قَالَ", "قَالَ");
}

static void test_tatweel(void **state)
{
    (void)state;
    check("tatweel", "عاجـــــل", "عاجل");
    check("none", "عاجـل", "عاجـل");
}

static void test_alef(void **state)
{
    (void)state;
    check("alef", "أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنة الله");
}

static void test_yaa_taa(void **state)
{
    (void)state;
    check("yaa", "مصطفى على", "مصطفي علي");
    check("yaa", "فارسی", "فارسي"); /* Persian yeh */
    check("taa", "مدينة حماة", "مدينه حماه");
    check("alef", "مدينة", "مدينة");
}

static void test_digits(void **state)
{
    (void)state;
    check("digits", "٣٢٥ ألفا في ۱۳۹۷ و2018", "325 ألفا في 1397 و2018");
}

static void test_case_and_nfkc(void **state)
{
    (void)state;
    check("case", "Reuters AFP", "reuters afp");
    /* Arabic presentation forms (lam-alef ligature, isolated forms) */
    check("nfkc", "\uFEFB\uFE8E", "لا" "ا");
    check("nfkc", "ﷲ", "الله");
}

static void test_space_and_ignorables(void **state)
{
    (void)state;
    check("space", "  قال\u00a0 \t المرصد  ", "قال المرصد");
    check("ignorables", "لا\u200cتوجد\u200f", "لاتوجد");
    check("all", "\ufeffقالَ  الـمرصدُ: «أُحصِيَت ٦٠٠ غارةٍ»", "قال المرصد: «احصيت 600 غاره»");
}

static void test_step_names(void **state)
{
    (void)state;
    unsigned f;
    kb_error err;
    char buf[256];
    assert_int_equal(kb_norm_parse("all", &f, &err), 0);
    kb_norm_format(f, buf, sizeof buf);
    assert_string_equal(buf, "nfkc,ignorables,diacritics,tatweel,alef,yaa,taa,digits,case,space");
    unsigned g;
    assert_int_equal(kb_norm_parse(buf, &g, &err), 0);
    assert_int_equal(f, g);
    assert_int_equal(kb_norm_parse("alef,bogus", &f, &err), -1);
    assert_non_null(strstr(err.msg, "bogus"));
    assert_int_equal(kb_norm_parse("none", &f, &err), 0);
    kb_norm_format(f, buf, sizeof buf);
    assert_string_equal(buf, "none");
}

/* normalize.c passes these letters through without asking ICU: ICU must
 * agree that no step changes them. */
static void test_fast_path_letters(void **state)
{
    (void)state;
    UErrorCode st = U_ZERO_ERROR;
    USet *marks = uset_openPattern(u"[[:Mn:]&[:scx=Arab:]]", -1, &st);
    assert_true(U_SUCCESS(st));
    for (UChar32 c = 0x21; c < 0x064B; c++) {
        int fast = (c >= 0x0621 && c <= 0x063A && c != 0x0622 && c != 0x0623 &&
                    c != 0x0625 && c != 0x0629) ||
                   (c >= 0x0641 && c <= 0x064A && c != 0x0649) ||
                   (c < 0x80 && !(c >= 'A' && c <= 'Z'));
        if (!fast)
            continue;
        assert_false(u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT));
        assert_false(uset_contains(marks, c));
        assert_false(u_isUWhiteSpace(c));
        assert_int_equal(u_foldCase(c, U_FOLD_CASE_DEFAULT), c);
        if (c > 0x7f)
            assert_int_not_equal(u_charType(c), U_DECIMAL_DIGIT_NUMBER);
        assert_true(c != 0x0640 && c != 0x0649 && c != 0x06CC);
    }
    uset_close(marks);
}

static void repair(const char *in, size_t len, const char *want, size_t bad)
{
    size_t n, nbad;
    char *got = kb_utf8_repair(in, len, &n, &nbad);
    assert_non_null(got);
    assert_memory_equal(got, want, strlen(want));
    assert_int_equal(n, strlen(want));
    assert_int_equal(nbad, bad);
    free(got);
}

static void test_utf8_repair(void **state)
{
    (void)state;
    repair("abc", 3, "abc", 0);
    repair("\xd9\x82\xd8\xa7\xd9\x84", 6, "قال", 0);
    repair("a\xc0\xafz", 4, "a\xEF\xBF\xBD\xEF\xBF\xBDz", 2);   /* overlong '/' */
    repair("a\xed\xa0\x80z", 5, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz", 3); /* lone surrogate */
    repair("a\xd9", 2, "a\xEF\xBF\xBD", 1);             /* truncated at end */
    repair("a\0b", 3, "a\xEF\xBF\xBD" "b", 1);           /* NUL byte */
    repair("\xff\xfe", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2);
}

/* The table path and the ICU reference give the same bytes for text,
 * under every flag set tried; returns 1 when the table path was used. */
static const unsigned flag_sets[] = {
    KB_NORM_ALL, 0, KB_NORM_DIACRITICS | KB_NORM_SPACE,
    KB_NORM_ALL & ~KB_NORM_NFKC, KB_NORM_ALL & ~KB_NORM_DIACRITICS,
    KB_NORM_NFKC | KB_NORM_CASE,
};
#define N_FLAG_SETS (sizeof flag_sets / sizeof flag_sets[0])

static void same_both_ways(kb_normalizer *table, kb_normalizer *icu,
                           const char *text, size_t len)
{
    kb_error e1, e2;
    size_t n1 = 0, n2 = 0;
    const char *a = kb_normalize(table, text, len, &n1, &e1);
    const char *b = kb_normalize(icu, text, len, &n2, &e2);
    assert_true((a == NULL) == (b == NULL));
    if (!a)
        return;
    if (n1 != n2 || memcmp(a, b, n1) != 0)
        fail_msg("table and ICU paths differ on: %.*s", (int)(len < 200 ? len : 200), text);
}

static void compare_file_lines(kb_normalizer *t, kb_normalizer *i, const char *path,
                               size_t *n)
{
    size_t len;
    char *data = tu_read_file(path, &len);
    assert_non_null(data);
    same_both_ways(t, i, data, len); /* the whole file too */
    for (char *p = data, *end = data + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        same_both_ways(t, i, p, l);
        (*n)++;
        p += l + 1;
    }
    free(data);
}

static void compare_dir(kb_normalizer *t, kb_normalizer *i, const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        compare_file_lines(t, i, path, n);
    }
    closedir(d);
}

/* The code points that matter to normalising, beside Arabic and ASCII:
 * Latin-1, controls, spaces, NFKC's special cases. */
static const int32_t norm_special[] = {
    0x00A0, 0x00AA, 0x00B2, 0x00B5, 0x00BC, 0x0130, 0x0340, 0x0345,
    0x0374, 0x037E, 0x0387, 0x0622, 0x0627, 0x0640, 0x064B, 0x0651,
    0x0653, 0x0654, 0x0655, 0x0670, 0x0675, 0x06CC, 0x0660, 0x06F5,
    0x200C, 0x200F, 0x2026, 0xFDFA, 0xFEFB, 0x1F600, 0x0301, 0x0308,
    ' ', '\t', '\n', 0x01, 0x1F, 0x7F,
};

/* The table-driven path against ICU: the corpus, the seed articles, the
 * fuzz corpora and random text, under several flag sets. */
static void test_table_matches_icu(void **state)
{
    (void)state;
    kb_error err;
    for (size_t f = 0; f < N_FLAG_SETS; f++) {
        kb_normalizer *t = kb_normalizer_new(flag_sets[f], &err);
        kb_normalizer *i = kb_normalizer_new(flag_sets[f], &err);
        assert_non_null(t);
        assert_non_null(i);
        kb_normalizer_use_table(i, 0);
        size_t n = 0;
        compare_file_lines(t, i, tu_src("models/corpus/train.tsv"), &n);
        compare_file_lines(t, i, tu_src("models/corpus/dev.tsv"), &n);
        compare_dir(t, i, tu_src("fuzz/corpus/normalize"), &n);
        compare_dir(t, i, tu_src("fuzz/corpus/segment"), &n);
        if (tu_have_seeds())
            compare_dir(t, i, tu_seeds("articles"), &n);
        assert_true(n > 40000);
        uint64_t rng = 42 + f;
        char buf[256];
        for (int k = 0; k < 200000; k++) {
            size_t len = tu_random_text(&rng, norm_special,
                                        sizeof norm_special / sizeof *norm_special,
                                        buf, sizeof buf);
            same_both_ways(t, i, buf, len);
        }
        kb_normalizer_free(t);
        kb_normalizer_free(i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diacritics), cmocka_unit_test(test_tatweel),
        cmocka_unit_test(test_alef),       cmocka_unit_test(test_yaa_taa),
        cmocka_unit_test(test_digits),     cmocka_unit_test(test_case_and_nfkc),
        cmocka_unit_test(test_space_and_ignorables),
        cmocka_unit_test(test_step_names), cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_fast_path_letters),
        cmocka_unit_test(test_table_matches_icu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
