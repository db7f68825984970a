/*
 * khabarmodule.c: the Python binding, a CPython extension written against
 * the public header only (include/khabar.h).
 *
 *   import khabar
 *   m = khabar.Model("topic")                      # a name or a path
 *   m.classify(["...", "..."])                     # one record per sentence
 *   m.evaluate("test.tsv"), khabar.train(rows, task="topic", C=16, ...)
 *   khabar.segment(text), khabar.normalize(text)
 *
 * A model is immutable once loaded, so any number of Python threads may
 * classify with it at once: each call makes its own predictors and
 * segmenters, and the labelling itself runs with the GIL released, on
 * `threads` C threads.  Errors are raised as khabar.Error with khabar's
 * own one-line message.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "khabar.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static PyObject *KhabarError;

static PyObject *raise(const kb_error *err)
{
    /* khabar cuts long messages by bytes: decode what is left leniently */
    PyObject *msg = PyUnicode_DecodeUTF8(err->msg, (Py_ssize_t)strnlen(
                                             err->msg, sizeof err->msg), "replace");
    if (msg) {
        PyErr_SetObject(KhabarError, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

/* A path from str, bytes or os.PathLike, as a new bytes object. */
static PyObject *fs_path(PyObject *o)
{
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(o, &b))
        return NULL;
    return b;
}

/* ------------------------------------------------------------ text in */

/* The items of any iterable of str, as UTF-8 (the list keeps them alive). */
typedef struct texts {
    PyObject *seq;
    Py_ssize_t n;
    const char **s;
    Py_ssize_t *len;
} texts;

static int texts_get(PyObject *iterable, texts *t)
{
    memset(t, 0, sizeof *t);
    if (PyUnicode_Check(iterable)) {
        PyErr_SetString(PyExc_TypeError, "texts must be an iterable of str, "
                                         "not one str");
        return -1;
    }
    t->seq = PySequence_List(iterable);
    if (!t->seq)
        return -1;
    t->n = PyList_GET_SIZE(t->seq);
    t->s = PyMem_Calloc((size_t)t->n + 1, sizeof *t->s);
    t->len = PyMem_Calloc((size_t)t->n + 1, sizeof *t->len);
    if (!t->s || !t->len) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < t->n; i++) {
        PyObject *o = PyList_GET_ITEM(t->seq, i);
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "texts[%zd] is %s, not str", i,
                         Py_TYPE(o)->tp_name);
            return -1;
        }
        t->s[i] = PyUnicode_AsUTF8AndSize(o, &t->len[i]);
        if (!t->s[i])
            return -1;
    }
    return 0;
}

static void texts_free(texts *t)
{
    Py_XDECREF(t->seq);
    PyMem_Free(t->s);
    PyMem_Free(t->len);
}

/* --------------------------------------------------------------- Model */

typedef struct {
    PyObject_HEAD
    kb_model *m;
    char *path;
} ModelObject;

static PyTypeObject ModelType;

/* The directory of this module's file, for the installed models beside
 * it (prefix/lib/python3/dist-packages -> prefix/share/khabar/models). */
static char module_models[4096];

static void find_module_models(void);
static PyObject *module_self; /* the module, for its __file__ */

