/*
 * The control-port client: one connection (unix socket or loopback TCP) on
 * libevent, commands answered in order, 6yz replies handed to on_event.
 * Freeing the client from inside one of its callbacks is allowed: the free is
 * deferred until the callback returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"

struct pending {
	rn_torctl_reply_cb cb;
	void		  *arg;
};

struct rn_torctl {
	struct event_base	   *base;
	const struct rn_torctl_ops *ops;
	void			   *arg;
	struct bufferevent	   *bev;
	struct rn_torctl_parser	   *parser;
	struct pending		    q[RN_TORCTL_MAX_PENDING];
	size_t			    qhead, qlen;
	int			    depth;     /* callbacks running */
	bool			    free_me;   /* rn_torctl_free() called inside one */
	bool			    connected; /* a connect() completed */
};

struct rn_torctl *
rn_torctl_new(struct event_base *base, const struct rn_torctl_ops *ops, void *arg)
{
	struct rn_torctl *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->base = base;
	c->ops = ops;
	c->arg = arg;
	return c;
}

bool
rn_torctl_is_open(const struct rn_torctl *c)
{
	return c != NULL && c->bev != NULL && c->connected;
}

/* Answer every pending command with NULL (their callbacks free what they hold). */
static void
drain(struct rn_torctl *c)
{
	struct pending p;

	c->depth++;
	while (c->qlen > 0) {
		p = c->q[c->qhead];
		c->qhead = (c->qhead + 1) % RN_TORCTL_MAX_PENDING;
		c->qlen--;
		if (p.cb != NULL)
			p.cb(c, NULL, p.arg);
	}
	c->depth--;
}

static void
destroy(struct rn_torctl *c)
{
	c->free_me = true;
	drain(c);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	rn_torctl_parser_free(c->parser);
	free(c);
}

/* The connection is gone: answer what is pending, then tell the owner. */
static void
fail(struct rn_torctl *c, enum rn_err why)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	c->connected = false;
	drain(c);
	c->depth++;
	if (!c->free_me && c->ops != NULL && c->ops->on_close != NULL)
		c->ops->on_close(c, why, c->arg);
	c->depth--;
}

void
rn_torctl_free(struct rn_torctl *c)
{
	if (c == NULL)
		return;
	if (c->depth > 0) {
		c->free_me = true;
		if (c->bev != NULL)
			bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	destroy(c);
}

static void
dispatch(struct rn_torctl *c, const struct rn_torctl_reply *r)
{
	struct pending p;

	if (rn_torctl_reply_is_async(r)) {
		if (c->ops != NULL && c->ops->on_event != NULL)
			c->ops->on_event(c, r, c->arg);
		return;
	}
	p = c->q[c->qhead];
	c->qhead = (c->qhead + 1) % RN_TORCTL_MAX_PENDING;
	c->qlen--;
	if (p.cb != NULL)
		p.cb(c, r, p.arg);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct rn_torctl       *c = arg;
	struct evbuffer	       *in = bufferevent_get_input(bev);
	struct rn_torctl_reply *r;
	enum rn_err		err = RN_OK;
	size_t			len, used;
	const char	       *data;

	c->depth++;
	while (!c->free_me && c->bev != NULL && (len = evbuffer_get_length(in)) > 0) {
		if ((data = (const char *)evbuffer_pullup(in, -1)) == NULL) {
			err = RN_ERR_NOMEM;
			break;
		}
		err = rn_torctl_parser_feed(c->parser, data, len, &used, &r);
		evbuffer_drain(in, used);
		if (err == RN_ERR_AGAIN) {
			err = RN_OK;
			break;
		}
		if (err != RN_OK)
			break;
		if (!rn_torctl_reply_is_async(r) && c->qlen == 0)
			err = RN_ERR_PROTO; /* a reply nobody asked for */
		else
			dispatch(c, r);
		rn_torctl_reply_free(r);
		if (err != RN_OK)
			break;
	}
	c->depth--;
	if (c->free_me) {
		if (c->depth == 0)
			destroy(c);
		return;
	}
	if (err != RN_OK && c->bev != NULL) {
		rn_log_warn("tor control: %s in a reply; closing the connection", rn_err_str(err));
		fail(c, err);
		if (c->free_me && c->depth == 0)
			destroy(c);
	}
}

static void
on_bev_event(struct bufferevent *bev, short what, void *arg)
{
	struct rn_torctl *c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		fail(c, (what & BEV_EVENT_EOF) ? RN_ERR_PROTO : RN_ERR_IO);
		if (c->free_me && c->depth == 0)
			destroy(c);
	}
}

