/* Probability distributions the statistics need, computed to near double
 * precision without tables or resampling: the regularized incomplete beta
 * function and what follows from it (Student's t, the binomial), and the
 * normal distribution. */
#ifndef P3_PROBDIST_H
#define P3_PROBDIST_H

#include <stdint.h>

/* I_x(a, b), the regularized incomplete beta function, for a, b > 0 and
 * 0 <= x <= 1 (continued fraction, Lentz's method). */
double probdist_betainc(double a, double b, double x);

/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double probdist_t_cdf(double t, double df);
/* The t with P(T <= t) = p, 0 < p < 1. */
double probdist_t_quantile(double p, double df);

/* P(B <= k) for B ~ Binomial(n, p). */
double probdist_binom_cdf(int64_t k, int64_t n, double p);

/* P(Z <= x) for the standard normal, and its inverse for 0 < p < 1. */
double probdist_normal_cdf(double x);
double probdist_normal_quantile(double p);

/* 1-based ranks [*lo, *hi] of the order statistics that bound the q-th
 * quantile of n samples with confidence at least `level` (e.g. 0.95),
 * taking the same probability from each tail: lo is the largest rank with
 * P(B <= lo - 1) <= (1 - level) / 2 and hi the smallest with
 * P(B <= hi - 1) >= (1 + level) / 2, B ~ Binomial(n, q). A side that no
 * rank can cover at that level is 0 (too few samples). */
void probdist_quantile_ci_ranks(int64_t n, double q, double level, int64_t *lo, int64_t *hi);

#endif
