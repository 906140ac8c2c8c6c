/* JMeter JTL results, CSV and XML: every file of the shared corpus through
 * `p3 ingest` stores what an independent count of the file (a small
 * quote-aware scanner below, not the reader's splitter) finds, and what
 * LOADTEST-FORMATS.md lists; every kind of bad input gives its exact
 * messages and stores nothing; good variants (nested XML sub-results and
 * transactions, quoted multi-line fields with CRLF, local-time dates with
 * --tz, a cut-short last record, appended runs, batch rows, tabs) read as
 * they should. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "load_sink.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

extern const load_format jtl_csv_format, jtl_xml_format;

/* ---- Golden bad inputs ---- */

static void check_golden_csv(const char *name)
{
    test_golden_bad_input("tests/data/jtl/bad", name, ".jtl");
}

static void check_golden_xml(const char *name)
{
    test_golden_bad_input("tests/data/jtl/bad", name, ".xml");
}

START_TEST(test_jtl_reader_bad_csv_inputs_match_golden_messages)
{
    /* Header-less rows that do not type-check, bad elapsed, bad timestamps,
     * an unterminated quote at the end, short and long records, ... */
    ck_assert_int_ge(test_each_file("tests/data/jtl/bad", ".jtl", check_golden_csv), 10);
}
END_TEST

START_TEST(test_jtl_reader_bad_xml_inputs_match_golden_messages)
{
    /* Malformed XML, bad t attributes, a DOCTYPE, an undefined entity. */
    ck_assert_int_ge(test_each_file("tests/data/jtl/bad", ".xml", check_golden_xml), 4);
}
END_TEST

/* ---- An independent count of a CSV JTL ---- */

#define MAX_FIELDS 64
#define MAX_THREADS 4096
#define MAX_LEVELS 1024

/* What the scanner counts in a file. */
typedef struct jtl_count {
    long records;       /* whole records, the truncated last one left out */
    long failed;        /* success == false */
    long subs;          /* "<label>-<n>" after a sample of that label, same thread */
    long transactions;  /* responseMessage starts as a Transaction Controller's */
    long levels;        /* distinct allThreads values */
    bool truncated;     /* the last record was short and had no line end */
} jtl_count;

/* The thread's last sample label, for the sub-result rule. */
typedef struct thread_label {
    char *thread;
    char *label;
} thread_label;

/* Splits text at *pos into one record's fields (unquoted in place, CR
 * dropped at the end); returns the count, 0 at the end. *ended: a LF
 * closed the record. */
static int next_record(char *text, size_t len, size_t *pos, char **fields, bool *ended)
{
    if (*pos >= len)
        return 0;
    int n = 0;
    size_t i = *pos;
    char *out = text + i;
    fields[n++] = out;
    bool quoted = false;
    *ended = false;
    for (; i < len; i++) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && text[i + 1] == '"')
                *out++ = text[++i];
            else if (c == '"')
                quoted = false;
            else
                *out++ = c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            *out++ = '\0';
            if (n < MAX_FIELDS)
                fields[n++] = out;
        } else if (c == '\n') {
            *ended = true;
            i++;
            break;
        } else {
            *out++ = c;
        }
    }
    if (out > text + *pos && out[-1] == '\r')
        out--;
    *out = '\0';
    *pos = i;
    return n;
}

static const char *const default_names[] = {
    "timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName",
    "dataType", "success", "failureMessage", "bytes", "sentBytes", "grpThreads",
    "allThreads", "URL", "Latency", "IdleTime", "Connect"};

