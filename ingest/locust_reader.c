/* Locust's `*_stats_history.csv` (`locust --csv PREFIX`): one row a second
 * (or as configured) for the `Aggregated` total and, with
 * --csv-full-history, for every request name, each holding running totals
 * and percentiles. Locust keeps no single requests, so each row after the
 * first of its name becomes an aggregate of the interval since that row:
 * counts and the exact mean from differences of the totals, the
 * percentiles as written, with whether they are of a recent window or
 * cumulative since the start. The format as p3 reads it is in README.md,
 * "Locust stats history". */
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
#include "xalloc.h"

/* The name Locust gives its total row (with an empty Type). */
#define TOTAL_NAME "Aggregated"

/* The columns read besides the percentiles. */
typedef enum column_kind {
    COL_TIMESTAMP, /* Unix seconds */
    COL_USERS,     /* User Count: the users running */
    COL_TYPE,      /* request method or type; empty on the total row */
    COL_NAME,
    COL_REQUESTS,  /* Total Request Count: running, failures included */
    COL_FAILURES,  /* Total Failure Count: running */
    COL_AVERAGE,   /* Total Average Response Time: running mean, ms */
    COL_KINDS
} column_kind;

static const char *const column_names[COL_KINDS] = {
    "Timestamp",           "User Count",          "Type",
    "Name",                "Total Request Count", "Total Failure Count",
    "Total Average Response Time"};

/* The percentile columns: where, and which quantile per million. */
typedef struct percentile_column {
    size_t index;
    unsigned q;
} percentile_column;

/* One request name's (or the total's) last row: what the next row is
 * differenced from. */
typedef struct series {
    char *type, *name; /* NULL: an empty slot of the table */
    size_t type_len, name_len;
    uint64_t hash;
    unsigned epoch;      /* the reader's epoch when the row was read: an older
                            epoch means counting restarted since */
    int64_t t_ns;
    long long requests, failures;
    double average;      /* Total Average Response Time */
} series;

typedef struct locust_reader {
    const char *path;
    const load_sink *sink;
    diag_file diags;
    csv_splitter *csv;
    bool emit;               /* the second pass: make sink calls */
    long column[COL_KINDS];  /* index in the header, or -1 */
    percentile_column pct[LOAD_MAX_QUANTILES];
    size_t pct_count;
    char skipped[128];       /* percentile columns left out, for the metadata */
    size_t field_count;
    bool have_header;
    bool quoted_header;      /* Locust <= 1.1.1 quotes every header field */
    bool per_name_rows;      /* rows other than the total: --csv-full-history */
    long max_column;         /* Total Max Response Time, or -1 */
    long full_column;        /* the 100% percentile, or -1 */
    long window_line;        /* a row whose 100% is well below the total max:
                                proof of window percentiles; 0 when none */
    bool window;             /* the percentiles are of a recent window */
    const char *window_why;  /* why window is what it is: static text or why */
    char why[96];
    series *table;           /* open addressing, a power of two */
    size_t table_cap, table_used;
    unsigned epoch;          /* bumped when a counter goes backwards */
    int64_t warned_t_ns;     /* the row time a restart was last reported at */
    size_t last_len;         /* length of the line the record ended on */
    long long rows, aggregates;
    bool failed;             /* the sink failed: stop at once */
} locust_reader;

static bool emitting(const locust_reader *r)
{
    return r->emit && r->diags.errors == 0 && !r->failed;
}

static bool equals(const csv_field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->text, s, f->len) == 0;
}

static const char *quoted(const csv_field *f, char *buf, size_t size)
{
    return diag_quote(buf, size, f->text, f->len);
}

static const csv_field *field_of(const locust_reader *r, column_kind kind)
{
    return csv_get(r->csv, (size_t)r->column[kind]);
}

/* Whether line[0..len) holds s. */
static bool holds(const char *line, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(line + i, s, n) == 0)
            return true;
    return false;
}

/* The header starts with Timestamp (quoted or not) and names User Count
 * and Total Request Count. */
