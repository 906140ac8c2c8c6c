/* fio logs: every corpus log stores one sample per row (or is noted as
 * skipped for its job's lat log), bandwidth and IOPS logs read as
 * counters, units and times follow fio's versions and options, every kind
 * of bad input gives its exact message, and a run of the real fio at three
 * queue depths gives p3 the statistics fio's own log gives. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counter_fixture.h"
#include "diag.h"
#include "fio_reader.h"
#include "load_sink.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

extern const load_format fio_format;

/* ---- A sink that keeps what the reader gives ---- */

typedef struct memory_sink {
    diag_list *diags;  /* the reader's, to catch calls after an error */
    size_t late_calls; /* calls made while diags held an error */
    size_t samples;
    load_sample first, last; /* labels not kept */
    char first_label[16], last_label[16];
    char meta[16][2][64];
    size_t meta_count;
} memory_sink;

static int memory_sample(void *ctx, const load_sample *s)
{
    memory_sink *m = ctx;
    m->late_calls += diag_list_errors(m->diags) > 0;
    if (++m->samples == 1) {
        m->first = *s;
        snprintf(m->first_label, sizeof m->first_label, "%.*s", (int)s->label_len, s->label);
    }
    m->last = *s;
    snprintf(m->last_label, sizeof m->last_label, "%.*s", (int)s->label_len, s->label);
    return STATUS_OK;
}

static int memory_aggregate(void *ctx, const load_aggregate *a)
{
    (void)ctx;
    (void)a;
    ck_abort_msg("a fio log has no aggregates");
    return STATUS_FAILURE;
}

static int memory_meta(void *ctx, const char *key, const char *value)
{
    memory_sink *m = ctx;
    m->late_calls += diag_list_errors(m->diags) > 0;
    ck_assert_uint_lt(m->meta_count, 16);
    snprintf(m->meta[m->meta_count][0], 64, "%s", key);
    snprintf(m->meta[m->meta_count][1], 64, "%s", value);
    m->meta_count++;
    return STATUS_OK;
}

static const char *meta_of(const memory_sink *m, const char *key)
{
    for (size_t i = 0; i < m->meta_count; i++)
        if (strcmp(m->meta[i][0], key) == 0)
            return m->meta[i][1];
    return NULL;
}

typedef struct outcome {
    int status;
    memory_sink sink;
    diag_list *diags;
    char *messages; /* the diagnostics, the folder taken off their paths */
} outcome;

/* Reads dir/name with opts (NULL: none) through the load reader. */
static outcome read_path(const char *dir, const char *name, const load_options *opts)
{
    char *path = xasprintf("%s/%s", dir, name);
    outcome o = {.diags = diag_list_new()};
    o.sink.diags = o.diags;
    load_sink sink = {&o.sink, memory_sample, memory_aggregate, memory_meta};
    load_options none = {0};
    char sha[65];
    long long size;
    o.status = fio_format.read(path, opts ? opts : &none, &sink, sha, &size, o.diags);
    char *prefix = xasprintf("%s/", dir);
    o.messages = test_diag_text(o.diags, prefix);
    ck_assert_uint_eq(o.sink.late_calls, 0);
    free(prefix);
    free(path);
    return o;
}

/* Writes text as dir/name and reads it. */
static outcome read_text(const char *dir, const char *name, const char *text,
                         const load_options *opts)
{
    char *path = xasprintf("%s/%s", dir, name);
    test_write_text(path, text);
    free(path);
    return read_path(dir, name, opts);
}

static void outcome_free(outcome *o)
{
    diag_list_free(o->diags);
    free(o->messages);
}

/* ---- Golden bad inputs ---- */

static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/fio/bad", name, ".log");
}

START_TEST(test_fio_reader_bad_inputs_match_golden_messages)
{
    /* Non-numeric values, wrong column counts, bad directions, mixed
     * window and per-I/O rows, huge latencies, truncation, NUL bytes. */
    int cases = test_each_file("tests/data/fio/bad", ".log", check_golden);
    ck_assert_int_ge(cases, 9);
}
END_TEST

/* ---- The corpus ---- */

