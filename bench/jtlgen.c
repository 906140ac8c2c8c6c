/* jtlgen: writes a synthetic JMeter results file (CSV JTL with the header
 * and the 17 default columns of bin/jmeter.properties) to stdout, the same
 * bytes for the same arguments. It feeds the jtl benchmark (10 million rows,
 * about 1.3 GB). What it holds, so that the reader meets what real files
 * hold:
 *
 *   - the load steps through plateaus of 10, 50, 100, 200 and 500 threads,
 *     with ramps between them (allThreads and grpThreads on every row);
 *   - eight request labels, the delay log-normal around a median that grows
 *     with the load, a few % failures (HTTP 500, socket timeouts);
 *   - every fifth "Home" page is followed by two sub-results, "Home-0"
 *     (a redirect) and "Home-1", and every twentieth row by a Transaction
 *     Controller row;
 *   - timestamps are start times and rows are written when a sample ends,
 *     so rows are not quite in time order.
 *
 * usage: jtlgen [--rows N] [--seed S] [--start EPOCH_MS]
 *
 * This is a test-data generator, not a model of a server. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The load profile: plateaus of threads, each held for the same time,
 * with a ramp of RAMP_TIME of a plateau's time before each one. */
static const int plateaus[] = {10, 50, 100, 200, 500};
#define PLATEAUS (sizeof plateaus / sizeof *plateaus)
#define RAMP_TIME 0.2

/* The mean time a thread takes per request at a load: the plan's mean
 * median delay (about 75 ms at 10 threads, growing with the load, as
 * drawn in main) and 100 ms of think time. */
static double cycle_ms(double threads)
{
    return 75.0 * (1.0 + threads / 200.0) * 1.2 + 100.0;
}

/* One request of the plan: label, path, weight among requests, and its
 * median delay at 10 threads (ms). */
typedef struct request {
    const char *label;
    const char *path;
    double weight;
    double median_ms;
} request;

static const request requests[] = {
    {"Home", "/", 0.20, 45},
    {"Login", "/login", 0.10, 80},
    {"Search", "/search?q=shoes&page=2", 0.18, 120},
    {"Product page", "/product/12345", 0.20, 60},
    {"Add to cart", "/cart/add", 0.10, 70},
    {"Checkout", "/checkout", 0.07, 150},
    {"API /v1/orders", "/api/v1/orders?status=open", 0.10, 35},
    {"Logout", "/logout", 0.05, 25},
};
#define REQUESTS (sizeof requests / sizeof *requests)

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

/* The threads running when row i of n is written. Rows are spread in
 * proportion to the throughput (threads / cycle time), so that every
 * plateau lasts about the same time. */
static int threads_at(long long i, long long n)
{
    /* Each segment's share of the rows: a plateau's, and the ramp's before it. */
    double weight[2 * PLATEAUS], total = 0;
    for (size_t k = 0; k < PLATEAUS; k++) {
        double mid = k ? (plateaus[k - 1] + plateaus[k]) / 2.0 : 0;
        weight[2 * k] = k ? RAMP_TIME * mid / cycle_ms(mid) : 0;
        weight[2 * k + 1] = plateaus[k] / cycle_ms(plateaus[k]);
        total += weight[2 * k] + weight[2 * k + 1];
    }
    double x = (double)i / (double)n * total;
    for (size_t k = 0; k < PLATEAUS; k++) {
        if (x < weight[2 * k]) {
            double f = x / weight[2 * k];
            return plateaus[k - 1] + (int)((plateaus[k] - plateaus[k - 1]) * f);
        }
        x -= weight[2 * k];
        if (x < weight[2 * k + 1])
            return plateaus[k];
        x -= weight[2 * k + 1];
    }
    return plateaus[PLATEAUS - 1];
}

