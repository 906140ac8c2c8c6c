/* The counter values p3 stores: finite, and of a magnitude no counter of any
 * tool comes near (a 64-bit counter stops at 1.8e19), so that the sums,
 * means and squares analysis takes over a file's values stay finite. A
 * value beyond that is a broken file, and is refused at its line and
 * column, where the user can see it, rather than turning the run's CPU
 * figures into inf and NaN. */
#ifndef P3_COUNTER_VALUE_H
#define P3_COUNTER_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* The largest magnitude of a counter value. Squared and summed over a
 * billion rows it is still far from the largest double (1.8e308). */
#define COUNTER_VALUE_LIMIT 1e100

/* Whether value, read from text (text, len) at line:col, may be stored;
 * if not, reports "value out of range: 'TEXT': a counter value must lie
 * between -1e100 and 1e100" to df. */
bool counter_value_check(diag_file *df, long line, long col, const char *text, size_t len,
                         double value);

#endif
