#include "analyze.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "series.h"
#include "settings.h"
#include "sha256.h"
#include "stats.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

const double analyze_paper_edges[] = {50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850};
const size_t analyze_paper_edge_count = 10;

/* Changes whenever what analysis computes changes, so that stored results of
 * an older p3 are recomputed rather than trusted. */
#define ANALYSIS_REVISION "p3-analysis-4"

/* Percentiles stored, in 1/10000. */
enum { P50 = 5000, P90 = 9000, P95 = 9500, P99 = 9900, P999 = 9990 };

/* Marks a sample no level was given to. */
#define LEVEL_NONE 255

/* How a sample got its level. */
enum { BY_PROBE, BY_SCHEDULE, BY_CPU, METHODS };
static const char *const method_names[METHODS] = {"probe", "schedule", "cpu"};

/* One interval of schedule.csv. */
typedef struct interval {
    int64_t start, end;
    int level;
} interval;

/* Which counter rows ran during which level: rows x levels bits. */
typedef struct row_marks {
    unsigned char *bits;
    size_t rows, levels;
} row_marks;

/* A level's results besides its distribution. */
typedef struct level_result {
    long long by[METHODS];   /* samples placed by each method */
    int64_t first_t, last_t; /* its earliest and latest sample */
    double host, guest, ready, useful, discrepancy; /* NaN when unknown */
    long host_rows, guest_rows;
    bool untrusted;
    double p95;              /* NaN without samples */
} level_result;

/* One run on its way through analysis. */
typedef struct run_data {
    int64_t run_id;
    int version;                 /* the store's schema version */
    char *name;
    size_t level_count;
    char **level_names;
    run_settings settings;
    series host, guest, ready;   /* host is the guest's own counter for native runs */
    bool host_is_own;            /* native: host was taken from the machine's own counter */
    interval *schedule;
    size_t schedule_count;
    row_marks host_marks, guest_marks, ready_marks;
    double *delay;               /* n delays */
    unsigned char *level;        /* their levels; LEVEL_NONE when unplaced */
    size_t n;
    size_t *level_start;         /* level_count + 1 offsets into delay after grouping */
    long long unplaced;
    long long by_guest_cpu;      /* samples placed by the guest's own counter */
    level_result *levels;
    double overhead, overhead_lo, overhead_hi;
    bool overhead_assumed;
    char *overhead_method;
    int onset_endurance, onset_margin; /* level, or -1 */
    diag_list *notes;            /* what the user should know about this run */
} run_data;

static void marks_init(row_marks *m, size_t rows, size_t levels)
{
    m->rows = rows;
    m->levels = levels;
    m->bits = xcalloc((rows * levels + 7) / 8 + 1, 1);
}

static void mark(row_marks *m, size_t row, size_t level)
{
    size_t bit = row * m->levels + level;
    m->bits[bit / 8] |= (unsigned char)(1u << (bit % 8));
}

static bool marked(const row_marks *m, size_t row, size_t level)
{
    size_t bit = row * m->levels + level;
    return m->bits[bit / 8] >> (bit % 8) & 1;
}

static void run_data_clear(run_data *r)
{
    for (size_t i = 0; i < r->level_count; i++)
        free(r->level_names ? r->level_names[i] : NULL);
    free(r->level_names);
    free(r->name);
    run_settings_clear(&r->settings);
    series_clear(&r->host);
    series_clear(&r->guest);
    series_clear(&r->ready);
    free(r->schedule);
    free(r->host_marks.bits);
    free(r->guest_marks.bits);
    free(r->ready_marks.bits);
    free(r->delay);
    free(r->level);
    free(r->level_start);
    free(r->levels);
    free(r->overhead_method);
    diag_list_free(r->notes);
    memset(r, 0, sizeof *r);
}

