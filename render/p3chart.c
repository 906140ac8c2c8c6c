#include "p3chart.h"

#include <cairo.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "status.h"
#include "xalloc.h"

#define DEFAULT_WIDTH 1600
#define DEFAULT_HEIGHT 1000

/* The camera looks from front-right-above, as Excel's 3-D column chart does:
 * the scene is turned VIEW_AZIMUTH about the vertical, tilted VIEW_ELEVATION
 * towards the viewer and projected orthographically, so verticals stay
 * vertical, X runs nearly level and the depth axis recedes to the upper right. */
#define VIEW_AZIMUTH_DEG 20.0
#define VIEW_ELEVATION_DEG 20.0

/* World units: a bucket slot is 1 wide along X, a row is row_pitch deep, and
 * a column fills this share of its slot and of its row; the rest is the gap
 * that lets the floor show between columns. */
#define COLUMN_WIDTH 0.6
#define COLUMN_DEPTH 0.6
/* The depth axis is at most this share of the X axis, so that many levels do
 * not turn the chart into a diagonal strip (the paper's charts are wide). */
#define DEPTH_MAX_SHARE 0.45
/* The walls' height on screen as a share of the floor's projected width: the
 * layout picks the tallest that fits, within these bounds. */
#define WALL_MIN_SHARE 0.22
#define WALL_MAX_SHARE 0.42

/* Sizes in pixels on the default 1600 x 1000 canvas; every one scales with
 * the canvas (chart.unit), fonts also with the options' text_scale
 * (chart.font_unit) and no smaller than MIN_FONT_PX. */
#define TITLE_PX 30.0
#define TITLE_LEADING 1.15 /* distance of the title's lines, in text heights */
#define AXIS_TITLE_PX 19.0
#define TICK_PX 17.0
#define LEGEND_PX 18.0
#define NOTE_PX 15.0
#define MIN_FONT_PX 6.0
#define MARGIN_PX 24.0
#define GAP_PX 10.0
/* Longest bucket label, depth label and level name in the legend before an
 * ellipsis cuts them, in ems of their font. */
#define X_LABEL_MAX_EM 9.0
#define DEPTH_LABEL_MAX_EM 12.0
#define LEGEND_NAME_MAX_EM 14.0
/* The legend goes under the chart on canvases narrower than this many
 * heights, and there takes at most this share of the height. */
#define LEGEND_BELOW_ASPECT 1.25
#define LEGEND_BELOW_SHARE 0.3
/* Side of a legend swatch, in heights of the legend's text. */
#define LEGEND_SWATCH 0.8

/* Gridlines on the walls every Z_STEP %; Z_TICKS labels from 0 to 100. */
#define Z_STEP 10
#define Z_TICKS (100 / Z_STEP + 1)

/* Shading of a column from its level's colour: the lit top mixed this far
 * towards white (an empty bucket's tile further), the side in shadow and
 * the outlines darkened to these shares. */
#define SHADE_TOP 0.35
#define SHADE_TILE 0.55
#define SHADE_SIDE 0.72
#define SHADE_EDGE 0.5

/* Colours as 0xRRGGBB. */
#define COLOUR_BACKGROUND 0xFFFFFF
#define COLOUR_BACK_WALL 0xF1F3F5
#define COLOUR_SIDE_WALL 0xE3E6EA
#define COLOUR_FLOOR 0xD5D9DE
#define COLOUR_GRID 0xC3C8CF   /* gridlines on the walls, the legend's frame */
#define COLOUR_FLOOR_GRID 0xC0C5CC
#define COLOUR_EDGE 0x8A9099   /* outline of walls and floor */
#define COLOUR_TEXT 0x262626
#define COLOUR_MUTED 0x666B73  /* notes and sample counts */
#define COLOUR_ENDURANCE 0xC62828

/* The "paper" palette, by level index so that a level keeps its colour in
 * every chart: the first six are the paper's levels None..Overload, with
 * Medium salmon as the paper's "salmon colored row". */
static const uint32_t paper_palette[] = {
    0x1F3A7A, /* None: navy */
    0x8E4585, /* Low: plum */
    0xFA8072, /* Medium: salmon */
    0xF2C14E, /* Busy: gold */
    0x2A9D8F, /* Maximum: teal */
    0x7F1D2D, /* Overload: maroon */
    0x6B8E23, /* olive */
    0xE07B1F, /* orange */
    0x5DA5DA, /* sky blue */
    0x8D6E63, /* brown */
    0xD45D9E, /* pink */
    0x5B6770, /* slate */
};
#define PALETTE_SIZE (sizeof paper_palette / sizeof *paper_palette)

/* The "colorblind" palette: Okabe and Ito's eight colours for colour-blind
 * readers (Color Universal Design, 2008) without black, which shades to
 * nothing on a column, and five more picked to stay apart from them. Every
 * pair of the twelve differs by at least 10 CIEDE2000 units under
 * protanopia, deuteranopia and tritanopia as simulated by Machado, Oliveira
 * and Fernandes (2009); tests/check_p3chart.c checks it. The first six,
 * the paper's levels, are the six of Okabe-Ito that lie furthest apart:
 * Medium in vermillion, nearest the paper's salmon; Busy in yellow, as the
 * paper palette's gold. */
