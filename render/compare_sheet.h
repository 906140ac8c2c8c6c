/* The Compare sheet of the workbook (DIR/p3.xlsx): the comparisons a store
 * holds as the CSV of p3 compare lays them out, one row per OTHER run and
 * level, with a title, the summary lines and the methods. Written through
 * workbook.h's sheet hook. */
#ifndef P3_COMPARE_SHEET_H
#define P3_COMPARE_SHEET_H

#include "workbook.h"

/* The hook for workbook_options.compare, for a store that holds
 * comparisons (compare_results_any()). */
extern const workbook_sheet_hook compare_sheet_hook;

#endif