static int load_into(ModelObject *self, const char *name)
{
    if (!module_models[0])
        find_module_models();
    const char *extra[] = {module_models[0] ? module_models : NULL, NULL};
    char path[4096];
    kb_error err;
    kb_model *m = NULL;
    int found;
    Py_BEGIN_ALLOW_THREADS
    found = kb_model_find(name, extra, path, sizeof path, &err) == 0;
    if (found)
        m = kb_model_load(path, &err);
    Py_END_ALLOW_THREADS
    if (!m) {
        raise(&err);
        return -1;
    }
    self->m = m;
    self->path = strdup(path);
    if (!self->path) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int Model_init(ModelObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path_or_name", NULL};
    PyObject *arg = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", names, &arg))
        return -1;
    if (self->m) { /* a model in use by other threads must not change */
        PyErr_SetString(PyExc_TypeError, "a khabar.Model is loaded once: "
                                         "make a new Model instead");
        return -1;
    }
    PyObject *b = arg ? fs_path(arg) : NULL;
    if (arg && !b)
        return -1;
    int rc = load_into(self, b ? PyBytes_AS_STRING(b) : "topic");
    Py_XDECREF(b);
    return rc;
}

static void Model_dealloc(ModelObject *self)
{
    kb_model_free(self->m);
    free(self->path);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int model_ready(ModelObject *self)
{
    if (self->m)
        return 0;
    PyErr_SetString(KhabarError, "the model is not loaded");
    return -1;
}

static PyObject *Model_labels(ModelObject *self, void *closure)
{
    (void)closure;
    if (model_ready(self))
        return NULL;
    int k = kb_model_n_labels(self->m);
    PyObject *t = PyTuple_New(k);
    for (int j = 0; t && j < k; j++) {
        PyObject *x = PyUnicode_FromString(kb_model_label(self->m, j));
        if (!x)
            Py_CLEAR(t);
        else
            PyTuple_SET_ITEM(t, j, x);
    }
    return t;
}

static PyObject *Model_task(ModelObject *self, void *closure)
{
    (void)closure;
    if (model_ready(self))
        return NULL;
    return PyUnicode_FromString(kb_model_task(self->m));
}

static PyObject *Model_path(ModelObject *self, void *closure)
{
    (void)closure;
    return self->path ? PyUnicode_FromString(self->path) : Py_NewRef(Py_None);
}

static PyObject *Model_context(ModelObject *self, void *closure)
{
    (void)closure;
    if (model_ready(self))
        return NULL;
    return PyBool_FromLong(kb_model_has_context(self->m));
}

/* ------------------------------------------------------------ classify */

typedef struct sent {
    size_t text;         /* which input text */
    size_t start, len;   /* bytes in it */
} sent;

typedef struct job {
    const kb_model *m;
    const texts *in;
    int sentences;       /* each text is one sentence */
    size_t lo, hi;       /* this thread's texts */
    sent *s;             /* its sentences */
    double *probs;       /* k per sentence */
    size_t n, cap;
    kb_error err;
    int failed;
} job;

static int job_add(job *j, size_t text, size_t start, size_t len,
                   kb_predictor *p)
{
    size_t k = (size_t)kb_model_n_labels(j->m);
    if (j->n == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 256;
        sent *s = realloc(j->s, cap * sizeof *s);
        double *pr = s ? realloc(j->probs, cap * k * sizeof *pr) : NULL;
        if (s)
            j->s = s;
        if (pr)
            j->probs = pr;
        if (!s || !pr) {
            snprintf(j->err.msg, sizeof j->err.msg, "out of memory");
            return -1;
        }
        j->cap = cap;
    }
    const char *t = j->in->s[text] + start;
    if (kb_predict(p, t, len, j->probs + j->n * k, &j->err) < 0)
        return -1;
    j->s[j->n++] = (sent){text, start, len};
    return 0;
}

static void *job_run(void *arg)
{
    job *j = arg;
    kb_predictor *p = kb_predictor_new(j->m, &j->err);
    kb_segmenter *sg = j->sentences ? NULL : kb_segmenter_new(&j->err);
    if (!p || (!j->sentences && !sg)) {
        j->failed = 1;
    }
    for (size_t i = j->lo; !j->failed && i < j->hi; i++) {
        const char *t = j->in->s[i];
        size_t len = (size_t)j->in->len[i];
        if (j->sentences) {
            j->failed = job_add(j, i, 0, len, p) != 0;
            continue;
        }
        const kb_span *sp;
        size_t ns;
        if (kb_segment(sg, t, len, &sp, &ns, &j->err) != 0) {
            j->failed = 1;
            break;
        }
        for (size_t s = 0; s < ns && !j->failed; s++)
            j->failed = job_add(j, i, sp[s].start, sp[s].len, p) != 0;
    }
    kb_predictor_free(p);
    kb_segmenter_free(sg);
    return NULL;
}

/* Runs the jobs, job 0 on this thread. */
static void run_jobs(job *jobs, int nt)
{
    pthread_t th[64];
    int started[64] = {0};
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&th[t], NULL, job_run, &jobs[t]) == 0;
    job_run(&jobs[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            job_run(&jobs[t]);
    }
}

/* Reads each article's sentences in context, in place: an article is one
 * text, or (one_article) all of them. */
static int apply_context(const kb_model *m, job *jobs, int nt, int one_article,
                         size_t total)
{
    size_t k = (size_t)kb_model_n_labels(m), at = 0;
    double *all = malloc((total ? total : 1) * k * sizeof *all);
    size_t *text = malloc((total ? total : 1) * sizeof *text);
    if (!all || !text) {
        free(all);
        free(text);
        return -1;
    }
    for (int t = 0; t < nt; t++)
        for (size_t i = 0; i < jobs[t].n; i++, at++) {
            memcpy(all + at * k, jobs[t].probs + i * k, k * sizeof *all);
            text[at] = jobs[t].s[i].text;
        }
    int rc = 0;
    for (size_t a = 0; rc == 0 && a < total;) {
        size_t b = a + 1;
        while (b < total && (one_article || text[b] == text[a]))
            b++;
        rc = kb_context_apply(m, all + a * k, b - a, all + a * k, NULL);
        a = b;
    }
    at = 0;
    for (int t = 0; rc == 0 && t < nt; t++)
        for (size_t i = 0; i < jobs[t].n; i++, at++)
            memcpy(jobs[t].probs + i * k, all + at * k, k * sizeof *all);
    free(all);
    free(text);
    return rc;
}

static PyObject *sentence_record(const kb_model *m, const texts *in,
                                 const sent *s, const double *p, size_t n,
                                 int top_k)
{
    int k = kb_model_n_labels(m), best = 0;
    for (int j = 1; j < k; j++)
        if (p[j] > p[best])
            best = j;
    PyObject *probs = PyDict_New();
    for (int j = 0; probs && j < k; j++) {
        PyObject *v = PyFloat_FromDouble(p[j]);
        if (!v || PyDict_SetItemString(probs, kb_model_label(m, j), v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(probs);
            break;
        }
        Py_DECREF(v);
    }
    if (!probs)
        return NULL;
    PyObject *rec = Py_BuildValue(
        "{s:n,s:n,s:s,s:d,s:s#,s:N}", "doc", (Py_ssize_t)s->text, "n",
        (Py_ssize_t)n, "label", kb_model_label(m, best), "confidence", p[best],
        "text", in->s[s->text] + s->start, (Py_ssize_t)s->len, "probs", probs);
    if (!rec || top_k <= 0)
        return rec;
    int order[64], kk = k < 64 ? k : 64;
    for (int j = 0; j < kk; j++)
        order[j] = j;
    for (int a = 1; a < kk; a++) /* insertion sort, by probability */
        for (int b = a; b > 0 && p[order[b]] > p[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    int top = top_k < kk ? top_k : kk;
    PyObject *list = PyList_New(top);
    for (int j = 0; list && j < top; j++) {
        PyObject *x = Py_BuildValue("(sd)", kb_model_label(m, order[j]), p[order[j]]);
        if (!x)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, j, x);
    }
    if (!list || PyDict_SetItemString(rec, "top", list) < 0) {
        Py_XDECREF(list);
        Py_DECREF(rec);
        return NULL;
    }
    Py_DECREF(list);
    return rec;
}

PyDoc_STRVAR(classify_doc,
"classify(texts, sentences=False, article=False, top_k=0, threads=1,\n"
"         context=True) -> list of dict\n\n"
"Labels every sentence of texts (any iterable of str: a list, a generator,\n"
"a pandas Series).  Each text is an article, split into sentences; with\n"
"sentences=True each text is one sentence, and with article=True as well\n"
"they form one article.  A model with a context stage reads each sentence\n"
"with its article unless context=False.  One record per sentence, in\n"
"order: doc (the text's index), n (the sentence's number in it, from 1),\n"
"label, confidence, text, probs (label -> probability) and, with top_k,\n"
"top: the top_k (label, probability) pairs.  The GIL is released while\n"
"labelling, on `threads` threads; the result is the same for any number.");

static PyObject *Model_classify(ModelObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"texts", "sentences", "article", "top_k", "threads",
                            "context", NULL};
    PyObject *iterable;
    int sentences = 0, article = 0, top_k = 0, threads = 1, context = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|ppiip", names, &iterable,
                                     &sentences, &article, &top_k, &threads,
                                     &context) || model_ready(self))
        return NULL;
    if (threads < 1 || threads > 64)
        return PyErr_Format(PyExc_ValueError, "threads must be 1..64, not %d",
                            threads);
    if (top_k < 0)
        return PyErr_Format(PyExc_ValueError, "top_k must be 0 or more, not %d",
                            top_k);
    if (article && !sentences)
        return PyErr_Format(PyExc_ValueError, "article=True goes with "
                            "sentences=True (otherwise each text is an article)");
    texts in;
    if (texts_get(iterable, &in) != 0) {
        texts_free(&in);
        return NULL;
    }
    int nt = threads < in.n ? threads : (in.n > 0 ? (int)in.n : 1);
    job *jobs = PyMem_Calloc((size_t)nt, sizeof *jobs);
    if (!jobs) {
        texts_free(&in);
        return PyErr_NoMemory();
    }
    for (int t = 0; t < nt; t++) {
        jobs[t].m = self->m;
        jobs[t].in = &in;
        jobs[t].sentences = sentences;
        jobs[t].lo = (size_t)in.n * (size_t)t / (size_t)nt;
        jobs[t].hi = (size_t)in.n * (size_t)(t + 1) / (size_t)nt;
    }
    kb_error err = {{0}};
    int failed = 0;
    size_t total = 0;
    Py_BEGIN_ALLOW_THREADS
    run_jobs(jobs, nt);
    for (int t = 0; t < nt; t++) {
        total += jobs[t].n;
        if (jobs[t].failed && !failed) {
            failed = 1;
            err = jobs[t].err;
        }
    }
    if (!failed && context && kb_model_has_context(self->m) &&
        (!sentences || article) &&
        apply_context(self->m, jobs, nt, article, total) != 0) {
        failed = 1;
        snprintf(err.msg, sizeof err.msg, "out of memory");
    }
    Py_END_ALLOW_THREADS
    PyObject *out = failed ? raise(&err) : PyList_New((Py_ssize_t)total);
    size_t at = 0, k = (size_t)kb_model_n_labels(self->m), n = 0,
           prev = (size_t)-1;
    for (int t = 0; out && t < nt; t++) {
        for (size_t i = 0; out && i < jobs[t].n; i++, at++) {
            const sent *s = &jobs[t].s[i];
            n = (article && at > 0) || s->text == prev ? n + 1 : 1;
            prev = s->text;
            PyObject *rec = sentence_record(self->m, &in, s, jobs[t].probs + i * k,
                                            n, top_k);
            if (!rec)
                Py_CLEAR(out);
            else
                PyList_SET_ITEM(out, (Py_ssize_t)at, rec);
        }
    }
    for (int t = 0; t < nt; t++) {
        free(jobs[t].s);
        free(jobs[t].probs);
    }
    PyMem_Free(jobs);
    texts_free(&in);
    return out;
}

/* ------------------------------------------------------------ datasets */

/* A malloc'ed UTF-8 copy of a str field; NUL inside is refused (the
 * library's strings end at the first NUL). */
static char *dup_utf8(PyObject *o, const char *what, Py_ssize_t row)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "row %zd: %s must be str, not %s", row,
                     what, Py_TYPE(o)->tp_name);
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s)
        return NULL;
    if (memchr(s, '\0', (size_t)n)) {
        PyErr_Format(PyExc_ValueError, "row %zd: %s holds a NUL character",
                     row, what);
        return NULL;
    }
    char *d = strdup(s);
    if (!d)
        PyErr_NoMemory();
    return d;
}

