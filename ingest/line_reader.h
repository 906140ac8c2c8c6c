/* Streams a text file line by line in constant memory, whatever its size,
 * and computes the SHA-256 of its bytes alongside. Lines end with LF or
 * CRLF, and also CR alone when asked; the line end is not part of the line.
 * A file in UTF-16 or a legacy code page can be decoded to UTF-8 on the way
 * in, before it is split into lines. A gzip file is read decompressed (its
 * digest is of the compressed bytes, as stored). */
#ifndef P3_LINE_READER_H
#define P3_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Lines longer than this are reported, not returned whole (1 MiB). */
#define LINE_READER_MAX_LINE ((size_t)1 << 20)

typedef struct line_reader line_reader;

typedef enum line_status {
    LINE_EOF = 0,      /* no more lines */
    LINE_OK = 1,       /* a line */
    LINE_TOO_LONG = 2, /* a line longer than the limit: its first bytes are
                          returned and the rest is skipped */
    LINE_BAD_TEXT = 3, /* a line holding bytes its encoding does not allow:
                          the text before them is returned and the rest is
                          skipped; line_reader_bad_text() gives the bytes */
    LINE_IO_ERROR = -1 /* reading failed; a diagnostic was added */
} line_status;

typedef struct line_reader_options {
    bool cr_alone;        /* a CR not followed by LF also ends a line */
    size_t max_line;      /* 0 means LINE_READER_MAX_LINE; of decoded text */
    const char *encoding; /* decode the file from this (an iconv name such as
                             "UTF-16LE" or "CP932") to UTF-8; NULL: lines are
                             the file's bytes as they are */
} line_reader_options;

/* Opens path for reading; opts may be NULL. Returns STATUS_OK, or
 * STATUS_BAD_INPUT with a diagnostic when the file cannot be opened or its
 * encoding is one iconv does not know. */
int line_reader_open(const char *path, const line_reader_options *opts, line_reader **out,
                     diag_list *diags);
/* Closes; NULL is a no-op. */
void line_reader_free(line_reader *r);

/* The next line into (*line, *len), valid until the next call. */
line_status line_reader_next(line_reader *r, const char **line, size_t *len);

/* The 1-based number of the line last returned. */
long line_reader_line(const line_reader *r);
/* Whether the line last returned ended with a line end (false only for a
 * last line that stops at the end of the file). */
bool line_reader_terminated(const line_reader *r);
/* After LINE_BAD_TEXT: copies the bytes that could not be decoded (one
 * code unit, or what is left of a character the file ends inside) into
 * bytes and returns their count; *at_end tells the latter case. */
size_t line_reader_bad_text(const line_reader *r, unsigned char bytes[4], bool *at_end);
/* Bytes read so far. */
uint64_t line_reader_bytes(const line_reader *r);
/* The SHA-256 (hex) and size of the whole file, however much of it was
 * read as lines: a thread hashes the file alongside the reading, and this
 * waits for it. Returns STATUS_OK; STATUS_BAD_INPUT when the file is a
 * gzip stream cut short or damaged (its diagnostic was added when the reading hit
 * the cut, and the lines stopped there); or STATUS_FAILURE with a
 * diagnostic. Callers pass the status on, so a cut file is refused. */
int line_reader_digest(line_reader *r, char hex[65], uint64_t *size, diag_list *diags);

#endif
