/* p3 report: the main job, from lab folders to charts in one command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "compare.h"
#include "compare_out.h"
#include "stats_out.h"
#include "status.h"
#include "workbook.h"
#include "xalloc.h"

/* The run names of the store's analysed runs, baseline first. */
static char **report_runs(sqlite3 *db, const char *baseline, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    char **names = xcalloc(1, sizeof *names);
    *count = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.name FROM run r JOIN analysis a USING (run_id) "
                           "ORDER BY r.name <> ?, r.name",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, baseline, -1, SQLITE_STATIC);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            names = xreallocarray(names, *count + 1, sizeof *names);
            names[(*count)++] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        }
    }
    sqlite3_finalize(stmt);
    return names;
}

/* Compares every other analysed run with the baseline into the store, or,
 * without a baseline, removes comparisons an earlier report made: the
 * report says what its command line asks. */
static int report_comparisons(sqlite3 *db, const char *db_path, const char *baseline,
                              const analyze_options *analysis)
{
    diag_list *diags = diag_list_new();
    int status;
    size_t count = 0;
    char **runs = baseline ? report_runs(db, baseline, &count) : NULL;
    if (!baseline) {
        status = compare_clear(db, diags);
    } else if (count == 0 || strcmp(runs[0], baseline) != 0) {
        diag_add(diags, DIAG_ERROR, db_path, 0, 0, "--baseline: no analysed run named '%s'",
                 baseline);
        status = STATUS_BAD_INPUT;
    } else {
        compare_source *sources = xcalloc(count, sizeof *sources);
        char **origins = xcalloc(count, sizeof *origins);
        for (size_t i = 0; i < count; i++) {
            origins[i] = xasprintf("%s#%s", db_path, runs[i]);
            sources[i] = (compare_source){db, runs[i], runs[i], origins[i]};
        }
        cli_progress("report: comparing %zu runs with %s", count - 1, baseline);
        status = compare_runs(db, sources, count, analysis, diags);
        for (size_t i = 0; i < count; i++)
            free(origins[i]);
        free(origins);
        free(sources);
    }
    for (size_t i = 0; i < count; i++)
        free(runs[i]);
    free(runs);
    cli_print_diags(diags);
    diag_list_free(diags);
    return status;
}

int cmd_report(const cli_command *self, int argc, char **argv)
{
    const char *dir = "p3-report", *baseline = NULL, *workbook_samples = NULL;
    cli_ingest_args a = {0};
    cli_analysis_args b = {0};
    cli_render_args r = {0};
    cli_option opts[] = {{"output", 'o', &dir, NULL}, {"baseline", 0, &baseline, NULL},
                         {"workbook-samples", 0, &workbook_samples, NULL},
                         CLI_RENDER_OPTIONS(r), CLI_INGEST_OPTIONS(a), CLI_ANALYSIS_OPTIONS(b)};
    char **labs;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &labs, &count);
    if (status == STATUS_OK && count == 0)
        status = cli_usage_error(self, "no LAB folder to report on");
    cli_render_setup setup;
    if (status == STATUS_OK)
        status = cli_render_options(self, &r, RENDER_PNG | CLI_FORMAT_XLSX, &setup);
    /* The report is the point of the command, whatever the charts' formats. */
    setup.report = true;
    if (status == STATUS_OK && workbook_samples &&
        !workbook_parse_sample_limit(workbook_samples, &setup.render.workbook_samples))
        status = cli_usage_error(self, "bad --workbook-samples '%s': use a whole number of "
                                 "samples, 0 for none", workbook_samples);
    ingest_options ingest;
    if (status == STATUS_OK)
        status = cli_ingest_options(self, &a, &ingest);
    analyze_options analysis = {0};
    if (status == STATUS_OK)
        status = cli_analysis_options(self, &b, &analysis);
    if (status) {
        free(labs);
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_printf(stderr, "%s: error: cannot create folder: %s\n", dir, strerror(errno));
        free(labs);
        return STATUS_FAILURE;
    }
    char *db_path = xasprintf("%s/p3.db", dir);
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_CREATE, &db);
    if (!status) {
        /* A rejected file does not stop the report: the rest is analysed. */
        int ingested = cli_ingest_paths(db, db_path, (const char *const *)labs, (size_t)count,
                                        &ingest, true);
        status = ingested == STATUS_FAILURE ? ingested : STATUS_OK;
        if (!status)
            status = cli_analyze(db, &analysis, true);
        if (!status)
            status = report_comparisons(db, db_path, baseline, &analysis);
        if (!status)
            status = cli_render(db, dir, NULL, &setup);
        if (!status) {
            diag_list *diags = diag_list_new();
            cli_capture text; /* run names, escaped for the terminal */
            FILE *summary = cli_capture_open(&text);
            status = stats_out_summary(db, summary, diags);
            if (!status && baseline)
                status = compare_out_summary(db, summary, diags);
            cli_capture_close(&text, stdout);
            cli_print_diags(diags);
            diag_list_free(diags);
            cli_printf(stdout,
                       "report in %s/: report.pdf, %sstore p3.db, charts <run>/p3.png and companions\n",
                       dir, setup.render.formats & CLI_FORMAT_XLSX ? "workbook p3.xlsx, " : "");
        }
        status = status_worst(status, ingested);
    }
    store_close(db);
    cli_analysis_clear(&analysis);
    free(db_path);
    free(labs);
    return status;
}
