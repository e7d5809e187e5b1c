/*
 * Canonical binary encoding: minimal LEB128 varints, length-prefixed byte
 * strings and TLV fields whose tags strictly increase.  Each value has
 * exactly one accepted encoding; readers refuse anything else.
 */
#include <string.h>

#include "roneo/rn_coll.h"

#define VARINT_MAX_BYTES 10u

void
rn_coll_rd_init(struct rn_coll_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p == NULL ? 0 : len;
	r->off = 0;
}

enum rn_err
rn_coll_rd_varint(struct rn_coll_rd *r, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < VARINT_MAX_BYTES; i++) {
		uint8_t b;

		if (r->off + i >= r->len)
			return RN_ERR_INVAL;
		b = r->p[r->off + i];
		/* The tenth byte carries bit 63 only. */
		if (i == VARINT_MAX_BYTES - 1 && b > 1)
			return RN_ERR_INVAL;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			/* Minimal: a last byte of zero is padding, unless it is the only one. */
			if (b == 0 && i > 0)
				return RN_ERR_INVAL;
			if (v > max)
				return RN_ERR_TOOBIG;
			r->off += i + 1;
			*out = v;
			return RN_OK;
		}
	}
	return RN_ERR_INVAL;
}

enum rn_err
rn_coll_rd_fixed(struct rn_coll_rd *r, size_t n, const uint8_t **p)
{
	if (n > r->len - r->off)
		return RN_ERR_INVAL;
	*p = r->p + r->off;
	r->off += n;
	return RN_OK;
}

enum rn_err
rn_coll_rd_bytes(struct rn_coll_rd *r, size_t max, const uint8_t **p, size_t *n)
{
	uint64_t    len;
	enum rn_err err;

	if ((err = rn_coll_rd_varint(r, max, &len)) != RN_OK)
		return err;
	if ((err = rn_coll_rd_fixed(r, (size_t)len, p)) != RN_OK)
		return err;
	*n = (size_t)len;
	return RN_OK;
}

bool
rn_coll_rd_done(const struct rn_coll_rd *r)
{
	return r->off == r->len;
}

enum rn_err
rn_coll_rd_end(const struct rn_coll_rd *r)
{
	return r->off == r->len ? RN_OK : RN_ERR_INVAL;
}

enum rn_err
rn_coll_rd_field(struct rn_coll_rd *r, uint64_t *last, uint64_t *tag, struct rn_coll_rd *val)
{
	const uint8_t *p;
	size_t	       n;
	uint64_t       t;
	enum rn_err    err;

	if (rn_coll_rd_done(r))
		return RN_ERR_NOTFOUND;
	if ((err = rn_coll_rd_varint(r, UINT32_MAX, &t)) != RN_OK)
		return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	if (t == 0 || t <= *last)
		return RN_ERR_INVAL;
	if ((err = rn_coll_rd_bytes(r, r->len - r->off, &p, &n)) != RN_OK)
		return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	*last = t;
	*tag = t;
	rn_coll_rd_init(val, p, n);
	return RN_OK;
}

size_t
rn_coll_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

enum rn_err
rn_coll_put_varint(struct rn_buf *b, uint64_t v)
{
	uint8_t tmp[VARINT_MAX_BYTES];
	size_t	n = 0;

	do {
		uint8_t byte = (uint8_t)(v & 0x7f);

		v >>= 7;
		if (v != 0)
			byte |= 0x80;
		tmp[n++] = byte;
	} while (v != 0);
	return rn_buf_append(b, tmp, n);
}

enum rn_err
rn_coll_put_bytes(struct rn_buf *b, const void *p, size_t n)
{
	enum rn_err err;

	if ((err = rn_coll_put_varint(b, n)) != RN_OK)
		return err;
	return n == 0 ? RN_OK : rn_buf_append(b, p, n);
}

enum rn_err
rn_coll_put_field(struct rn_buf *b, uint64_t tag, const void *p, size_t n)
{
	enum rn_err err;

	if ((err = rn_coll_put_varint(b, tag)) != RN_OK)
		return err;
	return rn_coll_put_bytes(b, p, n);
}

enum rn_err
rn_coll_put_field_u64(struct rn_buf *b, uint64_t tag, uint64_t v)
{
	enum rn_err err;

	if ((err = rn_coll_put_varint(b, tag)) != RN_OK ||
	    (err = rn_coll_put_varint(b, rn_coll_varint_len(v))) != RN_OK)
		return err;
	return rn_coll_put_varint(b, v);
}
