/* HdrHistogram interval logs (.hlog), as jHiccup, YCSB, HdrHistogram's
 * HistogramLogWriter (Java) and hdr_log_write (C) write them: `#` comment
 * lines (`#[StartTime: s ...]`, `#[BaseTime: s]`, `#[Histogram log format
 * version X]`), a legend line starting `"StartTimestamp"`, then one line
 * per interval: `[Tag=t,]StartTimestamp,IntervalLength,Interval_Max,BASE64`.
 * The base64 holds a zlib-compressed histogram in one of three encodings
 * (V0 of log format 1.01, V1 of 1.1, V2 of 1.2 and 1.3).
 *
 * Every non-empty bucket of every interval becomes one sample: t_ns is the
 * interval's start, delay_ms the bucket's highest equivalent value in ms,
 * weight its count, label the tag. Counts are never expanded into rows, so
 * memory stays constant whatever the counts; a payload is inflated and
 * decoded in chunks. DoubleHistogram payloads are refused. */
#include <math.h>
#include <stdarg.h>
#include <nettle/base64.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "csv.h"
#include "decimal.h"
#include "isotime.h"
#include "line_reader.h"
#include "load_sink.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Compressed payload cookies with the word-size nibble (bits 4-7) masked
 * off (AbstractHistogram.java), and the cookies of the inflated contents. */
#define COOKIE_V2_COMPRESSED 0x1c849304u
#define COOKIE_V1_COMPRESSED 0x1c849302u
#define COOKIE_V0_COMPRESSED 0x1c849309u
#define COOKIE_V2 0x1c849303u
#define COOKIE_V1 0x1c849301u
#define COOKIE_V0 0x1c849308u
/* DoubleHistogram.java: values are doubles scaled into an inner histogram. */
#define COOKIE_DOUBLE 0x0c72124eu
#define COOKIE_DOUBLE_COMPRESSED 0x0c72124fu
#define COOKIE_BASE(c) ((c) & ~0xf0u)

/* Inflated header sizes: V1 and V2 carry a payload length, an index
 * offset and a conversion ratio that V0 lacks. */
#define HEADER_V12 40
#define HEADER_V0 32
/* V2 counts are ZigZag LEB128 of at most 9 bytes. */
#define V2_WORD 9
/* A histogram has at most 2^31 counts (Java arrays). */
#define MAX_INDEX ((uint64_t)INT32_MAX)
/* Lines may hold big histograms (significant digits 5): 8 MiB of base64. */
#define MAX_LINE ((size_t)8 << 20)
/* Inflated bytes decoded at a time. */
#define CHUNK 16384
/* Latest instant accepted: 2200-01-01T00:00:00Z, the end of isotime's range. */
#define MAX_SECONDS INT64_C(7258118400)
/* Java's rule: a first timestamp more than a year before StartTime is
 * relative to it (HistogramLogReader.java). */
#define YEAR_NS (INT64_C(365) * 24 * 3600 * ISOTIME_NS_PER_SEC)

/* One payload being decoded. */
typedef struct histogram_decoder {
    int version;                     /* 0, 1 or 2: the encoding */
    unsigned char header[HEADER_V12]; /* the inflated header, as it arrives */
    size_t header_len;               /* bytes of it so far */
    size_t header_need;              /* HEADER_V12 or HEADER_V0 */
    int word_size;                   /* 2, 4, 8 (V0, V1) or V2_WORD */
    uint64_t payload_len;            /* counts bytes the header announces; UINT64_MAX for V0 */
    uint64_t payload_seen;           /* counts bytes decoded */
    int unit_magnitude;              /* floor(log2(lowest discernible value)) */
    int half_magnitude;              /* log2 of half the sub-bucket count */
    uint64_t index;                  /* counts index of the next count */
    uint64_t word;                   /* the count being assembled */
    int word_bytes;                  /* bytes of it so far */
    bool done;                       /* every announced payload byte was decoded */
    bool failed;                     /* an error was reported */
} histogram_decoder;

