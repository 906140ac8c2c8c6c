/* Ingest against a hostile but fair user (issue: ingest robustness):
 * a file that changed since it was stored is replaced or refused, never
 * kept twice (item 7); two labs with a run folder of the same name are
 * reported, and --run-name lab keeps them apart (item 8); a file that
 * changes while it is read is refused, never stored in part (item 9);
 * counter values whose sums would overflow are refused at their line and
 * column (item 10); every folder or file skipped gets a note: hidden names
 * such as "...", and a folder deleted while ingest runs (item 16). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "file_guard.h"
#include "ingest.h"
#include "sha256.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* ---- Helpers ------------------------------------------------------------ */

static test_run p3(const char *const *args)
{
    return test_p3(NULL, args);
}

/* The store's rows of every table that holds what a file put in, and the
 * rows left without their file, as one line: "source_file=2 sample=5 ...
 * orphans=0". Two stores that hold the same files give the same line. */
static char *table_counts(const char *db)
{
    static const char *const tables[] = {"source_file", "file_meta", "sample",
                                         "counter_file", "counter_row", "counter",
                                         "counter_chunk", "schedule", "aggregate",
                                         "aggregate_quantile"};
    char *line = xstrdup("");
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char *next = xasprintf("%s%s=%lld ", line, tables[i], test_count_rows(db, tables[i]));
        free(line);
        line = next;
    }
    long long orphans = test_query_int_at(
        db, "SELECT (SELECT count(*) FROM sample WHERE file_id NOT IN (SELECT file_id FROM "
            "source_file)) + (SELECT count(*) FROM file_meta WHERE file_id NOT IN (SELECT file_id "
            "FROM source_file)) + (SELECT count(*) FROM counter WHERE file_id NOT IN (SELECT "
            "file_id FROM source_file)) + (SELECT count(*) FROM counter_row WHERE file_id NOT IN "
            "(SELECT file_id FROM source_file)) + (SELECT count(*) FROM counter_file WHERE file_id "
            "NOT IN (SELECT file_id FROM source_file)) + (SELECT count(*) FROM counter_chunk WHERE "
            "counter_id NOT IN (SELECT counter_id FROM counter)) + (SELECT count(*) FROM schedule "
            "WHERE file_id NOT IN (SELECT file_id FROM source_file)) + (SELECT count(*) FROM "
            "aggregate WHERE file_id NOT IN (SELECT file_id FROM source_file)) + (SELECT count(*) "
            "FROM aggregate_quantile WHERE aggregate_id NOT IN (SELECT aggregate_id FROM "
            "aggregate))");
    char *all = xasprintf("%sorphans=%lld", line, orphans);
    free(line);
    return all;
}

/* The note a replaced file gets. Caller frees. */
static char *replaced_note(const char *path, size_t before, size_t now)
{
    return xasprintf("%s: note: replaced: the file changed since it was ingested (%zu bytes, now "
                     "%zu)\n",
                     path, before, now);
}

/* Every version of the files of one run folder: a probe log with metadata,
 * a schedule, a perfmon counter log and a Locust stats history, each
 * grown by a row in the second version. */
static const char probe_v1[] = "# p3-probe 1\n# build: 1\ntime,level,delay_ms\n"
                               "2005-03-01T10:00:00,None,10\n2005-03-01T10:00:01,None,20\n"
                               "2005-03-01T10:00:02,Low,30\n";
static const char probe_v2[] = "# p3-probe 1\n# build: 1\ntime,level,delay_ms\n"
                               "2005-03-01T10:00:00,None,10\n2005-03-01T10:00:01,None,20\n"
                               "2005-03-01T10:00:02,Low,30\n2005-03-01T10:00:03,Low,40\n"
                               "2005-03-01T10:00:04,Low,50\n";
static const char schedule_v1[] = "start,end,level\n2005-03-01T09:00:00,2005-03-01T09:10:00,None\n";
static const char schedule_v2[] = "start,end,level\n2005-03-01T09:00:00,2005-03-01T09:10:00,None\n"
                                  "2005-03-01T09:10:00,2005-03-01T09:20:00,Low\n";
static const char perfmon_v1[] = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Processor(_Total)\\% "
                                 "Processor Time\"\n"
                                 "\"03/01/2005 10:00:00.000\",\"10\"\n"
                                 "\"03/01/2005 10:00:01.000\",\"20\"\n";