/* The label, text and doc of one row, as new references (doc may be
 * NULL); 0, or -1 with an exception set. */
static int row_fields(PyObject *row, const char *task, Py_ssize_t i,
                      PyObject **lab, PyObject **txt, PyObject **doc)
{
    *lab = *txt = *doc = NULL;
    if (PyDict_Check(row)) {
        *lab = PyDict_GetItemString(row, task);
        if (!*lab)
            *lab = PyDict_GetItemString(row, "label");
        *txt = PyDict_GetItemString(row, "text");
        *doc = PyDict_GetItemString(row, "doc");
        Py_XINCREF(*lab);
        Py_XINCREF(*txt);
        Py_XINCREF(*doc);
    } else if (PySequence_Check(row) && !PyUnicode_Check(row) &&
               !PyBytes_Check(row)) {
        PyObject *fast = PySequence_Fast(row, "row");
        if (!fast)
            return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
        if (n == 2 || n == 3) {
            *lab = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 0));
            *txt = Py_NewRef(PySequence_Fast_GET_ITEM(fast, 1));
            *doc = n == 3 ? Py_NewRef(PySequence_Fast_GET_ITEM(fast, 2)) : NULL;
        }
        Py_DECREF(fast);
    }
    if (*lab && *txt)
        return 0;
    Py_CLEAR(*lab);
    Py_CLEAR(*txt);
    Py_CLEAR(*doc);
    PyErr_Format(PyExc_TypeError, "row %zd: expected (label, text[, doc]) or "
                 "a dict with '%s' and 'text'", i, task);
    return -1;
}

