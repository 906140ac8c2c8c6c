#include "counter_store.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "f64blob.h"
#include "file_guard.h"
#include "source_file.h"
#include "status.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

/* The value buffer of a file holds about this many doubles across all its
 * counters (16 MiB), so memory depends on the width of a file, never on its
 * length. */
#define BUFFER_VALUES ((size_t)1 << 21)
/* Rows per chunk: at least this many, even for very wide files... */
#define MIN_CHUNK_ROWS 8
/* ...at most this many... */
#define MAX_CHUNK_ROWS 4096
/* ...and this many when a file declares its counters as it goes (long
 * formats), when the width is not known at the first row. */
#define LONG_FORMAT_CHUNK_ROWS 256

/* One counter being read. */
typedef struct counter_slot {
    char *path, *machine, *object, *parent, *instance, *name, *vm;
    int instance_index;
    double *values;       /* chunk_rows values of the current chunk, NaN = missing */
    bool in_chunk;        /* has a value in the current chunk */
    long long samples;    /* values present */
    double min, max;
    double sum, sum_comp; /* compensated sum for the mean */
} counter_slot;

/* The sink's state: one file on its way into the store. */
typedef struct counter_writer {
    sqlite3 *db;
    diag_list *diags;
    const char *path;
    int64_t run_id;
    int64_t file_id;         /* 0 until file() */
    char *kind;
    char *encoding, *time_zone, *description;
    bool has_bias;
    int bias_minutes;
    counter_slot *slots;
    size_t count, capacity;
    int64_t first_counter_id; /* counters get consecutive ids from here */
    size_t chunk_rows;        /* 0 until the first row */
    long long rows;           /* rows started */
    sqlite3_stmt *insert_row, *insert_chunk;
    unsigned char *blob;      /* encoding scratch, chunk_rows * 8 bytes */
} counter_writer;

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Whether the object name is one whose instances name virtual machines. */
static bool object_is(const char *object, const char *name)
{
    return object && strcmp(object, name) == 0;
}

char *counter_store_vm_of(const counter_path *p)
{
    const char *inst = p->instance;
    if (!inst || !p->object)
        return NULL;
    const char *colon = strchr(inst, ':');
    if (object_is(p->object, "Group Cpu") && colon && colon[1])
        return xstrdup(colon + 1); /* esxtop: <group id>:<vm name> */
    if (strncmp(p->object, "Hyper-V Hypervisor Virtual Processor", 36) == 0 && colon &&
        colon > inst)
        return xstrndup(inst, (size_t)(colon - inst)); /* <vm name>:Hv VP <n> */
    if (object_is(p->object, "Virtual Machines") || object_is(p->object, "Domain"))
        return xstrdup(inst); /* Virtual Server; virt-top */
    if (object_is(p->object, "Process") && strncmp(inst, "qemu:", 5) == 0 && inst[5])
        return xstrdup(inst + 5); /* a qemu process named after its guest */
    return NULL;
}

static int sink_file(void *ctx, const counter_file_info *info)
{
    counter_writer *w = ctx;
    w->kind = xstrdup(info->kind);
    w->encoding = xstrdup(info->encoding ? info->encoding : "UTF-8");
    w->time_zone = dup_or_null(info->time_zone);
    w->description = dup_or_null(info->description);
    w->has_bias = info->has_bias;
    w->bias_minutes = info->bias_minutes;
    if (source_file_insert(w->db, w->run_id, w->path, info->kind, &w->file_id, w->diags))
        return STATUS_FAILURE;
    sqlite3_stmt *stmt;
    if (store_prepare(w->db, "SELECT coalesce(max(counter_id), 0) + 1 FROM counter", &stmt,
                      w->diags))
        return STATUS_FAILURE;
    w->first_counter_id = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 1;
    sqlite3_finalize(stmt);
    if (store_prepare(w->db,
                      "INSERT INTO counter_row (file_id, row, t_ns, local_time) VALUES (?, ?, ?, ?)",
                      &w->insert_row, w->diags) ||
        store_prepare(w->db,
                      "INSERT INTO counter_chunk (counter_id, chunk, n, vals) VALUES (?, ?, ?, ?)",
                      &w->insert_chunk, w->diags))
        return STATUS_FAILURE;
    return STATUS_OK;
}

