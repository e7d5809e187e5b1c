/*
 * Object ids and frames.  An id hashes a domain tag, the type and the length
 * with the uncompressed payload, so an object of one type never passes for
 * another and the compression is not part of its identity.  A frame carries
 * one object, deflated on its own when that saves at least 5%.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "roneo/rn_coll.h"
#include "roneo/rn_crypto.h"

static enum rn_err
tagged_hash(const char *tag, const uint8_t *prefix, size_t plen, const void *p, size_t n,
    uint8_t out[RN_COLL_ID_LEN])
{
	struct rn_sha256 *h;
	enum rn_err	  err;

	if ((h = rn_sha256_new()) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_sha256_update(h, tag, strlen(tag) + 1)) == RN_OK &&
	    (err = rn_sha256_update(h, prefix, plen)) == RN_OK &&
	    (err = rn_sha256_update(h, p, n)) == RN_OK)
		err = rn_sha256_final(h, out);
	rn_sha256_free(h);
	return err;
}

enum rn_err
rn_coll_id(enum rn_coll_type type, const void *payload, size_t len, uint8_t id[RN_COLL_ID_LEN])
{
	uint8_t	 pre[9];
	uint64_t l = len;
	int	 i;

	pre[0] = (uint8_t)type;
	for (i = 0; i < 8; i++)
		pre[1 + i] = (uint8_t)(l >> (56 - 8 * i));
	return tagged_hash(RN_COLL_OBJ_TAG, pre, sizeof(pre), payload, len, id);
}

enum rn_err
rn_coll_key(const char *docid, size_t len, uint8_t key[RN_COLL_ID_LEN])
{
	return tagged_hash(RN_COLL_KEY_TAG, NULL, 0, docid, len, key);
}

enum rn_err
rn_coll_id_parse(const char *s, size_t n, uint8_t id[RN_COLL_ID_LEN])
{
	size_t i;

	if (n != RN_COLL_HEX_LEN)
		return RN_ERR_INVAL;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return RN_ERR_INVAL;
	return rn_hex_decode(s, n, id, RN_COLL_ID_LEN);
}

void
rn_coll_id_format(const uint8_t id[RN_COLL_ID_LEN], char *out)
{
	rn_hex_encode(id, RN_COLL_ID_LEN, out);
}

bool
rn_coll_type_valid(uint64_t t)
{
	return t >= RN_COLL_BLOB && t <= RN_COLL_TYPE__MAX;
}

static bool
saves_enough(size_t stored, size_t len)
{
	return (uint64_t)stored * 20 <= (uint64_t)len * 19;
}

static enum rn_err
frame_header(struct rn_buf *out, enum rn_coll_type type, unsigned flags, size_t len, size_t slen)
{
	uint8_t	    hdr[2];
	enum rn_err err;

	hdr[0] = (uint8_t)type;
	hdr[1] = (uint8_t)flags;
	if ((err = rn_buf_append(out, hdr, 2)) != RN_OK ||
	    (err = rn_coll_put_varint(out, len)) != RN_OK)
		return err;
	return rn_coll_put_varint(out, slen);
}

enum rn_err
rn_coll_frame_encode(enum rn_coll_type type, const void *payload, size_t len, struct rn_buf *out)
{
	uLongf	    zlen;
	uint8_t	   *z = NULL;
	enum rn_err err;

	if (!rn_coll_type_valid(type) || len > RN_COLL_MAX_OBJECT)
		return RN_ERR_INVAL;
	zlen = compressBound((uLong)len);
	if ((z = malloc(zlen)) == NULL)
		return RN_ERR_NOMEM;
	if (len > 0 && compress2(z, &zlen, payload, (uLong)len, 6) == Z_OK &&
	    saves_enough(zlen, len)) {
		if ((err = frame_header(out, type, RN_COLL_FRAME_ZLIB, len, zlen)) == RN_OK)
			err = rn_buf_append(out, z, zlen);
	} else {
		if ((err = frame_header(out, type, RN_COLL_FRAME_RAW, len, len)) == RN_OK)
			err = rn_buf_append(out, payload, len);
	}
	free(z);
	return err;
}

/* Inflate exactly len bytes from exactly slen bytes: anything more or less is refused. */
static enum rn_err
inflate_exact(const uint8_t *z, size_t slen, uint8_t *dst, size_t len)
{
	z_stream s;
	int	 rc;

	memset(&s, 0, sizeof(s));
	if (inflateInit(&s) != Z_OK)
		return RN_ERR_NOMEM;
	s.next_in = (Bytef *)(uintptr_t)z;
	s.avail_in = (uInt)slen;
	s.next_out = dst;
	s.avail_out = (uInt)len;
	rc = inflate(&s, Z_FINISH);
	inflateEnd(&s);
	if (rc == Z_STREAM_END && s.avail_in == 0 && s.avail_out == 0)
		return RN_OK;
	if (rc == Z_MEM_ERROR)
		return RN_ERR_NOMEM;
	return RN_ERR_INVAL;
}

enum rn_err
rn_coll_frame_decode(const uint8_t *p, size_t n, size_t *used, enum rn_coll_type *type,
    const uint8_t *want_id, struct rn_buf *out)
{
	struct rn_coll_rd r;
	const uint8_t	 *hdr, *stored;
	uint64_t	  len, slen;
	uint8_t		  id[RN_COLL_ID_LEN];
	enum rn_err	  err;

	rn_coll_rd_init(&r, p, n);
	if ((err = rn_coll_rd_fixed(&r, 2, &hdr)) != RN_OK)
		return err;
	if (!rn_coll_type_valid(hdr[0]) || hdr[1] > RN_COLL_FRAME_ZLIB)
		return RN_ERR_INVAL;
	if ((err = rn_coll_rd_varint(&r, RN_COLL_MAX_OBJECT, &len)) != RN_OK ||
	    (err = rn_coll_rd_varint(&r, RN_COLL_MAX_OBJECT, &slen)) != RN_OK)
		return err;
	if (hdr[1] == RN_COLL_FRAME_RAW ? slen != len : !saves_enough((size_t)slen, (size_t)len))
		return RN_ERR_INVAL;
	if ((err = rn_coll_rd_fixed(&r, (size_t)slen, &stored)) != RN_OK)
		return err;
	out->max = RN_COLL_MAX_OBJECT;
	rn_buf_reset(out);
	if ((err = rn_buf_reserve(out, (size_t)len)) != RN_OK)
		return err;
	if (hdr[1] == RN_COLL_FRAME_RAW) {
		if (len > 0)
			memcpy(out->data, stored, (size_t)len);
	} else if ((err = inflate_exact(stored, (size_t)slen, (uint8_t *)out->data, (size_t)len)) !=
		   RN_OK) {
		return err;
	}
	out->len = (size_t)len;
	out->data[out->len] = '\0';
	if (want_id != NULL) {
		if ((err = rn_coll_id(hdr[0], out->data, out->len, id)) != RN_OK)
			return err;
		if (memcmp(id, want_id, RN_COLL_ID_LEN) != 0)
			return RN_ERR_CRYPTO;
	}
	*type = hdr[0];
	*used = r.off;
	return RN_OK;
}
