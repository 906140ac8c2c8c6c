/* Linux host traces from sysstat: every sar and pidstat file of the corpus
 * reads with the value count an independent count gives, or is rejected
 * with its exact message; names, values, times and the qemu guest rule are
 * spot-checked; every kind of bad input gives its exact diagnostics and no
 * sink call after the first error. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter_fixture.h"
#include "diag.h"
#include "status.h"
#include "suites.h"
#include "sysstat_reader.h"
#include "testutil.h"
#include "xalloc.h"

/* Writes text to a scratch file and reads it. */
static counter_fixture_outcome read_text(counter_read_fn read, const char *text,
                                         const counter_options *opts)
{
    char *dir = test_tmpdir("sysstat");
    char *path = xasprintf("%s/input.txt", dir);
    test_write_text(path, text);
    counter_fixture_outcome o = counter_fixture_read(read, path, opts, 0);
    free(path);
    free(dir);
    return o;
}

/* Reads a file of the corpus. The suite adds the tests that call this only
 * when the corpus is there. */
static void read_corpus(counter_read_fn read, const char *relative, counter_fixture_outcome *o)
{
    char *corpus = test_corpus_dir();
    ck_assert_msg(corpus != NULL, "no corpus folder for %s", relative);
    char *path = xasprintf("%s/%s", corpus, relative);
    *o = counter_fixture_read(read, path, NULL, 0);
    free(path);
    free(corpus);
}

static const int64_t NS = 1000000000;

/* ---- The corpus ---- */

/* Expected value counts in these tests were counted once by a naive Python
 * script, not by this reader: split each data line on ';' (sadf) or on
 * blanks (text reports) and count the fields that parse as numbers, leaving
 * out device and ID columns, UID/USER/policy/Command, sadf's INTR;CPU* and
 * USB blocks and BAT's status column, and pidstat's -1 values. */

