/* k6 CSV: every corpus file stores as many samples as a naive count of its
 * http_req_duration rows, with the VUs of the `vus` rows before them; every
 * kind of bad input gives its exact message and stores nothing; a gzip file
 * reads as its plain twin; time formats, failures, labels, the level rule
 * and the choice of metric read as README.md says. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "diag.h"
#include "load_sink.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

extern const load_format k6_format;

/* ---- A sink that records what the reader gives ---- */

#define MAX_RECORDED 64

typedef struct recorded {
    load_sample samples[MAX_RECORDED];
    char labels[MAX_RECORDED][64];
    size_t count;          /* samples given, recorded or not */
    char meta[16][2][160]; /* key, value */
    size_t meta_count;
    int status;
    diag_list *diags;
} recorded;

static int record_sample(void *ctx, const load_sample *s)
{
    recorded *r = ctx;
    if (r->count < MAX_RECORDED) {
        r->samples[r->count] = *s;
        snprintf(r->labels[r->count], sizeof r->labels[0], "%.*s", (int)s->label_len,
                 s->label ? s->label : "");
        r->samples[r->count].label = s->label ? r->labels[r->count] : NULL;
    }
    r->count++;
    return STATUS_OK;
}

static int record_aggregate(void *ctx, const load_aggregate *a)
{
    (void)ctx;
    (void)a;
    ck_abort_msg("k6 gives samples, not aggregates");
    return STATUS_FAILURE;
}

static int record_meta(void *ctx, const char *key, const char *value)
{
    recorded *r = ctx;
    ck_assert_uint_lt(r->meta_count, 16);
    snprintf(r->meta[r->meta_count][0], sizeof r->meta[0][0], "%s", key);
    snprintf(r->meta[r->meta_count][1], sizeof r->meta[0][1], "%s", value);
    r->meta_count++;
    return STATUS_OK;
}

static const char *meta_of(const recorded *r, const char *key)
{
    for (size_t i = 0; i < r->meta_count; i++)
        if (strcmp(r->meta[i][0], key) == 0)
            return r->meta[i][1];
    return NULL;
}

/* Reads text as a k6 file through the reader; the caller frees r->diags. */
static void read_text(const char *text, const load_options *opts, recorded *r)
{
    memset(r, 0, sizeof *r);
    r->diags = diag_list_new();
    char *dir = test_tmpdir("k6");
    char *path = xasprintf("%s/k6.csv", dir);
    test_write_text(path, text);
    load_sink sink = {r, record_sample, record_aggregate, record_meta};
    load_options none = {0};
    char sha[65];
    long long size = 0;
    r->status = k6_format.read(path, opts ? opts : &none, &sink, sha, &size, r->diags);
    if (r->status == STATUS_OK) {
        ck_assert_uint_eq(strlen(sha), 64);
        ck_assert_int_eq(size, (long long)strlen(text));
    }
    free(path);
    free(dir);
}

static const int64_t NS = 1000000000;

#define HEADER                                                                                 \
    "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method," \
    "name,proto,scenario,service,status,subproto,tls_version,url,extra_tags\n"
/* A request row's tags after metric_value: expected_response true, status 200. */
#define OK_TAGS ",,,,true,,GET,http://test.k6.io/,HTTP/1.1,default,,200,,,http://test.k6.io/,\n"
#define VUS_TAGS ",,,,,,,,,,,,,,,\n"

/* ---- Naive counts of a corpus file, for comparison ---- */

typedef struct naive_count {
    long long durations;     /* http_req_duration rows */
    long long with_vus;      /* of them, after the first vus row */
    long long vus_sum;       /* the vus value before each, summed */
    long long ok;            /* expected_response true */
    double delay_sum;
    long long vus_rows;
} naive_count;

