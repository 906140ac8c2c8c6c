/* PDH-CSV (perfmon, esxtop): every file of the shared corpus reads with as
 * many values as an independent count finds, and with the names, values
 * and times the file shows; the layout's variants (counter paths, time
 * zones, encodings, line ends, date orders, daylight saving, glued and
 * non-counter columns, 100,000 columns) read as pdh_reader.h says; bad
 * inputs give their exact golden messages, and no sink call follows an
 * error. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counter_fixture.h"
#include "diag.h"
#include "isotime.h"
#include "pdh_reader.h"
#include "sha256.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* Reads path with opts (NULL for defaults); the sink fails at value call
 * fail_at_value unless it is 0. Checks that no sink call followed an error. */
static counter_fixture_outcome read_path_failing(const char *path, const counter_options *opts,
                                                 size_t fail_at_value)
{
    counter_fixture_outcome o = counter_fixture_read(pdh_reader_read, path, opts, fail_at_value);
    ck_assert_msg(o.sink.late_calls == 0, "%s: %zu sink calls after an error", path,
                  o.sink.late_calls);
    ck_assert_int_le(o.sink.file_calls, 1);
    return o;
}

static counter_fixture_outcome read_path(const char *path, const counter_options *opts)
{
    return read_path_failing(path, opts, 0);
}

/* Writes len bytes to a new file and reads it; *path_out (if not NULL)
 * receives its path, which the caller frees. */
static counter_fixture_outcome read_bytes(const void *data, size_t len,
                                          const counter_options *opts, char **path_out)
{
    char *dir = test_tmpdir("pdh");
    char *path = xasprintf("%s/x.csv", dir);
    test_write_file(path, data, len);
    counter_fixture_outcome o = read_path(path, opts);
    if (path_out)
        *path_out = path;
    else
        free(path);
    free(dir);
    return o;
}

static counter_fixture_outcome read_text(const char *text, const counter_options *opts)
{
    return read_bytes(text, strlen(text), opts, NULL);
}

static void assert_value(const counter_fixture_sink *s, size_t row, const char *path, double want)
{
    double got = 0;
    ck_assert_msg(counter_fixture_counter_of(s, path) >= 0, "no counter %s", path);
    ck_assert_msg(counter_fixture_value_of(s, row, path, &got), "row %zu of %s has no value", row,
                  path);
    ck_assert_msg(got == want, "row %zu of %s: %.17g, want %.17g", row, path, got, want);
}

static void assert_missing(const counter_fixture_sink *s, size_t row, const char *path)
{
    double got;
    ck_assert_msg(counter_fixture_counter_of(s, path) >= 0, "no counter %s", path);
    ck_assert_msg(!counter_fixture_value_of(s, row, path, &got), "row %zu of %s: %g, want none",
                  row, path, got);
}

/* An ISO-8601 UTC instant as ns. */
static int64_t utc(const char *iso)
{
    int64_t ns;
    ck_assert_msg(isotime_parse(iso, strlen(iso), 0, &ns), "bad instant %s", iso);
    return ns;
}

static void assert_has_message(const counter_fixture_outcome *o, const char *part)
{
    ck_assert_msg(strstr(o->messages, part) != NULL, "no message with \"%s\" in:\n%s", part,
                  o->messages);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ----- the corpus ----- */

/* How to read one corpus file, and what it must give. The counts were
 * made once, independently of this reader, with Python's csv module:
 * decode the file with its code page, split lines at CRLF, LF or CR, in
 * the rach-sharp file insert a comma before esxtop's glued quotes
 * (re.sub(r'(^|,)( +[^,"]+)"', r'\1\2,"', line)), then count the columns
 * whose header begins with a backslash, the rows after the header, and
 * the cells of those columns that are not blank after strip(). */
typedef struct corpus_case {
    const char *file;       /* under the corpus folder */
    const char *encoding;   /* opts->encoding, or NULL */
    bool has_tz;            /* opts->tz_minutes is given */
    int tz_minutes;
    bool has_date;          /* opts' date is 2015-03-26 */
    const char *kind;
    const char *decoded_as; /* counter_file_info.encoding */
    const char *time_zone;  /* as the header names it; NULL for none */
    bool has_bias;
    int bias;
    size_t counters, rows, values;
    size_t warnings;        /* expected diagnostics, all warnings */
    const char *first_local, *first_utc;
} corpus_case;

static const corpus_case corpus_cases[] = {
    {"perfmon/iverson_cst_gpu_2633cols.csv", NULL, false, 0, false, "perfmon", "UTF-8",
     "China Standard Time", true, -480, 2631, 61, 159027, 0, "11/14/2025 13:46:00.750",
     "2025-11-14T05:46:00.750Z"},
    {"perfmon/jg185342_edt_process_bytes.csv", NULL, false, 0, false, "perfmon", "UTF-8",
     "Eastern Daylight Time", true, 240, 8, 208, 1664, 0, "09/16/2021 07:51:58.569",
     "2021-09-16T11:51:58.569Z"},
    {"perfmon/narmadha_ist_logicaldisk.csv", NULL, false, 0, false, "perfmon", "UTF-8",
     "India Standard Time", true, -330, 12, 21, 244, 0, "09/19/2017 09:51:39.073",
     "2017-09-19T04:21:39.073Z"},
    {"perfmon/sirisaac_tokyo_5964cols.csv", NULL, false, 0, false, "perfmon", "UTF-8",
     "Tokyo Standard Time", true, -540, 5963, 16, 91563, 0, "04/27/2024 17:15:26.789",
     "2024-04-27T08:15:26.789Z"},
    /* RTZ 2 is Moscow time; the header lost its offset, so --tz gives it. */
    {"perfmon/waflia_ru_cp1251_1105cols.csv", "CP1251", true, 180, false, "perfmon", "CP1251",
     "RTZ 2 (", true, -180, 1104, 26, 27871, 1, "09/20/2021 16:48:17.954",
     "2021-09-20T13:48:17.954Z"},
    /* No offset and no --tz: local times taken as UTC, with a warning. */
    {"perfmon/wfjsg_ja_cp932_desc_column.csv", "CP932", false, 0, false, "perfmon", "CP932",
     NULL, false, 0, 107, 61, 6478, 1, "12/30/2017 20:56:30.873", "2017-12-30T20:56:30.873Z"},
    {"perfmon/wfjsg_ja_cp932_gpu_755cols.csv", "CP932", false, 0, false, "perfmon", "CP932",
     NULL, false, 0, 753, 527, 396511, 1, "12/15/2018 20:04:30.076",
     "2018-12-15T20:04:30.076Z"},
    {"perfmon/wfjsg_ja_excel_resaved_unquoted.csv", "CP932", false, 0, false, "perfmon",
     "CP932", NULL, false, 0, 107, 61, 6478, 1, "12/30/2017 20:56:30.873",
     "2017-12-30T20:56:30.873Z"},
    /* Two nameless glued columns, whose values are warned about. */
    {"esxtop/rach-sharp_esxtop_17427cols.csv", NULL, false, 0, false, "esxtop", "UTF-8", "UTC",
     true, 0, 17425, 3, 52275, 2, "04/24/2018 10:49:12", "2018-04-24T10:49:12Z"},
    {"esxtop/rach-sharp_small_esxtop_7632cols_trailing_comma.csv", NULL, false, 0, false,
     "esxtop", "UTF-8", "UTC", true, 0, 7630, 3, 22890, 0, "04/26/2018 14:06:27",
     "2018-04-26T14:06:27Z"},
    {"esxtop/gsliu_esxtop_subset_excel_resaved.csv", NULL, false, 0, false, "esxtop", "UTF-8",
     "UTC", true, 0, 11, 514, 5654, 0, "3/26/2015 22:42", "2015-03-26T22:42:00Z"},
    /* Times of day alone: the date of its Excel-saved sibling, by --date. */
    {"esxtop/gsliu_esxtop_subset_cr_only_eol.csv", NULL, false, 0, true, "esxtop", "UTF-8",
     "UTC", true, 0, 6, 100, 600, 0, "22:42:26", "2015-03-26T22:42:26Z"},
};

/* Reads the corpus file of a case with its options. */
static counter_fixture_outcome read_corpus(const corpus_case *c)
{
    char *dir = test_corpus_dir();
    ck_assert_ptr_nonnull(dir);
    char *path = xasprintf("%s/%s", dir, c->file);
    counter_options opts = {.encoding = c->encoding,
                            .has_tz = c->has_tz,
                            .tz_minutes = c->tz_minutes,
                            .has_date = c->has_date,
                            .year = 2015,
                            .month = 3,
                            .day = 26};
    counter_fixture_outcome o = read_path(path, &opts);
    free(path);
    free(dir);
    return o;
}

static const corpus_case *corpus_case_of(const char *file)
{
    for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++)
        if (strcmp(corpus_cases[i].file, file) == 0)
            return &corpus_cases[i];
    ck_abort_msg("no corpus case %s", file);
    return NULL;
}

