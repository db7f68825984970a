/*
 * classify_batch.c: labels one batch of lines for `khabar classify`.
 *
 * With -j N (N > 1) the batch is cut into 8N slices of lines, and each of
 * the N threads segments and labels the next slice left until none is,
 * so that a slow slice or a core busy with another process does not hold
 * the others back.  Then, in order and on one thread, the sentences are
 * read in their article's context, given their final labels and numbers,
 * and each article's totals are summed.  The threads then format the
 * slices the same way, and the slices are written in order, so the output
 * is the same for every N.
 */
#include "classify_job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_STACK ((size_t)1 << 21)

/* ------------------------------------------------------------- batches */

int batch_add_line(batch *b, const char *t, size_t len, size_t art)
{
    if (KB_GROW(b->text, b->cap, b->len + len) != 0 ||
        KB_GROW(b->line_at, b->lines_cap, b->n_lines + 2) != 0 ||
        KB_GROW(b->line_art, b->art_cap, b->n_lines + 1) != 0)
        return -1;
    b->line_at[b->n_lines] = b->len;
    if (len) /* (the first line may be empty and the buffer still NULL) */
        memcpy(b->text + b->len, t, len);
    b->len += len;
    b->line_art[b->n_lines] = art;
    b->n_lines++;
    b->line_at[b->n_lines] = b->len;
    return 0;
}

long batch_add_article(batch *b, char *doc, rec_record *rec)
{
    article *a = calloc(1, sizeof *a);
    if (!a || KB_GROW(b->arts, b->arts_cap, b->n_arts + 1) != 0) {
        free(a);
        free(doc);
        rec_free(rec);
        return -1;
    }
    a->doc = doc;
    a->rec = rec;
    b->arts[b->n_arts] = a;
    return (long)b->n_arts++;
}

static void article_free(article *a)
{
    if (!a)
        return;
    free(a->doc);
    rec_free(a->rec);
    free(a);
}

void batch_reset(batch *b)
{
    size_t keep = b->last_open && b->n_arts ? 1 : 0;
    for (size_t i = 0; i + keep < b->n_arts; i++)
        article_free(b->arts[i]);
    if (keep)
        b->arts[0] = b->arts[b->n_arts - 1];
    b->first_continues = (int)keep;
    b->n_arts = keep;
    b->len = b->n_lines = 0;
}

void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n_arts; i++)
        article_free(b->arts[i]);
    free(b->arts);
    free(b->text);
    free(b->line_at);
    free(b->line_art);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ labelling */

static int add_sentence(worker *w, size_t line, size_t start, size_t len)
{
    const job *jb = w->jb;
    size_t k = (size_t)jb->k;
    if (KB_GROW(w->sent, w->sent_cap, w->n_sent + 1) != 0 ||
        KB_GROW(w->probs, w->probs_cap, (w->n_sent + 1) * k) != 0)
        return kb_fail(&w->err, "out of memory");
    const char *t = w->b->text + w->b->line_at[line];
    int label = kb_predict(w->pred, t + start, len, w->probs + w->n_sent * k,
                           &w->err);
    if (label < 0)
        return -1;
    sentence *s = &w->sent[w->n_sent++];
    memset(s, 0, sizeof *s);
    s->line = line;
    s->start = start;
    s->len = len;
    s->art = w->b->line_art[line];
    s->label = label;
    s->unknown = kb_evidence_unknown(kb_predictor_evidence(w->pred), jb->min_known);
    s->new_article = w->blank_before;
    w->blank_before = 0;
    return 0;
}

/* Whole line as one sentence, trimmed of ASCII space (--sentences). */
static int label_line_whole(worker *w, size_t line, const char *t, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && (t[a] == ' ' || t[a] == '\t'))
        a++;
    while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t'))
        b--;
    if (a == b || kb_text_blank(t + a, b - a)) {
        w->blank_before = 1;
        return 0;
    }
    return add_sentence(w, line, a, b - a);
}

