/* Locust stats history: every corpus file stores one aggregate per row
 * after the first of each name, with counts that a naive count of the
 * totals gives, the exact interval means, and the percentile kind the
 * corpus table names; every kind of bad input gives its exact message and
 * stores nothing; restarts, the percentile columns and the window rule
 * read as README.md says; a probe log written as the README's Locust hook
 * writes it is accepted. */
#include <check.h>
#include <dirent.h>
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

extern const load_format locust_format;

/* ---- A sink that records what the reader gives ---- */

#define MAX_RECORDED 32

typedef struct recorded {
    load_aggregate aggregates[MAX_RECORDED];
    char labels[MAX_RECORDED][64];
    size_t count;
    char meta[16][2][160];
    size_t meta_count;
    int status;
    diag_list *diags;
} recorded;

static int record_sample(void *ctx, const load_sample *s)
{
    (void)ctx;
    (void)s;
    ck_abort_msg("Locust gives aggregates, not samples");
    return STATUS_FAILURE;
}

static int record_aggregate(void *ctx, const load_aggregate *a)
{
    recorded *r = ctx;
    if (r->count < MAX_RECORDED) {
        r->aggregates[r->count] = *a;
        snprintf(r->labels[r->count], sizeof r->labels[0], "%.*s", (int)a->label_len,
                 a->label ? a->label : "");
        r->aggregates[r->count].label = a->label ? r->labels[r->count] : NULL;
    }
    r->count++;
    return STATUS_OK;
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

/* Reads text as a Locust file through the reader; the caller frees r->diags. */
static void read_text(const char *text, recorded *r)
{
    memset(r, 0, sizeof *r);
    r->diags = diag_list_new();
    char *dir = test_tmpdir("locust");
    char *path = xasprintf("%s/x_stats_history.csv", dir);
    test_write_text(path, text);
    load_sink sink = {r, record_sample, record_aggregate, record_meta};
    load_options none = {0};
    char sha[65];
    long long size = 0;
    r->status = locust_format.read(path, &none, &sink, sha, &size, r->diags);
    if (r->status == STATUS_OK) {
        ck_assert_uint_eq(strlen(sha), 64);
        ck_assert_int_eq(size, (long long)strlen(text));
    }
    free(path);
    free(dir);
}

static const int64_t NS = 1000000000;

#define HEADER                                                                                  \
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,99.9%,99.99%,100%,"               \
    "Total Request Count,Total Failure Count,Total Median Response Time,"                       \
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"              \
    "Total Average Content Size\r\n"

/* ---- Naive counts of a corpus file, for comparison ---- */

#define MAX_SERIES 16

typedef struct naive_series {
    char key[512];          /* Type, a tab, Name */
    long long rows, first_requests, last_requests, first_failures, last_failures;
    double first_total_ms, last_total_ms; /* Total Average x Total Request Count */
} naive_series;

typedef struct naive_count {
    naive_series series[MAX_SERIES];
    size_t series_count;
    long long aggregated_rows;  /* rows of the Aggregated total */
    long long quantiles;        /* numeric percentile fields of rows after the first of their
                                   series, in columns of a whole number per million */
    long long last_users;
} naive_count;

/* Splits on commas and strips quotes (the corpus files hold no commas or
 * quotes inside fields); counts as README.md says the reader should. */
static naive_count count_naively(const char *path)
{
    naive_count c;
    memset(&c, 0, sizeof c);
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    int col[6] = {-1, -1, -1, -1, -1, -1}; /* Type, Name, requests, failures, average, users */
    static const char *const names[6] = {"Type", "Name", "Total Request Count",
                                         "Total Failure Count", "Total Average Response Time",
                                         "User Count"};
    bool percentile[64] = {false};
    bool header = true;
    char *save = NULL;
    for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *fields[64];
        int n = 0;
        for (char *p = line; n < 64;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            size_t len = strlen(p);
            if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
                p[len - 1] = '\0';
                p++;
            }
            ck_assert_msg(strchr(p, '"') == NULL, "%s: the naive count cannot split it", path);
            fields[n++] = p;
            if (!comma)
                break;
            p = comma + 1;
        }
        if (header) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 6; k++)
                    if (strcmp(fields[i], names[k]) == 0)
                        col[k] = i;
                size_t len = strlen(fields[i]);
                percentile[i] = len > 1 && fields[i][len - 1] == '%';
            }
            for (int k = 0; k < 6; k++)
                ck_assert_msg(col[k] >= 0, "%s: no %s", path, names[k]);
            header = false;
            continue;
        }
        char key[512];
        snprintf(key, sizeof key, "%s\t%s", fields[col[0]], fields[col[1]]);
        size_t s = 0;
        while (s < c.series_count && strcmp(c.series[s].key, key) != 0)
            s++;
        long long requests = atoll(fields[col[2]]), failures = atoll(fields[col[3]]);
        double total_ms = atof(fields[col[4]]) * (double)requests;
        naive_series *e = &c.series[s];
        if (s == c.series_count) {
            ck_assert_uint_lt(c.series_count, MAX_SERIES);
            c.series_count++;
            snprintf(e->key, sizeof e->key, "%s", key);
            e->first_requests = requests;
            e->first_failures = failures;
            e->first_total_ms = total_ms;
        } else {
            ck_assert_msg(requests >= e->last_requests && failures >= e->last_failures,
                          "%s: a counter goes back: the naive count cannot follow", path);
            for (int i = 0; i < n; i++)
                c.quantiles += percentile[i] && strcmp(fields[i], "N/A") != 0;
        }
        e->rows++;
        e->last_requests = requests;
        e->last_failures = failures;
        e->last_total_ms = total_ms;
        c.aggregated_rows += strcmp(key, "\tAggregated") == 0;
        c.last_users = atoll(fields[col[5]]);
    }
    free(text);
    return c;
}