static void fill_missing(double *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        values[i] = NAN;
}

static int sink_counter(void *ctx, const counter_path *p, size_t *index)
{
    counter_writer *w = ctx;
    if (w->count == w->capacity) {
        w->capacity = w->capacity ? 2 * w->capacity : 64;
        w->slots = xreallocarray(w->slots, w->capacity, sizeof *w->slots);
    }
    counter_slot *s = &w->slots[w->count];
    memset(s, 0, sizeof *s);
    s->path = xstrdup(p->path);
    s->machine = dup_or_null(p->machine);
    s->object = xstrdup(p->object ? p->object : "");
    s->parent = dup_or_null(p->parent);
    s->instance = dup_or_null(p->instance);
    s->instance_index = p->instance_index;
    s->name = xstrdup(p->counter ? p->counter : "");
    s->vm = counter_store_vm_of(p);
    if (w->chunk_rows) {
        /* Declared after rows began (a long format): its earlier rows are missing. */
        s->values = xreallocarray(NULL, w->chunk_rows, sizeof *s->values);
        fill_missing(s->values, w->chunk_rows);
    }
    *index = w->count++;
    return STATUS_OK;
}

/* Writes every counter's values of the chunk that ends at row `rows`. */
static int flush_chunk(counter_writer *w)
{
    if (w->rows == 0)
        return STATUS_OK;
    long long chunk = (w->rows - 1) / (long long)w->chunk_rows;
    size_t n = (size_t)(w->rows - chunk * (long long)w->chunk_rows);
    for (size_t i = 0; i < w->count; i++) {
        counter_slot *s = &w->slots[i];
        if (!s->in_chunk)
            continue;
        f64blob_encode(s->values, n, w->blob);
        sqlite3_bind_int64(w->insert_chunk, 1, w->first_counter_id + (int64_t)i);
        sqlite3_bind_int64(w->insert_chunk, 2, chunk);
        sqlite3_bind_int64(w->insert_chunk, 3, (sqlite3_int64)n);
        sqlite3_bind_blob(w->insert_chunk, 4, w->blob, (int)(8 * n), SQLITE_STATIC);
        int rc = sqlite3_step(w->insert_chunk);
        sqlite3_reset(w->insert_chunk);
        if (rc != SQLITE_DONE)
            return store_fail(w->db, w->diags, "cannot store counter values");
        fill_missing(s->values, w->chunk_rows);
        s->in_chunk = false;
    }
    return STATUS_OK;
}

/* The first row fixes the chunk length from the file's width. */
static void start_chunks(counter_writer *w)
{
    size_t rows = w->count ? BUFFER_VALUES / w->count : LONG_FORMAT_CHUNK_ROWS;
    w->chunk_rows = rows < MIN_CHUNK_ROWS ? MIN_CHUNK_ROWS
                    : rows > MAX_CHUNK_ROWS ? MAX_CHUNK_ROWS
                                            : rows;
    w->blob = xmalloc(8 * w->chunk_rows);
    for (size_t i = 0; i < w->count; i++) {
        w->slots[i].values = xreallocarray(NULL, w->chunk_rows, sizeof(double));
        fill_missing(w->slots[i].values, w->chunk_rows);
    }
}

static int sink_row(void *ctx, int64_t t_ns, const char *local_time)
{
    counter_writer *w = ctx;
    if (!w->chunk_rows)
        start_chunks(w);
    else if (w->rows % (long long)w->chunk_rows == 0 && flush_chunk(w))
        return STATUS_FAILURE;
    sqlite3_bind_int64(w->insert_row, 1, w->file_id);
    sqlite3_bind_int64(w->insert_row, 2, w->rows);
    sqlite3_bind_int64(w->insert_row, 3, t_ns);
    sqlite3_bind_text(w->insert_row, 4, local_time, -1, SQLITE_STATIC);
    int rc = sqlite3_step(w->insert_row);
    sqlite3_reset(w->insert_row);
    if (rc != SQLITE_DONE)
        return store_fail(w->db, w->diags, "cannot store a counter timestamp");
    w->rows++;
    return STATUS_OK;
}