static const char perfmon_v2[] = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Processor(_Total)\\% "
                                 "Processor Time\"\n"
                                 "\"03/01/2005 10:00:00.000\",\"10\"\n"
                                 "\"03/01/2005 10:00:01.000\",\"20\"\n"
                                 "\"03/01/2005 10:00:02.000\",\"30\"\n";
#define LOCUST_HEADER                                                                              \
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"        \
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"       \
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"               \
    "Total Average Content Size\n"
#define LOCUST_ROW(t, n)                                                                           \
    t ",10,,Aggregated,1.000000,0.000000,2100,2100,2100,2100,2100,2100,2100,2100,2100,2100,2100," \
    n ",0,2035.1,2049.5,2035.1,2057.0,8.0\n"
static const char locust_v1[] =
    LOCUST_HEADER LOCUST_ROW("1638784850", "10") LOCUST_ROW("1638784851", "20");
static const char locust_v2[] = LOCUST_HEADER LOCUST_ROW("1638784850", "10")
    LOCUST_ROW("1638784851", "20") LOCUST_ROW("1638784852", "30");

/* Writes version 1 or 2 of the run folder's files under run. */
static void write_run(const char *run, int version)
{
    char *probe = xasprintf("%s/a.probe", run), *schedule = xasprintf("%s/schedule.csv", run),
         *perfmon = xasprintf("%s/host/cpu.csv", run),
         *locust = xasprintf("%s/shop_stats_history.csv", run);
    test_write_text(probe, version == 1 ? probe_v1 : probe_v2);
    test_write_text(schedule, version == 1 ? schedule_v1 : schedule_v2);
    test_write_text(perfmon, version == 1 ? perfmon_v1 : perfmon_v2);
    test_write_text(locust, version == 1 ? locust_v1 : locust_v2);
    free(probe), free(schedule), free(perfmon), free(locust);
}

/* ---- Item 7: a file that changed since it was ingested ------------------ */

/* A probe log that grew is stored again in place of its old content, with
 * a note; analysis then recomputes the run. Before, its first rows were
 * stored twice. */
START_TEST(test_ingest_replaces_a_probe_log_that_grew)
{
    char *dir = test_tmpdir("robust-grew");
    char *run = xasprintf("%s/run1", dir), *db = xasprintf("%s/p3.db", dir);
    char *log = xasprintf("%s/a.probe", run);
    test_write_text(log, probe_v1);
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    const char *analyze[] = {"analyze", "--db", db, NULL};
    test_run r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    r = p3(analyze);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *digest_before = test_query_text_at(db, "SELECT input_digest FROM analysis");

    test_write_text(log, probe_v2);
    r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *want = replaced_note(log, sizeof probe_v1 - 1, sizeof probe_v2 - 1);
    ck_assert_str_eq(r.err, want);
    char *want_out = xasprintf("ingested 1 file (5 samples) into %s; 1 replaced its earlier "
                               "version\n",
                               db);
    ck_assert_str_eq(r.out, want_out);
    free(want_out);
    test_run_free(&r);
    char *stored = test_query_text_at(db, "SELECT count(*) || ' files, ' || sum(samples) || ' "
                                          "samples, ' || (SELECT count(*) FROM sample) || ' rows, "
                                          "size ' || sum(size) FROM source_file WHERE kind = "
                                          "'probe'");
    char *want_stored = xasprintf("1 files, 5 samples, 5 rows, size %zu", sizeof probe_v2 - 1);
    ck_assert_str_eq(stored, want_stored);

    /* The run's inputs changed: analysis does it again, on 5 samples. */
    r = p3(analyze);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "analysed 1 run (5 samples)") && !strstr(r.out, "unchanged"),
                  "%s", r.out);
    test_run_free(&r);
    char *digest_after = test_query_text_at(db, "SELECT input_digest FROM analysis");
    ck_assert_str_ne(digest_before, digest_after);
    ck_assert_int_eq(test_query_int_at(db, "SELECT sum(n) FROM level_stats"), 5);

    /* Ingested again unchanged: skipped as a copy, nothing replaced. */
    r = p3(ingest);
    ck_assert_msg(r.status == 0 && strstr(r.err, "already in the store") &&
                      !strstr(r.err, "replaced"),
                  "%s", r.err);
    test_run_free(&r);
    free(digest_before), free(digest_after), free(stored), free(want_stored), free(want);
    free(log), free(run), free(db), free(dir);
}
END_TEST

