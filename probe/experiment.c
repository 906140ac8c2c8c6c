#define _GNU_SOURCE
#include "experiment.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "isotime.h"
#include "machine.h"
#include "prng.h"
#include "status.h"
#include "textbuf.h"
#include "xalloc.h"

extern char **environ;

#define NS_PER_US 1000LL
#define NS_PER_S 1000000000LL
#define GUEST_NAME "p3-probe" /* the run's name for itself, as the guest of this experiment */

void probe_options_defaults(probe_options *o)
{
    *o = (probe_options){0};
    o->cap_period_us = 100000;
    o->load_burst_us = 60000;
    o->samples = 300;
    o->interval_us = 1000000;
    o->jitter_us = 250000;
    o->settle_us = 5000000;
    o->steps = 3;
    o->step_cpu_us = 1000;
    o->step_wait_us = 4000;
    o->seed = 1;
}

bool probe_parse_cpus(const char *list, bool *mask, int max)
{
    const char *p = list;
    if (!*p)
        return false;
    for (;;) {
        char *end;
        errno = 0;
        long a = strtol(p, &end, 10), b = a;
        if (end == p || *p == '-' || *p == '+' || errno)
            return false;
        p = end;
        if (*p == '-') {
            const char *q = p + 1;
            b = strtol(q, &end, 10);
            if (end == q || *q == '-' || *q == '+' || errno || b < a)
                return false;
            p = end;
        }
        if (a < 0 || b >= max)
            return false;
        for (long k = a; k <= b; k++)
            mask[k] = true;
        if (*p == '\0')
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

static int64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S)};
}

static pid_t own_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* ---- the work ---------------------------------------------------------- */

static volatile uint64_t work_sink;

/* CPU work that no compiler can skip: `units` steps of a 64-bit LCG. */
static void work(uint64_t units)
{
    uint64_t x = work_sink;
    for (uint64_t i = 0; i < units; i++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    work_sink = x;
}

/* Work units per microsecond of this thread's CPU: the best of several
 * tries, so that a try that was preempted or slowed does not count. */
static double calibrate(void)
{
    double best = 0;
    uint64_t units = 1 << 14;
    int64_t spent = 0;
    for (int i = 0; i < 40 && spent < 200 * NS_PER_US * 1000; i++) {
        int64_t a = now_ns(CLOCK_THREAD_CPUTIME_ID);
        work(units);
        int64_t d = now_ns(CLOCK_THREAD_CPUTIME_ID) - a;
        spent += d;
        if (d < 200 * NS_PER_US) { /* too short to time well */
            units *= 2;
            continue;
        }
        double rate = (double)units / ((double)d / NS_PER_US);
        if (rate > best)
            best = rate;
    }
    return best > 0 ? best : 1;
}

/* ---- the run's state --------------------------------------------------- */

typedef struct worker worker;

/* A thread of the run whose CPU, ready time and busy wall time are counted. */
typedef struct tracked {
    pthread_t thread;
    pid_t tid;
    bool live;
    int64_t busy_ns;    /* wall time in busy phases so far, finished ones */
    int64_t busy_since; /* CLOCK_MONOTONIC start of the busy phase under way, or 0 */
} tracked;

/* What a row of counters is made from: totals at one instant. */
typedef struct totals {
    int64_t mono, real;                      /* when */
    int64_t load_cpu, probe_cpu, run_cpu;    /* CPU, ns */
    int64_t load_busy, probe_busy;           /* wall time busy, ns */
    int64_t load_wait, probe_wait;           /* ready but not running, ns */
    bool have_wait;
    probe_cgroup_stat cg;
    bool have_cg;
    machine_cpu_times *cpu;
} totals;

/* One second of counters. */
typedef struct counter_row {
    int64_t real_s;   /* UTC seconds of its end */
    int64_t interval; /* seconds it covers */
    double *machine;  /* (1 + cpus) x MACHINE_SHARES, or NULL */
    double load_cpu, probe_cpu, run_cpu, load_busy, probe_busy, run_busy;
    double load_wait, probe_wait; /* on a run queue, not running */
    double steal;                 /* the hypervisor's, on the run's CPUs, % of one CPU */
    bool have_wait, have_steal, have_cg, have_usage;
    double cg_usage, cg_throttled_pct;
    int64_t cg_periods, cg_throttled, cg_throttled_ms_x1000;
} counter_row;

typedef struct probe_sample {
    int64_t scheduled_real; /* ns since 1970, UTC */
    int64_t delay_ns;
    int level;
} probe_sample;

typedef struct experiment {
    const probe_options *o;
    diag_list *diags;
    int n;                        /* CPUs the run may use */
    bool cpu_mask[MACHINE_MAX_CPUS];
    int max_cpu;                  /* highest CPU of the machine's /proc/stat */
    machine_info machine;
    probe_cgroup *cg;
    char *cg_describe;            /* what the cgroup was, kept after it is removed */
    const char *priority;         /* how the load's priority was lowered, or "none" */
    double units_per_us;
    uint64_t step_units;
    int64_t real_minus_mono;      /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
    int64_t started_real, ended_real;
    int64_t time_limit_us;        /* the hard limit in force */

    pthread_mutex_t m;
    pthread_cond_t cond;          /* on CLOCK_MONOTONIC: wakes sleepers on a stop */
    atomic_bool stop;             /* the whole run stops */
    atomic_bool finished;         /* the levels are done: the sampler stops */
    char *stop_reason;
    atomic_int child;             /* the program the probe runs, or 0 */

    /* Threads, under m. */
    tracked probe;
    tracked *load;                /* this level's load threads */
    int load_count;
    int64_t retired_load_cpu, retired_load_busy, retired_load_wait;
    atomic_bool level_stop;       /* this level's load threads stop */
    int64_t children_cpu;         /* CPU of the programs the probe ran */

    /* Results. */
    probe_sample *samples;
    size_t sample_count, sample_cap;
    counter_row *rows;
    size_t row_count, row_cap;
    int levels_done;
    struct {
        int64_t load_start, probe_start, probe_end; /* UTC ns */
        bool idle_priority_failed;
    } level_times[PROBE_MAX_LEVELS];
    prng rng;                     /* the jitter's */
} experiment;

static void request_stop(experiment *e, const char *reason)
{
    pthread_mutex_lock(&e->m);
    if (!e->stop_reason)
        e->stop_reason = xstrdup(reason);
    atomic_store(&e->stop, true);
    atomic_store(&e->level_stop, true);
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->m);
    int child = atomic_load(&e->child);
    if (child > 0)
        kill(child, SIGKILL);
}

