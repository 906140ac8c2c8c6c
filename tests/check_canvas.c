/* The canvas's PNG encoder (canvas_png.c), read back by libpng through
 * cairo and by zlib: every pixel of noise, flat areas, stripes and
 * gradients comes back exactly, at sizes around the encoder's edges (fewer
 * rows than bands, one pixel, rows longer than deflate's window, one band
 * or four); the image data is the unfiltered rows as one zlib stream; a
 * P3 chart comes out no larger than zlib level 1 makes the same rows; the
 * same pixels give the same bytes; and memory that runs out at any of the
 * encoder's allocations fails the encoding cleanly, leaking nothing, with
 * "cannot write chart: out of memory" and no file left. */
#include <cairo.h>
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "canvas.h"
#include "canvas_png.h"
#include "image_fixture.h"
#include "p3chart.h"
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

/* Row y of an RGB24 image. */
static const uint32_t *image_row(cairo_surface_t *img, int y)
{
    return (const uint32_t *)(const void *)(cairo_image_surface_get_data(img) +
                                            (size_t)y * (size_t)cairo_image_surface_get_stride(img));
}

/* Fails the test at the first pixel of got that differs from want. One
 * assertion for the whole image: Check records every assertion that
 * passes, which for each row of a large image outlasts the timeout under
 * the sanitizers. */
static void assert_same_pixels(cairo_surface_t *want, cairo_surface_t *got, const char *what)
{
    int w = cairo_image_surface_get_width(want), h = cairo_image_surface_get_height(want);
    ck_assert_int_eq(cairo_image_surface_get_width(got), w);
    ck_assert_int_eq(cairo_image_surface_get_height(got), h);
    int x = w, y = 0;
    for (; y < h && x == w; y++) {
        const uint32_t *a = image_row(want, y), *b = image_row(got, y);
        x = 0;
        while (x < w && (a[x] & 0xFFFFFF) == (b[x] & 0xFFFFFF))
            x++;
    }
    ck_assert_msg(x == w, "%s: pixel (%d, %d) is %06X, drew %06X", what, x, y - 1,
                  x < w ? (unsigned)(image_row(got, y - 1)[x] & 0xFFFFFF) : 0u,
                  x < w ? (unsigned)(image_row(want, y - 1)[x] & 0xFFFFFF) : 0u);
}

/* Width and height: one pixel; fewer rows than bands; a row shorter than a
 * match; ordinary, one band; a row of 33,001 bytes, longer than deflate's
 * window; four bands of 500 rows, each starting from 37 rows of dictionary;
 * four bands of rows longer than the window; four bands of two or three
 * rows of 96,001 bytes. */
static const int sizes[][2] = {{1, 1},      {5, 3},     {1, 9},       {40, 7},   {257, 64},
                               {1600, 40}, {11000, 6}, {300, 2000}, {11000, 40}, {32000, 9}};
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

/* The image as PNG rows without filtering: a 0, then R, G, B of each
 * pixel. Sets *len; caller frees. */
static unsigned char *png_rows(cairo_surface_t *img, size_t *len)
{
    cairo_surface_flush(img);
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    size_t row_len = 1 + 3 * (size_t)w;
    unsigned char *rows = xmalloc(row_len * (size_t)h), *to = rows;
    for (int y = 0; y < h; y++) {
        const uint32_t *px = image_row(img, y);
        *to++ = 0;
        for (int x = 0; x < w; x++) {
            *to++ = (unsigned char)(px[x] >> 16);
            *to++ = (unsigned char)(px[x] >> 8);
            *to++ = (unsigned char)px[x];
        }
    }
    *len = row_len * (size_t)h;
    return rows;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The zlib stream of a PNG file: its IDAT chunks' data, joined. NULL, with
 * *why set, when the file is not signature, IHDR, pHYs, IDAT chunks of at
 * most 256 KiB with right CRCs, IEND. Caller frees. */
static unsigned char *png_idat(const unsigned char *png, size_t len, size_t *zlen, const char **why)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static const char order[4][4] = {"IHDR", "pHYs", "IDAT", "IEND"};
    unsigned char *z = NULL;
    *zlen = 0;
    *why = NULL;
    if (len < 8 || memcmp(png, signature, 8) != 0) {
        *why = "no PNG signature";
        return NULL;
    }
    size_t at = 8;
    int stage = -1; /* the place in order of the last chunk; only IDAT repeats */
    while (!*why && at + 12 <= len) {
        size_t n = get_be32(png + at);
        if (n > len - at - 12) {
            *why = "chunk runs past the end";
            break;
        }
        const unsigned char *type = png + at + 4, *data = png + at + 8;
        uint32_t crc = get_be32(png + at + 8 + n);
        int place = 0;
        while (place < 4 && memcmp(type, order[place], 4) != 0)
            place++;
        if (crc != (uint32_t)crc32(crc32(0, Z_NULL, 0), type, (uInt)(n + 4)))
            *why = "wrong CRC";
        else if (place == 4 || place < stage || place > stage + 1 || (place == stage && place != 2))
            *why = "chunks out of order";
        else if (place == 2 && n > 256 * 1024)
            *why = "IDAT chunk over 256 KiB";
        if (!*why && place == 2) {
            z = xrealloc(z, *zlen + n + 1);
            memcpy(z + *zlen, data, n);
            *zlen += n;
        }
        stage = place;
        at += 12 + n;
        if (place == 3)
            break;
    }
    if (!*why && (stage != 3 || at != len))
        *why = "no IEND at the end";
    if (*why) {
        free(z);
        return NULL;
    }
    return z;
}

