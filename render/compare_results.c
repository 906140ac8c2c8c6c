#include "compare_results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

/* The first schema version with comparisons (005_compare.sql). */
#define COMPARE_SCHEMA 5

/* The text of column i, "" for NULL. Caller frees. */
static char *column_text_or_empty(sqlite3_stmt *stmt, int i)
{
    char *s = results_column_text(stmt, i);
    return s ? s : xstrdup("");
}

static const char comparisons_sql[] =
    "SELECT comparison_id, baseline, other, baseline_run, other_run, baseline_title, "
    "other_title, baseline_source, other_source, baseline_unplaced, other_unplaced, "
    "endurance_ms, replicates, seed, alpha, summary FROM comparison ORDER BY position, "
    "comparison_id";

static void read_comparison_row(sqlite3_stmt *stmt, compare_results *c)
{
    memset(c, 0, sizeof *c);
    c->baseline = column_text_or_empty(stmt, 1);
    c->other = column_text_or_empty(stmt, 2);
    c->baseline_run = column_text_or_empty(stmt, 3);
    c->other_run = column_text_or_empty(stmt, 4);
    c->baseline_source = column_text_or_empty(stmt, 7);
    c->other_source = column_text_or_empty(stmt, 8);
    c->baseline_unplaced = sqlite3_column_int64(stmt, 9);
    c->other_unplaced = sqlite3_column_int64(stmt, 10);
    c->endurance_ms = results_column_double(stmt, 11);
    c->replicates = sqlite3_column_int64(stmt, 12);
    c->seed = sqlite3_column_int64(stmt, 13);
    c->alpha = results_column_double(stmt, 14);
    c->summary = column_text_or_empty(stmt, 15);
    c->sides = xcalloc(2, sizeof *c->sides);
    for (int s = 0; s < 2; s++) {
        results_run *r = &c->sides[s];
        r->run_id = -1;
        r->name = xstrdup(s == COMPARE_RESULTS_BASELINE ? c->baseline : c->other);
        r->title = column_text_or_empty(stmt, s == COMPARE_RESULTS_BASELINE ? 5 : 6);
        r->endurance_ms = c->endurance_ms;
        r->vcpus = r->overhead = r->overhead_lo = r->overhead_hi = r->margin_ms = NAN;
        r->onset_endurance = r->onset_margin = (results_onset){-1, NAN};
    }
    c->sides[COMPARE_RESULTS_BASELINE].unplaced = c->baseline_unplaced;
    c->sides[COMPARE_RESULTS_OTHER].unplaced = c->other_unplaced;
}

static int read_buckets(sqlite3 *db, int64_t id, compare_results *c, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT label, upper_ms FROM comparison_bucket WHERE comparison_id = ? "
                      "ORDER BY bucket",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        for (int s = 0; s < 2; s++) {
            results_run *r = &c->sides[s];
            size_t k = r->bucket_count++;
            r->bucket_labels = xreallocarray(r->bucket_labels, k + 1, sizeof *r->bucket_labels);
            r->bucket_upper = xreallocarray(r->bucket_upper, k + 1, sizeof *r->bucket_upper);
            r->bucket_labels[k] = column_text_or_empty(stmt, 0);
            r->bucket_upper[k] = results_column_double(stmt, 1);
        }
    }
    return results_rows_done(db, stmt, rc, "cannot read comparison buckets", diags);
}

static const char levels_sql[] =
    "SELECT position, level, in_baseline, in_other, n_baseline, n_other, diff_mean_ms, "
    "diff_mean_lo, diff_mean_hi, diff_p50_ms, diff_p50_lo, diff_p50_hi, diff_p95_ms, "
    "diff_p95_lo, diff_p95_hi, diff_p99_ms, diff_p99_lo, diff_p99_hi, diff_pct_over, "
    "diff_pct_over_lo, diff_pct_over_hi, welch_df, mw_u, mw_p, mw_method, ks_d, ks_p, "
    "ks_method, cliffs_delta, p_holm, verdict FROM comparison_level WHERE comparison_id = ? "
    "ORDER BY position";

