/* k6's CSV output (`k6 run --out csv=FILE`, gzip when FILE ends in .gz):
 * one row per metric sample, `metric_name,timestamp,metric_value,` then the
 * tags, columns mapped by name. The rows of one Trend (http_req_duration,
 * or the metric the user names) are the samples; the `vus` gauge gives each
 * the VUs that were active; every other row is only checked. The format as
 * p3 reads it is in README.md, "k6 CSV". */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "decimal.h"
#include "isotime.h"
#include "line_reader.h"
#include "load_sink.h"
#include "status.h"
#include "text.h"

#define DEFAULT_METRIC "http_req_duration"

/* How the file writes its timestamps: k6's timeFormat option. */
typedef enum time_format {
    TIME_UNKNOWN,    /* no row read yet */
    TIME_UNIX,       /* whole seconds: k6's default */
    TIME_UNIX_MILLI,
    TIME_UNIX_MICRO,
    TIME_UNIX_NANO,
    TIME_RFC3339     /* rfc3339, or rfc3339_nano when some timestamp has a fraction */
} time_format;

static const char *const time_format_names[] = {"none",       "unix",      "unix_milli",
                                                "unix_micro", "unix_nano", "rfc3339"};
/* Nanoseconds per unit of each Unix form. */
static const int64_t unix_scale[] = {0, 1000000000, 1000000, 1000, 1, 0};

/* The columns the reader uses. */
typedef enum column_kind {
    COL_METRIC,   /* metric_name */
    COL_TIME,     /* timestamp */
    COL_VALUE,    /* metric_value */
    COL_NAME,     /* the `name` tag: the label */
    COL_URL,      /* the label when `name` is empty */
    COL_GROUP,    /* the label when both are empty (group_duration) */
    COL_EXPECTED, /* expected_response: "true" or "false" */
    COL_STATUS,   /* HTTP status, 0 for a network error */
    COL_KINDS
} column_kind;

static const char *const column_names[COL_KINDS] = {
    "metric_name", "timestamp", "metric_value", "name", "url", "group", "expected_response",
    "status"};
/* The first three are required. */
#define REQUIRED_COLUMNS 3

/* A `vus` row: the VUs active when k6's ticker read them. */
typedef struct vus_row {
    int64_t t_ns;
    long vus;
} vus_row;

typedef struct k6_reader {
    const char *path;
    const load_options *opts;
    const load_sink *sink;
    diag_file diags;
    csv_splitter *csv;
    long column[COL_KINDS];  /* index of each column in the header, or -1 */
    size_t field_count;      /* fields of the header, hence of every row */
    bool have_header;
    const char *metric;      /* the Trend read as samples */
    bool http_metric;        /* an http_req_* metric: `status` tells failures */
    time_format format;      /* of the first row; every row must agree */
    bool fraction;           /* an RFC 3339 timestamp had a fraction */
    vus_row vus[2];          /* the last two `vus` rows read, latest first: a
                                sample written just after a tick may have ended
                                before it */
    size_t vus_kept;
    long long vus_rows;
    long long samples;
    long long no_vus;        /* samples with no `vus` row at or before them */
    size_t last_len;         /* length of the line the record ended on */
    bool failed;             /* the sink failed: stop at once */
} k6_reader;

static bool emitting(const k6_reader *r)
{
    return r->diags.errors == 0 && !r->failed;
}

static bool equals(const csv_field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->text, s, f->len) == 0;
}

static const csv_field *field_of(const k6_reader *r, column_kind kind)
{
    return r->column[kind] < 0 ? NULL : csv_get(r->csv, (size_t)r->column[kind]);
}

/* The text of a field for a message. */
static const char *quoted(const csv_field *f, char *buf, size_t size)
{
    return diag_quote(buf, size, f->text, f->len);
}

/* k6 files start with `metric_name,` and name `timestamp` or
 * `metric_value` in the same line (a header missing one of them is still
 * k6's, to be reported as such). */
static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    static const char first[] = "metric_name,";
    if (len < sizeof first - 1 || memcmp(head, first, sizeof first - 1) != 0)
        return false;
    const char *end = memchr(head, '\n', len);
    size_t line = end ? (size_t)(end - head) : len;
    for (size_t i = sizeof first - 2; i < line; i++) {
        if (head[i] != ',')
            continue;
        const char *f = head + i + 1;
        size_t left = line - i - 1;
        static const char *const names[] = {"timestamp", "metric_value"};
        for (size_t k = 0; k < 2; k++) {
            size_t n = strlen(names[k]);
            if (left >= n && memcmp(f, names[k], n) == 0 &&
                (left == n || f[n] == ',' || f[n] == '\r'))
                return true;
        }
    }
    return false;
}

