#include "analyze.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "concurrency.h"
#include "glob.h"
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
#define ANALYSIS_REVISION "p3-analysis-5"

/* Percentiles stored, in 1/10000. */
enum { P50 = 5000, P90 = 9000, P95 = 9500, P99 = 9900, P999 = 9990 };

/* Marks a sample no level was given to. */
#define LEVEL_NONE 255
/* Added to a level: a sample the level took whose label is not one the
 * probe is made of (kept for the label statistics only). */
#define LABEL_EXCLUDED 64
/* The most levels a run has (run_record's limit). */
#define LEVEL_MAX 64
/* Distinct labels tracked for p3 labels; later ones share the last id. */
#define LABEL_MAX 65535

/* How a sample got its level: its own probe log's column, schedule.csv,
 * CPU, the concurrency a load-testing tool gives, or a run.ini [levels]
 * binding of its file. */
enum { BY_PROBE, BY_SCHEDULE, BY_CPU, BY_CONCURRENCY, BY_FILE, METHODS };
static const char *const method_names[METHODS] = {"probe", "schedule", "cpu", "concurrency",
                                                  "file"};

/* What became of a sample (placement.state). */
enum { ST_COUNTED, ST_FAILED, ST_EXCLUDED, ST_RAMP, ST_UNPLACED, STATES };
static const char *const state_names[STATES] = {"counted", "failed", "excluded", "ramp",
                                                "unplaced"};

/* Consecutive samples that share a level, state and method. */
typedef struct span {
    int64_t first, last; /* sample_id range */
    int level;           /* -1: none */
    int state, method;   /* method -1: none */
} span;

