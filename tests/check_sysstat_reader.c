/* Linux host traces from sysstat: every sar and pidstat file of the corpus
 * reads with the value count an independent count gives, or is rejected
 * with its exact message; names, values, times and the qemu guest rule are
 * spot-checked; every kind of bad input gives its exact diagnostics and no
 * sink call after the first error. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "status.h"
#include "suites.h"
#include "sysstat_reader.h"
#include "testutil.h"
#include "xalloc.h"

/* ---- A sink that keeps everything in memory ---- */

typedef struct kept_counter {
    char *path, *machine, *object, *parent, *instance, *name;
    int index;
} kept_counter;

typedef struct kept_value {
    size_t row, counter;
    double value;
} kept_value;

typedef struct kept {
    diag_list *diags;         /* the read's, to catch calls after an error */
    size_t file_calls;
    char *kind, *time_zone, *description;
    bool has_bias;
    int bias_minutes;
    kept_counter *counters;
    size_t counter_count, counter_cap;
    int64_t *row_t;
    char **row_local;
    size_t row_count, row_cap;
    kept_value *values;
    size_t value_count, value_cap;
    size_t calls_after_error; /* sink calls made once an error was reported */
    size_t fail_at_value;     /* value() fails at this call (1-based); 0 never */
} kept;

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Makes room for one more item in *items (count used of *cap). */
static void *grow(void *items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? 2 * *cap : 64;
    return xreallocarray(items, *cap, size);
}

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
    k->time_zone = dup_or_null(info->time_zone);
    k->description = dup_or_null(info->description);
    k->has_bias = info->has_bias;
    k->bias_minutes = info->bias_minutes;
    return STATUS_OK;
}

static int keep_counter(void *ctx, const counter_path *p, size_t *index)
{
    kept *k = ctx;
    note_call(k);
    k->counters = grow(k->counters, k->counter_count, &k->counter_cap, sizeof *k->counters);
    k->counters[k->counter_count] =
        (kept_counter){xstrdup(p->path),     dup_or_null(p->machine), xstrdup(p->object),
                       dup_or_null(p->parent), dup_or_null(p->instance), xstrdup(p->counter),
                       p->instance_index};
    *index = k->counter_count++;
    return STATUS_OK;
}

static int keep_row(void *ctx, int64_t t_ns, const char *local_time)
{
    kept *k = ctx;
    note_call(k);
    if (k->row_count == k->row_cap) {
        k->row_cap = k->row_cap ? 2 * k->row_cap : 64;
        k->row_t = xreallocarray(k->row_t, k->row_cap, sizeof *k->row_t);
        k->row_local = xreallocarray(k->row_local, k->row_cap, sizeof *k->row_local);
    }
    k->row_t[k->row_count] = t_ns;
    k->row_local[k->row_count++] = xstrdup(local_time);
    return STATUS_OK;
}

static int keep_value(void *ctx, size_t index, double value)
{
    kept *k = ctx;
    note_call(k);
    ck_assert_uint_lt(index, k->counter_count);
    ck_assert_uint_gt(k->row_count, 0);
    k->values = grow(k->values, k->value_count, &k->value_cap, sizeof *k->values);
    k->values[k->value_count++] = (kept_value){k->row_count - 1, index, value};
    return k->value_count == k->fail_at_value ? STATUS_FAILURE : STATUS_OK;
}

static void kept_free(kept *k)
{
    for (size_t i = 0; i < k->counter_count; i++) {
        kept_counter *c = &k->counters[i];
        free(c->path);
        free(c->machine);
        free(c->object);
        free(c->parent);
        free(c->instance);
        free(c->name);
    }
    for (size_t i = 0; i < k->row_count; i++)
        free(k->row_local[i]);
    free(k->counters);
    free(k->row_t);
    free(k->row_local);
    free(k->values);
    free(k->kind);
    free(k->time_zone);
    free(k->description);
    diag_list_free(k->diags);
}

/* A whole read: what the sink kept, the status, the result. */
typedef struct outcome {
    kept k;
    int status;
    counter_read_result result;
} outcome;

