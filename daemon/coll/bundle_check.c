/*
 * A dry run of rn_coll_verifier_add_commit() that reports the signatures a
 * commit has and the threshold it needs instead of refusing it below the
 * threshold: how the keeper tells a commit waiting for more editors'
 * signatures from one that can never be applied.  Nothing is written: the
 * records are appended to the log and truncated again, the objects staged
 * in an overlay that is thrown away.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_coll_bundle.h"
#include "verify_int.h"

/* The same rules as verify.c: the commit follows the state. */
static enum rn_err
check_head(struct rn_coll_verifier *v, const struct rn_coll_commit *c)
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
check_sigs(
    struct rn_coll_verifier *v, const uint8_t *p, const struct rn_coll_sigs *sigs, unsigned *have)
{
	uint8_t keys[RN_COLL_MAX_EDITORS][RN_ED25519_PUB_LEN];
	size_t	i;

	for (i = 0; i < sigs->n; i++)
		if (!rn_coll_root_is_editor(v->root, sigs->s[i].pub))
			return verify_fail(v, RN_ERR_CRYPTO, "commit signed by a key not in ROOT");
	if (rn_coll_stmt_verify_sigs(p, sigs) != RN_OK)
		return verify_fail(v, RN_ERR_CRYPTO, "bad signature on commit");
	*have =
	    rn_coll_stmt_count(sigs, (const uint8_t(*)[32])keys, verify_editor_keys(v->root, keys));
	return RN_OK;
}

static enum rn_err
check_log(struct rn_coll_verifier *v, const struct rn_coll_commit *c, uint64_t from,
    const uint8_t *records, size_t rlen)
{
	uint8_t	    lroot[RN_COLL_ID_LEN];
	enum rn_err err;

	if ((err = rn_coll_log_decode(records, rlen, v->log)) != RN_OK)
		return verify_fail(v, err, "malformed change records");
	if (rn_coll_log_size(v->log) == from ||
	    rn_coll_log_size(v->log) - from > RN_COLL_MAX_RECORDS)
		return verify_fail(
		    v, RN_ERR_PROTO, "a commit has 1 to %u records", RN_COLL_MAX_RECORDS);
	if (c->log_size != rn_coll_log_size(v->log) ||
	    rn_coll_log_root(v->log, c->log_size, lroot) != RN_OK ||
	    memcmp(lroot, c->log_root, RN_COLL_ID_LEN) != 0)
		return verify_fail(
		    v, RN_ERR_CRYPTO, "the log's size or root differs from the commit's");
	return RN_OK;
}

enum rn_err
rn_coll_verifier_check_commit(struct rn_coll_verifier *v, const uint8_t *p, size_t n,
    const uint8_t *records, size_t rlen, const struct rn_coll_store *incoming, unsigned *have,
    unsigned *need)
{
	struct rn_coll_commit c;
	struct rn_coll_sigs  *sigs = NULL;
	struct rn_coll_store *stage = NULL;
	struct rn_buf	      deny;
	uint64_t	      from = rn_coll_log_size(v->log);
	enum rn_err	      err;

	*have = *need = 0;
	rn_buf_init(&deny, (size_t)RN_COLL_MAX_RECORDS * 4u * RN_COLL_ID_LEN);
	if ((sigs = malloc(sizeof(*sigs))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if ((err = rn_coll_commit_parse(p, n, &c, sigs)) != RN_OK) {
		verify_fail(v, err, "malformed commit statement");
		goto out;
	}
	if ((err = check_head(v, &c)) != RN_OK ||
	    (err = check_log(v, &c, from, records, rlen)) != RN_OK)
		goto out;
	if ((err = rn_coll_store_new_overlay(incoming, v->store, &stage)) != RN_OK ||
	    (err = verify_records(v, stage, &c, from, need, &deny)) != RN_OK)
		goto out;
	err = check_sigs(v, p, sigs, have);
out:
	rn_coll_log_truncate(v->log, from);
	rn_coll_store_free(stage);
	rn_buf_free(&deny);
	free(sigs);
	return err;
}
