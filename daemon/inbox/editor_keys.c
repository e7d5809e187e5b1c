/*
 * Editor keys in minisign's formats (daemon/inbox/README.md, "Editor keys").
 *
 * Public key: base64("Ed" || key id (8, little endian as printed) || Ed25519
 * public key (32)).  Secret key, as `minisign -G -W` writes it (158 bytes):
 * "Ed" (signature algorithm), 0x00 0x00 (no KDF: unencrypted), "B2"
 * (checksum algorithm), 32-byte KDF salt, 8-byte opslimit, 8-byte memlimit
 * (all zero), key id (8), secret key (64: the seed, then the public key),
 * checksum (32).  minisign computes and checks the checksum (BLAKE2b-256)
 * only for encrypted keys; for unencrypted ones it is left zero, as here.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"

#define SK_LEN	     158u
#define SK_OFF_KDF   2u
#define SK_OFF_CHK   4u
#define SK_OFF_KEYID 54u
#define SK_OFF_SEED  62u
#define SK_OFF_PUB   94u
#define PK_LEN	     42u
#define COMMENT	     "untrusted comment: "

struct rn_editor_secret {
	uint8_t seed[RN_ED25519_SEED_LEN];
	uint8_t pub[RN_ED25519_PUB_LEN];
	uint8_t keyid[RN_MINISIGN_KEYID_LEN];
};

enum rn_err
rn_minisign_pub_parse(
    const char *s, size_t n, uint8_t keyid[RN_MINISIGN_KEYID_LEN], uint8_t pub[RN_ED25519_PUB_LEN])
{
	uint8_t raw[PK_LEN + 3];
	size_t	len;

	if (n != RN_MINISIGN_PUB_B64_LEN ||
	    rn_base64_decode(s, n, raw, sizeof(raw), &len) != RN_OK || len != PK_LEN ||
	    raw[0] != 'E' || raw[1] != 'd')
		return RN_ERR_INVAL;
	if (rn_ed25519_pub_check(raw + 2 + RN_MINISIGN_KEYID_LEN) != RN_OK)
		return RN_ERR_INVAL;
	memcpy(keyid, raw + 2, RN_MINISIGN_KEYID_LEN);
	memcpy(pub, raw + 2 + RN_MINISIGN_KEYID_LEN, RN_ED25519_PUB_LEN);
	return RN_OK;
}

void
rn_minisign_pub_format(
    const uint8_t keyid[RN_MINISIGN_KEYID_LEN], const uint8_t pub[RN_ED25519_PUB_LEN], char *out)
{
	uint8_t raw[PK_LEN];

	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, keyid, RN_MINISIGN_KEYID_LEN);
	memcpy(raw + 2 + RN_MINISIGN_KEYID_LEN, pub, RN_ED25519_PUB_LEN);
	rn_base64_encode(raw, sizeof(raw), out);
}

enum rn_err
rn_editor_key_parse(const char *s, size_t n, struct rn_editor_key *out)
{
	size_t i = 0, start;

	memset(out, 0, sizeof(*out));
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	if (rn_minisign_pub_parse(s, i, out->keyid, out->pub) != RN_OK)
		return RN_ERR_INVAL;
	start = i;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == start)
		return RN_ERR_INVAL;
	if (rn_age_recipient_parse(s + i, n - i, &out->recipient) != RN_OK)
		return RN_ERR_INVAL;
	return RN_OK;
}

enum rn_err
rn_editor_secret_generate(struct rn_editor_secret **out)
{
	struct rn_editor_secret *sk;
	enum rn_err		 err;

	*out = NULL;
	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_ed25519_keygen(sk->seed, sk->pub)) != RN_OK ||
	    (err = rn_crypto_random(sk->keyid, sizeof(sk->keyid))) != RN_OK) {
		rn_editor_secret_free(sk);
		return err;
	}
	*out = sk;
	return RN_OK;
}

void
rn_editor_secret_free(struct rn_editor_secret *sk)
{
	if (sk == NULL)
		return;
	rn_crypto_wipe(sk, sizeof(*sk));
	free(sk);
}

/* The next line of [s, s+n) from *pos (LF or CRLF ends it); false at the end. */
static bool
next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *len)
{
	size_t i = *pos, e;

	if (i >= n)
		return false;
	for (e = i; e < n && s[e] != '\n'; e++)
		;
	*line = s + i;
	*len = e - i;
	if (*len > 0 && s[e - 1] == '\r' && e < n)
		(*len)--;
	*pos = e < n ? e + 1 : e;
	return true;
}

/* The key line of a minisign file: after an "untrusted comment:" line; nothing but blank lines
 * after. */
static enum rn_err
key_line(const char *s, size_t n, const char **key, size_t *keylen)
{
	const char *line;
	size_t	    len, pos = 0;

	if (n > RN_EDITOR_MAX_KEY_FILE)
		return RN_ERR_TOOBIG;
	if (!next_line(s, n, &pos, &line, &len) || len < strlen(COMMENT) ||
	    memcmp(line, COMMENT, strlen(COMMENT)) != 0)
		return RN_ERR_INVAL;
	if (!next_line(s, n, &pos, key, keylen))
		return RN_ERR_INVAL;
	while (next_line(s, n, &pos, &line, &len))
		if (len != 0)
			return RN_ERR_INVAL;
	return RN_OK;
}

