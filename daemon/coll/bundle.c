/*
 * Bundles (docs/protocol.md section 17): the magic, then entries of kind,
 * length and bytes.  The decoder is strict and checks every part as far as
 * it can alone (statements parse, records decode, frames hash to their
 * ids), so what reaches the verifier is at least well formed; signatures,
 * thresholds and everything that needs the collection's state are the
 * verifier's.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"
#include "roneo/rn_coll_bundle.h"

/* Where a bundle can be at: what the next entry may be. */
enum stage { ST_ROOTS, ST_RECORDS, ST_OBJECTS };

struct dec {
	struct rn_coll_bundle *b;
	enum stage	       st;
	size_t		       nentries;
	size_t		       capobjs;
};

static bool
at_magic(const uint8_t *p, size_t n)
{
	return n >= RN_COLL_BUNDLE_MAGIC_LEN &&
	       memcmp(p, RN_COLL_BUNDLE_MAGIC, RN_COLL_BUNDLE_MAGIC_LEN) == 0;
}

static enum rn_err
dec_root(struct dec *d, const uint8_t *p, size_t n)
{
	struct rn_coll_bundle *b = d->b;
	struct rn_coll_root   *r = NULL;
	struct rn_coll_sigs   *sigs = NULL;
	enum rn_err	       err = RN_ERR_INVAL;

	if (d->st != ST_ROOTS || b->has_commit || b->nroots >= RN_COLL_MAX_BUNDLE_ROOTS)
		return RN_ERR_INVAL;
	if ((r = malloc(sizeof(*r))) == NULL || (sigs = malloc(sizeof(*sigs))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if (rn_coll_root_parse(p, n, r, sigs) != RN_OK)
		goto out;
	if (b->nroots == 0)
		b->first_root = r->version;
	else if (r->version != b->first_root + b->nroots)
		goto out;
	b->roots[b->nroots].p = p;
	b->roots[b->nroots].n = n;
	b->nroots++;
	err = RN_OK;
out:
	free(r);
	free(sigs);
	return err;
}

static enum rn_err
dec_commit(struct dec *d, const uint8_t *p, size_t n)
{
	struct rn_coll_commit c;
	struct rn_coll_sigs  *sigs;
	enum rn_err	      err = RN_ERR_INVAL;

	if (d->st != ST_ROOTS || d->b->has_commit)
		return RN_ERR_INVAL;
	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	if (rn_coll_commit_parse(p, n, &c, sigs) == RN_OK) {
		d->b->has_commit = true;
		d->b->commit.p = p;
		d->b->commit.n = n;
		d->b->seq = c.seq;
		memcpy(d->b->commit_id, c.id, RN_COLL_ID_LEN);
		d->st = ST_RECORDS;
		err = RN_OK;
	}
	free(sigs);
	return err;
}

static enum rn_err
dec_records(struct dec *d, const uint8_t *p, size_t n)
{
	struct rn_coll_log *log = NULL;
	enum rn_err	    err;

	if (d->st != ST_RECORDS || n == 0)
		return RN_ERR_INVAL;
	if ((err = rn_coll_log_new(&log)) != RN_OK)
		return err;
	if ((err = rn_coll_log_decode(p, n, log)) == RN_OK &&
	    rn_coll_log_size(log) > RN_COLL_MAX_RECORDS)
		err = RN_ERR_TOOBIG;
	rn_coll_log_free(log);
	if (err != RN_OK)
		return err == RN_ERR_NOMEM ? err : RN_ERR_INVAL;
	d->b->records.p = p;
	d->b->records.n = n;
	d->st = ST_OBJECTS;
	return RN_OK;
}

static enum rn_err
dec_object(struct dec *d, const uint8_t *p, size_t n)
{
	struct rn_coll_bundle *b = d->b;
	struct rn_buf	       payload;
	enum rn_coll_type      type;
	size_t		       used = 0;
	enum rn_err	       err;

	if (d->st != ST_OBJECTS || n <= RN_COLL_ID_LEN)
		return RN_ERR_INVAL;
	if (b->nobjs > 0 && memcmp(b->objs[b->nobjs - 1].id, p, RN_COLL_ID_LEN) >= 0)
		return RN_ERR_INVAL;
	rn_buf_init(&payload, RN_COLL_MAX_OBJECT);
	err =
	    rn_coll_frame_decode(p + RN_COLL_ID_LEN, n - RN_COLL_ID_LEN, &used, &type, p, &payload);
	rn_buf_free(&payload);
	if (err != RN_OK || used != n - RN_COLL_ID_LEN)
		return err == RN_ERR_NOMEM ? err : RN_ERR_INVAL;
	if (b->nobjs == d->capobjs) {
		size_t cap = d->capobjs ? d->capobjs * 2 : 16;
		void  *np;

		if ((np = realloc(b->objs, cap * sizeof(*b->objs))) == NULL)
			return RN_ERR_NOMEM;
		b->objs = np;
		d->capobjs = cap;
	}
	b->objs[b->nobjs].id = p;
	b->objs[b->nobjs].frame = p + RN_COLL_ID_LEN;
	b->objs[b->nobjs].n = n - RN_COLL_ID_LEN;
	b->nobjs++;
	return RN_OK;
}

/* Entry sizes: a statement, a records fragment, an id and a frame. */
#define MAX_RECORDS_LEN ((size_t)RN_COLL_MAX_RECORDS * 260u)
#define MAX_OBJECT_LEN	(RN_COLL_ID_LEN + 24u + RN_COLL_MAX_OBJECT)

static enum rn_err
dec_entry(struct dec *d, struct rn_coll_rd *r)
{
	uint64_t       kind;
	const uint8_t *p;
	size_t	       n;

	if (++d->nentries > RN_COLL_MAX_BUNDLE_ENTRIES)
		return RN_ERR_TOOBIG;
	if (rn_coll_rd_varint(r, RN_COLL_BUNDLE_OBJECT, &kind) != RN_OK || kind == 0 ||
	    rn_coll_rd_bytes(r, MAX_RECORDS_LEN, &p, &n) != RN_OK)
		return RN_ERR_INVAL;
	switch (kind) {
	case RN_COLL_BUNDLE_ROOT:
		return n <= RN_COLL_MAX_STATEMENT ? dec_root(d, p, n) : RN_ERR_INVAL;
	case RN_COLL_BUNDLE_COMMIT:
		return n <= RN_COLL_MAX_STATEMENT ? dec_commit(d, p, n) : RN_ERR_INVAL;
	case RN_COLL_BUNDLE_RECORDS: return dec_records(d, p, n);
	default: return n <= MAX_OBJECT_LEN ? dec_object(d, p, n) : RN_ERR_INVAL;
	}
}

enum rn_err
rn_coll_bundle_decode(const uint8_t *p, size_t n, struct rn_coll_bundle *b, size_t *used)
{
	struct dec	  d = { .b = b, .st = ST_ROOTS };
	struct rn_coll_rd r;
	enum rn_err	  err = RN_OK;

	memset(b, 0, sizeof(*b));
	*used = 0;
	if (n > RN_COLL_MAX_BUNDLE)
		return RN_ERR_TOOBIG;
	if (!at_magic(p, n))
		return RN_ERR_INVAL;
	rn_coll_rd_init(&r, p + RN_COLL_BUNDLE_MAGIC_LEN, n - RN_COLL_BUNDLE_MAGIC_LEN);
	while (err == RN_OK && !rn_coll_rd_done(&r) && !at_magic(r.p + r.off, r.len - r.off))
		err = dec_entry(&d, &r);
	/* Not empty; a commit comes with its records. */
	if (err == RN_OK && (d.nentries == 0 || d.st == ST_RECORDS))
		err = RN_ERR_INVAL;
	if (err != RN_OK) {
		rn_coll_bundle_clear(b);
		return err;
	}
	*used = RN_COLL_BUNDLE_MAGIC_LEN + r.off;
	return RN_OK;
}

void
rn_coll_bundle_clear(struct rn_coll_bundle *b)
{
	if (b == NULL)
		return;
	free(b->objs);
	memset(b, 0, sizeof(*b));
}

enum rn_err
rn_coll_bundle_begin(struct rn_buf *out)
{
	return rn_buf_append(out, RN_COLL_BUNDLE_MAGIC, RN_COLL_BUNDLE_MAGIC_LEN);
}

enum rn_err
rn_coll_bundle_put(struct rn_buf *out, enum rn_coll_bundle_kind kind, const void *p, size_t n)
{
	size_t	    mark = out->len;
	enum rn_err err;

	if ((err = rn_coll_put_varint(out, (uint64_t)kind)) == RN_OK)
		err = rn_coll_put_bytes(out, p, n);
	if (err != RN_OK)
		out->len = mark;
	return err;
}

enum rn_err
rn_coll_bundle_put_object(
    struct rn_buf *out, const uint8_t id[RN_COLL_ID_LEN], const void *frame, size_t n)
{
	size_t	    mark = out->len;
	enum rn_err err;

	if ((err = rn_coll_put_varint(out, RN_COLL_BUNDLE_OBJECT)) == RN_OK &&
	    (err = rn_coll_put_varint(out, (uint64_t)n + RN_COLL_ID_LEN)) == RN_OK &&
	    (err = rn_buf_append(out, id, RN_COLL_ID_LEN)) == RN_OK)
		err = rn_buf_append(out, frame, n);
	if (err != RN_OK)
		out->len = mark;
	return err;
}

enum rn_err
rn_coll_bundle_load(const struct rn_coll_bundle *b, struct rn_coll_store *store)
{
	enum rn_err err;
	size_t	    i;

	for (i = 0; i < b->nobjs; i++)
		if ((err = rn_coll_store_put_frame(
			 store, b->objs[i].id, b->objs[i].frame, b->objs[i].n)) != RN_OK)
			return err;
	return RN_OK;
}

/* "sig <hex> <base64>\n" */
static enum rn_err
put_sig(struct rn_buf *out, const struct rn_coll_sig *s)
{
	char hex[RN_COLL_HEX_LEN + 1], b64[rn_base64_len(RN_ED25519_SIG_LEN) + 1];

	rn_hex_encode(s->pub, RN_ED25519_PUB_LEN, hex);
	rn_base64_encode(s->sig, RN_ED25519_SIG_LEN, b64);
	return rn_buf_printf(out, "sig %s %s\n", hex, b64);
}

static enum rn_err
merge_sigs(const struct rn_coll_sigs *a, const struct rn_coll_sigs *b, struct rn_buf *out)
{
	size_t	    i = 0, j = 0;
	enum rn_err err = RN_OK;
	int	    c;

	if (a->n + b->n > RN_COLL_MAX_SIGS) {
		/* Only distinct keys count: check after the union. */
		size_t u = a->n;

		for (j = 0; j < b->n; j++) {
			for (i = 0; i < a->n; i++)
				if (memcmp(a->s[i].pub, b->s[j].pub, RN_ED25519_PUB_LEN) == 0)
					break;
			u += i == a->n;
		}
		if (u > RN_COLL_MAX_SIGS)
			return RN_ERR_TOOBIG;
		i = j = 0;
	}
	while (err == RN_OK && (i < a->n || j < b->n)) {
		c = i == a->n ? 1 :
		    j == b->n ? -1 :
				memcmp(a->s[i].pub, b->s[j].pub, RN_ED25519_PUB_LEN);
		if (c <= 0)
			err = put_sig(out, &a->s[i++]);
		else
			err = put_sig(out, &b->s[j++]);
		if (c == 0)
			j++;
	}
	return err;
}

enum rn_err
rn_coll_stmt_merge(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, struct rn_buf *out)
{
	struct rn_coll_sigs *sa = NULL, *sb = NULL;
	enum rn_err	     err;

	if ((sa = malloc(sizeof(*sa))) == NULL || (sb = malloc(sizeof(*sb))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if ((err = rn_coll_stmt_split(a, an, sa)) != RN_OK ||
	    (err = rn_coll_stmt_split(b, bn, sb)) != RN_OK)
		goto out;
	if (sa->body_len != sb->body_len || memcmp(a, b, sa->body_len) != 0) {
		err = RN_ERR_INVAL;
		goto out;
	}
	out->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(out);
	if ((err = rn_buf_append(out, a, sa->body_len)) == RN_OK)
		err = merge_sigs(sa, sb, out);
out:
	free(sa);
	free(sb);
	return err;
}
