/* p3 probe: the paper's experiment, run on this Linux machine. For each
 * load level in turn it starts the load threads, lets them settle, then
 * repeats a small action and records how long each one made the user wait,
 * from its scheduled start to its end; every second it records the CPU as
 * the kernel counts it and as the run itself sees it. The run folder it
 * writes (run.ini, a probe log, counter files in the sadf -d layout) is one
 * `p3 report` takes as it is. */
#ifndef P3_PROBE_EXPERIMENT_H
#define P3_PROBE_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

#define PROBE_MAX_LEVELS 16
#define PROBE_MAX_THREADS 256

/* One load level: how many load threads, each busy for duty_ppm of its
 * time (1000000: CPU-bound). */
typedef struct probe_level {
    const char *name;
    int threads;
    int64_t duty_ppm;
} probe_level;

typedef struct probe_options {
    const char *output;      /* the run folder */
    bool force;              /* write into a folder that is not empty */
    const char *cpus;        /* "0", "0-3", "0,2": pin load and probe there; NULL: as started */
    int64_t cap_ppm;         /* CPU cap, of one CPU; 0: none */
    int64_t cap_period_us;   /* the cap's enforcement period */
    bool manage_priority;    /* load at SCHED_IDLE (else nice 19), probe at normal priority */
    probe_level levels[PROBE_MAX_LEVELS];
    int level_count;
    int64_t load_burst_us;   /* a duty-cycled load thread's burst */
    int samples;             /* actions per level (0: --duration alone decides) */
    int64_t duration_us;     /* longest probing per level (0: none) */
    int64_t interval_us;     /* time between two scheduled actions... */
    int64_t jitter_us;       /* ...varied by up to this either way */
    int64_t settle_us;       /* after the load starts, before the probe resumes */
    int steps;               /* CPU steps of the built-in action */
    int64_t step_cpu_us;     /* CPU of one step */
    int64_t step_wait_us;    /* wait between two steps */
    const char *exec_path;   /* time starting this program instead; NULL: the built-in action */
    int64_t time_limit_us;   /* hard limit on the whole run; 0: computed */
    const char *title;       /* NULL: one in the paper's style */
    const char *version;     /* p3's version, for the files */
    uint64_t seed;           /* jitter's seed */
    /* Called with a line of progress ("Low: load started, 2 threads"). */
    void (*progress)(void *ctx, const char *line);
    void *progress_ctx;
} probe_options;

/* What a run recorded, per level, for the command to print. */
typedef struct probe_summary {
    int levels_done;
    int samples[PROBE_MAX_LEVELS];
    double mean_ms[PROBE_MAX_LEVELS];
    double max_ms[PROBE_MAX_LEVELS];
    int counter_rows;
    double seconds;
} probe_summary;

/* The options' defaults: the paper's probe (3 steps of 1 ms CPU with 4 ms
 * waits, once a second +-250 ms, 300 per level, 5 s settle), 60 ms load
 * bursts, a 100 ms cap period. Levels are left empty. */
void probe_options_defaults(probe_options *o);

/* Parses a CPU list ("0", "0-3", "1,3,5-7") into mask[0..max), setting the
 * CPUs it names. False when it is not such a list or names a CPU >= max. */
bool probe_parse_cpus(const char *list, bool *mask, int max);

/* How many CPUs a run with --cpus `list` (NULL: none given) may use: the
 * CPUs it names, or those this process may run on; 0 when list is not a
 * CPU list. The levels' thread counts are relative to it. */
int probe_count_cpus(const char *list);

/* Runs the experiment and writes o->output. Returns STATUS_OK; STATUS_USAGE
 * or STATUS_BAD_INPUT for options this machine cannot honour (a cap without
 * a writable cgroup, CPUs it does not have, a folder that is not empty);
 * STATUS_FAILURE when the run was stopped (SIGINT, SIGTERM, the time limit)
 * or a file could not be written. A stopped run still writes whole files
 * holding what it recorded, when it recorded any probe sample. */
int probe_run(const probe_options *o, probe_summary *summary, diag_list *diags);

#endif
