/* The render stage's driver: reads the result tables of every analysed run
 * and writes its charts under DIR/<run>/: the P3 (p3) through p3chart and
 * the companion charts (ladder, cdf, cpu, useful) through charts, each in
 * every format asked for. */
#ifndef P3_RENDER_H
#define P3_RENDER_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "p3chart.h"

/* The file formats of the charts, as a set: DIR/<run>/p3.png, p3.pdf, ...
 * The command layer may give further bits a meaning of its own (a workbook)
 * above RENDER_FORMAT_CHARTS. */
enum {
    RENDER_PNG = 1u << 0,
    RENDER_PDF = 1u << 1,
    RENDER_SVG = 1u << 2,
    RENDER_FORMAT_CHARTS = RENDER_PNG | RENDER_PDF | RENDER_SVG /* the bits render_all() draws */
};

/* The charts of a run, as a set: the P3 and the companion charts of
 * charts.h, RENDER_CHART_P3 << (1 + kind). */
enum {
    RENDER_CHART_P3 = 1u << 0,     /* p3.* */
    RENDER_CHART_LADDER = 1u << 1, /* ladder.* */
    RENDER_CHART_CDF = 1u << 2,    /* cdf.* */
    RENDER_CHART_CPU = 1u << 3,    /* cpu.* */
    RENDER_CHART_USEFUL = 1u << 4, /* useful.* */
    RENDER_CHART_ALL = (1u << 5) - 1
};

typedef struct render_options {
    unsigned formats;       /* RENDER_* bits; none of the chart bits: PNG */
    unsigned charts;        /* RENDER_CHART_* bits; 0: all */
    p3chart_options chart;  /* size, dpi, overflow, palette of every chart; format ignored */
    bool log_delay;         /* the cumulative distribution's delay axis logarithmic */
    long long workbook_samples; /* the most samples p3.xlsx carries, as workbook_options'
                                   sample_limit (0: the default); render_all() ignores it */
    int jobs;               /* runs drawn at once; 0: the CPUs p3 may use */
    bool redraw;            /* draw every run, even one whose charts stand */
    bool sheet_image;       /* also draw RENDER_SHEET_IMAGE, the P3 as the workbook embeds it */
} render_options;

/* The P3 the workbook embeds in a run's sheet: a PNG of the chart's layout at
 * half its resolution, which the sheet shows at half the chart's size, so it
 * looks as a scaled-down p3.png would at a quarter of the bytes. */
#define RENDER_SHEET_IMAGE "p3-sheet.png"

/* Called after each run's charts are written or found standing (may be
 * NULL); `drawn` is false when they stood. Calls come from one thread at a
 * time, in the order the runs finish. */
typedef void (*render_run_fn)(void *ctx, const char *run, const char *folder, bool drawn);

/* What render_all() did. */
typedef struct render_summary {
    size_t runs;    /* runs with charts */
    size_t drawn;   /* of which drawn now; the others' charts stood */
    char digest[65]; /* SHA-256 over every run's render digest, in run order: what the
                        combined outputs (report, workbook) are drawn from, with them */
} render_summary;

/* What render_all() tells as it goes; any of it may be NULL. on_planned is
 * called once, from the calling thread, when every run's digest is known
 * and before any is drawn (summary->drawn counts the runs to draw), so
 * that combined outputs drawn from the store alone can start beside the
 * runs. */
typedef struct render_hooks {
    render_run_fn on_run;
    void (*on_planned)(void *ctx, const render_summary *summary);
    void *ctx;
} render_hooks;

/* Writes the charts of every analysed run (or only run_name when not NULL)
 * under dir, creating folders as needed, opts->jobs runs at a time. A run
 * whose folder holds a record (.p3-render) of charts drawn from the same
 * results, with the same options, by the same p3 version, and whose charts
 * are all there, is not drawn again (unless opts->redraw). The bytes do not
 * depend on jobs. opts may be NULL for defaults; summary may be NULL.
 * Returns STATUS_OK, STATUS_BAD_INPUT when there is nothing to draw (no
 * analysed run, run_name unknown, a run without results), or
 * STATUS_FAILURE. */
int render_all(sqlite3 *db, const char *dir, const char *run_name, const render_options *opts,
               const render_hooks *hooks, render_summary *summary, diag_list *diags);

/* The digest the combined outputs (report.pdf, p3.xlsx) are drawn from:
 * every run's (summary->digest), the comparisons in the store, and
 * `options`, the caller's text for whatever else they depend on. */
int render_combined_digest(sqlite3 *db, const render_summary *summary, const char *options,
                           char hex[65], diag_list *diags);

/* The number of CPUs this process may run on (at least 1). */
int render_cpus(void);

/* Whether dir/name was written by the render whose combined digest is
 * `digest` (recorded by render_stand_record()), and is still there. */
bool render_stands(const char *dir, const char *name, const char *digest);

/* Records that dir/name was written from `digest` (a hidden file beside it,
 * .<name>.p3-render); problems are ignored: the next render redoes it. */
void render_stand_record(const char *dir, const char *name, const char *digest);

/* The folder name for a run: its name, with characters that are unsafe in
 * file names (/, \, control characters, a leading dot, ...) replaced by '_'
 * and cut to 96 bytes; a name that had to change gets "~" and 8 hex digits
 * of its SHA-256, so that two runs never share a folder ("a/b" and "a_b").
 * Caller frees. */
char *render_folder_name(const char *run);

#endif
