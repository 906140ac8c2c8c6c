/* vmstat output as counters: every vmstat file of the corpus reads with
 * the row and value counts an independent count in this file gives, or is
 * refused with its exact message; a small -t file with a steal column is
 * checked value by value; date blocks are timed 1 s apart from their date
 * line; every kind of bad input gives its exact `p3 ingest` stderr. */
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
#include "vmstat_reader.h"
#include "xalloc.h"

static const int64_t NS = 1000000000;

/* Reads a file of the corpus's vmstat/ folder with opts into *o, and its
 * path into *path (caller frees); false (after saying so) when the corpus
 * is not there. */
static bool read_corpus(const char *name, const counter_options *opts,
                        counter_fixture_outcome *o, char **path)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("vmstat_reader: skipped %s: no corpus folder\n", name);
        return false;
    }
    *path = xasprintf("%s/vmstat/%s", corpus, name);
    *o = counter_fixture_read(vmstat_reader_read, *path, opts, 0);
    free(corpus);
    return true;
}

/* Writes text to a scratch file and reads it. */
static counter_fixture_outcome read_text(const char *text, const counter_options *opts)
{
    char *dir = test_tmpdir("vmstat");
    char *path = xasprintf("%s/input.log", dir);
    test_write_text(path, text);
    counter_fixture_outcome o = counter_fixture_read(vmstat_reader_read, path, opts, 0);
    free(path);
    free(dir);
    return o;
}

/* ---- An independent count ---- */

/* What a naive pass over a vmstat file finds: a line starting with a
 * capital letter is a `date` line and starts a block; a line starting with
 * a digit (after blanks) is a data row, the first of each block (or of the
 * file without date lines) being the since-boot average; a line starting
 * with "r " names the columns. */
typedef struct naive_count {
    long data_lines;  /* every data row */
    long date_lines;  /* blocks */
    long rows;        /* data rows less the since-boot ones */
    long values;      /* values of those rows, less CPU percentages over 100 */
    bool steal;       /* a header names an st column */
} naive_count;

static naive_count count_naively(const char *path)
{
    naive_count c = {0};
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[4096];
    long columns = 0, first_cpu = -1, in_block = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line + strspn(line, " ");
        if (*p >= 'A' && *p <= 'Z') {
            c.date_lines++;
            in_block = 0;
        } else if (p[0] == 'r' && p[1] == ' ') {
            columns = 0;
            const char *last = "";
            for (char *w = strtok(p, " \n"); w; w = strtok(NULL, " \n"), columns++) {
                if (strcmp(w, "us") == 0)
                    first_cpu = columns;
                if (strcmp(w, "st") == 0)
                    c.steal = true;
                last = w;
            }
            if (strcmp(last, "wa") != 0 && strcmp(last, "st") != 0)
                columns--; /* the zone of -t ends the line and is no column */
        } else if (*p >= '0' && *p <= '9') {
            c.data_lines++;
            if (in_block++ == 0)
                continue;
            c.rows++;
            long i = 0;
            for (char *w = strtok(p, " \n"); w && i < columns; w = strtok(NULL, " \n"), i++)
                c.values += !(i >= first_cpu && atof(w) > 100);
        }
    }
    fclose(f);
    return c;
}

/* ---- The corpus ---- */

