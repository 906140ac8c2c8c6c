/* Writes one file's samples into the store in batches: many rows per
 * INSERT statement, text copied out of the readers' buffers. Used inside
 * the transaction that stores the file, by every reader of samples. */
#ifndef P3_SAMPLE_WRITER_H
#define P3_SAMPLE_WRITER_H

#include <sqlite3.h>
#include <stdint.h>

#include "diag.h"
#include "load_sink.h"

typedef struct sample_writer sample_writer;

/* A row of the sample table. Strings borrowed for the call; NULL binds NULL. */
typedef struct sample_row {
    int64_t t_ns;
    int level;               /* -1: NULL */
    double delay_ms;
    const char *operation;   /* probe logs */
    size_t operation_len;
    const char *session;
    size_t session_len;
    const char *label;       /* load-test tools */
    size_t label_len;
    int ok;                  /* 1, 0; -1: NULL */
    long concurrency;        /* -1: NULL */
    double weight;           /* 1 (or 0): NULL */
    load_role role;
} sample_row;

/* Prepares the writer for file_id's rows. Returns STATUS_OK or
 * STATUS_FAILURE; *out is set either way (free with sample_writer_free). */
int sample_writer_new(sqlite3 *db, int64_t file_id, sample_writer **out, diag_list *diags);

/* Queues a row, writing a batch when enough are queued. */
int sample_writer_add(sample_writer *w, const sample_row *row, diag_list *diags);

/* Writes what is queued. */
int sample_writer_flush(sample_writer *w, diag_list *diags);

/* Rows written, and their sample_id range (valid when count > 0). */
long long sample_writer_count(const sample_writer *w);
int64_t sample_writer_first(const sample_writer *w);
int64_t sample_writer_last(const sample_writer *w);

/* Finalises the statements (no statement may be pending at COMMIT) and
 * frees; NULL is a no-op. */
void sample_writer_free(sample_writer *w);

#endif
