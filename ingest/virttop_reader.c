#include "virttop_reader.h"

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

/* The host's columns, which every row starts with (virt-top's
 * csv_output.ml, write_csv_header). */
static const char *const host_columns[] = {
    "Hostname",          "Time",          "Arch",
    "Physical CPUs",     "Count",         "Running",
    "Blocked",           "Paused",        "Shutdown",
    "Shutoff",           "Crashed",       "Active",
    "Inactive",          "%CPU",          "Total hardware memory (KB)",
    "Total memory (KB)", "Total guest memory (KB)", "Total CPU time (ns)"};

#define HOST_COLUMNS (sizeof host_columns / sizeof host_columns[0])
/* Host columns before the first value: Hostname, Time, Arch. */
#define HOST_TEXT_COLUMNS 3
/* A domain's columns before its values: Domain ID, Domain name. */
#define DOMAIN_ID_COLUMNS 2
/* Not yet declared to the sink. */
#define UNDECLARED SIZE_MAX

/* A domain seen in the file. */
typedef struct domain {
    char *name;       /* as the row writes it, unquoted */
    size_t *counters; /* sink numbers of its group's value columns, or UNDECLARED */
} domain;

typedef struct virttop_reader {
    const char *path;            /* for messages, borrowed */
    const counter_options *opts; /* never NULL */
    const counter_sink *sink;    /* borrowed */
    diag_file diags;             /* this file's diagnostics, capped */
    line_reader *lines;          /* the file */
    bool failed;                 /* the sink or a read failed: stop at once */
    bool file_given;             /* sink->file() was called */
    bool stop;                   /* not virt-top CSV: stop looking */
    bool date_reported;          /* the missing date was reported */
    bool zone_warned;            /* the missing zone was warned about */
    char **group;                /* a domain's column names, from the header */
    size_t group_count;          /* columns per domain, Domain ID and name included */
    char *hostname;              /* of the first row: the machine of every counter */
    char *arch;                  /* of the first row: the file's description */
    size_t host_counters[HOST_COLUMNS]; /* sink numbers; UNDECLARED */
    domain *domains;             /* every domain seen, in order */
    size_t domain_count;         /* domains */
    int64_t day;                 /* days since 1970 of the current row */
    long last_tod;               /* the last time of day in seconds; -1 before any */
    csv_splitter *csv;           /* splits each line */
    const csv_field *fields;     /* the current line's fields, in csv */
    size_t field_count;          /* fields of the current line */
} virttop_reader;

bool virttop_reader_sniff(const char *head, size_t len)
{
    static const char start[] = "Hostname,Time,Arch,Physical CPUs,";
    return len >= sizeof start - 1 && memcmp(head, start, sizeof start - 1) == 0;
}

static bool emitting(const virttop_reader *v)
{
    return v->diags.errors == 0 && !v->failed;
}

static bool field_is(const csv_field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->text, s, f->len) == 0;
}

/* Whether s is text: UTF-8 without NUL or control bytes other than tab. */
static bool check_text(virttop_reader *v, const char *s, size_t len, long line)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0x20 && c < 0x7F) || c == '\t') {
            i++;
        } else if (c == 0) {
            diag_file_error(&v->diags, line, (long)i + 1, "NUL byte: virt-top CSV is text");
            return false;
        } else if (c < 0x80) {
            diag_file_error(&v->diags, line, (long)i + 1,
                            "control character 0x%02X: virt-top CSV is text", c);
            return false;
        } else {
            size_t n = text_utf8_sequence(s + i, len - i);
            if (n == 0) {
                diag_file_error(&v->diags, line, (long)i + 1, "invalid UTF-8 byte 0x%02X", c);
                return false;
            }
            i += n;
        }
    }
    return true;
}

/* Splits a CSV line as virt-top writes it (quotes around fields holding a
 * comma, quote, or edge blanks; "" for a quote; a quote inside an unquoted
 * field is text; a field never spans lines). False after reporting a
 * broken quote. */
static bool split(virttop_reader *v, const char *line, size_t len, long number)
{
    csv_status st = csv_split(v->csv, line, len, number);
    if (st == CSV_MORE)
        st = csv_finish(v->csv);
    if (st == CSV_ERROR) {
        long at_line, col;
        const char *message = csv_error(v->csv, &at_line, &col);
        diag_file_error(&v->diags, number, col, "%s", message);
        return false;
    }
    v->fields = csv_fields(v->csv);
    v->field_count = csv_count(v->csv);
    return true;
}

