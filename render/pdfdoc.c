#include "pdfdoc.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "xalloc.h"

#define FOOTER_Y (PDFDOC_PAGE_H - 36.0)
#define FOOTER_PT 7.5
#define TABLE_PT 7.5
#define TABLE_MIN_PT 5.5
#define COLOUR_HEAD_FILL 0xE8ECF1 /* table headers */
#define COLOUR_ZEBRA 0xF6F8FA     /* every other table row */

const pdfdoc_font pdfdoc_body_font = {PDFDOC_BODY_PT, CANVAS_REGULAR, PDFDOC_COLOUR_TEXT};
const pdfdoc_font pdfdoc_small_font = {PDFDOC_SMALL_PT, CANVAS_REGULAR, PDFDOC_COLOUR_MUTED};

/* ---- text ---- */

double pdfdoc_line_height(const pdfdoc_font *f)
{
    return PDFDOC_LEADING * f->size;
}

double pdfdoc_width_of(cairo_t *cr, const pdfdoc_font *f, const char *s)
{
    canvas_font(cr, f->size, f->style);
    return canvas_text_width(cr, s);
}

void pdfdoc_text_at(cairo_t *cr, const pdfdoc_font *f, const char *s, double x, double y,
                    double align)
{
    if (!*s)
        return;
    canvas_font(cr, f->size, f->style);
    canvas_rgb(cr, f->colour);
    cairo_move_to(cr, x - align * canvas_text_width(cr, s), y);
    canvas_show_text(cr, s);
}

char *pdfdoc_fit(cairo_t *cr, const pdfdoc_font *f, const char *s, double width)
{
    char *clean = canvas_clean_text(s);
    canvas_font(cr, f->size, f->style);
    char *out = canvas_ellipsize(cr, clean, width);
    free(clean);
    return out;
}

/* ---- pages ---- */

static void footer(pdfdoc *d)
{
    cairo_t *cr = d->cr;
    pdfdoc_font f = {FOOTER_PT, CANVAS_REGULAR, PDFDOC_COLOUR_MUTED};
    canvas_rgb(cr, PDFDOC_COLOUR_RULE);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, PDFDOC_MARGIN_X, FOOTER_Y - 11);
    cairo_line_to(cr, PDFDOC_PAGE_W - PDFDOC_MARGIN_X, FOOTER_Y - 11);
    cairo_stroke(cr);
    char *page =
        d->final ? xasprintf("Page %d of %d", d->page, d->pages) : xasprintf("Page %d", d->page);
    double room = PDFDOC_CONTENT_W - pdfdoc_width_of(cr, &f, page) - 20;
    char *left = pdfdoc_fit(cr, &f, d->footer, room);
    if (strstr(left, CANVAS_ELLIPSIS) && !strstr(d->footer, CANVAS_ELLIPSIS))
        pdfdoc_shortened(d, d->footer);
    pdfdoc_text_at(cr, &f, left, PDFDOC_MARGIN_X, FOOTER_Y, 0);
    pdfdoc_text_at(cr, &f, page, PDFDOC_PAGE_W - PDFDOC_MARGIN_X, FOOTER_Y, 1);
    free(left);
    free(page);
}

void pdfdoc_new_page(pdfdoc *d)
{
    if (d->page >= d->footer_from)
        footer(d);
    cairo_show_page(d->cr);
    d->page++;
    d->y = PDFDOC_MARGIN_TOP;
}

void pdfdoc_need(pdfdoc *d, double height)
{
    if (d->y + height > PDFDOC_PAGE_BOTTOM && d->y > PDFDOC_MARGIN_TOP)
        pdfdoc_new_page(d);
}

void pdfdoc_bookmark(pdfdoc *d, const char *name)
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

