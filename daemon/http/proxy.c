/*
 * The PROXY protocol v1 header of the onion listener, as tor writes it with
 * HiddenServiceExportCircuitID haproxy (tor's export_hs_client_circuit_id():
 * "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %d %d\r\n").  Only that form is
 * accepted: the header is the one thing on the connection roneo trusts to
 * name a circuit, and a parser that takes exactly one spelling has nothing
 * to disagree about.  The parser works on any prefix, so a connection that
 * starts with anything else is refused at its first wrong byte.
 */
#include <string.h>

#include "roneo/rn_limits.h"
#include "http/proxy.h"

#define PREFIX	   "PROXY TCP6 fc00:dead:beef:4dad::"
#define DST	   " ::1 "
#define HEX_DIGITS 4u /* of one 16-bit group */
#define DEC_DIGITS 5u /* of a port */

struct cursor {
	const char *p;
	size_t	    len, i;
};

/* The literal s at the cursor: RN_ERR_AGAIN when the input ends inside it. */
static enum rn_err
literal(struct cursor *c, const char *s)
{
	size_t n = strlen(s), k;

	for (k = 0; k < n; k++, c->i++) {
		if (c->i >= c->len)
			return RN_ERR_AGAIN;
		if (c->p[c->i] != s[k])
			return RN_ERR_PROTO;
	}
	return RN_OK;
}

static int
digit_value(char ch, unsigned base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/*
 * A number in base 10 or 16, as printf's %d or %x writes one: at least one
 * digit, no leading zero (but "0" itself), at most max_digits, at most 65535.
 * It ends at the first non-digit, which is left for the caller.
 */
static enum rn_err
number(struct cursor *c, unsigned base, size_t max_digits, uint16_t *out)
{
	uint32_t v = 0;
	size_t	 n = 0;
	int	 d;

	for (;;) {
		if (c->i >= c->len)
			return RN_ERR_AGAIN;
		if ((d = digit_value(c->p[c->i], base)) < 0)
			break;
		if (n == 1 && v == 0)
			return RN_ERR_PROTO; /* a leading zero */
		if (++n > max_digits)
			return RN_ERR_PROTO;
		v = v * base + (uint32_t)d;
		if (v > UINT16_MAX)
			return RN_ERR_PROTO;
		c->i++;
	}
	if (n == 0)
		return RN_ERR_PROTO;
	*out = (uint16_t)v;
	return RN_OK;
}

enum rn_err
rn_http_proxy_parse(const char *buf, size_t len, struct rn_http_proxy *out, size_t *used)
{
	struct cursor c = { buf, len, 0 };
	uint16_t      hi = 0, lo = 0, sport = 0, dport = 0;
	enum rn_err   r;

	if (len > RN_PROXY_V1_MAX)
		c.len = RN_PROXY_V1_MAX;
	if ((r = literal(&c, PREFIX)) != RN_OK || (r = number(&c, 16, HEX_DIGITS, &hi)) != RN_OK ||
	    (r = literal(&c, ":")) != RN_OK || (r = number(&c, 16, HEX_DIGITS, &lo)) != RN_OK ||
	    (r = literal(&c, DST)) != RN_OK || (r = number(&c, 10, DEC_DIGITS, &sport)) != RN_OK ||
	    (r = literal(&c, " ")) != RN_OK || (r = number(&c, 10, DEC_DIGITS, &dport)) != RN_OK ||
	    (r = literal(&c, "\r\n")) != RN_OK)
		goto out;
	out->circuit = (uint32_t)hi << 16 | lo;
	out->src_port = sport;
	out->dst_port = dport;
	*used = c.i;
out:
	/* Cut at the cap: a prefix that long is no header (cannot happen, as
	 * tor's longest is 58 bytes, but the bound must not rest on that). */
	if (r == RN_ERR_AGAIN && c.len == RN_PROXY_V1_MAX)
		r = RN_ERR_PROTO;
	return r;
}
