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
} render_options;

/* Called after each run's charts are written (may be NULL). */
typedef void (*render_run_fn)(void *ctx, const char *run, const char *folder);

/* Writes the charts of every analysed run (or only run_name when not NULL)
 * under dir, creating folders as needed. opts may be NULL for defaults.
 * Returns STATUS_OK, STATUS_BAD_INPUT when there is nothing to draw (no
 * analysed run, run_name unknown, a run without results), or
 * STATUS_FAILURE. */
int render_all(sqlite3 *db, const char *dir, const char *run_name, const render_options *opts,
               render_run_fn on_run, void *ctx, diag_list *diags);

/* The folder name for a run: its name with characters that are unsafe in
 * file names (/, \, control characters, leading dots) replaced by '_'.
 * Caller frees. */
char *render_folder_name(const char *run);

#endif