/* Splits on commas (the corpus files quote nothing) and counts. */
static naive_count count_naively(const char *path)
{
    naive_count c = {0};
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    ck_assert_msg(strchr(text, '"') == NULL, "%s quotes fields: the naive count cannot split it",
                  path);
    int col_value = -1, col_expected = -1;
    long vus = -1;
    char *save = NULL;
    bool header = true;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *fields[32];
        int n = 0;
        for (char *p = line; n < 32;) {
            fields[n++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (header) {
            for (int i = 0; i < n; i++) {
                if (strcmp(fields[i], "metric_value") == 0)
                    col_value = i;
                if (strcmp(fields[i], "expected_response") == 0)
                    col_expected = i;
            }
            ck_assert(col_value > 0 && col_expected > 0);
            header = false;
            continue;
        }
        if (strcmp(fields[0], "vus") == 0) {
            vus = atol(fields[col_value]);
            c.vus_rows++;
        } else if (strcmp(fields[0], "http_req_duration") == 0) {
            c.durations++;
            c.delay_sum += atof(fields[col_value]);
            c.ok += strcmp(fields[col_expected], "true") == 0;
            if (vus >= 0) {
                c.with_vus++;
                c.vus_sum += vus;
            }
        }
    }
    free(text);
    return c;
}

/* Ingests path into a new store; the store's path and p3's stderr. */
static char *ingest(const char *path, char **err)
{
    return test_ingest_new_store("k6-ingest", path, err);
}

#define query_int test_query_int_at
#define query_double test_query_double_at

/* Checks one corpus file against the naive count; returns the count. */
static naive_count check_corpus_file(const char *path)
{
    naive_count c = count_naively(path);
    char *err;
    char *db = ingest(path, &err);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample"), c.durations);
    ck_assert_int_eq(query_int(db, "SELECT count(concurrency) FROM sample"), c.with_vus);
    ck_assert_int_eq(query_int(db, "SELECT coalesce(sum(concurrency), 0) FROM sample"), c.vus_sum);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE ok = 1"), c.ok);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE role IS NOT NULL"), 0);
    ck_assert_double_eq_tol(query_double(db, "SELECT sum(delay_ms) FROM sample"), c.delay_sum,
                            1e-6 * c.durations);
    char *format = test_query_text_at(db, "SELECT format FROM source_file");
    ck_assert_str_eq(format, "k6");
    bool noted = strstr(err, "note: the file has no 'vus' rows") != NULL;
    ck_assert_msg(noted == (c.vus_rows == 0), "%s: stderr:\n%s", path, err);
    free(format);
    free(err);
    free(db);
    return c;
}

START_TEST(test_k6_reader_stores_every_http_req_duration_row_of_the_corpus)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("k6_reader: skipped the corpus: no corpus folder\n");
        return;
    }
    char *folder = xasprintf("%s/k6", corpus);
    DIR *d = opendir(folder);
    ck_assert_msg(d != NULL, "cannot open %s", folder);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", folder, e->d_name);
        naive_count c = check_corpus_file(path);
        ck_assert_int_gt(c.durations, 0);
        files++;
        free(path);
    }
    closedir(d);
    ck_assert_int_ge(files, 2);
    free(folder);
    free(corpus);
}
END_TEST

START_TEST(test_k6_reader_gives_miguelferreira_requests_the_vus_before_them)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("k6_reader: skipped miguelferreira: no corpus folder\n");
        return;
    }
    char *path = xasprintf("%s/k6/miguelferreira_protobuf_create_user_k6.csv", corpus);
    char *err;
    char *db = ingest(path, &err);
    /* 1000 requests; the first vus row (line 178) follows the first 11. */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample"), 1000);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE concurrency = 1"), 989);
    /* Line 3: http_req_duration,1749871116,72.644152: started 72.644152 ms before the second. */
    ck_assert_int_eq(query_int(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     INT64_C(1749871116) * NS - 72644152);
    char *label = test_query_text_at(db, "SELECT DISTINCT label FROM sample");
    ck_assert_str_eq(label, "http://localhost:8081/users");
    char *meta = test_query_text_at(db, "SELECT group_concat(key || '=' || value, ';') FROM "
                                        "(SELECT * FROM file_meta ORDER BY key)");
    ck_assert_ptr_nonnull(strstr(meta, "metric=http_req_duration;"));
    ck_assert_ptr_nonnull(strstr(meta, "samples_without_vus=11;"));
    ck_assert_ptr_nonnull(strstr(meta, "time_format=unix"));
    ck_assert_str_eq(err, "");
    free(meta);
    free(label);
    free(err);
    free(db);
    free(path);
    free(corpus);
}
END_TEST

