#include "vmstat_reader.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "line_reader.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Not yet declared to the sink. */
#define UNDECLARED SIZE_MAX
/* Columns a header may name: procps writes at most 19 (with -a, -w, gu). */
#define MAX_COLUMNS 32
/* Digits of a value: more would not fit a double exactly. */
#define MAX_DIGITS 15

/* vmstat's CPU columns and the names sysstat gives the same percentages. */
static const struct cpu_name {
    const char *vmstat; /* the column as vmstat's header names it */
    const char *counter; /* the counter of \CPU(all) */
} cpu_names[] = {
    {"us", "%usr"}, {"sy", "%sys"}, {"id", "%idle"}, {"wa", "%iowait"}, {"st", "%steal"},
    {"gu", "%guest"},
};
#define CPU_NAMES (sizeof cpu_names / sizeof *cpu_names)

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* A counter declared to the sink (or to be, at its first value). */
typedef struct counter_slot {
    char *object;  /* "CPU" or "vmstat", owned */
    char *counter; /* "%steal", "free", owned */
    size_t index;  /* the sink's number; UNDECLARED before its first value */
} counter_slot;

/* One field of a line. */
typedef struct field {
    const char *text; /* in the line, not NUL-terminated */
    size_t len;
    long col;         /* 1-based column of its first byte */
} field;

typedef struct vmstat_reader {
    const char *path;            /* for messages, borrowed */
    const counter_options *opts; /* never NULL */
    const counter_sink *sink;    /* borrowed */
    diag_file diags;             /* this file's diagnostics, capped */
    line_reader *lines;          /* the file */
    counter_file_info info;      /* what sink->file() is given */
    char *time_zone;             /* info.time_zone, owned */
    bool file_given;             /* sink->file() was called */
    bool failed;                 /* the sink or a read failed: stop at once */
    bool stop;                   /* not readable vmstat output: stop looking */
    bool zone_seen;              /* info's zone fields are set, from the first time */
    bool zone_warned;            /* the warning about the zone was given */
    bool step_warned;            /* the warning about 1 s steps was given */
    bool untimed_reported;       /* the error about rows without times was given */
    bool percent_warned;         /* the warning about CPU values over 100 was given */
    counter_slot *slots;         /* every counter met in a header */
    size_t slot_count;           /* slots */
    size_t columns[MAX_COLUMNS]; /* the current header's columns, as slots */
    size_t column_count;         /* 0 before a header */
    long header_line;            /* the line of the current column names */
    bool timestamped;            /* the header has -t's timestamp column */
    int zone_offset;             /* minutes east of UTC of -t times */
    bool expect_names;           /* a `procs` line came: the column names come next */
    long expect_names_line;      /* where that `procs` line is */
    bool dated;                  /* the current block started at a date line */
    int64_t date_local;          /* its time, in local seconds since 1970 */
    int date_offset;             /* minutes east of UTC of that time, once zoned */
    bool date_zoned;             /* date_offset is set: at the block's first row, so
                                    that a vmstat -s file gets no zone warning */
    char date_zone[16];          /* the date line's zone, "" for none */
    long date_zone_col;          /* where it is (or where it would be) */
    long date_line;              /* where it is */
    long rows_in_block;          /* data rows since the block started */
    long long rows;              /* rows given to the sink */
    field fields[MAX_COLUMNS + 3]; /* the current line's fields */
    size_t field_count;          /* fields, at most MAX_COLUMNS + 3 counted */
} vmstat_reader;

static const counter_options no_options = {0};

/* ---- Lines and fields ---------------------------------------------------- */

/* Splits line into runs of characters other than spaces and tabs; fields
 * past the array are counted, not kept. */
static void split_blanks(vmstat_reader *v, const char *line, size_t len)
{
    const size_t capacity = sizeof v->fields / sizeof *v->fields;
    v->field_count = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            return;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (v->field_count < capacity)
            v->fields[v->field_count] = (field){line + start, i - start, (long)start + 1};
        v->field_count++;
    }
}

