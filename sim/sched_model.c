#include "sched_model.h"

#include <stdbool.h>
#include <stdlib.h>

#include "prng.h"
#include "status.h"
#include "xalloc.h"

#define NEVER INT64_MAX   /* a wake-up that is not scheduled */
#define FOREVER INT64_MAX /* the burst of a CPU-bound thread: it never waits */
#define PPM SCENARIO_PPM

/* Windows priorities (the dynamic range is 1-15; Normal is 8). The guests'
 * threads on the host, the load and an unmanaged probe all run at Normal.
 * The host OS's services run above them: the wake boosts Windows gives a
 * thread whose I/O or event completes (+1 to +2) lift a service handling
 * a request over a thread that only computes. Resource management on the
 * host holds them below instead; priority management in the guest lifts
 * the interactive probe above the load. Temporary boosts are otherwise not
 * modelled: the probe competes at the load's priority, as the paper's
 * measurements imply (a boosted probe would preempt a CPU-bound load at
 * once and see no degradation at all). */
#define PRIO_NORMAL 8
#define PRIO_HOST_SERVICES 9
#define PRIO_HOST_MANAGED 6
#define PRIO_PROBE_MANAGED 10

/* A guest's virtualization overhead comes due in a chunk every 100 ms (its
 * timer interrupts and device emulation), whatever the guest is doing. */
#define OVERHEAD_TICK_US 100000
/* perfmon's sample instants wander by a few milliseconds. */
#define SAMPLE_JITTER_US 15000
/* A model that stays at one instant this many events has a bug. */
#define STALL_LIMIT 1000000
/* No scenario needs more simulated time than this (about 11.6 days). */
#define TIME_LIMIT_US INT64_C(1000000000000)

typedef enum th_state { TH_BLOCKED, TH_READY, TH_RUNNING } th_state;

typedef enum th_kind {
    TK_LOAD,       /* a load-generator thread of the measured machine */
    TK_PROBE,      /* the probe of the measured machine */
    TK_BACKGROUND, /* a thread of the host OS's own work */
    TK_VCPU,       /* a guest's thread on the host: its one virtual CPU */
    TK_OTHER_LOAD  /* the load of a guest that is not measured */
} th_kind;

typedef struct thread {
    th_kind kind;
    th_state state;
    int sched;       /* 0: the host's scheduler; 1 + g: guest g's */
    int prio;        /* its current priority (no temporary boosts: see PRIO_*) */
    int cpu;         /* the host CPU it runs on while running on the host, else -1 */
    int ideal_cpu;   /* the host CPU Windows prefers for it (given in turn) */
    int last_cpu;    /* the CPU it ran on last */
    int queue_cpu;   /* while ready: the CPU whose queue it waits in; -1 until placed */
    int64_t work;    /* CPU left in its current burst, FOREVER when CPU-bound */
    int64_t quantum; /* left of its time slice */
    int64_t wake;    /* while blocked: when it becomes ready, or NEVER */
    int64_t seq;     /* its place among the ready threads of its priority: lowest first */
    int vm;          /* TK_VCPU: the guest it runs */
    int64_t duty_ppm; /* load: the share of time it wants the CPU */
    int64_t burst_us; /* load: the mean CPU of one burst */
    prng rng;         /* load: its bursts and pauses */
    int64_t ran;      /* CPU it really ran */
    int64_t charged;  /* time its own machine charged to it, pauses included */
} thread;

typedef struct vm {
    int vcpu;              /* its thread on the host */
    int first, last;       /* its guest threads: [first, last) */
    int current;           /* the guest thread on its vCPU, or -1 when the guest is idle */
    int64_t overhead_due;  /* overhead work waiting to run on its host thread */
    int64_t next_overhead; /* when the next chunk of overhead comes due */
    bool capped;           /* it has a static cap */
    bool on;               /* the cap lets it run in this period */
    int64_t cap_used;      /* host CPU used in this period, overhead included */
    int64_t budget;        /* host CPU the cap allows per period */
    int64_t off_since;     /* when the cap switched it off */
    int64_t run, ready, limited, busy; /* running totals: see sched_model.h */
} vm;

