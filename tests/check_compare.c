/* p3 compare end to end, on the paper's figures 9 and 10 simulated once
 * for the suite: a run against itself differs nowhere; priority
 * management under the cap (figure 10) is better than the cap alone
 * (figure 9) at the loaded levels; the CSV's header is the promised one
 * and its numbers are compare_stats' on the same samples; run folders,
 * stores and STORE#RUN name the same runs; a first-version store is read
 * without a byte changing and a newer one refused; a level only one run
 * has is shown as such; bad arguments get exact messages; -o writes
 * compare.pdf and a workbook with the Compare sheet; p3 report --baseline
 * puts the comparisons into its report. And render/compare_out's CSV and
 * JSON on a store written in process. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "compare.h"
#include "compare_out.h"
#include "compare_stats.h"
#include "schema_scripts.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* The header p3 compare's CSV starts with, as the issue and README give it. */
static const char csv_head[] =
    "baseline,other,level,n_baseline,n_other,diff_mean_ms,diff_mean_lo,diff_mean_hi,"
    "diff_p50_ms,diff_p95_ms,diff_p95_lo,diff_p95_hi,diff_p99_ms,diff_pct_over_1000,mw_u,mw_p,"
    "ks_d,ks_p,cliffs_delta,p_holm,verdict";

static const char *const levels[] = {"None", "Low", "Medium", "Busy", "Maximum", "Overload"};
#define LEVELS 6

/* What the suite's fixture made: the lab folder with fig09 and fig10, the
 * store they were ingested into, and why the fixture failed, if it did. */
static char *lab_dir, *fig09_dir, *fig10_dir, *lab_db;
static char *setup_error;

static void make_lab(void)
{
    char *dir = test_tmpdir("compare");
    lab_dir = xasprintf("%s/lab", dir);
    fig09_dir = xasprintf("%s/fig09", lab_dir);
    fig10_dir = xasprintf("%s/fig10", lab_dir);
    lab_db = xasprintf("%s/lab.db", dir);
    char *fig09 = test_source_path("samples/paper-2005/fig09.ini");
    char *fig10 = test_source_path("samples/paper-2005/fig10.ini");
    const char *simulate[] = {"simulate", "--lab", lab_dir, fig09, fig10, NULL};
    test_run r = test_p3(NULL, simulate);
    if (r.status != 0)
        setup_error = xasprintf("p3 simulate failed (%d): %s", r.status, r.err);
    test_run_free(&r);
    const char *ingest[] = {"ingest", "--db", lab_db, lab_dir, NULL};
    if (!setup_error) {
        r = test_p3(NULL, ingest);
        if (r.status != 0)
            setup_error = xasprintf("p3 ingest failed (%d): %s", r.status, r.err);
        test_run_free(&r);
    }
    free(fig09), free(fig10), free(dir);
}

static void free_lab(void)
{
    free(lab_dir), free(fig09_dir), free(fig10_dir), free(lab_db);
    free(setup_error);
}

static void need_lab(void)
{
    ck_assert_msg(!setup_error, "%s", setup_error ? setup_error : "");
}

/* ---- reading the CSV ---- */

/* A CSV without quoted fields, split into lines and fields in place. */
typedef struct csv {
    char *text;
    char **head;
    size_t columns;
    char ***rows;
    size_t count;
} csv;

static size_t split(char *line, char ***fields)
{
    size_t n = 0;
    *fields = NULL;
    for (char *p = line;;) {
        *fields = xreallocarray(*fields, n + 1, sizeof **fields);
        (*fields)[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

static csv csv_parse(const char *text)
{
    csv c = {xstrdup(text), NULL, 0, NULL, 0};
    char *save = NULL, *line = strtok_r(c.text, "\n", &save);
    ck_assert_ptr_nonnull(line);
    c.columns = split(line, &c.head);
    while ((line = strtok_r(NULL, "\n", &save))) {
        c.rows = xreallocarray(c.rows, c.count + 1, sizeof *c.rows);
        ck_assert_uint_eq(split(line, &c.rows[c.count]), c.columns);
        c.count++;
    }
    return c;
}

static void csv_free(csv *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->rows[i]);
    free(c->rows);
    free(c->head);
    free(c->text);
}

static const char *field(const csv *c, size_t row, const char *name)
{
    for (size_t k = 0; k < c->columns; k++)
        if (strcmp(c->head[k], name) == 0)
            return c->rows[row][k];
    ck_abort_msg("no column %s", name);
    return NULL;
}

/* The row of a level (of the only comparison). */
static size_t row_of(const csv *c, const char *level)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(field(c, i, "level"), level) == 0)
            return i;
    ck_abort_msg("no row for level %s", level);
    return 0;
}

