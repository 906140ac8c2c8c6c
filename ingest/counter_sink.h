/* Counter files (perfmon CSV, esxtop batch output, sar/sadf, pidstat,
 * virt-top) all come down to the same thing: a set of counters, and rows of
 * one timestamp with a value for some of them. Each format's reader pushes
 * what it reads into a counter_sink; the store side (counter_store) keeps
 * it. Wide formats declare every counter first; long formats (one line per
 * process or CPU) may declare counters as they meet them. */
#ifndef P3_COUNTER_SINK_H
#define P3_COUNTER_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* A counter path \\MACHINE\Object(parent/instance#index)\Counter, split.
 * Strings are UTF-8 and borrowed for the duration of the call. */
typedef struct counter_path {
    const char *path;     /* the whole path as written (decoded to UTF-8) */
    const char *machine;  /* "HOST", or NULL when the path names none */
    const char *object;   /* "Process", "Group Cpu", "Processor" */
    const char *parent;   /* "vmware-vmx" of Thread(vmware-vmx/12), else NULL */
    const char *instance; /* "svchost" of Process(svchost#3), "12345:web-01"; NULL when none */
    int instance_index;   /* 3 of svchost#3; -1 when none */
    const char *counter;  /* "% Processor Time" */
} counter_path;

/* How a file's dates are written when they are ambiguous (Excel re-saves). */
typedef enum counter_date_order {
    COUNTER_DATE_AUTO, /* decide from the file; refuse when it cannot tell */
    COUNTER_DATE_MDY,  /* 10/29/2019: perfmon's own order */
    COUNTER_DATE_DMY,  /* 29.10.2019 */
    COUNTER_DATE_YMD   /* 2019/10/29 */
} counter_date_order;

/* What the user says about counter files (ingest options, run.ini). */
typedef struct counter_options {
    bool has_tz;          /* tz given: the offset of local times when the file does not say */
    int tz_minutes;       /* minutes east of UTC (+01:00 is 60) */
    const char *encoding; /* iconv name of the file's legacy code page, or NULL */
    bool has_date;        /* date given: for timestamps that carry only a time of day */
    int year, month, day;
    counter_date_order date_order;
} counter_options;

/* What a reader learned about the file as a whole. Strings borrowed. */
typedef struct counter_file_info {
    const char *kind;        /* "perfmon", "esxtop", "sadf", "pidstat", "virt-top" */
    const char *encoding;    /* how the bytes were decoded: "UTF-8", "UTF-16LE", "CP932", ... */
    const char *time_zone;   /* the time zone the file names, or NULL */
    bool has_bias;           /* the offset of its local times is known */
    int bias_minutes;        /* perfmon's bias: UTC = local + bias (Tokyo is -540) */
    const char *description; /* text of columns that are not counters, or NULL */
} counter_file_info;

/* Where a reader puts what it reads. Every callback returns STATUS_OK or
 * STATUS_FAILURE (the store failed: the reader stops at once). A reader
 * keeps reading after a format error, to report every broken line, but
 * makes no more calls once it has found one. */
typedef struct counter_sink {
    void *ctx;
    /* Once, before anything else. */
    int (*file)(void *ctx, const counter_file_info *info);
    /* Declares a counter; *index receives the number to give value(). */
    int (*counter)(void *ctx, const counter_path *path, size_t *index);
    /* Starts a row: its UTC instant and the local time text as the file
     * wrote it (NUL-terminated, borrowed). */
    int (*row)(void *ctx, int64_t t_ns, const char *local_time);
    /* A value of the current row; counters not given one are missing. */
    int (*value)(void *ctx, size_t index, double value);
} counter_sink;

/* What reading a file gave, besides what went into the sink. */
typedef struct counter_read_result {
    char sha256[65];  /* of the file's bytes */
    long long size;   /* bytes */
    size_t errors;    /* format errors found (reported or only counted) */
} counter_read_result;

/* Every counter format's entry point has this shape: read path into sink,
 * report problems to diags as path:line:col (through a diag_file, so at
 * most 20 errors show), fill *result. Returns STATUS_OK, STATUS_BAD_INPUT
 * when the file has errors, or STATUS_FAILURE. */
typedef int (*counter_read_fn)(const char *path, const counter_options *opts,
                               const counter_sink *sink, counter_read_result *result,
                               diag_list *diags);

#endif
