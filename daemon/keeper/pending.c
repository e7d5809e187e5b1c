/*
 * Commits below their threshold: every signature on them valid, every
 * other check passed, waiting in pending/HEX (a bundle: the commit with the
 * signatures so far, its records, its objects) for editors to add theirs.
 * A further signature arrives as the same statement with more signature
 * lines (POST .../pending/HEX/sign, or the bundle uploaded again); the sets
 * are merged, checked again, and the commit applied once it has enough.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_log.h"

static enum rn_err
pending_path(const struct rn_keeper *k, const uint8_t id[RN_COLL_ID_LEN], char *path)
{
	char hex[RN_COLL_HEX_LEN + 1];

	rn_coll_id_format(id, hex);
	return keeper_path(k, path, "pending/%s", hex);
}

static size_t
pending_count(const struct rn_keeper *k)
{
	char	       path[KEEPER_PATH_MAX];
	DIR	      *d;
	struct dirent *e;
	size_t	       n = 0;

	if (keeper_path(k, path, "pending") != RN_OK || (d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The bundle of a pending commit: statement, records, objects. */
static enum rn_err
encode(const struct rn_coll_bundle *b, const uint8_t *stmt, size_t n, struct rn_buf *out)
{
	enum rn_err err;
	size_t	    i;

	if ((err = rn_coll_bundle_begin(out)) != RN_OK ||
	    (err = rn_coll_bundle_put(out, RN_COLL_BUNDLE_COMMIT, stmt, n)) != RN_OK ||
	    (err = rn_coll_bundle_put(out, RN_COLL_BUNDLE_RECORDS, b->records.p, b->records.n)) !=
		RN_OK)
		return err;
	for (i = 0; i < b->nobjs && err == RN_OK; i++)
		err = rn_coll_bundle_put_object(out, b->objs[i].id, b->objs[i].frame, b->objs[i].n);
	return err;
}

static enum rn_err
answer_pending(
    struct rn_keeper_answer *ans, const uint8_t id[RN_COLL_ID_LEN], unsigned have, unsigned need)
{
	char hex[RN_COLL_HEX_LEN + 1];

	rn_coll_id_format(id, hex);
	ans->status = 202;
	rn_buf_reset(&ans->json);
	return rn_buf_printf(&ans->json,
	    "{\"state\":\"pending\",\"commit\":\"%s\",\"signatures\":%u,\"needed\":%u}\n", hex,
	    have, need);
}

/*
 * The commit of b with statement stmt: applied when it meets its threshold
 * (its pending file removed), else written to pending/ (202).
 */
static enum rn_err
submit(struct rn_keeper *k, const struct rn_coll_bundle *b, const uint8_t *stmt, size_t n,
    struct rn_keeper_answer *ans)
{
	struct rn_coll_store *in = NULL;
	struct rn_buf	      out;
	char		      path[KEEPER_PATH_MAX];
	unsigned	      have, need;
	enum rn_err	      err;

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	if ((err = rn_coll_store_new_mem(&in)) != RN_OK ||
	    (err = rn_coll_bundle_load(b, in)) != RN_OK ||
	    (err = pending_path(k, b->commit_id, path)) != RN_OK)
		goto out;
	if ((err = rn_coll_verifier_check_commit(
		 k->v, stmt, n, b->records.p, b->records.n, in, &have, &need)) != RN_OK) {
		keeper_answer_error(ans, 400, rn_coll_verifier_error(k->v));
		goto out;
	}
	if (have < need) {
		if ((err = encode(b, stmt, n, &out)) == RN_OK &&
		    (err = rn_file_write_atomic(path, out.data, out.len, 0600)) == RN_OK)
			err = answer_pending(ans, b->commit_id, have, need);
		goto out;
	}
	if ((err = rn_coll_verifier_add_commit(k->v, stmt, n, b->records.p, b->records.n, in)) !=
	    RN_OK) {
		keeper_answer_error(ans, 400, rn_coll_verifier_error(k->v));
		goto out;
	}
	(void)unlink(path);
	if ((err = keeper_applied(k, stmt, n)) != RN_OK)
		goto out;
	ans->status = 201;
	rn_buf_reset(&ans->json);
	err = rn_buf_printf(&ans->json, "{\"state\":\"applied\",\"seq\":%llu}\n",
	    (unsigned long long)rn_coll_verifier_state(k->v)->seq);
out:
	rn_buf_free(&out);
	rn_coll_store_free(in);
	return ans->status < 500 && err != RN_ERR_NOMEM && err != RN_ERR_IO ? RN_OK : err;
}

