/*
 * The change log: an append-only Merkle tree with RFC 6962 hashing (leaf
 * SHA-256(0x00 || record), node SHA-256(0x01 || left || right)), its root,
 * inclusion and consistency proofs (RFC 6962 2.1) and their verification
 * (RFC 9162 2.1.3.2 and 2.1.4.2).  The hashes of every perfect subtree are
 * kept, so a root or a proof costs O(log^2 n) hashes, not O(n).
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"
#include "roneo/rn_crypto.h"

#define LEVELS	       64
#define MAX_RECORD_LEN 256u /* a change record is about 110 bytes */

typedef uint8_t hash_t[RN_COLL_ID_LEN];

struct level {
	hash_t *h;
	size_t	n, cap;
};

struct rn_coll_log {
	struct level lv[LEVELS];
	uint8_t	    *data; /* the records, back to back */
	size_t	     dlen, dcap;
	size_t	    *off; /* record i is data[off[i], off[i+1]) */
	size_t	     ocap;
};

enum rn_err
rn_coll_log_new(struct rn_coll_log **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return RN_ERR_NOMEM;
	return RN_OK;
}

void
rn_coll_log_free(struct rn_coll_log *log)
{
	int i;

	if (log == NULL)
		return;
	for (i = 0; i < LEVELS; i++)
		free(log->lv[i].h);
	free(log->data);
	free(log->off);
	free(log);
}

enum rn_err
rn_coll_log_leaf_hash(const void *rec, size_t n, uint8_t out[RN_COLL_ID_LEN])
{
	struct rn_sha256 *h;
	uint8_t		  z = 0x00;
	enum rn_err	  err;

	if ((h = rn_sha256_new()) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_sha256_update(h, &z, 1)) == RN_OK &&
	    (err = rn_sha256_update(h, rec, n)) == RN_OK)
		err = rn_sha256_final(h, out);
	rn_sha256_free(h);
	return err;
}

enum rn_err
rn_coll_log_node_hash(
    const uint8_t l[RN_COLL_ID_LEN], const uint8_t r[RN_COLL_ID_LEN], uint8_t out[RN_COLL_ID_LEN])
{
	uint8_t buf[1 + 2 * RN_COLL_ID_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, RN_COLL_ID_LEN);
	memcpy(buf + 1 + RN_COLL_ID_LEN, r, RN_COLL_ID_LEN);
	return rn_sha256(buf, sizeof(buf), out);
}

static enum rn_err
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void  *np;

	if (need <= *cap)
		return RN_OK;
	while (c < need)
		c *= 2;
	if ((np = realloc(*p, c * elem)) == NULL)
		return RN_ERR_NOMEM;
	*p = np;
	*cap = c;
	return RN_OK;
}

static enum rn_err
level_push(struct level *lv, const uint8_t h[RN_COLL_ID_LEN])
{
	enum rn_err err;

	if ((err = grow((void **)&lv->h, &lv->cap, lv->n + 1, sizeof(hash_t))) != RN_OK)
		return err;
	memcpy(lv->h[lv->n++], h, RN_COLL_ID_LEN);
	return RN_OK;
}

uint64_t
rn_coll_log_size(const struct rn_coll_log *log)
{
	return log->lv[0].n;
}

enum rn_err
rn_coll_log_append(struct rn_coll_log *log, const void *rec, size_t n)
{
	uint8_t	    h[RN_COLL_ID_LEN];
	size_t	    count = log->lv[0].n;
	int	    i;
	enum rn_err err;

	if (n == 0 || n > MAX_RECORD_LEN)
		return RN_ERR_INVAL;
	if (count >= RN_COLL_MAX_LOG)
		return RN_ERR_TOOBIG;
	if ((err = grow((void **)&log->off, &log->ocap, count + 2, sizeof(size_t))) != RN_OK ||
	    (err = grow((void **)&log->data, &log->dcap, log->dlen + n, 1)) != RN_OK)
		return err;
	/* Reserve room on every level first, so nothing below can fail half-way. */
	for (i = 0; i < LEVELS; i++)
		if ((err = grow((void **)&log->lv[i].h, &log->lv[i].cap, log->lv[i].n + 1,
			 sizeof(hash_t))) != RN_OK)
			return err;
	if ((err = rn_coll_log_leaf_hash(rec, n, h)) != RN_OK)
		return err;
	log->off[count] = log->dlen;
	memcpy(log->data + log->dlen, rec, n);
	log->dlen += n;
	log->off[count + 1] = log->dlen;
	level_push(&log->lv[0], h);
	for (i = 0; i + 1 < LEVELS && (log->lv[i].n & 1) == 0; i++) {
		struct level *lv = &log->lv[i];

		if ((err = rn_coll_log_node_hash(lv->h[lv->n - 2], lv->h[lv->n - 1], h)) != RN_OK)
			return err;
		level_push(&log->lv[i + 1], h);
	}
	return RN_OK;
}

