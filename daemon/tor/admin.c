/*
 * The parent's admin socket, DataDirectory/admin.sock (0600): a client sends
 * one request line ("status"), the parent answers one JSON document and
 * closes.  Bounded: request size, answer size, clients at once, and time.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"

struct client {
	struct rn_admin	   *a;
	struct bufferevent *bev;
};

struct rn_admin {
	struct evconnlistener *lev;
	char		       path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	rn_admin_cb	       cb;
	void		      *arg;
	struct client	      *clients[RN_ADMIN_MAX_CLIENTS];
};

static void
client_close(struct client *cl)
{
	size_t i;

	for (i = 0; i < RN_ADMIN_MAX_CLIENTS; i++)
		if (cl->a->clients[i] == cl)
			cl->a->clients[i] = NULL;
	bufferevent_free(cl->bev);
	free(cl);
}

static void
on_client_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_close(arg); /* the whole answer is written */
}

static void
answer(struct client *cl, const char *req)
{
	struct rn_buf out;
	enum rn_err   r;

	rn_buf_init(&out, RN_ADMIN_MAX_REPLY);
	r = cl->a->cb(req, &out, cl->a->arg);
	if (r != RN_OK) {
		rn_buf_reset(&out);
		(void)rn_buf_printf(&out, "{\"error\":\"%s\"}",
		    r == RN_ERR_NOTFOUND ? "unknown request" : rn_err_str(r));
	}
	(void)rn_buf_puts(&out, "\n");
	bufferevent_disable(cl->bev, EV_READ);
	bufferevent_setcb(cl->bev, NULL, on_client_write, NULL, cl);
	if (bufferevent_write(cl->bev, out.data, out.len) == -1)
		client_close(cl);
	rn_buf_free(&out);
}

static void
on_client_read(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t		 n;
	char		*line;

	line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > RN_ADMIN_MAX_REQUEST)
			client_close(cl);
		return;
	}
	if (n > RN_ADMIN_MAX_REQUEST || strlen(line) != n)
		client_close(cl);
	else
		answer(cl, line);
	free(line);
}

static void
on_client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	client_close(arg); /* EOF, error or timeout */
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct rn_admin *a = arg;
	struct client	*cl;
	struct timeval	 tv = { RN_ADMIN_TIMEOUT_MS / 1000u, 0 };
	size_t		 slot;

	(void)sa;
	(void)salen;
	for (slot = 0; slot < RN_ADMIN_MAX_CLIENTS && a->clients[slot] != NULL; slot++)
		;
	if (slot == RN_ADMIN_MAX_CLIENTS || (cl = calloc(1, sizeof(*cl))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	cl->a = a;
	cl->bev = bufferevent_socket_new(evconnlistener_get_base(lev), fd, BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL) {
		evutil_closesocket(fd);
		free(cl);
		return;
	}
	a->clients[slot] = cl;
	bufferevent_setcb(cl->bev, on_client_read, NULL, on_client_event, cl);
	bufferevent_set_timeouts(cl->bev, &tv, &tv);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

static int
bind_socket(const char *path)
{
	struct sockaddr_un sun;
	struct stat	   st;
	mode_t		   old;
	int		   fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path); /* stale: the parent holds DataDirectory's lock */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	old = umask(0177); /* 0600 from the start, not after a chmod */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, 16) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}

struct rn_admin *
rn_admin_new(struct event_base *base, const char *path, rn_admin_cb cb, void *arg)
{
	struct rn_admin *a;
	int		 fd;

	if (strlen(path) >= sizeof(a->path) || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	memcpy(a->path, path, strlen(path) + 1);
	a->cb = cb;
	a->arg = arg;
	if ((fd = bind_socket(path)) == -1) {
		rn_log_errno(RN_LOG_ERR, "admin socket %s", path);
		free(a);
		return NULL;
	}
	a->lev = evconnlistener_new(base, on_accept, a, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (a->lev == NULL) {
		close(fd);
		(void)unlink(path);
		free(a);
		return NULL;
	}
	return a;
}

void
rn_admin_free(struct rn_admin *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < RN_ADMIN_MAX_CLIENTS; i++)
		if (a->clients[i] != NULL)
			client_close(a->clients[i]);
	evconnlistener_free(a->lev);
	(void)unlink(a->path);
	free(a);
}

/* Wait for fd to be ready for events, at most until deadline (monotonic ms). */
static bool
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	uint64_t      now = rn_time_mono_ms();

	if (now >= deadline)
		return false;
	return poll(&pfd, 1, (int)(deadline - now)) == 1;
}

enum rn_err
rn_admin_request(const char *path, const char *request, struct rn_buf *out)
{
	struct sockaddr_un sun;
	uint64_t	   deadline = rn_time_mono_ms() + RN_ADMIN_TIMEOUT_MS;
	char		   buf[4096];
	ssize_t		   n;
	enum rn_err	   r = RN_ERR_IO;
	int		   fd;

	if (strlen(path) >= sizeof(sun.sun_path) || strlen(request) >= RN_ADMIN_MAX_REQUEST ||
	    strchr(request, '\n') != NULL)
		return RN_ERR_INVAL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return RN_ERR_IO;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		r = errno == ENOENT || errno == ECONNREFUSED ? RN_ERR_NOTFOUND : RN_ERR_IO;
		goto out;
	}
	if (!wait_fd(fd, POLLOUT, deadline) || write(fd, request, strlen(request)) < 0 ||
	    write(fd, "\n", 1) != 1)
		goto out;
	while (wait_fd(fd, POLLIN, deadline)) {
		if ((n = read(fd, buf, sizeof(buf))) < 0)
			goto out;
		if (n == 0) {
			r = out->len > 0 ? RN_OK : RN_ERR_PROTO;
			goto out;
		}
		if ((r = rn_buf_append(out, buf, (size_t)n)) != RN_OK)
			goto out;
		r = RN_ERR_IO;
	}
out:
	close(fd);
	return r;
}
