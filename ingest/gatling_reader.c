#include "gatling_reader.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "line_reader.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Epoch milliseconds above this do not fit t_ns (they are past 2262). */
#define MAX_EPOCH_MS (INT64_MAX / 1000000)
/* A string of a binary log longer than this is taken for damage. */
#define MAX_STRING_BYTES ((int32_t)1 << 20)
/* Groups a request may be nested in, and scenarios and assertions a run
 * may declare, in a binary log: more is taken for damage. */
#define MAX_GROUP_DEPTH 1024
#define MAX_SCENARIOS 1000000
#define MAX_ASSERTIONS 1000000
/* What joins a request's groups and its name into its label. */
#define LABEL_SEPARATOR " / "

/* ---- What both layouts share: users, labels, the sink ---- */

/* Times in epoch ms, sorted once the first pass has collected them. */
typedef struct time_list {
    int64_t *at;
    size_t count, cap;
} time_list;

static void time_list_add(time_list *l, int64_t t)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->at = xreallocarray(l->at, l->cap, sizeof *l->at);
    }
    l->at[l->count++] = t;
}

static int compare_times(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* How many times of the sorted list are <= t. */
static size_t count_until(const time_list *l, int64_t t)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One pass over the file, of either layout. */
typedef struct scan {
    const char *path;
    diag_file diags;        /* this file's diagnostics, capped */
    const load_sink *sink;  /* NULL in the first pass, which only checks */
    bool failed;            /* the sink or the disk failed: stop */
    time_list starts, ends; /* USER start and end times, from the first pass */
    long long requests;     /* REQUEST records seen in this pass */
    char *label;            /* the label being built: groups and name */
    size_t label_len, label_cap;
} scan;

static void label_append(scan *s, const char *text, size_t len)
{
    if (s->label_len + len + 1 > s->label_cap) {
        s->label_cap = 2 * (s->label_len + len + 1);
        s->label = xrealloc(s->label, s->label_cap);
    }
    memcpy(s->label + s->label_len, text, len);
    s->label_len += len;
}

/* Users active at t: those started at or before t and not ended by then.
 * Never below 0, even in a file with more ends than starts. */
static long active_users(const scan *s, int64_t t)
{
    size_t started = count_until(&s->starts, t), ended = count_until(&s->ends, t);
    return started > ended ? (long)(started - ended) : 0;
}

/* Sends the request whose label is in s->label, in the second pass and
 * as long as the file has shown no error. */
static void emit_sample(scan *s, int64_t start_ms, int64_t end_ms, int ok)
{
    if (!s->sink || s->failed || s->diags.errors)
        return;
    load_sample sample = {.t_ns = start_ms * 1000000,
                          .delay_ms = (double)(end_ms - start_ms),
                          .label = s->label_len ? s->label : "",
                          .label_len = s->label_len,
                          .ok = ok,
                          .concurrency = active_users(s, start_ms),
                          .weight = 1,
                          .role = LOAD_SAMPLE};
    if (s->sink->sample(s->sink->ctx, &sample) != STATUS_OK)
        s->failed = true;
}

static void emit_meta(scan *s, const char *key, const char *value, size_t len)
{
    if (!s->sink || s->failed || s->diags.errors)
        return;
    char *copy = xstrndup(value, len);
    if (s->sink->meta(s->sink->ctx, key, copy) != STATUS_OK)
        s->failed = true;
    free(copy);
}

/* The checks a request's times pass in both layouts; what and where
 * describe the request for messages. */
static bool check_duration(scan *s, int64_t start_ms, int64_t end_ms, long line, long col,
                           const char *where)
{
    if (end_ms < start_ms) {
        diag_file_error(&s->diags, line, col,
                        "request ends before it starts: end %lld is %lld ms before start %lld%s",
                        (long long)end_ms, (long long)(start_ms - end_ms), (long long)start_ms,
                        where);
        return false;
    }
    if ((double)(end_ms - start_ms) > LOAD_MAX_DELAY_MS) {
        diag_file_error(&s->diags, line, col,
                        "request of %lld ms is longer than the maximum of %.0f ms%s",
                        (long long)(end_ms - start_ms), LOAD_MAX_DELAY_MS, where);
        return false;
    }
    return true;
}

/* ---- Text layouts (Gatling 2.0 to 3.12) ---- */

/* Where a text layout keeps what p3 reads: 0-based field numbers. */
typedef struct layout {
    const char *versions; /* the Gatling versions that write it */
    int type;           /* the record type */
    int user_fields;    /* fields a USER record has at least */
    int user_event;     /* START or END */
    int user_start;     /* the time of a START */
    int user_end;       /* the time of an END */
    int request_fields; /* fields a REQUEST record has at least (the message may be missing) */
    int groups, name, start, end, status;
} layout;

/* 2.0-2.1: scenario userId TYPE ...; REQUEST has four times, the delay is
 * from the request's start to the response's end. USER START has its
 * time in field 5, USER END in field 6. */
static const layout layout_2_0 = {"2.0-2.1", 2, 6, 3, 4, 5, 10, 3, 4, 5, 8, 9};
/* 2.2-2.3: TYPE scenario userId ... */
static const layout layout_2_2 = {"2.2-2.3", 0, 6, 3, 4, 5, 8, 3, 4, 5, 6, 7};
/* 3.0-3.3: REQUEST userId groups name start end status message. */
static const layout layout_3_0 = {"3.0-3.3", 0, 6, 3, 4, 5, 7, 2, 3, 4, 5, 6};
/* 3.4-3.12: no userId; USER scenario START|END time. */
static const layout layout_3_4 = {"3.4-3.12", 0, 4, 2, 3, 3, 6, 1, 2, 3, 4, 5};

/* The tab-separated fields of a line: the first MAX_FIELDS and the last. */
#define MAX_FIELDS 12
typedef struct fields {
    size_t count; /* every field of the line */
    const char *text[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    long col[MAX_FIELDS]; /* 1-based column of the first byte */
    const char *last;     /* the last field */
    size_t last_len;
    long last_col;
} fields;

static void split_fields(const char *line, size_t len, fields *f)
{
    f->count = 0;
    size_t i = 0;
    for (;;) {
        const char *tab = memchr(line + i, '\t', len - i);
        size_t end = tab ? (size_t)(tab - line) : len;
        if (f->count < MAX_FIELDS) {
            f->text[f->count] = line + i;
            f->len[f->count] = end - i;
            f->col[f->count] = (long)i + 1;
        }
        f->last = line + i;
        f->last_len = end - i;
        f->last_col = (long)i + 1;
        f->count++;
        if (!tab)
            return;
        i = end + 1;
    }
}

static bool field_is(const fields *f, int i, const char *word)
{
    return (size_t)i < f->count && (size_t)i < MAX_FIELDS && f->len[i] == strlen(word) &&
           memcmp(f->text[i], word, f->len[i]) == 0;
}


/* Field i as epoch milliseconds (what names it in messages). */
static bool parse_ms(scan *s, const fields *f, int i, long line, const char *what, int64_t *out)
{
    char quoted[80];
    const char *text = f->text[i];
    size_t len = f->len[i];
    if (!text_all_digits(text, len) || len > 19) {
        diag_file_error(&s->diags, line, f->col[i],
                        "bad %s %s: expected milliseconds since the epoch", what,
                        diag_quote(quoted, sizeof quoted, text, len));
        return false;
    }
    uint64_t v = 0;
    for (size_t k = 0; k < len; k++)
        v = 10 * v + (uint64_t)(text[k] - '0');
    if (v > (uint64_t)MAX_EPOCH_MS) {
        diag_file_error(&s->diags, line, f->col[i], "%s %s is out of range: past the year 2262",
                        what, diag_quote(quoted, sizeof quoted, text, len));
        return false;
    }
    *out = (int64_t)v;
    return true;
}

/* "3.10.5" -> 3, 10. */
static bool parse_version(const char *s, size_t len, int *major, int *minor)
{
    size_t i = 0;
    long parts[2] = {0, 0};
    for (int p = 0; p < 2; p++) {
        size_t begin = i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - begin < 6)
            parts[p] = 10 * parts[p] + (s[i++] - '0');
        if (i == begin || (p == 0 && (i >= len || s[i++] != '.')))
            return false;
    }
    if (i < len && s[i] != '.' && s[i] != '-')
        return false;
    *major = (int)parts[0];
    *minor = (int)parts[1];
    return true;
}

typedef struct text_scan {
    scan *s;
    const layout *layout; /* from the RUN record; NULL before it */
    long run_line;        /* where the RUN record is */
    bool stop;            /* the file cannot be read on */
} text_scan;

/* The RUN record tells the layout. */
static void read_run(text_scan *t, const fields *f, long line, const char *text, size_t len)
{
    scan *s = t->s;
    char quoted[80];
    int class_field, start_field, description_field;
    if (field_is(f, 0, "RUN")) {
        if (f->count < 6) {
            diag_file_error(&s->diags, line, (long)len + 1,
                            "RUN record has %zu fields, expected at least 6", f->count);
            t->stop = true;
            return;
        }
        class_field = 1;
        if (f->count >= 7 && f->last_len == 3 && memcmp(f->last, "2.0", 3) == 0) {
            /* 2.2 and 2.3 still write 2.0 as their version. */
            t->layout = &layout_2_2;
            start_field = 4;
            description_field = 5;
        } else {
            int major, minor;
            if (!parse_version(f->last, f->last_len, &major, &minor) || major != 3) {
                diag_file_error(&s->diags, line, f->last_col,
                                "unsupported Gatling version %s in the RUN record: p3 reads the "
                                "text logs of Gatling 2.0 to 3.12 and the binary logs of 3.13 on",
                                diag_quote(quoted, sizeof quoted, f->last, f->last_len));
                t->stop = true;
                return;
            }
            t->layout = minor < 4 ? &layout_3_0 : &layout_3_4;
            start_field = 3;
            description_field = 4;
        }
    } else if (field_is(f, 2, "RUN")) {
        if (f->count < 6) {
            diag_file_error(&s->diags, line, (long)len + 1,
                            "RUN record has %zu fields, expected at least 6", f->count);
            t->stop = true;
            return;
        }
        t->layout = &layout_2_0;
        class_field = 0;
        start_field = 3;
        description_field = 4;
    } else {
        diag_file_error(&s->diags, line, 1,
                        "expected the RUN record a Gatling simulation.log starts with, found %s",
                        diag_quote(quoted, sizeof quoted, text, len));
        t->stop = true;
        return;
    }
    t->run_line = line;
    int64_t start;
    parse_ms(s, f, start_field, line, "run start", &start);
    emit_meta(s, "gatling_version", f->last, f->last_len);
    char layout_name[32];
    int n = snprintf(layout_name, sizeof layout_name, "text %s", t->layout->versions);
    emit_meta(s, "gatling_layout", layout_name, (size_t)n);
    emit_meta(s, "simulation", f->text[class_field], f->len[class_field]);
    /* The description runs up to the version (it is not sanitized of tabs). */
    const char *d = f->text[description_field];
    size_t d_len = (size_t)(f->last - d);
    d_len = d_len ? d_len - 1 : 0;
    text_trim(&d, &d_len);
    if (d_len)
        emit_meta(s, "description", d, d_len);
}

static void read_user(text_scan *t, const fields *f, long line, size_t len)
{
    scan *s = t->s;
    const layout *l = t->layout;
    char quoted[80];
    if (f->count < (size_t)l->user_fields) {
        diag_file_error(&s->diags, line, (long)len + 1,
                        "USER record has %zu fields, expected at least %d (Gatling %s layout)",
                        f->count, l->user_fields, l->versions);
        return;
    }
    bool start = field_is(f, l->user_event, "START");
    if (!start && !field_is(f, l->user_event, "END")) {
        diag_file_error(&s->diags, line, f->col[l->user_event],
                        "bad USER event %s: expected START or END",
                        diag_quote(quoted, sizeof quoted, f->text[l->user_event],
                                   f->len[l->user_event]));
        return;
    }
    int64_t at;
    if (!parse_ms(s, f, start ? l->user_start : l->user_end, line, "user time", &at))
        return;
    if (!s->sink)
        time_list_add(start ? &s->starts : &s->ends, at);
}

/* Builds the label `group / ... / name`, checking that it is UTF-8. */
static bool text_label(scan *s, const fields *f, const layout *l, long line)
{
    static const char *const what[] = {"group", "name"};
    const int which[] = {l->groups, l->name};
    for (int k = 0; k < 2; k++) {
        size_t bad = text_utf8_invalid_at(f->text[which[k]], f->len[which[k]]);
        if (bad < f->len[which[k]]) {
            diag_file_error(&s->diags, line, f->col[which[k]] + (long)bad,
                            "invalid UTF-8 byte 0x%02X in the request's %s: Gatling writes "
                            "UTF-8 unless its charset is changed",
                            (unsigned char)f->text[which[k]][bad], what[k]);
            return false;
        }
    }
    s->label_len = 0;
    const char *g = f->text[l->groups];
    size_t g_len = f->len[l->groups];
    while (g_len > 0) {
        /* Gatling writes the groups comma-separated, commas in names made spaces. */
        const char *comma = memchr(g, ',', g_len);
        size_t part = comma ? (size_t)(comma - g) : g_len;
        label_append(s, g, part);
        label_append(s, LABEL_SEPARATOR, strlen(LABEL_SEPARATOR));
        g_len -= comma ? part + 1 : part;
        g += comma ? part + 1 : part;
    }
    label_append(s, f->text[l->name], f->len[l->name]);
    return true;
}

static void read_request(text_scan *t, const fields *f, long line, size_t len)
{
    scan *s = t->s;
    const layout *l = t->layout;
    char quoted[80];
    s->requests++;
    if (f->count < (size_t)l->request_fields) {
        diag_file_error(&s->diags, line, (long)len + 1,
                        "REQUEST record has %zu fields, expected at least %d (Gatling %s layout)",
                        f->count, l->request_fields, l->versions);
        return;
    }
    int64_t start, end;
    bool good = parse_ms(s, f, l->start, line, "start time", &start);
    good = parse_ms(s, f, l->end, line, "end time", &end) && good;
    int ok = field_is(f, l->status, "OK") ? 1 : field_is(f, l->status, "KO") ? 0 : -1;
    if (ok < 0) {
        diag_file_error(&s->diags, line, f->col[l->status], "bad status %s: expected OK or KO",
                        diag_quote(quoted, sizeof quoted, f->text[l->status], f->len[l->status]));
        good = false;
    }
    if (good && check_duration(s, start, end, line, f->col[l->end], "") &&
        text_label(s, f, l, line))
        emit_sample(s, start, end, ok);
}

static void read_line(text_scan *t, const char *line, size_t len, long number)
{
    scan *s = t->s;
    char quoted[80];
    if (len == 0)
        return;
    fields f;
    split_fields(line, len, &f);
    if (field_is(&f, 0, "ASSERTION"))
        return; /* base64 of a pickled assertion: not about requests */
    if (!t->layout) {
        read_run(t, &f, number, line, len);
        return;
    }
    int type = t->layout->type;
    if (f.count <= (size_t)type) {
        diag_file_error(&s->diags, number, (long)len + 1,
                        "record has %zu fields: its type should be in field %d", f.count,
                        type + 1);
    } else if (field_is(&f, type, "REQUEST")) {
        read_request(t, &f, number, len);
    } else if (field_is(&f, type, "USER")) {
        read_user(t, &f, number, len);
    } else if (field_is(&f, type, "GROUP") || field_is(&f, type, "ERROR")) {
        /* Group totals and error counts: not requests. (2.2-2.3 write
         * their ERROR records as GROUP.) */
    } else if (field_is(&f, type, "RUN")) {
        diag_file_error(&s->diags, number, f.col[type],
                        "second RUN record (the first is on line %ld): a simulation.log holds "
                        "one run",
                        t->run_line);
    } else {
        diag_file_error(&s->diags, number, f.col[type],
                        "unknown record type %s: expected RUN, USER, REQUEST, GROUP, ERROR or "
                        "ASSERTION",
                        diag_quote(quoted, sizeof quoted, f.text[type], f.len[type]));
    }
}

/* One pass over a text log; the second (s->sink set) also fills the
 * digest when sha256_hex is given and the file has no error. */
static int text_pass(scan *s, char sha256_hex[65], long long *size)
{
    line_reader *lines = NULL;
    text_scan t = {.s = s};
    const char *line;
    size_t len;
    line_status ls;
    int status = line_reader_open(s->path, NULL, &lines, s->diags.list);
    if (status)
        goto out;
    while (!t.stop && (ls = line_reader_next(lines, &line, &len)) != LINE_EOF) {
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            goto out;
        }
        long number = line_reader_line(lines);
        if (ls == LINE_TOO_LONG)
            diag_file_error(&s->diags, number, (long)LINE_READER_MAX_LINE + 1,
                            "line longer than 1 MiB");
        else
            read_line(&t, line, len, number);
        if (s->failed) {
            status = STATUS_FAILURE;
            goto out;
        }
    }
    if (line_reader_line(lines) == 0)
        diag_file_error(&s->diags, 1, 1,
                        "empty file: a Gatling simulation.log starts with a RUN record");
    else if (!t.layout && !t.stop)
        diag_file_error(&s->diags, 0, 0,
                        "no RUN record: a Gatling simulation.log has one after its ASSERTION "
                        "lines");
    if (sha256_hex && s->diags.errors == 0) {
        uint64_t bytes = 0;
        status = line_reader_digest(lines, sha256_hex, &bytes, s->diags.list);
        *size = (long long)bytes;
    }
out:
    line_reader_free(lines);
    return status;
}

