/* Analysis of load-test results end to end: levels from concurrency
 * (plateaus, ranges, requests in flight), ramp samples, failures counted as
 * errors and kept out of the delays, sub-results and transactions left out,
 * labels chosen for the probe, [levels] bindings of files, where every
 * sample went (placement), p3 labels, and a second analysis that changes
 * nothing. Each input is a small JMeter CSV written here, whose expected
 * figures follow from how it was written. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "image_fixture.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

#define T0 1764763200000LL /* 2025-12-03T12:00:00Z in ms */
static const char jtl_head[] =
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,"
    "failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n";

/* A growing JTL text. */
typedef struct jtl {
    char *text;
    size_t len, cap;
} jtl;

static void jtl_row(jtl *j, long long t_ms, int elapsed, const char *label, bool ok, int threads,
                    const char *message)
{
    char row[512];
    int n = snprintf(row, sizeof row, "%lld,%d,%s,%s,%s,T 1-1,text,%s,,100,10,%d,%d,,%d,0,0\n",
                     t_ms, elapsed, label, ok ? "200" : "500", message ? message : "OK",
                     ok ? "true" : "false", threads, threads, elapsed / 2);
    if (j->len + (size_t)n + 1 > j->cap) {
        j->cap = 2 * (j->len + (size_t)n) + 4096;
        j->text = xrealloc(j->text, j->cap);
    }
    memcpy(j->text + j->len, row, (size_t)n + 1);
    j->len += (size_t)n;
}

static void jtl_start(jtl *j)
{
    memset(j, 0, sizeof *j);
    j->cap = 4096;
    j->text = xmalloc(j->cap);
    j->len = strlen(jtl_head);
    memcpy(j->text, jtl_head, j->len + 1);
}

/* A step test: 5 users for 60 s (one sample a second, delays 10..69 ms),
 * a ramp of 6, 7, 8, 9 users (one sample each), then 10 users for 60 s
 * (delays 100..159 ms). */
static void step_test(jtl *j)
{
    jtl_start(j);
    for (int i = 0; i < 60; i++)
        jtl_row(j, T0 + 1000LL * i, 10 + i, "Search", true, 5, NULL);
    for (int k = 0; k < 4; k++)
        jtl_row(j, T0 + 60000LL + 1000LL * k, 500, "Search", true, 6 + k, NULL);
    for (int i = 0; i < 60; i++)
        jtl_row(j, T0 + 64000LL + 1000LL * i, 100 + i, "Search", true, 10, NULL);
}

/* Writes run/results.jtl (and run/run.ini when ini is not NULL) under a new
 * folder, reports on it with extra arguments, and opens the store. */
static sqlite3 *report(const char *tag, const char *text, const char *ini,
                       const char *const *extra, char **dir_out)
{
    char *dir = test_tmpdir(tag);
    char *run = xasprintf("%s/lab/run", dir), *file = xasprintf("%s/results.jtl", run);
    test_write_text(file, text);
    if (ini) {
        char *ini_path = xasprintf("%s/run.ini", run);
        test_write_text(ini_path, ini);
        free(ini_path);
    }
    char *out = xasprintf("%s/out", dir), *db_path = xasprintf("%s/out/p3.db", dir);
    char *marker = xasprintf("%s/.keep", out);
    test_write_text(marker, ""); /* makes the folder */
    free(marker);
    const char *args[16] = {"ingest", "--db", db_path, "--tz", "+00:00", run};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "ingest failed: %s", r.err);
    test_run_free(&r);
    const char *analyze[16] = {"analyze", "--db", db_path};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i]; i++)
        analyze[n++] = extra[i];
    r = test_p3(NULL, analyze);
    ck_assert_msg(r.status == 0, "analyze failed: %s", r.err);
    test_run_free(&r);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    free(run), free(file), free(out), free(db_path);
    if (dir_out)
        *dir_out = dir;
    else
        free(dir);
    return db;
}

