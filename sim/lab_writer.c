#include "lab_writer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "isotime.h"
#include "status.h"
#include "textbuf.h"
#include "xalloc.h"

/* Splits microseconds since 1970 into calendar fields. */
static void civil(int64_t us, int *y, int *mo, int *d, int *h, int *mi, int *s, int *ms)
{
    int64_t day_us = INT64_C(86400000000);
    int64_t days = us / day_us, rest = us % day_us;
    if (rest < 0) {
        rest += day_us;
        days--;
    }
    isotime_civil_from_days(days, y, mo, d);
    *h = (int)(rest / INT64_C(3600000000));
    *mi = (int)(rest / 60000000 % 60);
    *s = (int)(rest / 1000000 % 60);
    *ms = (int)(rest / 1000 % 1000);
}

/* perfmon's "MM/DD/YYYY HH:MM:SS.fff" (without the fraction for esxtop). */
static void buf_pdh_time(text_buf *b, int64_t us, bool millis)
{
    int y, mo, d, h, mi, s, ms;
    civil(us, &y, &mo, &d, &h, &mi, &s, &ms);
    buf_printf(b, "\"%02d/%02d/%04d %02d:%02d:%02d", mo, d, y, h, mi, s);
    if (millis)
        buf_printf(b, ".%03d", ms);
    buf_printf(b, "\"");
}

/* ---- the run's machines ------------------------------------------------ */

/* The place of guest g (0: the measured one) among the host's guests as the
 * files number them, 1-based: the measured guest is the last, as the
 * paper's eighth. */
static int guest_ordinal(const scenario *s, int g)
{
    return g == 0 ? s->guests : g;
}

/* A new string: guest g's machine name. */
static char *guest_name(const scenario *s, int g)
{
    if (g == 0)
        return xstrdup(s->guest_name);
    return xasprintf("GUEST%02d", guest_ordinal(s, g));
}

/* A new string: the host-side instance that measures guest g's CPU, as the
 * host's tools name it. */
static char *guest_host_path(const scenario *s, int g, const char *counter)
{
    int k = guest_ordinal(s, g);
    char *name = guest_name(s, g), *path;
    switch (s->platform) {
    case SCENARIO_MSVS:
        /* Virtual Server runs every guest as a thread of its service. */
        path = xasprintf("\\\\%s\\Thread(vssrvc/%d)\\%s", s->host_name, 16 + k, counter);
        break;
    case SCENARIO_GSX:
        /* GSX runs each guest as a vmware-vmx process: the instances are
         * vmware-vmx, vmware-vmx#1, ... */
        path = k == 1 ? xasprintf("\\\\%s\\Process(vmware-vmx)\\%s", s->host_name, counter)
                      : xasprintf("\\\\%s\\Process(vmware-vmx#%d)\\%s", s->host_name, k - 1,
                                  counter);
        break;
    default:
        path = xasprintf("\\\\%s\\Group Cpu(%d:%s)\\%s", s->host_name, 1226 + k, name, counter);
        break;
    }
    free(name);
    return path;
}

/* The exact counter paths of run.ini's [cpu]: the host-side counter of
 * the measured machine's CPU, and the guest's own (NULL for a native
 * server). New strings. */
static char *host_counter(const scenario *s)
{
    switch (s->platform) {
    case SCENARIO_NATIVE:
        return xasprintf("\\\\%s\\Processor(_Total)\\%% Processor Time", s->host_name);
    case SCENARIO_ESX:
        return guest_host_path(s, 0, "% Used");
    default:
        return guest_host_path(s, 0, "% Processor Time");
    }
}

static char *guest_counter(const scenario *s)
{
    if (!scenario_virtual(s))
        return NULL;
    return xasprintf("\\\\%s\\Processor(_Total)\\%% Processor Time", s->guest_name);
}

/* The files of a run, relative to its folder. */
#define MAX_FILES 4

/* Fills names (new strings) with the files of s's run; returns how many. */
static size_t run_files(const scenario *s, char **names)
{
    size_t n = 0;
    names[n++] = xstrdup("run.ini");
    names[n++] = xstrdup("probe.probe");
    if (scenario_virtual(s))
        names[n++] = xasprintf("guest/%s-perfmon.csv", s->guest_name);
    names[n++] = xasprintf("host/%s-%s.csv", s->host_name,
                           s->platform == SCENARIO_ESX ? "esxtop" : "perfmon");
    return n;
}

/* ---- counter files ----------------------------------------------------- */

