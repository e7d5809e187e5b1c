/*
 * The HTTP server of the http child: listeners handed over by the parent,
 * connection accounting (libevent 2.1 cannot cap connections, so roneo
 * counts them), configuration and graceful shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "roneo/rn_log.h"
#include "http/http_int.h"

#define ACCEPT_PAUSE_MS 100

static struct rn_log_rate accept_rate;

static void
free_hosts(struct rn_http_settings *set)
{
	size_t i;

	for (i = 0; i < set->nhosts; i++)
		RN_FREE(set->hosts[i]);
	set->nhosts = 0;
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct rn_http_server *srv = arg;
	const struct rn_buf   *busy;
	unsigned	       zone = RN_HTTP_ZONE_PUBLIC;
	size_t		       i;

	for (i = 0; i < srv->nlisteners; i++)
		if (srv->listeners[i] == l)
			zone = srv->listener_zone[i];
	(void)sa; /* client addresses are never looked at, let alone kept */
	(void)salen;
	if (srv->shutting_down) {
		close(fd);
		return;
	}
	if (srv->nconns >= srv->set.max_connections) {
		/* Best effort, never blocking: the socket is fresh and its buffer empty. */
		busy = rn_http_pages_busy(srv->pages);
		(void)send(fd, busy->data, busy->len, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		if (rn_log_ratelimited(&accept_rate, 1))
			rn_log_warn("MaxConnections (%llu) reached; refusing connections",
			    (unsigned long long)srv->set.max_connections);
		return;
	}
	rn_http_conn_accept(srv, fd, zone);
}

static void
resume_accept(evutil_socket_t fd, short what, void *arg)
{
	struct rn_http_server *srv = arg;
	size_t		       i;

	(void)fd;
	(void)what;
	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_enable(srv->listeners[i]);
}

static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	struct rn_http_server *srv = arg;
	struct timeval	       tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	size_t		       i;
	int		       e = EVUTIL_SOCKET_ERROR();

	(void)l;
	if (rn_log_ratelimited(&accept_rate, 1))
		rn_log_warn("accept: %s", strerror(e));
	/* Out of descriptors: pause accepting for a moment instead of spinning. */
	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_disable(srv->listeners[i]);
	evtimer_add(srv->resume_accept, &tv);
}

struct rn_http_server *
rn_http_server_new(struct event_base *base, const struct rn_conf *conf)
{
	struct rn_http_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->base = base;
	srv->set.public_fd = -1;
	TAILQ_INIT(&srv->conns);
	srv->pages = rn_http_pages_new();
	srv->etags = calloc(RN_HTTP_ETAG_CACHE, sizeof(*srv->etags));
	srv->resume_accept = evtimer_new(base, resume_accept, srv);
	if (srv->pages == NULL || srv->etags == NULL || srv->resume_accept == NULL ||
	    rn_http_server_configure(srv, conf) != RN_OK) {
		rn_http_server_free(srv);
		return NULL;
	}
	return srv;
}

void
rn_http_server_free(struct rn_http_server *srv)
{
	if (srv == NULL)
		return;
	rn_http_server_close_listeners(srv);
	while (!TAILQ_EMPTY(&srv->conns))
		rn_http_conn_free(TAILQ_FIRST(&srv->conns));
	if (srv->resume_accept != NULL)
		event_free(srv->resume_accept);
	if (srv->shutdown_timer != NULL)
		event_free(srv->shutdown_timer);
	if (srv->circuit_sweep != NULL)
		event_free(srv->circuit_sweep);
	rn_http_circuits_free(srv->circuits); /* after the connections that point into it */
	if (srv->set.public_fd != -1)
		close(srv->set.public_fd);
	free_hosts(&srv->set);
	rn_http_pages_free(srv->pages);
	if (srv->etags != NULL)
		rn_http_static_cache_clear(srv);
	free(srv->etags);
	free(srv);
}

enum rn_err
rn_http_server_configure(struct rn_http_server *srv, const struct rn_conf *conf)
{
	struct rn_http_settings *set = &srv->set;
	size_t			 i;
	int			 fd;

	fd = open(conf->public_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		rn_log_errno(
		    RN_LOG_NOTICE, "PublicDirectory %s: serving no files", conf->public_directory);
	free_hosts(set);
	for (i = 0; i < conf->host_names.n; i++) {
		if ((set->hosts[i] = strdup(conf->host_names.v[i])) == NULL) {
			if (fd != -1)
				close(fd);
			free_hosts(set);
			return RN_ERR_NOMEM;
		}
		set->nhosts++;
	}
	if (set->public_fd != -1)
		close(set->public_fd);
	set->public_fd = fd;
	set->lim.max_request_line = (size_t)conf->max_request_line;
	set->lim.max_header_bytes = (size_t)conf->max_header_bytes;
	set->lim.max_headers = (size_t)conf->max_headers;
	set->max_connections = conf->max_connections;
	set->header_timeout = conf->header_timeout;
	set->idle_timeout = conf->idle_timeout;
	set->write_timeout = conf->write_timeout;
	set->body_min_rate = conf->body_min_rate;
	set->body_rate_window = conf->body_rate_window;
	set->max_body = conf->max_body;
	set->max_requests = conf->max_requests_per_conn;
	set->circ.requests = conf->circuit_max_requests;
	set->circ.connections = conf->circuit_max_connections;
	set->circ.uploads = conf->circuit_max_uploads;
	set->circ.codenames = conf->circuit_codename_attempts;
	if (srv->circuits != NULL)
		rn_http_circuits_set_limits(srv->circuits, &set->circ);
	rn_http_static_cache_clear(srv);
	return RN_OK;
}

enum rn_err
rn_http_server_add_route(struct rn_http_server *srv, const struct rn_http_route *r)
{
	if (srv->nroutes >= RN_HTTP_MAX_ROUTES)
		return RN_ERR_TOOBIG;
	srv->routes[srv->nroutes++] = *r;
	return RN_OK;
}

enum rn_err
rn_http_server_listen_fd(struct rn_http_server *srv, int fd)
{
	return rn_http_server_listen_fd_zone(srv, fd, RN_HTTP_ZONE_PUBLIC);
}

static void
circuit_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct rn_http_server *srv = arg;

	(void)fd;
	(void)what;
	rn_http_circuits_sweep(srv->circuits, rn_time_mono_ms());
}

