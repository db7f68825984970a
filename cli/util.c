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
    if (KB_GROW(o->data, o->cap, o->len + n + 1) != 0) {
        fputs("khabar: out of memory\n", stderr);
        exit(1);
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