static const uint32_t colorblind_palette[PALETTE_SIZE] = {
    0x0072B2, /* None: blue */
    0x009E73, /* Low: bluish green */
    0xD55E00, /* Medium: vermillion */
    0xF0E442, /* Busy: yellow */
    0x56B4E9, /* Maximum: sky blue */
    0xCC79A7, /* Overload: reddish purple */
    0xE69F00, /* orange */
    0x444444, /* charcoal */
    0x882200, /* brown */
    0x3311BB, /* indigo */
    0x776677, /* grey mauve */
    0x99CC88, /* pale green */
};

/* A string ready to draw, measured once in its font. */
typedef struct text {
    char *str;         /* valid UTF-8, owned; "" for nothing */
    double size;       /* font size in pixels */
    canvas_style style;
    uint32_t colour;
    double width;      /* advance of the whole string */
    double ascent, descent;
} text;

/* Where a text goes: the anchor point sits at (ax, ay) of the text's box
 * (0 left/top .. 1 right/bottom), and the box turns about it. */
typedef struct label {
    const text *t;
    double x, y;   /* anchor in pixels */
    double ax, ay;
    double angle;  /* counter-clockwise on screen, radians */
} label;

typedef struct box {
    double x0, y0, x1, y1;
} box;

typedef struct point {
    double x, y;
} point;

/* Where the scene lands on the canvas. */
typedef struct view {
    double scale;  /* pixels per world unit */
    double z_len;  /* world height of 100 % */
    double ox, oy; /* pixel position of the front-left corner of the floor */
} view;

/* Everything drawn, prepared from p3chart_data for one canvas. */
typedef struct chart {
    double width, height;   /* the canvas */
    double unit;            /* scale of sizes: 1 on the default canvas */
    double font_unit;       /* scale of font sizes: unit times the text scale */
    p3chart_palette palette;
    size_t columns;         /* bucket columns drawn */
    size_t levels;          /* load levels: rows, front to back */
    double *share;          /* levels x columns heights in %, clamped, overflow folded */
    double row_pitch;       /* world depth of one row */
    double endurance_x;     /* world X of the endurance line; NAN when off the axis */
    double cos_az, sin_az;  /* of VIEW_AZIMUTH_DEG */
    double cos_el, sin_el;  /* of VIEW_ELEVATION_DEG */
    text title[2];          /* one or two lines; str "" when absent */
    text *x_label;          /* columns */
    text *depth_label;      /* levels */
    text *legend_name;      /* levels */
    text *legend_count;     /* levels: "n=1,234" or "(no samples)" */
    text z_label[Z_TICKS];  /* "0" .. "100" */
    text delay_title, load_title, count_title;
    text endurance_label;   /* "1 s" */
    text note;              /* the fold note; str "" when absent */
    double legend_line;     /* height of one legend entry */
    double legend_cell;     /* width of one legend entry, with the space after it */
    size_t legend_columns;  /* legend entries side by side */
    bool legend_below;      /* under the chart rather than to its right */
    box legend;             /* the legend's frame */
    box plot;               /* where the scene and its labels must fit */
} chart;

void p3chart_palette_rgb(p3chart_palette palette, size_t level, double rgb[3])
{
    const uint32_t *colours =
        palette == P3CHART_PALETTE_COLORBLIND ? colorblind_palette : paper_palette;
    uint32_t c = colours[level % PALETTE_SIZE];
    rgb[0] = ((c >> 16) & 0xFF) / 255.0;
    rgb[1] = ((c >> 8) & 0xFF) / 255.0;
    rgb[2] = (c & 0xFF) / 255.0;
}

void p3chart_level_rgb(size_t level, double rgb[3])
{
    p3chart_palette_rgb(P3CHART_PALETTE_PAPER, level, rgb);
}

/* ---- text ---- */

/* Takes str (owned) into t, measured in its font. */
static void text_set(cairo_t *cr, text *t, char *str, double size, canvas_style style,
                     uint32_t colour)
{
    double ascent, descent;
    canvas_font(cr, size, style);
    canvas_font_extents(cr, &ascent, &descent);
    *t = (text){str, size, style, colour, canvas_text_width(cr, str), ascent, descent};
}

/* raw, cleaned and cut with an ellipsis to max_width, into t. */
static void text_fit(cairo_t *cr, text *t, const char *raw, double max_width, double size,
                     canvas_style style, uint32_t colour)
{
    char *clean = canvas_clean_text(raw);
    canvas_font(cr, size, style);
    char *fitted = canvas_ellipsize(cr, clean, max_width);
    free(clean);
    text_set(cr, t, fitted, size, style, colour);
}

static double text_height(const text *t)
{
    return t->ascent + t->descent;
}

static void text_free(text *t)
{
    free(t->str);
}

/* "n=12,345", or "(no samples)" for an empty level. Caller frees. */
static char *count_text(long long n)
{
    if (n <= 0)
        return xstrdup("(no samples)");
    char *grouped = canvas_group_digits(n);
    char *s = xasprintf("n=%s", grouped);
    free(grouped);
    return s;
}

/* ---- labels and boxes ---- */

static box box_empty(void)
{
    return (box){INFINITY, INFINITY, -INFINITY, -INFINITY};
}

static void box_add(box *b, double x, double y)
{
    b->x0 = fmin(b->x0, x);
    b->y0 = fmin(b->y0, y);
    b->x1 = fmax(b->x1, x);
    b->y1 = fmax(b->y1, y);
}

/* The label's text box turned about its anchor, as an upright box. */
static box label_box(const label *l)
{
    double w = l->t->width, h = text_height(l->t);
    double c = cos(l->angle), s = sin(l->angle);
    box b = box_empty();
    for (int corner = 0; corner < 4; corner++) {
        double tx = (corner & 1 ? 1 - l->ax : -l->ax) * w;
        double ty = (corner & 2 ? 1 - l->ay : -l->ay) * h;
        box_add(&b, l->x + tx * c + ty * s, l->y - tx * s + ty * c);
    }
    return b;
}

