/*
 * The verifier's other duties: timestamps, the list of purges announced
 * ahead, saving and resuming the verified state, and collecting the store.
 */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

enum {
	ST_COLLECTION = 1,
	ST_ROOT_VERSION,
	ST_ROOT,
	ST_SEQ,
	ST_COMMIT,
	ST_TIME,
	ST_MANIFEST,
	ST_LOG_SIZE,
	ST_LOG_ROOT,
	ST_ROOTS,
	ST_LOG,
	ST_DENY,
	ST_EXPECT,
};

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RN_COLL_ID_LEN);
}

bool
verify_expected(const struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN])
{
	return v->nexpect > 0 && bsearch(id, v->expect, v->nexpect, RN_COLL_ID_LEN, cmp_id) != NULL;
}

void
verify_expect_done(struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN])
{
	uint8_t(*p)[RN_COLL_ID_LEN];
	size_t i;

	if (v->nexpect == 0 ||
	    (p = bsearch(id, v->expect, v->nexpect, RN_COLL_ID_LEN, cmp_id)) == NULL)
		return;
	i = (size_t)(p - v->expect);
	memmove(v->expect[i], v->expect[i + 1], (v->nexpect - i - 1) * RN_COLL_ID_LEN);
	v->nexpect--;
}

enum rn_err
rn_coll_verifier_expect_purge(struct rn_coll_verifier *v, const uint8_t doc[RN_COLL_ID_LEN])
{
	size_t i;

	if (verify_expected(v, doc))
		return RN_OK;
	if (v->nexpect >= RN_COLL_MAX_DENY)
		return RN_ERR_TOOBIG;
	if (v->nexpect == v->capexpect) {
		size_t cap = v->capexpect ? v->capexpect * 2 : 16;
		void  *p;

		if ((p = realloc(v->expect, cap * RN_COLL_ID_LEN)) == NULL)
			return RN_ERR_NOMEM;
		v->expect = p;
		v->capexpect = cap;
	}
	for (i = v->nexpect; i > 0 && memcmp(v->expect[i - 1], doc, RN_COLL_ID_LEN) > 0; i--)
		memcpy(v->expect[i], v->expect[i - 1], RN_COLL_ID_LEN);
	memcpy(v->expect[i], doc, RN_COLL_ID_LEN);
	v->nexpect++;
	return RN_OK;
}

size_t
rn_coll_verifier_expected(const struct rn_coll_verifier *v)
{
	return v->nexpect;
}

enum rn_err
rn_coll_verifier_check_timestamp(
    const struct rn_coll_verifier *v, const uint8_t *p, size_t n, uint64_t now, bool *fresh)
{
	struct rn_coll_timestamp t;
	struct rn_coll_sigs	*sigs;
	size_t			 i, j;
	enum rn_err		 err;

	*fresh = false;
	if (v->root == NULL)
		return RN_ERR_PROTO;
	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_coll_timestamp_parse(p, n, &t, sigs)) != RN_OK)
		goto out;
	err = RN_ERR_CRYPTO;
	if (sigs->n == 0 || rn_coll_stmt_verify_sigs(p, sigs) != RN_OK)
		goto out;
	for (i = 0; i < sigs->n; i++) {
		for (j = 0; j < v->root->nts; j++)
			if (memcmp(sigs->s[i].pub, v->root->ts[j], RN_ED25519_PUB_LEN) == 0)
				break;
		if (j == v->root->nts)
			goto out; /* not a timestamp key of the current ROOT */
	}
	err = RN_ERR_PROTO;
	if (memcmp(t.collection, v->st.collection, RN_COLL_ID_LEN) != 0 || t.seq != v->st.seq ||
	    memcmp(t.commit, v->st.commit, RN_COLL_ID_LEN) != 0)
		goto out;
	*fresh = now >= t.time && now < t.expires;
	err = RN_OK;
out:
	free(sigs);
	return err;
}

enum rn_err
rn_coll_verifier_save(const struct rn_coll_verifier *v, struct rn_buf *out)
{
	const struct rn_coll_state *s = &v->st;
	struct rn_buf		    log;
	enum rn_err		    err;

	rn_buf_init(&log, out->max);
	if ((err = rn_coll_put_field(out, ST_COLLECTION, s->collection, 32)) != RN_OK ||
	    (err = rn_coll_put_field_u64(out, ST_ROOT_VERSION, s->root_version)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_ROOT, s->root, 32)) != RN_OK ||
	    (err = rn_coll_put_field_u64(out, ST_SEQ, s->seq)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_COMMIT, s->commit, 32)) != RN_OK ||
	    (err = rn_coll_put_field_u64(out, ST_TIME, s->time)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_MANIFEST, s->manifest, 32)) != RN_OK ||
	    (err = rn_coll_put_field_u64(out, ST_LOG_SIZE, s->log_size)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_LOG_ROOT, s->log_root, 32)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_ROOTS, v->roots.data, v->roots.len)) != RN_OK ||
	    (err = rn_coll_log_encode(v->log, &log)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_LOG, log.data, log.len)) != RN_OK ||
	    (err = rn_coll_put_field(out, ST_DENY, v->deny, v->ndeny * RN_COLL_ID_LEN)) != RN_OK)
		goto out;
	err = rn_coll_put_field(out, ST_EXPECT, v->expect, v->nexpect * RN_COLL_ID_LEN);
out:
	rn_buf_free(&log);
	return err;
}

