/*
 * roneod: the parent process.  It reads the configuration, owns the state
 * directory's lock and the listening sockets, starts the children from one
 * table and restarts them when they die.  It never parses a client byte.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_http.h"
#include "roneo/rn_keeper.h"
#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_tor.h"

#define DEFAULT_CONF	"/etc/roneo/roneod.conf"
#define EX_USAGE	64
#define EX_CONFIG	78
#define LISTEN_BACKLOG	511
#define KILL_GRACE_SECS 2u

/* The children: a later process (keeper, sync) is one more row here. */
static const struct {
	const char *role;
	int (*main)(void);
} child_roles[] = {
	{ "http", rn_http_child_main },
	{ "keeper", rn_keeper_child_main },
};
#define NCHILDREN (sizeof(child_roles) / sizeof(child_roles[0]))

/*
 * The listener options, each a kind of listener the http child serves
 * differently: the public site and drop-box, or the editor API.  The child
 * receives "KIND SPEC" with each socket.
 */
static const struct {
	const char *kind;
	const char *option;
	size_t	    off;
} listen_kinds[] = {
	{ "public", "Listen", offsetof(struct rn_conf, listen) },
	{ "editor", "EditorListen", offsetof(struct rn_conf, editor_listen) },
	{ "onion", "OnionListen", offsetof(struct rn_conf, onion_listen) },
};
#define NKINDS RN_ARRAY_LEN(listen_kinds)

static const struct rn_conf_list *
kind_list(const struct rn_conf *c, size_t k)
{
	return (const struct rn_conf_list *)(const void *)((const char *)c + listen_kinds[k].off);
}

struct listener {
	int   fd;
	char *spec;				    /* "KIND SPEC" */
	char  unix_path[RN_CONF_MAX_UNIX_PATH + 1]; /* to unlink at exit */
};

struct parent {
	struct event_base    *base;
	struct rn_conf	     *conf;
	const char	     *conf_path; /* NULL: embedded defaults */
	int		      noverrides;
	char		    **overrides; /* "--Key value" pairs from argv */
	int		      lock_fd;
	size_t		      nlisteners;
	struct listener	      listeners[RN_CONF_MAX_LIST * NKINDS];
	struct rn_proc_child *children[NCHILDREN];
	struct rn_tor	     *tor; /* daemon/tor: tor, the onions, admin.sock */
	struct event	     *sig[5];
	struct event	     *kill_timer;
	bool		      stopping;
	bool		      announced;
	int		      status;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: roneod [-f FILE] [--verify-config] [--dump-config] "
		   "[--KeyName value ...]\n"
		   "       roneod --version | --help\n"
		   "  -f, --config FILE   read FILE (default " DEFAULT_CONF ", if it exists)\n"
		   "  --verify-config     check the configuration and exit\n"
		   "  --dump-config       print the effective configuration and exit\n"
		   "  --KeyName value     set an option, as in roneod.conf(5)\n"
		   "  --version           print the version and exit\n"
		   "  -h, --help          print this help and exit\n");
}

/* Apply "--Key value" overrides; a list given twice appends the second value. */
static enum rn_err
apply_overrides(struct rn_conf *c, int n, char **ov, char *err, size_t errlen)
{
	char	    key[128];
	enum rn_err r;
	int	    i, j;

	for (i = 0; i < n; i += 2) {
		bool again = false;

		for (j = 0; j < i; j += 2)
			if (strcasecmp(ov[j] + 2, ov[i] + 2) == 0)
				again = true;
		snprintf(key, sizeof(key), "%s%s", again ? "+" : "", ov[i] + 2);
		if ((r = rn_conf_set(c, key, ov[i + 1], err, errlen)) != RN_OK)
			return r;
	}
	return RN_OK;
}

static struct rn_conf *
load_config(const struct parent *p, char *err, size_t errlen)
{
	struct rn_conf *c = rn_conf_new();
	enum rn_err	r = RN_OK;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (p->conf_path != NULL)
		r = rn_conf_load(c, p->conf_path, err, errlen);
	if (r == RN_OK)
		r = apply_overrides(c, p->noverrides, p->overrides, err, errlen);
	if (r == RN_OK)
		r = rn_conf_validate(c, err, errlen);
	if (r != RN_OK) {
		rn_conf_free(c);
		return NULL;
	}
	return c;
}