/* Lines of a file, counted without the reader. */
static long long count_lines(const char *path)
{
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    long long n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

typedef struct corpus_fio {
    const char *name;
    bool skipped;         /* noted as skipped: its job's lat log is the delay */
    const char *segments; /* the concatenated job logs it holds, or NULL for one */
} corpus_fio;

static const corpus_fio corpus_logs[] = {
    {"ceph_erasure21_rw-4k-KERNEL_lat.log", false, NULL},
    {"ceph_fourjobs_rw-4k-FUSE_clat_4jobs_merged.log", false, "8"},
    {"fioplot_floppy_randread-iodepth-1-numjobs-1_lat.1.log", false, NULL},
    {"fioplot_mx200_random-read-depth-16_lat.1.log", false, NULL},
    {"fioplot_mx200_random-read-depth-16_clat.1.log", true, NULL},
    {"fioplot_mx200_random-read-depth-16_slat.1.log", true, NULL},
};

START_TEST(test_fio_reader_stores_one_sample_per_row_of_the_corpus)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("fio_reader: ../shared/corpus not found; corpus test left out\n");
        return;
    }
    char *dir = test_tmpdir("fio-corpus");
    for (size_t i = 0; i < sizeof corpus_logs / sizeof *corpus_logs; i++) {
        const corpus_fio *f = &corpus_logs[i];
        char *path = xasprintf("%s/fio/%s", corpus, f->name);
        char *db = xasprintf("%s/%zu.db", dir, i);
        const char *args[] = {"ingest", "--db", db, path, NULL};
        test_run r = test_p3(NULL, args);
        ck_assert_msg(r.status == 0, "%s: exit %d, stderr:\n%s", f->name, r.status, r.err);
        ck_assert_msg(strstr(r.err, ": error: ") == NULL, "%s: %s", f->name, r.err);
        long long rows = f->skipped ? 0 : count_lines(path);
        ck_assert_msg(test_count_rows(db, "sample") == rows, "%s: %lld samples, expected %lld",
                      f->name, test_count_rows(db, "sample"), rows);
        /* Every corpus log has 4 columns and no fio output beside it: the
         * unit is assumed, with one warning (none for a skipped log). */
        char *warning = strstr(r.err, "warning: latencies do not say their unit");
        ck_assert_msg(f->skipped ? !warning : warning && !strstr(warning + 1, "warning: latencies"),
                      "%s: %s", f->name, r.err);
        if (f->skipped)
            ck_assert_msg(strstr(r.err, "note: no samples taken: the delay of this job is its lat "
                                        "log 'fioplot_mx200_random-read-depth-16_lat.1.log'"),
                          "%s: %s", f->name, r.err);
        char *values = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'values'");
        ck_assert_str_eq(values, "window-mean"); /* every corpus log is averaged */
        char *segments = test_query_text_at(
            db, "SELECT (SELECT value FROM file_meta WHERE key = 'segments')");
        if (f->segments)
            ck_assert_msg(segments && strcmp(segments, f->segments) == 0, "%s: %s", f->name,
                          segments);
        else
            ck_assert_ptr_null(segments);
        char *bad = test_query_text_at(db, "SELECT count(*) FROM sample WHERE weight IS NOT NULL "
                                           "OR ok IS NOT NULL OR concurrency IS NOT NULL OR label "
                                           "NOT IN ('read', 'write', 'trim')");
        ck_assert_str_eq(bad, "0");
        free(bad);
        free(values);
        free(segments);
        test_run_free(&r);
        free(db);
        free(path);
    }
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_fio_reader_takes_the_unit_option_of_the_command_line)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("fio_reader: ../shared/corpus not found; --unit test left out\n");
        return;
    }
    /* fio 2.2.10 wrote us: the largest latency, 364237, is 364.237 ms. */
    char *dir = test_tmpdir("fio-unit-option");
    char *db = xasprintf("%s/p3.db", dir);
    char *path = xasprintf("%s/fio/ceph_erasure21_rw-4k-KERNEL_lat.log", corpus);
    const char *args[] = {"ingest", "--db", db, "--unit", "us", path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.err, "");
    char *max = test_query_text_at(db, "SELECT printf('%.3f', max(delay_ms)) FROM sample");
    ck_assert_str_eq(max, "364.237");
    test_run_free(&r);
    free(max);
    free(path);
    free(db);
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_fio_reader_notes_the_restarts_of_concatenated_job_logs)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("fio_reader: ../shared/corpus not found; concatenated logs left out\n");
        return;
    }
    char *dir = xasprintf("%s/fio", corpus);
    outcome o = read_path(dir, "ceph_fourjobs_rw-4k-FUSE_clat_4jobs_merged.log",
                          &(load_options){.unit = "us"});
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages,
                     "ceph_fourjobs_rw-4k-FUSE_clat_4jobs_merged.log: warning: the clat log is "
                     "read as the delay: no lat log lies beside it\n"
                     "ceph_fourjobs_rw-4k-FUSE_clat_4jobs_merged.log: note: 8 job logs one after "
                     "another: the time restarts at lines 479, 956, 1430, 1902, 2365, 2817, 3286\n");
    ck_assert_uint_eq(o.sink.samples, 3739);
    /* Line 1: `252, 160105, 0, 0`, us (fio 2.16), a window row. */
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 160.105, 1e-12);
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(252000000));
    ck_assert_str_eq(o.sink.first_label, "read");
    ck_assert_str_eq(meta_of(&o.sink, "unit_source"), "option");
    ck_assert_str_eq(meta_of(&o.sink, "log"), "clat");
    outcome_free(&o);
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_fio_reader_reads_the_corpus_bandwidth_and_iops_logs_as_counters)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("fio_reader: ../shared/corpus not found; counter logs left out\n");
        return;
    }
    const char *names[] = {"fioplot_mx200_random-read-depth-16_bw.1.log",
                           "fioplot_mx200_random-read-depth-16_iops.1.log"};
    const char *paths[] = {"\\fio(fioplot_mx200_random-read-depth-16#1)\\write KiB/s",
                           "\\fio(fioplot_mx200_random-read-depth-16#1)\\write IOPS"};
    const double first[] = {504, 126};
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf("%s/fio/%s", corpus, names[i]);
        counter_fixture_outcome o = counter_fixture_read(fio_reader_read_counters, path, NULL, 0);
        ck_assert_msg(o.status == STATUS_OK, "%s: %s", names[i], o.messages);
        ck_assert_str_eq(o.messages, "");
        ck_assert_str_eq(o.sink.kind, "fio");
        /* One write row per time: a row per line. */
        ck_assert_uint_eq(o.sink.row_count, (size_t)count_lines(path));
        ck_assert_uint_eq(o.sink.counter_count, 1);
        ck_assert_str_eq(o.sink.counters[0].path, paths[i]);
        ck_assert_str_eq(o.sink.counters[0].object, "fio");
        ck_assert_int_eq(o.sink.counters[0].index, 1);
        ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, paths[i]), first[i]);
        ck_assert_int_eq(o.sink.times[0], INT64_C(500000000));
        ck_assert_str_eq(o.sink.local[0], "500");
        ck_assert_uint_eq(o.sink.late_calls, 0);
        counter_fixture_outcome_free(&o);
        free(path);
    }
    free(corpus);
}
END_TEST