static void *label_slice(void *arg)
{
    worker *w = arg;
    w->n_sent = 0;
    /* a slice that starts after a blank line starts an article */
    size_t lo = w->line_lo;
    w->blank_before =
        lo > 0 ? kb_text_blank(w->b->text + w->b->line_at[lo - 1],
                               w->b->line_at[lo] - w->b->line_at[lo - 1])
               : w->jb->blank_pending;
    for (size_t l = w->line_lo; l < w->line_hi && !w->failed; l++) {
        const char *t = w->b->text + w->b->line_at[l];
        size_t len = w->b->line_at[l + 1] - w->b->line_at[l];
        if (w->jb->sentences_mode) {
            w->failed = label_line_whole(w, l, t, len) != 0;
            continue;
        }
        const kb_span *sp;
        size_t n;
        if (kb_segment(w->seg, t, len, &sp, &n, &w->err) != 0) {
            w->failed = 1;
            break;
        }
        for (size_t i = 0; i < n && !w->failed; i++)
            w->failed = add_sentence(w, l, sp[i].start, sp[i].len) != 0;
    }
    return NULL;
}

/* Summaries go to JSON Lines among the sentences, and to TSV and CSV
 * only with --summary-only (a table holds one kind of row). */
static int wants_summaries(const job *jb)
{
    return jb->format == FMT_JSONL || jb->summary_only;
}

static void *format_slice(void *arg)
{
    worker *w = arg;
    const job *jb = w->jb;
    size_t k = (size_t)jb->k;
    w->out.len = 0;
    for (size_t i = 0; i < w->n_sent; i++) {
        const sentence *s = &w->sent[i];
        if (!jb->summary_only)
            format_sentence(jb, w->b, s, w->probs + i * k, &w->out);
        for (size_t a = s->sum_lo; a < s->sum_hi && wants_summaries(jb); a++)
            format_summary(jb, w->b->arts[a], &w->out);
    }
    return NULL;
}

/* One thread of a phase: takes the next slice left until none is. */
typedef struct lane {
    crew *c;
    int t;
    void *(*fn)(void *);
    atomic_int *next;
} lane;

static void *run_lane(void *arg)
{
    lane *l = arg;
    for (int i; (i = atomic_fetch_add(l->next, 1)) < l->c->n_slices;) {
        worker *w = &l->c->ws[i];
        w->seg = l->c->seg[l->t];
        w->pred = l->c->pred[l->t];
        l->fn(w);
    }
    return NULL;
}

static void run_phase(crew *c, void *(*fn)(void *))
{
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    atomic_int next = 0;
    lane lanes[MAX_THREADS];
    pthread_attr_t attr; /* not the stack limit's size: ICU wants room */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK);
    for (int t = 0; t < c->nt; t++)
        lanes[t] = (lane){c, t, fn, &next};
    for (int t = 1; t < c->nt; t++)
        started[t] = pthread_create(&th[t], &attr, run_lane, &lanes[t]) == 0;
    pthread_attr_destroy(&attr);
    run_lane(&lanes[0]); /* slices a thread failed to start for go here */
    for (int t = 1; t < c->nt; t++)
        if (started[t])
            pthread_join(th[t], NULL);
}

int crew_start(crew *c, int nt, const job *jb, const kb_model *m)
{
    kb_error err;
    memset(c, 0, sizeof *c);
    c->nt = nt;
    c->n_slices = nt == 1 ? 1 : nt * SLICES_PER_THREAD;
    c->ws = calloc((size_t)c->n_slices, sizeof *c->ws);
    if (!c->ws)
        return cli_error("out of memory");
    for (int i = 0; i < c->n_slices; i++)
        c->ws[i].jb = jb;
    for (int t = 0; t < nt; t++) {
        c->seg[t] = kb_segmenter_new(&err);
        c->pred[t] = c->seg[t] ? kb_predictor_new(m, &err) : NULL;
        if (!c->pred[t])
            return cli_error("%s", err.msg);
    }
    return 0;
}