static long long q_int(sqlite3 *db, const char *sql)
{
    return test_query_int(db, sql);
}

/* The first column of sql's first row in the store at db_path, as a number. */
static double query_double_at(const char *db_path, const char *sql)
{
    char *text = test_query_text_at(db_path, sql);
    ck_assert_msg(text != NULL, "no value for %s", sql);
    double v = strtod(text, NULL);
    free(text);
    return v;
}

/* `p3 ingest` of run into the store db, then `p3 analyze`, both required
 * to succeed; returns what analyze printed on stderr (caller frees). */
static char *ingest_and_analyze(const char *db, const char *run)
{
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_msg(r.status == 0, "ingest: %s", r.err);
    test_run_free(&r);
    const char *analyze[] = {"analyze", "--db", db, NULL};
    r = test_p3(NULL, analyze);
    ck_assert_msg(r.status == 0, "analyze: %s", r.err);
    char *err = r.err;
    r.err = NULL;
    test_run_free(&r);
    return err;
}

START_TEST(test_loadtest_plateaus_become_levels_and_the_ramp_is_left_out)
{
    jtl j;
    step_test(&j);
    char *dir;
    sqlite3 *db = report("plateaus", j.text, NULL, NULL, &dir);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM run_level"), 2);
    char *name = test_query_text(db, "SELECT name FROM run_level WHERE level = 0");
    ck_assert_str_eq(name, "5 users");
    free(name);
    name = test_query_text(db, "SELECT name FROM run_level WHERE level = 1");
    ck_assert_str_eq(name, "10 users");
    free(name);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 0"), 60);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 1"), 60);
    /* 10..69 ms: the mean is 39.5; 100..159 ms: 129.5. */
    ck_assert_double_eq_tol(test_query_double(db, "SELECT mean_ms FROM level_stats WHERE level = 0"),
                            39.5, 1e-9);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT mean_ms FROM level_stats WHERE level = 1"),
                            129.5, 1e-9);
    ck_assert_int_eq(q_int(db, "SELECT ramp FROM analysis"), 4);
    char *source = test_query_text(db, "SELECT level_source FROM level_stats WHERE level = 1");
    ck_assert_str_eq(source, "concurrency");
    free(source);
    /* Every sample has exactly one placement. */
    ck_assert_int_eq(q_int(db, "SELECT sum(last_sample - first_sample + 1) FROM placement"), 124);
    ck_assert_int_eq(q_int(db, "SELECT sum(last_sample - first_sample + 1) FROM placement WHERE "
                               "state = 'ramp'"),
                     4);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sample s WHERE NOT EXISTS (SELECT 1 FROM "
                               "placement p WHERE s.sample_id BETWEEN p.first_sample AND "
                               "p.last_sample)"),
                     0);
    sqlite3_close(db);
    /* Analysed again, nothing changes: the levels found are not inputs. */
    char *db_path = xasprintf("%s/out/p3.db", dir);
    const char *args[] = {"analyze", "--db", db_path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "analysed 0 runs") != NULL, "re-analysed: %s", r.out);
    test_run_free(&r);
    free(db_path);
    free(dir);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_levels_given_as_ranges_take_every_value_in_them)
{
    jtl j;
    step_test(&j);
    sqlite3 *db = report("ranges", j.text, "[run]\nlevels = 1-5, 6-10\nlevel_by = concurrency\n",
                         NULL, NULL);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 0"), 60);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 1"), 64);
    ck_assert_int_eq(q_int(db, "SELECT ramp FROM analysis"), 0);
    char *name = test_query_text(db, "SELECT name FROM run_level WHERE level = 1");
    ck_assert_str_eq(name, "6-10");
    free(name);
    sqlite3_close(db);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_failures_are_errors_kept_out_of_the_delays)
{
    jtl j;
    jtl_start(&j);
    /* 40 successes of 10..49 ms and 10 failures of 5000 ms, all at 3 users. */
    for (int i = 0; i < 50; i++)
        jtl_row(&j, T0 + 1000LL * i, i < 40 ? 10 + i : 5000, "Buy", i < 40, 3, NULL);
    sqlite3 *db = report("failures", j.text, NULL, NULL, NULL);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats"), 40);
    ck_assert_int_eq(q_int(db, "SELECT errors FROM level_stats"), 10);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT error_pct FROM level_stats"), 20.0, 1e-9);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT max_ms FROM level_stats"), 49.0, 1e-9);
    ck_assert_int_eq(q_int(db, "SELECT sum(last_sample - first_sample + 1) FROM placement WHERE "
                               "state = 'failed'"),
                     10);
    sqlite3_close(db);

    const char *include[] = {"--include-failures", NULL};
    db = report("failures-in", j.text, NULL, include, NULL);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats"), 50);
    ck_assert_int_eq(q_int(db, "SELECT errors FROM level_stats"), 10);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT error_pct FROM level_stats"), 20.0, 1e-9);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT max_ms FROM level_stats"), 5000.0, 1e-9);
    sqlite3_close(db);
    free(j.text);
}
END_TEST

