/*
 * common.h: what every stage of the library shares and never exports:
 * error formatting, a growable byte buffer and array growth, the one
 * UTF-8 checker and the one line reader, a 64-bit string hash, the model
 * file's checksum and a small deterministic random generator.
 */
#ifndef KB_COMMON_H
#define KB_COMMON_H

#include "khabar.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#if defined(__GNUC__)
#define KB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KB_PRINTF(a, b)
#endif

/* Fills err (if not NULL) and returns -1, so callers can `return kb_fail(...)`. */
int kb_fail(kb_error *err, const char *fmt, ...) KB_PRINTF(2, 3);

typedef struct kb_buf {
    char *data;
    size_t len, cap;
} kb_buf;

int kb_buf_reserve(kb_buf *b, size_t extra);
/* Grows the array *p (of *cap elements of elem bytes) to hold need. */
int kb_grow(void **p, size_t *cap, size_t need, size_t elem);
int kb_buf_append(kb_buf *b, const void *data, size_t len);
void kb_buf_free(kb_buf *b);

/* Grows the array p (a variable) to hold need elements. */
#define KB_GROW(p, cap, need) kb_grow((void **)&(p), &(cap), (need), sizeof *(p))

/* 1 when len bytes of s are valid UTF-8; otherwise *bad_at is the offset
 * of the first invalid sequence.  *controls (if not NULL) counts the ASCII
 * control bytes that text does not hold (tab, FF, VT, CR, ESC allowed). */
int kb_utf8_check(const char *s, size_t len, size_t *bad_at, size_t *controls);

/* atomic.c: writes len bytes of data over path, whole or not at all
 * (what names the kind of file in errors: "model", "report"). */
int kb_write_file_atomic(const char *path, const char *data, size_t len,
                         const char *what, kb_error *err);

/* The line reader of lines.c. */
enum { KB_LINES_STRICT, KB_LINES_REPAIR, KB_LINES_RECORD };
/* In repair mode, lines longer than this are handed out in pieces. */
#define KB_MAX_PIECE ((size_t)1 << 20)
/* Record mode (structured input: JSONL, CSV, TSV records) repairs bytes
 * as repair mode does but hands out whole lines, up to this length. */
#define KB_MAX_RECORD ((size_t)64 << 20)
typedef struct kb_lines {
    const char *path; /* "-" for stdin */
    int fd;
    int mode;
    size_t lineno;
    uint64_t offset;  /* bytes handed out so far, line ends included */
    size_t n_bad, first_bad_line; /* KB_LINES_REPAIR: bytes replaced */
    size_t seen_bytes, bad_bytes; /* for telling binary files from text */
    char *buf;        /* bytes read, [pos, len) not handed out yet */
    size_t pos, len, cap;
    int eof, in_piece;
    char *held_at, held; /* a byte overwritten by a piece's terminator */
    char *fixed; /* the repaired copy when the line had bad bytes */
} kb_lines;

int kb_lines_open(kb_lines *r, const char *path, int mode, kb_error *err);
/* 1: a line (NUL-terminated, writable until the next call) in *text and
 * *len; 0: end of file; -1: an error naming the file and line. */
int kb_lines_next(kb_lines *r, char **text, size_t *len, kb_error *err);
void kb_lines_close(kb_lines *r);
/* 1 when the next kb_lines_next would not wait: a whole line is buffered,
 * the input has bytes ready, or it ended.  Streaming output uses it to
 * write what it has before blocking on a slow pipe. */
int kb_lines_ready(const kb_lines *r);

/* FNV-1a, 64 bits. */
static inline uint64_t kb_hash_bytes(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define KB_HASH_INIT 0xcbf29ce484222325ULL

/* Final avalanche so that low bits of the hash are well mixed. */
static inline uint64_t kb_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The model file's checksum: 64 bits, eight bytes a step (FNV-1a for
 * the tail), so that checking a model costs little at start-up. */
static inline uint64_t kb_checksum(const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = KB_HASH_INIT;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w; /* read as little-endian on every machine */
        memcpy(&w, p + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return kb_hash_mix(kb_hash_bytes(h, p + i, len - i));
}

/* The number of set bits (SWAR: the baseline x86-64 has no popcnt, and
 * the compiler's builtin would call out to libgcc there). */
static inline uint32_t kb_popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

/* splitmix64: a deterministic generator for fold assignment. */
static inline uint64_t kb_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

char *kb_strdup(const char *s);
char *kb_strndup(const char *s, size_t n);

#endif
