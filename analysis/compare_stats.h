/* The statistics of "p3 compare": how the delays of one run (OTHER) at a
 * load level differ from those of a BASELINE run at the same level. Pure
 * functions on sorted arrays of delays in ms; every difference is OTHER
 * minus BASELINE, so a positive one means OTHER is slower.
 *
 * - mean: Welch's 95 % interval (Welch-Satterthwaite df, Student's t);
 * - p50, p95, p99 (PERCENTILE.INC): 95 % percentile-bootstrap intervals,
 *   2000 replicates from xoshiro256** seeded with "p3compar", each
 *   resample's order statistics drawn exactly without building it;
 * - share over the endurance line: Newcombe's hybrid score interval;
 * - Mann-Whitney U and two-sample Kolmogorov-Smirnov: statistic and
 *   two-sided p-value as scipy.stats.mannwhitneyu(baseline, other) and
 *   ks_2samp(baseline, other) give them with their defaults (SciPy 1.10);
 * - Cliff's delta; and across levels, Holm's correction and a verdict. */
#ifndef P3_COMPARE_STATS_H
#define P3_COMPARE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Bootstrap replicates per interval unless the options say otherwise. */
#define COMPARE_STATS_REPLICATES 2000
/* The bootstrap's default seed: the ASCII bytes of "p3compar". */
#define COMPARE_STATS_SEED UINT64_C(0x7033636f6d706172)
/* The family-wise error rate that compare_stats_holm is meant for. */
#define COMPARE_STATS_ALPHA 0.05

/* Settings of compare_stats_level; NULL means compare_stats_defaults(). */
typedef struct compare_stats_options {
    double endurance_ms; /* the share is of samples strictly over this (1000) */
    size_t replicates;   /* bootstrap replicates (COMPARE_STATS_REPLICATES);
                          * 0 skips the bootstrap: percentile intervals NaN */
    uint64_t seed;       /* bootstrap seed (COMPARE_STATS_SEED) */
} compare_stats_options;

/* The defaults: endurance line 1000 ms, 2000 replicates, COMPARE_STATS_SEED. */
compare_stats_options compare_stats_defaults(void);

/* One statistic of both runs and its difference with a 95 % interval.
 * A field that the samples cannot give is NaN (see compare_stats_level). */
typedef struct compare_stats_diff {
    double baseline; /* the statistic over the baseline's samples */
    double other;    /* the same over the other run's */
    double diff;     /* other - baseline */
    double lo, hi;   /* 95 % confidence interval of diff */
} compare_stats_diff;

/* How a test's p-value was computed. */
typedef enum compare_stats_method {
    COMPARE_STATS_UNDEFINED,  /* not computed: a side has no samples */
    COMPARE_STATS_EXACT,      /* from the exact null distribution */
    COMPARE_STATS_ASYMPTOTIC, /* from an approximation for large samples */
} compare_stats_method;

/* A two-sided test of "both runs' delays come from one distribution". */
typedef struct compare_stats_test {
    double statistic;           /* Mann-Whitney: U of the baseline; KS: D */
    double p;                   /* two-sided p-value, NaN when undefined */
    compare_stats_method method;
} compare_stats_test;

/* What a level's comparison concludes after the Holm step. */
typedef enum compare_stats_verdict {
    COMPARE_STATS_NOT_COMPARED, /* a side has no samples */
    COMPARE_STATS_NO_DIFFERENCE,
    COMPARE_STATS_BETTER,       /* significant, and OTHER tends to be faster */
    COMPARE_STATS_WORSE,        /* significant, and OTHER tends to be slower */
} compare_stats_verdict;

/* Everything compare_stats_level finds for one level. */
typedef struct compare_stats_result {
    size_t n_baseline, n_other;   /* samples on each side */
    compare_stats_diff mean;      /* Welch's interval */
    double welch_df;              /* its Welch-Satterthwaite degrees of freedom */
    compare_stats_diff p50, p95, p99; /* PERCENTILE.INC; bootstrap intervals */
    compare_stats_diff share_over; /* % of samples > endurance line, in
                                    * percentage points; Newcombe's interval */
    compare_stats_test mann_whitney; /* statistic: U1 of the baseline */
    compare_stats_test ks;           /* statistic: D */
    double cliffs_delta; /* P(OTHER > BASELINE) - P(OTHER < BASELINE), in [-1, 1] */
    double p_holm;       /* Mann-Whitney p after Holm (compare_stats_holm) */
    compare_stats_verdict verdict; /* set by compare_stats_holm */
} compare_stats_result;

