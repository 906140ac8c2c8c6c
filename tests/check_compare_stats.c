/* The statistics of "p3 compare" against independent implementations.
 *
 * The reference vectors (vectors[] and kstwo[] below) were computed by
 * tests/data/ref/compare_vectors.py with SciPy 1.10.1 and NumPy 1.24
 * (Debian python3-scipy, python3-numpy): scipy.stats.mannwhitneyu and
 * ks_2samp (two-sided, method='auto', which chose the method recorded),
 * scipy.stats.kstwo.sf, Welch's interval from scipy.stats.t.ppf (the
 * script checks its df against scipy.stats.ttest_ind), Cliff's delta by
 * brute force over all pairs, and Newcombe's interval, whose Python
 * implementation the script checks against Newcombe (1998), Table II;
 * test_compare_stats_newcombe_matches_the_paper checks ours against the
 * same table. p-values agree to 1e-6 relative.
 *
 * The bootstrap has no outside reference with the same random numbers: it
 * is checked against a naive bootstrap (resample, sort, take the
 * percentile) on small samples, for equal distributions of replicates. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "stats.h"
#include "suites.h"
#include "xalloc.h"

/* A sample of the vectors: the listed values, or if list is NULL the n
 * values off + ((a i + b) mod m) / s, which Python computes alike. */
typedef struct sample_spec {
    size_t n;
    const double *list;
    long long a, b, m;
    double s, off;
} sample_spec;

typedef struct vector {
    const char *name;
    sample_spec baseline, other;
    double endurance_ms;
    double u1, mwu_p;
    compare_stats_method mwu_method;
    double ks_d, ks_p;
    compare_stats_method ks_method;
    double cliffs_delta;
    double mean_lo, mean_hi, welch_df; /* NaN where undefined */
    double share_lo, share_hi;         /* as fractions */
} vector;

