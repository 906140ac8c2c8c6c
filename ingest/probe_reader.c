#include "probe_reader.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "decimal.h"
#include "isotime.h"
#include "line_reader.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

#define FIRST_LINE "# p3-probe "

typedef enum column_kind {
    COL_IGNORED, /* an unknown column, warned about once */
    COL_TIME,
    COL_LEVEL,
    COL_DELAY,
    COL_OPERATION,
    COL_SESSION
} column_kind;

static const char *const column_names[] = {NULL, "time", "level", "delay_ms", "operation",
                                           "session"};

struct probe_reader {
    line_reader *lines;     /* the file */
    char *path;             /* for messages */
    diag_file diags;        /* this file's diagnostics, capped */
    probe_header header;    /* what the metadata said */
    char separator;         /* ',' or '\t', from the header line */
    csv_splitter *csv;      /* splits the header and the rows */
    column_kind *columns;   /* kind of each header column */
    size_t column_count;
    const csv_field *fields; /* the current row's fields, in csv */
    const char *const *levels; /* the run's level names */
    size_t level_count;
    int header_level;       /* index of `# level:`, or -1 */
    int last_level;         /* the level matched last: rows come in runs */
    size_t bom;             /* 3 when line 1 began with a UTF-8 BOM */
    long level_line;        /* where `# level:` was written */
    long level_col;
};

bool probe_reader_sniff(const char *head, size_t len)
{
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
        head += 3;
        len -= 3;
    }
    return len >= strlen(FIRST_LINE) && memcmp(head, FIRST_LINE, strlen(FIRST_LINE)) == 0;
}

/* Whether a byte is a control character other than tab (line ends never
 * reach here): text files do not hold them, binary ones do. */
static bool is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* Whether s is text: UTF-8 without NUL or control bytes; reports where it
 * is not. A word-at-a-time test passes plain printable ASCII quickly. */
static bool check_text(probe_reader *r, const char *s, size_t len, long line, long col0)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* A byte >= 0x80, or a byte < 0x20 (w - 0x20.. borrows into its high bit). */
        if ((w | ((w - 0x20 * ones) & ~w)) & highs)
            break;
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) {
            diag_file_error(&r->diags, line, col0 + (long)i, "NUL byte: a probe log is text");
            return false;
        }
        if (is_control(c)) {
            diag_file_error(&r->diags, line, col0 + (long)i,
                            "control character 0x%02X: a probe log is text", c);
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = text_utf8_sequence(s + i, len - i);
        if (n == 0) {
            diag_file_error(&r->diags, line, col0 + (long)i, "invalid UTF-8 byte 0x%02X", c);
            return false;
        }
        i += n;
    }
    return true;
}

