/* Stored counters as text: the list of counters with their sides and
 * summaries (p3 counters), and their series as CSV (p3 export). Reads the
 * counter tables; values come back from their chunk blobs. */
#ifndef P3_COUNTER_OUT_H
#define P3_COUNTER_OUT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "diag.h"

/* Lists the counters of every run (or run_name) whose path matches pattern
 * (a case-insensitive glob; NULL matches all), as CSV with the header
 * run,file,path,side,samples,min,mean,max or as an aligned table.
 * Returns STATUS_OK, STATUS_BAD_INPUT when nothing matches, or
 * STATUS_FAILURE. */
int counter_out_list(sqlite3 *db, const char *run_name, const char *pattern, bool csv, FILE *out,
                     diag_list *diags);

/* Writes the series of the matching counters as CSV with the header
 * run,time_utc,path,value: one line per row of the counter's file, in time
 * order, value empty where it is missing. Same returns as above. */
int counter_out_export(sqlite3 *db, const char *run_name, const char *pattern, FILE *out,
                       diag_list *diags);

#endif