static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    const char *end = memchr(head, '\n', len);
    size_t line = end ? (size_t)(end - head) : len;
    static const char plain[] = "Timestamp,", quote[] = "\"Timestamp\",";
    bool first = (line >= sizeof plain - 1 && memcmp(head, plain, sizeof plain - 1) == 0) ||
                 (line >= sizeof quote - 1 && memcmp(head, quote, sizeof quote - 1) == 0);
    return first && holds(head, line, "User Count") && holds(head, line, "Total Request Count");
}

/* ---- The header ---- */

/* The quantile per million a header such as "99.999%" names: 1 when it is
 * a percentile column, 0 when not, -1 when it is one that cannot be kept
 * per million ("99.99999%"). */
static int percentile_of(const csv_field *f, unsigned *q)
{
    if (f->len < 2 || f->text[f->len - 1] != '%')
        return 0;
    double p;
    if (!decimal_parse(f->text, f->len - 1, &p) || !(p > 0 && p <= 100))
        return 0;
    double per_million = p * 10000;
    if (fabs(per_million - round(per_million)) > 1e-6)
        return -1;
    *q = (unsigned)lround(per_million);
    return 1;
}

static void note_skipped(locust_reader *r, const csv_field *f, const char *why)
{
    char q[80];
    if (!r->emit)
        diag_add(r->diags.list, DIAG_NOTE, r->path, f->line, f->col,
                 "percentile column %s is left out: %s", quoted(f, q, sizeof q), why);
    size_t used = strlen(r->skipped);
    snprintf(r->skipped + used, sizeof r->skipped - used, "%s%.*s", used ? ", " : "",
             (int)f->len, f->text);
}

static void read_header(locust_reader *r)
{
    size_t n = csv_count(r->csv);
    r->quoted_header = n > 0 && csv_get(r->csv, 0)->quoted;
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = csv_get(r->csv, i);
        char q[80];
        size_t k = 0;
        while (k < COL_KINDS && !equals(f, column_names[k]))
            k++;
        if (equals(f, "Total Max Response Time") && r->max_column < 0)
            r->max_column = (long)i;
        if (k < COL_KINDS) {
            if (r->column[k] >= 0)
                diag_file_error(&r->diags, f->line, f->col, "column %s appears twice",
                                quoted(f, q, sizeof q));
            r->column[k] = (long)i;
            continue;
        }
        unsigned per_million;
        int kind = percentile_of(f, &per_million);
        if (kind < 0) {
            note_skipped(r, f, "quantiles are stored per million");
            continue;
        }
        if (kind == 0)
            continue;
        bool repeated = false;
        for (size_t j = 0; j < r->pct_count; j++)
            repeated |= r->pct[j].q == per_million;
        if (repeated) {
            diag_file_error(&r->diags, f->line, f->col, "percentile column %s appears twice",
                            quoted(f, q, sizeof q));
        } else if (r->pct_count == LOAD_MAX_QUANTILES) {
            note_skipped(r, f, "more than 16 percentile columns");
        } else {
            if (per_million == 1000000)
                r->full_column = (long)i;
            r->pct[r->pct_count++] = (percentile_column){i, per_million};
        }
    }
    for (size_t k = 0; k < COL_KINDS; k++)
        if (r->column[k] < 0)
            diag_file_error(&r->diags, csv_first_line(r->csv), 1, "header has no '%s' column",
                            column_names[k]);
    r->field_count = n;
    r->have_header = true;
}

/* ---- The series table ---- */

static uint64_t hash_of(const char *type, size_t type_len, const char *name, size_t name_len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < type_len; i++)
        h = (h ^ (unsigned char)type[i]) * UINT64_C(1099511628211);
    h = (h ^ 0xFF) * UINT64_C(1099511628211); /* not UTF-8: cannot be in a name */
    for (size_t i = 0; i < name_len; i++)
        h = (h ^ (unsigned char)name[i]) * UINT64_C(1099511628211);
    return h;
}