/* A dataset from a path (str, bytes or os.PathLike) or rows: (label,
 * text) or (label, text, doc) sequences, or dicts with the task's (or
 * "label") key, "text" and optionally "doc". */
static int dataset_from(PyObject *data, const char *task, kb_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    if (PyUnicode_Check(data) || PyBytes_Check(data) || PyObject_HasAttrString(data, "__fspath__")) {
        PyObject *b = fs_path(data);
        kb_error err;
        int rc;
        if (!b)
            return -1;
        Py_BEGIN_ALLOW_THREADS
        rc = kb_dataset_read(PyBytes_AS_STRING(b), task, ds, &err);
        Py_END_ALLOW_THREADS
        Py_DECREF(b);
        if (rc != 0)
            raise(&err);
        return rc;
    }
    PyObject *seq = PySequence_List(data);
    if (!seq)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(seq);
    ds->text = calloc((size_t)n + 1, sizeof *ds->text);
    ds->label = calloc((size_t)n + 1, sizeof *ds->label);
    ds->doc = calloc((size_t)n + 1, sizeof *ds->doc);
    ds->line = calloc((size_t)n + 1, sizeof *ds->line);
    ds->path = strdup("<rows>");
    int rc = (ds->text && ds->label && ds->doc && ds->line && ds->path) ? 0 : -1;
    int docs = 0;
    if (rc)
        PyErr_NoMemory();
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        PyObject *lab, *txt, *doc;
        if (row_fields(PyList_GET_ITEM(seq, i), task, i, &lab, &txt, &doc) != 0) {
            rc = -1;
            break;
        }
        ds->n = (size_t)i + 1;
        ds->line[i] = (size_t)i + 1;
        if (!(ds->label[i] = dup_utf8(lab, "the label", i)) ||
            !(ds->text[i] = dup_utf8(txt, "the text", i))) {
            rc = -1;
        } else if (doc && doc != Py_None) {
            PyObject *ds_doc = PyObject_Str(doc);
            ds->doc[i] = ds_doc ? dup_utf8(ds_doc, "the doc", i) : NULL;
            Py_XDECREF(ds_doc);
            docs++;
            rc = ds->doc[i] ? 0 : -1;
        } else if (!(ds->doc[i] = strdup(""))) {
            PyErr_NoMemory();
            rc = -1;
        }
        Py_DECREF(lab);
        Py_DECREF(txt);
        Py_XDECREF(doc);
    }
    Py_DECREF(seq);
    if (rc == 0 && n == 0) {
        PyErr_SetString(KhabarError, "<rows>: no data rows");
        rc = -1;
    }
    if (rc == 0 && docs == 0) {
        for (size_t i = 0; i < ds->n; i++)
            free(ds->doc[i]);
        free(ds->doc);
        ds->doc = NULL;
    }
    if (rc != 0)
        kb_dataset_free(ds);
    return rc;
}