void
rn_coll_log_truncate(struct rn_coll_log *log, uint64_t size)
{
	int i;

	if (size >= log->lv[0].n)
		return;
	for (i = 0; i < LEVELS; i++)
		log->lv[i].n = (size_t)(size >> i);
	log->dlen = log->off[size];
}

enum rn_err
rn_coll_log_record(const struct rn_coll_log *log, uint64_t i, const uint8_t **p, size_t *n)
{
	if (i >= log->lv[0].n)
		return RN_ERR_NOTFOUND;
	*p = log->data + log->off[i];
	*n = log->off[i + 1] - log->off[i];
	return RN_OK;
}

static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:hi]) with 0 < hi - lo, from cached perfect subtrees. */
static enum rn_err
mth(const struct rn_coll_log *log, uint64_t lo, uint64_t hi, uint8_t out[RN_COLL_ID_LEN])
{
	uint64_t    n = hi - lo, k;
	uint8_t	    l[RN_COLL_ID_LEN], r[RN_COLL_ID_LEN];
	enum rn_err err;
	int	    h;

	if ((n & (n - 1)) == 0 && lo % n == 0) {
		for (h = 0; ((uint64_t)1 << h) < n; h++)
			;
		memcpy(out, log->lv[h].h[lo >> h], RN_COLL_ID_LEN);
		return RN_OK;
	}
	k = split_point(n);
	if ((err = mth(log, lo, lo + k, l)) != RN_OK || (err = mth(log, lo + k, hi, r)) != RN_OK)
		return err;
	return rn_coll_log_node_hash(l, r, out);
}

enum rn_err
rn_coll_log_root(const struct rn_coll_log *log, uint64_t size, uint8_t out[RN_COLL_ID_LEN])
{
	if (size > log->lv[0].n)
		return RN_ERR_INVAL;
	if (size == 0)
		return rn_sha256("", 0, out);
	return mth(log, 0, size, out);
}

struct proof {
	uint8_t (*p)[RN_COLL_ID_LEN];
	size_t n;
};

static enum rn_err
proof_add(const struct rn_coll_log *log, struct proof *pr, uint64_t lo, uint64_t hi)
{
	if (pr->n >= RN_COLL_MAX_PROOF)
		return RN_ERR_TOOBIG;
	return mth(log, lo, hi, pr->p[pr->n++]);
}

