/*
 * The verifier: accepts ROOT statements and commits in order, checking each
 * end to end against what it already verified, and keeps the verified state.
 * Work for a commit is staged in a memory overlay over the incoming objects
 * and the store; only a commit that passes every check is flushed into the
 * store, so a refused one leaves the store and the state as they were.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

enum rn_err
verify_fail(struct rn_coll_verifier *v, enum rn_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->err, sizeof(v->err), fmt, ap);
	va_end(ap);
	return err;
}

size_t
verify_editor_keys(const struct rn_coll_root *r, uint8_t (*keys)[RN_ED25519_PUB_LEN])
{
	size_t i;

	for (i = 0; i < r->neditors; i++)
		memcpy(keys[i], r->editors[i].pub, RN_ED25519_PUB_LEN);
	return r->neditors;
}

enum rn_err
rn_coll_verifier_new(struct rn_coll_store *store, struct rn_coll_verifier **out)
{
	struct rn_coll_verifier *v;
	enum rn_err		 err;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return RN_ERR_NOMEM;
	v->store = store;
	rn_buf_init(&v->roots, (size_t)RN_COLL_MAX_STATEMENT * 1024u);
	if ((err = rn_coll_log_new(&v->log)) != RN_OK ||
	    (err = rn_coll_trie_empty(store, v->st.manifest)) != RN_OK ||
	    (err = rn_coll_log_root(v->log, 0, v->st.log_root)) != RN_OK) {
		rn_coll_verifier_free(v);
		return err;
	}
	*out = v;
	return RN_OK;
}

void
rn_coll_verifier_free(struct rn_coll_verifier *v)
{
	if (v == NULL)
		return;
	free(v->root);
	rn_buf_free(&v->roots);
	rn_coll_log_free(v->log);
	free(v->deny);
	free(v->expect);
	free(v);
}

const struct rn_coll_state *
rn_coll_verifier_state(const struct rn_coll_verifier *v)
{
	return &v->st;
}

const struct rn_coll_root *
rn_coll_verifier_root(const struct rn_coll_verifier *v)
{
	return v->root;
}

const struct rn_coll_log *
rn_coll_verifier_log(const struct rn_coll_verifier *v)
{
	return v->log;
}

const char *
rn_coll_verifier_error(const struct rn_coll_verifier *v)
{
	return v->err;
}

/* Every signer is an editor of a (or of b), and the ROOT thresholds of both are met. */
static enum rn_err
check_root_sigs(struct rn_coll_verifier *v, const uint8_t *p, const struct rn_coll_sigs *sigs,
    const struct rn_coll_root *a, const struct rn_coll_root *b)
{
	uint8_t	 keys[RN_COLL_MAX_EDITORS][RN_ED25519_PUB_LEN];
	unsigned na, nb = 0;
	size_t	 i;

	for (i = 0; i < sigs->n; i++)
		if (!rn_coll_root_is_editor(a, sigs->s[i].pub) &&
		    (b == NULL || !rn_coll_root_is_editor(b, sigs->s[i].pub)))
			return verify_fail(
			    v, RN_ERR_CRYPTO, "ROOT signed by a key not in the keyring");
	if (rn_coll_stmt_verify_sigs(p, sigs) != RN_OK)
		return verify_fail(v, RN_ERR_CRYPTO, "bad signature on ROOT");
	na = rn_coll_stmt_count(sigs, (const uint8_t(*)[32])keys, verify_editor_keys(a, keys));
	if (na < a->threshold[RN_COLL_POL_ROOT])
		return verify_fail(v, RN_ERR_CRYPTO,
		    "ROOT %llu signed by %u of the %u editors needed",
		    (unsigned long long)a->version, na, a->threshold[RN_COLL_POL_ROOT]);
	if (b != NULL) {
		nb = rn_coll_stmt_count(
		    sigs, (const uint8_t(*)[32])keys, verify_editor_keys(b, keys));
		if (nb < b->threshold[RN_COLL_POL_ROOT])
			return verify_fail(v, RN_ERR_CRYPTO,
			    "ROOT %llu signed by %u of the %u editors of ROOT %llu needed",
			    (unsigned long long)a->version, nb, b->threshold[RN_COLL_POL_ROOT],
			    (unsigned long long)b->version);
	}
	return RN_OK;
}