/* Sleeps until the CLOCK_MONOTONIC time `until`, a stop or the end of the
 * levels. False on a stop or at the end. */
static bool sleep_until(experiment *e, int64_t until)
{
    struct timespec ts = to_timespec(until);
    pthread_mutex_lock(&e->m);
    while (!atomic_load(&e->stop) && !atomic_load(&e->finished) &&
           now_ns(CLOCK_MONOTONIC) < until)
        if (pthread_cond_timedwait(&e->cond, &e->m, &ts) == ETIMEDOUT)
            break;
    bool ok = !atomic_load(&e->stop) && !atomic_load(&e->finished);
    pthread_mutex_unlock(&e->m);
    return ok;
}

static void busy_begin(experiment *e, tracked *t)
{
    int64_t now = now_ns(CLOCK_MONOTONIC);
    pthread_mutex_lock(&e->m);
    t->busy_since = now;
    pthread_mutex_unlock(&e->m);
}

static void busy_end(experiment *e, tracked *t)
{
    int64_t now = now_ns(CLOCK_MONOTONIC);
    pthread_mutex_lock(&e->m);
    if (t->busy_since)
        t->busy_ns += now - t->busy_since;
    t->busy_since = 0;
    pthread_mutex_unlock(&e->m);
}

/* ---- the load ---------------------------------------------------------- */

typedef struct load_arg {
    experiment *e;
    int index;
    int64_t duty_ppm;
} load_arg;

/* A live thread's CPU clock, ns; 0 when it cannot be read. */
static int64_t thread_cpu(pthread_t t)
{
    clockid_t clock;
    if (pthread_getcpuclockid(t, &clock) != 0)
        return 0;
    return now_ns(clock);
}

/* Lowers the calling thread to the lowest priority: SCHED_IDLE, else nice
 * 19. Returns what was used. */
static const char *lower_priority(void)
{
    struct sched_param sp = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &sp) == 0)
        return "SCHED_IDLE";
    if (setpriority(PRIO_PROCESS, (id_t)own_tid(), 19) == 0)
        return "nice 19";
    return NULL;
}

static void *load_main(void *p)
{
    load_arg *a = p;
    experiment *e = a->e;
    tracked *t = &e->load[a->index];
    pthread_mutex_lock(&e->m);
    t->tid = own_tid();
    pthread_mutex_unlock(&e->m);
    if (e->o->manage_priority) {
        const char *how = lower_priority();
        pthread_mutex_lock(&e->m);
        if (!how)
            e->priority = "none (the load's priority could not be lowered)";
        else if (strcmp(how, "nice 19") == 0 && strcmp(e->priority, "SCHED_IDLE") == 0)
            e->priority = how;
        pthread_mutex_unlock(&e->m);
    }
    const int64_t burst = e->o->load_burst_us * NS_PER_US;
    const bool bound = a->duty_ppm >= 1000000;
    const int64_t busy_cpu = bound ? INT64_MAX : burst * a->duty_ppm / 1000000;
    const int64_t idle = bound ? 0 : burst - busy_cpu;
    const uint64_t chunk = (uint64_t)(e->units_per_us * 50) + 1; /* about 50 us of work */
    while (!atomic_load(&e->level_stop)) {
        busy_begin(e, t);
        int64_t start = now_ns(CLOCK_THREAD_CPUTIME_ID);
        while (!atomic_load(&e->level_stop) && now_ns(CLOCK_THREAD_CPUTIME_ID) - start < busy_cpu)
            work(chunk);
        busy_end(e, t);
        if (idle > 0 && !atomic_load(&e->level_stop)) {
            struct timespec ts = to_timespec(idle);
            nanosleep(&ts, NULL);
        }
    }
    /* Its totals go to the run's before it ends, while they can be read. */
    int64_t cpu = now_ns(CLOCK_THREAD_CPUTIME_ID), run, wait = 0;
    machine_thread_sched(own_tid(), &run, &wait);
    pthread_mutex_lock(&e->m);
    e->retired_load_cpu += cpu;
    e->retired_load_busy += t->busy_ns;
    e->retired_load_wait += wait;
    t->busy_ns = 0;
    t->live = false;
    pthread_mutex_unlock(&e->m);
    return NULL;
}

/* Starts this level's load threads. False (after a message, with the ones
 * started stopped again) when a thread cannot be started. */
static bool load_start(experiment *e, const probe_level *l, load_arg *args)
{
    if (l->threads <= 0)
        return true;
    atomic_store(&e->level_stop, false);
    pthread_mutex_lock(&e->m);
    e->load = xcalloc((size_t)l->threads, sizeof *e->load);
    e->load_count = 0;
    for (int i = 0; i < l->threads; i++) {
        args[i] = (load_arg){e, i, l->duty_ppm};
        e->load[i].live = true;
        int rc = pthread_create(&e->load[i].thread, NULL, load_main, &args[i]);
        if (rc != 0) {
            e->load[i].live = false;
            diag_add(e->diags, DIAG_ERROR, e->o->output, 0, 0,
                     "cannot start load thread %d of %d: %s", i + 1, l->threads, strerror(rc));
            break;
        }
        e->load_count = i + 1;
    }
    bool ok = e->load_count == l->threads;
    pthread_mutex_unlock(&e->m);
    return ok;
}

