#include "loadtest_ingest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_guard.h"
#include "sample_writer.h"
#include "source_file.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

/* The readers, each in ingest/<name>_reader.c. */
extern const load_format jtl_csv_format, jtl_xml_format, k6_format, gatling_format, hlog_format,
    fio_format, locust_format;

/* Tried in this order: the more specific content tests first. */
const load_format *const loadtest_formats[] = {
    &jtl_xml_format, &gatling_format, &hlog_format, &k6_format,
    &locust_format,  &jtl_csv_format, &fio_format,
};
const size_t loadtest_format_count = sizeof loadtest_formats / sizeof *loadtest_formats;

const load_format *loadtest_sniff(const char *path, const char *head, size_t len)
{
    for (size_t i = 0; i < loadtest_format_count; i++)
        if (loadtest_formats[i]->sniff(path, head, len))
            return loadtest_formats[i];
    return NULL;
}

load_options loadtest_options_merge(const load_options *command_line, const run_ini *ini)
{
    load_options o = *command_line;
    const run_ini_entry *e;
    if (!o.unit && ini && (e = run_ini_get(ini, "run", "unit")))
        o.unit = e->value;
    if (!o.fio_log && ini && (e = run_ini_get(ini, "run", "fio_log")))
        o.fio_log = e->value;
    if (!o.k6_metric && ini && (e = run_ini_get(ini, "run", "k6_metric")))
        o.k6_metric = e->value;
    if (!o.locust_percentiles && ini && (e = run_ini_get(ini, "run", "locust_percentiles")))
        o.locust_percentiles = e->value;
    return o;
}

/* What the sink callbacks write into. */
typedef struct store_ctx {
    sqlite3 *db;
    int64_t file_id;
    int file_level;          /* from a [levels] binding, or -1 */
    sample_writer *writer;
    sqlite3_stmt *aggregate, *quantile, *meta;
    long long aggregates;
    diag_list *diags;
} store_ctx;

static int put_sample(void *ctx, const load_sample *s)
{
    store_ctx *c = ctx;
    sample_row row = {.t_ns = s->t_ns,
                      .level = c->file_level,
                      .delay_ms = s->delay_ms,
                      .label = s->label,
                      .label_len = s->label_len,
                      .ok = s->ok,
                      .concurrency = s->concurrency,
                      .weight = s->weight,
                      .role = s->role};
    return sample_writer_add(c->writer, &row, c->diags);
}

static int put_aggregate(void *ctx, const load_aggregate *a)
{
    store_ctx *c = ctx;
    sqlite3_stmt *st = c->aggregate;
    sqlite3_bind_int64(st, 1, c->file_id);
    sqlite3_bind_int64(st, 2, a->t_ns);
    if (a->span_ns > 0)
        sqlite3_bind_int64(st, 3, a->span_ns);
    else
        sqlite3_bind_null(st, 3);
    if (a->concurrency >= 0)
        sqlite3_bind_int64(st, 4, a->concurrency);
    else
        sqlite3_bind_null(st, 4);
    if (a->label)
        sqlite3_bind_text(st, 5, a->label, (int)a->label_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, a->requests);
    sqlite3_bind_int64(st, 7, a->failures);
    if (isfinite(a->mean_ms))
        sqlite3_bind_double(st, 8, a->mean_ms);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_int(st, 9, a->window ? 1 : 0);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(c->db, c->diags, "cannot store aggregates");
    int64_t id = sqlite3_last_insert_rowid(c->db);
    c->aggregates++;
    for (size_t i = 0; i < a->quantile_count && i < LOAD_MAX_QUANTILES; i++) {
        sqlite3_bind_int64(c->quantile, 1, id);
        sqlite3_bind_int(c->quantile, 2, (int)a->q[i]);
        sqlite3_bind_double(c->quantile, 3, a->value_ms[i]);
        rc = sqlite3_step(c->quantile);
        sqlite3_reset(c->quantile);
        if (rc != SQLITE_DONE)
            return store_fail(c->db, c->diags, "cannot store aggregates");
    }
    return STATUS_OK;
}

