#include "render.h"

#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "charts.h"
#include "results.h"
#include "sha256.h"
#include "status.h"
#include "store.h"
#include "tempname.h"
#include "xalloc.h"

/* Longest folder name kept from a run's name, in bytes, before the suffix. */
#define FOLDER_NAME_MAX 96

char *render_folder_name(const char *run)
{
    char *name = xstrdup(*run ? run : "_");
    bool changed = !*run;
    for (char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
            c == '"' || c == '<' || c == '>' || c == '|') {
            *p = '_';
            changed = true;
        }
    }
    if (name[0] == '.') {
        name[0] = '_';
        changed = true;
    }
    size_t len = strlen(name);
    if (len > FOLDER_NAME_MAX) {
        /* Cut at a character boundary: never inside a UTF-8 sequence. */
        len = FOLDER_NAME_MAX;
        while (len > 0 && ((unsigned char)name[len] & 0xC0) == 0x80)
            len--;
        name[len] = '\0';
        changed = true;
    }
    if (!changed)
        return name;
    /* Two runs whose names were changed into one ("a/b", "a_b"), or cut to
     * one, must not share a folder: a suffix from the whole name keeps them
     * apart, the same in every render. A name that needed no change has
     * none, and cannot end like this by chance. */
    sha256 ctx;
    char hex[65];
    sha256_init(&ctx);
    sha256_update(&ctx, run, strlen(run));
    sha256_final_hex(&ctx, hex);
    char *out = xasprintf("%s~%.8s", name, hex);
    free(name);
    return out;
}

/* The chart formats, in the order they are written. */
typedef struct chart_format {
    unsigned bit;          /* RENDER_* */
    const char *extension; /* of the files */
    p3chart_format p3;
    canvas_format canvas;
} chart_format;
static const chart_format chart_formats[] = {
    {RENDER_PNG, "png", P3CHART_PNG, CANVAS_PNG},
    {RENDER_PDF, "pdf", P3CHART_PDF, CANVAS_PDF},
    {RENDER_SVG, "svg", P3CHART_SVG, CANVAS_SVG},
};

static int make_dir(const char *path, diag_list *diags)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return STATUS_OK;
    diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot create folder: %s", strerror(errno));
    return STATUS_FAILURE;
}

/* The P3 of a run in one format, as folder/name (NULL: p3.<extension>) at dpi
 * (0: the options'). */
static int write_p3(const results_run *run, const render_options *o, const chart_format *format,
                    const char *folder, const char *name, int dpi, diag_list *diags)
{
    p3chart_level *levels = xcalloc(run->level_count + 1, sizeof *levels);
    for (size_t j = 0; j < run->level_count; j++)
        levels[j] = (p3chart_level){run->levels[j].name, run->levels[j].bucket_pct,
                                    run->levels[j].n};
    char *note = results_p3_note(run);
    p3chart_data data = {run->title, (const char *const *)run->bucket_labels, run->bucket_upper,
                         run->bucket_count, levels, run->level_count, run->endurance_ms, note};
    p3chart_options chart = o->chart;
    chart.format = format->p3;
    if (dpi)
        chart.dpi = dpi;
    char *path = name ? xasprintf("%s/%s", folder, name)
                      : xasprintf("%s/p3.%s", folder, format->extension);
    int status = p3chart_write(&data, &chart, path, diags);
    free(path);
    free(levels);
    free(note);
    return status;
}

/* The companion charts of a run in one format. */
static int write_companions(const results_run *run, const render_options *o,
                            const chart_format *format, const char *folder, diag_list *diags)
{
    charts_options opts = {.width = o->chart.width,
                           .height = o->chart.height,
                           .format = format->canvas,
                           .dpi = o->chart.dpi,
                           .palette = o->chart.palette,
                           .log_delay = o->log_delay,
                           .text_scale = o->chart.text_scale};
    unsigned wanted = o->charts ? o->charts : RENDER_CHART_ALL;
    int status = STATUS_OK;
    for (int k = 0; k < CHARTS_KIND_COUNT && !status; k++) {
        if (!(wanted & (RENDER_CHART_P3 << (1 + k))))
            continue;
        char *path = xasprintf("%s/%s.%s", folder, charts_name((charts_kind)k),
                               format->extension);
        status = charts_write((charts_kind)k, run, &opts, path, diags);
        free(path);
    }
    return status;
}

