#include "jtl_reader.h"

#include <limits.h>
#include <string.h>

#include "isotime.h"
#include "text.h"

/* An hour in ms: a gap this long between samples means another test. */
#define RUN_GAP_MS INT64_C(3600000)

bool jtl_reader_is_transaction(const char *message, size_t len)
{
    size_t n = sizeof JTL_READER_TRANSACTION_PREFIX - 1;
    return message && len >= n && memcmp(message, JTL_READER_TRANSACTION_PREFIX, n) == 0;
}

bool jtl_reader_parse_long(const char *s, size_t len, long long *value)
{
    if (len > 0 && len <= 18) {
        /* The common case: a few digits, which cannot overflow. */
        long long v = 0;
        size_t k = 0;
        for (; k < len; k++) {
            unsigned d = (unsigned)(unsigned char)s[k] - '0';
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (k == len) {
            *value = v;
            return true;
        }
    }
    size_t i = 0;
    bool negative = false;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return false;
    unsigned long long v = 0;
    const unsigned long long limit = negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *value = negative ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v)
                      : (long long)v;
    return true;
}

bool jtl_reader_parse_bool(const char *s, size_t len, bool *value)
{
    if (text_equal_nocase(s, len, "true"))
        *value = true;
    else if (text_equal_nocase(s, len, "false"))
        *value = false;
    else
        return false;
    return true;
}

bool jtl_reader_delay(diag_file *df, long line, long col, const char *name, const char *s,
                      size_t len, long long *ms)
{
    char quoted[80];
    long long v;
    if (!jtl_reader_parse_long(s, len, &v)) {
        diag_file_error(df, line, col, "bad %s %s: expected whole milliseconds", name,
                        diag_quote(quoted, sizeof quoted, s, len));
        return false;
    }
    if (v < 0) {
        diag_file_error(df, line, col, "negative %s %s", name,
                        diag_quote(quoted, sizeof quoted, s, len));
        return false;
    }
    if ((double)v > LOAD_MAX_DELAY_MS) {
        diag_file_error(df, line, col, "%s %s is above the maximum of %.0f ms", name,
                        diag_quote(quoted, sizeof quoted, s, len), LOAD_MAX_DELAY_MS);
        return false;
    }
    *ms = v;
    return true;
}

bool jtl_reader_epoch_ms(diag_file *df, long line, long col, const char *name, const char *s,
                         size_t len, int64_t *ms)
{
    char quoted[80];
    long long v;
    if (!jtl_reader_parse_long(s, len, &v) || v < 0 || v >= JTL_READER_MAX_EPOCH_MS) {
        diag_file_error(df, line, col, "bad %s %s: expected milliseconds since 1970 (UTC)", name,
                        diag_quote(quoted, sizeof quoted, s, len));
        return false;
    }
    *ms = v;
    return true;
}

bool jtl_reader_threads(diag_file *df, long line, long col, const char *name, const char *s,
                        size_t len, long *threads)
{
    char quoted[80];
    long long v;
    if (!jtl_reader_parse_long(s, len, &v) || v < 0 || v > INT_MAX) {
        diag_file_error(df, line, col, "bad %s %s: expected a number of threads", name,
                        diag_quote(quoted, sizeof quoted, s, len));
        return false;
    }
    *threads = (long)v;
    return true;
}

bool jtl_reader_runs_see(jtl_reader_runs *r, diag_file *df, long line, long col, int64_t start_ms,
                         int64_t elapsed_ms)
{
    int64_t end_ms = start_ms + elapsed_ms;
    if (!r->started) {
        r->started = true;
        r->latest_start = start_ms;
        r->latest_end = end_ms;
        return false;
    }
    bool back = start_ms < r->latest_start - RUN_GAP_MS;
    bool forward = start_ms > r->latest_end + RUN_GAP_MS;
    if (!back && !forward) {
        if (start_ms > r->latest_start)
            r->latest_start = start_ms;
        if (end_ms > r->latest_end)
            r->latest_end = end_ms;
        return false;
    }
    char from[40], to[40];
    isotime_format((back ? r->latest_start : r->latest_end) * 1000000, 3, from);
    isotime_format(start_ms * 1000000, 3, to);
    diag_file_warning(df, line, col,
                      "time jumps %s from %s to %s: another run appended to this file (JMeter "
                      "appends to an existing results file); its samples are read as well",
                      back ? "back" : "forward", from, to);
    r->appended++;
    r->latest_start = start_ms;
    r->latest_end = end_ms;
    return true;
}
