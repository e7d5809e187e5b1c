/*
 * Manifest differences (what a peer at one root lacks to reach another) and
 * proofs of inclusion or absence (the node payloads on a key's path).
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"

struct diff {
	const struct rn_coll_store *s;
	rn_coll_node_fn		    node_fn;
	rn_coll_diff_fn		    entry_fn;
	void			   *arg;
};

struct list {
	struct rn_coll_entry *e;
	size_t		      n, cap;
};

struct gather_ctx {
	struct list    *l;
	rn_coll_node_fn node_fn;
	void	       *arg;
};

static enum rn_err
push(struct list *l, const struct rn_coll_entry *e)
{
	if (l->n == l->cap) {
		size_t		      cap = l->cap ? l->cap * 2 : 32;
		struct rn_coll_entry *p;

		if (cap > RN_COLL_MAX_DOCS + 1u)
			return RN_ERR_TOOBIG;
		if ((p = realloc(l->e, cap * sizeof(*p))) == NULL)
			return RN_ERR_NOMEM;
		l->e = p;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return RN_OK;
}

static enum rn_err
load(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], unsigned depth,
    struct rn_coll_node *node)
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(s, id, RN_COLL_NODE, &b)) == RN_OK) {
		err = rn_coll_node_decode((const uint8_t *)b.data, b.len, node);
		if (err == RN_OK && node->depth != depth)
			err = RN_ERR_INVAL;
	}
	rn_buf_free(&b);
	return err;
}

/* Entries of the subtree (all), reporting its nodes to node_fn when set. */
static enum rn_err
collect(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], unsigned depth,
    struct list *l, rn_coll_node_fn node_fn, void *arg)
{
	struct rn_coll_node *node;
	size_t		     i;
	enum rn_err	     err;

	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = load(s, id, depth, node)) != RN_OK)
		goto out;
	if (node_fn != NULL && (err = node_fn(id, arg)) != RN_OK)
		goto out;
	if (node->kind == RN_COLL_NODE_LEAF) {
		for (i = 0; i < node->count && err == RN_OK; i++)
			err = push(l, &node->e[i]);
		goto out;
	}
	for (i = 0; i < 16 && err == RN_OK; i++)
		if (node->map & (1u << i))
			err = collect(s, node->child[i], depth + 1, l, node_fn, arg);
out:
	free(node);
	return err;
}

static bool
same_entry(const struct rn_coll_entry *a, const struct rn_coll_entry *b)
{
	return a->status == b->status && memcmp(a->doc, b->doc, RN_COLL_ID_LEN) == 0;
}

/* Report the differences between two sorted lists. */
static enum rn_err
diff_lists(struct diff *d, const struct list *a, const struct list *b)
{
	size_t	    i = 0, j = 0;
	enum rn_err err = RN_OK;

	if (d->entry_fn == NULL)
		return RN_OK;
	while (err == RN_OK && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 : memcmp(a->e[i].key, b->e[j].key, 32);

		if (c < 0)
			err = d->entry_fn(&a->e[i++], NULL, d->arg);
		else if (c > 0)
			err = d->entry_fn(NULL, &b->e[j++], d->arg);
		else {
			if (!same_entry(&a->e[i], &b->e[j]))
				err = d->entry_fn(&a->e[i], &b->e[j], d->arg);
			i++;
			j++;
		}
	}
	return err;
}

