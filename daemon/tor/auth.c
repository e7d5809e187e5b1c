/*
 * Authentication on the control port: PROTOCOLINFO 1, then SAFECOOKIE when
 * tor offers it (we prove knowledge of the cookie only after tor proved its
 * own, so a fake control port learns nothing), else COOKIE (the cookie itself
 * is sent: used only when SAFECOOKIE is not offered), else NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"

#define PATH_MAX_LEN 4096

static const char server_key[] = "Tor safe cookie authentication server-to-controller hash";
static const char client_key[] = "Tor safe cookie authentication controller-to-server hash";

struct auth {
	rn_torctl_done_cb done;
	void		 *arg;
	uint8_t		  cookie[RN_TOR_COOKIE_LEN];
	uint8_t		  cnonce[RN_TOR_NONCE_LEN];
};

enum rn_err
rn_torctl_safecookie(const uint8_t cookie[RN_TOR_COOKIE_LEN],
    const uint8_t cnonce[RN_TOR_NONCE_LEN], const uint8_t snonce[RN_TOR_NONCE_LEN], bool server,
    uint8_t out[32])
{
	uint8_t	    msg[RN_TOR_COOKIE_LEN + 2 * RN_TOR_NONCE_LEN];
	const char *key = server ? server_key : client_key;
	enum rn_err r;

	memcpy(msg, cookie, RN_TOR_COOKIE_LEN);
	memcpy(msg + RN_TOR_COOKIE_LEN, cnonce, RN_TOR_NONCE_LEN);
	memcpy(msg + RN_TOR_COOKIE_LEN + RN_TOR_NONCE_LEN, snonce, RN_TOR_NONCE_LEN);
	r = rn_hmac_sha256(key, strlen(key), msg, sizeof(msg), out);
	rn_crypto_wipe(msg, sizeof(msg));
	return r;
}

static void
finish(struct rn_torctl *c, struct auth *a, enum rn_err err)
{
	rn_torctl_done_cb done = a->done;
	void		 *arg = a->arg;

	rn_crypto_wipe(a, sizeof(*a));
	free(a);
	done(c, err, arg);
}

static void
on_authenticate(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct auth *a = arg;

	if (r == NULL)
		finish(c, a, RN_ERR_IO);
	else if (r->code != 250)
		finish(c, a, RN_ERR_PERM);
	else
		finish(c, a, RN_OK);
}

static void
send_authenticate(struct rn_torctl *c, struct auth *a, const uint8_t *secret, size_t n)
{
	char	    cmd[sizeof("AUTHENTICATE ") + 2 * 32];
	char	    hex[2 * 32 + 1];
	enum rn_err r;

	if (n > 0) {
		rn_hex_encode(secret, n, hex);
		snprintf(cmd, sizeof(cmd), "AUTHENTICATE %s", hex);
	} else {
		snprintf(cmd, sizeof(cmd), "AUTHENTICATE");
		hex[0] = '\0';
	}
	r = rn_torctl_send(c, cmd, on_authenticate, a);
	rn_crypto_wipe(cmd, sizeof(cmd));
	rn_crypto_wipe(hex, sizeof(hex));
	if (r != RN_OK)
		finish(c, a, r);
}

static enum rn_err
check_challenge(struct auth *a, const char *text, uint8_t clienthash[32])
{
	char	    hex[2 * 32 + 1];
	uint8_t	    shash[32], snonce[RN_TOR_NONCE_LEN], want[32];
	enum rn_err r = RN_ERR_PROTO;

	if (strncmp(text, "AUTHCHALLENGE ", 14) != 0)
		return RN_ERR_PROTO;
	if (rn_torctl_arg(text, "SERVERHASH", hex, sizeof(hex)) != RN_OK ||
	    rn_hex_decode(hex, strlen(hex), shash, sizeof(shash)) != RN_OK)
		return RN_ERR_PROTO;
	if (rn_torctl_arg(text, "SERVERNONCE", hex, sizeof(hex)) != RN_OK ||
	    rn_hex_decode(hex, strlen(hex), snonce, sizeof(snonce)) != RN_OK)
		return RN_ERR_PROTO;
	if (rn_torctl_safecookie(a->cookie, a->cnonce, snonce, true, want) != RN_OK)
		return RN_ERR_CRYPTO;
	if (!rn_crypto_memeq(want, shash, sizeof(want)))
		r = RN_ERR_CRYPTO; /* this "tor" does not know the cookie */
	else
		r = rn_torctl_safecookie(a->cookie, a->cnonce, snonce, false, clienthash);
	rn_crypto_wipe(want, sizeof(want));
	return r;
}

