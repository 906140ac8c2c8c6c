#include "stats_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

/* The statistics columns of level_stats in output order, after n. */
static const char *const stat_columns[] = {"mean_ms", "stddev_ms", "min_ms", "p50_ms", "p90_ms",
                                           "p95_ms",  "p99_ms",    "max_ms"};
#define STAT_COLUMNS (sizeof stat_columns / sizeof *stat_columns)

/* One run and level as read from the result tables. */
typedef struct row {
    char *run;
    char *title;
    char *level;
    long long n;
    double stat[STAT_COLUMNS]; /* NaN when NULL */
    double pct_over;           /* NaN when NULL */
    double endurance_ms;
    size_t bucket_count;
    char **bucket_labels;
    double *bucket_upper;      /* NaN for the overflow */
    long long *bucket_count_of; /* counts */
    double *bucket_pct;
} row;

static void row_clear(row *r)
{
    for (size_t i = 0; i < r->bucket_count; i++)
        free(r->bucket_labels[i]);
    free(r->bucket_labels);
    free(r->bucket_upper);
    free(r->bucket_count_of);
    free(r->bucket_pct);
    free(r->run);
    free(r->title);
    free(r->level);
}

static double column_or_nan(sqlite3_stmt *stmt, int i)
{
    return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, i);
}

static int read_buckets(sqlite3 *db, int64_t run_id, int level, row *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT b.label, b.upper_ms, coalesce(lb.count, 0), coalesce(lb.pct, 0) "
                      "FROM bucket b LEFT JOIN level_bucket lb ON lb.run_id = b.run_id AND "
                      "lb.bucket = b.bucket AND lb.level = ?2 WHERE b.run_id = ?1 "
                      "ORDER BY b.bucket",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_int(stmt, 2, level);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        size_t k = r->bucket_count++;
        r->bucket_labels = xreallocarray(r->bucket_labels, k + 1, sizeof *r->bucket_labels);
        r->bucket_upper = xreallocarray(r->bucket_upper, k + 1, sizeof *r->bucket_upper);
        r->bucket_count_of = xreallocarray(r->bucket_count_of, k + 1, sizeof *r->bucket_count_of);
        r->bucket_pct = xreallocarray(r->bucket_pct, k + 1, sizeof *r->bucket_pct);
        r->bucket_labels[k] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        r->bucket_upper[k] = column_or_nan(stmt, 1);
        r->bucket_count_of[k] = sqlite3_column_int64(stmt, 2);
        r->bucket_pct[k] = sqlite3_column_double(stmt, 3);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

/* Every row to print, in order; *count set. */
static int read_rows(sqlite3 *db, const char *run_name, row **rows, size_t *count,
                     diag_list *diags)
{
    *rows = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT r.run_id, r.name, r.title, l.level, l.name, coalesce(s.n, 0), "
                      "s.mean_ms, s.stddev_ms, s.min_ms, s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, "
                      "s.max_ms, s.pct_over_endurance, a.endurance_ms "
                      "FROM run r JOIN analysis a USING (run_id) "
                      "JOIN run_level l ON l.run_id = r.run_id "
                      "LEFT JOIN level_stats s ON s.run_id = l.run_id AND s.level = l.level "
                      "WHERE ?1 IS NULL OR r.name = ?1 ORDER BY r.name, l.level",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    int status = STATUS_OK;
    while (!status && sqlite3_step(stmt) == SQLITE_ROW) {
        *rows = xreallocarray(*rows, *count + 1, sizeof **rows);
        row *r = &(*rows)[(*count)++];
        memset(r, 0, sizeof *r);
        r->run = xstrdup((const char *)sqlite3_column_text(stmt, 1));
        r->title = xstrdup((const char *)sqlite3_column_text(stmt, 2));
        r->level = xstrdup((const char *)sqlite3_column_text(stmt, 4));
        r->n = sqlite3_column_int64(stmt, 5);
        for (size_t k = 0; k < STAT_COLUMNS; k++)
            r->stat[k] = column_or_nan(stmt, 6 + (int)k);
        r->pct_over = column_or_nan(stmt, 14);
        r->endurance_ms = sqlite3_column_double(stmt, 15);
        status = read_buckets(db, sqlite3_column_int64(stmt, 0), sqlite3_column_int(stmt, 3), r,
                              diags);
    }
    sqlite3_finalize(stmt);
    if (!status && *count == 0) {
        if (run_name)
            diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no analysed run named '%s' in the store",
                     run_name);
        else
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
        status = STATUS_BAD_INPUT;
    }
    return status;
}

