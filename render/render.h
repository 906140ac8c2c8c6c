/* The render stage's driver: reads the result tables of every analysed run
 * and writes its charts, DIR/<run>/p3.png, through p3chart. */
#ifndef P3_RENDER_H
#define P3_RENDER_H

#include <sqlite3.h>

#include "diag.h"
#include "p3chart.h"

/* Called after each run's charts are written (may be NULL). */
typedef void (*render_run_fn)(void *ctx, const char *run, const char *folder);

/* Writes the charts of every analysed run (or only run_name when not NULL)
 * under dir, creating folders as needed. chart may be NULL for defaults.
 * Returns STATUS_OK, STATUS_BAD_INPUT when there is nothing to draw (no
 * analysed run, or run_name unknown), or STATUS_FAILURE. */
int render_all(sqlite3 *db, const char *dir, const char *run_name, const p3chart_options *chart,
               render_run_fn on_run, void *ctx, diag_list *diags);

/* The folder name for a run: its name with characters that are unsafe in
 * file names (/, \, control characters, leading dots) replaced by '_'.
 * Caller frees. */
char *render_folder_name(const char *run);

#endif
