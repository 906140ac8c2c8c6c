#include "compare_stats.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "probdist.h"
#include "stats.h"
#include "xalloc.h"

/* The bootstrap must draw the same bits on every machine with IEEE-754
 * doubles: no fused multiply-add contractions (GCC makes none in ISO C
 * mode; clang would where the target has FMA). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* SciPy's mannwhitneyu 'auto' takes the exact distribution when a sample
 * has at most this many observations and there are no ties. */
#define MWU_EXACT_MAX 8
/* The exact distribution costs a double per value of U up to min(U1, U2):
 * beyond this many (32 MB; reached only when the small side of at most 8
 * faces a million tie-free samples) the normal approximation serves. */
#define MWU_EXACT_MAX_TERMS (UINT64_C(1) << 22)
/* SciPy's ks_2samp 'auto' takes the exact distribution when neither
 * sample has more than this many observations. */
#define KS_EXACT_MAX 10000
/* 97.5 % normal quantile (scipy.stats.norm.ppf(0.975)). */
#define Z_975 1.959963984540054

/* ------------------------------------------------------------------ */
/* Random numbers: xoshiro256** (Blackman and Vigna, 2018) seeded by
 * splitmix64, and a logarithm from + - * / alone, so that every machine
 * with IEEE-754 doubles draws the same variates. */

typedef struct rng {
    uint64_t s[4];
    bool have_normal; /* the polar method makes normals in pairs */
    double normal;
} rng;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->have_normal = false;
    r->normal = 0;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform on the open interval (0, 1): the midpoints of 2^53 cells. */
static double rng_uniform(rng *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1p-53;
}

/* log(x) for finite x > 0 to about one ulp. libm's log may differ in the
 * last bit between C libraries, and one bit can turn a rejection step of
 * the gamma sampler; this uses exact scaling and correctly rounded
 * arithmetic only: x = m 2^e with m in [sqrt(1/2), sqrt(2)), and
 * log m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172. */
static double det_log(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01; /* 32 bits: e * ln2_hi is exact */
    static const double ln2_lo = 1.90821492927058770002e-10;
    int e;
    double m = frexp(x, &e);
    if (m < 0.70710678118654752440) {
        m *= 2;
        e--;
    }
    double s = (m - 1) / (m + 1), s2 = s * s;
    /* atanh(s)/s = sum s^(2k)/(2k+1); s^26 < 1e-20 ends it. */
    double series = 1.0 / 27;
    for (int k = 12; k >= 0; k--)
        series = series * s2 + 1.0 / (2 * k + 1);
    return e * ln2_hi + (2 * s * series + e * ln2_lo);
}

