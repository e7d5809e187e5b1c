/*
 * The keeper process.  From the parent it gets its configuration, then
 * links to the http child (one end of a socketpair each time either starts;
 * daemon/proc/README.md).  It drops privileges, opens the collection,
 * renders the site if it is missing or behind, enters its sandbox and then
 * answers the http child's requests one at a time: the only process that
 * writes the collection and the site.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_conf.h"
#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"

#define MAX_LINKS 4u /* an old link lingers until the old http child's end closes */
#define ARG_MAX	  128u

struct keeper_child {
	struct event_base *base;
	struct rn_ipc	  *ipc;
	struct rn_ipc	  *links[MAX_LINKS];
	struct rn_keeper  *k;
	int		   status;
};

static void
stop(struct keeper_child *kc, int status)
{
	kc->status = status;
	event_base_loopexit(kc->base, NULL);
}

/* Request: u32 id, u8 op, argument text; fd: the body (or none). */
static void
on_request(struct keeper_child *kc, struct rn_ipc *link, const struct rn_ipc_msg *msg)
{
	struct rn_keeper_answer ans;
	struct rn_buf		rep;
	char			arg[ARG_MAX + 1];
	size_t			alen;
	uint8_t			hdr[6];

	if (msg->len < 5 || msg->len - 5 > ARG_MAX) {
		rn_log_err("keeper: malformed request from the http child");
		return;
	}
	alen = msg->len - 5;
	memcpy(arg, msg->payload + 5, alen);
	arg[alen] = '\0';
	rn_keeper_answer_init(&ans);
	(void)rn_keeper_handle(
	    kc->k, (enum rn_keeper_op)msg->payload[4], alen > 0 ? arg : NULL, msg->fd, &ans);
	memcpy(hdr, msg->payload, 4);
	hdr[4] = (uint8_t)(ans.status >> 8);
	hdr[5] = (uint8_t)ans.status;
	rn_buf_init(&rep, RN_IPC_MAX_PAYLOAD);
	if (rn_buf_append(&rep, hdr, sizeof(hdr)) != RN_OK ||
	    rn_buf_append(&rep, ans.json.data, ans.fd != -1 ? 0 : ans.json.len) != RN_OK ||
	    rn_ipc_send(link, RN_IPC_KEEPER_REP, rep.data, rep.len, ans.fd) != RN_OK)
		rn_log_err("keeper: cannot answer the http child");
	rn_buf_free(&rep);
	rn_keeper_answer_clear(&ans);
}

static void
drop_link(struct keeper_child *kc, struct rn_ipc *link)
{
	size_t i;

	for (i = 0; i < MAX_LINKS; i++)
		if (kc->links[i] == link)
			kc->links[i] = NULL;
	rn_ipc_free(link);
}

static void
on_link_msg(struct rn_ipc *link, struct rn_ipc_msg *msg, void *arg)
{
	struct keeper_child *kc = arg;

	if (msg->type == RN_IPC_KEEPER_REQ && kc->k != NULL)
		on_request(kc, link, msg);
	else
		drop_link(kc, link);
	if (msg->fd != -1)
		close(msg->fd);
	msg->fd = -1;
}

static void
on_link_close(struct rn_ipc *link, enum rn_err why, void *arg)
{
	(void)why;
	drop_link(arg, link);
}

static void
add_link(struct keeper_child *kc, int fd)
{
	struct rn_ipc *link;
	size_t	       i;

	for (i = 0; i < MAX_LINKS && kc->links[i] != NULL; i++)
		;
	if (i == MAX_LINKS) {
		/* The oldest is the one least likely to be in use. */
		rn_ipc_free(kc->links[0]);
		memmove(&kc->links[0], &kc->links[1], (MAX_LINKS - 1) * sizeof(kc->links[0]));
		i = MAX_LINKS - 1;
		kc->links[i] = NULL;
	}
	if ((link = rn_ipc_new(kc->base, fd, on_link_msg, on_link_close, kc)) == NULL) {
		close(fd);
		return;
	}
	kc->links[i] = link;
}

static void
apply_conf(struct keeper_child *kc, const struct rn_ipc_msg *msg)
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
		stop(kc, 1);
		return;
	}
	rn_log_set_level(conf->log_level);
	if (kc->k == NULL) {
		/* Everything that needs a path outside the sandbox's reach comes first. */
		if (rn_proc_drop_privileges(conf->user) != RN_OK ||
		    rn_keeper_open(conf->data_directory, conf->public_directory, &kc->k) != RN_OK) {
			rn_conf_free(conf);
			stop(kc, 1);
			return;
		}
		if (rn_keeper_render_if_stale(kc->k) != RN_OK)
			rn_log_err("keeper: the site is not rendered");
		if (rn_proc_sandbox("keeper") != RN_OK) {
			rn_conf_free(conf);
			stop(kc, 1);
			return;
		}
		rn_log_info("keeper ready");
	}
	rn_conf_free(conf);
}

static void
on_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	struct keeper_child *kc = arg;

	(void)ipc;
	switch (msg->type) {
	case RN_IPC_CONF: apply_conf(kc, msg); break;
	case RN_IPC_KEEPER_LINK:
		if (msg->fd != -1)
			add_link(kc, msg->fd);
		msg->fd = -1;
		break;
	case RN_IPC_SHUTDOWN: stop(kc, 0); break;
	default:
		rn_log_err("unexpected IPC frame %u", msg->type);
		stop(kc, 1);
		break;
	}
	if (msg->fd != -1)
		close(msg->fd);
}

static void
on_close(struct rn_ipc *ipc, enum rn_err why, void *arg)
{
	(void)ipc;
	(void)why;
	stop(arg, 0); /* the parent is gone */
}

int
rn_keeper_child_main(void)
{
	struct keeper_child kc;
	size_t		    i;

	memset(&kc, 0, sizeof(kc));
	rn_log_set_role("keeper");
	signal(SIGPIPE, SIG_IGN);
	if ((kc.base = event_base_new()) == NULL)
		return 1;
	if ((kc.ipc = rn_ipc_new(kc.base, RN_PROC_CHILD_FD, on_msg, on_close, &kc)) == NULL)
		return 1;
	event_base_dispatch(kc.base);
	for (i = 0; i < MAX_LINKS; i++)
		rn_ipc_free(kc.links[i]);
	rn_keeper_free(kc.k);
	rn_ipc_free(kc.ipc);
	event_base_free(kc.base);
	return kc.status;
}
