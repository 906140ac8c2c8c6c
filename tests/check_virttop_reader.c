/* virt-top CSV: no real capture exists (corpus/SOURCES.md), so the files
 * under tests/data/virttop are hand-made to the layout virt-top's source
 * writes (see the README there). Host and domain counters, empty fields,
 * quoted names, midnight and the required date are checked; every kind of
 * bad input gives its exact diagnostics and no sink call after an error. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter_fixture.h"
#include "diag.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "virttop_reader.h"
#include "xalloc.h"

/* Reads path into a sink that keeps what it is given (failing at value
 * call fail_at_value unless it is 0), and checks that every counter names
 * its machine and no instance index. */
static counter_fixture_outcome read_path(const char *path, const counter_options *opts,
                                         size_t fail_at_value)
{
    counter_fixture_outcome o =
        counter_fixture_read(virttop_reader_read, path, opts, fail_at_value);
    for (size_t i = 0; i < o.sink.counter_count; i++) {
        ck_assert_ptr_nonnull(o.sink.counters[i].machine);
        ck_assert_int_eq(o.sink.counters[i].index, -1);
    }
    return o;
}

/* Reads tests/data/virttop/<relative>. */
static counter_fixture_outcome read_data(const char *relative, const counter_options *opts,
                                         size_t fail_at_value)
{
    char *rel = xasprintf("tests/data/virttop/%s", relative);
    char *path = test_source_path(rel);
    counter_fixture_outcome o = read_path(path, opts, fail_at_value);
    free(path);
    free(rel);
    return o;
}

/* The options the files were captured under: --date 2024-03-01 --tz +00:00. */
static const counter_options capture = {
    .has_tz = true, .tz_minutes = 0, .has_date = true, .year = 2024, .month = 3, .day = 1};

static const int64_t NS = 1000000000;

START_TEST(test_virttop_reader_reads_host_and_domain_counters_across_midnight)
{
    counter_fixture_outcome o = read_data("good/virttop-1.1-two-domains.csv", &capture, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(diag_list_count(o.diags), 0);
    ck_assert_str_eq(o.sink.kind, "virt-top");
    ck_assert_str_eq(o.sink.description, "x86_64");
    ck_assert(o.sink.has_bias);
    ck_assert_uint_eq(o.sink.row_count, 3);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709337597) * NS); /* 2024-03-01 23:59:57 */
    ck_assert_int_eq(o.sink.times[2], INT64_C(1709337602) * NS); /* 2024-03-02 00:00:02 */
    /* Counted by hand: 15 host values a row; web01 4 then 8 then 8 (its
     * block and net fields are empty in the first row); db,01 4 then 8. */
    ck_assert_uint_eq(o.sink.value_count, 3 * 15 + 4 + 8 + 8 + 4 + 8);
    ck_assert_uint_eq(o.sink.counter_count, 15 + 8 + 8);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Host\\%CPU"), 12.5);
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 2, "\\\\kvmhost01\\Host\\Total CPU time (ns)"), 2.4e9);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Domain(web01)\\%CPU"),
                        9.375);
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 2, "\\\\kvmhost01\\Domain(web01)\\CPU (ns)"), 2.4e9);
    ck_assert(
        isnan(counter_fixture_value_at(&o.sink, 0, "\\\\kvmhost01\\Domain(web01)\\Block RDRQ")));
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Domain(web01)\\Block RDRQ"), 10);
    /* "db,01" was quoted; it stopped before the last row. */
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Domain(db,01)\\Mem (bytes)"),
        2147483648.0);
    ck_assert(isnan(counter_fixture_value_at(&o.sink, 2, "\\\\kvmhost01\\Domain(db,01)\\%CPU")));
    ck_assert(counter_fixture_counter_of(&o.sink, "\\\\kvmhost01\\Domain(web01)\\Domain ID") < 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_virttop_reader_reads_the_virt_top_1_0_layout_without_mem_or_net)
{
    counter_options opts = capture;
    opts.has_tz = true;
    opts.tz_minutes = -300;
    counter_fixture_outcome o = read_data("good/virttop-1.0-no-mem-no-net.csv", &opts, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 2);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709305203) * NS); /* 10:00:03 at -05:00 */
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 1, "\\\\oldhost\\Domain(guest-a)\\Block WRRQ"), 34);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\oldhost\\Domain(guest-a)\\%CPU"),
                        25);
    ck_assert_uint_eq(o.sink.value_count, 2 * 15 + 2 + 4);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_virttop_reader_requires_a_date_for_its_times_of_day)
{
    counter_options no_date = {.has_tz = true};
    counter_fixture_outcome o = read_data("good/virttop-1.1-two-domains.csv", &no_date, 0);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.result.errors, 1); /* said once, not for every row */
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    ck_assert_str_eq(diag_list_get(o.diags, 0)->message,
                     "time '23:59:57' has no date: virt-top writes the time of day only; give the "
                     "date of the first row with --date or 'date' in run.ini");
    ck_assert_int_eq(diag_list_get(o.diags, 0)->line, 2);
    ck_assert_int_eq(diag_list_get(o.diags, 0)->col, 11);
    ck_assert_uint_eq(o.sink.file_calls + o.sink.counter_count + o.sink.row_count, 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_virttop_reader_warns_once_when_no_time_zone_is_given)
{
    counter_options date_only = capture;
    date_only.has_tz = false;
    counter_fixture_outcome o = read_data("good/virttop-1.1-two-domains.csv", &date_only, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert(!o.sink.has_bias);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709337597) * NS); /* as UTC */
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    ck_assert_int_eq(diag_list_get(o.diags, 0)->severity, DIAG_WARNING);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_virttop_reader_stops_when_the_sink_fails)
{
    counter_fixture_outcome o = read_data("good/virttop-1.1-two-domains.csv", &capture, 20);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.sink.value_count, 20);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* Reads bad/NAME.csv with the capture options and compares its
 * diagnostics, paths relative to the source folder, to bad/NAME.expected. */