static int put_meta(void *ctx, const char *key, const char *value)
{
    store_ctx *c = ctx;
    sqlite3_bind_int64(c->meta, 1, c->file_id);
    sqlite3_bind_text(c->meta, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->meta, 3, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c->meta);
    sqlite3_reset(c->meta);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(c->db, c->diags, "cannot store metadata");
}

static int prepare(store_ctx *c)
{
    if (store_prepare(c->db,
                      "INSERT INTO aggregate (file_id, t_ns, span_ns, concurrency, label, "
                      "requests, failures, mean_ms, window) VALUES (?,?,?,?,?,?,?,?,?)",
                      &c->aggregate, c->diags) ||
        store_prepare(c->db,
                      "INSERT INTO aggregate_quantile (aggregate_id, q, value_ms) VALUES (?,?,?)",
                      &c->quantile, c->diags) ||
        store_prepare(c->db,
                      "INSERT OR REPLACE INTO file_meta (file_id, key, value) VALUES (?, ?, ?)",
                      &c->meta, c->diags))
        return STATUS_FAILURE;
    return sample_writer_new(c->db, c->file_id, &c->writer, c->diags);
}

static void release(store_ctx *c)
{
    sample_writer_free(c->writer);
    sqlite3_finalize(c->aggregate);
    sqlite3_finalize(c->quantile);
    sqlite3_finalize(c->meta);
    c->writer = NULL;
    c->aggregate = c->quantile = c->meta = NULL;
}

int loadtest_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                         const char *path, const load_format *format, const load_options *opts,
                         ingest_file_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    result->outcome = INGEST_REJECTED;
    run_record run = {0};
    store_ctx c = {.db = db, .diags = diags};
    bool in_transaction = false;
    run_spec lone = *spec;
    if (!lone.name)
        lone.name = fallback_name;
    result->run = xstrdup(lone.name);
    source_file_prior prior = {0};
    file_guard guard = {.fd = -1};
    int status = file_guard_open(&guard, path, diags);
    if (status)
        goto out;

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
    bool aggregates = strcmp(format->name, "locust") == 0;
    if ((status = source_file_insert(db, run.run_id, path, aggregates ? "aggregate" : "probe",
                                     &c.file_id, diags)) ||
        (status = source_file_set_format(db, c.file_id, format->name, diags)) ||
        (status = prepare(&c)))
        goto out;
    c.file_level = run_record_file_level(&lone, &run, path);
    load_sink sink = {&c, put_sample, put_aggregate, put_meta};
    char sha[65] = "";
    long long size = 0;
    status = format->read(path, opts, &sink, sha, &size, diags);
    if (!status)
        status = sample_writer_flush(c.writer, diags);
    if (!status && !sha[0])
        status = source_file_digest(path, sha, &size, diags);
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
    long long count = sample_writer_count(c.writer);
    if ((status = source_file_complete(db, c.file_id, sha, size, count,
                                       sample_writer_first(c.writer),
                                       sample_writer_last(c.writer), diags)))
        goto out;
    release(&c); /* no statement may be pending at COMMIT */
    if ((status = source_file_remove(db, &prior, diags)) ||
        (status = store_exec(db, "COMMIT", diags)))
        goto out;
    in_transaction = false;
    result->outcome = INGEST_STORED;
    result->samples = count;
    if (prior.count) {
        result->replaced = true;
        source_file_note_replaced(diags, path, prior.size, size);
    }
out:
    release(&c);
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (status == STATUS_FAILURE)
        result->outcome = INGEST_FAILED;
    run_record_clear(&run);
    file_guard_close(&guard);
    source_file_prior_clear(&prior);
    return result->outcome == INGEST_DUPLICATE ? STATUS_OK : status;
}
