#include "textbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "xalloc.h"

void buf_printf(text_buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 256;
        b->p = xrealloc(b->p, b->cap);
    }
}

void buf_scaled(text_buf *b, int64_t v, int decimals)
{
    if (decimals < 0 || decimals > 18)
        decimals = decimals < 0 ? 0 : 18; /* an int64 holds 18 decimal digits */
    int64_t scale = 1;
    for (int k = 0; k < decimals; k++)
        scale *= 10;
    int64_t whole = v / scale, frac = v % scale;
    buf_printf(b, "%s%lld", v < 0 && whole == 0 ? "-" : "", (long long)whole);
    if (frac == 0)
        return;
    char digits[32];
    snprintf(digits, sizeof digits, "%0*lld", decimals, (long long)(frac < 0 ? -frac : frac));
    size_t n = strlen(digits);
    while (n > 0 && digits[n - 1] == '0')
        n--;
    buf_printf(b, ".%.*s", (int)n, digits);
}

void buf_free(text_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int textbuf_make_dirs(const char *dir, diag_list *diags)
{
    char *p = xstrdup(dir);
    int status = STATUS_OK;
    for (char *q = p + 1;; q++) {
        bool end = *q == '\0';
        if (*q == '/' || end) {
            *q = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                diag_add(diags, DIAG_ERROR, p, 0, 0, "cannot create folder: %s",
                         strerror(errno));
                status = STATUS_FAILURE;
                break;
            }
            if (end)
                break;
            *q = '/';
        }
    }
    free(p);
    return status;
}

bool textbuf_folder_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return true;
    bool empty = true;
    struct dirent *e;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    return empty;
}

static int write_whole(const char *path, const text_buf *b, diag_list *diags)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(errno));
        return STATUS_FAILURE;
    }
    bool ok = b->len == 0 || fwrite(b->p, 1, b->len, f) == b->len;
    ok = fflush(f) == 0 && ok;
    int err = errno;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot write: %s", strerror(err ? err : EIO));
        return STATUS_FAILURE;
    }
    return STATUS_OK;
}

int textbuf_write_files(const char *dir, char *const *names, const text_buf *bufs, size_t n,
                        const char *tag, diag_list *diags)
{
    char **tmp = xcalloc(n ? n : 1, sizeof *tmp), **final = xcalloc(n ? n : 1, sizeof *final);
    int status = textbuf_make_dirs(dir, diags);
    for (size_t i = 0; i < n && !status; i++) {
        final[i] = xasprintf("%s/%s", dir, names[i]);
        tmp[i] = xasprintf("%s.%s.tmp", final[i], tag);
        char *slash = strrchr(final[i], '/');
        *slash = '\0';
        status = textbuf_make_dirs(final[i], diags);
        *slash = '/';
        if (!status)
            status = write_whole(tmp[i], &bufs[i], diags);
    }
    for (size_t i = 0; i < n && !status; i++)
        if (rename(tmp[i], final[i]) != 0) {
            diag_add(diags, DIAG_ERROR, final[i], 0, 0, "cannot write: %s", strerror(errno));
            status = STATUS_FAILURE;
        }
    for (size_t i = 0; i < n; i++) {
        if (status && tmp[i])
            unlink(tmp[i]);
        free(tmp[i]);
        free(final[i]);
    }
    free(tmp);
    free(final);
    return status;
}
