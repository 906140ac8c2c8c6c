/* p3 render: charts and the report of analysed runs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare_results.h"
#include "compare_sheet.h"
#include "render.h"
#include "report_pdf.h"
#include "status.h"
#include "store.h"
#include "workbook.h"
#include "xalloc.h"

/* A name the command line takes for a bit of a set. */
typedef struct named_bit {
    const char *name;
    unsigned bit;
} named_bit;

/* --format's names: bits of render_options.formats. */
static const named_bit format_names[] = {{"png", RENDER_PNG}, {"pdf", RENDER_PDF},
                                         {"svg", RENDER_SVG}, {"xlsx", CLI_FORMAT_XLSX}};
/* --charts' names: bits of render_options.charts. */
static const named_bit chart_names[] = {{"p3", RENDER_CHART_P3},
                                        {"ladder", RENDER_CHART_LADDER},
                                        {"cdf", RENDER_CHART_CDF},
                                        {"cpu", RENDER_CHART_CPU},
                                        {"useful", RENDER_CHART_USEFUL}};

/* PNG resolutions --dpi accepts, and the largest image side in pixels. */
#define DPI_MIN 48
#define DPI_MAX 600
#define PIXELS_MAX 20000

/* The combined outputs of a render: report.pdf, drawn from the store alone,
 * starts on a thread of its own as soon as the runs' digests are known, so
 * that it is drawn beside the runs' charts; the workbook, which embeds the
 * runs' images, follows them. Each output is made by one thread from its
 * own connection to the store, so the bytes do not depend on the timing. */
typedef struct render_state {
    sqlite3 *db;
    const char *dir, *run;
    const cli_render_setup *setup;
    size_t runs;             /* runs with charts, drawn or standing */
    /* report.pdf */
    char *report_options;    /* what else it is drawn from */
    char *report_digest;     /* NULL: written whatever stands */
    bool report_wanted;      /* to be written */
    bool report_started;     /* on its thread */
    pthread_t report_thread;
    int report_status;
    diag_list *report_diags; /* its messages, printed after the runs' */
} render_state;

/* Counts the runs with charts and shows progress. */
static void on_run(void *ctx, const char *run, const char *folder, bool drawn)
{
    (void)folder;
    ++((render_state *)ctx)->runs;
    cli_progress("render: %s%s", run, drawn ? "" : " (unchanged)");
}

/* Whether the combined output dir/name must be written: not when it was
 * written from the same digest and is still there (digest NULL: always). */
static bool combined_wanted(const char *dir, const char *name, const char *digest,
                            const cli_render_setup *setup)
{
    return !digest || setup->render.redraw || !render_stands(dir, name, digest);
}

/* The digest of a combined output: the runs, the comparisons, and what
 * else it is drawn from (options). NULL when it cannot be made: then the
 * output is written. Caller frees. */
static char *combined_digest(sqlite3 *db, const render_summary *sum, const char *options)
{
    char hex[65];
    diag_list *ignored = diag_list_new();
    bool ok = sum->runs > 0 && render_combined_digest(db, sum, options, hex, ignored) == 0;
    diag_list_free(ignored);
    return ok ? xstrdup(hex) : NULL;
}

/* Writes report.pdf from db, and its record when it went well. */
static int write_report(sqlite3 *db, render_state *st, diag_list *diags)
{
    const cli_render_setup *setup = st->setup;
    report_pdf_options report = {.title = setup->title,
                                 .run_name = st->run,
                                 .overflow = setup->render.chart.overflow,
                                 .palette = setup->render.chart.palette,
                                 .log_delay = setup->render.log_delay};
    char *path = xasprintf("%s/report.pdf", st->dir);
    int status = report_pdf_write(db, path, &report, diags);
    if (!status && st->report_digest)
        render_stand_record(st->dir, "report.pdf", st->report_digest);
    free(path);
    return status;
}

/* report.pdf on its own thread, from a connection of its own. */
static void *report_thread(void *arg)
{
    render_state *st = arg;
    sqlite3 *db;
    st->report_status = store_open(sqlite3_db_filename(st->db, "main"), STORE_READ_ONLY, &db,
                                   st->report_diags);
    if (!st->report_status)
        st->report_status = write_report(db, st, st->report_diags);
    store_close(db);
    return NULL;
}

/* Once the runs' digests are known: whether report.pdf is to be written,
 * and if so, its start beside the runs (in this thread later, when the
 * store is not a file a second connection can open). */
