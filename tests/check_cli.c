/* The command line: help and version, usage errors with exit 2, and the
 * main job (p3 report) on the bundled sample lab: twice, after a change,
 * and with one or several runs drawn at once. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

static test_run p3(const char *a, const char *b, const char *c)
{
    const char *args[] = {a, b, c, NULL};
    return test_p3(NULL, args);
}

START_TEST(test_cli_help_and_version_exit_0)
{
    test_run r = p3("--help", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "usage: p3 [--help] [--version] COMMAND [ARGS]\n", 46) == 0);
    for (const char *const *c = (const char *const[]){"ingest", "analyze", "stats", "render",
                                                      "report", NULL};
         *c; c++) {
        char *line = xasprintf("\n  %s", *c);
        ck_assert_msg(strstr(r.out, line), "--help does not list %s", *c);
        free(line);
    }
    test_run_free(&r);
    r = p3("--version", NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    char *want = xasprintf("p3 %s (store schema ", P3_VERSION);
    ck_assert(strncmp(r.out, want, strlen(want)) == 0);
    free(want);
    test_run_free(&r);
    test_run a = p3("help", "ingest", NULL), b = p3("ingest", "--help", NULL);
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(b.status, 0);
    ck_assert(strncmp(a.out, "usage: p3 ingest [--db FILE] [--tz +HH:MM] ", 43) == 0);
    ck_assert_str_eq(a.out, b.out);
    test_run_free(&a);
    test_run_free(&b);
}
END_TEST

START_TEST(test_cli_usage_errors_exit_2_with_a_usage_line)
{
    test_run r = p3("frobnicate", NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_str_eq(r.err, "p3: error: unknown command 'frobnicate'\n"
                            "usage: p3 [--help] [--version] COMMAND [ARGS]\n");
    test_run_free(&r);
    r = p3("stats", "--colour", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_str_eq(r.err, "p3 stats: error: unknown option '--colour'\nusage: p3 stats [--db "
                            "FILE] [--run NAME] [--format table|csv|json]\n");
    test_run_free(&r);
    r = p3("ingest", NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 ingest: error: no PATH to ingest\n", 36) == 0);
    test_run_free(&r);
    r = p3("render", "--db", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 render: error: option '--db' needs a value\n", 46) == 0);
    test_run_free(&r);
    r = p3(NULL, NULL, NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    test_run_free(&r);
    r = p3("help", "nope", NULL);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    test_run_free(&r);
}
END_TEST

START_TEST(test_cli_report_on_samples_summarises_each_run_and_is_idempotent)
{
    char *dir = test_tmpdir("report");
    char *out = xasprintf("%s/rep", dir), *lab = test_source_path("samples/lab");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report failed (%d): %s", r.status, r.err);
    /* Piped, there is no progress: nothing on stderr. */
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, "guest-msvs: 2400 samples, 6 levels, worst p95 "));
    ck_assert_ptr_nonnull(strstr(r.out, "native-server: 2400 samples, 6 levels, worst p95 "));
    test_run_free(&r);
    char *db = xasprintf("%s/p3.db", out), *png = xasprintf("%s/native-server/p3.png", out);
    char *db_before = test_file_sha256(db, NULL), *png_before = test_file_sha256(png, NULL);
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    char *db_after = test_file_sha256(db, NULL), *png_after = test_file_sha256(png, NULL);
    ck_assert_str_eq(db_before, db_after);
    ck_assert_str_eq(png_before, png_after);
    test_run_free(&r);
    free(db_before), free(db_after), free(png_before), free(png_after);
    free(db), free(png), free(out), free(lab), free(dir);
}
END_TEST

START_TEST(test_cli_report_goes_on_past_a_bad_file_and_exits_1)
{
    char *dir = test_tmpdir("report-bad");
    char *lab = xasprintf("%s/lab", dir), *out = xasprintf("%s/rep", dir);
    char *good = xasprintf("%s/r1/a.probe", lab), *bad = xasprintf("%s/r1/b.probe", lab);
    test_write_text(good, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,5\n");
    test_write_text(bad, "# p3-probe 1\ntime,level,delay_ms\n1109671200,None,5,6\n");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(r.err, "b.probe:3:19: error: expected 3 fields as in the header, "
                                        "found 4\n"));
    ck_assert_ptr_nonnull(strstr(r.out, "r1: 1 samples, 6 levels, worst p95 5.0 ms (None)\n"));
    test_run_free(&r);
    free(good), free(bad), free(lab), free(out), free(dir);
}
END_TEST

