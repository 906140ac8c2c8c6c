#include "canvas.h"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "status.h"
#include "text.h"
#include "xalloc.h"

/* The bytes cairo writes, gathered in memory so that the file is written
 * only once the whole drawing exists. */
typedef struct sink {
    unsigned char *data;
    size_t len, cap;
} sink;

struct canvas {
    canvas_format format;
    int dpi;                  /* PNG resolution */
    cairo_surface_t *surface;
    cairo_t *cr;
    sink bytes;               /* what cairo wrote (PDF, SVG) or the PNG stream */
    bool finished;            /* canvas_write() ran */
};

static void sink_append(sink *s, const void *data, size_t len)
{
    if (s->len + len > s->cap) {
        s->cap = s->len + len > 2 * s->cap ? s->len + len : 2 * s->cap;
        s->data = xrealloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
}

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

canvas *canvas_new(canvas_format format, double width, double height, int dpi, const char *title)
{
    canvas *c = xcalloc(1, sizeof *c);
    c->format = format;
    c->dpi = dpi > 0 ? dpi : CANVAS_DEFAULT_DPI;
    if (format == CANVAS_PDF) {
        c->surface = cairo_pdf_surface_create_for_stream(sink_write, &c->bytes, width, height);
        char *clean = canvas_clean_text(title);
        if (*clean)
            cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_TITLE, clean);
        /* No creation date: it would make every rendering differ. */
        cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATE_DATE, NULL);
        free(clean);
    } else if (format == CANVAS_SVG) {
        c->surface = cairo_svg_surface_create_for_stream(sink_write, &c->bytes, width, height);
    } else {
        double scale = c->dpi / (double)CANVAS_DEFAULT_DPI;
        int w = (int)lround(width * scale), h = (int)lround(height * scale);
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w > 0 ? w : 1, h > 0 ? h : 1);
    }
    c->cr = cairo_create(c->surface);
    if (format == CANVAS_PNG)
        cairo_scale(c->cr, c->dpi / (double)CANVAS_DEFAULT_DPI,
                    c->dpi / (double)CANVAS_DEFAULT_DPI);
    /* Unhinted metrics: text measures the same on every surface and at
     * every resolution, so PNG, PDF and SVG get the same layout. */
    cairo_font_options_t *fonts = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fonts, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(c->cr, fonts);
    cairo_font_options_destroy(fonts);
    return c;
}

cairo_t *canvas_cairo(canvas *c)
{
    return c->cr;
}

cairo_surface_t *canvas_pdf_surface(canvas *c)
{
    return c->format == CANVAS_PDF ? c->surface : NULL;
}

/* cairo names the SVG groups it writes after a counter of every surface the
 * process has made ("surface15"), so the same drawing made twice would give
 * different bytes. Renumbers them in order of first appearance. */
static void svg_renumber_surfaces(sink *s)
{
    static const char word[] = "surface";
    const size_t wlen = sizeof word - 1;
    sink out = {0};
    unsigned long *seen = NULL;
    size_t nseen = 0, i = 0;
    while (i < s->len) {
        size_t at = i;
        while (at + wlen <= s->len && memcmp(s->data + at, word, wlen) != 0)
            at++;
        if (at + wlen > s->len) {
            sink_append(&out, s->data + i, s->len - i);
            break;
        }
        sink_append(&out, s->data + i, at - i);
        size_t end = at + wlen;
        unsigned long id = 0;
        while (end < s->len && s->data[end] >= '0' && s->data[end] <= '9')
            id = id * 10 + (unsigned long)(s->data[end++] - '0');
        if (end == at + wlen) {
            sink_append(&out, word, wlen);
        } else {
            size_t k = 0;
            while (k < nseen && seen[k] != id)
                k++;
            if (k == nseen) {
                seen = xreallocarray(seen, nseen + 1, sizeof *seen);
                seen[nseen++] = id;
            }
            char name[32];
            int len = snprintf(name, sizeof name, "surface%zu", k + 1);
            sink_append(&out, name, (size_t)len);
        }
        i = end;
    }
    free(seen);
    free(s->data);
    *s = out;
}