static int index_of(char **names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* Whether label is "<prefix>-<digits>". */
static bool sub_label(const char *label, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(label, prefix, n) != 0 || label[n] != '-' || !label[n + 1])
        return false;
    for (const char *p = label + n + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static jtl_count count_csv(const char *path)
{
    jtl_count c = {0};
    size_t len;
    char *text = test_read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    size_t pos = 0;
    char *fields[MAX_FIELDS], *names[MAX_FIELDS];
    bool ended;
    int columns = 17;
    if (strncmp(text, "timeStamp", 9) == 0)
        columns = next_record(text, len, &pos, names, &ended);
    else
        memcpy(names, default_names, sizeof default_names); /* no header: the defaults */
    int success = index_of(names, columns, "success");
    int message = index_of(names, columns, "responseMessage");
    int label = index_of(names, columns, "label");
    int thread = index_of(names, columns, "threadName");
    int all = index_of(names, columns, "allThreads");
    thread_label *threads = xcalloc(MAX_THREADS, sizeof *threads);
    int thread_count = 0;
    long levels[MAX_LEVELS];
    int n;
    while ((n = next_record(text, len, &pos, fields, &ended)) > 0) {
        if (n < columns && !ended) {
            c.truncated = true;
            break;
        }
        ck_assert_msg(n == columns, "%s: a record of %d fields", path, n);
        c.records++;
        c.failed += success >= 0 && strcmp(fields[success], "false") == 0;
        bool transaction = message >= 0 && strncmp(fields[message],
                                                   "Number of samples in transaction : ", 35) == 0;
        c.transactions += transaction;
        if (all >= 0) {
            long v = atol(fields[all]);
            bool seen = false;
            for (long k = 0; k < c.levels && !seen; k++)
                seen = levels[k] == v;
            if (!seen && c.levels < MAX_LEVELS)
                levels[c.levels++] = v;
        }
        if (transaction || label < 0)
            continue;
        const char *t = thread >= 0 ? fields[thread] : "";
        int k = 0;
        while (k < thread_count && strcmp(threads[k].thread, t) != 0)
            k++;
        if (k == thread_count && thread_count < MAX_THREADS)
            threads[thread_count++].thread = xstrdup(t);
        if (k < thread_count && threads[k].label && sub_label(fields[label], threads[k].label)) {
            c.subs++;
        } else if (k < thread_count) {
            free(threads[k].label);
            threads[k].label = xstrdup(fields[label]);
        }
    }
    for (int k = 0; k < thread_count; k++) {
        free(threads[k].thread);
        free(threads[k].label);
    }
    free(threads);
    free(text);
    return c;
}

/* ---- The corpus ---- */

/* What LOADTEST-FORMATS.md (section 1) says of each file, checked again
 * with Python's csv module. */
typedef struct corpus_file {
    const char *name;        /* under corpus/jmeter */
    long records, failed, subs, transactions, levels;
} corpus_file;

static const corpus_file corpus_files[] = {
    {"hebroms_standard_17cols.jtl", 300, 0, 200, 0, 34},
    {"dorofeev_webtours_transactions_failures.jtl", 6840, 50, 0, 540, 20},
    {"defra_custom_timestamp_truncated_transactions.jtl", 1125, 576, 0, 568, 2},
    {"bayasman_smtp_multiline_quoted.jtl", 15, 0, 0, 0, 7},
    {"sct_headerless_crlf.jtl", 18418, 2, 0, 0, 47},
    {"ckq1019_chinese_labels_crlf.jtl", 250, 0, 0, 0, 2},
    {"cedricko_cyrillic_labels_embedded_resources.jtl", 29, 0, 24, 1, 1},
    {"monicashishodia_taurus_kpi_12cols_hostname.jtl", 20, 14, 0, 0, 18},
    {"jonathonwright_taurus_kpi_13cols_url_labels_400s.jtl", 519, 161, 0, 141, 20},
};
#define CORPUS_FILES (sizeof corpus_files / sizeof *corpus_files)

/* The corpus file's path, or NULL (after saying so) when the corpus is absent. */
static char *corpus_path(const char *name)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("jtl_reader: skipped %s: ../shared/corpus not found\n", name);
        return NULL;
    }
    char *path = xasprintf("%s/jmeter/%s", corpus, name);
    free(corpus);
    return path;
}

/* Ingests path with the options; returns the run (caller frees), the
 * store's path in *db. */
static test_run ingest(const char *path, const char *tz, char **db)
{
    char *dir = test_tmpdir("jtl");
    *db = xasprintf("%s/p3.db", dir);
    const char *with_tz[] = {"ingest", "--db", *db, "--tz", tz, path, NULL};
    const char *without[] = {"ingest", "--db", *db, path, NULL};
    test_run r = test_p3(NULL, tz ? with_tz : without);
    free(dir);
    return r;
}

static long long query(const char *db, const char *sql)
{
    char *text = test_query_text_at(db, sql);
    long long v = text ? atoll(text) : -1;
    free(text);
    return v;
}