typedef struct hlog_reader {
    const load_sink *sink;    /* borrowed */
    diag_file diags;          /* this file's diagnostics, capped */
    line_reader *lines;       /* the file */
    csv_splitter *csv;        /* splits interval lines */
    bool failed;              /* the sink or a read failed: stop at once */
    bool stop;                /* not a log at all: stop looking */
    const char *unit;         /* "ns", "us" or "ms" */
    double per_ms;            /* value units per ms */
    bool unit_assumed;        /* no option gave the unit */
    bool start_line;          /* a StartTime line was seen, good or not */
    bool has_start;           /* a StartTime line was read */
    int64_t start_ns;         /* its instant */
    int64_t base_ns;          /* what timestamps are relative to */
    bool base_decided;        /* the time base is fixed (first interval or BaseTime) */
    const char *time_base;    /* how it was decided, for the file's metadata */
    bool epoch_warned;        /* relative times without StartTime were warned about */
    char version[16];         /* `Histogram log format version`, or "" */
    long long intervals;      /* interval lines read */
    /* The interval being decoded. */
    long line;                /* its line */
    long payload_col;         /* column of its base64 */
    int64_t t_ns;             /* its start */
    const char *tag;          /* its tag, or NULL */
    size_t tag_len;
    /* Scratch. */
    unsigned char *raw;       /* base64-decoded payload */
    size_t raw_cap;
    unsigned char out[CHUNK]; /* inflated bytes */
} hlog_reader;

static bool emitting(const hlog_reader *h)
{
    return h->diags.errors == 0 && !h->failed;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* Whether line[0..len) is an interval line: [Tag=..,] then three fields,
 * then a payload starting HIST (or DHIST for a DoubleHistogram). */
static bool looks_like_interval(const char *line, size_t len)
{
    size_t i = 0;
    if (has_prefix(line, len, "Tag=")) {
        const char *comma = memchr(line, ',', len);
        if (!comma)
            return false;
        i = (size_t)(comma - line) + 1;
    }
    for (int field = 0; field < 3; field++) {
        size_t start = i;
        while (i < len && ((line[i] >= '0' && line[i] <= '9') || line[i] == '.'))
            i++;
        if (i == start || i >= len || line[i] != ',')
            return false;
        i++;
    }
    return has_prefix(line + i, len - i, "HIST") || has_prefix(line + i, len - i, "DHIST");
}

static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(head + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - head) : len;
        const char *line = head + i;
        size_t n = end - i;
        if (n && line[n - 1] == '\r')
            n--;
        if (has_prefix(line, n, "#[Histogram log format version ") ||
            has_prefix(line, n, "\"StartTimestamp\","))
            return true;
        if (n && line[0] != '#')
            return looks_like_interval(line, n);
        i = end + 1;
    }
    return false;
}

/* Whether s is text: UTF-8 without NUL or control bytes other than tab. */
static bool check_text(hlog_reader *h, const char *s, size_t len, long line)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0x20 && c < 0x7F) || c == '\t') {
            i++;
        } else if (c == 0) {
            diag_file_error(&h->diags, line, (long)i + 1, "NUL byte: an HdrHistogram log is text");
            return false;
        } else if (c < 0x80) {
            diag_file_error(&h->diags, line, (long)i + 1,
                            "control character 0x%02X: an HdrHistogram log is text", c);
            return false;
        } else {
            size_t n = text_utf8_sequence(s + i, len - i);
            if (n == 0) {
                diag_file_error(&h->diags, line, (long)i + 1, "invalid UTF-8 byte 0x%02X", c);
                return false;
            }
            i += n;
        }
    }
    return true;
}

/* Seconds written as digits[.digits] into ns, exactly (digits past the
 * ninth decimal are dropped). Returns 0, 1 when the text is not such a
 * number, 2 when it is after MAX_SECONDS. */
