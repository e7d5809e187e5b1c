/*
 * Content: bodies and attachments as one BLOB, or, over a threshold, as
 * content-defined CHUNKs listed by a CHUNKLIST.  The chunker is a
 * FastCDC-style gear hash (normalised chunking: a harder mask before the
 * average size, an easier one after); it is a deterministic function of the
 * bytes, so the same content always gives the same chunks and ids.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_coll.h"

#define GEAR_SEED 0x726f6e656f2d6364ull /* "roneo-cd" */
#define MASK_S	  0xffffc00000000000ull /* 18 bits: before the average size */
#define MASK_L	  0xfffc000000000000ull /* 14 bits: after it */

static void
gear_table(uint64_t g[256])
{
	uint64_t st = GEAR_SEED;
	int	 i;

	/* splitmix64 */
	for (i = 0; i < 256; i++) {
		uint64_t z;

		st += 0x9e3779b97f4a7c15ull;
		z = st;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		g[i] = z ^ (z >> 31);
	}
}

size_t
rn_coll_cdc_cut(const uint8_t *p, size_t n, bool final)
{
	uint64_t g[256], h = 0;
	size_t	 i, end;

	if (n <= RN_COLL_CDC_MIN)
		return final ? n : 0;
	gear_table(g);
	end = n < RN_COLL_CDC_MAX ? n : RN_COLL_CDC_MAX;
	for (i = RN_COLL_CDC_MIN; i < end; i++) {
		h = (h << 1) + g[p[i]];
		if ((h & (i < RN_COLL_CDC_AVG ? MASK_S : MASK_L)) == 0)
			return i + 1;
	}
	if (end == RN_COLL_CDC_MAX)
		return RN_COLL_CDC_MAX;
	return final ? n : 0;
}

void
rn_coll_chunklist_clear(struct rn_coll_chunklist *cl)
{
	if (cl == NULL)
		return;
	RN_FREE(cl->sizes);
	RN_FREE(cl->ids);
	cl->n = 0;
	cl->total = 0;
}

enum rn_err
rn_coll_chunklist_decode(const uint8_t *p, size_t n, struct rn_coll_chunklist *cl)
{
	struct rn_coll_rd r;
	uint64_t	  count, size, sum = 0;
	const uint8_t	 *id;
	size_t		  i;
	enum rn_err	  err;

	memset(cl, 0, sizeof(*cl));
	rn_coll_rd_init(&r, p, n);
	if ((err = rn_coll_rd_varint(&r, RN_COLL_MAX_CONTENT, &cl->total)) != RN_OK ||
	    (err = rn_coll_rd_varint(&r, RN_COLL_MAX_CHUNKS, &count)) != RN_OK)
		return err;
	if (count == 0)
		return RN_ERR_INVAL;
	cl->sizes = calloc((size_t)count, sizeof(*cl->sizes));
	cl->ids = calloc((size_t)count, sizeof(*cl->ids));
	if (cl->sizes == NULL || cl->ids == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		if ((err = rn_coll_rd_varint(&r, RN_COLL_CDC_MAX, &size)) != RN_OK ||
		    (err = rn_coll_rd_fixed(&r, RN_COLL_ID_LEN, &id)) != RN_OK)
			goto out;
		if (size == 0) {
			err = RN_ERR_INVAL;
			goto out;
		}
		cl->sizes[i] = (uint32_t)size;
		memcpy(cl->ids[i], id, RN_COLL_ID_LEN);
		sum += size;
	}
	cl->n = (size_t)count;
	err = sum == cl->total ? rn_coll_rd_end(&r) : RN_ERR_INVAL;
out:
	if (err != RN_OK)
		rn_coll_chunklist_clear(cl);
	return err;
}