START_TEST(test_pdh_reader_reads_every_corpus_file_with_every_value)
{
    char *dir = test_corpus_dir();
    ck_assert_ptr_nonnull(dir);
    size_t listed = 0;
    const char *folders[] = {"perfmon", "esxtop"};
    for (size_t f = 0; f < 2; f++) {
        /* Every file of the folders has a case: a new file must get one. */
        char *folder = xasprintf("%s/%s", dir, folders[f]);
        DIR *d = opendir(folder);
        ck_assert_msg(d != NULL, "cannot open %s", folder);
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char *file = xasprintf("%s/%s", folders[f], e->d_name);
            corpus_case_of(file);
            free(file);
            listed++;
        }
        closedir(d);
        free(folder);
    }
    ck_assert_uint_eq(listed, sizeof corpus_cases / sizeof *corpus_cases);
    for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++) {
        const corpus_case *c = &corpus_cases[i];
        counter_fixture_outcome o = read_corpus(c);
        ck_assert_msg(o.status == STATUS_OK, "%s: status %d\n%s", c->file, o.status, o.messages);
        ck_assert_msg(diag_list_errors(o.diags) == 0 && diag_list_count(o.diags) == c->warnings,
                      "%s: expected %zu warnings, got:\n%s", c->file, c->warnings, o.messages);
        const counter_fixture_sink *s = &o.sink;
        ck_assert_msg(s->counter_count == c->counters, "%s: %zu counters", c->file,
                      s->counter_count);
        ck_assert_msg(s->row_count == c->rows, "%s: %zu rows", c->file, s->row_count);
        ck_assert_msg(s->value_count == c->values, "%s: %zu values, want %zu", c->file,
                      s->value_count, c->values);
        ck_assert_str_eq(s->kind, c->kind);
        ck_assert_str_eq(s->encoding, c->decoded_as);
        if (c->time_zone)
            ck_assert_str_eq(s->time_zone, c->time_zone);
        else
            ck_assert_ptr_null(s->time_zone);
        ck_assert_int_eq(s->has_bias, c->has_bias);
        ck_assert_int_eq(s->bias_minutes, c->bias);
        ck_assert_str_eq(s->local[0], c->first_local);
        ck_assert_msg(s->times[0] == utc(c->first_utc), "%s: first time", c->file);
        for (size_t r = 1; r < s->row_count; r++)
            ck_assert_msg(s->times[r] >= s->times[r - 1], "%s: row %zu goes back", c->file, r);
        ck_assert_int_gt(o.result.size, 0);
        ck_assert_uint_eq(strlen(o.result.sha256), 64);
        counter_fixture_outcome_free(&o);
    }
    free(dir);
}
END_TEST