static void read_header(k6_reader *r)
{
    size_t n = csv_count(r->csv);
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = csv_get(r->csv, i);
        for (size_t k = 0; k < COL_KINDS; k++)
            if (r->column[k] < 0 && equals(f, column_names[k]))
                r->column[k] = (long)i;
    }
    for (size_t k = 0; k < REQUIRED_COLUMNS; k++)
        if (r->column[k] < 0)
            diag_file_error(&r->diags, csv_first_line(r->csv), 1, "header has no '%s' column",
                            column_names[k]);
    r->field_count = n;
    r->have_header = true;
}


/* Reads a timestamp in any of k6's forms; the number of digits tells
 * seconds (up to 11), ms (12-14), us (15-17) and ns (18-19). Returns false
 * after reporting a timestamp that is none of them. */
static bool parse_time(k6_reader *r, const csv_field *f, int64_t *t_ns)
{
    char q[80];
    time_format format;
    int64_t ns;
    if (text_all_digits(f->text, f->len)) {
        size_t n = f->len;
        while (n > 1 && f->text[f->len - n] == '0')
            n--; /* leading zeros say nothing of the unit */
        if (n > 19) {
            diag_file_error(&r->diags, f->line, f->col, "bad timestamp %s: too many digits",
                            quoted(f, q, sizeof q));
            return false;
        }
        format = n <= 11 ? TIME_UNIX : n <= 14 ? TIME_UNIX_MILLI : n <= 17 ? TIME_UNIX_MICRO
                                                                             : TIME_UNIX_NANO;
        uint64_t v = 0;
        for (size_t i = 0; i < f->len; i++)
            v = v * 10 + (uint64_t)(f->text[i] - '0'); /* at most 19 digits: no overflow */
        const uint64_t limit =
            (uint64_t)isotime_days_from_civil(ISOTIME_MAX_YEAR + 1, 1, 1) * 86400 *
            (uint64_t)ISOTIME_NS_PER_SEC;
        uint64_t scale = (uint64_t)unix_scale[format];
        if (v > limit / scale) {
            diag_file_error(&r->diags, f->line, f->col, "bad timestamp %s: after %d",
                            quoted(f, q, sizeof q), ISOTIME_MAX_YEAR);
            return false;
        }
        ns = (int64_t)(v * scale);
    } else {
        int offset = r->opts && r->opts->has_tz ? r->opts->tz_minutes : 0;
        if (f->len < 19 || f->text[4] != '-' || !isotime_parse(f->text, f->len, offset, &ns)) {
            diag_file_error(&r->diags, f->line, f->col,
                            "bad timestamp %s: expected Unix seconds, ms, us or ns, or RFC 3339",
                            quoted(f, q, sizeof q));
            return false;
        }
        format = TIME_RFC3339;
        if (memchr(f->text, '.', f->len))
            r->fraction = true;
    }
    if (r->format == TIME_UNKNOWN) {
        r->format = format;
    } else if (format != r->format) {
        diag_file_error(&r->diags, f->line, f->col,
                        "bad timestamp %s: %s, but the file's first timestamp is %s",
                        quoted(f, q, sizeof q), time_format_names[format],
                        time_format_names[r->format]);
        return false;
    }
    *t_ns = ns;
    return true;
}

static void take_vus(k6_reader *r, const csv_field *value, double v, int64_t t_ns)
{
    if (!(v >= 0 && v <= (double)LONG_MAX && v == floor(v))) {
        char q[80];
        diag_file_error(&r->diags, value->line, value->col,
                        "bad vus value %s: expected a whole number of VUs",
                        quoted(value, q, sizeof q));
        return;
    }
    r->vus[1] = r->vus[0];
    r->vus[0] = (vus_row){t_ns, (long)v};
    if (r->vus_kept < 2)
        r->vus_kept++;
    r->vus_rows++;
}

/* The VUs of the latest `vus` row before the sample in the file whose time
 * is not after the sample's written (end) time; -1 when there is none. */
static long concurrency_at(const k6_reader *r, int64_t end_ns)
{
    for (size_t i = 0; i < r->vus_kept; i++)
        if (r->vus[i].t_ns <= end_ns)
            return r->vus[i].vus;
    return -1;
}

