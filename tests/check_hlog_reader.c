/* HdrHistogram interval logs: every corpus file stores as many intervals,
 * buckets and recorded values as the file holds (or is refused with its
 * exact message), the worked example decodes as the format page says, and
 * every kind of bad input gives its exact message and stores nothing. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "load_sink.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

extern const load_format hlog_format;

/* The header jHiccup 2.0.7 writes, and its first interval (the corpus
 * file's line 5): count 12 at index 0, lowest 20000, 2 digits. */
#define HEADER                                                                                    \
    "#[Logged with jHiccup version 2.0.7-SNAPSHOT]\n"                                             \
    "#[Histogram log format version 1.2]\n"                                                       \
    "#[StartTime: 1441812279.474 (seconds since epoch), Wed Sep 09 08:24:39 PDT 2015]\n"          \
    "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
#define PAYLOAD                                                                                   \
    "HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkhIR4nrxg9v2lMaxhvMekILG" \
    "ZkKmcCAEf2CsI="
/* 1441812279.474 s + 0.127 s. */
#define FIRST_T_NS INT64_C(1441812279601000000)

/* ---- A sink that keeps what the reader gives ---- */

typedef struct memory_sink {
    diag_list *diags;      /* the reader's, to catch calls after an error */
    size_t late_calls;     /* calls made while diags held an error */
    size_t fail_at;        /* sample() fails at this call (1-based); 0: never */
    size_t samples;
    double weight;         /* of all samples */
    load_sample first;     /* label not kept */
    char first_label[32];
    load_sample last;
    char last_label[32];
    char meta[16][2][64];
    size_t meta_count;
} memory_sink;

static void check_late(memory_sink *m)
{
    if (diag_list_errors(m->diags))
        m->late_calls++;
}

static int memory_sample(void *ctx, const load_sample *s)
{
    memory_sink *m = ctx;
    check_late(m);
    if (++m->samples == m->fail_at)
        return STATUS_FAILURE;
    if (m->samples == 1) {
        m->first = *s;
        snprintf(m->first_label, sizeof m->first_label, "%.*s", (int)s->label_len,
                 s->label ? s->label : "");
    }
    m->last = *s;
    snprintf(m->last_label, sizeof m->last_label, "%.*s", (int)s->label_len,
             s->label ? s->label : "");
    m->weight += s->weight;
    return STATUS_OK;
}

static int memory_aggregate(void *ctx, const load_aggregate *a)
{
    (void)a;
    check_late(ctx);
    ck_abort_msg("an HdrHistogram log has no aggregates");
    return STATUS_FAILURE;
}

static int memory_meta(void *ctx, const char *key, const char *value)
{
    memory_sink *m = ctx;
    check_late(m);
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

/* What reading one text gave. */
typedef struct outcome {
    int status;
    memory_sink sink;
    diag_list *diags;
    char *messages; /* the diagnostics, path taken off */
    long long size;
    char sha[65];
} outcome;

static outcome read_text(const char *text, const load_options *opts, size_t fail_at)
{
    char *dir = test_tmpdir("hlog");
    char *path = xasprintf("%s/x.hlog", dir);
    test_write_text(path, text);
    outcome o = {.diags = diag_list_new()};
    o.sink.diags = o.diags;
    o.sink.fail_at = fail_at;
    load_sink sink = {&o.sink, memory_sample, memory_aggregate, memory_meta};
    load_options none = {0};
    o.status = hlog_format.read(path, opts ? opts : &none, &sink, o.sha, &o.size, o.diags);
    char *prefix = xasprintf("%s", path);
    o.messages = test_diag_text(o.diags, prefix);
    ck_assert_uint_eq(o.sink.late_calls, 0);
    free(prefix);
    free(path);
    free(dir);
    return o;
}

static void outcome_free(outcome *o)
{
    diag_list_free(o->diags);
    free(o->messages);
}

/* ---- Golden bad inputs ---- */

static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/hlog/bad", name, ".hlog");
}

START_TEST(test_hlog_reader_bad_inputs_match_golden_messages)
{
    /* Bad base64, bad and DoubleHistogram cookies, truncated payloads and
     * zlib streams, bad times, versions, counts and fields. */
    int cases = test_each_file("tests/data/hlog/bad", ".hlog", check_golden);
    ck_assert_int_ge(cases, 17);
}
END_TEST

/* ---- The corpus ---- */

typedef struct corpus_hlog {
    const char *name;
    const char *error;   /* the refusal, after "<path>:", or NULL when it stores */
    long long rows;      /* non-empty buckets */
    long long values;    /* recorded values: the sum of the counts */
} corpus_hlog;

