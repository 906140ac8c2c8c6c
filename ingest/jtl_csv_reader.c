/* JMeter results as CSV (a .jtl file with jmeter.save.saveservice.
 * output_format=csv, the default): one row per sample, sub-result and
 * Transaction Controller total, with the columns the save service was set
 * to write, named in a header line (or not: JMeter writes none when it
 * appends to an existing file). Read in constant memory through
 * line_reader and the one CSV splitter. The reader registers itself as
 * jtl_csv_format ("jmeter-csv"); facts and corpus files are in
 * LOADTEST-FORMATS.md, section 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "isotime.h"
#include "jtl_reader.h"
#include "line_reader.h"
#include "load_sink.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* The columns JMeter's save service writes, in the order it writes them
 * (CSVSaveService.printableFieldNamesToString); sample variables follow,
 * their names quoted. */
typedef enum column {
    COL_TIMESTAMP,
    COL_ELAPSED,
    COL_LABEL,
    COL_RESPONSE_CODE,
    COL_RESPONSE_MESSAGE,
    COL_THREAD_NAME,
    COL_DATA_TYPE,
    COL_SUCCESS,
    COL_FAILURE_MESSAGE,
    COL_BYTES,
    COL_SENT_BYTES,
    COL_GRP_THREADS,
    COL_ALL_THREADS,
    COL_URL,
    COL_FILENAME,
    COL_LATENCY,
    COL_ENCODING,
    COL_SAMPLE_COUNT,
    COL_ERROR_COUNT,
    COL_HOSTNAME,
    COL_IDLE_TIME,
    COL_CONNECT,
    COL_COUNT
} column;

static const char *const column_names[COL_COUNT] = {
    "timeStamp", "elapsed",   "label",      "responseCode", "responseMessage", "threadName",
    "dataType",  "success",   "failureMessage", "bytes",    "sentBytes",       "grpThreads",
    "allThreads", "URL",      "Filename",   "Latency",      "Encoding",        "SampleCount",
    "ErrorCount", "Hostname", "IdleTime",   "Connect"};

/* The columns of bin/jmeter.properties' defaults: what a file without a
 * header line holds when nobody changed them (JMeter 3.1 on, with
 * sentBytes from 3.1 too). */
static const column default_columns[] = {
    COL_TIMESTAMP,   COL_ELAPSED,     COL_LABEL,      COL_RESPONSE_CODE, COL_RESPONSE_MESSAGE,
    COL_THREAD_NAME, COL_DATA_TYPE,   COL_SUCCESS,    COL_FAILURE_MESSAGE, COL_BYTES,
    COL_SENT_BYTES,  COL_GRP_THREADS, COL_ALL_THREADS, COL_URL,         COL_LATENCY,
    COL_IDLE_TIME,   COL_CONNECT};
#define DEFAULT_COLUMNS (sizeof default_columns / sizeof *default_columns)

/* How timeStamp is written: epoch ms (timestamp_format=ms, the default),
 * or one of the date formats JMeter's own reader accepts
 * (CSVSaveService.DATE_FORMAT_STRINGS), in the JVM's local time. */
typedef enum ts_format {
    TS_EPOCH_MS,
    TS_SLASH_MS, /* yyyy/MM/dd HH:mm:ss.SSS */
    TS_SLASH,    /* yyyy/MM/dd HH:mm:ss */
    TS_DASH_MS,  /* yyyy-MM-dd HH:mm:ss.SSS */
    TS_DASH,     /* yyyy-MM-dd HH:mm:ss */
    TS_MDY,      /* MM/dd/yy HH:mm:ss */
    TS_FORMATS
} ts_format;

static const char *const ts_format_names[TS_FORMATS] = {
    "epoch-ms", "yyyy/MM/dd HH:mm:ss.SSS", "yyyy/MM/dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.SSS",
    "yyyy-MM-dd HH:mm:ss", "MM/dd/yy HH:mm:ss"};

/* Sub-results: JMeter writes a sample's sub-results right after it
 * (CSVSaveService.saveSampleResult), labelled "<label>-<n>", with its
 * threadName; but other threads write in between, dozens of rows at times
 * (hebroms). So the reader keeps, per thread, the last sample and the last
 * sub-result: rows that later rows may be sub-results of. Labels and thread
 * names longer than TEXT_MAX are not kept; threads beyond THREADS_MAX, or
 * labels beyond KEPT_MAX bytes in all, are not followed (their sub-results
 * read as samples): memory stays bounded whatever the file. */
#define TEXT_MAX 4096
#define THREADS_MAX 65536
#define KEPT_MAX ((size_t)16 << 20)