START_TEST(test_k6_reader_notes_a_file_without_vus_rows)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("k6_reader: skipped dlmohamed: no corpus folder\n");
        return;
    }
    char *path = xasprintf("%s/k6/dlmohamed13_k6_2021_18cols_groups.csv", corpus);
    char *err;
    char *db = ingest(path, &err);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample"), 3);
    ck_assert_int_eq(query_int(db, "SELECT count(concurrency) FROM sample"), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE ok = 1"), 3);
    ck_assert_int_eq(query_int(db, "SELECT count(DISTINCT label) FROM sample"), 2);
    char *expected = xasprintf("%s: note: the file has no 'vus' rows: its samples get levels "
                               "only from run.ini [levels] or schedule.csv\n",
                               path);
    ck_assert_str_eq(err, expected);
    free(expected);
    free(err);
    free(db);
    free(path);
    free(corpus);
}
END_TEST

/* ---- Golden bad inputs ---- */

static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/k6/bad", name, ".csv");
}

START_TEST(test_k6_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/k6/bad", ".csv", check_golden);
    /* missing column, bad value, bad timestamp, unterminated quote, and more */
    ck_assert_int_ge(cases, 8);
}
END_TEST

START_TEST(test_k6_reader_makes_no_sink_call_after_the_first_error)
{
    recorded r;
    read_text(HEADER "http_req_duration,1619922931,oops" OK_TAGS
                     "http_req_duration,1619922931,2.5" OK_TAGS,
              NULL, &r);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(r.meta_count, 0);
    ck_assert_uint_eq(diag_list_errors(r.diags), 1);
    diag_list_free(r.diags);
}
END_TEST

/* ---- gzip ---- */