/* DataDirectory: created 0700 and, when we are root, owned by User. */
static enum rn_err
prepare_datadir(const struct rn_conf *c)
{
	struct stat st;
	uid_t	    uid = geteuid();
	gid_t	    gid = getegid();

	if (geteuid() == 0 && rn_proc_user_ids(c->user, &uid, &gid) != RN_OK) {
		rn_log_err("User %s does not exist; create it (useradd --system %s) or set User",
		    c->user, c->user);
		return RN_ERR_NOTFOUND;
	}
	if (mkdir(c->data_directory, 0700) == -1 && errno != EEXIST) {
		rn_log_errno(RN_LOG_ERR, "DataDirectory %s", c->data_directory);
		return RN_ERR_IO;
	}
	if (lstat(c->data_directory, &st) == -1 || !S_ISDIR(st.st_mode)) {
		rn_log_err("DataDirectory %s is not a directory", c->data_directory);
		return RN_ERR_INVAL;
	}
	if (geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid) &&
	    chown(c->data_directory, uid, gid) == -1) {
		rn_log_errno(RN_LOG_ERR, "chown %s", c->data_directory);
		return RN_ERR_PERM;
	}
	if ((st.st_mode & 077) != 0 && chmod(c->data_directory, 0700) == -1) {
		rn_log_errno(RN_LOG_ERR, "chmod %s", c->data_directory);
		return RN_ERR_PERM;
	}
	/* The published files: readable by the http child, written by the keeper (as User). */
	(void)mkdir(c->public_directory, 0755);
	if (geteuid() == 0 && lstat(c->public_directory, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid != uid) {
		if (chown(c->public_directory, uid, gid) == -1) {
			rn_log_errno(RN_LOG_ERR, "chown %s", c->public_directory);
			return RN_ERR_PERM;
		}
		rn_log_notice("PublicDirectory %s given to %s: the keeper writes the site there",
		    c->public_directory, c->user);
	}
	return RN_OK;
}

static enum rn_err
take_lock(struct parent *p)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/roneod.lock", p->conf->data_directory);
	p->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (p->lock_fd == -1) {
		rn_log_errno(RN_LOG_ERR, "%s", path);
		return RN_ERR_IO;
	}
	if (flock(p->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			rn_log_err("another roneod is using %s", p->conf->data_directory);
			return RN_ERR_BUSY;
		}
		rn_log_errno(RN_LOG_ERR, "flock %s", path);
		return RN_ERR_IO;
	}
	return RN_OK;
}

