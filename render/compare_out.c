#include "compare_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "xalloc.h"

/* Every value of a level row, CSV and JSON alike. */
typedef enum field {
    F_N_BASELINE, F_N_OTHER,
    F_DIFF_MEAN, F_DIFF_MEAN_LO, F_DIFF_MEAN_HI,
    F_DIFF_P50, F_DIFF_P50_LO, F_DIFF_P50_HI,
    F_DIFF_P95, F_DIFF_P95_LO, F_DIFF_P95_HI,
    F_DIFF_P99, F_DIFF_P99_LO, F_DIFF_P99_HI,
    F_DIFF_OVER, F_DIFF_OVER_LO, F_DIFF_OVER_HI,
    F_WELCH_DF, F_MW_U, F_MW_P, F_MW_METHOD, F_KS_D, F_KS_P, F_KS_METHOD,
    F_CLIFFS_DELTA, F_P_HOLM, F_VERDICT,
    F_BASE_MEAN, F_OTHER_MEAN, F_BASE_P50, F_OTHER_P50, F_BASE_P95, F_OTHER_P95,
    F_BASE_P99, F_OTHER_P99, F_BASE_OVER, F_OTHER_OVER
} field;

typedef struct column {
    const char *name;  /* CSV name; "%g" stands for the endurance line */
    compare_out_kind kind;
    field field;
} column;

/* The CSV's columns after baseline,other,level: first those the README
 * promises in this order, then the appended ones. */
static const column csv_columns[] = {
    {"n_baseline", COMPARE_OUT_COUNT, F_N_BASELINE},
    {"n_other", COMPARE_OUT_COUNT, F_N_OTHER},
    {"diff_mean_ms", COMPARE_OUT_MS, F_DIFF_MEAN},
    {"diff_mean_lo", COMPARE_OUT_MS, F_DIFF_MEAN_LO},
    {"diff_mean_hi", COMPARE_OUT_MS, F_DIFF_MEAN_HI},
    {"diff_p50_ms", COMPARE_OUT_MS, F_DIFF_P50},
    {"diff_p95_ms", COMPARE_OUT_MS, F_DIFF_P95},
    {"diff_p95_lo", COMPARE_OUT_MS, F_DIFF_P95_LO},
    {"diff_p95_hi", COMPARE_OUT_MS, F_DIFF_P95_HI},
    {"diff_p99_ms", COMPARE_OUT_MS, F_DIFF_P99},
    {"diff_pct_over_%g", COMPARE_OUT_POINTS, F_DIFF_OVER},
    {"mw_u", COMPARE_OUT_STATISTIC, F_MW_U},
    {"mw_p", COMPARE_OUT_P_VALUE, F_MW_P},
    {"ks_d", COMPARE_OUT_STATISTIC, F_KS_D},
    {"ks_p", COMPARE_OUT_P_VALUE, F_KS_P},
    {"cliffs_delta", COMPARE_OUT_STATISTIC, F_CLIFFS_DELTA},
    {"p_holm", COMPARE_OUT_P_VALUE, F_P_HOLM},
    {"verdict", COMPARE_OUT_TEXT, F_VERDICT},
    /* Appended. */
    {"diff_p50_lo", COMPARE_OUT_MS, F_DIFF_P50_LO},
    {"diff_p50_hi", COMPARE_OUT_MS, F_DIFF_P50_HI},
    {"diff_p99_lo", COMPARE_OUT_MS, F_DIFF_P99_LO},
    {"diff_p99_hi", COMPARE_OUT_MS, F_DIFF_P99_HI},
    {"diff_pct_over_%g_lo", COMPARE_OUT_POINTS, F_DIFF_OVER_LO},
    {"diff_pct_over_%g_hi", COMPARE_OUT_POINTS, F_DIFF_OVER_HI},
    {"welch_df", COMPARE_OUT_STATISTIC, F_WELCH_DF},
    {"mw_method", COMPARE_OUT_TEXT, F_MW_METHOD},
    {"ks_method", COMPARE_OUT_TEXT, F_KS_METHOD},
    {"baseline_mean_ms", COMPARE_OUT_MS, F_BASE_MEAN},
    {"other_mean_ms", COMPARE_OUT_MS, F_OTHER_MEAN},
    {"baseline_p50_ms", COMPARE_OUT_MS, F_BASE_P50},
    {"other_p50_ms", COMPARE_OUT_MS, F_OTHER_P50},
    {"baseline_p95_ms", COMPARE_OUT_MS, F_BASE_P95},
    {"other_p95_ms", COMPARE_OUT_MS, F_OTHER_P95},
    {"baseline_p99_ms", COMPARE_OUT_MS, F_BASE_P99},
    {"other_p99_ms", COMPARE_OUT_MS, F_OTHER_P99},
    {"baseline_pct_over_%g", COMPARE_OUT_POINTS, F_BASE_OVER},
    {"other_pct_over_%g", COMPARE_OUT_POINTS, F_OTHER_OVER},
};
#define CSV_COLUMNS (sizeof csv_columns / sizeof *csv_columns)
/* The JSON's level fields: the CSV's up to the per-side figures, which
 * JSON gives in a "baseline" and an "other" object instead. */
