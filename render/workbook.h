/* The Excel workbook of a report (DIR/p3.xlsx), for a client's analyst to
 * open, read and re-check: a Summary sheet of every analysed run and level,
 * one sheet per run (its statistics as formulas over the Samples sheets,
 * cached with p3's own values; the P3 table with a native column chart; the
 * percentile ladder as a line chart; the 3-D chart's PNG; CPU accounting),
 * and Samples sheets holding every delay, sorted by run, level and time.
 * A workbook that would carry more samples than its limit leaves the
 * Samples sheets out: its formulas then re-check what the bucket counts
 * can (n, the shares), and the rest are p3's values, said so on each sheet.
 * Reads the result tables and the samples; written with libxlsxwriter in
 * constant-memory mode, so memory does not grow with the samples. */
#ifndef P3_WORKBOOK_H
#define P3_WORKBOOK_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "p3chart.h"

struct lxw_workbook;
struct lxw_worksheet;

/* Writes one extra sheet after the run sheets: the extension point for the
 * Compare sheet of a report that compares runs. `sheet` has already been
 * added under the hook's name. The workbook is in constant-memory mode, so
 * rows must be written top to bottom, and text from input files must go
 * through worksheet_write_string(). Returns a STATUS_* code; a failure
 * leaves no workbook behind. */
typedef int (*workbook_sheet_fn)(void *ctx, sqlite3 *db, struct lxw_workbook *book,
                                 struct lxw_worksheet *sheet, diag_list *diags);

typedef struct workbook_sheet_hook {
    const char *name;        /* the sheet's name; NULL: "Compare" (no run sheet takes it) */
    workbook_sheet_fn write; /* fills it */
    void *ctx;               /* passed to write */
} workbook_sheet_hook;

/* The most samples a workbook carries by default: a million make about
 * 35 MB of p3.xlsx, which LibreOffice opens in under a minute. */
#define WORKBOOK_SAMPLE_LIMIT 1000000LL
/* workbook_options.sample_limit for a workbook that carries no samples. */
#define WORKBOOK_NO_SAMPLES (-1LL)

/* Optional settings; a NULL options pointer or a zero field means the default. */
typedef struct workbook_options {
    const char *chart_dir;   /* the folder holding <run>/p3.png as render_all() wrote them
                                (named by render_folder_name()); NULL: no images, each run
                                sheet says where the image would have been */
    const char *run_name;    /* only this run; NULL: every analysed run */
    const char *lab;         /* the document's subject; NULL: the name of the folder that
                                holds the runs' folders, where the store knows it */
    long samples_sheet_rows; /* sample rows per Samples sheet; 0: Excel's limit, 1,048,575
                                (a smaller value lets tests span sheets cheaply) */
    p3chart_palette palette; /* the levels' colours in the native charts; default the paper's,
                                as the PNG's (pass the same palette as to the PNG) */
    const workbook_sheet_hook *compare; /* the Compare sheet; NULL: none */
    long long sample_limit;  /* the most samples the Samples sheets may carry in all; 0:
                                WORKBOOK_SAMPLE_LIMIT; WORKBOOK_NO_SAMPLES (or any negative):
                                none. Past it the workbook has no Samples sheets */
} workbook_options;

/* Writes the workbook to path, through a temporary file in the same folder
 * renamed into place, so path holds a whole new workbook or is left as it
 * was. A store without analysed runs gives, with a compare hook, a
 * workbook of the Compare sheet alone. Returns STATUS_OK; STATUS_BAD_INPUT
 * when there is nothing to write (no analysed run and no hook, or run_name
 * unknown); or STATUS_FAILURE with a diagnostic naming path (and
 * libxlsxwriter's or SQLite's reason). */
int workbook_write(sqlite3 *db, const char *path, const workbook_options *opts,
                   diag_list *diags);

/* --workbook-samples N as a sample_limit: N a whole number of samples, 0
 * for none (WORKBOOK_NO_SAMPLES). Returns false, *limit untouched, when
 * text is not a whole number (signs, spaces and overflow included). */
bool workbook_parse_sample_limit(const char *text, long long *limit);

/* s as text a cell can hold: invalid UTF-8 and control characters other
 * than tab and line feed as U+FFFD, cut at Excel's 32,767 characters; for
 * sheet hooks writing text from input files. Caller frees. */
char *workbook_cell_text(const char *s);

/* The name a run's sheet gets before it is made unique: valid for Excel (at
 * most 31 UTF-16 units; none of []:*?/\ or control characters; '!' as '_'
 * and apostrophes as U+2019, so formulas can always quote it; not
 * "History"). Caller frees. */
char *workbook_sheet_name(const char *run);

#endif
