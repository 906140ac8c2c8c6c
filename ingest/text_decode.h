/* Decodes text written in UTF-16 or in a legacy code page (Windows-1252,
 * CP932, CP1251, ...) to UTF-8, piece by piece as a stream arrives. A thin
 * layer over iconv that says where decoding stopped and why, so that a
 * reader can report the line and column of bytes the encoding does not
 * allow instead of passing garbage on. */
#ifndef P3_TEXT_DECODE_H
#define P3_TEXT_DECODE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct text_decode text_decode;

typedef enum text_decode_status {
    TEXT_DECODE_OK,       /* stopped at the end of the input or of the room */
    TEXT_DECODE_INVALID,  /* stopped at bytes the encoding does not allow */
    TEXT_DECODE_TRUNCATED /* at the end of the text, the input ends inside a character */
} text_decode_status;

/* A decoder from the encoding named as iconv names it ("UTF-16LE", "CP932")
 * to UTF-8, or NULL when iconv cannot decode it. Free with text_decode_free(). */
text_decode *text_decode_new(const char *encoding);
/* Frees; NULL is a no-op. */
void text_decode_free(text_decode *d);

/* Decodes from (*in, *in_len) into (*out, *out_room), advancing all four.
 * Stops when the input is used up, when the room is (a character that does
 * not fit stays in the input), or with *in at bytes that cannot be decoded.
 * A character cut by the end of the input stays there for the next call;
 * at_end says no more input will come, and makes it TEXT_DECODE_TRUNCATED. */
text_decode_status text_decode_run(text_decode *d, const char **in, size_t *in_len, char **out,
                                   size_t *out_room, bool at_end);

/* Bytes to step over to go past bytes that cannot be decoded: the
 * encoding's code unit (2 for UTF-16, 4 for UTF-32, else 1). */
size_t text_decode_unit(const text_decode *d);

#endif