/* ---- PNG ----
 *
 * cairo's own PNG writer (libpng with adaptive filtering and zlib level 6)
 * took four fifths of the time of drawing a chart, and zlib at its fastest
 * level still took a third. A chart is large flat areas and straight edges:
 * almost every byte repeats the pixel to its left or the one above it. So
 * the rows go unfiltered into deflate blocks with the fixed Huffman code,
 * matched greedily against just those two places (distance 3 and one row
 * back), which any inflater reads and which costs a compare or two per
 * byte. The image is cut into PNG_STRIPS bands of rows deflated side by side
 * on threads and joined into one zlib stream; the number of bands is fixed,
 * so the bytes are the same on every machine whatever its number of cores. */

#define PNG_STRIPS 4
#define PNG_CHUNK (256 * 1024) /* largest IDAT chunk written */

/* One band of rows and what deflate made of it. */
typedef struct png_strip {
    const unsigned char *pixels; /* cairo's RGB24 rows of the band */
    int stride, width, rows;
    bool last;                   /* ends the zlib stream */
    sink out;                    /* raw deflate data, ending on a byte boundary */
    size_t raw_len;              /* bytes of PNG rows: a filter byte (0), then R, G, B */
    uLong adler;                 /* Adler-32 of those rows */
    bool ok;
} png_strip;

/* Deflate's bit stream: least significant bit first, appended to out. */
typedef struct bit_writer {
    sink *out;
    uint64_t bits;
    int count;
} bit_writer;

static void bits_put(bit_writer *w, uint32_t value, int count)
{
    w->bits |= (uint64_t)value << w->count;
    w->count += count;
    if (w->count >= 32) {
        unsigned char b[4] = {(unsigned char)w->bits, (unsigned char)(w->bits >> 8),
                              (unsigned char)(w->bits >> 16), (unsigned char)(w->bits >> 24)};
        sink_append(w->out, b, 4);
        w->bits >>= 32;
        w->count -= 32;
    }
}

/* Pads with zero bits to a byte boundary and writes out what is held. */
static void bits_flush(bit_writer *w)
{
    while (w->count > 0) {
        unsigned char b = (unsigned char)w->bits;
        sink_append(w->out, &b, 1);
        w->bits >>= 8;
        w->count = w->count > 8 ? w->count - 8 : 0;
    }
    w->bits = 0;
}

/* A code with its extra bits, ready for bits_put: Huffman codes are sent
 * most significant bit first, so they are stored reversed. */
typedef struct deflate_code {
    uint32_t bits;
    int count;
} deflate_code;