/* p3 compare ARGS... --format csv; fails the test unless it exits 0. */
static csv compare_csv(const char *baseline, const char *other)
{
    const char *args[] = {"compare", "--format", "csv", baseline, other, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "p3 compare %s %s (%d): %s", baseline, other, r.status, r.err);
    ck_assert_str_eq(r.err, "");
    csv c = csv_parse(r.out);
    test_run_free(&r);
    return c;
}

/* A number of the CSV within what its decimals can hold of expected. */
static void assert_close(const char *text, double expected, double decimals_step, const char *what)
{
    if (!isfinite(expected)) {
        ck_assert_msg(*text == '\0', "%s: '%s' where nothing was expected", what, text);
        return;
    }
    ck_assert_msg(*text, "%s: empty where %.17g was expected", what, expected);
    double v = strtod(text, NULL);
    ck_assert_msg(fabs(v - expected) <= decimals_step / 2 * (1 + 1e-9) + 1e-12 * fabs(expected),
                  "%s: %s against %.17g", what, text, expected);
}

/* A statistic the CSV gives in full: it reads back as the very double. */
static void assert_exact(const char *text, double expected, const char *what)
{
    if (!isfinite(expected)) {
        ck_assert_msg(*text == '\0', "%s: '%s' where nothing was expected", what, text);
        return;
    }
    ck_assert_msg(strtod(text, NULL) == expected, "%s: %s against %.17g", what, text, expected);
}

/* ---- the comparison itself ---- */

START_TEST(test_compare_a_run_with_itself_finds_no_difference_at_any_level)
{
    need_lab();
    csv c = compare_csv(fig09_dir, fig09_dir);
    ck_assert_uint_eq(c.count, LEVELS);
    for (size_t i = 0; i < c.count; i++) {
        ck_assert_str_eq(field(&c, i, "verdict"), "no significant difference");
        ck_assert_double_eq(strtod(field(&c, i, "diff_mean_ms"), NULL), 0);
        ck_assert_double_eq(strtod(field(&c, i, "mw_p"), NULL), 1);
        ck_assert_double_eq(strtod(field(&c, i, "ks_d"), NULL), 0);
    }
    /* One folder named twice: one run, two labels. */
    ck_assert_str_eq(field(&c, 0, "baseline"), "fig09");
    ck_assert_str_eq(field(&c, 0, "other"), "fig09 [2]");
    csv_free(&c);
    const char *args[] = {"compare", fig09_dir, fig09_dir, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "  fig09 [2]: no significant difference at any level\n"));
    test_run_free(&r);
}
END_TEST

START_TEST(test_compare_priority_management_under_the_cap_is_better_when_loaded)
{
    need_lab();
    /* The paper's figure 10 against figure 9: "much better, not cured". */
    csv c = compare_csv(fig09_dir, fig10_dir);
    ck_assert_uint_eq(c.count, LEVELS);
    for (int l = 3; l < LEVELS; l++) {
        size_t row = row_of(&c, levels[l]);
        ck_assert_str_eq(field(&c, row, "verdict"), "better");
        ck_assert_double_lt(strtod(field(&c, row, "diff_p95_hi"), NULL), 0);
        ck_assert_double_lt(strtod(field(&c, row, "cliffs_delta"), NULL), -0.9);
    }
    csv_free(&c);
    const char *args[] = {"compare", fig09_dir, fig10_dir, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "  fig10: better at "));
    ck_assert_ptr_nonnull(strstr(r.out, "Busy, Maximum, Overload"));
    test_run_free(&r);
}
END_TEST