/* Stops and joins this level's load threads; their totals stay counted. */
static void load_stop(experiment *e)
{
    atomic_store(&e->level_stop, true);
    for (int i = 0; i < e->load_count; i++)
        pthread_join(e->load[i].thread, NULL);
    pthread_mutex_lock(&e->m);
    free(e->load);
    e->load = NULL;
    e->load_count = 0;
    pthread_mutex_unlock(&e->m);
}

/* ---- the counters ------------------------------------------------------ */

/* Reads the run's totals now. */
static void read_totals(experiment *e, totals *t)
{
    t->mono = now_ns(CLOCK_MONOTONIC);
    t->real = t->mono + e->real_minus_mono;
    if (!t->cpu)
        t->cpu = xmalloc(sizeof *t->cpu);
    if (!machine_read_cpu_times(NULL, t->cpu)) {
        free(t->cpu);
        t->cpu = NULL;
    }
    t->have_cg = e->cg && probe_cgroup_read(e->cg, &t->cg) == STATUS_OK;
    struct rusage ru;
    int64_t children = 0;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        children = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS_PER_S +
                   ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * NS_PER_US;
    pthread_mutex_lock(&e->m);
    int64_t run, wait;
    t->have_wait = true;
    t->load_cpu = e->retired_load_cpu;
    t->load_busy = e->retired_load_busy;
    t->load_wait = e->retired_load_wait;
    for (int i = 0; i < e->load_count; i++) {
        tracked *l = &e->load[i];
        if (!l->live || !l->tid)
            continue;
        t->load_cpu += thread_cpu(l->thread);
        t->load_busy += l->busy_ns + (l->busy_since ? t->mono - l->busy_since : 0);
        if (machine_thread_sched(l->tid, &run, &wait))
            t->load_wait += wait;
        else
            t->have_wait = false;
    }
    t->probe_cpu = thread_cpu(e->probe.thread) + children;
    t->probe_busy = e->probe.busy_ns + (e->probe.busy_since ? t->mono - e->probe.busy_since : 0);
    t->probe_wait = 0;
    if (machine_thread_sched(e->probe.tid, &run, &wait))
        t->probe_wait = wait;
    else
        t->have_wait = false;
    pthread_mutex_unlock(&e->m);
    t->run_cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) + children;
}

static double pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

/* Appends the row of the interval from a to b. */
static void add_row(experiment *e, const totals *a, const totals *b)
{
    int64_t span = b->mono - a->mono;
    if (span <= 0)
        return;
    if (e->row_count == e->row_cap) {
        e->row_cap = e->row_cap ? e->row_cap * 2 : 256;
        e->rows = xreallocarray(e->rows, e->row_cap, sizeof *e->rows);
    }
    int64_t real_s = (b->real + NS_PER_S / 2) / NS_PER_S;
    if (e->row_count && real_s <= e->rows[e->row_count - 1].real_s)
        return; /* the run's last moments, under half a second: no row of their own */
    counter_row *r = &e->rows[e->row_count++];
    *r = (counter_row){0};
    r->real_s = real_s;
    r->interval = (span + NS_PER_S / 2) / NS_PER_S;
    if (r->interval < 1)
        r->interval = 1;
    if (a->cpu && b->cpu) {
        size_t cols = (size_t)e->max_cpu + 2;
        r->machine = xcalloc(cols * MACHINE_SHARES, sizeof *r->machine);
        for (size_t c = 0; c < cols; c++) {
            const machine_cpu_time *x = c ? &a->cpu->cpu[c - 1] : &a->cpu->all;
            const machine_cpu_time *y = c ? &b->cpu->cpu[c - 1] : &b->cpu->all;
            if (!machine_cpu_shares(x, y, r->machine + c * MACHINE_SHARES))
                for (int k = 0; k < MACHINE_SHARES; k++)
                    r->machine[c * MACHINE_SHARES + k] = NAN;
        }
    }
    r->load_cpu = pct(b->load_cpu - a->load_cpu, span);
    r->probe_cpu = pct(b->probe_cpu - a->probe_cpu, span);
    r->run_cpu = pct(b->run_cpu - a->run_cpu, span);
    r->load_busy = pct(b->load_busy - a->load_busy, span);
    r->probe_busy = pct(b->probe_busy - a->probe_busy, span);
    /* The run sees at most all its CPUs busy, as an OS of n CPUs would. */
    r->run_busy = fmin(r->load_busy + r->probe_busy, 100.0 * e->n);
    r->have_wait = a->have_wait && b->have_wait;
    r->load_wait = pct(b->load_wait - a->load_wait, span);
    r->probe_wait = pct(b->probe_wait - a->probe_wait, span);
    r->have_steal = a->cpu && b->cpu;
    if (r->have_steal) {
        int64_t ticks = 0;
        for (int k = 0; k <= e->max_cpu && k < MACHINE_MAX_CPUS; k++)
            if (e->cpu_mask[k])
                ticks += b->cpu->cpu[k].steal - a->cpu->cpu[k].steal;
        long hz = sysconf(_SC_CLK_TCK);
        r->steal = ticks > 0 && hz > 0 ? pct(ticks * (NS_PER_S / hz), span) : 0;
    }
    r->have_cg = a->have_cg && b->have_cg;
    if (r->have_cg) {
        r->have_usage = a->cg.usage_ns >= 0 && b->cg.usage_ns >= 0;
        r->cg_usage = pct(b->cg.usage_ns - a->cg.usage_ns, span);
        r->cg_periods = b->cg.nr_periods - a->cg.nr_periods;
        r->cg_throttled = b->cg.nr_throttled - a->cg.nr_throttled;
        int64_t thr = b->cg.throttled_ns - a->cg.throttled_ns;
        r->cg_throttled_ms_x1000 = thr / 1000;
        r->cg_throttled_pct = pct(thr, span);
    }
}