static void table_free(locust_reader *r)
{
    for (size_t i = 0; i < r->table_cap; i++) {
        free(r->table[i].type);
        free(r->table[i].name);
    }
    free(r->table);
    r->table = NULL;
    r->table_cap = r->table_used = 0;
}

static series *slot_of(series *table, size_t cap, uint64_t hash, const csv_field *type,
                       const csv_field *name)
{
    size_t i = (size_t)hash & (cap - 1);
    while (table[i].name &&
           !(table[i].hash == hash && table[i].type_len == type->len &&
             table[i].name_len == name->len && memcmp(table[i].type, type->text, type->len) == 0 &&
             memcmp(table[i].name, name->text, name->len) == 0))
        i = (i + 1) & (cap - 1);
    return &table[i];
}

/* The series of (type, name), new (with epoch one behind the reader's, so
 * that its row becomes the first) when not met before. */
static series *series_of(locust_reader *r, const csv_field *type, const csv_field *name)
{
    if (2 * (r->table_used + 1) > r->table_cap) {
        size_t cap = r->table_cap ? 2 * r->table_cap : 16;
        series *table = xcalloc(cap, sizeof *table);
        for (size_t i = 0; i < r->table_cap; i++)
            if (r->table[i].name) {
                const series *s = &r->table[i];
                size_t j = (size_t)s->hash & (cap - 1);
                while (table[j].name)
                    j = (j + 1) & (cap - 1);
                table[j] = *s;
            }
        free(r->table);
        r->table = table;
        r->table_cap = cap;
    }
    uint64_t hash = hash_of(type->text, type->len, name->text, name->len);
    series *s = slot_of(r->table, r->table_cap, hash, type, name);
    if (!s->name) {
        *s = (series){.type = xstrndup(type->text, type->len),
                      .name = xstrndup(name->text, name->len),
                      .type_len = type->len,
                      .name_len = name->len,
                      .hash = hash,
                      .epoch = r->epoch - 1};
        r->table_used++;
    }
    return s;
}

/* ---- Rows ---- */

/* A number of milliseconds (>= 0), or false after reporting. */
static bool milliseconds(locust_reader *r, const csv_field *f, const char *what, double *out)
{
    double v;
    if (!decimal_parse(f->text, f->len, &v) || v < 0) {
        char q[80];
        diag_file_error(&r->diags, f->line, f->col, "bad %s %s: expected a number of ms", what,
                        quoted(f, q, sizeof q));
        return false;
    }
    *out = v;
    return true;
}

static bool utf8_text(locust_reader *r, const csv_field *f)
{
    size_t bad = text_utf8_invalid_at(f->text, f->len);
    if (bad == f->len)
        return true;
    diag_file_error(&r->diags, f->line, f->col + (long)bad + (f->quoted ? 1 : 0),
                    "invalid UTF-8 byte 0x%02X", (unsigned char)f->text[bad]);
    return false;
}

/* Cumulative percentiles end at the bucket of the largest response time
 * ever (Locust rounds to about 2 significant digits), so a 100% value well
 * below Total Max Response Time proves the row's percentiles are of a
 * window. */
static void look_for_window(locust_reader *r)
{
    if (r->full_column < 0 || r->max_column < 0)
        return;
    const csv_field *full = csv_get(r->csv, (size_t)r->full_column),
                    *max = csv_get(r->csv, (size_t)r->max_column);
    double p100, top;
    if (decimal_parse(full->text, full->len, &p100) && decimal_parse(max->text, max->len, &top) &&
        p100 < 0.9 * top - 1)
        r->window_line = full->line;
}

/* The values of one row, checked. */
typedef struct row {
    int64_t t_ns;
    long long users, requests, failures;
    double average;
    size_t quantile_count;
    unsigned q[LOAD_MAX_QUANTILES];
    double value_ms[LOAD_MAX_QUANTILES];
} row;

