#include "results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

double results_column_double(sqlite3_stmt *stmt, int i)
{
    return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, i);
}

char *results_column_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    return s ? xstrdup((const char *)s) : NULL;
}

int results_rows_done(sqlite3 *db, sqlite3_stmt *stmt, int rc, const char *what,
                      diag_list *diags)
{
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, what);
}

const char *results_level_name(const results_run *run, long long index)
{
    return index >= 0 && (size_t)index < run->level_count ? run->levels[index].name : NULL;
}

static const char runs_sql[] =
    "SELECT r.run_id, r.name, r.title, r.folder, r.host, r.guest, r.platform, r.notes, "
    "a.endurance_ms, a.samples, a.unplaced, a.first_ns, a.last_ns, a.vcpus, a.native, "
    "a.overhead_pct, a.overhead_ci_lo, a.overhead_ci_hi, a.overhead_assumed, a.overhead_method, "
    "a.guest_untrusted, a.host_counter, a.guest_counter, a.ready_counter, a.onset_margin_ms, "
    "a.onset_endurance_level, a.onset_endurance_cpu_pct, a.onset_margin_level, "
    "a.onset_margin_cpu_pct, a.onset_cpu_source "
    "FROM run r JOIN analysis a USING (run_id) WHERE ?1 IS NULL OR r.name = ?1 ORDER BY r.name";

static results_onset onset_at(sqlite3_stmt *stmt, int level_col, int cpu_col)
{
    results_onset o = {-1, NAN};
    if (sqlite3_column_type(stmt, level_col) != SQLITE_NULL) {
        o.level = sqlite3_column_int64(stmt, level_col);
        o.cpu_pct = results_column_double(stmt, cpu_col);
    }
    return o;
}

static void read_run_row(sqlite3_stmt *stmt, results_run *r)
{
    memset(r, 0, sizeof *r);
    r->run_id = sqlite3_column_int64(stmt, 0);
    r->name = results_column_text(stmt, 1);
    r->title = results_column_text(stmt, 2);
    r->folder = results_column_text(stmt, 3);
    r->host = results_column_text(stmt, 4);
    r->guest = results_column_text(stmt, 5);
    r->platform = results_column_text(stmt, 6);
    r->notes = results_column_text(stmt, 7);
    r->endurance_ms = results_column_double(stmt, 8);
    r->samples = sqlite3_column_int64(stmt, 9);
    r->unplaced = sqlite3_column_int64(stmt, 10);
    r->has_span = sqlite3_column_type(stmt, 11) != SQLITE_NULL &&
                  sqlite3_column_type(stmt, 12) != SQLITE_NULL;
    r->first_ns = sqlite3_column_int64(stmt, 11);
    r->last_ns = sqlite3_column_int64(stmt, 12);
    r->vcpus = results_column_double(stmt, 13);
    r->native = sqlite3_column_int(stmt, 14) != 0;
    r->overhead = results_column_double(stmt, 15);
    r->overhead_lo = results_column_double(stmt, 16);
    r->overhead_hi = results_column_double(stmt, 17);
    r->overhead_assumed = sqlite3_column_int(stmt, 18) != 0;
    r->overhead_said = sqlite3_column_type(stmt, 18) != SQLITE_NULL;
    r->overhead_method = results_column_text(stmt, 19);
    r->guest_untrusted = sqlite3_column_int(stmt, 20) != 0;
    r->host_counter = results_column_text(stmt, 21);
    r->guest_counter = results_column_text(stmt, 22);
    r->ready_counter = results_column_text(stmt, 23);
    r->margin_ms = results_column_double(stmt, 24);
    r->onset_endurance = onset_at(stmt, 25, 26);
    r->onset_margin = onset_at(stmt, 27, 28);
    r->onset_cpu_source = results_column_text(stmt, 29);
    if (!r->title)
        r->title = xstrdup(r->name ? r->name : "");
    if (!r->name)
        r->name = xstrdup("");
}