/* ------------------------------------------------------------ evaluate */

static PyObject *metrics_dict(const kb_metrics *mt, const kb_model *m)
{
    int k = mt->k;
    PyObject *labels = PyList_New(k), *per = PyDict_New(), *conf = PyList_New(k),
             *rel = PyList_New(0);
    for (int j = 0; labels && per && conf && rel && j < k; j++) {
        PyList_SET_ITEM(labels, j, PyUnicode_FromString(kb_model_label(m, j)));
        PyObject *c = Py_BuildValue("{s:d,s:d,s:d,s:n}", "precision",
                                    mt->precision[j], "recall", mt->recall[j],
                                    "f1", mt->f1[j], "support",
                                    (Py_ssize_t)mt->support[j]);
        if (c)
            PyDict_SetItemString(per, kb_model_label(m, j), c);
        Py_XDECREF(c);
        PyObject *row = PyList_New(k);
        for (int i = 0; row && i < k; i++)
            PyList_SET_ITEM(row, i, PyLong_FromSize_t(
                mt->confusion[(size_t)j * (size_t)k + (size_t)i]));
        PyList_SET_ITEM(conf, j, row);
    }
    for (int b = 0; rel && b < KB_CALIB_BINS; b++) {
        if (!mt->bin_n[b])
            continue;
        PyObject *bin = Py_BuildValue("{s:d,s:n,s:d,s:d}", "lo", b / 10.0,
                                      "count", (Py_ssize_t)mt->bin_n[b],
                                      "confidence", mt->bin_conf[b], "accuracy",
                                      (double)mt->bin_correct[b] / (double)mt->bin_n[b]);
        if (bin)
            PyList_Append(rel, bin);
        Py_XDECREF(bin);
    }
    if (!labels || !per || !conf || !rel || PyErr_Occurred()) {
        Py_XDECREF(labels);
        Py_XDECREF(per);
        Py_XDECREF(conf);
        Py_XDECREF(rel);
        return NULL;
    }
    return Py_BuildValue("{s:n,s:d,s:d,s:N,s:N,s:N,s:d,s:N}", "n",
                         (Py_ssize_t)mt->n, "accuracy", mt->accuracy,
                         "macro_f1", mt->macro_f1, "labels", labels,
                         "per_class", per, "confusion", conf, "ece", mt->ece,
                         "reliability", rel);
}

/* Scores ds with m as `khabar eval` does; 0 or -1 with err set. */
static int score(const kb_model *m, const kb_dataset *ds, int context,
                 kb_metrics *mt, kb_error *err)
{
    size_t k = (size_t)kb_model_n_labels(m);
    double *probs = malloc((ds->n ? ds->n : 1) * k * sizeof *probs);
    int rc = probs ? 0 : -1;
    if (!probs)
        snprintf(err->msg, sizeof err->msg, "out of memory");
    for (size_t i = 0; rc == 0 && i < ds->n; i++)
        if (kb_model_label_index(m, ds->label[i]) < 0) {
            snprintf(err->msg, sizeof err->msg, "%s:%zu: label '%.64s' is not "
                     "one of the model's labels", ds->path, ds->line[i],
                     ds->label[i]);
            rc = -1;
        }
    if (rc == 0)
        rc = kb_predict_dataset(m, ds, context, probs, err);
    for (size_t i = 0; rc == 0 && i < ds->n; i++) {
        const double *q = probs + i * k;
        int best = 0;
        for (size_t j = 1; j < k; j++)
            if (q[j] > q[best])
                best = (int)j;
        kb_metrics_add_prob(mt, kb_model_label_index(m, ds->label[i]), best,
                            q[best]);
    }
    free(probs);
    return rc;
}

PyDoc_STRVAR(evaluate_doc,
"evaluate(data, task=None, context=True) -> dict\n\n"
"Scores the model on labelled sentences: data is a TSV path (header with\n"
"the task's column, 'text' and optionally 'doc') or rows ((label, text[,\n"
"doc]) or dicts).  Rows of one doc, in order, are read as one article by a\n"
"context model unless context=False.  Returns n, accuracy, macro_f1,\n"
"labels, per_class, confusion (rows: gold), ece and reliability, as\n"
"`khabar eval --json` prints them.");

static PyObject *Model_evaluate(ModelObject *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"data", "task", "context", NULL};
    PyObject *data;
    const char *task = NULL;
    int context = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|zp", names, &data, &task,
                                     &context) || model_ready(self))
        return NULL;
    kb_dataset ds;
    if (dataset_from(data, task ? task : kb_model_task(self->m), &ds) != 0)
        return NULL;
    kb_metrics mt;
    kb_error err;
    int rc;
    if (kb_metrics_init(&mt, kb_model_n_labels(self->m)) != 0) {
        kb_dataset_free(&ds);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    rc = score(self->m, &ds, context, &mt, &err);
    if (rc == 0)
        kb_metrics_finish(&mt);
    Py_END_ALLOW_THREADS
    PyObject *out = rc == 0 ? metrics_dict(&mt, self->m) : raise(&err);
    kb_metrics_free(&mt);
    kb_dataset_free(&ds);
    return out;
}

