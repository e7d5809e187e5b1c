/*
 * Unit tests for daemon/crypto: known answers for SHA-256, HMAC-SHA256, HKDF,
 * scrypt and X25519, randomness, comparison.
 */
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

/* Decode hex (no spaces) into a new buffer; the test fails on bad hex. */
static uint8_t *
unhex(const char *hex, size_t *lenp)
{
	size_t	 n = strlen(hex), i;
	uint8_t *out;

	assert_int_equal(n % 2, 0);
	out = test_malloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		unsigned int v = 0;
		int	     k;

		for (k = 0; k < 2; k++) {
			char c = hex[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned int)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned int)(c - 'a' + 10);
			else
				fail_msg("bad hex %c", c);
		}
		out[i] = (uint8_t)v;
	}
	*lenp = n / 2;
	return out;
}

static void
assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char *hex = test_malloc(2 * n + 1);

	rn_hex_encode(p, n, hex);
	assert_string_equal(hex, want);
	test_free(hex);
}

static void
test_hmac_sha256_kat(void **state)
{
	/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
	uint8_t mac[RN_HMAC_SHA256_LEN], key[131];
	const char *six = "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	memset(key, 0x0b, 20);
	assert_int_equal(rn_hmac_sha256(key, 20, "Hi There", 8, mac), RN_OK);
	assert_hex(mac, sizeof(mac),
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(rn_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac), RN_OK);
	assert_hex(mac, sizeof(mac),
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(rn_hmac_sha256(key, sizeof(key), six, strlen(six), mac), RN_OK);
	assert_hex(mac, sizeof(mac),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	/* An empty key and message are allowed; NULL with a length is not. */
	assert_int_equal(rn_hmac_sha256(NULL, 0, NULL, 0, mac), RN_OK);
	assert_hex(mac, sizeof(mac),
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	assert_int_equal(rn_hmac_sha256(NULL, 1, "x", 1, mac), RN_ERR_INVAL);
}

struct hkdf_case {
	const char *ikm, *salt, *info, *okm;
};

static void
test_hkdf_sha256_kat(void **state)
{
	/* RFC 5869 appendix A, test cases 1 to 3. */
	static const struct hkdf_case cases[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
		    "f0f1f2f3f4f5f6f7f8f9",
		    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887"
		    "185865" },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627"
		  "28292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
		    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283848586"
		    "8788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacad"
		    "aeaf",
		    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6"
		    "d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfd"
		    "feff",
		    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac782"
		    "7271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3"
		    "434f1d87" },
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b6"
		    "1a96c8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(cases); i++) {
		size_t	 ikmlen, saltlen, infolen, okmlen;
		uint8_t *ikm = unhex(cases[i].ikm, &ikmlen);
		uint8_t *salt = unhex(cases[i].salt, &saltlen);
		uint8_t *info = unhex(cases[i].info, &infolen);
		uint8_t *want = unhex(cases[i].okm, &okmlen);
		uint8_t	 okm[128];

		assert_true(okmlen <= sizeof(okm));
		assert_int_equal(rn_hkdf_sha256(saltlen ? salt : NULL, saltlen, ikm, ikmlen,
				     infolen ? info : NULL, infolen, okm, okmlen),
		    RN_OK);
		assert_memory_equal(okm, want, okmlen);
		/* An empty (non-NULL) salt is the same as none. */
		if (saltlen == 0) {
			assert_int_equal(rn_hkdf_sha256("", 0, ikm, ikmlen, "", 0, okm, okmlen),
			    RN_OK);
			assert_memory_equal(okm, want, okmlen);
		}
		test_free(ikm);
		test_free(salt);
		test_free(info);
		test_free(want);
	}
}

static void
test_hkdf_sha256_limits(void **state)
{
	uint8_t okm[32];
	uint8_t big[255 * RN_SHA256_LEN + 1];

	(void)state;
	assert_int_equal(rn_hkdf_sha256(NULL, 0, "k", 1, NULL, 0, okm, 0), RN_ERR_INVAL);
	assert_int_equal(rn_hkdf_sha256(NULL, 0, "k", 1, NULL, 0, big, sizeof(big)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_hkdf_sha256(NULL, 0, "k", 1, NULL, 0, big, sizeof(big) - 1), RN_OK);
	assert_int_equal(rn_hkdf_sha256(NULL, 3, "k", 1, NULL, 0, okm, sizeof(okm)),
	    RN_ERR_INVAL);
}

struct scrypt_case {
	const char *pass, *salt;
	uint64_t    N;
	uint32_t    r, p;
	const char *dk;
};

static void
test_scrypt_kat(void **state)
{
	/*
	 * RFC 7914 section 12, the first three vectors.  The fourth (N = 2^20,
	 * 1 GiB of memory, seconds of CPU) is left out of the unit tests.
	 */
	static const struct scrypt_case cases[] = {
		{ "", "", 16, 1, 1,
		    "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f"
		    "8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906" },
		{ "password", "NaCl", 1024, 8, 16,
		    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a38"
		    "86ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640" },
		{ "pleaseletmein", "SodiumChloride", 16384, 8, 1,
		    "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fc"
		    "f62d49705242a9af9e61e85dc0d651e40dfcf017b45575887" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(cases); i++) {
		uint8_t dk[64];

		assert_int_equal(rn_scrypt(cases[i].pass, strlen(cases[i].pass), cases[i].salt,
				     strlen(cases[i].salt), cases[i].N, cases[i].r, cases[i].p, dk,
				     sizeof(dk)),
		    RN_OK);
		assert_hex(dk, sizeof(dk), cases[i].dk);
	}
}

static void
test_scrypt_params(void **state)
{
	uint8_t dk[32];

	(void)state;
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 1000, 8, 1, dk, sizeof(dk)), RN_ERR_INVAL);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 1, 8, 1, dk, sizeof(dk)), RN_ERR_INVAL);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 16, 0, 1, dk, sizeof(dk)), RN_ERR_INVAL);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 16, 1, 0, dk, sizeof(dk)), RN_ERR_INVAL);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 16, 1, 1, dk, 0), RN_ERR_INVAL);
	/* 2^24 * 8 * 128 bytes is 16 GiB: over the ceiling, refused before any work. */
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 1ull << 24, 8, 1, dk, sizeof(dk)),
	    RN_ERR_TOOBIG);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 1ull << 62, 8, 1, dk, sizeof(dk)),
	    RN_ERR_TOOBIG);
	assert_int_equal(rn_scrypt("p", 1, "s", 1, 16, 8, 0xffffffffu, dk, sizeof(dk)),
	    RN_ERR_TOOBIG);
}