START_TEST(test_jtl_reader_stores_what_an_independent_count_finds_in_every_corpus_file)
{
    for (size_t i = 0; i < CORPUS_FILES; i++) {
        const corpus_file *f = &corpus_files[i];
        char *path = corpus_path(f->name);
        if (!path)
            return;
        jtl_count c = count_csv(path);
        /* The independent count agrees with LOADTEST-FORMATS.md ... */
        ck_assert_msg(c.records == f->records, "%s: counted %ld records", f->name, c.records);
        ck_assert_msg(c.failed == f->failed, "%s: counted %ld false", f->name, c.failed);
        ck_assert_msg(c.subs == f->subs, "%s: counted %ld sub-results", f->name, c.subs);
        ck_assert_msg(c.transactions == f->transactions, "%s: counted %ld transactions", f->name,
                      c.transactions);
        ck_assert_msg(c.levels == f->levels, "%s: counted %ld levels", f->name, c.levels);
        /* ... and the store holds the same. */
        char *db;
        test_run r = ingest(path, "+00:00", &db);
        ck_assert_msg(r.status == STATUS_OK, "%s: exit %d: %s", f->name, r.status, r.err);
        ck_assert_msg(query(db, "SELECT count(*) FROM sample") == c.records, "%s: %lld stored",
                      f->name, query(db, "SELECT count(*) FROM sample"));
        ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE ok = 0"), c.failed);
        ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE ok IS NULL"), 0);
        ck_assert_msg(query(db, "SELECT count(*) FROM sample WHERE role = 'sub'") == c.subs,
                      "%s: %lld sub-results stored", f->name,
                      query(db, "SELECT count(*) FROM sample WHERE role = 'sub'"));
        ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE role = 'transaction'"),
                         c.transactions);
        ck_assert_int_eq(query(db, "SELECT count(DISTINCT concurrency) FROM sample"), c.levels);
        ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE concurrency IS NULL"), 0);
        ck_assert_int_eq(query(db, "SELECT count(*) FROM source_file WHERE format = 'jmeter-csv'"),
                         1);
        test_run_free(&r);
        free(db);
        free(path);
    }
}
END_TEST

START_TEST(test_jtl_reader_keeps_the_load_levels_the_corpus_files_name)
{
    static const struct {
        const char *name, *sql;
        long long expected;
    } checks[] = {
        {"sct_headerless_crlf.jtl", "SELECT count(*) FROM sample WHERE concurrency = 500", 18298},
        {"dorofeev_webtours_transactions_failures.jtl",
         "SELECT count(*) FROM sample WHERE concurrency = 20", 4602},
        {"ckq1019_chinese_labels_crlf.jtl", "SELECT count(*) FROM sample WHERE concurrency = 2", 4},
        {"defra_custom_timestamp_truncated_transactions.jtl",
         "SELECT count(*) FROM sample WHERE concurrency = 0", 30},
        {"jonathonwright_taurus_kpi_13cols_url_labels_400s.jtl",
         "SELECT count(*) FROM sample WHERE concurrency = 20", 450},
        {"hebroms_standard_17cols.jtl", "SELECT max(concurrency) FROM sample", 54},
        /* The UTF-8 labels as written. */
        {"ckq1019_chinese_labels_crlf.jtl",
         "SELECT count(*) FROM sample WHERE label = 'HTTP\xe8\xaf\xb7\xe6\xb1\x82'", 250},
        {"cedricko_cyrillic_labels_embedded_resources.jtl",
         "SELECT count(*) FROM sample WHERE label LIKE '\xd0\x92\xd1\x8b\xd0\xb1\xd0\xbe\xd1\x80 "
         "\xd0\xb7\xd0\xb0\xd0\xbb\xd0\xb0-_' AND role = 'sub'", 8},
        /* Start times: the parent and its -0 share a timestamp (hebroms 299-300). */
        {"hebroms_standard_17cols.jtl",
         "SELECT t_ns FROM sample WHERE label = 'HTTP Request-0' ORDER BY sample_id DESC LIMIT 1",
         INT64_C(1733753528827) * 1000000},
        {"bayasman_smtp_multiline_quoted.jtl", "SELECT sum(delay_ms) FROM sample", -2},
    };
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        char *path = corpus_path(checks[i].name);
        if (!path)
            return;
        char *db;
        test_run r = ingest(path, NULL, &db);
        ck_assert_msg(r.status == STATUS_OK, "%s: %s", checks[i].name, r.err);
        long long got = query(db, checks[i].sql);
        if (checks[i].expected == -2) {
            /* bayasman: each record starts a line with its timeStamp and elapsed;
             * the line after holds the rest of its quoted message. */
            size_t len;
            char *text = test_read_file(path, &len);
            long long sum = 0;
            for (char *line = text; line && *line;) {
                if (strspn(line, "0123456789") == 13 && line[13] == ',')
                    sum += atoll(line + 14);
                line = strchr(line, '\n');
                if (line)
                    line++;
            }
            free(text);
            ck_assert_msg(got == sum && sum > 0, "%s: sum of elapsed %lld, stored %lld",
                          checks[i].name, sum, got);
        } else {
            ck_assert_msg(got == checks[i].expected, "%s: %s gave %lld, expected %lld",
                          checks[i].name, checks[i].sql, got, checks[i].expected);
        }
        test_run_free(&r);
        free(db);
        free(path);
    }
}
END_TEST