enum rn_err
rn_coll_store_content(struct rn_coll_store *s, const void *data, size_t len, size_t threshold,
    struct rn_coll_ref *ref)
{
	const uint8_t *p = data;
	struct rn_buf  list;
	uint8_t	       id[RN_COLL_ID_LEN];
	size_t	       off = 0, count = 0;
	enum rn_err    err;

	if (len > RN_COLL_MAX_CONTENT)
		return RN_ERR_TOOBIG;
	ref->size = len;
	if (len <= threshold) {
		ref->type = RN_COLL_BLOB;
		return rn_coll_store_put(s, RN_COLL_BLOB, data, len, ref->id);
	}
	rn_buf_init(&list, RN_COLL_MAX_OBJECT);
	while (off < len) {
		size_t cut = rn_coll_cdc_cut(p + off, len - off, true);

		if ((err = rn_coll_store_put(s, RN_COLL_CHUNK, p + off, cut, id)) != RN_OK ||
		    (err = rn_coll_put_varint(&list, cut)) != RN_OK ||
		    (err = rn_buf_append(&list, id, sizeof(id))) != RN_OK)
			goto out;
		off += cut;
		count++;
	}
	{
		struct rn_buf whole;

		rn_buf_init(&whole, RN_COLL_MAX_OBJECT);
		if ((err = rn_coll_put_varint(&whole, len)) == RN_OK &&
		    (err = rn_coll_put_varint(&whole, count)) == RN_OK &&
		    (err = rn_buf_append(&whole, list.data, list.len)) == RN_OK)
			err =
			    rn_coll_store_put(s, RN_COLL_CHUNKLIST, whole.data, whole.len, ref->id);
		rn_buf_free(&whole);
	}
	ref->type = RN_COLL_CHUNKLIST;
out:
	rn_buf_free(&list);
	return err;
}

static enum rn_err
check_chunks(const struct rn_coll_store *s, const struct rn_coll_chunklist *cl, struct rn_buf *out)
{
	struct rn_buf chunk;
	size_t	      i;
	enum rn_err   err = RN_OK;

	rn_buf_init(&chunk, RN_COLL_MAX_OBJECT);
	for (i = 0; i < cl->n && err == RN_OK; i++) {
		bool last = i + 1 == cl->n;

		if ((err = rn_coll_store_get(s, cl->ids[i], RN_COLL_CHUNK, &chunk)) != RN_OK)
			break;
		if (chunk.len != cl->sizes[i] ||
		    rn_coll_cdc_cut((const uint8_t *)chunk.data, chunk.len, last) != chunk.len)
			err = RN_ERR_INVAL;
		else if (out != NULL)
			err = rn_buf_append(out, chunk.data, chunk.len);
	}
	rn_buf_free(&chunk);
	return err;
}

enum rn_err
rn_coll_store_check_content(const struct rn_coll_store *s, const struct rn_coll_ref *ref,
    size_t threshold, struct rn_buf *out)
{
	struct rn_coll_chunklist cl;
	struct rn_buf		 b;
	enum rn_err		 err;

	memset(&cl, 0, sizeof(cl));
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if (ref->size > RN_COLL_MAX_CONTENT) {
		err = RN_ERR_TOOBIG;
		goto out;
	}
	if (ref->type != (ref->size <= threshold ? RN_COLL_BLOB : RN_COLL_CHUNKLIST)) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if ((err = rn_coll_store_get(s, ref->id, ref->type, &b)) != RN_OK)
		goto out;
	if (ref->type == RN_COLL_BLOB) {
		if (b.len != ref->size)
			err = RN_ERR_INVAL;
		else if (out != NULL)
			err = rn_buf_append(out, b.data, b.len);
		goto out;
	}
	if ((err = rn_coll_chunklist_decode((const uint8_t *)b.data, b.len, &cl)) != RN_OK)
		goto out;
	err = cl.total == ref->size ? check_chunks(s, &cl, out) : RN_ERR_INVAL;
out:
	rn_coll_chunklist_clear(&cl);
	rn_buf_free(&b);
	return err;
}
