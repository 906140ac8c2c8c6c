#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "xalloc.h"

#define DEFAULT_WIDTH 1600
#define DEFAULT_HEIGHT 1000

/* Sizes in pixels on the default 1600 x 1000 canvas, the P3's: every one
 * scales with the canvas (frame.unit), fonts also with the text scale
 * (frame.font_unit) and no smaller than MIN_FONT_PX. */
#define TITLE_PX 30.0
#define SUBTITLE_PX 19.0
#define AXIS_TITLE_PX 19.0
#define TICK_PX 17.0
#define LEGEND_PX 18.0
#define NOTE_PX 15.0
#define VALUE_PX 14.0   /* figures on bars and beside points */
#define MESSAGE_PX 22.0 /* what the plot area says when the run lacks the data */
#define MIN_FONT_PX 6.0
#define MARGIN_PX 24.0
#define GAP_PX 10.0
#define LEADING 1.25 /* distance of lines of text, in text heights */
/* Longest level name on the category axis and in legends, and longest
 * other legend entry, in ems of their font. */
#define NAME_MAX_EM 12.0
#define ENTRY_MAX_EM 24.0
/* Notes under the plot: at most this many lines each. */
#define NOTE_MAX_LINES 2
/* Lines and markers, in pixels on the default canvas. */
#define LINE_PX 3.0
#define MARKER_PX 7.0
#define CAP_PX 7.0   /* half width of an error bar's cap */
#define KEY_PX 6.0   /* height of the level's colour key under the category axis */
/* A linear delay axis reaching past this many endurance lines squeezes
 * everything else into its floor: the axis turns logarithmic instead, and
 * the chart says so. */
#define LOG_AUTO_RATIO 20.0

/* Colours as 0xRRGGBB, those shared with the P3 first. */
#define COLOUR_BACKGROUND 0xFFFFFF
#define COLOUR_PLOT 0xF6F7F9       /* the plot area, as the P3's back wall */
#define COLOUR_GRID 0xD9DDE2
#define COLOUR_MINOR_GRID 0xE9EBEE
#define COLOUR_AXIS 0x8A9099
#define COLOUR_TEXT 0x262626
#define COLOUR_MUTED 0x666B73
#define COLOUR_ENDURANCE 0xC62828
#define COLOUR_GUEST 0xB9C0C9      /* guest-reported CPU */
#define COLOUR_GUEST_EDGE 0x6E7681
#define COLOUR_USEFUL 0x2B6CB0     /* host-measured CPU doing useful work */
#define COLOUR_OVERHEAD 0xE69F00   /* host-measured CPU spent on virtualization */
#define COLOUR_READY 0x6A3D9A      /* ready time: the guest waited for a physical CPU */
#define COLOUR_CONNECT 0x9AA1AA    /* the line through a run's levels */

/* The percentile ladder's series: a blue ramp from light (p50) to dark
 * (p99), told apart by markers too; p95, which the onset rule reads, drawn
 * heaviest. */
enum { MARK_CIRCLE, MARK_SQUARE, MARK_DIAMOND, MARK_TRIANGLE };
typedef struct series_style {
    const char *name;
    uint32_t colour;
    int marker;
    double width; /* line width in LINE_PX */
} series_style;
static const series_style ladder_series[] = {
    {"p50", 0x7FB3D5, MARK_CIRCLE, 0.8},
    {"p90", 0x4A90C2, MARK_SQUARE, 0.8},
    {"p95", 0x1F5F9E, MARK_DIAMOND, 1.3},
    {"p99", 0x0B2E59, MARK_TRIANGLE, 0.8},
};
#define LADDER_SERIES (sizeof ladder_series / sizeof *ladder_series)

typedef struct box {
    double x0, y0, x1, y1;
} box;

typedef struct font {
    double size;
    canvas_style style;
    uint32_t colour;
} font;

/* One chart being drawn: the canvas, its scale, its fonts, and the band
 * between header and footer that layout narrows down to the plot. */
typedef struct frame {
    cairo_t *cr;
    const results_run *run;
    const results_run *baseline; /* a comparison's baseline, whose levels are run's; or NULL */
    const charts_options *o;
    double width, height;
    double unit;      /* scale of lines and marks: 1 on the default canvas */
    double font_unit; /* unit times the text scale */
    font title, subtitle, axis_title, tick, legend, note, value, message;
    double top, bottom; /* free band */
    double margin, gap;
    box plot;
} frame;

/* ---- text ---- */

static void use_font(cairo_t *cr, const font *f)
{
    canvas_font(cr, f->size, f->style);
    canvas_rgb(cr, f->colour);
}

static double text_width(cairo_t *cr, const font *f, const char *s)
{
    canvas_font(cr, f->size, f->style);
    return canvas_text_width(cr, s);
}

static double font_height(cairo_t *cr, const font *f)
{
    double ascent, descent;
    canvas_font(cr, f->size, f->style);
    canvas_font_extents(cr, &ascent, &descent);
    return ascent + descent;
}

/* Draws s with its box's point (ax, ay) (0 left/top .. 1 right/bottom) at
 * (x, y), turned counter-clockwise by angle radians about it. */
static void put_text(cairo_t *cr, const font *f, const char *s, double x, double y, double ax,
                     double ay, double angle)
{
    if (!*s)
        return;
    double ascent, descent;
    use_font(cr, f);
    canvas_font_extents(cr, &ascent, &descent);
    double w = canvas_text_width(cr, s), h = ascent + descent;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -angle);
    cairo_move_to(cr, -ax * w, -ay * h + ascent);
    canvas_show_text(cr, s);
    cairo_restore(cr);
}

/* put_text() on a patch of the plot's colour, so that a label inside the
 * plot stays readable where lines cross it. */
static void put_text_on_plot(cairo_t *cr, const font *f, const char *s, double x, double y,
                             double ax, double ay)
{
    double ascent, descent;
    canvas_font(cr, f->size, f->style);
    canvas_font_extents(cr, &ascent, &descent);
    double w = canvas_text_width(cr, s), h = ascent + descent, pad = 0.15 * h;
    cairo_rectangle(cr, x - ax * w - pad, y - ay * h, w + 2 * pad, h);
    canvas_rgb(cr, COLOUR_PLOT);
    cairo_fill(cr);
    put_text(cr, f, s, x, y, ax, ay, 0);
}

/* s cleaned and cut with an ellipsis to max_width in font f. Caller frees. */
static char *fit_text(cairo_t *cr, const font *f, const char *s, double max_width)
{
    char *clean = canvas_clean_text(s);
    canvas_font(cr, f->size, f->style);
    char *fitted = canvas_ellipsize(cr, clean, max_width);
    free(clean);
    return fitted;
}

/* "1,250" for tick labels and figures in ms; decimals only when the step
 * needs them. Caller frees. */
static char *format_value(double v, double step)
{
    if (step >= 1 || v == 0) {
        char *g = canvas_group_digits(llround(v));
        return g;
    }
    int decimals = (int)ceil(-log10(step) - 1e-9);
    return xasprintf("%.*f", decimals > 6 ? 6 : decimals, v);
}

/* "1 s", or "1500 ms" for a line that is not a whole number of seconds. */
static char *endurance_text(double ms)
{
    return fmod(ms, 1000) == 0 ? xasprintf("%g s", ms / 1000) : xasprintf("%g ms", ms);
}

/* ---- colours and marks ---- */

static void level_rgb(const frame *f, size_t level, double rgb[3])
{
    p3chart_palette_rgb(f->o->palette, level, rgb);
}

static uint32_t rgb_pack(const double rgb[3])
{
    uint32_t c = 0;
    for (int i = 0; i < 3; i++)
        c = c << 8 | (uint32_t)lround(fmin(fmax(rgb[i], 0), 1) * 255);
    return c;
}

/* The colour darkened to the share k (0..1). */
static uint32_t darker(uint32_t c, double k)
{
    double rgb[3] = {((c >> 16) & 0xFF) / 255.0 * k, ((c >> 8) & 0xFF) / 255.0 * k,
                     (c & 0xFF) / 255.0 * k};
    return rgb_pack(rgb);
}

/* Light colours (yellow, gold) vanish as thin lines on a light plot: they
 * get a darker outline. Relative luminance as in WCAG, roughly. */
static bool is_light(uint32_t c)
{
    double r = ((c >> 16) & 0xFF) / 255.0, g = ((c >> 8) & 0xFF) / 255.0, b = (c & 0xFF) / 255.0;
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.7;
}

static void marker_path(cairo_t *cr, int marker, double x, double y, double r)
{
    switch (marker) {
    case MARK_SQUARE:
        cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
        break;
    case MARK_DIAMOND:
        cairo_move_to(cr, x, y - 1.2 * r);
        cairo_line_to(cr, x + 1.2 * r, y);
        cairo_line_to(cr, x, y + 1.2 * r);
        cairo_line_to(cr, x - 1.2 * r, y);
        cairo_close_path(cr);
        break;
    case MARK_TRIANGLE:
        cairo_move_to(cr, x, y - 1.2 * r);
        cairo_line_to(cr, x + 1.1 * r, y + 0.8 * r);
        cairo_line_to(cr, x - 1.1 * r, y + 0.8 * r);
        cairo_close_path(cr);
        break;
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        break;
    }
}

static void draw_marker(const frame *f, int marker, double x, double y, uint32_t colour)
{
    cairo_t *cr = f->cr;
    marker_path(cr, marker, x, y, MARKER_PX * f->unit);
    canvas_rgb(cr, colour);
    cairo_fill_preserve(cr);
    canvas_rgb(cr, darker(colour, 0.55));
    cairo_set_line_width(cr, fmax(0.5, 1.2 * f->unit));
    cairo_stroke(cr);
}

/* ---- header, legend and notes ---- */

typedef enum swatch {
    SWATCH_BOX,      /* a filled square: bars */
    SWATCH_LINE,     /* a line with the marker on it: series */
    SWATCH_DASHED,   /* a dashed line: reference lines */
    SWATCH_ERRORBAR  /* a capped vertical bar: confidence intervals */
} swatch;

typedef struct legend_entry {
    char *label;     /* owned, cleaned and fitted */
    uint32_t colour;
    swatch kind;
    int marker;      /* SWATCH_LINE's marker, or -1 */
    double width;    /* line width in LINE_PX */
} legend_entry;

typedef struct legend {
    legend_entry *e;
    size_t count;
} legend;

/* Adds an entry; max_em is NAME_MAX_EM for level names, else ENTRY_MAX_EM. */
static void legend_add(frame *f, legend *l, const char *label, uint32_t colour, swatch kind,
                       int marker, double width, double max_em)
{
    l->e = xreallocarray(l->e, l->count + 1, sizeof *l->e);
    double max = max_em * f->legend.size;
    l->e[l->count++] = (legend_entry){fit_text(f->cr, &f->legend, label, max), colour, kind,
                                      marker, width};
}

