#include "sha256.h"

#include <nettle/sha2.h>

/* nettle names its functions sha256_init and so on through macros; p3's
 * own are the ones defined here. */
#undef sha256_init
#undef sha256_update
#undef sha256_digest

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((sha256 *)0)->state),
               "struct sha256 is too small for nettle's context");

static struct sha256_ctx *nettle_ctx(sha256 *ctx)
{
    return (struct sha256_ctx *)(void *)ctx->state.bytes;
}

void sha256_init(sha256 *ctx)
{
    nettle_sha256_init(nettle_ctx(ctx));
}

void sha256_update(sha256 *ctx, const void *data, size_t len)
{
    nettle_sha256_update(nettle_ctx(ctx), len, data);
}

void sha256_final(sha256 *ctx, unsigned char digest[32])
{
    nettle_sha256_digest(nettle_ctx(ctx), SHA256_DIGEST_SIZE, digest);
}

void sha256_final_hex(sha256 *ctx, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[32];
    sha256_final(ctx, digest);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}
