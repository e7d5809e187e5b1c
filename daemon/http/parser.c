/*
 * The strict HTTP/1.1 request-head parser (RFC 9110, RFC 9112): bytes in,
 * struct out.  No I/O, no allocation, no state outside the caller's struct;
 * every loop is bounded by the caller's length, and character classes come
 * from one table.
 *
 * Policy, where the RFCs leave a choice:
 * - Anything not in the grammar is refused (400) rather than repaired:
 *   obs-fold, whitespace before ':', bare CR or LF, CTLs in values, request
 *   targets with characters outside RFC 3986 or with dot segments.
 * - roneo never accepts a transfer-coded (chunked) request body: uploads are
 *   small and always sent with Content-Length, and refusing
 *   Transfer-Encoding outright (411, or 400 together with Content-Length)
 *   removes the request-smuggling ambiguities of RFC 9112 section 6.3.
 * - A Host must be present in HTTP/1.0 too: every response depends on it.
 * - Hosts are DNS names, onion addresses or IP literals: a percent-encoded
 *   reg-name, an IPvFuture literal or an IPv6 zone id is refused.
 * - Errors are reported in this order: request line left to right (400,
 *   414, 505, and 501 for a method longer than RN_HTTP_MAX_METHOD), header
 *   fields top to bottom (400, 431), then the method (501, 405), Host
 *   (400), framing (400, 411) and Expect (417).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "roneo/rn_http.h"

/* clang-format off */
#define CT_TOKEN	0x01u	/* tchar */
#define CT_FVCHAR	0x02u	/* field-vchar: VCHAR or obs-text */
#define CT_PCHAR	0x04u	/* pchar, pct-encoded aside */
#define CT_QUERY	0x08u	/* query characters, pct-encoded aside */
#define CT_REGNAME	0x10u	/* reg-name: unreserved and sub-delims */
#define CT_HEX		0x20u
#define CT_DIGIT	0x40u

/* Classes as they combine in practice, to keep the table readable. */
#define _ 0u
#define U (CT_TOKEN | CT_FVCHAR | CT_PCHAR | CT_QUERY | CT_REGNAME) /* unreserved, !$&'*+ */
#define X (U | CT_HEX)				/* hex letters */
#define D (X | CT_DIGIT)			/* digits */
#define S (CT_FVCHAR | CT_PCHAR | CT_QUERY | CT_REGNAME) /* ( ) , ; = */
#define K (CT_TOKEN | CT_FVCHAR)		/* # % ^ ` | */
#define C (CT_FVCHAR | CT_PCHAR | CT_QUERY)	/* : @ */
#define P (CT_FVCHAR | CT_QUERY)		/* / ? */
#define V CT_FVCHAR				/* other VCHAR, obs-text */

static const uint8_t ctype[256] = {
	_, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _,	/* 0x00 */
	_, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _,	/* 0x10 */
	_, U, V, K, U, K, U, U, S, S, U, U, S, U, U, P,	/* 0x20 */
	D, D, D, D, D, D, D, D, D, D, C, S, V, S, V, P,	/* 0x30 */
	C, X, X, X, X, X, X, U, U, U, U, U, U, U, U, U,	/* 0x40 */
	U, U, U, U, U, U, U, U, U, U, U, V, V, V, K, U,	/* 0x50 */
	K, X, X, X, X, X, X, U, U, U, U, U, U, U, U, U,	/* 0x60 */
	U, U, U, U, U, U, U, U, U, U, U, V, K, V, U, _,	/* 0x70 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0x80 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0x90 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xa0 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xb0 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xc0 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xd0 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xe0 */
	V, V, V, V, V, V, V, V, V, V, V, V, V, V, V, V,	/* 0xf0 */
};

#undef _
#undef U
#undef X
#undef D
#undef S
#undef K
#undef C
#undef P
#undef V
/* clang-format on */

#define IS(c, cl) ((ctype[(unsigned char)(c)] & (cl)) != 0)
#define IS_OWS(c) ((c) == ' ' || (c) == '\t')
/* s[0, n) equals the lower-case literal, ignoring ASCII case. */
#define IEQ(s, n, lit) ieq((s), (n), (lit), sizeof(lit) - 1)

