/*
 * One client connection: read a head with a hard deadline, parse it, route
 * it, stream its body to the route in pieces, queue the answer, and go on to
 * the next pipelined request only when the answer is queued and the output
 * is small.  Memory per connection is bounded: the input buffer stops
 * filling at its high watermark, a body never accumulates, and file bodies
 * are sent from the file (sendfile), not from memory.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_log.h"
#include "http/http_int.h"

static void conn_process(struct rn_http_conn *c);
static void conn_fail(struct rn_http_conn *c, int status);

static struct rn_log_rate proxy_rate, circuit_rate;

static void
arm_timer(struct rn_http_conn *c, uint64_t secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(c->timer, &tv);
}

/* The exchange is over (answered or aborted): release per-request state. */
static void
exchange_clear(struct rn_http_conn *c)
{
	rn_http_circuit_exchange_end(&c->ex);
	RN_FREE(c->ex.head);
	c->ex.route = NULL;
	c->ex.data = NULL;
	c->ex.body_left = 0;
	c->ex.answered = false;
}

void
rn_http_conn_free(struct rn_http_conn *c)
{
	struct rn_http_server *srv;

	if (c == NULL)
		return;
	srv = c->srv;
	if ((c->state == RN_HTTP_ST_BODY || c->state == RN_HTTP_ST_HANDLER) &&
	    c->ex.route != NULL && c->ex.route->on_abort != NULL)
		c->ex.route->on_abort(&c->ex, c->ex.route->arg);
	exchange_clear(c);
	if (c->circ != NULL)
		rn_http_circuits_disconnect(srv->circuits, c->circ, rn_time_mono_ms());
	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	free(c->req);
	free(c);
	if (srv->shutting_down && srv->nconns == 0 && srv->shutdown_timer != NULL)
		event_active(srv->shutdown_timer, EV_TIMEOUT, 0);
}

/* Wait for the next request: an idle timer until its first byte arrives. */
static void
await_request(struct rn_http_conn *c)
{
	c->state = RN_HTTP_ST_HEAD;
	c->scan = 0;
	c->parsed = false;
	if (c->req != NULL)
		c->req->method = 0; /* no method until the next head is parsed */
	c->head_started = false;
	/* The first head's deadline runs from accept; later ones from their first byte. */
	c->deadline_set = c->nrequests == 0;
	arm_timer(c, c->nrequests == 0 ? c->srv->set.header_timeout : c->srv->set.idle_timeout);
}

static void linger_start(struct rn_http_conn *c);

/*
 * Write what is queued now, in the callback that queued it: most answers
 * leave in one writev (or writev and sendfile) without another trip through
 * epoll.  Only a remainder turns the bufferevent's write side on; on_write
 * turns it off again once the output has drained.
 */
static void
flush_output(struct rn_http_conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (evbuffer_get_length(out) > 0) {
		/* bufferevent_socket freezes the start of its output so that only it
		 * drains it; this is the one other place that does, in its stead. */
		evbuffer_unfreeze(out, 1);
		(void)evbuffer_write(out, bufferevent_getfd(c->bev));
		evbuffer_freeze(out, 1);
	}
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(c->bev, EV_WRITE);
	else if (c->state == RN_HTTP_ST_CLOSING)
		linger_start(c);
}

/* The answer is queued (rn_http_finish): close, or go on to the next request. */
void
rn_http_finish(struct rn_http_exchange *ex)
{
	struct rn_http_conn *c = ex->conn;

	exchange_clear(c);
	if (!c->keep_alive) {
		c->state = RN_HTTP_ST_CLOSING;
		evtimer_del(c->timer);
		bufferevent_disable(c->bev, EV_READ);
		flush_output(c);
		return;
	}
	await_request(c);
	/* Pipelined requests already buffered are answered before writing. */
	if (c->in_process)
		return;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		conn_process(c);
	else
		flush_output(c);
}

