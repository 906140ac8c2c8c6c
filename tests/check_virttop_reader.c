/* virt-top CSV: no real capture exists (corpus/SOURCES.md), so the files
 * under tests/data/virttop are hand-made to the layout virt-top's source
 * writes (see the README there). Host and domain counters, empty fields,
 * quoted names, midnight and the required date are checked; every kind of
 * bad input gives its exact diagnostics and no sink call after an error. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "virttop_reader.h"
#include "xalloc.h"

/* ---- A sink that keeps what it is given ---- */

typedef struct kept {
    diag_list *diags;         /* the read's, to catch calls after an error */
    size_t file_calls;
    char *kind, *description;
    bool has_bias;
    char **paths;             /* of the counters, by index */
    size_t counter_count;
    int64_t *row_t;
    size_t row_count;
    size_t *value_row, *value_counter;
    double *value;
    size_t value_count;
    size_t calls_after_error; /* sink calls made once an error was reported */
    size_t fail_at_value;     /* value() fails at this call (1-based); 0 never */
} kept;

static void note_call(kept *k)
{
    k->calls_after_error += diag_list_errors(k->diags) > 0;
}

static int keep_file(void *ctx, const counter_file_info *info)
{
    kept *k = ctx;
    note_call(k);
    k->file_calls++;
    k->kind = xstrdup(info->kind);
    k->description = info->description ? xstrdup(info->description) : NULL;
    k->has_bias = info->has_bias;
    return STATUS_OK;
}

static int keep_counter(void *ctx, const counter_path *p, size_t *index)
{
    kept *k = ctx;
    note_call(k);
    k->paths = xreallocarray(k->paths, k->counter_count + 1, sizeof *k->paths);
    k->paths[k->counter_count] = xstrdup(p->path);
    ck_assert_ptr_nonnull(p->machine);
    ck_assert_int_eq(p->instance_index, -1);
    *index = k->counter_count++;
    return STATUS_OK;
}

static int keep_row(void *ctx, int64_t t_ns, const char *local_time)
{
    kept *k = ctx;
    (void)local_time;
    note_call(k);
    k->row_t = xreallocarray(k->row_t, k->row_count + 1, sizeof *k->row_t);
    k->row_t[k->row_count++] = t_ns;
    return STATUS_OK;
}

static int keep_value(void *ctx, size_t index, double value)
{
    kept *k = ctx;
    note_call(k);
    ck_assert_uint_lt(index, k->counter_count);
    k->value_row = xreallocarray(k->value_row, k->value_count + 1, sizeof *k->value_row);
    k->value_counter =
        xreallocarray(k->value_counter, k->value_count + 1, sizeof *k->value_counter);
    k->value = xreallocarray(k->value, k->value_count + 1, sizeof *k->value);
    k->value_row[k->value_count] = k->row_count - 1;
    k->value_counter[k->value_count] = index;
    k->value[k->value_count++] = value;
    return k->value_count == k->fail_at_value ? STATUS_FAILURE : STATUS_OK;
}

static void kept_free(kept *k)
{
    for (size_t i = 0; i < k->counter_count; i++)
        free(k->paths[i]);
    free(k->paths);
    free(k->row_t);
    free(k->value_row);
    free(k->value_counter);
    free(k->value);
    free(k->kind);
    free(k->description);
    diag_list_free(k->diags);
}

typedef struct outcome {
    kept k;
    int status;
    counter_read_result result;
} outcome;

static outcome read_path(const char *path, const counter_options *opts, size_t fail_at_value)
{
    outcome o;
    memset(&o, 0, sizeof o);
    o.k.diags = diag_list_new();
    o.k.fail_at_value = fail_at_value;
    counter_sink sink = {&o.k, keep_file, keep_counter, keep_row, keep_value};
    o.status = virttop_reader_read(path, opts, &sink, &o.result, o.k.diags);
    return o;
}

/* Reads tests/data/virttop/<relative>. */
static outcome read_data(const char *relative, const counter_options *opts, size_t fail_at_value)
{
    char *rel = xasprintf("tests/data/virttop/%s", relative);
    char *path = test_source_path(rel);
    outcome o = read_path(path, opts, fail_at_value);
    free(path);
    free(rel);
    return o;
}

/* The value of counter `path` in row `row`, or NAN. */
static double value_at(const kept *k, const char *path, size_t row)
{
    for (size_t i = 0; i < k->value_count; i++)
        if (k->value_row[i] == row && strcmp(k->paths[k->value_counter[i]], path) == 0)
            return k->value[i];
    return NAN;
}

static bool declared(const kept *k, const char *path)
{
    for (size_t i = 0; i < k->counter_count; i++)
        if (strcmp(k->paths[i], path) == 0)
            return true;
    return false;
}

/* The options the files were captured under: --date 2024-03-01 --tz +00:00. */
static const counter_options capture = {
    .has_tz = true, .tz_minutes = 0, .has_date = true, .year = 2024, .month = 3, .day = 1};

static const int64_t NS = 1000000000;

