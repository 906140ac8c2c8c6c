#include "counter_value.h"

#include <math.h>

bool counter_value_check(diag_file *df, long line, long col, const char *text, size_t len,
                         double value)
{
    if (isfinite(value) && fabs(value) <= COUNTER_VALUE_LIMIT)
        return true;
    char quoted[80];
    diag_file_error(df, line, col,
                    "value out of range: %s: a counter value must lie between -1e100 and 1e100",
                    diag_quote(quoted, sizeof quoted, text, len));
    return false;
}