static int parse_seconds(const char *s, size_t len, int64_t *ns)
{
    size_t i = 0;
    int64_t sec = 0, frac = 0;
    int frac_digits = 0;
    bool any = false, big = false;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (!big)
            sec = sec * 10 + (s[i] - '0');
        big |= sec > MAX_SECONDS;
        any = true;
        i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (frac_digits < 9) {
                frac = frac * 10 + (s[i] - '0');
                frac_digits++;
            }
            any = true;
            i++;
        }
    }
    if (!any || i != len)
        return 1;
    if (big)
        return 2;
    while (frac_digits++ < 9)
        frac *= 10;
    *ns = sec * ISOTIME_NS_PER_SEC + frac;
    return *ns > MAX_SECONDS * ISOTIME_NS_PER_SEC ? 2 : 0;
}

/* The number after a `#[StartTime: ` or `#[BaseTime: ` prefix. */
static bool comment_time(hlog_reader *h, const char *line, size_t len, size_t at, long number,
                         const char *what, int64_t *ns)
{
    size_t end = at;
    while (end < len && line[end] != ' ' && line[end] != ']' && line[end] != ',')
        end++;
    char quoted[80];
    int rc = parse_seconds(line + at, end - at, ns);
    if (rc == 1)
        diag_file_error(&h->diags, number, (long)at + 1,
                        "bad %s %s: expected seconds since the epoch", what,
                        diag_quote(quoted, sizeof quoted, line + at, end - at));
    else if (rc == 2)
        diag_file_error(&h->diags, number, (long)at + 1, "%s %s is out of range: after 2199",
                        what, diag_quote(quoted, sizeof quoted, line + at, end - at));
    return rc == 0;
}

