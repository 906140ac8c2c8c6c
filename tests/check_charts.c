/* The companion charts (percentile ladder, cumulative distribution, CPU
 * truth, delay against useful work) and the driver that writes every chart
 * of a run: sizes and resolution, the level colours on screen in either
 * palette, same bytes for the same results in every format, nothing drawn
 * off the canvas with twelve levels, long names and small canvases, what
 * the charts say when a run lacks CPU figures or samples, and the text
 * helpers they share (wrapping, cutting). Results come from fixture stores
 * (tests/results_fixture.c) read back through results_read(). */
#include <cairo.h>
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canvas.h"
#include "charts.h"
#include "image_fixture.h"
#include "render.h"
#include "results.h"
#include "results_fixture.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* The runs of a fixture store, read back as the driver reads them. */
typedef struct loaded {
    char *dir, *db_path;
    sqlite3 *db;
    results_run *runs;
    size_t count;
} loaded;

static loaded load(const fixture_run *runs, size_t count)
{
    loaded l = {.dir = test_tmpdir("charts")};
    l.db_path = xasprintf("%s/p3.db", l.dir);
    fixture_store(l.db_path, runs, count);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(l.db_path, STORE_READ_ONLY, &l.db, diags), STATUS_OK);
    ck_assert_int_eq(results_read(l.db, NULL, &l.runs, &l.count, diags), STATUS_OK);
    ck_assert_uint_eq(l.count, count);
    diag_list_free(diags);
    return l;
}

static void unload(loaded *l)
{
    results_free(l->runs, l->count);
    store_close(l->db);
    free(l->db_path);
    free(l->dir);
}

/* The notes of shortened texts write_ok() saw last. */
static size_t last_shortened;

/* Writes chart kind of run into dir/name and asserts it worked; returns
 * the path (caller frees). */
static char *write_ok(charts_kind kind, const results_run *run, const charts_options *opts,
                      const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    diag_list *diags = diag_list_new();
    int status = charts_write(kind, run, opts, path, diags);
    last_shortened = test_assert_ok_but_shortened("charts_write", path, status, diags);
    diag_list_free(diags);
    return path;
}

static const charts_kind kinds[] = {CHARTS_LADDER, CHARTS_CDF, CHARTS_CPU, CHARTS_USEFUL};
#define KIND_COUNT (int)(sizeof kinds / sizeof *kinds)

START_TEST(test_charts_png_has_requested_size_and_resolution)
{
    fixture_run run = fixture_default("sized");
    run.cpu = true;
    loaded l = load(&run, 1);
    charts_options sized = {.width = 800, .height = 500};
    charts_options sharp = {.width = 800, .height = 500, .dpi = 192};
    char *a = write_ok(kinds[_i], &l.runs[0], NULL, l.dir, "default.png");
    char *b = write_ok(kinds[_i], &l.runs[0], &sized, l.dir, "sized.png");
    char *c = write_ok(kinds[_i], &l.runs[0], &sharp, l.dir, "sharp.png");
    const int want[3][2] = {{1600, 1000}, {800, 500}, {1600, 1000}};
    const char *paths[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        cairo_surface_t *png = image_fixture_load_png(paths[i]);
        ck_assert_int_eq(cairo_image_surface_get_width(png), want[i][0]);
        ck_assert_int_eq(cairo_image_surface_get_height(png), want[i][1]);
        cairo_surface_destroy(png);
    }
    /* The PNG says its resolution: 192 dpi is 7559 pixels a metre. */
    size_t len;
    char *bytes = test_read_file(c, &len);
    const unsigned char phys[] = {'p', 'H', 'Y', 's', 0, 0, 0x1D, 0x87, 0, 0, 0x1D, 0x87, 1};
    bool found = false;
    for (size_t i = 0; i + sizeof phys <= len && !found; i++)
        found = memcmp(bytes + i, phys, sizeof phys) == 0;
    ck_assert_msg(found, "no 192 dpi pHYs chunk in %s", c);
    free(bytes);
    free(a);
    free(b);
    free(c);
    unload(&l);
}
END_TEST

static const canvas_format formats[] = {CANVAS_PNG, CANVAS_PDF, CANVAS_SVG};
static const char *const format_names[] = {"a.png", "a.pdf", "a.svg"};

