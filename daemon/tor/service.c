/*
 * The parent's tor service: launch mode starts tor with a generated torrc
 * and takes ownership of it; control mode attaches to a running tor and
 * makes the onions with ADD_ONION; system mode reads the address of the
 * operator's onion and watches tor's status if the control port answers.
 * A lost connection or a dead tor is retried with a doubling backoff.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_tor.h"
#include "tor/service_int.h"
#include "tor/tor_int.h"

static void connect_now(struct rn_tor *t);
static void on_ctl_event(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg);
static void on_ctl_close(struct rn_torctl *c, enum rn_err why, void *arg);

static const struct rn_torctl_ops ctl_ops = { on_ctl_event, on_ctl_close };

static void
set_state(struct rn_tor *t, const char *state)
{
	if (strcmp(t->state, state) != 0)
		rn_log_info("tor: %s", state);
	snprintf(t->state, sizeof(t->state), "%s", state);
}

/* Our own copy of the configuration: the parent replaces its copy on reload. */
static struct rn_conf *
conf_copy(const struct rn_conf *src)
{
	struct rn_conf *c = rn_conf_new();
	struct rn_buf	b;
	char		err[256];

	rn_buf_init(&b, RN_CONF_MAX_FILE);
	if (c == NULL || rn_conf_dump(src, &b, false) != RN_OK ||
	    rn_conf_parse(c, b.data, b.len, "copy", err, sizeof(err)) != RN_OK) {
		RN_CONF_FREE(c);
	}
	rn_buf_free(&b);
	return c;
}

static enum rn_err
load_keys(struct rn_tor *t)
{
	char	    path[PATH_MAX];
	bool	    created;
	enum rn_err r;

	snprintf(path, sizeof(path), "%s/" RN_ONION_DIR, t->conf->data_directory);
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		rn_log_errno(RN_LOG_ERR, "mkdir %s", path);
		return RN_ERR_IO;
	}
	snprintf(path, sizeof(path), "%s/" RN_ONION_PUBLIC_DIR, t->conf->data_directory);
	if ((r = rn_onion_key_load_or_create(path, &t->onions[0].key, &created)) != RN_OK)
		return r;
	t->onions[0].active = true;
	if (created)
		rn_log_notice("tor: new public onion key in %s", path);
	if (t->conf->editor_client_auth.n == 0)
		return RN_OK;
	snprintf(path, sizeof(path), "%s/" RN_ONION_EDITOR_DIR, t->conf->data_directory);
	if ((r = rn_onion_key_load_or_create(path, &t->onions[1].key, &created)) != RN_OK)
		return r;
	t->onions[1].active = true;
	if (created)
		rn_log_notice("tor: new editor onion key in %s", path);
	return RN_OK;
}

/* System mode: the address tor wrote into HiddenServiceDir/hostname. */
static enum rn_err
read_system_hostname(struct rn_tor *t)
{
	char	      path[PATH_MAX];
	struct rn_buf b;
	uint8_t	      pub[RN_ONION_PUB_LEN];
	enum rn_err   r;

	snprintf(path, sizeof(path), "%s/hostname", t->conf->tor_hidden_service_dir);
	rn_buf_init(&b, RN_TOR_MAX_ONION_FILE);
	r = rn_file_read_all(path, RN_TOR_MAX_ONION_FILE, &b);
	if (r == RN_OK) {
		while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.data[--b.len] = '\0';
		r = rn_onion_address_parse(b.data, pub);
	}
	if (r == RN_OK)
		r = rn_onion_address(pub, t->onions[0].key.addr);
	if (r == RN_OK)
		t->onions[0].active = true;
	else
		rn_log_err("tor: cannot read an onion address from %s (%s); is TorHiddenServiceDir "
			   "the HiddenServiceDir of the system tor, and readable by roneod?",
		    path, rn_err_str(r));
	rn_buf_free(&b);
	return r;
}

