/* p3 counters: the counters in the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "counter_out.h"
#include "status.h"

int cmd_counters(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB, *run = NULL, *format = "table";
    cli_option opts[] = {{"db", 0, &db_path, NULL},
                         {"run", 0, &run, NULL},
                         {"format", 0, &format, NULL}};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, 3, &args, &count);
    if (status == STATUS_OK && count > 1)
        status = cli_usage_error(self, "one PATTERN at most; quote it so the shell leaves its "
                                       "'*' alone");
    const char *pattern = count == 1 ? args[0] : NULL;
    bool csv = strcmp(format, "csv") == 0;
    if (status == STATUS_OK && !csv && strcmp(format, "table") != 0)
        status = cli_usage_error(self, "unknown format '%s': use table or csv", format);
    sqlite3 *db = NULL;
    if (!status)
        status = cli_open_store(db_path, STORE_READ_ONLY, &db);
    if (!status) {
        diag_list *diags = diag_list_new();
        cli_capture text;
        FILE *out = csv ? stdout : cli_capture_open(&text); /* CSV quotes for itself */
        status = counter_out_list(db, run, pattern, csv, out, diags);
        if (!csv)
            cli_capture_close(&text, stdout);
        cli_print_diags(diags);
        diag_list_free(diags);
    }
    store_close(db);
    free(args);
    return status == CLI_HELP_SHOWN ? STATUS_OK : status;
}
