/* SHA-256 (FIPS 180-4), used to recognise a file whose content is already in
 * the store and to fingerprint analysis inputs. Streaming: init, update any
 * number of times, final. */
#ifndef P3_SHA256_H
#define P3_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t state[8];     /* running hash value H0..H7 */
    uint64_t length;       /* message bytes hashed so far */
    unsigned char block[64]; /* the partial block not yet compressed */
    size_t fill;           /* bytes of block in use */
} sha256;

void sha256_init(sha256 *ctx);
void sha256_update(sha256 *ctx, const void *data, size_t len);
/* Finishes and writes the 32-byte digest; ctx must be re-initialised to reuse. */
void sha256_final(sha256 *ctx, unsigned char digest[32]);
/* Finishes and writes the digest as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(sha256 *ctx, char hex[65]);

#endif
