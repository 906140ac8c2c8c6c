/* Counter files in the tests, from both ends of a counter_sink: a sink that
 * keeps in memory everything a reader pushes (for the reader suites), and a
 * scripted reader that pushes made-up counters through counter_store into a
 * store (for the suites that need counters without a counter file). */
#ifndef P3_COUNTER_FIXTURE_H
#define P3_COUNTER_FIXTURE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counter_sink.h"
#include "diag.h"

/* ---- Keeping what a reader pushes ---- */

/* A counter as the sink was told it; strings owned, NULL where none. */
typedef struct counter_fixture_seen {
    char *path, *machine, *object, *parent, *instance, *counter;
    int index; /* the instance index: 3 of svchost#3, -1 when none */
} counter_fixture_seen;

/* A value as the sink was given it. */
typedef struct counter_fixture_value {
    size_t row;   /* 0-based */
    size_t index; /* of the counter */
    double value;
} counter_fixture_value;

/* Everything a reader pushed, in the order it came. Besides keeping, the
 * sink checks that value() names a declared counter in a started row. */
typedef struct counter_fixture_sink {
    diag_list *diags;     /* the reader's (borrowed), to catch calls made after an error */
    size_t late_calls;    /* calls made while diags held an error */
    size_t fail_at_value; /* value() fails at this call (1-based); 0 for never */
    size_t file_calls;
    char *kind, *encoding, *time_zone, *description; /* as file() gave them, or NULL */
    bool has_bias;
    int bias_minutes;
    counter_fixture_seen *counters;
    size_t counter_count, counter_cap;
    int64_t *times; /* of each row, UTC ns */
    char **local;   /* of each row, the local time as the file wrote it */
    size_t row_count, row_cap;
    counter_fixture_value *values;
    size_t value_count, value_cap;
} counter_fixture_sink;

/* What reading one file gave. */
typedef struct counter_fixture_outcome {
    int status;                 /* what the reader returned */
    counter_fixture_sink sink;  /* what it pushed */
    counter_read_result result; /* what it filled in */
    diag_list *diags;           /* what it reported */
    char *messages;             /* every diagnostic as diag_format() writes it, one per line */
} counter_fixture_outcome;

/* Reads path with read and opts into a new sink whose value() fails at call
 * fail_at_value (1-based; 0 for never). Free with counter_fixture_outcome_free(). */
counter_fixture_outcome counter_fixture_read(counter_read_fn read, const char *path,
                                             const counter_options *opts, size_t fail_at_value);
void counter_fixture_outcome_free(counter_fixture_outcome *o);

/* Checks the read of bad input name against the golden file expected (under
 * the source folder): STATUS_BAD_INPUT, those diagnostics with the source
 * folder taken off their paths, and no sink call after an error. */
void counter_fixture_check_golden(const counter_fixture_outcome *o, const char *name,
                                  const char *expected);

/* The index of the first counter with this path, or -1. */
long counter_fixture_counter_of(const counter_fixture_sink *s, const char *path);
/* That counter's value in row row into *value; false when there is none. */
bool counter_fixture_value_of(const counter_fixture_sink *s, size_t row, const char *path,
                              double *value);
/* The same value, or NAN. */
double counter_fixture_value_at(const counter_fixture_sink *s, size_t row, const char *path);

/* ---- Made-up counters through the counter store ---- */

/* Time 0 of the scripts, 2005-03-01T10:00:00Z, in seconds. */
#define COUNTER_FIXTURE_T0 INT64_C(1109671200)

/* A counter of a script; the strings as in counter_path. */
typedef struct counter_fixture_counter {
    const char *path, *machine, *object, *instance, *counter;
} counter_fixture_counter;

/* A made-up counter file: its counters, then rows of a time and values. */
typedef struct counter_fixture_script {
    const char *kind;                 /* the file's: "esxtop", "perfmon", "virt-top" */
    size_t counters, rows;
    const counter_fixture_counter *c; /* counters of them */
    const double *t;                  /* rows times, seconds after COUNTER_FIXTURE_T0 */
    const double *v;                  /* rows x counters values; NAN is missing */
} counter_fixture_script;

/* Stores script as the file <folder>/<name> (written with its name as its
 * bytes) of run run_name with <folder>/run.ini; fails the test unless stored. */
void counter_fixture_store(sqlite3 *db, const char *run_name, const char *folder,
                           const char *name, const counter_fixture_script *script,
                           diag_list *diags);

/* Fills result's digest and size from path's bytes, as a reader does. */
void counter_fixture_digest(const char *path, counter_read_result *result);

#endif
