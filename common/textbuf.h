/* A growing text buffer, and writing a set of files whole: the writers of
 * run folders (p3 simulate, p3 probe) build each file in memory and give it
 * its real name only when every file of the set is written. */
#ifndef P3_TEXTBUF_H
#define P3_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef struct text_buf {
    char *p;
    size_t len, cap;
} text_buf;

/* Appends printf-style text. */
void buf_printf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends v / 10^decimals without trailing zeros: 187500 with 3 is
 * "187.5". */
void buf_scaled(text_buf *b, int64_t v, int decimals);

/* Frees the text and empties the buffer. */
void buf_free(text_buf *b);

/* mkdir -p dir. STATUS_OK, or STATUS_FAILURE with a diagnostic. */
int textbuf_make_dirs(const char *dir, diag_list *diags);

/* Whether dir is missing or holds nothing. */
bool textbuf_folder_empty(const char *dir);

/* Writes bufs[i] to dir/names[i] (sub-folders created) for every i < n:
 * each file goes to "<name>.<tag>.tmp" first, and only when all are written
 * do they take their real names; on failure the temporaries are removed and
 * nothing is replaced. STATUS_OK or STATUS_FAILURE with a diagnostic. */
int textbuf_write_files(const char *dir, char *const *names, const text_buf *bufs, size_t n,
                        const char *tag, diag_list *diags);

#endif
