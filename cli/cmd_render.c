/* p3 render: charts of analysed runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render.h"
#include "status.h"

static void on_run(void *ctx, const char *run, const char *folder)
{
    (void)ctx;
    (void)folder;
    cli_progress("render: %s", run);
}

int cli_render(sqlite3 *db, const char *dir, const char *run, const p3chart_options *chart)
{
    diag_list *diags = diag_list_new();
    int status = render_all(db, dir, run, chart, on_run, NULL, diags);
    cli_print_diags(diags);
    diag_list_free(diags);
    cli_progress_end();
    return status;
}

int cli_chart_options(const cli_command *self, const char *overflow, const char *size,
                      p3chart_options *chart)
{
    memset(chart, 0, sizeof *chart);
    if (overflow && strcmp(overflow, "fold") == 0)
        chart->overflow = P3CHART_OVERFLOW_FOLD;
    else if (overflow && strcmp(overflow, "column") == 0)
        chart->overflow = P3CHART_OVERFLOW_COLUMN;
    else if (overflow)
        return cli_usage_error(self, "unknown overflow '%s': use fold or column", overflow);
    if (size) {
        int w, h;
        char end;
        if (sscanf(size, "%dx%d%c", &w, &h, &end) != 2 || w < 320 || h < 200 || w > 20000 ||
            h > 20000)
            return cli_usage_error(self, "bad size '%s': use WIDTHxHEIGHT, e.g. 1600x1000, "
                                   "from 320x200 to 20000x20000", size);
        chart->width = w;
        chart->height = h;
    }
    return STATUS_OK;
}

int cmd_render(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB, *dir = NULL, *run = NULL, *overflow = NULL,
               *size = NULL;
    cli_option opts[] = {{"db", 0, &db_path, NULL},      {"output", 'o', &dir, NULL},
                         {"run", 0, &run, NULL},         {"overflow", 0, &overflow, NULL},
                         {"size", 0, &size, NULL}};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, 5, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    free(args);
    if (status == STATUS_OK && !dir)
        status = cli_usage_error(self, "no output folder: give -o DIR");
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    p3chart_options chart;
    if ((status = cli_chart_options(self, overflow, size, &chart)))
        return status;
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_READ_ONLY, &db);
    if (!status)
        status = cli_render(db, dir, run, &chart);
    if (!status)
        printf("wrote charts under %s\n", dir);
    store_close(db);
    return status;
}
