/* The comparisons of runs a store holds (p3 compare, p3 report --baseline;
 * schemas/005_compare.sql) as plain data for the outputs: the table, CSV
 * and JSON, compare.pdf and the report's pages, the Compare sheet. Each
 * side of a comparison is also given as a results_run, so that the P3 and
 * the charts draw it as they draw an analysed run. Nothing here is
 * computed from samples; a value the store leaves NULL is NAN (or NULL
 * for text). */
#ifndef P3_COMPARE_RESULTS_H
#define P3_COMPARE_RESULTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "results.h"

/* A difference, OTHER minus BASELINE, and its 95 % interval. */
typedef struct compare_results_diff {
    double diff, lo, hi;
} compare_results_diff;

/* One level of a comparison (comparison_level). */
typedef struct compare_results_level {
    bool in_baseline, in_other;   /* which runs have the level */
    compare_results_diff mean;    /* ms; Welch's interval */
    compare_results_diff p50, p95, p99; /* ms; bootstrap intervals */
    compare_results_diff pct_over;      /* percentage points; Newcombe's interval */
    double welch_df;
    double mw_u, mw_p;            /* Mann-Whitney U of the baseline, two-sided p */
    char *mw_method;              /* "exact", "asymptotic"; NULL when not computed */
    double ks_d, ks_p;            /* Kolmogorov-Smirnov */
    char *ks_method;
    double cliffs_delta;
    double p_holm;                /* mw_p after Holm's correction */
    char *verdict;                /* "better", "worse", "no significant difference",
                                     "not compared", "only in baseline", "only in other" */
} compare_results_level;

/* The sides of a comparison, indexes into compare_results.sides. */
enum { COMPARE_RESULTS_BASELINE, COMPARE_RESULTS_OTHER };

/* One OTHER run against the BASELINE (comparison). */
typedef struct compare_results {
    char *baseline, *other;               /* the labels: run names made unique */
    char *baseline_run, *other_run;       /* the runs' names in their stores */
    char *baseline_source, *other_source; /* where each came from */
    long long baseline_unplaced, other_unplaced; /* samples left out, no level */
    double endurance_ms;
    long long replicates;                 /* bootstrap replicates */
    int64_t seed;                         /* the bootstrap's seed */
    double alpha;                         /* family-wise error rate of the verdicts */
    char *summary;                        /* the summary line: "better at Busy, ..." */
    size_t level_count;
    compare_results_level *levels;        /* lightest first */
    /* Both runs as results_run, [COMPARE_RESULTS_BASELINE] and
     * [COMPARE_RESULTS_OTHER]: name (the label), title, endurance line,
     * buckets (the comparison's), and level_count levels in the order of
     * `levels` with name, n, mean, p50, p90, p95, p99 and their intervals,
     * the share over the line and the bucket counts and shares. A level the
     * run lacks has n 0 and NAN statistics; every other field is unknown
     * (NAN, NULL, 0). */
    results_run *sides;
} compare_results;

/* Reads every comparison in the store, in the order they were made, into
 * *list (*count set; 0 for a store older than schema version 5, which
 * cannot hold any). Returns STATUS_OK or STATUS_FAILURE with a diagnostic.
 * Free with compare_results_free(). */
int compare_results_read(sqlite3 *db, compare_results **list, size_t *count, diag_list *diags);

/* Whether the store holds any comparison (false also when it cannot be read). */
bool compare_results_any(sqlite3 *db);

/* Frees what compare_results_read() made; NULL is a no-op. */
void compare_results_free(compare_results *list, size_t count);

#endif
