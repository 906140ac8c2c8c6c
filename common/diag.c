#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

struct diag_list {
    diag *items;     /* entries in order of arrival */
    size_t count;    /* entries in use */
    size_t capacity; /* entries allocated */
    size_t errors;   /* entries with DIAG_ERROR */
};

diag_list *diag_list_new(void)
{
    return xcalloc(1, sizeof(diag_list));
}

void diag_list_clear(diag_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].path);
        free(list->items[i].message);
    }
    list->count = 0;
    list->errors = 0;
}

void diag_list_free(diag_list *list)
{
    if (!list)
        return;
    diag_list_clear(list);
    free(list->items);
    free(list);
}

void diag_add(diag_list *list, diag_severity severity, const char *path,
              long line, long col, const char *fmt, ...)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? 2 * list->capacity : 16;
        list->items = xreallocarray(list->items, list->capacity, sizeof(diag));
    }
    va_list ap;
    va_start(ap, fmt);
    diag *d = &list->items[list->count++];
    d->severity = severity;
    d->path = path ? xstrdup(path) : NULL;
    d->line = line;
    d->col = col;
    d->message = xvasprintf(fmt, ap);
    va_end(ap);
    if (severity == DIAG_ERROR)
        list->errors++;
}

size_t diag_list_count(const diag_list *list)
{
    return list->count;
}

const diag *diag_list_get(const diag_list *list, size_t i)
{
    return i < list->count ? &list->items[i] : NULL;
}

size_t diag_list_errors(const diag_list *list)
{
    return list->errors;
}

char *diag_format(const diag *d)
{
    static const char *const names[] = {"error", "warning", "note"};
    const char *what = names[d->severity];
    const char *path = d->path ? d->path : "p3";
    if (d->line > 0 && d->col > 0)
        return xasprintf("%s:%ld:%ld: %s: %s", path, d->line, d->col, what, d->message);
    if (d->line > 0)
        return xasprintf("%s:%ld: %s: %s", path, d->line, what, d->message);
    return xasprintf("%s: %s: %s", path, what, d->message);
}

static void file_add(diag_file *f, diag_severity severity, long line, long col, const char *fmt,
                     va_list ap)
{
    char *message = xvasprintf(fmt, ap);
    diag_add(f->list, severity, f->path, line, col, "%s", message);
    free(message);
}

void diag_file_error(diag_file *f, long line, long col, const char *fmt, ...)
{
    size_t limit = f->limit ? f->limit : DIAG_FILE_LIMIT;
    if (f->errors++ >= limit)
        return;
    va_list ap;
    va_start(ap, fmt);
    file_add(f, DIAG_ERROR, line, col, fmt, ap);
    va_end(ap);
}

void diag_file_warning(diag_file *f, long line, long col, const char *fmt, ...)
{
    size_t limit = f->limit ? f->limit : DIAG_FILE_LIMIT;
    if (f->warnings++ >= limit)
        return;
    va_list ap;
    va_start(ap, fmt);
    file_add(f, DIAG_WARNING, line, col, fmt, ap);
    va_end(ap);
}

void diag_file_finish(diag_file *f)
{
    size_t limit = f->limit ? f->limit : DIAG_FILE_LIMIT;
    if (f->errors > limit)
        diag_add(f->list, DIAG_NOTE, f->path, 0, 0, "%zu more error%s not shown",
                 f->errors - limit, f->errors - limit == 1 ? "" : "s");
    if (f->warnings > limit)
        diag_add(f->list, DIAG_NOTE, f->path, 0, 0, "%zu more warning%s not shown",
                 f->warnings - limit, f->warnings - limit == 1 ? "" : "s");
}

char *diag_quote(char *out, size_t outsize, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    size_t room = outsize - 6; /* closing quote, "...", NUL */
    out[o++] = '\'';
    size_t i = 0;
    while (i < len) {
        size_t seq = text_utf8_sequence(s + i, len - i);
        /* C1 controls (U+0080..U+009F, "\xC2\x80".."\xC2\x9F") are
         * controls too: U+009B is CSI to some terminals. */
        bool c1 = seq == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0;
        size_t need = seq == 0 || p[i] < 0x20 || p[i] == 0x7F ? 4 : c1 ? 8 : seq;
        if (o + need > room)
            break;
        if (need == 4 && (seq == 0 || seq == 1)) {
            snprintf(out + o, 5, "\\x%02X", p[i]);
            o += 4;
            i += 1;
        } else if (c1) {
            snprintf(out + o, 9, "\\x%02X\\x%02X", p[i], p[i + 1]);
            o += 8;
            i += 2;
        } else {
            memcpy(out + o, p + i, seq);
            o += seq;
            i += seq;
        }
    }
    if (i < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}