/* How far a sub-result's start may lie outside its parent's span: the
 * resolution of second-only timestamps, and ms rounding. */
#define SUB_SLACK_MS 1000

/* A row that may have sub-results. */
typedef struct parent {
    bool valid;
    char *label;         /* copied, label_cap bytes allocated */
    size_t label_len, label_cap;
    int64_t start_ms;    /* its timeStamp (local or UTC: only compared) */
    int64_t span_ms;     /* elapsed + IdleTime */
} parent;

/* What the reader remembers of one thread (one for all when the file has
 * no threadName column). */
typedef struct thread_slot {
    char *name;          /* NULL: an empty slot */
    size_t name_len;
    uint64_t hash;
    parent sample;       /* the thread's last sample (no transaction, no sub-result) */
    parent sub;          /* its last sub-result, for nested ones */
} thread_slot;

/* One file being read. */
typedef struct reader {
    const load_options *opts;
    const load_sink *sink;
    diag_file df;
    line_reader *lines;
    csv_splitter *csv;
    bool columns_known;  /* the header (or the default layout) is set */
    bool header;         /* the file has a header line */
    int at[COL_COUNT];   /* field index of each column, -1 when absent */
    size_t field_count;  /* fields a record has */
    int century_start;   /* MM/dd/yy: the first year of yy's 100-year window */
    ts_format format;    /* of the first timeStamp read */
    bool format_seen;
    bool formats_mixed;  /* later rows used another format */
    bool tz_warned;      /* local times without --tz: said once */
    thread_slot *threads; /* open addressing, thread_cap slots (a power of 2) */
    size_t thread_count, thread_cap;
    size_t kept;         /* bytes of thread names and labels kept */
    jtl_reader_runs runs;
    long long batch_rows; /* rows standing for SampleCount > 1 samples */
    long dropped_line;   /* a truncated last record left out: its line */
    int status;          /* STATUS_FAILURE once the sink has failed */
} reader;

/* ---- Small parsers ---- */

/* Reads exactly n digits at s; false if they are not all digits. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + (int)d;
    }
    *out = v;
    return true;
}

static bool valid_date(int y, int mo, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < ISOTIME_MIN_YEAR || y > ISOTIME_MAX_YEAR || mo < 1 || mo > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (mo == 2 && leap ? 29 : days[mo - 1]);
}

/* Reads "HH:mm:ss" at s into ms of the day. */
static bool time_of_day(const char *s, int64_t *ms)
{
    int h, mi, sec;
    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &mi) || s[5] != ':' ||
        !digits(s + 6, 2, &sec) || h > 23 || mi > 59 || sec > 59)
        return false;
    *ms = ((int64_t)h * 3600 + mi * 60 + sec) * 1000;
    return true;
}

/* Parses one of JMeter's date formats: local ms since 1970 as if UTC. */
static bool parse_date(const char *s, size_t len, int century_start, ts_format *format,
                       int64_t *local_ms)
{
    int y, mo, d, frac = 0;
    int64_t day_ms;
    if ((len == 19 || len == 23) && (s[4] == '/' || s[4] == '-')) {
        char sep = s[4];
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || s[7] != sep || !digits(s + 8, 2, &d) ||
            s[10] != ' ' || !time_of_day(s + 11, &day_ms))
            return false;
        if (len == 23 && (s[19] != '.' || !digits(s + 20, 3, &frac)))
            return false;
        *format = sep == '/' ? (len == 23 ? TS_SLASH_MS : TS_SLASH)
                             : (len == 23 ? TS_DASH_MS : TS_DASH);
    } else if (len == 17 && s[2] == '/') {
        int yy;
        if (!digits(s, 2, &mo) || s[2] != '/' || !digits(s + 3, 2, &d) || s[5] != '/' ||
            !digits(s + 6, 2, &yy) || s[8] != ' ' || !time_of_day(s + 9, &day_ms))
            return false;
        /* SimpleDateFormat puts yy in the 100 years from 80 years ago. */
        y = century_start - century_start % 100 + yy;
        if (y < century_start)
            y += 100;
        *format = TS_MDY;
    } else {
        return false;
    }
    if (!valid_date(y, mo, d))
        return false;
    *local_ms = isotime_days_from_civil(y, mo, d) * INT64_C(86400000) + day_ms + frac;
    return true;
}

/* Whether s is a timeStamp as JMeter writes one: epoch ms or a date. */
static bool looks_like_timestamp(const char *s, size_t len, int century_start)
{
    long long v;
    ts_format f;
    int64_t ms;
    return (jtl_reader_parse_long(s, len, &v) && v >= 0 && v < JTL_READER_MAX_EPOCH_MS) ||
           parse_date(s, len, century_start, &f, &ms);
}