static bool field_is(const field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->text, s, f->len) == 0;
}

/* Whether s[0..len) contains the NUL-terminated word. */
static bool contains(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, word, n) == 0)
            return true;
    return false;
}

static bool all_letters(const field *f)
{
    for (size_t i = 0; i < f->len; i++)
        if (!((f->text[i] >= 'a' && f->text[i] <= 'z') || (f->text[i] >= 'A' && f->text[i] <= 'Z')))
            return false;
    return f->len > 0;
}

/* Whether the line is text: printable ASCII, tab or UTF-8; reports where
 * it is not. */
static bool check_text(vmstat_reader *v, const char *s, size_t len, long line)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0x20 && c < 0x7F) || c == '\t') {
            i++;
            continue;
        }
        if (c == 0) {
            diag_file_error(&v->diags, line, (long)i + 1, "NUL byte: vmstat output is text");
            return false;
        }
        if (c < 0x80) {
            diag_file_error(&v->diags, line, (long)i + 1,
                            "control character 0x%02X: vmstat output is text", c);
            return false;
        }
        size_t n = text_utf8_sequence(s + i, len - i);
        if (n == 0) {
            diag_file_error(&v->diags, line, (long)i + 1, "invalid UTF-8 byte 0x%02X", c);
            return false;
        }
        i += n;
    }
    return true;
}

/* Reports a truncated, over-long or non-text line; true if it is usable. */
static bool usable_line(vmstat_reader *v, line_status ls, const char *line, size_t len,
                        long number)
{
    if (ls == LINE_TOO_LONG) {
        diag_file_error(&v->diags, number, (long)LINE_READER_MAX_LINE + 1,
                        "line longer than 1 MiB");
        return false;
    }
    if (!check_text(v, line, len, number))
        return false;
    if (!line_reader_terminated(v->lines)) {
        diag_file_error(&v->diags, number, (long)len + 1,
                        "last line has no line end: the file looks truncated");
        return false;
    }
    return true;
}

/* ---- The sink ------------------------------------------------------------- */

/* Whether values still go to the sink: not after the first error. */
static bool emitting(const vmstat_reader *v)
{
    return v->diags.errors == 0 && !v->failed;
}

/* Calls sink->file() unless done; false when the sink failed. */
static bool give_file(vmstat_reader *v)
{
    if (v->file_given)
        return true;
    v->file_given = true;
    v->info.time_zone = v->time_zone;
    if (v->sink->file(v->sink->ctx, &v->info)) {
        v->failed = true;
        return false;
    }
    return true;
}

/* Declares slot s unless done; false when the sink failed. */
static bool declare(vmstat_reader *v, counter_slot *s)
{
    if (s->index != UNDECLARED)
        return true;
    bool cpu = strcmp(s->object, "CPU") == 0;
    char *text = xasprintf("\\%s%s\\%s", s->object, cpu ? "(all)" : "", s->counter);
    counter_path p = {text, NULL, s->object, NULL, cpu ? "all" : NULL, -1, s->counter};
    int status = v->sink->counter(v->sink->ctx, &p, &s->index);
    free(text);
    if (status) {
        s->index = UNDECLARED;
        v->failed = true;
        return false;
    }
    return true;
}

/* Gives one row: its time, local text and the values of the current
 * header's columns. */
static void give_row(vmstat_reader *v, int64_t t, const char *local, const double *values)
{
    if (!emitting(v) || !give_file(v))
        return;
    for (size_t i = 0; i < v->column_count; i++)
        if (!declare(v, &v->slots[v->columns[i]]))
            return;
    v->rows++;
    if (v->sink->row(v->sink->ctx, t, local)) {
        v->failed = true;
        return;
    }
    for (size_t i = 0; i < v->column_count; i++)
        if (!isnan(values[i]) &&
            v->sink->value(v->sink->ctx, v->slots[v->columns[i]].index, values[i])) {
            v->failed = true;
            return;
        }
}