static const vector vectors[] = {
    {"scipy_doc", {5, (const double[]){19.0, 22.0, 16.0, 29.0, 24.0}, 0, 0, 0, 0, 0}, {4, (const double[]){20.0, 11.0, 17.0, 12.0}, 0, 0, 0, 0, 0}, 18.0,
     17.0, 0.1111111111111111, COMPARE_STATS_EXACT, 0.6, 0.2857142857142857, COMPARE_STATS_EXACT,
     -0.7, -14.264922187228677, 0.26492218722867733, 6.928837482846501, -0.811929590799748, 0.06813720497036524},
    {"small_no_ties", {6, NULL, 7, 3, 101, 10.0, 0.0}, {11, NULL, 13, 5, 103, 10.0, 2.05}, 5.0,
     4.0, 0.0019392372333548802, COMPARE_STATS_EXACT, 0.8181818181818182, 0.005979314802844213, COMPARE_STATS_EXACT,
     0.8787878787878788, 1.8898426200114185, 6.491975561806765, 14.509903802028733, 0.15448979274676827, 0.8483352890463242},
    {"three_vs_40", {3, NULL, 5, 1, 53, 2.0, 10.25}, {40, NULL, 9, 2, 59, 2.0, 9.0}, 20.0,
     19.0, 0.0508872862815007, COMPARE_STATS_EXACT, 0.75, 0.046349566485698074, COMPARE_STATS_EXACT,
     0.6833333333333333, 5.291799547881828, 14.73320045211817, 7.07435637487635, 0.01775643766370172, 0.7365167431570807},
    {"five_vs_seven_apart", {5, (const double[]){1.0, 2.0, 3.0, 4.0, 5.0}, 0, 0, 0, 0, 0}, {7, (const double[]){6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0}, 0, 0, 0, 0, 0}, 5.5,
     0.0, 0.0025252525252525255, COMPARE_STATS_EXACT, 1.0, 0.0025252525252525255, COMPARE_STATS_EXACT,
     1.0, 3.592224923960096, 8.407775076039904, 9.966101694915256, 0.4393529903597, 1.0},
    {"small_ties", {5, (const double[]){1.0, 2.0, 2.0, 3.0, 5.0}, 0, 0, 0, 0, 0}, {6, (const double[]){2.0, 3.0, 3.0, 4.0, 6.0, 6.0}, 0, 0, 0, 0, 0}, 3.0,
     7.0, 0.1620516143696369, COMPARE_STATS_ASYMPTOTIC, 0.43333333333333335, 0.5909090909090909, COMPARE_STATS_EXACT,
     0.5333333333333333, -0.7812671100347912, 3.581267110034791, 8.902660983757633, -0.22702411947308238, 0.6527125097991044},
    {"eight_vs_300", {8, NULL, 37, 1, 997, 4.0, 100.0}, {300, NULL, 61, 7, 1009, 4.0, 80.125}, 200.0,
     516.0, 0.004422614099070903, COMPARE_STATS_EXACT, 0.6566666666666666, 0.000838160830503095, COMPARE_STATS_EXACT,
     0.57, 52.53692408873252, 92.23807591126746, 11.437505916320768, 0.19405011736096495, 0.5791983381256876},
    {"nine_vs_nine", {9, NULL, 5, 2, 97, 3.0, 0.0}, {9, NULL, 7, 1, 89, 3.0, 1.0}, 20.0,
     27.5, 0.26944266386239313, COMPARE_STATS_ASYMPTOTIC, 0.3333333333333333, 0.7301110654051831, COMPARE_STATS_EXACT,
     0.32098765432098764, -2.263557671386663, 8.930224338053328, 14.477197620621283, -0.2991450484195441, 0.2991450484195441},
    {"ties_60_45", {60, NULL, 7, 1, 37, 1.0, 0.0}, {45, NULL, 11, 4, 41, 1.0, 3.0}, 30.0,
     1001.0, 0.023989362658656414, COMPARE_STATS_ASYMPTOTIC, 0.17777777777777778, 0.35504808666772125, COMPARE_STATS_EXACT,
     0.25851851851851854, 0.95236531178407, 10.003190243771485, 89.69038485778752, 0.0005849903724072514, 0.3221872884811483},
    {"identical", {50, NULL, 3, 1, 17, 2.0, 0.0}, {50, NULL, 3, 1, 17, 2.0, 0.0}, 4.0,
     1250.0, 1.0, COMPARE_STATS_ASYMPTOTIC, 0.0, 1.0, COMPARE_STATS_EXACT,
     0.0, -0.9713677677836874, 0.9713677677836874, 98.0, -0.1883562218797829, 0.1883562218797829},
    {"shift_200", {200, NULL, 17, 3, 211, 1.0, 500.0}, {200, NULL, 19, 5, 223, 1.0, 560.0}, 600.0,
     9610.5, 2.564711970927756e-19, COMPARE_STATS_ASYMPTOTIC, 0.325, 9.594235055800515e-10, COMPARE_STATS_EXACT,
     0.519475, 54.48783512031095, 79.28216487968903, 396.9414889346129, 0.20973964972933395, 0.3834855233706881},
    {"constant", {3, (const double[]){5.0, 5.0, 5.0}, 0, 0, 0, 0, 0}, {4, (const double[]){5.0, 5.0, 5.0, 5.0}, 0, 0, 0, 0, 0}, 5.0,
     6.0, 1.0, COMPARE_STATS_ASYMPTOTIC, 0.0, 1.0, COMPARE_STATS_EXACT,
     0.0, 0.0, 0.0, NAN, -0.5614970317550455, 0.4898908364545973},
    {"one_each", {1, (const double[]){3.0}, 0, 0, 0, 0, 0}, {1, (const double[]){4.0}, 0, 0, 0, 0, 0}, 3.5,
     0.0, 1.0, COMPARE_STATS_EXACT, 1.0, 1.0, COMPARE_STATS_EXACT,
     1.0, NAN, NAN, NAN, -0.12210872068194178, 1.0},
    {"ks_300_250", {300, NULL, 31, 2, 307, 8.0, 10.0}, {250, NULL, 29, 6, 251, 8.0, 12.0}, 30.0,
     40305.0, 0.13072012987796808, COMPARE_STATS_ASYMPTOTIC, 0.13, 0.018100016432805028, COMPARE_STATS_EXACT,
     -0.0748, -3.150355194911312, 0.23402186157797833, 547.6662856131908, -0.1353832885252777, 0.030036747409973086},
    {"ks_3000_4000", {3000, NULL, 101, 5, 3001, 2.0, 50.0}, {4000, NULL, 103, 9, 3989, 2.0, 53.0}, 800.0,
     4509277.5, 5.285067663805578e-71, COMPARE_STATS_ASYMPTOTIC, 0.2485, 2.1078319521252043e-93, COMPARE_STATS_EXACT,
     0.24845375, 224.56012384475653, 271.8657094885767, 6997.974456205988, 0.1004124204577375, 0.14710123798753058},
    {"ks_12000_15000", {12000, NULL, 211, 5, 12007, 10.0, 100.0}, {15000, NULL, 223, 1, 15013, 10.0, 103.0}, 1000.0,
     71646295.0, 6.85571527667599e-183, COMPARE_STATS_ASYMPTOTIC, 0.20153333333333334, 7.570215373515115e-238, COMPARE_STATS_ASYMPTOTIC,
     0.20393005555555554, 143.78486790774815, 162.386902092252, 26997.99861724006, 0.14095340225078956, 0.16300320906314325},
    {"ks_5_20000", {5, NULL, 3, 1, 7, 1.0, 2.0}, {20000, NULL, 7, 3, 11, 1.0, 0.0}, 5.0,
     48180.5, 0.8875035732687608, COMPARE_STATS_ASYMPTOTIC, 0.18184999999999996, 0.9858933255766816, COMPARE_STATS_ASYMPTOTIC,
     0.03639, -2.7639073461292294, 3.164207346129229, 4.003509874731603, -0.3147900174177825, 0.3370137323125982},
    {"ks_30000_30000", {30000, NULL, 11, 2, 29989, 100.0, 0.0}, {30000, NULL, 13, 1, 29983, 100.0, 1.0}, 100.0,
     447182494.0, 0.18412070998092422, COMPARE_STATS_ASYMPTOTIC, 0.0036999999999999997, 0.9859432058257852, COMPARE_STATS_ASYMPTOTIC,
     0.006261124444444445, -0.4455277866735887, 2.3263577866736487, 59997.99999592344, -0.004403790597923289, 0.010669961962636412},
};

