#include "pdh_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter_value.h"
#include "csv.h"
#include "decimal.h"
#include "isotime.h"
#include "line_reader.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* What the first cell of a PDH-CSV file begins with. */
#define HEADER_TAG "(PDH-CSV 4.0)"
/* The code page of files that are neither UTF-8 nor UTF-16 and of which
 * the user says nothing: what Western Windows machines write. */
#define GUESSED_ENCODING "Windows-1252"
/* sink_index of a column that is not a counter. */
#define NO_COUNTER SIZE_MAX
#define NS_PER_MINUTE (60 * ISOTIME_NS_PER_SEC)
#define NS_PER_DAY (1440 * NS_PER_MINUTE)
/* The longest timestamp text read: "12/30/2017 20:56:30.873" is 23. */
#define TIME_TEXT_MAX 63
/* The largest bias a header may give, in minutes either way. */
#define MAX_BIAS 1440

/* Objects only esxtop writes: one of them makes a file esxtop output. */
static const char *const esxtop_objects[] = {
    "Group Cpu",
    "Group Memory",
    "Vcpu",
    "Physical Cpu",
    "Physical Cpu Load",
    "PCPU Power State",
    "Physical Disk",
    "Physical Disk Adapter",
    "Physical Disk Path",
    "Physical Disk SCSI Device",
    "Physical Disk Per-Device-Per-World",
    "Physical Disk Partition",
    "Network Port",
    "Interrupt Cookie",
};

/* Objects whose instances perfmon writes as parent/instance. */
static const char *const parent_objects[] = {"Thread", "Job Object Details"};

/* One field of a line, as this reader sees it. */
typedef struct field {
    const char *text; /* its content: quotes removed, spaces trimmed inside them too */
    size_t len;
    long col;         /* 1-based column in the line (of its opening quote if quoted) */
    bool quoted;
} field;

/* A column that is not a counter. */
typedef struct other_column {
    size_t column; /* 0-based place in the line */
    char *header;  /* its header text, trimmed */
    bool warned;   /* a value in it has been reported */
} other_column;

/* A timestamp as written, before a date order gives it a meaning. */
typedef struct stamp {
    bool has_date;   /* false for a time of day alone */
    int part[3];     /* the date's numbers in the order written */
    int digits[3];   /* how many digits each has */
    char date_sep;   /* '/', '-' or '.' */
    int64_t time_ns; /* time of day */
    int frac_digits; /* digits of a fraction of a second; 0 for none */
} stamp;

/* One file being read. */
typedef struct reader {
    const char *path;              /* the file, for messages */
    diag_file diags;               /* this file's diagnostics, capped */
    const counter_options *opts;   /* what the user says; never NULL */
    const counter_sink *sink;      /* where counters and samples go */
    int status;                    /* STATUS_FAILURE once reading or the sink failed */
    line_reader *lines;            /* the file as lines of UTF-8 */
    line_reader_options line_opts; /* how lines are read; the date scan reads alike */
    const char *encoding;          /* how the file is decoded, for counter_file_info */
    bool encoding_by_bom;          /* a BOM decided it */
    bool check_utf8;               /* lines are the file's own bytes and must be UTF-8 */
    char sep;                      /* ',', ';' or '\t' */
    size_t col_offset;             /* bytes of line 1 before the text split (a BOM) */
    csv_splitter *csv;             /* splits the header and the rows */
    size_t columns;                /* fields per line, the time included */
    size_t *sink_index;            /* per column: the sink's index of its counter, or NO_COUNTER */
    other_column *others;          /* columns that are not counters */
    size_t other_count, other_cap;
    char *time_zone;               /* as the header names it, or NULL */
    char *description;             /* text of columns that are not counters, or NULL */
    bool has_bias;                 /* local times have a known offset */
    int bias;                      /* minutes: UTC = local + bias (0 when unknown) */
    int dst_shift;                 /* minutes added to the bias after repeated hours */
    counter_date_order order;      /* of dates not written year first; AUTO until decided */
    bool dates_refused;            /* times cannot be read; reported once */
    bool has_prev;                 /* a dated row was read */
    int64_t prev_local;            /* its local time, ns as if it were UTC */
    int64_t step;                  /* the last forward step between dated rows; 0 for none */
    char prev_text[TIME_TEXT_MAX + 1]; /* that row's time as written */
    char time_text[TIME_TEXT_MAX + 1]; /* the current row's time as written */
    bool has_prev_tod;             /* a row with a time of day alone was read */
    int64_t prev_tod;              /* its time of day */
    int64_t tod_days;              /* midnights passed since opts' date */
    bool has_cached_date;          /* the last date read, for rows of the same day */
    stamp cached_stamp;
    counter_date_order cached_order;
    int64_t cached_days;
} reader;

/* Whether sink calls may still be made: none after an error. */
static bool emitting(const reader *r)
{
    return r->status == STATUS_OK && r->diags.errors == 0;
}

