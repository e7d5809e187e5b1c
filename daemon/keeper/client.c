/*
 * The collection's editor API in the http child (RN_HTTP_ZONE_EDITOR only):
 *
 *   GET  /editor/v1/collection                    the verified state (JSON)
 *   GET  /editor/v1/collection/bundle?since=SEQ   everything after SEQ (bundles)
 *   POST /editor/v1/collection/bundle             upload one bundle
 *   GET  /editor/v1/collection/pending            commits waiting for signatures
 *   GET  /editor/v1/collection/pending/HEX        one of them, as a bundle
 *   POST /editor/v1/collection/pending/HEX/sign   more signatures for it
 *
 * Each request is signed like /editor/v1/inbox (rn_editor_auth_verify over
 * method, target, body hash, time, nonce).  The body is hashed and spooled
 * to an anonymous file as it arrives; once the signature holds, the
 * operation and the file go to the keeper (RN_IPC_KEEPER_REQ), which parses
 * and verifies everything and answers (RN_IPC_KEEPER_REP); we relay it.
 * Nothing here trusts the bundle: this process only moves bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inbox/dropbox.h"
#include "keeper/client_int.h"
#include "roneo/rn_coll.h"
#include "roneo/rn_conf.h"
#include "roneo/rn_log.h"

#define JSON   "application/json"
#define BUNDLE "application/octet-stream"
#define PREFIX "/editor/v1/collection"

static void
json_error(struct rn_http_exchange *ex, int status, const char *why)
{
	char buf[256];
	int  n = snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}\n", why);

	rn_http_respond_bytes(ex, status, JSON, buf, (size_t)n);
}

static void
kreq_free(struct kreq *r)
{
	if (r == NULL)
		return;
	rn_sha256_free(r->h);
	if (r->fd != -1)
		close(r->fd);
	free(r);
}

/* A fresh anonymous file in the upload directory for a body. */
static int
spool_file(const struct rn_keeper_client *kc)
{
	uint8_t rnd[16];
	char	name[33];
	int	fd;

	if (kc->upload_fd == -1 || rn_crypto_random(rnd, sizeof(rnd)) != RN_OK)
		return -1;
	rn_hex_encode(rnd, sizeof(rnd), name);
	fd = openat(kc->upload_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd != -1)
		(void)unlinkat(kc->upload_fd, name, 0);
	return fd;
}

/* "HEX" or "HEX/sign" after /pending/: the operation and its argument. */
static bool
parse_pending(const struct rn_http_req *req, const char *p, size_t n, struct kreq *r)
{
	if (n < RN_COLL_HEX_LEN || (n != RN_COLL_HEX_LEN && n != RN_COLL_HEX_LEN + 5))
		return false;
	memcpy(r->arg, p, RN_COLL_HEX_LEN);
	r->arg[RN_COLL_HEX_LEN] = '\0';
	if (n == RN_COLL_HEX_LEN) {
		r->op = RN_KEEPER_OP_PENDING_GET;
		return req->method != RN_HTTP_POST;
	}
	r->op = RN_KEEPER_OP_PENDING_SIGN;
	r->max = RN_COLL_MAX_STATEMENT;
	return memcmp(p + RN_COLL_HEX_LEN, "/sign", 5) == 0 && req->method == RN_HTTP_POST;
}

/* ?since=SEQ, nothing else. */
static bool
parse_since(const struct rn_http_req *req, struct kreq *r)
{
	uint64_t s;

	if (req->query == NULL || req->query_len < 7 || req->query_len > 6 + 20 ||
	    memcmp(req->query, "since=", 6) != 0 ||
	    rn_parse_u64(req->query + 6, req->query_len - 6, UINT64_MAX, &s) != RN_OK)
		return false;
	snprintf(r->arg, sizeof(r->arg), "%llu", (unsigned long long)s);
	return true;
}