/* scipy.stats.kstwo.sf(d, n), at points that reach each of its methods. */
static const struct {
    int64_t n;
    double d, sf;
} kstwo[] = {
    {5, 0.05, 1.0},
    {5, 0.15, 0.9988},
    {200, 0.0049, 1.0},
    {5, 0.85, 0.0001518750000000001},
    {10, 0.6, 0.0005681672000000003},
    {100, 0.05, 0.9532159710635725},
    {100, 0.15, 0.019839242125643017},
    {100, 0.25, 5.408871776434847e-06},
    {1000, 0.01, 0.9999496745370611},
    {1000, 0.03, 0.3226902143914636},
    {1000, 0.06, 0.001428597887952891},
    {1000, 0.7, 0.0},
    {500000, 0.001, 0.6989801443663661},
    {500000, 0.003, 0.00024632301239186754},
    {500000, 0.03, 0.0},
    {2000000, 0.0015, 0.00024657290508461606},
    {20000, 0.0017, 0.9999999931536838},
    {100000, 0.00036, 1.0},
    {150, 0.044, 0.9210729270405792},
    {1000, 0.012, 0.9984464668620097},
    {141, 0.05, 0.8548456930096628},
    {3000, 0.02, 0.17889813623188955},
    {600000, 0.0025, 0.0011043182220583996},
    {300, 0.003, 1.0},
    {150, 0.2, 9.805366045892556e-06},
    {140, 0.1, 0.11353657290090946},
    {7, 0.3, 0.46626387699002947},
    {60, 0.08, 0.8078977270450964},
    {200, 0.09, 0.07358925139953587},
    {141, 0.12, 0.03160060527758468},
    {100, 0.19, 0.0012339926382722768},
};

