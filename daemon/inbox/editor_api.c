/*
 * The editor API, on the editor listeners only (RN_HTTP_ZONE_EDITOR):
 *
 *   GET  /editor/v1/inbox              list (JSON)
 *   GET  /editor/v1/inbox/ID           the sealed file
 *   POST /editor/v1/inbox/ID/delete    forget it (record, then file)
 *   POST /editor/v1/inbox/ID/reply     store a reply sealed by the editor
 *
 * Every request is signed by an editor (rn_editor_auth_verify: key, time
 * window, nonce, Ed25519 over method, target, body hash, time and nonce).
 * The server never sees a reply's plaintext: the CLI seals it to the
 * source's reply key and to the editors.  Formats: docs/editor-guide.md.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inbox/dropbox.h"
#include "roneo/rn_log.h"

#define JSON	   "application/json"
#define PREFIX	   "/editor/v1/inbox"
#define AGE_SUFFIX ".age"

enum op { OP_LIST, OP_FETCH, OP_DELETE, OP_REPLY };

struct ed_req {
	struct rn_dropbox *d;
	struct rn_sha256  *h;
	struct rn_buf	   body; /* a reply */
	enum op		   op;
	char		   id[RN_STORE_ID_LEN + 1];
};

static void
json_error(struct rn_http_exchange *ex, int status, const char *why)
{
	char buf[256];
	int  n = snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}\n", why);

	rn_http_respond_bytes(ex, status, JSON, buf, (size_t)n);
}

static void
ed_free(struct ed_req *r)
{
	if (r == NULL)
		return;
	rn_sha256_free(r->h);
	rn_buf_free(&r->body);
	free(r);
}

/* The operation a method and path name; false if none. */
static bool
parse_target(const struct rn_http_req *req, struct ed_req *r)
{
	const char *p = req->path + strlen(PREFIX);
	size_t	    n = req->path_len - strlen(PREFIX);

	if (n == 0) {
		r->op = OP_LIST;
		return req->method != RN_HTTP_POST;
	}
	if (n < 1 + RN_STORE_ID_LEN || p[0] != '/')
		return false;
	memcpy(r->id, p + 1, RN_STORE_ID_LEN);
	r->id[RN_STORE_ID_LEN] = '\0';
	if (!rn_inbox_id_is_valid(r->id))
		return false;
	p += 1 + RN_STORE_ID_LEN;
	n -= 1 + RN_STORE_ID_LEN;
	if (n == 0) {
		r->op = OP_FETCH;
		return req->method != RN_HTTP_POST;
	}
	if (req->method != RN_HTTP_POST)
		return false;
	if (n == 7 && memcmp(p, "/delete", 7) == 0)
		r->op = OP_DELETE;
	else if (n == 6 && memcmp(p, "/reply", 6) == 0)
		r->op = OP_REPLY;
	else
		return false;
	return true;
}

static void
on_request(struct rn_http_exchange *ex, void *arg)
{
	const struct rn_http_req *req = rn_http_exchange_req(ex);
	struct ed_req		 *r;

	if ((r = calloc(1, sizeof(*r))) == NULL || (r->h = rn_sha256_new()) == NULL) {
		ed_free(r);
		json_error(ex, 503, "out of memory");
		return;
	}
	r->d = arg;
	rn_buf_init(&r->body, RN_INBOX_MAX_REPLY);
	if ((req->path_len != strlen(PREFIX) &&
		(req->path_len < strlen(PREFIX) + 1 || req->path[strlen(PREFIX)] != '/')) ||
	    !parse_target(req, r)) {
		ed_free(r);
		json_error(ex, 404, "no such resource");
		return;
	}
	rn_http_exchange_set_data(ex, r);
}

static enum rn_err
on_body(struct rn_http_exchange *ex, const void *p, size_t n, void *arg)
{
	struct ed_req *r = rn_http_exchange_data(ex);

	(void)arg;
	if (r == NULL)
		return RN_OK;
	if (rn_sha256_update(r->h, p, n) != RN_OK)
		return RN_ERR_NOMEM;
	return r->op == OP_REPLY ? rn_buf_append(&r->body, p, n) : RN_ERR_INVAL;
}

/*
 * The Authorization header against the configured editors, for every editor
 * route (the inbox here, the collection in daemon/keeper/client.c).  h holds
 * the body's hash so far and is finalised; on refusal the JSON error is sent.
 */
bool
rn_dropbox_editor_authorized(
    struct rn_editor_auth *a, struct rn_http_exchange *ex, struct rn_sha256 *h)
{
	const struct rn_http_req    *req = rn_http_exchange_req(ex);
	const struct rn_http_header *auth = rn_http_req_header(req, "Authorization");
	static const char	    *methods[] = { "", "GET", "HEAD", "POST" };
	uint8_t			     hash[RN_SHA256_LEN];
	char			     target[RN_HTTP_MAX_PATH + 4096 + 2];
	int			     n;
	enum rn_err		     err;