static char *lower_dup(const char *s, size_t len)
{
    char *p = xstrndup(s, len);
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

/* Splits a row into r->fields (quoted or not, blanks around them dropped, a
 * quote inside an unquoted field kept as text; a field never spans lines);
 * returns the number of fields, or -1 after reporting a broken quote. */
static long split(probe_reader *r, const char *line, size_t len, long number)
{
    csv_status st = csv_split(r->csv, line, len, number);
    if (st == CSV_MORE)
        st = csv_finish(r->csv);
    if (st == CSV_ERROR) {
        long at_line, col;
        const char *message = csv_error(r->csv, &at_line, &col);
        diag_file_error(&r->diags, number, col, "%s", message);
        return -1;
    }
    r->fields = csv_fields(r->csv);
    return (long)csv_count(r->csv);
}

/* Where field f of a line begins, the blanks before its text included. */
static long field_start(const probe_reader *r, const char *line, const csv_field *f)
{
    long col = f->col;
    while (col > 1 && (line[col - 2] == ' ' || line[col - 2] == '\t') &&
           line[col - 2] != r->separator)
        col--;
    return col;
}

/* Reads `# key: value` into the header. */
static void parse_meta(probe_reader *r, const char *line, size_t len, long number)
{
    const char *s = line + 1, *colon = memchr(line, ':', len);
    size_t n = len - 1;
    text_trim(&s, &n);
    if (!colon || n == 0)
        return; /* a comment */
    const char *key = s, *value = colon + 1;
    size_t key_len = (size_t)(colon - s), value_len = len - (size_t)(value - line);
    text_trim(&key, &key_len);
    text_trim(&value, &value_len);
    for (size_t i = 0; i < key_len; i++)
        if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
            return; /* not `key:` but prose with a colon: a comment */
    if (key_len == 0)
        return;
    long value_col = (long)(value - line) + 1;
    char *k = lower_dup(key, key_len);
    char **slot = strcmp(k, "run") == 0         ? &r->header.run
                  : strcmp(k, "host") == 0      ? &r->header.host
                  : strcmp(k, "guest") == 0     ? &r->header.guest
                  : strcmp(k, "operation") == 0 ? &r->header.operation
                  : strcmp(k, "level") == 0     ? &r->header.level
                                                : NULL;
    if (strcmp(k, "tz") == 0) {
        char quoted[80];
        if (!isotime_parse_offset(value, value_len, &r->header.tz_minutes))
            diag_file_error(&r->diags, number, value_col, "bad tz %s: expected +HH:MM or -HH:MM",
                            diag_quote(quoted, sizeof quoted, value, value_len));
        else
            r->header.has_tz = true;
    } else if (slot) {
        if (slot == &r->header.level) {
            r->level_line = number;
            r->level_col = value_col;
        }
        free(*slot);
        *slot = xstrndup(value, value_len);
    } else {
        r->header.extra = xreallocarray(r->header.extra, r->header.extra_count + 1,
                                        sizeof *r->header.extra);
        probe_meta *m = &r->header.extra[r->header.extra_count++];
        m->key = xstrdup(k);
        m->value = xstrndup(value, value_len);
        m->line = number;
    }
    free(k);
}

/* Reads the header line into r->columns; false when the file cannot be read
 * without it. */
static bool parse_header(probe_reader *r, const char *line, size_t len, long number)
{
    r->separator = memchr(line, '\t', len) ? '\t' : ',';
    r->csv = csv_splitter_new(
        &(csv_options){.delimiter = r->separator, .trim = true, .bare_quotes = true});
    long n = split(r, line, len, number);
    if (n < 0)
        return false;
    r->column_count = (size_t)n;
    r->columns = xcalloc(r->column_count, sizeof *r->columns);
    bool ok = true;
    for (size_t c = 0; c < r->column_count; c++) {
        const csv_field *f = &r->fields[c];
        column_kind kind = COL_IGNORED;
        for (int k = COL_TIME; k <= COL_SESSION; k++)
            if (text_equal_nocase(f->text, f->len, column_names[k]))
                kind = (column_kind)k;
        char quoted[80];
        diag_quote(quoted, sizeof quoted, f->text, f->len);
        if (kind == COL_IGNORED) {
            diag_file_warning(&r->diags, number, f->col, "unknown column %s is ignored", quoted);
        } else {
            for (size_t p = 0; p < c; p++)
                if (r->columns[p] == kind) {
                    diag_file_error(&r->diags, number, f->col, "column %s appears twice", quoted);
                    ok = false;
                }
        }
        r->columns[c] = kind;
    }
    static const column_kind required[] = {COL_TIME, COL_DELAY};
    for (size_t k = 0; k < 2; k++) {
        bool found = false;
        for (size_t c = 0; c < r->column_count; c++)
            found |= r->columns[c] == required[k];
        if (!found) {
            diag_file_error(&r->diags, number, 1, "header has no '%s' column",
                            column_names[required[k]]);
            ok = false;
        }
    }
    return ok;
}

/* Checks line 1; false when this is not a probe log this p3 can read. */
static bool parse_first_line(probe_reader *r, const char *line, size_t len)
{
    size_t prefix = strlen(FIRST_LINE);
    if (len < prefix || memcmp(line, FIRST_LINE, prefix) != 0) {
        diag_file_error(&r->diags, 1, 1,
                        "not a p3 probe log: the first line must be '# p3-probe 1'");
        return false;
    }
    const char *v = line + prefix;
    size_t vlen = len - prefix;
    long col = (long)(prefix + r->bom) + 1;
    long version = 0;
    size_t i = 0;
    for (; i < vlen && isdigit((unsigned char)v[i]) && version < 1000000; i++)
        version = version * 10 + (v[i] - '0');
    if (i == 0 || i != vlen) {
        char quoted[80];
        diag_file_error(&r->diags, 1, col, "bad format version %s: the first line must be "
                        "'# p3-probe 1'", diag_quote(quoted, sizeof quoted, v, vlen));
        return false;
    }
    if (version != PROBE_FORMAT_VERSION) {
        diag_file_error(&r->diags, 1, col,
                        "probe log format version %ld is %s than this p3 reads (%d)", version,
                        version > PROBE_FORMAT_VERSION ? "newer" : "older",
                        PROBE_FORMAT_VERSION);
        return false;
    }
    return true;
}

/* Reports an over-long or NUL-holding line; true if the line is usable. */
static bool usable_line(probe_reader *r, line_status ls, const char *line, size_t len, long number,
                        long col0)
{
    if (ls == LINE_TOO_LONG) {
        diag_file_error(&r->diags, number, (long)LINE_READER_MAX_LINE + 1,
                        "line longer than 1 MiB");
        return false;
    }
    return check_text(r, line, len, number, col0);
}

int probe_reader_open(const char *path, probe_reader **out, diag_list *diags)
{
    *out = NULL;
    probe_reader *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path);
    r->diags = (diag_file){.list = diags, .path = r->path};
    r->header_level = -1;
    int status = line_reader_open(path, NULL, &r->lines, diags);
    if (status) {
        probe_reader_free(r);
        return status;
    }
    const char *line;
    size_t len;
    line_status ls = line_reader_next(r->lines, &line, &len);
    if (ls == LINE_EOF) {
        diag_file_error(&r->diags, 1, 1, "empty file: a probe log starts with '# p3-probe 1'");
        goto bad;
    }
    if (ls == LINE_IO_ERROR)
        goto fail;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        r->bom = 3;
        line += 3;
        len -= 3;
    }
    if (ls == LINE_TOO_LONG || !parse_first_line(r, line, len))
        goto bad;
    bool header_ok = false;
    for (;;) {
        ls = line_reader_next(r->lines, &line, &len);
        long number = line_reader_line(r->lines);
        if (ls == LINE_IO_ERROR)
            goto fail;
        if (ls == LINE_EOF) {
            /* At the end of the file: the line after the last line end, or
             * the last line itself when the file stops inside it. */
            bool after = number == 0 || line_reader_terminated(r->lines);
            diag_file_error(&r->diags, after ? number + 1 : number, 1,
                            "no header line: expected column names such as "
                            "'time,level,delay_ms'");
            goto bad;
        }
        if (!usable_line(r, ls, line, len, number, 1))
            continue;
        const char *s = line;
        size_t n = len;
        text_trim(&s, &n);
        if (n == 0)
            continue;
        if (s[0] == '#') {
            parse_meta(r, s, n, number);
            continue;
        }
        header_ok = parse_header(r, line, len, number);
        break;
    }
    if (!header_ok)
        goto bad;
    *out = r;
    return STATUS_OK;
