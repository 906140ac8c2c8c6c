/* The scheduling model behind `p3 simulate`: a deterministic discrete-event
 * simulation of a host's CPUs, the host OS's own work, the threads of its
 * guests, and inside the measured machine a load generator and a probe.
 * Two schedulers are modelled the same way (priorities, round robin within
 * a priority, a fixed quantum, preemption by a higher priority): the host's
 * across its CPUs, and each guest's on its one virtual CPU, which advances
 * only while the guest's host thread runs guest code. Time is integer
 * microseconds from the simulated start. */
#ifndef P3_SCHED_MODEL_H
#define P3_SCHED_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "scenario.h"

/* One probe action, as the probe inside the measured machine logs it. */
typedef struct sched_model_sample {
    int64_t t_us;     /* when the action started */
    int64_t delay_us; /* how long the user waited for it (real time) */
    int level;        /* index into the scenario's levels */
} sched_model_sample;

/* The columns of a counter sample: running totals in microseconds (or an
 * instantaneous count where said), so that any interval's share is the
 * difference of two samples. Per-CPU and per-guest columns follow the fixed
 * ones; see the SCHED_MODEL_* index helpers. */
enum {
    SCHED_MODEL_T,             /* the sample instant */
    SCHED_MODEL_BACKGROUND,    /* host CPU used by the host OS's own work */
    SCHED_MODEL_LOAD_RUN,      /* CPU the measured machine's load really ran */
    SCHED_MODEL_PROBE_RUN,     /* CPU the probe really ran */
    SCHED_MODEL_GUEST_BUSY,    /* the measured machine's own view: time it was not idle */
    SCHED_MODEL_LOAD_CHARGED,  /* its own view of the load's CPU (pauses included) */
    SCHED_MODEL_PROBE_CHARGED, /* its own view of the probe's CPU */
    SCHED_MODEL_GUEST_QUEUE,   /* instantaneous: its threads ready but not running */
    SCHED_MODEL_HOST_QUEUE,    /* instantaneous: host threads ready but not running */
    SCHED_MODEL_FIXED          /* the first per-CPU column */
};

/* Column of host CPU i's busy time. */
static inline int sched_model_cpu_col(int i)
{
    return SCHED_MODEL_FIXED + i;
}
/* Columns of guest g (0 is the measured one): host CPU its thread ran
 * (guest code and overhead), time it was ready for a CPU and waited, and
 * time it had work but was switched off by its cap. */
static inline int sched_model_vm_run_col(int cpus, int g)
{
    return SCHED_MODEL_FIXED + cpus + 3 * g;
}
static inline int sched_model_vm_ready_col(int cpus, int g)
{
    return sched_model_vm_run_col(cpus, g) + 1;
}
static inline int sched_model_vm_limited_col(int cpus, int g)
{
    return sched_model_vm_run_col(cpus, g) + 2;
}

typedef struct sched_model_result {
    sched_model_sample *samples; /* every probe action, in time order */
    size_t sample_count;
    int64_t *ticks;    /* tick_count rows of tick_width columns */
    size_t tick_count;
    int tick_width;    /* SCHED_MODEL_FIXED + cpus + 3 * guests */
    int64_t end_us;    /* when the last level ended */
    /* The measured guest's pauses by its cap: how many, shortest, longest. */
    int64_t cap_pauses, cap_pause_min_us, cap_pause_max_us;
    uint64_t events;   /* events simulated, for the curious */
} sched_model_result;

/* Simulates scenario s. Returns STATUS_OK and a new result in *out (free
 * with sched_model_result_free()), or STATUS_FAILURE with a diagnostic if
 * the model stalls (a bug). */
int sched_model_run(const scenario *s, sched_model_result **out, diag_list *diags);

/* Frees; NULL is a no-op. */
void sched_model_result_free(sched_model_result *r);

/* One row of counter samples (borrowed from r). */
static inline const int64_t *sched_model_tick(const sched_model_result *r, size_t i)
{
    return r->ticks + i * (size_t)r->tick_width;
}

#endif
