/* The CSV splitter every CSV reader uses: fields plain, empty, quoted,
 * with doubled quotes, spanning lines; errors and where they are; the
 * options (trim, lenient, bare and glued quotes, delimiters). Records are
 * shown as "[field][field]" so that a test reads like the data. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "suites.h"

/* The fields of the record last split as "[a][b]"; static buffer. */
static const char *show(const csv_splitter *s)
{
    static char out[4096];
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < csv_count(s); i++) {
        const csv_field *f = csv_get(s, i);
        ck_assert_uint_eq(strlen(f->text), f->len); /* NUL-terminated */
        o += (size_t)snprintf(out + o, sizeof out - o, "[%s]", f->text);
        ck_assert_uint_lt(o, sizeof out);
    }
    return out;
}

/* The fields' columns as "1,3,5"; static buffer. */
static const char *cols(const csv_splitter *s)
{
    static char out[1024];
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < csv_count(s); i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%ld", i ? "," : "", csv_get(s, i)->col);
    return out;
}

/* Splits one line with opts (NULL for RFC 4180); the caller frees. */
static csv_splitter *split_one(const csv_options *opts, const char *line, csv_status want)
{
    csv_splitter *s = csv_splitter_new(opts);
    csv_status got = csv_split(s, line, strlen(line), 1);
    ck_assert_msg(got == want, "'%s': status %d, expected %d", line, (int)got, (int)want);
    return s;
}

/* Asserts that line splits into the fields shown as want. */
static void check_fields(const csv_options *opts, const char *line, const char *want)
{
    csv_splitter *s = split_one(opts, line, CSV_RECORD);
    ck_assert_str_eq(show(s), want);
    csv_splitter_free(s);
}

/* Asserts that line is refused with message at 1:col. */
static void check_error(const csv_options *opts, const char *line, long col, const char *message)
{
    csv_splitter *s = split_one(opts, line, CSV_ERROR);
    long l = 0, c = 0;
    ck_assert_str_eq(csv_error(s, &l, &c), message);
    ck_assert_int_eq(l, 1);
    ck_assert_msg(c == col, "'%s': error at column %ld, expected %ld", line, c, col);
    csv_splitter_free(s);
}

START_TEST(test_csv_splits_plain_fields_with_their_columns)
{
    csv_splitter *s = split_one(NULL, "time,delay_ms,label", CSV_RECORD);
    ck_assert_str_eq(show(s), "[time][delay_ms][label]");
    ck_assert_str_eq(cols(s), "1,6,15");
    for (size_t i = 0; i < 3; i++) {
        ck_assert(!csv_get(s, i)->quoted);
        ck_assert_int_eq(csv_get(s, i)->line, 1);
    }
    ck_assert_ptr_null(csv_get(s, 3));
    ck_assert_int_eq(csv_first_line(s), 1);
    ck_assert_int_eq(csv_last_line(s), 1);
    /* Spaces are text without trim. */
    check_fields(NULL, " a , b ", "[ a ][ b ]");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_keeps_empty_fields_and_their_columns)
{
    csv_splitter *s = split_one(NULL, ",a,,b,", CSV_RECORD);
    ck_assert_str_eq(show(s), "[][a][][b][]");
    ck_assert_str_eq(cols(s), "1,2,4,5,7");
    csv_splitter_free(s);
    check_fields(NULL, ",", "[][]");
}
END_TEST

