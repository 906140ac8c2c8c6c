/* The canvas's PNG encoder.
 *
 * cairo's own PNG writer (libpng with adaptive filtering and zlib level 6)
 * took four fifths of the time of drawing a chart. A chart is large flat
 * areas and straight edges, so filtering buys little: the rows go
 * unfiltered (filter byte 0) to zlib at its fastest level, cut into bands
 * of rows that are deflated side by side on threads and joined into one
 * zlib stream. The number of bands depends on the image's size only, never
 * on the machine's cores, so the same pixels give the same bytes everywhere
 * (given the same zlib). An earlier hand-written deflate (fixed Huffman
 * codes, matching only the pixel to the left and the one above) took half
 * zlib's time but made files half again as large as zlib level 1. Every
 * zlib call and every allocation is checked: a failure fails the encoding
 * with its reason, which canvas_write() reports.
 *
 * Each band is a raw deflate stream (no zlib header) that ends with a sync
 * flush, an empty stored block that leaves the stream open on a byte
 * boundary, so that the bands concatenate; the last ends the stream.
 * Around them go the zlib header and the Adler-32 of all the rows, which
 * adler32_combine() makes from the bands' own. A band would lose the
 * matches of its first rows against the rows above it, which lie in the
 * band before; so each band starts with the last 32 KiB of rows before it
 * (deflate's whole window) as a preset dictionary, and sees what a single
 * stream would have seen.
 *
 * zlib's settings were measured on the 60 charts of samples/lab and of the
 * paper's simulated lab (bench/png_idat.py compares a file's image data
 * with zlib level 1 of the same rows as one stream). Plain level 1 in bands
 * came out up to 1 % larger than one stream, each band edge costing a
 * Huffman block. Kept: level 1's matcher (deflate_fast, four candidates at
 * most) but with nice_length 258 instead of 8, so that it keeps the
 * longest candidate rather than the first of 8 bytes or more (the row
 * above usually runs far longer than a nearby repeat), and memLevel 7,
 * whose smaller hash table stays in the cache. The files come out 5 to
 * 15 % smaller than zlib level 1 as one stream, in less CPU time. */
#include "canvas_png.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "canvas.h"
#include "status.h"

#define PNG_BANDS 4                /* bands of the largest images: fixed, never the core count */
#define PNG_BAND_MIN (128 * 1024)  /* bytes of rows a band needs to be worth a thread */
#define PNG_WINDOW 32768           /* deflate's window: the dictionary a band starts with */
#define PNG_STAGE (64 * 1024)      /* bytes of rows converted at a time, kept in the cache */
#define PNG_CHUNK (256 * 1024)     /* largest IDAT chunk written */
#define PNG_LEVEL 1                /* zlib's fastest level, whose matcher is deflate_fast */
#define PNG_MEM_LEVEL 7            /* a 16K-entry hash table and blocks of 8K symbols */
/* deflateTune() for level 1: its good_length, max_lazy and max_chain, with
 * nice_length at deflate's longest match (level 1 stops at 8). */
#define PNG_GOOD_LENGTH 4
#define PNG_MAX_LAZY 4
#define PNG_NICE_LENGTH 258
#define PNG_MAX_CHAIN 4

/* One band of rows and what deflate made of it. */
typedef struct png_band {
    const unsigned char *pixels;  /* the image's first row (cairo's RGB24) */
    int stride, width;            /* bytes from row to row; pixels in a row */
    int first, rows;              /* the band is rows first .. first + rows - 1 */
    bool last;                    /* ends the zlib stream */
    const canvas_png_memory *mem; /* where its memory comes from */
    unsigned char *out;           /* raw deflate data, ending on a byte boundary */
    size_t out_len, out_cap;      /* bytes in out; bytes out can hold */
    uLong adler;                  /* Adler-32 of the band's PNG rows */
    size_t raw_len;               /* bytes of those rows */
    const char *error;            /* NULL, or why the band failed (static) */
} png_band;

static void *system_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}

static void system_free(void *opaque, void *block)
{
    (void)opaque;
    free(block);
}

static const canvas_png_memory system_memory = {system_alloc, system_free, NULL};

