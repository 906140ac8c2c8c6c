/* Text in any language: a lab whose report title, run names, run titles,
 * level names, host names and settings are in Japanese, Chinese, Korean,
 * Russian, Greek, Arabic and Hebrew is reported by `p3 report`; report.pdf
 * embeds a CJK font beside DejaVu Sans (pdffonts) and pdftotext gives back
 * every one of those strings, the right-to-left ones in their logical
 * order; and the P3 PNG shows real glyphs, not tofu: its title drawn with
 * the machine's fonts differs from the same title drawn by a p3 that sees
 * DejaVu Sans only (where every CJK letter can only be an empty box),
 * while a Latin title is the same pixels both ways. Each check fails on a
 * machine without a CJK font. */
#include <check.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_fixture.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* One run folder of the lab: its name, title, three levels and host. */
typedef struct lab_run {
    const char *folder;
    const char *title;
    const char *levels[3];
    const char *host;
    const char *setting; /* a run.ini value shown in the "Other settings" table */
    bool rtl;            /* written right to left */
} lab_run;

static const lab_run runs[] = {
    {"東京テスト", "応答時間 テスト", {"待機", "半分", "全負荷"}, "東京サーバー", "本番環境", false},
    {"北京运行", "中文标题 响应时间", {"空闲", "一半", "满载"}, "北京服务器", "生产环境", false},
    {"서울", "응답 시간 시험", {"유휴", "절반", "전체"}, "서울서버", "운영환경", false},
    {"Москва", "Русский заголовок", {"Простой", "Половина", "Полная"}, "Сервер-1", "Продакшн",
     false},
    {"القاهرة", "عنوان عربي", {"خامل", "نصف", "كامل"}, "خادم", "إنتاج", true},
    {"ירושלים", "בדיקת עומס", {"שקט", "חצי", "מלא"}, "שרת", "ייצור", true},
    {"Latin", "Latin control", {"Idle", "Half", "Full"}, "latin-host", "production", false},
};
#define RUN_COUNT (sizeof runs / sizeof *runs)

#define REPORT_TITLE "応答時間 テスト — Ünïcödé Ελληνικά"

/* Writes the lab under dir/lab: per run a run.ini and a probe log of
 * eight samples a level. Returns the lab's path; caller frees. */
static char *write_lab(const char *dir)
{
    char *lab = xasprintf("%s/lab", dir);
    for (size_t i = 0; i < RUN_COUNT; i++) {
        const lab_run *r = &runs[i];
        char *ini = xasprintf("%s/%s/run.ini", lab, r->folder);
        char *text = xasprintf("[run]\ntitle = %s\nlevels = %s, %s, %s\nenvironment = %s\n",
                               r->title, r->levels[0], r->levels[1], r->levels[2], r->setting);
        test_write_text(ini, text);
        free(text);
        free(ini);
        char *probe = xasprintf("# p3-probe 1\n# host: %s\ntime,level,delay_ms\n", r->host);
        long long t = 1109671200;
        for (int level = 0; level < 3; level++)
            for (int k = 0; k < 8; k++) {
                char *next = xasprintf("%s%lld,%s,%d\n", probe, t++, r->levels[level],
                                       (level + 1) * (40 + 30 * k));
                free(probe);
                probe = next;
            }
        char *path = xasprintf("%s/%s/a.probe", lab, r->folder);
        test_write_text(path, probe);
        free(path);
        free(probe);
    }
    return lab;
}

/* Runs `p3 report -o dir/out --title REPORT_TITLE lab` and fails unless it
 * exits 0. Returns the output folder; caller frees. */
static char *report_lab(const char *dir)
{
    char *lab = write_lab(dir);
    char *out = xasprintf("%s/out", dir);
    const char *args[] = {"report", "-o", out, "--title", REPORT_TITLE, lab, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "p3 report exited %d: %s", r.status, r.err);
    test_run_free(&r);
    free(lab);
    return out;
}

/* What the program argv (NULL-terminated) printed on stdout, or NULL when
 * it did not exit 0. Caller frees. */
static char *command_output(const char *const *argv)
{
    test_run r = test_command(NULL, argv, NULL);
    char *out = r.status == 0 ? r.out : NULL;
    if (!out)
        free(r.out);
    free(r.err);
    return out;
}

/* s without spaces, line breaks and the bidi controls pdftotext puts
 * around right-to-left runs (U+200E, U+200F, U+202A..U+202E): poppler
 * cuts right-to-left words where their glyphs do not touch, so those are
 * compared letter by letter, in order. (pdftotext also gives the two
 * letters of a lam-alef ligature, as in "الإنتاج", in swapped order, which
 * is why the strings here have none.) Caller frees. */
static char *letters_only(const char *s)
{
    char *out = xmalloc(strlen(s) + 1);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\f') {
            p++;
        } else if (p[0] == 0xE2 && p[1] == 0x80 &&
                   (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE))) {
            p += 3;
        } else {
            out[n++] = (char)*p++;
        }
    }
    out[n] = '\0';
    return out;
}

