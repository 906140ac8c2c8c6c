/* INI lines, split: `[section]`, `key = value`, blank lines and comments
 * (`;` or `#`). run.ini and the simulator's scenario files share this
 * layout; each reader decides which sections and keys it takes. */
#ifndef P3_INI_H
#define P3_INI_H

#include <stddef.h>

typedef enum ini_kind {
    INI_NOTHING,      /* blank, or a comment */
    INI_SECTION,      /* [name]: name is the text between the brackets, trimmed */
    INI_KEY,          /* key = value: both trimmed */
    INI_BAD_UTF8,     /* col is the first byte that is not UTF-8 */
    INI_BAD_SECTION,  /* a '[' line without its ']' */
    INI_NO_EQUALS     /* neither a section nor key = value */
} ini_kind;

typedef struct ini_line {
    ini_kind kind;
    const char *name;  /* the section or the key; points into the line */
    size_t name_len;
    const char *value; /* the key's value; points into the line */
    size_t value_len;
    long col;          /* 1-based column of the line's first non-blank byte (of the bad byte) */
    long value_col;    /* 1-based column of the value */
} ini_line;

/* Splits line[0..len) (without its line end). */
ini_line ini_split(const char *line, size_t len);

#endif