/* The resolution of the workbook's image: half the charts'. */
static int sheet_image_dpi(const render_options *o)
{
    int dpi = o->chart.dpi > 0 ? o->chart.dpi : 96;
    return dpi / 2 > 0 ? dpi / 2 : 1;
}

/* Every chart of one run, in every format asked for, under dir/<run>/.
 * *folder_out gets the folder (caller frees) when all went well. */
static int render_run(const results_run *run, const char *dir, const render_options *o,
                      char **folder_out, diag_list *diags)
{
    if (run->bucket_count < 2 || run->level_count == 0) {
        diag_add(diags, DIAG_ERROR, run->name, 0, 0,
                 "run has no results to draw: run 'p3 analyze'");
        return STATUS_BAD_INPUT;
    }
    char *folder_name = render_folder_name(run->name);
    char *folder = xasprintf("%s/%s", dir, folder_name);
    free(folder_name);
    int status = make_dir(folder, diags);
    unsigned formats = o->formats & RENDER_FORMAT_CHARTS ? o->formats : RENDER_PNG;
    for (size_t i = 0; i < sizeof chart_formats / sizeof *chart_formats && !status; i++) {
        if (!(formats & chart_formats[i].bit))
            continue;
        if (!o->charts || (o->charts & RENDER_CHART_P3))
            status = write_p3(run, o, &chart_formats[i], folder, NULL, 0, diags);
        if (!status)
            status = write_companions(run, o, &chart_formats[i], folder, diags);
    }
    if (!status && o->sheet_image)
        status = write_p3(run, o, &chart_formats[0], folder, RENDER_SHEET_IMAGE,
                          sheet_image_dpi(o), diags);
    if (status)
        free(folder);
    else
        *folder_out = folder;
    return status;
}

/* ---- what stands ------------------------------------------------------ */

/* The record of a run's charts: which p3 drew them, from what, and which
 * files. Written last, so a folder without it is drawn again. */
#define RECORD_NAME ".p3-render"
#define RECORD_MAGIC "p3-render 1\n"

static void digest_text(sha256 *ctx, const char *label, const char *text)
{
    sha256_update(ctx, label, strlen(label));
    if (text)
        sha256_update(ctx, text, strlen(text) + 1); /* the NUL keeps "ab"+"c" from "a"+"bc" */
    else
        sha256_update(ctx, "\001", 1);
}

static void digest_number(sha256 *ctx, const char *label, double v)
{
    char text[64];
    snprintf(text, sizeof text, "%.17g", v);
    digest_text(ctx, label, text);
}

/* What a run's charts are drawn from: p3's version, the run's analysis
 * (its input digest stands for every result), its description, and the
 * options. */
static int run_digest(sqlite3 *db, const results_run *run, const render_options *o,
                      char hex[65], diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT input_digest FROM analysis WHERE run_id = ?", &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run->run_id);
    char *input = NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        input = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sha256 ctx;
    sha256_init(&ctx);
    digest_text(&ctx, "version ", P3_VERSION);
    digest_text(&ctx, "analysis ", input);
    digest_text(&ctx, "name ", run->name);
    digest_text(&ctx, "title ", run->title);
    digest_text(&ctx, "folder ", run->folder);
    digest_text(&ctx, "host ", run->host);
    digest_text(&ctx, "guest ", run->guest);
    digest_text(&ctx, "platform ", run->platform);
    digest_text(&ctx, "notes ", run->notes);
    digest_number(&ctx, "formats ", o->formats & RENDER_FORMAT_CHARTS);
    digest_number(&ctx, "charts ", o->charts);
    digest_number(&ctx, "width ", o->chart.width);
    digest_number(&ctx, "height ", o->chart.height);
    digest_number(&ctx, "overflow ", o->chart.overflow);
    digest_number(&ctx, "palette ", o->chart.palette);
    digest_number(&ctx, "dpi ", o->chart.dpi);
    digest_number(&ctx, "text scale ", o->chart.text_scale);
    digest_number(&ctx, "log delay ", o->log_delay);
    sha256_final_hex(&ctx, hex);
    free(input);
    return STATUS_OK;
}

