/* p3 labels: every label (transaction or request name) of the analysed
 * runs, per level, with its count, error share, p50 and p95, so that the
 * user can choose which labels form the probe. */
#ifndef P3_LABEL_OUT_H
#define P3_LABEL_OUT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "diag.h"

/* Writes the labels of run (NULL: every run) as a table or CSV
 * (run,level,label,in_probe,n,errors,error_pct,mean_ms,p50_ms,p95_ms).
 * Returns STATUS_OK, STATUS_BAD_INPUT when the store holds no labels (a
 * diagnostic says why), or STATUS_FAILURE. */
int label_out_list(sqlite3 *db, const char *run, bool csv, FILE *out, diag_list *diags);

#endif