#define JSON_COLUMNS ((size_t)(F_BASE_MEAN - F_N_BASELINE))

/* A number of level j; NAN where there is none. */
static double number_of(const compare_results *c, size_t j, field f)
{
    const compare_results_level *l = &c->levels[j];
    const results_level *b = &c->sides[COMPARE_RESULTS_BASELINE].levels[j];
    const results_level *o = &c->sides[COMPARE_RESULTS_OTHER].levels[j];
    switch (f) {
    case F_N_BASELINE: return l->in_baseline ? (double)b->n : NAN;
    case F_N_OTHER: return l->in_other ? (double)o->n : NAN;
    case F_DIFF_MEAN: return l->mean.diff;
    case F_DIFF_MEAN_LO: return l->mean.lo;
    case F_DIFF_MEAN_HI: return l->mean.hi;
    case F_DIFF_P50: return l->p50.diff;
    case F_DIFF_P50_LO: return l->p50.lo;
    case F_DIFF_P50_HI: return l->p50.hi;
    case F_DIFF_P95: return l->p95.diff;
    case F_DIFF_P95_LO: return l->p95.lo;
    case F_DIFF_P95_HI: return l->p95.hi;
    case F_DIFF_P99: return l->p99.diff;
    case F_DIFF_P99_LO: return l->p99.lo;
    case F_DIFF_P99_HI: return l->p99.hi;
    case F_DIFF_OVER: return l->pct_over.diff;
    case F_DIFF_OVER_LO: return l->pct_over.lo;
    case F_DIFF_OVER_HI: return l->pct_over.hi;
    case F_WELCH_DF: return l->welch_df;
    case F_MW_U: return l->mw_u;
    case F_MW_P: return l->mw_p;
    case F_KS_D: return l->ks_d;
    case F_KS_P: return l->ks_p;
    case F_CLIFFS_DELTA: return l->cliffs_delta;
    case F_P_HOLM: return l->p_holm;
    case F_BASE_MEAN: return b->mean;
    case F_OTHER_MEAN: return o->mean;
    case F_BASE_P50: return b->p50;
    case F_OTHER_P50: return o->p50;
    case F_BASE_P95: return b->p95;
    case F_OTHER_P95: return o->p95;
    case F_BASE_P99: return b->p99;
    case F_OTHER_P99: return o->p99;
    case F_BASE_OVER: return b->pct_over;
    case F_OTHER_OVER: return o->pct_over;
    case F_MW_METHOD:
    case F_KS_METHOD:
    case F_VERDICT:
        break;
    }
    return NAN;
}

/* A text of level j, or NULL. */
static const char *text_of(const compare_results *c, size_t j, field f)
{
    const compare_results_level *l = &c->levels[j];
    return f == F_MW_METHOD ? l->mw_method : f == F_KS_METHOD ? l->ks_method : l->verdict;
}

/* The column's name with line (the endurance line, "1000" in the CSV,
 * "endurance" in JSON as p3 stats names it) for its "%g". Caller frees. */