/* The paper's figure 2 (check_p3chart.c has the same) as a P3 chart. */
static const char *const paper_labels[] = {"50",   "250",  "450",  "650",  "850", "1050",
                                           "1250", "1450", "1650", "1850", ">1850"};
static const double paper_upper[] = {50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850, NAN};
static const double paper_pct[6][11] = {
    {99.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0},     {93, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0},
    {70, 18, 8, 3, 1, 0, 0, 0, 0, 0, 0},        {22, 14, 12, 12, 10, 8, 7, 5, 4, 3, 3},
    {15, 12, 11, 11, 11, 10, 8, 7, 6, 5, 4},    {10, 10, 10, 10, 11, 11, 10, 9, 8, 6, 5},
};
static const char *const paper_names[] = {"None", "Low", "Medium", "Busy", "Maximum", "Overload"};

/* 1600 x 1000 and 800 x 500 (four bands), 12 levels: */
static const int chart_sizes[][3] = {{1600, 1000, 6}, {800, 500, 6}, {1600, 1000, 12}};
#define CHART_SIZES (sizeof chart_sizes / sizeof *chart_sizes)

START_TEST(test_canvas_png_chart_is_no_larger_than_zlib_level_1)
{
    int w = chart_sizes[_i][0], h = chart_sizes[_i][1];
    size_t level_count = (size_t)chart_sizes[_i][2];
    p3chart_level levels[12];
    char names[12][16];
    for (size_t j = 0; j < level_count; j++) {
        snprintf(names[j], sizeof names[j], "%s", j < 6 ? paper_names[j] : "Beyond");
        levels[j] = (p3chart_level){names[j], paper_pct[j % 6], 3600 + 100 * (long long)j};
    }
    p3chart_data data = {"P3 Native Server: no virtualization", paper_labels, paper_upper, 11,
                         levels, level_count, 1000, NULL};
    canvas *cv = canvas_new(CANVAS_PNG, w, h, CANVAS_DEFAULT_DPI, NULL);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(p3chart_draw(canvas_cairo(cv), &data, NULL, w, h, diags), STATUS_OK);
    size_t raw_len;
    unsigned char *raw = png_rows(cairo_get_target(canvas_cairo(cv)), &raw_len);
    char *dir = test_tmpdir("canvas");
    char *path = xasprintf("%s/p3-%dx%d.png", dir, w, h);
    test_assert_ok("canvas_write", path, canvas_write(cv, path, "chart", diags), diags);
    canvas_free(cv);
    diag_list_free(diags);

    size_t len, zlen;
    const char *why;
    unsigned char *png = (unsigned char *)test_read_file(path, &len);
    ck_assert_ptr_nonnull(png);
    unsigned char *z = png_idat(png, len, &zlen, &why);
    ck_assert_msg(z != NULL, "%s: %s", path, why);
    /* The image data is the unfiltered rows, Adler-32 and all. */
    uLongf back_len = (uLongf)raw_len;
    unsigned char *back = xmalloc(raw_len + 1);
    ck_assert_int_eq(uncompress(back, &back_len, z, (uLong)zlen), Z_OK);
    ck_assert_msg(back_len == raw_len && memcmp(back, raw, raw_len) == 0,
                  "%s does not inflate to the chart's unfiltered rows", path);
    uLongf level1_len = compressBound((uLong)raw_len);
    unsigned char *level1 = xmalloc(level1_len);
    ck_assert_int_eq(compress2(level1, &level1_len, raw, (uLong)raw_len, 1), Z_OK);
    ck_assert_msg(zlen <= level1_len, "%s: image data of %zu bytes, zlib level 1 makes %lu", path,
                  zlen, (unsigned long)level1_len);
    free(level1);
    free(back);
    free(z);
    free(png);
    free(raw);
    free(path);
    free(dir);
}
END_TEST

