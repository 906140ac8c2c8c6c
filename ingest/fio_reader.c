/* fio's latency logs as load-test samples, and its bandwidth and IOPS logs
 * as counters (fio_reader.h). One row of a latency log is one I/O, or the
 * mean of a window's I/Os when log_avg_msec is set (the block size is then
 * 0 on every row, and the file's metadata says values = window-mean).
 *
 * Units: latencies are ns from fio 3.0, us before. A log of 5 or more
 * columns comes from fio 3.x (the priority column, 3.18 on, or offsets),
 * so ns; a log of 4 columns takes the unit from the options (run.ini
 * `unit`), else from fio's JSON or terse output in the same folder (its
 * version), else ns with a warning.
 *
 * Time: fio writes ms since the job started, when the I/O completed. A
 * sample's t_ns is that instant less the latency (when the I/O started),
 * counted from 1970-01-01 since fio gives no date, so the logs of one run's
 * jobs stay comparable with one another; a window row keeps its time.
 * With log_unix_epoch the times are since 1970 and are used as they are. */
#include "fio_reader.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "csv.h"
#include "line_reader.h"
#include "load_sink.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* The log types, as fio names them in the file name. */
typedef enum fio_log { LOG_NONE, LOG_LAT, LOG_CLAT, LOG_SLAT, LOG_BW, LOG_IOPS } fio_log;
static const char *const log_names[] = {NULL, "lat", "clat", "slat", "bw", "iops"};
static const char *const ddir_names[] = {"read", "write", "trim"};

/* Fields of a line: time, value, ddir, bs, then up to four optional ones. */
#define MIN_FIELDS 4
#define MAX_FIELDS 8
/* Times of at least this many ms (2001-09-09) are since 1970
 * (log_unix_epoch); a job does not run for 31 years. */
#define EPOCH_MS UINT64_C(1000000000000)
/* 2200-01-01T00:00:00Z in ms: the end of the times p3 takes. */
#define MAX_TIME_MS UINT64_C(7258118400000)
/* Time restarts listed in the note about concatenated job logs. */
#define NOTED_RESTARTS 8
/* Bytes of a neighbouring file read to find fio's version. */
#define VERSION_READ 65536
/* Files of a folder looked at for fio's version, at most. */
#define MAX_SCANNED 1000
/* Not yet declared to the counter sink. */
#define UNDECLARED SIZE_MAX

/* Where a file name says the log type. */
typedef struct log_name {
    fio_log type;
    size_t at;  /* offset in the path of the '_' before the type */
    size_t len; /* of "_type" */
} log_name;

/* A line of a log, checked. */
typedef struct fio_row {
    long line;
    uint64_t time_ms;
    uint64_t value;
    uint64_t value1;        /* the window maximum, when the log has one */
    int ddir;               /* 0 read, 1 write, 2 trim */
    uint64_t bs;            /* bytes; 0 in window rows */
    const csv_field *time;  /* the time as written, valid until the next row */
    long value_col;         /* column of the value */
} fio_row;