START_TEST(test_csv_empty_line_is_a_record_of_one_empty_field)
{
    csv_splitter *s = split_one(NULL, "", CSV_RECORD);
    ck_assert_uint_eq(csv_count(s), 1);
    ck_assert_uint_eq(csv_get(s, 0)->len, 0);
    ck_assert_str_eq(csv_get(s, 0)->text, "");
    ck_assert_int_eq(csv_get(s, 0)->col, 1);
    ck_assert(!csv_get(s, 0)->quoted);
    /* And a quoted empty field is one too, but quoted. */
    ck_assert_int_eq(csv_split(s, "\"\"", 2, 7), CSV_RECORD);
    ck_assert_uint_eq(csv_count(s), 1);
    ck_assert_str_eq(csv_get(s, 0)->text, "");
    ck_assert(csv_get(s, 0)->quoted);
    ck_assert_int_eq(csv_get(s, 0)->line, 7);
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_quoted_fields_hold_delimiters)
{
    csv_splitter *s = split_one(NULL, "\"open, save\",12.5,\"a,b,c\"", CSV_RECORD);
    ck_assert_str_eq(show(s), "[open, save][12.5][a,b,c]");
    ck_assert_str_eq(cols(s), "1,14,19"); /* a quoted field's column is its quote's */
    ck_assert(csv_get(s, 0)->quoted);
    ck_assert(!csv_get(s, 1)->quoted);
    ck_assert(csv_get(s, 2)->quoted);
    ck_assert_uint_eq(csv_get(s, 0)->len, 10);
    csv_splitter_free(s);
    check_fields(NULL, "\"\",\"\"", "[][]");
    check_fields(NULL, "\" spaced \"", "[ spaced ]");
}
END_TEST

START_TEST(test_csv_doubled_quotes_are_one_quote)
{
    check_fields(NULL, "\"say \"\"hi\"\"\",\"\"\"\"", "[say \"hi\"][\"]");
    check_fields(NULL, "\"\"\"\"\"\"", "[\"\"]");
    check_fields(NULL, "\"a\"\"\",b", "[a\"][b]");
}
END_TEST

