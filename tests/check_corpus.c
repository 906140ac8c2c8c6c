/* Every counter file of the shared corpus through `p3 ingest` into a store:
 * the number of stored values (the counters' samples) equals the number of
 * non-blank cells of counter columns, counted independently (a Python csv
 * module count for the PDH files, recorded in tests/check_pdh_reader.c;
 * a naive count for the sysstat files, recorded in
 * tests/check_sysstat_reader.c), and the layouts p3 does not read are
 * refused with exit 1. Skipped with a message when ../shared/corpus is
 * absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

typedef struct corpus_file {
    const char *name;     /* under the corpus folder */
    const char *options[5]; /* ingest options, NULL-terminated */
    int status;           /* exit status expected */
    long long values;     /* non-blank counter cells */
} corpus_file;

static const corpus_file files[] = {
    {"perfmon/iverson_cst_gpu_2633cols.csv", {NULL}, 0, 159027},
    {"perfmon/jg185342_edt_process_bytes.csv", {NULL}, 0, 1664},
    {"perfmon/narmadha_ist_logicaldisk.csv", {NULL}, 0, 244},
    {"perfmon/sirisaac_tokyo_5964cols.csv", {NULL}, 0, 91563},
    {"perfmon/waflia_ru_cp1251_1105cols.csv", {"--encoding", "CP1251", "--tz", "+03:00", NULL}, 0,
     27871},
    {"perfmon/wfjsg_ja_cp932_desc_column.csv", {"--encoding", "CP932", NULL}, 0, 6478},
    {"perfmon/wfjsg_ja_cp932_gpu_755cols.csv", {"--encoding", "CP932", NULL}, 0, 396511},
    {"perfmon/wfjsg_ja_excel_resaved_unquoted.csv", {"--encoding", "CP932", NULL}, 0, 6478},
    {"esxtop/rach-sharp_esxtop_17427cols.csv", {NULL}, 0, 52275},
    {"esxtop/rach-sharp_small_esxtop_7632cols_trailing_comma.csv", {NULL}, 0, 22890},
    {"esxtop/gsliu_esxtop_subset_excel_resaved.csv", {NULL}, 0, 5654},
    {"esxtop/gsliu_esxtop_subset_cr_only_eol.csv", {"--date", "2015-03-26", NULL}, 0, 600},
    {"sar/sysstat_expected.sadf-d.txt", {NULL}, 0, 3399},
    {"sar/sysstat_expected.data-11.6.5-sadf-d.txt", {NULL}, 0, 34},
    {"sar/mw2q_monetdb_centos7_sar-u.txt", {NULL}, 0, 246},
    {"pidstat/mw2q_monetdb_centos7_pidstat-h-l_epoch.txt", {NULL}, 0, 64596},
    {"pidstat/sysstat_expected.pidstat-At.txt", {NULL}, 0, 287},
    /* Layouts that cannot be read reliably are refused, not misread. */
    {"sar/sysstat_expected.sadf-dh.txt", {NULL}, STATUS_BAD_INPUT, 0},
    {"sar/sysstat_expected.sar-A.txt", {NULL}, STATUS_BAD_INPUT, 0},
};

/* Sum of the samples column of `p3 counters --format csv`. */
static long long stored_values(const char *db)
{
    const char *args[] = {"counters", "--db", db, "--format", "csv", NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "p3 counters: %s", r.err);
    long long sum = 0;
    char *line = strchr(r.out, '\n'); /* past the header */
    while (line && line[1]) {
        line++;
        /* run,file,path,side,samples,... : samples is the 5th field, and
         * only file and path can hold quoted commas, so count from the end:
         * samples is followed by min, mean and max. */
        char *end = strchr(line, '\n');
        char *p = end;
        for (int commas = 0; p > line && commas < 4; p--)
            commas += p[-1] == ',';
        sum += atoll(p + 1);
        line = end;
    }
    test_run_free(&r);
    return sum;
}