static void *sampler_main(void *p)
{
    experiment *e = p;
    totals prev = {0}, cur = {0};
    read_totals(e, &prev);
    for (;;) {
        /* Rows end on whole seconds of UTC, as sar's do. */
        int64_t real = now_ns(CLOCK_MONOTONIC) + e->real_minus_mono;
        int64_t next_real = (real / NS_PER_S + 1) * NS_PER_S;
        if (next_real - prev.real < NS_PER_S / 2)
            next_real += NS_PER_S; /* no row shorter than half a second */
        bool go_on = sleep_until(e, next_real - e->real_minus_mono);
        read_totals(e, &cur);
        add_row(e, &prev, &cur);
        machine_cpu_times *spare = prev.cpu;
        prev = cur;
        cur = (totals){.cpu = spare};
        if (!go_on)
            break;
    }
    free(prev.cpu);
    free(cur.cpu);
    return NULL;
}

/* ---- the probe --------------------------------------------------------- */

/* Runs one action; false when a started program failed (after a message). */
static bool run_action(experiment *e)
{
    const probe_options *o = e->o;
    if (o->exec_path) {
        busy_begin(e, &e->probe);
        pid_t pid;
        char *argv[] = {(char *)o->exec_path, NULL};
        int rc = posix_spawn(&pid, o->exec_path, NULL, NULL, argv, environ);
        bool ok = rc == 0;
        if (ok) {
            atomic_store(&e->child, pid);
            if (atomic_load(&e->stop))
                kill(pid, SIGKILL);
            int wstatus;
            while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
                ;
            atomic_store(&e->child, 0);
            if (!atomic_load(&e->stop) && !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)) {
                diag_add(e->diags, DIAG_ERROR, o->exec_path, 0, 0,
                         WIFEXITED(wstatus) ? "the probe's program exited with status %d"
                                            : "the probe's program was killed by signal %d",
                         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
                ok = false;
            }
        } else {
            diag_add(e->diags, DIAG_ERROR, o->exec_path, 0, 0, "cannot start the probe's program: %s",
                     strerror(rc));
        }
        busy_end(e, &e->probe);
        return ok;
    }
    for (int k = 0; k < o->steps; k++) {
        if (k > 0 && o->step_wait_us > 0) {
            struct timespec ts = to_timespec(o->step_wait_us * NS_PER_US);
            nanosleep(&ts, NULL);
        }
        busy_begin(e, &e->probe);
        work(e->step_units);
        busy_end(e, &e->probe);
    }
    return true;
}

static void add_sample(experiment *e, int64_t scheduled_mono, int64_t delay, int level)
{
    pthread_mutex_lock(&e->m);
    if (e->sample_count == e->sample_cap) {
        e->sample_cap = e->sample_cap ? e->sample_cap * 2 : 1024;
        e->samples = xreallocarray(e->samples, e->sample_cap, sizeof *e->samples);
    }
    e->samples[e->sample_count++] =
        (probe_sample){scheduled_mono + e->real_minus_mono, delay, level};
    pthread_mutex_unlock(&e->m);
}

/* The time between two scheduled actions: the interval +- the jitter. */
static int64_t next_gap(experiment *e)
{
    int64_t jitter = e->o->jitter_us * NS_PER_US;
    int64_t gap = e->o->interval_us * NS_PER_US;
    if (jitter > 0)
        gap += prng_range(&e->rng, -jitter, jitter);
    return gap > 0 ? gap : 0;
}

/* Probes one level. Each action has a scheduled start that does not depend
 * on when the one before it ended: an action that starts late (the probe
 * was not run, or the one before took long) counts the lateness as delay. */
static bool probe_level_run(experiment *e, int level)
{
    const probe_options *o = e->o;
    int64_t start = now_ns(CLOCK_MONOTONIC);
    int64_t end = o->duration_us > 0 ? start + o->duration_us * NS_PER_US : INT64_MAX;
    int64_t scheduled = start;
    int taken = 0;
    while (!atomic_load(&e->stop) && (o->samples <= 0 || taken < o->samples)) {
        if (scheduled >= end)
            break;
        if (!sleep_until(e, scheduled) && atomic_load(&e->stop))
            break;
        if (!run_action(e))
            return false;
        int64_t done = now_ns(CLOCK_MONOTONIC);
        if (atomic_load(&e->stop))
            break; /* an action cut short by the stop is not a measurement */
        add_sample(e, scheduled, done - scheduled, level);
        taken++;
        scheduled += next_gap(e);
    }
    return true;
}

/* ---- stopping ---------------------------------------------------------- */

typedef struct signal_arg {
    experiment *e;
    sigset_t set;
    int64_t deadline_mono;
} signal_arg;

/* Waits for SIGINT or SIGTERM (a stop), SIGUSR1 (the run ended) or the
 * time limit (a stop). */
static void *signal_main(void *p)
{
    signal_arg *a = p;
    for (;;) {
        int64_t left = a->deadline_mono - now_ns(CLOCK_MONOTONIC);
        if (left <= 0) {
            char *why = xasprintf("stopped by the time limit of %g s",
                                  (double)a->e->time_limit_us / 1e6);
            request_stop(a->e, why);
            free(why);
            return NULL;
        }
        struct timespec ts = to_timespec(left);
        int sig = sigtimedwait(&a->set, NULL, &ts);
        if (sig == SIGUSR1)
            return NULL;
        if (sig == SIGINT || sig == SIGTERM) {
            request_stop(a->e, sig == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM");
            return NULL;
        }
    }
}

/* ---- the run folder ---------------------------------------------------- */

static void buf_utc(text_buf *b, int64_t real_ns, bool millis, bool sadf)
{
    int64_t secs = real_ns / NS_PER_S, days = secs / 86400, rem = secs % 86400;
    int y, mo, d;
    isotime_civil_from_days(days, &y, &mo, &d);
    if (sadf) {
        buf_printf(b, "%04d-%02d-%02d %02d:%02d:%02d UTC", y, mo, d, (int)(rem / 3600),
                   (int)(rem / 60 % 60), (int)(rem % 60));
        return;
    }
    buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, (int)(rem / 3600),
               (int)(rem / 60 % 60), (int)(rem % 60));
    if (millis)
        buf_printf(b, ".%03d", (int)(real_ns % NS_PER_S / 1000000));
    buf_printf(b, "Z");
}

