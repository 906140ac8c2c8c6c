/* Descriptive statistics against an independent implementation: the
 * expected values were computed with NumPy 1.24 (Debian python3-numpy):
 * numpy.percentile (default 'linear', R type 7, the definition of Excel's
 * PERCENTILE.INC), numpy.mean, numpy.var/std with ddof=1 (Excel's VAR.S and
 * STDEV.S). Compared to 1e-12 relative. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "suites.h"
#include "xalloc.h"

typedef struct golden {
    const char *name;
    double values[1000];
    size_t n;
    double mean, variance;               /* variance NaN for n = 1 */
    double p50, p90, p95, p99, p999;
} golden;

static void check_close(const char *what, const char *name, double got, double want)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s %s: got %.17g, want NaN", name, what, got);
        return;
    }
    double tol = 1e-12 * fmax(1.0, fabs(want));
    ck_assert_msg(fabs(got - want) <= tol, "%s %s: got %.17g, want %.17g", name, what, got, want);
}

static void check_golden(golden *g)
{
    double *x = xmalloc(g->n * sizeof *x);
    memcpy(x, g->values, g->n * sizeof *x);
    stats_sort(x, g->n);
    for (size_t i = 1; i < g->n; i++)
        ck_assert_msg(x[i - 1] <= x[i], "%s not sorted at %zu", g->name, i);
    double mean, variance;
    stats_mean_variance(x, g->n, &mean, &variance);
    check_close("mean", g->name, mean, g->mean);
    check_close("variance", g->name, variance, g->variance);
    check_close("p50", g->name, stats_percentile(x, g->n, 5000), g->p50);
    check_close("p90", g->name, stats_percentile(x, g->n, 9000), g->p90);
    check_close("p95", g->name, stats_percentile(x, g->n, 9500), g->p95);
    check_close("p99", g->name, stats_percentile(x, g->n, 9900), g->p99);
    check_close("p99.9", g->name, stats_percentile(x, g->n, 9990), g->p999);
    free(x);
}