START_TEST(test_jtl_reader_drops_the_truncated_last_record_of_defra_with_a_warning)
{
    char *path = corpus_path("defra_custom_timestamp_truncated_transactions.jtl");
    if (!path)
        return;
    char *db;
    test_run r = ingest(path, NULL, &db);
    char *expected = xasprintf(
        "%s:2:1: warning: timeStamp '2019/12/05 12:37:24' is local time without a zone: read as "
        "UTC; give the zone with --tz +HH:MM or tz in the run's run.ini\n"
        "%s:1127:208: warning: last record has 14 of 17 fields and no line end: the file was cut "
        "short while JMeter wrote it; the record is left out\n",
        path, path);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample"), 1125);
    /* 2019/12/05 12:37:24 read as UTC: 1575549444 s. */
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     INT64_C(1575549444) * 1000000000);
    ck_assert_int_eq(query(db, "SELECT value FROM file_meta WHERE key = 'dropped_last_record'"),
                     1127);
    char *format = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'timestamps'");
    ck_assert_str_eq(format, "yyyy/MM/dd HH:mm:ss");
    free(format);
    test_run_free(&r);
    free(db);
    free(expected);

    /* With the zone given: no warning about it, and the times move. */
    r = ingest(path, "+01:00", &db);
    expected = xasprintf("%s:1127:208: warning: last record has 14 of 17 fields and no line end: "
                         "the file was cut short while JMeter wrote it; the record is left out\n",
                         path);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     (INT64_C(1575549444) - 3600) * 1000000000);
    char *tz = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'tz'");
    ck_assert_str_eq(tz, "+01:00");
    free(tz);
    test_run_free(&r);
    free(db);
    free(expected);
    free(path);
}
END_TEST

START_TEST(test_jtl_reader_reports_the_runs_appended_to_sct_and_dorofeev)
{
    char *path = corpus_path("sct_headerless_crlf.jtl");
    if (!path)
        return;
    char *db;
    test_run r = ingest(path, NULL, &db);
    char *expected = xasprintf(
        "%s:4:1: warning: time jumps forward from 2024-04-19T10:15:04.407Z to "
        "2024-06-18T20:52:33.250Z: another run appended to this file (JMeter appends to an "
        "existing results file); its samples are read as well\n",
        path);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT value FROM file_meta WHERE key = 'appended_runs'"), 1);
    char *header = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'header'");
    ck_assert_str_eq(header, "no (JMeter's default columns)");
    free(header);
    test_run_free(&r);
    free(db);
    free(expected);
    free(path);

    /* dorofeev holds four runs of the same plan (threads restart at 1-1). */
    path = corpus_path("dorofeev_webtours_transactions_failures.jtl");
    r = ingest(path, NULL, &db);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_int_eq(query(db, "SELECT value FROM file_meta WHERE key = 'appended_runs'"), 3);
    ck_assert_ptr_nonnull(strstr(r.err, ":1522:1: warning: time jumps forward"));
    ck_assert_ptr_nonnull(strstr(r.err, ":5322:1: warning: time jumps forward"));
    ck_assert_ptr_nonnull(strstr(r.err, ":6082:1: warning: time jumps forward"));
    test_run_free(&r);
    free(db);
    free(path);
}
END_TEST

/* ---- Good files of the suite's own ---- */

/* Ingests tests/data/jtl/good/<name> (or a file under a tmp dir when name
 * is absolute); *db is the store. */
static test_run ingest_good(const char *name, const char *tz, char **db)
{
    char *path = name[0] == '/' ? xstrdup(name) : xasprintf("%s/tests/data/jtl/good/%s",
                                                           test_source_dir(), name);
    test_run r = ingest(path, tz, db);
    free(path);
    return r;
}

/* The rows of the store as "label|ok|concurrency|role|delay" lines. */
static char *rows_of(const char *db)
{
    char *rows = test_query_text_at(
        db, "SELECT group_concat(label || '|' || coalesce(ok, '-') || '|' || "
            "coalesce(concurrency, '-') || '|' || coalesce(role, '') || '|' || delay_ms, "
            "char(10)) FROM (SELECT * FROM sample ORDER BY sample_id)");
    return rows;
}

