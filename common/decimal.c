#include "decimal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Powers of ten that a double holds exactly (10^22 is the last). */
static const double exact_powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Checks the grammar; returns the fast-path parts when they fit. */
static bool scan(const char *s, size_t len, bool *fast, uint64_t *mantissa, int *exp10,
                 bool *negative)
{
    size_t i = 0;
    *negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        *negative = s[i++] == '-';
    uint64_t m = 0;
    int digits = 0, frac_digits = 0, significant = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (significant || s[i] != '0')
            significant++;
        if (significant <= 19)
            m = m * 10 + (uint64_t)(s[i] - '0');
        else
            frac_digits--; /* a dropped integer digit scales by 10 */
        digits++;
        i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (significant || s[i] != '0')
                significant++;
            if (significant <= 19) {
                m = m * 10 + (uint64_t)(s[i] - '0');
                frac_digits++;
            }
            digits++;
            i++;
        }
    }
    if (digits == 0)
        return false;
    long e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (i == start)
            return false;
        if (eneg)
            e = -e;
    }
    if (i != len)
        return false;
    *mantissa = m;
    *exp10 = (int)(e - frac_digits);
    *fast = significant <= 15 && *exp10 >= -22 && *exp10 <= 22;
    return true;
}

bool decimal_parse(const char *s, size_t len, double *value)
{
    bool fast, negative;
    uint64_t mantissa;
    int exp10;
    if (!scan(s, len, &fast, &mantissa, &exp10, &negative))
        return false;
    double v;
    if (fast) {
        /* Both operands are exact doubles (mantissa < 10^15 < 2^53), so one
         * IEEE multiplication or division rounds correctly. */
        v = (double)mantissa;
        v = exp10 < 0 ? v / exact_powers[-exp10] : v * exact_powers[exp10];
        if (negative)
            v = -v;
    } else {
        char local[64];
        char *copy = len < sizeof local ? local : xmalloc(len + 1);
        memcpy(copy, s, len);
        copy[len] = '\0';
        v = strtod(copy, NULL);
        if (copy != local)
            free(copy);
        if (!isfinite(v))
            return false;
    }
    *value = v;
    return true;
}
