/* The Excel workbook end to end: a store with awkward runs (a name that is
 * a formula, names too long or invalid for a sheet, levels placed by a
 * schedule, CPU counters, an empty level, a missing chart image) is
 * written with workbook_write() and read back by independent readers:
 * openpyxl and zipfile (tests/data/ref/check_workbook.py) against
 * `p3 stats --format json`, and LibreOffice, which recomputes every formula
 * from the Samples sheets. Then the failures: no half-written file, an old
 * workbook left as it was. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "analyze.h"
#include "counter_fixture.h"
#include "ingest.h"
#include "p3chart.h"
#include "render.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "workbook.h"
#include "xalloc.h"

/* Time 0 of the CPU run: 2005-03-01T10:00:00Z. */
#define T0 COUNTER_FIXTURE_T0

/* The run whose name is a formula; its title and host are formulas too. */
static const char formula_run[] = "=HYPERLINK(\"x\")";

/* The CPU run: probes every 5 s through None, Low, Medium; esxtop on the
 * host says the guest used 7, 30, 55 % of its vCPU, the guest says 2, 25,
 * 80 % (over-reporting at Medium). */
static void add_cpu_run(sqlite3 *db, const char *lab, diag_list *diags)
{
    char *run = xasprintf("%s/cpu-run", lab);
    char *path = xasprintf("%s/run.ini", run);
    test_write_text(path, "[run]\nhost = esx01\nguest = web01\n[cpu]\nvcpus = 1\n");
    free(path);
    char log[4096];
    size_t o = (size_t)snprintf(log, sizeof log, "# p3-probe 1\ntime,level,delay_ms\n");
    static const char *const names[] = {"None", "Low", "Medium"};
    for (int k = 0; k < 36; k++)
        o += (size_t)snprintf(log + o, sizeof log - o, "%lld,%s,%g\n", (long long)(T0 + 5 * k),
                              names[k / 12], (double[]){20, 300, 1200}[k / 12] + k % 3 + 0.125);
    path = xasprintf("%s/probe.probe", run);
    test_write_text(path, log);
    free(path);
    const char *paths[] = {run};
    ingest_totals totals;
    ck_assert_int_eq(ingest_paths(db, paths, 1, NULL, NULL, NULL, &totals, diags), STATUS_OK);

    static const double t[18] = {10, 20, 30, 40, 50, 60, 70, 80, 90,
                                 100, 110, 120, 130, 140, 150, 160, 170, 180};
    static const counter_fixture_counter esx[] = {
        {"\\\\esx01\\Group Cpu(100:web01)\\% Used", "esx01", "Group Cpu", "100:web01", "% Used"},
        {"\\\\esx01\\Group Cpu(100:web01)\\% Ready", "esx01", "Group Cpu", "100:web01", "% Ready"}};
    static const counter_fixture_counter own[] = {{"\\\\web01\\Processor(_Total)\\% Processor Time",
                                                   "web01", "Processor", "_Total",
                                                   "% Processor Time"}};
    double ev[36], gv[18];
    for (size_t r = 0; r < 18; r++) {
        int k = r < 6 ? 0 : r < 12 ? 1 : 2;
        ev[2 * r] = (double[]){7, 30, 55}[k] + (r == 1) - (r == 2);
        ev[2 * r + 1] = (double[]){1, 3, 9}[k];
        gv[r] = (double[]){2, 25, 80}[k];
    }
    counter_fixture_script host = {"esxtop", 2, 18, esx, t, ev};
    counter_fixture_store(db, "cpu-run", run, "esxtop.csv", &host, diags);
    counter_fixture_script guest = {"perfmon", 1, 18, own, t, gv};
    counter_fixture_store(db, "cpu-run", run, "guest.csv", &guest, diags);
    free(run);
}

/* ---- the fixture ---------------------------------------------------------- */

/* The store every test writes workbooks from, built once per run of the
 * suite (an unchecked fixture), and each test's own connection and folder. */
typedef struct fixture {
    char *dir;     /* the test's own folder for what it writes */
    sqlite3 *db;   /* its own connection to the shared store */
    diag_list *diags;
} fixture;

static char *store_dir, *store_path, *chart_dir;

static void write_in(const char *dir, const char *relative, const char *text)
{
    char *path = xasprintf("%s/%s", dir, relative);
    test_write_text(path, text);
    free(path);
}

/* lab-small (custom levels, an empty level, one sample, edges) and a lab of
 * awkward runs, analysed, with the charts drawn except beta's. */