PyDoc_STRVAR(save_doc, "save(path)\n\nWrites the model file atomically.");

static PyObject *Model_save(ModelObject *self, PyObject *args)
{
    PyObject *arg, *b;
    kb_error err;
    int rc;
    if (!PyArg_ParseTuple(args, "O", &arg) || model_ready(self) ||
        !(b = fs_path(arg)))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = kb_model_save(self->m, PyBytes_AS_STRING(b), &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(b);
    if (rc != 0)
        return raise(&err);
    Py_RETURN_NONE;
}

static PyMethodDef Model_methods[] = {
    {"classify", (PyCFunction)(void (*)(void))Model_classify,
     METH_VARARGS | METH_KEYWORDS, classify_doc},
    {"evaluate", (PyCFunction)(void (*)(void))Model_evaluate,
     METH_VARARGS | METH_KEYWORDS, evaluate_doc},
    {"save", (PyCFunction)Model_save, METH_VARARGS, save_doc},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Model_getset[] = {
    {"labels", (getter)Model_labels, NULL, "the model's labels, in order", NULL},
    {"task", (getter)Model_task, NULL, "the label column it was trained on", NULL},
    {"path", (getter)Model_path, NULL, "the file it was loaded from", NULL},
    {"context", (getter)Model_context, NULL,
     "True when it reads sentences in their article", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyDoc_STRVAR(Model_doc,
"Model(path_or_name='topic')\n\n"
"A khabar model.  A name with a '/' is a path; 'topic', 'stance' or any\n"
"other name is looked up in $KHABAR_MODEL_PATH, the build tree's models/\n"
"and the installed share/khabar/models.  Immutable once loaded: any number\n"
"of threads may classify with it at once.");

static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "khabar.Model",
    .tp_basicsize = sizeof(ModelObject),
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Model_doc,
    .tp_methods = Model_methods,
    .tp_getset = Model_getset,
    .tp_init = (initproc)Model_init,
    .tp_new = PyType_GenericNew,
};

/* --------------------------------------------------------------- train */

/* "label=factor,..." from a dict {label: factor} or a str. */
static int class_weight_spec(PyObject *val, char *out, size_t cap)
{
    out[0] = '\0';
    if (PyUnicode_Check(val)) {
        Py_ssize_t n;
        const char *t = PyUnicode_AsUTF8AndSize(val, &n);
        if (!t)
            return -1;
        if ((size_t)n >= cap)
            return PyErr_Format(PyExc_ValueError, "class_weight: too long"), -1;
        memcpy(out, t, (size_t)n + 1);
        return 0;
    }
    if (!PyDict_Check(val))
        return PyErr_Format(PyExc_TypeError, "class_weight wants a dict "
                            "{label: factor} or 'label=factor,...'"), -1;
    PyObject *items = PyDict_Items(val); /* a private list: safe to convert */
    if (!items)
        return -1;
    size_t len = 0;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(items); i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        PyObject *key = PyTuple_GET_ITEM(kv, 0), *value = PyTuple_GET_ITEM(kv, 1);
        double w = PyFloat_AsDouble(value);
        const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (w == -1 && PyErr_Occurred()) {
            rc = -1;
        } else if (!name || strpbrk(name, ",= ") || !*name) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "class_weight: a label must be a "
                         "non-empty str without ',', '=' or spaces");
            rc = -1;
        } else {
            len += (size_t)snprintf(out + len, cap - len, "%s%s=%.17g",
                                    len ? "," : "", name, w);
            if (len >= cap) {
                PyErr_Format(PyExc_ValueError, "class_weight: too long");
                rc = -1;
            }
        }
    }
    Py_DECREF(items);
    return rc;
}

/* Sets o from keyword options; -1 with a Python exception.  Label names
 * given are copied into labels[] (the caller frees them). */
