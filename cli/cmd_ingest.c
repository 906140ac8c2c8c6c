/* p3 ingest: files into the store. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "ingest.h"
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
    printf("ingested %ld file%s (%lld samples) into %s", t->stored, t->stored == 1 ? "" : "s",
           t->samples, db_path);
    if (t->duplicates)
        printf("; %ld already stored", t->duplicates);
    if (t->rejected)
        printf("; %ld rejected", t->rejected);
    if (t->ignored)
        printf("; %ld not a format p3 reads", t->ignored);
    printf("\n");
}

int cli_ingest_paths(sqlite3 *db, const char *db_path, const char *const *paths, size_t count,
                     bool quiet)
{
    diag_list *diags = diag_list_new();
    ingest_progress progress = {0};
    ingest_totals totals;
    int status = ingest_paths(db, paths, count, on_file, &progress, &totals, diags);
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
    cli_option opts[] = {{"db", 0, &db_path, NULL}};
    char **paths;
    int count;
    int status = cli_parse(self, argc, argv, opts, 1, &paths, &count);
    if (status == STATUS_OK && count == 0)
        status = cli_usage_error(self, "no PATH to ingest");
    if (status) {
        free(paths);
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    }
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_CREATE, &db);
    if (!status)
        status = cli_ingest_paths(db, db_path, (const char *const *)paths, (size_t)count, false);
    store_close(db);
    free(paths);
    return status;
}