START_TEST(test_vmstat_reader_reads_every_row_of_the_vmstat_t_corpus_file)
{
    counter_fixture_outcome o;
    char *path;
    if (!read_corpus("marionavarra_vmstat-t_CET_repeated_headers.log", NULL, &o, &path))
        return;
    naive_count c = count_naively(path);
    ck_assert_int_eq(c.data_lines, 7977); /* the count SOURCES.md's notes lead to */
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, (size_t)c.rows);
    ck_assert_uint_eq(o.sink.value_count, (size_t)c.values);
    ck_assert(c.steal);
    ck_assert_int_ge(counter_fixture_counter_of(&o.sink, "\\CPU(all)\\%steal"), 0);
    ck_assert_str_eq(o.sink.kind, "vmstat");
    ck_assert_str_eq(o.sink.time_zone, "CET");
    ck_assert(!o.sink.has_bias);
    /* The since-boot row at 09:03:09 is left out; CET is read as UTC. */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1521622990) * NS);
    ck_assert_str_eq(o.sink.local[0], "2018-03-21 09:03:10");
    ck_assert_int_eq(o.sink.times[o.sink.row_count - 1], INT64_C(1521630973) * NS);
    /* Line 4272: "0 0 ... 0 0 101 3035110221 0 2018-03-21 10:08:12". */
    char *want = xasprintf(
        "%s:2:98: warning: times are in time zone 'CET', which p3 cannot convert (a zone "
        "abbreviation can name several zones): read as UTC; give --tz or 'tz' in run.ini\n"
        "%s:4272:78: warning: CPU percentage '101' is over 100: left out, with any later ones "
        "(vmstat's wrap when a kernel CPU time goes back)\n",
        path, path);
    ck_assert_str_eq(o.messages, want);
    free(want);
    free(path);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_vmstat_reader_times_date_blocks_one_second_apart_at_the_given_tz)
{
    counter_fixture_outcome o;
    char *path;
    counter_options opts = {.has_tz = true, .tz_minutes = 330}; /* IST: +05:30 */
    if (!read_corpus("ramindin_vmstat_cron_blocks_IST.log", &opts, &o, &path))
        return;
    naive_count c = count_naively(path);
    ck_assert_int_eq(c.date_lines, 209);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, (size_t)(c.data_lines - c.date_lines));
    ck_assert_uint_eq(o.sink.row_count, (size_t)c.rows);
    ck_assert_uint_eq(o.sink.value_count, (size_t)c.values);
    ck_assert(!c.steal);
    ck_assert_int_lt(counter_fixture_counter_of(&o.sink, "\\CPU(all)\\%steal"), 0);
    ck_assert(o.sink.has_bias);
    ck_assert_int_eq(o.sink.bias_minutes, -330);
    /* "Wed Aug 28 16:02:01 IST 2019": the since-boot row is left out, the
     * next is 1 s later, 10:32:02Z. */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1566988322) * NS);
    ck_assert_str_eq(o.sink.local[0], "2019-08-28 16:02:02");
    ck_assert_int_eq(o.sink.times[5], INT64_C(1566988327) * NS);
    ck_assert_int_eq(o.sink.times[6], INT64_C(1566988382) * NS); /* the 16:03:01 block */
    /* " 0  0 162472 1477428  95792 114388    0    0     0    22  154  484 19  3 77  0" */
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\vmstat\\bo"), 22);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\CPU(all)\\%usr"), 19);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\CPU(all)\\%idle"), 77);
    /* With the tz given, only the 1 s rule is worth a warning. */
    char *want = xasprintf("%s:1:1: warning: rows after a 'date' line have no times: taken 1 s "
                           "apart from it, as 'vmstat 1' writes them (the interval is not in "
                           "the file)\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    free(want);
    free(path);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_vmstat_reader_warns_once_that_ist_is_read_as_utc_without_tz)
{
    counter_fixture_outcome o;
    char *path;
    if (!read_corpus("ramindin_vmstat_cron_blocks_IST.log", NULL, &o, &path))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1567008122) * NS);
    ck_assert(!o.sink.has_bias);
    ck_assert_str_eq(o.sink.time_zone, "IST");
    char *want = xasprintf(
        "%s:1:21: warning: times are in time zone 'IST', which p3 cannot convert (a zone "
        "abbreviation can name several zones): read as UTC; give --tz or 'tz' in run.ini\n"
        "%s:1:1: warning: rows after a 'date' line have no times: taken 1 s apart from it, as "
        "'vmstat 1' writes them (the interval is not in the file)\n",
        path, path);
    ck_assert_str_eq(o.messages, want);
    free(want);
    free(path);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_vmstat_reader_refuses_the_vmstat_s_corpus_file)
{
    counter_fixture_outcome o;
    char *path;
    if (!read_corpus("psiniemi_raspberrypi_vmstat-s_timestamped.log", NULL, &o, &path))
        return;
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s:1:1: error: vmstat -s output (totals since boot) is not read: "
                           "record 'vmstat -t 1', or 'vmstat -n 1' after 'date'\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    ck_assert_uint_eq(o.sink.file_calls + o.sink.counter_count + o.sink.row_count, 0);
    free(want);
    free(path);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ---- A small file, value by value ---- */

START_TEST(test_vmstat_reader_names_and_values_every_column_of_a_steal_file)
{
    char *path = test_source_path("tests/data/vmstat/good/vmstat-t-steal.log");
    counter_fixture_outcome o = counter_fixture_read(vmstat_reader_read, path, NULL, 0);
    test_assert_ok("reading", path, o.status, o.diags);
    ck_assert_uint_eq(o.sink.file_calls, 1);
    ck_assert_str_eq(o.sink.kind, "vmstat");
    ck_assert_str_eq(o.sink.time_zone, "UTC");
    ck_assert(o.sink.has_bias);
    ck_assert_int_eq(o.sink.bias_minutes, 0);
    /* Line 3 is the since-boot row; line 7 follows a repeated header. */
    ck_assert_uint_eq(o.sink.row_count, 2);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709251199) * NS);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709251200) * NS);
    ck_assert_str_eq(o.sink.local[1], "2024-03-01 00:00:00");
    ck_assert_uint_eq(o.sink.counter_count, 17);
    ck_assert_uint_eq(o.sink.value_count, 34);
    static const char *const paths[17] = {
        "\\vmstat\\r",        "\\vmstat\\b",         "\\vmstat\\swpd",      "\\vmstat\\free",
        "\\vmstat\\buff",     "\\vmstat\\cache",     "\\vmstat\\si",        "\\vmstat\\so",
        "\\vmstat\\bi",       "\\vmstat\\bo",        "\\vmstat\\in",        "\\vmstat\\cs",
        "\\CPU(all)\\%usr",   "\\CPU(all)\\%sys",    "\\CPU(all)\\%idle",   "\\CPU(all)\\%iowait",
        "\\CPU(all)\\%steal"};
    static const double rows[2][17] = {
        {2, 1, 16600, 11288572, 1659100, 16500424, 5, 6, 7, 8, 557, 585, 40, 5, 45, 3, 7},
        {12, 0, 16604, 9635904, 1659140, 16483144, 0, 0, 1, 9, 6281, 32302, 64, 4, 30, 0, 2}};
    for (size_t row = 0; row < 2; row++)
        for (size_t i = 0; i < 17; i++) {
            double v;
            ck_assert_msg(counter_fixture_value_of(&o.sink, row, paths[i], &v),
                          "no value of %s in row %zu", paths[i], row);
            ck_assert_msg(v == rows[row][i], "%s row %zu: %g, not %g", paths[i], row, v,
                          rows[row][i]);
        }
    long steal = counter_fixture_counter_of(&o.sink, "\\CPU(all)\\%steal");
    ck_assert_ptr_null(o.sink.counters[steal].machine);
    ck_assert_str_eq(o.sink.counters[steal].object, "CPU");
    ck_assert_str_eq(o.sink.counters[steal].instance, "all");
    ck_assert_str_eq(o.sink.counters[steal].counter, "%steal");
    long free_kb = counter_fixture_counter_of(&o.sink, "\\vmstat\\free");
    ck_assert_str_eq(o.sink.counters[free_kb].object, "vmstat");
    ck_assert_ptr_null(o.sink.counters[free_kb].instance);
    ck_assert_str_eq(o.sink.counters[free_kb].counter, "free");
    counter_fixture_outcome_free(&o);
    free(path);
}
END_TEST

