/* The comparisons a store holds as text: an aligned table for people, CSV
 * with a fixed header and JSON for programs (the README's "Comparing
 * runs" documents every column). Reads the comparison tables only. */
#ifndef P3_COMPARE_OUT_H
#define P3_COMPARE_OUT_H

#include <sqlite3.h>
#include <stdio.h>

#include "compare_results.h"
#include "diag.h"
#include "stats_out.h"

/* Writes one row per OTHER run and level, in the order they were compared,
 * as table (with each OTHER's summary line under its rows), CSV or JSON.
 * Returns STATUS_OK, STATUS_BAD_INPUT when the store holds no comparison,
 * or STATUS_FAILURE. */
int compare_out_write(sqlite3 *db, stats_out_format format, FILE *out, diag_list *diags);

/* The CSV's columns after baseline,other,level, for other tables of the
 * same figures (the Compare sheet). */
typedef enum compare_out_kind {
    COMPARE_OUT_MS,     /* a time in ms (CSV: 3 decimals) */
    COMPARE_OUT_POINTS, /* a share or percentage points (CSV: 4 decimals) */
    COMPARE_OUT_STATISTIC, /* a test statistic, an effect size (CSV: the shortest exact form) */
    COMPARE_OUT_P_VALUE,   /* a p-value (CSV: the shortest exact form) */
    COMPARE_OUT_COUNT,  /* a number of samples */
    COMPARE_OUT_TEXT    /* words */
} compare_out_kind;

/* How many columns there are after baseline,other,level. */
size_t compare_out_column_count(void);
/* Column k's name, with line for the endurance line in the names of the
 * shares over it ("1000" in the CSV). Caller frees. */
char *compare_out_column_name(size_t k, const char *line);
compare_out_kind compare_out_column_kind(size_t k);
/* Column k of level j of c: a number (NAN where there is none), or for
 * COMPARE_OUT_TEXT a text (NULL where none), borrowed from c. */
double compare_out_number(const compare_results *c, size_t j, size_t k);
const char *compare_out_text(const compare_results *c, size_t j, size_t k);

/* One line per comparison: "<other> against <baseline>: <summary>". */
int compare_out_summary(sqlite3 *db, FILE *out, diag_list *diags);

#endif