/* "0", "0-3", "0,2": the CPUs the run used. */
static void buf_cpu_list(text_buf *b, const experiment *e)
{
    bool first = true;
    for (int k = 0; k < MACHINE_MAX_CPUS; k++) {
        if (!e->cpu_mask[k] || (k > 0 && e->cpu_mask[k - 1]))
            continue;
        int last = k;
        while (last + 1 < MACHINE_MAX_CPUS && e->cpu_mask[last + 1])
            last++;
        buf_printf(b, first ? "%d" : ",%d", k);
        if (last > k)
            buf_printf(b, "-%d", last);
        first = false;
    }
}

static char *default_title(const experiment *e)
{
    const probe_options *o = e->o;
    text_buf b = {0};
    buf_printf(&b, "P3 Linux %s: %d CPU%s", e->machine.host, e->n, e->n == 1 ? "" : "s");
    if (o->cap_ppm) {
        buf_printf(&b, " w/");
        buf_scaled(&b, o->cap_ppm, 4);
        buf_printf(&b, "%% Cap");
    }
    if (o->manage_priority)
        buf_printf(&b, "%sPriority Mgmt", o->cap_ppm ? ", " : " w/");
    return b.p;
}

static const char *operation(const experiment *e, text_buf *b)
{
    const probe_options *o = e->o;
    if (o->exec_path) {
        buf_printf(b, "exec %s", o->exec_path);
    } else {
        buf_printf(b, "cpu-steps: %d x ", o->steps);
        buf_scaled(b, o->step_cpu_us, 3);
        buf_printf(b, " ms CPU, ");
        buf_scaled(b, o->step_wait_us, 3);
        buf_printf(b, " ms between");
    }
    return b->p;
}

static void write_run_ini(text_buf *b, const experiment *e)
{
    const probe_options *o = e->o;
    char *title = o->title ? xstrdup(o->title) : default_title(e);
    text_buf op = {0};
    buf_printf(b, "; Measured on this machine by p3 probe %s: see the README, \"Measure your own "
                  "machine\".\n[run]\ntitle = %s\nhost = %s\nguest = " GUEST_NAME "\n",
               o->version ? o->version : "", title, e->machine.host);
    buf_printf(b, "platform = %s, %s, %d logical CPUs; the run used CPU%s ", e->machine.kernel,
               e->machine.cpu_model, e->machine.cpus, e->n == 1 ? "" : "s");
    buf_cpu_list(b, e);
    if (e->cg_describe)
        buf_printf(b, "; %s", e->cg_describe);
    buf_printf(b, "\nnotes = The load and the probe of p3 probe are the guest (" GUEST_NAME
                  "); the kernel's accounting is the host. Load priority: %s.",
               e->priority);
    if (e->stop_reason)
        buf_printf(b, " The run was %s after %d of %d levels.", e->stop_reason, e->levels_done,
                   o->level_count);
    buf_printf(b, "\nlevels = ");
    for (int i = 0; i < o->level_count; i++)
        buf_printf(b, "%s%s", i ? ", " : "", o->levels[i].name);

    buf_printf(b, "\n\n; How the run was made, for the record.\n[probe]\n");
    buf_printf(b, "version = %s\ncpus = ", o->version ? o->version : "");
    buf_cpu_list(b, e);
    buf_printf(b, "\ncap_pct = ");
    buf_scaled(b, o->cap_ppm, 4);
    buf_printf(b, "\ncap_period_ms = ");
    buf_scaled(b, o->cap_period_us, 3);
    buf_printf(b, "\ncgroup = %s\npriority_management = %s\nload_priority = %s\n",
               e->cg_describe ? e->cg_describe : "none", o->manage_priority ? "yes" : "no",
               e->priority);
    buf_printf(b, "load_threads = ");
    for (int i = 0; i < o->level_count; i++)
        buf_printf(b, "%s%d", i ? ", " : "", o->levels[i].threads);
    buf_printf(b, "\nload_duty_pct = ");
    for (int i = 0; i < o->level_count; i++) {
        buf_printf(b, "%s", i ? ", " : "");
        buf_scaled(b, o->levels[i].duty_ppm, 4);
    }
    buf_printf(b, "\nload_burst_ms = ");
    buf_scaled(b, o->load_burst_us, 3);
    buf_printf(b, "\naction = %s\n", operation(e, &op));
    if (!o->exec_path)
        buf_printf(b, "work_units_per_us = %.1f\n", e->units_per_us);
    buf_printf(b, "interval_ms = ");
    buf_scaled(b, o->interval_us, 3);
    buf_printf(b, "\njitter_ms = ");
    buf_scaled(b, o->jitter_us, 3);
    buf_printf(b, "\nsamples = %d\nduration_s = ", o->samples);
    buf_scaled(b, o->duration_us, 6);
    buf_printf(b, "\nsettle_s = ");
    buf_scaled(b, o->settle_us, 6);
    buf_printf(b, "\ntime_limit_s = ");
    buf_scaled(b, e->time_limit_us, 6);
    buf_printf(b, "\nstarted = ");
    buf_utc(b, e->started_real, true, false);
    buf_printf(b, "\nended = ");
    buf_utc(b, e->ended_real, true, false);
    buf_printf(b, "\nstopped = %s\n", e->stop_reason ? e->stop_reason : "no");

    buf_printf(b, "\n; Where the run's CPU is: as the kernel counts it (host), and as the run's "
                  "own\n; threads see it, busy while they have work (guest).\n[cpu]\n");
    buf_printf(b, "vcpus = %d\nhost_cpus = %d\n", e->n, e->machine.cpus);
    buf_printf(b, "host_counter = \\\\%s\\Guest(" GUEST_NAME ")\\%%cpu\n", e->machine.host);
    buf_printf(b, "guest_counter = \\\\" GUEST_NAME "\\Run(all)\\%%busy\n");
    buf_printf(b, "ready_counter = \\\\%s\\Guest(" GUEST_NAME ")\\%%ready\n", e->machine.host);
    /* No virtualization layer stands between the run and the kernel: what
     * the measurement itself costs is read from the run where it can be. */
    buf_printf(b, "overhead_pct = 0\n");
    free(title);
    buf_free(&op);
}

