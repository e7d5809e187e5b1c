/*
 * SHA3-256 and SHA-512 through EVP, for Tor: an onion address's checksum is
 * SHA3-256 (rend-spec-v3), and tor's 64-byte "expanded" Ed25519 secret key is
 * SHA-512 of the seed with the first half clamped (RFC 8032 section 5.1.5).
 */
#include <openssl/evp.h>

#include "roneo/rn_crypto.h"

static enum rn_err
digest(const char *name, const void *p, size_t n, uint8_t *out, unsigned int want)
{
	EVP_MD	    *md;
	unsigned int len = 0;
	enum rn_err  r = RN_ERR_CRYPTO;

	if ((md = EVP_MD_fetch(NULL, name, NULL)) == NULL)
		return RN_ERR_CRYPTO;
	if (EVP_Digest(p, n, out, &len, md, NULL) == 1 && len == want)
		r = RN_OK;
	EVP_MD_free(md);
	return r;
}

enum rn_err
rn_sha3_256(const void *p, size_t n, uint8_t out[RN_SHA3_256_LEN])
{
	return digest("SHA3-256", p, n, out, RN_SHA3_256_LEN);
}

enum rn_err
rn_sha512(const void *p, size_t n, uint8_t out[RN_SHA512_LEN])
{
	return digest("SHA512", p, n, out, RN_SHA512_LEN);
}
