/*
 * lines.c: the one line reader for text files (TSV data and articles).
 *
 * Both kinds of file follow the same rules: "-" is standard input; a
 * directory is refused; a UTF-8 BOM on the first line and CR/LF line ends
 * are dropped; a NUL byte means binary data.  Invalid UTF-8 is an error
 * naming the line (KB_LINES_STRICT, for training data, whose labels must
 * be exact) or is replaced with U+FFFD and counted (KB_LINES_REPAIR, for
 * articles).  A read error of any kind, including getline's ENOMEM on a
 * line too long for memory, is an error naming the line, never taken for
 * the end of the file.
 */
#include "common.h"

#include <errno.h>
#include <sys/stat.h>

int kb_lines_open(kb_lines *r, const char *path, int mode, kb_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->mode = mode;
    if (strcmp(path, "-") == 0) {
        r->fp = stdin;
        return 0;
    }
    r->fp = fopen(path, "rb");
    if (!r->fp)
        return kb_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(r->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(r->fp);
        r->fp = NULL;
        return kb_fail(err, "%s: is a directory, not a text file", path);
    }
    return 0;
}

/* Replaces the bad bytes of s in a copy, unless the line is binary. */
static int repair_line(kb_lines *r, char *s, size_t l, size_t controls,
                       char **text, size_t *len, kb_error *err)
{
    size_t bad = 0, fixed_len;
    char *fixed = kb_utf8_repair(s, l, &fixed_len, &bad);
    if (!fixed)
        return kb_fail(err, "%s:%zu: out of memory", r->path, r->lineno);
    if ((bad + controls) * 10 > l + 10) {
        free(fixed);
        return kb_fail(err, "%s:%zu: binary data (control bytes or invalid "
                            "UTF-8), not text", r->path, r->lineno);
    }
    if (bad > 0 && r->n_bad == 0)
        r->first_bad_line = r->lineno;
    r->n_bad += bad;
    r->fixed = fixed;
    *text = fixed;
    *len = fixed_len;
    return 1;
}

int kb_lines_next(kb_lines *r, char **text, size_t *len, kb_error *err)
{
    free(r->fixed);
    r->fixed = NULL;
    errno = 0;
    ssize_t n = getline(&r->raw, &r->raw_cap, r->fp);
    if (n < 0) {
        if (ferror(r->fp) || errno != 0)
            return kb_fail(err, "%s:%zu: read error: %s", r->path,
                           r->lineno + 1, strerror(errno ? errno : EIO));
        return 0;
    }
    r->lineno++;
    char *s = r->raw;
    size_t l = (size_t)n;
    while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
        l--;
    s[l] = '\0';
    if (r->lineno == 1 && l >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        l -= 3;
    }
    if (memchr(s, '\0', l))
        return kb_fail(err, "%s:%zu: NUL byte: binary data, not text",
                       r->path, r->lineno);
    size_t bad_at, controls;
    int valid = kb_utf8_check(s, l, &bad_at, &controls);
    if (r->mode == KB_LINES_STRICT && !valid)
        return kb_fail(err, "%s:%zu: invalid UTF-8 at byte %zu of the line",
                       r->path, r->lineno, bad_at + 1);
    if (r->mode == KB_LINES_STRICT || (valid && controls * 10 <= l + 10)) {
        *text = s; /* the common case: no copy */
        *len = l;
        return 1;
    }
    return repair_line(r, s, l, controls, text, len, err);
}

void kb_lines_close(kb_lines *r)
{
    if (r->fp && r->fp != stdin)
        fclose(r->fp);
    free(r->raw);
    free(r->fixed);
    memset(r, 0, sizeof *r);
}
