/*
 * score.c: scoring.  A sentence's n-grams are weighed (tf-idf, L2) and
 * multiplied by the model's weights in one fused pass, and the decision
 * values become probabilities.  Prediction scores the raw n-gram buckets
 * as they come (kb_score_buckets): a bitmap finds each bucket's first
 * occurrence, which is scored as if seen once, and the few repeated
 * buckets are counted (by the featuriser's counting table) and corrected
 * at the end.  Training and
 * cross-validation score counted buckets (kb_score_counts), the
 * reference the one-pass scoring is tested against.
 */
#include "score.h"

int kb_decisions_to_probs(int logistic, int k, const double *dec,
                          double *probs)
{
    int best = 0;
    for (int j = 1; j < k; j++)
        if (dec[j] > dec[best])
            best = j;
    double sum = 0;
    if (logistic && dec[best] > -700) {
        /* liblinear's one-vs-rest logistic probabilities, normalised. */
        for (int j = 0; j < k; j++)
            sum += probs[j] = 1.0 / (1.0 + exp(-dec[j]));
    } else {
        /* SVMs give no probabilities: a softmax of the decision values
         * (also when every logistic probability underflows). */
        for (int j = 0; j < k; j++)
            sum += probs[j] = exp(dec[j] - dec[best]);
    }
    for (int j = 0; j < k; j++)
        probs[j] /= sum;
    return best;
}

/* acc[j] += v * row[j + 1] for the k labels; the shipped models' 4 and 3
 * labels unrolled (the same operations in the same order). */
static inline void add_row(double *acc, double v, const float *row, int k)
{
    switch (k) {
    case 4:
        acc[3] += v * (double)row[4];
        /* fall through */
    case 3:
        acc[2] += v * (double)row[3];
        acc[1] += v * (double)row[2];
        acc[0] += v * (double)row[1];
        return;
    default:
        for (int j = 0; j < k; j++)
            acc[j] += v * (double)row[j + 1];
    }
}

/* From the two spaces' sums and squared norms: the decision values
 * (each space L2-normalised, the lead space weighed) and the
 * probabilities; returns the argmax. */
static int decide(const kb_model *m, double acc[2][KB_MAX_LABELS],
                  const double norm[2], double *dec, double *probs)
{
    double scale[2];
    kb_model_space_scales(m, norm, scale);
    for (int j = 0; j < m->k; j++)
        dec[j] = m->bias[j] + acc[0][j] * scale[0] + acc[1][j] * scale[1];
    return kb_decisions_to_probs(kb_model_is_probabilistic(m), m->k, dec, probs);
}

int kb_score_counts(const kb_model *m, const kb_counts *c, double *dec,
                    double *probs, size_t *known)
{
    size_t n_known = 0;
    int k = m->k;
    size_t width = (size_t)k + 1;
    double acc[2][KB_MAX_LABELS] = {{0}}, norm[2] = {0, 0};
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    /* The tables are larger than the caches: issue the loads of a block
     * of features before using any of them. */
    enum { BLOCK = 32 };
    const float *rows[BLOCK];
    for (size_t base = 0; base < c->n; base += BLOCK) {
        size_t end = base + BLOCK < c->n ? base + BLOCK : c->n, nr = 0;
        for (size_t i = base; i < end; i++)
            __builtin_prefetch(&m->rank[c->v[i].bucket >> 6]);
        for (size_t i = base; i < end; i++) {
            uint32_t r = kb_model_row(m, c->v[i].bucket);
            rows[i - base] = r ? m->rows + (size_t)(r - 1) * width : NULL;
            if (r) {
                __builtin_prefetch(rows[i - base]);
                nr++;
            }
        }
        n_known += nr;
        for (size_t i = base; nr && i < end; i++) {
            const float *row = rows[i - base];
            if (!row)
                continue;
            double v = kb_model_tf(m, c->v[i].count) * (double)row[0];
            int space = c->v[i].bucket >= lead_from;
            norm[space] += v * v;
            add_row(acc[space], v, row, k);
        }
    }
    if (known)
        *known = n_known;
    return decide(m, acc, norm, dec, probs);
}

/* One block of first occurrences, gathered but not yet added: their rows
 * (prefetched) and buckets. */
enum { SCORE_BLOCK = 32 };
typedef struct first_block {
    const float *rows[SCORE_BLOCK];
    uint32_t bucket[SCORE_BLOCK];
    size_t n;
} first_block;