/* Replacing removes everything the old content put in: samples, file
 * metadata, counters with their rows and values, schedule intervals,
 * aggregates with their quantiles. The store ends as a fresh store of the
 * new files would be. */
START_TEST(test_ingest_replacing_leaves_the_store_as_a_fresh_ingest_would)
{
    char *dir = test_tmpdir("robust-replace-all");
    char *run = xasprintf("%s/run1", dir), *db = xasprintf("%s/p3.db", dir);
    char *fresh_db = xasprintf("%s/fresh.db", dir);
    write_run(run, 1);
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_run r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    write_run(run, 2);
    r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *probe = xasprintf("%s/a.probe", run), *schedule = xasprintf("%s/schedule.csv", run),
         *perfmon = xasprintf("%s/host/cpu.csv", run),
         *locust = xasprintf("%s/shop_stats_history.csv", run);
    char *n1 = replaced_note(probe, sizeof probe_v1 - 1, sizeof probe_v2 - 1);
    char *n2 = replaced_note(perfmon, sizeof perfmon_v1 - 1, sizeof perfmon_v2 - 1);
    char *n3 = replaced_note(schedule, sizeof schedule_v1 - 1, sizeof schedule_v2 - 1);
    char *n4 = replaced_note(locust, sizeof locust_v1 - 1, sizeof locust_v2 - 1);
    char *want = xasprintf("%s%s%s%s", n1, n2, n3, n4);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);

    const char *fresh[] = {"ingest", "--db", fresh_db, run, NULL};
    r = p3(fresh);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *replaced = table_counts(db), *expected = table_counts(fresh_db);
    ck_assert_str_eq(replaced, expected);
    free(replaced), free(expected), free(want), free(n1), free(n2), free(n3), free(n4);
    free(probe), free(schedule), free(perfmon), free(locust);
    free(fresh_db), free(run), free(db), free(dir);
}
END_TEST

/* --changed refuse: the changed file is an error, the store keeps what it
 * held, byte for byte, and p3 exits 1; a new version with errors is
 * rejected and the old content stays; --changed keep is not offered. */
START_TEST(test_ingest_refuses_a_changed_file_when_told_and_keeps_the_old_content)
{
    char *dir = test_tmpdir("robust-refuse");
    char *run = xasprintf("%s/run1", dir), *db = xasprintf("%s/p3.db", dir);
    char *log = xasprintf("%s/a.probe", run);
    test_write_text(log, probe_v1);
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_run r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *before = test_file_sha256(db, NULL);

    test_write_text(log, probe_v2);
    const char *refuse[] = {"ingest", "--db", db, "--changed", "refuse", run, NULL};
    r = p3(refuse);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s: error: the file changed since it was ingested (%zu bytes, now "
                           "%zu): the store keeps its old content (--changed refuse)\n",
                           log, sizeof probe_v1 - 1, sizeof probe_v2 - 1);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    char *after = test_file_sha256(db, NULL);
    ck_assert_str_eq(before, after);

    /* A new version that is broken: rejected, the old content stays. */
    test_write_text(log, "# p3-probe 1\ntime,level,delay_ms\n2005-03-01T10:00:00,None,oops\n");
    r = p3(ingest);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_msg(!strstr(r.err, "replaced"), "%s", r.err);
    test_run_free(&r);
    free(after);
    after = test_file_sha256(db, NULL);
    ck_assert_str_eq(before, after);

    const char *keep[] = {"ingest", "--db", db, "--changed", "keep", run, NULL};
    r = p3(keep);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_ptr_nonnull(strstr(r.err, "bad --changed 'keep': use replace or refuse"));
    test_run_free(&r);
    free(want), free(before), free(after), free(log), free(run), free(db), free(dir);
}
END_TEST

/* A changed run.ini replaces the description it gave: the run holds one
 * record of it, and going back to the first version takes effect again. */