static void legend_free(legend *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->e[i].label);
    free(l->e);
}

static void draw_swatch(const frame *f, const legend_entry *e, double x, double mid, double w)
{
    cairo_t *cr = f->cr;
    double h = font_height(cr, &f->legend), u = f->unit;
    canvas_rgb(cr, e->colour);
    switch (e->kind) {
    case SWATCH_BOX:
        cairo_rectangle(cr, x + (w - 0.75 * h) / 2, mid - 0.375 * h, 0.75 * h, 0.75 * h);
        cairo_fill_preserve(cr);
        canvas_rgb(cr, darker(e->colour, 0.55));
        cairo_set_line_width(cr, fmax(0.5, 1.0 * u));
        cairo_stroke(cr);
        break;
    case SWATCH_ERRORBAR:
        cairo_set_line_width(cr, fmax(0.6, 1.6 * u));
        cairo_move_to(cr, x + w / 2, mid - 0.45 * h);
        cairo_line_to(cr, x + w / 2, mid + 0.45 * h);
        cairo_move_to(cr, x + w / 2 - 0.25 * h, mid - 0.45 * h);
        cairo_line_to(cr, x + w / 2 + 0.25 * h, mid - 0.45 * h);
        cairo_move_to(cr, x + w / 2 - 0.25 * h, mid + 0.45 * h);
        cairo_line_to(cr, x + w / 2 + 0.25 * h, mid + 0.45 * h);
        cairo_stroke(cr);
        break;
    case SWATCH_DASHED:
    case SWATCH_LINE: {
        const double dash[] = {6 * u, 4 * u};
        if (e->kind == SWATCH_DASHED)
            cairo_set_dash(cr, dash, 2, 0);
        if (e->kind == SWATCH_LINE && is_light(e->colour)) {
            canvas_rgb(cr, darker(e->colour, 0.6));
            cairo_set_line_width(cr, fmax(1, (e->width * LINE_PX + 2) * u));
            cairo_move_to(cr, x, mid);
            cairo_line_to(cr, x + w, mid);
            cairo_stroke(cr);
            canvas_rgb(cr, e->colour);
        }
        cairo_set_line_width(cr, fmax(0.75, e->width * LINE_PX * u));
        cairo_move_to(cr, x, mid);
        cairo_line_to(cr, x + w, mid);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        if (e->marker >= 0)
            draw_marker(f, e->marker, x + w / 2, mid, e->colour);
        break;
    }
    }
}

/* The width of an entry's swatch: lines need length, boxes and bars not. */
static double swatch_width(const legend_entry *e, double h)
{
    return e->kind == SWATCH_LINE || e->kind == SWATCH_DASHED ? 2.2 * h : 1.0 * h;
}

/* Draws the legend in centred rows at the top of the free band and takes
 * its height from the band. */
static void draw_legend(frame *f, const legend *l)
{
    if (l->count == 0)
        return;
    cairo_t *cr = f->cr;
    double h = font_height(cr, &f->legend), pad = 0.5 * f->gap;
    double room = f->width - 2 * f->margin, line = LEADING * h;
    size_t i = 0;
    while (i < l->count) {
        /* As many entries as fit in this row. */
        size_t end = i;
        double used = 0;
        while (end < l->count) {
            double w =
                swatch_width(&l->e[end], h) + pad + text_width(cr, &f->legend, l->e[end].label);
            if (end > i && used + 2.5 * f->gap + w > room)
                break;
            used += (end > i ? 2.5 * f->gap : 0) + w;
            end++;
        }
        double x = (f->width - fmin(used, room)) / 2, mid = f->top + line / 2;
        for (size_t k = i; k < end; k++) {
            double sw = swatch_width(&l->e[k], h);
            draw_swatch(f, &l->e[k], x, mid, sw);
            put_text(cr, &f->legend, l->e[k].label, x + sw + pad, mid, 0, 0.5, 0);
            x += sw + pad + text_width(cr, &f->legend, l->e[k].label) + 2.5 * f->gap;
        }
        f->top += line;
        i = end;
    }
    f->top += f->gap;
}

/* Title, the run's title under it, and the legend; the band starts below. */
static void draw_header(frame *f, const char *title, const legend *l)
{
    cairo_t *cr = f->cr;
    double room = f->width - 2 * f->margin;
    char *clean = canvas_clean_text(title);
    canvas_font(cr, f->title.size, f->title.style);
    char **lines;
    size_t n = canvas_wrap(cr, clean, room, 2, &lines);
    for (size_t i = 0; i < n; i++) {
        put_text(cr, &f->title, lines[i], f->width / 2, f->top, 0.5, 0, 0);
        f->top += (i + 1 < n ? 1.1 : LEADING) * font_height(cr, &f->title);
    }
    canvas_lines_free(lines, n);
    free(clean);
    if (!f->o->hide_run_title) {
        char *s = fit_text(cr, &f->subtitle, f->run->title, room);
        put_text(cr, &f->subtitle, s, f->width / 2, f->top, 0.5, 0, 0);
        f->top += LEADING * font_height(cr, &f->subtitle);
        free(s);
    }
    f->top += 0.5 * f->gap;
    draw_legend(f, l);
}

/* The notes under the plot, each wrapped to two lines at most, bottom
 * first; the band ends above them. */
static void draw_notes(frame *f, char *const *notes, size_t count)
{
    cairo_t *cr = f->cr;
    double h = font_height(cr, &f->note), room = f->width - 2 * f->margin;
    bool any = false;
    for (size_t i = count; i-- > 0;) {
        if (!notes[i])
            continue;
        char *clean = canvas_clean_text(notes[i]);
        canvas_font(cr, f->note.size, f->note.style);
        char **lines;
        size_t n = canvas_wrap(cr, clean, room, NOTE_MAX_LINES, &lines);
        for (size_t k = n; k-- > 0;) {
            put_text(cr, &f->note, lines[k], f->margin, f->bottom, 0, 1, 0);
            f->bottom -= LEADING * h;
        }
        canvas_lines_free(lines, n);
        free(clean);
        any = true;
    }
    if (any)
        f->bottom -= 0.5 * f->gap;
}

/* ---- axes ---- */

static double fmax_finite(double a, double b)
{
    return isfinite(b) && (!isfinite(a) || b > a) ? b : a;
}


#define AXIS_MAX_TICKS 64

typedef struct axis {
    double lo, hi;                 /* the range shown */
    bool log;                      /* logarithmic (lo > 0) */
    double step;                   /* linear: distance of ticks */
    size_t count;                  /* labelled ticks */
    double tick[AXIS_MAX_TICKS];
    char *label[AXIS_MAX_TICKS];   /* owned */
    size_t minor_count;            /* log: unlabelled gridlines */
    double minor[4 * AXIS_MAX_TICKS];
} axis;

static void axis_free(axis *a)
{
    for (size_t i = 0; i < a->count; i++)
        free(a->label[i]);
}

/* 0 to a round number at or above max, in about `target` round steps (1,
 * 2, 2.5 or 5 times a power of ten). */
static void axis_linear(axis *a, double max, double target)
{
    memset(a, 0, sizeof *a);
    if (!(max > 0) || !isfinite(max))
        max = 1;
    double raw = max / target, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
    a->step = step;
    a->hi = ceil(max / step - 1e-9) * step;
    for (size_t i = 0; i < AXIS_MAX_TICKS; i++) {
        double v = (double)i * step;
        if (v > a->hi + step * 1e-9)
            break;
        a->tick[a->count] = v;
        a->label[a->count++] = format_value(v, step);
    }
}

/* Whole decades from a power of ten at or under lo to one at or over hi,
 * with gridlines at 2..9 times each; a label on every decade, or on every
 * second when there are many. */
static void axis_log(axis *a, double lo, double hi)
{
    memset(a, 0, sizeof *a);
    a->log = true;
    double d0 = floor(log10(lo)), d1 = ceil(log10(hi));
    if (d1 <= d0)
        d1 = d0 + 1;
    if (d1 - d0 > AXIS_MAX_TICKS - 1)
        d0 = d1 - (AXIS_MAX_TICKS - 1);
    a->lo = pow(10, d0);
    a->hi = pow(10, d1);
    int every = d1 - d0 > 6 ? 2 : 1;
    for (double d = d0; d <= d1; d++) {
        double v = pow(10, d);
        if ((int)(d - d0) % every == 0) {
            a->tick[a->count] = v;
            a->label[a->count++] = v >= 1 ? canvas_group_digits(llround(v)) : xasprintf("%g", v);
        }
        for (int m = 2; m <= 9 && d < d1; m++)
            if (a->minor_count < sizeof a->minor / sizeof *a->minor)
                a->minor[a->minor_count++] = m * v;
    }
}

/* Where v lies along the axis, 0..1 (outside for values out of range; a
 * log axis puts values at or under 0 at its low end). */
static double axis_frac(const axis *a, double v)
{
    if (a->log) {
        if (!(v > 0))
            return 0;
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    }
    return (v - a->lo) / (a->hi - a->lo);
}

/* A delay axis for values up to max (the smallest above 0: min_pos; NAN
 * when none): linear from 0 in about `target` steps, or logarithmic when
 * asked (want_log) or when a linear one would reach past LOG_AUTO_RATIO
 * endurance lines (then *auto_log is set). The endurance line is always
 * in range. */
static void delay_axis(axis *a, double min_pos, double max, double endurance, bool want_log,
                       double target, bool *auto_log)
{
    double e = isfinite(endurance) && endurance > 0 ? endurance : 1000;
    *auto_log = !want_log && isfinite(max) && max > LOG_AUTO_RATIO * e;
    if (want_log || *auto_log) {
        double lo = isfinite(min_pos) && min_pos > 0 ? fmin(min_pos, e) : fmin(1, e);
        double hi = isfinite(max) ? fmax(max, e) : e;
        axis_log(a, lo, hi > lo ? hi : lo * 10);
        return;
    }
    axis_linear(a, fmax_finite(max, e * 1.1), target);
}

static double plot_x(const frame *f, const axis *a, double v)
{
    return f->plot.x0 + axis_frac(a, v) * (f->plot.x1 - f->plot.x0);
}

static double plot_y(const frame *f, const axis *a, double v)
{
    return f->plot.y1 - axis_frac(a, v) * (f->plot.y1 - f->plot.y0);
}

static double widest_label(const frame *f, const axis *a)
{
    double w = 0;
    for (size_t i = 0; i < a->count; i++)
        w = fmax(w, text_width(f->cr, &f->tick, a->label[i]));
    return w;
}

/* The plot's left, right and top edges, from the Y labels and titles. */
static void place_plot_sides(frame *f, const axis *y, double right_pad)
{
    double th = font_height(f->cr, &f->axis_title), h = font_height(f->cr, &f->tick);
    f->plot.x0 = f->margin + th + f->gap + widest_label(f, y) + 0.6 * f->gap;
    f->plot.x1 = f->width - f->margin - right_pad;
    f->plot.y0 = f->top + h / 2;
}