static int current_century_start(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return 1946;
    return tm.tm_year + 1900 - 80;
}

/* ---- Recognising the file ---- */

/* Whether line[0..len), split at delim, names JMeter's columns: timeStamp
 * and another one (a header without elapsed is then refused, saying so). */
static bool has_names(const char *line, size_t len, char delim)
{
    bool time = false, other = false;
    size_t i = 0;
    while (i <= len) {
        const char *end = memchr(line + i, delim, len - i);
        size_t n = end ? (size_t)(end - (line + i)) : len - i;
        if (n == 9 && memcmp(line + i, "timeStamp", 9) == 0) {
            time = true;
        } else {
            for (int k = COL_ELAPSED; k < COL_COUNT && !other; k++)
                other = strlen(column_names[k]) == n && memcmp(column_names[k], line + i, n) == 0;
        }
        if (!end)
            break;
        i += n + 1;
    }
    return time && other;
}

/* The delimiter of a header line: the one that splits out JMeter's names
 * (JMeter may be set to write tabs or semicolons), else ','. */
static char header_delimiter(const char *line, size_t len)
{
    static const char candidates[] = {',', '\t', ';', '|'};
    for (size_t i = 0; i < sizeof candidates; i++)
        if (has_names(line, len, candidates[i]))
            return candidates[i];
    return ',';
}

/* A line without names that may be JMeter's default columns: a timeStamp,
 * a whole elapsed and enough commas. The reader checks every field and
 * refuses, saying why, a file whose first line is not a match. */
static bool looks_headerless(const char *line, size_t len)
{
    const char *c1 = memchr(line, ',', len);
    if (!c1)
        return false;
    size_t n1 = (size_t)(c1 - line);
    const char *rest = c1 + 1;
    size_t rest_len = len - n1 - 1;
    const char *c2 = memchr(rest, ',', rest_len);
    if (!c2 || c2 == rest)
        return false;
    for (const char *p = rest; p < c2; p++)
        if (*p < '0' || *p > '9')
            return false;
    size_t commas = 0;
    for (size_t i = 0; i < len; i++)
        commas += line[i] == ',';
    if (commas < 6)
        return false;
    bool epoch = n1 == 13;
    for (size_t i = 0; i < n1 && epoch; i++)
        epoch = line[i] >= '0' && line[i] <= '9';
    ts_format f;
    int64_t ms;
    return epoch || parse_date(line, n1, current_century_start(), &f, &ms);
}

static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) {
        head += 3;
        len -= 3;
    }
    size_t n = 0;
    while (n < len && head[n] != '\n' && head[n] != '\r')
        n++;
    return has_names(head, n, header_delimiter(head, n)) || looks_headerless(head, n);
}

/* ---- The header ---- */

static const csv_field *field_of(const reader *r, column c)
{
    return r->at[c] >= 0 ? csv_get(r->csv, (size_t)r->at[c]) : NULL;
}

/* Maps the header's names to columns; false after reporting what makes
 * the file unreadable. */
static bool read_header(reader *r)
{
    char quoted[80];
    bool ok = true;
    size_t n = csv_count(r->csv);
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = csv_get(r->csv, i);
        if (f->quoted)
            continue; /* a sample variable, "name" */
        int c = -1;
        for (int k = 0; k < COL_COUNT && c < 0; k++)
            if (strlen(column_names[k]) == f->len && memcmp(column_names[k], f->text, f->len) == 0)
                c = k;
        diag_quote(quoted, sizeof quoted, f->text, f->len);
        if (c < 0) {
            diag_file_warning(&r->df, f->line, f->col,
                              "unknown column %s is ignored: not one JMeter writes", quoted);
        } else if (r->at[c] >= 0) {
            diag_file_error(&r->df, f->line, f->col, "column %s appears twice", quoted);
            ok = false;
        } else {
            r->at[c] = (int)i;
        }
    }
    static const column required[] = {COL_TIMESTAMP, COL_ELAPSED};
    for (size_t k = 0; k < 2; k++)
        if (r->at[required[k]] < 0) {
            diag_file_error(&r->df, csv_first_line(r->csv), 1, "header has no '%s' column",
                            column_names[required[k]]);
            ok = false;
        }
    r->field_count = n;
    r->header = true;
    return ok;
}