static int sink_value(void *ctx, size_t index, double value)
{
    counter_writer *w = ctx;
    if (index >= w->count || w->rows == 0 || isnan(value))
        return STATUS_OK; /* readers never do this; missing stays missing */
    counter_slot *s = &w->slots[index];
    s->values[(w->rows - 1) % (long long)w->chunk_rows] = value;
    s->in_chunk = true;
    if (s->samples++ == 0) {
        s->min = s->max = value;
    } else {
        s->min = value < s->min ? value : s->min;
        s->max = value > s->max ? value : s->max;
    }
    /* Neumaier's compensated sum keeps the mean exact enough for big counters. */
    double t = s->sum + value;
    s->sum_comp += fabs(s->sum) >= fabs(value) ? (s->sum - t) + value : (value - t) + s->sum;
    s->sum = t;
    return STATUS_OK;
}

static int insert_counters(counter_writer *w)
{
    sqlite3_stmt *stmt;
    if (store_prepare(w->db,
                      "INSERT INTO counter (counter_id, file_id, path, machine, object, parent, "
                      "instance, instance_index, name, vm, samples, min, mean, max) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      &stmt, w->diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < w->count && !status; i++) {
        const counter_slot *s = &w->slots[i];
        sqlite3_bind_int64(stmt, 1, w->first_counter_id + (int64_t)i);
        sqlite3_bind_int64(stmt, 2, w->file_id);
        sqlite3_bind_text(stmt, 3, s->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, s->machine, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, s->object, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, s->parent, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, s->instance, -1, SQLITE_STATIC);
        if (s->instance_index >= 0)
            sqlite3_bind_int(stmt, 8, s->instance_index);
        else
            sqlite3_bind_null(stmt, 8);
        sqlite3_bind_text(stmt, 9, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, s->vm, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 11, s->samples);
        if (s->samples) {
            sqlite3_bind_double(stmt, 12, s->min);
            sqlite3_bind_double(stmt, 13, (s->sum + s->sum_comp) / (double)s->samples);
            sqlite3_bind_double(stmt, 14, s->max);
        } else {
            for (int k = 12; k <= 14; k++)
                sqlite3_bind_null(stmt, k);
        }
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(w->db, w->diags, "cannot store a counter");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The machine most of the file's counter paths name, or NULL. Borrowed.
 * Sorting the names makes this O(n log n) however many machines share a
 * file. */
static const char *main_machine(const counter_writer *w)
{
    const char **names = xreallocarray(NULL, w->count + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < w->count; i++)
        if (w->slots[i].machine)
            names[n++] = w->slots[i].machine;
    qsort(names, n, sizeof *names, compare_strings);
    const char *best = NULL;
    size_t best_count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(names[j], names[i]) == 0)
            j++;
        if (j - i > best_count) {
            best = names[i];
            best_count = j - i;
        }
        i = j;
    }
    free(names);
    return best;
}

/* Whether a machine name in a counter path is the run's machine `name`:
 * equal ignoring case, or equal up to a domain suffix (esxhost vs
 * esxhost.lab.local). */
static bool same_machine(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return false;
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    if (strcasecmp(a, b) == 0)
        return true;
    return la == lb && strncasecmp(a, b, la) == 0 && (a[la] == '\0' || b[lb] == '\0');
}

/* The folder component "host" or "guest" in path's directories, or NULL. */
static const char *side_folder(const char *path)
{
    const char *end = strrchr(path, '/');
    const char *p = path;
    while (end && p < end) {
        const char *slash = strchr(p, '/');
        size_t len = (size_t)(slash - p);
        if (len == 4 && strncasecmp(p, "host", 4) == 0)
            return "host";
        if (len == 5 && strncasecmp(p, "guest", 5) == 0)
            return "guest";
        p = slash + 1;
    }
    return NULL;
}

/* Decides the side; *reason receives a new string. */
static const char *decide_side(sqlite3 *db, const counter_writer *w, const char *machine,
                               char **reason)
{
    sqlite3_stmt *stmt;
    char *host = NULL, *guest = NULL;
    if (sqlite3_prepare_v2(db, "SELECT host, guest FROM run WHERE run_id = ?", -1, &stmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, w->run_id);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            host = dup_or_null((const char *)sqlite3_column_text(stmt, 0));
            guest = dup_or_null((const char *)sqlite3_column_text(stmt, 1));
        }
    }
    sqlite3_finalize(stmt);
    const char *side = "unknown";
    const char *folder = side_folder(w->path);
    if (same_machine(machine, host)) {
        side = "host";
        *reason = xasprintf("its counters are of machine '%s', the run's host", machine);
    } else if (same_machine(machine, guest)) {
        side = "guest";
        *reason = xasprintf("its counters are of machine '%s', the run's guest", machine);
    } else if (folder) {
        side = folder;
        *reason = xasprintf("it is in a %s/ folder", folder);
    } else if (strcmp(w->kind, "esxtop") == 0 || strcmp(w->kind, "virt-top") == 0) {
        side = "host";
        *reason = xasprintf("%s runs on the host", w->kind);
    } else if (strcmp(w->kind, "fio") == 0) {
        side = "guest";
        *reason = xstrdup("fio measures its I/O from inside the system under test");
    } else {
        *reason = xstrdup("neither its machine nor its folder says; treated as the guest's own");
    }
    free(host);
    free(guest);
    return side;
}

