/*
 * The documents of the verified manifest, as the site shows them: each
 * entry's DOC and body from the store, the body parsed by daemon/site with
 * the publishing rules, the log record that put it (for its provenance) and,
 * for a retracted one, the reason its tombstone gives.  A document whose
 * body does not parse or disagrees with its signed metadata (id, section)
 * is logged and left out of the site.
 */
#include <stdlib.h>
#include <string.h>

#include "keeper/render_int.h"
#include "roneo/rn_log.h"

struct entries {
	struct rn_coll_entry *e;
	size_t		      n, cap;
	uint8_t (*tomb)[RN_COLL_ID_LEN]; /* last retraction of each */
	uint64_t *put;			 /* last put record + 1 */
};

static enum rn_err
collect(const struct rn_coll_entry *e, void *arg)
{
	struct entries *x = arg;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		void  *p;

		if (cap > RN_COLL_MAX_DOCS || (p = realloc(x->e, cap * sizeof(*x->e))) == NULL)
			return RN_ERR_NOMEM;
		x->e = p;
		x->cap = cap;
	}
	x->e[x->n++] = *e;
	return RN_OK;
}

static int
cmp_key(const void *key, const void *e)
{
	return memcmp(key, ((const struct rn_coll_entry *)e)->key, RN_COLL_ID_LEN);
}

/* One pass over the log: the last put and the last retraction of every entry. */
static enum rn_err
scan_log(const struct rn_keeper *k, struct entries *x)
{
	const struct rn_coll_log *log = rn_coll_verifier_log(k->v);
	struct rn_coll_record	  r;
	struct rn_coll_entry	 *e;
	const uint8_t		 *p;
	size_t			  n;
	uint64_t		  i, size = rn_coll_log_size(log);
	enum rn_err		  err;

	if ((x->tomb = calloc(x->n + 1, sizeof(*x->tomb))) == NULL ||
	    (x->put = calloc(x->n + 1, sizeof(*x->put))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < size; i++) {
		if ((err = rn_coll_log_record(log, i, &p, &n)) != RN_OK ||
		    (err = rn_coll_record_decode(p, n, &r)) != RN_OK)
			return err;
		if ((e = bsearch(r.key, x->e, x->n, sizeof(*x->e), cmp_key)) == NULL)
			continue;
		if (r.op == RN_COLL_OP_PUT)
			x->put[e - x->e] = i + 1;
		else if (r.op == RN_COLL_OP_RETRACT)
			memcpy(x->tomb[e - x->e], r.tomb, RN_COLL_ID_LEN);
	}
	return RN_OK;
}

static char *
retract_reason(const struct rn_keeper *k, const uint8_t tomb[RN_COLL_ID_LEN])
{
	struct rn_coll_tombstone *t;
	struct rn_buf		  p;
	char			 *reason = NULL;

	if ((t = malloc(sizeof(*t))) == NULL)
		return NULL;
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	if (rn_coll_store_get(k->store, tomb, RN_COLL_TOMBSTONE, &p) == RN_OK &&
	    rn_coll_tombstone_decode((const uint8_t *)p.data, p.len, t) == RN_OK)
		reason = strdup(t->reason);
	rn_buf_free(&p);
	free(t);
	return reason;
}

/* The section daemon/site calls the collection's section. */
static int
site_section(enum rn_coll_section s)
{
	switch (s) {
	case RN_COLL_SEC_BULLETIN: return RN_SITE_BULLETINS;
	case RN_COLL_SEC_TACTIC: return RN_SITE_TACTICS;
	case RN_COLL_SEC_CONFLICT: return RN_SITE_CONFLICTS;
	default: return -1;
	}
}

/* The body of the DOC of e, into p; *meta gets the DOC. */
static enum rn_err
read_body(const struct rn_keeper *k, const struct rn_coll_entry *e, struct rn_coll_doc *meta,
    struct rn_buf *p)
{
	enum rn_err err;

	p->max = RN_COLL_MAX_OBJECT;
	rn_buf_reset(p);
	if ((err = rn_coll_store_get(k->store, e->doc, RN_COLL_DOC, p)) != RN_OK ||
	    (err = rn_coll_doc_decode((const uint8_t *)p->data, p->len, meta)) != RN_OK)
		return err;
	p->max = RN_SITE_MAX_DOC;
	rn_buf_reset(p);
	return rn_coll_store_check_content(k->store, &meta->body, RN_COLL_BODY_CHUNK_AT, p);
}

/* Entry e into kd: false (logged) when it cannot be shown. */
static bool
load_one(const struct rn_keeper *k, const struct rn_coll_entry *e, struct keeper_doc *kd,
    struct rn_coll_doc *meta, struct rn_buf *p)
{
	struct rn_site_error serr = { 0, "" };
	char		     hex[RN_COLL_HEX_LEN + 1];
	enum rn_err	     err;

	rn_coll_id_format(e->doc, hex);
	if ((err = read_body(k, e, meta, p)) != RN_OK) {
		rn_log_err("keeper: document %s cannot be read: %s", hex, rn_err_str(err));
		return false;
	}
	if (rn_site_doc_parse(p->data, p->len, 0, &kd->doc, &serr) != RN_OK) {
		rn_log_warn("keeper: %s is not shown: line %u: %s", meta->id, serr.line, serr.msg);
		return false;
	}
	if (strcmp(kd->doc->id, meta->id) != 0 ||
	    site_section(meta->section) != (int)kd->doc->section) {
		rn_log_warn("keeper: %s is not shown: its front matter names another id or section",
		    meta->id);
		rn_site_doc_free(kd->doc);
		kd->doc = NULL;
		return false;
	}
	memcpy(kd->docid, e->doc, RN_COLL_ID_LEN);
	kd->retracted = e->status == RN_COLL_RETRACTED;
	return true;
}

static enum rn_err
load_all(struct keeper_site *s, struct entries *x)
{
	struct rn_coll_doc *meta;
	struct rn_buf	    p;
	size_t		    i;

	if ((s->kd = calloc(x->n + 1, sizeof(*s->kd))) == NULL ||
	    (s->docs = calloc(x->n + 1, sizeof(*s->docs))) == NULL ||
	    (meta = malloc(sizeof(*meta))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&p, RN_SITE_MAX_DOC);
	for (i = 0; i < x->n; i++) {
		struct keeper_doc *kd = &s->kd[s->ndocs];

		memset(kd, 0, sizeof(*kd));
		if (!load_one(s->k, &x->e[i], kd, meta, &p))
			continue;
		kd->put = x->put[i];
		if (kd->retracted)
			kd->reason = retract_reason(s->k, x->tomb[i]);
		s->docs[s->ndocs++] = kd->doc;
	}
	free(meta);
	rn_buf_free(&p);
	return RN_OK;
}

enum rn_err
keeper_site_load(struct keeper_site *s)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(s->k->v);
	struct entries		    x;
	enum rn_err		    err;

	memset(&x, 0, sizeof(x));
	rn_coll_id_format(st->collection, s->collection);
	if ((err = rn_coll_trie_walk(s->k->store, st->manifest, collect, &x, NULL)) == RN_OK &&
	    (err = scan_log(s->k, &x)) == RN_OK)
		err = load_all(s, &x);
	free(x.e);
	free(x.tomb);
	free(x.put);
	return err;
}

void
keeper_site_clear(struct keeper_site *s)
{
	size_t i;

	for (i = 0; s->kd != NULL && i < s->ndocs; i++) {
		rn_site_doc_free(s->kd[i].doc);
		free(s->kd[i].reason);
	}
	RN_FREE(s->kd);
	RN_FREE(s->docs);
	s->ndocs = 0;
}