static bool
parse_target(const struct rn_http_req *req, struct kreq *r)
{
	const char *p = req->path + strlen(PREFIX);
	size_t	    n = req->path_len - strlen(PREFIX);
	bool	    get = req->method != RN_HTTP_POST;

	if (n == 0) {
		r->op = RN_KEEPER_OP_STATE;
		return get && req->query == NULL;
	}
	if (n == 7 && memcmp(p, "/bundle", 7) == 0) {
		r->op = get ? RN_KEEPER_OP_EXPORT : RN_KEEPER_OP_POST;
		r->max = RN_COLL_MAX_BUNDLE;
		return get ? parse_since(req, r) : req->query == NULL;
	}
	if (req->query != NULL || n < 8 || memcmp(p, "/pending", 8) != 0)
		return false;
	if (n == 8) {
		r->op = RN_KEEPER_OP_PENDING;
		return get;
	}
	return p[8] == '/' && parse_pending(req, p + 9, n - 9, r);
}

static void
on_request(struct rn_http_exchange *ex, void *arg)
{
	const struct rn_http_req *req = rn_http_exchange_req(ex);
	struct rn_keeper_client	 *kc = arg;
	struct kreq		 *r;

	if ((r = calloc(1, sizeof(*r))) == NULL || (r->h = rn_sha256_new()) == NULL) {
		free(r);
		json_error(ex, 503, "out of memory");
		return;
	}
	r->kc = kc;
	r->fd = -1;
	if ((req->path_len != strlen(PREFIX) && req->path[strlen(PREFIX)] != '/') ||
	    !parse_target(req, r)) {
		kreq_free(r);
		json_error(ex, 404, "no such resource");
		return;
	}
	if (req->method == RN_HTTP_POST && (r->fd = spool_file(kc)) == -1) {
		kreq_free(r);
		json_error(ex, 503, "the upload cannot be stored");
		return;
	}
	r->ex = ex;
	rn_http_exchange_set_data(ex, r);
}

static enum rn_err
on_body(struct rn_http_exchange *ex, const void *p, size_t n, void *arg)
{
	struct kreq *r = rn_http_exchange_data(ex);
	size_t	     off = 0;
	ssize_t	     w;

	(void)arg;
	if (r == NULL)
		return RN_OK;
	if (r->fd == -1 || r->body + n > r->max)
		return r->fd == -1 ? RN_ERR_INVAL : RN_ERR_TOOBIG;
	if (rn_sha256_update(r->h, p, n) != RN_OK)
		return RN_ERR_NOMEM;
	while (off < n) {
		if ((w = write(r->fd, (const char *)p + off, n - off)) <= 0)
			return errno == ENOSPC ? RN_ERR_NOSPACE : RN_ERR_IO;
		off += (size_t)w;
	}
	r->body += n;
	return RN_OK;
}

/* Hand r to the keeper: u32 id, u8 op, argument; the body's file. */
static enum rn_err
send_request(struct rn_keeper_client *kc, struct kreq *r)
{
	uint8_t buf[5 + KC_ARG_MAX];
	size_t	alen = strlen(r->arg);

	if (kc->link == NULL || kc->ninflight >= RN_KEEPER_MAX_INFLIGHT)
		return RN_ERR_BUSY;
	r->id = ++kc->next_id;
	buf[0] = (uint8_t)(r->id >> 24);
	buf[1] = (uint8_t)(r->id >> 16);
	buf[2] = (uint8_t)(r->id >> 8);
	buf[3] = (uint8_t)r->id;
	buf[4] = (uint8_t)r->op;
	memcpy(buf + 5, r->arg, alen);
	if (rn_ipc_send(kc->link, RN_IPC_KEEPER_REQ, buf, 5 + alen, r->fd) != RN_OK)
		return RN_ERR_IO;
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
	r->waiting = true;
	TAILQ_INSERT_TAIL(&kc->inflight, r, entry);
	kc->ninflight++;
	return RN_OK;
}

