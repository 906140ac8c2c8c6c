/* The counter store, fed by a scripted reader: values survive the trip
 * through chunked blobs exactly, missing stays missing, memory stays
 * bounded by width, the side of each file is decided as documented, and a
 * file with errors leaves nothing behind. Also the glob that picks
 * counters. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counter_fixture.h"
#include "counter_out.h"
#include "counter_store.h"
#include "glob.h"
#include "ingest.h"
#include "run_ini.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* What the scripted reader pushes: a wide file of `columns` counters named
 * \\<machine>\Obj(i)\C, `rows` rows one second apart, value(r, c) = r*1000+c
 * except where missing(r, c); long_format declares counter c only at row c. */
typedef struct script {
    const char *kind;
    const char *machine;
    size_t columns;
    size_t rows;
    bool long_format;
    bool fail_at_row3; /* report a format error at row 3 */
} script;

static script current;

static bool missing(size_t r, size_t c)
{
    return (r + c) % 7 == 3;
}

static double value_at(size_t r, size_t c)
{
    return (double)r * 1000 + (double)c + 0.25;
}

static int declare(const counter_sink *sink, size_t c, size_t *index)
{
    char path[96], instance[16];
    snprintf(instance, sizeof instance, "%zu", c);
    snprintf(path, sizeof path, "\\\\%s\\Obj(%zu)\\C", current.machine, c);
    counter_path p = {path, current.machine, "Obj", NULL, instance, -1, "C"};
    return sink->counter(sink->ctx, &p, index);
}

static int scripted_read(const char *path, const counter_options *opts, const counter_sink *sink,
                         counter_read_result *result, diag_list *diags)
{
    (void)opts;
    counter_fixture_digest(path, result);
    counter_file_info info = {current.kind, "UTF-8", "Test Time", true, -60, NULL};
    if (sink->file(sink->ctx, &info))
        return STATUS_FAILURE;
    size_t *index = xcalloc(current.columns + 1, sizeof *index);
    int status = STATUS_OK;
    for (size_t c = 0; c < current.columns && !current.long_format && !status; c++)
        status = declare(sink, c, &index[c]);
    for (size_t r = 0; r < current.rows && !status; r++) {
        if (current.fail_at_row3 && r == 3) {
            diag_add(diags, DIAG_ERROR, path, (long)r + 2, 5, "scripted error");
            result->errors = 1;
            break;
        }
        char local[32];
        snprintf(local, sizeof local, "row %zu", r);
        status = sink->row(sink->ctx, (int64_t)(1109671200 + r) * 1000000000, local);
        if (current.long_format && r < current.columns && !status)
            status = declare(sink, r, &index[r]);
        for (size_t c = 0; c < current.columns && !status; c++) {
            if (current.long_format && c > r)
                break;
            if (!missing(r, c))
                status = sink->value(sink->ctx, index[c], value_at(r, c));
        }
    }
    free(index);
    return status ? status : result->errors ? STATUS_BAD_INPUT : STATUS_OK;
}

/* A fresh store and a file to "read" (its bytes only feed the digest). */
typedef struct fixture {
    char *dir, *db_path, *file;
    sqlite3 *db;
    diag_list *diags;
} fixture;

static fixture setup(const char *file_rel, const char *content)
{
    fixture f = {.dir = test_tmpdir("counter-store"), .diags = diag_list_new()};
    f.db_path = xasprintf("%s/p3.db", f.dir);
    f.file = xasprintf("%s/%s", f.dir, file_rel);
    test_write_text(f.file, content);
    ck_assert_int_eq(store_open(f.db_path, STORE_CREATE, &f.db, f.diags), STATUS_OK);
    return f;
}

static void teardown(fixture *f)
{
    store_close(f->db);
    diag_list_free(f->diags);
    free(f->dir), free(f->db_path), free(f->file);
}

static ingest_file_result store_script(fixture *f, const run_spec *spec)
{
    ingest_file_result r;
    counter_options opts = {0};
    counter_store_file(f->db, spec, "run1", f->file, scripted_read, &opts, &r, f->diags);
    return r;
}

/* Exports every counter and checks each line against the script. */
static void check_export_matches_script(fixture *f)
{
    char *out_path = xasprintf("%s/export.csv", f->dir);
    FILE *out = fopen(out_path, "w");
    ck_assert_int_eq(counter_out_export(f->db, NULL, NULL, out, f->diags), STATUS_OK);
    fclose(out);
    FILE *in = fopen(out_path, "r");
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert_str_eq(line, "run,time_utc,path,value\n");
    size_t lines = 0;
    for (size_t c = 0; c < current.columns; c++) {
        for (size_t r = 0; r < current.rows; r++) {
            ck_assert_msg(fgets(line, sizeof line, in) != NULL, "export ends early at %zu/%zu", c,
                          r);
            char want[160], when[32];
            int64_t t = (int64_t)(1109671200 + r);
            time_t tt = (time_t)t;
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&tt));
            bool absent = missing(r, c) || (current.long_format && r < c);
            if (absent)
                snprintf(want, sizeof want, "run1,%s,\\\\%s\\Obj(%zu)\\C,\n", when, current.machine,
                         c);
            else
                snprintf(want, sizeof want, "run1,%s,\\\\%s\\Obj(%zu)\\C,%.2f\n", when,
                         current.machine, c, value_at(r, c));
            ck_assert_str_eq(line, want);
            lines++;
        }
    }
    ck_assert_ptr_null(fgets(line, sizeof line, in));
    fclose(in);
    ck_assert_uint_eq(lines, current.columns * current.rows);
    free(out_path);
}

