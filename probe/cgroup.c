#include "cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "xalloc.h"

struct probe_cgroup {
    int version;
    char *dir;       /* the cgroup made */
    char *home;      /* where this process was, to go back to */
    char *acct;      /* v1: cpuacct.usage of the cgroup, when cpu and cpuacct share a mount */
    char *describe;
};

/* The first line of path, without its line end, or NULL. */
static char *read_line(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return errno;
    int err = 0;
    if (fputs(text, f) == EOF)
        err = errno;
    if (fclose(f) != 0 && !err)
        err = errno;
    return err;
}

/* Whether the comma-separated list holds word. */
static bool list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Whether the space-separated list holds word. */
static bool words_have(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* Finds the mount point of the cgroup v1 hierarchy with the cpu controller
 * (*v1, with whether cpuacct shares it) and of cgroup v2 (*v2). */
static void find_mounts(char **v1, bool *v1_acct, char **v2)
{
    *v1 = *v2 = NULL;
    *v1_acct = false;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        /* id parent maj:min root mount-point options ... - fstype source super-options */
        char *sep = strstr(line, " - ");
        if (!sep)
            continue;
        char mount[4096], fstype[64], source[256], super[1024] = "";
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mount) != 1 ||
            sscanf(sep + 3, "%63s %255s %1023s", fstype, source, super) < 2)
            continue;
        if (strcmp(fstype, "cgroup2") == 0 && !*v2)
            *v2 = xstrdup(mount);
        else if (strcmp(fstype, "cgroup") == 0 && list_has(super, "cpu") && !*v1) {
            *v1 = xstrdup(mount);
            *v1_acct = list_has(super, "cpuacct");
        }
    }
    free(line);
    fclose(f);
}

/* This process's cgroup path in the v1 hierarchy with controller (or, with
 * NULL, in v2), from /proc/self/cgroup. */
static char *own_path(const char *controller)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return NULL;
    char *line = NULL, *found = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!found && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        bool match = controller ? list_has(c1 + 1, controller)
                                : strcmp(line, "0") == 0 && c1[1] == '\0';
        if (match)
            found = xstrdup(c2 + 1);
    }
    free(line);
    fclose(f);
    return found;
}

/* "<mount><path>" without a doubled slash. */
static char *join(const char *mount, const char *path)
{
    return xasprintf("%s%s", mount, strcmp(path, "/") == 0 ? "" : path);
}

static int refuse(diag_list *diags, const char *fmt, const char *a, const char *b)
{
    char *msg = xasprintf(fmt, a, b);
    diag_add(diags, DIAG_ERROR, "--cap", 0, 0, "%s", msg);
    free(msg);
    return STATUS_BAD_INPUT;
}

static int create_v2(probe_cgroup *cg, const char *mount, int64_t quota_us, int64_t period_us,
                     diag_list *diags)
{
    char *path = own_path(NULL);
    if (!path)
        path = xstrdup("/");
    char *parent = join(mount, path);
    char *control = xasprintf("%s/cgroup.subtree_control", parent);
    char *enabled = read_line(control);
    int status = STATUS_OK;
    if (!enabled || !words_have(enabled, "cpu")) {
        int err = write_text(control, "+cpu");
        if (err)
            status = refuse(diags,
                            "cannot enable the cpu controller of cgroup v2 in %s (%s): run p3 "
                            "probe as root, or in a cgroup delegated to you that holds no other "
                            "process (systemd-run --user --scope -p Delegate=yes p3 probe ...)",
                            parent, strerror(err));
    }
    free(enabled);
    if (!status) {
        cg->dir = xasprintf("%s/p3-probe-%ld", parent, (long)getpid());
        char *max = xasprintf("%s/cpu.max", cg->dir), *procs = xasprintf("%s/cgroup.procs", cg->dir);
        char *value = xasprintf("%lld %lld", (long long)quota_us, (long long)period_us);
        char pid[32];
        snprintf(pid, sizeof pid, "%ld", (long)getpid());
        int err = mkdir(cg->dir, 0755) != 0 ? errno : 0;
        bool made = !err;
        if (err)
            status = refuse(diags, "cannot create the cgroup %s: %s", cg->dir, strerror(err));
        else if ((err = write_text(max, value)))
            status = refuse(diags, "cannot set the CPU quota in %s: %s", max, strerror(err));
        else if ((err = write_text(procs, pid)))
            status = refuse(diags, "cannot move p3 into %s: %s", procs, strerror(err));
        if (status && made)
            rmdir(cg->dir);
        free(max);
        free(procs);
        free(value);
    }
    if (!status) {
        cg->home = xasprintf("%s/cgroup.procs", parent);
        cg->version = 2;
        cg->describe = xasprintf("cgroup v2 %s, cpu.max %lld %lld", cg->dir, (long long)quota_us,
                                 (long long)period_us);
    }
    free(control);
    free(parent);
    free(path);
    return status;
}