/* What a field of the default layout must look like, or NULL for text. */
static const char *default_type_mismatch(const reader *r, column c, const csv_field *f)
{
    long long v;
    bool b;
    switch (c) {
    case COL_TIMESTAMP:
        return looks_like_timestamp(f->text, f->len, r->century_start)
                   ? NULL
                   : "epoch milliseconds or a date";
    case COL_ELAPSED:
    case COL_BYTES:
    case COL_SENT_BYTES:
    case COL_LATENCY:
    case COL_IDLE_TIME:
    case COL_CONNECT:
    case COL_GRP_THREADS:
    case COL_ALL_THREADS:
        return jtl_reader_parse_long(f->text, f->len, &v) ? NULL : "a whole number";
    case COL_SUCCESS:
        return jtl_reader_parse_bool(f->text, f->len, &b) ? NULL : "true or false";
    default:
        return NULL;
    }
}

/* A first line that is no header: JMeter's default columns, if every
 * field has their type; false after refusing the file. */
static bool use_default_columns(reader *r, size_t len)
{
    static const char fix[] = "write the header line (jmeter.save.saveservice."
                              "print_field_names=true) or add it to the file";
    size_t n = csv_count(r->csv);
    long first = csv_first_line(r->csv);
    if (n != DEFAULT_COLUMNS) {
        diag_file_error(&r->df, csv_last_line(r->csv), n > DEFAULT_COLUMNS
                        ? csv_get(r->csv, DEFAULT_COLUMNS)->col : (long)len + 1,
                        "no header line, and line %ld has %zu fields, not the %zu of JMeter's "
                        "default columns: %s", first, n, DEFAULT_COLUMNS, fix);
        return false;
    }
    for (size_t i = 0; i < DEFAULT_COLUMNS; i++) {
        const csv_field *f = csv_get(r->csv, i);
        const char *expected = default_type_mismatch(r, default_columns[i], f);
        if (expected) {
            char quoted[80];
            diag_file_error(&r->df, f->line, f->col,
                            "no header line, and field %zu of line %ld (%s) is %s, not %s as in "
                            "JMeter's default columns: %s", i + 1, first,
                            column_names[default_columns[i]],
                            diag_quote(quoted, sizeof quoted, f->text, f->len), expected, fix);
            return false;
        }
    }
    for (size_t i = 0; i < DEFAULT_COLUMNS; i++)
        r->at[default_columns[i]] = (int)i;
    r->field_count = DEFAULT_COLUMNS;
    r->header = false;
    return true;
}

/* ---- Records ---- */

/* Reads the timeStamp field as UTC ms; false after reporting. */
static bool read_timestamp(reader *r, const csv_field *f, int64_t *utc_ms, int64_t *local_ms)
{
    ts_format format = TS_EPOCH_MS;
    const char *s = f->text;
    /* Epoch ms, the common case: up to 15 digits. */
    int64_t v = 0;
    size_t i = 0;
    for (; i < f->len && i < 16; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            break;
        v = v * 10 + d;
    }
    bool epoch = i > 0 && i == f->len && i <= 15;
    if (epoch) {
        if (v >= JTL_READER_MAX_EPOCH_MS &&
            !jtl_reader_epoch_ms(&r->df, f->line, f->col, "timeStamp", s, f->len, utc_ms))
            return false;
        *utc_ms = *local_ms = v;
    } else if (parse_date(s, f->len, r->century_start, &format, local_ms)) {
        int tz = r->opts && r->opts->has_tz ? r->opts->tz_minutes : 0;
        *utc_ms = *local_ms - (int64_t)tz * 60000;
        if (!(r->opts && r->opts->has_tz) && !r->tz_warned) {
            char quoted[80];
            diag_file_warning(&r->df, f->line, f->col,
                              "timeStamp %s is local time without a zone: read as UTC; give "
                              "the zone with --tz +HH:MM or tz in the run's run.ini",
                              diag_quote(quoted, sizeof quoted, s, f->len));
            r->tz_warned = true;
        }
        if (*utc_ms < 0 || *utc_ms >= JTL_READER_MAX_EPOCH_MS) {
            char quoted[80];
            diag_file_error(&r->df, f->line, f->col, "timeStamp %s is out of range",
                            diag_quote(quoted, sizeof quoted, s, f->len));
            return false;
        }
    } else {
        char quoted[80];
        diag_file_error(&r->df, f->line, f->col,
                        "bad timeStamp %s: expected milliseconds since 1970 or a date as JMeter "
                        "writes it (yyyy/MM/dd HH:mm:ss[.SSS], yyyy-MM-dd HH:mm:ss[.SSS], "
                        "MM/dd/yy HH:mm:ss)",
                        diag_quote(quoted, sizeof quoted, s, f->len));
        return false;
    }
    if (!r->format_seen) {
        r->format = format;
        r->format_seen = true;
    } else if (format != r->format) {
        r->formats_mixed = true;
    }
    return true;
}

