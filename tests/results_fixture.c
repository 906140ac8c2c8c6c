#include "results_fixture.h"

#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

static const char *const paper_levels[] = {"None", "Low", "Medium", "Busy", "Maximum", "Overload"};

/* 2005-03-01T10:00:00Z, the first sample of every run; a run lasts 3 h. */
#define FIRST_NS 1109671200000000000LL
#define SPAN_NS 10800000000000LL

fixture_run fixture_default(const char *name)
{
    return (fixture_run){.name = name, .empty_level = -1, .single_level = -1};
}

static size_t level_count(const fixture_run *r)
{
    return r->levels ? r->levels : 6;
}

static size_t edge_count(const fixture_run *r)
{
    return r->edges ? r->edges : 10;
}

static long long level_n(const fixture_run *r, size_t j)
{
    if ((int)j == r->empty_level)
        return 0;
    if ((int)j == r->single_level)
        return 1;
    return r->n ? r->n : 400;
}

double fixture_p50(const fixture_run *r, size_t j)
{
    double over = r->all_overflow ? 200.0 * (double)edge_count(r) + 500 : 0;
    return over + 20 + 300 * (double)j;
}

static void exec(sqlite3 *db, char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "fixture SQL failed: %s\n%s", err ? err : "?", sql);
    sqlite3_free(err);
    sqlite3_free(sql);
}

/* NULL or the number, for SQL. */
static char *num(double v)
{
    return isfinite(v) ? sqlite3_mprintf("%.17g", v) : sqlite3_mprintf("NULL");
}

static void add_level_stats(sqlite3 *db, int id, const fixture_run *r, size_t j)
{
    long long n = level_n(r, j);
    double p50 = fixture_p50(r, j);
    bool one = n == 1;
    /* mean, sd, min, p50, p90, p95, p99, p99.9 and max as multiples of p50 */
    static const double k[] = {1.1, 0.5, 0.2, 1, 1.6, 1.8, 2.2, 2.5, 3};
    double v[9];
    for (int i = 0; i < 9; i++)
        v[i] = n == 0 ? NAN : one ? (i == 1 ? NAN : p50) : p50 * k[i];
    double ci = n >= 100 ? 0.08 : NAN;
    double p95 = v[5];
    char *s[] = {num(v[0]), num(v[1]), num(v[2]), num(v[3]), num(v[4]), num(v[5]),
                 num(v[6]), num(v[7]), num(v[8]), num(v[0] * (1 - ci)), num(v[0] * (1 + ci)),
                 num(v[3] * (1 - ci)), num(v[3] * (1 + ci)), num(p95 * (1 - ci)),
                 num(p95 * (1 + ci)), num(v[6] * (1 - ci)), num(v[6] * (1 + ci)),
                 num(n ? (p95 > 1000 ? 10.0 : 0.0) : NAN)};
    exec(db, sqlite3_mprintf(
                 "INSERT INTO level_stats (run_id, level, n, mean_ms, stddev_ms, min_ms, p50_ms, "
                 "p90_ms, p95_ms, p99_ms, p999_ms, max_ms, mean_ci_lo, mean_ci_hi, p50_ci_lo, "
                 "p50_ci_hi, p95_ci_lo, p95_ci_hi, p99_ci_lo, p99_ci_hi, pct_over_endurance, "
                 "level_source, variance_ms2) VALUES (%d, %d, %lld, %s, %s, %s, %s, %s, %s, %s, "
                 "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'probe', NULL)",
                 id, (int)j, n, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10],
                 s[11], s[12], s[13], s[14], s[15], s[16], s[17]));
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        sqlite3_free(s[i]);
    if (n == 0)
        return;
    /* The quantile curve through min, p50, p90, p95, p99, p99.9 and max. */
    const double qs[] = {0, 50, 90, 95, 99, 99.9, 100};
    const double at[] = {v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
    int points[104];
    size_t count = 0;
    for (int q = 0; q <= 9900; q += 100)
        points[count++] = q;
    points[count++] = 9950, points[count++] = 9990, points[count++] = 9999;
    points[count++] = 10000;
    for (size_t p = 0; p < count; p++) {
        int q = points[p];
        double share = q / 100.0, value = at[6];
        for (int i = 0; i + 1 < 7; i++)
            if (share <= qs[i + 1]) {
                value = at[i] + (at[i + 1] - at[i]) * (share - qs[i]) / (qs[i + 1] - qs[i]);
                break;
            }
        exec(db, sqlite3_mprintf("INSERT INTO level_quantile VALUES (%d, %d, %d, %.17g)", id,
                                 (int)j, q, value));
    }
}

static void add_level_buckets(sqlite3 *db, int id, const fixture_run *r, size_t j)
{
    long long n = level_n(r, j);
    size_t edges = edge_count(r), levels = level_count(r);
    double pct[64] = {0}, sum = 0;
    double centre = (double)j * (double)(edges - 1) / (double)(levels > 1 ? levels - 1 : 1);
    for (size_t k = 0; k <= edges; k++) {
        if (r->all_overflow)
            pct[k] = k == edges ? 1 : 0;
        else
            pct[k] = exp(-fabs((double)k - centre));
        sum += pct[k];
    }
    for (size_t k = 0; k <= edges; k++) {
        double share = n ? 100 * pct[k] / sum : 0;
        exec(db, sqlite3_mprintf("INSERT INTO level_bucket VALUES (%d, %d, %d, %lld, %.17g)",
                                 id, (int)j, (int)k, llround(share * (double)n / 100), share));
    }
}