static double *make_sample(const sample_spec *s)
{
    double *x = xmalloc((s->n ? s->n : 1) * sizeof *x);
    for (size_t i = 0; i < s->n; i++)
        x[i] = s->list ? s->list[i]
                       : s->off + (double)((s->a * (long long)i + s->b) % s->m) / s->s;
    stats_sort(x, s->n);
    return x;
}

static void close_to(const char *name, const char *what, double got, double want, double rel)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s %s: got %.17g, want NaN", name, what, got);
        return;
    }
    ck_assert_msg(fabs(got - want) <= rel * fabs(want) || got == want,
                  "%s %s: got %.17g, want %.17g", name, what, got, want);
}

START_TEST(test_compare_stats_match_scipy_on_reference_vectors)
{
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        const vector *v = &vectors[i];
        double *b = make_sample(&v->baseline), *o = make_sample(&v->other);
        compare_stats_options opt = compare_stats_defaults();
        opt.endurance_ms = v->endurance_ms;
        compare_stats_result r;
        compare_stats_level(b, v->baseline.n, o, v->other.n, &opt, &r);
        ck_assert_msg(r.mann_whitney.statistic == v->u1, "%s U1: got %.17g, want %.17g", v->name,
                      r.mann_whitney.statistic, v->u1);
        ck_assert_msg(r.mann_whitney.method == v->mwu_method, "%s: Mann-Whitney method", v->name);
        close_to(v->name, "Mann-Whitney p", r.mann_whitney.p, v->mwu_p, 1e-6);
        close_to(v->name, "KS D", r.ks.statistic, v->ks_d, 1e-12);
        ck_assert_msg(r.ks.method == v->ks_method, "%s: KS method", v->name);
        close_to(v->name, "KS p", r.ks.p, v->ks_p, 1e-6);
        close_to(v->name, "Cliff's delta", r.cliffs_delta, v->cliffs_delta, 1e-12);
        /* SciPy's t.ppf is good to about 1e-9 (see check_probdist.c) */
        close_to(v->name, "Welch lo", r.mean.lo, v->mean_lo, 1e-8);
        close_to(v->name, "Welch hi", r.mean.hi, v->mean_hi, 1e-8);
        close_to(v->name, "Welch df", r.welch_df, v->welch_df, 1e-10);
        close_to(v->name, "share lo", r.share_over.lo, 100 * v->share_lo, 1e-10);
        close_to(v->name, "share hi", r.share_over.hi, 100 * v->share_hi, 1e-10);
        free(b);
        free(o);
    }
}
END_TEST

START_TEST(test_compare_stats_kstwo_sf_matches_scipy_in_every_branch)
{
    for (size_t i = 0; i < sizeof kstwo / sizeof *kstwo; i++) {
        char what[64];
        snprintf(what, sizeof what, "kstwo.sf(%g, %lld)", kstwo[i].d, (long long)kstwo[i].n);
        close_to("", what, compare_stats_kstwo_sf(kstwo[i].d, kstwo[i].n), kstwo[i].sf, 1e-6);
    }
}
END_TEST

