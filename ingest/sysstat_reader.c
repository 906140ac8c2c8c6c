#include "sysstat_reader.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "counter_value.h"
#include "decimal.h"
#include "isotime.h"
#include "line_reader.h"
#include "sha256.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Marks a NULL part of a counter's identity: control bytes never reach
 * the identities, since lines holding them are rejected. */
#define KEY_NONE "\x02"
/* Separates the parts of an identity. */
#define KEY_SEP '\x1f'

/* ---- A hash map from text to pointers --------------------------------- */

/* Open addressing with linear probing; the map owns its keys, the values
 * are the caller's. */
typedef struct strmap {
    char **keys;     /* capacity slots, NULL when free */
    void **values;   /* the value of each used slot */
    size_t capacity; /* a power of two, or 0 */
    size_t count;    /* slots used */
} strmap;

/* FNV-1a. */
static uint64_t hash_key(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The slot holding key, or the free slot where it would go. */
static size_t strmap_slot(const strmap *m, const char *key)
{
    size_t mask = m->capacity - 1;
    size_t i = (size_t)hash_key(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

static void *strmap_get(const strmap *m, const char *key)
{
    if (!m->capacity)
        return NULL;
    size_t i = strmap_slot(m, key);
    return m->keys[i] ? m->values[i] : NULL;
}

/* Adds key (copied), which is not in the map yet. */
static void strmap_add(strmap *m, const char *key, void *value)
{
    if ((m->count + 1) * 2 > m->capacity) {
        strmap old = *m;
        m->capacity = old.capacity ? 2 * old.capacity : 64;
        m->keys = xcalloc(m->capacity, sizeof *m->keys);
        m->values = xcalloc(m->capacity, sizeof *m->values);
        for (size_t i = 0; i < old.capacity; i++) {
            if (!old.keys[i])
                continue;
            size_t j = strmap_slot(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->values[j] = old.values[i];
        }
        free(old.keys);
        free(old.values);
    }
    size_t i = strmap_slot(m, key);
    m->keys[i] = xstrdup(key);
    m->values[i] = value;
    m->count++;
}

/* Frees the map, and each value with free_value unless it is NULL. */
static void strmap_clear(strmap *m, void (*free_value)(void *))
{
    for (size_t i = 0; i < m->capacity; i++) {
        if (!m->keys[i])
            continue;
        free(m->keys[i]);
        if (free_value)
            free_value(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

/* ---- Counters: declared when they first get a value ------------------- */

/* One instance of a counter object. Strings borrowed. */
typedef struct instance_id {
    const char *machine;  /* the host, or NULL */
    const char *object;   /* "CPU", "Process" */
    const char *parent;   /* the process of a thread, a sensor's device; or NULL */
    const char *instance; /* "all", "eth0", "qemu:web01"; or NULL */
    int index;            /* a process's PID or a thread's TID; -1 when none */
} instance_id;

/* A counter declared to the sink. */
typedef struct counter_entry {
    size_t index;       /* the sink's number for it */
    long long last_row; /* the row it last had a value in; -1 before any */
} counter_entry;

/* The counters of one instance in one layout (a header's columns), so that
 * a line looks its instance up once rather than each of its values. */
typedef struct instance_entry {
    counter_entry **columns; /* by column; NULL until the column has a value */
    size_t count;            /* the layout's columns */
} instance_entry;

/* What happened to a value. */
typedef enum emit_result {
    EMIT_OK,
    EMIT_DUPLICATE, /* its counter already had a value in this row: not given */
    EMIT_FAILED     /* the sink failed */
} emit_result;

/* Where the values go: the sink, and the counters declared so far. */
typedef struct emitter {
    const counter_sink *sink;   /* borrowed */
    strmap counters;  /* a counter's identity -> counter_entry */
    strmap instances; /* a layout's and an instance's identity -> instance_entry */
    long long rows;   /* rows started */
    int64_t row_t;    /* the time of the row being filled */
    char *key;        /* scratch for identities, key_len bytes and a NUL */
    size_t key_len, key_cap;    /* bytes used and allocated */
} emitter;

static void key_append(emitter *e, const char *s, size_t n)
{
    if (e->key_len + n + 2 > e->key_cap) {
        e->key_cap = 2 * (e->key_len + n + 2);
        e->key = xrealloc(e->key, e->key_cap);
    }
    memcpy(e->key + e->key_len, s, n);
    e->key_len += n;
    e->key[e->key_len++] = KEY_SEP;
    e->key[e->key_len] = '\0';
}

static void key_text(emitter *e, const char *s)
{
    if (s)
        key_append(e, s, strlen(s));
    else
        key_append(e, KEY_NONE, 1);
}

static void key_int(emitter *e, long long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", v);
    key_append(e, buf, (size_t)n);
}

static void key_instance(emitter *e, const instance_id *id)
{
    key_text(e, id->machine);
    key_text(e, id->object);
    key_text(e, id->parent);
    key_text(e, id->instance);
    key_int(e, id->index);
}

/* The perfmon-style path of a counter; caller frees. */
static char *path_text(const instance_id *id, const char *counter)
{
    const char *machine = id->machine ? id->machine : "";
    const char *lead = id->machine ? "\\\\" : "";
    if (!id->instance)
        return xasprintf("%s%s\\%s\\%s", lead, machine, id->object, counter);
    char index[24] = "";
    if (id->index >= 0)
        snprintf(index, sizeof index, "#%d", id->index);
    return xasprintf("%s%s\\%s(%s%s%s%s)\\%s", lead, machine, id->object,
                     id->parent ? id->parent : "", id->parent ? "/" : "", id->instance, index,
                     counter);
}

static void free_instance_entry(void *p)
{
    instance_entry *ie = p;
    free(ie->columns);
    free(ie);
}

static void emitter_clear(emitter *e)
{
    strmap_clear(&e->counters, free);
    strmap_clear(&e->instances, free_instance_entry);
    free(e->key);
}

/* The counters of instance id in layout `layout` (of `columns` columns). */
static instance_entry *emitter_instance(emitter *e, size_t layout, const instance_id *id,
                                        size_t columns)
{
    e->key_len = 0;
    key_int(e, (long long)layout);
    key_instance(e, id);
    instance_entry *ie = strmap_get(&e->instances, e->key);
    if (!ie) {
        ie = xcalloc(1, sizeof *ie);
        ie->columns = xcalloc(columns, sizeof *ie->columns);
        ie->count = columns;
        strmap_add(&e->instances, e->key, ie);
    }
    return ie;
}

/* Gives value v to the counter `name` of column `column` of instance ie,
 * declaring the counter when it is new. */
static emit_result emitter_value(emitter *e, instance_entry *ie, const instance_id *id,
                                 size_t column, const char *name, double v)
{
    counter_entry *c = ie->columns[column];
    if (!c) {
        /* Another layout may have declared the same counter. */
        e->key_len = 0;
        key_instance(e, id);
        key_text(e, name);
        c = strmap_get(&e->counters, e->key);
        if (!c) {
            char *path = path_text(id, name);
            counter_path p = {path,         id->machine, id->object, id->parent,
                              id->instance, id->index,   name};
            size_t index;
            int status = e->sink->counter(e->sink->ctx, &p, &index);
            free(path);
            if (status)
                return EMIT_FAILED;
            c = xmalloc(sizeof *c);
            c->index = index;
            c->last_row = -1;
            strmap_add(&e->counters, e->key, c);
        }
        ie->columns[column] = c;
    }
    if (c->last_row == e->rows - 1)
        return EMIT_DUPLICATE;
    c->last_row = e->rows - 1;
    return e->sink->value(e->sink->ctx, c->index, v) ? EMIT_FAILED : EMIT_OK;
}

/* ---- What every reader of this module keeps --------------------------- */

typedef struct reader {
    const char *path;            /* for messages, borrowed */
    const counter_options *opts; /* borrowed; never NULL */
    const char *what;            /* what the file holds, for messages: "pidstat output" */
    diag_file diags;             /* this file's diagnostics, capped */
    emitter out;                 /* where values go */
    counter_file_info info;      /* what sink->file() is given */
    bool file_given;             /* sink->file() was called */
    bool failed;                 /* the sink or a read failed: stop at once */
    bool zone_warned;            /* the warning about times without a zone was given */
    bool zone_seen;              /* info's zone fields are set, from the first time */
    char *description;           /* info.description, owned */
    char *time_zone;             /* info.time_zone, owned */
} reader;

/* What a NULL counter_options means. */
static const counter_options no_options = {0};

static void reader_init(reader *r, const char *path, const counter_options *opts,
                        const counter_sink *sink, const char *kind, const char *what,
                        diag_list *diags)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->opts = opts ? opts : &no_options;
    r->what = what;
    r->diags = (diag_file){.list = diags, .path = path};
    r->out.sink = sink;
    r->info.kind = kind;
    r->info.encoding = "UTF-8";
}

static void reader_clear(reader *r)
{
    emitter_clear(&r->out);
    free(r->description);
    free(r->time_zone);
}

/* Whether values still go to the sink: not after the first error. */
static bool emitting(const reader *r)
{
    return r->diags.errors == 0 && !r->failed;
}

/* Calls sink->file() unless done; false when the sink failed. */
static bool give_file(reader *r)
{
    if (r->file_given)
        return true;
    r->file_given = true;
    r->info.description = r->description;
    r->info.time_zone = r->time_zone;
    if (r->out.sink->file(r->out.sink->ctx, &r->info)) {
        r->failed = true;
        return false;
    }
    return true;
}

/* Starts a row at t unless the current one is at t already. */
static void give_row(reader *r, int64_t t, const char *local_time)
{
    if (!emitting(r) || (r->out.rows > 0 && r->out.row_t == t))
        return;
    if (!give_file(r))
        return;
    r->out.rows++;
    r->out.row_t = t;
    if (r->out.sink->row(r->out.sink->ctx, t, local_time))
        r->failed = true;
}

/* Gives a value of the current row; a second value of the same counter in
 * one row is an error at (line, col). */
static void give_value(reader *r, instance_entry *ie, const instance_id *id, size_t column,
                       const char *name, double v, long line, long col)
{
    if (!emitting(r))
        return;
    emit_result res = emitter_value(&r->out, ie, id, column, name, v);
    if (res == EMIT_FAILED) {
        r->failed = true;
    } else if (res == EMIT_DUPLICATE) {
        char *path = path_text(id, name);
        char quoted[200];
        diag_file_error(&r->diags, line, col, "second value of %s at the same time",
                        diag_quote(quoted, sizeof quoted, path, strlen(path)));
        free(path);
    }
}

/* The time zone warning, once per file. */
static void warn_zone(reader *r, long line, long col, const char *zone, size_t zone_len)
{
    if (r->zone_warned)
        return;
    r->zone_warned = true;
    if (zone_len) {
        char quoted[80];
        diag_file_warning(&r->diags, line, col,
                          "times are in time zone %s, which p3 cannot convert: read as UTC; "
                          "give --tz or 'tz' in run.ini",
                          diag_quote(quoted, sizeof quoted, zone, zone_len));
    } else {
        diag_file_warning(&r->diags, line, col,
                          "times name no time zone: read as UTC; give --tz or 'tz' in run.ini");
    }
}

/* Whether s is text: UTF-8 without NUL or control bytes other than tab;
 * reports where it is not. */
static bool check_text(reader *r, const char *s, size_t len, long line)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0x20 && c < 0x7F) || c == '\t') {
            i++;
            continue;
        }
        if (c == 0) {
            diag_file_error(&r->diags, line, (long)i + 1, "NUL byte: %s is text", r->what);
            return false;
        }
        if (c < 0x80) {
            diag_file_error(&r->diags, line, (long)i + 1, "control character 0x%02X: %s is text",
                            c, r->what);
            return false;
        }
        size_t n = text_utf8_sequence(s + i, len - i);
        if (n == 0) {
            diag_file_error(&r->diags, line, (long)i + 1, "invalid UTF-8 byte 0x%02X", c);
            return false;
        }
        i += n;
    }
    return true;
}

/* Reports a truncated, over-long or non-text line; true if it is usable. */
static bool usable_line(reader *r, line_status ls, bool terminated, const char *line, size_t len,
                        long number)
{
    if (ls == LINE_TOO_LONG) {
        diag_file_error(&r->diags, number, (long)LINE_READER_MAX_LINE + 1,
                        "line longer than 1 MiB");
        return false;
    }
    if (!check_text(r, line, len, number))
        return false;
    if (!terminated) {
        diag_file_error(&r->diags, number, (long)len + 1,
                        "last line has no line end: the file looks truncated");
        return false;
    }
    return true;
}

/* ---- Fields ------------------------------------------------------------ */

/* One field of a line. */
typedef struct field {
    const char *text; /* in the line, not NUL-terminated */
    size_t len;
    long col;         /* 1-based column of its first byte */
} field;

/* The fields of a line, in a buffer reused from line to line. */
typedef struct fields {
    field *items;
    size_t count;    /* fields of the current line */
    size_t capacity; /* items allocated */
} fields;

static void fields_push(fields *f, const char *text, size_t len, long col)
{
    if (f->count == f->capacity) {
        f->capacity = f->capacity ? 2 * f->capacity : 32;
        f->items = xreallocarray(f->items, f->capacity, sizeof *f->items);
    }
    f->items[f->count++] = (field){text, len, col};
}

/* Splits line at every sep. */
static void split_at(fields *f, const char *line, size_t len, char sep)
{
    f->count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == sep) {
            fields_push(f, line + start, i - start, (long)start + 1);
            start = i + 1;
        }
    }
}

