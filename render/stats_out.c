#include "stats_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

/* How a value prints in the CSV. */
typedef enum value_kind {
    MS,    /* a time in ms: 3 decimals */
    PCT,   /* a percentage: 4 decimals */
    RATIO, /* a plain ratio: 4 decimals */
    FLAG,  /* 0 or 1 */
    TEXT   /* the level's source, the one text column */
} value_kind;

typedef struct column {
    const char *name; /* CSV and JSON name */
    value_kind kind;
} column;

/* The level_stats columns that come first in the CSV, after run,level,n. */
static const column head_columns[] = {{"mean_ms", MS}, {"stddev_ms", MS}, {"min_ms", MS},
                                      {"p50_ms", MS},  {"p90_ms", MS},    {"p95_ms", MS},
                                      {"p99_ms", MS},  {"max_ms", MS}};
#define HEAD (sizeof head_columns / sizeof *head_columns)

/* The columns appended after the buckets, in their fixed order. */
static const column tail_columns[] = {
    {"cv", RATIO},           {"p999_ms", MS},         {"pct_le_50", PCT},
    {"mean_ci_lo", MS},      {"mean_ci_hi", MS},      {"p50_ci_lo", MS},
    {"p50_ci_hi", MS},       {"p95_ci_lo", MS},       {"p95_ci_hi", MS},
    {"p99_ci_lo", MS},       {"p99_ci_hi", MS},       {"level_source", TEXT},
    {"host_cpu_pct", PCT},   {"guest_cpu_pct", PCT},  {"overhead_pct", PCT},
    {"overhead_assumed", FLAG}, {"useful_cpu_pct", PCT}, {"ready_pct", PCT},
    {"errors", FLAG},        {"error_pct", PCT},      {"approximate", FLAG}};
#define TAIL (sizeof tail_columns / sizeof *tail_columns)
#define TAIL_SOURCE 11 /* index of level_source in tail_columns */

/* Further values JSON shows. */
static const column extra_columns[] = {{"variance_ms2", RATIO}, {"discrepancy_pct", PCT},
                                       {"guest_untrusted", FLAG}, {"n_probe", FLAG},
                                       {"n_schedule", FLAG},    {"n_cpu", FLAG},
                                       {"seconds", RATIO},      {"n_concurrency", FLAG},
                                       {"n_file", FLAG}};
#define EXTRA (sizeof extra_columns / sizeof *extra_columns)

/* Everything below comes from this one query, in this column order. */
static const char rows_sql[] =
    "SELECT r.run_id, r.name, r.title, l.level, l.name, coalesce(s.n, 0), a.endurance_ms, "
    "s.mean_ms, s.stddev_ms, s.min_ms, s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, s.max_ms, "
    "s.pct_over_endurance, "
    "s.cv, s.p999_ms, s.pct_le_50, s.mean_ci_lo, s.mean_ci_hi, s.p50_ci_lo, s.p50_ci_hi, "
    "s.p95_ci_lo, s.p95_ci_hi, s.p99_ci_lo, s.p99_ci_hi, s.level_source, c.host_cpu_pct, "
    "c.guest_cpu_pct, a.overhead_pct, a.overhead_assumed, c.useful_cpu_pct, c.ready_pct, "
    "%s, "
    "s.variance_ms2, c.discrepancy_pct, c.guest_untrusted, s.n_probe, s.n_schedule, s.n_cpu, "
    "c.seconds, %s "
    "FROM run r JOIN analysis a USING (run_id) JOIN run_level l ON l.run_id = r.run_id "
    "LEFT JOIN level_stats s ON s.run_id = l.run_id AND s.level = l.level "
    "LEFT JOIN level_cpu c ON c.run_id = l.run_id AND c.level = l.level "
    "WHERE ?1 IS NULL OR r.name = ?1 ORDER BY r.name, l.level";
enum { COL_HEAD = 7, COL_OVER = 15, COL_TAIL = 16, COL_EXTRA = 16 + (int)TAIL };

/* One run and level as read from the result tables. */
typedef struct row {
    int64_t run_id;
    char *run, *title, *level;
    long long n;
    double endurance_ms;
    double head[HEAD];   /* NaN when NULL */
    double pct_over;
    double tail[TAIL];   /* level_source's slot unused */
    char *source;        /* level_source, or NULL */
    double extra[EXTRA];
    size_t bucket_count;
    char **bucket_labels;
    double *bucket_upper;        /* NaN for the overflow */
    long long *bucket_counts;
    double *bucket_pct;
} row;