START_TEST(test_compare_stats_newcombe_matches_the_paper)
{
    /* Newcombe, "Interval estimation for the difference between
     * independent proportions: comparison of eleven methods", Statistics
     * in Medicine 17 (1998) 873-890, Table II, method 10, examples (a)-(h),
     * to the 4 decimals printed: the interval of k1/n1 - k2/n2. */
    static const struct {
        size_t k1, n1, k2, n2;
        double lo, hi;
    } paper[] = {{56, 70, 48, 80, 0.0524, 0.3339}, {9, 10, 3, 10, 0.1705, 0.8090},
                 {6, 7, 2, 7, 0.0582, 0.8062},     {5, 56, 0, 29, -0.0381, 0.1926},
                 {0, 10, 0, 20, -0.1611, 0.2775},  {0, 10, 0, 10, -0.2775, 0.2775},
                 {10, 10, 0, 20, 0.6791, 1.0000},  {10, 10, 0, 10, 0.6075, 1.0000}};
    for (size_t i = 0; i < sizeof paper / sizeof *paper; i++) {
        double lo, hi;
        compare_stats_newcombe(paper[i].k2, paper[i].n2, paper[i].k1, paper[i].n1, &lo, &hi);
        ck_assert_msg(fabs(lo - paper[i].lo) < 5e-5 && fabs(hi - paper[i].hi) < 5e-5,
                      "example %zu: got %.5f, %.5f", i, lo, hi);
    }
    double lo, hi;
    compare_stats_newcombe(0, 0, 3, 10, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* A delay-like sample: n values spread over [base, base + spread). */
static double *spread_sample(size_t n, long long a, long long b, double base, double spread)
{
    const long long m = 1000003; /* prime, so i -> (a i + b) mod m is one-to-one */
    double *x = xmalloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = base + spread * (double)((a * (long long)i + b) % m) / (double)m;
    stats_sort(x, n);
    return x;
}

START_TEST(test_compare_stats_identical_samples_show_no_difference)
{
    double *x = spread_sample(500, 7919, 11, 100, 900);
    compare_stats_result r;
    compare_stats_level(x, 500, x, 500, NULL, &r);
    ck_assert_double_eq(r.mann_whitney.statistic, 500.0 * 500 / 2);
    ck_assert_double_eq(r.mann_whitney.p, 1);
    ck_assert_double_eq(r.ks.statistic, 0);
    ck_assert_double_eq(r.ks.p, 1);
    ck_assert_double_eq(r.cliffs_delta, 0);
    ck_assert_double_eq(r.mean.diff, 0);
    ck_assert(r.mean.lo < 0 && r.mean.hi > 0);
    ck_assert(r.p50.lo < 0 && r.p50.hi > 0);
    ck_assert(r.p99.lo <= 0 && r.p99.hi >= 0);
    ck_assert(r.share_over.lo < 0 && r.share_over.hi > 0);
    compare_stats_holm(&r, 1, COMPARE_STATS_ALPHA);
    ck_assert_int_eq(r.verdict, COMPARE_STATS_NO_DIFFERENCE);
    ck_assert_double_eq(r.p_holm, 1);
    ck_assert_str_eq(compare_stats_verdict_name(r.verdict), "no significant difference");
    free(x);
}
END_TEST

START_TEST(test_compare_stats_clear_shift_is_worse_one_way_and_better_the_other)
{
    double *fast = spread_sample(400, 7919, 11, 100, 900);
    double *slow = spread_sample(300, 104729, 5, 250, 900);
    compare_stats_result r[2];
    compare_stats_level(fast, 400, slow, 300, NULL, &r[0]); /* OTHER slower */
    compare_stats_level(slow, 300, fast, 400, NULL, &r[1]); /* OTHER faster */
    compare_stats_holm(r, 2, COMPARE_STATS_ALPHA);
    ck_assert_int_eq(r[0].verdict, COMPARE_STATS_WORSE);
    ck_assert_int_eq(r[1].verdict, COMPARE_STATS_BETTER);
    ck_assert_str_eq(compare_stats_verdict_name(r[0].verdict), "worse");
    ck_assert_str_eq(compare_stats_verdict_name(r[1].verdict), "better");
    ck_assert(r[0].cliffs_delta > 0 && r[1].cliffs_delta < 0);
    ck_assert_double_eq(r[0].cliffs_delta, -r[1].cliffs_delta);
    ck_assert_double_eq(r[0].mann_whitney.p, r[1].mann_whitney.p);
    ck_assert_double_eq(r[0].ks.p, r[1].ks.p);
    /* the shift is 150 ms: every interval excludes 0 on the right side */
    ck_assert(r[0].mean.lo > 0 && r[0].p50.lo > 0 && r[0].p95.lo > 0);
    ck_assert(r[1].mean.hi < 0 && r[1].p50.hi < 0 && r[1].p95.hi < 0);
    ck_assert(r[0].p50.lo < r[0].p50.diff && r[0].p50.diff < r[0].p50.hi);
    free(fast);
    free(slow);
}
END_TEST

START_TEST(test_compare_stats_holm_steps_down_as_worked_by_hand)
{
    /* m = 4 compared levels (level 2 is not compared and is left out):
     * sorted p 0.005 (L4) x4 = 0.02 <= 0.05 rejected; 0.013 (L0) x3 =
     * 0.039 rejected; 0.03 (L3) x2 = 0.06 stops; 0.04 (L1) x1 = 0.04, but
     * adjusted p-values are monotone: 0.06. Unadjusted all four would be
     * significant, Bonferroni (x4) only L4, and counting L2 (m = 5) would
     * lose L0 (0.013 x4 = 0.052). */
    static const double p[5] = {0.013, 0.04, NAN, 0.03, 0.005};
    static const double delta[5] = {-0.2, 0.3, NAN, -0.1, 0.4};
    compare_stats_result r[5];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 5; i++) {
        r[i].mann_whitney.p = p[i];
        r[i].cliffs_delta = delta[i];
        r[i].verdict = i == 2 ? COMPARE_STATS_NOT_COMPARED : COMPARE_STATS_NO_DIFFERENCE;
    }
    compare_stats_holm(r, 5, 0.05);
    static const double adjusted[5] = {0.039, 0.06, NAN, 0.06, 0.02};
    static const compare_stats_verdict want[5] = {
        COMPARE_STATS_BETTER, COMPARE_STATS_NO_DIFFERENCE, COMPARE_STATS_NOT_COMPARED,
        COMPARE_STATS_NO_DIFFERENCE, COMPARE_STATS_WORSE};
    for (int i = 0; i < 5; i++) {
        close_to("holm", "adjusted p", r[i].p_holm, adjusted[i], 1e-12);
        ck_assert_msg(r[i].verdict == want[i], "level %d: verdict %s", i,
                      compare_stats_verdict_name(r[i].verdict));
    }
    ck_assert_str_eq(compare_stats_verdict_name(r[2].verdict), "not compared");
}
END_TEST

START_TEST(test_compare_stats_level_present_in_one_run_only_is_not_compared)
{
    double *x = spread_sample(20, 7919, 11, 100, 900);
    compare_stats_result r[2];
    compare_stats_level(x, 20, NULL, 0, NULL, &r[0]);
    compare_stats_level(NULL, 0, x, 20, NULL, &r[1]);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(r[i].verdict, COMPARE_STATS_NOT_COMPARED);
        ck_assert(isnan(r[i].mean.diff) && isnan(r[i].mean.lo) && isnan(r[i].p95.hi));
        ck_assert(isnan(r[i].mann_whitney.p) && isnan(r[i].ks.p) && isnan(r[i].cliffs_delta));
        ck_assert_int_eq(r[i].mann_whitney.method, COMPARE_STATS_UNDEFINED);
    }
    /* the side that has samples keeps its own statistics */
    ck_assert_double_eq(r[0].p50.baseline, stats_percentile(x, 20, 5000));
    ck_assert(isnan(r[0].p50.other));
    ck_assert_double_eq(r[1].share_over.other, 0);
    ck_assert_uint_eq(r[1].n_other, 20);
    compare_stats_holm(r, 2, COMPARE_STATS_ALPHA);
    ck_assert_int_eq(r[0].verdict, COMPARE_STATS_NOT_COMPARED);
    ck_assert(isnan(r[0].p_holm));
    free(x);
}
END_TEST

