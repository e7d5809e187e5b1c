/*
 * Field values the handlers interpret after the head is parsed: Range
 * (RFC 9110 section 14.2), If-None-Match (section 13.1.2), and the reason
 * phrases of the statuses roneod sends.  Pure functions over caller bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "roneo/rn_http.h"

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_OWS(c)   ((c) == ' ' || (c) == '\t')

/*
 * 1*DIGIT at v[*pos], saturating at UINT64_MAX: a huge first-pos is simply
 * unsatisfiable and a huge last-pos or suffix is clamped to the size.
 */
static bool
parse_pos(const char *v, size_t n, size_t *pos, uint64_t *out)
{
	size_t	 i = *pos;
	uint64_t x = 0;

	for (; i < n && IS_DIGIT(v[i]); i++) {
		uint64_t d = (uint64_t)(v[i] - '0');

		x = (x > (UINT64_MAX - d) / 10) ? UINT64_MAX : x * 10 + d;
	}
	if (i == *pos)
		return false;
	*pos = i;
	*out = x;
	return true;
}

static bool
is_bytes_unit(const char *v, size_t n)
{
	static const char unit[] = "bytes=";
	size_t		  i;

	if (n < sizeof(unit) - 1)
		return false;
	/* range-unit is case-insensitive (RFC 9110 section 14.1) */
	for (i = 0; i < sizeof(unit) - 1; i++) {
		char c = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] + ('a' - 'A')) : v[i];

		if (c != unit[i])
			return false;
	}
	return true;
}

enum rn_err
rn_http_parse_range(const char *v, size_t n, uint64_t size, uint64_t *first, uint64_t *last)
{
	size_t	 i = sizeof("bytes=") - 1;
	uint64_t a = 0, b = 0;
	bool	 has_a, has_b;

	if (v == NULL || first == NULL || last == NULL || !is_bytes_unit(v, n))
		return RN_ERR_NOTFOUND;
	/*
	 * One int-range or suffix-range and nothing else: a comma (several
	 * ranges), spaces or other bytes make us ignore the header.
	 */
	has_a = parse_pos(v, n, &i, &a);
	if (i >= n || v[i] != '-')
		return RN_ERR_NOTFOUND;
	i++;
	has_b = parse_pos(v, n, &i, &b);
	if (i != n || (!has_a && !has_b))
		return RN_ERR_NOTFOUND;
	if (has_a && has_b && b < a)
		return RN_ERR_NOTFOUND; /* an invalid range-spec is ignored */
	if (size == 0)
		return RN_ERR_INVAL;
	if (!has_a) {
		if (b == 0)
			return RN_ERR_INVAL;
		*first = (b >= size) ? 0 : size - b;
		*last = size - 1;
		return RN_OK;
	}
	if (a >= size)
		return RN_ERR_INVAL;
	*first = a;
	*last = (!has_b || b >= size) ? size - 1 : b;
	return RN_OK;
}

/* etagc = %x21 / %x23-7E / obs-text */
static bool
is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

bool
rn_http_etag_match(const char *inm, size_t n, const char *etag)
{
	size_t i = 0, s, olen;
	bool   match = false;

	if (inm == NULL || etag == NULL)
		return false;
	olen = strlen(etag); /* ours, not the client's */
	if (olen >= 2 && etag[0] == 'W' && etag[1] == '/') {
		etag += 2;
		olen -= 2;
	}
	if (olen < 2 || etag[0] != '"' || etag[olen - 1] != '"')
		return false;
	while (n > 0 && IS_OWS(inm[n - 1]))
		n--;
	while (i < n && IS_OWS(inm[i]))
		i++;
	if (n - i == 1 && inm[i] == '*')
		return true;
	/* 1#entity-tag; empty list elements are allowed (RFC 9110 5.6.1) */
	while (i < n) {
		if (inm[i] == ',' || IS_OWS(inm[i])) {
			i++;
			continue;
		}
		if (n - i >= 2 && inm[i] == 'W' && inm[i + 1] == '/')
			i += 2; /* weak comparison ignores W/ */
		if (i >= n || inm[i] != '"')
			return false;
		for (s = i++; i < n && is_etagc((unsigned char)inm[i]); i++)
			;
		if (i >= n || inm[i] != '"')
			return false;
		i++;
		if (i - s == olen && memcmp(inm + s, etag, olen) == 0)
			match = true;
		while (i < n && IS_OWS(inm[i]))
			i++;
		if (i < n && inm[i] != ',')
			return false;
	}
	return match;
}

static const struct {
	int	    status;
	const char *phrase;
} reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 421, "Misdirected Request" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
	{ 507, "Insufficient Storage" },
};

const char *
rn_http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].phrase;
	return "Unknown";
}