/* ---- The reader on its own ---- */

START_TEST(test_fio_reader_tells_logs_by_name_and_content)
{
    const char *line = "0, 302487, 0, 4096, 0\n", *prio = "0, 302487, 0, 4096, 0x2004\n";
    size_t n = strlen(line);
    ck_assert(fio_format.sniff("run/qd1_lat.1.log", line, n));
    ck_assert(fio_format.sniff("run/x_clat.log", line, n));
    ck_assert(fio_format.sniff("run/x_slat.3.log", prio, strlen(prio)));
    ck_assert(fio_format.sniff("ceph_fourjobs_rw-4k-FUSE_clat_4jobs_merged.log", line, n));
    ck_assert(fio_format.sniff("a_bw_test_lat.1.log", line, n)); /* the last type counts */
    ck_assert(!fio_format.sniff("x_bw.1.log", line, n));
    ck_assert(!fio_format.sniff("x_iops.log", line, n));
    ck_assert(!fio_format.sniff("x_clat_hist.1.log", line, n));
    ck_assert(!fio_format.sniff("x_latency.log", line, n));
    ck_assert(!fio_format.sniff("x.log", line, n));
    ck_assert(!fio_format.sniff("x_lat.log", "time,value,ddir,bs\n", 19));
    ck_assert(!fio_format.sniff("x_lat.log", "1,2,0,4096\n", 11));
    ck_assert(!fio_format.sniff("x_lat.log", "1, 2, 0\n", 8));
    ck_assert(fio_reader_sniff_counters("x_bw.1.log", line, n));
    ck_assert(fio_reader_sniff_counters("x_iops.log", line, n));
    ck_assert(!fio_reader_sniff_counters("x_lat.1.log", line, n));
    ck_assert(!fio_reader_sniff_counters("x_bw.1.log", "a, b, c, d\n", 11));
}
END_TEST

