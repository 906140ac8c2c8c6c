/* Probe logs, format 1: every kind of bad input gives its exact message and
 * stores nothing; good variants (BOM, CRLF, tabs, quotes, tz, epoch times)
 * read as they should. Also schedule.csv, which places the rows of probe
 * logs that do not say their level: its quoted fields. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "probe_reader.h"
#include "run_record.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* Ingests one bad file (path relative to the source folder, as the expected
 * messages name it) and checks the exact stderr, the exit status, and that
 * the store holds nothing of it. */
static void check_golden(const char *name)
{
    char *rel = xasprintf("tests/data/probe/bad/%s.probe", name);
    char *expected_path = xasprintf("%s/tests/data/probe/bad/%s.expected", test_source_dir(), name);
    char *expected = test_read_file(expected_path, NULL);
    ck_assert_msg(expected != NULL, "missing %s", expected_path);
    char *dir = test_tmpdir("golden");
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, rel, NULL};
    test_run r = test_p3(test_source_dir(), args);
    ck_assert_msg(r.status == STATUS_BAD_INPUT, "%s: exit %d, stderr:\n%s", name, r.status, r.err);
    ck_assert_msg(strcmp(r.err, expected) == 0, "%s: stderr differs.\nexpected:\n%s\ngot:\n%s", name,
                  expected, r.err);
    ck_assert_int_eq(test_count_rows(db, "sample"), 0);
    ck_assert_int_eq(test_count_rows(db, "source_file"), 0);
    ck_assert_int_eq(test_count_rows(db, "run"), 0);
    test_run_free(&r);
    free(rel);
    free(expected_path);
    free(expected);
    free(dir);
    free(db);
}

START_TEST(test_probe_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/probe/bad", ".probe", check_golden);
    /* Every case the issue names, and a few more. */
    ck_assert_int_ge(cases, 22);
}
END_TEST

START_TEST(test_probe_reader_rejects_line_longer_than_1_mib)
{
    char *dir = test_tmpdir("longline");
    char *path = xasprintf("%s/long.probe", dir);
    size_t long_len = ((size_t)1 << 20) + 100;
    const char *head = "# p3-probe 1\ntime,level,delay_ms\n2005-03-01T10:00:00,None,1\n";
    size_t total = strlen(head) + long_len + 1 + 30;
    char *data = xmalloc(total);
    size_t o = strlen(head);
    memcpy(data, head, o);
    memset(data + o, 'x', long_len);
    o += long_len;
    data[o++] = '\n';
    const char *tail = "2005-03-01T10:00:02,Low,2\n";
    memcpy(data + o, tail, strlen(tail));
    o += strlen(tail);
    test_write_file(path, data, o);
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, path, NULL};
    test_run r = test_p3(NULL, args);
    char *expected =
        xasprintf("%s:4:1048577: error: line longer than 1 MiB\n", path);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(test_count_rows(db, "sample"), 0);
    test_run_free(&r);
    free(expected);
    free(db);
    free(data);
    free(path);
    free(dir);
}
END_TEST

/* Reads a whole good file through the reader API with the default levels. */
typedef struct read_result {
    size_t count;
    probe_sample first, last; /* text fields not kept */
    char first_operation[64];
    char last_session[64];
    int status;
    diag_list *diags;
} read_result;

static read_result read_all(const char *text, size_t len)
{
    char *dir = test_tmpdir("reader");
    char *path = xasprintf("%s/x.probe", dir);
    test_write_file(path, text, len);
    read_result res = {.diags = diag_list_new()};
    probe_reader *r;
    res.status = probe_reader_open(path, &r, res.diags);
    if (res.status == STATUS_OK) {
        probe_reader_set_levels(r, run_record_default_levels, run_record_default_level_count);
        probe_sample s;
        while (probe_reader_next(r, &s)) {
            if (res.count == 0) {
                res.first = s;
                snprintf(res.first_operation, sizeof res.first_operation, "%.*s",
                         (int)s.operation_len, s.operation ? s.operation : "");
            }
            res.last = s;
            snprintf(res.last_session, sizeof res.last_session, "%.*s", (int)s.session_len,
                     s.session ? s.session : "");
            res.count++;
        }
        char sha[65];
        long long size;
        res.status = probe_reader_finish(r, sha, &size);
        ck_assert_int_eq(size, (long long)len);
        probe_reader_free(r);
    }
    free(path);
    free(dir);
    return res;
}