static void read_comment(hlog_reader *h, const char *line, size_t len, long number)
{
    static const char start[] = "#[StartTime: ", base[] = "#[BaseTime: ",
                      version[] = "#[Histogram log format version ";
    int64_t ns;
    if (has_prefix(line, len, start)) {
        h->start_line = true;
        if (comment_time(h, line, len, sizeof start - 1, number, "StartTime", &ns)) {
            h->has_start = true;
            h->start_ns = ns;
        }
    } else if (has_prefix(line, len, base)) {
        if (comment_time(h, line, len, sizeof base - 1, number, "BaseTime", &ns)) {
            h->base_decided = true;
            h->base_ns = ns;
            h->time_base = "base-time";
        }
    } else if (has_prefix(line, len, version)) {
        size_t at = sizeof version - 1, end = at;
        while (end < len && line[end] != ']')
            end++;
        char quoted[80];
        if (end - at < 3 || end - at >= sizeof h->version || memcmp(line + at, "1.", 2) != 0) {
            diag_file_error(&h->diags, number, (long)at + 1,
                            "log format version %s is not one p3 reads (1.01 to 1.3)",
                            diag_quote(quoted, sizeof quoted, line + at, end - at));
            return;
        }
        memcpy(h->version, line + at, end - at);
        h->version[end - at] = '\0';
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void payload_error(hlog_reader *h, histogram_decoder *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a problem of the current payload, once per payload. */
static void payload_error(hlog_reader *h, histogram_decoder *d, const char *fmt, ...)
{
    if (d->failed)
        return;
    d->failed = true;
    va_list ap;
    va_start(ap, fmt);
    char *message = xvasprintf(fmt, ap);
    va_end(ap);
    diag_file_error(&h->diags, h->line, h->payload_col, "%s", message);
    free(message);
}

/* Checks the inflated header and sets the decoder up from it. */
static bool parse_header(hlog_reader *h, histogram_decoder *d)
{
    static const uint32_t inner[] = {COOKIE_V0, COOKIE_V1, COOKIE_V2};
    const unsigned char *p = d->header;
    uint32_t cookie = be32(p);
    if (COOKIE_BASE(cookie) != inner[d->version]) {
        payload_error(h, d,
                      "bad histogram: the inflated contents start with cookie 0x%08x, expected "
                      "0x%08x (V%d) with a word size",
                      cookie, inner[d->version], d->version);
        return false;
    }
    int32_t sig;
    uint64_t lowest;
    if (d->version == 0) {
        sig = (int32_t)be32(p + 4);
        lowest = be64(p + 8);
        d->payload_len = UINT64_MAX;
    } else {
        int32_t length = (int32_t)be32(p + 4);
        if (length < 0) {
            payload_error(h, d, "bad histogram: negative payload length %d", (int)length);
            return false;
        }
        d->payload_len = (uint64_t)length;
        sig = (int32_t)be32(p + 12);
        lowest = be64(p + 16);
    }
    if (d->version == 2) {
        d->word_size = V2_WORD;
    } else {
        d->word_size = (int)(((cookie & 0xf0u) >> 4) & 0xeu);
        if (d->word_size != 2 && d->word_size != 4 && d->word_size != 8) {
            payload_error(h, d, "bad histogram: word size %d in cookie 0x%08x, expected 2, 4 or 8",
                          d->word_size, cookie);
            return false;
        }
    }
    if (sig < 0 || sig > 5) {
        payload_error(h, d, "bad histogram: %d significant digits, expected 0 to 5", (int)sig);
        return false;
    }
    if (lowest < 1 || lowest > (uint64_t)INT64_MAX) {
        payload_error(h, d, "bad histogram: lowest discernible value %llu, expected at least 1",
                      (unsigned long long)lowest);
        return false;
    }
    int unit = 63;
    while (!(lowest >> unit))
        unit--;
    uint64_t single = 2;
    for (int k = 0; k < sig; k++)
        single *= 10;
    int count_magnitude = 0;
    while (((uint64_t)1 << count_magnitude) < single)
        count_magnitude++;
    if (unit + count_magnitude > 62) {
        payload_error(h, d,
                      "bad histogram: %d significant digits above lowest value %llu do not fit "
                      "in 62 bits",
                      (int)sig, (unsigned long long)lowest);
        return false;
    }
    d->unit_magnitude = unit;
    d->half_magnitude = count_magnitude - 1;
    return true;
}

/* The highest value equivalent to the bucket at index (what HdrHistogram
 * reports for percentiles and the maximum); false when it does not fit
 * in 63 bits. */
static bool bucket_value(const histogram_decoder *d, uint64_t index, uint64_t *value)
{
    uint64_t half = (uint64_t)1 << d->half_magnitude;
    int64_t bucket = (int64_t)(index >> d->half_magnitude) - 1;
    uint64_t sub = (index & (half - 1)) + half;
    if (bucket < 0) {
        sub -= half;
        bucket = 0;
    }
    int64_t shift = bucket + d->unit_magnitude;
    if (shift + d->half_magnitude + 1 > 62)
        return false;
    *value = ((sub + 1) << shift) - 1;
    return true;
}

/* One count of a bucket: a sample row unless it is zero. */
static void bucket(hlog_reader *h, histogram_decoder *d, uint64_t count)
{
    uint64_t index = d->index++;
    if (count == 0)
        return;
    uint64_t value = 0;
    bool fits = bucket_value(d, index, &value);
    double delay_ms = (double)value / h->per_ms;
    if (!fits || delay_ms > LOAD_MAX_DELAY_MS) {
        if (fits)
            payload_error(h, d,
                          "value %llu %s (%.0f ms) at histogram index %llu is beyond the 1 hour "
                          "p3 accepts",
                          (unsigned long long)value, h->unit, delay_ms,
                          (unsigned long long)index);
        else
            payload_error(h, d,
                          "histogram index %llu is of a value beyond the 1 hour p3 accepts",
                          (unsigned long long)index);
        return;
    }
    if (!emitting(h))
        return;
    load_sample s = {.t_ns = h->t_ns,
                     .delay_ms = delay_ms,
                     .label = h->tag,
                     .label_len = h->tag_len,
                     .ok = -1,
                     .concurrency = -1,
                     .weight = (double)count,
                     .role = LOAD_SAMPLE};
    if (h->sink->sample(h->sink->ctx, &s))
        h->failed = true;
}

/* A whole count word: V2's ZigZag value, or V0/V1's signed big-endian one. */
static void count_word(hlog_reader *h, histogram_decoder *d)
{
    uint64_t w = d->word;
    d->word = 0;
    d->word_bytes = 0;
    int64_t v;
    if (d->word_size == V2_WORD) {
        v = (w & 1) ? -(int64_t)(w >> 1) - 1 : (int64_t)(w >> 1);
        if (v < 0) {
            uint64_t zeros = v == INT64_MIN ? UINT64_MAX : (uint64_t)-v;
            if (zeros > MAX_INDEX - d->index) {
                payload_error(h, d, "bad histogram: a run of %llu empty buckets goes past the "
                              "2^31 a histogram has",
                              (unsigned long long)zeros);
                return;
            }
            d->index += zeros;
            return;
        }
    } else {
        int bits = 8 * d->word_size;
        if (bits < 64 && (w >> (bits - 1)) & 1)
            w |= ~(uint64_t)0 << bits; /* sign-extend */
        v = (int64_t)w;
        if (v < 0) {
            payload_error(h, d, "bad histogram: negative count %lld at index %llu", (long long)v,
                          (unsigned long long)d->index);
            return;
        }
    }
    if (d->index >= MAX_INDEX) {
        payload_error(h, d, "bad histogram: more than 2^31 buckets");
        return;
    }
    bucket(h, d, (uint64_t)v);
}

/* Decodes inflated bytes: the header, then counts until the payload is
 * whole. */
static void feed(hlog_reader *h, histogram_decoder *d, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !d->failed && !d->done && !h->failed) {
        if (d->header_len < d->header_need) {
            size_t take = d->header_need - d->header_len;
            if (take > n - i)
                take = n - i;
            memcpy(d->header + d->header_len, p + i, take);
            d->header_len += take;
            i += take;
            if (d->header_len == d->header_need && !parse_header(h, d))
                return;
            d->done = d->header_len == d->header_need && d->payload_len == 0;
            continue;
        }
        unsigned char b = p[i++];
        d->payload_seen++;
        if (d->word_size == V2_WORD) {
            /* LEB128, least significant group first; the ninth byte has 8 bits. */
            if (d->word_bytes == 8) {
                d->word |= (uint64_t)b << 56;
                count_word(h, d);
            } else {
                d->word |= (uint64_t)(b & 0x7f) << (7 * d->word_bytes);
                d->word_bytes++;
                if (!(b & 0x80))
                    count_word(h, d);
            }
        } else {
            d->word = d->word << 8 | b;
            if (++d->word_bytes == d->word_size)
                count_word(h, d);
        }
        if (d->payload_seen == d->payload_len)
            d->done = true;
    }
}

/* What the inflated stream lacked when it ended early. */
static void check_complete(hlog_reader *h, histogram_decoder *d)
{
    if (d->failed || d->done)
        return;
    if (d->header_len < d->header_need)
        payload_error(h, d,
                      "truncated histogram: its contents end after %zu of the %zu header bytes",
                      d->header_len, d->header_need);
    else if (d->word_bytes)
        payload_error(h, d, "truncated histogram: its contents end inside a count");
    else if (d->payload_len != UINT64_MAX)
        payload_error(h, d,
                      "truncated histogram: its contents hold %llu of the %llu count bytes its "
                      "header announces",
                      (unsigned long long)d->payload_seen, (unsigned long long)d->payload_len);
}

/* Inflates raw[8..8+length) and decodes it. */
static void inflate_payload(hlog_reader *h, histogram_decoder *d, size_t length)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        payload_error(h, d, "cannot start zlib: %s", z.msg ? z.msg : "out of memory");
        return;
    }
    z.next_in = h->raw + 8;
    z.avail_in = (uInt)length;
    for (;;) {
        z.next_out = h->out;
        z.avail_out = CHUNK;
        int rc = inflate(&z, Z_NO_FLUSH);
        feed(h, d, h->out, CHUNK - z.avail_out);
        if (d->failed || d->done || h->failed)
            break;
        if (rc == Z_STREAM_END) {
            if (d->version == 0 && d->header_len == d->header_need && !d->word_bytes)
                d->done = true; /* V0 counts run to the end of the stream */
            check_complete(h, d);
            break;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR)
            payload_error(h, d, "truncated histogram: the zlib stream ends early");
        else
            payload_error(h, d, "bad zlib data in the histogram: %s",
                          z.msg ? z.msg : "not a zlib stream");
        break;
    }
    inflateEnd(&z);
}

