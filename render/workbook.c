#include "workbook.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "p3chart.h"
#include "render.h"
#include "results.h"
#include "status.h"
#include "tempname.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

/* Excel's limits: rows per sheet (the first holds the Samples header),
 * characters per cell, UTF-16 units per sheet name. */
#define EXCEL_ROWS 1048576L
#define EXCEL_TEXT_MAX 32767
#define SHEET_NAME_MAX 31

/* Columns of a Samples sheet. Samples are sorted by run, level, time, so a
 * level's samples are one block of rows and plain ranges cover them; the
 * level number (1 = lightest) lets COUNTIFS confirm each row's level
 * without matching text, whose criteria Excel would read as patterns. */
enum { S_RUN, S_LEVEL, S_LEVEL_NO, S_TIME, S_DELAY, S_FILE, S_LABEL, S_STATE, S_COLUMNS };

/* Statistics of a level as the store holds them, NaN where NULL. */
enum {
    ST_MEAN, ST_SD, ST_MIN, ST_P50, ST_P90, ST_P95, ST_P99, ST_P999, ST_MAX, ST_OVER, ST_LE50,
    ST_CV, ST_MEAN_LO, ST_MEAN_HI, ST_P50_LO, ST_P50_HI, ST_P95_LO, ST_P95_HI, ST_P99_LO,
    ST_P99_HI, ST_COUNT
};

/* CPU accounting of a level (level_cpu), NaN where NULL. */
enum { CPU_SECONDS, CPU_HOST, CPU_GUEST, CPU_DISCREPANCY, CPU_UNTRUSTED, CPU_USEFUL, CPU_READY,
       CPU_COUNT };

/* A stretch of one block of samples on one Samples sheet (0-based rows). */
typedef struct part {
    size_t sheet;
    lxw_row_t first, last;
} part;

/* One level's samples in the Samples sheets, or a run's samples without a
 * probe-given level: count rows, in parts when they span sheets. */
typedef struct block {
    long long count;
    part *parts;
    size_t part_count;
} block;

typedef struct level_data {
    const char *name;  /* as the run names it */
    long long n;       /* samples analysis placed in the level */
    long long n_probe; /* of which the probe log gave the level: the ones Samples shows
                          in stores before schema 6, which keep no placement */
    long long errors;  /* failed samples (load-test results) */
    double error_pct;  /* their share in %, NaN when unknown */
    bool approximate;  /* the distribution is not of single samples */
    bool weighted;     /* its samples are histogram buckets: rows are not samples */
    double st[ST_COUNT];   /* ST_*: its statistics, NaN where NULL */
    const char *source;    /* level_source, or NULL */
    double cpu[CPU_COUNT]; /* CPU_*: its CPU accounting, NaN where NULL */
    const long long *counts; /* bucket_count samples per bucket */
    const double *pct;       /* bucket_count shares in % */
    block samples;     /* its rows in the Samples sheets */
} level_data;

/* A run as the workbook lays it out: its results (results.h), which the
 * text and the buckets point into, and where its samples go. */
typedef struct run_data {
    int64_t run_id;
    const char *name, *title, *folder, *host, *guest, *platform, *notes; /* NULL: not given */
    char *sheet; /* its sheet's name */
    double endurance, vcpus, overhead, overhead_lo, overhead_hi, margin_ms, onset_cpu[2];
    long long samples, unplaced; /* analysis: samples in levels, samples in none */
    int native, overhead_assumed; /* 0 or 1; overhead_assumed -1 when the store does not say */
    const char *overhead_method, *host_counter, *guest_counter, *ready_counter; /* NULL: none */
    const char *onset_level[2], *onset_source; /* the onset rules' level names (NULL: none) */
    char **note_lines; /* "warning: ..." or "note: ..." */
    size_t note_count;
    const results_meta *meta; /* run_meta */
    size_t meta_count;
    size_t bucket_count;
    char *const *bucket_labels; /* "50", ..., ">1850" */
    const double *bucket_upper; /* NaN for the overflow */
    size_t level_count;
    level_data *levels;
    block unleveled;      /* samples in no level's distribution: unplaced, failed, left out */
    long long sample_rows; /* the samples of its probe files: its rows in the Samples sheets */
    bool v6;              /* the store keeps placements, labels and errors (schema 6 on) */
    int64_t *file_ids;    /* its probe files, ascending, for the Samples' file column */
    char **file_paths;
    size_t file_count;
} run_data;

/* The workbook being written. libxlsxwriter's errors are sticky here, as
 * cairo's are: the first one is kept, later writes do nothing, and
 * workbook_write() reports it once. */
typedef struct book {
    lxw_workbook *wb;
    lxw_error err;
    char *err_what;          /* what was being written when err happened */
    lxw_format *title, *head, *bold, *note, *ms, *pct, *count, *number, *time, *delay, *over;
    size_t sample_sheets;
    lxw_worksheet **samples;
    char **sample_names;
    long sample_rows;        /* rows per Samples sheet, the header excluded */
    bool samples_left_out;   /* past the sample limit: no Samples sheets, the statistics
                                re-checked from the bucket counts where they can be */
    long long sample_total;  /* the samples the Samples sheets would carry */
    long long sample_limit;  /* the most they may carry (0: none) */
} book;

/* ---- text ---------------------------------------------------------------- */

/* s as text a cell can hold: invalid UTF-8 and control characters other
 * than tab and line feed become U+FFFD (XML 1.0 cannot carry them), and
 * the text is cut at Excel's limit on a character boundary. Caller frees. */
static char *clean_text(const char *s, size_t len)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    char *out = xmalloc(3 * len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t seq = text_utf8_sequence(s + i, len - i);
        unsigned char c = (unsigned char)s[i];
        size_t add = seq ? seq : 1;
        bool bad = seq == 0 || (seq == 1 && c < 0x20 && c != '\t' && c != '\n');
        size_t out_len = bad ? 3 : seq;
        if (o + out_len > EXCEL_TEXT_MAX)
            break;
        if (bad)
            memcpy(out + o, replacement, 3);
        else
            memcpy(out + o, s + i, seq);
        o += out_len;
        i += add;
    }
    out[o] = '\0';
    return out;
}

char *workbook_cell_text(const char *s)
{
    return clean_text(s, strlen(s));
}

static char *column_text(sqlite3_stmt *stmt, int i)
{
    const char *s = (const char *)sqlite3_column_text(stmt, i);
    return s ? clean_text(s, (size_t)sqlite3_column_bytes(stmt, i)) : NULL;
}

/* UTF-16 units of the UTF-8 character that starts with byte c. */
static size_t utf16_units(unsigned char c)
{
    return c >= 0xF0 ? 2 : 1;
}

