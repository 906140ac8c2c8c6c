/* The page layout of p3's PDF documents (the report, the comparison of
 * runs): A4 portrait pages on which headings, wrapped paragraphs, labelled
 * lines, tables that break between rows and charts are placed from the top
 * down, each page with a footer and its number. A document is laid out
 * twice by the same function: the first pass counts the pages, the second
 * draws them knowing the total ("Page 3 of 9") and where each part starts.
 * Text is laid out by Pango (canvas.h): DejaVu Sans, and for other scripts
 * the fonts fontconfig falls back to, embedded; the same content and fonts
 * give the same bytes. Nothing is cut silently: text wraps, and what a
 * whole page cannot hold ends in an ellipsis and is named in a warning. */
#ifndef P3_PDFDOC_H
#define P3_PDFDOC_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "diag.h"

/* A4 portrait in points, and the text block on it. */
#define PDFDOC_PAGE_W 595.28
#define PDFDOC_PAGE_H 841.89
#define PDFDOC_MARGIN_X 54.0
#define PDFDOC_MARGIN_TOP 54.0
#define PDFDOC_MARGIN_BOTTOM 66.0 /* room for the footer under the text block */
#define PDFDOC_CONTENT_W (PDFDOC_PAGE_W - 2 * PDFDOC_MARGIN_X)
#define PDFDOC_PAGE_BOTTOM (PDFDOC_PAGE_H - PDFDOC_MARGIN_BOTTOM) /* where the text block ends */

/* Type sizes in points. */
#define PDFDOC_BODY_PT 9.5
#define PDFDOC_SMALL_PT 8.0
#define PDFDOC_H1_PT 18.0
#define PDFDOC_H2_PT 12.0
#define PDFDOC_LEADING 1.35 /* line distance in font sizes */

/* Colours as 0xRRGGBB. */
#define PDFDOC_COLOUR_TEXT 0x262626
#define PDFDOC_COLOUR_MUTED 0x666B73
#define PDFDOC_COLOUR_ACCENT 0x1F3A5F      /* headings, the cover */
#define PDFDOC_COLOUR_ACCENT_SOFT 0xDCE6F2 /* text on the cover's accent */
#define PDFDOC_COLOUR_RULE 0xC3C8CF
#define PDFDOC_COLOUR_ALERT 0xC62828       /* over the endurance line, untrusted counters */

#define PDFDOC_DASH "\xE2\x80\x93" /* en dash: ranges and empty cells */
#define PDFDOC_DOT " \xC2\xB7 "    /* middle dot between items of a line */

typedef struct pdfdoc_font {
    double size;        /* points */
    canvas_style style;
    uint32_t colour;    /* 0xRRGGBB */
} pdfdoc_font;

/* Body text, and the smaller muted text of captions and notes. */
extern const pdfdoc_font pdfdoc_body_font;
extern const pdfdoc_font pdfdoc_small_font;

/* A document being laid out, as the build function of pdfdoc_write()
 * sees it. */
typedef struct pdfdoc {
    canvas *cv;         /* this pass's canvas */
    cairo_t *cr;        /* its context, in points */
    const char *footer; /* the footer's left side, e.g. "<lab> · Perceived Performance Profiles" */
    int footer_from;    /* the first page with a footer: 2 after a cover page, else 1 */
    bool final;         /* the second pass: page numbers are known */
    int page;           /* the current page, from 1 */
    double y;           /* top of the next block on the page */
    int pages;          /* total, known in the final pass */
    const char *path;   /* the file being written, for warnings */
    diag_list *diags;   /* where warnings about shortened text go (final pass); may be NULL */
    char **noted;       /* the texts already warned about, each once */
    size_t noted_count;
} pdfdoc;

/* Lays the document out: draws everything from the top of page 1 on. */
typedef void (*pdfdoc_build_fn)(pdfdoc *d, void *ctx);

/* Lays out the document twice with build and writes it to path, whole or
 * not at all. title goes into the PDF's metadata; footer and footer_from
 * as in pdfdoc. Returns STATUS_OK, or STATUS_FAILURE with "cannot write
 * <what>: <reason>" about path. */
