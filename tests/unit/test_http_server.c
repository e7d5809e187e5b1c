/*
 * Unit tests for the HTTP connection layer with a route that takes bodies:
 * bodies arrive in bounded pieces and never pile up in memory, an answer
 * given before the body is read closes the connection, Expect: 100-continue
 * is honoured, a slow body is cut, pipelined requests are answered in order.
 * The server runs in this thread's event loop; a client thread talks to it
 * over loopback TCP with blocking sockets and receive timeouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_http.h"
#include "http/http_int.h"

#define BIG_BODY (8u * 1024u * 1024u)

struct fixture {
	struct event_base	*base;
	struct rn_http_server	*srv;
	struct rn_conf		*conf;
	struct event		*done_ev;
	int			 done_pipe[2];
	uint16_t		 port;
	/* what the route saw */
	uint64_t		 body_bytes;
	uint32_t		 body_sum;
	size_t			 max_piece;
	size_t			 max_buffered;
	unsigned		 aborts;
	bool			 reject_early;
	bool			 path_ok;	/* the route saw its own request */
};

static struct fixture *fx;

static void
on_request(struct rn_http_exchange *ex, void *arg)
{
	struct fixture		  *f = arg;
	const struct rn_http_req *req = rn_http_exchange_req(ex);

	/* Per-request state travels with the exchange. */
	f->body_bytes = 0;
	f->body_sum = 0;
	f->path_ok = req->method == RN_HTTP_POST && strcmp(req->path, "/upload") == 0;
	rn_http_exchange_set_data(ex, &f->body_bytes);
	if (f->reject_early)
		rn_http_respond_bytes(ex, 403, "text/plain", "no\n", 3);
}

static enum rn_err
on_body(struct rn_http_exchange *ex, const void *p, size_t n, void *arg)
{
	struct fixture *f = arg;
	const unsigned char *b = p;
	size_t i, buffered = evbuffer_get_length(bufferevent_get_input(ex->conn->bev));

	if (n > f->max_piece)
		f->max_piece = n;
	if (buffered > f->max_buffered)
		f->max_buffered = buffered;
	for (i = 0; i < n; i++)
		f->body_sum = f->body_sum * 31u + b[i];
	*(uint64_t *)rn_http_exchange_data(ex) += n;
	return RN_OK;
}

static void
on_body_end(struct rn_http_exchange *ex, void *arg)
{
	struct fixture *f = arg;
	char out[64];
	int n = snprintf(out, sizeof(out), "%llu %u", (unsigned long long)f->body_bytes,
	    f->body_sum);

	rn_http_respond_bytes(ex, 200, "text/plain", out, (size_t)n);
}

static void
on_abort(struct rn_http_exchange *ex, void *arg)
{
	(void)ex;
	((struct fixture *)arg)->aborts++;
}

