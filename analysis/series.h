/* Time series made from stored counters, for CPU accounting: the CPU of the
 * measured guest as the host measured it, what the guest's own counters
 * said, and its ready time; every value normalised to % of the guest's
 * virtual CPUs. Which counters make a series, and how each is scaled, is
 * decided here (see series_load). */
#ifndef P3_SERIES_H
#define P3_SERIES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "settings.h"

typedef enum series_kind {
    SERIES_HOST_CPU,  /* host-measured CPU of the guest */
    SERIES_GUEST_CPU, /* the guest's own Processor(_Total) */
    SERIES_READY      /* time the guest was ready to run but not running */
} series_kind;

typedef struct series {
    int64_t *t;        /* UTC ns of each row, ascending; a row covers (t[i-1], t[i]] */
    double *v;         /* % of the guest's virtual CPUs */
    size_t n;
    int64_t interval;  /* ns: the median spacing of the rows, which the first row
                        * covers before it; 0 with fewer than two rows */
    char *description; /* the counters used, for the record; NULL when none */
} series;

/* Builds the series of `kind` for the run. The counters:
 *  - host CPU: cpu.host_counter (a glob, any side) when set; else, on the
 *    host side, the CPU counter of the virtual machine named as the run's
 *    guest (esxtop Group Cpu % Used, Hyper-V Virtual Processor % Guest Run
 *    Time, Virtual Server Virtual Machines CPU Utilization, virt-top
 *    Domain %CPU, a qemu process's pidstat %CPU); else the host's only
 *    vmware-vmx process's % Processor Time (with a note); else none.
 *  - guest CPU: cpu.guest_counter when set; else Processor(_Total)\%
 *    Processor Time of guest-side or unknown-side files.
 *  - ready: cpu.ready_counter when set; else esxtop Group Cpu % Ready of the
 *    guest's group on the host side.
 * Counters of one file are summed per row. Scaling to % of the guest's
 * vCPUs: Processor(...) counters are already % of their machine's CPUs;
 * virt-top %CPU is % of all host CPUs (times cpu.host_cpus / vcpus); every
 * other counter is % of one CPU (divided by cpu.vcpus). Notes about the
 * choice go to notes, named after run_name. An empty series (n == 0) means none was found.
 * Returns STATUS_OK or STATUS_FAILURE. Release with series_clear(). */
int series_load(sqlite3 *db, int64_t run_id, const char *run_name, series_kind kind,
                const run_settings *settings, series *out, diag_list *notes);
void series_clear(series *s);

/* Sets s->interval from s->t (sorted): the median spacing of the rows.
 * series_load() does this; call it after filling t by other means. */
void series_set_interval(series *s);

/* The index of the row covering instant t, or -1 when no row does. The
 * first row covers s->interval before it, as a sampling counter's first
 * value averages the interval before it just as later values do; taking
 * the median keeps one late or early start from shrinking it. hint
 * is a previous answer to start from (or -1): lookups in time order cost
 * O(1). */
long series_cover(const series *s, int64_t t, long hint);

#endif