START_TEST(test_charts_same_results_give_same_bytes)
{
    fixture_run run = fixture_default("same");
    run.cpu = true;
    loaded l = load(&run, 1);
    charts_options opts = {.format = formats[_i]};
    char *dir2 = test_tmpdir("charts");
    for (int k = 0; k < KIND_COUNT; k++) {
        char *first = write_ok(kinds[k], &l.runs[0], &opts, l.dir, format_names[_i]);
        char *second = write_ok(kinds[k], &l.runs[0], &opts, dir2, format_names[_i]);
        size_t len1, len2;
        char *bytes1 = test_read_file(first, &len1), *bytes2 = test_read_file(second, &len2);
        ck_assert_uint_gt(len1, 1000);
        ck_assert_uint_eq(len1, len2);
        ck_assert_msg(memcmp(bytes1, bytes2, len1) == 0, "%s and %s differ", first, second);
        free(bytes1);
        free(bytes2);
        free(first);
        free(second);
    }
    free(dir2);
    unload(&l);
}
END_TEST

START_TEST(test_charts_cdf_draws_each_level_in_its_colour_in_either_palette)
{
    fixture_run run = fixture_default("colours");
    loaded l = load(&run, 1);
    const p3chart_palette palettes[] = {P3CHART_PALETTE_PAPER, P3CHART_PALETTE_COLORBLIND};
    for (int p = 0; p < 2; p++) {
        charts_options opts = {.palette = palettes[p]};
        char *path = write_ok(CHARTS_CDF, &l.runs[0], &opts, l.dir, p ? "cb.png" : "paper.png");
        cairo_surface_t *png = image_fixture_load_png(path);
        for (size_t j = 0; j < 6; j++) {
            double mine[3], other[3];
            p3chart_palette_rgb(palettes[p], j, mine);
            p3chart_palette_rgb(palettes[1 - p], j, other);
            size_t n = image_fixture_count_colour(png, mine);
            ck_assert_msg(n >= 100, "palette %d level %zu on %zu pixels", p, j, n);
            ck_assert_msg(image_fixture_count_colour(png, other) < n / 10,
                          "palette %d level %zu: the other palette's colour drawn", p, j);
        }
        cairo_surface_destroy(png);
        free(path);
    }
    unload(&l);
}
END_TEST

/* Canvas sizes for the border test: the default, the smallest and a narrow
 * one the command line accepts. */
static const int border_sizes[][2] = {{0, 0}, {320, 200}, {700, 1000}};

START_TEST(test_charts_12_levels_and_long_names_leave_the_border_blank)
{
    static const char *const names[FIXTURE_MAX_LEVELS] = {
        "A level name far too long to stand under a column or in a legend", "20 users",
        "30 users", "40 users", "50 users", "60 users", "70 users", "80 users", "90 users",
        "100 users", "110 users", "120 users"};
    fixture_run run = fixture_default("wide");
    run.title = "A run title long enough to need cutting on every canvas the charts are drawn "
                "on, however wide, because it goes on and on and on";
    run.levels = FIXTURE_MAX_LEVELS;
    run.level_names = names;
    run.edges = 30;
    run.cpu = true;
    loaded l = load(&run, 1);
    charts_options opts = {.width = border_sizes[_i][0], .height = border_sizes[_i][1]};
    for (int k = 0; k < KIND_COUNT; k++) {
        char *name = xasprintf("%s.png", charts_name(kinds[k]));
        char *path = write_ok(kinds[k], &l.runs[0], &opts, l.dir, name);
        /* The title is cut, and the chart says so. */
        ck_assert_msg(last_shortened == 1, "%s: %zu notes of shortened texts", path,
                      last_shortened);
        cairo_surface_t *png = image_fixture_load_png(path);
        size_t inked = image_fixture_inked_border(png);
        ck_assert_msg(inked == 0, "%zu border pixels drawn in %s", inked, path);
        /* ... and the chart is there. */
        double rgb[3];
        p3chart_palette_rgb(P3CHART_PALETTE_PAPER, 11, rgb);
        ck_assert_msg(image_fixture_count_colour(png, rgb) > 0, "level 12's colour missing in %s",
                      path);
        cairo_surface_destroy(png);
        free(path);
        free(name);
    }
    unload(&l);
}
END_TEST

/* The text of chart kind of run as a PDF; NULL without pdftotext. */
static char *chart_text(charts_kind kind, const results_run *run, const charts_options *base,
                        const char *dir)
{
    charts_options opts = base ? *base : (charts_options){0};
    opts.format = CANVAS_PDF;
    char *name = xasprintf("%s.pdf", charts_name(kind));
    char *path = write_ok(kind, run, &opts, dir, name);
    char *text = image_fixture_pdf_text(path, true, "charts");
    free(path);
    free(name);
    return text;
}