static void draw_label(cairo_t *cr, const label *l)
{
    if (!*l->t->str)
        return;
    canvas_font(cr, l->t->size, l->t->style);
    canvas_rgb(cr, l->t->colour);
    cairo_save(cr);
    cairo_translate(cr, l->x, l->y);
    cairo_rotate(cr, -l->angle);
    cairo_move_to(cr, -l->ax * l->t->width, -l->ay * text_height(l->t) + l->t->ascent);
    canvas_show_text(cr, l->t->str);
    cairo_restore(cr);
}

/* How many steps apart labels must be so that `needed` pixels separate
 * them when neighbours are `spacing` pixels apart; at most count. */
static size_t label_stride(double needed, double spacing, size_t count)
{
    if (count <= 1)
        return 1;
    if (!(spacing > 0) || needed / spacing >= (double)count)
        return count;
    double stride = ceil(needed / spacing);
    return stride < 1 ? 1 : (size_t)stride;
}

/* ---- the scene ---- */

static double scene_depth(const chart *c)
{
    return (double)c->levels * c->row_pitch;
}

/* Pixel position of world point (x, y) at height pct %. */
static point project(const chart *c, const view *v, double x, double y, double pct)
{
    double z = pct / 100.0 * v->z_len;
    double into_screen = y * c->cos_az - x * c->sin_az;
    return (point){v->ox + v->scale * (x * c->cos_az + y * c->sin_az),
                   v->oy - v->scale * (z * c->cos_el + into_screen * c->sin_el)};
}

static void polygon(cairo_t *cr, const chart *c, const view *v, const double (*pts)[3], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        point p = project(c, v, pts[i][0], pts[i][1], pts[i][2]);
        if (i == 0)
            cairo_move_to(cr, p.x, p.y);
        else
            cairo_line_to(cr, p.x, p.y);
    }
    cairo_close_path(cr);
}

static void segment(cairo_t *cr, const chart *c, const view *v, double x0, double y0, double z0,
                    double x1, double y1, double z1)
{
    point a = project(c, v, x0, y0, z0), b = project(c, v, x1, y1, z1);
    cairo_move_to(cr, a.x, a.y);
    cairo_line_to(cr, b.x, b.y);
}

/* Most labels the scene places: one per column and per level, the Z ticks,
 * three axis titles and the endurance label. */
static size_t scene_label_room(const chart *c)
{
    return c->columns + c->levels + Z_TICKS + 4;
}

/* Bucket labels along the front edge of the floor, level or turned 45
 * degrees when they would touch, and every stride-th when even that is
 * too tight; then "Delay (ms)" under them. Returns the labels added. */
static size_t place_x_labels(const chart *c, const view *v, label *out)
{
    double gap = GAP_PX * c->unit, widest = 0, h = text_height(&c->x_label[0]);
    for (size_t i = 0; i < c->columns; i++)
        widest = fmax(widest, c->x_label[i].width);
    double spacing = v->scale * c->cos_az;
    bool turned = widest + gap > spacing;
    size_t stride = turned ? label_stride((h + 0.3 * gap) / M_SQRT1_2, spacing, c->columns) : 1;
    size_t n = 0;
    for (size_t i = 0; i < c->columns; i += stride) {
        point p = project(c, v, i + 0.5, 0, 0);
        if (turned)
            out[n++] = (label){&c->x_label[i], p.x + 0.3 * h, p.y + 0.5 * gap, 1, 0, M_PI / 4};
        else
            out[n++] = (label){&c->x_label[i], p.x, p.y + 0.6 * gap, 0.5, 0, 0};
    }
    /* The title goes under the lowest bucket label beneath it. */
    point mid = project(c, v, c->columns / 2.0, 0, 0);
    double half = c->delay_title.width / 2, top = mid.y + gap;
    for (size_t i = 0; i < n; i++) {
        box b = label_box(&out[i]);
        if (b.x1 > mid.x - half - gap && b.x0 < mid.x + half + gap)
            top = fmax(top, b.y1 + 0.6 * gap);
    }
    out[n++] = (label){&c->delay_title, mid.x, top, 0.5, 0, 0};
    return n;
}

/* Shares up the front edge of the left wall, every 10 % unless they would
 * touch, and "Count (%)" turned upright beside them. */
static size_t place_z_labels(const chart *c, const view *v, label *out)
{
    static const size_t strides[] = {1, 2, 5, 10};
    double gap = GAP_PX * c->unit, h = text_height(&c->z_label[0]);
    double spacing = v->scale * v->z_len * c->cos_el * Z_STEP / 100.0;
    size_t stride = 10;
    for (size_t i = 0; i < sizeof strides / sizeof *strides; i++) {
        if (spacing * (double)strides[i] >= 1.2 * h) {
            stride = strides[i];
            break;
        }
    }
    size_t n = 0;
    double left = INFINITY;
    for (size_t k = 0; k < Z_TICKS; k += stride) {
        point p = project(c, v, 0, 0, (double)(k * Z_STEP));
        out[n] = (label){&c->z_label[k], p.x - gap, p.y, 1, 0.5, 0};
        left = fmin(left, label_box(&out[n++]).x0);
    }
    point mid = project(c, v, 0, 0, 50);
    out[n++] = (label){&c->count_title, left - gap, mid.y, 0.5, 1, M_PI / 2};
    return n;
}