/* Counted by an independent decoder (Python: base64, zlib, ZigZag LEB128
 * and fixed-width counts); LOADTEST-FORMATS.md gives ycsb's 300,056 and
 * raphael's 140,003 values. */
static const corpus_hlog corpus_files[] = {
    {"hdrc_regression-log-start-time-nonfinite.hlog",
     "3:14: error: bad StartTime 'nan': expected seconds since the epoch", 0, 0},
    {"hdrc_regression-log-timestamp-overflow.hlog",
     "5:1: error: timestamp '99999999999999999999' is out of range: after 2199", 0, 0},
    {"hiccup.140623.1028.10646.hlog", NULL, 93, 51715},
    {"jHiccup-2.0.1.logV0.hlog", NULL, 3346, 61256},
    {"jHiccup-2.0.6.logV1.hlog", NULL, 3910, 65964},
    {"jHiccup-2.0.7S.logV2.hlog", NULL, 3344, 48761},
    {"jHiccup-2.0.7S.logV3.hlog", NULL, 3344, 48761},
    {"raphael.hlog", NULL, 802, 140003},
    {"tagged-Log.logV2.hlog", NULL, 2268, 32290},
    {"ycsb.logV1.hlog", NULL, 97266, 300056},
};

/* Interval lines of a log, counted without the reader: lines that are
 * neither comments, the legend nor empty. */
static long long count_intervals(const char *path)
{
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    long long n = 0;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        char *end = nl ? nl : text + len;
        if (end > line && line[0] != '#' && line[0] != '"' && line[0] != '\r')
            n++;
        line = end + 1;
    }
    free(text);
    return n;
}

START_TEST(test_hlog_reader_stores_every_bucket_of_the_corpus)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("hlog_reader: ../shared/corpus not found; corpus test left out\n");
        return;
    }
    char *dir = test_tmpdir("hlog-corpus");
    for (size_t i = 0; i < sizeof corpus_files / sizeof *corpus_files; i++) {
        const corpus_hlog *f = &corpus_files[i];
        char *path = xasprintf("%s/hdrhistogram/%s", corpus, f->name);
        char *db = xasprintf("%s/%zu.db", dir, i);
        const char *args[] = {"ingest", "--db", db, path, NULL};
        test_run r = test_p3(NULL, args);
        if (f->error) {
            char *line = xasprintf("%s:%s\n", path, f->error);
            ck_assert_msg(r.status == STATUS_BAD_INPUT, "%s: exit %d", f->name, r.status);
            ck_assert_msg(strstr(r.err, line) != NULL, "%s: expected\n%sgot\n%s", f->name, line,
                          r.err);
            ck_assert_int_eq(test_count_rows(db, "sample"), 0);
            free(line);
        } else {
            ck_assert_msg(r.status == 0, "%s: exit %d, stderr:\n%s", f->name, r.status, r.err);
            ck_assert_msg(strstr(r.err, ": error: ") == NULL, "%s: %s", f->name, r.err);
            /* Exactly one warning: the unit, which nothing said. */
            char *warning = strstr(r.err, "warning: histogram values do not say their unit");
            ck_assert_msg(warning && !strstr(warning + 1, "warning:"), "%s: %s", f->name, r.err);
            ck_assert_int_eq(test_count_rows(db, "sample"), f->rows);
            char *weight = test_query_text_at(db, "SELECT CAST(sum(coalesce(weight, 1)) AS INTEGER) FROM sample");
            char *want = xasprintf("%lld", f->values);
            ck_assert_msg(strcmp(weight, want) == 0, "%s: %s values, expected %s", f->name, weight,
                          want);
            char *intervals =
                test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'intervals'");
            char *counted = xasprintf("%lld", count_intervals(path));
            ck_assert_msg(strcmp(intervals, counted) == 0, "%s: %s intervals, the file has %s",
                          f->name, intervals, counted);
            /* Never a row of no observations (a weight of 1 is stored as NULL),
             * never a delay out of range. */
            char *bad = test_query_text_at(db, "SELECT count(*) FROM sample WHERE coalesce(weight, 1) < 1 OR "
                                               "delay_ms < 0 OR delay_ms > 3600000 OR ok IS NOT "
                                               "NULL OR concurrency IS NOT NULL");
            ck_assert_str_eq(bad, "0");
            free(bad);
            free(weight);
            free(want);
            free(intervals);
            free(counted);
        }
        test_run_free(&r);
        free(db);
        free(path);
    }
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_hlog_reader_decodes_the_worked_example)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("hlog_reader: ../shared/corpus not found; worked example left out\n");
        return;
    }
    char *dir = test_tmpdir("hlog-example");
    char *db = xasprintf("%s/p3.db", dir);
    char *path = xasprintf("%s/hdrhistogram/jHiccup-2.0.7S.logV2.hlog", corpus);
    const char *args[] = {"ingest", "--db", db, path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    /* Line 5: count 12 at index 0; index 0 of lowest 20000 (unit magnitude
     * 14) holds 0..16383 ns, reported as 16383. */
    char *first = test_query_text_at(db, "SELECT t_ns || ' ' || printf('%.6f', delay_ms) || ' ' || "
                                         "weight || ' ' || coalesce(label, '-') FROM sample "
                                         "ORDER BY sample_id LIMIT 1");
    ck_assert_str_eq(first, "1441812279601000000 0.016383 12.0 -");
    char *meta = test_query_text_at(db, "SELECT group_concat(key || '=' || value, ' ') FROM "
                                        "(SELECT key, value FROM file_meta ORDER BY key)");
    ck_assert_str_eq(meta, "bucket_value=highest-equivalent format_version=1.2 intervals=62 "
                           "time_base=relative unit=ns unit_assumed=yes values=histogram");
    test_run_free(&r);
    free(first);
    free(meta);
    free(path);
    free(db);
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_hlog_reader_takes_the_unit_from_run_ini)
{
    char *dir = test_tmpdir("hlog-unit");
    char *run = xasprintf("%s/ycsb-run", dir);
    char *ini = xasprintf("%s/run.ini", run);
    char *log = xasprintf("%s/read.hlog", run);
    test_write_text(ini, "[run]\nunit = us\n");
    test_write_text(log, HEADER "0.127,1.007,2.769," PAYLOAD "\n");
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "warning") == NULL, "%s", r.err); /* the unit is said */
    /* 16383 us. */
    char *first = test_query_text_at(db, "SELECT printf('%.6f', delay_ms) FROM sample ORDER BY "
                                         "sample_id LIMIT 1");
    ck_assert_str_eq(first, "16.383000");
    free(first);
    char *assumed = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'unit_assumed'");
    ck_assert_str_eq(assumed, "no");
    test_run_free(&r);
    free(assumed);
    free(db);
    free(log);
    free(ini);
    free(run);
    free(dir);
}
END_TEST