/* Reads the lines of a log, checking each (shared by both readers). */
typedef struct fio_parser {
    const char *path;      /* borrowed */
    diag_file diags;       /* this file's diagnostics, capped */
    line_reader *lines;
    csv_splitter *csv;
    bool stop;             /* not a log at all: stop looking */
    size_t columns;        /* fields of the first row; 0 before it */
    long first_line;       /* the first row's line */
    bool value1;           /* a window maximum follows the value (log_window_value=both) */
    bool window;           /* the first row's block size is 0: window means */
    bool epoch;            /* times are ms since 1970 */
    uint64_t last_time;    /* of the row before */
    long long rows;        /* rows read */
    long segments;         /* 1 + times the time went back (concatenated job logs) */
    long restarts[NOTED_RESTARTS]; /* lines where it did, the first few */
} fio_parser;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The log type a file name says: the last `_lat`, `_clat`, `_slat`, `_bw`
 * or `_iops` followed by '.', '_' or the end (not fio's `_clat_hist`). */
static log_name name_of(const char *path)
{
    log_name best = {LOG_NONE, 0, 0};
    const char *base = base_name(path);
    for (const char *p = strchr(base, '_'); p; p = strchr(p + 1, '_')) {
        for (int t = LOG_LAT; t <= LOG_IOPS; t++) {
            size_t n = strlen(log_names[t]);
            if (strncmp(p + 1, log_names[t], n) != 0)
                continue;
            char next = p[1 + n];
            if ((next != '.' && next != '_' && next != '\0') || strncmp(p + 1 + n, "_hist", 5) == 0)
                continue;
            best = (log_name){(fio_log)t, (size_t)(p - path), 1 + n};
        }
    }
    return best;
}

/* Whether a line is whole numbers separated by ", ", 4 to 8 of them (the
 * priority may be hex). */
static bool line_looks_fio(const char *s, size_t n)
{
    if (n && s[n - 1] == '\r')
        n--;
    size_t i = 0, fields = 0;
    for (;;) {
        size_t start = i;
        if (fields > 0 && i + 2 < n && s[i] == '0' && s[i + 1] == 'x') {
            i += 2;
            start = i;
            while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                             (s[i] >= 'A' && s[i] <= 'F')))
                i++;
        } else {
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
        if (i == start)
            return false;
        fields++;
        if (i == n)
            return fields >= MIN_FIELDS && fields <= MAX_FIELDS;
        if (i + 1 >= n || s[i] != ',' || s[i + 1] != ' ')
            return false;
        i += 2;
    }
}

/* Whether the first line of a file's first bytes is a fio log's (later
 * lines are checked as they are read, so that a broken one is reported
 * where it is). */
static bool head_looks_fio(const char *head, size_t len)
{
    const char *nl = memchr(head, '\n', len);
    return line_looks_fio(head, nl ? (size_t)(nl - head) : len);
}

static bool sniff(const char *path, const char *head, size_t len)
{
    fio_log t = name_of(path).type;
    return (t == LOG_LAT || t == LOG_CLAT || t == LOG_SLAT) && head_looks_fio(head, len);
}

bool fio_reader_sniff_counters(const char *path, const char *head, size_t len)
{
    fio_log t = name_of(path).type;
    return (t == LOG_BW || t == LOG_IOPS) && head_looks_fio(head, len);
}

/* ---- Lines ---- */

static bool parser_emitting(const fio_parser *p)
{
    return p->diags.errors == 0;
}

/* Whether s is text: no NUL or control bytes other than tab. */
static bool check_text(fio_parser *p, const char *s, size_t len, long line)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) {
            diag_file_error(&p->diags, line, (long)i + 1, "NUL byte: a fio log is text");
            return false;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            diag_file_error(&p->diags, line, (long)i + 1,
                            "control character 0x%02X: a fio log is text", c);
            return false;
        }
        if (c >= 0x80) {
            diag_file_error(&p->diags, line, (long)i + 1,
                            "byte 0x%02X: a fio log holds numbers only", c);
            return false;
        }
    }
    return true;
}