/* Splits line into runs of characters other than spaces and tabs. */
static void split_blanks(fields *f, const char *line, size_t len)
{
    f->count = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            return;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        fields_push(f, line + start, i - start, (long)start + 1);
    }
}

static bool field_is(const field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->text, s, f->len) == 0;
}

static bool field_starts(const field *f, const char *prefix)
{
    size_t n = strlen(prefix);
    return f->len >= n && memcmp(f->text, prefix, n) == 0;
}

static char *field_dup(const field *f)
{
    return xstrndup(f->text, f->len);
}

/* The value of a field of at most 9 digits. */
static int field_int(const field *f)
{
    int v = 0;
    for (size_t i = 0; i < f->len; i++)
        v = v * 10 + (f->text[i] - '0');
    return v;
}

/* Reports a value that is not a number. */
static void bad_value(reader *r, long line, const field *f)
{
    char quoted[80];
    diag_file_error(&r->diags, line, f->col, "bad value %s: expected a number",
                    diag_quote(quoted, sizeof quoted, f->text, f->len));
}

/* Reports a line whose field count differs from its header's. */
static void wrong_field_count(reader *r, long line, size_t len, const fields *f, size_t expected,
                              long header_line)
{
    long col = f->count > expected ? f->items[expected].col : (long)len + 1;
    diag_file_error(&r->diags, line, col,
                    "expected %zu field%s as in the header on line %ld, found %zu", expected,
                    expected == 1 ? "" : "s", header_line, f->count);
}

/* Parses exactly n digits. */
static bool parse_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}