typedef struct model {
    const scenario *s;
    int64_t now;
    int64_t end;           /* NEVER until the last level is done */
    thread *t;
    int nt;
    int host_first, host_last; /* the host's threads: [host_first, host_last) */
    vm *vms;
    int nvm;
    int *cpu;              /* per host CPU: the thread on it, or -1 */
    int64_t *cpu_busy;     /* per host CPU: time busy */
    int64_t seq_back, seq_front; /* ready-queue order: the back grows, the front shrinks */
    bool per_cpu_queues;   /* the host keeps a ready queue per CPU (Windows Server 2003) */
    int machine;           /* the scheduler of the measured machine: 0 native, 1 guest 0 */
    int load_first, load_last; /* its load threads */
    int probe;             /* its probe */
    int bg_first, bg_last; /* the host OS's threads */
    int level;             /* the current level */
    int level_samples;     /* actions recorded in it */
    int step;              /* the probe's step; s->steps between actions */
    int64_t action_start;  /* when the probe's current action started */
    int64_t next_cap, next_tick, next_bg;
    int64_t next_wake;     /* the earliest wake of a blocked thread (recomputed when it passes) */
    bool *dirty;           /* per scheduler (0 host, 1 + g guest g): something changed */
    size_t tick_index;
    prng rng_probe, rng_bg, rng_tick, rng_level;
    sched_model_result *res;
    size_t sample_cap, tick_cap;
} model;

/* ---- schedulers -------------------------------------------------------- */

static int64_t quantum_of(const model *m, int sched)
{
    return sched == 0 ? m->s->host_quantum_us : m->s->guest_quantum_us;
}

static void sched_range(const model *m, int sched, int *first, int *last)
{
    if (sched == 0) {
        *first = m->host_first;
        *last = m->host_last;
    } else {
        *first = m->vms[sched - 1].first;
        *last = m->vms[sched - 1].last;
    }
}

/* The ready thread to run next from CPU c's queue (c < 0: from every
 * queue): highest priority, then first in line. Threads not yet placed in
 * a queue (queue_cpu < 0) are not taken. */
static int best_ready(const model *m, int sched, int c)
{
    int first, last, best = -1;
    sched_range(m, sched, &first, &last);
    for (int i = first; i < last; i++) {
        const thread *x = &m->t[i];
        if (x->state == TH_READY && x->queue_cpu >= 0 && (c < 0 || x->queue_cpu == c) &&
            (best < 0 || x->prio > m->t[best].prio ||
             (x->prio == m->t[best].prio && x->seq < m->t[best].seq)))
            best = i;
    }
    return best;
}

/* Makes thread i ready, in CPU c's queue (c < 0: to be placed by the next
 * dispatch), at the front (a preempted thread) or the back. */
static void make_ready(model *m, int i, int c, bool front)
{
    thread *x = &m->t[i];
    m->dirty[x->sched] = true;
    x->state = TH_READY;
    x->queue_cpu = c;
    x->seq = front ? --m->seq_front : ++m->seq_back;
}

/* Takes thread i off its CPU, if it is on one. */
static void stop(model *m, int i)
{
    thread *x = &m->t[i];
    if (x->state != TH_RUNNING)
        return;
    m->dirty[x->sched] = true;
    if (x->sched == 0)
        m->cpu[x->cpu] = -1;
    else
        m->vms[x->sched - 1].current = -1;
    x->cpu = -1;
}

static int running_on(const model *m, int sched, int c)
{
    return sched == 0 ? m->cpu[c] : m->vms[sched - 1].current;
}

static void run_on(model *m, int i, int c)
{
    thread *x = &m->t[i];
    x->state = TH_RUNNING;
    x->last_cpu = c;
    if (x->sched == 0) {
        m->cpu[c] = i;
        x->cpu = c;
    } else {
        m->vms[x->sched - 1].current = i;
    }
    if (x->quantum <= 0)
        x->quantum = quantum_of(m, x->sched);
}