void pdfdoc_shortened(pdfdoc *d, const char *text)
{
    if (!d->final || !d->diags)
        return;
    for (size_t i = 0; i < d->noted_count; i++)
        if (strcmp(d->noted[i], text) == 0)
            return;
    d->noted = xreallocarray(d->noted, d->noted_count + 1, sizeof *d->noted);
    d->noted[d->noted_count++] = xstrdup(text);
    char quoted[96];
    diag_add(d->diags, DIAG_WARNING, d->path, 0, 0,
             "text too long for a page, shortened with an ellipsis on page %d: %s", d->page,
             diag_quote(quoted, sizeof quoted, text, strlen(text)));
}

size_t pdfdoc_page_lines(const pdfdoc_font *f)
{
    double lines = floor((PDFDOC_PAGE_BOTTOM - PDFDOC_MARGIN_TOP) / pdfdoc_line_height(f));
    return lines < 1 ? 1 : (size_t)lines;
}

/* ---- blocks of text ---- */

void pdfdoc_heading(pdfdoc *d, const char *s, double size, double space_after)
{
    pdfdoc_font f = {size, CANVAS_BOLD, PDFDOC_COLOUR_ACCENT};
    char *clean = canvas_clean_text(s);
    canvas_font(d->cr, f.size, f.style);
    char **lines;
    bool shortened;
    /* A line of text under it must fit on the page too. */
    size_t most = pdfdoc_page_lines(&f) - 1;
    size_t n = canvas_wrap_checked(d->cr, clean, PDFDOC_CONTENT_W, most ? most : 1, &lines,
                                   &shortened);
    pdfdoc_need(d, pdfdoc_line_height(&f) * (double)(n + 1) + space_after);
    if (shortened)
        pdfdoc_shortened(d, clean);
    for (size_t i = 0; i < n; i++) {
        pdfdoc_text_at(d->cr, &f, lines[i], PDFDOC_MARGIN_X, d->y + f.size, 0);
        d->y += pdfdoc_line_height(&f);
    }
    d->y += space_after;
    canvas_lines_free(lines, n);
    free(clean);
}

void pdfdoc_paragraph_at(pdfdoc *d, const pdfdoc_font *f, const char *s, double x, double width)
{
    char *clean = canvas_clean_text(s);
    canvas_font(d->cr, f->size, f->style);
    char **lines;
    size_t n = canvas_wrap(d->cr, clean, width, 0, &lines);
    for (size_t i = 0; i < n; i++) {
        pdfdoc_need(d, pdfdoc_line_height(f));
        pdfdoc_text_at(d->cr, f, lines[i], x, d->y + f->size, 0);
        d->y += pdfdoc_line_height(f);
    }
    canvas_lines_free(lines, n);
    free(clean);
}

void pdfdoc_paragraph(pdfdoc *d, const pdfdoc_font *f, const char *s, double space_after)
{
    pdfdoc_paragraph_at(d, f, s, PDFDOC_MARGIN_X, PDFDOC_CONTENT_W);
    d->y += space_after;
}

void pdfdoc_labelled(pdfdoc *d, const char *label, const char *s, double label_w)
{
    pdfdoc_font bold = pdfdoc_body_font;
    bold.style = CANVAS_BOLD;
    bold.size = PDFDOC_SMALL_PT + 0.5;
    pdfdoc_font text = pdfdoc_body_font;
    text.size = PDFDOC_SMALL_PT + 0.5;
    pdfdoc_need(d, 2 * pdfdoc_line_height(&text));
    char *l = canvas_clean_text(label);
    if (pdfdoc_width_of(d->cr, &bold, l) > label_w - 6) {
        /* Too long for its column: the label's own lines, then the text. */
        pdfdoc_paragraph_at(d, &bold, l, PDFDOC_MARGIN_X, PDFDOC_CONTENT_W);
    } else {
        pdfdoc_text_at(d->cr, &bold, l, PDFDOC_MARGIN_X, d->y + bold.size, 0);
    }
    free(l);
    pdfdoc_paragraph_at(d, &text, s, PDFDOC_MARGIN_X + label_w, PDFDOC_CONTENT_W - label_w);
    d->y += 2;
}

/* ---- tables ---- */