int pdfdoc_write(const char *path, const char *title, const char *what, const char *footer,
                 int footer_from, pdfdoc_build_fn build, void *ctx, diag_list *diags);

/* ---- flow ---- */

/* Ends the current page (with its footer) and starts the next. */
void pdfdoc_new_page(pdfdoc *d);
/* Starts a new page unless height fits under y on this one (or y is at
 * the top already). */
void pdfdoc_need(pdfdoc *d, double height);
/* An outline entry (the PDF viewer's bookmarks) for the current page. */
void pdfdoc_bookmark(pdfdoc *d, const char *name);
/* Says, once per text and in the final pass only, that text was too long
 * for a page and was shortened with an ellipsis: a DIAG_WARNING about the
 * file, quoting the start of the text. */
void pdfdoc_shortened(pdfdoc *d, const char *text);
/* How many lines of font f a page's text block holds (at least 1). */
size_t pdfdoc_page_lines(const pdfdoc_font *f);

/* ---- text ---- */

double pdfdoc_line_height(const pdfdoc_font *f);
/* Advance width of s in font f. */
double pdfdoc_width_of(cairo_t *cr, const pdfdoc_font *f, const char *s);
/* Draws s with its baseline at y: left at x (align 0), centred on x (0.5)
 * or right at x (1). */
void pdfdoc_text_at(cairo_t *cr, const pdfdoc_font *f, const char *s, double x, double y,
                    double align);
/* s cleaned (canvas_clean_text) and cut to width with an ellipsis, for
 * one-line texts whose whole is shown elsewhere (the footer). Caller frees. */
char *pdfdoc_fit(cairo_t *cr, const pdfdoc_font *f, const char *s, double width);

/* A bold heading in the accent colour, wrapped, kept on a page with a line
 * after it. */
void pdfdoc_heading(pdfdoc *d, const char *s, double size, double space_after);
/* Text wrapped from x over width, flowing onto new pages line by line. */
void pdfdoc_paragraph_at(pdfdoc *d, const pdfdoc_font *f, const char *s, double x, double width);
/* The same across the text block, then space_after points. */
void pdfdoc_paragraph(pdfdoc *d, const pdfdoc_font *f, const char *s, double space_after);
/* "Label  text" with the label bold in a column label_w wide and the text
 * wrapped beside it; a label too long for its column gets a line of its
 * own above the text. */
void pdfdoc_labelled(pdfdoc *d, const char *label, const char *s, double label_w);

/* ---- tables ---- */

typedef struct pdfdoc_cell {
    char *text;       /* owned; parts separated by '\n', the later ones muted; each wraps */
    uint32_t colour;  /* 0: the table's text colour */
    bool bold;
} pdfdoc_cell;

typedef struct pdfdoc_table {
    size_t cols, rows;
    const char *const *head; /* cols headings */
    const bool *right;       /* cols: right-aligned (numbers) */
    pdfdoc_cell *cells;      /* rows x cols, from pdfdoc_table_cells() */
    const char *caption;     /* repeated with "(continued)" on a new page */
} pdfdoc_table;

/* rows x cols empty cells for a table (at least one). Freed by pdfdoc_table_free(). */
pdfdoc_cell *pdfdoc_table_cells(size_t rows, size_t cols);
/* Sets a cell, taking text (owned). */
void pdfdoc_table_set(pdfdoc_table *t, size_t row, size_t col, char *text, uint32_t colour,
                      bool bold);
/* Frees the cells and their text. */
void pdfdoc_table_free(pdfdoc_table *t);
/* Draws the table at y across the text block, its font made smaller (and
 * then its widest columns narrowed) when it is too wide; cells wrap within
 * their columns in full. Pages break between rows (never through one), a
 * row that does not fit moving to the next page under a repeated header;
 * only a cell too long for a whole page is cut, with an ellipsis and a
 * warning (pdfdoc_shortened()). */
void pdfdoc_draw_table(pdfdoc *d, const pdfdoc_table *t);

#endif
