/* Comparing runs (p3 compare, p3 report --baseline): each OTHER run against
 * a BASELINE, level by level. Loads every run's samples placed in levels
 * as analysis places them, matches the levels by name, runs the statistics
 * of compare_stats.h on each level and Holm's correction across them, and
 * writes the comparisons into a store's result tables
 * (schemas/005_compare.sql), from which the outputs are drawn. The runs
 * are only read, from stores of any schema version; they need not be in
 * the store the results go to. */
#ifndef P3_COMPARE_H
#define P3_COMPARE_H

#include <sqlite3.h>
#include <stddef.h>

#include "analyze.h"
#include "diag.h"

/* One run to compare, and what the outputs call it. Borrowed. */
typedef struct compare_source {
    sqlite3 *db;        /* the store that holds the run; only read */
    const char *run;    /* the run's name in it */
    const char *label;  /* its name in the outputs, unique among the sources */
    const char *origin; /* where it came from, for the record: "lab/fig09", "old.db#fig09" */
} compare_source;

/* Compares sources[1..count) each with sources[0], the baseline (count >=
 * 1), and writes the comparisons into out (a store opened read-write,
 * migrated to this p3's schema), replacing every comparison out held, in
 * one transaction; when out holds these very comparisons already it is not
 * written at all. Levels are matched by name ignoring ASCII case, in the
 * baseline's order, then the levels only the other run has, in its order.
 * Every comparison takes its bucket edges and endurance line from the
 * baseline: opts (--buckets, --endurance), else the baseline's run.ini,
 * else the defaults. The runs' samples are held one OTHER at a time beside
 * the baseline's: about 9 bytes per sample of the two. Returns STATUS_OK,
 * STATUS_BAD_INPUT when a run is not in its store (a diagnostic names it),
 * or STATUS_FAILURE; on failure out keeps what it held. */
int compare_runs(sqlite3 *out, const compare_source *sources, size_t count,
                 const analyze_options *opts, diag_list *diags);

/* Removes every comparison out holds (p3 report without --baseline); a
 * store without any is not written. Returns STATUS_OK or STATUS_FAILURE. */
int compare_clear(sqlite3 *out, diag_list *diags);

#endif
