/* The consulting report (DIR/report.pdf): its text (read back with
 * pdftotext, skipped with a note where it is missing) holds the lab's name,
 * the dates, every run, level and the numbers of the statistics tables;
 * fonts are embedded; the same store gives the same bytes; a long summary
 * breaks between rows and says it continues; runs with one level, empty
 * levels, one sample or everything in the overflow still make a report;
 * nothing to report is said clearly. Also the commands that write it:
 * p3 render --format and p3 report. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canvas.h"
#include "image_fixture.h"
#include "report_pdf.h"
#include "results_fixture.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* A fixture store of runs in a new folder; *dir set (caller frees both). */
static char *make_store(const fixture_run *runs, size_t count, char **dir)
{
    *dir = test_tmpdir("report");
    char *path = xasprintf("%s/p3.db", *dir);
    fixture_store(path, runs, count);
    return path;
}

/* Writes the report of the store at db_path to dir/name; returns the
 * status, with the first diagnostic in *message (caller frees) if any. */
static int write_report(const char *db_path, const char *dir, const char *name,
                        const report_pdf_options *opts, char **message)
{
    sqlite3 *db;
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(db_path, STORE_READ_ONLY, &db, diags), STATUS_OK);
    char *path = xasprintf("%s/%s", dir, name);
    int status = report_pdf_write(db, path, opts, diags);
    *message = diag_list_count(diags) ? diag_format(diag_list_get(diags, 0)) : NULL;
    store_close(db);
    diag_list_free(diags);
    free(path);
    return status;
}