static char *column_name(const column *col, const char *line)
{
    const char *at = strstr(col->name, "%g");
    if (!at)
        return xstrdup(col->name);
    return xasprintf("%.*s%s%s", (int)(at - col->name), col->name, line, at + 2);
}

size_t compare_out_column_count(void)
{
    return CSV_COLUMNS;
}

char *compare_out_column_name(size_t k, const char *line)
{
    return column_name(&csv_columns[k], line);
}

compare_out_kind compare_out_column_kind(size_t k)
{
    return csv_columns[k].kind;
}

double compare_out_number(const compare_results *c, size_t j, size_t k)
{
    return number_of(c, j, csv_columns[k].field);
}

const char *compare_out_text(const compare_results *c, size_t j, size_t k)
{
    return text_of(c, j, csv_columns[k].field);
}

/* ---- CSV ---- */

static void csv_value(FILE *out, const compare_results *c, size_t j, const column *col)
{
    fputc(',', out);
    if (col->kind == COMPARE_OUT_TEXT) {
        const char *s = text_of(c, j, col->field);
        if (s)
            stats_out_csv_field(out, s);
        return;
    }
    double v = number_of(c, j, col->field);
    if (!isfinite(v))
        return;
    switch (col->kind) {
    case COMPARE_OUT_MS: fprintf(out, "%.3f", v); break;
    case COMPARE_OUT_POINTS: fprintf(out, "%.4f", v); break;
    case COMPARE_OUT_COUNT: fprintf(out, "%.0f", v); break;
    default: stats_out_json_number(out, v); break;
    }
}

static void write_csv(const compare_results *list, size_t count, FILE *out)
{
    /* One command's comparisons share the baseline's line. */
    char *line = xasprintf("%.15g", list[0].endurance_ms);
    fputs("baseline,other,level", out);
    for (size_t k = 0; k < CSV_COLUMNS; k++) {
        char *name = column_name(&csv_columns[k], line);
        fprintf(out, ",%s", name);
        free(name);
    }
    free(line);
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        const compare_results *c = &list[i];
        for (size_t j = 0; j < c->level_count; j++) {
            stats_out_csv_field(out, c->baseline);
            fputc(',', out);
            stats_out_csv_field(out, c->other);
            fputc(',', out);
            stats_out_csv_field(out, c->sides[0].levels[j].name);
            for (size_t k = 0; k < CSV_COLUMNS; k++)
                csv_value(out, c, j, &csv_columns[k]);
            fputc('\n', out);
        }
    }
}

/* ---- JSON ---- */

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

/* One run's own figures at level j, or null when it lacks the level. */
static void json_side(FILE *out, const compare_results *c, size_t j, int side, bool present)
{
    fprintf(out, ",\n      \"%s\": ", side == COMPARE_RESULTS_BASELINE ? "baseline" : "other");
    if (!present) {
        fputs("null", out);
        return;
    }
    const results_run *r = &c->sides[side];
    const results_level *l = &r->levels[j];
    fprintf(out, "{\"n\": %lld", l->n);
    const char *const names[] = {"mean_ms",   "mean_ci_lo", "mean_ci_hi", "p50_ms",
                                 "p50_ci_lo", "p50_ci_hi",  "p90_ms",     "p95_ms",
                                 "p95_ci_lo", "p95_ci_hi",  "p99_ms",     "p99_ci_lo",
                                 "p99_ci_hi", "pct_over_endurance"};
    const double values[] = {l->mean,   l->mean_lo, l->mean_hi, l->p50,    l->p50_lo,
                             l->p50_hi, l->p90,     l->p95,     l->p95_lo, l->p95_hi,
                             l->p99,    l->p99_lo,  l->p99_hi,  l->pct_over};
    for (size_t k = 0; k < sizeof values / sizeof *values; k++)
        json_pair(out, names[k], values[k]);
    fputs(", \"buckets\": [", out);
    for (size_t k = 0; k < r->bucket_count; k++) {
        fprintf(out, "%s{\"count\": %lld", k ? ", " : "", l->bucket_count[k]);
        json_pair(out, "pct", l->bucket_pct[k]);
        fputc('}', out);
    }
    fputs("]}", out);
}

