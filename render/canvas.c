#include "canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
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
    } else if (format == CANVAS_MEASURE) {
        /* One pixel: whatever is drawn is clipped away at once. */
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    } else {
        double scale = c->dpi / (double)CANVAS_DEFAULT_DPI;
        int w = (int)lround(width * scale), h = (int)lround(height * scale);
        c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w > 0 ? w : 1, h > 0 ? h : 1);
    }
    c->cr = cairo_create(c->surface);
    if (format == CANVAS_PNG)
        cairo_scale(c->cr, c->dpi / (double)CANVAS_DEFAULT_DPI,
                    c->dpi / (double)CANVAS_DEFAULT_DPI);
    /* Text is laid out by Pango with unhinted metrics (text_state_of()),
     * so it measures the same on every surface and at every resolution. */
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

static void note_shortened(cairo_t *cr, const char *path, diag_list *diags);

int canvas_write(canvas *c, const char *path, const char *what, diag_list *diags)
{
    if (c->finished) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: drawing already written", what);
        return STATUS_FAILURE;
    }
    if (c->format == CANVAS_MEASURE) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write %s: a measuring pass draws nothing",
                 what);
        return STATUS_FAILURE;
    }
    c->finished = true;
    note_shortened(c->cr, path, diags);
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

/* The size the font's ascent and descent are measured at once per style;
 * unhinted metrics scale with the size, so every other size is a product. */
#define METRICS_SIZE 1000.0

/* What a cairo context that draws text carries as its user data: one
 * layout for all its texts, made once, and the font in use. Pango's
 * default font map is per thread, as a context is used by one thread. */
typedef struct text_state {
    PangoContext *context;         /* this thread's fonts, unhinted metrics, fixed language */
    PangoLayout *layout;           /* the one layout every text of the cairo context uses */
    PangoFontDescription *font[3]; /* CANVAS_FONT in each canvas_style; size set when chosen */
    int style;                     /* the current font's canvas_style */
    double size;                   /* its size in user units */
    double ascent[3], descent[3];  /* each style's at METRICS_SIZE; < 0: not measured yet */
    size_t shortened;              /* texts canvas_ellipsize() had to cut */
    char *first_shortened;         /* the first of them, whole */
} text_state;

static const cairo_user_data_key_t text_state_key;

static void text_state_free(void *data)
{
    text_state *t = data;
    g_object_unref(t->layout);
    g_object_unref(t->context);
    for (int i = 0; i < 3; i++)
        pango_font_description_free(t->font[i]);
    free(t->first_shortened);
    free(t);
}

/* No text is cut without a word: a note on the file written says how many
 * texts of cr were shortened, and which was the first. */
static void note_shortened(cairo_t *cr, const char *path, diag_list *diags)
{
    const text_state *t = cairo_get_user_data(cr, &text_state_key);
    if (!t || !t->shortened)
        return;
    char quoted[160];
    diag_add(diags, DIAG_NOTE, path, 0, 0, "%zu text%s shortened with an ellipsis to fit, the first %s",
             t->shortened, t->shortened == 1 ? "" : "s",
             diag_quote(quoted, sizeof quoted, t->first_shortened, strlen(t->first_shortened)));
}