START_TEST(test_compare_csv_header_is_fixed_and_its_numbers_are_compare_stats)
{
    need_lab();
    char *base = xasprintf("%s#fig09", lab_db), *other = xasprintf("%s#fig10", lab_db);
    const char *args[] = {"compare", "--format", "csv", base, other, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strncmp(r.out, csv_head, strlen(csv_head)) == 0);
    ck_assert_int_eq(r.out[strlen(csv_head)], ',');
    csv c = csv_parse(r.out);
    test_run_free(&r);

    /* The same samples, placed and compared in process. */
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(lab_db, STORE_READ_ONLY, &db, diags), STATUS_OK);
    analyze_levels b, o;
    ck_assert_int_eq(analyze_load_levels(db, "fig09", NULL, &b, diags), STATUS_OK);
    ck_assert_int_eq(analyze_load_levels(db, "fig10", NULL, &o, diags), STATUS_OK);
    ck_assert_uint_eq(b.level_count, LEVELS);
    compare_stats_result res[LEVELS];
    compare_stats_options opts = compare_stats_defaults();
    opts.endurance_ms = b.endurance_ms;
    for (size_t j = 0; j < LEVELS; j++)
        compare_stats_level(b.delay + b.start[j], b.start[j + 1] - b.start[j],
                            o.delay + o.start[j], o.start[j + 1] - o.start[j], &opts, &res[j]);
    compare_stats_holm(res, LEVELS, COMPARE_STATS_ALPHA);

    ck_assert_uint_eq(c.count, LEVELS);
    for (size_t j = 0; j < LEVELS; j++) {
        const compare_stats_result *x = &res[j];
        size_t row = row_of(&c, b.names[j]);
        ck_assert_str_eq(field(&c, row, "baseline"), "fig09");
        ck_assert_str_eq(field(&c, row, "other"), "fig10");
        ck_assert_int_eq(atoll(field(&c, row, "n_baseline")), (long long)x->n_baseline);
        ck_assert_int_eq(atoll(field(&c, row, "n_other")), (long long)x->n_other);
        const struct {
            const char *name;
            double v;
        } ms[] = {{"diff_mean_ms", x->mean.diff}, {"diff_mean_lo", x->mean.lo},
                  {"diff_mean_hi", x->mean.hi},   {"diff_p50_ms", x->p50.diff},
                  {"diff_p50_lo", x->p50.lo},     {"diff_p50_hi", x->p50.hi},
                  {"diff_p95_ms", x->p95.diff},   {"diff_p95_lo", x->p95.lo},
                  {"diff_p95_hi", x->p95.hi},     {"diff_p99_ms", x->p99.diff},
                  {"diff_p99_lo", x->p99.lo},     {"diff_p99_hi", x->p99.hi},
                  {"baseline_p95_ms", x->p95.baseline}, {"other_p95_ms", x->p95.other}};
        for (size_t k = 0; k < sizeof ms / sizeof *ms; k++)
            assert_close(field(&c, row, ms[k].name), ms[k].v, 0.001, ms[k].name);
        assert_close(field(&c, row, "diff_pct_over_1000"), x->share_over.diff, 0.0001, "share");
        assert_close(field(&c, row, "diff_pct_over_1000_lo"), x->share_over.lo, 0.0001, "lo");
        assert_close(field(&c, row, "diff_pct_over_1000_hi"), x->share_over.hi, 0.0001, "hi");
        assert_exact(field(&c, row, "mw_u"), x->mann_whitney.statistic, "mw_u");
        assert_exact(field(&c, row, "mw_p"), x->mann_whitney.p, "mw_p");
        assert_exact(field(&c, row, "ks_d"), x->ks.statistic, "ks_d");
        assert_exact(field(&c, row, "ks_p"), x->ks.p, "ks_p");
        assert_exact(field(&c, row, "cliffs_delta"), x->cliffs_delta, "cliffs_delta");
        assert_exact(field(&c, row, "p_holm"), x->p_holm, "p_holm");
        assert_exact(field(&c, row, "welch_df"), x->welch_df, "welch_df");
        ck_assert_str_eq(field(&c, row, "verdict"), compare_stats_verdict_name(x->verdict));
        ck_assert_str_eq(field(&c, row, "mw_method"),
                         x->mann_whitney.method == COMPARE_STATS_EXACT ? "exact" : "asymptotic");
        ck_assert_str_eq(field(&c, row, "ks_method"),
                         x->ks.method == COMPARE_STATS_EXACT ? "exact" : "asymptotic");
    }
    analyze_levels_clear(&b);
    analyze_levels_clear(&o);
    store_close(db);
    diag_list_free(diags);
    csv_free(&c);

    /* Run folders ingested on the fly give the very same CSV. */
    const char *folders[] = {"compare", "--format", "csv", fig09_dir, fig10_dir, NULL};
    const char *stores[] = {"compare", "--format", "csv", base, other, NULL};
    test_run a = test_p3(NULL, folders), s = test_p3(NULL, stores);
    ck_assert_int_eq(a.status, 0);
    ck_assert_str_eq(a.out, s.out);
    test_run_free(&a);
    test_run_free(&s);
    free(base), free(other);
}
END_TEST

/* ---- stores of other versions ---- */

/* Inserts n samples of one level of a run into a first-version store:
 * delays from + step * i, a second apart, from sample_id first. */
static void v1_samples(sqlite3 *db, int file, int level, int first, int n, double from,
                       double step)
{
    for (int i = 0; i < n; i++) {
        char *sql = xasprintf("INSERT INTO sample (sample_id, file_id, t_ns, level, delay_ms) "
                              "VALUES (%d, %d, %lld, %d, %.17g)",
                              first + i, file, (long long)(first + i) * 1000000000LL, level,
                              from + step * i);
        ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        free(sql);
    }
}

