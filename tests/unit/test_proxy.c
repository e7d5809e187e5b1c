/*
 * Unit tests for daemon/http/proxy.c (tor's PROXY v1 header) and
 * daemon/http/circuit.c (per-circuit limits).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_http.h"
#include "roneo/rn_limits.h"
#include "http/http_int.h"
#include "http/proxy.h"

#define PFX "PROXY TCP6 fc00:dead:beef:4dad::"

/* ---------------------------------------------------------------------- */
/* The parser */

static enum rn_err
parse(const char *s, size_t n, struct rn_http_proxy *out, size_t *used)
{
	*used = 0;
	memset(out, 0xa5, sizeof(*out));
	return rn_http_proxy_parse(s, n, out, used);
}

/* A whole valid header: RN_OK with the fields, and every proper prefix AGAIN. */
static void
check_valid(const char *s, uint32_t circuit, uint16_t sport, uint16_t dport)
{
	struct rn_http_proxy p;
	size_t		     used, n = strlen(s), k;

	if (parse(s, n, &p, &used) != RN_OK)
		fail_msg("refused: %s", s);
	assert_int_equal(used, n);
	assert_int_equal(p.circuit, circuit);
	assert_int_equal(p.src_port, sport);
	assert_int_equal(p.dst_port, dport);
	for (k = 0; k < n; k++)
		if (parse(s, k, &p, &used) != RN_ERR_AGAIN)
			fail_msg("prefix of %zu bytes of %s is not AGAIN", k, s);
}

static void
test_valid(void **state)
{
	(void)state;
	/* The strings of tor's own test (src/test/test_hs_service.c). */
	check_valid(PFX "0:29a ::1 666 42\r\n", 666, 666, 42);
	check_valid(PFX "ffff:ffff ::1 65535 42\r\n", UINT32_MAX, 65535, 42);
	check_valid(PFX "0:ffff ::1 65535 42\r\n", 65535, 65535, 42);
	/* No circuit (tor's defaults: identifier 0, source port 1). */
	check_valid(PFX "0:0 ::1 1 80\r\n", 0, 1, 80);
	check_valid(PFX "1:0 ::1 0 80\r\n", 65536, 0, 80);
	check_valid(PFX "abc:def ::1 3567 0\r\n", 0x0abc0defu, 3567, 0);
}

static void
test_valid_formatted(void **state)
{
	static const uint32_t ids[] = { 0, 1, 9, 10, 15, 16, 255, 256, 4095, 4096, 65535, 65536,
		65537, 0x00100000u, 0x12345678u, 0x7fffffffu, 0x80000000u, 0xfffffffeu,
		0xffffffffu };
	char		      buf[128];
	size_t		      i;
	uint32_t	      dport;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		for (dport = 0; dport <= 65535; dport += 9999) {
			/* As tor formats it. */
			snprintf(buf, sizeof(buf), "PROXY TCP6 %s:%x:%x %s %d %d\r\n",
			    "fc00:dead:beef:4dad:", ids[i] >> 16, ids[i] & 0xffff, "::1",
			    (int)(ids[i] & 0xffff), (int)dport);
			check_valid(buf, ids[i], (uint16_t)(ids[i] & 0xffff), (uint16_t)dport);
		}
}

