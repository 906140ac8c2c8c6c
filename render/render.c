#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "charts.h"
#include "results.h"
#include "status.h"
#include "xalloc.h"

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

/* The P3 of a run in one format. */
static int write_p3(const results_run *run, const render_options *o, const chart_format *format,
                    const char *folder, diag_list *diags)
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
    char *path = xasprintf("%s/p3.%s", folder, format->extension);
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
            status = write_p3(run, o, &chart_formats[i], folder, diags);
        if (!status)
            status = write_companions(run, o, &chart_formats[i], folder, diags);
    }
    if (status)
        free(folder);
    else
        *folder_out = folder;
    return status;
}

int render_all(sqlite3 *db, const char *dir, const char *run_name, const render_options *opts,
               render_run_fn on_run, void *ctx, diag_list *diags)
{
    render_options o = opts ? *opts : (render_options){0};
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
    for (size_t i = 0; i < count && status != STATUS_FAILURE; i++) {
        char *folder = NULL;
        int s = render_run(&runs[i], dir, &o, &folder, diags);
        status = status_worst(status, s);
        if (!s && on_run)
            on_run(ctx, runs[i].name, folder);
        free(folder);
    }
    results_free(runs, count);
    return status;
}
