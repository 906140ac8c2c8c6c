/* p3 compare: runs side by side, level by level, and whether what changed
 * is real. Each argument names a run: a run folder (ingested into a
 * private temporary store), a store holding one run, or STORE#RUN. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "compare.h"
#include "compare_out.h"
#include "compare_pdf.h"
#include "compare_sheet.h"
#include "status.h"
#include "workbook.h"
#include "xalloc.h"

/* SQLite's name for a private on-disk store that disappears when it is
 * closed, whatever ends the process: where run folders are ingested. */
#define PRIVATE_STORE ""

/* One argument, resolved to a run in an open store. */
typedef struct source_arg {
    const char *arg;   /* as given */
    char *where;       /* the store or run folder it names, qualifying a label */
    char *run;         /* the run's name in db */
    char *label;       /* the run's name in the outputs */
    sqlite3 *db;       /* a private store (a run folder) or the store, read-only */
} source_arg;

static void source_clear(source_arg *s)
{
    store_close(s->db);
    free(s->where);
    free(s->run);
    free(s->label);
}

/* Prints "where: error: message" as every input error is printed. */
static void input_error(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void input_error(const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = xvasprintf(fmt, ap);
    va_end(ap);
    diag_list *diags = diag_list_new();
    diag_add(diags, DIAG_ERROR, where, 0, 0, "%s", message);
    cli_print_diags(diags);
    diag_list_free(diags);
    free(message);
}

/* The names of the runs in db, in name order, and how many ("a, b, c").
 * Caller frees. */
static char *run_names(sqlite3 *db, size_t *count)
{
    sqlite3_stmt *stmt = NULL;
    char *list = xstrdup("");
    *count = 0;
    if (sqlite3_prepare_v2(db, "SELECT name FROM run ORDER BY name", -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            char *next = xasprintf("%s%s%s", list, (*count)++ ? ", " : "",
                                   (const char *)sqlite3_column_text(stmt, 0));
            free(list);
            list = next;
        }
    sqlite3_finalize(stmt);
    return list;
}

/* The one run of s->db into s->run; an error naming the runs otherwise
 * (none for an empty store when said_why: ingest has said why). */
static int only_run(source_arg *s, const char *what, const char *hint, bool said_why)
{
    size_t count;
    char *names = run_names(s->db, &count);
    int status = STATUS_OK;
    if (count == 1)
        s->run = names;
    else if (count > 1)
        input_error(s->arg, "%s holds %zu runs (%s): %s", what, count, names, hint);
    else if (!said_why)
        input_error(s->arg, "%s holds no run", what);
    if (count != 1) {
        free(names);
        status = STATUS_BAD_INPUT;
    }
    return status;
}

/* A run folder: ingested into a private store of its own, so that two
 * folders of one name stay two runs. */
static int resolve_folder(source_arg *s, int *ingested)
{
    int status = cli_open_store(PRIVATE_STORE, STORE_CREATE, &s->db);
    if (status)
        return status;
    const char *paths[] = {s->arg};
    *ingested = cli_ingest_paths(s->db, s->arg, paths, 1, NULL, true);
    if (*ingested == STATUS_FAILURE)
        return STATUS_FAILURE;
    return only_run(s, "the folder",
                    "it is a lab folder; name one of its run folders, or ingest it and name "
                    "STORE#RUN",
                    *ingested != STATUS_OK);
}

/* Whether path starts as every SQLite database does. */
static bool looks_like_sqlite(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    bool same = f && fread(head, 1, sizeof head, f) == sizeof head &&
                memcmp(head, magic, sizeof head) == 0;
    if (f)
        fclose(f);
    return same;
}

static int open_store(source_arg *s, const char *path)
{
    s->where = xstrdup(path);
    if (!looks_like_sqlite(path)) {
        input_error(path, "not a p3 store: name a run folder, a store or STORE#RUN");
        return STATUS_BAD_INPUT;
    }
    return cli_open_store(path, STORE_READ_ONLY, &s->db) ? STATUS_BAD_INPUT : STATUS_OK;
}

static bool has_run(sqlite3 *db, const char *run)
{
    sqlite3_stmt *stmt = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM run WHERE name = ?", -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, run, -1, SQLITE_STATIC);
        found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
}

/* STORE#RUN, split at the last '#'. */
static int resolve_store_run(source_arg *s, const char *hash)
{
    char *path = xstrndup(s->arg, (size_t)(hash - s->arg));
    struct stat st;
    int status;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        input_error(path, "no such store");
        status = STATUS_BAD_INPUT;
    } else if (!(status = open_store(s, path))) {
        if (has_run(s->db, hash + 1)) {
            s->run = xstrdup(hash + 1);
        } else {
            size_t count;
            char *names = run_names(s->db, &count);
            input_error(path, "no run named '%s' in the store; it holds %s", hash + 1,
                        count ? names : "none");
            free(names);
            status = STATUS_BAD_INPUT;
        }
    }
    free(path);
    return status;
}

/* Opens what the argument names. A whole argument that names a file is a
 * store even when it holds a '#'. *ingested: how a run folder's files
 * went in (STATUS_BAD_INPUT when some were rejected). */
static int resolve(source_arg *s, int *ingested)
{
    struct stat st;
    const char *hash = strrchr(s->arg, '#');
    if (stat(s->arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t len = strlen(s->arg);
        while (len > 1 && s->arg[len - 1] == '/')
            len--;
        s->where = xstrndup(s->arg, len);
        return resolve_folder(s, ingested);
    }
    if (stat(s->arg, &st) == 0) {
        int status = open_store(s, s->arg);
        if (!status)
            status = only_run(s, "the store", "name one as STORE#RUN", false);
        return status;
    }
    if (hash && hash > s->arg)
        return resolve_store_run(s, hash);
    input_error(s->arg, "no such run folder or store");
    return STATUS_BAD_INPUT;
}

/* The labels: run names; where arguments share a run name from different
 * places, each says where it is from, "fig09 (archive.db)"; a label that
 * is still taken (one run named twice) gets " [2]", " [3]". */
static void make_labels(source_arg *s, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        bool elsewhere = false;
        for (size_t j = 0; j < count && !elsewhere; j++)
            elsewhere = strcmp(s[i].run, s[j].run) == 0 && strcmp(s[i].where, s[j].where) != 0;
        s[i].label = elsewhere ? xasprintf("%s (%s)", s[i].run, s[i].where) : xstrdup(s[i].run);
    }
    for (size_t i = 0; i < count; i++) {
        size_t same = 1;
        for (size_t j = 0; j < i; j++)
            same += strcmp(s[i].label, s[j].label) == 0;
        if (same > 1) {
            char *label = xasprintf("%s [%zu]", s[i].label, same);
            free(s[i].label);
            s[i].label = label;
        }
    }
}

/* compare.pdf and the workbook of the store in dir. */
static int write_files(sqlite3 *out, const char *dir, const compare_pdf_options *pdf,
                       diag_list *diags)
{
    char *path = xasprintf("%s/compare.pdf", dir);
    int status = compare_pdf_write(out, path, pdf, diags);
    free(path);
    if (status)
        return status;
    workbook_options book = {.chart_dir = dir, .palette = pdf->palette,
                             .compare = &compare_sheet_hook};
    path = xasprintf("%s/p3.xlsx", dir);
    status = workbook_write(out, path, &book, diags);
    free(path);
    return status;
}

/* Compares the resolved sources into out and writes what was asked. */
static int compare_and_write(sqlite3 *out, source_arg *s, size_t count,
                             const analyze_options *analysis, stats_out_format format,
                             const char *dir, const compare_pdf_options *pdf)
{
    compare_source *sources = xcalloc(count, sizeof *sources);
    for (size_t i = 0; i < count; i++)
        sources[i] = (compare_source){s[i].db, s[i].run, s[i].label, s[i].arg};
    diag_list *diags = diag_list_new();
    cli_progress("compare: %zu runs", count);
    int status = compare_runs(out, sources, count, analysis, diags);
    cli_progress_end();
    if (!status && format == STATS_OUT_TABLE) { /* CSV and JSON quote for themselves */
        cli_capture text;
        status = compare_out_write(out, format, cli_capture_open(&text), diags);
        cli_capture_close(&text, stdout);
    } else if (!status) {
        status = compare_out_write(out, format, stdout, diags);
    }
    if (!status && dir) {
        cli_progress("compare: compare.pdf and p3.xlsx");
        status = write_files(out, dir, pdf, diags);
        cli_progress_end();
        if (!status && format == STATS_OUT_TABLE)
            cli_printf(stdout, "wrote %s/compare.pdf and %s/p3.xlsx; the comparisons are in %s/p3.db\n",
                       dir, dir, dir);
    }
    cli_print_diags(diags);
    diag_list_free(diags);
    free(sources);
    return status;
}

/* The store the comparisons go to: DIR/p3.db, or one in memory. */
static int open_output(const char *dir, sqlite3 **out)
{
    if (!dir)
        return cli_open_store(":memory:", STORE_CREATE, out);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_printf(stderr, "%s: error: cannot create folder: %s\n", dir, strerror(errno));
        return STATUS_FAILURE;
    }
    char *path = xasprintf("%s/p3.db", dir);
    int status = cli_open_store(path, STORE_CREATE, out);
    free(path);
    return status;
}