START_TEST(test_ingest_replaces_a_changed_run_ini)
{
    char *dir = test_tmpdir("robust-ini");
    char *run = xasprintf("%s/run1", dir), *db = xasprintf("%s/p3.db", dir);
    char *ini = xasprintf("%s/run.ini", run), *log = xasprintf("%s/a.probe", run);
    test_write_text(log, probe_v1);
    static const char first[] = "[run]\ntitle = First\n", second[] = "[run]\ntitle = Second\n";
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_write_text(ini, first);
    test_run r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    test_write_text(ini, second);
    r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *note = replaced_note(ini, sizeof first - 1, sizeof second - 1);
    char *want = xasprintf("%s%s: note: already in the store as '%s'; skipped\n", note, log, log);
    ck_assert_str_eq(r.err, want);
    free(note);
    test_run_free(&r);
    test_write_text(ini, first);
    r = p3(ingest);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *got = test_query_text_at(db, "SELECT title || ' ' || (SELECT count(*) FROM source_file "
                                       "WHERE kind = 'run-ini') FROM run");
    ck_assert_str_eq(got, "First 1");
    free(got), free(want), free(ini), free(log), free(run), free(db), free(dir);
}
END_TEST

/* ---- Item 8: one run folder name in two labs ----------------------------- */

/* Writes <lab>/run1 with a run.ini titled title and a probe log. */
static void write_lab(const char *lab, const char *title, const char *log)
{
    char *ini = xasprintf("%s/run1/run.ini", lab), *probe = xasprintf("%s/run1/a.probe", lab);
    char *text = xasprintf("[run]\ntitle = %s\nhost = %s-host\n", title, title);
    test_write_text(ini, text);
    test_write_text(probe, log);
    free(text), free(ini), free(probe);
}

START_TEST(test_ingest_warns_when_two_labs_hold_a_run_folder_of_the_same_name)
{
    char *dir = test_tmpdir("robust-two-labs");
    char *lab_a = xasprintf("%s/labA", dir), *lab_b = xasprintf("%s/labB", dir);
    char *db = xasprintf("%s/p3.db", dir);
    write_lab(lab_a, "A", probe_v1);
    write_lab(lab_b, "B", probe_v2);
    const char *both[] = {"ingest", "--db", db, lab_a, lab_b, NULL};
    test_run r = p3(both);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *want = xasprintf("%s/run1: warning: run 'run1' is in two folders: %s/run1 and %s/run1; "
                           "their files are stored as one run; use --run-name lab to keep them "
                           "apart\n",
                           lab_b, lab_a, lab_b);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    ck_assert_int_eq(test_query_int_at(db, "SELECT count(*) FROM run"), 1);

    /* --run-name lab: two runs, each with its own description. */
    char *db2 = xasprintf("%s/lab.db", dir);
    const char *by_lab[] = {"ingest", "--db", db2, "--run-name", "lab", lab_a, lab_b, NULL};
    r = p3(by_lab);
    ck_assert_msg(r.status == 0 && strcmp(r.err, "") == 0, "%s", r.err);
    test_run_free(&r);
    char *runs = test_query_text_at(
        db2, "SELECT group_concat(name || ':' || title || ':' || host || ':' || (SELECT "
             "sum(samples) FROM source_file f WHERE f.run_id = run.run_id), ' ') FROM (SELECT * "
             "FROM run ORDER BY name) run");
    ck_assert_str_eq(runs, "labA/run1:A:A-host:3 labB/run1:B:B-host:5");
    /* A run folder named on its own is named after its lab all the same. */
    char *run_a = xasprintf("%s/run1", lab_a);
    const char *alone[] = {"ingest", "--db", db2, "--run-name", "lab", run_a, NULL};
    r = p3(alone);
    ck_assert_msg(r.status == 0 && !strstr(r.err, "warning"), "%s", r.err);
    test_run_free(&r);
    ck_assert_int_eq(test_query_int_at(db2, "SELECT count(*) FROM run"), 2);
    const char *bad[] = {"ingest", "--db", db2, "--run-name", "host", run_a, NULL};
    r = p3(bad);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_ptr_nonnull(strstr(r.err, "bad --run-name 'host': use folder or lab"));
    test_run_free(&r);
    free(run_a), free(runs), free(db2), free(want), free(db), free(lab_a), free(lab_b), free(dir);
}
END_TEST

/* The same run folder ingested twice, from the same place or by another
 * spelling of it, is one run, and nothing is said of two folders (the
 * files are only noted as copies). */
