/* The inputs the fuzz targets (tests/fuzz/) found breaking a reader, kept as
 * regression cases: tests/data/fuzz/<target>/<case>. Each goes through the
 * p3 binary as the target fed it to ingest: copied into a run folder under
 * the name the target gives its input (with the target's options and
 * companion file), then `p3 ingest --db <new store>`. Every case must end
 * in a clean exit (0, or 1 for a refused file; never a signal, a usage
 * error or an internal failure), a refusal must name where the problem is
 * (path:line:col or path:line, or a byte offset in a binary log), and a
 * refused file must leave nothing of itself in the store. Scenario cases
 * (tests/data/fuzz/scenario) are read by `p3 simulate` instead. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suites.h"
#include "testutil.h"
#include "textbuf.h"
#include "xalloc.h"

/* How each target presents its input to ingest (as tests/fuzz/fuzz_*.c). */
static const struct regress_target {
    const char *name;      /* the folder under tests/data/fuzz */
    const char *file_name; /* the input's name in its run folder */
    const char *option;    /* an ingest option the target gives, or NULL */
    const char *value;
    bool with_probe;       /* run.ini: a probe log beside it, the folder ingested */
} targets[] = {
    {"probe", "fuzz.probe", NULL, NULL, false},
    {"pdh", "perfmon.csv", NULL, NULL, false},
    {"sysstat", "sysstat.txt", NULL, NULL, false},
    {"virttop", "virttop.csv", "--date", "2024-03-01", false},
    {"vmstat", "vmstat.log", NULL, NULL, false},
    {"schedule", "schedule.csv", NULL, NULL, false},
    {"jtl_csv", "results.jtl", NULL, NULL, false},
    {"jtl_xml", "results.xml", NULL, NULL, false},
    {"k6", "k6.csv", NULL, NULL, false},
    {"gatling_text", "simulation.log", NULL, NULL, false},
    {"gatling_binary", "simulation.log", NULL, NULL, false},
    {"locust", "results_stats_history.csv", NULL, NULL, false},
    {"fio", "job_lat.1.log", NULL, NULL, false},
    {"fio_counters", "job_bw.1.log", NULL, NULL, false},
    {"hlog", "fuzz.hlog", "--unit", "us", false},
    {"run_ini", "run.ini", NULL, NULL, true},
};

/* The probe log the run.ini target ingests beside its input. */
static const char companion_probe[] = "# p3-probe 1\n"
                                      "# host: LABHOST01\n"
                                      "# guest: W2K-GUEST08\n"
                                      "time,level,delay_ms\n"
                                      "2005-03-01T10:00:00.981,None,13.444\n"
                                      "2005-03-01T10:00:02.087,Low,23.486\n"
                                      "1109671203.5,,17.856\n";

/* The tables a refused file must leave empty (the store is new). */
static const char *const file_tables[] = {"source_file", "file_meta",     "sample",
                                          "counter_file", "counter_row", "counter",
                                          "counter_chunk", "schedule",   "aggregate",
                                          "aggregate_quantile"};

/* Whether err holds "<path>:<line>[:<col>]: error:" or a binary log's
 * "<path>: error: ... at byte N", or a whole-file "no ..." error. */
static bool names_location(const char *err, const char *path)
{
    size_t n = strlen(path);
    for (const char *p = strstr(err, path); p; p = strstr(p + 1, path)) {
        const char *q = p + n;
        if (q[0] == ':' && q[1] >= '1' && q[1] <= '9')
            return true;
        if (strncmp(q, ": error: ", 9) == 0) {
            const char *eol = strchr(q, '\n');
            size_t len = eol ? (size_t)(eol - q) : strlen(q);
            char *line = xstrndup(q, len);
            bool whole = strstr(line, " at byte ") || strncmp(line + 9, "no ", 3) == 0 ||
                         strncmp(line + 9, "the gzip stream", 15) == 0 ||
                         strncmp(line + 9, "cannot decompress", 17) == 0;
            free(line);
            if (whole)
                return true;
        }
    }
    return false;
}

