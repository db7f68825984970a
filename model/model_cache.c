/*
 * model_cache.c: a disposable binary copy of a loaded model's rows, so
 * that the next start-up reads them instead of parsing text.
 *
 * The text model stays the one source of truth; this is what a font or
 * bytecode cache is to its sources.  After a model is loaded the slow way
 * (parsed and its checksum checked), its rows are written to
 * $KHABAR_CACHE_DIR (default $XDG_CACHE_HOME/khabar or ~/.cache/khabar),
 * one file per model path, whole or absent (kb_write_file_atomic).  The
 * cache is used only while the model file is the very file it was made
 * from: the same device, inode, size, modification time and declared
 * checksum; its own payload carries a checksum too.  Any doubt is a miss,
 * and a miss is silent: the model is then parsed as before, so a damaged
 * or hand-edited model is still reported as such.  Only a cache file the
 * user owns and no one else may write is read (mode 0600).  A model modified less
 * than two seconds ago is not cached (as git treats "racily clean"
 * files): a second edit within the file system's timestamp granularity
 * would otherwise go unseen.  KHABAR_CACHE_DIR set to the empty string
 * turns the cache off.
 *
 *   header (kb_cache_header), then n_rows bucket numbers (uint32), then
 *   n_rows * (k + 1) floats, all in this machine's byte order.
 */
#include "model.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CACHE_MAGIC "khabar-rows-cache-1"
#define CACHE_MIN_AGE_SEC 2

typedef struct kb_cache_header {
    char magic[24];
    uint32_t byte_order; /* 0x01020304 as this machine writes it */
    uint32_t float_size, k, unused;
    uint64_t n_rows;
    kb_model_key key;
    uint64_t payload_sum;
} kb_cache_header;

int kb_model_cache_dir(char *out, size_t n)
{
    const char *dir = getenv("KHABAR_CACHE_DIR");
    int len;
    if (dir)
        len = dir[0] ? snprintf(out, n, "%s", dir) : -1;
    else if ((dir = getenv("XDG_CACHE_HOME")) && dir[0] == '/')
        len = snprintf(out, n, "%s/khabar", dir);
    else if ((dir = getenv("HOME")) && dir[0] == '/')
        len = snprintf(out, n, "%s/.cache/khabar", dir);
    else
        len = -1;
    return len > 0 && (size_t)len < n ? 0 : -1;
}

/* The cache file of a model: one per model path (its real path hashed),
 * so that a retrained model replaces its old cache. */
static int cache_path(const char *model_path, char *out, size_t n)
{
    char dir[PATH_MAX], real[PATH_MAX];
    if (kb_model_cache_dir(dir, sizeof dir) != 0 || !realpath(model_path, real))
        return -1;
    uint64_t h = kb_hash_mix(kb_hash_bytes(KB_HASH_INIT, real, strlen(real)));
    int len = snprintf(out, n, "%s/%016llx.rows", dir, (unsigned long long)h);
    return len > 0 && (size_t)len < n ? 0 : -1;
}

void kb_model_key_of(const struct stat *st, uint64_t sum, kb_model_key *key)
{
    memset(key, 0, sizeof *key);
    key->sum = sum;
    key->size = (uint64_t)st->st_size;
    key->mtime_sec = (int64_t)st->st_mtim.tv_sec;
    key->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
    key->ino = (uint64_t)st->st_ino;
    key->dev = (uint64_t)st->st_dev;
}

static size_t floats_of(const kb_model *m)
{
    return m->n_rows * ((size_t)m->k + 1);
}

static uint64_t payload_sum(const kb_model *m)
{
    uint64_t a = kb_checksum(m->row_bucket, m->n_rows * sizeof *m->row_bucket);
    uint64_t b = kb_checksum(m->rows, floats_of(m) * sizeof *m->rows);
    return kb_hash_mix(a ^ (b * 0x9e3779b97f4a7c15ULL));
}

static void fill_header(kb_cache_header *h, const kb_model *m,
                        const kb_model_key *key)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, CACHE_MAGIC, sizeof CACHE_MAGIC);
    h->byte_order = 0x01020304;
    h->float_size = sizeof(float);
    h->k = (uint32_t)m->k;
    h->n_rows = m->n_rows;
    h->key = *key;
}

static int read_all(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

int kb_model_cache_read(kb_model *m, const char *model_path,
                        const kb_model_key *key)
{
    char path[PATH_MAX];
    if (cache_path(model_path, path, sizeof path) != 0)
        return -1;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    kb_cache_header want, got;
    fill_header(&want, m, key);
    struct stat st;
    size_t size = sizeof got + m->n_rows * sizeof *m->row_bucket +
                  floats_of(m) * sizeof *m->rows;
    /* only a cache this user wrote, which no one else may write: the
     * payload checksum finds damage, not a planted file */
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             st.st_uid == geteuid() && (st.st_mode & 022) == 0 &&
             (uint64_t)st.st_size == size && read_all(fd, &got, sizeof got) == 0;
    want.payload_sum = got.payload_sum;
    ok = ok && memcmp(&want, &got, sizeof got) == 0 &&
         read_all(fd, m->row_bucket, m->n_rows * sizeof *m->row_bucket) == 0 &&
         read_all(fd, m->rows, floats_of(m) * sizeof *m->rows) == 0 &&
         payload_sum(m) == got.payload_sum;
    close(fd);
    return ok ? 0 : -1;
}

void kb_model_cache_write(const kb_model *m, const char *model_path,
                          const kb_model_key *key)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (time(NULL) - (time_t)key->mtime_sec < CACHE_MIN_AGE_SEC ||
        kb_model_cache_dir(dir, sizeof dir) != 0 ||
        cache_path(model_path, path, sizeof path) != 0)
        return;
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { /* ~/.cache itself may not exist yet */
        *slash = '\0';
        mkdir(dir, 0700);
        *slash = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return;
    size_t rows_len = floats_of(m) * sizeof *m->rows;
    size_t buckets_len = m->n_rows * sizeof *m->row_bucket;
    size_t len = sizeof(kb_cache_header) + buckets_len + rows_len;
    char *buf = malloc(len);
    if (!buf)
        return;
    kb_cache_header h;
    fill_header(&h, m, key);
    h.payload_sum = payload_sum(m);
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, m->row_bucket, buckets_len);
    memcpy(buf + sizeof h + buckets_len, m->rows, rows_len);
    kb_error ignored;
    if (kb_write_file_atomic(path, buf, len, "model cache", &ignored) == 0)
        chmod(path, 0600);
    free(buf);
}
