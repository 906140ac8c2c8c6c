/* Shell-style patterns for picking counters: `*` matches any run of
 * characters (backslashes included, so `*\% Processor Time` works across
 * the path), `?` one character; letters match ignoring ASCII case. */
#ifndef P3_GLOB_H
#define P3_GLOB_H

#include <stdbool.h>

/* Whether all of text matches pattern. Multi-byte UTF-8 characters count
 * as one for `?`. */
bool glob_match(const char *pattern, const char *text);

#endif
