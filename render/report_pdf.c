#include "report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canvas.h"
#include "isotime.h"
#include "charts.h"
#include "results.h"
#include "status.h"
#include "xalloc.h"

/* A4 portrait in points, and the text block on it. */
#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN_X 54.0
#define MARGIN_TOP 54.0
#define MARGIN_BOTTOM 66.0 /* room for the footer under the text block */
#define FOOTER_Y (PAGE_H - 36.0)
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)

/* Type sizes in points. */
#define BODY_PT 9.5
#define SMALL_PT 8.0
#define TABLE_PT 7.5
#define TABLE_MIN_PT 5.5
#define H1_PT 18.0
#define H2_PT 12.0
#define FOOTER_PT 7.5
#define LEADING 1.35 /* line distance in font sizes */

/* The charts on the pages, and the size their tick labels should print
 * at. Both chart modules size text for a 1600 x 1000 canvas with 17-pixel
 * tick labels; the report scales their text to this. */
#define P3_HEIGHT (CONTENT_W * 0.56)
#define COMPANION_GAP 14.0
#define COMPANION_W ((CONTENT_W - COMPANION_GAP) / 2)
#define COMPANION_H 250.0
#define SUMMARY_CHART_H 330.0
#define CHART_TICK_PX 17.0
#define P3_TICK_PT 7.0
#define COMPANION_TICK_PT 6.0

/* Colours as 0xRRGGBB. */
#define COLOUR_TEXT 0x262626
#define COLOUR_MUTED 0x666B73
#define COLOUR_ACCENT 0x1F3A5F      /* headings, the cover */
#define COLOUR_ACCENT_SOFT 0xDCE6F2 /* text on the cover's accent */
#define COLOUR_RULE 0xC3C8CF
#define COLOUR_HEAD_FILL 0xE8ECF1   /* table headers */
#define COLOUR_ZEBRA 0xF6F8FA       /* every other table row */
#define COLOUR_ALERT 0xC62828       /* over the endurance line, untrusted counters */

#define DASH "\xE2\x80\x93" /* en dash: ranges and empty cells */
#define DOT " \xC2\xB7 "    /* middle dot between items of a line */

typedef struct font {
    double size;
    canvas_style style;
    uint32_t colour;
} font;

static const font body_font = {BODY_PT, CANVAS_REGULAR, COLOUR_TEXT};
static const font small_font = {SMALL_PT, CANVAS_REGULAR, COLOUR_MUTED};

/* The document being laid out: one pass draws every page; the first pass
 * only counts them, so that the second can print "page 3 of 9" and the
 * contents' page numbers. */
typedef struct doc {
    canvas *cv;
    cairo_t *cr;
    const report_pdf_options *o;
    const results_run *runs;
    size_t run_count;
    const char *lab;        /* the cover's name */
    bool final;             /* the second pass: page numbers are known */
    int page;               /* the current page, from 1 */
    double y;               /* top of the next block on the page */
    int pages;              /* total, known in the final pass */
    int summary_page, appendix_page;
    int *run_page;          /* first page of each run */
} doc;

/* ---- text ---- */

static double line_height(const font *f)
{
    return LEADING * f->size;
}

static double width_of(cairo_t *cr, const font *f, const char *s)
{
    canvas_font(cr, f->size, f->style);
    return canvas_text_width(cr, s);
}

/* Draws s with its baseline at y: left at x (align 0), centred on x (0.5)
 * or right at x (1). */
static void text_at(cairo_t *cr, const font *f, const char *s, double x, double y, double align)
{
    if (!*s)
        return;
    canvas_font(cr, f->size, f->style);
    canvas_rgb(cr, f->colour);
    cairo_move_to(cr, x - align * canvas_text_width(cr, s), y);
    cairo_show_text(cr, s);
}

/* s cleaned and cut to width with an ellipsis. Caller frees. */
static char *fit(cairo_t *cr, const font *f, const char *s, double width)
{
    char *clean = canvas_clean_text(s);
    canvas_font(cr, f->size, f->style);
    char *out = canvas_ellipsize(cr, clean, width);
    free(clean);
    return out;
}

static char *fmt_ms(double v)
{
    return isfinite(v) ? xasprintf("%.1f", v) : xstrdup(DASH);
}

static char *fmt_count(long long n)
{
    return canvas_group_digits(n);
}

/* The UTC date "2005-03-01" and time of day "10:00" of nanoseconds since
 * 1970. */
static void utc_parts(int64_t ns, char date[16], char clock[8])
{
    char iso[40];
    isotime_format(ns, 0, iso); /* "2005-03-01T10:00:00Z" */
    snprintf(date, 16, "%.10s", iso);
    snprintf(clock, 8, "%.5s", iso + 11);
}

/* "1 s" or "1500 ms": the endurance line in words. Caller frees. */
static char *endurance_words(double ms)
{
    return fmod(ms, 1000) == 0 ? xasprintf("%g s", ms / 1000) : xasprintf("%g ms", ms);
}

/* ---- pages ---- */

static void footer(doc *d)
{
    cairo_t *cr = d->cr;
    font f = {FOOTER_PT, CANVAS_REGULAR, COLOUR_MUTED};
    canvas_rgb(cr, COLOUR_RULE);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN_X, FOOTER_Y - 11);
    cairo_line_to(cr, PAGE_W - MARGIN_X, FOOTER_Y - 11);
    cairo_stroke(cr);
    char *page =
        d->final ? xasprintf("Page %d of %d", d->page, d->pages) : xasprintf("Page %d", d->page);
    double room = CONTENT_W - width_of(cr, &f, page) - 20;
    char *left_raw = xasprintf("%s" DOT "Perceived Performance Profiles", d->lab);
    char *left = fit(cr, &f, left_raw, room);
    text_at(cr, &f, left, MARGIN_X, FOOTER_Y, 0);
    text_at(cr, &f, page, PAGE_W - MARGIN_X, FOOTER_Y, 1);
    free(left);
    free(left_raw);
    free(page);
}

/* Ends the current page (with its footer unless it is the cover) and
 * starts the next. */
static void new_page(doc *d)
{
    if (d->page > 1)
        footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = MARGIN_TOP;
}

static double page_bottom(void)
{
    return PAGE_H - MARGIN_BOTTOM;
}

/* Starts a new page unless height fits under y on this one. */
static void need(doc *d, double height)
{
    if (d->y + height > page_bottom() && d->y > MARGIN_TOP)
        new_page(d);
}

/* An outline entry (the PDF viewer's bookmarks) for the current page. */
static void bookmark(doc *d, const char *name)
{
    if (!d->final)
        return;
    char *clean = canvas_clean_text(name);
    char *link = xasprintf("page=%d", d->page);
    cairo_pdf_surface_add_outline(canvas_pdf_surface(d->cv), CAIRO_PDF_OUTLINE_ROOT, clean, link,
                                  0);
    free(link);
    free(clean);
}