static void
linger_start(struct rn_http_conn *c)
{
	/*
	 * Shut down our side but keep reading for a moment: closing with unread
	 * input would reset the connection and could destroy the answer before
	 * the client has read it (a 413 while the client is still sending).
	 */
	c->state = RN_HTTP_ST_LINGER;
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	evbuffer_drain(
	    bufferevent_get_input(c->bev), evbuffer_get_length(bufferevent_get_input(c->bev)));
	bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
	bufferevent_enable(c->bev, EV_READ);
	/* Stopping: no lingering; the timer frees it on the next loop turn. */
	arm_timer(c, c->srv->shutting_down ? 0 : RN_HTTP_LINGER_SECS);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct rn_http_conn *c = arg;

	bufferevent_disable(bev, EV_WRITE);
	if (c->state == RN_HTTP_ST_CLOSING)
		linger_start(c);
	else if (c->state == RN_HTTP_ST_HEAD)
		conn_process(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct rn_http_conn *c = arg;

	if ((what & BEV_EVENT_EOF) && c->state != RN_HTTP_ST_LINGER &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		/* Half-closed client: finish writing what is queued, then close. */
		c->keep_alive = false;
		if (c->state == RN_HTTP_ST_HEAD) {
			c->state = RN_HTTP_ST_CLOSING;
			evtimer_del(c->timer);
		}
		bufferevent_disable(bev, EV_READ);
		return;
	}
	rn_http_conn_free(c);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rn_http_conn	      *c = arg;
	const struct rn_http_settings *set = &c->srv->set;

	(void)fd;
	(void)what;
	switch (c->state) {
	case RN_HTTP_ST_HEAD:
		if (c->head_started)
			conn_fail(c, 408); /* a partial head: say why */
		else
			rn_http_conn_free(c);
		return;
	case RN_HTTP_ST_BODY:
		if (set->body_min_rate > 0 &&
		    c->window_bytes < set->body_min_rate * set->body_rate_window) {
			conn_fail(c, 408);
			return;
		}
		c->window_bytes = 0;
		arm_timer(c, set->body_rate_window);
		return;
	case RN_HTTP_ST_LINGER: rn_http_conn_free(c); return;
	case RN_HTTP_ST_HANDLER:
	case RN_HTTP_ST_CLOSING: return;
	}
}

/*
 * Reject the request: answer an error and close, since what follows on the
 * connection (a body, the rest of a bad head) cannot be trusted to frame the
 * next request.  Ordinary answers such as 404 keep the connection.
 */
static void
conn_fail(struct rn_http_conn *c, int status)
{
	if ((c->state == RN_HTTP_ST_BODY || c->state == RN_HTTP_ST_HANDLER) &&
	    c->ex.route != NULL && c->ex.route->on_abort != NULL)
		c->ex.route->on_abort(&c->ex, c->ex.route->arg);
	c->ex.route = NULL;
	c->keep_alive = false;
	c->state = RN_HTTP_ST_HANDLER;
	rn_http_respond_error(&c->ex, status);
}

static bool
host_is_ours(const struct rn_http_settings *set, const char *host)
{
	size_t i;

	for (i = 0; i < set->nhosts; i++)
		if (strcmp(set->hosts[i], host) == 0)
			return true;
	return false;
}

/*
 * The first route of the connection's zone whose path matches and which
 * takes the method; *path_seen says whether a route matched the path only.
 */
static const struct rn_http_route *
route_find(
    const struct rn_http_server *srv, unsigned zone, const struct rn_http_req *req, bool *path_seen)
{
	const char *path = req->path;
	size_t	    i, n, len = req->path_len;

	*path_seen = false;
	for (i = 0; i < srv->nroutes; i++) {
		const struct rn_http_route *r = &srv->routes[i];

		if (((r->zones != 0 ? r->zones : RN_HTTP_ZONE_PUBLIC) & zone) == 0)
			continue;
		n = strlen(r->path);
		if (!(n > 0 && r->path[n - 1] == '/' ? (len >= n && memcmp(path, r->path, n) == 0) :
						       (len == n && memcmp(path, r->path, n) == 0)))
			continue;
		if ((r->methods & (1u << req->method)) != 0)
			return r;
		*path_seen = true;
	}
	return NULL;
}

static void
dispatch(struct rn_http_conn *c)
{
	struct rn_http_req	   *req = c->req;
	const struct rn_http_route *r;
	uint64_t		    max;
	bool			    path_seen;

	r = route_find(c->srv, c->zone, req, &path_seen);
	if (r == NULL && path_seen) {
		conn_fail(c, 405);
		return;
	}
	if (r == NULL && c->zone != RN_HTTP_ZONE_PUBLIC) {
		c->state = RN_HTTP_ST_HANDLER;
		rn_http_respond_error(&c->ex, 404);
		return;
	}
	if (r == NULL) {
		if (req->method == RN_HTTP_POST) {
			conn_fail(c, 405);
			return;
		}
		c->state = RN_HTTP_ST_HANDLER;
		rn_http_static_serve(&c->ex);
		return;
	}
	max = r->max_body ? r->max_body : c->srv->set.max_body;
	if (req->has_content_length && req->content_length > 0) {
		if (r->on_body == NULL) {
			conn_fail(c, 400);
			return;
		}
		if (req->content_length > max) {
			conn_fail(c, 413);
			return;
		}
	}
	c->ex.route = r;
	c->ex.body_left = req->has_content_length ? req->content_length : 0;
	/* Routes that take bodies answer from on_body_end, even for an empty one. */
	if (r->on_body != NULL) {
		c->state = RN_HTTP_ST_BODY;
		c->window_bytes = 0;
		arm_timer(c, c->srv->set.body_rate_window);
		if (req->expect_continue && req->minor == 1)
			evbuffer_add(
			    bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n", 25);
	} else {
		c->state = RN_HTTP_ST_HANDLER;
	}
	r->on_request(&c->ex, r->arg);
}

/* A complete head of head_len bytes is at the start of the input. */
static void
start_request(struct rn_http_conn *c, const char *p, size_t head_len)
{
	struct rn_http_server *srv = c->srv;
	struct evbuffer	      *in = bufferevent_get_input(c->bev);
	enum rn_err	       err;

	evtimer_del(c->timer);
	if (c->req == NULL && (c->req = malloc(sizeof(*c->req))) == NULL) {
		conn_fail(c, 503);
		return;
	}
	if ((c->ex.head = malloc(head_len)) == NULL) {
		conn_fail(c, 503);
		return;
	}
	memcpy(c->ex.head, p, head_len);
	evbuffer_drain(in, head_len);
	c->ex.conn = c;
	c->nrequests++;
	err = rn_http_parse_head(c->ex.head, head_len, &srv->set.lim, c->req);
	c->parsed = err == RN_OK;
	/* Every head counts against its circuit's rate, a bad one too. */
	if (c->circ != NULL &&
	    !rn_http_circuits_request(srv->circuits, c->circ, rn_time_mono_ms())) {
		conn_fail(c, 429);
		return;
	}
	if (err != RN_OK) {
		conn_fail(c, c->req->status);
		return;
	}
	if (c->zone == RN_HTTP_ZONE_PUBLIC && !host_is_ours(&srv->set, c->req->host)) {
		conn_fail(c, 421);
		return;
	}
	c->keep_alive =
	    c->req->keep_alive && !srv->shutting_down && c->nrequests < srv->set.max_requests;
	dispatch(c);
}

/*
 * libevent 2.1 reads a socket at most 4096 bytes at a time (EVBUFFER_MAX_READ),
 * each with an ioctl and an epoll_wait: some 800,000 system calls per GiB of
 * upload (bench/README.md, bench/ingest).  So once its input buffer is empty,
 * a body is read from the socket directly, in up to DIRECT_ROUNDS reads per
 * wakeup, into one buffer that every connection shares (the loop is
 * single-threaded and the bytes are handed over before the next read), and
 * never past the body: a pipelined request stays in the socket for libevent.
 * EOF, errors and EAGAIN are left for the bufferevent to see.
 */
#define DIRECT_READ   (256u * 1024u)
#define DIRECT_ROUNDS 16u
static unsigned char direct_buf[DIRECT_READ];

/* Hand n body bytes to the route in pieces; false when the exchange is over. */
static bool
deliver(struct rn_http_conn *c, const unsigned char *p, size_t n)
{
	const struct rn_http_route *r = c->ex.route;
	size_t			    k;
	enum rn_err		    err;

	while (n > 0 && c->state == RN_HTTP_ST_BODY) {
		k = n < RN_HTTP_READ_CHUNK ? n : RN_HTTP_READ_CHUNK;
		c->window_bytes += k;
		c->ex.body_left -= k;
		if ((err = r->on_body(&c->ex, p, k, r->arg)) != RN_OK) {
			conn_fail(c, rn_err_http_status(err));
			return false;
		}
		p += k;
		n -= k;
	}
	return c->state == RN_HTTP_ST_BODY;
}

/* Hand available body bytes to the route; at the end, let it answer. */
static void
feed_body(struct rn_http_conn *c)
{
	struct evbuffer		   *in = bufferevent_get_input(c->bev);
	const struct rn_http_route *r = c->ex.route;
	unsigned		    rounds = 0;
	ssize_t			    got;
	bool			    ok;

	while (c->ex.body_left > 0 && c->state == RN_HTTP_ST_BODY) {
		size_t	       avail = evbuffer_get_length(in), n;
		unsigned char *p;

		if (avail == 0) {
			if (rounds++ >= DIRECT_ROUNDS)
				return;
			n = c->ex.body_left < DIRECT_READ ? (size_t)c->ex.body_left : DIRECT_READ;
			got = read(bufferevent_getfd(c->bev), direct_buf, n);
			if (got <= 0)
				return;
			/* Upload plaintext: wiped once handed over. */
			ok = deliver(c, direct_buf, (size_t)got);
			rn_crypto_wipe(direct_buf, (size_t)got);
			if (!ok)
				return;
			continue;
		}
		n = avail < RN_HTTP_READ_CHUNK ? avail : RN_HTTP_READ_CHUNK;
		if (n > c->ex.body_left)
			n = (size_t)c->ex.body_left;
		if ((p = evbuffer_pullup(in, (ssize_t)n)) == NULL) {
			conn_fail(c, 503);
			return;
		}
		if (!deliver(c, p, n))
			return;
		evbuffer_drain(in, n);
	}
	if (c->state == RN_HTTP_ST_BODY && c->ex.body_left == 0) {
		evtimer_del(c->timer);
		c->state = RN_HTTP_ST_HANDLER;
		r->on_body_end(&c->ex, r->arg);
	}
}

/* Close without a word: no PROXY header from tor, or a circuit over its limit. */
static void
conn_drop(struct rn_http_conn *c)
{
	c->keep_alive = false;
	c->state = RN_HTTP_ST_LINGER; /* the timer frees it on the next loop turn */
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	arm_timer(c, 0);
}

/*
 * The onion listener's connections begin with tor's PROXY header.  It must
 * be complete within the first head's deadline (which runs from accept).
 */
static void
read_proxy(struct rn_http_conn *c)
{
	struct rn_http_server *srv = c->srv;
	struct evbuffer	      *in = bufferevent_get_input(c->bev);
	size_t		       len = evbuffer_get_length(in), used = 0;
	struct rn_http_proxy   hdr;
	const char	      *p;
	enum rn_err	       err;

	if (len > RN_PROXY_V1_MAX)
		len = RN_PROXY_V1_MAX;
	if ((p = (const char *)evbuffer_pullup(in, (ssize_t)len)) == NULL) {
		conn_drop(c);
		return;
	}
	err = rn_http_proxy_parse(p, len, &hdr, &used);
	if (err == RN_ERR_AGAIN)
		return;
	if (err != RN_OK) {
		if (rn_log_ratelimited(&proxy_rate, 1))
			rn_log_warn("OnionListen: a connection without tor's PROXY header; is "
				    "HiddenServiceExportCircuitID haproxy set for the onion?");
		conn_drop(c);
		return;
	}
	evbuffer_drain(in, used);
	c->proxy_pending = false;
	if (srv->circuits == NULL || (c->circ = rn_http_circuits_connect(
					  srv->circuits, hdr.circuit, rn_time_mono_ms())) == NULL) {
		if (rn_log_ratelimited(&circuit_rate, 1))
			rn_log_notice("OnionListen: closing a connection of a circuit over "
				      "CircuitMaxConnections (or of one too many circuits)");
		conn_drop(c);
	}
}

static void
read_head(struct rn_http_conn *c)
{
	struct rn_http_server *srv = c->srv;
	struct evbuffer	      *in = bufferevent_get_input(c->bev);
	size_t		       len = evbuffer_get_length(in), head_len = 0;
	const char	      *p;
	int		       status = 400;
	enum rn_err	       err;

	if (c->proxy_pending) {
		read_proxy(c);
		return;
	}
	c->head_started = true;
	if (!c->deadline_set) {
		c->deadline_set = true;
		arm_timer(c, srv->set.header_timeout);
	}
	if (len > srv->set.lim.max_header_bytes)
		len = srv->set.lim.max_header_bytes;
	if ((p = (const char *)evbuffer_pullup(in, (ssize_t)len)) == NULL) {
		conn_fail(c, 503);
		return;
	}
	err = rn_http_head_scan(p, len, &c->scan, &srv->set.lim, &head_len, &status);
	if (err == RN_OK)
		start_request(c, p, head_len);
	else if (err != RN_ERR_AGAIN)
		conn_fail(c, status);
}

static void
conn_process(struct rn_http_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);

	c->in_process = true;
	for (;;) {
		switch (c->state) {
		case RN_HTTP_ST_HEAD:
			if (evbuffer_get_length(in) == 0 ||
			    evbuffer_get_length(out) > RN_HTTP_OUTPUT_HIGH)
				goto out; /* on_write resumes once the answer is out */
			{
				size_t before = evbuffer_get_length(in);

				read_head(c);
				/* Still waiting for the rest of a head: stop. */
				if (c->state == RN_HTTP_ST_HEAD &&
				    evbuffer_get_length(in) == before)
					goto out;
			}
			break;
		case RN_HTTP_ST_BODY:
			feed_body(c);
			if (c->state == RN_HTTP_ST_BODY)
				goto out;
			break;
		case RN_HTTP_ST_LINGER: evbuffer_drain(in, evbuffer_get_length(in)); goto out;
		case RN_HTTP_ST_HANDLER:
		case RN_HTTP_ST_CLOSING: goto out;
		}
	}
out:
	c->in_process = false;
	if (c->state != RN_HTTP_ST_LINGER)
		flush_output(c);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

void
rn_http_conn_accept(struct rn_http_server *srv, int fd, unsigned zone)
{
	const struct rn_http_settings *set = &srv->set;
	struct timeval		       wtv = { (time_t)set->write_timeout, 0 };
	struct rn_http_conn	      *c;
	int			       one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->zone = zone;
	if (zone == RN_HTTP_ZONE_ONION) {
		/* Served as the public zone once its PROXY header has named the circuit. */
		c->zone = RN_HTTP_ZONE_PUBLIC;
		c->onion = c->proxy_pending = true;
	}
	c->ex.conn = c;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(srv->base, on_timer, c);
	if (c->bev == NULL || c->timer == NULL) {
		if (c->bev == NULL)
			close(fd);
		rn_http_conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* Reading pauses when this much is buffered: the bound on input memory. */
	bufferevent_setwatermark(
	    c->bev, EV_READ, 0, set->lim.max_header_bytes + RN_HTTP_READ_CHUNK);
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	/* Writing is on only while an answer is left over (flush_output). */
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_enable(c->bev, EV_READ);
	await_request(c);
}

/* Server shutdown: idle connections go now, busy ones after their answer. */
void
rn_http_conn_shutdown(struct rn_http_conn *c)
{
	c->keep_alive = false;
	if (c->state != RN_HTTP_ST_HEAD || c->head_started)
		return; /* mid-request: it closes after its answer */
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		rn_http_conn_free(c);
		return;
	}
	/* Between requests with an answer still being written: close after it. */
	evtimer_del(c->timer);
	bufferevent_disable(c->bev, EV_READ);
	c->state = RN_HTTP_ST_CLOSING;
}
