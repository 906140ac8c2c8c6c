#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"
#include "store.h"
#include "xalloc.h"

/* One run's results, as p3chart wants them. */
typedef struct chart_input {
    char *title;
    size_t bucket_count;
    char **labels;
    double *upper;
    size_t level_count;
    char **level_names;
    long long *n;
    double *pct;          /* level_count x bucket_count, row-major */
    p3chart_level *levels;
    double endurance_ms;
} chart_input;

static void chart_input_clear(chart_input *c)
{
    for (size_t i = 0; i < c->bucket_count; i++)
        free(c->labels[i]);
    for (size_t i = 0; i < c->level_count; i++)
        free(c->level_names[i]);
    free(c->title);
    free(c->labels);
    free(c->upper);
    free(c->level_names);
    free(c->n);
    free(c->pct);
    free(c->levels);
    memset(c, 0, sizeof *c);
}

char *render_folder_name(const char *run)
{
    char *name = xstrdup(*run ? run : "_");
    for (char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
            c == '"' || c == '<' || c == '>' || c == '|')
            *p = '_';
    }
    if (name[0] == '.')
        name[0] = '_';
    return name;
}

static int make_dir(const char *path, diag_list *diags)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return STATUS_OK;
    diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot create folder: %s", strerror(errno));
    return STATUS_FAILURE;
}

/* Reads a run's buckets, levels and shares into *c. */
static int read_chart_input(sqlite3 *db, int64_t run_id, chart_input *c, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT label, upper_ms FROM bucket WHERE run_id = ? ORDER BY bucket",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        c->labels = xreallocarray(c->labels, c->bucket_count + 1, sizeof *c->labels);
        c->upper = xreallocarray(c->upper, c->bucket_count + 1, sizeof *c->upper);
        c->labels[c->bucket_count] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        c->upper[c->bucket_count++] = sqlite3_column_double(stmt, 1);
    }
    sqlite3_finalize(stmt);
    if (store_prepare(db,
                      "SELECT l.name, coalesce(s.n, 0) FROM run_level l LEFT JOIN level_stats s "
                      "ON s.run_id = l.run_id AND s.level = l.level WHERE l.run_id = ? "
                      "ORDER BY l.level",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        c->level_names = xreallocarray(c->level_names, c->level_count + 1, sizeof *c->level_names);
        c->n = xreallocarray(c->n, c->level_count + 1, sizeof *c->n);
        c->level_names[c->level_count] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        c->n[c->level_count++] = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
    c->pct = xcalloc(c->level_count * c->bucket_count + 1, sizeof *c->pct);
    if (store_prepare(db, "SELECT level, bucket, pct FROM level_bucket WHERE run_id = ?", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        size_t level = (size_t)sqlite3_column_int64(stmt, 0);
        size_t bucket = (size_t)sqlite3_column_int64(stmt, 1);
        if (level < c->level_count && bucket < c->bucket_count)
            c->pct[level * c->bucket_count + bucket] = sqlite3_column_double(stmt, 2);
    }
    sqlite3_finalize(stmt);
    c->levels = xcalloc(c->level_count + 1, sizeof *c->levels);
    for (size_t i = 0; i < c->level_count; i++)
        c->levels[i] = (p3chart_level){c->level_names[i], c->pct + i * c->bucket_count, c->n[i]};
    return STATUS_OK;
}

static int render_run(sqlite3 *db, const char *dir, int64_t run_id, const char *name,
                      const char *title, double endurance, const p3chart_options *opts,
                      char **folder_out, diag_list *diags)
{
    chart_input c = {.title = xstrdup(title), .endurance_ms = endurance};
    char *folder_name = render_folder_name(name);
    char *folder = xasprintf("%s/%s", dir, folder_name);
    char *path = xasprintf("%s/p3.png", folder);
    int status = read_chart_input(db, run_id, &c, diags);
    if (!status && c.bucket_count == 0) {
        diag_add(diags, DIAG_ERROR, name, 0, 0, "run has no results to draw: run 'p3 analyze'");
        status = STATUS_BAD_INPUT;
    }
    if (!status)
        status = make_dir(folder, diags);
    if (!status) {
        const char *const *labels = (const char *const *)c.labels;
        p3chart_data data = {c.title, labels, c.upper, c.bucket_count, c.levels, c.level_count,
                             c.endurance_ms};
        status = p3chart_write(&data, opts, path, diags);
    }
    chart_input_clear(&c);
    free(folder_name);
    free(path);
    if (status)
        free(folder);
    else
        *folder_out = folder;
    return status;
}

int render_all(sqlite3 *db, const char *dir, const char *run_name, const p3chart_options *chart,
               render_run_fn on_run, void *ctx, diag_list *diags)
{
    if (make_dir(dir, diags))
        return STATUS_FAILURE;
    sqlite3_stmt *runs;
    if (store_prepare(db,
                      "SELECT r.run_id, r.name, r.title, a.endurance_ms FROM run r JOIN analysis a "
                      "USING (run_id) WHERE ?1 IS NULL OR r.name = ?1 ORDER BY r.name",
                      &runs, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(runs, 1, run_name, -1, SQLITE_STATIC);
    int status = STATUS_OK;
    size_t drawn = 0;
    while (sqlite3_step(runs) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(runs, 1);
        char *folder = NULL;
        int s = render_run(db, dir, sqlite3_column_int64(runs, 0), name,
                           (const char *)sqlite3_column_text(runs, 2),
                           sqlite3_column_double(runs, 3), chart, &folder, diags);
        status = status_worst(status, s);
        if (!s) {
            drawn++;
            if (on_run)
                on_run(ctx, name, folder);
        }
        free(folder);
        if (status == STATUS_FAILURE)
            break;
    }
    sqlite3_finalize(runs);
    if (drawn == 0 && status == STATUS_OK) {
        if (run_name)
            diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no analysed run named '%s' in the store",
                     run_name);
        else
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
        status = STATUS_BAD_INPUT;
    }
    return status;
}