static void build_store(void)
{
    store_dir = test_tmpdir("workbook-store");
    store_path = xasprintf("%s/p3.db", store_dir);
    chart_dir = xasprintf("%s/charts", store_dir);
    char *lab = xasprintf("%s/lab", store_dir);
    write_in(lab, "=HYPERLINK(\"x\")/run.ini",
             "[run]\ntitle = +SUM(1,2)\nhost = =1+1\nlevels = @one, -two, Third's\n");
    write_in(lab, "=HYPERLINK(\"x\")/a.probe",
             "# p3-probe 1\ntime,level,delay_ms\n1109671200,@one,10\n1109671201,-two,20\n"
             "1109671202,third's,30\n1109671203,@ONE,15.5\n");
    /* Levels from schedule.csv, and one sample no level covers. */
    write_in(lab, "sched/a.probe",
             "# p3-probe 1\ntime,delay_ms\n2005-03-01T10:00:01,10\n2005-03-01T10:00:02,12\n"
             "2005-03-01T10:10:01,300\n2005-03-01T10:10:02,320\n2005-03-01T10:30:00,999\n");
    write_in(lab, "sched/schedule.csv",
             "start,end,level\n2005-03-01T10:00:00,2005-03-01T10:10:00,None\n"
             "2005-03-01T10:10:00,2005-03-01T10:20:00,Low\n");
    /* An endurance line on a bucket edge, with samples on the edges: the
     * share over the line is a sum of bucket counts. */
    write_in(lab, "edge/run.ini",
             "[run]\nlevels = Low, High\n[analysis]\nbuckets = 100, 200, 300\n"
             "endurance_ms = 200\n");
    write_in(lab, "edge/a.probe",
             "# p3-probe 1\ntime,level,delay_ms\n1109671200,Low,100\n1109671201,Low,200\n"
             "1109671202,Low,150\n1109671203,High,200.5\n1109671204,High,350\n"
             "1109671205,High,300\n1109671206,High,50\n");
    /* Lone files naming runs whose names no sheet can carry as they are. */
    write_in(store_dir, "lone/q3.probe",
             "# p3-probe 1\n# run: Q3 [final]: web/db*? O'Brien's long run name\n"
             "time,level,delay_ms\n1109671200,None,5\n1109671201,Low,7\n1109671202,Low,9\n");
    write_in(store_dir, "lone/q3b.probe",
             "# p3-probe 1\n# run: Q3 [final]: web/db*? O'Brien's long run name, again\n"
             "time,level,delay_ms\n1109671200,None,6\n");
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(store_path, STORE_CREATE, &db, diags), STATUS_OK);
    char *small = test_source_path("tests/data/lab-small");
    char *q3 = xasprintf("%s/lone/q3.probe", store_dir);
    char *q3b = xasprintf("%s/lone/q3b.probe", store_dir);
    const char *paths[] = {small, lab, q3, q3b};
    ingest_totals totals;
    ck_assert_int_eq(ingest_paths(db, paths, 4, NULL, NULL, NULL, &totals, diags), STATUS_OK);
    free(small), free(q3), free(q3b);
    add_cpu_run(db, lab, diags);
    analyze_totals at;
    ck_assert_int_eq(analyze_store(db, NULL, NULL, NULL, &at, diags), STATUS_OK);
    render_options small_charts = {.formats = RENDER_PNG,
                                   .chart = {.width = 400, .height = 250},
                                   .sheet_image = true};
    ck_assert_int_eq(render_all(db, chart_dir, NULL, &small_charts, NULL, NULL, diags), STATUS_OK);
    char *beta = xasprintf("%s/beta/" RENDER_SHEET_IMAGE, chart_dir);
    ck_assert_int_eq(unlink(beta), 0);
    free(beta);
    store_close(db);
    diag_list_free(diags);
    free(lab);
}

static void free_store(void)
{
    free(store_dir), free(store_path), free(chart_dir);
}

static fixture fixture_new(void)
{
    fixture f = {.dir = test_tmpdir("workbook"), .diags = diag_list_new()};
    ck_assert_int_eq(store_open(store_path, STORE_WRITE, &f.db, f.diags), STATUS_OK);
    return f;
}

static void fixture_free(fixture *f)
{
    store_close(f->db);
    diag_list_free(f->diags);
    free(f->dir);
}