/* Every file under a folder with its modification time and size, one line
 * each, sorted: what a second report must leave as it was. */
static char *listing;

static int list_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F)
        return 0;
    char *line = xasprintf("%s%s %lld.%09ld %lld\n", listing, path, (long long)st->st_mtim.tv_sec,
                           st->st_mtim.tv_nsec, (long long)st->st_size);
    free(listing);
    listing = line;
    return 0;
}

static char *list_files(const char *dir)
{
    listing = xstrdup("");
    ck_assert_int_eq(nftw(dir, list_one, 16, FTW_PHYS), 0);
    return listing;
}

static char *mtime_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s is missing", path);
    return xasprintf("%lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* A copy of samples/lab that the test may change. */
static char *copy_lab(const char *dir)
{
    char *lab = xasprintf("%s/lab", dir), *src = test_source_path("samples/lab");
    char *cmd = xasprintf("cp -r '%s' '%s'", src, lab);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(src);
    return lab;
}

static void assert_same_file(const char *a, const char *b)
{
    char *ha = test_file_sha256(a, NULL), *hb = test_file_sha256(b, NULL);
    ck_assert_msg(ha && hb && strcmp(ha, hb) == 0, "%s and %s differ", a, b);
    free(ha);
    free(hb);
}

/* A second report of an unchanged lab rewrites no file; after one run
 * changes, its outputs and the combined ones are redone, the other run's
 * are left, and everything is as a cold report makes it. */
START_TEST(test_cli_report_redoes_only_what_changed)
{
    char *dir = test_tmpdir("report-again");
    char *lab = copy_lab(dir), *out = xasprintf("%s/rep", dir);
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    char *before = list_files(out);
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    char *after = list_files(out);
    ck_assert_msg(strcmp(before, after) == 0, "files changed:\nbefore:\n%s\nafter:\n%s", before,
                  after);

    char *guest_png = xasprintf("%s/guest-msvs/p3.png", out);
    char *native_png = xasprintf("%s/native-server/p3.png", out);
    char *pdf = xasprintf("%s/report.pdf", out), *book = xasprintf("%s/p3.xlsx", out);
    char *g0 = mtime_of(guest_png), *n0 = mtime_of(native_png), *p0 = mtime_of(pdf),
         *b0 = mtime_of(book);
    char *ini = xasprintf("%s/native-server/run.ini", lab);
    char *text = test_read_file(ini, NULL);
    char *changed = xasprintf("%s", text);
    char *title = strstr(changed, "title = ");
    ck_assert_ptr_nonnull(title);
    title[8] = 'Q'; /* a new title for the native server's charts */
    test_write_text(ini, changed);
    r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    char *g1 = mtime_of(guest_png), *n1 = mtime_of(native_png), *p1 = mtime_of(pdf),
         *b1 = mtime_of(book);
    ck_assert_str_eq(g0, g1);
    ck_assert_str_ne(n0, n1);
    ck_assert_str_ne(p0, p1);
    ck_assert_str_ne(b0, b1);
    /* The same bytes as a cold report of the changed lab. */
    char *cold = xasprintf("%s/cold", dir);
    const char *cold_args[] = {"report", "-o", cold, lab, NULL};
    r = test_p3(NULL, cold_args);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    const char *files[] = {"native-server/p3.png", "native-server/cdf.png", "guest-msvs/p3.png",
                           "report.pdf"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *a = xasprintf("%s/%s", out, files[i]), *b = xasprintf("%s/%s", cold, files[i]);
        assert_same_file(a, b);
        free(a);
        free(b);
    }
    free(g0), free(g1), free(n0), free(n1), free(p0), free(p1), free(b0), free(b1);
    free(cold), free(changed), free(text), free(ini), free(guest_png), free(native_png);
    free(pdf), free(book), free(before), free(after), free(out), free(lab), free(dir);
}
END_TEST

/* A pid that no process has: a child that has ended and been waited for. */
static long dead_pid(void)
{
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0)
        _exit(0);
    int wstatus;
    ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
    return (long)pid;
}

/* Temporaries a killed p3 left (kill -9 during the workbook) are removed by
 * the next report, even one that has nothing to redo; a live process's are
 * left alone. */
