#include "tempname.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "xalloc.h"

char *tempname_template(const char *path)
{
    return xasprintf("%s.tmp-%ld-XXXXXX", path, (long)getpid());
}

/* Whether s is n characters of [A-Za-z0-9], as mkstemp's X's become. */
static bool random_part(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return s[n] == '\0';
}

/* Whether the temporary named by rest (what follows ".tmp-") is stale. */
static bool stale(const char *dir, const char *name, const char *rest)
{
    char *end;
    errno = 0;
    long pid = strtol(rest, &end, 10);
    if (end != rest && *end == '-' && !errno && pid > 0 && random_part(end + 1, 6))
        return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    if (!random_part(rest, 6))
        return false;
    /* An older p3's name, without its pid: stale once nobody has written it for an hour. */
    char *path = xasprintf("%s/%s", dir, name);
    struct stat st;
    bool old = stat(path, &st) == 0 && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime > 3600;
    free(path);
    return old;
}

/* Removes dir's stale temporaries whose name starts with base + ".tmp-"
 * (base NULL: any name). */
static int sweep(const char *dir, const char *base)
{
    int removed = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *tag = strstr(e->d_name, ".tmp-");
        /* The last ".tmp-" of the name: a file may hold one in its own name. */
        for (const char *t = tag; t; t = strstr(t + 1, ".tmp-"))
            tag = t;
        if (!tag || (base && ((size_t)(tag - e->d_name) != strlen(base) ||
                              strncmp(e->d_name, base, strlen(base)) != 0)))
            continue;
        if (stale(dir, e->d_name, tag + 5)) {
            char *victim = xasprintf("%s/%s", dir, e->d_name);
            removed += unlink(victim) == 0;
            free(victim);
        }
    }
    if (d)
        closedir(d);
    return removed;
}

int tempname_sweep(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    if (!*dir) {
        free(dir);
        dir = xstrdup("/");
    }
    int removed = sweep(dir, slash ? slash + 1 : path);
    free(dir);
    return removed;
}

int tempname_sweep_dir(const char *dir)
{
    return sweep(dir, NULL);
}
