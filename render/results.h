/* One analysed run's results as plain data, read from the store's result
 * tables (analysis, bucket, level_stats, level_bucket, level_cpu,
 * level_quantile, analysis_note) and its description (run, run_level,
 * run_meta): what the charts and the report draw. Nothing here is computed
 * from samples; a value the store leaves NULL is NAN (or NULL for text). */
#ifndef P3_RESULTS_H
#define P3_RESULTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* One load level of a run. */
typedef struct results_level {
    char *name;                       /* as the run names it */
    long long n;                      /* samples; 0 for a level without any */
    double mean, sd, min, max;        /* ms */
    double p50, p90, p95, p99, p999;  /* ms, PERCENTILE.INC */
    double mean_lo, mean_hi;          /* 95 % CI of the mean */
    double p50_lo, p50_hi, p95_lo, p95_hi, p99_lo, p99_hi; /* 95 % order-statistic CIs */
    double pct_over;                  /* % of samples over the endurance line */
    double pct_le_50;                 /* % at or under 50 ms */
    char *source;                     /* what placed most samples: "probe", "schedule", "cpu",
                                         "concurrency", "file" */
    double host_cpu, guest_cpu;       /* % of the guest's vCPUs */
    double useful_cpu;                /* host CPU minus the overhead */
    double discrepancy;               /* guest minus host */
    double ready;                     /* ready time, % */
    bool guest_untrusted;             /* guest counters over-report here */
    long long errors;                 /* failed samples the level took (load-test results) */
    double error_pct;                 /* their share, %; NAN when not known */
    bool approximate;                 /* the distribution is not of single samples */
    bool has_stats;                   /* analysis left statistics for it (n may be 0) */
    bool has_cpu;                     /* analysis left CPU accounting for it */
    double variance, cv;              /* ms², and sd / mean */
    double n_probe, n_schedule, n_cpu, n_concurrency, n_file; /* samples each source placed
                                         here; NAN when the store does not say */
    double cpu_seconds;               /* the span the CPU figures cover */
    long long *bucket_count;          /* run's bucket_count entries */
    double *bucket_pct;               /* shares in %, summing to 100 (all 0 when n is 0) */
    size_t quantile_count;            /* points of the quantile curve; 0 without samples */
    double *quantile_q;               /* cumulative share in %, ascending: 0, 1, ..., 100 */
    double *quantile_ms;              /* the delay at that share */
} results_level;

/* One `key = value` of run.ini that p3 keeps as metadata. */
typedef struct results_meta {
    char *key, *value;
} results_meta;

/* One note analysis left about the run. */
typedef struct results_note {
    char *severity; /* "warning" or "note" */
    char *message;
} results_note;

/* The onset of degradation by one rule. */
typedef struct results_onset {
    long long level;   /* index into levels, -1 when no level meets the rule */
    double cpu_pct;    /* the CPU at that level (host, else guest: cpu_source) */
} results_onset;

typedef struct results_run {
    int64_t run_id;
    char *name, *title;
    char *folder, *host, *guest, *platform; /* run.ini's or the probe logs'; NULL when not given */
    char *notes;                      /* run.ini's notes; NULL when none */
    results_meta *meta;
    size_t meta_count;

    double endurance_ms;
    long long samples, unplaced;      /* placed in a level, and not */
    int64_t first_ns, last_ns;        /* UTC span of the samples */
    bool has_span;                    /* first_ns and last_ns are known */
    double vcpus;
    bool native;                      /* no virtualization */
    double overhead, overhead_lo, overhead_hi; /* % of a vCPU, with its 95 % CI */
    bool overhead_assumed;            /* the configured default, not measured */
    bool overhead_said;               /* the store says whether it was assumed */
    bool v6;                          /* the store keeps errors, labels and placements
                                         (schema 6 on): errors and approximate are known */
    char *overhead_method;            /* how, in words */
    bool guest_untrusted;             /* some level's guest counters over-report */
    char *host_counter, *guest_counter, *ready_counter; /* what the CPU figures come from */
    double margin_ms;                 /* the second onset rule's margin */
    results_onset onset_endurance;    /* lightest level with p95 over the endurance line */
    results_onset onset_margin;       /* lightest level with p95 over the lightest's + margin */
    char *onset_cpu_source;           /* "host" or "guest" */

    size_t bucket_count;              /* including the overflow, which is last */
    char **bucket_labels;             /* "50", ..., ">1850" */
    double *bucket_upper;             /* upper edges; NAN for the overflow */

    results_level *levels;            /* lightest first */
    size_t level_count;
    results_note *analysis_notes;     /* what analysis said about the run, in order */
    size_t analysis_note_count;
} results_run;

/* The name of level `index` of run (an onset's level), or NULL when out of
 * range. */
const char *results_level_name(const results_run *run, long long index);

/* A result column as plain data: NAN for NULL; text copied (NULL for
 * NULL); and the end of a statement's rows (finalized): STATUS_OK when
 * rc is SQLITE_DONE, else a failure to read `what`. Every reader of the
 * result tables in render/ uses these. */
double results_column_double(sqlite3_stmt *stmt, int i);
char *results_column_text(sqlite3_stmt *stmt, int i);
int results_rows_done(sqlite3 *db, sqlite3_stmt *stmt, int rc, const char *what,
                      diag_list *diags);

/* Reads every analysed run (runs by name), or only run_name when not NULL,
 * into *runs (*count set; may be 0). Returns STATUS_OK or STATUS_FAILURE
 * with a diagnostic. Free with results_free(). */
int results_read(sqlite3 *db, const char *run_name, results_run **runs, size_t *count,
                 diag_list *diags);

/* Frees what results_read() made; NULL is a no-op. */
void results_free(results_run *runs, size_t count);

/* Whether any level of the run has a host-measured, a guest-reported, or a
 * useful CPU figure. */
bool results_has_host_cpu(const results_run *run);
bool results_has_guest_cpu(const results_run *run);
bool results_has_useful_cpu(const results_run *run);
/* Whether any level has a ready time (a host's ready counter or a Linux
 * guest's steal time). */
bool results_has_ready(const results_run *run);

/* The note a P3 of the run carries besides the overflow's: the error share
 * of each level that has failures (they are not in its columns), and the
 * levels whose distribution is approximate. NULL when there is nothing to
 * say; caller frees. */
char *results_p3_note(const results_run *run);

#endif