void crew_stop(crew *c)
{
    for (int t = 0; t < c->nt; t++) {
        kb_segmenter_free(c->seg[t]);
        kb_predictor_free(c->pred[t]);
    }
    for (int i = 0; c->ws && i < c->n_slices; i++) {
        free(c->ws[i].sent);
        free(c->ws[i].probs);
        out_free(&c->ws[i].out);
    }
    free(c->ws);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------- context */

/* The batch's sentences in order, across the slices. */
typedef struct flat {
    worker *w;
    size_t i;
} flat;

static sentence *flat_sent(const flat *f) { return &f->w->sent[f->i]; }

/* Reads the sentences of one article (rows: the carried context, then the
 * batch's sentences a..b) with the model's context stage, writing the new
 * probabilities and labels back. */
static int context_article(job *jb, const flat *ids, size_t a, size_t b,
                           int continues)
{
    size_t k = (size_t)jb->k;
    size_t pre = continues ? jb->n_carry : 0, n = pre + (b - a);
    double *in = malloc(n * k * sizeof *in), *out = malloc(n * k * sizeof *out);
    int *lab = malloc(n * sizeof *lab);
    int rc = (!in || !out || !lab) ? -1 : 0;
    if (rc == 0) {
        if (pre)
            memcpy(in, jb->carry, pre * k * sizeof *in);
        for (size_t i = a; i < b; i++)
            memcpy(in + (pre + i - a) * k, ids[i].w->probs + ids[i].i * k,
                   k * sizeof *in);
        rc = kb_context_apply(jb->model, in, n, out, lab);
    }
    for (size_t i = a; rc == 0 && i < b; i++) {
        memcpy(ids[i].w->probs + ids[i].i * k, out + (pre + i - a) * k,
               k * sizeof *out);
        flat_sent(&ids[i])->label = lab[pre + i - a];
    }
    if (rc == 0) { /* carry: the first sentence, then the last window */
        size_t win = (size_t)kb_model_params(jb->model)->context_window;
        size_t keep = n - 1 < win ? n - 1 : win;
        if (KB_GROW(jb->carry, jb->carry_cap, (keep + 1) * k) != 0)
            rc = -1;
        else {
            memmove(jb->carry, in, k * sizeof *in);
            memcpy(jb->carry + k, in + (n - keep) * k, keep * k * sizeof *in);
            jb->n_carry = keep + 1;
        }
    }
    free(in);
    free(out);
    free(lab);
    return rc;
}

/* 1 when sentence i starts a new article (for the context stage). */
static int starts_article(const job *jb, const flat *ids, size_t i)
{
    const sentence *s = flat_sent(&ids[i]);
    if (jb->article_mode && s->new_article)
        return 1;
    return i > 0 && flat_sent(&ids[i - 1])->art != s->art;
}

static int context_pass(job *jb, const batch *b, const flat *ids, size_t total)
{
    for (size_t a = 0; a < total;) {
        const sentence *s = flat_sent(&ids[a]);
        int continues = jb->article_len > 0 && s->art == 0 && b->first_continues &&
                        !(jb->article_mode && s->new_article);
        if (a > 0 && starts_article(jb, ids, a))
            continues = 0;
        size_t e = a + 1;
        while (e < total && !starts_article(jb, ids, e))
            e++;
        if (!continues)
            jb->article_len = 0;
        if (context_article(jb, ids, a, e, continues) != 0)
            return cli_error("out of memory");
        jb->article_len += e - a;
        a = e;
    }
    return 0;
}

/* ------------------------------------------------------------ numbering */

/* Final labels, numbers and article totals, in order; each sentence
 * learns which articles end right after it. */
static void number_pass(job *jb, batch *b, const flat *ids, size_t total)
{
    size_t k = (size_t)jb->k;
    size_t ended = b->last_open ? b->n_arts - 1 : b->n_arts;
    for (size_t i = 0; i < total; i++) {
        sentence *s = flat_sent(&ids[i]);
        const double *p = ids[i].w->probs + ids[i].i * k;
        article *a = b->arts[s->art];
        if (s->unknown)
            s->label = jb->k;
        else {
            if (p[s->label] < jb->min_confidence)
                s->label = jb->k + 1;
            for (size_t j = 0; j < k; j++)
                a->mass[j] += p[j];
        }
        a->counts[s->label]++;
        s->n = ++a->n_sent;
        size_t next = i + 1 < total ? flat_sent(&ids[i + 1])->art : ended;
        s->sum_lo = s->art;
        s->sum_hi = next < ended ? next : ended;
        if (s->sum_hi < s->sum_lo)
            s->sum_hi = s->sum_lo;
    }
    jb->sentences_done += total;
}

/* Articles that end before the batch's first sentence (no sentences of
 * their own in it), or every ended one when the batch has no sentence. */
static void leading_summaries(const job *jb, const batch *b, const flat *ids,
                              size_t total, cli_out *o)
{
    size_t ended = b->last_open ? b->n_arts - 1 : b->n_arts;
    size_t upto = total ? flat_sent(&ids[0])->art : ended;
    if (!wants_summaries(jb))
        return;
    if (upto > ended)
        upto = ended;
    for (size_t a = 0; a < upto; a++)
        format_summary(jb, b->arts[a], o);
}

/* ---------------------------------------------------------------- batch */

static void cut_slices(crew *c, const batch *b)
{
    size_t ns = (size_t)c->n_slices;
    size_t per = (b->len + ns - 1) / ns, line = 0;
    for (size_t t = 0; t < ns; t++) {
        worker *w = &c->ws[t];
        w->b = b;
        w->line_lo = line;
        while (line < b->n_lines &&
               (t == ns - 1 || b->line_at[line] < per * (t + 1)))
            line++;
        w->line_hi = line;
        w->failed = 0;
    }
}

int classify_batch(crew *c, job *jb, batch *b)
{
    worker *ws = c->ws;
    int ns = c->n_slices;
    cut_slices(c, b);
    run_phase(c, label_slice);
    for (int t = 0; t < ns; t++)
        if (ws[t].failed)
            return cli_error("%s: %s", b->n_arts ? b->arts[0]->doc : "-",
                             ws[t].err.msg);
    size_t total = 0;
    for (int t = 0; t < ns; t++)
        total += ws[t].n_sent;
    flat *ids = malloc((total ? total : 1) * sizeof *ids);
    if (!ids)
        return cli_error("out of memory");
    size_t n = 0;
    for (int t = 0; t < ns; t++)
        for (size_t i = 0; i < ws[t].n_sent; i++)
            ids[n++] = (flat){&ws[t], i};
    int rc = jb->context ? context_pass(jb, b, ids, total) : 0;
    if (rc == 0) {
        if (b->n_lines > 0) {
            size_t last = b->n_lines - 1;
            jb->blank_pending = kb_text_blank(b->text + b->line_at[last],
                                              b->line_at[last + 1] - b->line_at[last]);
        }
        number_pass(jb, b, ids, total);
        cli_out lead = {0};
        if (!jb->header_done) {
            format_header(jb, &lead);
            jb->header_done = 1;
        }
        leading_summaries(jb, b, ids, total, &lead);
        out_flush(&lead, stdout);
        out_free(&lead);
        run_phase(c, format_slice);
        for (int t = 0; t < ns; t++)
            out_flush(&ws[t].out, stdout);
        if (jb->line_buffered)
            fflush(stdout);
    }
    free(ids);
    if (rc == 0 && ferror(stdout))
        return CLI_EXIT_OUTPUT; /* reported once, when stdout is closed */
    return rc ? CLI_EXIT_ERROR : 0;
}