/* Samplers with sub-results and transactions around them. */
static void with_transactions(jtl *j)
{
    jtl_start(j);
    for (int i = 0; i < 30; i++) {
        long long t = T0 + 1000LL * i;
        jtl_row(j, t, 100, "Home", true, 2, NULL);
        jtl_row(j, t, 40, "Home-0", true, 2, NULL);
        jtl_row(j, t, 30, "Home-1", true, 2, NULL);
        jtl_row(j, t + 200, 50, "Search", true, 2, NULL);
        jtl_row(j, t, 300, "Flow", true, 2,
                "\"Number of samples in transaction : 2, number of failing samples : 0\"");
    }
}

START_TEST(test_loadtest_sub_results_and_transactions_are_left_out_unless_asked)
{
    jtl j;
    with_transactions(&j);
    sqlite3 *db = report("roles", j.text, NULL, NULL, NULL);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats"), 60);
    ck_assert_int_eq(q_int(db, "SELECT excluded FROM analysis"), 90);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT mean_ms FROM level_stats"), 75.0, 1e-9);
    sqlite3_close(db);

    db = report("transactions", j.text, "[run]\nprobe = transactions\n", NULL, NULL);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats"), 30);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT mean_ms FROM level_stats"), 300.0, 1e-9);
    sqlite3_close(db);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_probe_labels_choose_the_labels_and_p3_labels_lists_all)
{
    jtl j;
    with_transactions(&j);
    char *dir;
    sqlite3 *db = report("labels", j.text, "[run]\nprobe_labels = Sea*\n", NULL, &dir);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats"), 30);
    ck_assert_double_eq_tol(test_query_double(db, "SELECT mean_ms FROM level_stats"), 50.0, 1e-9);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM label_stats"), 2);
    ck_assert_int_eq(q_int(db, "SELECT in_probe FROM label_stats WHERE label = 'Home'"), 0);
    ck_assert_int_eq(q_int(db, "SELECT in_probe FROM label_stats WHERE label = 'Search'"), 1);
    ck_assert_int_eq(q_int(db, "SELECT n FROM label_stats WHERE label = 'Home'"), 30);
    sqlite3_close(db);
    char *db_path = xasprintf("%s/out/p3.db", dir);
    const char *args[] = {"labels", "--db", db_path, "--format", "csv", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "run,level,label,in_probe,n,errors,error_pct,mean_ms,p50_ms,p95_ms\n"
                            "run,2 users,Home,0,30,0,0.0000,100.000,100.000,100.000\n"
                            "run,2 users,Search,1,30,0,0.0000,50.000,50.000,50.000\n");
    test_run_free(&r);
    /* --label on the command line wins over run.ini. */
    const char *again[] = {"analyze", "--db", db_path, "--label", "Home", NULL};
    r = test_p3(NULL, again);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    ck_assert_double_eq_tol(
        query_double_at(db_path, "SELECT mean_ms FROM level_stats"), 100.0, 1e-9);
    free(db_path);
    free(dir);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_in_flight_counts_requests_from_their_own_times)
{
    jtl j;
    jtl_start(&j);
    /* Pairs of overlapping requests every 10 s for 100 s (2 in flight),
     * then lone requests (1 in flight); allThreads always says 7. */
    for (int i = 0; i < 10; i++) {
        jtl_row(&j, T0 + 10000LL * i, 500, "A", true, 7, NULL);
        jtl_row(&j, T0 + 10000LL * i + 100, 500, "A", true, 7, NULL);
    }
    for (int i = 10; i < 20; i++)
        jtl_row(&j, T0 + 10000LL * i, 200, "A", true, 7, NULL);
    sqlite3 *db = report("inflight", j.text, "[run]\nlevels = 1, 2\nlevel_by = concurrency\n"
                                             "concurrency = in_flight\n",
                         NULL, NULL);
    /* The first of each pair starts alone (1), the second joins it (2). */
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 0"), 20);
    ck_assert_int_eq(q_int(db, "SELECT n FROM level_stats WHERE level = 1"), 10);
    sqlite3_close(db);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_levels_bind_to_files_with_underscores_for_spaces)
{
    char *dir = test_tmpdir("bindings");
    char *run = xasprintf("%s/lab/run", dir);
    for (int k = 0; k < 2; k++) {
        jtl j;
        jtl_start(&j);
        for (int i = 0; i < 20; i++)
            jtl_row(&j, T0 + 1000LL * i + 100000LL * k, k ? 200 : 20, "A", true, 0, NULL);
        char *file = xasprintf("%s/step%d.jtl", run, k);
        test_write_text(file, j.text);
        free(file);
        free(j.text);
    }
    char *ini = xasprintf("%s/run.ini", run);
    test_write_text(ini, "[run]\ntz = Z\n\n[levels]\nlight_load = step0.*\nheavy_load = step1.*\n");
    char *db_path = xasprintf("%s/p3.db", dir);
    free(ingest_and_analyze(db_path, run));
    char *name = test_query_text_at(db_path, "SELECT name FROM run_level WHERE level = 1");
    ck_assert_str_eq(name, "heavy load");
    free(name);
    ck_assert_double_eq(
        query_double_at(db_path, "SELECT mean_ms FROM level_stats WHERE level = 1"), 200);
    name = test_query_text_at(db_path, "SELECT level_source FROM level_stats WHERE level = 0");
    ck_assert_str_eq(name, "file");
    free(name);
    free(db_path), free(ini), free(run), free(dir);
}
END_TEST