static void block(model *m, int i, int64_t wake)
{
    stop(m, i);
    m->dirty[m->t[i].sched] = true;
    m->t[i].state = TH_BLOCKED;
    m->t[i].wake = wake;
    if (wake < m->next_wake)
        m->next_wake = wake;
}

/* Where a newly ready thread goes, as Windows Server 2003 decides it. An
 * idle CPU takes it: its ideal CPU if idle, else the one it last ran on,
 * else the first idle one. With no CPU idle and per-CPU queues, it
 * preempts the thread on its ideal CPU if that one's priority is lower,
 * else waits in that CPU's queue; with one queue (a guest's single CPU,
 * ESX) it preempts the lowest-priority running thread if lower, else
 * waits. A preempted thread goes back to the front of its CPU's queue with
 * the rest of its quantum. */
static void place(model *m, int sched, int r)
{
    int ncpu = sched == 0 ? m->s->cpus : 1;
    thread *x = &m->t[r];
    int c = -1;
    if (x->ideal_cpu < ncpu && running_on(m, sched, x->ideal_cpu) < 0)
        c = x->ideal_cpu;
    else if (x->last_cpu < ncpu && running_on(m, sched, x->last_cpu) < 0)
        c = x->last_cpu;
    for (int k = 0; k < ncpu && c < 0; k++)
        if (running_on(m, sched, k) < 0)
            c = k;
    if (c >= 0) {
        run_on(m, r, c);
        return;
    }
    int target = x->ideal_cpu < ncpu ? x->ideal_cpu : 0;
    if (!(sched == 0 && m->per_cpu_queues)) {
        /* The lowest-priority running thread, the last CPU's on a tie. */
        for (int k = 0; k < ncpu; k++)
            if (m->t[running_on(m, sched, k)].prio <= m->t[running_on(m, sched, target)].prio)
                target = k;
    }
    int victim = running_on(m, sched, target);
    if (m->t[victim].prio < x->prio) {
        stop(m, victim);
        make_ready(m, victim, target, true);
        run_on(m, r, target);
    } else {
        x->queue_cpu = target;
    }
}

/* Places newly ready threads, then lets every idle CPU take the best
 * thread of its own queue, or of any queue when its own is empty. */
static void dispatch(model *m, int sched)
{
    int first, last;
    sched_range(m, sched, &first, &last);
    for (;;) {
        int r = -1;
        for (int i = first; i < last; i++)
            if (m->t[i].state == TH_READY && m->t[i].queue_cpu < 0 &&
                (r < 0 || m->t[i].seq < m->t[r].seq))
                r = i;
        if (r < 0)
            break;
        place(m, sched, r);
    }
    int ncpu = sched == 0 ? m->s->cpus : 1;
    bool per_cpu = sched == 0 && m->per_cpu_queues;
    for (int c = 0; c < ncpu; c++) {
        if (running_on(m, sched, c) >= 0)
            continue;
        int r = best_ready(m, sched, per_cpu ? c : -1);
        if (r < 0 && per_cpu)
            r = best_ready(m, sched, -1);
        if (r >= 0)
            run_on(m, r, c);
    }
}

/* The end of thread i's quantum: it goes to the back of its CPU's queue if
 * a thread of its priority or higher waits there, else runs on. */
static void quantum_end(model *m, int i)
{
    thread *x = &m->t[i];
    x->quantum = quantum_of(m, x->sched);
    int c = x->sched == 0 ? x->cpu : 0;
    int r = best_ready(m, x->sched, x->sched == 0 && m->per_cpu_queues ? c : -1);
    if (r >= 0 && m->t[r].prio >= x->prio) {
        stop(m, i);
        make_ready(m, i, c, false);
    }
}