static outcome read_with(counter_read_fn read, const char *path, const counter_options *opts,
                         size_t fail_at_value)
{
    outcome o;
    memset(&o, 0, sizeof o);
    o.k.diags = diag_list_new();
    o.k.fail_at_value = fail_at_value;
    counter_sink sink = {&o.k, keep_file, keep_counter, keep_row, keep_value};
    o.status = read(path, opts, &sink, &o.result, o.k.diags);
    return o;
}

/* Writes text to a scratch file and reads it. */
static outcome read_text(counter_read_fn read, const char *text, const counter_options *opts)
{
    char *dir = test_tmpdir("sysstat");
    char *path = xasprintf("%s/input.txt", dir);
    test_write_text(path, text);
    outcome o = read_with(read, path, opts, 0);
    free(path);
    free(dir);
    return o;
}

/* Reads a file of the corpus, or returns false (after saying so) when the
 * corpus is not there. */
static bool read_corpus(counter_read_fn read, const char *relative, outcome *o)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("sysstat_reader: skipped %s: no corpus folder\n", relative);
        return false;
    }
    char *path = xasprintf("%s/%s", corpus, relative);
    *o = read_with(read, path, NULL, 0);
    free(path);
    free(corpus);
    return true;
}

/* The index of the counter with this path, or -1. */
static long counter_named(const kept *k, const char *path)
{
    for (size_t i = 0; i < k->counter_count; i++)
        if (strcmp(k->counters[i].path, path) == 0)
            return (long)i;
    return -1;
}

/* The value of counter `path` in row `row`, or NAN. */
static double value_at(const kept *k, const char *path, size_t row)
{
    long c = counter_named(k, path);
    for (size_t i = 0; c >= 0 && i < k->value_count; i++)
        if (k->values[i].row == row && k->values[i].counter == (size_t)c)
            return k->values[i].value;
    return NAN;
}

/* Every diagnostic as diag_format() writes it, one per line, with `prefix`
 * taken off the paths. Caller frees. */
