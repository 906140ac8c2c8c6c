/* The streaming line reader: line ends, over-long lines, the final line
 * without a line end, and the digest of the whole file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "line_reader.h"
#include "sha256.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* Reads path to the end: lines joined with '|', over-long ones marked '!'. */
static char *read_lines(const char *text, size_t len, const line_reader_options *opts,
                        bool *last_terminated)
{
    char *dir = test_tmpdir("lines");
    char *path = xasprintf("%s/f.txt", dir);
    test_write_file(path, text, len);
    diag_list *diags = diag_list_new();
    line_reader *r;
    ck_assert_int_eq(line_reader_open(path, opts, &r, diags), STATUS_OK);
    size_t cap = 2 * len + 16, o = 0;
    char *out = xcalloc(cap, 1);
    const char *line;
    size_t n;
    line_status ls;
    while ((ls = line_reader_next(r, &line, &n)) != LINE_EOF) {
        ck_assert_int_ne(ls, LINE_IO_ERROR);
        if (o)
            out[o++] = '|';
        if (ls == LINE_TOO_LONG) {
            out[o++] = '!';
            n = n > 4 ? 4 : n;
        }
        memcpy(out + o, line, n);
        o += n;
    }
    *last_terminated = line_reader_terminated(r);
    char hex[65], want[65];
    uint64_t size;
    ck_assert_int_eq(line_reader_digest(r, hex, &size, diags), STATUS_OK);
    ck_assert_uint_eq(size, len);
    sha256 ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, text, len);
    sha256_final_hex(&ctx, want);
    ck_assert_str_eq(hex, want);
    ck_assert_uint_eq(line_reader_bytes(r), len);
    line_reader_free(r);
    diag_list_free(diags);
    free(path);
    free(dir);
    return out;
}

START_TEST(test_line_reader_splits_lf_and_crlf)
{
    bool term;
    char *s = read_lines("a\nbb\r\n\nc\r\n", 10, NULL, &term);
    ck_assert_str_eq(s, "a|bb||c");
    ck_assert(term);
    free(s);
}
END_TEST

START_TEST(test_line_reader_keeps_lone_cr_unless_asked)
{
    bool term;
    char *s = read_lines("a\rb\rc", 5, NULL, &term);
    ck_assert_str_eq(s, "a\rb\rc");
    ck_assert(!term);
    free(s);
    line_reader_options cr = {.cr_alone = true};
    s = read_lines("a\rb\r\nc\r", 7, &cr, &term);
    ck_assert_str_eq(s, "a|b|c");
    ck_assert(term);
    free(s);
}
END_TEST

START_TEST(test_line_reader_reports_last_line_without_line_end)
{
    bool term;
    char *s = read_lines("x\ny", 3, NULL, &term);
    ck_assert_str_eq(s, "x|y");
    ck_assert(!term);
    free(s);
}
END_TEST

START_TEST(test_line_reader_cuts_over_long_lines_and_goes_on)
{
    /* A 16-byte limit; lines of 40 and 17 bytes are reported, the rest read. */
    line_reader_options small = {.max_line = 16};
    char text[128];
    int o = 0;
    memset(text, 'L', 40);
    o = 40;
    text[o++] = '\n';
    memcpy(text + o, "ok\n", 3);
    o += 3;
    memset(text + o, 'M', 17);
    o += 17;
    memcpy(text + o, "\nend\n", 5);
    o += 5;
    bool term;
    char *s = read_lines(text, (size_t)o, &small, &term);
    ck_assert_str_eq(s, "!LLLL|ok|!MMMM|end");
    free(s);
}
END_TEST

START_TEST(test_line_reader_reads_lines_across_buffer_refills)
{
    /* 3 MiB of numbered lines: every one comes back in order. */
    size_t lines = 300000;
    char *text = xmalloc(lines * 12);
    size_t o = 0;
    for (size_t i = 0; i < lines; i++)
        o += (size_t)sprintf(text + o, "%zu\r\n", i);
    char *dir = test_tmpdir("refill");
    char *path = xasprintf("%s/big.txt", dir);
    test_write_file(path, text, o);
    diag_list *diags = diag_list_new();
    line_reader *r;
    ck_assert_int_eq(line_reader_open(path, NULL, &r, diags), STATUS_OK);
    const char *line;
    size_t n, count = 0;
    while (line_reader_next(r, &line, &n) == LINE_OK) {
        char want[24];
        int w = sprintf(want, "%zu", count);
        ck_assert_uint_eq(n, (size_t)w);
        ck_assert(memcmp(line, want, n) == 0);
        ck_assert_int_eq(line_reader_line(r), (long)count + 1);
        count++;
    }
    ck_assert_uint_eq(count, lines);
    line_reader_free(r);
    diag_list_free(diags);
    free(path);
    free(dir);
    free(text);
}
END_TEST

