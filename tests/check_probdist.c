/* Distributions against SciPy 1.10 (Debian python3-scipy): scipy.special
 * .betainc, scipy.stats.t.cdf/.ppf, scipy.stats.binom.cdf,
 * scipy.stats.norm.ppf, and order-statistic ranks computed in Python by
 * scanning scipy.stats.binom.cdf (the n = 100 median's 40..61 is also the
 * textbook value, e.g. Conover, Practical Nonparametric Statistics). */
#include <check.h>
#include <math.h>

#include "probdist.h"
#include "suites.h"

static void close_to(const char *what, double got, double want, double rel)
{
    ck_assert_msg(fabs(got - want) <= rel * fmax(fabs(want), 1e-300), "%s: got %.17g, want %.17g",
                  what, got, want);
}

START_TEST(test_probdist_t_quantiles_match_scipy)
{
    static const double df[] = {1, 2, 5, 29, 999, 1e6};
    static const double want[] = {12.706204736432095, 4.302652729911275, 2.5705818366147395,
                                  2.045229642132703,  1.9623414611334487, 1.9599663568141066};
    for (int i = 0; i < 6; i++) {
        /* SciPy's t.ppf is good to about 1e-9 (its own t.cdf at its
         * answer for df = 5 is 0.97500000003); the quantile must invert
         * the CDF far more closely than that. */
        double t = probdist_t_quantile(0.975, df[i]);
        close_to("t.ppf(0.975)", t, want[i], 1e-9);
        close_to("t.cdf(t.ppf(0.975))", probdist_t_cdf(t, df[i]), 0.975, 1e-12);
    }
    close_to("t.cdf(2.5, 7)", probdist_t_cdf(2.5, 7), 0.9795038907071236, 1e-12);
    close_to("t.cdf(-1.3, 3)", probdist_t_cdf(-1.3, 3), 0.14223375436394847, 1e-12);
}
END_TEST

START_TEST(test_probdist_betainc_and_binomial_match_scipy)
{
    close_to("betainc(2.5, 3.5, 0.4)", probdist_betainc(2.5, 3.5, 0.4), 0.4869041915261175, 1e-13);
    close_to("betainc(1e6, 10, 0.99999)", probdist_betainc(1e6, 10, 0.99999), 0.45791782931910285,
             1e-8);
    close_to("binom.cdf(3, 20, 0.3)", probdist_binom_cdf(3, 20, 0.3), 0.10708680450373087, 1e-13);
    close_to("binom.cdf(9499, 10000, 0.95)", probdist_binom_cdf(9499, 10000, 0.95),
             0.4881049670434338, 1e-9);
    close_to("binom.cdf(49, 100, 0.5)", probdist_binom_cdf(49, 100, 0.5), 0.46020538130641075,
             1e-12);
    ck_assert_double_eq(probdist_binom_cdf(-1, 10, 0.5), 0);
    ck_assert_double_eq(probdist_binom_cdf(10, 10, 0.5), 1);
}
END_TEST

START_TEST(test_probdist_normal_matches_scipy)
{
    close_to("norm.ppf(0.975)", probdist_normal_quantile(0.975), 1.959963984540054, 1e-14);
    close_to("norm.ppf(1e-10)", probdist_normal_quantile(1e-10), -6.361340902404056, 1e-12);
    close_to("norm.cdf(1.959963984540054)", probdist_normal_cdf(1.959963984540054), 0.975, 1e-14);
}
END_TEST

START_TEST(test_probdist_quantile_ci_ranks_match_binomial_scan)
{
    static const struct {
        int64_t n;
        double q;
        int64_t lo, hi;
    } cases[] = {{100, 0.5, 40, 61},  {100, 0.95, 90, 100}, {1000, 0.99, 983, 997},
                 {20, 0.95, 17, 0},   {59, 0.95, 52, 0},    {5, 0.5, 0, 0},
                 {400, 0.5, 180, 221}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t lo, hi;
        probdist_quantile_ci_ranks(cases[i].n, cases[i].q, 0.95, &lo, &hi);
        ck_assert_msg(lo == cases[i].lo && hi == cases[i].hi, "n=%lld q=%g: got %lld..%lld",
                      (long long)cases[i].n, cases[i].q, (long long)lo, (long long)hi);
    }
}
END_TEST

Suite *probdist_suite(void)
{
    Suite *s = suite_create("probdist");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_probdist_t_quantiles_match_scipy);
    tcase_add_test(tc, test_probdist_betainc_and_binomial_match_scipy);
    tcase_add_test(tc, test_probdist_normal_matches_scipy);
    tcase_add_test(tc, test_probdist_quantile_ci_ranks_match_binomial_scan);
    suite_add_tcase(s, tc);
    return s;
}