/* The per-circuit table and its sweep, made with the first onion listener. */
static enum rn_err
circuits_start(struct rn_http_server *srv)
{
	struct timeval tv = { RN_HTTP_CIRCUIT_SWEEP_SECS, 0 };

	if (srv->circuits == NULL) {
		if ((srv->circuits = rn_http_circuits_new(RN_HTTP_CIRCUIT_TABLE)) == NULL)
			return RN_ERR_NOMEM;
		rn_http_circuits_set_limits(srv->circuits, &srv->set.circ);
	}
	if (srv->circuit_sweep == NULL &&
	    (srv->circuit_sweep = event_new(srv->base, -1, EV_PERSIST, circuit_sweep, srv)) == NULL)
		return RN_ERR_NOMEM;
	if (event_add(srv->circuit_sweep, &tv) == -1)
		return RN_ERR_NOMEM;
	return RN_OK;
}

enum rn_err
rn_http_server_listen_fd_zone(struct rn_http_server *srv, int fd, unsigned zone)
{
	struct evconnlistener *l;

	if (srv->nlisteners >= RN_HTTP_MAX_LISTENERS || srv->shutting_down ||
	    (zone != RN_HTTP_ZONE_PUBLIC && zone != RN_HTTP_ZONE_EDITOR &&
		zone != RN_HTTP_ZONE_ONION)) {
		close(fd);
		return RN_ERR_TOOBIG;
	}
	if (zone == RN_HTTP_ZONE_ONION && circuits_start(srv) != RN_OK) {
		close(fd);
		return RN_ERR_NOMEM;
	}
	evutil_make_socket_nonblocking(fd);
	l = evconnlistener_new(srv->base, on_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0 /* listening */, fd);
	if (l == NULL) {
		close(fd);
		return RN_ERR_NOMEM;
	}
	evconnlistener_set_error_cb(l, on_accept_error);
	srv->listener_zone[srv->nlisteners] = zone;
	srv->listeners[srv->nlisteners++] = l;
	return RN_OK;
}

void
rn_http_server_close_listeners(struct rn_http_server *srv)
{
	size_t i;

	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_free(srv->listeners[i]);
	srv->nlisteners = 0;
	/* Stopping: the loop must be able to run dry.  Otherwise the sweep goes on
	 * for the circuits of connections still open. */
	if (srv->circuit_sweep != NULL && srv->shutting_down)
		event_del(srv->circuit_sweep);
}

static void
shutdown_finish(evutil_socket_t fd, short what, void *arg)
{
	struct rn_http_server *srv = arg;

	(void)fd;
	(void)what;
	if (srv->nconns > 0)
		rn_log_notice("shutdown: cutting %zu connection(s) at the deadline", srv->nconns);
	while (!TAILQ_EMPTY(&srv->conns))
		rn_http_conn_free(TAILQ_FIRST(&srv->conns));
	if (srv->shutdown_done != NULL) {
		void (*done)(void *) = srv->shutdown_done;

		srv->shutdown_done = NULL;
		done(srv->shutdown_arg);
	}
}

void
rn_http_server_shutdown(
    struct rn_http_server *srv, void (*done)(void *arg), void *arg, uint64_t timeout_secs)
{
	struct timeval	     tv = { (time_t)timeout_secs, 0 };
	struct rn_http_conn *c, *next;

	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
	srv->shutdown_done = done;
	srv->shutdown_arg = arg;
	rn_http_server_close_listeners(srv);
	if ((srv->shutdown_timer = evtimer_new(srv->base, shutdown_finish, srv)) == NULL) {
		shutdown_finish(-1, 0, srv);
		return;
	}
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		rn_http_conn_shutdown(c);
	}
	if (srv->nconns == 0)
		event_active(srv->shutdown_timer, EV_TIMEOUT, 0);
	else
		evtimer_add(srv->shutdown_timer, &tv);
}

size_t
rn_http_server_connections(const struct rn_http_server *srv)
{
	return srv->nconns;
}
