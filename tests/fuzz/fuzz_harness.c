/* The shared part of the fuzz targets: an input goes into a file in a
 * scratch run folder, `p3 ingest` (ingest_paths(), as the command line calls
 * it) reads it into an in-memory store, and what came of it is checked
 * against the promises of the README and of ingest.h:
 *
 *  - nothing is left half done: no transaction open, no store failure on a
 *    store that cannot fail (in memory), no file both stored and in error;
 *  - a refused file stores nothing: no source_file row and no row in any
 *    table a file fills (nor the run, when no run.ini made it);
 *  - an accepted file is stored as the reader reported it: one source_file
 *    row with the file's size and SHA-256, as many samples as the result
 *    says (and source_file.samples and its sample_id range agree), samples
 *    within the documented ranges, counter rows and values as counted, and
 *    ingesting it again changes nothing;
 *  - every diagnostic names the file (path:line:col, or path:line), with
 *    the line and column inside the file, and its message has no raw
 *    control bytes or invalid UTF-8 from the input.
 *
 * The store is reset between inputs from a pristine copy (SQLite's backup
 * API), so every input meets an empty store of the current schema. */
#define _XOPEN_SOURCE 700 /* nftw() */
#include "fuzz_harness.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fio_reader.h"
#include "loadtest_ingest.h"
#include "pdh_reader.h"
#include "probe_reader.h"
#include "schedule_ingest.h"
#include "sha256.h"
#include "f64blob.h"
#include "status.h"
#include "store.h"
#include "sysstat_reader.h"
#include "virttop_reader.h"
#include "vmstat_reader.h"
#include "xalloc.h"

/* Bytes ingest reads to recognise a format (ingest.c's SNIFF_BYTES). */
#define FUZZ_SNIFF_BYTES 4096

/* The tables a data file fills; a refused file leaves each of them empty
 * (the store starts empty for every input). */
static const char *const file_tables[] = {
    "source_file", "file_meta",     "sample",   "counter_file", "counter_row",
    "counter",     "counter_chunk", "schedule", "aggregate",    "aggregate_quantile",
};
/* The tables a run's description fills: empty too unless a run.ini was
 * read (a lone file's run is created with its content, in its transaction). */
static const char *const run_tables[] = {"run", "run_level", "run_meta"};

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

/* ---- failing ------------------------------------------------------------ */

void fuzz_fail(const char *what, const diag_list *diags, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz invariant broken (%s): ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    for (size_t i = 0; diags && i < diag_list_count(diags); i++) {
        char *line = diag_format(diag_list_get(diags, i));
        fprintf(stderr, "  diag: %s\n", line);
        free(line);
    }
    fflush(stderr);
    abort();
}

/* ---- the scratch folder ---------------------------------------------------- */

