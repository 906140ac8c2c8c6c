#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probdist.h"
#include "xalloc.h"

/* Below this many elements insertion sort beats another radix pass. */
#define INSERTION_LIMIT 48

/* The byte at `shift` of a double's sort key: its IEEE bits with the sign
 * bit set for positive numbers and all bits flipped for negative ones, so
 * that keys order as the numbers do. Read through memcpy: no type punning. */
static inline int digit(const double *p, int shift)
{
    uint64_t bits;
    memcpy(&bits, p, sizeof bits);
    uint64_t key = bits >> 63 ? ~bits : bits | UINT64_C(1) << 63;
    return (int)((key >> shift) & 255);
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* In-place MSD radix sort by the key byte at `shift` and below ("American
 * flag sort": each pass permutes by cycles, so no buffer is needed). */
static void flag_sort(double *a, size_t n, int shift)
{
    while (n > INSERTION_LIMIT) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[digit(&a[i], shift)]++;
        size_t start[256], next[256], pos = 0, used = 0;
        for (int b = 0; b < 256; b++) {
            start[b] = next[b] = pos;
            pos += count[b];
            used += count[b] != 0;
        }
        if (used > 1) {
            for (int b = 0; b < 256; b++) {
                size_t end = start[b] + count[b];
                while (next[b] < end) {
                    double v = a[next[b]];
                    int d = digit(&v, shift);
                    while (d != b) {
                        double t = a[next[d]];
                        a[next[d]++] = v;
                        v = t;
                        d = digit(&v, shift);
                    }
                    a[next[b]++] = v;
                }
            }
        }
        if (shift == 0)
            return;
        if (used == 1) {
            shift -= 8; /* every key shares this byte: look at the next */
            continue;
        }
        for (int b = 0; b < 256; b++)
            if (count[b] > 1)
                flag_sort(a + start[b], count[b], shift - 8);
        return;
    }
    insertion_sort(a, n);
}

void stats_sort(double *values, size_t n)
{
    flag_sort(values, n, 56);
}

double stats_percentile(const double *sorted, size_t n, unsigned per_10000)
{
    /* rank h = (n-1) p, split into whole and fraction exactly. */
    uint64_t scaled = (uint64_t)(n - 1) * per_10000;
    size_t lo = (size_t)(scaled / 10000);
    double frac = (double)(scaled % 10000) / 10000.0;
    if (lo + 1 >= n || frac == 0)
        return sorted[lo];
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

void stats_mean_variance(const double *values, size_t n, double *mean, double *variance)
{
    /* Neumaier's compensated sum. */
    double sum = 0, comp = 0;
    for (size_t i = 0; i < n; i++) {
        double t = sum + values[i];
        comp += fabs(sum) >= fabs(values[i]) ? (sum - t) + values[i] : (values[i] - t) + sum;
        sum = t;
    }
    double m = (sum + comp) / (double)n;
    *mean = m;
    if (n < 2) {
        *variance = NAN;
        return;
    }
    /* Corrected two-pass: the second sum removes the rounding error of m. */
    double squares = 0, deviations = 0;
    for (size_t i = 0; i < n; i++) {
        double d = values[i] - m;
        squares += d * d;
        deviations += d;
    }
    double v = (squares - deviations * deviations / (double)n) / (double)(n - 1);
    *variance = v < 0 ? 0 : v;
}

size_t stats_count_le(const double *sorted, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void stats_buckets(const double *sorted, size_t n, const double *edges, size_t edge_count,
                   long long *counts)
{
    size_t below = 0;
    for (size_t k = 0; k < edge_count; k++) {
        size_t le = stats_count_le(sorted, n, edges[k]);
        counts[k] = (long long)(le - below);
        below = le;
    }
    counts[edge_count] = (long long)(n - below);
}

void stats_mean_ci(double mean, double sd, size_t n, double *lo, double *hi)
{
    if (n < 2 || !isfinite(sd)) {
        *lo = *hi = NAN;
        return;
    }
    double half = probdist_t_quantile(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    *lo = mean - half;
    *hi = mean + half;
}

void stats_percentile_ci(const double *sorted, size_t n, unsigned per_10000, double *lo,
                         double *hi)
{
    int64_t rlo = 0, rhi = 0;
    if (n > 0)
        probdist_quantile_ci_ranks((int64_t)n, per_10000 / 10000.0, 0.95, &rlo, &rhi);
    *lo = rlo > 0 ? sorted[rlo - 1] : NAN;
    *hi = rhi > 0 ? sorted[rhi - 1] : NAN;
}

typedef struct pair {
    double x, w;
} pair;

static int pair_order(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

void stats_wsort(double *x, double *w, size_t n)
{
    if (n < 2)
        return;
    pair *p = xreallocarray(NULL, n, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (pair){x[i], w[i]};
    qsort(p, n, sizeof *p, pair_order);
    for (size_t i = 0; i < n; i++) {
        x[i] = p[i].x;
        w[i] = p[i].w;
    }
    free(p);
}

void stats_cumulate(double *w, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        w[i] = sum += w[i];
}

double stats_wrank(const double *x, const double *cum, size_t n, double k)
{
    size_t lo = 0, hi = n; /* the first i with cum[i] > k */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return x[lo < n ? lo : n - 1];
}

double stats_wpercentile(const double *x, const double *cum, size_t n, unsigned per_10000)
{
    double total = cum[n - 1];
    double h = (total - 1) * (double)per_10000 / 10000.0;
    if (h < 0)
        h = 0;
    double lo = floor(h), frac = h - lo;
    double a = stats_wrank(x, cum, n, lo);
    if (frac == 0 || lo + 1 >= total)
        return a;
    return a + frac * (stats_wrank(x, cum, n, lo + 1) - a);
}

void stats_wmean_variance(const double *x, const double *w, size_t n, double *mean,
                          double *variance)
{
    double total = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        total += w[i];
        sum += w[i] * x[i];
    }
    double m = sum / total;
    *mean = m;
    if (total < 2) {
        *variance = NAN;
        return;
    }
    double squares = 0;
    for (size_t i = 0; i < n; i++)
        squares += w[i] * (x[i] - m) * (x[i] - m);
    *variance = squares / (total - 1);
}

double stats_wcount_le(const double *x, const double *cum, size_t n, double v)
{
    size_t k = stats_count_le(x, n, v);
    return k ? cum[k - 1] : 0;
}

void stats_wbuckets(const double *x, const double *cum, size_t n, const double *edges,
                    size_t edge_count, double *counts)
{
    double below = 0;
    for (size_t k = 0; k < edge_count; k++) {
        double le = stats_wcount_le(x, cum, n, edges[k]);
        counts[k] = le - below;
        below = le;
    }
    counts[edge_count] = (n ? cum[n - 1] : 0) - below;
}

void stats_wpercentile_ci(const double *x, const double *cum, size_t n, unsigned per_10000,
                          double *lo, double *hi)
{
    int64_t rlo = 0, rhi = 0;
    int64_t total = n ? (int64_t)llround(cum[n - 1]) : 0;
    if (total > 0)
        probdist_quantile_ci_ranks(total, per_10000 / 10000.0, 0.95, &rlo, &rhi);
    *lo = rlo > 0 ? stats_wrank(x, cum, n, (double)(rlo - 1)) : NAN;
    *hi = rhi > 0 ? stats_wrank(x, cum, n, (double)(rhi - 1)) : NAN;
}
