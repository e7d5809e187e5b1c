/*
 * What follows authentication, one command at a time: TAKEOWNERSHIP (launch),
 * SETEVENTS, GETINFO, ADD_ONION; and DEL_ONION on stop.  A reply other than
 * 250 ends the connection and the service retries from the start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"
#include "tor/service_int.h"
#include "tor/tor_int.h"

enum step {
	STEP_TAKEOWNERSHIP,
	STEP_RESETCONF,
	STEP_SETEVENTS,
	STEP_GETINFO,
	STEP_ADD_PUBLIC,
	STEP_ADD_EDITOR,
	STEP_DONE
};

static void next_step(struct rn_tor *t, enum step s);

static enum rn_err
add_onion_cmd(const struct rn_tor *t, const struct rn_tor_onion *o, bool editor, struct rn_buf *b)
{
	char b64[rn_base64_len(RN_ONION_EXPANDED_LEN) + 1], target[RN_CONF_MAX_UNIX_PATH + 16];
	bool proxy;
	enum rn_err r;
	size_t	    i;

	if (editor)
		r = rn_tor_target(
		    t->conf->editor_listen.v[0], t->conf->data_directory, target, sizeof(target));
	else
		r = rn_tor_public_target(t->conf, false, target, sizeof(target), &proxy);
	if (r != RN_OK)
		return r;
	rn_base64_encode(o->key.expanded, RN_ONION_EXPANDED_LEN, b64);
	r = rn_buf_printf(b, "ADD_ONION ED25519-V3:%s Flags=DiscardPK%s Port=80,%s", b64,
	    editor ? ",V3Auth" : "", target);
	rn_crypto_wipe(b64, sizeof(b64));
	if (r == RN_OK && !editor && o->pow)
		r = rn_buf_puts(b, " PoWDefensesEnabled=1");
	for (i = 0; r == RN_OK && editor && i < t->conf->editor_client_auth.n; i++) {
		uint8_t key[32];
		char	k32[rn_base32_len(32u) + 1];

		if ((r = rn_tor_client_auth_parse(t->conf->editor_client_auth.v[i], key)) != RN_OK)
			break;
		rn_base32_encode(key, sizeof(key), k32);
		r = rn_buf_printf(b, " ClientAuthV3=%s", k32);
	}
	return r;
}

static void
on_add_onion(struct rn_tor *t, const struct rn_torctl_reply *r, struct rn_tor_onion *o)
{
	char   id[RN_ONION_ADDR_LEN + 8];
	size_t i;

	for (i = 0; i < r->nlines; i++)
		if (rn_torctl_arg(r->lines[i].text, "ServiceID", id, sizeof(id)) == RN_OK)
			break;
	if (i == r->nlines || strlen(id) != RN_ONION_ADDR_LEN ||
	    strncmp(id, o->key.addr, RN_ONION_ADDR_LEN) != 0) {
		rn_log_err("tor: ADD_ONION answered another address than the key's; check "
			   "%s/" RN_ONION_DIR "/%s",
		    t->conf->data_directory, o->name);
		return;
	}
	o->added = true;
	rn_log_notice("tor: %s onion http://%s/%s", o->name, o->key.addr,
	    o->pow ? " (proof-of-work defense on)" : "");
}

static void
on_getinfo(struct rn_tor *t, const struct rn_torctl_reply *r)
{
	char   v[sizeof(t->socks)];
	size_t i;

	for (i = 0; i < r->nlines; i++) {
		const char *s = r->lines[i].text;

		if (strncmp(s, "status/bootstrap-phase=", 23) == 0)
			rn_tor_note_bootstrap(t, s + 23);
		else if (strncmp(s, "net/listeners/socks=", 20) == 0 &&
			 rn_torctl_arg(s, "net/listeners/socks", v, sizeof(v)) == RN_OK)
			snprintf(t->socks, sizeof(t->socks), "%s", v);
	}
}

static void
on_step(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct rn_tor *t = arg;
	enum step      s = (enum step)t->step;

	if (r == NULL || c != t->ctl)
		return; /* the connection is gone (on_close retries) or was replaced */
	if (r->code != 250) {
		char e[RN_LOG_UNTRUSTED_MAX * 4 + 4];

		rn_log_err("tor: step %d refused: %u %s", (int)s, r->code,
		    rn_escape_untrusted(
			r->lines[0].text, r->lines[0].len, RN_LOG_UNTRUSTED_MAX, e, sizeof(e)));
		rn_tor_retry(t);
		return;
	}
	if (s == STEP_GETINFO)
		on_getinfo(t, r);
	else if (s == STEP_ADD_PUBLIC)
		on_add_onion(t, r, &t->onions[0]);
	else if (s == STEP_ADD_EDITOR)
		on_add_onion(t, r, &t->onions[1]);
	next_step(t, (enum step)(s + 1));
}