/* Whether y-m-d is a real date p3 accepts. */
static bool valid_date(int y, int m, int d)
{
    if (y < ISOTIME_MIN_YEAR || y > ISOTIME_MAX_YEAR || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int y2, m2, d2;
    isotime_civil_from_days(isotime_days_from_civil(y, m, d), &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d;
}

/* ---- sadf -d ------------------------------------------------------------ */

/* What p3 calls a sar activity, known by the first columns of its sadf -d
 * header (after hostname;interval;timestamp). Names follow sar's own
 * descriptions of its activities. */
typedef struct activity {
    const char *first;       /* its first column */
    const char *second;      /* its second column, or NULL for any */
    const char *object;      /* the counter object; NULL: the block is skipped */
    size_t id_columns;       /* leading columns naming the instance: 0, 1, or 2
                                (a sensor's number, then its device as the parent) */
    const char *all_name;    /* what the instance -1 stands for, or NULL */
    const char *text_column; /* a column of text rather than values, or NULL */
} activity;

static const activity activities[] = {
    {"CPU", "MHz", "CPU Frequency", 1, "all", NULL},
    {"CPU", "total/s", "Softnet", 1, "all", NULL},
    {"CPU", NULL, "CPU", 1, "all", NULL},
    {"proc/s", NULL, "Tasks", 0, NULL, NULL},
    {"INTR", NULL, "Interrupts", 1, "sum", NULL}, /* older sadf: INTR;intr/s */
    {"pswpin/s", NULL, "Swapping", 0, NULL, NULL},
    {"pgpgin/s", NULL, "Paging", 0, NULL, NULL},
    {"tps", NULL, "I/O", 0, NULL, NULL},
    {"frmpg/s", NULL, "Memory", 0, NULL, NULL},
    {"kbmemfree", NULL, "Memory", 0, NULL, NULL},
    {"kbswpfree", NULL, "Swap Space", 0, NULL, NULL},
    {"kbhugfree", NULL, "Huge Pages", 0, NULL, NULL},
    {"dentunusd", NULL, "Kernel Tables", 0, NULL, NULL},
    {"runq-sz", NULL, "Queue", 0, NULL, NULL},
    {"TTY", NULL, "Serial Line", 1, NULL, NULL},
    {"DEV", NULL, "Disk", 1, NULL, NULL},
    {"IFACE", NULL, "Network Interface", 1, NULL, NULL},
    {"call/s", NULL, "NFS Client", 0, NULL, NULL},
    {"scall/s", NULL, "NFS Server", 0, NULL, NULL},
    {"totsck", NULL, "Sockets", 0, NULL, NULL},
    {"irec/s", NULL, "IP", 0, NULL, NULL},
    {"ihdrerr/s", NULL, "IP", 0, NULL, NULL},
    {"imsg/s", NULL, "ICMP", 0, NULL, NULL},
    {"ierr/s", NULL, "ICMP", 0, NULL, NULL},
    {"active/s", NULL, "TCP", 0, NULL, NULL},
    {"atmptf/s", NULL, "TCP", 0, NULL, NULL},
    {"idgm/s", NULL, "UDP", 0, NULL, NULL},
    {"tcp6sck", NULL, "IPv6 Sockets", 0, NULL, NULL},
    {"irec6/s", NULL, "IPv6", 0, NULL, NULL},
    {"ihdrer6/s", NULL, "IPv6", 0, NULL, NULL},
    {"imsg6/s", NULL, "ICMPv6", 0, NULL, NULL},
    {"ierr6/s", NULL, "ICMPv6", 0, NULL, NULL},
    {"idgm6/s", NULL, "UDPv6", 0, NULL, NULL},
    {"FCHOST", NULL, "Fibre Channel", 1, NULL, NULL},
    {"FAN", NULL, "Fan", 2, NULL, NULL},
    {"TEMP", NULL, "Temperature", 2, NULL, NULL},
    {"IN", NULL, "Voltage Input", 2, NULL, NULL},
    {"BAT", NULL, "Battery", 1, NULL, "status"},
    {"FILESYSTEM", NULL, "Filesystem", 1, NULL, NULL},
    {"MOUNTPOINT", NULL, "Filesystem", 1, NULL, NULL},
    {"%scpu-10", NULL, "CPU Pressure", 0, NULL, NULL},
    {"%sio-10", NULL, "I/O Pressure", 0, NULL, NULL},
    {"%smem-10", NULL, "Memory Pressure", 0, NULL, NULL},
    /* p3 probe's own blocks: its guest and run's CPU, and its cgroup's cap. */
    {"GUEST", NULL, "Guest", 1, NULL, NULL},
    {"RUN", NULL, "Run", 1, NULL, NULL},
    {"CGROUP", NULL, "Cgroup", 1, NULL, NULL},
    /* USB devices are an inventory (names, vendor IDs), not measurements. */
    {"manufact", NULL, NULL, 0, NULL, NULL},
    {"BUS", NULL, NULL, 0, NULL, NULL},
};

#define ACTIVITY_COUNT (sizeof activities / sizeof activities[0])

/* The header line every sadf -d block starts with, up to its own columns. */
#define SADF_HEADER "# hostname;interval;timestamp"

/* A block header's columns, shared by the blocks that repeat it. */
typedef struct sadf_layout {
    size_t id;            /* its number, part of its instances' identities */
    long line;            /* where it was first written */
    char *object;         /* the counter object; NULL when its blocks are skipped */
    const char *all_name; /* what an instance of -1 stands for, or NULL */
    char **columns;       /* the names of the columns after the timestamp */
    bool *text;           /* per column: text to leave alone, not a value */
    size_t column_count;
    size_t id_columns;    /* leading columns naming the instance */
} sadf_layout;

/* A run of data lines under one header, between the header (or a restart
 * record) and the next header, restart record or the end of the file. */
typedef struct sadf_block {
    const sadf_layout *layout;
    uint64_t start, end; /* byte offsets of its first line and past its last */
    long first_line;     /* the number of its first line */
    int64_t first_t;     /* the time of its first line */
} sadf_block;

/* Lines of a file with their byte offsets, so that a reader can come back
 * to a place; hashes what it reads when asked. */
typedef struct raw_lines {
    FILE *f;
    char *buf;         /* the line last read, with its line end */
    size_t cap;        /* bytes buf holds */
    uint64_t offset;   /* of the line last returned */
    uint64_t next;     /* of the line after it: bytes read so far */
    long number;       /* of the line last returned */
    bool terminated;   /* it had a line end */
    sha256 *digest;    /* hashes every byte read, or NULL */
} raw_lines;

/* The next line into (*line, *len) without its line end (LF or CRLF). */
static line_status raw_next(raw_lines *r, const char **line, size_t *len)
{
    r->offset = r->next;
    size_t n = 0;
    bool too_long = false;
    int c = EOF;
    while ((c = getc_unlocked(r->f)) != EOF) {
        r->next++;
        if (n == r->cap) {
            if (n > LINE_READER_MAX_LINE) {
                /* Over-long: hash what there is and keep only the count. */
                if (r->digest)
                    sha256_update(r->digest, r->buf, n);
                n = 0;
                too_long = true;
            } else {
                r->cap = r->cap ? 2 * r->cap : 4096;
                r->buf = xrealloc(r->buf, r->cap);
            }
        }
        r->buf[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (ferror(r->f))
        return LINE_IO_ERROR;
    if (n == 0 && !too_long)
        return LINE_EOF;
    if (r->digest)
        sha256_update(r->digest, r->buf, n);
    r->number++;
    r->terminated = r->buf[n - 1] == '\n';
    if (r->terminated) {
        n--;
        if (n > 0 && r->buf[n - 1] == '\r')
            n--;
    }
    *line = r->buf;
    *len = n;
    return too_long || n > LINE_READER_MAX_LINE ? LINE_TOO_LONG : LINE_OK;
}

/* Opens path at byte offset `at`, where line `number` + 1 starts. */
static bool raw_open(raw_lines *r, const char *path, uint64_t at, long number)
{
    r->f = fopen(path, "rb");
    if (!r->f)
        return false;
    if (at && fseeko(r->f, (off_t)at, SEEK_SET) != 0) {
        fclose(r->f);
        r->f = NULL;
        return false;
    }
    r->next = at;
    r->number = number;
    return true;
}

static void raw_close(raw_lines *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

typedef struct sadf_reader {
    reader base;            /* what every reader of this module keeps */
    raw_lines lines;        /* the first pass */
    sha256 digest;          /* of the whole file, from the first pass */
    strmap layout_map;      /* header columns as written -> sadf_layout */
    sadf_layout **layouts;  /* every layout, in order */
    size_t layout_count;    /* layouts */
    sadf_block *blocks;     /* every block with data lines, in file order */
    size_t block_count, block_capacity; /* blocks used and allocated */
    sadf_layout *layout;    /* of the data lines being read; NULL before a header */
    bool in_block;          /* the last block is still open */
    bool after_bad_header;  /* data lines under a broken header are not checked */
    bool stop;              /* the file is not one this reader reads: stop looking */
    fields f;               /* the current line's fields */
} sadf_reader;

static void free_layout(sadf_layout *l)
{
    for (size_t i = 0; i < l->column_count; i++)
        free(l->columns[i]);
    free(l->columns);
    free(l->text);
    free(l->object);
    free(l);
}

/* Whether a column name is a device column such as DEV, IFACE or FCHOST. */
static bool is_device_column(const char *s)
{
    if (strlen(s) < 2)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static const activity *find_activity(char *const *columns, size_t count)
{
    for (size_t i = 0; i < ACTIVITY_COUNT; i++) {
        const activity *a = &activities[i];
        if (strcmp(columns[0], a->first) == 0 &&
            (!a->second || (count > 1 && strcmp(columns[1], a->second) == 0)))
            return a;
    }
    return NULL;
}

/* Where a column of a -d header names an activity of its own, as only a
 * `sadf -dh` header does (that layout puts every activity on one line);
 * 0 if none. CPU, tps and BUS also appear inside other activities. */
static size_t horizontal_column(char *const *columns, size_t count)
{
    for (size_t c = 1; c < count; c++) {
        if (strcmp(columns[c], "CPU") == 0 || strcmp(columns[c], "tps") == 0 ||
            strcmp(columns[c], "BUS") == 0)
            continue;
        for (size_t i = 0; i < ACTIVITY_COUNT; i++)
            if (strcmp(columns[c], activities[i].first) == 0)
                return c;
    }
    return 0;
}

static void sadf_dh_rejected(sadf_reader *s, long number, long col)
{
    diag_file_error(&s->base.diags, number, col, "sadf -dh layout is not supported; use sadf -d");
    s->stop = true;
}

/* Reads a header line into its layout (new or seen before); NULL after
 * reporting what is wrong. */
static sadf_layout *sadf_header(sadf_reader *s, const char *line, size_t len, long number)
{
    reader *r = &s->base;
    size_t prefix = strlen(SADF_HEADER);
    if (len < prefix || memcmp(line, SADF_HEADER, prefix) != 0) {
        diag_file_error(&r->diags, number, 1,
                        "not a sadf -d header: expected '" SADF_HEADER ";...'");
        return NULL;
    }
    const char *dh = NULL;
    for (size_t i = 0; i + 5 <= len && !dh; i++)
        if (memcmp(line + i, "[...]", 5) == 0)
            dh = line + i;
    if (dh) {
        sadf_dh_rejected(s, number, (long)(dh - line) + 1);
        return NULL;
    }
    if (len < prefix + 2 || line[prefix] != ';') {
        diag_file_error(&r->diags, number, (long)prefix + 1,
                        "header names no columns after 'timestamp'");
        return NULL;
    }
    char *key = xstrndup(line + prefix + 1, len - prefix - 1);
    sadf_layout *l = strmap_get(&s->layout_map, key);
    if (l) {
        free(key);
        return l;
    }
    split_at(&s->f, line + prefix + 1, len - prefix - 1, ';');
    l = xcalloc(1, sizeof *l);
    l->id = s->layout_count;
    l->line = number;
    l->column_count = s->f.count;
    l->columns = xcalloc(l->column_count, sizeof *l->columns);
    l->text = xcalloc(l->column_count, sizeof *l->text);
    bool unnamed = false;
    for (size_t c = 0; c < l->column_count; c++) {
        const field *f = &s->f.items[c];
        l->columns[c] = field_dup(f);
        if (f->len == 0) {
            diag_file_error(&r->diags, number, f->col + (long)prefix + 1, "empty column name");
            free_layout(l);
            free(key);
            return NULL;
        }
        unnamed |= f->text[f->len - 1] == '*';
    }
    size_t dh_column = horizontal_column(l->columns, l->column_count);
    if (dh_column) {
        sadf_dh_rejected(s, number, s->f.items[dh_column].col + (long)prefix + 1);
        free_layout(l);
        free(key);
        return NULL;
    }
    const activity *a = find_activity(l->columns, l->column_count);
    if (unnamed) {
        /* INTR;CPU*: one column per online CPU, which the header does not name. */
        char quoted[80];
        diag_file_warning(&r->diags, number, (long)prefix + 2,
                          "block %s is skipped: its header does not name its columns",
                          diag_quote(quoted, sizeof quoted, key, strlen(key)));
    } else if (a) {
        l->object = a->object ? xstrdup(a->object) : NULL;
        l->all_name = a->all_name;
        l->id_columns = a->id_columns;
        for (size_t c = 0; c < l->column_count && a->text_column; c++)
            l->text[c] = strcmp(l->columns[c], a->text_column) == 0;
    } else {
        /* An activity this p3 does not know: named by its first column. */
        l->object = xstrdup(l->columns[0]);
        l->id_columns = is_device_column(l->columns[0]) ? 1 : 0;
    }
    if (l->id_columns > l->column_count)
        l->id_columns = l->column_count;
    strmap_add(&s->layout_map, key, l);
    free(key);
    s->layouts = xreallocarray(s->layouts, s->layout_count + 1, sizeof *s->layouts);
    s->layouts[s->layout_count++] = l;
    return l;
}

/* Whether the split line is a restart or comment record (`-1` interval,
 * `LINUX-RESTART\t(8 CPU)` or `COM text` after the timestamp). */
static bool sadf_is_record(const fields *f)
{
    return f->count >= 4 &&
           (field_starts(&f->items[3], "LINUX-RESTART") || field_starts(&f->items[3], "COM "));
}

/* Parses a sadf timestamp into *t: `YYYY-MM-DD HH:MM:SS[ ZONE]` or Unix
 * seconds (-U). UTC, GMT and numeric offsets are understood; other zones,
 * or none (-T and -t of older sysstat), are read at opts' tz or as UTC with
 * a warning. False after reporting a bad timestamp. */
static bool sadf_time(sadf_reader *s, const field *f, long number, int64_t *t)
{
    reader *r = &s->base;
    if (text_all_digits(f->text, f->len) && isotime_parse(f->text, f->len, 0, t)) {
        if (!r->zone_seen) {
            r->zone_seen = true; /* Unix seconds: UTC */
            r->time_zone = xstrdup("UTC");
            r->info.has_bias = true;
        }
        return true;
    }
    const size_t stamp = 19; /* YYYY-MM-DD HH:MM:SS */
    const char *zone = f->text + stamp + 1;
    size_t zone_len = f->len > stamp + 1 ? f->len - stamp - 1 : 0;
    if (f->len == stamp ||
        (zone_len && f->text[stamp] == ' ' && !memchr(zone, ' ', zone_len))) {
        int offset = 0;
        bool known = zone_len && ((zone_len == 3 && memcmp(zone, "GMT", 3) == 0) ||
                                  isotime_parse_offset(zone, zone_len, &offset));
        if (!known && r->opts->has_tz)
            offset = r->opts->tz_minutes;
        else if (!known)
            warn_zone(r, number, zone_len ? f->col + (long)stamp + 1 : f->col, zone, zone_len);
        if (isotime_parse(f->text, stamp, offset, t)) {
            if (!r->zone_seen) {
                /* The file's zone, as its first time names it. */
                r->zone_seen = true;
                r->time_zone = zone_len ? xstrndup(zone, zone_len) : NULL;
                r->info.has_bias = known || r->opts->has_tz;
                r->info.bias_minutes = -offset;
            }
            return true;
        }
    }
    char quoted[80];
    diag_file_error(&r->diags, number, f->col,
                    "bad timestamp %s: expected 'YYYY-MM-DD HH:MM:SS UTC' or Unix seconds",
                    diag_quote(quoted, sizeof quoted, f->text, f->len));
    return false;
}

/* Checks the split data line of layout l and, with emit, gives its values
 * to the sink. *t receives its time. False after reporting what is wrong. */
static bool sadf_data(sadf_reader *s, const sadf_layout *l, size_t len, long number, bool emit,
                      int64_t *t)
{
    reader *r = &s->base;
    const fields *f = &s->f;
    char quoted[80];
    if (!l->object) {
        /* A skipped block: only its timestamp matters, to place the block. */
        if (f->count < 4) {
            wrong_field_count(r, number, len, f, 3 + l->column_count, l->line);
            return false;
        }
        return sadf_time(s, &f->items[2], number, t);
    }
    if (f->count != 3 + l->column_count) {
        wrong_field_count(r, number, len, f, 3 + l->column_count, l->line);
        return false;
    }
    bool ok = true;
    if (f->items[0].len == 0) {
        diag_file_error(&r->diags, number, 1, "empty hostname");
        ok = false;
    }
    double interval;
    if (!decimal_parse(f->items[1].text, f->items[1].len, &interval) ||
        interval != floor(interval)) {
        diag_file_error(&r->diags, number, f->items[1].col,
                        "bad interval %s: expected whole seconds",
                        diag_quote(quoted, sizeof quoted, f->items[1].text, f->items[1].len));
        ok = false;
    }
    ok &= sadf_time(s, &f->items[2], number, t);
    for (size_t c = 0; c < l->column_count; c++) {
        const field *v = &f->items[3 + c];
        double d;
        if (c < l->id_columns) {
            if (v->len == 0) {
                diag_file_error(&r->diags, number, v->col, "empty %s",
                                diag_quote(quoted, sizeof quoted, l->columns[c],
                                           strlen(l->columns[c])));
                ok = false;
            }
        } else if (!l->text[c] && !decimal_parse(v->text, v->len, &d)) {
            bad_value(r, number, v);
            ok = false;
        } else if (!l->text[c] && !counter_value_check(&r->diags, number, v->col, v->text,
                                                       v->len, d)) {
            ok = false;
        }
    }
    if (!ok || !emit || !emitting(r))
        return ok;
    /* The instance: the device column, a sensor's device as its parent. */
    char *machine = field_dup(&f->items[0]);
    char *instance = NULL, *parent = NULL;
    if (l->id_columns >= 1) {
        const field *id = &f->items[3];
        instance = l->all_name && field_is(id, "-1") ? xstrdup(l->all_name) : field_dup(id);
    }
    if (l->id_columns >= 2)
        parent = field_dup(&f->items[4]);
    instance_id who = {machine, l->object, parent, instance, -1};
    instance_entry *ie = emitter_instance(&r->out, l->id, &who, l->column_count);
    for (size_t c = l->id_columns; c < l->column_count; c++) {
        const field *v = &f->items[3 + c];
        double d;
        if (!l->text[c] && decimal_parse(v->text, v->len, &d))
            give_value(r, ie, &who, c, l->columns[c], d, number, v->col);
    }
    free(machine);
    free(instance);
    free(parent);
    return ok;
}

/* Closes the open block at byte offset end. */
static void sadf_end_block(sadf_reader *s, uint64_t end)
{
    if (s->in_block)
        s->blocks[s->block_count - 1].end = end;
    s->in_block = false;
}

static void sadf_start_block(sadf_reader *s, int64_t t)
{
    if (s->block_count == s->block_capacity) {
        s->block_capacity = s->block_capacity ? 2 * s->block_capacity : 64;
        s->blocks = xreallocarray(s->blocks, s->block_capacity, sizeof *s->blocks);
    }
    s->blocks[s->block_count++] = (sadf_block){s->layout, s->lines.offset, s->lines.offset,
                                               s->lines.number, t};
    s->in_block = true;
}

/* One line of the first pass. */
static void sadf_scan_line(sadf_reader *s, const char *line, size_t len, long number, bool first)
{
    reader *r = &s->base;
    if (line[0] == '#') {
        sadf_end_block(s, s->lines.offset);
        s->layout = sadf_header(s, line, len, number);
        s->after_bad_header = !s->layout;
        s->stop |= first && !s->layout; /* not sadf -d at all */
        return;
    }
    split_at(&s->f, line, len, ';');
    if (sadf_is_record(&s->f)) {
        sadf_end_block(s, s->lines.offset);
        return;
    }
    if (first) {
        diag_file_error(&r->diags, number, 1,
                        "not sadf -d output: expected a header line '" SADF_HEADER ";...'");
        s->stop = true;
        return;
    }
    if (s->after_bad_header)
        return;
    if (!s->layout) {
        diag_file_error(&r->diags, number, 1,
                        "data line before any '" SADF_HEADER ";...' header");
        return;
    }
    int64_t t;
    if (sadf_data(s, s->layout, len, number, false, &t) && s->layout->object && !s->in_block)
        sadf_start_block(s, t);
}

/* The first pass: checks every line, hashes the file and finds the blocks.
 * Returns STATUS_OK or STATUS_FAILURE. */
static int sadf_scan(sadf_reader *s)
{
    reader *r = &s->base;
    bool first = true;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = raw_next(&s->lines, &line, &len)) != LINE_EOF) {
        if (ls == LINE_IO_ERROR) {
            diag_add(r->diags.list, DIAG_ERROR, r->path, 0, 0, "cannot read: %s",
                     strerror(errno));
            return STATUS_FAILURE;
        }
        long number = s->lines.number;
        if (s->stop)
            continue;
        if (!usable_line(r, ls, s->lines.terminated, line, len, number)) {
            s->stop = first; /* a binary file: one error is enough */
            continue;
        }
        if (len == 0)
            continue;
        sadf_scan_line(s, line, len, number, first);
        first = false;
    }
    sadf_end_block(s, s->lines.next);
    if (s->lines.number == 0)
        diag_file_error(&r->diags, 1, 1, "empty file: expected sadf -d output");
    return STATUS_OK;
}

/* A block being read in the second pass. */
typedef struct sadf_cursor {
    const sadf_block *block; /* the block it reads */
    raw_lines lines;         /* the file, from the block's start */
    bool open;   /* lines is open at the block */
    bool done;   /* no lines left */
    long number; /* of the pending line, in lines.buf */
    size_t len;  /* its length without its line end */
    int64_t t;   /* the pending line's time; before opening, the block's first */
} sadf_cursor;

/* Moves c to its next data line; false when the sink or a read failed. */
static bool sadf_advance(sadf_reader *s, sadf_cursor *c)
{
    reader *r = &s->base;
    for (;;) {
        const char *line;
        if (c->lines.next >= c->block->end) {
            c->done = true;
            raw_close(&c->lines);
            c->open = false;
            return true;
        }
        line_status ls = raw_next(&c->lines, &line, &c->len);
        if (ls == LINE_IO_ERROR || ls == LINE_EOF) {
            diag_add(r->diags.list, DIAG_ERROR, r->path, 0, 0, "cannot read: %s",
                     ls == LINE_EOF ? "the file shrank while it was read" : strerror(errno));
            r->failed = true;
            return false;
        }
        c->number = c->lines.number;
        if (c->len == 0)
            continue;
        split_at(&s->f, line, c->len, ';');
        if (s->f.count < 4) {
            diag_file_error(&r->diags, c->number, 1, "the file changed while it was read");
            c->done = true;
        } else if (!sadf_time(s, &s->f.items[2], c->number, &c->t)) {
            c->done = true; /* changed too, and reported */
        }
        return true;
    }
}

static bool sadf_open_cursor(sadf_reader *s, sadf_cursor *c)
{
    if (!raw_open(&c->lines, s->base.path, c->block->start, c->block->first_line - 1)) {
        diag_add(s->base.diags.list, DIAG_ERROR, s->base.path, 0, 0, "cannot open: %s",
                 strerror(errno));
        s->base.failed = true;
        return false;
    }
    c->open = true;
    return sadf_advance(s, c);
}

/* The second pass: reads the blocks side by side, one row per time. */
static void sadf_merge(sadf_reader *s)
{
    reader *r = &s->base;
    sadf_cursor *cursors = xcalloc(s->block_count ? s->block_count : 1, sizeof *cursors);
    for (size_t i = 0; i < s->block_count; i++) {
        cursors[i].block = &s->blocks[i];
        cursors[i].t = s->blocks[i].first_t;
    }
    give_file(r);
    size_t first_live = 0; /* cursors before it are done */
    while (emitting(r)) {
        while (first_live < s->block_count && cursors[first_live].done)
            first_live++;
        bool any = false;
        int64_t t = 0;
        for (size_t i = first_live; i < s->block_count; i++) {
            if (!cursors[i].done && (!any || cursors[i].t < t)) {
                t = cursors[i].t;
                any = true;
            }
        }
        if (!any)
            break;
        bool row_started = false;
        for (size_t i = first_live; i < s->block_count && emitting(r); i++) {
            sadf_cursor *c = &cursors[i];
            if (c->done || c->t != t || (!c->open && !sadf_open_cursor(s, c)))
                continue;
            while (!c->done && c->t == t && emitting(r)) {
                split_at(&s->f, c->lines.buf, c->len, ';');
                if (!row_started) {
                    /* Every block at t has been read when the loop moves on,
                     * so each pass of the loop is a row of its own. */
                    char *local = field_dup(&s->f.items[2]);
                    give_row(r, t, local);
                    free(local);
                    row_started = true;
                }
                int64_t line_t;
                sadf_data(s, c->block->layout, c->len, c->number, true, &line_t);
                if (!sadf_advance(s, c))
                    break;
            }
        }
    }
    for (size_t i = 0; i < s->block_count; i++)
        raw_close(&cursors[i].lines);
    free(cursors);
}

/* Whether the file starts with "Linux ": a text report, not sadf -d. */
static bool starts_as_report(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char head[6];
    bool report = fread(head, 1, sizeof head, f) == sizeof head &&
                  memcmp(head, "Linux ", sizeof head) == 0;
    fclose(f);
    return report;
}

static int read_report(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags, bool pidstat);

int sysstat_reader_read_sadf(const char *path, const counter_options *opts,
                             const counter_sink *sink, counter_read_result *result,
                             diag_list *diags)
{
    memset(result, 0, sizeof *result);
    if (starts_as_report(path))
        return read_report(path, opts, sink, result, diags, false);
    sadf_reader s;
    memset(&s, 0, sizeof s);
    reader_init(&s.base, path, opts, sink, "sadf", "sadf -d output", diags);
    sha256_init(&s.digest);
    s.lines.digest = &s.digest;
    int status = STATUS_OK;
    if (!raw_open(&s.lines, path, 0, 0)) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        status = STATUS_BAD_INPUT;
        goto out;
    }
    status = sadf_scan(&s);
    if (status)
        goto out;
    result->size = (long long)s.lines.next;
    sha256_final_hex(&s.digest, result->sha256);
    raw_close(&s.lines);
    if (!s.base.diags.errors)
        sadf_merge(&s);
    diag_file_finish(&s.base.diags);
    result->errors = s.base.diags.errors;
    status = s.base.failed ? STATUS_FAILURE : result->errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    raw_close(&s.lines);
    strmap_clear(&s.layout_map, NULL); /* the layouts are freed from their list */
    for (size_t i = 0; i < s.layout_count; i++)
        free_layout(s.layouts[i]);
    free(s.layouts);
    free(s.blocks);
    free(s.f.items);
    reader_clear(&s.base);
    return status;
}

/* ---- Text reports: sar -u, pidstat ---------------------------------------- */

/* What a column of a text report's table holds. */
typedef enum column_role {
    ROLE_VALUE,  /* a counter's value */
    ROLE_SKIP,   /* not a counter: UID, USER, pidstat's scheduling policy */
    ROLE_CPU,    /* sar: the CPU the line is about, "all" or a number */
    ROLE_PID,    /* pidstat: PID, or TGID with -t ("-" on thread lines) */
    ROLE_TID,    /* pidstat -t: the thread ID ("-" on process lines) */
    ROLE_COMMAND /* pidstat: the command, to the end of the line */
} column_role;

/* A table header's columns (after the time), shared by the tables that
 * repeat it. */
typedef struct report_table {
    size_t id;           /* its number, part of its instances' identities */
    char **names;        /* the column names, as the header writes them */
    column_role *roles;  /* what each column holds */
    size_t count;        /* columns */
} report_table;

typedef struct report_reader {
    reader base;           /* what every reader of this module keeps */
    bool pidstat;          /* pidstat output, else a sar report */
    line_reader *lines;    /* the file */
    char *host;            /* from the first line */
    int64_t day0;          /* the first line's date, in days since 1970 */
    int64_t days;          /* days passed since: times of day that went back */
    long last_tod;         /* the last time of day in seconds; -1 before any */
    strmap table_map;      /* header columns as written -> report_table */
    report_table **tables; /* every table, in order */
    size_t table_count;    /* tables */
    report_table *table;   /* the table being read; NULL before a header */
    long header_line;      /* where the current table's header is */
    bool expect_header;    /* a header comes next: at the start, after a blank line */
    bool stop;             /* a layout this reader does not read: stop looking */
    char *process;         /* instance of the last process line, the parent of threads */
    fields f;              /* the current line's fields */
    double *values;        /* the current line's values, by column; NAN when missing */
    size_t values_cap;     /* values allocated */
} report_reader;

static void free_table(report_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->names[i]);
    free(t->names);
    free(t->roles);
    free(t);
}

/* Reads a date as the first line of a sysstat report writes it (the
 * locale's %x, or ISO with S_TIME_FORMAT=ISO): YYYY-MM-DD, DD.MM.YYYY, or
 * with slashes in the given order; AUTO takes sysstat's C-locale MM/DD/YY
 * unless the first number cannot be a month. Two-digit years are 19YY
 * from 70, else 20YY. */
static bool report_date(const char *s, size_t len, counter_date_order order, int *year,
                        int *month, int *day)
{
    int v[3];
    size_t digits[3], i = 0;
    char sep = 0;
    for (size_t n = 0; n < 3; n++) {
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        digits[n] = i - start;
        if (digits[n] == 0 || digits[n] > 4 || !parse_digits(s + start, digits[n], &v[n]))
            return false;
        if (n == 2)
            break;
        if (i >= len || (s[i] != '/' && s[i] != '-' && s[i] != '.') || (sep && s[i] != sep))
            return false;
        sep = s[i++];
    }
    if (i != len)
        return false;
    bool ymd = sep == '-' || (sep == '/' && (digits[0] == 4 || order == COUNTER_DATE_YMD));
    bool dmy = !ymd && (sep == '.' || order == COUNTER_DATE_DMY ||
                        (order == COUNTER_DATE_AUTO && v[0] > 12));
    int y = ymd ? v[0] : v[2];
    int m = ymd || dmy ? v[1] : v[0];
    int d = ymd ? v[2] : dmy ? v[0] : v[1];
    size_t year_digits = ymd ? digits[0] : digits[2];
    if (year_digits == 2)
        y += y >= 70 ? 1900 : 2000;
    else if (year_digits != 4)
        return false;
    if (!valid_date(y, m, d))
        return false;
    *year = y;
    *month = m;
    *day = d;
    return true;
}

/* Reads line 1, `Linux <release> (<host>) <date> <arch> (<n> CPU)`. */
static bool report_first_line(report_reader *rr, const char *line, size_t len)
{
    reader *r = &rr->base;
    split_blanks(&rr->f, line, len);
    const fields *f = &rr->f;
    if (f->count < 4 || !field_is(&f->items[0], "Linux") || f->items[2].len < 3 ||
        f->items[2].text[0] != '(' || f->items[2].text[f->items[2].len - 1] != ')') {
        diag_file_error(&r->diags, 1, 1,
                        "not %s: the first line should be 'Linux <release> (<host>) <date> ...'",
                        r->what);
        return false;
    }
    int y, m, d;
    const field *date = &f->items[3];
    if (!report_date(date->text, date->len, r->opts->date_order, &y, &m, &d)) {
        char quoted[80];
        diag_file_error(&r->diags, 1, date->col,
                        "bad date %s: expected MM/DD/YY, YYYY-MM-DD or DD.MM.YYYY "
                        "(--date-order tells the order of other forms)",
                        diag_quote(quoted, sizeof quoted, date->text, date->len));
        return false;
    }
    rr->day0 = isotime_days_from_civil(y, m, d);
    rr->host = xstrndup(f->items[2].text + 1, f->items[2].len - 2);
    /* The description: the line with its runs of blanks made single spaces. */
    size_t total = 0;
    for (size_t i = 0; i < f->count; i++)
        total += f->items[i].len + 1;
    char *desc = xmalloc(total);
    size_t o = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            desc[o++] = ' ';
        memcpy(desc + o, f->items[i].text, f->items[i].len);
        o += f->items[i].len;
    }
    desc[o] = '\0';
    r->description = desc;
    return true;
}

/* Parses HH:MM:SS into seconds of the day; ampm, when not NULL, is AM or PM. */
static bool parse_time_of_day(const field *f, const field *ampm, long *seconds)
{
    int h, m, s;
    if (f->len != 8 || f->text[2] != ':' || f->text[5] != ':' || !parse_digits(f->text, 2, &h) ||
        !parse_digits(f->text + 3, 2, &m) || !parse_digits(f->text + 6, 2, &s) || m > 59 ||
        s > 59)
        return false;
    if (ampm) {
        if (h < 1 || h > 12)
            return false;
        h = h % 12 + (field_is(ampm, "PM") ? 12 : 0);
    } else if (h > 23) {
        return false;
    }
    *seconds = h * 3600L + m * 60L + s;
    return true;
}

/* A line's time as its first field(s) write it. */
typedef struct line_time {
    bool unix_seconds; /* t holds the instant */
    int64_t t;         /* with unix_seconds: UTC nanoseconds */
    long tod;          /* otherwise: seconds of the day */
    size_t fields;     /* fields it takes: 2 with AM or PM */
} line_time;

/* Parses a line's time: HH:MM:SS [AM|PM] or Unix seconds. False after
 * reporting a bad time. */
static bool report_time(report_reader *rr, long number, line_time *lt)
{
    const fields *f = &rr->f;
    const field *first = &f->items[0];
    const field *ampm = NULL;
    if (f->count > 1 && (field_is(&f->items[1], "AM") || field_is(&f->items[1], "PM")))
        ampm = &f->items[1];
    lt->fields = ampm ? 2 : 1;
    lt->unix_seconds = text_all_digits(first->text, first->len);
    if (lt->unix_seconds ? isotime_parse(first->text, first->len, 0, &lt->t)
                         : parse_time_of_day(first, ampm, &lt->tod))
        return true;
    char quoted[80];
    size_t len = ampm ? (size_t)(ampm->text + ampm->len - first->text) : first->len;
    diag_file_error(&rr->base.diags, number, first->col,
                    "bad time %s: expected HH:MM:SS or Unix seconds",
                    diag_quote(quoted, sizeof quoted, first->text, len));
    return false;
}

/* The instant of a data line's time: a time of day is on the first line's
 * date, a day later for each time it went back (midnight passed), at
 * opts' tz or else as UTC with a warning. */
static int64_t report_instant(report_reader *rr, const line_time *lt, long number)
{
    reader *r = &rr->base;
    if (!r->zone_seen) {
        r->zone_seen = true;
        r->info.has_bias = lt->unix_seconds || r->opts->has_tz;
        r->info.bias_minutes = lt->unix_seconds ? 0 : -r->opts->tz_minutes;
    }
    if (lt->unix_seconds)
        return lt->t;
    if (!r->opts->has_tz)
        warn_zone(r, number, 1, NULL, 0);
    if (rr->last_tod >= 0 && lt->tod < rr->last_tod)
        rr->days++;
    rr->last_tod = lt->tod;
    int64_t seconds = (rr->day0 + rr->days) * 86400 + lt->tod;
    if (r->opts->has_tz)
        seconds -= r->opts->tz_minutes * 60L;
    return seconds * ISOTIME_NS_PER_SEC;
}

/* The role of a pidstat column. */
static column_role pidstat_role(const char *name)
{
    if (strcmp(name, "UID") == 0 || strcmp(name, "USER") == 0 || strcmp(name, "policy") == 0)
        return ROLE_SKIP;
    if (strcmp(name, "PID") == 0 || strcmp(name, "TGID") == 0)
        return ROLE_PID;
    if (strcmp(name, "TID") == 0)
        return ROLE_TID;
    if (strcmp(name, "Command") == 0)
        return ROLE_COMMAND;
    return ROLE_VALUE;
}

/* Reads a header: the fields from `from` name the columns. */
static void report_header(report_reader *rr, size_t from, long number)
{
    reader *r = &rr->base;
    const fields *f = &rr->f;
    char quoted[120];
    rr->expect_header = false;
    rr->header_line = number;
    rr->table = NULL;
    if (from >= f->count) {
        diag_file_error(&r->diags, number, 1, "header names no columns");
        return;
    }
    const field *last = &f->items[f->count - 1];
    size_t key_len = (size_t)(last->text + last->len - f->items[from].text);
    const char *key_text = f->items[from].text;
    if (!rr->pidstat && (!field_is(&f->items[from], "CPU") || from + 1 >= f->count ||
                         f->items[from + 1].text[0] != '%')) {
        /* sar -A and the like: many activities in tables that sadf -d writes better. */
        diag_file_error(&r->diags, number, f->items[from].col,
                        "sar table %s is not supported: p3 reads CPU utilization ('sar -u') "
                        "from text reports; write other activities with 'sadf -d'",
                        diag_quote(quoted, sizeof quoted, key_text, key_len));
        rr->stop = true;
        return;
    }
    char *key = xstrndup(key_text, key_len);
    report_table *t = strmap_get(&rr->table_map, key);
    if (t) {
        free(key);
        rr->table = t;
        return;
    }
    t = xcalloc(1, sizeof *t);
    t->id = rr->table_count;
    t->count = f->count - from;
    t->names = xcalloc(t->count, sizeof *t->names);
    t->roles = xcalloc(t->count, sizeof *t->roles);
    bool has_pid = false;
    for (size_t c = 0; c < t->count; c++) {
        t->names[c] = field_dup(&f->items[from + c]);
        t->roles[c] = !rr->pidstat ? (c == 0 ? ROLE_CPU : ROLE_VALUE) : pidstat_role(t->names[c]);
        has_pid |= t->roles[c] == ROLE_PID;
        if (t->roles[c] == ROLE_COMMAND && c + 1 != t->count) {
            diag_file_error(&r->diags, number, f->items[from + c].col,
                            "'Command' is not the last column");
            rr->stop = true;
        }
    }
    if (rr->pidstat && !has_pid) {
        diag_file_error(&r->diags, number, f->items[from].col,
                        "not a pidstat table: header %s has no 'PID' column",
                        diag_quote(quoted, sizeof quoted, key_text, key_len));
        rr->stop = true;
    }
    strmap_add(&rr->table_map, key, t);
    free(key);
    rr->tables = xreallocarray(rr->tables, rr->table_count + 1, sizeof *rr->tables);
    rr->tables[rr->table_count++] = t;
    rr->table = rr->stop ? NULL : t;
}

/* Whether a program name is a qemu or kvm binary. */
static bool is_qemu(const char *s, size_t len)
{
    return (len >= 4 && memcmp(s, "qemu", 4) == 0) || (len == 3 && memcmp(s, "kvm", 3) == 0);
}

/* The guest name of a qemu command line: the `guest=` key of `-name`'s
 * value, or its first part without a key (`-name web01,debug-threads=on`);
 * ",," is qemu's escaped comma. A new string, or NULL. */
static char *qemu_guest_name(const char *cmd, size_t len)
{
    fields words = {0};
    split_blanks(&words, cmd, len);
    char *name = NULL;
    for (size_t w = 0; w + 1 < words.count && !name; w++) {
        if (!field_is(&words.items[w], "-name") && !field_is(&words.items[w], "--name"))
            continue;
        const field *v = &words.items[w + 1];
        char *part = xmalloc(v->len + 1);
        size_t i = 0;
        bool first = true;
        while (i <= v->len && !name) {
            size_t n = 0;
            for (; i < v->len; i++) {
                if (v->text[i] == ',' && i + 1 < v->len && v->text[i + 1] == ',')
                    part[n++] = v->text[i++];
                else if (v->text[i] == ',')
                    break;
                else
                    part[n++] = v->text[i];
            }
            i++;
            part[n] = '\0';
            if (n > 6 && memcmp(part, "guest=", 6) == 0)
                name = xstrdup(part + 6);
            else if (first && n > 0 && !strchr(part, '='))
                name = xstrdup(part);
            first = false;
        }
        free(part);
    }
    free(words.items);
    return name;
}

/* pidstat -l cuts command lines to this many bytes (its MAX_CMDLINE_LEN
 * less the NUL). */
#define PIDSTAT_CMDLINE_MAX 127

/* The instance name of a process from its Command field: the command name
 * as pidstat shows it without -l; for a -l command line (pidstat ends those
 * with a space, or cuts them at 127 bytes; a path is never a command name)
 * the basename of the program; for a process title such as
 * `sshd: mark@pts/2` the word before the colon; "qemu:<guest>" for a qemu
 * started with -name. Caller frees. */
static char *process_instance(const char *cmd, size_t len)
{
    bool command_line = len > 0 && (cmd[len - 1] == ' ' || cmd[0] == '/' ||
                                    len >= PIDSTAT_CMDLINE_MAX);
    text_trim(&cmd, &len);
    const char *space = memchr(cmd, ' ', len);
    const char *end = space ? space : cmd + len;
    bool title = end > cmd && end[-1] == ':';
    if (!command_line && !title)
        return xstrndup(cmd, len);
    const char *name = cmd;
    for (const char *p = cmd; p + 1 < end; p++)
        if (*p == '/')
            name = p + 1;
    size_t name_len = (size_t)(end - name) - (title ? 1 : 0);
    if (command_line && is_qemu(name, name_len)) {
        char *guest = qemu_guest_name(cmd, len);
        if (guest) {
            char *instance = xasprintf("qemu:%s", guest);
            free(guest);
            return instance;
        }
    }
    return xstrndup(name, name_len);
}

/* Checks a data line of the current table and, when all is well, gives its
 * values to the sink. The fields from `from` are the table's columns. */
static void report_data(report_reader *rr, const char *line, size_t len, size_t from, long number,
                        int64_t t)
{
    reader *r = &rr->base;
    const report_table *tb = rr->table;
    const fields *f = &rr->f;
    char quoted[80];
    size_t found = f->count - from;
    bool has_command = tb->roles[tb->count - 1] == ROLE_COMMAND;
    if (has_command ? found < tb->count : found != tb->count) {
        wrong_field_count(r, number, len, f, from + tb->count, rr->header_line);
        return;
    }
    if (rr->values_cap < tb->count) {
        rr->values_cap = tb->count;
        rr->values = xreallocarray(rr->values, tb->count, sizeof *rr->values);
    }
    bool ok = true;
    const field *cpu = NULL, *pid = NULL, *tid = NULL;
    for (size_t c = 0; c < tb->count; c++) {
        const field *v = &f->items[from + c];
        rr->values[c] = NAN;
        switch (tb->roles[c]) {
        case ROLE_VALUE:
            if (!decimal_parse(v->text, v->len, &rr->values[c])) {
                bad_value(r, number, v);
                ok = false;
            } else if (!counter_value_check(&r->diags, number, v->col, v->text, v->len,
                                            rr->values[c])) {
                rr->values[c] = NAN;
                ok = false;
            } else if (rr->pidstat && rr->values[c] == -1) {
                rr->values[c] = NAN; /* pidstat's "not available" */
            }
            break;
        case ROLE_PID:
        case ROLE_TID:
            if (!field_is(v, "-") && !(text_all_digits(v->text, v->len) && v->len <= 9)) {
                diag_file_error(&r->diags, number, v->col, "bad %s %s: expected a number",
                                tb->names[c], diag_quote(quoted, sizeof quoted, v->text, v->len));
                ok = false;
            }
            if (tb->roles[c] == ROLE_PID)
                pid = v;
            else
                tid = v;
            break;
        case ROLE_CPU:
            cpu = v;
            break;
        case ROLE_SKIP:
        case ROLE_COMMAND:
            break;
        }
    }
    if (!ok)
        return;
    /* The instance: a CPU (sar), a process or a thread (pidstat). */
    instance_id who = {rr->host, "CPU", NULL, NULL, -1};
    char *instance = NULL;
    if (!rr->pidstat) {
        instance = field_dup(cpu);
    } else {
        const field *cmd = &f->items[from + tb->count - 1];
        size_t cmd_len = (size_t)(line + len - cmd->text);
        bool thread = tid && !field_is(tid, "-");
        if (thread && !rr->process) {
            diag_file_error(&r->diags, number, tid->col, "thread line before its process line");
            return;
        }
        if (thread) {
            const char *name = cmd->text;
            if (cmd_len >= 3 && memcmp(name, "|__", 3) == 0) {
                name += 3; /* pidstat -t marks threads so */
                cmd_len -= 3;
            }
            text_trim(&name, &cmd_len);
            instance = xstrndup(name, cmd_len);
            who.object = "Thread";
            who.parent = rr->process;
            who.index = field_int(tid);
        } else {
            if (field_is(pid, "-")) {
                diag_file_error(&r->diags, number, pid->col, "process line without a PID");
                return;
            }
            instance = process_instance(cmd->text, cmd_len);
            free(rr->process);
            rr->process = xstrdup(instance);
            who.object = "Process";
            who.index = field_int(pid);
        }
    }
    who.instance = instance;
    if (emitting(r)) {
        const field *last_time = &f->items[from - 1];
        char *local = xstrndup(f->items[0].text,
                               (size_t)(last_time->text + last_time->len - f->items[0].text));
        give_row(r, t, local);
        free(local);
        instance_entry *ie = emitter_instance(&r->out, tb->id, &who, tb->count);
        for (size_t c = 0; c < tb->count; c++)
            if (tb->roles[c] == ROLE_VALUE && !isnan(rr->values[c]))
                give_value(r, ie, &who, c, tb->names[c], rr->values[c], number,
                           f->items[from + c].col);
    }
    free(instance);
}

/* Whether a field ends with ':' as `Average:` does, in any language. */
static bool is_summary(const field *f)
{
    return f->len > 1 && f->text[f->len - 1] == ':';
}

/* One line after the first. */
static void report_line(report_reader *rr, const char *line, size_t len, long number)
{
    split_blanks(&rr->f, line, len);
    const fields *f = &rr->f;
    if (f->count == 0) {
        rr->expect_header = true;
        return;
    }
    if (field_is(&f->items[0], "#")) {
        report_header(rr, 2, number); /* `#      Time   UID ...` of -h */
        return;
    }
    if (is_summary(&f->items[0]))
        return; /* Average: lines sum the file up; they are not samples */
    line_time lt;
    if (!report_time(rr, number, &lt))
        return;
    size_t used = lt.fields;
    if (used + 1 < f->count && field_is(&f->items[used], "LINUX") &&
        field_is(&f->items[used + 1], "RESTART"))
        return;
    if (rr->expect_header) {
        report_header(rr, used, number);
        return;
    }
    if (!rr->table) {
        diag_file_error(&rr->base.diags, number, 1, "data line before any header line");
        return;
    }
    report_data(rr, line, len, used, number, report_instant(rr, &lt, number));
}

static int read_report(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags, bool pidstat)
{
    report_reader rr;
    memset(&rr, 0, sizeof rr);
    reader *r = &rr.base;
    reader_init(r, path, opts, sink, pidstat ? "pidstat" : "sar",
                pidstat ? "pidstat output" : "a sar report", diags);
    rr.pidstat = pidstat;
    rr.last_tod = -1;
    rr.expect_header = true;
    int status = line_reader_open(path, NULL, &rr.lines, diags);
    if (status)
        goto out;
    const char *line;
    size_t len;
    line_status ls;
    bool first = true;
    while ((ls = line_reader_next(rr.lines, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(rr.lines);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (rr.stop)
            continue;
        if (!usable_line(r, ls, line_reader_terminated(rr.lines), line, len, number)) {
            rr.stop = first; /* a binary file: one error is enough */
            first = false;
            continue;
        }
        if (first)
            rr.stop = !report_first_line(&rr, line, len);
        else
            report_line(&rr, line, len, number);
        first = false;
    }
    if (first)
        diag_file_error(&r->diags, 1, 1, "empty file: expected %s", r->what);
    uint64_t size = 0;
    if ((status = line_reader_digest(rr.lines, result->sha256, &size, diags)))
        goto out;
    result->size = (long long)size;
    if (emitting(r))
        give_file(r); /* a report without samples is still a file */
    diag_file_finish(&r->diags);
    result->errors = r->diags.errors;
    status = r->failed ? STATUS_FAILURE : result->errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    line_reader_free(rr.lines);
    strmap_clear(&rr.table_map, NULL); /* the tables are freed from their list */
    for (size_t i = 0; i < rr.table_count; i++)
        free_table(rr.tables[i]);
    free(rr.tables);
    free(rr.host);
    free(rr.process);
    free(rr.f.items);
    free(rr.values);
    reader_clear(r);
    return status;
}

int sysstat_reader_read_pidstat(const char *path, const counter_options *opts,
                                const counter_sink *sink, counter_read_result *result,
                                diag_list *diags)
{
    memset(result, 0, sizeof *result);
    return read_report(path, opts, sink, result, diags, true);
}

/* ---- Sniffing ----------------------------------------------------------- */

/* Whether the head holds a pidstat table header: a line with a PID or TGID
 * column and a Command column. */
static bool head_has_pidstat_header(const char *head, size_t len)
{
    fields f = {0};
    bool found = false;
    size_t start = 0;
    for (size_t i = 0; i < len && !found; i++) {
        if (head[i] != '\n')
            continue;
        split_blanks(&f, head + start, i - start);
        bool pid = false, command = false;
        for (size_t k = 0; k < f.count; k++) {
            pid |= field_is(&f.items[k], "PID") || field_is(&f.items[k], "TGID");
            command |= field_is(&f.items[k], "Command");
        }
        found = pid && command;
        start = i + 1;
    }
    free(f.items);
    return found;
}

bool sysstat_reader_sniff_pidstat(const char *head, size_t len)
{
    return len >= 6 && memcmp(head, "Linux ", 6) == 0 && head_has_pidstat_header(head, len);
}

bool sysstat_reader_sniff_sadf(const char *head, size_t len)
{
    size_t prefix = strlen(SADF_HEADER);
    if (len >= prefix && memcmp(head, SADF_HEADER, prefix) == 0)
        return true;
    if (len >= 6 && memcmp(head, "Linux ", 6) == 0)
        return !head_has_pidstat_header(head, len); /* sar's text report */
    /* A file that starts with a restart record, as sadf -d of a boot does. */
    const char *nl = memchr(head, '\n', len);
    size_t line = nl ? (size_t)(nl - head) : len;
    fields f = {0};
    split_at(&f, head, line, ';');
    bool record = sadf_is_record(&f) && field_is(&f.items[1], "-1");
    free(f.items);
    return record;
}