START_TEST(test_charts_without_cpu_figures_say_so)
{
    /* Named so that they read back in this order. */
    fixture_run runs[3] = {fixture_default("a-none"), fixture_default("b-guest"),
                           fixture_default("c-both")};
    runs[1].guest_only = true;
    runs[2].cpu = true;
    loaded l = load(runs, 3);
    char *cpu = chart_text(CHARTS_CPU, &l.runs[0], NULL, l.dir);
    char *useful = chart_text(CHARTS_USEFUL, &l.runs[0], NULL, l.dir);
    if (cpu) {
        ck_assert_msg(strstr(cpu, "No CPU measurement in this run"), "%s", cpu);
        ck_assert_msg(strstr(useful, "No host-side CPU measurement in this run"), "%s", useful);
        /* No legend for bars that are not there. */
        ck_assert_ptr_null(strstr(cpu, "Host-measured"));
    }
    free(cpu);
    free(useful);
    cpu = chart_text(CHARTS_CPU, &l.runs[1], NULL, l.dir);
    if (cpu) {
        ck_assert_msg(strstr(cpu, "No host-side CPU measurement in this run"), "%s", cpu);
        ck_assert_ptr_nonnull(strstr(cpu, "Guest-reported"));
        ck_assert_ptr_null(strstr(cpu, "Host-measured"));
    }
    free(cpu);
    cpu = chart_text(CHARTS_CPU, &l.runs[2], NULL, l.dir);
    useful = chart_text(CHARTS_USEFUL, &l.runs[2], NULL, l.dir);
    if (cpu) {
        ck_assert_ptr_null(strstr(cpu, "No host-side"));
        ck_assert_ptr_nonnull(strstr(cpu, "Host-measured: useful work"));
        ck_assert_ptr_nonnull(strstr(cpu, "virtualization overhead of 5.0 %"));
        ck_assert_ptr_nonnull(strstr(cpu, "assumed"));
        /* The guest over-reports from level 2 on: its bars are marked. */
        ck_assert_ptr_nonnull(strstr(cpu, "!"));
        ck_assert_ptr_null(strstr(useful, "No host-side"));
        ck_assert_ptr_nonnull(strstr(useful, "Overload"));
    }
    free(cpu);
    free(useful);
    unload(&l);
}
END_TEST

START_TEST(test_charts_ladder_and_cdf_say_which_levels_have_no_samples)
{
    fixture_run run = fixture_default("gaps");
    run.empty_level = 3;
    run.single_level = 1;
    loaded l = load(&run, 1);
    char *ladder = chart_text(CHARTS_LADDER, &l.runs[0], NULL, l.dir);
    char *cdf = chart_text(CHARTS_CDF, &l.runs[0], NULL, l.dir);
    if (ladder) {
        ck_assert_msg(strstr(ladder, "no samples"), "%s", ladder);
        ck_assert_ptr_nonnull(strstr(ladder, "n=1"));
        ck_assert_ptr_nonnull(strstr(ladder, "A bound is left out"));
        ck_assert_msg(strstr(cdf, "No samples: Busy."), "%s", cdf);
    }
    free(ladder);
    free(cdf);
    unload(&l);
}
END_TEST

START_TEST(test_charts_all_in_overflow_turns_the_delay_axes_logarithmic_when_far)
{
    fixture_run run = fixture_default("slow");
    run.all_overflow = true;
    run.levels = 12;
    run.edges = 30;
    loaded l = load(&run, 1);
    char *ladder = chart_text(CHARTS_LADDER, &l.runs[0], NULL, l.dir);
    char *cdf = chart_text(CHARTS_CDF, &l.runs[0], NULL, l.dir);
    if (ladder) {
        /* Level 12's p99 is 2.2 x (6520 + 3300) ms: past 20 endurance lines. */
        ck_assert_msg(strstr(ladder, "logarithmic"), "%s", ladder);
        ck_assert_msg(strstr(cdf, "logarithmic"), "%s", cdf);
    }
    free(ladder);
    free(cdf);
    run.levels = 2; /* p99 at most 2.2 x 2820 ms, the slowest 3 x 2820: linear */
    run.edges = 10;
    unload(&l);
    l = load(&run, 1);
    ladder = chart_text(CHARTS_LADDER, &l.runs[0], NULL, l.dir);
    charts_options log = {.log_delay = true};
    cdf = chart_text(CHARTS_CDF, &l.runs[0], &log, l.dir);
    if (ladder) {
        ck_assert_msg(!strstr(ladder, "logarithmic"), "%s", ladder);
        ck_assert_msg(strstr(cdf, "Delay on a logarithmic scale."), "%s", cdf);
    }
    free(ladder);
    free(cdf);
    unload(&l);
}
END_TEST

