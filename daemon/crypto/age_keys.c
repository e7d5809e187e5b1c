/* age X25519 recipients and identities in their Bech32 text forms. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/age_int.h"
#include "crypto/bech32.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP  "AGE-SECRET-KEY-"

enum rn_err
rn_age_recipient_parse(const char *s, size_t n, struct rn_age_recipient *out)
{
	char	    hrp[sizeof(RECIPIENT_HRP)];
	uint8_t	    key[RN_BECH32_MAX];
	size_t	    len = 0;
	enum rn_err err;

	if (s == NULL || out == NULL)
		return RN_ERR_INVAL;
	err = rn_bech32_decode(s, n, hrp, sizeof(hrp), key, sizeof(key), &len);
	if (err != RN_OK || strcmp(hrp, RECIPIENT_HRP) != 0 || len != RN_X25519_LEN)
		return RN_ERR_INVAL;
	memcpy(out->key, key, RN_X25519_LEN);
	return RN_OK;
}

enum rn_err
rn_age_recipient_format(const struct rn_age_recipient *r, char *out, size_t outsz)
{
	if (r == NULL || out == NULL || outsz < RN_AGE_RECIPIENT_BUFSZ)
		return RN_ERR_INVAL;
	return rn_bech32_encode(RECIPIENT_HRP, r->key, RN_X25519_LEN, false, out, outsz);
}

enum rn_err
rn_age_identity_from_secret(const uint8_t secret[RN_X25519_LEN], struct rn_age_identity **out)
{
	struct rn_age_identity *id;
	enum rn_err		err;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (secret == NULL)
		return RN_ERR_INVAL;
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return RN_ERR_NOMEM;
	memcpy(id->secret, secret, RN_X25519_LEN);
	if ((err = rn_x25519_public(id->secret, id->pub)) != RN_OK) {
		rn_age_identity_free(id);
		return err;
	}
	*out = id;
	return RN_OK;
}

enum rn_err
rn_age_identity_generate(struct rn_age_identity **out)
{
	uint8_t	    secret[RN_X25519_LEN];
	enum rn_err err;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if ((err = rn_crypto_random(secret, sizeof(secret))) == RN_OK)
		err = rn_age_identity_from_secret(secret, out);
	OPENSSL_cleanse(secret, sizeof(secret));
	return err;
}

enum rn_err
rn_age_identity_parse(const char *s, size_t n, struct rn_age_identity **out)
{
	char	    hrp[sizeof(IDENTITY_HRP)];
	uint8_t	    key[RN_BECH32_MAX];
	size_t	    len = 0;
	enum rn_err err;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (s == NULL)
		return RN_ERR_INVAL;
	err = rn_bech32_decode(s, n, hrp, sizeof(hrp), key, sizeof(key), &len);
	if (err != RN_OK || strcmp(hrp, IDENTITY_HRP) != 0 || len != RN_X25519_LEN)
		err = RN_ERR_INVAL;
	else
		err = rn_age_identity_from_secret(key, out);
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

enum rn_err
rn_age_identity_parse_file(const char *s, size_t n, struct rn_age_identity **out)
{
	struct rn_age_identity *id = NULL;
	size_t			pos = 0;
	enum rn_err		err;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (s == NULL && n > 0)
		return RN_ERR_INVAL;
	if (n > RN_AGE_MAX_IDENTITY_FILE)
		return RN_ERR_TOOBIG;
	while (pos < n) {
		const char *lf = memchr(s + pos, '\n', n - pos);
		size_t	    len = lf != NULL ? (size_t)(lf - (s + pos)) : n - pos;
		size_t	    next = pos + len + (lf != NULL);

		if (len > 0 && s[pos + len - 1] == '\r')
			len--;
		if (len == 0 || s[pos] == '#') {
			pos = next;
			continue;
		}
		if (id != NULL) { /* a second identity: refused, as documented */
			rn_age_identity_free(id);
			return RN_ERR_INVAL;
		}
		if ((err = rn_age_identity_parse(s + pos, len, &id)) != RN_OK)
			return err;
		pos = next;
	}
	if (id == NULL)
		return RN_ERR_NOTFOUND;
	*out = id;
	return RN_OK;
}

void
rn_age_identity_free(struct rn_age_identity *id)
{
	if (id == NULL)
		return;
	OPENSSL_cleanse(id, sizeof(*id));
	free(id);
}

enum rn_err
rn_age_identity_format(const struct rn_age_identity *id, char *out, size_t outsz)
{
	if (id == NULL || out == NULL || outsz < RN_AGE_IDENTITY_BUFSZ)
		return RN_ERR_INVAL;
	return rn_bech32_encode(IDENTITY_HRP, id->secret, RN_X25519_LEN, true, out, outsz);
}

void
rn_age_identity_recipient(const struct rn_age_identity *id, struct rn_age_recipient *out)
{
	memcpy(out->key, id->pub, RN_X25519_LEN);
}