/* A level of a side before its statistics are read: unknown everywhere,
 * its buckets empty. */
static void side_level_init(results_level *l, const char *name, long long n, size_t buckets)
{
    memset(l, 0, sizeof *l);
    l->name = xstrdup(name);
    l->n = n;
    double *const values[] = {&l->mean,   &l->sd,      &l->min,     &l->max,     &l->p50,
                              &l->p90,    &l->p95,     &l->p99,     &l->p999,    &l->mean_lo,
                              &l->mean_hi, &l->p50_lo, &l->p50_hi,  &l->p95_lo,  &l->p95_hi,
                              &l->p99_lo, &l->p99_hi,  &l->pct_over, &l->pct_le_50,
                              &l->host_cpu, &l->guest_cpu, &l->useful_cpu, &l->discrepancy,
                              &l->ready};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        *values[i] = NAN;
    l->bucket_count = xcalloc(buckets + 1, sizeof *l->bucket_count);
    l->bucket_pct = xcalloc(buckets + 1, sizeof *l->bucket_pct);
}

static void read_level_row(sqlite3_stmt *stmt, compare_results *c)
{
    size_t j = c->level_count++;
    c->levels = xreallocarray(c->levels, c->level_count, sizeof *c->levels);
    compare_results_level *l = &c->levels[j];
    memset(l, 0, sizeof *l);
    const char *name = (const char *)sqlite3_column_text(stmt, 1);
    l->in_baseline = sqlite3_column_int(stmt, 2) != 0;
    l->in_other = sqlite3_column_int(stmt, 3) != 0;
    compare_results_diff *const diffs[] = {&l->mean, &l->p50, &l->p95, &l->p99, &l->pct_over};
    for (size_t k = 0; k < sizeof diffs / sizeof *diffs; k++)
        *diffs[k] = (compare_results_diff){results_column_double(stmt, 6 + 3 * (int)k),
                                           results_column_double(stmt, 7 + 3 * (int)k),
                                           results_column_double(stmt, 8 + 3 * (int)k)};
    l->welch_df = results_column_double(stmt, 21);
    l->mw_u = results_column_double(stmt, 22);
    l->mw_p = results_column_double(stmt, 23);
    l->mw_method = results_column_text(stmt, 24);
    l->ks_d = results_column_double(stmt, 25);
    l->ks_p = results_column_double(stmt, 26);
    l->ks_method = results_column_text(stmt, 27);
    l->cliffs_delta = results_column_double(stmt, 28);
    l->p_holm = results_column_double(stmt, 29);
    l->verdict = column_text_or_empty(stmt, 30);
    for (int s = 0; s < 2; s++) {
        results_run *r = &c->sides[s];
        r->levels = xreallocarray(r->levels, c->level_count, sizeof *r->levels);
        r->level_count = c->level_count;
        side_level_init(&r->levels[j], name ? name : "", sqlite3_column_int64(stmt, 4 + s),
                        r->bucket_count);
        r->samples += r->levels[j].n;
    }
}

static int read_levels(sqlite3 *db, int64_t id, compare_results *c, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, levels_sql, &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        read_level_row(stmt, c);
    return results_rows_done(db, stmt, rc, "cannot read comparison levels", diags);
}

/* The side's level at position, or NULL for a position outside the
 * comparison (a damaged store). */
static results_level *side_level(compare_results *c, const unsigned char *side,
                                 sqlite3_int64 position)
{
    if (!side || position < 0 || (size_t)position >= c->level_count)
        return NULL;
    int s = strcmp((const char *)side, "baseline") == 0 ? COMPARE_RESULTS_BASELINE
            : strcmp((const char *)side, "other") == 0  ? COMPARE_RESULTS_OTHER
                                                        : -1;
    return s < 0 ? NULL : &c->sides[s].levels[position];
}