static void
on_body_end(struct rn_http_exchange *ex, void *arg)
{
	struct kreq *r = rn_http_exchange_data(ex);

	(void)arg;
	if (r == NULL)
		return;
	if (!rn_dropbox_editor_authorized(r->kc->auth, ex, r->h)) {
		rn_http_exchange_set_data(ex, NULL);
		kreq_free(r);
		return;
	}
	if (send_request(r->kc, r) != RN_OK) {
		rn_http_exchange_set_data(ex, NULL);
		kreq_free(r);
		json_error(ex, 503, "the collection keeper is not available");
	}
}

static void
on_abort(struct rn_http_exchange *ex, void *arg)
{
	struct kreq *r = rn_http_exchange_data(ex);

	(void)arg;
	rn_http_exchange_set_data(ex, NULL);
	if (r == NULL)
		return;
	if (r->waiting)
		r->ex = NULL; /* the keeper's answer is dropped when it comes */
	else
		kreq_free(r);
}

static void
done(struct rn_keeper_client *kc, struct kreq *r)
{
	TAILQ_REMOVE(&kc->inflight, r, entry);
	kc->ninflight--;
	if (r->ex != NULL)
		rn_http_exchange_set_data(r->ex, NULL);
	kreq_free(r);
}

/* Every request in flight: 503 (the keeper went away). */
static void
fail_inflight(struct rn_keeper_client *kc)
{
	struct kreq *r;

	while ((r = TAILQ_FIRST(&kc->inflight)) != NULL) {
		struct rn_http_exchange *ex = r->ex;

		done(kc, r);
		if (ex != NULL)
			json_error(ex, 503, "the collection keeper went away");
	}
}

/* Answer: u32 id, u16 status, JSON; or a body file with the frame. */
static void
on_link_msg(struct rn_ipc *link, struct rn_ipc_msg *msg, void *arg)
{
	struct rn_keeper_client *kc = arg;
	struct rn_http_exchange *ex;
	struct kreq		*r;
	struct stat		 st;
	uint32_t		 id;
	int			 status;

	(void)link;
	if (msg->type != RN_IPC_KEEPER_REP || msg->len < 6)
		return;
	id = (uint32_t)msg->payload[0] << 24 | (uint32_t)msg->payload[1] << 16 |
	     (uint32_t)msg->payload[2] << 8 | msg->payload[3];
	status = msg->payload[4] << 8 | msg->payload[5];
	for (r = TAILQ_FIRST(&kc->inflight); r != NULL && r->id != id; r = TAILQ_NEXT(r, entry))
		;
	if (r == NULL)
		return;
	ex = r->ex;
	done(kc, r);
	if (ex == NULL)
		return;
	if (status < 200 || status > 599)
		status = 500;
	if (msg->fd != -1 && fstat(msg->fd, &st) == 0) {
		rn_http_respond_fd(ex, status, BUNDLE, msg->fd, (uint64_t)st.st_size);
		msg->fd = -1;
	} else {
		rn_http_respond_bytes(ex, status, JSON, msg->payload + 6, msg->len - 6);
	}
}

static void
on_link_close(struct rn_ipc *link, enum rn_err why, void *arg)
{
	struct rn_keeper_client *kc = arg;

	(void)why;
	if (kc->link == link) {
		kc->link = NULL;
		fail_inflight(kc);
	}
	rn_ipc_free(link);
}

void
rn_keeper_client_link(struct rn_keeper_client *kc, int fd)
{
	struct rn_ipc *link;

	if ((link = rn_ipc_new(kc->base, fd, on_link_msg, on_link_close, kc)) == NULL) {
		close(fd);
		return;
	}
	/* A new keeper: what the old one had in hand will never be answered. */
	if (kc->link != NULL) {
		rn_ipc_free(kc->link);
		fail_inflight(kc);
	}
	kc->link = link;
}

