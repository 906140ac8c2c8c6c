/* Results of load-testing tools (JMeter, k6, Gatling, HdrHistogram, fio,
 * Locust) all come down to samples: when a request started, how long it
 * took, its name, whether it succeeded and how many users were active; or,
 * for tools that keep no single requests, aggregates per interval. Each
 * format's reader pushes what it reads into a load_sink; the store side
 * (loadtest_ingest) keeps it, all of a file or nothing. */
#ifndef P3_LOAD_SINK_H
#define P3_LOAD_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* The largest delay accepted, in ms (one hour), as for probe logs. */
#define LOAD_MAX_DELAY_MS 3600000.0

/* What a row is besides a sample of its own. */
typedef enum load_role {
    LOAD_SAMPLE = 0,     /* a request, sampler or I/O: what a user waited for */
    LOAD_SUB = 1,        /* a sub-result of the sample before it (JMeter `<label>-<n>`,
                            embedded resources, redirects): time already counted */
    LOAD_TRANSACTION = 2 /* a total over other samples (JMeter Transaction Controller) */
} load_role;

/* One sample. Strings are borrowed for the duration of the call. */
typedef struct load_sample {
    int64_t t_ns;        /* when it started, UTC ns since the epoch */
    double delay_ms;     /* how long it took: 0..LOAD_MAX_DELAY_MS */
    const char *label;   /* transaction or request name (UTF-8), or NULL */
    size_t label_len;
    int ok;              /* 1 succeeded, 0 failed, -1 the source has no notion */
    long concurrency;    /* users, threads, VUs or I/Os active, as the source
                            gives it; -1 when it does not */
    double weight;       /* observations the row stands for: 1 for a single
                            sample, a histogram bucket's count otherwise */
    load_role role;
} load_sample;

/* Highest percentile columns a tool writes (Locust: up to 12). */
#define LOAD_MAX_QUANTILES 16

/* One interval of a tool that keeps aggregates only (Locust). */
typedef struct load_aggregate {
    int64_t t_ns;        /* end of the interval, UTC ns */
    int64_t span_ns;     /* its length, 0 when unknown */
    long concurrency;    /* users running, -1 when unknown */
    const char *label;   /* request name, NULL for the total row */
    size_t label_len;
    long long requests;  /* completed in the interval, failures included */
    long long failures;
    double mean_ms;      /* exact mean of the interval's requests; NaN when none */
    bool window;         /* the quantiles are of this interval, not cumulative */
    size_t quantile_count;
    unsigned q[LOAD_MAX_QUANTILES];  /* per million (999990 for the 99.999th percentile) */
    double value_ms[LOAD_MAX_QUANTILES];
} load_aggregate;

/* Where a reader puts what it reads. Every callback returns STATUS_OK or
 * STATUS_FAILURE (the store failed: the reader stops at once and returns
 * STATUS_FAILURE). A reader keeps reading after a format error, to report
 * every broken line, but makes no more calls once it has found one. */
typedef struct load_sink {
    void *ctx;
    int (*sample)(void *ctx, const load_sample *s);
    int (*aggregate)(void *ctx, const load_aggregate *a);
    /* A fact about the file as a whole worth keeping (file_meta): the
     * tool's version, the unit assumed, "values = window-mean", the metric
     * read. Both strings borrowed. */
    int (*meta)(void *ctx, const char *key, const char *value);
} load_sink;

/* What the user says about load-test files (command line and run.ini). */
typedef struct load_options {
    bool has_tz;          /* tz: offset of timestamps written in local time */
    int tz_minutes;       /* minutes east of UTC */
    const char *unit;     /* "ns", "us" or "ms": the unit of histogram and fio
                             values when the file does not say; NULL: unknown */
    const char *k6_metric; /* the k6 Trend that is the delay; NULL: http_req_duration */
    const char *fio_log;  /* "lat" (default), "clat" or "slat": which fio log is the delay */
    const char *locust_percentiles; /* "window" or "cumulative": what Locust's percentile
                             columns are, when the file cannot tell; NULL: decided from it */
} load_options;

/* A load-test file format: recognised by content, read into a sink. */
typedef struct load_format {
    const char *name; /* "jmeter-csv", "jmeter-xml", "k6", "gatling", "hlog", "fio", "locust" */
    /* Whether the first bytes of the file (decompressed when it is gzip;
     * up to 4096, fewer if the file is shorter) are of this format. path
     * is given for formats whose content alone cannot say (fio's logs
     * look alike: the log type is in the name); a reader must not rely on
     * the name when the content can tell. */
    bool (*sniff)(const char *path, const char *head, size_t len);
    /* Reads the whole file into sink, streaming, in constant memory.
     * Reports every problem into diags as path:line:col (at most
     * DIAG_FILE_LIMIT errors, the rest counted in a note). Returns
     * STATUS_OK, STATUS_BAD_INPUT when the file has errors (the caller
     * then stores nothing of it), or STATUS_FAILURE. On STATUS_OK fills
     * sha256_hex and *size with the digest and size of the file's bytes
     * as stored on disk, or leaves sha256_hex[0] == '\0' for the caller
     * to hash the file itself. */
    int (*read)(const char *path, const load_options *opts, const load_sink *sink,
                char sha256_hex[65], long long *size, diag_list *diags);
} load_format;

#endif