static char *scratch;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_scratch(void)
{
    if (scratch)
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_scratch_dir(void)
{
    if (scratch)
        return scratch;
    /* A memory file system when there is one: the targets write a file per
     * input. */
    const char *base = getenv("P3_FUZZ_TMPDIR");
    if (!base || !*base)
        base = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : NULL;
    if (!base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    scratch = xasprintf("%s/p3-fuzz-%ld", base, (long)getpid());
    if (mkdir(scratch, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz: cannot create %s: %s\n", scratch, strerror(errno));
        abort();
    }
    atexit(remove_scratch);
    return scratch;
}

char *fuzz_write_input(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz: cannot create %s: %s\n", dir, strerror(errno));
        abort();
    }
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
    return path;
}

/* ---- the store ------------------------------------------------------------ */

static sqlite3 *work_db;     /* what ingest writes into */
static sqlite3 *pristine_db; /* an empty store of the current schema */

static void close_stores(void)
{
    store_close(work_db);
    store_close(pristine_db);
    work_db = pristine_db = NULL;
}

/* The work store, emptied: a copy of the pristine one. */
static sqlite3 *fresh_store(void)
{
    if (!work_db) {
        diag_list *diags = diag_list_new();
        if (store_open(":memory:", STORE_CREATE, &work_db, diags) ||
            store_open(":memory:", STORE_CREATE, &pristine_db, diags))
            fuzz_fail("store", diags, "cannot open an in-memory store");
        diag_list_free(diags);
        atexit(close_stores);
        return work_db;
    }
    sqlite3_backup *b = sqlite3_backup_init(work_db, "main", pristine_db, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK)
        fuzz_fail("store", NULL, "cannot reset the store: %s", sqlite3_errmsg(work_db));
    return work_db;
}

static long long query_int(sqlite3 *db, const char *sql, const char *text, long long number)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fuzz_fail("store", NULL, "cannot prepare '%s': %s", sql, sqlite3_errmsg(db));
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, number);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long count_rows(sqlite3 *db, const char *table)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fuzz_fail("store", NULL, "cannot prepare '%s': %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    free(sql);
    return n;
}

/* ---- what ingest would make of a file ---------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* As ingest.c's classify(): the same tests in the same order. */
static fuzz_kind classify(const char *path, const load_format **load)
{
    *load = NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "run.ini") == 0)
        return FUZZ_KIND_RUN_INI;
    if (schedule_ingest_is_schedule(path))
        return FUZZ_KIND_SCHEDULE;
    if (has_suffix(path, ".probe"))
        return FUZZ_KIND_PROBE;
    char head[FUZZ_SNIFF_BYTES];
    gzFile gz = gzopen(path, "rb");
    int n = gz ? gzread(gz, head, sizeof head) : -1;
    if (gz)
        gzclose(gz);
    if (n <= 0)
        return FUZZ_KIND_UNKNOWN;
    size_t len = (size_t)n;
    if (probe_reader_sniff(head, len))
        return FUZZ_KIND_PROBE;
    if (pdh_reader_sniff(head, len))
        return FUZZ_KIND_PDH;
    if (sysstat_reader_sniff_sadf(head, len))
        return FUZZ_KIND_SADF;
    if (sysstat_reader_sniff_pidstat(head, len))
        return FUZZ_KIND_PIDSTAT;
    if (virttop_reader_sniff(head, len))
        return FUZZ_KIND_VIRTTOP;
    if (fio_reader_sniff_counters(path, head, len))
        return FUZZ_KIND_FIO_COUNTERS;
    if (vmstat_reader_sniff(head, len))
        return FUZZ_KIND_VMSTAT;
    if ((*load = loadtest_sniff(path, head, len)))
        return FUZZ_KIND_LOADTEST;
    return FUZZ_KIND_UNKNOWN;
}

/* ---- diagnostics ------------------------------------------------------------ */

/* Lines of data as a reader counts them: LF, CRLF or a lone CR each end one. */
static long count_lines(const uint8_t *data, size_t size)
{
    long lf = 0, cr = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            lf++;
        else if (data[i] == '\r')
            cr++;
    }
    return lf + cr + 1;
}

/* Whether s is valid UTF-8 without control characters (tab allowed). */
static bool clean_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return false;
            p++;
            continue;
        }
        int extra = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : -1;
        if (extra < 0 || c > 0xF4)
            return false;
        unsigned cp = c & (0x3F >> extra);
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
            return false;
        p += extra + 1;
    }
    return true;
}

void fuzz_check_diags(const char *what, const diag_list *diags, const char *const *paths,
                      size_t npaths, const uint8_t *data, size_t size, bool binary)
{
    long lines = count_lines(data, size);
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        const diag *d = diag_list_get(diags, i);
        size_t which = npaths;
        for (size_t k = 0; d->path && k < npaths; k++)
            if (strcmp(d->path, paths[k]) == 0)
                which = k;
        if (which == npaths)
            fuzz_fail(what, diags, "diagnostic %zu names no file of the input ('%s')", i,
                      d->path ? d->path : "(null)");
        if (!d->message || !*d->message)
            fuzz_fail(what, diags, "diagnostic %zu has no message", i);
        if (!clean_text(d->message))
            fuzz_fail(what, diags,
                      "diagnostic %zu holds control bytes or invalid UTF-8 (not quoted)", i);
        if (d->line < 0 || d->col < 0 || (d->line == 0 && d->col != 0))
            fuzz_fail(what, diags, "diagnostic %zu has location %ld:%ld", i, d->line, d->col);
        /* Lines and columns of the input itself (paths[0]) must lie within
         * it; decoded text (UTF-16, legacy code pages) may grow up to
         * three bytes a byte. */
        if (which == 0 && !binary && d->line > lines)
            fuzz_fail(what, diags, "diagnostic %zu at line %ld of a file of %ld lines", i,
                      d->line, lines);
        if (which == 0 && !binary && d->col > (long)(3 * size + 2))
            fuzz_fail(what, diags, "diagnostic %zu at column %ld of a file of %zu bytes", i,
                      d->col, size);
    }
}

