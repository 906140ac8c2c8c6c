#include "concurrency.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static int point_order(const void *a, const void *b)
{
    const concurrency_point *p = a, *q = b;
    if (p->t_ns != q->t_ns)
        return (p->t_ns > q->t_ns) - (p->t_ns < q->t_ns);
    return (p->value > q->value) - (p->value < q->value);
}

/* A value and the longest time it was held. */
typedef struct held {
    long value;
    int64_t hold;
} held;

static int held_by_value(const void *a, const void *b)
{
    const held *p = a, *q = b;
    return (p->value > q->value) - (p->value < q->value);
}

static int held_longest_first(const void *a, const void *b)
{
    const held *p = a, *q = b;
    if (p->hold != q->hold)
        return (p->hold < q->hold) - (p->hold > q->hold);
    return (p->value > q->value) - (p->value < q->value);
}

static char *level_name(const char *template, long value)
{
    if (!template)
        return value == 1 ? xstrdup("1 user") : xasprintf("%ld users", value);
    const char *at = strstr(template, "{n}");
    if (!at)
        return xasprintf("%s %ld", template, value);
    return xasprintf("%.*s%ld%s", (int)(at - template), template, value, at + 3);
}

void concurrency_plateaus(concurrency_point *points, size_t n, int64_t min_hold_ns,
                          const char *name_template, size_t max_levels,
                          concurrency_levels *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    qsort(points, n, sizeof *points, point_order);
    int64_t span = points[n - 1].t_ns - points[0].t_ns;
    if (min_hold_ns <= 0) {
        min_hold_ns = span / 20;
        if (min_hold_ns < 1000000000)
            min_hold_ns = 1000000000;
    }
    out->hold_ns = min_hold_ns;
    /* The longest stretch of each value, over the runs of equal values. */
    held *h = NULL;
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && points[j].value == points[i].value)
            j++;
        int64_t end = j < n ? points[j].t_ns : points[n - 1].t_ns;
        int64_t hold = end - points[i].t_ns;
        size_t k = 0;
        while (k < count && h[k].value != points[i].value)
            k++;
        if (k == count) {
            h = xreallocarray(h, count + 1, sizeof *h);
            h[count++] = (held){points[i].value, hold};
        } else if (hold > h[k].hold) {
            h[k].hold = hold;
        }
        i = j;
    }
    /* With a single value the load never moved: that is the plateau,
     * however short the run. */
    size_t kept = 0;
    for (size_t k = 0; k < count; k++)
        if (h[k].hold >= min_hold_ns || count == 1)
            h[kept++] = h[k];
    if (kept > max_levels) {
        qsort(h, kept, sizeof *h, held_longest_first);
        out->dropped = kept - max_levels;
        kept = max_levels;
    }
    qsort(h, kept, sizeof *h, held_by_value);
    out->count = kept;
    out->lo = xreallocarray(NULL, kept + 1, sizeof *out->lo);
    out->hi = xreallocarray(NULL, kept + 1, sizeof *out->hi);
    out->names = xreallocarray(NULL, kept + 1, sizeof *out->names);
    for (size_t k = 0; k < kept; k++) {
        out->lo[k] = out->hi[k] = h[k].value;
        out->names[k] = level_name(name_template, h[k].value);
    }
    free(h);
}

/* Parses a whole non-negative number at *s, moving *s past it. */
static bool parse_count(const char **s, long *v)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    if (!isdigit((unsigned char)**s))
        return false;
    char *end;
    errno = 0;
    long x = strtol(*s, &end, 10);
    if (errno)
        return false;
    *s = end;
    *v = x;
    while (**s == ' ' || **s == '\t')
        (*s)++;
    return true;
}

bool concurrency_parse_ranges(char *const *names, size_t count, concurrency_levels *out,
                              const char **bad)
{
    memset(out, 0, sizeof *out);
    out->lo = xreallocarray(NULL, count + 1, sizeof *out->lo);
    out->hi = xreallocarray(NULL, count + 1, sizeof *out->hi);
    out->names = xcalloc(count + 1, sizeof *out->names);
    for (size_t k = 0; k < count; k++) {
        const char *s = names[k];
        long lo, hi;
        bool ok = parse_count(&s, &lo);
        hi = lo;
        if (ok && *s == '-') {
            s++;
            ok = parse_count(&s, &hi);
        }
        ok = ok && *s == '\0' && lo <= hi;
        for (size_t j = 0; ok && j < k; j++)
            ok = hi < out->lo[j] || lo > out->hi[j];
        if (!ok) {
            *bad = names[k];
            concurrency_levels_clear(out);
            return false;
        }
        out->lo[k] = lo;
        out->hi[k] = hi;
        out->names[k] = xstrdup(names[k]);
        out->count = k + 1;
    }
    return true;
}

int concurrency_level_of(const concurrency_levels *levels, long value)
{
    for (size_t k = 0; k < levels->count; k++)
        if (value >= levels->lo[k] && value <= levels->hi[k])
            return (int)k;
    return -1;
}

void concurrency_levels_clear(concurrency_levels *levels)
{
    for (size_t k = 0; levels->names && k < levels->count; k++)
        free(levels->names[k]);
    free(levels->names);
    free(levels->lo);
    free(levels->hi);
    memset(levels, 0, sizeof *levels);
}

void in_flight_add(in_flight *f, int64_t start_ns, int64_t end_ns)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 1024;
        f->starts = xreallocarray(f->starts, f->cap, sizeof *f->starts);
        f->ends = xreallocarray(f->ends, f->cap, sizeof *f->ends);
    }
    f->starts[f->n] = start_ns;
    f->ends[f->n++] = end_ns;
}

static int time_order(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void in_flight_seal(in_flight *f)
{
    if (f->n) {
        qsort(f->starts, f->n, sizeof *f->starts, time_order);
        qsort(f->ends, f->n, sizeof *f->ends, time_order);
    }
}

/* Entries of sorted a[0..n) that are <= t. */
static size_t count_le(const int64_t *a, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

long in_flight_at(const in_flight *f, int64_t t_ns)
{
    return (long)count_le(f->starts, f->n, t_ns) - (long)count_le(f->ends, f->n, t_ns);
}

void in_flight_clear(in_flight *f)
{
    free(f->starts);
    free(f->ends);
    memset(f, 0, sizeof *f);
}
