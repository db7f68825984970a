/*
 * util.c: the CLI's plumbing: error and help reporting, the input files,
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
#include <getopt.h>


/* One line on stderr, whatever the names in it hold: invalid UTF-8
 * becomes U+FFFD, control characters '?', so an error can neither split
 * into lines nor drive a terminal. */
int cli_error(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(msg), fixed_len = n;
    char *fixed = kb_utf8_check(msg, n, NULL, NULL) ? NULL
                                                    : kb_utf8_repair(msg, n, &fixed_len, NULL);
    char *m = fixed ? fixed : msg;
    for (size_t i = 0; i < fixed_len; i++)
        if ((unsigned char)m[i] < 0x20 || m[i] == 0x7f)
            m[i] = '?';
    fprintf(stderr, "khabar: %.*s\n", (int)fixed_len, m);
    free(fixed);
    return 1;
}

int cli_long(const char *name, const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return cli_error("%s wants a whole number in %ld..%ld, not '%s'", name,
                         lo, hi, text), -1;
    *out = v;
    return 0;
}

int cli_u64(const char *name, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || *text == '-' || *text == '+' ||
        *text == ' ')
        return cli_error("%s wants a whole number in 0..%llu, not '%s'", name,
                         (unsigned long long)UINT64_MAX, text), -1;
    *out = v;
    return 0;
}

int cli_double(const char *name, const char *text, double lo, double hi,
               double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= lo && v <= hi))
        return cli_error("%s wants a number in %g..%g, not '%s'", name, lo, hi,
                         text), -1;
    *out = v;
    return 0;
}

int cli_close_output(int rc)
{
    int failed = fflush(stdout) != 0 || ferror(stdout);
    int saved = errno;
    if (fclose(stdout) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    if (!failed)
        return rc;
    cli_error("cannot write the output: %s", strerror(saved ? saved : EIO));
    return CLI_EXIT_OUTPUT;
}

int cli_help(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return CLI_HELP;
}

char **cli_files(int argc, char **argv, int *nfiles)
{
    static char *stdin_only[] = {"-", NULL};
    *nfiles = optind < argc ? argc - optind : 1;
    return optind < argc ? argv + optind : stdin_only;
}

int cli_open_article(kb_lines *in, const char *path)
{
    kb_error err;
    if (kb_lines_open(in, path, KB_LINES_REPAIR, &err) != 0)
        return cli_error("%s", err.msg), -1;
    return 0;
}

void cli_close_article(kb_lines *in)
{
    if (in->n_bad)
        fprintf(stderr, "khabar: %s: replaced %zu invalid UTF-8 sequence(s), "
                        "the first on line %zu\n", in->path, in->n_bad,
                in->first_bad_line);
    kb_lines_close(in);
}

/* The installed share/khabar/models and the build tree's models/, found
 * from the command's own path, so that a relocated install still finds
 * its models. */
static void exe_dirs(char dirs[2][PATH_MAX + 32])
{
    char exe[PATH_MAX];
    dirs[0][0] = dirs[1][0] = '\0';
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(dirs[0], PATH_MAX + 32, "%s/../models", exe);
    snprintf(dirs[1], PATH_MAX + 32, "%s/../share/khabar/models", exe);
}

char *cli_model_path(const char *name)
{
    static char dirs[2][PATH_MAX + 32];
    const char *extra[] = {dirs[0], dirs[1], NULL};
    exe_dirs(dirs);
    char path[PATH_MAX + 256];
    kb_error err;
    if (kb_model_find(name, extra, path, sizeof path, &err) != 0) {
        cli_error("%s", err.msg);
        return NULL;
    }
    return strdup(path);
}

kb_model *cli_load_model(const char *name, char **path_out)
{
    char *path = cli_model_path(name);
    if (!path)
        return NULL;
    kb_error err;
    kb_model *m = kb_model_load(path, &err);
    if (!m)
        cli_error("%s", err.msg);
    if (m && path_out)
        *path_out = path;
    else
        free(path);
    return m;
}

void cli_print_search_path(void)
{
    static char dirs[2][PATH_MAX + 32];
    const char *extra[] = {dirs[0], dirs[1], NULL};
    exe_dirs(dirs);
    char path[8192];
    kb_model_search_path(extra, path, sizeof path);
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        printf("%.*s\n", (int)n, p);
        p += n + (p[n] == ':');
    }
}

void out_bytes(cli_out *o, const char *s, size_t n)
{
    if (KB_GROW(o->data, o->cap, o->len + n + 1) != 0) {
        fputs("khabar: out of memory\n", stderr);
        exit(1);
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

void out_str(cli_out *o, const char *s) { out_bytes(o, s, strlen(s)); }

/* Appends s, valid UTF-8 (the line reader repairs text, classify repairs
 * file names once), as a JSON string. */
void out_json_str(cli_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    out_bytes(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
            continue;
        out_bytes(o, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', (char)c, 0};
        if (c < 0x20 || c == 0x7f) {
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

/* Code points that must not reach a terminal raw: C0 and C1 controls,
 * DEL, and the bidirectional embeddings, overrides and isolates (a
 * U+202E in a sentence would reverse the rest of the line on screen). */
static size_t unsafe_len(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f)
        return 1;
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0)
        return 2; /* U+0080..U+009F */
    if (c == 0xE2 && i + 2 < n) {
        unsigned char b = (unsigned char)s[i + 1], d = (unsigned char)s[i + 2];
        if (b == 0x80 && d >= 0xAA && d <= 0xAE)
            return 3; /* U+202A..U+202E */
        if (b == 0x81 && d >= 0xA6 && d <= 0xA9)
            return 3; /* U+2066..U+2069 */
    }
    return 0;
}

/* A TSV field of valid UTF-8: tab and line breaks become a space, other
 * controls and bidi overrides U+FFFD. */
void out_tsv_field(cli_out *o, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        size_t bad = unsafe_len(s, n, i);
        if (!bad) {
            i++;
            continue;
        }
        out_bytes(o, s + run, i - run);
        if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
            out_bytes(o, " ", 1);
        else
            out_bytes(o, "\xEF\xBF\xBD", 3);
        i += bad;
        run = i;
    }
    out_bytes(o, s + run, n - run);
}

/* A CSV field (RFC 4180): cleaned as a TSV field, then quoted, with
 * doubled quotes, when it holds a comma or a quote. */
void out_csv_field(cli_out *o, const char *s, size_t n)
{
    /* cleaning never adds or drops a comma or a quote: decide on s */
    if (!memchr(s, ',', n) && !memchr(s, '"', n)) {
        out_tsv_field(o, s, n);
        return;
    }
    cli_out clean = {0};
    out_tsv_field(&clean, s, n);
    out_bytes(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < clean.len; i++)
        if (clean.data[i] == '"') {
            out_bytes(o, clean.data + run, i + 1 - run);
            out_bytes(o, "\"", 1);
            run = i + 1;
        }
    out_bytes(o, clean.data + run, clean.len - run);
    out_bytes(o, "\"", 1);
    out_free(&clean);
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