/* ---- blocks of text ---- */

static void heading(doc *d, const char *s, double size, double space_after)
{
    font f = {size, CANVAS_BOLD, COLOUR_ACCENT};
    need(d, line_height(&f) * 2 + space_after);
    char *t = fit(d->cr, &f, s, CONTENT_W);
    text_at(d->cr, &f, t, MARGIN_X, d->y + f.size, 0);
    free(t);
    d->y += line_height(&f) + space_after;
}

/* Wrapped text from x over width, flowing onto new pages line by line. */
static void paragraph_at(doc *d, const font *f, const char *s, double x, double width)
{
    char *clean = canvas_clean_text(s);
    canvas_font(d->cr, f->size, f->style);
    char **lines;
    size_t n = canvas_wrap(d->cr, clean, width, 0, &lines);
    for (size_t i = 0; i < n; i++) {
        need(d, line_height(f));
        text_at(d->cr, f, lines[i], x, d->y + f->size, 0);
        d->y += line_height(f);
    }
    canvas_lines_free(lines, n);
    free(clean);
}

static void paragraph(doc *d, const font *f, const char *s, double space_after)
{
    paragraph_at(d, f, s, MARGIN_X, CONTENT_W);
    d->y += space_after;
}

/* "Label  text" with the label bold in a column of its own and the text
 * wrapped beside it; a label too long for its column gets a line of its
 * own above the text. */
static void labelled(doc *d, const char *label, const char *s, double label_w)
{
    font bold = body_font;
    bold.style = CANVAS_BOLD;
    bold.size = SMALL_PT + 0.5;
    font text = body_font;
    text.size = SMALL_PT + 0.5;
    need(d, 2 * line_height(&text));
    char *l = fit(d->cr, &bold, label, CONTENT_W);
    text_at(d->cr, &bold, l, MARGIN_X, d->y + bold.size, 0);
    if (width_of(d->cr, &bold, l) > label_w - 6)
        d->y += line_height(&bold);
    free(l);
    paragraph_at(d, &text, s, MARGIN_X + label_w, CONTENT_W - label_w);
    d->y += 2;
}

/* ---- tables ---- */

typedef struct cell {
    char *text;       /* owned; lines separated by '\n' */
    uint32_t colour;  /* 0: the table's text colour */
    bool bold;
} cell;

typedef struct table {
    size_t cols, rows;
    const char *const *head; /* cols headings */
    const bool *right;       /* cols: right-aligned (numbers) */
    cell *cells;             /* rows x cols */
    const char *caption;     /* repeated with "(continued)" on a new page */
} table;

static cell *table_cell(table *t, size_t row, size_t col)
{
    return &t->cells[row * t->cols + col];
}

static void table_set(table *t, size_t row, size_t col, char *text, uint32_t colour, bool bold)
{
    *table_cell(t, row, col) = (cell){text, colour, bold};
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i].text);
    free(t->cells);
}

/* Lines of a cell's text (at most 8). */
static size_t cell_lines(const char *text, char lines[8][256])
{
    size_t n = 0;
    const char *p = text;
    while (n < 8) {
        size_t len = strcspn(p, "\n");
        snprintf(lines[n++], 256, "%.*s", (int)(len < 255 ? len : 255), p);
        if (!p[len])
            break;
        p += len + 1;
    }
    return n;
}

static double cell_width(cairo_t *cr, const font *f, const cell *c)
{
    char lines[8][256];
    size_t n = cell_lines(c->text, lines);
    font cf = *f;
    cf.style = c->bold ? CANVAS_BOLD : CANVAS_REGULAR;
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = fmax(w, width_of(cr, &cf, lines[i]));
    return w;
}

/* The natural column widths at font size `size`: the widest cell or
 * heading plus padding. Returns their sum. */
static double measure_columns(cairo_t *cr, const table *t, double size, double *widths)
{
    font f = {size, CANVAS_REGULAR, COLOUR_TEXT}, hf = {size, CANVAS_BOLD, COLOUR_TEXT};
    double pad = 0.9 * size, total = 0;
    for (size_t c = 0; c < t->cols; c++) {
        cell h = {(char *)t->head[c], 0, true};
        widths[c] = cell_width(cr, &hf, &h);
        for (size_t r = 0; r < t->rows; r++)
            widths[c] = fmax(widths[c], cell_width(cr, &f, &t->cells[r * t->cols + c]));
        widths[c] += 2 * pad;
        total += widths[c];
    }
    return total;
}

/* Column widths stretched to the text block, and the font size: a table
 * too wide for the block gets a smaller font (down to TABLE_MIN_PT), then
 * its first column is cut. */
static double table_layout(cairo_t *cr, const table *t, double *widths)
{
    double size = TABLE_PT, total = measure_columns(cr, t, size, widths);
    while (total > CONTENT_W && size > TABLE_MIN_PT) {
        size = fmax(TABLE_MIN_PT, 0.98 * size * CONTENT_W / total);
        total = measure_columns(cr, t, size, widths);
    }
    if (total > CONTENT_W) {
        widths[0] = fmax(widths[0] - (total - CONTENT_W), 3 * size);
    } else {
        double extra = (CONTENT_W - total) / (double)t->cols;
        for (size_t c = 0; c < t->cols; c++)
            widths[c] += extra;
    }
    return size;
}

static void draw_cell(cairo_t *cr, const font *f, const cell *c, double x, double w, double y,
                      bool right, double pad)
{
    char lines[8][256];
    size_t n = cell_lines(c->text, lines);
    font cf = *f;
    cf.style = c->bold ? CANVAS_BOLD : CANVAS_REGULAR;
    if (c->colour)
        cf.colour = c->colour;
    for (size_t i = 0; i < n; i++) {
        font lf = cf;
        if (i > 0) {
            lf.colour = c->colour ? c->colour : COLOUR_MUTED;
            lf.style = CANVAS_REGULAR;
        }
        char *s = fit(cr, &lf, lines[i], w - 2 * pad);
        text_at(cr, &lf, s, right ? x + w - pad : x + pad, y + f->size * (1 + LEADING * (double)i),
                right ? 1 : 0);
        free(s);
    }
}

static size_t row_lines(const table *t, size_t r)
{
    size_t most = 1;
    for (size_t c = 0; c < t->cols; c++) {
        char lines[8][256];
        size_t n = cell_lines(t->cells[r * t->cols + c].text, lines);
        most = n > most ? n : most;
    }
    return most;
}