START_TEST(test_fio_reader_takes_per_io_start_times_and_directions)
{
    char *dir = test_tmpdir("fio-perio");
    /* fio 3.18+: priority column; ns; each I/O logged when it completed. */
    outcome o = read_text(dir, "j_lat.1.log",
                          "3, 302487, 0, 4096, 0\n"
                          "3, 189315, 1, 8192, 0\n"
                          "5, 1500, 2, 4096, 0\n",
                          NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert_uint_eq(o.sink.samples, 3);
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(3000000) - 302487);
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.302487, 1e-15);
    ck_assert_str_eq(o.sink.first_label, "read");
    ck_assert_int_eq(o.sink.first.ok, -1);
    ck_assert_int_eq(o.sink.first.concurrency, -1);
    ck_assert_double_eq(o.sink.first.weight, 1);
    ck_assert_str_eq(o.sink.last_label, "trim");
    ck_assert_int_eq(o.sink.last.t_ns, INT64_C(5000000) - 1500);
    ck_assert_str_eq(meta_of(&o.sink, "values"), "single");
    ck_assert_str_eq(meta_of(&o.sink, "unit"), "ns");
    ck_assert_str_eq(meta_of(&o.sink, "unit_source"), "columns");
    ck_assert_str_eq(meta_of(&o.sink, "time_base"), "job-start");
    outcome_free(&o);
    /* log_unix_epoch: ms since 1970. */
    o = read_text(dir, "e_lat.log", "1700000000000, 5000, 0, 4096, 0\n", NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(1700000000000000000) - 5000);
    ck_assert_str_eq(meta_of(&o.sink, "time_base"), "unix-epoch");
    outcome_free(&o);
    free(dir);
}
END_TEST

START_TEST(test_fio_reader_reads_window_maxima_and_issue_times)
{
    char *dir = test_tmpdir("fio-window");
    /* log_window_value=both: time, mean, max, ddir, bs 0, prio. */
    outcome o = read_text(dir, "w_lat.1.log",
                          "1000, 5000, 9000, 1, 0, 0\n"
                          "1000, 7000, 8000, 0, 0, 0\n",
                          NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.005, 1e-15);
    ck_assert_str_eq(o.sink.first_label, "write");
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(1000000000)); /* a window keeps its time */
    ck_assert_str_eq(o.sink.last_label, "read");
    ck_assert_str_eq(meta_of(&o.sink, "values"), "window-mean");
    outcome_free(&o);
    /* Offsets, priority and issue times (fio 3.38): 7 columns. */
    o = read_text(dir, "i_clat.1.log", "10, 2000, 0, 4096, 81920, 0, 8000000\n", NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "i_clat.1.log: warning: the clat log is read as the delay: no "
                                 "lat log lies beside it\n");
    ck_assert_str_eq(o.sink.first_label, "read");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.002, 1e-15);
    ck_assert_str_eq(meta_of(&o.sink, "columns"), "7");
    outcome_free(&o);
    free(dir);
}
END_TEST