pdfdoc_cell *pdfdoc_table_cells(size_t rows, size_t cols)
{
    return xcalloc(rows * cols + 1, sizeof(pdfdoc_cell));
}

static pdfdoc_cell *table_cell(const pdfdoc_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->cols + col];
}

void pdfdoc_table_set(pdfdoc_table *t, size_t row, size_t col, char *text, uint32_t colour,
                      bool bold)
{
    *table_cell(t, row, col) = (pdfdoc_cell){text, colour, bold};
}

void pdfdoc_table_free(pdfdoc_table *t)
{
    for (size_t i = 0; i < t->rows * t->cols; i++)
        free(t->cells[i].text);
    free(t->cells);
}

/* A cell's text as drawn: its '\n'-separated parts each wrapped to the
 * column, the first part's lines in the cell's font, the later ones
 * regular and muted. */
typedef struct cell_lines {
    char **line;    /* count lines to draw */
    size_t first;   /* how many of them are the first part's */
    size_t count;
    bool shortened; /* the last line was cut with an ellipsis for want of room */
} cell_lines;

static void cell_lines_free(cell_lines *l)
{
    canvas_lines_free(l->line, l->count);
}

/* The font of the cell's first part and of its later parts. */
static void cell_fonts(const pdfdoc_font *f, const pdfdoc_cell *c, pdfdoc_font *first,
                       pdfdoc_font *later)
{
    *first = *f;
    first->style = c->bold ? CANVAS_BOLD : CANVAS_REGULAR;
    if (c->colour)
        first->colour = c->colour;
    *later = *f;
    later->style = CANVAS_REGULAR;
    later->colour = c->colour ? c->colour : PDFDOC_COLOUR_MUTED;
}

/* c's text wrapped to width in font f, at most max_lines lines (0: all):
 * nothing is cut but what a page cannot hold, and then the last line
 * ends in an ellipsis. */
static cell_lines cell_wrap(cairo_t *cr, const pdfdoc_font *f, const pdfdoc_cell *c, double width,
                            size_t max_lines)
{
    pdfdoc_font first, later;
    cell_fonts(f, c, &first, &later);
    cell_lines out = {0};
    const char *p = c->text ? c->text : "";
    for (size_t part = 0;; part++) {
        size_t len = strcspn(p, "\n");
        char *raw = xstrndup(p, len);
        char *clean = canvas_clean_text(raw);
        const pdfdoc_font *pf = part == 0 ? &first : &later;
        canvas_font(cr, pf->size, pf->style);
        char **lines;
        size_t n = canvas_wrap(cr, clean, width, 0, &lines);
        out.line = xreallocarray(out.line, out.count + n, sizeof *out.line);
        memcpy(out.line + out.count, lines, n * sizeof *lines);
        out.count += n;
        if (part == 0)
            out.first = n;
        free(lines);
        free(clean);
        free(raw);
        if (!p[len])
            break;
        p += len + 1;
    }
    if (max_lines && out.count > max_lines) {
        /* What is left from the last line that fits on, cut to the width. */
        size_t last = max_lines - 1;
        char *rest = xstrdup(out.line[last]);
        for (size_t i = last + 1; i < out.count; i++) {
            char *joined = xasprintf("%s %s", rest, out.line[i]);
            free(rest);
            rest = joined;
        }
        const pdfdoc_font *lf = last < out.first ? &first : &later;
        canvas_font(cr, lf->size, lf->style);
        char *cut = canvas_ellipsize(cr, rest, width);
        free(rest);
        for (size_t i = last; i < out.count; i++)
            free(out.line[i]);
        out.line[last] = cut;
        out.count = max_lines;
        out.first = out.first < max_lines ? out.first : max_lines;
        out.shortened = true;
    }
    return out;
}