static bool parse_row(locust_reader *r, row *w)
{
    bool ok = true;
    char q[80];
    const csv_field *f = field_of(r, COL_TIMESTAMP);
    long long seconds = 0;
    const long long max_seconds = isotime_days_from_civil(ISOTIME_MAX_YEAR + 1, 1, 1) * 86400;
    bool digits = f->len > 0 && strspn(f->text, "0123456789") == f->len;
    if (!digits || f->len > 12 || (seconds = strtoll(f->text, NULL, 10)) >= max_seconds) {
        diag_file_error(&r->diags, f->line, f->col, "bad Timestamp %s: expected Unix seconds",
                        quoted(f, q, sizeof q));
        ok = false;
        seconds = 0;
    }
    w->t_ns = seconds * ISOTIME_NS_PER_SEC;
    static const column_kind counts[] = {COL_USERS, COL_REQUESTS, COL_FAILURES};
    long long *out[] = {&w->users, &w->requests, &w->failures};
    for (size_t i = 0; i < 3; i++) {
        f = field_of(r, counts[i]);
        long long v = 0;
        bool good = f->len > 0 && f->len <= 15 && strspn(f->text, "0123456789") == f->len;
        if (good)
            v = strtoll(f->text, NULL, 10);
        else
            diag_file_error(&r->diags, f->line, f->col, "bad %s %s: expected a whole number",
                            column_names[counts[i]], quoted(f, q, sizeof q));
        ok &= good;
        *out[i] = v;
    }
    if (ok && w->failures > w->requests) {
        /* Locust counts a failure among the requests too. */
        f = field_of(r, COL_FAILURES);
        diag_file_error(&r->diags, f->line, f->col,
                        "Total Failure Count %lld is more than Total Request Count %lld: "
                        "failed requests are counted among the requests",
                        w->failures, w->requests);
        ok = false;
    }
    ok &= milliseconds(r, field_of(r, COL_AVERAGE), column_names[COL_AVERAGE], &w->average);
    ok &= utf8_text(r, field_of(r, COL_TYPE));
    ok &= utf8_text(r, field_of(r, COL_NAME));
    w->quantile_count = 0;
    for (size_t i = 0; i < r->pct_count; i++) {
        f = csv_get(r->csv, r->pct[i].index);
        if (equals(f, "N/A"))
            continue;
        double v;
        if (!decimal_parse(f->text, f->len, &v) || v < 0) {
            diag_file_error(&r->diags, f->line, f->col,
                            "bad percentile %s: expected a number of ms or N/A",
                            quoted(f, q, sizeof q));
            ok = false;
            continue;
        }
        w->q[w->quantile_count] = r->pct[i].q;
        w->value_ms[w->quantile_count++] = v;
    }
    if (ok && !r->window_line)
        look_for_window(r);
    return ok;
}

/* A counter or the time went backwards: the test was restarted or its
 * statistics reset. Every series starts again from its next row. */
static void restart(locust_reader *r, const series *s, const row *w, const char *what,
                    long long from, long long to)
{
    if (!r->emit && w->t_ns != r->warned_t_ns) {
        char q[80];
        diag_file_warning(&r->diags, field_of(r, COL_NAME)->line, 1,
                          "%s goes back from %lld to %lld for %s: counting starts again "
                          "(a restarted test or reset statistics)",
                          what, from, to, diag_quote(q, sizeof q, s->name, s->name_len));
    }
    r->warned_t_ns = w->t_ns;
    r->epoch++;
}

static void give_aggregate(locust_reader *r, const series *s, const row *w, bool total)
{
    load_aggregate a = {.t_ns = w->t_ns,
                        .span_ns = w->t_ns - s->t_ns,
                        .concurrency = w->users > LONG_MAX ? LONG_MAX : (long)w->users,
                        .label = total ? NULL : s->name,
                        .label_len = total ? 0 : s->name_len,
                        .requests = w->requests - s->requests,
                        .failures = w->failures - s->failures,
                        .mean_ms = NAN,
                        .window = r->window,
                        .quantile_count = w->quantile_count};
    if (a.requests > 0) {
        double sum = w->average * (double)w->requests - s->average * (double)s->requests;
        double mean = sum / (double)a.requests;
        if (mean >= 0)
            a.mean_ms = mean; /* else: totals rounded by an old Locust */
    }
    memcpy(a.q, w->q, sizeof a.q);
    memcpy(a.value_ms, w->value_ms, sizeof a.value_ms);
    r->aggregates++;
    if (emitting(r) && r->sink->aggregate(r->sink->ctx, &a))
        r->failed = true;
}