START_TEST(test_compare_reads_a_first_version_store_without_changing_a_byte)
{
    /* A store as schema version 1 made it: two runs of 40 samples per
     * level, the same at None and much faster in 'after' at Busy. */
    char *dir = test_tmpdir("compare-v1");
    char *path = xasprintf("%s/old.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, schema_scripts[0].sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "PRAGMA user_version = 1; PRAGMA application_id = 1345537090;"
                     "INSERT INTO run (run_id, name, title) VALUES (1, 'before', 'Before'), "
                     "(2, 'after', 'After');"
                     "INSERT INTO run_level VALUES (1, 0, 'None'), (1, 1, 'Busy'), "
                     "(2, 0, 'None'), (2, 1, 'Busy');"
                     "INSERT INTO source_file (file_id, run_id, path, size, sha256, kind, "
                     "ingested_at, samples, first_sample, last_sample) VALUES "
                     "(1, 1, 'a.probe', 1, 'x', 'probe', 't', 80, 1, 80), "
                     "(2, 2, 'b.probe', 1, 'y', 'probe', 't', 80, 81, 160);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    v1_samples(db, 1, 0, 1, 40, 10, 0.5);
    v1_samples(db, 1, 1, 41, 40, 700, 10);
    v1_samples(db, 2, 0, 81, 40, 10, 0.5);
    v1_samples(db, 2, 1, 121, 40, 200, 5);
    sqlite3_close(db);
    char *before = test_file_sha256(path, NULL);
    char *base = xasprintf("%s#before", path), *other = xasprintf("%s#after", path);
    for (int pass = 0; pass < 2; pass++) {
        csv c = compare_csv(base, other);
        ck_assert_uint_eq(c.count, 2);
        ck_assert_str_eq(field(&c, row_of(&c, "None"), "verdict"), "no significant difference");
        ck_assert_str_eq(field(&c, row_of(&c, "Busy"), "verdict"), "better");
        ck_assert_str_eq(field(&c, row_of(&c, "Busy"), "n_other"), "40");
        csv_free(&c);
    }
    char *after = test_file_sha256(path, NULL);
    ck_assert_str_eq(before, after);
    free(before), free(after), free(base), free(other), free(path), free(dir);
}
END_TEST

START_TEST(test_compare_refuses_a_store_from_a_newer_p3_naming_both_versions)
{
    need_lab();
    char *dir = test_tmpdir("compare-newer");
    char *path = xasprintf("%s/newer.db", dir);
    const char *ingest[] = {"ingest", "--db", path, fig09_dir, NULL};
    test_run r = test_p3(NULL, ingest);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    const char *args[] = {"compare", path, fig10_dir, NULL};
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *expected = xasprintf("%s: error: store has schema version 99, written by a newer p3; "
                               "this p3 (%s) reads versions up to %d\n",
                               path, P3_VERSION, store_schema_version());
    ck_assert_str_eq(r.err, expected);
    ck_assert_str_eq(r.out, "");
    test_run_free(&r);
    free(expected), free(path), free(dir);
}
END_TEST

/* ---- levels and labels ---- */

/* A run folder with a run.ini naming levels and a probe log of n samples
 * per level (delays from + i), the levels as the log writes them. */
static void write_run(const char *folder, const char *ini_levels, const char *const *log_levels,
                      int level_count, int n, double from)
{
    char *ini = xasprintf("%s/run.ini", folder), *log = xasprintf("%s/probe.probe", folder);
    char *text = xasprintf("[run]\nlevels = %s\n", ini_levels);
    test_write_text(ini, text);
    free(text);
    char *rows = xstrdup("# p3-probe 1\ntime,level,delay_ms\n");
    for (int l = 0; l < level_count; l++)
        for (int i = 0; i < n; i++) {
            char *next = xasprintf("%s2005-03-01T10:%02d:%02d.000,%s,%.1f\n", rows, l, i,
                                   log_levels[l], from + i);
            free(rows);
            rows = next;
        }
    test_write_text(log, rows);
    free(rows), free(ini), free(log);
}

START_TEST(test_compare_shows_a_level_only_one_run_has)
{
    char *dir = test_tmpdir("compare-levels");
    char *a = xasprintf("%s/two", dir), *b = xasprintf("%s/three", dir);
    const char *a_levels[] = {"None", "Busy"}, *b_levels[] = {"none", "busy", "Overload"};
    write_run(a, "None, Busy", a_levels, 2, 30, 10);
    write_run(b, "none, busy, Overload", b_levels, 3, 30, 10);
    csv c = compare_csv(a, b);
    ck_assert_uint_eq(c.count, 3);
    /* Matched ignoring case, named as the baseline names them. */
    ck_assert_str_eq(field(&c, 0, "level"), "None");
    ck_assert_str_eq(field(&c, 1, "level"), "Busy");
    ck_assert_str_eq(field(&c, 1, "verdict"), "no significant difference");
    ck_assert_str_eq(field(&c, 2, "level"), "Overload");
    ck_assert_str_eq(field(&c, 2, "n_baseline"), "");
    ck_assert_str_eq(field(&c, 2, "n_other"), "30");
    ck_assert_str_eq(field(&c, 2, "diff_mean_ms"), "");
    ck_assert_str_eq(field(&c, 2, "mw_p"), "");
    ck_assert_str_eq(field(&c, 2, "verdict"), "only in other");
    csv_free(&c);
    c = compare_csv(b, a);
    ck_assert_str_eq(field(&c, row_of(&c, "Overload"), "verdict"), "only in baseline");
    ck_assert_str_eq(field(&c, row_of(&c, "Overload"), "n_baseline"), "30");
    csv_free(&c);
    const char *args[] = {"compare", b, a, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(
        strstr(r.out, "  two: no significant difference where both runs have samples; "
                      "only in three: Overload\n"));
    test_run_free(&r);
    free(a), free(b), free(dir);
}
END_TEST

START_TEST(test_compare_labels_runs_of_one_name_by_where_they_come_from)
{
    char *dir = test_tmpdir("compare-labels");
    char *a = xasprintf("%s/x/run", dir), *b = xasprintf("%s/y/run", dir);
    const char *names[] = {"None"};
    write_run(a, "None", names, 1, 20, 10);
    write_run(b, "None", names, 1, 20, 500);
    csv c = compare_csv(a, b);
    char *la = xasprintf("run (%s)", a), *lb = xasprintf("run (%s)", b);
    ck_assert_str_eq(field(&c, 0, "baseline"), la);
    ck_assert_str_eq(field(&c, 0, "other"), lb);
    ck_assert_str_eq(field(&c, 0, "verdict"), "worse");
    csv_free(&c);
    free(la), free(lb), free(a), free(b), free(dir);
}
END_TEST

/* ---- bad arguments ---- */

static void assert_refused(const char *const *args, int status, const char *err)
{
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, status);
    ck_assert_str_eq(r.err, err);
    ck_assert_str_eq(r.out, "");
    test_run_free(&r);
}

START_TEST(test_compare_refuses_bad_arguments_with_exact_messages)
{
    need_lab();
    char *dir = test_tmpdir("compare-bad");
    char *missing = xasprintf("%s/missing.db", dir);
    char *missing_run = xasprintf("%s#fig09", missing), *unknown = xasprintf("%s#fig99", lab_db);
    char *probe = xasprintf("%s/probe.probe", fig09_dir);
    char *err;

    const char *a1[] = {"compare", missing, fig10_dir, NULL};
    err = xasprintf("%s: error: no such run folder or store\n", missing);
    assert_refused(a1, STATUS_BAD_INPUT, err);
    free(err);
    const char *a2[] = {"compare", missing_run, fig10_dir, NULL};
    err = xasprintf("%s: error: no such store\n", missing);
    assert_refused(a2, STATUS_BAD_INPUT, err);
    free(err);
    const char *a3[] = {"compare", lab_db, fig10_dir, NULL};
    err = xasprintf("%s: error: the store holds 2 runs (fig09, fig10): name one as STORE#RUN\n",
                    lab_db);
    assert_refused(a3, STATUS_BAD_INPUT, err);
    free(err);
    const char *a4[] = {"compare", unknown, fig10_dir, NULL};
    err = xasprintf("%s: error: no run named 'fig99' in the store; it holds fig09, fig10\n",
                    lab_db);
    assert_refused(a4, STATUS_BAD_INPUT, err);
    free(err);
    const char *a5[] = {"compare", lab_dir, fig10_dir, NULL};
    err = xasprintf("%s: error: the folder holds 2 runs (fig09, fig10): it is a lab folder; name "
                    "one of its run folders, or ingest it and name STORE#RUN\n",
                    lab_dir);
    assert_refused(a5, STATUS_BAD_INPUT, err);
    free(err);
    const char *a6[] = {"compare", probe, fig10_dir, NULL};
    err = xasprintf("%s: error: not a p3 store: name a run folder, a store or STORE#RUN\n", probe);
    assert_refused(a6, STATUS_BAD_INPUT, err);
    free(err);

    const char *u1[] = {"compare", fig09_dir, NULL};
    test_run r = test_p3(NULL, u1);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err,
                      "p3 compare: error: give a BASELINE run and at least one OTHER run to "
                      "compare with it\nusage: p3 compare [-o DIR]",
                      98) == 0);
    test_run_free(&r);
    const char *u2[] = {"compare", "--format", "xml", fig09_dir, fig10_dir, NULL};
    r = test_p3(NULL, u2);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 compare: error: unknown format 'xml': use table, csv or json\n",
                      63) == 0);
    test_run_free(&r);
    free(missing), free(missing_run), free(unknown), free(probe), free(dir);
}
END_TEST