/* The width of c's widest part unwrapped. */
static double cell_width(cairo_t *cr, const pdfdoc_font *f, const pdfdoc_cell *c)
{
    pdfdoc_font first, later;
    cell_fonts(f, c, &first, &later);
    double w = 0;
    const char *p = c->text ? c->text : "";
    for (size_t part = 0;; part++) {
        size_t len = strcspn(p, "\n");
        char *raw = xstrndup(p, len);
        char *clean = canvas_clean_text(raw);
        w = fmax(w, pdfdoc_width_of(cr, part == 0 ? &first : &later, clean));
        free(clean);
        free(raw);
        if (!p[len])
            break;
        p += len + 1;
    }
    return w;
}

/* The natural column widths at font size `size`: the widest cell or
 * heading plus padding. Returns their sum. */
static double measure_columns(cairo_t *cr, const pdfdoc_table *t, double size, double *widths)
{
    pdfdoc_font f = {size, CANVAS_REGULAR, PDFDOC_COLOUR_TEXT},
                hf = {size, CANVAS_BOLD, PDFDOC_COLOUR_TEXT};
    double pad = 0.9 * size, total = 0;
    for (size_t c = 0; c < t->cols; c++) {
        pdfdoc_cell h = {(char *)t->head[c], 0, true};
        widths[c] = cell_width(cr, &hf, &h);
        for (size_t r = 0; r < t->rows; r++)
            widths[c] = fmax(widths[c], cell_width(cr, &f, table_cell(t, r, c)));
        widths[c] += 2 * pad;
        total += widths[c];
    }
    return total;
}

/* Narrows the widest columns to one width so that all fit the text block
 * (their cells then wrap); columns narrower than that keep theirs. */
static void narrow_columns(double *widths, size_t cols)
{
    bool *kept = xcalloc(cols + 1, sizeof *kept);
    double room = PDFDOC_CONTENT_W, share = room / (double)cols;
    size_t left = cols;
    for (bool changed = true; changed && left > 0;) {
        changed = false;
        share = room / (double)left;
        for (size_t c = 0; c < cols; c++)
            if (!kept[c] && widths[c] <= share) {
                kept[c] = true;
                room -= widths[c];
                left--;
                changed = true;
            }
    }
    for (size_t c = 0; c < cols; c++)
        if (!kept[c])
            widths[c] = share;
    free(kept);
}

/* Column widths stretched to the text block, and the font size: a table
 * too wide for the block gets a smaller font (down to TABLE_MIN_PT), then
 * its widest columns are narrowed and their cells wrap. */
static double table_layout(cairo_t *cr, const pdfdoc_table *t, double *widths)
{
    double size = TABLE_PT, total = measure_columns(cr, t, size, widths);
    while (total > PDFDOC_CONTENT_W && size > TABLE_MIN_PT) {
        size = fmax(TABLE_MIN_PT, 0.98 * size * PDFDOC_CONTENT_W / total);
        total = measure_columns(cr, t, size, widths);
    }
    if (total > PDFDOC_CONTENT_W) {
        narrow_columns(widths, t->cols);
    } else {
        double extra = (PDFDOC_CONTENT_W - total) / (double)t->cols;
        for (size_t c = 0; c < t->cols; c++)
            widths[c] += extra;
    }
    return size;
}

static void draw_cell(cairo_t *cr, const pdfdoc_font *f, const pdfdoc_cell *c,
                      const cell_lines *l, double x, double w, double y, bool right, double pad)
{
    pdfdoc_font first, later;
    cell_fonts(f, c, &first, &later);
    for (size_t i = 0; i < l->count; i++)
        pdfdoc_text_at(cr, i < l->first ? &first : &later, l->line[i], right ? x + w - pad : x + pad,
                       y + f->size * (1 + PDFDOC_LEADING * (double)i), right ? 1 : 0);
}

/* A table's font size, column widths and the most lines a row may have. */
typedef struct table_geometry {
    double size;     /* font size */
    double *widths;  /* cols column widths */
    double head_h;   /* height of the header row */
    size_t max_rows; /* most lines of a body row: what a page holds under the header */
} table_geometry;

static double caption_height(void)
{
    pdfdoc_font cf = pdfdoc_small_font;
    return pdfdoc_line_height(&cf) + 2;
}

/* The header's cells wrapped to their columns (not cut: headings are
 * short). Returns the row's height. */