/* ---- memory that runs out ---- */

/* An allocator that counts what it hands out and refuses the fail_at-th
 * request (1 is the first; 0 refuses none), or every request from it on
 * (fail_after). The encoder calls it from its threads. */
typedef struct counting_memory {
    pthread_mutex_t lock;
    long requests;     /* allocations asked for so far */
    long live;         /* blocks handed out and not given back */
    long fail_at;
    bool fail_after;
} counting_memory;

static void *counting_alloc(void *opaque, size_t size)
{
    counting_memory *m = opaque;
    pthread_mutex_lock(&m->lock);
    long n = ++m->requests;
    bool refuse = m->fail_at > 0 && (m->fail_after ? n >= m->fail_at : n == m->fail_at);
    void *block = refuse ? NULL : malloc(size);
    m->live += block != NULL;
    pthread_mutex_unlock(&m->lock);
    return block;
}

static void counting_free(void *opaque, void *block)
{
    counting_memory *m = opaque;
    pthread_mutex_lock(&m->lock);
    m->live -= block != NULL;
    pthread_mutex_unlock(&m->lock);
    free(block);
}

/* Encodes img through a counting allocator that refuses as asked; fills
 * *m and returns what the encoder did, the file freed. */
static bool encode_counting(cairo_surface_t *img, counting_memory *m, long fail_at,
                            bool fail_after, const char **reason, unsigned char **copy,
                            size_t *len)
{
    *m = (counting_memory){.fail_at = fail_at, .fail_after = fail_after};
    pthread_mutex_init(&m->lock, NULL);
    canvas_png_memory mem = {counting_alloc, counting_free, m};
    unsigned char *png = NULL;
    bool ok = canvas_png_encode(img, 96, &mem, &png, len, reason);
    if (copy)
        *copy = ok ? xmalloc(*len) : NULL;
    if (ok && copy)
        memcpy(*copy, png, *len);
    if (png)
        counting_free(m, png);
    pthread_mutex_destroy(&m->lock);
    return ok && png != NULL;
}

START_TEST(test_canvas_png_same_pixels_give_same_bytes_whatever_the_memory)
{
    cairo_surface_t *img = pattern_image(BLOCKS, 600, 900);
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    const char *reason;
    ck_assert(canvas_png_encode(img, 96, NULL, &a, &alen, &reason));
    counting_memory m;
    ck_assert(encode_counting(img, &m, 0, false, &reason, &b, &blen));
    ck_assert_msg(alen == blen && memcmp(a, b, alen) == 0, "the two encodings differ");
    ck_assert_int_eq(m.live, 0);
    free(a);
    free(b);
    cairo_surface_destroy(img);
}
END_TEST

/* Refuses each of the encoder's allocations in turn, alone (_i 0) or with
 * every one after it (_i 1), on an image of four bands: each encoding must
 * fail saying "out of memory", hand back no file and give back every block
 * it took, zlib's included. */
START_TEST(test_canvas_png_fails_cleanly_when_memory_runs_out)
{
    bool fail_after = _i == 1;
    cairo_surface_t *img = pattern_image(GRADIENT, 600, 900);
    counting_memory m;
    const char *reason;
    size_t len;
    ck_assert(encode_counting(img, &m, 0, false, &reason, NULL, &len));
    long requests = m.requests;
    /* Each band's buffers and zlib's state for it, and the file. */
    ck_assert_msg(requests > 4 * 3, "only %ld allocations", requests);
    long wrong = 0, first_wrong = 0;
    char what[160] = "";
    for (long k = 1; k <= requests; k++) {
        bool ok = encode_counting(img, &m, k, fail_after, &reason, NULL, &len);
        bool right = !ok && reason && strcmp(reason, "out of memory") == 0 && m.live == 0;
        if (!right && wrong++ == 0) {
            first_wrong = k;
            snprintf(what, sizeof what, "%s, reason \"%s\", %ld blocks not given back",
                     ok ? "succeeded" : "failed", reason ? reason : "(none)", m.live);
        }
    }
    ck_assert_msg(wrong == 0, "%ld of %ld refusals went wrong, the first (allocation %ld): %s",
                  wrong, requests, first_wrong, what);
    cairo_surface_destroy(img);
}
END_TEST

/* What canvas_write() says when the encoder fails, and that it leaves
 * nothing behind: canvas_write() is canvas_png_write() with malloc(). */
