/* Instants as p3 stores them: int64 nanoseconds since 1970-01-01T00:00:00Z.
 * Parses the ISO-8601 and Unix-seconds forms that probe logs and schedules
 * use, and formats instants back to ISO-8601 UTC. */
#ifndef P3_ISOTIME_H
#define P3_ISOTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISOTIME_NS_PER_SEC INT64_C(1000000000)

/* The years p3 accepts, in UTC: both forms must give an instant from
 * 1900-01-01T00:00:00Z up to, not including, 2200-01-01T00:00:00Z, that
 * is Unix seconds below 7258118400 (Unix seconds carry no sign, so they
 * start at 1970). The int64 nanosecond range holds 1678..2261. */
#define ISOTIME_MIN_YEAR 1900
#define ISOTIME_MAX_YEAR 2199

/* Parses s[0..len) as either
 *   YYYY-MM-DD[T| ]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM]   (ISO 8601), or
 *   seconds[.f{1,9}]                                    (Unix time, UTC).
 * A time without an offset is taken at default_offset_min minutes east of
 * UTC. A leap second, second 60, is accepted only where one can be: at
 * 23:59 UTC (after the offset) on the last day of a month; it reads as
 * second 59.999999999 of that minute, so rows keep their order. Returns
 * false on anything else, an impossible date or time, or an instant
 * outside the years above (the same range for both forms). */
bool isotime_parse(const char *s, size_t len, int default_offset_min, int64_t *ns);

/* Parses an offset "+HH:MM", "-HH:MM", "+HHMM", "Z" or "UTC" into minutes
 * east of UTC. */
bool isotime_parse_offset(const char *s, size_t len, int *minutes);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t isotime_days_from_civil(int year, int month, int day);
void isotime_civil_from_days(int64_t days, int *year, int *month, int *day);

/* Writes "YYYY-MM-DDTHH:MM:SS[.fff]Z" with frac_digits (0..9) fraction
 * digits into out (at least 32 bytes). Returns out. */
char *isotime_format(int64_t ns, int frac_digits, char *out);

#endif