START_TEST(test_compare_stats_single_samples_leave_the_mean_interval_empty)
{
    const double b[1] = {10}, o[2] = {12, 30};
    compare_stats_result r;
    compare_stats_level(b, 1, o, 2, NULL, &r);
    ck_assert_double_eq(r.mean.diff, 11);
    ck_assert(isnan(r.mean.lo) && isnan(r.mean.hi) && isnan(r.welch_df));
    ck_assert(!isnan(r.p50.lo) && !isnan(r.mann_whitney.p) && !isnan(r.ks.p));
    ck_assert_int_eq(r.verdict, COMPARE_STATS_NO_DIFFERENCE);
}
END_TEST

START_TEST(test_compare_stats_bootstrap_is_deterministic_to_the_bit)
{
    double *b = spread_sample(1000, 7919, 11, 100, 900);
    double *o = spread_sample(800, 104729, 5, 110, 950);
    compare_stats_result r1, r2, r3;
    compare_stats_level(b, 1000, o, 800, NULL, &r1);
    compare_stats_level(b, 1000, o, 800, NULL, &r2);
    compare_stats_diff *d1[3] = {&r1.p50, &r1.p95, &r1.p99}, *d2[3] = {&r2.p50, &r2.p95, &r2.p99};
    for (int i = 0; i < 3; i++) {
        ck_assert(memcmp(&d1[i]->lo, &d2[i]->lo, sizeof(double)) == 0);
        ck_assert(memcmp(&d1[i]->hi, &d2[i]->hi, sizeof(double)) == 0);
    }
    /* Golden bits of this implementation (xoshiro256** from seed
     * "p3compar", 2000 replicates), not an outside reference: any machine
     * with IEEE-754 doubles must draw exactly these. */
    static const double golden[3][2] = {
        {-0x1.d6361d9d0cf66p+1, 0x1.4456151a1dc3bp+6}, /* -3.6735264794205476, 81.084064872805286 */
        {0x1.6135c70a6a31dp+5, 0x1.5227f6bebfe85p+6},  /* 44.151258546224405, 84.539027195418456 */
        {0x1.9b084fd9674aap+5, 0x1.1ca5e051286cp+6}};  /* 51.37905855032416, 71.161988514034419 */
    for (int i = 0; i < 3; i++)
        ck_assert_msg(d1[i]->lo == golden[i][0] && d1[i]->hi == golden[i][1],
                      "percentile %d: got %a, %a", i, d1[i]->lo, d1[i]->hi);
    /* another seed draws other replicates */
    compare_stats_options opt = compare_stats_defaults();
    opt.seed = 1;
    compare_stats_level(b, 1000, o, 800, &opt, &r3);
    ck_assert(r3.p50.lo != r1.p50.lo || r3.p50.hi != r1.p50.hi);
    free(b);
    free(o);
}
END_TEST