START_TEST(test_line_reader_reports_missing_file)
{
    diag_list *diags = diag_list_new();
    line_reader *r = (line_reader *)1;
    ck_assert_int_eq(line_reader_open("/nonexistent/p3/file", NULL, &r, diags), STATUS_BAD_INPUT);
    ck_assert_ptr_null(r);
    char *msg = diag_format(diag_list_get(diags, 0));
    ck_assert_str_eq(msg, "/nonexistent/p3/file: error: cannot open: No such file or directory");
    free(msg);
    diag_list_free(diags);
}
END_TEST

/* A gzip file is read decompressed; one cut short gives the lines before
 * the cut and a digest status that refuses the file, whatever the line the
 * cut falls in (at a line end no reader could tell otherwise). The digest
 * is of the bytes as stored. */
START_TEST(test_line_reader_reads_gzip_and_refuses_a_cut_stream)
{
    char *dir = test_tmpdir("gzip");
    char *whole = xasprintf("%s/whole.gz", dir), *cut = xasprintf("%s/cut.gz", dir);
    gzFile gz = gzopen(whole, "wb");
    ck_assert_ptr_nonnull(gz);
    for (int i = 0; i < 20000; i++)
        gzprintf(gz, "line %d of a file that compresses well\n", i);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    size_t len;
    char *bytes = test_read_file(whole, &len);
    ck_assert_ptr_nonnull(bytes);
    test_write_file(cut, bytes, len / 2);
    for (int k = 0; k < 2; k++) {
        const char *path = k ? cut : whole;
        diag_list *diags = diag_list_new();
        line_reader *r;
        ck_assert_int_eq(line_reader_open(path, NULL, &r, diags), STATUS_OK);
        const char *line;
        size_t n;
        long lines = 0;
        while (line_reader_next(r, &line, &n) == LINE_OK)
            lines++;
        char hex[65];
        uint64_t size;
        int status = line_reader_digest(r, hex, &size, diags);
        char *expected_hex = test_file_sha256(path, NULL);
        ck_assert_str_eq(hex, expected_hex);
        if (k) {
            ck_assert_int_eq(status, STATUS_BAD_INPUT);
            ck_assert_int_lt(lines, 20000);
            ck_assert_uint_eq(diag_list_errors(diags), 1);
            ck_assert_ptr_nonnull(strstr(diag_list_get(diags, 0)->message, "cut short"));
        } else {
            ck_assert_int_eq(status, STATUS_OK);
            ck_assert_int_eq(lines, 20000);
            ck_assert_uint_eq(size, len);
        }
        free(expected_hex);
        line_reader_free(r);
        diag_list_free(diags);
    }
    /* Damaged data in the middle: refused the same way. */
    char *damaged = xasprintf("%s/damaged.gz", dir);
    for (size_t i = len / 2; i < len / 2 + 8; i++)
        bytes[i] = (char)~bytes[i];
    test_write_file(damaged, bytes, len);
    diag_list *diags = diag_list_new();
    line_reader *r;
    ck_assert_int_eq(line_reader_open(damaged, NULL, &r, diags), STATUS_OK);
    const char *line;
    size_t n;
    while (line_reader_next(r, &line, &n) == LINE_OK)
        ;
    char hex[65];
    uint64_t size;
    ck_assert_int_eq(line_reader_digest(r, hex, &size, diags), STATUS_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(diag_list_get(diags, 0)->message, "damaged"));
    ck_assert_ptr_null(strstr(diag_list_get(diags, 0)->message, "<fd:"));
    line_reader_free(r);
    diag_list_free(diags);
    free(damaged);
    free(bytes), free(cut), free(whole), free(dir);
}
END_TEST

Suite *line_reader_suite(void)
{
    Suite *s = suite_create("line_reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_line_reader_splits_lf_and_crlf);
    tcase_add_test(tc, test_line_reader_keeps_lone_cr_unless_asked);
    tcase_add_test(tc, test_line_reader_reports_last_line_without_line_end);
    tcase_add_test(tc, test_line_reader_cuts_over_long_lines_and_goes_on);
    tcase_add_test(tc, test_line_reader_reads_lines_across_buffer_refills);
    tcase_add_test(tc, test_line_reader_reports_missing_file);
    tcase_add_test(tc, test_line_reader_reads_gzip_and_refuses_a_cut_stream);
    suite_add_tcase(s, tc);
    return s;
}