/* The chart files render_run() writes for these options, in the order it
 * writes them. */
static size_t chart_files(const render_options *o, char ***out)
{
    char **names = NULL;
    size_t n = 0;
    unsigned formats = o->formats & RENDER_FORMAT_CHARTS ? o->formats : RENDER_PNG;
    unsigned wanted = o->charts ? o->charts : RENDER_CHART_ALL;
    for (size_t i = 0; i < sizeof chart_formats / sizeof *chart_formats; i++) {
        if (!(formats & chart_formats[i].bit))
            continue;
        for (int k = -1; k < CHARTS_KIND_COUNT; k++) {
            if (!(wanted & (RENDER_CHART_P3 << (1 + k))))
                continue;
            names = xreallocarray(names, n + 1, sizeof *names);
            names[n++] = xasprintf("%s.%s", k < 0 ? "p3" : charts_name((charts_kind)k),
                                   chart_formats[i].extension);
        }
    }
    if (o->sheet_image) {
        names = xreallocarray(names, n + 1, sizeof *names);
        names[n++] = xstrdup(RENDER_SHEET_IMAGE);
    }
    *out = names;
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static bool file_there(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct stat st;
    bool there = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return there;
}

/* The record's text for these files and digest. */
static char *record_text(const char *digest, char **names, size_t n)
{
    size_t len = strlen(RECORD_MAGIC) + 80;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 7;
    char *text = xmalloc(len), *p = text;
    p += sprintf(p, "%sdigest %s\n", RECORD_MAGIC, digest);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "file %s\n", names[i]);
    return text;
}

/* Whether the file at path holds exactly text. */
static bool file_holds(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t len = strlen(text);
    char *buf = xmalloc(len + 1);
    size_t got = fread(buf, 1, len + 1, f);
    fclose(f);
    bool same = got == len && memcmp(buf, text, len) == 0;
    free(buf);
    return same;
}

/* Writes text to path through a temporary name; failures are ignored. */
static void write_record(const char *path, const char *text)
{
    char *tmp = tempname_template(path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 && fchmod(fd, 0644) == 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f)
        close(fd);
    bool ok = f && fputs(text, f) != EOF;
    if (f)
        ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
    free(tmp);
}

/* Whether folder's charts were drawn from digest and are all there. */
static bool charts_stand(const char *folder, const char *digest, char **names, size_t n)
{
    char *path = xasprintf("%s/" RECORD_NAME, folder);
    char *text = record_text(digest, names, n);
    bool stands = file_holds(path, text);
    for (size_t i = 0; i < n && stands; i++)
        stands = file_there(folder, names[i]);
    free(text);
    free(path);
    return stands;
}

bool render_stands(const char *dir, const char *name, const char *digest)
{
    char *path = xasprintf("%s/.%s.p3-render", dir, name);
    char *text = xasprintf("%sdigest %s\n", RECORD_MAGIC, digest);
    bool stands = file_holds(path, text) && file_there(dir, name);
    free(text);
    free(path);
    return stands;
}

void render_stand_record(const char *dir, const char *name, const char *digest)
{
    char *path = xasprintf("%s/.%s.p3-render", dir, name);
    char *text = xasprintf("%sdigest %s\n", RECORD_MAGIC, digest);
    write_record(path, text);
    free(text);
    free(path);
}

