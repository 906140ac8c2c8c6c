/* The P3 chart: a 3-D column chart of a run's delay distribution per load
 * level, drawn as the 2005 paper's figures were. Delay buckets run along X
 * (labelled with their upper edges), load levels along the depth axis with
 * the lightest in front, and the share of the level's samples (0-100 %) up
 * Z. This module only draws: it takes plain numbers, never the store. */
#ifndef P3_P3CHART_H
#define P3_P3CHART_H

#include <cairo.h>
#include <stddef.h>

#include "diag.h"

/* One load level: one row of columns. */
typedef struct p3chart_level {
    const char *name;   /* "None", "Low", ... */
    const double *pct;  /* bucket_count shares in %, 0..100, summing to 100 (or all 0 when n is 0) */
    long long n;        /* samples behind the shares */
} p3chart_level;

/* What to draw. Everything is borrowed for the duration of the call. */
typedef struct p3chart_data {
    const char *title;                /* the run's title */
    const char *const *bucket_labels; /* bucket_count labels: "50", ..., "1850", ">1850" */
    const double *bucket_upper;       /* bucket_count upper edges in ms; the last (overflow) is ignored */
    size_t bucket_count;              /* including the overflow bucket, which is last */
    const p3chart_level *levels;      /* lightest first */
    size_t level_count;
    double endurance_ms;              /* where the endurance line goes on the floor (1000) */
    const char *note;                 /* more to say under the chart (errors, approximate
                                         levels), or NULL */
} p3chart_data;

typedef enum p3chart_overflow {
    P3CHART_OVERFLOW_FOLD,  /* add the overflow share to the last column, with a note */
    P3CHART_OVERFLOW_COLUMN /* draw the overflow as a column of its own, labelled ">1850" */
} p3chart_overflow;

typedef enum p3chart_format {
    P3CHART_PNG,
    P3CHART_PDF,
    P3CHART_SVG
} p3chart_format;

/* The colours of the load levels. */
typedef enum p3chart_palette {
    P3CHART_PALETTE_PAPER,     /* six distinct fills as the paper's spreadsheet charts, Medium salmon */
    P3CHART_PALETTE_COLORBLIND /* Okabe-Ito based: apart under protanopia, deuteranopia, tritanopia */
} p3chart_palette;

typedef struct p3chart_options {
    int width, height;          /* canvas units: pixels at 96 dpi for PNG, points for PDF/SVG; 0: 1600 x 1000 */
    p3chart_overflow overflow;  /* default FOLD */
    p3chart_format format;      /* default PNG */
    p3chart_palette palette;    /* default PAPER */
    int dpi;                    /* PNG only: pixels are width * dpi / 96; 0: 96 (PDF, SVG ignore it) */
    double text_scale;          /* every font size times this (the report's print size); 0: 1 */
} p3chart_options;

/* Draws the chart into the file at path (written whole or not at all).
 * opts may be NULL for the defaults. Returns STATUS_OK, or STATUS_FAILURE
 * with a diagnostic naming path. */
int p3chart_write(const p3chart_data *data, const p3chart_options *opts, const char *path,
                  diag_list *diags);

/* Draws the chart on cr in the rectangle (0, 0)-(width, height) of its user
 * space, white background included (the report places it on a page).
 * opts' format, size and dpi are ignored. An empty title leaves the title
 * out. Returns STATUS_OK, or STATUS_FAILURE with a diagnostic when there is
 * nothing to draw (no level, no bucket); cairo's status is left to the
 * caller to check. */
int p3chart_draw(cairo_t *cr, const p3chart_data *data, const p3chart_options *opts,
                 double width, double height, diag_list *diags);

/* The fill colour of load level `level` (0 = the lightest) in palette, as
 * red, green and blue in 0..1: the colour of the front faces of that
 * level's columns and of its legend swatch, and of the level in every
 * other chart. Each palette has twelve colours and repeats after them. */
void p3chart_palette_rgb(p3chart_palette palette, size_t level, double rgb[3]);

/* The same in the "paper" palette, the default. */
void p3chart_level_rgb(size_t level, double rgb[3]);

#endif