bad:
    diag_file_finish(&r->diags);
    probe_reader_free(r);
    return STATUS_BAD_INPUT;
fail:
    probe_reader_free(r);
    return STATUS_FAILURE;
}

void probe_reader_free(probe_reader *r)
{
    if (!r)
        return;
    line_reader_free(r->lines);
    free(r->header.run);
    free(r->header.host);
    free(r->header.guest);
    free(r->header.operation);
    free(r->header.level);
    for (size_t i = 0; i < r->header.extra_count; i++) {
        free(r->header.extra[i].key);
        free(r->header.extra[i].value);
    }
    free(r->header.extra);
    csv_splitter_free(r->csv);
    free(r->columns);
    free(r->path);
    free(r);
}

const probe_header *probe_reader_header(const probe_reader *r)
{
    return &r->header;
}

/* The index of the level named s, or -1. */
static int find_level(probe_reader *r, const char *s, size_t len)
{
    if (r->last_level >= 0 && (size_t)r->last_level < r->level_count &&
        text_equal_nocase(s, len, r->levels[r->last_level]))
        return r->last_level;
    for (size_t i = 0; i < r->level_count; i++)
        if (text_equal_nocase(s, len, r->levels[i]))
            return r->last_level = (int)i;
    return -1;
}

/* "None, Low, ..." for messages; caller frees. */
static char *level_list(const probe_reader *r)
{
    size_t total = 1;
    for (size_t i = 0; i < r->level_count; i++)
        total += strlen(r->levels[i]) + 2;
    char *s = xmalloc(total);
    s[0] = '\0';
    for (size_t i = 0; i < r->level_count; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, r->levels[i]);
    }
    return s;
}

static void unknown_level(probe_reader *r, long line, long col, const char *s, size_t len)
{
    char quoted[80];
    char *known = level_list(r);
    diag_file_error(&r->diags, line, col, "unknown level %s: this run's levels are %s",
                    diag_quote(quoted, sizeof quoted, s, len), known);
    free(known);
}