static int
open_unix(const struct rn_conf_listen *l, const struct rn_conf *c)
{
	struct sockaddr_un sun;
	struct stat	   st;
	uid_t		   uid;
	gid_t		   gid;
	int		   fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, l->path, strnlen(l->path, sizeof(sun.sun_path) - 1));
	/* A stale socket from an earlier run (the lock says it is not in use). */
	if (lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(l->path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || chmod(l->path, 0660) == -1) {
		close(fd);
		return -1;
	}
	if (geteuid() == 0 && rn_proc_user_ids(c->user, &uid, &gid) == RN_OK &&
	    chown(l->path, 0, gid) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_inet(const struct rn_conf_listen *l)
{
	struct sockaddr_storage ss;
	socklen_t		len;
	int			fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (l->family == RN_CONF_LISTEN_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(l->port);
		memcpy(&sin->sin_addr, l->addr, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(l->port);
		memcpy(&sin6->sin6_addr, l->addr, 16);
		len = sizeof(*sin6);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
close_listeners(struct parent *p, bool unlink_paths)
{
	size_t i;

	for (i = 0; i < p->nlisteners; i++) {
		close(p->listeners[i].fd);
		if (unlink_paths && p->listeners[i].unix_path[0] != '\0')
			unlink(p->listeners[i].unix_path);
		RN_FREE(p->listeners[i].spec);
	}
	p->nlisteners = 0;
}

static enum rn_err
open_listener(struct parent *p, const struct rn_conf *c, size_t k, const char *spec)
{
	struct listener	     *li = &p->listeners[p->nlisteners];
	struct rn_conf_listen l;
	char		      err[256];
	int		      fd;

	if (rn_conf_listen_parse(spec, c->data_directory, &l, err, sizeof(err)) != RN_OK) {
		rn_log_err("%s %s: %s", listen_kinds[k].option, spec, err);
		return RN_ERR_INVAL;
	}
	if (!l.loopback)
		rn_log_warn("%s %s is not a loopback address: clients can reach roneod without Tor",
		    listen_kinds[k].option, spec);
	fd = l.family == RN_CONF_LISTEN_UNIX ? open_unix(&l, c) : open_inet(&l);
	if (fd == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		rn_log_errno(RN_LOG_ERR, "%s %s", listen_kinds[k].option, spec);
		if (fd != -1)
			close(fd);
		return RN_ERR_IO;
	}
	li->fd = fd;
	li->unix_path[0] = '\0';
	if (l.family == RN_CONF_LISTEN_UNIX)
		memcpy(li->unix_path, l.path, strlen(l.path) + 1);
	p->nlisteners++;
	if (asprintf(&li->spec, "%s %s", listen_kinds[k].kind, spec) == -1) {
		li->spec = NULL;
		return RN_ERR_NOMEM;
	}
	return RN_OK;
}

/* Bind every listener option of c into p->listeners (which must be empty). */
static enum rn_err
open_listeners(struct parent *p, const struct rn_conf *c)
{
	enum rn_err r;
	size_t	    i, k;

	for (k = 0; k < NKINDS; k++)
		for (i = 0; i < kind_list(c, k)->n; i++)
			if ((r = open_listener(p, c, k, kind_list(c, k)->v[i])) != RN_OK)
				return r;
	return RN_OK;
}

static void
announce(const struct parent *p)
{
	struct rn_conf_listen l;
	char		      err[256], what[64];
	size_t		      i, k;

	for (k = 0; k < NKINDS; k++) {
		/* "(EditorListen)" after the addresses of the other kinds. */
		snprintf(what, sizeof(what), k == 0 ? "%s" : " (%s)",
		    k == 0 ? "" : listen_kinds[k].option);
		for (i = 0; i < kind_list(p->conf, k)->n; i++) {
			if (rn_conf_listen_parse(kind_list(p->conf, k)->v[i],
				p->conf->data_directory, &l, err, sizeof(err)) != RN_OK)
				continue;
			if (l.family == RN_CONF_LISTEN_UNIX)
				rn_log_notice("listening on unix:%s%s", l.path, what);
			else if (l.family == RN_CONF_LISTEN_INET6)
				rn_log_notice(
				    "listening on http://[%s]:%u/%s", l.host, l.port, what);
			else
				rn_log_notice("listening on http://%s:%u/%s", l.host, l.port, what);
		}
	}
	rn_log_notice("ready");
}

/* Hand a child the config, then the listening sockets. */
static void
configure_child(struct rn_proc_child *ch, struct parent *p)
{
	struct rn_buf dump;
	size_t	      i;

	rn_buf_init(&dump, RN_IPC_MAX_PAYLOAD);
	if (rn_conf_dump(p->conf, &dump, false) != RN_OK) {
		rn_log_err("configuration too large for IPC");
		rn_buf_free(&dump);
		return;
	}
	if (rn_proc_child_send(ch, RN_IPC_CONF, dump.data, dump.len, -1) == RN_OK &&
	    strcmp(rn_proc_child_role(ch), "http") == 0) {
		for (i = 0; i < p->nlisteners; i++)
			if (rn_proc_child_send(ch, RN_IPC_LISTENER, p->listeners[i].spec,
				strlen(p->listeners[i].spec), p->listeners[i].fd) != RN_OK)
				break;
		if (i == p->nlisteners)
			(void)rn_proc_child_send(ch, RN_IPC_LISTENERS_END, NULL, 0, -1);
	}
	rn_buf_free(&dump);
}

/* A fresh socketpair between the http child and the keeper once both run (proc/README.md). */
static void
link_keeper(struct parent *p)
{
	struct rn_proc_child *http = NULL, *keeper = NULL;
	int		      sv[2];
	size_t		      i;

	for (i = 0; i < NCHILDREN; i++) {
		if (p->children[i] == NULL || !rn_proc_child_is_running(p->children[i]))
			continue;
		if (strcmp(rn_proc_child_role(p->children[i]), "http") == 0)
			http = p->children[i];
		else if (strcmp(rn_proc_child_role(p->children[i]), "keeper") == 0)
			keeper = p->children[i];
	}
	if (http == NULL || keeper == NULL)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		rn_log_errno(RN_LOG_ERR, "socketpair for the keeper link");
		return;
	}
	(void)rn_proc_child_send(http, RN_IPC_KEEPER_LINK, NULL, 0, sv[0]);
	(void)rn_proc_child_send(keeper, RN_IPC_KEEPER_LINK, NULL, 0, sv[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
on_child_start(struct rn_proc_child *ch, void *arg)
{
	configure_child(ch, arg);
	link_keeper(arg);
}

static void
on_child_msg(struct rn_proc_child *ch, struct rn_ipc_msg *msg, void *arg)
{
	struct parent *p = arg;

	if (msg->fd != -1)
		close(msg->fd);
	if (msg->type == RN_IPC_READY) {
		rn_log_info("%s child ready", rn_proc_child_role(ch));
		if (!p->announced) {
			p->announced = true;
			announce(p);
		}
	}
}

static bool
all_children_gone(const struct parent *p)
{
	size_t i;

	for (i = 0; i < NCHILDREN; i++)
		if (p->children[i] != NULL && rn_proc_child_is_running(p->children[i]))
			return false;
	return true;
}

static void
on_kill_timer(evutil_socket_t fd, short what, void *arg)
{
	struct parent *p = arg;
	size_t	       i;

	(void)fd;
	(void)what;
	rn_log_warn("children did not stop in time; killing them");
	for (i = 0; i < NCHILDREN; i++)
		rn_proc_child_kill(p->children[i]);
}

static void
begin_stop(struct parent *p)
{
	struct timeval tv = { (time_t)(p->conf->shutdown_timeout + KILL_GRACE_SECS), 0 };
	size_t	       i;

	if (p->stopping)
		return;
	p->stopping = true;
	rn_log_notice("stopping");
	rn_tor_stop(p->tor);
	/* New connections are refused from now on, not left in the backlog. */
	close_listeners(p, true);
	for (i = 0; i < NCHILDREN; i++)
		rn_proc_child_stop(p->children[i]);
	evtimer_add(p->kill_timer, &tv);
	if (all_children_gone(p))
		event_base_loopexit(p->base, NULL);
}

static bool
same_listen(const struct rn_conf *a, const struct rn_conf *b)
{
	size_t i, k;

	for (k = 0; k < NKINDS; k++) {
		if (kind_list(a, k)->n != kind_list(b, k)->n)
			return false;
		for (i = 0; i < kind_list(a, k)->n; i++)
			if (strcmp(kind_list(a, k)->v[i], kind_list(b, k)->v[i]) != 0)
				return false;
	}
	return true;
}

static void
reload(struct parent *p)
{
	char		err[512];
	struct rn_conf *c;
	size_t		i;

	if (p->conf_path == NULL) {
		rn_log_notice("SIGHUP: no configuration file to reload");
		return;
	}
	if ((c = load_config(p, err, sizeof(err))) == NULL) {
		rn_log_err("SIGHUP: %s; keeping the running configuration", err);
		return;
	}
	if (strcmp(c->data_directory, p->conf->data_directory) != 0 ||
	    strcmp(c->user, p->conf->user) != 0) {
		rn_log_err("SIGHUP: DataDirectory and User change only on restart; "
			   "keeping the running configuration");
		rn_conf_free(c);
		return;
	}
	if (!same_listen(c, p->conf)) {
		struct parent fresh = { .nlisteners = 0 };

		if (open_listeners(&fresh, c) != RN_OK) {
			close_listeners(&fresh, false);
			rn_log_err("SIGHUP: cannot open the new listeners; keeping the "
				   "running configuration");
			rn_conf_free(c);
			return;
		}
		close_listeners(p, true);
		memcpy(p->listeners, fresh.listeners, sizeof(fresh.listeners));
		p->nlisteners = fresh.nlisteners;
	}
	(void)rn_tor_add_host_names(p->tor, c); /* Tor options change only on restart */
	rn_conf_free(p->conf);
	p->conf = c;
	rn_log_set_level(c->log_level);
	for (i = 0; i < NCHILDREN; i++)
		if (rn_proc_child_is_running(p->children[i]))
			configure_child(p->children[i], p);
	rn_log_notice("configuration reloaded");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct parent *p = arg;
	int	       status;
	pid_t	       pid;
	size_t	       i;

	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT: begin_stop(p); break;
	case SIGHUP:
		if (!p->stopping)
			reload(p);
		break;
	case SIGCHLD:
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (rn_tor_reaped(p->tor, pid, status))
				continue;
			for (i = 0; i < NCHILDREN; i++)
				if (rn_proc_child_reaped(p->children[i], pid, status))
					break;
		}
		if (p->stopping && all_children_gone(p))
			event_base_loopexit(p->base, NULL);
		break;
	default: break;
	}
}

static enum rn_err
run(struct parent *p)
{
	static const struct rn_proc_child_ops ops = { on_child_start, on_child_msg };
	static const int		      sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	size_t				      i;

	if ((p->base = event_base_new()) == NULL ||
	    (p->kill_timer = evtimer_new(p->base, on_kill_timer, p)) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if ((p->sig[i] = evsignal_new(p->base, sigs[i], on_signal, p)) == NULL ||
		    evsignal_add(p->sig[i], NULL) == -1)
			return RN_ERR_NOMEM;
	/* Before the children: they get HostName with the onion addresses in it. */
	if ((p->tor = rn_tor_new(p->base, p->conf)) == NULL || rn_tor_start(p->tor) != RN_OK ||
	    rn_tor_add_host_names(p->tor, p->conf) != RN_OK)
		return RN_ERR_IO;
	for (i = 0; i < NCHILDREN; i++) {
		p->children[i] = rn_proc_child_new(p->base, child_roles[i].role, &ops, p);
		if (p->children[i] == NULL || rn_proc_child_start(p->children[i]) != RN_OK)
			return RN_ERR_IO;
	}
	event_base_dispatch(p->base);
	return RN_OK;
}

static void
cleanup(struct parent *p)
{
	size_t i;

	for (i = 0; i < NCHILDREN; i++)
		rn_proc_child_free(p->children[i]);
	rn_tor_free(p->tor);
	for (i = 0; i < sizeof(p->sig) / sizeof(p->sig[0]); i++)
		if (p->sig[i] != NULL)
			event_free(p->sig[i]);
	if (p->kill_timer != NULL)
		event_free(p->kill_timer);
	if (p->base != NULL)
		event_base_free(p->base);
	close_listeners(p, true);
	if (p->lock_fd != -1)
		close(p->lock_fd);
	rn_conf_free(p->conf);
}

static int
serve(struct parent *p)
{
	enum rn_err err;

	rn_log_init("parent", p->conf->log_level, p->conf->syslog);
	if ((err = prepare_datadir(p->conf)) != RN_OK || (err = take_lock(p)) != RN_OK ||
	    (err = open_listeners(p, p->conf)) != RN_OK || (err = run(p)) != RN_OK) {
		cleanup(p);
		return rn_err_exit_code(err);
	}
	cleanup(p);
	rn_log_notice("stopped");
	return p->status;
}

/* Move "--Key value" overrides out of argv (before getopt sees it); -1 on error. */
static int
split_overrides(struct parent *p, int *argcp, char **argv)
{
	int i, argc = *argcp;

	if ((p->overrides = calloc((size_t)argc, sizeof(char *))) == NULL)
		return -1;
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] < 'A' || argv[i][2] > 'Z')
			continue;
		if (i + 1 >= argc) {
			fprintf(stderr, "roneod: %s needs a value\n", argv[i]);
			return -1;
		}
		p->overrides[p->noverrides++] = argv[i];
		p->overrides[p->noverrides++] = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 2) * sizeof(char *));
		argc -= 2;
		i--;
	}
	*argcp = argc;
	return 0;
}

/* --verify-config and --dump-config */
static int
check_only(struct parent *p, bool dump)
{
	struct rn_buf out;
	int	      rc = 0;

	if (!dump) {
		printf("roneod: configuration OK\n");
		return 0;
	}
	rn_buf_init(&out, RN_CONF_MAX_FILE);
	if (rn_conf_dump(p->conf, &out, true) == RN_OK)
		fputs(out.data, stdout);
	else
		rc = 1;
	rn_buf_free(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "verify-config", no_argument, NULL, 'V' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct parent p = { .lock_fd = -1 };
	bool	      verify = false, dump = false;
	char	      err[512];
	int	      ch, rc = EX_USAGE;
	size_t	      r;

	if (argc == 3 && strcmp(argv[1], "--child") == 0) {
		for (r = 0; r < NCHILDREN; r++)
			if (strcmp(argv[2], child_roles[r].role) == 0)
				return child_roles[r].main();
		return EX_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (split_overrides(&p, &argc, argv) == -1)
		goto out;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': p.conf_path = optarg; break;
		case 'V': verify = true; break;
		case 'D': dump = true; break;
		case 'v':
			printf("roneod %s\n", PACKAGE_VERSION);
			rc = 0;
			goto out;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind != argc) {
		usage(stderr);
		goto out;
	}
	if (p.conf_path == NULL && access(DEFAULT_CONF, F_OK) == 0)
		p.conf_path = DEFAULT_CONF;
	if ((p.conf = load_config(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "roneod: %s\n", err);
		rc = EX_CONFIG;
		goto out;
	}
	if (verify || dump) {
		rc = check_only(&p, dump);
		rn_conf_free(p.conf);
	} else {
		rc = serve(&p); /* frees p.conf */
	}
out:
	free(p.overrides);
	return rc;
}