START_TEST(test_fio_reader_takes_the_unit_of_four_columns_from_options_or_fio_output)
{
    char *dir = test_tmpdir("fio-unit");
    const char *log = "250, 90050, 0, 0\n250, 94335, 1, 0\n";
    /* Nothing says: ns, one warning. */
    outcome o = read_text(dir, "a_lat.log", log, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages,
                     "a_lat.log: warning: latencies do not say their unit (a log of 4 columns): "
                     "read as ns, as fio 3.0 and later write them (fio 2.x wrote us); set 'unit = "
                     "us' in the [run] section of run.ini, give --unit, or keep fio's "
                     "--output-format=json output beside the log\n");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.09005, 1e-15);
    ck_assert_str_eq(meta_of(&o.sink, "unit_assumed"), "yes");
    outcome_free(&o);
    /* The option. */
    o = read_text(dir, "a_lat.log", log, &(load_options){.unit = "us"});
    ck_assert_str_eq(o.messages, "");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 90.05, 1e-12);
    ck_assert_str_eq(meta_of(&o.sink, "unit_source"), "option");
    outcome_free(&o);
    /* fio 2.x's JSON output beside the log: us. */
    char *json = xasprintf("%s/out.json", dir);
    test_write_text(json, "note: a line before\n{\n  \"fio version\" : \"fio-2.2.10\",\n  \"jobs\" : []\n}\n");
    o = read_path(dir, "a_lat.log", NULL);
    ck_assert_str_eq(o.messages, "");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 90.05, 1e-12);
    ck_assert_str_eq(meta_of(&o.sink, "fio_version"), "fio-2.2.10");
    ck_assert_str_eq(meta_of(&o.sink, "unit_source"), "fio-output");
    outcome_free(&o);
    /* A terse output of fio 3 beside it disagrees. */
    char *terse = xasprintf("%s/out.terse", dir);
    test_write_text(terse, "3;fio-3.1;job;0;0;800;200000\n");
    o = read_path(dir, "a_lat.log", NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.sink.samples, 0);
    char *expected = xasprintf("a_lat.log: error: fio outputs beside the log disagree on its "
                               "unit: '%s' says fio-2.2.10, '%s' says fio-3.1; set 'unit' in the "
                               "[run] section of run.ini\n",
                               json, terse);
    ck_assert_str_eq(o.messages, expected);
    outcome_free(&o);
    /* The terse output alone: ns. */
    remove(json);
    o = read_path(dir, "a_lat.log", NULL);
    ck_assert_str_eq(o.messages, "");
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.09005, 1e-15);
    ck_assert_str_eq(meta_of(&o.sink, "fio_version"), "fio-3.1");
    outcome_free(&o);
    free(expected);
    free(terse);
    free(json);
    free(dir);
}
END_TEST

/* Writes dir/name holding text. */
static void put(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    test_write_text(path, text);
    free(path);
}

START_TEST(test_fio_reader_takes_lat_unless_fio_log_says_otherwise)
{
    char *dir = test_tmpdir("fio-choice");
    put(dir, "j_lat.1.log", "1, 3000, 0, 4096, 0\n");
    put(dir, "j_clat.1.log", "1, 2000, 0, 4096, 0\n");
    put(dir, "j_slat.1.log", "0, 1000, 0, 4096, 0\n");
    /* Default: lat is the delay, clat and slat are noted and give nothing. */
    outcome o = read_path(dir, "j_lat.1.log", NULL);
    ck_assert_uint_eq(o.sink.samples, 1);
    ck_assert_str_eq(o.messages, "");
    outcome_free(&o);
    o = read_path(dir, "j_clat.1.log", NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.samples, 0);
    ck_assert_str_eq(o.messages, "j_clat.1.log: note: no samples taken: the delay of this job is "
                                 "its lat log 'j_lat.1.log' (set fio_log = clat in the [run] "
                                 "section of run.ini, or give --fio-log clat, to take this "
                                 "one)\n");
    ck_assert_str_eq(meta_of(&o.sink, "skipped_for"), "j_lat.1.log");
    outcome_free(&o);
    /* fio_log = clat: the other way round. */
    load_options clat = {.fio_log = "clat"};
    o = read_path(dir, "j_clat.1.log", &clat);
    ck_assert_uint_eq(o.sink.samples, 1);
    ck_assert_double_eq_tol(o.sink.first.delay_ms, 0.002, 1e-15);
    ck_assert_str_eq(meta_of(&o.sink, "log"), "clat");
    outcome_free(&o);
    o = read_path(dir, "j_lat.1.log", &clat);
    ck_assert_uint_eq(o.sink.samples, 0);
    outcome_free(&o);
    /* Without lat, slat gives way to clat. */
    char *lat = xasprintf("%s/j_lat.1.log", dir);
    remove(lat);
    o = read_path(dir, "j_slat.1.log", NULL);
    ck_assert_uint_eq(o.sink.samples, 0);
    ck_assert_str_eq(meta_of(&o.sink, "skipped_for"), "j_clat.1.log");
    outcome_free(&o);
    /* A bad fio_log. */
    o = read_path(dir, "j_clat.1.log", &(load_options){.fio_log = "total"});
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(o.messages, "j_clat.1.log: error: fio_log 'total' is not one p3 knows: "
                                 "expected lat, clat or slat\n");
    outcome_free(&o);
    free(lat);
    free(dir);
}
END_TEST