/* Writes the workbook; fails the test with the diagnostics otherwise. */
static char *write_book(fixture *f, const char *name, const workbook_options *opts)
{
    char *path = xasprintf("%s/%s", f->dir, name);
    diag_list_clear(f->diags);
    int status = workbook_write(f->db, path, opts, f->diags);
    if (status != STATUS_OK) {
        for (size_t i = 0; i < diag_list_count(f->diags); i++) {
            char *line = diag_format(diag_list_get(f->diags, i));
            fprintf(stderr, "%s\n", line);
            free(line);
        }
    }
    ck_assert_int_eq(status, STATUS_OK);
    return path;
}

/* ---- the independent readers ---------------------------------------------- */

/* Runs /usr/bin/python3 with args (its output goes to the test's, or
 * nowhere when quiet, or its stdout to the file out when not NULL);
 * returns its exit status. */
static int run_python_to(const char *const *args, bool quiet, const char *out)
{
    size_t argc = 0;
    while (args[argc])
        argc++;
    char **argv = xcalloc(argc + 2, sizeof *argv);
    argv[0] = (char *)"/usr/bin/python3";
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (quiet) {
            FILE *null = freopen("/dev/null", "w", stderr);
            (void)null;
        }
        if (out && !freopen(out, "w", stdout))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    int ws;
    ck_assert(waitpid(pid, &ws, 0) == pid);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static int run_python(const char *const *args, bool quiet)
{
    return run_python_to(args, quiet, NULL);
}

static bool have_openpyxl(void)
{
    const char *args[] = {"-c", "import openpyxl", NULL};
    if (access("/usr/bin/python3", X_OK) == 0 && run_python(args, true) == 0)
        return true;
    printf("workbook: /usr/bin/python3 cannot import openpyxl; the workbook is not read back "
           "(tools/deps.sh installs python3-openpyxl)\n");
    return false;
}

/* The LibreOffice program on PATH ("soffice" or "libreoffice"), or NULL. */
static const char *libreoffice_program(void)
{
    return test_have_program("soffice")       ? "soffice"
           : test_have_program("libreoffice") ? "libreoffice"
                                              : NULL;
}

/* Whether the recalculation checks can run: LibreOffice to recompute and
 * openpyxl to read the result. Called while the suite is built, outside any
 * test, so it asserts nothing; says what is missing. */
static bool can_recalculate(void)
{
    if (!libreoffice_program()) {
        printf("workbook: LibreOffice not installed; the recalculation checks are skipped "
               "(apt-get install libreoffice-calc, then make check)\n");
        return false;
    }
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") != 0) {
        printf("workbook: /usr/bin/python3 cannot import openpyxl; the recalculation checks are "
               "skipped (tools/deps.sh installs python3-openpyxl)\n");
        return false;
    }
    return true;
}

/* `p3 stats --format json` of the fixture's store, in a file. Caller frees. */
static char *stats_json(const fixture *f)
{
    const char *args[] = {"stats", "--db", store_path, "--format", "json", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "p3 stats: %s", r.err);
    char *path = xasprintf("%s/stats.json", f->dir);
    test_write_text(path, r.out);
    test_run_free(&r);
    return path;
}

/* The paper palette as the charts should carry it: "RRGGBB,...". */
static char *palette_hex(void)
{
    char *out = xstrdup("");
    for (size_t level = 0; level < 12; level++) {
        double rgb[3];
        p3chart_level_rgb(level, rgb);
        char *next = xasprintf("%s%s%02lX%02lX%02lX", out, level ? "," : "", lround(rgb[0] * 255),
                               lround(rgb[1] * 255), lround(rgb[2] * 255));
        free(out);
        out = next;
    }
    return out;
}