/* Errors that are about the file as a whole, where no line can be named:
 * positions in binary formats ("at byte N"), damaged compression, reading
 * failures, and something the whole file lacks ("no RUN record: ...").
 * Every other error must name its line. */
static bool whole_file_error(const diag *d)
{
    static const char *const starts[] = {
        "cannot open",          "cannot read",           "cannot decompress",
        "the gzip stream",      "the file changed",      "no ",
    };
    if (strstr(d->message, " at byte "))
        return true;
    for (size_t i = 0; i < COUNT_OF(starts); i++)
        if (strncmp(d->message, starts[i], strlen(starts[i])) == 0)
            return true;
    return false;
}

/* ---- what ingest reported ------------------------------------------------------ */

#define FUZZ_MAX_RESULTS 8

typedef struct reported {
    size_t count;
    struct {
        char *path;
        ingest_outcome outcome;
        long long samples;
        bool replaced;
    } r[FUZZ_MAX_RESULTS];
} reported;

static void on_file(void *ctx, const char *path, const ingest_file_result *result,
                    diag_list *diags)
{
    (void)diags;
    reported *rep = ctx;
    if (rep->count == FUZZ_MAX_RESULTS)
        fuzz_fail("ingest", diags, "more file results than files");
    rep->r[rep->count].path = xstrdup(path);
    rep->r[rep->count].outcome = result->outcome;
    rep->r[rep->count].samples = result->samples;
    rep->r[rep->count].replaced = result->replaced;
    rep->count++;
}

static void reported_clear(reported *rep)
{
    for (size_t i = 0; i < rep->count; i++)
        free(rep->r[i].path);
    rep->count = 0;
}

static const char *outcome_name(ingest_outcome o)
{
    switch (o) {
    case INGEST_STORED:
        return "stored";
    case INGEST_DUPLICATE:
        return "duplicate";
    case INGEST_REJECTED:
        return "rejected";
    case INGEST_IGNORED:
        return "ignored";
    case INGEST_FAILED:
        return "failed";
    }
    return "?";
}

/* ---- checks on what was stored ------------------------------------------------- */

/* A stored file's samples: as many as reported, contiguous, in range. */
static void check_samples(const char *what, sqlite3 *db, int64_t file_id, long long reported_n,
                          const diag_list *diags)
{
    long long n = query_int(db, "SELECT count(*) FROM sample WHERE file_id = ?1", NULL, file_id);
    long long column =
        query_int(db, "SELECT samples FROM source_file WHERE file_id = ?1", NULL, file_id);
    if (n != reported_n || column != reported_n)
        fuzz_fail(what, diags,
                  "samples: ingest reported %lld, the store holds %lld, source_file says %lld",
                  reported_n, n, column);
    if (n > 0) {
        long long span = query_int(db,
                                   "SELECT last_sample - first_sample + 1 FROM source_file "
                                   "WHERE file_id = ?1 AND first_sample = (SELECT min(sample_id) "
                                   "FROM sample WHERE file_id = ?1) AND last_sample = "
                                   "(SELECT max(sample_id) FROM sample WHERE file_id = ?1)",
                                   NULL, file_id);
        if (span != n)
            fuzz_fail(what, diags, "the file's sample_id range does not hold its %lld samples", n);
    }
    long long bad = query_int(
        db,
        "SELECT count(*) FROM sample s JOIN source_file f USING (file_id) WHERE s.file_id = ?1 "
        "AND (typeof(s.delay_ms) <> 'real' AND typeof(s.delay_ms) <> 'integer' "
        "OR s.delay_ms < 0 OR s.delay_ms > 3600000 "
        "OR (s.ok IS NOT NULL AND s.ok NOT IN (0, 1)) "
        "OR (s.weight IS NOT NULL AND NOT (s.weight > 0 AND s.weight < 1e300)) "
        "OR (s.concurrency IS NOT NULL AND s.concurrency < 0) "
        "OR (s.role IS NOT NULL AND s.role NOT IN ('sub', 'transaction')) "
        "OR (s.level IS NOT NULL AND s.level NOT IN "
        "    (SELECT level FROM run_level l WHERE l.run_id = f.run_id)))",
        NULL, file_id);
    if (bad != 0)
        fuzz_fail(what, diags, "%lld stored samples outside the documented ranges", bad);
}