/* Checks the base64 text the way Java's decoder takes it (padding
 * optional, but right when present) and decodes it into h->raw; returns
 * the byte count, or -1 after reporting the problem. */
static long decode_base64(hlog_reader *h, histogram_decoder *d, const char *s, size_t len)
{
    size_t body = len;
    while (body > 0 && len - body < 2 && s[body - 1] == '=')
        body--;
    size_t pad = len - body;
    for (size_t i = 0; i < body; i++) {
        char c = s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
            continue;
        char quoted[16];
        diag_file_error(&h->diags, h->line, h->payload_col + (long)i,
                        "bad base64 character %s in the histogram",
                        diag_quote(quoted, sizeof quoted, s + i, 1));
        d->failed = true;
        return -1;
    }
    if ((pad && len % 4 != 0) || (!pad && len % 4 == 1)) {
        payload_error(h, d, "bad base64: %zu characters%s cannot encode whole bytes", len,
                      pad ? " with padding" : "");
        return -1;
    }
    size_t cap = BASE64_DECODE_LENGTH(len) + 1;
    if (cap > h->raw_cap) {
        h->raw = xrealloc(h->raw, cap);
        h->raw_cap = cap;
    }
    struct base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    size_t n = h->raw_cap;
    /* nettle wants padding at the end (final); Java does not. */
    if (!base64_decode_update(&ctx, &n, h->raw, len, s) || (pad && !base64_decode_final(&ctx))) {
        payload_error(h, d, "bad base64 in the histogram");
        return -1;
    }
    return (long)n;
}