/* 1 succeeded, 0 failed, -1 unknown, or -2 after reporting a bad tag. */
static int outcome(k6_reader *r)
{
    char q[80];
    const csv_field *expected = field_of(r, COL_EXPECTED);
    if (expected && expected->len > 0) {
        if (equals(expected, "true"))
            return 1;
        if (equals(expected, "false"))
            return 0;
        diag_file_error(&r->diags, expected->line, expected->col,
                        "bad expected_response %s: expected true or false",
                        quoted(expected, q, sizeof q));
        return -2;
    }
    const csv_field *status = field_of(r, COL_STATUS);
    if (!r->http_metric || !status || status->len == 0)
        return -1;
    if (!text_all_digits(status->text, status->len) || status->len > 9) {
        diag_file_error(&r->diags, status->line, status->col,
                        "bad status %s: expected an HTTP status code", quoted(status, q, sizeof q));
        return -2;
    }
    long code = strtol(status->text, NULL, 10);
    return code == 0 || code >= 400 ? 0 : 1;
}

/* The label: the `name` tag, else `url`, else `group`; NULL when all are
 * empty. false after reporting text that is not UTF-8. */
static bool label_of(k6_reader *r, const csv_field **label)
{
    *label = NULL;
    static const column_kind order[] = {COL_NAME, COL_URL, COL_GROUP};
    for (size_t i = 0; i < sizeof order / sizeof *order && !*label; i++) {
        const csv_field *f = field_of(r, order[i]);
        if (f && f->len > 0)
            *label = f;
    }
    if (!*label)
        return true;
    const csv_field *f = *label;
    size_t bad = text_utf8_invalid_at(f->text, f->len);
    if (bad < f->len) {
        diag_file_error(&r->diags, f->line, f->col + (long)bad + (f->quoted ? 1 : 0),
                        "invalid UTF-8 byte 0x%02X", (unsigned char)f->text[bad]);
        return false;
    }
    return true;
}

static void take_sample(k6_reader *r, const csv_field *value, double v, int64_t end_ns)
{
    if (!(v >= 0 && v <= LOAD_MAX_DELAY_MS)) {
        char q[80];
        diag_file_error(&r->diags, value->line, value->col,
                        "%s value %s is outside 0 to %.0f ms", r->metric,
                        quoted(value, q, sizeof q), LOAD_MAX_DELAY_MS);
        return;
    }
    int ok = outcome(r);
    const csv_field *label;
    if (ok == -2 || !label_of(r, &label))
        return;
    long vus = concurrency_at(r, end_ns);
    r->samples++;
    if (vus < 0)
        r->no_vus++;
    if (!emitting(r))
        return;
    load_sample s = {.t_ns = end_ns - (int64_t)llround(v * 1e6),
                     .delay_ms = v,
                     .label = label ? label->text : NULL,
                     .label_len = label ? label->len : 0,
                     .ok = ok,
                     .concurrency = vus,
                     .weight = 1,
                     .role = LOAD_SAMPLE};
    if (r->sink->sample(r->sink->ctx, &s))
        r->failed = true;
}

static void read_row(k6_reader *r)
{
    size_t n = csv_count(r->csv);
    if (n != r->field_count) {
        bool extra = n > r->field_count;
        diag_file_error(&r->diags, csv_last_line(r->csv),
                        extra ? csv_get(r->csv, r->field_count)->col : (long)r->last_len + 1,
                        "expected %zu field%s as in the header, found %zu", r->field_count,
                        r->field_count == 1 ? "" : "s", n);
        return;
    }
    for (size_t k = 0; k < REQUIRED_COLUMNS; k++)
        if (r->column[k] < 0)
            return;
    const csv_field *metric = field_of(r, COL_METRIC), *time = field_of(r, COL_TIME),
                    *value = field_of(r, COL_VALUE);
    if (metric->len == 0) {
        diag_file_error(&r->diags, metric->line, metric->col, "empty metric_name");
        return;
    }
    int64_t t_ns;
    if (!parse_time(r, time, &t_ns))
        return;
    double v;
    if (!decimal_parse(value->text, value->len, &v)) {
        char q[80];
        diag_file_error(&r->diags, value->line, value->col,
                        "bad metric_value %s: expected a number", quoted(value, q, sizeof q));
        return;
    }
    if (equals(metric, "vus"))
        take_vus(r, value, v, t_ns);
    if (equals(metric, r->metric))
        take_sample(r, value, v, t_ns);
}

static void read_record(k6_reader *r)
{
    if (r->have_header)
        read_row(r);
    else
        read_header(r);
}