START_TEST(test_ingest_takes_the_same_run_folder_twice_silently)
{
    char *dir = test_tmpdir("robust-same-folder");
    char *lab = xasprintf("%s/labA", dir), *db = xasprintf("%s/p3.db", dir);
    char *other_spelling = xasprintf("%s/labA/./run1/", dir);
    write_lab(lab, "A", probe_v1);
    const char *twice[] = {"ingest", "--db", db, lab, lab, NULL};
    test_run r = p3(twice);
    ck_assert_msg(r.status == 0 && !strstr(r.err, "warning"), "%s", r.err);
    test_run_free(&r);
    const char *again[] = {"ingest", "--db", db, other_spelling, NULL};
    r = p3(again);
    ck_assert_msg(r.status == 0 && !strstr(r.err, "warning"), "%s", r.err);
    test_run_free(&r);
    ck_assert_int_eq(test_query_int_at(db, "SELECT count(*) FROM run"), 1);
    free(other_spelling), free(lab), free(db), free(dir);
}
END_TEST

/* ---- Item 9: a file that changes while it is read ----------------------- */

/* The stamp comparison itself, on a file changed between the opening of a
 * guard and its check: appended to, truncated, rewritten at the same size
 * with another time, replaced by another file; and a reader that took in
 * fewer bytes than the file holds. */
START_TEST(test_file_guard_sees_every_kind_of_change)
{
    char *dir = test_tmpdir("robust-guard");
    char *path = xasprintf("%s/f.probe", dir), *other = xasprintf("%s/g.probe", dir);
    const char ten[] = "0123456789";
    char outcome[8] = "";

    /* Unchanged, all bytes read: fine. */
    test_write_text(path, ten);
    diag_list *diags = diag_list_new();
    file_guard g;
    ck_assert_int_eq(file_guard_open(&g, path, diags), STATUS_OK);
    strcat(outcome, file_guard_check(&g, path, 10, diags) == STATUS_OK ? "k" : "x");
    file_guard_close(&g);
    ck_assert_int_eq((int)diag_list_count(diags), 0);

    /* Appended to. */
    file_guard_open(&g, path, diags);
    int fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "abcde", 5), 5);
    close(fd);
    strcat(outcome, file_guard_check(&g, path, 10, diags) == STATUS_BAD_INPUT ? "a" : "x");
    file_guard_close(&g);
    char *text = test_diag_text(diags, NULL);
    char *want = xasprintf("%s: error: the file changed while it was read (size 10, now 15): "
                           "nothing stored; ingest it again when it is complete\n",
                           path);
    ck_assert_str_eq(text, want);
    free(text), free(want);
    diag_list_clear(diags);

    /* Truncated. */
    file_guard_open(&g, path, diags);
    ck_assert_int_eq(truncate(path, 4), 0);
    strcat(outcome, file_guard_check(&g, path, 15, diags) == STATUS_BAD_INPUT ? "t" : "x");
    file_guard_close(&g);

    /* The same size, another modification time (to the nanosecond). */
    file_guard_open(&g, path, diags);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    times[1].tv_nsec = (times[1].tv_nsec + 1) % 1000000000L;
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    strcat(outcome, file_guard_check(&g, path, 4, diags) == STATUS_BAD_INPUT ? "m" : "x");
    file_guard_close(&g);

    /* Replaced by another file of the same size. */
    file_guard_open(&g, path, diags);
    test_write_text(other, "wxyz");
    ck_assert_int_eq(rename(other, path), 0);
    strcat(outcome, file_guard_check(&g, path, 4, diags) == STATUS_BAD_INPUT ? "r" : "x");
    file_guard_close(&g);

    /* The reader took in fewer bytes than the file holds. */
    file_guard_open(&g, path, diags);
    strcat(outcome, file_guard_check(&g, path, 3, diags) == STATUS_BAD_INPUT ? "b" : "x");
    file_guard_close(&g);

    ck_assert_str_eq(outcome, "katmrb");
    ck_assert_int_eq((int)diag_list_errors(diags), 4); /* after the first, cleared */
    diag_list_free(diags);
    free(path), free(other), free(dir);
}
END_TEST

/* The first lines of the big probe log; its rows follow. */
static const char grow_header[] = "# p3-probe 1\ntime,level,delay_ms\n";

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0;
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))); p++)
        n++;
    return n;
}

/* p3 ingests a large probe log while this process appends rows to it: the
 * file must end up stored whole at one version (its size, digest and
 * sample count all of the same prefix of what was written) or refused with
 * nothing stored, never in part. Before, the rows read and the digest
 * taken were of different versions. */