START_TEST(test_i18n_report_embeds_a_cjk_font_and_gives_back_every_script)
{
    if (!test_have_program("pdftotext") || !test_have_program("pdffonts")) {
        printf("i18n: poppler-utils not found, report text not checked\n");
        return;
    }
    char *dir = test_tmpdir("i18n-report");
    char *out = report_lab(dir);
    char *pdf = xasprintf("%s/report.pdf", out);

    /* pdffonts: every font embedded, and one of them neither DejaVu nor a
     * font cairo made up: the CJK fallback. */
    const char *cmd[] = {"pdffonts", pdf, NULL};
    char *fonts = command_output(cmd);
    ck_assert_msg(fonts != NULL, "pdffonts %s failed", pdf);
    char *listing = xstrdup(fonts);
    size_t fallback = 0, not_embedded = 0;
    char *save = NULL;
    for (char *line = strtok_r(fonts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[256], *plus;
        if (sscanf(line, "%255s", name) != 1 || strcmp(name, "name") == 0 || name[0] == '-')
            continue;
        not_embedded += strstr(line, " yes ") == NULL;
        plus = strchr(name, '+');
        const char *family = plus ? plus + 1 : name;
        fallback += strncmp(family, "DejaVu", 6) != 0 && strncmp(family, "CairoFont", 9) != 0;
    }
    ck_assert_msg(fallback > 0 && not_embedded == 0,
                  "want a CJK font embedded beside DejaVu Sans, pdffonts says:\n%s", listing);

    /* pdftotext: the title and every name, level, host and setting. */
    char *text = image_fixture_pdf_text(pdf, false, "i18n");
    ck_assert_ptr_nonnull(text);
    char *letters = letters_only(text);
    char *missing = xstrdup("");
    size_t expected = 0;
    for (size_t i = 0; i <= RUN_COUNT; i++) {
        const char *want[7] = {REPORT_TITLE};
        size_t n = 1;
        bool rtl = false;
        if (i < RUN_COUNT) {
            const lab_run *r = &runs[i];
            const char *all[7] = {r->folder,    r->title, r->levels[0], r->levels[1],
                                  r->levels[2], r->host,  r->setting};
            memcpy(want, all, sizeof all);
            n = 7;
            rtl = r->rtl;
        }
        for (size_t k = 0; k < n; k++) {
            char *w = letters_only(want[k]);
            bool found = rtl ? strstr(letters, w) != NULL : strstr(text, want[k]) != NULL;
            if (!found) {
                char *next = xasprintf("%s '%s'", missing, want[k]);
                free(missing);
                missing = next;
            }
            expected++;
            free(w);
        }
    }
    ck_assert_msg(*missing == '\0', "pdftotext of %s lacks%s (of %zu strings)", pdf, missing,
                  expected);

    free(missing);
    free(letters);
    free(text);
    free(listing);
    free(fonts);
    free(pdf);
    free(out);
    free(dir);
}
END_TEST

/* openpyxl reads p3.xlsx of the lab and prints every sheet name and every
 * text cell, one a line; each run's name is a sheet's name and its title,
 * levels and host are cells, byte for byte. */
START_TEST(test_i18n_workbook_keeps_every_name_in_openpyxl)
{
    /* Debian's python3, where tools/deps.sh installs python3-openpyxl. */
    if (system("/usr/bin/python3 -c 'import openpyxl' 2>/dev/null") != 0) {
        printf("i18n: /usr/bin/python3 cannot import openpyxl, the workbook's names not "
               "checked\n");
        return;
    }
    char *dir = test_tmpdir("i18n-workbook");
    char *out = report_lab(dir);
    char *script = xasprintf("%s/names.py", dir);
    test_write_text(script,
                    "import sys, openpyxl\n"
                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                    "for ws in wb.worksheets:\n"
                    "    print('sheet ' + ws.title)\n"
                    "    for row in ws.iter_rows(values_only=True):\n"
                    "        for v in row:\n"
                    "            if isinstance(v, str):\n"
                    "                for line in v.splitlines():\n"
                    "                    print('cell ' + line)\n");
    char *book = xasprintf("%s/p3.xlsx", out);
    const char *cmd[] = {"/usr/bin/python3", script, book, NULL};
    char *listing = command_output(cmd);
    ck_assert_msg(listing != NULL && *listing, "openpyxl read nothing of %s", book);
    char *missing = xstrdup("");
    for (size_t i = 0; i < RUN_COUNT; i++) {
        const lab_run *r = &runs[i];
        char *want[5] = {xasprintf("\nsheet %s\n", r->folder),
                         xasprintf("\ncell %s\n", r->title),
                         xasprintf("\ncell %s\n", r->levels[0]),
                         xasprintf("\ncell %s\n", r->levels[2]),
                         xasprintf("\ncell %s\n", r->host)};
        for (size_t k = 0; k < 5; k++) {
            if (!strstr(listing, want[k]) && strncmp(listing, want[k] + 1, strlen(want[k]) - 1)) {
                char *next = xasprintf("%s%s", missing, want[k]);
                free(missing);
                missing = next;
            }
            free(want[k]);
        }
    }
    ck_assert_msg(*missing == '\0', "openpyxl does not find in p3.xlsx:%s", missing);
    free(missing);
    free(listing);
    free(book);
    free(script);
    free(out);
    free(dir);
}
END_TEST

/* The folder of the font file fontconfig gives for DejaVu Sans, or NULL.
 * Caller frees. */
static char *dejavu_folder(void)
{
    const char *cmd[] = {"fc-match", "-f", "%{file}", "DejaVu Sans", NULL};
    char *file = command_output(cmd);
    if (!file || !*file) {
        free(file);
        return NULL;
    }
    char *folder = xstrdup(dirname(file));
    free(file);
    return folder;
}

/* Pixels that differ between the top band (the title's) of two PNGs of the
 * same size. */
static size_t title_band_difference(const char *a_path, const char *b_path)
{
    cairo_surface_t *a = image_fixture_load_png(a_path), *b = image_fixture_load_png(b_path);
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    ck_assert_msg(w == cairo_image_surface_get_width(b) && h == cairo_image_surface_get_height(b),
                  "%s and %s differ in size", a_path, b_path);
    int stride = cairo_image_surface_get_stride(a), band = h / 12;
    const unsigned char *pa = cairo_image_surface_get_data(a), *pb = cairo_image_surface_get_data(b);
    size_t differ = 0;
    for (int y = 0; y < band; y++)
        for (int x = 0; x < w; x++) {
            size_t at = (size_t)y * (size_t)stride + 4 * (size_t)x;
            differ += memcmp(pa + at, pb + at, 3) != 0;
        }
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    return differ;
}

START_TEST(test_i18n_p3_png_title_has_real_glyphs_not_tofu)
{
    char *dir = test_tmpdir("i18n-png");
    char *out = report_lab(dir);
    char *db = xasprintf("%s/p3.db", out);

    /* The same charts drawn by a p3 whose fontconfig knows DejaVu Sans
     * only: CJK letters there can only be tofu. */
    char *fonts = dejavu_folder();
    ck_assert_msg(fonts != NULL, "fc-match finds no DejaVu Sans");
    char *conf = xasprintf("%s/fonts.conf", dir);
    char *conf_text = xasprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM "
                                "\"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n  <dir>%s</dir>\n"
                                "  <cachedir>%s/fc-cache</cachedir>\n</fontconfig>\n",
                                fonts, dir);
    test_write_text(conf, conf_text);
    char *tofu = xasprintf("%s/tofu", dir);
    const char *args[] = {"render", "--db", db, "-o", tofu, "--charts", "p3", NULL};
    setenv("FONTCONFIG_FILE", conf, 1);
    test_run r = test_p3(NULL, args);
    unsetenv("FONTCONFIG_FILE");
    ck_assert_msg(r.status == 0, "p3 render with DejaVu Sans only exited %d: %s", r.status, r.err);
    test_run_free(&r);

    /* CJK titles differ from their tofu; the Latin one is the same. */
    char *wrong = xstrdup("");
    for (size_t i = 0; i < RUN_COUNT; i++) {
        const lab_run *run = &runs[i];
        bool cjk = i < 3;
        if (!cjk && strcmp(run->folder, "Latin") != 0)
            continue;
        char *real = xasprintf("%s/%s/p3.png", out, run->folder);
        char *boxes = xasprintf("%s/%s/p3.png", tofu, run->folder);
        size_t differ = title_band_difference(real, boxes);
        if (cjk ? differ < 100 : differ != 0) {
            char *next = xasprintf("%s %s (%zu pixels differ)", wrong, run->folder, differ);
            free(wrong);
            wrong = next;
        }
        free(real);
        free(boxes);
    }
    ck_assert_msg(*wrong == '\0',
                  "P3 titles drawn with every font against DejaVu Sans alone: want CJK titles "
                  "to differ (real glyphs, not tofu) and the Latin one not:%s",
                  wrong);

    free(wrong);
    free(tofu);
    free(conf_text);
    free(conf);
    free(fonts);
    free(db);
    free(out);
    free(dir);
}
END_TEST

Suite *i18n_suite(void)
{
    Suite *s = suite_create("i18n");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_i18n_report_embeds_a_cjk_font_and_gives_back_every_script);
    tcase_add_test(tc, test_i18n_p3_png_title_has_real_glyphs_not_tofu);
    tcase_add_test(tc, test_i18n_workbook_keeps_every_name_in_openpyxl);
    suite_add_tcase(s, tc);
    return s;
}