static void table_header(doc *d, const table *t, const double *widths, double size, bool more)
{
    cairo_t *cr = d->cr;
    font hf = {size, CANVAS_BOLD, COLOUR_TEXT};
    double pad = 0.9 * size, h = LEADING * size + 0.9 * size;
    if (more && t->caption) {
        char *c = xasprintf("%s (continued)", t->caption);
        font cf = small_font;
        cf.style = CANVAS_ITALIC;
        text_at(cr, &cf, c, MARGIN_X, d->y + cf.size, 0);
        d->y += line_height(&cf) + 2;
        free(c);
    }
    cairo_rectangle(cr, MARGIN_X, d->y, CONTENT_W, h);
    canvas_rgb(cr, COLOUR_HEAD_FILL);
    cairo_fill(cr);
    double x = MARGIN_X;
    for (size_t c = 0; c < t->cols; c++) {
        cell head = {(char *)t->head[c], 0, true};
        draw_cell(cr, &hf, &head, x, widths[c], d->y + 0.45 * size, t->right[c], pad);
        x += widths[c];
    }
    d->y += h;
}

/* Draws the table at y, breaking pages between rows (never through one)
 * and repeating the header after a break. */
static void draw_table(doc *d, const table *t)
{
    cairo_t *cr = d->cr;
    double *widths = xcalloc(t->cols + 1, sizeof *widths);
    double size = table_layout(cr, t, widths), pad = 0.9 * size;
    double head_h = LEADING * size + 0.9 * size;
    font f = {size, CANVAS_REGULAR, COLOUR_TEXT};
    need(d, head_h + (LEADING * size + 0.8 * size) * (double)(t->rows ? 1 : 0));
    table_header(d, t, widths, size, false);
    for (size_t r = 0; r < t->rows; r++) {
        double h = LEADING * size * (double)row_lines(t, r) + 0.8 * size;
        if (d->y + h > page_bottom()) {
            new_page(d);
            table_header(d, t, widths, size, true);
        }
        if (r % 2 == 1) {
            cairo_rectangle(cr, MARGIN_X, d->y, CONTENT_W, h);
            canvas_rgb(cr, COLOUR_ZEBRA);
            cairo_fill(cr);
        }
        double x = MARGIN_X;
        for (size_t c = 0; c < t->cols; c++) {
            draw_cell(cr, &f, table_cell((table *)t, r, c), x, widths[c], d->y + 0.4 * size,
                      t->right[c], pad);
            x += widths[c];
        }
        d->y += h;
    }
    canvas_rgb(cr, COLOUR_RULE);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, MARGIN_X, d->y);
    cairo_line_to(cr, PAGE_W - MARGIN_X, d->y);
    cairo_stroke(cr);
    d->y += 10;
    free(widths);
}

/* ---- the cover ---- */

/* The UTC dates the runs' samples span, "2005-03-01 to 2005-03-04" or
 * one date; NULL when no run knows its span. Caller frees. */
static char *date_range(const results_run *runs, size_t count)
{
    bool any = false;
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < count; i++) {
        if (!runs[i].has_span)
            continue;
        if (!any || runs[i].first_ns < first)
            first = runs[i].first_ns;
        if (!any || runs[i].last_ns > last)
            last = runs[i].last_ns;
        any = true;
    }
    if (!any)
        return NULL;
    char d0[16], d1[16], t[8];
    utc_parts(first, d0, t);
    utc_parts(last, d1, t);
    return strcmp(d0, d1) == 0 ? xstrdup(d0) : xasprintf("%s to %s", d0, d1);
}

static void cover_band(doc *d, const char *dates)
{
    cairo_t *cr = d->cr;
    const double band = 250;
    cairo_rectangle(cr, 0, 0, PAGE_W, band);
    canvas_rgb(cr, COLOUR_ACCENT);
    cairo_fill(cr);
    /* A strip of the level colours, the P3's own, along the band's foot. */
    size_t levels = d->run_count ? d->runs[0].level_count : 0;
    if (levels == 0)
        levels = 6;
    double w = PAGE_W / (double)levels;
    for (size_t j = 0; j < levels; j++) {
        double rgb[3];
        p3chart_palette_rgb(d->o->palette, j, rgb);
        cairo_rectangle(cr, w * (double)j, band, w + 0.5, 7);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_fill(cr);
    }
    font kicker = {10, CANVAS_BOLD, 0xAFC3DA};
    text_at(cr, &kicker, "PERCEIVED PERFORMANCE PROFILES", MARGIN_X, 82, 0);
    font big = {30, CANVAS_BOLD, 0xFFFFFF};
    char *clean = canvas_clean_text(d->lab);
    canvas_font(cr, big.size, big.style);
    char **lines;
    size_t n = canvas_wrap(cr, clean, CONTENT_W, 3, &lines);
    double y = 124;
    for (size_t i = 0; i < n; i++, y += 36)
        text_at(cr, &big, lines[i], MARGIN_X, y, 0);
    canvas_lines_free(lines, n);
    free(clean);
    font sub = {13, CANVAS_REGULAR, COLOUR_ACCENT_SOFT};
    char *line = dates ? xasprintf("Delay measured under load, %s (UTC)", dates)
                       : xstrdup("Delay measured under load");
    text_at(cr, &sub, line, MARGIN_X, y + 14, 0);
    free(line);
    d->y = band + 40;
}

static void cover_facts(doc *d, const char *dates)
{
    long long samples = 0, unplaced = 0;
    for (size_t i = 0; i < d->run_count; i++) {
        samples += d->runs[i].samples;
        unplaced += d->runs[i].unplaced;
    }
    char *runs = fmt_count((long long)d->run_count);
    char *n = fmt_count(samples);
    char *un = fmt_count(unplaced);
    char *sample_line = unplaced
                            ? xasprintf("%s in load levels, %s no level could be given to", n, un)
                            : xasprintf("%s, every one in a load level", n);
    const char *const keys[] = {"Runs", "Samples", "Data from", "Made with"};
    char *version = xasprintf("p3 %s", P3_VERSION);
    const char *values[] = {runs, sample_line, dates ? dates : "unknown", version};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        labelled(d, keys[i], values[i], 90);
    free(version);
    free(sample_line);
    free(runs);
    free(n);
    free(un);
    d->y += 16;
}

