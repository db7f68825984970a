/*
 * params.c: a model's hyper-parameters (kb_params): their defaults, their
 * limits, and the solver names.  The model file stores every field, and
 * the loader checks it with the same kb_params_check that training runs
 * before it starts, so a model that trains is a model that loads.
 */
#include "model.h"

#include <linear.h>
#include <math.h>
#include <stdio.h>

/* Indexed by liblinear's solver_type (linear.h). */
static const char *const solver_names[] = {"lr", "l2svm-dual", "l2svm",
                                           "l1svm-dual", "crammer-singer",
                                           "l1-l2svm", "l1-lr", "lr-dual"};
#define N_SOLVERS (int)(sizeof solver_names / sizeof solver_names[0])

void kb_params_default(kb_params *p)
{
    memset(p, 0, sizeof *p);
    p->norm = KB_NORM_ALL;
    kb_feature_opts_default(&p->feat);
    p->solver = L2R_LR_DUAL;
    p->C = 4.0;
    p->eps = 0;
    p->seed = 1;
    p->context = 0;
    p->context_window = 3;
    p->context_C = 1.0;
}

int kb_params_check(const kb_params *p, kb_error *err)
{
    if (p->norm & ~KB_NORM_ALL)
        return kb_fail(err, "unknown normalisation flags 0x%x", p->norm);
    if (kb_feature_opts_check(&p->feat, err) != 0)
        return -1;
    if (p->solver < 0 || p->solver >= N_SOLVERS)
        return kb_fail(err, "unknown solver %d", p->solver);
    if (!(p->C >= KB_MIN_C && p->C <= KB_MAX_C))
        return kb_fail(err, "C %g: must be a number in %g..%g", p->C,
                       KB_MIN_C, KB_MAX_C);
    if (!(p->eps >= 0 && p->eps <= 1))
        return kb_fail(err, "eps %g: must be a number in 0..1 (0: the "
                            "solver's default)", p->eps);
    if (kb_class_weights_parse(p->class_weights, NULL, 0, NULL, NULL, err) < 0)
        return -1;
    if (p->nb_scale != 0 && p->nb_scale != 1)
        return kb_fail(err, "nb_scale %d: must be 0 or 1", p->nb_scale);
    if (p->context != 0 && p->context != 1)
        return kb_fail(err, "context %d: must be 0 or 1", p->context);
    if (p->context_window < 1 || p->context_window > 50)
        return kb_fail(err, "context window %d: must be 1..50",
                       p->context_window);
    if (!(p->context_C >= KB_MIN_C && p->context_C <= KB_MAX_C))
        return kb_fail(err, "context C %g: must be a number in %g..%g",
                       p->context_C, KB_MIN_C, KB_MAX_C);
    return 0;
}

void kb_train_opts_default(kb_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->task = "topic";
    kb_params_default(&o->params);
}

int kb_solver_parse(const char *name, int *solver, kb_error *err)
{
    for (int i = 0; i < N_SOLVERS; i++)
        if (strcmp(name, solver_names[i]) == 0) {
            *solver = i;
            return 0;
        }
    char known[128];
    kb_solver_names(known, sizeof known);
    return kb_fail(err, "unknown solver '%s' (known: %s)", name, known);
}

const char *kb_solver_name(int solver)
{
    return solver >= 0 && solver < N_SOLVERS ? solver_names[solver] : "?";
}

void kb_solver_names(char *out, size_t cap)
{
    size_t len = 0;
    if (cap)
        out[0] = '\0';
    for (int i = 0; i < N_SOLVERS && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "",
                                solver_names[i]);
}

int kb_class_weights_parse(const char *spec, char *const *labels, int k,
                           int *label_out, double *weight_out, kb_error *err)
{
    int n = 0;
    const char *p = spec;
    size_t len = strlen(spec);
    if (len && spec[len - 1] == ',')
        return kb_fail(err, "class weights '%s': a trailing comma", spec);
    while (*p) {
        const char *eq = strchr(p, '='), *end = p + strcspn(p, ",");
        if (!eq || eq > end || eq == p)
            return kb_fail(err, "class weights '%s': expected label=factor,...",
                           spec);
        char *num_end;
        double w = strtod(eq + 1, &num_end);
        if (num_end != end || !(w > 0 && w <= 1000))
            return kb_fail(err, "class weights '%s': a factor must be a number "
                                "in (0, 1000]", spec);
        if (labels) {
            int j = 0;
            while (j < k && (strlen(labels[j]) != (size_t)(eq - p) ||
                             strncmp(labels[j], p, (size_t)(eq - p)) != 0))
                j++;
            if (j == k)
                return kb_fail(err, "class weights: '%.*s' is not a label",
                               (int)(eq - p), p);
            for (int x = 0; x < n; x++)
                if (label_out[x] == j)
                    return kb_fail(err, "class weights: '%s' is given twice",
                                   labels[j]);
            label_out[n] = j;
            weight_out[n] = w;
        }
        if (++n > KB_MAX_LABELS)
            return kb_fail(err, "class weights: too many labels");
        p = *end ? end + 1 : end;
    }
    return n;
}

int kb_label_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= KB_MAX_LABEL_LEN || !kb_utf8_check(s, n, NULL, NULL))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0,
                      e = i + 2 < n ? (unsigned char)s[i + 2] : 0;
        if (c <= 0x20 || c == 0x7f || (c == 0xC2 && d < 0xA1) ||
            (c == 0xE2 && d == 0x80 && ((e >= 0x8B && e <= 0x8F) ||
                                        (e >= 0xAA && e <= 0xAE))) ||
            (c == 0xE2 && d == 0x81 && e >= 0xA6 && e <= 0xA9))
            return 0;
    }
    return 1;
}
