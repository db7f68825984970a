/*
 * progress.c: the progress line of long runs (see progress.h).
 */
#include "progress.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(progress *p, int mode, char **paths, size_t n)
{
    *p = (progress){0};
    p->mode = mode;
    p->tty = isatty(STDERR_FILENO);
    if (mode == PROGRESS_OFF || (mode == PROGRESS_AUTO && !p->tty))
        return;
    p->start = now();
    p->last = 0;
    p->total_files = n;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (paths[i][0] == '-' && paths[i][1] == '\0') {
            if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) {
                p->total_bytes = 0;
                return;
            }
        } else if (stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            p->total_bytes = 0;
            return;
        }
        p->total_bytes += (uint64_t)st.st_size;
    }
}

static void draw(progress *p, size_t sentences, double t)
{
    double el = t - p->start, mb = (double)p->done_bytes / 1e6;
    char eta[32] = "";
    if (p->total_bytes && p->done_bytes && p->done_bytes <= p->total_bytes) {
        double left = el * (double)(p->total_bytes - p->done_bytes) /
                      (double)p->done_bytes;
        snprintf(eta, sizeof eta, ", %d:%02d left", (int)(left / 60),
                 (int)left % 60);
    }
    char total[32] = "";
    if (p->total_bytes)
        snprintf(total, sizeof total, " of %.1f", (double)p->total_bytes / 1e6);
    fprintf(stderr, "%skhabar: %zu/%zu files, %.1f%s MB, %zu sentences, "
                    "%.0f sentences/s%s%s",
            p->tty ? "\r\033[K" : "", p->done_files, p->total_files, mb, total,
            sentences, el > 0 ? (double)sentences / el : 0.0, eta,
            p->tty ? "" : "\n");
    fflush(stderr);
    p->shown = 1;
}

void progress_tick(progress *p, size_t sentences)
{
    if (p->mode == PROGRESS_OFF || (p->mode == PROGRESS_AUTO && !p->tty))
        return;
    double t = now();
    /* a terminal's line after a second, every 0.25 s; a forced line in a
     * log every 2 s */
    double every = p->tty ? 0.25 : 2.0;
    if (t - p->start < 1.0 || t - p->last < every)
        return;
    p->last = t;
    draw(p, sentences, t);
}

void progress_end(progress *p, size_t sentences)
{
    if (p->mode == PROGRESS_OFF || (p->mode == PROGRESS_AUTO && !p->tty))
        return;
    if (!p->shown && (p->tty || now() - p->start < 1.0))
        return;
    if (p->tty)
        fputs("\r\033[K", stderr);
    else
        draw(p, sentences, now());
    fflush(stderr);
}