/* Length of the UTF-8 character that starts with byte c (s is valid). */
static size_t utf8_length(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

char *workbook_sheet_name(const char *run)
{
    char *clean = clean_text(run, strlen(run));
    char *out = xmalloc(3 * strlen(clean) + sizeof "History (run)");
    size_t o = 0, units = 0;
    for (const char *p = clean; *p;) {
        unsigned char c = (unsigned char)*p;
        size_t len = utf8_length(c);
        if (units + utf16_units(c) > SHEET_NAME_MAX)
            break;
        units += utf16_units(c);
        if (c == '\'' && o == 0) {
            /* Excel refuses a name that begins or ends with an apostrophe: ’ there. */
            memcpy(out + o, "\xE2\x80\x99", 3);
            o += 3;
        } else if (c < 0x20 || strchr("[]:*?/\\", c)) {
            out[o++] = '_';
        } else {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    if (o > 0 && out[o - 1] == '\'') {
        memcpy(out + o - 1, "\xE2\x80\x99", 3);
        o += 2;
    }
    out[o] = '\0';
    free(clean);
    if (o == 0)
        strcpy(out, "run");
    else if (strcasecmp(out, "History") == 0) /* Excel keeps the name for itself */
        strcpy(out, "History (run)");
    return out;
}

static bool name_taken(const char *name, char *const *taken, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (taken[i] && strcasecmp(name, taken[i]) == 0)
            return true;
    return false;
}

/* base, or base with " (2)", " (3)", ... when taken, cut to fit 31 units. */
static char *unique_name(const char *base, char *const *taken, size_t count)
{
    if (!name_taken(base, taken, count))
        return xstrdup(base);
    for (unsigned k = 2;; k++) {
        char suffix[16];
        int suffix_len = snprintf(suffix, sizeof suffix, " (%u)", k);
        size_t keep = 0, units = 0;
        while (base[keep]) {
            unsigned char c = (unsigned char)base[keep];
            if (units + utf16_units(c) + (size_t)suffix_len > SHEET_NAME_MAX)
                break;
            units += utf16_units(c);
            keep += utf8_length(c);
        }
        char *name = xasprintf("%.*s%s", (int)keep, base, suffix);
        if (!name_taken(name, taken, count))
            return name;
        free(name);
    }
}

/* ---- a growing string for formulas ---------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = 2 * (b->cap + (size_t)n + 64);
        b->s = xrealloc(b->s, b->cap);
        if (b->len == 0)
            b->s[0] = '\0';
    }
}

/* v in the shortest form that reads back the same, for formulas. */
static void sb_number(sbuf *b, double v)
{
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    sb_printf(b, "%s", buf);
}

/* Column letters of col (0-based). */
/* Appends the absolute reference sheet!$C$r1:$C$r2 (rows 0-based), or $C$r1
 * when one cell and no sheet, as libxlsxwriter writes them: it quotes the
 * sheet's name when it must, apostrophes doubled. */
static void sb_range(sbuf *b, const char *sheet, lxw_row_t r1, lxw_col_t c1, lxw_row_t r2,
                     lxw_col_t c2)
{
    char ref[LXW_MAX_FORMULA_RANGE_LENGTH];
    if (sheet)
        lxw_rowcol_to_formula_abs(ref, sheet, r1, c1, r2, c2);
    else
        lxw_rowcol_to_range_abs(ref, r1, c1, r2, c2);
    sb_printf(b, "%s", ref);
}

/* ---- sticky writes -------------------------------------------------------- */

static void fail(book *b, lxw_error err, const char *what)
{
    if (b->err)
        return;
    b->err = err;
    b->err_what = xstrdup(what);
}

static void check(book *b, lxw_error err, const char *what)
{
    if (err)
        fail(b, err, what);
}

/* Text from the store or from p3: always a string cell, never a formula. */
/* Whether s can go into a cell as it is: ASCII without control characters
 * other than tab and line feed, within Excel's limit. Anything else goes
 * through clean_text(). */
static bool cell_ready(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x7F || (c < 0x20 && c != '\t' && c != '\n'))
            return false;
    }
    return i <= EXCEL_TEXT_MAX;
}

/* A text cell; s is made fit for one first (NULL or empty: none). */
static void put_text(book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                     lxw_format *f)
{
    if (b->err || !s || !*s)
        return;
    char *clean = cell_ready(s) ? NULL : clean_text(s, strlen(s));
    check(b, worksheet_write_string(ws, r, c, clean ? clean : s, f), "a text cell");
    free(clean);
}

static void put_num(book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (!b->err && isfinite(v))
        check(b, worksheet_write_number(ws, r, c, v, f), "a number cell");
}

/* A formula with p3's value as its cached result; the value alone when p3
 * has none (the formula would only give an error). */
static void put_formula(book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *formula,
                        double cached, lxw_format *f)
{
    if (b->err || !isfinite(cached))
        return;
    check(b, worksheet_write_formula_num(ws, r, c, formula, f, cached), "a formula cell");
}

static void set_width(book *b, lxw_worksheet *ws, lxw_col_t first, lxw_col_t last, double width)
{
    if (!b->err)
        check(b, worksheet_set_column(ws, first, last, width, NULL), "column widths");
}

static lxw_color_t level_colour(p3chart_palette palette, size_t level)
{
    double rgb[3];
    p3chart_palette_rgb(palette, level, rgb);
    lxw_color_t c = 0;
    for (int k = 0; k < 3; k++)
        c = (c << 8) | (lxw_color_t)lround(fmin(fmax(rgb[k], 0), 1) * 255);
    return c ? c : LXW_COLOR_BLACK; /* 0 means "unset" to libxlsxwriter */
}

/* ---- reading the store ---------------------------------------------------- */

static void block_clear(block *bl)
{
    free(bl->parts);
}

static void run_clear(run_data *r)
{
    free(r->sheet);
    for (size_t i = 0; i < r->note_count; i++)
        free(r->note_lines[i]);
    free(r->note_lines);
    for (size_t i = 0; i < r->level_count; i++)
        block_clear(&r->levels[i].samples);
    free(r->levels);
    block_clear(&r->unleveled);
    for (size_t i = 0; i < r->file_count; i++)
        free(r->file_paths[i]);
    free(r->file_ids), free(r->file_paths);
}

/* A count the store may leave NULL, as a count. */
static long long count_or_0(double v)
{
    return isfinite(v) ? (long long)v : 0;
}

/* The workbook's view of level l. */
static void take_level(const results_run *res, const results_level *l, level_data *out)
{
    *out = (level_data){.name = l->name, .n = l->n, .errors = l->errors,
                        .error_pct = l->error_pct, .approximate = l->approximate,
                        .source = l->source, .counts = l->bucket_count, .pct = l->bucket_pct};
    /* The Samples sheets show where analysis placed each sample from schema
     * 6 on; before, the level the probe log gave. */
    out->n_probe = res->v6 ? l->n : count_or_0(l->n_probe);
    const double st[ST_COUNT] = {l->mean,    l->sd,      l->min,      l->p50,     l->p90,
                                 l->p95,     l->p99,     l->p999,     l->max,     l->pct_over,
                                 l->pct_le_50, l->cv,    l->mean_lo,  l->mean_hi, l->p50_lo,
                                 l->p50_hi,  l->p95_lo,  l->p95_hi,   l->p99_lo,  l->p99_hi};
    memcpy(out->st, st, sizeof st);
    const double cpu[CPU_COUNT] = {l->cpu_seconds, l->host_cpu, l->guest_cpu, l->discrepancy,
                                   l->has_cpu ? (double)l->guest_untrusted : NAN,
                                   l->useful_cpu, l->ready};
    memcpy(out->cpu, cpu, sizeof cpu);
}

/* The workbook's view of the run res (which must outlive it). */
static void take_run(const results_run *res, run_data *r)
{
    *r = (run_data){.run_id = res->run_id, .name = res->name, .title = res->title,
                    .folder = res->folder, .host = res->host, .guest = res->guest,
                    .platform = res->platform, .notes = res->notes,
                    .endurance = res->endurance_ms, .vcpus = res->vcpus,
                    .overhead = res->overhead, .overhead_lo = res->overhead_lo,
                    .overhead_hi = res->overhead_hi, .margin_ms = res->margin_ms,
                    .onset_cpu = {res->onset_endurance.cpu_pct, res->onset_margin.cpu_pct},
                    .samples = res->samples, .unplaced = res->unplaced, .native = res->native,
                    .overhead_assumed = res->overhead_said ? res->overhead_assumed : -1,
                    .overhead_method = res->overhead_method,
                    .host_counter = res->host_counter, .guest_counter = res->guest_counter,
                    .ready_counter = res->ready_counter,
                    .onset_level = {results_level_name(res, res->onset_endurance.level),
                                    results_level_name(res, res->onset_margin.level)},
                    .onset_source = res->onset_cpu_source, .meta = res->meta,
                    .meta_count = res->meta_count, .bucket_count = res->bucket_count,
                    .bucket_labels = res->bucket_labels, .bucket_upper = res->bucket_upper,
                    .level_count = res->level_count, .v6 = res->v6};
    r->note_count = res->analysis_note_count;
    r->note_lines = xcalloc(r->note_count + 1, sizeof *r->note_lines);
    for (size_t k = 0; k < r->note_count; k++)
        r->note_lines[k] = xasprintf("%s: %s", res->analysis_notes[k].severity,
                                     res->analysis_notes[k].message);
    r->levels = xcalloc(r->level_count + 1, sizeof *r->levels);
    for (size_t j = 0; j < r->level_count; j++)
        take_level(res, &res->levels[j], &r->levels[j]);
}

/* The run's probe files, and how many of their samples each level holds,
 * counted the way the Samples sheets will sort them. */
static const char files_sql[] = "SELECT file_id, path, first_sample, last_sample FROM source_file "
                                "WHERE run_id = ? AND kind = 'probe' AND samples > 0 "
                                "ORDER BY file_id";

/* Where analysis placed each sample of a run (schema 6 on): the level of
 * the counted ones, or the run's level count for every other sample.
 * ?1 run_id, ?2 level count, ?3 and ?4 a sample_id range. */
#define PLACED_LEVEL                                                                               \
    "(SELECT CASE WHEN p.state = 'counted' AND p.level >= 0 AND p.level < ?2 THEN p.level "       \
    "ELSE ?2 END FROM placement p WHERE p.run_id = ?1 AND p.first_sample = (SELECT "              \
    "max(q.first_sample) FROM placement q WHERE q.run_id = ?1 AND q.first_sample <= "             \
    "s.sample_id) AND p.last_sample >= s.sample_id)"
#define PLACED_STATE                                                                               \
    "(SELECT p.state FROM placement p WHERE p.run_id = ?1 AND p.first_sample = (SELECT "          \
    "max(q.first_sample) FROM placement q WHERE q.run_id = ?1 AND q.first_sample <= "             \
    "s.sample_id) AND p.last_sample >= s.sample_id)"

static const char count_sql_v6[] = "SELECT coalesce(" PLACED_LEVEL ", ?2), s.weight IS NOT NULL "
                                   "FROM sample s WHERE s.sample_id BETWEEN ?3 AND ?4";
static const char count_sql_old[] = "SELECT CASE WHEN level >= 0 AND level < ?2 THEN level ELSE "
                                    "?2 END, 0 FROM sample WHERE sample_id BETWEEN ?3 AND ?4 "
                                    "AND ?1 IS NOT NULL";

static int count_samples(sqlite3 *db, run_data *r, diag_list *diags)
{
    sqlite3_stmt *files, *rows;
    if (store_prepare(db, files_sql, &files, diags))
        return STATUS_FAILURE;
    if (store_prepare(db, r->v6 ? count_sql_v6 : count_sql_old, &rows, diags)) {
        sqlite3_finalize(files);
        return STATUS_FAILURE;
    }
    sqlite3_bind_int64(files, 1, r->run_id);
    sqlite3_bind_int64(rows, 1, r->run_id);
    sqlite3_bind_int64(rows, 2, (sqlite3_int64)r->level_count);
    int status = STATUS_OK, rc;
    while (!status && (rc = sqlite3_step(files)) == SQLITE_ROW) {
        size_t k = r->file_count++;
        r->file_ids = xreallocarray(r->file_ids, k + 1, sizeof *r->file_ids);
        r->file_paths = xreallocarray(r->file_paths, k + 1, sizeof *r->file_paths);
        r->file_ids[k] = sqlite3_column_int64(files, 0);
        r->file_paths[k] = column_text(files, 1);
        sqlite3_bind_int64(rows, 3, sqlite3_column_int64(files, 2));
        sqlite3_bind_int64(rows, 4, sqlite3_column_int64(files, 3));
        while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
            sqlite3_int64 level = sqlite3_column_int64(rows, 0);
            if (level >= 0 && (size_t)level < r->level_count) {
                r->levels[level].samples.count++;
                r->levels[level].weighted |= sqlite3_column_int(rows, 1) != 0;
            } else {
                r->unleveled.count++;
            }
        }
        if (rc != SQLITE_DONE)
            status = store_fail(db, diags, "cannot read samples");
        sqlite3_reset(rows);
    }
    sqlite3_finalize(rows);
    sqlite3_finalize(files);
    return status;
}

/* How many samples the run's probe files hold, the rows count_samples()
 * would share out among the blocks, without looking up where each went:
 * enough to tell whether the workbook carries them. Each file records the
 * rows it put in (its samples are sample_id first..last), so no sample is
 * read. */
