#include "csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct csv_splitter {
    csv_options opts;
    char *buf;          /* the unquoted text of the fields, each NUL-terminated */
    size_t len, cap;    /* bytes of buf used, and allocated */
    csv_field *fields;  /* the record's fields, the open one included; text in buf */
    size_t count;       /* fields begun */
    size_t ready;       /* fields the caller may read */
    size_t fields_cap;  /* fields allocated */
    bool open_quoted;   /* the last field is quoted and goes on past a line end */
    long first_line, last_line;
    long err_line, err_col;
    char err[96];
};

csv_splitter *csv_splitter_new(const csv_options *opts)
{
    csv_splitter *s = xcalloc(1, sizeof *s);
    if (opts)
        s->opts = *opts;
    if (!s->opts.delimiter)
        s->opts.delimiter = ',';
    return s;
}

void csv_splitter_free(csv_splitter *s)
{
    if (!s)
        return;
    free(s->buf);
    free(s->fields);
    free(s);
}

/* Makes room for more bytes in buf. The fields point into buf, so they
 * move with it (only a record spanning lines has fields at this point). */
static void grow_buf(csv_splitter *s, size_t more)
{
    size_t cap = 2 * (s->len + more) + 64;
    char *buf = xmalloc(cap);
    if (s->len)
        memcpy(buf, s->buf, s->len);
    for (size_t k = 0; k < s->count; k++)
        s->fields[k].text = buf + (s->fields[k].text - s->buf);
    free(s->buf);
    s->buf = buf;
    s->cap = cap;
}

/* Room for more bytes in buf, most often there already. */
static inline void reserve(csv_splitter *s, size_t more)
{
    if (s->len + more + 1 > s->cap)
        grow_buf(s, more);
}

/* Room for one more field: the field array, which may move. */
static csv_field *grow_fields(csv_splitter *s)
{
    s->fields_cap = s->fields_cap ? 2 * s->fields_cap : 32;
    s->fields = xreallocarray(s->fields, s->fields_cap, sizeof *s->fields);
    return s->fields;
}

/* A space or tab that trim drops: never the delimiter. Most bytes are
 * above ' ', which one comparison rules out. */
static inline bool is_blank(char c, char delim)
{
    return (unsigned char)c <= ' ' && (c == ' ' || c == '\t') && c != delim;
}

static void fail(csv_splitter *s, long line, long col, const char *message)
{
    s->err_line = line;
    s->err_col = col;
    snprintf(s->err, sizeof s->err, "%s", message);
}

/* Whether text is scanned eight bytes at a time: where the lowest byte
 * of a word comes first in memory and __builtin_ctzll() is there. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDWISE 1
#else
#define WORDWISE 0
#endif

#if WORDWISE
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The high bit of each byte of x that is zero, and perhaps of bytes above
 * the lowest zero byte (a borrow): never below it. */
static inline uint64_t zero_bytes(uint64_t x)
{
    return (x - ONES) & ~x & HIGHS;
}

/* The high bit of each byte of x that is zero, exactly (no borrows). */
static inline uint64_t zero_bytes_exact(uint64_t x)
{
    const uint64_t lows = ~HIGHS;
    return ~(((x & lows) + lows) | x | lows);
}
#endif

/* Copies line[i..len) to out up to its first quote or delimiter and
 * returns the offset of that byte, or len. Eight bytes at a time, each
 * word stored whole before it is looked at, so out must have 8 bytes of
 * room past what is copied (see feed()). */
static inline size_t copy_plain(char *out, const char *line, size_t i, size_t len, char delim)
{
    const size_t from = i;
#if WORDWISE
    const uint64_t d = ONES * (unsigned char)delim, q = ONES * (unsigned char)'"';
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, line + i, 8);
        memcpy(out + (i - from), &w, 8);
        uint64_t hit = zero_bytes(w ^ d) | zero_bytes(w ^ q);
        if (hit)
            return i + ((size_t)__builtin_ctzll(hit) >> 3); /* the lowest one is exact */
    }
    if (i < len && len >= 8) {
        /* The last bytes: the line's last word, shifted so that its byte
         * i comes first (earlier bytes may be delimiters: shifted out). */
        unsigned shift = (unsigned)(i - (len - 8)) * 8;
        uint64_t w;
        memcpy(&w, line + len - 8, 8);
        w >>= shift;
        memcpy(out + (i - from), &w, 8);
        uint64_t hit = (zero_bytes_exact(w ^ d) | zero_bytes_exact(w ^ q)) & (~UINT64_C(0) >> shift);
        return hit ? i + ((size_t)__builtin_ctzll(hit) >> 3) : len;
    }
