#include "stats_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "status.h"
#include "store.h"
#include "text.h"
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

/* One run and level as printed, taken from the results (results.h): the
 * text and the buckets point into them. */
typedef struct row {
    const results_run *res;
    const char *run, *title, *level;
    long long n;
    double endurance_ms;
    double head[HEAD];   /* NaN when NULL */
    double pct_over;
    double tail[TAIL];   /* level_source's slot unused */
    const char *source;  /* level_source, or NULL */
    double extra[EXTRA];
    size_t bucket_count;
    char *const *bucket_labels;
    const double *bucket_upper;  /* NaN for the overflow */
    const long long *bucket_counts;
    const double *bucket_pct;
} row;

/* A run's results besides its levels. */
typedef struct run_info {
    long long samples, unplaced;
    double vcpus, overhead, overhead_lo, overhead_hi, margin_ms, onset_cpu[2];
    bool native, overhead_assumed, untrusted;
    const char *host_counter, *guest_counter, *ready_counter, *overhead_method,
        *onset_level[2], *onset_source;
    char **notes;     /* "warning: ..." or "note: ..." */
    size_t note_count;
} run_info;

static void run_info_clear(run_info *i)
{
    for (size_t k = 0; k < i->note_count; k++)
        free(i->notes[k]);
    free(i->notes);
}

/* A count the store may leave NULL: NaN then. */
static double known(bool is_known, double v)
{
    return is_known ? v : NAN;
}

/* The row of level l of run r. */
static void make_row(const results_run *r, const results_level *l, row *out)
{
    *out = (row){.res = r, .run = r->name, .title = r->title, .level = l->name, .n = l->n,
                 .endurance_ms = r->endurance_ms, .pct_over = l->pct_over, .source = l->source,
                 .bucket_count = r->bucket_count, .bucket_labels = r->bucket_labels,
                 .bucket_upper = r->bucket_upper, .bucket_counts = l->bucket_count,
                 .bucket_pct = l->bucket_pct};
    const double head[HEAD] = {l->mean, l->sd, l->min, l->p50, l->p90, l->p95, l->p99, l->max};
    memcpy(out->head, head, sizeof head);
    /* In tail_columns' order; errors and approximate are known from schema 6 on. */
    bool v6 = r->v6 && l->has_stats;
    const double tail[TAIL] = {l->cv, l->p999, l->pct_le_50, l->mean_lo, l->mean_hi, l->p50_lo,
                               l->p50_hi, l->p95_lo, l->p95_hi, l->p99_lo, l->p99_hi, NAN,
                               l->host_cpu, l->guest_cpu, r->overhead,
                               known(r->overhead_said, r->overhead_assumed), l->useful_cpu,
                               l->ready, known(v6, (double)l->errors), l->error_pct,
                               known(v6, l->approximate)};
    memcpy(out->tail, tail, sizeof tail);
    const double extra[EXTRA] = {l->variance, l->discrepancy, known(l->has_cpu, l->guest_untrusted),
                                 l->n_probe, l->n_schedule, l->n_cpu, l->cpu_seconds,
                                 l->n_concurrency, l->n_file};
    memcpy(out->extra, extra, sizeof extra);
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

/* Every row to print, in order (runs by name, levels lightest first). */
static row *make_rows(const results_run *runs, size_t run_count, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < run_count; i++)
        *count += runs[i].level_count;
    row *rows = xcalloc(*count ? *count : 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < run_count; i++)
        for (size_t j = 0; j < runs[i].level_count; j++)
            make_row(&runs[i], &runs[i].levels[j], &rows[n++]);
    return rows;
}

static void make_run_info(const results_run *r, run_info *info)
{
    *info = (run_info){.samples = r->samples, .unplaced = r->unplaced, .vcpus = r->vcpus,
                       .overhead = r->overhead, .overhead_lo = r->overhead_lo,
                       .overhead_hi = r->overhead_hi, .margin_ms = r->margin_ms,
                       .onset_cpu = {r->onset_endurance.cpu_pct, r->onset_margin.cpu_pct},
                       .native = r->native, .overhead_assumed = r->overhead_assumed,
                       .untrusted = r->guest_untrusted, .host_counter = r->host_counter,
                       .guest_counter = r->guest_counter, .ready_counter = r->ready_counter,
                       .overhead_method = r->overhead_method,
                       .onset_level = {results_level_name(r, r->onset_endurance.level),
                                       results_level_name(r, r->onset_margin.level)},
                       .onset_source = r->onset_cpu_source,
                       .note_count = r->analysis_note_count};
    info->notes = xcalloc(r->analysis_note_count + 1, sizeof *info->notes);
    for (size_t k = 0; k < r->analysis_note_count; k++)
        info->notes[k] = xasprintf("%s: %s", r->analysis_notes[k].severity,
                                   r->analysis_notes[k].message);
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
        else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0)
            fprintf(out, "\\u%04x", *++p); /* C1: the same string, safe on a terminal */
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

static void write_json(const row *rows, size_t count, FILE *out)
{
    fputs("{\"runs\": [", out);
    for (size_t i = 0; i < count; i++) {
        bool first = i == 0 || rows[i - 1].res != rows[i].res;
        bool last = i + 1 == count || rows[i + 1].res != rows[i].res;
        if (first) {
            run_info info;
            make_run_info(rows[i].res, &info);
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

/* A name as a table cell: control characters escaped, so that the cell's
 * width is what the terminal shows and a name cannot drive the terminal. */
static char *name_cell(const char *name)
{
    return text_escape_controls(name, strlen(name), false);
}

static char *table_cell(const row *r, int c)
{
    double v;
    switch (c) {
    case 0:
        return name_cell(r->run);
    case 1:
        return name_cell(r->level);
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

static void write_table(const row *rows, size_t count, FILE *out)
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
        if (i + 1 == count || rows[i + 1].res != rows[i].res) {
            run_info info;
            make_run_info(rows[i].res, &info);
            write_run_footer(out, &info, rows[i].endurance_ms);
            run_info_clear(&info);
        }
    }
    free(cells);
}

int stats_out_write(sqlite3 *db, const char *run_name, stats_out_format format, FILE *out,
                    diag_list *diags)
{
    results_run *runs;
    size_t run_count;
    int status = results_read(db, run_name, &runs, &run_count, diags);
    if (status)
        return status;
    size_t count;
    row *rows = make_rows(runs, run_count, &count);
    if (count == 0)
        status = nothing_to_print(diags, run_name);
    else if (format == STATS_OUT_CSV)
        status = write_csv(rows, count, out, diags);
    else if (format == STATS_OUT_JSON)
        write_json(rows, count, out);
    else
        write_table(rows, count, out);
    free(rows);
    results_free(runs, run_count);
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
