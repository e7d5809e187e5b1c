/*
 * The cryptography of the age v1 format, all through EVP: the X25519 stanza's
 * wrap key and ChaCha20-Poly1305 wrap, the header MAC and the payload STREAM.
 * The writer (age_writer.c) and the reader (age_reader.c) build on these.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/age_int.h"

#define AEAD_NONCE_LEN 12u

const char *
rn_age_status_str(enum rn_age_status st)
{
	switch (st) {
	case RN_AGE_OK: return "ok";
	case RN_AGE_HEADER: return "malformed or oversized age header";
	case RN_AGE_UNSUPPORTED:
		return "unsupported age file (armored, passphrase-encrypted or not v1)";
	case RN_AGE_NO_MATCH: return "no identity matched any recipient of the file";
	case RN_AGE_HMAC: return "age header MAC mismatch (the header was tampered with)";
	case RN_AGE_PAYLOAD:
		return "age payload truncated, tampered with or followed by extra data";
	case RN_AGE_FAILED: return "internal failure (memory, output or cryptographic library)";
	}
	return "unknown status";
}

enum rn_err
rn_age_x25519_wrap_key(const uint8_t shared[RN_X25519_LEN], const uint8_t share[RN_X25519_LEN],
    const uint8_t rcpt[RN_X25519_LEN], uint8_t key[32])
{
	uint8_t salt[2 * RN_X25519_LEN];

	memcpy(salt, share, RN_X25519_LEN);
	memcpy(salt + RN_X25519_LEN, rcpt, RN_X25519_LEN);
	return rn_hkdf_sha256(salt, sizeof(salt), shared, RN_X25519_LEN, AGE_X25519_INFO,
	    strlen(AGE_X25519_INFO), key, 32);
}

/* One ChaCha20-Poly1305 operation with a fresh context and a zero nonce. */
static enum rn_err
aead_once(const uint8_t key[32], bool enc, const uint8_t *in, uint8_t *out, uint8_t tag[16])
{
	static const uint8_t zero[AEAD_NONCE_LEN];
	EVP_CIPHER_CTX	    *ctx;
	int		     len = 0, fin = 0, ok;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return RN_ERR_NOMEM;
	ok = EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, zero, enc ? 1 : 0) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, RN_AGE_TAG_LEN, tag) == 1) &&
	     EVP_CipherUpdate(ctx, out, &len, in, RN_AGE_FILE_KEY_LEN) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + len, &fin) == 1 && len + fin == RN_AGE_FILE_KEY_LEN &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, RN_AGE_TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
	if (!ok) {
		OPENSSL_cleanse(out, RN_AGE_FILE_KEY_LEN);
		return RN_ERR_CRYPTO;
	}
	return RN_OK;
}

enum rn_err
rn_age_wrap(
    const uint8_t key[32], const uint8_t in[RN_AGE_FILE_KEY_LEN], uint8_t out[AGE_WRAPPED_LEN])
{
	return aead_once(key, true, in, out, out + RN_AGE_FILE_KEY_LEN);
}

enum rn_err
rn_age_unwrap(
    const uint8_t key[32], const uint8_t in[AGE_WRAPPED_LEN], uint8_t out[RN_AGE_FILE_KEY_LEN])
{
	uint8_t tag[RN_AGE_TAG_LEN];

	memcpy(tag, in + RN_AGE_FILE_KEY_LEN, sizeof(tag));
	return aead_once(key, false, in, out, tag);
}

enum rn_err
rn_age_header_mac(const uint8_t file_key[RN_AGE_FILE_KEY_LEN], const void *hdr, size_t len,
    uint8_t mac[RN_HMAC_SHA256_LEN])
{
	uint8_t	    key[32];
	enum rn_err err;

	if ((err = rn_hkdf_sha256(
		 NULL, 0, file_key, RN_AGE_FILE_KEY_LEN, "header", 6, key, sizeof(key))) == RN_OK)
		err = rn_hmac_sha256(key, sizeof(key), hdr, len, mac);
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

enum rn_err
rn_age_stream_new(const uint8_t file_key[RN_AGE_FILE_KEY_LEN],
    const uint8_t nonce[RN_AGE_NONCE_LEN], bool enc, EVP_CIPHER_CTX **out)
{
	static const uint8_t zero[AEAD_NONCE_LEN];
	uint8_t		     key[32];
	EVP_CIPHER_CTX	    *ctx = NULL;
	enum rn_err	     err;

	*out = NULL;
	if ((err = rn_hkdf_sha256(nonce, RN_AGE_NONCE_LEN, file_key, RN_AGE_FILE_KEY_LEN, "payload",
		 7, key, sizeof(key))) != RN_OK)
		goto out;
	err = RN_ERR_CRYPTO;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, zero, enc ? 1 : 0) != 1)
		goto out;
	*out = ctx;
	ctx = NULL;
	err = RN_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

enum rn_err
rn_age_stream_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, bool enc, const uint8_t *in,
    size_t len, uint8_t *out)
{
	uint8_t nonce[AEAD_NONCE_LEN] = { 0 }, tag[RN_AGE_TAG_LEN];
	int	outl = 0, fin = 0, i;

	if (len > RN_AGE_CHUNK || len > INT_MAX)
		return RN_ERR_INVAL;
	/* 11-byte big-endian counter (the top three bytes stay zero), then the last flag. */
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (uint8_t)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
	if (!enc)
		memcpy(tag, in + len, sizeof(tag));
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc ? 1 : 0) != 1 ||
	    (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, RN_AGE_TAG_LEN, tag) != 1))
		return RN_ERR_CRYPTO;
	if ((len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1) ||
	    EVP_CipherFinal_ex(ctx, out + outl, &fin) != 1 || (size_t)outl + (size_t)fin != len) {
		OPENSSL_cleanse(out, len); /* unauthenticated plaintext never leaves */
		return RN_ERR_CRYPTO;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, RN_AGE_TAG_LEN, out + len) != 1)
		return RN_ERR_CRYPTO;
	return RN_OK;
}