/* A whole number: decimal digits, or 0x and hex digits where hex_ok. */
static bool whole_number(const char *s, size_t len, bool hex_ok, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = 0;
    int base = 10;
    if (hex_ok && len > 2 && s[0] == '0' && s[1] == 'x') {
        base = 16;
        i = 2;
    }
    if (i == len)
        return false;
    for (; i < len; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *v = x;
    return true;
}

/* What field i holds, for messages. */
static const char *field_name(const fio_parser *p, size_t i)
{
    size_t ddir_at = p->value1 ? 3 : 2;
    if (i == 0)
        return "time";
    if (i == 1)
        return "value";
    if (p->value1 && i == 2)
        return "window maximum";
    if (i == ddir_at)
        return "data direction";
    if (i == ddir_at + 1)
        return "block size";
    return "field";
}

/* Splits and checks a line into *row; false after reporting it. */
static bool parse_row(fio_parser *p, const char *line, size_t len, long number, fio_row *row)
{
    char quoted[80];
    csv_status cs = csv_split(p->csv, line, len, number);
    if (cs != CSV_RECORD) {
        long el = number, ec = 1;
        const char *message = cs == CSV_ERROR ? csv_error(p->csv, &el, &ec)
                                              : "unterminated quote: a fio log holds numbers only";
        diag_file_error(&p->diags, number, ec, "%s", message);
        return false;
    }
    size_t n = csv_count(p->csv);
    if (n < MIN_FIELDS || n > MAX_FIELDS) {
        long col = n > MAX_FIELDS ? csv_get(p->csv, MAX_FIELDS)->col : (long)len + 1;
        diag_file_error(&p->diags, number, col,
                        "expected 4 to 8 fields (time, value, data direction, block size, ...), "
                        "found %zu",
                        n);
        return false;
    }
    if (p->columns && n != p->columns) {
        long col = n > p->columns ? csv_get(p->csv, p->columns)->col : (long)len + 1;
        diag_file_error(&p->diags, number, col, "expected %zu fields as line %ld has, found %zu",
                        p->columns, p->first_line, n);
        return false;
    }
    uint64_t v[MAX_FIELDS];
    bool ok[MAX_FIELDS];
    for (size_t i = 0; i < n; i++) {
        const csv_field *f = csv_get(p->csv, i);
        ok[i] = whole_number(f->text, f->len, i >= 4, &v[i]);
    }
    bool first = p->columns == 0;
    if (first)
        /* log_window_value=both puts the maximum at field 2, moving ddir to
         * 3; a maximum of 2 or less is never a latency, so field 2 > 2
         * with a direction at 3 says so. */
        p->value1 = n >= 6 && ok[2] && ok[3] && v[2] > 2 && v[3] <= 2;
    for (size_t i = 0; i < n; i++) {
        if (ok[i])
            continue;
        const csv_field *f = csv_get(p->csv, i);
        diag_file_error(&p->diags, number, f->col, "bad %s %s: expected a whole number",
                        field_name(p, i), diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    size_t ddir_at = p->value1 ? 3 : 2;
    const csv_field *time = csv_get(p->csv, 0), *ddir = csv_get(p->csv, ddir_at);
    if (v[ddir_at] > 2) {
        diag_file_error(&p->diags, number, ddir->col,
                        "bad data direction %s: expected 0 (read), 1 (write) or 2 (trim)",
                        diag_quote(quoted, sizeof quoted, ddir->text, ddir->len));
        return false;
    }
    if (v[0] >= MAX_TIME_MS) {
        diag_file_error(&p->diags, number, time->col, "time %s ms is out of range: after 2199",
                        diag_quote(quoted, sizeof quoted, time->text, time->len));
        return false;
    }
    uint64_t bs = v[ddir_at + 1];
    if (first) {
        p->columns = n;
        p->first_line = number;
        p->window = bs == 0;
        p->epoch = v[0] >= EPOCH_MS;
        p->segments = 1;
    } else if ((bs == 0) != p->window) {
        const csv_field *f = csv_get(p->csv, ddir_at + 1);
        diag_file_error(&p->diags, number, f->col,
                        "block size %s where line %ld has %s: per-I/O and window-averaged "
                        "(log_avg_msec) rows do not mix",
                        diag_quote(quoted, sizeof quoted, f->text, f->len), p->first_line,
                        p->window ? "0" : "a block size");
        return false;
    } else if ((v[0] >= EPOCH_MS) != p->epoch) {
        diag_file_error(&p->diags, number, time->col,
                        "time %s ms is %s where line %ld's is %s", 
                        diag_quote(quoted, sizeof quoted, time->text, time->len),
                        p->epoch ? "from the job's start" : "since 1970", p->first_line,
                        p->epoch ? "since 1970 (log_unix_epoch)" : "from the job's start");
        return false;
    }
    if (p->rows > 0 && v[0] < p->last_time) {
        if (p->segments <= NOTED_RESTARTS)
            p->restarts[p->segments - 1] = number;
        p->segments++;
    }
    p->last_time = v[0];
    p->rows++;
    *row = (fio_row){.line = number,
                     .time_ms = v[0],
                     .value = v[1],
                     .value1 = p->value1 ? v[2] : 0,
                     .ddir = (int)v[ddir_at],
                     .bs = bs,
                     .time = time,
                     .value_col = csv_get(p->csv, 1)->col};
    return true;
}

static int parser_open(fio_parser *p, const char *path, diag_list *diags)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    p->diags = (diag_file){.list = diags, .path = path};
    csv_options co = {.delimiter = ',', .trim = true};
    p->csv = csv_splitter_new(&co);
    return line_reader_open(path, NULL, &p->lines, diags);
}

static void parser_free(fio_parser *p)
{
    line_reader_free(p->lines);
    csv_splitter_free(p->csv);
}

/* The next good row: 1, 0 at the end, -1 when reading failed. Broken
 * lines are reported and skipped. */
static int parser_next(fio_parser *p, fio_row *row)
{
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(p->lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(p->lines);
        if (ls == LINE_IO_ERROR)
            return -1;
        if (p->stop)
            continue;
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&p->diags, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
            continue;
        }
        if (!check_text(p, line, len, number)) {
            p->stop |= number == 1; /* a binary file: one error is enough */
            continue;
        }
        const char *t = line;
        size_t n = len;
        text_trim(&t, &n);
        if (n == 0)
            continue;
        if (!line_reader_terminated(p->lines)) {
            diag_file_error(&p->diags, number, (long)len + 1,
                            "last line has no line end: the file looks truncated");
            continue;
        }
        if (parse_row(p, line, len, number, row))
            return 1;
    }
    return 0;
}

/* Ends the reading: the empty-file error, the note on concatenated logs,
 * the digest. Returns STATUS_OK or STATUS_FAILURE. */
static int parser_finish(fio_parser *p, char sha256_hex[65], long long *size)
{
    if (line_reader_line(p->lines) == 0)
        diag_file_error(&p->diags, 1, 1, "empty file: expected a fio log");
    else if (p->rows == 0 && parser_emitting(p))
        diag_file_error(&p->diags, 1, 1, "no rows: expected a fio log");
    if (p->segments > 1 && parser_emitting(p)) {
        char lines[NOTED_RESTARTS * 24] = "";
        size_t o = 0;
        long noted = p->segments - 1 < NOTED_RESTARTS ? p->segments - 1 : NOTED_RESTARTS;
        for (long i = 0; i < noted; i++)
            o += (size_t)snprintf(lines + o, sizeof lines - o, "%s%ld", i ? ", " : "",
                                  p->restarts[i]);
        diag_add(p->diags.list, DIAG_NOTE, p->path, 0, 0,
                 "%ld job logs one after another: the time restarts at line%s %s%s", p->segments,
                 p->segments > 2 ? "s" : "", lines, p->segments - 1 > noted ? ", ..." : "");
    }
    uint64_t bytes = 0;
    int digest = line_reader_digest(p->lines, sha256_hex, &bytes, p->diags.list);
    if (digest)
        return digest;
    *size = (long long)bytes;
    diag_file_finish(&p->diags);
    return STATUS_OK;
}

/* ---- Units ---- */

/* Finds `needle` in buf[0..n). */
static const char *find(const char *buf, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (buf[i] == needle[0] && memcmp(buf + i, needle, m) == 0)
            return buf + i;
    return NULL;
}

/* The fio version ("fio-3.1") that JSON output (`"fio version" :
 * "fio-3.1"`) or a terse line (`3;fio-3.1;...`) in buf gives. */
static bool version_in(const char *buf, size_t n, char *out, size_t size)
{
    const char *end = buf + n, *p = find(buf, n, "\"fio version\"");
    if (p) {
        p += 13;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (p < end && *p == ':')
            p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p == '"') {
            const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
            if (q && q - p - 1 < (long)size && q - p - 1 > 4 && memcmp(p + 1, "fio-", 4) == 0) {
                memcpy(out, p + 1, (size_t)(q - p - 1));
                out[q - p - 1] = '\0';
                return true;
            }
        }
    }
    for (const char *line = buf; line < end;) {
        const char *q = line;
        while (q < end && *q >= '0' && *q <= '9')
            q++;
        if (q > line && end - q > 5 && memcmp(q, ";fio-", 5) == 0) {
            const char *v = q + 1, *stop = v;
            while (stop < end && *stop != ';' && *stop != '\n')
                stop++;
            if (stop - v < (long)size) {
                memcpy(out, v, (size_t)(stop - v));
                out[stop - v] = '\0';
                return true;
            }
        }
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        line = nl ? nl + 1 : end;
    }
    return false;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether fio of this version ("fio-2.2.10") wrote latencies in ns. */
static bool version_in_ns(const char *version)
{
    return strtol(version + 4, NULL, 10) >= 3;
}

/* fio's version from its JSON or terse output in the folder of path, read
 * in name order: into version (the first found) and *source (its path, a
 * new string). Returns 1 when found, 0 when not, -1 after reporting files
 * that disagree on the unit. */
static int folder_version(fio_parser *p, char *version, size_t size, char **source)
{
    const char *slash = strrchr(p->path, '/');
    char *dir = slash ? xstrndup(p->path, (size_t)(slash - p->path) + (slash == p->path)) : xstrdup(".");
    *source = NULL;
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && count < MAX_SCANNED) {
        size_t len = strlen(e->d_name);
        bool log = len > 4 && strcmp(e->d_name + len - 4, ".log") == 0 &&
                   name_of(e->d_name).type != LOG_NONE; /* fio's logs: no version in them */
        if (e->d_name[0] == '.' || log)
            continue;
        names = xreallocarray(names, count + 1, sizeof *names);
        names[count++] = xstrdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_names);
    int found = 0;
    char *buf = xmalloc(VERSION_READ), other[64];
    for (size_t i = 0; i < count && found >= 0; i++) {
        char *file = slash ? xasprintf("%s/%s", dir, names[i]) : xstrdup(names[i]);
        struct stat st;
        gzFile gz = stat(file, &st) == 0 && S_ISREG(st.st_mode) ? gzopen(file, "rb") : NULL;
        int n = gz ? gzread(gz, buf, VERSION_READ) : 0;
        if (gz)
            gzclose(gz);
        if (n > 0 && version_in(buf, (size_t)n, found ? other : version, found ? sizeof other : size)) {
            if (!found) {
                found = 1;
                *source = file;
                file = NULL;
            } else if (version_in_ns(other) != version_in_ns(version)) {
                diag_file_error(&p->diags, 0, 0,
                                "fio outputs beside the log disagree on its unit: '%s' says %s, "
                                "'%s' says %s; set 'unit' in the [run] section of run.ini",
                                *source, version, file, other);
                found = -1;
            }
        }
        free(file);
    }
    free(buf);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(dir);
    return found;
}