/* Ingests path into a new store; the store's path and p3's stderr. */
static char *ingest(const char *path, char **err)
{
    return test_ingest_new_store("locust-ingest", path, err);
}

#define query_int test_query_int_at
#define query_double test_query_double_at

/* The percentile kind the corpus table of LOADTEST-FORMATS.md names. */
static int expected_window(const char *name)
{
    if (strncmp(name, "zhajiangmian", 12) == 0 || strncmp(name, "nikita_filonov", 14) == 0)
        return 1;
    if (strncmp(name, "isneil", 6) == 0 || strncmp(name, "veroliut", 8) == 0)
        return 0;
    return -1;
}

static void check_corpus_file(const char *folder, const char *name)
{
    char *path = xasprintf("%s/%s", folder, name);
    naive_count c = count_naively(path);
    long long aggregates = 0, requests = 0, failures = 0;
    double total_ms = 0;
    for (size_t s = 0; s < c.series_count; s++) {
        const naive_series *e = &c.series[s];
        aggregates += e->rows - 1;
        requests += e->last_requests - e->first_requests;
        failures += e->last_failures - e->first_failures;
        total_ms += e->last_total_ms - e->first_total_ms;
    }
    char *err;
    char *db = ingest(path, &err);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM aggregate"), aggregates);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM aggregate WHERE label IS NULL"),
                     c.aggregated_rows - 1);
    ck_assert_int_eq(query_int(db, "SELECT sum(requests) FROM aggregate"), requests);
    ck_assert_int_eq(query_int(db, "SELECT sum(failures) FROM aggregate"), failures);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM aggregate_quantile"), c.quantiles);
    ck_assert_int_eq(query_int(db, "SELECT concurrency FROM aggregate ORDER BY aggregate_id DESC "
                                   "LIMIT 1"),
                     c.last_users);
    /* The interval means add up to the last totals: they are exact. */
    ck_assert_double_eq_tol(query_double(db, "SELECT sum(mean_ms * requests) FROM aggregate"),
                            total_ms, 1e-6 * fabs(total_ms) + 1e-6);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM aggregate WHERE (requests > 0) != "
                                   "(mean_ms IS NOT NULL)"),
                     0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample"), 0);
    int window = expected_window(name);
    if (window >= 0) {
        ck_assert_int_eq(query_int(db, "SELECT count(DISTINCT window) FROM aggregate"), 1);
        ck_assert_int_eq(query_int(db, "SELECT window FROM aggregate LIMIT 1"), window);
    }
    char *format = test_query_text_at(db, "SELECT format FROM source_file");
    ck_assert_str_eq(format, "locust");
    free(format);
    free(err);
    free(db);
    free(path);
}