static void
test_x25519_kat(void **state)
{
	/* RFC 7748 section 6.1. */
	size_t	 n;
	uint8_t *a = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", &n);
	uint8_t *b = unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", &n);
	uint8_t	 apub[RN_X25519_LEN], bpub[RN_X25519_LEN], k1[RN_X25519_LEN], k2[RN_X25519_LEN];
	const char *shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

	(void)state;
	assert_int_equal(rn_x25519_public(a, apub), RN_OK);
	assert_hex(apub, sizeof(apub),
	    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_int_equal(rn_x25519_public(b, bpub), RN_OK);
	assert_hex(bpub, sizeof(bpub),
	    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	assert_int_equal(rn_x25519_shared(a, bpub, k1), RN_OK);
	assert_hex(k1, sizeof(k1), shared);
	assert_int_equal(rn_x25519_shared(b, apub, k2), RN_OK);
	assert_hex(k2, sizeof(k2), shared);
	test_free(a);
	test_free(b);
}

static void
test_x25519_rfc7748_5_2(void **state)
{
	/* RFC 7748 section 5.2: the scalar multiplication itself, first vector. */
	size_t	 n;
	uint8_t *k = unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", &n);
	uint8_t *u = unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", &n);
	uint8_t	 out[RN_X25519_LEN];

	(void)state;
	assert_int_equal(rn_x25519_shared(k, u, out), RN_OK);
	assert_hex(out, sizeof(out),
	    "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	test_free(k);
	test_free(u);
}

static void
test_x25519_low_order(void **state)
{
	/* Points of small order give an all-zero secret, which must be refused. */
	static const char *low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	uint8_t secret[RN_X25519_LEN], out[RN_X25519_LEN], zero[RN_X25519_LEN] = { 0 };
	size_t	i, n;

	(void)state;
	assert_int_equal(rn_crypto_random(secret, sizeof(secret)), RN_OK);
	for (i = 0; i < RN_ARRAY_LEN(low); i++) {
		uint8_t *peer = unhex(low[i], &n);

		memset(out, 0x55, sizeof(out));
		assert_int_equal(rn_x25519_shared(secret, peer, out), RN_ERR_CRYPTO);
		assert_memory_equal(out, zero, sizeof(out));
		test_free(peer);
	}
	assert_int_equal(rn_x25519_public(NULL, out), RN_ERR_INVAL);
	assert_int_equal(rn_x25519_shared(secret, NULL, out), RN_ERR_INVAL);
}

/* RFC 8032 section 7.1, tests 1 and 3. */
static void
test_ed25519_rfc8032(void **state)
{
	static const struct {
		const char *seed, *pub, *msg, *sig;
	} cases[] = {
		{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
		    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
		{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
		    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
		    "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(cases); i++) {
		uint8_t *seed = unhex(cases[i].seed, &n), *pub = unhex(cases[i].pub, &n);
		uint8_t *sig = unhex(cases[i].sig, &n), *msg = unhex(cases[i].msg, &n);
		uint8_t	 p2[RN_ED25519_PUB_LEN], s2[RN_ED25519_SIG_LEN];

		assert_int_equal(rn_ed25519_public(seed, p2), RN_OK);
		assert_memory_equal(p2, pub, sizeof(p2));
		assert_int_equal(rn_ed25519_sign(seed, msg, n, s2), RN_OK);
		assert_memory_equal(s2, sig, sizeof(s2));
		assert_int_equal(rn_ed25519_verify(pub, msg, n, sig), RN_OK);
		s2[0] ^= 1;
		assert_int_equal(rn_ed25519_verify(pub, msg, n, s2), RN_ERR_CRYPTO);
		test_free(seed);
		test_free(pub);
		test_free(sig);
		test_free(msg);
	}
}

/* The identity key with (R = identity, S = 0) verifies anything in OpenSSL 3.0: refused here. */
static void
test_ed25519_small_order(void **state)
{
	static const char *bad[] = {
		"0100000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	};
	uint8_t seed[RN_ED25519_SEED_LEN], pub[RN_ED25519_PUB_LEN], sig[RN_ED25519_SIG_LEN];
	size_t	i, n;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		uint8_t *k = unhex(bad[i], &n);

		memset(sig, 0, sizeof(sig));
		memcpy(sig, k, 32);
		assert_int_equal(rn_ed25519_pub_check(k), RN_ERR_CRYPTO);
		assert_int_equal(rn_ed25519_verify(k, "forged", 6, sig), RN_ERR_CRYPTO);
		test_free(k);
	}
	assert_int_equal(rn_ed25519_keygen(seed, pub), RN_OK);
	assert_int_equal(rn_ed25519_pub_check(pub), RN_OK);
	assert_int_equal(rn_ed25519_sign(seed, "m", 1, sig), RN_OK);
	assert_int_equal(rn_ed25519_verify(pub, "m", 1, sig), RN_OK);
	assert_int_equal(rn_ed25519_verify(pub, "n", 1, sig), RN_ERR_CRYPTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_kat),
		cmocka_unit_test(test_sha256_stream),
		cmocka_unit_test(test_random_and_memeq),
		cmocka_unit_test(test_hmac_sha256_kat),
		cmocka_unit_test(test_hkdf_sha256_kat),
		cmocka_unit_test(test_hkdf_sha256_limits),
		cmocka_unit_test(test_scrypt_kat),
		cmocka_unit_test(test_scrypt_params),
		cmocka_unit_test(test_x25519_kat),
		cmocka_unit_test(test_x25519_rfc7748_5_2),
		cmocka_unit_test(test_x25519_low_order),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_ed25519_small_order),
	};

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
