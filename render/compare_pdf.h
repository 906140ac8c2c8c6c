/* The comparison of runs as PDF pages: DIR/compare.pdf of p3 compare -o,
 * and the same pages in the report's "Comparisons" section. Per OTHER run:
 * the summary, both runs' P3s side by side on the same scales, a chart of
 * the bucket shares OTHER minus BASELINE, both percentile ladders over
 * each other, and the statistics table with its verdicts; then how every
 * number is computed. Reads the comparison tables only. */
#ifndef P3_COMPARE_PDF_H
#define P3_COMPARE_PDF_H

#include <sqlite3.h>

#include "compare_results.h"
#include "diag.h"
#include "p3chart.h"
#include "pdfdoc.h"

typedef struct compare_pdf_options {
    p3chart_palette palette;   /* level colours */
    p3chart_overflow overflow; /* the P3s' overflow column */
} compare_pdf_options;

/* Writes the comparisons the store holds to path, whole or not at all.
 * opts may be NULL for the defaults. Returns STATUS_OK; STATUS_BAD_INPUT
 * when the store holds no comparison; or STATUS_FAILURE with a diagnostic
 * naming path. */
int compare_pdf_write(sqlite3 *db, const char *path, const compare_pdf_options *opts,
                      diag_list *diags);

/* Lays out the pages of count comparisons in a document from its current
 * position (the report starts a page for them): a heading and a table of
 * every comparison with its summary, then each comparison (the second and
 * later from a new page), bookmarked, then the methods. What
 * compare_pdf_write() writes; the report's Comparisons section. */
void compare_pdf_pages(pdfdoc *d, const compare_results *list, size_t count,
                       const compare_pdf_options *opts);

#endif