static uint32_t reverse_bits(uint32_t v, int count)
{
    uint32_t r = 0;
    for (int i = 0; i < count; i++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

/* The fixed code (RFC 1951, 3.2.6) of literal/length symbol 0..287. */
static deflate_code fixed_literal(int sym)
{
    if (sym < 144)
        return (deflate_code){reverse_bits(0x30 + (uint32_t)sym, 8), 8};
    if (sym < 256)
        return (deflate_code){reverse_bits(0x190 + (uint32_t)sym - 144, 9), 9};
    if (sym < 280)
        return (deflate_code){reverse_bits((uint32_t)sym - 256, 7), 7};
    return (deflate_code){reverse_bits(0xC0 + (uint32_t)sym - 280, 8), 8};
}

/* Lengths 3..258 are symbols 257..285, distances 1..32768 symbols 0..29,
 * each a base plus extra bits (RFC 1951, 3.2.5). */
static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,
                                         15, 17, 19, 23, 27, 31, 35, 43,  51,  59,
                                         67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t distance_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,    65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

#define MATCH_MIN 3
#define MATCH_MAX 258
#define DISTANCE_MAX 32768

static struct {
    deflate_code literal[256];
    deflate_code end_of_block;
    deflate_code length[MATCH_MAX + 1]; /* symbol and extra bits of a match length */
    deflate_code left;                  /* distance 3: the pixel to the left */
} deflate_table;
static pthread_once_t deflate_table_once = PTHREAD_ONCE_INIT;

/* The fixed code of distance d, with its extra bits. */
static deflate_code distance_code(uint32_t d)
{
    int s = 29;
    while (distance_base[s] > d)
        s--;
    deflate_code c = {reverse_bits((uint32_t)s, 5), 5};
    c.bits |= (d - distance_base[s]) << c.count;
    c.count += distance_extra[s];
    return c;
}

static void deflate_table_build(void)
{
    for (int i = 0; i < 256; i++)
        deflate_table.literal[i] = fixed_literal(i);
    deflate_table.end_of_block = fixed_literal(256);
    for (int len = MATCH_MIN; len <= MATCH_MAX; len++) {
        int s = 28;
        while (length_base[s] > len)
            s--;
        deflate_code c = fixed_literal(257 + s);
        c.bits |= (uint32_t)(len - length_base[s]) << c.count;
        c.count += length_extra[s];
        deflate_table.length[len] = c;
    }
    deflate_table.left = distance_code(3);
}

/* How many of a[0..limit) equal b[0..limit), eight bytes at a time. */
static size_t match_length(const unsigned char *a, const unsigned char *b, size_t limit)
{
    size_t n = 0;
    while (n + 8 <= limit) {
        uint64_t x, y;
        memcpy(&x, a + n, 8);
        memcpy(&y, b + n, 8);
        if (x != y)
            break;
        n += 8;
    }
    while (n < limit && a[n] == b[n])
        n++;
    return n;
}

static void put_code(bit_writer *w, deflate_code c)
{
    bits_put(w, c.bits, c.count);
}

/* Deflates one row of row_len bytes; above is the row before it in the
 * stream (NULL: none, or too far back for a distance). Each byte is a
 * literal or starts the longer of two matches: with the bytes three back in
 * the row (the pixel to the left) and with the row above, whose distance
 * costs more bits and so must be longer to be taken. A match is compared
 * byte by byte against what it copies, overlap included, which is what the
 * inflater reproduces. */
static void deflate_row(bit_writer *w, const unsigned char *row, const unsigned char *above,
                        size_t row_len, deflate_code up)
{
    for (size_t i = 0; i < row_len;) {
        size_t room = row_len - i < MATCH_MAX ? row_len - i : MATCH_MAX;
        size_t left = i >= 3 ? match_length(row + i, row + i - 3, room) : 0;
        size_t over = above && left < room ? match_length(row + i, above + i, room) : 0;
        if (left >= MATCH_MIN && left >= over) {
            put_code(w, deflate_table.length[left]);
            put_code(w, deflate_table.left);
            i += left;
        } else if (over > MATCH_MIN) {
            put_code(w, deflate_table.length[over]);
            put_code(w, up);
            i += over;
        } else {
            put_code(w, deflate_table.literal[row[i]]);
            i++;
        }
    }
}

/* Deflates a band into one fixed-code block, row by row through two
 * buffers that stay in the cache. A band that is not the last ends as
 * zlib's sync flush does: an empty stored block that leaves the stream
 * open, on a byte boundary. */
static void *deflate_strip(void *arg)
{
    png_strip *s = arg;
    pthread_once(&deflate_table_once, deflate_table_build);
    size_t row_len = 1 + 3 * (size_t)s->width;
    unsigned char *buf[2] = {xmalloc(row_len), xmalloc(row_len)};
    s->out.cap = row_len * (size_t)s->rows / 16 + 1024;
    s->out.data = xmalloc(s->out.cap);
    s->adler = adler32(0, Z_NULL, 0);
    bit_writer w = {&s->out, 0, 0};
    bits_put(&w, s->last ? 1 : 0, 1); /* BFINAL */
    bits_put(&w, 1, 2);               /* BTYPE 01: the fixed codes */
    deflate_code up = distance_code(row_len <= DISTANCE_MAX ? (uint32_t)row_len : 1);
    for (int y = 0; y < s->rows; y++) {
        unsigned char *row = buf[y & 1];
        const uint32_t *px =
            (const uint32_t *)(const void *)(s->pixels + (size_t)y * (size_t)s->stride);
        row[0] = 0;
        for (int x = 0; x < s->width; x++) {
            row[1 + 3 * x] = (unsigned char)(px[x] >> 16);
            row[2 + 3 * x] = (unsigned char)(px[x] >> 8);
            row[3 + 3 * x] = (unsigned char)px[x];
        }
        s->adler = adler32(s->adler, row, (uInt)row_len);
        s->raw_len += row_len;
        const unsigned char *above = y > 0 && row_len <= DISTANCE_MAX ? buf[(y + 1) & 1] : NULL;
        deflate_row(&w, row, above, row_len, up);
    }
    put_code(&w, deflate_table.end_of_block);
    if (!s->last) {
        bits_put(&w, 0, 3); /* BFINAL 0, BTYPE 00: stored */
        bits_flush(&w);
        static const unsigned char empty[4] = {0x00, 0x00, 0xFF, 0xFF}; /* LEN 0 and ~LEN */
        sink_append(&s->out, empty, sizeof empty);
    }
    bits_flush(&w);
    s->ok = true;
    free(buf[0]);
    free(buf[1]);
    return NULL;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void png_chunk(sink *out, const char type[4], const unsigned char *data, size_t len)
{
    unsigned char head[8], tail[4];
    put_be32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(crc32(0, Z_NULL, 0), head + 4, 4);
    if (len)
        crc = crc32(crc, data, (uInt)len);
    put_be32(tail, (uint32_t)crc);
    sink_append(out, head, 8);
    if (len)
        sink_append(out, data, len);
    sink_append(out, tail, 4);
}

/* The image surface as an RGB PNG with its resolution (pHYs: cairo writes
 * none, and word processors then guess one). Returns false when zlib fails. */
static bool png_encode(cairo_surface_t *image, int dpi, sink *out)
{
    cairo_surface_flush(image);
    int width = cairo_image_surface_get_width(image),
        height = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *pixels = cairo_image_surface_get_data(image);
    int strips = height < PNG_STRIPS ? 1 : PNG_STRIPS;
    png_strip band[PNG_STRIPS];
    pthread_t thread[PNG_STRIPS];
    bool threaded[PNG_STRIPS] = {false};
    for (int i = 0, y = 0; i < strips; i++) {
        int rows = height / strips + (i < height % strips);
        band[i] = (png_strip){pixels + (size_t)y * (size_t)stride, stride, width, rows,
                              i == strips - 1, {0}, 0, 0, false};
        y += rows;
    }
    /* The first band on this thread, the others beside it; a band whose
     * thread cannot start is done here afterwards. */
    for (int i = 1; i < strips; i++)
        threaded[i] = pthread_create(&thread[i], NULL, deflate_strip, &band[i]) == 0;
    deflate_strip(&band[0]);
    for (int i = 1; i < strips; i++) {
        if (threaded[i])
            pthread_join(thread[i], NULL);
        else
            deflate_strip(&band[i]);
    }
    bool ok = true;
    for (int i = 0; i < strips; i++)
        ok = ok && band[i].ok;
    if (ok) {
        static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
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
        sink_append(out, signature, sizeof signature);
        png_chunk(out, "IHDR", ihdr, sizeof ihdr);
        png_chunk(out, "pHYs", phys, sizeof phys);
        /* One zlib stream: header (fastest level), the bands, Adler-32. */
        sink z = {0};
        const unsigned char zhead[2] = {0x78, 0x01};
        sink_append(&z, zhead, 2);
        uLong adler = band[0].adler;
        for (int i = 0; i < strips; i++) {
            sink_append(&z, band[i].out.data, band[i].out.len);
            if (i > 0)
                adler = adler32_combine(adler, band[i].adler, (z_off_t)band[i].raw_len);
        }
        unsigned char ztail[4];
        put_be32(ztail, (uint32_t)adler);
        sink_append(&z, ztail, 4);
        for (size_t at = 0; at < z.len; at += PNG_CHUNK)
            png_chunk(out, "IDAT", z.data + at, z.len - at < PNG_CHUNK ? z.len - at : PNG_CHUNK);
        png_chunk(out, "IEND", NULL, 0);
        free(z.data);
    }
    for (int i = 0; i < strips; i++)
        free(band[i].out.data);
    return ok;
}

int canvas_write(canvas *c, const char *path, const char *what, diag_list *diags)
{
    if (c->finished) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: drawing already written", what);
        return STATUS_FAILURE;
    }
    c->finished = true;
    cairo_status_t status = cairo_status(c->cr);
    cairo_destroy(c->cr);
    c->cr = NULL;
    if (status == CAIRO_STATUS_SUCCESS && c->format == CANVAS_PNG &&
        !png_encode(c->surface, c->dpi, &c->bytes))
        status = CAIRO_STATUS_NO_MEMORY;
    cairo_surface_finish(c->surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(c->surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: %s", what,
                 cairo_status_to_string(status));
        return STATUS_FAILURE;
    }
    if (c->format == CANVAS_SVG)
        svg_renumber_surfaces(&c->bytes);
    return canvas_write_file(path, c->bytes.data, c->bytes.len, what, diags);
}

void canvas_free(canvas *c)
{
    if (!c)
        return;
    if (c->cr)
        cairo_destroy(c->cr);
    cairo_surface_destroy(c->surface);
    free(c->bytes.data);
    free(c);
}

int canvas_write_file(const char *path, const void *data, size_t len, const char *what,
                      diag_list *diags)
{
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    FILE *f = NULL;
    int err = 0;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        err = errno;
        goto out;
    }
    /* mkstemp makes the file private (0600); a chart is made to be shared.
     * A fixed mode, because reading the umask means changing it. */
    if (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "wb"))) {
        err = errno;
        close(fd);
        unlink(tmp);
        goto out;
    }
    /* No fsync(): the rename already makes the file whole or absent for
     * every reader, a chart can be drawn again from the store, and syncing
     * each of a report's files cost more than drawing them. */
    errno = 0;
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0)
        err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        unlink(tmp);