static void json_level(FILE *out, const compare_results *c, size_t j)
{
    const compare_results_level *l = &c->levels[j];
    fputs(j ? ",\n    {\"level\": " : "\n    {\"level\": ", out);
    stats_out_json_string(out, c->sides[0].levels[j].name);
    fprintf(out, ", \"in_baseline\": %s, \"in_other\": %s", l->in_baseline ? "true" : "false",
            l->in_other ? "true" : "false");
    for (size_t k = 0; k < CSV_COLUMNS; k++) {
        const column *col = &csv_columns[k];
        if ((size_t)col->field >= JSON_COLUMNS)
            continue;
        char *name = column_name(col, "endurance");
        if (col->kind == COMPARE_OUT_TEXT)
            json_text(out, name, text_of(c, j, col->field));
        else
            json_pair(out, name, number_of(c, j, col->field));
        free(name);
    }
    json_side(out, c, j, COMPARE_RESULTS_BASELINE, l->in_baseline);
    json_side(out, c, j, COMPARE_RESULTS_OTHER, l->in_other);
    fputc('}', out);
}

static void write_json(const compare_results *list, size_t count, FILE *out)
{
    fputs("{\"comparisons\": [", out);
    for (size_t i = 0; i < count; i++) {
        const compare_results *c = &list[i];
        fputs(i ? ",\n  {\"baseline\": " : "\n  {\"baseline\": ", out);
        stats_out_json_string(out, c->baseline);
        json_text(out, "other", c->other);
        json_text(out, "baseline_run", c->baseline_run);
        json_text(out, "other_run", c->other_run);
        json_text(out, "baseline_title", c->sides[COMPARE_RESULTS_BASELINE].title);
        json_text(out, "other_title", c->sides[COMPARE_RESULTS_OTHER].title);
        json_text(out, "baseline_source", c->baseline_source);
        json_text(out, "other_source", c->other_source);
        fprintf(out, ", \"baseline_unplaced\": %lld, \"other_unplaced\": %lld",
                c->baseline_unplaced, c->other_unplaced);
        json_pair(out, "endurance_ms", c->endurance_ms);
        fprintf(out, ", \"replicates\": %lld, \"seed\": %lld", c->replicates, (long long)c->seed);
        json_pair(out, "alpha", c->alpha);
        json_text(out, "summary", c->summary);
        fputs(",\n   \"buckets\": [", out);
        const results_run *b = &c->sides[COMPARE_RESULTS_BASELINE];
        for (size_t k = 0; k < b->bucket_count; k++) {
            fputs(k ? ", {\"label\": " : "{\"label\": ", out);
            stats_out_json_string(out, b->bucket_labels[k]);
            json_pair(out, "upper_ms", b->bucket_upper[k]);
            fputc('}', out);
        }
        fputs("],\n   \"levels\": [", out);
        for (size_t j = 0; j < c->level_count; j++)
            json_level(out, c, j);
        fputs("\n  ]}", out);
    }
    fputs("\n]}\n", out);
}

/* ---- the table ---- */

/* Display width of UTF-8 text in code points. */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

enum { TABLE_COLS = 15 };
static const char *const table_heads[TABLE_COLS] = {
    "level",   "n base",  "n other", "mean diff", "95% CI", "p50 diff", "p95 diff", "95% CI",
    "p99 diff", ">1s pts", "MW p",   "KS p",      "delta",  "p Holm",   "verdict"};

/* A signed difference with `decimals` decimals; one that rounds to zero
 * shows as 0, not -0. */
static char *signed_cell(double v, int decimals)
{
    if (!isfinite(v))
        return xstrdup("-");
    double scale = pow(10, decimals);
    double r = round(v * scale) / scale;
    return r == 0 ? xasprintf("%.*f", decimals, 0.0) : xasprintf("%+.*f", decimals, r);
}

static char *ms_cell(double v)
{
    return signed_cell(v, 1);
}

static char *ci_cell(compare_results_diff d)
{
    if (!isfinite(d.lo) || !isfinite(d.hi))
        return xstrdup("-");
    char *lo = signed_cell(d.lo, 1), *hi = signed_cell(d.hi, 1);
    char *cell = xasprintf("[%s, %s]", lo, hi);
    free(lo);
    free(hi);
    return cell;
}

