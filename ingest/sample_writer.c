#include "sample_writer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

/* Rows per INSERT statement: one statement of many rows saves SQLite's
 * per-statement work (cursor set-up, halt) on every row. 128 rows of 11
 * columns stay well under SQLite's 32766 parameters. */
#define BATCH_ROWS 128
#define COLUMNS 11

/* Text of a pending row, copied: the reader's buffer moves on. */
typedef struct text_ref {
    size_t offset; /* into writer.text */
    size_t len;
    bool present;  /* false binds NULL */
} text_ref;

typedef struct pending_row {
    sample_row row;                 /* its strings are not used: see the refs */
    text_ref operation, session, label;
} pending_row;

struct sample_writer {
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
};

static text_ref keep_text(sample_writer *w, const char *s, size_t len)
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

static void bind_text_ref(const sample_writer *w, sqlite3_stmt *st, int index, text_ref ref)
{
    if (ref.present)
        sqlite3_bind_text(st, index, w->text + ref.offset, (int)ref.len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

static const char *const role_names[] = {NULL, "sub", "transaction"};

static void bind_row(const sample_writer *w, sqlite3_stmt *st, int base, const pending_row *p)
{
    const sample_row *row = &p->row;
    sqlite3_bind_int64(st, base + 1, w->file_id);
    sqlite3_bind_int64(st, base + 2, row->t_ns);
    if (row->level >= 0)
        sqlite3_bind_int(st, base + 3, row->level);
    else
        sqlite3_bind_null(st, base + 3);
    sqlite3_bind_double(st, base + 4, row->delay_ms);
    bind_text_ref(w, st, base + 5, p->operation);
    bind_text_ref(w, st, base + 6, p->session);
    bind_text_ref(w, st, base + 7, p->label);
    if (row->ok >= 0)
        sqlite3_bind_int(st, base + 8, row->ok ? 1 : 0);
    else
        sqlite3_bind_null(st, base + 8);
    if (row->concurrency >= 0)
        sqlite3_bind_int64(st, base + 9, row->concurrency);
    else
        sqlite3_bind_null(st, base + 9);
    if (row->weight > 0 && row->weight != 1.0)
        sqlite3_bind_double(st, base + 10, row->weight);
    else
        sqlite3_bind_null(st, base + 10);
    const char *role = row->role > 0 && row->role <= LOAD_TRANSACTION ? role_names[row->role] : NULL;
    if (role)
        sqlite3_bind_text(st, base + 11, role, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, base + 11);
}

static int step_insert(sample_writer *w, sqlite3_stmt *st, size_t rows, diag_list *diags)
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

int sample_writer_flush(sample_writer *w, diag_list *diags)
{
    int status = STATUS_OK;
    if (w->pending == BATCH_ROWS) {
        for (size_t i = 0; i < BATCH_ROWS; i++)
            bind_row(w, w->insert_batch, (int)(COLUMNS * i), &w->rows[i]);
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

int sample_writer_add(sample_writer *w, const sample_row *row, diag_list *diags)
{
    pending_row *p = &w->rows[w->pending++];
    p->row = *row;
    p->operation = keep_text(w, row->operation, row->operation_len);
    p->session = keep_text(w, row->session, row->session_len);
    p->label = keep_text(w, row->label, row->label_len);
    return w->pending == BATCH_ROWS ? sample_writer_flush(w, diags) : STATUS_OK;
}

int sample_writer_new(sqlite3 *db, int64_t file_id, sample_writer **out, diag_list *diags)
{
    static const char head[] = "INSERT INTO sample (file_id, t_ns, level, delay_ms, operation, "
                               "session, label, ok, concurrency, weight, role) VALUES ";
    static const char one[] = "(?,?,?,?,?,?,?,?,?,?,?)";
    sample_writer *w = xcalloc(1, sizeof *w);
    w->db = db;
    w->file_id = file_id;
    *out = w;
    size_t len = sizeof head + BATCH_ROWS * (sizeof one + 1);
    char *sql = xmalloc(len);
    size_t o = (size_t)snprintf(sql, len, "%s", head);
    for (size_t i = 0; i < BATCH_ROWS; i++)
        o += (size_t)snprintf(sql + o, len - o, "%s%s", i ? "," : "", one);
    int status = store_prepare(db, sql, &w->insert_batch, diags);
    if (!status) {
        snprintf(sql, len, "%s%s", head, one);
        status = store_prepare(db, sql, &w->insert_one, diags);
    }
    free(sql);
    return status;
}

long long sample_writer_count(const sample_writer *w)
{
    return w->count;
}

int64_t sample_writer_first(const sample_writer *w)
{
    return w->first;
}

int64_t sample_writer_last(const sample_writer *w)
{
    return w->last;
}

void sample_writer_free(sample_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->insert_batch);
    sqlite3_finalize(w->insert_one);
    free(w->text);
    free(w);
}