START_TEST(test_probe_reader_reads_bom_crlf_and_utc_offset)
{
    const char text[] = "\xEF\xBB\xBF# p3-probe 1\r\n# host: H1\r\n# tz: +02:00\r\n"
                        "time,level,delay_ms\r\n"
                        "2005-03-01T12:00:00,None,12.5\r\n"
                        "2005-03-01T12:00:01.250Z,Low,0\r\n";
    read_result r = read_all(text, sizeof text - 1);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 2);
    /* 12:00 at +02:00 is 10:00 UTC; 2005-03-01T10:00:00Z = 1109671200 s. */
    ck_assert_int_eq(r.first.t_ns, INT64_C(1109671200) * 1000000000);
    ck_assert_int_eq(r.first.level, 0);
    ck_assert_double_eq(r.first.delay_ms, 12.5);
    /* An explicit Z wins over the file's tz. */
    ck_assert_int_eq(r.last.t_ns, INT64_C(1109678401) * 1000000000 + 250000000);
    ck_assert_int_eq(r.last.level, 1);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_probe_reader_reads_tabs_quotes_any_column_order_and_epoch_times)
{
    const char text[] = "# p3-probe 1\n# operation: keystroke\n# level: busy\n"
                        "session\tdelay_ms\ttime\n"
                        "s1\t7\t1109671200.5\n"
                        "\"s \"\"2\"\"\"\t8.25\t1109671201\n";
    read_result r = read_all(text, sizeof text - 1);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 2);
    ck_assert_int_eq(r.first.t_ns, INT64_C(1109671200500000000));
    ck_assert_int_eq(r.first.level, 3); /* '# level: busy' matches Busy */
    ck_assert_str_eq(r.first_operation, "keystroke");
    ck_assert_str_eq(r.last_session, "s \"2\"");
    ck_assert_double_eq(r.last.delay_ms, 8.25);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_probe_reader_warns_once_about_unknown_column)
{
    const char text[] = "# p3-probe 1\ntime,level,delay_ms,cpu\n"
                        "2005-03-01T10:00:00,None,1,55\n2005-03-01T10:00:01,None,2,56\n";
    read_result r = read_all(text, sizeof text - 1);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 2);
    ck_assert_uint_eq(diag_list_count(r.diags), 1);
    char *msg = diag_format(diag_list_get(r.diags, 0));
    ck_assert_str_eq(msg + strlen(msg) - strlen("2:21: warning: unknown column 'cpu' is ignored"),
                     "2:21: warning: unknown column 'cpu' is ignored");
    free(msg);
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_probe_reader_leaves_rows_without_level_for_analysis_to_place)
{
    /* No level column, or an empty level and no '# level:': the rows are
     * read with level -1; a schedule.csv or the CPU may place them. */
    char *path = test_source_path("tests/data/probe/good/no-level.probe");
    size_t len;
    char *text = test_read_file(path, &len);
    read_result r = read_all(text, len);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 2);
    ck_assert_int_eq(r.first.level, -1);
    ck_assert_uint_eq(diag_list_count(r.diags), 0);
    diag_list_free(r.diags);
    free(text);
    free(path);
    path = test_source_path("tests/data/probe/good/empty-level.probe");
    text = test_read_file(path, &len);
    r = read_all(text, len);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_int_eq(r.first.level, -1);
    diag_list_free(r.diags);
    free(text);
    free(path);
}
END_TEST

/* Reads a good file from tests/data/probe/good through the reader API. */
static read_result read_good(const char *name)
{
    char *rel = xasprintf("tests/data/probe/good/%s", name);
    char *path = test_source_path(rel);
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_msg(text != NULL, "missing %s", path);
    read_result r = read_all(text, len);
    free(text);
    free(path);
    free(rel);
    return r;
}

START_TEST(test_probe_reader_reads_minus_zero_delay_as_zero)
{
    /* "-0" and "-0.000" are zero, not negative; they are kept as +0. */
    read_result r = read_good("delay-minus-zero.probe");
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_uint_eq(r.count, 3);
    ck_assert_uint_eq(diag_list_count(r.diags), 0);
    ck_assert(r.first.delay_ms == 0 && !signbit(r.first.delay_ms));
    diag_list_free(r.diags);
}
END_TEST

START_TEST(test_probe_reader_reads_leap_second_in_order)
{
    /* 18:59:60 at -05:00 is the leap second 2016-12-31T23:59:60Z: it reads
     * as the last nanosecond of second 59, after 59.5 and before the next
     * minute, so the file stays in order. */
    read_result r = read_good("leap-second.probe");
    ck_assert_msg(r.status == STATUS_OK, "status %d", r.status);
    ck_assert_uint_eq(r.count, 4);
    ck_assert_int_eq(r.first.t_ns, INT64_C(1483228799500000000));
    ck_assert_int_eq(r.last.t_ns, INT64_C(1483228800000000000));
    ck_assert_uint_eq(diag_list_count(r.diags), 0);
    diag_list_free(r.diags);
}
END_TEST

