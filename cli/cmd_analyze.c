/* p3 analyze: per-run, per-level distributions and statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"
#include "setting.h"
#include "settings.h"
#include "status.h"

static void on_run(void *ctx, const char *run, bool recomputed)
{
    (void)ctx;
    cli_progress("analyze: %s%s", run, recomputed ? "" : " (unchanged)");
}

int cli_analysis_options(const cli_command *self, const cli_analysis_args *args,
                         analyze_options *opts)
{
    memset(opts, 0, sizeof *opts);
    if (args->buckets) {
        double *edges;
        size_t count;
        if (!setting_parse_increasing(args->buckets, 2, &edges, &count))
            return cli_usage_error(self, "bad --buckets '%s': give at least two increasing "
                                         "delays in ms, e.g. 50,250,450",
                                   args->buckets);
        if (count > SETTINGS_MAX_BUCKET_EDGES) {
            free(edges);
            return cli_usage_error(self, "bad --buckets: at most %d edges, got %zu",
                                   SETTINGS_MAX_BUCKET_EDGES, count);
        }
        opts->edges = edges;
        opts->edge_count = count;
    }
    if (args->endurance && !setting_parse_number(args->endurance, 1, 3600000, &opts->endurance_ms)) {
        cli_analysis_clear(opts);
        return cli_usage_error(self, "bad --endurance '%s': give a delay in ms from 1 to 3600000",
                               args->endurance);
    }
    opts->labels = args->label;
    opts->include_failures = args->include_failures;
    return STATUS_OK;
}

void cli_analysis_clear(analyze_options *opts)
{
    free((double *)opts->edges);
    memset(opts, 0, sizeof *opts);
}

int cli_analyze(sqlite3 *db, const analyze_options *opts, bool quiet)
{
    diag_list *diags = diag_list_new();
    analyze_totals totals;
    int status = analyze_store(db, opts, on_run, NULL, &totals, diags);
    cli_print_diags(diags);
    diag_list_free(diags);
    cli_progress_end();
    if (!status && !quiet) {
        printf("analysed %ld run%s (%lld samples)", totals.analyzed,
               totals.analyzed == 1 ? "" : "s", totals.samples);
        if (totals.unchanged)
            printf("; %ld unchanged since the last analysis", totals.unchanged);
        printf("\n");
    }
    return status;
}

int cmd_analyze(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB;
    cli_analysis_args a = {0};
    cli_option opts[] = {{"db", 0, &db_path, NULL}, CLI_ANALYSIS_OPTIONS(a)};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    free(args);
    analyze_options options = {0};
    if (status == STATUS_OK)
        status = cli_analysis_options(self, &a, &options);
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_WRITE, &db);
    if (!status)
        status = cli_analyze(db, &options, false);
    store_close(db);
    cli_analysis_clear(&options);
    return status;
}
