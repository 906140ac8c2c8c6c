/* p3 analyze: per-run, per-level distributions and statistics. */
#include <stdio.h>
#include <stdlib.h>

#include "analyze.h"
#include "cli.h"
#include "status.h"

static void on_run(void *ctx, const char *run, bool recomputed)
{
    (void)ctx;
    cli_progress("analyze: %s%s", run, recomputed ? "" : " (unchanged)");
}

int cli_analyze(sqlite3 *db, bool quiet)
{
    diag_list *diags = diag_list_new();
    analyze_totals totals;
    int status = analyze_store(db, NULL, on_run, NULL, &totals, diags);
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
    cli_option opts[] = {{"db", 0, &db_path, NULL}};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, 1, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    free(args);
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_WRITE, &db);
    if (!status)
        status = cli_analyze(db, false);
    store_close(db);
    return status;
}
