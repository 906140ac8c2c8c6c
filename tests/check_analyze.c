/* The analysis pass on a store: results per level, undefined statistics
 * stored as NULL, nothing rewritten when the inputs are unchanged, and a
 * recomputation when a run gains a file. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "diag.h"
#include "ingest.h"
#include "schema_scripts.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* A store with one run folder ingested through the library. */
static sqlite3 *store_with(const char *dir, const char *log_text, const char *name)
{
    char *run = xasprintf("%s/run", dir), *db_path = xasprintf("%s/p3.db", dir);
    char *log = xasprintf("%s/%s", run, name);
    test_write_text(log, log_text);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(db_path, STORE_CREATE, &db, diags), STATUS_OK);
    ingest_totals totals;
    const char *paths[] = {run};
    ck_assert_int_eq(ingest_paths(db, paths, 1, NULL, NULL, NULL, &totals, diags), STATUS_OK);
    diag_list_free(diags);
    free(run), free(db_path), free(log);
    return db;
}

static const char log_text[] = "# p3-probe 1\ntime,level,delay_ms\n"
                               "1109671200,None,10\n1109671201,None,30\n1109671202,None,20\n"
                               "1109671203,Low,400\n"
                               "1109671204,Overload,1000\n1109671205,Overload,2000\n";

START_TEST(test_analyze_stores_per_level_results_with_nulls_where_undefined)
{
    char *dir = test_tmpdir("analyze");
    sqlite3 *db = store_with(dir, log_text, "a.probe");
    diag_list *diags = diag_list_new();
    analyze_totals t;
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    ck_assert_int_eq(t.analyzed, 1);
    ck_assert_int_eq(t.samples, 6);
    ck_assert_double_eq(test_query_double(db, "SELECT mean_ms FROM level_stats WHERE level = 0"),
                        20);
    ck_assert_double_eq(test_query_double(db, "SELECT stddev_ms FROM level_stats WHERE level = 0"),
                        10);
    ck_assert_double_eq(test_query_double(db, "SELECT p90_ms FROM level_stats WHERE level = 0"),
                        28);
    /* One sample: no standard deviation. */
    ck_assert(isnan(test_query_double(db, "SELECT stddev_ms FROM level_stats WHERE level = 1")));
    /* No samples: n is 0, the rest NULL, every bucket 0 %. */
    ck_assert_double_eq(test_query_double(db, "SELECT n FROM level_stats WHERE level = 2"), 0);
    ck_assert(isnan(test_query_double(db, "SELECT mean_ms FROM level_stats WHERE level = 2")));
    ck_assert_double_eq(test_query_double(db, "SELECT sum(pct) FROM level_bucket WHERE level = 2"),
                        0);
    /* 1000 is not over the line, 2000 is; 2000 is in the overflow bucket. */
    ck_assert_double_eq(
        test_query_double(db, "SELECT pct_over_endurance FROM level_stats WHERE level = 5"), 50);
    ck_assert_double_eq(
        test_query_double(db, "SELECT pct FROM level_bucket WHERE level = 5 AND bucket = 10"), 50);
    ck_assert_double_eq(
        test_query_double(db, "SELECT pct FROM level_bucket WHERE level = 5 AND bucket = 5"), 50);
    /* Every level with samples sums to 100 %. */
    ck_assert_double_eq(
        test_query_double(db, "SELECT count(*) FROM (SELECT level, sum(pct) s FROM "
                              "level_bucket GROUP BY level HAVING abs(s - 100) > 1e-9 AND s > 0)"),
        0);
    ck_assert_double_eq(test_query_double(db, "SELECT count(*) FROM bucket"), 11);
    /* The quantile curve: 104 points per level with samples, its 95 % point
     * the level's p95, none for the empty level. */
    ck_assert_double_eq(
        test_query_double(db, "SELECT count(*) FROM level_quantile WHERE level = 0"), 104);
    ck_assert_double_eq(
        test_query_double(db, "SELECT value_ms FROM level_quantile WHERE level = 0 AND q = 9500"),
        test_query_double(db, "SELECT p95_ms FROM level_stats WHERE level = 0"));
    ck_assert_double_eq(
        test_query_double(db, "SELECT count(*) FROM level_quantile WHERE level = 2"), 0);
    diag_list_free(diags);
    store_close(db);
    free(dir);
}
END_TEST

