/* The P3 chart: canvas size, the paper palette on screen, same bytes for the
 * same input in every format, nothing drawn off the canvas with the most
 * levels and buckets at small and narrow sizes, and failures that leave no
 * file behind. Shapes follow the paper's figure 2: None nearly all under
 * 50 ms, the busy levels spread to the 1850 column and over. */
#include <cairo.h>
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_fixture.h"
#include "p3chart.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

#define PAPER_BUCKETS 11
#define PAPER_LEVELS 6

static const char *const paper_labels[PAPER_BUCKETS] = {
    "50", "250", "450", "650", "850", "1050", "1250", "1450", "1650", "1850", ">1850"};
static const double paper_upper[PAPER_BUCKETS] = {50,   250,  450,  650,  850, 1050,
                                                  1250, 1450, 1650, 1850, NAN};
static const char *const paper_names[PAPER_LEVELS] = {"None", "Low",     "Medium",
                                                      "Busy", "Maximum", "Overload"};
static const double paper_pct[PAPER_LEVELS][PAPER_BUCKETS] = {
    {99.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {93, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0},
    {70, 18, 8, 3, 1, 0, 0, 0, 0, 0, 0},
    {22, 14, 12, 12, 10, 8, 7, 5, 4, 3, 3},
    {15, 12, 11, 11, 11, 10, 8, 7, 6, 5, 4},
    {10, 10, 10, 10, 11, 11, 10, 9, 8, 6, 5},
};

/* A chart's input with room for the largest case: 12 levels, 30 buckets
 * and the overflow. */
#define MAX_LEVELS 12
#define MAX_BUCKETS 31

typedef struct fixture {
    p3chart_data data;
    p3chart_level levels[MAX_LEVELS];
    double pct[MAX_LEVELS][MAX_BUCKETS];
    char names[MAX_LEVELS][16];
    char labels[MAX_BUCKETS][16];
    const char *label_ptrs[MAX_BUCKETS];
    double upper[MAX_BUCKETS];
} fixture;

/* The paper's figure 2 with its six levels. */
static void paper_fixture(fixture *f)
{
    memset(f, 0, sizeof *f);
    for (size_t j = 0; j < PAPER_LEVELS; j++) {
        memcpy(f->pct[j], paper_pct[j], sizeof paper_pct[j]);
        f->levels[j] = (p3chart_level){paper_names[j], f->pct[j], 3600};
    }
    f->data = (p3chart_data){"P3 Native Server: no virtualization", paper_labels, paper_upper,
                             PAPER_BUCKETS, f->levels, PAPER_LEVELS, 1000, NULL};
}

/* level_count levels over bucket_count buckets (the last the overflow),
 * each level peaking in a different bucket. */
static void wide_fixture(fixture *f, size_t level_count, size_t bucket_count)
{
    memset(f, 0, sizeof *f);
    for (size_t k = 0; k < bucket_count; k++) {
        f->upper[k] = 50.0 + 100.0 * (double)k;
        snprintf(f->labels[k], sizeof f->labels[k], k + 1 == bucket_count ? ">%g" : "%g",
                 k + 1 == bucket_count ? f->upper[k - 1] : f->upper[k]);
        f->label_ptrs[k] = f->labels[k];
    }
    for (size_t j = 0; j < level_count; j++) {
        double sum = 0;
        for (size_t k = 0; k < bucket_count; k++)
            sum += f->pct[j][k] = exp(-fabs((double)k - 2.5 * (double)j) / 2);
        for (size_t k = 0; k < bucket_count; k++)
            f->pct[j][k] *= 100 / sum;
        snprintf(f->names[j], sizeof f->names[j], "%zu users", 10 * (j + 1));
        f->levels[j] = (p3chart_level){f->names[j], f->pct[j], 1000 * (long long)(j + 1)};
    }
    f->data = (p3chart_data){"P3 Web Farm: 12 load levels", f->label_ptrs, f->upper,
                             bucket_count, f->levels, level_count, 1000, NULL};
}

/* The notes of shortened texts write_ok() saw last. */
static size_t last_shortened;

/* Draws f into dir/name and asserts it worked; returns the path (caller frees). */
static char *write_ok(const fixture *f, const p3chart_options *opts, const char *dir,
                      const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    diag_list *diags = diag_list_new();
    int status = p3chart_write(&f->data, opts, path, diags);
    last_shortened = test_assert_ok_but_shortened("p3chart_write", path, status, diags);
    diag_list_free(diags);
    return path;
}

/* Draws and returns the first diagnostic's text, asserting failure. */
static char *write_fails(const fixture *f, const char *path)
{
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(p3chart_write(&f->data, NULL, path, diags), STATUS_FAILURE);
    ck_assert_uint_eq(diag_list_count(diags), 1);
    const diag *d = diag_list_get(diags, 0);
    ck_assert_int_eq(d->severity, DIAG_ERROR);
    ck_assert_str_eq(d->path, path);
    char *message = xstrdup(d->message);
    diag_list_free(diags);
    return message;
}

/* Entries of dir other than . and .. */
static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

START_TEST(test_p3chart_png_has_requested_size)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.width = 800, .height = 500};
    char *sized = write_ok(&f, &opts, dir, "sized.png");
    char *dflt = write_ok(&f, NULL, dir, "default.png");
    cairo_surface_t *png = image_fixture_load_png(sized);
    ck_assert_int_eq(cairo_image_surface_get_width(png), 800);
    ck_assert_int_eq(cairo_image_surface_get_height(png), 500);
    cairo_surface_destroy(png);
    png = image_fixture_load_png(dflt);
    ck_assert_int_eq(cairo_image_surface_get_width(png), 1600);
    ck_assert_int_eq(cairo_image_surface_get_height(png), 1000);
    cairo_surface_destroy(png);
    free(sized);
    free(dflt);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_draws_each_level_in_its_paper_colour)
{
    /* Every level has a tall column, so each front face shows its colour
     * over many pixels; levels 6..11 are not in the data. */
    fixture f;
    paper_fixture(&f);
    for (size_t j = 0; j < PAPER_LEVELS; j++) {
        memset(f.pct[j], 0, sizeof f.pct[j]);
        f.pct[j][2 * j] = 70;
        f.pct[j][2 * j + 1 < PAPER_BUCKETS ? 2 * j + 1 : 0] += 30;
    }
    char *dir = test_tmpdir("p3chart");
    char *path = write_ok(&f, NULL, dir, "colours.png");
    cairo_surface_t *png = image_fixture_load_png(path);
    for (size_t j = 0; j < PAPER_LEVELS; j++) {
        double rgb[3];
        p3chart_level_rgb(j, rgb);
        size_t n = image_fixture_count_colour(png, rgb);
        ck_assert_msg(n >= 500, "level %zu colour on %zu pixels", j, n);
    }
    for (size_t j = PAPER_LEVELS; j < MAX_LEVELS; j++) {
        double rgb[3];
        p3chart_level_rgb(j, rgb);
        ck_assert_msg(image_fixture_count_colour(png, rgb) == 0,
                      "level %zu not in the data but drawn", j);
    }
    cairo_surface_destroy(png);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_palette_has_salmon_medium_and_repeats_after_twelve)
{
    double medium[3], first[3], thirteenth[3], busy[3];
    p3chart_level_rgb(2, medium);
    ck_assert_int_eq(lround(medium[0] * 255), 0xFA);
    ck_assert_int_eq(lround(medium[1] * 255), 0x80);
    ck_assert_int_eq(lround(medium[2] * 255), 0x72);
    p3chart_level_rgb(0, first);
    p3chart_level_rgb(12, thirteenth);
    ck_assert(memcmp(first, thirteenth, sizeof first) == 0);
    p3chart_level_rgb(3, busy);
    ck_assert(memcmp(medium, busy, sizeof medium) != 0);
}
END_TEST

