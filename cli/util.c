/*
 * util.c: the CLI's plumbing: error reporting, the article line reader,
 * output buffers and finding the shipped models.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unicode/utf8.h>

#ifndef KHABAR_MODEL_DIR
#define KHABAR_MODEL_DIR "models"
#endif

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("khabar: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_input_open(cli_input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    if (strcmp(path, "-") == 0) {
        in->fp = stdin;
        return 0;
    }
    in->fp = fopen(path, "rb");
    if (!in->fp)
        return cli_error("%s: cannot open: %s", path, strerror(errno)), -1;
    struct stat st;
    if (fstat(fileno(in->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(in->fp);
        in->fp = NULL;
        return cli_error("%s: is a directory", path), -1;
    }
    return 0;
}

/* 1 when s is valid UTF-8; *controls counts the ASCII control bytes that
 * text does not hold (tab, form feeds, CR and ESC are allowed). */
static int valid_utf8(const char *s, size_t n, size_t *controls)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, ctl = 0;
    int ok = 1;
    while (i < n) {
        uint8_t b = p[i];
        if (b < 0x80) {
            ctl += (b < 0x20 && b != '\t' && b != '\f' && b != '\v' &&
                    b != '\r' && b != 0x1b) || b == 0x7f;
            i++;
            continue;
        }
        UChar32 c;
        U8_NEXT(p, i, n, c);
        if (c < 0)
            ok = 0;
    }
    *controls = ctl;
    return ok;
}

int cli_input_next(cli_input *in, const char **text, size_t *len)
{
    free(in->fixed);
    in->fixed = NULL;
    errno = 0;
    ssize_t n = getline(&in->raw, &in->raw_cap, in->fp);
    if (n < 0) {
        if (ferror(in->fp))
            return cli_error("%s:%zu: read error: %s", in->path,
                             in->lineno + 1, strerror(errno)), -1;
        return 0;
    }
    in->lineno++;
    char *s = in->raw;
    size_t l = (size_t)n;
    while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
        l--;
    if (in->lineno == 1 && l >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        l -= 3;
    }
    if (memchr(s, '\0', l))
        return cli_error("%s:%zu: NUL byte: binary data, not text", in->path,
                         in->lineno), -1;
    size_t ctl = 0;
    if (valid_utf8(s, l, &ctl) && ctl * 10 <= l + 10) {
        *text = s; /* the common case: no copy */
        *len = l;
        return 1;
    }
    size_t bad = 0, fixed_len;
    char *fixed = kb_utf8_repair(s, l, &fixed_len, &bad);
    if (!fixed)
        return cli_error("%s:%zu: out of memory", in->path, in->lineno), -1;
    if ((bad + ctl) * 10 > l + 10) {
        free(fixed);
        return cli_error("%s:%zu: binary data (control bytes or invalid "
                         "UTF-8), not text", in->path, in->lineno), -1;
    }
    if (bad > 0 && in->n_bad == 0)
        in->first_bad_line = in->lineno;
    in->n_bad += bad;
    in->fixed = fixed;
    *text = fixed;
    *len = fixed_len;
    return 1;
}

void cli_input_close(cli_input *in)
{
    if (in->n_bad)
        fprintf(stderr, "khabar: %s: replaced %zu invalid UTF-8 sequence(s), "
                        "the first on line %zu\n", in->path, in->n_bad,
                in->first_bad_line);
    if (in->fp && in->fp != stdin)
        fclose(in->fp);
    free(in->raw);
    free(in->fixed);
    memset(in, 0, sizeof *in);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The shipped models live in models/ beside the build directory (found
 * from the executable's own path), or where the build recorded them. */
char *cli_model_path(const char *name)
{
    if (name && is_file(name))
        return strdup(name);
    const char *base = name ? name : "topic";
    if (strchr(base, '/') || (strcmp(base, "topic") && strcmp(base, "stance")))
        return strdup(base); /* let the loader report it */
    char exe[PATH_MAX], cand[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(cand, sizeof cand, "%s/../models/%s.model", exe, base);
            if (is_file(cand))
                return strdup(cand);
        }
    }
    snprintf(cand, sizeof cand, "%s/%s.model", KHABAR_MODEL_DIR, base);
    return strdup(cand);
}

void out_bytes(cli_out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->data, cap);
        if (!p) {
            fputs("khabar: out of memory\n", stderr);
            exit(1);
        }
        o->data = p;
        o->cap = cap;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

void out_str(cli_out *o, const char *s) { out_bytes(o, s, strlen(s)); }

void out_json_str(cli_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    out_bytes(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out_bytes(o, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', (char)c, 0};
        if (c < 0x20) {
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            out_bytes(o, esc, 6);
        } else {
            out_bytes(o, esc, 2);
        }
    }
    out_bytes(o, s + run, n - run);
    out_bytes(o, "\"", 1);
}

void out_tsv_field(cli_out *o, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            out_bytes(o, s + run, i - run);
            out_bytes(o, " ", 1);
            run = i + 1;
        }
    out_bytes(o, s + run, n - run);
}

void out_prob(cli_out *o, double p)
{
    if (!(p >= 0))
        p = 0;
    if (p > 1)
        p = 1;
    unsigned v = (unsigned)(p * 10000 + 0.5);
    char b[7] = {(char)('0' + v / 10000), '.', (char)('0' + v / 1000 % 10),
                 (char)('0' + v / 100 % 10), (char)('0' + v / 10 % 10),
                 (char)('0' + v % 10), 0};
    out_bytes(o, b, 6);
}

void out_uint(cli_out *o, size_t v)
{
    char b[24];
    int i = 23;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_bytes(o, b + i, (size_t)(23 - i));
}

void out_flush(cli_out *o, FILE *fp)
{
    if (o->len)
        fwrite(o->data, 1, o->len, fp);
    o->len = 0;
}

void out_free(cli_out *o)
{
    free(o->data);
    memset(o, 0, sizeof *o);
}
