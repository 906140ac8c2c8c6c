/* Decimal numbers as text files write them: [+-]digits[.digits][e[+-]digits].
 * Exact: the result is the correctly rounded double, as strtod gives, but
 * without strtod's locale and without its cost on the common short forms. */
#ifndef P3_DECIMAL_H
#define P3_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

/* Parses all of s[0..len) into *value. Returns false (and leaves *value
 * alone) when the text is empty, has anything besides one number, or is
 * out of the double range (inf and nan are not numbers here). */
bool decimal_parse(const char *s, size_t len, double *value);

#endif
