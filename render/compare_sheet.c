#include "compare_sheet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "compare_out.h"
#include "compare_results.h"
#include "status.h"
#include "xalloc.h"

/* Rows above the table: a title, what the numbers are, a blank line. */
#define HEAD_ROW 3

/* The sheet being written; libxlsxwriter's first error is kept and later
 * writes do nothing, as in workbook.c. */
typedef struct sheet {
    lxw_worksheet *ws;
    lxw_error err;
    lxw_format *title, *head, *note, *ms, *points, *statistic, *p_value, *count, *better, *worse;
} sheet;

static void check(sheet *s, lxw_error err)
{
    if (err && !s->err)
        s->err = err;
}

/* Text from the store, which comes from input files: always a string cell. */
static void put_text(sheet *s, lxw_row_t r, lxw_col_t c, const char *text, lxw_format *f)
{
    if (s->err || !text || !*text)
        return;
    char *clean = workbook_cell_text(text);
    check(s, worksheet_write_string(s->ws, r, c, clean, f));
    free(clean);
}

static void put_num(sheet *s, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (!s->err && isfinite(v))
        check(s, worksheet_write_number(s->ws, r, c, v, f));
}

static lxw_format *new_format(lxw_workbook *book, const char *num_format)
{
    lxw_format *f = workbook_add_format(book);
    if (f && num_format)
        format_set_num_format(f, num_format);
    return f;
}

/* The cells show rounded figures; they hold p3's full values. */
static bool make_formats(sheet *s, lxw_workbook *book)
{
    if (!(s->title = new_format(book, NULL)) || !(s->head = new_format(book, NULL)) ||
        !(s->note = new_format(book, NULL)) || !(s->ms = new_format(book, "+0.0;-0.0;0.0")) ||
        !(s->points = new_format(book, "+0.00;-0.00;0.00")) ||
        !(s->statistic = new_format(book, "0.0###")) ||
        !(s->p_value = new_format(book, "0.00E+00")) || !(s->count = new_format(book, "#,##0")) ||
        !(s->better = new_format(book, NULL)) || !(s->worse = new_format(book, NULL)))
        return false;
    format_set_bold(s->title);
    format_set_font_size(s->title, 14);
    format_set_bold(s->head);
    format_set_bottom(s->head, LXW_BORDER_THIN);
    format_set_italic(s->note);
    /* Excel's "green fill with dark green text" and "light red fill with dark red text". */
    format_set_bg_color(s->better, 0xC6EFCE);
    format_set_font_color(s->better, 0x006100);
    format_set_bg_color(s->worse, 0xFFC7CE);
    format_set_font_color(s->worse, 0x9C0006);
    return true;
}

static lxw_format *kind_format(const sheet *s, compare_out_kind kind)
{
    switch (kind) {
    case COMPARE_OUT_MS: return s->ms;
    case COMPARE_OUT_POINTS: return s->points;
    case COMPARE_OUT_COUNT: return s->count;
    case COMPARE_OUT_STATISTIC: return s->statistic;
    case COMPARE_OUT_P_VALUE: return s->p_value;
    case COMPARE_OUT_TEXT: break;
    }
    return NULL;
}

static lxw_format *verdict_format(const sheet *s, const char *verdict)
{
    if (verdict && strcmp(verdict, "better") == 0)
        return s->better;
    if (verdict && strcmp(verdict, "worse") == 0)
        return s->worse;
    return NULL;
}

/* The header and a row per comparison and level: the CSV's columns. */
static lxw_row_t write_table(sheet *s, const compare_results *list, size_t count)
{
    size_t columns = compare_out_column_count();
    char *line = xasprintf("%.15g", list[0].endurance_ms);
    const char *const first[3] = {"baseline", "other", "level"};
    for (lxw_col_t c = 0; c < 3; c++)
        put_text(s, HEAD_ROW, c, first[c], s->head);
    for (size_t k = 0; k < columns; k++) {
        char *name = compare_out_column_name(k, line);
        put_text(s, HEAD_ROW, (lxw_col_t)(3 + k), name, s->head);
        free(name);
    }
    free(line);
    lxw_row_t row = HEAD_ROW + 1;
    for (size_t i = 0; i < count; i++) {
        const compare_results *c = &list[i];
        for (size_t j = 0; j < c->level_count; j++, row++) {
            put_text(s, row, 0, c->baseline, NULL);
            put_text(s, row, 1, c->other, NULL);
            put_text(s, row, 2, c->sides[0].levels[j].name, NULL);
            for (size_t k = 0; k < columns; k++) {
                lxw_col_t col = (lxw_col_t)(3 + k);
                compare_out_kind kind = compare_out_column_kind(k);
                if (kind == COMPARE_OUT_TEXT) {
                    const char *text = compare_out_text(c, j, k);
                    put_text(s, row, col, text, verdict_format(s, text));
                } else {
                    put_num(s, row, col, compare_out_number(c, j, k), kind_format(s, kind));
                }
            }
        }
    }
    if (!s->err)
        check(s, worksheet_autofilter(s->ws, HEAD_ROW, 0, row - 1,
                                      (lxw_col_t)(3 + columns - 1)));
    return row;
}

static int write_sheet(void *ctx, sqlite3 *db, lxw_workbook *book, lxw_worksheet *ws,
                       diag_list *diags)
{
    (void)ctx;
    compare_results *list;
    size_t count;
    int status = compare_results_read(db, &list, &count, diags);
    if (status)
        return status;
    sheet s = {.ws = ws};
    if (!make_formats(&s, book))
        s.err = LXW_ERROR_MEMORY_MALLOC_FAILED;
    put_text(&s, 0, 0, "Comparisons of runs", s.title);
    put_text(&s, 1, 0,
             "Differences are OTHER minus BASELINE, in ms (shares over the endurance line in "
             "percentage points), with 95 % confidence intervals (_lo, _hi); below zero, OTHER "
             "is faster. Verdicts hold at a family-wise 5 % level (Holm). The README's "
             "\"Comparing runs\" tells how each figure is computed.",
             s.note);
    if (!s.err) {
        check(&s, worksheet_set_column(ws, 0, 2, 16, NULL));
        check(&s, worksheet_set_column(ws, 3, (lxw_col_t)(3 + compare_out_column_count()), 13,
                                       NULL));
        worksheet_freeze_panes(ws, HEAD_ROW + 1, 3);
    }
    lxw_row_t row = count ? write_table(&s, list, count) + 1 : HEAD_ROW;
    if (count)
        put_text(&s, row++, 0, "Summary", s.head);
    for (size_t i = 0; i < count; i++, row++) {
        char *line = xasprintf("%s against %s: %s", list[i].other, list[i].baseline,
                               list[i].summary);
        put_text(&s, row, 0, line, NULL);
        free(line);
    }
    if (s.err) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "cannot write the sheet 'Compare': %s",
                 lxw_strerror(s.err));
        status = STATUS_FAILURE;
    }
    compare_results_free(list, count);
    return status;
}

const workbook_sheet_hook compare_sheet_hook = {"Compare", write_sheet, NULL};
