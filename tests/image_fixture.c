#include "image_fixture.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "xalloc.h"

cairo_surface_t *image_fixture_load_png(const char *path)
{
    cairo_surface_t *png = cairo_image_surface_create_from_png(path);
    ck_assert_msg(cairo_surface_status(png) == CAIRO_STATUS_SUCCESS, "cannot read %s: %s", path,
                  cairo_status_to_string(cairo_surface_status(png)));
    cairo_surface_flush(png);
    return png;
}

/* The pixel at x, y as 0xRRGGBB. */
static uint32_t pixel(cairo_surface_t *png, int x, int y)
{
    const unsigned char *row =
        cairo_image_surface_get_data(png) + (size_t)y * (size_t)cairo_image_surface_get_stride(png);
    return ((const uint32_t *)(const void *)row)[x] & 0xFFFFFF;
}

size_t image_fixture_count_colour(cairo_surface_t *png, const double rgb[3])
{
    int want[3], w = cairo_image_surface_get_width(png), h = cairo_image_surface_get_height(png);
    for (int i = 0; i < 3; i++)
        want[i] = (int)lround(rgb[i] * 255);
    size_t n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t p = pixel(png, x, y);
            int got[3] = {(int)(p >> 16) & 0xFF, (int)(p >> 8) & 0xFF, (int)p & 0xFF};
            n += abs(got[0] - want[0]) <= 1 && abs(got[1] - want[1]) <= 1 &&
                 abs(got[2] - want[2]) <= 1;
        }
    return n;
}

size_t image_fixture_inked_border(cairo_surface_t *png)
{
    int w = cairo_image_surface_get_width(png), h = cairo_image_surface_get_height(png);
    size_t inked = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if ((x < 2 || y < 2 || x >= w - 2 || y >= h - 2) && pixel(png, x, y) != 0xFFFFFF)
                inked++;
    return inked;
}

char *image_fixture_pdf_text(const char *pdf, bool layout, const char *suite)
{
    if (!test_have_program("pdftotext")) {
        printf("%s: pdftotext not found, PDF text not checked\n", suite);
        return NULL;
    }
    char *txt = xasprintf("%s.txt", pdf);
    char *cmd = xasprintf("pdftotext %s'%s' '%s'", layout ? "-layout " : "", pdf, txt);
    ck_assert_int_eq(system(cmd), 0);
    char *text = test_read_file(txt, NULL);
    ck_assert_ptr_nonnull(text);
    free(cmd);
    free(txt);
    return text;
}