static void add_level_cpu(sqlite3 *db, int id, const fixture_run *r, size_t j)
{
    double host = fmin(8 + 15 * (double)j, 50), guest = fmin(3 + 20 * (double)j, 100);
    bool untrusted = r->cpu && guest - host > 10;
    char *h = num(r->cpu ? host : NAN), *g = num(r->cpu || r->guest_only ? guest : NAN);
    char *u = num(r->cpu ? fmax(host - 5, 0) : NAN), *d = num(r->cpu ? guest - host : NAN);
    exec(db, sqlite3_mprintf("INSERT INTO level_cpu (run_id, level, seconds, host_cpu_pct, "
                             "guest_cpu_pct, discrepancy_pct, guest_untrusted, useful_cpu_pct) "
                             "VALUES (%d, %d, 600, %s, %s, %s, %d, %s)",
                             id, (int)j, h, g, d, untrusted, u));
    sqlite3_free(h), sqlite3_free(g), sqlite3_free(u), sqlite3_free(d);
}

static void add_run(sqlite3 *db, int id, const fixture_run *r)
{
    size_t levels = level_count(r), edges = edge_count(r);
    ck_assert(levels >= 1 && levels <= FIXTURE_MAX_LEVELS && edges < 60);
    exec(db, sqlite3_mprintf("INSERT INTO run (run_id, name, title, folder, host, guest, "
                             "platform, notes) VALUES (%d, %Q, %Q, %Q, 'LABHOST01', "
                             "'W2K-GUEST08', 'Microsoft Virtual Server 1.1 EE', "
                             "'Fixture run for the render tests.')",
                             id, r->name, r->title ? r->title : r->name, r->folder));
    exec(db, sqlite3_mprintf("INSERT INTO run_meta VALUES (%d, 'operator', 'J. Doe')", id));
    long long samples = 0;
    int onset = -1;
    for (size_t j = 0; j < levels; j++) {
        const char *name = r->level_names ? r->level_names[j] : j < 6 ? paper_levels[j] : NULL;
        char fallback[16];
        snprintf(fallback, sizeof fallback, "L%zu", j + 1);
        exec(db, sqlite3_mprintf("INSERT INTO run_level VALUES (%d, %d, %Q)", id, (int)j,
                                 name ? name : fallback));
        samples += level_n(r, j);
        if (onset < 0 && level_n(r, j) > 0 &&
            fixture_p50(r, j) * (level_n(r, j) == 1 ? 1 : 1.8) > 1000)
            onset = (int)j;
    }
    char onset_sql[16] = "NULL";
    if (onset >= 0)
        snprintf(onset_sql, sizeof onset_sql, "%d", onset);
    exec(db, sqlite3_mprintf(
                 "INSERT INTO analysis (run_id, input_digest, endurance_ms, samples, unplaced, "
                 "vcpus, native, overhead_pct, overhead_assumed, overhead_method, guest_untrusted, "
                 "onset_margin_ms, onset_endurance_level, onset_cpu_source, first_ns, last_ns) "
                 "VALUES (%d, 'fixture', 1000, %lld, 0, 1, 0, 5, 1, 'assumed: 5 %% of a CPU', %d, "
                 "250, %s, 'host', %lld, %lld)",
                 id, samples, r->cpu, onset_sql,
                 FIRST_NS + (long long)(id - 1) * 86400000000000LL,
                 FIRST_NS + (long long)(id - 1) * 86400000000000LL + SPAN_NS));
    if (r->cpu)
        exec(db, sqlite3_mprintf("INSERT INTO analysis_note VALUES (%d, 0, 'warning', "
                                 "'guest counters over-report by more than 10 points')",
                                 id));
    if (r->no_results)
        return;
    for (size_t k = 0; k <= edges; k++) {
        double upper = 50 + 200 * (double)k;
        if (k < edges)
            exec(db, sqlite3_mprintf("INSERT INTO bucket VALUES (%d, %d, %g, '%g')", id, (int)k,
                                     upper, upper));
        else
            exec(db, sqlite3_mprintf("INSERT INTO bucket VALUES (%d, %d, NULL, '>%g')", id, (int)k,
                                     upper - 200));
    }
    for (size_t j = 0; j < levels; j++) {
        add_level_stats(db, id, r, j);
        add_level_buckets(db, id, r, j);
        add_level_cpu(db, id, r, j);
    }
}

void fixture_store(const char *path, const fixture_run *runs, size_t count)
{
    sqlite3 *db;
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, diags), STATUS_OK);
    diag_list_free(diags);
    exec(db, sqlite3_mprintf("BEGIN"));
    for (size_t i = 0; i < count; i++)
        add_run(db, (int)i + 1, &runs[i]);
    exec(db, sqlite3_mprintf("COMMIT"));
    store_close(db);
}