/* "HTTP/d.d", which CR LF follow to end the request line. */
#define VERSION_LEN 8u

enum qstate {
	Q_NONE = 0, /* not listed */
	Q_ZERO,	    /* listed with q=0 only */
	Q_POS	    /* listed with q > 0 */
};

enum field {
	F_OTHER,
	F_HOST,
	F_CONTENT_LENGTH,
	F_TRANSFER_ENCODING,
	F_CONNECTION,
	F_EXPECT,
	F_ACCEPT_ENCODING,
	F_IF_NONE_MATCH,
	F_RANGE,
	F_IF_RANGE,
	F_CONTENT_TYPE
};

/* What one parse learns on the way, besides what goes into the request. */
struct pctx {
	const char *buf;
	size_t	    len;
	size_t	    max_rl;
	size_t	    max_headers;
	int	    method_status; /* 0: served; 405 or 501 */
	bool	    absolute;	   /* absolute-form request-target */
	unsigned    nhost;
	bool	    te;
	bool	    conn_close;
	bool	    conn_keep;
	bool	    expect_bad;
	bool	    ae_bad;
	enum qstate gzip;
	enum qstate star;
};

static unsigned char
lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static bool
ieq(const char *s, size_t n, const char *lit, size_t litn)
{
	size_t i;

	if (n != litn)
		return false;
	for (i = 0; i < n; i++)
		if (lc((unsigned char)s[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

static unsigned
hexval(unsigned char c)
{
	if (c <= '9')
		return (unsigned)(c - '0');
	return (unsigned)(lc(c) - 'a' + 10);
}

static size_t
clamp_size(size_t v, size_t max)
{
	return v < max ? v : max;
}

static enum rn_err
fail(struct rn_http_req *req, int status, const char *why)
{
	req->status = status;
	req->error = why;
	req->keep_alive = false;
	/* a partly decoded path must never be mistaken for a valid one */
	req->path[0] = '\0';
	req->path_len = 0;
	return (status == 414 || status == 431) ? RN_ERR_TOOBIG : RN_ERR_PROTO;
}

/*
 * Head scanning.  The only state between calls is *scan, so a byte is judged
 * with at most the three before it or the one after it (a look around, not a
 * rescan).  The leading empty lines are re-derived from the first ten bytes,
 * and the one call that reaches the request line's limit looks back once
 * over the part of that line it has not seen, to learn whether it ended.
 * Bytes other than NUL, CR and LF cost one table lookup each.
 */
static bool
lf_before(const char *buf, size_t from, size_t to)
{
	return to > from && memchr(buf + from, '\n', to - from) != NULL;
}

/* What the scanner must look at: NUL, CR, LF. */
static bool
scan_special(unsigned char c)
{
	return c == '\0' || c == '\r' || c == '\n';
}

/*
 * The byte at i is NUL, CR or LF: 0 to go on, 1 at the end of the head, or
 * an error status.  end bounds the look ahead after a CR.
 */
static int
scan_byte(const char *buf, size_t i, size_t end, size_t start, bool *rl_done)
{
	if (buf[i] == '\0')
		return 400;
	if (buf[i] == '\r')
		return (i + 1 < end && buf[i + 1] != '\n') ? 400 : 0;
	if (i == 0 || buf[i - 1] != '\r')
		return 400; /* a bare LF */
	if (i < start)
		return (i + 1) / 2 > RN_HTTP_MAX_LEADING_CRLF ? 400 : 0;
	if (i >= start + 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r')
		return 1;
	*rl_done = true;
	return 0;
}

enum rn_err
rn_http_head_scan(const char *buf, size_t len, size_t *scan, const struct rn_http_limits *lim,
    size_t *head_len, int *status)
{
	size_t i, p, end, lead = 0, start, rl_lf, max_hb;
	bool   rl_done = false;
	int    r = 0;

	if (scan == NULL || lim == NULL || head_len == NULL || status == NULL ||
	    (buf == NULL && len > 0) || *scan > len) {
		if (status != NULL)
			*status = 500;
		return RN_ERR_INVAL;
	}
	max_hb = clamp_size(lim->max_header_bytes, RN_MAX_HTTP_HEADER_BYTES);
	while (lead <= RN_HTTP_MAX_LEADING_CRLF && 2 * lead + 1 < len && buf[2 * lead] == '\r' &&
	       buf[2 * lead + 1] == '\n')
		lead++;
	start = 2 * lead;
	/* The request line's LF may come at this index and no later. */
	rl_lf = start + clamp_size(lim->max_request_line, max_hb) + 1;
	p = i = *scan;
	end = clamp_size(len, max_hb);
	/* a CR that ended the last call must be followed by LF */
	if (i > 0 && i < end && buf[i - 1] == '\r' && buf[i] != '\n')
		r = 400;
	for (; i < end && r == 0; i++) {
		if (i == rl_lf && buf[i] != '\n' && !rl_done && !lf_before(buf, start + 1, p))
			r = 414;
		else if (scan_special((unsigned char)buf[i]))
			r = scan_byte(buf, i, end, start, &rl_done);
		if (r != 0)
			break;
	}
	if (r == 1) {
		*head_len = *scan = i + 1;
		return RN_OK;
	}
	*scan = i;
	if (r != 0) {
		*status = r;
		return (r == 400) ? RN_ERR_PROTO : RN_ERR_TOOBIG;
	}
	/* The whole allowance is in and no end: no later byte can help. */
	if (len >= max_hb) {
		*status = 431;
		return RN_ERR_TOOBIG;
	}
	return RN_ERR_AGAIN;
}

/*
 * Hosts: uri-host [":" port] (RFC 3986 section 3.2.2, RFC 9110 section
 * 7.2), with the restrictions listed at the top.
 */
static bool
ipv4_valid(const char *s, size_t n)
{
	size_t	 i = 0, k, d;
	unsigned v;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		for (d = 0, v = 0; i < n && d < 4 && IS(s[i], CT_DIGIT); d++, i++)
			v = v * 10 + (unsigned)(s[i] - '0');
		/* dec-octet: no leading zero, at most 255 */
		if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
			return false;
	}
	return i == n;
}

static bool
ipv6_valid(const char *s, size_t n)
{
	size_t i = 0, h, g = 0;
	bool   dbl = false;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = true;
		i = 2;
	}
	while (i < n) {
		size_t gs = i;

		while (i < n && i - gs < 5 && IS(s[i], CT_HEX))
			i++;
		h = i - gs;
		if (i < n && s[i] == '.') {
			/* ls32 as an IPv4 address: the last two groups */
			if (!ipv4_valid(s + gs, n - gs))
				return false;
			g += 2;
			break;
		}
		if (h == 0 || h > 4)
			return false;
		g++;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return false;
		if (s[i] == ':') {
			if (dbl)
				return false;
			dbl = true;
			i++;
		}
	}
	return dbl ? g <= 7 : g == 8;
}

static bool
port_valid(const char *s, size_t n)
{
	unsigned v = 0;
	size_t	 i;

	if (n < 1 || n > 5)
		return false;
	for (i = 0; i < n; i++) {
		if (!IS(s[i], CT_DIGIT))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 65535;
}

/* Validate s[0, n); if out is not NULL, store the host lower-cased, without port. */
static bool
host_parse(const char *s, size_t n, char out[256])
{
	const char *rb;
	size_t	    i, hlen;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		if ((rb = memchr(s, ']', n)) == NULL || !ipv6_valid(s + 1, (size_t)(rb - s) - 1))
			return false;
		hlen = (size_t)(rb - s) + 1;
	} else {
		for (hlen = 0; hlen < n && IS(s[hlen], CT_REGNAME); hlen++)
			;
		if (hlen == 0)
			return false;
	}
	if (hlen < n && (s[hlen] != ':' || !port_valid(s + hlen + 1, n - hlen - 1)))
		return false;
	if (hlen > 255)
		return false;
	if (out != NULL) {
		for (i = 0; i < hlen; i++)
			out[i] = (char)lc((unsigned char)s[i]);
		out[hlen] = '\0';
	}
	return true;
}

/* The request line is cut at i: too long (414) or malformed (400). */
static enum rn_err
line_fail(const struct pctx *c, struct rn_http_req *req, size_t i, size_t lim_end)
{
	if (i >= lim_end && i < c->len)
		return fail(req, 414, "request line too long");
	return fail(req, 400, "bad request line");
}

static bool
dot_segment(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

/* An absolute path from c->buf[*pos], percent-decoded into req->path. */
static enum rn_err
parse_path(const struct pctx *c, size_t *pos, size_t end, size_t lim_end, struct rn_http_req *req)
{
	const char   *b = c->buf;
	size_t	      i = *pos, o = 0, seg = 0;
	unsigned char ch;

	while (i < end) {
		ch = (unsigned char)b[i];
		if (ch == '/') {
			if (dot_segment(req->path + seg, o - seg))
				return fail(req, 400, "dot segment in path");
			seg = o + 1;
			i++;
		} else if (ch == '%') {
			if (end - i < 3)
				return line_fail(c, req, end, lim_end);
			if (!IS(b[i + 1], CT_HEX) || !IS(b[i + 2], CT_HEX))
				return fail(req, 400, "bad percent-encoding");
			ch = (unsigned char)(hexval((unsigned char)b[i + 1]) << 4 |
					     hexval((unsigned char)b[i + 2]));
			if (ch == '\0' || ch == '/')
				return fail(req, 400, "encoded NUL or slash in path");
			i += 3;
		} else if (IS(ch, CT_PCHAR)) {
			i++;
		} else
			break;
		if (o == RN_HTTP_MAX_PATH)
			return fail(req, 414, "path too long");
		req->path[o++] = (char)ch;
	}
	if (dot_segment(req->path + seg, o - seg))
		return fail(req, 400, "dot segment in path");
	req->path[o] = '\0';
	req->path_len = o;
	*pos = i;
	return RN_OK;
}

/* The query after '?' at c->buf[*pos], validated and left raw. */
static enum rn_err
parse_query(const struct pctx *c, size_t *pos, size_t end, size_t lim_end, struct rn_http_req *req)
{
	const char *b = c->buf;
	size_t	    i = *pos + 1;

	while (i < end) {
		if (b[i] == '%') {
			if (end - i < 3)
				return line_fail(c, req, end, lim_end);
			if (!IS(b[i + 1], CT_HEX) || !IS(b[i + 2], CT_HEX))
				return fail(req, 400, "bad percent-encoding");
			i += 3;
		} else if (IS(b[i], CT_QUERY))
			i++;
		else
			break;
	}
	req->query = b + *pos + 1;
	req->query_len = i - *pos - 1;
	*pos = i;
	return RN_OK;
}

/*
 * origin-form or absolute-form "http://authority[/path][?query]" (RFC 9112
 * section 3.2), up to the SP that follows it.
 */
static enum rn_err
parse_target(struct pctx *c, size_t *pos, size_t lim_end, struct rn_http_req *req)
{
	const char *b = c->buf;
	size_t	    i = *pos, a, end = clamp_size(c->len, lim_end);
	enum rn_err err;

	if (end - i >= 7 && IEQ(b + i, 7, "http://")) {
		c->absolute = true;
		i += 7;
		for (a = i; i < end && IS(b[i], CT_FVCHAR) && b[i] != '/' && b[i] != '?'; i++)
			;
		if (!host_parse(b + a, i - a, req->host))
			return fail(req, 400, "bad request-target authority");
		if (i >= end || b[i] != '/') {
			/* an empty path is "/" (RFC 9110 section 4.2.1) */
			req->path[0] = '/';
			req->path[1] = '\0';
			req->path_len = 1;
		} else if ((err = parse_path(c, &i, end, lim_end, req)) != RN_OK)
			return err;
	} else if (i < end && b[i] == '/') {
		if ((err = parse_path(c, &i, end, lim_end, req)) != RN_OK)
			return err;
	} else if (i < end)
		return fail(req, 400, "bad request-target form");
	if (i < end && b[i] == '?' && (err = parse_query(c, &i, end, lim_end, req)) != RN_OK)
		return err;
	if (i >= end)
		return line_fail(c, req, i, lim_end);
	if (b[i] != ' ')
		return fail(req, 400, "bad character in request-target");
	*pos = i;
	return RN_OK;
}

/* 0 for the methods roneo serves, 405 for other standard ones, 501 for the rest. */
static int
classify_method(const char *m, size_t n, struct rn_http_req *req)
{
	switch (n) {
	case 3:
		if (memcmp(m, "GET", 3) == 0) {
			req->method = RN_HTTP_GET;
			return 0;
		}
		if (memcmp(m, "PUT", 3) == 0)
			return 405;
		break;
	case 4:
		if (memcmp(m, "HEAD", 4) == 0) {
			req->method = RN_HTTP_HEAD;
			return 0;
		}
		if (memcmp(m, "POST", 4) == 0) {
			req->method = RN_HTTP_POST;
			return 0;
		}
		break;
	case 5:
		if (memcmp(m, "PATCH", 5) == 0 || memcmp(m, "TRACE", 5) == 0)
			return 405;
		break;
	case 6:
		if (memcmp(m, "DELETE", 6) == 0)
			return 405;
		break;
	case 7:
		if (memcmp(m, "OPTIONS", 7) == 0 || memcmp(m, "CONNECT", 7) == 0)
			return 405;
		break;
	default: break;
	}
	return 501;
}

/* "HTTP/1.1" or "HTTP/1.0" and CRLF at c->buf[*pos]. */
static enum rn_err
parse_version(const struct pctx *c, size_t *pos, size_t lim_end, struct rn_http_req *req)
{
	const char *b = c->buf;
	size_t	    v = *pos, e = v + VERSION_LEN;

	if (c->len - v < VERSION_LEN || memcmp(b + v, "HTTP/", 5) != 0 || !IS(b[v + 5], CT_DIGIT) ||
	    b[v + 6] != '.' || !IS(b[v + 7], CT_DIGIT))
		return fail(req, 400, "bad HTTP version");
	if (e > lim_end)
		return fail(req, 414, "request line too long");
	if (c->len - e < 2 || b[e] != '\r' || b[e + 1] != '\n')
		return fail(req, 400, "bad request line");
	if (b[v + 5] != '1' || (b[v + 7] != '0' && b[v + 7] != '1'))
		return fail(req, 505, "HTTP version not supported");
	req->minor = (unsigned)(b[v + 7] - '0');
	*pos = e + 2;
	return RN_OK;
}

/* method SP request-target SP HTTP-version CRLF, from c->buf[*pos]. */
static enum rn_err
parse_request_line(struct pctx *c, size_t *pos, struct rn_http_req *req)
{
	const char *b = c->buf;
	size_t	    start = *pos, i = start, lim_end, end;
	enum rn_err err;

	/* The line's CR may come at lim_end and no later. */
	lim_end = start + c->max_rl;
	end = clamp_size(c->len, lim_end);
	while (i < end && IS(b[i], CT_TOKEN) && i - start <= RN_HTTP_MAX_METHOD)
		i++;
	if (i - start > RN_HTTP_MAX_METHOD) /* longer than any we know (RFC 9112 3) */
		return fail(req, 501, "method not implemented");
	if (i >= end)
		return line_fail(c, req, i, lim_end);
	if (b[i] != ' ' || i == start)
		return fail(req, 400, "bad method");
	c->method_status = classify_method(b + start, i - start, req);
	i++;
	if ((err = parse_target(c, &i, lim_end, req)) != RN_OK)
		return err;
	i++;
	if ((err = parse_version(c, &i, lim_end, req)) != RN_OK)
		return err;
	*pos = i;
	return RN_OK;
}

/* Content-Length = 1*DIGIT, and no more digits than fit in 64 bits. */
static bool
parse_content_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t	 i;

	if (n == 0 || n > RN_HTTP_MAX_CONTENT_LENGTH_DIGITS)
		return false;
	for (i = 0; i < n; i++) {
		if (!IS(v[i], CT_DIGIT))
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

/* Connection options (RFC 9110 section 7.6.1); anything malformed means close. */
static void
parse_connection(struct pctx *c, const char *v, size_t n)
{
	size_t i = 0, s;

	while (i < n) {
		if (v[i] == ',' || IS_OWS(v[i])) {
			i++;
			continue;
		}
		for (s = i; i < n && IS(v[i], CT_TOKEN); i++)
			;
		if (i == s)
			goto bad;
		if (IEQ(v + s, i - s, "close"))
			c->conn_close = true;
		else if (IEQ(v + s, i - s, "keep-alive"))
			c->conn_keep = true;
		while (i < n && IS_OWS(v[i]))
			i++;
		if (i < n && v[i] != ',')
			goto bad;
	}
	return;
bad:
	c->conn_close = true;
}

/* qvalue (RFC 9110 section 12.4.2) at v[*pos]; *zero tells whether it is 0. */
static bool
parse_qvalue(const char *v, size_t n, size_t *pos, bool *zero)
{
	size_t i = *pos, k;
	bool   one;

	if (i >= n || (v[i] != '0' && v[i] != '1'))
		return false;
	one = v[i++] == '1';
	*zero = !one;
	if (i < n && v[i] == '.') {
		i++;
		for (k = 0; k < 3 && i < n && IS(v[i], CT_DIGIT); k++, i++) {
			if (v[i] == '0')
				continue;
			if (one)
				return false; /* above 1 */
			*zero = false;
		}
	}
	*pos = i;
	return true;
}

static enum qstate
qmax(enum qstate a, enum qstate b)
{
	return a > b ? a : b;
}

/* Accept-Encoding (RFC 9110 section 12.5.3); malformed means no gzip. */
static void
parse_accept_encoding(struct pctx *c, const char *v, size_t n)
{
	size_t i = 0, s, e;
	bool   zero;

	while (i < n) {
		if (v[i] == ',' || IS_OWS(v[i])) {
			i++;
			continue;
		}
		for (s = i; i < n && IS(v[i], CT_TOKEN); i++)
			;
		if ((e = i) == s)
			goto bad;
		while (i < n && IS_OWS(v[i]))
			i++;
		zero = false;
		if (i < n && v[i] == ';') {
			for (i++; i < n && IS_OWS(v[i]); i++)
				;
			if (n - i < 2 || lc((unsigned char)v[i]) != 'q' || v[i + 1] != '=')
				goto bad;
			i += 2;
			if (!parse_qvalue(v, n, &i, &zero))
				goto bad;
			while (i < n && IS_OWS(v[i]))
				i++;
		}
		if (i < n && v[i] != ',')
			goto bad;
		if (IEQ(v + s, e - s, "gzip") || IEQ(v + s, e - s, "x-gzip"))
			c->gzip = qmax(c->gzip, zero ? Q_ZERO : Q_POS);
		else if (e - s == 1 && v[s] == '*')
			c->star = qmax(c->star, zero ? Q_ZERO : Q_POS);
	}
	return;
bad:
	c->ae_bad = true;
}

static enum field
field_id(const char *n, size_t len)
{
	switch (len) {
	case 4: return IEQ(n, len, "host") ? F_HOST : F_OTHER;
	case 5: return IEQ(n, len, "range") ? F_RANGE : F_OTHER;
	case 6: return IEQ(n, len, "expect") ? F_EXPECT : F_OTHER;
	case 8: return IEQ(n, len, "if-range") ? F_IF_RANGE : F_OTHER;
	case 10: return IEQ(n, len, "connection") ? F_CONNECTION : F_OTHER;
	case 12: return IEQ(n, len, "content-type") ? F_CONTENT_TYPE : F_OTHER;
	case 13: return IEQ(n, len, "if-none-match") ? F_IF_NONE_MATCH : F_OTHER;
	case 14: return IEQ(n, len, "content-length") ? F_CONTENT_LENGTH : F_OTHER;
	case 15: return IEQ(n, len, "accept-encoding") ? F_ACCEPT_ENCODING : F_OTHER;
	case 17: return IEQ(n, len, "transfer-encoding") ? F_TRANSFER_ENCODING : F_OTHER;
	default: return F_OTHER;
	}
}

/* Keep the first of a field that may appear once; later ones are ignored. */
static void
keep_first(const struct rn_http_header *h, const char **p, size_t *n)
{
	if (*p == NULL) {
		*p = h->value;
		*n = h->value_len;
	}
}

static enum rn_err
apply_field(struct pctx *c, const struct rn_http_header *h, struct rn_http_req *req)
{
	switch (field_id(h->name, h->name_len)) {
	case F_HOST:
		if (++c->nhost > 1)
			return fail(req, 400, "duplicate Host");
		/* With absolute-form the target's authority is the host. */
		if (!host_parse(h->value, h->value_len, c->absolute ? NULL : req->host))
			return fail(req, 400, "bad Host");
		break;
	case F_CONTENT_LENGTH:
		if (req->has_content_length)
			return fail(req, 400, "duplicate Content-Length");
		if (!parse_content_length(h->value, h->value_len, &req->content_length))
			return fail(req, 400, "bad Content-Length");
		req->has_content_length = true;
		break;
	case F_TRANSFER_ENCODING: c->te = true; break;
	case F_CONNECTION: parse_connection(c, h->value, h->value_len); break;
	case F_EXPECT:
		if (!IEQ(h->value, h->value_len, "100-continue"))
			c->expect_bad = true;
		else if (req->minor == 1) /* ignored in HTTP/1.0 (RFC 9110 10.1.1) */
			req->expect_continue = true;
		break;
	case F_ACCEPT_ENCODING: parse_accept_encoding(c, h->value, h->value_len); break;
	case F_IF_NONE_MATCH: keep_first(h, &req->if_none_match, &req->if_none_match_len); break;
	case F_RANGE: keep_first(h, &req->range, &req->range_len); break;
	case F_IF_RANGE: keep_first(h, &req->if_range, &req->if_range_len); break;
	case F_CONTENT_TYPE:
		if (req->content_type != NULL)
			return fail(req, 400, "duplicate Content-Type");
		keep_first(h, &req->content_type, &req->content_type_len);
		break;
	case F_OTHER: break;
	}
	return RN_OK;
}

/* field-line = field-name ":" OWS field-value OWS CRLF, from c->buf[*pos]. */
static enum rn_err
parse_field_line(struct pctx *c, size_t *pos, struct rn_http_req *req)
{
	const char	      *b = c->buf;
	struct rn_http_header *h;
	size_t		       i = *pos, ns = i, ne, vs, ve;

	if (IS_OWS(b[i]))
		return fail(req, 400, "obs-fold or whitespace before a field");
	while (i < c->len && IS(b[i], CT_TOKEN))
		i++;
	if (i >= c->len)
		return fail(req, 400, "truncated head");
	if (b[i] != ':' || i == ns)
		return fail(req, 400, IS_OWS(b[i]) ? "whitespace before colon" : "bad field name");
	ne = i++;
	while (i < c->len && IS_OWS(b[i]))
		i++;
	for (vs = ve = i; i < c->len; i++) {
		if (IS(b[i], CT_FVCHAR))
			ve = i + 1;
		else if (!IS_OWS(b[i]))
			break;
	}
	if (c->len - i < 2 || b[i] != '\r' || b[i + 1] != '\n')
		return fail(req, 400, "bad character in field value");
	if (req->nheaders >= c->max_headers)
		return fail(req, 431, "too many header fields");
	h = &req->headers[req->nheaders++];
	h->name = b + ns;
	h->name_len = ne - ns;
	h->value = b + vs;
	h->value_len = ve - vs;
	*pos = i + 2;
	return apply_field(c, h, req);
}

/* Header fields up to the empty line, which must end the buffer. */
static enum rn_err
parse_fields(struct pctx *c, size_t *pos, struct rn_http_req *req)
{
	const char *b = c->buf;
	size_t	    i = *pos;
	enum rn_err err;

	for (;;) {
		if (i >= c->len)
			return fail(req, 400, "truncated head");
		if (b[i] == '\r') {
			if (c->len - i != 2 || b[i + 1] != '\n')
				return fail(req, 400, "bad end of head");
			*pos = i + 2;
			return RN_OK;
		}
		if ((err = parse_field_line(c, &i, req)) != RN_OK)
			return err;
	}
}

/* What the fields mean together, once all are known. */
static enum rn_err
check_request(const struct pctx *c, struct rn_http_req *req)
{
	if (c->method_status == 405)
		return fail(req, 405, "method not allowed");
	if (c->method_status != 0)
		return fail(req, 501, "method not implemented");
	if (c->nhost == 0)
		return fail(req, 400, "missing Host");
	if (c->te && req->has_content_length)
		return fail(req, 400, "Transfer-Encoding with Content-Length");
	if (c->te)
		return fail(req, 411, "Transfer-Encoding not accepted");
	if (req->method != RN_HTTP_POST && req->has_content_length && req->content_length > 0)
		return fail(req, 400, "body on GET or HEAD");
	if (req->method == RN_HTTP_POST && !req->has_content_length)
		return fail(req, 411, "Content-Length required");
	if (c->expect_bad)
		return fail(req, 417, "unsupported expectation");
	if (req->minor == 1)
		req->keep_alive = !c->conn_close;
	else
		req->keep_alive = c->conn_keep && !c->conn_close;
	req->accept_gzip =
	    !c->ae_bad && (c->gzip == Q_POS || (c->gzip == Q_NONE && c->star == Q_POS));
	return RN_OK;
}

/* Reset the fields a parse sets; the arrays are written only as far as used. */
static void
req_reset(struct rn_http_req *req)
{
	req->method = 0;
	req->minor = 0;
	req->path[0] = '\0';
	req->path_len = 0;
	req->query = NULL;
	req->query_len = 0;
	req->host[0] = '\0';
	req->has_content_length = false;
	req->content_length = 0;
	req->keep_alive = false;
	req->expect_continue = false;
	req->accept_gzip = false;
	req->if_none_match = NULL;
	req->if_none_match_len = 0;
	req->range = NULL;
	req->range_len = 0;
	req->if_range = NULL;
	req->if_range_len = 0;
	req->content_type = NULL;
	req->content_type_len = 0;
	req->nheaders = 0;
	req->status = 0;
	req->error = NULL;
}

enum rn_err
rn_http_parse_head(
    const char *buf, size_t len, const struct rn_http_limits *lim, struct rn_http_req *req)
{
	struct pctx c;
	size_t	    i = 0, max_hb;
	unsigned    lead = 0;
	enum rn_err err;

	if (req == NULL)
		return RN_ERR_INVAL;
	req_reset(req);
	if (lim == NULL || (buf == NULL && len > 0))
		return fail(req, 500, "parser misuse");
	memset(&c, 0, sizeof(c));
	c.buf = buf;
	c.len = len;
	max_hb = clamp_size(lim->max_header_bytes, RN_MAX_HTTP_HEADER_BYTES);
	c.max_rl = clamp_size(lim->max_request_line, max_hb);
	c.max_headers = clamp_size(lim->max_headers, RN_MAX_HTTP_HEADERS);
	if (len > max_hb)
		return fail(req, 431, "head too large");
	while (len - i >= 2 && buf[i] == '\r' && buf[i + 1] == '\n') {
		if (++lead > RN_HTTP_MAX_LEADING_CRLF)
			return fail(req, 400, "too many empty lines");
		i += 2;
	}
	if ((err = parse_request_line(&c, &i, req)) != RN_OK)
		return err;
	if ((err = parse_fields(&c, &i, req)) != RN_OK)
		return err;
	return check_request(&c, req);
}

const struct rn_http_header *
rn_http_req_header(const struct rn_http_req *req, const char *name)
{
	size_t i, k, n;

	if (req == NULL || name == NULL)
		return NULL;
	n = strlen(name); /* a name from our code, not from the client */
	for (i = 0; i < req->nheaders && i < RN_MAX_HTTP_HEADERS; i++) {
		const struct rn_http_header *h = &req->headers[i];

		if (h->name_len != n)
			continue;
		for (k = 0; k < n; k++)
			if (lc((unsigned char)h->name[k]) != lc((unsigned char)name[k]))
				break;
		if (k == n)
			return h;
	}
	return NULL;
}