/* One line of the contents: text, dotted leader, page number (a link). */
static void contents_line(doc *d, const char *text, int page)
{
    cairo_t *cr = d->cr;
    font f = body_font;
    need(d, line_height(&f));
    double base = d->y + f.size;
    char *num = d->final ? xasprintf("%d", page) : xstrdup("");
    double num_w = width_of(cr, &f, "000");
    char *t = fit(cr, &f, text, CONTENT_W - num_w - 30);
    char *link = xasprintf("page=%d", page);
    if (d->final)
        cairo_tag_begin(cr, CAIRO_TAG_LINK, link);
    text_at(cr, &f, t, MARGIN_X, base, 0);
    double x0 = MARGIN_X + width_of(cr, &f, t) + 6, x1 = PAGE_W - MARGIN_X - num_w - 6;
    canvas_rgb(cr, COLOUR_RULE);
    cairo_set_line_width(cr, 0.8);
    const double dots[] = {0.8, 2.6};
    cairo_set_dash(cr, dots, 2, 0);
    if (x1 > x0) {
        cairo_move_to(cr, x0, base);
        cairo_line_to(cr, x1, base);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    text_at(cr, &f, num, PAGE_W - MARGIN_X, base, 1);
    if (d->final)
        cairo_tag_end(cr, CAIRO_TAG_LINK);
    free(link);
    free(t);
    free(num);
    d->y += line_height(&f) + 2;
}

static void cover(doc *d)
{
    char *dates = date_range(d->runs, d->run_count);
    cover_band(d, dates);
    cover_facts(d, dates);
    free(dates);
    heading(d, "How to read this report", H2_PT, 4);
    paragraph(d, &body_font,
              "A Perceived Performance Profile (P3) shows, for each level of user load on a "
              "server, how long its users waited for a small everyday action: the share of "
              "actions in each band of delay. The lightest load is in front; each row of "
              "columns adds up to 100 %. A delay of one second is about the limit of user "
              "endurance for occasional delays, and consistent response matters more than the "
              "average, so look at how far each row spreads to the right, and where it "
              "crosses the red endurance line.",
              6);
    paragraph(d, &body_font,
              "Each run has its P3 and statistics, then its companion charts: the delay "
              "percentiles by load, the cumulative distribution of delay, and, where the run "
              "measured CPU, what the guest's own counters reported against what the host "
              "measured, and delay against useful work. The appendix states how every "
              "number is computed.",
              0);
    d->y += 14;
    heading(d, "Contents", H2_PT, 6);
    contents_line(d, "Summary of the runs", d->summary_page);
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        char *line = strcmp(r->name, r->title) == 0 ? xasprintf("%s", r->name)
                                                    : xasprintf("%s" DOT "%s", r->name, r->title);
        contents_line(d, line, d->run_page[i]);
        free(line);
    }
    contents_line(d, "Appendix: conventions", d->appendix_page);
}

/* ---- the summary ---- */

/* The level names the summary's columns are headed with: the union of
 * the runs' levels in order of first appearance (names compared ignoring
 * ASCII case). *count set; the strings are borrowed from runs. */
static const char **summary_levels(const results_run *runs, size_t run_count, size_t *count)
{
    const char **names = NULL;
    size_t n = 0;
    for (size_t i = 0; i < run_count; i++) {
        for (size_t j = 0; j < runs[i].level_count; j++) {
            const char *name = runs[i].levels[j].name;
            size_t k = 0;
            while (k < n && strcasecmp(names[k], name) != 0)
                k++;
            if (k == n) {
                names = xreallocarray(names, n + 1, sizeof *names);
                names[n++] = name;
            }
        }
    }
    *count = n;
    return names;
}

/* The run's level with that name, or NULL. */
static const results_level *level_named(const results_run *r, const char *name)
{
    for (size_t j = 0; j < r->level_count; j++)
        if (strcasecmp(r->levels[j].name, name) == 0)
            return &r->levels[j];
    return NULL;
}

/* More levels than this and the summary lists each run's p95s in one cell. */
#define SUMMARY_MAX_LEVEL_COLUMNS 8

static char *onset_cell(const results_run *r, uint32_t *colour)
{
    *colour = 0;
    if (r->onset_endurance.level < 0 || (size_t)r->onset_endurance.level >= r->level_count)
        return xstrdup("none");
    *colour = COLOUR_ALERT;
    const char *name = r->levels[r->onset_endurance.level].name;
    if (isfinite(r->onset_endurance.cpu_pct))
        return xasprintf("%s\n%.0f %% %s CPU", name, r->onset_endurance.cpu_pct,
                         r->onset_cpu_source ? r->onset_cpu_source : "host");
    return xstrdup(name);
}

static char *guest_cell(const results_run *r, uint32_t *colour, bool *bold)
{
    bool host = results_has_host_cpu(r), guest = results_has_guest_cpu(r);
    *colour = 0;
    *bold = false;
    if (r->guest_untrusted) {
        *colour = COLOUR_ALERT;
        *bold = true;
        return xstrdup("over-report\ntrust the host");
    }
    if (r->native)
        return xstrdup(host ? "native" : "native, no counters");
    if (guest && host)
        return xstrdup("agree with host");
    if (guest)
        return xstrdup("unchecked\nno host counter");
    return xstrdup(host ? "none" : "no counters");
}

/* Every run's p95 against useful work on one axis, under the summary
 * table, when a run has the figures for it. */
static void summary_chart(doc *d)
{
    bool any = false;
    for (size_t i = 0; i < d->run_count && !any; i++)
        any = charts_run_has_useful(&d->runs[i]);
    if (!any)
        return;
    double unit = fmin(CONTENT_W / 1600.0, SUMMARY_CHART_H / 1000.0);
    charts_options opts = {.palette = d->o->palette,
                           .log_delay = d->o->log_delay,
                           .text_scale = COMPANION_TICK_PT / (CHART_TICK_PX * unit)};
    d->y += 6;
    need(d, SUMMARY_CHART_H);
    cairo_save(d->cr);
    cairo_translate(d->cr, MARGIN_X, d->y);
    charts_draw_runs(d->cr, d->runs, d->run_count, &opts, CONTENT_W, SUMMARY_CHART_H);
    cairo_restore(d->cr);
    d->y += SUMMARY_CHART_H + 8;
}