static enum rn_err
diff_nodes(struct diff *d, const uint8_t *a, const uint8_t *b, unsigned depth)
{
	struct rn_coll_node *na = NULL, *nb = NULL;
	struct list	     la = { NULL, 0, 0 }, lb = { NULL, 0, 0 };
	unsigned	     i;
	enum rn_err	     err = RN_OK;

	if (a != NULL && b != NULL && memcmp(a, b, RN_COLL_ID_LEN) == 0)
		return RN_OK;
	if ((na = malloc(sizeof(*na))) == NULL || (nb = malloc(sizeof(*nb))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if (a != NULL && b != NULL && (err = load(d->s, a, depth, na)) == RN_OK &&
	    (err = load(d->s, b, depth, nb)) == RN_OK && na->kind == RN_COLL_NODE_BRANCH &&
	    nb->kind == RN_COLL_NODE_BRANCH) {
		if (d->node_fn != NULL && (err = d->node_fn(b, d->arg)) != RN_OK)
			goto out;
		for (i = 0; i < 16 && err == RN_OK; i++) {
			const uint8_t *ca = na->map & (1u << i) ? na->child[i] : NULL;
			const uint8_t *cb = nb->map & (1u << i) ? nb->child[i] : NULL;

			if (ca != NULL || cb != NULL)
				err = diff_nodes(d, ca, cb, depth + 1);
		}
		goto out;
	}
	if (err != RN_OK)
		goto out;
	/* A leaf on either side: compare the two subtrees' entries. */
	if (a != NULL && (err = collect(d->s, a, depth, &la, NULL, NULL)) != RN_OK)
		goto out;
	if (b != NULL && (err = collect(d->s, b, depth, &lb, d->node_fn, d->arg)) != RN_OK)
		goto out;
	err = diff_lists(d, &la, &lb);
out:
	free(la.e);
	free(lb.e);
	free(na);
	free(nb);
	return err;
}

enum rn_err
rn_coll_trie_diff(const struct rn_coll_store *s, const uint8_t from[RN_COLL_ID_LEN],
    const uint8_t to[RN_COLL_ID_LEN], rn_coll_node_fn node_fn, rn_coll_diff_fn entry_fn, void *arg)
{
	struct diff d = { s, node_fn, entry_fn, arg };

	return diff_nodes(&d, from, to, 0);
}

static unsigned
nibble(const uint8_t key[RN_COLL_ID_LEN], unsigned d)
{
	return (d & 1) ? key[d / 2] & 0x0fu : key[d / 2] >> 4;
}

enum rn_err
rn_coll_trie_prove(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const uint8_t key[RN_COLL_ID_LEN], struct rn_buf *proof)
{
	struct rn_coll_node *node;
	struct rn_buf	     b;
	uint8_t		     id[RN_COLL_ID_LEN];
	unsigned	     depth;
	enum rn_err	     err = RN_OK;

	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	memcpy(id, root, RN_COLL_ID_LEN);
	for (depth = 0; depth < 64 && err == RN_OK; depth++) {
		unsigned nb = nibble(key, depth);

		if ((err = rn_coll_store_get(s, id, RN_COLL_NODE, &b)) != RN_OK ||
		    (err = rn_coll_node_decode((const uint8_t *)b.data, b.len, node)) != RN_OK ||
		    (err = rn_coll_put_bytes(proof, b.data, b.len)) != RN_OK)
			break;
		if (node->kind == RN_COLL_NODE_LEAF || !(node->map & (1u << nb)))
			break;
		memcpy(id, node->child[nb], RN_COLL_ID_LEN);
	}
	rn_buf_free(&b);
	free(node);
	return err;
}

enum rn_err
rn_coll_trie_verify_proof(const uint8_t root[RN_COLL_ID_LEN], const uint8_t key[RN_COLL_ID_LEN],
    const uint8_t *proof, size_t n, bool *present, struct rn_coll_entry *out)
{
	struct rn_coll_node *node;
	struct rn_coll_rd    r;
	const uint8_t	    *p;
	size_t		     len, i;
	uint8_t		     want[RN_COLL_ID_LEN], id[RN_COLL_ID_LEN];
	unsigned	     depth;
	enum rn_err	     err = RN_ERR_INVAL;

	*present = false;
	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	rn_coll_rd_init(&r, proof, n);
	memcpy(want, root, RN_COLL_ID_LEN);
	for (depth = 0; depth < 64; depth++) {
		unsigned nb = nibble(key, depth);

		if (rn_coll_rd_bytes(&r, RN_COLL_MAX_OBJECT, &p, &len) != RN_OK ||
		    rn_coll_id(RN_COLL_NODE, p, len, id) != RN_OK)
			break;
		if (memcmp(id, want, RN_COLL_ID_LEN) != 0) {
			err = RN_ERR_CRYPTO;
			break;
		}
		if (rn_coll_node_decode(p, len, node) != RN_OK || node->depth != depth)
			break;
		if (node->kind == RN_COLL_NODE_LEAF || !(node->map & (1u << nb))) {
			if (node->kind == RN_COLL_NODE_LEAF)
				for (i = 0; i < node->count; i++)
					if (memcmp(node->e[i].key, key, RN_COLL_ID_LEN) == 0) {
						*present = true;
						*out = node->e[i];
					}
			err = rn_coll_rd_end(&r);
			break;
		}
		memcpy(want, node->child[nb], RN_COLL_ID_LEN);
	}
	if (err != RN_OK)
		*present = false;
	free(node);
	return err;
}