static void write_probe_log(text_buf *b, const experiment *e)
{
    text_buf op = {0};
    buf_printf(b, "# p3-probe 1\n# host: %s\n# guest: " GUEST_NAME "\n# operation: %s\n",
               e->machine.host, operation(e, &op));
    buf_printf(b, "# generator: p3 probe %s\ntime,level,delay_ms\n",
               e->o->version ? e->o->version : "");
    for (size_t i = 0; i < e->sample_count; i++) {
        const probe_sample *s = &e->samples[i];
        buf_utc(b, s->scheduled_real, true, false);
        int64_t us = (s->delay_ns + 500) / 1000;
        buf_printf(b, ",%s,%lld.%03lld\n", e->o->levels[s->level].name, (long long)(us / 1000),
                   (long long)(us % 1000));
    }
    buf_free(&op);
}

static void row_prefix(text_buf *b, const char *host, const counter_row *r)
{
    buf_printf(b, "%s;%lld;", host, (long long)r->interval);
    buf_utc(b, r->real_s * NS_PER_S, false, true);
}

static void write_host_counters(text_buf *b, const experiment *e)
{
    const char *host = e->machine.host;
    buf_printf(b, "# hostname;interval;timestamp;CPU;%%usr;%%nice;%%sys;%%iowait;%%steal;%%irq;"
                  "%%soft;%%guest;%%gnice;%%idle\n");
    for (size_t i = 0; i < e->row_count; i++) {
        const counter_row *r = &e->rows[i];
        if (!r->machine)
            continue;
        for (int c = 0; c <= e->max_cpu + 1; c++) {
            const double *v = r->machine + (size_t)c * MACHINE_SHARES;
            if (isnan(v[0]))
                continue;
            row_prefix(b, host, r);
            buf_printf(b, ";%d", c - 1);
            for (int k = 0; k < MACHINE_SHARES; k++)
                buf_printf(b, ";%.2f", v[k]);
            buf_printf(b, "\n");
        }
    }
    /* The guest as the host sees it: its CPU, and the time it was ready to
     * run but was not run: held back by the cap, or by the hypervisor. */
    buf_printf(b, "# hostname;interval;timestamp;GUEST;%%cpu;%%ready;%%steal;%%throttled\n");
    for (size_t i = 0; i < e->row_count; i++) {
        const counter_row *r = &e->rows[i];
        if (!r->have_steal)
            continue;
        double thr = r->have_cg ? r->cg_throttled_pct : 0;
        row_prefix(b, host, r);
        buf_printf(b, ";" GUEST_NAME ";%.2f;%.2f;%.2f;%.2f\n", r->run_cpu, r->steal + thr, r->steal,
                   thr);
    }
    bool wait = true;
    for (size_t i = 0; i < e->row_count; i++)
        wait &= e->rows[i].have_wait;
    buf_printf(b, "# hostname;interval;timestamp;RUN;%%cpu%s\n", wait ? ";%wait" : "");
    for (size_t i = 0; i < e->row_count; i++) {
        const counter_row *r = &e->rows[i];
        const char *who[] = {"load", "probe"};
        double cpu[] = {r->load_cpu, r->probe_cpu};
        double waits[] = {r->load_wait, r->probe_wait};
        for (int k = 0; k < 2; k++) {
            row_prefix(b, host, r);
            buf_printf(b, ";%s;%.2f", who[k], cpu[k]);
            if (wait)
                buf_printf(b, ";%.2f", waits[k]);
            buf_printf(b, "\n");
        }
    }
    if (!e->cg_describe)
        return;
    bool usage = true, any = false;
    for (size_t i = 0; i < e->row_count; i++) {
        usage &= !e->rows[i].have_cg || e->rows[i].have_usage;
        any |= e->rows[i].have_cg;
    }
    if (!any)
        return;
    buf_printf(b, "# hostname;interval;timestamp;CGROUP;%snr_periods;nr_throttled;throttled_ms;"
                  "%%throttled\n",
               usage ? "%usage;" : "");
    for (size_t i = 0; i < e->row_count; i++) {
        const counter_row *r = &e->rows[i];
        if (!r->have_cg)
            continue;
        row_prefix(b, host, r);
        buf_printf(b, ";cap;");
        if (usage)
            buf_printf(b, "%.2f;", r->cg_usage);
        buf_printf(b, "%lld;%lld;%lld.%03lld;%.2f\n", (long long)r->cg_periods,
                   (long long)r->cg_throttled, (long long)(r->cg_throttled_ms_x1000 / 1000),
                   (long long)(r->cg_throttled_ms_x1000 % 1000), r->cg_throttled_pct);
    }
}

static void write_guest_counters(text_buf *b, const experiment *e)
{
    buf_printf(b, "# hostname;interval;timestamp;RUN;%%busy\n");
    for (size_t i = 0; i < e->row_count; i++) {
        const counter_row *r = &e->rows[i];
        const char *who[] = {"load", "probe", "all"};
        double busy[] = {r->load_busy, r->probe_busy, r->run_busy};
        for (int k = 0; k < 3; k++) {
            row_prefix(b, GUEST_NAME, r);
            buf_printf(b, ";%s;%.2f\n", who[k], busy[k]);
        }
    }
}

/* A host name as a file name: what is not a letter, digit, '.', '-' or '_'
 * becomes '_'. */
static char *file_safe(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    return out;
}