/* Where the label is "<prefix>-<digits>": the prefix length, or -1. */
static long sub_prefix(const char *label, size_t len)
{
    size_t i = len;
    while (i > 0 && label[i - 1] >= '0' && label[i - 1] <= '9')
        i--;
    if (i == len || i < 2 || label[i - 1] != '-')
        return -1;
    return (long)(i - 1);
}

static bool same_text(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static uint64_t hash_text(const char *s, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
    return h;
}

static void grow_threads(reader *r)
{
    size_t cap = r->thread_cap ? 2 * r->thread_cap : 64;
    thread_slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < r->thread_cap; i++) {
        thread_slot *t = &r->threads[i];
        if (!t->name)
            continue;
        size_t k = t->hash & (cap - 1);
        while (slots[k].name)
            k = (k + 1) & (cap - 1);
        slots[k] = *t;
    }
    free(r->threads);
    r->threads = slots;
    r->thread_cap = cap;
}

/* The slot of a thread (the empty name when the file has none), added
 * when create is set; NULL when absent or not followed. */
static thread_slot *find_thread(reader *r, const char *name, size_t len, bool create)
{
    if (len > TEXT_MAX)
        return NULL;
    uint64_t h = hash_text(name, len);
    if (r->thread_cap) {
        for (size_t k = h & (r->thread_cap - 1);; k = (k + 1) & (r->thread_cap - 1)) {
            thread_slot *t = &r->threads[k];
            if (!t->name)
                break;
            if (t->hash == h && same_text(t->name, t->name_len, name, len))
                return t;
        }
    }
    if (!create || r->thread_count >= THREADS_MAX || r->kept + len + 1 > KEPT_MAX)
        return NULL;
    if (2 * (r->thread_count + 1) > r->thread_cap)
        grow_threads(r);
    size_t k = h & (r->thread_cap - 1);
    while (r->threads[k].name)
        k = (k + 1) & (r->thread_cap - 1);
    thread_slot *t = &r->threads[k];
    t->name = xmalloc(len + 1);
    memcpy(t->name, name, len);
    t->name[len] = '\0';
    t->name_len = len;
    t->hash = h;
    r->thread_count++;
    r->kept += len + 1;
    return t;
}

/* Whether label is "<p's label>-<n>" (prefix: where "-<n>" starts) and
 * starts within p's span. */
static bool sub_of(const parent *p, const csv_field *label, long prefix, int64_t start_ms)
{
    return p->valid && same_text(p->label, p->label_len, label->text, (size_t)prefix) &&
           start_ms >= p->start_ms - p->span_ms - SUB_SLACK_MS &&
           start_ms <= p->start_ms + p->span_ms + SUB_SLACK_MS;
}

static void keep_parent(reader *r, parent *p, const csv_field *label, int64_t start_ms,
                        int64_t span_ms)
{
    if (label->len > p->label_cap) {
        size_t cap = label->len < 64 ? 64 : label->len;
        if (label->len > TEXT_MAX || r->kept + cap - p->label_cap > KEPT_MAX) {
            p->valid = false;
            return;
        }
        r->kept += cap - p->label_cap;
        p->label_cap = cap;
        p->label = xrealloc(p->label, p->label_cap);
    }
    if (label->len)
        memcpy(p->label, label->text, label->len);
    p->label_len = label->len;
    p->start_ms = start_ms;
    p->span_ms = span_ms;
    p->valid = true;
}

/* The role of a row that is no transaction: a sub-result when it is
 * labelled "<label>-<n>" after a sample (or sub-result) of its thread
 * with that label, starting within that one's span; else a sample. Either
 * way it is remembered as a possible parent. */
static load_role sample_or_sub(reader *r, const csv_field *label, const csv_field *thread,
                               int64_t start_ms, int64_t span_ms)
{
    if (!label)
        return LOAD_SAMPLE;
    thread_slot *t = thread ? find_thread(r, thread->text, thread->len, true)
                            : find_thread(r, "", 0, true);
    if (!t)
        return LOAD_SAMPLE;
    long prefix = sub_prefix(label->text, label->len);
    if (prefix >= 0 && (sub_of(&t->sample, label, prefix, start_ms) ||
                        sub_of(&t->sub, label, prefix, start_ms))) {
        keep_parent(r, &t->sub, label, start_ms, span_ms);
        return LOAD_SUB;
    }
    keep_parent(r, &t->sample, label, start_ms, span_ms);
    t->sub.valid = false;
    return LOAD_SAMPLE;
}