static void summary(doc *d)
{
    new_page(d);
    d->summary_page = d->page;
    bookmark(d, "Summary of the runs");
    heading(d, "Summary of the runs", H1_PT, 6);
    double e = d->run_count ? d->runs[0].endurance_ms : 1000;
    bool same_e = true;
    for (size_t i = 1; i < d->run_count; i++)
        same_e = same_e && d->runs[i].endurance_ms == e;
    char *ew = endurance_words(e);
    char *intro = xasprintf(
        "p95 is the delay that 95 %% of the actions at a load level stayed within, in "
        "milliseconds; red marks a p95 over the endurance line (%s%s). The onset is the lightest "
        "level whose p95 crosses it, with the CPU measured there. Guest counters: whether the "
        "guest's own CPU counters can be trusted, checked against the host's.",
        ew, same_e ? "" : ", as each run sets it");
    paragraph(d, &body_font, intro, 8);
    free(intro);
    free(ew);

    size_t level_count;
    const char **levels = summary_levels(d->runs, d->run_count, &level_count);
    bool wide = level_count > SUMMARY_MAX_LEVEL_COLUMNS;
    size_t cols = 4 + (wide ? 1 : level_count);
    const char **head = xcalloc(cols, sizeof *head);
    bool *right = xcalloc(cols, sizeof *right);
    head[0] = "Run";
    head[1] = "Samples";
    right[1] = true;
    for (size_t k = 0; k < (wide ? 1 : level_count); k++) {
        head[2 + k] = wide ? "p95 by level (ms)" : levels[k];
        right[2 + k] = !wide;
    }
    head[cols - 2] = "Onset";
    head[cols - 1] = "Guest counters";
    table t = {cols, d->run_count, head, right, xcalloc(cols * d->run_count + 1, sizeof(cell)),
               "Summary of the runs"};
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        table_set(&t, i, 0, xstrdup(r->name), 0, true);
        char *n = fmt_count(r->samples), *un = fmt_count(r->unplaced);
        table_set(&t, i, 1, r->unplaced ? xasprintf("%s\n+%s unplaced", n, un) : xstrdup(n), 0,
                  false);
        free(n);
        free(un);
        if (wide) {
            char *list = xstrdup("");
            for (size_t j = 0; j < r->level_count; j++) {
                char *v = fmt_ms(r->levels[j].p95);
                char *next = xasprintf("%s%s%s %s", list, j == 0 ? "" : j % 4 == 0 ? "\n" : DOT,
                                       r->levels[j].name, v);
                free(list);
                free(v);
                list = next;
            }
            table_set(&t, i, 2, list, 0, false);
        } else {
            for (size_t k = 0; k < level_count; k++) {
                const results_level *l = level_named(r, levels[k]);
                double v = l && l->n > 0 ? l->p95 : NAN;
                bool over = isfinite(v) && v > r->endurance_ms;
                table_set(&t, i, 2 + k, fmt_ms(v), over ? COLOUR_ALERT : 0, over);
            }
        }
        uint32_t colour;
        bool bold;
        char *onset = onset_cell(r, &colour);
        table_set(&t, i, cols - 2, onset, colour, false);
        char *guest = guest_cell(r, &colour, &bold);
        table_set(&t, i, cols - 1, guest, colour, bold);
    }
    draw_table(d, &t);
    table_free(&t);
    free(head);
    free(right);
    free(levels);
    summary_chart(d);
}

/* ---- a run ---- */

static char *run_span(const results_run *r)
{
    if (!r->has_span)
        return NULL;
    char d0[16], d1[16], t0[8], t1[8];
    utc_parts(r->first_ns, d0, t0);
    utc_parts(r->last_ns, d1, t1);
    if (strcmp(d0, d1) == 0)
        return xasprintf("%s %s" DASH "%s UTC", d0, t0, t1);
    return xasprintf("%s %s to %s %s UTC", d0, t0, d1, t1);
}

/* "Host X · Guest Y · platform · dates · N samples in L levels". */
static void run_meta_line(doc *d, const results_run *r)
{
    char *line = xstrdup("");
    char *span = run_span(r);
    char *n = fmt_count(r->samples);
    char *samples = xasprintf("%s samples in %zu level%s", n, r->level_count,
                              r->level_count == 1 ? "" : "s");
    char *host = r->host ? xasprintf("Host %s", r->host) : NULL;
    char *guest = r->guest ? xasprintf("Guest %s", r->guest) : NULL;
    const char *parts[] = {host, guest, r->platform, span, samples};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        char *next = xasprintf("%s%s%s", line, *line ? DOT : "", parts[i]);
        free(line);
        line = next;
    }
    paragraph(d, &small_font, line, 8);
    free(line);
    free(span);
    free(n);
    free(samples);
    free(host);
    free(guest);
}

static void draw_p3(doc *d, const results_run *r)
{
    cairo_t *cr = d->cr;
    need(d, P3_HEIGHT);
    p3chart_level *levels = xcalloc(r->level_count + 1, sizeof *levels);
    for (size_t j = 0; j < r->level_count; j++)
        levels[j] = (p3chart_level){r->levels[j].name, r->levels[j].bucket_pct, r->levels[j].n};
    p3chart_data data = {"", (const char *const *)r->bucket_labels, r->bucket_upper,
                         r->bucket_count, levels, r->level_count, r->endurance_ms};
    double unit = fmin(CONTENT_W / 1600.0, P3_HEIGHT / 1000.0);
    p3chart_options opts = {.overflow = d->o->overflow,
                            .palette = d->o->palette,
                            .text_scale = P3_TICK_PT / (CHART_TICK_PX * unit)};
    cairo_save(cr);
    cairo_translate(cr, MARGIN_X, d->y);
    diag_list *ignored = diag_list_new();
    if (r->bucket_count < 2 || r->level_count == 0 ||
        p3chart_draw(cr, &data, &opts, CONTENT_W, P3_HEIGHT, ignored) != STATUS_OK) {
        font f = small_font;
        f.style = CANVAS_ITALIC;
        text_at(cr, &f, "This run has no distribution to draw.", 0, 20, 0);
    }
    diag_list_free(ignored);
    cairo_restore(cr);
    d->y += P3_HEIGHT + 8;
    free(levels);
}

/* "23.2-25.5"; a one-sided bound, "at least 48.0" written with the sign,
 * where too few samples give only one; else a dash. Caller frees. */
static char *interval_text(double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi))
        return xasprintf("%.1f" DASH "%.1f", lo, hi);
    if (isfinite(lo))
        return xasprintf("\xE2\x89\xA5 %.1f", lo);
    if (isfinite(hi))
        return xasprintf("\xE2\x89\xA4 %.1f", hi);
    return xstrdup(DASH);
}

enum { STAT_COLS = 14 };
static const char *const stat_head[STAT_COLS] = {"Level", "n",   "mean", "sd",   "p50",
                                                 "p90",   "p95", "p95 95 % CI", "p99", "max",
                                                 "> 1 s", "host", "guest", "useful"};