static double header_cells(cairo_t *cr, const pdfdoc_table *t, const table_geometry *g,
                           cell_lines *cells)
{
    pdfdoc_font hf = {g->size, CANVAS_BOLD, PDFDOC_COLOUR_TEXT};
    double pad = 0.9 * g->size;
    size_t most = 1;
    for (size_t c = 0; c < t->cols; c++) {
        pdfdoc_cell head = {(char *)t->head[c], 0, true};
        cells[c] = cell_wrap(cr, &hf, &head, g->widths[c] - 2 * pad, 0);
        most = cells[c].count > most ? cells[c].count : most;
    }
    return PDFDOC_LEADING * g->size * (double)most + 0.9 * g->size;
}

static void table_header(pdfdoc *d, const pdfdoc_table *t, const table_geometry *g, bool more)
{
    cairo_t *cr = d->cr;
    pdfdoc_font hf = {g->size, CANVAS_BOLD, PDFDOC_COLOUR_TEXT};
    double pad = 0.9 * g->size;
    if (more && t->caption) {
        char *c = xasprintf("%s (continued)", t->caption);
        pdfdoc_font cf = pdfdoc_small_font;
        cf.style = CANVAS_ITALIC;
        char *fitted = pdfdoc_fit(cr, &cf, c, PDFDOC_CONTENT_W);
        pdfdoc_text_at(cr, &cf, fitted, PDFDOC_MARGIN_X, d->y + cf.size, 0);
        d->y += caption_height();
        free(fitted);
        free(c);
    }
    cell_lines *cells = xcalloc(t->cols + 1, sizeof *cells);
    double h = header_cells(cr, t, g, cells);
    cairo_rectangle(cr, PDFDOC_MARGIN_X, d->y, PDFDOC_CONTENT_W, h);
    canvas_rgb(cr, COLOUR_HEAD_FILL);
    cairo_fill(cr);
    double x = PDFDOC_MARGIN_X;
    for (size_t c = 0; c < t->cols; c++) {
        pdfdoc_cell head = {(char *)t->head[c], 0, true};
        draw_cell(cr, &hf, &head, &cells[c], x, g->widths[c], d->y + 0.45 * g->size, t->right[c],
                  pad);
        x += g->widths[c];
        cell_lines_free(&cells[c]);
    }
    free(cells);
    d->y += h;
}

static table_geometry table_geometry_of(cairo_t *cr, const pdfdoc_table *t)
{
    table_geometry g = {0};
    g.widths = xcalloc(t->cols + 1, sizeof *g.widths);
    g.size = table_layout(cr, t, g.widths);
    cell_lines *cells = xcalloc(t->cols + 1, sizeof *cells);
    g.head_h = header_cells(cr, t, &g, cells);
    for (size_t c = 0; c < t->cols; c++)
        cell_lines_free(&cells[c]);
    free(cells);
    /* A row on a fresh page, under the caption and the header. */
    double room = PDFDOC_PAGE_BOTTOM - PDFDOC_MARGIN_TOP - caption_height() - g.head_h -
                  0.8 * g.size;
    double lines = floor(room / (PDFDOC_LEADING * g.size));
    g.max_rows = lines < 1 ? 1 : (size_t)lines;
    return g;
}

