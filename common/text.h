/* Small text helpers every reader needs: UTF-8 validation, ASCII
 * case-insensitive comparison, trimming. Strings are (pointer, length) pairs
 * so readers can work inside their line buffers without copying. */
#ifndef P3_TEXT_H
#define P3_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence starting at s (1 for ASCII, 2-4 for a
 * multi-byte character), or 0 if the bytes there are not valid UTF-8
 * (overlong forms and surrogates included). */
size_t text_utf8_sequence(const char *s, size_t len);

/* Offset of the first byte that is not valid UTF-8, or len if all are. */
size_t text_utf8_invalid_at(const char *s, size_t len);

/* Whether a[0..alen) equals the NUL-terminated b, ignoring ASCII case. */
bool text_equal_nocase(const char *a, size_t alen, const char *b);

/* Whether s[0..len) is all ASCII digits, and not empty. */
bool text_all_digits(const char *s, size_t len);

/* Narrows the string (*s, *len) past leading and trailing spaces and tabs. */
void text_trim(const char **s, size_t *len);

/* s[0..len) fit for a terminal, as a new string (caller frees): control
 * characters (C0, DEL, and C1 U+0080..U+009F, which some terminals take as
 * escape sequences) and bytes that are not valid UTF-8 are written as
 * \xNN (a C1 character as its two bytes, "\xC2\x9B"); newlines are kept
 * when keep_newlines, else escaped too. Other text, backslashes included,
 * is copied as it is, so escaping twice changes nothing more. */
char *text_escape_controls(const char *s, size_t len, bool keep_newlines);

#endif