START_TEST(test_jtl_reader_reads_xml_sub_results_and_transactions_by_nesting)
{
    char *db;
    test_run r = ingest_good("nested.xml", NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    char *rows = rows_of(db);
    ck_assert_str_eq(rows,
                     "HTTP Request|1|2||1166.0\n"
                     "HTTP Request-0|1|2|sub|60.0\n"
                     "HTTP Request-1|1|2|sub|1105.0\n"
                     /* A parent-mode Transaction Controller: its children are samples. */
                     "\xd0\x92\xd1\x85\xd0\xbe\xd0\xb4 & \xd1\x80\xd0\xb5\xd0\xb3\xd0\xb8\xd1\x81"
                     "\xd1\x82\xd1\x80\xd0\xb0\xd1\x86\xd0\xb8\xd1\x8f|0|9|transaction|1817.0\n"
                     "Regist-38|1|9||1079.0\n"
                     "Regist-38-0|1|9|sub|500.0\n"
                     "Regist-40|0|10||738.0\n"
                     "Checkout|1|4|transaction|300.0\n"
                     /* No na: the group's count. */
                     "JSR223 Sampler|1|3||12.0");
    free(rows);
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     INT64_C(1733753528011) * 1000000);
    char *format = test_query_text_at(db, "SELECT format FROM source_file");
    ck_assert_str_eq(format, "jmeter-xml");
    free(format);
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_jtl_reader_reads_quoted_multi_line_fields_and_crlf)
{
    char *db;
    test_run r = ingest_good("multiline-crlf.jtl", NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    char *rows = rows_of(db);
    ck_assert_str_eq(rows, "SMTP Sampler|1|6||1304.0\n"
                           "\xd0\x9e\xd1\x82\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xba\xd0\xb0, "
                           "\xd0\xbf\xd0\xb8\xd1\x81\xd1\x8c\xd0\xbc\xd0\xb0|0|7||3439.0\n"
                           "\xe9\xa6\x96\xe9\xa1\xb5|1|1||1149.0\n"
                           "\xe9\xa6\x96\xe9\xa1\xb5-0|1|1|sub|264.0\n"
                           "\xe9\xa6\x96\xe9\xa1\xb5-1|1|1|sub|5.0\n"
                           "Test|1|1|transaction|1259.0");
    free(rows);
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_jtl_reader_reads_local_dates_at_the_given_zone)
{
    char *db;
    test_run r = ingest_good("local-dates.jtl", "+01:00", &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    /* 2019-12-05 12:37:24.250 at +01:00 = 11:37:24.250Z = 1575545844.250 s. */
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     INT64_C(1575545844250) * 1000000);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE ok = 0"), 2);
    test_run_free(&r);
    free(db);

    /* Without a zone: UTC, and one warning that says how to give it. */
    r = ingest_good("local-dates.jtl", NULL, &db);
    char *expected = xasprintf("%s/tests/data/jtl/good/local-dates.jtl:2:1: warning: timeStamp "
                               "'2019-12-05 12:37:24.250' is local time without a zone: read as "
                               "UTC; give the zone with --tz +HH:MM or tz in the run's run.ini\n",
                               test_source_dir());
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     INT64_C(1575549444250) * 1000000);
    char *tz = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'tz'");
    ck_assert_str_eq(tz, "UTC (assumed)");
    free(tz);
    free(expected);
    test_run_free(&r);
    free(db);
}
END_TEST

START_TEST(test_jtl_reader_takes_the_zone_from_run_ini)
{
    char *dir = test_tmpdir("jtl-ini");
    char *run = xasprintf("%s/run1", dir);
    char *ini = xasprintf("%s/run.ini", run);
    char *file = xasprintf("%s/results.jtl", run);
    test_write_text(ini, "[run]\ntz = -05:00\n");
    char *src = test_source_path("tests/data/jtl/good/local-dates.jtl");
    size_t len;
    char *text = test_read_file(src, &len);
    test_write_file(file, text, len);
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, run, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(query(db, "SELECT t_ns FROM sample ORDER BY sample_id LIMIT 1"),
                     (INT64_C(1575549444250) + 5 * 3600000) * 1000000);
    test_run_free(&r);
    free(text);
    free(src);
    free(db);
    free(file);
    free(ini);
    free(run);
    free(dir);
}
END_TEST

/* Writes text to a fresh tmp file named name; caller frees the path. */
static char *scratch(const char *name, const char *text, size_t len)
{
    char *dir = test_tmpdir("jtl-file");
    char *path = xasprintf("%s/%s", dir, name);
    test_write_file(path, text, len);
    free(dir);
    return path;
}

#define HEADER17                                                                                 \
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,"          \
    "failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect"

START_TEST(test_jtl_reader_drops_only_a_short_last_record_without_line_end)
{
    const char text[] =
        HEADER17 "\n"
        "1700000000000,10,a,200,OK,TG 1-1,text,true,,1,1,1,1,null,1,0,0\n"
        "1700000000100,20,b,200,OK,TG 1-1,text,true,,1,1,1,1,null,1,0,0\n"
        "1700000000200,30,c,200,OK,TG 1-1,te";
    char *path = scratch("cut.jtl", text, sizeof text - 1);
    char *db;
    test_run r = ingest(path, NULL, &db);
    char *expected = xasprintf("%s:4:36: warning: last record has 7 of 17 fields and no line end: "
                               "the file was cut short while JMeter wrote it; the record is left "
                               "out\n", path);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample"), 2);
    test_run_free(&r);
    free(db);
    free(expected);
    free(path);

    /* The same record with a line end was written whole: an error. */
    const char ended[] =
        HEADER17 "\n"
        "1700000000000,10,a,200,OK,TG 1-1,text,true,,1,1,1,1,null,1,0,0\n"
        "1700000000200,30,c,200,OK,TG 1-1,te\n";
    path = scratch("short.jtl", ended, sizeof ended - 1);
    r = ingest(path, NULL, &db);
    expected = xasprintf("%s:3:36: error: record has 7 fields, expected 17 as in the header\n",
                         path);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(test_count_rows(db, "sample"), 0);
    test_run_free(&r);
    free(db);
    free(expected);
    free(path);
}
END_TEST