enum rn_err
rn_coll_verifier_add_root(struct rn_coll_verifier *v, const uint8_t *p, size_t n)
{
	struct rn_coll_root *r = NULL;
	struct rn_coll_sigs *sigs = NULL;
	size_t		     mark = v->roots.len;
	enum rn_err	     err;

	if ((r = malloc(sizeof(*r))) == NULL || (sigs = malloc(sizeof(*sigs))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if ((err = rn_coll_root_parse(p, n, r, sigs)) != RN_OK) {
		verify_fail(v, err, "malformed ROOT statement");
		goto out;
	}
	if (v->root == NULL) {
		if (r->version != 1) {
			err = verify_fail(v, RN_ERR_PROTO, "the first ROOT must be version 1");
			goto out;
		}
		err = check_root_sigs(v, p, sigs, r, NULL);
	} else if (r->version != v->root->version + 1) {
		err = verify_fail(v, RN_ERR_PROTO, "ROOT version %llu, expected %llu",
		    (unsigned long long)r->version, (unsigned long long)v->root->version + 1);
	} else if (memcmp(r->collection, v->st.collection, RN_COLL_ID_LEN) != 0 ||
		   memcmp(r->previous, v->root->id, RN_COLL_ID_LEN) != 0) {
		err = verify_fail(v, RN_ERR_PROTO, "ROOT does not follow the current one");
	} else {
		err = check_root_sigs(v, p, sigs, r, v->root);
	}
	if (err != RN_OK || (err = rn_coll_put_bytes(&v->roots, p, n)) != RN_OK)
		goto out;
	if (r->version == 1)
		memcpy(v->st.collection, r->id, RN_COLL_ID_LEN);
	v->st.root_version = r->version;
	memcpy(v->st.root, r->id, RN_COLL_ID_LEN);
	free(v->root);
	v->root = r;
	r = NULL;
out:
	if (err != RN_OK)
		v->roots.len = mark;
	free(r);
	free(sigs);
	return err;
}

static enum rn_err
check_commit_head(struct rn_coll_verifier *v, const struct rn_coll_commit *c)
{
	if (v->root == NULL)
		return verify_fail(v, RN_ERR_PROTO, "no ROOT yet");
	if (memcmp(c->collection, v->st.collection, RN_COLL_ID_LEN) != 0)
		return verify_fail(v, RN_ERR_PROTO, "commit of another collection");
	if (c->seq != v->st.seq + 1)
		return verify_fail(v, RN_ERR_PROTO, "commit seq %llu, expected %llu",
		    (unsigned long long)c->seq, (unsigned long long)v->st.seq + 1);
	if (memcmp(c->prev, v->st.commit, RN_COLL_ID_LEN) != 0)
		return verify_fail(v, RN_ERR_PROTO, "commit does not follow the previous commit");
	if (c->root_version != v->st.root_version ||
	    memcmp(c->root, v->st.root, RN_COLL_ID_LEN) != 0)
		return verify_fail(v, RN_ERR_PROTO, "commit names ROOT %llu, current is %llu",
		    (unsigned long long)c->root_version, (unsigned long long)v->st.root_version);
	if (c->time < v->st.time)
		return verify_fail(v, RN_ERR_PROTO, "commit time goes backwards");
	if (c->time > v->root->expires)
		return verify_fail(v, RN_ERR_PROTO, "commit made after its ROOT expired");
	return RN_OK;
}

static enum rn_err
check_commit_sigs(
    struct rn_coll_verifier *v, const uint8_t *p, const struct rn_coll_sigs *sigs, unsigned need)
{
	uint8_t	 keys[RN_COLL_MAX_EDITORS][RN_ED25519_PUB_LEN];
	unsigned have;
	size_t	 i;

	for (i = 0; i < sigs->n; i++)
		if (!rn_coll_root_is_editor(v->root, sigs->s[i].pub))
			return verify_fail(v, RN_ERR_CRYPTO, "commit signed by a key not in ROOT");
	if (rn_coll_stmt_verify_sigs(p, sigs) != RN_OK)
		return verify_fail(v, RN_ERR_CRYPTO, "bad signature on commit");
	have =
	    rn_coll_stmt_count(sigs, (const uint8_t(*)[32])keys, verify_editor_keys(v->root, keys));
	if (have < need)
		return verify_fail(
		    v, RN_ERR_CRYPTO, "commit signed by %u of the %u editors needed", have, need);
	return RN_OK;
}

/* Purged ids: off the store too, so the content is gone here as everywhere. */
static void
apply_deny(struct rn_coll_verifier *v, const struct rn_buf *deny)
{
	size_t i;

	for (i = 0; i + RN_COLL_ID_LEN <= deny->len; i += RN_COLL_ID_LEN) {
		const uint8_t *id = (const uint8_t *)deny->data + i;

		verify_expect_done(v, id);
		if (verify_deny_add(v, id) == RN_OK)
			(void)rn_coll_store_delete(v->store, id);
	}
}

static enum rn_err
stage_commit(struct rn_coll_verifier *v, const uint8_t *p, const struct rn_coll_sigs *sigs,
    const struct rn_coll_commit *c, uint64_t from, const struct rn_coll_store *incoming)
{
	struct rn_coll_store *stage = NULL;
	struct rn_buf	      deny;
	unsigned	      need = 0;
	enum rn_err	      err;

	rn_buf_init(&deny, (size_t)RN_COLL_MAX_RECORDS * 4u * RN_COLL_ID_LEN);
	if ((err = rn_coll_store_new_overlay(incoming, v->store, &stage)) != RN_OK ||
	    (err = verify_records(v, stage, c, from, &need, &deny)) != RN_OK ||
	    (err = check_commit_sigs(v, p, sigs, need)) != RN_OK)
		goto out;
	if ((err = rn_coll_store_flush(stage, v->store)) != RN_OK) {
		verify_fail(v, err, "cannot write to the store");
		goto out;
	}
	apply_deny(v, &deny);
out:
	rn_buf_free(&deny);
	rn_coll_store_free(stage);
	return err;
}

enum rn_err
rn_coll_verifier_add_commit(struct rn_coll_verifier *v, const uint8_t *p, size_t n,
    const uint8_t *records, size_t rlen, const struct rn_coll_store *incoming)
{
	struct rn_coll_commit c;
	struct rn_coll_sigs  *sigs;
	uint64_t	      from = rn_coll_log_size(v->log);
	uint8_t		      lroot[RN_COLL_ID_LEN];
	enum rn_err	      err;

	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_coll_commit_parse(p, n, &c, sigs)) != RN_OK) {
		verify_fail(v, err, "malformed commit statement");
		goto out;
	}
	if ((err = check_commit_head(v, &c)) != RN_OK)
		goto out;
	if ((err = rn_coll_log_decode(records, rlen, v->log)) != RN_OK) {
		verify_fail(v, err, "malformed change records");
		goto out;
	}
	if (rn_coll_log_size(v->log) == from ||
	    rn_coll_log_size(v->log) - from > RN_COLL_MAX_RECORDS) {
		err = verify_fail(
		    v, RN_ERR_PROTO, "a commit has 1 to %u records", RN_COLL_MAX_RECORDS);
		goto out;
	}
	if (c.log_size != rn_coll_log_size(v->log) ||
	    (err = rn_coll_log_root(v->log, c.log_size, lroot)) != RN_OK ||
	    memcmp(lroot, c.log_root, RN_COLL_ID_LEN) != 0) {
		err = verify_fail(
		    v, RN_ERR_CRYPTO, "the log's size or root differs from the commit's");
		goto out;
	}
	if ((err = stage_commit(v, p, sigs, &c, from, incoming)) != RN_OK)
		goto out;
	v->st.seq = c.seq;
	memcpy(v->st.commit, c.id, RN_COLL_ID_LEN);
	v->st.time = c.time;
	memcpy(v->st.manifest, c.manifest, RN_COLL_ID_LEN);
	v->st.log_size = c.log_size;
	memcpy(v->st.log_root, c.log_root, RN_COLL_ID_LEN);
out:
	if (err != RN_OK)
		rn_coll_log_truncate(v->log, from);
	free(sigs);
	return err;
}