START_TEST(test_corpus_every_counter_file_stores_every_value)
{
    char *corpus = test_corpus_dir();
    ck_assert_ptr_nonnull(corpus); /* the suite adds these tests only then */
    char *dir = test_tmpdir("corpus");
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        const corpus_file *f = &files[i];
        char *db = xasprintf("%s/%zu.db", dir, i);
        char *path = xasprintf("%s/%s", corpus, f->name);
        const char *args[12] = {"ingest", "--db", db};
        size_t n = 3;
        for (size_t k = 0; f->options[k]; k++)
            args[n++] = f->options[k];
        args[n++] = path;
        args[n] = NULL;
        test_run r = test_p3(NULL, args);
        ck_assert_msg(r.status == f->status, "%s: exit %d, stderr:\n%s", f->name, r.status, r.err);
        /* Never an error for a file that reads; warnings are allowed. */
        if (f->status == 0)
            ck_assert_msg(strstr(r.err, ": error: ") == NULL, "%s: %s", f->name, r.err);
        test_run_free(&r);
        if (f->status == 0) {
            long long got = stored_values(db);
            ck_assert_msg(got == f->values, "%s: stored %lld values, the file has %lld", f->name,
                          got, f->values);
        }
        free(db);
        free(path);
    }
    free(dir);
    free(corpus);
}
END_TEST

START_TEST(test_corpus_localized_names_export_with_their_values)
{
    char *corpus = test_corpus_dir();
    ck_assert_ptr_nonnull(corpus); /* the suite adds these tests only then */
    char *dir = test_tmpdir("corpus-ru");
    char *db = xasprintf("%s/p3.db", dir);
    char *path = xasprintf("%s/perfmon/waflia_ru_cp1251_1105cols.csv", corpus);
    const char *ingest[] = {"ingest", "--db", db, "--encoding", "CP1251", "--tz", "+03:00",
                            path, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    /* A Cyrillic counter, matched case-insensitively in its ASCII part. */
    const char *export[] = {"export", "--db", db, "--counter", "*\\Процесс(Idle)\\*", NULL};
    r = test_p3(NULL, export);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strncmp(r.out, "run,time_utc,path,value\n", 24) == 0);
    /* Local 16:48:17.954 at +03:00 is 13:48:17.954 UTC. */
    ck_assert_ptr_nonnull(strstr(r.out, ",2021-09-20T13:48:17.954Z,\\\\DESKTOP-LRPVSK4\\Процесс(Idle)"
                                        "\\% загруженности процессора,"));
    test_run_free(&r);
    free(path), free(db), free(dir), free(corpus);
}
END_TEST

START_TEST(test_corpus_side_follows_the_run_ini_host)
{
    char *corpus = test_corpus_dir();
    ck_assert_ptr_nonnull(corpus); /* the suite adds these tests only then */
    /* The esxtop file in a run whose run.ini names its host: host side,
     * and its VM groups named for analysis. */
    char *dir = test_tmpdir("corpus-side");
    char *run = xasprintf("%s/run", dir), *db = xasprintf("%s/p3.db", dir);
    char *ini = xasprintf("%s/run.ini", run), *copy = xasprintf("%s/esxtop.csv", run);
    char *src = xasprintf("%s/esxtop/rach-sharp_small_esxtop_7632cols_trailing_comma.csv", corpus);
    test_write_text(ini, "[run]\nhost = localhost.home\n");
    size_t len;
    char *bytes = test_read_file(src, &len);
    test_write_file(copy, bytes, len);
    free(bytes);
    const char *ingest[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_msg(r.status == 0 && r.err[0] == '\0', "%s", r.err);
    test_run_free(&r);
    const char *list[] = {"counters", "--db", db, "--format", "csv", "*\\Group Cpu(*)\\% Used", NULL};
    r = test_p3(NULL, list);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, ",\\\\localhost.home\\Group Cpu(1:system)\\% Used,host,3,"));
    ck_assert_ptr_null(strstr(r.out, ",unknown,"));
    test_run_free(&r);
    free(src), free(copy), free(ini), free(db), free(run), free(dir), free(corpus);
}
END_TEST

Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    /* The shared corpus lives beside the project, not in it: without it
     * there is nothing to test, and the suite says so rather than passing. */
    char *corpus = test_corpus_dir();
    if (corpus) {
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 240);
        tcase_add_test(tc, test_corpus_every_counter_file_stores_every_value);
        tcase_add_test(tc, test_corpus_localized_names_export_with_their_values);
        tcase_add_test(tc, test_corpus_side_follows_the_run_ini_host);
        suite_add_tcase(s, tc);
    } else {
        printf("corpus: ../shared/corpus not found; corpus tests skipped\n");
    }
    free(corpus);
    return s;
}
