/*
 * The editor API's operations in the keeper: the state, uploads of bundles
 * (ROOTs, then a commit that is applied, kept pending below its threshold,
 * or refused with the verifier's reason), and what follows an applied
 * commit.  A refused bundle leaves the state as it was saved: ROOTs it
 * brought are undone by resuming the saved state.
 */
#include <stdlib.h>
#include <string.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_log.h"

void
keeper_answer_error(struct rn_keeper_answer *ans, int status, const char *why)
{
	ans->status = status;
	rn_buf_reset(&ans->json);
	(void)rn_buf_puts(&ans->json, "{\"error\":\"");
	/* The verifier's sentences are ASCII without quotes; escape anyway. */
	for (; *why != '\0'; why++) {
		if (*why == '"' || *why == '\\')
			(void)rn_buf_printf(&ans->json, "\\%c", *why);
		else if ((unsigned char)*why < 0x20 || (unsigned char)*why > 0x7e)
			(void)rn_buf_puts(&ans->json, "?");
		else
			(void)rn_buf_append(&ans->json, why, 1);
	}
	(void)rn_buf_puts(&ans->json, "\"}\n");
}

static void
hex(const uint8_t id[RN_COLL_ID_LEN], char out[RN_COLL_HEX_LEN + 1])
{
	rn_coll_id_format(id, out);
}

enum rn_err
keeper_json_state(struct rn_keeper *k, struct rn_keeper_answer *ans)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	char			    c[65], cm[65], m[65], lr[65];

	if (st->root_version == 0) {
		keeper_answer_error(ans, 404, "no collection");
		return RN_OK;
	}
	hex(st->collection, c);
	hex(st->commit, cm);
	hex(st->manifest, m);
	hex(st->log_root, lr);
	ans->status = 200;
	rn_buf_reset(&ans->json);
	return rn_buf_printf(&ans->json,
	    "{\"collection\":\"%s\",\"root_version\":%llu,\"seq\":%llu,\"commit\":\"%s\","
	    "\"manifest\":\"%s\",\"log_size\":%llu,\"log_root\":\"%s\"}\n",
	    c, (unsigned long long)st->root_version, (unsigned long long)st->seq, cm, m,
	    (unsigned long long)st->log_size, lr);
}

/*
 * A ROOT of the bundle: the next version is verified and kept; one the
 * collection already holds must be that very ROOT (same id) and is skipped.
 */