/* A sorted list of ids (deny or expect) into the verifier. */
static enum rn_err
load_ids(struct rn_coll_verifier *v, struct rn_coll_rd *val, bool deny)
{
	const uint8_t *id, *prev = NULL;
	enum rn_err    err = RN_OK;

	if (val->len % RN_COLL_ID_LEN != 0 || val->len / RN_COLL_ID_LEN > RN_COLL_MAX_DENY)
		return RN_ERR_INVAL;
	while (!rn_coll_rd_done(val) && err == RN_OK) {
		(void)rn_coll_rd_fixed(val, RN_COLL_ID_LEN, &id);
		if (prev != NULL && memcmp(prev, id, RN_COLL_ID_LEN) >= 0)
			return RN_ERR_INVAL;
		prev = id;
		err = deny ? verify_deny_add(v, id) : rn_coll_verifier_expect_purge(v, id);
	}
	return err;
}

/* Replay the saved ROOT chain: every signature is checked again. */
static enum rn_err
load_roots(struct rn_coll_verifier *v, struct rn_coll_rd *val)
{
	const uint8_t *p;
	size_t	       n;
	enum rn_err    err = RN_OK;

	while (!rn_coll_rd_done(val) && err == RN_OK) {
		if ((err = rn_coll_rd_bytes(val, RN_COLL_MAX_STATEMENT, &p, &n)) != RN_OK)
			return RN_ERR_INVAL;
		err = rn_coll_verifier_add_root(v, p, n);
	}
	return err;
}

static enum rn_err
state_field(
    struct rn_coll_verifier *v, struct rn_coll_state *s, uint64_t tag, struct rn_coll_rd *val)
{
	switch (tag) {
	case ST_COLLECTION: return coll_field_id(val, s->collection);
	case ST_ROOT_VERSION: return coll_field_u64(val, UINT64_MAX, &s->root_version);
	case ST_ROOT: return coll_field_id(val, s->root);
	case ST_SEQ: return coll_field_u64(val, UINT64_MAX, &s->seq);
	case ST_COMMIT: return coll_field_id(val, s->commit);
	case ST_TIME: return coll_field_u64(val, UINT64_MAX, &s->time);
	case ST_MANIFEST: return coll_field_id(val, s->manifest);
	case ST_LOG_SIZE: return coll_field_u64(val, RN_COLL_MAX_LOG, &s->log_size);
	case ST_LOG_ROOT: return coll_field_id(val, s->log_root);
	case ST_ROOTS: return load_roots(v, val);
	case ST_LOG: return rn_coll_log_decode(val->p, val->len, v->log);
	case ST_DENY: return load_ids(v, val, true);
	case ST_EXPECT: return load_ids(v, val, false);
	default: return RN_ERR_INVAL;
	}
}

static enum rn_err
resume_check(struct rn_coll_verifier *v, const struct rn_coll_state *s)
{
	uint8_t lroot[RN_COLL_ID_LEN];

	if (v->root == NULL || memcmp(s->collection, v->st.collection, 32) != 0 ||
	    s->root_version != v->st.root_version || memcmp(s->root, v->st.root, 32) != 0)
		return verify_fail(v, RN_ERR_INVAL, "saved state does not match its ROOT chain");
	if (rn_coll_log_size(v->log) != s->log_size ||
	    rn_coll_log_root(v->log, s->log_size, lroot) != RN_OK ||
	    memcmp(lroot, s->log_root, RN_COLL_ID_LEN) != 0)
		return verify_fail(v, RN_ERR_INVAL, "saved log does not match the saved state");
	if ((s->seq == 0) != (s->log_size == 0) || !rn_coll_store_has(v->store, s->manifest))
		return verify_fail(v, RN_ERR_INVAL, "saved manifest is not in the store");
	v->st = *s;
	return RN_OK;
}

enum rn_err
rn_coll_verifier_resume(
    struct rn_coll_store *store, const uint8_t *p, size_t n, struct rn_coll_verifier **out)
{
	struct rn_coll_verifier *v;
	struct rn_coll_state	 s;
	struct rn_coll_rd	 r, val;
	uint64_t		 last = 0, tag;
	unsigned		 seen = 0;
	enum rn_err		 err;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if ((err = rn_coll_verifier_new(store, &v)) != RN_OK)
		return err;
	rn_coll_rd_init(&r, p, n);
	while ((err = rn_coll_rd_field(&r, &last, &tag, &val)) == RN_OK) {
		if ((err = state_field(v, &s, tag, &val)) != RN_OK)
			break;
		seen |= 1u << tag;
	}
	if (err == RN_ERR_NOTFOUND)
		err = seen == 0x3ffeu ? resume_check(v, &s) : RN_ERR_INVAL;
	if (err != RN_OK) {
		rn_coll_verifier_free(v);
		return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	}
	*out = v;
	return RN_OK;
}

static enum rn_err
tombstones(const struct rn_coll_verifier *v, uint8_t (**out)[RN_COLL_ID_LEN], size_t *n)
{
	struct rn_coll_record r;
	const uint8_t	     *p;
	size_t		      len;
	uint64_t	      i, size = rn_coll_log_size(v->log);

	*n = 0;
	if ((*out = calloc(size ? (size_t)size : 1, RN_COLL_ID_LEN)) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < size; i++)
		if (rn_coll_log_record(v->log, i, &p, &len) == RN_OK &&
		    rn_coll_record_decode(p, len, &r) == RN_OK && r.op != RN_COLL_OP_PUT)
			memcpy((*out)[(*n)++], r.tomb, RN_COLL_ID_LEN);
	return RN_OK;
}

enum rn_err
rn_coll_verifier_gc(struct rn_coll_verifier *v, size_t *removed)
{
	uint8_t(*extra)[RN_COLL_ID_LEN] = NULL;
	size_t	    n;
	enum rn_err err;

	if ((err = tombstones(v, &extra, &n)) == RN_OK)
		err = rn_coll_store_gc(v->store, (const uint8_t(*)[32])v->st.manifest, 1,
		    (const uint8_t(*)[32])extra, n, removed);
	free(extra);
	return err;
}
