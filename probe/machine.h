/* What p3 probe reads of the Linux machine it runs on: CPU time from
 * /proc/stat, a thread's scheduling figures from /proc, and the machine's
 * description for run.ini. */
#ifndef P3_PROBE_MACHINE_H
#define P3_PROBE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MACHINE_MAX_CPUS 1024

/* One line of /proc/stat, in clock ticks. */
typedef struct machine_cpu_time {
    int64_t user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
} machine_cpu_time;

/* /proc/stat's CPU lines: all[0] is the machine, cpu[k] CPU k (present[k]
 * says whether the line was there). */
typedef struct machine_cpu_times {
    machine_cpu_time all;
    machine_cpu_time cpu[MACHINE_MAX_CPUS];
    bool present[MACHINE_MAX_CPUS];
    int max_cpu; /* highest CPU number read, -1 for none */
} machine_cpu_times;

/* Reads /proc/stat (or path, for tests). False when it cannot be read. */
bool machine_read_cpu_times(const char *path, machine_cpu_times *out);

/* The shares of b - a as `sar -u ALL` reports them, in % of the interval,
 * in its order: %usr (user without guest), %nice (without guest_nice),
 * %sys, %iowait, %steal, %irq, %soft, %guest, %gnice, %idle. False when no
 * tick passed. */
#define MACHINE_SHARES 10
bool machine_cpu_shares(const machine_cpu_time *a, const machine_cpu_time *b,
                        double out[MACHINE_SHARES]);

/* A thread's CPU time and time spent ready on a run queue without running,
 * in ns, from /proc/self/task/<tid>/schedstat. False when unreadable. */
bool machine_thread_sched(pid_t tid, int64_t *run_ns, int64_t *wait_ns);

/* The machine for run.ini: host name, kernel ("Linux 6.1.0-18-amd64"), CPU
 * model, logical CPUs online. Strings are the caller's to free. */
typedef struct machine_info {
    char *host, *kernel, *cpu_model;
    int cpus;
} machine_info;
void machine_describe(machine_info *out);
void machine_info_clear(machine_info *m);

#endif
