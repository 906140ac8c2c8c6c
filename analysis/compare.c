#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compare_stats.h"
#include "sha256.h"
#include "stats.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

/* Percentiles of a side, in 1/10000. */
enum { P50 = 5000, P90 = 9000, P95 = 9500, P99 = 9900 };

/* The two sides of a comparison, as comparison_side.side names them. */
enum { BASELINE, OTHER, SIDES };
static const char *const side_names[SIDES] = {"baseline", "other"};

/* One run's own statistics at a level, for the charts. */
typedef struct side_stats {
    bool present;        /* the run has the level */
    size_t n;
    double mean, mean_lo, mean_hi;
    double p50, p50_lo, p50_hi, p90, p95, p95_lo, p95_hi, p99, p99_lo, p99_hi;
    double pct_over;     /* % over the endurance line */
    long long *counts;   /* per bucket: edge_count + 1, owned; NULL when not present */
} side_stats;

/* One level of a comparison. */
typedef struct level_comparison {
    char *name;                  /* owned */
    side_stats side[SIDES];
} level_comparison;

/* One OTHER run against the baseline, computed before anything is written. */
typedef struct comparison {
    const compare_source *other;
    char *other_title;           /* owned */
    long long other_unplaced;
    size_t level_count;
    level_comparison *levels;    /* level_count, owned */
    compare_stats_result *results; /* level_count, beside levels: Holm works on an array */
    char *summary;               /* owned */
} comparison;

/* The baseline as every comparison uses it. */
typedef struct baseline {
    const compare_source *source;
    char *title;                 /* owned */
    analyze_levels levels;       /* its samples, bucket edges and endurance line */
} baseline;

static void comparison_clear(comparison *c)
{
    for (size_t j = 0; j < c->level_count; j++) {
        free(c->levels[j].name);
        for (int s = 0; s < SIDES; s++)
            free(c->levels[j].side[s].counts);
    }
    free(c->levels);
    free(c->results);
    free(c->other_title);
    free(c->summary);
    memset(c, 0, sizeof *c);
}

/* ---- reading ---- */

/* The run's title (run.title, which every schema version has); the name
 * when there is none. Caller frees. */
