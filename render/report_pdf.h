/* The consulting report, DIR/report.pdf: a cover (lab, dates of the data,
 * runs and samples, p3 version, contents), a summary table of every run,
 * per run its P3, statistics, companion charts, description and notes, and
 * an appendix stating the conventions behind the numbers. A4 pages, text
 * as text with its font embedded, the same bytes for the same store. Reads
 * the result tables only. */
#ifndef P3_REPORT_PDF_H
#define P3_REPORT_PDF_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "p3chart.h"

typedef struct report_pdf_options {
    const char *title;         /* the lab's name on the cover; NULL: the name of the folder
                                  that holds the runs' folders, else "p3 report" */
    const char *run_name;      /* only this run; NULL: every analysed run */
    p3chart_overflow overflow; /* the P3s' overflow column */
    p3chart_palette palette;   /* level colours */
    bool log_delay;            /* the cumulative distributions' delay axis logarithmic */
} report_pdf_options;

/* Writes the report to path, whole or not at all. opts may be NULL for the
 * defaults. Returns STATUS_OK; STATUS_BAD_INPUT when there is nothing to
 * report (no analysed run, run_name unknown); or STATUS_FAILURE with a
 * diagnostic naming path. */
int report_pdf_write(sqlite3 *db, const char *path, const report_pdf_options *opts,
                     diag_list *diags);

/* The cover's lab name when none is given: the last component of the
 * longest folder that holds every run folder ("lab" for samples/lab/a and
 * samples/lab/b), or NULL when the runs have no folder in common. folders
 * may hold NULLs (runs from lone files), which are skipped. Caller frees. */
char *report_pdf_lab_name(const char *const *folders, size_t count);

#endif