static void read_row(locust_reader *r)
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
    for (size_t k = 0; k < COL_KINDS; k++)
        if (r->column[k] < 0)
            return;
    row w;
    if (!parse_row(r, &w))
        return;
    r->rows++;
    const csv_field *type = field_of(r, COL_TYPE), *name = field_of(r, COL_NAME);
    bool total = type->len == 0 && equals(name, TOTAL_NAME);
    if (!total)
        r->per_name_rows = true;
    series *s = series_of(r, type, name);
    if (s->epoch == r->epoch) {
        if (w.requests < s->requests)
            restart(r, s, &w, "Total Request Count", s->requests, w.requests);
        else if (w.failures < s->failures)
            restart(r, s, &w, "Total Failure Count", s->failures, w.failures);
        else if (w.t_ns < s->t_ns)
            restart(r, s, &w, "Timestamp", s->t_ns / ISOTIME_NS_PER_SEC,
                    w.t_ns / ISOTIME_NS_PER_SEC);
        else if (w.failures - s->failures > w.requests - s->requests) {
            const csv_field *f = field_of(r, COL_FAILURES);
            diag_file_error(&r->diags, f->line, f->col,
                            "Total Failure Count grows by %lld since the row before, Total "
                            "Request Count by %lld: failed requests are counted among the "
                            "requests",
                            w.failures - s->failures, w.requests - s->requests);
        } else
            give_aggregate(r, s, &w, total);
    }
    s->epoch = r->epoch;
    s->t_ns = w.t_ns;
    s->requests = w.requests;
    s->failures = w.failures;
    s->average = w.average;
}

static void read_record(locust_reader *r)
{
    if (r->have_header)
        read_row(r);
    else
        read_header(r);
}

