#include "counter_out.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "f64blob.h"
#include "glob.h"
#include "isotime.h"
#include "results.h"
#include "stats_out.h"
#include "status.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

/* Every counter with what the listing shows, in run, file, column order. */
static const char list_sql[] =
    "SELECT r.name, f.path, c.path, cf.side, c.samples, c.min, c.mean, c.max, c.counter_id, "
    "c.file_id, cf.rows, cf.chunk_rows "
    "FROM counter c JOIN counter_file cf USING (file_id) JOIN source_file f USING (file_id) "
    "JOIN run r ON r.run_id = f.run_id WHERE ?1 IS NULL OR r.name = ?1 "
    "ORDER BY r.name, f.path, c.counter_id";

static int nothing_matched(diag_list *diags, const char *run_name, const char *pattern)
{
    if (run_name)
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no counter%s%s%s in run '%s'",
                 pattern ? " matches '" : "", pattern ? pattern : "", pattern ? "'" : "",
                 run_name);
    else
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no counter%s%s%s in the store",
                 pattern ? " matches '" : "", pattern ? pattern : "", pattern ? "'" : "");
    return STATUS_BAD_INPUT;
}

/* A number in its shortest exact form, or nothing when undefined. */
static void csv_number(FILE *out, double v)
{
    if (isfinite(v))
        stats_out_json_number(out, v);
}

static void write_list_csv_row(FILE *out, sqlite3_stmt *stmt)
{
    for (int i = 0; i < 4; i++) {
        stats_out_csv_field(out, (const char *)sqlite3_column_text(stmt, i));
        fputc(',', out);
    }
    fprintf(out, "%lld", sqlite3_column_int64(stmt, 4));
    for (int i = 5; i < 8; i++) {
        fputc(',', out);
        csv_number(out, results_column_double(stmt, i));
    }
    fputc('\n', out);
}

/* Text column i with control characters escaped; "" for NULL. Caller frees. */
static char *escaped_column(sqlite3_stmt *stmt, int i)
{
    const char *text = (const char *)sqlite3_column_text(stmt, i);
    return text ? text_escape_controls(text, strlen(text), false) : xstrdup("");
}

static void write_list_table_row(FILE *out, sqlite3_stmt *stmt, int run_width)
{
    char nums[3][32];
    for (int i = 0; i < 3; i++) {
        double v = results_column_double(stmt, 5 + i);
        snprintf(nums[i], sizeof nums[i], isfinite(v) ? "%.6g" : "-", v);
    }
    /* Names escaped for the terminal, before they are padded. */
    char *run = escaped_column(stmt, 0), *side = escaped_column(stmt, 3),
         *path = escaped_column(stmt, 2);
    fprintf(out, "%-*s  %-7s  %8lld  %12s  %12s  %12s  %s\n", run_width, run, side,
            sqlite3_column_int64(stmt, 4), nums[0], nums[1], nums[2], path);
    free(run), free(side), free(path);
}

int counter_out_list(sqlite3 *db, const char *run_name, const char *pattern, bool csv, FILE *out,
                     diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, list_sql, &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    int run_width = 3;
    if (!csv) {
        /* A first pass for the width of the run column. */
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            char *run = escaped_column(stmt, 0);
            int w = (int)strlen(run);
            free(run);
            run_width = w > run_width ? w : run_width;
        }
        sqlite3_reset(stmt);
    }
    long long matched = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (pattern && !glob_match(pattern, (const char *)sqlite3_column_text(stmt, 2)))
            continue;
        if (matched++ == 0) {
            if (csv)
                fputs("run,file,path,side,samples,min,mean,max\n", out);
            else
                fprintf(out, "%-*s  %-7s  %8s  %12s  %12s  %12s  %s\n", run_width, "run", "side",
                        "samples", "min", "mean", "max", "path");
        }
        if (csv)
            write_list_csv_row(out, stmt);
        else
            write_list_table_row(out, stmt, run_width);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot read counters");
    return matched ? STATUS_OK : nothing_matched(diags, run_name, pattern);
}

/* The timestamps of one counter file, kept while its counters are written. */
typedef struct file_times {
    int64_t file_id;
    int64_t *t_ns;
    size_t rows;
} file_times;

