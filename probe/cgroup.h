/* A CPU cap for p3 probe: a cgroup of its own, with a CPU quota, that the
 * whole p3 process moves into (its load and probe threads and the programs
 * the probe starts). cgroup v2 (`cpu.max`) where the cpu controller is on
 * the unified hierarchy, else cgroup v1 (`cpu.cfs_quota_us`). */
#ifndef P3_PROBE_CGROUP_H
#define P3_PROBE_CGROUP_H

#include <stdint.h>

#include "diag.h"

typedef struct probe_cgroup probe_cgroup;

/* What the cgroup's own accounting says, totals since it was made. */
typedef struct probe_cgroup_stat {
    int64_t usage_ns;     /* CPU its tasks used; -1 when the hierarchy has no cpuacct */
    int64_t nr_periods;   /* enforcement periods that had runnable tasks */
    int64_t nr_throttled; /* periods in which it ran out of quota */
    int64_t throttled_ns; /* time its tasks were held back by the quota */
} probe_cgroup_stat;

/* Makes the cgroup "p3-probe-<pid>" beside where this process is, gives it
 * quota_us of CPU per period_us, and moves this process into it. Returns
 * STATUS_OK, or STATUS_BAD_INPUT with a message saying what is missing
 * (no cpu controller, no permission, a v2 parent that holds processes). */
int probe_cgroup_create(int64_t quota_us, int64_t period_us, probe_cgroup **out,
                        diag_list *diags);

/* Reads the cgroup's counters. STATUS_OK or STATUS_FAILURE. */
int probe_cgroup_read(const probe_cgroup *cg, probe_cgroup_stat *out);

/* "cgroup v1 cpu /sys/fs/cgroup/cpu/p3-probe-123": what was made. */
const char *probe_cgroup_describe(const probe_cgroup *cg);

/* 1 or 2. */
int probe_cgroup_version(const probe_cgroup *cg);

/* Moves this process back where it was and removes the cgroup (the
 * programs the probe started must have ended); NULL is a no-op. Problems
 * are added as warnings. */
void probe_cgroup_remove(probe_cgroup *cg, diag_list *diags);

#endif