/* check_workbook.py read on book; rows is the Samples sheets' limit. */
static void read_back(const fixture *f, const char *book, long rows)
{
    char *script = test_source_path("tests/data/ref/check_workbook.py");
    char *stats = stats_json(f), *palette = palette_hex();
    char *rows_text = xasprintf("%ld", rows);
    const char *args[] = {script, "read", book, "--stats", stats, "--charts", chart_dir,
                          "--version", P3_VERSION, "--lab", "lab, lab-small", "--rows",
                          rows_text, "--missing-image", "beta", "--palette", palette,
                          "--text-run", formula_run, NULL};
    ck_assert_msg(run_python(args, false) == 0, "check_workbook.py read %s failed", book);
    free(script), free(stats), free(palette), free(rows_text);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_workbook_reads_back_equal_to_p3_stats_with_charts_image_and_text_kept_as_text)
{
    fixture f = fixture_new();
    workbook_options opts = {.chart_dir = chart_dir};
    char *book = write_book(&f, "p3.xlsx", &opts);
    /* Beta's chart is missing: said, not fatal. */
    ck_assert_uint_eq(diag_list_errors(f.diags), 0);
    struct stat st;
    ck_assert_int_eq(stat(book, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    if (have_openpyxl())
        read_back(&f, book, 1048575);
    free(book);
    fixture_free(&f);
}
END_TEST

START_TEST(test_workbook_spans_samples_sheets_with_formulas_over_every_part)
{
    fixture f = fixture_new();
    /* Five samples a sheet: alpha's Idle (6) and beta's Maximum (20) span
     * sheets, the rest start a sheet of their own when they do not fit. */
    workbook_options opts = {.chart_dir = chart_dir, .samples_sheet_rows = 5};
    char *book = write_book(&f, "small.xlsx", &opts);
    if (have_openpyxl()) {
        read_back(&f, book, 5);
        /* Beta's Maximum: 20 samples over at least 4 sheets, n and the mean
         * summed over the parts, the percentiles p3's own. */
        const char *args[] = {
            "-c",
            "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['beta'];"
            "row=[r for r in ws.iter_rows() if r[0].value=='Maximum'][0];"
            "n=row[1].value; mean=row[2].value;"
            "parts=n.count('COUNTIFS('); assert parts>=4 and n.count('+')==parts-1, n;"
            "assert mean.startswith('=(SUMIFS(') and mean.count('SUMIFS(')==parts, mean;"
            "assert not str(row[5].value).startswith('='), row[5].value;"
            "assert 'span sheets' in row[12].value, row[12].value",
            book, NULL};
        ck_assert_int_eq(run_python(args, false), 0);
    }
    free(book);
    fixture_free(&f);
}
END_TEST

START_TEST(test_workbook_formulas_recompute_in_libreoffice_to_p3s_values)
{
    const char *soffice = libreoffice_program();
    ck_assert_ptr_nonnull(soffice); /* the suite adds this test only then */
    fixture f = fixture_new();
    workbook_options whole = {.chart_dir = chart_dir};
    workbook_options split = {.chart_dir = chart_dir, .samples_sheet_rows = 5};
    char *book = write_book(&f, "p3.xlsx", &whole), *small = write_book(&f, "small.xlsx", &split);
    char *script = test_source_path("tests/data/ref/check_workbook.py");
    char *work = xasprintf("%s/libreoffice", f.dir);
    const char *args[] = {script, "recalc", "--soffice", soffice, "--work", work, book, small,
                          NULL};
    ck_assert_msg(run_python(args, false) == 0, "LibreOffice does not compute p3's values");
    free(script), free(work), free(book), free(small);
    fixture_free(&f);
}
END_TEST

/* A load-test run levelled by concurrency, with failures, sub-results and
 * transactions left out: its Samples sheets follow analysis's placements,
 * so every level is re-checked by formulas that LibreOffice recomputes. */
START_TEST(test_workbook_rechecks_load_test_levels_in_libreoffice)
{
    const char *soffice = libreoffice_program();
    ck_assert_ptr_nonnull(soffice); /* the suite adds this test only then */
    char *dir = test_tmpdir("workbook-loadtest");
    char *out = xasprintf("%s/out", dir), *run = test_source_path("samples/loadtest/jmeter-csv");
    const char *report[] = {"report", "-o", out, run, NULL};
    test_run r = test_p3(NULL, report);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *book = xasprintf("%s/p3.xlsx", out);
    const char *levels[] = {
        "-c",
        "import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['jmeter-csv'];"
        "rows=[r for r in ws.iter_rows() if str(r[0].value).endswith(' users')];"
        "checked=[r[12].value for r in rows if str(r[12].value).startswith('formulas')];"
        "assert len(checked)>=4, [r[12].value for r in rows]",
        book, NULL};
    ck_assert_msg(run_python(levels, false) == 0, "the load-test levels are not re-checked");
    char *script = test_source_path("tests/data/ref/check_workbook.py");
    char *work = xasprintf("%s/libreoffice", dir);
    const char *args[] = {script, "recalc", "--soffice", soffice, "--work", work, book, NULL};
    ck_assert_msg(run_python(args, false) == 0, "LibreOffice does not compute p3's values");
    free(script), free(work), free(book), free(run), free(out), free(dir);
}
END_TEST

/* Whether dir holds a file whose name contains part. */
static bool dir_has(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d));)
        found |= strstr(e->d_name, part) != NULL;
    closedir(d);
    return found;
}