static void
test_followed_by_http(void **state)
{
	static const char    s[] = PFX "0:7 ::1 7 80\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct rn_http_proxy p;
	size_t		     used;

	(void)state;
	assert_int_equal(parse(s, sizeof(s) - 1, &p, &used), RN_OK);
	assert_int_equal(used, strlen(PFX "0:7 ::1 7 80\r\n"));
	assert_int_equal(p.circuit, 7);
	/* Longer than the cap: only the header is looked at. */
	{
		char big[512];

		memset(big, 'A', sizeof(big));
		memcpy(big, s, sizeof(s) - 1);
		assert_int_equal(parse(big, sizeof(big), &p, &used), RN_OK);
		assert_int_equal(used, strlen(PFX "0:7 ::1 7 80\r\n"));
	}
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n", "PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\n",
		"PROXY TCP6 ::1 ::1 1 2\r\n", "PROXY UNKNOWN\r\n",
		"PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
		"proxy TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		"PROXY tcp6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		"PROXY TCP6 FC00:DEAD:BEEF:4DAD::0:29a ::1 666 42\r\n",
		"PROXY  TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		"PROXY\tTCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		" PROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		"\r\nPROXY TCP6 fc00:dead:beef:4dad::0:29a ::1 666 42\r\n",
		"PROXY TCP6 fc00:dead:beef:4dae::0:29a ::1 666 42\r\n",
		"PROXY TCP6 fc00:dead:beef:4dad:0:0:0:29a ::1 666 42\r\n",
		"PROXY TCP6 fc00:dead:beef:4dad:0000:0000:0000:029a ::1 666 42\r\n",
		"PROXY TCP6 fc00:dead:beef:4dad::29a ::1 666 42\r\n", PFX ":29a ::1 666 42\r\n",
		PFX "0: ::1 666 42\r\n", PFX "0:29A ::1 666 42\r\n", PFX "0:029a ::1 666 42\r\n",
		PFX "00:29a ::1 666 42\r\n", PFX "0:1029a ::1 666 42\r\n",
		PFX "10000:0 ::1 0 42\r\n", PFX "0:29g ::1 666 42\r\n",
		PFX "0:29a:1 ::1 666 42\r\n", PFX "0:29a  ::1 666 42\r\n",
		PFX "0:29a ::2 666 42\r\n", PFX "0:29a 0:0:0:0:0:0:0:1 666 42\r\n",
		PFX "0:29a ::0:1 666 42\r\n", PFX "0:29a 127.0.0.1 666 42\r\n",
		PFX "0:29a ::1  666 42\r\n", PFX "0:29a ::1 0666 42\r\n",
		PFX "0:29a ::1 666 042\r\n", PFX "0:29a ::1 00 42\r\n",
		PFX "0:29a ::1 65536 42\r\n", PFX "0:29a ::1 666 65536\r\n",
		PFX "0:29a ::1 666 99999\r\n", PFX "0:29a ::1 666 100000\r\n",
		PFX "0:29a ::1 -1 42\r\n", PFX "0:29a ::1 +666 42\r\n", PFX "0:29a ::1 666 \r\n",
		PFX "0:29a ::1  42\r\n", PFX "0:29a ::1 666\r\n", PFX "0:29a ::1 666 42 \r\n",
		PFX "0:29a ::1 666  42\r\n", PFX "0:29a ::1 666 42\n", PFX "0:29a ::1 666 42\r\r\n",
		PFX "0:29a ::1 666 42\rX", PFX "0:29a ::1 666 0x2a\r\n", PFX "0:29a ::1 666 4a\r\n",
		PFX "0:29a ::1 666 42\t\r\n",
		"\r\n\r\n\r\nQUIT\n", /* the v2 signature, cut at its NUL */
	};
	struct rn_http_proxy p;
	size_t		     i, used;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], strlen(bad[i]), &p, &used) != RN_ERR_PROTO)
			fail_msg("accepted or pending: %s", bad[i]);
}

static void
test_binary(void **state)
{
	/* PROXY v2: its 12-byte signature, version 2 PROXY, AF_INET6 over TCP. */
	static const char    v2[] = "\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24";
	static const char    nul[] = PFX "0:2\0 ::1 2 80\r\n";
	static const char    nul2[] = PFX "0:29a ::1 666 42\r\0";
	struct rn_http_proxy p;
	size_t		     used;

	(void)state;
	assert_int_equal(parse(v2, sizeof(v2) - 1, &p, &used), RN_ERR_PROTO);
	assert_int_equal(parse(nul, sizeof(nul) - 1, &p, &used), RN_ERR_PROTO);
	assert_int_equal(parse(nul2, sizeof(nul2) - 1, &p, &used), RN_ERR_PROTO);
	assert_int_equal(used, 0);
}