/* A run's results besides its levels. */
typedef struct run_info {
    long long samples, unplaced;
    double vcpus, overhead, overhead_lo, overhead_hi, margin_ms, onset_cpu[2];
    bool native, overhead_assumed, untrusted;
    char *host_counter, *guest_counter, *ready_counter, *overhead_method, *onset_level[2],
        *onset_source;
    char **notes;     /* "warning: ..." or "note: ..." */
    size_t note_count;
} run_info;

static void row_clear(row *r)
{
    for (size_t i = 0; i < r->bucket_count; i++)
        free(r->bucket_labels[i]);
    free(r->bucket_labels);
    free(r->bucket_upper);
    free(r->bucket_counts);
    free(r->bucket_pct);
    free(r->run);
    free(r->title);
    free(r->level);
    free(r->source);
}

static void run_info_clear(run_info *i)
{
    free(i->host_counter);
    free(i->guest_counter);
    free(i->ready_counter);
    free(i->overhead_method);
    free(i->onset_level[0]);
    free(i->onset_level[1]);
    free(i->onset_source);
    for (size_t k = 0; k < i->note_count; k++)
        free(i->notes[k]);
    free(i->notes);
}

static double column_or_nan(sqlite3_stmt *stmt, int i)
{
    return sqlite3_column_type(stmt, i) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, i);
}

static char *column_dup(sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    return s ? xstrdup((const char *)s) : NULL;
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
        r->bucket_counts = xreallocarray(r->bucket_counts, k + 1, sizeof *r->bucket_counts);
        r->bucket_pct = xreallocarray(r->bucket_pct, k + 1, sizeof *r->bucket_pct);
        r->bucket_labels[k] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        r->bucket_upper[k] = column_or_nan(stmt, 1);
        r->bucket_counts[k] = sqlite3_column_int64(stmt, 2);
        r->bucket_pct[k] = sqlite3_column_double(stmt, 3);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

static int nothing_to_print(diag_list *diags, const char *run_name)
{
    if (run_name)
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no analysed run named '%s' in the store",
                 run_name);
    else
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
    return STATUS_BAD_INPUT;
}

/* Every row to print, in order; *count set. */
static int read_rows(sqlite3 *db, const char *run_name, row **rows, size_t *count,
                     diag_list *diags)
{
    *rows = NULL;
    *count = 0;
    sqlite3_stmt *stmt;
    /* Stores before schema 6 have no error columns: they read as NULL. */
    bool v6 = store_version(db) >= 6;
    char *sql = xasprintf(rows_sql, v6 ? "s.errors, s.error_pct, s.approximate" : "NULL, NULL, NULL",
                          v6 ? "s.n_concurrency, s.n_file" : "NULL, NULL");
    int prepared = store_prepare(db, sql, &stmt, diags);
    free(sql);
    if (prepared)
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    int status = STATUS_OK;
    while (!status && sqlite3_step(stmt) == SQLITE_ROW) {
        *rows = xreallocarray(*rows, *count + 1, sizeof **rows);
        row *r = &(*rows)[(*count)++];
        memset(r, 0, sizeof *r);
        r->run_id = sqlite3_column_int64(stmt, 0);
        r->run = column_dup(stmt, 1);
        r->title = column_dup(stmt, 2);
        r->level = column_dup(stmt, 4);
        r->n = sqlite3_column_int64(stmt, 5);
        r->endurance_ms = sqlite3_column_double(stmt, 6);
        for (size_t k = 0; k < HEAD; k++)
            r->head[k] = column_or_nan(stmt, COL_HEAD + (int)k);
        r->pct_over = column_or_nan(stmt, COL_OVER);
        for (size_t k = 0; k < TAIL; k++)
            r->tail[k] = k == TAIL_SOURCE ? NAN : column_or_nan(stmt, COL_TAIL + (int)k);
        r->source = column_dup(stmt, COL_TAIL + TAIL_SOURCE);
        for (size_t k = 0; k < EXTRA; k++)
            r->extra[k] = column_or_nan(stmt, COL_EXTRA + (int)k);
        status = read_buckets(db, r->run_id, sqlite3_column_int(stmt, 3), r, diags);
    }
    sqlite3_finalize(stmt);
    if (!status && *count == 0)
        status = nothing_to_print(diags, run_name);
    return status;
}

