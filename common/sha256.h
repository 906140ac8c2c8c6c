/* SHA-256 (FIPS 180-4), used to recognise a file whose content is already in
 * the store and to fingerprint analysis inputs. Streaming: init, update any
 * number of times, final. A thin layer over nettle's SHA-256 (which uses the
 * processor's SHA instructions where it has them), so that nettle's names
 * stay out of every other file. */
#ifndef P3_SHA256_H
#define P3_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Room for nettle's struct sha256_ctx (checked where it is used). */
typedef struct sha256 {
    union {
        uint64_t align;
        unsigned char bytes[128];
    } state;
} sha256;

void sha256_init(sha256 *ctx);
void sha256_update(sha256 *ctx, const void *data, size_t len);
/* Finishes and writes the 32-byte digest; ctx must be re-initialised to reuse. */
void sha256_final(sha256 *ctx, unsigned char digest[32]);
/* Finishes and writes the digest as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(sha256 *ctx, char hex[65]);

#endif