START_TEST(test_ingest_of_a_file_growing_during_the_read_is_whole_or_refused)
{
    char *dir = test_tmpdir("robust-growing");
    char *log = xasprintf("%s/run1/big.probe", dir), *db = xasprintf("%s/p3.db", dir);
    char *err_path = xasprintf("%s/stderr.txt", dir);
    test_write_text(log, grow_header);
    FILE *f = fopen(log, "a");
    ck_assert_ptr_nonnull(f);
    for (long i = 0; i < 1000000; i++) /* about 25 MB */
        fprintf(f, "%ld.%03ld,None,%ld.5\n", 1109671200 + i / 1000, i % 1000, 10 + i % 90);
    ck_assert_int_eq(fclose(f), 0);

    const char *bin = getenv("P3_BIN");
    ck_assert_ptr_nonnull(bin);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int out = open("/dev/null", O_WRONLY);
        if (err < 0 || out < 0)
            _exit(127);
        dup2(err, 2);
        dup2(out, 1);
        execl(bin, bin, "ingest", "--db", db, log, (char *)NULL);
        _exit(127);
    }
    /* Append a row every millisecond until p3 is done. */
    int fd = open(log, O_WRONLY | O_APPEND);
    ck_assert(fd >= 0);
    int wstatus = 0;
    long appended = 0, short_writes = 0;
    while (waitpid(pid, &wstatus, WNOHANG) != pid) {
        char row[64];
        int n = snprintf(row, sizeof row, "%ld.5,Low,%ld\n", 1109690000 + appended, appended % 100);
        short_writes += write(fd, row, (size_t)n) != n;
        appended++;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    close(fd);
    ck_assert_int_eq(short_writes, 0);
    ck_assert(WIFEXITED(wstatus));
    int status = WEXITSTATUS(wstatus);
    char *err = test_read_file(err_path, NULL);
    size_t len;
    char *final = test_read_file(log, &len);
    char *verdict;
    if (status == STATUS_BAD_INPUT) {
        char *prefix = xasprintf("%s: error: the file changed while it was read (size ", log);
        long long stored = test_count_rows(db, "sample") + test_count_rows(db, "source_file");
        /* The read may also have met a row cut in half by the writer. */
        verdict = xasprintf("%s", strstr(err, prefix) &&
                                          strstr(err, "): nothing stored; ingest it again when "
                                                      "it is complete\n") && stored == 0
                                      ? "refused"
                                      : err);
        free(prefix);
    } else if (status == STATUS_OK) {
        long long size = test_query_int_at(db, "SELECT size FROM source_file");
        long long samples = test_query_int_at(db, "SELECT samples FROM source_file");
        long long rows = test_count_rows(db, "sample");
        char *sha = test_query_text_at(db, "SELECT sha256 FROM source_file");
        sha256 ctx;
        char hex[65] = "";
        bool prefix_ok = size > 0 && (size_t)size <= len;
        if (prefix_ok) {
            sha256_init(&ctx);
            sha256_update(&ctx, final, (size_t)size);
            sha256_final_hex(&ctx, hex);
        }
        long long lines = prefix_ok ? (long long)count_lines(final, (size_t)size) - 2 : -1;
        bool whole = prefix_ok && strcmp(hex, sha) == 0 && samples == lines && rows == lines;
        verdict = whole ? xstrdup("whole")
                        : xasprintf("partial: size %lld, %lld samples, %lld rows, %lld lines in "
                                    "that size, digest %s",
                                    size, samples, rows, lines,
                                    prefix_ok && strcmp(hex, sha) == 0 ? "of that size"
                                                                       : "of another version");
        free(sha);
    } else {
        verdict = xasprintf("exit %d: %s", status, err);
    }
    ck_assert_msg(strcmp(verdict, "whole") == 0 || strcmp(verdict, "refused") == 0,
                  "%s (%ld rows appended)", verdict, appended);
    free(verdict), free(final), free(err), free(err_path), free(db), free(log), free(dir);
}
END_TEST

/* ---- Item 10: counter values out of range ------------------------------- */

/* want with every '@' replaced by path. Caller frees. */
static char *with_path(const char *want, const char *path)
{
    char *out = xstrdup("");
    for (const char *p = want; *p; p++) {
        char *next = *p == '@' ? xasprintf("%s%s", out, path) : xasprintf("%s%c", out, *p);
        free(out);
        out = next;
    }
    return out;
}

