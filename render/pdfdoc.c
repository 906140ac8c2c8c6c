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
    cairo_show_text(cr, s);
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

/* ---- blocks of text ---- */

void pdfdoc_heading(pdfdoc *d, const char *s, double size, double space_after)
{
    pdfdoc_font f = {size, CANVAS_BOLD, PDFDOC_COLOUR_ACCENT};
    pdfdoc_need(d, pdfdoc_line_height(&f) * 2 + space_after);
    char *t = pdfdoc_fit(d->cr, &f, s, PDFDOC_CONTENT_W);
    pdfdoc_text_at(d->cr, &f, t, PDFDOC_MARGIN_X, d->y + f.size, 0);
    free(t);
    d->y += pdfdoc_line_height(&f) + space_after;
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
    char *l = pdfdoc_fit(d->cr, &bold, label, PDFDOC_CONTENT_W);
    pdfdoc_text_at(d->cr, &bold, l, PDFDOC_MARGIN_X, d->y + bold.size, 0);
    if (pdfdoc_width_of(d->cr, &bold, l) > label_w - 6)
        d->y += pdfdoc_line_height(&bold);
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

static double cell_width(cairo_t *cr, const pdfdoc_font *f, const pdfdoc_cell *c)
{
    char lines[8][256];
    size_t n = cell_lines(c->text, lines);
    pdfdoc_font cf = *f;
    cf.style = c->bold ? CANVAS_BOLD : CANVAS_REGULAR;
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = fmax(w, pdfdoc_width_of(cr, &cf, lines[i]));
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

/* Column widths stretched to the text block, and the font size: a table
 * too wide for the block gets a smaller font (down to TABLE_MIN_PT), then
 * its first column is cut. */
static double table_layout(cairo_t *cr, const pdfdoc_table *t, double *widths)
{
    double size = TABLE_PT, total = measure_columns(cr, t, size, widths);
    while (total > PDFDOC_CONTENT_W && size > TABLE_MIN_PT) {
        size = fmax(TABLE_MIN_PT, 0.98 * size * PDFDOC_CONTENT_W / total);
        total = measure_columns(cr, t, size, widths);
    }
    if (total > PDFDOC_CONTENT_W) {
        widths[0] = fmax(widths[0] - (total - PDFDOC_CONTENT_W), 3 * size);
    } else {
        double extra = (PDFDOC_CONTENT_W - total) / (double)t->cols;
        for (size_t c = 0; c < t->cols; c++)
            widths[c] += extra;
    }
    return size;
}

static void draw_cell(cairo_t *cr, const pdfdoc_font *f, const pdfdoc_cell *c, double x, double w,
                      double y, bool right, double pad)
{
    char lines[8][256];
    size_t n = cell_lines(c->text, lines);
    pdfdoc_font cf = *f;
    cf.style = c->bold ? CANVAS_BOLD : CANVAS_REGULAR;
    if (c->colour)
        cf.colour = c->colour;
    for (size_t i = 0; i < n; i++) {
        pdfdoc_font lf = cf;
        if (i > 0) {
            lf.colour = c->colour ? c->colour : PDFDOC_COLOUR_MUTED;
            lf.style = CANVAS_REGULAR;
        }
        char *s = pdfdoc_fit(cr, &lf, lines[i], w - 2 * pad);
        pdfdoc_text_at(cr, &lf, s, right ? x + w - pad : x + pad,
                       y + f->size * (1 + PDFDOC_LEADING * (double)i), right ? 1 : 0);
        free(s);
    }
}

static size_t row_lines(const pdfdoc_table *t, size_t r)
{
    size_t most = 1;
    for (size_t c = 0; c < t->cols; c++) {
        char lines[8][256];
        size_t n = cell_lines(table_cell(t, r, c)->text, lines);
        most = n > most ? n : most;
    }
    return most;
}

static void table_header(pdfdoc *d, const pdfdoc_table *t, const double *widths, double size,
                         bool more)
{
    cairo_t *cr = d->cr;
    pdfdoc_font hf = {size, CANVAS_BOLD, PDFDOC_COLOUR_TEXT};
    double pad = 0.9 * size, h = PDFDOC_LEADING * size + 0.9 * size;
    if (more && t->caption) {
        char *c = xasprintf("%s (continued)", t->caption);
        pdfdoc_font cf = pdfdoc_small_font;
        cf.style = CANVAS_ITALIC;
        pdfdoc_text_at(cr, &cf, c, PDFDOC_MARGIN_X, d->y + cf.size, 0);
        d->y += pdfdoc_line_height(&cf) + 2;
        free(c);
    }
    cairo_rectangle(cr, PDFDOC_MARGIN_X, d->y, PDFDOC_CONTENT_W, h);
    canvas_rgb(cr, COLOUR_HEAD_FILL);
    cairo_fill(cr);
    double x = PDFDOC_MARGIN_X;
    for (size_t c = 0; c < t->cols; c++) {
        pdfdoc_cell head = {(char *)t->head[c], 0, true};
        draw_cell(cr, &hf, &head, x, widths[c], d->y + 0.45 * size, t->right[c], pad);
        x += widths[c];
    }
    d->y += h;
}

void pdfdoc_draw_table(pdfdoc *d, const pdfdoc_table *t)
{
    cairo_t *cr = d->cr;
    double *widths = xcalloc(t->cols + 1, sizeof *widths);
    double size = table_layout(cr, t, widths), pad = 0.9 * size;
    double head_h = PDFDOC_LEADING * size + 0.9 * size;
    pdfdoc_font f = {size, CANVAS_REGULAR, PDFDOC_COLOUR_TEXT};
    pdfdoc_need(d, head_h + (PDFDOC_LEADING * size + 0.8 * size) * (double)(t->rows ? 1 : 0));
    table_header(d, t, widths, size, false);
    for (size_t r = 0; r < t->rows; r++) {
        double h = PDFDOC_LEADING * size * (double)row_lines(t, r) + 0.8 * size;
        if (d->y + h > PDFDOC_PAGE_BOTTOM) {
            pdfdoc_new_page(d);
            table_header(d, t, widths, size, true);
        }
        if (r % 2 == 1) {
            cairo_rectangle(cr, PDFDOC_MARGIN_X, d->y, PDFDOC_CONTENT_W, h);
            canvas_rgb(cr, COLOUR_ZEBRA);
            cairo_fill(cr);
        }
        double x = PDFDOC_MARGIN_X;
        for (size_t c = 0; c < t->cols; c++) {
            draw_cell(cr, &f, table_cell(t, r, c), x, widths[c], d->y + 0.4 * size, t->right[c],
                      pad);
            x += widths[c];
        }
        d->y += h;
    }
    canvas_rgb(cr, PDFDOC_COLOUR_RULE);
    cairo_set_line_width(cr, 0.6);
    cairo_move_to(cr, PDFDOC_MARGIN_X, d->y);
    cairo_line_to(cr, PDFDOC_PAGE_W - PDFDOC_MARGIN_X, d->y);
    cairo_stroke(cr);
    d->y += 10;
    free(widths);
}

/* ---- the document ---- */

/* A new canvas for one pass, with the document's metadata. */
static canvas *open_canvas(const char *title)
{
    canvas *cv = canvas_new(CANVAS_PDF, PDFDOC_PAGE_W, PDFDOC_PAGE_H, 0, title);
    char *creator = xasprintf("p3 %s", P3_VERSION);
    cairo_pdf_surface_set_metadata(canvas_pdf_surface(cv), CAIRO_PDF_METADATA_CREATOR, creator);
    free(creator);
    return cv;
}

/* One pass: the document from the top of page 1, and the last page's end. */
static void lay_out(pdfdoc *d, const char *title, pdfdoc_build_fn build, void *ctx)
{
    d->cv = open_canvas(title);
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
    pdfdoc d = {.footer = footer_text, .footer_from = footer_from};
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
    return status;
}
