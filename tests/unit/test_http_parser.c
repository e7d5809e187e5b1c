/* Unit tests for daemon/http/parser.c and fields.c: the strict request-head parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_http.h"

static const struct rn_http_limits lim_def = {
	RN_DEF_HTTP_MAX_REQUEST_LINE, RN_DEF_HTTP_MAX_HEADER_BYTES, RN_DEF_HTTP_MAX_HEADERS
};

static struct rn_http_req req;
static char *held;	/* the exactly-sized copy req points into */

static int
teardown(void **state)
{
	(void)state;
	free(held);
	held = NULL;
	return 0;
}

/* One-shot scan of s[0, n). */
static enum rn_err
scan_once(const char *s, size_t n, const struct rn_http_limits *lim, size_t *head_len,
    int *status)
{
	size_t scan = 0;

	*head_len = 0;
	*status = 0;
	return rn_http_head_scan(s, n, &scan, lim, head_len, status);
}

/*
 * Feed s one byte more at a time, as a slow client would: the result must be
 * the one-shot result, *scan must never go back nor pass the bytes given,
 * and every call before the last must ask for more.
 */
static void
check_scan_incremental(const char *s, size_t n, const struct rn_http_limits *lim)
{
	enum rn_err want, got = RN_ERR_AGAIN;
	size_t want_hl, hl = 0, scan = 0, prev = 0, k;
	int want_st, st = 0;

	want = scan_once(s, n, lim, &want_hl, &want_st);
	for (k = 0; k <= n; k++) {
		got = rn_http_head_scan(s, k, &scan, lim, &hl, &st);
		assert_true(scan >= prev);
		assert_true(scan <= k);
		prev = scan;
		if (got != RN_ERR_AGAIN)
			break;
	}
	assert_int_equal(got, want);
	if (want == RN_OK)
		assert_int_equal(hl, want_hl);
	else if (want != RN_ERR_AGAIN)
		assert_int_equal(st, want_st);
}

/*
 * Parse s[0, n) from an exactly-sized heap copy (so ASan sees any read past
 * the end) and check the scanner agrees.  Returns req.status, 0 on success.
 */
static int
parse_lim(const char *s, size_t n, const struct rn_http_limits *lim)
{
	enum rn_err err, serr;
	size_t hl;
	int sst;

	free(held);
	held = malloc(n > 0 ? n : 1);
	assert_non_null(held);
	memcpy(held, s, n);
	err = rn_http_parse_head(held, n, lim, &req);
	if (err == RN_OK) {
		assert_int_equal(req.status, 0);
		assert_null(req.error);
	} else {
		assert_true(req.status >= 400);
		assert_non_null(req.error);
		assert_false(req.keep_alive);
	}
	serr = scan_once(held, n, lim, &hl, &sst);
	if (serr == RN_OK && hl == n)
		assert_true(err == RN_OK || req.status != 0);
	else
		assert_int_not_equal(err, RN_OK);	/* scanner refused or head incomplete */
	check_scan_incremental(held, n, lim);
	return err == RN_OK ? 0 : req.status;
}

static int
parse_str(const char *s)
{
	return parse_lim(s, strlen(s), &lim_def);
}

/* A request with the given request line and fields, Host included. */
static int
req_with(const char *line, const char *fields)
{
	char b[8192];
	int n;

	n = snprintf(b, sizeof(b), "%s\r\nHost: example.onion\r\n%s\r\n", line, fields);
	assert_true(n > 0 && (size_t)n < sizeof(b));
	return parse_str(b);
}

static int
get_with(const char *fields)
{
	return req_with("GET / HTTP/1.1", fields);
}

static int
target_status(const char *target)
{
	char line[7000];
	int n;

	n = snprintf(line, sizeof(line), "GET %s HTTP/1.1", target);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	return req_with(line, "");
}

