#include "analyze.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "stats.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

const double analyze_paper_edges[] = {50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850};
const size_t analyze_paper_edge_count = 10;

/* Changes whenever what analysis computes changes, so that stored results of
 * an older p3 are recomputed rather than trusted. */
#define ANALYSIS_REVISION "p3-analysis-1"

/* Percentiles stored, in 1/10000. */
enum { P50 = 5000, P90 = 9000, P95 = 9500, P99 = 9900 };

/* One run's samples, grouped by level after load_samples(). */
typedef struct run_data {
    int64_t run_id;
    char *name;
    size_t level_count;
    double *delay;        /* n delays */
    unsigned char *level; /* level of each delay; LEVEL_NONE when unplaced */
    size_t n;             /* samples loaded */
    size_t *level_start;  /* level_count + 1 offsets into delay after grouping */
    long long unplaced;   /* samples without a level */
} run_data;

/* Marks a sample no level was given to. */
#define LEVEL_NONE 255

typedef struct settings {
    const double *edges;
    size_t edge_count;
    double endurance_ms;
} settings;

static void run_data_clear(run_data *r)
{
    free(r->name);
    free(r->delay);
    free(r->level);
    free(r->level_start);
    memset(r, 0, sizeof *r);
}

/* SHA-256 over what the results depend on: the revision, the settings, the
 * run's levels and the content of its files. */
static int input_digest(sqlite3 *db, const run_data *r, const settings *s, char hex[65],
                        diag_list *diags)
{
    sha256 ctx;
    sha256_init(&ctx);
    char buf[64];
    sha256_update(&ctx, ANALYSIS_REVISION "\n", strlen(ANALYSIS_REVISION) + 1);
    for (size_t i = 0; i < s->edge_count; i++) {
        snprintf(buf, sizeof buf, "edge %.17g\n", s->edges[i]);
        sha256_update(&ctx, buf, strlen(buf));
    }
    snprintf(buf, sizeof buf, "endurance %.17g\n", s->endurance_ms);
    sha256_update(&ctx, buf, strlen(buf));
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT 'level ' || name FROM run_level WHERE run_id = ?1 UNION ALL "
                      "SELECT * FROM (SELECT 'file ' || sha256 FROM source_file WHERE run_id = ?1 "
                      "ORDER BY file_id)",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        sha256_update(&ctx, sqlite3_column_text(stmt, 0), (size_t)sqlite3_column_bytes(stmt, 0));
        sha256_update(&ctx, "\n", 1);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot read the run's files");
    sha256_final_hex(&ctx, hex);
    return STATUS_OK;
}