/* Whether guest g's host thread should be runnable, and makes it so. */
static void update_vm(model *m, int g)
{
    vm *v = &m->vms[g];
    thread *x = &m->t[v->vcpu];
    bool runnable = v->on && (v->overhead_due > 0 || v->current >= 0);
    if (runnable && x->state == TH_BLOCKED) {
        x->quantum = quantum_of(m, 0);
        x->wake = NEVER;
        make_ready(m, v->vcpu, -1, false);
    } else if (!runnable && x->state != TH_BLOCKED) {
        block(m, v->vcpu, NEVER);
    }
}

/* ---- the threads' behaviour -------------------------------------------- */

static int64_t think_time(thread *x)
{
    return prng_exponential(&x->rng, x->burst_us * (PPM - x->duty_ppm) / x->duty_ppm);
}

static int64_t probe_gap(model *m)
{
    int64_t gap = m->s->interval_us + prng_range(&m->rng_probe, -m->s->jitter_us, m->s->jitter_us);
    return gap > 0 ? gap : 1;
}

/* Starts level m->level: the load generator stops its threads and starts
 * the level's, the probe resumes after the settling time. */
static void start_level(model *m)
{
    const scenario_level *lv = &m->s->levels[m->level];
    for (int i = m->load_first; i < m->load_last; i++) {
        thread *x = &m->t[i];
        if (i - m->load_first >= lv->threads) {
            block(m, i, NEVER);
            continue;
        }
        x->duty_ppm = lv->duty_ppm;
        x->burst_us = m->s->load_burst_us;
        /* Duty-cycled threads start spread over one pause, not in step. */
        block(m, i,
              x->duty_ppm >= PPM
                  ? m->now
                  : m->now + prng_range(&m->rng_level, 0,
                                        x->burst_us * (PPM - x->duty_ppm) / x->duty_ppm));
    }
    m->level_samples = 0;
    m->step = m->s->steps;
    block(m, m->probe, m->now + m->s->settle_us + probe_gap(m));
}

static void record_sample(model *m)
{
    sched_model_result *r = m->res;
    if (r->sample_count == m->sample_cap) {
        m->sample_cap = m->sample_cap ? 2 * m->sample_cap : 1024;
        r->samples = xreallocarray(r->samples, m->sample_cap, sizeof *r->samples);
    }
    r->samples[r->sample_count++] = (sched_model_sample){
        .t_us = m->action_start, .delay_us = m->now - m->action_start, .level = m->level};
}

static void probe_step_done(model *m)
{
    const scenario *s = m->s;
    if (++m->step < s->steps) {
        int64_t w = s->step_wait_us;
        block(m, m->probe, m->now + prng_range(&m->rng_probe, w / 2, w + w / 2));
        return;
    }
    record_sample(m);
    if (++m->level_samples < s->samples) {
        block(m, m->probe, m->now + probe_gap(m));
        return;
    }
    if (++m->level == s->level_count) {
        m->end = m->now;
        block(m, m->probe, NEVER);
        return;
    }
    start_level(m);
}

/* Thread i has finished its burst of CPU. */
static void burst_done(model *m, int i)
{
    thread *x = &m->t[i];
    switch (x->kind) {
    case TK_LOAD:
    case TK_OTHER_LOAD:
        block(m, i, m->now + think_time(x));
        return;
    case TK_BACKGROUND:
        block(m, i, NEVER);
        return;
    case TK_PROBE:
        probe_step_done(m);
        return;
    case TK_VCPU:
        return; /* never: a host thread of a guest has no burst of its own */
    }
}

/* Thread i's wait is over: it gets its next burst and joins the back of
 * its queue with a fresh quantum. */
static void wake_thread(model *m, int i)
{
    thread *x = &m->t[i];
    if (x->kind == TK_PROBE) {
        if (m->step >= m->s->steps) {
            m->action_start = m->now;
            m->step = 0;
            /* Each action starts a new thread (a dialog, a small program),
             * and Windows gives each new thread its own ideal CPU. */
            if (x->sched == 0)
                x->ideal_cpu = (int)prng_range(&m->rng_probe, 0, m->s->cpus - 1);
        }
        x->work = m->s->step_cpu_us;
    } else {
        x->work = x->duty_ppm >= PPM ? FOREVER : prng_exponential(&x->rng, x->burst_us);
    }
    x->wake = NEVER;
    x->quantum = quantum_of(m, x->sched);
    make_ready(m, i, -1, false);
}