/* Passes one sample on, unless the file already has errors. */
static void emit(reader *r, const load_sample *s)
{
    if (r->df.errors || r->status)
        return;
    if (r->sink->sample(r->sink->ctx, s))
        r->status = STATUS_FAILURE;
}

/* The counts of a batch row (jmeter.save.saveservice.sample_count, the
 * Statistical mode of remote batching): how many samples, how many failed.
 * False after reporting. */
static bool read_counts(reader *r, bool success, long long *samples, long long *errors)
{
    const csv_field *count = field_of(r, COL_SAMPLE_COUNT);
    const csv_field *failed = field_of(r, COL_ERROR_COUNT);
    *samples = 1;
    *errors = success ? 0 : 1;
    char quoted[80];
    if (count && (!jtl_reader_parse_long(count->text, count->len, samples) || *samples < 1)) {
        diag_file_error(&r->df, count->line, count->col,
                        "bad SampleCount %s: expected a number of samples, at least 1",
                        diag_quote(quoted, sizeof quoted, count->text, count->len));
        return false;
    }
    if (!count)
        return true;
    *errors = success ? 0 : *samples;
    if (failed && (!jtl_reader_parse_long(failed->text, failed->len, errors) || *errors < 0 ||
                   *errors > *samples)) {
        diag_file_error(&r->df, failed->line, failed->col,
                        "bad ErrorCount %s: expected a number from 0 to SampleCount (%lld)",
                        diag_quote(quoted, sizeof quoted, failed->text, failed->len), *samples);
        return false;
    }
    return true;
}

/* Reads one whole record of the data. */
static void read_record(reader *r)
{
    const csv_field *ts = field_of(r, COL_TIMESTAMP), *elapsed = field_of(r, COL_ELAPSED);
    const csv_field *label = field_of(r, COL_LABEL), *message = field_of(r, COL_RESPONSE_MESSAGE);
    const csv_field *thread = field_of(r, COL_THREAD_NAME), *success = field_of(r, COL_SUCCESS);
    const csv_field *all = field_of(r, COL_ALL_THREADS), *group = field_of(r, COL_GRP_THREADS);
    const csv_field *idle = field_of(r, COL_IDLE_TIME);
    char quoted[80];
    if (r->header && same_text(ts->text, ts->len, "timeStamp", 9)) {
        diag_file_warning(&r->df, ts->line, ts->col,
                          "the header line is repeated here (files joined?): skipped");
        return;
    }
    bool ok = true;
    int64_t t_ms = 0, local_ms = 0;
    ok &= read_timestamp(r, ts, &t_ms, &local_ms);
    bool transaction = message && jtl_reader_is_transaction(message->text, message->len);

    bool succeeded = true;
    if (success && success->len == 4 && memcmp(success->text, "true", 4) == 0)
        succeeded = true;
    else if (success && success->len == 5 && memcmp(success->text, "false", 5) == 0)
        succeeded = false;
    else if (success && !jtl_reader_parse_bool(success->text, success->len, &succeeded)) {
        diag_file_error(&r->df, success->line, success->col,
                        "bad success %s: expected true or false",
                        diag_quote(quoted, sizeof quoted, success->text, success->len));
        ok = false;
    }
    long long samples = 1, errors = 0;
    ok &= read_counts(r, succeeded, &samples, &errors);

    /* elapsed: of one sample, or the sum over a batch row's samples. */
    long long elapsed_ms = 0;
    long long v;
    bool number = jtl_reader_parse_long(elapsed->text, elapsed->len, &v);
    if (number && v >= 0 && samples > 1 && (double)v / (double)samples <= LOAD_MAX_DELAY_MS) {
        elapsed_ms = v;
    } else if (number && transaction && (double)v > LOAD_MAX_DELAY_MS) {
        diag_file_warning(&r->df, elapsed->line, elapsed->col,
                          "transaction lasted %s ms, above the maximum of %.0f ms: row left "
                          "out", diag_quote(quoted, sizeof quoted, elapsed->text, elapsed->len),
                          LOAD_MAX_DELAY_MS);
        return;
    } else if (!jtl_reader_delay(&r->df, elapsed->line, elapsed->col, "elapsed", elapsed->text,
                                 elapsed->len, &elapsed_ms)) {
        ok = false;
    }

    long concurrency = -1;
    const csv_field *threads = all ? all : group;
    if (threads && !jtl_reader_threads(&r->df, threads->line, threads->col,
                                       column_names[all ? COL_ALL_THREADS : COL_GRP_THREADS],
                                       threads->text, threads->len, &concurrency))
        ok = false;
    if (label) {
        size_t bad = text_utf8_invalid_at(label->text, label->len);
        if (bad < label->len) {
            diag_file_error(&r->df, label->line, label->col + (long)bad,
                            "label holds a byte that is not UTF-8 (0x%02X): JMeter writes "
                            "UTF-8 unless sampleresult.default.encoding says otherwise",
                            (unsigned char)label->text[bad]);
            ok = false;
        }
    }
    long long idle_ms = 0;
    if (idle && !jtl_reader_parse_long(idle->text, idle->len, &idle_ms))
        idle_ms = 0; /* only widens the span sub-results may start in */
    if (!ok)
        return;

    load_role role = LOAD_SAMPLE;
    if (transaction) {
        role = LOAD_TRANSACTION; /* never a parent: its children are not renamed */
    } else {
        role = sample_or_sub(r, label, thread, local_ms,
                             elapsed_ms + (idle_ms > 0 ? idle_ms : 0));
    }
    double delay_ms = samples > 1 ? (double)elapsed_ms / (double)samples : (double)elapsed_ms;
    jtl_reader_runs_see(&r->runs, &r->df, ts->line, ts->col, t_ms,
                        samples > 1 ? (int64_t)delay_ms : elapsed_ms);
    if (samples > 1)
        r->batch_rows++;
    /* Whether the outcome is known: success, or a batch row's ErrorCount. */
    bool known = success || (field_of(r, COL_SAMPLE_COUNT) && field_of(r, COL_ERROR_COUNT));
    load_sample s = {.t_ns = t_ms * 1000000,
                     .delay_ms = delay_ms,
                     .label = label ? label->text : NULL,
                     .label_len = label ? label->len : 0,
                     .ok = known ? (errors < samples) : -1,
                     .concurrency = concurrency,
                     .weight = (double)(samples - (known && errors < samples ? errors : 0)),
                     .role = role};
    emit(r, &s);
    if (known && errors > 0 && errors < samples) {
        /* A batch with some failures: its failed samples as a row of their own. */
        s.ok = 0;
        s.weight = (double)errors;
        emit(r, &s);
    }
}