START_TEST(test_canvas_png_write_says_out_of_memory_and_leaves_no_file)
{
    cairo_surface_t *img = pattern_image(STRIPES, 300, 200);
    char *dir = test_tmpdir("canvas");
    char *path = xasprintf("%s/chart.png", dir);
    counting_memory m = {.fail_at = 1, .fail_after = true};
    pthread_mutex_init(&m.lock, NULL);
    canvas_png_memory mem = {counting_alloc, counting_free, &m};
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(canvas_png_write(img, 96, &mem, path, "chart", diags), STATUS_FAILURE);
    char *prefix = xasprintf("%s/", dir);
    char *text = test_diag_text(diags, prefix);
    ck_assert_str_eq(text, "chart.png: error: cannot write chart: out of memory\n");
    ck_assert_int_eq(m.live, 0);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t entries = 0;
    for (struct dirent *e; (e = readdir(d));)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    ck_assert_msg(entries == 0, "%zu files left in %s", entries, dir);
    /* The same with memory to spare writes the file. */
    m.fail_at = 0;
    diag_list_clear(diags);
    test_assert_ok("canvas_png_write", path, canvas_png_write(img, 96, &mem, path, "chart", diags),
                   diags);
    cairo_surface_t *back = image_fixture_load_png(path);
    assert_same_pixels(img, back, "300x200 stripes");
    ck_assert_int_eq(m.live, 0);
    pthread_mutex_destroy(&m.lock);
    cairo_surface_destroy(back);
    diag_list_free(diags);
    free(text);
    free(prefix);
    free(path);
    free(dir);
    cairo_surface_destroy(img);
}
END_TEST

/* A text cut with an ellipsis is never cut without a word: the file
 * written gets a note counting the cut texts and naming the first whole;
 * texts that fit leave none. In every format. */
START_TEST(test_canvas_notes_every_text_it_shortened)
{
    static const canvas_format formats[] = {CANVAS_PNG, CANVAS_PDF, CANVAS_SVG};
    static const char *const ext[] = {"png", "pdf", "svg"};
    char *dir = test_tmpdir("canvas-cut");
    char *got = xstrdup("");
    for (size_t f = 0; f < 3; f++) {
        for (int cut = 0; cut < 2; cut++) {
            canvas *cv = canvas_new(formats[f], 400, 200, CANVAS_DEFAULT_DPI, NULL);
            cairo_t *cr = canvas_cairo(cv);
            canvas_font(cr, 12, CANVAS_REGULAR);
            char *a = canvas_ellipsize(cr, "fits", 300);
            char *b = canvas_ellipsize(cr, "a level name far too long for forty units", cut ? 40 : 1000);
            char *c = canvas_ellipsize(cr, "another one cut", cut ? 30 : 1000);
            char *path = xasprintf("%s/cut%d.%s", dir, cut, ext[f]);
            diag_list *diags = diag_list_new();
            int status = canvas_write(cv, path, "chart", diags);
            char *prefix = xasprintf("%s/", dir);
            char *text = test_diag_text(diags, prefix);
            char *next = xasprintf("%s%d %s", got, status, text);
            free(got);
            got = next;
            free(text), free(prefix), free(path), free(a), free(b), free(c);
            diag_list_free(diags);
            canvas_free(cv);
        }
    }
    ck_assert_str_eq(got, "0 0 cut1.png: note: 2 texts shortened with an ellipsis to fit, the first "
                          "'a level name far too long for forty units'\n"
                          "0 0 cut1.pdf: note: 2 texts shortened with an ellipsis to fit, the first "
                          "'a level name far too long for forty units'\n"
                          "0 0 cut1.svg: note: 2 texts shortened with an ellipsis to fit, the first "
                          "'a level name far too long for forty units'\n");
    free(got);
    free(dir);
}
END_TEST

Suite *canvas_suite(void)
{
    Suite *s = suite_create("canvas");
    TCase *tc = tcase_create("png");
    tcase_add_loop_test(tc, test_canvas_png_reads_back_every_pixel, 0, (int)SIZES);
    tcase_add_test(tc, test_canvas_png_flat_area_compresses_to_a_hundredth);
    tcase_add_loop_test(tc, test_canvas_png_chart_is_no_larger_than_zlib_level_1, 0,
                        (int)CHART_SIZES);
    tcase_add_test(tc, test_canvas_png_same_pixels_give_same_bytes_whatever_the_memory);
    tcase_add_loop_test(tc, test_canvas_png_fails_cleanly_when_memory_runs_out, 0, 2);
    tcase_add_test(tc, test_canvas_png_write_says_out_of_memory_and_leaves_no_file);
    tcase_add_test(tc, test_canvas_notes_every_text_it_shortened);
    suite_add_tcase(s, tc);
    return s;
}
