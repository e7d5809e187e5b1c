/*
 * Bech32 as BIP-173 describes it, for age recipients and identities.  The
 * data part of an identity is a secret key, so characters are mapped to and
 * from their 5-bit values by scanning the whole alphabet with masks rather
 * than by indexing a table with them.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/bech32.h"
#include "roneo/rn_limits.h"

#define BECH32_CHECKSUM 6u
#define BECH32_MAX_HRP	83u

static const char alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* All ones when a == b, else zero; a, b < 2^16. */
static uint32_t
ct_eq_mask(uint32_t a, uint32_t b)
{
	return 0u - (((a ^ b) - 1u) >> 31);
}

/* 1 when lo <= c <= hi, else 0, without a branch on c; all < 2^16. */
static uint32_t
ct_in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	return (((c - lo) >> 31) ^ 1u) & (((hi - c) >> 31) ^ 1u);
}

static uint32_t
polymod_step(uint32_t chk, uint32_t v)
{
	static const uint32_t gen[5] = { 0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
		0x2a1462b3u };
	uint32_t	      top = chk >> 25;
	size_t		      i;

	chk = ((chk & 0x1ffffffu) << 5) ^ v;
	for (i = 0; i < 5; i++)
		chk ^= (0u - ((top >> i) & 1u)) & gen[i];
	return chk;
}

/* The checksum state after the expanded human-readable part (lower case). */
static uint32_t
polymod_hrp(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	size_t	 i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, ((uint32_t)(unsigned char)hrp[i] |
					    0x20u * ct_in_range((unsigned char)hrp[i], 'A', 'Z')) >>
					    5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, ((uint32_t)(unsigned char)hrp[i] |
					    0x20u * ct_in_range((unsigned char)hrp[i], 'A', 'Z')) &
					    31u);
	return chk;
}

/* The alphabet character of a 5-bit value, in constant time. */
static char
value_to_char(uint32_t v, bool upper)
{
	uint32_t c = 0, i;

	for (i = 0; i < 32; i++)
		c |= ct_eq_mask(v, i) & (uint32_t)(unsigned char)alphabet[i];
	if (upper)
		c -= 0x20u * ct_in_range(c, 'a', 'z');
	return (char)c;
}

/* The 5-bit value of a (lower-cased) character; *bad gets 1 when it is none. */
static uint8_t
char_to_value(uint32_t c, uint32_t *bad)
{
	uint32_t v = 0, found = 0, i;

	for (i = 0; i < 32; i++) {
		uint32_t m = ct_eq_mask(c, (uint32_t)(unsigned char)alphabet[i]);

		v |= m & i;
		found |= m & 1u;
	}
	*bad |= found ^ 1u;
	return (uint8_t)v;
}

static bool
hrp_valid(const char *hrp, size_t n)
{
	size_t i;

	if (n == 0 || n > BECH32_MAX_HRP)
		return false;
	for (i = 0; i < n; i++)
		if (hrp[i] < 33 || hrp[i] > 126)
			return false;
	return true;
}

enum rn_err
rn_bech32_encode(
    const char *hrp, const uint8_t *data, size_t len, bool upper, char *out, size_t outsz)
{
	size_t	 hlen = hrp != NULL ? strlen(hrp) : 0, ngroups, total, o = 0, i;
	uint32_t chk, acc = 0, bits = 0;

	if (!hrp_valid(hrp, hlen) || (data == NULL && len > 0) || out == NULL)
		return RN_ERR_INVAL;
	if (len > RN_BECH32_MAX)
		return RN_ERR_TOOBIG;
	ngroups = (len * 8 + 4) / 5;
	total = hlen + 1 + ngroups + BECH32_CHECKSUM;
	if (total > RN_BECH32_MAX || total >= outsz)
		return RN_ERR_TOOBIG;
	chk = polymod_hrp(hrp, hlen);
	for (i = 0; i < hlen; i++) {
		char c = hrp[i];

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 0x20);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c + 0x20);
		out[o++] = c;
	}
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			chk = polymod_step(chk, (acc >> bits) & 31u);
			out[o++] = value_to_char((acc >> bits) & 31u, upper);
		}
		acc &= 0xffu;
	}
	if (bits > 0) {
		chk = polymod_step(chk, (acc << (5 - bits)) & 31u);
		out[o++] = value_to_char((acc << (5 - bits)) & 31u, upper);
	}
	for (i = 0; i < BECH32_CHECKSUM; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1u;
	for (i = 0; i < BECH32_CHECKSUM; i++)
		out[o++] = value_to_char((chk >> (5 * (BECH32_CHECKSUM - 1 - i))) & 31u, upper);
	out[o] = '\0';
	return RN_OK;
}

/* Check the characters and their case; the position of the separator in *sep. */
static enum rn_err
check_chars(const char *s, size_t n, size_t *sep)
{
	uint32_t lower = 0, upper = 0, bad = 0;
	size_t	 i, pos = n;

	for (i = 0; i < n; i++) {
		uint32_t c = (unsigned char)s[i];

		bad |= ct_in_range(c, 33, 126) ^ 1u;
		lower |= ct_in_range(c, 'a', 'z');
		upper |= ct_in_range(c, 'A', 'Z');
		if (c == '1')
			pos = i;
	}
	if (bad || (lower && upper) || pos == n || pos == 0 || n - pos - 1 < BECH32_CHECKSUM)
		return RN_ERR_INVAL;
	*sep = pos;
	return RN_OK;
}

enum rn_err
rn_bech32_decode(
    const char *s, size_t n, char *hrp, size_t hrpsz, uint8_t *data, size_t datasz, size_t *datalen)
{
	uint8_t	    vals[RN_BECH32_MAX];
	uint32_t    chk, acc = 0, bits = 0, bad = 0;
	size_t	    sep = 0, nvals, o = 0, i;
	enum rn_err err;

	if (s == NULL || hrp == NULL || data == NULL || datalen == NULL)
		return RN_ERR_INVAL;
	if (n > RN_BECH32_MAX)
		return RN_ERR_INVAL;
	if ((err = check_chars(s, n, &sep)) != RN_OK)
		return err;
	if (sep > BECH32_MAX_HRP)
		return RN_ERR_INVAL;
	if (sep >= hrpsz)
		return RN_ERR_TOOBIG;
	nvals = n - sep - 1;
	for (i = 0; i < nvals; i++) {
		uint32_t c = (unsigned char)s[sep + 1 + i];

		vals[i] = char_to_value(c | 0x20u * ct_in_range(c, 'A', 'Z'), &bad);
	}
	chk = polymod_hrp(s, sep);
	for (i = 0; i < nvals; i++)
		chk = polymod_step(chk, vals[i]);
	/* Padding: fewer than 5 bits, all zero (BIP-173's convertbits without pad). */
	if (bad || chk != 1u || ((nvals - BECH32_CHECKSUM) * 5) % 8 >= 5) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if ((nvals - BECH32_CHECKSUM) * 5 / 8 > datasz) {
		err = RN_ERR_TOOBIG;
		goto out;
	}
	for (i = 0; i < nvals - BECH32_CHECKSUM; i++) {
		acc = ((acc << 5) | vals[i]) & 0xfffu;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			data[o++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1u)) != 0) {
		err = RN_ERR_INVAL;
		goto out;
	}
	memcpy(hrp, s, sep);
	hrp[sep] = '\0';
	*datalen = o;
	err = RN_OK;
out:
	if (err != RN_OK)
		OPENSSL_cleanse(data, datasz);
	OPENSSL_cleanse(vals, sizeof(vals));
	return err;
}