/* Gathers the first occurrences of c->scratch[from, to) into fb and
 * prefetches their rows; repeats go to s->rep.scratch.  The rank entries
 * of the block are fetched before any is used.  On x86-64 a second copy
 * uses the popcnt instruction, chosen at load time when the processor has
 * it (the baseline does not: kb_popcount64 is then arithmetic). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("popcnt", "default")))
#endif
static void gather_first_block(const kb_model *m, const kb_counts *c,
                               kb_score_scratch *s, size_t from, size_t to,
                               first_block *fb)
{
    size_t width = (size_t)m->k + 1;
    fb->n = 0;
    for (size_t i = from; i < to; i++)
        __builtin_prefetch(&m->rank[c->scratch[i] >> 6]);
    for (size_t i = from; i < to; i++) {
        uint32_t b = c->scratch[i];
        uint64_t bit = (uint64_t)1 << (b & 63);
        if (s->seen[b >> 6] & bit) {
            s->rep.scratch[s->rep.n_raw++] = b;
            continue;
        }
        s->seen[b >> 6] |= bit;
        uint32_t r = kb_model_row(m, b);
        if (!r)
            continue;
        fb->rows[fb->n] = m->rows + (size_t)(r - 1) * width;
        __builtin_prefetch(fb->rows[fb->n]);
        fb->bucket[fb->n++] = b;
    }
}

/* Adds a gathered block to acc and norm, each row as if seen once;
 * returns how many rows it added (buckets the model knows). */
static size_t add_first_block(const kb_model *m, const first_block *fb,
                              double acc[2][KB_MAX_LABELS], double norm[2])
{
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    const double tf1 = kb_model_tf(m, 1);
    for (size_t i = 0; i < fb->n; i++) {
        double v = tf1 * (double)fb->rows[i][0];
        int space = fb->bucket[i] >= lead_from;
        norm[space] += v * v;
        add_row(acc[space], v, fb->rows[i], m->k);
    }
    return fb->n;
}

int kb_score_buckets(const kb_model *m, const kb_counts *c,
                     kb_score_scratch *s, double *dec, double *probs,
                     size_t *known)
{
    size_t n_known = 0;
    int k = m->k;
    double acc[2][KB_MAX_LABELS] = {{0}}, norm[2] = {0, 0};
    uint32_t lead_from = (uint32_t)1 << m->params.feat.hash_bits;
    if (!s->seen &&
        !(s->seen = calloc(KB_SPACE_SIZE(&m->params.feat) / 64, sizeof *s->seen)))
        return -1;
    if (KB_GROW(s->rep.scratch, s->rep.scratch_cap, c->n_raw ? c->n_raw : 1))
        return -1;
    s->rep.n_raw = 0;
    /* A two-stage pipeline: block j+1 is gathered (its rows prefetched)
     * before block j is added, so the rows arrive while other work is
     * done.  The additions keep the order of the buckets. */
    first_block fb[2];
    size_t blocks = (c->n_raw + SCORE_BLOCK - 1) / SCORE_BLOCK;
    for (size_t j = 0; j <= blocks; j++) {
        size_t from = j * SCORE_BLOCK;
        if (j < blocks)
            gather_first_block(m, c, s, from,
                               from + SCORE_BLOCK < c->n_raw ? from + SCORE_BLOCK
                                                             : c->n_raw,
                               &fb[j & 1]);
        if (j > 0)
            n_known += add_first_block(m, &fb[(j - 1) & 1], acc, norm);
    }
    uint64_t *seen = s->seen; /* (locals: the stores cannot alias them) */
    const uint32_t *raw = c->scratch;
    for (size_t i = 0, n = c->n_raw; i < n; i++) /* every bit back to 0 */
        seen[raw[i] >> 6] = 0;
    if (kb_count_raw(&s->rep, 0) != 0)
        return -1;
    /* Each repeated bucket was added with tf 1: add the difference (its
     * count in rep is its occurrences after the first). */
    double tf1 = kb_model_tf(m, 1);
    for (size_t i = 0; i < s->rep.n; i++) {
        uint32_t b = s->rep.v[i].bucket, r = kb_model_row(m, b);
        if (!r)
            continue;
        const float *row = m->rows + (size_t)(r - 1) * ((size_t)k + 1);
        double v1 = tf1 * (double)row[0];
        double v = kb_model_tf(m, s->rep.v[i].count + 1) * (double)row[0];
        int space = b >= lead_from;
        norm[space] += v * v - v1 * v1;
        add_row(acc[space], v - v1, row, k);
    }
    if (known)
        *known = n_known;
    return decide(m, acc, norm, dec, probs);
}

void kb_score_scratch_free(kb_score_scratch *s)
{
    free(s->seen);
    kb_counts_free(&s->rep);
    memset(s, 0, sizeof *s);
}