START_TEST(test_charts_unwritable_path_fails_and_says_where)
{
    fixture_run run = fixture_default("nowhere");
    loaded l = load(&run, 1);
    diag_list *diags = diag_list_new();
    const char *path = "/nonexistent-dir/cdf.png";
    ck_assert_int_eq(charts_write(CHARTS_CDF, &l.runs[0], NULL, path, diags), STATUS_FAILURE);
    ck_assert_uint_eq(diag_list_count(diags), 1);
    ck_assert_str_eq(diag_list_get(diags, 0)->path, path);
    ck_assert_msg(strncmp(diag_list_get(diags, 0)->message, "cannot write chart: ", 20) == 0,
                  "%s", diag_list_get(diags, 0)->message);
    ck_assert_int_ne(access(path, F_OK), 0);
    diag_list_free(diags);
    unload(&l);
}
END_TEST

/* Entries of dir other than . and .., as one sorted comma list. */
static char *dir_listing(const char *dir)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    char *list = xstrdup("");
    for (int i = 0; i < n; i++) {
        if (strcmp(entries[i]->d_name, ".") && strcmp(entries[i]->d_name, "..")) {
            char *next = xasprintf("%s%s%s", list, *list ? "," : "", entries[i]->d_name);
            free(list);
            list = next;
        }
        free(entries[i]);
    }
    free(entries);
    return list;
}

START_TEST(test_render_all_writes_every_chart_in_every_format)
{
    fixture_run runs[2] = {fixture_default("alpha"), fixture_default("odd/name")};
    loaded l = load(runs, 2);
    char *out = xasprintf("%s/out", l.dir);
    render_options opts = {.formats = RENDER_PNG | RENDER_SVG};
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(render_all(l.db, out, NULL, &opts, NULL, NULL, diags), STATUS_OK);
    ck_assert_uint_eq(diag_list_count(diags), 0);
    /* .p3-render records what the charts were drawn from (render.h). */
    const char *want = ".p3-render,cdf.png,cdf.svg,cpu.png,cpu.svg,ladder.png,ladder.svg,p3.png,"
                       "p3.svg,useful.png,useful.svg";
    /* "odd/name" had to change: its folder has a suffix from its name. */
    char *alpha = xasprintf("%s/alpha", out), *odd = xasprintf("%s/odd_name~eef6cd03", out);
    char *list = dir_listing(alpha);
    ck_assert_str_eq(list, want);
    free(list);
    list = dir_listing(odd);
    ck_assert_str_eq(list, want);
    free(list);
    list = dir_listing(out);
    ck_assert_str_eq(list, "alpha,odd_name~eef6cd03");
    free(list);
    /* Only one run, PNG by default. */
    char *one = xasprintf("%s/one", l.dir);
    ck_assert_int_eq(render_all(l.db, one, "alpha", NULL, NULL, NULL, diags), STATUS_OK);
    char *one_alpha = xasprintf("%s/alpha", one);
    list = dir_listing(one_alpha);
    ck_assert_str_eq(list, ".p3-render,cdf.png,cpu.png,ladder.png,p3.png,useful.png");
    free(list);
    free(one_alpha);
    free(one);
    free(alpha);
    free(odd);
    free(out);
    diag_list_free(diags);
    unload(&l);
}
END_TEST

/* Run names that make one folder name ("a/b", "a_b") get two folders, each
 * with its own P3, and a 300-byte name is cut to a folder name the file
 * system takes, without stopping the runs after it. */