/* ---- The reader on its own ---- */

START_TEST(test_hlog_reader_sniffs_headers_and_bare_interval_lines)
{
    const char *yes[] = {
        HEADER,
        "#[Logging for: READ]\n#[Histogram log format version 1.1]\n",
        "\"StartTimestamp\",\"EndTimestamp\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\r\n",
        "0.127,1.007,2.769," PAYLOAD "\n",
        "Tag=A,0.127,1.007,2.769," PAYLOAD "\n",
        "1.0,1.0,0.0,DHISTwAAAA\n",
    };
    const char *no[] = {
        "301, 90050, 0, 0\n",
        "timeStamp,elapsed,label\n1,2,x\n",
        "# p3-probe 1\n",
        "#[StartTime: 1 (seconds since epoch)]\n",
        "0.127,1.007,2.769,AAAA\n",
        "",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(hlog_format.sniff("x.hlog", yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!hlog_format.sniff("x.hlog", no[i], strlen(no[i])), "%s", no[i]);
}
END_TEST

START_TEST(test_hlog_reader_reads_tags_and_absolute_and_base_times)
{
    /* An absolute first timestamp (within a year of StartTime), then a
     * tagged interval. */
    outcome o = read_text(HEADER "1441812280.000,1.0,2.769," PAYLOAD "\n"
                                 "Tag=db-read,1441812281.5,1.0,2.769," PAYLOAD "\n",
                          NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.samples, 2 * 27);
    ck_assert_double_eq(o.sink.weight, 2 * 741);
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(1441812280000000000));
    ck_assert_str_eq(o.sink.first_label, "");
    ck_assert_ptr_null(o.sink.first.label);
    ck_assert_int_eq(o.sink.last.t_ns, INT64_C(1441812281500000000));
    ck_assert_str_eq(o.sink.last_label, "db-read");
    ck_assert_int_eq(o.sink.last.ok, -1);
    ck_assert_int_eq(o.sink.last.concurrency, -1);
    ck_assert_int_eq(o.sink.last.role, LOAD_SAMPLE);
    ck_assert_str_eq(meta_of(&o.sink, "time_base"), "absolute");
    outcome_free(&o);
    /* BaseTime wins over the year rule. */
    o = read_text("#[StartTime: 1441812279.474 (seconds since epoch)]\n"
                  "#[BaseTime: 1000.5 (seconds since epoch)]\n"
                  "2.25,1.0,2.769," PAYLOAD "\n",
                  NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(1002750000000));
    ck_assert_str_eq(meta_of(&o.sink, "time_base"), "base-time");
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_counts_add_up_to_the_total_and_delays_are_highest_equivalents)
{
    load_options ms = {.unit = "ms"};
    outcome o = read_text(HEADER "0.127,1.007,2.769," PAYLOAD "\n", &ms, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert_uint_eq(o.sink.samples, 27);
    ck_assert_double_eq(o.sink.weight, 741);
    ck_assert_int_eq(o.sink.first.t_ns, FIRST_T_NS);
    /* Index 0 holds 0..16383: 16383 ms as the unit is ms. */
    ck_assert_double_eq(o.sink.first.delay_ms, 16383);
    ck_assert_double_eq(o.sink.first.weight, 12);
    /* Interval_Max says 2.769 (ms of ns values): the last bucket's highest
     * equivalent value is 2768895. */
    ck_assert_double_eq(o.sink.last.delay_ms, 2768895);
    ck_assert_double_eq(o.sink.last.weight, 1);
    ck_assert_str_eq(meta_of(&o.sink, "unit"), "ms");
    ck_assert_str_eq(meta_of(&o.sink, "unit_assumed"), "no");
    ck_assert_uint_eq(strlen(o.sha), 64);
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_warns_once_about_the_unit_and_a_missing_start_time)
{
    outcome o = read_text("0.127,1.007,2.769," PAYLOAD "\n1.127,1.0,2.769," PAYLOAD "\n", NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages,
                     ": warning: histogram values do not say their unit: read as ns (jHiccup writes "
                     "ns, YCSB us); set 'unit = us' (or ns, ms) in the [run] section of run.ini, or "
                     "give --unit\n"
                     ":1:1: warning: no StartTime line: timestamps read as seconds since "
                     "1970-01-01\n");
    ck_assert_int_eq(o.sink.first.t_ns, INT64_C(127000000));
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_stores_a_log_without_intervals_with_a_warning)
{
    outcome o = read_text(HEADER, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.samples, 0);
    ck_assert_str_eq(o.messages, ": warning: no intervals: the log holds no histograms\n");
    ck_assert_str_eq(meta_of(&o.sink, "intervals"), "0");
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_refuses_an_unknown_unit)
{
    load_options s = {.unit = "s"};
    outcome o = read_text(HEADER "0.127,1.007,2.769," PAYLOAD "\n", &s, 0);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.sink.samples, 0);
    ck_assert_str_eq(o.messages, ": error: unit 's' is not one p3 knows: expected ns, us or ms\n");
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_makes_no_sink_call_after_an_error)
{
    /* Good, broken, good: the reader reports the broken line and gives
     * nothing after it (read_text checks for late calls). */
    outcome o = read_text(HEADER "0.127,1.007,2.769," PAYLOAD "\n"
                                 "1.127,1.0,2.769,HISTFAAA!\n"
                                 "2.127,1.0,2.769," PAYLOAD "\n",
                          &(load_options){.unit = "ns"}, 0);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.sink.samples, 27);
    ck_assert_uint_eq(o.sink.meta_count, 0);
    ck_assert_str_eq(o.messages, ":6:25: error: bad base64 character '!' in the histogram\n");
    ck_assert_str_eq(o.sha, "");
    outcome_free(&o);
}
END_TEST