/* A counter file's rows and values: as many as its record says. */
static void check_counters(const char *what, sqlite3 *db, int64_t file_id, const diag_list *diags)
{
    long long rows =
        query_int(db, "SELECT rows FROM counter_file WHERE file_id = ?1", NULL, file_id);
    long long chunk_rows =
        query_int(db, "SELECT chunk_rows FROM counter_file WHERE file_id = ?1", NULL, file_id);
    long long stored =
        query_int(db, "SELECT count(*) FROM counter_row WHERE file_id = ?1", NULL, file_id);
    if (rows < 0 || rows != stored)
        fuzz_fail(what, diags, "counter_file.rows is %lld, the store holds %lld rows", rows,
                  stored);
    long long bad_rows = query_int(db,
                                   "SELECT count(*) FROM counter_row WHERE file_id = ?1 AND "
                                   "(row < 0 OR row >= (SELECT rows FROM counter_file "
                                   "WHERE file_id = ?1))",
                                   NULL, file_id);
    if (bad_rows)
        fuzz_fail(what, diags, "%lld counter rows outside 0..rows-1", bad_rows);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT c.counter_id, c.samples, c.min, c.mean, c.max, k.chunk, k.n, "
                           "k.vals FROM counter c LEFT JOIN counter_chunk k USING (counter_id) "
                           "WHERE c.file_id = ?1 ORDER BY c.counter_id, k.chunk",
                           -1, &st, NULL) != SQLITE_OK)
        fuzz_fail("store", NULL, "cannot prepare: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, file_id);
    int64_t current = -1;
    long long expect = 0, present = 0;
    double min = 0, max = 0, mean = 0;
    bool have_stats = false;
    for (int rc = sqlite3_step(st);; rc = sqlite3_step(st)) {
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
        if (id != current && current != -1) {
            if (present != expect)
                fuzz_fail(what, diags, "counter %lld: samples says %lld, its chunks hold %lld",
                          (long long)current, expect, present);
            if (present > 0 && (!have_stats || !(min <= mean + 1e-9 * (mean < 0 ? -mean : mean) &&
                                                 mean <= max + 1e-9 * (max < 0 ? -max : max))))
                fuzz_fail(what, diags, "counter %lld: min %g, mean %g, max %g", (long long)current,
                          min, mean, max);
        }
        if (rc != SQLITE_ROW)
            break;
        if (id != current) {
            current = id;
            expect = sqlite3_column_int64(st, 1);
            present = 0;
            have_stats = sqlite3_column_type(st, 2) != SQLITE_NULL &&
                         sqlite3_column_type(st, 3) != SQLITE_NULL &&
                         sqlite3_column_type(st, 4) != SQLITE_NULL;
            min = sqlite3_column_double(st, 2);
            mean = sqlite3_column_double(st, 3);
            max = sqlite3_column_double(st, 4);
        }
        if (sqlite3_column_type(st, 5) == SQLITE_NULL)
            continue; /* a counter without chunks */
        long long chunk = sqlite3_column_int64(st, 5), n = sqlite3_column_int64(st, 6);
        const unsigned char *vals = sqlite3_column_blob(st, 7);
        int bytes = sqlite3_column_bytes(st, 7);
        if (n < 1 || n > chunk_rows || bytes != n * 8 || chunk * chunk_rows + n > rows)
            fuzz_fail(what, diags, "counter %lld chunk %lld: %lld values in %d bytes, %lld rows",
                      (long long)id, chunk, n, bytes, rows);
        for (long long k = 0; k < n; k++)
            present += f64blob_get(vals, (size_t)k) == f64blob_get(vals, (size_t)k);
    }
    sqlite3_finalize(st);
}

