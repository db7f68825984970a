/*
 * trainer.h: the training stage's internal interface, shared by train.c
 * (one model from all rows) and cv.c (one model per fold).
 */
#ifndef KB_TRAINER_H
#define KB_TRAINER_H

#include "score.h"

/* A dataset turned into features once: each row's counts and label index. */
typedef struct kb_featurized {
    size_t n;
    kb_counts *rows;
    int *y;
    int k;
    char **labels; /* k names, in order of first appearance or as given */
} kb_featurized;

int kb_featurize_dataset(const kb_dataset *ds, const kb_train_opts *o,
                         kb_featurized *fz, kb_error *err);
void kb_featurized_free(kb_featurized *fz);

/* Trains on the rows listed in idx (all rows when idx is NULL). */
kb_model *kb_train_rows(const kb_featurized *fz, const size_t *idx, size_t n,
                        const kb_train_opts *o, kb_error *err);

void kb_progress(const kb_train_opts *o, const char *fmt, ...) KB_PRINTF(2, 3);

#endif
