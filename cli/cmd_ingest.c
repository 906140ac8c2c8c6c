/* p3 ingest: files into the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ingest.h"
#include "run_options.h"
#include "status.h"

typedef struct ingest_progress {
    long files; /* files handled so far */
} ingest_progress;

static void on_file(void *ctx, const char *path, const ingest_file_result *r, diag_list *diags)
{
    ingest_progress *p = ctx;
    p->files++;
    cli_print_diags(diags);
    (void)r;
    cli_progress("ingest: %ld files, last %s", p->files, path);
}

/* Prints the totals of one ingest, shared by ingest and report. */
static void print_totals(const char *db_path, const ingest_totals *t)
{
    cli_printf(stdout, "ingested %ld file%s (%lld samples) into %s", t->stored,
               t->stored == 1 ? "" : "s", t->samples, db_path);
    if (t->replaced)
        printf("; %ld replaced %s earlier version", t->replaced,
               t->replaced == 1 ? "its" : "their");
    if (t->duplicates)
        printf("; %ld already stored", t->duplicates);
    if (t->rejected)
        printf("; %ld rejected", t->rejected);
    if (t->ignored)
        printf("; %ld not a format p3 reads", t->ignored);
    printf("\n");
}

int cli_ingest_options(const cli_command *self, const cli_ingest_args *args, ingest_options *opts)
{
    memset(opts, 0, sizeof *opts);
    counter_options *c = &opts->counters;
    if (args->tz) {
        if (!run_options_parse_tz(args->tz, &c->tz_minutes))
            return cli_usage_error(self, "bad --tz '%s': expected +HH:MM or -HH:MM", args->tz);
        c->has_tz = true;
    }
    if (args->encoding) {
        if (!run_options_encoding_known(args->encoding))
            return cli_usage_error(self, "unknown --encoding '%s': use a name iconv knows, such "
                                         "as CP1252, CP932 or CP1251 (iconv -l lists them)",
                                   args->encoding);
        c->encoding = args->encoding;
    }
    if (args->date) {
        if (!run_options_parse_date(args->date, &c->year, &c->month, &c->day))
            return cli_usage_error(self, "bad --date '%s': expected YYYY-MM-DD", args->date);
        c->has_date = true;
    }
    if (args->date_order && !run_options_parse_date_order(args->date_order, &c->date_order))
        return cli_usage_error(self, "bad --date-order '%s': use mdy, dmy, ymd or auto",
                               args->date_order);
    if (args->unit && strcmp(args->unit, "ns") != 0 && strcmp(args->unit, "us") != 0 &&
        strcmp(args->unit, "ms") != 0)
        return cli_usage_error(self, "bad --unit '%s': use ns, us or ms", args->unit);
    if (args->fio_log && strcmp(args->fio_log, "lat") != 0 && strcmp(args->fio_log, "clat") != 0 &&
        strcmp(args->fio_log, "slat") != 0)
        return cli_usage_error(self, "bad --fio-log '%s': use lat, clat or slat", args->fio_log);
    if (args->changed && strcmp(args->changed, "replace") == 0)
        opts->changed = SOURCE_FILE_REPLACE;
    else if (args->changed && strcmp(args->changed, "refuse") == 0)
        opts->changed = SOURCE_FILE_REFUSE;
    else if (args->changed)
        return cli_usage_error(self, "bad --changed '%s': use replace or refuse", args->changed);
    if (args->run_name && strcmp(args->run_name, "folder") == 0)
        opts->run_name = INGEST_RUN_NAME_FOLDER;
    else if (args->run_name && strcmp(args->run_name, "lab") == 0)
        opts->run_name = INGEST_RUN_NAME_LAB;
    else if (args->run_name)
        return cli_usage_error(self, "bad --run-name '%s': use folder or lab", args->run_name);
    opts->load.unit = args->unit;
    opts->load.fio_log = args->fio_log;
    opts->load.k6_metric = args->k6_metric;
    return STATUS_OK;
}

int cli_ingest_paths(sqlite3 *db, const char *db_path, const char *const *paths, size_t count,
                     const ingest_options *opts, bool quiet)
{
    diag_list *diags = diag_list_new();
    ingest_progress progress = {0};
    ingest_totals totals;
    int status = ingest_paths(db, paths, count, opts, on_file, &progress, &totals, diags);
    cli_print_diags(diags);
    diag_list_free(diags);
    cli_progress_end();
    if (!quiet)
        print_totals(db_path, &totals);
    return status;
}

int cmd_ingest(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB;
    cli_ingest_args a = {0};
    cli_option opts[] = {{"db", 0, &db_path, NULL},
                         CLI_INGEST_OPTIONS(a)};
    char **paths;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &paths, &count);
    if (status == STATUS_OK && count == 0)
        status = cli_usage_error(self, "no PATH to ingest");
    ingest_options options;
    if (status == STATUS_OK)
        status = cli_ingest_options(self, &a, &options);
    if (status) {
        free(paths);
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    }
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_CREATE, &db);
    if (!status)
        status = cli_ingest_paths(db, db_path, (const char *const *)paths, (size_t)count,
                                  &options, false);
    store_close(db);
    free(paths);
    return status;
}