out:
    if (err)
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: %s", what, strerror(err));
    free(tmp);
    return err ? STATUS_FAILURE : STATUS_OK;
}

/* ---- text ---- */

/* The font's files, opened with FreeType directly: asking fontconfig for
 * "DejaVu Sans" reads its whole configuration and font cache first, which
 * took longer than drawing a chart. A machine whose fonts live elsewhere
 * gets the family by name through cairo, which asks fontconfig. */
#define CANVAS_FONT_DIR "/usr/share/fonts/truetype/dejavu/"
static const char *const font_file[3] = {
    [CANVAS_REGULAR] = CANVAS_FONT_DIR "DejaVuSans.ttf",
    [CANVAS_BOLD] = CANVAS_FONT_DIR "DejaVuSans-Bold.ttf",
    [CANVAS_ITALIC] = CANVAS_FONT_DIR "DejaVuSans-Oblique.ttf",
};
static pthread_once_t font_once = PTHREAD_ONCE_INIT;
static FT_Library font_library;
static cairo_font_face_t *font_face[3]; /* NULL: by name */
static const cairo_user_data_key_t font_face_key;

static void font_face_done(void *face)
{
    FT_Done_Face(face);
}

static void fonts_open(void)
{
    if (FT_Init_FreeType(&font_library) != 0)
        return;
    for (int i = 0; i < 3; i++) {
        FT_Face face;
        if (FT_New_Face(font_library, font_file[i], 0, &face) != 0)
            continue;
        cairo_font_face_t *f = cairo_ft_font_face_create_for_ft_face(face, 0);
        if (cairo_font_face_status(f) != CAIRO_STATUS_SUCCESS ||
            cairo_font_face_set_user_data(f, &font_face_key, face, font_face_done) !=
                CAIRO_STATUS_SUCCESS) {
            cairo_font_face_destroy(f);
            FT_Done_Face(face);
            continue;
        }
        font_face[i] = f;
    }
}

