/* The analysis pass: for every run in the store, the delay distribution of
 * each load level (the P3) and its statistics, written to the result tables
 * (analysis, bucket, level_stats, level_bucket). A run whose files and
 * settings are unchanged since its last analysis is left as it is. */
#ifndef P3_ANALYZE_H
#define P3_ANALYZE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* The paper's bucket edges in ms: 50, 250, ..., 1850. */
extern const double analyze_paper_edges[];
extern const size_t analyze_paper_edge_count;

/* The endurance line: "a one second delay is about the limit of user
 * endurance for occasional delays". */
#define ANALYZE_ENDURANCE_MS 1000.0

typedef struct analyze_options {
    const double *edges;  /* ascending upper-inclusive bucket edges; NULL: the paper's */
    size_t edge_count;
    double endurance_ms;  /* 0: ANALYZE_ENDURANCE_MS */
    const char *labels;   /* globs of the labels that form the probe (--label); NULL:
                             the run's probe_labels, else all */
    bool include_failures; /* --include-failures: failed samples count as delays */
} analyze_options;

typedef struct analyze_totals {
    long analyzed;      /* runs (re)computed */
    long unchanged;     /* runs whose results stood */
    long long samples;  /* samples in the runs computed */
} analyze_totals;

/* Called after each run (may be NULL). */
typedef void (*analyze_run_fn)(void *ctx, const char *run, bool recomputed);

/* One run's delays grouped by load level after placement: what a
 * comparison of runs works on. */
typedef struct analyze_levels {
    size_t level_count;
    char **names;       /* the run's level names in order, owned */
    double *delay;      /* every placed delay, level after level, each level sorted */
    size_t *start;      /* level_count + 1 offsets into delay */
    long long unplaced; /* samples no method could place */
    double *edges;      /* the bucket edges analysis uses for the run, owned */
    size_t edge_count;
    double endurance_ms; /* and its endurance line */
} analyze_levels;

/* Loads the run called run_name and places its samples in levels as
 * analysis does (probe log, schedule.csv, CPU, with the run's settings and
 * opts), each level sorted, with the bucket edges and endurance line of
 * those settings. Reads only: works on a store opened read-only,
 * of any schema version (one without schedules or counters places by probe
 * logs alone). Returns STATUS_OK, STATUS_BAD_INPUT when there is no such
 * run, or STATUS_FAILURE. Release with analyze_levels_clear(). */
int analyze_load_levels(sqlite3 *db, const char *run_name, const analyze_options *opts,
                        analyze_levels *out, diag_list *diags);
void analyze_levels_clear(analyze_levels *levels);

/* Analyses every run; opts may be NULL. Returns STATUS_OK or
 * STATUS_FAILURE with a diagnostic. */
int analyze_store(sqlite3 *db, const analyze_options *opts, analyze_run_fn on_run, void *ctx,
                  analyze_totals *totals, diag_list *diags);

#endif
