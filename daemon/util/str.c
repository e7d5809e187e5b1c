/* Bounded, locale-independent string and number helpers. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "roneo/rn_util.h"

enum rn_err
rn_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t	 i;

	if (n == 0)
		return RN_ERR_INVAL;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return RN_ERR_INVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return RN_ERR_TOOBIG;
		v = v * 10 + d;
	}
	*out = v;
	return RN_OK;
}

void
rn_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		  i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool
rn_ascii_casecmp_n(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

const char *
rn_escape_untrusted(const char *s, size_t n, size_t max, char *out, size_t outsz)
{
	static const char digits[] = "0123456789abcdef";
	size_t		  i, o = 0;

	if (outsz == 0)
		return out;
	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 0x0f];
		}
	}
	if (i < n && o + 3 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

uint64_t
rn_time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