START_TEST(test_fio_reader_puts_the_directions_of_one_time_in_one_counter_row)
{
    char *dir = test_tmpdir("fio-counters");
    char *path = xasprintf("%s/mixed_bw.log", dir);
    test_write_text(path, "500, 1000, 0, 0, 0\n500, 2000, 1, 0, 0\n1000, 1100, 0, 0, 0\n"
                          "250, 900, 0, 0, 0\n");
    counter_fixture_outcome o = counter_fixture_read(fio_reader_read_counters, path, NULL, 0);
    ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
    ck_assert_uint_eq(o.sink.row_count, 3);
    ck_assert_uint_eq(o.sink.counter_count, 2);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\fio(mixed)\\read KiB/s"), 1000);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\fio(mixed)\\write KiB/s"), 2000);
    ck_assert(isnan(counter_fixture_value_at(&o.sink, 1, "\\fio(mixed)\\write KiB/s")));
    ck_assert_int_eq(o.sink.times[2], INT64_C(250000000));
    ck_assert_int_eq(o.sink.counters[0].index, -1);
    /* The time went back: a second job's log follows. */
    char *note = xasprintf("%s: note: 2 job logs one after another: the time restarts at line 4\n",
                           path);
    ck_assert_str_eq(o.messages, note);
    counter_fixture_outcome_free(&o);
    /* A bad value stops every sink call. */
    test_write_text(path, "500, 1000, 0, 0, 0\n1000, 1l00, 0, 0, 0\n");
    o = counter_fixture_read(fio_reader_read_counters, path, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.result.errors, 1);
    ck_assert_uint_eq(o.sink.late_calls, 0);
    char *bad = xasprintf("%s:2:7: error: bad value '1l00': expected a whole number\n", path);
    ck_assert_str_eq(o.messages, bad);
    counter_fixture_outcome_free(&o);
    free(bad);
    free(note);
    free(path);
    free(dir);
}
END_TEST

/* ---- The real fio ---- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* PERCENTILE.INC of sorted x: linear interpolation between closest ranks. */
static double percentile_inc(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[lo];
}