static void stats_table(doc *d, const results_run *r)
{
    const char *head[STAT_COLS];
    memcpy(head, stat_head, sizeof head);
    char *ew = endurance_words(r->endurance_ms);
    char *over = xasprintf("> %s", ew);
    head[10] = over;
    bool right[STAT_COLS];
    for (int c = 0; c < STAT_COLS; c++)
        right[c] = c != 0;
    table t = {STAT_COLS, r->level_count, head, right,
               xcalloc(STAT_COLS * r->level_count + 1, sizeof(cell)), "Statistics"};
    for (size_t j = 0; j < r->level_count; j++) {
        const results_level *l = &r->levels[j];
        bool none = l->n <= 0;
        const double ms[] = {l->mean, l->sd, l->p50, l->p90, l->p95};
        table_set(&t, j, 0, xstrdup(l->name), 0, true);
        table_set(&t, j, 1, fmt_count(l->n), 0, false);
        for (size_t k = 0; k < 5; k++) {
            double v = none ? NAN : ms[k];
            bool alert = k >= 2 && isfinite(v) && v > r->endurance_ms;
            table_set(&t, j, 2 + k, fmt_ms(v), alert ? COLOUR_ALERT : 0, alert && k == 4);
        }
        table_set(&t, j, 7, none ? xstrdup(DASH) : interval_text(l->p95_lo, l->p95_hi),
                  COLOUR_MUTED, false);
        const double tail[] = {l->p99, l->max};
        for (size_t k = 0; k < 2; k++) {
            double v = none ? NAN : tail[k];
            bool alert = isfinite(v) && v > r->endurance_ms;
            table_set(&t, j, 8 + k, fmt_ms(v), alert ? COLOUR_ALERT : 0, false);
        }
        table_set(&t, j, 10, fmt_ms(none ? NAN : l->pct_over), 0, false);
        table_set(&t, j, 11, fmt_ms(l->host_cpu), 0, false);
        table_set(&t, j, 12, fmt_ms(l->guest_cpu), l->guest_untrusted ? COLOUR_ALERT : 0,
                  l->guest_untrusted);
        table_set(&t, j, 13, fmt_ms(l->useful_cpu), 0, false);
    }
    font caption = small_font;
    caption.style = CANVAS_ITALIC;
    char *line = xasprintf("Times in ms. > %s: the %% of samples over the endurance line. Host, "
                           "guest and useful CPU: %% of the guest's vCPUs. A dash: unknown or "
                           "undefined.",
                           ew);
    paragraph(d, &caption, line, 3);
    free(line);
    draw_table(d, &t);
    table_free(&t);
    free(over);
    free(ew);
}

/* "p95 over 1 s from Busy (host CPU 50.2 %)". Caller frees. */
static char *onset_words(const results_run *r, const results_onset *o)
{
    if (o->level < 0 || (size_t)o->level >= r->level_count)
        return xstrdup("at no level");
    const char *name = r->levels[o->level].name;
    if (isfinite(o->cpu_pct))
        return xasprintf("from %s (%s CPU %.1f %%)", name,
                         r->onset_cpu_source ? r->onset_cpu_source : "host", o->cpu_pct);
    return xasprintf("from %s", name);
}

static void run_findings(doc *d, const results_run *r)
{
    const double w = 110;
    char *ew = endurance_words(r->endurance_ms);
    char *a = onset_words(r, &r->onset_endurance), *b = onset_words(r, &r->onset_margin);
    char *onset = xasprintf("p95 over %s %s; p95 more than %g ms over the lightest level's %s.", ew,
                            a, r->margin_ms, b);
    need(d, 60);
    labelled(d, "Onset of degradation", onset, w);
    free(onset);
    free(a);
    free(b);
    free(ew);
    if (r->native) {
        labelled(d, "Overhead", "none: a native server, without virtualization", w);
    } else if (isfinite(r->overhead)) {
        char *ci = isfinite(r->overhead_lo) && isfinite(r->overhead_hi)
                       ? xasprintf(" (95 %% CI %.1f to %.1f)", r->overhead_lo, r->overhead_hi)
                       : xstrdup("");
        char *s = xasprintf("%.1f %% of a vCPU%s, %s", r->overhead, ci,
                            r->overhead_method ? r->overhead_method
                            : r->overhead_assumed ? "assumed" : "measured");
        labelled(d, "Overhead", s, w);
        free(s);
        free(ci);
    }
    if (r->host_counter)
        labelled(d, "Host CPU from", r->host_counter, w);
    if (r->guest_counter)
        labelled(d, "Guest CPU from", r->guest_counter, w);
    if (!r->host_counter && !r->guest_counter)
        labelled(d, "CPU", "no host-side CPU measurement and no guest counters in this run", w);
    if (r->unplaced) {
        char *n = fmt_count(r->unplaced);
        char *s = xasprintf("%s samples no level could be given to; they are left out of the "
                            "statistics",
                            n);
        labelled(d, "Unplaced", s, w);
        free(s);
        free(n);
    }
}

/* Whether the report shows companion chart kind of the run: a CPU chart
 * without any CPU figure to show is left out (a note under the others
 * says so), as on paper an empty chart is a page's worth of nothing. */
static bool companion_shown(const results_run *r, charts_kind kind)
{
    if (kind == CHARTS_CPU)
        return results_has_host_cpu(r) || results_has_guest_cpu(r);
    if (kind == CHARTS_USEFUL)
        return results_has_useful_cpu(r);
    return true;
}

static int companion_count(const results_run *r)
{
    int n = 0;
    for (int k = 0; k < CHARTS_KIND_COUNT; k++)
        n += companion_shown(r, (charts_kind)k);
    return n;
}

/* The companion charts two by two, those companion_shown(). */
static void companions(doc *d, const results_run *r)
{
    cairo_t *cr = d->cr;
    double unit = fmin(COMPANION_W / 1600.0, COMPANION_H / 1000.0);
    charts_options opts = {.palette = d->o->palette,
                           .log_delay = d->o->log_delay,
                           .text_scale = COMPANION_TICK_PT / (CHART_TICK_PX * unit),
                           .hide_run_title = true};
    bool cpu = companion_shown(r, CHARTS_CPU), useful = companion_shown(r, CHARTS_USEFUL);
    int placed = 0;
    for (int k = 0; k < CHARTS_KIND_COUNT; k++) {
        if (!companion_shown(r, (charts_kind)k))
            continue;
        if (placed % 2 == 0)
            need(d, COMPANION_H);
        double x = MARGIN_X + (placed % 2) * (COMPANION_W + COMPANION_GAP);
        cairo_save(cr);
        cairo_translate(cr, x, d->y);
        charts_draw(cr, (charts_kind)k, r, &opts, COMPANION_W, COMPANION_H);
        cairo_restore(cr);
        if (++placed % 2 == 0)
            d->y += COMPANION_H + COMPANION_GAP;
    }
    if (placed % 2 == 1)
        d->y += COMPANION_H + COMPANION_GAP;
    font f = small_font;
    f.style = CANVAS_ITALIC;
    if (!cpu)
        paragraph(d, &f,
                  "No CPU measurement in this run: no host-side CPU measurement and no guest "
                  "counters were found, so the charts of CPU and of delay against useful work "
                  "are left out.",
                  6);
    else if (!useful)
        paragraph(d, &f,
                  "No host-side CPU measurement in this run: useful work is unknown, so the "
                  "chart of delay against useful work is left out.",
                  6);
}