START_TEST(test_loadtest_stats_csv_appends_error_columns)
{
    jtl j;
    jtl_start(&j);
    for (int i = 0; i < 4; i++)
        jtl_row(&j, T0 + 1000LL * i, 10, "A", i != 3, 1, NULL);
    char *dir;
    sqlite3 *db = report("statscsv", j.text, NULL, NULL, &dir);
    sqlite3_close(db);
    char *db_path = xasprintf("%s/out/p3.db", dir);
    const char *args[] = {"stats", "--db", db_path, "--format", "csv", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    const char *nl = strchr(r.out, '\n');
    ck_assert_ptr_nonnull(nl);
    ck_assert_msg(nl - r.out > 28 && strncmp(nl - 28, "errors,error_pct,approximate", 28) == 0,
                  "header: %.*s", (int)(nl - r.out), r.out);
    ck_assert_msg(strstr(r.out, ",1,25.0000,0\n") != NULL, "row: %s", r.out);
    test_run_free(&r);
    free(db_path);
    free(dir);
    free(j.text);
}
END_TEST

START_TEST(test_loadtest_run_ini_refuses_bad_values_at_their_lines)
{
    char *dir = test_tmpdir("badini");
    char *run = xasprintf("%s/run", dir), *ini = xasprintf("%s/run/run.ini", dir);
    char *file = xasprintf("%s/run/results.jtl", dir), *db = xasprintf("%s/p3.db", dir);
    jtl j;
    step_test(&j);
    test_write_text(file, j.text);
    test_write_text(ini, "[run]\nlevel_by = users\nprobe = all\nconcurrency = threads\n"
                         "plateau_seconds = 0\nfio_log = lat\n");
    const char *args[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 1);
    char *expected = xasprintf(
        "%s:2:1: error: bad level_by 'users': use auto, concurrency, probe, schedule or cpu\n"
        "%s:3:1: error: bad probe 'all': use samplers or transactions\n"
        "%s:5:1: error: bad plateau_seconds '0': expected seconds, more than 0\n"
        "%s: note: run not ingested: its run.ini has errors\n",
        ini, ini, ini, run);
    ck_assert_str_eq(r.err, expected);
    test_run_free(&r);
    free(expected), free(db), free(file), free(ini), free(run), free(dir), free(j.text);
}
END_TEST

/* fio's bandwidth and IOPS logs are counters, on the guest's side: one
 * value per line of these one-direction logs. */
START_TEST(test_loadtest_fio_bandwidth_and_iops_logs_are_counters)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("loadtest: ../shared/corpus not found; the fio counter case is left out\n");
        return;
    }
    char *dir = test_tmpdir("fiocounters");
    char *db = xasprintf("%s/p3.db", dir);
    static const char *const names[] = {"bw", "iops"};
    for (int k = 0; k < 2; k++) {
        char *path = xasprintf("%s/fio/fioplot_mx200_random-read-depth-16_%s.1.log", corpus,
                               names[k]);
        size_t len;
        char *text = test_read_file(path, &len);
        ck_assert_ptr_nonnull(text);
        long lines = 0;
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        const char *args[] = {"ingest", "--db", db, path, NULL};
        test_run r = test_p3(NULL, args);
        ck_assert_msg(r.status == 0, "%s", r.err);
        test_run_free(&r);
        char *sql = xasprintf("SELECT samples FROM counter WHERE name LIKE '%%%s'",
                              k ? "IOPS" : "KiB/s");
        char *samples = test_query_text_at(db, sql);
        ck_assert_int_eq(strtol(samples, NULL, 10), lines);
        free(samples), free(sql), free(text), free(path);
    }
    char *side = test_query_text_at(db, "SELECT group_concat(DISTINCT side) FROM counter_file");
    ck_assert_str_eq(side, "guest");
    free(side), free(db), free(dir), free(corpus);
}
END_TEST