/* The formats, by loop index. */
static const p3chart_format formats[] = {P3CHART_PNG, P3CHART_PDF, P3CHART_SVG};
static const char *const format_names[] = {"a.png", "a.pdf", "a.svg"};

START_TEST(test_p3chart_same_input_gives_same_bytes)
{
    fixture f;
    wide_fixture(&f, 8, 16);
    char *dir1 = test_tmpdir("p3chart"), *dir2 = test_tmpdir("p3chart");
    p3chart_options opts = {.format = formats[_i]};
    char *first = write_ok(&f, &opts, dir1, format_names[_i]);
    char *second = write_ok(&f, &opts, dir2, format_names[_i]);
    size_t len1, len2;
    char *bytes1 = test_read_file(first, &len1), *bytes2 = test_read_file(second, &len2);
    ck_assert_ptr_nonnull(bytes1);
    ck_assert_ptr_nonnull(bytes2);
    ck_assert_uint_gt(len1, 1000);
    ck_assert_uint_eq(len1, len2);
    ck_assert_msg(memcmp(bytes1, bytes2, len1) == 0, "%s and %s differ", first, second);
    free(bytes1);
    free(bytes2);
    free(first);
    free(second);
    free(dir1);
    free(dir2);
}
END_TEST

/* Canvas sizes for the border test: the default, and the smallest and a
 * narrow one the command line accepts. */