static bool first_error_says(diag_list *diags, const char *path, const char *text)
{
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        const diag *d = diag_list_get(diags, i);
        if (d->severity == DIAG_ERROR && d->path && strcmp(d->path, path) == 0 &&
            strstr(d->message, text))
            return true;
    }
    return false;
}

static int failing_sheet(void *ctx, sqlite3 *db, struct lxw_workbook *book,
                         struct lxw_worksheet *sheet, diag_list *diags)
{
    (void)ctx, (void)db, (void)book;
    ck_assert_int_eq(worksheet_write_string(sheet, 0, 0, "half a comparison", NULL), LXW_NO_ERROR);
    diag_add(diags, DIAG_ERROR, NULL, 0, 0, "comparison failed");
    return STATUS_FAILURE;
}

START_TEST(test_workbook_failure_leaves_no_file_and_the_old_workbook_as_it_was)
{
    fixture f = fixture_new();
    /* A folder that does not exist. */
    char *nowhere = xasprintf("%s/missing/p3.xlsx", f.dir);
    ck_assert_int_eq(workbook_write(f.db, nowhere, NULL, f.diags), STATUS_FAILURE);
    ck_assert(first_error_says(f.diags, nowhere, "cannot write workbook: No such file"));
    /* A failure while writing: the old workbook stays, no temporary is left. */
    char *book = xasprintf("%s/out/p3.xlsx", f.dir);
    test_write_text(book, "the old workbook");
    workbook_sheet_hook hook = {"Compare", failing_sheet, NULL};
    workbook_options opts = {.compare = &hook};
    diag_list_clear(f.diags);
    ck_assert_int_eq(workbook_write(f.db, book, &opts, f.diags), STATUS_FAILURE);
    char *old = test_read_file(book, NULL);
    ck_assert_str_eq(old, "the old workbook");
    free(old);
    char *out = xasprintf("%s/out", f.dir);
    ck_assert(!dir_has(out, ".tmp-"));
    /* libxlsxwriter's own refusal, in its words. */
    workbook_sheet_hook bad = {"Compare [all]", failing_sheet, NULL};
    opts.compare = &bad;
    diag_list_clear(f.diags);
    ck_assert_int_eq(workbook_write(f.db, book, &opts, f.diags), STATUS_FAILURE);
    ck_assert(first_error_says(f.diags, book, "cannot write workbook: "));
    ck_assert(first_error_says(f.diags, book, "(writing the sheet 'Compare [all]')"));
    ck_assert(!dir_has(out, ".tmp-"));
    /* The final name taken by a folder: rename fails, nothing is left. */
    char *taken = xasprintf("%s/out/taken.xlsx", f.dir);
    ck_assert_int_eq(mkdir(taken, 0777), 0);
    char *inside = xasprintf("%s/keep", taken);
    test_write_text(inside, "x");
    diag_list_clear(f.diags);
    ck_assert_int_eq(workbook_write(f.db, taken, NULL, f.diags), STATUS_FAILURE);
    ck_assert(first_error_says(f.diags, taken, "cannot write workbook: "));
    ck_assert(!dir_has(out, ".tmp-"));
    free(inside), free(taken), free(out), free(book), free(nowhere);
    fixture_free(&f);
}
END_TEST

START_TEST(test_workbook_refuses_a_store_without_analysed_runs_or_an_unknown_run)
{
    char *dir = test_tmpdir("workbook-empty");
    char *db_path = xasprintf("%s/p3.db", dir), *book = xasprintf("%s/p3.xlsx", dir);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(db_path, STORE_CREATE, &db, diags), STATUS_OK);
    ck_assert_int_eq(workbook_write(db, book, NULL, diags), STATUS_BAD_INPUT);
    ck_assert_str_eq(diag_list_get(diags, 0)->message,
                     "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
    workbook_options opts = {.run_name = "gamma"};
    diag_list_clear(diags);
    ck_assert_int_eq(workbook_write(db, book, &opts, diags), STATUS_BAD_INPUT);
    ck_assert_str_eq(diag_list_get(diags, 0)->message, "no analysed run named 'gamma' in the store");
    ck_assert(!dir_has(dir, "xlsx"));
    store_close(db);
    diag_list_free(diags);
    free(db_path), free(book), free(dir);
}
END_TEST