START_TEST(test_csv_quoted_field_spans_lines_joined_with_lf)
{
    csv_splitter *s = csv_splitter_new(NULL);
    ck_assert_int_eq(csv_split(s, "a,\"line one", 11, 4), CSV_MORE);
    /* While the field is open, the fields before it can be read. */
    ck_assert_uint_eq(csv_count(s), 1);
    ck_assert_str_eq(csv_get(s, 0)->text, "a");
    ck_assert_ptr_null(csv_get(s, 1));
    ck_assert_int_eq(csv_continue(s, "", 0, 5), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "line \"\"three\"\"", 14, 6), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "end\",b", 6, 7), CSV_RECORD);
    ck_assert_str_eq(show(s), "[a][line one\n\nline \"three\"\nend][b]");
    ck_assert_int_eq(csv_get(s, 1)->line, 4);
    ck_assert_int_eq(csv_get(s, 1)->col, 3);
    ck_assert_int_eq(csv_get(s, 2)->line, 7);
    ck_assert_int_eq(csv_get(s, 2)->col, 6);
    ck_assert_int_eq(csv_first_line(s), 4);
    ck_assert_int_eq(csv_last_line(s), 7);
    /* The next record starts afresh. */
    ck_assert_int_eq(csv_split(s, "x", 1, 8), CSV_RECORD);
    ck_assert_str_eq(show(s), "[x]");
    ck_assert_int_eq(csv_first_line(s), 8);
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_a_line_end_may_follow_the_opening_quote_or_a_doubled_quote)
{
    csv_splitter *s = csv_splitter_new(NULL);
    ck_assert_int_eq(csv_split(s, "\"", 1, 1), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "\"", 1, 2), CSV_RECORD);
    ck_assert_str_eq(show(s), "[\n]");
    ck_assert_int_eq(csv_split(s, "\"a\"\"", 4, 3), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "b\"", 2, 4), CSV_RECORD);
    ck_assert_str_eq(show(s), "[a\"\nb]");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_fields_survive_a_record_that_outgrows_the_buffer)
{
    /* Many long lines in one quoted field: the buffer moves, fields with it. */
    csv_splitter *s = csv_splitter_new(NULL);
    char line[1001];
    memset(line, 'x', 1000);
    line[1000] = '\0';
    ck_assert_int_eq(csv_split(s, "head,\"", 6, 1), CSV_MORE);
    for (long n = 2; n <= 101; n++)
        ck_assert_int_eq(csv_continue(s, line, 1000, n), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "\",tail", 6, 102), CSV_RECORD);
    ck_assert_uint_eq(csv_count(s), 3);
    ck_assert_str_eq(csv_get(s, 0)->text, "head");
    ck_assert_str_eq(csv_get(s, 2)->text, "tail");
    const csv_field *f = csv_get(s, 1);
    ck_assert_uint_eq(f->len, 1 + 100 * 1001);
    for (size_t k = 0; k < f->len; k++)
        ck_assert_int_eq(f->text[k], k % 1001 == 0 ? '\n' : 'x');
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_finish_reports_the_open_quote_where_it_opened)
{
    csv_splitter *s = csv_splitter_new(NULL);
    long line = 0, col = 0;
    ck_assert_int_eq(csv_split(s, "a,b,\"open", 9, 3), CSV_MORE);
    ck_assert_int_eq(csv_finish(s), CSV_ERROR);
    ck_assert_str_eq(csv_error(s, &line, &col), "unterminated quoted field");
    ck_assert_int_eq(line, 3);
    ck_assert_int_eq(col, 5);
    ck_assert_str_eq(show(s), "[a][b]"); /* the fields before it */
    /* Lines later, it still points at the quote. */
    ck_assert_int_eq(csv_split(s, "x,\"", 3, 10), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "more", 4, 11), CSV_MORE);
    ck_assert_int_eq(csv_continue(s, "and more", 8, 12), CSV_MORE);
    ck_assert_int_eq(csv_finish(s), CSV_ERROR);
    ck_assert_str_eq(csv_error(s, &line, &col), "unterminated quoted field");
    ck_assert_int_eq(line, 10);
    ck_assert_int_eq(col, 3);
    ck_assert_int_eq(csv_last_line(s), 12);
    /* csv_continue with no open field starts a record. */
    ck_assert_int_eq(csv_continue(s, "p,q", 3, 13), CSV_RECORD);
    ck_assert_str_eq(show(s), "[p][q]");
    ck_assert_int_eq(csv_first_line(s), 13);
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_rejects_a_quote_inside_an_unquoted_field)
{
    check_error(NULL, "ab\"c,d", 3, "quote inside an unquoted field");
    check_error(NULL, "x,5\"", 4, "quote inside an unquoted field");
    check_error(NULL, " \"a\"", 2, "quote inside an unquoted field"); /* no trim: ' ' is text */
    csv_splitter *s = split_one(NULL, "x,y,ab\"c", CSV_ERROR);
    ck_assert_str_eq(show(s), "[x][y]");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_rejects_text_after_a_quoted_field)
{
    check_error(NULL, "\"a\"b,c", 4, "unexpected text after a quoted field");
    check_error(NULL, "1,\"a\" ,c", 6, "unexpected text after a quoted field");
    check_error(NULL, "\"a\"\"\"x", 6, "unexpected text after a quoted field");
    csv_options trim = {.trim = true};
    check_error(&trim, "\"a\"   b", 7, "unexpected text after a quoted field");
    /* The broken field is not among the fields given. */
    csv_splitter *s = split_one(NULL, "1,\"2\"x,3", CSV_ERROR);
    ck_assert_str_eq(show(s), "[1]");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_trim_drops_blanks_around_fields_but_not_inside_quotes)
{
    csv_options trim = {.trim = true};
    csv_splitter *s = split_one(&trim, "  a b  ,\t\"  c \" \t, d", CSV_RECORD);
    ck_assert_str_eq(show(s), "[a b][  c ][d]");
    ck_assert_str_eq(cols(s), "3,10,20"); /* the text's first byte, or the quote */
    csv_splitter_free(s);
    /* A blank field is empty, its column where it begins. */
    s = split_one(&trim, "a,   ,b,", CSV_RECORD);
    ck_assert_str_eq(show(s), "[a][][b][]");
    ck_assert_str_eq(cols(s), "1,3,7,9");
    csv_splitter_free(s);
    check_fields(&trim, "   ", "[]");
    check_fields(&trim, " \"\" , \" \" ", "[][ ]");
}
END_TEST