START_TEST(test_render_folders_are_unique_and_short)
{
    char long_name[301];
    memset(long_name, 'x', 300);
    long_name[300] = '\0';
    long_name[95] = (char)0xC3; /* a two-byte character across the cut */
    long_name[96] = (char)0xA9;
    fixture_run runs[4] = {fixture_default("a/b"), fixture_default("a_b"),
                           fixture_default(long_name), fixture_default("zz")};
    runs[1].title = "the other";
    loaded l = load(runs, 4);
    char *out = xasprintf("%s/out", l.dir);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(render_all(l.db, out, NULL, NULL, NULL, NULL, diags), STATUS_OK);
    char *f1 = render_folder_name("a/b"), *f2 = render_folder_name("a_b"),
         *f3 = render_folder_name(long_name);
    ck_assert_str_ne(f1, f2);
    ck_assert_str_eq(f2, "a_b");
    ck_assert_uint_eq(strlen(f3), 95 + 9); /* cut before the character, then ~ and 8 digits */
    const char *folders[] = {f1, f2, f3, "zz"};
    for (size_t i = 0; i < 4; i++) {
        char *png = xasprintf("%s/%s/p3.png", out, folders[i]);
        ck_assert_msg(access(png, F_OK) == 0, "%s is missing", png);
        free(png);
    }
    char *p1 = xasprintf("%s/%s/p3.png", out, f1), *p2 = xasprintf("%s/%s/p3.png", out, f2);
    char *h1 = test_file_sha256(p1, NULL), *h2 = test_file_sha256(p2, NULL);
    ck_assert_str_ne(h1, h2); /* each its own title */
    free(h1), free(h2), free(p1), free(p2), free(f1), free(f2), free(f3), free(out);
    diag_list_free(diags);
    unload(&l);
}
END_TEST

START_TEST(test_render_all_refuses_a_store_without_results_and_a_run_without_any)
{
    char *dir = test_tmpdir("charts");
    char *db_path = xasprintf("%s/empty.db", dir), *out = xasprintf("%s/out", dir);
    fixture_store(db_path, NULL, 0);
    sqlite3 *db;
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(db_path, STORE_READ_ONLY, &db, diags), STATUS_OK);
    ck_assert_int_eq(render_all(db, out, NULL, NULL, NULL, NULL, diags), STATUS_BAD_INPUT);
    ck_assert_uint_eq(diag_list_count(diags), 1);
    ck_assert_str_eq(diag_list_get(diags, 0)->message,
                     "the store holds no analysed run: run 'p3 ingest' and 'p3 analyze' first");
    diag_list_clear(diags);
    ck_assert_int_eq(render_all(db, out, "ghost", NULL, NULL, NULL, diags), STATUS_BAD_INPUT);
    ck_assert_str_eq(diag_list_get(diags, 0)->message,
                     "no analysed run named 'ghost' in the store");
    store_close(db);
    diag_list_clear(diags);

    fixture_run runs[2] = {fixture_default("hollow"), fixture_default("whole")};
    runs[0].no_results = true;
    free(db_path);
    db_path = xasprintf("%s/hollow.db", dir);
    fixture_store(db_path, runs, 2);
    ck_assert_int_eq(store_open(db_path, STORE_READ_ONLY, &db, diags), STATUS_OK);
    ck_assert_int_eq(render_all(db, out, NULL, NULL, NULL, NULL, diags), STATUS_BAD_INPUT);
    ck_assert_uint_eq(diag_list_count(diags), 1);
    char *line = diag_format(diag_list_get(diags, 0));
    ck_assert_str_eq(line, "hollow: error: run has no results to draw: run 'p3 analyze'");
    free(line);
    /* The other run is drawn all the same. */
    char *p3 = xasprintf("%s/whole/p3.png", out);
    ck_assert_int_eq(access(p3, F_OK), 0);
    free(p3);
    store_close(db);
    diag_list_free(diags);
    free(db_path);
    free(out);
    free(dir);
}
END_TEST

START_TEST(test_charts_runs_compare_on_useful_work_and_name_those_left_out)
{
    fixture_run runs[3] = {fixture_default("a-native"), fixture_default("b-blind"),
                           fixture_default("c-guest")};
    runs[0].cpu = true;
    runs[2].cpu = true;
    loaded l = load(runs, 3);
    char *path = xasprintf("%s/runs.pdf", l.dir);
    canvas *cv = canvas_new(CANVAS_PDF, 800, 500, 0, "runs");
    charts_draw_runs(canvas_cairo(cv), l.runs, l.count, NULL, 800, 500);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(canvas_write(cv, path, "chart", diags), STATUS_OK);
    canvas_free(cv);
    ck_assert(charts_run_has_useful(&l.runs[0]));
    ck_assert(!charts_run_has_useful(&l.runs[1]));
    char *text = image_fixture_pdf_text(path, true, "charts");
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, "a-native"));
        ck_assert_ptr_nonnull(strstr(text, "c-guest"));
        ck_assert_msg(strstr(text, "Not shown, without host-side CPU measurement: b-blind."), "%s",
                      text);
    }
    free(text);
    /* No run with the figures: the chart says so rather than drawing nothing. */
    cv = canvas_new(CANVAS_PDF, 800, 500, 0, "none");
    charts_draw_runs(canvas_cairo(cv), &l.runs[1], 1, NULL, 800, 500);
    ck_assert_int_eq(canvas_write(cv, path, "chart", diags), STATUS_OK);
    canvas_free(cv);
    text = image_fixture_pdf_text(path, true, "charts");
    if (text)
        ck_assert_msg(strstr(text, "No host-side CPU measurement in any run"), "%s", text);
    free(text);
    diag_list_free(diags);
    free(path);
    unload(&l);
}
END_TEST

