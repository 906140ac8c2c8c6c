#include "glob.h"

#include <ctype.h>
#include <stddef.h>

/* Bytes in the UTF-8 character starting with byte c (1 for anything else). */
static size_t char_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static bool same(unsigned char a, unsigned char b)
{
    return tolower(a) == tolower(b);
}

bool glob_match(const char *pattern, const char *text)
{
    /* Iterative matching with one backtrack point (the last `*`): linear in
     * practice, never exponential. */
    const char *p = pattern, *t = text;
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            star = ++p;
            resume = t;
            continue;
        }
        if (*p == '?') {
            p++;
            t += char_len((unsigned char)*t);
            continue;
        }
        if (*p && same((unsigned char)*p, (unsigned char)*t)) {
            p++;
            t++;
            continue;
        }
        if (!star)
            return false;
        p = star;
        resume += char_len((unsigned char)*resume);
        t = resume;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}
