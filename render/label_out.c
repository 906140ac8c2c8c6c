#include "label_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "stats_out.h"
#include "status.h"
#include "store.h"
#include "text.h"

static const char list_sql[] =
    "SELECT r.name, l.name, s.label, s.in_probe, s.n, s.errors, s.mean_ms, s.p50_ms, s.p95_ms "
    "FROM label_stats s JOIN run r USING (run_id) JOIN run_level l ON l.run_id = s.run_id AND "
    "l.level = s.level WHERE ?1 IS NULL OR r.name = ?1 ORDER BY r.name, s.level, s.label";

static void csv_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, ",%.3f", v);
    else
        fputs(",", out);
}

static void table_number(FILE *out, double v, int width)
{
    if (isfinite(v))
        fprintf(out, " %*.1f", width, v);
    else
        fprintf(out, " %*s", width, "-");
}

int label_out_list(sqlite3 *db, const char *run, bool csv, FILE *out, diag_list *diags)
{
    if (store_version(db) < 6) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 "this store was written before p3 kept labels; ingest the runs again");
        return STATUS_BAD_INPUT;
    }
    sqlite3_stmt *st;
    if (store_prepare(db, list_sql, &st, diags))
        return STATUS_FAILURE;
    if (run)
        sqlite3_bind_text(st, 1, run, -1, SQLITE_STATIC);
    if (csv)
        fputs("run,level,label,in_probe,n,errors,error_pct,mean_ms,p50_ms,p95_ms\n", out);
    else
        fprintf(out, "%-20s %-12s %-40s %5s %9s %7s %7s %9s %9s %9s\n", "run", "level", "label",
                "probe", "n", "errors", "err %", "mean ms", "p50 ms", "p95 ms");
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *run_name = (const char *)sqlite3_column_text(st, 0);
        const char *level = (const char *)sqlite3_column_text(st, 1);
        const char *label = (const char *)sqlite3_column_text(st, 2);
        bool in_probe = sqlite3_column_int(st, 3) != 0;
        long long n = sqlite3_column_int64(st, 4), errors = sqlite3_column_int64(st, 5);
        double share = n + errors > 0 ? 100.0 * (double)errors / (double)(n + errors) : NAN;
        double mean = results_column_double(st, 6), p50 = results_column_double(st, 7), p95 = results_column_double(st, 8);
        if (csv) {
            stats_out_csv_field(out, run_name);
            fputc(',', out);
            stats_out_csv_field(out, level);
            fputc(',', out);
            stats_out_csv_field(out, label);
            fprintf(out, ",%d,%lld,%lld", in_probe, n, errors);
            if (isfinite(share))
                fprintf(out, ",%.4f", share);
            else
                fputs(",", out);
            csv_number(out, mean);
            csv_number(out, p50);
            csv_number(out, p95);
            fputc('\n', out);
        } else {
            /* Names escaped for the terminal, before they are padded. */
            char *safe_run = text_escape_controls(run_name, strlen(run_name), false);
            char *safe_level = text_escape_controls(level, strlen(level), false);
            char *safe_label = text_escape_controls(label, strlen(label), false);
            fprintf(out, "%-20s %-12s %-40s %5s %9lld %7lld", safe_run, safe_level,
                    *label ? safe_label : "(none)", in_probe ? "yes" : "no", n, errors);
            free(safe_run), free(safe_level), free(safe_label);
            table_number(out, share, 7);
            table_number(out, mean, 9);
            table_number(out, p50, 9);
            table_number(out, p95, 9);
            fputc('\n', out);
        }
        rows++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot read label statistics");
    if (rows == 0) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 run ? "run '%s' has no labelled samples (or is not analysed: run p3 analyze)"
                     : "no run has labelled samples (or none is analysed: run p3 analyze)%s",
                 run ? run : "");
        return STATUS_BAD_INPUT;
    }
    return STATUS_OK;
}
