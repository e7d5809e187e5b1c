/*
 * The manifest: a 16-way trie over 256-bit keys (hashed document ids), one
 * nibble per level, most significant first.  A subtree of at most
 * RN_COLL_TRIE_BUCKET entries is one leaf; a larger one is a branch whose
 * children split it by the next nibble.  The shape depends on the set of
 * entries alone, so the same documents give the same root whoever builds
 * it, and a change rewrites only the nodes on the changed keys' paths.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"

#define MAX_DEPTH 64u

/* A growable array of entries. */
struct entries {
	struct rn_coll_entry *e;
	size_t		      n, cap;
};

static enum rn_err
ents_push(struct entries *l, const struct rn_coll_entry *e)
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

static unsigned
nibble(const uint8_t key[RN_COLL_ID_LEN], unsigned d)
{
	return (d & 1) ? key[d / 2] & 0x0fu : key[d / 2] >> 4;
}

enum rn_err
rn_coll_node_encode(const struct rn_coll_node *node, struct rn_buf *out)
{
	uint8_t	    hdr[2] = { node->kind, node->depth };
	size_t	    i;
	enum rn_err err;

	if ((err = rn_buf_append(out, hdr, 2)) != RN_OK)
		return err;
	if (node->kind == RN_COLL_NODE_LEAF) {
		uint8_t c = (uint8_t)node->count;

		if ((err = rn_buf_append(out, &c, 1)) != RN_OK)
			return err;
		for (i = 0; i < node->count && err == RN_OK; i++) {
			if ((err = rn_buf_append(out, node->e[i].key, RN_COLL_ID_LEN)) == RN_OK &&
			    (err = rn_buf_append(out, &node->e[i].status, 1)) == RN_OK)
				err = rn_buf_append(out, node->e[i].doc, RN_COLL_ID_LEN);
		}
		return err;
	}
	{
		uint8_t map[2] = { (uint8_t)(node->map >> 8), (uint8_t)node->map };

		if ((err = rn_coll_put_varint(out, node->count)) != RN_OK ||
		    (err = rn_buf_append(out, map, 2)) != RN_OK)
			return err;
	}
	for (i = 0; i < 16 && err == RN_OK; i++)
		if (node->map & (1u << i))
			err = rn_buf_append(out, node->child[i], RN_COLL_ID_LEN);
	return err;
}

static enum rn_err
decode_leaf(struct rn_coll_rd *r, struct rn_coll_node *node)
{
	const uint8_t *p;
	size_t	       i;

	if (rn_coll_rd_fixed(r, 1, &p) != RN_OK || *p > RN_COLL_TRIE_BUCKET)
		return RN_ERR_INVAL;
	node->count = *p;
	if (node->count == 0 && node->depth != 0)
		return RN_ERR_INVAL;
	for (i = 0; i < node->count; i++) {
		struct rn_coll_entry *e = &node->e[i];

		if (rn_coll_rd_fixed(r, 2 * RN_COLL_ID_LEN + 1, &p) != RN_OK)
			return RN_ERR_INVAL;
		memcpy(e->key, p, RN_COLL_ID_LEN);
		e->status = p[RN_COLL_ID_LEN];
		memcpy(e->doc, p + RN_COLL_ID_LEN + 1, RN_COLL_ID_LEN);
		if (e->status > RN_COLL_RETRACTED)
			return RN_ERR_INVAL;
		if (i > 0 && memcmp(node->e[i - 1].key, e->key, RN_COLL_ID_LEN) >= 0)
			return RN_ERR_INVAL;
	}
	return rn_coll_rd_end(r);
}

