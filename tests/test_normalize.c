/*
 * test_normalize.c: every normalisation step, alone and together, and the
 * UTF-8 repair that guards the pipeline's input.
 */
#include "testutil.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diacritics), cmocka_unit_test(test_tatweel),
        cmocka_unit_test(test_alef),       cmocka_unit_test(test_yaa_taa),
        cmocka_unit_test(test_digits),     cmocka_unit_test(test_case_and_nfkc),
        cmocka_unit_test(test_space_and_ignorables),
        cmocka_unit_test(test_step_names), cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_fast_path_letters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