struct rn_tor *
rn_tor_new(struct event_base *base, const struct rn_conf *conf)
{
	struct rn_tor *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->base = base;
	t->pid = -1;
	t->bootstrap = -1;
	t->onions[0].name = "public";
	t->onions[1].name = "editor";
	snprintf(t->state, sizeof(t->state), "off");
	if ((t->conf = conf_copy(conf)) == NULL ||
	    !rn_tor_mode_parse(t->conf->tor_mode, &t->mode) ||
	    (t->timer = evtimer_new(base, rn_tor_on_timer, t)) == NULL) {
		rn_tor_free(t);
		return NULL;
	}
	t->onions[0].pow = t->conf->onion_pow;
	return t;
}

enum rn_err
rn_tor_start(struct rn_tor *t)
{
	char	    path[PATH_MAX];
	enum rn_err r = RN_OK;

	snprintf(path, sizeof(path), "%s/" RN_ADMIN_SOCK, t->conf->data_directory);
	if ((t->admin = rn_admin_new(t->base, path, rn_tor_admin_status, t)) == NULL)
		return RN_ERR_IO;
	if (t->mode == RN_TOR_OFF)
		return RN_OK;
	/* A key or an address we cannot read is the operator's to fix: fatal. */
	if (t->mode == RN_TOR_SYSTEM)
		r = read_system_hostname(t);
	else
		r = load_keys(t);
	if (r != RN_OK)
		return r;
	if (t->mode != RN_TOR_CONTROL) /* control mode says so once ADD_ONION succeeds */
		rn_log_notice("tor: public onion http://%s/ (%s)", t->onions[0].key.addr,
		    t->mode == RN_TOR_LAUNCH ? "in the generated torrc" : "the system tor's");
	t->retry_ms = RN_TOR_RETRY_MIN_MS;
	if (t->mode == RN_TOR_LAUNCH)
		(void)rn_tor_launch(t); /* failures are logged and retried */
	else
		connect_now(t);
	return RN_OK;
}

void
rn_tor_schedule(struct rn_tor *t, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000u), (suseconds_t)((ms % 1000u) * 1000u) };

	evtimer_add(t->timer, &tv);
}

/* Something failed: try again later, each time waiting twice as long. */
void
rn_tor_retry(struct rn_tor *t)
{
	struct rn_torctl *c = t->ctl;

	if (t->stopping)
		return;
	t->ctl = NULL; /* first: callbacks of c that run while it is freed see it is stale */
	rn_torctl_free(c);
	t->bootstrap = -1;
	t->onions[0].added = t->onions[1].added = false;
	set_state(t, "waiting to retry");
	rn_tor_schedule(t, t->retry_ms);
	t->retry_ms = t->retry_ms * 2 > RN_TOR_RETRY_MAX_MS ? RN_TOR_RETRY_MAX_MS : t->retry_ms * 2;
}

void
rn_tor_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rn_tor *t = arg;

	(void)fd;
	(void)what;
	if (t->stopping)
		return;
	if (t->mode == RN_TOR_LAUNCH)
		rn_tor_launch_tick(t);
	else
		connect_now(t);
}

static void
on_authenticated(struct rn_torctl *c, enum rn_err err, void *arg)
{
	struct rn_tor *t = arg;

	if (c != t->ctl)
		return;
	if (err != RN_OK) {
		rn_log_err("tor: control port authentication failed: %s", rn_err_str(err));
		rn_tor_retry(t);
		return;
	}
	set_state(t, "authenticated");
	rn_tor_setup(t);
}

/* Open the control connection (control and system modes; launch once the socket is there). */
static void
connect_now(struct rn_tor *t)
{
	char	    spec[PATH_MAX];
	enum rn_err r;

	if (t->mode == RN_TOR_LAUNCH)
		snprintf(
		    spec, sizeof(spec), "unix:%s/" RN_TOR_CONTROL_SOCK, t->conf->data_directory);
	else
		snprintf(spec, sizeof(spec), "%s", t->conf->tor_control);
	rn_torctl_free(t->ctl);
	t->ctl = NULL;
	if ((t->ctl = rn_torctl_new(t->base, &ctl_ops, t)) == NULL) {
		rn_tor_retry(t);
		return;
	}
	set_state(t, "connecting");
	if ((r = rn_torctl_connect(t->ctl, spec)) != RN_OK ||
	    (r = rn_torctl_authenticate(t->ctl, on_authenticated, t)) != RN_OK) {
		rn_log_warn("tor: cannot connect to the control port %s: %s", spec, rn_err_str(r));
		rn_tor_retry(t);
	}
}