/* The naive bootstrap, with its own generator (splitmix64): build each
 * resample, sort it, take PERCENTILE.INC. */
static uint64_t naive_state;

static uint64_t naive_next(void)
{
    uint64_t z = (naive_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double naive_percentile(const double *sorted, size_t n, unsigned per_10000,
                               double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = sorted[(size_t)((double)(naive_next() >> 11) * 0x1p-53 * (double)n)];
    stats_sort(scratch, n);
    return stats_percentile(scratch, n, per_10000);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The two-sample Kolmogorov-Smirnov distance between the empirical
 * distributions of x[0..n) and y[0..n), sorting both. */
static double distance(double *x, double *y, size_t n)
{
    qsort(x, n, sizeof *x, compare_double);
    qsort(y, n, sizeof *y, compare_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < n && j < n) {
        double v = x[i] < y[j] ? x[i] : y[j];
        while (i < n && x[i] == v)
            i++;
        while (j < n && y[j] == v)
            j++;
        d = fmax(d, fabs((double)i - (double)j) / (double)n);
    }
    return d;
}

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double var;
    stats_mean_variance(x, n, mean, &var);
    *sd = sqrt(var);
}

START_TEST(test_compare_stats_bootstrap_agrees_with_naive_resampling)
{
    /* Small samples with ties, where order statistics are coarse and any
     * rank error shows. 20000 replicates each way; at that size two equal
     * distributions are at KS distance below 1.95 sqrt(2/20000) = 0.0195
     * with probability 0.999 (less for discrete ones). */
    enum { R = 20000 };
    static const unsigned levels[3] = {5000, 9500, 9900};
    const double crit = 1.95 * sqrt(2.0 / R);
    double b[23], o[31];
    for (int i = 0; i < 23; i++)
        b[i] = (double)((7 * i + 3) % 17) * 10; /* ties */
    for (int i = 0; i < 31; i++)
        o[i] = 5 + (double)((11 * i + 1) % 29) * 9;
    stats_sort(b, 23);
    stats_sort(o, 31);
    double *fast = xmalloc(3 * R * sizeof *fast);
    compare_stats_bootstrap_percentiles(b, 23, o, 31, levels, 3, R, 42, fast);
    double *x = xmalloc(R * sizeof *x), *y = xmalloc(R * sizeof *y), scratch[31];
    naive_state = 7;
    for (int j = 0; j < 3; j++) {
        for (int r = 0; r < R; r++) {
            x[r] = fast[r * 3 + j];
            double pb = naive_percentile(b, 23, levels[j], scratch);
            y[r] = naive_percentile(o, 31, levels[j], scratch) - pb;
        }
        double mx, sx, my, sy;
        mean_sd(x, R, &mx, &sx);
        mean_sd(y, R, &my, &sy);
        ck_assert_msg(fabs(mx - my) <= 4 * sqrt((sx * sx + sy * sy) / R),
                      "level %u: mean %g fast, %g naive", levels[j], mx, my);
        ck_assert_msg(fabs(sx - sy) <= 0.05 * sy, "level %u: sd %g fast, %g naive", levels[j],
                      sx, sy);
        double d = distance(x, y, R);
        ck_assert_msg(d < crit, "level %u: KS distance %g", levels[j], d);
    }
    /* The criterion has the power to see a slip of one rank: the naive
     * p55 (rank 12.1 of 23, not 11) against the fast p50. */
    for (int r = 0; r < R; r++) {
        x[r] = fast[r * 3];
        double pb = naive_percentile(b, 23, 5500, scratch);
        y[r] = naive_percentile(o, 31, 5500, scratch) - pb;
    }
    ck_assert_msg(distance(x, y, R) > crit, "a one-rank slip went unseen");
    free(fast);
    free(x);
    free(y);
}
END_TEST

START_TEST(test_compare_stats_million_against_million)
{
    /* The size the benchmark compares; the time is measured outside the
     * tests. OTHER is 5 ms slower throughout a 200..1200 ms spread. */
    enum { N = 1000000 };
    double *b = spread_sample(N, 7919, 13, 200, 1000);
    double *o = spread_sample(N, 104729, 17, 205, 1000);
    compare_stats_result r;
    compare_stats_level(b, N, o, N, NULL, &r);
    compare_stats_holm(&r, 1, COMPARE_STATS_ALPHA);
    ck_assert_int_eq(r.verdict, COMPARE_STATS_WORSE);
    ck_assert_int_eq(r.ks.method, COMPARE_STATS_ASYMPTOTIC);
    ck_assert_int_eq(r.mann_whitney.method, COMPARE_STATS_ASYMPTOTIC);
    compare_stats_diff *d[4] = {&r.mean, &r.p50, &r.p95, &r.p99};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(d[i]->lo < d[i]->diff && d[i]->diff < d[i]->hi && d[i]->lo > 3 &&
                          d[i]->hi < 7,
                      "statistic %d: %g in [%g, %g]", i, d[i]->diff, d[i]->lo, d[i]->hi);
    ck_assert(r.share_over.lo > 0 && r.share_over.hi < 1);
    free(b);
    free(o);
}
END_TEST

Suite *compare_stats_suite(void)
{
    Suite *s = suite_create("compare_stats");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_compare_stats_match_scipy_on_reference_vectors);
    tcase_add_test(tc, test_compare_stats_kstwo_sf_matches_scipy_in_every_branch);
    tcase_add_test(tc, test_compare_stats_newcombe_matches_the_paper);
    tcase_add_test(tc, test_compare_stats_identical_samples_show_no_difference);
    tcase_add_test(tc, test_compare_stats_clear_shift_is_worse_one_way_and_better_the_other);
    tcase_add_test(tc, test_compare_stats_holm_steps_down_as_worked_by_hand);
    tcase_add_test(tc, test_compare_stats_level_present_in_one_run_only_is_not_compared);
    tcase_add_test(tc, test_compare_stats_single_samples_leave_the_mean_interval_empty);
    tcase_add_test(tc, test_compare_stats_bootstrap_is_deterministic_to_the_bit);
    tcase_add_test(tc, test_compare_stats_bootstrap_agrees_with_naive_resampling);
    tcase_add_test(tc, test_compare_stats_million_against_million);
    suite_add_tcase(s, tc);
    return s;
}