START_TEST(test_locust_reader_stores_every_interval_of_the_corpus)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("locust_reader: skipped the corpus: no corpus folder\n");
        return;
    }
    char *folder = xasprintf("%s/locust", corpus);
    DIR *d = opendir(folder);
    ck_assert_msg(d != NULL, "cannot open %s", folder);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        check_corpus_file(folder, e->d_name);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 4);
    free(folder);
    free(corpus);
}
END_TEST

START_TEST(test_locust_reader_reads_the_quoted_zhajiangmian_file)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("locust_reader: skipped zhajiangmian: no corpus folder\n");
        return;
    }
    char *path =
        xasprintf("%s/locust/zhajiangmian_2020_quoted_99999pct_stats_history.csv", corpus);
    char *err;
    char *db = ingest(path, &err);
    /* Rows at ...274 (1 user, N/A), ...276 (10 users, 10 requests, average 54) and ...276
     * (0 users at the stop, 15 requests, average 39). */
    char *rows = test_query_text_at(
        db, "SELECT group_concat(t_ns || ' ' || coalesce(span_ns, '-') || ' ' || concurrency || "
            "' ' || requests || ' ' || mean_ms || ' ' || window, ';') FROM aggregate");
    ck_assert_str_eq(rows, "1597569276000000000 2000000000 10 10 54.0 1;"
                           "1597569276000000000 - 0 5 9.0 1");
    char *q = test_query_text_at(db, "SELECT group_concat(q || '=' || value_ms) FROM "
                                     "aggregate_quantile WHERE aggregate_id = (SELECT "
                                     "min(aggregate_id) FROM aggregate)");
    ck_assert_str_eq(q, "500000=50.0,660000=50.0,750000=52.0,800000=52.0,900000=52.0,"
                        "950000=52.0,980000=52.0,990000=52.0,999000=52.0,999900=52.0,"
                        "999990=52.0,1000000=52.0");
    /* Quantiles are kept per million: even the 99.999th is stored. */
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM file_meta WHERE key = "
                                   "'skipped_percentiles'"),
                     0);
    free(q);
    free(rows);
    free(err);
    free(db);
    free(path);
    free(corpus);
}
END_TEST

START_TEST(test_locust_reader_keeps_the_names_of_nikita_filonov)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("locust_reader: skipped nikita_filonov: no corpus folder\n");
        return;
    }
    char *path =
        xasprintf("%s/locust/nikita_filonov_custom_percentiles_grpc_stats_history.csv", corpus);
    char *err;
    char *db = ingest(path, &err);
    ck_assert_int_eq(query_int(db, "SELECT count(DISTINCT label) FROM aggregate"), 1);
    char *label = test_query_text_at(db, "SELECT DISTINCT label FROM aggregate WHERE label IS NOT "
                                         "NULL");
    ck_assert_str_eq(label, "/backend.diftech.processing.caa.operationfacade.facadeback.v1."
                            "OperationFacadeBackService/GetOperfeed");
    /* Custom percentiles 50, 60, 70, 80, 90, 95, 99, 100; rows 5 s apart. */
    char *qs = test_query_text_at(db, "SELECT group_concat(DISTINCT q) FROM (SELECT q FROM "
                                      "aggregate_quantile ORDER BY q)");
    ck_assert_str_eq(qs, "500000,600000,700000,800000,900000,950000,990000,1000000");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM aggregate WHERE span_ns != 5000000000"),
                     0);
    char *why = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = "
                                       "'percentiles_why'");
    ck_assert_ptr_nonnull(strstr(why, "the 100% column is below Total Max Response Time"));
    ck_assert_str_eq(err, "");
    free(why);
    free(qs);
    free(label);
    free(err);
    free(db);
    free(path);
    free(corpus);
}
END_TEST