/* The plot's bottom edge, above labels of height labels_h and the X title. */
static void place_plot_bottom(frame *f, double labels_h)
{
    double th = font_height(f->cr, &f->axis_title);
    f->plot.y1 = f->bottom - th - 0.8 * f->gap - labels_h;
    if (f->plot.y1 < f->plot.y0 + 1)
        f->plot.y1 = f->plot.y0 + 1;
    if (f->plot.x1 < f->plot.x0 + 1)
        f->plot.x1 = f->plot.x0 + 1;
}

/* Plot background, horizontal gridlines at the Y ticks and (numeric X)
 * vertical ones at the X ticks, the axis lines, Y labels and both titles. */
static void draw_axes(const frame *f, const axis *x, const axis *y, const char *x_title,
                      const char *y_title, bool empty)
{
    cairo_t *cr = f->cr;
    const box *p = &f->plot;
    double u = f->unit;
    axis none = {0};
    cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
    canvas_rgb(cr, COLOUR_PLOT);
    cairo_fill(cr);
    if (empty) {
        /* Nothing to read off: no scale, only the frame and the titles. */
        x = NULL;
        y = &none;
    }
    cairo_set_line_width(cr, fmax(0.4, 0.8 * u));
    canvas_rgb(cr, COLOUR_MINOR_GRID);
    for (size_t i = 0; x && i < x->minor_count; i++) {
        double px = plot_x(f, x, x->minor[i]);
        cairo_move_to(cr, px, p->y0);
        cairo_line_to(cr, px, p->y1);
    }
    for (size_t i = 0; i < y->minor_count; i++) {
        double py = plot_y(f, y, y->minor[i]);
        cairo_move_to(cr, p->x0, py);
        cairo_line_to(cr, p->x1, py);
    }
    cairo_stroke(cr);
    cairo_set_line_width(cr, fmax(0.5, 1.0 * u));
    canvas_rgb(cr, COLOUR_GRID);
    for (size_t i = 1; i < y->count; i++) {
        double py = plot_y(f, y, y->tick[i]);
        cairo_move_to(cr, p->x0, py);
        cairo_line_to(cr, p->x1, py);
    }
    for (size_t i = 0; x && i < x->count; i++) {
        double px = plot_x(f, x, x->tick[i]);
        if (px > p->x0 + 0.5) {
            cairo_move_to(cr, px, p->y0);
            cairo_line_to(cr, px, p->y1);
        }
    }
    cairo_stroke(cr);
    cairo_set_line_width(cr, fmax(0.5, 1.3 * u));
    canvas_rgb(cr, COLOUR_AXIS);
    cairo_move_to(cr, p->x0, p->y0);
    cairo_line_to(cr, p->x0, p->y1);
    cairo_line_to(cr, p->x1, p->y1);
    cairo_stroke(cr);

    double h = font_height(cr, &f->tick), th = font_height(cr, &f->axis_title);
    double label_stride = 1, spacing = (p->y1 - p->y0) / (double)(y->count > 1 ? y->count - 1 : 1);
    while (spacing * label_stride < 1.2 * h && label_stride < (double)y->count)
        label_stride++;
    for (size_t i = 0; i < y->count; i += (size_t)label_stride)
        put_text(cr, &f->tick, y->label[i], p->x0 - 0.6 * f->gap, plot_y(f, y, y->tick[i]), 1,
                 0.5, 0);
    if (x) {
        double widest = widest_label(f, x),
               xs = (p->x1 - p->x0) / (double)(x->count > 1 ? x->count - 1 : 1);
        size_t stride = 1;
        while (xs * (double)stride < widest + f->gap && stride < x->count)
            stride++;
        for (size_t i = 0; i < x->count; i += stride)
            put_text(cr, &f->tick, x->label[i], plot_x(f, x, x->tick[i]), p->y1 + 0.6 * f->gap,
                     0.5, 0, 0);
    }
    char *yt = fit_text(cr, &f->axis_title, y_title, p->y1 - p->y0);
    put_text(cr, &f->axis_title, yt, f->margin, (p->y0 + p->y1) / 2, 0.5, 0, M_PI / 2);
    free(yt);
    /* Centred under the plot, moved in where it would reach past a margin. */
    char *xt = fit_text(cr, &f->axis_title, x_title, f->width - 2 * f->margin);
    double half = text_width(cr, &f->axis_title, xt) / 2;
    double mid = fmin(fmax((p->x0 + p->x1) / 2, f->margin + half), f->width - f->margin - half);
    put_text(cr, &f->axis_title, xt, mid, f->bottom - th, 0.5, 0, 0);
    free(xt);
}

/* ---- the load levels as categories along X ---- */

typedef struct categories {
    size_t count;
    char **name;     /* fitted level names */
    char **n;        /* "n=400", "no samples"; NULL entries when turned */
    bool turned;     /* names at 45 degrees */
    size_t stride;   /* every stride-th name shown */
    double height;   /* of the colour keys and labels under the axis */
} categories;

/* The colour key's height: thin, but never too thin to show its colour. */
static double key_height(const frame *f)
{
    return fmax(KEY_PX * f->unit, 2.5);
}

static double slot_width(const frame *f, size_t count)
{
    return (f->plot.x1 - f->plot.x0) / (double)(count ? count : 1);
}

static double slot_x(const frame *f, size_t count, size_t j)
{
    return f->plot.x0 + ((double)j + 0.5) * slot_width(f, count);
}

/* Fits the level names to their slots (the plot's sides must be placed):
 * level, or turned 45 degrees when the longest would not fit, and every
 * stride-th when even that is too tight. */
static void categories_prepare(frame *f, categories *c)
{
    cairo_t *cr = f->cr;
    const results_run *run = f->run;
    memset(c, 0, sizeof *c);
    c->count = run->level_count;
    c->name = xcalloc(c->count + 1, sizeof *c->name);
    c->n = xcalloc(c->count + 1, sizeof *c->n);
    double slot = slot_width(f, c->count), h = font_height(cr, &f->tick), widest = 0;
    for (size_t j = 0; j < c->count; j++) {
        c->name[j] = fit_text(cr, &f->tick, run->levels[j].name, NAME_MAX_EM * f->tick.size);
        widest = fmax(widest, text_width(cr, &f->tick, c->name[j]));
    }
    c->turned = widest + 0.5 * f->gap > slot;
    c->stride = 1;
    if (c->turned) {
        while (slot * (double)c->stride < 1.6 * h && c->stride < c->count)
            c->stride++;
        /* A turned name runs down to the left of its slot: those near the
         * left edge are cut shorter so that they stay on the canvas. */
        widest = 0;
        for (size_t j = 0; j < c->count; j++) {
            double room = (slot_x(f, c->count, j) + 0.35 * h - f->margin) / M_SQRT1_2 - h;
            if (text_width(cr, &f->tick, c->name[j]) > room) {
                free(c->name[j]);
                c->name[j] = fit_text(cr, &f->tick, run->levels[j].name, fmax(room, 0));
            }
            widest = fmax(widest, text_width(cr, &f->tick, c->name[j]));
        }
        c->height = key_height(f) + 0.6 * f->gap + (widest + h) * M_SQRT1_2;
    } else {
        font small = f->tick;
        small.size *= 0.85;
        for (size_t j = 0; j < c->count; j++) {
            long long n = run->levels[j].n;
            char *g = canvas_group_digits(n);
            char *s;
            if (f->baseline) { /* "n=300 / 280": the baseline's, then the run's */
                char *gb = canvas_group_digits(f->baseline->levels[j].n);
                s = xasprintf("n=%s / %s", gb, g);
                free(gb);
            } else {
                s = n > 0 ? xasprintf("n=%s", g) : xstrdup("no samples");
            }
            c->n[j] = fit_text(cr, &small, s, slot);
            free(s);
            free(g);
        }
        c->height = key_height(f) + 0.6 * f->gap + h + LEADING * font_height(cr, &small);
    }
}

static void categories_free(categories *c)
{
    for (size_t j = 0; j < c->count; j++) {
        free(c->name[j]);
        free(c->n[j]);
    }
    free(c->name);
    free(c->n);
}

/* Under each slot: the level's colour key, its name and sample count. */
static void draw_categories(const frame *f, const categories *c)
{
    cairo_t *cr = f->cr;
    double slot = slot_width(f, c->count), key = key_height(f);
    double y = f->plot.y1 + 0.3 * f->gap;
    for (size_t j = 0; j < c->count; j++) {
        double rgb[3], x = slot_x(f, c->count, j);
        level_rgb(f, j, rgb);
        cairo_rectangle(cr, x - 0.3 * slot, y, 0.6 * slot, key);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_fill(cr);
    }
    y += key + 0.3 * f->gap;
    font small = f->tick;
    small.size *= 0.85;
    small.colour = COLOUR_MUTED;
    double h = font_height(cr, &f->tick);
    for (size_t j = 0; j < c->count; j += c->stride) {
        double x = slot_x(f, c->count, j);
        if (c->turned) {
            put_text(cr, &f->tick, c->name[j], x + 0.35 * h, y, 1, 0, M_PI / 4);
        } else {
            put_text(cr, &f->tick, c->name[j], x, y, 0.5, 0, 0);
            put_text(cr, &small, c->n[j], x, y + LEADING * h, 0.5, 0, 0);
        }
    }
}

/* ---- shared pieces ---- */

/* The endurance line across the plot at delay ms on the Y axis, or (label)
 * its label at its right end: the line goes under the data, the label over
 * it. */
static void draw_endurance_y(const frame *f, const axis *y, bool label_only)
{
    double e = f->run->endurance_ms;
    if (!isfinite(e) || e <= y->lo || e > y->hi)
        return;
    cairo_t *cr = f->cr;
    double py = plot_y(f, y, e), u = f->unit;
    if (label_only) {
        font label = f->value;
        label.style = CANVAS_BOLD;
        label.colour = COLOUR_ENDURANCE;
        char *t = endurance_text(e);
        put_text_on_plot(cr, &label, t, f->plot.x1 - 0.5 * f->gap, py - 0.3 * f->gap, 1, 1);
        free(t);
        return;
    }
    const double dash[] = {9 * u, 5 * u};
    canvas_rgb(cr, COLOUR_ENDURANCE);
    cairo_set_line_width(cr, fmax(0.75, 2.0 * u));
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, f->plot.x0, py);
    cairo_line_to(cr, f->plot.x1, py);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* What the plot area says when the run lacks what the chart needs: a
 * headline and a line of explanation, centred. */