/* ---- time -------------------------------------------------------------- */

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The next instant at which something happens. */
static int64_t next_event(const model *m)
{
    int64_t next = min64(m->end, min64(m->next_cap, min64(m->next_tick, m->next_bg)));
    for (int c = 0; c < m->s->cpus; c++) {
        int i = m->cpu[c];
        if (i < 0)
            continue;
        const thread *x = &m->t[i];
        int64_t d = x->quantum;
        if (x->kind == TK_VCPU) {
            const vm *v = &m->vms[x->vm];
            if (v->capped)
                d = min64(d, v->budget - v->cap_used);
            if (v->overhead_due > 0) {
                d = min64(d, v->overhead_due);
            } else if (v->current >= 0) {
                const thread *g = &m->t[v->current];
                d = min64(d, g->quantum);
                if (g->work != FOREVER)
                    d = min64(d, g->work);
            }
        } else if (x->work != FOREVER) {
            d = min64(d, x->work);
        }
        next = min64(next, m->now + d);
    }
    next = min64(next, m->next_wake);
    for (int g = 0; g < m->nvm; g++)
        next = min64(next, m->vms[g].next_overhead);
    return next;
}

/* Runs every CPU for dt and keeps the accounts. */
static void advance(model *m, int64_t dt)
{
    for (int c = 0; c < m->s->cpus; c++) {
        int i = m->cpu[c];
        if (i < 0)
            continue;
        thread *x = &m->t[i];
        m->cpu_busy[c] += dt;
        x->ran += dt;
        x->quantum -= dt;
        if (x->kind != TK_VCPU) {
            if (x->work != FOREVER)
                x->work -= dt;
            x->charged += dt;
            continue;
        }
        vm *v = &m->vms[x->vm];
        v->run += dt;
        if (v->capped)
            v->cap_used += dt;
        if (v->overhead_due > 0) {
            v->overhead_due -= dt; /* the guest is paused while its overhead runs */
        } else if (v->current >= 0) {
            thread *g = &m->t[v->current];
            if (g->work != FOREVER)
                g->work -= dt;
            g->quantum -= dt;
            g->ran += dt;
        }
    }
    for (int g = 0; g < m->nvm; g++) {
        vm *v = &m->vms[g];
        const thread *x = &m->t[v->vcpu];
        /* The guest's own clock charges the time to whatever it was
         * running, whether its host thread ran or not. */
        if (v->current >= 0) {
            v->busy += dt;
            m->t[v->current].charged += dt;
        }
        if (x->state == TH_READY)
            v->ready += dt;
        else if (x->state == TH_BLOCKED && !v->on && (v->overhead_due > 0 || v->current >= 0))
            v->limited += dt;
    }
}