/* ---- Times ---------------------------------------------------------------- */

/* The offset of times in zone (empty: none named): *offset receives it;
 * false when p3 cannot tell it from the zone's name. */
static bool known_zone(const char *zone, size_t len, int *offset)
{
    *offset = 0;
    if (len == 3 && memcmp(zone, "GMT", 3) == 0)
        return true;
    return len && isotime_parse_offset(zone, len, offset);
}

/* The offset of local times named zone (at line, col), from the zone
 * itself, else opts' tz, else UTC with a warning once per file. Records
 * the file's zone from its first time. */
static int zone_offset(vmstat_reader *v, const char *zone, size_t len, long line, long col)
{
    int offset;
    bool known = known_zone(zone, len, &offset);
    if (!known && v->opts->has_tz) {
        offset = v->opts->tz_minutes;
    } else if (!known && !v->zone_warned) {
        v->zone_warned = true;
        char quoted[80];
        if (len)
            diag_file_warning(&v->diags, line, col,
                              "times are in time zone %s, which p3 cannot convert (a zone "
                              "abbreviation can name several zones): read as UTC; give --tz or "
                              "'tz' in run.ini",
                              diag_quote(quoted, sizeof quoted, zone, len));
        else
            diag_file_warning(&v->diags, line, col,
                              "times name no time zone: read as UTC; give --tz or 'tz' in run.ini");
    }
    if (!v->zone_seen) {
        v->zone_seen = true;
        v->time_zone = len ? xstrndup(zone, len) : NULL;
        v->info.has_bias = known || v->opts->has_tz;
        v->info.bias_minutes = -offset;
    }
    return offset;
}

/* Writes local seconds since 1970 as "YYYY-MM-DD HH:MM:SS" into out (at
 * least 32 bytes). */
static void format_local(int64_t seconds, char *out)
{
    int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    int64_t tod = seconds - days * 86400;
    int y, m, d;
    isotime_civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(tod / 3600),
             (int)(tod / 60 % 60), (int)(tod % 60));
}

/* Whether the fields of the current line are a `date` line: Wed Aug 28
 * 16:02:01 [IST] 2019. */
static bool is_date_line(const vmstat_reader *v)
{
    return (v->field_count == 5 || v->field_count == 6) && v->fields[0].len == 3 &&
           all_letters(&v->fields[0]) && all_letters(&v->fields[1]);
}

/* Reads the current `date` line into the block's start. */
static void date_line(vmstat_reader *v, const char *line, size_t len, long number)
{
    const field *f = v->fields;
    const field *year = &f[v->field_count - 1];
    int month = 0;
    for (int i = 0; i < 12; i++)
        if (field_is(&f[1], month_names[i]))
            month = i + 1;
    char iso[40] = "";
    bool ok = month && f[2].len <= 2 && text_all_digits(f[2].text, f[2].len) && f[3].len == 8 &&
              year->len == 4 && text_all_digits(year->text, year->len);
    if (ok)
        snprintf(iso, sizeof iso, "%.4s-%02d-%02d %.8s", year->text, month,
                 f[2].len == 1 ? f[2].text[0] - '0' : (f[2].text[0] - '0') * 10 + f[2].text[1] - '0',
                 f[3].text);
    int64_t local_ns;
    if (!ok || !isotime_parse(iso, strlen(iso), 0, &local_ns)) {
        char quoted[80];
        diag_file_error(&v->diags, number, 1,
                        "bad date line %s: expected 'date' output such as "
                        "'Wed Aug 28 16:02:01 IST 2019'",
                        diag_quote(quoted, sizeof quoted, line, len));
        return;
    }
    const field *zone = v->field_count == 6 ? &f[4] : NULL;
    snprintf(v->date_zone, sizeof v->date_zone, "%.*s", zone ? (int)zone->len : 0,
             zone ? zone->text : "");
    v->date_zone_col = zone ? zone->col : f[3].col;
    v->date_zoned = false;
    v->dated = true;
    v->date_local = local_ns / ISOTIME_NS_PER_SEC;
    v->date_line = number;
    v->rows_in_block = 0;
}

