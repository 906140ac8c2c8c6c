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

#include "canvas_png.h"
#include "status.h"
#include "tempname.h"
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
    sink bytes;               /* what cairo wrote (PDF, SVG) */
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
    if (status == CAIRO_STATUS_SUCCESS && c->format == CANVAS_PNG)
        return canvas_png_write(c->surface, c->dpi, NULL, path, what, diags);
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
    tempname_sweep(path); /* what a killed p3 left */
    char *tmp = tempname_template(path);
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