static void on_planned(void *ctx, const render_summary *planned)
{
    render_state *st = ctx;
    if (!st->setup->report || planned->runs == 0)
        return;
    st->report_digest = combined_digest(st->db, planned, st->report_options);
    st->report_wanted = combined_wanted(st->dir, "report.pdf", st->report_digest, st->setup);
    const char *file = sqlite3_db_filename(st->db, "main");
    if (st->report_wanted && file && *file)
        st->report_started = pthread_create(&st->report_thread, NULL, report_thread, st) == 0;
}

int cli_render(sqlite3 *db, const char *dir, const char *run, const cli_render_setup *setup)
{
    diag_list *diags = diag_list_new();
    render_summary sum;
    render_state st = {.db = db, .dir = dir, .run = run, .setup = setup,
                       .report_diags = diag_list_new()};
    st.report_options = xasprintf("report.pdf title %s run %s overflow %d palette %d log %d",
                                  setup->title ? setup->title : "-", run ? run : "-",
                                  (int)setup->render.chart.overflow,
                                  (int)setup->render.chart.palette,
                                  (int)setup->render.log_delay);
    render_hooks hooks = {.on_run = on_run, .on_planned = on_planned, .ctx = &st};
    int status = render_all(db, dir, run, &setup->render, &hooks, &sum, diags);
    /* The workbook embeds the images the runs' charts came with; without a
     * run drawn, render_all() has said why, and the workbook would only
     * repeat it. */
    if (status != STATUS_FAILURE && st.runs > 0 && (setup->render.formats & CLI_FORMAT_XLSX)) {
        /* The Compare sheet goes with a workbook of every run, as in the report. */
        workbook_options book = {.chart_dir = dir,
                                 .run_name = run,
                                 .lab = setup->title,
                                 .palette = setup->render.chart.palette,
                                 .compare = !run && compare_results_any(db) ? &compare_sheet_hook
                                                                            : NULL,
                                 .sample_limit = setup->render.workbook_samples};
        char *options = xasprintf("p3.xlsx lab %s run %s palette %d compare %d samples %lld",
                                  setup->title ? setup->title : "-", run ? run : "-",
                                  (int)book.palette, book.compare != NULL,
                                  (long long)book.sample_limit);
        char *digest = status ? NULL : combined_digest(db, &sum, options);
        if (combined_wanted(dir, "p3.xlsx", digest, setup)) {
            cli_progress(st.report_started ? "render: p3.xlsx and report.pdf" : "render: p3.xlsx");
            char *path = xasprintf("%s/p3.xlsx", dir);
            int s = workbook_write(db, path, &book, diags);
            if (!s && digest)
                render_stand_record(dir, "p3.xlsx", digest);
            status = status_worst(status, s);
            free(path);
        }
        free(digest);
        free(options);
    }
    if (st.report_started) {
        cli_progress("render: report.pdf");
        pthread_join(st.report_thread, NULL);
    } else if (st.report_wanted && status != STATUS_FAILURE && st.runs > 0) {
        cli_progress("render: report.pdf");
        st.report_status = write_report(db, &st, st.report_diags);
    }
    status = status_worst(status, st.report_status);
    for (size_t k = 0; k < diag_list_count(st.report_diags); k++) {
        const diag *d = diag_list_get(st.report_diags, k);
        diag_add(diags, d->severity, d->path, d->line, d->col, "%s", d->message);
    }
    cli_progress_end();
    cli_print_diags(diags);
    diag_list_free(diags);
    diag_list_free(st.report_diags);
    free(st.report_digest);
    free(st.report_options);
    return status;
}

/* A comma list of names ("png,pdf") into the set of their bits. what
 * ("format") and hint ("png, pdf or svg") go into the message when a name
 * is unknown. */
static int parse_names(const cli_command *self, const char *list, const named_bit *names,
                       size_t count, const char *what, const char *hint, unsigned *bits)
{
    *bits = 0;
    const char *p = list;
    do {
        size_t len = strcspn(p, ","), i = 0;
        while (i < count && (strlen(names[i].name) != len || strncmp(p, names[i].name, len) != 0))
            i++;
        if (i == count)
            return cli_usage_error(self, "unknown %s '%.*s': use %s, or a comma list of them",
                                   what, (int)len, p, hint);
        *bits |= names[i].bit;
        p += len;
    } while (*p++ == ',');
    return STATUS_OK;
}

static int parse_size(const cli_command *self, const char *size, int dpi, p3chart_options *chart)
{
    int w = 1600, h = 1000;
    char end;
    if (size && (sscanf(size, "%dx%d%c", &w, &h, &end) != 2 || w < 320 || h < 200 ||
                 w > PIXELS_MAX || h > PIXELS_MAX))
        return cli_usage_error(self, "bad size '%s': use WIDTHxHEIGHT, e.g. 1600x1000, "
                               "from 320x200 to 20000x20000", size);
    if ((long)w * dpi / 96 > PIXELS_MAX || (long)h * dpi / 96 > PIXELS_MAX)
        return cli_usage_error(self, "size %dx%d at %d dpi makes a PNG of more than %d pixels a "
                               "side", w, h, dpi, PIXELS_MAX);
    if (size) {
        chart->width = w;
        chart->height = h;
    }
    return STATUS_OK;
}

