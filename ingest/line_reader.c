#include "line_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "sha256.h"
#include "status.h"
#include "text_decode.h"
#include "xalloc.h"

/* Bytes asked of read() at a time: the buffer holds the current line and
 * at most this much more, so memory in use follows the longest line. */
#define READ_CHUNK ((size_t)1 << 20)
/* Bytes the digest thread hashes per pread(). */
#define HASH_CHUNK ((size_t)1 << 18)

/* The SHA-256 of the file is computed by a thread of its own that reads
 * the same file with pread(), so hashing costs no time on the parsing
 * thread: on two cores ingest is as fast as parsing alone. */
typedef struct digest_job {
    int fd;                /* the reader's descriptor, read with pread() only */
    pthread_t thread;
    bool started;          /* thread is running or done, and must be joined */
    atomic_bool cancel;    /* asks the thread to stop early */
    int error;             /* errno of a failed pread(), or 0 */
    uint64_t size;         /* bytes hashed */
    char hex[65];          /* the digest, once the thread is done */
} digest_job;

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
    text_decode *decoder;  /* decodes the file to UTF-8 into buf, or NULL */
    char *raw;             /* read but not yet decoded: raw[0, raw_len) */
    size_t raw_len;
    bool raw_eof;          /* read() has returned 0; eof then means all is decoded */
    bool bad_pending;      /* decoding stopped at bytes it cannot decode; the
                              text before them ends at buf[end] */
    unsigned char bad[4];  /* those bytes (their first four) */
    size_t bad_count;
    bool bad_at_end;       /* they are a character the file ends inside */
    digest_job digest;     /* hashes the file alongside */
    gzFile gz;             /* a gzip file: its decompressed bytes are the
                              file's text; NULL for a plain file */
    bool cut_short;        /* the gzip stream ended before its end marker, or
                              its compressed data is damaged */
    diag_list *diags;      /* where read errors go */
};

static void *digest_main(void *arg)
{
    digest_job *job = arg;
    sha256 ctx;
    sha256_init(&ctx);
    unsigned char *buf = xmalloc(HASH_CHUNK);
    off_t offset = 0;
    while (!atomic_load(&job->cancel)) {
        ssize_t n = pread(job->fd, buf, HASH_CHUNK, offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            job->error = errno;
            break;
        }
        if (n == 0)
            break;
        sha256_update(&ctx, buf, (size_t)n);
        offset += n;
        job->size += (uint64_t)n;
    }
    free(buf);
    sha256_final_hex(&ctx, job->hex);
    return NULL;
}

/* Waits for the digest thread; returns its pread() errno or 0. */
static int digest_join(digest_job *job)
{
    if (job->started) {
        pthread_join(job->thread, NULL);
        job->started = false;
    }
    return job->error;
}

int line_reader_open(const char *path, const line_reader_options *opts, line_reader **out,
                     diag_list *diags)
{
    *out = NULL;
    text_decode *decoder = NULL;
    if (opts && opts->encoding && !(decoder = text_decode_new(opts->encoding))) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot decode from '%s': iconv does not know it",
                 opts->encoding);
        return STATUS_BAD_INPUT;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        text_decode_free(decoder);
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
    r->decoder = decoder;
    if (decoder)
        r->raw = xmalloc(READ_CHUNK);
    unsigned char magic[2];
    if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        /* gzip: read through zlib on a descriptor of its own (the digest
         * thread hashes the compressed bytes with pread() on fd). */
        int gz_fd = dup(fd);
        r->gz = gz_fd < 0 ? NULL : gzdopen(gz_fd, "rb");
        if (!r->gz) {
            if (gz_fd >= 0)
                close(gz_fd);
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open gzip stream");
            close(fd);
            free(r->path);
            free(r->buf);
            free(r->raw);
            text_decode_free(decoder);
            free(r);
            return STATUS_FAILURE;
        }
        gzbuffer(r->gz, 1 << 17);
    }
    r->digest.fd = fd;
    atomic_init(&r->digest.cancel, false);
    int rc = pthread_create(&r->digest.thread, NULL, digest_main, &r->digest);
    if (rc != 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot start the digest thread: %s",
                 strerror(rc));
        line_reader_free(r);
        return STATUS_FAILURE;
    }
    r->digest.started = true;
    *out = r;
    return STATUS_OK;
}

void line_reader_free(line_reader *r)
{
    if (!r)
        return;
    atomic_store(&r->digest.cancel, true);
    digest_join(&r->digest);
    if (r->gz)
        gzclose(r->gz);
    close(r->fd);
    text_decode_free(r->decoder);
    free(r->raw);
    free(r->path);
    free(r->buf);
    free(r);
}

/* Reads at most room bytes to `to` into *got (0 at the end of the file);
 * false on I/O error. */
