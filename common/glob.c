#include "glob.h"

#include <ctype.h>
#include <stddef.h>

/* Bytes in the UTF-8 character starting at s (1 for anything else): its
 * lead byte and the continuation bytes that follow, at most as many as the
 * lead byte announces. A sequence cut short (by the NUL, or by a byte that
 * does not continue it, as in invalid text) ends where it was cut, so
 * matching never reads past the string's end. */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return i;
    return n;
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
            t += char_len(t);
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
        resume += char_len(resume);
        t = resume;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}