static void record_tick(model *m)
{
    sched_model_result *r = m->res;
    if (r->tick_count == m->tick_cap) {
        m->tick_cap = m->tick_cap ? 2 * m->tick_cap : 256;
        r->ticks = xreallocarray(r->ticks, m->tick_cap * (size_t)r->tick_width, sizeof *r->ticks);
    }
    int64_t *row = r->ticks + r->tick_count++ * (size_t)r->tick_width;
    for (int k = 0; k < r->tick_width; k++)
        row[k] = 0;
    row[SCHED_MODEL_T] = m->now;
    for (int i = m->bg_first; i < m->bg_last; i++)
        row[SCHED_MODEL_BACKGROUND] += m->t[i].ran;
    for (int i = m->load_first; i < m->load_last; i++) {
        row[SCHED_MODEL_LOAD_RUN] += m->t[i].ran;
        row[SCHED_MODEL_LOAD_CHARGED] += m->t[i].charged;
    }
    row[SCHED_MODEL_PROBE_RUN] = m->t[m->probe].ran;
    row[SCHED_MODEL_PROBE_CHARGED] = m->t[m->probe].charged;
    int first, last;
    sched_range(m, m->machine, &first, &last);
    for (int i = first; i < last; i++)
        row[SCHED_MODEL_GUEST_QUEUE] += m->t[i].state == TH_READY;
    for (int i = m->host_first; i < m->host_last; i++)
        row[SCHED_MODEL_HOST_QUEUE] += m->t[i].state == TH_READY;
    int64_t busy = 0;
    for (int c = 0; c < m->s->cpus; c++) {
        row[sched_model_cpu_col(c)] = m->cpu_busy[c];
        busy += m->cpu_busy[c];
    }
    /* A native server's own view is the host's. */
    row[SCHED_MODEL_GUEST_BUSY] = m->nvm ? m->vms[0].busy : busy;
    for (int g = 0; g < m->nvm; g++) {
        row[sched_model_vm_run_col(m->s->cpus, g)] = m->vms[g].run;
        row[sched_model_vm_ready_col(m->s->cpus, g)] = m->vms[g].ready;
        row[sched_model_vm_limited_col(m->s->cpus, g)] = m->vms[g].limited;
    }
    m->tick_index++;
    m->next_tick = (int64_t)m->tick_index * m->s->counter_interval_us +
                   prng_range(&m->rng_tick, 0, SAMPLE_JITTER_US);
}

/* Everything due at m->now, in a fixed order. */
static void handle_events(model *m)
{
    const scenario *s = m->s;
    /* Bursts, quanta, caps and overhead that end now, CPU by CPU. */
    for (int c = 0; c < s->cpus; c++) {
        int i = m->cpu[c];
        if (i < 0)
            continue;
        thread *x = &m->t[i];
        if (x->kind == TK_VCPU) {
            vm *v = &m->vms[x->vm];
            m->dirty[x->vm + 1] = true; /* its overhead or its cap may have run out */
            if (v->capped && v->on && v->cap_used >= v->budget) {
                v->on = false; /* switched off, whatever the guest is doing */
                v->off_since = m->now;
            }
            if (v->overhead_due == 0 && v->current >= 0) {
                int gi = v->current;
                if (m->t[gi].work == 0)
                    burst_done(m, gi);
                else if (m->t[gi].quantum <= 0)
                    quantum_end(m, gi);
            }
        } else if (x->work == 0) {
            burst_done(m, i);
        }
        if (x->state == TH_RUNNING && x->cpu == c && x->quantum <= 0)
            quantum_end(m, i);
    }
    /* Waits that end now. */
    if (m->next_wake <= m->now) {
        m->next_wake = NEVER;
        for (int i = 0; i < m->nt; i++) {
            thread *x = &m->t[i];
            if (x->state != TH_BLOCKED)
                continue;
            if (x->wake <= m->now)
                wake_thread(m, i);
            else if (x->wake < m->next_wake)
                m->next_wake = x->wake;
        }
    }
    /* The periodic things. */
    int64_t chunk = OVERHEAD_TICK_US * s->overhead_ppm / PPM;
    for (int g = 0; g < m->nvm; g++) {
        vm *v = &m->vms[g];
        if (v->next_overhead <= m->now) {
            v->overhead_due += chunk;
            v->next_overhead += OVERHEAD_TICK_US;
            m->dirty[g + 1] = true;
        }
    }
    if (m->next_cap <= m->now) {
        for (int g = 0; g < m->nvm; g++) {
            vm *v = &m->vms[g];
            if (!v->capped)
                continue;
            v->cap_used = 0;
            if (!v->on) {
                m->dirty[g + 1] = true;
                int64_t pause = m->now - v->off_since;
                sched_model_result *r = m->res;
                if (r->cap_pauses == 0 || pause < r->cap_pause_min_us)
                    r->cap_pause_min_us = pause;
                if (pause > r->cap_pause_max_us)
                    r->cap_pause_max_us = pause;
                r->cap_pauses++;
                v->on = true;
            }
        }
        m->next_cap += s->cap_period_us;
    }
    if (m->next_bg <= m->now) {
        int width = (int)prng_range(&m->rng_bg, 1, s->background_width);
        for (int i = m->bg_first; i < m->bg_first + width; i++) {
            thread *x = &m->t[i];
            x->work += prng_exponential(&m->rng_bg, s->background_burst_us);
            if (x->state == TH_BLOCKED) {
                x->quantum = quantum_of(m, 0);
                make_ready(m, i, -1, false);
            }
        }
        m->next_bg = m->now + 1 + prng_exponential(&m->rng_bg, s->background_gap_us);
    }
    if (m->next_tick <= m->now)
        record_tick(m);
    /* The guests decide what their vCPU runs, then the host what its CPUs
     * run; only where something changed. */
    for (int g = 0; g < m->nvm; g++) {
        if (!m->dirty[g + 1])
            continue;
        m->dirty[g + 1] = false;
        dispatch(m, g + 1);
        update_vm(m, g);
    }
    if (m->dirty[0]) {
        m->dirty[0] = false;
        dispatch(m, 0);
    }
}