/* ---- Binary layout (Gatling 3.13 on) ---- */

/* A string of the file's cache, as UTF-8. */
typedef struct cached_string {
    char *text;
    size_t len;
} cached_string;

typedef struct bin_scan {
    scan *s;
    gzFile gz;
    uint64_t offset;          /* bytes read so far (of the decompressed data) */
    uint64_t record_at;       /* where the current record starts */
    const char *record;       /* its type, for messages */
    bool broken;              /* the structure is lost: stop reading */
    int64_t run_start;        /* epoch ms the times count from */
    int32_t scenarios;        /* scenarios the RUN record declares */
    cached_string *strings;   /* the cache: index i + 1 at [i] */
    size_t string_count, string_cap;
    unsigned char *raw;       /* a string's bytes as stored */
    size_t raw_cap;
    char *text;               /* the last string read, as UTF-8 */
    size_t text_len, text_cap;
} bin_scan;

/* Reports why gzread() gave less than asked at offset `at`. */
static void bin_read_failed(bin_scan *b, int got, uint64_t at)
{
    int code = Z_OK;
    const char *message = gzerror(b->gz, &code);
    if (got < 0 && code == Z_ERRNO) {
        diag_add(b->s->diags.list, DIAG_ERROR, b->s->path, 0, 0, "cannot read: %s",
                 strerror(errno));
        b->s->failed = true;
        b->broken = true;
    } else if (got < 0) {
        diag_file_error(&b->s->diags, 0, 0, "cannot decompress: %s, at byte %llu", message,
                        (unsigned long long)at);
        b->broken = true;
    } else {
        diag_file_error(&b->s->diags, 0, 0,
                        "truncated file: it ends at byte %llu, inside the %s record that "
                        "starts at byte %llu",
                        (unsigned long long)at, b->record, (unsigned long long)b->record_at);
        b->broken = true;
    }
}