START_TEST(test_cli_report_removes_what_a_killed_p3_left)
{
    char *dir = test_tmpdir("report-stale");
    char *out = xasprintf("%s/rep", dir), *lab = test_source_path("samples/lab");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    long dead = dead_pid(), live = (long)getpid();
    char *stale_book = xasprintf("%s/p3.xlsx.tmp-%ld-Ab12Cd", out, dead);
    char *stale_png = xasprintf("%s/native-server/p3.png.tmp-%ld-zz09ZZ", out, dead);
    char *live_book = xasprintf("%s/p3.xlsx.tmp-%ld-Ab12Cd", out, live);
    char *other = xasprintf("%s/notes.tmp-%ld-Ab12Cd.txt", out, dead); /* not p3's naming */
    const char *files[] = {stale_book, stale_png, live_book, other};
    for (size_t i = 0; i < 4; i++)
        test_write_text(files[i], "");
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    ck_assert_msg(access(stale_book, F_OK) != 0, "%s is left", stale_book);
    ck_assert_msg(access(stale_png, F_OK) != 0, "%s is left", stale_png);
    ck_assert_msg(access(live_book, F_OK) == 0, "a live process's %s was removed", live_book);
    ck_assert_msg(access(other, F_OK) == 0, "%s was removed", other);
    free(stale_book), free(stale_png), free(live_book), free(other);
    free(out), free(lab), free(dir);
}
END_TEST

/* Runs drawn one at a time or four at a time give the same bytes. */
START_TEST(test_cli_report_bytes_do_not_depend_on_jobs)
{
    char *dir = test_tmpdir("report-jobs");
    char *lab = test_source_path("samples/lab");
    char *one = xasprintf("%s/j1", dir), *four = xasprintf("%s/j4", dir);
    const char *a1[] = {"report", "-j", "1", "-o", one, lab, NULL};
    const char *a4[] = {"report", "--jobs=4", "-o", four, lab, NULL};
    test_run r = test_p3(NULL, a1);
    ck_assert_msg(r.status == 0, "-j 1 failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    r = test_p3(NULL, a4);
    ck_assert_msg(r.status == 0, "-j 4 failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    const char *files[] = {"native-server/p3.png", "native-server/ladder.png",
                           "native-server/cdf.png", "native-server/cpu.png",
                           "guest-msvs/p3.png",    "guest-msvs/useful.png",
                           "guest-msvs/p3-sheet.png", "report.pdf", "p3.xlsx"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *a = xasprintf("%s/%s", one, files[i]), *b = xasprintf("%s/%s", four, files[i]);
        assert_same_file(a, b);
        free(a);
        free(b);
    }
    const char *bad[] = {"report", "-j", "0", "-o", one, lab, NULL};
    r = test_p3(NULL, bad);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_ptr_nonnull(strstr(r.err, "bad --jobs '0'"));
    test_run_free(&r);
    free(one), free(four), free(lab), free(dir);
}
END_TEST

/* Where s holds a byte that can drive a terminal (C0 other than a line's
 * newline, DEL, a C1 character U+0080..U+009F as UTF-8, or a lone byte
 * 0x80..0x9F), or -1. */
static long raw_control_at(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i]; i++) {
        bool c1 = p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] < 0xA0;
        bool lone = p[i] >= 0x80 && p[i] < 0xA0 && (i == 0 || p[i - 1] < 0xC0);
        if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7F || c1 || lone)
            return (long)i;
    }
    return -1;
}

/* Runs p3 with args and appends what it printed (both streams, labelled by
 * command) to *all; the exit status must be want. */
static void run_collecting(const char *const *args, int want, char **all)
{
    test_run r = test_p3(NULL, args);
    char *next = xasprintf("%s--- p3 %s: exit %d\n%s%s", *all, args[0], r.status, r.out, r.err);
    free(*all);
    *all = next;
    ck_assert_msg(r.status == want, "p3 %s: exit %d\n%s", args[0], r.status, r.err);
    test_run_free(&r);
}

/* A run folder, probe logs, a load-test file, a counter file and an output
 * folder whose names hold ESC [2J (clear the screen) and U+009B (CSI): no
 * raw control byte reaches the terminal from report, stats, labels,
 * counters, render or their messages; the names come out escaped. */
