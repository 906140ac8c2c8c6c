/* Level placement and CPU accounting end to end through the store: probe
 * logs and schedules are ingested as files, counter files through the
 * counter store with a scripted reader (one per CPU source: esxtop, host
 * perfmon's vmware-vmx process, Hyper-V virtual processors, a qemu process
 * in pidstat, virt-top, the guest's own perfmon), then analysis runs and
 * its tables are
 * checked against values worked out by hand from the scripts. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "counter_fixture.h"
#include "ingest.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* Time 0 of every script: 2005-03-01T10:00:00Z; probes and counter rows
 * are placed in seconds after it. */
#define T0 COUNTER_FIXTURE_T0

/* A lab run: folder with run.ini and files, its store. */
typedef struct lab {
    char *dir, *run, *db_path;
    sqlite3 *db;
    diag_list *diags;
} lab;

static lab lab_new(const char *ini_text)
{
    lab l = {.dir = test_tmpdir("cpu"), .diags = diag_list_new()};
    l.run = xasprintf("%s/r1", l.dir);
    l.db_path = xasprintf("%s/p3.db", l.dir);
    char *ini = xasprintf("%s/run.ini", l.run);
    test_write_text(ini, ini_text);
    free(ini);
    ck_assert_int_eq(store_open(l.db_path, STORE_CREATE, &l.db, l.diags), STATUS_OK);
    return l;
}

static void lab_free(lab *l)
{
    store_close(l->db);
    diag_list_free(l->diags);
    free(l->dir), free(l->run), free(l->db_path);
}

static void lab_file(lab *l, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", l->run, name);
    test_write_text(path, text);
    free(path);
}

/* Ingests the run folder (probe logs, schedule, run.ini). */
static void lab_ingest(lab *l)
{
    const char *paths[] = {l->run};
    ingest_totals t;
    int status = ingest_paths(l->db, paths, 1, NULL, NULL, NULL, &t, l->diags);
    ck_assert_msg(status == STATUS_OK, "ingest failed");
}

/* Stores a scripted counter file, as if read from <run>/<name>. */
static void lab_counters(lab *l, const char *name, const counter_fixture_script *script)
{
    counter_fixture_store(l->db, "r1", l->run, name, script, l->diags);
}

static void lab_analyze(lab *l)
{
    analyze_totals t;
    ck_assert_int_eq(analyze_store(l->db, NULL, NULL, NULL, &t, l->diags), STATUS_OK);
    ck_assert_int_eq(t.analyzed, 1);
}

/* A number from the store; NAN for NULL. */
static double num(lab *l, const char *sql)
{
    return test_query_double(l->db, sql);
}

static void near(const char *what, double got, double want)
{
    ck_assert_msg(fabs(got - want) < 1e-9, "%s: got %.12g, want %.12g", what, got, want);
}

/* Probes every 5 s: None 0-55 s, Low 60-115 s, Medium 120-175 s. */
static char *three_level_probe_log(void)
{
    size_t cap = 8192, o = 0;
    char *s = xmalloc(cap);
    o += (size_t)snprintf(s + o, cap - o, "# p3-probe 1\ntime,level,delay_ms\n");
    static const char *const names[] = {"None", "Low", "Medium"};
    static const double delay[] = {20, 300, 1200};
    for (int k = 0; k < 36; k++)
        o += (size_t)snprintf(s + o, cap - o, "%lld,%s,%g\n", (long long)(T0 + 5 * k),
                              names[k / 12], delay[k / 12] + k % 3);
    return s;
}

/* Counter rows every 10 s from 10 to 180 s: each covers the 10 s before it. */
static const double rows_t[] = {10, 20, 30, 40, 50, 60, 70, 80, 90,
                                100, 110, 120, 130, 140, 150, 160, 170, 180};
#define ROWS 18
/* The level running in the 10 s a row covers (probes at 5 s steps). */
static int level_of_row(size_t r)
{
    return r < 6 ? 0 : r < 12 ? 1 : 2;
}