START_TEST(test_counter_store_round_trips_values_across_chunks_and_keeps_missing_missing)
{
    /* 3 counters: chunks of 4096 rows; 9000 rows make three chunks. */
    current = (script){"perfmon", "HOST01", 3, 9000, false, false};
    fixture f = setup("host.csv", "bytes of a perfmon file\n");
    run_spec spec = {.name = "run1"};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    ck_assert_int_eq(test_query_int(f.db, "SELECT chunk_rows FROM counter_file"), 4096);
    ck_assert_int_eq(test_query_int(f.db, "SELECT count(*) FROM counter_chunk"), 9);
    ck_assert_int_eq(test_query_int(f.db, "SELECT rows FROM counter_file"), 9000);
    /* samples counts only present values: (r + c) % 7 == 3 are missing. */
    long long present = 0;
    for (size_t r2 = 0; r2 < 9000; r2++)
        present += !missing(r2, 1);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT samples FROM counter WHERE instance = '1'");
    ck_assert_int_eq(test_query_int(f.db, sql), present);
    check_export_matches_script(&f);
    ingest_file_result_clear(&r);
    teardown(&f);
}
END_TEST

START_TEST(test_counter_store_keeps_memory_by_width_with_short_chunks_for_wide_files)
{
    current = (script){"esxtop", "esx01", 100000, 3, false, false};
    fixture f = setup("wide.csv", "wide\n");
    run_spec spec = {.name = "run1"};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    /* 2^21 buffered values over 100,000 counters: 20 rows per chunk. */
    ck_assert_int_eq(test_query_int(f.db, "SELECT chunk_rows FROM counter_file"), 20);
    ck_assert_int_eq(test_query_int(f.db, "SELECT count(*) FROM counter"), 100000);
    ck_assert_int_eq(test_query_int(f.db, "SELECT samples FROM counter WHERE instance = '99999'"),
                     3 - missing(0, 99999) - missing(1, 99999) - missing(2, 99999));
    ingest_file_result_clear(&r);
    teardown(&f);
}
END_TEST

START_TEST(test_counter_store_takes_counters_declared_after_rows_began)
{
    current = (script){"pidstat", "linuxhost", 5, 40, true, false};
    fixture f = setup("pidstat.txt", "pidstat\n");
    run_spec spec = {.name = "run1"};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    ck_assert_int_eq(test_query_int(f.db, "SELECT chunk_rows FROM counter_file"), 256);
    check_export_matches_script(&f);
    ingest_file_result_clear(&r);
    teardown(&f);
}
END_TEST

START_TEST(test_counter_store_stores_nothing_of_a_file_with_errors)
{
    current = (script){"perfmon", "HOST01", 4, 10, false, true};
    fixture f = setup("bad.csv", "bad\n");
    run_spec spec = {.name = "run1"};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_REJECTED);
    static const char *const tables[] = {"run", "source_file", "counter_file", "counter",
                                         "counter_row", "counter_chunk"};
    for (size_t i = 0; i < 6; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        ck_assert_msg(test_query_int(f.db, sql) == 0, "%s is not empty", tables[i]);
    }
    ingest_file_result_clear(&r);
    teardown(&f);
}
END_TEST

START_TEST(test_counter_store_skips_a_file_already_stored)
{
    current = (script){"perfmon", "HOST01", 2, 5, false, false};
    fixture f = setup("a.csv", "same bytes\n");
    run_spec spec = {.name = "run1"};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    ingest_file_result_clear(&r);
    r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_DUPLICATE);
    ck_assert_int_eq(test_query_int(f.db, "SELECT count(*) FROM counter_file"), 1);
    ingest_file_result_clear(&r);
    teardown(&f);
}
END_TEST

/* Side of a file named rel, with machine in its paths, in a run whose
 * run.ini says host and guest. */
static char *side_of(const char *rel, const char *kind, const char *machine)
{
    current = (script){kind, machine, 2, 2, false, false};
    fixture f = setup(rel, rel);
    char *ini_path = xasprintf("%s/run.ini", f.dir);
    test_write_text(ini_path, "[run]\nhost = VSHOST01\nguest = W2K-GUEST08\n");
    run_ini *ini;
    ck_assert_int_eq(run_ini_read(ini_path, &ini, f.diags), STATUS_OK);
    run_spec spec = {.name = "run1", .folder = f.dir, .ini = ini, .ini_path = ini_path};
    ingest_file_result r = store_script(&f, &spec);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    char *side = test_query_text(f.db, "SELECT side || ': ' || side_reason FROM counter_file");
    size_t warnings = 0;
    for (size_t i = 0; i < diag_list_count(f.diags); i++)
        warnings += diag_list_get(f.diags, i)->severity == DIAG_WARNING;
    if (strncmp(side, "unknown", 7) == 0)
        ck_assert_uint_eq(warnings, 1);
    else
        ck_assert_uint_eq(warnings, 0);
    ingest_file_result_clear(&r);
    run_ini_free(ini);
    free(ini_path);
    teardown(&f);
    return side;
}