	if (a == NULL) {
		json_error(ex, 403, "no editors are configured");
		return false;
	}
	n = snprintf(target, sizeof(target), "%.*s%s%.*s", (int)req->path_len, req->path,
	    req->query != NULL ? "?" : "", req->query != NULL ? (int)req->query_len : 0,
	    req->query != NULL ? req->query : "");
	if (auth == NULL || n < 0 || (size_t)n >= sizeof(target) ||
	    rn_sha256_final(h, hash) != RN_OK) {
		json_error(ex, 401, "a signed Authorization header is required");
		return false;
	}
	err = rn_editor_auth_verify(a, methods[req->method], target, (size_t)n, hash, auth->value,
	    auth->value_len, (uint64_t)time(NULL), NULL);
	if (err == RN_ERR_BUSY) {
		json_error(ex, 503, "too many requests in the replay window");
		return false;
	}
	if (err != RN_OK) {
		json_error(ex, err == RN_ERR_INVAL ? 401 : 403, "the request signature is refused");
		return false;
	}
	return true;
}

struct listing {
	struct rn_buf out;
	size_t	      n;
	bool	      ok;
};

static bool
list_one(const struct rn_inbox_record *rec, void *arg)
{
	struct listing	       *l = arg;
	struct rn_age_recipient rcpt;
	char			mailbox[2 * RN_STORE_MAILBOX_LEN + 1], to[RN_AGE_RECIPIENT_BUFSZ];

	memcpy(rcpt.key, rec->reply_key, sizeof(rcpt.key));
	rn_hex_encode(rec->mailbox, RN_STORE_MAILBOX_LEN, mailbox);
	if (rn_age_recipient_format(&rcpt, to, sizeof(to)) != RN_OK ||
	    rn_buf_printf(&l->out,
		"%s{\"id\":\"%s\",\"day\":\"%s\",\"size\":%llu,\"mailbox\":\"%s\","
		"\"reply_to\":\"%s\"}",
		l->n > 0 ? "," : "", rec->id, rec->day, (unsigned long long)rec->bucket, mailbox,
		to) != RN_OK) {
		l->ok = false;
		return false;
	}
	l->n++;
	return l->n < RN_INBOX_MAX_LIST;
}

static void
do_list(struct rn_http_exchange *ex, struct rn_dropbox *d)
{
	struct listing l = { .ok = true };
	char	       to[RN_AGE_RECIPIENT_BUFSZ];
	size_t	       i;

	rn_buf_init(&l.out, (size_t)RN_INBOX_MAX_LIST * 256u);
	(void)rn_buf_puts(&l.out, "{\"submissions\":[");
	if (rn_inbox_db_list(d->db, list_one, &l) != RN_OK || !l.ok) {
		rn_buf_free(&l.out);
		json_error(ex, 500, "the inbox cannot be read");
		return;
	}
	(void)rn_buf_puts(&l.out, "],\"recipients\":[");
	for (i = 0; i < d->nrcpts; i++)
		if (rn_age_recipient_format(&d->rcpts[i], to, sizeof(to)) == RN_OK)
			(void)rn_buf_printf(&l.out, "%s\"%s\"", i > 0 ? "," : "", to);
	if (rn_buf_puts(&l.out, "]}\n") != RN_OK) {
		rn_buf_free(&l.out);
		json_error(ex, 500, "the listing is too large");
		return;
	}
	rn_http_respond_bytes(ex, 200, JSON, l.out.data, l.out.len);
	rn_buf_free(&l.out);
}