static enum rn_err
secret_from_raw(const uint8_t *raw, struct rn_editor_secret **out)
{
	static const uint8_t	 zero[32];
	struct rn_editor_secret *sk;
	uint8_t			 pub[RN_ED25519_PUB_LEN];

	if (raw[0] != 'E' || raw[1] != 'd' || raw[SK_OFF_CHK] != 'B' || raw[SK_OFF_CHK + 1] != '2')
		return RN_ERR_INVAL;
	if (raw[SK_OFF_KDF] == 'S' && raw[SK_OFF_KDF + 1] == 'c')
		return RN_ERR_PERM; /* password-protected */
	if (raw[SK_OFF_KDF] != 0 || raw[SK_OFF_KDF + 1] != 0)
		return RN_ERR_INVAL;
	/* Unencrypted: salt and limits are zero, as minisign -W leaves them. */
	if (memcmp(raw + 6, zero, 32) != 0 || memcmp(raw + 38, zero, 16) != 0)
		return RN_ERR_INVAL;
	if (rn_ed25519_public(raw + SK_OFF_SEED, pub) != RN_OK ||
	    !rn_crypto_memeq(pub, raw + SK_OFF_PUB, sizeof(pub)) ||
	    rn_ed25519_pub_check(pub) != RN_OK)
		return RN_ERR_INVAL;
	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		return RN_ERR_NOMEM;
	memcpy(sk->seed, raw + SK_OFF_SEED, sizeof(sk->seed));
	memcpy(sk->pub, pub, sizeof(sk->pub));
	memcpy(sk->keyid, raw + SK_OFF_KEYID, sizeof(sk->keyid));
	*out = sk;
	return RN_OK;
}

enum rn_err
rn_editor_secret_parse_file(const char *s, size_t n, struct rn_editor_secret **out)
{
	uint8_t	    raw[SK_LEN + 3];
	const char *key;
	size_t	    keylen, len;
	enum rn_err err;

	*out = NULL;
	if ((err = key_line(s, n, &key, &keylen)) != RN_OK)
		return err;
	if (keylen != rn_base64_len(SK_LEN) ||
	    rn_base64_decode(key, keylen, raw, sizeof(raw), &len) != RN_OK || len != SK_LEN) {
		rn_crypto_wipe(raw, sizeof(raw));
		return RN_ERR_INVAL;
	}
	err = secret_from_raw(raw, out);
	rn_crypto_wipe(raw, sizeof(raw));
	return err;
}

enum rn_err
rn_editor_secret_format_file(const struct rn_editor_secret *sk, struct rn_buf *b)
{
	uint8_t	    raw[SK_LEN];
	char	    text[rn_base64_len(SK_LEN) + 1];
	enum rn_err err;

	memset(raw, 0, sizeof(raw));
	raw[0] = 'E';
	raw[1] = 'd';
	raw[SK_OFF_CHK] = 'B';
	raw[SK_OFF_CHK + 1] = '2';
	memcpy(raw + SK_OFF_KEYID, sk->keyid, sizeof(sk->keyid));
	memcpy(raw + SK_OFF_SEED, sk->seed, sizeof(sk->seed));
	memcpy(raw + SK_OFF_PUB, sk->pub, sizeof(sk->pub));
	rn_base64_encode(raw, sizeof(raw), text);
	err = rn_buf_printf(b, COMMENT "roneo editor secret key (unencrypted)\n%s\n", text);
	rn_crypto_wipe(raw, sizeof(raw));
	rn_crypto_wipe(text, sizeof(text));
	return err;
}

/* minisign prints the key id as the 64-bit little-endian number in upper-case hex. */
static void
keyid_text(const uint8_t keyid[RN_MINISIGN_KEYID_LEN], char out[17])
{
	static const char digits[] = "0123456789ABCDEF";
	size_t		  i;

	for (i = 0; i < RN_MINISIGN_KEYID_LEN; i++) {
		uint8_t v = keyid[RN_MINISIGN_KEYID_LEN - 1 - i];

		out[2 * i] = digits[v >> 4];
		out[2 * i + 1] = digits[v & 15];
	}
	out[16] = '\0';
}

enum rn_err
rn_editor_secret_format_pub(const struct rn_editor_secret *sk, struct rn_buf *b)
{
	char text[RN_MINISIGN_PUB_B64_LEN + 1], id[17];

	rn_minisign_pub_format(sk->keyid, sk->pub, text);
	keyid_text(sk->keyid, id);
	return rn_buf_printf(b, COMMENT "minisign public key %s\n%s\n", id, text);
}

const uint8_t *
rn_editor_secret_pub(const struct rn_editor_secret *sk)
{
	return sk->pub;
}

const uint8_t *
rn_editor_secret_keyid(const struct rn_editor_secret *sk)
{
	return sk->keyid;
}

enum rn_err
rn_editor_secret_sign(
    const struct rn_editor_secret *sk, const void *msg, size_t len, uint8_t sig[RN_ED25519_SIG_LEN])
{
	return rn_ed25519_sign(sk->seed, msg, len, sig);
}

void
rn_x25519_base32(const uint8_t key[RN_X25519_LEN], char out[RN_X25519_B32_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned int	  acc = 0, bits = 0;
	size_t		  i, o = 0;

	for (i = 0; i < RN_X25519_LEN; i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = alphabet[(acc >> bits) & 31u];
		}
		acc &= (1u << bits) - 1u;
	}
	if (bits > 0)
		out[o++] = alphabet[(acc << (5 - bits)) & 31u];
	out[o] = '\0';
}