static bool in_list(const char *s, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* "UTC+09:00" for minutes east of UTC, into out (at least 16 bytes). */
static char *format_offset(int minutes_east, char *out)
{
    int m = minutes_east < 0 ? -minutes_east : minutes_east;
    snprintf(out, 16, "UTC%c%02d:%02d", minutes_east < 0 ? '-' : '+', m / 60, m % 60);
    return out;
}

/* The offset of the first byte that is not UTF-8 text (invalid, or NUL),
 * or len. Eight bytes at a time pass plain ASCII quickly. */
static size_t utf8_problem_at(const char *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (;;) {
        for (; i + 8 <= len; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* A byte >= 0x80, or a zero byte (w - ones borrows into its high bit). */
            if ((((w - ones) & ~w) | w) & highs)
                break;
        }
        if (i >= len)
            return len;
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = text_utf8_sequence(s + i, len - i);
        if (n == 0)
            return i;
        i += n;
    }
}

bool pdh_reader_sniff(const char *head, size_t len)
{
    const unsigned char *p = (const unsigned char *)head;
    char text[64];
    size_t n = 0;
    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        /* UTF-16: the tag is ASCII, one byte of each code unit. */
        bool le = p[0] == 0xFF;
        for (size_t i = 2; i + 1 < len && n < sizeof text; i += 2) {
            unsigned char low = le ? p[i] : p[i + 1], high = le ? p[i + 1] : p[i];
            if (high != 0)
                break;
            text[n++] = (char)low;
        }
    } else {
        size_t skip = len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        n = len - skip < sizeof text ? len - skip : sizeof text;
        memcpy(text, head + skip, n);
    }
    size_t quote = n > 0 && text[0] == '"' ? 1 : 0;
    size_t tag = strlen(HEADER_TAG);
    return n - quote >= tag && memcmp(text + quote, HEADER_TAG, tag) == 0;
}

/* Copies s[0..len) into buf at *o as a NUL-terminated string; returns it. */
static char *put(char *buf, size_t *o, const char *s, size_t len)
{
    char *start = buf + *o;
    memcpy(start, s, len);
    start[len] = '\0';
    *o += len + 1;
    return start;
}

bool pdh_reader_parse_path(const char *s, size_t len, char *buf, counter_path *out)
{
    if (len < 2 || s[0] != '\\')
        return false;
    size_t i = 1, machine_len = 0;
    if (s[1] == '\\') {
        const char *end = memchr(s + 2, '\\', len - 2);
        if (!end || end == s + 2)
            return false;
        machine_len = (size_t)(end - s) - 2;
        i = (size_t)(end - s) + 1;
    }
    /* The counter follows the last backslash; the object comes before it. */
    size_t last = len;
    while (last > i && s[last - 1] != '\\')
        last--;
    if (last <= i + 1 || last == len)
        return false; /* no object, or no counter */
    const char *object = s + i;
    size_t part_len = last - 1 - i, object_len = part_len;
    const char *instance = NULL, *parent = NULL;
    size_t instance_len = 0, parent_len = 0;
    const char *paren = memchr(object, '(', part_len);
    if (paren) {
        object_len = (size_t)(paren - object);
        if (object_len == 0 || object[part_len - 1] != ')')
            return false;
        instance = paren + 1;
        instance_len = part_len - object_len - 2;
    }
    int index = -1;
    if (instance) {
        /* "svchost#3": an index of up to 9 digits after a name. */
        size_t d = instance_len;
        while (d > 0 && instance[d - 1] >= '0' && instance[d - 1] <= '9')
            d--;
        if (d >= 2 && d < instance_len && instance_len - d <= 9 && instance[d - 1] == '#') {
            index = 0;
            for (size_t k = d; k < instance_len; k++)
                index = index * 10 + (instance[k] - '0');
            instance_len = d - 1;
        }
    }
    size_t o = 0;
    out->path = put(buf, &o, s, len);
    out->machine = machine_len ? put(buf, &o, s + 2, machine_len) : NULL;
    out->object = put(buf, &o, object, object_len);
    if (instance && in_list(out->object, parent_objects,
                            sizeof parent_objects / sizeof *parent_objects)) {
        const char *slash = memchr(instance, '/', instance_len);
        if (slash && slash > instance && slash < instance + instance_len - 1) {
            parent = instance;
            parent_len = (size_t)(slash - instance);
            instance_len -= parent_len + 1;
            instance = slash + 1;
        }
    }
    out->parent = parent ? put(buf, &o, parent, parent_len) : NULL;
    out->instance = instance ? put(buf, &o, instance, instance_len) : NULL;
    out->instance_index = index;
    out->counter = put(buf, &o, s + last, len - last);
    return true;
}

/* A splitter for lines of the file: quoted or not, blanks around fields
 * dropped, and a quote after unquoted text opening the next field (esxtop
 * glues fields so). */
static csv_splitter *new_splitter(char sep)
{
    return csv_splitter_new(&(csv_options){.delimiter = sep, .trim = true, .glued_quotes = true});
}

/* Splits a line whose fields never span lines; a quote left open is an
 * error at once. */