START_TEST(test_pdh_reader_corpus_perfmon_names_values_and_blanks)
{
    counter_fixture_outcome o = read_corpus(corpus_case_of("perfmon/iverson_cst_gpu_2633cols.csv"));
    const char *disk = "\\\\I-MEDUSA\\PhysicalDisk(0 C:)\\% Disk Time";
    assert_missing(&o.sink, 0, disk);
    assert_value(&o.sink, 1, disk, 1.0203296383395057401);
    assert_value(&o.sink, 4,
                 "\\\\I-MEDUSA\\GPU Engine(pid_10236_luid_0x00000000_0x000180BD_phys_0_eng_0_"
                 "engtype_3D)\\Utilization Percentage",
                 0);
    const counter_fixture_seen *c = &o.sink.counters[counter_fixture_counter_of(&o.sink, disk)];
    ck_assert_str_eq(c->machine, "I-MEDUSA");
    ck_assert_str_eq(c->object, "PhysicalDisk");
    ck_assert_str_eq(c->instance, "0 C:");
    ck_assert_str_eq(c->counter, "% Disk Time");
    /* The built-in collector set's description, a column of blanks. */
    ck_assert_str_eq(o.sink.description,
                     "Generate a report detailing the status of local hardware resources, "
                     "system response times, and processes on the local computer. Use this "
                     "information to identify possible causes of performance issues. "
                     "Membership in the local Administrators group, or equivalent, is the "
                     "minimum required to run this Data Collector Set.");
    counter_fixture_outcome_free(&o);

    o = read_corpus(corpus_case_of("perfmon/narmadha_ist_logicaldisk.csv"));
    assert_missing(&o.sink, 0, "\\\\IMPC3116\\LogicalDisk(C:)\\Avg. Disk Read Queue Length");
    assert_value(&o.sink, 1, "\\\\IMPC3116\\LogicalDisk(C:)\\Avg. Disk Read Queue Length",
                 0.032083023520161361);
    assert_value(&o.sink, 0, "\\\\IMPC3116\\LogicalDisk(HarddiskVolume2)\\Current Disk Queue Length",
                 0);
    counter_fixture_outcome_free(&o);

    o = read_corpus(corpus_case_of("perfmon/sirisaac_tokyo_5964cols.csv"));
    assert_missing(&o.sink, 0, "\\\\E5270\\Memory\\Cache Faults/sec");
    assert_value(&o.sink, 1, "\\\\E5270\\Memory\\Cache Faults/sec", 3.9138744464393475653);
    assert_value(&o.sink, 2, "\\\\E5270\\Process(rdpclip)\\% Privileged Time", 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_corpus_large_integers_are_exact)
{
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("perfmon/jg185342_edt_process_bytes.csv"));
    assert_value(&o.sink, 0, "\\\\7702-48817743\\Process(_Total)\\Virtual Bytes",
                 238132991823872.0);
    assert_value(&o.sink, 207, "\\\\7702-48817743\\Process(_Total)\\Virtual Bytes",
                 238133020971008.0);
    assert_value(&o.sink, 0, "\\\\7702-48817743\\Process(AnyDesk#1)\\Virtual Bytes", 117972992);
    const counter_fixture_seen *c =
        &o.sink.counters[counter_fixture_counter_of(
            &o.sink, "\\\\7702-48817743\\Process(AnyDesk#1)\\Virtual Bytes")];
    ck_assert_str_eq(c->instance, "AnyDesk");
    ck_assert_int_eq(c->index, 1);
    ck_assert(o.sink.times[207] == utc("2021-09-16T11:58:52.563Z"));
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_corpus_cp1251_russian_names)
{
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("perfmon/waflia_ru_cp1251_1105cols.csv"));
    assert_has_message(&o, ":1:1: warning: the header gives no UTC offset ('(PDH-CSV 4.0) "
                           "(RTZ 2 ('): local times are read as UTC+03:00, as --tz or 'tz' in "
                           "run.ini says");
    const char *idle = "\\\\DESKTOP-LRPVSK4\\Процесс(Idle)\\% загруженности процессора";
    assert_missing(&o.sink, 0, idle);
    assert_value(&o.sink, 1, idle, 1071.0072491149669531);
    const char *svchost = "\\\\DESKTOP-LRPVSK4\\Процесс(svchost#85)\\% загруженности процессора";
    assert_value(&o.sink, 1, svchost, 0);
    const counter_fixture_seen *c = &o.sink.counters[counter_fixture_counter_of(&o.sink, svchost)];
    ck_assert_str_eq(c->object, "Процесс");
    ck_assert_str_eq(c->instance, "svchost");
    ck_assert_int_eq(c->index, 85);
    ck_assert_str_eq(c->counter, "% загруженности процессора");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_corpus_cp932_description_column)
{
    /* The description holds 能 (0x94 0x5C in CP932) and other characters
     * whose second byte is a backslash. */
    const char *description =
        "このテンプレートで基本データ コレクター セットを作成してください。カウンターの追加や削除"
        "が可能です。また、プロパティを編集することでスケジュールのオプションを後で変更すること"
        "も可能です。ローカル Administrators グループのメンバーシップか同等の権限が、このデータ "
        "コレクター セットを変更せずに起動するためには最低限必要です。アクセス許可と構成について"
        "の詳しい情報は、「テンプレートからデータ コレクター セットを作成する」を参照してください"
        "。";
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("perfmon/wfjsg_ja_cp932_desc_column.csv"));
    assert_has_message(&o, ":1:1: warning: the header gives no UTC offset ('(PDH-CSV 4.0) ('): "
                           "local times are taken as UTC; give their offset with --tz +HH:MM or "
                           "'tz' in run.ini");
    ck_assert_str_eq(o.sink.description, description);
    assert_missing(&o.sink, 0, "\\\\TIERRA\\Process(explorer)\\% Processor Time");
    assert_value(&o.sink, 1, "\\\\TIERRA\\Process(explorer)\\Virtual Bytes Peak", 2199974223872.0);
    assert_value(&o.sink, 1, "\\\\TIERRA\\Memory\\Long-Term Average Standby Cache Lifetime (s)",
                 14400);
    counter_fixture_outcome_free(&o);

    o = read_corpus(corpus_case_of("perfmon/wfjsg_ja_cp932_gpu_755cols.csv"));
    ck_assert_str_eq(o.sink.description, description);
    const char *nic = "\\\\TIERRA\\Network Interface(Intel[R] 82579V Gigabit Network "
                      "Connection)\\Bytes Total/sec";
    assert_value(&o.sink, 9, nic, 11167.593155495231);
    ck_assert_str_eq(o.sink.counters[counter_fixture_counter_of(&o.sink, nic)].instance,
                     "Intel[R] 82579V Gigabit Network Connection");
    counter_fixture_outcome_free(&o);

    /* Without --encoding the guess (Windows-1252) fails loudly. */
    char *dir = test_corpus_dir();
    char *path = xasprintf("%s/perfmon/wfjsg_ja_cp932_desc_column.csv", dir);
    o = read_path(path, NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    assert_has_message(&o, ": warning: the header is not UTF-8 text (byte 0x82): read as "
                           "Windows-1252");
    assert_has_message(&o, ": error: byte 0x81 is not valid Windows-1252: give the file's code "
                           "page with --encoding or 'encoding' in run.ini");
    ck_assert_uint_eq(o.sink.file_calls, 0);
    counter_fixture_outcome_free(&o);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_pdh_reader_corpus_excel_resaved_files)
{
    /* Unquoted CP932 with Excel's 2.20E+12 and bare " " blanks. */
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("perfmon/wfjsg_ja_excel_resaved_unquoted.csv"));
    assert_value(&o.sink, 0, "\\\\TIERRA\\Process(explorer)\\Virtual Bytes Peak", 2.2e12);
    assert_missing(&o.sink, 0, "\\\\TIERRA\\Process(explorer)\\% Processor Time");
    counter_fixture_outcome_free(&o);

    /* 3/26/2015 22:42: no seconds; 26 shows month/day/year. */
    o = read_corpus(corpus_case_of("esxtop/gsliu_esxtop_subset_excel_resaved.csv"));
    const char *cpu0 = "\\\\proma-2n-dhcp60.eng.vmware.com\\Physical Cpu(0)\\% Processor Time";
    assert_value(&o.sink, 0, cpu0, 24.41);
    assert_value(&o.sink, 513, "\\\\proma-2n-dhcp60.eng.vmware.com\\Memory\\Kernel MBytes", 1087);
    ck_assert_str_eq(o.sink.local[513], "3/26/2015 23:29");
    ck_assert(o.sink.times[513] == utc("2015-03-26T23:29:00Z"));
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_corpus_esxtop_glued_fields_and_sentinels)
{
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("esxtop/rach-sharp_esxtop_17427cols.csv"));
    const counter_fixture_sink *s = &o.sink;
    /* `0.00",    73.1"8.93"`: 73.1 is the nameless column's, 8.93 C0's. */
    const char *t7 = "\\\\localhost.home\\PCPU Power State(PCPU 0)\\%T-State T7";
    const char *c0 = "\\\\localhost.home\\PCPU Power State(PCPU 1)\\%C-State C0";
    assert_value(s, 0, t7, 0);
    assert_value(s, 0, c0, 8.93);
    assert_value(s, 1, c0, 10.94);
    assert_value(s, 2, c0, 8.02);
    ck_assert_uint_eq(counter_fixture_counter_of(s, c0), counter_fixture_counter_of(s, t7) + 1);
    assert_has_message(&o, ":2:112380: warning: value '73.1' in column 17399 is ignored: its "
                           "header '-' is not a counter path");
    assert_has_message(&o, ":2:112589: warning: value '73.3' in column 17428 is ignored: its "
                           "header '-' is not a counter path");
    /* esxtop's negative sentinels are values. */
    assert_value(s, 0, "\\\\localhost.home\\Group Cpu(1:system)\\Alloc Max", -1);
    assert_value(s, 0, "\\\\localhost.home\\Group Cpu(1302698:styx)\\Alloc Shares", -3);
    const counter_fixture_seen *c =
        &s->counters[counter_fixture_counter_of(
            s, "\\\\localhost.home\\Group Cpu(1302698:styx)\\Alloc Shares")];
    ck_assert_str_eq(c->object, "Group Cpu");
    ck_assert_str_eq(c->instance, "1302698:styx");
    ck_assert_int_eq(c->index, -1);
    c = &s->counters[counter_fixture_counter_of(
        s, "\\\\localhost.home\\Memory\\Memory Overcommit (1 Minute Avg)")];
    ck_assert_str_eq(c->object, "Memory");
    ck_assert_ptr_null(c->instance);
    ck_assert_str_eq(c->counter, "Memory Overcommit (1 Minute Avg)");
    ck_assert_ptr_null(s->description);
    counter_fixture_outcome_free(&o);

    o = read_corpus(corpus_case_of("esxtop/rach-sharp_small_esxtop_7632cols_trailing_comma.csv"));
    assert_value(&o.sink, 0, "\\\\localhost.home\\PCPU Power State(PCPU 1)\\%P-State P15", 16.31);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_corpus_cr_only_time_of_day)
{
    counter_fixture_outcome o =
        read_corpus(corpus_case_of("esxtop/gsliu_esxtop_subset_cr_only_eol.csv"));
    const char *host = "\\\\proma-2n-dhcp60.eng.vmware.com";
    char *cpu0 = xasprintf("%s\\Physical Cpu(0)\\%% Processor Time", host);
    char *total = xasprintf("%s\\Physical Cpu(_Total)\\%% Util Time", host);
    assert_value(&o.sink, 0, cpu0, 24.41);
    assert_value(&o.sink, 99, total, 17.04);
    ck_assert_str_eq(o.sink.local[99], "22:51:28");
    ck_assert(o.sink.times[99] == utc("2015-03-26T22:51:28Z"));
    free(cpu0);
    free(total);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ----- golden bad inputs ----- */

/* Reads tests/data/pdh/bad/NAME.csv, from the source folder, and compares
 * its messages to NAME.expected. */
static void check_golden(const char *name)
{
    char *path = xasprintf("tests/data/pdh/bad/%s.csv", name);
    char *expected = xasprintf("tests/data/pdh/bad/%s.expected", name);
    counter_fixture_outcome o = read_path(path, NULL);
    counter_fixture_check_golden(&o, path, expected);
    ck_assert_uint_gt(o.result.errors, 0);
    counter_fixture_outcome_free(&o);
    free(expected);
    free(path);
}

START_TEST(test_pdh_reader_bad_inputs_match_golden_messages)
{
    /* The messages name the files as tests/data/pdh/bad/NAME.csv, so they
     * are read from the source folder. */
    char *cwd = getcwd(NULL, 0);
    ck_assert_int_eq(chdir(test_source_dir()), 0);
    int cases = test_each_file("tests/data/pdh/bad", ".csv", check_golden);
    ck_assert_int_eq(chdir(cwd), 0);
    free(cwd);
    /* Every case the issue names, and more. */
    ck_assert_int_ge(cases, 20);
}
END_TEST

START_TEST(test_pdh_reader_makes_no_sink_call_after_an_error_but_reads_on)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\A\\x\",\"\\\\H\\B\\y\"\n"
                       "\"01/02/2019 10:00:00.000\",\"1\",\"2\"\n"
                       "\"01/02/2019 10:00:01.000\",\"bad\",\"2\"\n"
                       "\"01/02/2019 10:00:02.000\",\"1\",\"2\"\n"
                       "\"01/02/2019 10:00:03.000\",\"1\",\"worse\"\n";
    counter_fixture_outcome o = read_text(text, NULL); /* read_path() checks the late calls */
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.result.errors, 2);
    ck_assert_uint_eq(o.sink.row_count, 2);
    ck_assert_uint_eq(o.sink.value_count, 2);
    assert_has_message(&o, ":3:27: error: bad value 'bad'");
    assert_has_message(&o, ":5:31: error: bad value 'worse'");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_stops_at_once_when_the_sink_fails)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\A\\x\",\"\\\\H\\B\\y\"\n"
                       "\"01/02/2019 10:00:00.000\",\"1\",\"2\"\n"
                       "\"01/02/2019 10:00:01.000\",\"3\",\"4\"\n"
                       "\"01/02/2019 10:00:02.000\",\"bad\",\"6\"\n";
    char *dir = test_tmpdir("pdh");
    char *path = xasprintf("%s/x.csv", dir);
    test_write_text(path, text);
    counter_fixture_outcome o = read_path_failing(path, NULL, 3);
    ck_assert_int_eq(o.status, STATUS_FAILURE);
    ck_assert_uint_eq(o.sink.value_count, 3);
    ck_assert_uint_eq(o.sink.row_count, 2);
    ck_assert_uint_eq(diag_list_count(o.diags), 0); /* line 4 was not read */
    counter_fixture_outcome_free(&o);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_pdh_reader_gives_digest_and_size_of_the_file)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\A\\x\"\r\n\"01/02/2019 10:00:00.000\",\"1\"\r\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    sha256 ctx;
    char want[65];
    sha256_init(&ctx);
    sha256_update(&ctx, text, strlen(text));
    sha256_final_hex(&ctx, want);
    ck_assert_str_eq(o.result.sha256, want);
    ck_assert_int_eq(o.result.size, (long long)strlen(text));
    ck_assert_uint_eq(o.result.errors, 0);
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ----- paths ----- */