/* ---- Latency logs ---- */

typedef struct fio_reader {
    fio_parser p;
    const load_options *opts;
    const load_sink *sink;
    bool failed;              /* the sink failed: stop at once */
    fio_log type;             /* of this file */
    fio_log chosen;           /* the delay: opts->fio_log, default lat */
    char *skip_for;           /* the sibling log that is the delay instead, or NULL */
    const char *unit;         /* "ns", "us" or "ms", once the first row is read */
    double per_ms;            /* value units per ms */
    int64_t ns_per_unit;
    const char *unit_source;  /* "columns", "option", "fio-output" or "assumed" */
    char version[64];         /* fio's version when a neighbour gave it */
} fio_reader;

static bool emitting(const fio_reader *r)
{
    return parser_emitting(&r->p) && !r->failed;
}

/* The name of path with its log type replaced by `type`, if that file
 * exists; else NULL. Caller frees. */
static char *sibling(const char *path, log_name name, fio_log type)
{
    char *s = xasprintf("%.*s_%s%s", (int)name.at, path, log_names[type],
                        path + name.at + name.len);
    if (access(s, F_OK) == 0)
        return s;
    free(s);
    return NULL;
}

static bool set_unit(fio_reader *r, const char *unit, const char *source)
{
    static const struct {
        const char *name;
        double per_ms;
        int64_t ns;
    } units[] = {{"ns", 1e6, 1}, {"us", 1e3, 1000}, {"ms", 1.0, 1000000}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(unit, units[i].name) == 0) {
            r->unit = units[i].name;
            r->per_ms = units[i].per_ms;
            r->ns_per_unit = units[i].ns;
            r->unit_source = source;
            return true;
        }
    char quoted[80];
    diag_file_error(&r->p.diags, 0, 0, "unit %s is not one p3 knows: expected ns, us or ms",
                    diag_quote(quoted, sizeof quoted, unit, strlen(unit)));
    return false;
}