/* Aggregates (Locust): counts that can be. */
static void check_aggregates(const char *what, sqlite3 *db, int64_t file_id,
                             const diag_list *diags)
{
    long long bad = query_int(db,
                              "SELECT count(*) FROM aggregate WHERE file_id = ?1 AND "
                              "(requests < 0 OR failures < 0 OR failures > requests "
                              "OR (span_ns IS NOT NULL AND span_ns <= 0) "
                              "OR (concurrency IS NOT NULL AND concurrency < 0) "
                              "OR (mean_ms IS NOT NULL AND "
                              "    NOT (mean_ms >= 0 AND mean_ms < 1e300)))",
                              NULL, file_id);
    long long bad_q = query_int(db,
                                "SELECT count(*) FROM aggregate_quantile q JOIN aggregate a "
                                "USING (aggregate_id) WHERE a.file_id = ?1 AND (q.q <= 0 OR "
                                "q.q > 1000000 OR NOT (q.value_ms >= 0 AND q.value_ms < 1e300))",
                                NULL, file_id);
    if (bad || bad_q)
        fuzz_fail(what, diags, "%lld aggregates and %lld quantiles out of range", bad, bad_q);
}

/* Schedule intervals: end after start, none overlapping. */
static void check_schedule(const char *what, sqlite3 *db, int64_t file_id, const diag_list *diags)
{
    long long bad = query_int(db,
                              "SELECT count(*) FROM schedule a WHERE a.file_id = ?1 AND "
                              "(a.end_ns <= a.start_ns OR EXISTS (SELECT 1 FROM schedule b "
                              "WHERE b.file_id = a.file_id AND b.rowid <> a.rowid AND "
                              "b.start_ns < a.end_ns AND a.start_ns < b.end_ns))",
                              NULL, file_id);
    if (bad)
        fuzz_fail(what, diags, "%lld schedule intervals empty or overlapping", bad);
}

static void sha256_hex(const uint8_t *data, size_t size, char hex[65])
{
    sha256 ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data, size);
    sha256_final_hex(&ctx, hex);
}

/* The stored record of the file at path, checked against its bytes;
 * returns its file_id. */
