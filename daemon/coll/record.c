/*
 * Change records (log leaves) and tombstones, as sorted TLV fields.  A record
 * holds ids and hashes only: never a title, a document id or a reason.
 */
#include <string.h>

#include "coll_int.h"

enum { REC_OP = 1, REC_KEY, REC_DOC, REC_TOMB };
enum { TOMB_OP = 1, TOMB_KEY, TOMB_DOC, TOMB_TIME, TOMB_REASON };

enum rn_err
rn_coll_record_encode(const struct rn_coll_record *r, struct rn_buf *out)
{
	enum rn_err err;

	if (r->op < RN_COLL_OP_PUT || r->op > RN_COLL_OP_PURGE)
		return RN_ERR_INVAL;
	if ((err = rn_coll_put_field_u64(out, REC_OP, (uint64_t)r->op)) != RN_OK ||
	    (err = rn_coll_put_field(out, REC_KEY, r->key, RN_COLL_ID_LEN)) != RN_OK ||
	    (err = rn_coll_put_field(out, REC_DOC, r->doc, RN_COLL_ID_LEN)) != RN_OK)
		return err;
	if (r->op == RN_COLL_OP_PUT)
		return RN_OK;
	return rn_coll_put_field(out, REC_TOMB, r->tomb, RN_COLL_ID_LEN);
}

enum rn_err
rn_coll_record_decode(const uint8_t *p, size_t n, struct rn_coll_record *r)
{
	struct rn_coll_rd rd, val;
	uint64_t	  last = 0, tag, v;
	unsigned	  seen = 0;
	enum rn_err	  err;

	memset(r, 0, sizeof(*r));
	rn_coll_rd_init(&rd, p, n);
	while ((err = rn_coll_rd_field(&rd, &last, &tag, &val)) == RN_OK) {
		switch (tag) {
		case REC_OP:
			if ((err = coll_field_u64(&val, RN_COLL_OP_PURGE, &v)) != RN_OK || v == 0)
				return RN_ERR_INVAL;
			r->op = (enum rn_coll_op)v;
			break;
		case REC_KEY: err = coll_field_id(&val, r->key); break;
		case REC_DOC: err = coll_field_id(&val, r->doc); break;
		case REC_TOMB: err = coll_field_id(&val, r->tomb); break;
		default: return RN_ERR_INVAL;
		}
		if (err != RN_OK)
			return RN_ERR_INVAL;
		seen |= 1u << tag;
	}
	if (err != RN_ERR_NOTFOUND)
		return err;
	if ((seen & 0x0eu) != 0x0eu)
		return RN_ERR_INVAL;
	/* put has no tombstone; retract and purge must have one */
	if ((r->op == RN_COLL_OP_PUT) != ((seen & 0x10u) == 0))
		return RN_ERR_INVAL;
	return RN_OK;
}

enum rn_err
rn_coll_tombstone_encode(const struct rn_coll_tombstone *t, struct rn_buf *out)
{
	size_t	    rlen = strlen(t->reason);
	enum rn_err err;

	if ((t->op != RN_COLL_OP_RETRACT && t->op != RN_COLL_OP_PURGE) || rlen == 0 ||
	    rlen > RN_COLL_MAX_REASON || !rn_coll_text_valid(t->reason, rlen))
		return RN_ERR_INVAL;
	if ((err = rn_coll_put_field_u64(out, TOMB_OP, (uint64_t)t->op)) != RN_OK ||
	    (err = rn_coll_put_field(out, TOMB_KEY, t->key, RN_COLL_ID_LEN)) != RN_OK ||
	    (err = rn_coll_put_field(out, TOMB_DOC, t->doc, RN_COLL_ID_LEN)) != RN_OK ||
	    (err = rn_coll_put_field_u64(out, TOMB_TIME, t->time)) != RN_OK)
		return err;
	return rn_coll_put_field(out, TOMB_REASON, t->reason, rlen);
}

static enum rn_err
tomb_reason(struct rn_coll_rd *val, char *out)
{
	size_t n = val->len;

	if (n == 0 || n > RN_COLL_MAX_REASON || memchr(val->p, 0, n) != NULL ||
	    !rn_coll_text_valid((const char *)val->p, n))
		return RN_ERR_INVAL;
	memcpy(out, val->p, n);
	out[n] = '\0';
	return RN_OK;
}

enum rn_err
rn_coll_tombstone_decode(const uint8_t *p, size_t n, struct rn_coll_tombstone *t)
{
	struct rn_coll_rd rd, val;
	uint64_t	  last = 0, tag, v;
	unsigned	  seen = 0;
	enum rn_err	  err;

	memset(t, 0, sizeof(*t));
	rn_coll_rd_init(&rd, p, n);
	while ((err = rn_coll_rd_field(&rd, &last, &tag, &val)) == RN_OK) {
		switch (tag) {
		case TOMB_OP:
			if ((err = coll_field_u64(&val, RN_COLL_OP_PURGE, &v)) != RN_OK ||
			    v < RN_COLL_OP_RETRACT)
				return RN_ERR_INVAL;
			t->op = (enum rn_coll_op)v;
			break;
		case TOMB_KEY: err = coll_field_id(&val, t->key); break;
		case TOMB_DOC: err = coll_field_id(&val, t->doc); break;
		case TOMB_TIME: err = coll_field_u64(&val, UINT64_MAX, &t->time); break;
		case TOMB_REASON: err = tomb_reason(&val, t->reason); break;
		default: return RN_ERR_INVAL;
		}
		if (err != RN_OK)
			return RN_ERR_INVAL;
		seen |= 1u << tag;
	}
	if (err != RN_ERR_NOTFOUND)
		return err;
	return seen == 0x3eu ? RN_OK : RN_ERR_INVAL;
}