static int count_rows(sqlite3 *db, run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "SELECT coalesce(sum(samples), 0) FROM source_file WHERE run_id = ? AND "
                      "kind = 'probe' AND samples > 0",
                      &st, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(st, 1, r->run_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        r->sample_rows = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STATUS_OK : store_fail(db, diags, "cannot count samples");
}

/* Every analysed run (or only run_name): *res holds the results, which
 * *runs point into; free both. */
static int read_runs(sqlite3 *db, const char *run_name, results_run **res, run_data **runs,
                     size_t *count, diag_list *diags)
{
    *runs = NULL;
    int status = results_read(db, run_name, res, count, diags);
    if (status)
        return status;
    *runs = xcalloc(*count + 1, sizeof **runs);
    for (size_t i = 0; i < *count && !status; i++) {
        take_run(&(*res)[i], &(*runs)[i]);
        status = count_rows(db, &(*runs)[i], diags);
    }
    return status;
}

/* ---- planning ----------------------------------------------------------- */

/* Places a block of samples after *used rows of sheet *sheet. A block that
 * fits on one sheet but not in what is left of this one starts the next,
 * so that one plain range covers it; a larger block fills sheets in turn. */
static void plan_block(block *bl, size_t *sheet, long *used, long per_sheet)
{
    long long left = bl->count;
    if (left == 0)
        return;
    if (left <= per_sheet && left > per_sheet - *used && *used > 0) {
        (*sheet)++;
        *used = 0;
    }
    while (left > 0) {
        if (*used == per_sheet) {
            (*sheet)++;
            *used = 0;
        }
        long take = (long)(left < per_sheet - *used ? left : per_sheet - *used);
        bl->parts = xreallocarray(bl->parts, bl->part_count + 1, sizeof *bl->parts);
        bl->parts[bl->part_count++] =
            (part){*sheet, (lxw_row_t)(1 + *used), (lxw_row_t)(*used + take)};
        *used += take;
        left -= take;
    }
}

/* Lays out every run's samples; returns the number of Samples sheets. */
static size_t plan_samples(run_data *runs, size_t count, long per_sheet)
{
    size_t sheet = 0;
    long used = 0;
    for (size_t i = 0; i < count; i++) {
        for (size_t l = 0; l < runs[i].level_count; l++)
            plan_block(&runs[i].levels[l].samples, &sheet, &used, per_sheet);
        plan_block(&runs[i].unleveled, &sheet, &used, per_sheet);
    }
    return sheet + 1;
}

/* ---- the sample limit ---------------------------------------------------- */

bool workbook_parse_sample_limit(const char *text, long long *limit)
{
    size_t len = strlen(text);
    if (!text_all_digits(text, len))
        return false;
    errno = 0;
    long long n = strtoll(text, NULL, 10);
    if (errno == ERANGE)
        return false;
    *limit = n == 0 ? WORKBOOK_NO_SAMPLES : n;
    return true;
}

/* The limit the options ask for, as a count of samples (0: none). */
static long long effective_limit(const workbook_options *opts)
{
    if (opts->sample_limit < 0)
        return 0;
    return opts->sample_limit ? opts->sample_limit : WORKBOOK_SAMPLE_LIMIT;
}

/* The rows the Samples sheets would hold: every sample of every run's
 * probe files. */
static long long samples_total(const run_data *runs, size_t count)
{
    long long total = 0;
    for (size_t i = 0; i < count; i++)
        total += runs[i].sample_rows;
    return total;
}

/* n with a comma between groups of three digits: "6,000,000". */
static void group_digits(char out[32], long long n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lld", n < 0 ? 0 : n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* Why the Samples sheets are left out and how to get the samples: the note
 * on the Summary and on every run sheet of such a workbook. Caller frees. */
static char *left_out_note(const book *b)
{
    char total[32], limit[32];
    group_digits(total, b->sample_total);
    group_digits(limit, b->sample_limit);
    char *why = b->sample_limit == 0
                    ? xasprintf("The Samples sheets are left out: this workbook was asked to "
                                "carry no samples (--workbook-samples 0), and would carry %s.",
                                total)
                    : xasprintf("The Samples sheets are left out: this workbook would carry %s "
                                "samples, more than its limit of %s.",
                                total, limit);
    char *note = xasprintf(
        "%s Mean, SD, min, max and the percentiles need the samples: they are p3's values and "
        "cannot be re-checked here. n, each bucket's share, the shares at or under each bucket "
        "edge, their sum and, where the endurance line is a bucket edge, the share over it are "
        "formulas over the exact bucket counts. To have the samples, "
        "write the workbook again with --workbook-samples %lld (p3 report, or p3 render "
        "--format xlsx), or read them from the store it was written from (table sample; "
        "p3 report keeps it as p3.db beside p3.xlsx).",
        why, b->sample_total);
    free(why);
    return note;
}

/* The subject of the document: the folder holding the runs' folders, or
 * those folders' names joined when the runs come from several. NULL when
 * the store does not say. Caller frees. */
static char *lab_name(const run_data *runs, size_t count)
{
    sbuf b = {0};
    char **seen = NULL;
    size_t seen_count = 0;
    for (size_t i = 0; i < count; i++) {
        if (!runs[i].folder)
            continue;
        char *folder = xstrdup(runs[i].folder);
        size_t len = strlen(folder);
        while (len > 1 && folder[len - 1] == '/')
            folder[--len] = '\0';
        char *slash = strrchr(folder, '/');
        if (slash) {
            *slash = '\0';
            char *lab = strrchr(folder, '/');
            lab = lab ? lab + 1 : folder;
            if (*lab && strcmp(lab, ".") != 0 && strcmp(lab, "..") != 0 &&
                !name_taken(lab, seen, seen_count)) {
                seen = xreallocarray(seen, seen_count + 1, sizeof *seen);
                seen[seen_count++] = xstrdup(lab);
                sb_printf(&b, "%s%s", b.len ? ", " : "", lab);
            }
        }
        free(folder);
    }
    for (size_t i = 0; i < seen_count; i++)
        free(seen[i]);
    free(seen);
    return b.s;
}

/* ---- formats ------------------------------------------------------------ */

static lxw_format *new_format(book *b)
{
    lxw_format *f = workbook_add_format(b->wb);
    if (!f)
        fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "a cell format");
    return f;
}

static void make_formats(book *b)
{
    if (!(b->title = new_format(b)) || !(b->head = new_format(b)) || !(b->bold = new_format(b)) ||
        !(b->note = new_format(b)) || !(b->ms = new_format(b)) || !(b->pct = new_format(b)) ||
        !(b->count = new_format(b)) || !(b->number = new_format(b)) ||
        !(b->time = new_format(b)) || !(b->delay = new_format(b)) || !(b->over = new_format(b)))
        return;
    format_set_bold(b->title);
    format_set_font_size(b->title, 14);
    format_set_bold(b->head);
    format_set_text_wrap(b->head);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    format_set_bold(b->bold);
    format_set_italic(b->note);
    format_set_num_format(b->ms, "0.0");          /* ms with one decimal */
    format_set_num_format(b->pct, "0.0\" %\"");   /* shares are 0..100, shown with one decimal */
    format_set_num_format(b->count, "#,##0");
    format_set_num_format(b->number, "0.0###");
    format_set_num_format(b->time, "yyyy-mm-dd hh:mm:ss.000");
    format_set_num_format(b->delay, "0.000");
    /* Excel's "light red fill with dark red text". */
    format_set_bg_color(b->over, 0xFFC7CE);
    format_set_font_color(b->over, 0x9C0006);
}

/* ---- the Summary sheet -------------------------------------------------- */

/* The Summary's columns, in order. */
enum {
    C_RUN, C_LEVEL, C_N, C_MEAN, C_SD, C_MIN, C_P50, C_P90, C_P95, C_P99, C_P999, C_MAX,
    C_MEAN_LO, C_MEAN_HI, C_P50_LO, C_P50_HI, C_P95_LO, C_P95_HI, C_P99_LO, C_P99_HI, C_CV,
    C_LE50, C_OVER, C_ENDURANCE, C_ONSET_LINE, C_ONSET_MARGIN, C_SOURCE, C_HOST, C_GUEST,
    C_USEFUL, C_READY, C_OVERHEAD, C_ASSUMED, C_TITLE, C_HOST_NAME, C_GUEST_NAME, C_PLATFORM,
    C_NOTES, C_VCPUS, C_NATIVE, C_ERRORS, C_ERROR_PCT, C_SUMMARY_COLUMNS
};

static const char *const summary_heads[C_SUMMARY_COLUMNS] = {
    "Run", "Level", "n", "Mean (ms)", "SD (ms)", "Min (ms)", "p50 (ms)", "p90 (ms)", "p95 (ms)",
    "p99 (ms)", "p99.9 (ms)", "Max (ms)", "Mean 95% CI low (ms)", "Mean 95% CI high (ms)",
    "p50 95% CI low (ms)", "p50 95% CI high (ms)", "p95 95% CI low (ms)", "p95 95% CI high (ms)",
    "p99 95% CI low (ms)", "p99 95% CI high (ms)", "CV (sd/mean)", "At or under 50 ms (%)",
    "Over the endurance line (%)", "Endurance line (ms)", "Onset: p95 over the endurance line",
    "Onset: p95 over the lightest level's by the margin", "Placed by", "Host-measured CPU (%)",
    "Guest-reported CPU (%)", "Useful work (%)", "Ready (%)", "Overhead (% of a vCPU)",
    "Overhead assumed", "Title", "Host", "Guest", "Platform", "Notes", "vCPUs", "Native",
    "Errors", "Error share (%)"};

/* Which statistic each of the columns C_MEAN..C_OVER shows. */
static const int summary_stat[] = {
    [C_MEAN] = ST_MEAN,       [C_SD] = ST_SD,           [C_MIN] = ST_MIN,
    [C_P50] = ST_P50,         [C_P90] = ST_P90,         [C_P95] = ST_P95,
    [C_P99] = ST_P99,         [C_P999] = ST_P999,       [C_MAX] = ST_MAX,
    [C_MEAN_LO] = ST_MEAN_LO, [C_MEAN_HI] = ST_MEAN_HI, [C_P50_LO] = ST_P50_LO,
    [C_P50_HI] = ST_P50_HI,   [C_P95_LO] = ST_P95_LO,   [C_P95_HI] = ST_P95_HI,
    [C_P99_LO] = ST_P99_LO,   [C_P99_HI] = ST_P99_HI,   [C_CV] = ST_CV,
    [C_LE50] = ST_LE50,       [C_OVER] = ST_OVER};

/* "Busy (host CPU 75.0 %)", or "at no level". Caller frees. */
static char *onset_text(const run_data *r, int rule)
{
    if (!r->onset_level[rule])
        return xstrdup("at no level");
    if (!isfinite(r->onset_cpu[rule]))
        return xstrdup(r->onset_level[rule]);
    return xasprintf("%s (%s CPU %.1f %%)", r->onset_level[rule],
                     r->onset_source ? r->onset_source : "host", r->onset_cpu[rule]);
}

static void write_summary_row(book *b, lxw_worksheet *ws, lxw_row_t row, const run_data *r,
                              const level_data *l)
{
    char *onset[2] = {onset_text(r, 0), onset_text(r, 1)};
    for (lxw_col_t c = 0; c < C_SUMMARY_COLUMNS && !b->err; c++) {
        switch (c) {
        case C_RUN: put_text(b, ws, row, c, r->name, NULL); break;
        case C_LEVEL: put_text(b, ws, row, c, l->name, NULL); break;
        case C_N: put_num(b, ws, row, c, (double)l->n, b->count); break;
        case C_CV: put_num(b, ws, row, c, l->st[ST_CV], b->number); break;
        case C_LE50:
        case C_OVER: put_num(b, ws, row, c, l->st[summary_stat[c]], b->pct); break;
        case C_ENDURANCE: put_num(b, ws, row, c, r->endurance, b->ms); break;
        case C_ONSET_LINE: put_text(b, ws, row, c, onset[0], NULL); break;
        case C_ONSET_MARGIN: put_text(b, ws, row, c, onset[1], NULL); break;
        case C_SOURCE: put_text(b, ws, row, c, l->source, NULL); break;
        case C_HOST: put_num(b, ws, row, c, l->cpu[CPU_HOST], b->pct); break;
        case C_GUEST: put_num(b, ws, row, c, l->cpu[CPU_GUEST], b->pct); break;
        case C_USEFUL: put_num(b, ws, row, c, l->cpu[CPU_USEFUL], b->pct); break;
        case C_READY: put_num(b, ws, row, c, l->cpu[CPU_READY], b->pct); break;
        case C_OVERHEAD: put_num(b, ws, row, c, r->overhead, b->pct); break;
        case C_ASSUMED:
            put_text(b, ws, row, c, r->overhead_assumed < 0 ? NULL : r->overhead_assumed ? "yes" : "no",
                     NULL);
            break;
        case C_TITLE: put_text(b, ws, row, c, r->title, NULL); break;
        case C_HOST_NAME: put_text(b, ws, row, c, r->host, NULL); break;
        case C_GUEST_NAME: put_text(b, ws, row, c, r->guest, NULL); break;
        case C_PLATFORM: put_text(b, ws, row, c, r->platform, NULL); break;
        case C_NOTES: put_text(b, ws, row, c, r->notes, NULL); break;
        case C_VCPUS: put_num(b, ws, row, c, r->vcpus, b->number); break;
        case C_NATIVE: put_text(b, ws, row, c, r->native ? "yes" : "no", NULL); break;
        case C_ERRORS: put_num(b, ws, row, c, (double)l->errors, b->count); break;
        case C_ERROR_PCT: put_num(b, ws, row, c, l->error_pct, b->pct); break;
        default: put_num(b, ws, row, c, l->st[summary_stat[c]], b->ms); break;
        }
    }
    free(onset[0]);
    free(onset[1]);
}

static void write_summary(book *b, lxw_worksheet *ws, const run_data *runs, size_t count)
{
    for (lxw_col_t c = 0; c < C_SUMMARY_COLUMNS; c++)
        put_text(b, ws, 0, c, summary_heads[c], b->head);
    lxw_row_t row = 1;
    for (size_t i = 0; i < count; i++)
        for (size_t l = 0; l < runs[i].level_count; l++)
            write_summary_row(b, ws, row++, &runs[i], &runs[i].levels[l]);
    set_width(b, ws, C_RUN, C_RUN, 22);
    set_width(b, ws, C_LEVEL, C_LEVEL, 12);
    set_width(b, ws, C_N, C_ENDURANCE, 11);
    set_width(b, ws, C_ONSET_LINE, C_ONSET_MARGIN, 24);
    set_width(b, ws, C_SOURCE, C_ASSUMED, 11);
    set_width(b, ws, C_TITLE, C_NOTES, 24);
    set_width(b, ws, C_VCPUS, C_NATIVE, 8);
    if (b->err)
        return;
    worksheet_freeze_panes(ws, 1, 2);
    check(b, worksheet_autofilter(ws, 0, 0, row - 1, C_SUMMARY_COLUMNS - 1), "the autofilter");
    if (row > 1 && !b->err) {
        /* p95 over the row's own endurance line (runs may differ). */
        char p95[LXW_MAX_CELL_NAME_LENGTH], line[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell_abs(p95, 1, C_P95, false, true);        /* $K2 */
        lxw_rowcol_to_cell_abs(line, 1, C_ENDURANCE, false, true);
        char *rule = xasprintf("=AND(ISNUMBER(%s),%s>%s)", p95, p95, line);
        lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_FORMULA,
                                     .value_string = rule,
                                     .format = b->over};
        check(b, worksheet_conditional_format_range(ws, 1, C_P95, row - 1, C_P95, &cf),
              "the conditional format of p95");
        free(rule);
    }
    if (b->samples_left_out) {
        /* Under the table, a row apart, so that the table stays whole for
         * filters and for readers that take row 1 as its header; written
         * last, as the filter and the rule above may not follow it. */
        char *note = left_out_note(b);
        put_text(b, ws, row + 1, C_RUN, note, b->note);
        free(note);
    }
}

/* ---- the run sheets ----------------------------------------------------- */

/* Columns of a run sheet's statistics table; C_ST_P50..C_ST_P999 are the
 * percentile ladder the line chart draws. */
enum {
    C_ST_LEVEL, C_ST_N, C_ST_MEAN, C_ST_SD, C_ST_MIN, C_ST_P50, C_ST_P90, C_ST_P95, C_ST_P99,
    C_ST_P999, C_ST_MAX, C_ST_OVER, C_ST_HOW, C_ST_ERRORS, C_ST_ERROR_PCT, C_ST_COLUMNS
};
static const char *const stat_heads[C_ST_COLUMNS] = {
    "Level", "n", "Mean (ms)", "SD (ms)", "Min (ms)", "p50 (ms)", "p90 (ms)", "p95 (ms)",
    "p99 (ms)", "p99.9 (ms)", "Max (ms)", "Over the endurance line (%)", "Checked by",
    "Errors", "Error share (%)"};
static const char *const ladder_labels[5] = {"p50", "p90", "p95", "p99", "p99.9"};
static const char *const ladder_fractions[5] = {"0.5", "0.9", "0.95", "0.99", "0.999"};
static const int ladder_stats[5] = {ST_P50, ST_P90, ST_P95, ST_P99, ST_P999};

/* Where a run sheet's tables are, for the charts. */
typedef struct sheet_layout {
    lxw_row_t stat_head, stat_first;   /* header row and first level row of the statistics */
    lxw_row_t p3_head, p3_first;       /* header row (bucket labels) and first level row */
    lxw_row_t charts;                  /* the row the charts and image hang from */
} sheet_layout;

/* Appends fn(range, ...) once per part of the block, joined by '+'. The
 * ranges are of Samples column col; extra is what follows the range inside
 * the call (criteria). */
static void sb_per_part(sbuf *f, const book *b, const block *bl, const char *fn, lxw_col_t col,
                        const char *extra)
{
    for (size_t k = 0; k < bl->part_count; k++) {
        const part *p = &bl->parts[k];
        sb_printf(f, "%s%s(", k ? "+" : "", fn);
        sb_range(f, b->sample_names[p->sheet], p->first, col, p->last, col);
        sb_printf(f, "%s)", extra ? extra : "");
    }
}

/* The level-number criterion of COUNTIFS/SUMIFS: ",<level range>,k". */
static char *level_criterion(const book *b, const part *p, size_t level)
{
    sbuf f = {0};
    sb_printf(&f, ",");
    sb_range(&f, b->sample_names[p->sheet], p->first, S_LEVEL_NO, p->last, S_LEVEL_NO);
    sb_printf(&f, ",%zu", level + 1);
    return f.s;
}

/* COUNTIFS(level range, k) over every part: n as the Samples confirm it. */
static void sb_count(sbuf *f, const book *b, const block *bl, size_t level)
{
    for (size_t k = 0; k < bl->part_count; k++) {
        char *crit = level_criterion(b, &bl->parts[k], level);
        sb_printf(f, "%sCOUNTIFS(%s)", k ? "+" : "", crit + 1);
        free(crit);
    }
}

/* Every range of the block's delays, comma-separated. */
static void sb_delays(sbuf *f, const book *b, const block *bl)
{
    for (size_t k = 0; k < bl->part_count; k++) {
        const part *p = &bl->parts[k];
        if (k)
            sb_printf(f, ",");
        sb_range(f, b->sample_names[p->sheet], p->first, S_DELAY, p->last, S_DELAY);
    }
}

/* Whether the level's statistics can be formulas over the Samples: every
 * sample analysis placed there has its level from the probe log, so the
 * Samples sheets show exactly those samples as the level's. */
static bool recheckable(const level_data *l)
{
    return l->n > 0 && l->n_probe == l->n && !l->weighted && !l->approximate &&
           l->samples.count == l->n && l->samples.part_count > 0;
}

/* Whether a level's bucket counts re-check its n and shares exactly: they
 * sum to n, and each share is 100 * count / n as a spreadsheet computes it.
 * Counts of weighted samples are rounded, and then they may not. */
static bool counts_recheck(const run_data *r, const level_data *l)
{
    if (l->n <= 0)
        return false;
    long long sum = 0;
    for (size_t k = 0; k < r->bucket_count; k++)
        sum += l->counts[k];
    if (sum != l->n)
        return false;
    for (size_t k = 0; k < r->bucket_count; k++) {
        double share = 100.0 * (double)l->counts[k] / (double)l->n;
        if (fabs(share - l->pct[k]) > 1e-12 * fabs(l->pct[k]))
            return false;
    }
    return true;
}

/* The bucket whose upper edge is the run's endurance line, or -1. Where
 * there is one, the share over the line is a sum of bucket counts. */
static long endurance_bucket(const run_data *r)
{
    for (size_t k = 0; k < r->bucket_count; k++)
        if (isfinite(r->bucket_upper[k]) && r->bucket_upper[k] == r->endurance)
            return (long)k;
    return -1;
}

/* The buckets with an upper edge (all but the overflow, which is last). */
static size_t finite_buckets(const run_data *r)
{
    size_t k = 0;
    while (k < r->bucket_count && isfinite(r->bucket_upper[k]))
        k++;
    return k;
}

/* "Checked by" in a workbook without samples. Caller frees. */
static char *how_checked_by_counts(const run_data *r, const level_data *l)
{
    if (!counts_recheck(r, l))
        return xstrdup("p3's values, not formulas: the level's bucket counts are rounded from "
                       "weighted samples, so they do not re-check n and the shares exactly, "
                       "and this workbook carries no samples");
    return xasprintf("n and the shares%s: formulas over the P3 table's bucket counts; mean, SD, "
                     "min, max and the percentiles: p3's values, not re-checkable here, as this "
                     "workbook carries no samples%s",
                     endurance_bucket(r) >= 0 ? " and the share over the endurance line" : "",
                     l->approximate ? "; the level's distribution is approximate (window means, "
                                      "or a load tool's own percentiles), not single samples"
                                    : "");
}

/* What the "Checked by" cell says. Caller frees. */
static char *how_checked(const book *b, const run_data *r, const level_data *l)
{
    if (l->n == 0)
        return xstrdup("no samples");
    if (b->samples_left_out)
        return how_checked_by_counts(r, l);
    if (l->approximate)
        return xstrdup("p3's values, not formulas: the level's distribution is approximate "
                       "(window means, or a load tool's own percentiles), not single samples");
    if (l->weighted)
        return xstrdup("p3's values, not formulas: the level's samples are histogram buckets, "
                       "each row standing for as many observations as its count");
    if (l->n_probe != l->n)
        return xasprintf("p3's values, not formulas: %lld of the level's %lld samples were placed "
                         "in it by schedule.csv or CPU, and the Samples sheets show only the "
                         "levels the probe logs gave",
                         l->n - l->n_probe, l->n);
    if (l->samples.count != l->n)
        return xasprintf("the Samples sheets hold %lld samples of this level, the analysis %lld: "
                         "run 'p3 analyze' again; p3's values, not formulas",
                         l->samples.count, l->n);
    const part *first = &l->samples.parts[0], *last = &l->samples.parts[l->samples.part_count - 1];
    if (l->samples.part_count == 1)
        return xasprintf("formulas over '%s' rows %lu-%lu", b->sample_names[first->sheet],
                         (unsigned long)first->first + 1, (unsigned long)first->last + 1);
    return xasprintf("formulas over '%s' row %lu to '%s' row %lu; the percentiles are p3's "
                     "values, as PERCENTILE.INC takes one range and these samples span sheets",
                     b->sample_names[first->sheet], (unsigned long)first->first + 1,
                     b->sample_names[last->sheet], (unsigned long)last->last + 1);
}

/* Column of bucket k's count in the P3 table (the shares are in 1..B). */
static lxw_col_t p3_count_col(const run_data *r, size_t k)
{
    return (lxw_col_t)(r->bucket_count + 2 + k);
}

/* A level's statistics as p3's values: every one when with_n, else all
 * but n and the share over the endurance line. */
static void put_stat_values(book *b, lxw_worksheet *ws, lxw_row_t row, const level_data *l,
                            bool with_n)
{
    if (with_n) {
        put_num(b, ws, row, C_ST_N, (double)l->n, b->count);
        put_num(b, ws, row, C_ST_OVER, l->st[ST_OVER], b->pct);
    }
    static const int cols[] = {C_ST_MEAN, C_ST_SD, C_ST_MIN, C_ST_MAX};
    static const int stats[] = {ST_MEAN, ST_SD, ST_MIN, ST_MAX};
    for (int k = 0; k < 4; k++)
        put_num(b, ws, row, (lxw_col_t)cols[k], l->st[stats[k]], b->ms);
    for (int k = 0; k < 5; k++)
        put_num(b, ws, row, (lxw_col_t)(C_ST_P50 + k), l->st[ladder_stats[k]], b->ms);
}

/* A level's statistics in a workbook without samples: n as the sum of its
 * bucket counts and, where the endurance line is a bucket edge, the share
 * over it as the counts above it over n; the rest p3's values. */
static void write_stat_row_by_counts(book *b, lxw_worksheet *ws, lxw_row_t row,
                                     const run_data *r, size_t level, const sheet_layout *lay)
{
    const level_data *l = &r->levels[level];
    bool formulas = counts_recheck(r, l);
    put_stat_values(b, ws, row, l, !formulas);
    if (!formulas)
        return;
    size_t nb = r->bucket_count;
    lxw_row_t counts = lay->p3_first + (lxw_row_t)level;
    sbuf f = {0};
    sb_printf(&f, "=SUM(");
    sb_range(&f, NULL, counts, p3_count_col(r, 0), counts, p3_count_col(r, nb - 1));
    sb_printf(&f, ")");
    put_formula(b, ws, row, C_ST_N, f.s, (double)l->n, b->count);
    long line = endurance_bucket(r);
    if (line < 0) {
        put_num(b, ws, row, C_ST_OVER, l->st[ST_OVER], b->pct);
    } else {
        f.len = 0;
        sb_printf(&f, "=100*SUM(");
        sb_range(&f, NULL, counts, p3_count_col(r, (size_t)line + 1), counts, p3_count_col(r, nb - 1));
        sb_printf(&f, ")/");
        sb_range(&f, NULL, row, C_ST_N, row, C_ST_N);
        put_formula(b, ws, row, C_ST_OVER, f.s, l->st[ST_OVER], b->pct);
    }
    free(f.s);
}

static void write_stat_row(book *b, lxw_worksheet *ws, lxw_row_t row, const run_data *r,
                           size_t level, const sheet_layout *lay)
{
    const level_data *l = &r->levels[level];
    const block *bl = &l->samples;
    put_text(b, ws, row, C_ST_LEVEL, l->name, b->bold);
    char *how = how_checked(b, r, l);
    put_text(b, ws, row, C_ST_HOW, how, b->note);
    free(how);
    put_num(b, ws, row, C_ST_ERRORS, (double)l->errors, b->count);
    put_num(b, ws, row, C_ST_ERROR_PCT, l->error_pct, b->pct);
    if (b->samples_left_out) {
        write_stat_row_by_counts(b, ws, row, r, level, lay);
        return;
    }
    if (!recheckable(l)) {
        put_stat_values(b, ws, row, l, true);
        return;
    }
    sbuf f = {0};
    sb_printf(&f, "=");
    sb_count(&f, b, bl, level);
    put_formula(b, ws, row, C_ST_N, f.s, (double)l->n, b->count);
    f.len = 0;
    if (bl->part_count == 1) {
        char *crit = level_criterion(b, &bl->parts[0], level);
        sb_printf(&f, "=AVERAGEIFS(");
        sb_delays(&f, b, bl);
        sb_printf(&f, "%s)", crit);
        free(crit);
    } else {
        sb_printf(&f, "=(");
        for (size_t k = 0; k < bl->part_count; k++) {
            const part *p = &bl->parts[k];
            char *crit = level_criterion(b, p, level);
            sb_printf(&f, "%sSUMIFS(", k ? "+" : "");
            sb_range(&f, b->sample_names[p->sheet], p->first, S_DELAY, p->last, S_DELAY);
            sb_printf(&f, "%s)", crit);
            free(crit);
        }
        sb_printf(&f, ")/(");
        sb_count(&f, b, bl, level);
        sb_printf(&f, ")");
    }
    put_formula(b, ws, row, C_ST_MEAN, f.s, l->st[ST_MEAN], b->ms);
    static const char *const fns[3] = {"_xlfn.STDEV.S", "MIN", "MAX"};
    static const int fn_cols[3] = {C_ST_SD, C_ST_MIN, C_ST_MAX}, fn_stats[3] = {ST_SD, ST_MIN, ST_MAX};
    for (int k = 0; k < 3; k++) {
        f.len = 0;
        sb_printf(&f, "=%s(", fns[k]);
        sb_delays(&f, b, bl);
        sb_printf(&f, ")");
        put_formula(b, ws, row, (lxw_col_t)fn_cols[k], f.s, l->st[fn_stats[k]], b->ms);
    }
    for (int k = 0; k < 5; k++) {
        lxw_col_t col = (lxw_col_t)(C_ST_P50 + k);
        if (bl->part_count > 1) {
            put_num(b, ws, row, col, l->st[ladder_stats[k]], b->ms);
            continue;
        }
        f.len = 0;
        sb_printf(&f, "=_xlfn.PERCENTILE.INC(");
        sb_delays(&f, b, bl);
        sb_printf(&f, ",%s)", ladder_fractions[k]);
        put_formula(b, ws, row, col, f.s, l->st[ladder_stats[k]], b->ms);
    }
    f.len = 0;
    sbuf over = {0};
    sb_printf(&over, ",\">\"&");
    sb_number(&over, r->endurance);
    sb_printf(&f, "=100*(");
    sb_per_part(&f, b, bl, "COUNTIFS", S_DELAY, over.s);
    sb_printf(&f, ")/");
    sb_range(&f, NULL, row, C_ST_N, row, C_ST_N);
    put_formula(b, ws, row, C_ST_OVER, f.s, l->st[ST_OVER], b->pct);
    free(over.s);
    free(f.s);
}

/* The criteria of bucket k: ,"<="&50 for the first, ,">"&50,<range>,"<="&250
 * between, ,">"&1850 for the overflow. The range goes before it. */
static void sb_bucket(sbuf *f, const book *b, const part *p, const run_data *r, size_t k)
{
    bool overflow = !isfinite(r->bucket_upper[k]);
    sb_printf(f, "COUNTIFS(");
    sb_range(f, b->sample_names[p->sheet], p->first, S_DELAY, p->last, S_DELAY);
    if (k > 0) {
        sb_printf(f, ",\">\"&");
        sb_number(f, r->bucket_upper[k - 1]);
    }
    if (!overflow) {
        if (k > 0) {
            sb_printf(f, ",");
            sb_range(f, b->sample_names[p->sheet], p->first, S_DELAY, p->last, S_DELAY);
        }
        sb_printf(f, ",\"<=\"&");
        sb_number(f, r->bucket_upper[k]);
    }
    sb_printf(f, ")");
}

/* Column of the share at or under finite edge k, in a workbook without
 * samples; the sum of the shares follows the last. */
static lxw_col_t p3_cumulative_col(const run_data *r, size_t k)
{
    return (lxw_col_t)(2 * r->bucket_count + 3 + k);
}

/* The P3 row of a level in a workbook without samples: the counts as
 * analysis stored them, each share as 100 * count / n, then the share at
 * or under each edge from the counts, and the sum of the shares. */
static void write_p3_row_by_counts(book *b, lxw_worksheet *ws, lxw_row_t row,
                                   lxw_row_t stat_row, const run_data *r, const level_data *l)
{
    size_t nb = r->bucket_count, edges = finite_buckets(r);
    bool formulas = counts_recheck(r, l);
    sbuf f = {0}, n = {0};
    sb_range(&n, NULL, stat_row, C_ST_N, stat_row, C_ST_N);
    double sum = 0;
    for (size_t k = 0; k < nb && !b->err; k++) {
        put_num(b, ws, row, p3_count_col(r, k), (double)l->counts[k], b->count);
        if (!formulas) {
            put_num(b, ws, row, (lxw_col_t)(1 + k), l->pct[k], b->pct);
            continue;
        }
        f.len = 0;
        sb_printf(&f, "=100*");
        sb_range(&f, NULL, row, p3_count_col(r, k), row, p3_count_col(r, k));
        sb_printf(&f, "/%s", n.s);
        put_formula(b, ws, row, (lxw_col_t)(1 + k), f.s, l->pct[k], b->pct);
        sum += l->pct[k];
    }
    long long below = 0;
    for (size_t k = 0; formulas && k < edges && !b->err; k++) {
        below += l->counts[k];
        f.len = 0;
        sb_printf(&f, "=100*SUM(");
        sb_range(&f, NULL, row, p3_count_col(r, 0), row, p3_count_col(r, k));
        sb_printf(&f, ")/%s", n.s);
        put_formula(b, ws, row, p3_cumulative_col(r, k), f.s,
                    100.0 * (double)below / (double)l->n, b->pct);
    }
    if (formulas) {
        f.len = 0;
        sb_printf(&f, "=SUM(");
        sb_range(&f, NULL, row, 1, row, (lxw_col_t)nb);
        sb_printf(&f, ")");
        put_formula(b, ws, row, p3_cumulative_col(r, edges), f.s, sum, b->pct);
    }
    free(f.s);
    free(n.s);
}

/* The P3 table's row of one level: shares in columns 1..B, counts in
 * B+2..2B+1; formulas over the Samples where the level is recheckable. */
static void write_p3_row(book *b, lxw_worksheet *ws, lxw_row_t row, lxw_row_t stat_row,
                         const run_data *r, size_t level)
{
    const level_data *l = &r->levels[level];
    size_t nb = r->bucket_count;
    put_text(b, ws, row, 0, l->name, b->bold);
    if (b->samples_left_out) {
        write_p3_row_by_counts(b, ws, row, stat_row, r, l);
        return;
    }
    bool formulas = recheckable(l);
    sbuf f = {0};
    for (size_t k = 0; k < nb && !b->err; k++) {
        lxw_col_t pct_col = (lxw_col_t)(1 + k), count_col = (lxw_col_t)(nb + 2 + k);
        if (!formulas) {
            put_num(b, ws, row, pct_col, l->pct[k], b->pct);
            put_num(b, ws, row, count_col, (double)l->counts[k], b->count);
            continue;
        }
        f.len = 0;
        sb_printf(&f, "=");
        for (size_t q = 0; q < l->samples.part_count; q++) {
            if (q)
                sb_printf(&f, "+");
            sb_bucket(&f, b, &l->samples.parts[q], r, k);
        }
        put_formula(b, ws, row, count_col, f.s, (double)l->counts[k], b->count);
        f.len = 0;
        sb_printf(&f, "=100*");
        sb_range(&f, NULL, row, count_col, row, count_col);
        sb_printf(&f, "/");
        sb_range(&f, NULL, stat_row, C_ST_N, stat_row, C_ST_N);
        put_formula(b, ws, row, pct_col, f.s, l->pct[k], b->pct);
    }
    free(f.s);
}

static void write_cpu_row(book *b, lxw_worksheet *ws, lxw_row_t row, const run_data *r,
                          const level_data *l)
{
    put_text(b, ws, row, 0, l->name, b->bold);
    put_num(b, ws, row, 1, l->cpu[CPU_SECONDS], b->ms);
    put_num(b, ws, row, 2, l->cpu[CPU_GUEST], b->pct);
    put_num(b, ws, row, 3, l->cpu[CPU_HOST], b->pct);
    put_num(b, ws, row, 4, l->cpu[CPU_DISCREPANCY], b->number);
    if (isfinite(l->cpu[CPU_UNTRUSTED]))
        put_text(b, ws, row, 5, l->cpu[CPU_UNTRUSTED] != 0 ? "yes" : "no", NULL);
    put_num(b, ws, row, 6, r->overhead, b->pct);
    put_num(b, ws, row, 7, l->cpu[CPU_USEFUL], b->pct);
    put_num(b, ws, row, 8, l->cpu[CPU_READY], b->pct);
}

/* A label in column A and a text in B (nothing when the text is NULL). */
static void put_pair(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *label,
                     const char *value)
{
    if (!value)
        return;
    put_text(b, ws, *row, 0, label, b->bold);
    put_text(b, ws, *row, 1, value, NULL);
    (*row)++;
}

static void put_pair_num(book *b, lxw_worksheet *ws, lxw_row_t *row, const char *label, double v,
                         lxw_format *f)
{
    if (!isfinite(v))
        return;
    put_text(b, ws, *row, 0, label, b->bold);
    put_num(b, ws, *row, 1, v, f);
    (*row)++;
}

/* The run's description: what it was, how analysis saw it. */
static lxw_row_t write_run_head(book *b, lxw_worksheet *ws, const run_data *r)
{
    put_text(b, ws, 0, 0, r->title ? r->title : r->name, b->title);
    if (b->samples_left_out) {
        char *note = left_out_note(b);
        put_text(b, ws, 1, 0, note, b->note);
        free(note);
    }
    lxw_row_t row = 2;
    put_pair(b, ws, &row, "Run", r->name);
    put_pair(b, ws, &row, "Host", r->host);
    put_pair(b, ws, &row, "Guest", r->guest);
    put_pair(b, ws, &row, "Platform", r->platform);
    put_pair(b, ws, &row, "Notes", r->notes);
    put_pair(b, ws, &row, "Folder", r->folder);
    put_pair_num(b, ws, &row, "Samples in levels", (double)r->samples, b->count);
    put_pair_num(b, ws, &row, "Samples in no level", (double)r->unplaced, b->count);
    put_pair_num(b, ws, &row, "Endurance line (ms)", r->endurance, b->ms);
    char *onset[2] = {onset_text(r, 0), onset_text(r, 1)};
    put_pair(b, ws, &row, "Onset: p95 over the endurance line", onset[0]);
    char *margin = isfinite(r->margin_ms)
                       ? xasprintf("Onset: p95 over the lightest level's by more than %g ms",
                                   r->margin_ms)
                       : xstrdup("Onset: p95 over the lightest level's by the margin");
    put_pair(b, ws, &row, margin, onset[1]);
    free(margin), free(onset[0]), free(onset[1]);
    put_pair_num(b, ws, &row, "Virtual CPUs of the guest", r->vcpus, b->number);
    put_pair(b, ws, &row, "Native (no virtualization)", r->native ? "yes" : "no");
    if (isfinite(r->overhead)) {
        put_text(b, ws, row, 0, "Overhead (% of a vCPU)", b->bold);
        put_num(b, ws, row, 1, r->overhead, b->pct);
        char *ci = isfinite(r->overhead_lo) ? xasprintf("95 %% CI %.1f to %.1f", r->overhead_lo,
                                                        r->overhead_hi)
                                            : NULL;
        put_text(b, ws, row, 2, ci, NULL);
        free(ci);
        put_text(b, ws, row, 4, r->overhead_method, NULL);
        row++;
    }
    put_pair(b, ws, &row, "Host CPU from", r->host_counter);
    put_pair(b, ws, &row, "Guest CPU from", r->guest_counter);
    put_pair(b, ws, &row, "Ready time from", r->ready_counter);
    for (size_t k = 0; k < r->meta_count; k++)
        put_pair(b, ws, &row, r->meta[k].key, r->meta[k].value);
    for (size_t k = 0; k < r->note_count; k++)
        put_pair(b, ws, &row, "Analysis", r->note_lines[k]);
    return row + 1;
}

static lxw_row_t write_stat_table(book *b, lxw_worksheet *ws, const run_data *r, lxw_row_t row,
                                  sheet_layout *lay)
{
    put_text(b, ws, row++, 0, "Statistics of each level", b->bold);
    if (!b->samples_left_out) {
        put_text(b, ws, row++, 0,
                 "n, mean, SD, min, max, the percentiles and the share over the endurance line "
                 "are formulas over the Samples sheets (COUNTIFS, AVERAGEIFS, STDEV.S, "
                 "PERCENTILE.INC); the values stored with them are p3's own, and a spreadsheet "
                 "that recalculates finds the same.",
                 b->note);
    } else {
        char *about = xasprintf(
            "n is a formula over the P3 table's bucket counts (SUM)%s; mean, SD, min, max and "
            "the percentiles are p3's values, which need the samples this workbook leaves out "
            "(see the note at the top).",
            endurance_bucket(r) >= 0 ? ", and so is the share over the endurance line, a "
                                       "bucket edge"
                                     : "; the endurance line is not a bucket edge, so the share "
                                       "over it is p3's value, and the P3 table's shares at or "
                                       "under the edges either side of it bound it");
        put_text(b, ws, row++, 0, about, b->note);
        free(about);
    }
    lay->stat_head = row;
    for (lxw_col_t c = 0; c < C_ST_COLUMNS; c++)
        put_text(b, ws, row, c, c >= C_ST_P50 && c <= C_ST_P999 ? ladder_labels[c - C_ST_P50]
                                                                : stat_heads[c],
                 b->head);
    lay->stat_first = ++row;
    /* The P3 table follows: a blank row, its title, its caption and its
     * header. Formulas here refer to its counts before they are written. */
    lay->p3_first = lay->stat_first + (lxw_row_t)r->level_count + 4;
    for (size_t l = 0; l < r->level_count && !b->err; l++)
        write_stat_row(b, ws, row++, r, l, lay);
    return row + 1;
}

static lxw_row_t write_p3_table(book *b, lxw_worksheet *ws, const run_data *r, lxw_row_t row,
                                sheet_layout *lay)
{
    size_t nb = r->bucket_count;
    put_text(b, ws, row++, 0, "P3: the delays of each level by bucket", b->bold);
    put_text(b, ws, row, 1, "Share of the level's samples (%), by the bucket's upper edge in ms",
             b->note);
    size_t edges = finite_buckets(r);
    if (b->samples_left_out)
        put_text(b, ws, row, p3_cumulative_col(r, 0),
                 "Share at or under the edge (%), from the counts", b->note);
    put_text(b, ws, row++, (lxw_col_t)(nb + 2), "Samples in the bucket", b->note);
    lay->p3_head = row;
    put_text(b, ws, row, 0, "Level", b->head);
    for (size_t k = 0; k < nb; k++) {
        put_text(b, ws, row, (lxw_col_t)(1 + k), r->bucket_labels[k], b->head);
        put_text(b, ws, row, (lxw_col_t)(nb + 2 + k), r->bucket_labels[k], b->head);
        if (b->samples_left_out && k < edges)
            put_text(b, ws, row, p3_cumulative_col(r, k), r->bucket_labels[k], b->head);
    }
    if (b->samples_left_out)
        put_text(b, ws, row, p3_cumulative_col(r, edges), "All buckets (%)", b->head);
    lay->p3_first = ++row;
    for (size_t l = 0; l < r->level_count && !b->err; l++)
        write_p3_row(b, ws, row++, lay->stat_first + (lxw_row_t)l, r, l);
    return row + 1;
}

static lxw_row_t write_cpu_table(book *b, lxw_worksheet *ws, const run_data *r, lxw_row_t row)
{
    static const char *const heads[9] = {
        "Level", "Seconds", "Guest-reported CPU (%)", "Host-measured CPU (%)",
        "Guest minus host (points)", "Guest over-reports", "Overhead (% of a vCPU)",
        "Useful work (%)", "Ready (%)"};
    put_text(b, ws, row++, 0, "CPU accounting", b->bold);
    char *about = isfinite(r->vcpus)
                      ? xasprintf("CPU as %% of the guest's %g virtual CPU%s; useful work is the "
                                  "host-measured CPU minus the virtualization overhead",
                                  r->vcpus, r->vcpus == 1 ? "" : "s")
                      : xstrdup("useful work is the host-measured CPU minus the virtualization "
                                "overhead");
    put_text(b, ws, row++, 0, about, b->note);
    free(about);
    for (lxw_col_t c = 0; c < 9; c++)
        put_text(b, ws, row, c, heads[c], b->head);
    row++;
    for (size_t l = 0; l < r->level_count && !b->err; l++)
        write_cpu_row(b, ws, row++, r, &r->levels[l]);
    return row + 1;
}

/* "='sheet'!$B$5:$L$5" style references for chart series. Caller frees. */
/* The native charts: the P3 as clustered columns (series per level, the
 * paper's colours, the 3-D chart's axis titles), the percentile ladder as
 * lines. Names and titles refer to cells, so no text becomes a formula. */
static void add_charts(book *b, lxw_worksheet *ws, const run_data *r, const sheet_layout *lay,
                       p3chart_palette palette)
{
    size_t nb = r->bucket_count;
    lxw_chart *columns = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
    if (!columns) {
        fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "a column chart");
        return;
    }
    for (size_t l = 0; l < r->level_count && !b->err; l++) {
        lxw_row_t row = lay->p3_first + (lxw_row_t)l;
        lxw_chart_series *s = chart_add_series(columns, NULL, NULL);
        if (s) {
            chart_series_set_categories(s, r->sheet, lay->p3_head, 1, lay->p3_head,
                                        (lxw_col_t)nb);
            chart_series_set_values(s, r->sheet, row, 1, row, (lxw_col_t)nb);
            chart_series_set_name_range(s, r->sheet, row, 0);
            lxw_chart_fill fill = {.color = level_colour(palette, l)};
            chart_series_set_fill(s, &fill);
        } else {
            fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart series");
        }
    }
    chart_title_set_name_range(columns, r->sheet, 0, 0);
    chart_axis_set_name(columns->x_axis, "Delay (ms)");
    chart_axis_set_name(columns->y_axis, "Count (%)");
    chart_axis_set_min(columns->y_axis, 0);
    chart_axis_set_max(columns->y_axis, 100);
    chart_legend_set_position(columns, LXW_CHART_LEGEND_RIGHT);
    lxw_chart_options place = {.x_scale = 1.5, .y_scale = 1.4, .description = "P3 by level"};
    if (!b->err)
        check(b, worksheet_insert_chart_opt(ws, lay->charts, 0, columns, &place),
              "the column chart");

    lxw_chart *ladder = NULL;
    for (size_t l = 0; l < r->level_count && !b->err; l++) {
        if (r->levels[l].n == 0)
            continue;
        if (!ladder && !(ladder = workbook_add_chart(b->wb, LXW_CHART_LINE))) {
            fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "a line chart");
            break;
        }
        lxw_row_t row = lay->stat_first + (lxw_row_t)l;
        lxw_chart_series *s = chart_add_series(ladder, NULL, NULL);
        if (s) {
            chart_series_set_categories(s, r->sheet, lay->stat_head, C_ST_P50, lay->stat_head,
                                        C_ST_P999);
            chart_series_set_values(s, r->sheet, row, C_ST_P50, row, C_ST_P999);
            chart_series_set_name_range(s, r->sheet, row, 0);
            lxw_chart_line line = {.color = level_colour(palette, l), .width = 2.25};
            lxw_chart_fill fill = {.color = level_colour(palette, l)};
            chart_series_set_line(s, &line);
            chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
            chart_series_set_marker_fill(s, &fill);
            chart_series_set_marker_line(s, &line);
        } else {
            fail(b, LXW_ERROR_MEMORY_MALLOC_FAILED, "a chart series");
        }
    }
    if (ladder && !b->err) {
        chart_title_set_name(ladder, "Percentile ladder");
        chart_axis_set_name(ladder->x_axis, "Percentile");
        chart_axis_set_name(ladder->y_axis, "Delay (ms)");
        chart_legend_set_position(ladder, LXW_CHART_LEGEND_RIGHT);
        lxw_chart_options below = {.x_scale = 1.5, .y_scale = 1.4, .description = "Percentile ladder"};
        check(b, worksheet_insert_chart_opt(ws, lay->charts + 22, 0, ladder, &below),
              "the line chart");
    }
}

