/* Stores for the render tests: runs' descriptions and results written
 * straight into the result tables (as `p3 analyze` would), so that charts
 * and reports can be tested on shapes analysis rarely makes (twelve
 * levels, every sample in the overflow, CPU from host and guest) without
 * ingesting counter files. The numbers follow simple rules given in
 * results_fixture.c, so tests can predict what the report prints. */
#ifndef P3_RESULTS_FIXTURE_H
#define P3_RESULTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#define FIXTURE_MAX_LEVELS 12

typedef struct fixture_run {
    const char *name;               /* required */
    const char *title;              /* NULL: the name */
    const char *folder;             /* run.folder; NULL for none */
    size_t levels;                  /* 1..FIXTURE_MAX_LEVELS; 0: 6 */
    const char *const *level_names; /* NULL: None, Low, Medium, Busy, Maximum, Overload, L7.. */
    size_t edges;                   /* bucket edges 50, 250, ... (the overflow comes on top); 0: 10 */
    long long n;                    /* samples per level; 0: 400 */
    int empty_level;                /* a level without samples, or -1 */
    int single_level;               /* a level of one sample, or -1 */
    bool all_overflow;              /* every sample over the last edge */
    bool cpu;                       /* host, guest and useful CPU; the guest over-reports from level 2 */
    bool guest_only;                /* guest-reported CPU only */
    bool no_results;                /* the analysis row only: no buckets, no level results */
} fixture_run;

/* p50 of level j of a run made by these rules, in ms (the other statistics
 * are multiples of it: p90 1.6x, p95 1.8x, p99 2.2x, mean 1.1x); a level
 * of one sample has every percentile at its p50. */
double fixture_p50(const fixture_run *run, size_t level);

/* Creates a store at path holding the runs. Aborts the test on failure. */
void fixture_store(const char *path, const fixture_run *runs, size_t count);

/* A fixture_run with the defaults: six paper levels, 400 samples each, no
 * empty or single level. */
fixture_run fixture_default(const char *name);

#endif