/* After reading: what p3 should know of the file. */
static void give_meta(k6_reader *r)
{
    char count[32];
    const char *format = r->format == TIME_RFC3339 && r->fraction ? "rfc3339_nano"
                                                                  : time_format_names[r->format];
    bool whole_seconds = r->format == TIME_UNIX || (r->format == TIME_RFC3339 && !r->fraction);
    const char *start =
        whole_seconds ? "timestamp (request end, whole seconds) minus the delay: starts are up "
                        "to 1 s early"
                      : "timestamp (request end) minus the delay";
    const char *concurrency =
        r->vus_rows ? "the latest vus row before each sample, at or before its timestamp"
                    : "none: the file has no vus rows";
    snprintf(count, sizeof count, "%lld", r->no_vus);
    if (r->sink->meta(r->sink->ctx, "metric", r->metric) ||
        r->sink->meta(r->sink->ctx, "time_format", format) ||
        r->sink->meta(r->sink->ctx, "start_time", start) ||
        r->sink->meta(r->sink->ctx, "concurrency", concurrency) ||
        (r->vus_rows && r->no_vus &&
         r->sink->meta(r->sink->ctx, "samples_without_vus", count)))
        r->failed = true;
}

/* Feeds one line to the splitter; *pending says whether a quoted field is open. */
static void feed(k6_reader *r, const char *line, size_t len, long number, bool *pending)
{
    if (!*pending && len == 0)
        return; /* k6 writes no blank lines; one more at the end is harmless */
    r->last_len = len;
    csv_status cs = *pending ? csv_continue(r->csv, line, len, number)
                             : csv_split(r->csv, line, len, number);
    *pending = cs == CSV_MORE;
    if (cs == CSV_RECORD) {
        read_record(r);
    } else if (cs == CSV_ERROR) {
        long at_line, at_col;
        const char *message = csv_error(r->csv, &at_line, &at_col);
        diag_file_error(&r->diags, at_line, at_col, "%s", message);
    }
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    sha256_hex[0] = '\0';
    k6_reader r = {.path = path,
                   .opts = opts,
                   .sink = sink,
                   .diags = {.list = diags, .path = path},
                   .csv = csv_splitter_new(NULL),
                   .metric = opts && opts->k6_metric && opts->k6_metric[0] ? opts->k6_metric
                                                                            : DEFAULT_METRIC};
    r.http_metric = strncmp(r.metric, "http_req", 8) == 0;
    for (size_t k = 0; k < COL_KINDS; k++)
        r.column[k] = -1;
    line_reader *lines = NULL;
    int status = line_reader_open(path, NULL, &lines, diags);
    if (status)
        goto out;
    const char *line;
    size_t len;
    line_status ls;
    bool pending = false;
    while ((ls = line_reader_next(lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(lines);
        if (ls == LINE_IO_ERROR || r.failed) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&r.diags, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
            pending = false;
            continue;
        }
        if (!line_reader_terminated(lines)) {
            diag_file_error(&r.diags, number, (long)len + 1,
                            "last line has no line end: the file looks truncated");
            continue;
        }
        feed(&r, line, len, number, &pending);
    }
    if (r.failed) {
        status = STATUS_FAILURE;
        goto out;
    }
    if (pending) {
        long at_line, at_col;
        csv_finish(r.csv);
        const char *message = csv_error(r.csv, &at_line, &at_col);
        diag_file_error(&r.diags, at_line, at_col, "%s", message);
    }
    if (!r.have_header && !pending)
        diag_file_error(&r.diags, 1, 1, "empty file: expected k6 CSV");
    uint64_t bytes = 0;
    if ((status = line_reader_digest(lines, sha256_hex, &bytes, diags)))
        goto out;
    *size = (long long)bytes;
    if (emitting(&r)) {
        give_meta(&r);
        if (r.failed) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (r.samples == 0)
            diag_file_warning(&r.diags, 0, 0, "no '%s' rows: the file holds no samples",
                              r.metric);
        else if (r.vus_rows == 0)
            diag_add(diags, DIAG_NOTE, path, 0, 0,
                     "the file has no 'vus' rows: its samples get levels only from run.ini "
                     "[levels] or schedule.csv");
    }
    diag_file_finish(&r.diags);
    status = r.diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    if (status != STATUS_OK)
        sha256_hex[0] = '\0';
    line_reader_free(lines);
    csv_splitter_free(r.csv);
    return status;
}

const load_format k6_format = {"k6", sniff, read_file};
