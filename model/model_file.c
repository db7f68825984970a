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
 * Saving builds the whole text in memory and parses it back (a model that
 * saves is a model that loads), then writes it to a fresh temporary file
 * in the target's directory (created exclusively, never through a link),
 * syncs it, renames it over the target and syncs the directory, with the
 * usual termination signals held off meanwhile: the target is the old
 * file or the whole new one, never a part.  Only a regular file (or a new
 * name) is replaced, and it keeps its permissions.  Loading reads the
 * file into memory (a file rewritten under a reader cannot crash it),
 * checks the magic before reading on, then the checksum, then every field.
 */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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
    const kb_params *o = &m->params;
    const kb_feature_opts *f = &o->feat;
    char norm[256];
    kb_norm_format(o->norm, norm, sizeof norm);
    int rc = 0;
    rc |= appendf(b, "%s %d\n", MAGIC, KB_MODEL_FORMAT_VERSION);
    rc |= appendf(b, "written_by khabar %s\n", KB_VERSION);
    rc |= appendf(b, "task %s\n", m->task);
    rc |= appendf(b, "labels");
    for (int j = 0; j < m->k; j++)
        rc |= appendf(b, " %s", m->labels[j]);
    rc |= appendf(b, "\nnormalize %s\n", norm);
    rc |= appendf(b, "char_ngrams %d %d\n", f->char_min, f->char_max);
    rc |= appendf(b, "word_ngrams %d\n", f->word_max);
    rc |= appendf(b, "hash_bits %d\n", f->hash_bits);
    rc |= appendf(b, "min_df %d\n", f->min_df);
    rc |= appendf(b, "sublinear_tf %d\n", f->sublinear_tf);
    rc |= appendf(b, "lead_clause %d %.17g\n", f->lead_words, f->lead_weight);
    rc |= appendf(b, "solver %s\n", kb_solver_name(o->solver));
    rc |= appendf(b, "C %.17g\n", o->C);
    rc |= appendf(b, "eps %.17g\n", o->eps);
    rc |= appendf(b, "seed %llu\n", (unsigned long long)o->seed);
    rc |= appendf(b, "context %d %d %.17g\n", o->context, o->context_window,
                  o->context_C);
    rc |= appendf(b, "class_weights %s\n", o->class_weights[0] ? o->class_weights : "none");
    rc |= appendf(b, "nb_scale %d\n", o->nb_scale);
    rc |= appendf(b, "n_train %zu\n", m->n_train);
    rc |= appendf(b, "bias");
    for (int j = 0; j < m->k; j++)
        rc |= appendf(b, " %.17g", m->bias[j]);
    rc |= appendf(b, "\n");
    size_t width = KB_CTX_DIM((size_t)m->k) + 1;
    for (int j = 0; o->context && j < m->k && rc == 0; j++) {
        rc |= appendf(b, "context_weights %s", m->labels[j]);
        for (size_t d = 0; d < width; d++)
            rc |= appendf(b, " %.17g", m->ctx_w[(size_t)j * width + d]);
        rc |= appendf(b, "\n");
    }
    rc |= appendf(b, "rows %zu\ndata\n", m->n_rows);
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

static kb_model *parse_buffer(const char *path, const char *data, size_t len,
                              uint64_t *declared, kb_error *err);

