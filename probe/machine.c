#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "xalloc.h"

bool machine_read_cpu_times(const char *path, machine_cpu_times *out)
{
    FILE *f = fopen(path ? path : "/proc/stat", "r");
    if (!f)
        return false;
    memset(out, 0, sizeof *out);
    out->max_cpu = -1;
    char line[1024];
    bool seen = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "cpu", 3) != 0)
            continue;
        char *p = line + 3;
        machine_cpu_time *t;
        if (*p == ' ') {
            t = &out->all;
            seen = true;
        } else {
            char *end;
            long k = strtol(p, &end, 10);
            if (end == p || *end != ' ' || k < 0 || k >= MACHINE_MAX_CPUS)
                continue;
            t = &out->cpu[k];
            out->present[k] = true;
            if (k > out->max_cpu)
                out->max_cpu = (int)k;
            p = end;
        }
        long long v[10] = {0};
        /* Older kernels have fewer columns; those missing stay 0. */
        sscanf(p, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
        *t = (machine_cpu_time){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]};
    }
    fclose(f);
    return seen;
}

bool machine_cpu_shares(const machine_cpu_time *a, const machine_cpu_time *b,
                        double out[MACHINE_SHARES])
{
    /* user and nice include guest and guest_nice: the kernel counts them in both. */
    int64_t parts[MACHINE_SHARES] = {
        (b->user - b->guest) - (a->user - a->guest),
        (b->nice - b->guest_nice) - (a->nice - a->guest_nice),
        b->system - a->system,
        b->iowait - a->iowait,
        b->steal - a->steal,
        b->irq - a->irq,
        b->softirq - a->softirq,
        b->guest - a->guest,
        b->guest_nice - a->guest_nice,
        b->idle - a->idle,
    };
    int64_t total = 0;
    for (int i = 0; i < MACHINE_SHARES; i++) {
        if (parts[i] < 0) /* a counter that went back (iowait may): nothing */
            parts[i] = 0;
        total += parts[i];
    }
    if (total <= 0)
        return false;
    for (int i = 0; i < MACHINE_SHARES; i++)
        out[i] = 100.0 * (double)parts[i] / (double)total;
    return true;
}

bool machine_thread_sched(pid_t tid, int64_t *run_ns, int64_t *wait_ns)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", (long)tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    long long run, wait;
    bool ok = fscanf(f, "%lld %lld", &run, &wait) == 2;
    fclose(f);
    if (ok) {
        *run_ns = run;
        *wait_ns = wait;
    }
    return ok;
}

void machine_describe(machine_info *out)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    out->host = xstrdup(host);
    struct utsname u;
    out->kernel = uname(&u) == 0 ? xasprintf("%s %s", u.sysname, u.release) : xstrdup("Linux");
    out->cpu_model = NULL;
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[1024];
    while (f && !out->cpu_model && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strcspn(v, "\r\n");
        out->cpu_model = xstrndup(v, n);
    }
    if (f)
        fclose(f);
    if (!out->cpu_model)
        out->cpu_model = xstrdup("unknown CPU");
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->cpus = n > 0 ? (int)n : 1;
}

void machine_info_clear(machine_info *m)
{
    free(m->host);
    free(m->kernel);
    free(m->cpu_model);
    *m = (machine_info){0};
}