START_TEST(test_csv_lenient_quotes_keep_stray_quotes_as_text)
{
    csv_options lenient = {.lenient_quotes = true};
    check_fields(&lenient, "ab\"c,5\",\"x\"yz,\"p\" q\"r", "[ab\"c][5\"][xyz][p q\"r]");
    csv_splitter *s = split_one(&lenient, "\"x\"yz,b", CSV_RECORD);
    ck_assert_uint_eq(csv_get(s, 0)->len, 3);
    ck_assert(csv_get(s, 0)->quoted);
    ck_assert_int_eq(csv_get(s, 1)->col, 7);
    csv_splitter_free(s);
    /* With trim, blanks before the delimiter go, blanks before text stay. */
    csv_options both = {.lenient_quotes = true, .trim = true};
    check_fields(&both, " \"a\" b  , \"c\"  ", "[a b][c]");
    /* A quote that opens a field still needs its closing one. */
    s = split_one(&lenient, "a,\"b", CSV_MORE);
    long line = 0, col = 0;
    ck_assert_int_eq(csv_finish(s), CSV_ERROR);
    ck_assert_str_eq(csv_error(s, &line, &col), "unterminated quoted field");
    ck_assert_int_eq(col, 3);
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_bare_quotes_are_text_but_text_after_quotes_is_not)
{
    csv_options bare = {.bare_quotes = true};
    check_fields(&bare, "5\" disk,ab\"\"c,\"q\"", "[5\" disk][ab\"\"c][q]");
    check_error(&bare, "\"a\"b", 4, "unexpected text after a quoted field");
}
END_TEST

START_TEST(test_csv_glued_quotes_open_the_next_field)
{
    /* esxtop: an unquoted field glued to the next quoted one. */
    csv_options esxtop = {.trim = true, .glued_quotes = true};
    csv_splitter *s = split_one(&esxtop, "\"t\",   -\"\\\\h\\x\",    73.1\"8.93\",\"\"", CSV_RECORD);
    ck_assert_str_eq(show(s), "[t][-][\\\\h\\x][73.1][8.93][]");
    ck_assert_str_eq(cols(s), "1,8,9,21,25,32");
    ck_assert(!csv_get(s, 1)->quoted);
    ck_assert(csv_get(s, 2)->quoted);
    csv_splitter_free(s);
    /* Blanks before a quote pad that quoted field; they glue nothing. */
    s = split_one(&esxtop, "a,  \"b\"  ,c", CSV_RECORD);
    ck_assert_str_eq(show(s), "[a][b][c]");
    ck_assert_str_eq(cols(s), "1,5,11");
    csv_splitter_free(s);
    /* Trailing blanks of the glued field go with trim. */
    check_fields(&esxtop, "x  \"y\"", "[x][y]");
    /* Without trim the blanks are the glued field. */
    csv_options glued = {.glued_quotes = true};
    check_fields(&glued, "a,  \"b\"", "[a][  ][b]");
    /* The quote opens a field, which must close. */
    s = split_one(&esxtop, "1,2\"3", CSV_MORE);
    long line = 0, col = 0;
    ck_assert_str_eq(show(s), "[1][2]");
    ck_assert_int_eq(csv_finish(s), CSV_ERROR);
    ck_assert_str_eq(csv_error(s, &line, &col), "unterminated quoted field");
    ck_assert_int_eq(col, 4);
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_tab_delimiter_keeps_empty_fields_even_with_trim)
{
    csv_options tab = {.delimiter = '\t'};
    check_fields(&tab, "a\t\tb\t\"c\td\"\t", "[a][][b][c\td][]");
    check_fields(&tab, "a,b\tc", "[a,b][c]");
    csv_options tab_trim = {.delimiter = '\t', .trim = true};
    csv_splitter *s = split_one(&tab_trim, " a \t\t b \t \"c\" ", CSV_RECORD);
    ck_assert_str_eq(show(s), "[a][][b][c]");
    ck_assert_str_eq(cols(s), "2,5,7,11");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_other_delimiters)
{
    csv_options semicolon = {.delimiter = ';'};
    check_fields(&semicolon, "1,5;\"a;b\";2,25", "[1,5][a;b][2,25]");
    csv_options pipe = {.delimiter = '|'};
    check_fields(&pipe, "a|b,c||", "[a][b,c][][]");
}
END_TEST

