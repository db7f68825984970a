/*
 * lines.c: the one line reader for text files (TSV data and articles).
 *
 * Both kinds of file follow the same rules: "-" is standard input; only
 * regular files, pipes and terminals are read (a directory or device is
 * refused); a UTF-8 BOM on the first line and CR/LF line ends are
 * dropped; a NUL byte means binary data.  Invalid UTF-8 is an error
 * naming the line (KB_LINES_STRICT, for training data, whose labels must
 * be exact) or is replaced with U+FFFD and counted (KB_LINES_REPAIR, for
 * articles), unless over 30% of a line of 32 bytes or more, or of the
 * file so far, is invalid or control bytes: then it is binary.  In repair mode a line longer than KB_MAX_PIECE is
 * handed out in pieces cut at a space, so memory stays bounded whatever
 * the input.  A read error of any kind, out of memory included, is an
 * error naming the line, never taken for the end of the file.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (64u << 10)

int kb_lines_open(kb_lines *r, const char *path, int mode, kb_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->mode = mode;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return 0;
    }
    /* O_NONBLOCK: a FIFO with no writer must not hang the open */
    r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (r->fd < 0)
        return kb_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(r->fd, &st) != 0 || S_ISDIR(st.st_mode) ||
        !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        int dir = S_ISDIR(st.st_mode);
        close(r->fd);
        r->fd = -1;
        return kb_fail(err, dir ? "%s: is a directory, not a text file"
                                : "%s: not a regular file", path);
    }
    int fl = fcntl(r->fd, F_GETFL);
    if (fl >= 0)
        fcntl(r->fd, F_SETFL, fl & ~O_NONBLOCK);
    return 0;
}

/* Reads more bytes after the buffered ones; 0 at end of file. */
static ssize_t fill(kb_lines *r, kb_error *err)
{
    if (r->pos > 0) { /* keep only what is not handed out yet */
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (KB_GROW(r->buf, r->cap, r->len + READ_CHUNK + 1) != 0)
        return kb_fail(err, "%s:%zu: out of memory reading a line of more "
                            "than %zu bytes", r->path, r->lineno + 1, r->len);
    ssize_t n;
    do
        n = read(r->fd, r->buf + r->len, READ_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return kb_fail(err, "%s:%zu: read error: %s", r->path, r->lineno + 1,
                       strerror(errno));
    /* binary data (a device, /dev/zero) is refused as it comes, before a
     * line without end fills the memory */
    if (n > 0 && memchr(r->buf + r->len, '\0', (size_t)n)) {
        const char *nul = memchr(r->buf + r->len, '\0', (size_t)n);
        size_t line = r->lineno + 1;
        for (const char *q = r->buf + r->pos; q < nul; q++)
            line += *q == '\n';
        return kb_fail(err, "%s:%zu: NUL byte: binary data, not text", r->path,
                       line);
    }
    r->len += (size_t)n;
    return n;
}

/* A place at most max bytes into [s, s+n) to cut a long line: after the
 * last space, else at a UTF-8 character boundary. */
static size_t piece_end(const char *s, size_t n, size_t max)
{
    size_t cut = max;
    while (cut > max / 2 && s[cut - 1] != ' ' && s[cut - 1] != '\t')
        cut--;
    if (cut > max / 2)
        return cut;
    cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return cut ? cut : (n < max ? n : max);
}

/* The next raw line (or piece) in [*s, *s + *n); 0 at end of file. */
static int next_raw(kb_lines *r, char **s, size_t *n, kb_error *err)
{
    size_t max = r->mode == KB_LINES_REPAIR ? KB_MAX_PIECE : SIZE_MAX;
    size_t limit = r->mode == KB_LINES_RECORD ? KB_MAX_RECORD : SIZE_MAX;
    size_t scanned = 0;
    for (;;) {
        size_t avail = r->len - r->pos;
        char *start = avail ? r->buf + r->pos : NULL;
        char *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned)
                                   : NULL;
        if (nl) {
            *s = start;
            *n = (size_t)(nl - start);
            r->pos += *n + 1;
            r->offset += *n + 1;
            r->in_piece = 0;
            return 1;
        }
        if (avail >= max) {
            *s = start;
            *n = piece_end(start, avail, max);
            r->pos += *n;
            r->offset += *n;
            r->in_piece = 1;
            return 1;
        }
        if (avail > limit)
            return kb_fail(err, "%s:%zu: a line longer than %zu MiB: not a "
                                "record", r->path, r->lineno + 1, limit >> 20);
        scanned = avail;
        ssize_t got = r->eof ? 0 : fill(r, err);
        if (got < 0)
            return -1;
        if (got == 0) {
            r->eof = 1;
            if (r->len == r->pos)
                return 0;
            *s = r->buf + r->pos;
            *n = r->len - r->pos;
            r->pos = r->len;
            r->offset += *n;
            r->in_piece = 0;
            return 1;
        }
    }
}

/* Replaces the bad bytes of s in a copy, unless the line is binary. */
static int repair_line(kb_lines *r, char *s, size_t l, size_t controls,
                       char **text, size_t *len, kb_error *err)
{
    size_t bad = 0, fixed_len;
    char *fixed = kb_utf8_repair(s, l, &fixed_len, &bad);
    if (!fixed)
        return kb_fail(err, "%s:%zu: out of memory", r->path, r->lineno);
    r->bad_bytes += bad + controls;
    r->seen_bytes += l;
    if ((l >= 32 && (bad + controls) * 10 > l * 3) ||
        (r->seen_bytes >= 1024 && r->bad_bytes * 10 > r->seen_bytes * 3)) {
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
    if (r->held_at) { /* the byte the last piece's terminator replaced */
        *r->held_at = r->held;
        r->held_at = NULL;
    }
    int was_piece = r->in_piece;
    char *s = NULL;
    size_t l = 0;
    int got = next_raw(r, &s, &l, err);
    if (got <= 0)
        return got;
    if (!was_piece)
        r->lineno++;
    if (!r->in_piece)
        while (l > 0 && s[l - 1] == '\r')
            l--;
    if (r->lineno == 1 && !was_piece && l >= 3 &&
        memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        l -= 3;
    }
    if (memchr(s, '\0', l))
        return kb_fail(err, "%s:%zu: NUL byte: binary data, not text",
                       r->path, r->lineno);
    if (r->in_piece) { /* s[l] is the next piece's first byte: keep it */
        r->held_at = s + l;
        r->held = s[l];
    }
    s[l] = '\0'; /* the '\n', '\r', slack or held byte after the line */
    size_t bad_at, controls;
    int valid = kb_utf8_check(s, l, &bad_at, &controls);
    if (r->mode == KB_LINES_STRICT && !valid)
        return kb_fail(err, "%s:%zu: invalid UTF-8 at byte %zu of the line",
                       r->path, r->lineno, bad_at + 1);
    r->seen_bytes += valid && controls == 0 ? l : 0;
    if (r->mode == KB_LINES_STRICT || (valid && controls == 0)) {
        *text = s; /* the common case: no copy */
        *len = l;
        return 1;
    }
    return repair_line(r, s, l, controls, text, len, err);
}

int kb_lines_ready(const kb_lines *r)
{
    if (r->eof || (r->len > r->pos && memchr(r->buf + r->pos, '\n', r->len - r->pos)))
        return 1;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    return poll(&p, 1, 0) != 0;
}

void kb_lines_close(kb_lines *r)
{
    if (r->fd > STDIN_FILENO)
        close(r->fd);
    free(r->buf);
    free(r->fixed);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
