/* Decimal parsing: the same double as the C library's strtod for every form
 * a number can take in a text file, and refusal of everything else. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "suites.h"

static void check_same_as_strtod(const char *s)
{
    double got = -1;
    ck_assert_msg(decimal_parse(s, strlen(s), &got), "'%s' refused", s);
    double want = strtod(s, NULL);
    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "'%s': got %.17g, strtod %.17g", s, got,
                  want);
}

START_TEST(test_decimal_equals_strtod_on_chosen_forms)
{
    static const char *const forms[] = {
        "0", "-0", "+1", "12.5", "0.1", "0.3", ".5", "5.", "1e3", "1E-3", "2.20E+12",
        "123456789012345", "1234567890123456789", "0.000000000000000000001",
        "1.7976931348623157e308", "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "4.9e-324", "2.2250738585072014e-308", "9007199254740993", "3600000", "0.9999999999999999",
        "243987654321012.25"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        check_same_as_strtod(forms[i]);
}
END_TEST

START_TEST(test_decimal_equals_strtod_on_random_numbers)
{
    /* A fixed-seed sweep over digit counts, decimal points and exponents. */
    uint64_t state = 12345;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        int digits = 1 + (int)(state >> 60) % 17;
        int point = (int)(state >> 50) % (digits + 1);
        int o = 0;
        uint64_t x = state;
        for (int d = 0; d < digits; d++) {
            if (d == point && d)
                buf[o++] = '.';
            buf[o++] = (char)('0' + (x % 10));
            x /= 10;
        }
        if ((state >> 40) % 4 == 0)
            o += snprintf(buf + o, sizeof buf - (size_t)o, "e%d", (int)((state >> 20) % 60) - 30);
        buf[o] = '\0';
        check_same_as_strtod(buf);
    }
}
END_TEST

START_TEST(test_decimal_refuses_non_numbers)
{
    static const char *const bad[] = {"", " ", "abc", "1.2.3", "1e", "1e+", "--1", "+", ".",
                                      "nan", "inf", "1,5", "12ms", "0x10", "1e400", " 1", "1 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 42;
        ck_assert_msg(!decimal_parse(bad[i], strlen(bad[i]), &v), "'%s' accepted", bad[i]);
        ck_assert_double_eq(v, 42);
    }
}
END_TEST

Suite *decimal_suite(void)
{
    Suite *s = suite_create("decimal");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_decimal_equals_strtod_on_chosen_forms);
    tcase_add_test(tc, test_decimal_equals_strtod_on_random_numbers);
    tcase_add_test(tc, test_decimal_refuses_non_numbers);
    suite_add_tcase(s, tc);
    return s;
}
