/*
 * model_file.c: the model file, one self-describing, versioned text file.
 *
 *   khabar-model 1               <- magic and format version
 *   task topic                   <- `key value` header lines, as liblinear
 *   labels military negotiation humanitarian other
 *   ...                          <- normalisation, features, solver, C
 *   bias <k numbers>
 *   rows <n>
 *   data                         <- then n lines: bucket idf w_1 .. w_k
 *   ...
 *   checksum <16 hex digits>     <- kb_checksum of every byte above it
 *
 * Saving builds the whole text in memory, writes it to a temporary file
 * in the same directory, syncs it and renames it over the target, so a
 * crash or a full disk never leaves a half-written model under the final
 * name.  Loading verifies the checksum first, then every field.
 */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "khabar-model"

static int appendf(kb_buf *b, const char *fmt, ...) KB_PRINTF(2, 3);
static int appendf(kb_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return -1;
    return kb_buf_append(b, tmp, (size_t)n);
}

/* Shortest text that reads back as the same float. */
static int append_float(kb_buf *b, char sep, float v)
{
    char tmp[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, (double)v);
        if (strtof(tmp, NULL) == v)
            break;
    }
    if (strcmp(tmp, "-0") == 0)
        strcpy(tmp, "0");
    return appendf(b, "%c%s", sep, tmp);
}

static int format_model(const kb_model *m, kb_buf *b)
{
    const kb_train_opts *o = &m->opts;
    const kb_feature_opts *f = &o->feat;
    char norm[256];
    kb_norm_format(o->norm, norm, sizeof norm);
    int rc = 0;
    rc |= appendf(b, "%s %d\n", MAGIC, KB_MODEL_FORMAT_VERSION);
    rc |= appendf(b, "task %s\n", o->task);
    rc |= appendf(b, "labels");
    for (int j = 0; j < m->k; j++)
        rc |= appendf(b, " %s", m->labels[j]);
    rc |= appendf(b, "\nnormalize %s\n", norm);
    rc |= appendf(b, "char_ngrams %d %d\n", f->char_min, f->char_max);
    rc |= appendf(b, "word_ngrams %d\n", f->word_max);
    rc |= appendf(b, "hash_bits %d\n", f->hash_bits);
    rc |= appendf(b, "min_df %d\n", f->min_df);
    rc |= appendf(b, "sublinear_tf %d\n", f->sublinear_tf);
    rc |= appendf(b, "solver %s\n", kb_solver_name(o->solver));
    rc |= appendf(b, "C %.17g\n", o->C);
    rc |= appendf(b, "eps %.17g\n", o->eps);
    rc |= appendf(b, "seed %llu\n", (unsigned long long)o->seed);
    rc |= appendf(b, "n_train %zu\n", m->n_train);
    rc |= appendf(b, "bias");
    for (int j = 0; j < m->k; j++)
        rc |= appendf(b, " %.17g", m->bias[j]);
    rc |= appendf(b, "\nrows %zu\ndata\n", m->n_rows);
    for (size_t r = 0; r < m->n_rows && rc == 0; r++) {
        rc |= appendf(b, "%u", m->row_bucket[r]);
        rc |= append_float(b, ' ', KB_IDF(m, r));
        for (int j = 0; j < m->k; j++)
            rc |= append_float(b, ' ', KB_W(m, r, j));
        rc |= kb_buf_append(b, "\n", 1);
    }
    if (rc == 0) {
        uint64_t h = kb_checksum(b->data, b->len);
        rc |= appendf(b, "checksum %016llx\n", (unsigned long long)h);
    }
    return rc;
}

static int write_all(const char *tmp, const kb_buf *b, kb_error *err)
{
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return kb_fail(err, "%s: cannot create: %s", tmp, strerror(errno));
    int ok = fwrite(b->data, 1, b->len, fp) == b->len;
    ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    int saved = errno;
    ok = (fclose(fp) == 0) && ok;
    if (!ok)
        return kb_fail(err, "%s: write failed: %s", tmp,
                       strerror(saved ? saved : errno));
    return 0;
}