/* The latencies (ms) of fio's own log, sorted; *n set. */
static double *log_latencies(const char *path, size_t *n)
{
    char *text = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(text);
    double *x = NULL;
    *n = 0;
    for (char *line = text; *line;) {
        char *comma = strchr(line, ',');
        ck_assert_ptr_nonnull(comma);
        x = xreallocarray(x, *n + 1, sizeof *x);
        x[(*n)++] = (double)strtoull(comma + 1, NULL, 10) / 1e6; /* ns: fio 3 */
        char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(text);
    qsort(x, *n, sizeof *x, compare_doubles);
    return x;
}

/* The number after `"key": ` in the JSON of p3 stats, from level on. */
static double json_number(const char *level, const char *key)
{
    char *pattern = xasprintf("\"%s\": ", key);
    const char *at = strstr(level, pattern);
    ck_assert_msg(at != NULL, "no %s", key);
    double v = strtod(at + strlen(pattern), NULL);
    free(pattern);
    return v;
}

/* Runs fio once at depth; true when it ran. */
static bool run_fio(const char *dir, int depth, const char *engine)
{
    char *cmd = xasprintf("fio --name=qd%d --filename=%s/scratch --size=4M --rw=randread --bs=4k "
                          "--ioengine=%s --iodepth=%d --number_ios=300 --write_lat_log=%s/run/qd%d "
                          "--log_avg_msec=0 --output-format=json --output=%s/run/qd%d.json "
                          ">%s/fio-qd%d.txt 2>&1",
                          depth, dir, engine, depth, dir, depth, dir, depth, dir, depth);
    int rc = system(cmd);
    free(cmd);
    char *log = xasprintf("%s/run/qd%d_lat.1.log", dir, depth);
    bool ok = rc == 0 && access(log, R_OK) == 0;
    free(log);
    return ok;
}

START_TEST(test_fio_reader_gives_p3_the_statistics_of_real_fio_logs)
{
    if (!test_have_program("fio")) {
        printf("fio_reader: fio is not installed; the real fio test is left out\n");
        return;
    }
    char *dir = test_tmpdir("fio-real");
    char *run = xasprintf("%s/run", dir);
    char *ini = xasprintf("%s/run.ini", run);
    test_write_text(ini, "[run]\nlevels = QD1, QD4, QD16\n[levels]\nQD1 = *qd1_lat*\n"
                         "QD4 = *qd4_lat*\nQD16 = *qd16_lat*\n");
    /* An engine that honours iodepth: io_uring, else libaio, else posixaio. */
    const int depths[] = {1, 4, 16};
    const char *engines[] = {"io_uring", "libaio", "posixaio"};
    const char *engine = NULL;
    for (size_t e = 0; e < 3 && !engine; e++)
        if (run_fio(dir, depths[0], engines[e]))
            engine = engines[e];
    ck_assert_msg(engine != NULL, "fio ran with none of io_uring, libaio, posixaio (see %s)", dir);
    for (size_t d = 1; d < 3; d++)
        ck_assert_msg(run_fio(dir, depths[d], engine), "fio failed at iodepth %d", depths[d]);
    char *db = xasprintf("%s/p3.db", dir);
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "warning") == NULL, "%s", r.err); /* 5 columns: ns */
    test_run_free(&r);
    const char *analyze[] = {"analyze", "--db", db, NULL};
    r = test_p3(NULL, analyze);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    const char *stats[] = {"stats", "--db", db, "--format", "json", NULL};
    r = test_p3(NULL, stats);
    ck_assert_msg(r.status == 0, "%s", r.err);
    for (size_t d = 0; d < 3; d++) {
        char *log = xasprintf("%s/qd%d_lat.1.log", run, depths[d]);
        size_t n;
        double *x = log_latencies(log, &n);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += x[i];
        char *key = xasprintf("\"level\": \"QD%d\"", depths[d]);
        const char *level = strstr(r.out, key);
        ck_assert_msg(level != NULL, "no level QD%d in\n%s", depths[d], r.out);
        ck_assert_uint_eq((size_t)json_number(level, "n"), n);
        ck_assert_uint_eq(n, 300);
        double mean = sum / (double)n, p50 = percentile_inc(x, n, 0.50),
               p95 = percentile_inc(x, n, 0.95);
        ck_assert_double_eq_tol(json_number(level, "mean_ms"), mean, 1e-9 * mean);
        ck_assert_double_eq_tol(json_number(level, "p50_ms"), p50, 1e-9 * p50);
        ck_assert_double_eq_tol(json_number(level, "p95_ms"), p95, 1e-9 * p95);
        free(key);
        free(x);
        free(log);
    }
    test_run_free(&r);
    /* clat and slat were noted, not counted: 900 samples in all. */
    ck_assert_int_eq(test_count_rows(db, "sample"), 900);
    free(db);
    free(ini);
    free(run);
    free(dir);
}
END_TEST

Suite *fio_reader_suite(void)
{
    Suite *s = suite_create("fio_reader");
    TCase *tc = tcase_create("fio_reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fio_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_fio_reader_stores_one_sample_per_row_of_the_corpus);
    tcase_add_test(tc, test_fio_reader_takes_the_unit_option_of_the_command_line);
    tcase_add_test(tc, test_fio_reader_notes_the_restarts_of_concatenated_job_logs);
    tcase_add_test(tc, test_fio_reader_reads_the_corpus_bandwidth_and_iops_logs_as_counters);
    tcase_add_test(tc, test_fio_reader_tells_logs_by_name_and_content);
    tcase_add_test(tc, test_fio_reader_takes_per_io_start_times_and_directions);
    tcase_add_test(tc, test_fio_reader_reads_window_maxima_and_issue_times);
    tcase_add_test(tc, test_fio_reader_takes_the_unit_of_four_columns_from_options_or_fio_output);
    tcase_add_test(tc, test_fio_reader_takes_lat_unless_fio_log_says_otherwise);
    tcase_add_test(tc, test_fio_reader_puts_the_directions_of_one_time_in_one_counter_row);
    tcase_add_test(tc, test_fio_reader_gives_p3_the_statistics_of_real_fio_logs);
    suite_add_tcase(s, tc);
    return s;
}