/* Level names along the right edge of the floor, every stride-th when rows
 * are too close, and "User Load" beyond them, parallel to the depth axis. */
static size_t place_depth_labels(const chart *c, const view *v, label *out)
{
    double gap = GAP_PX * c->unit, h = text_height(&c->depth_label[0]);
    double X = (double)c->columns;
    double rise = v->scale * c->row_pitch * c->cos_az * c->sin_el;
    size_t stride = label_stride(1.1 * h, rise, c->levels);
    double axis = atan2(c->cos_az * c->sin_el, c->sin_az);
    double reach = 0; /* how far the labels stand off the edge, across the axis */
    size_t n = 0;
    for (size_t j = 0; j < c->levels; j += stride) {
        point p = project(c, v, X, (j + 0.5) * c->row_pitch, 0);
        out[n++] = (label){&c->depth_label[j], p.x + gap, p.y, 0, 0.5, 0};
        reach = fmax(reach, (gap + c->depth_label[j].width) * sin(axis) + h / 2 * cos(axis));
    }
    point mid = project(c, v, X, scene_depth(c) / 2, 0);
    double off = reach + gap;
    out[n++] = (label){&c->load_title, mid.x + off * sin(axis), mid.y + off * cos(axis), 0.5, 0,
                       axis};
    return n;
}

/* Every label attached to the scene, placed for view v; out has
 * scene_label_room() entries. Returns the count. */
static size_t place_scene_labels(const chart *c, const view *v, label *out)
{
    size_t n = place_x_labels(c, v, out);
    n += place_z_labels(c, v, out + n);
    n += place_depth_labels(c, v, out + n);
    if (isfinite(c->endurance_x)) {
        point top = project(c, v, c->endurance_x, scene_depth(c), 100);
        out[n++] = (label){&c->endurance_label, top.x, top.y - 0.5 * GAP_PX * c->unit, 0.5, 1, 0};
    }
    return n;
}

/* The box the scene and its labels cover under view v. */
static box scene_extent(const chart *c, const view *v, label *scratch)
{
    box b = box_empty();
    for (int corner = 0; corner < 8; corner++) {
        point p = project(c, v, corner & 1 ? (double)c->columns : 0, corner & 2 ? scene_depth(c) : 0,
                          corner & 4 ? 100 : 0);
        box_add(&b, p.x, p.y);
    }
    size_t n = place_scene_labels(c, v, scratch);
    for (size_t i = 0; i < n; i++) {
        box l = label_box(&scratch[i]);
        box_add(&b, l.x0, l.y0);
        box_add(&b, l.x1, l.y1);
    }
    return b;
}

static bool fits(const chart *c, const view *v, label *scratch)
{
    box b = scene_extent(c, v, scratch);
    return b.x1 - b.x0 <= c->plot.x1 - c->plot.x0 && b.y1 - b.y0 <= c->plot.y1 - c->plot.y0;
}

/* The largest scale at which the scene and its labels fit the plot box,
 * with the walls as tall as then still fits, centred in the box. Labels do
 * not grow with the scale, so the fit is searched rather than solved. */
static view fit_view(const chart *c)
{
    label *scratch = xcalloc(scene_label_room(c), sizeof *scratch);
    double span = (double)c->columns * c->cos_az + scene_depth(c) * c->sin_az;
    double z_min = WALL_MIN_SHARE * span / c->cos_el, z_max = WALL_MAX_SHARE * span / c->cos_el;
    view v = {0, z_min, 0, 0};
    double lo = 0, hi = (c->plot.x1 - c->plot.x0) / span;
    for (int i = 0; i < 40; i++) {
        v.scale = (lo + hi) / 2;
        if (fits(c, &v, scratch))
            lo = v.scale;
        else
            hi = v.scale;
    }
    v.scale = lo;
    lo = z_min;
    hi = z_max;
    for (int i = 0; i < 30; i++) {
        v.z_len = (lo + hi) / 2;
        if (fits(c, &v, scratch))
            lo = v.z_len;
        else
            hi = v.z_len;
    }
    v.z_len = lo;
    box b = scene_extent(c, &v, scratch);
    v.ox = c->plot.x0 - b.x0 + ((c->plot.x1 - c->plot.x0) - (b.x1 - b.x0)) / 2;
    v.oy = c->plot.y0 - b.y0 + ((c->plot.y1 - c->plot.y0) - (b.y1 - b.y0)) / 2;
    free(scratch);
    return v;
}

/* A legend under the chart goes right under the scene, which fit_view()
 * centred in the plot box: scene and legend are then centred together. */
static void lift_legend(chart *c, const view *v)
{
    label *scratch = xcalloc(scene_label_room(c), sizeof *scratch);
    double lift = c->legend.y0 - (scene_extent(c, v, scratch).y1 + 2 * GAP_PX * c->unit);
    free(scratch);
    c->legend.y0 -= lift;
    c->legend.y1 -= lift;
}

/* ---- preparing the chart ---- */

static double clamp_pct(double pct)
{
    return isfinite(pct) ? fmin(fmax(pct, 0), 100) : 0;
}

/* Column heights, with the overflow added to the last real bucket when
 * folding. A level without samples stays flat whatever its shares say. */