static const int border_sizes[][2] = {{0, 0}, {320, 200}, {700, 1000}};

START_TEST(test_p3chart_12_levels_30_buckets_leave_the_border_blank)
{
    fixture f;
    wide_fixture(&f, 12, 31);
    f.levels[0].name = "A level name far too long to stand in a legend or beside the floor";
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.width = border_sizes[_i][0], .height = border_sizes[_i][1],
                            .overflow = P3CHART_OVERFLOW_COLUMN, .format = P3CHART_PNG};
    char *path = write_ok(&f, &opts, dir, "wide.png");
    ck_assert_msg(last_shortened == 1, "the long level name is cut without a note");
    cairo_surface_t *png = image_fixture_load_png(path);
    size_t inked = image_fixture_inked_border(png);
    ck_assert_msg(inked == 0, "%zu border pixels drawn in %s", inked, path);
    /* ... and something was drawn inside. */
    double rgb[3];
    p3chart_level_rgb(11, rgb);
    ck_assert_uint_gt(image_fixture_count_colour(png, rgb), 0);
    cairo_surface_destroy(png);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_huge_title_and_invalid_utf8_render)
{
    fixture f;
    paper_fixture(&f);
    size_t len = 20000;
    char *title = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        title[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    title[len] = '\0';
    title[100] = '\xFF'; /* not UTF-8: cairo would refuse the whole drawing */
    f.data.title = title;
    f.levels[1].name = "Low\xC3(";
    char *dir = test_tmpdir("p3chart");
    size_t cut = 0;
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        p3chart_options opts = {.format = formats[i]};
        free(write_ok(&f, &opts, dir, format_names[i]));
        cut += last_shortened;
    }
    ck_assert_msg(cut == sizeof formats / sizeof *formats, "%zu notes of the cut title", cut);
    free(title);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_level_without_samples_renders_with_legend_swatch)
{
    fixture f;
    paper_fixture(&f);
    memset(f.pct[3], 0, sizeof f.pct[3]);
    f.levels[3].n = 0;
    f.levels[4].pct = NULL; /* an empty level's shares are not read */
    f.levels[4].n = 0;
    char *dir = test_tmpdir("p3chart");
    char *path = write_ok(&f, NULL, dir, "empty-level.png");
    cairo_surface_t *png = image_fixture_load_png(path);
    double busy[3];
    p3chart_level_rgb(3, busy);
    /* No column shows Busy's front colour: only the legend's swatch does. */
    size_t n = image_fixture_count_colour(png, busy);
    ck_assert_msg(n > 0 && n < 600, "Busy colour on %zu pixels", n);
    cairo_surface_destroy(png);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_clamps_shares_out_of_range)
{
    fixture bad, good;
    paper_fixture(&bad);
    paper_fixture(&good);
    bad.pct[5][0] = NAN;
    bad.pct[5][1] = -20;
    bad.pct[5][2] = INFINITY;
    good.pct[5][0] = 0;
    good.pct[5][1] = 0;
    good.pct[5][2] = 0;
    bad.pct[4][3] = 250;
    good.pct[4][3] = 100;
    char *dir = test_tmpdir("p3chart");
    char *bad_path = write_ok(&bad, NULL, dir, "bad.png");
    char *good_path = write_ok(&good, NULL, dir, "good.png");
    size_t bad_len, good_len;
    char *bad_bytes = test_read_file(bad_path, &bad_len);
    char *good_bytes = test_read_file(good_path, &good_len);
    ck_assert_uint_eq(bad_len, good_len);
    ck_assert(memcmp(bad_bytes, good_bytes, bad_len) == 0);
    free(bad_bytes);
    free(good_bytes);
    free(bad_path);
    free(good_path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_refuses_nothing_to_draw)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    char *path = xasprintf("%s/empty.png", dir);
    f.data.bucket_count = 0;
    char *message = write_fails(&f, path);
    ck_assert_msg(strstr(message, "nothing to draw") != NULL, "message: %s", message);
    free(message);
    f.data.bucket_count = 1;
    message = write_fails(&f, path);
    ck_assert_msg(strstr(message, "nothing to draw") != NULL, "message: %s", message);
    free(message);
    f.data.bucket_count = PAPER_BUCKETS;
    f.data.level_count = 0;
    message = write_fails(&f, path);
    ck_assert_msg(strstr(message, "nothing to draw") != NULL, "message: %s", message);
    free(message);
    ck_assert_uint_eq(dir_entries(dir), 0);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_unwritable_path_fails_and_leaves_no_file)
{
    fixture f;
    paper_fixture(&f);
    const char *missing = "/nonexistent-dir/x.png";
    char *message = write_fails(&f, missing);
    ck_assert_msg(strncmp(message, "cannot write chart: ", 20) == 0, "message: %s", message);
    ck_assert_int_ne(access(missing, F_OK), 0);
    free(message);

    /* The folder exists but the name is taken by a folder: the temporary
     * file is made, the rename fails, and the temporary file goes. */
    char *dir = test_tmpdir("p3chart");
    char *taken = xasprintf("%s/p3.png", dir);
    char *inside = xasprintf("%s/keep", taken);
    test_write_text(inside, "x");
    message = write_fails(&f, taken);
    ck_assert_msg(strncmp(message, "cannot write chart: ", 20) == 0, "message: %s", message);
    ck_assert_uint_eq(dir_entries(dir), 1);
    free(message);
    free(inside);
    free(taken);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_replaces_existing_file)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    char *path = xasprintf("%s/p3.png", dir);
    test_write_text(path, "an older chart");
    free(write_ok(&f, NULL, dir, "p3.png"));
    cairo_surface_t *png = image_fixture_load_png(path);
    ck_assert_int_eq(cairo_image_surface_get_width(png), 1600);
    cairo_surface_destroy(png);
    ck_assert_uint_eq(dir_entries(dir), 1);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_pdf_text_has_title_levels_and_fold_note)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.format = P3CHART_PDF};
    char *path = write_ok(&f, &opts, dir, "p3.pdf");
    char *text = image_fixture_pdf_text(path, false, "p3chart");
    if (text) {
        ck_assert_msg(strstr(text, "P3 Native Server: no virtualization") != NULL, "%s", text);
        for (size_t j = 0; j < PAPER_LEVELS; j++)
            ck_assert_msg(strstr(text, paper_names[j]) != NULL, "no %s in %s", paper_names[j],
                          text);
        ck_assert_ptr_nonnull(strstr(text, "Delays over 1850 ms are counted in the 1850 column"));
        ck_assert_ptr_null(strstr(text, ">1850"));
    }
    free(text);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_overflow_column_has_its_own_label)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.overflow = P3CHART_OVERFLOW_COLUMN, .format = P3CHART_PDF};
    char *path = write_ok(&f, &opts, dir, "p3.pdf");
    char *text = image_fixture_pdf_text(path, false, "p3chart");
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, ">1850"));
        ck_assert_ptr_null(strstr(text, "Delays over"));
    }
    free(text);
    free(path);
    free(dir);
}
END_TEST