int kb_model_save(const kb_model *m, const char *path, kb_error *err)
{
    kb_buf b = {0};
    if (format_model(m, &b) != 0) {
        kb_buf_free(&b);
        return kb_fail(err, "%s: out of memory formatting the model", path);
    }
    kb_error e2;
    uint64_t declared;
    kb_model *back = parse_buffer(path, b.data, b.len, &declared, &e2);
    if (!back) {
        kb_buf_free(&b);
        return kb_fail(err, "%s: not written: the model would not load back "
                            "(%s)", path, e2.msg);
    }
    kb_model_free(back);
    int rc = kb_write_file_atomic(path, b.data, b.len, "model", err);
    kb_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------- loading */

typedef struct reader {
    const char *path;
    const char *data; /* the file, read into memory (never written) */
    size_t len, pos, line;
    kb_buf cur;       /* a copy of the current header line */
    kb_error *err;
} reader;

static int bad(reader *r, const char *what)
{
    return kb_fail(r->err, "%s:%zu: %s", r->path, r->line, what);
}

/* Next line as a NUL-terminated copy (the file itself stays read-only,
 * so that its checksum can be computed while it is parsed); NULL at end. */
static char *next_line(reader *r)
{
    if (r->pos >= r->len)
        return NULL;
    const char *s = r->data + r->pos;
    const char *nl = memchr(s, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
    r->cur.len = 0;
    if (kb_buf_append(&r->cur, s, n) != 0)
        return NULL;
    r->pos += n + 1;
    r->line++;
    return r->cur.data;
}

/* Reads the model file into memory: only a regular file, the magic
 * checked on the first bytes before the rest is read. */
static int read_model_file(const char *path, char **data, size_t *len,
                           struct stat *st_out, kb_error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return kb_fail(err, "%s: cannot open model: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return kb_fail(err, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > KB_MAX_MODEL_BYTES) {
        close(fd);
        return kb_fail(err, "%s: model file larger than the %u-byte limit",
                       path, KB_MAX_MODEL_BYTES);
    }
    size_t want = (size_t)st.st_size, got = 0;
    char *buf = malloc(want + 1);
    if (!buf) {
        close(fd);
        return kb_fail(err, "%s: out of memory reading the model", path);
    }
    while (got < want) { /* a file that shrinks meanwhile reads short */
        size_t step = got == 0 && want > 4096 ? 4096 : want - got;
        ssize_t n = read(fd, buf + got, step);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            kb_fail(err, "%s: read error: %s", path, strerror(errno));
            close(fd);
            free(buf);
            return -1;
        }
        if (n == 0)
            break;
        if (got == 0 && (size_t)n >= strlen(MAGIC) &&
            memcmp(buf, MAGIC, strlen(MAGIC)) != 0)
            want = (size_t)n; /* not a model: read no further */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    *st_out = st;
    return 0;
}

/* "checksum <16 hex digits>\n" at line; -1 if it is not that. */
static int parse_checksum_line(const char *line, uint64_t *sum)
{
    unsigned long long want;
    char end;
    if (sscanf(line, "checksum %16llx%c", &want, &end) != 2 || end != '\n')
        return -1;
    *sum = want;
    return 0;
}

static int check_magic(reader *r, uint64_t *sum_wanted)
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
    if (parse_checksum_line(r->data + p, sum_wanted) != 0)
        return kb_fail(r->err, "%s: truncated model (no checksum line at the end)",
                       r->path);
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

/* What the header holds, before the model is allocated. */
typedef struct header {
    char task[KB_MAX_LABEL_LEN];
    kb_params params;
    int k;
    char labels[KB_MAX_LABELS][KB_MAX_LABEL_LEN];
    char *label_ptr[KB_MAX_LABELS];
    double bias[KB_MAX_LABELS];
    size_t n_train;
    int version;
    char written_by[32]; /* the khabar version that wrote the file */
    double *ctx_w; /* the context stage's weights, malloc'ed */
} header;

static int parse_labels(reader *r, header *h)
{
    char *v = expect_key(r, "labels");
    if (!v)
        return -1;
    h->k = 0;
    for (char *tok = strtok(v, " "); tok; tok = strtok(NULL, " ")) {
        if (h->k == KB_MAX_LABELS)
            return bad(r, "too many labels");
        if (!kb_label_valid(tok))
            return bad(r, "a label name is too long or holds a control or "
                          "formatting character");
        for (int j = 0; j < h->k; j++)
            if (strcmp(h->labels[j], tok) == 0)
                return bad(r, "duplicate label");
        strcpy(h->labels[h->k], tok);
        h->label_ptr[h->k] = h->labels[h->k];
        h->k++;
    }
    if (h->k < 2)
        return bad(r, "a model needs at least two labels");
    return 0;
}

static int parse_header(reader *r, header *m)
{
    kb_params *o = &m->params;
    long x, y;
    char *v;
    if (!(v = expect_key(r, MAGIC)))
        return -1;
    m->version = (int)strtol(v, NULL, 10);
    if (m->version < 1 || m->version > KB_MODEL_FORMAT_VERSION) {
        char msg[160];
        snprintf(msg, sizeof msg, "model format version %.20s; this khabar "
                 "reads versions 1 to %d", v, KB_MODEL_FORMAT_VERSION);
        return bad(r, msg);
    }
    if (m->version >= 2) { /* which khabar wrote it: for the record */
        if (!(v = expect_key(r, "written_by")))
            return -1;
        if (strncmp(v, "khabar ", 7) != 0 || strlen(v + 7) >= sizeof m->written_by)
            return bad(r, "bad written_by (khabar VERSION)");
        strcpy(m->written_by, v + 7);
    }
    if (!(v = expect_key(r, "task")))
        return -1;
    if (!*v || strlen(v) >= sizeof m->task)
        return bad(r, "bad task name");
    strcpy(m->task, v);
    if (parse_labels(r, m) != 0)
        return -1;
    if (!(v = expect_key(r, "normalize")))
        return -1;
    kb_error e2 = {{0}};
    if (kb_norm_parse(v, &o->norm, &e2) != 0)
        return bad(r, e2.msg);
    if (!(v = expect_key(r, "char_ngrams")))
        return -1;
    if (sscanf(v, "%ld %ld", &x, &y) != 2 || x < 0 || y > 12 || x > y ||
        (x == 0) != (y == 0))
        return bad(r, "bad char_ngrams (min max, 1 <= min <= max <= 12, or 0 0)");
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
    if (m->version >= 2) { /* version 1 had no lead clause */
        if (!(v = expect_key(r, "lead_clause")))
            return -1;
        if (sscanf(v, "%d %lf%c", &o->feat.lead_words, &o->feat.lead_weight,
                   &(char){0}) != 2)
            return bad(r, "bad lead_clause (words weight)");
    }
    if (kb_feature_opts_check(&o->feat, &e2) != 0)
        return bad(r, e2.msg);
    if (!(v = expect_key(r, "solver")))
        return -1;
    if (kb_solver_parse(v, &o->solver, &e2) != 0)
        return bad(r, e2.msg);
    if (parse_double(r, "C", &o->C) || kb_params_check(o, &e2) ||
        parse_double(r, "eps", &o->eps) || kb_params_check(o, &e2))
        return e2.msg[0] ? bad(r, e2.msg) : -1;
    if (!(v = expect_key(r, "seed")))
        return -1;
    o->seed = strtoull(v, NULL, 10);
    if (m->version >= 2) { /* version 1 had no context stage */
        if (!(v = expect_key(r, "context")))
            return -1;
        long on, window;
        if (sscanf(v, "%ld %ld %lf%c", &on, &window, &o->context_C,
                   &(char){0}) != 3 || on < 0 || on > 1 || window < 1 ||
            window > 50)
            return bad(r, "bad context (on: 0 or 1, window: 1..50, C)");
        o->context = (int)on;
        o->context_window = (int)window;
        if (kb_params_check(o, &e2) != 0)
            return bad(r, e2.msg);
        if (!(v = expect_key(r, "class_weights")))
            return -1;
        if (strlen(v) >= sizeof o->class_weights)
            return bad(r, "class_weights too long");
        strcpy(o->class_weights, strcmp(v, "none") ? v : "");
        if (kb_params_check(o, &e2) != 0)
            return bad(r, e2.msg);
    }
    if (m->version >= 3) { /* versions 1 and 2 had no NB scaling */
        if (parse_int(r, "nb_scale", 0, 1, &x))
            return -1;
        o->nb_scale = (int)x;
    }
    if (parse_int(r, "n_train", 0, LONG_MAX, &x))
        return -1;
    m->n_train = (size_t)x;
    if (kb_params_check(o, &e2) != 0)
        return bad(r, e2.msg);
    return 0;
}

static int parse_bias(reader *r, header *m)
{
    char *v = expect_key(r, "bias"), *end;
    if (!v)
        return -1;
    for (int j = 0; j < m->k; j++) {
        m->bias[j] = strtod(v, &end);
        if (end == v || !(fabs(m->bias[j]) <= KB_MAX_BIAS))
            return bad(r, "bias needs one number per label, each within "
                          "-1e6..1e6");
        v = end;
    }
    if (*v)
        return bad(r, "bias has more numbers than labels");
    return 0;
}

/* One context_weights line per label, when the model has the stage. */
static int parse_context(reader *r, header *h)
{
    if (!h->params.context)
        return 0;
    size_t width = KB_CTX_DIM((size_t)h->k) + 1;
    h->ctx_w = malloc((size_t)h->k * width * sizeof *h->ctx_w);
    if (!h->ctx_w)
        return kb_fail(r->err, "%s: out of memory", r->path);
    for (int j = 0; j < h->k; j++) {
        char *v = expect_key(r, "context_weights"), *end;
        if (!v)
            return -1;
        size_t n = strlen(h->labels[j]);
        if (strncmp(v, h->labels[j], n) != 0 || v[n] != ' ')
            return bad(r, "context_weights lines must follow the labels' order");
        v += n;
        for (size_t d = 0; d < width; d++) {
            double x = strtod(v, &end);
            if (end == v || !(fabs(x) <= KB_MAX_BIAS))
                return bad(r, "context_weights needs one number per context "
                              "feature and a bias");
            h->ctx_w[(size_t)j * width + d] = x;
            v = end;
        }
        if (*v)
            return bad(r, "context_weights has too many numbers");
    }
    return 0;
}

/* Reads a decimal float as strtof does, fast for the model's own output
 * (under 2^53 as an integer, no hex, inf or nan): the digits and a
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
    int digits = 0, exp10 = 0;
    for (; *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
        mant = mant * 10 + (uint64_t)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && digits < 19; p++, digits++, exp10--)
            mant = mant * 10 + (uint64_t)(*p - '0');
    int any = digits > 0;
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
    /* digits == 19: perhaps more follow; mant >= 2^53: not exact in a double */
    if (!any || digits >= 19 || (mant >> 53) || exp10 < -22 || exp10 > 22)
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

/* One share of the rows, parsed in place (the text is never written), and
 * optionally the checksum: a second thread takes the second half of the
 * rows and the checksum while the first parses the first half. */
typedef struct row_job {
    kb_model *m;
    const char *p, *end;     /* the share's text; end is the rows' end */
    size_t first_row, n_rows, first_line;
    const char *sum_data;    /* checksum these bytes first, when set */
    size_t sum_len;
    uint64_t sum;
    size_t bad_line;         /* 0, or the line of the first error */
    const char *bad_what;
} row_job;

static const char *parse_one_row(kb_model *m, size_t row, const char **pp,
                                 const char *end)
{
    const char *p = *pp;
    if (p >= end)
        return "model ends before all its rows";
    uint64_t b = 0;
    const char *digits = p;
    while (*p >= '0' && *p <= '9' && b <= UINT32_MAX)
        b = b * 10 + (uint64_t)(*p++ - '0');
    if (p == digits || b > UINT32_MAX)
        return "bad bucket number";
    m->row_bucket[row] = (uint32_t)b;
    float *out = m->rows + row * ((size_t)m->k + 1);
    for (int j = 0; j <= m->k; j++) {
        char *e;
        if (*p != ' ')
            return "row needs an idf and one weight per label";
        p++;
        float x = parse_float(p, &e);
        if (e == p || !isfinite(x))
            return "row needs an idf and one weight per label";
        out[j] = x;
        p = e;
    }
    if (*p != '\n')
        return "row has more numbers than labels";
    *pp = p + 1;
    return NULL;
}

static void *parse_share(void *arg)
{
    row_job *j = arg;
    if (j->sum_data)
        j->sum = kb_checksum(j->sum_data, j->sum_len);
    for (size_t i = 0; i < j->n_rows; i++) {
        const char *what = parse_one_row(j->m, j->first_row + i, &j->p, j->end);
        if (what) {
            j->bad_line = j->first_line + i;
            j->bad_what = what;
            break;
        }
    }
    return NULL;
}

/* Start of the text of row `skip` rows after p (or end). */
static const char *skip_lines(const char *p, const char *end, size_t skip)
{
    for (size_t i = 0; i < skip && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    return p;
}

static int parse_rows_and_sum(reader *r, kb_model *m, uint64_t sum_wanted)
{
    const char *begin = r->data + r->pos, *end = r->data + r->len;
    /* the second share also computes the checksum: give it fewer rows */
    size_t half = m->n_rows >= 8192 ? m->n_rows * 23 / 50 : 0;
    row_job a = {.m = m, .p = begin, .end = end, .first_row = 0,
                 .n_rows = m->n_rows - half, .first_line = r->line + 1};
    row_job b = {.m = m, .end = end, .first_row = a.n_rows, .n_rows = half,
                 .sum_data = r->data, .sum_len = r->len};
    b.first_line = a.first_line + a.n_rows;
    b.p = half ? skip_lines(begin, end, a.n_rows) : end;
    pthread_t th;
    int threaded = half && pthread_create(&th, NULL, parse_share, &b) == 0;
    parse_share(&a);
    if (threaded)
        pthread_join(th, NULL);
    else
        parse_share(&b);
    if (b.sum != sum_wanted)
        return kb_fail(r->err, "%s: checksum mismatch: the model is corrupted "
                               "or was edited by hand", r->path);
    const row_job *first = a.bad_line ? &a : &b;
    if (first->bad_line) {
        r->line = first->bad_line;
        return bad(r, first->bad_what);
    }
    if ((half ? b.p : a.p) != end) {
        r->line = b.first_line + b.n_rows;
        return bad(r, "unexpected text after the last row");
    }
    return 0;
}

/* The header, up to and including the "data" line, into a model whose
 * rows are still to be filled. */
static kb_model *parse_head(reader *r)
{
    header head;
    memset(&head, 0, sizeof head);
    kb_params_default(&head.params); /* what version 1 files do not say */
    long n_rows;
    if (parse_header(r, &head) || parse_bias(r, &head) ||
        parse_context(r, &head) ||
        parse_int(r, "rows", 0, 1L << 26, &n_rows) || !expect_key(r, "data")) {
        free(head.ctx_w);
        return NULL;
    }
    kb_model *m = kb_model_alloc(head.task, &head.params, head.k,
                                 head.label_ptr, (size_t)n_rows);
    if (!m) {
        free(head.ctx_w);
        kb_fail(r->err, "%s: out of memory", r->path);
        return NULL;
    }
    memcpy(m->bias, head.bias, (size_t)head.k * sizeof *m->bias);
    if (head.ctx_w)
        memcpy(m->ctx_w, head.ctx_w, (size_t)head.k *
               (KB_CTX_DIM((size_t)head.k) + 1) * sizeof *m->ctx_w);
    free(head.ctx_w);
    m->n_train = head.n_train;
    snprintf(m->written_by, sizeof m->written_by, "%s",
             head.written_by[0] ? head.written_by : "1.0.0");
    return m;
}

static kb_model *parse_model(reader *r, uint64_t sum_wanted)
{
    kb_model *m = parse_head(r);
    if (!m)
        return NULL;
    size_t first_row_line = r->line + 1;
    if (parse_rows_and_sum(r, m, sum_wanted) != 0) {
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

/* The header is parsed before the checksum is known (it is small and every
 * field is checked); a checksum mismatch still wins over any other error,
 * so a damaged file is reported as damaged.  *declared gets the checksum the
 * file declares (when a model is returned). */
static kb_model *parse_buffer(const char *path, const char *data, size_t len,
                              uint64_t *declared, kb_error *err)
{
    reader r = {.path = path, .err = err, .data = data, .len = len};
    kb_model *m = NULL;
    uint64_t want = 0;
    if (check_magic(&r, &want) == 0) {
        kb_error header_err;
        r.err = &header_err;
        m = parse_model(&r, want);
        r.err = err;
        *declared = want;
        if (!m) {
            /* report a damaged file as damaged, whatever broke first */
            if (kb_checksum(r.data, r.len) != want)
                kb_fail(err, "%s: checksum mismatch: the model is corrupted "
                             "or was edited by hand", path);
            else
                *err = header_err;
        }
    }
    kb_buf_free(&r.cur);
    return m;
}

/* ---------------------------------------------------- the rows' cache */

/* Models smaller than this parse fast enough: no cache. */
#define CACHE_MIN_BYTES ((off_t)1 << 20)
/* The header of a model (up to its "data" line) fits in this. */
#define HEAD_MAX_BYTES ((size_t)64 << 10)

/* The checksum a model file declares on its last line; -1 if none. */
static int declared_sum(int fd, off_t size, uint64_t *sum)
{
    enum { TAIL = 40 }; /* the checksum line (26 bytes) and the '\n' before */
    char tail[TAIL + 1];
    if (size < TAIL || pread(fd, tail, TAIL, size - TAIL) != TAIL ||
        tail[TAIL - 27] != '\n')
        return -1;
    tail[TAIL] = '\0';
    return parse_checksum_line(tail + TAIL - 26, sum);
}

/* The model's header parsed from its first bytes and its rows read from
 * the cache (model_cache.c); NULL on any miss, with nothing reported:
 * the caller then loads the file as usual. */
static kb_model *load_cached(const char *path, int fd, const struct stat *st)
{
    uint64_t sum;
    size_t n = (size_t)st->st_size < HEAD_MAX_BYTES ? (size_t)st->st_size
                                                    : HEAD_MAX_BYTES;
    char *head = malloc(n + 1);
    ssize_t got = head ? pread(fd, head, n, 0) : -1;
    if (got != (ssize_t)n || declared_sum(fd, st->st_size, &sum) != 0) {
        free(head);
        return NULL;
    }
    head[n] = '\0';
    char *data = strstr(head, "\ndata\n");
    kb_error ignored;
    reader r = {.path = path, .err = &ignored, .data = head,
                .len = data ? (size_t)(data - head) + 6 : 0};
    kb_model *m = data ? parse_head(&r) : NULL;
    kb_model_key key;
    kb_model_key_of(st, sum, &key);
    struct stat now;
    if (m && (kb_model_cache_read(m, path, &key) != 0 ||
              fstat(fd, &now) != 0 || now.st_size != st->st_size ||
              now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
              now.st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
              kb_model_index_rows(m, &ignored) != 0)) {
        kb_model_free(m);
        m = NULL;
    }
    if (m)
        m->from_cache = 1;
    kb_buf_free(&r.cur);
    free(head);
    return m;
}

static kb_model *try_cache(const char *path)
{
    char dir[PATH_MAX];
    if (kb_model_cache_dir(dir, sizeof dir) != 0)
        return NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    kb_model *m = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size >= CACHE_MIN_BYTES &&
        (unsigned long long)st.st_size <= KB_MAX_MODEL_BYTES)
        m = load_cached(path, fd, &st);
    close(fd);
    return m;
}

kb_model *kb_model_load(const char *path, kb_error *err)
{
    kb_model *m = try_cache(path);
    if (m)
        return m;
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    if (read_model_file(path, &data, &len, &st, err) != 0)
        return NULL;
    uint64_t declared;
    m = parse_buffer(path, data, len, &declared, err);
    if (m && st.st_size >= CACHE_MIN_BYTES && len == (size_t)st.st_size) {
        kb_model_key key;
        kb_model_key_of(&st, declared, &key);
        kb_model_cache_write(m, path, &key);
    }
    free(data);
    return m;
}
