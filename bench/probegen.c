/* probegen: writes a synthetic probe log (format 1) to stdout, the same
 * bytes for the same arguments. It feeds the benchmark (millions of rows)
 * and made the small sample lab in samples/lab. The delays are drawn from a
 * per-level log-normal mixture whose shape is set by a profile:
 *
 *   native   a physical server: near-zero delay when idle, spreading out to
 *            0.5-0.75 s averages and 2 s tails from Busy up (the paper's fig 2)
 *   guest    a guest on a lightly loaded host: degrades earlier but with less
 *            variability (the paper's figs 3-4)
 *
 * usage: probegen [--samples N] [--seed S] [--profile native|guest]
 *                 [--run NAME] [--start EPOCH_SECONDS]
 *
 * This is a test-data generator, not a model of a machine: `p3 simulate`
 * is the model. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS 6

static const char *const level_names[LEVELS] = {"None", "Low", "Medium",
                                                "Busy", "Maximum", "Overload"};

/* A level's delay: with probability `slow`, log-normal around slow_ms with
 * spread slow_sigma; else log-normal around fast_ms with spread fast_sigma. */
typedef struct level_shape {
    double fast_ms, fast_sigma;
    double slow, slow_ms, slow_sigma;
} level_shape;

static const level_shape native[LEVELS] = {
    {12, 0.35, 0.00, 0, 0},      {18, 0.45, 0.05, 120, 0.5},  {30, 0.60, 0.30, 260, 0.6},
    {60, 0.80, 0.80, 560, 0.55}, {80, 0.80, 0.85, 650, 0.55}, {90, 0.80, 0.90, 720, 0.55},
};

static const level_shape guest[LEVELS] = {
    {15, 0.30, 0.00, 0, 0},      {22, 0.35, 0.20, 150, 0.35}, {35, 0.40, 0.55, 330, 0.35},
    {60, 0.50, 0.90, 560, 0.30}, {70, 0.50, 0.95, 640, 0.30}, {80, 0.50, 0.97, 720, 0.30},
};

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double uniform(void)
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal by Box-Muller (one of the pair). */
static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static double draw_delay(const level_shape *s)
{
    for (;;) {
        double median = s->fast_ms, sigma = s->fast_sigma;
        if (uniform() < s->slow) {
            median = s->slow_ms;
            sigma = s->slow_sigma;
        }
        double d = median * exp(sigma * normal());
        if (d <= 3600000)
            return d; /* the probe format's limit; a longer draw is drawn again */
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: probegen [--samples N] [--seed S] [--profile native|guest] "
                    "[--run NAME] [--start EPOCH_SECONDS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long long samples = 1800;
    unsigned long long seed = 2005;
    const char *profile = "native", *run = NULL;
    long long start = 1109671200; /* 2005-03-01T10:00:00Z */
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--samples") == 0)
            samples = atoll(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--profile") == 0)
            profile = argv[++i];
        else if (strcmp(argv[i], "--run") == 0)
            run = argv[++i];
        else if (strcmp(argv[i], "--start") == 0)
            start = atoll(argv[++i]);
        else
            usage();
    }
    const level_shape *shape = strcmp(profile, "native") == 0  ? native
                               : strcmp(profile, "guest") == 0 ? guest
                                                               : NULL;
    if (!shape || samples < 0)
        usage();
    rng_state = seed;
    static char buf[1 << 20];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    printf("# p3-probe 1\n");
    if (run)
        printf("# run: %s\n", run);
    printf("# operation: open-dialog\n# generator: probegen %s seed %llu\n", profile, seed);
    printf("time,level,delay_ms\n");
    /* The probe wakes about once a second; each level holds for an equal
     * share of the samples, lightest first. */
    long long ms = 0;
    for (long long i = 0; i < samples; i++) {
        int level = (int)(i * LEVELS / (samples ? samples : 1));
        double delay = draw_delay(&shape[level]);
        ms += 1000 + (long long)(uniform() * 200) - 100 + (long long)delay;
        long long t = start + ms / 1000;
        long long days = t / 86400, rem = t % 86400;
        /* Civil date from days since 1970 (proleptic Gregorian). */
        long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
        long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
        long long y = yoe + era * 400 + (m <= 2);
        printf("%04lld-%02d-%02dT%02lld:%02lld:%02lld.%03lld,%s,%.3f\n", y, m, d, rem / 3600,
               rem / 60 % 60, rem % 60, ms % 1000, level_names[level], delay);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