void stats_out_csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void stats_out_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void stats_out_json_number(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

/* A number with fixed decimals, or nothing for NaN. */
static void csv_number(FILE *out, double v, int decimals)
{
    fputc(',', out);
    if (isfinite(v))
        fprintf(out, "%.*f", decimals, v);
}

static bool same_buckets(const row *a, const row *b)
{
    if (a->bucket_count != b->bucket_count)
        return false;
    for (size_t k = 0; k < a->bucket_count; k++)
        if (strcmp(a->bucket_labels[k], b->bucket_labels[k]) != 0)
            return false;
    return true;
}

static int write_csv(const row *rows, size_t count, FILE *out, diag_list *diags)
{
    for (size_t i = 1; i < count; i++)
        if (!same_buckets(&rows[0], &rows[i]) || rows[i].endurance_ms != rows[0].endurance_ms) {
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "runs '%s' and '%s' were analysed with different buckets or endurance "
                     "lines; print them one at a time with --run",
                     rows[0].run, rows[i].run);
            return STATUS_BAD_INPUT;
        }
    fputs("run,level,n", out);
    for (size_t k = 0; k < STAT_COLUMNS; k++)
        fprintf(out, ",%s", stat_columns[k]);
    fprintf(out, ",pct_over_%.15g", rows[0].endurance_ms);
    for (size_t k = 0; k < rows[0].bucket_count; k++) {
        bool overflow = isnan(rows[0].bucket_upper[k]);
        fprintf(out, ",b%s", overflow ? "over" : rows[0].bucket_labels[k]);
    }
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        const row *r = &rows[i];
        stats_out_csv_field(out, r->run);
        fputc(',', out);
        stats_out_csv_field(out, r->level);
        fprintf(out, ",%lld", r->n);
        for (size_t k = 0; k < STAT_COLUMNS; k++)
            csv_number(out, r->stat[k], 3);
        csv_number(out, r->pct_over, 4);
        for (size_t k = 0; k < r->bucket_count; k++)
            csv_number(out, r->bucket_pct[k], 4);
        fputc('\n', out);
    }
    return STATUS_OK;
}

static void write_json(const row *rows, size_t count, FILE *out)
{
    fputs("{\"runs\": [", out);
    for (size_t i = 0; i < count; i++) {
        const row *r = &rows[i];
        bool first_of_run = i == 0 || strcmp(rows[i - 1].run, r->run) != 0;
        bool last_of_run = i + 1 == count || strcmp(rows[i + 1].run, r->run) != 0;
        if (first_of_run) {
            fputs(i ? ",\n  {\"run\": " : "\n  {\"run\": ", out);
            stats_out_json_string(out, r->run);
            fputs(", \"title\": ", out);
            stats_out_json_string(out, r->title);
            fputs(", \"endurance_ms\": ", out);
            stats_out_json_number(out, r->endurance_ms);
            fputs(", \"levels\": [", out);
        } else {
            fputc(',', out);
        }
        fputs("\n    {\"level\": ", out);
        stats_out_json_string(out, r->level);
        fprintf(out, ", \"n\": %lld", r->n);
        for (size_t k = 0; k < STAT_COLUMNS; k++) {
            fprintf(out, ", \"%s\": ", stat_columns[k]);
            stats_out_json_number(out, r->stat[k]);
        }
        fputs(", \"pct_over_endurance\": ", out);
        stats_out_json_number(out, r->pct_over);
        fputs(", \"buckets\": [", out);
        for (size_t k = 0; k < r->bucket_count; k++) {
            fputs(k ? ", {\"label\": " : "{\"label\": ", out);
            stats_out_json_string(out, r->bucket_labels[k]);
            fputs(", \"upper_ms\": ", out);
            stats_out_json_number(out, r->bucket_upper[k]);
            fprintf(out, ", \"count\": %lld, \"pct\": ", r->bucket_count_of[k]);
            stats_out_json_number(out, r->bucket_pct[k]);
            fputc('}', out);
        }
        fputs("]}", out);
        if (last_of_run)
            fputs("\n  ]}", out);
    }
    fputs("\n]}\n", out);
}