static int create_v1(probe_cgroup *cg, const char *mount, bool acct, int64_t quota_us,
                     int64_t period_us, diag_list *diags)
{
    char *path = own_path("cpu");
    if (!path)
        path = xstrdup("/");
    char *parent = join(mount, path);
    cg->dir = xasprintf("%s/p3-probe-%ld", parent, (long)getpid());
    char *period = xasprintf("%s/cpu.cfs_period_us", cg->dir);
    char *quota = xasprintf("%s/cpu.cfs_quota_us", cg->dir);
    char *procs = xasprintf("%s/cgroup.procs", cg->dir);
    char period_text[32], quota_text[32], pid[32];
    snprintf(period_text, sizeof period_text, "%lld", (long long)period_us);
    snprintf(quota_text, sizeof quota_text, "%lld", (long long)quota_us);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    int status = STATUS_OK, err = mkdir(cg->dir, 0755) != 0 ? errno : 0;
    bool made = !err;
    if (err)
        status = refuse(diags, "cannot create the cgroup %s: %s", cg->dir, strerror(err));
    else if ((err = write_text(period, period_text)))
        status = refuse(diags, "cannot set the CPU period in %s: %s", period, strerror(err));
    else if ((err = write_text(quota, quota_text)))
        status = refuse(diags, "cannot set the CPU quota in %s: %s", quota, strerror(err));
    else if ((err = write_text(procs, pid)))
        status = refuse(diags, "cannot move p3 into %s: %s", procs, strerror(err));
    if (status && made)
        rmdir(cg->dir);
    if (!status) {
        cg->home = xasprintf("%s/cgroup.procs", parent);
        cg->version = 1;
        if (acct)
            cg->acct = xasprintf("%s/cpuacct.usage", cg->dir);
        cg->describe = xasprintf("cgroup v1 %s, cpu.cfs_quota_us %lld of cpu.cfs_period_us %lld",
                                 cg->dir, (long long)quota_us, (long long)period_us);
    }
    free(period);
    free(quota);
    free(procs);
    free(parent);
    free(path);
    return status;
}

int probe_cgroup_create(int64_t quota_us, int64_t period_us, probe_cgroup **out,
                        diag_list *diags)
{
    *out = NULL;
    char *v1, *v2;
    bool acct;
    find_mounts(&v1, &acct, &v2);
    probe_cgroup *cg = xcalloc(1, sizeof *cg);
    int status;
    char *controllers = NULL;
    if (v2) {
        char *p = xasprintf("%s/cgroup.controllers", v2);
        controllers = read_line(p);
        free(p);
    }
    if (v2 && controllers && words_have(controllers, "cpu"))
        status = create_v2(cg, v2, quota_us, period_us, diags);
    else if (v1)
        status = create_v1(cg, v1, acct, quota_us, period_us, diags);
    else
        status = refuse(diags,
                        "this machine has no cgroup with the cpu controller (%s%s): a CPU cap "
                        "needs cgroup v1 'cpu' or cgroup v2 with 'cpu' in cgroup.controllers",
                        v2 ? "cgroup v2 without cpu" : "no cgroup v2", v1 ? "" : ", no v1 cpu");
    free(controllers);
    free(v1);
    free(v2);
    if (status) {
        free(cg->dir);
        free(cg->home);
        free(cg->acct);
        free(cg->describe);
        free(cg);
        return status;
    }
    *out = cg;
    return STATUS_OK;
}

/* Reads "key value" lines of cpu.stat. */
static int64_t stat_value(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, key, n) == 0 && p[n] == ' ')
            return strtoll(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

int probe_cgroup_read(const probe_cgroup *cg, probe_cgroup_stat *out)
{
    char *path = xasprintf("%s/cpu.stat", cg->dir);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f)
        return STATUS_FAILURE;
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    if (cg->version == 2) {
        int64_t usage = stat_value(text, "usage_usec"), thr = stat_value(text, "throttled_usec");
        out->usage_ns = usage < 0 ? -1 : usage * 1000;
        out->throttled_ns = thr < 0 ? 0 : thr * 1000;
    } else {
        out->throttled_ns = stat_value(text, "throttled_time");
        out->usage_ns = -1;
        if (cg->acct) {
            char *line = read_line(cg->acct);
            if (line)
                out->usage_ns = strtoll(line, NULL, 10);
            free(line);
        }
    }
    out->nr_periods = stat_value(text, "nr_periods");
    out->nr_throttled = stat_value(text, "nr_throttled");
    if (out->nr_periods < 0 || out->nr_throttled < 0 || out->throttled_ns < 0)
        return STATUS_FAILURE;
    return STATUS_OK;
}

const char *probe_cgroup_describe(const probe_cgroup *cg)
{
    return cg->describe;
}

int probe_cgroup_version(const probe_cgroup *cg)
{
    return cg->version;
}

void probe_cgroup_remove(probe_cgroup *cg, diag_list *diags)
{
    if (!cg)
        return;
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    int err = write_text(cg->home, pid);
    if (err)
        diag_add(diags, DIAG_WARNING, cg->home, 0, 0, "cannot move p3 back: %s", strerror(err));
    /* The kernel may take a moment to let go of the tasks that left. */
    int tries = 0;
    while (rmdir(cg->dir) != 0) {
        if (errno != EBUSY || ++tries > 100) {
            diag_add(diags, DIAG_WARNING, cg->dir, 0, 0, "cannot remove the cgroup: %s",
                     strerror(errno));
            break;
        }
        usleep(10000);
    }
    free(cg->dir);
    free(cg->home);
    free(cg->acct);
    free(cg->describe);
    free(cg);
}