static bool bin_read(bin_scan *b, void *to, size_t n)
{
    if (b->broken)
        return false;
    size_t done = 0;
    while (done < n) {
        size_t want = n - done > (1u << 30) ? (1u << 30) : n - done;
        int got = gzread(b->gz, (unsigned char *)to + done, (unsigned)want);
        if (got <= 0) {
            bin_read_failed(b, got, b->offset + done);
            return false;
        }
        done += (size_t)got;
    }
    b->offset += n;
    return true;
}

static bool bin_skip(bin_scan *b, uint64_t n)
{
    unsigned char scratch[4096];
    while (n > 0) {
        size_t part = n > sizeof scratch ? sizeof scratch : (size_t)n;
        if (!bin_read(b, scratch, part))
            return false;
        n -= part;
    }
    return true;
}

static bool bin_u8(bin_scan *b, unsigned char *v)
{
    return bin_read(b, v, 1);
}

static bool bin_i32(bin_scan *b, int32_t *v)
{
    unsigned char x[4];
    if (!bin_read(b, x, 4))
        return false;
    uint32_t u = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
    *v = u <= INT32_MAX ? (int32_t)u : -(int32_t)(UINT32_MAX - u) - 1;
    return true;
}

static bool bin_i64(bin_scan *b, int64_t *v)
{
    unsigned char x[8];
    if (!bin_read(b, x, 8))
        return false;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | x[i];
    *v = u <= INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
    return true;
}