static void prepare_shares(chart *c, const p3chart_data *data, bool fold)
{
    size_t overflow = data->bucket_count - 1;
    c->share = xcalloc(c->levels * c->columns, sizeof *c->share);
    for (size_t j = 0; j < c->levels; j++) {
        const double *pct = data->levels[j].pct;
        if (data->levels[j].n <= 0)
            continue;
        double *row = c->share + j * c->columns;
        for (size_t i = 0; i < c->columns; i++)
            row[i] = clamp_pct(pct[i]);
        if (fold)
            row[c->columns - 1] = fmin(100, row[c->columns - 1] + clamp_pct(pct[overflow]));
    }
}

/* World X of delay endurance_ms: inside the bucket that holds it (buckets
 * are upper-inclusive, the first from 0), by linear interpolation between
 * the bucket's edges across its slot. NAN when no real bucket holds it. */
static double endurance_position(const p3chart_data *data)
{
    double e = data->endurance_ms, lower = 0;
    if (!data->bucket_upper || !isfinite(e) || e <= 0)
        return NAN;
    for (size_t k = 0; k + 1 < data->bucket_count; k++) {
        double upper = data->bucket_upper[k];
        if (!isfinite(upper) || upper <= lower)
            return NAN;
        if (e <= upper)
            return (double)k + (e - lower) / (upper - lower);
        lower = upper;
    }
    return NAN;
}

/* The title in one line, or wrapped where Pango may break it (a space,
 * between CJK characters) into two with the second cut by an ellipsis, to
 * max_width. */
static void prepare_title(cairo_t *cr, chart *c, const char *raw, double max_width)
{
    double size = fmax(TITLE_PX * c->font_unit, MIN_FONT_PX);
    char *clean = canvas_clean_text(raw);
    canvas_font(cr, size, CANVAS_BOLD);
    char **lines;
    size_t n = canvas_wrap(cr, clean, max_width, 2, &lines);
    free(clean);
    text_set(cr, &c->title[0], lines[0], size, CANVAS_BOLD, COLOUR_TEXT);
    text_set(cr, &c->title[1], n > 1 ? lines[1] : xstrdup(""), size, CANVAS_BOLD, COLOUR_TEXT);
    free(lines); /* the strings went into the titles */
}

/* "Delays over 1850 ms are counted in the 1850 column": the note that says
 * where the overflow went. Needs the bucket labels; caller frees. */
static char *fold_note(const chart *c, const p3chart_data *data)
{
    const char *last = c->x_label[c->columns - 1].str;
    double upper = data->bucket_upper ? data->bucket_upper[c->columns - 1] : NAN;
    char *over = isfinite(upper) ? xasprintf("%g", upper) : xstrdup(last);
    char *note = xasprintf("Delays over %s ms are counted in the %s column", over, last);
    free(over);
    return note;
}

static void prepare_texts(cairo_t *cr, chart *c, const p3chart_data *data, bool fold)
{
    double u = c->unit, fu = c->font_unit;
    double tick = fmax(TICK_PX * fu, MIN_FONT_PX), axis = fmax(AXIS_TITLE_PX * fu, MIN_FONT_PX);
    prepare_title(cr, c, data->title, c->width - 2 * MARGIN_PX * u);
    c->x_label = xcalloc(c->columns, sizeof *c->x_label);
    for (size_t i = 0; i < c->columns; i++)
        text_fit(cr, &c->x_label[i], data->bucket_labels ? data->bucket_labels[i] : NULL,
                 X_LABEL_MAX_EM * tick, tick, CANVAS_REGULAR, COLOUR_TEXT);
    c->depth_label = xcalloc(c->levels, sizeof *c->depth_label);
    for (size_t j = 0; j < c->levels; j++)
        text_fit(cr, &c->depth_label[j], data->levels[j].name, DEPTH_LABEL_MAX_EM * tick, tick,
                 CANVAS_REGULAR, COLOUR_TEXT);
    for (size_t k = 0; k < Z_TICKS; k++)
        text_set(cr, &c->z_label[k], xasprintf("%zu", k * Z_STEP), tick, CANVAS_REGULAR,
                 COLOUR_TEXT);
    text_set(cr, &c->delay_title, xstrdup("Delay (ms)"), axis, CANVAS_BOLD, COLOUR_TEXT);
    text_set(cr, &c->load_title, xstrdup("User Load"), axis, CANVAS_BOLD, COLOUR_TEXT);
    text_set(cr, &c->count_title, xstrdup("Count (%)"), axis, CANVAS_BOLD, COLOUR_TEXT);
    double e = data->endurance_ms;
    text_set(cr, &c->endurance_label,
             fmod(e, 1000) == 0 ? xasprintf("%g s", e / 1000) : xasprintf("%g ms", e), tick,
             CANVAS_BOLD, COLOUR_ENDURANCE);
    char *fold_text = fold ? fold_note(c, data) : xstrdup("");
    char *note = data->note && *data->note
                     ? xasprintf("%s%s%s", fold_text, *fold_text ? ". " : "", data->note)
                     : xstrdup(fold_text);
    free(fold_text);
    text_fit(cr, &c->note, note, c->width - 2 * MARGIN_PX * u, fmax(NOTE_PX * fu, MIN_FONT_PX),
             CANVAS_ITALIC, COLOUR_MUTED);
    free(note);
}

/* (Re)makes the legend's texts in font size `size`; returns the width of
 * the widest entry: swatch, name and sample count. */