/* The leap second as ingest stores it: between its neighbours. */
START_TEST(test_probe_reader_stores_leap_second_between_its_neighbours)
{
    char *dir = test_tmpdir("leap");
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, "tests/data/probe/good/leap-second.probe", NULL};
    test_run r = test_p3(test_source_dir(), args);
    ck_assert_msg(r.status == STATUS_OK, "exit %d, stderr:\n%s", r.status, r.err);
    char *got = test_query_text_at(db, "SELECT group_concat(t_ns, ' ') FROM "
                                       "(SELECT t_ns FROM sample ORDER BY t_ns, delay_ms)");
    ck_assert_str_eq(got, "1483228799500000000 1483228799999999999 1483228799999999999 "
                          "1483228800000000000");
    free(got);
    test_run_free(&r);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_probe_reader_sniffs_only_probe_logs)
{
    ck_assert(probe_reader_sniff("# p3-probe 1\n", 13));
    ck_assert(probe_reader_sniff("\xEF\xBB\xBF# p3-probe 1\n", 16));
    ck_assert(!probe_reader_sniff("\"(PDH-CSV 4.0)", 14));
    ck_assert(!probe_reader_sniff("# p3", 4));
}
END_TEST

/* Ingests a run folder holding only schedule.csv with text; returns the
 * run of p3 and sets *db (caller frees both). */
static test_run ingest_schedule(const char *tag, const char *text, char **db)
{
    char *dir = test_tmpdir(tag);
    char *run = xasprintf("%s/run", dir), *file = xasprintf("%s/run/schedule.csv", dir);
    *db = xasprintf("%s/p3.db", dir);
    test_write_text(file, text);
    const char *args[] = {"ingest", "--db", *db, "run", NULL};
    test_run r = test_p3(dir, args);
    free(run);
    free(file);
    free(dir);
    return r;
}

START_TEST(test_probe_reader_schedule_reads_quoted_fields)
{
    /* The schedule that places the rows of probe logs without levels:
     * quoted fields, padded ones, a quoted level name. */
    char *db;
    test_run r = ingest_schedule("schedule-quoted",
                                 "start,end,level\n"
                                 "1109671200,1109671260,\"Low\"\n"
                                 "\"1109671260\", 1109671320 , \"Busy\"\n",
                                 &db);
    ck_assert_msg(r.status == STATUS_OK, "exit %d, stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    char *got = test_query_text_at(db, "SELECT group_concat((start_ns / 1000000000) || '-' || "
                                       "(end_ns / 1000000000) || ':' || level, ' ') FROM "
                                       "(SELECT * FROM schedule ORDER BY start_ns)");
    ck_assert_str_eq(got, "1109671200-1109671260:1 1109671260-1109671320:3");
    free(got);
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_probe_reader_schedule_keeps_a_quoted_comma_in_its_field)
{
    /* "Low, warm" is one field (once it was cut in two at the comma, and
     * the row reported as having 4 fields); no level has that name. */
    char *db;
    test_run r = ingest_schedule("schedule-comma",
                                 "start,end,level\n"
                                 "1109671200,1109671260,\"Low, warm\"\n"
                                 "1109671260,1109671320,\"Busy\"x\n",
                                 &db);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, "run/schedule.csv:2:23: error: unknown level 'Low, warm'\n"
                            "run/schedule.csv:3:29: error: unexpected text after a quoted field\n");
    ck_assert_int_eq(test_count_rows(db, "schedule"), 0);
    test_run_free(&r);
    free(db);
}
END_TEST

Suite *probe_reader_suite(void)
{
    Suite *s = suite_create("probe_reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_probe_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_probe_reader_rejects_line_longer_than_1_mib);
    tcase_add_test(tc, test_probe_reader_reads_bom_crlf_and_utc_offset);
    tcase_add_test(tc, test_probe_reader_reads_tabs_quotes_any_column_order_and_epoch_times);
    tcase_add_test(tc, test_probe_reader_warns_once_about_unknown_column);
    tcase_add_test(tc, test_probe_reader_leaves_rows_without_level_for_analysis_to_place);
    tcase_add_test(tc, test_probe_reader_sniffs_only_probe_logs);
    tcase_add_test(tc, test_probe_reader_reads_minus_zero_delay_as_zero);
    tcase_add_test(tc, test_probe_reader_reads_leap_second_in_order);
    tcase_add_test(tc, test_probe_reader_stores_leap_second_between_its_neighbours);
    tcase_add_test(tc, test_probe_reader_schedule_reads_quoted_fields);
    tcase_add_test(tc, test_probe_reader_schedule_keeps_a_quoted_comma_in_its_field);
    suite_add_tcase(s, tc);
    return s;
}