static void
test_pending_and_cap(void **state)
{
	char		     buf[RN_PROXY_V1_MAX + 16];
	struct rn_http_proxy p;
	size_t		     used, n;

	(void)state;
	assert_int_equal(parse("", 0, &p, &used), RN_ERR_AGAIN);
	assert_int_equal(parse("P", 1, &p, &used), RN_ERR_AGAIN);
	assert_int_equal(parse("G", 1, &p, &used), RN_ERR_PROTO);
	assert_int_equal(parse(PFX "ffff", strlen(PFX "ffff"), &p, &used), RN_ERR_AGAIN);
	assert_int_equal(
	    parse(PFX "ffff:0 ::1 6553", strlen(PFX "ffff:0 ::1 6553"), &p, &used), RN_ERR_AGAIN);
	assert_int_equal(
	    parse(PFX "ffff:0 ::1 0 0\r", strlen(PFX "ffff:0 ::1 0 0\r"), &p, &used), RN_ERR_AGAIN);
	/* Refused at the first wrong byte, not when the cap is reached. */
	assert_int_equal(
	    parse(PFX "0:1 ::1 1 80 ", strlen(PFX "0:1 ::1 1 80 "), &p, &used), RN_ERR_PROTO);
	/* Never pending at or past the cap, whatever the bytes. */
	for (n = 0; n < sizeof(buf); n++) {
		memset(buf, ' ', sizeof(buf));
		memcpy(buf, PFX "0:1 ::1 1 80", strlen(PFX "0:1 ::1 1 80"));
		if (n >= RN_PROXY_V1_MAX && parse(buf, n, &p, &used) == RN_ERR_AGAIN)
			fail_msg("AGAIN at %zu bytes", n);
	}
	assert_int_equal(used, 0);
}

/* ---------------------------------------------------------------------- */
/* The limiter */

#define SEC 1000u

static struct rn_http_circuits *
table(size_t cap, uint64_t rps, uint64_t conns, uint64_t uploads, uint64_t codes)
{
	struct rn_http_circuit_limits lim = { rps, conns, uploads, codes };
	struct rn_http_circuits	     *t = rn_http_circuits_new(cap);

	assert_non_null(t);
	rn_http_circuits_set_limits(t, &lim);
	return t;
}

static void
test_new_bounds(void **state)
{
	(void)state;
	assert_null(rn_http_circuits_new(0));
	assert_null(rn_http_circuits_new(SIZE_MAX));
	rn_http_circuits_free(NULL);
	rn_http_circuits_free(rn_http_circuits_new(1));
	rn_http_circuits_free(rn_http_circuits_new(RN_HTTP_CIRCUIT_TABLE));
}

static void
test_connections(void **state)
{
	struct rn_http_circuits *t = table(16, 0, 2, 0, 0);
	struct rn_http_circuit	*a, *b, *c;

	(void)state;
	assert_non_null(a = rn_http_circuits_connect(t, 7, 0));
	assert_non_null(b = rn_http_circuits_connect(t, 7, 0));
	assert_ptr_equal(a, b);
	assert_null(rn_http_circuits_connect(t, 7, 0));
	/* Another circuit is not affected. */
	assert_non_null(c = rn_http_circuits_connect(t, 8, 0));
	assert_ptr_not_equal(c, a);
	assert_int_equal(rn_http_circuits_count(t), 2);
	rn_http_circuits_disconnect(t, a, 1);
	assert_non_null(rn_http_circuits_connect(t, 7, 2));
	assert_null(rn_http_circuits_connect(t, 7, 2));
	rn_http_circuits_free(t);
}

static void
test_requests(void **state)
{
	struct rn_http_circuits *t = table(16, 3, 0, 0, 0);
	struct rn_http_circuit	*a, *b;
	unsigned		 i;

	(void)state;
	a = rn_http_circuits_connect(t, 1, 1000 * SEC);
	b = rn_http_circuits_connect(t, 2, 1000 * SEC);
	assert_non_null(a);
	assert_non_null(b);
	/* A burst of RN_HTTP_CIRCUIT_BURST_SECS seconds' worth, then no more. */
	for (i = 0; i < 3 * RN_HTTP_CIRCUIT_BURST_SECS; i++)
		assert_true(rn_http_circuits_request(t, a, 1000 * SEC));
	assert_false(rn_http_circuits_request(t, a, 1000 * SEC));
	assert_false(rn_http_circuits_request(t, a, 1000 * SEC + 332));
	/* The other circuit still has its own. */
	assert_true(rn_http_circuits_request(t, b, 1000 * SEC));
	/* A third of a second later: one more. */
	assert_true(rn_http_circuits_request(t, a, 1000 * SEC + 334));
	assert_false(rn_http_circuits_request(t, a, 1000 * SEC + 334));
	/* Long after, a full bucket, never more. */
	for (i = 0; i < 3 * RN_HTTP_CIRCUIT_BURST_SECS; i++)
		assert_true(rn_http_circuits_request(t, a, 5000 * SEC));
	assert_false(rn_http_circuits_request(t, a, 5000 * SEC));
	/* A clock that goes back refills nothing and breaks nothing. */
	assert_false(rn_http_circuits_request(t, a, 10));
	/* A far jump does not overflow. */
	assert_true(rn_http_circuits_request(t, a, UINT64_MAX));
	rn_http_circuits_free(t);
}