/* A Linux guest's %steal (sadf -d) stands in for the ready time a host
 * would give: per level, the mean of the rows its samples ran in. */
START_TEST(test_loadtest_guest_steal_is_the_ready_time)
{
    char *dir = test_tmpdir("steal");
    char *run = xasprintf("%s/run", dir);
    char *probe = xasprintf("%s/probe.probe", run), *sadf = xasprintf("%s/guest/sadf.txt", run);
    /* Ten seconds at None, ten at Low; one sadf row a second, steal 2 % then 30 %. */
    char *log = xstrdup("# p3-probe 1\ntime,level,delay_ms\n");
    char *rows = xstrdup("# hostname;interval;timestamp;CPU;%usr;%nice;%sys;%iowait;%steal;"
                         "%irq;%soft;%guest;%gnice;%idle\n");
    for (int i = 0; i < 20; i++) {
        char *more = xasprintf("%s2025-12-03T12:00:%02d.500Z,%s,20\n", log, i, i < 10 ? "None" : "Low");
        free(log);
        log = more;
        more = xasprintf("%sguest01;1;2025-12-03 12:00:%02d UTC;-1;10.00;0.00;5.00;0.00;%s;0.00;"
                         "0.00;0.00;0.00;%s\n",
                         rows, i + 1, i < 10 ? "2.00" : "30.00", i < 10 ? "83.00" : "55.00");
        free(rows);
        rows = more;
    }
    test_write_text(probe, log);
    test_write_text(sadf, rows);
    char *ini = xasprintf("%s/run.ini", run);
    test_write_text(ini, "[run]\nguest = guest01\n");
    char *db = xasprintf("%s/p3.db", dir);
    char *notes = ingest_and_analyze(db, run);
    ck_assert_msg(strstr(notes, "ready time taken from the guest's steal time") != NULL, "%s",
                  notes);
    free(notes);
    ck_assert_double_eq_tol(query_double_at(db, "SELECT ready_pct FROM level_cpu WHERE level = 0"),
                            2.0, 1e-9);
    ck_assert_double_eq_tol(query_double_at(db, "SELECT ready_pct FROM level_cpu WHERE level = 1"),
                            30.0, 1e-9);
    char *counter = test_query_text_at(db, "SELECT ready_counter FROM analysis");
    ck_assert_ptr_nonnull(strstr(counter, "%steal"));
    /* The CPU chart draws it, with a legend that says whose it is. */
    char *charts = xasprintf("%s/charts", dir), *pdf = xasprintf("%s/charts/run/cpu.pdf", dir);
    const char *render[] = {"render", "--db", db, "-o", charts, "--charts", "cpu", "--format",
                            "pdf", NULL};
    test_run r = test_p3(NULL, render);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *text = image_fixture_pdf_text(pdf, false, "loadtest");
    if (text) {
        ck_assert_msg(strstr(text, "Ready time (the guest's own steal time)") != NULL, "%s", text);
        ck_assert_msg(strstr(text, "No CPU measurement") == NULL, "%s", text);
    }
    free(text), free(pdf), free(charts);
    free(counter), free(db), free(ini), free(log), free(rows), free(sadf), free(probe), free(run),
        free(dir);
}
END_TEST