START_TEST(test_sysstat_reader_reads_every_value_of_the_sadf_d_corpus_file)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sadf-d.txt", &o);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.value_count, 3399);
    /* Five times: 13:20:19, :29, :39, :49 and 13:54:35 after two restarts,
     * each a row of every activity. */
    ck_assert_uint_eq(o.sink.row_count, 5);
    ck_assert_int_eq(o.sink.times[3], INT64_C(1555593649) * NS);
    ck_assert_str_eq(o.sink.local[3], "2019-04-18 13:20:49 UTC");
    ck_assert_str_eq(o.sink.kind, "sadf");
    ck_assert_str_eq(o.sink.time_zone, "UTC");
    ck_assert(o.sink.has_bias);
    ck_assert_int_eq(o.sink.bias_minutes, 0);
    /* SYSSTAT.TEST;22;2019-04-18 13:20:49 UTC;-1;6.21;8.70;6.64;0.49;0.39;... */
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 3, "\\\\SYSSTAT.TEST\\CPU(all)\\%steal"),
                        0.39);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 3, "\\\\SYSSTAT.TEST\\CPU(8)\\%guest"),
                        6.75);
    long mem = counter_fixture_counter_of(&o.sink, "\\\\SYSSTAT.TEST\\Memory\\kbmemfree");
    ck_assert_int_ge(mem, 0);
    ck_assert_ptr_null(o.sink.counters[mem].instance);
    ck_assert_str_eq(o.sink.counters[mem].object, "Memory");
    ck_assert_str_eq(o.sink.counters[mem].machine, "SYSSTAT.TEST");
    long cpu = counter_fixture_counter_of(&o.sink, "\\\\SYSSTAT.TEST\\CPU(all)\\%idle");
    ck_assert_int_ge(cpu, 0);
    ck_assert_str_eq(o.sink.counters[cpu].instance, "all");
    ck_assert_str_eq(o.sink.counters[cpu].counter, "%idle");
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 4, "\\\\SYSSTAT.TEST\\Disk(sda)\\tps"),
                        1.60);
    /* BAT's status is text; the USB inventory is no counter. */
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 3, "\\\\SYSSTAT.TEST\\Battery(0)\\%cap"),
                        77);
    ck_assert_int_lt(counter_fixture_counter_of(&o.sink, "\\\\SYSSTAT.TEST\\Battery(0)\\status"),
                     0);
    /* INTR;CPU* does not name its columns: skipped with one warning. */
    char *text = test_diag_text(o.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, ":43:31: warning: block 'INTR;CPU*' is skipped: its "
                                       "header does not name its columns\n"));
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    free(text);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_reads_fan_and_sensor_blocks_of_sysstat_11_6_5)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.data-11.6.5-sadf-d.txt", &o);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.value_count, 34);
    ck_assert_uint_eq(o.sink.row_count, 1); /* the leading LINUX-RESTART is no row */
    /* linux.home;46;2018-08-29 09:34:34 UTC;4;nouveau-pci-0100;1650.00;1650.00 */
    long fan = counter_fixture_counter_of(&o.sink, "\\\\linux.home\\Fan(nouveau-pci-0100/4)\\rpm");
    ck_assert_int_ge(fan, 0);
    ck_assert_str_eq(o.sink.counters[fan].parent, "nouveau-pci-0100");
    ck_assert_str_eq(o.sink.counters[fan].instance, "4");
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 0, "\\\\linux.home\\Fan(nouveau-pci-0100/4)\\rpm"), 1650);
    ck_assert_double_eq(counter_fixture_value_at(
                            &o.sink, 0, "\\\\linux.home\\Temperature(f71858fg-isa-0200/1)\\%temp"),
                        48.57);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1535535274) * NS);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_rejects_the_sadf_dh_corpus_file)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sadf-dh.txt", &o);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *corpus = test_corpus_dir();
    char *prefix = xasprintf("%s/", corpus);
    char *text = test_diag_text(o.diags, prefix);
    ck_assert_str_eq(text, "sar/sysstat_expected.sadf-dh.txt:1:96: error: sadf -dh layout is "
                           "not supported; use sadf -d\n");
    ck_assert_uint_eq(o.sink.file_calls + o.sink.counter_count + o.sink.row_count, 0);
    free(text);
    free(prefix);
    free(corpus);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_reads_the_sar_u_text_report)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_sadf, "sar/mw2q_monetdb_centos7_sar-u.txt", &o);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.kind, "sar");
    ck_assert_uint_eq(o.sink.value_count, 246);
    ck_assert_uint_eq(o.sink.row_count, 41);
    /* 11/25/15 is MM/DD/YY; 20:58:24 read as UTC, with a warning. */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1448485104) * NS);
    ck_assert_str_eq(o.sink.local[0], "20:58:24");
    ck_assert(!o.sink.has_bias);
    /* 21:03:24        all     42.21      0.00      2.23     13.71      0.00     41.84 */
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 5, "\\\\CentOS-71-64-minimal\\CPU(all)\\%iowait"), 13.71);
    ck_assert_str_eq(o.sink.description, "Linux 3.10.0-229.4.2.el7.x86_64 (CentOS-71-64-minimal) "
                                         "11/25/15 _x86_64_ (16 CPU)");
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    ck_assert_int_eq(diag_list_get(o.diags, 0)->severity, DIAG_WARNING);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_rejects_the_sar_A_text_report)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sar-A.txt", &o);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *corpus = test_corpus_dir();
    char *prefix = xasprintf("%s/", corpus);
    char *text = test_diag_text(o.diags, prefix);
    ck_assert_str_eq(
        text, "sar/sysstat_expected.sar-A.txt:4:1: warning: times name no time zone: read as "
              "UTC; give --tz or 'tz' in run.ini\n"
              "sar/sysstat_expected.sar-A.txt:6:16: error: sar table 'proc/s   cswch/s' is not "
              "supported: p3 reads CPU utilization ('sar -u') from text reports; write other "
              "activities with 'sadf -d'\n");
    ck_assert_uint_eq(o.sink.late_calls, 0);
    free(text);
    free(prefix);
    free(corpus);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_reads_pidstat_epoch_times_and_leaves_unavailable_io_missing)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_pidstat,
                "pidstat/mw2q_monetdb_centos7_pidstat-h-l_epoch.txt", &o);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.kind, "pidstat");
    ck_assert_uint_eq(o.sink.value_count, 64596);
    /* 41 intervals; one straddles two seconds (1448483788 and ...789). */
    ck_assert_uint_eq(o.sink.row_count, 42);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1448481504) * NS);
    ck_assert_str_eq(o.sink.local[0], "1448481504");
    ck_assert(o.sink.has_bias); /* Unix seconds are UTC */
    ck_assert_uint_eq(diag_list_count(o.diags), 0);
    /* PID 1 "/usr/lib/systemd/systemd --switched-root ... 24 ": the program's
     * basename; its I/O columns are -1.00 (no permission): never a value. */
    long cswch = counter_fixture_counter_of(
        &o.sink, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\cswch/s");
    ck_assert_int_ge(cswch, 0);
    ck_assert_int_eq(o.sink.counters[cswch].index, 1);
    ck_assert_str_eq(o.sink.counters[cswch].object, "Process");
    ck_assert_double_eq(counter_fixture_value_at(
                            &o.sink, 0, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\cswch/s"),
                        0.25);
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 0, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\VSZ"),
        54292);
    ck_assert_int_lt(counter_fixture_counter_of(
                         &o.sink, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\kB_rd/s"),
                     0);
    /* A process title, `sshd: mark@pts/2     `, is named by its first word;
     * kernel threads keep their names. */
    bool sshd = false, kthread = false;
    for (size_t i = 0; i < o.sink.counter_count; i++) {
        sshd |= strcmp(o.sink.counters[i].instance, "sshd") == 0;
        kthread |= strcmp(o.sink.counters[i].instance, "watchdog/9") == 0;
    }
    ck_assert(sshd && kthread);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_reads_pidstat_threads_under_their_process)
{
    counter_fixture_outcome o;
    read_corpus(sysstat_reader_read_pidstat, "pidstat/sysstat_expected.pidstat-At.txt", &o);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.value_count, 287);
    ck_assert_uint_eq(o.sink.row_count, 1); /* seven tables of one interval: one row */
    /* 12:53:20     1000         -      8785    0.00 ...  |__JS Helper */
    long helper = counter_fixture_counter_of(
        &o.sink, "\\\\SYSSTAT.TEST\\Thread(firefox/JS Helper#8785)\\%usr");
    ck_assert_int_ge(helper, 0);
    ck_assert_str_eq(o.sink.counters[helper].parent, "firefox");
    ck_assert_str_eq(o.sink.counters[helper].instance, "JS Helper");
    ck_assert_int_eq(o.sink.counters[helper].index, 8785);
    /* 12:53:20  1000  8741  -  0.97  0.28  0.00  0.01  1.25  2  firefox */
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 0, "\\\\SYSSTAT.TEST\\Process(firefox#8741)\\%CPU"),
        1.25);
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 0, "\\\\SYSSTAT.TEST\\Process(firefox#8741)\\RSS"),
        335804);
    /* 06/01/20 12:53:20 as UTC */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1591016000) * NS);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ---- Hand-made files ---- */

