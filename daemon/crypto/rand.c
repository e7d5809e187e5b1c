/* Randomness, constant-time comparison and wiping, all delegated to OpenSSL. */
#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "roneo/rn_crypto.h"

bool
rn_crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
rn_crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

enum rn_err
rn_crypto_random(void *p, size_t n)
{
	if (n > INT_MAX)
		return RN_ERR_INVAL;
	return RAND_bytes(p, (int)n) == 1 ? RN_OK : RN_ERR_CRYPTO;
}
