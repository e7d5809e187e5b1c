/*
 * The change records of one commit, checked against the manifest before it:
 * each document and its content for a put, the tombstone for a retract or a
 * purge, the deny list, and the threshold each change needs.  The records,
 * in strictly increasing key order, give the new manifest, which must be the
 * one the commit names.
 */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

struct rec_ctx {
	struct rn_coll_verifier *v;
	struct rn_coll_store	*stage;
	const uint8_t		*manifest;
	unsigned		*need;
	struct rn_buf		*deny;
};

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RN_COLL_ID_LEN);
}

bool
rn_coll_verifier_denied(const struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN])
{
	return v->ndeny > 0 && bsearch(id, v->deny, v->ndeny, RN_COLL_ID_LEN, cmp_id) != NULL;
}

enum rn_err
verify_deny_add(struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN])
{
	size_t i;

	if (rn_coll_verifier_denied(v, id))
		return RN_ERR_EXISTS;
	if (v->ndeny >= RN_COLL_MAX_DENY)
		return RN_ERR_TOOBIG;
	if (v->ndeny == v->capdeny) {
		size_t cap = v->capdeny ? v->capdeny * 2 : 16;
		void  *p;

		if ((p = realloc(v->deny, cap * RN_COLL_ID_LEN)) == NULL)
			return RN_ERR_NOMEM;
		v->deny = p;
		v->capdeny = cap;
	}
	for (i = v->ndeny; i > 0 && memcmp(v->deny[i - 1], id, RN_COLL_ID_LEN) > 0; i--)
		memcpy(v->deny[i], v->deny[i - 1], RN_COLL_ID_LEN);
	memcpy(v->deny[i], id, RN_COLL_ID_LEN);
	v->ndeny++;
	return RN_OK;
}

static void
need_at_least(struct rec_ctx *x, enum rn_coll_policy p)
{
	if (x->v->root->threshold[p] > *x->need)
		*x->need = x->v->root->threshold[p];
}

static void
need_any_section(struct rec_ctx *x)
{
	need_at_least(x, RN_COLL_POL_BULLETIN);
	need_at_least(x, RN_COLL_POL_TACTIC);
	need_at_least(x, RN_COLL_POL_CONFLICT);
}

static enum rn_err
load_doc(struct rec_ctx *x, const uint8_t id[RN_COLL_ID_LEN], struct rn_coll_doc *doc)
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	err = rn_coll_store_get(x->stage, id, RN_COLL_DOC, &b);
	if (err == RN_ERR_PROTO)
		verify_fail(x->v, err, "object presented as a document is of another type");
	else if (err != RN_OK)
		verify_fail(x->v, err, "document object missing or damaged");
	else if ((err = rn_coll_doc_decode((const uint8_t *)b.data, b.len, doc)) != RN_OK)
		verify_fail(x->v, err, "malformed document metadata");
	rn_buf_free(&b);
	return err;
}

static enum rn_err
check_content(struct rec_ctx *x, const struct rn_coll_ref *ref, size_t threshold)
{
	enum rn_err err;

	if (rn_coll_verifier_denied(x->v, ref->id))
		return verify_fail(x->v, RN_ERR_PERM, "content on the deny list");
	if ((err = rn_coll_store_check_content(x->stage, ref, threshold, NULL)) != RN_OK)
		return verify_fail(x->v, err, "document content missing, damaged or mis-chunked");
	return RN_OK;
}

static enum rn_err
check_put(struct rec_ctx *x, const struct rn_coll_record *r, const struct rn_coll_entry *cur,
    struct rn_coll_change *ch)
{
	struct rn_coll_doc *doc;
	uint8_t		    key[RN_COLL_ID_LEN];
	size_t		    i;
	enum rn_err	    err;

	if (rn_coll_verifier_denied(x->v, r->doc))
		return verify_fail(x->v, RN_ERR_PERM, "document on the deny list");
	if (cur != NULL && cur->status == RN_COLL_LIVE && memcmp(cur->doc, r->doc, 32) == 0)
		return verify_fail(x->v, RN_ERR_PROTO, "a put that changes nothing");
	if (!rn_coll_store_has(x->stage, r->doc) && verify_expected(x->v, r->doc)) {
		/* Purged later: the content is gone; ask for the strongest section. */
		need_any_section(x);
		ch->e.status = RN_COLL_LIVE;
		return RN_OK;
	}
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = load_doc(x, r->doc, doc)) != RN_OK)
		goto out;
	if ((err = rn_coll_key(doc->id, strlen(doc->id), key)) != RN_OK)
		goto out;
	if (memcmp(key, r->key, RN_COLL_ID_LEN) != 0) {
		err = verify_fail(x->v, RN_ERR_PROTO, "record key is not its document's");
		goto out;
	}
	if ((err = check_content(x, &doc->body, RN_COLL_BODY_CHUNK_AT)) != RN_OK)
		goto out;
	for (i = 0; i < doc->natt && err == RN_OK; i++)
		err = check_content(x, &doc->att[i].ref, RN_COLL_ATT_CHUNK_AT);
	if (err != RN_OK)
		goto out;
	need_at_least(x, (enum rn_coll_policy)(doc->section - 1));
	/* Undoing a retraction takes as many editors as the retraction. */
	if (cur != NULL && cur->status == RN_COLL_RETRACTED)
		need_at_least(x, RN_COLL_POL_RETRACT);
	/* Replacing a document needs the old section's threshold too. */
	if (cur != NULL && !rn_coll_store_has(x->stage, cur->doc) &&
	    verify_expected(x->v, cur->doc)) {
		need_any_section(x);
	} else if (cur != NULL && (err = load_doc(x, cur->doc, doc)) == RN_OK) {
		need_at_least(x, (enum rn_coll_policy)(doc->section - 1));
	}
	ch->e.status = RN_COLL_LIVE;