int cli_render_options(const cli_command *self, const cli_render_args *args,
                       unsigned default_formats, cli_render_setup *setup)
{
    memset(setup, 0, sizeof *setup);
    render_options *r = &setup->render;
    p3chart_options *chart = &r->chart;
    r->formats = default_formats;
    if (args->format && parse_names(self, args->format, format_names,
                                    sizeof format_names / sizeof *format_names, "format",
                                    "png, pdf, svg or xlsx", &r->formats))
        return STATUS_USAGE;
    if (args->charts && parse_names(self, args->charts, chart_names,
                                    sizeof chart_names / sizeof *chart_names, "chart",
                                    "p3, ladder, cdf, cpu or useful", &r->charts))
        return STATUS_USAGE;
    if (!args->overflow || strcmp(args->overflow, "fold") == 0)
        chart->overflow = P3CHART_OVERFLOW_FOLD;
    else if (strcmp(args->overflow, "column") == 0)
        chart->overflow = P3CHART_OVERFLOW_COLUMN;
    else
        return cli_usage_error(self, "unknown overflow '%s': use fold or column", args->overflow);
    if (!args->palette || strcmp(args->palette, "paper") == 0)
        chart->palette = P3CHART_PALETTE_PAPER;
    else if (strcmp(args->palette, "colorblind") == 0)
        chart->palette = P3CHART_PALETTE_COLORBLIND;
    else
        return cli_usage_error(self, "unknown palette '%s': use paper or colorblind",
                               args->palette);
    int dpi = 96;
    if (args->dpi) {
        char end;
        if (sscanf(args->dpi, "%d%c", &dpi, &end) != 1 || dpi < DPI_MIN || dpi > DPI_MAX)
            return cli_usage_error(self, "bad dpi '%s': use a whole number from %d to %d",
                                   args->dpi, DPI_MIN, DPI_MAX);
        chart->dpi = dpi;
    }
    if (parse_size(self, args->size, dpi, chart))
        return STATUS_USAGE;
    r->log_delay = args->log_delay;
    r->redraw = args->redraw;
    if (args->jobs) {
        char *end;
        long j = strtol(args->jobs, &end, 10);
        if (end == args->jobs || *end || j < 1 || j > 256)
            return cli_usage_error(self, "bad --jobs '%s': use a number of runs from 1 to 256",
                                   args->jobs);
        r->jobs = (int)j;
    }
    /* The workbook embeds a P3 drawn for it with the other charts. */
    r->sheet_image = (r->formats & CLI_FORMAT_XLSX) != 0;
    setup->title = args->title;
    return STATUS_OK;
}

int cmd_render(const cli_command *self, int argc, char **argv)
{
    const char *db_path = CLI_DEFAULT_DB, *dir = NULL, *run = NULL, *workbook_samples = NULL;
    cli_render_args ra = {0};
    cli_option opts[] = {{"db", 0, &db_path, NULL},
                         {"output", 'o', &dir, NULL},
                         {"run", 0, &run, NULL},
                         {"workbook-samples", 0, &workbook_samples, NULL},
                         CLI_RENDER_OPTIONS(ra)};
    char **args;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &args, &count);
    if (status == STATUS_OK && count > 0)
        status = cli_usage_error(self, "unexpected argument '%s'", args[0]);
    free(args);
    if (status == STATUS_OK && !dir)
        status = cli_usage_error(self, "no output folder: give -o DIR");
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    cli_render_setup setup;
    if ((status = cli_render_options(self, &ra, RENDER_PNG, &setup)))
        return status;
    if (workbook_samples &&
        !workbook_parse_sample_limit(workbook_samples, &setup.render.workbook_samples))
        return cli_usage_error(self, "bad --workbook-samples '%s': use a whole number of samples, "
                               "0 for none", workbook_samples);
    setup.report = (setup.render.formats & RENDER_PDF) != 0;
    sqlite3 *db;
    status = cli_open_store(db_path, STORE_READ_ONLY, &db);
    if (!status)
        status = cli_render(db, dir, run, &setup);
    if (!status)
        cli_printf(stdout, "wrote charts under %s%s\n", dir, setup.report ? ", and report.pdf" : "");
    store_close(db);
    return status;
}