/* The same from vmstat -t: its st column (the first row, the average since
 * boot, is left out). */
START_TEST(test_loadtest_vmstat_steal_is_the_ready_time)
{
    char *dir = test_tmpdir("vmstat-steal");
    char *run = xasprintf("%s/run", dir);
    char *probe = xasprintf("%s/probe.probe", run), *vm = xasprintf("%s/guest/vmstat.log", run);
    char *log = xstrdup("# p3-probe 1\ntime,level,delay_ms\n");
    char *rows = xstrdup(
        "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu----- "
        "-----timestamp-----\n"
        " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st"
        "                 UTC\n"
        " 0  0  16592 11289720 1659092 16500420    0    0     0     2    0    0  1  0 49  0 50"
        " 2025-12-03 12:00:00\n");
    for (int i = 0; i < 20; i++) {
        char *more = xasprintf("%s2025-12-03T12:00:%02d.500Z,%s,20\n", log, i, i < 10 ? "None" : "Low");
        free(log);
        log = more;
        int st = i < 10 ? 4 : 25;
        more = xasprintf("%s 0  0  16592 11289720 1659092 16500420    0    0     0     2  500  600"
                         " 10  5 %2d  0 %2d 2025-12-03 12:00:%02d\n",
                         rows, 85 - st, st, i + 1);
        free(rows);
        rows = more;
    }
    test_write_text(probe, log);
    test_write_text(vm, rows);
    char *db = xasprintf("%s/p3.db", dir);
    free(ingest_and_analyze(db, run));
    ck_assert_double_eq_tol(query_double_at(db, "SELECT ready_pct FROM level_cpu WHERE level = 0"),
                            4.0, 1e-9);
    ck_assert_double_eq_tol(query_double_at(db, "SELECT ready_pct FROM level_cpu WHERE level = 1"),
                            25.0, 1e-9);
    free(db), free(log), free(rows), free(vm), free(probe), free(run), free(dir);
}
END_TEST