/* ---- files ---- */

/* pdftotext of a PDF, or NULL (with a note) when pdftotext is missing. */
static char *pdf_text(const char *pdf)
{
    if (!test_have_program("pdftotext")) {
        printf("compare: pdftotext is missing; the PDF's text is not checked "
               "(tools/deps.sh installs poppler-utils)\n");
        return NULL;
    }
    char *txt = xasprintf("%s.txt", pdf);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        execlp("pdftotext", "pdftotext", "-layout", pdf, txt, (char *)NULL);
        _exit(127);
    }
    int ws;
    ck_assert(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    char *text = test_read_file(txt, NULL);
    ck_assert_ptr_nonnull(text);
    free(txt);
    return text;
}

/* Runs /usr/bin/python3 -c code args...; its exit status, or -1 when
 * /usr/bin/python3 cannot import openpyxl (then a note says the workbook
 * is not read back). */
static int openpyxl_check(const char *code, const char *arg1, const char *arg2)
{
    const char *probe[] = {"/usr/bin/python3", "-c", "import openpyxl", NULL};
    for (int pass = 0; pass < 2; pass++) {
        fflush(NULL);
        pid_t pid = fork();
        ck_assert(pid >= 0);
        if (pid == 0) {
            if (pass == 0) {
                FILE *null = freopen("/dev/null", "w", stderr);
                (void)null;
                execv(probe[0], (char *const *)probe);
            } else {
                execl("/usr/bin/python3", "python3", "-c", code, arg1, arg2, (char *)NULL);
            }
            _exit(127);
        }
        int ws;
        ck_assert(waitpid(pid, &ws, 0) == pid);
        int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
        if (pass == 0 && status != 0) {
            printf("compare: /usr/bin/python3 cannot import openpyxl; the workbook is not read "
                   "back (tools/deps.sh installs python3-openpyxl)\n");
            return -1;
        }
        if (pass == 1)
            return status;
    }
    return -1;
}