START_TEST(test_counter_store_decides_the_side_by_machine_then_folder_then_format)
{
    char *s = side_of("x.csv", "perfmon", "vshost01.lab.local");
    ck_assert_str_eq(s, "host: its counters are of machine 'vshost01.lab.local', the run's host");
    free(s);
    s = side_of("host/x.csv", "perfmon", "W2K-GUEST08");
    ck_assert_str_eq(s, "guest: its counters are of machine 'W2K-GUEST08', the run's guest");
    free(s);
    s = side_of("Host/x.csv", "perfmon", "OTHER");
    ck_assert_str_eq(s, "host: it is in a host/ folder");
    free(s);
    s = side_of("x.csv", "esxtop", "localhost.home");
    ck_assert_str_eq(s, "host: esxtop runs on the host");
    free(s);
    s = side_of("x.csv", "perfmon", "OTHER");
    ck_assert_str_eq(s,
                     "unknown: neither its machine nor its folder says; treated as the guest's own");
    free(s);
}
END_TEST

START_TEST(test_counter_store_finds_the_virtual_machine_a_counter_measures)
{
    static const struct {
        const char *object, *instance, *vm;
    } cases[] = {
        {"Group Cpu", "12345:web-01", "web-01"},
        {"Group Cpu", "1:system", "system"},
        {"Hyper-V Hypervisor Virtual Processor", "SQL01:Hv VP 0", "SQL01"},
        {"Virtual Machines", "W2K-GUEST08", "W2K-GUEST08"},
        {"Domain", "fedora36", "fedora36"},
        {"Process", "qemu:web02", "web02"},
        {"Process", "vmware-vmx", NULL},
        {"Processor", "_Total", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        counter_path p = {"x", "m", cases[i].object, NULL, cases[i].instance, -1, "c"};
        char *vm = counter_store_vm_of(&p);
        if (cases[i].vm)
            ck_assert_msg(vm && strcmp(vm, cases[i].vm) == 0, "%s(%s): got %s", cases[i].object,
                          cases[i].instance, vm ? vm : "NULL");
        else
            ck_assert_msg(vm == NULL, "%s(%s): got %s", cases[i].object, cases[i].instance, vm);
        free(vm);
    }
}
END_TEST

/* A UTF-8 sequence cut short at the end of the text: `?` and `*` stop at
 * the NUL rather than read past it (the sanitizer build checks that). */
START_TEST(test_glob_stops_at_a_cut_utf8_sequence)
{
    ck_assert(glob_match("?", "\xF0"));
    ck_assert(!glob_match("??", "\xF0"));
    ck_assert(glob_match("*x", "\xE2x"));
    ck_assert(!glob_match("*y", "\xC3"));
    ck_assert(glob_match("a?", "a\xF0\x9F"));
}
END_TEST

START_TEST(test_glob_matches_counter_paths_ignoring_case)
{
    const char *path = "\\\\VSHOST01\\Process(vmware-vmx#3)\\% Processor Time";
    ck_assert(glob_match("*\\process(vmware-vmx*)\\% processor time", path));
    ck_assert(glob_match("\\\\vshost01\\*", path));
    ck_assert(glob_match("*#?)*", path));
    ck_assert(!glob_match("*\\Processor(_Total)\\*", path));
    ck_assert(!glob_match("\\\\VSHOST01", path));
    ck_assert(glob_match("*", ""));
    ck_assert(glob_match("*загруж*", "\\\\DESKTOP\\Процесс(x)\\% загруженности процессора"));
    ck_assert(glob_match("?роцесс", "Процесс"));
    ck_assert(!glob_match("a*b*c*d*e*f", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdexxxxxxxxxxx"));
}
END_TEST

Suite *counter_store_suite(void)
{
    Suite *s = suite_create("counter_store");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_counter_store_round_trips_values_across_chunks_and_keeps_missing_missing);
    tcase_add_test(tc, test_counter_store_keeps_memory_by_width_with_short_chunks_for_wide_files);
    tcase_add_test(tc, test_counter_store_takes_counters_declared_after_rows_began);
    tcase_add_test(tc, test_counter_store_stores_nothing_of_a_file_with_errors);
    tcase_add_test(tc, test_counter_store_skips_a_file_already_stored);
    tcase_add_test(tc, test_counter_store_decides_the_side_by_machine_then_folder_then_format);
    tcase_add_test(tc, test_counter_store_finds_the_virtual_machine_a_counter_measures);
    tcase_add_test(tc, test_glob_matches_counter_paths_ignoring_case);
    tcase_add_test(tc, test_glob_stops_at_a_cut_utf8_sequence);
    suite_add_tcase(s, tc);
    return s;
}