/* Whether path starts with PNG's signature. */
static bool is_png(const char *path)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fread(head, 1, 8, f) == 8 && memcmp(head, signature, 8) == 0;
    fclose(f);
    return ok;
}

/* The 3-D chart's PNG beside the native charts, or a line saying why not. */
static void add_image(book *b, lxw_worksheet *ws, const run_data *r, lxw_row_t row,
                      const workbook_options *opts, diag_list *diags)
{
    const lxw_col_t col = 12;
    if (!opts->chart_dir) {
        put_text(b, ws, row, col, "The 3-D P3 chart was not drawn for this workbook.", b->note);
        return;
    }
    char *folder = render_folder_name(r->name);
    char *path = xasprintf("%s/%s/" RENDER_SHEET_IMAGE, opts->chart_dir, folder);
    char *shown = clean_text(path, strlen(path));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        char *say = xasprintf("The 3-D P3 chart belongs here, but %s was not found: run "
                              "'p3 render' first.", shown);
        put_text(b, ws, row, col, say, b->note);
        free(say);
    } else if (!is_png(path)) {
        char *say = xasprintf("The 3-D P3 chart belongs here, but %s is not a PNG image.", shown);
        put_text(b, ws, row, col, say, b->note);
        diag_add(diags, DIAG_WARNING, path, 0, 0, "not a PNG image: left out of the workbook");
        free(say);
    } else if (!b->err) {
        lxw_image_options place = {.x_scale = 0.5, .y_scale = 0.5, .description = "3-D P3 chart"};
        check(b, worksheet_insert_image_opt(ws, row, col, path, &place), "the chart image");
    }
    free(shown);
    free(folder);
    free(path);
}