out:
	free(doc);
	return err;
}

static enum rn_err
check_tomb(struct rec_ctx *x, const struct rn_coll_record *r)
{
	struct rn_coll_tombstone *t;
	struct rn_buf		  b;
	enum rn_err		  err;

	if ((t = malloc(sizeof(*t))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(x->stage, r->tomb, RN_COLL_TOMBSTONE, &b)) != RN_OK)
		verify_fail(x->v, err, "tombstone missing, damaged or of another type");
	else if ((err = rn_coll_tombstone_decode((const uint8_t *)b.data, b.len, t)) != RN_OK)
		verify_fail(x->v, err, "malformed tombstone");
	else if (t->op != r->op || memcmp(t->key, r->key, 32) != 0 ||
		 memcmp(t->doc, r->doc, 32) != 0)
		err = verify_fail(x->v, RN_ERR_PROTO, "tombstone does not match its record");
	rn_buf_free(&b);
	free(t);
	return err;
}

/* A purged document's ids: the metadata and its top-level content objects. */
static enum rn_err
deny_doc(struct rec_ctx *x, const uint8_t id[RN_COLL_ID_LEN])
{
	struct rn_coll_doc *doc;
	size_t		    i;
	enum rn_err	    err;

	if ((err = rn_buf_append(x->deny, id, RN_COLL_ID_LEN)) != RN_OK)
		return err;
	if (!rn_coll_store_has(x->stage, id) && verify_expected(x->v, id))
		return RN_OK; /* its content never reached this replica */
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = load_doc(x, id, doc)) == RN_OK) {
		err = rn_buf_append(x->deny, doc->body.id, RN_COLL_ID_LEN);
		for (i = 0; i < doc->natt && err == RN_OK; i++)
			err = rn_buf_append(x->deny, doc->att[i].ref.id, RN_COLL_ID_LEN);
	}
	free(doc);
	return err;
}

static enum rn_err
check_record(struct rec_ctx *x, const struct rn_coll_record *r, struct rn_coll_change *ch)
{
	struct rn_coll_entry cur;
	bool		     have;
	enum rn_err	     err;

	err = rn_coll_trie_get(x->stage, x->manifest, r->key, &cur);
	if (err != RN_OK && err != RN_ERR_NOTFOUND)
		return verify_fail(x->v, err, "the previous manifest is missing or damaged");
	have = err == RN_OK;
	memset(ch, 0, sizeof(*ch));
	memcpy(ch->e.key, r->key, RN_COLL_ID_LEN);
	memcpy(ch->e.doc, r->doc, RN_COLL_ID_LEN);
	if (r->op == RN_COLL_OP_PUT)
		return check_put(x, r, have ? &cur : NULL, ch);
	if (!have || memcmp(cur.doc, r->doc, RN_COLL_ID_LEN) != 0)
		return verify_fail(x->v, RN_ERR_PROTO, "retract or purge of a document not there");
	if ((err = check_tomb(x, r)) != RN_OK)
		return err;
	if (r->op == RN_COLL_OP_RETRACT) {
		if (cur.status != RN_COLL_LIVE)
			return verify_fail(x->v, RN_ERR_PROTO, "document already retracted");
		need_at_least(x, RN_COLL_POL_RETRACT);
		ch->e.status = RN_COLL_RETRACTED;
		return RN_OK;
	}
	need_at_least(x, RN_COLL_POL_PURGE);
	ch->del = true;
	return deny_doc(x, r->doc);
}

enum rn_err
verify_records(struct rn_coll_verifier *v, struct rn_coll_store *stage,
    const struct rn_coll_commit *c, uint64_t from, unsigned *need, struct rn_buf *deny)
{
	struct rec_ctx	       x = { v, stage, v->st.manifest, need, deny };
	struct rn_coll_change *ch;
	struct rn_coll_record  r;
	uint64_t	       i, n = rn_coll_log_size(v->log) - from;
	uint8_t		       root[RN_COLL_ID_LEN];
	const uint8_t	      *p;
	size_t		       len;
	enum rn_err	       err = RN_OK;

	if ((ch = calloc((size_t)n, sizeof(*ch))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < n && err == RN_OK; i++) {
		if ((err = rn_coll_log_record(v->log, from + i, &p, &len)) != RN_OK ||
		    (err = rn_coll_record_decode(p, len, &r)) != RN_OK)
			break;
		if (i > 0 && memcmp(ch[i - 1].e.key, r.key, RN_COLL_ID_LEN) >= 0)
			err = verify_fail(
			    v, RN_ERR_PROTO, "records not in strictly increasing key order");
		else
			err = check_record(&x, &r, &ch[i]);
	}
	if (err != RN_OK)
		goto out;
	if ((err = rn_coll_trie_update(stage, v->st.manifest, ch, (size_t)n, root)) != RN_OK) {
		verify_fail(v, err, "cannot apply the records to the manifest");
		goto out;
	}
	if (memcmp(root, c->manifest, RN_COLL_ID_LEN) != 0)
		err = verify_fail(v, RN_ERR_CRYPTO, "manifest root differs from the commit's");
out:
	free(ch);
	return err;
}
