#include "series.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "f64blob.h"
#include "glob.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

/* What 100 means in a counter. */
typedef enum unit {
    UNIT_ONE_CPU,   /* one CPU of the host (or a vCPU): % Processor Time of a process, % Used */
    UNIT_ALL_HOST,  /* all the host's CPUs: virt-top %CPU */
    UNIT_ALL_OWN    /* all CPUs of the machine it is read on: Processor(...) counters */
} unit;

/* A stored counter as selection sees it. */
typedef struct candidate {
    int64_t counter_id, file_id;
    char *path, *object, *instance, *name, *vm, *side;
    size_t rows, chunk_rows;
} candidate;

/* Object and counter names that give the CPU of a virtual machine. */
static const struct {
    const char *object, *name;
} vm_cpu_counters[] = {
    {"Group Cpu", "% Used"},
    {"Hyper-V Hypervisor Virtual Processor", "% Guest Run Time"},
    {"Virtual Machines", "CPU Utilization"},
    {"Domain", "%CPU"},
    {"Process", "%CPU"},
};

static unit unit_of(const candidate *c)
{
    if (strcmp(c->object, "Domain") == 0 && strcmp(c->name, "%CPU") == 0)
        return UNIT_ALL_HOST;
    if (strcmp(c->object, "Processor") == 0 || strcmp(c->object, "Processor Information") == 0)
        return UNIT_ALL_OWN;
    if (strcmp(c->object, "CPU") == 0 && c->instance && strcmp(c->instance, "all") == 0)
        return UNIT_ALL_OWN; /* sysstat's and vmstat's CPU(all): % of all the machine's CPUs */
    return UNIT_ONE_CPU;
}

