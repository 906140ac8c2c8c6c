/* xlsx_bench: writes the workbook of a store through the library, so that
 * `make bench` can measure workbook_write() alone (time and peak memory)
 * before the command line offers it.
 * usage: xlsx_bench STORE OUT.xlsx [CHART_DIR] */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "status.h"
#include "store.h"
#include "workbook.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: xlsx_bench STORE OUT.xlsx [CHART_DIR]\n");
        return STATUS_USAGE;
    }
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    int status = store_open(argv[1], STORE_READ_ONLY, &db, diags);
    if (!status) {
        workbook_options opts = {.chart_dir = argc == 4 ? argv[3] : NULL};
        status = workbook_write(db, argv[2], &opts, diags);
        store_close(db);
    }
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        char *line = diag_format(diag_list_get(diags, i));
        fprintf(stderr, "xlsx_bench: %s\n", line);
        free(line);
    }
    diag_list_free(diags);
    return status;
}
