/* HMAC-SHA256, HKDF-SHA256 and scrypt, through OpenSSL's EVP_MAC and EVP_KDF. */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"

/*
 * OpenSSL takes the key, salt and info through non-const OSSL_PARAM pointers
 * but only reads them; the casts below drop const for that reason alone.
 */
static void *
unconst(const void *p)
{
	union {
		const void *c;
		void	   *m;
	} u;

	u.c = p;
	return u.m;
}

enum rn_err
rn_hmac_sha256(
    const void *key, size_t keylen, const void *msg, size_t msglen, uint8_t out[RN_HMAC_SHA256_LEN])
{
	EVP_MAC		    *mac = NULL;
	EVP_MAC_CTX	    *ctx = NULL;
	OSSL_PARAM	     params[2];
	size_t		     len = 0;
	enum rn_err	     err = RN_ERR_CRYPTO;
	char		     digest[] = "SHA256";
	static const uint8_t nokey[1];

	if ((key == NULL && keylen > 0) || (msg == NULL && msglen > 0) || out == NULL)
		return RN_ERR_INVAL;
	if (keylen == 0)
		key = nokey;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL || EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    (msglen > 0 && EVP_MAC_update(ctx, msg, msglen) != 1) ||
	    EVP_MAC_final(ctx, out, &len, RN_HMAC_SHA256_LEN) != 1 || len != RN_HMAC_SHA256_LEN)
		goto out;
	err = RN_OK;
out:
	if (err != RN_OK && out != NULL)
		OPENSSL_cleanse(out, RN_HMAC_SHA256_LEN);
	EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
	EVP_MAC_free(mac);
	return err;
}

/* Run one EVP_KDF; on failure out is wiped.  Freeing the context cleanses
 * the key material (key, password) it copied from params. */
static enum rn_err
kdf_derive(const char *name, const OSSL_PARAM *params, uint8_t *out, size_t outlen)
{
	EVP_KDF	    *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	enum rn_err  err = RN_ERR_CRYPTO;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) != NULL &&
	    (ctx = EVP_KDF_CTX_new(kdf)) != NULL && EVP_KDF_derive(ctx, out, outlen, params) == 1)
		err = RN_OK;
	if (err != RN_OK)
		OPENSSL_cleanse(out, outlen);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

enum rn_err
rn_hkdf_sha256(const void *salt, size_t saltlen, const void *ikm, size_t ikmlen, const void *info,
    size_t infolen, uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[5], *p = params;
	char	   digest[] = "SHA256";

	if ((salt == NULL && saltlen > 0) || (ikm == NULL && ikmlen > 0) ||
	    (info == NULL && infolen > 0) || out == NULL || outlen == 0 ||
	    outlen > 255 * RN_SHA256_LEN || infolen > RN_HKDF_MAX_INFO)
		return RN_ERR_INVAL;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, unconst(ikm), ikmlen);
	/* An absent salt is RFC 5869's HashLen zeros, which HMAC treats the same as empty. */
	if (saltlen > 0)
		*p++ =
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, unconst(salt), saltlen);
	if (infolen > 0)
		*p++ =
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, unconst(info), infolen);
	*p = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", params, out, outlen);
}

enum rn_err
rn_scrypt(const void *pass, size_t passlen, const void *salt, size_t saltlen, uint64_t N,
    uint32_t r, uint32_t p, uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[7];
	uint64_t   maxmem;

	if ((pass == NULL && passlen > 0) || (salt == NULL && saltlen > 0) || out == NULL ||
	    outlen == 0 || outlen > RN_SCRYPT_MAX_OUT)
		return RN_ERR_INVAL;
	if (N < 2 || (N & (N - 1)) != 0 || r == 0 || p == 0)
		return RN_ERR_INVAL;
	/* V is 128 r N bytes, B is 128 r p: refuse what would pass the ceiling. */
	if (N > RN_SCRYPT_MAX_MEM / 128 / r || p > RN_SCRYPT_MAX_MEM / 128 / r)
		return RN_ERR_TOOBIG;
	maxmem = 128u * (uint64_t)r * N + 128u * (uint64_t)r * p;
	if (maxmem > RN_SCRYPT_MAX_MEM)
		return RN_ERR_TOOBIG;
	maxmem += 1024u * 1024u; /* OpenSSL counts a little more than V and B */
	params[0] =
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, unconst(pass), passlen);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, unconst(salt), saltlen);
	params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &N);
	params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
	params[6] = OSSL_PARAM_construct_end();
	return kdf_derive("SCRYPT", params, out, outlen);
}