static char *diagnostics(const diag_list *diags, const char *prefix)
{
    size_t n = diag_list_count(diags), plen = prefix ? strlen(prefix) : 0;
    char *all = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *line = diag_format(diag_list_get(diags, i));
        const char *shown = plen && strncmp(line, prefix, plen) == 0 ? line + plen : line;
        char *joined = xasprintf("%s%s\n", all, shown);
        free(all);
        free(line);
        all = joined;
    }
    return all;
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
    outcome o;
    if (!read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sadf-d.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.value_count, 3399);
    /* Five times: 13:20:19, :29, :39, :49 and 13:54:35 after two restarts,
     * each a row of every activity. */
    ck_assert_uint_eq(o.k.row_count, 5);
    ck_assert_int_eq(o.k.row_t[3], INT64_C(1555593649) * NS);
    ck_assert_str_eq(o.k.row_local[3], "2019-04-18 13:20:49 UTC");
    ck_assert_str_eq(o.k.kind, "sadf");
    ck_assert_str_eq(o.k.time_zone, "UTC");
    ck_assert(o.k.has_bias);
    ck_assert_int_eq(o.k.bias_minutes, 0);
    /* SYSSTAT.TEST;22;2019-04-18 13:20:49 UTC;-1;6.21;8.70;6.64;0.49;0.39;... */
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\CPU(all)\\%steal", 3), 0.39);
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\CPU(8)\\%guest", 3), 6.75);
    long mem = counter_named(&o.k, "\\\\SYSSTAT.TEST\\Memory\\kbmemfree");
    ck_assert_int_ge(mem, 0);
    ck_assert_ptr_null(o.k.counters[mem].instance);
    ck_assert_str_eq(o.k.counters[mem].object, "Memory");
    ck_assert_str_eq(o.k.counters[mem].machine, "SYSSTAT.TEST");
    long cpu = counter_named(&o.k, "\\\\SYSSTAT.TEST\\CPU(all)\\%idle");
    ck_assert_int_ge(cpu, 0);
    ck_assert_str_eq(o.k.counters[cpu].instance, "all");
    ck_assert_str_eq(o.k.counters[cpu].name, "%idle");
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\Disk(sda)\\tps", 4), 1.60);
    /* BAT's status is text; the USB inventory is no counter. */
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\Battery(0)\\%cap", 3), 77);
    ck_assert_int_lt(counter_named(&o.k, "\\\\SYSSTAT.TEST\\Battery(0)\\status"), 0);
    /* INTR;CPU* does not name its columns: skipped with one warning. */
    char *text = diagnostics(o.k.diags, NULL);
    ck_assert_ptr_nonnull(strstr(text, ":43:31: warning: block 'INTR;CPU*' is skipped: its "
                                       "header does not name its columns\n"));
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    free(text);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_reads_fan_and_sensor_blocks_of_sysstat_11_6_5)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.data-11.6.5-sadf-d.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.value_count, 34);
    ck_assert_uint_eq(o.k.row_count, 1); /* the leading LINUX-RESTART is no row */
    /* linux.home;46;2018-08-29 09:34:34 UTC;4;nouveau-pci-0100;1650.00;1650.00 */
    long fan = counter_named(&o.k, "\\\\linux.home\\Fan(nouveau-pci-0100/4)\\rpm");
    ck_assert_int_ge(fan, 0);
    ck_assert_str_eq(o.k.counters[fan].parent, "nouveau-pci-0100");
    ck_assert_str_eq(o.k.counters[fan].instance, "4");
    ck_assert_double_eq(value_at(&o.k, "\\\\linux.home\\Fan(nouveau-pci-0100/4)\\rpm", 0), 1650);
    ck_assert_double_eq(
        value_at(&o.k, "\\\\linux.home\\Temperature(f71858fg-isa-0200/1)\\%temp", 0), 48.57);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1535535274) * NS);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_rejects_the_sadf_dh_corpus_file)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sadf-dh.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *corpus = test_corpus_dir();
    char *prefix = xasprintf("%s/", corpus);
    char *text = diagnostics(o.k.diags, prefix);
    ck_assert_str_eq(text, "sar/sysstat_expected.sadf-dh.txt:1:96: error: sadf -dh layout is "
                           "not supported; use sadf -d\n");
    ck_assert_uint_eq(o.k.file_calls + o.k.counter_count + o.k.row_count, 0);
    free(text);
    free(prefix);
    free(corpus);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_reads_the_sar_u_text_report)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_sadf, "sar/mw2q_monetdb_centos7_sar-u.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.k.kind, "sar");
    ck_assert_uint_eq(o.k.value_count, 246);
    ck_assert_uint_eq(o.k.row_count, 41);
    /* 11/25/15 is MM/DD/YY; 20:58:24 read as UTC, with a warning. */
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1448485104) * NS);
    ck_assert_str_eq(o.k.row_local[0], "20:58:24");
    ck_assert(!o.k.has_bias);
    /* 21:03:24        all     42.21      0.00      2.23     13.71      0.00     41.84 */
    ck_assert_double_eq(value_at(&o.k, "\\\\CentOS-71-64-minimal\\CPU(all)\\%iowait", 5), 13.71);
    ck_assert_str_eq(o.k.description, "Linux 3.10.0-229.4.2.el7.x86_64 (CentOS-71-64-minimal) "
                                      "11/25/15 _x86_64_ (16 CPU)");
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    ck_assert_int_eq(diag_list_get(o.k.diags, 0)->severity, DIAG_WARNING);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_rejects_the_sar_A_text_report)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_sadf, "sar/sysstat_expected.sar-A.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *corpus = test_corpus_dir();
    char *prefix = xasprintf("%s/", corpus);
    char *text = diagnostics(o.k.diags, prefix);
    ck_assert_str_eq(
        text, "sar/sysstat_expected.sar-A.txt:4:1: warning: times name no time zone: read as "
              "UTC; give --tz or 'tz' in run.ini\n"
              "sar/sysstat_expected.sar-A.txt:6:16: error: sar table 'proc/s   cswch/s' is not "
              "supported: p3 reads CPU utilization ('sar -u') from text reports; write other "
              "activities with 'sadf -d'\n");
    ck_assert_uint_eq(o.k.calls_after_error, 0);
    free(text);
    free(prefix);
    free(corpus);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_reads_pidstat_epoch_times_and_leaves_unavailable_io_missing)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_pidstat,
                     "pidstat/mw2q_monetdb_centos7_pidstat-h-l_epoch.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.k.kind, "pidstat");
    ck_assert_uint_eq(o.k.value_count, 64596);
    /* 41 intervals; one straddles two seconds (1448483788 and ...789). */
    ck_assert_uint_eq(o.k.row_count, 42);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1448481504) * NS);
    ck_assert_str_eq(o.k.row_local[0], "1448481504");
    ck_assert(o.k.has_bias); /* Unix seconds are UTC */
    ck_assert_uint_eq(diag_list_count(o.k.diags), 0);
    /* PID 1 "/usr/lib/systemd/systemd --switched-root ... 24 ": the program's
     * basename; its I/O columns are -1.00 (no permission): never a value. */
    long cswch = counter_named(&o.k, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\cswch/s");
    ck_assert_int_ge(cswch, 0);
    ck_assert_int_eq(o.k.counters[cswch].index, 1);
    ck_assert_str_eq(o.k.counters[cswch].object, "Process");
    ck_assert_double_eq(value_at(&o.k, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\cswch/s", 0),
                        0.25);
    ck_assert_double_eq(value_at(&o.k, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\VSZ", 0),
                        54292);
    ck_assert_int_lt(counter_named(&o.k, "\\\\CentOS-71-64-minimal\\Process(systemd#1)\\kB_rd/s"),
                     0);
    /* A process title, `sshd: mark@pts/2     `, is named by its first word;
     * kernel threads keep their names. */
    bool sshd = false, kthread = false;
    for (size_t i = 0; i < o.k.counter_count; i++) {
        sshd |= strcmp(o.k.counters[i].instance, "sshd") == 0;
        kthread |= strcmp(o.k.counters[i].instance, "watchdog/9") == 0;
    }
    ck_assert(sshd && kthread);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_reads_pidstat_threads_under_their_process)
{
    outcome o;
    if (!read_corpus(sysstat_reader_read_pidstat, "pidstat/sysstat_expected.pidstat-At.txt", &o))
        return;
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.value_count, 287);
    ck_assert_uint_eq(o.k.row_count, 1); /* seven tables of one interval: one row */
    /* 12:53:20     1000         -      8785    0.00 ...  |__JS Helper */
    long helper = counter_named(&o.k, "\\\\SYSSTAT.TEST\\Thread(firefox/JS Helper#8785)\\%usr");
    ck_assert_int_ge(helper, 0);
    ck_assert_str_eq(o.k.counters[helper].parent, "firefox");
    ck_assert_str_eq(o.k.counters[helper].instance, "JS Helper");
    ck_assert_int_eq(o.k.counters[helper].index, 8785);
    /* 12:53:20  1000  8741  -  0.97  0.28  0.00  0.01  1.25  2  firefox */
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\Process(firefox#8741)\\%CPU", 0), 1.25);
    ck_assert_double_eq(value_at(&o.k, "\\\\SYSSTAT.TEST\\Process(firefox#8741)\\RSS", 0),
                        335804);
    /* 06/01/20 12:53:20 as UTC */
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1591016000) * NS);
    kept_free(&o.k);
}
END_TEST

