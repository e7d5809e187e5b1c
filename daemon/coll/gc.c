/*
 * The collector: mark everything reachable from the given manifest roots
 * (nodes, document metadata, content objects and chunks) and the extra ids,
 * then delete every other object.  Marking reads and checks each object, so
 * a store missing something a root needs is reported and left untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"

struct mark {
	const struct rn_coll_store *s;
	uint8_t (*ids)[RN_COLL_ID_LEN];
	size_t	      n, cap;
	struct rn_buf b;
};

static enum rn_err
mark_id(struct mark *m, const uint8_t id[RN_COLL_ID_LEN])
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		void  *p;

		if ((p = realloc(m->ids, cap * RN_COLL_ID_LEN)) == NULL)
			return RN_ERR_NOMEM;
		m->ids = p;
		m->cap = cap;
	}
	memcpy(m->ids[m->n++], id, RN_COLL_ID_LEN);
	return RN_OK;
}

static enum rn_err
mark_content(struct mark *m, const struct rn_coll_ref *ref)
{
	struct rn_coll_chunklist cl;
	size_t			 i;
	enum rn_err		 err;

	if ((err = mark_id(m, ref->id)) != RN_OK || ref->type != RN_COLL_CHUNKLIST)
		return err;
	if ((err = rn_coll_store_get(m->s, ref->id, RN_COLL_CHUNKLIST, &m->b)) != RN_OK ||
	    (err = rn_coll_chunklist_decode((const uint8_t *)m->b.data, m->b.len, &cl)) != RN_OK)
		return err;
	for (i = 0; i < cl.n && err == RN_OK; i++)
		err = mark_id(m, cl.ids[i]);
	rn_coll_chunklist_clear(&cl);
	return err;
}

static enum rn_err
mark_doc(struct mark *m, const uint8_t id[RN_COLL_ID_LEN])
{
	struct rn_coll_doc *doc;
	size_t		    i;
	enum rn_err	    err;

	if ((err = mark_id(m, id)) != RN_OK)
		return err;
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_coll_store_get(m->s, id, RN_COLL_DOC, &m->b)) == RN_OK &&
	    (err = rn_coll_doc_decode((const uint8_t *)m->b.data, m->b.len, doc)) == RN_OK) {
		err = mark_content(m, &doc->body);
		for (i = 0; i < doc->natt && err == RN_OK; i++)
			err = mark_content(m, &doc->att[i].ref);
	}
	free(doc);
	return err;
}

static enum rn_err
mark_node(struct mark *m, const uint8_t id[RN_COLL_ID_LEN], unsigned depth)
{
	struct rn_coll_node *node;
	size_t		     i;
	enum rn_err	     err;

	if (depth >= 64)
		return RN_ERR_INVAL;
	if ((err = mark_id(m, id)) != RN_OK)
		return err;
	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_coll_store_get(m->s, id, RN_COLL_NODE, &m->b)) != RN_OK ||
	    (err = rn_coll_node_decode((const uint8_t *)m->b.data, m->b.len, node)) != RN_OK)
		goto out;
	if (node->depth != depth) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if (node->kind == RN_COLL_NODE_LEAF) {
		for (i = 0; i < node->count && err == RN_OK; i++)
			err = mark_doc(m, node->e[i].doc);
		goto out;
	}
	for (i = 0; i < 16 && err == RN_OK; i++)
		if (node->map & (1u << i))
			err = mark_node(m, node->child[i], depth + 1);
out:
	free(node);
	return err;
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RN_COLL_ID_LEN);
}

struct sweep {
	struct rn_coll_store *s;
	const struct mark    *m;
	size_t		      removed;
};

static enum rn_err
sweep_one(const uint8_t id[RN_COLL_ID_LEN], void *arg)
{
	struct sweep *w = arg;
	enum rn_err   err;

	if (w->m->n > 0 && bsearch(id, w->m->ids, w->m->n, RN_COLL_ID_LEN, cmp_id) != NULL)
		return RN_OK;
	if ((err = rn_coll_store_delete(w->s, id)) == RN_OK)
		w->removed++;
	return err == RN_ERR_NOTFOUND ? RN_OK : err;
}

enum rn_err
rn_coll_store_gc(struct rn_coll_store *s, const uint8_t (*roots)[RN_COLL_ID_LEN], size_t nroots,
    const uint8_t (*extra)[RN_COLL_ID_LEN], size_t nextra, size_t *removed)
{
	struct mark  m;
	struct sweep w = { s, &m, 0 };
	size_t	     i;
	enum rn_err  err = RN_OK;

	memset(&m, 0, sizeof(m));
	m.s = s;
	rn_buf_init(&m.b, RN_COLL_MAX_OBJECT);
	for (i = 0; i < nroots && err == RN_OK; i++)
		err = mark_node(&m, roots[i], 0);
	for (i = 0; i < nextra && err == RN_OK; i++)
		err = mark_id(&m, extra[i]);
	if (err == RN_OK) {
		if (m.n > 0)
			qsort(m.ids, m.n, RN_COLL_ID_LEN, cmp_id);
		err = rn_coll_store_each(s, sweep_one, &w);
	}
	if (removed != NULL)
		*removed = w.removed;
	rn_buf_free(&m.b);
	free(m.ids);
	return err;
}