static bool results_stand(sqlite3 *db, int64_t run_id, const char *digest)
{
    sqlite3_stmt *stmt = NULL;
    bool same = false;
    if (sqlite3_prepare_v2(db, "SELECT input_digest = ? FROM analysis WHERE run_id = ?", -1, &stmt,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, run_id);
        same = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return same;
}

/* Reads the run's samples file by file through their sample_id ranges. */
static int load_samples(sqlite3 *db, run_data *r, diag_list *diags)
{
    sqlite3_stmt *files, *rows;
    if (store_prepare(db,
                      "SELECT coalesce(sum(samples), 0) FROM source_file WHERE run_id = ? AND "
                      "kind = 'probe'",
                      &files, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(files, 1, r->run_id);
    size_t total = sqlite3_step(files) == SQLITE_ROW ? (size_t)sqlite3_column_int64(files, 0) : 0;
    sqlite3_finalize(files);
    r->delay = xreallocarray(NULL, total ? total : 1, sizeof *r->delay);
    r->level = xmalloc(total ? total : 1);
    if (store_prepare(db,
                      "SELECT first_sample, last_sample FROM source_file WHERE run_id = ? AND "
                      "kind = 'probe' AND samples > 0 ORDER BY file_id",
                      &files, diags))
        return STATUS_FAILURE;
    if (store_prepare(db, "SELECT level, delay_ms FROM sample WHERE sample_id BETWEEN ? AND ?",
                      &rows, diags)) {
        sqlite3_finalize(files);
        return STATUS_FAILURE;
    }
    sqlite3_bind_int64(files, 1, r->run_id);
    int status = STATUS_OK;
    while (!status && sqlite3_step(files) == SQLITE_ROW) {
        sqlite3_bind_int64(rows, 1, sqlite3_column_int64(files, 0));
        sqlite3_bind_int64(rows, 2, sqlite3_column_int64(files, 1));
        int rc;
        while ((rc = sqlite3_step(rows)) == SQLITE_ROW && r->n < total) {
            int level = sqlite3_column_type(rows, 0) == SQLITE_NULL ? -1
                                                                    : sqlite3_column_int(rows, 0);
            r->level[r->n] = level >= 0 && (size_t)level < r->level_count ? (unsigned char)level
                                                                          : LEVEL_NONE;
            r->delay[r->n++] = sqlite3_column_double(rows, 1);
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            status = store_fail(db, diags, "cannot read samples");
        sqlite3_reset(rows);
    }
    sqlite3_finalize(rows);
    sqlite3_finalize(files);
    return status;
}

/* Permutes delay[] and level[] in place so that each level's delays are
 * contiguous, levels in order, unplaced samples last. */
static void group_by_level(run_data *r)
{
    size_t groups = r->level_count + 1; /* the last group holds LEVEL_NONE */
    size_t *next = xcalloc(groups, sizeof *next);
    r->level_start = xcalloc(groups + 1, sizeof *r->level_start);
    for (size_t i = 0; i < r->n; i++)
        r->level_start[(r->level[i] == LEVEL_NONE ? r->level_count : r->level[i]) + 1]++;
    for (size_t g = 0; g < groups; g++)
        r->level_start[g + 1] += r->level_start[g];
    memcpy(next, r->level_start, groups * sizeof *next);
    for (size_t g = 0; g < groups; g++) {
        size_t end = r->level_start[g + 1];
        while (next[g] < end) {
            size_t i = next[g];
            unsigned char lv = r->level[i];
            size_t home = lv == LEVEL_NONE ? r->level_count : lv;
            if (home == g) {
                next[g]++;
                continue;
            }
            /* Swap the sample into its group's next free slot. */
            size_t j = next[home]++;
            double d = r->delay[i];
            r->delay[i] = r->delay[j];
            r->delay[j] = d;
            r->level[i] = r->level[j];
            r->level[j] = lv;
        }
    }
    r->unplaced = (long long)(r->level_start[groups] - r->level_start[r->level_count]);
    free(next);
}

static void bind_or_null(sqlite3_stmt *stmt, int index, double v, bool defined)
{
    if (defined && isfinite(v))
        sqlite3_bind_double(stmt, index, v);
    else
        sqlite3_bind_null(stmt, index);
}

/* Computes and inserts one level's statistics and buckets. */
static int write_level(sqlite3 *db, sqlite3_stmt *stats_stmt, sqlite3_stmt *bucket_stmt,
                       const run_data *r, size_t level, const settings *s, diag_list *diags)
{
    double *x = r->delay + r->level_start[level];
    size_t n = r->level_start[level + 1] - r->level_start[level];
    stats_sort(x, n);
    double mean = NAN, variance = NAN;
    if (n)
        stats_mean_variance(x, n, &mean, &variance);
    sqlite3_bind_int64(stats_stmt, 1, r->run_id);
    sqlite3_bind_int64(stats_stmt, 2, (sqlite3_int64)level);
    sqlite3_bind_int64(stats_stmt, 3, (sqlite3_int64)n);
    bind_or_null(stats_stmt, 4, mean, n > 0);
    bind_or_null(stats_stmt, 5, variance, n > 1);
    bind_or_null(stats_stmt, 6, sqrt(variance), n > 1);
    bind_or_null(stats_stmt, 7, n ? x[0] : 0, n > 0);
    static const unsigned percentiles[] = {P50, P90, P95, P99};
    for (int k = 0; k < 4; k++)
        bind_or_null(stats_stmt, 8 + k, n ? stats_percentile(x, n, percentiles[k]) : 0, n > 0);
    bind_or_null(stats_stmt, 12, n ? x[n - 1] : 0, n > 0);
    double over = n ? 100.0 * (double)(n - stats_count_le(x, n, s->endurance_ms)) / (double)n : 0;
    bind_or_null(stats_stmt, 13, over, n > 0);
    int rc = sqlite3_step(stats_stmt);
    sqlite3_reset(stats_stmt);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot store statistics");

    long long *counts = xcalloc(s->edge_count + 1, sizeof *counts);
    stats_buckets(x, n, s->edges, s->edge_count, counts);
    int status = STATUS_OK;
    for (size_t b = 0; b <= s->edge_count && !status; b++) {
        sqlite3_bind_int64(bucket_stmt, 1, r->run_id);
        sqlite3_bind_int64(bucket_stmt, 2, (sqlite3_int64)level);
        sqlite3_bind_int64(bucket_stmt, 3, (sqlite3_int64)b);
        sqlite3_bind_int64(bucket_stmt, 4, counts[b]);
        sqlite3_bind_double(bucket_stmt, 5, n ? 100.0 * (double)counts[b] / (double)n : 0.0);
        if (sqlite3_step(bucket_stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store the distribution");
        sqlite3_reset(bucket_stmt);
    }
    free(counts);
    return status;
}

static int write_buckets(sqlite3 *db, int64_t run_id, const settings *s, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "INSERT INTO bucket (run_id, bucket, upper_ms, label) VALUES (?, ?, ?, ?)",
                      &stmt, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t b = 0; b <= s->edge_count && !status; b++) {
        char label[48];
        if (b < s->edge_count)
            snprintf(label, sizeof label, "%.15g", s->edges[b]);
        else
            snprintf(label, sizeof label, ">%.15g", s->edges[s->edge_count - 1]);
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)b);
        if (b < s->edge_count)
            sqlite3_bind_double(stmt, 3, s->edges[b]);
        else
            sqlite3_bind_null(stmt, 3);
        sqlite3_bind_text(stmt, 4, label, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store bucket edges");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

/* Replaces the run's results in one transaction. */
static int write_results(sqlite3 *db, const run_data *r, const settings *s, const char *digest,
                         diag_list *diags)
{
    static const char *const clear[] = {
        "DELETE FROM level_bucket WHERE run_id = ?", "DELETE FROM level_stats WHERE run_id = ?",
        "DELETE FROM bucket WHERE run_id = ?", "DELETE FROM analysis WHERE run_id = ?"};
    if (store_exec(db, "BEGIN IMMEDIATE", diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    sqlite3_stmt *stats_stmt = NULL, *bucket_stmt = NULL, *stmt = NULL;
    for (size_t i = 0; i < 4 && !status; i++) {
        if ((status = store_prepare(db, clear[i], &stmt, diags)))
            break;
        sqlite3_bind_int64(stmt, 1, r->run_id);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot clear old results");
        sqlite3_finalize(stmt);
    }
    if (status || (status = write_buckets(db, r->run_id, s, diags)) ||
        (status = store_prepare(db,
                                "INSERT INTO level_stats (run_id, level, n, mean_ms, variance_ms2, "
                                "stddev_ms, min_ms, p50_ms, p90_ms, p95_ms, p99_ms, max_ms, "
                                "pct_over_endurance) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                &stats_stmt, diags)) ||
        (status = store_prepare(db,
                                "INSERT INTO level_bucket (run_id, level, bucket, count, pct) "
                                "VALUES (?, ?, ?, ?, ?)",
                                &bucket_stmt, diags)))
        goto out;
    for (size_t level = 0; level < r->level_count && !status; level++)
        status = write_level(db, stats_stmt, bucket_stmt, r, level, s, diags);
    if (status || (status = store_prepare(db,
                                          "INSERT INTO analysis (run_id, input_digest, endurance_ms, "
                                          "samples, unplaced) VALUES (?, ?, ?, ?, ?)",
                                          &stmt, diags)))
        goto out;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    sqlite3_bind_text(stmt, 2, digest, -1, SQLITE_STATIC);
    sqlite3_bind_double(stmt, 3, s->endurance_ms);
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)r->n - r->unplaced);
    sqlite3_bind_int64(stmt, 5, r->unplaced);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        status = store_fail(db, diags, "cannot store the analysis");
    sqlite3_finalize(stmt);
    if (!status)
        status = store_exec(db, "COMMIT", diags);
out:
    sqlite3_finalize(stats_stmt);
    sqlite3_finalize(bucket_stmt);
    if (status)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

static int analyze_run(sqlite3 *db, run_data *r, const settings *s, bool *recomputed,
                       diag_list *diags)
{
    char digest[65];
    *recomputed = false;
    if (input_digest(db, r, s, digest, diags))
        return STATUS_FAILURE;
    if (results_stand(db, r->run_id, digest))
        return STATUS_OK;
    if (load_samples(db, r, diags))
        return STATUS_FAILURE;
    group_by_level(r);
    *recomputed = true;
    return write_results(db, r, s, digest, diags);
}

int analyze_store(sqlite3 *db, const analyze_options *opts, analyze_run_fn on_run, void *ctx,
                  analyze_totals *totals, diag_list *diags)
{
    memset(totals, 0, sizeof *totals);
    settings s = {analyze_paper_edges, analyze_paper_edge_count, ANALYZE_ENDURANCE_MS};
    if (opts && opts->edges) {
        s.edges = opts->edges;
        s.edge_count = opts->edge_count;
    }
    if (opts && opts->endurance_ms > 0)
        s.endurance_ms = opts->endurance_ms;
    /* The run list is read first: no statement stays open across writes. */
    sqlite3_stmt *runs;
    if (store_prepare(db,
                      "SELECT run_id, name, (SELECT count(*) FROM run_level l WHERE "
                      "l.run_id = r.run_id) FROM run r ORDER BY name",
                      &runs, diags))
        return STATUS_FAILURE;
    run_data *list = NULL;
    size_t count = 0;
    while (sqlite3_step(runs) == SQLITE_ROW) {
        list = xreallocarray(list, count + 1, sizeof *list);
        list[count++] = (run_data){.run_id = sqlite3_column_int64(runs, 0),
                                   .name = xstrdup((const char *)sqlite3_column_text(runs, 1)),
                                   .level_count = (size_t)sqlite3_column_int64(runs, 2)};
    }
    sqlite3_finalize(runs);
    int status = STATUS_OK;
    for (size_t i = 0; i < count; i++) {
        run_data *r = &list[i];
        bool recomputed = false;
        if (!status)
            status = analyze_run(db, r, &s, &recomputed, diags);
        if (!status) {
            if (recomputed) {
                totals->analyzed++;
                totals->samples += (long long)r->n;
            } else {
                totals->unchanged++;
            }
            if (on_run)
                on_run(ctx, r->name, recomputed);
        }
        run_data_clear(r);
    }
    free(list);
    return status;
}
