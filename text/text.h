/*
 * text.h: the text stage's internal interface, beyond the public
 * normaliser and segmenter in khabar.h: switches that tests and fuzz
 * targets use to compare the fast paths with the ICU reference.
 */
#ifndef KB_TEXT_H
#define KB_TEXT_H

#include "common.h"

/* on = 1 (the default): text whose code points are all below U+0800 is
 * normalised through the table built from ICU when the normaliser was
 * made; on = 0: every text goes through ICU (the reference). */
void kb_normalizer_use_table(kb_normalizer *nz, int on);

/* on = 0 (the default): sentence boundaries are found from the
 * terminators with ICU's Sentence_Break classes; on = 1: every line goes
 * through ICU's break iterator (the reference). */
void kb_segmenter_use_icu(kb_segmenter *sg, int on);

#endif