static int write_folder(experiment *e)
{
    char *safe = file_safe(e->machine.host);
    char *names[4] = {xstrdup("run.ini"), xstrdup("probe.probe"),
                      xasprintf("host/%s-sadf.csv", safe), xstrdup("guest/" GUEST_NAME "-sadf.csv")};
    text_buf bufs[4] = {{0}};
    write_run_ini(&bufs[0], e);
    write_probe_log(&bufs[1], e);
    write_host_counters(&bufs[2], e);
    write_guest_counters(&bufs[3], e);
    int status = textbuf_write_files(e->o->output, names, bufs, 4, "p3-probe", e->diags);
    for (int i = 0; i < 4; i++) {
        free(names[i]);
        buf_free(&bufs[i]);
    }
    free(safe);
    return status;
}

/* ---- the run ----------------------------------------------------------- */

static void progress(const experiment *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void progress(const experiment *e, const char *fmt, ...)
{
    if (!e->o->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *line = xvasprintf(fmt, ap);
    va_end(ap);
    e->o->progress(e->o->progress_ctx, line);
    free(line);
}

/* Chooses the CPUs: o->cpus within what this process may use. */
static int choose_cpus(experiment *e)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        diag_add(e->diags, DIAG_ERROR, "--cpus", 0, 0, "cannot read this process's CPUs: %s",
                 strerror(errno));
        return STATUS_FAILURE;
    }
    if (!e->o->cpus) {
        for (int k = 0; k < MACHINE_MAX_CPUS && k < CPU_SETSIZE; k++)
            e->cpu_mask[k] = CPU_ISSET(k, &allowed);
    } else {
        if (!probe_parse_cpus(e->o->cpus, e->cpu_mask, MACHINE_MAX_CPUS)) {
            diag_add(e->diags, DIAG_ERROR, "--cpus", 0, 0,
                     "'%s' is not a CPU list: expected numbers and ranges such as 0 or 0-3 or "
                     "0,2",
                     e->o->cpus);
            return STATUS_USAGE;
        }
        cpu_set_t set;
        CPU_ZERO(&set);
        for (int k = 0; k < MACHINE_MAX_CPUS; k++) {
            if (!e->cpu_mask[k])
                continue;
            if (k >= CPU_SETSIZE || !CPU_ISSET(k, &allowed)) {
                diag_add(e->diags, DIAG_ERROR, "--cpus", 0, 0,
                         "CPU %d is not one this process may run on (see nproc and taskset -p)",
                         k);
                return STATUS_BAD_INPUT;
            }
            CPU_SET(k, &set);
        }
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            diag_add(e->diags, DIAG_ERROR, "--cpus", 0, 0, "cannot pin p3 to CPUs %s: %s",
                     e->o->cpus, strerror(errno));
            return STATUS_BAD_INPUT;
        }
    }
    e->n = 0;
    for (int k = 0; k < MACHINE_MAX_CPUS; k++)
        e->n += e->cpu_mask[k];
    return e->n > 0 ? STATUS_OK : STATUS_FAILURE;
}

int probe_count_cpus(const char *list)
{
    bool mask[MACHINE_MAX_CPUS] = {false};
    if (list) {
        if (!probe_parse_cpus(list, mask, MACHINE_MAX_CPUS))
            return 0;
    } else {
        cpu_set_t allowed;
        CPU_ZERO(&allowed);
        if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
            return (int)sysconf(_SC_NPROCESSORS_ONLN);
        return CPU_COUNT(&allowed);
    }
    int n = 0;
    for (int k = 0; k < MACHINE_MAX_CPUS; k++)
        n += mask[k];
    return n;
}

/* The time the levels should take, doubled, and a minute more. */
static int64_t time_limit(const probe_options *o)
{
    if (o->time_limit_us > 0)
        return o->time_limit_us;
    int64_t per_level = o->samples > 0 ? (int64_t)o->samples * (o->interval_us + o->jitter_us)
                                       : o->duration_us;
    if (o->duration_us > 0 && o->duration_us < per_level)
        per_level = o->duration_us;
    return 2 * (int64_t)o->level_count * (o->settle_us + per_level) + 60000000;
}

static int check_options(const probe_options *o, diag_list *diags)
{
    if (o->level_count <= 0 || o->level_count > PROBE_MAX_LEVELS) {
        diag_add(diags, DIAG_ERROR, "p3 probe", 0, 0, "expected 1 to %d levels, not %d",
                 PROBE_MAX_LEVELS, o->level_count);
        return STATUS_USAGE;
    }
    for (int i = 0; i < o->level_count; i++)
        if (o->levels[i].threads < 0 || o->levels[i].threads > PROBE_MAX_THREADS) {
            diag_add(diags, DIAG_ERROR, "p3 probe", 0, 0,
                     "level '%s' has %d load threads: at most %d", o->levels[i].name,
                     o->levels[i].threads, PROBE_MAX_THREADS);
            return STATUS_USAGE;
        }
    if (o->samples <= 0 && o->duration_us <= 0) {
        diag_add(diags, DIAG_ERROR, "p3 probe", 0, 0,
                 "give --samples or --duration: a level needs an end");
        return STATUS_USAGE;
    }
    if (o->exec_path && access(o->exec_path, X_OK) != 0) {
        diag_add(diags, DIAG_ERROR, o->exec_path, 0, 0, "cannot run the probe's program: %s",
                 strerror(errno));
        return STATUS_BAD_INPUT;
    }
    struct stat st;
    if (stat(o->output, &st) == 0 && !S_ISDIR(st.st_mode)) {
        diag_add(diags, DIAG_ERROR, o->output, 0, 0, "exists and is not a folder");
        return STATUS_BAD_INPUT;
    }
    if (!o->force && !textbuf_folder_empty(o->output)) {
        diag_add(diags, DIAG_ERROR, o->output, 0, 0,
                 "folder exists and is not empty: use --force to replace the run's files in it");
        return STATUS_BAD_INPUT;
    }
    return STATUS_OK;
}

