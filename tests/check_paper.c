/* The paper's "Result" statements, checked on the sample lab that
 * samples/paper-2005 describes: the ten runs are simulated once for the
 * suite (p3 simulate), ingested and analysed (p3 ingest, p3 analyze: what
 * p3 report does before it draws), and every statement is read through
 * p3's own analysis (p3 stats --format csv) as a comparison
 * with a stated margin. Statements the model reproduces only in part say
 * so here and in the README ("The simulator"). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

static const char *const figures[] = {"fig02", "fig03", "fig04", "fig05", "fig06",
                                      "fig07", "fig09", "fig10", "fig11", "fig12"};
#define FIGURES 10

static const char *const levels[] = {"None", "Low", "Medium", "Busy", "Maximum", "Overload"};
#define LEVELS 6
#define BUSY 3 /* the first of the loaded levels: Busy, Maximum, Overload */

/* One row of `p3 stats --format csv`: the numbers the statements use. */
typedef struct level_stats {
    double n, mean, sd, p50, p95, max;
    double b50;      /* % of samples within 50 ms */
    double over1450; /* % of samples over 1450 ms (the last three columns) */
    double host_cpu, guest_cpu; /* p3's CPU accounting, % of the vCPU; NAN when empty */
} level_stats;

/* What the suite's fixture made: stats[figure][level], the lab folder, and
 * why the fixture failed, if it did (reported by every test). */
static level_stats stats[FIGURES][LEVELS];
static char *lab_dir;
static char *setup_error;

static int figure_index(const char *run, size_t len)
{
    for (int f = 0; f < FIGURES; f++)
        if (strlen(figures[f]) == len && strncmp(figures[f], run, len) == 0)
            return f;
    return -1;
}

static int level_index(const char *name, size_t len)
{
    for (int l = 0; l < LEVELS; l++)
        if (strlen(levels[l]) == len && strncmp(levels[l], name, len) == 0)
            return l;
    return -1;
}