/* Java's boolean: 1 true, 0 false. */
static bool bin_bool(bin_scan *b, bool *v)
{
    uint64_t at = b->offset;
    unsigned char c;
    if (!bin_u8(b, &c))
        return false;
    if (c > 1) {
        diag_file_error(&b->s->diags, 0, 0, "bad boolean 0x%02X at byte %llu: expected 0 or 1",
                        c, (unsigned long long)at);
        b->broken = true;
        return false;
    }
    *v = c == 1;
    return true;
}

static void text_put(bin_scan *b, const char *bytes, size_t n)
{
    if (b->text_len + n + 1 > b->text_cap) {
        b->text_cap = 2 * (b->text_len + n + 1);
        b->text = xrealloc(b->text, b->text_cap);
    }
    memcpy(b->text + b->text_len, bytes, n);
    b->text_len += n;
}

static void text_put_code_point(bin_scan *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | c >> 6);
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | c >> 12);
        u[1] = (char)(0x80 | (c >> 6 & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | c >> 18);
        u[1] = (char)(0x80 | (c >> 12 & 0x3F));
        u[2] = (char)(0x80 | (c >> 6 & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    text_put(b, u, n);
}

/* Java's String.value in UTF-16, in the byte order of the JVM that wrote
 * it: little-endian, as on x86-64 and AArch64. A lone surrogate (Java
 * allows them) becomes U+FFFD. */
static void utf16_to_text(bin_scan *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
            uint32_t v = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8;
            if (v >= 0xDC00 && v < 0xE000) {
                text_put_code_point(b, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
                i += 2;
                continue;
            }
        }
        text_put_code_point(b, u >= 0xD800 && u < 0xE000 ? 0xFFFD : u);
    }
}

/* A `string`: int32 length, String.value, coder (0 Latin-1, 1 UTF-16);
 * into b->text as UTF-8, with tabs and line ends made spaces as Gatling's
 * own reader does. */
static bool bin_string(bin_scan *b, const char *what)
{
    uint64_t at = b->offset;
    int32_t n;
    b->text_len = 0;
    if (!bin_i32(b, &n))
        return false;
    if (n < 0 || n > MAX_STRING_BYTES) {
        diag_file_error(&b->s->diags, 0, 0,
                        "bad length %ld of the %s at byte %llu: expected 0 to %ld bytes", (long)n,
                        what, (unsigned long long)at, (long)MAX_STRING_BYTES);
        b->broken = true;
        return false;
    }
    if (n == 0)
        return true;
    if ((size_t)n > b->raw_cap) {
        b->raw_cap = (size_t)n;
        b->raw = xrealloc(b->raw, b->raw_cap);
    }
    unsigned char coder;
    if (!bin_read(b, b->raw, (size_t)n))
        return false;
    uint64_t coder_at = b->offset;
    if (!bin_u8(b, &coder))
        return false;
    if (coder == 0) {
        for (int32_t i = 0; i < n; i++)
            text_put_code_point(b, b->raw[i]);
    } else if (coder == 1 && n % 2 == 0) {
        utf16_to_text(b, b->raw, (size_t)n);
    } else if (coder == 1) {
        diag_file_error(&b->s->diags, 0, 0,
                        "UTF-16 %s of odd length %ld at byte %llu", what, (long)n,
                        (unsigned long long)at);
        b->broken = true;
        return false;
    } else {
        diag_file_error(&b->s->diags, 0, 0,
                        "bad string coder 0x%02X of the %s at byte %llu: expected 0 (Latin-1) "
                        "or 1 (UTF-16)",
                        coder, what, (unsigned long long)coder_at);
        b->broken = true;
        return false;
    }
    for (size_t i = 0; i < b->text_len; i++)
        if (b->text[i] == '\t' || b->text[i] == '\r' || b->text[i] == '\n')
            b->text[i] = ' ';
    return true;
}

/* A `cachedString`: int32 index; >= 0: a string follows, cached under the
 * index (the writer numbers them 1, 2, 3...); < 0: the string cached under
 * -index. Sets *out to the cached copy (valid until the scan ends). */
static bool bin_cached(bin_scan *b, const char *what, const cached_string **out)
{
    uint64_t at = b->offset;
    int32_t index;
    if (!bin_i32(b, &index))
        return false;
    if (index >= 0) {
        if ((size_t)index != b->string_count + 1) {
            diag_file_error(&b->s->diags, 0, 0,
                            "string cache index %ld of the %s at byte %llu is out of sequence: "
                            "expected %zu",
                            (long)index, what, (unsigned long long)at, b->string_count + 1);
            b->broken = true;
            return false;
        }
        if (!bin_string(b, what))
            return false;
        if (b->string_count == b->string_cap) {
            b->string_cap = b->string_cap ? 2 * b->string_cap : 64;
            b->strings = xreallocarray(b->strings, b->string_cap, sizeof *b->strings);
        }
        cached_string *c = &b->strings[b->string_count++];
        c->text = xstrndup(b->text_len ? b->text : "", b->text_len);
        c->len = b->text_len;
        *out = c;
        return true;
    }
    if (index == INT32_MIN || (size_t)(-(int64_t)index) > b->string_count) {
        diag_file_error(&b->s->diags, 0, 0,
                        "the %s at byte %llu refers to cached string %lld, which is not "
                        "defined before",
                        what, (unsigned long long)at, -(long long)index);
        b->broken = true;
        return false;
    }
    *out = &b->strings[-(int64_t)index - 1];
    return true;
}

static void bin_run(bin_scan *b)
{
    scan *s = b->s;
    char *version = NULL, *simulation = NULL;
    if (!bin_string(b, "Gatling version"))
        goto out;
    version = xstrndup(b->text_len ? b->text : "", b->text_len);
    if (!bin_string(b, "simulation class"))
        goto out;
    simulation = xstrndup(b->text_len ? b->text : "", b->text_len);
    uint64_t at = b->offset;
    if (!bin_i64(b, &b->run_start))
        goto out;
    if (b->run_start < 0 || b->run_start > MAX_EPOCH_MS - INT32_MAX) {
        diag_file_error(&s->diags, 0, 0, "bad run start %lld at byte %llu: expected epoch ms",
                        (long long)b->run_start, (unsigned long long)at);
        b->run_start = 0;
    }
    emit_meta(s, "gatling_version", version, strlen(version));
    emit_meta(s, "gatling_layout", "binary 3.13+", strlen("binary 3.13+"));
    emit_meta(s, "simulation", simulation, strlen(simulation));
    if (!bin_string(b, "run description"))
        goto out;
    const char *d = b->text;
    size_t d_len = b->text_len;
    text_trim(&d, &d_len);
    if (d_len)
        emit_meta(s, "description", d, d_len);
    at = b->offset;
    if (!bin_i32(b, &b->scenarios))
        goto out;
    if (b->scenarios < 0 || b->scenarios > MAX_SCENARIOS) {
        diag_file_error(&s->diags, 0, 0, "bad scenario count %ld at byte %llu",
                        (long)b->scenarios, (unsigned long long)at);
        b->broken = true;
        goto out;
    }
    for (int32_t i = 0; i < b->scenarios; i++)
        if (!bin_string(b, "scenario name"))
            goto out;
    int32_t assertions;
    at = b->offset;
    if (!bin_i32(b, &assertions))
        goto out;
    if (assertions < 0 || assertions > MAX_ASSERTIONS) {
        diag_file_error(&s->diags, 0, 0, "bad assertion count %ld at byte %llu", (long)assertions,
                        (unsigned long long)at);
        b->broken = true;
        goto out;
    }
    for (int32_t i = 0; i < assertions; i++) {
        int32_t n;
        at = b->offset;
        if (!bin_i32(b, &n))
            goto out;
        if (n < 0) {
            diag_file_error(&s->diags, 0, 0, "bad assertion length %ld at byte %llu", (long)n,
                            (unsigned long long)at);
            b->broken = true;
            goto out;
        }
        if (!bin_skip(b, (uint64_t)n))
            goto out;
    }
out:
    free(version);
    free(simulation);
}

static void bin_user(bin_scan *b)
{
    scan *s = b->s;
    uint64_t at = b->offset;
    int32_t scenario, offset;
    bool start;
    if (!bin_i32(b, &scenario) || !bin_bool(b, &start) || !bin_i32(b, &offset))
        return;
    if (scenario < 0 || scenario >= b->scenarios) {
        diag_file_error(&s->diags, 0, 0,
                        "USER record names scenario %ld at byte %llu, but the run declares %ld",
                        (long)scenario, (unsigned long long)at, (long)b->scenarios);
        return;
    }
    if (!s->sink)
        time_list_add(start ? &s->starts : &s->ends, b->run_start + offset);
}

/* The groups a REQUEST or GROUP record is in; with label, each is added
 * to s->label followed by the separator. */
static bool bin_groups(bin_scan *b, bool label)
{
    uint64_t at = b->offset;
    int32_t n;
    if (!bin_i32(b, &n))
        return false;
    if (n < 0 || n > MAX_GROUP_DEPTH) {
        diag_file_error(&b->s->diags, 0, 0, "bad group count %ld at byte %llu", (long)n,
                        (unsigned long long)at);
        b->broken = true;
        return false;
    }
    for (int32_t i = 0; i < n; i++) {
        const cached_string *g;
        if (!bin_cached(b, "group name", &g))
            return false;
        if (label) {
            label_append(b->s, g->text, g->len);
            label_append(b->s, LABEL_SEPARATOR, strlen(LABEL_SEPARATOR));
        }
    }
    return true;
}

static void bin_request(bin_scan *b)
{
    scan *s = b->s;
    const cached_string *name, *message;
    int32_t start, end;
    bool ok;
    s->label_len = 0;
    if (!bin_groups(b, true) || !bin_cached(b, "request name", &name))
        return;
    label_append(s, name->text, name->len);
    uint64_t end_at = b->offset + 4;
    if (!bin_i32(b, &start) || !bin_i32(b, &end) || !bin_bool(b, &ok) ||
        !bin_cached(b, "message", &message))
        return;
    s->requests++;
    char where[64];
    snprintf(where, sizeof where, ", at byte %llu", (unsigned long long)end_at);
    int64_t start_ms = b->run_start + start, end_ms = b->run_start + end;
    if (check_duration(s, start_ms, end_ms, 0, 0, where))
        emit_sample(s, start_ms, end_ms, ok ? 1 : 0);
}

static void bin_group(bin_scan *b)
{
    int32_t start, end, cumulated;
    bool ok;
    if (bin_groups(b, false) && bin_i32(b, &start) && bin_i32(b, &end) &&
        bin_i32(b, &cumulated))
        bin_bool(b, &ok);
}

static void bin_error(bin_scan *b)
{
    const cached_string *message;
    int32_t at;
    if (bin_cached(b, "error message", &message))
        bin_i32(b, &at);
}

/* One pass over a binary log. */
static int binary_pass(scan *s)
{
    static const char *const names[] = {"RUN", "REQUEST", "USER", "GROUP", "ERROR"};
    bin_scan b = {.s = s};
    int status = STATUS_OK;
    b.gz = gzopen(s->path, "rb");
    if (!b.gz) {
        diag_add(s->diags.list, DIAG_ERROR, s->path, 0, 0, "cannot open: %s", strerror(errno));
        return STATUS_BAD_INPUT;
    }
    gzbuffer(b.gz, 1 << 17);
    for (bool first = true; !b.broken && !s->failed; first = false) {
        uint64_t at = b.offset;
        unsigned char type;
        int got = gzread(b.gz, &type, 1);
        if (got <= 0) {
            int code = Z_OK;
            gzerror(b.gz, &code);
            if (got < 0 || code == Z_BUF_ERROR) {
                b.record = "next";
                b.record_at = at;
                if (got == 0)
                    diag_file_error(&s->diags, 0, 0,
                                    "truncated gzip stream: it ends at byte %llu of the data",
                                    (unsigned long long)at);
                else
                    bin_read_failed(&b, got, at);
            }
            break;
        }
        b.offset++;
        b.record_at = at;
        b.record = type < 5 ? names[type] : "unknown";
        if (first != (type == 0)) {
            diag_file_error(&s->diags, 0, 0,
                            first ? "the file does not start with a RUN record: found type "
                                    "0x%02X at byte %llu"
                                  : "unexpected second RUN record (type 0x%02X) at byte %llu: a "
                                    "simulation.log holds one run",
                            type, (unsigned long long)at);
            break;
        }
        switch (type) {
        case 0:
            bin_run(&b);
            break;
        case 1:
            bin_request(&b);
            break;
        case 2:
            bin_user(&b);
            break;
        case 3:
            bin_group(&b);
            break;
        case 4:
            bin_error(&b);
            break;
        default:
            diag_file_error(&s->diags, 0, 0,
                            "unknown record type 0x%02X at byte %llu: expected 0 (RUN) to 4 "
                            "(ERROR)",
                            type, (unsigned long long)at);
            b.broken = true;
        }
    }
    if (s->failed)
        status = STATUS_FAILURE;
    gzclose(b.gz);
    for (size_t i = 0; i < b.string_count; i++)
        free(b.strings[i].text);
    free(b.strings);
    free(b.raw);
    free(b.text);
    return status;
}

/* ---- The format ---- */

/* The first byte of the file (decompressed), or -1. */
static int first_byte(const char *path)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return -1;
    unsigned char c;
    int n = gzread(gz, &c, 1);
    gzclose(gz);
    return n == 1 ? c : -1;
}

