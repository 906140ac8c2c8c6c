/* Ingest of lab and run folders: good files go in beside bad ones, each
 * file all or nothing, the same bytes only once per run, run.ini applied,
 * lone files placed in the right run. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

static const char good_log[] = "# p3-probe 1\ntime,level,delay_ms\n"
                               "2005-03-01T10:00:00,None,10\n2005-03-01T10:00:01,Busy,700\n"
                               "2005-03-01T10:00:02,overload,1900\n";

static void assert_query(const char *db, const char *sql, const char *want)
{
    char *got = test_query_text_at(db, sql);
    ck_assert_msg(got && strcmp(got, want) == 0, "%s: got '%s', want '%s'", sql,
                  got ? got : "(null)", want);
    free(got);
}

static test_run ingest(const char *db, const char *path)
{
    const char *args[] = {"ingest", "--db", db, path, NULL};
    return test_p3(NULL, args);
}

START_TEST(test_ingest_stores_good_files_beside_a_bad_one)
{
    char *dir = test_tmpdir("ingest-mixed");
    char *lab = xasprintf("%s/lab", dir), *db = xasprintf("%s/p3.db", dir);
    char *p1 = xasprintf("%s/run1/good.probe", lab), *p2 = xasprintf("%s/run1/bad.probe", lab),
         *p3 = xasprintf("%s/run2/good.probe", lab), *p4 = xasprintf("%s/run2/notes.txt", lab);
    test_write_text(p1, good_log);
    /* Three good rows and one bad one: none of it may go in. */
    test_write_text(p2, "# p3-probe 1\ntime,level,delay_ms\n2005-03-01T10:00:00,None,1\n"
                        "2005-03-01T10:00:01,None,2\n2005-03-01T10:00:02,None,oops\n"
                        "2005-03-01T10:00:03,None,4\n");
    test_write_text(p3, good_log);
    test_write_text(p4, "lab notes, not data\n");
    test_run r = ingest(db, lab);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want_err = xasprintf("%s:5:26: error: bad delay 'oops': expected a number of "
                               "milliseconds\n%s: note: skipped: not a format p3 reads\n",
                               p2, p4);
    ck_assert_str_eq(r.err, want_err);
    char *want_out = xasprintf("ingested 2 files (6 samples) into %s; 1 rejected; 1 not a format "
                               "p3 reads\n",
                               db);
    ck_assert_str_eq(r.out, want_out);
    free(want_out);
    test_run_free(&r);
    assert_query(db, "SELECT group_concat(name) FROM (SELECT name FROM run ORDER BY name)",
                 "run1,run2");
    assert_query(db, "SELECT count(*) FROM sample", "6");
    assert_query(db, "SELECT count(*) FROM source_file WHERE path LIKE '%bad.probe'", "0");
    /* Levels are stored by position; 'overload' matched Overload. */
    assert_query(db, "SELECT group_concat(level) FROM sample WHERE file_id = 1", "0,3,5");
    free(want_err);
    free(p1), free(p2), free(p3), free(p4), free(lab), free(db), free(dir);
}
END_TEST

START_TEST(test_ingest_skips_content_already_in_the_run_and_leaves_the_store_unchanged)
{
    char *dir = test_tmpdir("ingest-dedup");
    char *run = xasprintf("%s/runA", dir), *db = xasprintf("%s/p3.db", dir);
    char *a = xasprintf("%s/a.probe", run), *copy = xasprintf("%s/sub/copy-of-a.probe", run);
    test_write_text(a, good_log);
    test_write_text(copy, good_log);
    test_run r = ingest(db, run);
    ck_assert_int_eq(r.status, 0);
    char *want = xasprintf("%s: note: already in the store as '%s'; skipped\n", copy, a);
    ck_assert_str_eq(r.err, want);
    ck_assert(strncmp(r.out, "ingested 1 file (3 samples) into ", 33) == 0);
    test_run_free(&r);
    char *before = test_file_sha256(db, NULL);
    r = ingest(db, run);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "ingested 0 files (0 samples)"));
    ck_assert_ptr_nonnull(strstr(r.out, "2 already stored"));
    test_run_free(&r);
    char *after = test_file_sha256(db, NULL);
    ck_assert_str_eq(before, after);
    assert_query(db, "SELECT count(*) || ' ' || sum(samples) FROM source_file", "1 3");
    free(want), free(before), free(after), free(a), free(copy), free(run), free(db), free(dir);
}
END_TEST