enum rn_err
rn_coll_node_decode(const uint8_t *p, size_t n, struct rn_coll_node *node)
{
	struct rn_coll_rd r;
	const uint8_t	 *h, *id;
	size_t		  i;

	memset(node, 0, sizeof(*node));
	rn_coll_rd_init(&r, p, n);
	if (rn_coll_rd_fixed(&r, 2, &h) != RN_OK || h[0] > RN_COLL_NODE_BRANCH || h[1] >= MAX_DEPTH)
		return RN_ERR_INVAL;
	node->kind = h[0];
	node->depth = h[1];
	if (node->kind == RN_COLL_NODE_LEAF)
		return decode_leaf(&r, node);
	/* A branch at depth 63 would hold more than 16 keys differing in one nibble. */
	if (node->depth >= MAX_DEPTH - 1 ||
	    rn_coll_rd_varint(&r, RN_COLL_MAX_DOCS, &node->count) != RN_OK ||
	    node->count <= RN_COLL_TRIE_BUCKET || rn_coll_rd_fixed(&r, 2, &h) != RN_OK)
		return RN_ERR_INVAL;
	node->map = (uint16_t)((h[0] << 8) | h[1]);
	if (node->map == 0)
		return RN_ERR_INVAL;
	for (i = 0; i < 16; i++) {
		if (!(node->map & (1u << i)))
			continue;
		if (rn_coll_rd_fixed(&r, RN_COLL_ID_LEN, &id) != RN_OK)
			return RN_ERR_INVAL;
		memcpy(node->child[i], id, RN_COLL_ID_LEN);
	}
	return rn_coll_rd_end(&r);
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

static enum rn_err
save(struct rn_coll_store *s, const struct rn_coll_node *node, uint8_t id[RN_COLL_ID_LEN])
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_node_encode(node, &b)) == RN_OK)
		err = rn_coll_store_put(s, RN_COLL_NODE, b.data, b.len, id);
	rn_buf_free(&b);
	return err;
}

/* The subtree of n sorted, distinct entries at depth; its root id. */
static enum rn_err
build(struct rn_coll_store *s, const struct rn_coll_entry *e, size_t n, unsigned depth,
    uint8_t id[RN_COLL_ID_LEN])
{
	struct rn_coll_node *node;
	size_t		     i, j;
	enum rn_err	     err = RN_OK;

	if ((node = calloc(1, sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	node->depth = (uint8_t)depth;
	node->count = n;
	if (n <= RN_COLL_TRIE_BUCKET) {
		node->kind = RN_COLL_NODE_LEAF;
		if (n > 0)
			memcpy(node->e, e, n * sizeof(*e));
	} else if (depth >= MAX_DEPTH - 1) {
		err = RN_ERR_INVAL; /* only duplicate keys get here */
	} else {
		node->kind = RN_COLL_NODE_BRANCH;
		for (i = 0; i < n && err == RN_OK; i = j) {
			unsigned nb = nibble(e[i].key, depth);

			for (j = i + 1; j < n && nibble(e[j].key, depth) == nb; j++)
				;
			node->map |= (uint16_t)(1u << nb);
			err = build(s, e + i, j - i, depth + 1, node->child[nb]);
		}
	}
	if (err == RN_OK)
		err = save(s, node, id);
	free(node);
	return err;
}

static int
cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_entry *)a)->key,
	    ((const struct rn_coll_entry *)b)->key, RN_COLL_ID_LEN);
}

enum rn_err
rn_coll_trie_empty(struct rn_coll_store *s, uint8_t root[RN_COLL_ID_LEN])
{
	return build(s, NULL, 0, 0, root);
}

enum rn_err
rn_coll_trie_build(
    struct rn_coll_store *s, const struct rn_coll_entry *e, size_t n, uint8_t root[RN_COLL_ID_LEN])
{
	struct rn_coll_entry *sorted;
	size_t		      i;
	enum rn_err	      err = RN_OK;

	if (n > RN_COLL_MAX_DOCS)
		return RN_ERR_TOOBIG;
	if (n == 0)
		return rn_coll_trie_empty(s, root);
	if ((sorted = malloc(n * sizeof(*sorted))) == NULL)
		return RN_ERR_NOMEM;
	memcpy(sorted, e, n * sizeof(*e));
	qsort(sorted, n, sizeof(*sorted), cmp_entry);
	for (i = 1; i < n; i++)
		if (memcmp(sorted[i - 1].key, sorted[i].key, RN_COLL_ID_LEN) == 0)
			err = RN_ERR_EXISTS;
	if (err == RN_OK)
		err = build(s, sorted, n, 0, root);
	free(sorted);
	return err;
}

/* Every entry of the subtree at id, in key order; node_fn (may be NULL) sees each node. */
static enum rn_err
gather(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], unsigned depth,
    struct entries *out, rn_coll_node_fn node_fn, void *arg)
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
			err = ents_push(out, &node->e[i]);
		goto out;
	}
	for (i = 0; i < 16 && err == RN_OK; i++)
		if (node->map & (1u << i))
			err = gather(s, node->child[i], depth + 1, out, node_fn, arg);
out:
	free(node);
	return err;
}