/* Display width of UTF-8 text: code points, which is right for the scripts
 * run and level names use. */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void write_table(const row *rows, size_t count, FILE *out)
{
    enum { COLS = 11 };
    static const char *const heads[COLS] = {"run",    "level",  "n",      "mean",
                                            "sd",     "p50",    "p90",    "p95",
                                            "p99",    "max",    ">1s %"};
    char ***cells = xcalloc(count, sizeof *cells);
    int width[COLS];
    for (int c = 0; c < COLS; c++)
        width[c] = text_width(heads[c]);
    static const int stat_of_col[] = {-1, -1, -1, 0, 1, 3, 4, 5, 6, 7, -1};
    for (size_t i = 0; i < count; i++) {
        const row *r = &rows[i];
        cells[i] = xcalloc(COLS, sizeof **cells);
        cells[i][0] = xstrdup(r->run);
        cells[i][1] = xstrdup(r->level);
        cells[i][2] = xasprintf("%lld", r->n);
        for (int c = 3; c < 10; c++) {
            double v = r->stat[stat_of_col[c]];
            cells[i][c] = isfinite(v) ? xasprintf("%.1f", v) : xstrdup("-");
        }
        cells[i][10] = isfinite(r->pct_over) ? xasprintf("%.1f", r->pct_over) : xstrdup("-");
        for (int c = 0; c < COLS; c++)
            if (text_width(cells[i][c]) > width[c])
                width[c] = text_width(cells[i][c]);
    }
    if (count && rows[0].endurance_ms != 1000)
        fprintf(out, "(>1s %% is the share over the endurance line of %.15g ms)\n",
                rows[0].endurance_ms);
    for (int c = 0; c < COLS; c++) {
        int pad = width[c] - text_width(heads[c]);
        if (c < 2)
            fprintf(out, "%s%*s", heads[c], pad, "");
        else
            fprintf(out, "%*s%s", pad, "", heads[c]);
        fputs(c + 1 < COLS ? "  " : "\n", out);
    }
    for (size_t i = 0; i < count; i++) {
        for (int c = 0; c < COLS; c++) {
            int pad = width[c] - text_width(cells[i][c]);
            if (c < 2)
                fprintf(out, "%s%*s", cells[i][c], pad, "");
            else
                fprintf(out, "%*s%s", pad, "", cells[i][c]);
            fputs(c + 1 < COLS ? "  " : "\n", out);
            free(cells[i][c]);
        }
        free(cells[i]);
    }
    free(cells);
}

int stats_out_write(sqlite3 *db, const char *run_name, stats_out_format format, FILE *out,
                    diag_list *diags)
{
    row *rows;
    size_t count;
    int status = read_rows(db, run_name, &rows, &count, diags);
    if (!status) {
        switch (format) {
        case STATS_OUT_CSV:
            status = write_csv(rows, count, out, diags);
            break;
        case STATS_OUT_JSON:
            write_json(rows, count, out);
            break;
        case STATS_OUT_TABLE:
            write_table(rows, count, out);
            break;
        }
    }
    for (size_t i = 0; i < count; i++)
        row_clear(&rows[i]);
    free(rows);
    return status;
}

int stats_out_summary(sqlite3 *db, FILE *out, diag_list *diags)
{
    sqlite3_stmt *stmt;
    /* The worst p95 is the largest; ties go to the lightest level. */
    if (store_prepare(db,
                      "SELECT r.name, a.samples, (SELECT count(*) FROM run_level l WHERE "
                      "l.run_id = r.run_id), (SELECT s.p95_ms FROM level_stats s WHERE "
                      "s.run_id = r.run_id AND s.p95_ms IS NOT NULL ORDER BY s.p95_ms DESC, "
                      "s.level LIMIT 1), (SELECT l.name FROM level_stats s JOIN run_level l "
                      "USING (run_id, level) WHERE s.run_id = r.run_id AND s.p95_ms IS NOT NULL "
                      "ORDER BY s.p95_ms DESC, s.level LIMIT 1) "
                      "FROM run r JOIN analysis a USING (run_id) ORDER BY r.name",
                      &stmt, diags))
        return STATUS_FAILURE;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        fprintf(out, "%s: %lld samples, %d levels", sqlite3_column_text(stmt, 0),
                sqlite3_column_int64(stmt, 1), sqlite3_column_int(stmt, 2));
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL)
            fprintf(out, ", worst p95 %.1f ms (%s)", sqlite3_column_double(stmt, 3),
                    sqlite3_column_text(stmt, 4));
        else
            fputs(", no samples", out);
        fputc('\n', out);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}