static csv_status split_line(csv_splitter *csv, const char *line, size_t len, long number)
{
    csv_status st = csv_split(csv, line, len, number);
    return st == CSV_MORE ? csv_finish(csv) : st;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A field of the line last split, its text trimmed inside quotes too
 * (perfmon's " " is a blank) and its column counted from the line's start
 * (col_offset: a BOM before the text split). */
static inline field cell(const reader *r, const csv_field *c)
{
    field f = {c->text, c->len, c->col + (long)r->col_offset, c->quoted};
    if (c->quoted && c->len && (is_blank(c->text[0]) || is_blank(c->text[c->len - 1])))
        text_trim(&f.text, &f.len);
    return f;
}

/* Reports why the line last split is broken, on line number. */
static void split_error(reader *r, long number)
{
    long line, col;
    const char *message = csv_error(r->csv, &line, &col);
    diag_file_error(&r->diags, number, col + (long)r->col_offset, "%s", message);
}

/* Whether a line holds nothing but blank fields (quoted or not). */
static bool blank_line(const reader *r, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '"' && s[i] != r->sep)
            return false;
    return true;
}

/* Reports bytes the line reader could not decode, after len bytes of text. */
static void bad_text(reader *r, size_t len, long number)
{
    unsigned char bytes[4];
    bool at_end;
    size_t n = line_reader_bad_text(r->lines, bytes, &at_end);
    char hex[24];
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(hex + o, sizeof hex - o, "%s0x%02X", i ? " " : "", bytes[i]);
    if (at_end)
        diag_file_error(&r->diags, number, (long)len + 1,
                        "the file ends inside a %s character (%zu byte%s left over)",
                        r->encoding, n, n == 1 ? "" : "s");
    else
        diag_file_error(&r->diags, number, (long)len + 1, "%s %s %s not valid %s%s",
                        n == 1 ? "byte" : "bytes", hex, n == 1 ? "is" : "are", r->encoding,
                        r->encoding_by_bom ? ""
                                           : ": give the file's code page with --encoding or "
                                             "'encoding' in run.ini");
}

/* Reports a line that cannot be split; true if it can. */
static bool usable_line(reader *r, line_status ls, const char *line, size_t len, long number)
{
    if (ls == LINE_TOO_LONG) {
        diag_file_error(&r->diags, number, (long)PDH_READER_MAX_LINE + 1,
                        "line longer than 64 MiB");
        return false;
    }
    if (ls == LINE_BAD_TEXT) {
        bad_text(r, len, number);
        return false;
    }
    if (!r->check_utf8)
        return true;
    size_t bad = utf8_problem_at(line, len);
    if (bad == len)
        return true;
    if (line[bad] == '\0')
        diag_file_error(&r->diags, number, (long)bad + 1, "NUL byte: a PDH-CSV file is text");
    else if (r->encoding_by_bom)
        diag_file_error(&r->diags, number, (long)bad + 1,
                        "invalid UTF-8 byte 0x%02X in a file that begins with a UTF-8 BOM",
                        (unsigned char)line[bad]);
    else
        diag_file_error(&r->diags, number, (long)bad + 1,
                        "invalid UTF-8 byte 0x%02X: the file is not UTF-8 throughout; give its "
                        "code page with --encoding or 'encoding' in run.ini",
                        (unsigned char)line[bad]);
    return false;
}

/* Whether line 1, read as it is, calls for reading the file another way;
 * if so, sets r->line_opts for that. */
static bool must_reopen(reader *r, const char *line, size_t len)
{
    if (!r->line_opts.encoding && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        r->encoding_by_bom = true;
    if (!r->line_opts.encoding && !r->encoding_by_bom) {
        const char *utf16 = len >= 2 && memcmp(line, "\xFF\xFE", 2) == 0   ? "UTF-16LE"
                            : len >= 2 && memcmp(line, "\xFE\xFF", 2) == 0 ? "UTF-16BE"
                                                                           : NULL;
        if (utf16) {
            r->line_opts.encoding = r->encoding = utf16;
            r->encoding_by_bom = true;
            r->check_utf8 = false;
            return true;
        }
        size_t bad = utf8_problem_at(line, len);
        if (bad < len) {
            const char *given = r->opts->encoding;
            r->line_opts.encoding = r->encoding = given ? given : GUESSED_ENCODING;
            r->check_utf8 = false;
            if (!given)
                diag_file_warning(&r->diags, 1, (long)bad + 1,
                                  "the header is not UTF-8 text (byte 0x%02X): read as %s; give "
                                  "the file's code page with --encoding or 'encoding' in run.ini "
                                  "if that is wrong",
                                  (unsigned char)line[bad], GUESSED_ENCODING);
            return true;
        }
    }
    if (!r->line_opts.cr_alone && memchr(line, '\r', len)) {
        r->line_opts.cr_alone = true;
        return true;
    }
    return false;
}

/* Opens the file so that it comes as lines of UTF-8 and reads line 1 into
 * (*ls, *line, *len). Line 1, read first as bytes with LF line ends, shows
 * whether the file is UTF-16, not UTF-8, or ends its lines with CR alone;
 * each reopens the file to read it that way. Returns STATUS_OK or what
 * failed. */
static int open_lines(reader *r, line_status *ls, const char **line, size_t *len)
{
    r->line_opts.max_line = PDH_READER_MAX_LINE;
    r->encoding = "UTF-8";
    r->check_utf8 = true;
    for (;;) {
        int status = line_reader_open(r->path, &r->line_opts, &r->lines, r->diags.list);
        if (status)
            return status;
        *ls = line_reader_next(r->lines, line, len);
        if (*ls == LINE_IO_ERROR)
            return STATUS_FAILURE;
        if (*ls == LINE_EOF || *ls == LINE_BAD_TEXT || !must_reopen(r, *line, *len))
            return STATUS_OK;
        line_reader_free(r->lines);
        r->lines = NULL;
    }
}

/* Reads an optionally signed integer that is all of s[0..len). */
static bool parse_int(const char *s, size_t len, int *value)
{
    size_t i = len && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (len <= i || len - i > 5)
        return false;
    int v = 0;
    for (size_t k = i; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        v = v * 10 + (s[k] - '0');
    }
    *value = s[0] == '-' ? -v : v;
    return true;
}

/* Reads "(<time zone>)(<bias>)" after the tag of the first cell, either
 * part perhaps cut short, and settles the offset of local times. False
 * after reporting a bias out of range. */
static bool read_time_zone(reader *r, const field *first)
{
    const char *s = first->text + strlen(HEADER_TAG), *name = NULL;
    size_t n = first->len - strlen(HEADER_TAG), name_len = 0;
    text_trim(&s, &n);
    bool has_bias = false;
    int bias = 0;
    if (n && s[0] == '(') {
        size_t name_end = n;
        if (s[n - 1] == ')') {
            size_t open = n - 1;
            while (open > 0 && s[open] != '(')
                open--;
            if (open > 0 && parse_int(s + open + 1, n - open - 2, &bias)) {
                has_bias = true;
                name_end = open;
            }
        }
        name = s + 1;
        name_len = name_end - 1;
        size_t close = name_len;
        while (close > 0 && name[close - 1] != ')')
            close--;
        if (close > 0)
            name_len = close - 1;
        text_trim(&name, &name_len);
    }
    if (name_len)
        r->time_zone = xstrndup(name, name_len);
    if (has_bias && (bias < -MAX_BIAS || bias > MAX_BIAS)) {
        diag_file_error(&r->diags, 1, first->col,
                        "bad bias %d in the header: expected minutes between -%d and %d", bias,
                        MAX_BIAS, MAX_BIAS);
        return false;
    }
    char quoted[80], offset[16];
    diag_quote(quoted, sizeof quoted, first->text, first->len);
    if (has_bias) {
        r->has_bias = true;
        r->bias = bias;
    } else if (r->opts->has_tz) {
        r->has_bias = true;
        r->bias = -r->opts->tz_minutes;
        diag_file_warning(&r->diags, 1, 1,
                          "the header gives no UTC offset (%s): local times are read as %s, as "
                          "--tz or 'tz' in run.ini says",
                          quoted, format_offset(r->opts->tz_minutes, offset));
    } else {
        diag_file_warning(&r->diags, 1, 1,
                          "the header gives no UTC offset (%s): local times are taken as UTC; "
                          "give their offset with --tz +HH:MM or 'tz' in run.ini",
                          quoted);
    }
    return true;
}

/* The separator: the character after the first cell. */
static char first_separator(const char *line, size_t len)
{
    size_t i = 0;
    if (len && line[0] == '"') {
        const char *close = memchr(line + 1, '"', len - 1);
        i = close ? (size_t)(close - line) + 1 : len;
    }
    for (; i < len; i++)
        if (line[i] == ',' || line[i] == ';' || line[i] == '\t')
            return line[i];
    return ',';
}

/* Whether header text names something: it has a letter or digit. */
static bool has_name(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return true;
    }
    return false;
}

/* Keeps a column that is not a counter. */
static void add_other(reader *r, size_t column, const field *f)
{
    if (r->other_count == r->other_cap) {
        r->other_cap = r->other_cap ? 2 * r->other_cap : 4;
        r->others = xreallocarray(r->others, r->other_cap, sizeof *r->others);
    }
    r->others[r->other_count++] = (other_column){column, xstrndup(f->text, f->len), false};
}

/* Joins the headers of the other columns that name something with "; "
 * into r->description (NULL if none do). */
static void join_description(reader *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->other_count; i++)
        if (has_name(r->others[i].header, strlen(r->others[i].header)))
            total += strlen(r->others[i].header) + 2;
    if (total == 0)
        return;
    r->description = xmalloc(total);
    size_t o = 0;
    for (size_t i = 0; i < r->other_count; i++) {
        const char *h = r->others[i].header;
        size_t n = strlen(h);
        if (!has_name(h, n))
            continue;
        if (o) {
            memcpy(r->description + o, "; ", 2);
            o += 2;
        }
        memcpy(r->description + o, h, n);
        o += n;
    }
    r->description[o] = '\0';
}