/* Checks that the workbook's sheet Compare has the CSV's header on row 4
 * and, in column 'verdict', the verdicts given (comma-separated). */
static const char compare_sheet_check[] =
    "import openpyxl, sys\n"
    "wb = openpyxl.load_workbook(sys.argv[1])\n"
    "ws = wb['Compare']\n"
    "rows = list(ws.iter_rows(values_only=True))\n"
    "head = [c for c in rows[3] if c is not None]\n"
    "want = sys.argv[2].split('|')\n"
    "assert head[:len(want[0].split(','))] == want[0].split(','), head\n"
    "v = head.index('verdict')\n"
    "got = [r[v] for r in rows[4:4 + len(want) - 1]]\n"
    "assert got == want[1:], got\n";

START_TEST(test_compare_output_folder_gets_a_pdf_and_a_workbook_with_a_compare_sheet)
{
    need_lab();
    char *dir = test_tmpdir("compare-out");
    char *out = xasprintf("%s/cmp", dir);
    const char *args[] = {"compare", "-o", out, fig09_dir, fig10_dir, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *said = xasprintf("wrote %s/compare.pdf and %s/p3.xlsx; the comparisons are in %s/p3.db\n",
                           out, out, out);
    ck_assert_ptr_nonnull(strstr(r.out, said));
    test_run_free(&r);
    char *pdf = xasprintf("%s/compare.pdf", out), *book = xasprintf("%s/p3.xlsx", out);
    char *db = xasprintf("%s/p3.db", out);
    char *text = pdf_text(pdf);
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, "fig10 against fig09"));
        for (int l = 0; l < LEVELS; l++)
            ck_assert_ptr_nonnull(strstr(text, levels[l]));
        ck_assert_ptr_nonnull(strstr(text, "better"));
        ck_assert_ptr_nonnull(strstr(text, "no significant difference"));
        ck_assert_ptr_nonnull(strstr(text, "Where the delays moved"));
        ck_assert_ptr_nonnull(strstr(text, "Delay percentiles by user load, both runs"));
        free(text);
    }
    /* The same comparison again writes the same files and leaves the store be. */
    char *pdf_before = test_file_sha256(pdf, NULL), *db_before = test_file_sha256(db, NULL);
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    char *pdf_after = test_file_sha256(pdf, NULL), *db_after = test_file_sha256(db, NULL);
    ck_assert_str_eq(pdf_before, pdf_after);
    ck_assert_str_eq(db_before, db_after);
    const char *csv_args[] = {"compare", "--format", "csv", fig09_dir, fig10_dir, NULL};
    r = test_p3(NULL, csv_args);
    csv c = csv_parse(r.out);
    test_run_free(&r);
    char *want = xasprintf("%s", csv_head);
    for (size_t i = 0; i < c.count; i++) {
        char *next = xasprintf("%s|%s", want, field(&c, i, "verdict"));
        free(want);
        want = next;
    }
    csv_free(&c);
    int status = openpyxl_check(compare_sheet_check, book, want);
    ck_assert(status == -1 || status == 0);
    free(want), free(pdf_before), free(pdf_after), free(db_before), free(db_after);
    free(said), free(pdf), free(book), free(db), free(out), free(dir);
}
END_TEST

