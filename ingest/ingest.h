/* The ingest stage: takes what the user points at (lab folders holding one
 * folder per run, run folders, single files), recognises each file's format
 * and puts every good file into the store, one transaction per file. A bad
 * file is reported and left out; the good files beside it still go in. */
#ifndef P3_INGEST_H
#define P3_INGEST_H

#include <sqlite3.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"
#include "load_sink.h"
#include "probe_ingest.h"
#include "source_file.h"

/* Counts over one ingest_paths() call. */
typedef struct ingest_totals {
    long stored;      /* files whose content went in */
    long replaced;    /* of those, files that replaced an earlier version of themselves */
    long duplicates;  /* files skipped because the run holds the same bytes */
    long rejected;    /* files with errors, left out */
    long ignored;     /* files of no format p3 reads, skipped */
    long long samples; /* samples stored */
} ingest_totals;

/* What a run found in a folder is named after (--run-name). */
typedef enum ingest_run_name {
    INGEST_RUN_NAME_FOLDER, /* default: its run folder ("run1"); run folders of the
                               same name in two labs are one run, with a warning */
    INGEST_RUN_NAME_LAB     /* its lab folder and run folder ("labA/run1") */
} ingest_run_name;

/* How to read what is ingested. */
typedef struct ingest_options {
    counter_options counters; /* from the command line; a run's run.ini fills in
                                 what these leave unset */
    load_options load;        /* the same for load-test results */
    source_file_changed changed; /* a file whose path the run holds with other
                                    content: replaced (default) or refused */
    ingest_run_name run_name; /* how runs are named */
} ingest_options;

/* Called after each file with its result and the diagnostics so far (the
 * callee may print and clear them). */
typedef void (*ingest_file_fn)(void *ctx, const char *path, const ingest_file_result *result,
                               diag_list *diags);

/* Ingests every path. opts and on_file may be NULL. Returns STATUS_OK,
 * STATUS_BAD_INPUT when some input was rejected or missing, or
 * STATUS_FAILURE when the store failed (then it stops). */
int ingest_paths(sqlite3 *db, const char *const *paths, size_t count, const ingest_options *opts,
                 ingest_file_fn on_file, void *ctx, ingest_totals *totals, diag_list *diags);

#endif
