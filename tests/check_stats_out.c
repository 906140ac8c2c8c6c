/* p3 stats end to end on a small fixture lab whose expected CSV was
 * computed independently with NumPy 1.24 (tests/data/lab-small.expected.csv:
 * numpy.percentile linear, numpy.std ddof=1, formatted %.3f / %.4f): custom
 * levels matched case-insensitively, a level with no samples, one sample,
 * equal samples, values exactly on bucket edges and on the endurance line,
 * the largest delay allowed. The last three columns (errors, error_pct,
 * approximate) are 0, 0 and 0 by definition: probe logs hold no failures,
 * and a level without samples has no error share. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* A store with the fixture lab ingested and analysed; caller frees. */
static char *fixture_store(void)
{
    char *dir = test_tmpdir("stats-out");
    char *db = xasprintf("%s/p3.db", dir);
    char *lab = test_source_path("tests/data/lab-small");
    const char *ingest[] = {"ingest", "--db", db, lab, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_msg(r.status == 0, "ingest failed: %s", r.err);
    test_run_free(&r);
    const char *analyze[] = {"analyze", "--db", db, NULL};
    r = test_p3(NULL, analyze);
    ck_assert_msg(r.status == 0, "analyze failed: %s", r.err);
    test_run_free(&r);
    free(lab);
    free(dir);
    return db;
}

START_TEST(test_stats_out_csv_equals_independent_computation)
{
    char *db = fixture_store();
    const char *args[] = {"stats", "--db", db, "--format", "csv", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    char *path = test_source_path("tests/data/lab-small.expected.csv");
    char *expected = test_read_file(path, NULL);
    ck_assert_ptr_nonnull(expected);
    ck_assert_str_eq(r.out, expected);
    ck_assert_str_eq(r.err, "");
    test_run_free(&r);
    free(expected);
    free(path);
    free(db);
}
END_TEST

START_TEST(test_stats_out_filters_one_run)
{
    char *db = fixture_store();
    const char *args[] = {"stats", "--db", db, "--format", "csv", "--run", "beta", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "alpha"));
    ck_assert_ptr_nonnull(strstr(r.out, "\nbeta,Overload,4,936.438,"));
    test_run_free(&r);
    const char *missing[] = {"stats", "--db", db, "--run", "gamma", NULL};
    r = test_p3(NULL, missing);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, "p3: error: no analysed run named 'gamma' in the store\n");
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_stats_out_table_aligns_and_json_parses)
{
    char *db = fixture_store();
    const char *table[] = {"stats", "--db", db, NULL};
    test_run r = test_p3(NULL, table);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "run    level", 12) == 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\nbeta   Low        0  -             -          -       -"));
    /* Each run ends with its onsets and overhead. */
    ck_assert_ptr_nonnull(strstr(r.out, "\n  onset: p95 over 1000 ms from Half; p95 more than 250 "
                                        "ms over the lightest level's from Half\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n  overhead: 5.0 % of a vCPU, assumed: 5 % of a CPU"));
    test_run_free(&r);
    const char *json[] = {"stats", "--db", db, "--format", "json", NULL};
    r = test_p3(NULL, json);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "{\"level\": \"Idle\", \"n\": 6, \"mean_ms\": "));
    if (access("/usr/bin/python3", X_OK) == 0) {
        char *dir = test_tmpdir("json");
        char *path = xasprintf("%s/stats.json", dir);
        test_write_text(path, r.out);
        char *cmd = xasprintf("/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));"
                              " assert len(d[\"runs\"]) == 2; assert d[\"runs\"][1][\"levels\"][1][\"n\"] == 0;"
                              " assert d[\"runs\"][0][\"overhead\"][\"assumed\"] is True'"
                              " %s",
                              path);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(path);
        free(dir);
    } else {
        printf("stats_out: /usr/bin/python3 not found; JSON syntax not checked\n");
    }
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_stats_out_refuses_unknown_format_and_empty_store)
{
    char *dir = test_tmpdir("stats-empty");
    char *db = xasprintf("%s/p3.db", dir);
    const char *bad[] = {"stats", "--db", db, "--format", "xml", NULL};
    test_run r = test_p3(NULL, bad);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_ptr_nonnull(strstr(r.err, "p3 stats: error: unknown format 'xml'"));
    test_run_free(&r);
    const char *missing[] = {"stats", "--db", db, NULL};
    r = test_p3(NULL, missing);
    ck_assert_int_eq(r.status, STATUS_FAILURE);
    ck_assert_ptr_nonnull(strstr(r.err, "cannot open store"));
    test_run_free(&r);
    free(db);
    free(dir);
}
END_TEST

Suite *stats_out_suite(void)
{
    Suite *s = suite_create("stats_out");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_stats_out_csv_equals_independent_computation);
    tcase_add_test(tc, test_stats_out_filters_one_run);
    tcase_add_test(tc, test_stats_out_table_aligns_and_json_parses);
    tcase_add_test(tc, test_stats_out_refuses_unknown_format_and_empty_store);
    suite_add_tcase(s, tc);
    return s;
}
