/* The command line: help and version, usage errors with exit 2, and the
 * main job (p3 report) on the bundled sample lab, twice. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

static test_run p3(const char *a, const char *b, const char *c)
{
    const char *args[] = {a, b, c, NULL};
    return test_p3(NULL, args);
}

START_TEST(test_cli_help_and_version_exit_0)
{
    test_run r = p3("--help", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "usage: p3 [--help] [--version] COMMAND [ARGS]\n", 46) == 0);
    for (const char *const *c = (const char *const[]){"ingest", "analyze", "stats", "render",
                                                      "report", NULL};
         *c; c++) {
        char *line = xasprintf("\n  %s", *c);
        ck_assert_msg(strstr(r.out, line), "--help does not list %s", *c);
        free(line);
    }
    test_run_free(&r);
    r = p3("--version", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    char *want = xasprintf("p3 %s (store schema ", P3_VERSION);
    ck_assert(strncmp(r.out, want, strlen(want)) == 0);
    free(want);
    test_run_free(&r);
    test_run a = p3("help", "ingest", NULL), b = p3("ingest", "--help", NULL);
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(b.status, 0);
    ck_assert(strncmp(a.out, "usage: p3 ingest [--db FILE] [--tz +HH:MM] ", 43) == 0);
    ck_assert_str_eq(a.out, b.out);
    test_run_free(&a);
    test_run_free(&b);
}
END_TEST

START_TEST(test_cli_usage_errors_exit_2_with_a_usage_line)
{
    test_run r = p3("frobnicate", NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_str_eq(r.err, "p3: error: unknown command 'frobnicate'\n"
                            "usage: p3 [--help] [--version] COMMAND [ARGS]\n");
    test_run_free(&r);
    r = p3("stats", "--colour", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_str_eq(r.err, "p3 stats: error: unknown option '--colour'\nusage: p3 stats [--db "
                            "FILE] [--run NAME] [--format table|csv|json]\n");
    test_run_free(&r);
    r = p3("ingest", NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 ingest: error: no PATH to ingest\n", 36) == 0);
    test_run_free(&r);
    r = p3("render", "--db", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 render: error: option '--db' needs a value\n", 46) == 0);
    test_run_free(&r);
    r = p3(NULL, NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    test_run_free(&r);
    r = p3("help", "nope", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    test_run_free(&r);
}
END_TEST

START_TEST(test_cli_report_on_samples_summarises_each_run_and_is_idempotent)
{
    char *dir = test_tmpdir("report");
    char *out = xasprintf("%s/rep", dir), *lab = test_source_path("samples/lab");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report failed (%d): %s", r.status, r.err);
    /* Piped, there is no progress: nothing on stderr. */
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, "guest-msvs: 2400 samples, 6 levels, worst p95 "));
    ck_assert_ptr_nonnull(strstr(r.out, "native-server: 2400 samples, 6 levels, worst p95 "));
    test_run_free(&r);
    char *db = xasprintf("%s/p3.db", out), *png = xasprintf("%s/native-server/p3.png", out);
    char *db_before = test_file_sha256(db, NULL), *png_before = test_file_sha256(png, NULL);
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    char *db_after = test_file_sha256(db, NULL), *png_after = test_file_sha256(png, NULL);
    ck_assert_str_eq(db_before, db_after);
    ck_assert_str_eq(png_before, png_after);
    test_run_free(&r);
    free(db_before), free(db_after), free(png_before), free(png_after);
    free(db), free(png), free(out), free(lab), free(dir);
}
END_TEST

START_TEST(test_cli_report_goes_on_past_a_bad_file_and_exits_1)
{
    char *dir = test_tmpdir("report-bad");
    char *lab = xasprintf("%s/lab", dir), *out = xasprintf("%s/rep", dir);
    char *good = xasprintf("%s/r1/a.probe", lab), *bad = xasprintf("%s/r1/b.probe", lab);
    test_write_text(good, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,5\n");
    test_write_text(bad, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,5,6\n");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(r.err, "b.probe:3:19: error: expected 3 fields as in the header, "
                                        "found 4\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "r1: 1 samples, 6 levels, worst p95 5.0 ms (None)\n"));
    test_run_free(&r);
    free(good), free(bad), free(lab), free(out), free(dir);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_cli_help_and_version_exit_0);
    tcase_add_test(tc, test_cli_usage_errors_exit_2_with_a_usage_line);
    tcase_add_test(tc, test_cli_report_on_samples_summarises_each_run_and_is_idempotent);
    tcase_add_test(tc, test_cli_report_goes_on_past_a_bad_file_and_exits_1);
    suite_add_tcase(s, tc);
    return s;
}
