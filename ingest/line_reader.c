#include "line_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "status.h"
#include "xalloc.h"

/* Bytes asked of read() at a time. */
#define READ_CHUNK ((size_t)1 << 20)

struct line_reader {
    int fd;                /* the open file */
    char *path;            /* for messages */
    char *buf;             /* buffered bytes [start, end) not yet returned */
    size_t capacity;       /* size of buf: max_line + READ_CHUNK */
    size_t start, end;     /* unreturned data */
    size_t max_line;       /* longest line returned whole */
    bool cr_alone;         /* CR alone ends a line */
    bool eof;              /* read() has returned 0 */
    bool skipping;         /* inside the rest of an over-long line */
    bool terminated;       /* the last line had a line end */
    long line;             /* number of the last line returned */
    uint64_t bytes;        /* bytes read */
    sha256 hash;           /* over every byte read */
    diag_list *diags;      /* where read errors go */
};

int line_reader_open(const char *path, const line_reader_options *opts, line_reader **out,
                     diag_list *diags)
{
    *out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return STATUS_BAD_INPUT;
    }
    line_reader *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = xstrdup(path);
    r->max_line = opts && opts->max_line ? opts->max_line : LINE_READER_MAX_LINE;
    r->cr_alone = opts && opts->cr_alone;
    r->capacity = r->max_line + READ_CHUNK;
    r->buf = xmalloc(r->capacity);
    r->diags = diags;
    sha256_init(&r->hash);
    *out = r;
    return STATUS_OK;
}

void line_reader_free(line_reader *r)
{
    if (!r)
        return;
    close(r->fd);
    free(r->path);
    free(r->buf);
    free(r);
}

/* Moves unreturned data to the front and reads more; false on I/O error. */
static bool fill(line_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    while (r->end < r->capacity && !r->eof) {
        ssize_t n = read(r->fd, r->buf + r->end, r->capacity - r->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            diag_add(r->diags, DIAG_ERROR, r->path, 0, 0, "cannot read: %s", strerror(errno));
            return false;
        }
        if (n == 0) {
            r->eof = true;
            break;
        }
        sha256_update(&r->hash, r->buf + r->end, (size_t)n);
        r->bytes += (uint64_t)n;
        r->end += (size_t)n;
        if ((size_t)n < READ_CHUNK / 4)
            break; /* a short read: use what there is */
    }
    return true;
}

/* The offset of the next line end in [from, end), or end if none. */
static size_t find_eol(const line_reader *r, size_t from)
{
    const char *p = r->buf + from;
    size_t n = r->end - from;
    if (!r->cr_alone) {
        const char *nl = memchr(p, '\n', n);
        return nl ? (size_t)(nl - r->buf) : r->end;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n' || p[i] == '\r')
            return from + i;
    return r->end;
}

line_status line_reader_next(line_reader *r, const char **line, size_t *len)
{
    size_t scanned = r->start;
    for (;;) {
        size_t eol = find_eol(r, scanned);
        /* A CR at the very end of the buffer may be half of a CRLF. */
        bool need_more = eol == r->end ||
                         (r->cr_alone && r->buf[eol] == '\r' && eol + 1 == r->end && !r->eof);
        if (need_more && !r->eof) {
            if (r->skipping) {
                r->start = r->end; /* still inside the over-long line */
            } else if (r->end - r->start > r->max_line) {
                /* Over-long: return its head, then skip the rest. */
                size_t head = r->max_line;
                r->line++;
                r->terminated = true;
                *line = r->buf + r->start;
                *len = head;
                r->start = r->end; /* the rest of the buffer is the same line */
                r->skipping = true;
                return LINE_TOO_LONG;
            }
            scanned = eol < r->end ? eol : r->end;
            size_t before = r->start;
            if (!fill(r))
                return LINE_IO_ERROR;
            scanned -= before; /* fill() moved the data to the front */
            continue;
        }
        if (eol == r->end && r->start == r->end) {
            return LINE_EOF; /* at EOF with nothing left */
        }
        size_t line_start = r->start;
        size_t line_end = eol;
        size_t next = eol;
        if (eol < r->end) {
            next = eol + 1;
            if (r->buf[eol] == '\r' && next < r->end && r->buf[next] == '\n')
                next++;
            else if (r->buf[eol] == '\n' && eol > line_start && r->buf[eol - 1] == '\r')
                line_end--; /* CRLF */
            r->terminated = true;
        } else {
            r->terminated = false; /* last line without a line end */
        }
        r->start = next;
        if (r->skipping) {
            /* The tail of an over-long line: not a line of its own. */
            r->skipping = false;
            scanned = r->start;
            continue;
        }
        r->line++;
        *line = r->buf + line_start;
        *len = line_end - line_start;
        if (*len > r->max_line) {
            *len = r->max_line;
            return LINE_TOO_LONG;
        }
        return LINE_OK;
    }
}

long line_reader_line(const line_reader *r)
{
    return r->line;
}

bool line_reader_terminated(const line_reader *r)
{
    return r->terminated;
}

uint64_t line_reader_bytes(const line_reader *r)
{
    return r->bytes;
}

int line_reader_digest(line_reader *r, char hex[65], diag_list *diags)
{
    (void)diags;
    while (!r->eof) {
        r->start = r->end = 0;
        if (!fill(r))
            return STATUS_FAILURE;
    }
    sha256 copy = r->hash;
    sha256_final_hex(&copy, hex);
    return STATUS_OK;
}
