/*
 * atomic.c: writing a whole file so that it is whole or absent.  The
 * bytes go to a temporary file made beside the target (mkstemp: an
 * unpredictable name, created exclusively), which is synced and renamed
 * over the target; the directory is synced after.  Termination signals
 * are held for the write and the rename, a symbolic link or anything but
 * a regular file is never written over, and the target's mode is kept.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of b to fd, then syncs it. */
static int write_fd(int fd, const char *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return fsync(fd);
}

/* The directory part of path ("." when none), malloc'ed. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return kb_strdup(".");
    return kb_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* May path be replaced?  Sets *mode to what the new file gets. */
static int check_target(const char *path, const char *what, mode_t *mode,
                        kb_error *err)
{
    struct stat st;
    mode_t mask = umask(022);
    umask(mask);
    *mode = 0666 & ~mask;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : kb_fail(err, "%s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return kb_fail(err, "%s: is a symbolic link; give the file it points "
                            "to", path);
    if (!S_ISREG(st.st_mode))
        return kb_fail(err, "%s: not a regular file; a %s is only written "
                            "over a regular file", path, what);
    *mode = st.st_mode & 07777;
    return 0;
}

/* Creates the temporary file exclusively; its name goes to *tmp. */
static int create_temp(const char *path, mode_t mode, char **tmp, kb_error *err)
{
    char *dir = dir_of(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(path) + 32;
    *tmp = malloc(n);
    if (!dir || !*tmp) {
        free(dir);
        free(*tmp);
        *tmp = NULL;
        return kb_fail(err, "out of memory");
    }
    snprintf(*tmp, n, "%s/.%s.tmp.XXXXXX", dir, base);
    free(dir);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        kb_fail(err, "%s: cannot create a temporary file beside it: %s", path,
                strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    if (fchmod(fd, mode) != 0) {
        kb_fail(err, "%s: %s", *tmp, strerror(errno));
        close(fd);
        unlink(*tmp);
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    return fd;
}

static void sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* A write past the file size limit (ulimit -f) fails with EFBIG, already
 * reported, and raises SIGXFSZ, held meanwhile: taken here, it would
 * otherwise kill the process, unreported, when the signals are let in. */
static void drop_file_size_signal(void)
{
    sigset_t pending, one;
    struct timespec now = {0, 0};
    if (sigpending(&pending) != 0 || !sigismember(&pending, SIGXFSZ))
        return;
    sigemptyset(&one);
    sigaddset(&one, SIGXFSZ);
    sigtimedwait(&one, NULL, &now);
}

int kb_write_file_atomic(const char *path, const char *data, size_t len,
                         const char *what, kb_error *err)
{
    mode_t mode;
    if (check_target(path, what, &mode, err) != 0)
        return -1;
    sigset_t hold, old;
    sigemptyset(&hold);
    static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT, SIGPIPE,
                               SIGALRM, SIGUSR1, SIGUSR2, SIGXFSZ};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&hold, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &hold, &old);
    char *tmp = NULL;
    int fd = create_temp(path, mode, &tmp, err), rc = fd < 0 ? -1 : 0;
    if (rc == 0 && write_fd(fd, data, len) != 0)
        rc = kb_fail(err, "%s: write failed: %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = kb_fail(err, "%s: write failed: %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = kb_fail(err, "%s: cannot rename temporary %s into place: %s",
                     path, what, strerror(errno));
    if (rc != 0 && tmp)
        unlink(tmp);
    if (rc == 0)
        sync_dir(path);
    free(tmp);
    drop_file_size_signal();
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