void probe_reader_set_levels(probe_reader *r, const char *const *names, size_t count)
{
    r->levels = names;
    r->level_count = count;
    r->last_level = 0;
    r->header_level = -1;
    if (!r->header.level)
        return;
    r->header_level = find_level(r, r->header.level, strlen(r->header.level));
    if (r->header_level < 0)
        unknown_level(r, r->level_line, r->level_col, r->header.level, strlen(r->header.level));
}

/* Parses a split row into *out; false after reporting what is wrong. */
static bool parse_row(probe_reader *r, long line_no, probe_sample *out)
{
    char quoted[80];
    bool ok = true;
    out->level = r->header_level;
    out->operation = r->header.operation;
    out->operation_len = r->header.operation ? strlen(r->header.operation) : 0;
    out->session = NULL;
    out->session_len = 0;
    for (size_t c = 0; c < r->column_count; c++) {
        const csv_field *f = &r->fields[c];
        switch (r->columns[c]) {
        case COL_TIME:
            if (!isotime_parse(f->text, f->len, r->header.tz_minutes, &out->t_ns)) {
                diag_file_error(&r->diags, line_no, f->col,
                                "bad time %s: expected ISO 8601 such as 2005-03-01T10:00:00 "
                                "or Unix seconds",
                                diag_quote(quoted, sizeof quoted, f->text, f->len));
                ok = false;
            }
            break;
        case COL_DELAY: {
            double d = 0;
            bool number = decimal_parse(f->text, f->len, &d);
            /* "-0" (and "-0.000") is zero, not a negative delay; it is
             * stored as +0 so that no sign shows in any output. */
            bool negative = number && d < 0;
            if (number && !negative && d <= PROBE_MAX_DELAY_MS) {
                out->delay_ms = d + 0.0;
                break;
            }
            diag_quote(quoted, sizeof quoted, f->text, f->len);
            if (!number)
                diag_file_error(&r->diags, line_no, f->col,
                                "bad delay %s: expected a number of milliseconds", quoted);
            else if (negative)
                diag_file_error(&r->diags, line_no, f->col, "negative delay %s", quoted);
            else
                diag_file_error(&r->diags, line_no, f->col,
                                "delay %s is above the maximum of 3600000 ms", quoted);
            ok = false;
            break;
        }
        case COL_LEVEL:
            if (f->len == 0)
                break; /* falls back to `# level:` */
            out->level = find_level(r, f->text, f->len);
            if (out->level < 0) {
                unknown_level(r, line_no, f->col, f->text, f->len);
                ok = false;
            }
            break;
        case COL_OPERATION:
            if (f->len) {
                out->operation = f->text;
                out->operation_len = f->len;
            }
            break;
        case COL_SESSION:
            if (f->len) {
                out->session = f->text;
                out->session_len = f->len;
            }
            break;
        case COL_IGNORED:
            break;
        }
    }
    /* A row may have no level: analysis places it by schedule.csv or CPU. */
    return ok;
}

int probe_reader_next(probe_reader *r, probe_sample *out)
{
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(r->lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(r->lines);
        if (ls == LINE_IO_ERROR)
            return 0;
        if (!line_reader_terminated(r->lines)) {
            diag_file_error(&r->diags, number, (long)len + 1,
                            "last line has no line end: the file looks truncated");
            continue;
        }
        if (!usable_line(r, ls, line, len, number, 1))
            continue;
        if (len == 0 || line[0] == '#')
            continue; /* blank lines and comments */
        long n = split(r, line, len, number);
        if (n < 0)
            continue;
        if ((size_t)n != r->column_count) {
            bool extra = (size_t)n > r->column_count;
            diag_file_error(&r->diags, number,
                            extra ? field_start(r, line, &r->fields[r->column_count])
                                  : (long)len + 1,
                            "expected %zu field%s as in the header, found %ld", r->column_count,
                            r->column_count == 1 ? "" : "s", n);
            continue;
        }
        if (parse_row(r, number, out))
            return 1;
    }
    return 0;
}

size_t probe_reader_errors(const probe_reader *r)
{
    return r->diags.errors;
}

int probe_reader_finish(probe_reader *r, char sha256_hex[65], long long *size)
{
    uint64_t bytes = 0;
    int digest = line_reader_digest(r->lines, sha256_hex, &bytes, r->diags.list);
    if (digest)
        return digest;
    *size = (long long)bytes;
    diag_file_finish(&r->diags);
    return r->diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
}
