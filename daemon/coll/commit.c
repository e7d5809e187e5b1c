/*
 * Commit and timestamp statements: fixed fields in a fixed order.  A commit
 * binds seq, the previous commit, the ROOT in force, the manifest root and
 * the log's size and root; a timestamp says which head was current when.
 */
#include <string.h>

#include "coll_int.h"
#include "stmt_int.h"

#define COMMIT_MAGIC	"roneo-commit-v1"
#define TIMESTAMP_MAGIC "roneo-timestamp-v1"

static bool
is_zero(const uint8_t id[RN_COLL_ID_LEN])
{
	static const uint8_t zero[RN_COLL_ID_LEN];

	return memcmp(id, zero, RN_COLL_ID_LEN) == 0;
}

enum rn_err
rn_coll_commit_encode(struct rn_coll_commit *c, struct rn_buf *body)
{
	char	    a[RN_COLL_HEX_LEN + 1], b[RN_COLL_HEX_LEN + 1];
	enum rn_err err;

	if (c->seq == 0 || (c->seq == 1) != is_zero(c->prev) || c->root_version == 0)
		return RN_ERR_INVAL;
	body->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(body);
	rn_coll_id_format(c->root, a);
	rn_coll_id_format(c->log_root, b);
	if ((err = rn_buf_puts(body, COMMIT_MAGIC "\n")) != RN_OK ||
	    (err = stmt_put_id(body, "collection", c->collection)) != RN_OK ||
	    (err = rn_buf_printf(body, "seq %llu\n", (unsigned long long)c->seq)) != RN_OK ||
	    (err = stmt_put_id(body, "prev", c->prev)) != RN_OK ||
	    (err = rn_buf_printf(body, "root %llu %s\n", (unsigned long long)c->root_version, a)) !=
		RN_OK ||
	    (err = stmt_put_id(body, "manifest", c->manifest)) != RN_OK ||
	    (err = rn_buf_printf(body, "log %llu %s\n", (unsigned long long)c->log_size, b)) !=
		RN_OK ||
	    (err = rn_buf_printf(body, "time %llu\n", (unsigned long long)c->time)) != RN_OK)
		return err;
	return rn_coll_id(RN_COLL_COMMIT, body->data, body->len, c->id);
}

enum rn_err
rn_coll_commit_parse(
    const uint8_t *p, size_t n, struct rn_coll_commit *c, struct rn_coll_sigs *sigs)
{
	struct stmt_lines l;
	enum rn_err	  err;

	memset(c, 0, sizeof(*c));
	if ((err = rn_coll_stmt_split(p, n, sigs)) != RN_OK)
		return err;
	stmt_lines_init(&l, p, sigs->body_len);
	if (stmt_line(&l, COMMIT_MAGIC, NULL, NULL) != RN_OK ||
	    stmt_id_line(&l, "collection", c->collection) != RN_OK ||
	    stmt_u64_line(&l, "seq", &c->seq) != RN_OK ||
	    stmt_id_line(&l, "prev", c->prev) != RN_OK ||
	    stmt_u64_id_line(&l, "root", &c->root_version, c->root) != RN_OK ||
	    stmt_id_line(&l, "manifest", c->manifest) != RN_OK ||
	    stmt_u64_id_line(&l, "log", &c->log_size, c->log_root) != RN_OK ||
	    stmt_u64_line(&l, "time", &c->time) != RN_OK || !stmt_lines_done(&l))
		return RN_ERR_INVAL;
	if (c->seq == 0 || (c->seq == 1) != is_zero(c->prev) || c->root_version == 0)
		return RN_ERR_INVAL;
	return rn_coll_id(RN_COLL_COMMIT, p, sigs->body_len, c->id);
}

static bool
timestamp_ok(const struct rn_coll_timestamp *t)
{
	return t->seq > 0 && t->expires > t->time &&
	       t->expires - t->time <= RN_COLL_TIMESTAMP_MAX_SECS;
}

enum rn_err
rn_coll_timestamp_encode(struct rn_coll_timestamp *t, struct rn_buf *body)
{
	enum rn_err err;

	if (!timestamp_ok(t))
		return RN_ERR_INVAL;
	body->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(body);
	if ((err = rn_buf_puts(body, TIMESTAMP_MAGIC "\n")) != RN_OK ||
	    (err = stmt_put_id(body, "collection", t->collection)) != RN_OK ||
	    (err = rn_buf_printf(body, "seq %llu\n", (unsigned long long)t->seq)) != RN_OK ||
	    (err = stmt_put_id(body, "commit", t->commit)) != RN_OK ||
	    (err = rn_buf_printf(body, "time %llu\nexpires %llu\n", (unsigned long long)t->time,
		 (unsigned long long)t->expires)) != RN_OK)
		return err;
	return rn_coll_id(RN_COLL_TIMESTAMP, body->data, body->len, t->id);
}

enum rn_err
rn_coll_timestamp_parse(
    const uint8_t *p, size_t n, struct rn_coll_timestamp *t, struct rn_coll_sigs *sigs)
{
	struct stmt_lines l;
	enum rn_err	  err;

	memset(t, 0, sizeof(*t));
	if ((err = rn_coll_stmt_split(p, n, sigs)) != RN_OK)
		return err;
	stmt_lines_init(&l, p, sigs->body_len);
	if (stmt_line(&l, TIMESTAMP_MAGIC, NULL, NULL) != RN_OK ||
	    stmt_id_line(&l, "collection", t->collection) != RN_OK ||
	    stmt_u64_line(&l, "seq", &t->seq) != RN_OK ||
	    stmt_id_line(&l, "commit", t->commit) != RN_OK ||
	    stmt_u64_line(&l, "time", &t->time) != RN_OK ||
	    stmt_u64_line(&l, "expires", &t->expires) != RN_OK || !stmt_lines_done(&l) ||
	    !timestamp_ok(t))
		return RN_ERR_INVAL;
	return rn_coll_id(RN_COLL_TIMESTAMP, p, sigs->body_len, t->id);
}
