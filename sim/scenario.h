/* A simulation scenario: the machine, its guests, the load levels and the
 * probe, read from an INI file (`[section]`, `key = value`, `;`/`#`
 * comments, as run.ini). Every key has a default, most of them taken from
 * the paper's test bed, so a scenario file names only what differs. All
 * times are integer microseconds and all shares integer parts per million,
 * so that the simulation is exact and the same on every machine. */
#ifndef P3_SCENARIO_H
#define P3_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

#define SCENARIO_MAX_CPUS 64     /* host logical CPUs */
#define SCENARIO_MAX_GUESTS 64   /* guests on the host, the measured one included */
#define SCENARIO_MAX_LEVELS 16   /* load levels of a run */
#define SCENARIO_MAX_THREADS 256 /* load-generator threads at one level */
#define SCENARIO_PPM 1000000     /* a share of 100 % in parts per million */

/* What runs on the host. */
typedef enum scenario_platform {
    SCENARIO_NATIVE, /* no virtualization: the load and the probe run on the host itself */
    SCENARIO_MSVS,   /* Microsoft Virtual Server: guests are threads of one host process */
    SCENARIO_GSX,    /* VMware GSX Server: one host process per guest */
    SCENARIO_ESX     /* VMware ESX Server: its own kernel; host trace is esxtop */
} scenario_platform;

/* One load level: how many load-generator threads, each busy for `duty_ppm`
 * of the time (SCENARIO_PPM: CPU-bound, it never waits). */
typedef struct scenario_level {
    char *name;       /* "Medium" */
    int threads;      /* load-generator threads at this level */
    int64_t duty_ppm; /* share of its time each thread wants the CPU */
} scenario_level;

typedef struct scenario {
    char *path; /* the file it was read from, for messages; NULL when built in code */

    /* [scenario] */
    char *title;                /* the chart title; by default one in the paper's style,
                                   "P3 GuestOS: MicrosoftVS w/50% Limit ; 1 Guest" */
    char *notes;                /* free text for run.ini, or NULL */
    scenario_platform platform; /* what runs on the host */
    uint64_t seed;              /* the PRNG seed: same seed, same bytes */

    /* [host] */
    char *host_name;                  /* the host's machine name in counter paths */
    int cpus;                         /* logical CPUs */
    int64_t host_quantum_us;          /* the host scheduler's time slice */
    bool host_resource_management;    /* host OS work runs below the guests' threads */
    int64_t background_gap_us;        /* mean time between bursts of host OS work; 0: none */
    int background_width;             /* most threads of one burst */
    int64_t background_burst_us;      /* mean CPU of one thread of a burst */

    /* [guests] */
    int guests;                 /* guests on the host, the measured one included */
    int64_t overhead_ppm;       /* virtualization overhead per guest, of one CPU */
    int64_t others_load_ppm;    /* CPU each other guest's load asks for, of its vCPU */
    int64_t others_burst_us;    /* mean CPU burst of the other guests' load */

    /* [guest] (the measured guest) */
    char *guest_name;            /* its machine name in counter paths */
    int64_t guest_quantum_us;    /* the guest scheduler's time slice */
    bool priority_management;    /* the probe runs above the load inside the guest */
    int64_t cap_ppm;             /* static CPU cap, of one CPU; 0: none */
    int64_t cap_period_us;       /* the cap's enforcement period */

    /* [load] */
    scenario_level levels[SCENARIO_MAX_LEVELS];
    int level_count;
    int64_t load_burst_us; /* mean CPU burst of a load thread that is not CPU-bound */

    /* [probe] */
    char *operation;         /* what the probe does, for the log's # operation: */
    int64_t interval_us;     /* pause between two actions */
    int64_t jitter_us;       /* the pause varies by up to this either way */
    int steps;               /* CPU steps of one action */
    int64_t step_cpu_us;     /* CPU of one step */
    int64_t step_wait_us;    /* mean I/O wait between two steps */
    int samples;             /* actions recorded per level */
    int64_t settle_us;       /* time after a level change before the probe resumes */

    /* [lab] */
    int64_t start_local_us;      /* simulated start, local time, microseconds since 1970 */
    char *time_zone;             /* perfmon's name of the time zone */
    int bias_minutes;            /* UTC = local + bias (Eastern Standard Time: 300) */
    int64_t counter_interval_us; /* perfmon / esxtop sample interval */
} scenario;

/* A scenario with every default for the platform (caller frees with
 * scenario_free()). */
scenario *scenario_new(scenario_platform platform);

/* Reads path into a new scenario (*out). Returns STATUS_OK, or
 * STATUS_BAD_INPUT with `path:line:col: error: ...` diagnostics (unknown
 * sections and keys included, with the known ones listed), or
 * STATUS_FAILURE when the file cannot be read. */
int scenario_read(const char *path, scenario **out, diag_list *diags);

/* Frees; NULL is a no-op. */
void scenario_free(scenario *s);

/* The platform's key in a scenario file ("msvs"), and its name as run.ini's
 * platform says it ("Microsoft Virtual Server 1.1 EE on Windows Server
 * 2003"). Static strings. */
const char *scenario_platform_key(scenario_platform p);
const char *scenario_platform_description(scenario_platform p);

/* Level i (0 to SCENARIO_DEFAULT_LEVELS - 1) of the paper's six on a
 * machine of n CPUs: None 0 threads; Low n at 25 %; Medium n at 50 %; Busy
 * n CPU-bound; Maximum n + 1; Overload n + 2. Returns its name (static). */
#define SCENARIO_DEFAULT_LEVELS 6
const char *scenario_default_level(int i, int n, int *threads, int64_t *duty_ppm);

/* Whether the load and probe run in a guest (every platform but native). */
bool scenario_virtual(const scenario *s);


#endif
