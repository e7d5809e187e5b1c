/* Internals of the age implementation shared by age.c and age_header.c. */
#ifndef RN_CRYPTO_AGE_INT_H
#define RN_CRYPTO_AGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "roneo/rn_age.h"
#include "roneo/rn_err.h"
#include "roneo/rn_limits.h"

#define AGE_VERSION_LINE "age-encryption.org/v1"
#define AGE_MAC_B64_LEN	 43u /* 32 bytes in unpadded base64 */
#define AGE_COLUMNS	 64u /* a full stanza body line */

struct age_stanza {
	char	*args[RN_AGE_MAX_ARGS]; /* NUL-terminated, within `line` */
	size_t	 nargs;
	char	*line; /* the argument line's copy, spaces made NULs */
	uint8_t *body; /* decoded, bodylen bytes (never NULL once parsed) */
	size_t	 bodylen;
};

/* A secret: wiped by rn_age_identity_free(). */
struct rn_age_identity {
	uint8_t secret[RN_X25519_LEN];
	uint8_t pub[RN_X25519_LEN];
};

struct rn_age_header {
	struct age_stanza *stanzas;
	size_t		   nstanzas;
	size_t		   maclen; /* header bytes the MAC covers (through "---") */
	uint8_t		   mac[RN_HMAC_SHA256_LEN];
};

/* Unpadded base64 of n bytes into out (4n/3 rounded up, plus the NUL). */
size_t rn_age_b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz);
/*
 * Decode canonical unpadded base64 [in, in+n) into out (outsz bytes at most):
 * no '=', no other characters, zero unused bits.  RN_ERR_INVAL otherwise.
 */
enum rn_err rn_age_b64_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen);

/* ---- age.c: the format's cryptography ---- */

#define AGE_X25519_INFO "age-encryption.org/v1/X25519"
#define AGE_WRAPPED_LEN (RN_AGE_FILE_KEY_LEN + RN_AGE_TAG_LEN)

/* The wrap key of an X25519 stanza: HKDF(shared, salt = share || recipient). */
enum rn_err rn_age_x25519_wrap_key(const uint8_t shared[RN_X25519_LEN],
    const uint8_t share[RN_X25519_LEN], const uint8_t rcpt[RN_X25519_LEN], uint8_t key[32]);
/* ChaCha20-Poly1305 with a zero nonce: wrap 16 bytes into 32, or unwrap 32 into 16. */
enum rn_err rn_age_wrap(
    const uint8_t key[32], const uint8_t in[RN_AGE_FILE_KEY_LEN], uint8_t out[AGE_WRAPPED_LEN]);
enum rn_err rn_age_unwrap(
    const uint8_t key[32], const uint8_t in[AGE_WRAPPED_LEN], uint8_t out[RN_AGE_FILE_KEY_LEN]);
/* HMAC-SHA256 of the header bytes, keyed by HKDF(file key, "header"). */
enum rn_err rn_age_header_mac(const uint8_t file_key[RN_AGE_FILE_KEY_LEN], const void *hdr,
    size_t len, uint8_t mac[RN_HMAC_SHA256_LEN]);
/* A ChaCha20-Poly1305 context keyed with HKDF(file key, salt = nonce, "payload"). */
enum rn_err rn_age_stream_new(const uint8_t file_key[RN_AGE_FILE_KEY_LEN],
    const uint8_t nonce[RN_AGE_NONCE_LEN], bool enc, EVP_CIPHER_CTX **out);
/*
 * Seal or open chunk `counter`: len bytes of plaintext (or ciphertext) at in
 * go to out (which may be in).  Sealing writes the tag at out + len; opening
 * checks the tag at in + len and, when it is wrong, wipes out and fails.
 */
enum rn_err rn_age_stream_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, bool enc,
    const uint8_t *in, size_t len, uint8_t *out);

/* ---- age_writer.c ---- */

/*
 * Tests only: when set, called with the counter and last flag of every chunk
 * the writer seals, just before it does (to check each counter is used once).
 */
extern void (*rn_age_seal_hook)(uint64_t counter, bool last, void *arg);
extern void *rn_age_seal_hook_arg;

#endif
