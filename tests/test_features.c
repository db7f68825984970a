/*
 * test_features.c: character and word n-grams: which n-grams a word
 * gives, that the hash space is respected, and that normalised variants
 * of one sentence give the same features.
 */
#include "testutil.h"
#include "featurize.h"

#include <string.h>
#include <unicode/uchar.h>

static size_t total(const kb_counts *c)
{
    size_t t = 0;
    for (size_t i = 0; i < c->n; i++)
        t += c->v[i].count;
    return t;
}

static void test_ngram_counts(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    o.char_min = 2;
    o.char_max = 3;
    o.word_max = 0;
    kb_counts c = {0};
    /* "قصف" padded: <قصف> has 5 symbols: 4 bigrams + 3 trigrams = 7 */
    assert_int_equal(kb_count_features(&o, "قصف", strlen("قصف"), &c, 1), 0);
    assert_int_equal(total(&c), 7);
    /* two words: 7 + 7, punctuation separates and adds nothing */
    assert_int_equal(kb_count_features(&o, "قصف، قصف!", strlen("قصف، قصف!"), &c, 1), 0);
    assert_int_equal(total(&c), 14);
    assert_int_equal(c.n, 7); /* the same 7 n-grams, each counted twice */
    for (size_t i = 0; i < c.n; i++)
        assert_int_equal(c.v[i].count, 2);
    o.word_max = 2;
    assert_int_equal(kb_count_features(&o, "قصف مدفعي", strlen("قصف مدفعي"), &c, 1), 0);
    /* <قصف>: 7; <مدفعي>: 6 bigrams + 5 trigrams = 11; words: 2 + 1 bigram */
    assert_int_equal(total(&c), 7 + 11 + 3);
    kb_counts_free(&c);
}

static void test_sorted_and_bounded(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    o.hash_bits = 10;
    kb_counts c = {0};
    const char *s = "شنت الطائرات الحربية غارات مكثفة على ريف ادلب الجنوبي";
    assert_int_equal(kb_count_features(&o, s, strlen(s), &c, 1), 0);
    assert_true(c.n > 50);
    for (size_t i = 0; i < c.n; i++) {
        assert_true(c.v[i].bucket < 1024);
        if (i)
            assert_true(c.v[i].bucket > c.v[i - 1].bucket);
    }
    kb_counts_free(&c);
}

static void test_unsorted_same_counts(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    kb_counts a = {0}, b = {0};
    const char *s = "قصف قصف مدفعي على مدينة مدينة حلب وريفها الشمالي";
    assert_int_equal(kb_count_features(&o, s, strlen(s), &a, 1), 0);
    assert_int_equal(kb_count_features(&o, s, strlen(s), &b, 0), 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < b.n; i++) {
        size_t j = 0;
        while (j < a.n && a.v[j].bucket != b.v[i].bucket)
            j++;
        assert_true(j < a.n);
        assert_int_equal(a.v[j].count, b.v[i].count);
    }
    kb_counts_free(&a);
    kb_counts_free(&b);
}