/* Runs one case; appends what went wrong to problems. */
static void run_case(const struct regress_target *t, const char *case_path, text_buf *problems)
{
    size_t len;
    char *bytes = test_read_file(case_path, &len);
    if (!bytes) {
        buf_printf(problems, "%s: cannot read\n", case_path);
        return;
    }
    char *dir = test_tmpdir("fuzz-regress");
    char *run = xasprintf("%s/run", dir);
    char *input = xasprintf("%s/%s", run, t->file_name);
    char *db = xasprintf("%s/p3.db", dir);
    test_write_file(input, bytes, len);
    if (t->with_probe) {
        char *probe = xasprintf("%s/probe.probe", run);
        test_write_text(probe, companion_probe);
        free(probe);
    }
    const char *args[8];
    size_t k = 0;
    args[k++] = "ingest";
    args[k++] = "--db";
    args[k++] = db;
    if (t->option) {
        args[k++] = t->option;
        args[k++] = t->value;
    }
    args[k++] = t->with_probe ? run : input;
    args[k] = NULL;
    test_run r = test_p3(NULL, args);
    if (r.status != 0 && r.status != 1) {
        buf_printf(problems, "%s: p3 ingest exited %d (a signal when -1)\n%s", case_path,
                       r.status, r.err ? r.err : "");
    } else if (r.status == 1) {
        const char *refused = t->with_probe ? run : input;
        if (!names_location(r.err, t->with_probe ? input : refused) &&
            !names_location(r.err, t->with_probe ? run : input))
            buf_printf(problems, "%s: refused without a location\n%s", case_path, r.err);
        /* A refused run.ini keeps its whole folder out; a refused data
         * file keeps itself out. */
        bool anything_stored = strstr(r.err, "run not ingested") == NULL && t->with_probe;
        for (size_t i = 0; i < sizeof file_tables / sizeof *file_tables && !anything_stored; i++)
            if (test_count_rows(db, file_tables[i]) != 0)
                buf_printf(problems, "%s: refused, yet %s holds %lld rows\n", case_path,
                               file_tables[i], test_count_rows(db, file_tables[i]));
    }
    test_run_free(&r);
    free(db);
    free(input);
    free(run);
    free(dir);
    free(bytes);
}

/* A scenario case: `p3 simulate` refuses it cleanly or simulates it. */
static void run_scenario(const char *case_path, text_buf *problems)
{
    char *dir = test_tmpdir("fuzz-regress-sim");
    char *out = xasprintf("%s/run", dir);
    const char *args[] = {"simulate", "-o", out, case_path, NULL};
    test_run r = test_p3(NULL, args);
    if (r.status != 0 && r.status != 1)
        buf_printf(problems, "%s: p3 simulate exited %d\n%s", case_path, r.status,
                       r.err ? r.err : "");
    else if (r.status == 1 && !names_location(r.err, case_path))
        buf_printf(problems, "%s: refused without a location\n%s", case_path, r.err);
    test_run_free(&r);
    free(out);
    free(dir);
}

/* Every case of one target folder; returns how many. */
static int run_folder(const char *name, const struct regress_target *t, text_buf *problems)
{
    char *rel = xasprintf("tests/data/fuzz/%s", name);
    char *folder = test_source_path(rel);
    DIR *d = opendir(folder);
    int cases = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", folder, e->d_name);
        if (t)
            run_case(t, path, problems);
        else
            run_scenario(path, problems);
        cases++;
        free(path);
    }
    if (d)
        closedir(d);
    free(folder);
    free(rel);
    return cases;
}

START_TEST(test_fuzz_regress_inputs_are_handled_cleanly)
{
    text_buf problems = {0};
    int cases = 0;
    char *root = test_source_path("tests/data/fuzz");
    DIR *d = opendir(root);
    struct dirent *e;
    /* A folder that no target owns would be a case nobody runs. */
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const struct regress_target *t = NULL;
        for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
            if (strcmp(targets[i].name, e->d_name) == 0)
                t = &targets[i];
        if (!t && strcmp(e->d_name, "scenario") != 0) {
            buf_printf(&problems, "tests/data/fuzz/%s: no fuzz target of that name\n",
                           e->d_name);
            continue;
        }
        cases += run_folder(e->d_name, t, &problems);
    }
    if (d)
        closedir(d);
    free(root);
    ck_assert_msg(problems.len == 0, "%d fuzz regression cases, problems:\n%s", cases,
                  problems.p);
    buf_free(&problems);
}
END_TEST

Suite *fuzz_regress_suite(void)
{
    Suite *s = suite_create("fuzz_regress");
    TCase *tc = tcase_create("regress");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fuzz_regress_inputs_are_handled_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
