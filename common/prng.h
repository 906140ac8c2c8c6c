/* Deterministic random numbers, for the simulator and p3 probe's jitter:
 * splitmix64 streams, the same sequence on every machine for the same seed.
 * Only integer arithmetic and the four IEEE basic operations are used (no
 * libm), so that a scenario produces the same bytes everywhere. */
#ifndef P3_PRNG_H
#define P3_PRNG_H

#include <stdint.h>

/* One independent stream. Plain data: copy it to fork a stream. */
typedef struct prng {
    uint64_t state; /* splitmix64 state */
} prng;

/* Starts the stream `stream` of seed `seed`: different streams of one seed
 * are independent, so adding a consumer does not shift the others. */
void prng_init(prng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t prng_next(prng *r);

/* Uniform in the open interval (0, 1), 53 bits. */
double prng_uniform(prng *r);

/* Uniform integer in [lo, hi] (lo <= hi). */
int64_t prng_range(prng *r, int64_t lo, int64_t hi);

/* Exponentially distributed with the given mean, rounded to an integer and
 * clipped to [mean / 16, 8 * mean] so that no single draw dominates a level.
 * mean <= 0 gives 0. */
int64_t prng_exponential(prng *r, int64_t mean);

/* The natural logarithm of x > 0 from basic operations only (deterministic
 * across machines, unlike libm's log); accurate to about 1e-15 relative. */
double prng_log(double x);

#endif