static void write_run_sheet(book *b, lxw_worksheet *ws, const run_data *r,
                            const workbook_options *opts, diag_list *diags)
{
    sheet_layout lay = {0};
    lxw_row_t row = write_run_head(b, ws, r);
    row = write_stat_table(b, ws, r, row, &lay);
    row = write_p3_table(b, ws, r, row, &lay);
    row = write_cpu_table(b, ws, r, row);
    lay.charts = row;
    set_width(b, ws, 0, 0, 26);
    set_width(b, ws, 1,
              b->samples_left_out ? p3_cumulative_col(r, finite_buckets(r))
                                  : (lxw_col_t)(2 * r->bucket_count + 1),
              11);
    if (b->err)
        return;
    add_charts(b, ws, r, &lay, opts->palette);
    add_image(b, ws, r, lay.charts, opts, diags);
}

/* ---- the Samples sheets -------------------------------------------------- */

static void write_samples_heads(book *b)
{
    static const char *const heads[S_COLUMNS] = {"Run",        "Level",       "Level #",
                                                 "Time (UTC)", "Delay (ms)",  "Source file",
                                                 "Label",      "Placement"};
    for (size_t s = 0; s < b->sample_sheets && !b->err; s++) {
        lxw_worksheet *ws = b->samples[s];
        for (lxw_col_t c = 0; c < S_COLUMNS; c++)
            put_text(b, ws, 0, c, heads[c], b->head);
        set_width(b, ws, S_RUN, S_LEVEL, 16);
        set_width(b, ws, S_LEVEL_NO, S_LEVEL_NO, 8);
        set_width(b, ws, S_TIME, S_TIME, 24);
        set_width(b, ws, S_DELAY, S_DELAY, 12);
        set_width(b, ws, S_FILE, S_FILE, 40);
        set_width(b, ws, S_LABEL, S_LABEL, 24);
        set_width(b, ws, S_STATE, S_STATE, 12);
        worksheet_freeze_panes(ws, 1, 0);
    }
}