/* Ingests a file of the text given alone (beside a run.ini of ini, unless
 * NULL) into a new store: p3 must exit 1 with exactly want on stderr ('@'
 * standing for the file's path) and store nothing of it. */
static void assert_refused(const char *tag, const char *name, const char *text, const char *ini,
                           const char *want_at)
{
    char *dir = test_tmpdir(tag);
    char *path = xasprintf("%s/run1/%s", dir, name), *db = xasprintf("%s/p3.db", dir);
    test_write_text(path, text);
    if (ini) {
        char *ini_path = xasprintf("%s/run1/run.ini", dir);
        test_write_text(ini_path, ini);
        free(ini_path);
    }
    const char *args[] = {"ingest", "--db", db, path, NULL};
    test_run r = p3(args);
    char *want = with_path(want_at, path);
    ck_assert_msg(r.status == STATUS_BAD_INPUT && strcmp(r.err, want) == 0,
                  "exit %d\n got: %s\nwant: %s", r.status, r.err, want);
    test_run_free(&r);
    ck_assert_int_eq(test_count_rows(db, "counter") +
                         test_query_int_at(db, "SELECT count(*) FROM source_file WHERE kind <> "
                                               "'run-ini'"),
                     0);
    free(want), free(path), free(db), free(dir);
}

#define OUT_OF_RANGE(value) ": error: value out of range: '" value "': a counter value must " \
                            "lie between -1e100 and 1e100\n"

START_TEST(test_ingest_refuses_counter_values_whose_sums_would_overflow)
{
    assert_refused("robust-range-pdh", "cpu.csv",
                   "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Processor(_Total)\\% Processor Time\"\n"
                   "\"03/01/2005 10:00:00.000\",\"1e308\"\n"
                   "\"03/01/2005 10:00:01.000\",\"-1e308\"\n",
                   NULL,
                   "@:2:27: error: value out of range: '1e308': a counter value must lie between "
                   "-1e100 and 1e100\n"
                   "@:3:27: error: value out of range: '-1e308': a counter value must lie between "
                   "-1e100 and 1e100\n");
}
END_TEST

START_TEST(test_ingest_refuses_sysstat_and_virttop_values_out_of_range)
{
    assert_refused("robust-range-sadf", "sar.txt",
                   "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n"
                   "h1;60;2024-03-01 10:00:00 UTC;-1;10.00;1e308;5.00;1.00;0.50;83.50\n", NULL,
                   "@:2:40" OUT_OF_RANGE("1e308"));
    assert_refused("robust-range-pidstat", "pidstat.txt",
                   "Linux 5.15.0-91-generic (kvmhost01) \t03/01/24 \t_x86_64_\t(8 CPU)\n\n"
                   "#      Time   UID       PID    %usr %system  %guest   %wait    %CPU   CPU  "
                   "Command\n"
                   " 1709287200     0         1    0.00    0.00    1e308    0.00    0.00     6  "
                   "systemd\n",
                   NULL, "@:4:48" OUT_OF_RANGE("1e308"));
    assert_refused(
        "robust-range-virttop", "virt-top.csv",
        "Hostname,Time,Arch,Physical CPUs,Count,Running,Blocked,Paused,Shutdown,Shutoff,Crashed,"
        "Active,Inactive,%CPU,Total hardware memory (KB),Total memory (KB),Total guest memory "
        "(KB),Total CPU time (ns),Domain ID,Domain name,CPU (ns),%CPU,Mem (bytes),%Mem,Block "
        "RDRQ,Block WRRQ,Net RXBY,Net TXBY\n"
        "kvmhost01,10:00:00,x86_64,8,1,1,0,0,0,0,0,1,0,12.5,16303516,6291456,6291456,2000000000,"
        "1,web01,1500000000.,-1e300,4294967296,25,10,20,3000,4000\n",
        "[run]\ndate = 2024-03-01\ntz = +00:00\n",
        "@:2:108" OUT_OF_RANGE("-1e300"));
}
END_TEST

/* ---- Item 16: no folder skipped without a word ------------------------- */