START_TEST(test_csv_long_plain_lines_split_at_every_delimiter)
{
    /* Fields of every length from 0 to 40 across the 8-byte scan. */
    char line[2048];
    size_t o = 0;
    for (int n = 0; n <= 40; n++) {
        for (int k = 0; k < n; k++)
            line[o++] = (char)('a' + (n + k) % 26);
        line[o++] = ',';
    }
    line[o] = '\0';
    csv_splitter *s = split_one(NULL, line, CSV_RECORD);
    ck_assert_uint_eq(csv_count(s), 42);
    size_t at = 0;
    for (int n = 0; n <= 40; n++) {
        const csv_field *f = csv_get(s, (size_t)n);
        ck_assert_uint_eq(f->len, (size_t)n);
        ck_assert_int_eq(f->col, (long)at + 1);
        ck_assert(memcmp(f->text, line + at, (size_t)n) == 0);
        at += (size_t)n + 1;
    }
    csv_splitter_free(s);
    /* A quote deep in a long unquoted field is found. */
    check_error(NULL, "abcdefghijklmnopqrstuvwxyz\"", 27, "quote inside an unquoted field");
}
END_TEST

START_TEST(test_csv_a_quote_late_in_a_line_splits_it_from_the_start)
{
    /* Plain fields first, then a quoted one: the splitter must not keep
     * what it made of the plain part before it saw the quote. */
    static const char *const lines[] = {
        "a,bb,ccc,\"d,d\"",
        "abcdefghijklmnop,q,\"r\"\"s\"",
        "12345678,1234567,\"x\",123456789",
        "1,2,3,4,5,6,7,8,9,ab\"c",
    };
    static const char *const want[] = {
        "[a][bb][ccc][d,d]",
        "[abcdefghijklmnop][q][r\"s]",
        "[12345678][1234567][x][123456789]",
        "[1][2][3][4][5][6][7][8][9][ab\"c]",
    };
    csv_options bare = {.bare_quotes = true};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        check_fields(&bare, lines[i], want[i]);
    csv_splitter *s = split_one(&bare, lines[2], CSV_RECORD);
    ck_assert_str_eq(cols(s), "1,10,18,22");
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_lines_with_and_without_quotes_split_alike)
{
    /* A line without quoted fields takes a shorter way than one with: the
     * same fields must come out of both, with the same columns. */
    static const char alphabet[] = "ab \t,;x\"";
    uint64_t state = 99;
    char line[80], longer[90];
    int compared = 0, differs = -1;
    for (int round = 0; round < 40000; round++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        /* Quotes inside unquoted fields are text with bare quotes only. */
        csv_options opts = {.delimiter = (state & 1) ? '\t' : ',', .trim = (state >> 1) & 1,
                            .bare_quotes = (state >> 2) & 1};
        size_t len = (size_t)(state >> 58);
        for (size_t k = 0; k < len; k++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            line[k] = alphabet[(state >> 32) % (opts.bare_quotes ? 8 : 7)];
        }
        memcpy(longer, line, len);
        memcpy(longer + len, (char[]){opts.delimiter, '"', '"'}, 3);
        csv_splitter *plain = csv_splitter_new(&opts), *quoted = csv_splitter_new(&opts);
        bool opens = csv_split(plain, line, len, 1) != CSV_RECORD;
        for (size_t i = 0; i < csv_count(plain); i++)
            opens |= csv_get(plain, i)->quoted;
        if (opens) { /* a quote opens a field: not a line without quoted fields */
            csv_splitter_free(plain);
            csv_splitter_free(quoted);
            continue;
        }
        compared++;
        /* Check records every passing assertion: over 40,000 lines that is
         * slow under the sanitizers, so the first difference is kept and
         * asserted once. */
        bool same = csv_split(quoted, longer, len + 3, 1) == CSV_RECORD &&
                    csv_count(quoted) == csv_count(plain) + 1;
        for (size_t i = 0; same && i < csv_count(plain); i++) {
            const csv_field *a = csv_get(plain, i), *b = csv_get(quoted, i);
            same = a->len == b->len && memcmp(a->text, b->text, a->len + 1) == 0 &&
                   a->col == b->col && !a->quoted && !b->quoted;
        }
        if (!same && differs < 0)
            differs = round;
        csv_splitter_free(plain);
        csv_splitter_free(quoted);
    }
    ck_assert_msg(differs < 0, "round %d: the line split differently with a quoted field after it",
                  differs);
    ck_assert_int_gt(compared, 20000);
}
END_TEST