static enum rn_err
setup(struct rn_torctl *c, int fd)
{
	if (c->bev != NULL)
		return RN_ERR_BUSY;
	rn_torctl_parser_free(c->parser);
	c->parser = NULL;
	c->qhead = c->qlen = 0;
	if ((c->parser = rn_torctl_parser_new()) == NULL)
		return RN_ERR_NOMEM;
	c->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		return RN_ERR_NOMEM;
	bufferevent_setcb(c->bev, on_read, NULL, on_bev_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, RN_TORCTL_MAX_REPLY + RN_TORCTL_MAX_LINE);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) == -1)
		return RN_ERR_IO;
	return RN_OK;
}

enum rn_err
rn_torctl_attach_fd(struct rn_torctl *c, int fd)
{
	enum rn_err r;

	if (evutil_make_socket_nonblocking(fd) == -1) {
		close(fd);
		return RN_ERR_IO;
	}
	if ((r = setup(c, fd)) != RN_OK) {
		if (c->bev == NULL)
			close(fd);
		return r;
	}
	c->connected = true;
	return RN_OK;
}

enum rn_err
rn_torctl_connect(struct rn_torctl *c, const char *spec)
{
	struct rn_conf_listen	l;
	struct sockaddr_storage ss;
	socklen_t		sslen;
	char			err[128];
	enum rn_err		r;

	if (rn_conf_listen_parse(spec, NULL, &l, err, sizeof(err)) != RN_OK) {
		rn_log_err("tor control address %s", err);
		return RN_ERR_INVAL;
	}
	memset(&ss, 0, sizeof(ss));
	if (l.family == RN_CONF_LISTEN_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, l.path, strlen(l.path) + 1);
		sslen = sizeof(*sun);
	} else if (l.family == RN_CONF_LISTEN_INET && l.loopback) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(l.port);
		memcpy(&sin->sin_addr, l.addr, 4);
		sslen = sizeof(*sin);
	} else {
		rn_log_err("tor control address %s: only unix sockets and 127.0.0.0/8", spec);
		return RN_ERR_PERM;
	}
	if ((r = setup(c, -1)) != RN_OK)
		return r;
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss, (int)sslen) == -1) {
		bufferevent_free(c->bev);
		c->bev = NULL;
		return RN_ERR_IO;
	}
	return RN_OK;
}

enum rn_err
rn_torctl_send(struct rn_torctl *c, const char *cmd, rn_torctl_reply_cb cb, void *arg)
{
	size_t n = strlen(cmd);

	if (c->bev == NULL || c->free_me)
		return RN_ERR_IO;
	if (n == 0 || n > RN_TORCTL_MAX_CMD || strpbrk(cmd, "\r\n") != NULL)
		return RN_ERR_INVAL;
	if (c->qlen == RN_TORCTL_MAX_PENDING)
		return RN_ERR_BUSY;
	if (bufferevent_write(c->bev, cmd, n) == -1 || bufferevent_write(c->bev, "\r\n", 2) == -1)
		return RN_ERR_NOMEM;
	c->q[(c->qhead + c->qlen) % RN_TORCTL_MAX_PENDING] = (struct pending){ cb, arg };
	c->qlen++;
	return RN_OK;
}