static void write_gzip(const char *path, const char *text)
{
    gzFile gz = gzopen(path, "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
    ck_assert_int_eq(gzclose(gz), Z_OK);
}

START_TEST(test_k6_reader_reads_gzip_as_its_plain_twin)
{
    const char *text = HEADER "http_reqs,1619922931,1.000000" OK_TAGS
                              "http_req_duration,1619922931,2.308000" OK_TAGS
                              "vus,1619922931,3.000000" VUS_TAGS
                              "http_req_duration,1619922932,3.890000" OK_TAGS
                              "http_req_duration,1619922933,7.263000,,,,false,,POST,/b,HTTP/1.1,"
                              "default,,503,,,http://test.k6.io/b,\n";
    char *dir = test_tmpdir("k6-gzip");
    char *plain = xasprintf("%s/plain.csv", dir), *packed = xasprintf("%s/packed.csv.gz", dir);
    test_write_text(plain, text);
    write_gzip(packed, text);
    const char *sql = "SELECT group_concat(t_ns || ' ' || delay_ms || ' ' || label || ' ' || ok || "
                      "' ' || coalesce(concurrency, 'none'), ';') FROM (SELECT * FROM sample "
                      "ORDER BY sample_id)";
    char *err1, *err2;
    char *db1 = ingest(plain, &err1), *db2 = ingest(packed, &err2);
    char *rows1 = test_query_text_at(db1, sql), *rows2 = test_query_text_at(db2, sql);
    ck_assert_str_eq(rows1, "1619922930997692000 2.308 http://test.k6.io/ 1 none;"
                            "1619922931996110000 3.89 http://test.k6.io/ 1 3;"
                            "1619922932992737000 7.263 /b 0 3");
    ck_assert_str_eq(rows2, rows1);
    /* The gzip file is recorded by its own bytes. */
    size_t packed_size;
    char *sha = test_file_sha256(packed, &packed_size);
    char *stored = test_query_text_at(db2, "SELECT sha256 || ' ' || size FROM source_file");
    char *want = xasprintf("%s %zu", sha, packed_size);
    ck_assert_str_eq(stored, want);
    free(want);
    free(stored);
    free(sha);
    free(rows1);
    free(rows2);
    free(err1);
    free(err2);
    free(db1);
    free(db2);
    free(plain);
    free(packed);
    free(dir);
}
END_TEST

/* ---- What a sample is ---- */

START_TEST(test_k6_reader_dates_a_request_from_its_end_minus_its_duration)
{
    recorded r;
    read_text(HEADER "http_req_duration,1619922931,1500.25" OK_TAGS, NULL, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_int_eq(r.samples[0].t_ns, INT64_C(1619922931) * NS - INT64_C(1500250000));
    ck_assert_double_eq(r.samples[0].delay_ms, 1500.25);
    ck_assert_double_eq(r.samples[0].weight, 1);
    ck_assert_int_eq(r.samples[0].role, LOAD_SAMPLE);
    ck_assert_str_eq(meta_of(&r, "start_time"),
                     "timestamp (request end, whole seconds) minus the delay: starts are up to 1 s "
                     "early");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_detects_every_time_format_from_the_values)
{
    static const struct {
        const char *stamp, *format;
        int64_t end_ns;
    } cases[] = {
        {"1619922931", "unix", INT64_C(1619922931000000000)},
        {"1619922931123", "unix_milli", INT64_C(1619922931123000000)},
        {"1619922931123456", "unix_micro", INT64_C(1619922931123456000)},
        {"1619922931123456789", "unix_nano", INT64_C(1619922931123456789)},
        {"2021-05-02T02:35:31Z", "rfc3339", INT64_C(1619922931000000000)},
        {"2021-05-02T04:35:31+02:00", "rfc3339", INT64_C(1619922931000000000)},
        {"2021-05-02T02:35:31.123456789Z", "rfc3339_nano", INT64_C(1619922931123456789)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = xasprintf(HEADER "http_req_duration,%s,2" OK_TAGS "vus,%s,4" VUS_TAGS
                                      "http_req_duration,%s,2" OK_TAGS,
                               cases[i].stamp, cases[i].stamp, cases[i].stamp);
        recorded r;
        read_text(text, NULL, &r);
        ck_assert_msg(r.status == STATUS_OK, "%s", cases[i].stamp);
        ck_assert_uint_eq(r.count, 2);
        ck_assert_int_eq(r.samples[1].t_ns, cases[i].end_ns - 2000000);
        ck_assert_int_eq(r.samples[1].concurrency, 4);
        ck_assert_str_eq(meta_of(&r, "time_format"), cases[i].format);
        diag_list_free(r.diags);
        free(text);
    }
}
END_TEST

START_TEST(test_k6_reader_carries_the_last_vus_value_forward)
{
    recorded r;
    read_text(HEADER "http_req_duration,1000000001,1" OK_TAGS /* before any vus row */
                     "vus,1000000001,5" VUS_TAGS
                     "http_req_duration,1000000001,1" OK_TAGS /* same second: 5 */
                     "http_req_duration,1000000003,1" OK_TAGS /* carried: 5 */
                     "vus,1000000004,7" VUS_TAGS
                     "http_req_duration,1000000003,1" OK_TAGS /* ended before the tick: 5 */
                     "http_req_duration,1000000004,1" OK_TAGS /* 7 */
                     "vus,1000000005,0" VUS_TAGS
                     "vus,1000000006,9" VUS_TAGS
                     "http_req_duration,1000000004,1" OK_TAGS, /* older than both kept: none */
              NULL, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 6);
    const long expected[] = {-1, 5, 5, 5, 7, -1};
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(r.samples[i].concurrency == expected[i], "sample %zu: %ld, expected %ld", i,
                      r.samples[i].concurrency, expected[i]);
    ck_assert_str_eq(meta_of(&r, "samples_without_vus"), "2");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_tells_failures_from_expected_response_then_status)
{
    recorded r;
    read_text("metric_name,timestamp,metric_value,expected_response,status,name,url\n"
              "http_req_duration,1619922931,1,true,500,a,http://x/a\n"   /* tag wins: ok */
              "http_req_duration,1619922931,1,false,200,a,http://x/a\n"  /* failed */
              "http_req_duration,1619922931,1,,404,,http://x/b\n"        /* status >= 400 */
              "http_req_duration,1619922931,1,,0,,http://x/c\n"          /* network error */
              "http_req_duration,1619922931,1,,302,,http://x/d\n"        /* ok */
              "http_req_duration,1619922931,1,,,,\n",                    /* unknown, no label */
              NULL, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 6);
    const int ok[] = {1, 0, 0, 0, 1, -1};
    const char *labels[] = {"a", "a", "http://x/b", "http://x/c", "http://x/d", NULL};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_msg(r.samples[i].ok == ok[i], "sample %zu: ok %d", i, r.samples[i].ok);
        if (labels[i])
            ck_assert_str_eq(r.samples[i].label, labels[i]);
        else
            ck_assert_ptr_null(r.samples[i].label);
    }
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_counts_only_the_chosen_trend)
{
    /* response_time duplicates http_req_duration, as in miguelferreira. */
    const char *text = HEADER "http_reqs,1619922931,1" OK_TAGS
                              "http_req_duration,1619922931,72.5" OK_TAGS
                              "http_req_waiting,1619922931,70" OK_TAGS
                              "response_time,1619922931,72.5" VUS_TAGS
                              "checks,1619922931,1" VUS_TAGS
                              "iteration_duration,1619922931,74" VUS_TAGS;
    recorded r;
    read_text(text, NULL, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_double_eq(r.samples[0].delay_ms, 72.5);
    diag_list_free(r.diags);

    load_options opts = {.k6_metric = "iteration_duration"};
    read_text(text, &opts, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_double_eq(r.samples[0].delay_ms, 74);
    ck_assert_int_eq(r.samples[0].ok, -1);
    ck_assert_ptr_null(r.samples[0].label);
    ck_assert_str_eq(meta_of(&r, "metric"), "iteration_duration");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_warns_when_the_metric_has_no_rows)
{
    recorded r;
    load_options opts = {.k6_metric = "grpc_req_duration"};
    read_text(HEADER "http_req_duration,1619922931,1" OK_TAGS, &opts, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 0);
    char *text = test_diag_text(r.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, "warning: no 'grpc_req_duration' rows: the file holds no "
                                       "samples"));
    free(text);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_reads_a_quoted_tag_across_lines)
{
    recorded r;
    read_text("metric_name,timestamp,metric_value,error,name\n"
              "http_req_duration,1619922931,1,\"line one\nline, two\",\"a \"\"b\"\"\"\n",
              NULL, &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_str_eq(r.samples[0].label, "a \"b\"");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_k6_reader_sniffs_the_header_only)
{
    const char *yes[] = {HEADER, "metric_name,timestamp,metric_value\n",
                         "metric_name,timestamp,check\r\n", "metric_name,metric_value"};
    const char *no[] = {"timestamp,metric_name,metric_value\n", "metric_name\n",
                        "metric_names,timestamp\n", "metric_name,timestamps,metric_values\n",
                        "timeStamp,elapsed,label\n", ""};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(k6_format.sniff("x", yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!k6_format.sniff("x", no[i], strlen(no[i])), "%s", no[i]);
    ck_assert_str_eq(k6_format.name, "k6");
}
END_TEST

Suite *k6_reader_suite(void)
{
    Suite *s = suite_create("k6_reader");
    TCase *corpus = tcase_create("corpus");
    tcase_set_timeout(corpus, 120);
    tcase_add_test(corpus, test_k6_reader_stores_every_http_req_duration_row_of_the_corpus);
    tcase_add_test(corpus, test_k6_reader_gives_miguelferreira_requests_the_vus_before_them);
    tcase_add_test(corpus, test_k6_reader_notes_a_file_without_vus_rows);
    suite_add_tcase(s, corpus);
    TCase *bad = tcase_create("bad");
    tcase_set_timeout(bad, 60);
    tcase_add_test(bad, test_k6_reader_bad_inputs_match_golden_messages);
    tcase_add_test(bad, test_k6_reader_makes_no_sink_call_after_the_first_error);
    suite_add_tcase(s, bad);
    TCase *read = tcase_create("read");
    tcase_set_timeout(read, 60);
    tcase_add_test(read, test_k6_reader_reads_gzip_as_its_plain_twin);
    tcase_add_test(read, test_k6_reader_dates_a_request_from_its_end_minus_its_duration);
    tcase_add_test(read, test_k6_reader_detects_every_time_format_from_the_values);
    tcase_add_test(read, test_k6_reader_carries_the_last_vus_value_forward);
    tcase_add_test(read, test_k6_reader_tells_failures_from_expected_response_then_status);
    tcase_add_test(read, test_k6_reader_counts_only_the_chosen_trend);
    tcase_add_test(read, test_k6_reader_warns_when_the_metric_has_no_rows);
    tcase_add_test(read, test_k6_reader_reads_a_quoted_tag_across_lines);
    tcase_add_test(read, test_k6_reader_sniffs_the_header_only);
    suite_add_tcase(s, read);
    return s;
}
