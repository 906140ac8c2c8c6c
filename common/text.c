#include "text.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

size_t text_utf8_sequence(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (len == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xF5 ? 0 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0; /* overlong, or above U+10FFFF */
    return n;
}

size_t text_utf8_invalid_at(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = text_utf8_sequence(s + i, len - i);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

bool text_equal_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

void text_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    *s = p;
    *len = n;
}

bool text_all_digits(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

char *text_escape_controls(const char *s, size_t len, bool keep_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    /* At worst every byte becomes four. */
    char *out = xreallocarray(NULL, len + 1, 4);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t seq = text_utf8_sequence(s + i, len - i);
        bool c1 = seq == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0;
        bool c0 = seq == 1 && (p[i] < 0x20 || p[i] == 0x7F) && !(keep_newlines && p[i] == '\n');
        if (seq == 0 || c0 || c1) {
            size_t n = c1 ? 2 : 1;
            for (size_t k = 0; k < n; k++) {
                snprintf(out + o, 5, "\\x%02X", p[i + k]);
                o += 4;
            }
            i += n;
        } else {
            memcpy(out + o, p + i, seq);
            o += seq;
            i += seq;
        }
    }
    out[o] = '\0';
    return out;
}