START_TEST(test_cli_prints_control_characters_in_names_escaped)
{
    static const char bad[] = "\033[2J\xC2\x9B";
    char *dir = test_tmpdir("cli-controls");
    char *run = xasprintf("%s/lab/run%s", dir, bad);
    char *src = test_source_path("tests/data/lab-small/beta/b.probe");
    char *probe = test_read_file(src, NULL);
    ck_assert_ptr_nonnull(probe);
    char *path = xasprintf("%s/b%s.probe", run, bad);
    test_write_text(path, probe);
    free(path), free(probe), free(src);
    src = test_source_path("samples/loadtest/jmeter-csv/results.jtl");
    char *jtl = test_read_file(src, NULL);
    ck_assert_ptr_nonnull(jtl);
    path = xasprintf("%s/res%s.jtl", run, bad);
    test_write_text(path, jtl);
    free(path), free(jtl), free(src);
    path = xasprintf("%s/perf%s.csv", run, bad);
    test_write_text(path, "\"(PDH-CSV 4.0) (Coordinated Universal Time)(0)\","
                          "\"\\\\web01\\Processor(_Total)\\% Processor Time\"\n"
                          "\"12/03/2025 12:00:05.000\",\"5\"\n"
                          "\"12/03/2025 12:00:10.000\",\"7\"\n");
    free(path);
    path = xasprintf("%s/notes%s.txt", run, bad); /* skipped with a note */
    test_write_text(path, "not a format p3 reads\n");
    free(path);
    char *lab = xasprintf("%s/lab", dir), *out = xasprintf("%s/out%s", dir, bad);
    char *db = xasprintf("%s/p3.db", out), *charts = xasprintf("%s/charts%s", dir, bad);
    char *all = xstrdup("");
    const char *report[] = {"report", "--charts", "p3", "--size", "320x200", "-o", out, lab, NULL};
    run_collecting(report, STATUS_OK, &all);
    const char *stats[] = {"stats", "--db", db, NULL};
    run_collecting(stats, STATUS_OK, &all);
    const char *json[] = {"stats", "--db", db, "--format", "json", NULL};
    run_collecting(json, STATUS_OK, &all);
    const char *labels[] = {"labels", "--db", db, NULL};
    run_collecting(labels, STATUS_OK, &all);
    const char *counters[] = {"counters", "--db", db, NULL};
    run_collecting(counters, STATUS_OK, &all);
    const char *render[] = {"render", "--db", db, "--charts", "p3", "--size", "320x200",
                            "--format", "png", "-o", charts, NULL};
    run_collecting(render, STATUS_OK, &all);
    const char *unknown[] = {"stats", "--db", db, "--run", bad, NULL};
    run_collecting(unknown, STATUS_BAD_INPUT, &all);
    /* The whole text goes to a file to read when this fails: Check's
     * messages are short. */
    char *printed = xasprintf("%s/printed.txt", dir);
    test_write_text(printed, all);
    long at = raw_control_at(all);
    ck_assert_msg(at < 0, "a raw control byte at offset %ld of what p3 printed: see %s", at,
                  printed);
    /* Printed, escaped: the names are there, every command said something. */
    ck_assert_msg(strstr(all, "run\\x1B[2J\\xC2\\x9B  ") &&
                      strstr(all, "notes\\x1B[2J\\xC2\\x9B.txt") &&
                      strstr(all, "wrote charts under ") && strstr(all, "Checkout"),
                  "the names are not printed escaped: see %s", printed);
    free(printed);
    free(all), free(charts), free(db), free(out), free(lab), free(run), free(dir);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_cli_help_and_version_exit_0);
    tcase_add_test(tc, test_cli_usage_errors_exit_2_with_a_usage_line);
    tcase_add_test(tc, test_cli_report_on_samples_summarises_each_run_and_is_idempotent);
    tcase_add_test(tc, test_cli_report_goes_on_past_a_bad_file_and_exits_1);
    tcase_add_test(tc, test_cli_report_redoes_only_what_changed);
    tcase_add_test(tc, test_cli_report_bytes_do_not_depend_on_jobs);
    tcase_add_test(tc, test_cli_report_removes_what_a_killed_p3_left);
    tcase_add_test(tc, test_cli_prints_control_characters_in_names_escaped);
    suite_add_tcase(s, tc);
    return s;
}
