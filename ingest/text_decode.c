#include "text_decode.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

struct text_decode {
    iconv_t cd;  /* from the encoding to UTF-8 */
    size_t unit; /* bytes of the encoding's code unit */
};

/* Whether an encoding name begins with prefix, ignoring case, '-' and '_'
 * as iconv does ("utf16le" is "UTF-16LE"). */
static bool name_begins(const char *name, const char *prefix)
{
    for (; *prefix; name++) {
        if (*name == '-' || *name == '_')
            continue;
        if (!*name || toupper((unsigned char)*name) != *prefix)
            return false;
        prefix++;
    }
    return true;
}

text_decode *text_decode_new(const char *encoding)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return NULL;
    text_decode *d = xcalloc(1, sizeof *d);
    d->cd = cd;
    d->unit = name_begins(encoding, "UTF16") || name_begins(encoding, "UCS2")   ? 2
              : name_begins(encoding, "UTF32") || name_begins(encoding, "UCS4") ? 4
                                                                                : 1;
    return d;
}

void text_decode_free(text_decode *d)
{
    if (!d)
        return;
    iconv_close(d->cd);
    free(d);
}

text_decode_status text_decode_run(text_decode *d, const char **in, size_t *in_len, char **out,
                                   size_t *out_room, bool at_end)
{
    /* iconv's prototype is not const-correct; it never writes the input. */
    char *from = (char *)*in;
    size_t rc = iconv(d->cd, &from, in_len, out, out_room);
    int error = rc == (size_t)-1 ? errno : 0;
    *in = from;
    if (error == EILSEQ)
        return TEXT_DECODE_INVALID;
    if (error == EINVAL && at_end)
        return TEXT_DECODE_TRUNCATED;
    if (at_end && *in_len == 0)
        iconv(d->cd, NULL, NULL, out, out_room); /* ends a stateful encoding's shift state */
    return TEXT_DECODE_OK;
}

size_t text_decode_unit(const text_decode *d)
{
    return d->unit;
}