START_TEST(test_stats_match_numpy_on_ties_single_two_equal_and_extremes)
{
    static golden cases[] = {
        {"ties", {9, 2, 2, 7, 1, 2, 3, 9, 10, 15.5, 100}, 11, 14.590909090909092, 823.140909090909,
         7.0, 15.5, 57.75, 91.55000000000003, 99.15500000000017},
        {"single", {42.0}, 1, 42.0, NAN, 42.0, 42.0, 42.0, 42.0, 42.0},
        {"two", {20, 10}, 2, 15.0, 50.0, 15.0, 19.0, 19.5, 19.9, 19.990000000000002},
        {"equal", {5, 5, 5, 5, 5, 5, 5}, 7, 5.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0},
        {"extremes", {1e-9, 2.5e-9, 3600000, 3599999.999, 1e-6, 0}, 6, 1199999.9998335007,
         3455999999039.5176, 5.0125e-07, 3599999.9995, 3599999.99975, 3599999.99995,
         3599999.999995},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_golden(&cases[i]);
}
END_TEST

START_TEST(test_stats_match_numpy_on_a_ramp_of_1000)
{
    static golden ramp = {"ramp", {0}, 1000, 50.05, 834.1666666666667, 50.05, 90.01, 95.005,
                          99.001, 99.90010000000001};
    /* Reversed, so that the sort has work to do. */
    for (size_t i = 0; i < 1000; i++)
        ramp.values[i] = (double)(1000 - i) * 0.1;
    check_golden(&ramp);
}
END_TEST

START_TEST(test_stats_sort_orders_large_random_sets_with_negatives_and_zeros)
{
    size_t n = 200000;
    double *x = xmalloc(n * sizeof *x);
    uint64_t state = 7;
    for (size_t i = 0; i < n; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(state >> 11) / 9007199254740992.0;
        x[i] = i % 97 == 0 ? 0.0 : i % 89 == 0 ? -0.0 : (u - 0.3) * pow(10, (double)(i % 13) - 6);
    }
    stats_sort(x, n);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(x[i - 1] <= x[i], "not sorted at %zu: %.17g > %.17g", i, x[i - 1], x[i]);
    free(x);
}
END_TEST

START_TEST(test_stats_buckets_are_upper_inclusive_with_overflow)
{
    double x[] = {0, 50, 50.0001, 250, 1000, 1000.0001, 1850, 1850.5};
    static const double edges[] = {50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850};
    long long counts[11];
    stats_sort(x, 8);
    stats_buckets(x, 8, edges, 10, counts);
    static const long long want[11] = {2, 2, 0, 0, 0, 2, 0, 0, 0, 1, 1};
    for (int k = 0; k < 11; k++)
        ck_assert_int_eq(counts[k], want[k]);
    ck_assert_uint_eq(8 - stats_count_le(x, 8, 1000), 3); /* over the endurance line */
}
END_TEST

START_TEST(test_stats_variance_is_exact_for_large_offsets)
{
    /* 1e9 + {4, 7, 13, 16}: the naive sum-of-squares formula loses this
     * completely; the exact sample variance is 30. */
    double x[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    double mean, variance;
    stats_mean_variance(x, 4, &mean, &variance);
    ck_assert_double_eq(mean, 1e9 + 10);
    ck_assert_double_eq(variance, 30);
}
END_TEST

/* Weighted statistics equal those of the observations written out: random
 * histograms of small whole counts, with repeated values and ties. */
START_TEST(test_stats_weighted_equal_the_expanded_observations)
{
    srand(7);
    for (int trial = 0; trial < 50; trial++) {
        size_t n = 1 + (size_t)(rand() % 40);
        double *x = xreallocarray(NULL, n, sizeof *x), *w = xreallocarray(NULL, n, sizeof *w);
        double *wcopy = xreallocarray(NULL, n, sizeof *wcopy);
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] = (double)(rand() % 30) * 12.5;
            w[i] = (double)(1 + rand() % 6);
            total += (size_t)w[i];
        }
        double *e = xreallocarray(NULL, total, sizeof *e);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < (int)w[i]; c++)
                e[k++] = x[i];
        stats_sort(e, total);
        stats_wsort(x, w, n);
        memcpy(wcopy, w, n * sizeof *w);
        double wm, wv, em, ev;
        stats_wmean_variance(x, w, n, &wm, &wv);
        stats_mean_variance(e, total, &em, &ev);
        ck_assert_double_eq_tol(wm, em, 1e-9);
        if (total > 1)
            ck_assert_double_eq_tol(wv, ev, 1e-6);
        stats_cumulate(wcopy, n);
        static const unsigned ps[] = {0, 100, 2500, 5000, 9000, 9500, 9900, 9990, 10000};
        for (size_t p = 0; p < sizeof ps / sizeof *ps; p++)
            ck_assert_double_eq_tol(stats_wpercentile(x, wcopy, n, ps[p]),
                                    stats_percentile(e, total, ps[p]), 1e-9);
        const double edges[] = {50, 100, 200};
        double wc[4];
        long long ec[4];
        stats_wbuckets(x, wcopy, n, edges, 3, wc);
        stats_buckets(e, total, edges, 3, ec);
        for (int b = 0; b < 4; b++)
            ck_assert_double_eq(wc[b], (double)ec[b]);
        double wlo, whi, elo, ehi;
        stats_wpercentile_ci(x, wcopy, n, 9500, &wlo, &whi);
        stats_percentile_ci(e, total, 9500, &elo, &ehi);
        ck_assert(isnan(wlo) ? isnan(elo) : wlo == elo);
        ck_assert(isnan(whi) ? isnan(ehi) : whi == ehi);
        free(x), free(w), free(wcopy), free(e);
    }
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_stats_match_numpy_on_ties_single_two_equal_and_extremes);
    tcase_add_test(tc, test_stats_match_numpy_on_a_ramp_of_1000);
    tcase_add_test(tc, test_stats_sort_orders_large_random_sets_with_negatives_and_zeros);
    tcase_add_test(tc, test_stats_buckets_are_upper_inclusive_with_overflow);
    tcase_add_test(tc, test_stats_variance_is_exact_for_large_offsets);
    tcase_add_test(tc, test_stats_weighted_equal_the_expanded_observations);
    suite_add_tcase(s, tc);
    return s;
}