START_TEST(test_concurrency_plateaus_keep_held_values_and_name_them)
{
    concurrency_point p[] = {{0, 5},           {1000000000, 5},  {30000000000, 6},
                             {30500000000, 10}, {60000000000, 10}, {90000000000, 10}};
    concurrency_levels l;
    concurrency_plateaus(p, 6, 0, NULL, 64, &l);
    ck_assert_uint_eq(l.count, 2);
    ck_assert_int_eq(l.lo[0], 5);
    ck_assert_int_eq(l.lo[1], 10);
    ck_assert_str_eq(l.names[1], "10 users");
    ck_assert_int_eq(concurrency_level_of(&l, 6), -1);
    concurrency_levels_clear(&l);
    /* One value only: a plateau however short. */
    concurrency_point one[] = {{0, 1}, {1000, 1}};
    concurrency_plateaus(one, 2, 0, "{n} threads", 64, &l);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(l.names[0], "1 threads");
    concurrency_levels_clear(&l);
    /* Too many: the longest-held stay, in ascending order. */
    concurrency_point many[] = {{0, 3}, {10000000000, 1}, {12000000000, 2}, {40000000000, 2}};
    concurrency_plateaus(many, 4, 1000000000, NULL, 2, &l);
    ck_assert_uint_eq(l.count, 2);
    ck_assert_int_eq(l.lo[0], 2);
    ck_assert_int_eq(l.lo[1], 3);
    ck_assert_uint_eq(l.dropped, 1);
    concurrency_levels_clear(&l);
}
END_TEST

START_TEST(test_concurrency_ranges_parse_and_refuse_overlaps)
{
    char *good[] = {"1-10", " 11 - 50", "51"};
    concurrency_levels l;
    const char *bad = NULL;
    ck_assert(concurrency_parse_ranges(good, 3, &l, &bad));
    ck_assert_int_eq(concurrency_level_of(&l, 50), 1);
    ck_assert_int_eq(concurrency_level_of(&l, 51), 2);
    ck_assert_int_eq(concurrency_level_of(&l, 52), -1);
    concurrency_levels_clear(&l);
    char *overlap[] = {"1-10", "10-20"};
    ck_assert(!concurrency_parse_ranges(overlap, 2, &l, &bad));
    ck_assert_str_eq(bad, "10-20");
    char *words[] = {"None", "Low"};
    ck_assert(!concurrency_parse_ranges(words, 2, &l, &bad));
    ck_assert_str_eq(bad, "None");
}
END_TEST

Suite *loadtest_suite(void)
{
    Suite *s = suite_create("loadtest");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_loadtest_plateaus_become_levels_and_the_ramp_is_left_out);
    tcase_add_test(tc, test_loadtest_levels_given_as_ranges_take_every_value_in_them);
    tcase_add_test(tc, test_loadtest_failures_are_errors_kept_out_of_the_delays);
    tcase_add_test(tc, test_loadtest_sub_results_and_transactions_are_left_out_unless_asked);
    tcase_add_test(tc, test_loadtest_probe_labels_choose_the_labels_and_p3_labels_lists_all);
    tcase_add_test(tc, test_loadtest_in_flight_counts_requests_from_their_own_times);
    tcase_add_test(tc, test_loadtest_levels_bind_to_files_with_underscores_for_spaces);
    tcase_add_test(tc, test_loadtest_stats_csv_appends_error_columns);
    tcase_add_test(tc, test_loadtest_run_ini_refuses_bad_values_at_their_lines);
    tcase_add_test(tc, test_loadtest_fio_bandwidth_and_iops_logs_are_counters);
    tcase_add_test(tc, test_loadtest_guest_steal_is_the_ready_time);
    tcase_add_test(tc, test_loadtest_vmstat_steal_is_the_ready_time);
    tcase_add_test(tc, test_concurrency_plateaus_keep_held_values_and_name_them);
    tcase_add_test(tc, test_concurrency_ranges_parse_and_refuse_overlaps);
    suite_add_tcase(s, tc);
    return s;
}