/* Decides the unit at the first row, from its column count, the options,
 * the fio output beside the log, or by assuming ns. */
static void choose_unit(fio_reader *r)
{
    if (r->p.columns >= 5) {
        set_unit(r, "ns", "columns");
        return;
    }
    if (r->opts && r->opts->unit) {
        set_unit(r, r->opts->unit, "option");
        return;
    }
    char *source = NULL;
    int found = folder_version(&r->p, r->version, sizeof r->version, &source);
    free(source);
    if (found > 0) {
        set_unit(r, version_in_ns(r->version) ? "ns" : "us", "fio-output");
        return;
    }
    r->version[0] = '\0';
    set_unit(r, "ns", "assumed");
    if (found == 0 && !r->skip_for) /* a skipped log's values do not matter */
        diag_file_warning(&r->p.diags, 0, 0,
                          "latencies do not say their unit (a log of 4 columns): read as ns, as "
                          "fio 3.0 and later write them (fio 2.x wrote us); set 'unit = us' in "
                          "the [run] section of run.ini, give --unit, or keep fio's "
                          "--output-format=json output beside the log");
}

/* One row as a sample. */
static void give_row(fio_reader *r, const fio_row *row)
{
    double delay_ms = (double)row->value / r->per_ms;
    if (delay_ms > LOAD_MAX_DELAY_MS) {
        diag_file_error(&r->p.diags, row->line, row->value_col,
                        "latency %llu %s (%.0f ms) is beyond the 1 hour p3 accepts",
                        (unsigned long long)row->value, r->unit, delay_ms);
        return;
    }
    if (r->skip_for || !emitting(r))
        return;
    int64_t t = (int64_t)row->time_ms * 1000000;
    if (!r->p.window) {
        /* fio logs an I/O when it completes: it started its latency before. */
        int64_t latency_ns = (int64_t)row->value * r->ns_per_unit;
        t = t > latency_ns ? t - latency_ns : 0;
    }
    const char *label = ddir_names[row->ddir];
    load_sample s = {.t_ns = t,
                     .delay_ms = delay_ms,
                     .label = label,
                     .label_len = strlen(label),
                     .ok = -1,
                     .concurrency = -1,
                     .weight = 1,
                     .role = LOAD_SAMPLE};
    if (r->sink->sample(r->sink->ctx, &s))
        r->failed = true;
}