static void draw_message(const frame *f, const char *headline, const char *detail)
{
    cairo_t *cr = f->cr;
    const box *p = &f->plot;
    double room = 0.85 * (p->x1 - p->x0), mid = (p->y0 + p->y1) / 2;
    double hh = font_height(cr, &f->message);
    char *clean_head = canvas_clean_text(headline);
    canvas_font(cr, f->message.size, f->message.style);
    char **head;
    size_t heads = canvas_wrap(cr, clean_head, room, 2, &head);
    for (size_t k = 0; k < heads; k++)
        put_text(cr, &f->message, head[k], (p->x0 + p->x1) / 2,
                 mid - (double)(heads - 1 - k) * 1.1 * hh, 0.5, 1, 0);
    canvas_lines_free(head, heads);
    free(clean_head);
    if (detail) {
        font small = f->note;
        small.size = f->legend.size;
        char *clean = canvas_clean_text(detail);
        canvas_font(cr, small.size, small.style);
        char **lines;
        size_t n = canvas_wrap(cr, clean, room, 3, &lines);
        double y = mid + 0.3 * hh;
        for (size_t k = 0; k < n; k++) {
            put_text(cr, &small, lines[k], (p->x0 + p->x1) / 2, y, 0.5, 0, 0);
            y += LEADING * font_height(cr, &small);
        }
        canvas_lines_free(lines, n);
        free(clean);
    }
}

/* "Virtualization overhead: 5.0 % of a vCPU, assumed (...)": what the
 * useful-work figures subtract. Caller frees; NULL when unknown. */
static char *overhead_note(const results_run *run)
{
    if (run->native)
        return xstrdup(
            "Native server: no virtualization overhead; useful work is the host-measured "
            "CPU.");
    if (!isfinite(run->overhead))
        return NULL;
    if (run->overhead_assumed)
        return xasprintf(
            "Useful work = host-measured CPU minus a virtualization overhead of %.1f %% "
            "of a vCPU, assumed: the run cannot measure it.",
            run->overhead);
    if (isfinite(run->overhead_lo) && isfinite(run->overhead_hi))
        return xasprintf(
            "Useful work = host-measured CPU minus a virtualization overhead of %.1f %% "
            "of a vCPU (95 %% CI %.1f to %.1f), measured in this run.",
            run->overhead, run->overhead_lo, run->overhead_hi);
    return xasprintf(
        "Useful work = host-measured CPU minus a virtualization overhead of %.1f %% of "
        "a vCPU, measured in this run.",
        run->overhead);
}

/* Clips drawing to the plot area, widened by a marker's size so that
 * points on its edges show whole. */
static void clip_plot(const frame *f, double grow)
{
    const box *p = &f->plot;
    cairo_rectangle(f->cr, p->x0 - grow, p->y0 - grow, p->x1 - p->x0 + 2 * grow,
                    p->y1 - p->y0 + 2 * grow);
    cairo_clip(f->cr);
}

/* ---- the percentile ladder ---- */

/* Series s of level l: its value and 95 % interval (NAN where none). */
static void ladder_value(const results_level *l, size_t s, double *v, double *lo, double *hi)
{
    switch (s) {
    case 0: *v = l->p50, *lo = l->p50_lo, *hi = l->p50_hi; break;
    case 1: *v = l->p90, *lo = NAN, *hi = NAN; break;
    case 2: *v = l->p95, *lo = l->p95_lo, *hi = l->p95_hi; break;
    default: *v = l->p99, *lo = l->p99_lo, *hi = l->p99_hi; break;
    }
    if (l->n <= 0)
        *v = *lo = *hi = NAN;
}

static void draw_errorbar(const frame *f, double x, double y_lo, double y_hi, uint32_t colour)
{
    cairo_t *cr = f->cr;
    double cap = CAP_PX * f->unit;
    canvas_rgb(cr, colour);
    cairo_set_line_width(cr, fmax(0.6, 1.6 * f->unit));
    cairo_move_to(cr, x, y_lo);
    cairo_line_to(cr, x, y_hi);
    cairo_move_to(cr, x - cap, y_lo);
    cairo_line_to(cr, x + cap, y_lo);
    cairo_move_to(cr, x - cap, y_hi);
    cairo_line_to(cr, x + cap, y_hi);
    cairo_stroke(cr);
}

/* One series: its line through the levels (broken where a level has no
 * value), error bars, markers. Series sit side by side in a slot so that
 * their error bars do not cover each other. */
static void draw_ladder_series(const frame *f, const axis *y, size_t s)
{
    cairo_t *cr = f->cr;
    const series_style *st = &ladder_series[s];
    size_t count = f->run->level_count;
    double dodge = ((double)s - (LADDER_SERIES - 1) / 2.0) * 0.07 * slot_width(f, count);
    bool drawing = false;
    for (size_t j = 0; j < count; j++) {
        double v, lo, hi;
        ladder_value(&f->run->levels[j], s, &v, &lo, &hi);
        if (!isfinite(v)) {
            drawing = false;
            continue;
        }
        double x = slot_x(f, count, j) + dodge, py = plot_y(f, y, v);
        if (drawing)
            cairo_line_to(cr, x, py);
        else
            cairo_move_to(cr, x, py);
        drawing = true;
    }
    canvas_rgb(cr, st->colour);
    cairo_set_line_width(cr, fmax(0.75, st->width * LINE_PX * f->unit));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    for (size_t j = 0; j < count; j++) {
        double v, lo, hi;
        ladder_value(&f->run->levels[j], s, &v, &lo, &hi);
        double x = slot_x(f, count, j) + dodge;
        if (isfinite(v) && (isfinite(lo) || isfinite(hi)))
            draw_errorbar(f, x, plot_y(f, y, isfinite(lo) ? lo : v),
                          plot_y(f, y, isfinite(hi) ? hi : v), darker(st->colour, 0.8));
    }
    for (size_t j = 0; j < count; j++) {
        double v, lo, hi;
        ladder_value(&f->run->levels[j], s, &v, &lo, &hi);
        if (isfinite(v))
            draw_marker(f, st->marker, slot_x(f, count, j) + dodge, plot_y(f, y, v), st->colour);
    }
}

static void draw_ladder(frame *f)
{
    const results_run *run = f->run;
    double max = NAN, min_pos = NAN;
    bool missing_bound = false;
    for (size_t j = 0; j < run->level_count; j++) {
        for (size_t s = 0; s < LADDER_SERIES; s++) {
            double v, lo, hi;
            ladder_value(&run->levels[j], s, &v, &lo, &hi);
            max = fmax_finite(fmax_finite(max, v), hi);
            const double pos[] = {v, lo, hi};
            for (int k = 0; k < 3; k++)
                if (pos[k] > 0 && !(pos[k] >= min_pos))
                    min_pos = pos[k];
            if (isfinite(v) && s != 1 && (!isfinite(lo) || !isfinite(hi)))
                missing_bound = true;
        }
    }
    bool empty = !isfinite(max), auto_log;
    axis y;
    delay_axis(&y, min_pos, max, run->endurance_ms, f->o->log_delay, 6, &auto_log);
    legend l = {0};
    for (size_t s = 0; s < LADDER_SERIES; s++)
        legend_add(f, &l, ladder_series[s].name, ladder_series[s].colour, SWATCH_LINE,
                   ladder_series[s].marker, ladder_series[s].width, ENTRY_MAX_EM);
    legend_add(f, &l, "95 % CI", COLOUR_MUTED, SWATCH_ERRORBAR, -1, 1, ENTRY_MAX_EM);
    char *e = endurance_text(run->endurance_ms);
    char *el = xasprintf("endurance line (%s)", e);
    legend_add(f, &l, el, COLOUR_ENDURANCE, SWATCH_DASHED, -1, 0.7, ENTRY_MAX_EM);
    free(el);
    free(e);
    draw_header(f, "Delay percentiles by user load", &l);
    legend_free(&l);
    char *notes[3] = {
        xstrdup("Error bars: 95 % confidence intervals of p50, p95 and p99 (distribution-free, "
                "from order statistics)."),
        missing_bound ? xstrdup("A bound is left out where the level has too few samples to "
                                "give one.")
                      : NULL,
        auto_log ? xstrdup("Delay on a logarithmic scale: the slowest percentiles lie far "
                           "beyond the rest.")
                 : NULL};
    draw_notes(f, notes, 3);
    for (int i = 0; i < 3; i++)
        free(notes[i]);

    place_plot_sides(f, &y, 0);
    categories c;
    categories_prepare(f, &c);
    place_plot_bottom(f, c.height);
    draw_axes(f, NULL, &y, "User Load", "Delay (ms)", empty);
    draw_categories(f, &c);
    categories_free(&c);
    if (empty) {
        draw_message(f, "No samples in any level", "There are no delays to take percentiles of.");
    } else {
        draw_endurance_y(f, &y, false);
        cairo_save(f->cr);
        clip_plot(f, 2 * MARKER_PX * f->unit);
        for (size_t s = 0; s < LADDER_SERIES; s++)
            draw_ladder_series(f, &y, s);
        cairo_restore(f->cr);
        draw_endurance_y(f, &y, true);
    }
    axis_free(&y);
}

/* ---- the cumulative distribution ---- */

/* The slowest sample of the run and its level, for the note when the axis
 * ends before it. */
static double slowest(const results_run *run, size_t *level)
{
    double max = NAN;
    for (size_t j = 0; j < run->level_count; j++) {
        const results_level *l = &run->levels[j];
        if (l->n > 0 && isfinite(l->max) && !(l->max <= max)) {
            max = l->max;
            *level = j;
        }
    }
    return max;
}

/* The delay axis of the CDF: linear up to a round number past every
 * level's p99.9 (past its maximum when that is not far off), or whole
 * decades from the fastest to the slowest sample (see delay_axis()). Sets
 * *cut when the slowest samples lie beyond the axis. */
static void cdf_axis(const frame *f, axis *x, bool *cut, bool *auto_log)
{
    const results_run *run = f->run;
    double p999 = NAN, min_pos = NAN, max = NAN;
    for (size_t j = 0; j < run->level_count; j++) {
        const results_level *l = &run->levels[j];
        for (size_t k = 0; k < l->quantile_count; k++) {
            double v = l->quantile_ms[k];
            max = fmax_finite(max, v);
            if (v > 0 && !(v >= min_pos))
                min_pos = v;
            if (l->quantile_q[k] <= 99.9)
                p999 = fmax_finite(p999, v);
        }
    }
    double top = isfinite(max) && isfinite(p999) && max <= 1.5 * p999 ? max : p999;
    delay_axis(x, min_pos, f->o->log_delay ? max : top, run->endurance_ms, f->o->log_delay, 8,
               auto_log);
    *cut = isfinite(max) && max > x->hi * (1 + 1e-9);
}