/* A record split whole: the header, the first row of a header-less file,
 * or data. last: the file ends with its last line, without a line end. */
static void take_record(reader *r, size_t len, bool last)
{
    size_t n = csv_count(r->csv);
    if (n == 1 && csv_get(r->csv, 0)->len == 0 && !csv_get(r->csv, 0)->quoted)
        return; /* a blank line */
    if (!r->columns_known) {
        const csv_field *f = csv_get(r->csv, 0);
        bool data = looks_like_timestamp(f->text, f->len, r->century_start);
        bool usable = data ? use_default_columns(r, len) : read_header(r);
        r->columns_known = true;
        if (!usable) {
            r->field_count = 0; /* nothing more can be read */
            return;
        }
        if (!data)
            return;
    }
    if (r->field_count == 0)
        return;
    if (n != r->field_count) {
        if (n < r->field_count && last) {
            diag_file_warning(&r->df, csv_last_line(r->csv), (long)len + 1,
                              "last record has %zu of %zu fields and no line end: the file was "
                              "cut short while JMeter wrote it; the record is left out",
                              n, r->field_count);
            r->dropped_line = csv_first_line(r->csv);
            return;
        }
        long col = n > r->field_count ? csv_get(r->csv, r->field_count)->col : (long)len + 1;
        diag_file_error(&r->df, csv_last_line(r->csv), col,
                        "record has %zu field%s, expected %zu as %s", n, n == 1 ? "" : "s",
                        r->field_count,
                        r->header ? "in the header" : "in JMeter's default columns");
        return;
    }
    read_record(r);
}