static PangoFontDescription *font_description(canvas_style style)
{
    PangoFontDescription *d = pango_font_description_new();
    pango_font_description_set_family_static(d, CANVAS_FONT);
    pango_font_description_set_weight(d, style == CANVAS_BOLD ? PANGO_WEIGHT_BOLD
                                                               : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(d, style == CANVAS_ITALIC ? PANGO_STYLE_OBLIQUE
                                                                : PANGO_STYLE_NORMAL);
    return d;
}

/* A Pango context of the thread's font map whose layout does not depend on
 * the surface, its scale or the user's font settings: unhinted metrics and
 * outlines, grey antialiasing, unrounded glyph positions, and one language
 * whatever the environment says, so that the same text gets the same
 * fonts, positions and pixels in PNG, PDF and SVG. */
static PangoContext *new_context(void)
{
    PangoContext *ctx = pango_font_map_create_context(pango_cairo_font_map_get_default());
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(ctx, options);
    cairo_font_options_destroy(options);
    pango_context_set_round_glyph_positions(ctx, FALSE);
    pango_context_set_language(ctx, pango_language_from_string("en"));
    return ctx;
}

/* cr's text state, made on first use. */
static text_state *text_state_of(cairo_t *cr)
{
    text_state *t = cairo_get_user_data(cr, &text_state_key);
    if (t)
        return t;
    t = xcalloc(1, sizeof *t);
    t->context = new_context();
    t->layout = pango_layout_new(t->context);
    /* One line per text: wrapping is asked for by canvas_wrap() only, and a
     * word cut there gets no hyphen, as the cut lines are drawn alone. */
    pango_layout_set_single_paragraph_mode(t->layout, TRUE);
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(t->layout, attrs);
    pango_attr_list_unref(attrs);
    for (int i = 0; i < 3; i++) {
        t->font[i] = font_description((canvas_style)i);
        t->ascent[i] = t->descent[i] = -1;
    }
    t->style = -1;
    if (cairo_set_user_data(cr, &text_state_key, t, text_state_free) != CAIRO_STATUS_SUCCESS) {
        /* Only out of memory; p3 gives up then, as xmalloc does. */
        text_state_free(t);
        xmalloc(SIZE_MAX);
    }
    canvas_font(cr, 10, CANVAS_REGULAR);
    return t;
}

/* ---- texts laid out once per thread ---------------------------------- */

/* Charts and reports draw the same texts again and again (axis labels,
 * bucket edges, level names, table heads, and every text of a report twice,
 * once to measure it and once to draw it), and shaping a text costs more
 * than drawing it. A thread keeps the single-line layouts it made, keyed by
 * font and text, and shares them between all its drawings: every context is
 * made alike (new_context()), so a layout is the same whichever drawing it
 * came from. The cache is emptied when it holds LAYOUT_CACHE_MAX layouts,
 * and freed when its thread ends. */
#define LAYOUT_CACHE_MAX 8192

typedef struct layout_cache {
    PangoContext *context;
    PangoFontDescription *font[3];
    GHashTable *layouts; /* "style size text" -> PangoLayout */
} layout_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void layout_cache_free(void *data)
{
    layout_cache *c = data;
    g_hash_table_destroy(c->layouts);
    for (int i = 0; i < 3; i++)
        pango_font_description_free(c->font[i]);
    g_object_unref(c->context);
    free(c);
}

static void layout_cache_key(void)
{
    if (pthread_key_create(&cache_key, layout_cache_free) != 0)
        xmalloc(SIZE_MAX); /* only out of resources: give up as xmalloc does */
}

static layout_cache *thread_layouts(void)
{
    pthread_once(&cache_once, layout_cache_key);
    layout_cache *c = pthread_getspecific(cache_key);
    if (c)
        return c;
    c = xcalloc(1, sizeof *c);
    c->context = new_context();
    for (int i = 0; i < 3; i++)
        c->font[i] = font_description((canvas_style)i);
    c->layouts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
    if (pthread_setspecific(cache_key, c) != 0) {
        layout_cache_free(c);
        xmalloc(SIZE_MAX);
    }
    return c;
}

/* s laid out on one line in t's font, as t->layout would lay it out. */
static PangoLayout *single_line(const text_state *t, const char *s)
{
    layout_cache *c = thread_layouts();
    char *key = g_strdup_printf("%d %.17g %s", t->style, t->size, s);
    PangoLayout *l = g_hash_table_lookup(c->layouts, key);
    if (l) {
        g_free(key);
        return l;
    }
    if (g_hash_table_size(c->layouts) >= LAYOUT_CACHE_MAX)
        g_hash_table_remove_all(c->layouts);
    l = pango_layout_new(c->context);
    pango_layout_set_single_paragraph_mode(l, TRUE);
    pango_layout_set_attributes(l, pango_layout_get_attributes(t->layout));
    pango_font_description_set_absolute_size(c->font[t->style], t->size * PANGO_SCALE);
    pango_layout_set_font_description(l, c->font[t->style]);
    pango_layout_set_text(l, s, -1);
    g_hash_table_insert(c->layouts, key, l);
    return l;
}

/* Puts s into the layout unless it holds s already: a text is usually
 * measured and then drawn, and laying it out again would cost twice. */
static void layout_text(text_state *t, const char *s)
{
    if (strcmp(pango_layout_get_text(t->layout), s) != 0)
        pango_layout_set_text(t->layout, s, -1);
}

void canvas_font(cairo_t *cr, double size, canvas_style style)
{
    text_state *t = text_state_of(cr);
    int i = style == CANVAS_BOLD ? CANVAS_BOLD : style == CANVAS_ITALIC ? CANVAS_ITALIC : CANVAS_REGULAR;
    if (t->style == i && t->size == size)
        return;
    pango_font_description_set_absolute_size(t->font[i], size * PANGO_SCALE);
    pango_layout_set_font_description(t->layout, t->font[i]);
    t->style = i;
    t->size = size;
}

void canvas_font_extents(cairo_t *cr, double *ascent, double *descent)
{
    text_state *t = text_state_of(cr);
    int i = t->style;
    if (t->ascent[i] < 0) {
        /* An empty line has the height of the primary font. */
        PangoFontDescription *d = pango_font_description_copy_static(t->font[i]);
        pango_font_description_set_absolute_size(d, METRICS_SIZE * PANGO_SCALE);
        PangoLayout *l = pango_layout_new(t->context);
        pango_layout_set_font_description(l, d);
        PangoRectangle logical;
        pango_layout_get_extents(l, NULL, &logical);
        double baseline = pango_layout_get_baseline(l) / (double)PANGO_SCALE;
        t->ascent[i] = baseline / METRICS_SIZE;
        t->descent[i] = (logical.height / (double)PANGO_SCALE - baseline) / METRICS_SIZE;
        g_object_unref(l);
        pango_font_description_free(d);
    }
    *ascent = t->ascent[i] * t->size;
    *descent = t->descent[i] * t->size;
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
        } else if (seq == 3 && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            /* U+2028 and U+2029, the line and paragraph separators. */
            out[n++] = ' ';
            i += seq;
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

void canvas_show_text(cairo_t *cr, const char *s)
{
    if (!*s)
        return;
    text_state *t = text_state_of(cr);
    PangoLayoutLine *line = pango_layout_get_line_readonly(single_line(t, s), 0);
    if (line)
        pango_cairo_show_layout_line(cr, line);
}

double canvas_text_width(cairo_t *cr, const char *s)
{
    text_state *t = text_state_of(cr);
    PangoRectangle logical;
    pango_layout_get_extents(single_line(t, s), NULL, &logical);
    return logical.width / (double)PANGO_SCALE;
}

/* Width of s[0..len) followed by suffix, in the selected font. */
static double prefix_width(cairo_t *cr, const char *s, size_t len, const char *suffix)
{
    char *t = xasprintf("%.*s%s", (int)len, s, suffix);
    double w = canvas_text_width(cr, t);
    free(t);
    return w;
}

/* The byte offsets inside s where a cut leaves whole graphemes (Pango's
 * cursor positions), in order; sets *count. Caller frees. */
static size_t *grapheme_cuts(cairo_t *cr, const char *s, size_t *count)
{
    text_state *t = text_state_of(cr);
    layout_text(t, s);
    int n_attrs;
    const PangoLogAttr *attrs = pango_layout_get_log_attrs_readonly(t->layout, &n_attrs);
    size_t len = strlen(s), n = 0;
    size_t *cuts = xcalloc(len + 1, sizeof *cuts);
    const char *p = s;
    for (int k = 0; k < n_attrs && *p; k++) {
        if (k > 0 && attrs[k].is_cursor_position)
            cuts[n++] = (size_t)(p - s);
        p = g_utf8_next_char(p);
    }
    *count = n;
    return cuts;
}

size_t canvas_fit_prefix(cairo_t *cr, const char *s, bool at_spaces, const char *suffix,
                         double max_width)
{
    size_t len = strlen(s);
    if (prefix_width(cr, s, len, suffix) <= max_width)
        return len;
    /* The places s may be cut, in order; widths grow with them. */
    size_t count = 0;
    size_t *cuts;
    if (at_spaces) {
        cuts = xcalloc(len + 1, sizeof *cuts);
        for (size_t i = 1; i < len; i++)
            if (s[i] == ' ')
                cuts[count++] = i;
    } else {
        cuts = grapheme_cuts(cr, s, &count);
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
    /* Counted, so that the file written says what was cut (canvas_write). */
    text_state *t = text_state_of(cr);
    if (t->shortened++ == 0)
        t->first_shortened = xstrdup(s);
    if (prefix_width(cr, "", 0, CANVAS_ELLIPSIS) > max_width)
        return xstrdup("");
    size_t keep = canvas_fit_prefix(cr, s, false, CANVAS_ELLIPSIS, max_width);
    if (keep == SIZE_MAX)
        keep = 0;
    return xasprintf("%.*s" CANVAS_ELLIPSIS, (int)keep, s);
}

/* A line of a wrapped text: the span [start, start + len) of it. */
typedef struct line_span {
    size_t start, len;
} line_span;

/* Where Pango breaks s into lines max_width wide (words, else characters).
 * Returns the count and sets *spans; caller frees. */
static size_t break_lines(cairo_t *cr, const char *s, double max_width, line_span **spans)
{
    text_state *t = text_state_of(cr);
    layout_text(t, s);
    double w = fmin(fmax(max_width, 0.01), 1e6) * PANGO_SCALE;
    pango_layout_set_width(t->layout, (int)floor(w));
    pango_layout_set_wrap(t->layout, PANGO_WRAP_WORD_CHAR);
    size_t n = 0;
    line_span *out = xcalloc((size_t)pango_layout_get_line_count(t->layout) + 1, sizeof *out);
    for (GSList *l = pango_layout_get_lines_readonly(t->layout); l; l = l->next) {
        const PangoLayoutLine *line = l->data;
        out[n++] = (line_span){(size_t)line->start_index, (size_t)line->length};
    }
    /* Back to one line for every other call. */
    pango_layout_set_width(t->layout, -1);
    *spans = out;
    return n;
}

size_t canvas_wrap_checked(cairo_t *cr, const char *s, double max_width, size_t max_lines,
                           char ***lines, bool *shortened)
{
    char **out = NULL;
    size_t n = 0;
    *shortened = false;
    line_span *spans;
    size_t count = break_lines(cr, s, max_width, &spans);
    for (size_t k = 0; k < count; k++) {
        const char *from = s + spans[k].start;
        size_t len = spans[k].len;
        /* Pango keeps the spaces a line breaks at; they are not drawn. */
        while (len > 0 && *from == ' ')
            from++, len--;
        while (len > 0 && from[len - 1] == ' ')
            len--;
        if (len == 0)
            continue;
        out = xreallocarray(out, n + 1, sizeof *out);
        if (max_lines && n + 1 == max_lines && k + 1 < count) {
            out[n++] = canvas_ellipsize(cr, from, max_width);
            *shortened = true;
            break;
        }
        out[n++] = xstrndup(from, len);
    }
    free(spans);
    if (n == 0) {
        out = xreallocarray(out, 1, sizeof *out);
        out[n++] = xstrdup("");
    }
    *lines = out;
    return n;
}

size_t canvas_wrap(cairo_t *cr, const char *s, double max_width, size_t max_lines, char ***lines)
{
    bool shortened;
    return canvas_wrap_checked(cr, s, max_width, max_lines, lines, &shortened);
}

void canvas_lines_free(char **lines, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(lines[i]);
    free(lines);
}

const char *canvas_pango_version(void)
{
    return pango_version_string();
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
