/* Form tokens (see token.h): HMAC-SHA256 over the form name and an expiry hour. */
#include <stdio.h>
#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_util.h"
#include "inbox/token.h"

#define MAC_HEX 32u

static enum rn_err
mac_hex(const struct rn_form_key *key, const char *form, uint32_t hour, char out[MAC_HEX + 1])
{
	uint8_t	    mac[RN_HMAC_SHA256_LEN], msg[RN_FORM_NAME_MAX + 8];
	size_t	    n = strlen(form);
	enum rn_err err;

	if (n > RN_FORM_NAME_MAX)
		return RN_ERR_INVAL;
	memcpy(msg, form, n);
	msg[n++] = (uint8_t)(hour >> 24);
	msg[n++] = (uint8_t)(hour >> 16);
	msg[n++] = (uint8_t)(hour >> 8);
	msg[n++] = (uint8_t)hour;
	if ((err = rn_hmac_sha256(key->k, sizeof(key->k), msg, n, mac)) == RN_OK)
		rn_hex_encode(mac, MAC_HEX / 2, out);
	rn_crypto_wipe(mac, sizeof(mac));
	return err;
}

enum rn_err
rn_form_key_init(struct rn_form_key *key)
{
	return rn_crypto_random(key->k, sizeof(key->k));
}

void
rn_form_key_wipe(struct rn_form_key *key)
{
	rn_crypto_wipe(key->k, sizeof(key->k));
}

enum rn_err
rn_form_token(
    const struct rn_form_key *key, const char *form, uint64_t now, char out[RN_FORM_TOKEN_LEN + 1])
{
	uint32_t    hour = (uint32_t)(now / 3600u) + RN_FORM_TOKEN_HOURS;
	char	    mac[MAC_HEX + 1];
	enum rn_err err;

	if ((err = mac_hex(key, form, hour, mac)) != RN_OK)
		return err;
	snprintf(out, RN_FORM_TOKEN_LEN + 1, "1.%08x.%s", (unsigned)hour, mac);
	return RN_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
rn_form_token_ok(
    const struct rn_form_key *key, const char *form, const char *tok, size_t len, uint64_t now)
{
	char	 mac[MAC_HEX + 1];
	uint32_t hour = 0;
	size_t	 i;
	int	 v;

	if (len != RN_FORM_TOKEN_LEN || tok[0] != '1' || tok[1] != '.' || tok[10] != '.')
		return false;
	for (i = 2; i < 10; i++) {
		if ((v = hexval(tok[i])) < 0)
			return false;
		hour = (hour << 4) | (uint32_t)v;
	}
	/* Expired, or further ahead than we ever issue: refused. */
	if ((uint64_t)hour * 3600u <= now || hour > (uint32_t)(now / 3600u) + RN_FORM_TOKEN_HOURS)
		return false;
	if (mac_hex(key, form, hour, mac) != RN_OK)
		return false;
	return rn_crypto_memeq(mac, tok + 11, MAC_HEX);
}