static int train_options(PyObject *kw, kb_train_opts *o, char **labels,
                         char *class_weights, size_t cw_cap)
{
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    kb_params *p = &o->params;
    kb_error err;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k)
            return -1;
        if (!strcmp(k, "C") || !strcmp(k, "eps") || !strcmp(k, "lead_weight") ||
            !strcmp(k, "context_C")) {
            double d = PyFloat_AsDouble(val);
            if (d == -1 && PyErr_Occurred())
                return -1;
            *(!strcmp(k, "C") ? &p->C : !strcmp(k, "eps") ? &p->eps
              : !strcmp(k, "lead_weight") ? &p->feat.lead_weight
                                          : &p->context_C) = d;
        } else if (!strcmp(k, "word_ngrams") || !strcmp(k, "hash_bits") ||
                   !strcmp(k, "min_df") || !strcmp(k, "lead") ||
                   !strcmp(k, "context_window")) {
            long v = PyLong_AsLong(val);
            if (v == -1 && PyErr_Occurred())
                return -1;
            if (v < -1000000 || v > 1000000000)
                return PyErr_Format(PyExc_ValueError, "%s=%ld is out of range",
                                    k, v), -1;
            int iv = (int)v;
            *(!strcmp(k, "word_ngrams") ? &p->feat.word_max
              : !strcmp(k, "hash_bits") ? &p->feat.hash_bits
              : !strcmp(k, "min_df")    ? &p->feat.min_df
              : !strcmp(k, "lead")      ? &p->feat.lead_words
                                        : &p->context_window) = iv;
        } else if (!strcmp(k, "seed")) {
            unsigned long long v = PyLong_AsUnsignedLongLong(val);
            if (PyErr_Occurred())
                return -1;
            p->seed = v;
        } else if (!strcmp(k, "context") || !strcmp(k, "nb")) {
            int v = PyObject_IsTrue(val);
            if (v < 0)
                return -1;
            *(!strcmp(k, "context") ? &p->context : &p->nb_scale) = v;
        } else if (!strcmp(k, "char_ngrams")) {
            PyObject *seq = PySequence_Check(val) && !PyUnicode_Check(val)
                                ? PySequence_Fast(val, "char_ngrams") : NULL;
            long lo = -1, hi = -1;
            if (seq && PySequence_Fast_GET_SIZE(seq) == 2) {
                lo = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, 0));
                hi = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, 1));
            }
            Py_XDECREF(seq);
            if (PyErr_Occurred() || lo < 0 || lo > 12 || hi < 0 || hi > 12) {
                PyErr_Clear();
                return PyErr_Format(PyExc_ValueError, "char_ngrams wants "
                                    "(min, max), each 0..12"), -1;
            }
            p->feat.char_min = (int)lo;
            p->feat.char_max = (int)hi;
        } else if (!strcmp(k, "solver") || !strcmp(k, "normalize")) {
            const char *s = PyUnicode_AsUTF8(val);
            if (!s)
                return -1;
            if (!strcmp(k, "solver") ? kb_solver_parse(s, &p->solver, &err)
                                     : kb_norm_parse(s, &p->norm, &err))
                return raise(&err), -1;
        } else if (!strcmp(k, "class_weight")) {
            if (class_weight_spec(val, class_weights, cw_cap) != 0)
                return -1;
            snprintf(p->class_weights, sizeof p->class_weights, "%s",
                     class_weights);
        } else if (!strcmp(k, "labels")) {
            if (PyUnicode_Check(val))
                return PyErr_Format(PyExc_TypeError, "labels wants a list of "
                                    "str, not one str"), -1;
            PyObject *seq = PySequence_Fast(val, "labels must be a sequence");
            if (!seq)
                return -1;
            Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
            if (n > KB_MAX_LABELS) {
                Py_DECREF(seq);
                return PyErr_Format(PyExc_ValueError, "at most %d labels",
                                    KB_MAX_LABELS), -1;
            }
            for (Py_ssize_t i = 0; i < n; i++) {
                /* copies: the strings may not outlive this call */
                labels[i] = dup_utf8(PySequence_Fast_GET_ITEM(seq, i), "a label", i);
                if (!labels[i]) {
                    Py_DECREF(seq);
                    return -1;
                }
                o->n_labels = (int)i + 1;
            }
            o->labels = (const char *const *)labels;
            Py_DECREF(seq);
        } else {
            return PyErr_Format(PyExc_TypeError, "train() got an unknown "
                                "option '%s'", k), -1;
        }
    }
    if (kb_params_check(p, &err) != 0)
        return raise(&err), -1;
    return 0;
}

PyDoc_STRVAR(train_doc,
"train(data, task='topic', **options) -> Model\n\n"
"Trains a model as `khabar train` does.  data is a TSV path or rows:\n"
"(label, text[, doc]) sequences or dicts with the task's key (or 'label'),\n"
"'text' and optionally 'doc'.  Options: C, solver, labels, char_ngrams\n"
"(min, max), word_ngrams, hash_bits, min_df, normalize, lead, lead_weight,\n"
"context, context_window, context_C, class_weight ({label: factor} or\n"
"'label=factor,...'), nb (naive Bayes feature scaling, as --nb), eps,\n"
"seed.  The GIL is released while training.");

static PyObject *khabar_train(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    PyObject *data, *task_obj = NULL;
    if (!PyArg_ParseTuple(args, "O|U", &data, &task_obj))
        return NULL;
    PyObject *opts = kw ? PyDict_Copy(kw) : PyDict_New();
    if (!opts)
        return NULL;
    PyObject *t = PyDict_GetItemString(opts, "task");
    if (t && task_obj) {
        Py_DECREF(opts);
        return PyErr_Format(PyExc_TypeError, "train() got the task twice");
    }
    if (t && !PyUnicode_Check(t)) {
        Py_DECREF(opts);
        return PyErr_Format(PyExc_TypeError, "task must be a str");
    }
    if (t)
        task_obj = t;
    Py_XINCREF(task_obj);
    if (t && PyDict_DelItemString(opts, "task") < 0) {
        Py_XDECREF(task_obj);
        Py_DECREF(opts);
        return NULL;
    }
    const char *task = task_obj ? PyUnicode_AsUTF8(task_obj) : "topic";
    kb_train_opts o;
    kb_train_opts_default(&o);
    o.task = task;
    char *labels[KB_MAX_LABELS] = {NULL};
    char cw[256];
    kb_dataset ds;
    kb_model *m = NULL;
    kb_error err;
    int ok = task && train_options(opts, &o, labels, cw, sizeof cw) == 0 &&
             dataset_from(data, task, &ds) == 0;
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        m = kb_train(&ds, &o, &err);
        Py_END_ALLOW_THREADS
        kb_dataset_free(&ds);
        if (!m)
            raise(&err);
    }
    for (int j = 0; j < KB_MAX_LABELS; j++)
        free(labels[j]);
    Py_DECREF(opts);
    Py_XDECREF(task_obj);
    if (!m)
        return NULL;
    ModelObject *obj = PyObject_New(ModelObject, &ModelType);
    if (!obj) {
        kb_model_free(m);
        return NULL;
    }
    obj->m = m;
    obj->path = NULL;
    return (PyObject *)obj;
}

