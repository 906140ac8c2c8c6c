/* The PNG files of the canvas (canvas_write): cairo's RGB24 image surface as
 * unfiltered RGB rows, deflated by zlib in bands on threads and joined into
 * one stream, with the resolution recorded. Apart from the canvas, so that
 * the tests can hand it memory that runs out. */
#ifndef P3_CANVAS_PNG_H
#define P3_CANVAS_PNG_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Where the encoder gets all its memory, its own buffers and zlib's state
 * alike. alloc may return NULL: the encoding then fails cleanly, having
 * given back everything it took. free is never given NULL. Both are called
 * from several threads at once. */
typedef struct canvas_png_memory {
    void *(*alloc)(void *opaque, size_t size);
    void (*free)(void *opaque, void *block);
    void *opaque; /* passed to both */
} canvas_png_memory;

/* Encodes image (CAIRO_FORMAT_RGB24, at least 1 x 1) as an RGB PNG whose
 * pHYs chunk says dpi. The same pixels give the same bytes on every
 * machine that has the same zlib. mem NULL means malloc() and free().
 * Returns true and sets *png to the file's *len bytes, to be given back
 * through mem's free (free() for NULL); or false, *png NULL, with *reason
 * set to why ("out of memory", or what zlib said), a static string. */
bool canvas_png_encode(cairo_surface_t *image, int dpi, const canvas_png_memory *mem,
                       unsigned char **png, size_t *len, const char **reason);

/* Encodes image as canvas_png_encode() does and writes the file to path
 * whole or not at all (canvas_write_file()): canvas_write()'s PNG. Returns
 * STATUS_OK, or STATUS_FAILURE with "cannot write <what>: <reason>" about
 * path. */
int canvas_png_write(cairo_surface_t *image, int dpi, const canvas_png_memory *mem,
                     const char *path, const char *what, diag_list *diags);

#endif