/* Merge sorted entries with sorted changes. */
static enum rn_err
merge(const struct rn_coll_entry *e, size_t n, const struct rn_coll_change *c, size_t nc,
    struct entries *out)
{
	size_t	    i = 0, j = 0;
	enum rn_err err = RN_OK;

	while (err == RN_OK && (i < n || j < nc)) {
		int d = i == n ? 1 : j == nc ? -1 : memcmp(e[i].key, c[j].e.key, RN_COLL_ID_LEN);

		if (d < 0) {
			err = ents_push(out, &e[i++]);
			continue;
		}
		if (d > 0 && c[j].del)
			return RN_ERR_NOTFOUND;
		if (!c[j].del)
			err = ents_push(out, &c[j].e);
		if (d == 0)
			i++;
		j++;
	}
	return err;
}

struct upd {
	uint8_t	 id[RN_COLL_ID_LEN];
	uint64_t count; /* entries below after the update; 0: the subtree is gone */
};

static enum rn_err update(struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], unsigned depth,
    const struct rn_coll_change *c, size_t nc, struct upd *res);

/* Apply changes to one child slot of a branch (absent: build it from the changes). */
static enum rn_err
update_child(struct rn_coll_store *s, struct rn_coll_node *node, unsigned nb, unsigned depth,
    const struct rn_coll_change *c, size_t nc, uint64_t *total)
{
	struct entries l = { NULL, 0, 0 };
	struct upd     res;
	enum rn_err    err;

	if (node->map & (1u << nb)) {
		struct rn_coll_node *child;
		uint64_t	     before;

		if ((child = malloc(sizeof(*child))) == NULL)
			return RN_ERR_NOMEM;
		err = load(s, node->child[nb], depth + 1, child);
		before = child->count;
		free(child);
		if (err != RN_OK ||
		    (err = update(s, node->child[nb], depth + 1, c, nc, &res)) != RN_OK)
			return err;
		*total = *total - before + res.count;
	} else {
		/* A new subtree: only additions can apply to it. */
		for (size_t i = 0; i < nc; i++)
			if ((err = c[i].del ? RN_ERR_NOTFOUND : ents_push(&l, &c[i].e)) != RN_OK)
				goto out;
		res.count = l.n;
		if (l.n > 0 && (err = build(s, l.e, l.n, depth + 1, res.id)) != RN_OK)
			goto out;
		*total += res.count;
	}
	if (res.count == 0)
		node->map &= (uint16_t) ~(1u << nb);
	else {
		node->map |= (uint16_t)(1u << nb);
		memcpy(node->child[nb], res.id, RN_COLL_ID_LEN);
	}
	err = RN_OK;
out:
	free(l.e);
	return err;
}

static enum rn_err
update_branch(struct rn_coll_store *s, struct rn_coll_node *node, unsigned depth,
    const struct rn_coll_change *c, size_t nc, struct upd *res)
{
	struct entries l = { NULL, 0, 0 };
	uint64_t       total = node->count;
	size_t	       i, j;
	enum rn_err    err = RN_OK;

	for (i = 0; i < nc && err == RN_OK; i = j) {
		unsigned nb = nibble(c[i].e.key, depth);

		for (j = i + 1; j < nc && nibble(c[j].e.key, depth) == nb; j++)
			;
		err = update_child(s, node, nb, depth, c + i, j - i, &total);
	}
	if (err != RN_OK)
		return err;
	res->count = total;
	if (total > RN_COLL_TRIE_BUCKET) {
		node->count = total;
		return save(s, node, res->id);
	}
	/* Small enough for one leaf again: collapse. */
	for (i = 0; i < 16 && err == RN_OK; i++)
		if (node->map & (1u << i))
			err = gather(s, node->child[i], depth + 1, &l, NULL, NULL);
	if (err == RN_OK && l.n > 0)
		err = build(s, l.e, l.n, depth, res->id);
	free(l.e);
	return err;
}

static enum rn_err
update(struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], unsigned depth,
    const struct rn_coll_change *c, size_t nc, struct upd *res)
{
	struct rn_coll_node *node;
	struct entries	     l = { NULL, 0, 0 };
	enum rn_err	     err;

	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = load(s, id, depth, node)) != RN_OK)
		goto out;
	if (node->kind == RN_COLL_NODE_BRANCH) {
		err = update_branch(s, node, depth, c, nc, res);
		goto out;
	}
	if ((err = merge(node->e, (size_t)node->count, c, nc, &l)) != RN_OK)
		goto out;
	res->count = l.n;
	if (l.n > 0 || depth == 0)
		err = build(s, l.e, l.n, depth, res->id);