START_TEST(test_report_with_a_baseline_puts_the_comparisons_in_its_pdf_and_workbook)
{
    need_lab();
    char *dir = test_tmpdir("compare-report");
    char *out = xasprintf("%s/rep", dir);
    const char *args[] = {"report", "-o", out, "--baseline", "fig09", lab_dir, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\nfig10 against fig09: better at "));
    test_run_free(&r);
    char *pdf = xasprintf("%s/report.pdf", out), *book = xasprintf("%s/p3.xlsx", out);
    char *db = xasprintf("%s/p3.db", out);
    char *text = pdf_text(pdf);
    if (text) {
        ck_assert_ptr_nonnull(strstr(text, "Comparisons"));
        ck_assert_ptr_nonnull(strstr(text, "fig10 against fig09"));
        free(text);
    }
    int status = openpyxl_check("import openpyxl, sys\n"
                                "names = openpyxl.load_workbook(sys.argv[1]).sheetnames\n"
                                "assert names == sys.argv[2].split(','), names\n",
                                book, "Summary,fig09,fig10,Compare,Samples");
    ck_assert(status == -1 || status == 0);
    /* Again: the store does not change. */
    char *db_before = test_file_sha256(db, NULL);
    r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    char *db_after = test_file_sha256(db, NULL);
    ck_assert_str_eq(db_before, db_after);
    /* Without a baseline the report compares nothing. */
    const char *plain[] = {"report", "-o", out, lab_dir, NULL};
    r = test_p3(NULL, plain);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "against"));
    test_run_free(&r);
    ck_assert_int_eq(test_count_rows(db, "comparison"), 0);
    text = pdf_text(pdf);
    if (text) {
        ck_assert_ptr_null(strstr(text, "fig10 against fig09"));
        free(text);
    }
    /* An unknown baseline is bad input, named. */
    const char *unknown[] = {"report", "-o", out, "--baseline", "fig99", lab_dir, NULL};
    r = test_p3(NULL, unknown);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *err = xasprintf("%s: error: --baseline: no analysed run named 'fig99'\n", db);
    size_t len = strlen(r.err);
    ck_assert(len >= strlen(err) && strcmp(r.err + len - strlen(err), err) == 0);
    test_run_free(&r);
    free(err), free(db_before), free(db_after), free(pdf), free(book), free(db), free(out);
    free(dir);
}
END_TEST

/* ---- render/compare_out, in process ---- */

/* out: a comparison of two runs of a first-version store written in
 * memory, through compare_runs(). */