int kb_model_save(const kb_model *m, const char *path, kb_error *err)
{
    kb_buf b = {0};
    if (format_model(m, &b) != 0) {
        kb_buf_free(&b);
        return kb_fail(err, "%s: out of memory formatting the model", path);
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        kb_buf_free(&b);
        return kb_fail(err, "out of memory");
    }
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    int rc = write_all(tmp, &b, err);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = kb_fail(err, "%s: cannot rename temporary model into place: %s",
                     path, strerror(errno));
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    kb_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------- loading */

typedef struct reader {
    const char *path;
    char *data;
    size_t len, pos, line;
    kb_error *err;
} reader;

static int bad(reader *r, const char *what)
{
    return kb_fail(r->err, "%s:%zu: %s", r->path, r->line, what);
}

/* Next line, NUL-terminated in place; NULL at end. */
static char *next_line(reader *r)
{
    if (r->pos >= r->len)
        return NULL;
    char *s = r->data + r->pos;
    char *nl = memchr(s, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
    s[n] = '\0';
    r->pos += n + 1;
    r->line++;
    return s;
}

static int read_file(const char *path, char **data, size_t *len, kb_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return kb_fail(err, "%s: cannot open model: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return kb_fail(err, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > KB_MAX_MODEL_BYTES) {
        fclose(fp);
        return kb_fail(err, "%s: model file larger than the %u-byte limit",
                       path, KB_MAX_MODEL_BYTES);
    }
    *len = (size_t)st.st_size;
    *data = malloc(*len + 1);
    if (!*data) {
        fclose(fp);
        return kb_fail(err, "%s: out of memory", path);
    }
    size_t got = fread(*data, 1, *len, fp);
    fclose(fp);
    if (got != *len) {
        free(*data);
        return kb_fail(err, "%s: read error", path);
    }
    (*data)[*len] = '\0';
    return 0;
}

static int check_magic_and_sum(reader *r)
{
    if (r->len < strlen(MAGIC) || memcmp(r->data, MAGIC, strlen(MAGIC)) != 0) {
        if (r->len >= 11 && memcmp(r->data, "solver_type", 11) == 0)
            return kb_fail(r->err, "%s: a plain liblinear model, not a khabar "
                                   "model (it has no labels' names, "
                                   "normalisation or features)", r->path);
        return kb_fail(r->err, "%s: not a khabar model (no '%s' line at the "
                               "start)", r->path, MAGIC);
    }
    if (r->len < 27 || r->data[r->len - 1] != '\n')
        return kb_fail(r->err, "%s: truncated model (no checksum line at the end)",
                       r->path);
    size_t p = r->len - 1;
    while (p > 0 && r->data[p - 1] != '\n')
        p--;
    unsigned long long want;
    char tail;
    if (sscanf(r->data + p, "checksum %16llx%c", &want, &tail) != 2 ||
        tail != '\n')
        return kb_fail(r->err, "%s: truncated model (no checksum line at the end)",
                       r->path);
    uint64_t got = kb_checksum(r->data, p);
    if (got != want)
        return kb_fail(r->err, "%s: checksum mismatch: the model is corrupted "
                               "or was edited by hand", r->path);
    r->len = p; /* parse only what the checksum covers */
    return 0;
}

/* Reads "key value" into value; fails unless the line's key is key. */
static char *expect_key(reader *r, const char *key)
{
    char *s = next_line(r);
    size_t n = strlen(key);
    if (!s) {
        bad(r, "model ends early");
        return NULL;
    }
    if (strncmp(s, key, n) != 0 || (s[n] != ' ' && s[n] != '\0')) {
        char msg[160];
        snprintf(msg, sizeof msg, "expected '%s', found '%.60s'", key, s);
        bad(r, msg);
        return NULL;
    }
    return s[n] ? s + n + 1 : s + n;
}

static int parse_int(reader *r, const char *key, long lo, long hi, long *out)
{
    char *v = expect_key(r, key), *end;
    if (!v)
        return -1;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "'%s' must be an integer in %ld..%ld", key,
                 lo, hi);
        return bad(r, msg);
    }
    *out = x;
    return 0;
}