START_TEST(test_cpu_esxtop_host_truth_against_an_over_reporting_guest)
{
    lab l = lab_new("[run]\nhost = esx01\nguest = web01\n[cpu]\nvcpus = 1\n");
    char *log = three_level_probe_log();
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    /* Host: the guest's group runs 7, 30, 55 % of a CPU, ready 1, 3, 9 %. */
    static const counter_fixture_counter esx[] = {
        {"\\\\esx01\\Group Cpu(100:web01)\\% Used", "esx01", "Group Cpu", "100:web01", "% Used"},
        {"\\\\esx01\\Group Cpu(100:web01)\\% Ready", "esx01", "Group Cpu", "100:web01", "% Ready"},
        {"\\\\esx01\\Group Cpu(101:db02)\\% Used", "esx01", "Group Cpu", "101:db02", "% Used"}};
    double ev[ROWS * 3], gv[ROWS];
    for (size_t r = 0; r < ROWS; r++) {
        int k = level_of_row(r);
        /* Rows 1 and 2 of None go 1 above and below, so the overhead has a spread. */
        ev[3 * r] = (double[]){7, 30, 55}[k] + (r == 1) - (r == 2);
        ev[3 * r + 1] = (double[]){1, 3, 9}[k];
        ev[3 * r + 2] = 99; /* another VM: must not count */
        gv[r] = (double[]){2, 25, 80}[k];
    }
    counter_fixture_script host = {"esxtop", 3, ROWS, esx, rows_t, ev};
    lab_counters(&l, "esxtop.csv", &host);
    /* The guest says 2, 25, 80 %: at Medium it over-reports by 25 points. */
    static const counter_fixture_counter own[] = {{"\\\\web01\\Processor(_Total)\\% Processor Time",
                                                   "web01", "Processor", "_Total",
                                                   "% Processor Time"}};
    counter_fixture_script guest = {"perfmon", 1, ROWS, own, rows_t, gv};
    lab_counters(&l, "guest.csv", &guest);
    lab_analyze(&l);

    near("host None", num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 0"), 7);
    near("host Low", num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 1"), 30);
    near("host Medium", num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 2"), 55);
    near("guest Medium", num(&l, "SELECT guest_cpu_pct FROM level_cpu WHERE level = 2"), 80);
    near("ready Medium", num(&l, "SELECT ready_pct FROM level_cpu WHERE level = 2"), 9);
    near("discrepancy", num(&l, "SELECT discrepancy_pct FROM level_cpu WHERE level = 2"), 25);
    near("flag Medium", num(&l, "SELECT guest_untrusted FROM level_cpu WHERE level = 2"), 1);
    near("flag Low", num(&l, "SELECT guest_untrusted FROM level_cpu WHERE level = 1"), 0);
    /* Overhead at None: host minus guest, 7 - 2 = 5, over rows 0-4 (row 5
     * also covers Low's first probe, so it speaks for neither). */
    near("overhead", num(&l, "SELECT overhead_pct FROM analysis"), 5);
    near("assumed", num(&l, "SELECT overhead_assumed FROM analysis"), 0);
    ck_assert(num(&l, "SELECT overhead_ci_lo FROM analysis") < 5);
    ck_assert(num(&l, "SELECT overhead_ci_hi FROM analysis") > 5);
    near("useful Medium", num(&l, "SELECT useful_cpu_pct FROM level_cpu WHERE level = 2"), 50);
    /* p95 of Medium (1200..1202) crosses 1000 ms; host CPU there is 55 %. */
    near("onset level", num(&l, "SELECT onset_endurance_level FROM analysis"), 2);
    near("onset cpu", num(&l, "SELECT onset_endurance_cpu_pct FROM analysis"), 55);
    char *counter = test_query_text(l.db, "SELECT host_counter FROM analysis");
    ck_assert_str_eq(counter, "\\\\esx01\\Group Cpu(100:web01)\\% Used");
    free(counter);
    char *warning =
        test_query_text(l.db, "SELECT message FROM analysis_note WHERE severity = 'warning'");
    ck_assert_str_eq(warning, "the guest's own counters over-report its CPU, by up to 25.0 points "
                              "at Medium: a paused guest charges the pause to whatever it was "
                              "running; trust the host-side figures");
    free(warning);
    lab_free(&l);
}
END_TEST

START_TEST(test_cpu_places_levels_by_schedule_then_host_cpu_and_counts_the_rest)
{
    lab l = lab_new("[run]\nhost = vshost\nguest = w2k\n[cpu]\nhost_counter = "
                    "*\\Process(vmware-vmx#1)\\% Processor Time\n");
    /* Probes without levels at 5 s steps from 0 to 295 s. */
    size_t cap = 16384, o = 0;
    char *log = xmalloc(cap);
    o += (size_t)snprintf(log + o, cap - o, "# p3-probe 1\ntime,delay_ms\n");
    for (int k = 0; k < 60; k++)
        o += (size_t)snprintf(log + o, cap - o, "%lld,%d\n", (long long)(T0 + 5 * k), 10 + k);
    lab_file(&l, "probe.probe", log);
    free(log);
    /* The schedule says Low for [0, 60 s). */
    lab_file(&l, "schedule.csv", "start,end,level\n1109671200,1109671260,Low\n");
    lab_ingest(&l);
    /* Two vmware-vmx processes; run.ini names #1. CPU 5 % from 60 to 120 s
     * (None), 60 % from 120 to 180 s (Medium), no rows after 180 s. */
    static const counter_fixture_counter procs[] = {
        {"\\\\vshost\\Process(vmware-vmx)\\% Processor Time", "vshost", "Process", "vmware-vmx",
         "% Processor Time"},
        {"\\\\vshost\\Process(vmware-vmx#1)\\% Processor Time", "vshost", "Process",
         "vmware-vmx#1", "% Processor Time"}};
    double v[ROWS * 2];
    for (size_t r = 0; r < ROWS; r++) {
        v[2 * r] = 90;
        v[2 * r + 1] = rows_t[r] <= 120 ? 5 : 60;
    }
    counter_fixture_script host = {"perfmon", 2, ROWS, procs, rows_t, v};
    lab_counters(&l, "host.csv", &host);
    lab_analyze(&l);
    /* 0..55 s: schedule (12); 60..115 s: rows up to 120 s say 5 % -> None
     * (12); 120 s: covered by the row at 120 s (5 %) -> None; 125..175 s and
     * 180 s: 60 % -> Medium (12); 185..295 s: no row -> unplaced (23). */
    near("Low by schedule", num(&l, "SELECT n_schedule FROM level_stats WHERE level = 1"), 12);
    near("None by cpu", num(&l, "SELECT n_cpu FROM level_stats WHERE level = 0"), 13);
    near("Medium by cpu", num(&l, "SELECT n_cpu FROM level_stats WHERE level = 2"), 12);
    near("unplaced", num(&l, "SELECT unplaced FROM analysis"), 23);
    char *src = test_query_text(l.db, "SELECT level_source FROM level_stats WHERE level = 1");
    ck_assert_str_eq(src, "schedule");
    free(src);
    char *note =
        test_query_text(l.db, "SELECT message FROM analysis_note WHERE message LIKE '23 samples%'");
    ck_assert_str_eq(note, "23 samples have no level: their probe logs do not say, no schedule.csv "
                           "covers them and no CPU counter row covers their time; they are left "
                           "out of every statistic");
    free(note);
    lab_free(&l);
}
END_TEST

START_TEST(test_cpu_placement_by_guest_counters_warns_and_virt_top_scales_by_host_cpus)
{
    lab l = lab_new("[run]\nhost = kvm1\nguest = vm7\n[cpu]\nvcpus = 2\nhost_cpus = 8\n");
    size_t cap = 8192, o = 0;
    char *log = xmalloc(cap);
    o += (size_t)snprintf(log + o, cap - o, "# p3-probe 1\ntime,delay_ms\n");
    for (int k = 0; k < 12; k++)
        o += (size_t)snprintf(log + o, cap - o, "%lld,%d\n", (long long)(T0 + 5 + 10 * k), 10);
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    /* The guest's own counter (unknown side: no host/guest match, no
     * folder) says 50 %: Medium by the default thresholds. */
    static const counter_fixture_counter own[] = {
        {"\\\\somebox\\Processor(_Total)\\% Processor Time", "somebox", "Processor", "_Total",
         "% Processor Time"}};
    double gv[ROWS];
    for (size_t r = 0; r < ROWS; r++)
        gv[r] = 50;
    counter_fixture_script guest = {"perfmon", 1, ROWS, own, rows_t, gv};
    lab_counters(&l, "guest.csv", &guest);
    lab_analyze(&l);
    near("Medium by guest cpu", num(&l, "SELECT n_cpu FROM level_stats WHERE level = 2"), 12);
    char *note =
        test_query_text(l.db, "SELECT message FROM analysis_note WHERE severity = 'warning'");
    ck_assert_str_eq(note, "12 samples were placed in levels by the guest's own CPU counter, which "
                           "a paused guest inflates; name a host-side counter with host_counter "
                           "in run.ini");
    free(note);
    /* Now virt-top on the host: the domain uses 10 % of 8 host CPUs, which
     * is 40 % of its 2 vCPUs; placement moves to the host counter. */
    static const counter_fixture_counter dom[] = {
        {"\\\\kvm1\\Domain(vm7)\\%CPU", "kvm1", "Domain", "vm7", "%CPU"}};
    double dv[ROWS];
    for (size_t r = 0; r < ROWS; r++)
        dv[r] = 10;
    counter_fixture_script vt = {"virt-top", 1, ROWS, dom, rows_t, dv};
    lab_counters(&l, "virt-top.csv", &vt);
    lab_analyze(&l);
    near("host from virt-top", num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 2"), 40);
    near("placed by host", num(&l, "SELECT n_cpu FROM level_stats WHERE level = 2"), 12);
    near("no guest-placement warning",
         num(&l, "SELECT count(*) FROM analysis_note WHERE message LIKE '%placed in levels%'"), 0);
    lab_free(&l);
}
END_TEST

START_TEST(test_cpu_native_runs_take_the_machine_counter_as_truth_without_overhead)
{
    lab l = lab_new("[run]\nhost = srv\n[cpu]\nnative = yes\n");
    char *log = three_level_probe_log();
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    static const counter_fixture_counter own[] = {{"\\\\srv\\Processor(_Total)\\% Processor Time",
                                                   "srv", "Processor", "_Total",
                                                   "% Processor Time"}};
    double v[ROWS];
    for (size_t r = 0; r < ROWS; r++)
        v[r] = (double[]){3, 26, 51}[level_of_row(r)];
    counter_fixture_script machine = {"perfmon", 1, ROWS, own, rows_t, v};
    lab_counters(&l, "perfmon.csv", &machine);
    lab_analyze(&l);
    near("host is own", num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 1"), 26);
    near("useful = host", num(&l, "SELECT useful_cpu_pct FROM level_cpu WHERE level = 1"), 26);
    near("overhead 0", num(&l, "SELECT overhead_pct FROM analysis"), 0);
    near("not assumed", num(&l, "SELECT overhead_assumed FROM analysis"), 0);
    near("native", num(&l, "SELECT native FROM analysis"), 1);
    near("never untrusted", num(&l, "SELECT sum(guest_untrusted) FROM level_cpu"), 0);
    lab_free(&l);
}
END_TEST

START_TEST(test_cpu_without_counters_assumes_the_default_overhead_and_leaves_cpu_empty)
{
    lab l = lab_new("[run]\nguest = g\n[cpu]\noverhead_pct = 7.5\n[analysis]\nbuckets = 100, "
                    "1000\nendurance_ms = 250\nonset_margin_ms = 100\n");
    char *log = three_level_probe_log();
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    lab_analyze(&l);
    near("assumed overhead", num(&l, "SELECT overhead_pct FROM analysis"), 7.5);
    near("assumed", num(&l, "SELECT overhead_assumed FROM analysis"), 1);
    ck_assert(isnan(num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 0")));
    ck_assert(isnan(num(&l, "SELECT useful_cpu_pct FROM level_cpu WHERE level = 0")));
    near("three buckets", num(&l, "SELECT count(*) FROM bucket"), 3);
    /* Endurance 250: Low's p95 (302) is over it; margin 100 over None's p95 too. */
    near("endurance onset", num(&l, "SELECT onset_endurance_level FROM analysis"), 1);
    near("margin onset", num(&l, "SELECT onset_margin_level FROM analysis"), 1);
    ck_assert(isnan(num(&l, "SELECT onset_endurance_cpu_pct FROM analysis")));
    lab_free(&l);
}
END_TEST

/* One host-side CPU source: a run whose guest is `guest`, a scripted host
 * file of `kind` with `counters`, whose first `guest_counters` counters all
 * read `value` per row (the rest 77: other guests that must not count);
 * returns the host CPU analysis reports for Low. */
static double host_cpu_from(const char *ini, const char *kind, const counter_fixture_counter *c,
                            size_t count, size_t guest_counters, double value, char **used)
{
    lab l = lab_new(ini);
    char *log = three_level_probe_log();
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    double *v = xcalloc(ROWS * count, sizeof *v);
    for (size_t r = 0; r < ROWS; r++)
        for (size_t k = 0; k < count; k++)
            v[r * count + k] = k < guest_counters ? value : 77;
    counter_fixture_script script = {kind, count, ROWS, c, rows_t, v};
    lab_counters(&l, "host.csv", &script);
    lab_analyze(&l);
    double host = num(&l, "SELECT host_cpu_pct FROM level_cpu WHERE level = 1");
    *used = test_query_text(l.db, "SELECT host_counter FROM analysis");
    free(v);
    lab_free(&l);
    return host;
}

START_TEST(test_cpu_hyper_v_virtual_processors_are_summed_over_the_guest_vcpus)
{
    /* Two virtual processors at 30 % each of a 2-vCPU guest: 30 % of its vCPUs. */
    static const counter_fixture_counter c[] = {
        {"\\\\hv1\\Hyper-V Hypervisor Virtual Processor(SQL01:Hv VP 0)\\% Guest Run Time", "hv1",
         "Hyper-V Hypervisor Virtual Processor", "SQL01:Hv VP 0", "% Guest Run Time"},
        {"\\\\hv1\\Hyper-V Hypervisor Virtual Processor(SQL01:Hv VP 1)\\% Guest Run Time", "hv1",
         "Hyper-V Hypervisor Virtual Processor", "SQL01:Hv VP 1", "% Guest Run Time"},
        {"\\\\hv1\\Hyper-V Hypervisor Virtual Processor(WEB02:Hv VP 0)\\% Guest Run Time", "hv1",
         "Hyper-V Hypervisor Virtual Processor", "WEB02:Hv VP 0", "% Guest Run Time"}};
    char *used;
    double host = host_cpu_from("[run]\nhost = hv1\nguest = SQL01\n[cpu]\nvcpus = 2\n", "perfmon",
                                c, 3, 2, 30, &used);
    near("Hyper-V", host, 30);
    ck_assert_str_eq(used, "2 counters summed per file, first "
                           "'\\\\hv1\\Hyper-V Hypervisor Virtual Processor(SQL01:Hv VP 0)\\% Guest "
                           "Run Time'");
    free(used);
}
END_TEST

START_TEST(test_cpu_qemu_process_in_pidstat_is_the_guest)
{
    /* pidstat's %CPU is % of one CPU: 40 for a 1-vCPU guest is 40 %. */
    static const counter_fixture_counter c[] = {
        {"\\\\kvm\\Process(qemu:vm7#4242)\\%CPU", "kvm", "Process", "qemu:vm7", "%CPU"},
        {"\\\\kvm\\Process(qemu:vm8#4243)\\%CPU", "kvm", "Process", "qemu:vm8", "%CPU"}};
    char *used;
    double host = host_cpu_from("[run]\nhost = kvm\nguest = vm7\n", "pidstat", c, 2, 1, 40, &used);
    near("pidstat qemu", host, 40);
    ck_assert_str_eq(used, "\\\\kvm\\Process(qemu:vm7#4242)\\%CPU");
    free(used);
}
END_TEST

START_TEST(test_cpu_a_single_vmware_vmx_process_is_taken_as_the_guest_with_a_note)
{
    static const counter_fixture_counter c[] = {
        {"\\\\gsx\\Process(vmware-vmx)\\% Processor Time", "gsx", "Process", "vmware-vmx",
         "% Processor Time"},
        {"\\\\gsx\\Processor(_Total)\\% Processor Time", "gsx", "Processor", "_Total",
         "% Processor Time"}};
    char *used;
    double host = host_cpu_from("[run]\nhost = gsx\nguest = w2k\n", "perfmon", c, 2, 1, 26, &used);
    near("single vmware-vmx", host, 26);
    ck_assert_str_eq(used, "\\\\gsx\\Process(vmware-vmx)\\% Processor Time");
    free(used);
}
END_TEST

/* The first counter row covers the series' interval before it, the median
 * spacing of its rows, not the spacing to the row after it: rows at 0, 2,
 * 7, 12 and 17 s (median 5 s) cover (-5, 0] with the first, so a probe at
 * -4 s is placed by CPU and one at -6 s is not. */
START_TEST(test_cpu_first_counter_row_covers_the_median_interval_before_it)
{
    lab l = lab_new("[run]\nhost = vshost\nguest = w2k\n[cpu]\nhost_counter = "
                    "*\\Process(vmware-vmx)\\% Processor Time\n");
    char *log = xasprintf("# p3-probe 1\ntime,delay_ms\n%lld,10\n%lld,11\n%lld,12\n%lld,13\n",
                          (long long)(T0 - 6), (long long)(T0 - 4), (long long)(T0 + 1),
                          (long long)(T0 + 10));
    lab_file(&l, "probe.probe", log);
    free(log);
    lab_ingest(&l);
    static const counter_fixture_counter proc[] = {
        {"\\\\vshost\\Process(vmware-vmx)\\% Processor Time", "vshost", "Process",
         "vmware-vmx", "% Processor Time"}};
    static const double t[] = {0, 2, 7, 12, 17};
    static const double v[] = {5, 5, 5, 5, 5};
    counter_fixture_script host = {"perfmon", 1, 5, proc, t, v};
    lab_counters(&l, "host.csv", &host);
    lab_analyze(&l);
    /* -4, 1 and 10 s by CPU at 5 % (None); -6 s before any row's interval. */
    near("None by cpu", num(&l, "SELECT n_cpu FROM level_stats WHERE level = 0"), 3);
    near("unplaced", num(&l, "SELECT unplaced FROM analysis"), 1);
    lab_free(&l);
}
END_TEST

Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_cpu_esxtop_host_truth_against_an_over_reporting_guest);
    tcase_add_test(tc, test_cpu_places_levels_by_schedule_then_host_cpu_and_counts_the_rest);
    tcase_add_test(tc, test_cpu_placement_by_guest_counters_warns_and_virt_top_scales_by_host_cpus);
    tcase_add_test(tc, test_cpu_native_runs_take_the_machine_counter_as_truth_without_overhead);
    tcase_add_test(tc, test_cpu_without_counters_assumes_the_default_overhead_and_leaves_cpu_empty);
    tcase_add_test(tc, test_cpu_hyper_v_virtual_processors_are_summed_over_the_guest_vcpus);
    tcase_add_test(tc, test_cpu_qemu_process_in_pidstat_is_the_guest);
    tcase_add_test(tc, test_cpu_a_single_vmware_vmx_process_is_taken_as_the_guest_with_a_note);
    tcase_add_test(tc, test_cpu_first_counter_row_covers_the_median_interval_before_it);
    suite_add_tcase(s, tc);
    return s;
}
