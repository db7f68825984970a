/*
 * find.c: where a model named on the command line or in Python is found.
 *
 * A name with a '/' is a path and is used as it is.  Any other name
 * ("topic", "stance", "mine.model") is looked up, in this order, in the
 * directories of $KHABAR_MODEL_PATH (colon-separated), the build tree's
 * models/ (for a khabar run where it was built), the caller's own
 * directories (the command's installed share/khabar/models found from its
 * own path, say) and the share/khabar/models of the prefix the build was
 * configured for; NAME and NAME.model are tried in each.  Only when none
 * has it is a file of that name in the current directory used, so a file
 * called "topic" there never shadows the shipped model.
 */
#include "model.h"

#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#ifndef KHABAR_BUILD_MODEL_DIR
#define KHABAR_BUILD_MODEL_DIR ""
#endif
#ifndef KHABAR_INSTALL_MODEL_DIR
#define KHABAR_INSTALL_MODEL_DIR ""
#endif

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Appends dir to the colon-separated list out. */
static void add_dir(char *out, size_t cap, const char *dir, size_t n)
{
    size_t len = strlen(out);
    if (n == 0 || len + n + 2 > cap)
        return;
    if (len)
        out[len++] = ':';
    memcpy(out + len, dir, n);
    out[len + n] = '\0';
}

void kb_model_search_path(const char *const *extra_dirs, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = '\0';
    const char *env = getenv("KHABAR_MODEL_PATH");
    for (const char *p = env; p && *p;) {
        size_t n = strcspn(p, ":");
        add_dir(out, cap, p, n);
        p += n + (p[n] == ':');
    }
    add_dir(out, cap, KHABAR_BUILD_MODEL_DIR, strlen(KHABAR_BUILD_MODEL_DIR));
    for (size_t i = 0; extra_dirs && extra_dirs[i]; i++)
        add_dir(out, cap, extra_dirs[i], strlen(extra_dirs[i]));
    add_dir(out, cap, KHABAR_INSTALL_MODEL_DIR, strlen(KHABAR_INSTALL_MODEL_DIR));
}

int kb_model_find(const char *name, const char *const *extra_dirs, char *out,
                  size_t cap, kb_error *err)
{
    if (!name || !*name)
        name = "topic";
    if (strchr(name, '/')) {
        if (strlen(name) >= cap)
            return kb_fail(err, "%s: path too long", name);
        strcpy(out, name);
        return 0;
    }
    char path[8192], cand[PATH_MAX + 256];
    kb_model_search_path(extra_dirs, path, sizeof path);
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        for (int ext = 0; ext < 2; ext++) {
            snprintf(cand, sizeof cand, "%.*s/%s%s", (int)n, p, name,
                     ext ? ".model" : "");
            if (is_file(cand) && strlen(cand) < cap) {
                strcpy(out, cand);
                return 0;
            }
        }
        p += n + (p[n] == ':');
    }
    if (is_file(name) && strlen(name) < cap) {
        strcpy(out, name);
        return 0;
    }
    return kb_fail(err, "%s: no such model (looked in %s, and the current "
                        "directory)", name, *path ? path : "no directory");
}
