/* Allocation that cannot fail: on exhaustion p3 reports and exits with
 * STATUS_FAILURE, as git's xmalloc does. Everything returned is the caller's
 * to free(). */
#ifndef P3_XALLOC_H
#define P3_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc to count * size, refusing a product that overflows. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A printf-formatted new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
