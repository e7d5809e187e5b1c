/* Base64 (RFC 4648) and hex decoding, strict: one accepted spelling per byte string. */
#include <stdint.h>
#include <string.h>

#include "roneo/rn_util.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
rn_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t	 i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

enum rn_err
rn_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t	 i, j, o = 0, pad = 0;
	uint32_t v;
	int	 d;

	*outlen = 0;
	if (n % 4 != 0)
		return RN_ERR_INVAL;
	if (n > 0 && in[n - 1] == '=')
		pad = (in[n - 2] == '=') ? 2 : 1;
	if ((n / 4) * 3 - pad > outsz)
		return RN_ERR_TOOBIG;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + j >= n - pad) {
				v <<= 6;
				continue;
			}
			if ((d = b64val(in[i + j])) < 0)
				return RN_ERR_INVAL;
			v = v << 6 | (uint32_t)d;
		}
		out[o++] = (uint8_t)(v >> 16);
		if (i + 4 < n || pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (i + 4 < n || pad < 1)
			out[o++] = (uint8_t)v;
		/* The bits the padding leaves over must be zero (one spelling only). */
		if (i + 4 == n &&
		    ((pad == 2 && (v & 0xffff) != 0) || (pad == 1 && (v & 0xff) != 0)))
			return RN_ERR_INVAL;
	}
	*outlen = o;
	return RN_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum rn_err
rn_hex_decode(const char *in, size_t n, uint8_t *out, size_t outsz)
{
	size_t i;
	int    hi, lo;

	if (n != 2 * outsz)
		return RN_ERR_INVAL;
	for (i = 0; i < outsz; i++) {
		if ((hi = hexval(in[2 * i])) < 0 || (lo = hexval(in[2 * i + 1])) < 0)
			return RN_ERR_INVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return RN_OK;
}