START_TEST(test_sysstat_reader_names_qemu_processes_by_guest_and_passes_midnight)
{
    char *path = test_source_path("tests/data/sysstat/good/pidstat-h-l-qemu.txt");
    counter_fixture_outcome o = counter_fixture_read(sysstat_reader_read_pidstat, path, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 2);
    /* 03/01/24 11:59:58 PM, then 12:00:01 AM of the next day. */
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709337598) * NS);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709337601) * NS);
    ck_assert_str_eq(o.sink.local[1], "12:00:01 AM");
    /* -name guest=web01,debug-threads=on */
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Process(qemu:web01#4242)\\%guest"),
        50);
    /* -name db,,01,process=qemu:db: the first part, with qemu's ",," comma */
    long db = counter_fixture_counter_of(&o.sink, "\\\\kvmhost01\\Process(qemu:db,01#4300)\\%CPU");
    ck_assert_int_ge(db, 0);
    ck_assert_str_eq(o.sink.counters[db].instance, "qemu:db,01");
    ck_assert_int_eq(o.sink.counters[db].index, 4300);
    ck_assert_int_ge(counter_fixture_counter_of(&o.sink, "\\\\kvmhost01\\Process(sshd#1234)\\%CPU"),
                     0);
    ck_assert_int_ge(
        counter_fixture_counter_of(&o.sink, "\\\\kvmhost01\\Process(kworker/2:1#1300)\\%CPU"), 0);
    /* web01's I/O columns are -1.00: missing, so never declared. */
    ck_assert_int_lt(
        counter_fixture_counter_of(&o.sink, "\\\\kvmhost01\\Process(qemu:web01#4242)\\kB_wr/s"), 0);
    ck_assert_double_eq(
        counter_fixture_value_at(&o.sink, 0, "\\\\kvmhost01\\Process(qemu:db,01#4300)\\kB_wr/s"),
        12);
    /* Ten values a line, but seven of web01's (no I/O); four lines, then the
     * two qemus again. */
    ck_assert_uint_eq(o.sink.value_count, 7 + 10 + 10 + 10 + 7 + 10);
    counter_fixture_outcome_free(&o);
    free(path);
}
END_TEST