/* Adds every row of table, in the order of all its columns, to ctx. */
static int digest_table(sqlite3 *db, const char *table, sha256 *ctx, diag_list *diags)
{
    char *sql = xasprintf("SELECT * FROM %s", table);
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    free(sql);
    if (rc != SQLITE_OK)
        return STATUS_OK; /* an older store without the table: nothing to add */
    int columns = sqlite3_column_count(stmt);
    sqlite3_finalize(stmt);
    char *order = xstrdup("");
    for (int c = 1; c <= columns; c++) {
        char *next = xasprintf("%s%s%d", order, c > 1 ? ", " : "", c);
        free(order);
        order = next;
    }
    sql = xasprintf("SELECT * FROM %s ORDER BY %s", table, order);
    free(order);
    int status = store_prepare(db, sql, &stmt, diags);
    free(sql);
    if (status)
        return status;
    digest_text(ctx, "table ", table);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        for (int c = 0; c < columns; c++) {
            char type = (char)('0' + sqlite3_column_type(stmt, c));
            sha256_update(ctx, &type, 1);
            const unsigned char *v = sqlite3_column_text(stmt, c);
            digest_text(ctx, "", v ? (const char *)v : NULL);
        }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : STATUS_FAILURE;
}

int render_combined_digest(sqlite3 *db, const render_summary *summary, const char *options,
                           char hex[65], diag_list *diags)
{
    static const char *const tables[] = {"comparison", "comparison_bucket", "comparison_level",
                                         "comparison_side", "comparison_level_bucket"};
    sha256 ctx;
    sha256_init(&ctx);
    digest_text(&ctx, "version ", P3_VERSION);
    digest_text(&ctx, "runs ", summary->digest);
    digest_text(&ctx, "options ", options);
    int status = STATUS_OK;
    for (size_t i = 0; i < sizeof tables / sizeof *tables && !status; i++)
        status = digest_table(db, tables[i], &ctx, diags);
    sha256_final_hex(&ctx, hex);
    return status;
}

int render_cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---- drawing runs side by side ----------------------------------------- */

typedef struct render_job {
    const results_run *run;
    char digest[65];
    bool stands;        /* its charts are there: nothing to do */
    int status;
    diag_list *diags;   /* its own, merged in run order at the end */
    char *folder;
} render_job;

typedef struct render_pool {
    render_job *jobs;
    size_t count, next;
    const char *dir;
    const render_options *o;
    char **names;
    size_t name_count;
    pthread_mutex_t m;
    render_run_fn on_run;
    void *ctx;
    bool failed;        /* a job failed with STATUS_FAILURE: start no more */
} render_pool;

static void *pool_worker(void *p)
{
    render_pool *pool = p;
    for (;;) {
        pthread_mutex_lock(&pool->m);
        while (pool->next < pool->count && pool->jobs[pool->next].stands)
            pool->next++;
        size_t i = pool->next < pool->count && !pool->failed ? pool->next++ : pool->count;
        pthread_mutex_unlock(&pool->m);
        if (i >= pool->count)
            return NULL;
        render_job *job = &pool->jobs[i];
        job->status = render_run(job->run, pool->dir, pool->o, &job->folder, job->diags);
        if (!job->status) {
            char *record = xasprintf("%s/" RECORD_NAME, job->folder);
            char *text = record_text(job->digest, pool->names, pool->name_count);
            write_record(record, text);
            free(text);
            free(record);
        }
        pthread_mutex_lock(&pool->m);
        if (job->status == STATUS_FAILURE)
            pool->failed = true;
        if (!job->status && pool->on_run)
            pool->on_run(pool->ctx, job->run->name, job->folder, true);
        pthread_mutex_unlock(&pool->m);
    }
}