static bool
step_wanted(const struct rn_tor *t, enum step s)
{
	switch (s) {
	case STEP_TAKEOWNERSHIP:
	case STEP_RESETCONF: return t->mode == RN_TOR_LAUNCH;
	case STEP_ADD_PUBLIC: return t->mode == RN_TOR_CONTROL;
	case STEP_ADD_EDITOR: return t->mode != RN_TOR_SYSTEM && t->onions[1].active;
	default: return true;
	}
}

static enum rn_err
step_cmd(const struct rn_tor *t, enum step s, struct rn_buf *b)
{
	switch (s) {
	case STEP_TAKEOWNERSHIP: return rn_buf_puts(b, "TAKEOWNERSHIP");
	/* Ownership now rests on this connection, not on our pid. */
	case STEP_RESETCONF: return rn_buf_puts(b, "RESETCONF __OwningControllerProcess");
	case STEP_SETEVENTS: return rn_buf_puts(b, "SETEVENTS STATUS_CLIENT HS_DESC");
	case STEP_GETINFO:
		return rn_buf_puts(b, "GETINFO status/bootstrap-phase net/listeners/socks");
	case STEP_ADD_PUBLIC: return add_onion_cmd(t, &t->onions[0], false, b);
	case STEP_ADD_EDITOR: return add_onion_cmd(t, &t->onions[1], true, b);
	default: return RN_ERR_INVAL;
	}
}

static void
next_step(struct rn_tor *t, enum step s)
{
	struct rn_buf b;
	enum rn_err   r;

	while (s < STEP_DONE && !step_wanted(t, s))
		s = (enum step)(s + 1);
	if (s == STEP_DONE) {
		snprintf(t->state, sizeof(t->state), "ready");
		t->retry_ms = RN_TOR_RETRY_MIN_MS;
		rn_log_info("tor: ready");
		return;
	}
	t->step = (int)s;
	rn_buf_init(&b, RN_TORCTL_MAX_CMD);
	if ((r = step_cmd(t, s, &b)) == RN_OK)
		r = rn_torctl_send(t->ctl, b.data, on_step, t);
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.len);
	rn_buf_free(&b);
	if (r != RN_OK) {
		rn_log_err("tor: cannot send step %d: %s", (int)s, rn_err_str(r));
		rn_tor_retry(t);
	}
}

void
rn_tor_setup(struct rn_tor *t)
{
	next_step(t, STEP_TAKEOWNERSHIP);
}

static void
on_del(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct rn_tor *t = arg;

	if (c != t->ctl)
		return;
	if (r != NULL && r->code == 250)
		rn_log_info("tor: onion removed (DEL_ONION)");
	else
		rn_log_warn("tor: DEL_ONION failed; the onion goes with the control connection");
	if (t->dels > 0 && --t->dels == 0) {
		rn_torctl_free(t->ctl); /* deferred by ctl.c while this callback runs */
		t->ctl = NULL;
	}
}

void
rn_tor_del_onions(struct rn_tor *t)
{
	char   cmd[sizeof("DEL_ONION ") + RN_ONION_ADDR_LEN];
	size_t i;

	t->dels = 0;
	for (i = 0; t->ctl != NULL && i < RN_ARRAY_LEN(t->onions); i++) {
		if (!t->onions[i].added)
			continue;
		snprintf(cmd, sizeof(cmd), "DEL_ONION %.*s", (int)RN_ONION_ADDR_LEN,
		    t->onions[i].key.addr);
		if (rn_torctl_send(t->ctl, cmd, on_del, t) == RN_OK)
			t->dels++;
		t->onions[i].added = false;
	}
	if (t->dels == 0) {
		rn_torctl_free(t->ctl);
		t->ctl = NULL;
	}
}