/* ---- Hand-made files ---- */

START_TEST(test_sysstat_reader_names_qemu_processes_by_guest_and_passes_midnight)
{
    char *path = test_source_path("tests/data/sysstat/good/pidstat-h-l-qemu.txt");
    outcome o = read_with(sysstat_reader_read_pidstat, path, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.row_count, 2);
    /* 03/01/24 11:59:58 PM, then 12:00:01 AM of the next day. */
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709337598) * NS);
    ck_assert_int_eq(o.k.row_t[1], INT64_C(1709337601) * NS);
    ck_assert_str_eq(o.k.row_local[1], "12:00:01 AM");
    /* -name guest=web01,debug-threads=on */
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Process(qemu:web01#4242)\\%guest", 1), 50);
    /* -name db,,01,process=qemu:db: the first part, with qemu's ",," comma */
    long db = counter_named(&o.k, "\\\\kvmhost01\\Process(qemu:db,01#4300)\\%CPU");
    ck_assert_int_ge(db, 0);
    ck_assert_str_eq(o.k.counters[db].instance, "qemu:db,01");
    ck_assert_int_eq(o.k.counters[db].index, 4300);
    ck_assert_int_ge(counter_named(&o.k, "\\\\kvmhost01\\Process(sshd#1234)\\%CPU"), 0);
    ck_assert_int_ge(counter_named(&o.k, "\\\\kvmhost01\\Process(kworker/2:1#1300)\\%CPU"), 0);
    /* web01's I/O columns are -1.00: missing, so never declared. */
    ck_assert_int_lt(counter_named(&o.k, "\\\\kvmhost01\\Process(qemu:web01#4242)\\kB_wr/s"), 0);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Process(qemu:db,01#4300)\\kB_wr/s", 0), 12);
    /* Ten values a line, but seven of web01's (no I/O); four lines, then the
     * two qemus again. */
    ck_assert_uint_eq(o.k.value_count, 7 + 10 + 10 + 10 + 7 + 10);
    kept_free(&o.k);
    free(path);
}
END_TEST

START_TEST(test_sysstat_reader_merges_sadf_blocks_into_one_row_per_time)
{
    char *path = test_source_path("tests/data/sysstat/good/sadf-two-blocks-restart.txt");
    outcome o = read_with(sysstat_reader_read_sadf, path, NULL, 0);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.row_count, 3);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709287200) * NS);
    ck_assert_int_eq(o.k.row_t[1], INT64_C(1709287260) * NS);
    ck_assert_int_eq(o.k.row_t[2], INT64_C(1709287560) * NS);
    /* The memory block, written after the CPU block, lands in the same rows. */
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\CPU(all)\\%user", 1), 20);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Memory\\kbmemfree", 1), 900);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\Memory\\%memused", 2), 64);
    ck_assert_double_eq(value_at(&o.k, "\\\\kvmhost01\\CPU(0)\\%idle", 0), 80.5);
    ck_assert(isnan(value_at(&o.k, "\\\\kvmhost01\\CPU(0)\\%idle", 2)));
    ck_assert_uint_eq(o.k.value_count, 5 * 6 + 3 * 4);
    ck_assert_uint_eq(o.k.counter_count, 16);
    ck_assert_uint_eq(diag_list_count(o.k.diags), 0);
    kept_free(&o.k);
    free(path);
}
END_TEST

