/*
 * Fuzz target for the onion listener: tor's PROXY header (daemon/http/proxy.c)
 * and the per-circuit table (daemon/http/circuit.c).
 *
 * The whole input is parsed as a header.  abort() unless: a header parsed is
 * exactly what tor prints for the fields parsed (so only one spelling passes)
 * and fits the cap; every prefix of the input agrees (a proper prefix of a
 * header is pending, a prefix of a refused input is pending or refused, and
 * once refused, longer prefixes stay refused); nothing is pending at the cap.
 *
 * The input is then read again as a script of table operations (connect,
 * disconnect, request, uploads, codename attempts, sweep, time passing) on a
 * small table, checking that it never holds more circuits than it may, that
 * a circuit never has more connections or uploads than its limits, and that
 * everything is forgotten once every connection has gone and time has passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_limits.h"
#include "http/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP	 4u
#define MAXH	 32u
#define NIDS	 6u
#define MAX_CONN 3u
#define MAX_UP	 2u

static void
check_header(const char *s, size_t size)
{
	struct rn_http_proxy p;
	char		     canon[RN_PROXY_V1_MAX + 1];
	size_t		     used = 0, k, u;
	enum rn_err	     r, prev = RN_ERR_AGAIN;
	int		     n;

	r = rn_http_proxy_parse(s, size, &p, &used);
	if (r != RN_OK && r != RN_ERR_AGAIN && r != RN_ERR_PROTO)
		abort();
	if (r == RN_ERR_AGAIN && size >= RN_PROXY_V1_MAX)
		abort();
	if (r == RN_OK) {
		n = snprintf(canon, sizeof(canon),
		    "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %d %d\r\n",
		    (unsigned)(p.circuit >> 16), (unsigned)(p.circuit & 0xffffu), (int)p.src_port,
		    (int)p.dst_port);
		if (n < 0 || (size_t)n != used || used > size || used > RN_PROXY_V1_MAX ||
		    memcmp(canon, s, used) != 0)
			abort();
	}
	/* Prefixes, up to a little past the cap. */
	for (k = 0; k <= size && k <= RN_PROXY_V1_MAX + 2; k++) {
		enum rn_err rk = rn_http_proxy_parse(s, k, &p, &u);

		if (prev == RN_ERR_PROTO && rk != RN_ERR_PROTO)
			abort();
		if (prev == RN_OK && rk != RN_OK)
			abort();
		if (r == RN_OK && ((k < used && rk != RN_ERR_AGAIN) || (k >= used && rk != RN_OK)))
			abort();
		if (r == RN_OK && k >= used && u != used)
			abort();
		prev = rk;
	}
}

struct script {
	struct rn_http_circuits *t;
	struct rn_http_circuit	*h[MAXH];
	uint32_t		 id[MAXH];
	unsigned		 up[MAXH];
	size_t			 nh;
	uint64_t		 now;
};

static void
check_counts(const struct script *s)
{
	size_t i, j, conns, ups;

	if (rn_http_circuits_count(s->t) > CAP)
		abort();
	for (i = 0; i < s->nh; i++) {
		conns = ups = 0;
		for (j = 0; j < s->nh; j++)
			if (s->h[j] == s->h[i]) {
				conns++;
				ups += s->up[j];
				if (s->id[j] != s->id[i])
					abort(); /* one entry for two circuits */
			}
		if (conns > MAX_CONN || ups > MAX_UP)
			abort();
	}
}

static void
drop(struct script *s, size_t i)
{
	while (s->up[i] > 0) {
		rn_http_circuits_release(s->t, s->h[i], RN_CIRCUIT_UPLOAD, s->now);
		s->up[i]--;
	}
	rn_http_circuits_disconnect(s->t, s->h[i], s->now);
	s->h[i] = s->h[s->nh - 1];
	s->id[i] = s->id[s->nh - 1];
	s->up[i] = s->up[s->nh - 1];
	s->nh--;
}

static void
step(struct script *s, uint8_t op, uint8_t arg)
{
	size_t i = s->nh > 0 ? arg % s->nh : 0;

	switch (op % 8) {
	case 0:
		if (s->nh < MAXH) {
			uint32_t id = arg % NIDS == 5 ? 0xffffffffu : arg % NIDS;

			if ((s->h[s->nh] = rn_http_circuits_connect(s->t, id, s->now)) != NULL) {
				s->id[s->nh] = id;
				s->up[s->nh++] = 0;
			}
		}
		break;
	case 1:
		if (s->nh > 0)
			drop(s, i);
		break;
	case 2:
		if (s->nh > 0)
			(void)rn_http_circuits_request(s->t, s->h[i], s->now);
		break;
	case 3:
		if (s->nh > 0 && rn_http_circuits_acquire(s->t, s->h[i], RN_CIRCUIT_UPLOAD, s->now))
			s->up[i]++;
		break;
	case 4:
		if (s->nh > 0 && s->up[i] > 0) {
			rn_http_circuits_release(s->t, s->h[i], RN_CIRCUIT_UPLOAD, s->now);
			s->up[i]--;
		}
		break;
	case 5:
		if (s->nh > 0)
			(void)rn_http_circuits_acquire(s->t, s->h[i], RN_CIRCUIT_CODENAME, s->now);
		break;
	case 6: (void)rn_http_circuits_sweep(s->t, s->now); break;
	default: s->now += (uint64_t)arg * 250u; break;
	}
	check_counts(s);
}

static void
run_script(const uint8_t *data, size_t size)
{
	struct rn_http_circuit_limits lim = { 1, MAX_CONN, MAX_UP, 2 };
	struct script		      s;
	size_t			      i;

	memset(&s, 0, sizeof(s));
	s.now = 1000;
	if ((s.t = rn_http_circuits_new(CAP)) == NULL)
		return;
	if (size > 0)
		lim.requests = data[0] % 4u; /* 0: no limit */
	rn_http_circuits_set_limits(s.t, &lim);
	for (i = 1; i + 1 < size; i += 2)
		step(&s, data[i], data[i + 1]);
	while (s.nh > 0)
		drop(&s, 0);
	s.now += (uint64_t)RN_HTTP_CIRCUIT_FORGET_SECS * 1000u;
	(void)rn_http_circuits_sweep(s.t, s.now);
	if (rn_http_circuits_count(s.t) != 0)
		abort();
	rn_http_circuits_free(s.t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_header((const char *)data, size);
	if (size <= 4096)
		run_script(data, size);
	return 0;
}