#endif
    for (; i < len && line[i] != delim && line[i] != '"'; i++)
        out[i - from] = line[i];
    return i;
}

/* copy_plain() up to one stop byte only: a quote for the text of a quoted
 * field, the delimiter where quotes inside unquoted fields are text. */
static inline size_t copy_to(char *out, const char *line, size_t i, size_t len, char stop)
{
    const size_t from = i;
#if WORDWISE
    const uint64_t q = ONES * (unsigned char)stop;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, line + i, 8);
        memcpy(out + (i - from), &w, 8);
        uint64_t hit = zero_bytes(w ^ q);
        if (hit)
            return i + ((size_t)__builtin_ctzll(hit) >> 3);
    }
    if (i < len && len >= 8) {
        unsigned shift = (unsigned)(i - (len - 8)) * 8;
        uint64_t w;
        memcpy(&w, line + len - 8, 8);
        w >>= shift;
        memcpy(out + (i - from), &w, 8);
        uint64_t hit = zero_bytes_exact(w ^ q) & (~UINT64_C(0) >> shift);
        return hit ? i + ((size_t)__builtin_ctzll(hit) >> 3) : len;
    }
#endif
    for (; i < len && line[i] != stop; i++)
        out[i - from] = line[i];
    return i;
}

/* Runs over one line of the record: the rest of an open quoted field,
 * then field after field. The state lives in locals while it runs (stores
 * of text into buf could otherwise alias it). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline csv_status feed(csv_splitter *s, const char *line, size_t len, long line_no)
{
    s->last_line = line_no;
    /* What a line can add: its bytes, a NUL and a LF, and the 8 bytes
     * copy_plain() may store past the end of what it copies. */
    reserve(s, len + 2 + 8);
    const char delim = s->opts.delimiter;
    const bool trim = s->opts.trim, glued = s->opts.glued_quotes;
    const bool bare = s->opts.bare_quotes || s->opts.lenient_quotes;
    const bool lenient = s->opts.lenient_quotes;
    char *const buf = s->buf;
    csv_field *fields = s->fields, *f = NULL;
    size_t o = s->len, count = s->count, cap = s->fields_cap, i = 0;
    csv_status status = CSV_RECORD;
    bool resume = s->open_quoted;
    s->open_quoted = false;
    if (resume)
        f = &fields[count - 1];
    if (!resume) {
        /* First as if the line held no quoted field (most lines of most
         * files): its copy in buf keeps the line's offsets, and the end of
         * each field becomes its NUL. At a quote that matters, the fields
         * are dropped and the line is split again below. Where quotes inside
         * unquoted fields are text, only a quote that opens a field does. */
        char *base = buf + o;
        const size_t first = count;
        const bool quote_is_text = bare && !glued;
        for (size_t start = 0;;) {
            size_t a = start;
            if (trim)
                while (a < len && is_blank(line[a], delim))
                    a++;
            if (a < len && line[a] == '"') {
                count = first;
                break;
            }
            size_t end = quote_is_text ? copy_to(base + a, line, a, len, delim)
                                       : copy_plain(base + a, line, a, len, delim);
            if (end < len && line[end] == '"') {
                count = first;
                break;
            }
            size_t b = end;
            if (trim)
                while (b > a && is_blank(line[b - 1], delim))
                    b--;
            if (count == cap) {
                fields = grow_fields(s);
                cap = s->fields_cap;
            }
            f = &fields[count++];
            f->text = base + a;
            f->len = b - a;
            f->line = line_no;
            f->col = (long)(b > a ? a : start) + 1;
            f->quoted = false;
            base[b] = '\0';
            if (end == len) {
                o += len + 1;
                goto out;
            }
            start = end + 1;
        }
    }
    for (;;) {
        if (!resume) {
            size_t start = i;
            if (trim)
                while (i < len && is_blank(line[i], delim))
                    i++;
            if (count == cap) {
                fields = grow_fields(s);
                cap = s->fields_cap;
            }
            f = &fields[count++];
            f->text = buf + o;
            f->line = line_no;
            f->col = (long)i + 1;
            f->quoted = i < len && line[i] == '"';
            if (!f->quoted) {
                /* Unquoted: up to the delimiter, a quote perhaps inside. */
                for (;;) {
                    size_t from = i;
                    i = copy_plain(buf + o, line, i, len, delim);
                    o += i - from;
                    if (i == len || line[i] == delim || glued)
                        break;
                    if (!bare) {
                        fail(s, line_no, (long)i + 1, "quote inside an unquoted field");
                        status = CSV_ERROR;
                        goto out;
                    }
                    buf[o++] = '"'; /* the quote is text */
                    i++;
                }
                if (trim)
                    while (buf + o > f->text && is_blank(buf[o - 1], delim))
                        o--;
                f->len = (size_t)(buf + o - f->text);
                buf[o++] = '\0';
                if (f->len == 0)
                    f->col = (long)start + 1;
                if (i == len)
                    goto out;
                if (line[i] == delim)
                    i++; /* else a glued quote, which opens the next field */
                continue;
            }
            i++; /* past the opening quote */
        }
        resume = false;
        /* Quoted: up to a quote that is not one of "". */
        for (;;) {
            size_t from = i;
            i = copy_to(buf + o, line, i, len, '"');
            o += i - from;
            if (i == len) {
                buf[o++] = '\n'; /* the field goes on on the next line */
                s->open_quoted = true;
                status = CSV_MORE;
                goto out;
            }
            if (i + 1 < len && line[i + 1] == '"') {
                buf[o++] = '"';
                i += 2;
                continue;
            }
            i++;
            break;
        }
        f->len = (size_t)(buf + o - f->text);
        buf[o++] = '\0';
        /* After the closing quote. */
        size_t j = i;
        if (trim)
            while (j < len && is_blank(line[j], delim))
                j++;
        if (j == len)
            goto out;
        if (line[j] == delim) {
            i = j + 1;
            continue;
        }
        if (!lenient) {
            fail(s, line_no, (long)j + 1, "unexpected text after a quoted field");
            status = CSV_ERROR;
            goto out;
        }
        /* Text glued to the quoted field: appended as it is. */
        const char *d = memchr(line + i, delim, len - i);
        size_t k = d ? (size_t)(d - line) : len;
        o--; /* reopen the field: drop its NUL */
        memcpy(buf + o, line + i, k - i);
        o += k - i;
        if (trim)
            while (buf + o > f->text && is_blank(buf[o - 1], delim))
                o--;
        f->len = (size_t)(buf + o - f->text);
        buf[o++] = '\0';
        if (k == len)
            goto out;
        i = k + 1;
    }