static bool read_some(line_reader *r, char *to, size_t room, size_t *got)
{
    if (r->gz) {
        int n = gzread(r->gz, to, (unsigned)(room > INT_MAX ? INT_MAX : room));
        int code = Z_OK;
        if (n == 0)
            gzerror(r->gz, &code);
        if (n == 0 && code == Z_BUF_ERROR) {
            /* zlib's word for a stream that ends before its end marker: bad
             * input, not a failure to read. Reading ends here; the error
             * refuses the file. */
            diag_add(r->diags, DIAG_ERROR, r->path, 0, 0,
                     "the gzip stream is cut short: the file is truncated");
            r->cut_short = true;
            *got = 0;
            return true;
        }
        if (n < 0) {
            const char *message = gzerror(r->gz, &code);
            if (code == Z_ERRNO) {
                diag_add(r->diags, DIAG_ERROR, r->path, 0, 0, "cannot read: %s",
                         strerror(errno));
                return false;
            }
            /* Damaged compressed data is bad input, as a cut stream is.
             * zlib names the stream "<fd:N>: " before its message. */
            if (strncmp(message, "<fd:", 4) == 0 && strstr(message, ": "))
                message = strstr(message, ": ") + 2;
            diag_add(r->diags, DIAG_ERROR, r->path, 0, 0,
                     "cannot decompress: %s: the gzip file is damaged", message);
            r->cut_short = true;
            *got = 0;
            return true;
        }
        *got = (size_t)n;
        r->bytes += (uint64_t)n;
        return true;
    }
    for (;;) {
        ssize_t n = read(r->fd, to, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_add(r->diags, DIAG_ERROR, r->path, 0, 0, "cannot read: %s", strerror(errno));
            return false;
        }
        *got = (size_t)n;
        r->bytes += (uint64_t)n;
        return true;
    }
}

/* Decodes into the free room of buf, reading as needed, until some text
 * came out, the room is too small for one more character, decoding stopped
 * at bytes it cannot decode, or the file ended. False on I/O error. */
static bool decode_more(line_reader *r)
{
    size_t before = r->end;
    while (r->end == before && !r->eof && !r->bad_pending) {
        if (!r->raw_eof && r->raw_len < READ_CHUNK) {
            size_t got;
            if (!read_some(r, r->raw + r->raw_len, READ_CHUNK - r->raw_len, &got))
                return false;
            r->raw_eof = got == 0;
            r->raw_len += got;
        }
        const char *in = r->raw;
        size_t in_len = r->raw_len;
        char *out = r->buf + r->end;
        size_t room = r->capacity - r->end;
        text_decode_status st = text_decode_run(r->decoder, &in, &in_len, &out, &room, r->raw_eof);
        r->end = (size_t)(out - r->buf);
        if (st != TEXT_DECODE_OK) {
            /* Step over one code unit (or the cut character) and go on
             * after it: the caller skips the rest of this line. */
            size_t unit = text_decode_unit(r->decoder);
            size_t skip = st == TEXT_DECODE_TRUNCATED || unit > in_len ? in_len : unit;
            r->bad_count = skip < sizeof r->bad ? skip : sizeof r->bad;
            memcpy(r->bad, in, r->bad_count);
            r->bad_at_end = st == TEXT_DECODE_TRUNCATED;
            r->bad_pending = true;
            in += skip;
            in_len -= skip;
        }
        memmove(r->raw, in, in_len);
        r->raw_len = in_len;
        if (r->raw_eof && r->raw_len == 0)
            r->eof = true;
        if (room < 4)
            break; /* full: the caller sees an over-long line */
    }
    return true;
}

/* Moves unreturned data to the front and reads (or decodes) one chunk
 * more; false on I/O error. */
static bool fill(line_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->decoder)
        return decode_more(r);
    size_t room = r->capacity - r->end;
    if (room == 0 || r->eof)
        return true;
    size_t got;
    if (!read_some(r, r->buf + r->end, room < READ_CHUNK ? room : READ_CHUNK, &got))
        return false;
    r->eof = got == 0;
    r->end += got;
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
        /* A CR at the very end of the buffer may be half of a CRLF, unless
         * bytes that cannot be decoded come next. */
        bool need_more = eol == r->end || (r->cr_alone && r->buf[eol] == '\r' &&
                                           eol + 1 == r->end && !r->eof && !r->bad_pending);
        if (eol == r->end && r->bad_pending) {
            /* Decoding stopped inside this line: return what came before
             * the bad bytes and skip the rest; decoding goes on after them. */
            r->bad_pending = false;
            if (r->skipping) {
                r->start = scanned = r->end; /* inside a line already reported */
                continue;
            }
            size_t head = r->end - r->start;
            r->line++;
            r->terminated = true;
            *line = r->buf + r->start;
            *len = head < r->max_line ? head : r->max_line;
            r->start = scanned = r->end;
            r->skipping = true;
            return LINE_BAD_TEXT;
        }
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

size_t line_reader_bad_text(const line_reader *r, unsigned char bytes[4], bool *at_end)
{
    memcpy(bytes, r->bad, r->bad_count);
    *at_end = r->bad_at_end;
    return r->bad_count;
}

uint64_t line_reader_bytes(const line_reader *r)
{
    return r->bytes;
}

int line_reader_digest(line_reader *r, char hex[65], uint64_t *size, diag_list *diags)
{
    int error = digest_join(&r->digest);
    if (error) {
        diag_add(diags, DIAG_ERROR, r->path, 0, 0, "cannot read: %s", strerror(error));
        return STATUS_FAILURE;
    }
    memcpy(hex, r->digest.hex, 65);
    *size = r->digest.size;
    return r->cut_short ? STATUS_BAD_INPUT : STATUS_OK;
}