static int read_run_info(sqlite3 *db, int64_t run_id, run_info *info, diag_list *diags)
{
    memset(info, 0, sizeof *info);
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT a.samples, a.unplaced, a.vcpus, a.native, a.overhead_pct, "
                      "a.overhead_ci_lo, a.overhead_ci_hi, a.overhead_assumed, a.overhead_method, "
                      "a.guest_untrusted, a.host_counter, a.guest_counter, a.ready_counter, "
                      "a.onset_margin_ms, (SELECT name FROM run_level WHERE run_id = a.run_id AND "
                      "level = a.onset_endurance_level), a.onset_endurance_cpu_pct, "
                      "(SELECT name FROM run_level WHERE run_id = a.run_id AND level = "
                      "a.onset_margin_level), a.onset_margin_cpu_pct, a.onset_cpu_source "
                      "FROM analysis a WHERE a.run_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        info->samples = sqlite3_column_int64(stmt, 0);
        info->unplaced = sqlite3_column_int64(stmt, 1);
        info->vcpus = column_or_nan(stmt, 2);
        info->native = sqlite3_column_int(stmt, 3);
        info->overhead = column_or_nan(stmt, 4);
        info->overhead_lo = column_or_nan(stmt, 5);
        info->overhead_hi = column_or_nan(stmt, 6);
        info->overhead_assumed = sqlite3_column_int(stmt, 7);
        info->overhead_method = column_dup(stmt, 8);
        info->untrusted = sqlite3_column_int(stmt, 9);
        info->host_counter = column_dup(stmt, 10);
        info->guest_counter = column_dup(stmt, 11);
        info->ready_counter = column_dup(stmt, 12);
        info->margin_ms = column_or_nan(stmt, 13);
        info->onset_level[0] = column_dup(stmt, 14);
        info->onset_cpu[0] = column_or_nan(stmt, 15);
        info->onset_level[1] = column_dup(stmt, 16);
        info->onset_cpu[1] = column_or_nan(stmt, 17);
        info->onset_source = column_dup(stmt, 18);
    }
    sqlite3_finalize(stmt);
    if (store_prepare(db,
                      "SELECT severity || ': ' || message FROM analysis_note WHERE run_id = ? "
                      "ORDER BY seq",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        info->notes = xreallocarray(info->notes, info->note_count + 1, sizeof *info->notes);
        info->notes[info->note_count++] = column_dup(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
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
    if (!s) {
        fputs("null", out);
        return;
    }
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

/* A value as the CSV writes it: nothing for NaN. */
static void csv_value(FILE *out, double v, value_kind kind)
{
    fputc(',', out);
    if (!isfinite(v))
        return;
    switch (kind) {
    case MS:
        fprintf(out, "%.3f", v);
        break;
    case PCT:
    case RATIO:
        fprintf(out, "%.4f", v);
        break;
    case FLAG:
        fprintf(out, "%d", v != 0);
        break;
    case TEXT:
        break;
    }
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
    for (size_t k = 0; k < HEAD; k++)
        fprintf(out, ",%s", head_columns[k].name);
    fprintf(out, ",pct_over_%.15g", rows[0].endurance_ms);
    for (size_t k = 0; k < rows[0].bucket_count; k++)
        fprintf(out, ",b%s", isnan(rows[0].bucket_upper[k]) ? "over" : rows[0].bucket_labels[k]);
    for (size_t k = 0; k < TAIL; k++)
        fprintf(out, ",%s", tail_columns[k].name);
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        const row *r = &rows[i];
        stats_out_csv_field(out, r->run);
        fputc(',', out);
        stats_out_csv_field(out, r->level);
        fprintf(out, ",%lld", r->n);
        for (size_t k = 0; k < HEAD; k++)
            csv_value(out, r->head[k], head_columns[k].kind);
        csv_value(out, r->pct_over, PCT);
        for (size_t k = 0; k < r->bucket_count; k++)
            csv_value(out, r->bucket_pct[k], PCT);
        for (size_t k = 0; k < TAIL; k++) {
            if (k == TAIL_SOURCE) {
                fputc(',', out);
                if (r->source)
                    fputs(r->source, out);
            } else {
                csv_value(out, r->tail[k], tail_columns[k].kind);
            }
        }
        fputc('\n', out);
    }
    return STATUS_OK;
}

static void json_pair(FILE *out, const char *name, double v)
{
    fprintf(out, ", \"%s\": ", name);
    stats_out_json_number(out, v);
}

static void json_text(FILE *out, const char *name, const char *v)
{
    fprintf(out, ", \"%s\": ", name);
    stats_out_json_string(out, v);
}

static void write_json_run(FILE *out, const row *r, const run_info *info)
{
    fputs("\n  {\"run\": ", out);
    stats_out_json_string(out, r->run);
    json_text(out, "title", r->title);
    json_pair(out, "endurance_ms", r->endurance_ms);
    json_pair(out, "samples", (double)info->samples);
    json_pair(out, "unplaced", (double)info->unplaced);
    json_pair(out, "vcpus", info->vcpus);
    fprintf(out, ", \"native\": %s", info->native ? "true" : "false");
    json_text(out, "host_counter", info->host_counter);
    json_text(out, "guest_counter", info->guest_counter);
    json_text(out, "ready_counter", info->ready_counter);
    fputs(",\n   \"overhead\": {\"pct\": ", out);
    stats_out_json_number(out, info->overhead);
    json_pair(out, "ci_lo", info->overhead_lo);
    json_pair(out, "ci_hi", info->overhead_hi);
    fprintf(out, ", \"assumed\": %s", info->overhead_assumed ? "true" : "false");
    json_text(out, "method", info->overhead_method);
    fprintf(out, "}, \"guest_untrusted\": %s", info->untrusted ? "true" : "false");
    fputs(",\n   \"onset\": {\"margin_ms\": ", out);
    stats_out_json_number(out, info->margin_ms);
    json_text(out, "endurance_level", info->onset_level[0]);
    json_pair(out, "endurance_cpu_pct", info->onset_cpu[0]);
    json_text(out, "margin_level", info->onset_level[1]);
    json_pair(out, "margin_cpu_pct", info->onset_cpu[1]);
    json_text(out, "cpu_source", info->onset_source);
    fputs("}, \"notes\": [", out);
    for (size_t k = 0; k < info->note_count; k++) {
        if (k)
            fputs(", ", out);
        stats_out_json_string(out, info->notes[k]);
    }
    fputs("],\n   \"levels\": [", out);
}

static void write_json_level(FILE *out, const row *r, bool first)
{
    fputs(first ? "\n    {\"level\": " : ",\n    {\"level\": ", out);
    stats_out_json_string(out, r->level);
    fprintf(out, ", \"n\": %lld", r->n);
    for (size_t k = 0; k < HEAD; k++)
        json_pair(out, head_columns[k].name, r->head[k]);
    json_pair(out, "pct_over_endurance", r->pct_over);
    for (size_t k = 0; k < TAIL; k++) {
        if (k == TAIL_SOURCE)
            json_text(out, "level_source", r->source);
        else
            json_pair(out, tail_columns[k].name, r->tail[k]);
    }
    for (size_t k = 0; k < EXTRA; k++)
        json_pair(out, extra_columns[k].name, r->extra[k]);
    fputs(", \"buckets\": [", out);
    for (size_t k = 0; k < r->bucket_count; k++) {
        fputs(k ? ", {\"label\": " : "{\"label\": ", out);
        stats_out_json_string(out, r->bucket_labels[k]);
        json_pair(out, "upper_ms", r->bucket_upper[k]);
        fprintf(out, ", \"count\": %lld", r->bucket_counts[k]);
        json_pair(out, "pct", r->bucket_pct[k]);
        fputc('}', out);
    }
    fputs("]}", out);
}

static int write_json(sqlite3 *db, const row *rows, size_t count, FILE *out, diag_list *diags)
{
    fputs("{\"runs\": [", out);
    int status = STATUS_OK;
    for (size_t i = 0; i < count && !status; i++) {
        bool first = i == 0 || rows[i - 1].run_id != rows[i].run_id;
        bool last = i + 1 == count || rows[i + 1].run_id != rows[i].run_id;
        if (first) {
            run_info info;
            status = read_run_info(db, rows[i].run_id, &info, diags);
            if (i)
                fputc(',', out);
            write_json_run(out, &rows[i], &info);
            run_info_clear(&info);
        }
        write_json_level(out, &rows[i], first);
        if (last)
            fputs("\n  ]}", out);
    }
    fputs("\n]}\n", out);
    return status;
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

/* The aligned table: the figures people read first. */
enum { TABLE_COLS = 15 };
static const char *const table_heads[TABLE_COLS] = {
    "run", "level", "n", "by", "mean", "sd", "p50", "p95", "p99", "max", ">1s %", "err %",
    "host %", "guest %", "useful %"};

static char *table_cell(const row *r, int c)
{
    double v;
    switch (c) {
    case 0:
        return xstrdup(r->run);
    case 1:
        return xstrdup(r->level);
    case 2:
        return xasprintf("%lld", r->n);
    case 3:
        return xstrdup(r->source ? r->source : "-");
    case 4: v = r->head[0]; break;
    case 5: v = r->head[1]; break;
    case 6: v = r->head[3]; break;
    case 7: v = r->head[5]; break;
    case 8: v = r->head[6]; break;
    case 9: v = r->head[7]; break;
    case 10: v = r->pct_over; break;
    case 11: v = r->tail[19]; break;
    case 12: v = r->tail[12]; break;
    case 13: v = r->tail[13]; break;
    default: v = r->tail[16]; break;
    }
    return isfinite(v) ? xasprintf("%.1f", v) : xstrdup("-");
}

/* The lines under a run's rows: onsets, overhead, counters, notes. */
static void write_run_footer(FILE *out, const run_info *info, double endurance)
{
    const char *cpu = info->onset_source ? info->onset_source : "host";
    fprintf(out, "  onset: p95 over %g ms ", endurance);
    if (info->onset_level[0]) {
        fprintf(out, "from %s", info->onset_level[0]);
        if (isfinite(info->onset_cpu[0]))
            fprintf(out, " (%s CPU %.1f %%)", cpu, info->onset_cpu[0]);
    } else {
        fputs("at no level", out);
    }
    fprintf(out, "; p95 more than %g ms over the lightest level's ", info->margin_ms);
    if (info->onset_level[1]) {
        fprintf(out, "from %s", info->onset_level[1]);
        if (isfinite(info->onset_cpu[1]))
            fprintf(out, " (%s CPU %.1f %%)", cpu, info->onset_cpu[1]);
    } else {
        fputs("at no level", out);
    }
    fputc('\n', out);
    if (isfinite(info->overhead)) {
        fprintf(out, "  overhead: %.1f %% of a vCPU", info->overhead);
        if (isfinite(info->overhead_lo))
            fprintf(out, " (95 %% CI %.1f to %.1f)", info->overhead_lo, info->overhead_hi);
        fprintf(out, ", %s\n", info->overhead_method ? info->overhead_method : "");
    }
    if (info->host_counter)
        fprintf(out, "  host CPU from %s\n", info->host_counter);
    if (info->guest_counter)
        fprintf(out, "  guest CPU from %s\n", info->guest_counter);
    if (info->unplaced)
        fprintf(out, "  unplaced samples: %lld\n", info->unplaced);
    for (size_t k = 0; k < info->note_count; k++)
        fprintf(out, "  %s\n", info->notes[k]);
}

static int write_table(sqlite3 *db, const row *rows, size_t count, FILE *out, diag_list *diags)
{
    char ***cells = xcalloc(count, sizeof *cells);
    int width[TABLE_COLS];
    for (int c = 0; c < TABLE_COLS; c++)
        width[c] = text_width(table_heads[c]);
    for (size_t i = 0; i < count; i++) {
        cells[i] = xcalloc(TABLE_COLS, sizeof **cells);
        for (int c = 0; c < TABLE_COLS; c++) {
            cells[i][c] = table_cell(&rows[i], c);
            if (text_width(cells[i][c]) > width[c])
                width[c] = text_width(cells[i][c]);
        }
    }
    if (count && rows[0].endurance_ms != 1000)
        fprintf(out, "(>1s %% is the share over the endurance line of %.15g ms)\n",
                rows[0].endurance_ms);
    for (int c = 0; c < TABLE_COLS; c++) {
        int pad = width[c] - text_width(table_heads[c]);
        if (c < 2 || c == 3)
            fprintf(out, "%s%*s", table_heads[c], pad, "");
        else
            fprintf(out, "%*s%s", pad, "", table_heads[c]);
        fputs(c + 1 < TABLE_COLS ? "  " : "\n", out);
    }
    int status = STATUS_OK;
    for (size_t i = 0; i < count; i++) {
        for (int c = 0; c < TABLE_COLS; c++) {
            int pad = width[c] - text_width(cells[i][c]);
            if (c < 2 || c == 3)
                fprintf(out, "%s%*s", cells[i][c], pad, "");
            else
                fprintf(out, "%*s%s", pad, "", cells[i][c]);
            fputs(c + 1 < TABLE_COLS ? "  " : "\n", out);
            free(cells[i][c]);
        }
        free(cells[i]);
        if (!status && (i + 1 == count || rows[i + 1].run_id != rows[i].run_id)) {
            run_info info;
            status = read_run_info(db, rows[i].run_id, &info, diags);
            write_run_footer(out, &info, rows[i].endurance_ms);
            run_info_clear(&info);
        }
    }
    free(cells);
    return status;
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
            status = write_json(db, rows, count, out, diags);
            break;
        case STATS_OUT_TABLE:
            status = write_table(db, rows, count, out, diags);
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
