/* Descriptive statistics of one set of delays, exact over every sample:
 * percentiles by linear interpolation between closest ranks (Excel's
 * PERCENTILE.INC, numpy's default, R's type 7), the sample variance (n-1,
 * Excel's VAR.S), and counts in upper-inclusive buckets. */
#ifndef P3_STATS_H
#define P3_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Sorts values ascending in place (MSD radix on the IEEE bit patterns, so
 * no extra memory); NaN must not occur. */
void stats_sort(double *values, size_t n);

/* The PERCENTILE.INC of sorted[0..n) at per_10000/10000 (9500 for p95),
 * computed from an exact rank so that no rounding moves it between ranks.
 * n must be > 0. */
double stats_percentile(const double *sorted, size_t n, unsigned per_10000);

/* Mean (compensated sum), sample variance (corrected two-pass). *variance
 * is NaN when n < 2. n must be > 0. */
void stats_mean_variance(const double *values, size_t n, double *mean, double *variance);

/* Number of sorted values <= x. */
size_t stats_count_le(const double *sorted, size_t n, double x);

/* Counts of sorted values per upper-inclusive bucket: counts[k] for
 * edges[k-1] < d <= edges[k] (the first from -inf), and counts[edge_count]
 * for d > edges[edge_count-1]. counts has edge_count + 1 slots. */
void stats_buckets(const double *sorted, size_t n, const double *edges, size_t edge_count,
                   long long *counts);

/* The 95 % interval of the mean from Student's t: mean -/+ t(0.975, n-1)
 * sd / sqrt(n). NaN bounds when n < 2. */
void stats_mean_ci(double mean, double sd, size_t n, double *lo, double *hi);

/* The distribution-free 95 % interval of the per_10000/10000 quantile of
 * sorted[0..n): the order statistics whose ranks bound it with at least
 * 95 % confidence (probdist_quantile_ci_ranks). A bound no rank can give
 * (too few samples) is NaN. */
void stats_percentile_ci(const double *sorted, size_t n, unsigned per_10000, double *lo,
                         double *hi);

/* Weighted samples (histogram buckets, approximations from a tool's
 * percentiles): value x[i] stands for w[i] observations. The statistics
 * are those of the expanded data, never expanded: with whole weights they
 * equal what the functions above give for every observation written out. */

/* Sorts the pairs (x[i], w[i]) by x ascending. */
void stats_wsort(double *x, double *w, size_t n);

/* Turns weights into running sums in place: cum[i] = w[0] + ... + w[i]. */
void stats_cumulate(double *w, size_t n);

/* PERCENTILE.INC at per_10000 of sorted x with running sums cum (n > 0,
 * cum[n-1] > 0): rank (N-1) p over the N = cum[n-1] observations. */
double stats_wpercentile(const double *x, const double *cum, size_t n, unsigned per_10000);

/* The value of the observation of 0-based rank k (0 <= k < N). */
double stats_wrank(const double *x, const double *cum, size_t n, double k);

/* Weighted mean and sample variance (frequency weights, N - 1). x need
 * not be sorted; w are the weights (not running sums). */
void stats_wmean_variance(const double *x, const double *w, size_t n, double *mean,
                          double *variance);

/* Observations <= v. */
double stats_wcount_le(const double *x, const double *cum, size_t n, double v);

/* As stats_buckets(), counting observations. */
void stats_wbuckets(const double *x, const double *cum, size_t n, const double *edges,
                    size_t edge_count, double *counts);

/* As stats_percentile_ci() over the N observations. */
void stats_wpercentile_ci(const double *x, const double *cum, size_t n, unsigned per_10000,
                          double *lo, double *hi);

#endif