out:
	free(l.e);
	free(node);
	return err;
}

enum rn_err
rn_coll_trie_update(struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const struct rn_coll_change *c, size_t n, uint8_t newroot[RN_COLL_ID_LEN])
{
	struct upd  res;
	size_t	    i;
	enum rn_err err;

	for (i = 1; i < n; i++)
		if (memcmp(c[i - 1].e.key, c[i].e.key, RN_COLL_ID_LEN) >= 0)
			return RN_ERR_INVAL;
	for (i = 0; i < n; i++)
		if (!c[i].del && c[i].e.status > RN_COLL_RETRACTED)
			return RN_ERR_INVAL;
	if (n == 0) {
		memcpy(newroot, root, RN_COLL_ID_LEN);
		return RN_OK;
	}
	if ((err = update(s, root, 0, c, n, &res)) != RN_OK)
		return err;
	if (res.count == 0)
		return rn_coll_trie_empty(s, newroot);
	if (res.count > RN_COLL_MAX_DOCS)
		return RN_ERR_TOOBIG;
	memcpy(newroot, res.id, RN_COLL_ID_LEN);
	return RN_OK;
}

enum rn_err
rn_coll_trie_get(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const uint8_t key[RN_COLL_ID_LEN], struct rn_coll_entry *out)
{
	struct rn_coll_node *node;
	uint8_t		     id[RN_COLL_ID_LEN];
	unsigned	     depth;
	size_t		     i;
	enum rn_err	     err = RN_ERR_NOTFOUND;

	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	memcpy(id, root, RN_COLL_ID_LEN);
	for (depth = 0; depth < MAX_DEPTH; depth++) {
		unsigned nb = nibble(key, depth);

		if ((err = load(s, id, depth, node)) != RN_OK)
			break;
		err = RN_ERR_NOTFOUND;
		if (node->kind == RN_COLL_NODE_LEAF) {
			for (i = 0; i < node->count; i++)
				if (memcmp(node->e[i].key, key, RN_COLL_ID_LEN) == 0) {
					*out = node->e[i];
					err = RN_OK;
				}
			break;
		}
		if (!(node->map & (1u << nb)))
			break;
		memcpy(id, node->child[nb], RN_COLL_ID_LEN);
	}
	free(node);
	return err;
}

struct walk {
	const struct rn_coll_store *s;
	rn_coll_entry_fn	    fn;
	void			   *arg;
	uint8_t			    path[MAX_DEPTH];
};

/* Check the subtree at id fully; *count gets its entries. */
static enum rn_err
walk(struct walk *w, const uint8_t id[RN_COLL_ID_LEN], unsigned depth, uint64_t *count)
{
	struct rn_coll_node *node;
	uint64_t	     sum = 0, c;
	unsigned	     i, d;
	enum rn_err	     err;

	if ((node = malloc(sizeof(*node))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = load(w->s, id, depth, node)) != RN_OK)
		goto out;
	if (node->kind == RN_COLL_NODE_LEAF) {
		for (i = 0; i < node->count && err == RN_OK; i++) {
			for (d = 0; d < depth; d++)
				if (nibble(node->e[i].key, d) != w->path[d])
					err = RN_ERR_INVAL;
			if (err == RN_OK && w->fn != NULL)
				err = w->fn(&node->e[i], w->arg);
		}
		*count = node->count;
		goto out;
	}
	for (i = 0; i < 16 && err == RN_OK; i++) {
		if (!(node->map & (1u << i)))
			continue;
		w->path[depth] = (uint8_t)i;
		if ((err = walk(w, node->child[i], depth + 1, &c)) == RN_OK)
			sum += c;
	}
	if (err == RN_OK && sum != node->count)
		err = RN_ERR_INVAL;
	*count = sum;
out:
	free(node);
	return err;
}

enum rn_err
rn_coll_trie_walk(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    rn_coll_entry_fn fn, void *arg, uint64_t *count)
{
	struct walk w;
	uint64_t    c = 0;
	enum rn_err err;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.fn = fn;
	w.arg = arg;
	err = walk(&w, root, 0, &c);
	if (count != NULL)
		*count = c;
	return err;
}
