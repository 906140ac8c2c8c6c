/* p3 export: counter series as CSV. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "counter_out.h"
#include "status.h"

int cmd_export(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB, *run = NULL, *pattern = NULL;
    cli_option opts[] = {{"db", 0, &db_path, NULL},
                         {"run", 0, &run, NULL},
                         {"counter", 0, &pattern, NULL}};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, 3, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    if (status == STATUS_OK && !pattern)
        status = cli_usage_error(self, "no counter: give --counter PATTERN");
    sqlite3 *db = NULL;
    if (!status)
        status = cli_open_store(db_path, STORE_READ_ONLY, &db);
    if (!status) {
        diag_list *diags = diag_list_new();
        status = counter_out_export(db, run, pattern, stdout, diags);
        cli_print_diags(diags);
        diag_list_free(diags);
    }
    store_close(db);
    free(args);
    return status == CLI_HELP_SHOWN ? STATUS_OK : status;
}