/* ---- setting up -------------------------------------------------------- */

static int add_thread(model *m, th_kind kind, int sched, int prio)
{
    thread *x = &m->t[m->nt];
    /* Windows gives a process's threads ideal CPUs in turn. */
    *x = (thread){.kind = kind, .state = TH_BLOCKED, .sched = sched, .prio = prio, .cpu = -1,
                  .ideal_cpu = sched == 0 ? m->nt % m->s->cpus : 0,
                  .last_cpu = sched == 0 ? m->nt % m->s->cpus : 0, .queue_cpu = -1,
                  .wake = NEVER, .vm = -1};
    prng_init(&x->rng, m->s->seed, 100 + (uint64_t)m->nt);
    return m->nt++;
}

static void build(model *m)
{
    const scenario *s = m->s;
    int max_threads = 0;
    for (int i = 0; i < s->level_count; i++)
        if (s->levels[i].threads > max_threads)
            max_threads = s->levels[i].threads;
    m->nvm = scenario_virtual(s) ? s->guests : 0;
    int width = s->background_gap_us > 0 ? s->background_width : 0;
    m->t = xcalloc((size_t)(m->nvm * 2 + width + max_threads + 1), sizeof *m->t);
    m->vms = xcalloc((size_t)m->nvm + 1, sizeof *m->vms);
    m->cpu = xmalloc((size_t)s->cpus * sizeof *m->cpu);
    m->cpu_busy = xcalloc((size_t)s->cpus, sizeof *m->cpu_busy);
    m->dirty = xcalloc((size_t)m->nvm + 1, sizeof *m->dirty);
    m->next_wake = NEVER;
    for (int c = 0; c < s->cpus; c++)
        m->cpu[c] = -1;
    int probe_prio = s->priority_management ? PRIO_PROBE_MANAGED : PRIO_NORMAL;

    /* The host's threads first, so that each scheduler's are contiguous. */
    m->host_first = 0;
    for (int g = 0; g < m->nvm; g++) {
        int i = add_thread(m, TK_VCPU, 0, PRIO_NORMAL);
        m->t[i].vm = g;
        m->vms[g].vcpu = i;
    }
    m->bg_first = m->nt;
    for (int k = 0; k < width; k++)
        add_thread(m, TK_BACKGROUND, 0,
                   s->host_resource_management ? PRIO_HOST_MANAGED : PRIO_HOST_SERVICES);
    m->bg_last = m->nt;
    m->machine = m->nvm ? 1 : 0;
    if (!m->nvm) {
        m->load_first = m->nt;
        for (int k = 0; k < max_threads; k++)
            add_thread(m, TK_LOAD, 0, PRIO_NORMAL);
        m->load_last = m->nt;
        m->probe = add_thread(m, TK_PROBE, 0, probe_prio);
    }
    m->host_last = m->nt;

    for (int g = 0; g < m->nvm; g++) {
        vm *v = &m->vms[g];
        v->first = m->nt;
        v->current = -1;
        v->on = true;
        if (g == 0) {
            m->load_first = m->nt;
            for (int k = 0; k < max_threads; k++)
                add_thread(m, TK_LOAD, 1, PRIO_NORMAL);
            m->load_last = m->nt;
            m->probe = add_thread(m, TK_PROBE, 1, probe_prio);
            v->capped = s->cap_ppm > 0;
            v->budget = s->cap_period_us * s->cap_ppm / PPM;
        } else if (s->others_load_ppm > 0) {
            int i = add_thread(m, TK_OTHER_LOAD, g + 1, PRIO_NORMAL);
            thread *x = &m->t[i];
            x->duty_ppm = s->others_load_ppm;
            x->burst_us = s->others_burst_us;
            block(m, i,
                  x->duty_ppm >= PPM
                      ? 0
                      : prng_range(&x->rng, 0, x->burst_us * (PPM - x->duty_ppm) / x->duty_ppm));
        }
        v->last = m->nt;
        /* The guests' overhead comes due spread over the tick, not at once. */
        v->next_overhead = s->overhead_ppm > 0 ? (int64_t)g * OVERHEAD_TICK_US / m->nvm : NEVER;
    }
    bool capped = m->nvm && s->cap_ppm > 0;
    m->next_cap = capped ? s->cap_period_us : NEVER;
    prng_init(&m->rng_probe, s->seed, 1);
    prng_init(&m->rng_bg, s->seed, 2);
    prng_init(&m->rng_tick, s->seed, 3);
    prng_init(&m->rng_level, s->seed, 4);
    m->next_bg = width ? prng_exponential(&m->rng_bg, s->background_gap_us) : NEVER;
    m->next_tick = prng_range(&m->rng_tick, 0, SAMPLE_JITTER_US);
    m->end = NEVER;
    m->per_cpu_queues = s->platform != SCENARIO_ESX;
}