static void test_empty_and_no_words(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    kb_counts c = {0};
    assert_int_equal(kb_count_features(&o, "", 0, &c, 1), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(kb_count_features(&o, "!!! ... ؟؟", strlen("!!! ... ؟؟"), &c, 1), 0);
    assert_int_equal(c.n, 0);
    kb_counts_free(&c);
}

/* After normalisation, spelling variants are the same features. */
static void test_variants_meet(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    kb_error err;
    kb_normalizer *nz = kb_normalizer_new(KB_NORM_ALL, &err);
    const char *a = "أعلنت الأُمم المتحدة إرسال ٣ قوافل إلى مدينة حماة";
    const char *b = "اعلنت الامم المتحـدة ارسال 3 قوافل الى مدينه حماه";
    kb_counts ca = {0}, cb = {0};
    size_t n;
    const char *t = kb_normalize(nz, a, strlen(a), &n, &err);
    assert_int_equal(kb_count_features(&o, t, n, &ca, 1), 0);
    t = kb_normalize(nz, b, strlen(b), &n, &err);
    assert_int_equal(kb_count_features(&o, t, n, &cb, 1), 0);
    assert_int_equal(ca.n, cb.n);
    assert_memory_equal(ca.v, cb.v, ca.n * sizeof *ca.v);
    kb_counts_free(&ca);
    kb_counts_free(&cb);
    kb_normalizer_free(nz);
}

/* featurize.c takes U+0621..U+064A as letters without asking ICU. */
static void test_arabic_letters_fast_path(void **state)
{
    (void)state;
    for (UChar32 c = 0x0621; c <= 0x064A; c++)
        assert_true(u_isalnum(c));
}

static void test_option_checks(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_error err;
    kb_feature_opts_default(&o);
    assert_int_equal(kb_feature_opts_check(&o, &err), 0);
    o.char_min = 6;
    o.char_max = 3;
    assert_int_equal(kb_feature_opts_check(&o, &err), -1);
    kb_feature_opts_default(&o);
    o.hash_bits = 40;
    assert_int_equal(kb_feature_opts_check(&o, &err), -1);
    kb_feature_opts_default(&o);
    o.char_min = o.char_max = o.word_max = 0;
    assert_int_equal(kb_feature_opts_check(&o, &err), -1);
}

static void ignore_ngram(void *ctx, uint32_t bucket, const char *g, size_t n)
{
    (void)ctx, (void)bucket, (void)g, (void)n;
}

/* The lead-clause space is filled in the main pass, and word bigrams go
 * on from their first word's hash state; the reference is two passes
 * with every word n-gram hashed whole (the traced path, which explain
 * uses).  On every dev sentence the buckets and counts must be the same,
 * and within each space in the same order (scoring sums each space in
 * that order). */
static void test_lead_in_one_pass(void **state)
{
    (void)state;
    kb_feature_opts o;
    kb_feature_opts_default(&o);
    o.lead_words = 8;
    kb_error err;
    kb_dataset ds;
    assert_int_equal(kb_dataset_read(tu_src("models/corpus/dev.tsv"), "topic", &ds, &err), 0);
    kb_normalizer *nz = kb_normalizer_new(KB_NORM_ALL, &err);
    assert_non_null(nz);
    kb_counts one = {0}, two = {0};
    two.trace = ignore_ngram;
    uint32_t lead_from = (uint32_t)1 << o.hash_bits;
    size_t with_lead = 0;
    for (size_t i = 0; i < ds.n; i++) {
        size_t len;
        const char *t = kb_normalize(nz, ds.text[i], strlen(ds.text[i]), &len, &err);
        assert_non_null(t);
        assert_int_equal(kb_count_features(&o, t, len, &one, 0), 0);
        assert_int_equal(kb_count_features(&o, t, len, &two, 0), 0);
        assert_int_equal(one.n, two.n);
        for (int space = 0; space < 2; space++) {
            size_t a = 0, b = 0;
            for (;;) {
                while (a < one.n && (one.v[a].bucket >= lead_from) != space)
                    a++;
                while (b < two.n && (two.v[b].bucket >= lead_from) != space)
                    b++;
                if (a == one.n || b == two.n)
                    break;
                assert_int_equal(one.v[a].bucket, two.v[b].bucket);
                assert_int_equal(one.v[a].count, two.v[b].count);
                with_lead += space;
                a++, b++;
            }
            assert_true(a == one.n && b == two.n);
        }
    }
    assert_true(with_lead > ds.n); /* the lead space was filled */
    kb_counts_free(&one);
    kb_counts_free(&two);
    kb_normalizer_free(nz);
    kb_dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ngram_counts),
        cmocka_unit_test(test_sorted_and_bounded),
        cmocka_unit_test(test_unsorted_same_counts),
        cmocka_unit_test(test_empty_and_no_words),
        cmocka_unit_test(test_variants_meet),
        cmocka_unit_test(test_option_checks),
        cmocka_unit_test(test_arabic_letters_fast_path),
        cmocka_unit_test(test_lead_in_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