/* Facts about the file worth keeping, once it has been read whole. */
static void write_meta(reader *r)
{
    if (r->df.errors || r->status)
        return;
    char value[64];
    const char *concurrency = r->at[COL_ALL_THREADS] >= 0   ? "allThreads"
                              : r->at[COL_GRP_THREADS] >= 0 ? "grpThreads"
                                                            : "none";
    snprintf(value, sizeof value, "%zu", r->field_count);
    int status = r->sink->meta(r->sink->ctx, "columns", value);
    if (!status)
        status = r->sink->meta(r->sink->ctx, "header",
                               r->header ? "yes" : "no (JMeter's default columns)");
    if (!status && r->format_seen)
        status = r->sink->meta(r->sink->ctx, "timestamps",
                               r->formats_mixed ? "mixed" : ts_format_names[r->format]);
    if (!status && r->format_seen && (r->format != TS_EPOCH_MS || r->formats_mixed)) {
        if (r->opts && r->opts->has_tz) {
            int m = r->opts->tz_minutes, a = m < 0 ? -m : m;
            snprintf(value, sizeof value, "%c%02d:%02d", m < 0 ? '-' : '+', a / 60, a % 60);
        } else {
            snprintf(value, sizeof value, "UTC (assumed)");
        }
        status = r->sink->meta(r->sink->ctx, "tz", value);
    }
    if (!status)
        status = r->sink->meta(r->sink->ctx, "concurrency", concurrency);
    if (!status && r->at[COL_RESPONSE_MESSAGE] < 0)
        status = r->sink->meta(r->sink->ctx, "transactions",
                               "not recognised: no responseMessage column");
    if (!status && r->runs.appended) {
        snprintf(value, sizeof value, "%ld", r->runs.appended);
        status = r->sink->meta(r->sink->ctx, "appended_runs", value);
    }
    if (!status && r->dropped_line) {
        snprintf(value, sizeof value, "%ld", r->dropped_line);
        status = r->sink->meta(r->sink->ctx, "dropped_last_record", value);
    }
    if (!status && r->batch_rows) {
        snprintf(value, sizeof value, "%lld", r->batch_rows);
        status = r->sink->meta(r->sink->ctx, "batch_rows", value);
    }
    if (status)
        r->status = STATUS_FAILURE;
}

static void reader_clear(reader *r)
{
    line_reader_free(r->lines);
    csv_splitter_free(r->csv);
    for (size_t i = 0; i < r->thread_cap; i++) {
        free(r->threads[i].name);
        free(r->threads[i].sample.label);
        free(r->threads[i].sub.label);
    }
    free(r->threads);
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    reader r = {.opts = opts, .sink = sink};
    r.df = (diag_file){.list = diags, .path = path};
    r.century_start = current_century_start();
    for (int c = 0; c < COL_COUNT; c++)
        r.at[c] = -1;
    sha256_hex[0] = '\0';
    int status = line_reader_open(path, NULL, &r.lines, diags);
    if (status)
        return status;
    const char *line;
    size_t len;
    line_status ls;
    bool open_quote = false; /* a record's quoted field goes on to the next line */
    size_t record_bytes = 0;
    while (r.status == STATUS_OK && (ls = line_reader_next(r.lines, &line, &len)) != LINE_EOF) {
        if (ls == LINE_IO_ERROR) {
            r.status = STATUS_FAILURE;
            break;
        }
        long number = line_reader_line(r.lines);
        if (number == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&r.df, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
            open_quote = false;
            continue;
        }
        if (!r.csv) {
            csv_options o = {.delimiter = header_delimiter(line, len)};
            r.csv = csv_splitter_new(&o);
        }
        csv_status cs;
        if (open_quote) {
            cs = csv_continue(r.csv, line, len, number);
            record_bytes += len + 1;
        } else {
            cs = csv_split(r.csv, line, len, number);
            record_bytes = len;
        }
        open_quote = cs == CSV_MORE;
        if (open_quote && record_bytes > LINE_READER_MAX_LINE) {
            long l, c;
            csv_finish(r.csv);
            csv_error(r.csv, &l, &c);
            diag_file_error(&r.df, l, c, "quoted field still open after 1 MiB: a closing quote "
                            "is missing (reading stops here)");
            open_quote = false;
            break;
        }
        if (cs == CSV_ERROR) {
            long l, c;
            const char *message = csv_error(r.csv, &l, &c);
            diag_file_error(&r.df, l, c, "%s", message);
        } else if (cs == CSV_RECORD) {
            take_record(&r, len, !line_reader_terminated(r.lines));
        }
    }
    if (open_quote && r.status == STATUS_OK) {
        long l, c;
        csv_finish(r.csv);
        const char *message = csv_error(r.csv, &l, &c);
        diag_file_error(&r.df, l, c, "%s at the end of the file", message);
    }
    if (r.status == STATUS_OK && !r.columns_known)
        diag_file_error(&r.df, 1, 1, "empty file: expected JMeter's header line or samples");
    write_meta(&r);
    status = r.status;
    if (status == STATUS_OK) {
        uint64_t bytes = 0;
        status = line_reader_digest(r.lines, sha256_hex, &bytes, diags);
        *size = (long long)bytes;
    }
    diag_file_finish(&r.df);
    if (status == STATUS_OK && r.df.errors)
        status = STATUS_BAD_INPUT;
    reader_clear(&r);
    return status;
}

const load_format jtl_csv_format = {"jmeter-csv", sniff, read_file};