/* ---- Golden bad inputs ---- */

static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/locust/bad", name, ".csv");
}

START_TEST(test_locust_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/locust/bad", ".csv", check_golden);
    /* missing column, bad value, bad timestamp, unterminated quote, and more */
    ck_assert_int_ge(cases, 7);
}
END_TEST

START_TEST(test_locust_reader_makes_no_sink_call_when_a_row_is_bad)
{
    recorded r;
    read_text(HEADER "1000,1,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n"
                     "1001,1,,Aggregated,0,0,10,10,10,10,5,0,10,10,10,10,0\r\n"
                     "1002,1,,Aggregated,0,0,10,10,10,10,6,0,10,ten,10,10,0\r\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(r.count, 0);
    ck_assert_uint_eq(r.meta_count, 0);
    char *text = test_diag_text(r.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, ":4:43: error: bad Total Average Response Time 'ten': "
                                       "expected a number of ms"));
    free(text);
    diag_list_free(r.diags);
}
END_TEST

/* ---- What an aggregate is ---- */

START_TEST(test_locust_reader_differences_the_totals_and_gives_exact_means)
{
    recorded r;
    read_text(HEADER "1000,0,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0\r\n"
                     "1001,10,,Aggregated,0,0,100,120,120,120,10,1,100,100.0,80,120,5\r\n"
                     "1003,20,,Aggregated,0,0,N/A,210,N/A,220,30,1,150,150.0,80,220,5\r\n"
                     "1004,20,,Aggregated,0,0,N/A,N/A,N/A,N/A,30,1,150,150.0,80,220,5\r\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 3);
    const load_aggregate *a = r.aggregates;
    ck_assert_int_eq(a[0].t_ns, 1001 * NS);
    ck_assert_int_eq(a[0].span_ns, 1 * NS);
    ck_assert_int_eq(a[0].concurrency, 10);
    ck_assert_ptr_null(a[0].label);
    ck_assert_int_eq(a[0].requests, 10);
    ck_assert_int_eq(a[0].failures, 1);
    ck_assert_double_eq(a[0].mean_ms, 100);
    ck_assert_uint_eq(a[0].quantile_count, 4);
    ck_assert_uint_eq(a[0].q[0], 500000);
    ck_assert_uint_eq(a[0].q[1], 999000);
    ck_assert_uint_eq(a[0].q[2], 999900);
    ck_assert_uint_eq(a[0].q[3], 1000000);
    ck_assert_double_eq(a[0].value_ms[3], 120);
    ck_assert_int_eq(a[1].span_ns, 2 * NS);
    ck_assert_int_eq(a[1].requests, 20);
    ck_assert_int_eq(a[1].failures, 0);
    ck_assert_double_eq_tol(a[1].mean_ms, 175, 1e-9); /* (30 x 150 - 10 x 100) / 20 */
    ck_assert_uint_eq(a[1].quantile_count, 2);        /* N/A left out */
    ck_assert_uint_eq(a[1].q[0], 999000);
    ck_assert_uint_eq(a[1].q[1], 1000000);
    ck_assert_double_eq(a[1].value_ms[1], 220);
    ck_assert_int_eq(a[2].requests, 0);
    ck_assert(isnan(a[2].mean_ms));
    ck_assert_uint_eq(a[2].quantile_count, 0);
    ck_assert(!a[0].window);
    ck_assert_str_eq(meta_of(&r, "percentiles"), "cumulative");
    ck_assert_uint_eq(diag_list_count(r.diags), 0);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_starts_counting_again_when_a_counter_goes_back)
{
    recorded r;
    read_text(HEADER "1000,5,,Aggregated,0,0,10,10,10,10,50,2,10,10.0,10,10,0\r\n"
                     "1001,5,,Aggregated,0,0,10,10,10,10,60,2,10,10.0,10,10,0\r\n"
                     "1002,0,,Aggregated,0,0,10,10,10,10,60,2,10,10.0,10,10,0\r\n"
                     "1010,5,,Aggregated,0,0,10,10,10,10,4,0,10,10.0,10,10,0\r\n"
                     "1011,5,,Aggregated,0,0,10,10,10,10,9,0,10,20.0,10,10,0\r\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 3);
    /* The fall of User Count to 0 is kept: only counters mark a restart. */
    ck_assert_int_eq(r.aggregates[1].concurrency, 0);
    ck_assert_int_eq(r.aggregates[1].requests, 0);
    ck_assert_int_eq(r.aggregates[2].t_ns, 1011 * NS);
    ck_assert_int_eq(r.aggregates[2].span_ns, 1 * NS);
    ck_assert_int_eq(r.aggregates[2].requests, 5);
    ck_assert_double_eq_tol(r.aggregates[2].mean_ms, 28, 1e-9); /* (9 x 20 - 4 x 10) / 5 */
    char *text = test_diag_text(r.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, ":5:1: warning: Total Request Count goes back from 60 to 4 "
                                       "for 'Aggregated': counting starts again (a restarted test "
                                       "or reset statistics)\n"));
    ck_assert_uint_eq(diag_list_count(r.diags), 1);
    free(text);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_keeps_a_series_per_type_and_name)
{
    recorded r;
    read_text(HEADER "1000,2,GET,/a,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n"
                     "1000,2,POST,/a,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n"
                     "1000,2,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n"
                     "1001,2,GET,/a,0,0,10,10,10,10,3,0,10,10,10,10,0\r\n"
                     "1001,2,POST,/a,0,0,20,20,20,20,1,1,20,20,20,20,0\r\n"
                     "1001,2,,Aggregated,0,0,10,20,20,20,4,1,10,12.5,10,20,0\r\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 3);
    ck_assert_str_eq(r.aggregates[0].label, "/a");
    ck_assert_int_eq(r.aggregates[0].requests, 3);
    ck_assert_str_eq(r.aggregates[1].label, "/a");
    ck_assert_int_eq(r.aggregates[1].requests, 1);
    ck_assert_int_eq(r.aggregates[1].failures, 1);
    ck_assert_ptr_null(r.aggregates[2].label);
    ck_assert_double_eq(r.aggregates[2].mean_ms, 12.5);
    /* Rows per name: --csv-full-history, window percentiles. */
    ck_assert(r.aggregates[0].window && r.aggregates[2].window);
    ck_assert_str_eq(meta_of(&r, "percentiles_why"),
                     "rows per request name: --csv-full-history of Locust 2.2.2 or later");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_takes_a_low_100_percent_column_as_a_window)
{
    recorded r;
    read_text(HEADER "1000,1,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n"
                     "1001,1,,Aggregated,0,0,500,900,900,900,9,0,500,510,100,913.5,0\r\n"
                     "1002,1,,Aggregated,0,0,100,300,300,300,19,0,200,300,100,913.5,0\r\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 2);
    ck_assert(r.aggregates[0].window && r.aggregates[1].window);
    ck_assert_str_eq(meta_of(&r, "percentiles"), "window");
    ck_assert_str_eq(meta_of(&r, "percentiles_why"),
                     "the 100% column is below Total Max Response Time at line 4");
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_takes_a_quoted_file_as_a_window)
{
    recorded r;
    read_text("\"Timestamp\",\"User Count\",\"Type\",\"Name\",\"Requests/s\",\"Failures/s\","
              "\"50%\",\"100%\",\"Total Request Count\",\"Total Failure Count\","
              "\"Total Median Response Time\",\"Total Average Response Time\","
              "\"Total Min Response Time\",\"Total Max Response Time\","
              "\"Total Average Content Size\"\n"
              "\"1000\",\"1\",\"\",\"Aggregated\",0.00,0.00,\"N/A\",\"N/A\",0,0,0,0,0,0,0\n"
              "\"1001\",\"1\",\"\",\"Aggregated\",0.00,0.00,50,52,10,0,51,54,48,52,7382\n",
              &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 1);
    ck_assert(r.aggregates[0].window);
    ck_assert_double_eq(r.aggregates[0].mean_ms, 54);
    ck_assert_str_eq(meta_of(&r, "percentiles_why"), "quoted header: Locust 1.1.1 or older");
    ck_assert_ptr_nonnull(meta_of(&r, "mean"));
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_warns_about_a_file_without_intervals)
{
    recorded r;
    read_text(HEADER "1000,0,,Aggregated,0,0,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\r\n", &r);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 0);
    char *text = test_diag_text(r.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, "warning: no intervals: every name has a single row"));
    free(text);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_locust_reader_sniffs_the_header_only)
{
    const char *yes[] = {HEADER, "\"Timestamp\",\"User Count\",\"Total Request Count\"\n"};
    const char *no[] = {"Timestamp,User Count,Type,Name\n",
                        "\"Type\",\"Name\",\"Timestamp\",\"# requests\"\n",
                        "Type,Name,Timestamp,User Count,Total Request Count\n",
                        "metric_name,timestamp,metric_value\n", ""};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(locust_format.sniff("x", yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!locust_format.sniff("x", no[i], strlen(no[i])), "%s", no[i]);
    ck_assert_str_eq(locust_format.name, "locust");
}
END_TEST

/* ---- The README's event hook ---- */

START_TEST(test_locust_reader_hook_probe_log_is_accepted)
{
    /* tests/data/locust/hook.probe was written by the README's hook (run
     * with a stand-in for locust.events): 60 requests under 6 names, one
     * failed and one without a time left out. */
    char *path = test_source_path("tests/data/locust/hook.probe");
    char *err;
    char *db = ingest(path, &err);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample"), 60);
    ck_assert_int_eq(query_int(db, "SELECT count(DISTINCT operation) FROM sample"), 6);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE operation = "
                                   "'/search?q=a,b'"),
                     10);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sample WHERE operation = 'say \"hi\"'"),
                     10);
    ck_assert_int_eq(query_int(db, "SELECT min(t_ns) FROM sample"), INT64_C(1724151243250000000));
    ck_assert_double_eq(query_double(db, "SELECT max(delay_ms) FROM sample"), 71.5);
    free(err);
    free(db);
    free(path);
}
END_TEST

