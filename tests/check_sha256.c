/* SHA-256 against the FIPS 180-4 example vectors (NIST CSRC "Examples with
 * intermediate values", SHA256.pdf and SHA2_Additional). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "suites.h"
#include "xalloc.h"

static void check_digest(const char *data, size_t len, const char *expected)
{
    sha256 ctx;
    char hex[65];
    sha256_init(&ctx);
    sha256_update(&ctx, data, len);
    sha256_final_hex(&ctx, hex);
    ck_assert_str_eq(hex, expected);
}

START_TEST(test_sha256_matches_fips_examples)
{
    check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_digest(two_blocks, strlen(two_blocks),
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(test_sha256_streams_a_million_a_in_odd_pieces)
{
    /* SHA2_Additional: one million 'a'; fed in pieces that straddle blocks. */
    char *chunk = xmalloc(997);
    memset(chunk, 'a', 997);
    sha256 ctx;
    sha256_init(&ctx);
    size_t left = 1000000;
    while (left) {
        size_t n = left < 997 ? left : 997;
        sha256_update(&ctx, chunk, n);
        left -= n;
    }
    char hex[65];
    sha256_final_hex(&ctx, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(chunk);
}
END_TEST

START_TEST(test_sha256_pads_messages_of_55_56_and_64_bytes)
{
    /* Lengths where the padding needs one or two extra blocks; digests from
     * coreutils sha256sum. */
    char buf[64];
    memset(buf, 'a', sizeof buf);
    check_digest(buf, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    check_digest(buf, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    check_digest(buf, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

Suite *sha256_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sha256_matches_fips_examples);
    tcase_add_test(tc, test_sha256_streams_a_million_a_in_odd_pieces);
    tcase_add_test(tc, test_sha256_pads_messages_of_55_56_and_64_bytes);
    suite_add_tcase(s, tc);
    return s;
}
