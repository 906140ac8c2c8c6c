/* The canvas's own PNG encoder, read back by libpng through cairo: every
 * pixel of noise, flat areas, stripes and gradients comes back exactly, at
 * sizes around the encoder's edges (fewer rows than bands, one pixel, rows
 * too long for a distance back to the row above); flat areas compress to
 * almost nothing. */
#include <cairo.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "canvas.h"
#include "image_fixture.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

typedef enum pattern { NOISE, FLAT, STRIPES, GRADIENT, BLOCKS, PATTERNS } pattern;

static uint32_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state >> 8);
}

/* An RGB24 image of width x height in pattern p. */
static cairo_surface_t *pattern_image(pattern p, int width, int height)
{
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    ck_assert_int_eq(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    uint64_t state = 0x9E3779B97F4A7C15u ^ (uint64_t)(width * 31 + height);
    uint32_t block = 0;
    for (int y = 0; y < height; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            uint32_t v = 0;
            switch (p) {
            case NOISE: v = next_random(&state); break;
            case FLAT: v = 0xF1F2F4; break;
            case STRIPES: v = (x / 3 + y / 2) % 2 ? 0x203040 : 0xFFFFFF; break;
            case GRADIENT: v = (uint32_t)((x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x80); break;
            case BLOCKS:
                if (x % 7 == 0)
                    block = next_random(&state) % 5 ? block : next_random(&state);
                v = block;
                break;
            default: break;
            }
            row[x] = v & 0xFFFFFF;
        }
    }
    cairo_surface_mark_dirty(img);
    return img;
}

/* Draws img on a PNG canvas of its size, writes it and reads it back. */
static cairo_surface_t *round_trip(cairo_surface_t *img, const char *path, off_t *size)
{
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    canvas *cv = canvas_new(CANVAS_PNG, w, h, CANVAS_DEFAULT_DPI, NULL);
    cairo_t *cr = canvas_cairo(cv);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(canvas_write(cv, path, "image", diags), STATUS_OK);
    canvas_free(cv);
    diag_list_free(diags);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    *size = st.st_size;
    return image_fixture_load_png(path);
}

static void assert_same_pixels(cairo_surface_t *want, cairo_surface_t *got, const char *what)
{
    int w = cairo_image_surface_get_width(want), h = cairo_image_surface_get_height(want);
    ck_assert_int_eq(cairo_image_surface_get_width(got), w);
    ck_assert_int_eq(cairo_image_surface_get_height(got), h);
    for (int y = 0; y < h; y++) {
        const uint32_t *a = (const uint32_t *)(const void *)(cairo_image_surface_get_data(want) +
                                                             (size_t)y * (size_t)cairo_image_surface_get_stride(want));
        const uint32_t *b = (const uint32_t *)(const void *)(cairo_image_surface_get_data(got) +
                                                             (size_t)y * (size_t)cairo_image_surface_get_stride(got));
        /* One assertion per row: Check records every assertion that
         * passes, which for each of a million pixels outlasts the timeout
         * under the sanitizers. */
        int x = 0;
        while (x < w && (a[x] & 0xFFFFFF) == (b[x] & 0xFFFFFF))
            x++;
        ck_assert_msg(x == w, "%s: pixel (%d, %d) is %06X, drew %06X", what, x, y,
                      x < w ? (unsigned)(b[x] & 0xFFFFFF) : 0u,
                      x < w ? (unsigned)(a[x] & 0xFFFFFF) : 0u);
    }
}

/* Width and height: one pixel; fewer rows than bands; a row shorter than a
 * match; ordinary; a row of 33,001 bytes, too far back for deflate. */
static const int sizes[][2] = {{1, 1}, {5, 3}, {1, 9}, {40, 7}, {257, 64}, {1600, 40}, {11000, 6}};
#define SIZES (sizeof sizes / sizeof *sizes)

START_TEST(test_canvas_png_reads_back_every_pixel)
{
    int w = sizes[_i][0], h = sizes[_i][1];
    char *dir = test_tmpdir("canvas");
    for (int p = 0; p < PATTERNS; p++) {
        char *path = xasprintf("%s/%dx%d-%d.png", dir, w, h, p);
        char *what = xasprintf("%dx%d pattern %d", w, h, p);
        cairo_surface_t *img = pattern_image((pattern)p, w, h);
        off_t size;
        cairo_surface_t *back = round_trip(img, path, &size);
        assert_same_pixels(img, back, what);
        cairo_surface_destroy(back);
        cairo_surface_destroy(img);
        free(what);
        free(path);
    }
    free(dir);
}
END_TEST

START_TEST(test_canvas_png_flat_area_compresses_to_a_hundredth)
{
    char *dir = test_tmpdir("canvas");
    char *path = xasprintf("%s/flat.png", dir);
    cairo_surface_t *img = pattern_image(FLAT, 1600, 1000);
    off_t size;
    cairo_surface_t *back = round_trip(img, path, &size);
    assert_same_pixels(img, back, "flat 1600x1000");
    off_t raw = 1000 * (1 + 3 * 1600);
    ck_assert_msg(size < raw / 100, "flat image of %jd bytes took %jd", (intmax_t)raw,
                  (intmax_t)size);
    cairo_surface_destroy(back);
    cairo_surface_destroy(img);
    free(path);
    free(dir);
}
END_TEST

Suite *canvas_suite(void)
{
    Suite *s = suite_create("canvas");
    TCase *tc = tcase_create("png");
    tcase_add_loop_test(tc, test_canvas_png_reads_back_every_pixel, 0, (int)SIZES);
    tcase_add_test(tc, test_canvas_png_flat_area_compresses_to_a_hundredth);
    suite_add_tcase(s, tc);
    return s;
}