/* Tells the sink about the file, then declares every counter column. */
static void declare(reader *r, const field *cells, bool esxtop, char *path_buf)
{
    counter_file_info info = {
        .kind = esxtop ? "esxtop" : "perfmon",
        .encoding = r->encoding,
        .time_zone = r->time_zone,
        .has_bias = r->has_bias,
        .bias_minutes = r->bias,
        .description = r->description,
    };
    if (r->sink->file(r->sink->ctx, &info) != STATUS_OK) {
        r->status = STATUS_FAILURE;
        return;
    }
    for (size_t c = 1; c < r->columns; c++) {
        if (r->sink_index[c] == NO_COUNTER)
            continue;
        counter_path p;
        pdh_reader_parse_path(cells[c].text, cells[c].len, path_buf, &p);
        if (r->sink->counter(r->sink->ctx, &p, &r->sink_index[c]) != STATUS_OK) {
            r->status = STATUS_FAILURE;
            return;
        }
    }
}

/* Sorts the header's columns into counters and others, reporting bad
 * counter paths; sets *esxtop when an object says so. Returns the number
 * of counters. */
static size_t classify(reader *r, const field *cells, char *path_buf, bool *esxtop)
{
    size_t counters = 0;
    r->sink_index = xmalloc(r->columns * sizeof *r->sink_index);
    r->sink_index[0] = NO_COUNTER;
    for (size_t c = 1; c < r->columns; c++) {
        const field *f = &cells[c];
        r->sink_index[c] = NO_COUNTER;
        if (f->len == 0 || f->text[0] != '\\') {
            add_other(r, c, f);
            continue;
        }
        counter_path p;
        if (!pdh_reader_parse_path(f->text, f->len, path_buf, &p)) {
            char quoted[80];
            diag_file_error(&r->diags, 1, f->col,
                            "bad counter path %s: expected \\\\MACHINE\\Object(instance)\\Counter",
                            diag_quote(quoted, sizeof quoted, f->text, f->len));
            continue;
        }
        r->sink_index[c] = 0; /* a counter; its index comes from the sink */
        counters++;
        *esxtop |= in_list(p.object, esxtop_objects, sizeof esxtop_objects / sizeof *esxtop_objects);
    }
    join_description(r);
    return counters;
}

