/*
 * Fuzz target for the request-head parser: the input is a client's byte
 * stream.  It is scanned in one go and one byte at a time (the results must
 * agree), each head found is parsed (pipelined heads too), the whole input
 * is parsed directly, and it is also fed to the Range and If-None-Match
 * parsers.  Invariants that a bug would break abort the run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_HEADS 8

static struct rn_http_req req;

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_req(enum rn_err err, const char *buf, size_t len)
{
	size_t i;

	if (err != RN_OK) {
		check(req.status >= 400 && req.status <= 599 && req.error != NULL);
		check(!req.keep_alive);
		return;
	}
	check(req.status == 0 && req.error == NULL);
	check(req.method >= RN_HTTP_GET && req.method <= RN_HTTP_POST);
	check(req.minor <= 1);
	check(req.path_len >= 1 && req.path_len <= RN_HTTP_MAX_PATH);
	check(req.path[0] == '/' && strlen(req.path) == req.path_len);
	check(req.host[0] != '\0' && strlen(req.host) < sizeof(req.host));
	check(req.query == NULL || (req.query >= buf && req.query + req.query_len <= buf + len));
	check(req.nheaders <= RN_MAX_HTTP_HEADERS);
	check(req.method == RN_HTTP_POST ? req.has_content_length :
	    (!req.has_content_length || req.content_length == 0));
	for (i = 0; i < req.nheaders; i++) {
		const struct rn_http_header *h = &req.headers[i];

		check(h->name_len > 0 && h->name >= buf && h->name + h->name_len <= buf + len);
		check(h->value >= buf && h->value + h->value_len <= buf + len);
	}
	check(rn_http_req_header(&req, "host") != NULL);
	if (req.range != NULL) {
		uint64_t first, last;

		if (rn_http_parse_range(req.range, req.range_len, 1000, &first, &last) == RN_OK)
			check(first <= last && last < 1000);
	}
	if (req.if_none_match != NULL)
		(void)rn_http_etag_match(req.if_none_match, req.if_none_match_len, "\"abc\"");
}

/* Scan byte by byte: same answer as one call, and *scan only moves forward. */
static void
scan_incremental(const char *buf, size_t len, const struct rn_http_limits *lim,
    enum rn_err want, size_t want_hl, int want_st)
{
	enum rn_err got = RN_ERR_AGAIN;
	size_t scan = 0, prev = 0, hl = 0, k;
	int st = 0;

	for (k = 0; k <= len && got == RN_ERR_AGAIN; k++) {
		got = rn_http_head_scan(buf, k, &scan, lim, &hl, &st);
		check(scan >= prev && scan <= k);
		prev = scan;
	}
	check(got == want);
	check(got != RN_OK || hl == want_hl);
	check(got == RN_OK || got == RN_ERR_AGAIN || st == want_st);
}

static void
stream(const char *buf, size_t len, const struct rn_http_limits *lim)
{
	size_t off = 0, n;

	for (n = 0; n < FUZZ_MAX_HEADS && off < len; n++) {
		size_t scan = 0, hl = 0;
		int st = 0;
		enum rn_err err;

		err = rn_http_head_scan(buf + off, len - off, &scan, lim, &hl, &st);
		scan_incremental(buf + off, len - off, lim, err, hl, st);
		if (err != RN_OK) {
			check(err == RN_ERR_AGAIN || st == 400 || st == 414 || st == 431);
			return;
		}
		check(hl >= 4 && hl <= len - off && hl <= lim->max_header_bytes);
		err = rn_http_parse_head(buf + off, hl, lim, &req);
		check_req(err, buf + off, hl);
		if (err != RN_OK)
			return;
		/* a body may follow the head; the next head follows the body */
		off += hl;
		if (req.content_length > len - off)
			return;
		off += (size_t)req.content_length;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rn_http_limits lim_def = {
		RN_DEF_HTTP_MAX_REQUEST_LINE, RN_DEF_HTTP_MAX_HEADER_BYTES, RN_DEF_HTTP_MAX_HEADERS
	};
	static const struct rn_http_limits lim_small = { 64, 256, 8 };
	const char *buf = (const char *)data;
	uint64_t first, last;
	enum rn_err err;

	stream(buf, size, &lim_def);
	stream(buf, size, &lim_small);

	err = rn_http_parse_head(buf, size, &lim_def, &req);
	check_req(err, buf, size);
	err = rn_http_parse_head(buf, size, &lim_small, &req);
	check_req(err, buf, size);

	err = rn_http_parse_range(buf, size, 0, &first, &last);
	check(err == RN_ERR_NOTFOUND || err == RN_ERR_INVAL);
	err = rn_http_parse_range(buf, size, 4096, &first, &last);
	check(err != RN_OK || (first <= last && last < 4096));
	err = rn_http_parse_range(buf, size, UINT64_MAX, &first, &last);
	check(err != RN_OK || (first <= last && last < UINT64_MAX));

	(void)rn_http_etag_match(buf, size, "\"abc\"");
	(void)rn_http_etag_match(buf, size, "W/\"abc\"");
	return 0;
}