static int64_t check_source_file(const char *what, sqlite3 *db, const char *path,
                                 const uint8_t *data, size_t size, const diag_list *diags)
{
    long long rows = query_int(db, "SELECT count(*) FROM source_file WHERE path = ?1", path, 0);
    if (rows != 1)
        fuzz_fail(what, diags, "a stored file has %lld source_file rows", rows);
    int64_t file_id = query_int(db, "SELECT file_id FROM source_file WHERE path = ?1", path, 0);
    char hex[65];
    sha256_hex(data, size, hex);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT size, sha256 FROM source_file WHERE file_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        fuzz_fail("store", NULL, "cannot prepare: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, file_id);
    if (sqlite3_step(st) != SQLITE_ROW)
        fuzz_fail(what, diags, "source_file row vanished");
    long long stored_size = sqlite3_column_int64(st, 0);
    const char *stored_sha = (const char *)sqlite3_column_text(st, 1);
    bool same = stored_size == (long long)size && stored_sha && strcmp(stored_sha, hex) == 0;
    char *copy = xstrdup(stored_sha ? stored_sha : "(null)");
    sqlite3_finalize(st);
    if (!same)
        fuzz_fail(what, diags, "source_file records %lld bytes, sha256 %s; the file has %zu, %s",
                  stored_size, copy, size, hex);
    free(copy);
    return file_id;
}

/* Every table's row count, to see that a second ingest changes nothing. */
static void snapshot(sqlite3 *db, long long *counts)
{
    size_t k = 0;
    for (size_t i = 0; i < COUNT_OF(file_tables); i++)
        counts[k++] = count_rows(db, file_tables[i]);
    for (size_t i = 0; i < COUNT_OF(run_tables); i++)
        counts[k++] = count_rows(db, run_tables[i]);
}

/* ---- the target -------------------------------------------------------------------- */

static bool kind_fits(const fuzz_ingest_target *t, fuzz_kind kind, const load_format *load)
{
    if (kind != t->kind && (t->kind2 == FUZZ_KIND_UNKNOWN || kind != t->kind2))
        return false;
    return kind != FUZZ_KIND_LOADTEST || (load && strcmp(load->name, t->load_format) == 0);
}

int fuzz_ingest_one(const fuzz_ingest_target *t, const uint8_t *data, size_t size)
{
    if (t->first_byte == 0 && (size == 0 || data[0] != 0))
        return -1;
    if (t->first_byte == 1 && size > 0 && data[0] == 0)
        return -1;
    const char *what = t->file_name;
    char *dir = xasprintf("%s/run", fuzz_scratch_dir());
    char *path = fuzz_write_input(dir, t->file_name, data, size);
    char *companion = NULL;
    if (t->companion_name) {
        free(fuzz_write_input(dir, t->companion_name, (const uint8_t *)t->companion_text,
                              strlen(t->companion_text)));
        companion = xasprintf("%s/%s", dir, t->companion_name);
    }
    const load_format *load;
    fuzz_kind kind = classify(path, &load);
    int verdict = -1;
    if (!kind_fits(t, kind, load))
        goto out;
    verdict = 0;

    sqlite3 *db = fresh_store();
    diag_list *diags = diag_list_new();
    reported rep = {0};
    ingest_totals totals;
    const char *arg = companion ? dir : path;
    int status = ingest_paths(db, &arg, 1, &t->options, on_file, &rep, &totals, diags);

    char *ini_path = xasprintf("%s/run.ini", dir);
    const char *paths[] = {path, dir, ini_path, companion};
    bool binary = t->first_byte == 0 || (size >= 2 && data[0] == 0x1f && data[1] == 0x8b);
    fuzz_check_diags(what, diags, paths, companion ? 4 : 3, data, size, binary);
    if (!sqlite3_get_autocommit(db))
        fuzz_fail(what, diags, "ingest left a transaction open");
    if (status == STATUS_FAILURE)
        fuzz_fail(what, diags, "ingest failed (status 3) on an in-memory store");

    /* The input's own result. A rejected run.ini is reported under its
     * path, and then nothing else of the folder is read. */
    size_t mine = rep.count;
    bool ini_rejected = false;
    for (size_t i = 0; i < rep.count; i++) {
        if (strcmp(rep.r[i].path, path) == 0) {
            if (mine != rep.count)
                fuzz_fail(what, diags, "the file was reported twice");
            mine = i;
        }
        if (strcmp(rep.r[i].path, ini_path) == 0 && rep.r[i].outcome == INGEST_REJECTED)
            ini_rejected = true;
    }
    bool is_ini = kind == FUZZ_KIND_RUN_INI;
    if (is_ini && !ini_rejected && mine != rep.count)
        fuzz_fail(what, diags, "an accepted run.ini was reported as %s",
                  outcome_name(rep.r[mine].outcome));
    if (!is_ini && mine == rep.count)
        fuzz_fail(what, diags, "ingest reported nothing about the file");
    ingest_outcome outcome = is_ini ? (ini_rejected ? INGEST_REJECTED : INGEST_STORED)
                                    : rep.r[mine].outcome;
    if (outcome != INGEST_STORED && outcome != INGEST_REJECTED)
        fuzz_fail(what, diags, "a new file in an empty store came out %s", outcome_name(outcome));

    /* Totals and status agree with the results. */
    long long stored = 0, rejected = 0, samples = 0;
    for (size_t i = 0; i < rep.count; i++) {
        stored += rep.r[i].outcome == INGEST_STORED;
        rejected += rep.r[i].outcome == INGEST_REJECTED;
        if (rep.r[i].outcome == INGEST_STORED)
            samples += rep.r[i].samples;
        if (rep.r[i].replaced)
            fuzz_fail(what, diags, "a file replaced something in an empty store");
    }
    if (totals.stored != stored || totals.rejected != rejected || totals.samples != samples)
        fuzz_fail(what, diags,
                  "totals (stored %ld, rejected %ld, samples %lld) differ from the results "
                  "(%lld, %lld, %lld)",
                  totals.stored, totals.rejected, totals.samples, stored, rejected, samples);
    if ((status == STATUS_OK) != (rejected == 0))
        fuzz_fail(what, diags, "status %d with %lld files rejected", status, rejected);

    if (outcome == INGEST_REJECTED) {
        size_t errors = 0;
        for (size_t i = 0; i < diag_list_count(diags); i++) {
            const diag *d = diag_list_get(diags, i);
            if (d->severity != DIAG_ERROR)
                continue;
            errors++;
            if (d->line < 1 && !whole_file_error(d))
                fuzz_fail(what, diags, "error %zu names no line: '%s'", i, d->message);
        }
        if (!errors)
            fuzz_fail(what, diags, "a file was refused without an error");
        if (query_int(db, "SELECT count(*) FROM source_file WHERE path = ?1", path, 0) != 0)
            fuzz_fail(what, diags, "a refused file has a source_file row");
        /* Nothing of the file; and nothing at all when nothing else went in
         * (a companion may have gone in, or the run.ini made the run). */
        bool others = false;
        for (size_t i = 0; i < rep.count; i++)
            others |= i != mine && rep.r[i].outcome == INGEST_STORED;
        bool run_made = companion && !ini_rejected && !is_ini;
        for (size_t i = 0; i < COUNT_OF(file_tables) && !others; i++)
            if (count_rows(db, file_tables[i]) != 0)
                fuzz_fail(what, diags, "a refused file left %lld rows in %s",
                          count_rows(db, file_tables[i]), file_tables[i]);
        for (size_t i = 0; i < COUNT_OF(run_tables) && !others && !run_made; i++)
            if (count_rows(db, run_tables[i]) != 0)
                fuzz_fail(what, diags, "a refused file left %lld rows in %s",
                          count_rows(db, run_tables[i]), run_tables[i]);
    } else if (!is_ini) {
        if (diag_list_errors(diags))
            fuzz_fail(what, diags, "a stored file has errors");
        int64_t file_id = check_source_file(what, db, path, data, size, diags);
        check_samples(what, db, file_id, rep.r[mine].samples, diags);
        if (query_int(db, "SELECT count(*) FROM counter_file WHERE file_id = ?1", NULL, file_id))
            check_counters(what, db, file_id, diags);
        check_aggregates(what, db, file_id, diags);
        check_schedule(what, db, file_id, diags);
    } else if (query_int(db, "SELECT count(*) FROM run", NULL, 0) != 1) {
        fuzz_fail(what, diags, "an accepted run.ini made %lld runs",
                  query_int(db, "SELECT count(*) FROM run", NULL, 0));
    }
    /* A companion that went in is held to the same promises. */
    for (size_t i = 0; companion && i < rep.count; i++)
        if (strcmp(rep.r[i].path, companion) == 0 && rep.r[i].outcome == INGEST_STORED) {
            int64_t file_id = check_source_file(what, db, companion,
                                                (const uint8_t *)t->companion_text,
                                                strlen(t->companion_text), diags);
            check_samples(what, db, file_id, rep.r[i].samples, diags);
        }

    /* The same input again changes nothing (the README: "Running it again
     * on the same inputs changes nothing"). */
    if (outcome == INGEST_STORED) {
        long long before[COUNT_OF(file_tables) + COUNT_OF(run_tables)];
        long long after[COUNT_OF(file_tables) + COUNT_OF(run_tables)];
        snapshot(db, before);
        reported again = {0};
        diag_list *diags2 = diag_list_new();
        int status2 = ingest_paths(db, &arg, 1, &t->options, on_file, &again, &totals, diags2);
        snapshot(db, after);
        for (size_t i = 0; i < COUNT_OF(before); i++)
            if (before[i] != after[i])
                fuzz_fail(what, diags2, "ingesting it again changed %s: %lld rows, now %lld",
                          i < COUNT_OF(file_tables) ? file_tables[i]
                                                    : run_tables[i - COUNT_OF(file_tables)],
                          before[i], after[i]);
        if (status2 != status || totals.stored != 0 ||
            diag_list_errors(diags2) != diag_list_errors(diags))
            fuzz_fail(what, diags2, "ingesting it again: status %d (was %d), %ld stored", status2,
                      status, totals.stored);
        reported_clear(&again);
        diag_list_free(diags2);
    }

    free(ini_path);
    reported_clear(&rep);
    diag_list_free(diags);
out:
    free(companion);
    free(path);
    free(dir);
    return verdict;
}

/* ---- replaying without libFuzzer ------------------------------------------------------ */

#ifdef FUZZ_REPLAY
/* Runs the target over each file named (folders: each file in them), as
 * libFuzzer would over a corpus; exits 0 when every input kept the
 * invariants (a broken one aborts). */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(f);
    int r = LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    fprintf(stderr, "%s: %s\n", path, r == 0 ? "ok" : "not of this target's format");
    return 0;
}

static int replay_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_F ? replay_file(path) : 0;
}

int main(int argc, char **argv)
{
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            status |= nftw(argv[i], replay_entry, 16, FTW_PHYS) != 0;
        else
            status |= replay_file(argv[i]);
    }
    return status;
}
#endif