START_TEST(test_analyze_writes_nothing_when_inputs_are_unchanged)
{
    char *dir = test_tmpdir("analyze-again");
    sqlite3 *db = store_with(dir, log_text, "a.probe");
    diag_list *diags = diag_list_new();
    analyze_totals t;
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    int changes = sqlite3_total_changes(db);
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    ck_assert_int_eq(t.analyzed, 0);
    ck_assert_int_eq(t.unchanged, 1);
    ck_assert_int_eq(sqlite3_total_changes(db), changes);
    /* Other settings are other results. */
    static const double edges[] = {100, 1000};
    analyze_options opts = {.edges = edges, .edge_count = 2, .endurance_ms = 500};
    ck_assert_int_eq(analyze_store(db, &opts, NULL, NULL, &t, diags), STATUS_OK);
    ck_assert_int_eq(t.analyzed, 1);
    ck_assert_double_eq(test_query_double(db, "SELECT count(*) FROM bucket"), 3);
    ck_assert_double_eq(
        test_query_double(db, "SELECT pct_over_endurance FROM level_stats WHERE level = 5"), 100);
    diag_list_free(diags);
    store_close(db);
    free(dir);
}
END_TEST

START_TEST(test_analyze_recomputes_a_run_that_gained_a_file)
{
    char *dir = test_tmpdir("analyze-grow");
    sqlite3 *db = store_with(dir, log_text, "a.probe");
    diag_list *diags = diag_list_new();
    analyze_totals t;
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    char *more = xasprintf("%s/run/b.probe", dir);
    test_write_text(more, "# p3-probe 1\ntime,level,delay_ms\n1109671300,Low,600\n");
    char *run = xasprintf("%s/run", dir);
    const char *paths[] = {run};
    ingest_totals it;
    ck_assert_int_eq(ingest_paths(db, paths, 1, NULL, NULL, NULL, &it, diags), STATUS_OK);
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    ck_assert_int_eq(t.analyzed, 1);
    ck_assert_double_eq(test_query_double(db, "SELECT mean_ms FROM level_stats WHERE level = 1"),
                        500);
    ck_assert_double_eq(test_query_double(db, "SELECT samples FROM analysis"), 7);
    diag_list_free(diags);
    store_close(db);
    free(more), free(run), free(dir);
}
END_TEST

START_TEST(test_analyze_loads_placed_levels_from_a_first_version_store_without_writing)
{
    /* A store as schema version 1 made it, with levels given by the probe log. */
    char *dir = test_tmpdir("analyze-v1");
    char *path = xasprintf("%s/old.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, schema_scripts[0].sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "PRAGMA user_version = 1; PRAGMA application_id = 1345537090;"
                     "INSERT INTO run (run_id, name, title) VALUES (1, 'old', 'Old');"
                     "INSERT INTO run_level VALUES (1, 0, 'None'), (1, 1, 'Busy');"
                     "INSERT INTO source_file (file_id, run_id, path, size, sha256, kind, "
                     "ingested_at, samples, first_sample, last_sample) VALUES "
                     "(1, 1, 'a.probe', 1, 'x', 'probe', 't', 5, 1, 5);"
                     "INSERT INTO sample (sample_id, file_id, t_ns, level, delay_ms) VALUES "
                     "(1, 1, 0, 1, 900), (2, 1, 1, 0, 20), (3, 1, 2, 1, 700), (4, 1, 3, 0, 10), "
                     "(5, 1, 4, 1, 800);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    size_t len;
    char *before = test_read_file(path, &len);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(path, STORE_READ_ONLY, &db, diags), STATUS_OK);
    analyze_levels levels;
    ck_assert_int_eq(analyze_load_levels(db, "old", NULL, &levels, diags), STATUS_OK);
    ck_assert_uint_eq(levels.level_count, 2);
    ck_assert_str_eq(levels.names[1], "Busy");
    ck_assert_uint_eq(levels.start[1] - levels.start[0], 2);
    ck_assert_uint_eq(levels.start[2] - levels.start[1], 3);
    /* Each level sorted. */
    ck_assert_double_eq(levels.delay[levels.start[1]], 700);
    ck_assert_double_eq(levels.delay[levels.start[2] - 1], 900);
    analyze_levels_clear(&levels);
    ck_assert_int_eq(analyze_load_levels(db, "nope", NULL, &levels, diags), STATUS_BAD_INPUT);
    store_close(db);
    size_t len_after;
    char *after = test_read_file(path, &len_after);
    ck_assert_uint_eq(len, len_after);
    ck_assert(memcmp(before, after, len) == 0);
    free(before), free(after);
    diag_list_free(diags);
    free(path), free(dir);
}
END_TEST

/* "1,2,...,n" as --buckets takes it (caller frees). */
static char *edge_list(int n)
{
    char *list = xstrdup("1");
    for (int k = 2; k <= n; k++) {
        char *longer = xasprintf("%s,%d", list, k);
        free(list);
        list = longer;
    }
    return list;
}