static void
on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static int
setup(void **state)
{
	static const struct rn_http_route route = {
		.path = "/upload", .methods = RN_HTTP_M(POST), .max_body = 64u << 20,
		.on_request = on_request, .on_body = on_body, .on_body_end = on_body_end,
		.on_abort = on_abort,
	};
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char err[256];
	int fd;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->conf = rn_conf_new();
	assert_non_null(fx->conf);
	assert_int_equal(rn_conf_set(fx->conf, "BodyRateWindow", "1", err, sizeof(err)), RN_OK);
	assert_int_equal(rn_conf_set(fx->conf, "BodyMinRate", "4096", err, sizeof(err)), RN_OK);
	assert_non_null(fx->base = event_base_new());
	assert_non_null(fx->srv = rn_http_server_new(fx->base, fx->conf));
	struct rn_http_route r = route;
	r.arg = fx;
	assert_int_equal(rn_http_server_add_route(fx->srv, &r), RN_OK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	fx->port = ntohs(sin.sin_port);
	assert_int_equal(rn_http_server_listen_fd(fx->srv, fd), RN_OK);
	assert_int_equal(pipe(fx->done_pipe), 0);
	fx->done_ev = event_new(fx->base, fx->done_pipe[0], EV_READ, on_done, fx->base);
	assert_non_null(fx->done_ev);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	event_free(f->done_ev);
	close(f->done_pipe[0]);
	close(f->done_pipe[1]);
	rn_http_server_free(f->srv);
	rn_conf_free(f->conf);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* ---- the client side, in its own thread ---- */

struct client {
	void	(*fn)(struct client *c);
	int	 fd;
	char	 resp[65536];
	size_t	 resp_len;
	bool	 closed;	/* the server closed the connection */
	int	 pause_ms;	/* between body chunks */
	size_t	 chunk;
	uint64_t body_len;
	bool	 expect_continue;
	bool	 got_continue;
	bool	 send_failed;
};

static int
client_connect(void)
{
	struct sockaddr_in sin;
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(fx->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return -1;
	return fd;
}

static bool
send_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, s, n, MSG_NOSIGNAL)) <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/* How many complete responses (head and Content-Length body) c->resp holds. */
static unsigned
complete_responses(const struct client *c)
{
	const char *p = c->resp, *end = c->resp + c->resp_len, *h, *cl;
	unsigned n = 0;

	while ((h = strstr(p, "\r\n\r\n")) != NULL) {
		unsigned long len = 0;

		cl = strstr(p, "Content-Length: ");
		if (cl != NULL && cl < h)
			len = strtoul(cl + 16, NULL, 10);
		if (strncmp(p, "HTTP/1.1 304", 12) == 0 || strstr(p, "HEAD") != NULL)
			len = 0;
		if ((size_t)(end - (h + 4)) < len)
			break;
		p = h + 4 + len;
		n++;
	}
	return n;
}

/* Read until the peer closes, or until `want` (> 0) responses are complete. */
static void
read_responses(struct client *c, unsigned want)
{
	ssize_t n;

	while (want == 0 || complete_responses(c) < want) {
		if (c->resp_len + 1 >= sizeof(c->resp))
			return;
		n = recv(c->fd, c->resp + c->resp_len, sizeof(c->resp) - c->resp_len - 1, 0);
		if (n <= 0) {
			c->closed = (n == 0);
			return;
		}
		c->resp_len += (size_t)n;
		c->resp[c->resp_len] = '\0';
	}
}

static void
send_body(struct client *c)
{
	char *chunk = malloc(c->chunk);
	uint64_t left = c->body_len, i = 0;
	size_t k;

	assert_non_null(chunk);
	while (left > 0) {
		size_t n = left < c->chunk ? (size_t)left : c->chunk;

		for (k = 0; k < n; k++)
			chunk[k] = (char)((i + k) * 7u);
		if (!send_all(c->fd, chunk, n)) {
			c->send_failed = true;
			break;
		}
		i += n;
		left -= n;
		if (c->pause_ms > 0)
			usleep((useconds_t)c->pause_ms * 1000u);
	}
	free(chunk);
}

static void
post(struct client *c)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Length: %llu\r\n%s\r\n", (unsigned long long)c->body_len,
	    c->expect_continue ? "Expect: 100-continue\r\n" : "");

	c->fd = client_connect();
	assert_true(c->fd >= 0);
	assert_true(send_all(c->fd, head, (size_t)n));
	if (c->expect_continue) {
		ssize_t r = recv(c->fd, c->resp, 25, MSG_WAITALL);

		c->got_continue = r == 25 && memcmp(c->resp, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0;
	}
	send_body(c);
	/* A keep-alive GET after the body: answered only if the connection survived. */
	send_all(c->fd, "GET /static/roneo.css HTTP/1.1\r\nHost: localhost\r\n\r\n", 51);
	c->resp_len = 0;
	c->resp[0] = '\0';
	read_responses(c, 2);
	close(c->fd);
}

static void *
client_main(void *arg)
{
	struct client *c = arg;

	c->fn(c);
	if (write(fx->done_pipe[1], "x", 1) != 1)
		abort();
	return NULL;
}

static void
run_client(struct client *c)
{
	pthread_t t;
	char x;

	event_add(fx->done_ev, NULL);
	assert_int_equal(pthread_create(&t, NULL, client_main, c), 0);
	event_base_dispatch(fx->base);
	pthread_join(t, NULL);
	assert_int_equal(read(fx->done_pipe[0], &x, 1), 1);
	/* Let the server finish closing what the client left. */
	event_base_loop(fx->base, EVLOOP_NONBLOCK);
}