static const char *file_path(const run_data *r, int64_t file_id)
{
    size_t lo = 0, hi = r->file_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->file_ids[mid] < file_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->file_count && r->file_ids[lo] == file_id ? r->file_paths[lo] : NULL;
}

/* One run's samples, sorted by level (the run's order, the unlevelled
 * last), time and sample_id, into the rows plan_samples() gave them. */
static const char samples_sql_old[] =
    "SELECT CASE WHEN s.level >= 0 AND s.level < ?2 THEN s.level ELSE ?2 END AS k, s.t_ns, "
    "s.delay_ms, s.file_id, NULL, NULL FROM source_file f JOIN sample s ON s.sample_id BETWEEN "
    "f.first_sample AND f.last_sample WHERE f.run_id = ?1 AND f.kind = 'probe' AND f.samples > 0 "
    "ORDER BY k, s.t_ns, s.sample_id";
static const char samples_sql_v6[] =
    "SELECT coalesce(" PLACED_LEVEL ", ?2) AS k, s.t_ns, s.delay_ms, s.file_id, s.label, "
    "coalesce(" PLACED_STATE ", 'unplaced') FROM source_file f JOIN sample s ON s.sample_id "
    "BETWEEN f.first_sample AND f.last_sample WHERE f.run_id = ?1 AND f.kind = 'probe' AND "
    "f.samples > 0 ORDER BY k, s.t_ns, s.sample_id";