/* Reads the header (line `number`, len bytes): the host's columns, then
 * one domain's. */
static void read_header(virttop_reader *v, size_t len, long number)
{
    if (v->field_count == 0 || !field_is(&v->fields[0], "Hostname")) {
        diag_file_error(&v->diags, number, 1,
                        "not virt-top CSV: the first line should be its header "
                        "'Hostname,Time,Arch,...'");
        v->stop = true;
        return;
    }
    char quoted[80];
    for (size_t c = 0; c < HOST_COLUMNS; c++) {
        if (c < v->field_count && field_is(&v->fields[c], host_columns[c]))
            continue;
        const csv_field *f = c < v->field_count ? &v->fields[c] : NULL;
        diag_file_error(&v->diags, number, f ? f->col : 1, "expected column '%s' here, found %s",
                        host_columns[c],
                        f ? diag_quote(quoted, sizeof quoted, f->text, f->len) : "none");
        v->stop = true;
        return;
    }
    if (v->field_count < HOST_COLUMNS + DOMAIN_ID_COLUMNS ||
        !field_is(&v->fields[HOST_COLUMNS], "Domain ID") ||
        !field_is(&v->fields[HOST_COLUMNS + 1], "Domain name")) {
        long col = v->field_count > HOST_COLUMNS ? v->fields[HOST_COLUMNS].col : (long)len + 1;
        diag_file_error(&v->diags, number, col,
                        "expected the per-domain columns 'Domain ID,Domain name,...' after "
                        "'Total CPU time (ns)'");
        v->stop = true;
        return;
    }
    v->group_count = v->field_count - HOST_COLUMNS;
    v->group = xcalloc(v->group_count, sizeof *v->group);
    for (size_t c = 0; c < v->group_count; c++)
        v->group[c] = xstrndup(v->fields[HOST_COLUMNS + c].text, v->fields[HOST_COLUMNS + c].len);
}

/* Parses HH:MM:SS into seconds of the day. */
static bool time_of_day(const csv_field *f, long *seconds)
{
    const char *s = f->text;
    if (f->len != 8 || s[2] != ':' || s[5] != ':')
        return false;
    long parts[3];
    for (int k = 0; k < 3; k++) {
        if (s[3 * k] < '0' || s[3 * k] > '9' || s[3 * k + 1] < '0' || s[3 * k + 1] > '9')
            return false;
        parts[k] = (s[3 * k] - '0') * 10 + (s[3 * k + 1] - '0');
    }
    if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59)
        return false;
    *seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
    return true;
}