/* Reads line 1: the first cell, then the columns; tells the sink about
 * the file and its counters. False when the rows cannot be read. */
static bool read_header(reader *r, line_status ls, const char *line, size_t len)
{
    if (ls == LINE_EOF) {
        diag_file_error(&r->diags, 1, 1, "empty file: a PDH-CSV file begins with a header "
                                         "whose first cell is '(PDH-CSV 4.0) ...'");
        return false;
    }
    if (!usable_line(r, ls, line, len, 1))
        return false;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        r->col_offset = 3;
        line += 3;
        len -= 3;
    }
    size_t tag = strlen(HEADER_TAG), quote = len && line[0] == '"';
    if (len < quote + tag || memcmp(line + quote, HEADER_TAG, tag) != 0) {
        char quoted[80];
        const char *first = line + quote;
        const char *end = memchr(first, quote ? '"' : ',', len - quote);
        size_t first_len = end ? (size_t)(end - first) : len - quote;
        diag_file_error(&r->diags, 1, 1 + (long)r->col_offset,
                        "not a PDH-CSV file: the first cell is %s, not '(PDH-CSV 4.0) ...'",
                        diag_quote(quoted, sizeof quoted, first, first_len));
        return false;
    }
    r->sep = first_separator(line, len);
    r->csv = new_splitter(r->sep);
    if (split_line(r->csv, line, len, 1) != CSV_RECORD) {
        split_error(r, 1);
        r->col_offset = 0;
        return false;
    }
    size_t count = csv_count(r->csv), longest = 0;
    const csv_field *split = csv_fields(r->csv);
    field *cells = xreallocarray(NULL, count, sizeof *cells);
    for (size_t c = 0; c < count; c++) {
        cells[c] = cell(r, &split[c]);
        if (cells[c].len > longest)
            longest = cells[c].len;
    }
    bool ok = read_time_zone(r, &cells[0]);
    char *path_buf = NULL;
    if (ok) {
        r->columns = count;
        path_buf = xmalloc(PDH_READER_PATH_ROOM(longest));
        bool esxtop = false;
        size_t counters = classify(r, cells, path_buf, &esxtop);
        if (counters == 0 && r->diags.errors == 0)
            diag_file_error(&r->diags, 1, count > 1 ? cells[1].col : (long)(len + 1 + r->col_offset),
                            "no counter columns: the header has no counter path after the time");
        ok = r->diags.errors == 0;
        if (ok)
            declare(r, cells, esxtop, path_buf);
    }
    free(path_buf);
    free(cells);
    r->col_offset = 0;
    return ok && r->status == STATUS_OK;
}

/* Reads up to max digits at s[*i] into *value; returns how many. */
static int read_digits(const char *s, size_t len, size_t *i, int max, int *value)
{
    int n = 0, v = 0;
    while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    *value = v;
    return n;
}