/* Which log is the delay, and whether this one is skipped for another. */
static bool choose_log(fio_reader *r, const char *path)
{
    log_name name = name_of(path);
    r->type = name.type;
    if (r->type != LOG_LAT && r->type != LOG_CLAT && r->type != LOG_SLAT) {
        diag_file_error(&r->p.diags, 0, 0,
                        "not a fio latency log: its name should hold _lat, _clat or _slat");
        return false;
    }
    const char *want = r->opts && r->opts->fio_log ? r->opts->fio_log : "lat";
    r->chosen = LOG_NONE;
    for (int t = LOG_LAT; t <= LOG_SLAT; t++)
        if (strcmp(want, log_names[t]) == 0)
            r->chosen = (fio_log)t;
    if (r->chosen == LOG_NONE) {
        char quoted[80];
        diag_file_error(&r->p.diags, 0, 0, "fio_log %s is not one p3 knows: expected lat, clat or slat",
                        diag_quote(quoted, sizeof quoted, want, strlen(want)));
        return false;
    }
    if (r->type == r->chosen)
        return true;
    r->skip_for = sibling(path, name, r->chosen);
    /* Without the chosen log, clat is nearer to the delay than slat. */
    if (!r->skip_for && r->type == LOG_SLAT)
        r->skip_for = sibling(path, name, LOG_CLAT);
    return true;
}