START_TEST(test_analyze_refuses_more_than_100_bucket_edges_in_every_command)
{
    /* 10,000 edges were once taken, and the workbook then failed with a
     * column out of range; analyze, report and compare now say the limit
     * before they touch a store or a folder. */
    char *many = edge_list(101), *huge = edge_list(10000);
    const char *analyze[] = {"analyze", "--db", "nowhere/p3.db", "--buckets", many, NULL};
    const char *report[] = {"report", "-o", "nowhere", "--buckets", huge, "nowhere", NULL};
    const char *compare[] = {"compare", "--buckets", many, "a", "b", NULL};
    const char *const *commands[] = {analyze, report, compare};
    const char *expected[] = {"p3 analyze: error: bad --buckets: at most 100 edges, got 101\n",
                              "p3 report: error: bad --buckets: at most 100 edges, got 10000\n",
                              "p3 compare: error: bad --buckets: at most 100 edges, got 101\n"};
    char failures[1024] = "";
    for (int i = 0; i < 3; i++) {
        test_run r = test_p3(NULL, commands[i]);
        char *usage = strstr(r.err, "usage: ");
        if (usage)
            *usage = '\0';
        if (r.status != STATUS_USAGE || strcmp(r.err, expected[i]) != 0)
            snprintf(failures + strlen(failures), sizeof failures - strlen(failures),
                     "%s: exit %d, stderr '%s'; ", commands[i][0], r.status, r.err);
        test_run_free(&r);
    }
    ck_assert_msg(failures[0] == '\0', "%s", failures);
    free(many), free(huge);
}
END_TEST

START_TEST(test_analyze_takes_100_bucket_edges_and_the_workbook_holds_them)
{
    /* The limit itself is taken, and every output of p3 report holds it. */
    char *dir = test_tmpdir("analyze-100-edges");
    char *run = xasprintf("%s/run/a.probe", dir), *out = xasprintf("%s/out", dir);
    test_write_text(run, log_text);
    char *edges = edge_list(100);
    const char *args[] = {"report", "-o", out, "--buckets", edges, "run", NULL};
    test_run r = test_p3(dir, args);
    ck_assert_msg(r.status == STATUS_OK, "exit %d, stderr:\n%s", r.status, r.err);
    test_run_free(&r);
    char *db_path = xasprintf("%s/p3.db", out);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_double_eq(test_query_double(db, "SELECT count(*) FROM bucket"), 101);
    sqlite3_close(db);
    char *xlsx = xasprintf("%s/p3.xlsx", out);
    char *sha = test_file_sha256(xlsx, NULL);
    ck_assert_msg(sha != NULL, "no %s", xlsx);
    free(sha), free(xlsx), free(db_path), free(edges), free(run), free(out), free(dir);
}
END_TEST

START_TEST(test_analyze_warns_about_run_ini_buckets_over_the_limit)
{
    /* run.ini's analysis.buckets has the same limit: over it, a warning and
     * the paper's edges. */
    char *dir = test_tmpdir("analyze-ini-edges");
    char *edges = edge_list(101);
    char *ini_text = xasprintf("[analysis]\nbuckets = %s\n", edges);
    char *ini = xasprintf("%s/run/run.ini", dir);
    test_write_text(ini, ini_text);
    sqlite3 *db = store_with(dir, log_text, "a.probe");
    diag_list *diags = diag_list_new();
    analyze_totals t;
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &t, diags), STATUS_OK);
    ck_assert_double_eq(test_query_double(db, "SELECT count(*) FROM bucket"), 11);
    ck_assert_uint_eq(diag_list_count(diags), 1);
    char *msg = diag_format(diag_list_get(diags, 0));
    ck_assert_msg(strstr(msg, "warning: run.ini analysis.buckets has 101 values, at most 100; "
                              "using the default") != NULL,
                  "got '%s'", msg);
    free(msg);
    diag_list_free(diags);
    store_close(db);
    free(ini), free(ini_text), free(edges), free(dir);
}
END_TEST

Suite *analyze_suite(void)
{
    Suite *s = suite_create("analyze");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_analyze_stores_per_level_results_with_nulls_where_undefined);
    tcase_add_test(tc, test_analyze_writes_nothing_when_inputs_are_unchanged);
    tcase_add_test(tc, test_analyze_recomputes_a_run_that_gained_a_file);
    tcase_add_test(tc, test_analyze_loads_placed_levels_from_a_first_version_store_without_writing);
    tcase_add_test(tc, test_analyze_refuses_more_than_100_bucket_edges_in_every_command);
    tcase_add_test(tc, test_analyze_takes_100_bucket_edges_and_the_workbook_holds_them);
    tcase_add_test(tc, test_analyze_warns_about_run_ini_buckets_over_the_limit);
    suite_add_tcase(s, tc);
    return s;
}