static int write_run_samples(book *b, sqlite3 *db, const run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db, r->v6 ? samples_sql_v6 : samples_sql_old, &st, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(st, 1, r->run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->level_count);
    int status = STATUS_OK;
    for (size_t k = 0; k <= r->level_count && !status && !b->err; k++) {
        const block *bl = k < r->level_count ? &r->levels[k].samples : &r->unleveled;
        const char *level = k < r->level_count ? r->levels[k].name : NULL;
        for (size_t q = 0; q < bl->part_count && !status && !b->err; q++) {
            const part *p = &bl->parts[q];
            lxw_worksheet *ws = b->samples[p->sheet];
            for (lxw_row_t row = p->first; row <= p->last && !b->err; row++) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW || (size_t)sqlite3_column_int64(st, 0) != k) {
                    status = rc == SQLITE_ROW || rc == SQLITE_DONE
                                 ? (diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                                             "the samples of run '%s' changed while the workbook "
                                             "was written",
                                             r->name),
                                    STATUS_FAILURE)
                                 : store_fail(db, diags, "cannot read samples");
                    break;
                }
                /* Excel's serial date: days since 1899-12-30, UTC. */
                double t = 25569.0 + (double)sqlite3_column_int64(st, 1) / 86400e9;
                put_text(b, ws, row, S_RUN, r->name, NULL);
                if (level) {
                    put_text(b, ws, row, S_LEVEL, level, NULL);
                    put_num(b, ws, row, S_LEVEL_NO, (double)(k + 1), NULL);
                }
                put_num(b, ws, row, S_TIME, t, b->time);
                put_num(b, ws, row, S_DELAY, sqlite3_column_double(st, 2), b->delay);
                put_text(b, ws, row, S_FILE, file_path(r, sqlite3_column_int64(st, 3)), NULL);
                put_text(b, ws, row, S_LABEL, (const char *)sqlite3_column_text(st, 4), NULL);
                put_text(b, ws, row, S_STATE, (const char *)sqlite3_column_text(st, 5), NULL);
            }
        }
    }
    sqlite3_finalize(st);
    return status;
}

static void finish_samples(book *b, const run_data *runs, size_t count)
{
    lxw_row_t *last = xcalloc(b->sample_sheets, sizeof *last);
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k <= runs[i].level_count; k++) {
            const block *bl = k < runs[i].level_count ? &runs[i].levels[k].samples
                                                      : &runs[i].unleveled;
            for (size_t q = 0; q < bl->part_count; q++)
                if (bl->parts[q].last > last[bl->parts[q].sheet])
                    last[bl->parts[q].sheet] = bl->parts[q].last;
        }
    for (size_t s = 0; s < b->sample_sheets && !b->err; s++)
        check(b, worksheet_autofilter(b->samples[s], 0, 0, last[s], S_COLUMNS - 1),
              "the Samples autofilter");
    free(last);
}