static void
do_fetch(struct rn_http_exchange *ex, struct rn_dropbox *d, const char *id)
{
	char	    name[RN_STORE_ID_LEN + sizeof(AGE_SUFFIX)];
	struct stat st;
	bool	    found = false;
	int	    fd;

	snprintf(name, sizeof(name), "%s%s", id, AGE_SUFFIX);
	if (rn_inbox_db_has(d->db, id, &found) != RN_OK || !found ||
	    (fd = openat(d->inbox_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		json_error(ex, 404, "no such submission");
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		json_error(ex, 500, "the submission cannot be read");
		return;
	}
	rn_http_respond_fd(ex, 200, "application/octet-stream", fd, (uint64_t)st.st_size);
}

static void
do_delete(struct rn_http_exchange *ex, struct rn_dropbox *d, const char *id)
{
	char	    buf[96];
	enum rn_err err = rn_inbox_db_delete(d->db, id);

	if (err == RN_ERR_NOTFOUND) {
		json_error(ex, 404, "no such submission");
		return;
	}
	if (err != RN_OK) {
		json_error(ex, 500, "the submission cannot be deleted");
		return;
	}
	rn_dropbox_remove_file(d->inbox_fd, id);
	(void)rn_inbox_db_bytes(d->db, &d->stored_bytes);
	snprintf(buf, sizeof(buf), "{\"deleted\":\"%s\"}\n", id);
	rn_http_respond_bytes(ex, 200, JSON, buf, strlen(buf));
}

/* Write the sealed reply into the spool durably, then move it into replies/ and record it. */
static enum rn_err
store_reply(struct rn_dropbox *d, const uint8_t *mailbox, const struct rn_buf *body, char *id)
{
	char	    day[RN_STORE_DAY_LEN + 1];
	size_t	    off = 0;
	ssize_t	    w;
	enum rn_err err;
	int	    fd;

	if ((err = rn_dropbox_new_id(id)) != RN_OK ||
	    (err = rn_dropbox_reserve(d, body->len)) != RN_OK)
		return err;
	fd = openat(d->spool_fd, id, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = fd == -1 ? RN_ERR_IO : RN_OK;
	while (err == RN_OK && off < body->len) {
		if ((w = write(fd, body->data + off, body->len - off)) <= 0)
			err = RN_ERR_IO;
		else
			off += (size_t)w;
	}
	if (err == RN_OK)
		err = rn_dropbox_commit_file(d, fd, id, d->replies_fd, id);
	if (fd != -1)
		close(fd);
	rn_dropbox_release(d, body->len);
	if (err != RN_OK) {
		(void)unlinkat(d->spool_fd, id, 0);
		return err;
	}
	rn_dropbox_day(0, day);
	if ((err = rn_inbox_db_reply_add(d->db, id, mailbox, day, body->len)) != RN_OK) {
		rn_dropbox_remove_file(d->replies_fd, id);
		return err;
	}
	d->stored_bytes += body->len;
	return RN_OK;
}

static void
do_reply(struct rn_http_exchange *ex, struct rn_dropbox *d, struct ed_req *r)
{
	struct rn_inbox_record rec;
	struct rn_age_header  *h = NULL;
	enum rn_age_status     st;
	size_t		       used;
	char		       id[RN_STORE_ID_LEN + 1], buf[96];
	enum rn_err	       err;

	if (rn_inbox_db_get(d->db, r->id, &rec) != RN_OK) {
		json_error(ex, 404, "no such submission");
		return;
	}
	/* Only a well-formed age file: the source's page opens it with the reply key. */
	if (rn_age_header_parse(r->body.data, r->body.len, &h, &used, &st) != RN_OK) {
		json_error(ex, 400, "the reply is not an age file");
		return;
	}
	rn_age_header_free(h);
	if ((err = store_reply(d, rec.mailbox, &r->body, id)) != RN_OK) {
		json_error(ex, rn_err_http_status(err), "the reply cannot be stored");
		return;
	}
	snprintf(buf, sizeof(buf), "{\"reply\":\"%s\"}\n", id);
	rn_http_respond_bytes(ex, 201, JSON, buf, strlen(buf));
}

static void
on_body_end(struct rn_http_exchange *ex, void *arg)
{
	struct ed_req *r = rn_http_exchange_data(ex);

	(void)arg;
	if (r == NULL)
		return;
	rn_http_exchange_set_data(ex, NULL);
	if (rn_dropbox_editor_authorized(r->d->auth, ex, r->h)) {
		switch (r->op) {
		case OP_LIST: do_list(ex, r->d); break;
		case OP_FETCH: do_fetch(ex, r->d, r->id); break;
		case OP_DELETE: do_delete(ex, r->d, r->id); break;
		case OP_REPLY: do_reply(ex, r->d, r); break;
		}
	}
	ed_free(r);
}

static void
on_abort(struct rn_http_exchange *ex, void *arg)
{
	(void)arg;
	ed_free(rn_http_exchange_data(ex));
	rn_http_exchange_set_data(ex, NULL);
}

enum rn_err
rn_dropbox_editor_routes(struct rn_dropbox *d, struct rn_http_server *srv)
{
	const struct rn_http_route r = {
		.path = PREFIX,
		.methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD) | RN_HTTP_M(POST),
		.max_body = RN_INBOX_MAX_REPLY,
		.on_request = on_request,
		.on_body = on_body,
		.on_body_end = on_body_end,
		.on_abort = on_abort,
		.arg = d,
		.zones = RN_HTTP_ZONE_EDITOR,
	};
	struct rn_http_route sub = r;
	enum rn_err	     err;

	sub.path = PREFIX "/";
	if ((err = rn_http_server_add_route(srv, &r)) != RN_OK)
		return err;
	return rn_http_server_add_route(srv, &sub);
}