static void give_meta(fio_reader *r)
{
    char segments[32], columns[32];
    snprintf(segments, sizeof segments, "%ld", r->p.segments);
    snprintf(columns, sizeof columns, "%zu", r->p.columns);
    const char *pairs[][2] = {
        {"log", log_names[r->type]},
        {"unit", r->unit},
        {"unit_source", r->unit_source},
        {"unit_assumed", r->unit_source && strcmp(r->unit_source, "assumed") == 0 ? "yes" : "no"},
        {"fio_version", r->version[0] ? r->version : NULL},
        {"values", r->p.window ? "window-mean" : "single"},
        {"time_base", r->p.epoch ? "unix-epoch" : "job-start"},
        {"columns", columns},
        {"segments", r->p.segments > 1 ? segments : NULL},
        {"skipped_for", r->skip_for ? base_name(r->skip_for) : NULL},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs && emitting(r); i++)
        if (pairs[i][1] && r->sink->meta(r->sink->ctx, pairs[i][0], pairs[i][1]))
            r->failed = true;
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    fio_reader r;
    memset(&r, 0, sizeof r);
    r.opts = opts;
    r.sink = sink;
    sha256_hex[0] = '\0';
    int status = parser_open(&r.p, path, diags);
    if (status)
        goto out;
    if (!choose_log(&r, path))
        r.p.stop = true;
    fio_row row;
    int got;
    while ((got = parser_next(&r.p, &row)) == 1 && !r.failed) {
        if (!r.unit) {
            choose_unit(&r);
            if (!r.unit) {
                r.p.stop = true;
                continue;
            }
            if (r.type != r.chosen && !r.skip_for)
                diag_file_warning(&r.p.diags, 0, 0,
                                  "the %s log is read as the delay: no %s log lies beside it",
                                  log_names[r.type], log_names[r.chosen]);
        }
        give_row(&r, &row);
    }
    if (got < 0 || r.failed) {
        status = STATUS_FAILURE;
        goto out;
    }
    if (r.skip_for && parser_emitting(&r.p))
        diag_add(diags, DIAG_NOTE, path, 0, 0,
                 "no samples taken: the delay of this job is its %s log '%s' (set fio_log = %s "
                 "in the [run] section of run.ini, or give --fio-log %s, to take this one)",
                 log_names[r.chosen], base_name(r.skip_for), log_names[r.type],
                 log_names[r.type]);
    if (emitting(&r) && r.unit)
        give_meta(&r);
    if (r.failed || parser_finish(&r.p, sha256_hex, size)) {
        status = STATUS_FAILURE;
        goto out;
    }
    status = r.p.diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    if (status)
        sha256_hex[0] = '\0';
    parser_free(&r.p);
    free(r.skip_for);
    return status;
}

const load_format fio_format = {"fio", sniff, read_file};

/* ---- Bandwidth and IOPS logs ---- */

typedef struct counter_reader {
    fio_parser p;
    const counter_sink *sink;
    bool failed;            /* the sink failed: stop at once */
    bool file_given;        /* sink->file() was called */
    fio_log type;           /* LOG_BW or LOG_IOPS */
    char *instance;         /* the job's name: the file name before the type */
    int index;              /* the job index after it, or -1 */
    size_t counters[2][3];  /* sink numbers of value and maximum, per direction */
    bool in_row;            /* a row is open */
    uint64_t row_time;      /* its time */
    unsigned row_ddirs;     /* directions it has values of, one bit each */
} counter_reader;

static bool counter_emitting(const counter_reader *c)
{
    return parser_emitting(&c->p) && !c->failed;
}