/* Reads "[date ]H:MM[:SS[.f]]" into *out; false if s is not such a time. */
static bool parse_stamp(const char *s, size_t len, stamp *out)
{
    size_t i = 0;
    int hour, hour_digits = read_digits(s, len, &i, 4, &hour);
    if (hour_digits == 0 || i >= len)
        return false;
    out->has_date = s[i] == '/' || s[i] == '-' || s[i] == '.';
    if (out->has_date) {
        out->date_sep = s[i];
        out->part[0] = hour;
        out->digits[0] = hour_digits;
        for (int k = 1; k < 3; k++) {
            if (i >= len || s[i] != out->date_sep)
                return false;
            i++;
            out->digits[k] = read_digits(s, len, &i, 4, &out->part[k]);
            if (out->digits[k] == 0)
                return false;
        }
        if (i >= len || (s[i] != ' ' && s[i] != 'T'))
            return false;
        do
            i++;
        while (i < len && s[i] == ' ');
        hour_digits = read_digits(s, len, &i, 2, &hour);
    }
    int minute, second = 0;
    if (hour_digits == 0 || hour_digits > 2 || hour > 23 || i >= len || s[i++] != ':' ||
        read_digits(s, len, &i, 2, &minute) != 2 || minute > 59)
        return false;
    int64_t frac = 0;
    out->frac_digits = 0;
    if (i < len && s[i] == ':') {
        i++;
        if (read_digits(s, len, &i, 2, &second) != 2 || second > 59)
            return false;
        if (i < len && s[i] == '.') {
            int64_t scale = 100000000;
            for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
                if (++out->frac_digits > 9)
                    return false;
                frac += (s[i] - '0') * scale;
                scale /= 10;
            }
            if (out->frac_digits == 0)
                return false;
        }
    }
    if (i != len)
        return false;
    out->time_ns = ((int64_t)(hour * 60 + minute) * 60 + second) * ISOTIME_NS_PER_SEC + frac;
    return true;
}

/* The date order a dated timestamp proves, or COUNTER_DATE_AUTO. */
static counter_date_order date_evidence(const stamp *s, bool quoted)
{
    if (s->digits[0] == 4)
        return COUNTER_DATE_YMD;
    if (s->digits[2] != 4)
        return COUNTER_DATE_AUTO; /* not a date this reader can read anyway */
    if (s->date_sep == '.')
        return COUNTER_DATE_DMY;
    if (s->date_sep == '/' && (quoted || s->frac_digits > 0))
        return COUNTER_DATE_MDY; /* as perfmon and esxtop write it */
    if (s->part[0] > 12)
        return COUNTER_DATE_DMY;
    if (s->part[1] > 12)
        return COUNTER_DATE_MDY;
    return COUNTER_DATE_AUTO;
}

/* Looks for a date order in the rows after line `after`, reading the file
 * a second time in the same way; COUNTER_DATE_AUTO if none shows one. */