/* Binary: the RUN record's type 0, then the version as a Latin-1 string
 * ("3.14.3"): int32 length, the characters, coder 0. */
static bool sniff_binary(const unsigned char *h, size_t len)
{
    if (len < 7 || h[0] != 0)
        return false;
    uint32_t n = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
    if (n == 0 || n > 64 || len < 6 + (size_t)n || h[5] < '0' || h[5] > '9')
        return false;
    for (size_t i = 5; i < 5 + n; i++) {
        unsigned char c = h[i];
        bool word = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!word && c != '.' && c != '-' && c != '_' && c != '+')
            return false;
    }
    return h[5 + n] == 0;
}

/* Whether the line (up to the end of the head) is a text RUN record of
 * some layout: `RUN<TAB>class<TAB>...` with the start time in field 4 or 5,
 * or `class<TAB>simId<TAB>RUN<TAB>start` (2.0). cut: the head ends inside it. */
static bool sniff_run_line(const char *line, size_t len, bool cut)
{
    fields f;
    split_fields(line, len, &f);
    if (field_is(&f, 0, "RUN")) {
        if (cut && f.count < 6)
            return true; /* the time is past the head: the prefix will do */
        return f.count >= 6 && (text_all_digits(f.text[3], f.len[3]) || text_all_digits(f.text[4], f.len[4]));
    }
    return f.count >= 4 && field_is(&f, 2, "RUN") && text_all_digits(f.text[3], f.len[3]);
}

