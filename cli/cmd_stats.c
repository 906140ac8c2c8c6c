/* p3 stats: the statistics of analysed runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stats_out.h"
#include "status.h"

int cmd_stats(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB, *run = NULL, *format = "table";
    cli_option opts[] = {{"db", 0, &db_path, NULL},
                         {"run", 0, &run, NULL},
                         {"format", 0, &format, NULL}};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, 3, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    free(args);
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    stats_out_format f;
    if (strcmp(format, "table") == 0)
        f = STATS_OUT_TABLE;
    else if (strcmp(format, "csv") == 0)
        f = STATS_OUT_CSV;
    else if (strcmp(format, "json") == 0)
        f = STATS_OUT_JSON;
    else
        return cli_usage_error(self, "unknown format '%s': use table, csv or json", format);
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_READ_ONLY, &db);
    if (!status) {
        diag_list *diags = diag_list_new();
        if (f == STATS_OUT_TABLE) { /* CSV and JSON quote for themselves */
            cli_capture text;
            status = stats_out_write(db, run, f, cli_capture_open(&text), diags);
            cli_capture_close(&text, stdout);
        } else {
            status = stats_out_write(db, run, f, stdout, diags);
        }
        cli_print_diags(diags);
        diag_list_free(diags);
    }
    store_close(db);
    return status;
}