static void draw_cdf_curve(const frame *f, const axis *x, const axis *y, size_t j)
{
    cairo_t *cr = f->cr;
    const results_level *l = &f->run->levels[j];
    if (l->n <= 0 || l->quantile_count == 0)
        return;
    for (size_t k = 0; k < l->quantile_count; k++) {
        double px = plot_x(f, x, l->quantile_ms[k]), py = plot_y(f, y, l->quantile_q[k]);
        if (k == 0)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
    }
    double rgb[3];
    level_rgb(f, j, rgb);
    uint32_t colour = rgb_pack(rgb);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    if (is_light(colour)) {
        canvas_rgb(cr, darker(colour, 0.6));
        cairo_set_line_width(cr, fmax(2.5, (LINE_PX + 2) * f->unit));
        cairo_stroke_preserve(cr);
    }
    canvas_rgb(cr, colour);
    cairo_set_line_width(cr, fmax(1.5, LINE_PX * f->unit));
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

/* The endurance line up the plot at delay ms on the X axis, or its label
 * (as draw_endurance_y()). */
static void draw_endurance_x(const frame *f, const axis *x, bool label_only)
{
    double e = f->run->endurance_ms;
    if (!isfinite(e) || e <= 0 || e > x->hi || (x->log && e < x->lo))
        return;
    cairo_t *cr = f->cr;
    double px = plot_x(f, x, e), u = f->unit;
    if (label_only) {
        font label = f->value;
        label.style = CANVAS_BOLD;
        label.colour = COLOUR_ENDURANCE;
        char *t = endurance_text(e);
        put_text_on_plot(cr, &label, t, px + 0.4 * f->gap, f->plot.y0 + 0.3 * f->gap, 0, 0);
        free(t);
        return;
    }
    const double dash[] = {9 * u, 5 * u};
    canvas_rgb(cr, COLOUR_ENDURANCE);
    cairo_set_line_width(cr, fmax(0.75, 2.0 * u));
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, px, f->plot.y0);
    cairo_line_to(cr, px, f->plot.y1);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* A dotted line at 95 %, where each curve meets it is the level's p95; or
 * its label (as draw_endurance_y()). */
static void draw_p95_guide(const frame *f, const axis *y, bool label_only)
{
    cairo_t *cr = f->cr;
    double py = plot_y(f, y, 95), u = f->unit;
    if (label_only) {
        font label = f->value;
        label.colour = COLOUR_MUTED;
        put_text_on_plot(cr, &label, "95 %", f->plot.x1 - 0.5 * f->gap, py + 0.2 * f->gap, 1, 0);
        return;
    }
    const double dot[] = {2 * u, 4 * u};
    canvas_rgb(cr, COLOUR_MUTED);
    cairo_set_line_width(cr, fmax(0.5, 1.2 * u));
    cairo_set_dash(cr, dot, 2, 0);
    cairo_move_to(cr, f->plot.x0, py);
    cairo_line_to(cr, f->plot.x1, py);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_cdf(frame *f)
{
    const results_run *run = f->run;
    legend l = {0};
    char *empty_levels = NULL;
    bool any = false;
    for (size_t j = 0; j < run->level_count; j++) {
        const results_level *lv = &run->levels[j];
        double rgb[3];
        level_rgb(f, j, rgb);
        legend_add(f, &l, lv->name, rgb_pack(rgb), SWATCH_LINE, -1, 1, NAME_MAX_EM);
        if (lv->n > 0 && lv->quantile_count > 0) {
            any = true;
        } else {
            char *name = canvas_clean_text(lv->name);
            char *joined = empty_levels ? xasprintf("%s, %s", empty_levels, name) : xstrdup(name);
            free(empty_levels);
            free(name);
            empty_levels = joined;
        }
    }
    draw_header(f, "Cumulative distribution of delay", &l);
    legend_free(&l);
    axis x, y;
    bool cut, auto_log;
    cdf_axis(f, &x, &cut, &auto_log);
    size_t slow_level = 0;
    double slow = slowest(run, &slow_level);
    char *notes[3] = {NULL, NULL, NULL};
    if (cut) {
        char *end = canvas_group_digits(llround(x.hi));
        char *name = canvas_clean_text(run->levels[slow_level].name);
        notes[0] = xasprintf("The delay axis ends at %s ms; the slowest sample took %.1f ms (%s).",
                             end, slow, name);
        free(end);
        free(name);
    }
    if (auto_log)
        notes[1] = xstrdup("Delay on a logarithmic scale: the slowest samples lie far beyond the "
                           "rest.");
    else if (x.log)
        notes[1] = xstrdup("Delay on a logarithmic scale.");
    if (empty_levels && any)
        notes[2] = xasprintf("No samples: %s.", empty_levels);
    draw_notes(f, notes, 3);
    for (int i = 0; i < 3; i++)
        free(notes[i]);
    free(empty_levels);

    axis_linear(&y, 100, 10);
    place_plot_sides(f, &y, 0.5 * widest_label(f, &x));
    place_plot_bottom(f, 0.6 * f->gap + font_height(f->cr, &f->tick));
    draw_axes(f, &x, &y, "Delay (ms)", "Samples at or under the delay (%)", !any);
    if (!any) {
        draw_message(f, "No samples in any level", "There is no distribution to draw.");
    } else {
        draw_p95_guide(f, &y, false);
        draw_endurance_x(f, &x, false);
        cairo_save(f->cr);
        clip_plot(f, 0.5 * LINE_PX * f->unit);
        for (size_t j = 0; j < run->level_count; j++)
            draw_cdf_curve(f, &x, &y, j);
        cairo_restore(f->cr);
        draw_p95_guide(f, &y, true);
        draw_endurance_x(f, &x, true);
    }
    axis_free(&x);
    axis_free(&y);
}

/* ---- CPU truth ---- */

/* A bar from value lo to hi on the Y axis, centred at x. */
static void bar(const frame *f, const axis *y, double x, double w, double lo, double hi,
                uint32_t fill, uint32_t edge)
{
    cairo_t *cr = f->cr;
    double y0 = plot_y(f, y, hi), y1 = plot_y(f, y, lo);
    cairo_rectangle(cr, x - w / 2, y0, w, y1 - y0);
    canvas_rgb(cr, fill);
    cairo_fill_preserve(cr);
    canvas_rgb(cr, edge);
    cairo_set_line_width(cr, fmax(0.5, 1.0 * f->unit));
    cairo_stroke(cr);
}

/* A figure over a bar, when it is at most room wide. */
static void bar_value(const frame *f, double x, double top_y, double room, const char *s,
                      uint32_t colour)
{
    font v = f->value;
    v.colour = colour;
    if (text_width(f->cr, &v, s) <= room)
        put_text(f->cr, &v, s, x, top_y - 0.25 * f->gap, 0.5, 1, 0);
}

/* A level's bars: guest-reported beside host-measured (useful work, then
 * overhead on top), or one bar in the middle when the run has only one. */
static void draw_cpu_level(const frame *f, const axis *y, size_t j, bool values, bool pair)
{
    const results_level *l = &f->run->levels[j];
    size_t count = f->run->level_count;
    double slot = slot_width(f, count), w = 0.3 * slot, x = slot_x(f, count, j);
    double xg = pair ? x - 0.17 * slot : x, xh = pair ? x + 0.17 * slot : x;
    if (isfinite(l->guest_cpu)) {
        bar(f, y, xg, w, 0, l->guest_cpu, COLOUR_GUEST,
            l->guest_untrusted ? COLOUR_ENDURANCE : COLOUR_GUEST_EDGE);
        char *s =
            l->guest_untrusted ? xasprintf("%.0f!", l->guest_cpu) : xasprintf("%.0f", l->guest_cpu);
        /* The mark of untrusted counters may reach over the next bar. */
        if (values || l->guest_untrusted)
            bar_value(f, xg, plot_y(f, y, l->guest_cpu),
                      l->guest_untrusted ? 0.6 * slot : w + 0.8 * f->gap, s,
                      l->guest_untrusted ? COLOUR_ENDURANCE : COLOUR_MUTED);
        free(s);
    }
    if (isfinite(l->host_cpu)) {
        double useful = isfinite(l->useful_cpu) ? fmin(l->useful_cpu, l->host_cpu) : l->host_cpu;
        bar(f, y, xh, w, 0, useful, COLOUR_USEFUL, darker(COLOUR_USEFUL, 0.6));
        if (l->host_cpu > useful)
            bar(f, y, xh, w, useful, l->host_cpu, COLOUR_OVERHEAD, darker(COLOUR_OVERHEAD, 0.6));
        if (values) {
            char *s = xasprintf("%.0f", l->host_cpu);
            bar_value(f, xh, plot_y(f, y, l->host_cpu), w + 0.8 * f->gap, s, COLOUR_TEXT);
            free(s);
        }
    }
}

/* The level's ready time (or a Linux guest's steal time): a line across
 * its slot with a dot at each end. */
static void draw_ready(const frame *f, const axis *y, size_t j)
{
    const results_level *l = &f->run->levels[j];
    if (!isfinite(l->ready))
        return;
    size_t count = f->run->level_count;
    double slot = slot_width(f, count), x = slot_x(f, count, j), u = f->unit;
    double py = plot_y(f, y, l->ready), half = 0.38 * slot;
    cairo_t *cr = f->cr;
    canvas_rgb(cr, COLOUR_READY);
    cairo_set_line_width(cr, fmax(1.0, 2.4 * u));
    cairo_move_to(cr, x - half, py);
    cairo_line_to(cr, x + half, py);
    cairo_stroke(cr);
    for (int side = -1; side <= 1; side += 2) {
        cairo_arc(cr, x + side * half, py, fmax(1.5, 3.2 * u), 0, 2 * M_PI);
        cairo_fill(cr);
    }
}

/* A dashed line at 100 %: all of the guest's virtual CPUs. */
static void draw_full_line(const frame *f, const axis *y)
{
    if (100 > y->hi)
        return;
    cairo_t *cr = f->cr;
    double py = plot_y(f, y, 100), u = f->unit;
    const double dash[] = {6 * u, 4 * u};
    canvas_rgb(cr, COLOUR_AXIS);
    cairo_set_line_width(cr, fmax(0.5, 1.3 * u));
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, f->plot.x0, py);
    cairo_line_to(cr, f->plot.x1, py);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_cpu(frame *f)
{
    const results_run *run = f->run;
    bool host = results_has_host_cpu(run), guest = results_has_guest_cpu(run);
    bool ready = results_has_ready(run);
    double max = 100;
    for (size_t j = 0; j < run->level_count; j++)
        max = fmax_finite(fmax_finite(fmax_finite(max, run->levels[j].host_cpu),
                                      run->levels[j].guest_cpu),
                          run->levels[j].ready);
    legend l = {0};
    if (guest)
        legend_add(f, &l, "Guest-reported (its own counters)", COLOUR_GUEST, SWATCH_BOX, -1, 1,
                   ENTRY_MAX_EM);
    if (host && run->native)
        legend_add(f, &l, "Measured CPU (native: all of it useful work)", COLOUR_USEFUL,
                   SWATCH_BOX, -1, 1, ENTRY_MAX_EM);
    else if (host)
        legend_add(f, &l, "Host-measured: useful work", COLOUR_USEFUL, SWATCH_BOX, -1, 1,
                   ENTRY_MAX_EM);
    if (host && !run->native)
        legend_add(f, &l, "Host-measured: virtualization overhead", COLOUR_OVERHEAD,
                   SWATCH_BOX, -1, 1, ENTRY_MAX_EM);
    if (ready)
        legend_add(f, &l,
                   run->ready_counter && strstr(run->ready_counter, "%steal")
                       ? "Ready time (the guest's own steal time)"
                       : "Ready time (waiting for a physical CPU)",
                   COLOUR_READY, SWATCH_LINE, -1, 1, ENTRY_MAX_EM);
    draw_header(f, "CPU: guest-reported against host-measured", &l);
    legend_free(&l);
    char *notes[3] = {NULL, NULL, NULL};
    if (host)
        notes[0] = overhead_note(run);
    if (run->guest_untrusted)
        notes[1] =
            xasprintf("! The guest's own counters over-report at the marked levels: a paused "
                      "guest charges the pause to what it was running. Trust the host.");
    if (host && !guest && !run->native)
        notes[2] = xstrdup("No guest-reported CPU in this run: only the host's figures are shown.");
    else if (guest && !host)
        notes[2] = xstrdup("No host-side CPU measurement in this run: useful work and overhead are "
                           "unknown, and the guest's own figures cannot be checked.");
    draw_notes(f, notes, 3);
    for (int i = 0; i < 3; i++)
        free(notes[i]);

    axis y;
    axis_linear(&y, max * 1.08, 6);
    place_plot_sides(f, &y, 0);
    categories c;
    categories_prepare(f, &c);
    place_plot_bottom(f, c.height);
    char *y_title = isfinite(run->vcpus) && run->vcpus != 1
                        ? xasprintf("CPU (%% of the guest's %g vCPUs)", run->vcpus)
                        : xstrdup("CPU (% of the guest's vCPU)");
    draw_axes(f, NULL, &y, "User Load", y_title, !host && !guest && !ready);
    free(y_title);
    draw_categories(f, &c);
    categories_free(&c);
    if (!host && !guest && !ready) {
        draw_message(f, "No CPU measurement in this run",
                     "No host-side CPU measurement and no guest counters were found, so what the "
                     "load cost cannot be shown.");
    } else {
        draw_full_line(f, &y);
        double value_w = text_width(f->cr, &f->value, "100");
        bool values = 0.3 * slot_width(f, run->level_count) + 0.8 * f->gap >= value_w;
        for (size_t j = 0; j < run->level_count; j++) {
            draw_cpu_level(f, &y, j, values, host && guest);
            draw_ready(f, &y, j);
        }
    }
    axis_free(&y);
}

/* ---- delay against useful work ---- */

/* The area two boxes share. */
static double overlap_area(const box *a, const box *b)
{
    double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0), h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
    return w > 0 && h > 0 ? w * h : 0;
}

/* How bad a place for a label is: the area it shares with the labels and
 * points placed before, plus (far worse) the area it sticks out of the plot. */
static double placement_cost(const frame *f, const box *b, const box *placed, size_t n)
{
    double cost = 0;
    for (size_t i = 0; i < n; i++)
        cost += overlap_area(b, &placed[i]);
    double inside = overlap_area(b, &f->plot), all = (b->x1 - b->x0) * (b->y1 - b->y0);
    return cost + 100 * (all - inside);
}

/* Level names beside their points: of eight places around the point (right
 * first), the first that covers nothing and stays in the plot, else the
 * least bad. */
static void label_points(const frame *f, const double *px, const double *py, size_t count)
{
    cairo_t *cr = f->cr;
    box *placed = xcalloc(2 * count + 1, sizeof *placed);
    size_t n = 0;
    double h = font_height(cr, &f->value), m = MARKER_PX * f->unit, r = m + 0.4 * f->gap;
    for (size_t j = 0; j < count; j++)
        if (isfinite(px[j]) && isfinite(py[j]))
            placed[n++] = (box){px[j] - m, py[j] - m, px[j] + m, py[j] + m};
    for (size_t j = 0; j < count; j++) {
        if (!isfinite(px[j]) || !isfinite(py[j]))
            continue;
        char *name = fit_text(cr, &f->value, f->run->levels[j].name, NAME_MAX_EM * f->value.size);
        double w = text_width(cr, &f->value, name), x = px[j], y = py[j];
        const double at[8][2] = {{x + r, y - h / 2},         {x - r - w, y - h / 2},
                                 {x - w / 2, y - r - h},     {x - w / 2, y + r},
                                 {x + 0.7 * r, y - 0.7 * r - h}, {x - 0.7 * r - w, y - 0.7 * r - h},
                                 {x + 0.7 * r, y + 0.7 * r}, {x - 0.7 * r - w, y + 0.7 * r}};
        size_t pick = 0;
        double best = INFINITY;
        for (size_t k = 0; k < 8 && best > 0; k++) {
            box b = {at[k][0], at[k][1], at[k][0] + w, at[k][1] + h};
            double cost = placement_cost(f, &b, placed, n);
            if (cost < best) {
                best = cost;
                pick = k;
            }
        }
        placed[n++] = (box){at[pick][0], at[pick][1], at[pick][0] + w, at[pick][1] + h};
        put_text(cr, &f->value, name, at[pick][0], at[pick][1], 0, 0, 0);
        free(name);
    }
    free(placed);
}

static void draw_useful_points(const frame *f, const axis *x, const axis *y)
{
    cairo_t *cr = f->cr;
    const results_run *run = f->run;
    size_t count = run->level_count;
    double *px = xcalloc(count + 1, sizeof *px), *py = xcalloc(count + 1, sizeof *py);
    bool drawing = false;
    for (size_t j = 0; j < count; j++) {
        const results_level *l = &run->levels[j];
        px[j] = py[j] = NAN;
        if (l->n <= 0 || !isfinite(l->useful_cpu) || !isfinite(l->p95)) {
            drawing = false;
            continue;
        }
        px[j] = plot_x(f, x, l->useful_cpu);
        py[j] = plot_y(f, y, l->p95);
        if (drawing)
            cairo_line_to(cr, px[j], py[j]);
        else
            cairo_move_to(cr, px[j], py[j]);
        drawing = true;
    }
    canvas_rgb(cr, COLOUR_CONNECT);
    cairo_set_line_width(cr, fmax(0.75, 0.8 * LINE_PX * f->unit));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    for (size_t j = 0; j < count; j++) {
        const results_level *l = &run->levels[j];
        if (isfinite(px[j]) && (isfinite(l->p95_lo) || isfinite(l->p95_hi)))
            draw_errorbar(f, px[j], plot_y(f, y, isfinite(l->p95_lo) ? l->p95_lo : l->p95),
                          plot_y(f, y, isfinite(l->p95_hi) ? l->p95_hi : l->p95), COLOUR_MUTED);
    }
    for (size_t j = 0; j < count; j++) {
        double rgb[3];
        level_rgb(f, j, rgb);
        if (isfinite(px[j]))
            draw_marker(f, MARK_CIRCLE, px[j], py[j], rgb_pack(rgb));
    }
    label_points(f, px, py, count);
    free(px);
    free(py);
}

static void draw_useful(frame *f)
{
    const results_run *run = f->run;
    bool useful = false;
    double max_x = 100, max_y = NAN, min_y = NAN;
    for (size_t j = 0; j < run->level_count; j++) {
        const results_level *l = &run->levels[j];
        if (l->n <= 0 || !isfinite(l->useful_cpu) || !isfinite(l->p95))
            continue;
        useful = true;
        max_x = fmax_finite(max_x, l->useful_cpu);
        max_y = fmax_finite(fmax_finite(max_y, l->p95), l->p95_hi);
        const double pos[] = {l->p95, l->p95_lo};
        for (int k = 0; k < 2; k++)
            if (pos[k] > 0 && !(pos[k] >= min_y))
                min_y = pos[k];
    }
    legend l = {0};
    if (useful) {
        legend_add(f, &l, "p95 of a level", COLOUR_CONNECT, SWATCH_LINE, MARK_CIRCLE, 0.8,
                   ENTRY_MAX_EM);
        legend_add(f, &l, "95 % CI", COLOUR_MUTED, SWATCH_ERRORBAR, -1, 1, ENTRY_MAX_EM);
        char *e = endurance_text(run->endurance_ms);
        char *el = xasprintf("endurance line (%s)", e);
        legend_add(f, &l, el, COLOUR_ENDURANCE, SWATCH_DASHED, -1, 0.7, ENTRY_MAX_EM);
        free(el);
        free(e);
    }
    draw_header(f, "Delay against useful work", &l);
    legend_free(&l);
    axis x, y;
    bool auto_log;
    axis_linear(&x, max_x, 5);
    delay_axis(&y, min_y, max_y, run->endurance_ms, f->o->log_delay, 6, &auto_log);
    char *notes[3] = {useful ? overhead_note(run) : NULL,
                      useful ? xstrdup("On this axis native and virtual runs compare: the same "
                                       "useful work, and what users waited for it.")
                             : NULL,
                      useful && auto_log ? xstrdup("Delay on a logarithmic scale: the slowest "
                                                   "levels lie far beyond the rest.")
                                         : NULL};
    draw_notes(f, notes, 3);
    for (int i = 0; i < 3; i++)
        free(notes[i]);

    place_plot_sides(f, &y, 0.5 * widest_label(f, &x));
    place_plot_bottom(f, 0.6 * f->gap + font_height(f->cr, &f->tick));
    char *x_title = isfinite(run->vcpus) && run->vcpus != 1
                        ? xasprintf("Useful work (%% of %g vCPUs: host CPU minus overhead)",
                                    run->vcpus)
                        : xstrdup("Useful work (% of the vCPU: host CPU minus overhead)");
    draw_axes(f, &x, &y, x_title, "p95 delay (ms)", !useful);
    free(x_title);
    if (!useful) {
        draw_message(f, "No host-side CPU measurement in this run",
                     "Useful work is the host-measured CPU of the guest minus the virtualization "
                     "overhead; without it, delay cannot be set against the work done.");
    } else {
        draw_endurance_y(f, &y, false);
        cairo_save(f->cr);
        clip_plot(f, 2 * MARKER_PX * f->unit);
        draw_useful_points(f, &x, &y);
        cairo_restore(f->cr);
        draw_endurance_y(f, &y, true);
    }
    axis_free(&x);
    axis_free(&y);
}

/* ---- frames ---- */

static font make_font(double px, double unit, canvas_style style, uint32_t colour)
{
    return (font){fmax(px * unit, MIN_FONT_PX), style, colour};
}

/* A frame for a width x height chart on cr: scales, fonts, the free band
 * the whole canvas. */
static frame frame_make(cairo_t *cr, const results_run *run, const charts_options *o,
                        double width, double height)
{
    frame f = {.cr = cr, .run = run, .o = o, .width = width, .height = height};
    /* Lines and marks grow with larger text too, though less, so that a
     * small chart with print-sized text (the report's) still reads. */
    double base = fmin(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT);
    double text_scale = o->text_scale > 0 ? o->text_scale : 1;
    f.unit = base * fmax(1, 0.7 * text_scale);
    f.font_unit = base * text_scale;
    double fu = f.font_unit;
    f.title = make_font(TITLE_PX, fu, CANVAS_BOLD, COLOUR_TEXT);
    f.subtitle = make_font(SUBTITLE_PX, fu, CANVAS_REGULAR, COLOUR_MUTED);
    f.axis_title = make_font(AXIS_TITLE_PX, fu, CANVAS_BOLD, COLOUR_TEXT);
    f.tick = make_font(TICK_PX, fu, CANVAS_REGULAR, COLOUR_TEXT);
    f.legend = make_font(LEGEND_PX, fu, CANVAS_REGULAR, COLOUR_TEXT);
    f.note = make_font(NOTE_PX, fu, CANVAS_ITALIC, COLOUR_MUTED);
    f.value = make_font(VALUE_PX, fu, CANVAS_REGULAR, COLOUR_TEXT);
    f.message = make_font(MESSAGE_PX, fu, CANVAS_BOLD, COLOUR_MUTED);
    f.margin = MARGIN_PX * f.unit;
    f.gap = GAP_PX * fmax(f.unit, fu);
    f.top = f.margin;
    f.bottom = height - f.margin;
    return f;
}

/* The background of the canvas, which also bounds what is drawn: call
 * between cairo_save() and cairo_restore(). */
static void frame_background(const frame *f)
{
    cairo_rectangle(f->cr, 0, 0, f->width, f->height);
    canvas_rgb(f->cr, COLOUR_BACKGROUND);
    cairo_fill(f->cr);
    cairo_rectangle(f->cr, 0, 0, f->width, f->height);
    cairo_clip(f->cr);
}

/* ---- delay against useful work, every run ---- */

/* The runs' colours in the comparison: Tableau's ten, distinct from one
 * another and, as lines, not to be taken for the levels' fills. */
static const uint32_t run_palette[] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                       0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
#define RUN_PALETTE (sizeof run_palette / sizeof *run_palette)

/* Whether level l has a point on the useful-work axis. */
static bool has_useful_point(const results_level *l)
{
    return l->n > 0 && isfinite(l->useful_cpu) && isfinite(l->p95);
}

bool charts_run_has_useful(const results_run *r)
{
    for (size_t j = 0; j < r->level_count; j++)
        if (has_useful_point(&r->levels[j]))
            return true;
    return false;
}

/* One run's line through its levels, with a marker per level; beyond ten
 * runs the colours come round again, dashed. */
static void draw_run_line(const frame *f, const axis *x, const axis *y, const results_run *r,
                          size_t index)
{
    cairo_t *cr = f->cr;
    uint32_t colour = run_palette[index % RUN_PALETTE];
    const double dash[] = {8 * f->unit, 4 * f->unit};
    bool drawing = false;
    for (size_t j = 0; j < r->level_count; j++) {
        const results_level *l = &r->levels[j];
        if (!has_useful_point(l)) {
            drawing = false;
            continue;
        }
        double px = plot_x(f, x, l->useful_cpu), py = plot_y(f, y, l->p95);
        if (drawing)
            cairo_line_to(cr, px, py);
        else
            cairo_move_to(cr, px, py);
        drawing = true;
    }
    canvas_rgb(cr, colour);
    cairo_set_line_width(cr, fmax(1, LINE_PX * f->unit));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    if (index >= RUN_PALETTE)
        cairo_set_dash(cr, dash, 2, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t j = 0; j < r->level_count; j++) {
        const results_level *l = &r->levels[j];
        if (has_useful_point(l))
            draw_marker(f, (int)(index / RUN_PALETTE) % 4, plot_x(f, x, l->useful_cpu),
                        plot_y(f, y, l->p95), colour);
    }
}

void charts_draw_runs(cairo_t *cr, const results_run *runs, size_t count,
                      const charts_options *opts, double width, double height)
{
    charts_options o = opts ? *opts : (charts_options){0};
    o.hide_run_title = true;
    const results_run *first = NULL;
    double max_x = 100, max_y = NAN, min_y = NAN;
    legend l = {0};
    char *without = NULL;
    frame f = frame_make(cr, count ? &runs[0] : NULL, &o, width, height);
    for (size_t i = 0; i < count; i++) {
        const results_run *r = &runs[i];
        if (!charts_run_has_useful(r)) {
            char *name = canvas_clean_text(r->name);
            char *joined = without ? xasprintf("%s, %s", without, name) : xstrdup(name);
            free(without);
            free(name);
            without = joined;
            continue;
        }
        first = first ? first : r;
        legend_add(&f, &l, r->name, run_palette[i % RUN_PALETTE], SWATCH_LINE,
                   (int)(i / RUN_PALETTE) % 4, 1, NAME_MAX_EM);
        for (size_t j = 0; j < r->level_count; j++) {
            const results_level *lv = &r->levels[j];
            if (!has_useful_point(lv))
                continue;
            max_x = fmax_finite(max_x, lv->useful_cpu);
            max_y = fmax_finite(max_y, lv->p95);
            if (lv->p95 > 0 && !(lv->p95 >= min_y))
                min_y = lv->p95;
        }
    }
    cairo_save(cr);
    frame_background(&f);
    if (first)
        f.run = first;
    draw_header(&f, "p95 delay against useful work, every run", &l);
    legend_free(&l);
    axis x, y;
    bool auto_log = false;
    axis_linear(&x, max_x, 5);
    delay_axis(&y, min_y, max_y, first ? first->endurance_ms : 1000, o.log_delay, 6, &auto_log);
    char *notes[3] = {
        xstrdup("Each point is a load level, joined from the lightest up. Useful work is the "
                "host-measured CPU minus the virtualization overhead, so native and virtual "
                "runs compare on it."),
        without && first ? xasprintf("Not shown, without host-side CPU measurement: %s.", without)
                         : NULL,
        auto_log ? xstrdup("Delay on a logarithmic scale: the slowest levels lie far beyond the "
                           "rest.")
                 : NULL};
    draw_notes(&f, notes, 3);
    for (int i = 0; i < 3; i++)
        free(notes[i]);
    place_plot_sides(&f, &y, 0.5 * widest_label(&f, &x));
    place_plot_bottom(&f, 0.6 * f.gap + font_height(cr, &f.tick));
    draw_axes(&f, &x, &y, "Useful work (% of the guest's vCPUs: host CPU minus overhead)",
              "p95 delay (ms)", !first);
    if (!first) {
        draw_message(&f, "No host-side CPU measurement in any run",
                     "Useful work is the host-measured CPU of the guest minus the "
                     "virtualization overhead; without it, runs cannot be set side by side.");
    } else {
        draw_endurance_y(&f, &y, false);
        cairo_save(cr);
        clip_plot(&f, 2 * MARKER_PX * f.unit);
        for (size_t i = 0; i < count; i++)
            if (charts_run_has_useful(&runs[i]))
                draw_run_line(&f, &x, &y, &runs[i], i);
        cairo_restore(cr);
        draw_endurance_y(&f, &y, true);
    }
    axis_free(&x);
    axis_free(&y);
    free(without);
    cairo_restore(cr);
}

/* ---- comparisons of two runs ---- */

/* Whether both runs have samples at level j. */
static bool both_have(const results_run *a, const results_run *b, size_t j)
{
    return a->levels[j].n > 0 && b->levels[j].n > 0;
}

/* One run's series s through the levels: solid with filled markers for
 * the run compared, dashed with open markers for the baseline. */
static void draw_pair_series(const frame *f, const axis *y, const results_run *run, size_t s,
                             bool dashed)
{
    cairo_t *cr = f->cr;
    const series_style *st = &ladder_series[s];
    size_t count = run->level_count;
    bool drawing = false;
    for (size_t j = 0; j < count; j++) {
        double v, lo, hi;
        ladder_value(&run->levels[j], s, &v, &lo, &hi);
        if (!isfinite(v)) {
            drawing = false;
            continue;
        }
        double x = slot_x(f, count, j), py = plot_y(f, y, v);
        if (drawing)
            cairo_line_to(cr, x, py);
        else
            cairo_move_to(cr, x, py);
        drawing = true;
    }
    const double dash[] = {7 * f->unit, 4 * f->unit};
    if (dashed)
        cairo_set_dash(cr, dash, 2, 0);
    canvas_rgb(cr, st->colour);
    cairo_set_line_width(cr, fmax(0.75, st->width * LINE_PX * f->unit));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t j = 0; j < count; j++) {
        double v, lo, hi;
        ladder_value(&run->levels[j], s, &v, &lo, &hi);
        if (!isfinite(v))
            continue;
        double x = slot_x(f, count, j), py = plot_y(f, y, v);
        if (!dashed) {
            draw_marker(f, st->marker, x, py, st->colour);
            continue;
        }
        marker_path(cr, st->marker, x, py, MARKER_PX * f->unit);
        canvas_rgb(cr, COLOUR_BACKGROUND);
        cairo_fill_preserve(cr);
        canvas_rgb(cr, st->colour);
        cairo_set_line_width(cr, fmax(0.6, 1.6 * f->unit));
        cairo_stroke(cr);
    }
}