static int parse_double(reader *r, const char *key, double *out)
{
    char *v = expect_key(r, key), *end;
    if (!v)
        return -1;
    *out = strtod(v, &end);
    if (end == v || *end || !isfinite(*out) || *out < 0)
        return bad(r, "expected a non-negative number");
    return 0;
}

static int parse_labels(reader *r, kb_model *m)
{
    char *v = expect_key(r, "labels");
    if (!v)
        return -1;
    m->k = 0;
    for (char *tok = strtok(v, " "); tok; tok = strtok(NULL, " ")) {
        if (m->k == KB_MAX_LABELS)
            return bad(r, "too many labels");
        if (strlen(tok) >= KB_MAX_LABEL_LEN)
            return bad(r, "label name too long");
        for (int j = 0; j < m->k; j++)
            if (strcmp(m->labels[j], tok) == 0)
                return bad(r, "duplicate label");
        strcpy(m->labels[m->k++], tok);
    }
    if (m->k < 2)
        return bad(r, "a model needs at least two labels");
    return 0;
}

static int parse_header(reader *r, kb_model *m)
{
    kb_train_opts *o = &m->opts;
    long x, y;
    char *v;
    if (!(v = expect_key(r, MAGIC)))
        return -1;
    if (strtol(v, NULL, 10) != KB_MODEL_FORMAT_VERSION) {
        char msg[160];
        snprintf(msg, sizeof msg, "model format version %.20s; this khabar "
                 "reads version %d", v, KB_MODEL_FORMAT_VERSION);
        return bad(r, msg);
    }
    if (!(v = expect_key(r, "task")))
        return -1;
    if (!*v || strlen(v) >= sizeof o->task)
        return bad(r, "bad task name");
    strcpy(o->task, v);
    if (parse_labels(r, m) != 0)
        return -1;
    if (!(v = expect_key(r, "normalize")))
        return -1;
    kb_error e2;
    if (kb_norm_parse(v, &o->norm, &e2) != 0)
        return bad(r, e2.msg);
    if (!(v = expect_key(r, "char_ngrams")))
        return -1;
    if (sscanf(v, "%ld %ld", &x, &y) != 2 || x < 0 || y > 12)
        return bad(r, "bad char_ngrams");
    o->feat.char_min = (int)x;
    o->feat.char_max = (int)y;
    if (parse_int(r, "word_ngrams", 0, 3, &x))
        return -1;
    o->feat.word_max = (int)x;
    if (parse_int(r, "hash_bits", 10, 26, &x))
        return -1;
    o->feat.hash_bits = (int)x;
    if (parse_int(r, "min_df", 1, 1L << 30, &x))
        return -1;
    o->feat.min_df = (int)x;
    if (parse_int(r, "sublinear_tf", 0, 1, &x))
        return -1;
    o->feat.sublinear_tf = (int)x;
    if (kb_feature_opts_check(&o->feat, &e2) != 0)
        return bad(r, e2.msg);
    if (!(v = expect_key(r, "solver")))
        return -1;
    if (kb_solver_parse(v, &o->solver, &e2) != 0)
        return bad(r, e2.msg);
    if (parse_double(r, "C", &o->C) || parse_double(r, "eps", &o->eps))
        return -1;
    if (!(v = expect_key(r, "seed")))
        return -1;
    o->seed = strtoull(v, NULL, 10);
    if (parse_int(r, "n_train", 0, LONG_MAX, &x))
        return -1;
    m->n_train = (size_t)x;
    return 0;
}

static int parse_bias(reader *r, kb_model *m)
{
    char *v = expect_key(r, "bias"), *end;
    if (!v)
        return -1;
    for (int j = 0; j < m->k; j++) {
        m->bias[j] = strtod(v, &end);
        if (end == v || !isfinite(m->bias[j]))
            return bad(r, "bias needs one number per label");
        v = end;
    }
    if (*v)
        return bad(r, "bias has more numbers than labels");
    return 0;
}

