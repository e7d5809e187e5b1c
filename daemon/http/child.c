/*
 * The http child's main loop.  It receives its configuration and listening
 * sockets from the parent, drops privileges before it touches a client
 * byte, and serves until the parent says stop or goes away.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#include "inbox/dropbox.h"
#include "roneo/rn_conf.h"
#include "roneo/rn_http.h"
#include "roneo/rn_keeper.h"
#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"

#define FD_MARGIN 64u /* descriptors beyond connections: listeners, files, IPC */

struct http_child {
	struct event_base	*base;
	struct rn_ipc		*ipc;
	struct rn_conf		*conf;
	struct rn_http_server	*srv;
	struct rn_dropbox	*dropbox;
	struct rn_keeper_client *keeper;    /* the collection API, /search */
	bool			 replacing; /* a new listener set is arriving */
	int			 status;
};

/* Enough descriptors for MaxConnections, as far as the hard limit allows. */
static void
raise_fd_limit(uint64_t conns)
{
	struct rlimit rl;
	rlim_t	      want = (rlim_t)(conns + FD_MARGIN);

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (geteuid() == 0 && rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		rn_log_errno(RN_LOG_WARN, "setrlimit(RLIMIT_NOFILE)");
	else if (rl.rlim_cur < want)
		rn_log_warn("only %llu descriptors for MaxConnections %llu",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)conns);
}

static void
stop(struct http_child *hc, int status)
{
	hc->status = status;
	event_base_loopexit(hc->base, NULL);
}

static void
on_stopped(void *arg)
{
	stop(arg, 0);
}

static void
apply_conf(struct http_child *hc, const struct rn_ipc_msg *msg)
{
	char		err[512];
	struct rn_conf *conf = rn_conf_new();

	if (conf == NULL ||
	    rn_conf_parse(conf, (const char *)msg->payload, msg->len, "ipc", err, sizeof(err)) !=
		RN_OK ||
	    rn_conf_validate(conf, err, sizeof(err)) != RN_OK) {
		rn_log_err("configuration from the parent refused: %s",
		    conf == NULL ? "out of memory" : err);
		rn_conf_free(conf);
		stop(hc, 1);
		return;
	}
	rn_log_set_level(conf->log_level);
	if (hc->srv == NULL) {
		raise_fd_limit(conf->max_connections);
		/* Everything that opens files or starts threads comes before the sandbox. */
		if (rn_proc_drop_privileges(conf->user) != RN_OK ||
		    (hc->srv = rn_http_server_new(hc->base, conf)) == NULL ||
		    rn_dropbox_new(hc->base, conf, hc->srv, &hc->dropbox) != RN_OK ||
		    rn_keeper_client_new(hc->base, conf, hc->srv, &hc->keeper) != RN_OK ||
		    rn_proc_sandbox("http") != RN_OK) {
			rn_conf_free(conf);
			stop(hc, 1);
			return;
		}
	} else if (rn_http_server_configure(hc->srv, conf) != RN_OK ||
		   rn_dropbox_configure(hc->dropbox, conf) != RN_OK ||
		   rn_keeper_client_configure(hc->keeper, conf) != RN_OK) {
		rn_log_err("cannot apply the new configuration; keeping the old one");
		rn_conf_free(conf);
		return;
	}
	rn_conf_free(hc->conf);
	hc->conf = conf;
}

/* "KIND SPEC" from the parent: the zone of the listener; 0 if unknown. */
static unsigned
listener_zone(const struct rn_ipc_msg *msg)
{
	static const struct {
		const char *kind;
		unsigned    zone;
	} kinds[] = { { "public ", RN_HTTP_ZONE_PUBLIC }, { "editor ", RN_HTTP_ZONE_EDITOR },
		{ "onion ", RN_HTTP_ZONE_ONION } };
	size_t i, n;

	for (i = 0; i < RN_ARRAY_LEN(kinds); i++) {
		n = strlen(kinds[i].kind);
		if (msg->len > n && memcmp(msg->payload, kinds[i].kind, n) == 0)
			return kinds[i].zone;
	}
	return 0;
}

static void
on_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	struct http_child *hc = arg;

	(void)ipc;
	switch (msg->type) {
	case RN_IPC_CONF: apply_conf(hc, msg); break;
	case RN_IPC_LISTENER:
		if (hc->srv == NULL || msg->fd == -1)
			break;
		if (!hc->replacing) {
			rn_http_server_close_listeners(hc->srv);
			hc->replacing = true;
		}
		/* The server owns the socket from here, even on failure. */
		if (rn_http_server_listen_fd_zone(hc->srv, msg->fd, listener_zone(msg)) != RN_OK)
			rn_log_err("cannot listen on a socket from the parent");
		msg->fd = -1;
		break;
	case RN_IPC_LISTENERS_END:
		hc->replacing = false;
		if (hc->srv != NULL)
			(void)rn_ipc_send(hc->ipc, RN_IPC_READY, NULL, 0, -1);
		break;
	case RN_IPC_KEEPER_LINK:
		if (hc->keeper != NULL && msg->fd != -1)
			rn_keeper_client_link(hc->keeper, msg->fd);
		else if (msg->fd != -1)
			close(msg->fd);
		msg->fd = -1;
		break;
	case RN_IPC_SHUTDOWN:
		if (hc->srv == NULL)
			stop(hc, 0);
		else
			rn_http_server_shutdown(
			    hc->srv, on_stopped, hc, hc->conf->shutdown_timeout);
		break;
	default:
		rn_log_err("unexpected IPC frame %u", msg->type);
		stop(hc, 1);
		break;
	}
	if (msg->fd != -1)
		close(msg->fd);
}

static void
on_close(struct rn_ipc *ipc, enum rn_err why, void *arg)
{
	struct http_child *hc = arg;

	(void)ipc;
	(void)why;
	/* The parent is gone: nobody would restart or stop us. */
	stop(hc, hc->srv != NULL && rn_http_server_connections(hc->srv) == 0 ? 0 : 1);
}

int
rn_http_child_main(void)
{
	struct http_child hc;

	memset(&hc, 0, sizeof(hc));
	rn_log_set_role("http");
	/* A client that hangs up mid-answer is an EPIPE to handle, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	if ((hc.base = event_base_new()) == NULL)
		return 1;
	hc.ipc = rn_ipc_new(hc.base, RN_PROC_CHILD_FD, on_msg, on_close, &hc);
	if (hc.ipc == NULL)
		return 1;
	event_base_dispatch(hc.base);
	rn_keeper_client_free(hc.keeper);
	rn_dropbox_free(hc.dropbox);
	rn_http_server_free(hc.srv);
	rn_ipc_free(hc.ipc);
	rn_conf_free(hc.conf);
	event_base_free(hc.base);
	return hc.status;
}
