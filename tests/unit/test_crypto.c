/* Unit tests for daemon/crypto: known answers for SHA-256, randomness, comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_util.h"

static void
test_sha256_kat(void **state)
{
	/* FIPS 180-2, appendix B.1 and B.2. */
	uint8_t md[RN_SHA256_LEN];
	char hex[2 * RN_SHA256_LEN + 1];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	assert_int_equal(rn_sha256("abc", 3, md), RN_OK);
	rn_hex_encode(md, sizeof(md), hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(rn_sha256(two, strlen(two), md), RN_OK);
	rn_hex_encode(md, sizeof(md), hex);
	assert_string_equal(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_int_equal(rn_sha256("", 0, md), RN_OK);
	rn_hex_encode(md, sizeof(md), hex);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_sha256_stream(void **state)
{
	uint8_t one[RN_SHA256_LEN], streamed[RN_SHA256_LEN];
	char data[1000];
	struct rn_sha256 *h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	assert_int_equal(rn_sha256(data, sizeof(data), one), RN_OK);
	assert_non_null(h = rn_sha256_new());
	for (i = 0; i < sizeof(data); i += 37)
		assert_int_equal(rn_sha256_update(h, data + i,
		    sizeof(data) - i < 37 ? sizeof(data) - i : 37), RN_OK);
	assert_int_equal(rn_sha256_final(h, streamed), RN_OK);
	rn_sha256_free(h);
	rn_sha256_free(NULL);
	assert_memory_equal(one, streamed, RN_SHA256_LEN);
}

static void
test_random_and_memeq(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_int_equal(rn_crypto_random(a, sizeof(a)), RN_OK);
	assert_int_equal(rn_crypto_random(b, sizeof(b)), RN_OK);
	assert_false(rn_crypto_memeq(a, b, sizeof(a)));
	memcpy(b, a, sizeof(a));
	assert_true(rn_crypto_memeq(a, b, sizeof(a)));
	b[31] ^= 1;
	assert_false(rn_crypto_memeq(a, b, sizeof(a)));
	rn_crypto_wipe(a, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_kat),
		cmocka_unit_test(test_sha256_stream),
		cmocka_unit_test(test_random_and_memeq),
	};

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
