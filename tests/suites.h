/* Every Check suite of the project, one per module; check_main.c runs them
 * all. A module's tests live in tests/check_<module>.c. */
#ifndef P3_TEST_SUITES_H
#define P3_TEST_SUITES_H

#include <check.h>

Suite *sha256_suite(void);
Suite *decimal_suite(void);
Suite *isotime_suite(void);
Suite *line_reader_suite(void);
Suite *probe_reader_suite(void);
Suite *ingest_suite(void);
Suite *stats_suite(void);
Suite *analyze_suite(void);
Suite *stats_out_suite(void);
Suite *canvas_suite(void);
Suite *p3chart_suite(void);
Suite *charts_suite(void);
Suite *report_pdf_suite(void);
Suite *store_suite(void);
Suite *cli_suite(void);
Suite *pdh_reader_suite(void);
Suite *sysstat_reader_suite(void);
Suite *virttop_reader_suite(void);
Suite *counter_store_suite(void);
Suite *probdist_suite(void);
Suite *cpu_suite(void);
Suite *corpus_suite(void);
Suite *sim_suite(void);
Suite *paper_suite(void);
Suite *compare_stats_suite(void);
Suite *compare_suite(void);
Suite *workbook_suite(void);
Suite *csv_suite(void);
Suite *jtl_reader_suite(void);
Suite *k6_reader_suite(void);
Suite *locust_reader_suite(void);
Suite *gatling_reader_suite(void);
Suite *hlog_reader_suite(void);
Suite *fio_reader_suite(void);
Suite *loadtest_suite(void);
Suite *vmstat_reader_suite(void);
Suite *probe_suite(void);
Suite *ingest_robust_suite(void);
Suite *fuzz_regress_suite(void);
Suite *install_suite(void);
Suite *i18n_suite(void);

#endif