int sched_model_run(const scenario *s, sched_model_result **out, diag_list *diags)
{
    *out = NULL;
    model m = {.s = s};
    m.res = xcalloc(1, sizeof *m.res);
    build(&m);
    m.res->tick_width = SCHED_MODEL_FIXED + s->cpus + 3 * m.nvm;
    m.level = 0;
    start_level(&m);
    int status = STATUS_OK;
    int64_t last = -1;
    long same = 0;
    while (m.now < m.end) {
        int64_t next = next_event(&m);
        if (next > m.now)
            advance(&m, next - m.now);
        m.now = next;
        handle_events(&m);
        m.res->events++;
        if (next == last && ++same > STALL_LIMIT) {
            diag_add(diags, DIAG_ERROR, s->path, 0, 0,
                     "the simulation stalled at %lld us: a bug in p3's model", (long long)next);
            status = STATUS_FAILURE;
            break;
        }
        if (next != last)
            same = 0;
        last = next;
        if (m.now > TIME_LIMIT_US) {
            diag_add(diags, DIAG_ERROR, s->path, 0, 0,
                     "level '%s' did not finish in %lld days of simulated time: the probe "
                     "cannot get enough CPU",
                     s->levels[m.level].name, (long long)(TIME_LIMIT_US / 86400000000));
            status = STATUS_BAD_INPUT;
            break;
        }
    }
    m.res->end_us = m.now;
    free(m.t);
    free(m.vms);
    free(m.cpu);
    free(m.cpu_busy);
    free(m.dirty);
    if (status) {
        sched_model_result_free(m.res);
        return status;
    }
    *out = m.res;
    return STATUS_OK;
}

void sched_model_result_free(sched_model_result *r)
{
    if (!r)
        return;
    free(r->samples);
    free(r->ticks);
    free(r);
}
