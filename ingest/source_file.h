/* The record of every ingested file (source_file) and the tests that make
 * ingest idempotent and deliberate: a file whose bytes the run already holds
 * is skipped; a file whose path the run holds with other bytes (a log that
 * grew, a file edited) replaces what it stored before, or is refused. */
#ifndef P3_SOURCE_FILE_H
#define P3_SOURCE_FILE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

/* What to do with a file whose path the run already holds with other
 * content (--changed). */
typedef enum source_file_changed {
    SOURCE_FILE_REPLACE, /* default: the new content replaces the old, with a note */
    SOURCE_FILE_REFUSE   /* an error: the old content stays */
} source_file_changed;

/* What ingest does with a file, decided before it is read. */
typedef enum source_file_verdict {
    SOURCE_FILE_NEW,    /* read and store it (replacing *prior, if any) */
    SOURCE_FILE_COPY,   /* the run holds its bytes: skipped, with a note */
    SOURCE_FILE_REFUSED, /* it changed and the policy refuses it: an error */
    SOURCE_FILE_FAILED   /* the store failed (with a diagnostic) */
} source_file_verdict;

/* The rows a file's new content replaces: the run's rows of the same path
 * with other bytes (more than one in stores written before replacing
 * existed, where a grown file was stored again beside its old self). */
typedef struct source_file_prior {
    int64_t *file_ids;  /* oldest first; owned */
    size_t count;       /* 0: nothing to replace */
    long long size;     /* bytes the newest of them recorded */
} source_file_prior;

/* If the run called run_name already holds a file with path's bytes,
 * the path it was stored under (caller frees); else NULL. Cheap when the
 * run holds no file of the same size: only then is path hashed. */
char *source_file_find_copy(sqlite3 *db, const char *run_name, const char *path);

/* The stored path of a file of run_id with this SHA-256, or NULL (caller
 * frees). */
char *source_file_with_digest(sqlite3 *db, int64_t run_id, const char *sha256_hex);

/* Inserts the file's row with its digest still empty; *file_id receives
 * its id. Call inside the transaction that stores its content. */
int source_file_insert(sqlite3 *db, int64_t run_id, const char *path, const char *kind,
                       int64_t *file_id, diag_list *diags);

/* Completes the row once the file is read: digest, size, and for probe logs
 * the sample count and sample_id range (count 0: no range). */
int source_file_complete(sqlite3 *db, int64_t file_id, const char *sha256_hex, long long size,
                         long long samples, int64_t first_sample, int64_t last_sample,
                         diag_list *diags);

/* Records which reader took the file ('p3-probe', 'jmeter-csv', ...). */
int source_file_set_format(sqlite3 *db, int64_t file_id, const char *format, diag_list *diags);

/* The SHA-256 (hex) and size of the file at path, read whole. Returns
 * STATUS_OK, or STATUS_BAD_INPUT with a diagnostic when it cannot be read. */
int source_file_digest(const char *path, char hex[65], long long *size, diag_list *diags);

/* Whether the run called run_name already holds path's bytes; if so, says
 * so in a note (the file is skipped). */
bool source_file_already_stored(sqlite3 *db, const char *run_name, const char *path,
                                diag_list *diags);

/* Adds "<path>: note: already in the store as '<copy>'; skipped". */
void source_file_note_copy(diag_list *diags, const char *path, const char *copy);

/* Decides what becomes of the data file at path in the run called
 * run_name, before it is read: SOURCE_FILE_COPY (with the copy's note)
 * when the run holds its bytes; SOURCE_FILE_REFUSED (with the error) when
 * the run holds its path with other bytes and policy is
 * SOURCE_FILE_REFUSE; else SOURCE_FILE_NEW, *prior listing the rows the
 * new content is to replace (release with source_file_prior_clear()).
 * When the run holds the new bytes under another path and the old ones
 * under this path, the old rows are removed here, in a transaction of their
 * own, and the verdict is SOURCE_FILE_COPY. SOURCE_FILE_FAILED when the
 * store failed. */
source_file_verdict source_file_admit(sqlite3 *db, const char *run_name, const char *path,
                                      source_file_changed policy, source_file_prior *prior,
                                      diag_list *diags);

/* A verdict as the status an ingest step goes on with: STATUS_OK for a new
 * file and for a copy (*copy says which: a copy is skipped), STATUS_BAD_INPUT
 * for a refused change, STATUS_FAILURE. */
int source_file_verdict_status(source_file_verdict verdict, bool *copy);

/* Removes the rows of *prior and everything stored from them: samples, file
 * metadata, counters with their rows and values, schedule intervals,
 * aggregates with their quantiles. Call inside the transaction that stores
 * the new content, after it is stored (so that no sample_id or counter_id
 * of the old content is ever given again). */
int source_file_remove(sqlite3 *db, const source_file_prior *prior, diag_list *diags);

/* Adds "<path>: note: replaced: the file changed since it was ingested
 * (N bytes, now M)"; call once the new content is committed. */
void source_file_note_replaced(diag_list *diags, const char *path, long long before,
                               long long now);

/* Adds "<path>: error: the file changed since it was ingested (N bytes, now
 * M): the store keeps its old content (--changed refuse)". */
void source_file_note_refused(diag_list *diags, const char *path, long long before, long long now);

/* Frees what *prior owns and zeroes it. */
void source_file_prior_clear(source_file_prior *prior);

#endif