START_TEST(test_canvas_wrap_keeps_lines_within_width_and_cuts_long_words)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    cairo_t *cr = cairo_create(s);
    canvas_font(cr, 10, CANVAS_REGULAR);
    const char *text = "The endurance line is at one second Supercalifragilisticexpialidocious "
                       "and then a few more words";
    char **lines;
    size_t n = canvas_wrap(cr, text, 60, 0, &lines);
    ck_assert_uint_gt(n, 3);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(canvas_text_width(cr, lines[i]) <= 60, "line '%s' too wide", lines[i]);
        ck_assert_msg(*lines[i] && lines[i][0] != ' ', "line %zu '%s'", i, lines[i]);
        total += strlen(lines[i]);
    }
    /* Nothing is lost but the spaces wrapped at. */
    size_t letters = 0;
    for (const char *p = text; *p; p++)
        letters += *p != ' ';
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        for (const char *p = lines[i]; *p; p++)
            kept += *p != ' ';
    ck_assert_uint_eq(kept, letters);
    canvas_lines_free(lines, n);
    /* Two lines at most: the second ends in an ellipsis. */
    n = canvas_wrap(cr, text, 60, 2, &lines);
    ck_assert_uint_eq(n, 2);
    ck_assert_msg(strstr(lines[1], CANVAS_ELLIPSIS), "'%s'", lines[1]);
    ck_assert(canvas_text_width(cr, lines[1]) <= 60);
    canvas_lines_free(lines, n);
    n = canvas_wrap(cr, "", 60, 0, &lines);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(lines[0], "");
    canvas_lines_free(lines, n);
    char *cut = canvas_ellipsize(cr, "Overload", 1);
    ck_assert_str_eq(cut, "");
    free(cut);
    cut = canvas_ellipsize(cr, "Overload", 1000);
    ck_assert_str_eq(cut, "Overload");
    free(cut);
    char *g = canvas_group_digits(-1234567);
    ck_assert_str_eq(g, "-1,234,567");
    free(g);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}
END_TEST

Suite *charts_suite(void)
{
    Suite *s = suite_create("charts");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_charts_png_has_requested_size_and_resolution, 0, KIND_COUNT);
    tcase_add_loop_test(tc, test_charts_same_results_give_same_bytes, 0,
                        (int)(sizeof formats / sizeof *formats));
    tcase_add_test(tc, test_charts_cdf_draws_each_level_in_its_colour_in_either_palette);
    tcase_add_loop_test(tc, test_charts_12_levels_and_long_names_leave_the_border_blank, 0,
                        (int)(sizeof border_sizes / sizeof *border_sizes));
    tcase_add_test(tc, test_charts_without_cpu_figures_say_so);
    tcase_add_test(tc, test_charts_ladder_and_cdf_say_which_levels_have_no_samples);
    tcase_add_test(tc, test_charts_all_in_overflow_turns_the_delay_axes_logarithmic_when_far);
    tcase_add_test(tc, test_charts_unwritable_path_fails_and_says_where);
    tcase_add_test(tc, test_render_all_writes_every_chart_in_every_format);
    tcase_add_test(tc, test_render_folders_are_unique_and_short);
    tcase_add_test(tc, test_render_all_refuses_a_store_without_results_and_a_run_without_any);
    tcase_add_test(tc, test_charts_runs_compare_on_useful_work_and_name_those_left_out);
    tcase_add_test(tc, test_canvas_wrap_keeps_lines_within_width_and_cuts_long_words);
    suite_add_tcase(s, tc);
    return s;
}
