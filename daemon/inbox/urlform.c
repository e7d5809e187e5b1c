/*
 * application/x-www-form-urlencoded bodies (the WHATWG URL standard's
 * serialisation, as browsers send it): name=value pairs joined by '&', '+'
 * for a space, %XX escapes.  Strict: a malformed escape, an empty name, a
 * decoded NUL or a field given twice is refused.
 */
#include <string.h>

#include "inbox/dropbox.h"

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

/* Decode [s, s+n) into out (outsz bytes, NUL-terminated) or just check it when out is NULL. */
static enum rn_err
decode(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	size_t i, o = 0;
	int    hi, lo;
	char   ch;

	for (i = 0; i < n; i++) {
		ch = s[i];
		if (ch == '+')
			ch = ' ';
		else if (ch == '%') {
			if (n - i < 3)
				return RN_ERR_INVAL;
			if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return RN_ERR_INVAL;
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		if (ch == '\0')
			return RN_ERR_INVAL;
		if (out != NULL) {
			if (o + 1 >= outsz)
				return RN_ERR_TOOBIG;
			out[o] = ch;
		}
		o++;
	}
	if (out != NULL)
		out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return RN_OK;
}

enum rn_err
rn_urlform_get(
    const char *body, size_t len, const char *name, char *out, size_t outsz, size_t *outlen)
{
	const char *p = body, *end = body + len, *amp, *eq;
	char	    key[64];
	size_t	    klen;
	bool	    found = false;
	enum rn_err err;

	*outlen = 0;
	if (outsz == 0 || (len > 0 && body == NULL))
		return RN_ERR_INVAL;
	out[0] = '\0';
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL || eq == p)
			return RN_ERR_INVAL;
		if ((err = decode(p, (size_t)(eq - p), key, sizeof(key), &klen)) != RN_OK)
			return RN_ERR_INVAL;
		if (strcmp(key, name) == 0) {
			if (found)
				return RN_ERR_INVAL;
			found = true;
			if ((err = decode(eq + 1, (size_t)(amp - eq - 1), out, outsz, outlen)) !=
			    RN_OK)
				return err;
		} else if ((err = decode(eq + 1, (size_t)(amp - eq - 1), NULL, 0, NULL)) != RN_OK)
			return err;
		p = amp + 1;
		/* A trailing '&' leaves nothing after it: that is malformed too. */
		if (amp != end && p == end)
			return RN_ERR_INVAL;
	}
	return found ? RN_OK : RN_ERR_NOTFOUND;
}