static void
on_challenge(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct auth *a = arg;
	uint8_t	     clienthash[32];
	enum rn_err  err;

	if (r == NULL || r->code != 250 || r->nlines != 1) {
		finish(c, a, r == NULL ? RN_ERR_IO : RN_ERR_PERM);
		return;
	}
	if ((err = check_challenge(a, r->lines[0].text, clienthash)) != RN_OK) {
		if (err == RN_ERR_CRYPTO)
			rn_log_err("tor control: the server's SAFECOOKIE hash is wrong; "
				   "this is not the tor that wrote the cookie");
		finish(c, a, err);
		return;
	}
	send_authenticate(c, a, clienthash, sizeof(clienthash));
	rn_crypto_wipe(clienthash, sizeof(clienthash));
}

static enum rn_err
read_cookie(const char *path, uint8_t cookie[RN_TOR_COOKIE_LEN])
{
	struct rn_buf b;
	enum rn_err   r;

	rn_buf_init(&b, RN_TOR_COOKIE_LEN);
	r = rn_file_read_all(path, RN_TOR_COOKIE_LEN, &b);
	if (r == RN_OK && b.len != RN_TOR_COOKIE_LEN)
		r = RN_ERR_INVAL;
	if (r == RN_OK)
		memcpy(cookie, b.data, RN_TOR_COOKIE_LEN);
	else
		rn_log_err("tor control: cannot read the cookie file %s: %s", path, rn_err_str(r));
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.len);
	rn_buf_free(&b);
	return r == RN_OK ? RN_OK : RN_ERR_IO;
}

/* Whether the comma-separated list has the word w. */
static bool
has_method(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = list; s != NULL;
	     s = strchr(s, ',') != NULL ? strchr(s, ',') + 1 : NULL)
		if (strncmp(s, w, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return true;
	return false;
}

static void
start_method(struct rn_torctl *c, struct auth *a, const char *methods, const char *path)
{
	char	    cmd[sizeof("AUTHCHALLENGE SAFECOOKIE ") + 2 * RN_TOR_NONCE_LEN];
	char	    hex[2 * RN_TOR_NONCE_LEN + 1];
	enum rn_err r;

	if ((has_method(methods, "SAFECOOKIE") || has_method(methods, "COOKIE")) &&
	    path[0] != '\0') {
		if ((r = read_cookie(path, a->cookie)) != RN_OK) {
			finish(c, a, r);
			return;
		}
		if (!has_method(methods, "SAFECOOKIE")) {
			rn_log_warn("tor control: SAFECOOKIE is not offered; sending the cookie");
			send_authenticate(c, a, a->cookie, sizeof(a->cookie));
			return;
		}
		if ((r = rn_crypto_random(a->cnonce, sizeof(a->cnonce))) != RN_OK) {
			finish(c, a, r);
			return;
		}
		rn_hex_encode(a->cnonce, sizeof(a->cnonce), hex);
		snprintf(cmd, sizeof(cmd), "AUTHCHALLENGE SAFECOOKIE %s", hex);
		if ((r = rn_torctl_send(c, cmd, on_challenge, a)) != RN_OK)
			finish(c, a, r);
		return;
	}
	if (has_method(methods, "NULL")) {
		send_authenticate(c, a, NULL, 0);
		return;
	}
	rn_log_err("tor control: no usable authentication method (tor offers %s; roneo uses "
		   "SAFECOOKIE, COOKIE or NULL)",
	    methods);
	finish(c, a, RN_ERR_PERM);
}

static void
on_protocolinfo(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct auth *a = arg;
	char	     methods[128] = "", path[PATH_MAX_LEN] = "";
	bool	     seen = false;
	size_t	     i;

	if (r == NULL || r->code != 250) {
		finish(c, a, r == NULL ? RN_ERR_IO : RN_ERR_PROTO);
		return;
	}
	for (i = 0; i < r->nlines; i++) {
		const char *t = r->lines[i].text;

		if (strncmp(t, "AUTH ", 5) != 0)
			continue;
		if (seen || rn_torctl_arg(t, "METHODS", methods, sizeof(methods)) != RN_OK) {
			finish(c, a, RN_ERR_PROTO);
			return;
		}
		seen = true;
		switch (rn_torctl_arg(t, "COOKIEFILE", path, sizeof(path))) {
		case RN_OK:
		case RN_ERR_NOTFOUND: break;
		default: finish(c, a, RN_ERR_PROTO); return;
		}
	}
	if (!seen) {
		finish(c, a, RN_ERR_PROTO);
		return;
	}
	start_method(c, a, methods, path);
}

enum rn_err
rn_torctl_authenticate(struct rn_torctl *c, rn_torctl_done_cb done, void *arg)
{
	struct auth *a;
	enum rn_err  r;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return RN_ERR_NOMEM;
	a->done = done;
	a->arg = arg;
	if ((r = rn_torctl_send(c, "PROTOCOLINFO 1", on_protocolinfo, a)) != RN_OK)
		free(a);
	return r;
}
