/* SHA-256 through OpenSSL's EVP interface. */
#include <openssl/evp.h>

#include "roneo/rn_crypto.h"

struct rn_sha256 {
	EVP_MD_CTX *ctx;
};

struct rn_sha256 *
rn_sha256_new(void)
{
	struct rn_sha256 *h;

	if ((h = OPENSSL_zalloc(sizeof(*h))) == NULL)
		return NULL;
	if ((h->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		rn_sha256_free(h);
		return NULL;
	}
	return h;
}

void
rn_sha256_free(struct rn_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	OPENSSL_free(h);
}

enum rn_err
rn_sha256_update(struct rn_sha256 *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? RN_OK : RN_ERR_CRYPTO;
}

enum rn_err
rn_sha256_final(struct rn_sha256 *h, uint8_t out[RN_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != RN_SHA256_LEN)
		return RN_ERR_CRYPTO;
	return RN_OK;
}

enum rn_err
rn_sha256(const void *p, size_t n, uint8_t out[RN_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != RN_SHA256_LEN)
		return RN_ERR_CRYPTO;
	return RN_OK;
}