START_TEST(test_workbook_sheet_names_are_valid_and_quoteable)
{
    static const struct {
        const char *run, *sheet;
    } cases[] = {
        {"fig09", "fig09"},
        {"a/b\\c[d]:e*f?g!h", "a_b_c_d__e_f_g!h"},
        /* Apostrophes stay, but for one at either end, which Excel refuses. */
        {"O'Brien's", "O'Brien's"},
        {"'quoted'", "\xE2\x80\x99quoted\xE2\x80\x99"},
        {"'", "\xE2\x80\x99"},
        {"012345678901234567890123456789'x", "012345678901234567890123456789\xE2\x80\x99"},
        {"history", "History (run)"},
        {"", "run"},
        {"tab\there", "tab_here"},
        {"bad \xFF byte", "bad \xEF\xBF\xBD byte"},
        /* 31 UTF-16 units: é is one, the emoji two. */
        {"0123456789012345678901234567890123456789", "0123456789012345678901234567890"},
        {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
         "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
         "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
         "\xF0\x9F\x98\x80",
         "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
         "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
         "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *name = workbook_sheet_name(cases[i].run);
        ck_assert_msg(strcmp(name, cases[i].sheet) == 0, "'%s' -> '%s', want '%s'", cases[i].run,
                      name, cases[i].sheet);
        free(name);
    }
}
END_TEST

static int compare_sheet(void *ctx, sqlite3 *db, struct lxw_workbook *book,
                         struct lxw_worksheet *sheet, diag_list *diags)
{
    (void)db, (void)book, (void)diags;
    ++*(int *)ctx;
    return worksheet_write_string(sheet, 0, 0, "runs compared", NULL) ? STATUS_FAILURE : STATUS_OK;
}

START_TEST(test_workbook_compare_hook_adds_its_sheet_after_the_runs)
{
    fixture f = fixture_new();
    int calls = 0;
    workbook_sheet_hook hook = {"Compare", compare_sheet, &calls};
    workbook_options opts = {.compare = &hook, .run_name = "alpha", .lab = "Lab =1"};
    char *book = write_book(&f, "compare.xlsx", &opts);
    ck_assert_int_eq(calls, 1);
    if (have_openpyxl()) {
        const char *args[] = {
            "-c",
            "import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1]);"
            "assert wb.sheetnames==['Summary','alpha','Compare','Samples'], wb.sheetnames;"
            "assert wb['Compare']['A1'].value=='runs compared';"
            "assert wb.properties.subject=='Lab =1', wb.properties.subject;"
            "assert any('not drawn' in str(c.value) for r in wb['alpha'].iter_rows() for c in r)",
            book, NULL};
        ck_assert_int_eq(run_python(args, false), 0);
    }
    free(book);
    fixture_free(&f);
}
END_TEST

/* ---- the sample limit ------------------------------------------------------ */

/* The samples the Samples sheets hold, counted in SQL apart from the
 * workbook's own planning: every sample of an analysed run's probe files. */
static long long store_samples(sqlite3 *db)
{
    return test_query_int(db, "SELECT count(*) FROM source_file f JOIN sample s ON s.sample_id "
                              "BETWEEN f.first_sample AND f.last_sample WHERE f.kind = 'probe' "
                              "AND f.run_id IN (SELECT run_id FROM analysis)");
}

/* check_workbook_counts.py's `sheets` of book: its sheet names, one a line,
 * then the Summary's note when it leaves the samples out. Caller frees. */
static char *sheets_of(const char *dir, const char *book)
{
    char *script = test_source_path("tests/data/ref/check_workbook_counts.py");
    char *out = xasprintf("%s/sheets.txt", dir);
    const char *args[] = {script, "sheets", book, NULL};
    ck_assert_msg(run_python_to(args, false, out) == 0, "check_workbook_counts.py sheets %s", book);
    char *text = test_read_file(out, NULL);
    ck_assert_ptr_nonnull(text);
    free(script), free(out);
    return text;
}

/* What the Summary says when a workbook of total samples has a limit one
 * less; total is small enough for its digits not to be grouped. */
static char *past_limit_note(long long total)
{
    return xasprintf("The Samples sheets are left out: this workbook would carry %lld samples, "
                     "more than its limit of %lld.",
                     total, total - 1);
}

START_TEST(test_workbook_carries_samples_up_to_its_limit_and_leaves_them_out_one_past_it)
{
    fixture f = fixture_new();
    long long total = store_samples(f.db);
    ck_assert(total > 1 && total < 1000);
    workbook_options usual = {.chart_dir = chart_dir};
    workbook_options at = {.chart_dir = chart_dir, .sample_limit = total};
    workbook_options past = {.chart_dir = chart_dir, .sample_limit = total - 1};
    char *book = write_book(&f, "p3.xlsx", &usual), *at_limit = write_book(&f, "at.xlsx", &at),
         *past_limit = write_book(&f, "past.xlsx", &past);
    /* At the limit: the workbook of every sample, part for part. */
    char *script = test_source_path("tests/data/ref/check_workbook_counts.py");
    const char *same[] = {script, "same", book, at_limit, NULL};
    ck_assert_msg(run_python(same, false) == 0, "at the limit the workbook is not as usual");
    char *at_sheets = sheets_of(f.dir, at_limit), *past_sheets = sheets_of(f.dir, past_limit);
    char *note = past_limit_note(total);
    ck_assert_msg(strstr(at_sheets, "\nSamples\n") && !strstr(at_sheets, "left out"),
                  "at the limit: %s", at_sheets);
    ck_assert_msg(!strstr(past_sheets, "\nSamples") && strstr(past_sheets, note),
                  "one past the limit: %s", past_sheets);
    free(note), free(at_sheets), free(past_sheets), free(script);
    free(book), free(at_limit), free(past_limit);
    fixture_free(&f);
}
END_TEST

START_TEST(test_workbook_past_its_limit_rechecks_what_bucket_counts_can_and_reads_back)
{
    fixture f = fixture_new();
    long long total = store_samples(f.db);
    workbook_options past = {.chart_dir = chart_dir, .sample_limit = total - 1};
    char *book = write_book(&f, "past.xlsx", &past);
    ck_assert_uint_eq(diag_list_errors(f.diags), 0);
    if (have_openpyxl()) {
        char *script = test_source_path("tests/data/ref/check_workbook_counts.py");
        char *stats = stats_json(&f);
        char *total_text = xasprintf("%lld", total), *limit_text = xasprintf("%lld", total - 1);
        const char *args[] = {script, "read", book, "--stats", stats, "--total", total_text,
                              "--limit", limit_text, "--text-run", formula_run, NULL};
        ck_assert_msg(run_python(args, false) == 0, "check_workbook_counts.py read %s failed",
                      book);
        free(script), free(stats), free(total_text), free(limit_text);
    }
    free(book);
    fixture_free(&f);
}
END_TEST

START_TEST(test_workbook_past_its_limit_count_formulas_recompute_in_libreoffice)
{
    fixture f = fixture_new();
    workbook_options none = {.chart_dir = chart_dir, .sample_limit = WORKBOOK_NO_SAMPLES};
    char *book = write_book(&f, "none.xlsx", &none);
    char *sheets = sheets_of(f.dir, book);
    ck_assert_msg(strstr(sheets, "asked to carry no samples (--workbook-samples 0)"), "%s", sheets);
    const char *soffice = test_have_program("soffice")       ? "soffice"
                          : test_have_program("libreoffice") ? "libreoffice"
                                                             : NULL;
    if (!soffice)
        printf("workbook: LibreOffice not installed; the recalculation of a workbook without "
               "samples is skipped (apt-get install libreoffice-calc, then make check)\n");
    if (soffice && have_openpyxl()) {
        char *script = test_source_path("tests/data/ref/check_workbook.py");
        char *work = xasprintf("%s/libreoffice", f.dir);
        const char *args[] = {script, "recalc", "--soffice", soffice, "--work", work, book, NULL};
        ck_assert_msg(run_python(args, false) == 0,
                      "LibreOffice does not compute p3's values from the bucket counts");
        free(script), free(work);
    }
    free(sheets), free(book);
    fixture_free(&f);
}
END_TEST

/* --workbook-samples on the command line of p3 render and p3 report. */
START_TEST(test_workbook_samples_option_reaches_the_workbook_and_refuses_what_is_no_count)
{
    char *dir = test_tmpdir("workbook-option");
    char *rendered = xasprintf("%s/render", dir), *reported = xasprintf("%s/report", dir);
    const char *render[] = {"render", "--db", store_path, "-o", rendered, "--format", "xlsx",
                            "--charts", "p3", "--size", "320x200", "--workbook-samples", "0",
                            NULL};
    test_run r = test_p3(NULL, render);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *small = test_source_path("tests/data/lab-small");
    const char *report[] = {"report", "-o", reported, "--charts", "p3", "--size", "320x200",
                            "--workbook-samples", "1", small, NULL};
    r = test_p3(NULL, report);
    ck_assert_msg(r.status == 0, "%s", r.err);
    test_run_free(&r);
    char *book = xasprintf("%s/p3.xlsx", rendered), *report_book = xasprintf("%s/p3.xlsx", reported);
    char *none = sheets_of(dir, book), *one = sheets_of(dir, report_book);
    ck_assert_msg(strstr(none, "asked to carry no samples") && !strstr(none, "\nSamples"), "%s",
                  none);
    ck_assert_msg(strstr(one, "more than its limit of 1.") && !strstr(one, "\nSamples"), "%s",
                  one);
    const char *bad[] = {"render", "--db", store_path, "-o", rendered, "--format", "xlsx",
                         "--workbook-samples", "-5", NULL};
    r = test_p3(NULL, bad);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_msg(strstr(r.err, "bad --workbook-samples '-5': use a whole number of samples, 0 "
                                "for none"),
                  "%s", r.err);
    test_run_free(&r);
    const char *bad_report[] = {"report", "-o", reported, "--workbook-samples", "1e6", small,
                                NULL};
    r = test_p3(NULL, bad_report);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_msg(strstr(r.err, "bad --workbook-samples '1e6'"), "%s", r.err);
    test_run_free(&r);
    free(none), free(one), free(book), free(report_book), free(small);
    free(rendered), free(reported), free(dir);
}
END_TEST

START_TEST(test_workbook_parse_sample_limit_takes_whole_numbers_only)
{
    static const struct {
        const char *text;
        bool ok;
        long long limit;
    } cases[] = {
        {"0", true, WORKBOOK_NO_SAMPLES}, {"1", true, 1},      {"1000000", true, 1000000},
        {"007", true, 7},                 {"", false, 0},      {"-1", false, 0},
        {"+5", false, 0},                 {"1e6", false, 0},   {" 5", false, 0},
        {"5 ", false, 0},                 {"1,000", false, 0}, {"99999999999999999999", false, 0},
    };
    char wrong[512] = "";
    size_t o = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        long long limit = 42;
        bool ok = workbook_parse_sample_limit(cases[i].text, &limit);
        if ((ok != cases[i].ok || limit != (ok ? cases[i].limit : 42)) && o < sizeof wrong)
            o += (size_t)snprintf(wrong + o, sizeof wrong - o, "'%s' -> %d, %lld; ", cases[i].text,
                                  ok, limit);
    }
    ck_assert_msg(o == 0, "%s", wrong);
}
END_TEST