static void
test_uploads(void **state)
{
	struct rn_http_circuits *t = table(16, 0, 0, 1, 0);
	struct rn_http_circuit	*a, *b;

	(void)state;
	a = rn_http_circuits_connect(t, 1, 0);
	b = rn_http_circuits_connect(t, 2, 0);
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_UPLOAD, 0));
	assert_false(rn_http_circuits_acquire(t, a, RN_CIRCUIT_UPLOAD, 0));
	assert_true(rn_http_circuits_acquire(t, b, RN_CIRCUIT_UPLOAD, 0));
	rn_http_circuits_release(t, a, RN_CIRCUIT_UPLOAD, 1);
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_UPLOAD, 1));
	/* A second release, or a release of a spent resource, changes nothing. */
	rn_http_circuits_release(t, b, RN_CIRCUIT_UPLOAD, 1);
	rn_http_circuits_release(t, b, RN_CIRCUIT_UPLOAD, 1);
	rn_http_circuits_release(t, b, RN_CIRCUIT_CODENAME, 1);
	assert_true(rn_http_circuits_acquire(t, b, RN_CIRCUIT_UPLOAD, 1));
	assert_false(rn_http_circuits_acquire(t, b, RN_CIRCUIT_UPLOAD, 1));
	/* An unknown resource is refused. */
	assert_false(rn_http_circuits_acquire(t, b, (enum rn_circuit_res)99, 1));
	rn_http_circuits_free(t);
}

static void
test_codenames(void **state)
{
	struct rn_http_circuits *t = table(16, 0, 0, 0, 2);
	struct rn_http_circuit	*a, *b;

	(void)state;
	a = rn_http_circuits_connect(t, 1, 0);
	b = rn_http_circuits_connect(t, 2, 0);
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 0));
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 0));
	assert_false(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 29 * SEC));
	assert_true(rn_http_circuits_acquire(t, b, RN_CIRCUIT_CODENAME, 29 * SEC));
	/* Half a minute: one more attempt. */
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 30 * SEC));
	assert_false(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 30 * SEC));
	/* Releasing an attempt gives nothing back. */
	rn_http_circuits_release(t, a, RN_CIRCUIT_CODENAME, 30 * SEC);
	assert_false(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 30 * SEC));
	rn_http_circuits_free(t);
}

static void
test_unlimited(void **state)
{
	struct rn_http_circuits *t = table(4, 0, 0, 0, 0);
	struct rn_http_circuit	*a = NULL;
	unsigned		 i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_non_null(a = rn_http_circuits_connect(t, 5, 0));
		assert_true(rn_http_circuits_request(t, a, 0));
		assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_UPLOAD, 0));
		assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, 0));
	}
	assert_int_equal(rn_http_circuits_count(t), 1);
	rn_http_circuits_free(t);
}