void canvas_font(cairo_t *cr, double size, canvas_style style)
{
    pthread_once(&font_once, fonts_open);
    int i = style == CANVAS_BOLD ? CANVAS_BOLD : style == CANVAS_ITALIC ? CANVAS_ITALIC : CANVAS_REGULAR;
    if (font_face[i])
        cairo_set_font_face(cr, font_face[i]);
    else
        cairo_select_font_face(cr, CANVAS_FONT,
                               style == CANVAS_ITALIC ? CAIRO_FONT_SLANT_ITALIC
                                                      : CAIRO_FONT_SLANT_NORMAL,
                               style == CANVAS_BOLD ? CAIRO_FONT_WEIGHT_BOLD
                                                    : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

void canvas_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

char *canvas_clean_text(const char *s)
{
    if (!s)
        return xstrdup("");
    size_t len = strlen(s), n = 0;
    char *out = xmalloc(len + 1);
    for (size_t i = 0; i < len;) {
        size_t seq = text_utf8_sequence(s + i, len - i);
        if (seq == 0) {
            out[n++] = '?';
            i++;
        } else if (seq == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)) {
            out[n++] = ' ';
            i++;
        } else {
            memcpy(out + n, s + i, seq);
            n += seq;
            i += seq;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    size_t lead = strspn(out, " ");
    memmove(out, out + lead, n - lead + 1);
    return out;
}

double canvas_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

/* Width of s[0..len) followed by suffix, in the selected font. */
static double prefix_width(cairo_t *cr, const char *s, size_t len, const char *suffix)
{
    char *t = xasprintf("%.*s%s", (int)len, s, suffix);
    double w = canvas_text_width(cr, t);
    free(t);
    return w;
}

size_t canvas_fit_prefix(cairo_t *cr, const char *s, bool at_spaces, const char *suffix,
                         double max_width)
{
    size_t len = strlen(s);
    if (prefix_width(cr, s, len, suffix) <= max_width)
        return len;
    /* The places s may be cut, in order; widths grow with them. */
    size_t count = 0;
    size_t *cuts = xcalloc(len + 1, sizeof *cuts);
    for (size_t i = 1; i < len; i++) {
        bool boundary = ((unsigned char)s[i] & 0xC0) != 0x80;
        if (at_spaces ? s[i] == ' ' : boundary)
            cuts[count++] = i;
    }
    size_t lo = 0, hi = count, found = SIZE_MAX;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (prefix_width(cr, s, cuts[mid], suffix) <= max_width) {
            found = cuts[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    free(cuts);
    if (found != SIZE_MAX)
        while (found > 0 && s[found - 1] == ' ')
            found--;
    return found;
}

char *canvas_ellipsize(cairo_t *cr, const char *s, double max_width)
{
    size_t len = strlen(s);
    if (prefix_width(cr, s, len, "") <= max_width)
        return xstrdup(s);
    if (prefix_width(cr, "", 0, CANVAS_ELLIPSIS) > max_width)
        return xstrdup("");
    size_t keep = canvas_fit_prefix(cr, s, false, CANVAS_ELLIPSIS, max_width);
    if (keep == SIZE_MAX)
        keep = 0;
    return xasprintf("%.*s" CANVAS_ELLIPSIS, (int)keep, s);
}

size_t canvas_wrap(cairo_t *cr, const char *s, double max_width, size_t max_lines, char ***lines)
{
    char **out = NULL;
    size_t n = 0;
    const char *rest = s + strspn(s, " ");
    do {
        out = xreallocarray(out, n + 1, sizeof *out);
        if (max_lines && n + 1 == max_lines) {
            out[n++] = canvas_ellipsize(cr, rest, max_width);
            break;
        }
        size_t keep = canvas_fit_prefix(cr, rest, true, "", max_width);
        size_t next;
        if (keep == strlen(rest)) {
            next = keep;
        } else if (keep != SIZE_MAX && keep > 0) {
            next = keep;
        } else {
            /* No space to break at: cut the word at a character. */
            keep = canvas_fit_prefix(cr, rest, false, "", max_width);
            if (keep == SIZE_MAX || keep == 0) {
                keep = text_utf8_sequence(rest, strlen(rest));
                if (keep == 0)
                    keep = 1;
            }
            next = keep;
        }
        out[n++] = xstrndup(rest, keep);
        rest += next;
        rest += strspn(rest, " ");
    } while (*rest);
    *lines = out;
    return n;
}

void canvas_lines_free(char **lines, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(lines[i]);
    free(lines);
}

char *canvas_group_digits(long long n)
{
    char digits[32], grouped[48];
    int len = snprintf(digits, sizeof digits, "%lld", n);
    size_t g = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    return xstrdup(grouped);
}