/* The job's name and index from the file name around the type. */
static void job_of(counter_reader *c, const char *path)
{
    log_name name = name_of(path);
    const char *base = base_name(path);
    c->type = name.type;
    c->instance = xstrndup(base, (size_t)(path + name.at - base));
    c->index = -1;
    const char *after = path + name.at + name.len;
    if (*after == '.') {
        char *end;
        long n = strtol(after + 1, &end, 10);
        if (end > after + 1 && *end == '.' && n >= 0 && n < 1000000)
            c->index = (int)n;
    }
}

static bool give_file(counter_reader *c)
{
    if (c->file_given)
        return true;
    c->file_given = true;
    counter_file_info info = {
        .kind = "fio",
        .encoding = "UTF-8",
        .description = c->type == LOG_BW
                           ? (c->p.window ? "fio bandwidth log, KiB/s, window means"
                                          : "fio bandwidth log, KiB/s")
                           : (c->p.window ? "fio IOPS log, window means" : "fio IOPS log")};
    if (c->sink->file(c->sink->ctx, &info))
        c->failed = true;
    return !c->failed;
}

static void give_value(counter_reader *c, int ddir, int which, uint64_t value)
{
    size_t *index = &c->counters[which][ddir];
    if (*index == UNDECLARED) {
        char *name = xasprintf("%s %s%s", ddir_names[ddir], c->type == LOG_BW ? "KiB/s" : "IOPS",
                               which ? " max" : "");
        char *path = c->index >= 0 ? xasprintf("\\fio(%s#%d)\\%s", c->instance, c->index, name)
                                   : xasprintf("\\fio(%s)\\%s", c->instance, name);
        counter_path p = {path, NULL, "fio", NULL, c->instance, c->index, name};
        int status = c->sink->counter(c->sink->ctx, &p, index);
        free(path);
        free(name);
        if (status) {
            c->failed = true;
            return;
        }
    }
    if (c->sink->value(c->sink->ctx, *index, (double)value))
        c->failed = true;
}

static void give_counter_row(counter_reader *c, const fio_row *row)
{
    if (!counter_emitting(c) || !give_file(c))
        return;
    unsigned bit = 1u << row->ddir;
    if (!c->in_row || row->time_ms != c->row_time || (c->row_ddirs & bit)) {
        char *local = xstrndup(row->time->text, row->time->len);
        int status = c->sink->row(c->sink->ctx, (int64_t)row->time_ms * 1000000, local);
        free(local);
        if (status) {
            c->failed = true;
            return;
        }
        c->in_row = true;
        c->row_time = row->time_ms;
        c->row_ddirs = 0;
    }
    c->row_ddirs |= bit;
    give_value(c, row->ddir, 0, row->value);
    if (c->p.value1 && !c->failed)
        give_value(c, row->ddir, 1, row->value1);
}

int fio_reader_read_counters(const char *path, const counter_options *opts,
                             const counter_sink *sink, counter_read_result *result,
                             diag_list *diags)
{
    (void)opts; /* fio's times carry no zone or date */
    memset(result, 0, sizeof *result);
    counter_reader c;
    memset(&c, 0, sizeof c);
    c.sink = sink;
    for (int w = 0; w < 2; w++)
        for (int d = 0; d < 3; d++)
            c.counters[w][d] = UNDECLARED;
    int status = parser_open(&c.p, path, diags);
    if (status)
        goto out;
    job_of(&c, path);
    if (c.type != LOG_BW && c.type != LOG_IOPS) {
        diag_file_error(&c.p.diags, 0, 0,
                        "not a fio bandwidth or IOPS log: its name should hold _bw or _iops");
        c.p.stop = true;
    }
    fio_row row;
    int got;
    while ((got = parser_next(&c.p, &row)) == 1 && !c.failed)
        give_counter_row(&c, &row);
    if (got < 0 || c.failed) {
        status = STATUS_FAILURE;
        goto out;
    }
    long long size = 0;
    if (parser_finish(&c.p, result->sha256, &size)) {
        status = STATUS_FAILURE;
        goto out;
    }
    result->size = size;
    result->errors = c.p.diags.errors;
    status = c.p.diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    parser_free(&c.p);
    free(c.instance);
    return status;
}