START_TEST(test_virttop_reader_reads_host_and_domain_counters_across_midnight)
{
    outcome o = read_data("good/virttop-1.1-two-domains.csv", &capture, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(diag_list_count(o.k.diags), 0);
    ck_assert_str_eq(o.k.kind, "virt-top");
    ck_assert_str_eq(o.k.description, "x86_64");
    ck_assert(o.k.has_bias);
    ck_assert_uint_eq(o.k.row_count, 3);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709337597) * NS); /* 2024-03-01 23:59:57 */
    ck_assert_int_eq(o.k.row_t[2], INT64_C(1709337602) * NS); /* 2024-03-02 00:00:02 */
    /* Counted by hand: 15 host values a row; web01 4 then 8 then 8 (its
     * block and net fields are empty in the first row); db,01 4 then 8. */
    ck_assert_uint_eq(o.k.value_count, 3 * 15 + 4 + 8 + 8 + 4 + 8);
    ck_assert_uint_eq(o.k.counter_count, 15 + 8 + 8);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Host\\%CPU", 1), 12.5);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Host\\Total CPU time (ns)", 2), 2.4e9);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Domain(web01)\\%CPU", 1), 9.375);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Domain(web01)\\CPU (ns)", 2), 2.4e9);
    ck_assert(isnan(value_at(&o.k, "\\\\kvmhost01\\Domain(web01)\\Block RDRQ", 0)));
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Domain(web01)\\Block RDRQ", 1), 10);
    /* "db,01" was quoted; it stopped before the last row. */
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Domain(db,01)\\Mem (bytes)", 1),
                        2147483648.0);
    ck_assert(isnan(value_at(&o.k, "\\\\kvmhost01\\Domain(db,01)\\%CPU", 2)));
    ck_assert(!declared(&o.k, "\\\\kvmhost01\\Domain(web01)\\Domain ID"));
    kept_free(&o.k);
}
END_TEST

START_TEST(test_virttop_reader_reads_the_virt_top_1_0_layout_without_mem_or_net)
{
    counter_options opts = capture;
    opts.has_tz = true;
    opts.tz_minutes = -300;
    outcome o = read_data("good/virttop-1.0-no-mem-no-net.csv", &opts, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.row_count, 2);
    ck_assert_int_eq(o.k.row_t[1], INT64_C(1709305203) * NS); /* 10:00:03 at -05:00 */
    ck_assert_double_eq(value_at(&o.k, "\\\\oldhost\\Domain(guest-a)\\Block WRRQ", 1), 34);
    ck_assert_double_eq(value_at(&o.k, "\\\\oldhost\\Domain(guest-a)\\%CPU", 1), 25);
    ck_assert_uint_eq(o.k.value_count, 2 * 15 + 2 + 4);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_virttop_reader_requires_a_date_for_its_times_of_day)
{
    counter_options no_date = {.has_tz = true};
    outcome o = read_data("good/virttop-1.1-two-domains.csv", &no_date, 0);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.result.errors, 1); /* said once, not for every row */
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    ck_assert_str_eq(diag_list_get(o.k.diags, 0)->message,
                     "time '23:59:57' has no date: virt-top writes the time of day only; give the "
                     "date of the first row with --date or 'date' in run.ini");
    ck_assert_int_eq(diag_list_get(o.k.diags, 0)->line, 2);
    ck_assert_int_eq(diag_list_get(o.k.diags, 0)->col, 11);
    ck_assert_uint_eq(o.k.file_calls + o.k.counter_count + o.k.row_count, 0);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_virttop_reader_warns_once_when_no_time_zone_is_given)
{
    counter_options date_only = capture;
    date_only.has_tz = false;
    outcome o = read_data("good/virttop-1.1-two-domains.csv", &date_only, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert(!o.k.has_bias);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709337597) * NS); /* as UTC */
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    ck_assert_int_eq(diag_list_get(o.k.diags, 0)->severity, DIAG_WARNING);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_virttop_reader_stops_when_the_sink_fails)
{
    outcome o = read_data("good/virttop-1.1-two-domains.csv", &capture, 20);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.k.value_count, 20);
    kept_free(&o.k);
}
END_TEST

/* Reads bad/NAME.csv with the capture options and compares its
 * diagnostics, paths relative to the source folder, to bad/NAME.expected. */
static void check_golden(const char *name)
{
    char *rel = xasprintf("bad/%s.csv", name);
    char *expected_rel = xasprintf("tests/data/virttop/bad/%s.expected", name);
    char *expected_path = test_source_path(expected_rel);
    char *expected = test_read_file(expected_path, NULL);
    ck_assert_msg(expected != NULL, "missing %s", expected_path);
    outcome o = read_data(rel, &capture, 0);
    char *prefix = xasprintf("%s/", test_source_dir());
    char *got = xstrdup("");
    for (size_t i = 0; i < diag_list_count(o.k.diags); i++) {
        char *line = diag_format(diag_list_get(o.k.diags, i));
        bool strip = strncmp(line, prefix, strlen(prefix)) == 0;
        char *joined = xasprintf("%s%s\n", got, strip ? line + strlen(prefix) : line);
        free(got);
        free(line);
        got = joined;
    }
    ck_assert_msg(o.status == STATUS_BAD_INPUT, "%s: status %d", name, o.status);
    ck_assert_msg(strcmp(got, expected) == 0, "%s: diagnostics differ.\nexpected:\n%s\ngot:\n%s",
                  name, expected, got);
    ck_assert_msg(o.k.calls_after_error == 0, "%s: %zu sink calls after an error", name,
                  o.k.calls_after_error);
    kept_free(&o.k);
    free(got);
    free(prefix);
    free(expected);
    free(expected_path);
    free(expected_rel);
    free(rel);
}

START_TEST(test_virttop_reader_bad_inputs_match_golden_messages)
{
    char *bad_dir = test_source_path("tests/data/virttop/bad");
    DIR *d = opendir(bad_dir);
    ck_assert_msg(d != NULL, "cannot open %s", bad_dir);
    struct dirent *e;
    int cases = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".csv") != 0)
            continue;
        char *name = xstrndup(e->d_name, n - 4);
        check_golden(name);
        free(name);
        cases++;
    }
    closedir(d);
    free(bad_dir);
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
