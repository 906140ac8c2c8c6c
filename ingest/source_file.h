/* The record of every ingested file (source_file) and the test that makes
 * ingest idempotent: a file whose bytes the run already holds is skipped. */
#ifndef P3_SOURCE_FILE_H
#define P3_SOURCE_FILE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

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

#endif