#define CPU_HEADER "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n"

START_TEST(test_sysstat_reader_reads_sadf_zones_offsets_and_unix_seconds)
{
    /* A zone p3 cannot convert is read at --tz... */
    counter_options tz = {.has_tz = true, .tz_minutes = 60};
    outcome o = read_text(sysstat_reader_read_sadf,
                          CPU_HEADER "h;60;2024-03-01 11:00:00 CET;-1;1;2;3;4;5;6\n", &tz);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709287200) * NS);
    ck_assert_str_eq(o.k.time_zone, "CET");
    ck_assert(o.k.has_bias);
    ck_assert_int_eq(o.k.bias_minutes, -60);
    ck_assert_uint_eq(diag_list_count(o.k.diags), 0);
    kept_free(&o.k);
    /* ...or as UTC with a warning; */
    o = read_text(sysstat_reader_read_sadf,
                  CPU_HEADER "h;60;2024-03-01 11:00:00 CET;-1;1;2;3;4;5;6\n"
                             "h;60;2024-03-01 11:01:00 CET;-1;1;2;3;4;5;6\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709290800) * NS);
    ck_assert(!o.k.has_bias);
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    ck_assert_str_eq(diag_list_get(o.k.diags, 0)->message,
                     "times are in time zone 'CET', which p3 cannot convert: read as UTC; give "
                     "--tz or 'tz' in run.ini");
    kept_free(&o.k);
    /* a numeric offset is exact; -U writes Unix seconds. */
    o = read_text(sysstat_reader_read_sadf,
                  CPU_HEADER "h;60;2024-03-01 11:00:00 +0100;-1;1;2;3;4;5;6\n"
                             "h;60;1709287260;-1;1;2;3;4;5;6\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.row_count, 2);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709287200) * NS);
    ck_assert_int_eq(o.k.row_t[1], INT64_C(1709287260) * NS);
    ck_assert_str_eq(o.k.row_local[1], "1709287260");
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_starts_a_row_when_a_sadf_block_goes_back_in_time)
{
    /* The clock went back a minute inside the block: each value keeps its
     * own time, in a row of its own. */
    outcome o = read_text(sysstat_reader_read_sadf,
                          CPU_HEADER "h;60;2024-03-01 10:01:00 UTC;-1;1;2;3;4;5;6\n"
                                     "h;60;2024-03-01 10:00:30 UTC;-1;7;2;3;4;5;6\n"
                                     "h;60;2024-03-01 10:01:30 UTC;-1;8;2;3;4;5;6\n"
                                     "# hostname;interval;timestamp;proc/s;cswch/s\n"
                                     "h;60;2024-03-01 10:01:00 UTC;1.5;100\n",
                          NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.k.row_count, 3);
    ck_assert_int_eq(o.k.row_t[0], INT64_C(1709287260) * NS);
    ck_assert_double_eq(value_at(&o.k, "\\\\h\\Tasks\\proc/s", 0), 1.5);
    ck_assert_int_eq(o.k.row_t[1], INT64_C(1709287230) * NS);
    ck_assert_double_eq(value_at(&o.k, "\\\\h\\CPU(all)\\%user", 1), 7);
    ck_assert_int_eq(o.k.row_t[2], INT64_C(1709287290) * NS);
    ck_assert_double_eq(value_at(&o.k, "\\\\h\\CPU(all)\\%user", 2), 8);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_skips_unnamed_and_inventory_blocks_and_text_columns)
{
    outcome o = read_text(sysstat_reader_read_sadf,
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
    ck_assert_uint_eq(o.k.value_count, 3);
    ck_assert_double_eq(value_at(&o.k, "\\\\h\\Battery(0)\\cap/min", 0), 7.79);
    /* An activity p3 does not know is named by its device column. */
    ck_assert_double_eq(value_at(&o.k, "\\\\h\\NEWDEV(x0)\\up/s", 0), 2.5);
    ck_assert_uint_eq(diag_list_count(o.k.diags), 1);
    ck_assert_int_eq(diag_list_get(o.k.diags, 0)->severity, DIAG_WARNING);
    kept_free(&o.k);
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
        outcome o = read_text(sysstat_reader_read_pidstat, text, &opts);
        ck_assert_msg(o.status == STATUS_OK, "%s: status %d", cases[i].date, o.status);
        ck_assert_msg(o.k.row_t[0] == cases[i].t * NS, "%s: %lld", cases[i].date,
                      (long long)(o.k.row_t[0] / NS));
        ck_assert(o.k.has_bias);
        ck_assert_int_eq(o.k.bias_minutes, -120);
        ck_assert_uint_eq(diag_list_count(o.k.diags), 0);
        kept_free(&o.k);
        free(text);
    }
}
END_TEST

START_TEST(test_sysstat_reader_makes_no_sink_call_after_the_first_error)
{
    outcome o = read_text(sysstat_reader_read_pidstat,
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
    ck_assert_uint_eq(o.k.row_count, 1);
    ck_assert_uint_eq(o.k.calls_after_error, 0);
    kept_free(&o.k);
}
END_TEST

START_TEST(test_sysstat_reader_stops_when_the_sink_fails)
{
    char *path = test_source_path("tests/data/sysstat/good/sadf-two-blocks-restart.txt");
    outcome o = read_with(sysstat_reader_read_sadf, path, NULL, 3);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.k.value_count, 3);
    kept_free(&o.k);
    free(path);
    path = test_source_path("tests/data/sysstat/good/pidstat-h-l-qemu.txt");
    o = read_with(sysstat_reader_read_pidstat, path, NULL, 5);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.k.value_count, 5);
    kept_free(&o.k);
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
    char *expected_rel = xasprintf("tests/data/sysstat/bad/%s.expected", name);
    char *expected_path = test_source_path(expected_rel);
    char *expected = test_read_file(expected_path, NULL);
    ck_assert_msg(expected != NULL, "missing %s", expected_path);
    bool pidstat = strncmp(name, "pidstat-", 8) == 0;
    outcome o = read_with(pidstat ? sysstat_reader_read_pidstat : sysstat_reader_read_sadf, path,
                          NULL, 0);
    char *prefix = xasprintf("%s/", test_source_dir());
    char *got = diagnostics(o.k.diags, prefix);
    ck_assert_msg(o.status == STATUS_BAD_INPUT, "%s: status %d", name, o.status);
    ck_assert_msg(strcmp(got, expected) == 0, "%s: diagnostics differ.\nexpected:\n%s\ngot:\n%s",
                  name, expected, got);
    ck_assert_msg(o.result.errors > 0, "%s: no error counted", name);
    ck_assert_msg(o.k.calls_after_error == 0, "%s: %zu sink calls after an error", name,
                  o.k.calls_after_error);
    kept_free(&o.k);
    free(got);
    free(prefix);
    free(expected);
    free(expected_path);
    free(expected_rel);
    free(path);
    free(rel);
}