START_TEST(test_csv_fields_array_is_the_fields_one_by_one)
{
    csv_splitter *s = split_one(NULL, "x,\"y\",", CSV_RECORD);
    const csv_field *all = csv_fields(s);
    ck_assert_uint_eq(csv_count(s), 3);
    for (size_t i = 0; i < csv_count(s); i++)
        ck_assert_ptr_eq(&all[i], csv_get(s, i));
    /* None before a record, or when the first field is broken. */
    ck_assert_int_eq(csv_split(s, "\"a\"b", 4, 2), CSV_ERROR);
    ck_assert_uint_eq(csv_count(s), 0);
    ck_assert_ptr_null(csv_fields(s));
    ck_assert_ptr_null(csv_get(s, 0));
    csv_splitter_free(s);
    s = csv_splitter_new(NULL);
    ck_assert_uint_eq(csv_count(s), 0);
    ck_assert_ptr_null(csv_fields(s));
    csv_splitter_free(s);
}
END_TEST

/* A field's CSV text as RFC 4180 writers put it. */
static size_t encode(const char *field, size_t len, bool quote, char *out)
{
    size_t o = 0;
    if (quote)
        out[o++] = '"';
    for (size_t k = 0; k < len; k++) {
        if (field[k] == '"')
            out[o++] = '"';
        out[o++] = field[k];
    }
    if (quote)
        out[o++] = '"';
    return o;
}

START_TEST(test_csv_reads_back_what_rfc_4180_writes)
{
    static const char alphabet[] = "ab ,\"\n\t;";
    uint64_t state = 42;
    csv_splitter *s = csv_splitter_new(NULL);
    for (int round = 0; round < 3000; round++) {
        char fields[8][16];
        size_t lens[8], count = 0, o = 0;
        char text[8 * 40];
        state = state * 6364136223846793005u + 1442695040888963407u;
        count = 1 + (size_t)(state >> 61);
        for (size_t i = 0; i < count; i++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            lens[i] = (size_t)(state >> 60);
            bool must = false;
            for (size_t k = 0; k < lens[i]; k++) {
                fields[i][k] = alphabet[(state >> (4 * k % 56)) % 8];
                must |= fields[i][k] == ',' || fields[i][k] == '"' || fields[i][k] == '\n';
            }
            if (i)
                text[o++] = ',';
            o += encode(fields[i], lens[i], must || (state & 1), text + o);
        }
        /* Feed it line by line, as a reader does. */
        size_t at = 0;
        long line_no = 1;
        csv_status st;
        const char *nl = memchr(text, '\n', o);
        size_t end = nl ? (size_t)(nl - text) : o;
        st = csv_split(s, text, end, line_no);
        while (st == CSV_MORE) {
            ck_assert_ptr_nonnull(nl);
            at = end + 1;
            nl = memchr(text + at, '\n', o - at);
            end = nl ? (size_t)(nl - text) : o;
            st = csv_continue(s, text + at, end - at, ++line_no);
        }
        ck_assert_int_eq(st, CSV_RECORD);
        ck_assert_uint_eq(csv_count(s), count);
        for (size_t i = 0; i < count; i++) {
            const csv_field *f = csv_get(s, i);
            ck_assert_uint_eq(f->len, lens[i]);
            ck_assert(memcmp(f->text, fields[i], lens[i]) == 0);
        }
    }
    csv_splitter_free(s);
}
END_TEST