static int read_meta(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT key, value FROM run_meta WHERE run_id = ? ORDER BY key", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        r->meta = xreallocarray(r->meta, r->meta_count + 1, sizeof *r->meta);
        r->meta[r->meta_count++] = (results_meta){results_column_text(stmt, 0), results_column_text(stmt, 1)};
    }
    return results_rows_done(db, stmt, rc, "cannot read run metadata", diags);
}

static int read_buckets(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT label, upper_ms FROM bucket WHERE run_id = ? ORDER BY bucket",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        size_t k = r->bucket_count++;
        r->bucket_labels = xreallocarray(r->bucket_labels, k + 1, sizeof *r->bucket_labels);
        r->bucket_upper = xreallocarray(r->bucket_upper, k + 1, sizeof *r->bucket_upper);
        char *label = results_column_text(stmt, 0);
        r->bucket_labels[k] = label ? label : xstrdup("");
        r->bucket_upper[k] = results_column_double(stmt, 1);
    }
    return results_rows_done(db, stmt, rc, "cannot read buckets", diags);
}

static const char levels_sql[] =
    "SELECT l.level, l.name, coalesce(s.n, 0), s.mean_ms, s.stddev_ms, s.min_ms, s.max_ms, "
    "s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, s.p999_ms, s.mean_ci_lo, s.mean_ci_hi, "
    "s.p50_ci_lo, s.p50_ci_hi, s.p95_ci_lo, s.p95_ci_hi, s.p99_ci_lo, s.p99_ci_hi, "
    "s.pct_over_endurance, s.pct_le_50, s.level_source, c.host_cpu_pct, c.guest_cpu_pct, "
    "c.useful_cpu_pct, c.discrepancy_pct, c.ready_pct, c.guest_untrusted, %s, "
    "s.level IS NOT NULL, c.level IS NOT NULL, s.variance_ms2, s.cv, s.n_probe, s.n_schedule, "
    "s.n_cpu, %s, c.seconds "
    "FROM run_level l LEFT JOIN level_stats s ON s.run_id = l.run_id AND s.level = l.level "
    "LEFT JOIN level_cpu c ON c.run_id = l.run_id AND c.level = l.level "
    "WHERE l.run_id = ? ORDER BY l.level";

static void read_level_row(sqlite3_stmt *stmt, const results_run *r, results_level *l)
{
    memset(l, 0, sizeof *l);
    char *name = results_column_text(stmt, 1);
    l->name = name ? name : xstrdup("");
    l->n = sqlite3_column_int64(stmt, 2);
    double *const values[] = {&l->mean,   &l->sd,     &l->min,    &l->max,    &l->p50,
                              &l->p90,    &l->p95,    &l->p99,    &l->p999,   &l->mean_lo,
                              &l->mean_hi, &l->p50_lo, &l->p50_hi, &l->p95_lo, &l->p95_hi,
                              &l->p99_lo, &l->p99_hi, &l->pct_over, &l->pct_le_50};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        *values[i] = results_column_double(stmt, 3 + (int)i);
    l->source = results_column_text(stmt, 22);
    l->host_cpu = results_column_double(stmt, 23);
    l->guest_cpu = results_column_double(stmt, 24);
    l->useful_cpu = results_column_double(stmt, 25);
    l->discrepancy = results_column_double(stmt, 26);
    l->ready = results_column_double(stmt, 27);
    l->guest_untrusted = sqlite3_column_int(stmt, 28) != 0;
    l->errors = sqlite3_column_int64(stmt, 29);
    l->error_pct = results_column_double(stmt, 30);
    l->approximate = sqlite3_column_int(stmt, 31) != 0;
    l->has_stats = sqlite3_column_int(stmt, 32) != 0;
    l->has_cpu = sqlite3_column_int(stmt, 33) != 0;
    l->variance = results_column_double(stmt, 34);
    l->cv = results_column_double(stmt, 35);
    l->n_probe = results_column_double(stmt, 36);
    l->n_schedule = results_column_double(stmt, 37);
    l->n_cpu = results_column_double(stmt, 38);
    l->n_concurrency = results_column_double(stmt, 39);
    l->n_file = results_column_double(stmt, 40);
    l->cpu_seconds = results_column_double(stmt, 41);
    l->bucket_count = xcalloc(r->bucket_count + 1, sizeof *l->bucket_count);
    l->bucket_pct = xcalloc(r->bucket_count + 1, sizeof *l->bucket_pct);
}