START_TEST(test_sysstat_reader_merges_sadf_blocks_into_one_row_per_time)
{
    char *path = test_source_path("tests/data/sysstat/good/sadf-two-blocks-restart.txt");
    counter_fixture_outcome o = counter_fixture_read(sysstat_reader_read_sadf, path, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 3);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709287200) * NS);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709287260) * NS);
    ck_assert_int_eq(o.sink.times[2], INT64_C(1709287560) * NS);
    /* The memory block, written after the CPU block, lands in the same rows. */
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\CPU(all)\\%user"), 20);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\kvmhost01\\Memory\\kbmemfree"),
                        900);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 2, "\\\\kvmhost01\\Memory\\%memused"),
                        64);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\kvmhost01\\CPU(0)\\%idle"), 80.5);
    ck_assert(isnan(counter_fixture_value_at(&o.sink, 2, "\\\\kvmhost01\\CPU(0)\\%idle")));
    ck_assert_uint_eq(o.sink.value_count, 5 * 6 + 3 * 4);
    ck_assert_uint_eq(o.sink.counter_count, 16);
    ck_assert_uint_eq(diag_list_count(o.diags), 0);
    counter_fixture_outcome_free(&o);
    free(path);
}
END_TEST

#define CPU_HEADER "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n"

/* The blocks p3 probe adds to the sadf -d layout name their objects as
 * analysis finds them: Guest(...)\%cpu, Run(load)\%cpu, Cgroup(cap)\... */