START_TEST(test_vmstat_reader_leaves_out_the_since_boot_row_of_every_date_block)
{
    counter_options opts = {.has_tz = true, .tz_minutes = 60};
    counter_fixture_outcome o = read_text(
        "Thu Feb 29 23:59:58 CET 2024\n"
        "procs -----------memory---------- ---swap-- -----io---- -system-- ----cpu----\n"
        " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa\n"
        " 9  9      9      9      9      9    9    9     9     9    9    9  9  9  9  9\n"
        " 1  0      0    100      0      0    0    0     0     0    0    0 10 20 70  0\n"
        " 2  0      0    200      0      0    0    0     0     0    0    0 11 21 68  0\n"
        "\n"
        "Fri Mar  1 00:01:00 CET 2024\n"
        "procs -----------memory---------- ---swap-- -----io---- -system-- ----cpu----\n"
        " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa\n"
        " 9  9      9      9      9      9    9    9     9     9    9    9  9  9  9  9\n",
        &opts);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 2); /* the second block has only its since-boot row */
    /* 23:59:59 and 00:00:00 CET, across the leap day: 22:59:59Z and 23:00:00Z. */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709247599) * NS);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709247600) * NS);
    ck_assert_str_eq(o.sink.local[1], "2024-03-01 00:00:00");
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\vmstat\\free"), 200);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\CPU(all)\\%sys"), 20);
    ck_assert_uint_eq(o.sink.value_count, 32);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_vmstat_reader_stops_when_the_sink_fails)
{
    char *path = test_source_path("tests/data/vmstat/good/vmstat-t-steal.log");
    counter_fixture_outcome o = counter_fixture_read(vmstat_reader_read, path, NULL, 20);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    /* The 20th value (row 1's third) failed: the sink kept it, and no call came after. */
    ck_assert_uint_eq(o.sink.value_count, 20);
    ck_assert_uint_eq(o.sink.row_count, 2);
    counter_fixture_outcome_free(&o);
    free(path);
}
END_TEST