int cmd_compare(const cli_command *self, int argc, char **argv)
{
    const char *dir = NULL, *format = "table", *palette = NULL;
    cli_analysis_args a = {0};
    cli_option opts[] = {{"output", 'o', &dir, NULL},
                         {"format", 0, &format, NULL},
                         {"palette", 0, &palette, NULL},
                         CLI_ANALYSIS_OPTIONS(a)};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &args, &count);
    if (status == STATUS_OK && count < 2)
        status = cli_usage_error(self, "give a BASELINE run and at least one OTHER run to "
                                       "compare with it");
    stats_out_format f = STATS_OUT_TABLE;
    if (status == STATUS_OK && strcmp(format, "csv") == 0)
        f = STATS_OUT_CSV;
    else if (status == STATUS_OK && strcmp(format, "json") == 0)
        f = STATS_OUT_JSON;
    else if (status == STATUS_OK && strcmp(format, "table") != 0)
        status = cli_usage_error(self, "unknown format '%s': use table, csv or json", format);
    compare_pdf_options pdf = {P3CHART_PALETTE_PAPER, P3CHART_OVERFLOW_FOLD};
    if (status == STATUS_OK && palette && strcmp(palette, "colorblind") == 0)
        pdf.palette = P3CHART_PALETTE_COLORBLIND;
    else if (status == STATUS_OK && palette && strcmp(palette, "paper") != 0)
        status = cli_usage_error(self, "unknown palette '%s': use paper or colorblind", palette);
    analyze_options analysis = {0};
    if (status == STATUS_OK)
        status = cli_analysis_options(self, &a, &analysis);
    if (status) {
        free(args);
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    }

    source_arg *sources = xcalloc((size_t)count, sizeof *sources);
    int ingested = STATUS_OK;
    for (int i = 0; i < count && !status; i++) {
        int folder_status = STATUS_OK;
        sources[i].arg = args[i];
        cli_progress("compare: reading %s", args[i]);
        status = resolve(&sources[i], &folder_status);
        ingested = status_worst(ingested, folder_status);
    }
    cli_progress_end();
    sqlite3 *out = NULL;
    if (!status) {
        make_labels(sources, (size_t)count);
        status = open_output(dir, &out);
    }
    if (!status)
        status = compare_and_write(out, sources, (size_t)count, &analysis, f, dir, &pdf);
    store_close(out);
    for (int i = 0; i < count; i++)
        source_clear(&sources[i]);
    free(sources);
    cli_analysis_clear(&analysis);
    free(args);
    return status_worst(status, ingested);
}