/* The payload field: base64, the compressed wrapper, then the counts. */
static void read_payload(hlog_reader *h, const csv_field *f)
{
    histogram_decoder d;
    memset(&d, 0, sizeof d);
    if (f->len == 0) {
        payload_error(h, &d, "empty histogram");
        return;
    }
    long n = decode_base64(h, &d, f->text, f->len);
    if (n < 0)
        return;
    if (n < 8) {
        payload_error(h, &d,
                      "truncated histogram: %ld bytes, fewer than its 8-byte cookie and length", n);
        return;
    }
    uint32_t cookie = be32(h->raw);
    if (cookie == COOKIE_DOUBLE || cookie == COOKIE_DOUBLE_COMPRESSED) {
        payload_error(h, &d,
                      "the histogram is a DoubleHistogram (cookie 0x%08x): p3 reads histograms of "
                      "integer values only",
                      cookie);
        return;
    }
    switch (COOKIE_BASE(cookie)) {
    case COOKIE_V2_COMPRESSED:
        d.version = 2;
        break;
    case COOKIE_V1_COMPRESSED:
        d.version = 1;
        break;
    case COOKIE_V0_COMPRESSED:
        d.version = 0;
        break;
    case COOKIE_V2:
    case COOKIE_V1:
    case COOKIE_V0:
        payload_error(h, &d,
                      "the histogram is not compressed (cookie 0x%08x): logs hold compressed "
                      "histograms",
                      cookie);
        return;
    default:
        payload_error(h, &d,
                      "bad histogram cookie 0x%08x: expected a compressed HdrHistogram "
                      "(0x1c849314 V2, 0x1c8493x2 V1, 0x1c8493x9 V0)",
                      cookie);
        return;
    }
    d.header_need = d.version == 0 ? HEADER_V0 : HEADER_V12;
    uint32_t length = be32(h->raw + 4);
    if (length > (uint32_t)n - 8) {
        payload_error(h, &d,
                      "truncated histogram: its header announces %lu compressed bytes, the "
                      "base64 holds %ld",
                      (unsigned long)length, n - 8);
        return;
    }
    inflate_payload(h, &d, length);
}

