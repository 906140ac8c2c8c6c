/* Load levels from concurrency: the number of users, threads, VUs or I/Os
 * a load-testing tool had active. A run that steps its load (10 users,
 * then 50, then 100) holds each value for a while: those plateaus become
 * its levels, and samples taken while the load moves between them are
 * ramp samples. Levels can also be given as ranges ("1-10, 11-50"). */
#ifndef P3_CONCURRENCY_H
#define P3_CONCURRENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A sample's start time and the concurrency it saw. */
typedef struct concurrency_point {
    int64_t t_ns;
    long value;
} concurrency_point;

/* Levels as inclusive ranges of concurrency, ascending and disjoint. */
typedef struct concurrency_levels {
    size_t count;
    long *lo, *hi;     /* owned */
    char **names;      /* owned: "50 users", or the range as written */
    int64_t hold_ns;   /* plateaus: the hold time a value needed */
    size_t dropped;    /* plateaus beyond max_levels, left out */
} concurrency_levels;

/* The plateau rule: sorts points by time; a value is a plateau when the
 * load stayed at it, without a change, for at least min_hold_ns (0: 5 % of
 * the points' time span, at least one second): the time from the first
 * sample of such a stretch to the first sample after it. Each plateau is
 * a level of that value alone, named by name_template with {n} replaced
 * by the value (NULL: "{n} users", and "1 user"). At most max_levels
 * are kept, the longest-held, listed in ascending value. */
void concurrency_plateaus(concurrency_point *points, size_t n, int64_t min_hold_ns,
                          const char *name_template, size_t max_levels,
                          concurrency_levels *out);

/* Reads level names as ranges: "10" or "1-10" (blanks allowed around
 * the dash). Returns false, with *bad set to the offending name
 * (borrowed), when a name is not a range or ranges overlap. */
bool concurrency_parse_ranges(char *const *names, size_t count, concurrency_levels *out,
                              const char **bad);

/* The level whose range holds value, or -1. */
int concurrency_level_of(const concurrency_levels *levels, long value);

void concurrency_levels_clear(concurrency_levels *levels);

/* Concurrency computed from the samples' own start and end times: how
 * many samples were in flight when each began. */
typedef struct in_flight {
    int64_t *starts, *ends; /* sorted, owned */
    size_t n;
    size_t cap;
} in_flight;

/* Adds one sample's interval [start, end). */
void in_flight_add(in_flight *f, int64_t start_ns, int64_t end_ns);

/* Sorts what was added; call once before in_flight_at(). */
void in_flight_seal(in_flight *f);

/* Samples started at or before t and not ended by t (a sample counts
 * itself at its own start). */
long in_flight_at(const in_flight *f, int64_t t_ns);

void in_flight_clear(in_flight *f);

#endif