static void analysis_notes(doc *d, const results_run *r)
{
    const double w = 110;
    heading(d, "Analysis notes", H2_PT, 4);
    if (r->analysis_note_count == 0)
        paragraph(d, &small_font, "Analysis had nothing to warn about.", 0);
    for (size_t k = 0; k < r->analysis_note_count; k++) {
        const results_note *n = &r->analysis_notes[k];
        bool warning = strcmp(n->severity, "warning") == 0;
        font tag = {SMALL_PT + 0.5, CANVAS_BOLD, warning ? COLOUR_ALERT : COLOUR_MUTED};
        font text = body_font;
        text.size = SMALL_PT + 0.5;
        need(d, line_height(&text));
        text_at(d->cr, &tag, warning ? "Warning" : "Note", MARGIN_X, d->y + tag.size, 0);
        paragraph_at(d, &text, n->message, MARGIN_X + w, CONTENT_W - w);
        d->y += 2;
    }
    d->y += 8;
}

/* The run.ini keys p3 keeps as metadata: a table of two key-value pairs
 * a row, as they are many and short. */
static void run_meta(doc *d, const results_run *r)
{
    if (r->meta_count == 0)
        return;
    static const char *const head[4] = {"Setting", "Value", "Setting", "Value"};
    static const bool right[4] = {false, false, false, false};
    size_t rows = (r->meta_count + 1) / 2;
    table t = {4, rows, head, right, xcalloc(4 * rows + 1, sizeof(cell)), "Other settings"};
    for (size_t k = 0; k < 2 * rows; k++) {
        size_t row = k % rows, col = 2 * (k / rows);
        bool have = k < r->meta_count;
        table_set(&t, row, col, xstrdup(have ? r->meta[k].key : ""), COLOUR_MUTED, false);
        table_set(&t, row, col + 1, xstrdup(have ? r->meta[k].value : ""), 0, false);
    }
    d->y += 4;
    draw_table(d, &t);
    table_free(&t);
}

static void description(doc *d, const results_run *r)
{
    const double w = 110;
    heading(d, "Run description", H2_PT, 4);
    if (r->folder)
        labelled(d, "Folder", r->folder, w);
    if (r->host)
        labelled(d, "Host", r->host, w);
    if (r->guest)
        labelled(d, "Guest", r->guest, w);
    if (r->platform)
        labelled(d, "Platform", r->platform, w);
    if (isfinite(r->vcpus)) {
        char *v = xasprintf("%g", r->vcpus);
        labelled(d, "Guest vCPUs", v, w);
        free(v);
    }
    if (r->notes)
        labelled(d, "Notes", r->notes, w);
    run_meta(d, r);
}

static void run_pages(doc *d, size_t i)
{
    const results_run *r = &d->runs[i];
    new_page(d);
    d->run_page[i] = d->page;
    bookmark(d, r->name);
    heading(d, r->name, H1_PT, 2);
    if (strcmp(r->title, r->name) != 0) {
        font f = {H2_PT, CANVAS_REGULAR, COLOUR_MUTED};
        paragraph(d, &f, r->title, 2);
    }
    run_meta_line(d, r);
    draw_p3(d, r);
    stats_table(d, r);
    run_findings(d, r);
    /* The companion charts stay together: on this page if they fit. */
    int rows = (companion_count(r) + 1) / 2;
    d->y += 10;
    need(d, 30 + rows * (COMPANION_H + COMPANION_GAP));
    font f = {H2_PT, CANVAS_BOLD, COLOUR_ACCENT};
    char *title = xasprintf("%s: companion charts", r->name);
    char *t = fit(d->cr, &f, title, CONTENT_W);
    text_at(d->cr, &f, t, MARGIN_X, d->y + f.size, 0);
    d->y += line_height(&f) + 6;
    free(t);
    free(title);
    companions(d, r);
    d->y += 4;
    analysis_notes(d, r);
    description(d, r);
}

/* ---- the appendix ---- */

/* "50, 250, ..., 1850 ms" of a run's edges. Caller frees. */
static char *edges_text(const results_run *r)
{
    char *s = xstrdup("");
    for (size_t k = 0; k < r->bucket_count; k++) {
        if (!isfinite(r->bucket_upper[k]))
            continue;
        char *next = xasprintf("%s%s%g", s, *s ? ", " : "", r->bucket_upper[k]);
        free(s);
        s = next;
    }
    char *out = xasprintf("%s ms", s);
    free(s);
    return out;
}

static void appendix_item(doc *d, const char *title, const char *text)
{
    font bold = body_font;
    bold.style = CANVAS_BOLD;
    need(d, 3 * line_height(&body_font));
    text_at(d->cr, &bold, title, MARGIN_X, d->y + bold.size, 0);
    d->y += line_height(&bold);
    paragraph(d, &body_font, text, 7);
}

static void appendix_buckets(doc *d)
{
    char *first = d->run_count ? edges_text(&d->runs[0]) : xstrdup("");
    bool same = true;
    for (size_t i = 1; i < d->run_count; i++) {
        char *e = edges_text(&d->runs[i]);
        same = same && strcmp(e, first) == 0;
        free(e);
    }
    char *text;
    if (same)
        text = xasprintf("The buckets' upper edges are %s. Buckets are upper-inclusive, as a "
                         "spreadsheet histogram makes them: a delay d falls in the first bucket "
                         "whose edge is at or above it, and delays above the last edge in an "
                         "overflow bucket. The P3 charts %s; the tables always show the overflow "
                         "separately. Shares are percentages of the level's samples, so each "
                         "level's buckets add up to 100.",
                         first,
                         d->o->overflow == P3CHART_OVERFLOW_COLUMN
                             ? "give the overflow a column of its own"
                             : "count the overflow in the last column, as their note says");
    else
        text = xasprintf("Buckets are upper-inclusive, as a spreadsheet histogram makes them; "
                         "delays above the last edge fall in an overflow bucket. The runs of "
                         "this report were analysed with different edges; each run's P3 is "
                         "labelled with its own. Shares are percentages of the level's samples.");
    appendix_item(d, "Delay buckets", text);
    free(text);
    free(first);
}

static void appendix_overhead(doc *d)
{
    char *assumed = xstrdup("");
    size_t n = 0;
    double pct = NAN;
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        if (r->native || !r->overhead_assumed)
            continue;
        char *next = xasprintf("%s%s%s", assumed, n ? ", " : "", r->name);
        free(assumed);
        assumed = next;
        pct = r->overhead;
        n++;
    }
    char *text;
    if (n)
        text = xasprintf("Useful work is the host-measured CPU of the guest minus the "
                         "virtualization overhead. The overhead is estimated from the run itself "
                         "at its lightest level with host-side measurements; where a run cannot "
                         "measure it, a configured default is assumed (%.1f %% of a vCPU, from "
                         "the paper's finding of about 5 %%). Assumed in: %s. CPU figures are "
                         "%% of the measured guest's virtual CPUs.",
                         pct, assumed);
    else
        text = xstrdup("Useful work is the host-measured CPU of the guest minus the "
                       "virtualization overhead, estimated from each run itself at its lightest "
                       "level with host-side measurements (native servers have none). CPU "
                       "figures are % of the measured guest's virtual CPUs.");
    appendix_item(d, "CPU, overhead and useful work", text);
    free(text);
    free(assumed);
}

