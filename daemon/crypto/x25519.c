/* X25519 (RFC 7748) with raw 32-byte keys, through EVP_PKEY. */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "roneo/rn_crypto.h"

enum rn_err
rn_x25519_public(const uint8_t secret[RN_X25519_LEN], uint8_t pub[RN_X25519_LEN])
{
	EVP_PKEY   *key = NULL;
	size_t	    len = RN_X25519_LEN;
	enum rn_err err = RN_ERR_CRYPTO;

	if (secret == NULL || pub == NULL)
		return RN_ERR_INVAL;
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, RN_X25519_LEN)) ==
		NULL ||
	    EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 || len != RN_X25519_LEN)
		goto out;
	err = RN_OK;
out:
	if (err != RN_OK)
		OPENSSL_cleanse(pub, RN_X25519_LEN);
	EVP_PKEY_free(key); /* cleanses the private key it copied */
	return err;
}

enum rn_err
rn_x25519_shared(const uint8_t secret[RN_X25519_LEN], const uint8_t peer[RN_X25519_LEN],
    uint8_t shared[RN_X25519_LEN])
{
	static const uint8_t zero[RN_X25519_LEN];
	EVP_PKEY	    *key = NULL, *pkey = NULL;
	EVP_PKEY_CTX	    *ctx = NULL;
	size_t		     len = RN_X25519_LEN;
	enum rn_err	     err = RN_ERR_CRYPTO;

	if (secret == NULL || peer == NULL || shared == NULL)
		return RN_ERR_INVAL;
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, RN_X25519_LEN)) ==
		NULL ||
	    (pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, RN_X25519_LEN)) ==
		NULL ||
	    (ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, pkey) != 1 || EVP_PKEY_derive(ctx, shared, &len) != 1 ||
	    len != RN_X25519_LEN)
		goto out;
	/* A low-order peer point gives all zeros (RFC 7748 section 6.1): refuse it. */
	if (CRYPTO_memcmp(shared, zero, RN_X25519_LEN) == 0)
		goto out;
	err = RN_OK;
out:
	if (err != RN_OK)
		OPENSSL_cleanse(shared, RN_X25519_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	EVP_PKEY_free(key);
	return err;
}