/* ---- Headers -------------------------------------------------------------- */

/* The slot of column name, added when new. */
static size_t slot_of(vmstat_reader *v, const field *name)
{
    const char *object = "vmstat";
    char *counter = xstrndup(name->text, name->len);
    for (size_t i = 0; i < CPU_NAMES; i++)
        if (field_is(name, cpu_names[i].vmstat)) {
            object = "CPU";
            free(counter);
            counter = xstrdup(cpu_names[i].counter);
        }
    for (size_t i = 0; i < v->slot_count; i++)
        if (strcmp(v->slots[i].object, object) == 0 && strcmp(v->slots[i].counter, counter) == 0) {
            free(counter);
            return i;
        }
    v->slots = xreallocarray(v->slots, v->slot_count + 1, sizeof *v->slots);
    v->slots[v->slot_count] = (counter_slot){xstrdup(object), counter, UNDECLARED};
    return v->slot_count++;
}

/* Whether name is one of the columns vmstat writes before a -t zone. */
static bool is_column_name(const field *name)
{
    for (size_t i = 0; i < CPU_NAMES; i++)
        if (field_is(name, cpu_names[i].vmstat))
            return true;
    return false;
}

/* Reads the column names line (`r  b   swpd ... st  [zone]`). */
static void names_line(vmstat_reader *v, long number)
{
    size_t count = v->field_count;
    const field *zone = NULL;
    /* field_count goes on counting past the fields kept: a line of more
     * has no last field to look at, and is too long anyway. */
    bool kept = count <= sizeof v->fields / sizeof *v->fields;
    if (v->timestamped && count > 1 && kept && !is_column_name(&v->fields[count - 1]))
        zone = &v->fields[--count]; /* -t ends the names with the zone, as %Z writes it */
    if (count > MAX_COLUMNS) {
        diag_file_error(&v->diags, number, v->fields[MAX_COLUMNS].col,
                        "header names %zu columns: vmstat writes at most %d", count, MAX_COLUMNS);
        v->stop = true;
        return;
    }
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < i; k++)
            if (v->fields[k].len == v->fields[i].len &&
                memcmp(v->fields[k].text, v->fields[i].text, v->fields[i].len) == 0) {
                char quoted[80];
                diag_file_error(&v->diags, number, v->fields[i].col,
                                "column %s appears twice in the header",
                                diag_quote(quoted, sizeof quoted, v->fields[i].text,
                                           v->fields[i].len));
                v->stop = true;
                return;
            }
    for (size_t i = 0; i < count; i++)
        v->columns[i] = slot_of(v, &v->fields[i]);
    v->column_count = count;
    v->header_line = number;
    if (v->timestamped)
        v->zone_offset = zone_offset(v, zone ? zone->text : "", zone ? zone->len : 0, number,
                                     zone ? zone->col : v->fields[count - 1].col);
}

/* ---- Rows ----------------------------------------------------------------- */

