/* Probe logs, format 1: the delays a probe inside the machine under test
 * measured, one row per action. Line 1 is `# p3-probe 1`, then `# key: value`
 * metadata, a header naming the columns (time, level, delay_ms, operation,
 * session; comma- or tab-separated), then rows. This reader streams a file
 * in constant memory and reports every broken line as path:line:col. */
#ifndef P3_PROBE_READER_H
#define P3_PROBE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* The format version this reader knows. */
#define PROBE_FORMAT_VERSION 1
/* The largest delay accepted, in ms (one hour). */
#define PROBE_MAX_DELAY_MS 3600000.0

typedef struct probe_reader probe_reader;

/* A `# key: value` line that has no meaning to the reader. */
typedef struct probe_meta {
    char *key;   /* lowercased */
    char *value; /* trimmed */
    long line;   /* where it was written */
} probe_meta;

/* What the metadata lines said; strings are NULL when absent. */
typedef struct probe_header {
    char *run;       /* `run`: names the run of a file read on its own */
    char *host;      /* `host` */
    char *guest;     /* `guest` */
    char *operation; /* `operation`: for rows without an operation column */
    char *level;     /* `level`: for rows without a level */
    bool has_tz;     /* `tz` was given */
    int tz_minutes;  /* `tz`: offset east of UTC of times written without one */
    probe_meta *extra; /* other keys, in file order */
    size_t extra_count;
} probe_header;

/* One row. Text fields point into the reader's buffer: valid until the
 * next call; NULL when the file does not say. */
typedef struct probe_sample {
    int64_t t_ns;          /* UTC nanoseconds since the epoch */
    int level;             /* index into the levels given to the reader; -1 when
                              neither the row nor `# level:` gives one */
    double delay_ms;       /* 0..PROBE_MAX_DELAY_MS */
    const char *operation; /* the row's operation, or the header's */
    size_t operation_len;
    const char *session;
    size_t session_len;
} probe_sample;

/* Whether the first bytes of a file (at least 16, fewer if the file is
 * shorter) mark it as a probe log. */
bool probe_reader_sniff(const char *head, size_t len);

/* Opens path and reads the first line, the metadata and the header. On a
 * file that cannot be a probe log (empty, wrong first line, no usable
 * header) returns STATUS_BAD_INPUT with diagnostics and no reader. Returns
 * STATUS_OK with *out set otherwise; errors in metadata lines are recorded
 * and counted as the rows' are. */
int probe_reader_open(const char *path, probe_reader **out, diag_list *diags);
/* Closes; NULL is a no-op. */
void probe_reader_free(probe_reader *r);

/* The metadata; borrowed from the reader. */
const probe_header *probe_reader_header(const probe_reader *r);

/* Gives the run's level names in order (borrowed: they must outlive the
 * reader); rows are matched against them case-insensitively. Checks the
 * `# level:` line against them. Call once, before probe_reader_next(). */
void probe_reader_set_levels(probe_reader *r, const char *const *names, size_t count);

/* The next good row into *out: returns 1, or 0 at the end of the file.
 * Broken rows are reported and skipped. */
int probe_reader_next(probe_reader *r, probe_sample *out);

/* Errors found so far (reported or only counted). */
size_t probe_reader_errors(const probe_reader *r);

/* Adds the "more errors" note when errors were dropped, and gives the
 * file's SHA-256 and size. Returns STATUS_OK,
 * STATUS_BAD_INPUT when any error was found, or STATUS_FAILURE. */
int probe_reader_finish(probe_reader *r, char sha256_hex[65], long long *size);

#endif