START_TEST(test_sysstat_reader_bad_inputs_match_golden_messages)
{
    char *bad_dir = test_source_path("tests/data/sysstat/bad");
    DIR *d = opendir(bad_dir);
    ck_assert_msg(d != NULL, "cannot open %s", bad_dir);
    struct dirent *e;
    int cases = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue;
        char *name = xstrndup(e->d_name, n - 4);
        check_golden(name);
        free(name);
        cases++;
    }
    closedir(d);
    free(bad_dir);
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
    tcase_add_test(tc, test_sysstat_reader_reads_every_value_of_the_sadf_d_corpus_file);
    tcase_add_test(tc, test_sysstat_reader_reads_fan_and_sensor_blocks_of_sysstat_11_6_5);
    tcase_add_test(tc, test_sysstat_reader_rejects_the_sadf_dh_corpus_file);
    tcase_add_test(tc, test_sysstat_reader_reads_the_sar_u_text_report);
    tcase_add_test(tc, test_sysstat_reader_rejects_the_sar_A_text_report);
    tcase_add_test(tc,
                   test_sysstat_reader_reads_pidstat_epoch_times_and_leaves_unavailable_io_missing);
    tcase_add_test(tc, test_sysstat_reader_reads_pidstat_threads_under_their_process);
    tcase_add_test(tc, test_sysstat_reader_names_qemu_processes_by_guest_and_passes_midnight);
    tcase_add_test(tc, test_sysstat_reader_merges_sadf_blocks_into_one_row_per_time);
    tcase_add_test(tc, test_sysstat_reader_reads_sadf_zones_offsets_and_unix_seconds);
    tcase_add_test(tc, test_sysstat_reader_starts_a_row_when_a_sadf_block_goes_back_in_time);
    tcase_add_test(tc, test_sysstat_reader_skips_unnamed_and_inventory_blocks_and_text_columns);
    tcase_add_test(tc, test_sysstat_reader_reads_report_dates_in_the_order_given_and_times_at_tz);
    tcase_add_test(tc, test_sysstat_reader_makes_no_sink_call_after_the_first_error);
    tcase_add_test(tc, test_sysstat_reader_stops_when_the_sink_fails);
    tcase_add_test(tc, test_sysstat_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_sysstat_reader_sniffs_sadf_sar_reports_and_pidstat_apart);
    suite_add_tcase(s, tc);
    return s;
}
