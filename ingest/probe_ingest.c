#include "probe_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_reader.h"
#include "source_file.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

void ingest_file_result_clear(ingest_file_result *result)
{
    free(result->run);
    memset(result, 0, sizeof *result);
}

/* Rows per INSERT statement: one statement of many rows saves SQLite's
 * per-statement work (cursor set-up, halt) on every row. 128 rows of 6
 * columns stay well under SQLite's 32766 parameters. */
#define BATCH_ROWS 128

/* Text of a pending row, copied: the reader's buffer moves on. */
typedef struct text_ref {
    size_t offset; /* into writer.text */
    size_t len;
    bool present;  /* false binds NULL */
} text_ref;

typedef struct pending_row {
    int64_t t_ns;
    int level;
    double delay_ms;
    text_ref operation, session;
} pending_row;

/* Writes a file's samples in batches; prepared once per file. */
typedef struct writer {
    sqlite3 *db;
    sqlite3_stmt *insert_batch; /* BATCH_ROWS rows */
    sqlite3_stmt *insert_one;   /* the rest, row by row */
    int64_t file_id;
    int64_t first, last;        /* sample_id range */
    long long count;            /* rows written */
    pending_row rows[BATCH_ROWS];
    size_t pending;             /* rows waiting */
    char *text;                 /* their copied text */
    size_t text_len, text_cap;
} writer;

static text_ref keep_text(writer *w, const char *s, size_t len)
{
    if (!s)
        return (text_ref){0};
    if (w->text_len + len > w->text_cap) {
        w->text_cap = 2 * (w->text_len + len) + 256;
        w->text = xrealloc(w->text, w->text_cap);
    }
    memcpy(w->text + w->text_len, s, len);
    text_ref ref = {w->text_len, len, true};
    w->text_len += len;
    return ref;
}