void
rn_tor_connect(struct rn_tor *t)
{
	connect_now(t);
}

static void
on_ctl_close(struct rn_torctl *c, enum rn_err why, void *arg)
{
	struct rn_tor *t = arg;

	if (c != t->ctl)
		return;
	if (t->stopping) {
		set_state(t, "stopped");
		return;
	}
	rn_log_warn("tor: the control connection closed (%s)",
	    why == RN_ERR_PROTO ? "by tor" : rn_err_str(why));
	rn_tor_retry(t);
}

static struct rn_tor_onion *
onion_by_id(struct rn_tor *t, const char *id)
{
	size_t i;

	for (i = 0; i < RN_ARRAY_LEN(t->onions); i++)
		if (t->onions[i].active && strlen(id) == RN_ONION_ADDR_LEN &&
		    strncmp(t->onions[i].key.addr, id, RN_ONION_ADDR_LEN) == 0)
			return &t->onions[i];
	return NULL;
}

static void
on_ctl_event(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct rn_tor	    *t = arg;
	struct rn_tor_onion *o;
	const char	    *text = r->lines[0].text;
	char		     w[64], id[RN_ONION_ADDR_LEN + 8];

	(void)c;
	if (strncmp(text, "STATUS_CLIENT ", 14) == 0) {
		if (rn_torctl_word(text, 2, w, sizeof(w)) == RN_OK && strcmp(w, "BOOTSTRAP") == 0)
			rn_tor_note_bootstrap(t, text);
		return;
	}
	if (strncmp(text, "HS_DESC ", 8) != 0 || rn_torctl_word(text, 1, w, sizeof(w)) != RN_OK ||
	    rn_torctl_word(text, 2, id, sizeof(id)) != RN_OK || (o = onion_by_id(t, id)) == NULL)
		return;
	if (strcmp(w, "UPLOADED") == 0) {
		o->uploaded = time(NULL);
		o->uploads++;
		if (o->uploads == 1)
			rn_log_notice("tor: the %s onion's descriptor is uploaded", o->name);
	}
}

void
rn_tor_note_bootstrap(struct rn_tor *t, const char *text)
{
	char	 v[16];
	uint64_t n;

	if (rn_torctl_arg(text, "PROGRESS", v, sizeof(v)) != RN_OK ||
	    rn_parse_u64(v, strlen(v), 100, &n) != RN_OK)
		return;
	if ((int)n == 100 && t->bootstrap != 100)
		rn_log_notice("tor: bootstrapped");
	t->bootstrap = (int)n;
}

void
rn_tor_stop(struct rn_tor *t)
{
	if (t == NULL || t->stopping)
		return;
	t->stopping = true;
	evtimer_del(t->timer);
	rn_tor_del_onions(t);
}

bool
rn_tor_reaped(struct rn_tor *t, pid_t pid, int status)
{
	if (t == NULL || pid <= 0 || pid != t->pid)
		return false;
	t->pid = -1;
	if (t->stopping)
		return true;
	if (WIFEXITED(status))
		rn_log_err("tor: exited with status %d; see %s/" RN_TOR_LOG, WEXITSTATUS(status),
		    t->conf->data_directory);
	else if (WIFSIGNALED(status))
		rn_log_err("tor: killed by signal %d", WTERMSIG(status));
	rn_tor_retry(t);
	return true;
}

void
rn_tor_free(struct rn_tor *t)
{
	struct rn_torctl *c;

	if (t == NULL)
		return;
	t->stopping = true;
	c = t->ctl;
	t->ctl = NULL;
	rn_torctl_free(c);
	rn_tor_reap_launched(t);
	rn_admin_free(t->admin);
	if (t->timer != NULL)
		event_free(t->timer);
	rn_onion_key_wipe(&t->onions[0].key);
	rn_onion_key_wipe(&t->onions[1].key);
	rn_conf_free(t->conf);
	free(t);
}

const char *
rn_tor_address(const struct rn_tor *t, size_t i)
{
	if (t == NULL || i >= RN_ARRAY_LEN(t->onions) || !t->onions[i].active)
		return NULL;
	return t->onions[i].key.addr;
}