/* The levels in order; level numbers outside 0..count-1 (a damaged store)
 * are skipped rather than trusted as indexes. */
static int read_levels(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    /* Stores before schema 6 have no error columns. */
    r->v6 = store_version(db) >= 6;
    char *sql = xasprintf(levels_sql,
                          r->v6 ? "coalesce(s.errors, 0), s.error_pct, s.approximate"
                                : "0, NULL, 0",
                          r->v6 ? "s.n_concurrency, s.n_file" : "NULL, NULL");
    int prepared = store_prepare(db, sql, &stmt, diags);
    free(sql);
    if (prepared)
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        r->levels = xreallocarray(r->levels, r->level_count + 1, sizeof *r->levels);
        read_level_row(stmt, r, &r->levels[r->level_count++]);
    }
    return results_rows_done(db, stmt, rc, "cannot read level statistics", diags);
}

/* The position of level number `level` in r->levels: run_level numbers
 * them 0.. in order, so it is the number itself when in range. */
static results_level *level_at(results_run *r, sqlite3_int64 level)
{
    return level >= 0 && (size_t)level < r->level_count ? &r->levels[level] : NULL;
}

static int read_level_buckets(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT level, bucket, count, pct FROM level_bucket WHERE run_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        results_level *l = level_at(r, sqlite3_column_int64(stmt, 0));
        sqlite3_int64 bucket = sqlite3_column_int64(stmt, 1);
        if (!l || bucket < 0 || (size_t)bucket >= r->bucket_count)
            continue;
        l->bucket_count[bucket] = sqlite3_column_int64(stmt, 2);
        l->bucket_pct[bucket] = sqlite3_column_double(stmt, 3);
    }
    return results_rows_done(db, stmt, rc, "cannot read level buckets", diags);
}

static int read_quantiles(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT level, q, value_ms FROM level_quantile WHERE run_id = ? "
                      "ORDER BY level, q",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        results_level *l = level_at(r, sqlite3_column_int64(stmt, 0));
        if (!l || l->n <= 0)
            continue;
        size_t k = l->quantile_count++;
        l->quantile_q = xreallocarray(l->quantile_q, k + 1, sizeof *l->quantile_q);
        l->quantile_ms = xreallocarray(l->quantile_ms, k + 1, sizeof *l->quantile_ms);
        l->quantile_q[k] = sqlite3_column_int64(stmt, 1) / 100.0;
        l->quantile_ms[k] = sqlite3_column_double(stmt, 2);
    }
    return results_rows_done(db, stmt, rc, "cannot read quantiles", diags);
}

static int read_notes(sqlite3 *db, results_run *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT severity, message FROM analysis_note WHERE run_id = ? ORDER BY seq",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        r->analysis_notes = xreallocarray(r->analysis_notes, r->analysis_note_count + 1,
                                          sizeof *r->analysis_notes);
        char *severity = results_column_text(stmt, 0), *message = results_column_text(stmt, 1);
        r->analysis_notes[r->analysis_note_count++] =
            (results_note){severity ? severity : xstrdup("note"), message ? message : xstrdup("")};
    }
    return results_rows_done(db, stmt, rc, "cannot read analysis notes", diags);
}