/* ---- the workbook ------------------------------------------------------- */

/* The Compare sheet's name: the hook's, else "Compare" (reserved either way,
 * so that run sheets keep their names when comparisons arrive). */
static const char *compare_name(const workbook_options *opts)
{
    return opts->compare && opts->compare->name ? opts->compare->name : "Compare";
}

/* Names every sheet: the fixed ones first, so no run can take them. */
static void name_sheets(book *b, run_data *runs, size_t count, const workbook_options *opts)
{
    size_t fixed = 3 + b->sample_sheets;
    char **taken = xcalloc(fixed + count, sizeof *taken);
    size_t n = 0;
    taken[n++] = xstrdup("Summary");
    taken[n++] = xstrdup(compare_name(opts));
    /* Without Samples sheets no run takes their name: a run keeps its
     * sheet's name whatever the workbook carries. */
    if (b->samples_left_out)
        taken[n++] = xstrdup("Samples");
    b->sample_names = xcalloc(b->sample_sheets, sizeof *b->sample_names);
    for (size_t s = 0; s < b->sample_sheets; s++) {
        b->sample_names[s] = s == 0 ? xstrdup("Samples") : xasprintf("Samples %zu", s + 1);
        taken[n++] = xstrdup(b->sample_names[s]);
    }
    for (size_t i = 0; i < count; i++) {
        char *base = workbook_sheet_name(runs[i].name);
        runs[i].sheet = unique_name(base, taken, n);
        taken[n++] = xstrdup(runs[i].sheet);
        free(base);
    }
    for (size_t i = 0; i < n; i++)
        free(taken[i]);
    free(taken);
}

static lxw_worksheet *add_sheet(book *b, const char *name)
{
    if (b->err)
        return NULL;
    /* Validated here, so that libxlsxwriter reports the reason to us
     * rather than printing it. */
    lxw_error err = workbook_validate_sheet_name(b->wb, name);
    lxw_worksheet *ws = err ? NULL : workbook_add_worksheet(b->wb, name);
    if (!ws) {
        char *what = xasprintf("the sheet '%s'", name);
        fail(b, err ? err : LXW_ERROR_MEMORY_MALLOC_FAILED, what);
        free(what);
    }
    return ws;
}

static void set_properties(book *b, sqlite3 *db, const run_data *runs, size_t count,
                           const workbook_options *opts)
{
    char *lab = opts->lab ? clean_text(opts->lab, strlen(opts->lab)) : lab_name(runs, count);
    char *title = lab ? xasprintf("Perceived Performance Profiles: %s", lab)
                      : xstrdup("Perceived Performance Profiles");
    char total[32], limit[32];
    group_digits(total, b->sample_total);
    group_digits(limit, b->sample_limit);
    char *comments =
        b->samples_left_out
            ? xasprintf("Written by p3 " P3_VERSION " from its store. The Samples sheets are "
                        "left out (%s samples, over the limit of %s): in each run sheet n and "
                        "the shares are formulas over the bucket counts, the other statistics "
                        "p3's own values.",
                        total, limit)
            : xstrdup("Written by p3 " P3_VERSION " from its store. In each run sheet the "
                      "statistics are formulas over the Samples sheets, stored with p3's own "
                      "values.");
    /* The document's date is the end of the newest run's samples, so that
     * the same store gives the same bytes; libxlsxwriter would take the
     * clock. Without any sample time, the start of 1980 (ZIP's epoch). */
    time_t created = 315532800;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, "SELECT max(last_ns) FROM analysis", -1, &stmt, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL &&
            sqlite3_column_int64(stmt, 0) > 315532800LL * 1000000000LL)
            created = (time_t)(sqlite3_column_int64(stmt, 0) / 1000000000LL);
        sqlite3_finalize(stmt);
    }
    lxw_doc_properties props = {.title = title,
                                .subject = lab,
                                .author = "p3",
                                .comments = comments,
                                .keywords = "P3, perceived performance, delay distribution",
                                .created = created};
    if (!b->err)
        check(b, workbook_set_properties(b->wb, &props), "the document properties");
    free(comments);
    free(title);
    free(lab);
}

/* Everything between creating the workbook and closing it. */
static int fill_workbook(book *b, sqlite3 *db, run_data *runs, size_t count,
                         const workbook_options *opts, diag_list *diags)
{
    make_formats(b);
    /* A store of comparisons only (p3 compare -o) gets the Compare sheet alone. */
    lxw_worksheet *summary = count ? add_sheet(b, "Summary") : NULL;
    lxw_worksheet **run_sheets = xcalloc(count + 1, sizeof *run_sheets);
    for (size_t i = 0; i < count; i++)
        run_sheets[i] = add_sheet(b, runs[i].sheet);
    /* The Compare sheet goes here, after the runs it compares. */
    lxw_worksheet *compare = opts->compare ? add_sheet(b, compare_name(opts)) : NULL;
    b->samples = xcalloc(b->sample_sheets, sizeof *b->samples);
    for (size_t s = 0; s < b->sample_sheets; s++)
        b->samples[s] = add_sheet(b, b->sample_names[s]);
    int status = STATUS_OK;
    if (summary && !b->err) {
        worksheet_activate(summary);
        write_summary(b, summary, runs, count);
    }
    for (size_t i = 0; i < count && !b->err; i++)
        write_run_sheet(b, run_sheets[i], &runs[i], opts, diags);
    if (compare && !b->err) {
        size_t errors = diag_list_errors(diags);
        status = opts->compare->write(opts->compare->ctx, db, b->wb, compare, diags);
        if (status && diag_list_errors(diags) == errors)
            diag_add(diags, DIAG_ERROR, NULL, 0, 0, "cannot write the sheet '%s'",
                     compare_name(opts));
    }
    if (!b->samples_left_out) {
        write_samples_heads(b);
        for (size_t i = 0; i < count && !status && !b->err; i++)
            status = write_run_samples(b, db, &runs[i], diags);
        finish_samples(b, runs, count);
    }
    set_properties(b, db, runs, count, opts);
    free(run_sheets);
    return status;
}

static int nothing_to_write(const char *run_name, diag_list *diags)
{
    if (run_name)
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no analysed run named '%s' in the store",
                 run_name);
    else
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
    return STATUS_BAD_INPUT;
}

/* The folder of path, for libxlsxwriter's temporary files: beside the
 * workbook rather than in /tmp, which may be memory. Caller frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* libxlsxwriter's message for err as p3 words messages: its first letter
 * lowercase and no final full stop. Caller frees. */
static char *lxw_message(lxw_error err)
{
    char *m = xstrdup(lxw_strerror(err));
    size_t len = strlen(m);
    if (len && m[len - 1] == '.')
        m[--len] = '\0';
    if (len > 1 && m[0] >= 'A' && m[0] <= 'Z' && !(m[1] >= 'A' && m[1] <= 'Z'))
        m[0] = (char)(m[0] - 'A' + 'a');
    return m;
}

/* Creates and closes the workbook at tmp; STATUS_OK when it is whole. */
static int write_to(const char *tmp, const char *path, sqlite3 *db, run_data *runs, size_t count,
                    const workbook_options *opts, book *b, diag_list *diags)
{
    char *dir = folder_of(path);
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    b->wb = workbook_new_opt(tmp, &wo);
    int status = STATUS_OK;
    if (!b->wb) {
        diag_add(diags, DIAG_ERROR, path, 0, 0,
                 "cannot write workbook: libxlsxwriter could not start it (no memory, or no "
                 "temporary file in '%s')",
                 dir);
        status = STATUS_FAILURE;
    } else {
        status = fill_workbook(b, db, runs, count, opts, diags);
        lxw_error closed = workbook_close(b->wb);
        b->wb = NULL;
        char *why = lxw_message(b->err ? b->err : closed);
        if (b->err)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write workbook: %s (writing %s)",
                     why, b->err_what);
        else if (closed)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write workbook: %s", why);
        free(why);
        if (b->err || closed)
            status = STATUS_FAILURE;
    }
    free(dir);
    return status;
}

int workbook_write(sqlite3 *db, const char *path, const workbook_options *opts, diag_list *diags)
{
    static const workbook_options defaults = {0};
    if (!opts)
        opts = &defaults;
    results_run *res = NULL;
    run_data *runs = NULL;
    size_t count = 0;
    book b = {.sample_rows = opts->samples_sheet_rows > 0 && opts->samples_sheet_rows < EXCEL_ROWS
                                 ? opts->samples_sheet_rows
                                 : EXCEL_ROWS - 1};
    char *tmp = NULL;
    /* One read transaction, so the counts planned and the rows written agree. */
    int status = store_exec(db, "SAVEPOINT workbook", diags);
    if (status)
        return status;
    status = read_runs(db, opts->run_name, &res, &runs, &count, diags);
    if (!status && count == 0 && (opts->run_name || !opts->compare))
        status = nothing_to_write(opts->run_name, diags);
    if (status)
        goto out;
    b.sample_total = samples_total(runs, count);
    b.sample_limit = effective_limit(opts);
    b.samples_left_out = b.sample_total > b.sample_limit;
    /* Where each sample goes is looked up only for samples the workbook carries. */
    for (size_t i = 0; i < count && !b.samples_left_out && !status; i++)
        status = count_samples(db, &runs[i], diags);
    if (status)
        goto out;
    b.sample_sheets = count && !b.samples_left_out ? plan_samples(runs, count, b.sample_rows) : 0;
    name_sheets(&b, runs, count, opts);

    tempname_sweep(path); /* what a killed p3 left */
    tmp = tempname_template(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write workbook: %s", strerror(errno));
        status = STATUS_FAILURE;
        free(tmp);
        tmp = NULL;
        goto out;
    }
    /* mkstemp makes the file private (0600); a workbook is made to be shared. */
    int chmod_failed = fchmod(fd, 0644);
    close(fd);
    if (chmod_failed) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write workbook: %s", strerror(errno));
        status = STATUS_FAILURE;
    }
    if (!status)
        status = write_to(tmp, path, db, runs, count, opts, &b, diags);
    if (!status && rename(tmp, path) != 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write workbook: %s", strerror(errno));
        status = STATUS_FAILURE;
    }
    if (status)
        unlink(tmp);
out:
    store_exec(db, "RELEASE workbook", diags);
    for (size_t i = 0; i < count && runs; i++)
        run_clear(&runs[i]);
    free(runs);
    results_free(res, count);
    for (size_t s = 0; s < b.sample_sheets && b.sample_names; s++)
        free(b.sample_names[s]);
    free(b.sample_names);
    free(b.samples);
    free(b.err_what);
    free(tmp);
    return status;
}