Suite *locust_reader_suite(void)
{
    Suite *s = suite_create("locust_reader");
    TCase *corpus = tcase_create("corpus");
    tcase_set_timeout(corpus, 60);
    tcase_add_test(corpus, test_locust_reader_stores_every_interval_of_the_corpus);
    tcase_add_test(corpus, test_locust_reader_reads_the_quoted_zhajiangmian_file);
    tcase_add_test(corpus, test_locust_reader_keeps_the_names_of_nikita_filonov);
    suite_add_tcase(s, corpus);
    TCase *bad = tcase_create("bad");
    tcase_set_timeout(bad, 60);
    tcase_add_test(bad, test_locust_reader_bad_inputs_match_golden_messages);
    tcase_add_test(bad, test_locust_reader_makes_no_sink_call_when_a_row_is_bad);
    suite_add_tcase(s, bad);
    TCase *read = tcase_create("read");
    tcase_add_test(read, test_locust_reader_differences_the_totals_and_gives_exact_means);
    tcase_add_test(read, test_locust_reader_starts_counting_again_when_a_counter_goes_back);
    tcase_add_test(read, test_locust_reader_keeps_a_series_per_type_and_name);
    tcase_add_test(read, test_locust_reader_takes_a_low_100_percent_column_as_a_window);
    tcase_add_test(read, test_locust_reader_takes_a_quoted_file_as_a_window);
    tcase_add_test(read, test_locust_reader_warns_about_a_file_without_intervals);
    tcase_add_test(read, test_locust_reader_sniffs_the_header_only);
    tcase_add_test(read, test_locust_reader_hook_probe_log_is_accepted);
    suite_add_tcase(s, read);
    return s;
}
