/* Base32 (RFC 4648 section 6) without padding, as onion addresses and tor's client-auth keys use
 * it. */
#include <string.h>

#include "roneo/rn_tor.h"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
rn_base32_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
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

static int
value_of(char ch, int *cls)
{
	if (ch >= 'a' && ch <= 'z') {
		*cls = 1;
		return ch - 'a';
	}
	if (ch >= 'A' && ch <= 'Z') {
		*cls = 2;
		return ch - 'A';
	}
	*cls = 0;
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	return -1;
}

enum rn_err
rn_base32_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t	 i, o = 0;
	int	 v, cls, seen = 0;

	*outlen = 0;
	/* Lengths that leave 5 or more spare bits cannot come from an encoder. */
	if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
		return RN_ERR_INVAL;
	for (i = 0; i < n; i++) {
		if ((v = value_of(in[i], &cls)) < 0)
			return RN_ERR_INVAL;
		if (cls != 0) {
			if (seen != 0 && seen != cls)
				return RN_ERR_INVAL; /* mixed case */
			seen = cls;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return RN_ERR_TOOBIG;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1u;
		}
	}
	if (acc != 0)
		return RN_ERR_INVAL; /* unused bits must be zero */
	*outlen = o;
	return RN_OK;
}