/* The pending bundle of id, decoded into b (whose pointers borrow raw). */
static enum rn_err
load(const struct rn_keeper *k, const uint8_t id[RN_COLL_ID_LEN], struct rn_buf *raw,
    struct rn_coll_bundle *b)
{
	char	    path[KEEPER_PATH_MAX];
	size_t	    used;
	enum rn_err err;

	if ((err = pending_path(k, id, path)) != RN_OK ||
	    (err = keeper_read_file(path, RN_COLL_MAX_BUNDLE, raw)) != RN_OK)
		return err;
	if (rn_coll_bundle_decode((const uint8_t *)raw->data, raw->len, b, &used) != RN_OK ||
	    used != raw->len || !b->has_commit) {
		rn_log_err("keeper: %s is damaged", path);
		rn_coll_bundle_clear(b);
		return RN_ERR_INVAL;
	}
	return RN_OK;
}

/* stmt merged with the signatures of the pending commit (if any) into merged. */
static enum rn_err
merge_held(struct rn_keeper *k, const struct rn_coll_bundle *b, const uint8_t *stmt, size_t n,
    struct rn_buf *merged)
{
	struct rn_coll_bundle held;
	struct rn_buf	      raw;
	enum rn_err	      err;

	rn_buf_init(&raw, RN_COLL_MAX_BUNDLE);
	memset(&held, 0, sizeof(held));
	err = load(k, b->commit_id, &raw, &held);
	if (err == RN_ERR_NOTFOUND) {
		rn_buf_reset(merged);
		err = rn_buf_append(merged, stmt, n);
	} else if (err == RN_OK) {
		err = rn_coll_stmt_merge(held.commit.p, held.commit.n, stmt, n, merged);
	}
	rn_coll_bundle_clear(&held);
	rn_buf_free(&raw);
	return err;
}

enum rn_err
keeper_pending_add(struct rn_keeper *k, const struct rn_coll_bundle *b, const uint8_t *stmt,
    size_t n, unsigned have, unsigned need, struct rn_keeper_answer *ans)
{
	struct rn_buf merged;
	char	      path[KEEPER_PATH_MAX];
	enum rn_err   err;

	(void)have;
	(void)need;
	rn_buf_init(&merged, RN_COLL_MAX_STATEMENT);
	if ((err = pending_path(k, b->commit_id, path)) != RN_OK)
		goto out;
	if (access(path, F_OK) == -1 && pending_count(k) >= RN_KEEPER_MAX_PENDING) {
		keeper_answer_error(ans, 503, "too many commits are waiting for signatures");
		goto out;
	}
	if ((err = merge_held(k, b, stmt, n, &merged)) != RN_OK) {
		keeper_answer_error(ans, 400, "the signatures cannot be merged");
		err = RN_OK;
		goto out;
	}
	err = submit(k, b, (const uint8_t *)merged.data, merged.len, ans);
out:
	rn_buf_free(&merged);
	return err;
}

enum rn_err
keeper_pending_sign(struct rn_keeper *k, const char *hex, int fd, struct rn_keeper_answer *ans)
{
	struct rn_coll_bundle b;
	struct rn_buf	      raw, body, merged;
	uint8_t		      id[RN_COLL_ID_LEN];
	enum rn_err	      err = RN_OK;

	memset(&b, 0, sizeof(b));
	rn_buf_init(&raw, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&merged, RN_COLL_MAX_STATEMENT);
	if (hex == NULL || rn_coll_id_parse(hex, strlen(hex), id) != RN_OK ||
	    load(k, id, &raw, &b) != RN_OK) {
		keeper_answer_error(ans, 404, "no such pending commit");
		goto out;
	}
	if (fd == -1 || keeper_read_fd(fd, RN_COLL_MAX_STATEMENT, &body) != RN_OK ||
	    rn_coll_stmt_merge(
		b.commit.p, b.commit.n, (const uint8_t *)body.data, body.len, &merged) != RN_OK) {
		keeper_answer_error(ans, 400, "not a signed statement of this commit");
		goto out;
	}
	err = submit(k, &b, (const uint8_t *)merged.data, merged.len, ans);
out:
	rn_coll_bundle_clear(&b);
	rn_buf_free(&raw);
	rn_buf_free(&body);
	rn_buf_free(&merged);
	return err;
}