/* ---- Bad input: golden diagnostics ---- */

static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/vmstat/bad", name, ".log");
}

START_TEST(test_vmstat_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/vmstat/bad", ".log", check_golden);
    ck_assert_int_ge(cases, 7);
}
END_TEST

START_TEST(test_vmstat_reader_rejects_an_empty_file)
{
    counter_fixture_outcome o = read_text("", NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(o.messages, ":1:1: error: empty file: expected vmstat output\n"));
    ck_assert_uint_eq(o.sink.file_calls, 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ---- Sniffing ---- */

START_TEST(test_vmstat_reader_sniffs_vmstat_and_vmstat_s_but_not_other_text)
{
    static const char t[] = "procs -----------memory---------- ---swap--\n r  b\n";
    static const char dated[] = "\nWed Aug 28 16:02:01 IST 2019\nprocs ---memory--- -cpu-\n";
    static const char totals[] = "Wed Aug 14 11:57:20 EEST 2013\n  253528 K total memory\n";
    static const char csv[] = "time,value\n1,2\n";
    static const char date_only[] = "Wed Aug 28 16:02:01 IST 2019\nhello\n";
    ck_assert(vmstat_reader_sniff(t, sizeof t - 1));
    ck_assert(vmstat_reader_sniff(dated, sizeof dated - 1));
    ck_assert(vmstat_reader_sniff(totals, sizeof totals - 1));
    ck_assert(!vmstat_reader_sniff(csv, sizeof csv - 1));
    ck_assert(!vmstat_reader_sniff(date_only, sizeof date_only - 1));
    ck_assert(!vmstat_reader_sniff("", 0));
}
END_TEST

Suite *vmstat_reader_suite(void)
{
    Suite *s = suite_create("vmstat_reader");
    TCase *tc = tcase_create("vmstat_reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_vmstat_reader_reads_every_row_of_the_vmstat_t_corpus_file);
    tcase_add_test(tc, test_vmstat_reader_times_date_blocks_one_second_apart_at_the_given_tz);
    tcase_add_test(tc, test_vmstat_reader_warns_once_that_ist_is_read_as_utc_without_tz);
    tcase_add_test(tc, test_vmstat_reader_refuses_the_vmstat_s_corpus_file);
    tcase_add_test(tc, test_vmstat_reader_names_and_values_every_column_of_a_steal_file);
    tcase_add_test(tc, test_vmstat_reader_leaves_out_the_since_boot_row_of_every_date_block);
    tcase_add_test(tc, test_vmstat_reader_stops_when_the_sink_fails);
    tcase_add_test(tc, test_vmstat_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_vmstat_reader_rejects_an_empty_file);
    tcase_add_test(tc, test_vmstat_reader_sniffs_vmstat_and_vmstat_s_but_not_other_text);
    suite_add_tcase(s, tc);
    return s;
}