/* --------------------------------------------------------- text helpers */

PyDoc_STRVAR(segment_doc, "segment(text) -> list of str\n\n"
                          "The sentences of text, as `khabar segment` splits them.");

static PyObject *khabar_segment(PyObject *mod, PyObject *arg)
{
    (void)mod;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!s)
        return NULL;
    kb_error err;
    kb_segmenter *sg = kb_segmenter_new(&err);
    if (!sg)
        return raise(&err);
    const kb_span *sp;
    size_t n;
    if (kb_segment(sg, s, (size_t)len, &sp, &n, &err) != 0) {
        kb_segmenter_free(sg);
        return raise(&err);
    }
    PyObject *out = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; out && i < n; i++) {
        PyObject *x = PyUnicode_FromStringAndSize(s + sp[i].start,
                                                  (Py_ssize_t)sp[i].len);
        if (!x)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, (Py_ssize_t)i, x);
    }
    kb_segmenter_free(sg);
    return out;
}

PyDoc_STRVAR(normalize_doc,
"normalize(text, steps='all') -> str\n\n"
"text as the models see it; steps is 'all', 'none' or a comma list\n"
"(nfkc, ignorables, diacritics, tatweel, alef, yaa, taa, digits, case,\n"
"space).");

static PyObject *khabar_normalize(PyObject *mod, PyObject *args, PyObject *kw)
{
    (void)mod;
    static char *names[] = {"text", "steps", NULL};
    PyObject *text;
    const char *steps = "all";
    Py_ssize_t len;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|s", names, &text, &steps))
        return NULL;
    const char *s = PyUnicode_AsUTF8AndSize(text, &len);
    if (!s)
        return NULL;
    unsigned flags;
    kb_error err;
    if (kb_norm_parse(steps, &flags, &err) != 0)
        return raise(&err);
    kb_normalizer *nz = kb_normalizer_new(flags, &err);
    if (!nz)
        return raise(&err);
    size_t n;
    const char *t = kb_normalize(nz, s, (size_t)len, &n, &err);
    PyObject *out = t ? PyUnicode_FromStringAndSize(t, (Py_ssize_t)n) : raise(&err);
    kb_normalizer_free(nz);
    return out;
}

static PyMethodDef module_methods[] = {
    {"train", (PyCFunction)(void (*)(void))khabar_train,
     METH_VARARGS | METH_KEYWORDS, train_doc},
    {"segment", (PyCFunction)khabar_segment, METH_O, segment_doc},
    {"normalize", (PyCFunction)(void (*)(void))khabar_normalize,
     METH_VARARGS | METH_KEYWORDS, normalize_doc},
    {NULL, NULL, 0, NULL}};

PyDoc_STRVAR(module_doc,
"khabar: sentence-level topic and stance labels for Arabic news.\n\n"
"    import khabar\n"
"    model = khabar.Model('topic')\n"
"    for r in model.classify(articles):\n"
"        print(r['doc'], r['n'], r['label'], r['confidence'], r['text'])\n");

static struct PyModuleDef khabar_module = {
    PyModuleDef_HEAD_INIT, "khabar", module_doc, -1, module_methods,
    NULL, NULL, NULL, NULL};

/* prefix/lib/python3/dist-packages/khabar.so -> prefix/share/khabar/models
 * (known once the import has set the module's __file__). */
static void find_module_models(void)
{
    PyObject *file = module_self ? PyModule_GetFilenameObject(module_self)
                                 : NULL;
    const char *f = file ? PyUnicode_AsUTF8(file) : NULL;
    if (f) {
        const char *slash = strrchr(f, '/');
        int n = slash ? (int)(slash - f) : 0;
        snprintf(module_models, sizeof module_models,
                 "%.*s/../../../share/khabar/models", n, f);
    }
    Py_XDECREF(file);
    PyErr_Clear();
}

PyMODINIT_FUNC PyInit_khabar(void)
{
    if (PyType_Ready(&ModelType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&khabar_module);
    if (!m)
        return NULL;
    KhabarError = PyErr_NewException("khabar.Error", PyExc_Exception, NULL);
    if (!KhabarError || PyModule_AddObjectRef(m, "Error", KhabarError) < 0 ||
        PyModule_AddObjectRef(m, "Model", (PyObject *)&ModelType) < 0 ||
        PyModule_AddStringConstant(m, "__version__", kb_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    module_self = Py_NewRef(m);
    return m;
}