static double legend_texts(cairo_t *cr, chart *c, const p3chart_data *data, double size)
{
    double pad = GAP_PX * c->unit, widest = 0;
    for (size_t j = 0; j < c->levels; j++) {
        text_free(&c->legend_name[j]);
        text_free(&c->legend_count[j]);
        text_fit(cr, &c->legend_name[j], data->levels[j].name, LEGEND_NAME_MAX_EM * size, size,
                 CANVAS_REGULAR, COLOUR_TEXT);
        text_set(cr, &c->legend_count[j], count_text(data->levels[j].n), 0.8 * size,
                 CANVAS_REGULAR, COLOUR_MUTED);
        double swatch = LEGEND_SWATCH * text_height(&c->legend_name[j]);
        widest = fmax(widest, swatch + pad + c->legend_name[j].width + pad +
                                  c->legend_count[j].width);
    }
    return widest;
}

/* The legend between top and bottom: a column at the right edge of a wide
 * canvas, else rows of entries centred at the bottom (lift_legend() later
 * moves them up under the chart). Its font shrinks if the entries would
 * not fit. */
static void prepare_legend(cairo_t *cr, chart *c, const p3chart_data *data, double top,
                           double bottom)
{
    double u = c->unit, pad = GAP_PX * u, margin = MARGIN_PX * u;
    bool below = c->legend_below = c->width < LEGEND_BELOW_ASPECT * c->height;
    double room = below ? LEGEND_BELOW_SHARE * (bottom - top) : bottom - top;
    double size = fmax(LEGEND_PX * c->font_unit, MIN_FONT_PX), height = 0;
    c->legend_name = xcalloc(c->levels, sizeof *c->legend_name);
    c->legend_count = xcalloc(c->levels, sizeof *c->legend_count);
    /* Unhinted text grows in proportion to its size, so one correction
     * is enough. */
    for (int pass = 0; pass < 2; pass++) {
        double widest = legend_texts(cr, c, data, size);
        c->legend_line = 1.5 * text_height(&c->legend_name[0]);
        c->legend_cell = widest + (below ? 2 * pad : 0);
        c->legend_columns = 1;
        if (below) {
            double fit = floor((c->width - 2 * margin) / c->legend_cell);
            c->legend_columns = fit < 1 ? 1 : fit > (double)c->levels ? c->levels : (size_t)fit;
        }
        size_t rows = (c->levels + c->legend_columns - 1) / c->legend_columns;
        height = 2 * pad + c->legend_line * (double)rows;
        if (height <= room || pass > 0)
            break;
        size = fmax(size * (room - 2 * pad) / (height - 2 * pad), 1);
    }
    double width = c->legend_cell * (double)c->legend_columns + (below ? 0 : 2 * pad);
    if (below) {
        double x0 = (c->width - width) / 2;
        c->legend = (box){x0, bottom - height, x0 + width, bottom};
    } else {
        double mid = (top + bottom) / 2;
        c->legend = (box){c->width - margin - width, mid - height / 2, c->width - margin,
                          mid + height / 2};
    }
}

/* Frees what chart_prepare() allocated. */
static void chart_free(chart *c)
{
    for (size_t i = 0; i < c->columns; i++)
        text_free(&c->x_label[i]);
    for (size_t j = 0; j < c->levels; j++) {
        text_free(&c->depth_label[j]);
        text_free(&c->legend_name[j]);
        text_free(&c->legend_count[j]);
    }
    for (size_t k = 0; k < Z_TICKS; k++)
        text_free(&c->z_label[k]);
    text_free(&c->title[0]);
    text_free(&c->title[1]);
    text_free(&c->delay_title);
    text_free(&c->load_title);
    text_free(&c->count_title);
    text_free(&c->endurance_label);
    text_free(&c->note);
    free(c->x_label);
    free(c->depth_label);
    free(c->legend_name);
    free(c->legend_count);
    free(c->share);
}

/* Everything to draw on a width x height canvas: shares, texts measured in
 * cr's fonts, and the layout of title, legend, note and plot box. */
static void chart_prepare(cairo_t *cr, chart *c, const p3chart_data *data,
                          const p3chart_options *o, double width, double height)
{
    bool fold = o->overflow == P3CHART_OVERFLOW_FOLD;
    memset(c, 0, sizeof *c);
    c->width = width;
    c->height = height;
    c->unit = fmin(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT);
    c->font_unit = c->unit * (o->text_scale > 0 ? o->text_scale : 1);
    c->palette = o->palette;
    c->levels = data->level_count;
    c->columns = fold ? data->bucket_count - 1 : data->bucket_count;
    c->row_pitch = fmin(1, DEPTH_MAX_SHARE * (double)c->columns / (double)c->levels);
    c->endurance_x = endurance_position(data);
    c->cos_az = cos(VIEW_AZIMUTH_DEG * M_PI / 180);
    c->sin_az = sin(VIEW_AZIMUTH_DEG * M_PI / 180);
    c->cos_el = cos(VIEW_ELEVATION_DEG * M_PI / 180);
    c->sin_el = sin(VIEW_ELEVATION_DEG * M_PI / 180);
    prepare_shares(c, data, fold);
    prepare_texts(cr, c, data, fold);

    double margin = MARGIN_PX * c->unit, gap = GAP_PX * c->unit;
    double top = margin;
    for (int i = 0; i < 2; i++)
        if (*c->title[i].str)
            top += TITLE_LEADING * text_height(&c->title[i]);
    if (top > margin)
        top += gap;
    double bottom = height - margin;
    if (*c->note.str)
        bottom -= text_height(&c->note) + gap;
    prepare_legend(cr, c, data, top, bottom);
    if (c->legend_below)
        c->plot = (box){margin, top, width - margin, c->legend.y0 - 2 * gap};
    else
        c->plot = (box){margin, top, c->legend.x0 - 2 * gap, bottom};
}