/* The percentile ladders of both runs over each other (f->run is the run
 * compared, f->baseline the baseline). */
static void draw_ladder_pair(frame *f)
{
    const results_run *runs[2] = {f->baseline, f->run};
    double max = NAN, min_pos = NAN;
    for (int r = 0; r < 2; r++)
        for (size_t j = 0; j < runs[r]->level_count; j++)
            for (size_t s = 0; s < LADDER_SERIES; s++) {
                double v, lo, hi;
                ladder_value(&runs[r]->levels[j], s, &v, &lo, &hi);
                max = fmax_finite(max, v);
                if (v > 0 && !(v >= min_pos))
                    min_pos = v;
            }
    bool empty = !isfinite(max), auto_log;
    axis y;
    delay_axis(&y, min_pos, max, f->run->endurance_ms, f->o->log_delay, 6, &auto_log);
    legend l = {0};
    for (size_t s = 0; s < LADDER_SERIES; s++)
        legend_add(f, &l, ladder_series[s].name, ladder_series[s].colour, SWATCH_LINE,
                   ladder_series[s].marker, ladder_series[s].width, ENTRY_MAX_EM);
    legend_add(f, &l, f->run->name, COLOUR_AXIS, SWATCH_LINE, -1, 0.8, NAME_MAX_EM);
    char *base = xasprintf("%s (baseline)", f->baseline->name);
    legend_add(f, &l, base, COLOUR_AXIS, SWATCH_DASHED, -1, 0.8, ENTRY_MAX_EM);
    free(base);
    char *e = endurance_text(f->run->endurance_ms);
    char *el = xasprintf("endurance line (%s)", e);
    legend_add(f, &l, el, COLOUR_ENDURANCE, SWATCH_DASHED, -1, 0.7, ENTRY_MAX_EM);
    free(el);
    free(e);
    draw_header(f, "Delay percentiles by user load, both runs", &l);
    legend_free(&l);
    char *notes[2] = {
        xasprintf("Solid lines and filled marks: %s; dashed lines and open marks: %s, the "
                  "baseline. Under each level: its samples in the baseline, then in %s.",
                  f->run->name, f->baseline->name, f->run->name),
        auto_log ? xstrdup("Delay on a logarithmic scale: the slowest percentiles lie far "
                           "beyond the rest.")
                 : NULL};
    draw_notes(f, notes, 2);
    for (int i = 0; i < 2; i++)
        free(notes[i]);
    place_plot_sides(f, &y, 0);
    categories c;
    categories_prepare(f, &c);
    place_plot_bottom(f, c.height);
    draw_axes(f, NULL, &y, "User Load", "Delay (ms)", empty);
    draw_categories(f, &c);
    categories_free(&c);
    if (empty) {
        draw_message(f, "No samples in any level", "There are no delays to take percentiles of.");
    } else {
        draw_endurance_y(f, &y, false);
        cairo_save(f->cr);
        clip_plot(f, 2 * MARKER_PX * f->unit);
        for (size_t s = 0; s < LADDER_SERIES; s++) {
            draw_pair_series(f, &y, f->baseline, s, true);
            draw_pair_series(f, &y, f->run, s, false);
        }
        cairo_restore(f->cr);
        draw_endurance_y(f, &y, true);
    }
    axis_free(&y);
}