static int insert_counter_file(counter_writer *w)
{
    const char *machine = main_machine(w);
    char *reason = NULL;
    const char *side = decide_side(w->db, w, machine, &reason);
    if (strcmp(side, "unknown") == 0)
        diag_add(w->diags, DIAG_WARNING, w->path, 0, 0,
                 "cannot tell whether this file was measured on the host or in a guest: name its "
                 "machine%s%s%s as host or guest in run.ini, or put it in a host/ or guest/ "
                 "folder; until then its counters count as the guest's own, which the host "
                 "cannot confirm",
                 machine ? " '" : "", machine ? machine : "", machine ? "'" : "");
    sqlite3_stmt *stmt;
    int status = store_prepare(w->db,
                               "INSERT INTO counter_file (file_id, side, side_reason, machine, "
                               "encoding, time_zone, bias_minutes, description, rows, chunk_rows) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?)",
                               &stmt, w->diags);
    if (!status) {
        sqlite3_bind_int64(stmt, 1, w->file_id);
        sqlite3_bind_text(stmt, 2, side, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, machine, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, w->encoding, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, w->time_zone, -1, SQLITE_STATIC);
        if (w->has_bias)
            sqlite3_bind_int(stmt, 7, w->bias_minutes);
        else
            sqlite3_bind_null(stmt, 7);
        sqlite3_bind_text(stmt, 8, w->description, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 9, w->rows);
        sqlite3_bind_int64(stmt, 10, (sqlite3_int64)w->chunk_rows);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(w->db, w->diags, "cannot record the counter file");
        sqlite3_finalize(stmt);
    }
    free(reason);
    return status;
}

static void writer_clear(counter_writer *w)
{
    for (size_t i = 0; i < w->count; i++) {
        counter_slot *s = &w->slots[i];
        free(s->path);
        free(s->machine);
        free(s->object);
        free(s->parent);
        free(s->instance);
        free(s->name);
        free(s->vm);
        free(s->values);
    }
    free(w->slots);
    free(w->kind);
    free(w->encoding);
    free(w->time_zone);
    free(w->description);
    free(w->blob);
    sqlite3_finalize(w->insert_row);
    sqlite3_finalize(w->insert_chunk);
    memset(w, 0, sizeof *w);
}

