/* The only door to OpenSSL: every other module calls these. */
#ifndef RN_CRYPTO_H
#define RN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"

#define RN_SHA256_LEN 32u

struct rn_sha256; /* streaming hash context */

struct rn_sha256 *rn_sha256_new(void);
void		  rn_sha256_free(struct rn_sha256 *h);
enum rn_err	  rn_sha256_update(struct rn_sha256 *h, const void *p, size_t n);
enum rn_err	  rn_sha256_final(struct rn_sha256 *h, uint8_t out[RN_SHA256_LEN]);
enum rn_err	  rn_sha256(const void *p, size_t n, uint8_t out[RN_SHA256_LEN]);

/* Constant-time comparison of secrets. */
bool rn_crypto_memeq(const void *a, const void *b, size_t n);
/* Wipe a secret buffer so the compiler cannot elide it. */
void rn_crypto_wipe(void *p, size_t n);
/* Cryptographically secure random bytes (RAND_bytes). */
enum rn_err rn_crypto_random(void *p, size_t n);

#endif