/* PATH(m, D[lo:hi]) of RFC 6962 2.1.1 */
static enum rn_err
path(const struct rn_coll_log *log, struct proof *pr, uint64_t m, uint64_t lo, uint64_t hi)
{
	uint64_t    k;
	enum rn_err err;

	if (hi - lo <= 1)
		return RN_OK;
	k = split_point(hi - lo);
	if (m < k) {
		if ((err = path(log, pr, m, lo, lo + k)) != RN_OK)
			return err;
		return proof_add(log, pr, lo + k, hi);
	}
	if ((err = path(log, pr, m - k, lo + k, hi)) != RN_OK)
		return err;
	return proof_add(log, pr, lo, lo + k);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 6962 2.1.2 */
static enum rn_err
subproof(
    const struct rn_coll_log *log, struct proof *pr, uint64_t m, uint64_t lo, uint64_t hi, bool b)
{
	uint64_t    n = hi - lo, k;
	enum rn_err err;

	if (m == n)
		return b ? RN_OK : proof_add(log, pr, lo, hi);
	k = split_point(n);
	if (m <= k) {
		if ((err = subproof(log, pr, m, lo, lo + k, b)) != RN_OK)
			return err;
		return proof_add(log, pr, lo + k, hi);
	}
	if ((err = subproof(log, pr, m - k, lo + k, hi, false)) != RN_OK)
		return err;
	return proof_add(log, pr, lo, lo + k);
}

enum rn_err
rn_coll_log_prove_inclusion(const struct rn_coll_log *log, uint64_t index, uint64_t size,
    uint8_t (*proof)[RN_COLL_ID_LEN], size_t *n)
{
	struct proof pr = { proof, 0 };
	enum rn_err  err;

	if (size > log->lv[0].n || index >= size)
		return RN_ERR_INVAL;
	err = path(log, &pr, index, 0, size);
	*n = pr.n;
	return err;
}

enum rn_err
rn_coll_log_prove_consistency(const struct rn_coll_log *log, uint64_t m, uint64_t size,
    uint8_t (*proof)[RN_COLL_ID_LEN], size_t *n)
{
	struct proof pr = { proof, 0 };
	enum rn_err  err = RN_OK;

	if (size > log->lv[0].n || m == 0 || m > size)
		return RN_ERR_INVAL;
	if (m < size)
		err = subproof(log, &pr, m, 0, size, true);
	*n = pr.n;
	return err;
}

enum rn_err
rn_coll_log_verify_inclusion(const uint8_t leaf[RN_COLL_ID_LEN], uint64_t index, uint64_t size,
    const uint8_t (*proof)[RN_COLL_ID_LEN], size_t n, const uint8_t root[RN_COLL_ID_LEN])
{
	uint64_t fn = index, sn = size - 1;
	uint8_t	 r[RN_COLL_ID_LEN];
	size_t	 i;

	if (index >= size || n > RN_COLL_MAX_PROOF)
		return RN_ERR_CRYPTO;
	memcpy(r, leaf, RN_COLL_ID_LEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return RN_ERR_CRYPTO;
		if ((fn & 1) || fn == sn) {
			if (rn_coll_log_node_hash(proof[i], r, r) != RN_OK)
				return RN_ERR_NOMEM;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (rn_coll_log_node_hash(r, proof[i], r) != RN_OK) {
			return RN_ERR_NOMEM;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && rn_crypto_memeq(r, root, RN_COLL_ID_LEN) ? RN_OK : RN_ERR_CRYPTO;
}

enum rn_err
rn_coll_log_verify_consistency(uint64_t m, uint64_t size, const uint8_t root_m[RN_COLL_ID_LEN],
    const uint8_t root_n[RN_COLL_ID_LEN], const uint8_t (*proof)[RN_COLL_ID_LEN], size_t n)
{
	uint64_t       fn, sn;
	uint8_t	       fr[RN_COLL_ID_LEN], sr[RN_COLL_ID_LEN];
	const uint8_t *first;
	size_t	       i = 0;

	if (m == 0 || m > size || n > RN_COLL_MAX_PROOF)
		return RN_ERR_CRYPTO;
	if (m == size)
		return n == 0 && rn_crypto_memeq(root_m, root_n, RN_COLL_ID_LEN) ? RN_OK :
										   RN_ERR_CRYPTO;
	if ((m & (m - 1)) == 0) {
		first = root_m; /* the old root is the path's implicit first element */
	} else {
		if (n == 0)
			return RN_ERR_CRYPTO;
		first = proof[i++];
	}
	fn = m - 1;
	sn = size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, RN_COLL_ID_LEN);
	memcpy(sr, first, RN_COLL_ID_LEN);
	for (; i < n; i++) {
		if (sn == 0)
			return RN_ERR_CRYPTO;
		if ((fn & 1) || fn == sn) {
			if (rn_coll_log_node_hash(proof[i], fr, fr) != RN_OK ||
			    rn_coll_log_node_hash(proof[i], sr, sr) != RN_OK)
				return RN_ERR_NOMEM;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (rn_coll_log_node_hash(sr, proof[i], sr) != RN_OK) {
			return RN_ERR_NOMEM;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && rn_crypto_memeq(fr, root_m, RN_COLL_ID_LEN) &&
		       rn_crypto_memeq(sr, root_n, RN_COLL_ID_LEN) ?
		   RN_OK :
		   RN_ERR_CRYPTO;
}

enum rn_err
rn_coll_log_encode(const struct rn_coll_log *log, struct rn_buf *out)
{
	size_t	    i;
	enum rn_err err = RN_OK;

	for (i = 0; i < log->lv[0].n && err == RN_OK; i++)
		err =
		    rn_coll_put_bytes(out, log->data + log->off[i], log->off[i + 1] - log->off[i]);
	return err;
}

enum rn_err
rn_coll_log_decode(const uint8_t *p, size_t n, struct rn_coll_log *log)
{
	struct rn_coll_rd     r;
	struct rn_coll_record rec;
	const uint8_t	     *b;
	size_t		      len;
	uint64_t	      start = rn_coll_log_size(log);
	enum rn_err	      err = RN_OK;

	rn_coll_rd_init(&r, p, n);
	while (!rn_coll_rd_done(&r)) {
		if ((err = rn_coll_rd_bytes(&r, MAX_RECORD_LEN, &b, &len)) != RN_OK ||
		    (err = rn_coll_record_decode(b, len, &rec)) != RN_OK ||
		    (err = rn_coll_log_append(log, b, len)) != RN_OK)
			break;
	}
	if (err != RN_OK) {
		rn_coll_log_truncate(log, start);
		return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	}
	return RN_OK;
}
