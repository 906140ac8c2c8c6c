/* The statistics of analysed runs as text: an aligned table for people, CSV
 * with a fixed header for programs, JSON with every bucket. Reads the result
 * tables only. */
#ifndef P3_STATS_OUT_H
#define P3_STATS_OUT_H

#include <sqlite3.h>
#include <stdio.h>

#include "diag.h"

typedef enum stats_out_format {
    STATS_OUT_TABLE,
    STATS_OUT_CSV,
    STATS_OUT_JSON
} stats_out_format;

/* Writes one row per run and level (runs by name, levels in order) of every
 * analysed run, or of run_name only. Returns STATUS_OK, STATUS_BAD_INPUT
 * when there is nothing to print (no analysed run, unknown run_name, runs
 * with different bucket edges in one CSV), or STATUS_FAILURE. */
int stats_out_write(sqlite3 *db, const char *run_name, stats_out_format format, FILE *out,
                    diag_list *diags);

/* One line per analysed run: samples, levels, and the worst p95 with its
 * level, e.g. "fig02: 3600 samples, 6 levels, worst p95 812.4 ms (Overload)". */
int stats_out_summary(sqlite3 *db, FILE *out, diag_list *diags);

/* Writes s as a CSV field (quoted when it holds a comma, quote or line end). */
void stats_out_csv_field(FILE *out, const char *s);
/* Writes s as a JSON string with quotes and escapes. */
void stats_out_json_string(FILE *out, const char *s);
/* Writes v as a JSON number in the shortest form that reads back the same. */
void stats_out_json_number(FILE *out, double v);

#endif