START_TEST(test_ingest_applies_run_ini_levels_and_description)
{
    char *dir = test_tmpdir("ingest-ini");
    char *run = xasprintf("%s/users", dir), *db = xasprintf("%s/p3.db", dir);
    char *ini = xasprintf("%s/run.ini", run), *log = xasprintf("%s/u.probe", run);
    test_write_text(ini, "; concurrent users\n[run]\ntitle = Terminal server, 10-50 users\n"
                         "host = TS01\nlevels = 10 users, 20 users, 50 users\nowner = lab team\n"
                         "[analysis]\nnote = kept\n");
    test_write_text(log, "# p3-probe 1\n# guest: G7\n# build: 42\ntime,level,delay_ms\n"
                         "2005-03-01T10:00:00,10 USERS,5\n2005-03-01T10:00:01,50 users,9\n");
    test_run r = ingest(db, run);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    assert_query(db, "SELECT title || '|' || host || '|' || guest FROM run",
                 "Terminal server, 10-50 users|TS01|G7");
    assert_query(db, "SELECT group_concat(name, '|') FROM (SELECT name FROM run_level ORDER BY level)",
                 "10 users|20 users|50 users");
    assert_query(db, "SELECT group_concat(key || '=' || value) FROM run_meta",
                 "analysis.note=kept,owner=lab team");
    assert_query(db, "SELECT value FROM file_meta WHERE key = 'build'", "42");
    assert_query(db, "SELECT group_concat(level) FROM sample", "0,2");
    /* Changing the levels of a run that has samples is refused. */
    test_write_text(ini, "[run]\nlevels = A, B\n");
    r = ingest(db, run);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s:2:1: error: levels differ from those the store already holds "
                           "samples of for run 'users'; ingest into a new store or rename the run\n",
                           ini);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    free(want), free(ini), free(log), free(run), free(db), free(dir);
}
END_TEST

START_TEST(test_ingest_rejects_a_broken_run_ini_and_its_run)
{
    char *dir = test_tmpdir("ingest-badini");
    char *run = xasprintf("%s/r", dir), *db = xasprintf("%s/p3.db", dir);
    char *ini = xasprintf("%s/run.ini", run), *log = xasprintf("%s/u.probe", run);
    test_write_text(ini, "[run]\ntitle = x\nthis line is wrong\nlevels = A, , B\n");
    test_write_text(log, good_log);
    test_run r = ingest(db, run);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s:3:1: error: expected 'key = value' or '[section]'\n"
                           "%s: note: run not ingested: its run.ini has errors\n",
                           ini, run);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    assert_query(db, "SELECT count(*) FROM run", "0");
    test_write_text(ini, "[run]\nlevels = A, , B\n");
    r = ingest(db, run);
    free(want);
    want = xasprintf("%s:2:1: error: bad levels: an empty level name\n", ini);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    free(want), free(ini), free(log), free(run), free(db), free(dir);
}
END_TEST

START_TEST(test_ingest_names_lone_files_by_run_key_or_folder)
{
    char *dir = test_tmpdir("ingest-lone");
    char *db = xasprintf("%s/p3.db", dir);
    char *named = xasprintf("%s/inbox/x.probe", dir), *plain = xasprintf("%s/inbox/y.probe", dir);
    test_write_text(named, "# p3-probe 1\n# run: host-A before patch\ntime,level,delay_ms\n"
                           "1109671200,Low,3\n");
    test_write_text(plain, good_log);
    test_run r = ingest(db, named);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    r = ingest(db, plain);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    assert_query(db, "SELECT group_concat(name, '|') FROM (SELECT name FROM run ORDER BY name)",
                 "host-A before patch|inbox");
    assert_query(db, "SELECT folder IS NULL FROM run WHERE name = 'inbox'", "1");
    free(named), free(plain), free(db), free(dir);
}
END_TEST