static void
test_forget(void **state)
{
	struct rn_http_circuits *t = table(16, 1, 4, 4, 1);
	struct rn_http_circuit	*a;
	const uint64_t		 t0 = 5 * SEC, forget = RN_HTTP_CIRCUIT_FORGET_SECS * SEC;

	(void)state;
	/* A circuit that spent nothing is forgotten as soon as it is idle. */
	a = rn_http_circuits_connect(t, 1, t0);
	assert_int_equal(rn_http_circuits_count(t), 1);
	rn_http_circuits_disconnect(t, a, t0);
	assert_int_equal(rn_http_circuits_count(t), 0);
	/* One that spent something is kept while that matters... */
	a = rn_http_circuits_connect(t, 1, t0);
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, t0));
	rn_http_circuits_disconnect(t, a, t0);
	assert_int_equal(rn_http_circuits_count(t), 1);
	assert_int_equal(rn_http_circuits_sweep(t, t0 + forget - 1), 0);
	assert_int_equal(rn_http_circuits_count(t), 1);
	/* ... so coming back within the minute finds the attempt spent. */
	a = rn_http_circuits_connect(t, 1, t0 + 1);
	assert_false(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, t0 + 1));
	rn_http_circuits_disconnect(t, a, t0 + 2);
	/* Idle for RN_HTTP_CIRCUIT_FORGET_SECS: gone. */
	assert_int_equal(rn_http_circuits_sweep(t, t0 + 2 + forget), 1);
	assert_int_equal(rn_http_circuits_count(t), 0);
	/* A circuit with a connection open is never swept. */
	a = rn_http_circuits_connect(t, 2, t0);
	assert_true(rn_http_circuits_request(t, a, t0));
	assert_int_equal(rn_http_circuits_sweep(t, t0 + 100 * forget), 0);
	assert_int_equal(rn_http_circuits_count(t), 1);
	/* An upload still held keeps it too. */
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_UPLOAD, t0));
	rn_http_circuits_disconnect(t, a, t0);
	assert_int_equal(rn_http_circuits_sweep(t, t0 + 100 * forget), 0);
	rn_http_circuits_release(t, a, RN_CIRCUIT_UPLOAD, t0 + 100 * forget);
	assert_int_equal(rn_http_circuits_count(t), 0); /* full again long since */
	rn_http_circuits_free(t);
}

static void
test_eviction(void **state)
{
	struct rn_http_circuits *t = table(2, 1, 1, 0, 0);
	struct rn_http_circuit	*a, *b, *c;

	(void)state;
	a = rn_http_circuits_connect(t, 1, 0);
	b = rn_http_circuits_connect(t, 2, 0);
	assert_non_null(a);
	assert_non_null(b);
	/* Full of circuits with connections: a new one is refused. */
	assert_null(rn_http_circuits_connect(t, 3, 0));
	/* Both spend their burst and go idle, a first. */
	assert_true(rn_http_circuits_request(t, a, 0));
	assert_true(rn_http_circuits_request(t, a, 0));
	assert_true(rn_http_circuits_request(t, b, 0));
	assert_true(rn_http_circuits_request(t, b, 0));
	rn_http_circuits_disconnect(t, a, 10);
	rn_http_circuits_disconnect(t, b, 20);
	assert_int_equal(rn_http_circuits_count(t), 2);
	/* A new circuit takes the place of the oldest idle one (a)... */
	assert_non_null(c = rn_http_circuits_connect(t, 3, 30));
	assert_true(rn_http_circuits_request(t, c, 30));
	assert_int_equal(rn_http_circuits_count(t), 2);
	/* ... b is still remembered with its empty bucket ... */
	assert_non_null(b = rn_http_circuits_connect(t, 2, 40));
	assert_false(rn_http_circuits_request(t, b, 40));
	/* ... and a, forgotten, can come back only when there is room. */
	assert_null(rn_http_circuits_connect(t, 1, 40));
	rn_http_circuits_disconnect(t, c, 50);
	assert_non_null(a = rn_http_circuits_connect(t, 1, 60));
	assert_true(rn_http_circuits_request(t, a, 60));
	assert_true(rn_http_circuits_request(t, a, 60));
	rn_http_circuits_free(t);
}

