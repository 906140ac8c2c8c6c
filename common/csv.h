/* Splits CSV records into fields the way RFC 4180 and the tools that write
 * result files do: a field is quoted when it holds the delimiter, a quote,
 * CR or LF; inner quotes are doubled; a quoted field may span lines. Every
 * CSV reader of p3 splits through this one module, line by line: a record
 * whose quoted field is still open at the end of a line asks for the next
 * line and joins it with a LF. Fields are copied, unquoted and
 * NUL-terminated, into the splitter's own buffer. A reader whose fields
 * never span lines calls csv_finish() at once after CSV_MORE, and so
 * reports the open quote on its own line. */
#ifndef P3_CSV_H
#define P3_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct csv_splitter csv_splitter;

/* One field of the record last split. text is NUL-terminated and valid
 * until the next csv_split(); line and col say where it starts: col is
 * 1-based in bytes, of the opening quote when quoted; with trim, of its
 * first byte that is not blank, or, for a field that is all blank, of
 * where the field begins. */
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

/* How the splitter reads. Plain data; zero it for RFC 4180 with commas.
 * Fields may be added at the end; zero means what RFC 4180 says. */
typedef struct csv_options {
    char delimiter;     /* 0 means ',' */
    bool trim;          /* drop spaces and tabs around unquoted fields and
                           around the quotes of quoted ones (never the
                           delimiter itself, so tab-separated fields keep
                           their empty fields); the text inside quotes is
                           kept as it is */
    bool lenient_quotes; /* a quote inside an unquoted field is text, and text
                           after a closing quote is appended, as it is, up to
                           the delimiter (files re-saved by hand); otherwise
                           both are errors */
    bool bare_quotes;   /* a quote inside an unquoted field is text, but text
                           after a closing quote is still an error (what
                           lenient_quotes allows first, alone) */
    bool glued_quotes;  /* a quote inside an unquoted field ends that field
                           and opens the next one, quoted: esxtop writes
                           `73.1"8.93"` for two fields. Wins over the two
                           above. With trim, a field that is blank up to the
                           quote is that quoted field itself */
} csv_options;

/* A new splitter; opts may be NULL. Free with csv_splitter_free(). */
csv_splitter *csv_splitter_new(const csv_options *opts);
void csv_splitter_free(csv_splitter *s);

/* Starts a record with line[0..len) (no line end), which is line number
 * line_no of its file. An empty line is a record of one empty field. */
csv_status csv_split(csv_splitter *s, const char *line, size_t len, long line_no);

/* After CSV_MORE: the record goes on with this line (joined with a LF).
 * Called when no field is open, it is csv_split(). */
csv_status csv_continue(csv_splitter *s, const char *line, size_t len, long line_no);

/* After CSV_MORE, when the file ended instead (or the reader's fields do
 * not span lines): reports the unterminated field, at its opening quote,
 * as the error (returns CSV_ERROR). */
csv_status csv_finish(csv_splitter *s);

/* The fields of the record, valid until the next csv_split(). After
 * CSV_MORE or CSV_ERROR: the fields before the open or broken one, so that
 * a reader can check them as it would have before it reached the break. */
size_t csv_count(const csv_splitter *s);
const csv_field *csv_get(const csv_splitter *s, size_t i);
/* The same fields as an array of csv_count() (NULL when there are none),
 * valid as long: for readers that walk every field of long records. */
const csv_field *csv_fields(const csv_splitter *s);

/* After CSV_ERROR: where (line, 1-based byte column) and what, as a
 * lowercase message without a full stop (borrowed): "unterminated quoted
 * field" (at the opening quote), "quote inside an unquoted field" or
 * "unexpected text after a quoted field" (at the byte in question). */
const char *csv_error(const csv_splitter *s, long *line, long *col);

/* The 1-based line the record last split started on, and the line it
 * ended on (they differ when a quoted field held line ends). */
long csv_first_line(const csv_splitter *s);
long csv_last_line(const csv_splitter *s);

#endif