static counter_date_order scan_for_order(const reader *r, long after)
{
    counter_date_order order = COUNTER_DATE_AUTO;
    diag_list *ignored = diag_list_new(); /* the main pass reports problems */
    line_reader *lines;
    if (line_reader_open(r->path, &r->line_opts, &lines, ignored) != STATUS_OK) {
        diag_list_free(ignored);
        return order;
    }
    csv_splitter *csv = new_splitter(r->sep);
    const char *line;
    size_t len;
    line_status ls;
    while (order == COUNTER_DATE_AUTO && (ls = line_reader_next(lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(lines);
        if (ls != LINE_OK || number <= after)
            continue;
        split_line(csv, line, len, number);
        const csv_field *first = csv_get(csv, 0); /* whole even if a later field is broken */
        if (!first)
            continue;
        const char *s = first->text;
        size_t n = first->len;
        text_trim(&s, &n);
        stamp st;
        if (parse_stamp(s, n, &st) && st.has_date)
            order = date_evidence(&st, first->quoted);
    }
    csv_splitter_free(csv);
    line_reader_free(lines);
    diag_list_free(ignored);
    return order;
}

static const char *order_name(counter_date_order order)
{
    return order == COUNTER_DATE_MDY   ? "month/day/year"
           : order == COUNTER_DATE_DMY ? "day/month/year"
                                       : "year/month/day";
}

/* Settles the file's date order at its first date not written year
 * first; AUTO (and the file refused) if nothing settles it. */
static counter_date_order decide_order(reader *r, const stamp *s, const field *f, long number)
{
    counter_date_order order = date_evidence(s, f->quoted);
    if (order == COUNTER_DATE_AUTO)
        order = scan_for_order(r, number);
    if (order == COUNTER_DATE_AUTO)
        order = r->opts->date_order;
    if (order == COUNTER_DATE_AUTO) {
        char quoted[80];
        diag_file_error(&r->diags, number, f->col,
                        "ambiguous date %s: no row shows whether the dates are month/day/year "
                        "or day/month/year; give the order with --date-order mdy|dmy or "
                        "'date_order' in run.ini",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        r->dates_refused = true;
    }
    r->order = order;
    return order;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The days since 1970 of a stamp's date read in the given order; false if
 * it is not a real date so read. Rows of the same day reuse the last. */
static bool stamp_days(reader *r, const stamp *s, counter_date_order order, int64_t *days)
{
    if (r->has_cached_date && r->cached_order == order &&
        memcmp(r->cached_stamp.part, s->part, sizeof s->part) == 0 &&
        memcmp(r->cached_stamp.digits, s->digits, sizeof s->digits) == 0) {
        *days = r->cached_days;
        return true;
    }
    int y, m, d, year_at = order == COUNTER_DATE_YMD ? 0 : 2;
    if (s->digits[year_at] != 4 || s->digits[1] > 2 || s->digits[2 - year_at] > 2)
        return false;
    y = s->part[year_at];
    m = order == COUNTER_DATE_DMY ? s->part[1] : order == COUNTER_DATE_MDY ? s->part[0] : s->part[1];
    d = order == COUNTER_DATE_DMY ? s->part[0] : s->part[order == COUNTER_DATE_MDY ? 1 : 2];
    if (y < ISOTIME_MIN_YEAR || y > ISOTIME_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return false;
    *days = isotime_days_from_civil(y, m, d);
    r->has_cached_date = true;
    r->cached_stamp = *s;
    r->cached_order = order;
    r->cached_days = *days;
    return true;
}

/* Warns about the step from the previous row's time to this one's: `what`
 * it does, then `then`, followed by the offset now in force if `offset`. */
static void clock_warning(reader *r, const field *f, long number, const char *what,
                          const char *then, bool offset)
{
    char from[80], to[80], utc[16];
    diag_file_warning(&r->diags, number, f->col, "local time %s from %s to %s%s%s", what,
                      diag_quote(from, sizeof from, r->prev_text, strlen(r->prev_text)),
                      diag_quote(to, sizeof to, r->time_text, strlen(r->time_text)), then,
                      offset ? format_offset(-(r->bias + r->dst_shift), utc) : "");
}

/* Watches dated local times for daylight saving changes (see the header)
 * before the row at `local` is taken. */
static void check_clock(reader *r, int64_t local, const field *f, long number)
{
    if (!r->has_prev)
        return;
    int64_t delta = local - r->prev_local;
    if (delta < 0 && -delta >= 30 * NS_PER_MINUTE && -delta <= 60 * NS_PER_MINUTE) {
        r->dst_shift += 60;
        clock_warning(r, f, number, "goes back",
                      " (daylight saving time ended?): so that UTC keeps increasing, times "
                      "from here on are read as ",
                      true);
        return;
    }
    if (delta < 0) {
        clock_warning(r, f, number, "goes back", ": the rows are not in time order", false);
        return;
    }
    int64_t tolerance = r->step / 2 > 2 * ISOTIME_NS_PER_SEC ? r->step / 2 : 2 * ISOTIME_NS_PER_SEC;
    int64_t beyond = delta - r->step - 60 * NS_PER_MINUTE;
    if (r->step > 0 && beyond >= -tolerance && beyond <= tolerance) {
        clock_warning(r, f, number, "jumps forward",
                      " (daylight saving time started?): the samples show a gap of an hour, "
                      "as times are still read as ",
                      true);
        return;
    }
    if (delta > 0)
        r->step = delta;
}

/* The local time (ns since 1970 as if it were UTC) of a dated stamp;
 * false after reporting why there is none. */
static bool dated_local(reader *r, const stamp *s, const field *f, long number, int64_t *local)
{
    counter_date_order order = s->digits[0] == 4 ? COUNTER_DATE_YMD : r->order;
    if (order == COUNTER_DATE_AUTO)
        order = decide_order(r, s, f, number);
    if (order == COUNTER_DATE_AUTO)
        return false;
    int64_t days;
    if (!stamp_days(r, s, order, &days)) {
        char quoted[80];
        diag_file_error(&r->diags, number, f->col, "bad date %s: not a %s date", 
                        diag_quote(quoted, sizeof quoted, f->text, f->len), order_name(order));
        return false;
    }
    *local = days * NS_PER_DAY + s->time_ns;
    check_clock(r, *local, f, number);
    r->has_prev = true;
    r->prev_local = *local;
    memcpy(r->prev_text, r->time_text, sizeof r->prev_text);
    return true;
}

/* The local time of a time of day alone, on opts' date and the days
 * passed since; false after reporting that there is no date. */
static bool undated_local(reader *r, const stamp *s, const field *f, long number, int64_t *local)
{
    const counter_options *o = r->opts;
    if (!o->has_date) {
        char quoted[80];
        diag_file_error(&r->diags, number, f->col,
                        "time %s has no date: give the date of the first row with --date "
                        "YYYY-MM-DD or 'date' in run.ini",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        r->dates_refused = true;
        return false;
    }
    if (r->has_prev_tod && s->time_ns < r->prev_tod)
        r->tod_days++; /* past midnight */
    r->has_prev_tod = true;
    r->prev_tod = s->time_ns;
    *local = (isotime_days_from_civil(o->year, o->month, o->day) + r->tod_days) * NS_PER_DAY +
             s->time_ns;
    return true;
}

/* The UTC instant of a row's time field into *t_ns, its text into
 * r->time_text; false after reporting what is wrong. */
static bool read_time(reader *r, const field *f, long number, int64_t *t_ns)
{
    char quoted[80];
    stamp s;
    if (f->len > TIME_TEXT_MAX || !parse_stamp(f->text, f->len, &s)) {
        diag_file_error(&r->diags, number, f->col,
                        "bad timestamp %s: expected a date and time such as "
                        "'04/24/2018 10:49:12.345'",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    if (r->dates_refused)
        return false;
    memcpy(r->time_text, f->text, f->len);
    r->time_text[f->len] = '\0';
    int64_t local;
    if (s.has_date ? !dated_local(r, &s, f, number, &local)
                   : !undated_local(r, &s, f, number, &local))
        return false;
    *t_ns = local + (int64_t)(r->bias + r->dst_shift) * NS_PER_MINUTE;
    return true;
}

/* Reads a value as a number; after a ';' separator a decimal comma too. */
static bool parse_value(const reader *r, const char *s, size_t len, double *value)
{
    if (r->sep != ';' || !memchr(s, ',', len))
        return decimal_parse(s, len, value);
    char copy[64];
    if (len >= sizeof copy)
        return false;
    for (size_t i = 0; i < len; i++)
        copy[i] = s[i] == ',' ? '.' : s[i];
    return decimal_parse(copy, len, value);
}

/* A value in a column that is not a counter: warned about once. */
static void ignored_value(reader *r, size_t column, const field *f, long number)
{
    for (size_t i = 0; i < r->other_count; i++) {
        other_column *o = &r->others[i];
        if (o->column != column || o->warned)
            continue;
        char value[80], header[80];
        diag_file_warning(&r->diags, number, f->col,
                          "value %s in column %zu is ignored: its header %s is not a counter path",
                          diag_quote(value, sizeof value, f->text, f->len), column + 1,
                          diag_quote(header, sizeof header, o->header, strlen(o->header)));
        o->warned = true;
    }
}

/* Gives the value of column c of the current row to the sink. */
static void read_value(reader *r, size_t c, const field *f, long number)
{
    if (f->len == 0)
        return; /* missing */
    size_t index = r->sink_index[c];
    if (index == NO_COUNTER) {
        ignored_value(r, c, f, number);
        return;
    }
    double v;
    if (!parse_value(r, f->text, f->len, &v)) {
        char quoted[80];
        diag_file_error(&r->diags, number, f->col,
                        "bad value %s: expected a number, or a blank for none",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return;
    }
    if (!counter_value_check(&r->diags, number, f->col, f->text, f->len, v))
        return;
    if (emitting(r) && r->sink->value(r->sink->ctx, index, v) != STATUS_OK)
        r->status = STATUS_FAILURE;
}

/* Reads one sample line: its fields in order, each checked as it comes, up
 * to a broken one if any (so that its problems are reported in order). */
static void read_row(reader *r, const char *line, size_t len, long number)
{
    csv_status st = split_line(r->csv, line, len, number);
    size_t n = csv_count(r->csv);
    const csv_field *cells = csv_fields(r->csv);
    if (n == 0) {
        split_error(r, number); /* the time field itself is broken */
        return;
    }
    field f = cell(r, &cells[0]);
    if (f.len == 0 && blank_line(r, line, len))
        return;
    int64_t t_ns;
    if (read_time(r, &f, number, &t_ns) && emitting(r) &&
        r->sink->row(r->sink->ctx, t_ns, r->time_text) != STATUS_OK) {
        r->status = STATUS_FAILURE;
        return;
    }
    for (size_t c = 1; c < n; c++) {
        if (r->status != STATUS_OK)
            return;
        if (c == r->columns) {
            if (st != CSV_RECORD)
                split_error(r, number);
            else
                diag_file_error(&r->diags, number, cells[c].col,
                                "expected %zu fields as in the header, found %zu", r->columns, n);
            return;
        }
        f = cell(r, &cells[c]);
        read_value(r, c, &f, number);
    }
    if (r->status != STATUS_OK)
        return;
    if (st != CSV_RECORD)
        split_error(r, number);
    else if (n < r->columns)
        diag_file_error(&r->diags, number, (long)len + 1,
                        "expected %zu fields as in the header, found %zu", r->columns, n);
}

int pdh_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                    counter_read_result *result, diag_list *diags)
{
    static const counter_options defaults = {0};
    memset(result, 0, sizeof *result);
    reader r = {
        .path = path,
        .diags = {.list = diags, .path = path},
        .opts = opts ? opts : &defaults,
        .sink = sink,
    };
    line_status ls;
    const char *line;
    size_t len;
    int status = open_lines(&r, &ls, &line, &len);
    if (status)
        goto out;
    if (read_header(&r, ls, line, len)) {
        while (r.status == STATUS_OK && (ls = line_reader_next(r.lines, &line, &len)) != LINE_EOF) {
            long number = line_reader_line(r.lines);
            if (ls == LINE_IO_ERROR)
                r.status = STATUS_FAILURE;
            else if (usable_line(&r, ls, line, len, number) && len > 0)
                read_row(&r, line, len, number);
        }
    }
    if (r.status == STATUS_OK) {
        uint64_t size = 0;
        int digest = line_reader_digest(r.lines, result->sha256, &size, diags);
        r.status = status_worst(r.status, digest);
        result->size = (long long)size;
    }
    diag_file_finish(&r.diags);
    status = r.status ? r.status : r.diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    result->errors = r.diags.errors;
    line_reader_free(r.lines);
    for (size_t i = 0; i < r.other_count; i++)
        free(r.others[i].header);
    free(r.others);
    free(r.sink_index);
    csv_splitter_free(r.csv);
    free(r.time_zone);
    free(r.description);
    return status;
}