int render_all(sqlite3 *db, const char *dir, const char *run_name, const render_options *opts,
               const render_hooks *hooks, render_summary *summary, diag_list *diags)
{
    render_options o = opts ? *opts : (render_options){0};
    render_run_fn on_run = hooks ? hooks->on_run : NULL;
    void *ctx = hooks ? hooks->ctx : NULL;
    if (summary)
        *summary = (render_summary){0};
    results_run *runs;
    size_t count;
    int status = results_read(db, run_name, &runs, &count, diags);
    if (status)
        return status;
    if (count == 0) {
        if (run_name)
            diag_add(diags, DIAG_ERROR, NULL, 0, 0, "no analysed run named '%s' in the store",
                     run_name);
        else
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
        return STATUS_BAD_INPUT;
    }
    status = make_dir(dir, diags);
    tempname_sweep_dir(dir); /* what a killed p3 left: p3.xlsx.tmp-..., report.pdf.tmp-... */
    render_pool pool = {.jobs = xcalloc(count, sizeof *pool.jobs), .count = count, .dir = dir,
                        .o = &o, .on_run = on_run, .ctx = ctx};
    pool.name_count = chart_files(&o, &pool.names);
    sha256 all;
    sha256_init(&all);
    for (size_t i = 0; i < count && !status; i++) {
        render_job *job = &pool.jobs[i];
        job->run = &runs[i];
        job->diags = diag_list_new();
        status = run_digest(db, &runs[i], &o, job->digest, diags);
        digest_text(&all, "run ", runs[i].name);
        digest_text(&all, "digest ", job->digest);
        if (!status && !o.redraw && runs[i].bucket_count >= 2 && runs[i].level_count > 0) {
            char *folder_name = render_folder_name(runs[i].name);
            char *folder = xasprintf("%s/%s", dir, folder_name);
            free(folder_name);
            tempname_sweep_dir(folder); /* what a killed p3 left */
            job->stands = charts_stand(folder, job->digest, pool.names, pool.name_count);
            if (job->stands)
                job->folder = folder;
            else
                free(folder);
        }
    }
    size_t to_draw = 0;
    for (size_t i = 0; i < count; i++)
        to_draw += !pool.jobs[i].stands;
    render_summary planned = {.runs = count, .drawn = to_draw};
    if (!status)
        sha256_final_hex(&all, planned.digest);
    if (!status && hooks && hooks->on_planned)
        hooks->on_planned(ctx, &planned);
    if (!status) {
        int threads = o.jobs > 0 ? o.jobs : render_cpus();
        if ((size_t)threads > to_draw)
            threads = (int)(to_draw ? to_draw : 1);
        pthread_mutex_init(&pool.m, NULL);
        pthread_t *tid = xcalloc((size_t)threads, sizeof *tid);
        bool *started = xcalloc((size_t)threads, sizeof *started);
        for (int t = 1; t < threads; t++)
            started[t] = pthread_create(&tid[t], NULL, pool_worker, &pool) == 0;
        pool_worker(&pool); /* this thread works too; a thread that did not start is not missed */
        for (int t = 1; t < threads; t++)
            if (started[t])
                pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&pool.m);
        free(tid);
        free(started);
        /* Messages and the runs that stood, in run order. */
        for (size_t i = 0; i < count; i++) {
            render_job *job = &pool.jobs[i];
            for (size_t k = 0; k < diag_list_count(job->diags); k++) {
                const diag *d = diag_list_get(job->diags, k);
                diag_add(diags, d->severity, d->path, d->line, d->col, "%s", d->message);
            }
            if (job->stands && on_run)
                on_run(ctx, job->run->name, job->folder, false);
            if (!job->stands && !job->folder && !job->status && pool.failed)
                continue; /* not started after a failure */
            status = status_worst(status, job->status);
        }
    }
    if (summary && !status)
        *summary = planned;
    for (size_t i = 0; i < count; i++) {
        diag_list_free(pool.jobs[i].diags);
        free(pool.jobs[i].folder);
    }
    free(pool.jobs);
    free_names(pool.names, pool.name_count);
    results_free(runs, count);
    return status;
}