/* Label names and their ids; id 0 is "no label". */
typedef struct label_table {
    char **names;
    size_t count;
    uint32_t *slots;     /* open addressing: id + 1, 0 empty */
    size_t slot_count;
} label_table;

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
    long long by[METHODS];   /* samples placed by each method (counted ones) */
    long long errors;        /* failed samples the level took */
    bool approx;             /* its distribution is not of single samples */
    bool aggregate_only;     /* its samples are a tool's aggregates without a distribution */
    double exact_sum, exact_count; /* a tool's exact mean (aggregates): sum and count */
    long long observations;  /* in its distribution (its n), once computed */
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
    unsigned char *level;        /* their levels; LEVEL_NONE when unplaced,
                                    LABEL_EXCLUDED + level when the label is not the probe's */
    double *weight;              /* observations per sample; NULL when each counts once */
    uint32_t *label_of;          /* label id per sample; NULL when no sample has one */
    label_table labels;
    size_t n;
    size_t cap;                  /* room in delay, level, weight and label_of */
    size_t *level_start;         /* 2 level_count + 2 offsets into delay after grouping:
                                    the levels, the unplaced, the label-excluded per level */
    long long unplaced;
    long long ramp;              /* taken while the load moved between plateaus */
    long long excluded_role;     /* sub-results and rows of the role not probed */
    long long excluded_label;    /* of a label not in the probe */
    long long failed;            /* failures left out of the distributions */
    bool by_concurrency;         /* levels come from concurrency */
    bool derived_levels;         /* ... and are plateaus found here (run_level is rewritten) */
    concurrency_levels conc;
    in_flight flight;            /* concurrency = in_flight */
    span *spans;
    size_t span_count, span_cap;
    char **approx_files;         /* files of window means, for the notes */
    size_t approx_file_count;
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
    free(r->weight);
    free(r->label_of);
    for (size_t i = 0; i < r->labels.count; i++)
        free(r->labels.names[i]);
    free(r->labels.names);
    free(r->labels.slots);
    concurrency_levels_clear(&r->conc);
    in_flight_clear(&r->flight);
    free(r->spans);
    for (size_t i = 0; i < r->approx_file_count; i++)
        free(r->approx_files[i]);
    free(r->approx_files);
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
    /* Levels found from the data are results, not inputs. */
    if (store_prepare(db,
                      r->derived_levels
                          ? "SELECT 'file ' || sha256 FROM source_file WHERE run_id = ?1 "
                            "ORDER BY file_id"
                          : "SELECT 'level ' || name FROM run_level WHERE run_id = ?1 UNION ALL "
                            "SELECT * FROM (SELECT 'file ' || sha256 FROM source_file WHERE "
                            "run_id = ?1 ORDER BY file_id)",
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
        r->host = (series){.n = r->guest.n, .interval = r->guest.interval};
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

/* The level of a sample at t: its own (own_method says whether from its
 * probe log or a [levels] binding), else by concurrency, schedule or CPU.
 * *method receives how; returns -1 when nothing places it, -2 for a ramp
 * sample (concurrency between the levels). */
static int place(run_data *r, cursor *c, int64_t t, int own_level, int own_method,
                 long concurrency, int *method)
{
    *method = -1;
    if (r->by_concurrency) {
        long v = r->settings.in_flight ? in_flight_at(&r->flight, t) : concurrency;
        if (v < 0)
            return -1;
        *method = BY_CONCURRENCY;
        int level = concurrency_level_of(&r->conc, v);
        return level >= 0 ? level : -2;
    }
    if (own_level >= 0 && (size_t)own_level < r->level_count) {
        *method = own_method;
        return own_level;
    }
    int level;
    if (r->schedule_count && (level = scheduled_level(r, t)) >= 0) {
        *method = BY_SCHEDULE;
        return (size_t)level < r->level_count ? level : -1;
    }
    if (r->settings.threshold_count) {
        const series *s = r->host.n ? &r->host : &r->guest;
        long *hint = r->host.n ? &c->host : &c->guest;
        long row = series_cover(s, t, *hint);
        if (row >= 0) {
            *hint = row;
            level = cpu_level(&r->settings, s->v[row]);
            if ((size_t)level >= r->level_count)
                return -1;
            *method = BY_CPU;
            if (s == &r->guest && !r->host_is_own)
                r->by_guest_cpu++;
            return level;
        }
    }
    return -1;
}

/* Records that a level ran at t: its time span and the counter rows it saw. */
static void level_ran(run_data *r, cursor *c, int64_t t, size_t level)
{
    level_result *lr = &r->levels[level];
    bool first = lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] + lr->by[BY_CONCURRENCY] +
                     lr->by[BY_FILE] + lr->errors ==
                 0;
    if (first || t < lr->first_t)
        lr->first_t = t;
    if (first || t > lr->last_t)
        lr->last_t = t;
    long row;
    if ((row = series_cover(&r->host, t, c->host)) >= 0) {
        c->host = row;
        mark(&r->host_marks, (size_t)row, level);
    }
    if ((row = series_cover(&r->guest, t, c->guest)) >= 0) {
        c->guest = row;
        mark(&r->guest_marks, (size_t)row, level);
    }
    if ((row = series_cover(&r->ready, t, c->ready)) >= 0) {
        c->ready = row;
        mark(&r->ready_marks, (size_t)row, level);
    }
}

/* Extends the last span with sample id, or starts a new one. */
static void add_span(run_data *r, int64_t id, int level, int state, int method)
{
    span *last = r->span_count ? &r->spans[r->span_count - 1] : NULL;
    if (last && last->last + 1 == id && last->level == level && last->state == state &&
        last->method == method) {
        last->last = id;
        return;
    }
    if (r->span_count == r->span_cap) {
        r->span_cap = r->span_cap ? 2 * r->span_cap : 64;
        r->spans = xreallocarray(r->spans, r->span_cap, sizeof *r->spans);
    }
    r->spans[r->span_count++] = (span){id, id, level, state, method};
}

static uint32_t hash_text(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The id of a label, added when new; 0 for none. */
static uint32_t label_id(label_table *t, const char *s, size_t len)
{
    if (!s)
        return 0;
    if (t->count == 0) {
        t->names = xreallocarray(NULL, 1, sizeof *t->names);
        t->names[t->count++] = xstrdup("");
    }
    if (2 * (t->count + 1) > t->slot_count) {
        size_t slots = t->slot_count ? 2 * t->slot_count : 64;
        uint32_t *fresh = xcalloc(slots, sizeof *fresh);
        for (size_t id = 1; id < t->count; id++) {
            size_t k = hash_text(t->names[id], strlen(t->names[id])) & (slots - 1);
            while (fresh[k])
                k = (k + 1) & (slots - 1);
            fresh[k] = (uint32_t)id + 1;
        }
        free(t->slots);
        t->slots = fresh;
        t->slot_count = slots;
    }
    size_t k = hash_text(s, len) & (t->slot_count - 1);
    while (t->slots[k]) {
        const char *name = t->names[t->slots[k] - 1];
        if (strlen(name) == len && memcmp(name, s, len) == 0)
            return t->slots[k] - 1;
        k = (k + 1) & (t->slot_count - 1);
    }
    if (t->count > LABEL_MAX)
        return LABEL_MAX; /* the last id stands for every label past the limit */
    t->names = xreallocarray(t->names, t->count + 1, sizeof *t->names);
    t->names[t->count] = xstrndup(s, len);
    t->slots[k] = (uint32_t)t->count + 1;
    return (uint32_t)t->count++;
}

/* Whether a label is one the probe is made of (run.ini probe_labels). */
static bool label_in_probe(const run_settings *s, const char *label)
{
    if (!s->labels)
        return true;
    char *copy = xstrdup(s->labels);
    bool hit = false;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !hit;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t len = strlen(tok);
        while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
            tok[--len] = '\0';
        hit = len && glob_match(tok, label ? label : "");
    }
    free(copy);
    return hit;
}

/* Whether a sample of this role is what the probe is made of: the
 * samplers by default (not their sub-results, not transaction totals),
 * the transactions with probe = transactions. */
static bool role_in_probe(const run_settings *s, const unsigned char *role)
{
    if (!role)
        return !s->transactions;
    if (strcmp((const char *)role, "transaction") == 0)
        return s->transactions;
    return false;
}

/* The files of the run that hold samples, with what analysis needs of them. */
static const char files_sql_v6[] =
    "SELECT f.first_sample, f.last_sample, coalesce(f.format, 'p3-probe'), "
    "(SELECT value FROM file_meta m WHERE m.file_id = f.file_id AND m.key = 'values'), f.path "
    "FROM source_file f WHERE f.run_id = ? AND f.kind = 'probe' AND f.samples > 0 "
    "ORDER BY f.file_id";
static const char files_sql_old[] =
    "SELECT first_sample, last_sample, 'p3-probe', NULL, path FROM source_file WHERE run_id = ? "
    "AND kind = 'probe' AND samples > 0 ORDER BY file_id";

static void keep_sample(run_data *r, double delay, unsigned char code, double weight,
                        uint32_t label)
{
    size_t i = r->n++;
    r->delay[i] = delay;
    r->level[i] = code;
    if (weight != 1.0 && !r->weight) {
        r->weight = xreallocarray(NULL, r->cap, sizeof *r->weight);
        for (size_t k = 0; k < i; k++)
            r->weight[k] = 1.0;
    }
    if (r->weight)
        r->weight[i] = weight;
    if (label && !r->label_of)
        r->label_of = xcalloc(r->cap, sizeof *r->label_of);
    if (r->label_of)
        r->label_of[i] = label;
}

/* Places one stored sample and keeps it where it belongs. */
static void take_sample(run_data *r, cursor *c, sqlite3_stmt *rows, int own_method, bool approx,
                        bool v6)
{
    int64_t id = sqlite3_column_int64(rows, 0), t = sqlite3_column_int64(rows, 1);
    int own = sqlite3_column_type(rows, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(rows, 2);
    double delay = sqlite3_column_double(rows, 3);
    const char *label = v6 ? (const char *)sqlite3_column_text(rows, 4) : NULL;
    size_t label_len = label ? (size_t)sqlite3_column_bytes(rows, 4) : 0;
    bool failed = v6 && sqlite3_column_type(rows, 5) != SQLITE_NULL && !sqlite3_column_int(rows, 5);
    long concurrency = v6 && sqlite3_column_type(rows, 6) != SQLITE_NULL
                           ? (long)sqlite3_column_int64(rows, 6)
                           : -1;
    double weight = v6 && sqlite3_column_type(rows, 7) != SQLITE_NULL
                        ? sqlite3_column_double(rows, 7)
                        : 1.0;
    const unsigned char *role = v6 ? sqlite3_column_text(rows, 8) : NULL;

    int method;
    int level = place(r, c, t, own, own_method, concurrency, &method);
    if (!role_in_probe(&r->settings, role)) {
        r->excluded_role++;
        add_span(r, id, level >= 0 ? level : -1, ST_EXCLUDED, method);
        return;
    }
    if (level == -2) {
        r->ramp++;
        add_span(r, id, -1, ST_RAMP, method);
        return;
    }
    if (level < 0) {
        keep_sample(r, delay, LEVEL_NONE, weight, 0);
        add_span(r, id, -1, ST_UNPLACED, -1);
        return;
    }
    level_result *lr = &r->levels[level];
    level_ran(r, c, t, (size_t)level);
    uint32_t lid = label ? label_id(&r->labels, label, label_len) : 0;
    if (failed && !r->settings.include_failures) {
        lr->errors++;
        r->failed++;
        /* A failure is kept for the label statistics with a negative
         * delay marker: it counts in their error column only. */
        keep_sample(r, -1.0, (unsigned char)(LABEL_EXCLUDED + level), 1.0, lid);
        add_span(r, id, level, ST_FAILED, method);
        return;
    }
    if (failed)
        lr->errors++;
    if (!label_in_probe(&r->settings, label)) {
        r->excluded_label++;
        keep_sample(r, delay, (unsigned char)(LABEL_EXCLUDED + level), weight, lid);
        add_span(r, id, level, ST_EXCLUDED, method);
        return;
    }
    lr->by[method]++;
    lr->approx |= approx;
    keep_sample(r, delay, (unsigned char)level, weight, lid);
    add_span(r, id, level, ST_COUNTED, method);
}

static void note_approx_file(run_data *r, const char *path)
{
    r->approx_files = xreallocarray(r->approx_files, r->approx_file_count + 1,
                                    sizeof *r->approx_files);
    r->approx_files[r->approx_file_count++] = xstrdup(path);
}

/* Reads the run's samples file by file through their sample_id ranges and
 * places each. */
static int load_samples(sqlite3 *db, run_data *r, diag_list *diags)
{
    sqlite3_stmt *files;
    if (store_prepare(db,
                      "SELECT coalesce(sum(samples), 0) FROM source_file WHERE run_id = ? AND "
                      "kind = 'probe'",
                      &files, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(files, 1, r->run_id);
    size_t total = sqlite3_step(files) == SQLITE_ROW ? (size_t)sqlite3_column_int64(files, 0) : 0;
    sqlite3_finalize(files);
    r->cap = total ? total : 1;
    r->delay = xreallocarray(NULL, r->cap, sizeof *r->delay);
    r->level = xmalloc(r->cap);
    bool v6 = r->version >= 6;
    if (store_prepare(db, v6 ? files_sql_v6 : files_sql_old, &files, diags))
        return STATUS_FAILURE;
    /* Probe logs leave the load-test columns empty: their rows are read
     * without them (as in stores before schema 6). */
    sqlite3_stmt *lean, *full = NULL;
    if (store_prepare(db,
                      "SELECT sample_id, t_ns, level, delay_ms FROM sample WHERE sample_id "
                      "BETWEEN ? AND ?",
                      &lean, diags) ||
        (v6 && store_prepare(db,
                             "SELECT sample_id, t_ns, level, delay_ms, label, ok, concurrency, "
                             "weight, role FROM sample WHERE sample_id BETWEEN ? AND ?",
                             &full, diags))) {
        sqlite3_finalize(lean);
        sqlite3_finalize(files);
        return STATUS_FAILURE;
    }
    sqlite3_bind_int64(files, 1, r->run_id);
    int status = STATUS_OK;
    cursor c = {-1, -1, -1};
    while (!status && sqlite3_step(files) == SQLITE_ROW) {
        const char *format = (const char *)sqlite3_column_text(files, 2);
        const char *values = (const char *)sqlite3_column_text(files, 3);
        bool probe_log = !format || strcmp(format, "p3-probe") == 0;
        int own_method = probe_log ? BY_PROBE : BY_FILE;
        bool approx = values && strcmp(values, "window-mean") == 0;
        if (approx)
            note_approx_file(r, (const char *)sqlite3_column_text(files, 4));
        sqlite3_stmt *rows = probe_log ? lean : full;
        sqlite3_bind_int64(rows, 1, sqlite3_column_int64(files, 0));
        sqlite3_bind_int64(rows, 2, sqlite3_column_int64(files, 1));
        int rc;
        while ((rc = sqlite3_step(rows)) == SQLITE_ROW && r->n < total)
            take_sample(r, &c, rows, own_method, approx, !probe_log);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            status = store_fail(db, diags, "cannot read samples");
        sqlite3_reset(rows);
    }
    sqlite3_finalize(lean);
    sqlite3_finalize(full);
    sqlite3_finalize(files);
    return status;
}

/* Formats whose samples carry the concurrency they ran at. */
static bool carries_concurrency(const char *format)
{
    static const char *const formats[] = {"jmeter-csv", "jmeter-xml", "k6", "gatling", "locust"};
    for (size_t i = 0; format && i < sizeof formats / sizeof *formats; i++)
        if (strcmp(format, formats[i]) == 0)
            return true;
    return false;
}

/* Whether the run's levels come from concurrency (r->by_concurrency) and
 * whether they are plateaus to be found (r->derived_levels): cheap, from
 * the files' formats and first rows. */
static int choose_source(sqlite3 *db, run_data *r, diag_list *diags)
{
    if (r->version < 6 || r->settings.level_by == LEVEL_BY_CHAIN)
        return STATUS_OK;
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "SELECT coalesce(f.format, 'p3-probe'), (SELECT s.level IS NOT NULL FROM "
                      "sample s WHERE s.sample_id = f.first_sample) FROM source_file f WHERE "
                      "f.run_id = ? AND ((f.kind = 'probe' AND f.samples > 0) OR f.kind = "
                      "'aggregate')",
                      &st, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(st, 1, r->run_id);
    bool candidates = false, has_level = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        candidates |= carries_concurrency((const char *)sqlite3_column_text(st, 0));
        has_level |= sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_finalize(st);
    if (r->settings.level_by == LEVEL_BY_AUTO && (!candidates || has_level || r->schedule_count))
        return STATUS_OK;
    r->by_concurrency = true;
    /* CPU does not place samples here: its thresholds are no input. */
    free(r->settings.thresholds);
    r->settings.thresholds = NULL;
    r->settings.threshold_count = 0;
    const char *bad;
    concurrency_levels ranges;
    if (concurrency_parse_ranges(r->level_names, r->level_count, &ranges, &bad)) {
        r->conc = ranges;
    } else {
        r->derived_levels = true;
    }
    return STATUS_OK;
}

/* Adds the concurrency points of one run's samples and aggregates. */
static int collect_points(sqlite3 *db, run_data *r, concurrency_point **points, size_t *count,
                          diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "SELECT s.t_ns, s.concurrency, s.delay_ms, s.role FROM source_file f JOIN "
                      "sample s ON s.sample_id BETWEEN f.first_sample AND f.last_sample WHERE "
                      "f.run_id = ?1 AND f.kind = 'probe' AND f.samples > 0 UNION ALL SELECT "
                      "a.t_ns, a.concurrency, NULL, NULL FROM source_file f JOIN aggregate a "
                      "USING (file_id) WHERE f.run_id = ?1 AND a.label IS NULL",
                      &st, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(st, 1, r->run_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!role_in_probe(&r->settings, sqlite3_column_text(st, 3)))
            continue;
        int64_t t = sqlite3_column_int64(st, 0);
        if (r->settings.in_flight) {
            if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                in_flight_add(&r->flight, t,
                              t + (int64_t)llround(sqlite3_column_double(st, 2) * 1e6));
            continue;
        }
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 4096;
            *points = xreallocarray(*points, cap, sizeof **points);
        }
        (*points)[(*count)++] = (concurrency_point){t, (long)sqlite3_column_int64(st, 1)};
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot read samples");
    if (r->settings.in_flight) {
        in_flight_seal(&r->flight);
        *points = xreallocarray(*points, r->flight.n + 1, sizeof **points);
        for (size_t i = 0; i < r->flight.n; i++)
            (*points)[i] = (concurrency_point){r->flight.starts[i],
                                               in_flight_at(&r->flight, r->flight.starts[i])};
        *count = r->flight.n;
    }
    return STATUS_OK;
}

/* For a run levelled by concurrency: the in-flight counts, and the
 * plateaus when the levels are to be found. */
static int find_levels(sqlite3 *db, run_data *r, diag_list *diags)
{
    if (!r->by_concurrency || (!r->derived_levels && !r->settings.in_flight))
        return STATUS_OK;
    concurrency_point *points = NULL;
    size_t n = 0;
    if (collect_points(db, r, &points, &n, diags)) {
        free(points);
        return STATUS_FAILURE;
    }
    if (!r->derived_levels) {
        free(points);
        return STATUS_OK;
    }
    concurrency_plateaus(points, n, (int64_t)(r->settings.plateau_seconds * 1e9),
                         r->settings.level_name, LEVEL_MAX, &r->conc);
    free(points);
    if (r->conc.count == 0) {
        note(r, DIAG_WARNING,
             n ? "no concurrency value was held for %.1f s or more, so the run has no plateaus "
                 "and every sample counts as ramp; give the levels as ranges (levels = 1-10, "
                 "11-50) or a shorter plateau_seconds"
               : "no sample carries a concurrency, so the run has no levels from it; give "
                 "levels through run.ini [levels] bindings or schedule.csv",
             (double)r->conc.hold_ns / 1e9);
        r->derived_levels = false;
        return STATUS_OK;
    }
    note(r, DIAG_NOTE,
         "the levels are the plateaus of %s: values held for %.1f s or more (%s)",
         r->settings.in_flight ? "requests in flight" : "concurrent users",
         (double)r->conc.hold_ns / 1e9,
         r->settings.plateau_seconds > 0 ? "run.ini plateau_seconds"
                                         : "5 % of the run's time span, at least 1 s");
    if (r->conc.dropped)
        note(r, DIAG_WARNING,
             "%zu more plateaus were found than the %d levels a run can have; the shortest "
             "are counted as ramp",
             r->conc.dropped, LEVEL_MAX);
    for (size_t i = 0; i < r->level_count; i++)
        free(r->level_names[i]);
    free(r->level_names);
    r->level_count = r->conc.count;
    r->level_names = xcalloc(r->level_count + 1, sizeof *r->level_names);
    for (size_t i = 0; i < r->level_count; i++)
        r->level_names[i] = xstrdup(r->conc.names[i]);
    return STATUS_OK;
}

/* Makes room for more samples than load_samples() sized the arrays for. */
static void grow_samples(run_data *r, size_t more)
{
    if (r->n + more <= r->cap)
        return;
    size_t cap = 2 * (r->n + more);
    r->cap = cap;
    r->delay = xreallocarray(r->delay, cap, sizeof *r->delay);
    r->level = xreallocarray(r->level, cap, 1);
    if (r->weight)
        r->weight = xreallocarray(r->weight, cap, sizeof *r->weight);
    if (r->label_of) {
        r->label_of = xreallocarray(r->label_of, cap, sizeof *r->label_of);
        memset(r->label_of + r->n, 0, (cap - r->n) * sizeof *r->label_of);
    }
}

/* One aggregate row of a tool that keeps no single samples (Locust): its
 * counts and exact mean go to its level; with window percentiles, its
 * distribution is approximated by weighted points at the percentiles. */
static void take_aggregate(run_data *r, cursor *c, sqlite3_stmt *row, sqlite3_stmt *quantiles)
{
    int64_t id = sqlite3_column_int64(row, 0), t = sqlite3_column_int64(row, 1);
    long concurrency =
        sqlite3_column_type(row, 2) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(row, 2);
    const char *label = (const char *)sqlite3_column_text(row, 3);
    long long requests = sqlite3_column_int64(row, 4), failures = sqlite3_column_int64(row, 5);
    bool has_mean = sqlite3_column_type(row, 6) != SQLITE_NULL;
    double mean = sqlite3_column_double(row, 6);
    bool window = sqlite3_column_int(row, 7) != 0;
    if (r->settings.labels ? !label || !label_in_probe(&r->settings, label) : label != NULL)
        return;
    int method;
    int level = place(r, c, t, -1, BY_FILE, concurrency, &method);
    if (level == -2) {
        r->ramp += requests;
        return;
    }
    if (level < 0) {
        r->unplaced += requests;
        return;
    }
    level_result *lr = &r->levels[level];
    level_ran(r, c, t, (size_t)level);
    lr->errors += failures;
    lr->approx = true;
    if (has_mean && requests > 0) {
        lr->exact_sum += mean * (double)requests;
        lr->exact_count += (double)requests;
    }
    if (!window || requests <= 0) {
        lr->aggregate_only |= !window;
        lr->by[method] += requests;
        return;
    }
    sqlite3_bind_int64(quantiles, 1, id);
    unsigned prev = 0;
    while (sqlite3_step(quantiles) == SQLITE_ROW) {
        unsigned q = (unsigned)sqlite3_column_int(quantiles, 0);
        double v = sqlite3_column_double(quantiles, 1);
        double w = (double)requests * (double)(q - prev) / 1e6;
        if (q <= prev || w <= 0)
            continue;
        grow_samples(r, 1);
        keep_sample(r, v, (unsigned char)level, w, 0);
        prev = q;
    }
    sqlite3_reset(quantiles);
    lr->by[method] += requests;
}

/* Reads the run's aggregate rows (schema 6 on). */
static int load_aggregates(sqlite3 *db, run_data *r, diag_list *diags)
{
    if (r->version < 6)
        return STATUS_OK;
    sqlite3_stmt *rows, *quantiles;
    if (store_prepare(db,
                      "SELECT a.aggregate_id, a.t_ns, a.concurrency, a.label, a.requests, "
                      "a.failures, a.mean_ms, a.window FROM source_file f JOIN aggregate a USING "
                      "(file_id) WHERE f.run_id = ? ORDER BY a.aggregate_id",
                      &rows, diags))
        return STATUS_FAILURE;
    if (store_prepare(db,
                      "SELECT q, value_ms FROM aggregate_quantile WHERE aggregate_id = ? ORDER BY q",
                      &quantiles, diags)) {
        sqlite3_finalize(rows);
        return STATUS_FAILURE;
    }
    sqlite3_bind_int64(rows, 1, r->run_id);
    cursor c = {-1, -1, -1};
    int rc;
    while ((rc = sqlite3_step(rows)) == SQLITE_ROW)
        take_aggregate(r, &c, rows, quantiles);
    sqlite3_finalize(quantiles);
    sqlite3_finalize(rows);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, "cannot read aggregates");
}

/* The group a sample's level code belongs to (see run_data.level_start). */
static size_t group_of(const run_data *r, unsigned char code)
{
    if (code == LEVEL_NONE)
        return r->level_count;
    if (code >= LABEL_EXCLUDED)
        return r->level_count + 1 + (code - LABEL_EXCLUDED);
    return code;
}

static void swap_samples(run_data *r, size_t i, size_t j)
{
    double d = r->delay[i];
    r->delay[i] = r->delay[j];
    r->delay[j] = d;
    unsigned char lv = r->level[i];
    r->level[i] = r->level[j];
    r->level[j] = lv;
    if (r->weight) {
        double w = r->weight[i];
        r->weight[i] = r->weight[j];
        r->weight[j] = w;
    }
    if (r->label_of) {
        uint32_t l = r->label_of[i];
        r->label_of[i] = r->label_of[j];
        r->label_of[j] = l;
    }
}

/* Permutes the samples in place so that each group is contiguous: the
 * levels in order, the unplaced, then each level's label-excluded. */
static void group_by_level(run_data *r)
{
    size_t groups = 2 * r->level_count + 1;
    size_t *next = xcalloc(groups, sizeof *next);
    r->level_start = xcalloc(groups + 1, sizeof *r->level_start);
    for (size_t i = 0; i < r->n; i++)
        r->level_start[group_of(r, r->level[i]) + 1]++;
    for (size_t g = 0; g < groups; g++)
        r->level_start[g + 1] += r->level_start[g];
    memcpy(next, r->level_start, groups * sizeof *next);
    for (size_t g = 0; g < groups; g++) {
        size_t end = r->level_start[g + 1];
        while (next[g] < end) {
            size_t i = next[g];
            size_t home = group_of(r, r->level[i]);
            if (home == g) {
                next[g]++;
                continue;
            }
            swap_samples(r, i, next[home]++);
        }
    }
    r->unplaced = (long long)(r->level_start[r->level_count + 1] - r->level_start[r->level_count]);
    if (r->weight) {
        double w = 0;
        for (size_t i = r->level_start[r->level_count]; i < r->level_start[r->level_count + 1];
             i++)
            w += r->weight[i];
        r->unplaced = llround(w);
    }
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
    "n_probe, n_schedule, n_cpu, n_concurrency, n_file, errors, error_pct, approximate) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char level_stats_sql_old[] =
    "INSERT INTO level_stats (run_id, level, n, mean_ms, variance_ms2, stddev_ms, min_ms, p50_ms, "
    "p90_ms, p95_ms, p99_ms, max_ms, pct_over_endurance, cv, p999_ms, pct_le_50, mean_ci_lo, "
    "mean_ci_hi, p50_ci_lo, p50_ci_hi, p95_ci_lo, p95_ci_hi, p99_ci_lo, p99_ci_hi, level_source, "
    "n_probe, n_schedule, n_cpu) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* One level's delays as statistics see them: sorted values and, for
 * weighted samples, the running sums of their weights. */
typedef struct level_view {
    const double *x;
    const double *cum; /* NULL: each value counts once */
    size_t n;          /* values */
    double total;      /* observations */
} level_view;

static double view_percentile(const level_view *v, unsigned per_10000)
{
    return v->cum ? stats_wpercentile(v->x, v->cum, v->n, per_10000)
                  : stats_percentile(v->x, v->n, per_10000);
}

static double view_count_le(const level_view *v, double x)
{
    return v->cum ? stats_wcount_le(v->x, v->cum, v->n, x) : (double)stats_count_le(v->x, v->n, x);
}

/* Sorts a level's samples and makes its view; weights become running sums
 * after the mean and variance are taken from them. */
static level_view make_view(double *x, double *w, size_t n, double *mean, double *variance)
{
    level_view v = {x, NULL, n, (double)n};
    *mean = *variance = NAN;
    if (w) {
        stats_wsort(x, w, n);
        if (n)
            stats_wmean_variance(x, w, n, mean, variance);
        stats_cumulate(w, n);
        v.cum = w;
        v.total = n ? w[n - 1] : 0;
    } else {
        stats_sort(x, n);
        if (n)
            stats_mean_variance(x, n, mean, variance);
    }
    return v;
}

/* Stores the level's quantile curve (see 004_quantiles.sql). */
static int write_quantiles(sqlite3 *db, const run_data *r, size_t level, const level_view *v,
                           diag_list *diags)
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
        sqlite3_bind_double(st, 4, view_percentile(v, q));
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
    size_t first = r->level_start[level];
    size_t count = r->level_start[level + 1] - first;
    level_result *lr = &r->levels[level];
    double mean, variance;
    level_view v = make_view(r->delay + first, r->weight ? r->weight + first : NULL, count, &mean,
                             &variance);
    double total = v.total;
    bool some = v.n > 0 && total > 0;
    bool exact_mean = lr->exact_count > 0;
    if (exact_mean) {
        /* A tool's exact mean over its requests; the spread of single
         * requests is not known. */
        mean = lr->exact_sum / lr->exact_count;
        variance = NAN;
    }
    double n_obs = lr->aggregate_only || (exact_mean && !some) ? lr->exact_count : total;
    double sd = n_obs > 1 && isfinite(variance) ? sqrt(variance) : NAN;
    double pct[5], lo[3], hi[3];
    static const unsigned ps[5] = {P50, P90, P95, P99, P999};
    for (int k = 0; k < 5; k++)
        pct[k] = some ? view_percentile(&v, ps[k]) : NAN;
    static const unsigned ci_ps[3] = {P50, P95, P99};
    for (int k = 0; k < 3; k++) {
        if (lr->approx)
            lo[k] = hi[k] = NAN; /* no interval from values that are not single samples */
        else if (v.cum)
            stats_wpercentile_ci(v.x, v.cum, v.n, ci_ps[k], &lo[k], &hi[k]);
        else
            stats_percentile_ci(v.x, v.n, ci_ps[k], &lo[k], &hi[k]);
    }
    double mean_lo = NAN, mean_hi = NAN;
    if (!lr->approx)
        stats_mean_ci(mean, sd, (size_t)llround(total), &mean_lo, &mean_hi);
    lr->p95 = pct[2];
    lr->observations = llround(n_obs);
    double share = some ? 100.0 / total : NAN;
    int status_of_quantiles, c = 1;
    sqlite3_bind_int64(st, c++, r->run_id);
    sqlite3_bind_int64(st, c++, (sqlite3_int64)level);
    sqlite3_bind_int64(st, c++, llround(n_obs));
    bind_or_null(st, c++, n_obs > 0 ? mean : NAN);
    bind_or_null(st, c++, n_obs > 1 ? variance : NAN);
    bind_or_null(st, c++, sd);
    bind_or_null(st, c++, some ? v.x[0] : NAN);
    for (int k = 0; k < 4; k++)
        bind_or_null(st, c++, pct[k]);
    bind_or_null(st, c++, some ? v.x[v.n - 1] : NAN);
    bind_or_null(st, c++, share * (total - view_count_le(&v, s->endurance_ms)));
    bind_or_null(st, c++, n_obs > 1 && mean > 0 ? sd / mean : NAN);
    bind_or_null(st, c++, pct[4]);
    bind_or_null(st, c++, share * view_count_le(&v, 50));
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
    if (n_obs > 0)
        sqlite3_bind_text(st, c++, method_names[method], -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, c++);
    for (int m = 0; m < BY_CONCURRENCY; m++)
        sqlite3_bind_int64(st, c++, lr->by[m]);
    if (r->version >= 6) {
        sqlite3_bind_int64(st, c++, lr->by[BY_CONCURRENCY]);
        sqlite3_bind_int64(st, c++, lr->by[BY_FILE]);
        sqlite3_bind_int64(st, c++, lr->errors);
        double base = s->include_failures || lr->approx ? n_obs : n_obs + (double)lr->errors;
        bind_or_null(st, c++, base > 0 ? 100.0 * (double)lr->errors / base : NAN);
        sqlite3_bind_int(st, c++, lr->approx);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot store statistics");

    if (some && (status_of_quantiles = write_quantiles(db, r, level, &v, diags)))
        return status_of_quantiles;
    double *counts = xcalloc(s->edge_count + 1, sizeof *counts);
    if (v.cum) {
        stats_wbuckets(v.x, v.cum, v.n, s->edges, s->edge_count, counts);
    } else {
        long long *whole = xcalloc(s->edge_count + 1, sizeof *whole);
        stats_buckets(v.x, v.n, s->edges, s->edge_count, whole);
        for (size_t b = 0; b <= s->edge_count; b++)
            counts[b] = (double)whole[b];
        free(whole);
    }
    int status = STATUS_OK;
    for (size_t b = 0; b <= s->edge_count && !status; b++) {
        sqlite3_bind_int64(bucket_stmt, 1, r->run_id);
        sqlite3_bind_int64(bucket_stmt, 2, (sqlite3_int64)level);
        sqlite3_bind_int64(bucket_stmt, 3, (sqlite3_int64)b);
        sqlite3_bind_int64(bucket_stmt, 4, llround(counts[b]));
        sqlite3_bind_double(bucket_stmt, 5, some ? 100.0 * counts[b] / total : 0.0);
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
        long long placed = lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] +
                           lr->by[BY_CONCURRENCY] + lr->by[BY_FILE] + lr->errors;
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
    long long placed = 0; /* observations in the levels' distributions */
    for (size_t l = 0; l < r->level_count; l++)
        placed += r->levels[l].observations;
    sqlite3_bind_int64(st, c++, placed);
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
        if (lr->by[BY_PROBE] + lr->by[BY_SCHEDULE] + lr->by[BY_CPU] + lr->by[BY_CONCURRENCY] +
                lr->by[BY_FILE] + lr->errors ==
            0)
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
    if (status || r->version < 6)
        return status;
    if (store_prepare(db, "UPDATE analysis SET ramp = ?, excluded = ?, errors = ? WHERE run_id = ?",
                      &st, diags))
        return STATUS_FAILURE;
    long long errors = 0;
    for (size_t l = 0; l < r->level_count; l++)
        errors += r->levels[l].errors;
    sqlite3_bind_int64(st, 1, r->ramp);
    sqlite3_bind_int64(st, 2, r->excluded_role + r->excluded_label);
    sqlite3_bind_int64(st, 3, errors);
    sqlite3_bind_int64(st, 4, r->run_id);
    status = sqlite3_step(st) == SQLITE_DONE ? STATUS_OK
                                             : store_fail(db, diags, "cannot store the analysis");
    sqlite3_finalize(st);
    return status;
}

/* Stores where every sample went (placement). */
static int write_placement(sqlite3 *db, const run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO placement (run_id, first_sample, last_sample, level, state, "
                      "method) VALUES (?,?,?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < r->span_count && !status; i++) {
        const span *p = &r->spans[i];
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, p->first);
        sqlite3_bind_int64(st, 3, p->last);
        if (p->level >= 0)
            sqlite3_bind_int(st, 4, p->level);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_text(st, 5, state_names[p->state], -1, SQLITE_STATIC);
        if (p->method >= 0)
            sqlite3_bind_text(st, 6, method_names[p->method], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 6);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store where samples were placed");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

/* Replaces the run's level names with the plateaus found. */
static int write_level_names(sqlite3 *db, const run_data *r, diag_list *diags)
{
    sqlite3_stmt *st;
    if (store_prepare(db, "DELETE FROM run_level WHERE run_id = ?", &st, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(st, 1, r->run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot store the levels found");
    if (store_prepare(db, "INSERT INTO run_level (run_id, level, name) VALUES (?, ?, ?)", &st,
                      diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t l = 0; l < r->level_count && !status; l++) {
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)l);
        sqlite3_bind_text(st, 3, r->level_names[l], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store the levels found");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

/* A label's samples within one level: successes, failures, their delays. */
typedef struct label_group {
    size_t start, count;  /* into the level's scratch arrays */
    long long errors;
} label_group;

/* Statistics of one level's samples per label (label_stats). */
static int write_level_labels(sqlite3 *db, sqlite3_stmt *st, const run_data *r, size_t level,
                              diag_list *diags)
{
    size_t ranges[2][2] = {
        {r->level_start[level], r->level_start[level + 1]},
        {r->level_start[r->level_count + 1 + level], r->level_start[r->level_count + 2 + level]}};
    size_t total = ranges[0][1] - ranges[0][0] + ranges[1][1] - ranges[1][0];
    if (total == 0)
        return STATUS_OK;
    size_t labels = r->labels.count ? r->labels.count : 1;
    label_group *g = xcalloc(labels, sizeof *g);
    for (int k = 0; k < 2; k++)
        for (size_t i = ranges[k][0]; i < ranges[k][1]; i++) {
            uint32_t id = r->label_of[i];
            if (r->delay[i] < 0)
                g[id].errors++;
            else
                g[id].count++;
        }
    size_t at = 0;
    for (size_t id = 0; id < labels; id++) {
        g[id].start = at;
        at += g[id].count;
    }
    double *x = xreallocarray(NULL, at + 1, sizeof *x);
    double *w = r->weight ? xreallocarray(NULL, at + 1, sizeof *w) : NULL;
    size_t *fill = xcalloc(labels, sizeof *fill);
    for (int k = 0; k < 2; k++)
        for (size_t i = ranges[k][0]; i < ranges[k][1]; i++) {
            uint32_t id = r->label_of[i];
            if (r->delay[i] < 0)
                continue;
            size_t j = g[id].start + fill[id]++;
            x[j] = r->delay[i];
            if (w)
                w[j] = r->weight[i];
        }
    int status = STATUS_OK;
    for (size_t id = 0; id < labels && !status; id++) {
        if (g[id].count == 0 && g[id].errors == 0)
            continue;
        double mean, variance;
        level_view v = make_view(x + g[id].start, w ? w + g[id].start : NULL, g[id].count, &mean,
                                 &variance);
        const char *name = r->labels.count ? r->labels.names[id] : "";
        sqlite3_bind_int64(st, 1, r->run_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)level);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, label_in_probe(&r->settings, id ? name : NULL));
        sqlite3_bind_int64(st, 5, llround(v.total));
        sqlite3_bind_int64(st, 6, g[id].errors);
        bind_or_null(st, 7, v.n ? mean : NAN);
        bind_or_null(st, 8, v.n ? view_percentile(&v, P50) : NAN);
        bind_or_null(st, 9, v.n ? view_percentile(&v, P95) : NAN);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store label statistics");
        sqlite3_reset(st);
    }
    free(fill);
    free(w);
    free(x);
    free(g);
    return status;
}

static int write_labels(sqlite3 *db, const run_data *r, diag_list *diags)
{
    if (!r->label_of)
        return STATUS_OK;
    sqlite3_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO label_stats (run_id, level, label, in_probe, n, errors, "
                      "mean_ms, p50_ms, p95_ms) VALUES (?,?,?,?,?,?,?,?,?)",
                      &st, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t l = 0; l < r->level_count && !status; l++)
        status = write_level_labels(db, st, r, l, diags);
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
        "DELETE FROM analysis_note WHERE run_id = ?", "DELETE FROM analysis WHERE run_id = ?",
        "DELETE FROM placement WHERE run_id = ?",    "DELETE FROM label_stats WHERE run_id = ?"};
    size_t clears = sizeof clear / sizeof *clear - (r->version >= 6 ? 0 : 2);
    if (store_exec(db, "BEGIN IMMEDIATE", diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    sqlite3_stmt *stats_stmt = NULL, *bucket_stmt = NULL, *stmt = NULL;
    if (r->derived_levels)
        status = write_level_names(db, r, diags);
    for (size_t i = 0; i < clears && !status; i++) {
        if ((status = store_prepare(db, clear[i], &stmt, diags)))
            break;
        sqlite3_bind_int64(stmt, 1, r->run_id);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot clear old results");
        sqlite3_finalize(stmt);
    }
    if (status || (status = write_buckets(db, r, diags)) ||
        (r->version >= 6 && (status = write_labels(db, r, diags))) ||
        (status = store_prepare(db, r->version >= 6 ? level_stats_sql : level_stats_sql_old,
                                &stats_stmt, diags)) ||
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
    if (!status && r->version >= 6)
        status = write_placement(db, r, diags);
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
    if (r->unplaced && r->by_concurrency)
        note(r, DIAG_WARNING,
             "%lld samples have no level: their source gives no concurrency for them; they are "
             "left out of every statistic",
             r->unplaced);
    else if (r->unplaced)
        note(r, DIAG_WARNING,
             "%lld samples have no level: their probe logs do not say, no schedule.csv covers "
             "them and %s; they are left out of every statistic",
             r->unplaced,
             r->settings.threshold_count == 0 ? "the run has no CPU thresholds for its levels"
             : r->host.n + r->guest.n == 0    ? "the run has no CPU counter to place them by"
                                              : "no CPU counter row covers their time");
    if (r->ramp)
        note(r, DIAG_NOTE,
             "%lld samples were taken while the load moved between levels (ramp) and are left "
             "out of every statistic",
             r->ramp);
    if (r->failed)
        note(r, DIAG_NOTE,
             "%lld failed samples are counted as errors per level and left out of the delay "
             "distributions (include_failures = yes, or --include-failures, counts them)",
             r->failed);
    if (r->excluded_role)
        note(r, DIAG_NOTE,
             r->settings.transactions
                 ? "%lld samples that are not transactions are left out (probe = transactions)"
                 : "%lld sub-results and transaction rows are left out: their time is already in "
                   "the samples they belong to (probe = transactions uses the transactions)",
             r->excluded_role);
    if (r->excluded_label)
        note(r, DIAG_NOTE,
             "%lld samples whose label is not in the probe's labels (%s) are left out; p3 labels "
             "lists every label",
             r->excluded_label, r->settings.labels);
    for (size_t i = 0; i < r->approx_file_count; i++)
        note(r, DIAG_WARNING,
             "'%s' holds window means, not single samples (fio log_avg_msec): the levels it "
             "feeds show the distribution of those means",
             r->approx_files[i]);
    bool aggregates = false, cumulative = false;
    for (size_t l = 0; l < r->level_count; l++) {
        aggregates |= r->levels[l].exact_count > 0;
        cumulative |= r->levels[l].aggregate_only;
    }
    if (cumulative)
        note(r, DIAG_WARNING,
             "the run's aggregates carry percentiles cumulative since the start of the test, "
             "not per interval: its levels have counts, errors and exact means but no "
             "distribution");
    else if (aggregates)
        note(r, DIAG_WARNING,
             "the run's distributions are approximated from the load tool's own per-interval "
             "percentiles (rounded, failures included), not single samples");
}

static int analyze_run(sqlite3 *db, run_data *r, const analyze_options *opts, bool *recomputed,
                       diag_list *diags)
{
    char digest[65];
    *recomputed = false;
    r->notes = diag_list_new();
    if (load_level_names(db, r, diags) ||
        run_settings_load(db, r->run_id, r->name, r->level_count, opts, &r->settings, r->notes) ||
        load_schedule(db, r, diags) || choose_source(db, r, diags) ||
        input_digest(db, r, digest, diags))
        return STATUS_FAILURE;
    if (results_stand(db, r->run_id, digest))
        return STATUS_OK;
    if (find_levels(db, r, diags))
        return STATUS_FAILURE;
    r->levels = xcalloc(r->level_count + 1, sizeof *r->levels);
    if (load_series(db, r) || load_samples(db, r, diags) || load_aggregates(db, r, diags))
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

/* Comparisons work on single observations: writes weighted samples out,
 * as long as that stays within memory a comparison can take. */
static int expand_weights(run_data *r, diag_list *diags)
{
    static const double limit = 50e6;
    double total = 0;
    for (size_t i = 0; i < r->level_start[r->level_count]; i++)
        total += r->weight[i];
    for (size_t l = 0; l < r->level_count; l++)
        if (r->levels[l].exact_count > 0) {
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "run '%s' has levels approximated from a load tool's percentiles; they "
                     "cannot be compared sample by sample",
                     r->name);
            return STATUS_BAD_INPUT;
        }
    if (total > limit) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 "run '%s' holds %.0f observations in histograms, more than the %.0f a "
                 "comparison writes out",
                 r->name, total, limit);
        return STATUS_BAD_INPUT;
    }
    size_t n = (size_t)llround(total);
    double *delay = xreallocarray(NULL, n + 1, sizeof *delay);
    size_t *start = xcalloc(2 * r->level_count + 2, sizeof *start);
    size_t at = 0;
    for (size_t l = 0; l < r->level_count; l++) {
        start[l] = at;
        for (size_t i = r->level_start[l]; i < r->level_start[l + 1]; i++)
            for (long long k = llround(r->weight[i]); k > 0 && at < n; k--)
                delay[at++] = r->delay[i];
    }
    for (size_t g = r->level_count; g < 2 * r->level_count + 2; g++)
        start[g] = at;
    free(r->delay);
    free(r->level_start);
    r->delay = delay;
    r->level_start = start;
    return STATUS_OK;
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
        load_schedule(db, &r, diags) || choose_source(db, &r, diags) ||
        find_levels(db, &r, diags))
        status = STATUS_FAILURE;
    if (!status) {
        free(r.levels);
        r.levels = xcalloc(r.level_count + 1, sizeof *r.levels);
    }
    if (!status &&
        (load_series(db, &r) || load_samples(db, &r, diags) || load_aggregates(db, &r, diags)))
        status = STATUS_FAILURE;
    if (!status) {
        group_by_level(&r);
        if (r.weight && expand_weights(&r, diags))
            status = STATUS_BAD_INPUT;
    }
    if (!status) {
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