static enum rn_err
add_root(struct rn_keeper *k, const struct rn_coll_bundle_part *part, bool *added)
{
	const struct rn_coll_root *cur = rn_coll_verifier_root(k->v);
	struct rn_coll_root	  *r;
	struct rn_coll_sigs	  *sigs;
	struct rn_buf		   held;
	enum rn_err		   err = RN_OK;

	*added = false;
	r = malloc(sizeof(*r));
	sigs = malloc(sizeof(*sigs));
	rn_buf_init(&held, RN_COLL_MAX_STATEMENT);
	if (r == NULL || sigs == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if ((err = rn_coll_root_parse(part->p, part->n, r, sigs)) != RN_OK)
		goto out;
	if (cur != NULL && r->version <= cur->version) {
		struct rn_coll_root *h = malloc(sizeof(*h));

		if (h == NULL)
			err = RN_ERR_NOMEM;
		else if (keeper_get_root(k, r->version, &held) != RN_OK ||
			 rn_coll_root_parse((const uint8_t *)held.data, held.len, h, sigs) !=
			     RN_OK ||
			 memcmp(h->id, r->id, RN_COLL_ID_LEN) != 0)
			err = RN_ERR_EXISTS;
		free(h);
		goto out;
	}
	if ((err = rn_coll_verifier_add_root(k->v, part->p, part->n)) == RN_OK)
		*added = true;
out:
	rn_buf_free(&held);
	free(r);
	free(sigs);
	return err;
}

/* Every ROOT of b in order; *nadded of them new.  On error ans says why. */
static enum rn_err
add_roots(struct rn_keeper *k, const struct rn_coll_bundle *b, size_t *nadded,
    struct rn_keeper_answer *ans)
{
	enum rn_err err;
	bool	    added;
	size_t	    i;

	*nadded = 0;
	for (i = 0; i < b->nroots; i++) {
		if ((err = add_root(k, &b->roots[i], &added)) != RN_OK) {
			keeper_answer_error(ans, 400,
			    err == RN_ERR_EXISTS ?
				"a ROOT of that version differs from the held one" :
			    err == RN_ERR_NOMEM ? "out of memory" :
						  rn_coll_verifier_error(k->v));
			return err;
		}
		if (added) {
			const struct rn_coll_root *r = rn_coll_verifier_root(k->v);

			if ((err = keeper_put_root(k, r->version, b->roots[i].p, b->roots[i].n)) !=
			    RN_OK) {
				keeper_answer_error(ans, 500, "cannot store the ROOT");
				return err;
			}
			(*nadded)++;
		}
	}
	return RN_OK;
}

enum rn_err
keeper_applied(struct rn_keeper *k, const uint8_t *stmt, size_t n)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	enum rn_err		    err;

	if ((err = keeper_put_commit(k, st->seq, stmt, n)) != RN_OK ||
	    (err = keeper_save(k)) != RN_OK) {
		rn_log_err("keeper: commit %llu verified but not stored: %s",
		    (unsigned long long)st->seq, rn_err_str(err));
		return err;
	}
	if ((err = keeper_note_commit(k, st->seq, st->log_size)) != RN_OK)
		return err;
	rn_log_notice("keeper: commit %llu applied", (unsigned long long)st->seq);
	keeper_pending_prune(k);
	if (rn_keeper_render(k) != RN_OK)
		rn_log_err("keeper: the site is not rendered; it is tried again at the next commit "
			   "or start");
	return RN_OK;
}

/* The commit of b: applied at its threshold, kept below it, else refused. */
static enum rn_err
commit_of(struct rn_keeper *k, const struct rn_coll_bundle *b, struct rn_keeper_answer *ans)
{
	struct rn_coll_store *in = NULL;
	unsigned	      have, need;
	enum rn_err	      err;

	if ((err = rn_coll_store_new_mem(&in)) != RN_OK)
		return err;
	if ((err = rn_coll_bundle_load(b, in)) != RN_OK) {
		keeper_answer_error(ans, 400, "an object of the bundle is refused");
		goto out;
	}
	err = rn_coll_verifier_check_commit(
	    k->v, b->commit.p, b->commit.n, b->records.p, b->records.n, in, &have, &need);
	if (err != RN_OK) {
		keeper_answer_error(
		    ans, err == RN_ERR_NOMEM ? 503 : 400, rn_coll_verifier_error(k->v));
		goto out;
	}
	if (have < need) {
		err = keeper_pending_add(k, b, b->commit.p, b->commit.n, have, need, ans);
		goto out;
	}
	if ((err = rn_coll_verifier_add_commit(
		 k->v, b->commit.p, b->commit.n, b->records.p, b->records.n, in)) != RN_OK) {
		keeper_answer_error(ans, 400, rn_coll_verifier_error(k->v));
		goto out;
	}
	if ((err = keeper_applied(k, b->commit.p, b->commit.n)) != RN_OK) {
		keeper_answer_error(ans, 500, "the commit cannot be stored");
		goto out;
	}
	ans->status = 201;
	rn_buf_reset(&ans->json);
	err = rn_buf_printf(&ans->json, "{\"state\":\"applied\",\"seq\":%llu}\n",
	    (unsigned long long)rn_coll_verifier_state(k->v)->seq);
out:
	rn_coll_store_free(in);
	return err;
}