/* Splits a CSV line without quotes into at most max fields (in place). */
static int split_csv(char *line, char **field, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        field[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static int column(char **names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* Reads p3 stats' CSV into stats[][]; returns an error message or NULL. */
static char *parse_stats(char *csv)
{
    char *save = NULL, *line = strtok_r(csv, "\n", &save);
    char *names[128];
    int count = line ? split_csv(line, names, 128) : 0;
    const char *wanted[] = {"run", "level", "n", "mean_ms", "stddev_ms", "p50_ms", "p95_ms",
                            "max_ms", "b50", "b1650", "b1850", "bover"};
    int col[12];
    for (int k = 0; k < 12; k++)
        if ((col[k] = column(names, count, wanted[k])) < 0)
            return xasprintf("p3 stats has no column %s", wanted[k]);
    int host_col = column(names, count, "host_cpu_pct");
    int guest_col = column(names, count, "guest_cpu_pct");
    int seen = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        char *f[128];
        int n = split_csv(line, f, 128);
        if (n < count)
            return xasprintf("short stats line: %s", line);
        int fi = figure_index(f[col[0]], strlen(f[col[0]]));
        int li = level_index(f[col[1]], strlen(f[col[1]]));
        if (fi < 0 || li < 0)
            continue;
        level_stats *s = &stats[fi][li];
        s->n = atof(f[col[2]]);
        s->mean = atof(f[col[3]]);
        s->sd = atof(f[col[4]]);
        s->p50 = atof(f[col[5]]);
        s->p95 = atof(f[col[6]]);
        s->max = atof(f[col[7]]);
        s->b50 = atof(f[col[8]]);
        s->over1450 = atof(f[col[9]]) + atof(f[col[10]]) + atof(f[col[11]]);
        s->host_cpu = host_col >= 0 && *f[host_col] ? atof(f[host_col]) : NAN;
        s->guest_cpu = guest_col >= 0 && *f[guest_col] ? atof(f[guest_col]) : NAN;
        seen++;
    }
    return seen == FIGURES * LEVELS ? NULL
                                    : xasprintf("p3 stats gave %d of %d run levels", seen,
                                                FIGURES * LEVELS);
}

/* Simulates the ten scenarios, analyses them and reads the statistics,
 * once for the whole suite (an unchecked fixture: it runs before the tests
 * are forked). */
static void make_lab(void)
{
    char *dir = test_tmpdir("paper");
    lab_dir = xasprintf("%s/lab", dir);
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[FIGURES + 5] = {"simulate", "--lab", lab_dir};
    char *paths[FIGURES];
    for (int f = 0; f < FIGURES; f++) {
        char *rel = xasprintf("samples/paper-2005/%s.ini", figures[f]);
        paths[f] = test_source_path(rel);
        args[3 + f] = paths[f];
        free(rel);
    }
    test_run r = test_p3(NULL, args);
    if (r.status != 0)
        setup_error = xasprintf("p3 simulate failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    /* ingest and analyze are what p3 report does before it draws; the
     * charts are not needed here. */
    const char *ingest_args[] = {"ingest", "--db", db, lab_dir, NULL};
    const char *analyze_args[] = {"analyze", "--db", db, NULL};
    if (!setup_error) {
        r = test_p3(NULL, ingest_args);
        if (r.status != 0 || *r.err)
            setup_error = xasprintf("p3 ingest failed (%d): %s", r.status, r.err);
        test_run_free(&r);
    }
    if (!setup_error) {
        r = test_p3(NULL, analyze_args);
        if (r.status != 0)
            setup_error = xasprintf("p3 analyze failed (%d): %s", r.status, r.err);
        test_run_free(&r);
    }
    const char *stats_args[] = {"stats", "--db", db, "--format", "csv", NULL};
    if (!setup_error) {
        r = test_p3(NULL, stats_args);
        setup_error = r.status ? xasprintf("p3 stats failed (%d): %s", r.status, r.err)
                               : parse_stats(r.out);
        test_run_free(&r);
    }
    for (int f = 0; f < FIGURES; f++)
        free(paths[f]);
    free(db), free(dir);
}

static void free_lab(void)
{
    free(lab_dir);
    free(setup_error);
}

/* The statistics of a figure's level, after checking the fixture worked. */
static const level_stats *at(const char *figure, int level)
{
    ck_assert_msg(!setup_error, "%s", setup_error ? setup_error : "");
    int f = figure_index(figure, strlen(figure));
    ck_assert_int_ge(f, 0);
    ck_assert_double_eq(stats[f][level].n, 300);
    return &stats[f][level];
}

/* The mean over the loaded levels (Busy, Maximum, Overload; 300 samples
 * each, so the mean of the means). */
static double loaded_mean(const char *figure)
{
    double sum = 0;
    for (int l = BUSY; l < LEVELS; l++)
        sum += at(figure, l)->mean;
    return sum / (LEVELS - BUSY);
}

/* ---- Figure 2: the native server ---------------------------------------- */

/* "when user loading on the server is low, the user experiences delay of
 * under fifty ms nearly 100% of the time. As server loading is increased,
 * the user experiences increased delays averaging one-half to
 * three-quarters of a second ... where delays can occasionally reach two
 * seconds!" */
START_TEST(test_paper_native_server_is_fast_at_low_load_and_slow_with_tails_when_busy)
{
    /* Nearly 100%: at least 95% within 50 ms at None and Low. */
    ck_assert_double_ge(at("fig02", 0)->b50, 95);
    ck_assert_double_ge(at("fig02", 1)->b50, 95);
    /* Averaging 0.5-0.75 s over the loaded rows, each row within 25% of
     * that range (the model's Busy is 0.52 s, Overload 0.80 s). */
    double mean = loaded_mean("fig02");
    ck_assert_double_ge(mean, 500);
    ck_assert_double_le(mean, 750);
    for (int l = BUSY; l < LEVELS; l++) {
        ck_assert_double_ge(at("fig02", l)->mean, 500 * 0.75);
        ck_assert_double_le(at("fig02", l)->mean, 750 * 1.25);
    }
    /* Tails near two seconds: the slowest loaded sample within 25% of 2 s,
     * and the slowest columns (over 1450 ms) not empty at Overload. */
    double max = 0;
    for (int l = BUSY; l < LEVELS; l++)
        max = fmax(max, at("fig02", l)->max);
    ck_assert_double_ge(max, 2000 * 0.75);
    ck_assert_double_le(max, 2000 * 1.25);
    ck_assert_double_gt(at("fig02", 5)->over1450, 0);
}
END_TEST

/* ---- Figures 3 and 4: one loaded guest ---------------------------------- */

/* Result: "Guest OS performance degrades as load on the virtual machine
 * increases. Degradation starts at a lower loading level than a non
 * virtual machine." Text: "We do see a decrease in delay variability". */
START_TEST(test_paper_single_guests_degrade_earlier_than_native_with_less_variability)
{
    const char *guests[] = {"fig03", "fig04"};
    for (int g = 0; g < 2; g++) {
        /* Degrades with load: Low and Medium slower than None, and each
         * loaded level at least 20% slower than the one before. */
        for (int l = 1; l <= 2; l++)
            ck_assert_double_gt(at(guests[g], l)->mean, at(guests[g], 0)->mean);
        for (int l = BUSY; l < LEVELS; l++)
            ck_assert_double_ge(at(guests[g], l)->mean, 1.2 * at(guests[g], l - 1)->mean);
        /* Earlier: at Low and Medium, where the native server still answers
         * within 50 ms 95% of the time, the guest is at least twice as slow
         * on average, with at least 10 (Low) and 20 (Medium) points fewer
         * of its samples within 50 ms. */
        for (int l = 1; l <= 2; l++) {
            ck_assert_double_ge(at(guests[g], l)->mean, 2 * at("fig02", l)->mean);
            ck_assert_double_le(at(guests[g], l)->b50, at("fig02", l)->b50 - 10 * l);
        }
        /* Less variability where the native server spreads its load
         * unevenly over its CPUs (Maximum, Overload): a standard deviation
         * at most 70% of the native server's. At Busy both are about
         * 0.1 s (the guest's 0.7 to 1.2 times the native's over seeds): the
         * model does not reproduce a difference there. */
        for (int l = 4; l < LEVELS; l++)
            ck_assert_double_le(at(guests[g], l)->sd, 0.7 * at("fig02", l)->sd);
        /* "similar average performance degradation": the loaded rows'
         * mean within a factor 1.5 of the native server's. */
        ck_assert_double_le(loaded_mean(guests[g]), 1.5 * loaded_mean("fig02"));
        ck_assert_double_ge(loaded_mean(guests[g]), loaded_mean("fig02") / 1.5);
    }
}
END_TEST

/* "The results are similar for each virtual machine host." */
START_TEST(test_paper_gsx_guest_resembles_virtual_server_guest)
{
    for (int l = BUSY; l < LEVELS; l++) {
        double ms = at("fig03", l)->mean, gsx = at("fig04", l)->mean;
        ck_assert_double_le(fabs(ms - gsx), 0.15 * ms);
    }
}
END_TEST

/* ---- Figures 5-7: resource management ----------------------------------- */

/* Result: "Virtual server performance is significantly improved with
 * resource management tools added to the virtual OS" ("pretty much
 * eliminating the impact of virtual machine load"). */
START_TEST(test_paper_guest_priority_management_nearly_removes_the_loads_effect)
{
    for (int l = 1; l < LEVELS; l++) {
        /* Every level within 20 ms of None on average, 85% within 50 ms. */
        ck_assert_double_le(at("fig05", l)->mean, at("fig05", 0)->mean + 20);
        ck_assert_double_ge(at("fig05", l)->b50, 85);
    }
    /* Against the same guest without it: a tenth of the delay or less. */
    for (int l = BUSY; l < LEVELS; l++)
        ck_assert_double_le(at("fig05", l)->mean, 0.1 * at("fig03", l)->mean);
}
END_TEST

/* Result: "Virtual Server performance is slightly improved with resource
 * management tools added to the host OS. The amount of improvement
 * increases with overall system load." ("about 100-200ms improvement in
 * the overloaded case") */
START_TEST(test_paper_host_resource_management_gains_100_to_200_ms_when_overloaded)
{
    double gain[LEVELS];
    for (int l = 0; l < LEVELS; l++)
        gain[l] = at("fig03", l)->mean - at("fig06", l)->mean;
    /* 100-200 ms at Overload. The model gives 65-105 ms over other seeds
     * (105 ms for the sample lab), the low end of that range: the bounds
     * have a 40% margin below and 25% above. */
    ck_assert_double_ge(gain[5], 100 * 0.6);
    ck_assert_double_le(gain[5], 200 * 1.25);
    /* Slight: under 20% of the delay. Increasing with load. */
    ck_assert_double_le(gain[5], 0.2 * at("fig03", 5)->mean);
    ck_assert_double_gt(gain[5], gain[4]);
    ck_assert_double_gt(gain[4], gain[3]);
    /* It removes the host's work from the guest's way: at None, whatever
     * remains is the probe's own time, all within 50 ms. */
    ck_assert_double_ge(at("fig06", 0)->b50, 99);
}
END_TEST

/* Result: "Virtual Server performance is best optimized with resource
 * management tools added to the host and virtual operating systems." */
START_TEST(test_paper_resource_management_in_host_and_guest_is_the_best_single_guest_case)
{
    const char *others[] = {"fig03", "fig04", "fig05", "fig06"};
    for (int l = 0; l < LEVELS; l++) {
        /* Never worse than another single-guest case (within 1 ms, which
         * is noise where nothing competes), and never more of its actions
         * over 50 ms: at least 99% within. */
        for (int o = 0; o < 4; o++) {
            ck_assert_double_le(at("fig07", l)->mean, at(others[o], l)->mean + 1);
            ck_assert_double_ge(at("fig07", l)->b50, at(others[o], l)->b50);
        }
        ck_assert_double_ge(at("fig07", l)->b50, 99);
        /* Loaded, a tenth of the delay of the cases without management in
         * the guest. */
        if (l >= BUSY)
            for (int o = 0; o < 4; o++)
                if (o != 2)
                    ck_assert_double_le(at("fig07", l)->mean, 0.1 * at(others[o], l)->mean);
    }
}
END_TEST

/* ---- Figures 9 and 10: the 50% static cap -------------------------------- */

/* Result: "Poorly implemented virtual machine tools to load balance
 * between servers cause very poor performance on a system." ("even under
 * Medium loading ... the effect is felt") */
START_TEST(test_paper_static_cap_is_bad_already_at_medium)
{
    /* Already at Medium: 40% slower on average, 25% at the 95th
     * percentile, than the same guest uncapped. */
    ck_assert_double_ge(at("fig09", 2)->mean, 1.4 * at("fig03", 2)->mean);
    ck_assert_double_ge(at("fig09", 2)->p95, 1.25 * at("fig03", 2)->p95);
    /* Very poor when loaded: 60% slower than uncapped, Maximum and
     * Overload over the one-second endurance line on average. */
    for (int l = BUSY; l < LEVELS; l++)
        ck_assert_double_ge(at("fig09", l)->mean, 1.6 * at("fig03", l)->mean);
    ck_assert_double_gt(at("fig09", 4)->mean, 1000);
    ck_assert_double_gt(at("fig09", 5)->mean, 1000);
    /* "unless the virtual machine is very lightly loaded": None is fine. */
    ck_assert_double_ge(at("fig09", 0)->b50, 80);
}
END_TEST

/* ---- CPU as each side reports it (fig 9) -------------------------------- */

/* The statement is checked twice, on purpose: through p3's CPU accounting
 * (p3 stats' host_cpu_pct and guest_cpu_pct), which is what the paper's
 * finding means for a user of p3, and on the counter files the simulator
 * wrote, read here directly, so that a fault in the simulator's files
 * cannot hide behind a matching fault in p3's accounting. */

/* Seconds since 2005-03-01 00:00 local of "YYYY-MM-DDTHH:MM:SS.fff" or
 * "MM/DD/YYYY HH:MM:SS.fff" (the lab's times are all in March 2005). */
static double local_seconds(const char *s)
{
    int y, mo, d, h, mi;
    double sec;
    if (sscanf(s, "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6 &&
        sscanf(s, "%d/%d/%d %d:%d:%lf", &mo, &d, &y, &h, &mi, &sec) != 6)
        return -1;
    return (d - 1) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
}

/* The file's text (the test fails if it is missing). */
static char *lab_file(const char *figure, const char *name)
{
    char *path = xasprintf("%s/%s/%s", lab_dir, figure, name);
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    free(path);
    return text;
}

static char *ini_value(const char *ini, const char *key)
{
    char *pattern = xasprintf("\n%s = ", key);
    const char *p = strstr(ini, pattern);
    ck_assert_msg(p != NULL, "run.ini has no '%s'", key);
    p += strlen(pattern);
    free(pattern);
    return xstrndup(p, strcspn(p, "\r\n"));
}

/* The probe log's time span of the loaded levels: from the first Busy
 * action to the last action. */
static void loaded_span(const char *figure, double *from, double *to)
{
    char *log = lab_file(figure, "probe.probe");
    *from = *to = -1;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        char *comma = strchr(line, ',');
        if (line[0] == '#' || !comma)
            continue;
        double t = local_seconds(line);
        if (t < 0)
            continue;
        if (*from < 0 && strncmp(comma + 1, "Busy,", 5) == 0)
            *from = t;
        *to = t;
    }
    free(log);
    ck_assert(*from > 0 && *to > *from);
}

/* The mean of the counter `path` in a PDH-CSV file over the rows whose
 * whole interval lies in [from, to]. */
static double counter_mean(const char *figure, const char *file, const char *path, double from,
                           double to)
{
    char *csv = lab_file(figure, file);
    char *quoted = xasprintf("\"%s\"", path);
    char *save = NULL, *line = strtok_r(csv, "\n", &save);
    int col = -1, k = 0;
    for (char *f = line; f; f = strchr(f, ','), f = f ? f + 1 : NULL, k++)
        if (strncmp(f, quoted, strlen(quoted)) == 0)
            col = k;
    ck_assert_msg(col > 0, "%s has no counter %s", file, path);
    double sum = 0, prev = -1;
    int rows = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        double t = local_seconds(line + 1);
        const char *f = line;
        for (int i = 0; i < col && f; i++)
            f = strchr(f + 1, ',');
        ck_assert_ptr_nonnull(f);
        if (prev >= from && t <= to && f[2] != ' ') {
            sum += atof(f + 2);
            rows++;
        }
        prev = t;
    }
    ck_assert_int_ge(rows, 10);
    free(quoted);
    free(csv);
    return sum / rows;
}

/* "the task manager within the guest OS reports nearly 100% CPU
 * utilization in this situation. These measurements are taken on the
 * host OS." (the 50% constraint, overhead counted against it) */
START_TEST(test_paper_capped_guest_reports_nearly_100_percent_while_host_measures_the_cap)
{
    ck_assert_msg(!setup_error, "%s", setup_error ? setup_error : "");
    char *ini = lab_file("fig09", "run.ini");
    char *host = ini_value(ini, "host_counter"), *guest = ini_value(ini, "guest_counter");
    char *host_file = xasprintf("host/%s-perfmon.csv", "VSHOST01");
    char *guest_file = xasprintf("guest/%s-perfmon.csv", "W2K-GUEST08");
    double from, to;
    loaded_span("fig09", &from, &to);
    double g = counter_mean("fig09", guest_file, guest, from, to);
    double h = counter_mean("fig09", host_file, host, from, to);
    /* Nearly 100% inside (at least 95%); the cap, 50% within 5 points,
     * on the host. */
    ck_assert_msg(g >= 95, "guest reports %.1f%%", g);
    ck_assert_msg(fabs(h - 50) <= 5, "host measures %.1f%%", h);
    /* Uncapped (fig 3), both sides agree within 10 points. */
    loaded_span("fig03", &from, &to);
    g = counter_mean("fig03", guest_file, guest, from, to);
    h = counter_mean("fig03", host_file, host, from, to);
    ck_assert_msg(fabs(g - h) <= 10, "uncapped: guest %.1f%%, host %.1f%%", g, h);
    /* The same through p3's own analysis, level by level. */
    for (int l = BUSY; l < LEVELS; l++) {
        const level_stats *capped = at("fig09", l), *free_run = at("fig03", l);
        ck_assert_msg(!isnan(capped->host_cpu) && !isnan(capped->guest_cpu),
                      "p3 stats has no CPU accounting for fig09");
        ck_assert_double_ge(capped->guest_cpu, 95);
        ck_assert_double_le(fabs(capped->host_cpu - 50), 5);
        ck_assert_double_le(fabs(free_run->guest_cpu - free_run->host_cpu), 10);
    }
    free(host_file), free(guest_file), free(host), free(guest), free(ini);
}
END_TEST

/* Result: "Adding Resource Management in the Guest OS alone significantly
 * helps, but cannot cure, poor performance due to strict load balancing
 * performed at the Host OS level." */
START_TEST(test_paper_priority_management_under_the_cap_helps_but_does_not_cure)
{
    for (int l = BUSY; l < LEVELS; l++) {
        /* Helps: at most a quarter of the capped guest's delay. */
        ck_assert_double_le(at("fig10", l)->mean, 0.25 * at("fig09", l)->mean);
        /* Does not cure: at least 1.5 times the uncapped managed guest's
         * delay, and at least 15% of the actions over 50 ms (where the
         * uncapped managed guest has under 10%). */
        ck_assert_double_ge(at("fig10", l)->mean, 1.5 * at("fig05", l)->mean);
        ck_assert_double_le(at("fig10", l)->b50, 85);
        ck_assert_double_ge(at("fig05", l)->b50, 90);
    }
}
END_TEST

/* ---- Figures 11 and 12: eight loaded guests ----------------------------- */

/* Result: "Dynamic Contention is preferred over Static Contention." */
START_TEST(test_paper_dynamic_contention_is_gentler_than_the_static_cap)
{
    /* Where the guest is loaded, at most 80% of the capped guest's delay. */
    for (int l = BUSY; l < LEVELS; l++)
        ck_assert_double_le(at("fig11", l)->mean, 0.8 * at("fig09", l)->mean);
    /* "shows performance degradation as we reach the limit". */
    ck_assert_double_ge(at("fig11", 5)->mean, 4 * at("fig11", 0)->mean);
}
END_TEST

/* Result: "With proper add-on tools, Virtual Server performance can nearly
 * rival that of real server performance." ("the fully loaded case compares
 * quite well with results of a fully loaded non-virtual system") */
START_TEST(test_paper_resource_management_under_contention_rivals_a_loaded_native_server)
{
    /* The fully loaded case no slower than the loaded native server, on
     * average and at the 95th percentile (the model's is in fact much
     * faster: the native server of fig 2 has no resource management). */
    ck_assert_double_le(at("fig12", 5)->mean, at("fig02", 5)->mean);
    ck_assert_double_le(at("fig12", 5)->p95, at("fig02", 5)->p95);
    /* And far better than the same contention without it. */
    for (int l = BUSY; l < LEVELS; l++)
        ck_assert_double_le(at("fig12", l)->mean, 0.1 * at("fig11", l)->mean);
}
END_TEST

Suite *paper_suite(void)
{
    Suite *s = suite_create("paper");
    TCase *tc = tcase_create("results");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, make_lab, free_lab);
    tcase_add_test(tc, test_paper_native_server_is_fast_at_low_load_and_slow_with_tails_when_busy);
    tcase_add_test(tc, test_paper_single_guests_degrade_earlier_than_native_with_less_variability);
    tcase_add_test(tc, test_paper_gsx_guest_resembles_virtual_server_guest);
    tcase_add_test(tc, test_paper_guest_priority_management_nearly_removes_the_loads_effect);
    tcase_add_test(tc, test_paper_host_resource_management_gains_100_to_200_ms_when_overloaded);
    tcase_add_test(tc,
                   test_paper_resource_management_in_host_and_guest_is_the_best_single_guest_case);
    tcase_add_test(tc, test_paper_static_cap_is_bad_already_at_medium);
    tcase_add_test(tc,
                   test_paper_capped_guest_reports_nearly_100_percent_while_host_measures_the_cap);
    tcase_add_test(tc, test_paper_priority_management_under_the_cap_helps_but_does_not_cure);
    tcase_add_test(tc, test_paper_dynamic_contention_is_gentler_than_the_static_cap);
    tcase_add_test(tc,
                   test_paper_resource_management_under_contention_rivals_a_loaded_native_server);
    suite_add_tcase(s, tc);
    return s;
}