void pdfdoc_draw_table(pdfdoc *d, const pdfdoc_table *t)
{
    cairo_t *cr = d->cr;
    table_geometry g = table_geometry_of(cr, t);
    double size = g.size, pad = 0.9 * size;
    pdfdoc_font f = {size, CANVAS_REGULAR, PDFDOC_COLOUR_TEXT};
    cell_lines *cells = xcalloc(t->cols + 1, sizeof *cells);
    for (size_t r = 0; r < t->rows; r++) {
        size_t most = 1;
        for (size_t c = 0; c < t->cols; c++) {
            const pdfdoc_cell *cell = table_cell(t, r, c);
            cells[c] = cell_wrap(cr, &f, cell, g.widths[c] - 2 * pad, g.max_rows);
            most = cells[c].count > most ? cells[c].count : most;
        }
        double h = PDFDOC_LEADING * size * (double)most + 0.8 * size;
        if (r == 0) {
            /* The header stays with the first row. */
            pdfdoc_need(d, g.head_h + h);
            table_header(d, t, &g, false);
        } else if (d->y + h > PDFDOC_PAGE_BOTTOM) {
            pdfdoc_new_page(d);
            table_header(d, t, &g, true);
        }
        if (r % 2 == 1) {
            cairo_rectangle(cr, PDFDOC_MARGIN_X, d->y, PDFDOC_CONTENT_W, h);
            canvas_rgb(cr, COLOUR_ZEBRA);
            cairo_fill(cr);
        }
        double x = PDFDOC_MARGIN_X;
        for (size_t c = 0; c < t->cols; c++) {
            const pdfdoc_cell *cell = table_cell(t, r, c);
            if (cells[c].shortened)
                pdfdoc_shortened(d, cell->text);
            draw_cell(cr, &f, cell, &cells[c], x, g.widths[c], d->y + 0.4 * size, t->right[c], pad);
            x += g.widths[c];
            cell_lines_free(&cells[c]);
        }
        d->y += h;
    }
    if (t->rows == 0) {
        pdfdoc_need(d, g.head_h);
        table_header(d, t, &g, false);
    }
    canvas_rgb(cr, PDFDOC_COLOUR_RULE);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, PDFDOC_MARGIN_X, d->y);
    cairo_line_to(cr, PDFDOC_PAGE_W - PDFDOC_MARGIN_X, d->y);
    cairo_stroke(cr);
    d->y += 10;
    free(cells);
    free(g.widths);
}

/* ---- the document ---- */

/* A new canvas for one pass, with the document's metadata. */
/* The PDF, or for the first pass a canvas that only measures: that pass
 * finds where pages break and parts start, which the PDF's contents and
 * page footers need, and laying out is all it has to do. */
static canvas *open_canvas(const char *title, bool final)
{
    if (!final)
        return canvas_new(CANVAS_MEASURE, PDFDOC_PAGE_W, PDFDOC_PAGE_H, 0, title);
    canvas *cv = canvas_new(CANVAS_PDF, PDFDOC_PAGE_W, PDFDOC_PAGE_H, 0, title);
    char *creator = xasprintf("p3 %s", P3_VERSION);
    cairo_pdf_surface_set_metadata(canvas_pdf_surface(cv), CAIRO_PDF_METADATA_CREATOR, creator);
    free(creator);
    return cv;
}

/* One pass: the document from the top of page 1, and the last page's end. */
static void lay_out(pdfdoc *d, const char *title, pdfdoc_build_fn build, void *ctx)
{
    d->cv = open_canvas(title, d->final);
    d->cr = canvas_cairo(d->cv);
    d->page = 1;
    d->y = PDFDOC_MARGIN_TOP;
    build(d, ctx);
    if (d->page >= d->footer_from)
        footer(d);
    cairo_show_page(d->cr);
}

int pdfdoc_write(const char *path, const char *title, const char *what, const char *footer_text,
                 int footer_from, pdfdoc_build_fn build, void *ctx, diag_list *diags)
{
    pdfdoc d = {.footer = footer_text, .footer_from = footer_from, .path = path, .diags = diags};
    /* First pass: count the pages and find where each part starts. */
    lay_out(&d, title, build, ctx);
    cairo_status_t first = cairo_status(d.cr);
    canvas_free(d.cv);
    if (first != CAIRO_STATUS_SUCCESS) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: %s", what,
                 cairo_status_to_string(first));
        return STATUS_FAILURE;
    }
    d.pages = d.page;
    d.final = true;
    lay_out(&d, title, build, ctx);
    int status = canvas_write(d.cv, path, what, diags);
    canvas_free(d.cv);
    for (size_t i = 0; i < d.noted_count; i++)
        free(d.noted[i]);
    free(d.noted);
    return status;
}
