/* What the render tests read back from the files they draw: pixels of a
 * PNG, counted by colour or in the border, and the text of a PDF through
 * pdftotext. */
#ifndef P3_IMAGE_FIXTURE_H
#define P3_IMAGE_FIXTURE_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

/* The PNG at path as an image surface; fails the test when it cannot be
 * read. Caller destroys it with cairo_surface_destroy(). */
cairo_surface_t *image_fixture_load_png(const char *path);
/* Pixels within 1 of the colour (0..1 per channel) in every channel. */
size_t image_fixture_count_colour(cairo_surface_t *png, const double rgb[3]);
/* Pixels in the outer 2-pixel frame that are not the white background. */
size_t image_fixture_inked_border(cairo_surface_t *png);

/* The text of a PDF through pdftotext (with -layout when layout is true),
 * or NULL, after a note "<suite>: pdftotext not found ...", when the
 * program is missing. Caller frees. */
char *image_fixture_pdf_text(const char *pdf, bool layout, const char *suite);

#endif
