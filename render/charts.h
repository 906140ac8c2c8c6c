/* The companion charts of a run, beside its P3: the percentile ladder, the
 * cumulative distribution of delay per level, CPU truth (guest-reported
 * against host-measured CPU, overhead and useful work) and delay against
 * useful work. Each is written as a PNG, PDF or SVG file, or drawn onto a
 * cairo context so that the report can place it on a page. They look like
 * the P3 (same font, sizes and level colours) and draw what the results
 * say, including that a figure is unknown. This module only draws: it
 * takes a results_run, never the store. */
#ifndef P3_CHARTS_H
#define P3_CHARTS_H

#include <cairo.h>
#include <stdbool.h>

#include "canvas.h"
#include "diag.h"
#include "p3chart.h"
#include "results.h"

typedef enum charts_kind {
    CHARTS_LADDER, /* p50, p90, p95, p99 against load level; CIs as error bars; endurance line */
    CHARTS_CDF,    /* share of samples at or under each delay, one curve per level */
    CHARTS_CPU,    /* per level: guest-reported CPU beside host-measured (useful + overhead) */
    CHARTS_USEFUL  /* p95 against useful CPU: where native and virtual runs compare */
} charts_kind;
#define CHARTS_KIND_COUNT 4

/* The chart's file stem, "ladder", "cdf", "cpu" or "useful": the driver
 * writes DIR/<run>/<stem>.png. */
const char *charts_name(charts_kind kind);

typedef struct charts_options {
    int width, height;        /* canvas units as p3chart's: pixels at 96 dpi or points; 0: 1600 x 1000 */
    canvas_format format;     /* default PNG */
    int dpi;                  /* PNG resolution; 0: 96 */
    p3chart_palette palette;  /* level colours, as in the P3 */
    bool log_delay;           /* the CDF's delay axis logarithmic */
    double text_scale;        /* every font size times this; 0: 1 */
    bool hide_run_title;      /* leave out the line with the run's title (the report's pages say it) */
} charts_options;

/* Draws chart `kind` of run into the file at path, written whole or not at
 * all. opts may be NULL for the defaults. Returns STATUS_OK, or
 * STATUS_FAILURE with a diagnostic naming path. */
int charts_write(charts_kind kind, const results_run *run, const charts_options *opts,
                 const char *path, diag_list *diags);

/* Draws chart `kind` of run on cr in the rectangle (0, 0)-(width, height)
 * of its user space, background included. opts' format, size and dpi are
 * ignored. A chart whose data the run lacks says so in its plot area. */
void charts_draw(cairo_t *cr, charts_kind kind, const results_run *run,
                 const charts_options *opts, double width, double height);

/* Draws "p95 delay against useful work" of every run on one axis, a line
 * per run through its levels, on cr in (0, 0)-(width, height): where native
 * and virtual runs compare. Runs without host-side CPU measurement are left
 * out and named in a note. opts as for charts_draw(). */
void charts_draw_runs(cairo_t *cr, const results_run *runs, size_t count,
                      const charts_options *opts, double width, double height);

/* The charts of a comparison of two runs whose levels are the same, in
 * the same order (a level one of them lacks has n 0): the sides of a
 * compare_results. Each draws on cr in (0, 0)-(width, height), its run
 * names from the runs' names; opts as for charts_draw(). */

/* Both runs' percentile ladders (p50, p90, p95, p99 by level) over each
 * other: run solid with filled marks, baseline dashed with open marks. */
void charts_draw_ladders(cairo_t *cr, const results_run *baseline, const results_run *run,
                         const charts_options *opts, double width, double height);

/* Per delay bucket, a bar per level both runs have samples in: run's share
 * of the level's samples in the bucket minus the baseline's, in percentage
 * points, with the endurance line among the buckets. */
void charts_draw_difference(cairo_t *cr, const results_run *baseline, const results_run *run,
                            const charts_options *opts, double width, double height);

/* Whether run has a level with both a p95 and a useful CPU figure, so that
 * charts_draw_runs() can draw it. */
bool charts_run_has_useful(const results_run *run);

#endif
