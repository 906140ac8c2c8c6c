/* Runs every suite. CK_FORK (the default) isolates each test in its own
 * process, so a crash fails one test rather than the run. Set
 * CK_RUN_SUITE=<name> to run one suite. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    Suite *(*const suites[])(void) = {
        sha256_suite,   decimal_suite, isotime_suite,   line_reader_suite,
        probe_reader_suite, ingest_suite, stats_suite, analyze_suite,
        stats_out_suite, canvas_suite, p3chart_suite, charts_suite, report_pdf_suite, store_suite, cli_suite,
        pdh_reader_suite, sysstat_reader_suite, virttop_reader_suite, counter_store_suite,
        probdist_suite, cpu_suite, corpus_suite, sim_suite, paper_suite, compare_stats_suite,
        compare_suite, workbook_suite, csv_suite, jtl_reader_suite, k6_reader_suite,
        locust_reader_suite, gatling_reader_suite, hlog_reader_suite, fio_reader_suite,
        loadtest_suite, vmstat_reader_suite, probe_suite,
        ingest_robust_suite, fuzz_regress_suite, install_suite, i18n_suite,
    };
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        srunner_add_suite(runner, suites[i]());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