static void
test_many(void **state)
{
	struct rn_http_circuits	      *t = table(RN_HTTP_CIRCUIT_TABLE, 1, 1, 1, 1);
	static struct rn_http_circuit *e[RN_HTTP_CIRCUIT_TABLE];
	uint32_t		       i;

	(void)state;
	for (i = 0; i < RN_HTTP_CIRCUIT_TABLE; i++) {
		/* Ids tor hands out in a row, and far apart. */
		e[i] = rn_http_circuits_connect(t, (i & 1) ? i : ~i, 0);
		assert_non_null(e[i]);
		assert_true(rn_http_circuits_request(t, e[i], 0));
	}
	assert_int_equal(rn_http_circuits_count(t), RN_HTTP_CIRCUIT_TABLE);
	assert_null(rn_http_circuits_connect(t, 0xdeadbeefu, 0));
	for (i = 0; i < RN_HTTP_CIRCUIT_TABLE; i++)
		assert_null(rn_http_circuits_connect(t, (i & 1) ? i : ~i, 0)); /* 1 conn each */
	for (i = 0; i < RN_HTTP_CIRCUIT_TABLE; i++)
		rn_http_circuits_disconnect(t, e[i], 1);
	assert_int_equal(rn_http_circuits_count(t), RN_HTTP_CIRCUIT_TABLE);
	assert_int_equal(rn_http_circuits_sweep(t, 1 + RN_HTTP_CIRCUIT_FORGET_SECS * SEC),
	    RN_HTTP_CIRCUIT_TABLE);
	assert_int_equal(rn_http_circuits_count(t), 0);
	rn_http_circuits_free(t);
}

static void
test_limits_change(void **state)
{
	struct rn_http_circuits	     *t = table(4, 100, 0, 0, 0);
	struct rn_http_circuit_limits lim = { 1, 0, 0, 0 };
	struct rn_http_circuit	     *a;

	(void)state;
	a = rn_http_circuits_connect(t, 1, 0);
	rn_http_circuits_set_limits(t, &lim);
	/* The bucket shrinks to the new burst. */
	assert_true(rn_http_circuits_request(t, a, 0));
	assert_true(rn_http_circuits_request(t, a, 0));
	assert_false(rn_http_circuits_request(t, a, 0));
	/* Rates over the ceiling are cut to it. */
	lim.requests = UINT64_MAX;
	lim.codenames = UINT64_MAX;
	rn_http_circuits_set_limits(t, &lim);
	assert_true(rn_http_circuits_request(t, a, UINT64_MAX / 2));
	assert_true(rn_http_circuits_acquire(t, a, RN_CIRCUIT_CODENAME, UINT64_MAX / 2));
	rn_http_circuits_free(t);
}

/* The exchange API, on a server and connection made by hand. */
static void
test_exchange(void **state)
{
	struct rn_http_server srv;
	struct rn_http_conn   conn;

	(void)state;
	memset(&srv, 0, sizeof(srv));
	memset(&conn, 0, sizeof(conn));
	conn.srv = &srv;
	conn.ex.conn = &conn;
	/* Not from the onion listener: never limited. */
	assert_false(rn_http_exchange_is_onion(&conn.ex));
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_UPLOAD));
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_CODENAME));
	rn_http_exchange_circuit_release(&conn.ex, RN_CIRCUIT_UPLOAD);
	rn_http_circuit_exchange_end(&conn.ex);

	srv.circuits = table(4, 0, 0, 1, 1);
	conn.onion = true;
	assert_non_null(conn.circ = rn_http_circuits_connect(srv.circuits, 42, 0));
	assert_true(rn_http_exchange_is_onion(&conn.ex));
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_UPLOAD));
	/* Held already: a no-op, not a second upload. */
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_UPLOAD));
	assert_false(rn_http_circuits_acquire(srv.circuits, conn.circ, RN_CIRCUIT_UPLOAD, 0));
	/* The end of the exchange gives it back; a late release does nothing. */
	rn_http_circuit_exchange_end(&conn.ex);
	rn_http_exchange_circuit_release(&conn.ex, RN_CIRCUIT_UPLOAD);
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_UPLOAD));
	rn_http_exchange_circuit_release(&conn.ex, RN_CIRCUIT_UPLOAD);
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_UPLOAD));
	rn_http_circuit_exchange_end(&conn.ex);
	/* Codename attempts are spent. */
	assert_true(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_CODENAME));
	assert_false(rn_http_exchange_circuit_acquire(&conn.ex, RN_CIRCUIT_CODENAME));
	rn_http_circuits_disconnect(srv.circuits, conn.circ, 0);
	rn_http_circuits_free(srv.circuits);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_formatted),
		cmocka_unit_test(test_followed_by_http),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_pending_and_cap),
		cmocka_unit_test(test_new_bounds),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_uploads),
		cmocka_unit_test(test_codenames),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_limits_change),
		cmocka_unit_test(test_exchange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
