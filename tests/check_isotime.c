/* Instants: ISO 8601 and Unix seconds to UTC nanoseconds and back. Expected
 * epoch values from GNU date (date -u -d '...' +%s). */
#include <check.h>
#include <string.h>

#include "isotime.h"
#include "suites.h"

static int64_t parse(const char *s, int offset)
{
    int64_t ns = -1;
    ck_assert_msg(isotime_parse(s, strlen(s), offset, &ns), "'%s' refused", s);
    return ns;
}

#define S(x) ((int64_t)(x) * ISOTIME_NS_PER_SEC)

START_TEST(test_isotime_parses_iso_forms_to_utc)
{
    ck_assert_int_eq(parse("2005-03-01T10:00:00", 0), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01 10:00:00", 0), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01T10:00:00Z", 0), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01T11:00:00+01:00", 0), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01T04:30:00-0530", 0), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01T12:00:00", 120), S(1109671200));
    ck_assert_int_eq(parse("2005-03-01T10:00:00.123456789", 0), S(1109671200) + 123456789);
    ck_assert_int_eq(parse("2005-03-01T10:00:00.5", 0), S(1109671200) + 500000000);
    ck_assert_int_eq(parse("2000-02-29T00:00:00", 0), S(951782400)); /* leap day */
    ck_assert_int_eq(parse("1969-12-31T23:59:59", 0), S(-1));
}
END_TEST

START_TEST(test_isotime_parses_unix_seconds)
{
    ck_assert_int_eq(parse("1109671200", 0), S(1109671200));
    ck_assert_int_eq(parse("1109671200.25", 0), S(1109671200) + 250000000);
    ck_assert_int_eq(parse("0", 0), 0);
    /* Unix time is UTC: the default offset does not apply. */
    ck_assert_int_eq(parse("1109671200", 60), S(1109671200));
}
END_TEST

START_TEST(test_isotime_refuses_impossible_times)
{
    static const char *const bad[] = {
        "2005-02-29T10:00:00", "1900-02-29T00:00:00", "2005-13-01T00:00:00",
        "2005-04-31T00:00:00", "2005-03-01T24:00:00", "2005-03-01T10:60:00",
        "2005-03-01T10:00:60", "2005-03-01T10:00:00.",  "2005-03-01T10:00:00.1234567891",
        "2005-03-01T10:00:00+25:00", "2005-03-01T10:00", "05-03-01T10:00:00", "2005-3-1T10:00:00",
        "1899-12-31T23:59:59", "2200-01-01T00:00:00", "yesterday", "", "-5", "1e9",
        "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t ns = 7;
        ck_assert_msg(!isotime_parse(bad[i], strlen(bad[i]), 0, &ns), "'%s' accepted", bad[i]);
    }
}
END_TEST

START_TEST(test_isotime_formats_and_round_trips)
{
    char buf[32];
    ck_assert_str_eq(isotime_format(S(1109671200) + 123456789, 3, buf), "2005-03-01T10:00:00.123Z");
    ck_assert_str_eq(isotime_format(S(1109671200), 0, buf), "2005-03-01T10:00:00Z");
    ck_assert_str_eq(isotime_format(S(-1), 0, buf), "1969-12-31T23:59:59Z");
    for (int64_t days = -25567; days < 80000; days += 97) {
        int y, m, d;
        isotime_civil_from_days(days, &y, &m, &d);
        ck_assert_int_eq(isotime_days_from_civil(y, m, d), days);
    }
}
END_TEST

START_TEST(test_isotime_parses_offsets)
{
    int minutes = 1;
    ck_assert(isotime_parse_offset("Z", 1, &minutes) && minutes == 0);
    ck_assert(isotime_parse_offset("UTC", 3, &minutes) && minutes == 0);
    ck_assert(isotime_parse_offset("+05:30", 6, &minutes) && minutes == 330);
    ck_assert(isotime_parse_offset("-0800", 5, &minutes) && minutes == -480);
    ck_assert(!isotime_parse_offset("+5", 2, &minutes));
    ck_assert(!isotime_parse_offset("+24:00", 6, &minutes));
    ck_assert(!isotime_parse_offset("05:00", 5, &minutes));
}
END_TEST

START_TEST(test_isotime_reads_leap_second_as_end_of_second_59)
{
    /* 2016-12-31T23:59:60Z was a real leap second: it sorts after :59 and
     * before the next day's first second. */
    int64_t leap = parse("2016-12-31T23:59:60", 0);
    int64_t before = parse("2016-12-31T23:59:59.999", 0), after = parse("2017-01-01T00:00:00", 0);
    ck_assert_int_eq(leap, S(1483228799) + 999999999);
    ck_assert(before < leap && leap < after);
    /* The same instant with an offset, and with a fraction (which cannot be
     * kept inside 59.999999999, so it is dropped). */
    ck_assert_int_eq(parse("2016-12-31T18:59:60-05:00", 0), leap);
    ck_assert_int_eq(parse("2017-01-01T00:59:60", 60), leap);
    ck_assert_int_eq(parse("2016-06-30T23:59:60.5Z", 0), S(1467331199) + 999999999);
    /* Second 60 where no leap second can be: not 23:59 UTC, or not the last
     * day of a month. */
    static const char *const bad[] = {"2016-12-31T23:58:60", "2016-12-31T22:59:60",
                                      "2016-12-30T23:59:60", "2016-12-31T23:59:60+01:00",
                                      "2016-12-31T23:59:61"};
    size_t accepted = 0;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t ns;
        accepted += isotime_parse(bad[i], strlen(bad[i]), 0, &ns);
    }
    ck_assert_uint_eq(accepted, 0);
}
END_TEST

START_TEST(test_isotime_shares_one_range_for_both_forms)
{
    /* The last second of 2199 is in range in both forms; the first second
     * of 2200 is out of it in both, whatever the offset says locally. */
    ck_assert_int_eq(parse("7258118399", 0), S(7258118399));
    ck_assert_int_eq(parse("7258118399.999999999", 0), S(7258118399) + 999999999);
    ck_assert_int_eq(parse("2199-12-31T23:59:59Z", 0), S(7258118399));
    ck_assert_int_eq(parse("1900-01-01T00:00:00Z", 0), S(-2208988800));
    static const char *const out[] = {"7258118400", "7258118400.5", "9999999999",
                                      "2199-12-31T23:00:00-01:00", "2199-12-31T23:30:00",
                                      "1900-01-01T00:00:00+00:01"};
    static const int offsets[] = {0, 0, 0, 0, -60, 0};
    size_t accepted = 0;
    for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
        int64_t ns;
        accepted += isotime_parse(out[i], strlen(out[i]), offsets[i], &ns);
    }
    ck_assert_uint_eq(accepted, 0);
}
END_TEST

Suite *isotime_suite(void)
{
    Suite *s = suite_create("isotime");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_isotime_parses_iso_forms_to_utc);
    tcase_add_test(tc, test_isotime_parses_unix_seconds);
    tcase_add_test(tc, test_isotime_refuses_impossible_times);
    tcase_add_test(tc, test_isotime_formats_and_round_trips);
    tcase_add_test(tc, test_isotime_parses_offsets);
    tcase_add_test(tc, test_isotime_reads_leap_second_as_end_of_second_59);
    tcase_add_test(tc, test_isotime_shares_one_range_for_both_forms);
    suite_add_tcase(s, tc);
    return s;
}