typedef struct path_case {
    const char *path, *machine, *object, *parent, *instance;
    int index;
    const char *counter;
} path_case;

static void assert_part(const char *got, const char *want, const char *what, const char *path)
{
    if (!want)
        ck_assert_msg(got == NULL, "%s of %s: '%s', want none", what, path, got);
    else
        ck_assert_msg(got && strcmp(got, want) == 0, "%s of %s: '%s', want '%s'", what, path,
                      got ? got : "(none)", want);
}

START_TEST(test_pdh_reader_splits_counter_paths)
{
    static const path_case cases[] = {
        {"\\\\HOST\\Network Interface(Intel[R] PRO/1000 MT)\\Bytes Total/sec", "HOST",
         "Network Interface", NULL, "Intel[R] PRO/1000 MT", -1, "Bytes Total/sec"},
        {"\\\\HOST\\Process(svchost#3)\\% Processor Time", "HOST", "Process", NULL, "svchost", 3,
         "% Processor Time"},
        {"\\\\HOST\\Thread(vmware-vmx/12)\\% Processor Time", "HOST", "Thread", "vmware-vmx", "12",
         -1, "% Processor Time"},
        {"\\\\HOST\\Thread(svchost/0#5)\\Context Switches/sec", "HOST", "Thread", "svchost", "0", 5,
         "Context Switches/sec"},
        {"\\\\HOST\\Job Object Details(backup/robocopy)\\% Processor Time", "HOST",
         "Job Object Details", "backup", "robocopy", -1, "% Processor Time"},
        {"\\\\esx01\\Group Cpu(12345:web-01)\\% Used", "esx01", "Group Cpu", NULL, "12345:web-01",
         -1, "% Used"},
        {"\\\\HOST\\PhysicalDisk(0 C:)\\% Disk Time", "HOST", "PhysicalDisk", NULL, "0 C:", -1,
         "% Disk Time"},
        {"\\\\localhost.home\\Memory\\Memory Overcommit (1 Minute Avg)", "localhost.home", "Memory",
         NULL, NULL, -1, "Memory Overcommit (1 Minute Avg)"},
        {"\\Processor(_Total)\\% Processor Time", NULL, "Processor", NULL, "_Total", -1,
         "% Processor Time"},
        {"\\\\HOST\\Process(foo (x86))\\Working Set", "HOST", "Process", NULL, "foo (x86)", -1,
         "Working Set"},
        {"\\\\HOST\\LogicalDisk(C:\\mnt\\data)\\Free Megabytes", "HOST", "LogicalDisk", NULL,
         "C:\\mnt\\data", -1, "Free Megabytes"},
        {"\\\\HOST\\Processor Information(0,_Total)\\% Processor Time", "HOST",
         "Processor Information", NULL, "0,_Total", -1, "% Processor Time"},
        {"\\\\HOST\\Process(a#b)\\x", "HOST", "Process", NULL, "a#b", -1, "x"},
        {"\\\\HOST\\Process(#3)\\x", "HOST", "Process", NULL, "#3", -1, "x"},
        {"\\\\DESKTOP-LRPVSK4\\Процесс(svchost#85)\\% загруженности процессора", "DESKTOP-LRPVSK4",
         "Процесс", NULL, "svchost", 85, "% загруженности процессора"},
        {"\\\\TIERRA\\プロセス(能力/構成)\\% プロセッサ時間", "TIERRA", "プロセス", NULL,
         "能力/構成", -1, "% プロセッサ時間"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const path_case *c = &cases[i];
        size_t len = strlen(c->path);
        char *buf = xmalloc(PDH_READER_PATH_ROOM(len));
        counter_path p;
        ck_assert_msg(pdh_reader_parse_path(c->path, len, buf, &p), "rejected %s", c->path);
        ck_assert_str_eq(p.path, c->path);
        assert_part(p.machine, c->machine, "machine", c->path);
        assert_part(p.object, c->object, "object", c->path);
        assert_part(p.parent, c->parent, "parent", c->path);
        assert_part(p.instance, c->instance, "instance", c->path);
        ck_assert_int_eq(p.instance_index, c->index);
        assert_part(p.counter, c->counter, "counter", c->path);
        free(buf);
    }
}
END_TEST

START_TEST(test_pdh_reader_rejects_what_is_not_a_counter_path)
{
    static const char *const bad[] = {
        "",
        "HOST\\Memory\\Available Bytes",
        "\\\\HOST",
        "\\\\HOST\\Memory",
        "\\\\\\Memory\\Available Bytes",
        "\\\\HOST\\Memory\\",
        "\\\\HOST\\(x)\\c",
        "\\\\HOST\\Process(x\\c",
        "\\\\HOST\\Process(x)y\\c",
        "\\\\HOST\\Process(\\c",
    };
    char buf[PDH_READER_PATH_ROOM(64)];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        counter_path p;
        ck_assert_msg(!pdh_reader_parse_path(bad[i], strlen(bad[i]), buf, &p), "accepted %s",
                      bad[i]);
    }
}
END_TEST

START_TEST(test_pdh_reader_sniffs_pdh_csv_headers)
{
    static const char utf16le[] = "\xFF\xFE\"\0(\0P\0D\0H\0-\0C\0S\0V\0 \0\x34\0.\0\x30\0)\0 \0(\0";
    static const char utf16be[] = "\xFE\xFF\0\"\0(\0P\0D\0H\0-\0C\0S\0V\0 \0\x34\0.\0\x30\0)\0 \0(";
    ck_assert(pdh_reader_sniff("\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\x\\y\"", 34));
    ck_assert(pdh_reader_sniff("(PDH-CSV 4.0) (,\\\\TIERRA\\Process", 31));
    ck_assert(pdh_reader_sniff("\xEF\xBB\xBF\"(PDH-CSV 4.0) (", 18));
    ck_assert(pdh_reader_sniff(utf16le, sizeof utf16le - 1));
    ck_assert(pdh_reader_sniff(utf16be, sizeof utf16be - 1));
    ck_assert(!pdh_reader_sniff("\"Time\",\"\\\\h\\x\\y\"", 16));
    ck_assert(!pdh_reader_sniff("# p3-probe 1\n", 13));
    ck_assert(!pdh_reader_sniff("\"(PDH-CSV 4", 11));
    ck_assert(!pdh_reader_sniff("", 0));
}
END_TEST

/* ----- time zones ----- */

/* A one-counter file with this first cell and one row at this local time. */
static counter_fixture_outcome read_one_row(const char *first_cell, const char *local,
                                            const counter_options *o)
{
    char *text = xasprintf("\"%s\",\"\\\\H\\Memory\\Available Bytes\"\r\n\"%s\",\"1\"\r\n",
                           first_cell, local);
    counter_fixture_outcome out = read_text(text, o);
    free(text);
    return out;
}

START_TEST(test_pdh_reader_adds_the_header_bias_to_local_times)
{
    static const struct {
        const char *cell, *zone;
        int bias;
        const char *utc;
    } cases[] = {
        {"(PDH-CSV 4.0) (Tokyo Standard Time)(-540)", "Tokyo Standard Time", -540,
         "2024-04-27T08:15:26.789Z"},
        {"(PDH-CSV 4.0) (Eastern Daylight Time)(240)", "Eastern Daylight Time", 240,
         "2024-04-27T21:15:26.789Z"},
        {"(PDH-CSV 4.0) (India Standard Time)(-330)", "India Standard Time", -330,
         "2024-04-27T11:45:26.789Z"},
        {"(PDH-CSV 4.0) (UTC)(0)", "UTC", 0, "2024-04-27T17:15:26.789Z"},
    };
    /* The header wins over --tz. */
    counter_options tz = {.has_tz = true, .tz_minutes = 60};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        counter_fixture_outcome o = read_one_row(cases[i].cell, "04/27/2024 17:15:26.789", &tz);
        ck_assert_int_eq(o.status, STATUS_OK);
        ck_assert_str_eq(o.messages, "");
        ck_assert_str_eq(o.sink.time_zone, cases[i].zone);
        ck_assert(o.sink.has_bias);
        ck_assert_int_eq(o.sink.bias_minutes, cases[i].bias);
        ck_assert_msg(o.sink.times[0] == utc(cases[i].utc), "%s", cases[i].cell);
        ck_assert_str_eq(o.sink.local[0], "04/27/2024 17:15:26.789");
        counter_fixture_outcome_free(&o);
    }
}
END_TEST