/* The start of an interval from its timestamp field; false after
 * reporting it. */
static bool interval_start(hlog_reader *h, const csv_field *f, long number)
{
    char quoted[80];
    int64_t ts;
    int rc = parse_seconds(f->text, f->len, &ts);
    if (rc) {
        diag_file_error(&h->diags, number, f->col,
                        rc == 1 ? "bad timestamp %s: expected seconds"
                                : "timestamp %s is out of range: after 2199",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    if (!h->base_decided) {
        h->base_decided = true;
        if (h->has_start && ts < h->start_ns - YEAR_NS) {
            h->base_ns = h->start_ns;
            h->time_base = "relative";
        } else {
            h->base_ns = 0;
            h->time_base = "absolute";
            if (!h->start_line && ts < YEAR_NS && !h->epoch_warned) {
                h->epoch_warned = true;
                diag_file_warning(&h->diags, number, f->col,
                                  "no StartTime line: timestamps read as seconds since "
                                  "1970-01-01");
            }
        }
    }
    if (ts > MAX_SECONDS * ISOTIME_NS_PER_SEC - h->base_ns) {
        diag_file_error(&h->diags, number, f->col,
                        "timestamp %s is out of range: the interval would start after 2199",
                        diag_quote(quoted, sizeof quoted, f->text, f->len));
        return false;
    }
    h->t_ns = h->base_ns + ts;
    return true;
}

/* A number field that p3 checks but does not use: the interval's length
 * (s) and Interval_Max (rounded, in a unit that varies between writers). */
static bool check_number(hlog_reader *h, const csv_field *f, long number, const char *what,
                         const char *expected)
{
    double v;
    if (decimal_parse(f->text, f->len, &v) && v >= 0)
        return true;
    char quoted[80];
    diag_file_error(&h->diags, number, f->col, "bad %s %s: expected %s", what,
                    diag_quote(quoted, sizeof quoted, f->text, f->len), expected);
    return false;
}

static void read_interval(hlog_reader *h, const char *line, size_t len, long number)
{
    csv_status cs = csv_split(h->csv, line, len, number);
    if (cs != CSV_RECORD) {
        long el, ec;
        const char *message = cs == CSV_ERROR ? csv_error(h->csv, &el, &ec) : "unterminated quote";
        if (cs != CSV_ERROR)
            ec = 1;
        diag_file_error(&h->diags, number, ec, "%s", message);
        return;
    }
    size_t count = csv_count(h->csv), first = 0;
    h->tag = NULL;
    h->tag_len = 0;
    const csv_field *f0 = csv_get(h->csv, 0);
    if (has_prefix(f0->text, f0->len, "Tag=")) {
        first = 1;
        if (f0->len > 4) {
            h->tag = f0->text + 4;
            h->tag_len = f0->len - 4;
        }
    }
    h->intervals++;
    if (count - first != 4) {
        long col = count - first > 4 ? csv_get(h->csv, first + 4)->col : (long)len + 1;
        diag_file_error(&h->diags, number, col,
                        "expected 4 fields (StartTimestamp, Interval_Length, Interval_Max, "
                        "histogram)%s, found %zu",
                        first ? " after the tag" : "", count - first);
        return;
    }
    if (h->unit_assumed && h->intervals == 1)
        diag_file_warning(&h->diags, 0, 0,
                          "histogram values do not say their unit: read as ns (jHiccup writes "
                          "ns, YCSB us); set 'unit = us' (or ns, ms) in the [run] section of "
                          "run.ini, or give --unit");
    bool ok = interval_start(h, csv_get(h->csv, first), number);
    ok &= check_number(h, csv_get(h->csv, first + 1), number, "interval length",
                       "a number of seconds");
    ok &= check_number(h, csv_get(h->csv, first + 2), number, "Interval_Max", "a number");
    const csv_field *payload = csv_get(h->csv, first + 3);
    h->line = number;
    h->payload_col = payload->col;
    if (ok)
        read_payload(h, payload);
}

/* One line: a comment, the legend, an interval, or nothing. */
static void read_line(hlog_reader *h, const char *line, size_t len, long number)
{
    const char *t = line;
    size_t n = len;
    text_trim(&t, &n);
    if (n == 0)
        return;
    if (line[0] == '#')
        read_comment(h, line, len, number);
    else if (has_prefix(line, len, "\"StartTimestamp\""))
        return; /* the legend */
    else
        read_interval(h, line, len, number);
}

/* The unit of values from the options; false after reporting a bad one. */
static bool choose_unit(hlog_reader *h, const load_options *opts)
{
    static const struct {
        const char *name;
        double per_ms;
    } units[] = {{"ns", 1e6}, {"us", 1e3}, {"ms", 1.0}};
    const char *u = opts ? opts->unit : NULL;
    h->unit_assumed = !u;
    if (!u)
        u = "ns";
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(u, units[i].name) == 0) {
            h->unit = units[i].name;
            h->per_ms = units[i].per_ms;
            return true;
        }
    char quoted[80];
    diag_file_error(&h->diags, 0, 0, "unit %s is not one p3 knows: expected ns, us or ms",
                    diag_quote(quoted, sizeof quoted, u, strlen(u)));
    return false;
}

/* What the file as a whole was, once it read without errors. */
static void give_meta(hlog_reader *h)
{
    char intervals[32];
    snprintf(intervals, sizeof intervals, "%lld", h->intervals);
    const char *pairs[][2] = {
        {"format_version", h->version[0] ? h->version : NULL},
        {"unit", h->unit},
        {"unit_assumed", h->unit_assumed ? "yes" : "no"},
        {"intervals", intervals},
        {"time_base", h->time_base},
        {"values", "histogram"},
        {"bucket_value", "highest-equivalent"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs && emitting(h); i++)
        if (pairs[i][1] && h->sink->meta(h->sink->ctx, pairs[i][0], pairs[i][1]))
            h->failed = true;
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    hlog_reader *h = xcalloc(1, sizeof *h);
    h->sink = sink;
    h->diags = (diag_file){.list = diags, .path = path};
    csv_options co = {.delimiter = ',', .trim = true, .lenient_quotes = true};
    h->csv = csv_splitter_new(&co);
    sha256_hex[0] = '\0';
    line_reader_options lo = {.max_line = MAX_LINE};
    int status = line_reader_open(path, &lo, &h->lines, diags);
    if (status)
        goto out;
    if (!choose_unit(h, opts))
        h->stop = true;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(h->lines, &line, &len)) != LINE_EOF && !h->failed) {
        long number = line_reader_line(h->lines);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            goto out;
        }
        if (h->stop)
            continue;
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&h->diags, number, (long)MAX_LINE + 1, "line longer than 8 MiB");
            continue;
        }
        if (!check_text(h, line, len, number)) {
            h->stop |= number == 1; /* a binary file: one error is enough */
            continue;
        }
        read_line(h, line, len, number);
    }
    if (h->failed) {
        status = STATUS_FAILURE;
        goto out;
    }
    if (line_reader_line(h->lines) == 0)
        diag_file_error(&h->diags, 1, 1, "empty file: expected an HdrHistogram log");
    else if (h->intervals == 0 && emitting(h))
        diag_file_warning(&h->diags, 0, 0, "no intervals: the log holds no histograms");
    uint64_t bytes = 0;
    if ((status = line_reader_digest(h->lines, sha256_hex, &bytes, diags)))
        goto out;
    *size = (long long)bytes;
    if (emitting(h))
        give_meta(h);
    diag_file_finish(&h->diags);
    status = h->failed ? STATUS_FAILURE : h->diags.errors ? STATUS_BAD_INPUT : STATUS_OK;
out:
    if (status)
        sha256_hex[0] = '\0';
    line_reader_free(h->lines);
    csv_splitter_free(h->csv);
    free(h->raw);
    free(h);
    return status;
}

const load_format hlog_format = {"hlog", sniff, read_file};