out:
    s->len = o;
    s->count = count;
    s->ready = status == CSV_RECORD ? count : count - 1;
    return status;
}

csv_status csv_split(csv_splitter *s, const char *line, size_t len, long line_no)
{
    s->len = 0;
    s->count = 0;
    s->ready = 0;
    s->open_quoted = false;
    s->first_line = line_no;
    return feed(s, line, len, line_no);
}

csv_status csv_continue(csv_splitter *s, const char *line, size_t len, long line_no)
{
    if (!s->open_quoted)
        return csv_split(s, line, len, line_no);
    return feed(s, line, len, line_no);
}

csv_status csv_finish(csv_splitter *s)
{
    const csv_field *f = s->count ? &s->fields[s->count - 1] : NULL;
    s->open_quoted = false;
    s->ready = s->count ? s->count - 1 : 0;
    fail(s, f ? f->line : s->first_line, f ? f->col : 1, "unterminated quoted field");
    return CSV_ERROR;
}

size_t csv_count(const csv_splitter *s)
{
    return s->ready;
}

const csv_field *csv_get(const csv_splitter *s, size_t i)
{
    return i < s->ready ? &s->fields[i] : NULL;
}

const csv_field *csv_fields(const csv_splitter *s)
{
    return s->ready ? s->fields : NULL;
}

const char *csv_error(const csv_splitter *s, long *line, long *col)
{
    *line = s->err_line;
    *col = s->err_col;
    return s->err;
}

long csv_first_line(const csv_splitter *s)
{
    return s->first_line;
}

long csv_last_line(const csv_splitter *s)
{
    return s->last_line;
}