START_TEST(test_jtl_reader_maps_any_subset_and_order_of_columns_by_name)
{
    /* Taurus' kpi.jtl without responseMessage, and the columns shuffled, tabs. */
    const char text[] = "label\tallThreads\tsuccess\ttimeStamp\telapsed\tthreadName\t\"myVar\"\n"
                        "Home\t4\ttrue\t1700000000000\t15\tTG 1-1\tx\n"
                        "Home-0\t4\tfalse\t1700000000001\t5\tTG 1-1\t\"y\ty\"\n";
    char *path = scratch("kpi.jtl", text, sizeof text - 1);
    char *db;
    test_run r = ingest(path, NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    char *rows = rows_of(db);
    ck_assert_str_eq(rows, "Home|1|4||15.0\nHome-0|0|4|sub|5.0");
    free(rows);
    char *meta = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'transactions'");
    ck_assert_str_eq(meta, "not recognised: no responseMessage column");
    free(meta);
    test_run_free(&r);
    free(db);
    free(path);

    /* Neither success nor a thread count: ok and concurrency unknown. */
    const char bare[] = "timeStamp,elapsed,label\n1700000000000,15,Home\n";
    path = scratch("bare.jtl", bare, sizeof bare - 1);
    r = ingest(path, NULL, &db);
    ck_assert_int_eq(r.status, STATUS_OK);
    rows = rows_of(db);
    ck_assert_str_eq(rows, "Home|-|-||15.0");
    free(rows);
    test_run_free(&r);
    free(db);
    free(path);
}
END_TEST

START_TEST(test_jtl_reader_weighs_batch_rows_by_sample_count)
{
    /* Statistical mode: elapsed sums the batch; 2 of 10 samples failed. */
    const char text[] = "timeStamp,elapsed,label,success,allThreads,SampleCount,ErrorCount\n"
                        "1700000000000,5000,Home,false,8,10,2\n"
                        "1700000001000,40,Home,true,8,1,0\n";
    char *path = scratch("batch.jtl", text, sizeof text - 1);
    char *db;
    test_run r = ingest(path, NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    char *rows = test_query_text_at(
        db, "SELECT group_concat(ok || ':' || coalesce(weight, 1) || ':' || delay_ms, ' ') "
            "FROM (SELECT * FROM sample ORDER BY sample_id)");
    ck_assert_str_eq(rows, "1:8.0:500.0 0:2.0:500.0 1:1:40.0");
    free(rows);
    test_run_free(&r);
    free(db);
    free(path);
}
END_TEST

START_TEST(test_jtl_reader_reads_a_headerless_file_of_default_columns)
{
    const char text[] =
        "1700000000000,10,Home,200,OK,TG 1-1,text,true,,1,1,3,5,http://x/,1,0,0\r\n"
        "2023/11/14 22:13:20.100,20,Home,500,\"Err, bad\",TG 1-2,text,false,,1,1,3,5,null,1,0,"
        "0\r\n";
    char *path = scratch("nohead.jtl", text, sizeof text - 1);
    char *db;
    test_run r = ingest(path, "+00:00", &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    char *rows = rows_of(db);
    ck_assert_str_eq(rows, "Home|1|5||10.0\nHome|0|5||20.0");
    free(rows);
    ck_assert_int_eq(query(db, "SELECT max(t_ns) FROM sample"), INT64_C(1700000000100) * 1000000);
    char *meta = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'timestamps'");
    ck_assert_str_eq(meta, "mixed");
    free(meta);
    test_run_free(&r);
    free(db);
    free(path);
}
END_TEST

START_TEST(test_jtl_reader_keeps_the_samples_of_an_xml_file_cut_short)
{
    /* JMeter stopped: no </testResults>, the last element cut inside its tag. */
    char *text =
        xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n");
    for (int i = 0; i < 200; i++) {
        char *more = xasprintf("%s<httpSample t=\"%d\" ts=\"%lld\" s=\"true\" lb=\"Home\" "
                               "rm=\"OK\" tn=\"TG 1-1\" ng=\"1\" na=\"1\">\n  <httpSample "
                               "t=\"1\" ts=\"%lld\" s=\"true\" lb=\"Home-0\" na=\"1\"/>\n"
                               "</httpSample>\n",
                               text, i, 1700000000000LL + i, 1700000000000LL + i);
        free(text);
        text = more;
    }
    char *cut = xasprintf("%s<httpSample t=\"5\" ts=\"17000", text);
    char *path = scratch("cut.xml", cut, strlen(cut));
    char *db;
    test_run r = ingest(path, NULL, &db);
    char *expected = xasprintf("%s:603:28: warning: the file ends here, before </testResults>: "
                               "JMeter was stopped before it closed the file; the samples before "
                               "are kept\n", path);
    ck_assert_int_eq(r.status, STATUS_OK);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample"), 400);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE role = 'sub'"), 200);
    char *meta = test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'truncated'");
    ck_assert_str_eq(meta, "no </testResults>");
    free(meta);
    test_run_free(&r);
    free(db);
    free(expected);
    free(path);

    /* So small that the parser had read it all before the reader passed on anything. */
    const char tiny[] = "<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n"
                        "<sample t=\"12\" ts=\"1700000000000\" s=\"false\" lb=\"a\" na=\"3\"/>\n"
                        "<sample t=\"13\" ts=\"1700000000100\" s=\"true\" lb=\"a\" na=\"3\">\n"
                        "  <sample t=\"4\" ts=\"1700000000100\" s=\"true\" lb=\"a-0\" na=\"3\"/>\n";
    path = scratch("tiny.xml", tiny, sizeof tiny - 1);
    r = ingest(path, NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && strstr(r.err, ":5:") &&
                      strstr(r.err, "warning: the file ends"),
                  "exit %d: %s", r.status, r.err);
    char *rows = rows_of(db);
    ck_assert_str_eq(rows, "a|0|3||12.0\na|1|3||13.0\na-0|1|3|sub|4.0");
    free(rows);
    test_run_free(&r);
    free(db);
    free(path);
    free(cut);
    free(text);
}
END_TEST

START_TEST(test_jtl_reader_stops_at_a_quote_left_open_for_1_mib)
{
    size_t lines = 20000;
    const char head[] =
        HEADER17 "\n1700000000000,10,\"a,200,OK,TG 1-1,text,true,,1,1,1,1,null,1,0,0\n";
    const char row[] = "1700000000000,10,a,200,OK,TG 1-1,text,true,,1,1,1,1,null,1,0,0\n";
    size_t len = sizeof head - 1 + lines * (sizeof row - 1);
    char *text = xmalloc(len);
    memcpy(text, head, sizeof head - 1);
    for (size_t i = 0; i < lines; i++)
        memcpy(text + sizeof head - 1 + i * (sizeof row - 1), row, sizeof row - 1);
    char *path = scratch("open.jtl", text, len);
    char *db;
    test_run r = ingest(path, NULL, &db);
    char *expected = xasprintf("%s:2:18: error: quoted field still open after 1 MiB: a closing "
                               "quote is missing (reading stops here)\n", path);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    ck_assert_str_eq(r.err, expected);
    ck_assert_int_eq(test_count_rows(db, "sample"), 0);
    test_run_free(&r);
    free(expected);
    free(db);
    free(path);
    free(text);
}
END_TEST

START_TEST(test_jtl_reader_reads_gzip_files)
{
    char *dir = test_tmpdir("jtl-gz");
    char *path = xasprintf("%s/results.jtl.gz", dir);
    gzFile gz = gzopen(path, "wb");
    ck_assert_ptr_nonnull(gz);
    gzputs(gz, HEADER17 "\n");
    for (int i = 0; i < 1000; i++)
        gzprintf(gz, "%lld,%d,Home,200,OK,TG 1-1,text,%s,,1,1,1,1,null,1,0,0\n",
                 1700000000000LL + i, i, i % 10 ? "true" : "false");
    ck_assert_int_eq(gzclose(gz), Z_OK);
    char *db;
    test_run r = ingest(path, NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample"), 1000);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE ok = 0"), 100);
    /* The digest is of the bytes on disk. */
    char *sha = test_file_sha256(path, NULL);
    char *stored = test_query_text_at(db, "SELECT sha256 FROM source_file");
    ck_assert_str_eq(stored, sha);
    free(sha);
    free(stored);
    test_run_free(&r);
    free(db);
    free(path);

    /* XML too. */
    path = xasprintf("%s/results.xml.gz", dir);
    gz = gzopen(path, "wb");
    ck_assert_ptr_nonnull(gz);
    gzputs(gz, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n");
    for (int i = 0; i < 1000; i++)
        gzprintf(gz, "<httpSample t=\"%d\" ts=\"%lld\" s=\"%s\" lb=\"Home\" na=\"2\"/>\n", i,
                 1700000000000LL + i, i % 10 ? "true" : "false");
    gzputs(gz, "</testResults>\n");
    ck_assert_int_eq(gzclose(gz), Z_OK);
    r = ingest(path, NULL, &db);
    ck_assert_msg(r.status == STATUS_OK && r.err[0] == '\0', "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(query(db, "SELECT count(*) FROM sample WHERE ok = 0"), 100);
    ck_assert_int_eq(query(db, "SELECT sum(delay_ms) FROM sample"), 999 * 1000 / 2);
    test_run_free(&r);
    free(db);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_jtl_reader_sniffs_jmeter_files_only)
{
    static const struct {
        const char *head;
        bool csv, xml;
    } cases[] = {
        {HEADER17 "\n", true, false},
        {"\xEF\xBB\xBFtimeStamp,elapsed,label\n", true, false},
        {"timeStamp\telapsed\tlabel\n", true, false},
        {"timeStamp,elapsed,label,responseCode,responseMessage,threadName,success,bytes,"
         "grpThreads,allThreads,Latency,Hostname\n", true, false},
        /* A header without elapsed: read, to say it lacks one. */
        {"timeStamp,label,success\n", true, false},
        {"1713521704196,161,HTTP Request /hello,200,OK,Thread Group 1-1,text,true,,170,124,1,1,"
         "http://localhost:8001/hello,151,0,59\r\n", true, false},
        {"2019/12/05 12:37:24,23704,Login,,OK,TG 2-1,,false,,597138,6465,1,3,null,21228,4194,602\n",
         true, false},
        {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n", false,
         true},
        {"<testResults>\n<sample t=\"1\"/>", false, true},
        {"<?xml version=\"1.0\"?>\n<!-- results -->\n<testResults version=\"1.2\">", false, true},
        /* Not JMeter's. */
        {"metric_name,timestamp,metric_value,check,error\n", false, false},
        {"\"Timestamp\",\"User Count\",\"Type\",\"Name\"\n", false, false},
        {"1000, 2345, 0, 4096, 0\n", false, false},
        {"1713521704196,161\n", false, false},
        {"time,level,delay_ms\n", false, false},
        {"<?xml version=\"1.0\"?>\n<testResultsX/>", false, false},
        {"<?xml version=\"1.0\"?>\n<html>", false, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = strlen(cases[i].head);
        ck_assert_msg(jtl_csv_format.sniff("x", cases[i].head, len) == cases[i].csv,
                      "csv sniff of case %zu", i);
        ck_assert_msg(jtl_xml_format.sniff("x", cases[i].head, len) == cases[i].xml,
                      "xml sniff of case %zu", i);
    }
    ck_assert_str_eq(jtl_csv_format.name, "jmeter-csv");
    ck_assert_str_eq(jtl_xml_format.name, "jmeter-xml");
}
END_TEST

Suite *jtl_reader_suite(void)
{
    Suite *s = suite_create("jtl_reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_jtl_reader_bad_csv_inputs_match_golden_messages);
    tcase_add_test(tc, test_jtl_reader_bad_xml_inputs_match_golden_messages);
    tcase_add_test(tc, test_jtl_reader_stores_what_an_independent_count_finds_in_every_corpus_file);
    tcase_add_test(tc, test_jtl_reader_keeps_the_load_levels_the_corpus_files_name);
    tcase_add_test(tc, test_jtl_reader_drops_the_truncated_last_record_of_defra_with_a_warning);
    tcase_add_test(tc, test_jtl_reader_reports_the_runs_appended_to_sct_and_dorofeev);
    tcase_add_test(tc, test_jtl_reader_reads_xml_sub_results_and_transactions_by_nesting);
    tcase_add_test(tc, test_jtl_reader_reads_quoted_multi_line_fields_and_crlf);
    tcase_add_test(tc, test_jtl_reader_reads_local_dates_at_the_given_zone);
    tcase_add_test(tc, test_jtl_reader_takes_the_zone_from_run_ini);
    tcase_add_test(tc, test_jtl_reader_drops_only_a_short_last_record_without_line_end);
    tcase_add_test(tc, test_jtl_reader_maps_any_subset_and_order_of_columns_by_name);
    tcase_add_test(tc, test_jtl_reader_weighs_batch_rows_by_sample_count);
    tcase_add_test(tc, test_jtl_reader_reads_a_headerless_file_of_default_columns);
    tcase_add_test(tc, test_jtl_reader_keeps_the_samples_of_an_xml_file_cut_short);
    tcase_add_test(tc, test_jtl_reader_stops_at_a_quote_left_open_for_1_mib);
    tcase_add_test(tc, test_jtl_reader_reads_gzip_files);
    tcase_add_test(tc, test_jtl_reader_sniffs_jmeter_files_only);
    suite_add_tcase(s, tc);
    return s;
}
