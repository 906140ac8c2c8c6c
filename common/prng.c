#include "prng.h"

/* splitmix64's increment (the golden ratio) and finaliser constants. */
#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void prng_init(prng *r, uint64_t seed, uint64_t stream)
{
    /* Mixing seed and stream separately keeps (seed, stream) pairs apart
     * even when seed + stream collide. */
    r->state = mix(seed + GOLDEN) ^ mix((stream + 1) * GOLDEN);
}

uint64_t prng_next(prng *r)
{
    return mix(r->state += GOLDEN);
}

double prng_uniform(prng *r)
{
    return ((double)(prng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

int64_t prng_range(prng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span == 0)
        return (int64_t)prng_next(r);
    /* Rejection keeps the draw unbiased for spans that do not divide 2^64. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x;
    do
        x = prng_next(r);
    while (x >= limit);
    return lo + (int64_t)(x % span);
}

double prng_log(double x)
{
    /* x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then
     * ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172. */
    static const double ln2 = 0.6931471805599453094;
    int e = 0;
    double m = x;
    while (m >= 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    while (m < 0.7071067811865476) {
        m *= 2.0;
        e--;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return 2.0 * sum + e * ln2;
}

int64_t prng_exponential(prng *r, int64_t mean)
{
    if (mean <= 0)
        return 0;
    double x = -prng_log(prng_uniform(r)) * (double)mean;
    int64_t lo = mean / 16, hi = 8 * mean;
    int64_t v = (int64_t)(x + 0.5);
    return v < lo ? lo : v > hi ? hi : v;
}