/* Stores what the reader gave once it finished without errors. */
static int complete_file(counter_writer *w, const counter_read_result *rr,
                         ingest_file_result *result, diag_list *diags)
{
    if (!w->file_id) {
        diag_add(diags, DIAG_ERROR, w->path, 0, 0, "no counters read");
        return STATUS_BAD_INPUT;
    }
    if (w->chunk_rows == 0)
        start_chunks(w); /* a file of counters without rows */
    int status = flush_chunk(w);
    if (!status)
        status = insert_counters(w);
    if (!status)
        status = insert_counter_file(w);
    if (status)
        return status;
    char *copy = source_file_with_digest(w->db, w->run_id, rr->sha256);
    if (copy) {
        source_file_note_copy(diags, w->path, copy);
        free(copy);
        result->outcome = INGEST_DUPLICATE;
        return STATUS_OK;
    }
    return source_file_complete(w->db, w->file_id, rr->sha256, rr->size, 0, 0, 0, diags);
}

int counter_store_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                       const char *path, counter_read_fn read, const counter_options *opts,
                       ingest_file_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    result->outcome = INGEST_REJECTED;
    run_spec lone = *spec;
    if (!lone.name)
        lone.name = fallback_name;
    result->run = xstrdup(lone.name);
    source_file_prior prior = {0};
    file_guard guard = {.fd = -1};
    int status = file_guard_open(&guard, path, diags);
    source_file_verdict verdict = SOURCE_FILE_NEW;
    if (!status)
        verdict = source_file_admit(db, lone.name, path, lone.changed, &prior, diags);
    if (status || verdict != SOURCE_FILE_NEW) {
        file_guard_close(&guard);
        if (verdict == SOURCE_FILE_COPY)
            result->outcome = INGEST_DUPLICATE;
        else if (verdict == SOURCE_FILE_FAILED)
            result->outcome = INGEST_FAILED;
        return verdict == SOURCE_FILE_REFUSED ? STATUS_BAD_INPUT
               : verdict == SOURCE_FILE_FAILED ? STATUS_FAILURE
                                                : status;
    }
    if (store_exec(db, "BEGIN IMMEDIATE", diags)) {
        file_guard_close(&guard);
        source_file_prior_clear(&prior);
        result->outcome = INGEST_FAILED;
        return STATUS_FAILURE;
    }
    run_record run;
    status = run_record_ensure(db, &lone, &run, diags);
    counter_writer w = {.db = db, .diags = diags, .path = path, .run_id = run.run_id};
    run_record_clear(&run);
    counter_read_result rr = {0};
    if (!status) {
        counter_sink sink = {&w, sink_file, sink_counter, sink_row, sink_value};
        status = read(path, opts, &sink, &rr, diags);
        if (!status && rr.errors)
            status = STATUS_BAD_INPUT;
        /* A file that changed while it was read is refused as such, even when
         * the read found errors: they may be the change's doing. */
        if (status != STATUS_FAILURE)
            status = status_worst(status,
                                  file_guard_check(&guard, path, status ? -1 : rr.size, diags));
        if (!status) {
            result->outcome = INGEST_STORED;
            status = complete_file(&w, &rr, result, diags);
        }
    }
    writer_clear(&w);
    if (!status && result->outcome == INGEST_STORED)
        status = source_file_remove(db, &prior, diags);
    if (!status && result->outcome == INGEST_STORED)
        status = store_exec(db, "COMMIT", diags);
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (!status && result->outcome == INGEST_STORED && prior.count) {
        result->replaced = true;
        source_file_note_replaced(diags, path, prior.size, rr.size);
    }
    file_guard_close(&guard);
    source_file_prior_clear(&prior);
    if (status) {
        result->outcome = status == STATUS_FAILURE ? INGEST_FAILED : INGEST_REJECTED;
        return status;
    }
    return STATUS_OK;
}