/* ---- drawing ---- */

/* rgb mixed towards white by t (0..1). */
static void lighten(const double rgb[3], double t, double out[3])
{
    for (int i = 0; i < 3; i++)
        out[i] = rgb[i] + (1 - rgb[i]) * t;
}

/* rgb darkened to the share f (0..1) of its intensity. */
static void darken(const double rgb[3], double f, double out[3])
{
    for (int i = 0; i < 3; i++)
        out[i] = rgb[i] * f;
}

static void fill_and_edge(cairo_t *cr, const double fill[3], const double edge[3])
{
    cairo_set_source_rgb(cr, fill[0], fill[1], fill[2]);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, edge[0], edge[1], edge[2]);
    cairo_stroke(cr);
}

/* Back wall, left wall and floor with their gridlines: every Z_STEP % up
 * the walls, between buckets and between levels on the floor. */
static void draw_walls(cairo_t *cr, const chart *c, const view *v)
{
    double X = (double)c->columns, D = scene_depth(c), u = c->unit;
    const double back[4][3] = {{0, D, 0}, {X, D, 0}, {X, D, 100}, {0, D, 100}};
    const double side[4][3] = {{0, 0, 0}, {0, D, 0}, {0, D, 100}, {0, 0, 100}};
    const double ground[4][3] = {{0, 0, 0}, {X, 0, 0}, {X, D, 0}, {0, D, 0}};
    const struct {
        const double (*pts)[3];
        uint32_t colour;
    } planes[] = {{back, COLOUR_BACK_WALL}, {side, COLOUR_SIDE_WALL}, {ground, COLOUR_FLOOR}};
    for (size_t i = 0; i < sizeof planes / sizeof *planes; i++) {
        polygon(cr, c, v, planes[i].pts, 4);
        canvas_rgb(cr, planes[i].colour);
        cairo_fill(cr);
    }
    cairo_set_line_width(cr, fmax(0.5, 1.0 * u));
    canvas_rgb(cr, COLOUR_GRID);
    for (int pct = Z_STEP; pct < 100; pct += Z_STEP) {
        segment(cr, c, v, 0, 0, pct, 0, D, pct);
        segment(cr, c, v, 0, D, pct, X, D, pct);
    }
    cairo_stroke(cr);
    cairo_set_line_width(cr, fmax(0.4, 0.8 * u));
    canvas_rgb(cr, COLOUR_FLOOR_GRID);
    for (size_t i = 1; i < c->columns; i++)
        segment(cr, c, v, (double)i, 0, 0, (double)i, D, 0);
    for (size_t j = 1; j < c->levels; j++)
        segment(cr, c, v, 0, (double)j * c->row_pitch, 0, X, (double)j * c->row_pitch, 0);
    cairo_stroke(cr);
    cairo_set_line_width(cr, fmax(0.5, 1.2 * u));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    canvas_rgb(cr, COLOUR_EDGE);
    for (size_t i = 0; i < sizeof planes / sizeof *planes; i++)
        polygon(cr, c, v, planes[i].pts, 4);
    cairo_stroke(cr);
}

/* The endurance line across the floor, carried up the back wall dashed so
 * it still shows where the columns hide the floor. Drawn before the
 * columns, which then cover it where they stand in front of it. */
static void draw_endurance(cairo_t *cr, const chart *c, const view *v)
{
    if (!isfinite(c->endurance_x))
        return;
    double x = c->endurance_x, D = scene_depth(c), u = c->unit;
    const double dash[] = {6 * u, 4 * u};
    canvas_rgb(cr, COLOUR_ENDURANCE);
    cairo_set_line_width(cr, fmax(1, 3 * u));
    segment(cr, c, v, x, 0, 0, x, D, 0);
    cairo_stroke(cr);
    cairo_set_line_width(cr, fmax(0.5, 1.5 * u));
    cairo_set_dash(cr, dash, 2, 0);
    segment(cr, c, v, x, D, 0, x, D, 100);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* One column as the camera sees it: front, right side and top (the
 * others face away). An empty bucket is a flat tile on the floor, so it
 * reads as zero rather than missing. */
static void draw_column(cairo_t *cr, const chart *c, const view *v, size_t level, size_t col)
{
    double pct = c->share[level * c->columns + col];
    double x0 = (double)col + (1 - COLUMN_WIDTH) / 2, x1 = x0 + COLUMN_WIDTH;
    double y0 = ((double)level + (1 - COLUMN_DEPTH) / 2) * c->row_pitch;
    double y1 = y0 + COLUMN_DEPTH * c->row_pitch;
    double base[3], top[3], side[3], edge[3];
    p3chart_palette_rgb(c->palette, level, base);
    lighten(base, pct > 0 ? SHADE_TOP : SHADE_TILE, top);
    darken(base, SHADE_SIDE, side);
    darken(base, SHADE_EDGE, edge);
    cairo_set_line_width(cr, fmax(0.4, 0.8 * c->unit));
    const double roof[4][3] = {{x0, y0, pct}, {x1, y0, pct}, {x1, y1, pct}, {x0, y1, pct}};
    if (pct > 0) {
        const double front[4][3] = {{x0, y0, 0}, {x1, y0, 0}, {x1, y0, pct}, {x0, y0, pct}};
        const double right[4][3] = {{x1, y0, 0}, {x1, y1, 0}, {x1, y1, pct}, {x1, y0, pct}};
        polygon(cr, c, v, front, 4);
        fill_and_edge(cr, base, edge);
        polygon(cr, c, v, right, 4);
        fill_and_edge(cr, side, edge);
    }
    polygon(cr, c, v, roof, 4);
    fill_and_edge(cr, top, edge);
}

/* Painter's order, exact for boxes on a grid: rows are separated by planes
 * of constant depth and the camera is in front, so rows go from the back to
 * the front; columns in a row are separated by planes of constant X and the
 * camera is to the right, so they go from left to right. */
static void draw_columns(cairo_t *cr, const chart *c, const view *v)
{
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_BEVEL);
    for (size_t j = c->levels; j-- > 0;)
        for (size_t i = 0; i < c->columns; i++)
            draw_column(cr, c, v, j, i);
}