static void feed(locust_reader *r, const char *line, size_t len, long number, bool *pending)
{
    if (!*pending && len == 0)
        return;
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

/* Reads the whole file once: checking it (first pass) or giving its
 * aggregates (second). Format problems go to r->diags, failures to read to
 * diags. Returns STATUS_OK, or STATUS_FAILURE when reading or the sink
 * failed. */
static int read_pass(locust_reader *r, char sha256_hex[65], long long *size, diag_list *diags)
{
    line_reader *lines = NULL;
    int status = line_reader_open(r->path, NULL, &lines, diags);
    if (status)
        goto out;
    const char *line;
    size_t len;
    line_status ls;
    bool pending = false;
    while ((ls = line_reader_next(lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(lines);
        if (ls == LINE_IO_ERROR || r->failed) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&r->diags, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
            pending = false;
            continue;
        }
        if (!line_reader_terminated(lines)) {
            diag_file_error(&r->diags, number, (long)len + 1,
                            "last line has no line end: the file looks truncated");
            continue;
        }
        feed(r, line, len, number, &pending);
    }
    if (r->failed) {
        status = STATUS_FAILURE;
        goto out;
    }
    if (pending) {
        long at_line, at_col;
        csv_finish(r->csv);
        const char *message = csv_error(r->csv, &at_line, &at_col);
        diag_file_error(&r->diags, at_line, at_col, "%s", message);
    }
    if (!r->have_header && !pending)
        diag_file_error(&r->diags, 1, 1, "empty file: expected a Locust stats history");
    uint64_t bytes = 0;
    if (sha256_hex && (status = line_reader_digest(lines, sha256_hex, &bytes, diags)))
        goto out;
    if (size)
        *size = (long long)bytes;
out:
    line_reader_free(lines);
    return status;
}

/* Clears what a pass learns, for the next. */
static void start_pass(locust_reader *r, bool emit, diag_list *diags)
{
    table_free(r);
    r->emit = emit;
    r->diags = (diag_file){.list = diags, .path = r->path};
    for (size_t k = 0; k < COL_KINDS; k++)
        r->column[k] = -1;
    r->pct_count = 0;
    r->max_column = r->full_column = -1;
    r->window_line = 0;
    r->skipped[0] = '\0';
    r->field_count = 0;
    r->have_header = false;
    r->epoch = 1;
    r->warned_t_ns = INT64_MIN;
    r->rows = r->aggregates = 0;
}

/* Which percentiles the file holds, from the file itself: Locust 1.1.1 and
 * older quote every header field and write percentiles of the current
 * window; 1.2 and later write cumulative ones, except 2.2.2 and later with
 * --csv-full-history, which also writes a row per request name. A 100%
 * column well below the total max cannot be cumulative, whatever the
 * version. forced is the
 * user's "window" or "cumulative", or NULL. */
static void decide_window(locust_reader *r, const char *forced)
{
    if (forced) {
        r->window = strcmp(forced, "window") == 0;
        r->window_why = "locust_percentiles option";
    } else if (r->quoted_header) {
        r->window = true;
        r->window_why = "quoted header: Locust 1.1.1 or older";
    } else if (r->window_line) {
        r->window = true;
        snprintf(r->why, sizeof r->why,
                 "the 100%% column is below Total Max Response Time at line %ld", r->window_line);
        r->window_why = r->why;
    } else if (r->per_name_rows) {
        r->window = true;
        r->window_why = "rows per request name: --csv-full-history of Locust 2.2.2 or later";
    } else {
        r->window = false;
        r->window_why = "Aggregated rows only: Locust 1.2 or later without --csv-full-history";
    }
}

static void give_meta(locust_reader *r)
{
    const load_sink *k = r->sink;
    if (k->meta(k->ctx, "percentiles", r->window ? "window" : "cumulative") ||
        k->meta(k->ctx, "percentiles_why", r->window_why) ||
        (r->window &&
         k->meta(k->ctx, "percentile_window",
                 "about the last 10 s before each row (Locust's current response times), "
                 "not the time since the row before")) ||
        (r->skipped[0] && k->meta(k->ctx, "skipped_percentiles", r->skipped)) ||
        (r->quoted_header &&
         k->meta(k->ctx, "mean",
                 "approximate: Locust 1.1.1 and older write Total Average Response Time in "
                 "whole ms")))
        r->failed = true;
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    sha256_hex[0] = '\0';
    locust_reader r = {.path = path, .sink = sink, .csv = csv_splitter_new(NULL)};
    diag_list *second = NULL;
    start_pass(&r, false, diags);
    int status = read_pass(&r, NULL, NULL, diags);
    if (status)
        goto out;
    if (r.diags.errors) {
        diag_file_finish(&r.diags);
        status = STATUS_BAD_INPUT;
        goto out;
    }
    long long first_pass_aggregates = r.aggregates;
    if (first_pass_aggregates == 0)
        diag_file_warning(&r.diags, 0, 0,
                          r.rows ? "no intervals: every name has a single row"
                                 : "no rows: the file holds a header only");
    decide_window(&r, opts->locust_percentiles);
    /* The second pass reports nothing new unless the file changed meanwhile. */
    second = diag_list_new();
    bool window = r.window, per_name = r.per_name_rows;
    const char *why = r.window_why;
    start_pass(&r, true, second);
    r.window = window;
    r.per_name_rows = per_name;
    r.window_why = why;
    status = read_pass(&r, sha256_hex, size, diags);
    bool changed = diag_list_errors(second) || r.aggregates != first_pass_aggregates;
    if (status == STATUS_OK && !r.failed && !changed)
        give_meta(&r);
    if (status == STATUS_OK && r.failed) {
        status = STATUS_FAILURE;
    } else if (status == STATUS_OK && changed) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "the file changed while it was read");
        status = STATUS_BAD_INPUT;
    }
out:
    if (status != STATUS_OK)
        sha256_hex[0] = '\0';
    diag_list_free(second);
    table_free(&r);
    csv_splitter_free(r.csv);
    return status;
}

const load_format locust_format = {"locust", sniff, read_file};
