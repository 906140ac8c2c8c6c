#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Where the splitter stands inside a record. */
typedef enum state {
    AT_START,     /* before a field's first byte */
    IN_UNQUOTED,  /* inside an unquoted field */
    IN_QUOTED,    /* inside a quoted field */
    QUOTE_SEEN,   /* a quote inside a quoted field: its end or the first of "" */
    AFTER_QUOTED  /* past a closing quote, before the delimiter */
} state;

/* A field while its record is being split: offsets, since buf moves. */
typedef struct span {
    size_t start, len;
    long line, col;
    bool quoted;
} span;

struct csv_splitter {
    csv_options opts;
    char *buf;          /* the unquoted text of the fields, each NUL-terminated */
    size_t len, cap;
    span *spans;
    size_t count, spans_cap;
    csv_field *fields;  /* built from spans when the record is whole */
    size_t fields_cap;
    state st;
    long first_line, last_line;
    long err_line, err_col;
    char err[96];
};

csv_splitter *csv_splitter_new(const csv_options *opts)
{
    csv_splitter *s = xcalloc(1, sizeof *s);
    if (opts)
        s->opts = *opts;
    if (!s->opts.delimiter)
        s->opts.delimiter = ',';
    return s;
}

void csv_splitter_free(csv_splitter *s)
{
    if (!s)
        return;
    free(s->buf);
    free(s->spans);
    free(s->fields);
    free(s);
}

static void reserve(csv_splitter *s, size_t more)
{
    if (s->len + more + 1 > s->cap) {
        s->cap = 2 * (s->len + more) + 64;
        s->buf = xrealloc(s->buf, s->cap);
    }
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static void open_field(csv_splitter *s, long line, long col, bool quoted)
{
    if (s->count == s->spans_cap) {
        s->spans_cap = s->spans_cap ? 2 * s->spans_cap : 32;
        s->spans = xreallocarray(s->spans, s->spans_cap, sizeof *s->spans);
    }
    s->spans[s->count++] = (span){s->len, 0, line, col, quoted};
}

static void close_field(csv_splitter *s)
{
    span *f = &s->spans[s->count - 1];
    if (!f->quoted && s->opts.trim)
        while (s->len > f->start && blank(s->buf[s->len - 1]))
            s->len--;
    f->len = s->len - f->start;
    s->buf[s->len++] = '\0';
}

static csv_status fail(csv_splitter *s, long line, long col, const char *message)
{
    s->err_line = line;
    s->err_col = col;
    snprintf(s->err, sizeof s->err, "%s", message);
    return CSV_ERROR;
}

/* Builds the field array once the record is whole. */
static csv_status finish_record(csv_splitter *s)
{
    if (s->fields_cap < s->count) {
        s->fields_cap = s->count;
        s->fields = xreallocarray(s->fields, s->fields_cap, sizeof *s->fields);
    }
    for (size_t i = 0; i < s->count; i++) {
        const span *f = &s->spans[i];
        s->fields[i] = (csv_field){s->buf + f->start, f->len, f->line, f->col, f->quoted};
    }
    return CSV_RECORD;
}

/* Runs the state machine over one line of the record. */
static csv_status feed(csv_splitter *s, const char *line, size_t len, long line_no)
{
    const char delim = s->opts.delimiter;
    s->last_line = line_no;
    reserve(s, len + 2);
    size_t i = 0;
    while (i <= len) {
        bool end = i == len;
        char c = end ? '\0' : line[i];
        switch (s->st) {
        case AT_START:
            if (!end && s->opts.trim && blank(c)) {
                i++;
                continue;
            }
            if (!end && c == '"') {
                open_field(s, line_no, (long)i + 1, true);
                s->st = IN_QUOTED;
                i++;
                continue;
            }
            open_field(s, line_no, (long)i + 1, false);
            s->st = IN_UNQUOTED;
            continue;
        case IN_UNQUOTED: {
            /* Fast path: copy up to the next delimiter or quote at once. */
            size_t j = i;
            while (j < len && line[j] != delim && line[j] != '"')
                j++;
            memcpy(s->buf + s->len, line + i, j - i);
            s->len += j - i;
            i = j;
            if (i < len && line[i] == '"') {
                if (!s->opts.lenient_quotes)
                    return fail(s, line_no, (long)i + 1, "quote inside an unquoted field");
                s->buf[s->len++] = '"';
                i++;
                continue;
            }
            close_field(s);
            if (i == len) {
                s->st = AT_START;
                return finish_record(s);
            }
            s->st = AT_START; /* a delimiter: the next field starts after it */
            i++;
            continue;
        }
        case IN_QUOTED: {
            const char *q = end ? NULL : memchr(line + i, '"', len - i);
            size_t j = q ? (size_t)(q - line) : len;
            memcpy(s->buf + s->len, line + i, j - i);
            s->len += j - i;
            if (!q) {
                /* The field goes on past the line end. */
                s->buf[s->len++] = '\n';
                return CSV_MORE;
            }
            s->st = QUOTE_SEEN;
            i = j + 1;
            continue;
        }
        case QUOTE_SEEN:
            if (!end && c == '"') {
                s->buf[s->len++] = '"';
                s->st = IN_QUOTED;
                i++;
                continue;
            }
            close_field(s);
            s->st = AFTER_QUOTED;
            continue;
        case AFTER_QUOTED:
            if (end) {
                s->st = AT_START;
                return finish_record(s);
            }
            if (c == delim) {
                s->st = AT_START;
                i++;
                continue;
            }
            if (s->opts.trim && blank(c)) {
                i++;
                continue;
            }
            if (s->opts.lenient_quotes) {
                /* Text glued to the quoted field: keep it as part of it. */
                span *f = &s->spans[s->count - 1];
                s->len--; /* drop the NUL close_field() wrote */
                s->buf[s->len++] = c;
                f->len++;
                s->buf[s->len++] = '\0';
                i++;
                continue;
            }
            return fail(s, line_no, (long)i + 1, "unexpected text after a quoted field");
        }
    }
    return CSV_RECORD; /* not reached: the end of the line always returns */
}

csv_status csv_split(csv_splitter *s, const char *line, size_t len, long line_no)
{
    s->len = 0;
    s->count = 0;
    s->st = AT_START;
    s->first_line = line_no;
    return feed(s, line, len, line_no);
}

csv_status csv_continue(csv_splitter *s, const char *line, size_t len, long line_no)
{
    return feed(s, line, len, line_no);
}

csv_status csv_finish(csv_splitter *s)
{
    const span *f = s->count ? &s->spans[s->count - 1] : NULL;
    return fail(s, f ? f->line : s->first_line, f ? f->col : 1, "unterminated quoted field");
}

size_t csv_count(const csv_splitter *s)
{
    return s->count;
}

const csv_field *csv_get(const csv_splitter *s, size_t i)
{
    return i < s->count ? &s->fields[i] : NULL;
}

const char *csv_error(const csv_splitter *s, long *line, long *col)
{
    *line = s->err_line;
    *col = s->err_col;
    return s->err;
}

long csv_first_line(const csv_splitter *s)
{
    return s->first_line;
}

long csv_last_line(const csv_splitter *s)
{
    return s->last_line;
}