START_TEST(test_ingest_reports_missing_paths_and_empty_labs)
{
    char *dir = test_tmpdir("ingest-missing");
    char *db = xasprintf("%s/p3.db", dir), *empty = xasprintf("%s/empty-lab", dir);
    char *missing = xasprintf("%s/no-such-lab", dir);
    char *readme = xasprintf("%s/docs/readme.txt", empty);
    test_write_text(readme, "hello\n");
    free(readme);
    test_run r = ingest(db, missing);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s: error: cannot read: No such file or directory\n", missing);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    free(want);
    r = ingest(db, empty);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    want = xasprintf("%s/docs: note: skipped: no run data in this folder\n%s: error: no runs "
                     "found: expected probe logs, or folders of them, one per run\n",
                     empty, empty);
    ck_assert_str_eq(r.err, want);
    test_run_free(&r);
    free(want), free(missing), free(empty), free(db), free(dir);
}
END_TEST

/* Two links back to the run folder and a FIFO beside a probe log: each
 * folder is read once, the FIFO is skipped, and ingest ends (issue 14,
 * items 2 and 3: before, it walked about 2^40 paths, or blocked on the
 * FIFO for ever). A FIFO named on the command line is refused. */
START_TEST(test_ingest_skips_link_loops_and_files_that_are_not_regular)
{
    char *dir = test_tmpdir("loops");
    char *run = xasprintf("%s/run", dir), *probe = xasprintf("%s/run/a.probe", dir);
    test_write_text(probe, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,10\n");
    char *loop1 = xasprintf("%s/loop1", run), *loop2 = xasprintf("%s/loop2", run);
    char *fifo = xasprintf("%s/pipe", run), *db = xasprintf("%s/p3.db", dir);
    ck_assert_int_eq(symlink(".", loop1), 0);
    ck_assert_int_eq(symlink(".", loop2), 0);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    const char *args[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *expected = xasprintf("%s: note: skipped: a link to a folder already read (a loop)\n"
                               "%s: note: skipped: a link to a folder already read (a loop)\n"
                               "%s: note: skipped: not a regular file\n",
                               loop1, loop2, fifo);
    ck_assert_str_eq(r.err, expected);
    test_run_free(&r);
    char *stored = test_query_text_at(db, "SELECT group_concat(path) FROM source_file");
    ck_assert_str_eq(stored, probe);
    const char *named[] = {"ingest", "--db", db, fifo, NULL};
    r = test_p3(NULL, named);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(r.err, "not a regular file"));
    test_run_free(&r);
    free(stored), free(expected), free(db), free(fifo), free(loop2), free(loop1), free(probe),
        free(run), free(dir);
}
END_TEST

/* A schedule.csv with its header only is a schedule of no intervals: it is
 * stored, and the sanitizer build sees no qsort() of a NULL array (issue 14,
 * item 4). */
START_TEST(test_ingest_takes_a_header_only_schedule)
{
    char *dir = test_tmpdir("schedule-empty");
    char *probe = xasprintf("%s/run/a.probe", dir), *schedule = xasprintf("%s/run/schedule.csv", dir);
    char *run = xasprintf("%s/run", dir), *db = xasprintf("%s/p3.db", dir);
    test_write_text(probe, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,10\n");
    test_write_text(schedule, "start,end,level\n");
    const char *args[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    ck_assert_int_eq(test_query_int_at(db, "SELECT count(*) FROM source_file WHERE kind = "
                                           "'schedule'"),
                     1);
    ck_assert_int_eq(test_count_rows(db, "schedule"), 0);
    free(db), free(run), free(schedule), free(probe), free(dir);
}
END_TEST

Suite *ingest_suite(void)
{
    Suite *s = suite_create("ingest");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ingest_stores_good_files_beside_a_bad_one);
    tcase_add_test(tc, test_ingest_skips_content_already_in_the_run_and_leaves_the_store_unchanged);
    tcase_add_test(tc, test_ingest_applies_run_ini_levels_and_description);
    tcase_add_test(tc, test_ingest_rejects_a_broken_run_ini_and_its_run);
    tcase_add_test(tc, test_ingest_names_lone_files_by_run_key_or_folder);
    tcase_add_test(tc, test_ingest_reports_missing_paths_and_empty_labs);
    tcase_add_test(tc, test_ingest_skips_link_loops_and_files_that_are_not_regular);
    tcase_add_test(tc, test_ingest_takes_a_header_only_schedule);
    suite_add_tcase(s, tc);
    return s;
}