static uint32_t
expected_sum(uint64_t len)
{
	uint32_t sum = 0;
	uint64_t i;

	for (i = 0; i < len; i++)
		sum = sum * 31u + (unsigned char)(i * 7u);
	return sum;
}

static void
test_big_body_streams_in_pieces(void **state)
{
	struct fixture *f = *state;
	struct client c = { .fn = post, .chunk = 65536, .body_len = BIG_BODY };
	char want[64];

	run_client(&c);
	snprintf(want, sizeof(want), "\r\n\r\n%u %u", BIG_BODY, expected_sum(BIG_BODY));
	assert_non_null(strstr(c.resp, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(c.resp, want));
	assert_int_equal(f->body_bytes, BIG_BODY);
	assert_true(f->path_ok);
	assert_true(f->max_piece <= RN_HTTP_READ_CHUNK);
	/* The input never held more than the read watermark: memory does not
	 * grow with the body. */
	assert_true(f->max_buffered <= f->conf->max_header_bytes + RN_HTTP_READ_CHUNK);
	/* Keep-alive: the GET after the body was answered on the same connection. */
	assert_non_null(strstr(c.resp, "Content-Type: text/css"));
}

static void
test_expect_continue(void **state)
{
	struct fixture *f = *state;
	struct client c = { .fn = post, .chunk = 1000, .body_len = 5000,
	    .expect_continue = true };

	run_client(&c);
	assert_true(c.got_continue);
	assert_int_equal(f->body_bytes, 5000);
	assert_non_null(strstr(c.resp, "\r\n\r\n5000 "));
}

static void
test_empty_body_still_ends(void **state)
{
	struct fixture *f = *state;
	struct client c = { .fn = post, .chunk = 1, .body_len = 0 };

	run_client(&c);
	assert_int_equal(f->body_bytes, 0);
	assert_non_null(strstr(c.resp, "\r\n\r\n0 0"));
}

static void
test_early_answer_closes(void **state)
{
	struct fixture *f = *state;
	struct client c = { .fn = post, .chunk = 4096, .body_len = 100000 };

	f->reject_early = true;
	run_client(&c);
	f->reject_early = false;
	assert_non_null(strstr(c.resp, "HTTP/1.1 403 Forbidden\r\n"));
	assert_non_null(strstr(c.resp, "Connection: close\r\n"));
	/* The unread body was not taken for a request: no second answer. */
	assert_null(strstr(c.resp, "text/css"));
	assert_true(c.closed || c.send_failed);
}

static void
test_slow_body_is_cut(void **state)
{
	struct fixture *f = *state;
	struct client c = { .fn = post, .chunk = 100, .body_len = 4000, .pause_ms = 200 };
	unsigned before = f->aborts;

	run_client(&c);
	/* 500 bytes a second against BodyMinRate 4096 over a 1 s window. */
	assert_non_null(strstr(c.resp, "HTTP/1.1 408 "));
	assert_int_equal(f->aborts, before + 1);
	assert_true(f->body_bytes < 4000);
}

static void
pipeline(struct client *c)
{
	const char *req =
	    "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	    "HEAD /static/roneo.css HTTP/1.1\r\nHost: localhost\r\n\r\n"
	    "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
	    "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

	c->fd = client_connect();
	assert_true(send_all(c->fd, req, strlen(req)));
	read_responses(c, 0);
	close(c->fd);
}

static void
test_pipelining_in_order(void **state)
{
	struct client c = { .fn = pipeline };
	const char *a, *b, *d, *e;

	(void)state;
	run_client(&c);
	a = strstr(c.resp, "HTTP/1.1 200 OK\r\n");
	b = a ? strstr(a + 1, "text/css") : NULL;
	d = b ? strstr(b, "\r\n\r\n3 ") : NULL;
	e = d ? strstr(d, "HTTP/1.1 404 Not Found\r\n") : NULL;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(d);
	assert_non_null(e);
	assert_true(c.closed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_big_body_streams_in_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_continue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_body_still_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_answer_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_body_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelining_in_order, setup, teardown),
	};

	return cmocka_run_group_tests_name("http_server", tests, NULL, NULL);
}