START_TEST(test_pdh_reader_cut_time_zone_takes_tz_option_or_utc)
{
    counter_options tokyo = {.has_tz = true, .tz_minutes = 540};
    counter_fixture_outcome o = read_one_row("(PDH-CSV 4.0) (", "12/30/2017 20:56:30.873", &tokyo);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_ptr_null(o.sink.time_zone);
    ck_assert(o.sink.has_bias);
    ck_assert_int_eq(o.sink.bias_minutes, -540);
    ck_assert(o.sink.times[0] == utc("2017-12-30T11:56:30.873Z"));
    assert_has_message(&o, ":1:1: warning: the header gives no UTC offset ('(PDH-CSV 4.0) ('): "
                           "local times are read as UTC+09:00, as --tz or 'tz' in run.ini says\n");
    ck_assert_uint_eq(count_lines(o.messages), 1);
    counter_fixture_outcome_free(&o);

    o = read_one_row("(PDH-CSV 4.0) (RTZ 2 (", "09/20/2021 16:48:17.954", NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.time_zone, "RTZ 2 (");
    ck_assert(!o.sink.has_bias);
    ck_assert(o.sink.times[0] == utc("2021-09-20T16:48:17.954Z"));
    assert_has_message(&o, ":1:1: warning: the header gives no UTC offset ('(PDH-CSV 4.0) (RTZ 2 "
                           "('): local times are taken as UTC; give their offset with --tz "
                           "+HH:MM or 'tz' in run.ini\n");
    ck_assert_uint_eq(count_lines(o.messages), 1);
    counter_fixture_outcome_free(&o);

    /* typeperf writes no time zone at all. */
    o = read_one_row("(PDH-CSV 4.0)", "09/20/2021 16:48:17.954", NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_ptr_null(o.sink.time_zone);
    ck_assert(o.sink.times[0] == utc("2021-09-20T16:48:17.954Z"));
    assert_has_message(&o, ":1:1: warning: the header gives no UTC offset ('(PDH-CSV 4.0)'): "
                           "local times are taken as UTC");
    counter_fixture_outcome_free(&o);

    /* A time zone name with parentheses of its own, and a bias. */
    o = read_one_row("(PDH-CSV 4.0) (RTZ 2 (зима))(-180)", "09/20/2021 16:48:17.954", NULL);
    ck_assert_str_eq(o.messages, "");
    ck_assert_str_eq(o.sink.time_zone, "RTZ 2 (зима)");
    ck_assert(o.sink.times[0] == utc("2021-09-20T13:48:17.954Z"));
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ----- encodings and line ends ----- */

static unsigned char *put_unit(unsigned char *o, unsigned u, bool little_endian)
{
    *o++ = (unsigned char)(little_endian ? u & 0xFF : u >> 8);
    *o++ = (unsigned char)(little_endian ? u >> 8 : u & 0xFF);
    return o;
}

/* text (valid UTF-8) as UTF-16 with a BOM; caller frees. */
static char *utf16_with_bom(const char *text, bool little_endian, size_t *len)
{
    size_t n = strlen(text);
    unsigned char *out = xmalloc(2 * n + 2), *o = put_unit(out, 0xFEFF, little_endian);
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        unsigned u;
        if (s[i] < 0x80) {
            u = s[i++];
        } else if (s[i] < 0xE0) {
            u = (unsigned)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
            i += 2;
        } else if (s[i] < 0xF0) {
            u = (unsigned)(s[i] & 0x0F) << 12 | (unsigned)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
            i += 3;
        } else {
            u = (unsigned)(s[i] & 0x07) << 18 | (unsigned)(s[i + 1] & 0x3F) << 12 |
                (unsigned)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
            i += 4;
            o = put_unit(o, 0xD800 + ((u - 0x10000) >> 10), little_endian);
            u = 0xDC00 + ((u - 0x10000) & 0x3FF);
        }
        o = put_unit(o, u, little_endian);
    }
    *len = (size_t)(o - out);
    return (char *)out;
}

START_TEST(test_pdh_reader_reads_utf16_with_bom)
{
    /* Њ is U+040A: in UTF-16LE its bytes are 0A 04, an LF byte. */
    const char *text = "\"(PDH-CSV 4.0) (Russia TZ 2 Standard Time)(-180)\","
                       "\"\\\\HOST\\Процесс(Њ#2)\\% загруженности процессора\",\"\\\\HOST\\Memory\\"
                       "Available Bytes\"\r\n"
                       "\"09/20/2021 16:48:17.954\",\"1.5\",\" \"\r\n"
                       "\"09/20/2021 16:48:18.954\",\"2.5\",\"1024\"\r\n";
    for (int le = 0; le < 2; le++) {
        size_t len;
        char *data = utf16_with_bom(text, le, &len);
        counter_fixture_outcome o = read_bytes(data, len, NULL, NULL);
        ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
        ck_assert_str_eq(o.messages, "");
        ck_assert_str_eq(o.sink.encoding, le ? "UTF-16LE" : "UTF-16BE");
        ck_assert_uint_eq(o.sink.counter_count, 2);
        ck_assert_str_eq(o.sink.counters[0].instance, "Њ");
        ck_assert_int_eq(o.sink.counters[0].index, 2);
        ck_assert_str_eq(o.sink.counters[0].object, "Процесс");
        ck_assert_uint_eq(o.sink.row_count, 2);
        assert_value(&o.sink, 0, "\\\\HOST\\Процесс(Њ#2)\\% загруженности процессора", 1.5);
        assert_missing(&o.sink, 0, "\\\\HOST\\Memory\\Available Bytes");
        assert_value(&o.sink, 1, "\\\\HOST\\Memory\\Available Bytes", 1024);
        ck_assert(o.sink.times[1] == utc("2021-09-20T13:48:18.954Z"));
        ck_assert_int_eq(o.result.size, (long long)len);
        counter_fixture_outcome_free(&o);
        free(data);
    }
}
END_TEST

START_TEST(test_pdh_reader_decodes_characters_cut_by_read_chunks)
{
    /* The line reader reads 1 MiB at a time: a character whose bytes
     * straddle that boundary must come out whole. */
    const size_t chunk = (size_t)1 << 20;
    const char *head = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\A\\x\",\"";
    const char *tail = "\"\r\n\"01/02/2019 10:00:00.000\",\"1\",\" \"\r\n";
    /* UTF-16: the four bytes of U+1F600 start 2 bytes before the boundary. */
    size_t pad = (chunk - 2 - 2) / 2 - strlen(head);
    char *text = xmalloc(strlen(head) + pad + 4 + strlen(tail) + 1);
    sprintf(text, "%s%*s😀%s", head, (int)pad, "", tail);
    size_t len;
    char *data = utf16_with_bom(text, true, &len);
    ck_assert_mem_eq(data + chunk - 2, "\x3D\xD8\x00\xDE", 4);
    counter_fixture_outcome o = read_bytes(data, len, NULL, NULL);
    ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
    ck_assert_uint_eq(strlen(o.sink.description), 4);
    ck_assert_str_eq(o.sink.description, "😀"); /* the padding is trimmed */
    assert_value(&o.sink, 0, "\\\\H\\A\\x", 1);
    counter_fixture_outcome_free(&o);
    free(data);
    free(text);

    /* CP932: 能 (0x94 0x5C) at the last byte of the first chunk. */
    pad = chunk - 1 - strlen(head);
    text = xmalloc(strlen(head) + pad + 2 + strlen(tail) + 1);
    len = (size_t)sprintf(text, "%s%*s\x94\x5C%s", head, (int)pad, "x", tail);
    ck_assert_mem_eq(text + chunk - 1, "\x94\x5C", 2);
    counter_options cp932 = {.encoding = "CP932"};
    o = read_bytes(text, len, &cp932, NULL);
    ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
    ck_assert_str_eq(o.sink.description, "x能");
    counter_fixture_outcome_free(&o);
    free(text);
}
END_TEST

START_TEST(test_pdh_reader_refuses_an_encoding_iconv_does_not_know)
{
    const char text[] = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Process(caf\xE9)\\x\"\n";
    counter_options bogus = {.encoding = "NO-SUCH-CODE-PAGE"};
    char *path;
    counter_fixture_outcome o = read_bytes(text, sizeof text - 1, &bogus, &path);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s: error: cannot decode from 'NO-SUCH-CODE-PAGE': iconv does not "
                           "know it\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    ck_assert_int_eq(o.sink.file_calls, 0);
    counter_fixture_outcome_free(&o);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_pdh_reader_reads_utf8_with_bom_and_counts_it_in_columns)
{
    const char *text = "\xEF\xBB\xBF\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Процесс(x)\\y\"\n"
                       "\"01/02/2019 10:00:00.000\",\"7\"\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.encoding, "UTF-8");
    assert_value(&o.sink, 0, "\\\\HOST\\Процесс(x)\\y", 7);
    counter_fixture_outcome_free(&o);

    o = read_text("\xEF\xBB\xBF\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\"\n", NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    assert_has_message(&o, ":1:29: error: bad counter path '\\\\HOST'");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_decodes_legacy_code_pages_before_splitting_paths)
{
    /* 能 is 0x94 0x5C and 構 0x8D 0x5C in CP932: a backslash byte each. */
    const char text[] = "\"(PDH-CSV 4.0) (\",\"\\\\TIERRA\\Process(\x94\x5C\x8D\x5C)\\% Processor "
                        "Time\"\r\n\"12/30/2017 20:56:30.873\",\"3\"\r\n";
    counter_options cp932 = {.encoding = "CP932", .has_tz = true, .tz_minutes = 540};
    counter_fixture_outcome o = read_bytes(text, sizeof text - 1, &cp932, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.encoding, "CP932");
    ck_assert_uint_eq(o.sink.counter_count, 1);
    ck_assert_str_eq(o.sink.counters[0].path, "\\\\TIERRA\\Process(能構)\\% Processor Time");
    ck_assert_str_eq(o.sink.counters[0].instance, "能構");
    ck_assert_str_eq(o.sink.counters[0].counter, "% Processor Time");
    counter_fixture_outcome_free(&o);

    /* CP1251: Процесс and загруженности. */
    const char russian[] = "\"(PDH-CSV 4.0) (RTZ 2 (\",\"\\\\DESKTOP\\\xCF\xF0\xEE\xF6\xE5\xF1\xF1"
                           "(Idle)\\% \xE7\xE0\xE3\xF0\xF3\xE6\xE5\xED\xED\xEE\xF1\xF2\xE8\"\n"
                           "\"09/20/2021 16:48:17.954\",\"1.5\"\n";
    counter_options cp1251 = {.encoding = "CP1251", .has_tz = true, .tz_minutes = 180};
    o = read_bytes(russian, sizeof russian - 1, &cp1251, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.encoding, "CP1251");
    ck_assert_str_eq(o.sink.counters[0].object, "Процесс");
    ck_assert_str_eq(o.sink.counters[0].counter, "% загруженности");
    assert_value(&o.sink, 0, "\\\\DESKTOP\\Процесс(Idle)\\% загруженности", 1.5);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_guesses_windows_1252_with_a_warning)
{
    const char text[] = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\HOST\\Process(caf\xE9)\\% Processor "
                        "Time\"\r\n\"01/02/2019 10:00:00.000\",\"3\"\r\n";
    char *path;
    counter_fixture_outcome o = read_bytes(text, sizeof text - 1, NULL, &path);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.encoding, "Windows-1252");
    ck_assert_str_eq(o.sink.counters[0].instance, "café");
    char *want = xasprintf("%s:1:45: warning: the header is not UTF-8 text (byte 0xE9): read as "
                           "Windows-1252; give the file's code page with --encoding or "
                           "'encoding' in run.ini if that is wrong\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    counter_fixture_outcome_free(&o);

    /* A given code page is used, and not warned about. */
    counter_options latin9 = {.encoding = "ISO-8859-15"};
    o = read_bytes(text, sizeof text - 1, &latin9, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.encoding, "ISO-8859-15");
    ck_assert_str_eq(o.messages, "");
    counter_fixture_outcome_free(&o);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_pdh_reader_reads_cr_only_line_ends)
{
    const char *ends[] = {"\r", "\n", "\r\n"};
    for (size_t e = 0; e < 3; e++) {
        for (int last = 0; last < 2; last++) {
            char *text = xasprintf("(PDH-CSV 4.0) (UTC)(0),\\\\h\\Physical Cpu(0)\\%% Util Time%s"
                                   "3/26/2015 22:42,1.5%s3/26/2015 22:43,2.5%s",
                                   ends[e], ends[e], last ? ends[e] : "");
            counter_fixture_outcome o = read_text(text, NULL);
            ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
            ck_assert_str_eq(o.messages, "");
            ck_assert_uint_eq(o.sink.row_count, 2);
            assert_value(&o.sink, 1, "\\\\h\\Physical Cpu(0)\\% Util Time", 2.5);
            ck_assert_str_eq(o.sink.local[1], "3/26/2015 22:43");
            counter_fixture_outcome_free(&o);
            free(text);
        }
    }
}
END_TEST

/* ----- dates ----- */

/* The first row's instant of an Excel-like file with these timestamps
 * (one per line, 1 to 5 of them), read with opts. */
static counter_fixture_outcome read_times(const char *const *times, size_t n,
                                          const counter_options *opts)
{
    char *text = xstrdup("(PDH-CSV 4.0) (UTC)(0),\\\\H\\Memory\\Available Bytes\r\n");
    for (size_t i = 0; i < n; i++) {
        char *more = xasprintf("%s%s,%zu\r\n", text, times[i], i);
        free(text);
        text = more;
    }
    counter_fixture_outcome o = read_text(text, opts);
    free(text);
    return o;
}

START_TEST(test_pdh_reader_decides_the_date_order_from_evidence)
{
    static const struct {
        const char *times[3];
        const char *first; /* UTC of the first row */
    } cases[] = {
        {{"1/13/2019 10:00", NULL}, "2019-01-13T10:00:00Z"},                 /* MDY: 13 second */
        {{"13/1/2019 10:00", NULL}, "2019-01-13T10:00:00Z"},                 /* DMY: 13 first */
        {{"29.10.2019 09:04:05", NULL}, "2019-10-29T09:04:05Z"},             /* DMY: dots */
        {{"01.02.2019 09:04:05", NULL}, "2019-02-01T09:04:05Z"},             /* DMY: dots */
        {{"2019/10/29 9:04", NULL}, "2019-10-29T09:04:00Z"},                 /* YMD */
        {{"2019-10-29 09:04:05.5", NULL}, "2019-10-29T09:04:05.5Z"},         /* YMD */
        {{"\"01/02/2019 10:00:00\"", NULL}, "2019-01-02T10:00:00Z"},         /* quoted: MDY */
        {{"01/02/2019 10:00:00.250", NULL}, "2019-01-02T10:00:00.250Z"},     /* ms: MDY */
        /* The evidence comes in a later row, found by a scan ahead. */
        {{"1/2/2019 23:00", "1/5/2019 10:00", "1/13/2019 10:00"}, "2019-01-02T23:00:00Z"},
        {{"1/2/2019 23:00", "5/2/2019 10:00", "13/2/2019 10:00"}, "2019-02-01T23:00:00Z"},
    };
    /* Evidence wins over --date-order. */
    counter_options dmy = {.date_order = COUNTER_DATE_DMY};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n = 0;
        while (n < 3 && cases[i].times[n])
            n++;
        for (int with_option = 0; with_option < 2; with_option++) {
            counter_fixture_outcome o = read_times(cases[i].times, n, with_option ? &dmy : NULL);
            ck_assert_msg(o.status == STATUS_OK, "%s: %s", cases[i].times[0], o.messages);
            ck_assert_uint_eq(o.sink.row_count, n);
            ck_assert_msg(o.sink.times[0] == utc(cases[i].first), "%s", cases[i].times[0]);
            counter_fixture_outcome_free(&o);
        }
    }
}
END_TEST

START_TEST(test_pdh_reader_ambiguous_dates_need_the_date_order_option)
{
    const char *times[] = {"1/2/2019 10:00", "1/3/2019 10:00", "12/4/2019 10:00"};
    counter_options mdy = {.date_order = COUNTER_DATE_MDY}, dmy = {.date_order = COUNTER_DATE_DMY};
    counter_fixture_outcome o = read_times(times, 3, &mdy);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert(o.sink.times[2] == utc("2019-12-04T10:00:00Z"));
    counter_fixture_outcome_free(&o);
    o = read_times(times, 3, &dmy);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert(o.sink.times[2] == utc("2019-04-12T10:00:00Z"));
    counter_fixture_outcome_free(&o);
    o = read_times(times, 3, NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(o.sink.row_count, 0);
    ck_assert_uint_eq(count_lines(o.messages), 1);
    assert_has_message(&o, ":2:1: error: ambiguous date '1/2/2019 10:00': no row shows whether "
                           "the dates are month/day/year or day/month/year; give the order with "
                           "--date-order mdy|dmy or 'date_order' in run.ini\n");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_time_of_day_takes_the_date_option_and_rolls_over_midnight)
{
    const char *times[] = {"23:59:58", "0:00:03", "00:00:08.5"};
    counter_options date = {.has_date = true, .year = 2015, .month = 3, .day = 31};
    counter_fixture_outcome o = read_times(times, 3, &date);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert(o.sink.times[0] == utc("2015-03-31T23:59:58Z"));
    ck_assert(o.sink.times[1] == utc("2015-04-01T00:00:03Z"));
    ck_assert(o.sink.times[2] == utc("2015-04-01T00:00:08.5Z"));
    ck_assert_str_eq(o.sink.local[1], "0:00:03");
    counter_fixture_outcome_free(&o);

    o = read_times(times, 3, NULL);
    ck_assert_int_eq(o.status, STATUS_BAD_INPUT);
    ck_assert_uint_eq(count_lines(o.messages), 1);
    assert_has_message(&o, ":2:1: error: time '23:59:58' has no date: give the date of the first "
                           "row with --date YYYY-MM-DD or 'date' in run.ini\n");
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ----- daylight saving ----- */

/* A perfmon file in the given zone with rows at these local times. */
static counter_fixture_outcome read_clock(const char *first_cell, const char *const *times,
                                          size_t n, char **path)
{
    char *text = xasprintf("\"%s\",\"\\\\H\\Memory\\Available Bytes\"\r\n", first_cell);
    for (size_t i = 0; i < n; i++) {
        char *more = xasprintf("%s\"%s\",\"%zu\"\r\n", text, times[i], i);
        free(text);
        text = more;
    }
    counter_fixture_outcome o = read_bytes(text, strlen(text), NULL, path);
    free(text);
    return o;
}

START_TEST(test_pdh_reader_repeated_hour_keeps_utc_increasing)
{
    /* US Eastern time ends daylight saving at 2:00 EDT, back to 1:00 EST. */
    const char *times[] = {"11/01/2020 01:30:00.000", "11/01/2020 01:45:00.000",
                           "11/01/2020 01:59:50.000", "11/01/2020 01:00:05.000",
                           "11/01/2020 01:15:05.000"};
    char *path;
    counter_fixture_outcome o =
        read_clock("(PDH-CSV 4.0) (Eastern Daylight Time)(240)", times, 5, &path);
    ck_assert_int_eq(o.status, STATUS_OK);
    char *want = xasprintf("%s:5:1: warning: local time goes back from '11/01/2020 01:59:50.000' "
                           "to '11/01/2020 01:00:05.000' (daylight saving time ended?): so that "
                           "UTC keeps increasing, times from here on are read as UTC-05:00\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    ck_assert(o.sink.times[2] == utc("2020-11-01T05:59:50Z"));
    ck_assert(o.sink.times[3] == utc("2020-11-01T06:00:05Z"));
    ck_assert(o.sink.times[4] == utc("2020-11-01T06:15:05Z"));
    for (size_t r = 1; r < 5; r++)
        ck_assert(o.sink.times[r] > o.sink.times[r - 1]);
    counter_fixture_outcome_free(&o);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_pdh_reader_skipped_hour_and_other_steps_back_are_warned)
{
    /* US Eastern time starts daylight saving at 2:00 EST, on to 3:00 EDT. */
    const char *times[] = {"03/08/2020 01:30:00.000", "03/08/2020 01:45:00.000",
                           "03/08/2020 03:00:00.000", "03/08/2020 03:15:00.000",
                           "03/08/2020 03:14:55.000"};
    char *path;
    counter_fixture_outcome o =
        read_clock("(PDH-CSV 4.0) (Eastern Standard Time)(300)", times, 5, &path);
    ck_assert_int_eq(o.status, STATUS_OK);
    char *want = xasprintf(
        "%s:4:1: warning: local time jumps forward from '03/08/2020 01:45:00.000' to "
        "'03/08/2020 03:00:00.000' (daylight saving time started?): the samples show a gap of an "
        "hour, as times are still read as UTC-05:00\n"
        "%s:6:1: warning: local time goes back from '03/08/2020 03:15:00.000' to "
        "'03/08/2020 03:14:55.000': the rows are not in time order\n",
        path, path);
    ck_assert_str_eq(o.messages, want);
    ck_assert(o.sink.times[2] == utc("2020-03-08T08:00:00Z"));
    ck_assert(o.sink.times[4] == utc("2020-03-08T08:14:55Z"));
    counter_fixture_outcome_free(&o);
    free(want);
    free(path);

    /* A regular hour-long interval is no daylight saving change. */
    const char *hourly[] = {"03/08/2020 00:00:00.000", "03/08/2020 01:00:00.000",
                            "03/08/2020 02:00:00.000"};
    o = read_clock("(PDH-CSV 4.0) (UTC)(0)", hourly, 3, NULL);
    ck_assert_str_eq(o.messages, "");
    counter_fixture_outcome_free(&o);
}
END_TEST

/* ----- columns and values ----- */

START_TEST(test_pdh_reader_ignores_a_trailing_empty_column)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Vcpu(1:a:2:b)\\% Used\",\n"
                       "\"04/26/2018 14:06:27\",\"0.78\",\n"
                       "\"04/26/2018 14:06:32\",\"0.79\",\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert_str_eq(o.sink.kind, "esxtop");
    ck_assert_uint_eq(o.sink.counter_count, 1);
    ck_assert_uint_eq(o.sink.value_count, 2);
    ck_assert_ptr_null(o.sink.description);
    counter_fixture_outcome_free(&o);

    /* A value there is warned about, once. */
    char *path;
    text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Vcpu(1:a:2:b)\\% Used\",\n"
           "\"04/26/2018 14:06:27\",\"0.78\",5\n"
           "\"04/26/2018 14:06:32\",\"0.79\",6\n";
    o = read_bytes(text, strlen(text), NULL, &path);
    ck_assert_int_eq(o.status, STATUS_OK);
    char *want = xasprintf("%s:2:30: warning: value '5' in column 3 is ignored: its header '' is "
                           "not a counter path\n",
                           path);
    ck_assert_str_eq(o.messages, want);
    ck_assert_uint_eq(o.sink.value_count, 2);
    counter_fixture_outcome_free(&o);
    free(want);
    free(path);
}
END_TEST

START_TEST(test_pdh_reader_keeps_description_columns_as_metadata)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Memory\\Available Bytes\","
                       "\"The \"\"System\"\" set, as shipped\",\"Second note\"\r\n"
                       "\"01/02/2019 10:00:00.000\",\"1\",\" \",\" \"\r\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.messages, "");
    ck_assert_str_eq(o.sink.kind, "perfmon");
    ck_assert_uint_eq(o.sink.counter_count, 1);
    ck_assert_str_eq(o.sink.description, "The \"System\" set, as shipped; Second note");
    ck_assert_uint_eq(o.sink.value_count, 1);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_splits_esxtop_glued_fields)
{
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Physical Cpu(0)\\% Util Time\",   "
                       "-\"\\\\h\\Physical Cpu(1)\\% Util Time\",   -\n"
                       "\"04/24/2018 10:49:12\",\"1.5\",    73.1\"8.93\",    73.3\n"
                       "\"04/24/2018 10:49:17\",\"2.5\",    70.2\"10.94\",    77.6\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_str_eq(o.sink.kind, "esxtop");
    ck_assert_uint_eq(o.sink.counter_count, 2);
    assert_value(&o.sink, 0, "\\\\h\\Physical Cpu(0)\\% Util Time", 1.5);
    assert_value(&o.sink, 0, "\\\\h\\Physical Cpu(1)\\% Util Time", 8.93);
    assert_value(&o.sink, 1, "\\\\h\\Physical Cpu(1)\\% Util Time", 10.94);
    ck_assert_uint_eq(o.sink.value_count, 4);
    ck_assert_ptr_null(o.sink.description); /* '-' names nothing */
    ck_assert_uint_eq(count_lines(o.messages), 2);
    assert_has_message(&o, ":2:33: warning: value '73.1' in column 3 is ignored: its header '-' "
                           "is not a counter path\n");
    assert_has_message(&o, ":2:48: warning: value '73.3' in column 5 is ignored: its header '-' "
                           "is not a counter path\n");
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_blank_values_are_missing_and_numbers_exact)
{
    const char *text = "(PDH-CSV 4.0) (UTC)(0),\\\\h\\A\\a,\\\\h\\B\\b,\\\\h\\C\\c,\\\\h\\D\\d\r\n"
                       "01/02/2019 10:00:00.000, ,,-1,2.20E+12\r\n"
                       "01/02/2019 10:00:01.000,\"238132991823872\",\" \",-3,1e-3\r\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    assert_missing(&o.sink, 0, "\\\\h\\A\\a");
    assert_missing(&o.sink, 0, "\\\\h\\B\\b");
    assert_value(&o.sink, 0, "\\\\h\\C\\c", -1);
    assert_value(&o.sink, 0, "\\\\h\\D\\d", 2.2e12);
    assert_value(&o.sink, 1, "\\\\h\\A\\a", 238132991823872.0);
    assert_missing(&o.sink, 1, "\\\\h\\B\\b");
    assert_value(&o.sink, 1, "\\\\h\\C\\c", -3);
    assert_value(&o.sink, 1, "\\\\h\\D\\d", 0.001);
    ck_assert_uint_eq(o.sink.value_count, 5);
    counter_fixture_outcome_free(&o);

    /* A line of blank fields is no row. */
    o = read_text("\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\A\\a\"\n\"01/02/2019 10:00:00.000\",\"1\"\n"
                  "\"\",\" \"\n,\n\n",
                  NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.row_count, 1);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_reads_tab_separated_fields_quoted_padded_and_empty)
{
    /* A tab after the first cell makes tabs the separator: a tab is then
     * never a blank around a field, so an empty field stays a field. */
    const char *text = "\"(PDH-CSV 4.0) (UTC)(0)\"\t\"\\\\h\\Memory\\A\"\t\"\\\\h\\Memory\\B\"\r\n"
                       "\"01/02/2019 10:00:00.000\"\t \"1\" \t\"2\"\r\n"
                       "\"01/02/2019 10:00:01.000\"\t\t3\r\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_msg(o.status == STATUS_OK, "%s", o.messages);
    ck_assert_uint_eq(o.sink.counter_count, 2);
    assert_value(&o.sink, 0, "\\\\h\\Memory\\A", 1);
    assert_value(&o.sink, 0, "\\\\h\\Memory\\B", 2);
    assert_missing(&o.sink, 1, "\\\\h\\Memory\\A");
    assert_value(&o.sink, 1, "\\\\h\\Memory\\B", 3);
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_reads_semicolons_and_decimal_commas)
{
    const char *text = "\"(PDH-CSV 4.0) (W. Europe Standard Time)(-60)\";"
                       "\"\\\\HOST\\Memory\\Available MBytes\";\"\\\\HOST\\Memory\\Pages/sec\"\r\n"
                       "29.10.2019 09:04:05;1,5;2\r\n";
    counter_fixture_outcome o = read_text(text, NULL);
    ck_assert_int_eq(o.status, STATUS_OK);
    ck_assert_uint_eq(o.sink.counter_count, 2);
    assert_value(&o.sink, 0, "\\\\HOST\\Memory\\Available MBytes", 1.5);
    assert_value(&o.sink, 0, "\\\\HOST\\Memory\\Pages/sec", 2);
    ck_assert(o.sink.times[0] == utc("2019-10-29T08:04:05Z"));
    counter_fixture_outcome_free(&o);
}
END_TEST

START_TEST(test_pdh_reader_reads_100000_columns)
{
    const size_t columns = 100000, rows = 3;
    size_t cap = 64 + columns * 64 + rows * (32 + columns * 8), o = 0;
    char *text = xmalloc(cap);
    o += (size_t)sprintf(text + o, "\"(PDH-CSV 4.0) (UTC)(0)\"");
    for (size_t c = 0; c < columns; c++)
        o += (size_t)sprintf(text + o, ",\"\\\\esx\\Vcpu(%zu:vm%zu:%zu:vmx)\\%% Used\"", c, c / 4,
                             c % 4);
    text[o++] = '\n';
    size_t present = 0;
    for (size_t r = 0; r < rows; r++) {
        o += (size_t)sprintf(text + o, "\"04/24/2018 10:49:%02zu\"", 10 + 5 * r);
        for (size_t c = 0; c < columns; c++) {
            bool blank = (c + r) % 10 == 0;
            o += (size_t)sprintf(text + o, blank ? ",\" \"" : ",\"%zu\"", c % 100);
            present += !blank;
        }
        text[o++] = '\n';
    }
    ck_assert_uint_lt(o, cap);
    counter_fixture_outcome out = read_bytes(text, o, NULL, NULL);
    ck_assert_int_eq(out.status, STATUS_OK);
    ck_assert_uint_eq(out.sink.counter_count, columns);
    ck_assert_uint_eq(out.sink.row_count, rows);
    ck_assert_uint_eq(out.sink.value_count, present);
    ck_assert_str_eq(out.sink.counters[columns - 1].instance, "99999:vm24999:3:vmx");
    assert_value(&out.sink, 2, "\\\\esx\\Vcpu(99999:vm24999:3:vmx)\\% Used", 99);
    counter_fixture_outcome_free(&out);
    free(text);
}
END_TEST

Suite *pdh_reader_suite(void)
{
    Suite *s = suite_create("pdh_reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pdh_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_pdh_reader_makes_no_sink_call_after_an_error_but_reads_on);
    tcase_add_test(tc, test_pdh_reader_stops_at_once_when_the_sink_fails);
    tcase_add_test(tc, test_pdh_reader_gives_digest_and_size_of_the_file);
    tcase_add_test(tc, test_pdh_reader_splits_counter_paths);
    tcase_add_test(tc, test_pdh_reader_rejects_what_is_not_a_counter_path);
    tcase_add_test(tc, test_pdh_reader_sniffs_pdh_csv_headers);
    tcase_add_test(tc, test_pdh_reader_adds_the_header_bias_to_local_times);
    tcase_add_test(tc, test_pdh_reader_cut_time_zone_takes_tz_option_or_utc);
    tcase_add_test(tc, test_pdh_reader_reads_utf16_with_bom);
    tcase_add_test(tc, test_pdh_reader_decodes_characters_cut_by_read_chunks);
    tcase_add_test(tc, test_pdh_reader_refuses_an_encoding_iconv_does_not_know);
    tcase_add_test(tc, test_pdh_reader_reads_utf8_with_bom_and_counts_it_in_columns);
    tcase_add_test(tc, test_pdh_reader_decodes_legacy_code_pages_before_splitting_paths);
    tcase_add_test(tc, test_pdh_reader_guesses_windows_1252_with_a_warning);
    tcase_add_test(tc, test_pdh_reader_reads_cr_only_line_ends);
    tcase_add_test(tc, test_pdh_reader_decides_the_date_order_from_evidence);
    tcase_add_test(tc, test_pdh_reader_ambiguous_dates_need_the_date_order_option);
    tcase_add_test(tc, test_pdh_reader_time_of_day_takes_the_date_option_and_rolls_over_midnight);
    tcase_add_test(tc, test_pdh_reader_repeated_hour_keeps_utc_increasing);
    tcase_add_test(tc, test_pdh_reader_skipped_hour_and_other_steps_back_are_warned);
    tcase_add_test(tc, test_pdh_reader_ignores_a_trailing_empty_column);
    tcase_add_test(tc, test_pdh_reader_keeps_description_columns_as_metadata);
    tcase_add_test(tc, test_pdh_reader_splits_esxtop_glued_fields);
    tcase_add_test(tc, test_pdh_reader_blank_values_are_missing_and_numbers_exact);
    tcase_add_test(tc, test_pdh_reader_reads_tab_separated_fields_quoted_padded_and_empty);
    tcase_add_test(tc, test_pdh_reader_reads_semicolons_and_decimal_commas);
    tcase_add_test(tc, test_pdh_reader_reads_100000_columns);
    suite_add_tcase(s, tc);

    /* The shared corpus lives beside the project, not in it. */
    char *corpus = test_corpus_dir();
    if (corpus) {
        TCase *tc_corpus = tcase_create("corpus");
        tcase_set_timeout(tc_corpus, 120);
        tcase_add_test(tc_corpus, test_pdh_reader_reads_every_corpus_file_with_every_value);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_perfmon_names_values_and_blanks);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_large_integers_are_exact);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_cp1251_russian_names);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_cp932_description_column);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_excel_resaved_files);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_esxtop_glued_fields_and_sentinels);
        tcase_add_test(tc_corpus, test_pdh_reader_corpus_cr_only_time_of_day);
        suite_add_tcase(s, tc_corpus);
    } else {
        printf("pdh_reader: ../shared/corpus not found; corpus tests skipped\n");
    }
    free(corpus);
    return s;
}
