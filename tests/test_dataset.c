/*
 * test_dataset.c: the labelled-TSV reader on good and bad files: BOM and
 * CRLF handled, extra columns ignored, and every kind of bad input an
 * error that names the file and the line.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *H = "topic\tstance\ttext\tdoc\n";

/* Reads data through a temp file; returns rc and leaves the message. */
static int read_tsv(const char *data, size_t len, kb_dataset *ds, kb_error *err,
                    char **path)
{
    *path = tu_write_temp(data, len, ".tsv");
    assert_non_null(*path);
    return kb_dataset_read(*path, "topic", ds, err);
}

static void expect_error(const char *data, size_t len, const char *line_tag,
                         const char *words)
{
    kb_dataset ds;
    kb_error err;
    char *path;
    assert_int_equal(read_tsv(data, len, &ds, &err, &path), -1);
    assert_non_null(strstr(err.msg, path)); /* names the file */
    if (line_tag)
        assert_non_null(strstr(err.msg, line_tag)); /* and the line */
    assert_non_null(strstr(err.msg, words));
    unlink(path);
    free(path);
}

static void test_good_file(void **state)
{
    (void)state;
    const char *data = "\xEF\xBB\xBFtopic\tstance\ttext\tdoc\talso\r\n"
                       "military\tneutral\tقصفت المدفعية البلدة\td1\t\r\n"
                       "\r\n"
                       "humanitarian\tneutral\tنزح آلاف المدنيين\td1\tmilitary\n";
    kb_dataset ds;
    kb_error err;
    char *path;
    assert_int_equal(read_tsv(data, strlen(data), &ds, &err, &path), 0);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.label[0], "military");
    assert_string_equal(ds.text[1], "نزح آلاف المدنيين");
    assert_string_equal(ds.doc[1], "d1");
    assert_int_equal(ds.line[1], 4);
    kb_dataset_free(&ds);
    /* the stance column is as good a label column as any */
    assert_int_equal(kb_dataset_read(path, "stance", &ds, &err), 0);
    assert_string_equal(ds.label[0], "neutral");
    kb_dataset_free(&ds);
    unlink(path);
    free(path);
}

static void test_column_errors(void **state)
{
    (void)state;
    char buf[512];
    snprintf(buf, sizeof buf, "%smilitary\tneutral\tنص\n", H);
    expect_error(buf, strlen(buf), ":2:", "expected 4 columns");
    snprintf(buf, sizeof buf, "%smilitary\tneutral\tنص\td\textra\n", H);
    expect_error(buf, strlen(buf), ":2:", "found 5");
    snprintf(buf, sizeof buf, "stance\ttext\nneutral\tنص\n");
    expect_error(buf, strlen(buf), ":1:", "no 'topic' column");
    snprintf(buf, sizeof buf, "topic\tbody\nmilitary\tنص\n");
    expect_error(buf, strlen(buf), ":1:", "no 'text' column");
    snprintf(buf, sizeof buf, "%s\tneutral\tنص\td\n", H);
    expect_error(buf, strlen(buf), ":2:", "empty label");
    snprintf(buf, sizeof buf, "%smilitary\tneutral\t\td\n", H);
    expect_error(buf, strlen(buf), ":2:", "empty text");
}

static void test_bad_bytes(void **state)
{
    (void)state;
    char buf[512];
    snprintf(buf, sizeof buf, "%smilitary\tneutral\tقصف \xc0\xaf\td\n", H);
    expect_error(buf, strlen(buf), ":2:", "invalid UTF-8");
    snprintf(buf, sizeof buf, "%smilitary\tneutral\tقصف \xed\xa0\x80\td\n", H);
    expect_error(buf, strlen(buf), ":2:", "invalid UTF-8");
    size_t n = (size_t)snprintf(buf, sizeof buf, "%smilitary\tneutral\tab", H);
    buf[n - 1] = '\0';
    expect_error(buf, n, ":2:", "NUL byte");
    const unsigned char bin[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
    expect_error((const char *)bin, sizeof bin, ":1:", "NUL byte");
}

static void test_empty_and_missing(void **state)
{
    (void)state;
    expect_error("", 0, NULL, "empty file");
    expect_error(H, strlen(H), NULL, "no data rows");
    kb_dataset ds;
    kb_error err;
    assert_int_equal(kb_dataset_read("/nonexistent/x.tsv", "topic", &ds, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.tsv: cannot open"));
    assert_int_equal(kb_dataset_read("/tmp", "topic", &ds, &err), -1);
    assert_non_null(strstr(err.msg, "is a directory"));
}

static void test_path_through_missing_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/khabar-test-dirXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/inside/data.tsv", dir);
    kb_dataset ds;
    kb_error err;
    assert_int_equal(kb_dataset_read(path, "topic", &ds, &err), -1);
    assert_non_null(strstr(err.msg, path));
    rmdir(dir);
}

static void test_huge_line(void **state)
{
    (void)state;
    size_t big = 50u << 20, hl = strlen(H);
    char *buf = malloc(hl + big + 64);
    memcpy(buf, H, hl);
    size_t n = hl + (size_t)sprintf(buf + hl, "military\tneutral\t");
    memset(buf + n, 'a', big);
    n += big;
    n += (size_t)sprintf(buf + n, "\td\n");
    kb_dataset ds;
    kb_error err;
    char *path;
    assert_int_equal(read_tsv(buf, n, &ds, &err, &path), 0);
    assert_int_equal(ds.n, 1);
    assert_int_equal(strlen(ds.text[0]), big);
    kb_dataset_free(&ds);
    unlink(path);
    free(path);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),     cmocka_unit_test(test_column_errors),
        cmocka_unit_test(test_bad_bytes),     cmocka_unit_test(test_empty_and_missing),
        cmocka_unit_test(test_path_through_missing_directory), cmocka_unit_test(test_huge_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
