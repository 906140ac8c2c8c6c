/* Puts one probe log into the store, all of it or nothing: its samples, its
 * metadata and the record of the file, in one transaction. */
#ifndef P3_PROBE_INGEST_H
#define P3_PROBE_INGEST_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "run_record.h"

/* What became of a file. */
typedef enum ingest_outcome {
    INGEST_STORED,    /* its content went in */
    INGEST_DUPLICATE, /* the run already holds the same bytes: skipped */
    INGEST_REJECTED,  /* it has errors: nothing went in */
    INGEST_IGNORED,   /* not a format p3 reads: skipped */
    INGEST_FAILED     /* the store or the file system failed */
} ingest_outcome;

/* The result of ingesting one file. */
typedef struct ingest_file_result {
    ingest_outcome outcome;
    char *run;             /* the run it went to (owned), when known */
    long long samples;     /* samples stored */
    bool replaced;         /* what the run held of its path, with other content,
                              was replaced by it */
} ingest_file_result;

/* Ingests the probe log at path into the run of spec. When spec->name is
 * NULL the run is the file's `# run:` or else fallback_name. Returns the
 * status (STATUS_OK also for a duplicate); details in *result, which the
 * caller frees with ingest_file_result_clear(). */
int probe_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                      const char *path, ingest_file_result *result, diag_list *diags);

void ingest_file_result_clear(ingest_file_result *result);

#endif
