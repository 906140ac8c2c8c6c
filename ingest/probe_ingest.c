#include "probe_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_guard.h"
#include "probe_reader.h"
#include "sample_writer.h"
#include "source_file.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

void ingest_file_result_clear(ingest_file_result *result)
{
    free(result->run);
    memset(result, 0, sizeof *result);
}

/* Stores the header's host/guest where the run has none, and its other keys. */
static int write_header(sqlite3 *db, int64_t run_id, int64_t file_id, const probe_header *h,
                        diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "UPDATE run SET host = coalesce(host, ?2), guest = coalesce(guest, ?3) "
                      "WHERE run_id = ?1 AND ((host IS NULL AND ?2 IS NOT NULL) OR "
                      "(guest IS NULL AND ?3 IS NOT NULL))",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, h->host, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, h->guest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot update the run");
    if (store_prepare(db, "INSERT OR REPLACE INTO file_meta (file_id, key, value) VALUES (?, ?, ?)",
                      &stmt, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < h->extra_count && !status; i++) {
        sqlite3_bind_int64(stmt, 1, file_id);
        sqlite3_bind_text(stmt, 2, h->extra[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, h->extra[i].value, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store the file's metadata");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

/* Streams the rows into the store; keeps reading after the first error so
 * that every broken line is reported, but stores nothing more. file_level
 * (>= 0) is the level a [levels] binding gives rows that name none. */
static int copy_rows(probe_reader *reader, sample_writer *w, int file_level, diag_list *diags)
{
    probe_sample s;
    int status = STATUS_OK;
    while (probe_reader_next(reader, &s)) {
        if (status || probe_reader_errors(reader))
            continue;
        sample_row row = {.t_ns = s.t_ns,
                          .level = s.level >= 0 ? s.level : file_level,
                          .delay_ms = s.delay_ms,
                          .operation = s.operation,
                          .operation_len = s.operation_len,
                          .session = s.session,
                          .session_len = s.session_len,
                          .ok = -1,
                          .concurrency = -1,
                          .weight = 1};
        status = sample_writer_add(w, &row, diags);
    }
    if (!status && !probe_reader_errors(reader))
        status = sample_writer_flush(w, diags);
    return status;
}

int probe_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                      const char *path, ingest_file_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    result->outcome = INGEST_REJECTED;
    probe_reader *reader = NULL;
    run_record run = {0};
    sample_writer *w = NULL;
    int64_t file_id = 0;
    bool in_transaction = false;
    source_file_prior prior = {0};
    file_guard guard = {.fd = -1};
    int status = file_guard_open(&guard, path, diags);
    if (!status)
        status = probe_reader_open(path, &reader, diags);
    if (status)
        goto out;
    const probe_header *h = probe_reader_header(reader);
    run_spec lone = *spec;
    if (!lone.name)
        lone.name = h->run ? h->run : fallback_name;
    result->run = xstrdup(lone.name);

    /* Skip a file whose bytes the run already holds, or refuse one that
     * changed, before parsing it. */
    bool stored_already;
    status = source_file_verdict_status(
        source_file_admit(db, lone.name, path, lone.changed, &prior, diags), &stored_already);
    if (stored_already)
        result->outcome = INGEST_DUPLICATE;
    if (status || stored_already)
        goto out;

    if ((status = store_exec(db, "BEGIN IMMEDIATE", diags)))
        goto out;
    in_transaction = true;
    if ((status = run_record_ensure(db, &lone, &run, diags)))
        goto out;
    probe_reader_set_levels(reader, (const char *const *)run.levels, run.level_count);
    if ((status = source_file_insert(db, run.run_id, path, "probe", &file_id, diags)) ||
        (status = source_file_set_format(db, file_id, "p3-probe", diags)) ||
        (status = write_header(db, run.run_id, file_id, h, diags)) ||
        (status = sample_writer_new(db, file_id, &w, diags)))
        goto out;
    status = copy_rows(reader, w, run_record_file_level(&lone, &run, path), diags);
    char sha[65];
    long long size = 0;
    int finish = probe_reader_finish(reader, sha, &size);
    status = status_worst(status, finish);
    /* A file that changed while it was read is refused as such, even when
     * the read found errors: they may be the change's doing. */
    if (status != STATUS_FAILURE)
        status = status_worst(status, file_guard_check(&guard, path, status ? -1 : size, diags));
    if (status)
        goto out;
    char *copy = source_file_with_digest(db, run.run_id, sha);
    if (copy) {
        /* The same bytes under another name: found only now, rolled back. */
        source_file_note_copy(diags, path, copy);
        free(copy);
        result->outcome = INGEST_DUPLICATE;
        goto out;
    }
    if ((status = source_file_complete(db, file_id, sha, size, sample_writer_count(w),
                                       sample_writer_first(w), sample_writer_last(w), diags)))
        goto out;
    result->samples = sample_writer_count(w);
    sample_writer_free(w); /* no statement may be pending at COMMIT */
    w = NULL;
    if ((status = source_file_remove(db, &prior, diags)) ||
        (status = store_exec(db, "COMMIT", diags)))
        goto out;
    in_transaction = false;
    result->outcome = INGEST_STORED;
    if (prior.count) {
        result->replaced = true;
        source_file_note_replaced(diags, path, prior.size, size);
    }
out:
    sample_writer_free(w);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (status == STATUS_FAILURE)
        result->outcome = INGEST_FAILED;
    run_record_clear(&run);
    probe_reader_free(reader);
    file_guard_close(&guard);
    source_file_prior_clear(&prior);
    return result->outcome == INGEST_DUPLICATE ? STATUS_OK : status;
}