START_TEST(test_csv_random_bytes_never_break_the_splitter)
{
    /* Any line, any options: a status, and fields that are NUL-terminated
     * and placed within the line. The sanitizer build checks the memory. */
    static const char alphabet[] = "a\"\", \t;x";
    uint64_t state = 7;
    char line[64];
    for (int round = 0; round < 20000; round++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        csv_options opts = {.delimiter = (state & 1) ? '\t' : 0,
                            .trim = (state >> 1) & 1,
                            .lenient_quotes = (state >> 2) & 1,
                            .bare_quotes = (state >> 3) & 1,
                            .glued_quotes = (state >> 4) & 1};
        csv_splitter *s = csv_splitter_new(&opts);
        long line_no = 1;
        csv_status st = CSV_MORE;
        for (int part = 0; part < 3 && st == CSV_MORE; part++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            size_t len = (size_t)(state >> 58);
            for (size_t k = 0; k < len; k++) {
                state = state * 6364136223846793005u + 1442695040888963407u;
                line[k] = alphabet[state >> 61];
            }
            st = part ? csv_continue(s, line, len, line_no) : csv_split(s, line, len, line_no);
            line_no++;
            ck_assert(st == CSV_RECORD || st == CSV_MORE || st == CSV_ERROR);
            for (size_t i = 0; i < csv_count(s); i++) {
                const csv_field *f = csv_get(s, i);
                ck_assert_int_eq(f->text[f->len], '\0');
                ck_assert_int_ge(f->col, 1);
                ck_assert_int_le(f->col, 65);
                ck_assert_int_ge(f->line, 1);
                ck_assert_int_le(f->line, line_no);
            }
            if (st == CSV_ERROR) {
                long l, c;
                ck_assert_str_ne(csv_error(s, &l, &c), "");
                ck_assert_int_ge(c, 1);
            }
        }
        if (st == CSV_MORE)
            ck_assert_int_eq(csv_finish(s), CSV_ERROR);
        csv_splitter_free(s);
    }
}
END_TEST

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, test_csv_splits_plain_fields_with_their_columns);
    tcase_add_test(tc, test_csv_keeps_empty_fields_and_their_columns);
    tcase_add_test(tc, test_csv_empty_line_is_a_record_of_one_empty_field);
    tcase_add_test(tc, test_csv_quoted_fields_hold_delimiters);
    tcase_add_test(tc, test_csv_doubled_quotes_are_one_quote);
    tcase_add_test(tc, test_csv_quoted_field_spans_lines_joined_with_lf);
    tcase_add_test(tc, test_csv_a_line_end_may_follow_the_opening_quote_or_a_doubled_quote);
    tcase_add_test(tc, test_csv_fields_survive_a_record_that_outgrows_the_buffer);
    tcase_add_test(tc, test_csv_finish_reports_the_open_quote_where_it_opened);
    tcase_add_test(tc, test_csv_rejects_a_quote_inside_an_unquoted_field);
    tcase_add_test(tc, test_csv_rejects_text_after_a_quoted_field);
    tcase_add_test(tc, test_csv_trim_drops_blanks_around_fields_but_not_inside_quotes);
    tcase_add_test(tc, test_csv_lenient_quotes_keep_stray_quotes_as_text);
    tcase_add_test(tc, test_csv_bare_quotes_are_text_but_text_after_quotes_is_not);
    tcase_add_test(tc, test_csv_glued_quotes_open_the_next_field);
    tcase_add_test(tc, test_csv_tab_delimiter_keeps_empty_fields_even_with_trim);
    tcase_add_test(tc, test_csv_other_delimiters);
    tcase_add_test(tc, test_csv_long_plain_lines_split_at_every_delimiter);
    tcase_add_test(tc, test_csv_a_quote_late_in_a_line_splits_it_from_the_start);
    tcase_add_test(tc, test_csv_lines_with_and_without_quotes_split_alike);
    tcase_add_test(tc, test_csv_fields_array_is_the_fields_one_by_one);
    tcase_add_test(tc, test_csv_reads_back_what_rfc_4180_writes);
    tcase_add_test(tc, test_csv_random_bytes_never_break_the_splitter);
    suite_add_tcase(s, tc);
    return s;
}