enum rn_err
rn_keeper_client_configure(struct rn_keeper_client *kc, const struct rn_conf *conf)
{
	struct rn_editor_key   keys[RN_CONF_MAX_LIST];
	struct rn_editor_auth *auth = NULL;
	enum rn_err	       err;
	size_t		       i;

	memset(keys, 0, sizeof(keys));
	for (i = 0; i < conf->editors.n; i++)
		if ((err = rn_editor_key_parse(
			 conf->editors.v[i], strlen(conf->editors.v[i]), &keys[i])) != RN_OK)
			return err;
	if (conf->editors.n > 0 &&
	    (err = rn_editor_auth_new(keys, conf->editors.n, &auth)) != RN_OK)
		return err;
	rn_editor_auth_free(kc->auth);
	kc->auth = auth;
	return RN_OK;
}

static enum rn_err
add_routes(struct rn_keeper_client *kc, struct rn_http_server *srv)
{
	const struct rn_http_route r = {
		.path = PREFIX,
		.methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD) | RN_HTTP_M(POST),
		.max_body = RN_COLL_MAX_BUNDLE,
		.on_request = on_request,
		.on_body = on_body,
		.on_body_end = on_body_end,
		.on_abort = on_abort,
		.arg = kc,
		.zones = RN_HTTP_ZONE_EDITOR,
	};
	struct rn_http_route sub = r;
	enum rn_err	     err;

	sub.path = PREFIX "/";
	if ((err = rn_http_server_add_route(srv, &r)) != RN_OK ||
	    (err = rn_http_server_add_route(srv, &sub)) != RN_OK)
		return err;
	return keeper_search_routes(kc, srv);
}

enum rn_err
rn_keeper_client_new(struct event_base *base, const struct rn_conf *conf,
    struct rn_http_server *srv, struct rn_keeper_client **out)
{
	struct rn_keeper_client *kc;
	char			 path[4096];
	enum rn_err		 err;
	int			 n;

	*out = NULL;
	if ((kc = calloc(1, sizeof(*kc))) == NULL)
		return RN_ERR_NOMEM;
	kc->base = base;
	kc->upload_fd = -1;
	TAILQ_INIT(&kc->inflight);
	n = snprintf(path, sizeof(path), "%s/upload", conf->data_directory);
	if (n < 0 || (size_t)n >= sizeof(path) || (mkdir(path, 0700) == -1 && errno != EEXIST) ||
	    (kc->upload_fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		rn_log_errno(RN_LOG_ERR, "keeper link: %s", path);
		err = RN_ERR_IO;
		goto fail;
	}
	if (asprintf(&kc->search_path, "%s/site/search.db", conf->data_directory) == -1) {
		kc->search_path = NULL;
		err = RN_ERR_NOMEM;
		goto fail;
	}
	/* Opened here, before the sandbox: SQLite resolves paths with calls it does not allow. */
	n = snprintf(path, sizeof(path), "%s/site", conf->data_directory);
	if (n > 0 && (size_t)n < sizeof(path) && (mkdir(path, 0700) == 0 || errno == EEXIST) &&
	    rn_site_search_open(kc->search_path, &kc->search) != RN_OK)
		rn_log_warn("the search index cannot be opened: /search answers 503");
	if ((err = rn_keeper_client_configure(kc, conf)) != RN_OK ||
	    (err = add_routes(kc, srv)) != RN_OK)
		goto fail;
	*out = kc;
	return RN_OK;
fail:
	rn_keeper_client_free(kc);
	return err;
}

void
rn_keeper_client_free(struct rn_keeper_client *kc)
{
	struct kreq *r;

	if (kc == NULL)
		return;
	while ((r = TAILQ_FIRST(&kc->inflight)) != NULL)
		done(kc, r);
	rn_ipc_free(kc->link);
	rn_editor_auth_free(kc->auth);
	rn_site_search_close(kc->search);
	if (kc->upload_fd != -1)
		close(kc->upload_fd);
	free(kc->search_path);
	free(kc);
}