/* What a column of a counter file shows. */
typedef enum column_kind {
    COL_CPU,           /* host CPU index's busy share */
    COL_CPU_TOTAL,     /* all host CPUs' busy share */
    COL_HOST_QUEUE,    /* host threads ready (instantaneous) */
    COL_GUEST_QUEUE,   /* the measured machine's threads ready (instantaneous) */
    COL_VM_RUN,        /* guest index's host CPU, of one CPU */
    COL_VM_RUN_ALL,    /* every guest's host CPU together, of one CPU */
    COL_VM_READY,      /* guest index's ready time, cap included (esxtop %RDY) */
    COL_VM_LIMITED,    /* guest index's time switched off by its cap */
    COL_VM_WAIT,       /* guest index's remaining time (esxtop %WAIT) */
    COL_BACKGROUND,    /* the host OS's own work, of one CPU */
    COL_LOAD_RUN,      /* the native load's CPU, of one CPU */
    COL_PROBE_RUN,     /* the native probe's CPU */
    COL_GUEST_BUSY,    /* the guest's own Processor(_Total) */
    COL_LOAD_CHARGED,  /* the guest's own view of the load process */
    COL_PROBE_CHARGED  /* the guest's own view of the probe process */
} column_kind;

typedef struct column {
    char *path;       /* the counter path */
    column_kind kind;
    int index;        /* the CPU or guest it is about */
} column;

typedef struct columns {
    column items[SCENARIO_MAX_CPUS + 6 * SCENARIO_MAX_GUESTS + 16];
    int count;
} columns;

static void add_column(columns *c, column_kind kind, int index, char *path)
{
    c->items[c->count++] = (column){.path = path, .kind = kind, .index = index};
}

static void free_columns(columns *c)
{
    for (int i = 0; i < c->count; i++)
        free(c->items[i].path);
}