void charts_draw_ladders(cairo_t *cr, const results_run *baseline, const results_run *run,
                         const charts_options *opts, double width, double height)
{
    charts_options o = opts ? *opts : (charts_options){0};
    o.hide_run_title = true;
    frame f = frame_make(cr, run, &o, width, height);
    f.baseline = baseline;
    cairo_save(cr);
    frame_background(&f);
    draw_ladder_pair(&f);
    cairo_restore(cr);
}

/* A value axis from -m to m through 0, in round steps as axis_linear's,
 * labelled with their signs. */
static void axis_symmetric(axis *a, double max, double target)
{
    axis_linear(a, max, target);
    double step = a->step, hi = a->hi;
    axis_free(a);
    memset(a, 0, sizeof *a);
    a->step = step;
    a->lo = -hi;
    a->hi = hi;
    long steps = lround(hi / step);
    for (long i = -steps; i <= steps && a->count < AXIS_MAX_TICKS; i++) {
        double v = (double)i * step;
        char *g = format_value(fabs(v), step);
        a->tick[a->count] = v;
        a->label[a->count++] = i == 0 ? g : xasprintf("%c%s", i < 0 ? '-' : '+', g);
        if (i != 0)
            free(g);
    }
}

/* Where delay ms lies along the bucket axis: inside the bucket that holds
 * it, in proportion to its edges (the P3 puts its endurance line on the
 * floor so). NAN past the last edge. */
