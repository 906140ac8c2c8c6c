/* Splits CSV records into fields the way RFC 4180 and the tools that write
 * result files do: a field is quoted when it holds the delimiter, a quote,
 * CR or LF; inner quotes are doubled; a quoted field may span lines. Every
 * CSV reader of p3 splits through this one module, line by line: a record
 * whose quoted field is still open at the end of a line asks for the next
 * line and joins it with a LF. Fields are copied, unquoted and
 * NUL-terminated, into the splitter's own buffer. */
#ifndef P3_CSV_H
#define P3_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct csv_splitter csv_splitter;

/* One field of the record last split. text is NUL-terminated and valid
 * until the next csv_split(); line and col say where it starts (col is
 * 1-based in bytes, of the opening quote when quoted). */
typedef struct csv_field {
    const char *text;
    size_t len;
    long line;
    long col;
    bool quoted;
} csv_field;

typedef enum csv_status {
    CSV_RECORD = 0, /* a whole record: the fields are ready */
    CSV_MORE = 1,   /* a quoted field is open: pass the next line to csv_continue() */
    CSV_ERROR = 2   /* the record is malformed: csv_error() says where and why */
} csv_status;

/* How the splitter reads. Plain data; zero it for RFC 4180 with commas. */
typedef struct csv_options {
    char delimiter;     /* 0 means ',' */
    bool trim;          /* drop spaces and tabs around unquoted fields and
                           around the quotes of quoted ones */
    bool lenient_quotes; /* a quote inside an unquoted field is text, and text
                           after a closing quote is appended (files re-saved
                           by hand); otherwise both are errors */
} csv_options;

/* A new splitter; opts may be NULL. Free with csv_splitter_free(). */
csv_splitter *csv_splitter_new(const csv_options *opts);
void csv_splitter_free(csv_splitter *s);

/* Starts a record with line[0..len) (no line end), which is line number
 * line_no of its file. */
csv_status csv_split(csv_splitter *s, const char *line, size_t len, long line_no);

/* After CSV_MORE: the record goes on with this line. */
csv_status csv_continue(csv_splitter *s, const char *line, size_t len, long line_no);

/* After CSV_MORE, when the file ended instead: reports the unterminated
 * field as the error (returns CSV_ERROR). */
csv_status csv_finish(csv_splitter *s);

/* The fields of the record, valid until the next csv_split(). */
size_t csv_count(const csv_splitter *s);
const csv_field *csv_get(const csv_splitter *s, size_t i);

/* After CSV_ERROR: where (line, 1-based byte column) and what, as a
 * lowercase message without a full stop (borrowed). */
const char *csv_error(const csv_splitter *s, long *line, long *col);

/* The 1-based line the record last split started on, and the line it
 * ended on (they differ when a quoted field held line ends). */
long csv_first_line(const csv_splitter *s);
long csv_last_line(const csv_splitter *s);

#endif