int results_read(sqlite3 *db, const char *run_name, results_run **runs, size_t *count,
                 diag_list *diags)
{
    *runs = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    if (store_prepare(db, runs_sql, &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *runs = xreallocarray(*runs, *count + 1, sizeof **runs);
        read_run_row(stmt, &(*runs)[(*count)++]);
    }
    int status = results_rows_done(db, stmt, rc, "cannot read analysed runs", diags);
    for (size_t i = 0; i < *count && !status; i++) {
        results_run *r = &(*runs)[i];
        status = read_meta(db, r, diags);
        if (!status)
            status = read_buckets(db, r, diags);
        if (!status)
            status = read_levels(db, r, diags);
        if (!status)
            status = read_level_buckets(db, r, diags);
        if (!status)
            status = read_quantiles(db, r, diags);
        if (!status)
            status = read_notes(db, r, diags);
    }
    if (status) {
        results_free(*runs, *count);
        *runs = NULL;
        *count = 0;
    }
    return status;
}

static void level_free(results_level *l)
{
    free(l->name);
    free(l->source);
    free(l->bucket_count);
    free(l->bucket_pct);
    free(l->quantile_q);
    free(l->quantile_ms);
}

void results_free(results_run *runs, size_t count)
{
    if (!runs)
        return;
    for (size_t i = 0; i < count; i++) {
        results_run *r = &runs[i];
        free(r->name), free(r->title), free(r->folder), free(r->host), free(r->guest);
        free(r->platform), free(r->notes), free(r->overhead_method), free(r->host_counter);
        free(r->guest_counter), free(r->ready_counter), free(r->onset_cpu_source);
        for (size_t k = 0; k < r->meta_count; k++)
            free(r->meta[k].key), free(r->meta[k].value);
        free(r->meta);
        for (size_t k = 0; k < r->bucket_count; k++)
            free(r->bucket_labels[k]);
        free(r->bucket_labels);
        free(r->bucket_upper);
        for (size_t k = 0; k < r->level_count; k++)
            level_free(&r->levels[k]);
        free(r->levels);
        for (size_t k = 0; k < r->analysis_note_count; k++)
            free(r->analysis_notes[k].severity), free(r->analysis_notes[k].message);
        free(r->analysis_notes);
    }
    free(runs);
}

bool results_has_host_cpu(const results_run *run)
{
    for (size_t j = 0; j < run->level_count; j++)
        if (isfinite(run->levels[j].host_cpu))
            return true;
    return false;
}

bool results_has_guest_cpu(const results_run *run)
{
    for (size_t j = 0; j < run->level_count; j++)
        if (isfinite(run->levels[j].guest_cpu))
            return true;
    return false;
}

bool results_has_useful_cpu(const results_run *run)
{
    for (size_t j = 0; j < run->level_count; j++)
        if (isfinite(run->levels[j].useful_cpu))
            return true;
    return false;
}

char *results_p3_note(const results_run *run)
{
    char *errors = NULL, *approx = NULL;
    for (size_t j = 0; j < run->level_count; j++) {
        const results_level *l = &run->levels[j];
        if (l->errors > 0) {
            char *item = isfinite(l->error_pct)
                             ? xasprintf("%s %.1f %%", l->name, l->error_pct)
                             : xasprintf("%s %lld", l->name, l->errors);
            char *joined = xasprintf("%s%s%s", errors ? errors : "", errors ? ", " : "", item);
            free(item);
            free(errors);
            errors = joined;
        }
        if (l->approximate) {
            char *joined = xasprintf("%s%s%s", approx ? approx : "", approx ? ", " : "", l->name);
            free(approx);
            approx = joined;
        }
    }
    char *note = NULL;
    if (errors && approx)
        note = xasprintf("Errors (not in the columns): %s. Approximate, not single samples: %s",
                         errors, approx);
    else if (errors)
        note = xasprintf("Errors (not in the columns): %s", errors);
    else if (approx)
        note = xasprintf("Approximate, not single samples: %s", approx);
    free(errors);
    free(approx);
    return note;
}

bool results_has_ready(const results_run *run)
{
    for (size_t j = 0; j < run->level_count; j++)
        if (isfinite(run->levels[j].ready))
            return true;
    return false;
}