static void check_golden(const char *name)
{
    char *rel = xasprintf("bad/%s.csv", name);
    char *expected = xasprintf("tests/data/virttop/bad/%s.expected", name);
    counter_fixture_outcome o = read_data(rel, &capture, 0);
    counter_fixture_check_golden(&o, name, expected);
    counter_fixture_outcome_free(&o);
    free(expected);
    free(rel);
}

START_TEST(test_virttop_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/virttop/bad", ".csv", check_golden);
    ck_assert_int_ge(cases, 16);
}
END_TEST

START_TEST(test_virttop_reader_sniffs_its_header_only)
{
    static const char header[] = "Hostname,Time,Arch,Physical CPUs,Count,Running,Blocked\n";
    static const char other[] = "Hostname,Time,Value\n";
    static const char sadf[] = "# hostname;interval;timestamp;CPU;%user\n";
    ck_assert(virttop_reader_sniff(header, sizeof header - 1));
    ck_assert(!virttop_reader_sniff(other, sizeof other - 1));
    ck_assert(!virttop_reader_sniff(sadf, sizeof sadf - 1));
    ck_assert(!virttop_reader_sniff(header, 10));
}
END_TEST

Suite *virttop_reader_suite(void)
{
    Suite *s = suite_create("virttop_reader");
    TCase *tc = tcase_create("virttop_reader");
    tcase_add_test(tc, test_virttop_reader_reads_host_and_domain_counters_across_midnight);
    tcase_add_test(tc, test_virttop_reader_reads_the_virt_top_1_0_layout_without_mem_or_net);
    tcase_add_test(tc, test_virttop_reader_requires_a_date_for_its_times_of_day);
    tcase_add_test(tc, test_virttop_reader_warns_once_when_no_time_zone_is_given);
    tcase_add_test(tc, test_virttop_reader_stops_when_the_sink_fails);
    tcase_add_test(tc, test_virttop_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_virttop_reader_sniffs_its_header_only);
    suite_add_tcase(s, tc);
    return s;
}