static void fill_summary(const experiment *e, probe_summary *s)
{
    *s = (probe_summary){0};
    s->levels_done = e->levels_done;
    s->counter_rows = (int)e->row_count;
    s->seconds = (double)(e->ended_real - e->started_real) / NS_PER_S;
    double sum[PROBE_MAX_LEVELS] = {0};
    for (size_t i = 0; i < e->sample_count; i++) {
        const probe_sample *x = &e->samples[i];
        double ms = (double)x->delay_ns / 1e6;
        s->samples[x->level]++;
        sum[x->level] += ms;
        if (ms > s->max_ms[x->level])
            s->max_ms[x->level] = ms;
    }
    for (int l = 0; l < PROBE_MAX_LEVELS; l++)
        s->mean_ms[l] = s->samples[l] ? sum[l] / s->samples[l] : 0;
}

int probe_run(const probe_options *o, probe_summary *summary, diag_list *diags)
{
    int status = check_options(o, diags);
    if (status)
        return status;
    experiment e = {.o = o, .diags = diags};
    prng_init(&e.rng, o->seed, 0);
    status = choose_cpus(&e);
    if (status)
        return status;
    machine_describe(&e.machine);
    machine_cpu_times *t = xmalloc(sizeof *t);
    e.max_cpu = machine_read_cpu_times(NULL, t) ? t->max_cpu : -1;
    free(t);
    e.priority = o->manage_priority ? "SCHED_IDLE" : "none (load and probe at one priority)";
    if (o->cap_ppm) {
        int64_t quota = o->cap_ppm * o->cap_period_us / 1000000;
        if (quota < 1000) {
            diag_add(diags, DIAG_ERROR, "--cap", 0, 0,
                     "the cap gives %lld us of CPU a period: Linux needs at least 1000 us "
                     "(raise --cap or --cap-period)",
                     (long long)quota);
            machine_info_clear(&e.machine);
            return STATUS_USAGE;
        }
        status = probe_cgroup_create(quota, o->cap_period_us, &e.cg, diags);
        if (status) {
            machine_info_clear(&e.machine);
            return status;
        }
        e.cg_describe = xstrdup(probe_cgroup_describe(e.cg));
    }
    e.units_per_us = calibrate();
    e.step_units = (uint64_t)((double)o->step_cpu_us * e.units_per_us + 0.5);
    e.time_limit_us = time_limit(o);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_mutex_init(&e.m, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e.cond, &ca);
    pthread_condattr_destroy(&ca);
    e.probe = (tracked){.thread = pthread_self(), .tid = own_tid(), .live = true};
    e.real_minus_mono = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
    int64_t start_mono = now_ns(CLOCK_MONOTONIC);
    e.started_real = start_mono + e.real_minus_mono;

    signal_arg sa = {&e, set, start_mono + e.time_limit_us * NS_PER_US};
    pthread_t signal_thread, sampler_thread;
    bool have_signal = pthread_create(&signal_thread, NULL, signal_main, &sa) == 0;
    bool have_sampler = pthread_create(&sampler_thread, NULL, sampler_main, &e) == 0;
    if (!have_signal || !have_sampler) {
        diag_add(diags, DIAG_ERROR, o->output, 0, 0, "cannot start p3 probe's threads");
        request_stop(&e, "stopped: a thread could not be started");
    }
    load_arg *args = xcalloc(PROBE_MAX_THREADS, sizeof *args);
    for (int i = 0; i < o->level_count && !atomic_load(&e.stop); i++) {
        const probe_level *l = &o->levels[i];
        progress(&e, "level %d of %d, %s: %d load thread%s at %lld%%", i + 1, o->level_count,
                 l->name, l->threads, l->threads == 1 ? "" : "s",
                 (long long)(l->duty_ppm / 10000));
        e.level_times[i].load_start = now_ns(CLOCK_REALTIME);
        bool ok = load_start(&e, l, args);
        if (ok && o->settle_us > 0)
            sleep_until(&e, now_ns(CLOCK_MONOTONIC) + o->settle_us * NS_PER_US);
        if (ok && !atomic_load(&e.stop)) {
            e.level_times[i].probe_start = now_ns(CLOCK_REALTIME);
            ok = probe_level_run(&e, i);
            e.level_times[i].probe_end = now_ns(CLOCK_REALTIME);
        }
        load_stop(&e);
        if (!ok)
            request_stop(&e, "stopped by an error");
        else if (!atomic_load(&e.stop))
            e.levels_done++;
    }
    free(args);
    pthread_mutex_lock(&e.m);
    atomic_store(&e.finished, true);
    pthread_cond_broadcast(&e.cond);
    pthread_mutex_unlock(&e.m);
    if (have_signal) {
        pthread_kill(signal_thread, SIGUSR1);
        pthread_join(signal_thread, NULL);
    }
    if (have_sampler)
        pthread_join(sampler_thread, NULL);
    e.ended_real = now_ns(CLOCK_MONOTONIC) + e.real_minus_mono;
    probe_cgroup_remove(e.cg, diags);
    e.cg = NULL;
    /* A SIGUSR1 sent after the signal thread returned must not end p3. */
    struct timespec zero = {0, 0};
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    while (sigtimedwait(&usr1, NULL, &zero) > 0)
        ;

    status = STATUS_OK;
    if (e.sample_count == 0) {
        diag_add(diags, DIAG_ERROR, o->output, 0, 0,
                 "no probe sample was recorded (%s): nothing was written",
                 e.stop_reason ? e.stop_reason : "no level ran");
        status = STATUS_FAILURE;
    } else {
        status = write_folder(&e);
        if (e.stop_reason)
            diag_add(diags, DIAG_ERROR, o->output, 0, 0,
                     "the run was %s after %d of %d levels: the folder holds the %zu samples "
                     "recorded, in whole files",
                     e.stop_reason, e.levels_done, o->level_count, e.sample_count);
    }
    if (e.stop_reason)
        status = STATUS_FAILURE;
    if (summary)
        fill_summary(&e, summary);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    for (size_t i = 0; i < e.row_count; i++)
        free(e.rows[i].machine);
    free(e.rows);
    free(e.samples);
    free(e.stop_reason);
    free(e.cg_describe);
    machine_info_clear(&e.machine);
    pthread_cond_destroy(&e.cond);
    pthread_mutex_destroy(&e.m);
    return status;
}