static void appendix(doc *d)
{
    new_page(d);
    d->appendix_page = d->page;
    bookmark(d, "Appendix: conventions");
    heading(d, "Appendix: conventions", H1_PT, 8);
    appendix_buckets(d);
    appendix_item(d, "Percentiles",
                  "p50, p90, p95, p99 and p99.9 are linear interpolation between closest ranks: "
                  "for sorted values x0 ... xn-1 and p in [0, 1], h = (n - 1) p and the "
                  "percentile is x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). This "
                  "is Excel's PERCENTILE.INC, NumPy's default and R's type 7. They are computed "
                  "exactly over every sample, without sampling windows or sketches.");
    appendix_item(d, "Standard deviation",
                  "The sample standard deviation and variance, dividing by n - 1 as Excel's "
                  "STDEV.S and VAR.S; undefined for a single sample.");
    appendix_item(
        d, "Confidence intervals",
        "95 %. The mean's is Student's t: mean \xC2\xB1 t(0.975, n - 1) sd / \xE2\x88\x9An. "
        "The percentiles' are distribution-free order-statistic intervals from the "
        "exact binomial distribution, so they hold whatever the shape of the delays; "
        "a bound that too few samples cannot give is left out (p95 needs 59 samples "
        "for an upper bound).");
    char *ew = endurance_words(d->run_count ? d->runs[0].endurance_ms : 1000);
    char *endurance = xasprintf("The endurance line is at %s, from the study the P3 comes from: "
                                "\"a one second delay is about the limit of user endurance for "
                                "occasional delays\". The share over it counts delays strictly "
                                "greater than the line. The onset of degradation is the lightest "
                                "level whose p95 is over the line; a second rule reports the "
                                "lightest level whose p95 exceeds the lightest level's by more "
                                "than a margin.",
                                ew);
    appendix_item(d, "Endurance line and onset", endurance);
    free(endurance);
    free(ew);
    appendix_overhead(d);
    appendix_item(d, "Guest counters",
                  "CPU counters read inside a guest are misleading: a paused virtual machine "
                  "charges the pause to whatever the guest was running. A level whose guest "
                  "figure exceeds the host's by more than the trust margin is flagged, and only "
                  "host-side and user-side (delay) measurements are relied on.");
    appendix_item(d, "Load levels",
                  "A sample's level comes from its probe log, else from the run's schedule, "
                  "else from the guest's measured CPU at that moment. Samples no method can "
                  "place are counted and left out of the statistics. Times are UTC.");
}

/* ---- the document ---- */

static void build(doc *d)
{
    d->page = 1;
    d->y = MARGIN_TOP;
    cover(d);
    summary(d);
    for (size_t i = 0; i < d->run_count; i++)
        run_pages(d, i);
    appendix(d);
    footer(d);
    cairo_show_page(d->cr);
}

/* A new canvas for one pass, with the document's metadata. */
static canvas *open_canvas(const char *lab)
{
    char *title = xasprintf("%s: Perceived Performance Profiles", lab);
    canvas *cv = canvas_new(CANVAS_PDF, PAGE_W, PAGE_H, 0, title);
    char *creator = xasprintf("p3 %s", P3_VERSION);
    cairo_pdf_surface_set_metadata(canvas_pdf_surface(cv), CAIRO_PDF_METADATA_CREATOR, creator);
    free(creator);
    free(title);
    return cv;
}

char *report_pdf_lab_name(const char *const *folders, size_t count)
{
    char *common = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!folders[i] || !*folders[i])
            continue;
        /* The folder that holds the run folder. */
        char *parent = xstrdup(folders[i]);
        size_t len = strlen(parent);
        while (len > 1 && parent[len - 1] == '/')
            parent[--len] = '\0';
        char *slash = strrchr(parent, '/');
        if (!slash) {
            parent[0] = '\0';
        } else {
            *slash = '\0';
        }
        if (!common) {
            common = parent;
            continue;
        }
        /* The longest run of whole components both start with. */
        size_t k = 0, last = 0;
        while (common[k] && common[k] == parent[k]) {
            k++;
            if ((common[k] == '/' || common[k] == '\0') && (parent[k] == '/' || parent[k] == '\0'))
                last = k;
        }
        common[last] = '\0';
        free(parent);
    }
    if (!common)
        return NULL;
    size_t len = strlen(common);
    while (len > 0 && common[len - 1] == '/')
        common[--len] = '\0';
    const char *base = strrchr(common, '/');
    base = base ? base + 1 : common;
    char *name = *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 ? xstrdup(base) : NULL;
    free(common);
    return name;
}

static char *lab_name(const report_pdf_options *o, const results_run *runs, size_t count)
{
    if (o->title && *o->title)
        return xstrdup(o->title);
    const char **folders = xcalloc(count + 1, sizeof *folders);
    for (size_t i = 0; i < count; i++)
        folders[i] = runs[i].folder;
    char *name = report_pdf_lab_name(folders, count);
    free(folders);
    return name ? name : xstrdup("p3 report");
}

int report_pdf_write(sqlite3 *db, const char *path, const report_pdf_options *opts,
                     diag_list *diags)
{
    report_pdf_options o = opts ? *opts : (report_pdf_options){0};
    results_run *runs;
    size_t count;
    int status = results_read(db, o.run_name, &runs, &count, diags);
    if (status)
        return status;
    if (count == 0) {
        if (o.run_name)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "no analysed run named '%s' in the store",
                     o.run_name);
        else
            diag_add(diags, DIAG_ERROR, path, 0, 0,
                     "nothing to report: the store holds no analysed run");
        return STATUS_BAD_INPUT;
    }
    char *lab = lab_name(&o, runs, count);
    doc d = {.o = &o, .runs = runs, .run_count = count, .lab = lab,
             .run_page = xcalloc(count + 1, sizeof *d.run_page)};
    /* First pass: count the pages and find where each part starts. */
    d.cv = open_canvas(lab);
    d.cr = canvas_cairo(d.cv);
    build(&d);
    cairo_status_t first = cairo_status(d.cr);
    canvas_free(d.cv);
    if (first != CAIRO_STATUS_SUCCESS) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write report: %s",
                 cairo_status_to_string(first));
        status = STATUS_FAILURE;
        goto out;
    }
    d.pages = d.page;
    d.final = true;
    d.cv = open_canvas(lab);
    d.cr = canvas_cairo(d.cv);
    build(&d);
    status = canvas_write(d.cv, path, "report", diags);
    canvas_free(d.cv);
out:
    free(d.run_page);
    free(lab);
    results_free(runs, count);
    return status;
}