static double share(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The column's value over the interval from row a to row b. */
static double column_value(const scenario *s, const column *c, const int64_t *a, const int64_t *b)
{
    int64_t dt = b[SCHED_MODEL_T] - a[SCHED_MODEL_T];
#define DELTA(col) (b[col] - a[col])
    int cpus = s->cpus;
    switch (c->kind) {
    case COL_CPU:
        return share(DELTA(sched_model_cpu_col(c->index)), dt);
    case COL_CPU_TOTAL: {
        int64_t busy = 0;
        for (int i = 0; i < cpus; i++)
            busy += DELTA(sched_model_cpu_col(i));
        return share(busy, dt * cpus);
    }
    case COL_HOST_QUEUE:
        return (double)b[SCHED_MODEL_HOST_QUEUE];
    case COL_GUEST_QUEUE:
        return (double)b[SCHED_MODEL_GUEST_QUEUE];
    case COL_VM_RUN:
        return share(DELTA(sched_model_vm_run_col(cpus, c->index)), dt);
    case COL_VM_RUN_ALL: {
        int64_t run = 0;
        for (int g = 0; g < s->guests; g++)
            run += DELTA(sched_model_vm_run_col(cpus, g));
        return share(run, dt);
    }
    case COL_VM_READY:
        return share(DELTA(sched_model_vm_ready_col(cpus, c->index)) +
                         DELTA(sched_model_vm_limited_col(cpus, c->index)),
                     dt);
    case COL_VM_LIMITED:
        return share(DELTA(sched_model_vm_limited_col(cpus, c->index)), dt);
    case COL_VM_WAIT: {
        int64_t used = DELTA(sched_model_vm_run_col(cpus, c->index)) +
                       DELTA(sched_model_vm_ready_col(cpus, c->index)) +
                       DELTA(sched_model_vm_limited_col(cpus, c->index));
        return used < dt ? share(dt - used, dt) : 0.0;
    }
    case COL_BACKGROUND:
        return share(DELTA(SCHED_MODEL_BACKGROUND), dt);
    case COL_LOAD_RUN:
        return share(DELTA(SCHED_MODEL_LOAD_RUN), dt);
    case COL_PROBE_RUN:
        return share(DELTA(SCHED_MODEL_PROBE_RUN), dt);
    case COL_GUEST_BUSY:
        return share(DELTA(SCHED_MODEL_GUEST_BUSY), dt);
    case COL_LOAD_CHARGED:
        return share(DELTA(SCHED_MODEL_LOAD_CHARGED), dt);
    case COL_PROBE_CHARGED:
        return share(DELTA(SCHED_MODEL_PROBE_CHARGED), dt);
    }
#undef DELTA
    return 0.0;
}

static bool instantaneous(column_kind k)
{
    return k == COL_HOST_QUEUE || k == COL_GUEST_QUEUE;
}

/* The host-side perfmon of a Windows host (or of the native server). */
static void host_perfmon_columns(const scenario *s, columns *c)
{
    const char *h = s->host_name;
    for (int i = 0; i < s->cpus; i++)
        add_column(c, COL_CPU, i, xasprintf("\\\\%s\\Processor(%d)\\%% Processor Time", h, i));
    add_column(c, COL_CPU_TOTAL, 0, xasprintf("\\\\%s\\Processor(_Total)\\%% Processor Time", h));
    add_column(c, COL_HOST_QUEUE, 0, xasprintf("\\\\%s\\System\\Processor Queue Length", h));
    if (s->platform == SCENARIO_NATIVE) {
        add_column(c, COL_LOAD_RUN, 0, xasprintf("\\\\%s\\Process(cpuload)\\%% Processor Time", h));
        add_column(c, COL_PROBE_RUN, 0,
                   xasprintf("\\\\%s\\Process(p3probe)\\%% Processor Time", h));
    } else {
        if (s->platform == SCENARIO_MSVS)
            add_column(c, COL_VM_RUN_ALL, 0,
                       xasprintf("\\\\%s\\Process(vssrvc)\\%% Processor Time", h));
        /* In the order the host numbers its guests: the measured one last. */
        for (int k = 1; k <= s->guests; k++) {
            int g = k == s->guests ? 0 : k;
            add_column(c, COL_VM_RUN, g, guest_host_path(s, g, "% Processor Time"));
        }
    }
    add_column(c, COL_BACKGROUND, 0, xasprintf("\\\\%s\\Process(svchost)\\%% Processor Time", h));
}

/* What perfmon inside the measured guest logs. */
static void guest_perfmon_columns(const scenario *s, columns *c)
{
    const char *g = s->guest_name;
    add_column(c, COL_GUEST_BUSY, 0, xasprintf("\\\\%s\\Processor(0)\\%% Processor Time", g));
    add_column(c, COL_GUEST_BUSY, 0, xasprintf("\\\\%s\\Processor(_Total)\\%% Processor Time", g));
    add_column(c, COL_GUEST_QUEUE, 0, xasprintf("\\\\%s\\System\\Processor Queue Length", g));
    add_column(c, COL_LOAD_CHARGED, 0, xasprintf("\\\\%s\\Process(cpuload)\\%% Processor Time", g));
    add_column(c, COL_PROBE_CHARGED, 0,
               xasprintf("\\\\%s\\Process(p3probe)\\%% Processor Time", g));
}

/* What `esxtop -b` logs of an ESX host: physical CPUs, then a group per
 * guest and the system group where the host's own work runs. */
static void esxtop_columns(const scenario *s, columns *c)
{
    const char *h = s->host_name;
    for (int i = 0; i < s->cpus; i++)
        add_column(c, COL_CPU, i, xasprintf("\\\\%s\\Physical Cpu(%d)\\%% Util Time", h, i));
    add_column(c, COL_CPU_TOTAL, 0, xasprintf("\\\\%s\\Physical Cpu(_Total)\\%% Util Time", h));
    add_column(c, COL_BACKGROUND, 0, xasprintf("\\\\%s\\Group Cpu(1:system)\\%% Used", h));
    for (int k = 1; k <= s->guests; k++) {
        int g = k == s->guests ? 0 : k;
        add_column(c, COL_VM_RUN, g, guest_host_path(s, g, "% Used"));
        add_column(c, COL_VM_RUN, g, guest_host_path(s, g, "% Run"));
        add_column(c, COL_VM_WAIT, g, guest_host_path(s, g, "% Wait"));
        add_column(c, COL_VM_READY, g, guest_host_path(s, g, "% Ready"));
        add_column(c, COL_VM_LIMITED, g, guest_host_path(s, g, "% Max Limited"));
    }
}

/* A PDH-CSV 4.0 file: a header of counter paths, then one row per sample;
 * every field quoted, CRLF line ends. perfmon leaves rate counters blank
 * (" ") in its first row, having nothing to take a difference from;
 * esxtop starts with the first full interval and writes UTC without
 * milliseconds. */
static void write_pdh(text_buf *b, const scenario *s, const sched_model_result *r,
                      const columns *c, bool esxtop)
{
    if (esxtop)
        buf_printf(b, "\"(PDH-CSV 4.0) (UTC)(0)\"");
    else
        buf_printf(b, "\"(PDH-CSV 4.0) (%s)(%d)\"", s->time_zone, s->bias_minutes);
    for (int i = 0; i < c->count; i++)
        buf_printf(b, ",\"%s\"", c->items[i].path);
    buf_printf(b, "\r\n");
    for (size_t t = esxtop ? 1 : 0; t < r->tick_count; t++) {
        const int64_t *row = sched_model_tick(r, t);
        int64_t local = s->start_local_us + row[SCHED_MODEL_T];
        buf_pdh_time(b, esxtop ? local + (int64_t)s->bias_minutes * 60000000 : local, !esxtop);
        for (int i = 0; i < c->count; i++) {
            const column *col = &c->items[i];
            if (t == 0 && !instantaneous(col->kind))
                buf_printf(b, ",\" \"");
            else if (t == 0)
                buf_printf(b, ",\"%.6f\"", column_value(s, col, row, row));
            else
                buf_printf(b, ",\"%.6f\"",
                           column_value(s, col, sched_model_tick(r, t - 1), row));
        }
        buf_printf(b, "\r\n");
    }
}

/* ---- the probe log and run.ini ----------------------------------------- */

static void buf_offset(text_buf *b, int bias_minutes)
{
    int east = -bias_minutes;
    buf_printf(b, "%c%02d:%02d", east < 0 ? '-' : '+', abs(east) / 60, abs(east) % 60);
}

static void write_probe(text_buf *b, const scenario *s, const sched_model_result *r,
                        const lab_writer_options *o)
{
    buf_printf(b, "# p3-probe 1\n# host: %s\n", s->host_name);
    if (scenario_virtual(s))
        buf_printf(b, "# guest: %s\n", s->guest_name);
    buf_printf(b, "# operation: %s\n# tz: ", s->operation);
    buf_offset(b, s->bias_minutes);
    buf_printf(b, "\n# generator: p3 simulate%s%s%s%s, seed %llu\n", o->version ? " " : "",
               o->version ? o->version : "", o->source ? ", scenario " : "",
               o->source ? o->source : "", (unsigned long long)s->seed);
    buf_printf(b, "time,level,delay_ms\n");
    for (size_t i = 0; i < r->sample_count; i++) {
        const sched_model_sample *x = &r->samples[i];
        int y, mo, d, h, mi, sec, ms;
        civil(s->start_local_us + x->t_us, &y, &mo, &d, &h, &mi, &sec, &ms);
        buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03d,%s,%lld.%03lld\n", y, mo, d, h, mi,
                   sec, ms, s->levels[x->level].name, (long long)(x->delay_us / 1000),
                   (long long)(x->delay_us % 1000));
    }
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void write_run_ini(text_buf *b, const scenario *s, const lab_writer_options *o)
{
    buf_printf(b, "; A simulated run, written by p3 simulate%s%s: see the README, \"The "
                  "simulator\".\n[run]\ntitle = %s\nhost = %s\n",
               o->source ? " from " : "", o->source ? o->source : "", s->title, s->host_name);
    if (scenario_virtual(s))
        buf_printf(b, "guest = %s\n", s->guest_name);
    buf_printf(b, "platform = %s, %d logical CPUs", scenario_platform_description(s->platform),
               s->cpus);
    if (scenario_virtual(s))
        buf_printf(b, ", %d guest%s with one virtual CPU each", s->guests,
                   s->guests == 1 ? "" : "s");
    buf_printf(b, "\nnotes = %s\nlevels = ", s->notes ? s->notes
                                                   : "Simulated by p3 simulate, not measured.");
    for (int i = 0; i < s->level_count; i++)
        buf_printf(b, "%s%s", i ? ", " : "", s->levels[i].name);

    buf_printf(b, "\n\n; The simulation's parameters, for the record.\n[scenario]\n");
    if (o->source)
        buf_printf(b, "source = %s\n", o->source);
    buf_printf(b, "platform = %s\nseed = %llu\ncpus = %d\nhost_quantum_ms = ",
               scenario_platform_key(s->platform), (unsigned long long)s->seed, s->cpus);
    buf_scaled(b, s->host_quantum_us, 3);
    buf_printf(b, "\nhost_resource_management = %s\nbackground_interval_ms = ",
               yes_no(s->host_resource_management));
    buf_scaled(b, s->background_gap_us, 3);
    buf_printf(b, "\nbackground_width = %d\nbackground_burst_ms = ", s->background_width);
    buf_scaled(b, s->background_burst_us, 3);
    if (scenario_virtual(s)) {
        buf_printf(b, "\nguests = %d\noverhead_pct = ", s->guests);
        buf_scaled(b, s->overhead_ppm, 4);
        buf_printf(b, "\nothers_load_pct = ");
        buf_scaled(b, s->others_load_ppm, 4);
        buf_printf(b, "\nothers_burst_ms = ");
        buf_scaled(b, s->others_burst_us, 3);
        buf_printf(b, "\nguest_quantum_ms = ");
        buf_scaled(b, s->guest_quantum_us, 3);
        buf_printf(b, "\ncap_pct = ");
        buf_scaled(b, s->cap_ppm, 4);
        buf_printf(b, "\ncap_period_ms = ");
        buf_scaled(b, s->cap_period_us, 3);
    }
    buf_printf(b, "\npriority_management = %s\nload_threads = ", yes_no(s->priority_management));
    for (int i = 0; i < s->level_count; i++)
        buf_printf(b, "%s%d", i ? ", " : "", s->levels[i].threads);
    buf_printf(b, "\nload_duty_pct = ");
    for (int i = 0; i < s->level_count; i++) {
        buf_printf(b, "%s", i ? ", " : "");
        buf_scaled(b, s->levels[i].duty_ppm, 4);
    }
    buf_printf(b, "\nload_burst_ms = ");
    buf_scaled(b, s->load_burst_us, 3);
    buf_printf(b, "\nprobe_interval_ms = ");
    buf_scaled(b, s->interval_us, 3);
    buf_printf(b, "\nprobe_jitter_ms = ");
    buf_scaled(b, s->jitter_us, 3);
    buf_printf(b, "\nprobe_steps = %d\nprobe_step_cpu_ms = ", s->steps);
    buf_scaled(b, s->step_cpu_us, 3);
    buf_printf(b, "\nprobe_step_wait_ms = ");
    buf_scaled(b, s->step_wait_us, 3);
    buf_printf(b, "\nprobe_samples = %d\nsettle_s = ", s->samples);
    buf_scaled(b, s->settle_us, 6);
    buf_printf(b, "\ncounter_interval_s = ");
    buf_scaled(b, s->counter_interval_us, 6);

    char *host = host_counter(s), *guest = guest_counter(s);
    buf_printf(b, "\n\n; Where the measured machine's CPU is, as each side reports it.\n[cpu]\n");
    if (guest) {
        buf_printf(b, "vcpus = 1\nhost_cpus = %d\nhost_counter = %s\nguest_counter = %s\n",
                   s->cpus, host, guest);
        if (s->platform == SCENARIO_ESX) {
            char *ready = guest_host_path(s, 0, "% Ready");
            buf_printf(b, "ready_counter = %s\n", ready);
            free(ready);
        }
        buf_printf(b, "overhead_pct = ");
        buf_scaled(b, s->overhead_ppm, 4);
        buf_printf(b, "\n");
    } else {
        buf_printf(b, "native = yes\nhost_cpus = %d\nhost_counter = %s\n", s->cpus, host);
    }
    free(host);
    free(guest);
}

int lab_writer_write(const char *dir, const scenario *s, const sched_model_result *r,
                     const lab_writer_options *opts, diag_list *diags)
{
    lab_writer_options defaults = {0};
    const lab_writer_options *o = opts ? opts : &defaults;
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        diag_add(diags, DIAG_ERROR, dir, 0, 0, "exists and is not a folder");
        return STATUS_BAD_INPUT;
    }
    if (!o->force && !textbuf_folder_empty(dir)) {
        diag_add(diags, DIAG_ERROR, dir, 0, 0,
                 "folder exists and is not empty: use --force to replace the run's files in it");
        return STATUS_BAD_INPUT;
    }
    char *names[MAX_FILES];
    size_t n = run_files(s, names);
    text_buf bufs[MAX_FILES] = {{0}};
    write_run_ini(&bufs[0], s, o);
    write_probe(&bufs[1], s, r, o);
    size_t next = 2;
    columns c = {.count = 0};
    if (scenario_virtual(s)) {
        guest_perfmon_columns(s, &c);
        write_pdh(&bufs[next++], s, r, &c, false);
        free_columns(&c);
        c.count = 0;
    }
    if (s->platform == SCENARIO_ESX)
        esxtop_columns(s, &c);
    else
        host_perfmon_columns(s, &c);
    write_pdh(&bufs[next], s, r, &c, s->platform == SCENARIO_ESX);
    free_columns(&c);

    /* Every file goes to a temporary name first; only when all are written
     * do they take their real names. */
    int status = textbuf_write_files(dir, names, bufs, n, "p3-simulate", diags);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        buf_free(&bufs[i]);
    }
    return status;
}