START_TEST(test_sysstat_reader_reads_p3_probe_blocks)
{
    counter_fixture_outcome o = read_text(
        sysstat_reader_read_sadf,
        "# hostname;interval;timestamp;GUEST;%cpu;%ready;%steal;%throttled\n"
        "vm;1;2026-12-03 15:43:14 UTC;p3-probe;50.10;49.50;0.40;49.10\n"
        "# hostname;interval;timestamp;RUN;%cpu;%wait\n"
        "vm;1;2026-12-03 15:43:14 UTC;load;45.00;30.00\n"
        "vm;1;2026-12-03 15:43:14 UTC;probe;5.00;1.00\n"
        "# hostname;interval;timestamp;CGROUP;nr_periods;nr_throttled;throttled_ms;%throttled\n"
        "vm;1;2026-12-03 15:43:14 UTC;cap;10;9;491.000;49.10\n",
        NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 1);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\vm\\Guest(p3-probe)\\%cpu"), 50.1);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\vm\\Guest(p3-probe)\\%ready"),
                        49.5);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\vm\\Run(load)\\%wait"), 30);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\vm\\Cgroup(cap)\\throttled_ms"),
                        491);
    ck_assert_uint_eq(o.sink.counter_count, 4 + 4 + 4);
    ck_assert_uint_eq(diag_list_count(o.diags), 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_reads_sadf_zones_offsets_and_unix_seconds)
{
    /* A zone p3 cannot convert is read at --tz... */
    counter_options tz = {.has_tz = true, .tz_minutes = 60};
    counter_fixture_outcome o = read_text(
        sysstat_reader_read_sadf, CPU_HEADER "h;60;2024-03-01 11:00:00 CET;-1;1;2;3;4;5;6\n", &tz);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709287200) * NS);
    ck_assert_str_eq(o.sink.time_zone, "CET");
    ck_assert(o.sink.has_bias);
    ck_assert_int_eq(o.sink.bias_minutes, -60);
    ck_assert_uint_eq(diag_list_count(o.diags), 0);
    counter_fixture_outcome_free(&o);
    /* ...or as UTC with a warning; */
    o = read_text(sysstat_reader_read_sadf,
                  CPU_HEADER "h;60;2024-03-01 11:00:00 CET;-1;1;2;3;4;5;6\n"
                             "h;60;2024-03-01 11:01:00 CET;-1;1;2;3;4;5;6\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709290800) * NS);
    ck_assert(!o.sink.has_bias);
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    ck_assert_str_eq(diag_list_get(o.diags, 0)->message,
                     "times are in time zone 'CET', which p3 cannot convert: read as UTC; give "
                     "--tz or 'tz' in run.ini");
    counter_fixture_outcome_free(&o);
    /* a numeric offset is exact; -U writes Unix seconds. */
    o = read_text(sysstat_reader_read_sadf,
                  CPU_HEADER "h;60;2024-03-01 11:00:00 +0100;-1;1;2;3;4;5;6\n"
                             "h;60;1709287260;-1;1;2;3;4;5;6\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 2);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709287200) * NS);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709287260) * NS);
    ck_assert_str_eq(o.sink.local[1], "1709287260");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_starts_a_row_when_a_sadf_block_goes_back_in_time)
{
    /* The clock went back a minute inside the block: each value keeps its
     * own time, in a row of its own. */
    counter_fixture_outcome o =
        read_text(sysstat_reader_read_sadf,
                  CPU_HEADER "h;60;2024-03-01 10:01:00 UTC;-1;1;2;3;4;5;6\n"
                             "h;60;2024-03-01 10:00:30 UTC;-1;7;2;3;4;5;6\n"
                             "h;60;2024-03-01 10:01:30 UTC;-1;8;2;3;4;5;6\n"
                             "# hostname;interval;timestamp;proc/s;cswch/s\n"
                             "h;60;2024-03-01 10:01:00 UTC;1.5;100\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 3);
    ck_assert_int_eq(o.sink.times[0], INT64_C(1709287260) * NS);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\h\\Tasks\\proc/s"), 1.5);
    ck_assert_int_eq(o.sink.times[1], INT64_C(1709287230) * NS);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 1, "\\\\h\\CPU(all)\\%user"), 7);
    ck_assert_int_eq(o.sink.times[2], INT64_C(1709287290) * NS);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 2, "\\\\h\\CPU(all)\\%user"), 8);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_skips_unnamed_and_inventory_blocks_and_text_columns)
{
    counter_fixture_outcome o =
        read_text(sysstat_reader_read_sadf,
                  "# hostname;interval;timestamp;INTR;CPU*\n"
                  "h;60;2024-03-01 10:00:00 UTC;sum;100.00;40.00;60.00\n"
                  "# hostname;interval;timestamp;BAT;%cap;cap/min;status\n"
                  "h;60;2024-03-01 10:00:00 UTC;0;75;7.79;Charging\n"
                  "# hostname;interval;timestamp;manufact;product;BUS;idvendor;idprod;"
                  "maxpower\n"
                  "h;60;2024-03-01 10:00:00 UTC;1;3f0;862;196;HP;HP Keyboard\n"
                  "# hostname;interval;timestamp;NEWDEV;up/s\n"
                  "h;60;2024-03-01 10:00:00 UTC;x0;2.5\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.value_count, 3);
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\h\\Battery(0)\\cap/min"), 7.79);
    /* An activity p3 does not know is named by its device column. */
    ck_assert_double_eq(counter_fixture_value_at(&o.sink, 0, "\\\\h\\NEWDEV(x0)\\up/s"), 2.5);
    ck_assert_uint_eq(diag_list_count(o.diags), 1);
    ck_assert_int_eq(diag_list_get(o.diags, 0)->severity, DIAG_WARNING);
    counter_fixture_outcome_free(&o);
}
END_TEST

#define PIDSTAT_H                                                                          \
    "#      Time   UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command\n"

START_TEST(test_sysstat_reader_reads_report_dates_in_the_order_given_and_times_at_tz)
{
    struct {
        const char *date;
        counter_date_order order;
        int64_t t; /* of 10:00:00 at +02:00 */
    } cases[] = {
        {"03/01/24", COUNTER_DATE_AUTO, INT64_C(1709280000)}, /* MM/DD/YY */
        {"03/01/24", COUNTER_DATE_DMY, INT64_C(1704268800)}, /* 3 January */
        {"25/01/2024", COUNTER_DATE_AUTO, INT64_C(1706169600)}, /* cannot be MM/DD */
        {"2024-03-01", COUNTER_DATE_AUTO, INT64_C(1709280000)},
        {"01.03.2024", COUNTER_DATE_AUTO, INT64_C(1709280000)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        counter_options opts = {.has_tz = true, .tz_minutes = 120, .date_order = cases[i].order};
        char *text = xasprintf("Linux 6.1.0 (h) \t%s \t_x86_64_\t(4 CPU)\n\n%s"
                               "10:00:00     0         1    1.00    0.00    0.00    0.00    "
                               "1.00     2  systemd\n",
                               cases[i].date, PIDSTAT_H);
        counter_fixture_outcome o = read_text(sysstat_reader_read_pidstat, text, &opts);
        ck_assert_msg(o.status == STATUS_OK, "%s: status %d", cases[i].date, o.status);
        ck_assert_msg(o.sink.times[0] == cases[i].t * NS, "%s: %lld", cases[i].date,
                      (long long)(o.sink.times[0] / NS));
        ck_assert(o.sink.has_bias);
        ck_assert_int_eq(o.sink.bias_minutes, -120);
        ck_assert_uint_eq(diag_list_count(o.diags), 0);
        counter_fixture_outcome_free(&o);
        free(text);
    }
}
END_TEST

START_TEST(test_sysstat_reader_makes_no_sink_call_after_the_first_error)
{
    counter_fixture_outcome o =
        read_text(sysstat_reader_read_pidstat,
                  "Linux 6.1.0 (h) \t03/01/24 \t_x86_64_\t(4 CPU)\n\n" PIDSTAT_H
                  " 1709287200     0         1    1.00    0.00    0.00    0.00    1.00     "
                  "2  systemd\n"
                  " 1709287201     0         1    1.00    0.00    bad    0.00    1.00     "
                  "2  systemd\n"
                  " 1709287202     0         1    1.00    0.00    0.00    0.00    1.00     "
                  "2  systemd\n"
                  " 1709287203     0         1    1.00    0.00    0.00    0.00    x     "
                  "2  systemd\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.result.errors, 2); /* it read on after the first */
    ck_assert_uint_eq(o.sink.row_count, 1);
    ck_assert_uint_eq(o.sink.late_calls, 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_sysstat_reader_stops_when_the_sink_fails)
{
    char *path = test_source_path("tests/data/sysstat/good/sadf-two-blocks-restart.txt");
    counter_fixture_outcome o = counter_fixture_read(sysstat_reader_read_sadf, path, NULL, 3);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.sink.value_count, 3);
    counter_fixture_outcome_free(&o);
    free(path);
    path = test_source_path("tests/data/sysstat/good/pidstat-h-l-qemu.txt");
    o = counter_fixture_read(sysstat_reader_read_pidstat, path, NULL, 5);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.sink.value_count, 5);
    counter_fixture_outcome_free(&o);
    free(path);
}
END_TEST

/* ---- Bad input: golden diagnostics ---- */

/* Reads tests/data/sysstat/bad/NAME.txt (pidstat-* with the pidstat reader,
 * the rest with the sadf one) and compares its diagnostics, with paths
 * relative to the source folder, to NAME.expected. */
static void check_golden(const char *name)
{
    char *rel = xasprintf("tests/data/sysstat/bad/%s.txt", name);
    char *path = test_source_path(rel);
    char *expected = xasprintf("tests/data/sysstat/bad/%s.expected", name);
    bool pidstat = strncmp(name, "pidstat-", 8) == 0;
    counter_fixture_outcome o = counter_fixture_read(
        pidstat ? sysstat_reader_read_pidstat : sysstat_reader_read_sadf, path, NULL, 0);
    counter_fixture_check_golden(&o, name, expected);
    ck_assert_msg(o.result.errors > 0, "%s: no error counted", name);
    counter_fixture_outcome_free(&o);
    free(expected);
    free(path);
    free(rel);
}

START_TEST(test_sysstat_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/sysstat/bad", ".txt", check_golden);
    ck_assert_int_ge(cases, 27);
}
END_TEST

/* ---- Sniffing ---- */

static bool sniff_file(bool (*sniff)(const char *, size_t), const char *path)
{
    size_t len;
    char *data = test_read_file(path, &len);
    ck_assert_msg(data != NULL, "cannot read %s", path);
    bool yes = sniff(data, len < 4096 ? len : 4096);
    free(data);
    return yes;
}

START_TEST(test_sysstat_reader_sniffs_sadf_sar_reports_and_pidstat_apart)
{
    char *sadf = test_source_path("tests/data/sysstat/good/sadf-two-blocks-restart.txt");
    char *pid = test_source_path("tests/data/sysstat/good/pidstat-h-l-qemu.txt");
    char *sar = test_source_path("tests/data/sysstat/bad/sar-bad-time.txt");
    char *other = test_source_path("tests/data/sysstat/bad/sadf-not-sadf.txt");
    ck_assert(sniff_file(sysstat_reader_sniff_sadf, sadf));
    ck_assert(!sniff_file(sysstat_reader_sniff_pidstat, sadf));
    ck_assert(sniff_file(sysstat_reader_sniff_pidstat, pid));
    ck_assert(!sniff_file(sysstat_reader_sniff_sadf, pid));
    ck_assert(sniff_file(sysstat_reader_sniff_sadf, sar));
    ck_assert(!sniff_file(sysstat_reader_sniff_pidstat, sar));
    ck_assert(!sniff_file(sysstat_reader_sniff_sadf, other));
    ck_assert(!sniff_file(sysstat_reader_sniff_pidstat, other));
    const char restart[] = "linux.home;-1;2018-08-29 09:33:38 UTC;LINUX-RESTART\t(8 CPU)\n";
    ck_assert(sysstat_reader_sniff_sadf(restart, sizeof restart - 1));
    free(sadf);
    free(pid);
    free(sar);
    free(other);
    char *corpus = test_corpus_dir();
    if (!corpus)
        return;
    static const char *const sadf_files[] = {
        "sar/sysstat_expected.sadf-d.txt", "sar/sysstat_expected.sadf-dh.txt",
        "sar/sysstat_expected.sar-A.txt", "sar/sysstat_expected.data-11.6.5-sadf-d.txt",
        "sar/mw2q_monetdb_centos7_sar-u.txt"};
    static const char *const pidstat_files[] = {
        "pidstat/sysstat_expected.pidstat-At.txt",
        "pidstat/mw2q_monetdb_centos7_pidstat-h-l_epoch.txt"};
    for (size_t i = 0; i < 5; i++) {
        char *path = xasprintf("%s/%s", corpus, sadf_files[i]);
        ck_assert_msg(sniff_file(sysstat_reader_sniff_sadf, path), "%s", path);
        ck_assert_msg(!sniff_file(sysstat_reader_sniff_pidstat, path), "%s", path);
        free(path);
    }
    for (size_t i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s", corpus, pidstat_files[i]);
        ck_assert_msg(sniff_file(sysstat_reader_sniff_pidstat, path), "%s", path);
        ck_assert_msg(!sniff_file(sysstat_reader_sniff_sadf, path), "%s", path);
        free(path);
    }
    free(corpus);
}
END_TEST

Suite *sysstat_reader_suite(void)
{
    Suite *s = suite_create("sysstat_reader");
    TCase *tc = tcase_create("sysstat_reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sysstat_reader_names_qemu_processes_by_guest_and_passes_midnight);
    tcase_add_test(tc, test_sysstat_reader_merges_sadf_blocks_into_one_row_per_time);
    tcase_add_test(tc, test_sysstat_reader_reads_sadf_zones_offsets_and_unix_seconds);
    tcase_add_test(tc, test_sysstat_reader_reads_p3_probe_blocks);
    tcase_add_test(tc, test_sysstat_reader_starts_a_row_when_a_sadf_block_goes_back_in_time);
    tcase_add_test(tc, test_sysstat_reader_skips_unnamed_and_inventory_blocks_and_text_columns);
    tcase_add_test(tc, test_sysstat_reader_reads_report_dates_in_the_order_given_and_times_at_tz);
    tcase_add_test(tc, test_sysstat_reader_makes_no_sink_call_after_the_first_error);
    tcase_add_test(tc, test_sysstat_reader_stops_when_the_sink_fails);
    tcase_add_test(tc, test_sysstat_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_sysstat_reader_sniffs_sadf_sar_reports_and_pidstat_apart);
    suite_add_tcase(s, tc);

    /* The shared corpus lives beside the project, not in it. */
    char *corpus = test_corpus_dir();
    if (corpus) {
        TCase *tc_corpus = tcase_create("corpus");
        tcase_set_timeout(tc_corpus, 60);
        tcase_add_test(tc_corpus, test_sysstat_reader_reads_every_value_of_the_sadf_d_corpus_file);
        tcase_add_test(tc_corpus, test_sysstat_reader_reads_fan_and_sensor_blocks_of_sysstat_11_6_5);
        tcase_add_test(tc_corpus, test_sysstat_reader_rejects_the_sadf_dh_corpus_file);
        tcase_add_test(tc_corpus, test_sysstat_reader_reads_the_sar_u_text_report);
        tcase_add_test(tc_corpus, test_sysstat_reader_rejects_the_sar_A_text_report);
        tcase_add_test(
            tc_corpus,
            test_sysstat_reader_reads_pidstat_epoch_times_and_leaves_unavailable_io_missing);
        tcase_add_test(tc_corpus, test_sysstat_reader_reads_pidstat_threads_under_their_process);
        suite_add_tcase(s, tc_corpus);
    } else {
        printf("sysstat_reader: ../shared/corpus not found; corpus tests skipped\n");
    }
    free(corpus);
    return s;
}