static enum rn_err
roots_only(struct rn_keeper *k, size_t nadded, struct rn_keeper_answer *ans)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	char			    c[65];
	enum rn_err		    err;

	if (nadded > 0 && (err = keeper_save(k)) != RN_OK) {
		keeper_answer_error(ans, 500, "the state cannot be saved");
		return err;
	}
	if (nadded > 0)
		rn_log_notice("keeper: ROOT %llu accepted", (unsigned long long)st->root_version);
	if (nadded > 0 && (err = rn_keeper_render(k)) != RN_OK)
		rn_log_err("keeper: the site is not rendered");
	hex(st->collection, c);
	ans->status = nadded > 0 ? 201 : 200;
	rn_buf_reset(&ans->json);
	return rn_buf_printf(&ans->json,
	    "{\"state\":\"%s\",\"collection\":\"%s\",\"root_version\":%llu}\n",
	    nadded > 0 && st->root_version == nadded ? "created" :
	    nadded > 0				     ? "applied" :
						       "unchanged",
	    c, (unsigned long long)st->root_version);
}

enum rn_err
keeper_post(struct rn_keeper *k, int fd, struct rn_keeper_answer *ans)
{
	struct rn_coll_bundle b;
	struct rn_buf	      body;
	size_t		      used = 0, nadded = 0;
	enum rn_err	      err;

	memset(&b, 0, sizeof(b));
	rn_buf_init(&body, RN_COLL_MAX_BUNDLE);
	if (fd == -1 || (err = keeper_read_fd(fd, RN_COLL_MAX_BUNDLE, &body)) != RN_OK) {
		keeper_answer_error(ans, 400, "no bundle");
		err = RN_OK;
		goto out;
	}
	if (rn_coll_bundle_decode((const uint8_t *)body.data, body.len, &b, &used) != RN_OK ||
	    used != body.len) {
		keeper_answer_error(ans, 400, "malformed bundle");
		goto out;
	}
	if ((err = add_roots(k, &b, &nadded, ans)) == RN_OK)
		err = b.has_commit ? commit_of(k, &b, ans) : roots_only(k, nadded, ans);
	/* Refused (or failed): nothing of this bundle stays. */
	if (ans->status >= 400 && nadded > 0 && keeper_restore(k) != RN_OK) {
		keeper_answer_error(ans, 500, "cannot return to the saved state");
		err = RN_ERR_IO;
	} else if (ans->status == 202 && nadded > 0 && (err = keeper_save(k)) != RN_OK) {
		keeper_answer_error(ans, 500, "the state cannot be saved");
	}
	/* A refusal is an answer, not a failure of the keeper. */
	if (ans->status < 500)
		err = RN_OK;
out:
	rn_coll_bundle_clear(&b);
	rn_buf_free(&body);
	return err;
}

enum rn_err
rn_keeper_handle(struct rn_keeper *k, enum rn_keeper_op op, const char *arg, int body_fd,
    struct rn_keeper_answer *ans)
{
	enum rn_err err;

	keeper_answer_error(ans, 500, "internal error");
	switch (op) {
	case RN_KEEPER_OP_STATE: err = keeper_json_state(k, ans); break;
	case RN_KEEPER_OP_EXPORT: err = keeper_export(k, arg, ans); break;
	case RN_KEEPER_OP_POST: err = keeper_post(k, body_fd, ans); break;
	case RN_KEEPER_OP_PENDING: err = keeper_pending_list(k, ans); break;
	case RN_KEEPER_OP_PENDING_GET: err = keeper_pending_get(k, arg, ans); break;
	case RN_KEEPER_OP_PENDING_SIGN: err = keeper_pending_sign(k, arg, body_fd, ans); break;
	default: keeper_answer_error(ans, 404, "no such operation"); return RN_OK;
	}
	if (err != RN_OK && ans->status < 500)
		keeper_answer_error(ans, err == RN_ERR_NOMEM ? 503 : 500, rn_err_str(err));
	return err;
}