static void write_ok(const char *db_path, const char *dir, const char *name,
                     const report_pdf_options *opts)
{
    char *message;
    int status = write_report(db_path, dir, name, opts, &message);
    ck_assert_msg(status == STATUS_OK, "report_pdf_write: %s", message ? message : "?");
    ck_assert_ptr_null(message);
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

START_TEST(test_report_pdf_text_has_lab_dates_runs_levels_and_statistics)
{
    fixture_run runs[2] = {fixture_default("native-server"), fixture_default("guest-msvs")};
    runs[0].title = "P3 Native Server: typical server, no virtualization";
    runs[0].folder = "labs/contoso/native-server";
    runs[1].folder = "labs/contoso/guest-msvs";
    runs[1].cpu = true;
    char *dir;
    char *db = make_store(runs, 2, &dir);
    write_ok(db, dir, "report.pdf", NULL);
    char *path = xasprintf("%s/report.pdf", dir);
    char *text = image_fixture_pdf_text(path, true, "report_pdf");
    if (text) {
        /* The cover: the lab named after the runs' common folder, the
         * dates of the data (run 2 starts a day after run 1), the counts. */
        ck_assert_msg(strstr(text, "contoso"), "%s", text);
        ck_assert_ptr_nonnull(strstr(text, "2005-03-01 to 2005-03-02"));
        ck_assert_ptr_nonnull(strstr(text, "4,800"));
        ck_assert_ptr_nonnull(strstr(text, "p3 " P3_VERSION));
        ck_assert_ptr_nonnull(strstr(text, "Summary of the runs"));
        ck_assert_ptr_nonnull(strstr(text, "Appendix: conventions"));
        ck_assert_ptr_nonnull(strstr(text, "PERCENTILE.INC"));
        ck_assert_ptr_nonnull(strstr(text, "P3 Native Server: typical server, no virtualization"));
        const char *levels[] = {"None", "Low", "Medium", "Busy", "Maximum", "Overload"};
        for (size_t j = 0; j < 6; j++)
            ck_assert_msg(count_of(text, levels[j]) >= 4, "%s too rarely in the report",
                          levels[j]);
        /* The statistics: p50 of level j is 20 + 300 j, p95 1.8 times it. */
        for (size_t j = 0; j < 6; j++) {
            char p50[32], p95[32];
            snprintf(p50, sizeof p50, "%.1f", fixture_p50(&runs[0], j));
            snprintf(p95, sizeof p95, "%.1f", 1.8 * fixture_p50(&runs[0], j));
            ck_assert_msg(strstr(text, p50), "no p50 %s in the report", p50);
            ck_assert_msg(count_of(text, p95) >= 2, "p95 %s not in summary and table", p95);
        }
        /* Onset: the first p95 over 1 s is Medium's (1.8 x 620 ms). */
        ck_assert_ptr_nonnull(strstr(text, "p95 over 1 s from Medium"));
        ck_assert_ptr_nonnull(strstr(text, "over-report"));
        /* guest-msvs has useful work: the summary sets the runs side by side. */
        ck_assert_ptr_nonnull(strstr(text, "p95 delay against useful work, every run"));
        ck_assert_ptr_nonnull(strstr(text, "Not shown, without host-side CPU measurement: "
                                           "native-server."));
        ck_assert_ptr_nonnull(strstr(text, "Page 2 of "));
        ck_assert_ptr_nonnull(strstr(text, "operator"));
        ck_assert_ptr_nonnull(strstr(text, "J. Doe"));
    }
    free(text);
    free(path);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_pdf_same_store_gives_same_bytes_with_fonts_embedded)
{
    fixture_run runs[2] = {fixture_default("a"), fixture_default("b")};
    runs[1].cpu = true;
    char *dir;
    char *db = make_store(runs, 2, &dir);
    write_ok(db, dir, "one.pdf", NULL);
    write_ok(db, dir, "two.pdf", NULL);
    char *one = xasprintf("%s/one.pdf", dir), *two = xasprintf("%s/two.pdf", dir);
    size_t len1, len2;
    char *bytes1 = test_read_file(one, &len1), *bytes2 = test_read_file(two, &len2);
    ck_assert_uint_gt(len1, 10000);
    ck_assert_uint_eq(len1, len2);
    ck_assert(memcmp(bytes1, bytes2, len1) == 0);
    ck_assert_ptr_null(strstr(bytes1, "/CreationDate"));
    free(bytes1);
    free(bytes2);
    if (test_have_program("pdffonts")) {
        char *out = xasprintf("%s/fonts.txt", dir);
        char *cmd = xasprintf("pdffonts '%s' > '%s'", one, out);
        ck_assert_int_eq(system(cmd), 0);
        char *fonts = test_read_file(out, NULL);
        /* After two header lines, one line per font; column "emb" says yes. */
        size_t lines = 0, embedded = 0;
        for (char *line = strtok(fonts, "\n"); line; line = strtok(NULL, "\n")) {
            if (++lines <= 2)
                continue;
            ck_assert_msg(strstr(line, "DejaVuSans"), "a font other than DejaVu Sans: %s", line);
            embedded += strstr(line, " yes ") != NULL;
            ck_assert_msg(strstr(line, " yes "), "font not embedded: %s", line);
        }
        ck_assert_uint_ge(embedded, 2);
        free(fonts);
        free(cmd);
        free(out);
    } else {
        printf("report_pdf: pdffonts not found, fonts not checked\n");
    }
    free(one);
    free(two);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_pdf_long_summary_breaks_between_rows)
{
    enum { RUNS = 70 };
    fixture_run runs[RUNS];
    char names[RUNS][16];
    for (int i = 0; i < RUNS; i++) {
        snprintf(names[i], sizeof names[i], "run-%02d", i);
        runs[i] = fixture_default(names[i]);
        runs[i].levels = 2;
        runs[i].n = 50;
    }
    char *dir;
    char *db = make_store(runs, RUNS, &dir);
    report_pdf_options opts = {.title = "A lab of many runs"};
    write_ok(db, dir, "report.pdf", &opts);
    char *path = xasprintf("%s/report.pdf", dir);
    char *text = image_fixture_pdf_text(path, true, "report_pdf");
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, "A lab of many runs"));
        ck_assert_ptr_nonnull(strstr(text, "Summary of the runs (continued)"));
        /* Every run is in the contents, the summary and its own pages. */
        for (int i = 0; i < RUNS; i++)
            ck_assert_msg(count_of(text, names[i]) >= 3, "%s: %zu times", names[i],
                          count_of(text, names[i]));
        /* The contents continue past the cover too. */
        ck_assert_ptr_nonnull(strstr(text, "Page 2 of"));
    }
    free(text);
    free(path);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_pdf_odd_runs_still_report_honestly)
{
    fixture_run runs[4] = {fixture_default("one-level"), fixture_default("gaps"),
                           fixture_default("all-over"), fixture_default("hollow")};
    runs[0].levels = 1;
    runs[1].empty_level = 2;
    runs[1].single_level = 4;
    runs[2].all_overflow = true;
    runs[3].no_results = true;
    char *dir;
    char *db = make_store(runs, 4, &dir);
    write_ok(db, dir, "report.pdf", NULL);
    char *path = xasprintf("%s/report.pdf", dir);
    char *text = image_fixture_pdf_text(path, true, "report_pdf");
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, "one-level"));
        ck_assert_ptr_nonnull(strstr(text, "no samples"));
        ck_assert_ptr_nonnull(strstr(text, "No samples: Medium."));
        ck_assert_ptr_nonnull(strstr(text, "Delays over 1850 ms are counted in the 1850 column"));
        ck_assert_ptr_nonnull(strstr(text, "This run has no distribution to draw."));
        ck_assert_ptr_nonnull(strstr(text, "No CPU measurement in this run"));
    }
    free(text);
    free(path);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_pdf_says_when_there_is_nothing_to_report)
{
    char *dir;
    char *db = make_store(NULL, 0, &dir);
    char *message;
    ck_assert_int_eq(write_report(db, dir, "report.pdf", NULL, &message), STATUS_BAD_INPUT);
    char *want = xasprintf("%s/report.pdf: error: nothing to report: the store holds no analysed "
                           "run",
                           dir);
    ck_assert_str_eq(message, want);
    free(want);
    free(message);
    char *path = xasprintf("%s/report.pdf", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    free(path);
    free(db);
    free(dir);

    fixture_run run = fixture_default("alpha");
    db = make_store(&run, 1, &dir);
    report_pdf_options opts = {.run_name = "beta"};
    ck_assert_int_eq(write_report(db, dir, "report.pdf", &opts, &message), STATUS_BAD_INPUT);
    ck_assert_msg(strstr(message, "no analysed run named 'beta' in the store"), "%s", message);
    free(message);
    ck_assert_int_eq(write_report(db, "/nonexistent-dir", "report.pdf", NULL, &message),
                     STATUS_FAILURE);
    ck_assert_msg(strstr(message, "cannot write report: "), "%s", message);
    free(message);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_pdf_lab_name_is_the_runs_common_folder)
{
    const struct {
        const char *folders[3];
        const char *want;
    } cases[] = {
        {{"samples/lab/native-server", "samples/lab/guest-msvs", NULL}, "lab"},
        {{"/data/labs/lab1/a", "/data/labs/lab2/b", NULL}, "labs"},
        {{"/data/lab/a/", NULL, "/data/lab/b"}, "lab"},
        {{"lab/run", NULL, NULL}, "lab"},
        {{"run", NULL, NULL}, NULL},
        {{"/run", NULL, NULL}, NULL},
        {{"a/x", "b/y", NULL}, NULL},
        {{"labs/lab-1/a", "labs/lab-12/b", NULL}, "labs"},
        {{NULL, NULL, NULL}, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *name = report_pdf_lab_name(cases[i].folders, 3);
        if (cases[i].want)
            ck_assert_msg(name && strcmp(name, cases[i].want) == 0, "case %zu: '%s'", i,
                          name ? name : "(null)");
        else
            ck_assert_msg(!name, "case %zu: '%s', want none", i, name);
        free(name);
    }
}
END_TEST

START_TEST(test_render_command_writes_formats_and_the_report)
{
    fixture_run run = fixture_default("alpha");
    run.folder = "lab/alpha";
    char *dir;
    char *db = make_store(&run, 1, &dir);
    char *out = xasprintf("%s/out", dir);
    const char *args[] = {"render", "--db", db, "-o", out, "--format", "png,pdf", "--palette",
                          "colorblind", "--title", "Contoso study", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "render: %s", r.err);
    ck_assert_str_eq(r.err, "");
    const char *files[] = {"report.pdf", "alpha/p3.png", "alpha/p3.pdf", "alpha/ladder.pdf",
                           "alpha/useful.png"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *f = xasprintf("%s/%s", out, files[i]);
        ck_assert_msg(access(f, F_OK) == 0, "%s missing", f);
        free(f);
    }
    char *svg = xasprintf("%s/alpha/p3.svg", out);
    ck_assert_int_ne(access(svg, F_OK), 0);
    free(svg);
    test_run_free(&r);
    char *report = xasprintf("%s/report.pdf", out);
    char *text = image_fixture_pdf_text(report, true, "report_pdf");
    if (text)
        ck_assert_ptr_nonnull(strstr(text, "Contoso study"));
    free(text);
    free(report);

    const struct {
        const char *option, *value, *message;
    } bad[] = {
        {"--format", "png,gif", "unknown format 'gif'"},
        {"--palette", "rainbow", "unknown palette 'rainbow'"},
        {"--overflow", "drop", "unknown overflow 'drop'"},
        {"--dpi", "12", "bad dpi '12'"},
        {"--size", "100x100", "bad size '100x100'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *bad_args[] = {"render", "--db", db, "-o", out, bad[i].option, bad[i].value,
                                  NULL};
        r = test_p3(NULL, bad_args);
        ck_assert_int_eq(r.status, STATUS_USAGE);
        ck_assert_msg(strstr(r.err, bad[i].message), "%s: %s", bad[i].option, r.err);
        test_run_free(&r);
    }
    const char *huge[] = {"render", "--db", db, "-o", out, "--size", "12000x8000", "--dpi", "192",
                          NULL};
    r = test_p3(NULL, huge);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert_msg(strstr(r.err, "more than 20000 pixels"), "%s", r.err);
    test_run_free(&r);
    free(out);
    free(db);
    free(dir);
}
END_TEST

START_TEST(test_report_command_writes_report_and_png_charts_of_a_lab)
{
    char *dir = test_tmpdir("report");
    char *out = xasprintf("%s/out", dir);
    char *lab = test_source_path("tests/data/lab-small");
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report: %s", r.err);
    ck_assert_msg(strstr(r.out, "report.pdf"), "%s", r.out);
    const char *files[] = {"report.pdf", "p3.db", "alpha/p3.png", "alpha/cdf.png",
                           "beta/cpu.png"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *f = xasprintf("%s/%s", out, files[i]);
        ck_assert_msg(access(f, F_OK) == 0, "%s missing", f);
        free(f);
    }
    char *pdf = xasprintf("%s/alpha/p3.pdf", out);
    ck_assert_int_ne(access(pdf, F_OK), 0);
    free(pdf);
    test_run_free(&r);
    char *report = xasprintf("%s/report.pdf", out);
    char *text = image_fixture_pdf_text(report, true, "report_pdf");
    if (text) {
        /* The lab is named after the folder that holds the runs. */
        ck_assert_ptr_nonnull(strstr(text, "lab-small"));
        ck_assert_ptr_nonnull(strstr(text, "Alpha: custom levels"));
        /* beta's one-sample None and empty Low, as analysis found them. */
        ck_assert_ptr_nonnull(strstr(text, "12.5"));
        ck_assert_ptr_nonnull(strstr(text, "no samples"));
    }
    free(text);
    free(report);
    free(lab);
    free(out);
    free(dir);
}
END_TEST

/* A run of lab-small whose run.ini adds notes and settings of the given
 * words; writes the lab under dir and returns its path. Caller frees. */
static char *lab_with_long_text(const char *dir, size_t note_words, size_t setting_words,
                                size_t huge_words)
{
    char *lab = xasprintf("%s/lab", dir);
    char *probe_from = test_source_path("tests/data/lab-small/alpha/a.probe");
    char *probe = test_read_file(probe_from, NULL);
    ck_assert_ptr_nonnull(probe);
    char *probe_to = xasprintf("%s/long/a.probe", lab);
    test_write_text(probe_to, probe);
    char *notes = xstrdup(""), *setting = xstrdup(""), *huge = xstrdup("");
    for (size_t i = 0; i < note_words || i < setting_words || i < huge_words; i++) {
        char *next;
        if (i < note_words) {
            next = xasprintf("%snote%zu ", notes, i);
            free(notes);
            notes = next;
        }
        if (i < setting_words) {
            next = xasprintf("%sword%zu ", setting, i);
            free(setting);
            setting = next;
        }
        if (i < huge_words) {
            next = xasprintf("%sw%zu ", huge, i);
            free(huge);
            huge = next;
        }
    }
    char *ini = xasprintf("[run]\ntitle = Long texts\nlevels = Idle, Half, Full\n"
                          "notes = %sNOTES-END\nsetting = %sSETTING-END\n%s%s%s",
                          notes, setting, huge_words ? "huge = " : "", huge_words ? huge : "",
                          huge_words ? "HUGE-END\n" : "");
    char *ini_path = xasprintf("%s/long/run.ini", lab);
    test_write_text(ini_path, ini);
    free(ini_path);
    free(ini);
    free(huge);
    free(setting);
    free(notes);
    free(probe_to);
    free(probe);
    free(probe_from);
    return lab;
}

START_TEST(test_report_pdf_long_cells_wrap_in_full_and_only_a_page_too_long_is_cut)
{
    char *dir = test_tmpdir("report-long");
    /* 600 words of notes, a setting of 600 words (well over the 8 lines
     * of 255 bytes a cell used to be cut at), and one of 15,000 words,
     * more than a page holds. */
    char *lab = lab_with_long_text(dir, 600, 600, 15000);
    char *out = xasprintf("%s/out", dir);
    const char *args[] = {"report", "-o", out, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "report: %s", r.err);
    /* The one text cut is named, once. */
    char *warning = strstr(r.err, "warning: text too long for a page, shortened with an ellipsis");
    ck_assert_msg(warning && strstr(r.err, "'w0 w1 w2") && !strstr(warning + 20, "too long for"),
                  "%s", r.err);
    char *report = xasprintf("%s/report.pdf", out);
    char *text = image_fixture_pdf_text(report, false, "report_pdf");
    if (text) {
        /* Everything else is there to its last word. */
        bool whole = strstr(text, "note599") && strstr(text, "NOTES-END") &&
                     strstr(text, "word599") && strstr(text, "SETTING-END");
        bool cut = strstr(text, "w100 ") && !strstr(text, "w14999") && !strstr(text, "HUGE-END") &&
                   strstr(text, CANVAS_ELLIPSIS);
        ck_assert_msg(whole && cut, "long texts: whole %d, huge one cut with an ellipsis %d", whole,
                      cut);
    }
    free(text);
    free(report);
    test_run_free(&r);
    free(out);
    free(lab);
    free(dir);
}
END_TEST

Suite *report_pdf_suite(void)
{
    Suite *s = suite_create("report_pdf");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_report_pdf_text_has_lab_dates_runs_levels_and_statistics);
    tcase_add_test(tc, test_report_pdf_same_store_gives_same_bytes_with_fonts_embedded);
    tcase_add_test(tc, test_report_pdf_long_summary_breaks_between_rows);
    tcase_add_test(tc, test_report_pdf_odd_runs_still_report_honestly);
    tcase_add_test(tc, test_report_pdf_says_when_there_is_nothing_to_report);
    tcase_add_test(tc, test_report_pdf_lab_name_is_the_runs_common_folder);
    tcase_add_test(tc, test_render_command_writes_formats_and_the_report);
    tcase_add_test(tc, test_report_command_writes_report_and_png_charts_of_a_lab);
    tcase_add_test(tc, test_report_pdf_long_cells_wrap_in_full_and_only_a_page_too_long_is_cut);
    suite_add_tcase(s, tc);
    return s;
}