/* The instant of a row's time; false after reporting it. */
static bool row_time(virttop_reader *v, const csv_field *f, long number, int64_t *t)
{
    char quoted[80];
    long tod;
    if (!time_of_day(f, &tod)) {
        diag_file_error(&v->diags, number, f->col, "bad time %s: expected HH:MM:SS",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    if (!v->opts->has_date) {
        if (!v->date_reported)
            diag_file_error(&v->diags, number, f->col,
                            "time %s has no date: virt-top writes the time of day only; give "
                            "the date of the first row with --date or 'date' in run.ini",
                            diag_quote(quoted, sizeof quoted, f->text, f->len));
        v->date_reported = true;
        return false;
    }
    if (!v->opts->has_tz && !v->zone_warned) {
        v->zone_warned = true;
        diag_file_warning(&v->diags, number, f->col,
                          "times name no time zone: read as UTC; give --tz or 'tz' in run.ini");
    }
    if (v->last_tod < 0)
        v->day = isotime_days_from_civil(v->opts->year, v->opts->month, v->opts->day);
    else if (tod < v->last_tod)
        v->day++; /* past midnight */
    v->last_tod = tod;
    int64_t seconds = v->day * 86400 + tod - (v->opts->has_tz ? v->opts->tz_minutes * 60L : 0);
    *t = seconds * ISOTIME_NS_PER_SEC;
    return true;
}

static void bad_value(virttop_reader *v, long number, const csv_field *f)
{
    char quoted[80];
    diag_file_error(&v->diags, number, f->col, "bad value %s: expected a number",
                    diag_quote(quoted, sizeof quoted, f->text, f->len));
}

/* Checks a row's fields; true when all is well. */
static bool check_row(virttop_reader *v, size_t len, long number, int64_t *t)
{
    char quoted[80];
    size_t n = v->field_count;
    if (n < HOST_COLUMNS || (n - HOST_COLUMNS) % v->group_count != 0) {
        long col = n > HOST_COLUMNS ? v->fields[n - 1].col : (long)len + 1;
        diag_file_error(&v->diags, number, col,
                        "expected %zu host fields then groups of %zu per domain, found %zu "
                        "fields",
                        HOST_COLUMNS, v->group_count, n);
        return false;
    }
    bool ok = row_time(v, &v->fields[1], number, t);
    if (v->fields[0].len == 0) {
        diag_file_error(&v->diags, number, 1, "empty hostname");
        ok = false;
    } else if (!v->hostname) {
        v->hostname = xstrndup(v->fields[0].text, v->fields[0].len);
        v->arch = xstrndup(v->fields[2].text, v->fields[2].len);
    } else if (!field_is(&v->fields[0], v->hostname)) {
        diag_file_error(&v->diags, number, 1, "hostname %s differs from the first row's '%s'",
                        diag_quote(quoted, sizeof quoted, v->fields[0].text, v->fields[0].len),
                        v->hostname);
        ok = false;
    }
    double d;
    for (size_t c = HOST_TEXT_COLUMNS; c < HOST_COLUMNS; c++) {
        if (!decimal_parse(v->fields[c].text, v->fields[c].len, &d)) {
            bad_value(v, number, &v->fields[c]);
            ok = false;
        } else if (!counter_value_check(&v->diags, number, v->fields[c].col, v->fields[c].text,
                                        v->fields[c].len, d)) {
            ok = false;
        }
    }
    for (size_t g = HOST_COLUMNS; g < n; g += v->group_count) {
        const csv_field *id = &v->fields[g], *name = &v->fields[g + 1];
        size_t digits = id->len && id->text[0] == '-' ? 1 : 0;
        bool number_ok = id->len > digits && id->len <= 9;
        for (size_t i = digits; i < id->len; i++)
            number_ok &= id->text[i] >= '0' && id->text[i] <= '9';
        if (!number_ok) {
            diag_file_error(&v->diags, number, id->col, "bad domain ID %s: expected a number",
                            diag_quote(quoted, sizeof quoted, id->text, id->len));
            ok = false;
        }
        if (name->len == 0) {
            diag_file_error(&v->diags, number, name->col, "empty domain name");
            ok = false;
        }
        for (size_t h = HOST_COLUMNS; h < g && name->len; h += v->group_count) {
            const csv_field *other = &v->fields[h + 1];
            if (other->len == name->len && memcmp(other->text, name->text, name->len) == 0) {
                diag_file_error(&v->diags, number, name->col, "domain %s appears twice in the row",
                                diag_quote(quoted, sizeof quoted, name->text, name->len));
                ok = false;
                break;
            }
        }
        for (size_t c = DOMAIN_ID_COLUMNS; c < v->group_count; c++) {
            const csv_field *f = &v->fields[g + c];
            if (f->len && !decimal_parse(f->text, f->len, &d)) {
                bad_value(v, number, f);
                ok = false;
            } else if (f->len && !counter_value_check(&v->diags, number, f->col, f->text, f->len,
                                                      d)) {
                ok = false;
            }
        }
    }
    return ok;
}

/* Calls sink->file() unless done; false when the sink failed. */
static bool give_file(virttop_reader *v)
{
    if (v->file_given)
        return true;
    v->file_given = true;
    counter_file_info info = {.kind = "virt-top",
                              .encoding = "UTF-8",
                              .has_bias = v->opts->has_tz,
                              .bias_minutes = v->opts->has_tz ? -v->opts->tz_minutes : 0,
                              .description = v->arch};
    if (v->sink->file(v->sink->ctx, &info)) {
        v->failed = true;
        return false;
    }
    return true;
}

/* Declares a counter; false when the sink failed. */
static bool declare(virttop_reader *v, const char *object, const char *instance,
                    const char *name, size_t *index)
{
    char *path = instance ? xasprintf("\\\\%s\\%s(%s)\\%s", v->hostname, object, instance, name)
                          : xasprintf("\\\\%s\\%s\\%s", v->hostname, object, name);
    counter_path p = {path, v->hostname, object, NULL, instance, -1, name};
    int status = v->sink->counter(v->sink->ctx, &p, index);
    free(path);
    if (status)
        v->failed = true;
    return !status;
}

/* The domain named by f, added when new. */
static domain *find_domain(virttop_reader *v, const csv_field *f)
{
    for (size_t i = 0; i < v->domain_count; i++)
        if (field_is(f, v->domains[i].name))
            return &v->domains[i];
    v->domains = xreallocarray(v->domains, v->domain_count + 1, sizeof *v->domains);
    domain *d = &v->domains[v->domain_count++];
    d->name = xstrndup(f->text, f->len);
    d->counters = xmalloc(v->group_count * sizeof *d->counters);
    for (size_t c = 0; c < v->group_count; c++)
        d->counters[c] = UNDECLARED;
    return d;
}

/* Gives value f of a counter, declaring it when new. */
static void give_value(virttop_reader *v, const csv_field *f, const char *object,
                       const char *instance, const char *name, size_t *index)
{
    double d;
    if (!emitting(v) || f->len == 0 || !decimal_parse(f->text, f->len, &d))
        return;
    if (*index == UNDECLARED && !declare(v, object, instance, name, index))
        return;
    if (v->sink->value(v->sink->ctx, *index, d))
        v->failed = true;
}

/* Gives a checked row to the sink. */
static void give_row(virttop_reader *v, int64_t t)
{
    if (!give_file(v))
        return;
    char *local = xstrndup(v->fields[1].text, v->fields[1].len);
    int status = v->sink->row(v->sink->ctx, t, local);
    free(local);
    if (status) {
        v->failed = true;
        return;
    }
    for (size_t c = HOST_TEXT_COLUMNS; c < HOST_COLUMNS; c++)
        give_value(v, &v->fields[c], "Host", NULL, host_columns[c], &v->host_counters[c]);
    for (size_t g = HOST_COLUMNS; g < v->field_count; g += v->group_count) {
        domain *d = find_domain(v, &v->fields[g + 1]);
        for (size_t c = DOMAIN_ID_COLUMNS; c < v->group_count; c++)
            give_value(v, &v->fields[g + c], "Domain", d->name, v->group[c], &d->counters[c]);
    }
}

/* One line: the header, or a row. */
static void read_line(virttop_reader *v, const char *line, size_t len, long number)
{
    if (!split(v, line, len, number)) {
        v->stop |= number == 1; /* without its header no row can be read */
        return;
    }
    if (number == 1) {
        read_header(v, len, number);
        return;
    }
    if (v->group_count == 0) {
        v->stop = true; /* the header was not usable, and said so */
        return;
    }
    int64_t t = 0;
    if (check_row(v, len, number, &t) && emitting(v))
        give_row(v, t);
}

static const counter_options no_options = {0};

int virttop_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                        counter_read_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    virttop_reader v;
    memset(&v, 0, sizeof v);
    v.path = path;
    v.opts = opts ? opts : &no_options;
    v.sink = sink;
    v.diags = (diag_file){.list = diags, .path = path};
    v.last_tod = -1;
    v.csv = csv_splitter_new(&(csv_options){.bare_quotes = true});
    for (size_t c = 0; c < HOST_COLUMNS; c++)
        v.host_counters[c] = UNDECLARED;
    int status = line_reader_open(path, NULL, &v.lines, diags);
    if (status)
        goto out;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(v.lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(v.lines);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (v.stop)
            continue;
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&v.diags, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
            continue;
        }
        if (!check_text(&v, line, len, number)) {
            v.stop |= number == 1; /* a binary file: one error is enough */
            continue;
        }
        if (!line_reader_terminated(v.lines)) {
            diag_file_error(&v.diags, number, (long)len + 1,
                            "last line has no line end: the file looks truncated");
            continue;
        }
        if (len == 0 && number > 1)
            continue;
        read_line(&v, line, len, number);
    }
    if (line_reader_line(v.lines) == 0)
        diag_file_error(&v.diags, 1, 1, "empty file: expected virt-top CSV");
    uint64_t size = 0;
    if ((status = line_reader_digest(v.lines, result->sha256, &size, diags)))
        goto out;
    result->size = (long long)size;
    if (emitting(&v))
        give_file(&v); /* a file of a header only */
    diag_file_finish(&v.diags);
    result->errors = v.diags.errors;
    status = v.failed ? STATUS_FAILURE : result->errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    line_reader_free(v.lines);
    for (size_t c = 0; c < v.group_count; c++)
        free(v.group[c]);
    free(v.group);
    for (size_t i = 0; i < v.domain_count; i++) {
        free(v.domains[i].name);
        free(v.domains[i].counters);
    }
    free(v.domains);
    free(v.hostname);
    free(v.arch);
    csv_splitter_free(v.csv);
    return status;
}