/* Compares OTHER with BASELINE at one level. Both arrays are sorted
 * ascending (stats_sort), hold no NaN, and have fewer than 2^31 samples;
 * either may be empty. With a side empty only that side's own statistics
 * are filled, everything comparative is NaN and the verdict is
 * COMPARE_STATS_NOT_COMPARED. With both sides non-empty: the mean's
 * interval needs 2 samples on each side (NaN otherwise); verdict is
 * COMPARE_STATS_NO_DIFFERENCE and p_holm NaN until compare_stats_holm.
 * Deterministic: the same inputs and options give the same bits. */
void compare_stats_level(const double *baseline, size_t n_baseline, const double *other,
                         size_t n_other, const compare_stats_options *options,
                         compare_stats_result *result);

/* Holm's step-down correction of the levels' Mann-Whitney p-values, at
 * family-wise level alpha (COMPARE_STATS_ALPHA): sets each compared level's
 * p_holm (the Holm-adjusted p-value) and its verdict, BETTER or WORSE when
 * p_holm <= alpha by the sign of Cliff's delta. Levels not compared are
 * left out of the family. */
void compare_stats_holm(compare_stats_result *levels, size_t count, double alpha);

/* "better", "worse", "no significant difference" or "not compared";
 * a static string. */
const char *compare_stats_verdict_name(compare_stats_verdict verdict);

/* The parts of compare_stats_level, for callers that need only one and
 * for the tests. Arrays are sorted ascending; with a side empty the
 * results are NaN (and COMPARE_STATS_UNDEFINED). */

/* Mann-Whitney U as scipy.stats.mannwhitneyu(baseline, other) computes it
 * with its defaults: U of the baseline from midranks; the p-value exact
 * when a side has at most 8 samples and no value repeats (unless
 * min(U1, U2) > 2^22, for memory), else the normal approximation with tie
 * correction and continuity correction. Also Cliff's delta (NULL: not
 * wanted). O(n) on sorted input. */
void compare_stats_mann_whitney(const double *baseline, size_t n_baseline, const double *other,
                                size_t n_other, compare_stats_test *test, double *cliffs_delta);

/* Two-sample Kolmogorov-Smirnov as scipy.stats.ks_2samp(baseline, other)
 * computes it with its defaults: D = max |F_b - F_o|; the p-value from the
 * exact two-sample distribution when neither side has more than 10000
 * samples (then below 2.2e-308 it may come out 0), else
 * compare_stats_kstwo_sf(D, round(mn/(m+n))). O(n) on sorted input plus
 * up to about 2 D m n steps for the exact distribution. */
void compare_stats_ks(const double *baseline, size_t n_baseline, const double *other,
                      size_t n_other, compare_stats_test *test);

/* P(D_n >= d) for the one-sample two-sided Kolmogorov-Smirnov statistic of
 * n samples (scipy.stats.kstwo.sf(d, n)); the large-sample KS p-value. */
double compare_stats_kstwo_sf(double d, int64_t n);

/* Welch's 95 % interval of mean(other) - mean(baseline) from the sample
 * means and variances (n-1); *lo, *hi and *df are NaN unless both n >= 2.
 * When both variances are 0 the interval is the difference itself and
 * *df is NaN. */
void compare_stats_welch(double mean_baseline, double var_baseline, size_t n_baseline,
                         double mean_other, double var_other, size_t n_other, double *lo,
                         double *hi, double *df);

/* Newcombe's hybrid score 95 % interval of the difference of proportions
 * k_other/n_other - k_baseline/n_baseline (as fractions); NaN when a
 * side's n is 0. */
void compare_stats_newcombe(size_t k_baseline, size_t n_baseline, size_t k_other, size_t n_other,
                            double *lo, double *hi);

/* Bootstrap replicates of PERCENTILE.INC(other*) - PERCENTILE.INC(baseline*)
 * at each of the count per_10000 levels (9500: p95), where * is a resample
 * with replacement of the same size: diffs[r * count + j] for replicate r
 * and level j (replicates * count slots, the caller's), drawn from the
 * stream that seed starts. Each resample's order statistics are drawn
 * exactly without building it, so the cost does not depend on n. */
void compare_stats_bootstrap_percentiles(const double *baseline, size_t n_baseline,
                                         const double *other, size_t n_other,
                                         const unsigned *per_10000, size_t count,
                                         size_t replicates, uint64_t seed, double *diffs);

#endif