static void note(run_data *r, diag_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(run_data *r, diag_severity severity, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(r->notes, severity, r->name, 0, 0, "%s", message);
    free(message);
}

/* SHA-256 over what the results depend on: the revision, the settings, the
 * run's levels and description, and the content of its files. */
static int input_digest(sqlite3 *db, const run_data *r, char hex[65], diag_list *diags)
{
    sha256 ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, ANALYSIS_REVISION "\n", strlen(ANALYSIS_REVISION) + 1);
    run_settings_digest(&r->settings, &ctx);
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

static int load_level_names(sqlite3 *db, run_data *r, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT name FROM run_level WHERE run_id = ? ORDER BY level", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    r->level_names = xcalloc(r->level_count + 1, sizeof *r->level_names);
    for (size_t i = 0; i < r->level_count && sqlite3_step(stmt) == SQLITE_ROW; i++)
        r->level_names[i] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

static int interval_order(const void *a, const void *b)
{
    const interval *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int load_schedule(sqlite3 *db, run_data *r, diag_list *diags)
{
    if (r->version < 3)
        return STATUS_OK; /* no schedules before schema 3 */
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT s.start_ns, s.end_ns, s.level FROM schedule s JOIN source_file f "
                      "USING (file_id) WHERE f.run_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        r->schedule = xreallocarray(r->schedule, r->schedule_count + 1, sizeof *r->schedule);
        r->schedule[r->schedule_count++] =
            (interval){sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
                       sqlite3_column_int(stmt, 2)};
    }
    sqlite3_finalize(stmt);
    if (r->schedule_count)
        qsort(r->schedule, r->schedule_count, sizeof *r->schedule, interval_order);
    return STATUS_OK;
}

/* The level the schedule gives instant t, or -1. */
static int scheduled_level(const run_data *r, int64_t t)
{
    size_t lo = 0, hi = r->schedule_count;
    while (lo < hi) { /* the first interval starting after t */
        size_t mid = lo + (hi - lo) / 2;
        if (r->schedule[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) {
        if (r->schedule[i].end > t)
            return r->schedule[i].level;
        if (i + 8 < lo)
            break; /* intervals of one file do not overlap: no need to look far */
    }
    return -1;
}

/* The level a CPU value falls in by the thresholds. */
static int cpu_level(const run_settings *s, double cpu)
{
    size_t k = 0;
    while (k < s->threshold_count && cpu >= s->thresholds[k])
        k++;
    return (int)k;
}

/* Loads the CPU series: host, guest, ready. For a native run the machine's
 * own Processor(_Total) is the truth, and serves as host CPU. */
static int load_series(sqlite3 *db, run_data *r)
{
    if (r->version < 2) { /* no counters before schema 2 */
        marks_init(&r->host_marks, 0, r->level_count);
        marks_init(&r->guest_marks, 0, r->level_count);
        marks_init(&r->ready_marks, 0, r->level_count);
        return STATUS_OK;
    }
    if (series_load(db, r->run_id, r->name, SERIES_GUEST_CPU, &r->settings, &r->guest, r->notes) ||
        series_load(db, r->run_id, r->name, SERIES_READY, &r->settings, &r->ready, r->notes))
        return STATUS_FAILURE;
    if (r->settings.native && !r->settings.host_counter) {
        r->host = (series){.n = r->guest.n};
        r->host.t = xreallocarray(NULL, r->guest.n + 1, sizeof *r->host.t);
        r->host.v = xreallocarray(NULL, r->guest.n + 1, sizeof *r->host.v);
        memcpy(r->host.t, r->guest.t, r->guest.n * sizeof *r->host.t);
        memcpy(r->host.v, r->guest.v, r->guest.n * sizeof *r->host.v);
        r->host.description = r->guest.description ? xstrdup(r->guest.description) : NULL;
        r->host_is_own = true;
    } else if (series_load(db, r->run_id, r->name, SERIES_HOST_CPU, &r->settings, &r->host,
                           r->notes)) {
        return STATUS_FAILURE;
    }
    marks_init(&r->host_marks, r->host.n, r->level_count);
    marks_init(&r->guest_marks, r->guest.n, r->level_count);
    marks_init(&r->ready_marks, r->ready.n, r->level_count);
    return STATUS_OK;
}

/* Places one sample and records what its level saw of the counters. */
typedef struct cursor {
    long host, guest, ready; /* last covering rows: lookups in time order are O(1) */
} cursor;

static int place(run_data *r, cursor *c, int64_t t, int probe_level)
{
    int level = -1, method = BY_PROBE;
    if (probe_level >= 0 && (size_t)probe_level < r->level_count) {
        level = probe_level;
    } else if (r->schedule_count && (level = scheduled_level(r, t)) >= 0) {
        method = BY_SCHEDULE;
    } else if (r->settings.threshold_count) {
        const series *s = r->host.n ? &r->host : &r->guest;
        long *hint = r->host.n ? &c->host : &c->guest;
        long row = series_cover(s, t, *hint);
        if (row >= 0) {
            *hint = row;
            level = cpu_level(&r->settings, s->v[row]);
            method = BY_CPU;
            if (s == &r->guest && !r->host_is_own)
                r->by_guest_cpu++;
        }
    }
    if (level < 0 || (size_t)level >= r->level_count)
        return -1;
    level_result *lr = &r->levels[level];
    if (lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] == 0 || t < lr->first_t)
        lr->first_t = t;
    if (t > lr->last_t || lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] == 0)
        lr->last_t = t;
    lr->by[method]++;
    long row;
    if ((row = series_cover(&r->host, t, c->host)) >= 0) {
        c->host = row;
        mark(&r->host_marks, (size_t)row, (size_t)level);
    }
    if ((row = series_cover(&r->guest, t, c->guest)) >= 0) {
        c->guest = row;
        mark(&r->guest_marks, (size_t)row, (size_t)level);
    }
    if ((row = series_cover(&r->ready, t, c->ready)) >= 0) {
        c->ready = row;
        mark(&r->ready_marks, (size_t)row, (size_t)level);
    }
    return level;
}

/* Reads the run's samples file by file through their sample_id ranges and
 * places each. */
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
    if (store_prepare(db,
                      "SELECT t_ns, level, delay_ms FROM sample WHERE sample_id BETWEEN ? AND ?",
                      &rows, diags)) {
        sqlite3_finalize(files);
        return STATUS_FAILURE;
    }
    sqlite3_bind_int64(files, 1, r->run_id);
    int status = STATUS_OK;
    cursor c = {-1, -1, -1};
    while (!status && sqlite3_step(files) == SQLITE_ROW) {
        sqlite3_bind_int64(rows, 1, sqlite3_column_int64(files, 0));
        sqlite3_bind_int64(rows, 2, sqlite3_column_int64(files, 1));
        int rc;
        while ((rc = sqlite3_step(rows)) == SQLITE_ROW && r->n < total) {
            int probe_level =
                sqlite3_column_type(rows, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(rows, 1);
            int level = place(r, &c, sqlite3_column_int64(rows, 0), probe_level);
            r->level[r->n] = level < 0 ? LEVEL_NONE : (unsigned char)level;
            r->delay[r->n++] = sqlite3_column_double(rows, 2);
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

/* Whether row i ran during level only (no other level's probes in it). */
static bool only_level(const row_marks *m, size_t row, size_t level)
{
    for (size_t l = 0; l < m->levels; l++)
        if (l != level && marked(m, row, l))
            return false;
    return marked(m, row, level);
}

/* The rows of a series that speak for a level: those during which only
 * that level's probes ran, so a row spanning a change of level does not
 * mix two levels' CPU; when a level is too short to own a row, every row
 * its probes touched. *count receives how many; the array is new. */
static size_t *level_rows(const series *s, const row_marks *m, size_t level, size_t *count)
{
    size_t *rows = xreallocarray(NULL, s->n + 1, sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (only_level(m, i, level))
            rows[n++] = i;
    if (n == 0)
        for (size_t i = 0; i < s->n; i++)
            if (marked(m, i, level))
                rows[n++] = i;
    *count = n;
    return rows;
}

/* Mean of the series over a level's rows; NaN when none. */
static double level_mean(const series *s, const row_marks *m, size_t level, long *rows_used)
{
    size_t n;
    size_t *rows = level_rows(s, m, level, &n);
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += s->v[rows[k]];
    free(rows);
    *rows_used = (long)n;
    return n ? sum / (double)n : NAN;
}

static bool is_idle_name(const char *name)
{
    return strcasecmp(name, "None") == 0 || strcasecmp(name, "Idle") == 0;
}

/* Estimates the virtualization overhead from the lightest level with host
 * rows: host-measured CPU minus what the guest itself says there (the guest
 * is nearly idle, so its own counters are not distorted by pauses), or the
 * host-measured CPU alone when the level is the idle one and the guest has
 * no counters. Falls back to the configured default, marked assumed. */
static void estimate_overhead(run_data *r)
{
    r->overhead_lo = r->overhead_hi = NAN;
    if (r->host_is_own || r->settings.native) {
        r->overhead = 0;
        r->overhead_assumed = false;
        r->overhead_method = xstrdup("native: no virtualization");
        return;
    }
    size_t level = r->level_count, count = 0;
    size_t *rows = NULL;
    for (size_t l = 0; l < r->level_count && !count; l++) {
        free(rows);
        rows = level_rows(&r->host, &r->host_marks, l, &count);
        level = l;
    }
    bool with_guest = r->guest.n > 0;
    if (count && (with_guest || is_idle_name(r->level_names[level]))) {
        double *d = xreallocarray(NULL, count + 1, sizeof *d);
        size_t n = 0;
        long hint = -1;
        for (size_t k = 0; k < count; k++) {
            size_t i = rows[k];
            double g = 0;
            if (with_guest) {
                long row = series_cover(&r->guest, r->host.t[i], hint);
                if (row < 0)
                    continue;
                hint = row;
                g = r->guest.v[row];
            }
            d[n++] = r->host.v[i] - g;
        }
        double mean = NAN, variance = NAN;
        if (n >= 2)
            stats_mean_variance(d, n, &mean, &variance);
        if (n >= 2 && with_guest && mean < 0) {
            /* The guest's own counters read above what the host measured
             * even at the lightest level (pauses under contention are
             * charged to it): they cannot separate the overhead. */
            note(r, DIAG_NOTE,
                 "the virtualization overhead cannot be read at %s: the guest's own counters "
                 "there exceed the host-measured CPU by %.1f points",
                 r->level_names[level], -mean);
            n = 0;
        }
        if (n >= 2) {
            stats_mean_ci(mean, sqrt(variance), n, &r->overhead_lo, &r->overhead_hi);
            r->overhead = mean;
            r->overhead_assumed = false;
            r->overhead_method =
                with_guest ? xasprintf("host-measured minus guest-reported CPU during %s, over "
                                       "%zu counter rows",
                                       r->level_names[level], n)
                           : xasprintf("host-measured CPU during %s (the guest idle), over %zu "
                                       "counter rows",
                                       r->level_names[level], n);
            free(d);
            free(rows);
            return;
        }
        free(d);
    }
    free(rows);
    r->overhead = r->settings.overhead_default_pct;
    r->overhead_assumed = true;
    r->overhead_method =
        xasprintf("assumed: %g %% of a CPU (cpu.overhead_pct), as the run cannot measure it",
                  r->settings.overhead_default_pct);
}

/* CPU accounting of every level, the overhead, and useful work. */
static void account_cpu(run_data *r)
{
    estimate_overhead(r);
    double worst = 0;
    size_t worst_level = 0;
    for (size_t l = 0; l < r->level_count; l++) {
        level_result *lr = &r->levels[l];
        long ready_rows;
        lr->host = level_mean(&r->host, &r->host_marks, l, &lr->host_rows);
        lr->guest = level_mean(&r->guest, &r->guest_marks, l, &lr->guest_rows);
        lr->ready = level_mean(&r->ready, &r->ready_marks, l, &ready_rows);
        lr->discrepancy = lr->guest - lr->host;
        lr->untrusted = !r->host_is_own && isfinite(lr->discrepancy) &&
                        lr->discrepancy > r->settings.trust_margin_pct;
        lr->useful = isfinite(lr->host) ? fmax(0, lr->host - r->overhead) : NAN;
        if (lr->untrusted && lr->discrepancy > worst) {
            worst = lr->discrepancy;
            worst_level = l;
        }
    }
    if (worst > 0)
        note(r, DIAG_WARNING,
             "the guest's own counters over-report its CPU, by up to %.1f points at %s: a paused "
             "guest charges the pause to whatever it was running; trust the host-side figures",
             worst, r->level_names[worst_level]);
}

/* The two onsets of degradation: the lightest level whose p95 is over the
 * endurance line, and the lightest whose p95 exceeds the lightest level's
 * p95 by more than the margin. */
static void find_onsets(run_data *r)
{
    r->onset_endurance = r->onset_margin = -1;
    double base = NAN;
    for (size_t l = 0; l < r->level_count; l++) {
        double p95 = r->levels[l].p95;
        if (isnan(p95))
            continue;
        if (isnan(base))
            base = p95;
        if (r->onset_endurance < 0 && p95 > r->settings.endurance_ms)
            r->onset_endurance = (int)l;
        if (r->onset_margin < 0 && p95 > base + r->settings.onset_margin_ms)
            r->onset_margin = (int)l;
    }
}

static void bind_or_null(sqlite3_stmt *stmt, int index, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(stmt, index, v);
    else
        sqlite3_bind_null(stmt, index);
}

static const char level_stats_sql[] =
    "INSERT INTO level_stats (run_id, level, n, mean_ms, variance_ms2, stddev_ms, min_ms, p50_ms, "
    "p90_ms, p95_ms, p99_ms, max_ms, pct_over_endurance, cv, p999_ms, pct_le_50, mean_ci_lo, "
    "mean_ci_hi, p50_ci_lo, p50_ci_hi, p95_ci_lo, p95_ci_hi, p99_ci_lo, p99_ci_hi, level_source, "
    "n_probe, n_schedule, n_cpu) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* Stores the level's quantile curve (see 004_quantiles.sql). */
static int write_quantiles(sqlite3 *db, const run_data *r, size_t level, const double *x,
                           size_t n, diag_list *diags)
{
    static const unsigned tail[] = {9950, 9990, 9999};
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO level_quantile (run_id, level, q, value_ms) VALUES (?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (unsigned k = 0; k <= 103 && !status; k++) {
        unsigned q = k < 100 ? 100 * k : k < 103 ? tail[k - 100] : 10000;
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)level);
        sqlite3_bind_int(st, 3, (int)q);
        sqlite3_bind_double(st, 4, stats_percentile(x, n, q));
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store quantiles");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

/* Computes and inserts one level's statistics and buckets. */
static int write_level(sqlite3 *db, sqlite3_stmt *st, sqlite3_stmt *bucket_stmt, run_data *r,
                       size_t level, diag_list *diags)
{
    const run_settings *s = &r->settings;
    double *x = r->delay + r->level_start[level];
    size_t n = r->level_start[level + 1] - r->level_start[level];
    level_result *lr = &r->levels[level];
    stats_sort(x, n);
    double mean = NAN, variance = NAN;
    if (n)
        stats_mean_variance(x, n, &mean, &variance);
    double sd = n > 1 ? sqrt(variance) : NAN;
    double pct[5], lo[3], hi[3];
    static const unsigned ps[5] = {P50, P90, P95, P99, P999};
    for (int k = 0; k < 5; k++)
        pct[k] = n ? stats_percentile(x, n, ps[k]) : NAN;
    static const unsigned ci_ps[3] = {P50, P95, P99};
    for (int k = 0; k < 3; k++)
        stats_percentile_ci(x, n, ci_ps[k], &lo[k], &hi[k]);
    double mean_lo, mean_hi;
    stats_mean_ci(mean, sd, n, &mean_lo, &mean_hi);
    lr->p95 = pct[2];
    double share = n ? 100.0 / (double)n : NAN;
    int status_of_quantiles, c = 1;
    sqlite3_bind_int64(st, c++, r->run_id);
    sqlite3_bind_int64(st, c++, (sqlite3_int64)level);
    sqlite3_bind_int64(st, c++, (sqlite3_int64)n);
    bind_or_null(st, c++, mean);
    bind_or_null(st, c++, n > 1 ? variance : NAN);
    bind_or_null(st, c++, sd);
    bind_or_null(st, c++, n ? x[0] : NAN);
    for (int k = 0; k < 4; k++)
        bind_or_null(st, c++, pct[k]);
    bind_or_null(st, c++, n ? x[n - 1] : NAN);
    bind_or_null(st, c++, share * (double)(n - stats_count_le(x, n, s->endurance_ms)));
    bind_or_null(st, c++, n > 1 && mean > 0 ? sd / mean : NAN);
    bind_or_null(st, c++, pct[4]);
    bind_or_null(st, c++, share * (double)stats_count_le(x, n, 50));
    bind_or_null(st, c++, mean_lo);
    bind_or_null(st, c++, mean_hi);
    for (int k = 0; k < 3; k++) {
        bind_or_null(st, c++, lo[k]);
        bind_or_null(st, c++, hi[k]);
    }
    int method = BY_PROBE;
    for (int m = 1; m < METHODS; m++)
        if (lr->by[m] > lr->by[method])
            method = m;
    if (n)
        sqlite3_bind_text(st, c++, method_names[method], -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, c++);
    for (int m = 0; m < METHODS; m++)
        sqlite3_bind_int64(st, c++, lr->by[m]);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot store statistics");

    if (n && (status_of_quantiles = write_quantiles(db, r, level, x, n, diags)))
        return status_of_quantiles;
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

static int write_buckets(sqlite3 *db, const run_data *r, diag_list *diags)
{
    const run_settings *s = &r->settings;
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
        sqlite3_bind_int64(stmt, 1, r->run_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)b);
        bind_or_null(stmt, 3, b < s->edge_count ? s->edges[b] : NAN);
        sqlite3_bind_text(stmt, 4, label, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store bucket edges");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

static int write_cpu(sqlite3 *db, const run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO level_cpu (run_id, level, seconds, host_cpu_pct, host_rows, "
                      "guest_cpu_pct, guest_rows, discrepancy_pct, guest_untrusted, "
                      "useful_cpu_pct, ready_pct) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t l = 0; l < r->level_count && !status; l++) {
        const level_result *lr = &r->levels[l];
        long long placed = lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU];
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)l);
        bind_or_null(st, 3, placed ? (double)(lr->last_t - lr->first_t) / 1e9 : NAN);
        bind_or_null(st, 4, lr->host);
        sqlite3_bind_int64(st, 5, lr->host_rows);
        bind_or_null(st, 6, lr->guest);
        sqlite3_bind_int64(st, 7, lr->guest_rows);
        bind_or_null(st, 8, lr->discrepancy);
        sqlite3_bind_int(st, 9, lr->untrusted);
        bind_or_null(st, 10, lr->useful);
        bind_or_null(st, 11, lr->ready);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store CPU accounting");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

static int write_analysis(sqlite3 *db, const run_data *r, const char *digest, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO analysis (run_id, input_digest, endurance_ms, samples, unplaced, "
                      "host_counter, guest_counter, ready_counter, vcpus, native, overhead_pct, "
                      "overhead_ci_lo, overhead_ci_hi, overhead_assumed, overhead_method, "
                      "guest_untrusted, onset_margin_ms, onset_endurance_level, "
                      "onset_endurance_cpu_pct, onset_margin_level, onset_margin_cpu_pct, "
                      "onset_cpu_source, first_ns, last_ns) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    bool untrusted = false, host_known = false;
    for (size_t l = 0; l < r->level_count; l++) {
        untrusted |= r->levels[l].untrusted;
        host_known |= isfinite(r->levels[l].host);
    }
    int c = 1;
    sqlite3_bind_int64(st, c++, r->run_id);
    sqlite3_bind_text(st, c++, digest, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, c++, r->settings.endurance_ms);
    sqlite3_bind_int64(st, c++, (sqlite3_int64)r->n - r->unplaced);
    sqlite3_bind_int64(st, c++, r->unplaced);
    sqlite3_bind_text(st, c++, r->host.description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, c++, r->guest.description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, c++, r->ready.description, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, c++, r->settings.vcpus);
    sqlite3_bind_int(st, c++, r->host_is_own || r->settings.native);
    bind_or_null(st, c++, r->overhead);
    bind_or_null(st, c++, r->overhead_lo);
    bind_or_null(st, c++, r->overhead_hi);
    sqlite3_bind_int(st, c++, r->overhead_assumed);
    sqlite3_bind_text(st, c++, r->overhead_method, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, c++, untrusted);
    sqlite3_bind_double(st, c++, r->settings.onset_margin_ms);
    const int onsets[2] = {r->onset_endurance, r->onset_margin};
    for (int k = 0; k < 2; k++) {
        if (onsets[k] >= 0) {
            const level_result *lr = &r->levels[onsets[k]];
            sqlite3_bind_int(st, c++, onsets[k]);
            bind_or_null(st, c++, host_known ? lr->host : lr->guest);
        } else {
            sqlite3_bind_null(st, c++);
            sqlite3_bind_null(st, c++);
        }
    }
    sqlite3_bind_text(st, c++, host_known ? "host" : "guest", -1, SQLITE_STATIC);
    bool any = false;
    int64_t first = 0, last = 0;
    for (size_t l = 0; l < r->level_count; l++) {
        const level_result *lr = &r->levels[l];
        if (lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] == 0)
            continue;
        first = !any || lr->first_t < first ? lr->first_t : first;
        last = !any || lr->last_t > last ? lr->last_t : last;
        any = true;
    }
    if (any) {
        sqlite3_bind_int64(st, c++, first);
        sqlite3_bind_int64(st, c++, last);
    } else {
        sqlite3_bind_null(st, c++);
        sqlite3_bind_null(st, c++);
    }
    int status = sqlite3_step(st) == SQLITE_DONE ? STATUS_OK
                                                 : store_fail(db, diags, "cannot store the analysis");
    sqlite3_finalize(st);
    return status;
}

static int write_notes(sqlite3 *db, const run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO analysis_note (run_id, seq, severity, message) VALUES (?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < diag_list_count(r->notes) && !status; i++) {
        const diag *d = diag_list_get(r->notes, i);
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, d->severity == DIAG_WARNING ? "warning" : "note", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d->message, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store notes");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

/* Replaces the run's results in one transaction. */
static int write_results(sqlite3 *db, run_data *r, const char *digest, diag_list *diags)
{
    static const char *const clear[] = {
        "DELETE FROM level_bucket WHERE run_id = ?", "DELETE FROM level_stats WHERE run_id = ?",
        "DELETE FROM level_quantile WHERE run_id = ?",
        "DELETE FROM bucket WHERE run_id = ?",       "DELETE FROM level_cpu WHERE run_id = ?",
        "DELETE FROM analysis_note WHERE run_id = ?", "DELETE FROM analysis WHERE run_id = ?"};
    if (store_exec(db, "BEGIN IMMEDIATE", diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    sqlite3_stmt *stats_stmt = NULL, *bucket_stmt = NULL, *stmt = NULL;
    for (size_t i = 0; i < sizeof clear / sizeof *clear && !status; i++) {
        if ((status = store_prepare(db, clear[i], &stmt, diags)))
            break;
        sqlite3_bind_int64(stmt, 1, r->run_id);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot clear old results");
        sqlite3_finalize(stmt);
    }
    if (status || (status = write_buckets(db, r, diags)) ||
        (status = store_prepare(db, level_stats_sql, &stats_stmt, diags)) ||
        (status = store_prepare(db,
                                "INSERT INTO level_bucket (run_id, level, bucket, count, pct) "
                                "VALUES (?, ?, ?, ?, ?)",
                                &bucket_stmt, diags)))
        goto out;
    for (size_t level = 0; level < r->level_count && !status; level++)
        status = write_level(db, stats_stmt, bucket_stmt, r, level, diags);
    if (status)
        goto out;
    account_cpu(r);
    find_onsets(r);
    if (!status)
        status = write_cpu(db, r, diags);
    if (!status)
        status = write_analysis(db, r, digest, diags);
    if (!status)
        status = write_notes(db, r, diags);
    if (!status)
        status = store_exec(db, "COMMIT", diags);
out:
    sqlite3_finalize(stats_stmt);
    sqlite3_finalize(bucket_stmt);
    if (status)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* Notes about how the samples were placed. */
static void note_placement(run_data *r)
{
    if (r->by_guest_cpu)
        note(r, DIAG_WARNING,
             "%lld samples were placed in levels by the guest's own CPU counter, which a paused "
             "guest inflates; name a host-side counter with host_counter in run.ini",
             r->by_guest_cpu);
    if (r->unplaced)
        note(r, DIAG_WARNING,
             "%lld samples have no level: their probe logs do not say, no schedule.csv covers "
             "them and %s; they are left out of every statistic",
             r->unplaced,
             r->settings.threshold_count == 0 ? "the run has no CPU thresholds for its levels"
             : r->host.n + r->guest.n == 0    ? "the run has no CPU counter to place them by"
                                              : "no CPU counter row covers their time");
}

static int analyze_run(sqlite3 *db, run_data *r, const analyze_options *opts, bool *recomputed,
                       diag_list *diags)
{
    char digest[65];
    *recomputed = false;
    r->notes = diag_list_new();
    if (load_level_names(db, r, diags) ||
        run_settings_load(db, r->run_id, r->name, r->level_count, opts, &r->settings, r->notes) ||
        input_digest(db, r, digest, diags))
        return STATUS_FAILURE;
    if (results_stand(db, r->run_id, digest))
        return STATUS_OK;
    r->levels = xcalloc(r->level_count + 1, sizeof *r->levels);
    if (load_series(db, r) || load_schedule(db, r, diags) || load_samples(db, r, diags))
        return STATUS_FAILURE;
    group_by_level(r);
    note_placement(r);
    *recomputed = true;
    int status = write_results(db, r, digest, diags);
    /* The notes are stored and also told now. */
    for (size_t i = 0; i < diag_list_count(r->notes) && !status; i++) {
        const diag *d = diag_list_get(r->notes, i);
        diag_add(diags, d->severity, d->path, 0, 0, "%s", d->message);
    }
    return status;
}

int analyze_store(sqlite3 *db, const analyze_options *opts, analyze_run_fn on_run, void *ctx,
                  analyze_totals *totals, diag_list *diags)
{
    memset(totals, 0, sizeof *totals);
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
                                   .version = store_version(db),
                                   .name = xstrdup((const char *)sqlite3_column_text(runs, 1)),
                                   .level_count = (size_t)sqlite3_column_int64(runs, 2)};
    }
    sqlite3_finalize(runs);
    int status = STATUS_OK;
    for (size_t i = 0; i < count; i++) {
        run_data *r = &list[i];
        bool recomputed = false;
        if (!status)
            status = analyze_run(db, r, opts, &recomputed, diags);
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

int analyze_load_levels(sqlite3 *db, const char *run_name, const analyze_options *opts,
                        analyze_levels *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT run_id, (SELECT count(*) FROM run_level l WHERE l.run_id = r.run_id) "
                      "FROM run r WHERE name = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, run_name, -1, SQLITE_STATIC);
    run_data r = {.version = store_version(db), .name = xstrdup(run_name)};
    bool found = sqlite3_step(stmt) == SQLITE_ROW;
    if (found) {
        r.run_id = sqlite3_column_int64(stmt, 0);
        r.level_count = (size_t)sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
    if (!found) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no run named '%s' in the store", run_name);
        run_data_clear(&r);
        return STATUS_BAD_INPUT;
    }
    r.notes = diag_list_new();
    r.levels = xcalloc(r.level_count + 1, sizeof *r.levels);
    int status = STATUS_OK;
    if (load_level_names(db, &r, diags) ||
        run_settings_load(db, r.run_id, r.name, r.level_count, opts, &r.settings, r.notes) ||
        load_series(db, &r) || load_schedule(db, &r, diags) || load_samples(db, &r, diags))
        status = STATUS_FAILURE;
    if (!status) {
        group_by_level(&r);
        for (size_t l = 0; l < r.level_count; l++)
            stats_sort(r.delay + r.level_start[l], r.level_start[l + 1] - r.level_start[l]);
        /* Hand over what the comparison needs; the rest goes with r. */
        out->level_count = r.level_count;
        out->names = r.level_names;
        out->delay = r.delay;
        out->start = r.level_start;
        out->unplaced = r.unplaced;
        out->edges = r.settings.edges;
        out->edge_count = r.settings.edge_count;
        out->endurance_ms = r.settings.endurance_ms;
        r.settings.edges = NULL;
        r.level_names = NULL;
        r.delay = NULL;
        r.level_start = NULL;
        r.level_count = 0;
    }
    run_data_clear(&r);
    return status;
}

void analyze_levels_clear(analyze_levels *levels)
{
    for (size_t i = 0; i < levels->level_count; i++)
        free(levels->names[i]);
    free(levels->names);
    free(levels->delay);
    free(levels->start);
    free(levels->edges);
    memset(levels, 0, sizeof *levels);
}