static int load_times(sqlite3 *db, int64_t file_id, size_t rows, file_times *ft,
                      diag_list *diags)
{
    if (ft->file_id == file_id)
        return STATUS_OK;
    free(ft->t_ns);
    ft->t_ns = xreallocarray(NULL, rows ? rows : 1, sizeof *ft->t_ns);
    ft->rows = 0;
    ft->file_id = file_id;
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT t_ns FROM counter_row WHERE file_id = ? ORDER BY row", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, file_id);
    while (sqlite3_step(stmt) == SQLITE_ROW && ft->rows < rows)
        ft->t_ns[ft->rows++] = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

/* Writes one counter's series: every row of its file, value or empty. */
static int export_counter(sqlite3 *db, sqlite3_stmt *chunks, const char *run, const char *path,
                          int64_t counter_id, const file_times *ft, size_t chunk_rows, FILE *out,
                          diag_list *diags)
{
    sqlite3_bind_int64(chunks, 1, counter_id);
    size_t next_row = 0;
    int rc;
    char when[32];
    while (next_row < ft->rows) {
        rc = sqlite3_step(chunks);
        size_t chunk_start = ft->rows, n = 0;
        const unsigned char *vals = NULL;
        if (rc == SQLITE_ROW) {
            chunk_start = (size_t)sqlite3_column_int64(chunks, 0) * chunk_rows;
            n = (size_t)sqlite3_column_int64(chunks, 1);
            vals = sqlite3_column_blob(chunks, 2);
            if ((size_t)sqlite3_column_bytes(chunks, 2) < 8 * n)
                n = (size_t)sqlite3_column_bytes(chunks, 2) / 8;
        } else if (rc != SQLITE_DONE) {
            sqlite3_reset(chunks);
            return store_fail(db, diags, "cannot read counter values");
        }
        /* Rows before this chunk have no stored values: missing. */
        for (; next_row < chunk_start && next_row < ft->rows; next_row++) {
            stats_out_csv_field(out, run);
            fprintf(out, ",%s,", isotime_format(ft->t_ns[next_row], 3, when));
            stats_out_csv_field(out, path);
            fputs(",\n", out);
        }
        for (size_t i = 0; i < n && next_row < ft->rows; i++, next_row++) {
            stats_out_csv_field(out, run);
            fprintf(out, ",%s,", isotime_format(ft->t_ns[next_row], 3, when));
            stats_out_csv_field(out, path);
            fputc(',', out);
            double v = f64blob_get(vals, i);
            if (!isnan(v))
                stats_out_json_number(out, v);
            fputc('\n', out);
        }
        if (rc == SQLITE_DONE)
            break;
    }
    sqlite3_reset(chunks);
    return STATUS_OK;
}

int counter_out_export(sqlite3 *db, const char *run_name, const char *pattern, FILE *out,
                       diag_list *diags)
{
    sqlite3_stmt *stmt, *chunks;
    if (store_prepare(db, list_sql, &stmt, diags))
        return STATUS_FAILURE;
    if (store_prepare(db,
                      "SELECT chunk, n, vals FROM counter_chunk WHERE counter_id = ? ORDER BY chunk",
                      &chunks, diags)) {
        sqlite3_finalize(stmt);
        return STATUS_FAILURE;
    }
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    file_times ft = {0};
    long long matched = 0;
    int status = STATUS_OK;
    while (!status && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(stmt, 2);
        if (pattern && !glob_match(pattern, path))
            continue;
        if (matched++ == 0)
            fputs("run,time_utc,path,value\n", out);
        size_t rows = (size_t)sqlite3_column_int64(stmt, 10);
        status = load_times(db, sqlite3_column_int64(stmt, 9), rows, &ft, diags);
        if (!status)
            status = export_counter(db, chunks, (const char *)sqlite3_column_text(stmt, 0), path,
                                    sqlite3_column_int64(stmt, 8), &ft,
                                    (size_t)sqlite3_column_int64(stmt, 11), out, diags);
    }
    free(ft.t_ns);
    sqlite3_finalize(chunks);
    sqlite3_finalize(stmt);
    if (status)
        return status;
    return matched ? STATUS_OK : nothing_matched(diags, run_name, pattern);
}
