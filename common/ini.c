#include "ini.h"

#include <string.h>

#include "text.h"

ini_line ini_split(const char *line, size_t len)
{
    ini_line l = {0};
    size_t bad = text_utf8_invalid_at(line, len);
    if (bad < len) {
        l.kind = INI_BAD_UTF8;
        l.col = (long)bad + 1;
        return l;
    }
    const char *s = line;
    size_t n = len;
    text_trim(&s, &n);
    if (n == 0 || s[0] == ';' || s[0] == '#')
        return l; /* INI_NOTHING */
    l.col = (long)(s - line) + 1;
    if (s[0] == '[') {
        if (s[n - 1] != ']' || n < 2) {
            l.kind = INI_BAD_SECTION;
            return l;
        }
        l.kind = INI_SECTION;
        l.name = s + 1;
        l.name_len = n - 2;
        text_trim(&l.name, &l.name_len);
        return l;
    }
    const char *eq = memchr(s, '=', n);
    if (!eq) {
        l.kind = INI_NO_EQUALS;
        return l;
    }
    l.kind = INI_KEY;
    l.name = s;
    l.name_len = (size_t)(eq - s);
    l.value = eq + 1;
    l.value_len = n - l.name_len - 1;
    text_trim(&l.name, &l.name_len);
    text_trim(&l.value, &l.value_len);
    l.value_col = (long)(l.value - line) + 1;
    return l;
}
