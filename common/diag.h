/* Diagnostics: what is wrong with an input or a step, and where. Library code
 * collects them in a diag_list; only the command layer prints them, in the
 * compilers' form `path:line:col: error: message` so editors can jump there. */
#ifndef P3_DIAG_H
#define P3_DIAG_H

#include <stddef.h>

typedef enum diag_severity {
    DIAG_ERROR,   /* the input or step failed */
    DIAG_WARNING, /* it went through, but something deserves a look */
    DIAG_NOTE     /* information: a skipped file, a count of hidden errors */
} diag_severity;

typedef struct diag {
    diag_severity severity;
    char *path;    /* what it is about (a file, a store); NULL for none */
    long line;     /* 1-based line; 0 when not about a line */
    long col;      /* 1-based byte column; 0 when not about a column */
    char *message; /* lowercase, no final full stop, subject quoted */
} diag;

typedef struct diag_list diag_list;

/* An empty list; free with diag_list_free(). */
diag_list *diag_list_new(void);
/* Frees the list and its entries; NULL is a no-op. */
void diag_list_free(diag_list *list);
/* Removes every entry. */
void diag_list_clear(diag_list *list);

/* Appends an entry with a printf-formatted message. path may be NULL. */
void diag_add(diag_list *list, diag_severity severity, const char *path,
              long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Number of entries, and the i-th (borrowed, valid until the list changes). */
size_t diag_list_count(const diag_list *list);
const diag *diag_list_get(const diag_list *list, size_t i);
/* Number of DIAG_ERROR entries. */
size_t diag_list_errors(const diag_list *list);

/* The entry as one line without a newline, e.g.
 * "lab/run1/a.probe:12:5: error: bad time '10:00'". Caller frees. */
char *diag_format(const diag *d);

/* One input file's diagnostics with the cap the command line promises: the
 * first DIAG_FILE_LIMIT errors are kept, later ones only counted, and
 * diag_file_finish() adds a note with the count. Plain data: set list, path
 * and limit (0 means DIAG_FILE_LIMIT), zero the rest. */
#define DIAG_FILE_LIMIT 20

typedef struct diag_file {
    diag_list *list;    /* where entries go */
    const char *path;   /* the file, borrowed */
    size_t limit;       /* errors kept; 0 means DIAG_FILE_LIMIT */
    size_t errors;      /* errors seen, kept or not */
    size_t warnings;    /* warnings seen */
} diag_file;

void diag_file_error(diag_file *f, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_file_warning(diag_file *f, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds the "N more errors" note when errors were dropped. */
void diag_file_finish(diag_file *f);

/* Writes s[0..len) into out (size outsize, >= 16) as a short single-quoted
 * form fit for a message: control and invalid bytes as \xNN, long text cut
 * with "...". Returns out. */
char *diag_quote(char *out, size_t outsize, const char *s, size_t len);

#endif
