#include "isotime.h"

#include <stdio.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, by
 * counting in 400-year eras that start on March 1st (so that the leap day
 * is the last day of its year). */
int64_t isotime_days_from_civil(int year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                       /* [0, 399] */
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void isotime_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = m;
    *day = d;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits at s[*i]; false if they are not all digits. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return true;
}

/* Reads ".f{1,9}" at s[*i] if present, as nanoseconds. */
static bool fraction(const char *s, size_t len, size_t *i, int64_t *ns)
{
    *ns = 0;
    if (*i >= len || s[*i] != '.')
        return true;
    (*i)++;
    int n = 0;
    int64_t scale = 100000000;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (++n > 9)
            return false;
        *ns += (s[*i] - '0') * scale;
        scale /= 10;
        (*i)++;
    }
    return n > 0;
}

bool isotime_parse_offset(const char *s, size_t len, int *minutes)
{
    if ((len == 1 && (s[0] == 'Z' || s[0] == 'z')) ||
        (len == 3 && (s[0] == 'U' || s[0] == 'u') && (s[1] == 'T' || s[1] == 't') &&
         (s[2] == 'C' || s[2] == 'c'))) {
        *minutes = 0;
        return true;
    }
    if (len != 5 && len != 6)
        return false;
    if (s[0] != '+' && s[0] != '-')
        return false;
    size_t i = 1;
    int hh, mm;
    if (!digits(s, len, &i, 2, &hh))
        return false;
    if (len == 6 && s[i++] != ':')
        return false;
    if (!digits(s, len, &i, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *minutes = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return true;
}

/* The instants p3 accepts, in seconds since 1970 (UTC): from the first
 * second of ISOTIME_MIN_YEAR up to, not including, the first second after
 * ISOTIME_MAX_YEAR. Both forms are checked against this one range after
 * conversion to UTC, so an ISO time whose offset carries it past the range
 * is refused as the same instant written as Unix seconds would be. */
static int64_t first_second(void)
{
    return isotime_days_from_civil(ISOTIME_MIN_YEAR, 1, 1) * 86400;
}

static int64_t end_second(void)
{
    return isotime_days_from_civil(ISOTIME_MAX_YEAR + 1, 1, 1) * 86400;
}

static bool parse_unix(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    int64_t seconds = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        seconds = seconds * 10 + (s[i] - '0');
        if (seconds >= end_second())
            return false;
        i++;
    }
    if (i == 0)
        return false;
    int64_t frac;
    if (!fraction(s, len, &i, &frac) || i != len)
        return false;
    *ns = seconds * ISOTIME_NS_PER_SEC + frac;
    return true;
}

/* Whether `seconds` (UTC, after the offset) is 23:59 of the last day of a
 * month: the only minute that a leap second (second 60) can end. */
static bool leap_minute(int64_t seconds)
{
    int64_t days = seconds / 86400, rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y, mo, d;
    isotime_civil_from_days(days + 1, &y, &mo, &d);
    return rem / 60 == 23 * 60 + 59 && d == 1;
}

bool isotime_parse(const char *s, size_t len, int default_offset_min, int64_t *ns)
{
    if (len < 10 || s[4] != '-')
        return parse_unix(s, len, ns);
    size_t i = 0;
    int y, mo, d, h, mi, sec;
    if (!digits(s, len, &i, 4, &y) || s[i++] != '-' || !digits(s, len, &i, 2, &mo) ||
        i >= len || s[i++] != '-' || !digits(s, len, &i, 2, &d))
        return false;
    if (i >= len || (s[i] != 'T' && s[i] != ' ' && s[i] != 't'))
        return false;
    i++;
    if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
        !digits(s, len, &i, 2, &mi) || i >= len || s[i++] != ':' ||
        !digits(s, len, &i, 2, &sec))
        return false;
    int64_t frac;
    if (!fraction(s, len, &i, &frac))
        return false;
    int offset = default_offset_min;
    if (i < len && !isotime_parse_offset(s + i, len - i, &offset))
        return false;
    if (y < ISOTIME_MIN_YEAR || y > ISOTIME_MAX_YEAR || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return false;
    int64_t seconds = isotime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
                      (sec == 60 ? 59 : sec) - (int64_t)offset * 60;
    if (sec == 60) {
        /* A leap second: kept in its minute and in order, as the last
         * nanosecond of second 59 (p3's instants have no second 60). */
        if (!leap_minute(seconds))
            return false;
        frac = ISOTIME_NS_PER_SEC - 1;
    }
    if (seconds < first_second() || seconds >= end_second())
        return false;
    *ns = seconds * ISOTIME_NS_PER_SEC + frac;
    return true;
}

char *isotime_format(int64_t ns, int frac_digits, char *out)
{
    int64_t seconds = ns / ISOTIME_NS_PER_SEC, frac = ns % ISOTIME_NS_PER_SEC;
    if (frac < 0) {
        frac += ISOTIME_NS_PER_SEC;
        seconds--;
    }
    int64_t days = seconds / 86400, rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y, mo, d;
    isotime_civil_from_days(days, &y, &mo, &d);
    int n = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    if (frac_digits > 0) {
        if (frac_digits > 9)
            frac_digits = 9;
        int64_t f = frac;
        for (int k = frac_digits; k < 9; k++)
            f /= 10;
        n += snprintf(out + n, 32 - (size_t)n, ".%0*lld", frac_digits, (long long)f);
    }
    snprintf(out + n, 32 - (size_t)n, "Z");
    return out;
}