/* Standard normal, Marsaglia's polar method. */
static double rng_normal(rng *r)
{
    if (r->have_normal) {
        r->have_normal = false;
        return r->normal;
    }
    double u, v, s;
    do {
        u = 2 * rng_uniform(r) - 1;
        v = 2 * rng_uniform(r) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double f = sqrt(-2 * det_log(s) / s);
    r->normal = v * f;
    r->have_normal = true;
    return u * f;
}

/* Gamma(a, 1) for a >= 1: Marsaglia and Tsang, "A simple method for
 * generating gamma variables", ACM TOMS 26(3), 2000 (an exact rejection
 * method); a = 1 is the exponential. */
static double rng_gamma(rng *r, double a)
{
    if (a == 1)
        return -det_log(rng_uniform(r));
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x, v;
        do {
            x = rng_normal(r);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = rng_uniform(r), x2 = x * x;
        if (u < 1 - 0.0331 * x2 * x2)
            return d * v;
        if (det_log(u) < 0.5 * x2 + d * (1 - v + det_log(v)))
            return d * v;
    }
}

/* Beta(a, b) for a, b >= 1, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
static double rng_beta(rng *r, double a, double b)
{
    double x = rng_gamma(r, a);
    double y = rng_gamma(r, b);
    return x / (x + y);
}

/* ------------------------------------------------------------------ */
/* The bootstrap of percentiles without building resamples.
 *
 * A resample of sorted[0..n) takes n indices I = floor(n V), V uniform on
 * (0, 1); as sorted is non-decreasing, the resample's k-th smallest value
 * is sorted[I_(k)], and as floor is monotone I_(k) = floor(n V_(k)), the
 * k-th smallest of n uniforms. V_(k) ~ Beta(k, n + 1 - k), and given
 * V_(j) = u the later order statistics are those of n - j uniforms on
 * (u, 1): V_(k) = u + (1 - u) Beta(k - j, n + 1 - k). Drawing the ranks
 * a percentile needs in increasing order this way gives them jointly with
 * exactly the distribution a resample gives them, at a cost independent
 * of n. */

/* The ranks (1-based) whose values PERCENTILE.INC at per_10000 interpolates,
 * and the weight of the upper one; as stats_percentile computes them. */
static void percentile_ranks(size_t n, unsigned per_10000, size_t *lo_rank, size_t *hi_rank,
                             double *frac)
{
    uint64_t scaled = (uint64_t)(n - 1) * per_10000;
    size_t lo = (size_t)(scaled / 10000);
    *frac = (double)(scaled % 10000) / 10000.0;
    *lo_rank = lo + 1;
    *hi_rank = (lo + 1 >= n || *frac == 0) ? lo + 1 : lo + 2;
}

/* What one side needs per replicate: the distinct ranks to draw, in
 * increasing order, and where each percentile finds its two. */
typedef struct draw_plan {
    size_t n;        /* samples on this side */
    size_t count;    /* distinct ranks */
    size_t *ranks;   /* [count], increasing, 1-based */
    size_t *lo_slot; /* [percentiles]: index into ranks of the lower rank */
    size_t *hi_slot; /* [percentiles]: of the upper rank */
    double *frac;    /* [percentiles]: weight of the upper rank */
    size_t *index;   /* [count]: drawn sample index of each rank */
} draw_plan;

/* Where rank is in ranks (it is there). */
static size_t find_rank(const size_t *ranks, size_t rank)
{
    size_t i = 0;
    while (ranks[i] != rank)
        i++;
    return i;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void plan_init(draw_plan *p, size_t n, const unsigned *per_10000, size_t count)
{
    p->n = n;
    p->ranks = xmalloc(2 * count * sizeof *p->ranks);
    p->lo_slot = xmalloc(count * sizeof *p->lo_slot);
    p->hi_slot = xmalloc(count * sizeof *p->hi_slot);
    p->frac = xmalloc(count * sizeof *p->frac);
    p->index = xmalloc(2 * count * sizeof *p->index);
    size_t *lo = xmalloc(count * sizeof *lo), *hi = xmalloc(count * sizeof *hi);
    size_t all = 0;
    for (size_t j = 0; j < count; j++) {
        percentile_ranks(n, per_10000[j], &lo[j], &hi[j], &p->frac[j]);
        p->ranks[all++] = lo[j];
        p->ranks[all++] = hi[j];
    }
    qsort(p->ranks, all, sizeof *p->ranks, compare_size);
    p->count = 0;
    for (size_t i = 0; i < all; i++)
        if (p->count == 0 || p->ranks[p->count - 1] != p->ranks[i])
            p->ranks[p->count++] = p->ranks[i];
    for (size_t j = 0; j < count; j++) {
        p->lo_slot[j] = find_rank(p->ranks, lo[j]);
        p->hi_slot[j] = find_rank(p->ranks, hi[j]);
    }
    free(lo);
    free(hi);
}

static void plan_free(draw_plan *p)
{
    free(p->ranks);
    free(p->lo_slot);
    free(p->hi_slot);
    free(p->frac);
    free(p->index);
}

/* Draws the sample indices of the plan's ranks for one resample. */
static void plan_draw(draw_plan *p, rng *r)
{
    double n = (double)p->n, u = 0;
    size_t previous = 0;
    for (size_t i = 0; i < p->count; i++) {
        size_t k = p->ranks[i];
        u += (1 - u) * rng_beta(r, (double)(k - previous), (double)(p->n + 1 - k));
        double at = floor(n * u);
        p->index[i] = at >= n ? p->n - 1 : (size_t)at; /* u rounded up to 1 */
        previous = k;
    }
}

/* The resample's PERCENTILE.INC at percentile j, as stats_percentile. */
static double plan_value(const draw_plan *p, const double *sorted, size_t j)
{
    double lo = sorted[p->index[p->lo_slot[j]]];
    if (p->lo_slot[j] == p->hi_slot[j])
        return lo;
    return lo + p->frac[j] * (sorted[p->index[p->hi_slot[j]]] - lo);
}

void compare_stats_bootstrap_percentiles(const double *baseline, size_t n_baseline,
                                         const double *other, size_t n_other,
                                         const unsigned *per_10000, size_t count,
                                         size_t replicates, uint64_t seed, double *diffs)
{
    if (n_baseline == 0 || n_other == 0) {
        for (size_t i = 0; i < replicates * count; i++)
            diffs[i] = NAN;
        return;
    }
    draw_plan pb, po;
    plan_init(&pb, n_baseline, per_10000, count);
    plan_init(&po, n_other, per_10000, count);
    rng r;
    rng_seed(&r, seed);
    for (size_t rep = 0; rep < replicates; rep++) {
        plan_draw(&pb, &r);
        plan_draw(&po, &r);
        for (size_t j = 0; j < count; j++)
            diffs[rep * count + j] = plan_value(&po, other, j) - plan_value(&pb, baseline, j);
    }
    plan_free(&pb);
    plan_free(&po);
}

/* ------------------------------------------------------------------ */
/* Intervals that need no resampling. */

void compare_stats_welch(double mean_baseline, double var_baseline, size_t n_baseline,
                         double mean_other, double var_other, size_t n_other, double *lo,
                         double *hi, double *df)
{
    *lo = *hi = *df = NAN;
    if (n_baseline < 2 || n_other < 2)
        return;
    double diff = mean_other - mean_baseline;
    double sb = var_baseline / (double)n_baseline, so = var_other / (double)n_other;
    double se2 = sb + so;
    if (se2 == 0) { /* both sides constant: nothing varies */
        *lo = *hi = diff;
        return;
    }
    *df = se2 * se2 / (sb * sb / (double)(n_baseline - 1) + so * so / (double)(n_other - 1));
    double half = probdist_t_quantile(0.975, *df) * sqrt(se2);
    *lo = diff - half;
    *hi = diff + half;
}

/* Wilson's score interval of k/n (no continuity correction). */
static void wilson(size_t k, size_t n, double *lo, double *hi)
{
    double nn = (double)n, p = (double)k / nn, z2 = Z_975 * Z_975;
    double centre = 2 * nn * p + z2;
    double spread = Z_975 * sqrt(z2 + 4 * nn * p * (1 - p));
    *lo = (centre - spread) / (2 * (nn + z2));
    *hi = (centre + spread) / (2 * (nn + z2));
}

void compare_stats_newcombe(size_t k_baseline, size_t n_baseline, size_t k_other, size_t n_other,
                            double *lo, double *hi)
{
    if (n_baseline == 0 || n_other == 0) {
        *lo = *hi = NAN;
        return;
    }
    double pb = (double)k_baseline / (double)n_baseline, po = (double)k_other / (double)n_other;
    double lb, ub, lo_o, uo;
    wilson(k_baseline, n_baseline, &lb, &ub);
    wilson(k_other, n_other, &lo_o, &uo);
    double d = po - pb;
    *lo = d - sqrt((po - lo_o) * (po - lo_o) + (ub - pb) * (ub - pb));
    *hi = d + sqrt((uo - po) * (uo - po) + (pb - lb) * (pb - lb));
}

/* ------------------------------------------------------------------ */
/* Mann-Whitney U. */

/* The baseline's U (twice it, to stay in integers), from midranks over
 * the merged sorted arrays, and the tie term sum(t^3 - t) over groups of
 * equal values. */
static uint64_t merge_ranks(const double *b, size_t nb, const double *o, size_t no,
                            double *tie_term)
{
    uint64_t twice_u = 0;
    size_t i = 0, j = 0;
    *tie_term = 0;
    while (i < nb || j < no) {
        double v = (j >= no || (i < nb && b[i] <= o[j])) ? b[i] : o[j];
        size_t in_b = 0, in_o = 0;
        while (i < nb && b[i] == v) {
            i++;
            in_b++;
        }
        while (j < no && o[j] == v) {
            j++;
            in_o++;
        }
        /* each baseline value beats the j - in_o smaller others and ties
         * with in_o: U counts a tie as half */
        twice_u += (uint64_t)in_b * (2 * (uint64_t)(j - in_o) + in_o);
        double t = (double)(in_b + in_o);
        *tie_term += (t - 1) * t * (t + 1);
    }
    return twice_u;
}

/* P(U <= k) under the null for samples of m and n without ties, from the
 * generating function of U: the Gaussian binomial coefficient
 * [m+n choose m]_q = prod_{j=1..m} (1 - q^(n+j)) / (1 - q^j), kept as
 * probabilities and truncated after q^k. Every step is a subtraction of
 * smaller terms then prefix sums of non-negative ones, so for k at most
 * half of mn (all we need) nothing cancels badly. O(min(m,n) k). */
static double mwu_exact_cdf(uint64_t k, size_t m, size_t n)
{
    if (m > n) {
        size_t t = m;
        m = n;
        n = t;
    }
    double *c = xcalloc(k + 1, sizeof *c);
    c[0] = 1;
    for (size_t j = 1; j <= m; j++) {
        /* times 1 - q^(n+j), from the top so that c[i - shift] is old */
        uint64_t shift = n + j;
        for (uint64_t i = k; i >= shift && i <= k; i--)
            c[i] -= c[i - shift];
        /* over 1 - q^j (prefix sums at stride j), times j / (n+j) since
         * the count of arrangements grows by (n+j)/j */
        double scale = (double)j / (double)(n + j);
        for (uint64_t i = 0; i <= k; i++)
            c[i] = scale * c[i] + (i >= j ? c[i - j] : 0);
    }
    double sum = 0;
    for (uint64_t i = 0; i <= k; i++)
        sum += c[i];
    free(c);
    return sum;
}

void compare_stats_mann_whitney(const double *baseline, size_t n_baseline, const double *other,
                                size_t n_other, compare_stats_test *test, double *cliffs_delta)
{
    if (n_baseline == 0 || n_other == 0) {
        test->statistic = test->p = NAN;
        test->method = COMPARE_STATS_UNDEFINED;
        if (cliffs_delta)
            *cliffs_delta = NAN;
        return;
    }
    double tie_term;
    uint64_t twice_u1 = merge_ranks(baseline, n_baseline, other, n_other, &tie_term);
    double n1 = (double)n_baseline, n2 = (double)n_other, pairs = n1 * n2;
    double u1 = (double)twice_u1 / 2;
    test->statistic = u1;
    uint64_t twice_u2 = 2 * (uint64_t)n_baseline * n_other - twice_u1;
    /* (U2 - U1) / (n1 n2): #(other > baseline) - #(other < baseline) over
     * the pairs, the numerator exact so that swapping sides negates it */
    if (cliffs_delta)
        *cliffs_delta = ((double)twice_u2 - (double)twice_u1) / (2 * pairs);
    bool small = n_baseline <= MWU_EXACT_MAX || n_other <= MWU_EXACT_MAX;
    /* without ties U is an integer, and P = 2 P(U <= min(U1, U2)) */
    uint64_t k = (twice_u1 < twice_u2 ? twice_u1 : twice_u2) / 2;
    if (small && tie_term == 0 && k <= MWU_EXACT_MAX_TERMS) {
        double p = 2 * mwu_exact_cdf(k, n_baseline, n_other);
        test->p = p > 1 ? 1 : p;
        test->method = COMPARE_STATS_EXACT;
        return;
    }
    double n = n1 + n2;
    double sd = sqrt(pairs / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    double u = (twice_u1 > twice_u2 ? twice_u1 : twice_u2) / 2.0;
    double p = 1;
    if (sd > 0) {
        double z = (u - pairs / 2 - 0.5) / sd; /* continuity correction */
        p = erfc(z / sqrt(2.0));               /* 2 P(Z > z) */
    }
    test->p = p > 1 ? 1 : p;
    test->method = COMPARE_STATS_ASYMPTOTIC;
}

/* ------------------------------------------------------------------ */
/* Kolmogorov-Smirnov: the one-sample distribution (SciPy's kstwo, after
 * Simard and L'Ecuyer, "Computing the two-sided Kolmogorov-Smirnov
 * distribution", J. Stat. Software 39(11), 2011), used for large samples. */

/* Scaling that keeps the matrix and recursion methods in range. */
#define BIG 0x1p128
#define SMALL 0x1p-128

static double clip01(double p)
{
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* log(n! / n^n) by Stirling's series, n*log(n) removed up front. */
static double log_nfactorial_over_n_to_n(double n)
{
    /* B_2j / (2j (2j-1)) for j = 8 down to 1 */
    static const double coef[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
                                  -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                  -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                  -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    double rn = 1 / n, y = rn / n, poly = 0;
    for (int i = 0; i < 8; i++)
        poly = poly * y + coef[i];
    return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * poly;
}

/* floor(n x) and the fraction n x - floor(n x), exactly (fma gives the
 * rounding error of the product). */
static int64_t floor_nx(int64_t n, double x, double *frac)
{
    double p = (double)n * x;
    double err = fma((double)n, x, -p);
    double fl = floor(p);
    if (p == fl && err < 0)
        fl -= 1;
    *frac = (p - fl) + err;
    if (*frac >= 1) { /* err rounded it up to the next integer */
        fl += 1;
        *frac = 0;
    }
    return (int64_t)fl;
}

/* P(D+_n >= x), the one-sided statistic: SciPy's smirnov(n, x). Below
 * 10^6 samples the Smirnov / Birnbaum-Tingey sum
 *   x sum_{v=0}^{floor(n(1-x))} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 * whose terms are all positive, each computed in logarithms; above, the
 * approximation exp(-(6nx+1)^2 / 18n) that SciPy uses there. */
static double smirnov_sf(int64_t n, double x)
{
    if (n == 1)
        return 1 - x;
    if (x <= 0)
        return 1;
    if (x >= 1)
        return 0;
    double alpha;
    int64_t nxfl = floor_nx(n, x, &alpha);
    double nd = (double)n;
    if (nxfl == 0 || (nxfl == 1 && alpha == 0)) /* x <= 1/n */
        return 1 - x * pow(1 + x, nd - 1);
    if (-2 * nd * x * x < -708.3964185322641) /* cephes MINLOG: underflows */
        return 0;
    if (nxfl >= n - 1)
        return pow(1 - x, nd);
    if (n > 1000000) {
        double logp = -pow(6 * nd * x + 1, 2) / 18 / nd;
        return logp < -M_LN2 ? exp(logp) : 1 + expm1(logp);
    }
    /* Terms v = 0 .. n - nxfl - 1 (the next one is zero or absent).
     * x + v/n and 1 - x - v/n from the exact split n x = nxfl + alpha. */
    double sum = 0, comp = 0; /* Neumaier's sum: up to a million terms */
    double lg_n = lgamma(nd + 1);
    for (int64_t v = 0; v <= n - nxfl - 1; v++) {
        double up = ((double)(v + nxfl) + alpha) / nd;
        double down = ((double)(n - v - nxfl) - alpha) / nd;
        double log_binom = lg_n - lgamma((double)v + 1) - lgamma((double)(n - v) + 1);
        double t = log_binom + (double)(v - 1) * log(up) + (double)(n - v) * log(down);
        double term = exp(t), s = sum + term;
        comp += fabs(sum) >= term ? (sum - s) + term : (term - s) + sum;
        sum = s;
    }
    return clip01(x * (sum + comp));
}

/* P(D_n <= d) by Durbin's matrix method as Marsaglia, Tsang and Wang
 * compute it ("Evaluating Kolmogorov's distribution", J. Stat. Software
 * 8(18), 2003): the k-th diagonal entry of H^n n!/n^n, scaled by powers
 * of 2 kept apart. */
static double kolmogorov_durbin_cdf(int64_t n, double d)
{
    double nd = (double)n * d;
    int k = (int)ceil(nd);
    double h = k - nd;
    int m = 2 * k - 1;
    size_t mm = (size_t)m * (size_t)m;
    double *H = xcalloc(mm, sizeof *H), *P = xcalloc(mm, sizeof *P), *T = xmalloc(mm * sizeof *T);
    double *v = xmalloc((size_t)m * sizeof *v), *w = xmalloc((size_t)m * sizeof *w);
    double fac = 1;
    for (int j = 1; j <= m; j++) {
        w[j - 1] = fac;
        fac /= j;
        v[j - 1] = (1 - pow(h, j)) * fac;
    }
    double tt = pow(fmax(2 * h - 1, 0), m) - 2 * pow(h, m);
    v[m - 1] = (1 + tt) * fac;
    for (int c = 1; c < m; c++)
        for (int r = c - 1; r < m; r++)
            H[(size_t)r * m + c] = w[r - (c - 1)];
    for (int r = 0; r < m; r++)
        H[(size_t)r * m] = v[r];
    for (int c = 0; c < m; c++)
        H[(size_t)(m - 1) * m + c] = v[m - 1 - c];
    for (int i = 0; i < m; i++)
        P[(size_t)i * m + i] = 1;
    int p_exp = 0, h_exp = 0;
    for (int64_t e = n; e > 0; e /= 2) {
        if (e % 2) {
            memset(T, 0, mm * sizeof *T);
            for (int r = 0; r < m; r++)
                for (int s = 0; s < m; s++) {
                    double a = P[(size_t)r * m + s];
                    for (int c = 0; c < m; c++)
                        T[(size_t)r * m + c] += a * H[(size_t)s * m + c];
                }
            memcpy(P, T, mm * sizeof *T);
            p_exp += h_exp;
        }
        memset(T, 0, mm * sizeof *T);
        for (int r = 0; r < m; r++)
            for (int s = 0; s < m; s++) {
                double a = H[(size_t)r * m + s];
                for (int c = 0; c < m; c++)
                    T[(size_t)r * m + c] += a * H[(size_t)s * m + c];
            }
        memcpy(H, T, mm * sizeof *T);
        h_exp *= 2;
        if (fabs(H[(size_t)(k - 1) * m + (k - 1)]) > BIG) {
            for (size_t i = 0; i < mm; i++)
                H[i] /= BIG;
            h_exp += 128;
        }
    }
    double p = P[(size_t)(k - 1) * m + (k - 1)];
    for (int64_t i = 1; i <= n; i++) {
        p = (double)i * p / (double)n;
        if (fabs(p) < SMALL) {
            p *= BIG;
            p_exp -= 128;
        }
    }
    free(H);
    free(P);
    free(T);
    free(v);
    free(w);
    return clip01(ldexp(p, p_exp));
}

/* The columns of row i of Pomeranz's recursion that can be non-zero. */
static void pomeranz_bounds(int64_t i, int64_t n, int64_t ll, int ceilf, int roundf, int64_t *j1,
                            int64_t *j2)
{
    int64_t a, b;
    if (i == 0) {
        a = -ll - ceilf - 1;
        b = ll + ceilf - 1;
    } else {
        int64_t half = (i + 1) / 2;
        if ((i + 1) % 2 == 0) { /* i odd */
            if (half == n + 1) {
                a = n - ll - ceilf - 1;
                b = n + ll + ceilf - 1;
            } else {
                a = half - 1 - ll - roundf - 1;
                b = half + ll - 1 + ceilf - 1;
            }
        } else {
            a = half - 1 - ll - 1;
            b = half + ll + roundf - 1;
        }
    }
    *j1 = a + 2 > 0 ? a + 2 : 0;
    *j2 = b < n ? b : n;
}

/* P(D_n <= d) by Pomeranz's recursion ("Exact cumulative distribution of
 * the Kolmogorov-Smirnov statistic for small samples", CACM 17(12), 1974),
 * as Simard and L'Ecuyer arrange it: 2n+1 convolutions of a row with
 * truncated Poisson weights. */
static double kolmogorov_pomeranz_cdf(int64_t n, double d)
{
    double t = (double)n * d;
    int64_t ll = (int64_t)floor(t);
    double f = t - (double)ll, g = fmin(f, 1 - f);
    int ceilf = f > 0, roundf = f > 0.5;
    size_t np = (size_t)(2 * (ll + 1));
    double *gp = xmalloc(np * sizeof *gp), *g2p = xmalloc(np * sizeof *g2p);
    double *g12p = xmalloc(np * sizeof *g12p);
    double *v0 = xcalloc(np, sizeof *v0), *v1 = xcalloc(np, sizeof *v1);
    double *conv = xmalloc(2 * np * sizeof *conv);
    double nd = (double)n;
    gp[0] = g2p[0] = g12p[0] = 1;
    for (size_t k = 1; k < np; k++) {
        gp[k] = gp[k - 1] * (g / nd) / (double)k;
        g2p[k] = g2p[k - 1] * (2 * g / nd) / (double)k;
        g12p[k] = g12p[k - 1] * ((1 - 2 * g) / nd) / (double)k;
    }
    v1[0] = 1;
    int64_t s0 = 0, s1 = 0; /* the columns v0[0] and v1[0] stand for */
    int expo = 0;
    int64_t j1, j2;
    pomeranz_bounds(0, n, ll, ceilf, roundf, &j1, &j2);
    for (int64_t i = 1; i <= 2 * n + 1; i++) {
        int64_t k1 = j1;
        double *swap = v0;
        v0 = v1;
        v1 = swap;
        int64_t st = s0;
        s0 = s1;
        s1 = st;
        memset(v1, 0, np * sizeof *v1);
        pomeranz_bounds(i, n, ll, ceilf, roundf, &j1, &j2);
        const double *w = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? g2p : g12p);
        int64_t len = j2 - k1 + 1;
        if (len <= 0)
            continue;
        /* conv = v0[k1 - s0 .. + len) (*) w[0 .. len), as np.convolve */
        int64_t from = k1 - s0;
        int64_t avail = (int64_t)np - from;
        int64_t la = len < avail ? len : avail;
        int64_t lc = la + len - 1;
        for (int64_t c = 0; c < lc; c++) {
            double acc = 0;
            for (int64_t a = c - len + 1 > 0 ? c - len + 1 : 0; a < la && a <= c; a++)
                acc += v0[from + a] * w[c - a];
            conv[c] = acc;
        }
        int64_t start = j1 - k1, count = j2 - j1 + 1;
        double top = 0;
        for (int64_t c = 0; c < count && start + c < lc; c++) {
            v1[c] = conv[start + c];
            top = fmax(top, v1[c]);
        }
        if (top > 0 && top < SMALL) {
            for (size_t c = 0; c < np; c++)
                v1[c] *= BIG;
            expo -= 128;
        }
        s1 = s0 + j1 - k1;
    }
    double ans = v1[n - s1];
    for (int64_t k = 1; k <= n; k++) {
        if (fabs(ans) > BIG) {
            ans *= SMALL;
            expo += 128;
        }
        ans *= (double)k;
    }
    free(gp);
    free(g2p);
    free(g12p);
    free(v0);
    free(v1);
    free(conv);
    return clip01(ldexp(ans, expo));
}

/* P(D_n <= d) by Pelz and Good's approximation ("Approximating the lower
 * tail-areas of the Kolmogorov-Smirnov one-sample statistic", JRSS B
 * 38(2), 1976): the Li-Chien / Korolyuk expansion K0 + K1/sqrt(n) +
 * K2/n + K3/n^1.5 in z = sqrt(n) d, each term in its theta-function form. */
static double kolmogorov_pelz_good_cdf(int64_t n, double x)
{
    double nd = (double)n;
    double z = sqrt(nd) * x, z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    double pi2 = M_PI * M_PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    double qlog = -pi2 / 8 / z2;
    if (qlog < -708)
        return 0;
    double q = exp(qlog);
    double k1a = -z2, k1b = pi2 / 4;
    double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
    double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
    double k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z6 * z2;
    double K[4] = {0, 0, 0, 0};
    int maxk = (int)ceil(16 * z / M_PI);
    /* sums over odd m = 2k-1 of c(m) q^(m^2), Horner in q^(8k) */
    for (int k = maxk; k >= 1; k--) {
        double m = 2.0 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
        double qp = pow(q, 8.0 * k);
        double c[4] = {1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                       k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int i = 0; i < 4; i++)
            K[i] = K[i] * qp + c[i];
    }
    double den[4] = {z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4};
    for (int i = 0; i < 4; i++)
        K[i] = K[i] * q * sqrt(2 * M_PI) / den[i];
    /* the sums over all k of K2 and K3 */
    double q2 = exp(-pi2 / 2 / z2), sum2 = 0, sum3 = 0;
    for (int k = maxk; k >= 1; k--) {
        double kk = (double)k * k, qk = pow(q2, kk), a = sqrt(3.0) * z, b = M_PI * k;
        sum2 += kk * qk;
        sum3 += (a + b) * (a - b) * kk * qk;
    }
    K[2] += sum2 * pi2 * sqrt(2 * M_PI) / (-36 * z3);
    K[3] += sum3 * pi2 * sqrt(2 * M_PI) / (216 * z6);
    return K[0] + K[1] / sqrt(nd) + K[2] / nd + K[3] / (nd * sqrt(nd));
}

double compare_stats_kstwo_sf(double d, int64_t n)
{
    if (isnan(d) || n < 1)
        return NAN;
    if (d >= 1)
        return 0;
    if (d <= 0)
        return 1;
    double nd = (double)n, t = nd * d;
    if (t <= 1) { /* Ruben and Gambino: P(D_n <= d) = n!/n^n (2t-1)^n */
        if (t <= 0.5)
            return 1;
        double cdf;
        if (n <= 140) {
            cdf = 1;
            for (int64_t i = 1; i <= n; i++)
                cdf *= (double)i * (1.0 / nd) * (2 * t - 1);
        } else {
            cdf = exp(log_nfactorial_over_n_to_n(nd) + nd * log(2 * t - 1));
        }
        return clip01(1 - cdf);
    }
    if (t >= nd - 1) /* Ruben and Gambino */
        return clip01(2 * pow(1 - d, nd));
    if (d >= 0.5) /* the two one-sided events cannot both happen */
        return clip01(2 * smirnov_sf(n, d));
    double nxx = t * d;
    if (n <= 140) {
        if (nxx <= 0.754693)
            return clip01(1 - kolmogorov_durbin_cdf(n, d));
        if (nxx <= 4)
            return clip01(1 - kolmogorov_pomeranz_cdf(n, d));
        return clip01(2 * smirnov_sf(n, d));
    }
    if (nxx >= 370)
        return 0;
    if (nxx >= 2.2)
        return clip01(2 * smirnov_sf(n, d));
    double cdf;
    if (n <= 100000 && nd * pow(d, 1.5) <= 1.4)
        cdf = kolmogorov_durbin_cdf(n, d);
    else
        cdf = kolmogorov_pelz_good_cdf(n, d);
    return clip01(1 - clip01(cdf));
}

/* ------------------------------------------------------------------ */
/* Kolmogorov-Smirnov: the exact two-sample distribution, as SciPy's
 * ks_2samp computes it (Hodges, "The significance probability of the
 * Smirnov two-sample test", Arkiv for Matematik 3(43), 1958). */

/* P(D >= h/n) for two samples of n: 2 sum_k (-1)^(k+1) C(2n, n-kh)/C(2n, n),
 * each ratio a product of h factors, summed Horner-like from the
 * smallest term so that nothing cancels. */
static double ks_exact_equal(int64_t n, int64_t h)
{
    double p = 0;
    for (int64_t k = n / h; k >= 0; k--) {
        double term = 1;
        for (int64_t j = 0; j < h; j++)
            term = (double)(n - k * h - j) * term / (double)(n + k * h + j + 1);
        p = term * (1 - p);
    }
    return 2 * p;
}

/* P(D >= h / lcm(m, n)) for samples of m and n, g = gcd(m, n): the share
 * of lattice paths from (0,0) to (m,n) that leave the band
 * |x/m - y/n| < h/lcm, computed directly as a probability column by
 * column (Viehmann, "Numerically more stable computation of the p-values
 * for the two-sample Kolmogorov-Smirnov test", arXiv:2102.08037).
 * A[j] is the chance that a random path to (i, j) has left the band. */
static double ks_exact_unequal(int64_t m, int64_t n, int64_t g, int64_t h)
{
    if (m < n) {
        int64_t t = m;
        m = n;
        n = t;
    }
    int64_t mg = m / g, ng = n / g;
    int64_t minj = 0, maxj = (h + mg - 1) / mg;
    if (maxj > n + 1)
        maxj = n + 1;
    int64_t curlen = maxj - minj;
    /* Entries at or past the window's length stand for cells above the
     * band: 1 (left). */
    size_t len = (size_t)n + 2;
    double *A = xmalloc(len * sizeof *A);
    for (size_t j = 0; j < len; j++)
        A[j] = j < (size_t)maxj ? 0 : 1;
    double p = 1;
    for (int64_t i = 1; i <= m; i++) {
        int64_t lastminj = minj, lastlen = curlen;
        /* floor((ng i - h)/mg) + 1 and ceil((ng i + h)/mg), in integers */
        int64_t num = ng * i - h;
        int64_t fl = num >= 0 ? num / mg : -((-num + mg - 1) / mg);
        minj = fl + 1 > 0 ? fl + 1 : 0;
        if (minj > n)
            minj = n;
        maxj = (ng * i + h + mg - 1) / mg;
        if (maxj > n + 1)
            maxj = n + 1;
        if (maxj <= minj)
            goto out; /* every path has left: p = 1 */
        double val = minj == 0 ? 0 : 1;
        for (int64_t jj = 0; jj < maxj - minj; jj++) {
            int64_t j = jj + minj;
            val = (A[jj + minj - lastminj] * (double)i + val * (double)j) / (double)(i + j);
            if (val < DBL_MIN)
                val = 0; /* subnormals are slow and below any p worth telling */
            A[jj] = val;
        }
        curlen = maxj - minj;
        for (int64_t jj = curlen; jj < lastlen; jj++)
            A[jj] = 1;
    }
    p = A[maxj - minj - 1];
out:
    free(A);
    return p;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void compare_stats_ks(const double *baseline, size_t n_baseline, const double *other,
                      size_t n_other, compare_stats_test *test)
{
    /* D = max |F_b(v) - F_o(v)| over the sample values v, both ECDFs
     * right-continuous; kept as the integer n_o i - n_b j. */
    if (n_baseline == 0 || n_other == 0) {
        test->statistic = test->p = NAN;
        test->method = COMPARE_STATS_UNDEFINED;
        return;
    }
    int64_t nb = (int64_t)n_baseline, no = (int64_t)n_other;
    int64_t above = 0, below = 0;
    size_t i = 0, j = 0;
    while (i < n_baseline || j < n_other) {
        double v = (j >= n_other || (i < n_baseline && baseline[i] <= other[j])) ? baseline[i]
                                                                                 : other[j];
        while (i < n_baseline && baseline[i] == v)
            i++;
        while (j < n_other && other[j] == v)
            j++;
        int64_t diff = (int64_t)i * no - (int64_t)j * nb;
        if (diff > above)
            above = diff;
        if (-diff > below)
            below = -diff;
    }
    int64_t top = above > below ? above : below;
    double d = (double)top / ((double)nb * (double)no);
    test->statistic = d;
    if (nb <= KS_EXACT_MAX && no <= KS_EXACT_MAX) {
        int64_t g = gcd64(nb, no), h = top / g; /* D = h / lcm exactly */
        double p = 1;
        if (h > 0)
            p = nb == no ? ks_exact_equal(nb, h) : ks_exact_unequal(nb, no, g, h);
        test->p = clip01(p);
        test->method = COMPARE_STATS_EXACT;
        return;
    }
    /* Large samples: the one-sample distribution at the effective size
     * mn/(m+n), rounded half to even as numpy's round. */
    double en = (double)nb * (double)no / ((double)nb + (double)no);
    test->p = clip01(compare_stats_kstwo_sf(d, (int64_t)nearbyint(en)));
    test->method = COMPARE_STATS_ASYMPTOTIC;
}

/* ------------------------------------------------------------------ */
/* One level, and the verdicts across levels. */

compare_stats_options compare_stats_defaults(void)
{
    compare_stats_options o = {1000.0, COMPARE_STATS_REPLICATES, COMPARE_STATS_SEED};
    return o;
}

static void diff_set(compare_stats_diff *d, double baseline, double other)
{
    d->baseline = baseline;
    d->other = other;
    d->diff = other - baseline;
    d->lo = d->hi = NAN;
}

/* One side's own statistics; NaN for an empty side. */
static void side_stats(const double *sorted, size_t n, double endurance_ms, double *mean,
                       double *variance, double pct[3], double *share)
{
    static const unsigned levels[3] = {5000, 9500, 9900};
    *mean = *variance = *share = NAN;
    pct[0] = pct[1] = pct[2] = NAN;
    if (n == 0)
        return;
    stats_mean_variance(sorted, n, mean, variance);
    for (int i = 0; i < 3; i++)
        pct[i] = stats_percentile(sorted, n, levels[i]);
    *share = 100.0 * (double)(n - stats_count_le(sorted, n, endurance_ms)) / (double)n;
}

/* The 2.5 % and 97.5 % PERCENTILE.INC of the replicates of column j. */
static void bootstrap_interval(const double *diffs, size_t replicates, size_t count, size_t j,
                               double *column, double *lo, double *hi)
{
    for (size_t r = 0; r < replicates; r++)
        column[r] = diffs[r * count + j];
    stats_sort(column, replicates);
    *lo = stats_percentile(column, replicates, 250);
    *hi = stats_percentile(column, replicates, 9750);
}

void compare_stats_level(const double *baseline, size_t n_baseline, const double *other,
                         size_t n_other, const compare_stats_options *options,
                         compare_stats_result *result)
{
    compare_stats_options opt = options ? *options : compare_stats_defaults();
    compare_stats_result *r = result;
    memset(r, 0, sizeof *r);
    r->n_baseline = n_baseline;
    r->n_other = n_other;

    double mb, vb, mo, vo, pb[3], po[3], sb, so;
    side_stats(baseline, n_baseline, opt.endurance_ms, &mb, &vb, pb, &sb);
    side_stats(other, n_other, opt.endurance_ms, &mo, &vo, po, &so);
    diff_set(&r->mean, mb, mo);
    diff_set(&r->p50, pb[0], po[0]);
    diff_set(&r->p95, pb[1], po[1]);
    diff_set(&r->p99, pb[2], po[2]);
    diff_set(&r->share_over, sb, so);
    r->welch_df = NAN;
    r->mann_whitney.statistic = r->mann_whitney.p = NAN;
    r->ks.statistic = r->ks.p = NAN;
    r->mann_whitney.method = r->ks.method = COMPARE_STATS_UNDEFINED;
    r->cliffs_delta = NAN;
    r->p_holm = NAN;
    r->verdict = COMPARE_STATS_NOT_COMPARED;
    if (n_baseline == 0 || n_other == 0)
        return;

    compare_stats_welch(mb, vb, n_baseline, mo, vo, n_other, &r->mean.lo, &r->mean.hi,
                        &r->welch_df);

    size_t over_b = n_baseline - stats_count_le(baseline, n_baseline, opt.endurance_ms);
    size_t over_o = n_other - stats_count_le(other, n_other, opt.endurance_ms);
    compare_stats_newcombe(over_b, n_baseline, over_o, n_other, &r->share_over.lo,
                           &r->share_over.hi);
    r->share_over.lo *= 100;
    r->share_over.hi *= 100;

    if (opt.replicates > 0) {
        static const unsigned levels[3] = {5000, 9500, 9900};
        compare_stats_diff *targets[3] = {&r->p50, &r->p95, &r->p99};
        double *diffs = xmalloc(opt.replicates * 3 * sizeof *diffs);
        double *column = xmalloc(opt.replicates * sizeof *column);
        compare_stats_bootstrap_percentiles(baseline, n_baseline, other, n_other, levels, 3,
                                            opt.replicates, opt.seed, diffs);
        for (size_t j = 0; j < 3; j++)
            bootstrap_interval(diffs, opt.replicates, 3, j, column, &targets[j]->lo,
                               &targets[j]->hi);
        free(diffs);
        free(column);
    }

    compare_stats_mann_whitney(baseline, n_baseline, other, n_other, &r->mann_whitney,
                               &r->cliffs_delta);
    compare_stats_ks(baseline, n_baseline, other, n_other, &r->ks);
    r->verdict = COMPARE_STATS_NO_DIFFERENCE;
}

/* Orders levels by p-value, ties by position, so the step-down is stable. */
typedef struct ranked_p {
    double p;
    size_t level;
} ranked_p;

static int compare_ranked(const void *a, const void *b)
{
    const ranked_p *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->level > y->level) - (x->level < y->level);
}

void compare_stats_holm(compare_stats_result *levels, size_t count, double alpha)
{
    ranked_p *family = xmalloc((count ? count : 1) * sizeof *family);
    size_t m = 0;
    for (size_t i = 0; i < count; i++) {
        if (levels[i].verdict == COMPARE_STATS_NOT_COMPARED || isnan(levels[i].mann_whitney.p)) {
            levels[i].verdict = COMPARE_STATS_NOT_COMPARED;
            levels[i].p_holm = NAN;
            continue;
        }
        family[m].p = levels[i].mann_whitney.p;
        family[m].level = i;
        m++;
    }
    qsort(family, m, sizeof *family, compare_ranked);
    /* The k-th smallest (from 0) is tested at alpha / (m - k); its adjusted
     * p-value is the running maximum of (m - k) p, capped at 1, and it is
     * rejected exactly when that is <= alpha. */
    double running = 0;
    for (size_t k = 0; k < m; k++) {
        double adjusted = (double)(m - k) * family[k].p;
        if (adjusted > 1)
            adjusted = 1;
        if (adjusted > running)
            running = adjusted;
        compare_stats_result *r = &levels[family[k].level];
        r->p_holm = running;
        if (running <= alpha && r->cliffs_delta < 0)
            r->verdict = COMPARE_STATS_BETTER;
        else if (running <= alpha && r->cliffs_delta > 0)
            r->verdict = COMPARE_STATS_WORSE;
        else
            r->verdict = COMPARE_STATS_NO_DIFFERENCE;
    }
    free(family);
}

const char *compare_stats_verdict_name(compare_stats_verdict verdict)
{
    switch (verdict) {
    case COMPARE_STATS_NO_DIFFERENCE:
        return "no significant difference";
    case COMPARE_STATS_BETTER:
        return "better";
    case COMPARE_STATS_WORSE:
        return "worse";
    case COMPARE_STATS_NOT_COMPARED:
        break;
    }
    return "not compared";
}