static char *p_cell(double p)
{
    return isfinite(p) ? xasprintf("%.2g", p) : xstrdup("-");
}

static char *count_cell(bool present, long long n)
{
    return present ? xasprintf("%lld", n) : xstrdup("-");
}

static char *table_cell(const compare_results *c, size_t j, int col)
{
    const compare_results_level *l = &c->levels[j];
    switch (col) {
    case 0: return xstrdup(c->sides[0].levels[j].name);
    case 1: return count_cell(l->in_baseline, c->sides[COMPARE_RESULTS_BASELINE].levels[j].n);
    case 2: return count_cell(l->in_other, c->sides[COMPARE_RESULTS_OTHER].levels[j].n);
    case 3: return ms_cell(l->mean.diff);
    case 4: return ci_cell(l->mean);
    case 5: return ms_cell(l->p50.diff);
    case 6: return ms_cell(l->p95.diff);
    case 7: return ci_cell(l->p95);
    case 8: return ms_cell(l->p99.diff);
    case 9: return signed_cell(l->pct_over.diff, 2);
    case 10: return p_cell(l->mw_p);
    case 11: return p_cell(l->ks_p);
    case 12: return signed_cell(l->cliffs_delta, 2);
    case 13: return p_cell(l->p_holm);
    default: return xstrdup(l->verdict);
    }
}

static void put_cell(FILE *out, const char *s, int width, int col)
{
    int pad = width - text_width(s);
    bool left = col == 0 || col == TABLE_COLS - 1;
    if (left)
        fprintf(out, "%s%*s", s, col + 1 < TABLE_COLS ? pad : 0, "");
    else
        fprintf(out, "%*s%s", pad, "", s);
    fputs(col + 1 < TABLE_COLS ? "  " : "\n", out);
}

static void write_table(const compare_results *list, size_t count, FILE *out)
{
    int width[TABLE_COLS];
    for (int k = 0; k < TABLE_COLS; k++)
        width[k] = text_width(table_heads[k]);
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < list[i].level_count; j++)
            for (int k = 0; k < TABLE_COLS; k++) {
                char *s = table_cell(&list[i], j, k);
                if (text_width(s) > width[k])
                    width[k] = text_width(s);
                free(s);
            }
    for (size_t i = 0; i < count; i++) {
        const compare_results *c = &list[i];
        fprintf(out,
                "%s%s against %s: differences %s minus %s in ms; >1s pts: the share over "
                "%.15g ms, in percentage points\n",
                i ? "\n" : "", c->other, c->baseline, c->other, c->baseline, c->endurance_ms);
        for (int k = 0; k < TABLE_COLS; k++)
            put_cell(out, table_heads[k], width[k], k);
        for (size_t j = 0; j < c->level_count; j++)
            for (int k = 0; k < TABLE_COLS; k++) {
                char *s = table_cell(c, j, k);
                put_cell(out, s, width[k], k);
                free(s);
            }
        fprintf(out, "  %s: %s\n", c->other, c->summary);
    }
}

int compare_out_write(sqlite3 *db, stats_out_format format, FILE *out, diag_list *diags)
{
    compare_results *list;
    size_t count;
    int status = compare_results_read(db, &list, &count, diags);
    if (status)
        return status;
    if (count == 0) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "the store holds no comparison of runs");
        return STATUS_BAD_INPUT;
    }
    switch (format) {
    case STATS_OUT_CSV: write_csv(list, count, out); break;
    case STATS_OUT_JSON: write_json(list, count, out); break;
    case STATS_OUT_TABLE: write_table(list, count, out); break;
    }
    compare_results_free(list, count);
    return STATUS_OK;
}

int compare_out_summary(sqlite3 *db, FILE *out, diag_list *diags)
{
    compare_results *list;
    size_t count;
    int status = compare_results_read(db, &list, &count, diags);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s against %s: %s\n", list[i].other, list[i].baseline, list[i].summary);
    compare_results_free(list, count);
    return status;
}