static int
host_status(const char *host)
{
	char b[1024];
	int n;

	n = snprintf(b, sizeof(b), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
	assert_true(n > 0 && (size_t)n < sizeof(b));
	return parse_str(b);
}

static bool
gzip_for(const char *ae)
{
	char f[512];
	int n;

	n = snprintf(f, sizeof(f), "Accept-Encoding: %s\r\n", ae);
	assert_true(n > 0 && (size_t)n < sizeof(f));
	assert_int_equal(get_with(f), 0);
	return req.accept_gzip;
}

static void
assert_mem(const char *p, size_t n, const char *want)
{
	assert_non_null(p);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

/* Valid requests */

static void
test_get_minimal(void **state)
{
	(void)state;
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: example.onion\r\n\r\n"), 0);
	assert_int_equal(req.method, RN_HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_string_equal(req.path, "/");
	assert_int_equal(req.path_len, 1);
	assert_null(req.query);
	assert_int_equal(req.query_len, 0);
	assert_string_equal(req.host, "example.onion");
	assert_false(req.has_content_length);
	assert_int_equal(req.content_length, 0);
	assert_true(req.keep_alive);
	assert_false(req.expect_continue);
	assert_false(req.accept_gzip);
	assert_null(req.if_none_match);
	assert_null(req.range);
	assert_null(req.if_range);
	assert_null(req.content_type);
	assert_int_equal(req.nheaders, 1);
	assert_mem(req.headers[0].name, req.headers[0].name_len, "Host");
	assert_mem(req.headers[0].value, req.headers[0].value_len, "example.onion");
	assert_int_equal(req.status, 0);
	assert_null(req.error);
}

static void
test_get_full(void **state)
{
	const char *h =
	    "GET /docs/a%20b/c.html?x=1&y=%2F HTTP/1.1\r\n"
	    "Host: EXAMPLE.Onion:8080\r\n"
	    "User-Agent: test\r\n"
	    "Accept-Encoding: br, GZIP;q=0.5\r\n"
	    "If-None-Match: W/\"abc\", \"def\"\r\n"
	    "Range: bytes=0-99\r\n"
	    "If-Range: \"def\"\r\n"
	    "Connection: keep-alive\r\n"
	    "X-Empty:\r\n"
	    "\r\n";

	(void)state;
	assert_int_equal(parse_str(h), 0);
	assert_int_equal(req.method, RN_HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_string_equal(req.path, "/docs/a b/c.html");
	assert_int_equal(req.path_len, strlen("/docs/a b/c.html"));
	assert_mem(req.query, req.query_len, "x=1&y=%2F");
	assert_string_equal(req.host, "example.onion");
	assert_false(req.has_content_length);
	assert_true(req.keep_alive);
	assert_false(req.expect_continue);
	assert_true(req.accept_gzip);
	assert_mem(req.if_none_match, req.if_none_match_len, "W/\"abc\", \"def\"");
	assert_mem(req.range, req.range_len, "bytes=0-99");
	assert_mem(req.if_range, req.if_range_len, "\"def\"");
	assert_null(req.content_type);
	assert_int_equal(req.nheaders, 8);
	assert_mem(req.headers[7].name, req.headers[7].name_len, "X-Empty");
	assert_int_equal(req.headers[7].value_len, 0);
	/* pointers point into the caller's buffer */
	assert_true(req.query > held && req.query < held + strlen(h));
}

static void
test_head_http10(void **state)
{
	(void)state;
	assert_int_equal(parse_str("HEAD /x HTTP/1.0\r\nHost: a\r\n\r\n"), 0);
	assert_int_equal(req.method, RN_HTTP_HEAD);
	assert_int_equal(req.minor, 0);
	assert_false(req.keep_alive);
	assert_int_equal(parse_str("HEAD /x HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n"),
	    0);
	assert_true(req.keep_alive);
	assert_int_equal(parse_str("HEAD /x HTTP/1.0\r\nHost: a\r\n"
	    "Connection: keep-alive, close\r\n\r\n"), 0);
	assert_false(req.keep_alive);
}

static void
test_post(void **state)
{
	(void)state;
	assert_int_equal(parse_str("POST /submit HTTP/1.1\r\nHost: a.onion\r\n"
	    "Content-Length: 1234\r\nContent-Type: multipart/form-data; boundary=x\r\n"
	    "Expect: 100-Continue\r\n\r\n"), 0);
	assert_int_equal(req.method, RN_HTTP_POST);
	assert_true(req.has_content_length);
	assert_int_equal(req.content_length, 1234);
	assert_mem(req.content_type, req.content_type_len, "multipart/form-data; boundary=x");
	assert_true(req.expect_continue);
	assert_true(req.keep_alive);
	/* HTTP/1.0 clients get no 100 Continue (RFC 9110 section 10.1.1) */
	assert_int_equal(parse_str("POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n"
	    "Expect: 100-continue\r\n\r\n"), 0);
	assert_false(req.expect_continue);
	assert_int_equal(req.content_length, 0);
}

static void
test_absolute_form(void **state)
{
	(void)state;
	assert_int_equal(parse_str("GET http://Example.ONION:80/a%7eb?q=1 HTTP/1.1\r\n"
	    "Host: other.example\r\n\r\n"), 0);
	assert_string_equal(req.host, "example.onion");
	assert_string_equal(req.path, "/a~b");
	assert_mem(req.query, req.query_len, "q=1");
	assert_int_equal(parse_str("GET HTTP://h.onion HTTP/1.1\r\nHost: h.onion\r\n\r\n"), 0);
	assert_string_equal(req.path, "/");
	assert_int_equal(req.path_len, 1);
	assert_null(req.query);
	assert_int_equal(parse_str("GET http://h.onion?x HTTP/1.1\r\nHost: h.onion\r\n\r\n"), 0);
	assert_string_equal(req.path, "/");
	assert_mem(req.query, req.query_len, "x");
}

static void
test_absolute_form_rejects(void **state)
{
	(void)state;
	/* a Host field is still required, and must be valid */
	assert_int_equal(parse_str("GET http://h/ HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET http://h/ HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET http://h/ HTTP/1.1\r\nHost:\r\n\r\n"), 400);
	assert_int_equal(target_status("http://user@h/"), 400);
	assert_int_equal(target_status("http:///x"), 400);
	assert_int_equal(target_status("http://h:99999/"), 400);
	assert_int_equal(target_status("http://h:/"), 400);
	assert_int_equal(target_status("https://h/"), 400);
	assert_int_equal(target_status("ftp://h/"), 400);
	assert_int_equal(target_status("http://h/../x"), 400);
	assert_int_equal(target_status("http:/h"), 400);
}

static void
test_leading_empty_lines(void **state)
{
	(void)state;
	assert_int_equal(parse_str("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	assert_int_equal(parse_str("\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	assert_string_equal(req.path, "/");
	assert_int_equal(parse_str("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse_str("\r\n\r\n\r\n\r\n\r\n"), 400);
	assert_int_equal(parse_str("\r\n\r\n"), 400);
	assert_int_equal(parse_str("\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

static void
test_percent_decoding(void **state)
{
	(void)state;
	assert_int_equal(target_status("/%41%62c/d%7E%7e%c3%a9"), 0);
	assert_string_equal(req.path, "/Abc/d~~\xc3\xa9");
	assert_int_equal(req.path_len, 10);
	/* an encoded '?' or '%' is data, not a delimiter */
	assert_int_equal(target_status("/a%3Fb%25c"), 0);
	assert_string_equal(req.path, "/a?b%c");
	assert_null(req.query);
	/* sub-delims, ':' and '@' are pchars; empty segments are allowed */
	assert_int_equal(target_status("/a:b@c!$&'()*+,;=//d"), 0);
	assert_string_equal(req.path, "/a:b@c!$&'()*+,;=//d");
	assert_int_equal(target_status("/?"), 0);
	assert_non_null(req.query);
	assert_int_equal(req.query_len, 0);
	assert_int_equal(target_status("/?a=/b?c:@"), 0);
	assert_mem(req.query, req.query_len, "a=/b?c:@");
}

static void
test_dot_like_segments(void **state)
{
	(void)state;
	assert_int_equal(target_status("/..a"), 0);
	assert_int_equal(target_status("/a..b/.c/..."), 0);
	assert_string_equal(req.path, "/a..b/.c/...");
	assert_int_equal(target_status("/.well-known/x"), 0);
}

static void
test_ows_and_obs_text(void **state)
{
	(void)state;
	assert_int_equal(get_with("X-A: \t  v  a l \t \r\nX-B:\xff\x80 \xc3\xa9\r\n"), 0);
	assert_int_equal(req.nheaders, 3);
	assert_mem(req.headers[1].value, req.headers[1].value_len, "v  a l");
	assert_mem(req.headers[2].value, req.headers[2].value_len, "\xff\x80 \xc3\xa9");
	assert_int_equal(get_with("X-C:    \r\n"), 0);
	assert_int_equal(req.headers[1].value_len, 0);
}

static void
test_req_header_lookup(void **state)
{
	const struct rn_http_header *h;

	(void)state;
	assert_int_equal(get_with("X-Dup: one\r\nx-dup: two\r\nCookie: c\r\n"), 0);
	h = rn_http_req_header(&req, "X-DUP");
	assert_non_null(h);
	assert_mem(h->value, h->value_len, "one");
	h = rn_http_req_header(&req, "cookie");
	assert_non_null(h);
	assert_mem(h->value, h->value_len, "c");
	assert_null(rn_http_req_header(&req, "X-Du"));
	assert_null(rn_http_req_header(&req, "Missing"));
	assert_null(rn_http_req_header(NULL, "Host"));
	assert_null(rn_http_req_header(&req, NULL));
}

static void
test_hosts_valid(void **state)
{
	(void)state;
	assert_int_equal(host_status("[::1]:8080"), 0);
	assert_string_equal(req.host, "[::1]");
	assert_int_equal(host_status("[2001:DB8::a:1]"), 0);
	assert_string_equal(req.host, "[2001:db8::a:1]");
	assert_int_equal(host_status("[1:2:3:4:5:6:7:8]"), 0);
	assert_int_equal(host_status("[::ffff:192.0.2.1]"), 0);
	assert_int_equal(host_status("[1:2:3:4:5:6:192.0.2.1]"), 0);
	assert_int_equal(host_status("[::]"), 0);
	assert_int_equal(host_status("[1::]"), 0);
	assert_int_equal(host_status("[::1:2:3:4:5:6:7]"), 0);
	assert_int_equal(host_status("[1:2:3:4:5:6:7::]"), 0);
	assert_int_equal(host_status("[1:2:3:4:5::192.0.2.1]"), 0);
	assert_int_equal(host_status("127.0.0.1:80"), 0);
	assert_string_equal(req.host, "127.0.0.1");
	assert_int_equal(host_status("abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion"),
	    0);
	assert_int_equal(host_status("a:65535"), 0);
	assert_int_equal(host_status("a:0"), 0);
	assert_int_equal(host_status("Ex-am_ple~.org."), 0);
	assert_string_equal(req.host, "ex-am_ple~.org.");
}

static void
test_hosts_invalid(void **state)
{
	static const char *bad[] = {
		"a:65536", "a:123456", "a:", "a:-1", "a:8a", ":80", "a b", "a@b", "a/b",
		"h%41", "a:80:80", "[::1", "[::1]x", "[::1]:", "[::g]", "[1:2:3:4:5:6:7:8:9]",
		"[1:2:3:4:5:6:7]", "[1::2:3:4:5:6:7:8]", "[::1:2:3:4:5:6:7:8]", "[1::2::3]",
		"[1:2:3:4:5:6:7:1.2.3.4]", "[::1.2.3.4:1]", "[:1]", "[1:]", "[12345::]", "[fe80::1%25eth0]",
		"[v1.x]", "[1.2.3.4]", "[::1.2.3]", "[::01.2.3.4]", "[::1.2.3.256]", "[]", "\"a\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (host_status(bad[i]) != 400)
			fail_msg("Host \"%s\" was not refused", bad[i]);
		assert_string_equal(req.error, "bad Host");
	}
}

static void
test_host_length(void **state)
{
	char h[300];

	(void)state;
	memset(h, 'a', sizeof(h));
	h[255] = '\0';
	assert_int_equal(host_status(h), 0);
	assert_int_equal(strlen(req.host), 255);
	h[255] = 'a';
	h[256] = '\0';
	assert_int_equal(host_status(h), 400);
	memcpy(h + 255, ":80", 4);
	assert_int_equal(host_status(h), 0);	/* the port does not count */
}

static void
test_host_missing_or_duplicate(void **state)
{
	(void)state;
	assert_int_equal(parse_str("GET / HTTP/1.1\r\n\r\n"), 400);
	assert_string_equal(req.error, "missing Host");
	assert_int_equal(parse_str("GET / HTTP/1.0\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
	assert_string_equal(req.error, "duplicate Host");
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost:   \r\n\r\n"), 400);
}

static void
test_connection(void **state)
{
	(void)state;
	assert_int_equal(get_with("Connection: close\r\n"), 0);
	assert_false(req.keep_alive);
	assert_int_equal(get_with("Connection: Upgrade, CLOSE\r\n"), 0);
	assert_false(req.keep_alive);
	assert_int_equal(get_with("Connection: keep-alive\r\nConnection: close\r\n"), 0);
	assert_false(req.keep_alive);
	assert_int_equal(get_with("Connection: keep-alive, te\r\n"), 0);
	assert_true(req.keep_alive);
	assert_int_equal(get_with("Connection: closed\r\n"), 0);
	assert_true(req.keep_alive);
	/* malformed: play safe and close */
	assert_int_equal(get_with("Connection: keep-alive; x\r\n"), 0);
	assert_false(req.keep_alive);
}

static void
test_accept_encoding(void **state)
{
	(void)state;
	assert_true(gzip_for("gzip"));
	assert_true(gzip_for("GZip"));
	assert_true(gzip_for("x-gzip"));
	assert_true(gzip_for("deflate, gzip"));
	assert_true(gzip_for(" , ,gzip ,"));
	assert_true(gzip_for("gzip;q=0.001"));
	assert_true(gzip_for("gzip ; Q=1.0"));
	assert_true(gzip_for("gzip;q=1.000"));
	assert_true(gzip_for("gzip;q=0.15"));
	assert_true(gzip_for("*"));
	assert_true(gzip_for("*;q=0.1, br"));
	assert_true(gzip_for("gzip;q=0, x-gzip"));
	assert_false(gzip_for("gzip;q=0"));
	assert_false(gzip_for("gzip;q=0."));
	assert_false(gzip_for("gzip;q=0.0"));
	assert_false(gzip_for("gzip;q=0.000"));
	assert_false(gzip_for("*;q=0"));
	assert_false(gzip_for("*, gzip;q=0"));
	assert_false(gzip_for("deflate, br, identity"));
	assert_false(gzip_for(""));
}

static void
test_accept_encoding_malformed(void **state)
{
	(void)state;
	/* malformed lists mean "no gzip", never an error */
	assert_false(gzip_for("gzip;q=2"));
	assert_false(gzip_for("gzip;q=1.5"));
	assert_false(gzip_for("gzip;q=0.0001"));
	assert_false(gzip_for("gzip;q="));
	assert_false(gzip_for("gzip;level=1"));
	assert_false(gzip_for("gzip q=1"));
	assert_false(gzip_for("\"gzip\""));
	assert_false(gzip_for("br, gzip;q=0.5;x"));
	assert_int_equal(get_with("Accept-Encoding: gzip\r\nAccept-Encoding: @\r\n"), 0);
	assert_false(req.accept_gzip);
	assert_int_equal(get_with("Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n"), 0);
	assert_true(req.accept_gzip);
}

static void
test_content_length_values(void **state)
{
	(void)state;
	assert_int_equal(get_with("Content-Length: 0\r\n"), 0);
	assert_true(req.has_content_length);
	assert_int_equal(req.content_length, 0);
	assert_int_equal(get_with("Content-Length: 000\r\n"), 0);
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length:  9999999999999999999 \r\n"),
	    0);
	assert_true(req.content_length == UINT64_C(9999999999999999999));
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 42\r\n"), 0);
	assert_true(req.content_length == 42);
}

static void
test_content_length_invalid(void **state)
{
	static const char *bad[] = {
		"", "+1", "-1", "1 1", "1,1", "1, 1", "0x10", "1.0", "12345678901234567890",
		"99999999999999999999", "\xd9\xa1",
	};
	char f[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(f, sizeof(f), "Content-Length: %s\r\n", bad[i]);
		if (req_with("POST / HTTP/1.1", f) != 400)
			fail_msg("Content-Length \"%s\" was not refused", bad[i]);
		assert_string_equal(req.error, "bad Content-Length");
	}
}

static void
test_content_length_duplicate(void **state)
{
	(void)state;
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 5\r\nContent-Length: 5\r\n"),
	    400);
	assert_string_equal(req.error, "duplicate Content-Length");
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 5\r\ncontent-length: 6\r\n"),
	    400);
}

static void
test_transfer_encoding(void **state)
{
	(void)state;
	assert_int_equal(req_with("POST / HTTP/1.1", "Transfer-Encoding: chunked\r\n"), 411);
	assert_int_equal(req_with("POST / HTTP/1.1",
	    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400);
	assert_int_equal(req_with("POST / HTTP/1.1",
	    "Content-Length: 5\r\nTransfer-Encoding: identity\r\n"), 400);
	assert_int_equal(get_with("transfer-encoding: gzip, chunked\r\n"), 411);
}

static void
test_body_rules(void **state)
{
	(void)state;
	assert_int_equal(req_with("POST / HTTP/1.1", ""), 411);
	assert_string_equal(req.error, "Content-Length required");
	assert_int_equal(get_with("Content-Length: 5\r\n"), 400);
	assert_int_equal(req_with("HEAD / HTTP/1.1", "Content-Length: 1\r\n"), 400);
	assert_int_equal(req_with("HEAD / HTTP/1.1", "Content-Length: 0\r\n"), 0);
}

static void
test_expect(void **state)
{
	(void)state;
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 1\r\nExpect: 100-continue\r\n"),
	    0);
	assert_true(req.expect_continue);
	assert_int_equal(req_with("POST / HTTP/1.1", "Content-Length: 1\r\nExpect: foo\r\n"), 417);
	assert_int_equal(get_with("Expect: 100-continue, foo\r\n"), 417);
	assert_int_equal(get_with("Expect:\r\n"), 417);
	assert_int_equal(get_with("Expect: 100-continue\r\nExpect: 200-ok\r\n"), 417);
	assert_int_equal(get_with("Expect: 100-continuee\r\n"), 417);
}

static void
test_single_fields(void **state)
{
	(void)state;
	assert_int_equal(get_with("Range: bytes=1-2\r\nRange: bytes=3-4\r\n"
	    "If-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\nIf-Range: \"x\"\r\nIf-Range: \"y\"\r\n"),
	    0);
	assert_mem(req.range, req.range_len, "bytes=1-2");
	assert_mem(req.if_none_match, req.if_none_match_len, "\"a\"");
	assert_mem(req.if_range, req.if_range_len, "\"x\"");
	assert_int_equal(req_with("POST / HTTP/1.1",
	    "Content-Length: 1\r\nContent-Type: a/b\r\nContent-Type: a/b\r\n"), 400);
	assert_string_equal(req.error, "duplicate Content-Type");
	/* an empty value is recorded, not mistaken for absence */
	assert_int_equal(get_with("If-None-Match:\r\nIf-None-Match: \"b\"\r\n"), 0);
	assert_non_null(req.if_none_match);
	assert_int_equal(req.if_none_match_len, 0);
}

/* Request line */

static void
test_methods_not_allowed(void **state)
{
	static const char *m[] = { "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE" };
	char line[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		snprintf(line, sizeof(line), "%s / HTTP/1.1", m[i]);
		if (req_with(line, "") != 405)
			fail_msg("%s did not get 405", m[i]);
	}
}

static void
test_methods_unknown(void **state)
{
	(void)state;
	assert_int_equal(req_with("FOO / HTTP/1.1", ""), 501);
	assert_int_equal(req_with("get / HTTP/1.1", ""), 501);	/* methods are case-sensitive */
	assert_int_equal(req_with("Post / HTTP/1.1", ""), 501);
	assert_int_equal(req_with("GETS / HTTP/1.1", ""), 501);
	assert_int_equal(req_with("ABCDEFGHIJKLMNOP / HTTP/1.1", ""), 501);	/* 16 */
	assert_int_equal(req_with("ABCDEFGHIJKLMNOPQ / HTTP/1.1", ""), 501);	/* 17 */
	assert_int_equal(req_with("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1", ""), 501);
	assert_int_equal(req_with("M!#$%&'*+-.^_`|~ / HTTP/1.1", ""), 501);
}

static void
test_methods_invalid(void **state)
{
	(void)state;
	assert_int_equal(req_with("G@T / HTTP/1.1", ""), 400);
	assert_int_equal(req_with("GE(T / HTTP/1.1", ""), 400);
	assert_int_equal(req_with(" / HTTP/1.1", ""), 400);
	assert_int_equal(req_with("G\xc3\xa9T / HTTP/1.1", ""), 400);
	assert_int_equal(req_with("GET\t/ HTTP/1.1", ""), 400);
}

static void
test_versions(void **state)
{
	(void)state;
	assert_int_equal(req_with("GET / HTTP/1.2", ""), 505);
	assert_int_equal(req_with("GET / HTTP/2.0", ""), 505);
	assert_int_equal(req_with("GET / HTTP/0.9", ""), 505);
	assert_int_equal(req_with("GET / HTTP/9.9", ""), 505);
	assert_int_equal(req_with("GET / http/1.1", ""), 400);
	assert_int_equal(req_with("GET / HTTP/1.10", ""), 400);
	assert_int_equal(req_with("GET / HTTP/1", ""), 400);
	assert_int_equal(req_with("GET / HTTP/1.", ""), 400);
	assert_int_equal(req_with("GET / HTTP/11", ""), 400);
	assert_int_equal(req_with("GET / HTTP/1.1 ", ""), 400);
	assert_int_equal(req_with("GET / HTTP/2", ""), 400);
	assert_int_equal(req_with("GET / HTTPS/1.1", ""), 400);
	assert_int_equal(req_with("GET /", ""), 400);
}

static void
test_request_line_spaces(void **state)
{
	(void)state;
	assert_int_equal(req_with("GET  / HTTP/1.1", ""), 400);
	assert_int_equal(req_with("GET /  HTTP/1.1", ""), 400);
	assert_int_equal(req_with("GET / a HTTP/1.1", ""), 400);
	assert_int_equal(req_with("GET /\tHTTP/1.1", ""), 400);
	assert_int_equal(req_with("GET / HTTP/1.1\t", ""), 400);
	assert_int_equal(req_with("GET", ""), 400);
	assert_int_equal(req_with("GET ", ""), 400);
	assert_int_equal(req_with("", ""), 400);
}

static void
test_target_forms(void **state)
{
	(void)state;
	assert_int_equal(req_with("OPTIONS * HTTP/1.1", ""), 400);	/* asterisk-form */
	assert_int_equal(req_with("CONNECT a.onion:443 HTTP/1.1", ""), 400);	/* authority */
	assert_int_equal(target_status("a/b"), 400);
	assert_int_equal(target_status("?x"), 400);
	assert_int_equal(target_status("%2F"), 400);
}

static void
test_target_characters(void **state)
{
	static const char *bad[] = {
		"/a#frag", "/a\"b", "/[x]", "/a|b", "/a^b", "/a`b", "/a{b}", "/a\\b", "/a<b>",
		"/\xc3\xa9", "/a\x7f", "/?a[]=1", "/?a#b", "/?a|b", "/?\"", "/?\xff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (target_status(bad[i]) != 400)
			fail_msg("target \"%s\" was not refused", bad[i]);
}

static void
test_target_percent_invalid(void **state)
{
	static const char *bad[] = {
		"/%00", "/a%2Fb", "/a%2fb", "/%zz", "/%4", "/%", "/%g1", "/%1g", "/?%",
		"/?a=%4", "/?a=%zz",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (target_status(bad[i]) != 400)
			fail_msg("target \"%s\" was not refused", bad[i]);
	/* %00 and %2F are fine in the raw query */
	assert_int_equal(target_status("/?%00%2F"), 0);
}

static void
test_target_dot_segments(void **state)
{
	static const char *bad[] = {
		"/.", "/..", "/./", "/../", "/a/./b", "/a/../b", "/a/..", "/a/.", "/%2e",
		"/%2E%2e/x", "/a/.%2e/b", "/.?x", "/..?x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (target_status(bad[i]) != 400)
			fail_msg("target \"%s\" was not refused", bad[i]);
		assert_string_equal(req.error, "dot segment in path");
	}
}

static void
test_path_length(void **state)
{
	char t[3 * RN_HTTP_MAX_PATH + 8];

	(void)state;
	t[0] = '/';
	memset(t + 1, 'a', RN_HTTP_MAX_PATH - 1);
	t[RN_HTTP_MAX_PATH] = '\0';
	assert_int_equal(target_status(t), 0);
	assert_int_equal(req.path_len, RN_HTTP_MAX_PATH);
	assert_int_equal(strlen(req.path), RN_HTTP_MAX_PATH);
	t[RN_HTTP_MAX_PATH] = 'a';
	t[RN_HTTP_MAX_PATH + 1] = '\0';
	assert_int_equal(target_status(t), 414);
}

static void
test_path_length_decoded(void **state)
{
	char t[3 * RN_HTTP_MAX_PATH + 8];
	size_t i;

	(void)state;
	/* 2048 decoded bytes from 3 * 2047 + 1 request bytes: the decoded length counts */
	t[0] = '/';
	for (i = 0; i < RN_HTTP_MAX_PATH - 1; i++)
		memcpy(t + 1 + 3 * i, "%41", 3);
	t[1 + 3 * i] = '\0';
	assert_int_equal(target_status(t), 0);
	assert_int_equal(req.path_len, RN_HTTP_MAX_PATH);
	memcpy(t + 1 + 3 * i, "%41", 4);
	assert_int_equal(target_status(t), 414);
}

static void
test_request_line_length(void **state)
{
	static char b[RN_DEF_HTTP_MAX_REQUEST_LINE + 64];
	const size_t max = RN_DEF_HTTP_MAX_REQUEST_LINE;
	const struct rn_http_limits lim = { max, 65536, 64 };
	size_t n;

	(void)state;
	/* "GET /aaa?aaa HTTP/1.1": a request line of exactly the maximum */
	memcpy(b, "GET /", 5);
	memset(b + 5, 'a', max - 5 - 9);
	b[100] = '?';
	memcpy(b + max - 9, " HTTP/1.1\r\nHost: a\r\n\r\n", 22);
	n = max + 22 - 9;
	assert_int_equal(parse_lim(b, n, &lim), 0);
	assert_int_equal(req.query_len, max - 9 - 101);
	/* one byte more */
	memcpy(b, "GET /a", 6);
	memset(b + 6, 'a', max - 6 - 8);
	memcpy(b + max - 8, " HTTP/1.1\r\nHost: a\r\n\r\n", 22);
	assert_int_equal(parse_lim(b, n + 1, &lim), 414);
}

static void
test_request_line_length_small(void **state)
{
	static const char *too_long[] = {
		"GET /abc HTTP/1.1\r\nHost: a\r\n\r\n",	/* 17 */
		"GET /abcdefghijklmnopqrstuvwxyz HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /%41bcdefghijklmnopqrs HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /abcdefghijk%41 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /?abcdefghijk%41 HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET http://abcdefghijklmnopqrstuvwxyz/ HTTP/1.1\r\nHost: a\r\n\r\n",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\nHost: a\r\n\r\n",
	};
	const struct rn_http_limits lim = { 16, 1024, 8 };
	const char *ok = "GET /ab HTTP/1.1\r\nHost: a\r\n\r\n";	/* 16 */
	size_t i;

	(void)state;
	assert_int_equal(parse_lim(ok, strlen(ok), &lim), 0);
	for (i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++)
		if (parse_lim(too_long[i], strlen(too_long[i]), &lim) != 414)
			fail_msg("\"%s\" did not get 414", too_long[i]);
}

/* Header fields */

static void
test_field_whitespace_before_colon(void **state)
{
	(void)state;
	assert_int_equal(get_with("X-A : b\r\n"), 400);
	assert_string_equal(req.error, "whitespace before colon");
	assert_int_equal(get_with("X-A\t: b\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
}

static void
test_field_obs_fold(void **state)
{
	(void)state;
	assert_int_equal(get_with("X-A: b\r\n c\r\n"), 400);
	assert_int_equal(get_with("X-A: b\r\n\tc\r\n"), 400);
	/* whitespace between the request line and the first field */
	assert_int_equal(parse_str("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400);
}

static void
test_field_names(void **state)
{
	(void)state;
	assert_int_equal(get_with(": b\r\n"), 400);
	assert_int_equal(get_with("X-A b\r\n"), 400);
	assert_int_equal(get_with("X(A): b\r\n"), 400);
	assert_int_equal(get_with("X\xc3\xa9: b\r\n"), 400);
	assert_int_equal(get_with("X-A\r\n"), 400);
	assert_int_equal(get_with("!#$%&'*+-.^_`|~09az: b\r\n"), 0);
}

static void
test_field_value_ctl(void **state)
{
	static const char bad[] = { 0x01, 0x08, 0x0b, 0x0c, 0x1f, 0x7f };
	char f[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		snprintf(f, sizeof(f), "X-A: a%cb\r\n", bad[i]);
		if (get_with(f) != 400)
			fail_msg("CTL 0x%02x in a value was accepted", (unsigned)bad[i]);
	}
	assert_int_equal(get_with("X-A: a\rb\r\n"), 400);
	assert_int_equal(get_with("X-A: a\nb\r\n"), 400);
	assert_int_equal(get_with("X-A: a\n"), 400);
}

static void
test_field_value_nul(void **state)
{
	static const char h[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\0b\r\n\r\n";
	static const char h2[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";

	(void)state;
	assert_int_equal(parse_lim(h, sizeof(h) - 1, &lim_def), 400);
	assert_int_equal(parse_lim(h2, sizeof(h2) - 1, &lim_def), 400);
}

static void
test_too_many_fields(void **state)
{
	const struct rn_http_limits lim = { 8192, 16384, 4 };
	const char *four = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
	const char *five = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";

	(void)state;
	assert_int_equal(parse_lim(four, strlen(four), &lim), 0);
	assert_int_equal(req.nheaders, 4);
	assert_int_equal(parse_lim(five, strlen(five), &lim), 431);
}

static void
test_max_headers_clamped(void **state)
{
	const struct rn_http_limits lim = { 8192, 65536, 100000 };
	static char b[65536];
	size_t n, i;

	(void)state;
	n = (size_t)snprintf(b, sizeof(b), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < RN_MAX_HTTP_HEADERS; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "X: %zu\r\n", i);
	memcpy(b + n, "\r\n", 2);
	assert_int_equal(parse_lim(b, n + 2, &lim), 431);
}

static void
test_head_too_large(void **state)
{
	const struct rn_http_limits lim = { 8192, 64, 64 };
	char b[128];
	int n;

	(void)state;
	n = snprintf(b, sizeof(b), "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: %028d\r\n\r\n", 0);
	assert_int_equal(n, 64);
	assert_int_equal(parse_lim(b, (size_t)n, &lim), 0);
	n = snprintf(b, sizeof(b), "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: %029d\r\n\r\n", 0);
	assert_int_equal(parse_lim(b, (size_t)n, &lim), 431);
}

static void
test_head_framing(void **state)
{
	(void)state;
	assert_int_equal(parse_str(""), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\n\r"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\nHost: a\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\n\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\n\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n"), 400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\r\nHost: a\r\n\r\n"), 400);
}

static void
test_parse_misuse(void **state)
{
	const char *h = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

	(void)state;
	assert_int_not_equal(rn_http_parse_head(h, strlen(h), NULL, &req), RN_OK);
	assert_int_equal(req.status, 500);
	assert_int_not_equal(rn_http_parse_head(NULL, 5, &lim_def, &req), RN_OK);
	assert_int_equal(rn_http_parse_head(h, strlen(h), &lim_def, NULL), RN_ERR_INVAL);
	/* a struct reused after an error is fully reset */
	assert_int_equal(parse_str("GET /?q HTTP/1.1\r\nHost: a\r\nRange: bytes=1-\r\nHost: b\r\n\r\n"),
	    400);
	assert_int_equal(parse_str("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	assert_null(req.query);
	assert_null(req.range);
	assert_int_equal(req.nheaders, 1);
}

static void
test_error_order(void **state)
{
	(void)state;
	/* the request line is judged before the fields, the method after them */
	assert_int_equal(parse_str("GET / HTTP/2.0\r\nX : y\r\n\r\n"), 505);
	assert_int_equal(parse_str("PUT / HTTP/1.1\r\nX : y\r\n\r\n"), 400);
	assert_int_equal(parse_str("PUT / HTTP/1.1\r\n\r\n"), 405);
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nExpect: x\r\n\r\n"), 400);	/* no Host */
	assert_int_equal(parse_str("POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\n\r\n"), 411);
}

/* Scanning */

static void
test_scan_simple(void **state)
{
	const char *h = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t scan = 0, hl = 0;
	int st = 0;

	(void)state;
	assert_int_equal(rn_http_head_scan(h, 10, &scan, &lim_def, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(scan, 10);
	assert_int_equal(rn_http_head_scan(h, strlen(h) - 1, &scan, &lim_def, &hl, &st),
	    RN_ERR_AGAIN);
	assert_int_equal(rn_http_head_scan(h, strlen(h), &scan, &lim_def, &hl, &st), RN_OK);
	assert_int_equal(hl, strlen(h));
	assert_int_equal(scan, strlen(h));
	assert_int_equal(rn_http_head_scan(h, 0, &scan, &lim_def, &hl, &st), RN_ERR_INVAL);
}

static void
test_scan_pipelined(void **state)
{
	const char *h = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGE";
	size_t hl, hl2;
	int st;

	(void)state;
	assert_int_equal(scan_once(h, strlen(h), &lim_def, &hl, &st), RN_OK);
	assert_int_equal(hl, 28);
	assert_int_equal(parse_lim(h, hl, &lim_def), 0);
	assert_string_equal(req.path, "/1");
	assert_int_equal(scan_once(h + hl, strlen(h) - hl, &lim_def, &hl2, &st), RN_OK);
	assert_int_equal(hl2, 28);
	assert_int_equal(parse_lim(h + hl, hl2, &lim_def), 0);
	assert_string_equal(req.path, "/2");
	assert_int_equal(scan_once(h + hl + hl2, 2, &lim_def, &hl, &st), RN_ERR_AGAIN);
}

static void
test_scan_byte_at_a_time(void **state)
{
	static const char *heads[] = {
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n",
		"\n",
		"\r\r",
		"GET / HTTP/1.1\r\n\r\nextra",
		"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
	};
	size_t i, hl;
	int st;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		check_scan_incremental(heads[i], strlen(heads[i]), &lim_def);
	assert_int_equal(scan_once(heads[0], strlen(heads[0]), &lim_def, &hl, &st), RN_OK);
	assert_int_equal(scan_once(heads[2], strlen(heads[2]), &lim_def, &hl, &st), RN_ERR_PROTO);
	assert_int_equal(st, 400);
	assert_int_equal(scan_once(heads[7], strlen(heads[7]), &lim_def, &hl, &st), RN_OK);
	assert_int_equal(hl, strlen(heads[7]) - 5);
}

static void
test_scan_bad_bytes(void **state)
{
	static const char nul[] = "GET / HTTP/1.1\r\nX: \0\r\n\r\n";
	size_t hl;
	int st;

	(void)state;
	assert_int_equal(scan_once(nul, sizeof(nul) - 1, &lim_def, &hl, &st), RN_ERR_PROTO);
	assert_int_equal(st, 400);
	check_scan_incremental(nul, sizeof(nul) - 1, &lim_def);
	assert_int_equal(scan_once("GET / HTTP/1.1\n", 15, &lim_def, &hl, &st), RN_ERR_PROTO);
	assert_int_equal(st, 400);
	assert_int_equal(scan_once("GET / HTTP/1.1\rX", 16, &lim_def, &hl, &st), RN_ERR_PROTO);
	assert_int_equal(st, 400);
	/* a CR at the end: the next byte decides */
	assert_int_equal(scan_once("GET / HTTP/1.1\r", 15, &lim_def, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(scan_once("\n", 1, &lim_def, &hl, &st), RN_ERR_PROTO);
	assert_int_equal(scan_once("\r\n\n", 3, &lim_def, &hl, &st), RN_ERR_PROTO);
}

static void
test_scan_request_line_limit(void **state)
{
	const struct rn_http_limits lim = { 16, 1024, 8 };
	const char *ok = "GET /ab HTTP/1.1\r\nHost: a\r\n\r\n";
	const char *ok_lead = "\r\n\r\nGET /ab HTTP/1.1\r\nHost: a\r\n\r\n";
	const char *tl = "GET /abc HTTP/1.1\r\nHost: a\r\n\r\n";
	const char *tl_nocrlf = "GET /abcdefghijklmnopqrstuvwxyz";
	size_t hl;
	int st;

	(void)state;
	assert_int_equal(scan_once(ok, strlen(ok), &lim, &hl, &st), RN_OK);
	assert_int_equal(scan_once(ok_lead, strlen(ok_lead), &lim, &hl, &st), RN_OK);
	assert_int_equal(scan_once(tl, strlen(tl), &lim, &hl, &st), RN_ERR_TOOBIG);
	assert_int_equal(st, 414);
	assert_int_equal(scan_once(tl_nocrlf, strlen(tl_nocrlf), &lim, &hl, &st), RN_ERR_TOOBIG);
	assert_int_equal(st, 414);
	/* exactly the limit and no CRLF yet: wait */
	assert_int_equal(scan_once(tl_nocrlf, 16, &lim, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(scan_once(tl_nocrlf, 17, &lim, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(scan_once(tl_nocrlf, 18, &lim, &hl, &st), RN_ERR_TOOBIG);
	check_scan_incremental(tl, strlen(tl), &lim);
	check_scan_incremental(tl_nocrlf, strlen(tl_nocrlf), &lim);
	check_scan_incremental(ok_lead, strlen(ok_lead), &lim);
}

static void
test_scan_long_field_after_short_line(void **state)
{
	const struct rn_http_limits lim = { 16, 1024, 8 };
	const char *h = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	size_t scan = 0, hl = 0;
	int st = 0;

	(void)state;
	/* the request line ended in an earlier call: a long field is no 414 */
	assert_int_equal(rn_http_head_scan(h, 17, &scan, &lim, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(rn_http_head_scan(h, strlen(h), &scan, &lim, &hl, &st), RN_OK);
	assert_int_equal(hl, strlen(h));
	check_scan_incremental(h, strlen(h), &lim);
	assert_int_equal(parse_lim(h, strlen(h), &lim), 0);
}

static void
test_scan_head_limit(void **state)
{
	const struct rn_http_limits lim = { 8192, 32, 8 };
	const char *h = "GET / HTTP/1.1\r\nHost: abcdefg\r\n\r\n";	/* 33 bytes */
	size_t hl;
	int st;

	(void)state;
	assert_int_equal(scan_once(h, 31, &lim, &hl, &st), RN_ERR_AGAIN);
	/* all 32 bytes in and no end: refused now, the server never passes more */
	assert_int_equal(scan_once(h, 32, &lim, &hl, &st), RN_ERR_TOOBIG);
	assert_int_equal(st, 431);
	assert_int_equal(scan_once(h, 33, &lim, &hl, &st), RN_ERR_TOOBIG);
	assert_int_equal(st, 431);
	check_scan_incremental(h, 33, &lim);
	assert_int_equal(scan_once(h + 1, 31, &lim, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(scan_once(h + 1, 32, &lim, &hl, &st), RN_OK);	/* "ET / ..." fits */
	assert_int_equal(hl, 32);
}

static void
test_scan_misuse(void **state)
{
	size_t scan = 5, hl;
	int st = 0;

	(void)state;
	assert_int_equal(rn_http_head_scan("abc", 3, &scan, &lim_def, &hl, &st), RN_ERR_INVAL);
	assert_int_equal(st, 500);
	scan = 0;
	assert_int_equal(rn_http_head_scan(NULL, 0, &scan, &lim_def, &hl, &st), RN_ERR_AGAIN);
	assert_int_equal(rn_http_head_scan("abc", 3, &scan, NULL, &hl, &st), RN_ERR_INVAL);
}

static void
test_scan_then_parse_prefixes(void **state)
{
	const char *h = "GET /a?b HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n";
	size_t n = strlen(h), k;

	(void)state;
	/* every proper prefix is refused by the parser */
	for (k = 0; k < n; k++)
		assert_int_equal(parse_lim(h, k, &lim_def), 400);
	assert_int_equal(parse_lim(h, n, &lim_def), 0);
	assert_true(req.accept_gzip);
}

/* Range */

static enum rn_err
range(const char *v, uint64_t size, uint64_t *a, uint64_t *b)
{
	*a = *b = 12345;
	return rn_http_parse_range(v, strlen(v), size, a, b);
}

static void
test_range_valid(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(range("bytes=0-99", 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 99);
	assert_int_equal(range("bytes=500-", 1000, &a, &b), RN_OK);
	assert_true(a == 500 && b == 999);
	assert_int_equal(range("bytes=-100", 1000, &a, &b), RN_OK);
	assert_true(a == 900 && b == 999);
	assert_int_equal(range("bytes=999-999", 1000, &a, &b), RN_OK);
	assert_true(a == 999 && b == 999);
	assert_int_equal(range("Bytes=0-0", 1, &a, &b), RN_OK);
	assert_true(a == 0 && b == 0);
	assert_int_equal(range("bytes=007-8", 10, &a, &b), RN_OK);
	assert_true(a == 7 && b == 8);
}

static void
test_range_clamped(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(range("bytes=0-5000", 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 999);
	assert_int_equal(range("bytes=-5000", 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 999);
	assert_int_equal(range("bytes=-1000", 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 999);
	assert_int_equal(range("bytes=10-99999999999999999999999", 1000, &a, &b), RN_OK);
	assert_true(a == 10 && b == 999);
	assert_int_equal(range("bytes=-99999999999999999999999", 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 999);
	assert_int_equal(range("bytes=0-", UINT64_MAX, &a, &b), RN_OK);
	assert_true(a == 0 && b == UINT64_MAX - 1);
	assert_int_equal(range("bytes=18446744073709551614-18446744073709551615", UINT64_MAX, &a,
	    &b), RN_OK);
	assert_true(a == UINT64_MAX - 1 && b == UINT64_MAX - 1);
}

static void
test_range_unsatisfiable(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(range("bytes=1000-", 1000, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=1000-2000", 1000, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=-0", 1000, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=0-", 0, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=-5", 0, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=99999999999999999999999-", 10, &a, &b), RN_ERR_INVAL);
	assert_int_equal(range("bytes=18446744073709551615-", UINT64_MAX, &a, &b), RN_ERR_INVAL);
	/* nothing written on failure */
	assert_true(a == 12345 && b == 12345);
}

static void
test_range_ignored(void **state)
{
	static const char *ign[] = {
		"bytes=0-1,2-3", "bytes=0-1,", "bytes=,0-1", "bytes=0-1, 2-3", "items=0-1",
		"bytes= 0-1", "bytes =0-1", "bytes=0 -1", "bytes=0- 1", "bytes=0-1 ", " bytes=0-1",
		"bytes=5-3", "bytes=-", "bytes=", "bytes", "bytes=a-b", "bytes=0x1-2", "bytes=+1-2",
		"bytes=--1", "bytes=1--2", "bytes=1-2-3", "bytes:0-1", "",
	};
	uint64_t a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		if (range(ign[i], 1000, &a, &b) != RN_ERR_NOTFOUND)
			fail_msg("Range \"%s\" was not ignored", ign[i]);
	/* an invalid range-spec is ignored even on an empty representation */
	assert_int_equal(range("bytes=5-3", 0, &a, &b), RN_ERR_NOTFOUND);
	assert_int_equal(rn_http_parse_range("bytes=0-1", 9, 10, NULL, &b), RN_ERR_NOTFOUND);
	assert_int_equal(rn_http_parse_range(NULL, 0, 10, &a, &b), RN_ERR_NOTFOUND);
	/* the length bounds the value: no NUL terminator needed */
	assert_int_equal(rn_http_parse_range("bytes=0-12345", 9, 1000, &a, &b), RN_OK);
	assert_true(a == 0 && b == 1);
}

/* ETag */

static bool
inm(const char *v, const char *etag)
{
	return rn_http_etag_match(v, strlen(v), etag);
}

static void
test_etag_match(void **state)
{
	(void)state;
	assert_true(inm("\"abc\"", "\"abc\""));
	assert_true(inm("W/\"abc\"", "\"abc\""));
	assert_true(inm("\"abc\"", "W/\"abc\""));
	assert_true(inm("\"x\", \"abc\"", "\"abc\""));
	assert_true(inm("\"x\",W/\"abc\" ,\"y\"", "\"abc\""));
	assert_true(inm(" , \"abc\" , ", "\"abc\""));
	assert_true(inm("*", "\"abc\""));
	assert_true(inm(" * ", "\"abc\""));
	assert_true(inm("\"\"", "\"\""));
	assert_true(inm("\"a,b\"", "\"a,b\""));
	assert_true(inm("\"\xc3\xa9\"", "\"\xc3\xa9\""));
}

static void
test_etag_no_match(void **state)
{
	(void)state;
	assert_false(inm("\"abd\"", "\"abc\""));
	assert_false(inm("\"ABC\"", "\"abc\""));
	assert_false(inm("\"abc\"", "\"ab\""));
	assert_false(inm("\"a\", \"b\"", "\"abc\""));
	assert_false(inm("w/\"abc\"", "\"abc\""));	/* W is case-sensitive */
	assert_false(inm("\"abc\"", "abc"));	/* ours must be quoted */
	assert_false(rn_http_etag_match(NULL, 0, "\"abc\""));
	assert_false(rn_http_etag_match("\"abc\"", 5, NULL));
	assert_false(rn_http_etag_match("\"abc\"", 4, "\"abc\""));
}

static void
test_etag_malformed(void **state)
{
	static const char *bad[] = {
		"abc", "\"abc", "abc\"", "\"abc\" \"abc\"", "\"abc\" x", "*, \"abc\"", "\"abc\", *",
		"\"ab\"c\"", "\"abc\", bad", "bad, \"abc\"", "", ",", " , , ", "W/", "W/abc",
		"W/ \"abc\"", "\"a\x01\"", "\"a\x7f\"", "\"a b\"", "**",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (inm(bad[i], "\"abc\""))
			fail_msg("If-None-Match \"%s\" matched", bad[i]);
	/* a malformed list never matches, even when a valid element would */
	assert_false(inm("\"abc\", \"x", "\"abc\""));
}

/* Reason phrases */

static void
test_reason(void **state)
{
	static const int codes[] = {
		100, 200, 204, 206, 301, 302, 304, 400, 403, 404, 405, 408, 411, 413, 414, 416,
		417, 421, 429, 431, 500, 501, 503, 505,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *r = rn_http_reason(codes[i]);

		assert_non_null(r);
		assert_string_not_equal(r, "Unknown");
	}
	assert_string_equal(rn_http_reason(200), "OK");
	assert_string_equal(rn_http_reason(404), "Not Found");
	assert_string_equal(rn_http_reason(416), "Range Not Satisfiable");
	assert_string_equal(rn_http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(rn_http_reason(505), "HTTP Version Not Supported");
	assert_string_equal(rn_http_reason(999), "Unknown");
	assert_string_equal(rn_http_reason(0), "Unknown");
	assert_string_equal(rn_http_reason(-1), "Unknown");
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_get_minimal),
		T(test_get_full),
		T(test_head_http10),
		T(test_post),
		T(test_absolute_form),
		T(test_absolute_form_rejects),
		T(test_leading_empty_lines),
		T(test_percent_decoding),
		T(test_dot_like_segments),
		T(test_ows_and_obs_text),
		T(test_req_header_lookup),
		T(test_hosts_valid),
		T(test_hosts_invalid),
		T(test_host_length),
		T(test_host_missing_or_duplicate),
		T(test_connection),
		T(test_accept_encoding),
		T(test_accept_encoding_malformed),
		T(test_content_length_values),
		T(test_content_length_invalid),
		T(test_content_length_duplicate),
		T(test_transfer_encoding),
		T(test_body_rules),
		T(test_expect),
		T(test_single_fields),
		T(test_methods_not_allowed),
		T(test_methods_unknown),
		T(test_methods_invalid),
		T(test_versions),
		T(test_request_line_spaces),
		T(test_target_forms),
		T(test_target_characters),
		T(test_target_percent_invalid),
		T(test_target_dot_segments),
		T(test_path_length),
		T(test_path_length_decoded),
		T(test_request_line_length),
		T(test_request_line_length_small),
		T(test_field_whitespace_before_colon),
		T(test_field_obs_fold),
		T(test_field_names),
		T(test_field_value_ctl),
		T(test_field_value_nul),
		T(test_too_many_fields),
		T(test_max_headers_clamped),
		T(test_head_too_large),
		T(test_head_framing),
		T(test_parse_misuse),
		T(test_error_order),
		T(test_scan_simple),
		T(test_scan_pipelined),
		T(test_scan_byte_at_a_time),
		T(test_scan_bad_bytes),
		T(test_scan_request_line_limit),
		T(test_scan_long_field_after_short_line),
		T(test_scan_head_limit),
		T(test_scan_misuse),
		T(test_scan_then_parse_prefixes),
		T(test_range_valid),
		T(test_range_clamped),
		T(test_range_unsatisfiable),
		T(test_range_ignored),
		T(test_etag_match),
		T(test_etag_no_match),
		T(test_etag_malformed),
		T(test_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