static int read_sides(sqlite3 *db, int64_t id, compare_results *c, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT position, side, mean_ms, mean_ci_lo, mean_ci_hi, p50_ms, p50_ci_lo, "
                      "p50_ci_hi, p90_ms, p95_ms, p95_ci_lo, p95_ci_hi, p99_ms, p99_ci_lo, "
                      "p99_ci_hi, pct_over FROM comparison_side WHERE comparison_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        results_level *l =
            side_level(c, sqlite3_column_text(stmt, 1), sqlite3_column_int64(stmt, 0));
        if (!l)
            continue;
        double *const values[] = {&l->mean,   &l->mean_lo, &l->mean_hi, &l->p50,
                                  &l->p50_lo, &l->p50_hi,  &l->p90,     &l->p95,
                                  &l->p95_lo, &l->p95_hi,  &l->p99,     &l->p99_lo,
                                  &l->p99_hi, &l->pct_over};
        for (size_t i = 0; i < sizeof values / sizeof *values; i++)
            *values[i] = results_column_double(stmt, 2 + (int)i);
    }
    return results_rows_done(db, stmt, rc, "cannot read comparison statistics", diags);
}

static int read_level_buckets(sqlite3 *db, int64_t id, compare_results *c, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT position, side, bucket, count, pct FROM comparison_level_bucket "
                      "WHERE comparison_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, id);
    int rc;
    size_t buckets = c->sides[COMPARE_RESULTS_BASELINE].bucket_count;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        results_level *l =
            side_level(c, sqlite3_column_text(stmt, 1), sqlite3_column_int64(stmt, 0));
        sqlite3_int64 k = sqlite3_column_int64(stmt, 2);
        if (!l || k < 0 || (size_t)k >= buckets)
            continue;
        l->bucket_count[k] = sqlite3_column_int64(stmt, 3);
        l->bucket_pct[k] = sqlite3_column_double(stmt, 4);
    }
    return results_rows_done(db, stmt, rc, "cannot read comparison buckets", diags);
}

int compare_results_read(sqlite3 *db, compare_results **list, size_t *count, diag_list *diags)
{
    *list = NULL;
    *count = 0;
    if (store_version(db) < COMPARE_SCHEMA)
        return STATUS_OK;
    sqlite3_stmt *stmt;
    if (store_prepare(db, comparisons_sql, &stmt, diags))
        return STATUS_FAILURE;
    int64_t *ids = NULL;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        *list = xreallocarray(*list, *count + 1, sizeof **list);
        ids = xreallocarray(ids, *count + 1, sizeof *ids);
        ids[*count] = sqlite3_column_int64(stmt, 0);
        read_comparison_row(stmt, &(*list)[(*count)++]);
    }
    int status = results_rows_done(db, stmt, rc, "cannot read comparisons", diags);
    for (size_t i = 0; i < *count && !status; i++) {
        compare_results *c = &(*list)[i];
        status = read_buckets(db, ids[i], c, diags);
        if (!status)
            status = read_levels(db, ids[i], c, diags);
        if (!status)
            status = read_sides(db, ids[i], c, diags);
        if (!status)
            status = read_level_buckets(db, ids[i], c, diags);
    }
    free(ids);
    if (status) {
        compare_results_free(*list, *count);
        *list = NULL;
        *count = 0;
    }
    return status;
}

bool compare_results_any(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    bool any = store_version(db) >= COMPARE_SCHEMA &&
               sqlite3_prepare_v2(db, "SELECT 1 FROM comparison LIMIT 1", -1, &stmt, NULL) ==
                   SQLITE_OK &&
               sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    return any;
}

void compare_results_free(compare_results *list, size_t count)
{
    if (!list)
        return;
    for (size_t i = 0; i < count; i++) {
        compare_results *c = &list[i];
        free(c->baseline), free(c->other), free(c->baseline_run), free(c->other_run);
        free(c->baseline_source), free(c->other_source), free(c->summary);
        for (size_t j = 0; j < c->level_count; j++) {
            free(c->levels[j].mw_method);
            free(c->levels[j].ks_method);
            free(c->levels[j].verdict);
        }
        free(c->levels);
        results_free(c->sides, 2);
    }
    free(list);
}