static const request *pick_request(void)
{
    double u = uniform(), sum = 0;
    for (size_t k = 0; k < REQUESTS; k++) {
        sum += requests[k].weight;
        if (u < sum)
            return &requests[k];
    }
    return &requests[REQUESTS - 1];
}

/* One row of the 17 default columns. code 0: a socket timeout, as JMeter
 * writes one. */
static void row(long long start_ms, long elapsed, const char *label, const char *suffix,
                int code, int thread, int threads, const char *path, bool ok, long bytes)
{
    char rc[64];
    const char *rm = "OK";
    if (code == 0) {
        snprintf(rc, sizeof rc, "Non HTTP response code: java.net.SocketTimeoutException");
        rm = "Non HTTP response message: Read timed out";
    } else {
        snprintf(rc, sizeof rc, "%d", code);
        rm = code == 302 ? "Found" : code == 500 ? "Internal Server Error" : "OK";
    }
    printf("%lld,%ld,%s%s,%s,%s,Thread Group 1-%d,text,%s,,%ld,%d,%d,%d,"
           "https://shop.example.com%s,%ld,0,%d\n",
           start_ms, elapsed, label, suffix, rc, rm, thread, ok ? "true" : "false", bytes,
           180 + (int)(bytes % 97), threads, threads, path, code == 0 ? 0 : elapsed * 7 / 10,
           (int)(elapsed % 7));
}

int main(int argc, char **argv)
{
    long long rows = 1000000, start = INT64_C(1735725600000); /* 2025-01-01T10:00:00Z */
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = atoll(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--start") == 0 && i + 1 < argc)
            start = atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: jtlgen [--rows N] [--seed S] [--start EPOCH_MS]\n");
            return 2;
        }
    }
    rng_state = seed;
    static char buffer[1 << 20];
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    printf("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,"
           "failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n");
    double clock = (double)start; /* ms: when the row being written ended */
    long long written = 0, homes = 0;
    while (written < rows) {
        int threads = threads_at(written, rows);
        const request *q = pick_request();
        /* Slower with more threads: the median doubles from 10 to 200. */
        double median = q->median_ms * (1.0 + threads / 200.0);
        long elapsed = (long)(median * exp(0.6 * normal())) + 1;
        if (elapsed > 600000)
            elapsed = 600000;
        /* Throughput: threads / cycle time. */
        clock += cycle_ms(threads) / threads * uniform() * 2.0;
        long long end_ms = (long long)clock;
        long long start_ms = end_ms - elapsed;
        int thread = 1 + (int)(next_u64() % (uint64_t)threads);
        double fail = 0.01 + 0.04 * threads / 500.0;
        bool ok = uniform() >= fail;
        int code = ok ? 200 : uniform() < 0.7 ? 500 : 0;
        long bytes = 2000 + (long)(next_u64() % 40000);
        bool subs = strcmp(q->label, "Home") == 0 && ++homes % 5 == 0 && rows - written >= 3;
        row(start_ms, elapsed, q->label, "", code, thread, threads, q->path, ok, bytes);
        written++;
        if (subs) {
            long first = elapsed * 3 / 10;
            row(start_ms, first, q->label, "-0", 302, thread, threads, q->path, true, 400);
            row(start_ms + first, elapsed - first, q->label, "-1", code, thread, threads, q->path,
                ok, bytes - 400);
            written += 2;
        }
        if (written % 20 == 0 && written < rows) {
            /* A Transaction Controller's total over the thread's last requests. */
            printf("%lld,%ld,Buy shoes,%s,\"Number of samples in transaction : 3, number of "
                   "failing samples : %d\",Thread Group 1-%d,,%s,,%ld,600,%d,%d,null,%ld,120,0\n",
                   start_ms - 2 * elapsed, 3 * elapsed, ok ? "200" : "", ok ? 0 : 1, thread,
                   ok ? "true" : "false", 3 * bytes, threads, threads, elapsed);
            written++;
        }
    }
    return fflush(stdout) == 0 ? 0 : 3;
}