static double bucket_position(const results_run *r, double ms, size_t buckets)
{
    double lower = 0;
    for (size_t k = 0; k < buckets; k++) {
        double upper = r->bucket_upper[k];
        if (!isfinite(upper))
            return NAN;
        if (ms <= upper)
            return (double)k + (upper > lower ? (ms - lower) / (upper - lower) : 1);
        lower = upper;
    }
    return NAN;
}

/* The bars of the difference: per bucket, a group of one bar per level
 * both runs have samples in. */
static void draw_difference_bars(const frame *f, const axis *y, const bool *shown,
                                 size_t shown_count)
{
    cairo_t *cr = f->cr;
    const results_run *b = f->baseline, *o = f->run;
    size_t buckets = o->bucket_count;
    double slot = slot_width(f, buckets), bar = 0.8 * slot / (double)shown_count;
    double zero = plot_y(f, y, 0);
    for (size_t k = 0; k < buckets; k++) {
        double x = f->plot.x0 + (double)k * slot + 0.1 * slot;
        for (size_t j = 0; j < o->level_count; j++) {
            if (!shown[j])
                continue;
            double d = o->levels[j].bucket_pct[k] - b->levels[j].bucket_pct[k];
            double py = plot_y(f, y, d), rgb[3];
            level_rgb(f, j, rgb);
            uint32_t colour = rgb_pack(rgb);
            if (fabs(py - zero) >= 0.5) {
                cairo_rectangle(cr, x, fmin(py, zero), bar, fabs(py - zero));
                canvas_rgb(cr, colour);
                cairo_fill_preserve(cr);
                canvas_rgb(cr, darker(colour, 0.55));
                cairo_set_line_width(cr, fmax(0.3, 0.8 * f->unit));
                cairo_stroke(cr);
            }
            x += bar;
        }
    }
    canvas_rgb(cr, COLOUR_AXIS);
    cairo_set_line_width(cr, fmax(0.6, 1.5 * f->unit));
    cairo_move_to(cr, f->plot.x0, zero);
    cairo_line_to(cr, f->plot.x1, zero);
    cairo_stroke(cr);
}

/* The bucket labels under the plot, every stride-th where they crowd. */
static void draw_bucket_labels(const frame *f, char **labels, size_t buckets)
{
    double slot = slot_width(f, buckets), widest = 0;
    for (size_t k = 0; k < buckets; k++)
        widest = fmax(widest, text_width(f->cr, &f->tick, labels[k]));
    size_t stride = 1;
    while (slot * (double)stride < widest + 0.5 * f->gap && stride < buckets)
        stride++;
    for (size_t k = 0; k < buckets; k += stride)
        put_text(f->cr, &f->tick, labels[k], slot_x(f, buckets, k), f->plot.y1 + 0.6 * f->gap,
                 0.5, 0, 0);
}

/* The endurance line up the plot where it falls among the buckets. */
static void draw_endurance_bucket(const frame *f, bool label_only)
{
    size_t buckets = f->run->bucket_count;
    double e = f->run->endurance_ms, at = bucket_position(f->run, e, buckets);
    if (!isfinite(at))
        return;
    cairo_t *cr = f->cr;
    double px = f->plot.x0 + at * slot_width(f, buckets), u = f->unit;
    if (label_only) {
        font label = f->value;
        label.style = CANVAS_BOLD;
        label.colour = COLOUR_ENDURANCE;
        char *t = endurance_text(e);
        put_text_on_plot(cr, &label, t, px + 0.4 * f->gap, f->plot.y0 + 0.3 * f->gap, 0, 0);
        free(t);
        return;
    }
    const double dash[] = {9 * u, 5 * u};
    canvas_rgb(cr, COLOUR_ENDURANCE);
    cairo_set_line_width(cr, fmax(0.75, 2.0 * u));
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, px, f->plot.y0);
    cairo_line_to(cr, px, f->plot.y1);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_difference(frame *f)
{
    const results_run *b = f->baseline, *o = f->run;
    size_t buckets = o->bucket_count, shown_count = 0;
    bool *shown = xcalloc(o->level_count + 1, sizeof *shown);
    double max = 0;
    legend l = {0};
    for (size_t j = 0; j < o->level_count; j++) {
        if (!both_have(b, o, j))
            continue;
        shown[j] = true;
        shown_count++;
        for (size_t k = 0; k < buckets; k++)
            max = fmax(max, fabs(o->levels[j].bucket_pct[k] - b->levels[j].bucket_pct[k]));
        double rgb[3];
        level_rgb(f, j, rgb);
        legend_add(f, &l, o->levels[j].name, rgb_pack(rgb), SWATCH_BOX, -1, 1, NAME_MAX_EM);
    }
    bool empty = shown_count == 0 || buckets == 0;
    axis y;
    axis_symmetric(&y, max > 0 ? max : 1, 3);
    draw_header(f, "Where the delays moved: share per delay bucket, difference", &l);
    legend_free(&l);
    char *notes[1] = {xasprintf(
        "Each bar: the share of a level's samples in the bucket in %s minus that in %s, the "
        "baseline, in percentage points. Above zero, %s has more of its samples there.",
        o->name, b->name, o->name)};
    draw_notes(f, notes, 1);
    free(notes[0]);
    place_plot_sides(f, &y, 0);
    place_plot_bottom(f, 0.6 * f->gap + font_height(f->cr, &f->tick));
    draw_axes(f, NULL, &y, "Delay (ms, the upper edge of each bucket)",
              "Share difference (points)", empty);
    if (empty) {
        draw_message(f, "No level both runs have samples in", "There are no shares to subtract.");
    } else {
        draw_bucket_labels(f, o->bucket_labels, buckets);
        draw_endurance_bucket(f, false);
        draw_difference_bars(f, &y, shown, shown_count);
        draw_endurance_bucket(f, true);
    }
    axis_free(&y);
    free(shown);
}

void charts_draw_difference(cairo_t *cr, const results_run *baseline, const results_run *run,
                            const charts_options *opts, double width, double height)
{
    charts_options o = opts ? *opts : (charts_options){0};
    o.hide_run_title = true;
    frame f = frame_make(cr, run, &o, width, height);
    f.baseline = baseline;
    cairo_save(cr);
    frame_background(&f);
    draw_difference(&f);
    cairo_restore(cr);
}

/* ---- entry points ---- */

const char *charts_name(charts_kind kind)
{
    switch (kind) {
    case CHARTS_LADDER: return "ladder";
    case CHARTS_CDF: return "cdf";
    case CHARTS_CPU: return "cpu";
    case CHARTS_USEFUL: return "useful";
    }
    return "chart";
}

void charts_draw(cairo_t *cr, charts_kind kind, const results_run *run,
                 const charts_options *opts, double width, double height)
{
    charts_options o = opts ? *opts : (charts_options){0};
    frame f = frame_make(cr, run, &o, width, height);
    cairo_save(cr);
    frame_background(&f);
    switch (kind) {
    case CHARTS_LADDER: draw_ladder(&f); break;
    case CHARTS_CDF: draw_cdf(&f); break;
    case CHARTS_CPU: draw_cpu(&f); break;
    case CHARTS_USEFUL: draw_useful(&f); break;
    }
    cairo_restore(cr);
}

int charts_write(charts_kind kind, const results_run *run, const charts_options *opts,
                 const char *path, diag_list *diags)
{
    charts_options o = opts ? *opts : (charts_options){0};
    int width = o.width > 0 ? o.width : DEFAULT_WIDTH;
    int height = o.height > 0 ? o.height : DEFAULT_HEIGHT;
    char *title = xasprintf("%s: %s", run->title, charts_name(kind));
    canvas *cv = canvas_new(o.format, width, height, o.dpi, title);
    free(title);
    charts_draw(canvas_cairo(cv), kind, run, &o, width, height);
    int status = canvas_write(cv, path, "chart", diags);
    canvas_free(cv);
    return status;
}
