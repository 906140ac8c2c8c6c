#include "probdist.h"

#include <float.h>
#include <math.h>

/* Continued-fraction iterations allowed; the fraction needs about the
 * square root of the larger parameter, so a billion samples fit. */
#define MAX_ITERATIONS 200000
/* Relative precision at which the fraction has converged. */
#define EPSILON 1e-15
/* Guards Lentz's method against division by zero. */
#define TINY 1e-300

/* The continued fraction of I_x(a, b) (converges fast for x < (a+1)/(a+b+2)),
 * evaluated by the modified Lentz method. */
static double beta_fraction(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < TINY)
        d = TINY;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= MAX_ITERATIONS; m++) {
        double m2 = 2.0 * m;
        /* Even step. */
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1 / d;
        h *= d * c;
        /* Odd step. */
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1 / d;
        double step = d * c;
        h *= step;
        if (fabs(step - 1) < EPSILON)
            break;
    }
    return h;
}

double probdist_betainc(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double front = exp(log_front);
    if (x < (a + 1) / (a + b + 2))
        return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double probdist_t_cdf(double t, double df)
{
    if (isinf(t))
        return t > 0 ? 1 : 0;
    double x = df / (df + t * t);
    double tail = 0.5 * probdist_betainc(df / 2, 0.5, x);
    return t > 0 ? 1 - tail : tail;
}

/* The x in [lo, hi] where cdf(x) = p, by bisection to the last bit. */
static double invert(double (*cdf)(double, double), double param, double p, double lo, double hi)
{
    for (int i = 0; i < 2000; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (cdf(mid, param) < p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

double probdist_t_quantile(double p, double df)
{
    /* The t quantile is within a few hundred of zero for any df >= 1 and
     * p in [1e-12, 1 - 1e-12]; beyond that the bracket grows. */
    double bound = 1e3;
    while (probdist_t_cdf(bound, df) < p && bound < 1e300)
        bound *= 1e3;
    while (probdist_t_cdf(-bound, df) > p && bound < 1e300)
        bound *= 1e3;
    return invert(probdist_t_cdf, df, p, -bound, bound);
}

double probdist_binom_cdf(int64_t k, int64_t n, double p)
{
    if (k < 0)
        return 0;
    if (k >= n)
        return 1;
    return probdist_betainc((double)(n - k), (double)(k + 1), 1 - p);
}

double probdist_normal_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static double normal_cdf_param(double x, double unused)
{
    (void)unused;
    return probdist_normal_cdf(x);
}

double probdist_normal_quantile(double p)
{
    return invert(normal_cdf_param, 0, p, -40, 40);
}

void probdist_quantile_ci_ranks(int64_t n, double q, double level, int64_t *lo, int64_t *hi)
{
    double alpha = (1 - level) / 2;
    /* lo: the largest r with P(B <= r - 1) <= alpha; F rises with r. */
    int64_t a = 1, b = n;
    *lo = 0;
    while (a <= b) {
        int64_t mid = a + (b - a) / 2;
        if (probdist_binom_cdf(mid - 1, n, q) <= alpha) {
            *lo = mid;
            a = mid + 1;
        } else {
            b = mid - 1;
        }
    }
    /* hi: the smallest r with P(B <= r - 1) >= 1 - alpha. */
    a = 1;
    b = n;
    *hi = 0;
    while (a <= b) {
        int64_t mid = a + (b - a) / 2;
        if (probdist_binom_cdf(mid - 1, n, q) >= 1 - alpha) {
            *hi = mid;
            b = mid - 1;
        } else {
            a = mid + 1;
        }
    }
}