START_TEST(test_ingest_notes_each_hidden_name_it_skips)
{
    /* A run folder named "..." (or any name starting with '.') is not read,
     * as before, but now says so; so does a hidden file in a run. */
    char *dir = test_tmpdir("hidden");
    static const char *const files[] = {"lab/run/a.probe", "lab/.../a.probe",
                                        "lab/.old/a.probe", "lab/run/.a.probe.swp"};
    for (size_t i = 0; i < 4; i++) {
        char *path = xasprintf("%s/%s", dir, files[i]);
        test_write_text(path, probe_v1);
        free(path);
    }
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, "lab", NULL};
    test_run r = test_p3(dir, args);
    ck_assert_msg(r.status == STATUS_OK, "exit %d, stderr:\n%s", r.status, r.err);
    ck_assert_str_eq(r.err, "lab/...: note: skipped: a hidden name (it starts with '.')\n"
                            "lab/.old: note: skipped: a hidden name (it starts with '.')\n"
                            "lab/run/.a.probe.swp: note: skipped: a hidden name (it starts "
                            "with '.')\n");
    ck_assert_int_eq(test_count_rows(db, "source_file"), 1);
    test_run_free(&r);
    free(db), free(dir);
}
END_TEST

/* After the first file p3 reads, deletes the run folder named by ctx. */
static void delete_folder_after_first_file(void *ctx, const char *path,
                                           const ingest_file_result *result, diag_list *diags)
{
    (void)path, (void)result, (void)diags;
    const char *folder = ctx;
    char *file = xasprintf("%s/a.probe", folder);
    if (access(folder, F_OK) == 0) {
        unlink(file);
        rmdir(folder);
    }
    free(file);
}

START_TEST(test_ingest_notes_a_run_folder_deleted_while_it_runs)
{
    /* Listed with the lab, gone by the time p3 comes to it: a note names
     * it (before, it was passed over without a word). */
    char *dir = test_tmpdir("deleted");
    char *a = xasprintf("%s/lab/a/a.probe", dir), *b = xasprintf("%s/lab/b/a.probe", dir);
    char *lab = xasprintf("%s/lab", dir), *b_folder = xasprintf("%s/lab/b", dir);
    char *db_path = xasprintf("%s/p3.db", dir);
    test_write_text(a, probe_v1);
    test_write_text(b, probe_v1);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(db_path, STORE_CREATE, &db, diags), STATUS_OK);
    ingest_totals totals;
    const char *paths[] = {lab};
    int status = ingest_paths(db, paths, 1, NULL, delete_folder_after_first_file, b_folder,
                              &totals, diags);
    store_close(db);
    ck_assert_int_eq(access(b_folder, F_OK), -1);
    char *expected = xasprintf("%s: note: skipped: %s", b_folder, strerror(ENOENT));
    bool noted = false;
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        char *msg = diag_format(diag_list_get(diags, i));
        noted |= strcmp(msg, expected) == 0;
        free(msg);
    }
    ck_assert_msg(noted, "no note '%s'", expected);
    ck_assert_int_eq(status, STATUS_OK);
    diag_list_free(diags);
    free(expected), free(a), free(b), free(lab), free(b_folder), free(db_path), free(dir);
}
END_TEST

Suite *ingest_robust_suite(void)
{
    Suite *s = suite_create("ingest_robust");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ingest_replaces_a_probe_log_that_grew);
    tcase_add_test(tc, test_ingest_replacing_leaves_the_store_as_a_fresh_ingest_would);
    tcase_add_test(tc, test_ingest_refuses_a_changed_file_when_told_and_keeps_the_old_content);
    tcase_add_test(tc, test_ingest_replaces_a_changed_run_ini);
    tcase_add_test(tc, test_ingest_warns_when_two_labs_hold_a_run_folder_of_the_same_name);
    tcase_add_test(tc, test_ingest_takes_the_same_run_folder_twice_silently);
    tcase_add_test(tc, test_file_guard_sees_every_kind_of_change);
    tcase_add_test(tc, test_ingest_of_a_file_growing_during_the_read_is_whole_or_refused);
    tcase_add_test(tc, test_ingest_refuses_counter_values_whose_sums_would_overflow);
    tcase_add_test(tc, test_ingest_refuses_sysstat_and_virttop_values_out_of_range);
    tcase_add_test(tc, test_ingest_notes_each_hidden_name_it_skips);
    tcase_add_test(tc, test_ingest_notes_a_run_folder_deleted_while_it_runs);
    suite_add_tcase(s, tc);
    return s;
}