static char *run_title(sqlite3 *db, const char *run)
{
    sqlite3_stmt *stmt = NULL;
    char *title = NULL;
    if (sqlite3_prepare_v2(db, "SELECT title FROM run WHERE name = ?", -1, &stmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, run, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
            title = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return title ? title : xstrdup(run);
}

/* Loads a source's levels. A run its store does not hold is reported
 * about the source, as the user named it. */
static int load(const compare_source *s, const analyze_options *opts, analyze_levels *levels,
                diag_list *diags)
{
    diag_list *own = diag_list_new();
    int status = analyze_load_levels(s->db, s->run, opts, levels, own);
    for (size_t i = 0; i < diag_list_count(own); i++) {
        const diag *d = diag_list_get(own, i);
        if (status == STATUS_BAD_INPUT)
            diag_add(diags, d->severity, s->origin, 0, 0, "no run named '%s' in the store",
                     s->run);
        else
            diag_add(diags, d->severity, d->path, d->line, d->col, "%s", d->message);
    }
    diag_list_free(own);
    return status;
}

/* ---- computing ---- */

/* The statistics of one side at a level it has, with the comparison's
 * edges and endurance line (setup's). */
static void side_compute(side_stats *s, const double *x, size_t n, const analyze_levels *setup)
{
    s->present = true;
    s->n = n;
    s->mean = s->mean_lo = s->mean_hi = NAN;
    s->p50 = s->p90 = s->p95 = s->p99 = s->pct_over = NAN;
    s->counts = xcalloc(setup->edge_count + 1, sizeof *s->counts);
    stats_buckets(x, n, setup->edges, setup->edge_count, s->counts);
    stats_percentile_ci(x, n, P50, &s->p50_lo, &s->p50_hi);
    stats_percentile_ci(x, n, P95, &s->p95_lo, &s->p95_hi);
    stats_percentile_ci(x, n, P99, &s->p99_lo, &s->p99_hi);
    if (n == 0)
        return;
    double variance;
    stats_mean_variance(x, n, &s->mean, &variance);
    stats_mean_ci(s->mean, n > 1 ? sqrt(variance) : NAN, n, &s->mean_lo, &s->mean_hi);
    s->p50 = stats_percentile(x, n, P50);
    s->p90 = stats_percentile(x, n, P90);
    s->p95 = stats_percentile(x, n, P95);
    s->p99 = stats_percentile(x, n, P99);
    s->pct_over = 100.0 * (double)(n - stats_count_le(x, n, setup->endurance_ms)) / (double)n;
}

/* Index of the level called name in l, ignoring ASCII case, or SIZE_MAX. */
static size_t find_level(const analyze_levels *l, const char *name)
{
    for (size_t j = 0; j < l->level_count; j++)
        if (strcasecmp(l->names[j], name) == 0)
            return j;
    return SIZE_MAX;
}

/* Compares one level: the baseline's level bj with the other's oj, either
 * SIZE_MAX when that run lacks it. */
static void compare_level(comparison *c, size_t at, const analyze_levels *b, size_t bj,
                          const analyze_levels *o, size_t oj)
{
    level_comparison *l = &c->levels[at];
    l->name = xstrdup(bj != SIZE_MAX ? b->names[bj] : o->names[oj]);
    const double *xb = NULL, *xo = NULL;
    size_t nb = 0, no = 0;
    if (bj != SIZE_MAX) {
        xb = b->delay + b->start[bj];
        nb = b->start[bj + 1] - b->start[bj];
        side_compute(&l->side[BASELINE], xb, nb, b);
    }
    if (oj != SIZE_MAX) {
        xo = o->delay + o->start[oj];
        no = o->start[oj + 1] - o->start[oj];
        side_compute(&l->side[OTHER], xo, no, b);
    }
    compare_stats_options opts = compare_stats_defaults();
    opts.endurance_ms = b->endurance_ms;
    compare_stats_level(xb, nb, xo, no, &opts, &c->results[at]);
}

/* Matches the levels of both runs (the baseline's in order, then those
 * only the other has) and compares each, then corrects across them. */
static void compare_levels(comparison *c, const analyze_levels *b, const analyze_levels *o)
{
    size_t only_other = 0;
    for (size_t j = 0; j < o->level_count; j++)
        only_other += find_level(b, o->names[j]) == SIZE_MAX;
    c->level_count = b->level_count + only_other;
    c->levels = xcalloc(c->level_count + 1, sizeof *c->levels);
    c->results = xcalloc(c->level_count + 1, sizeof *c->results);
    for (size_t j = 0; j < b->level_count; j++)
        compare_level(c, j, b, j, o, find_level(o, b->names[j]));
    size_t at = b->level_count;
    for (size_t j = 0; j < o->level_count; j++)
        if (find_level(b, o->names[j]) == SIZE_MAX)
            compare_level(c, at++, b, SIZE_MAX, o, j);
    compare_stats_holm(c->results, c->level_count, COMPARE_STATS_ALPHA);
}

/* The verdict as stored: compare_stats' words, or which run alone has the level. */
static const char *verdict_text(const comparison *c, size_t j)
{
    if (!c->levels[j].side[OTHER].present)
        return "only in baseline";
    if (!c->levels[j].side[BASELINE].present)
        return "only in other";
    return compare_stats_verdict_name(c->results[j].verdict);
}

/* ---- the summary line ---- */

/* A growing "; "-separated sentence. */
typedef struct sentence {
    char *text;
} sentence;

static void sentence_add(sentence *s, char *part)
{
    char *next = s->text ? xasprintf("%s; %s", s->text, part) : xstrdup(part);
    free(s->text);
    free(part);
    s->text = next;
}

/* "A, B, C": the levels both runs have whose verdict is v; NULL for none.
 * Caller frees. */
static char *names_with(const comparison *c, compare_stats_verdict v)
{
    char *list = NULL;
    for (size_t j = 0; j < c->level_count; j++) {
        const level_comparison *l = &c->levels[j];
        if (!l->side[BASELINE].present || !l->side[OTHER].present || c->results[j].verdict != v)
            continue;
        char *next = list ? xasprintf("%s, %s", list, l->name) : xstrdup(l->name);
        free(list);
        list = next;
    }
    return list;
}

/* Levels only one run has, named "only in <label>: A, B". */
static char *only_in(const comparison *c, int side, const char *label)
{
    char *list = NULL;
    for (size_t j = 0; j < c->level_count; j++) {
        const level_comparison *l = &c->levels[j];
        if (!l->side[side].present || l->side[1 - side].present)
            continue;
        char *next = list ? xasprintf("%s, %s", list, l->name) : xstrdup(l->name);
        free(list);
        list = next;
    }
    char *part = list ? xasprintf("only in %s: %s", label, list) : NULL;
    free(list);
    return part;
}

/* Where the levels without a significant difference lie: "below" when
 * they are exactly the levels lighter than the first that differs,
 * "above" when exactly those heavier than the last that differs; NULL
 * otherwise. */
static const char *same_where(const comparison *c)
{
    size_t first = SIZE_MAX, last = 0;
    for (size_t j = 0; j < c->level_count; j++) {
        compare_stats_verdict v = c->results[j].verdict;
        if (v == COMPARE_STATS_BETTER || v == COMPARE_STATS_WORSE) {
            first = first == SIZE_MAX ? j : first;
            last = j;
        }
    }
    bool below = first != SIZE_MAX, above = first != SIZE_MAX;
    for (size_t j = 0; j < c->level_count; j++) {
        bool same = c->results[j].verdict == COMPARE_STATS_NO_DIFFERENCE;
        if (same != (j < first))
            below = false;
        if (same != (j > last))
            above = false;
    }
    return below ? "below" : above ? "above" : NULL;
}

/* "better at A, B" for the levels both runs have whose verdict is v, or
 * "better at every level"; NULL when no level has it. Caller frees. */
static char *verdict_part(const comparison *c, compare_stats_verdict v, const char *words)
{
    size_t with = 0;
    for (size_t j = 0; j < c->level_count; j++)
        with += c->results[j].verdict == v;
    if (with == 0)
        return NULL;
    if (with == c->level_count && c->level_count > 1)
        return xasprintf("%s at every level", words);
    char *list = names_with(c, v);
    char *part = xasprintf("%s at %s", words, list);
    free(list);
    return part;
}

/* "better at Busy, Maximum, Overload; no significant difference below".
 * Caller frees. */
static char *summarize(const comparison *c, const char *baseline_label)
{
    sentence s = {NULL};
    size_t compared = 0, differ = 0;
    for (size_t j = 0; j < c->level_count; j++) {
        compare_stats_verdict v = c->results[j].verdict;
        compared += v != COMPARE_STATS_NOT_COMPARED;
        differ += v == COMPARE_STATS_BETTER || v == COMPARE_STATS_WORSE;
    }
    char *part;
    if ((part = verdict_part(c, COMPARE_STATS_BETTER, "better")))
        sentence_add(&s, part);
    if ((part = verdict_part(c, COMPARE_STATS_WORSE, "worse")))
        sentence_add(&s, part);
    if (compared > 0 && differ == 0) {
        sentence_add(&s, xstrdup(compared == c->level_count
                                     ? "no significant difference at any level"
                                     : "no significant difference where both runs have samples"));
    } else if (compared > differ) {
        const char *where = same_where(c);
        char *list = names_with(c, COMPARE_STATS_NO_DIFFERENCE);
        sentence_add(&s, where ? xasprintf("no significant difference %s", where)
                               : xasprintf("no significant difference at %s", list));
        free(list);
    }
    char *empty = names_with(c, COMPARE_STATS_NOT_COMPARED);
    if (empty)
        sentence_add(&s, xasprintf("not compared at %s (no samples)", empty));
    free(empty);
    if ((part = only_in(c, BASELINE, baseline_label)))
        sentence_add(&s, part);
    if ((part = only_in(c, OTHER, c->other->label)))
        sentence_add(&s, part);
    return s.text ? s.text : xstrdup("no level to compare");
}

/* ---- writing ---- */

/* Writes the comparisons, or (dry) only digests what it would write: a
 * store that already holds the very same comparisons is left untouched,
 * so that p3 report stays idempotent. Every value goes through the digest
 * as it is bound. */
typedef struct writer {
    sqlite3 *db;
    bool dry;            /* digest only: bind, never step */
    sha256 digest;       /* of every value bound */
    const char *set;     /* the digest's hex, bound into comparison.set_digest; NULL when dry */
    sqlite3_stmt *comparison, *bucket, *level, *side, *level_bucket;
} writer;

static void put_int(writer *w, sqlite3_stmt *st, int index, int64_t v)
{
    sha256_update(&w->digest, &v, sizeof v);
    sqlite3_bind_int64(st, index, v);
}

/* A double, NULL when not finite (NaN: undefined). */
static void put_real(writer *w, sqlite3_stmt *st, int index, double v)
{
    bool null = !isfinite(v);
    sha256_update(&w->digest, null ? (const void *)"\0null" : (const void *)&v,
                  null ? 5 : sizeof v);
    if (null)
        sqlite3_bind_null(st, index);
    else
        sqlite3_bind_double(st, index, v);
}

/* Text, NULL for NULL; borrowed until the statement is stepped. */
static void put_text(writer *w, sqlite3_stmt *st, int index, const char *s)
{
    sha256_update(&w->digest, s ? s : "\0null", s ? strlen(s) + 1 : 5);
    sqlite3_bind_text(st, index, s, -1, SQLITE_STATIC);
}

/* Steps an INSERT (unless dry) and resets it; STATUS_OK or store_fail(). */
static int insert(writer *w, sqlite3_stmt *st, diag_list *diags)
{
    int rc = w->dry ? SQLITE_DONE : sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(w->db, diags, "cannot store the comparison");
}

static const char *method_name(compare_stats_method m)
{
    return m == COMPARE_STATS_EXACT ? "exact" : m == COMPARE_STATS_ASYMPTOTIC ? "asymptotic" : NULL;
}

static void writer_close(writer *w)
{
    sqlite3_finalize(w->comparison);
    sqlite3_finalize(w->bucket);
    sqlite3_finalize(w->level);
    sqlite3_finalize(w->side);
    sqlite3_finalize(w->level_bucket);
}

static int writer_open(writer *w, sqlite3 *db, bool dry, diag_list *diags)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    w->dry = dry;
    sha256_init(&w->digest);
    if (store_prepare(db,
                      "INSERT INTO comparison (comparison_id, position, baseline, other, "
                      "baseline_run, other_run, baseline_title, other_title, baseline_source, "
                      "other_source, baseline_unplaced, other_unplaced, endurance_ms, replicates, "
                      "seed, alpha, summary, set_digest) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &w->comparison, diags) ||
        store_prepare(db,
                      "INSERT INTO comparison_bucket (comparison_id, bucket, upper_ms, label) "
                      "VALUES (?,?,?,?)",
                      &w->bucket, diags) ||
        store_prepare(db,
                      "INSERT INTO comparison_level (comparison_id, position, level, in_baseline, "
                      "in_other, n_baseline, n_other, diff_mean_ms, diff_mean_lo, diff_mean_hi, "
                      "welch_df, diff_p50_ms, diff_p50_lo, diff_p50_hi, diff_p95_ms, diff_p95_lo, "
                      "diff_p95_hi, diff_p99_ms, diff_p99_lo, diff_p99_hi, diff_pct_over, "
                      "diff_pct_over_lo, diff_pct_over_hi, mw_u, mw_p, mw_method, ks_d, ks_p, "
                      "ks_method, cliffs_delta, p_holm, verdict) VALUES "
                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &w->level, diags) ||
        store_prepare(db,
                      "INSERT INTO comparison_side (comparison_id, position, side, mean_ms, "
                      "mean_ci_lo, mean_ci_hi, p50_ms, p50_ci_lo, p50_ci_hi, p90_ms, p95_ms, "
                      "p95_ci_lo, p95_ci_hi, p99_ms, p99_ci_lo, p99_ci_hi, pct_over) VALUES "
                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &w->side, diags) ||
        store_prepare(db,
                      "INSERT INTO comparison_level_bucket (comparison_id, position, side, "
                      "bucket, count, pct) VALUES (?,?,?,?,?,?)",
                      &w->level_bucket, diags)) {
        writer_close(w);
        return STATUS_FAILURE;
    }
    return STATUS_OK;
}

static int write_buckets(writer *w, int64_t id, const analyze_levels *setup, diag_list *diags)
{
    int status = STATUS_OK;
    for (size_t k = 0; k <= setup->edge_count && !status; k++) {
        char label[48];
        if (k < setup->edge_count)
            snprintf(label, sizeof label, "%.15g", setup->edges[k]);
        else
            snprintf(label, sizeof label, ">%.15g", setup->edges[setup->edge_count - 1]);
        put_int(w, w->bucket, 1, id);
        put_int(w, w->bucket, 2, (int64_t)k);
        put_real(w, w->bucket, 3, k < setup->edge_count ? setup->edges[k] : NAN);
        put_text(w, w->bucket, 4, label);
        status = insert(w, w->bucket, diags);
    }
    return status;
}

/* One side's statistics and P3 at level position j. */
static int write_side(writer *w, int64_t id, size_t j, int side, const side_stats *s,
                      size_t bucket_count, diag_list *diags)
{
    sqlite3_stmt *st = w->side;
    int c = 1;
    put_int(w, st, c++, id);
    put_int(w, st, c++, (int64_t)j);
    put_text(w, st, c++, side_names[side]);
    const double values[] = {s->mean,   s->mean_lo, s->mean_hi, s->p50,    s->p50_lo,
                             s->p50_hi, s->p90,     s->p95,     s->p95_lo, s->p95_hi,
                             s->p99,    s->p99_lo,  s->p99_hi,  s->pct_over};
    for (size_t k = 0; k < sizeof values / sizeof *values; k++)
        put_real(w, st, c++, values[k]);
    int status = insert(w, st, diags);
    for (size_t k = 0; k < bucket_count && !status; k++) {
        put_int(w, w->level_bucket, 1, id);
        put_int(w, w->level_bucket, 2, (int64_t)j);
        put_text(w, w->level_bucket, 3, side_names[side]);
        put_int(w, w->level_bucket, 4, (int64_t)k);
        put_int(w, w->level_bucket, 5, s->counts[k]);
        put_real(w, w->level_bucket, 6, s->n ? 100.0 * (double)s->counts[k] / (double)s->n : 0.0);
        status = insert(w, w->level_bucket, diags);
    }
    return status;
}

static int write_level(writer *w, int64_t id, const comparison *c, size_t j, size_t bucket_count,
                       diag_list *diags)
{
    const level_comparison *l = &c->levels[j];
    const compare_stats_result *r = &c->results[j];
    sqlite3_stmt *st = w->level;
    int col = 1;
    put_int(w, st, col++, id);
    put_int(w, st, col++, (int64_t)j);
    put_text(w, st, col++, l->name);
    for (int s = 0; s < SIDES; s++)
        put_int(w, st, col++, l->side[s].present);
    for (int s = 0; s < SIDES; s++)
        put_real(w, st, col++, l->side[s].present ? (double)l->side[s].n : NAN);
    const compare_stats_diff *diffs[] = {&r->mean, &r->p50, &r->p95, &r->p99, &r->share_over};
    for (size_t k = 0; k < sizeof diffs / sizeof *diffs; k++) {
        put_real(w, st, col++, diffs[k]->diff);
        put_real(w, st, col++, diffs[k]->lo);
        put_real(w, st, col++, diffs[k]->hi);
        if (k == 0)
            put_real(w, st, col++, r->welch_df);
    }
    put_real(w, st, col++, r->mann_whitney.statistic);
    put_real(w, st, col++, r->mann_whitney.p);
    put_text(w, st, col++, method_name(r->mann_whitney.method));
    put_real(w, st, col++, r->ks.statistic);
    put_real(w, st, col++, r->ks.p);
    put_text(w, st, col++, method_name(r->ks.method));
    put_real(w, st, col++, r->cliffs_delta);
    put_real(w, st, col++, r->p_holm);
    put_text(w, st, col++, verdict_text(c, j));
    int status = insert(w, st, diags);
    for (int s = 0; s < SIDES && !status; s++)
        if (l->side[s].present)
            status = write_side(w, id, j, s, &l->side[s], bucket_count, diags);
    return status;
}

static int write_comparison(writer *w, const baseline *b, const comparison *c, size_t position,
                            diag_list *diags)
{
    sqlite3_stmt *st = w->comparison;
    /* Numbered from 1 in order, so that the same comparisons are the same rows. */
    int64_t id = (int64_t)position + 1;
    int col = 1;
    put_int(w, st, col++, id);
    put_int(w, st, col++, (int64_t)position);
    put_text(w, st, col++, b->source->label);
    put_text(w, st, col++, c->other->label);
    put_text(w, st, col++, b->source->run);
    put_text(w, st, col++, c->other->run);
    put_text(w, st, col++, b->title);
    put_text(w, st, col++, c->other_title);
    put_text(w, st, col++, b->source->origin);
    put_text(w, st, col++, c->other->origin);
    put_int(w, st, col++, b->levels.unplaced);
    put_int(w, st, col++, c->other_unplaced);
    put_real(w, st, col++, b->levels.endurance_ms);
    put_int(w, st, col++, COMPARE_STATS_REPLICATES);
    put_int(w, st, col++, (int64_t)COMPARE_STATS_SEED);
    put_real(w, st, col++, COMPARE_STATS_ALPHA);
    put_text(w, st, col++, c->summary);
    sqlite3_bind_text(st, col++, w->set, -1, SQLITE_STATIC);
    int status = insert(w, st, diags);
    if (!status)
        status = write_buckets(w, id, &b->levels, diags);
    size_t bucket_count = b->levels.edge_count + 1;
    for (size_t j = 0; j < c->level_count && !status; j++)
        status = write_level(w, id, c, j, bucket_count, diags);
    return status;
}

/* One pass of the writer over every comparison; *hex gets the digest. */
static int write_pass(sqlite3 *out, bool dry, const char *set, const baseline *b,
                      const comparison *list, size_t count, char hex[65], diag_list *diags)
{
    writer w;
    if (writer_open(&w, out, dry, diags))
        return STATUS_FAILURE;
    w.set = set;
    int status = STATUS_OK;
    for (size_t i = 0; i < count && !status; i++)
        status = write_comparison(&w, b, &list[i], i, diags);
    writer_close(&w);
    sha256_final_hex(&w.digest, hex);
    return status;
}

/* Whether the store holds exactly the count comparisons of the set whose
 * digest is hex. */
static bool holds_set(sqlite3 *out, const char *hex, size_t count)
{
    sqlite3_stmt *stmt = NULL;
    bool same = false;
    if (sqlite3_prepare_v2(out, "SELECT count(*), coalesce(sum(set_digest = ?), 0) FROM comparison",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_STATIC);
        same = sqlite3_step(stmt) == SQLITE_ROW &&
               sqlite3_column_int64(stmt, 0) == (sqlite3_int64)count &&
               sqlite3_column_int64(stmt, 1) == (sqlite3_int64)count;
    }
    sqlite3_finalize(stmt);
    return same;
}

int compare_clear(sqlite3 *out, diag_list *diags)
{
    sqlite3_stmt *stmt = NULL;
    bool any = sqlite3_prepare_v2(out, "SELECT 1 FROM comparison LIMIT 1", -1, &stmt, NULL) ==
                   SQLITE_OK &&
               sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    /* A store without comparisons is not written at all. */
    if (!any)
        return STATUS_OK;
    return store_exec(out,
                      "DELETE FROM comparison_level_bucket; DELETE FROM comparison_side; "
                      "DELETE FROM comparison_level; DELETE FROM comparison_bucket; "
                      "DELETE FROM comparison;",
                      diags);
}

/* Replaces the store's comparisons with these, all or nothing; a store
 * that holds these very comparisons is not written. */
static int write_all(sqlite3 *out, const baseline *b, const comparison *list, size_t count,
                     diag_list *diags)
{
    char hex[65], written[65];
    if (write_pass(out, true, NULL, b, list, count, hex, diags))
        return STATUS_FAILURE;
    if (holds_set(out, hex, count))
        return STATUS_OK;
    if (store_exec(out, "SAVEPOINT compare", diags))
        return STATUS_FAILURE;
    int status = compare_clear(out, diags);
    if (!status)
        status = write_pass(out, false, hex, b, list, count, written, diags);
    if (status) {
        sqlite3_exec(out, "ROLLBACK TO compare; RELEASE compare", NULL, NULL, NULL);
        return status;
    }
    return store_exec(out, "RELEASE compare", diags);
}

int compare_runs(sqlite3 *out, const compare_source *sources, size_t count,
                 const analyze_options *opts, diag_list *diags)
{
    baseline b = {.source = &sources[0]};
    size_t others = count > 0 ? count - 1 : 0;
    comparison *list = xcalloc(others + 1, sizeof *list);
    int status = load(&sources[0], opts, &b.levels, diags);
    if (!status)
        b.title = run_title(sources[0].db, sources[0].run);
    /* One OTHER's samples at a time beside the baseline's. */
    for (size_t i = 0; i < others && !status; i++) {
        comparison *c = &list[i];
        analyze_levels o;
        c->other = &sources[i + 1];
        status = load(c->other, opts, &o, diags);
        if (status)
            break;
        c->other_title = run_title(c->other->db, c->other->run);
        c->other_unplaced = o.unplaced;
        compare_levels(c, &b.levels, &o);
        c->summary = summarize(c, sources[0].label);
        analyze_levels_clear(&o);
    }
    /* What is written needs the baseline's edges and line, not its samples. */
    free(b.levels.delay);
    b.levels.delay = NULL;
    if (!status)
        status = write_all(out, &b, list, others, diags);
    for (size_t i = 0; i < others; i++)
        comparison_clear(&list[i]);
    free(list);
    analyze_levels_clear(&b.levels);
    free(b.title);
    return status;
}