enum rn_err
keeper_pending_get(struct rn_keeper *k, const char *hex, struct rn_keeper_answer *ans)
{
	char	    path[KEEPER_PATH_MAX];
	uint8_t	    id[RN_COLL_ID_LEN];
	struct stat st;
	int	    fd;

	if (hex == NULL || rn_coll_id_parse(hex, strlen(hex), id) != RN_OK ||
	    pending_path(k, id, path) != RN_OK ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		keeper_answer_error(ans, 404, "no such pending commit");
		return RN_OK;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return RN_ERR_IO;
	}
	ans->status = 200;
	rn_buf_reset(&ans->json);
	ans->fd = fd;
	ans->fd_len = (uint64_t)st.st_size;
	return RN_OK;
}

/* One entry of the list: its seq, signers and what it needs (or why it cannot apply). */
static enum rn_err
list_one(struct rn_keeper *k, const uint8_t id[RN_COLL_ID_LEN], struct rn_buf *out, bool first)
{
	struct rn_coll_bundle b;
	struct rn_coll_store *in = NULL;
	struct rn_buf	      raw;
	unsigned	      have = 0, need = 0;
	char		      hex[RN_COLL_HEX_LEN + 1];
	enum rn_err	      err, chk;

	memset(&b, 0, sizeof(b));
	rn_buf_init(&raw, RN_COLL_MAX_BUNDLE);
	rn_coll_id_format(id, hex);
	if ((err = load(k, id, &raw, &b)) != RN_OK || (err = rn_coll_store_new_mem(&in)) != RN_OK ||
	    (err = rn_coll_bundle_load(&b, in)) != RN_OK)
		goto out;
	chk = rn_coll_verifier_check_commit(
	    k->v, b.commit.p, b.commit.n, b.records.p, b.records.n, in, &have, &need);
	err =
	    rn_buf_printf(out, "%s{\"commit\":\"%s\",\"seq\":%llu,\"signatures\":%u,\"needed\":%u",
		first ? "" : ",", hex, (unsigned long long)b.seq, have, need);
	if (err == RN_OK && chk != RN_OK)
		err = rn_buf_printf(out, ",\"error\":\"%s\"", rn_err_str(chk));
	if (err == RN_OK)
		err = rn_buf_puts(out, "}");
out:
	rn_coll_store_free(in);
	rn_coll_bundle_clear(&b);
	rn_buf_free(&raw);
	return err;
}

enum rn_err
keeper_pending_list(struct rn_keeper *k, struct rn_keeper_answer *ans)
{
	char	       path[KEEPER_PATH_MAX];
	uint8_t	       id[RN_COLL_ID_LEN];
	DIR	      *d;
	struct dirent *e;
	bool	       first = true;
	enum rn_err    err = RN_OK;

	rn_buf_reset(&ans->json);
	if ((err = keeper_path(k, path, "pending")) != RN_OK || (d = opendir(path)) == NULL)
		return RN_ERR_IO;
	(void)rn_buf_puts(&ans->json, "{\"pending\":[");
	while (err == RN_OK && (e = readdir(d)) != NULL) {
		if (rn_coll_id_parse(e->d_name, strlen(e->d_name), id) != RN_OK)
			continue;
		if ((err = list_one(k, id, &ans->json, first)) == RN_OK)
			first = false;
		else if (err != RN_ERR_TOOBIG && err != RN_ERR_NOMEM)
			err = RN_OK; /* a damaged file is logged and left out */
	}
	closedir(d);
	if (err == RN_OK)
		err = rn_buf_puts(&ans->json, "]}\n");
	if (err == RN_OK)
		ans->status = 200;
	return err;
}

void
keeper_pending_prune(struct rn_keeper *k)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	char			    path[KEEPER_PATH_MAX];
	uint8_t			    id[RN_COLL_ID_LEN];
	struct rn_coll_bundle	    b;
	struct rn_buf		    raw;
	DIR			   *d;
	struct dirent		   *e;

	if (keeper_path(k, path, "pending") != RN_OK || (d = opendir(path)) == NULL)
		return;
	rn_buf_init(&raw, RN_COLL_MAX_BUNDLE);
	while ((e = readdir(d)) != NULL) {
		if (rn_coll_id_parse(e->d_name, strlen(e->d_name), id) != RN_OK)
			continue;
		memset(&b, 0, sizeof(b));
		if (load(k, id, &raw, &b) != RN_OK || b.seq <= st->seq) {
			(void)unlinkat(dirfd(d), e->d_name, 0);
			rn_log_info(
			    "keeper: pending commit %s dropped: the head passed it", e->d_name);
		}
		rn_coll_bundle_clear(&b);
	}
	rn_buf_free(&raw);
	closedir(d);
}
