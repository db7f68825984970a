/*
 * metrics.c: accuracy, per-class precision/recall/F1, macro-F1 and the
 * confusion matrix, from (gold, predicted) pairs of label indices.
 * Macro-F1 averages over the classes that occur in gold or predictions,
 * as scikit-learn's f1_score(average="macro") does.  With confidences,
 * the reliability table and the expected calibration error (ECE, the
 * equal-width binned form of Guo et al. 2017) say whether a confidence of
 * 0.9 is right nine times in ten.
 */
#include "common.h"

#include <math.h>

int kb_metrics_init(kb_metrics *mt, int k)
{
    memset(mt, 0, sizeof *mt);
    mt->k = k;
    size_t kk = (size_t)k;
    mt->confusion = calloc(kk * kk, sizeof *mt->confusion);
    mt->precision = calloc(kk, sizeof *mt->precision);
    mt->recall = calloc(kk, sizeof *mt->recall);
    mt->f1 = calloc(kk, sizeof *mt->f1);
    mt->support = calloc(kk, sizeof *mt->support);
    if (!mt->confusion || !mt->precision || !mt->recall || !mt->f1 ||
        !mt->support) {
        kb_metrics_free(mt);
        return -1;
    }
    return 0;
}

void kb_metrics_add(kb_metrics *mt, int gold, int pred)
{
    mt->confusion[(size_t)gold * (size_t)mt->k + (size_t)pred]++;
    mt->n++;
}

void kb_metrics_add_prob(kb_metrics *mt, int gold, int pred, double conf)
{
    kb_metrics_add(mt, gold, pred);
    if (!(conf >= 0))
        conf = 0;
    int b = conf >= 1 ? KB_CALIB_BINS - 1 : (int)(conf * KB_CALIB_BINS);
    mt->bin_n[b]++;
    mt->bin_correct[b] += gold == pred;
    mt->bin_conf[b] += conf;
    mt->n_conf++;
}

static void finish_calibration(kb_metrics *mt)
{
    mt->ece = 0;
    for (int b = 0; b < KB_CALIB_BINS; b++) {
        if (!mt->bin_n[b])
            continue;
        double nb = (double)mt->bin_n[b];
        mt->bin_conf[b] /= nb;
        mt->ece += nb / (double)mt->n_conf *
                   fabs((double)mt->bin_correct[b] / nb - mt->bin_conf[b]);
    }
}

void kb_metrics_finish(kb_metrics *mt)
{
    size_t k = (size_t)mt->k, correct = 0;
    double f1_sum = 0;
    int present = 0;
    for (size_t c = 0; c < k; c++) {
        size_t tp = mt->confusion[c * k + c], gold = 0, pred = 0;
        for (size_t j = 0; j < k; j++) {
            gold += mt->confusion[c * k + j];
            pred += mt->confusion[j * k + c];
        }
        correct += tp;
        mt->support[c] = gold;
        mt->precision[c] = pred ? (double)tp / (double)pred : 0;
        mt->recall[c] = gold ? (double)tp / (double)gold : 0;
        double ps = mt->precision[c] + mt->recall[c];
        mt->f1[c] = ps > 0 ? 2 * mt->precision[c] * mt->recall[c] / ps : 0;
        if (gold || pred) {
            f1_sum += mt->f1[c];
            present++;
        }
    }
    mt->accuracy = mt->n ? (double)correct / (double)mt->n : 0;
    mt->macro_f1 = present ? f1_sum / present : 0;
    finish_calibration(mt);
}

void kb_metrics_free(kb_metrics *mt)
{
    free(mt->confusion);
    free(mt->precision);
    free(mt->recall);
    free(mt->f1);
    free(mt->support);
    memset(mt, 0, sizeof *mt);
}