static void draw_legend(cairo_t *cr, const chart *c)
{
    double u = c->unit, pad = GAP_PX * u;
    const box *b = &c->legend;
    cairo_rectangle(cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0);
    canvas_rgb(cr, COLOUR_BACKGROUND);
    cairo_fill_preserve(cr);
    canvas_rgb(cr, COLOUR_GRID);
    cairo_set_line_width(cr, fmax(0.5, 1.0 * u));
    cairo_stroke(cr);
    for (size_t j = 0; j < c->levels; j++) {
        double swatch = LEGEND_SWATCH * text_height(&c->legend_name[j]);
        double x = b->x0 + pad + c->legend_cell * (double)(j % c->legend_columns);
        double mid = b->y0 + pad + c->legend_line * ((double)(j / c->legend_columns) + 0.5);
        double base[3], edge[3];
        p3chart_palette_rgb(c->palette, j, base);
        darken(base, SHADE_EDGE, edge);
        cairo_rectangle(cr, x, mid - swatch / 2, swatch, swatch);
        fill_and_edge(cr, base, edge);
        x += swatch + pad;
        draw_label(cr, &(label){&c->legend_name[j], x, mid, 0, 0.5, 0});
        x += c->legend_name[j].width + pad;
        draw_label(cr, &(label){&c->legend_count[j], x, mid, 0, 0.5, 0});
    }
}

static void draw_chart(cairo_t *cr, const chart *c, const view *v)
{
    double margin = MARGIN_PX * c->unit;
    cairo_rectangle(cr, 0, 0, c->width, c->height);
    canvas_rgb(cr, COLOUR_BACKGROUND);
    cairo_fill(cr);
    draw_walls(cr, c, v);
    draw_endurance(cr, c, v);
    draw_columns(cr, c, v);
    label *labels = xcalloc(scene_label_room(c), sizeof *labels);
    size_t n = place_scene_labels(c, v, labels);
    for (size_t i = 0; i < n; i++)
        draw_label(cr, &labels[i]);
    free(labels);
    double y = margin;
    for (int i = 0; i < 2; i++) {
        draw_label(cr, &(label){&c->title[i], c->width / 2, y, 0.5, 0, 0});
        y += TITLE_LEADING * text_height(&c->title[i]);
    }
    draw_legend(cr, c);
    draw_label(cr, &(label){&c->note, margin, c->height - margin, 0, 1, 0});
}

/* ---- output ---- */

/* Why data cannot be drawn, as a diagnostic about path; false when it can. */
static bool nothing_to_draw(const p3chart_data *data, const char *path, diag_list *diags)
{
    if (data->level_count == 0 || !data->levels) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "nothing to draw: no load levels");
        return true;
    }
    if (data->bucket_count < 2) {
        diag_add(diags, DIAG_ERROR, path, 0, 0,
                 "nothing to draw: %zu buckets, need a delay bucket and the overflow",
                 data->bucket_count);
        return true;
    }
    return false;
}

int p3chart_draw(cairo_t *cr, const p3chart_data *data, const p3chart_options *opts,
                 double width, double height, diag_list *diags)
{
    if (nothing_to_draw(data, NULL, diags))
        return STATUS_FAILURE;
    p3chart_options o = opts ? *opts : (p3chart_options){0};
    chart c;
    cairo_save(cr);
    chart_prepare(cr, &c, data, &o, width, height);
    view v = fit_view(&c);
    if (c.legend_below)
        lift_legend(&c, &v);
    draw_chart(cr, &c, &v);
    chart_free(&c);
    cairo_restore(cr);
    return STATUS_OK;
}

int p3chart_write(const p3chart_data *data, const p3chart_options *opts, const char *path,
                  diag_list *diags)
{
    if (nothing_to_draw(data, path, diags))
        return STATUS_FAILURE;
    p3chart_options o = opts ? *opts : (p3chart_options){0};
    if (o.format != P3CHART_PNG && o.format != P3CHART_PDF && o.format != P3CHART_SVG) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write chart: unknown format %d",
                 (int)o.format);
        return STATUS_FAILURE;
    }
    int width = o.width > 0 ? o.width : DEFAULT_WIDTH;
    int height = o.height > 0 ? o.height : DEFAULT_HEIGHT;
    canvas_format format = o.format == P3CHART_PDF   ? CANVAS_PDF
                           : o.format == P3CHART_SVG ? CANVAS_SVG
                                                     : CANVAS_PNG;
    canvas *cv = canvas_new(format, width, height, o.dpi, data->title);
    int status = p3chart_draw(canvas_cairo(cv), data, &o, width, height, diags);
    if (!status)
        status = canvas_write(cv, path, "chart", diags);
    canvas_free(cv);
    return status;
}
