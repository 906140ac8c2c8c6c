/* The surface every chart and the report draw on: a cairo context whose
 * output (PNG, PDF or SVG) is gathered in memory and written whole, with the
 * same bytes for the same drawing (no dates, stable SVG ids), and the text
 * helpers they share, laid out by Pango in any script: DejaVu Sans first
 * with fontconfig's fallback, cleaning of text that comes from lab files,
 * cutting with an ellipsis and wrapping to a width. */
#ifndef P3_CANVAS_H
#define P3_CANVAS_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum canvas_format {
    CANVAS_PNG,
    CANVAS_PDF,
    CANVAS_SVG,
    CANVAS_MEASURE /* draws nowhere: for a pass that only lays out and measures (text
                      measures the same on every surface); canvas_write() refuses it */
} canvas_format;

/* The PNG resolution p3 assumes when none is asked for: a canvas unit is
 * then one pixel, as on a screen (CSS pixels are 1/96 inch). */
#define CANVAS_DEFAULT_DPI 96

typedef struct canvas canvas;

/* A canvas width x height units large. PNG: units are pixels at
 * CANVAS_DEFAULT_DPI, and the image is width * dpi / 96 pixels wide (dpi 0
 * means the default) with the resolution recorded in the file; PDF and SVG:
 * units are points, and dpi is ignored. title goes into a PDF's metadata
 * (may be NULL). Free with canvas_free(). */
canvas *canvas_new(canvas_format format, double width, double height, int dpi, const char *title);

/* The context to draw on, in canvas units, with unhinted font metrics so
 * that text measures the same in every format. Borrowed from the canvas. */
cairo_t *canvas_cairo(canvas *c);

/* The PDF surface, for outlines and page sizes; NULL for other formats.
 * Borrowed from the canvas. */
cairo_surface_t *canvas_pdf_surface(canvas *c);

/* Finishes the drawing and writes it to path through a temporary file and
 * rename(), so path holds the whole new file or is left as it was. Checks
 * the drawing's status first: a failed drawing writes nothing. Returns
 * STATUS_OK, or STATUS_FAILURE with "cannot write <what>: <reason>" about
 * path. The canvas cannot be drawn on afterwards; it still needs
 * canvas_free(). */
int canvas_write(canvas *c, const char *path, const char *what, diag_list *diags);

/* Frees the canvas and what it gathered; NULL is a no-op. */
void canvas_free(canvas *c);

/* Writes len bytes to path whole or not at all (a temporary file in the
 * same folder, renamed into place), mode 0644. Returns STATUS_OK, or STATUS_FAILURE with "cannot
 * write <what>: <reason>" about path. */
int canvas_write_file(const char *path, const void *data, size_t len, const char *what,
                      diag_list *diags);

/* ---- text ----
 *
 * Every text is laid out by Pango (pangocairo) and drawn with its glyphs,
 * so any script renders: DejaVu Sans first, and for what it lacks (Chinese,
 * Japanese, Korean, ...) whatever font fontconfig offers for the letters,
 * right-to-left scripts in their order. Each cairo context gets, on first
 * use, one Pango layout that all its texts are measured and drawn with
 * (kept as the context's user data, gone with the context); metrics are
 * unhinted, so that text measures the same on every surface, at every
 * resolution, in every format. */

/* The primary font family of p3's drawings: present on every machine that
 * has fonts-dejavu-core, so Latin, Greek, Cyrillic, Arabic and Hebrew look
 * the same everywhere; other scripts fall back through fontconfig. */
#define CANVAS_FONT "DejaVu Sans"
#define CANVAS_ELLIPSIS "\xE2\x80\xA6"

typedef enum canvas_style {
    CANVAS_REGULAR,
    CANVAS_BOLD,
    CANVAS_ITALIC
} canvas_style;

/* Selects CANVAS_FONT in size (user units) and style for the canvas_*
 * text calls on cr (any cairo context, a canvas's or not). */
void canvas_font(cairo_t *cr, double size, canvas_style style);

/* The ascent and descent of the current font (canvas_font) on cr, in user
 * units: how far its lines reach above and below the baseline. */
void canvas_font_extents(cairo_t *cr, double *ascent, double *descent);

/* Sets cr's source to the colour 0xRRGGBB. */
void canvas_rgb(cairo_t *cr, uint32_t rgb);

/* A copy of s fit to draw: invalid UTF-8 bytes become '?', control
 * characters spaces, and the ends are trimmed. Titles and level names come
 * from lab files, and a layout of one line wants neither bad bytes nor line
 * breaks. NULL gives "". Caller frees. */
char *canvas_clean_text(const char *s);

/* Draws s (clean, one line) in cr's current font and source with the left
 * end of its baseline at cr's current point, as cairo_show_text() would;
 * right-to-left text is ordered within that line. */
void canvas_show_text(cairo_t *cr, const char *s);

/* Advance width of s in cr's current font. */
double canvas_text_width(cairo_t *cr, const char *s);

/* The byte length of the longest head of s that, followed by suffix, is
 * at most max_width wide in cr's current font, cutting only at spaces
 * (at_spaces) or at any character boundary (between whole graphemes, so a
 * letter keeps its accents); strlen(s) when the whole of s fits, SIZE_MAX
 * when no head does. Trailing spaces of the head are dropped. A binary
 * search: a huge string costs a few dozen measurements. */
size_t canvas_fit_prefix(cairo_t *cr, const char *s, bool at_spaces, const char *suffix,
                         double max_width);

/* s itself if it is at most max_width wide in cr's current font, else its
 * longest head that fits with an ellipsis after it ("" when not even the
 * ellipsis fits). Caller frees. */
char *canvas_ellipsize(cairo_t *cr, const char *s, double max_width);

/* s wrapped into lines at most max_width wide in cr's current font, where
 * Pango allows a line break (at spaces, between CJK characters, ...); a
 * word wider than a line is cut between characters. At most max_lines
 * lines (0: no limit): the last is cut with an ellipsis when text is left
 * over. s should be clean (canvas_clean_text). Returns the line count and
 * sets *lines to an array of lines (at least one, maybe ""); free with
 * canvas_lines_free(). */
size_t canvas_wrap(cairo_t *cr, const char *s, double max_width, size_t max_lines, char ***lines);
/* canvas_wrap() that also says whether it cut text off: *shortened is set
 * true when the last line ends in an ellipsis for want of lines, else
 * false. */
size_t canvas_wrap_checked(cairo_t *cr, const char *s, double max_width, size_t max_lines,
                           char ***lines, bool *shortened);
void canvas_lines_free(char **lines, size_t count);

/* The version of Pango p3 runs with, e.g. "1.50.12" (static). */
const char *canvas_pango_version(void);

/* "12,345": n with thousands separated by commas. Caller frees. */
char *canvas_group_digits(long long n);

#endif