static sqlite3 *compared_in_memory(const char *dir)
{
    char *path = xasprintf("%s/in.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, schema_scripts[0].sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "PRAGMA user_version = 1; PRAGMA application_id = 1345537090;"
                     "INSERT INTO run (run_id, name, title) VALUES (1, 'a', 'A'), (2, 'b', 'B');"
                     "INSERT INTO run_level VALUES (1, 0, 'Idle'), (2, 0, 'Idle'), (2, 1, 'Peak');"
                     "INSERT INTO source_file (file_id, run_id, path, size, sha256, kind, "
                     "ingested_at, samples, first_sample, last_sample) VALUES "
                     "(1, 1, 'a.probe', 1, 'x', 'probe', 't', 12, 1, 12), "
                     "(2, 2, 'b.probe', 1, 'y', 'probe', 't', 24, 13, 36);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    v1_samples(db, 1, 0, 1, 12, 20, 1);
    v1_samples(db, 2, 0, 13, 12, 20.5, 2);
    v1_samples(db, 2, 1, 25, 12, 900, 30);
    sqlite3_close(db);
    diag_list *diags = diag_list_new();
    sqlite3 *in, *out;
    ck_assert_int_eq(store_open(path, STORE_READ_ONLY, &in, diags), STATUS_OK);
    ck_assert_int_eq(store_open(":memory:", STORE_CREATE, &out, diags), STATUS_OK);
    compare_source sources[] = {{in, "a", "a", "in.db#a"}, {in, "b", "b", "in.db#b"}};
    test_assert_ok("compare_runs", path, compare_runs(out, sources, 2, NULL, diags), diags);
    store_close(in);
    diag_list_free(diags);
    free(path);
    return out;
}

/* What compare_out_write() writes in format. Caller frees. */
static char *written(sqlite3 *db, stats_out_format format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    diag_list *diags = diag_list_new();
    test_assert_ok("compare_out_write", "memory", compare_out_write(db, format, f, diags), diags);
    fclose(f);
    diag_list_free(diags);
    return text;
}

START_TEST(test_compare_out_writes_a_row_per_level_and_every_figure_in_json)
{
    char *dir = test_tmpdir("compare-out-unit");
    sqlite3 *db = compared_in_memory(dir);
    char *text = written(db, STATS_OUT_CSV);
    csv c = csv_parse(text);
    ck_assert_uint_eq(c.count, 2);
    ck_assert_uint_eq(c.columns, 3 + compare_out_column_count());
    ck_assert_str_eq(field(&c, 0, "level"), "Idle");
    ck_assert_str_eq(field(&c, 0, "verdict"), "worse");
    /* Twelve samples a side: Mann-Whitney's normal approximation (exact
     * takes at most 8 on a side), Kolmogorov-Smirnov's exact distribution. */
    ck_assert_str_eq(field(&c, 0, "mw_method"), "asymptotic");
    ck_assert_str_eq(field(&c, 0, "ks_method"), "exact");
    ck_assert_str_eq(field(&c, 1, "level"), "Peak");
    ck_assert_str_eq(field(&c, 1, "verdict"), "only in other");
    ck_assert_str_eq(field(&c, 1, "n_other"), "12");
    ck_assert_str_eq(field(&c, 1, "other_p50_ms"), "1065.000");
    csv_free(&c);
    free(text);
    text = written(db, STATS_OUT_JSON);
    ck_assert(strncmp(text, "{\"comparisons\": [\n  {\"baseline\": \"a\", \"other\": \"b\"", 50) ==
              0);
    ck_assert_ptr_nonnull(strstr(text, "\"summary\": \"worse at Idle; only in b: Peak\""));
    ck_assert_ptr_nonnull(strstr(text, "\"seed\": 8084915086288773490"));
    ck_assert_ptr_nonnull(strstr(text, "\"diff_pct_over_endurance\": "));
    ck_assert_ptr_nonnull(strstr(text, "\"in_baseline\": false, \"in_other\": true"));
    ck_assert_ptr_nonnull(strstr(text, "\"baseline\": null"));
    char *json = xasprintf("%s/out.json", dir);
    test_write_text(json, text);
    if (access("/usr/bin/python3", X_OK) == 0) {
        char *cmd = xasprintf("/usr/bin/python3 -c 'import json,sys; "
                              "d = json.load(open(sys.argv[1])); "
                              "assert len(d[\"comparisons\"][0][\"levels\"]) == 2' %s",
                              json);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
    }
    free(json);
    free(text);
    text = written(db, STATS_OUT_TABLE);
    ck_assert_ptr_nonnull(strstr(text, "  b: worse at Idle; only in b: Peak\n"));
    free(text);
    store_close(db);
    free(dir);
}
END_TEST

Suite *compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, make_lab, free_lab);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_compare_a_run_with_itself_finds_no_difference_at_any_level);
    tcase_add_test(tc, test_compare_priority_management_under_the_cap_is_better_when_loaded);
    tcase_add_test(tc, test_compare_csv_header_is_fixed_and_its_numbers_are_compare_stats);
    tcase_add_test(tc, test_compare_reads_a_first_version_store_without_changing_a_byte);
    tcase_add_test(tc, test_compare_refuses_a_store_from_a_newer_p3_naming_both_versions);
    tcase_add_test(tc, test_compare_shows_a_level_only_one_run_has);
    tcase_add_test(tc, test_compare_labels_runs_of_one_name_by_where_they_come_from);
    tcase_add_test(tc, test_compare_refuses_bad_arguments_with_exact_messages);
    tcase_add_test(tc, test_compare_output_folder_gets_a_pdf_and_a_workbook_with_a_compare_sheet);
    tcase_add_test(tc, test_report_with_a_baseline_puts_the_comparisons_in_its_pdf_and_workbook);
    tcase_add_test(tc, test_compare_out_writes_a_row_per_level_and_every_figure_in_json);
    suite_add_tcase(s, tc);
    return s;
}
