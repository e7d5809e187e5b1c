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

/* ---- primitives for the drop-box (implemented in daemon/crypto/) ---- */

#define RN_X25519_LEN	   32u
#define RN_HMAC_SHA256_LEN 32u

/* HMAC-SHA256 (EVP_MAC). */
enum rn_err rn_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    uint8_t out[RN_HMAC_SHA256_LEN]);
/* HKDF-SHA256 (RFC 5869, EVP_KDF "HKDF"): extract with salt (may be empty), expand with info. */
enum rn_err rn_hkdf_sha256(const void *salt, size_t saltlen, const void *ikm, size_t ikmlen,
    const void *info, size_t infolen, uint8_t *out, size_t outlen);
/* scrypt (EVP_KDF "SCRYPT"); N a power of two. */
enum rn_err rn_scrypt(const void *pass, size_t passlen, const void *salt, size_t saltlen,
    uint64_t N, uint32_t r, uint32_t p, uint8_t *out, size_t outlen);
/* X25519 (RFC 7748): the public key of a secret, and a shared secret.  The
 * shared secret is refused (RN_ERR_CRYPTO) when it is all zeros. */
enum rn_err rn_x25519_public(const uint8_t secret[RN_X25519_LEN], uint8_t pub[RN_X25519_LEN]);
enum rn_err rn_x25519_shared(const uint8_t secret[RN_X25519_LEN], const uint8_t peer[RN_X25519_LEN],
    uint8_t shared[RN_X25519_LEN]);

/* ---- Ed25519 (RFC 8032, pure), through EVP_PKEY_ED25519 raw keys ---- */

#define RN_ED25519_SEED_LEN 32u
#define RN_ED25519_PUB_LEN  32u
#define RN_ED25519_SIG_LEN  64u

/* A new random seed (the secret) and its public key. */
enum rn_err rn_ed25519_keygen(uint8_t seed[RN_ED25519_SEED_LEN], uint8_t pub[RN_ED25519_PUB_LEN]);
enum rn_err rn_ed25519_public(
    const uint8_t seed[RN_ED25519_SEED_LEN], uint8_t pub[RN_ED25519_PUB_LEN]);
enum rn_err rn_ed25519_sign(const uint8_t seed[RN_ED25519_SEED_LEN], const void *msg, size_t len,
    uint8_t sig[RN_ED25519_SIG_LEN]);
/*
 * RN_OK when sig is a valid signature of msg by pub.  A public key of small
 * order (the identity among them, which OpenSSL 3.0 accepts and which then
 * validates a forged signature on any message) or a non-canonical encoding
 * (y >= p) is refused with RN_ERR_CRYPTO before OpenSSL sees it; so is a
 * signature whose R is of small order.  rn_ed25519_pub_check() is that check alone.
 */
enum rn_err rn_ed25519_verify(const uint8_t pub[RN_ED25519_PUB_LEN], const void *msg, size_t len,
    const uint8_t sig[RN_ED25519_SIG_LEN]);
enum rn_err rn_ed25519_pub_check(const uint8_t pub[RN_ED25519_PUB_LEN]);

/* ---- hashes for Tor (daemon/crypto/sha3.c) ---- */

#define RN_SHA3_256_LEN 32u
#define RN_SHA512_LEN	64u

/* SHA3-256 (FIPS 202; the onion-address checksum) and SHA-512, one-shot. */
enum rn_err rn_sha3_256(const void *p, size_t n, uint8_t out[RN_SHA3_256_LEN]);
enum rn_err rn_sha512(const void *p, size_t n, uint8_t out[RN_SHA512_LEN]);

#endif