static void bind_text_ref(const writer *w, sqlite3_stmt *st, int index, text_ref ref)
{
    if (ref.present)
        sqlite3_bind_text(st, index, w->text + ref.offset, (int)ref.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

static void bind_row(const writer *w, sqlite3_stmt *st, int base, const pending_row *row)
{
    sqlite3_bind_int64(st, base + 1, w->file_id);
    sqlite3_bind_int64(st, base + 2, row->t_ns);
    if (row->level >= 0)
        sqlite3_bind_int(st, base + 3, row->level);
    else
        sqlite3_bind_null(st, base + 3);
    sqlite3_bind_double(st, base + 4, row->delay_ms);
    bind_text_ref(w, st, base + 5, row->operation);
    bind_text_ref(w, st, base + 6, row->session);
}

static int step_insert(writer *w, sqlite3_stmt *st, size_t rows, diag_list *diags)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(w->db, diags, "cannot store samples");
    w->last = sqlite3_last_insert_rowid(w->db);
    if (w->count == 0)
        w->first = w->last - (int64_t)rows + 1;
    w->count += (long long)rows;
    return STATUS_OK;
}

/* Writes the pending rows: one batch statement when full, else row by row. */
static int flush_rows(writer *w, diag_list *diags)
{
    int status = STATUS_OK;
    if (w->pending == BATCH_ROWS) {
        for (size_t i = 0; i < BATCH_ROWS; i++)
            bind_row(w, w->insert_batch, (int)(6 * i), &w->rows[i]);
        status = step_insert(w, w->insert_batch, BATCH_ROWS, diags);
    } else {
        for (size_t i = 0; i < w->pending && !status; i++) {
            bind_row(w, w->insert_one, 0, &w->rows[i]);
            status = step_insert(w, w->insert_one, 1, diags);
        }
    }
    w->pending = 0;
    w->text_len = 0;
    return status;
}

static int write_sample(writer *w, const probe_sample *s, diag_list *diags)
{
    pending_row *row = &w->rows[w->pending++];
    row->t_ns = s->t_ns;
    row->level = s->level;
    row->delay_ms = s->delay_ms;
    row->operation = keep_text(w, s->operation, s->operation_len);
    row->session = keep_text(w, s->session, s->session_len);
    return w->pending == BATCH_ROWS ? flush_rows(w, diags) : STATUS_OK;
}

/* Prepares the two insert statements. */
static int prepare_inserts(writer *w, diag_list *diags)
{
    static const char head[] =
        "INSERT INTO sample (file_id, t_ns, level, delay_ms, operation, session) VALUES ";
    static const char one[] = "(?,?,?,?,?,?)";
    size_t len = sizeof head + BATCH_ROWS * (sizeof one + 1);
    char *sql = xmalloc(len);
    size_t o = (size_t)snprintf(sql, len, "%s", head);
    for (size_t i = 0; i < BATCH_ROWS; i++)
        o += (size_t)snprintf(sql + o, len - o, "%s%s", i ? "," : "", one);
    int status = store_prepare(w->db, sql, &w->insert_batch, diags);
    if (!status) {
        snprintf(sql, len, "%s%s", head, one);
        status = store_prepare(w->db, sql, &w->insert_one, diags);
    }
    free(sql);
    return status;
}

static void writer_clear(writer *w)
{
    sqlite3_finalize(w->insert_batch);
    sqlite3_finalize(w->insert_one);
    free(w->text);
    w->insert_batch = w->insert_one = NULL;
    w->text = NULL;
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
 * that every broken line is reported, but stores nothing more. */
static int copy_rows(probe_reader *reader, writer *w, diag_list *diags)
{
    probe_sample s;
    int status = STATUS_OK;
    while (probe_reader_next(reader, &s)) {
        if (status || probe_reader_errors(reader))
            continue;
        status = write_sample(w, &s, diags);
    }
    if (!status && !probe_reader_errors(reader))
        status = flush_rows(w, diags);
    return status;
}

int probe_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                      const char *path, ingest_file_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    result->outcome = INGEST_REJECTED;
    probe_reader *reader = NULL;
    run_record run = {0};
    writer w = {.db = db};
    bool in_transaction = false;
    int status = probe_reader_open(path, &reader, diags);
    if (status)
        goto out;
    const probe_header *h = probe_reader_header(reader);
    run_spec lone = *spec;
    if (!lone.name)
        lone.name = h->run ? h->run : fallback_name;
    result->run = xstrdup(lone.name);

    /* Skip a file whose bytes the run already holds, before parsing it. */
    char *copy = source_file_find_copy(db, lone.name, path);
    if (copy) {
        source_file_note_copy(diags, path, copy);
        free(copy);
        result->outcome = INGEST_DUPLICATE;
        goto out;
    }

    if ((status = store_exec(db, "BEGIN IMMEDIATE", diags)))
        goto out;
    in_transaction = true;
    if ((status = run_record_ensure(db, &lone, &run, diags)))
        goto out;
    probe_reader_set_levels(reader, (const char *const *)run.levels, run.level_count);
    if ((status = source_file_insert(db, run.run_id, path, "probe", &w.file_id, diags)) ||
        (status = write_header(db, run.run_id, w.file_id, h, diags)) ||
        (status = prepare_inserts(&w, diags)))
        goto out;
    status = copy_rows(reader, &w, diags);
    char sha[65];
    long long size = 0;
    int finish = probe_reader_finish(reader, sha, &size);
    status = status_worst(status, finish);
    if (status)
        goto out;
    copy = source_file_with_digest(db, run.run_id, sha);
    if (copy) {
        /* The same bytes under another name: found only now, rolled back. */
        source_file_note_copy(diags, path, copy);
        free(copy);
        result->outcome = INGEST_DUPLICATE;
        goto out;
    }
    if ((status = source_file_complete(db, w.file_id, sha, size, w.count, w.first, w.last,
                                       diags)))
        goto out;
    writer_clear(&w); /* no statement may be pending at COMMIT */
    if ((status = store_exec(db, "COMMIT", diags)))
        goto out;
    in_transaction = false;
    result->outcome = INGEST_STORED;
    result->samples = w.count;
out:
    writer_clear(&w);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (status == STATUS_FAILURE)
        result->outcome = INGEST_FAILED;
    run_record_clear(&run);
    probe_reader_free(reader);
    return result->outcome == INGEST_DUPLICATE ? STATUS_OK : status;
}