static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    if (sniff_binary((const unsigned char *)head, len))
        return true;
    bool assertions = false;
    size_t i = 0;
    while (i < len) {
        const char *line = head + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += nl ? n + 1 : n;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n >= 10 && memcmp(line, "ASSERTION\t", 10) == 0) {
            assertions = true;
            continue;
        }
        return sniff_run_line(line, n, nl == NULL);
    }
    return assertions; /* the RUN record is past the head */
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    (void)opts;
    scan s = {.path = path, .diags = {.list = diags, .path = path}};
    bool binary = first_byte(path) == 0;
    int status = binary ? binary_pass(&s) : text_pass(&s, NULL, NULL);
    if (status == STATUS_OK && s.diags.errors == 0) {
        if (s.requests == 0)
            diag_file_warning(&s.diags, 0, 0, "no REQUEST records: the run made no requests");
        if (s.starts.count > 1)
            qsort(s.starts.at, s.starts.count, sizeof *s.starts.at, compare_times);
        if (s.ends.count > 1)
            qsort(s.ends.at, s.ends.count, sizeof *s.ends.at, compare_times);
        s.sink = sink;
        s.requests = 0;
        /* The binary layout leaves the digest to the caller. */
        status = binary ? binary_pass(&s) : text_pass(&s, sha256_hex, size);
    }
    if (status == STATUS_OK && s.failed)
        status = STATUS_FAILURE;
    if (status == STATUS_OK && s.diags.errors)
        status = STATUS_BAD_INPUT;
    diag_file_finish(&s.diags);
    free(s.starts.at);
    free(s.ends.at);
    free(s.label);
    return status;
}

const load_format gatling_format = {"gatling", sniff, read_file};