/* Parses a field of digits into *value; reports it otherwise. */
static bool parse_value(vmstat_reader *v, const field *f, long number, double *value)
{
    if (f->len > MAX_DIGITS || !text_all_digits(f->text, f->len)) {
        char quoted[80];
        diag_file_error(&v->diags, number, f->col, "bad value %s: expected a number",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    double d = 0;
    for (size_t i = 0; i < f->len; i++)
        d = d * 10 + (f->text[i] - '0');
    *value = d;
    return true;
}

/* The time of a -t row from its last two fields into *t and local (32
 * bytes); false after reporting a bad one. */
static bool row_timestamp(vmstat_reader *v, long number, int64_t *t, char *local)
{
    const field *date = &v->fields[v->column_count];
    const field *time = &v->fields[v->column_count + 1];
    if (date->len == 10 && time->len == 8) {
        snprintf(local, 32, "%.10s %.8s", date->text, time->text);
        if (isotime_parse(local, 19, v->zone_offset, t))
            return true;
    }
    char quoted[80];
    diag_file_error(&v->diags, number, date->col,
                    "bad timestamp %s: expected 'YYYY-MM-DD HH:MM:SS'",
                    diag_quote(quoted, sizeof quoted, date->text,
                               (size_t)(time->text + time->len - date->text)));
    return false;
}

/* Reads a data row. */
static void data_row(vmstat_reader *v, size_t len, long number)
{
    size_t expected = v->column_count + (v->timestamped ? 2 : 0);
    if (v->field_count != expected) {
        long col = v->field_count > expected ? v->fields[expected].col : (long)len + 1;
        diag_file_error(&v->diags, number, col,
                        "expected %zu fields as in the header on line %ld, found %zu", expected,
                        v->header_line, v->field_count);
        return;
    }
    double values[MAX_COLUMNS];
    bool ok = true;
    for (size_t i = 0; i < v->column_count; i++)
        ok &= parse_value(v, &v->fields[i], number, &values[i]);
    int64_t t = 0;
    char local[32];
    if (v->timestamped) {
        ok &= row_timestamp(v, number, &t, local);
    } else if (!v->dated) {
        if (!v->untimed_reported)
            diag_file_error(&v->diags, number, 1,
                            "row has no time: record 'vmstat -t', or write a 'date' line before "
                            "each vmstat run");
        v->untimed_reported = true;
        return;
    } else {
        if (!v->date_zoned)
            v->date_offset = zone_offset(v, v->date_zone, strlen(v->date_zone), v->date_line,
                                         v->date_zone_col);
        v->date_zoned = true;
        int64_t local_s = v->date_local + v->rows_in_block;
        format_local(local_s, local);
        t = (local_s - (int64_t)v->date_offset * 60) * ISOTIME_NS_PER_SEC;
    }
    for (size_t i = 0; i < v->column_count; i++)
        if (ok && values[i] > 100 && strcmp(v->slots[v->columns[i]].object, "CPU") == 0) {
            if (!v->percent_warned) {
                char quoted[80];
                diag_file_warning(&v->diags, number, v->fields[i].col,
                                  "CPU percentage %s is over 100: left out, with any "
                                  "later ones (vmstat's wrap when a kernel CPU time goes back)",
                                  diag_quote(quoted, sizeof quoted, v->fields[i].text,
                                             v->fields[i].len));
            }
            v->percent_warned = true;
            values[i] = NAN;
        }
    long k = v->rows_in_block++;
    if (!ok || k == 0)
        return; /* the first row is the average since boot, not a sample */
    if (!v->timestamped && !v->step_warned) {
        v->step_warned = true;
        diag_file_warning(&v->diags, v->date_line, 1,
                          "rows after a 'date' line have no times: taken 1 s apart from it, as "
                          "'vmstat 1' writes them (the interval is not in the file)");
    }
    give_row(v, t, local, values);
}

/* Whether the current line is a `vmstat -s` line: a number, then words. */
static bool is_totals_line(const vmstat_reader *v)
{
    return v->field_count >= 2 && text_all_digits(v->fields[0].text, v->fields[0].len) &&
           all_letters(&v->fields[1]);
}

static void read_line(vmstat_reader *v, const char *line, size_t len, long number)
{
    split_blanks(v, line, len);
    if (v->field_count == 0)
        return; /* blocks are separated by blank lines */
    const field *first = &v->fields[0];
    if (field_is(first, "procs")) {
        v->timestamped = contains(line, len, "timestamp");
        v->expect_names = true;
        v->expect_names_line = number;
        return;
    }
    if (v->expect_names) {
        v->expect_names = false;
        if (field_is(first, "r")) {
            names_line(v, number);
            return;
        }
        diag_file_error(&v->diags, number, 1,
                        "expected vmstat's column names ('r  b   swpd ...') after the header on "
                        "line %ld",
                        v->expect_names_line);
        v->stop = true;
        return;
    }
    if (is_date_line(v)) {
        date_line(v, line, len, number);
        return;
    }
    if (v->column_count == 0 && is_totals_line(v)) {
        diag_file_error(&v->diags, 1, 1,
                        "vmstat -s output (totals since boot) is not read: record 'vmstat -t 1', "
                        "or 'vmstat -n 1' after 'date'");
        v->stop = true;
        return;
    }
    if (first->text[0] >= '0' && first->text[0] <= '9') {
        if (v->column_count)
            data_row(v, len, number);
        else {
            diag_file_error(&v->diags, number, 1,
                            "row before vmstat's header: expected the 'procs' and column "
                            "names lines first");
            v->stop = true;
        }
        return;
    }
    char quoted[80];
    diag_file_error(&v->diags, number, first->col,
                    "unexpected line %s: expected vmstat's header, a row or a 'date' line",
                    diag_quote(quoted, sizeof quoted, line + first->col - 1,
                               len - (size_t)(first->col - 1)));
}

int vmstat_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    vmstat_reader v;
    memset(&v, 0, sizeof v);
    v.path = path;
    v.opts = opts ? opts : &no_options;
    v.sink = sink;
    v.diags = (diag_file){.list = diags, .path = path};
    v.info.kind = "vmstat";
    v.info.encoding = "UTF-8";
    int status = line_reader_open(path, NULL, &v.lines, diags);
    if (status)
        goto out;
    const char *line;
    size_t len;
    line_status ls;
    bool first = true;
    while ((ls = line_reader_next(v.lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(v.lines);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (v.stop || v.failed)
            continue;
        if (!usable_line(&v, ls, line, len, number))
            v.stop = first; /* a binary file: one error is enough */
        else
            read_line(&v, line, len, number);
        first = false;
    }
    if (first)
        diag_file_error(&v.diags, 1, 1, "empty file: expected vmstat output");
    uint64_t size = 0;
    if ((status = line_reader_digest(v.lines, result->sha256, &size, diags)))
        goto out;
    result->size = (long long)size;
    if (emitting(&v))
        give_file(&v); /* a file without samples is still a file */
    diag_file_finish(&v.diags);
    result->errors = v.diags.errors;
    status = v.failed ? STATUS_FAILURE : result->errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    line_reader_free(v.lines);
    for (size_t i = 0; i < v.slot_count; i++) {
        free(v.slots[i].object);
        free(v.slots[i].counter);
    }
    free(v.slots);
    free(v.time_zone);
    return status;
}

/* ---- Sniffing ------------------------------------------------------------- */

bool vmstat_reader_sniff(const char *head, size_t len)
{
    vmstat_reader v;
    memset(&v, 0, sizeof v);
    size_t start = 0;
    int seen = 0; /* non-blank lines looked at */
    while (start < len && seen < 2) {
        const char *nl = memchr(head + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - head) : len;
        split_blanks(&v, head + start, end - start);
        const char *line = head + start;
        size_t line_len = end - start;
        start = end + 1;
        if (v.field_count == 0)
            continue;
        seen++;
        if (field_is(&v.fields[0], "procs") && contains(line, line_len, "memory"))
            return true;
        if (is_totals_line(&v) && v.field_count == 4 && field_is(&v.fields[1], "K") &&
            field_is(&v.fields[2], "total") && field_is(&v.fields[3], "memory"))
            return true;
        if (!is_date_line(&v))
            return false;
    }
    return false;
}