START_TEST(test_hlog_reader_stops_when_the_sink_fails)
{
    outcome o = read_text(HEADER "0.127,1.007,2.769," PAYLOAD "\n1.127,1.0,2.769," PAYLOAD "\n",
                          &(load_options){.unit = "ns"}, 3);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.sink.samples, 3);
    outcome_free(&o);
}
END_TEST

Suite *hlog_reader_suite(void)
{
    Suite *s = suite_create("hlog_reader");
    TCase *tc = tcase_create("hlog_reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hlog_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_hlog_reader_stores_every_bucket_of_the_corpus);
    tcase_add_test(tc, test_hlog_reader_decodes_the_worked_example);
    tcase_add_test(tc, test_hlog_reader_takes_the_unit_from_run_ini);
    tcase_add_test(tc, test_hlog_reader_sniffs_headers_and_bare_interval_lines);
    tcase_add_test(tc, test_hlog_reader_reads_tags_and_absolute_and_base_times);
    tcase_add_test(tc, test_hlog_reader_counts_add_up_to_the_total_and_delays_are_highest_equivalents);
    tcase_add_test(tc, test_hlog_reader_warns_once_about_the_unit_and_a_missing_start_time);
    tcase_add_test(tc, test_hlog_reader_stores_a_log_without_intervals_with_a_warning);
    tcase_add_test(tc, test_hlog_reader_refuses_an_unknown_unit);
    tcase_add_test(tc, test_hlog_reader_makes_no_sink_call_after_an_error);
    tcase_add_test(tc, test_hlog_reader_stops_when_the_sink_fails);
    suite_add_tcase(s, tc);
    return s;
}
