/*
 * Ed25519 (RFC 8032) through EVP_PKEY_ED25519 raw keys and EVP_DigestSign /
 * EVP_DigestVerify (one-shot, as pure Ed25519 requires).
 *
 * OpenSSL 3.0 verifies with the cofactorless equation and accepts any point
 * encoding that decodes, small-order ones included: with the identity as the
 * public key, the signature (R = identity, S = 0) verifies on every message.
 * So points are screened first.  The eight points of small order have these
 * encodings of y (the sign bit, bit 255, is ignored): 0, 1, p - 1, the two
 * order-8 values below, and the non-canonical p and p + 1.  Any y >= p is
 * refused as non-canonical as well.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_util.h"

static const uint8_t small_order[][RN_ED25519_PUB_LEN] = {
	/* y = 0: order 4 */
	{ 0 },
	/* y = 1: the identity */
	{ 0x01 },
	/* order 8 */
	{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
	    0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d,
	    0x53, 0xfc, 0x05 },
	{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
	    0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92,
	    0xac, 0x03, 0x7a },
	/* y = p - 1: order 2 */
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0x7f },
};

/* y >= p = 2^255 - 19, ignoring the sign bit. */
static int
noncanonical(const uint8_t y[RN_ED25519_PUB_LEN])
{
	size_t i;

	if ((y[31] & 0x7f) != 0x7f || y[0] < 0xed)
		return 0;
	for (i = 1; i < 31; i++)
		if (y[i] != 0xff)
			return 0;
	return 1;
}

static enum rn_err
point_check(const uint8_t p[RN_ED25519_PUB_LEN])
{
	uint8_t y[RN_ED25519_PUB_LEN];
	size_t	i;

	memcpy(y, p, sizeof(y));
	y[31] &= 0x7f;
	if (noncanonical(y))
		return RN_ERR_CRYPTO;
	for (i = 0; i < RN_ARRAY_LEN(small_order); i++)
		if (memcmp(y, small_order[i], sizeof(y)) == 0)
			return RN_ERR_CRYPTO;
	return RN_OK;
}

enum rn_err
rn_ed25519_pub_check(const uint8_t pub[RN_ED25519_PUB_LEN])
{
	if (pub == NULL)
		return RN_ERR_INVAL;
	return point_check(pub);
}

enum rn_err
rn_ed25519_public(const uint8_t seed[RN_ED25519_SEED_LEN], uint8_t pub[RN_ED25519_PUB_LEN])
{
	EVP_PKEY   *key;
	size_t	    len = RN_ED25519_PUB_LEN;
	enum rn_err err = RN_ERR_CRYPTO;

	if (seed == NULL || pub == NULL)
		return RN_ERR_INVAL;
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, RN_ED25519_SEED_LEN);
	if (key != NULL && EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 &&
	    len == RN_ED25519_PUB_LEN)
		err = RN_OK;
	EVP_PKEY_free(key);
	return err;
}

enum rn_err
rn_ed25519_keygen(uint8_t seed[RN_ED25519_SEED_LEN], uint8_t pub[RN_ED25519_PUB_LEN])
{
	enum rn_err err;

	if (seed == NULL || pub == NULL)
		return RN_ERR_INVAL;
	if ((err = rn_crypto_random(seed, RN_ED25519_SEED_LEN)) == RN_OK)
		err = rn_ed25519_public(seed, pub);
	if (err != RN_OK)
		OPENSSL_cleanse(seed, RN_ED25519_SEED_LEN);
	return err;
}

enum rn_err
rn_ed25519_sign(const uint8_t seed[RN_ED25519_SEED_LEN], const void *msg, size_t len,
    uint8_t sig[RN_ED25519_SIG_LEN])
{
	EVP_PKEY   *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	size_t	    siglen = RN_ED25519_SIG_LEN;
	enum rn_err err = RN_ERR_CRYPTO;

	if (seed == NULL || sig == NULL || (msg == NULL && len > 0))
		return RN_ERR_INVAL;
	if ((key = EVP_PKEY_new_raw_private_key(
		 EVP_PKEY_ED25519, NULL, seed, RN_ED25519_SEED_LEN)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != RN_ED25519_SIG_LEN)
		goto out;
	err = RN_OK;
out:
	if (err != RN_OK)
		OPENSSL_cleanse(sig, RN_ED25519_SIG_LEN);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return err;
}

enum rn_err
rn_ed25519_verify(const uint8_t pub[RN_ED25519_PUB_LEN], const void *msg, size_t len,
    const uint8_t sig[RN_ED25519_SIG_LEN])
{
	EVP_PKEY   *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	enum rn_err err = RN_ERR_CRYPTO;

	if (pub == NULL || sig == NULL || (msg == NULL && len > 0))
		return RN_ERR_INVAL;
	/* The key, then R (the first half of the signature). */
	if (point_check(pub) != RN_OK || point_check(sig) != RN_OK)
		return RN_ERR_CRYPTO;
	if ((key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, RN_ED25519_PUB_LEN)) ==
		NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestVerify(ctx, sig, RN_ED25519_SIG_LEN, msg, len) != 1)
		goto out;
	err = RN_OK;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return err;
}