static bool same_name(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static bool is_vm_cpu(const candidate *c, const char *guest)
{
    if (!same_name(c->vm, guest) || strcmp(c->side, "host") != 0)
        return false;
    for (size_t i = 0; i < sizeof vm_cpu_counters / sizeof *vm_cpu_counters; i++)
        if (strcmp(c->object, vm_cpu_counters[i].object) == 0 &&
            strcmp(c->name, vm_cpu_counters[i].name) == 0)
            return true;
    return false;
}

/* Processor(_Total)\% Processor Time of the guest: of a guest-side or
 * unknown-side file, or of any file when the run is native (then the host
 * is the machine under test). */
static bool is_own_total(const candidate *c, bool native)
{
    return (native || strcmp(c->side, "host") != 0) && strcmp(c->object, "Processor") == 0 &&
           c->instance && strcmp(c->instance, "_Total") == 0 &&
           strcmp(c->name, "% Processor Time") == 0;
}

static bool is_vmx_process(const candidate *c)
{
    return strcmp(c->side, "host") == 0 && strcmp(c->object, "Process") == 0 && c->instance &&
           strncmp(c->instance, "vmware-vmx", 10) == 0 && strcmp(c->name, "% Processor Time") == 0;
}

static bool is_ready(const candidate *c, const char *guest)
{
    return strcmp(c->side, "host") == 0 && same_name(c->vm, guest) &&
           strcmp(c->object, "Group Cpu") == 0 && strcmp(c->name, "% Ready") == 0;
}

/* A Linux guest's own steal time (sar/sadf %steal, vmstat st): the time
 * its hypervisor did not run it, which is the ready time the host sees. */
static bool is_guest_steal(const candidate *c)
{
    return strcmp(c->side, "host") != 0 && strcmp(c->object, "CPU") == 0 && c->instance &&
           strcmp(c->instance, "all") == 0 && strcmp(c->name, "%steal") == 0;
}

static char *column_dup(sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    return s ? xstrdup((const char *)s) : NULL;
}

static void candidate_clear(candidate *c)
{
    free(c->path);
    free(c->object);
    free(c->instance);
    free(c->name);
    free(c->vm);
    free(c->side);
}

/* Every counter of the run. */
static int load_candidates(sqlite3 *db, int64_t run_id, candidate **out, size_t *count,
                           diag_list *diags)
{
    sqlite3_stmt *stmt;
    *out = NULL;
    *count = 0;
    if (store_prepare(db,
                      "SELECT c.counter_id, c.file_id, c.path, c.object, c.instance, c.name, c.vm, "
                      "cf.side, cf.rows, cf.chunk_rows FROM counter c JOIN counter_file cf "
                      "USING (file_id) JOIN source_file f USING (file_id) WHERE f.run_id = ? "
                      "ORDER BY c.file_id, c.counter_id",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        *out = xreallocarray(*out, *count + 1, sizeof **out);
        candidate *c = &(*out)[(*count)++];
        c->counter_id = sqlite3_column_int64(stmt, 0);
        c->file_id = sqlite3_column_int64(stmt, 1);
        c->path = column_dup(stmt, 2);
        c->object = column_dup(stmt, 3);
        c->instance = column_dup(stmt, 4);
        c->name = column_dup(stmt, 5);
        c->vm = column_dup(stmt, 6);
        c->side = column_dup(stmt, 7);
        c->rows = (size_t)sqlite3_column_int64(stmt, 8);
        c->chunk_rows = (size_t)sqlite3_column_int64(stmt, 9);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

/* Marks the candidates of the series in chosen[]; returns how many. */
static size_t choose(const candidate *c, size_t count, series_kind kind, const run_settings *s,
                     bool *chosen, diag_list *notes, const char *run_name)
{
    const char *pattern = kind == SERIES_HOST_CPU    ? s->host_counter
                          : kind == SERIES_GUEST_CPU ? s->guest_counter
                                                     : s->ready_counter;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (pattern)
            chosen[i] = glob_match(pattern, c[i].path);
        else if (kind == SERIES_HOST_CPU)
            chosen[i] = !s->native && is_vm_cpu(&c[i], s->guest_name);
        else if (kind == SERIES_GUEST_CPU)
            chosen[i] = is_own_total(&c[i], s->native);
        else
            chosen[i] = is_ready(&c[i], s->guest_name);
        n += chosen[i];
    }
    if (!n && !pattern && kind == SERIES_READY && !s->native) {
        /* No host-side ready counter: a Linux guest's steal time is it. */
        for (size_t i = 0; i < count; i++) {
            chosen[i] = is_guest_steal(&c[i]);
            if (chosen[i] && !n)
                diag_add(notes, DIAG_NOTE, run_name, 0, 0,
                         "ready time taken from the guest's steal time '%s': the time its "
                         "hypervisor did not run it, as the guest itself counts it",
                         c[i].path);
            n += chosen[i];
        }
        return n;
    }
    if (n || pattern || kind != SERIES_HOST_CPU || s->native)
        return n;
    /* A VMware host with one VM process: that process is the guest. */
    size_t vmx = 0, which = 0;
    for (size_t i = 0; i < count; i++)
        if (is_vmx_process(&c[i])) {
            vmx++;
            which = i;
        }
    if (vmx == 1) {
        chosen[which] = true;
        diag_add(notes, DIAG_NOTE, run_name, 0, 0,
                 "host CPU of the guest taken from '%s', the host's only vmware-vmx process; "
                 "name the counter with host_counter in run.ini to be sure",
                 c[which].path);
        return 1;
    }
    return 0;
}

/* Reads a counter's values (NaN where missing) into v[0..rows). */
static int read_values(sqlite3 *db, const candidate *c, double *v, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT chunk, n, vals FROM counter_chunk WHERE counter_id = ?", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, c->counter_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        size_t start = (size_t)sqlite3_column_int64(stmt, 0) * c->chunk_rows;
        size_t n = (size_t)sqlite3_column_int64(stmt, 1);
        const unsigned char *blob = sqlite3_column_blob(stmt, 2);
        size_t bytes = (size_t)sqlite3_column_bytes(stmt, 2);
        for (size_t i = 0; i < n && 8 * i + 8 <= bytes && start + i < c->rows; i++)
            v[start + i] = f64blob_get(blob, i);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

static int read_times(sqlite3 *db, int64_t file_id, size_t rows, int64_t *t, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT row, t_ns FROM counter_row WHERE file_id = ?", &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, file_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        size_t row = (size_t)sqlite3_column_int64(stmt, 0);
        if (row < rows)
            t[row] = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

/* How much one point of the counter is in % of the guest's vCPUs; 0 when
 * it cannot be scaled. */
static double scale_of(const candidate *c, const run_settings *s)
{
    switch (unit_of(c)) {
    case UNIT_ALL_OWN:
        return 1;
    case UNIT_ALL_HOST:
        return s->host_cpus > 0 ? s->host_cpus / s->vcpus : 0;
    case UNIT_ONE_CPU:
        break;
    }
    return 1 / s->vcpus;
}

/* Adds one file's chosen counters, summed per row, to the series. */
static int add_file(sqlite3 *db, const candidate *c, const bool *chosen, size_t from, size_t to,
                    const run_settings *s, series *out, diag_list *diags)
{
    size_t rows = c[from].rows;
    double *sum = xreallocarray(NULL, rows ? rows : 1, sizeof *sum);
    double *v = xreallocarray(NULL, rows ? rows : 1, sizeof *v);
    int64_t *t = xreallocarray(NULL, rows ? rows : 1, sizeof *t);
    for (size_t r = 0; r < rows; r++)
        sum[r] = NAN;
    int status = read_times(db, c[from].file_id, rows, t, diags);
    for (size_t i = from; i < to && !status; i++) {
        double scale = scale_of(&c[i], s);
        if (!chosen[i] || scale == 0)
            continue;
        for (size_t r = 0; r < rows; r++)
            v[r] = NAN;
        status = read_values(db, &c[i], v, diags);
        for (size_t r = 0; r < rows && !status; r++)
            if (!isnan(v[r]))
                sum[r] = (isnan(sum[r]) ? 0 : sum[r]) + v[r] * scale;
    }
    out->t = xreallocarray(out->t, out->n + rows + 1, sizeof *out->t);
    out->v = xreallocarray(out->v, out->n + rows + 1, sizeof *out->v);
    for (size_t r = 0; r < rows && !status; r++) {
        if (isnan(sum[r]))
            continue;
        out->t[out->n] = t[r];
        out->v[out->n++] = sum[r];
    }
    free(sum);
    free(v);
    free(t);
    return status;
}

/* Sorts rows by time (files may come in any order). */
static void sort_rows(series *s)
{
    /* Insertion sort: rows arrive sorted within each file, so this is
     * linear unless files interleave. */
    for (size_t i = 1; i < s->n; i++) {
        int64_t t = s->t[i];
        double v = s->v[i];
        size_t j = i;
        while (j > 0 && s->t[j - 1] > t) {
            s->t[j] = s->t[j - 1];
            s->v[j] = s->v[j - 1];
            j--;
        }
        s->t[j] = t;
        s->v[j] = v;
    }
}

static char *describe(const candidate *c, const bool *chosen, size_t count, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (chosen[i])
            return n == 1 ? xstrdup(c[i].path)
                          : xasprintf("%zu counters summed per file, first '%s'", n, c[i].path);
    return NULL;
}

int series_load(sqlite3 *db, int64_t run_id, const char *run_name, series_kind kind,
                const run_settings *settings, series *out, diag_list *notes)
{
    memset(out, 0, sizeof *out);
    candidate *c;
    size_t count;
    if (load_candidates(db, run_id, &c, &count, notes))
        return STATUS_FAILURE;
    bool *chosen = xcalloc(count + 1, sizeof *chosen);
    size_t n = choose(c, count, kind, settings, chosen, notes, run_name);
    int status = STATUS_OK;
    for (size_t i = 0; i < count && !status;) {
        size_t j = i;
        bool any = false;
        while (j < count && c[j].file_id == c[i].file_id)
            any |= chosen[j++];
        if (any)
            status = add_file(db, c, chosen, i, j, settings, out, notes);
        i = j;
    }
    if (!status && n)
        out->description = describe(c, chosen, count, n);
    sort_rows(out);
    series_set_interval(out);
    for (size_t i = 0; i < count; i++)
        candidate_clear(&c[i]);
    free(c);
    free(chosen);
    return status;
}

static int spacing_order(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void series_set_interval(series *s)
{
    s->interval = 0;
    if (s->n < 2)
        return;
    size_t m = s->n - 1;
    int64_t *d = xreallocarray(NULL, m, sizeof *d);
    for (size_t i = 0; i < m; i++)
        d[i] = s->t[i + 1] - s->t[i];
    qsort(d, m, sizeof *d, spacing_order);
    /* An even count takes the mean of the middle two. */
    s->interval = m % 2 ? d[m / 2] : d[m / 2 - 1] + (d[m / 2] - d[m / 2 - 1]) / 2;
    free(d);
}

void series_clear(series *s)
{
    free(s->t);
    free(s->v);
    free(s->description);
    memset(s, 0, sizeof *s);
}

long series_cover(const series *s, int64_t t, long hint)
{
    if (s->n == 0)
        return -1;
    size_t i;
    if (hint >= 0 && (size_t)hint < s->n && s->t[hint] >= t &&
        (hint == 0 || s->t[hint - 1] < t)) {
        i = (size_t)hint;
    } else if (hint >= 0 && (size_t)hint + 1 < s->n && s->t[hint] < t && s->t[hint + 1] >= t) {
        i = (size_t)hint + 1;
    } else {
        /* The first row at or after t. */
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->t[mid] < t)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == s->n)
            return -1;
        i = lo;
    }
    if (i == 0) {
        /* The first row covers the series' interval before it. */
        if (t <= s->t[0] - s->interval)
            return -1;
    }
    return (long)i;
}
