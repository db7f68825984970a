/*
 * progress.h: a progress line on stderr for long runs: files, megabytes,
 * sentences a second and, when the input's size is known, the time left.
 * Shown only on a terminal and only once a run has lasted a second,
 * unless forced (--progress) or silenced (--quiet).
 */
#ifndef KB_PROGRESS_H
#define KB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct progress {
    int mode;             /* PROGRESS_AUTO, _ON or _OFF */
    int tty;              /* stderr is a terminal: redraw one line */
    int shown;
    double start, last;
    uint64_t total_bytes; /* 0: unknown (a pipe among the inputs) */
    uint64_t done_bytes;
    size_t total_files, done_files;
} progress;

enum { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

/* Starts the clock; sizes the regular files among paths ("-" or a pipe
 * leaves the total unknown). */
void progress_start(progress *p, int mode, char **paths, size_t n);
/* Redraws the line when due (at most four times a second). */
void progress_tick(progress *p, size_t sentences);
/* Clears the line (terminal) or prints the last one (forced, no tty). */
void progress_end(progress *p, size_t sentences);

#endif