Suite *workbook_suite(void)
{
    Suite *s = suite_create("workbook");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 180);
    tcase_add_unchecked_fixture(tc, build_store, free_store);
    tcase_add_test(tc, test_workbook_reads_back_equal_to_p3_stats_with_charts_image_and_text_kept_as_text);
    tcase_add_test(tc, test_workbook_spans_samples_sheets_with_formulas_over_every_part);
    /* Left out, with a message, when they could only pass unchecked. */
    if (can_recalculate()) {
        tcase_add_test(tc, test_workbook_formulas_recompute_in_libreoffice_to_p3s_values);
        tcase_add_test(tc, test_workbook_rechecks_load_test_levels_in_libreoffice);
    }
    tcase_add_test(tc, test_workbook_failure_leaves_no_file_and_the_old_workbook_as_it_was);
    tcase_add_test(tc, test_workbook_refuses_a_store_without_analysed_runs_or_an_unknown_run);
    tcase_add_test(tc, test_workbook_sheet_names_are_valid_and_quoteable);
    tcase_add_test(tc, test_workbook_compare_hook_adds_its_sheet_after_the_runs);
    tcase_add_test(tc, test_workbook_carries_samples_up_to_its_limit_and_leaves_them_out_one_past_it);
    tcase_add_test(tc, test_workbook_past_its_limit_rechecks_what_bucket_counts_can_and_reads_back);
    tcase_add_test(tc, test_workbook_past_its_limit_count_formulas_recompute_in_libreoffice);
    tcase_add_test(tc, test_workbook_samples_option_reaches_the_workbook_and_refuses_what_is_no_count);
    tcase_add_test(tc, test_workbook_parse_sample_limit_takes_whole_numbers_only);
    suite_add_tcase(s, tc);
    return s;
}