/* ---- the colorblind palette under simulated colour-vision deficiency ---- */

/* sRGB (0..1) to linear light. */
static double srgb_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* Linear sRGB to CIELAB (D65 white). */
static void linear_to_lab(const double rgb[3], double lab[3])
{
    double r = fmin(fmax(rgb[0], 0), 1), g = fmin(fmax(rgb[1], 0), 1), b = fmin(fmax(rgb[2], 0), 1);
    double xyz[3] = {(0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
                     0.2126729 * r + 0.7152200 * g + 0.0721750 * b,
                     (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883};
    double f[3];
    for (int i = 0; i < 3; i++)
        f[i] = xyz[i] > 216.0 / 24389 ? cbrt(xyz[i]) : (24389.0 / 27 * xyz[i] + 16) / 116;
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

/* CIEDE2000 colour difference (Sharma, Wu and Dalal 2005, with kL = kC =
 * kH = 1). */
static double ciede2000(const double l1[3], const double l2[3])
{
    const double deg = M_PI / 180;
    double c1 = hypot(l1[1], l1[2]), c2 = hypot(l2[1], l2[2]), cb = (c1 + c2) / 2;
    double g = 0.5 * (1 - sqrt(pow(cb, 7) / (pow(cb, 7) + pow(25, 7))));
    double a1 = (1 + g) * l1[1], a2 = (1 + g) * l2[1];
    double cp1 = hypot(a1, l1[2]), cp2 = hypot(a2, l2[2]);
    double h1 = cp1 == 0 ? 0 : fmod(atan2(l1[2], a1) / deg + 360, 360);
    double h2 = cp2 == 0 ? 0 : fmod(atan2(l2[2], a2) / deg + 360, 360);
    double dl = l2[0] - l1[0], dc = cp2 - cp1, dh = 0;
    if (cp1 * cp2 != 0) {
        dh = h2 - h1;
        if (dh > 180)
            dh -= 360;
        else if (dh < -180)
            dh += 360;
    }
    double dH = 2 * sqrt(cp1 * cp2) * sin(dh / 2 * deg);
    double lb = (l1[0] + l2[0]) / 2, cpb = (cp1 + cp2) / 2, hb = h1 + h2;
    if (cp1 * cp2 != 0) {
        if (fabs(h1 - h2) <= 180)
            hb = (h1 + h2) / 2;
        else
            hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    }
    double t = 1 - 0.17 * cos((hb - 30) * deg) + 0.24 * cos(2 * hb * deg) +
               0.32 * cos((3 * hb + 6) * deg) - 0.20 * cos((4 * hb - 63) * deg);
    double dtheta = 30 * exp(-pow((hb - 275) / 25, 2));
    double rc = 2 * sqrt(pow(cpb, 7) / (pow(cpb, 7) + pow(25, 7)));
    double sl = 1 + 0.015 * pow(lb - 50, 2) / sqrt(20 + pow(lb - 50, 2));
    double sc = 1 + 0.045 * cpb, sh = 1 + 0.015 * cpb * t;
    double rt = -sin(2 * dtheta * deg) * rc;
    return sqrt(pow(dl / sl, 2) + pow(dc / sc, 2) + pow(dH / sh, 2) + rt * (dc / sc) * (dH / sh));
}

/* Machado, Oliveira and Fernandes, "A Physiologically-based Model for
 * Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009: their
 * matrices for severity 1 (dichromacy), applied to linear RGB. The first
 * is normal vision. */
static const double vision[4][3][3] = {
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
    {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}},
};
static const char *const vision_names[4] = {"normal vision", "protanopia", "deuteranopia",
                                            "tritanopia"};

/* The colour of a level as seen with vision v, in CIELAB. */
static void seen_as(p3chart_palette palette, size_t level, int v, double lab[3])
{
    double rgb[3], lin[3], sim[3];
    p3chart_palette_rgb(palette, level, rgb);
    for (int i = 0; i < 3; i++)
        lin[i] = srgb_linear(rgb[i]);
    for (int i = 0; i < 3; i++)
        sim[i] = vision[v][i][0] * lin[0] + vision[v][i][1] * lin[1] + vision[v][i][2] * lin[2];
    linear_to_lab(sim, lab);
}

START_TEST(test_p3chart_ciede2000_matches_published_pairs)
{
    /* Pairs 1, 7 and 17 of Sharma, Wu and Dalal's test data. */
    const double pairs[3][2][3] = {{{50, 2.6772, -79.7751}, {50, 0, -82.7485}},
                                   {{50, 0, 0}, {50, -1, 2}},
                                   {{50, 2.5, 0}, {73, 25, -18}}};
    const double want[3] = {2.0425, 2.3669, 27.1492};
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(ciede2000(pairs[i][0], pairs[i][1]), want[i], 1e-4);
}
END_TEST

/* Two level colours closer than this CIEDE2000 difference are too alike
 * to tell apart in a chart's columns and legend (1 is a just noticeable
 * difference; categorical palettes aim at 10 and more). */
#define DISTINCT_DE 10.0

START_TEST(test_p3chart_colorblind_palette_stays_apart_under_colour_vision_deficiency)
{
    for (int v = 0; v < 4; v++) {
        double worst = INFINITY;
        size_t wi = 0, wj = 0;
        for (size_t i = 0; i < 12; i++) {
            for (size_t j = i + 1; j < 12; j++) {
                double a[3], b[3];
                seen_as(P3CHART_PALETTE_COLORBLIND, i, v, a);
                seen_as(P3CHART_PALETTE_COLORBLIND, j, v, b);
                double de = ciede2000(a, b);
                if (de < worst)
                    worst = de, wi = i, wj = j;
            }
        }
        ck_assert_msg(worst >= DISTINCT_DE, "%s: levels %zu and %zu only %.2f apart",
                      vision_names[v], wi, wj, worst);
    }
    /* The paper palette makes no such promise, and does not keep it:
     * the test can tell a palette that fails. */
    double worst = INFINITY;
    for (size_t i = 0; i < 6; i++)
        for (size_t j = i + 1; j < 6; j++) {
            double a[3], b[3];
            seen_as(P3CHART_PALETTE_PAPER, i, 1, a);
            seen_as(P3CHART_PALETTE_PAPER, j, 1, b);
            worst = fmin(worst, ciede2000(a, b));
        }
    ck_assert_double_lt(worst, DISTINCT_DE);
}
END_TEST

START_TEST(test_p3chart_draws_the_colorblind_palette_when_asked)
{
    fixture f;
    paper_fixture(&f);
    for (size_t j = 0; j < PAPER_LEVELS; j++) {
        memset(f.pct[j], 0, sizeof f.pct[j]);
        f.pct[j][2 * j] = 70;
        f.pct[j][2 * j + 1 < PAPER_BUCKETS ? 2 * j + 1 : 0] += 30;
    }
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.palette = P3CHART_PALETTE_COLORBLIND};
    char *path = write_ok(&f, &opts, dir, "cb.png");
    cairo_surface_t *png = image_fixture_load_png(path);
    for (size_t j = 0; j < PAPER_LEVELS; j++) {
        double cb[3], paper[3];
        p3chart_palette_rgb(P3CHART_PALETTE_COLORBLIND, j, cb);
        p3chart_level_rgb(j, paper);
        size_t n = image_fixture_count_colour(png, cb);
        ck_assert_msg(n >= 500, "level %zu colorblind colour on %zu pixels", j, n);
        ck_assert_msg(image_fixture_count_colour(png, paper) == 0, "level %zu paper colour drawn",
                      j);
    }
    cairo_surface_destroy(png);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_p3chart_dpi_scales_the_png_and_leaves_vectors_alone)
{
    fixture f;
    paper_fixture(&f);
    char *dir = test_tmpdir("p3chart");
    p3chart_options opts = {.width = 800, .height = 500, .dpi = 300};
    char *path = write_ok(&f, &opts, dir, "print.png");
    cairo_surface_t *png = image_fixture_load_png(path);
    ck_assert_int_eq(cairo_image_surface_get_width(png), 2500);
    ck_assert_int_eq(cairo_image_surface_get_height(png), 1563);
    cairo_surface_destroy(png);
    free(path);
    opts.format = P3CHART_SVG;
    path = write_ok(&f, &opts, dir, "print.svg");
    char *svg = test_read_file(path, NULL);
    ck_assert_msg(strstr(svg, "width=\"800pt\" height=\"500pt\""), "%.300s", svg);
    free(svg);
    free(path);
    free(dir);
}
END_TEST

Suite *p3chart_suite(void)
{
    Suite *s = suite_create("p3chart");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_p3chart_png_has_requested_size);
    tcase_add_test(tc, test_p3chart_draws_each_level_in_its_paper_colour);
    tcase_add_test(tc, test_p3chart_palette_has_salmon_medium_and_repeats_after_twelve);
    tcase_add_loop_test(tc, test_p3chart_same_input_gives_same_bytes, 0,
                        (int)(sizeof formats / sizeof *formats));
    tcase_add_loop_test(tc, test_p3chart_12_levels_30_buckets_leave_the_border_blank, 0,
                        (int)(sizeof border_sizes / sizeof *border_sizes));
    tcase_add_test(tc, test_p3chart_huge_title_and_invalid_utf8_render);
    tcase_add_test(tc, test_p3chart_level_without_samples_renders_with_legend_swatch);
    tcase_add_test(tc, test_p3chart_clamps_shares_out_of_range);
    tcase_add_test(tc, test_p3chart_refuses_nothing_to_draw);
    tcase_add_test(tc, test_p3chart_unwritable_path_fails_and_leaves_no_file);
    tcase_add_test(tc, test_p3chart_replaces_existing_file);
    tcase_add_test(tc, test_p3chart_pdf_text_has_title_levels_and_fold_note);
    tcase_add_test(tc, test_p3chart_overflow_column_has_its_own_label);
    tcase_add_test(tc, test_p3chart_ciede2000_matches_published_pairs);
    tcase_add_test(tc, test_p3chart_colorblind_palette_stays_apart_under_colour_vision_deficiency);
    tcase_add_test(tc, test_p3chart_draws_the_colorblind_palette_when_asked);
    tcase_add_test(tc, test_p3chart_dpi_scales_the_png_and_leaves_vectors_alone);
    suite_add_tcase(s, tc);
    return s;
}
