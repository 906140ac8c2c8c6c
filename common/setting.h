/* Values of the settings a run.ini carries for analysis ([analysis],
 * [levels] and [cpu] keys): ingest checks them when it reads run.ini, so a
 * mistake is reported at its line; analysis reads the same text with the
 * same parsers. */
#ifndef P3_SETTING_H
#define P3_SETTING_H

#include <stdbool.h>
#include <stddef.h>

/* A number in [lo, hi]. */
bool setting_parse_number(const char *s, double lo, double hi, double *out);
/* yes/no, true/false, on/off, 1/0 (any case). */
bool setting_parse_bool(const char *s, bool *out);
/* A comma-separated list of at least min_count strictly increasing numbers
 * in (0, 3600000] ("50, 250, 450"); *values is new (caller frees). */
bool setting_parse_increasing(const char *s, size_t min_count, double **values, size_t *count);

/* One analysis key a run.ini may set, with what it accepts. */
typedef struct setting_key {
    const char *name;     /* "analysis.buckets": section.key as run_meta stores it */
    const char *expected; /* for messages: "a list of increasing numbers of ms" */
} setting_key;

/* The keys analysis reads; NULL-terminated by a {NULL, NULL} entry. */
extern const setting_key setting_keys[];

/* Checks a value of a known key; false with *why set to what is expected. */
bool setting_check(const char *name, const char *value, const char **why);

#endif