/* zlib's allocator and its release, through the encoder's memory. */
static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    const canvas_png_memory *mem = opaque;
    if (size != 0 && items > SIZE_MAX / size)
        return Z_NULL;
    return mem->alloc(mem->opaque, (size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf block)
{
    const canvas_png_memory *mem = opaque;
    mem->free(mem->opaque, block);
}

/* What a zlib return code means, for "cannot write chart: <reason>". */
static const char *zlib_reason(int rc)
{
    switch (rc) {
    case Z_MEM_ERROR: return "out of memory";
    case Z_STREAM_ERROR: return "zlib: inconsistent stream state";
    case Z_BUF_ERROR: return "zlib: no progress possible";
    case Z_VERSION_ERROR: return "zlib: incompatible library version";
    default: return "zlib: unexpected error";
    }
}

/* Rows first .. first + count - 1 of the band's image as PNG rows at to:
 * the filter byte 0 (none), then red, green and blue of each pixel. */
static void png_rows(const png_band *b, int first, int count, unsigned char *to)
{
    for (int y = first; y < first + count; y++) {
        const uint32_t *px =
            (const uint32_t *)(const void *)(b->pixels + (size_t)y * (size_t)b->stride);
        *to++ = 0;
        for (int x = 0; x < b->width; x++) {
            to[0] = (unsigned char)(px[x] >> 16);
            to[1] = (unsigned char)(px[x] >> 8);
            to[2] = (unsigned char)px[x];
            to += 3;
        }
    }
}

/* Makes room for more deflate output: twice the room, or false when the
 * memory is not there. */
static bool band_grow(png_band *b, z_stream *z)
{
    size_t cap = b->out_cap * 2;
    unsigned char *out = cap > b->out_cap ? b->mem->alloc(b->mem->opaque, cap) : NULL;
    if (!out)
        return false;
    if (b->out_len)
        memcpy(out, b->out, b->out_len);
    b->mem->free(b->mem->opaque, b->out);
    b->out = out;
    b->out_cap = cap;
    z->next_out = out + b->out_len;
    z->avail_out = (uInt)(cap - b->out_len > UINT_MAX ? UINT_MAX : cap - b->out_len);
    return true;
}

/* Deflates z's input with flush, growing the output as it fills. Returns
 * zlib's code: Z_OK (Z_STREAM_END for Z_FINISH) when all went in. */
static int band_deflate_input(png_band *b, z_stream *z, int flush)
{
    int rc;
    do {
        if (z->avail_out == 0 && !band_grow(b, z))
            return Z_MEM_ERROR;
        rc = deflate(z, flush);
        b->out_len = (size_t)(z->next_out - b->out);
    } while (rc == Z_OK && z->avail_out == 0);
    if (flush == Z_FINISH)
        return rc == Z_STREAM_END ? Z_OK : rc == Z_OK ? Z_BUF_ERROR : rc;
    return rc == Z_OK && z->avail_in == 0 ? Z_OK : rc == Z_OK ? Z_BUF_ERROR : rc;
}

/* Deflates one band, a thread's work: its rows go through a small buffer
 * to zlib, the last 32 KiB of rows before it first, as the dictionary.
 * Sets b->error on failure; everything but b->out is given back either
 * way. */
static void *band_deflate(void *arg)
{
    png_band *b = arg;
    const canvas_png_memory *mem = b->mem;
    size_t row_len = 1 + 3 * (size_t)b->width;
    int stage_rows = PNG_STAGE / row_len > 0 ? (int)(PNG_STAGE / row_len) : 1;
    if (stage_rows > b->rows)
        stage_rows = b->rows;
    int dict_rows = (int)((PNG_WINDOW + row_len - 1) / row_len);
    if (dict_rows > b->first)
        dict_rows = b->first;
    int buffer_rows = stage_rows > dict_rows ? stage_rows : dict_rows;
    unsigned char *stage = mem->alloc(mem->opaque, (size_t)buffer_rows * row_len);
    z_stream z = {.zalloc = zlib_alloc, .zfree = zlib_free, .opaque = (voidpf)mem};
    bool started = false;
    int rc = Z_MEM_ERROR;
    b->adler = adler32(0, Z_NULL, 0);
    if (!stage)
        goto out;
    rc = deflateInit2(&z, PNG_LEVEL, Z_DEFLATED, -15, PNG_MEM_LEVEL, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK)
        goto out;
    started = true;
    rc = deflateTune(&z, PNG_GOOD_LENGTH, PNG_MAX_LAZY, PNG_NICE_LENGTH, PNG_MAX_CHAIN);
    if (rc != Z_OK)
        goto out;
    if (dict_rows > 0) {
        size_t have = (size_t)dict_rows * row_len;
        size_t use = have < PNG_WINDOW ? have : PNG_WINDOW;
        png_rows(b, b->first - dict_rows, dict_rows, stage);
        rc = deflateSetDictionary(&z, stage + have - use, (uInt)use);
        if (rc != Z_OK)
            goto out;
    }
    /* Charts deflate to a few % of their rows; band_grow() makes more room. */
    b->out_cap = row_len * (size_t)b->rows / 16 + 1024;
    b->out = mem->alloc(mem->opaque, b->out_cap);
    if (!b->out) {
        rc = Z_MEM_ERROR;
        goto out;
    }
    z.next_out = b->out;
    z.avail_out = (uInt)b->out_cap;
    for (int y = 0; y < b->rows; y += stage_rows) {
        int count = b->rows - y < stage_rows ? b->rows - y : stage_rows;
        size_t len = (size_t)count * row_len;
        png_rows(b, b->first + y, count, stage);
        b->adler = adler32(b->adler, stage, (uInt)len);
        b->raw_len += len;
        z.next_in = stage;
        z.avail_in = (uInt)len;
        bool end = y + count == b->rows;
        rc = band_deflate_input(b, &z, !end ? Z_NO_FLUSH : b->last ? Z_FINISH : Z_SYNC_FLUSH);
        if (rc != Z_OK)
            goto out;
    }
out:
    /* deflateEnd() says Z_DATA_ERROR of a stream left open, as every band
     * but the last is; only a broken state is a failure. */
    if (started && deflateEnd(&z) == Z_STREAM_ERROR && rc == Z_OK)
        rc = Z_STREAM_ERROR;
    if (rc != Z_OK)
        b->error = zlib_reason(rc);
    if (stage)
        mem->free(mem->opaque, stage);
    return NULL;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG chunk of len bytes at data (NULL when len is 0), written at *at. */
static void put_chunk(unsigned char **at, const char type[4], const unsigned char *data,
                      size_t len)
{
    unsigned char *p = *at;
    put_be32(p, (uint32_t)len);
    memcpy(p + 4, type, 4);
    if (len)
        memcpy(p + 8, data, len);
    put_be32(p + 8 + len, (uint32_t)crc32(crc32(0, Z_NULL, 0), p + 4, (uInt)(len + 4)));
    *at = p + 12 + len;
}

/* The zlib stream as the pieces it is made of: the header, the bands'
 * deflate data, the Adler-32. */
typedef struct zlib_pieces {
    const unsigned char *data[PNG_BANDS + 2];
    size_t len[PNG_BANDS + 2];
    int count;     /* pieces in data and len */
    int piece;     /* where copying has come to: the piece, */
    size_t offset; /* and the byte in it */
} zlib_pieces;

/* Copies the next len bytes of the stream to to. */
static void pieces_copy(zlib_pieces *z, unsigned char *to, size_t len)
{
    while (len > 0) {
        size_t n = z->len[z->piece] - z->offset;
        if (n > len)
            n = len;
        memcpy(to, z->data[z->piece] + z->offset, n);
        to += n;
        len -= n;
        z->offset += n;
        if (z->offset == z->len[z->piece]) {
            z->piece++;
            z->offset = 0;
        }
    }
}

/* How many bands an image of height rows of row_len bytes is cut into:
 * PNG_BANDS, or fewer so that each has PNG_BAND_MIN bytes and a row. The
 * image's size decides, so the bytes are the same on every machine. */
static int band_count(size_t row_len, int height)
{
    size_t n = row_len * (size_t)height / PNG_BAND_MIN;
    if (n > PNG_BANDS)
        n = PNG_BANDS;
    if (n > (size_t)height)
        n = (size_t)height;
    return n > 0 ? (int)n : 1;
}

bool canvas_png_encode(cairo_surface_t *image, int dpi, const canvas_png_memory *mem,
                       unsigned char **png, size_t *len, const char **reason)
{
    if (!mem)
        mem = &system_memory;
    *png = NULL;
    *len = 0;
    *reason = NULL;
    cairo_surface_flush(image);
    int width = cairo_image_surface_get_width(image),
        height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *pixels = cairo_image_surface_get_data(image);
    int bands = band_count(1 + 3 * (size_t)width, height);
    png_band band[PNG_BANDS];
    pthread_t thread[PNG_BANDS];
    bool threaded[PNG_BANDS] = {false};
    for (int i = 0, y = 0; i < bands; i++) {
        int rows = height / bands + (i < height % bands);
        band[i] = (png_band){.pixels = pixels, .stride = stride, .width = width, .first = y,
                             .rows = rows, .last = i == bands - 1, .mem = mem};
        y += rows;
    }
    /* The first band on this thread, the others beside it; a band whose
     * thread cannot start is done here afterwards. */
    for (int i = 1; i < bands; i++)
        threaded[i] = pthread_create(&thread[i], NULL, band_deflate, &band[i]) == 0;
    band_deflate(&band[0]);
    for (int i = 1; i < bands; i++) {
        if (threaded[i])
            pthread_join(thread[i], NULL);
        else
            band_deflate(&band[i]);
    }

    /* One zlib stream: header (fastest level), the bands, Adler-32. */
    static const unsigned char zhead[2] = {0x78, 0x01};
    unsigned char ztail[4];
    zlib_pieces z = {.count = 0};
    z.data[z.count] = zhead;
    z.len[z.count++] = sizeof zhead;
    uLong adler = band[0].adler;
    size_t zlen = sizeof zhead + sizeof ztail;
    for (int i = 0; i < bands; i++) {
        if (band[i].error && !*reason)
            *reason = band[i].error;
        z.data[z.count] = band[i].out;
        z.len[z.count++] = band[i].out_len;
        zlen += band[i].out_len;
        if (i > 0)
            adler = adler32_combine(adler, band[i].adler, (z_off_t)band[i].raw_len);
    }
    put_be32(ztail, (uint32_t)adler);
    z.data[z.count] = ztail;
    z.len[z.count++] = sizeof ztail;

    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    size_t idat_count = (zlen + PNG_CHUNK - 1) / PNG_CHUNK;
    size_t size = sizeof signature + (12 + 13) + (12 + 9) + zlen + 12 * idat_count + 12;
    unsigned char *file = *reason ? NULL : mem->alloc(mem->opaque, size);
    if (file) {
        unsigned char ihdr[13], phys[9];
        put_be32(ihdr, (uint32_t)width);
        put_be32(ihdr + 4, (uint32_t)height);
        ihdr[8] = 8;  /* bits per channel */
        ihdr[9] = 2;  /* truecolour: R, G, B */
        ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filter set, no interlace */
        uint32_t per_metre = (uint32_t)lround(dpi / 0.0254);
        put_be32(phys, per_metre);
        put_be32(phys + 4, per_metre);
        phys[8] = 1; /* the unit is the metre */
        unsigned char *at = file;
        memcpy(at, signature, sizeof signature);
        at += sizeof signature;
        put_chunk(&at, "IHDR", ihdr, sizeof ihdr);
        put_chunk(&at, "pHYs", phys, sizeof phys);
        for (size_t done = 0; done < zlen; done += PNG_CHUNK) {
            size_t n = zlen - done < PNG_CHUNK ? zlen - done : PNG_CHUNK;
            put_be32(at, (uint32_t)n);
            memcpy(at + 4, "IDAT", 4);
            pieces_copy(&z, at + 8, n);
            put_be32(at + 8 + n, (uint32_t)crc32(crc32(0, Z_NULL, 0), at + 4, (uInt)(n + 4)));
            at += 12 + n;
        }
        put_chunk(&at, "IEND", NULL, 0);
        *png = file;
        *len = (size_t)(at - file);
    } else if (!*reason) {
        *reason = "out of memory";
    }
    for (int i = 0; i < bands; i++)
        if (band[i].out)
            mem->free(mem->opaque, band[i].out);
    return file != NULL;
}

int canvas_png_write(cairo_surface_t *image, int dpi, const canvas_png_memory *mem,
                     const char *path, const char *what, diag_list *diags)
{
    if (!mem)
        mem = &system_memory;
    unsigned char *png;
    size_t len;
    const char *reason;
    if (!canvas_png_encode(image, dpi, mem, &png, &len, &reason)) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: %s", what, reason);
        return STATUS_FAILURE;
    }
    int status = canvas_write_file(path, png, len, what, diags);
    mem->free(mem->opaque, png);
    return status;
}