/* Reads a decimal float as strtof does, fast for the model's own output
 * (at most 17 significant digits, no hex, inf or nan): the digits and a
 * power of ten, both exact in a double, give a correctly rounded double;
 * only when that double lies next to the midpoint of two floats could
 * rounding it again differ from strtof, and then strtof decides. */
static float parse_float(const char *s, char **end)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                   1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                   1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    while (*p == ' ')
        p++;
    int neg = *p == '-';
    p += neg || *p == '+';
    uint64_t mant = 0;
    int digits = 0, exp10 = 0, any = 0;
    for (; *p >= '0' && *p <= '9'; p++, any = 1)
        if (mant || *p != '0')
            mant = mant * 10 + (uint64_t)(*p - '0'), digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            if (mant || *p != '0')
                mant = mant * 10 + (uint64_t)(*p - '0'), digits++;
            exp10--;
        }
    if (any && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = *q == '-', e = 0;
        q += eneg || *q == '+';
        if (*q >= '0' && *q <= '9') {
            for (; *q >= '0' && *q <= '9' && e < 1000; q++)
                e = e * 10 + (*q - '0');
            exp10 += eneg ? -e : e;
            p = q;
        }
    }
    if (!any || digits > 17 || exp10 < -22 || exp10 > 22)
        return strtof(s, end);
    double d = exp10 < 0 ? (double)mant / pow10[-exp10] : (double)mant * pow10[exp10];
    /* The 29 bits a double has beyond a float's mantissa: near 2^28
     * means next to a midpoint (subnormal floats round elsewhere). */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    int64_t low = (int64_t)(bits & ((1u << 29) - 1)) - (1 << 28);
    if ((low >= -2 && low <= 2) || (d != 0 && d < 1.2e-38) || d > 3.4e38)
        return strtof(s, end);
    float f = (float)d;
    *end = (char *)p;
    return neg ? -f : f;
}

static int parse_rows(reader *r, kb_model *m)
{
    for (size_t row = 0; row < m->n_rows; row++) {
        char *s = next_line(r), *end;
        if (!s)
            return bad(r, "model ends before all its rows");
        unsigned long b = strtoul(s, &end, 10);
        if (end == s || b > UINT32_MAX)
            return bad(r, "bad bucket number");
        m->row_bucket[row] = (uint32_t)b;
        s = end;
        for (int j = -1; j < m->k; j++) {
            float x = parse_float(s, &end);
            if (end == s || !isfinite(x))
                return bad(r, "row needs an idf and one weight per label");
            m->rows[row * ((size_t)m->k + 1) + (size_t)(j + 1)] = x;
            s = end;
        }
        if (*s)
            return bad(r, "row has more numbers than labels");
    }
    if (next_line(r))
        return bad(r, "unexpected text after the last row");
    return 0;
}

static kb_model *parse_model(reader *r)
{
    kb_model head = {0};
    long n_rows;
    if (parse_header(r, &head) || parse_bias(r, &head) ||
        parse_int(r, "rows", 0, 1L << 26, &n_rows) || !expect_key(r, "data"))
        return NULL;
    kb_model *m = kb_model_alloc(&head.opts, head.k, (size_t)n_rows);
    if (!m) {
        kb_fail(r->err, "%s: out of memory", r->path);
        return NULL;
    }
    memcpy(m->labels, head.labels, sizeof m->labels);
    memcpy(m->bias, head.bias, sizeof m->bias);
    m->n_train = head.n_train;
    size_t first_row_line = r->line + 1;
    if (parse_rows(r, m) != 0) {
        kb_model_free(m);
        return NULL;
    }
    kb_error e2;
    if (kb_model_index_rows(m, &e2) != 0) {
        r->line = first_row_line;
        bad(r, e2.msg);
        kb_model_free(m);
        return NULL;
    }
    return m;
}

kb_model *kb_model_load(const char *path, kb_error *err)
{
    reader r = {.path = path, .err = err};
    if (read_file(path, &r.data, &r.len, err) != 0)
        return NULL;
    kb_model *m = NULL;
    if (check_magic_and_sum(&r) == 0)
        m = parse_model(&r);
    free(r.data);
    return m;
}
